#include <doctest/doctest.h>

#include "core/http/request_budget.hpp"

using namespace helios::http;
using namespace std::chrono;

TEST_SUITE_BEGIN("request_budget");

TEST_CASE("Rate specs as the management APIs publish them")
{
  auto cf = parse_rate_spec("1200/5m").value();
  CHECK_FALSE(cf.unlimited);
  CHECK(cf.per_second() == doctest::Approx(4.0));
  CHECK(parse_rate_spec("700/min").value().per_second() == doctest::Approx(700.0 / 60));
  CHECK(parse_rate_spec("20/h").value().per_second() == doctest::Approx(20.0 / 3600));
  CHECK(parse_rate_spec("400/60s,burst=40").value().burst == 40);
  CHECK(parse_rate_spec("unlimited").value().unlimited);
  CHECK_FALSE(parse_rate_spec("fast"));
  CHECK_FALSE(parse_rate_spec("10/fortnight"));
  CHECK_FALSE(parse_rate_spec("-1/s"));
  CHECK_FALSE(parse_rate_spec("10/s,burst=0"));
}

TEST_CASE("The bucket hands out its burst, then one token per 1/rate")
{
  auto t0 = RequestBudget::Clock::time_point{} + hours(1);
  RequestBudget budget(parse_rate_spec("10/s,burst=2").value(), t0);
  CHECK_FALSE(budget.try_acquire(t0));
  CHECK_FALSE(budget.try_acquire(t0));
  auto next = budget.try_acquire(t0);
  REQUIRE(next);
  CHECK(duration<double>(*next - t0).count() == doctest::Approx(0.1));
  CHECK_FALSE(budget.try_acquire(*next));
  // the server said stop: nothing before that time, whatever the bucket holds
  budget.block_until(t0 + seconds(5));
  auto blocked = budget.try_acquire(t0 + seconds(4));
  REQUIRE(blocked);
  CHECK(*blocked == t0 + seconds(5));
  CHECK_FALSE(budget.try_acquire(t0 + seconds(5)));
}

TEST_CASE("An unlimited budget never waits unless blocked")
{
  auto t0 = RequestBudget::Clock::time_point{} + hours(1);
  RequestBudget budget(RateSpec{}, t0);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(budget.try_acquire(t0));
  }
  budget.block_until(t0 + seconds(1));
  CHECK(budget.try_acquire(t0));
}
