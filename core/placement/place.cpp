#include "core/placement/place.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/placement/explain.hpp"
#include "core/placement/infeasibility.hpp"
#include "core/placement/instance_builder.hpp"

namespace helios::placement {

Placement to_placement(const Instance& instance, const SolveReport& report, bool with_explain)
{
  Placement out;
  out.stack = instance.stack;
  out.cost_usd = report.cost;
  out.lower_bound_usd = report.lower_bound;
  out.min_headroom = report.min_headroom;
  out.optimal = report.optimal;
  out.solver = report.solver;
  out.solve_seconds = report.seconds;
  out.timed_out_components = report.timed_out_components;
  const Solution& sol = report.solution;
  LoadState state(instance);
  for (std::size_t i = 0; i < instance.items.size(); ++i) {
    if (sol.choice[i] >= 0) {
      state.add(static_cast<int>(i), sol.choice[i]);
    }
    for (const auto& s : sol.shares[i]) {
      state.add(static_cast<int>(i), s.candidate, s.weight);
    }
  }
  for (std::size_t i = 0; i < instance.items.size(); ++i) {
    const Item& item = instance.items[i];
    std::vector<Share> parts = sol.shares[i];
    if (sol.choice[i] >= 0) {
      parts = {Share{sol.choice[i], 1.0}};
    }
    for (const auto& part : parts) {
      const Candidate& c = instance.candidate(static_cast<int>(i), part.candidate);
      const OfferingRef& off = instance.offerings[static_cast<std::size_t>(c.offering)];
      Assignment a;
      a.workload = instance.workloads[static_cast<std::size_t>(item.workload)].name;
      a.replica = item.replica;
      a.offering = off.id;
      a.provider = off.provider;
      a.account = c.account;
      a.region = c.region;
      a.weight = part.weight;
      a.monthly_cost_usd = c.fixed_cost * part.weight;
      for (const auto& u : c.uses) {
        const Pool& p = instance.pools[static_cast<std::size_t>(u.pool)];
        const double load = state.load(u.pool);
        auto& util = a.utilisation[p.dimension];
        util = std::max(util, pool_utilisation(p, load));
        // The pool's overage cost, shared in proportion to what each placement draws from it.
        const double cost = pool_cost(p, load);
        if (cost > 0 && load > 0) {
          a.monthly_cost_usd += cost * u.amount * part.weight / load;
        }
      }
      for (const auto& q : c.own) {
        auto& util = a.utilisation[q.dimension];
        util = std::max(util, q.quota > 0 ? std::min(10.0, q.demand / q.quota) : 10.0);
      }
      out.assignments.push_back(std::move(a));
    }
  }
  std::sort(out.assignments.begin(), out.assignments.end(), [](const Assignment& a, const Assignment& b) {
    return std::tie(a.workload, a.replica, a.offering, a.account) < std::tie(b.workload, b.replica, b.offering, b.account);
  });
  if (with_explain) {
    out.rejected = explain(instance, sol);
  }
  return out;
}

Result<Placement> place(const Stack& stack, const Catalog& catalog, const std::vector<RecordedUsage>& usage,
                        const PlacementOptions& options)
{
  return place(stack, catalog.offerings(), usage, options);
}

Result<Placement> place(const Stack& stack, const std::vector<Offering>& offerings,
                        const std::vector<RecordedUsage>& usage, const PlacementOptions& options)
{
  auto instance = build_instance(stack, offerings, usage);
  if (!instance) {
    return tl::unexpected(instance.error());
  }
  const SolveReport report = solve_instance(*instance, options);
  if (!report.complete) {
    return tl::unexpected(infeasibility_error(*instance, report));
  }
  return to_placement(*instance, report, options.explain);
}

}  // namespace helios::placement
