#include "core/placement/milp_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace helios::placement {

namespace {
constexpr double k_inf = std::numeric_limits<double>::infinity();
}

int LinearModel::add_col(std::string name, double lb, double ub, double cost, bool is_integer)
{
  col_names.push_back(std::move(name));
  col_lb.push_back(lb);
  col_ub.push_back(ub);
  obj.push_back(cost);
  integer.push_back(is_integer ? 1 : 0);
  return static_cast<int>(obj.size()) - 1;
}

int LinearModel::add_row(std::string name, double lb, double ub, std::vector<std::pair<int, double>> terms)
{
  row_names.push_back(std::move(name));
  row_lb.push_back(lb);
  row_ub.push_back(ub);
  rows.push_back(std::move(terms));
  return static_cast<int>(rows.size()) - 1;
}

std::string LinearModel::to_mps() const
{
  // "FREE" on the NAME card makes CoinMps (the cbc program) read free format: without it, a name starting
  // in column 5 is cut at 8 characters (fixed MPS) and "UP bnd x0_0 1" reads as bound "bnd x0_0", column "1".
  std::string out = "NAME helios FREE\nROWS\n N cost\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const char* type = row_lb[r] == row_ub[r] ? "E" : (row_lb[r] == -k_inf ? "L" : "G");
    out += fmt::format(" {} {}\n", type, row_names[r]);
  }
  // Column-major entries.
  std::vector<std::vector<std::pair<int, double>>> by_col(obj.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (const auto& [c, v] : rows[r]) {
      by_col[static_cast<std::size_t>(c)].emplace_back(static_cast<int>(r), v);
    }
  }
  out += "COLUMNS\n";
  bool in_int = false;
  for (std::size_t c = 0; c < obj.size(); ++c) {
    if (integer[c] && !in_int) {
      out += " MARKER 'MARKER' 'INTORG'\n";
      in_int = true;
    } else if (!integer[c] && in_int) {
      out += " MARKER 'MARKER' 'INTEND'\n";
      in_int = false;
    }
    out += fmt::format(" {} cost {:.17g}\n", col_names[c], obj[c]);
    for (const auto& [r, v] : by_col[c]) {
      out += fmt::format(" {} {} {:.17g}\n", col_names[c], row_names[static_cast<std::size_t>(r)], v);
    }
  }
  if (in_int) {
    out += " MARKER 'MARKER' 'INTEND'\n";
  }
  out += "RHS\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double rhs = row_lb[r] == -k_inf ? row_ub[r] : row_lb[r];
    if (rhs != 0) {
      out += fmt::format(" rhs {} {:.17g}\n", row_names[r], rhs);
    }
  }
  out += "RANGES\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (row_lb[r] != -k_inf && row_ub[r] != k_inf && row_lb[r] != row_ub[r]) {
      out += fmt::format(" rng {} {:.17g}\n", row_names[r], row_ub[r] - row_lb[r]);
    }
  }
  out += "BOUNDS\n";
  for (std::size_t c = 0; c < obj.size(); ++c) {
    if (col_lb[c] == -k_inf && col_ub[c] == k_inf) {
      out += fmt::format(" FR bnd {}\n", col_names[c]);
      continue;
    }
    if (col_lb[c] == -k_inf) {
      out += fmt::format(" MI bnd {}\n", col_names[c]);
    } else if (col_lb[c] != 0) {
      out += fmt::format(" LO bnd {} {:.17g}\n", col_names[c], col_lb[c]);
    }
    if (col_ub[c] == k_inf) {
      out += fmt::format(" PL bnd {}\n", col_names[c]);
    } else {
      out += fmt::format(" UP bnd {} {:.17g}\n", col_names[c], col_ub[c]);
    }
  }
  out += "ENDATA\n";
  return out;
}

