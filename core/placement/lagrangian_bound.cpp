#include "core/placement/lagrangian_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace helios::placement {

namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();

// The component flattened for the inner minimisation. Resources are its pools (renumbered locally) then its
// free-instance counters; every pool row is divided by a power of two near its largest coefficient, as in
// the MILP, so that the steps see comparable units (the division is exact).
struct Relaxation {
  struct Term {
    int resource = 0;
    double amount = 0;
  };
  struct Cand {
    double fixed = 0;
    std::size_t begin = 0;  // into terms
    std::size_t end = 0;
  };
  struct Cls {
    int instance_class = 0;
    double count = 0;
    std::size_t begin = 0;  // into cands
    std::size_t end = 0;
  };
  std::vector<Term> terms;
  std::vector<Cand> cands;
  std::vector<Cls> classes;
  std::size_t pools = 0;
  std::vector<double> capacity;   // per resource (pools scaled)
  std::vector<double> upper;      // per resource: the largest multiplier (a pool's scaled price, or ∞)
  std::vector<double> tolerance;  // per resource: the capacity tolerance the checker allows (pools, scaled)
  std::vector<char> billable;
};

// A pool's index within the component (its pools are ascending; no instance-sized table per component).
int local_pool(const Component& comp, int pool)
{
  return static_cast<int>(std::lower_bound(comp.pools.begin(), comp.pools.end(), pool) - comp.pools.begin());
}

Relaxation relax(const Instance& inst, const Component& comp)
{
  Relaxation r;
  r.pools = comp.pools.size();
  std::vector<double> largest(comp.pools.size(), 0.0);
  std::vector<int> counters;
  for (int k : comp.classes) {
    const ItemClass& cls = inst.classes[static_cast<std::size_t>(k)];
    for (const auto& c : cls.candidates) {
      for (const auto& u : c.uses) {
        double& l = largest[static_cast<std::size_t>(local_pool(comp, u.pool))];
        l = std::max(l, std::abs(u.amount));
      }
      if (c.counter >= 0 && !cls.split) {
        counters.push_back(c.counter);
      }
    }
  }
  std::sort(counters.begin(), counters.end());
  counters.erase(std::unique(counters.begin(), counters.end()), counters.end());
  std::vector<double> scale(comp.pools.size(), 1.0);
  for (std::size_t i = 0; i < comp.pools.size(); ++i) {
    const Pool& pool = inst.pools[static_cast<std::size_t>(comp.pools[i])];
    scale[i] = largest[i] > 0 ? std::exp2(std::round(std::log2(largest[i]))) : 1.0;
    r.capacity.push_back(pool.capacity / scale[i]);
    r.upper.push_back(pool.billable ? pool.price * scale[i] : k_inf);
    r.tolerance.push_back(k_capacity_tolerance * std::max(1.0, std::abs(pool.capacity)) / scale[i]);
    r.billable.push_back(pool.billable ? 1 : 0);
  }
  for (int q : counters) {
    r.capacity.push_back(inst.counters[static_cast<std::size_t>(q)].capacity);
    r.upper.push_back(k_inf);
    r.tolerance.push_back(0);
    r.billable.push_back(0);
  }
  for (int k : comp.classes) {
    const ItemClass& cls = inst.classes[static_cast<std::size_t>(k)];
    Relaxation::Cls rc;
    rc.instance_class = k;
    rc.count = cls.split ? 1.0 : static_cast<double>(cls.items.size());
    rc.begin = r.cands.size();
    for (const auto& c : cls.candidates) {
      Relaxation::Cand cand;
      cand.fixed = c.fixed_cost;
      cand.begin = r.terms.size();
      for (const auto& u : c.uses) {
        const int p = local_pool(comp, u.pool);
        r.terms.push_back({p, u.amount / scale[static_cast<std::size_t>(p)]});
      }
      if (c.counter >= 0 && !cls.split) {
        const auto q = std::lower_bound(counters.begin(), counters.end(), c.counter) - counters.begin();
        r.terms.push_back({static_cast<int>(r.pools + static_cast<std::size_t>(q)), 1.0});
      }
      cand.end = r.terms.size();
      r.cands.push_back(cand);
    }
    rc.end = r.cands.size();
    r.classes.push_back(rc);
  }
  return r;
}

double reduced_cost(const Relaxation& r, const Relaxation::Cand& cand, const std::vector<double>& y)
{
  double reduced = cand.fixed;
  for (std::size_t t = cand.begin; t < cand.end; ++t) {
    reduced += y[static_cast<std::size_t>(r.terms[t].resource)] * r.terms[t].amount;
  }
  return reduced;
}

