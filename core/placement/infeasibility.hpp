#pragma once
// Infeasible stacks: the error (exit 4) naming the binding constraints and the closest alternatives, e.g.
// "no offering in region eu has 2GB of free database storage left; neon/free offers 500MB".

#include "core/error.hpp"
#include "core/placement/instance.hpp"
#include "core/placement/solver.hpp"

namespace helios::placement {

ErrorInfo infeasibility_error(const Instance& instance, const SolveReport& report);

}  // namespace helios::placement
