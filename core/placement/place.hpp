#pragma once
// The entry point of placement: stack + catalog + recorded usage → Placement (or exit 4 with the binding
// constraints and the closest alternatives). Solver choice and time limit come from PlacementOptions.

#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/placement/instance.hpp"
#include "core/placement/solver.hpp"

namespace helios::placement {

Result<Placement> place(const Stack& stack, const Catalog& catalog, const std::vector<RecordedUsage>& usage,
                        const PlacementOptions& options);

// The same against offerings already in memory (sorted by id), as tests and benchmarks hold them.
Result<Placement> place(const Stack& stack, const std::vector<Offering>& offerings,
                        const std::vector<RecordedUsage>& usage, const PlacementOptions& options);

// The Placement of a solved instance (assignments with utilisation and cost, explain when asked).
Placement to_placement(const Instance& instance, const SolveReport& report, bool explain);

}  // namespace helios::placement