LinearModel build_model(const Instance& instance, const std::vector<int>& classes_in, Formulation formulation,
                        bool with_budget, ModelMap& map, const std::vector<double>* background)
{
  LinearModel m;
  map = ModelMap{};
  map.formulation = formulation;
  map.classes = classes_in;
  if (map.classes.empty()) {
    for (std::size_t k = 0; k < instance.classes.size(); ++k) {
      map.classes.push_back(static_cast<int>(k));
    }
  }
  const bool plain = formulation == Formulation::plain;
  map.col.assign(plain ? instance.items.size() : instance.classes.size(), {});
  std::vector<std::vector<std::pair<int, double>>> pool_terms(instance.pools.size());
  std::vector<std::vector<std::pair<int, double>>> counter_terms(instance.counters.size());
  std::vector<std::pair<int, double>> cost_terms;

  auto add_candidate_cols = [&](int owner, const ItemClass& cls, double ub, const std::string& prefix) {
    auto& cols = map.col[static_cast<std::size_t>(owner)];
    cols.assign(cls.candidates.size(), -1);
    std::vector<std::pair<int, double>> assign;
    for (std::size_t c = 0; c < cls.candidates.size(); ++c) {
      const Candidate& cand = cls.candidates[c];
      const int col = m.add_col(fmt::format("{}_{}", prefix, c), 0, cls.split ? 1.0 : ub, cand.fixed_cost, !cls.split);
      cols[c] = col;
      assign.emplace_back(col, 1.0);
      if (cand.fixed_cost != 0) {
        cost_terms.emplace_back(col, cand.fixed_cost);
      }
      for (const auto& u : cand.uses) {
        pool_terms[static_cast<std::size_t>(u.pool)].emplace_back(col, u.amount);
      }
      if (cand.counter >= 0 && !cls.split) {
        counter_terms[static_cast<std::size_t>(cand.counter)].emplace_back(col, 1.0);
      }
    }
    const double count = plain || cls.split ? 1.0 : static_cast<double>(cls.items.size());
    m.add_row(fmt::format("assign_{}", prefix), count, count, std::move(assign));
  };

  for (int k : map.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    if (plain) {
      for (int i : cls.items) {
        add_candidate_cols(i, cls, 1.0, fmt::format("x{}", i));
      }
    } else {
      add_candidate_cols(k, cls, static_cast<double>(cls.items.size()), fmt::format("y{}", k));
    }
  }
  map.overage.assign(instance.pools.size(), -1);
  map.pool_scale.assign(instance.pools.size(), 1.0);
  for (std::size_t p = 0; p < instance.pools.size(); ++p) {
    if (pool_terms[p].empty()) {
      continue;
    }
    const Pool& pool = instance.pools[p];
    auto terms = std::move(pool_terms[p]);
    // Amounts are in base units (bytes, tokens): rows with coefficients of 1e10 next to 0/1 rows make CBC's
    // probing fail an assertion (CglProbing "newSol>solMove"). The row is divided by a power of two near its
    // largest coefficient (exact in floating point); its overage column then counts in that unit.
    double largest = 0;
    for (const auto& [col, amount] : terms) {
      largest = std::max(largest, std::abs(amount));
    }
    const double scale = largest > 0 ? std::exp2(std::round(std::log2(largest))) : 1.0;
    map.pool_scale[p] = scale;
    for (auto& term : terms) {
      term.second /= scale;
    }
    if (pool.billable) {
      const int col = m.add_col(fmt::format("over{}", p), 0, k_inf, pool.price * scale, false);
      map.overage[p] = col;
      terms.emplace_back(col, -1.0);
      cost_terms.emplace_back(col, pool.price * scale);
    }
    const double taken = background != nullptr ? (*background)[p] : 0.0;
    m.add_row(fmt::format("pool{}", p), -k_inf, (pool.capacity - taken) / scale, std::move(terms));
  }
  for (std::size_t k = 0; k < instance.counters.size(); ++k) {
    if (!counter_terms[k].empty()) {
      m.add_row(fmt::format("free_instances{}", k), -k_inf, instance.counters[k].capacity, std::move(counter_terms[k]));
    }
  }
  // Spread: at most one item of the class per provider.
  for (int k : map.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    if (!cls.spread || cls.items.size() < 2) {
      continue;
    }
    std::map<int, std::vector<std::pair<int, double>>> per_provider;
    const std::vector<int> owners = plain ? cls.items : std::vector<int>{k};
    for (int owner : owners) {
      for (std::size_t c = 0; c < cls.candidates.size(); ++c) {
        per_provider[cls.candidates[c].provider].emplace_back(map.col[static_cast<std::size_t>(owner)][c], 1.0);
      }
    }
    for (auto& [provider, terms] : per_provider) {
      m.add_row(fmt::format("spread{}_{}", k, provider), -k_inf, 1.0, std::move(terms));
    }
  }
  // Near: an item on candidate c needs some item of the target class on a compatible candidate.
  for (int k : map.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    if (cls.near_target < 0) {
      continue;
    }
    const ItemClass& target = instance.classes[static_cast<std::size_t>(cls.near_target)];
    const std::vector<int> owners = plain ? cls.items : std::vector<int>{k};
    const std::vector<int> target_owners = plain ? target.items : std::vector<int>{cls.near_target};
    const double big = plain ? 1.0 : static_cast<double>(cls.items.size());
    for (int owner : owners) {
      for (std::size_t c = 0; c < cls.candidates.size(); ++c) {
        std::vector<std::pair<int, double>> terms{{map.col[static_cast<std::size_t>(owner)][c], 1.0}};
        for (int t : target_owners) {
          for (std::size_t tc = 0; tc < target.candidates.size(); ++tc) {
            if (Instance::near_compatible(cls.candidates[c], target.candidates[tc])) {
              terms.emplace_back(map.col[static_cast<std::size_t>(t)][tc], -big);
            }
          }
        }
        m.add_row(fmt::format("near{}_{}", owner, c), -k_inf, 0.0, std::move(terms));
      }
    }
  }
  if (with_budget) {
    m.add_row("budget", -k_inf, instance.budget, std::move(cost_terms));
  }
  return m;
}

