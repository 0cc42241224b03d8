#include "core/placement/heuristic.hpp"

#include "core/placement/cbc_solver.hpp"
#include "core/placement/milp_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <tuple>

namespace helios::placement {

namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();
constexpr double k_eps = 1e-9;
constexpr int k_not_target = std::numeric_limits<int>::max();
// The record-to-record thresholds of the trajectories after the first (which uses the options'): wider
// and narrower searches (a narrow one converges within a small budget, a wide one leaves deeper plateaus).
constexpr std::array<double, 3> k_other_thresholds{0.05, 0.1, 0.01};

class Search {
public:
  Search(const Instance& instance, Solution& solution, const HeuristicOptions& options)
    : m_inst(instance), m_sol(solution), m_opt(options), m_state(instance), m_dependents(instance.classes.size()),
      m_supports(instance.classes.size())
  {
    for (std::size_t k = 0; k < m_inst.classes.size(); ++k) {
      if (m_inst.classes[k].near_target >= 0) {
        m_dependents[static_cast<std::size_t>(m_inst.classes[k].near_target)].push_back(static_cast<int>(k));
      }
    }
    m_slot_items.resize(static_cast<std::size_t>(m_inst.slots));
    for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
      if (m_sol.choice[i] >= 0) {
        place(static_cast<int>(i), m_sol.choice[i]);
      }
      for (const auto& s : m_sol.shares[i]) {
        m_state.add(static_cast<int>(i), s.candidate, s.weight);
      }
    }
  }

  void construct();
  std::vector<char> priority;  // items to place first (restarts after items were left out)
  void repair();
  // An item's `near:` family re-placed, root first (see the definition): to place an item left out
  // (repairing), or to lower the cost.
  bool replace_near_family(int item, bool repairing);
  // Paying items in a `near:` relation: their family re-placed when that is cheaper (one item moves alone
  // only where the others stay near it; moving together can save more).
  void near_moves();
  // Split shares as one LP over every split item, the other items' loads fixed (exact for the shares).
  bool solve_splits();
  // The split LP's assignment rows and pool terms: a lower bound of its non-zeros.
  std::size_t split_lp_least_nonzeros() const;
  // Moves of items that share pools with split items, each judged with the split shares re-solved.
  void split_aware_moves();
  void restore_splits(const Solution& saved);
  void fill_split(int item);
  void local_search();
  void ejections();
  void ruin_recreate();
  // Puts every item back on the candidate `choices` names (split items are not touched).
  void restore_choices(const std::vector<int>& choices);
  void headroom();
  void tie_break();

private:
  const ItemClass& cls_of(int item) const
  {
    return m_inst.classes[static_cast<std::size_t>(m_inst.items[static_cast<std::size_t>(item)].cls)];
  }
  const Candidate& cand(int item, int k) const { return m_inst.candidate(item, k); }
  int choice(int item) const { return m_sol.choice[static_cast<std::size_t>(item)]; }

  void place(int item, int k)
  {
    m_sol.choice[static_cast<std::size_t>(item)] = k;
    m_state.add(item, k);
    m_slot_items[static_cast<std::size_t>(cand(item, k).slot)].push_back(item);
  }
  void unplace(int item)
  {
    const int k = choice(item);
    m_state.remove(item, k);
    auto& list = m_slot_items[static_cast<std::size_t>(cand(item, k).slot)];
    list.erase(std::find(list.begin(), list.end(), item));
    m_sol.choice[static_cast<std::size_t>(item)] = -1;
  }

  // `near:` holds for the item on candidate k (against the target's placed items), and moving it there
  // keeps every dependent item near some item of its class.
  bool near_ok(int item, int k) const;
  // The highest utilisation among the pools the candidate touches, were the item added there.
  double util_after_add(int item, int k, double weight = 1.0) const
  {
    const Candidate& c = cand(item, k);
    double u = c.own.empty() ? 0.0 : c.own_utilisation;
    for (const auto& use : c.uses) {
      const Pool& p = m_inst.pools[static_cast<std::size_t>(use.pool)];
      u = std::max(u, pool_utilisation(p, m_state.load(use.pool) + use.amount * weight));
    }
    return u;
  }
  double util_now(int k_item, int k) const
  {
    const Candidate& c = cand(k_item, k);
    double u = 0;
    for (const auto& use : c.uses) {
      u = std::max(u, pool_utilisation(m_inst.pools[static_cast<std::size_t>(use.pool)], m_state.load(use.pool)));
    }
    return u;
  }
  double max_utilisation() const
  {
    double u = 0;
    for (std::size_t p = 0; p < m_inst.pools.size(); ++p) {
      if (m_state.load(static_cast<int>(p)) > 0) {
        u = std::max(u, pool_utilisation(m_inst.pools[p], m_state.load(static_cast<int>(p))));
      }
    }
    for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
      if (m_sol.choice[i] >= 0 && !cand(static_cast<int>(i), m_sol.choice[i]).own.empty()) {
        u = std::max(u, cand(static_cast<int>(i), m_sol.choice[i]).own_utilisation);
      }
    }
    return u;
  }

  struct Best {
    int k = -1;
    double delta = k_inf;
    double util = k_inf;
    int rank = 0;
  };
  static bool better(double delta, double util, int rank, const Best& b)
  {
    if (delta < b.delta - k_eps) {
      return true;
    }
    if (delta > b.delta + k_eps) {
      return false;
    }
    if (util < b.util - k_eps) {
      return true;
    }
    if (util > b.util + k_eps) {
      return false;
    }
    return rank < b.rank;
  }
  // Best and second-best candidates for an unplaced item; among equal costs the emptiest candidate first,
  // or with `pack` the fullest (which leaves whole free quotas for large items).
  std::pair<Best, Best> best_two(int item, bool need_second = true, bool pack = false) const;
  // For an item others must be near: whether candidate k leaves every dependent class enough compatible
  // candidates (distinct providers for spread classes).
  bool supports_dependents(int item, int k) const;
  bool compute_supports(int item, int k) const;
  // Per class: how many `near:` hops lead from it to a class near nothing (0 for those).
  std::vector<int> near_depths() const;

  const Instance& m_inst;
  Solution& m_sol;
  const HeuristicOptions& m_opt;
  LoadState m_state;
  std::vector<std::vector<int>> m_dependents;
  mutable std::vector<std::vector<signed char>> m_supports;  // per class, per candidate: supports_dependents or -1
  std::vector<std::vector<int>> m_slot_items;
  long long m_evaluations = 0;
  long long m_ejections = 0;
  long long m_version = 1;                          // bumped whenever local search changes the solution
  std::vector<std::vector<long long>> m_no_move;      // per class, per candidate: version at which no move was found
  std::vector<std::vector<long long>> m_no_ejection;  // the same for ejections
  // The entry of (the item's class, candidate k) in m_no_move or m_no_ejection, the class's row made on first use.
  long long& stamp_of(std::vector<std::vector<long long>>& table, int item, int k)
  {
    auto& row = table[static_cast<std::size_t>(m_inst.items[static_cast<std::size_t>(item)].cls)];
    if (row.empty()) {
      row.assign(cls_of(item).candidates.size(), 0);
    }
    return row[static_cast<std::size_t>(k)];
  }
  long long m_split_work = 0;  // non-zeros of the split LPs solved so far
  bool m_split_lp_too_large = false;  // the split LP exceeds split_lp_nonzeros (known before building it)
};

