#include <doctest/doctest.h>

#include "core/placement.hpp"

using namespace helios;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement result: JSON and per-workload lookup")
{
  Placement p;
  p.stack = "hobby";
  p.solver = "fast";
  p.cost_usd = 1.5;
  p.lower_bound_usd = 1.2;
  Assignment a;
  a.workload = "db";
  a.offering = "neon/free";
  a.provider = "neon";
  a.region = "eu";
  a.utilisation = {{"storage", 0.25}};
  p.assignments = {a};
  p.solve_seconds = 0.123;
  const auto j = to_json(p);
  CHECK(j["gap"].get<double>() == doctest::Approx(0.2));
  CHECK(j["assignments"][0]["utilisation"]["storage"] == 0.25);
  CHECK_FALSE(j.contains("solve_seconds"));
  CHECK(p.for_workload("db").size() == 1);
  CHECK(p.for_workload("web").empty());
}