struct Value {
  double bound = 0;      // L(y) minus the capacity tolerance and the floating-point margin
  double raw = 0;        // L(y)
};

// L at the multipliers y; fills the subgradient g (row activity of the minimising candidates minus capacity).
Value evaluate_dual(const Relaxation& r, const std::vector<double>& y, std::vector<double>& g)
{
  double sum = 0;
  double magnitude = 0;
  std::fill(g.begin(), g.end(), 0.0);
  for (const auto& cls : r.classes) {
    if (cls.end == cls.begin) {
      continue;  // a class with no candidate makes the component infeasible: it adds nothing
    }
    double best = k_inf;
    std::size_t arg = cls.begin;
    for (std::size_t c = cls.begin; c < cls.end; ++c) {
      const double reduced = reduced_cost(r, r.cands[c], y);
      if (reduced < best) {
        best = reduced;
        arg = c;
      }
    }
    sum += cls.count * best;
    magnitude += cls.count * std::abs(best);
    const auto& cand = r.cands[arg];
    for (std::size_t t = cand.begin; t < cand.end; ++t) {
      g[static_cast<std::size_t>(r.terms[t].resource)] += cls.count * r.terms[t].amount;
    }
  }
  double slack = 0;  // what the checker's capacity tolerance could hide: Σ λ_p · tolerance_p
  for (std::size_t j = 0; j < y.size(); ++j) {
    sum -= y[j] * r.capacity[j];
    magnitude += y[j] * r.capacity[j];
    slack += y[j] * r.tolerance[j];
    g[j] -= r.capacity[j];
  }
  Value v;
  v.raw = sum;
  // Rounding in sums of at most a few million non-negative terms stays far below 1e-8 of their magnitude.
  v.bound = sum - slack - 1e-8 * magnitude;
  return v;
}

// Multipliers read off a feasible placement: a pool it overflows is worth its price (its marginal cost);
// every other resource is priced as a fractional knapsack of the savings it offers: each class bids, per
// candidate, what its items would save there against their cheapest place that draws only on overflowing
// pools, on the candidate's binding resource (the one that holds the fewest such items). Any multipliers
// give a valid bound; these are a good start for the subgradient steps.
std::vector<double> primal_multipliers(const Relaxation& r, const Instance& inst, const Solution& sol)
{
  const std::size_t n = r.capacity.size();
  std::vector<double> y(n, 0.0);
  std::vector<double> load(n, 0.0);
  std::vector<double> placed(r.cands.size(), 0.0);  // items per candidate of the relaxation
  for (const auto& cls : r.classes) {
    const ItemClass& ic = inst.classes[static_cast<std::size_t>(cls.instance_class)];
    for (int i : ic.items) {
      if (ic.split) {
        for (const auto& s : sol.shares[static_cast<std::size_t>(i)]) {
          placed[cls.begin + static_cast<std::size_t>(s.candidate)] += s.weight;
        }
      } else if (sol.choice[static_cast<std::size_t>(i)] >= 0) {
        placed[cls.begin + static_cast<std::size_t>(sol.choice[static_cast<std::size_t>(i)])] += 1.0;
      }
    }
    for (std::size_t c = cls.begin; c < cls.end; ++c) {
      for (std::size_t t = r.cands[c].begin; t < r.cands[c].end; ++t) {
        load[static_cast<std::size_t>(r.terms[t].resource)] += placed[c] * r.terms[t].amount;
      }
    }
  }
  std::vector<char> open(n, 0);  // overflowing: priced at its price
  for (std::size_t j = 0; j < n; ++j) {
    if (r.billable[j] && load[j] > r.capacity[j] + r.tolerance[j]) {
      y[j] = r.upper[j];
      open[j] = 1;
    }
  }
  struct Bid {
    double density = 0;  // saving per unit of the resource
    double weight = 0;   // the class's demand on it
  };
  std::vector<std::vector<Bid>> bids(n);
  for (const auto& cls : r.classes) {
    double alternative = k_inf;
    for (std::size_t c = cls.begin; c < cls.end; ++c) {
      bool only_open = true;
      for (std::size_t t = r.cands[c].begin; t < r.cands[c].end && only_open; ++t) {
        only_open = open[static_cast<std::size_t>(r.terms[t].resource)] != 0 || r.terms[t].amount <= 0;
      }
      if (only_open) {
        alternative = std::min(alternative, reduced_cost(r, r.cands[c], y));
      }
    }
    if (!std::isfinite(alternative)) {
      continue;
    }
    for (std::size_t c = cls.begin; c < cls.end; ++c) {
      const double saving = alternative - reduced_cost(r, r.cands[c], y);
      if (!(saving > 0)) {
        continue;  // an item of this class has nothing to gain here
      }
      // The saving is charged to the resource that holds the fewest such items (its binding one).
      std::size_t binding = n;
      double fits = k_inf;
      double amount = 0;
      for (std::size_t t = r.cands[c].begin; t < r.cands[c].end; ++t) {
        const auto j = static_cast<std::size_t>(r.terms[t].resource);
        if (open[j] || r.terms[t].amount <= 0) {
          continue;
        }
        const double f = r.capacity[j] / r.terms[t].amount;
        if (f < fits) {
          fits = f;
          binding = j;
          amount = r.terms[t].amount;
        }
      }
      if (binding < n) {
        bids[binding].push_back({saving / amount, cls.count * amount});
      }
    }
  }
  // Each resource alone, as a fractional knapsack: the highest savings per unit take its capacity; its
  // price is the saving per unit of the first bid left out (0 when every bid fits).
  for (std::size_t j = 0; j < n; ++j) {
    auto& list = bids[j];
    std::stable_sort(list.begin(), list.end(), [](const Bid& a, const Bid& b) { return a.density > b.density; });
    double taken = 0;
    for (const auto& bid : list) {
      taken += bid.weight;
      if (taken > r.capacity[j] + r.tolerance[j]) {
        y[j] = std::min(bid.density, r.upper[j]);
        break;
      }
    }
  }
  return y;
}

