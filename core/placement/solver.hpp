#pragma once
// The solver driver: fast (heuristic + certified bound), exact (MILP through CBC per component, warm-started
// from the heuristic, within the time limit) and auto (the heuristic, then the MILP only on components whose
// gap the LP bound does not close). Every answer carries its cost, a certified lower bound and whether it is
// proven optimal.

#include <string>

#include "core/placement.hpp"
#include "core/placement/instance.hpp"
#include "core/placement/solution.hpp"

namespace helios::placement {

struct SolveReport {
  Solution solution;
  bool complete = false;       // every item placed and every constraint holds (budget included)
  double cost = 0;
  double lower_bound = 0;      // certified
  bool optimal = false;        // cost proven minimal
  bool bound_exceeds_budget = false;  // proven: no placement fits the budget
  double min_headroom = 0;
  std::string solver;          // fast | exact | exact+fast
  double seconds = 0;
  int components = 0;
  int milp_components = 0;     // components handed to CBC
  int timed_out_components = 0;  // components the time limit left without CBC's answer (fast's stands)
};

// Cost and bound within this relative tolerance count as equal (proven optimal).
inline constexpr double k_optimality_tolerance = 1e-6;

SolveReport solve_instance(const Instance& instance, const PlacementOptions& options);

// The LP-relaxation bound of the whole instance (sum over components), within `seconds`; 0 if not solved.
double lp_bound(const Instance& instance, double seconds);

}  // namespace helios::placement
