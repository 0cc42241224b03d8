#pragma once
// Where `helios render` gets its data: the manifest, the placement (computed now, or read from a saved
// plan), the quota ledger and the state repository's history. Reads only; writes nothing.

#include <string>
#include <vector>

#include "cli/context.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/render/mermaid.hpp"

namespace helios::cli {

struct StackSources {
  Stack stack;
  Placement placement;
  std::vector<render::QuotaBar> quota;
  std::vector<render::HistoryEntry> history;
};

// Loads what the diagrams named by `what` (placement | quota | history | all) need.
StackSources load_stack_sources(const Context& ctx, const std::string& plan_file, const std::string& what);

}  // namespace helios::cli