// Block-coordinate ascent, Gauss-Seidel: each resource's multiplier in turn set to the maximiser of L along
// it with the others fixed — a fractional knapsack of the savings the classes would make there against
// their best place off it (a class with several places on the resource counts its cheapest). Stops after
// `sweeps` sweeps or once `budget` candidate visits are spent.
void coordinate_ascent(const Relaxation& r, std::vector<double>& y, int sweeps, long long budget)
{
  const std::size_t n = y.size();
  // resource → (class, candidate, amount)
  struct Touch {
    std::size_t cls = 0;
    std::size_t cand = 0;
    double amount = 0;
  };
  std::vector<std::vector<Touch>> touches(n);
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    for (std::size_t c = r.classes[k].begin; c < r.classes[k].end; ++c) {
      for (std::size_t t = r.cands[c].begin; t < r.cands[c].end; ++t) {
        if (r.terms[t].amount > 0) {
          touches[static_cast<std::size_t>(r.terms[t].resource)].push_back({k, c, r.terms[t].amount});
        }
      }
    }
  }
  std::vector<double> rc(r.cands.size());
  for (std::size_t c = 0; c < r.cands.size(); ++c) {
    rc[c] = reduced_cost(r, r.cands[c], y);
  }
  std::vector<char> on_j(r.cands.size(), 0);
  struct Bid {
    double until = 0;  // the multiplier up to which the class takes this resource
    double weight = 0;
  };
  std::vector<Bid> bids;
  long long work = 0;
  for (int sweep = 0; sweep < sweeps && work < budget; ++sweep) {
    for (std::size_t j = 0; j < n && work < budget; ++j) {
      const auto& list = touches[j];
      if (list.empty()) {
        continue;
      }
      for (const auto& tc : list) {
        on_j[tc.cand] = 1;
      }
      bids.clear();
      // Per class touching j (the list is grouped by class): its cheapest line on j and best place off j.
      for (std::size_t i = 0; i < list.size();) {
        const std::size_t k = list[i].cls;
        double base = k_inf;  // reduced cost without j's term, cheapest line
        double amount = 0;
        for (; i < list.size() && list[i].cls == k; ++i) {
          const double b = rc[list[i].cand] - y[j] * list[i].amount;
          if (b < base || (b == base && list[i].amount < amount)) {
            base = b;
            amount = list[i].amount;
          }
        }
        double off = k_inf;
        for (std::size_t c = r.classes[k].begin; c < r.classes[k].end; ++c) {
          if (!on_j[c]) {
            off = std::min(off, rc[c]);
          }
        }
        work += static_cast<long long>(r.classes[k].end - r.classes[k].begin);
        const double until = std::isfinite(off) ? (off - base) / amount : k_inf;
        if (until > 0) {
          bids.push_back({until, r.classes[k].count * amount});
        }
      }
      for (const auto& tc : list) {
        on_j[tc.cand] = 0;
      }
      // L along y_j has slope Σ{weight of bids with until > y_j} − capacity: its maximiser is the `until` of
      // the bid that makes the taken weight exceed the capacity (0 when all fit).
      std::sort(bids.begin(), bids.end(), [](const Bid& a, const Bid& b) { return a.until > b.until; });
      double value = 0;
      double taken = 0;
      for (const auto& bid : bids) {
        taken += bid.weight;
        if (taken > r.capacity[j] + r.tolerance[j]) {
          value = bid.until;
          break;
        }
      }
      value = std::min(value, r.upper[j]);
      if (!std::isfinite(value)) {
        value = y[j];  // classes with no place off j overfill it: no finite maximiser, keep the multiplier
      }
      if (value != y[j]) {
        for (const auto& tc : list) {
          rc[tc.cand] += (value - y[j]) * tc.amount;
        }
        y[j] = value;
      }
    }
  }
}

}  // namespace

