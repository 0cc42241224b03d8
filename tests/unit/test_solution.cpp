#include <doctest/doctest.h>

#include "core/placement/instance_builder.hpp"
#include "core/placement/solution.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement solution: pool costs, utilisation and evaluation")
{
  Pool pool;
  pool.quota = 10;
  pool.capacity = 8;
  pool.recorded = 2;
  pool.billable = true;
  pool.price = 0.5;
  CHECK(pool_cost(pool, 8) == 0);
  CHECK(pool_cost(pool, 10) == doctest::Approx(1.0));
  CHECK(pool_utilisation(pool, 3) == doctest::Approx(0.5));
  pool.billable = false;
  CHECK(std::isinf(pool_cost(pool, 9)));

  auto a = offering("a/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {}, true);
  auto b = offering("b/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {price("storage", 1, 1e9)});
  auto inst = build_instance(stack({workload("x", WorkloadKind::storage, {need("storage", "800MB")}),
                                    workload("y", WorkloadKind::storage, {need("storage", "800MB")})},
                                   {"eu"}),
                             sorted({a, b}), {})
                .value();
  auto sol = Solution::empty_for(inst);
  sol.choice = {0, 0};
  auto ev = evaluate(inst, sol);
  CHECK_FALSE(ev.feasible);
  sol.choice = {0, 1};
  ev = evaluate(inst, sol);
  CHECK(ev.feasible);
  CHECK(ev.cost == 0);
  CHECK(ev.min_headroom == doctest::Approx(0.2));
  sol.choice = {1, 1};
  ev = evaluate(inst, sol);
  CHECK(ev.cost == doctest::Approx(0.6));
}

TEST_CASE("placement solution: the load state's cost counts instance-scoped overage, as evaluate and add_delta do")
{
  // A database whose storage quota is per instance: 1 GB free, then 1 USD/GB on that instance alone (a
  // fixed cost of the candidate, not a pool's). The load state's cost must include it: the heuristic
  // compares whole solutions by it (ruin and recreate, near-family and split-aware moves).
  auto db = offering("a/db", WorkloadKind::database, {"eu"}, {quota("storage", "1GB", Scope::instance)}, {price("storage", 1, 1e9)});
  auto shared = offering("b/bucket", WorkloadKind::database, {"eu"}, {quota("storage", "1GB")}, {price("storage", 2, 1e9)});
  auto inst = build_instance(stack({workload("x", WorkloadKind::database, {need("storage", "3GB")})}, {"eu"}), sorted({db, shared}), {})
                  .value();
  LoadState state(inst);
  CHECK(state.cost() == 0);
  for (int k = 0; k < 2; ++k) {
    CAPTURE(k);
    const double delta = state.add_delta(0, k);
    state.add(0, k);
    auto sol = Solution::empty_for(inst);
    sol.choice = {k};
    const Evaluation ev = evaluate(inst, sol);
    CHECK(ev.cost == doctest::Approx(k == 0 ? 2.0 : 4.0));
    CHECK(state.cost() == doctest::Approx(ev.cost));
    CHECK(delta == doctest::Approx(ev.cost));
    state.remove(0, k);
    CHECK(state.cost() == doctest::Approx(0.0));
  }
}
