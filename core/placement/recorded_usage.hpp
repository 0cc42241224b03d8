#pragma once
// The seam between the ledger and placement: usage already recorded in <state>/ledger.db (reported by
// agents, read from rate-limit headers and usage APIs) becomes RecordedUsage, which placement leaves room
// for. No ledger in the state directory: no recorded usage (and nothing is created).

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/placement.hpp"

namespace helios::placement {

Result<std::vector<RecordedUsage>> recorded_usage_from_ledger(const std::string& state_dir);

}  // namespace helios::placement
