#pragma once
// Candidate eligibility: whether an offering may serve a workload at all, before any quantity is looked at
// (kind, region incl. `global`, provider allow/deny at stack and workload level, database engine, AI model).

#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"

namespace helios::placement {

// The regions a workload may run in: its own, else the stack's; empty means anywhere.
std::vector<std::string> workload_regions(const Stack& stack, const Workload& workload);

// The workload's regions the offering serves, in the workload's order (`global` serves every region);
// the offering's own regions when the workload names none. Empty: the offering serves none of them.
std::vector<std::string> served_regions(const std::vector<std::string>& wanted, const Offering& offering);

// Whether a provider filter entry names this offering: its provider, its id or its group.
bool names_offering(const std::string& entry, const Offering& offering);

struct Ineligible {
  std::string reason;
  int severity = 0;  // 0 other kind, 1 filtered by the manifest (provider/region), 2 engine/model
};

// Why the offering cannot serve the workload, or nothing when it may.
std::optional<Ineligible> ineligibility(const Stack& stack, const Workload& workload, const Offering& offering);

// The position of the offering's model in the workload's list of acceptable models (0 when none is listed).
int model_preference(const Workload& workload, const Offering& offering);

}  // namespace helios::placement
