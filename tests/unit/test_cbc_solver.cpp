#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include <fmt/format.h>

#include "core/placement/cbc_solver.hpp"

using namespace helios::placement;

TEST_SUITE_BEGIN("placement");

namespace {

// An assignment model: `items` rows "place item i once" over `candidates` binary columns each, and a
// capacity row per candidate. Its optimum is the sum of each item's cheapest cost when capacity is loose.
struct Assignment {
  LinearModel model;
  double optimum = 0;
};

double cost_of(int i, int j)
{
  return 1 + ((i * 37 + j * 11) % 97);
}

Assignment assignment(int items, int candidates, double capacity)
{
  Assignment a;
  std::vector<std::vector<std::pair<int, double>>> by_candidate(static_cast<std::size_t>(candidates));
  for (int i = 0; i < items; ++i) {
    std::vector<std::pair<int, double>> once;
    double cheapest = std::numeric_limits<double>::infinity();
    for (int j = 0; j < candidates; ++j) {
      const int col = a.model.add_col(fmt::format("x{}_{}", i, j), 0, 1, cost_of(i, j), true);
      once.emplace_back(col, 1.0);
      by_candidate[static_cast<std::size_t>(j)].emplace_back(col, 1.0);
      cheapest = std::min(cheapest, cost_of(i, j));
    }
    a.model.add_row(fmt::format("once{}", i), 1, 1, std::move(once));
    a.optimum += cheapest;
  }
  for (int j = 0; j < candidates; ++j) {
    a.model.add_row(fmt::format("cap{}", j), -std::numeric_limits<double>::infinity(), capacity,
                    std::move(by_candidate[static_cast<std::size_t>(j)]));
  }
  return a;
}

}  // namespace

TEST_CASE("cbc solver: small models are solved in-process, large ones in a forked copy, with the same answers")
{
  // 10 × 20: 400 non-zeros (in-process); 150 × 80: 24,000 (at least k_forked_nonzeros: forked).
  for (const auto& [items, candidates] : {std::pair{10, 20}, std::pair{150, 80}}) {
    CAPTURE(items);
    const Assignment a = assignment(items, candidates, items);
    CHECK((2 * items * candidates >= static_cast<int>(k_forked_nonzeros)) == (items == 150));
    const MilpResult milp = solve_with_cbc(a.model, 60, nullptr, false);
    CHECK_FALSE(milp.timed_out);
    REQUIRE(milp.has_solution);
    CHECK(milp.optimal);
    CHECK(milp.objective == doctest::Approx(a.optimum));
    CHECK(milp.bound <= milp.objective + 1e-6);
    REQUIRE(milp.values.size() == static_cast<std::size_t>(a.model.cols()));
    double placed = 0;
    for (double v : milp.values) {
      placed += v;
    }
    CHECK(placed == doctest::Approx(items));
    const MilpResult lp = solve_with_cbc(a.model, 60, nullptr, true);
    CHECK(lp.optimal);
    CHECK(lp.objective == doctest::Approx(a.optimum));  // integral here: every item on its cheapest column
    // A warm start is taken through the copy too.
    const MilpResult warm = solve_with_cbc(a.model, 60, &milp.values, false);
    CHECK(warm.optimal);
    CHECK(warm.objective == doctest::Approx(a.optimum));
  }
}

TEST_CASE("cbc solver: an infeasible model is proven infeasible through the copy")
{
  // Capacity 1 per candidate for more items than candidates.
  const Assignment a = assignment(300, 40, 1);
  REQUIRE(a.model.rows.size() == 340);
  const MilpResult milp = solve_with_cbc(a.model, 60, nullptr, false);
  CHECK_FALSE(milp.timed_out);
  CHECK_FALSE(milp.has_solution);
  CHECK(milp.infeasible);
}

TEST_CASE("cbc solver: a solve CBC would not stop in time is cut at the limit")
{
  // A transportation LP of 600 × 1,000 columns: Clp takes 1.4 s over it on the reference machine, and
  // CBC's own limit does not interrupt an LP solve. With a limit of 0.2 s the copy is killed then.
  const int sources = 600;
  const int sinks = 1000;
  const double inf = std::numeric_limits<double>::infinity();
  LinearModel m;
  std::vector<std::vector<std::pair<int, double>>> into(static_cast<std::size_t>(sinks));
  double supply = 0;
  for (int i = 0; i < sources; ++i) {
    std::vector<std::pair<int, double>> out;
    for (int j = 0; j < sinks; ++j) {
      const double cost = 1 + static_cast<double>((i * 7919LL + j * 104729LL + static_cast<long long>(i) * j) % 1000);
      const int col = m.add_col(fmt::format("t{}_{}", i, j), 0, inf, cost, false);
      out.emplace_back(col, 1.0);
      into[static_cast<std::size_t>(j)].emplace_back(col, 1.0);
    }
    m.add_row(fmt::format("supply{}", i), -inf, 10 + i % 7, std::move(out));
    supply += 10 + i % 7;
  }
  for (int j = 0; j < sinks; ++j) {
    m.add_row(fmt::format("demand{}", j), 0.9 * supply / sinks, inf, std::move(into[static_cast<std::size_t>(j)]));
  }
  const auto start = std::chrono::steady_clock::now();
  const MilpResult lp = solve_with_cbc(m, 0.2, nullptr, true);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // A much faster machine may finish the LP in time; otherwise nothing comes back, at the limit.
  CHECK((lp.timed_out || lp.optimal));
  CHECK(lp.timed_out != lp.has_solution);
  CHECK(took < 0.8);
}

TEST_SUITE_END();
