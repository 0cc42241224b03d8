#include "core/placement/solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/placement/cbc_solver.hpp"
#include "core/placement/decomposition.hpp"
#include "core/placement/heuristic.hpp"
#include "core/placement/lagrangian_bound.hpp"
#include "core/placement/milp_model.hpp"

namespace helios::placement {

namespace {

using Clock = std::chrono::steady_clock;

bool closed(double cost, double bound)
{
  return cost - bound <= k_optimality_tolerance * std::max(1.0, std::abs(cost));
}

// A bound CBC reports (LP objective or best possible), less a relative 1e-7 for floating point.
double certified(double cbc_bound)
{
  return std::max(0.0, cbc_bound - 1e-7 * std::max(1.0, std::abs(cbc_bound)));
}

struct ComponentState {
  double cost = 0;
  bool complete = true;
};

ComponentState component_state(const Instance& inst, const Solution& sol, const Component& comp)
{
  ComponentState s;
  std::vector<double> load(inst.pools.size(), 0.0);
  for (int k : comp.classes) {
    const ItemClass& cls = inst.classes[static_cast<std::size_t>(k)];
    for (int i : cls.items) {
      if (cls.split) {
        if (sol.shares[static_cast<std::size_t>(i)].empty()) {
          s.complete = false;
        }
        for (const auto& sh : sol.shares[static_cast<std::size_t>(i)]) {
          const Candidate& c = cls.candidates[static_cast<std::size_t>(sh.candidate)];
          s.cost += c.fixed_cost * sh.weight;
          for (const auto& u : c.uses) {
            load[static_cast<std::size_t>(u.pool)] += u.amount * sh.weight;
          }
        }
        continue;
      }
      const int ch = sol.choice[static_cast<std::size_t>(i)];
      if (ch < 0) {
        s.complete = false;
        continue;
      }
      const Candidate& c = cls.candidates[static_cast<std::size_t>(ch)];
      s.cost += c.fixed_cost;
      for (const auto& u : c.uses) {
        load[static_cast<std::size_t>(u.pool)] += u.amount;
      }
    }
  }
  for (int p : comp.pools) {
    const double c = pool_cost(inst.pools[static_cast<std::size_t>(p)], load[static_cast<std::size_t>(p)]);
    if (std::isinf(c)) {
      s.complete = false;
    } else {
      s.cost += c;
    }
  }
  return s;
}

// The fast solver also solves the LP relaxation of components this small (candidate-pool terms): their
// bound is then the LP's, as tight as exact's first step. A size rule, not a clock: answers stay reproducible.
constexpr std::size_t k_fast_lp_terms = 2'000;

std::size_t model_terms(const Instance& inst, const Component& comp)
{
  std::size_t n = 0;
  for (int k : comp.classes) {
    for (const auto& c : inst.classes[static_cast<std::size_t>(k)].candidates) {
      n += 1 + c.uses.size() + (c.counter >= 0 ? 1 : 0);
    }
  }
  return n;
}

}  // namespace

double lp_bound(const Instance& instance, double seconds)
{
  double total = 0;
  for (const auto& comp : decompose(instance)) {
    ModelMap map;
    const LinearModel model = build_model(instance, comp.classes, Formulation::aggregated, false, map);
    const MilpResult lp = solve_with_cbc(model, seconds, nullptr, true);
    if (lp.optimal) {
      total += certified(lp.objective);
    }
  }
  return total;
}

SolveReport solve_instance(const Instance& instance, const PlacementOptions& options)
{
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto mode = options.solver;
  SolveReport report;
  report.solution = solve_heuristic(instance);
  // auto and exact hand CBC what is left of the time limit (a hard limit, see cbc_solver.hpp) less 5 %
  // (at most 0.25 s) for taking its answer back and freeing the model (80 ms at 10,000 workloads): the LP
  // relaxation all of that, the MILP all of it less a reserve for the local search that polishes its
  // answer, which costs about what the heuristic did. Nothing once less than k_least_cbc_seconds is left:
  // fast's answer and bound then stand.
  constexpr double k_least_cbc_seconds = 0.01;
  const double cbc_until = options.time_limit_seconds - std::min(0.05 * options.time_limit_seconds, 0.25);
  const double polish_reserve = std::min(elapsed(), 0.5 * options.time_limit_seconds);
  auto time_left = [&] { return cbc_until - elapsed(); };
  report.solver = "fast";
  const auto components = decompose(instance);
  report.components = static_cast<int>(components.size());

  struct Work {
    std::size_t index;
    ComponentState state;
    double bound = 0;
    LinearModel model;
    ModelMap map;
    bool out_of_time = false;  // the time limit ended CBC (or left it no time) before it answered
  };
  std::vector<Work> open;
  double bound_total = 0;
  for (std::size_t ci = 0; ci < components.size(); ++ci) {
    const Component& comp = components[ci];
    const ComponentState state = component_state(instance, report.solution, comp);
    // Trivial certified bound first: it alone proves a component whose heuristic cost is only fixed costs.
    double bound = cheapest_cost_bound(instance, comp);
    if (state.complete && closed(state.cost, bound)) {
      bound_total += std::min(bound, state.cost);
      continue;
    }
    if (state.complete) {
      bound = std::max(bound, lagrangian_bound(instance, comp, state.cost, report.solution));
      if (closed(state.cost, bound)) {
        bound_total += std::min(bound, state.cost);
        continue;
      }
    }
    Work work{ci, state, bound, {}, {}, false};
    // auto and exact: the LP relaxation of the whole model (near:, spread: and the budget included); fast
    // only on small components, where it costs about a millisecond.
    if (mode != PlacementOptions::Solver::fast || (state.complete && model_terms(instance, comp) <= k_fast_lp_terms)) {
      work.model = build_model(instance, comp.classes, Formulation::aggregated, false, work.map);
      const double lp_seconds =
        mode == PlacementOptions::Solver::fast ? std::max(1.0, options.time_limit_seconds) : time_left();
      if (state.complete && lp_seconds >= k_least_cbc_seconds) {
        const MilpResult lp = solve_with_cbc(work.model, lp_seconds, nullptr, true);
        work.out_of_time = lp.timed_out;
        if (lp.optimal) {
          work.bound = std::max(work.bound, certified(lp.objective));
        } else if (lp.infeasible) {
          work.bound = std::max(work.bound, state.cost);  // cannot happen with a feasible incumbent; keep sane
        }
      }
    }
    if (state.complete && closed(state.cost, work.bound)) {
      bound_total += std::min(work.bound, state.cost);
      continue;
    }
    open.push_back(std::move(work));
  }

  const bool run_milp = mode != PlacementOptions::Solver::fast;
  const bool always_milp = mode == PlacementOptions::Solver::exact;
  bool used_milp = false;
  bool kept_fast = false;
  bool milp_placed = false;
  for (std::size_t w = 0; w < open.size(); ++w) {
    Work& work = open[w];
    const bool wanted = run_milp && (always_milp || !work.state.complete || !closed(work.state.cost, work.bound));
    const double milp_left = time_left() - polish_reserve;
    if (wanted && milp_left < k_least_cbc_seconds) {
      work.out_of_time = true;
    } else if (wanted) {
      const double share = milp_left / static_cast<double>(open.size() - w);
      std::vector<double> warm;
      if (work.state.complete) {
        warm = model_values(instance, work.map, work.model, report.solution);
      }
      const MilpResult res = solve_with_cbc(work.model, share, work.state.complete ? &warm : nullptr, false);
      ++report.milp_components;
      work.out_of_time = res.timed_out;
      used_milp = true;
      work.bound = std::max(work.bound, certified(res.bound));
      if (res.has_solution) {
        Solution candidate = report.solution;
        apply_values(instance, work.map, res.values, candidate);
        const ComponentState state = component_state(instance, candidate, components[work.index]);
        if (state.complete && (!work.state.complete || state.cost < work.state.cost - 1e-9)) {
          report.solution = std::move(candidate);
          work.state = state;
          milp_placed = true;
        } else {
          kept_fast = true;
        }
      } else {
        kept_fast = true;
      }
      if (res.infeasible && !work.state.complete) {
        work.bound = std::numeric_limits<double>::infinity();
      }
    }
    bound_total += work.state.complete ? std::min(work.bound, work.state.cost) : work.bound;
    report.timed_out_components += work.out_of_time ? 1 : 0;
  }
  if (used_milp) {
    report.solver = kept_fast ? "exact+fast" : "exact";
  }
  // Local search after the MILP: moves never raise the cost; headroom and the tie-break polish. (Where no
  // MILP answer was taken the solution is the heuristic's, which ends with the same passes.)
  if (milp_placed) {
    improve(instance, report.solution);
  }
  const Evaluation ev = evaluate(instance, report.solution);
  report.cost = ev.cost;
  report.min_headroom = ev.min_headroom;
  report.complete = ev.feasible;
  report.lower_bound = std::isinf(bound_total) ? bound_total : std::min(bound_total, ev.feasible ? ev.cost : bound_total);
  report.optimal = ev.feasible && closed(report.cost, report.lower_bound);
  report.bound_exceeds_budget = report.lower_bound > instance.budget + 1e-9;
  report.seconds = elapsed();
  return report;
}

}  // namespace helios::placement