std::vector<double> model_values(const Instance& instance, const ModelMap& map, const LinearModel& model,
                                 const Solution& solution)
{
  std::vector<double> values(model.obj.size(), 0.0);
  std::vector<double> load(instance.pools.size(), 0.0);
  for (int k : map.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    for (int i : cls.items) {
      const int owner = map.formulation == Formulation::plain ? i : k;
      auto add = [&](int cand, double w) {
        values[static_cast<std::size_t>(map.col[static_cast<std::size_t>(owner)][static_cast<std::size_t>(cand)])] += w;
        for (const auto& u : cls.candidates[static_cast<std::size_t>(cand)].uses) {
          load[static_cast<std::size_t>(u.pool)] += u.amount * w;
        }
      };
      if (cls.split) {
        for (const auto& s : solution.shares[static_cast<std::size_t>(i)]) {
          add(s.candidate, s.weight);
        }
      } else if (solution.choice[static_cast<std::size_t>(i)] >= 0) {
        add(solution.choice[static_cast<std::size_t>(i)], 1.0);
      }
    }
  }
  for (std::size_t p = 0; p < instance.pools.size(); ++p) {
    if (map.overage[p] >= 0) {
      values[static_cast<std::size_t>(map.overage[p])] =
        std::max(0.0, load[p] - instance.pools[p].capacity) / map.pool_scale[p];
    }
  }
  return values;
}

void apply_values(const Instance& instance, const ModelMap& map, const std::vector<double>& values, Solution& solution)
{
  for (int k : map.classes) {
    const ItemClass& cls = instance.classes[static_cast<std::size_t>(k)];
    if (map.formulation == Formulation::plain || cls.split) {
      for (int i : cls.items) {
        const int owner = map.formulation == Formulation::plain ? i : k;
        const auto& cols = map.col[static_cast<std::size_t>(owner)];
        if (cls.split) {
          std::vector<Share> shares;
          double sum = 0;
          for (std::size_t c = 0; c < cols.size(); ++c) {
            const double v = values[static_cast<std::size_t>(cols[c])];
            if (v > 1e-9) {
              shares.push_back(Share{static_cast<int>(c), v});
              sum += v;
            }
          }
          for (auto& s : shares) {
            s.weight /= sum;
          }
          solution.shares[static_cast<std::size_t>(i)] = shares;
        } else {
          int best = -1;
          for (std::size_t c = 0; c < cols.size(); ++c) {
            if (values[static_cast<std::size_t>(cols[c])] > 0.5) {
              best = static_cast<int>(c);
            }
          }
          solution.choice[static_cast<std::size_t>(i)] = best;
        }
      }
      continue;
    }
    // Aggregated: items in order take candidates in order, as many as each column says.
    std::size_t next = 0;
    const auto& cols = map.col[static_cast<std::size_t>(k)];
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const long count = std::lround(values[static_cast<std::size_t>(cols[c])]);
      for (long n = 0; n < count && next < cls.items.size(); ++n) {
        solution.choice[static_cast<std::size_t>(cls.items[next++])] = static_cast<int>(c);
      }
    }
    for (; next < cls.items.size(); ++next) {
      solution.choice[static_cast<std::size_t>(cls.items[next])] = -1;
    }
  }
}

}  // namespace helios::placement
