#pragma once
// The feasibility checker: verifies every constraint of a Placement against the stack, the offerings and the
// recorded usage, from scratch. It shares no code with the solvers or the instance builder (only the unit
// conversions of core/units), so a modelling slip in one is caught by the other.

#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"

namespace helios::placement {

struct FeasibilityReport {
  bool ok = true;
  std::vector<std::string> violations;
  double cost_usd = 0;       // the monthly cost recomputed from the assignments
};

FeasibilityReport check_placement(const Stack& stack, const std::vector<Offering>& offerings,
                                  const std::vector<RecordedUsage>& usage, const Placement& placement);

}  // namespace helios::placement
