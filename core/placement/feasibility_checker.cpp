#include "core/placement/feasibility_checker.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace helios::placement {

namespace {

bool has(const std::vector<std::string>& list, const std::string& value)
{
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool names(const std::vector<std::string>& list, const Offering& o)
{
  return std::any_of(list.begin(), list.end(), [&](const std::string& e) {
    return e == o.provider || e == o.id || (!o.group.empty() && e == o.group);
  });
}

// A need in a quota's period: rate↔rate by period length, static↔static as is, static↔rate per month.
double in_period(double value, Period from, Period to)
{
  if (from == Period::none && to == Period::none) {
    return value;
  }
  const double f = period_seconds(from == Period::none ? Period::month : from);
  const double t = period_seconds(to == Period::none ? Period::month : to);
  return value * t / f;
}

std::optional<Amount> need_of(const Workload& w, const std::string& dimension, bool sleeps)
{
  for (const auto& n : w.needs) {
    if (n.dimension == dimension) {
      return n.amount;
    }
  }
  static const std::set<std::string> things{"instances", "projects", "databases", "services", "apps", "scripts", "sites"};
  if (things.count(dimension) != 0) {
    return Amount{1, Period::none};
  }
  const bool hours = dimension == "hours" || dimension == "instance_hours" || dimension == "compute_hours";
  if (hours && (w.kind == WorkloadKind::compute || w.kind == WorkloadKind::hosting || w.kind == WorkloadKind::database)) {
    for (const auto& n : w.needs) {
      if (n.dimension == "hours" || n.dimension == "instance_hours" || n.dimension == "compute_hours") {
        return n.amount;
      }
    }
    if (!sleeps) {
      return Amount{720, Period::month};
    }
  }
  return std::nullopt;
}

const OveragePrice* price_of(const Offering& o, const std::string& dimension)
{
  for (const auto& p : o.overage) {
    if (p.dimension == dimension) {
      return &p;
    }
  }
  return nullptr;
}

// Monthly USD of `over` units beyond a quota with period `period`.
double overage_cost(const OveragePrice& p, double over, Period period)
{
  const double unit = p.usd / (p.per > 0 ? p.per : 1);
  if (period != Period::none) {
    return over * unit * period_seconds(Period::month) / period_seconds(period);
  }
  if (p.period == Period::none || p.period == Period::month) {
    return over * unit;
  }
  return over * unit * period_seconds(Period::month) / period_seconds(p.period);
}

struct PoolTally {
  double quota = std::numeric_limits<double>::infinity();
  double load = 0;
  double recorded = 0;
  bool billable = true;
  double price_factor = 0;  // highest monthly cost of one unit over
  const OveragePrice* price = nullptr;
  Period period = Period::none;
};

}  // namespace

FeasibilityReport check_placement(const Stack& stack, const std::vector<Offering>& offerings,
                                  const std::vector<RecordedUsage>& usage, const Placement& placement)
{
  FeasibilityReport report;
  auto violation = [&](std::string text) {
    report.ok = false;
    report.violations.push_back(std::move(text));
  };
  std::map<std::string, const Offering*> by_id;
  for (const auto& o : offerings) {
    by_id[o.id] = &o;
  }
  std::map<std::tuple<std::string, std::string, std::string, std::string, int>, PoolTally> pools;
  std::map<std::pair<std::string, std::string>, int> instances;
  double cost = 0;

  for (const auto& w : stack.workloads) {
    const auto assigned = placement.for_workload(w.name);
    const bool split = w.split && w.kind == WorkloadKind::ai;
    const int replicas = split ? 1 : std::max(1, w.replicas);
    if (assigned.empty()) {
      violation(fmt::format("{}: not placed", w.name));
      continue;
    }
    std::map<int, double> weight_per_replica;
    std::set<std::string> providers;
    const auto& wanted = w.regions.empty() ? stack.regions : w.regions;
    for (const Assignment* a : assigned) {
      weight_per_replica[a->replica] += a->weight;
      if (a->weight < -1e-12 || a->weight > 1 + 1e-9) {
        violation(fmt::format("{}: share {} outside [0, 1]", w.name, a->weight));
      }
      if (!split && std::abs(a->weight - 1) > 1e-9) {
        violation(fmt::format("{}: only split AI workloads may be shared (weight {})", w.name, a->weight));
      }
      auto it = by_id.find(a->offering);
      if (it == by_id.end()) {
        violation(fmt::format("{}: unknown offering {}", w.name, a->offering));
        continue;
      }
      const Offering& o = *it->second;
      if (o.kind != w.kind) {
        violation(fmt::format("{}: {} is a {} offering", w.name, o.id, workload_kind_name(o.kind)));
      }
      if (a->provider != o.provider) {
        violation(fmt::format("{}: provider {} does not match {}", w.name, a->provider, o.id));
      }
      if (names(stack.providers_deny, o) || (!stack.providers_allow.empty() && !names(stack.providers_allow, o)) ||
          names(w.providers_deny, o) || (!w.providers_allow.empty() && !names(w.providers_allow, o))) {
        violation(fmt::format("{}: provider {} is not allowed", w.name, o.provider));
      }
      const bool global = has(o.regions, "global");
      if (!wanted.empty() && !has(wanted, a->region)) {
        violation(fmt::format("{}: region {} is not one of the workload's", w.name, a->region));
      }
      if (!global && !has(o.regions, a->region)) {
        violation(fmt::format("{}: {} does not serve region {}", w.name, o.id, a->region));
      }
      if (w.kind == WorkloadKind::database && !w.engine.empty() && !o.engines.empty() && !has(o.engines, w.engine)) {
        violation(fmt::format("{}: {} offers no {} engine", w.name, o.id, w.engine));
      }
      if (w.kind == WorkloadKind::ai && !w.models.empty() && !has(w.models, o.model.empty() ? o.product : o.model)) {
        violation(fmt::format("{}: {} serves no requested model", w.name, o.id));
      }
      bool account_ok = false;
      bool declared = false;
      for (const auto& acc : stack.accounts) {
        if (acc.provider == o.provider) {
          declared = true;
          account_ok = account_ok || acc.name == a->account;
        }
      }
      if (!declared) {
        account_ok = a->account == "default";
      }
      if (!account_ok) {
        violation(fmt::format("{}: account {} is not declared for {}", w.name, a->account, o.provider));
      }
      for (const auto& l : o.limits) {
        const auto n = need_of(w, l.dimension, o.idle_sleep_minutes > 0);
        if (n && n->period == Period::none && n->value > l.max * (1 + 1e-12)) {
          violation(fmt::format("{}: {} {} over {}'s per-instance limit {}", w.name, l.dimension, n->value, o.id, l.max));
        }
      }
      if (!split && o.free_instances > 0) {
        ++instances[{o.id, a->account}];
      }
      if (w.spread && !split) {
        if (!providers.insert(o.provider).second) {
          violation(fmt::format("{}: spread, but two replicas on {}", w.name, o.provider));
        }
      }
      for (const auto& q : o.free) {
        const auto n = need_of(w, q.dimension, o.idle_sleep_minutes > 0);
        if (!n || n->value <= 0) {
          continue;
        }
        const double demand = in_period(n->value, n->period, q.amount.period) * a->weight;
        const OveragePrice* price = o.hard_cap ? nullptr : price_of(o, q.dimension);
        if (q.scope == Scope::project || q.scope == Scope::instance) {
          if (demand > q.amount.value * a->weight * (1 + 1e-9) + 1e-12) {
            if (price == nullptr || split) {
              violation(fmt::format("{}: {} {} over {}'s {} per instance, which cannot bill", w.name, q.dimension,
                                    demand, o.id, q.amount.value));
            } else {
              cost += overage_cost(*price, demand - q.amount.value, q.amount.period);
            }
          }
          continue;
        }
        const std::string pool = q.pool.empty() ? o.id : q.pool;
        PoolTally& t = pools[{o.provider, a->account, pool, q.dimension, static_cast<int>(q.amount.period)}];
        t.quota = std::min(t.quota, q.amount.value);
        t.load += demand;
        t.period = q.amount.period;
        if (price == nullptr) {
          t.billable = false;
        } else {
          const double factor = overage_cost(*price, 1.0, q.amount.period);
          if (factor >= t.price_factor) {
            t.price_factor = factor;
            t.price = price;
          }
        }
      }
    }
    for (int r = 0; r < replicas; ++r) {
      const auto it = weight_per_replica.find(r);
      if (it == weight_per_replica.end() || std::abs(it->second - 1) > 1e-6) {
        violation(fmt::format("{}: replica {} is placed with total weight {}", w.name, r,
                              it == weight_per_replica.end() ? 0.0 : it->second));
      }
    }
    if (static_cast<int>(weight_per_replica.size()) != replicas) {
      violation(fmt::format("{}: {} replicas placed, {} expected", w.name, weight_per_replica.size(), replicas));
    }
  }
  // Near: each replica shares a provider group or a served region with some replica of the other workload.
  for (const auto& w : stack.workloads) {
    if (w.near.empty()) {
      continue;
    }
    const Workload* target = nullptr;
    for (const auto& other : stack.workloads) {
      if (other.name == w.near) {
        target = &other;
      }
    }
    if (target == nullptr) {
      violation(fmt::format("{}: near {} which does not exist", w.name, w.near));
      continue;
    }
    auto served = [&](const Workload& wl, const Offering& o) {
      const auto& wanted = wl.regions.empty() ? stack.regions : wl.regions;
      std::vector<std::string> out;
      if (wanted.empty()) {
        return o.regions;
      }
      for (const auto& r : wanted) {
        if (has(o.regions, r) || has(o.regions, "global")) {
          out.push_back(r);
        }
      }
      return out;
    };
    for (const Assignment* a : placement.for_workload(w.name)) {
      bool ok = false;
      for (const Assignment* b : placement.for_workload(target->name)) {
        auto ia = by_id.find(a->offering);
        auto ib = by_id.find(b->offering);
        if (ia == by_id.end() || ib == by_id.end()) {
          continue;
        }
        const Offering& oa = *ia->second;
        const Offering& ob = *ib->second;
        const std::string ga = oa.group.empty() ? oa.provider : oa.group;
        const std::string gb = ob.group.empty() ? ob.provider : ob.group;
        if (ga == gb) {
          ok = true;
        }
        const auto sa = served(w, oa);
        const auto sb = served(*target, ob);
        if (has(sa, "global") || has(sb, "global")) {
          ok = true;
        }
        for (const auto& r : served(w, oa)) {
          ok = ok || has(served(*target, ob), r);
        }
      }
      if (!ok) {
        violation(fmt::format("{}: replica {} is not near {}", w.name, a->replica, w.near));
      }
    }
  }
  for (const auto& [key, count] : instances) {
    const Offering& o = *by_id.at(key.first);
    if (count > o.free_instances) {
      violation(fmt::format("{} free instances of {} under account {}; {} allowed", count, o.id, key.second,
                            o.free_instances));
    }
  }
  for (auto& [key, t] : pools) {
    const auto& [provider, account, pool, dimension, period] = key;
    double same = 0;
    bool has_same = false;
    double other = 0;
    for (const auto& u : usage) {
      if (u.provider == provider && u.account == account && u.pool == pool && u.dimension == dimension) {
        if (u.period == static_cast<Period>(period)) {
          same += u.used;
          has_same = true;
        } else {
          other = std::max(other, in_period(u.used, u.period, static_cast<Period>(period)));
        }
      }
    }
    t.recorded = has_same ? same : other;
    const double capacity = std::max(0.0, t.quota - t.recorded);
    if (t.load > capacity + 1e-9 * std::max(1.0, capacity)) {
      if (!t.billable || t.price == nullptr) {
        violation(fmt::format("pool {}/{}/{}/{}: {} placed over {} free, and it cannot bill", provider, account, pool,
                              dimension, t.load, capacity));
      } else {
        cost += (t.load - capacity) * t.price_factor;
      }
    }
  }
  report.cost_usd = cost;
  if (std::abs(cost - placement.cost_usd) > 1e-6 * std::max(1.0, cost)) {
    violation(fmt::format("reported cost {:.6f} USD, recomputed {:.6f} USD", placement.cost_usd, cost));
  }
  if (cost > stack.budget_monthly_usd + 1e-9) {
    violation(fmt::format("cost {:.2f} USD over the budget of {:.2f} USD", cost, stack.budget_monthly_usd));
  }
  if (placement.lower_bound_usd > placement.cost_usd + 1e-6 * std::max(1.0, placement.cost_usd)) {
    violation("the lower bound is above the cost");
  }
  return report;
}

}  // namespace helios::placement
