#pragma once
// Builds the placement instance from a stack, a catalog and the usage already recorded: candidates per
// workload (eligibility, per-instance limits, instance-scoped quotas), shared pools per account (with the
// recorded usage converted to each quota's period and subtracted), free-instance counters, and the
// classes of interchangeable items.

#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/placement/instance.hpp"

namespace helios::placement {

// `offerings` sorted by id (Catalog::offerings()).
Result<Instance> build_instance(const Stack& stack, const std::vector<Offering>& offerings,
                                const std::vector<RecordedUsage>& usage);

// The accounts placement may use for a provider (Stack::accounts_for: the declared ones, else "default").
std::vector<Account> placement_accounts(const Stack& stack, const std::string& provider);

}  // namespace helios::placement