bool Search::near_ok(int item, int k) const
{
  const ItemClass& cls = cls_of(item);
  const Candidate& c = cls.candidates[static_cast<std::size_t>(k)];
  if (cls.near_target >= 0) {
    const ItemClass& target = m_inst.classes[static_cast<std::size_t>(cls.near_target)];
    bool any_placed = false;
    bool ok = false;
    for (int t : target.items) {
      const int tc = choice(t);
      if (tc >= 0) {
        any_placed = true;
        if (Instance::near_compatible(c, target.candidates[static_cast<std::size_t>(tc)])) {
          ok = true;
          break;
        }
      }
      // A split target (an AI pool): near any offering of its pool (its shares are solved after the
      // construction, with a row per dependent item placed: solve_splits).
      for (const auto& share : m_sol.shares[static_cast<std::size_t>(t)]) {
        any_placed = true;
        ok = ok || Instance::near_compatible(c, target.candidates[static_cast<std::size_t>(share.candidate)]);
      }
      if (ok) {
        break;
      }
    }
    if (!any_placed && target.split) {
      // Shares not solved yet: some candidate of the pool must be near this one.
      ok = std::any_of(target.candidates.begin(), target.candidates.end(),
                       [&](const Candidate& tc) { return Instance::near_compatible(c, tc); });
      any_placed = true;
    }
    if (any_placed && !ok) {
      return false;
    }
  }
  const int my_cls = m_inst.items[static_cast<std::size_t>(item)].cls;
  for (int d : m_dependents[static_cast<std::size_t>(my_cls)]) {
    const ItemClass& dep = m_inst.classes[static_cast<std::size_t>(d)];
    for (int di : dep.items) {
      const int dc = choice(di);
      if (dc < 0) {
        continue;
      }
      bool ok = false;
      for (int t : cls.items) {
        const int tc = t == item ? k : choice(t);
        if (tc >= 0 && Instance::near_compatible(dep.candidates[static_cast<std::size_t>(dc)],
                                                 cls.candidates[static_cast<std::size_t>(tc)])) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        return false;
      }
    }
  }
  return true;
}

bool Search::supports_dependents(int item, int k) const
{
  // It depends on the class and the candidate only: computed once per pair.
  const int my_cls = m_inst.items[static_cast<std::size_t>(item)].cls;
  if (m_dependents[static_cast<std::size_t>(my_cls)].empty()) {
    return true;
  }
  auto& memo = m_supports[static_cast<std::size_t>(my_cls)];
  if (memo.empty()) {
    memo.assign(cls_of(item).candidates.size(), -1);
  }
  signed char& known = memo[static_cast<std::size_t>(k)];
  if (known < 0) {
    known = compute_supports(item, k) ? 1 : 0;
  }
  return known != 0;
}

bool Search::compute_supports(int item, int k) const
{
  const int my_cls = m_inst.items[static_cast<std::size_t>(item)].cls;
  const Candidate& c = cand(item, k);
  for (int d : m_dependents[static_cast<std::size_t>(my_cls)]) {
    const ItemClass& dep = m_inst.classes[static_cast<std::size_t>(d)];
    std::vector<int> providers;
    for (const auto& dc : dep.candidates) {
      if (Instance::near_compatible(dc, c) && std::find(providers.begin(), providers.end(), dc.provider) == providers.end()) {
        providers.push_back(dc.provider);
      }
    }
    const std::size_t needed = dep.spread ? dep.items.size() : 1;
    if (providers.size() < needed) {
      return false;
    }
  }
  return true;
}

std::pair<Search::Best, Search::Best> Search::best_two(int item, bool need_second, bool pack) const
{
  Best first;
  Best second;
  const ItemClass& cls = cls_of(item);
  for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
    const double delta = m_state.add_delta(item, static_cast<int>(k));
    // A candidate dearer than the second best cannot enter the top two: skip the rest of its evaluation.
    if (delta == k_inf || delta > (need_second ? second.delta : first.delta) + k_eps ||
        !near_ok(item, static_cast<int>(k))) {
      continue;
    }
    double util = pack ? -util_after_add(item, static_cast<int>(k)) : util_after_add(item, static_cast<int>(k));
    const int rank = cls.candidates[k].rank;
    if (!supports_dependents(item, static_cast<int>(k))) {
      util += 1000;  // any candidate that keeps the dependents placeable comes first
    }
    if (better(delta, util, rank, first)) {
      second = first;
      first = Best{static_cast<int>(k), delta, util, rank};
    } else if (better(delta, util, rank, second)) {
      second = Best{static_cast<int>(k), delta, util, rank};
    }
  }
  return {first, second};
}