double cheapest_cost_bound(const Instance& instance, const Component& component)
{
  double bound = 0;
  for (int k : component.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    double cheapest = cls.candidates.empty() ? 0.0 : cls.candidates.front().fixed_cost;
    for (const auto& c : cls.candidates) {
      cheapest = std::min(cheapest, c.fixed_cost);
    }
    bound += cheapest * static_cast<double>(cls.items.size());
  }
  return bound;
}

double lagrangian_bound(const Instance& instance, const Component& component, double upper_bound,
                        const Solution& solution, const LagrangianOptions& options)
{
  const Relaxation r = relax(instance, component);
  const std::size_t n = r.capacity.size();
  std::vector<double> g(n);
  // Starts: the multipliers read off the placement, scaled by 1, 1/2, 1/4, 1/8 (where classes bid on many
  // resources, the full prices overshoot), and zero; the best is improved by coordinate ascent, then by
  // the subgradient steps.
  const std::vector<double> primal = primal_multipliers(r, instance, solution);
  std::vector<double> y(n, 0.0);
  double start_value = evaluate_dual(r, y, g).raw;
  for (double scale : {1.0, 0.5, 0.25, 0.125}) {
    std::vector<double> scaled = primal;
    for (std::size_t j = 0; j < n; ++j) {
      if (scaled[j] < r.upper[j]) {
        scaled[j] *= scale;  // overflowing pools stay at their price
      }
    }
    const double value = evaluate_dual(r, scaled, g).raw;
    if (value > start_value) {
      start_value = value;
      y = std::move(scaled);
    }
  }
  coordinate_ascent(r, y, options.sweeps, options.work_budget / 2);
  long long work = 0;
  for (const auto& c : r.cands) {
    work += 1 + static_cast<long long>(c.end - c.begin);
  }
  const int iterations = static_cast<int>(std::clamp<long long>(options.work_budget / 2 / std::max(1LL, work),
                                                                options.min_iterations, options.max_iterations));
  const double target = upper_bound;
  const double closed_at = target - 1e-7 * std::max(1.0, std::abs(target));
  double best = 0;  // y = 0 gives the cheapest fixed cost per item: never negative
  double best_raw = -k_inf;
  std::vector<double> best_y = y;
  double theta = options.initial_step;
  int stalled = 0;
  for (int it = 0; it < iterations; ++it) {
    const Value v = evaluate_dual(r, y, g);
    best = std::max(best, v.bound);
    if (v.raw > best_raw + 1e-9 * std::max(1.0, std::abs(best_raw))) {
      best_raw = v.raw;
      best_y = y;
      stalled = 0;
    } else if (++stalled >= options.patience) {
      theta /= 2;
      stalled = 0;
      y = best_y;  // go on from the best multipliers with shorter steps
      continue;
    }
    if (best >= closed_at || theta < 1e-4) {
      break;
    }
    // Projected subgradient: coordinates held at a bound by their sign do not move.
    double norm = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if ((y[j] <= 0 && g[j] < 0) || (y[j] >= r.upper[j] && g[j] > 0)) {
        g[j] = 0;
      } else {
        norm += g[j] * g[j];
      }
    }
    if (norm <= 0) {
      break;  // a zero subgradient: these multipliers maximise the relaxation
    }
    const double step = theta * std::max(target - v.raw, 1e-9 * std::max(1.0, std::abs(target))) / norm;
    for (std::size_t j = 0; j < n; ++j) {
      y[j] = std::clamp(y[j] + step * g[j], 0.0, r.upper[j]);
    }
  }
  return std::max(0.0, best);
}

}  // namespace helios::placement
