#include "core/placement/solution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace helios::placement {

namespace {
constexpr double k_inf = std::numeric_limits<double>::infinity();
}

Solution Solution::empty_for(const Instance& instance)
{
  Solution s;
  s.choice.assign(instance.items.size(), -1);
  s.shares.assign(instance.items.size(), {});
  return s;
}

bool within_capacity(double load, double capacity)
{
  return load <= capacity + k_capacity_tolerance * std::max(1.0, std::abs(capacity));
}

double pool_cost(const Pool& pool, double load)
{
  if (within_capacity(load, pool.capacity)) {
    return 0;
  }
  if (!pool.billable) {
    return k_inf;
  }
  return (load - pool.capacity) * pool.price;
}

double pool_utilisation(const Pool& pool, double load)
{
  const double used = load + pool.recorded;
  if (pool.quota <= 0) {
    return used > 0 ? 10.0 : 0.0;
  }
  return std::min(10.0, used / pool.quota);
}

LoadState::LoadState(const Instance& instance)
  : m_instance(instance), m_load(instance.pools.size(), 0.0), m_count(instance.counters.size(), 0),
    m_spread(instance.classes.size())
{
  m_core.reserve(instance.pools.size());
  for (const auto& p : instance.pools) {
    m_core.push_back(PoolCore{p.capacity, p.capacity + k_capacity_tolerance * std::max(1.0, std::abs(p.capacity)),
                              p.price, p.billable});
  }
  for (std::size_t k = 0; k < instance.classes.size(); ++k) {
    if (instance.classes[k].spread) {
      m_spread[k].assign(instance.providers.size(), 0);
    }
  }
}

int LoadState::spread_count(int cls, int provider) const
{
  const auto& s = m_spread[static_cast<std::size_t>(cls)];
  return s.empty() ? 0 : s[static_cast<std::size_t>(provider)];
}

void LoadState::add(int item, int candidate, double weight)
{
  const auto& c = m_instance.candidate(item, candidate);
  for (const auto& u : c.uses) {
    m_load[static_cast<std::size_t>(u.pool)] += u.amount * weight;
  }
  m_fixed += c.fixed_cost * weight;
  if (c.counter >= 0 && !m_instance.classes[static_cast<std::size_t>(m_instance.items[static_cast<std::size_t>(item)].cls)].split) {
    ++m_count[static_cast<std::size_t>(c.counter)];
  }
  auto& s = m_spread[static_cast<std::size_t>(m_instance.items[static_cast<std::size_t>(item)].cls)];
  if (!s.empty()) {
    ++s[static_cast<std::size_t>(c.provider)];
  }
}

void LoadState::remove(int item, int candidate, double weight)
{
  const auto& c = m_instance.candidate(item, candidate);
  for (const auto& u : c.uses) {
    m_load[static_cast<std::size_t>(u.pool)] -= u.amount * weight;
  }
  m_fixed -= c.fixed_cost * weight;
  if (c.counter >= 0 && !m_instance.classes[static_cast<std::size_t>(m_instance.items[static_cast<std::size_t>(item)].cls)].split) {
    --m_count[static_cast<std::size_t>(c.counter)];
  }
  auto& s = m_spread[static_cast<std::size_t>(m_instance.items[static_cast<std::size_t>(item)].cls)];
  if (!s.empty()) {
    --s[static_cast<std::size_t>(c.provider)];
  }
}

double LoadState::add_delta(int item, int candidate, double weight) const
{
  const auto& c = m_instance.candidate(item, candidate);
  const bool split = m_instance.classes[static_cast<std::size_t>(m_instance.items[static_cast<std::size_t>(item)].cls)].split;
  if (c.counter >= 0 && !split &&
      m_count[static_cast<std::size_t>(c.counter)] >= m_instance.counters[static_cast<std::size_t>(c.counter)].capacity) {
    return k_inf;
  }
  const int cls = m_instance.items[static_cast<std::size_t>(item)].cls;
  if (spread_count(cls, c.provider) > 0) {
    return k_inf;
  }
  double delta = c.fixed_cost * weight;
  for (const auto& u : c.uses) {
    const PoolCore& p = m_core[static_cast<std::size_t>(u.pool)];
    const double before = m_load[static_cast<std::size_t>(u.pool)];
    const double after = before + u.amount * weight;
    const double ca = core_cost(p, after);
    if (ca == k_inf) {
      return k_inf;
    }
    delta += ca - core_cost(p, before);
  }
  return delta;
}

double LoadState::remove_delta(int item, int candidate, double weight) const
{
  const auto& c = m_instance.candidate(item, candidate);
  double delta = -c.fixed_cost * weight;
  for (const auto& u : c.uses) {
    const PoolCore& p = m_core[static_cast<std::size_t>(u.pool)];
    const double before = m_load[static_cast<std::size_t>(u.pool)];
    delta += core_cost(p, before - u.amount * weight) - core_cost(p, before);
  }
  return delta;
}

