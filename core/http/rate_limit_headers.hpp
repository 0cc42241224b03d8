#pragma once
// Parsing of the rate-limit signals HTTP APIs send in response headers, normalised to absolute times.
//
// Forms understood (sources: ../shared/reference/ai-providers.md §2 and providers.md §3):
// - Retry-After: delta-seconds (integer or decimal) or an HTTP-date (RFC 9110 §10.2.3); the
//   non-standard retry-after-ms (OpenAI SDK) takes precedence when present.
// - OpenAI / Groq / Cerebras / Mistral: x-ratelimit-{limit,remaining,reset}-<window>, e.g. -requests,
//   -tokens, -requests-day, -tokens-minute, -req-minute; reset values are Go durations ("1m30.5s", "6ms").
// - Plain x-ratelimit-{limit,remaining,reset} (Koyeb: "400, 400;w=60"; GitHub: reset in epoch seconds)
//   and RateLimit-{Limit,Remaining,Reset} (Render; reset in seconds or epoch seconds).
// - IETF draft structured fields as Cloudflare sends them: `Ratelimit: "default";r=50;t=30` and
//   `Ratelimit-Policy: "burst";q=100;w=60`, and the older draft form `RateLimit: limit=100, remaining=50, reset=50`
//   with `RateLimit-Policy: 100;w=60`.
// - Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}
//   with RFC 3339 reset times (and the unified-* variant with epoch-seconds resets).
// A reset value is read as: a Go duration; an RFC 3339 time; an HTTP-date; or a number that is epoch
// milliseconds (> 1e12), epoch seconds (> 1e9) or else delta seconds.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/headers.hpp"

namespace helios::http {

using SystemClock = std::chrono::system_clock;
using TimePoint = SystemClock::time_point;

// A Go time.Duration string ("1h2m3s", "2m59.56s", "6ms", "250us", "0"), or nullopt when malformed.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);
// RFC 3339 / ISO 8601 date-time with a zone ("2026-07-18T12:00:00Z", "…+02:00", fractional seconds).
std::optional<TimePoint> parse_rfc3339(std::string_view text);
// An HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 or asctime form.
std::optional<TimePoint> parse_http_date(std::string_view text);
// A reset value in any form above, relative to `now` where it is relative.
std::optional<TimePoint> parse_reset(std::string_view text, TimePoint now);
// When the server asks the next request to wait until: retry-after-ms, else Retry-After.
std::optional<TimePoint> parse_retry_after(const Headers& headers, TimePoint now);

// One rate-limit window a server reported.
struct RateLimitWindow {
  std::string name;  // "requests", "tokens", "requests-day", "tokens-minute", "input-tokens", "default", …
  std::optional<double> limit;
  std::optional<double> remaining;
  std::optional<TimePoint> reset;                 // when the window resets to its limit
  std::optional<std::chrono::seconds> length;     // the window's length (`w=` of a policy), when given
};

struct RateLimitState {
  std::optional<TimePoint> retry_at;  // from retry-after-ms / Retry-After
  std::vector<RateLimitWindow> windows;

  [[nodiscard]] bool empty() const { return !retry_at && windows.empty(); }
  [[nodiscard]] const RateLimitWindow* window(std::string_view name) const;
  // The latest reset among windows with nothing remaining, combined with retry_at: the earliest time a
  // request may succeed again. nullopt when nothing says to wait.
  [[nodiscard]] std::optional<TimePoint> blocked_until() const;
};

// Every rate-limit signal in `headers`, resolved against `now`.
RateLimitState parse_rate_limit_headers(const Headers& headers, TimePoint now);

// RFC 3339 UTC text of a time point ("2026-07-18T12:00:00Z"), for logs and JSON.
std::string format_rfc3339(TimePoint time);

}  // namespace helios::http
