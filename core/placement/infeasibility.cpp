#include "core/placement/infeasibility.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace helios::placement {

namespace {

std::string quantity(double value, const std::string& dimension, Period period)
{
  return format_amount(Amount{value, period}, dimension_unit(dimension).value_or(UnitKind::count));
}

std::string join(const std::vector<std::string>& list, std::string_view sep)
{
  std::string out;
  for (const auto& s : list) {
    out += (out.empty() ? "" : std::string(sep)) + s;
  }
  return out;
}

}  // namespace

ErrorInfo infeasibility_error(const Instance& instance, const SolveReport& report)
{
  ErrorInfo info;
  info.exit = ExitCode::infeasible;
  info.code = "infeasible";
  nlohmann::json binding = nlohmann::json::array();
  nlohmann::json alternatives = nlohmann::json::array();
  std::vector<std::string> sentences;
  std::set<int> done;
  for (std::size_t i = 0; i < instance.items.size(); ++i) {
    const Item& item = instance.items[i];
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(item.cls)];
    const bool placed = cls.split ? !report.solution.shares[i].empty() : report.solution.choice[i] >= 0;
    if (placed || done.count(item.workload) != 0) {
      continue;
    }
    done.insert(item.workload);
    const WorkloadRef& w = instance.workloads[static_cast<std::size_t>(item.workload)];
    const std::string where = w.regions.empty() ? std::string("any region") : "region " + join(w.regions, ", ");
    std::vector<const Exclusion*> close;
    for (const auto& e : instance.exclusions) {
      if (e.group == instance.workload_group[static_cast<std::size_t>(item.workload)]) {
        close.push_back(&e);
      }
    }
    std::stable_sort(close.begin(), close.end(), [](const Exclusion* a, const Exclusion* b) {
      if (a->severity != b->severity) {
        return a->severity > b->severity;
      }
      return a->available > b->available;
    });
    if (cls.candidates.empty()) {
      const Exclusion* best = close.empty() ? nullptr : close.front();
      if (best != nullptr && best->severity == 3 && !best->dimension.empty()) {
        std::string s = fmt::format("workload {}: no offering in {} has {} of free {} {} left; {} offers {}", w.name,
                                    where, quantity(best->need, best->dimension, best->period),
                                    workload_kind_name(w.kind), best->dimension, best->offering,
                                    quantity(best->available, best->dimension, best->period));
        sentences.push_back(s);
      } else if (best != nullptr) {
        sentences.push_back(fmt::format("workload {}: no {} offering in {} can take it; closest: {} ({})", w.name,
                                        workload_kind_name(w.kind), where, best->offering, best->reason));
      } else {
        sentences.push_back(
          fmt::format("workload {}: the catalog has no {} offering at all", w.name, workload_kind_name(w.kind)));
      }
      binding.push_back({{"workload", w.name}, {"constraint", "no eligible offering"}});
    } else if (cls.split) {
      // The candidates' free room together (each share limited by its tightest dimension).
      double room = 0;
      for (const auto& c : cls.candidates) {
        double r = 1.0;
        for (const auto& u : c.uses) {
          const Pool& p = instance.pools[static_cast<std::size_t>(u.pool)];
          if (u.amount > 0) {
            r = std::min(r, p.capacity / u.amount);
          }
        }
        room += r;
      }
      sentences.push_back(fmt::format("workload {}: the free quotas of its {} candidate offering(s) together cover "
                                      "at most {:.0f}% of its demand on its tightest dimension, and none can bill beyond",
                                      w.name, cls.candidates.size(), std::min(room, 1.0) * 100));
      binding.push_back({{"workload", w.name}, {"constraint", "split demand"}, {"coverage", std::min(room, 1.0)}});
    } else {
      // Candidates exist but the other workloads, the free-instance counts or near/spread leave none.
      std::vector<std::string> pools;
      for (const auto& c : cls.candidates) {
        for (const auto& u : c.uses) {
          const Pool& p = instance.pools[static_cast<std::size_t>(u.pool)];
          if (!p.billable && std::find(pools.begin(), pools.end(), p.key) == pools.end() && pools.size() < 4) {
            pools.push_back(p.key);
            binding.push_back({{"workload", w.name},
                               {"constraint", "pool"},
                               {"pool", p.key},
                               {"free", p.capacity},
                               {"needed", u.amount}});
          }
        }
        if (c.counter >= 0) {
          binding.push_back({{"workload", w.name},
                             {"constraint", "free_instances"},
                             {"offering", instance.offerings[static_cast<std::size_t>(c.offering)].id},
                             {"account", c.account},
                             {"limit", instance.counters[static_cast<std::size_t>(c.counter)].capacity}});
        }
      }
      sentences.push_back(fmt::format(
        "workload {}: its {} candidate offering(s) are taken by the other workloads{}", w.name, cls.candidates.size(),
        pools.empty() ? std::string(" (free-instance counts, near: or spread:)") : " (full: " + join(pools, ", ") + ")"));
    }
    for (std::size_t k = 0; k < close.size() && k < 3; ++k) {
      alternatives.push_back({{"workload", w.name},
                              {"offering", close[k]->offering},
                              {"account", close[k]->account},
                              {"reason", close[k]->reason}});
    }
  }
  if (sentences.empty()) {
    if (report.bound_exceeds_budget || report.cost > instance.budget) {
      sentences.push_back(fmt::format("the cheapest placement {} costs {:.2f} USD/month, over the budget of {:.2f} USD",
                                      report.bound_exceeds_budget ? "provably" : "found", report.lower_bound > instance.budget ? report.lower_bound : report.cost,
                                      instance.budget));
      binding.push_back({{"constraint", "budget"}, {"monthly_usd", instance.budget}});
      info.hint = "raise spec.budget.monthly_usd, relax needs, or add accounts/providers";
    } else {
      sentences.push_back("no placement satisfies near:/spread: and the free-instance counts together");
    }
  }
  info.message = "no feasible placement: " + join(sentences, "; ");
  if (info.hint.empty()) {
    info.hint = "relax the workload's needs or regions, allow more providers, add an account, or raise "
                "spec.budget.monthly_usd (see `helios place --explain`)";
  }
  info.details = {{"binding", binding}, {"alternatives", alternatives}};
  return info;
}

}  // namespace helios::placement
