#pragma once
// A workload's rotation pool from the manifest and the catalog: the AI offerings serving one of its
// models (in the manifest's order of preference), filtered by the stack's and workload's provider
// allow/deny lists, each with its free quotas as ledger limits and its credential variable (the stack's
// `accounts:` token_env when it names one, else the catalog's). With a placement, the placement's
// assignments come first with their weights; the other eligible offerings follow as fallbacks.

#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/rotate.hpp"

namespace helios {

Result<RotationPool> build_pool(const Stack& stack, const std::vector<Offering>& offerings, const Placement* placement,
                                const std::string& workload);

// The ledger limits of an offering's free quotas (static capacities excluded) under an account.
std::vector<QuotaLimit> offering_limits(const Offering& offering, const std::string& account);

}  // namespace helios