void Search::construct()
{
  // Order: near targets first (a target before the targets near it: `near:` chains), then fewest
  // candidates, then the largest demand relative to free amounts.
  std::vector<int> order;
  std::vector<double> size(m_inst.items.size(), 0.0);
  std::vector<char> is_target(m_inst.classes.size(), 0);
  for (const auto& c : m_inst.classes) {
    if (c.near_target >= 0) {
      is_target[static_cast<std::size_t>(c.near_target)] = 1;
    }
  }
  const std::vector<int> depth = near_depths();
  for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
    const ItemClass& cls = cls_of(static_cast<int>(i));
    if (cls.split || m_sol.choice[i] >= 0) {
      continue;
    }
    double s = 0;
    for (const auto& c : cls.candidates) {
      double m = 0;
      for (const auto& u : c.uses) {
        const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
        m = std::max(m, p.quota > 0 ? u.amount / p.quota : 1.0);
      }
      s = std::max(s, m);
    }
    size[i] = s;
    order.push_back(static_cast<int>(i));
  }
  auto key = [&](int i) {
    const auto& item = m_inst.items[static_cast<std::size_t>(i)];
    const ItemClass& cls = m_inst.classes[static_cast<std::size_t>(item.cls)];
    const bool first = !priority.empty() && priority[static_cast<std::size_t>(i)] != 0;
    const int target_rank = is_target[static_cast<std::size_t>(item.cls)] ? depth[static_cast<std::size_t>(item.cls)] : k_not_target;
    return std::make_tuple(target_rank, first ? 0 : 1,
                           static_cast<int>(cls.candidates.size()), -size[static_cast<std::size_t>(i)], i);
  };
  std::sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });

  const std::size_t window = static_cast<std::size_t>(std::max(1, m_opt.window));
  std::vector<int> pending(order.begin(), order.end());
  std::size_t head = 0;
  // The best two candidates of the items in the window, kept until a placement touches what they depend
  // on: a pool or free-instance counter of their class's candidates, their class (spread), or a near:
  // relation between the classes.
  std::vector<std::vector<int>> class_pools(m_inst.classes.size());
  std::vector<std::vector<int>> class_counters(m_inst.classes.size());
  for (std::size_t k = 0; k < m_inst.classes.size(); ++k) {
    const ItemClass& cls = m_inst.classes[k];
    if (cls.split) {
      continue;
    }
    for (const auto& c : cls.candidates) {
      for (const auto& u : c.uses) {
        class_pools[k].push_back(u.pool);
      }
      if (c.counter >= 0) {
        class_counters[k].push_back(c.counter);
      }
    }
    for (auto* v : {&class_pools[k], &class_counters[k]}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }
  struct Cached {
    bool valid = false;
    Best first;
    Best second;
  };
  std::vector<Cached> cached(m_inst.items.size());
  auto invalidate_after = [&](int placed, int k) {
    const Candidate& c = cand(placed, k);
    const int pc = m_inst.items[static_cast<std::size_t>(placed)].cls;
    for (std::size_t w = head + 1; w < pending.size() && w < head + 1 + window; ++w) {
      Cached& entry = cached[static_cast<std::size_t>(pending[w])];
      if (!entry.valid) {
        continue;
      }
      const int wc = m_inst.items[static_cast<std::size_t>(pending[w])].cls;
      bool stale = wc == pc || m_inst.classes[static_cast<std::size_t>(wc)].near_target == pc ||
                   m_inst.classes[static_cast<std::size_t>(pc)].near_target == wc;
      const auto& pools = class_pools[static_cast<std::size_t>(wc)];
      for (std::size_t u = 0; u < c.uses.size() && !stale; ++u) {
        stale = std::binary_search(pools.begin(), pools.end(), c.uses[u].pool);
      }
      if (!stale && c.counter >= 0) {
        const auto& counters = class_counters[static_cast<std::size_t>(wc)];
        stale = std::binary_search(counters.begin(), counters.end(), c.counter);
      }
      entry.valid = !stale;
    }
  };
  while (head < pending.size()) {
    // Regret over the window: place the item that loses most by not getting its best candidate now.
    std::size_t pick = head;
    Best pick_best;
    double pick_regret = -1;
    for (std::size_t w = head; w < pending.size() && w < head + window; ++w) {
      Cached& entry = cached[static_cast<std::size_t>(pending[w])];
      if (!entry.valid) {
        std::tie(entry.first, entry.second) = best_two(pending[w]);
        entry.valid = true;
      }
      const Best first = entry.first;
      const Best second = entry.second;
      if (first.k < 0) {
        pick = w;
        pick_best = first;
        break;  // cannot be placed: take it out now
      }
      const double regret = second.k < 0 ? 1e18 : (second.delta - first.delta) + 1e-3 * (second.util - first.util);
      if (regret > pick_regret + k_eps) {
        pick_regret = regret;
        pick = w;
        pick_best = first;
      }
    }
    std::swap(pending[head], pending[pick]);
    // Keep the remaining order stable: move the displaced item back to its sorted place.
    if (pick != head) {
      const int displaced = pending[pick];
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pick));
      pending.insert(pending.begin() + static_cast<std::ptrdiff_t>(head + 1), displaced);
    }
    if (pick_best.k >= 0) {
      place(pending[head], pick_best.k);
      invalidate_after(pending[head], pick_best.k);
    }
    ++head;
  }
  repair();
  if (!solve_splits()) {
    for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
      if (cls_of(static_cast<int>(i)).split && m_sol.shares[i].empty()) {
        fill_split(static_cast<int>(i));
      }
    }
  }
}

std::size_t Search::split_lp_least_nonzeros() const
{
  std::size_t n = 0;
  for (const auto& cls : m_inst.classes) {
    if (cls.split) {
      for (const auto& c : cls.candidates) {
        n += 1 + c.uses.size();
      }
    }
  }
  return n;
}

