#pragma once
// Classifies what an AI provider answered (status line, headers, body) into one signal with an absolute
// `available_at` (docs/rotate.md "Signals"):
//   ok         a normal answer (its rate-limit headers still become observations)
//   transient  a per-minute window is full (RPM/TPM): wait until available_at or rotate
//   daily      a per-day window is full (RPD/TPD): rotate; available at the provider's daily reset
//   exhausted  quota or credits gone (402, insufficient_quota, Anthropic's 400 usage limit): rotate, no
//              retry; available at the end of the quota period
//   auth       401/403: the credential is wrong; cooled for an hour
//   error      5xx/408/timeouts: cooled briefly
// The parsers understand x-ratelimit-* with Go-style durations ("6m0s", "2m59.56s", "12ms"), their
// window-suffixed variants (x-ratelimit-limit-requests-day, …), retry-after (seconds or HTTP-date),
// retry-after-ms, anthropic-ratelimit-* (RFC 3339 resets), OpenRouter's limits inside the 429 body
// (error.metadata.headers with an epoch-millisecond X-RateLimit-Reset), Gemini's google.rpc.QuotaFailure
// and RetryInfo, "Please try again in 46.72s" in messages, and errors inside HTTP 200 bodies.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/ledger_time.hpp"
#include "core/units.hpp"

namespace helios {

enum class SignalKind { ok, transient, daily, exhausted, auth, error };

std::string_view signal_kind_name(SignalKind kind);
std::optional<SignalKind> parse_signal_kind(std::string_view name);  // also accepts 429, rate_limited, quota, …

// A raw HTTP response as an agent saved it (`curl -si`, or status line + headers + blank line + body).
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;

  [[nodiscard]] const std::string* header(std::string_view name) const;  // the last one of that name
};

// Parses the text of a response. Several responses in a row (curl -i after a 100 Continue or a
// redirect): the last one counts. Errors (exit 2) say what was expected.
Result<RawResponse> parse_raw_response(std::string_view text, const std::string& where = "signal");

// What one rate-limit header family says about one dimension and window.
struct LimitObservation {
  std::string dimension;                 // requests, tokens, input-tokens, output-tokens
  Period window = Period::minute;        // minute, hour, day, …
  std::optional<double> limit;
  std::optional<double> remaining;
  std::optional<EpochMs> reset_at;       // absolute
  std::string header;                    // where it came from
};

struct Signal {
  SignalKind kind = SignalKind::ok;
  int status = 0;                        // effective status (an error hidden in a 200 body: its code)
  EpochMs available_at = 0;              // absolute; 0 for ok
  std::string code;                      // provider error code/type when given (insufficient_quota, …)
  std::string reason;                    // one line a person can read
  std::string basis;                     // what set available_at ("retry-after", "x-ratelimit-reset-tokens", …)
  std::vector<LimitObservation> limits;

  [[nodiscard]] nlohmann::json to_json() const;
};

// What the caller knows about the provider, to interpret ambiguous signals.
struct SignalContext {
  std::string provider;          // groq: x-ratelimit-limit-requests is per day; gemini/google: Pacific days
  EpochMs daily_reset_at = 0;    // the provider's next daily reset (0: next midnight UTC, Pacific for Gemini)
  EpochMs exhausted_until = 0;   // when an exhausted quota comes back (0: the 1st of next month UTC)
};

Signal classify_signal(const RawResponse& response, EpochMs now, const SignalContext& context = {});

// "1h2m3.5s", "6m0s", "12ms", "2m59.56s", "1.5us" → milliseconds. nullopt when not a Go duration.
std::optional<double> parse_go_duration_ms(std::string_view text);
// A reset value in any of the shapes providers use: Go duration, plain seconds, RFC 3339, HTTP-date,
// epoch seconds (>1e9) or epoch milliseconds (>1e12). Returns the absolute time.
std::optional<EpochMs> parse_reset_value(std::string_view text, EpochMs now);

}  // namespace helios
