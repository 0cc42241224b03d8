#pragma once
// A per-provider request budget: a token bucket refilled at the management API's published rate, so
// that helios keeps under it instead of provoking 429s; a server's own signal (429 + Retry-After,
// RateLimit remaining 0) blocks the bucket until the time the server named.
// Not thread-safe by itself: the transport's event loop owns its budgets.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace helios::http {

// A rate as configured: `amount` requests per `per` (e.g. 1200 per 5 minutes), or unlimited.
struct RateSpec {
  double amount = 0;
  std::chrono::duration<double> per{1.0};
  double burst = 0;  // bucket capacity; 0 = `amount` capped at 1 s of traffic but at least 1
  bool unlimited = true;

  [[nodiscard]] double per_second() const { return unlimited ? 0 : amount / per.count(); }
  [[nodiscard]] std::string to_string() const;
};

// Parses "1200/5m", "700/min", "20/h", "10/s", "400/60s", "30/minute", optionally ",burst=N", or
// "unlimited"/"none"/"0". nullopt when malformed.
std::optional<RateSpec> parse_rate_spec(std::string_view text);

class RequestBudget {
public:
  using Clock = std::chrono::steady_clock;

  explicit RequestBudget(RateSpec spec = {}, Clock::time_point now = Clock::now());

  // Takes one token when one is available at `now` (and nothing blocks) and returns nullopt; otherwise
  // returns the time at which to ask again.
  std::optional<Clock::time_point> try_acquire(Clock::time_point now);
  // The server asked to wait: nothing is handed out before `until`.
  void block_until(Clock::time_point until);
  [[nodiscard]] const RateSpec& spec() const { return m_spec; }

private:
  void refill(Clock::time_point now);

  RateSpec m_spec;
  double m_capacity = 1;
  double m_tokens = 1;
  Clock::time_point m_last;
  Clock::time_point m_blocked_until{};
};

}  // namespace helios::http