bool Search::solve_splits()
{
  std::vector<int> split_classes;
  for (std::size_t k = 0; k < m_inst.classes.size(); ++k) {
    if (m_inst.classes[k].split) {
      split_classes.push_back(static_cast<int>(k));
    }
  }
  if (split_classes.empty()) {
    return true;
  }
  // Background: the loads of everything but the split items.
  for (int k : split_classes) {
    for (int i : m_inst.classes[static_cast<std::size_t>(k)].items) {
      for (const auto& s : m_sol.shares[static_cast<std::size_t>(i)]) {
        m_state.remove(i, s.candidate, s.weight);
      }
      m_sol.shares[static_cast<std::size_t>(i)].clear();
    }
  }
  // Past the size rule (on a lower bound of its non-zeros) the model is not even built — the split-aware
  // moves would otherwise build it for every move they try.
  if (m_split_lp_too_large || split_lp_least_nonzeros() > m_opt.split_lp_nonzeros) {
    m_split_lp_too_large = true;
    return false;  // the caller water-fills the shares instead
  }
  std::vector<double> background(m_inst.pools.size());
  for (std::size_t p = 0; p < background.size(); ++p) {
    background[p] = m_state.load(static_cast<int>(p));
  }
  ModelMap map;
  LinearModel model = build_model(m_inst, split_classes, Formulation::aggregated, false, map, &background);
  // `near:` a split workload: every dependent item placed needs a share of the pool (at least 1 %) on a
  // candidate near its own.
  for (int k : split_classes) {
    const ItemClass& target = m_inst.classes[static_cast<std::size_t>(k)];
    for (int d : m_dependents[static_cast<std::size_t>(k)]) {
      const ItemClass& dep = m_inst.classes[static_cast<std::size_t>(d)];
      for (int di : dep.items) {
        const int dc = choice(di);
        if (dc < 0) {
          continue;
        }
        std::vector<std::pair<int, double>> terms;
        for (std::size_t tc = 0; tc < target.candidates.size(); ++tc) {
          if (Instance::near_compatible(dep.candidates[static_cast<std::size_t>(dc)], target.candidates[tc])) {
            terms.emplace_back(map.col[static_cast<std::size_t>(k)][tc], 1.0);
          }
        }
        model.add_row("near_split" + std::to_string(di), 0.01, k_inf, std::move(terms));
      }
    }
  }
  std::size_t nonzeros = 0;
  for (const auto& row : model.rows) {
    nonzeros += row.size();
  }
  if (nonzeros > m_opt.split_lp_nonzeros) {
    m_split_lp_too_large = true;  // (the near rows only grow as dependents are placed)
    return false;  // too large to re-solve quickly: the caller water-fills the shares instead
  }
  const MilpResult lp = solve_with_cbc(model, 60, nullptr, true);
  if (!lp.optimal) {
    return false;
  }
  apply_values(m_inst, map, lp.values, m_sol);
  for (int k : split_classes) {
    for (int i : m_inst.classes[static_cast<std::size_t>(k)].items) {
      for (const auto& s : m_sol.shares[static_cast<std::size_t>(i)]) {
        m_state.add(i, s.candidate, s.weight);
      }
    }
  }
  m_split_work += static_cast<long long>(nonzeros);
  return true;
}

void Search::split_aware_moves()
{
  // Pools some split candidate draws from.
  std::vector<char> split_pool(m_inst.pools.size(), 0);
  bool any = false;
  for (const auto& cls : m_inst.classes) {
    if (!cls.split) {
      continue;
    }
    any = true;
    for (const auto& c : cls.candidates) {
      for (const auto& u : c.uses) {
        split_pool[static_cast<std::size_t>(u.pool)] = 1;
      }
    }
  }
  if (!any || m_split_lp_too_large) {
    return;  // too large a split LP: no move could be judged by it
  }
  // Each move is judged by one more LP: tried only while that LP fits in what is left of the work budget.
  const auto lp_size = static_cast<long long>(split_lp_least_nonzeros());
  auto next_lp_fits = [&] { return m_split_work + lp_size <= m_opt.split_lp_work; };
  // What the split shares pay: a move can only lower it by freeing room in a pool they fill (a pool the
  // split LP leaves with room left does not constrain it), so other moves are not tried.
  auto split_cost = [&] {
    double c = 0;
    for (std::size_t p = 0; p < split_pool.size(); ++p) {
      if (split_pool[p]) {
        c += pool_cost(m_inst.pools[p], m_state.load(static_cast<int>(p)));
      }
    }
    for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
      for (const auto& s : m_sol.shares[i]) {
        c += cand(static_cast<int>(i), s.candidate).fixed_cost * s.weight;
      }
    }
    return c;
  };
  auto frees_full_split_pool = [&](int item, int k) {
    for (const auto& u : cand(item, k).uses) {
      const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
      if (split_pool[static_cast<std::size_t>(u.pool)] && u.amount > 0 &&
          m_state.load(u.pool) >= p.capacity * (1 - 1e-9) - 1e-9) {
        return true;
      }
    }
    return false;
  };
  for (int pass = 0; pass < 3; ++pass) {
    bool improved = false;
    if (split_cost() <= k_eps) {
      break;  // the split shares cost nothing: no move can save on them
    }
    for (std::size_t i = 0; i < m_inst.items.size() && next_lp_fits() && !m_split_lp_too_large;
         ++i) {
      const int item = static_cast<int>(i);
      const int cur = choice(item);
      if (cur < 0 || !frees_full_split_pool(item, cur)) {
        continue;
      }
      const double before = m_state.cost();
      const Solution saved = m_sol;
      const ItemClass& cls = cls_of(item);
      int best = cur;
      double best_cost = before;
      for (std::size_t k = 0;
           k < cls.candidates.size() && next_lp_fits() && !m_split_lp_too_large; ++k) {
        if (static_cast<int>(k) == cur) {
          continue;
        }
        unplace(item);
        if (m_state.add_delta(item, static_cast<int>(k)) == k_inf || !near_ok(item, static_cast<int>(k))) {
          place(item, cur);
          continue;
        }
        place(item, static_cast<int>(k));
        if (solve_splits() && m_state.cost() < best_cost - 1e-7) {
          best_cost = m_state.cost();
          best = static_cast<int>(k);
        }
        unplace(item);
        place(item, cur);
        restore_splits(saved);
      }
      if (best != cur) {
        unplace(item);
        place(item, best);
        solve_splits();
        improved = true;
      }
    }
    if (!improved) {
      break;
    }
  }
}

void Search::restore_splits(const Solution& saved)
{
  for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
    if (!cls_of(static_cast<int>(i)).split) {
      continue;
    }
    for (const auto& s : m_sol.shares[i]) {
      m_state.remove(static_cast<int>(i), s.candidate, s.weight);
    }
    m_sol.shares[i] = saved.shares[i];
    for (const auto& s : m_sol.shares[i]) {
      m_state.add(static_cast<int>(i), s.candidate, s.weight);
    }
  }
}

