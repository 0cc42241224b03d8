#pragma once
// Demand and price conversion: a workload's need expressed in a quota's own period, and an overage
// price expressed as monthly USD per unit of that period (docs/placement.md "Rate conversion").

#include <optional>

#include "core/catalog.hpp"
#include "core/manifest.hpp"

namespace helios::placement {

// Hours an always-on instance runs in a month (30 days × 24 h): the implicit `hours` need of a compute,
// hosting or database workload that states none.
inline constexpr double k_always_on_hours = 720;

// The amount of `need` in `quota_period`: two rates convert in proportion to their periods' lengths
// (2,000/day = 60,000/month); two static amounts compare directly; a static amount against a rate (or a
// rate against a static amount) counts per month, the billing period.
double demand_in_period(const Amount& need, Period quota_period);

// The workload's need for `dimension` (per replica) as an amount: the stated need; else, implicitly,
//  - hours/instance_hours/compute_hours: 720 h/month for a compute, hosting or database workload on an
//    offering that never sleeps (`sleeps`: the offering sleeps when idle, and then nothing is implied);
//  - instances/projects/databases/services/apps/scripts/sites: 1 (each replica is one of them).
std::optional<Amount> workload_need(const Workload& workload, std::string_view dimension, bool sleeps = false);

// Dimensions that count things, of which each replica is one.
bool counts_instances(std::string_view dimension);

// Monthly USD per unit beyond the free amount of a quota with period `quota_period`: a rate quota
// exceeded by one unit per period is exceeded by month/period units a month; a static quota exceeded by
// one unit is held for the month (priced per the price's own period).
double monthly_price_per_unit(const OveragePrice& price, Period quota_period);

}  // namespace helios::placement
