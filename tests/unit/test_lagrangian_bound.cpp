#include <doctest/doctest.h>

#include "core/placement/cbc_solver.hpp"
#include "core/placement/decomposition.hpp"
#include "core/placement/heuristic.hpp"
#include "core/placement/instance_builder.hpp"
#include "core/placement/lagrangian_bound.hpp"
#include "core/placement/milp_model.hpp"
#include "core/placement/solver.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

namespace {

// Σ over components of the Lagrangian bound, with `target` as every component's Polyak target.
double total_bound(const Instance& inst, const Solution& sol, double target)
{
  double total = 0;
  for (const auto& comp : decompose(inst)) {
    const double b = lagrangian_bound(inst, comp, target, sol);
    CHECK(b >= 0);
    total += b;
  }
  return total;
}

}  // namespace

TEST_CASE("lagrangian bound: free capacity for one of two items prices the other's overflow")
{
  // Two 1 GB buckets, 1 GB of hard-capped free room, overflow at 5 USD/GB: the optimum is 5 USD, and so is
  // the LP relaxation; the bound must find it (the trivial bound, each item's cheapest fixed cost, is 0).
  auto free = offering("free/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {}, true);
  auto paid = offering("paid/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "0GB")}, {price("storage", 5, 1e9)});
  auto files = workload("files", WorkloadKind::storage, {need("storage", "1GB")});
  files.replicas = 2;
  auto built = build_instance(stack({files}, {"eu"}), sorted({free, paid}), {});
  REQUIRE(built.has_value());
  const Solution sol = solve_heuristic(*built);
  const double bound = total_bound(*built, sol, 5.0);
  CHECK(bound <= 5.0);
  CHECK(bound >= 5.0 - 1e-6);
  // A Polyak target far above the optimum changes the steps, never the validity.
  CHECK(total_bound(*built, sol, 50.0) <= 5.0);
}

TEST_CASE("lagrangian bound: free-instance counts are priced too")
{
  // Three databases, one free instance (no storage limit that binds), overflow databases at 2 USD/GB.
  auto free = offering("free/db", WorkloadKind::database, {"eu"}, {quota("storage", "10GB", Scope::instance)}, {}, true);
  free.free_instances = 1;
  auto paid = offering("paid/db", WorkloadKind::database, {"eu"}, {quota("storage", "0GB")}, {price("storage", 2, 1e9)});
  auto db = workload("db", WorkloadKind::database, {need("storage", "1GB")});
  db.replicas = 3;
  auto built = build_instance(stack({db}, {"eu"}), sorted({free, paid}), {});
  REQUIRE(built.has_value());
  const Solution sol = solve_heuristic(*built);
  const double bound = total_bound(*built, sol, 4.0);
  CHECK(bound <= 4.0);
  CHECK(bound >= 4.0 - 1e-6);
}

TEST_CASE("lagrangian bound property: never above the exact optimum nor a component's LP relaxation, whatever the target")
{
  int compared = 0;
  int lp_compared = 0;
  int raised = 0;  // components where it beats the trivial bound (the cheapest fixed cost per item)
  for (unsigned seed = 1; seed <= 30; ++seed) {
    CAPTURE(seed);
    const auto r = random_instance(seed, 10 + static_cast<int>(seed % 4) * 15, 12 + static_cast<int>(seed % 3) * 10);
    auto built = build_instance(r.stack, r.offerings, {});
    REQUIRE(built.has_value());
    const Instance& inst = *built;
    const Solution sol = solve_heuristic(inst);
    PlacementOptions exact_options;
    exact_options.solver = PlacementOptions::Solver::exact;
    exact_options.time_limit_seconds = 5;
    const SolveReport exact = solve_instance(inst, exact_options);
    for (double target : {exact.complete ? exact.cost : 1.0, 0.0, 1e3}) {
      CAPTURE(target);
      double total = 0;
      for (const auto& comp : decompose(inst)) {
        const double bound = lagrangian_bound(inst, comp, target, sol);
        CHECK(bound >= 0);
        total += bound;
        // The Lagrangian dual drops near:, spread: and integrality: never above the LP of the same component.
        ModelMap map;
        const LinearModel model = build_model(inst, comp.classes, Formulation::aggregated, false, map);
        const MilpResult lp = solve_with_cbc(model, 5, nullptr, true);
        if (lp.optimal) {
          CHECK(bound <= lp.objective + 1e-6 * std::max(1.0, std::abs(lp.objective)));
          ++lp_compared;
        }
        raised += bound > cheapest_cost_bound(inst, comp) + 1e-6 ? 1 : 0;
      }
      if (exact.optimal) {
        CHECK(total <= exact.cost + 1e-7);
        ++compared;
      }
    }
  }
  CHECK(compared >= 40);
  CHECK(lp_compared >= 100);
  CHECK(raised >= 10);
}