void Search::repair()
{
  // One-level ejection: an item left out takes a candidate whose slot is full once one item there moves on.
  for (int round = 0; round < 3; ++round) {
    bool changed = false;
    for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
      const int item = static_cast<int>(i);
      const ItemClass& cls = cls_of(item);
      if (cls.split || choice(item) >= 0) {
        continue;
      }
      auto [first, second] = best_two(item);
      if (first.k >= 0) {
        place(item, first.k);
        changed = true;
        continue;
      }
      bool done = false;
      for (std::size_t k = 0; k < cls.candidates.size() && !done; ++k) {
        const auto blockers = m_slot_items[static_cast<std::size_t>(cls.candidates[k].slot)];
        for (int j : blockers) {
          const int old = choice(j);
          unplace(j);
          if (m_state.add_delta(item, static_cast<int>(k)) != k_inf && near_ok(item, static_cast<int>(k))) {
            place(item, static_cast<int>(k));
            auto [alt, unused] = best_two(j);
            (void)unused;
            if (alt.k >= 0) {
              place(j, alt.k);
              done = true;
              changed = true;
              break;
            }
            unplace(item);
          }
          place(j, old);
        }
      }
      const bool near_related = cls.near_target >= 0 || !m_dependents[static_cast<std::size_t>(m_inst.items[i].cls)].empty();
      if (!done && near_related && replace_near_family(item, true)) {
        changed = true;
      }
    }
    if (!changed) {
      break;
    }
  }
}

std::vector<int> Search::near_depths() const
{
  const std::size_t n = m_inst.classes.size();
  std::vector<int> depth(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    int d = 0;
    // The manifest forbids `near:` cycles; the bound keeps a malformed instance from looping.
    for (int t = m_inst.classes[k].near_target; t >= 0 && d <= static_cast<int>(n); t = m_inst.classes[static_cast<std::size_t>(t)].near_target) {
      ++d;
    }
    depth[k] = d;
  }
  return depth;
}

bool Search::replace_near_family(int item, bool repairing)
{
  // The family: the item's `near:` chain up to its root (the first class near nothing, or near a split
  // pool, which stays where it is), and every class near a class of the chain. Taken out, then put back
  // root first: the root's first item tries its candidates (those that leave the dependents compatible
  // candidates first, then the cheapest), the others take their best candidate each, down the chain.
  // Repairing, the first attempt that places the whole family is kept (the item was missing: any cost
  // beats that); otherwise the cheapest complete attempt, if it is cheaper than before. When none is kept,
  // everything goes back where it was.
  const int own = m_inst.items[static_cast<std::size_t>(item)].cls;
  std::vector<int> classes;  // the chain, root first
  for (int k = own; k >= 0 && !m_inst.classes[static_cast<std::size_t>(k)].split && classes.size() <= m_inst.classes.size();
       k = m_inst.classes[static_cast<std::size_t>(k)].near_target) {
    classes.insert(classes.begin(), k);
  }
  auto add_class = [&](int k) {
    if (!m_inst.classes[static_cast<std::size_t>(k)].split && std::find(classes.begin(), classes.end(), k) == classes.end()) {
      classes.push_back(k);
    }
  };
  const std::size_t chain = classes.size();
  for (std::size_t c = 0; c < chain; ++c) {
    for (int d : m_dependents[static_cast<std::size_t>(classes[c])]) {
      add_class(d);
    }
  }
  std::vector<int> family;
  for (int k : classes) {
    const auto& items = m_inst.classes[static_cast<std::size_t>(k)].items;
    family.insert(family.end(), items.begin(), items.end());
  }
  auto take_out = [&] {
    for (int f : family) {
      if (choice(f) >= 0) {
        unplace(f);
      }
    }
  };
  const double before = m_state.cost();
  std::vector<int> saved;
  for (int f : family) {
    saved.push_back(choice(f));
  }
  take_out();
  const int first = family.front();
  const ItemClass& root_cls = cls_of(first);
  std::vector<std::tuple<int, double, int>> tries;  // (supports dependents ? 0 : 1, cost, candidate)
  for (std::size_t k = 0; k < root_cls.candidates.size(); ++k) {
    const double delta = m_state.add_delta(first, static_cast<int>(k));
    if (delta != k_inf && near_ok(first, static_cast<int>(k))) {
      tries.emplace_back(supports_dependents(first, static_cast<int>(k)) ? 0 : 1, delta, static_cast<int>(k));
    }
  }
  std::sort(tries.begin(), tries.end());
  m_evaluations += static_cast<long long>(root_cls.candidates.size());
  // Places the family with the root's first item on k; false (with what it placed left in place) when
  // some item finds no candidate.
  auto attempt = [&](int k) {
    place(first, k);
    for (std::size_t f = 1; f < family.size(); ++f) {
      const Best best = best_two(family[f], false).first;
      m_evaluations += static_cast<long long>(cls_of(family[f]).candidates.size());
      if (best.k < 0) {
        return false;
      }
      place(family[f], best.k);
    }
    return true;
  };
  int best_k = -1;
  double best_cost = before - k_eps;
  for (const auto& [unused_support, unused_delta, k] : tries) {
    if (!repairing && m_evaluations > m_opt.evaluation_budget) {
      break;
    }
    const bool complete = attempt(k);
    if (complete && repairing) {
      return true;
    }
    if (complete && m_state.cost() < best_cost) {
      best_cost = m_state.cost();
      best_k = k;
    }
    take_out();
  }
  if (best_k >= 0 && attempt(best_k)) {
    return true;  // the same steps again: the same placement
  }
  take_out();
  for (std::size_t f = 0; f < family.size(); ++f) {
    if (saved[f] >= 0) {
      place(family[f], saved[f]);
    }
  }
  return false;
}

void Search::near_moves()
{
  std::vector<char> done(m_inst.classes.size(), 0);
  for (std::size_t i = 0; i < m_inst.items.size() && m_evaluations < m_opt.evaluation_budget; ++i) {
    const int item = static_cast<int>(i);
    const int k = m_inst.items[i].cls;
    const ItemClass& cls = cls_of(item);
    const bool related = (cls.near_target >= 0 && !m_inst.classes[static_cast<std::size_t>(cls.near_target)].split) ||
                         !m_dependents[static_cast<std::size_t>(k)].empty();
    if (!related || cls.split || choice(item) < 0 || done[static_cast<std::size_t>(k)] != 0 ||
        m_state.remove_delta(item, choice(item)) >= -k_eps) {
      continue;
    }
    done[static_cast<std::size_t>(k)] = 1;
    if (replace_near_family(item, false)) {
      ++m_version;
    }
  }
}

