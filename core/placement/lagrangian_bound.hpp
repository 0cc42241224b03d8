#pragma once
// A cheap certified lower bound of one component: the Lagrangian relaxation of its shared-pool and
// free-instance rows (docs/placement.md "Bounds").
//
// With a multiplier λ_p per pool (0 ≤ λ_p ≤ its overage price; unbounded above on a pool that cannot bill)
// and ν_q ≥ 0 per free-instance counter, and near:, spread: and the budget dropped,
//   L(λ, ν) = Σ_k |k| · min_c (fixed_c + Σ_p λ_p·a_cp + ν_q(c)) − Σ_p λ_p·capacity_p − Σ_q ν_q·capacity_q
// is at most the cost of every feasible placement (weak duality: each item pays at least its class's
// minimum reduced cost, and λ_p·(load_p − capacity_p) never exceeds the pool's overage cost). The
// multipliers start from the heuristic's placement (an overflowing pool at its price; every other resource
// priced as a fractional knapsack of the savings classes would make on it against their places that draw
// only on overflowing pools), then block-coordinate ascent (each multiplier in turn set to the maximiser of
// L along it) and projected subgradient steps (Polyak's rule towards the heuristic's cost) raise L. The
// best L found, minus the capacity tolerance the checker allows and a floating-point margin, is returned.
// The effort follows a work rule (candidate visits), never a clock: the same instance gives the same bound.

#include "core/placement/decomposition.hpp"
#include "core/placement/instance.hpp"
#include "core/placement/solution.hpp"

namespace helios::placement {

struct LagrangianOptions {
  long long work_budget = 4'000'000;  // candidate visits: half for coordinate ascent, half for the steps
  int sweeps = 10;                    // coordinate-ascent sweeps over the resources at most
  int min_iterations = 5;             // subgradient steps, at least and at most
  int max_iterations = 500;
  double initial_step = 1.0;          // Polyak step factor
  int patience = 10;                  // steps without progress before the factor is halved
};

// The bound with every multiplier at zero: each item's cheapest fixed cost (pool overage is never negative).
double cheapest_cost_bound(const Instance& instance, const Component& component);

// A certified lower bound on the cost of any feasible placement of the component's classes (≥ 0).
// `upper_bound`: the cost of a known feasible placement of the component (the Polyak target; steps stop
// once the bound reaches it); `solution`: that placement, whose overflowing pools start at their price.
double lagrangian_bound(const Instance& instance, const Component& component, double upper_bound,
                        const Solution& solution, const LagrangianOptions& options = {});

}  // namespace helios::placement
