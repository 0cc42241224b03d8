#include "core/http/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace helios::http {

bool retryable_status(long status)
{
  return status == 408 || status == 425 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

bool status_means_not_processed(long status)
{
  return status == 429 || status == 503 || status == 425;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int failed_attempts, double random01)
{
  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::max(0, failed_attempts - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double factor = 1.0 - policy.jitter * std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * factor));
}

std::optional<std::chrono::milliseconds> next_retry_delay(const RetryPolicy& policy, int attempts_made,
                                                          std::optional<std::chrono::milliseconds> server_wait,
                                                          double random01)
{
  if (attempts_made >= policy.max_attempts) {
    return std::nullopt;
  }
  if (server_wait) {
    if (*server_wait > policy.max_server_wait) {
      return std::nullopt;
    }
    // Honour the hint exactly, plus a little jitter so that many waiting callers do not return together.
    auto extra = std::chrono::milliseconds(static_cast<long long>(50.0 * std::clamp(random01, 0.0, 1.0)));
    return std::max(*server_wait, std::chrono::milliseconds(0)) + extra;
  }
  return backoff_delay(policy, attempts_made, random01);
}

}  // namespace helios::http