void Search::fill_split(int item)
{
  const ItemClass& cls = cls_of(item);
  // Free room per candidate: the largest share that fits in every pool it draws from.
  std::vector<double> room(cls.candidates.size(), 0.0);
  double total = 0;
  for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
    const Candidate& c = cls.candidates[k];
    if (c.fixed_cost > 0 || m_state.add_delta(item, static_cast<int>(k), 0.0) == k_inf) {
      continue;
    }
    double r = 1.0;
    for (const auto& u : c.uses) {
      const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
      if (u.amount > 0) {
        r = std::min(r, std::max(0.0, p.capacity - m_state.load(u.pool)) / u.amount);
      }
    }
    // Pools shared by two candidates of this item: count the room once (the first candidate takes it).
    room[k] = r;
  }
  // Shares in proportion to room equalise utilisation across candidates; shared pools are re-checked below.
  for (double r : room) {
    total += r;
  }
  std::vector<Share> shares;
  double remaining = 1.0;
  if (total > 0) {
    const double scale = std::min(1.0, 1.0 / total);
    for (std::size_t k = 0; k < room.size() && remaining > 1e-12; ++k) {
      double w = std::min(room[k] * scale, remaining);
      if (w <= 1e-9) {
        continue;
      }
      // Re-check against the current load (candidates may share a pool).
      const Candidate& c = cls.candidates[k];
      for (const auto& u : c.uses) {
        const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
        if (u.amount > 0) {
          w = std::min(w, std::max(0.0, p.capacity - m_state.load(u.pool)) / u.amount);
        }
      }
      if (w <= 1e-9) {
        continue;
      }
      m_state.add(item, static_cast<int>(k), w);
      shares.push_back(Share{static_cast<int>(k), w});
      remaining -= w;
    }
    // Rounding: a remainder below 1e-9 goes to the largest share if that stays free.
  }
  if (remaining > 1e-9) {
    // Top up free room first, then the cheapest billable candidate for the rest.
    for (std::size_t k = 0; k < cls.candidates.size() && remaining > 1e-9; ++k) {
      const Candidate& c = cls.candidates[k];
      if (c.fixed_cost > 0 || room[k] <= 0) {
        continue;
      }
      double w = remaining;
      for (const auto& u : c.uses) {
        const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
        if (u.amount > 0) {
          w = std::min(w, std::max(0.0, p.capacity - m_state.load(u.pool)) / u.amount);
        }
      }
      if (w <= 1e-12) {
        continue;
      }
      m_state.add(item, static_cast<int>(k), w);
      auto it = std::find_if(shares.begin(), shares.end(), [&](const Share& s) { return s.candidate == static_cast<int>(k); });
      if (it == shares.end()) {
        shares.push_back(Share{static_cast<int>(k), w});
      } else {
        it->weight += w;
      }
      remaining -= w;
    }
  }
  if (remaining > 1e-9) {
    Best best;
    for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
      const double d = m_state.add_delta(item, static_cast<int>(k), remaining);
      if (d != k_inf && better(d, 0, cls.candidates[k].rank, best)) {
        best = Best{static_cast<int>(k), d, 0, cls.candidates[k].rank};
      }
    }
    if (best.k < 0) {
      for (const auto& s : shares) {
        m_state.remove(item, s.candidate, s.weight);
      }
      return;  // no feasible split
    }
    m_state.add(item, best.k, remaining);
    auto it = std::find_if(shares.begin(), shares.end(), [&](const Share& s) { return s.candidate == best.k; });
    if (it == shares.end()) {
      shares.push_back(Share{best.k, remaining});
    } else {
      it->weight += remaining;
    }
    remaining = 0;
  }
  // Normalise so that the shares sum to exactly 1 (they do up to rounding).
  double sum = 0;
  for (const auto& s : shares) {
    sum += s.weight;
  }
  std::sort(shares.begin(), shares.end(), [](const Share& a, const Share& b) { return a.candidate < b.candidate; });
  for (auto& s : shares) {
    m_state.remove(item, s.candidate, s.weight);
    s.weight /= sum;
    m_state.add(item, s.candidate, s.weight);
  }
  m_sol.shares[static_cast<std::size_t>(item)] = shares;
}

void Search::local_search()
{
  // Identical items (one class) on one candidate have the same moves: once one found none, the others are
  // skipped until something changes (m_version).
  m_no_move.assign(m_inst.classes.size(), {});
  m_no_ejection.assign(m_inst.classes.size(), {});
  bool improved = true;
  for (int pass = 0; improved && pass < m_opt.local_passes && m_evaluations < m_opt.evaluation_budget; ++pass) {
    improved = false;
    for (std::size_t i = 0; i < m_inst.items.size() && m_evaluations < m_opt.evaluation_budget; ++i) {
      const int item = static_cast<int>(i);
      const int cur = choice(item);
      if (cur < 0) {
        continue;
      }
      long long& stamp = stamp_of(m_no_move, item, cur);
      if (stamp == m_version) {
        continue;
      }
      const double removed = m_state.remove_delta(item, cur);
      if (removed >= -k_eps) {
        continue;  // it costs nothing where it is: no move can save money
      }
      unplace(item);
      Best best{cur, 0.0, 0, 0};
      const ItemClass& cls = cls_of(item);
      for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
        ++m_evaluations;
        if (static_cast<int>(k) == cur) {
          continue;
        }
        const double d = m_state.add_delta(item, static_cast<int>(k)) + removed;
        if (d < best.delta - k_eps && near_ok(item, static_cast<int>(k))) {
          best = Best{static_cast<int>(k), d, 0, 0};
        }
      }
      place(item, best.k);
      improved = improved || best.k != cur;
      if (best.k != cur) {
        ++m_version;
      } else {
        stamp = m_version;
      }
    }
    const double before = m_state.cost();
    ejections();
    improved = improved || m_state.cost() < before - k_eps;
  }
}

