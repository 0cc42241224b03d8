#pragma once
// --explain: for every workload, the best rejected candidates and why each lost (excluded by the manifest,
// engine/model, limits or quantities; or feasible but costlier, tighter, full, or lower in the tie-break).

#include <vector>

#include "core/placement.hpp"
#include "core/placement/instance.hpp"
#include "core/placement/solution.hpp"

namespace helios::placement {

// At most `per_workload` rejected candidates per workload, best first.
std::vector<RejectedCandidate> explain(const Instance& instance, const Solution& solution, int per_workload = 5);

}  // namespace helios::placement
