#pragma once
// When and how long to wait before retrying an HTTP request: exponential backoff with jitter, bounded
// attempts, and the server's own hint (Retry-After, retry-after-ms, RateLimit reset) taking precedence
// when it is reasonable.

#include <chrono>
#include <optional>

namespace helios::http {

struct RetryPolicy {
  int max_attempts = 4;                                   // attempts in all, the first included
  std::chrono::milliseconds initial_backoff{200};         // wait after the first failure
  std::chrono::milliseconds max_backoff{8000};            // cap of one computed wait
  std::chrono::milliseconds max_server_wait{60000};       // a longer Retry-After is not waited for: the
                                                          // response goes back to the caller instead
  double jitter = 0.25;                                   // a wait is reduced by up to this fraction
};

// The statuses worth retrying: 408, 425, 429, 500, 502, 503, 504.
bool retryable_status(long status);
// Statuses where the server did not process the request (safe to retry even a non-idempotent call).
bool status_means_not_processed(long status);

// The computed wait after `failed_attempts` failures: min(initial·2^(n-1), max) · (1 − jitter·random01).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int failed_attempts, double random01);

// The wait before the next attempt, or nullopt when no further attempt should be made.
// `server_wait` is the delay the server asked for (may be zero or absent).
std::optional<std::chrono::milliseconds> next_retry_delay(const RetryPolicy& policy, int attempts_made,
                                                          std::optional<std::chrono::milliseconds> server_wait,
                                                          double random01);

}  // namespace helios::http