void Search::ejections()
{
  // An item that pays takes a candidate once an item there moves to its own best other candidate (a swap is
  // the special case where that is the first item's old place). First improvement per paying item.
  for (std::size_t i = 0; i < m_inst.items.size() && m_evaluations < m_opt.evaluation_budget; ++i) {
    const int a = static_cast<int>(i);
    const int ca = choice(a);
    if (ca < 0) {
      continue;
    }
    long long& stamp = stamp_of(m_no_ejection, a, ca);
    if (stamp == m_version) {
      continue;  // an identical item on the same candidate found no ejection since the last change
    }
    const double gain_a = m_state.remove_delta(a, ca);
    if (gain_a >= -k_eps) {
      continue;
    }
    const ItemClass& cls_a = cls_of(a);
    bool done = false;
    for (std::size_t k = 0; k < cls_a.candidates.size() && !done; ++k) {
      if (static_cast<int>(k) == ca) {
        continue;
      }
      const auto items = m_slot_items[static_cast<std::size_t>(cls_a.candidates[k].slot)];
      for (int b : items) {
        if (b == a || m_inst.items[static_cast<std::size_t>(b)].cls == m_inst.items[i].cls) {
          continue;
        }
        const int cb = choice(b);
        if (++m_evaluations > m_opt.evaluation_budget || ++m_ejections > m_opt.ejection_budget) {
          return;
        }
        unplace(a);
        const double removed_b = m_state.remove_delta(b, cb);
        unplace(b);
        const double d1 = m_state.add_delta(a, static_cast<int>(k));
        if (d1 != k_inf && gain_a + removed_b + d1 < -k_eps && near_ok(a, static_cast<int>(k))) {
          place(a, static_cast<int>(k));
          Best best;
          const ItemClass& cls_b = cls_of(b);
          m_evaluations += static_cast<long long>(cls_b.candidates.size());
          for (std::size_t kb = 0; kb < cls_b.candidates.size(); ++kb) {
            const double d2 = m_state.add_delta(b, static_cast<int>(kb));
            if (d2 != k_inf && better(d2, 0, 0, best) && near_ok(b, static_cast<int>(kb))) {
              best = Best{static_cast<int>(kb), d2, 0, 0};
            }
          }
          if (best.k >= 0 && gain_a + removed_b + d1 + best.delta < -k_eps) {
            place(b, best.k);
            done = true;
            ++m_version;
            break;
          }
          unplace(a);
        }
        place(b, cb);
        place(a, ca);
      }
    }
    if (!done) {
      stamp = m_version;
    }
  }
}

void Search::ruin_recreate()
{
  // Ruin and recreate: an item that pays and the items on a few of its other candidates' slots are taken
  // out and put back, each on its best candidate; kept when not dearer than before or than the best cost
  // seen plus a threshold that shrinks to zero (record-to-record travel); the best seen is restored. A fixed-seed
  // generator: the same instance always gives the same answer.
  // Every item but split ones (best_two keeps near:, add_delta spread and capacities).
  std::vector<char> movable(m_inst.classes.size(), 1);
  for (std::size_t k = 0; k < m_inst.classes.size(); ++k) {
    movable[k] = m_inst.classes[k].split ? 0 : 1;
  }
  std::vector<double> size(m_inst.items.size(), 0.0);
  for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
    for (const auto& c : cls_of(static_cast<int>(i)).candidates) {
      for (const auto& u : c.uses) {
        const Pool& p = m_inst.pools[static_cast<std::size_t>(u.pool)];
        size[i] = std::max(size[i], p.quota > 0 ? u.amount / p.quota : 1.0);
      }
    }
  }
  std::mt19937 rng(m_opt.seed);
  double best_cost = m_state.cost();
  std::vector<int> best_choice = m_sol.choice;
  std::vector<int> paying;
  const long long start_evaluations = m_evaluations;
  const long long stop = std::min(m_opt.evaluation_budget, m_evaluations + m_opt.ruin_evaluations);
  for (int round = 0; round < m_opt.ruin_rounds && m_evaluations < stop; ++round) {
    if (round % 16 == 0) {
      // The items that pay, refreshed now and then (a stale entry that no longer pays is skipped below).
      paying.clear();
      for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
        const int item = static_cast<int>(i);
        if (choice(item) >= 0 && movable[static_cast<std::size_t>(m_inst.items[i].cls)] != 0 &&
            m_state.remove_delta(item, choice(item)) < -k_eps) {
          paying.push_back(item);
        }
      }
      m_evaluations += static_cast<long long>(m_inst.items.size());
      if (paying.empty()) {
        break;
      }
    }
    const int a = paying[rng() % paying.size()];
    if (choice(a) < 0 || m_state.remove_delta(a, choice(a)) >= -k_eps) {
      continue;
    }
    const ItemClass& cls_a = cls_of(a);
    std::vector<int> ruined{a};
    auto ruin_slot = [&](int slot) {
      for (int b : m_slot_items[static_cast<std::size_t>(slot)]) {
        if (movable[static_cast<std::size_t>(m_inst.items[static_cast<std::size_t>(b)].cls)] != 0 &&
            std::find(ruined.begin(), ruined.end(), b) == ruined.end()) {
          ruined.push_back(b);
        }
      }
    };
    for (int pick = 0; pick < 4; ++pick) {
      ruin_slot(cls_a.candidates[rng() % cls_a.candidates.size()].slot);
    }
    const double before = m_state.cost();
    std::vector<int> saved;
    for (int item : ruined) {
      saved.push_back(choice(item));
      unplace(item);
    }
    std::vector<int> order(ruined.begin(), ruined.end());
    if (round % 4 < 2) {
      std::sort(order.begin(), order.end(), [&](int x, int y) {
        return std::make_tuple(-size[static_cast<std::size_t>(x)], x) < std::make_tuple(-size[static_cast<std::size_t>(y)], y);
      });
    } else {
      std::shuffle(order.begin(), order.end(), rng);
    }
    bool ok = true;
    const bool pack = round % 2 == 1;
    for (int item : order) {
      m_evaluations += static_cast<long long>(cls_of(item).candidates.size());
      const auto [first, second] = best_two(item, false, pack);
      (void)second;
      if (first.k < 0) {
        ok = false;
        break;
      }
      place(item, first.k);
    }
    // Record-to-record travel: accepted when within a threshold of the best cost seen, the threshold
    // shrinking to zero over the rounds; the best solution seen is restored at the end.
    const double progress = std::max(static_cast<double>(round) / m_opt.ruin_rounds,
                                     static_cast<double>(m_evaluations - start_evaluations) / static_cast<double>(stop - start_evaluations));
    const double slack = m_opt.ruin_threshold * std::max(0.0, 1.0 - progress) * std::max(best_cost, 1e-3);
    if (ok && m_state.cost() <= std::max(before, best_cost + slack) + k_eps) {
      if (m_state.cost() < best_cost - k_eps) {
        best_cost = m_state.cost();
        best_choice = m_sol.choice;
      }
      continue;  // cheaper, as cheap elsewhere (a plateau move the next rounds start from), or near the best
    }
    for (int item : ruined) {
      if (choice(item) >= 0) {
        unplace(item);
      }
    }
    for (std::size_t r = 0; r < ruined.size(); ++r) {
      place(ruined[r], saved[r]);
    }
  }
  if (m_state.cost() > best_cost + k_eps) {
    restore_choices(best_choice);  // the best solution seen (record-to-record may have left it)
  }
}

