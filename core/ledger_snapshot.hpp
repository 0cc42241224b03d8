#pragma once
// Ledger snapshots in the state repository: `ledger/snapshot.json` holds the `helios quota --json` document
// (quotas, cooldowns, recent rotations) as of the commit. Written by `helios quota sync`, with every
// `helios checkpoint save`, and by apply through commit_ledger_snapshot.

#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace helios {

inline constexpr const char* k_ledger_snapshot_path = "ledger/snapshot.json";

// Commits the ledger of `state_dir` as ledger/snapshot.json (compare-and-swap with retries); returns the
// commit id. `command` goes into the commit's Helios-Command trailer.
Result<std::string> commit_ledger_snapshot(const std::string& state_dir, const std::string& command,
                                           const std::string& message = {});

// The snapshot document of `state_dir`'s ledger now (null when the state directory has no ledger).
Result<nlohmann::json> ledger_snapshot(const std::string& state_dir, int rotations = 20);

}  // namespace helios