double LoadState::cost() const
{
  double total = m_fixed;
  for (std::size_t p = 0; p < m_load.size(); ++p) {
    total += core_cost(m_core[p], m_load[p]);
  }
  return total;
}

Evaluation evaluate(const Instance& instance, const Solution& solution)
{
  Evaluation ev;
  auto violate = [&](std::string what) {
    if (ev.feasible) {
      ev.feasible = false;
      ev.violation = std::move(what);
    }
  };
  std::vector<double> load(instance.pools.size(), 0.0);
  std::vector<int> count(instance.counters.size(), 0);
  std::vector<char> used(instance.pools.size(), 0);
  double own_max = 0;
  bool any_own = false;
  for (std::size_t i = 0; i < instance.items.size(); ++i) {
    const Item& item = instance.items[i];
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(item.cls)];
    std::vector<Share> parts = solution.shares[i];
    if (!cls.split) {
      if (solution.choice[i] < 0 || solution.choice[i] >= static_cast<int>(cls.candidates.size())) {
        violate(fmt::format("item {} of workload {} is not placed", item.replica,
                            instance.workloads[static_cast<std::size_t>(item.workload)].name));
        continue;
      }
      parts = {Share{solution.choice[i], 1.0}};
    }
    double total = 0;
    for (const auto& part : parts) {
      if (part.weight < -1e-12) {
        violate("negative share");
      }
      total += part.weight;
      const Candidate& c = cls.candidates[static_cast<std::size_t>(part.candidate)];
      for (const auto& u : c.uses) {
        load[static_cast<std::size_t>(u.pool)] += u.amount * part.weight;
        used[static_cast<std::size_t>(u.pool)] = used[static_cast<std::size_t>(u.pool)] || (u.amount * part.weight > 0);
      }
      if (c.counter >= 0 && !cls.split) {
        ++count[static_cast<std::size_t>(c.counter)];
      }
      ev.cost += c.fixed_cost * part.weight;
      if (!c.own.empty() && part.weight > 0) {
        any_own = true;
        own_max = std::max(own_max, c.own_utilisation);
      }
    }
    if (std::abs(total - 1.0) > 1e-6) {
      violate(fmt::format("the shares of workload {} sum to {}", instance.workloads[static_cast<std::size_t>(item.workload)].name,
                          total));
    }
  }
  ev.max_utilisation = any_own ? own_max : 0;
  for (std::size_t p = 0; p < instance.pools.size(); ++p) {
    const double c = pool_cost(instance.pools[p], load[p]);
    if (c == k_inf) {
      violate(fmt::format("pool {} over its free amount and cannot bill", instance.pools[p].key));
      continue;
    }
    ev.cost += c;
    if (used[p]) {
      ev.max_utilisation = std::max(ev.max_utilisation, pool_utilisation(instance.pools[p], load[p]));
    }
  }
  for (std::size_t k = 0; k < instance.counters.size(); ++k) {
    if (count[k] > instance.counters[k].capacity) {
      violate(fmt::format("more than {} free instances of {}", instance.counters[k].capacity,
                          instance.offerings[static_cast<std::size_t>(instance.counters[k].offering)].id));
    }
  }
  for (std::size_t k = 0; k < instance.classes.size(); ++k) {
    const ItemClass& cls = instance.classes[k];
    if (cls.spread) {
      std::vector<int> per(instance.providers.size(), 0);
      for (int i : cls.items) {
        const int ch = solution.choice[static_cast<std::size_t>(i)];
        if (ch >= 0 && ++per[static_cast<std::size_t>(cls.candidates[static_cast<std::size_t>(ch)].provider)] > 1) {
          violate("spread: two replicas on one provider");
        }
      }
    }
    if (cls.near_target >= 0) {
      const ItemClass& target = instance.classes[static_cast<std::size_t>(cls.near_target)];
      for (int i : cls.items) {
        const int ch = solution.choice[static_cast<std::size_t>(i)];
        if (ch < 0) {
          continue;
        }
        bool ok = false;
        for (int t : target.items) {
          const int tc = solution.choice[static_cast<std::size_t>(t)];
          if (tc >= 0 && Instance::near_compatible(cls.candidates[static_cast<std::size_t>(ch)],
                                                   target.candidates[static_cast<std::size_t>(tc)])) {
            ok = true;
            break;
          }
          // A split target (an AI pool): near any offering of its pool.
          for (const auto& share : solution.shares[static_cast<std::size_t>(t)]) {
            ok = ok || (share.weight > 0 &&
                        Instance::near_compatible(cls.candidates[static_cast<std::size_t>(ch)],
                                                  target.candidates[static_cast<std::size_t>(share.candidate)]));
          }
          if (ok) {
            break;
          }
        }
        if (!ok) {
          violate("near: a replica is in no region or provider group of its near workload");
        }
      }
    }
  }
  if (ev.cost > instance.budget + 1e-9) {
    violate(fmt::format("monthly cost {:.2f} USD exceeds the budget of {:.2f} USD", ev.cost, instance.budget));
  }
  ev.min_headroom = 1.0 - ev.max_utilisation;
  return ev;
}

}  // namespace helios::placement
