#pragma once
// A solution of the placement instance (which candidate each item takes; split items: weighted shares),
// the loads it puts on pools and counters, and its evaluation: monthly overage cost, the headroom left on
// the tightest dimension, and whether the instance's constraints hold.

#include <limits>
#include <string>
#include <vector>

#include "core/placement/instance.hpp"

namespace helios::placement {

struct Share {
  int candidate = 0;
  double weight = 1;
};

struct Solution {
  std::vector<int> choice;                 // per item: candidate index; -1 for split items and unassigned ones
  std::vector<std::vector<Share>> shares;  // per item: the shares of a split item (empty otherwise)

  [[nodiscard]] static Solution empty_for(const Instance& instance);
};

// Relative tolerance on capacities (floating-point sums of converted rates).
inline constexpr double k_capacity_tolerance = 1e-9;

// The overage cost of a pool at a load (infinite when over the capacity of a pool that cannot bill).
double pool_cost(const Pool& pool, double load);
// Utilisation of a pool's free amount at a load, recorded usage included (a pool with no free amount: 10).
double pool_utilisation(const Pool& pool, double load);
bool within_capacity(double load, double capacity);

// Loads of pools, counters and spread usage, updated item by item (the heuristic's working state).
class LoadState {
public:
  explicit LoadState(const Instance& instance);
  void add(int item, int candidate, double weight = 1.0);
  void remove(int item, int candidate, double weight = 1.0);
  [[nodiscard]] double load(int pool) const { return m_load[static_cast<std::size_t>(pool)]; }
  [[nodiscard]] int count(int counter) const { return m_count[static_cast<std::size_t>(counter)]; }
  // Items of a spread class on a provider.
  [[nodiscard]] int spread_count(int cls, int provider) const;
  // Monthly cost change if `weight` of the item moved onto the candidate (infinite if it would break a hard
  // capacity, the free-instance count or spread).
  [[nodiscard]] double add_delta(int item, int candidate, double weight = 1.0) const;
  [[nodiscard]] double remove_delta(int item, int candidate, double weight = 1.0) const;
  // Monthly cost of what is placed: pool overage plus the candidates' instance-scoped (fixed) costs, the
  // same terms add_delta and remove_delta count.
  [[nodiscard]] double cost() const;
  [[nodiscard]] const Instance& instance() const { return m_instance; }

private:
  // What add_delta reads of each pool, packed (Pool itself carries strings).
  struct PoolCore {
    double capacity = 0;
    double limit = 0;     // capacity plus the tolerance (within_capacity)
    double price = 0;
    bool billable = false;
  };
  [[nodiscard]] double core_cost(const PoolCore& p, double load) const
  {
    if (load <= p.limit) {
      return 0;
    }
    return p.billable ? (load - p.capacity) * p.price : std::numeric_limits<double>::infinity();
  }

  const Instance& m_instance;
  std::vector<PoolCore> m_core;
  std::vector<double> m_load;
  double m_fixed = 0;  // the fixed costs of the candidates added (times their weights)
  std::vector<int> m_count;
  std::vector<std::vector<int>> m_spread;  // per class (spread only): count per provider
};

struct Evaluation {
  bool feasible = true;
  std::string violation;       // the first constraint found broken
  double cost = 0;             // monthly USD
  double min_headroom = 1;     // 1 - the highest utilisation of any quota in use
  double max_utilisation = 0;
};

Evaluation evaluate(const Instance& instance, const Solution& solution);

}  // namespace helios::placement
