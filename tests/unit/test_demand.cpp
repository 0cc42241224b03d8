#include <doctest/doctest.h>

#include "core/placement/demand.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement demand: rates convert to the quota's period")
{
  CHECK(demand_in_period(Amount{2000, Period::day}, Period::month) == doctest::Approx(60000));
  CHECK(demand_in_period(Amount{3000, Period::day}, Period::minute) == doctest::Approx(3000.0 / 1440));
  CHECK(demand_in_period(Amount{5e9, Period::none}, Period::none) == 5e9);
  // A static amount against a rate quota counts per month, and the other way round.
  CHECK(demand_in_period(Amount{10, Period::none}, Period::day) == doctest::Approx(10.0 / 30));
  CHECK(demand_in_period(Amount{1, Period::day}, Period::none) == doctest::Approx(30));
}

TEST_CASE("placement demand: always-on hours are implicit for running workloads")
{
  auto web = testing::workload("web", WorkloadKind::compute, {testing::need("cpu", "250m")});
  auto hours = workload_need(web, "hours");
  REQUIRE(hours);
  CHECK(hours->value == k_always_on_hours);
  CHECK(hours->period == Period::month);
  auto bucket = testing::workload("b", WorkloadKind::storage, {testing::need("storage", "5GB")});
  CHECK_FALSE(workload_need(bucket, "hours"));
  auto stated = testing::workload("job", WorkloadKind::compute, {testing::need("hours", "100h/month")});
  CHECK(workload_need(stated, "instance_hours")->value == 100);
}

TEST_CASE("placement demand: overage prices become monthly USD per unit of the quota's period")
{
  OveragePrice storage = testing::price("storage", 0.35, 1e9);
  CHECK(monthly_price_per_unit(storage, Period::none) == doctest::Approx(0.35e-9));
  OveragePrice requests = testing::price("requests", 0.30, 1e6);
  // One request a day over the quota is 30 a month.
  CHECK(monthly_price_per_unit(requests, Period::day) == doctest::Approx(30 * 0.30e-6));
  OveragePrice hourly = testing::price("memory", 0.01, 1e9);
  hourly.period = Period::hour;
  CHECK(monthly_price_per_unit(hourly, Period::none) == doctest::Approx(720 * 0.01e-9));
}
