#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include "core/placement/instance_builder.hpp"
#include "core/placement/milp_model.hpp"
#include "core/placement/solver.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

namespace {

struct CbcRun {
  std::string output;
  std::optional<double> objective;  // "Objective value:" of a proven optimum
  bool read_errors = false;
};

// Solves an MPS text with the `cbc` program (Debian coinor-cbc, installed by scripts/bootstrap).
CbcRun run_cbc(const std::string& mps, const std::string& tag)
{
  const auto path = std::filesystem::temp_directory_path() /
                    ("helios-test-mps-" + std::to_string(::getpid()) + "-" + tag + ".mps");
  {
    std::ofstream out(path);
    out << mps;
  }
  CbcRun run;
  FILE* pipe = popen(("cbc " + path.string() + " sec 20 threads 1 solve quit 2>&1").c_str(), "r");
  REQUIRE_MESSAGE(pipe != nullptr, "cannot start the cbc program");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
    run.output += buf.data();
  }
  const int rc = pclose(pipe);
  std::filesystem::remove(path);
  const std::string failure = "the cbc program failed (is coinor-cbc installed? scripts/bootstrap installs it)\n" + run.output;
  REQUIRE_MESSAGE(rc == 0, failure);
  std::istringstream lines(run.output);
  std::string line;
  bool optimal = false;
  while (std::getline(lines, line)) {
    optimal = optimal || line.rfind("Result - Optimal solution found", 0) == 0;
    if (line.rfind("Objective value:", 0) == 0) {
      run.objective = std::stod(line.substr(16));
    }
    run.read_errors = run.read_errors || line.find("There were") != std::string::npos ||
                      line.find("No match for") != std::string::npos;
  }
  if (!optimal) {
    run.objective.reset();
  }
  return run;
}

}  // namespace

TEST_CASE("milp model: MPS declares free format so long names and bounds read back in cbc")
{
  // min 2·long_column_name_a + 3·b  s.t.  a + b ≥ 1.5 (ranged up to 4), a ≤ 1 (integer), b ∈ [-inf, 10]
  // with b ≥ 0.25 through a row: optimum a = 1, b = 0.5 → 3.5.
  LinearModel m;
  const int a = m.add_col("long_column_name_a", 0, 1, 2, true);
  const int b = m.add_col("b", -std::numeric_limits<double>::infinity(), 10, 3, false);
  m.add_row("cover_with_a_long_row_name", 1.5, 4, {{a, 1.0}, {b, 1.0}});
  m.add_row("b_floor", 0.25, std::numeric_limits<double>::infinity(), {{b, 1.0}});
  const std::string mps = m.to_mps();
  CHECK(mps.rfind("NAME helios FREE\n", 0) == 0);
  CHECK(mps.find(" MI bnd b\n") != std::string::npos);
  CHECK(mps.find(" rng cover_with_a_long_row_name 2.5\n") != std::string::npos);
  const CbcRun run = run_cbc(mps, "small");
  CHECK_MESSAGE(!run.read_errors, run.output);
  REQUIRE_MESSAGE(run.objective.has_value(), run.output);
  CHECK(*run.objective == doctest::Approx(3.5));
}

TEST_CASE("milp model: the plain model solved by the cbc program agrees with helios's proven optima")
{
  int compared = 0;
  int costly = 0;
  for (unsigned seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    const auto r = random_instance(seed, 12 + static_cast<int>(seed % 3) * 6, 14);
    auto built = build_instance(r.stack, r.offerings, {});
    REQUIRE(built.has_value());
    PlacementOptions exact_opt;
    exact_opt.solver = PlacementOptions::Solver::exact;
    exact_opt.time_limit_seconds = 10;
    const SolveReport exact = solve_instance(*built, exact_opt);
    ModelMap map;
    const LinearModel plain = build_model(*built, {}, Formulation::plain, false, map);
    const CbcRun run = run_cbc(plain.to_mps(), std::to_string(seed));
    CHECK_MESSAGE(!run.read_errors, run.output);
    if (!exact.complete || !exact.optimal || !run.objective) {
      continue;
    }
    ++compared;
    costly += exact.cost > 1e-9 ? 1 : 0;
    CHECK(*run.objective == doctest::Approx(exact.cost).epsilon(1e-6));
  }
  CHECK(compared >= 6);
  CHECK(costly >= 2);
}

TEST_SUITE_END();
