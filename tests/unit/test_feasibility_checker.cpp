#include <doctest/doctest.h>

#include "core/placement/feasibility_checker.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

namespace {

Assignment on(const std::string& workload, const std::string& offering, const std::string& region, int replica = 0,
              double weight = 1)
{
  Assignment a;
  a.workload = workload;
  a.replica = replica;
  a.offering = offering;
  a.provider = offering.substr(0, offering.find('/'));
  a.region = region;
  a.weight = weight;
  return a;
}

bool mentions(const FeasibilityReport& r, const std::string& text)
{
  for (const auto& v : r.violations) {
    if (v.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("placement feasibility checker: accepts a valid placement and recomputes its cost")
{
  auto paid = offering("paid/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {price("storage", 0.5, 1e9)});
  auto s = stack({workload("a", WorkloadKind::storage, {need("storage", "3GB")})}, {"eu"}, 10);
  Placement p;
  p.assignments = {on("a", "paid/bucket", "eu")};
  p.cost_usd = 1.0;
  auto r = check_placement(s, {paid}, {}, p);
  CHECK(r.ok);
  CHECK(r.cost_usd == doctest::Approx(1.0));
  p.cost_usd = 0.5;
  CHECK(mentions(check_placement(s, {paid}, {}, p), "reported cost"));
  s.budget_monthly_usd = 0.5;
  p.cost_usd = 1.0;
  CHECK(mentions(check_placement(s, {paid}, {}, p), "budget"));
}

TEST_CASE("placement feasibility checker: catches every kind of violation")
{
  auto capped = offering("cap/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {}, true);
  capped.free_instances = 1;
  auto us = offering("us/bucket", WorkloadKind::storage, {"us"}, {quota("storage", "10GB")}, {}, true);
  auto db = offering("x/db", WorkloadKind::database, {"eu"}, {});
  auto offerings = sorted({capped, us, db});
  auto s = stack({workload("a", WorkloadKind::storage, {need("storage", "800MB")}),
                  workload("b", WorkloadKind::storage, {need("storage", "800MB")})},
                 {"eu"});
  Placement p;
  p.assignments = {on("a", "cap/bucket", "eu"), on("b", "cap/bucket", "eu")};
  auto r = check_placement(s, offerings, {}, p);
  CHECK(mentions(r, "cannot bill"));
  CHECK(mentions(r, "free instances"));

  p.assignments = {on("a", "us/bucket", "eu"), on("b", "x/db", "eu")};
  r = check_placement(s, offerings, {}, p);
  CHECK(mentions(r, "does not serve region eu"));
  CHECK(mentions(r, "is a database offering"));

  p.assignments = {on("a", "us/bucket", "us")};
  r = check_placement(s, offerings, {}, p);
  CHECK(mentions(r, "not one of the workload's"));
  CHECK(mentions(r, "b: not placed"));

  s.providers_deny = {"us"};
  CHECK(mentions(check_placement(s, offerings, {}, p), "not allowed"));

  // Recorded usage counts against the pool.
  s.providers_deny.clear();
  s.workloads.pop_back();
  p.assignments = {on("a", "cap/bucket", "eu")};
  CHECK(check_placement(s, offerings, {}, p).ok);
  std::vector<RecordedUsage> usage{{"cap", "default", "cap/bucket", "storage", Period::none, 0.5e9}};
  CHECK(mentions(check_placement(s, offerings, usage, p), "cannot bill"));

  // Spread and split weights.
  auto two = workload("two", WorkloadKind::storage, {need("storage", "1MB")});
  two.replicas = 2;
  two.spread = true;
  auto s2 = stack({two}, {"us"});
  p.assignments = {on("two", "us/bucket", "us", 0), on("two", "us/bucket", "us", 1)};
  CHECK(mentions(check_placement(s2, offerings, {}, p), "spread"));
  p.assignments = {on("two", "us/bucket", "us", 0, 0.5)};
  r = check_placement(s2, offerings, {}, p);
  CHECK(mentions(r, "only split AI workloads"));
  CHECK(mentions(r, "replica 1"));
}
