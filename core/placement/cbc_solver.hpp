#pragma once
// Solves a LinearModel with CBC through its C interface (coin/Cbc_C_Interface.h). CBC is not thread-safe:
// one model at a time per process, guarded by a mutex here. Reports the incumbent, the proven lower bound
// and whether optimality was proven; `relax` solves the LP relaxation (every column continuous).
//
// `seconds` is a hard limit. CBC's own limit is not: it reads the clock between nodes, so one LP solve
// or the processing of a warm start can run far past it (the LP relaxation of a 10,000-workload model:
// 16 s against a limit of 2). Models of k_forked_nonzeros or more are therefore solved in a forked copy
// of the process (core/forked_call.hpp), killed at the limit; the result then says `timed_out`.
// Smaller ones are solved in-process, where CBC keeps its limit and a fork would cost more than the solve.

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
  bool timed_out = false;      // stopped at the limit with no answer at all
};

inline constexpr std::size_t k_forked_nonzeros = 20'000;

MilpResult solve_with_cbc(const LinearModel& model, double seconds, const std::vector<double>* warm_start, bool relax);

}  // namespace helios::placement
