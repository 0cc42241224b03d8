#include <doctest/doctest.h>

#include "core/http/retry_policy.hpp"

using namespace helios::http;
using namespace std::chrono;

TEST_SUITE_BEGIN("retry_policy");

TEST_CASE("Backoff doubles up to its cap, reduced by jitter")
{
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(200);
  policy.max_backoff = milliseconds(1000);
  CHECK(backoff_delay(policy, 1, 0.0) == milliseconds(200));
  CHECK(backoff_delay(policy, 2, 0.0) == milliseconds(400));
  CHECK(backoff_delay(policy, 4, 0.0) == milliseconds(1000));
  CHECK(backoff_delay(policy, 2, 1.0) == milliseconds(300));
}

TEST_CASE("Attempts are bounded and a server hint wins unless it is too long")
{
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.max_server_wait = seconds(60);
  CHECK(next_retry_delay(policy, 1, std::nullopt, 0.0).value() == policy.initial_backoff);
  CHECK(next_retry_delay(policy, 2, seconds(5), 0.0).value() == seconds(5));
  CHECK_FALSE(next_retry_delay(policy, 3, std::nullopt, 0.0));
  CHECK_FALSE(next_retry_delay(policy, 1, seconds(3600), 0.0));
  CHECK(retryable_status(429));
  CHECK(retryable_status(503));
  CHECK_FALSE(retryable_status(404));
  CHECK_FALSE(retryable_status(409));
  CHECK(status_means_not_processed(429));
  CHECK_FALSE(status_means_not_processed(500));
}