void Search::restore_choices(const std::vector<int>& choices)
{
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (m_sol.choice[i] != choices[i] && m_sol.choice[i] >= 0) {
      unplace(static_cast<int>(i));
    }
  }
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (m_sol.choice[i] != choices[i] && choices[i] >= 0) {
      place(static_cast<int>(i), choices[i]);
    }
  }
}

void Search::headroom()
{
  // Cost-neutral moves that lower the highest utilisation among the pools involved.
  for (int pass = 0; pass < 8 && m_evaluations < m_opt.evaluation_budget; ++pass) {
    bool improved = false;
    for (std::size_t i = 0; i < m_inst.items.size() && m_evaluations < m_opt.evaluation_budget; ++i) {
      const int item = static_cast<int>(i);
      const int cur = choice(item);
      if (cur < 0) {
        continue;
      }
      const double before_src = std::max(util_now(item, cur), cand(item, cur).own.empty() ? 0.0 : cand(item, cur).own_utilisation);
      if (before_src <= 0) {
        continue;
      }
      const double removed = m_state.remove_delta(item, cur);
      unplace(item);
      const double src_after = util_now(item, cur);
      int best = cur;
      double best_u = before_src;
      const ItemClass& cls = cls_of(item);
      for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
        ++m_evaluations;
        if (static_cast<int>(k) == cur) {
          continue;
        }
        const double d = m_state.add_delta(item, static_cast<int>(k)) + removed;
        if (d > k_eps || d == k_inf) {
          continue;
        }
        const double u = std::max(util_after_add(item, static_cast<int>(k)), src_after);
        if (u < best_u - 1e-6 && near_ok(item, static_cast<int>(k))) {
          best_u = u;
          best = static_cast<int>(k);
        }
      }
      place(item, best);
      improved = improved || best != cur;
    }
    if (!improved) {
      break;
    }
  }
}

void Search::tie_break()
{
  double ceiling = max_utilisation();
  for (std::size_t i = 0; i < m_inst.items.size(); ++i) {
    const int item = static_cast<int>(i);
    const int cur = choice(item);
    if (cur <= 0) {
      continue;
    }
    const double removed = m_state.remove_delta(item, cur);
    unplace(item);
    int best = cur;
    const ItemClass& cls = cls_of(item);
    for (int k = 0; k < cur; ++k) {
      const double d = m_state.add_delta(item, k) + removed;
      if (d == k_inf || d > 1e-12) {
        continue;
      }
      if (util_after_add(item, k) <= ceiling + 1e-12 && near_ok(item, k)) {
        best = k;
        break;
      }
    }
    (void)cls;
    place(item, best);
  }
}

// The local search in two parts: descent (moves, near-family moves, split-aware moves: no randomness), then
// ruin and recreate from a seed, descent again, the headroom pass and the tie-break.
void descend(const Instance& instance, Solution& solution, const HeuristicOptions& options)
{
  Search search(instance, solution, options);
  search.local_search();
  search.near_moves();
  search.split_aware_moves();
}

void perturb_and_polish(const Instance& instance, Solution& solution, const HeuristicOptions& options)
{
  Search search(instance, solution, options);
  search.ruin_recreate();
  search.local_search();
  search.headroom();
  search.tie_break();
}

}  // namespace

Solution solve_heuristic(const Instance& instance, const HeuristicOptions& options)
{
  // Construction; when items are left out, restart with them (and what they are near) placed first.
  std::vector<char> priority;
  Solution best;
  std::size_t best_missing = instance.items.size() + 1;
  for (int attempt = 0; attempt < 4; ++attempt) {
    Solution solution = Solution::empty_for(instance);
    {
      Search search(instance, solution, options);
      search.priority = priority;
      search.construct();
    }
    std::size_t missing = 0;
    if (priority.empty()) {
      priority.assign(instance.items.size(), 0);
    }
    for (std::size_t i = 0; i < instance.items.size(); ++i) {
      const bool split = instance.classes[static_cast<std::size_t>(instance.items[i].cls)].split;
      if ((split && solution.shares[i].empty()) || (!split && solution.choice[i] < 0)) {
        ++missing;
        priority[i] = 1;
      }
    }
    if (missing < best_missing) {
      best_missing = missing;
      best = std::move(solution);
    }
    if (best_missing == 0) {
      break;
    }
  }
  // Descent once, then ruin and recreate: on small instances several trajectories from the descent's
  // answer with other fixed seeds, the best kept (each costs a few milliseconds there, and one trajectory
  // can stall on a plateau another leaves). The size rule reads no clock: the answer stays reproducible.
  std::size_t candidates = 0;
  for (const auto& item : instance.items) {
    candidates += instance.classes[static_cast<std::size_t>(item.cls)].candidates.size();
  }
  const int trajectories = candidates <= options.multi_start_candidates ? std::max(1, options.trajectories) : 1;
  // The trajectories share one ruin-and-recreate budget: several cost no more than one would.
  HeuristicOptions each = options;
  each.ruin_evaluations = options.ruin_evaluations / trajectories;
  descend(instance, best, options);
  const Solution descended = best;
  perturb_and_polish(instance, best, each);
  Evaluation best_eval = evaluate(instance, best);
  for (int t = 1; t < trajectories; ++t) {
    HeuristicOptions other = each;
    other.seed = options.seed + static_cast<unsigned>(t);
    other.ruin_threshold = k_other_thresholds[static_cast<std::size_t>(t - 1) % k_other_thresholds.size()];
    Solution trial = descended;
    perturb_and_polish(instance, trial, other);
    const Evaluation ev = evaluate(instance, trial);
    if (ev.feasible && (ev.cost < best_eval.cost - k_eps ||
                        (ev.cost <= best_eval.cost + k_eps && ev.min_headroom > best_eval.min_headroom + k_eps))) {
      best = std::move(trial);
      best_eval = ev;
    }
  }
  return best;
}

void improve(const Instance& instance, Solution& solution, const HeuristicOptions& options)
{
  descend(instance, solution, options);
  perturb_and_polish(instance, solution, options);
}

void canonicalise(const Instance& instance, Solution& solution)
{
  HeuristicOptions options;
  Search search(instance, solution, options);
  search.tie_break();
}

}  // namespace helios::placement
