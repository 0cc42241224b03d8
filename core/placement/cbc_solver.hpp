#pragma once
// Solves a LinearModel with CBC through its C interface (coin/Cbc_C_Interface.h). CBC is not thread-safe:
// one model at a time per process, guarded by a mutex here. Reports the incumbent, the proven lower bound
// and whether optimality was proven; `relax` solves the LP relaxation (every column continuous).

#include <vector>

#include "core/placement/milp_model.hpp"

namespace helios::placement {

struct MilpResult {
  bool has_solution = false;
  bool optimal = false;        // proven optimal (MILP) / solved (LP)
  bool infeasible = false;     // proven infeasible
  double objective = 0;        // of the incumbent
  double bound = 0;            // certified lower bound (0 when none was established)
  std::vector<double> values;  // the incumbent's column values
};

MilpResult solve_with_cbc(const LinearModel& model, double seconds, const std::vector<double>* warm_start, bool relax);

}  // namespace helios::placement
