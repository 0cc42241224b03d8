#include "core/placement/explain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include <fmt/format.h>

namespace helios::placement {

std::vector<RejectedCandidate> explain(const Instance& instance, const Solution& solution, int per_workload)
{
  std::vector<RejectedCandidate> out;
  LoadState state(instance);
  for (std::size_t i = 0; i < instance.items.size(); ++i) {
    if (solution.choice[i] >= 0) {
      state.add(static_cast<int>(i), solution.choice[i]);
    }
    for (const auto& s : solution.shares[i]) {
      state.add(static_cast<int>(i), s.candidate, s.weight);
    }
  }
  auto utilisation_after = [&](int item, int k) {
    const Candidate& c = instance.candidate(item, k);
    double u = c.own.empty() ? 0.0 : c.own_utilisation;
    for (const auto& use : c.uses) {
      u = std::max(u, pool_utilisation(instance.pools[static_cast<std::size_t>(use.pool)], state.load(use.pool) + use.amount));
    }
    return u;
  };
  for (std::size_t w = 0; w < instance.workloads.size(); ++w) {
    // The workload's first item stands for its replicas.
    int item = -1;
    for (std::size_t i = 0; i < instance.items.size(); ++i) {
      if (instance.items[i].workload == static_cast<int>(w)) {
        item = static_cast<int>(i);
        break;
      }
    }
    if (item < 0) {
      continue;
    }
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(instance.items[static_cast<std::size_t>(item)].cls)];
    const int chosen = solution.choice[static_cast<std::size_t>(item)];
    std::vector<int> in_use;
    if (chosen >= 0) {
      in_use.push_back(chosen);
    }
    for (const auto& s : solution.shares[static_cast<std::size_t>(item)]) {
      in_use.push_back(s.candidate);
    }
    // Feasible candidates not taken: cost of moving there, then utilisation, then rank.
    std::vector<std::tuple<int, double, double, int, RejectedCandidate>> ranked;
    double chosen_util = 0;
    double removed = 0;
    if (chosen >= 0) {
      removed = state.remove_delta(item, chosen);
      state.remove(item, chosen);
      chosen_util = utilisation_after(item, chosen);
    }
    for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
      if (std::find(in_use.begin(), in_use.end(), static_cast<int>(k)) != in_use.end()) {
        continue;
      }
      const Candidate& c = cls.candidates[k];
      const auto& off = instance.offerings[static_cast<std::size_t>(c.offering)];
      RejectedCandidate r{instance.workloads[w].name, off.id, c.account, "", 0};
      const double delta = state.add_delta(item, static_cast<int>(k));
      const double util = utilisation_after(item, static_cast<int>(k));
      int tier = 0;
      if (std::isinf(delta)) {
        tier = 2;
        if (c.counter >= 0 && state.count(c.counter) >= instance.counters[static_cast<std::size_t>(c.counter)].capacity) {
          r.reason = fmt::format("the account's {} free instance(s) of {} are taken",
                                 instance.counters[static_cast<std::size_t>(c.counter)].capacity, off.id);
        } else if (cls.spread) {
          r.reason = fmt::format("spread: another replica already runs on {}", off.provider);
        } else {
          r.reason = "its free quota is taken by the other workloads and it cannot bill beyond it";
        }
        r.monthly_cost_usd = 0;
      } else {
        const double more = delta + removed;
        r.monthly_cost_usd = c.fixed_cost + std::max(0.0, delta - c.fixed_cost);
        if (more > 1e-9) {
          tier = 1;
          r.reason = fmt::format("costs {:.2f} USD/month more", more);
        } else if (util > chosen_util + 1e-9) {
          r.reason = fmt::format("leaves less headroom: {:.0f}% of its tightest quota used vs {:.0f}%", util * 100,
                                 chosen_util * 100);
        } else {
          r.reason = fmt::format("equal cost and headroom; lower in the tie-break order (model, region, offering, "
                                 "account)");
        }
      }
      ranked.emplace_back(tier, std::isinf(delta) ? 0.0 : delta, util, c.rank, std::move(r));
    }
    if (chosen >= 0) {
      state.add(item, chosen);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a), std::get<3>(a)) <
             std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b), std::get<3>(b));
    });
    int taken = 0;
    for (auto& entry : ranked) {
      if (taken++ >= per_workload) {
        break;
      }
      out.push_back(std::move(std::get<4>(entry)));
    }
    // Then the closest exclusions (quantities first, then engine/model, then manifest filters).
    std::vector<const Exclusion*> excluded;
    for (const auto& e : instance.exclusions) {
      if (e.group == instance.workload_group[w]) {
        excluded.push_back(&e);
      }
    }
    std::stable_sort(excluded.begin(), excluded.end(),
                     [](const Exclusion* a, const Exclusion* b) { return a->severity > b->severity; });
    for (const Exclusion* e : excluded) {
      if (taken++ >= per_workload) {
        break;
      }
      out.push_back(RejectedCandidate{instance.workloads[w].name, e->offering, e->account, e->reason, 0});
    }
  }
  return out;
}

}  // namespace helios::placement
