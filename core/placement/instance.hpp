#pragma once
// The placement instance: what the solvers see. Built once from a stack, a catalog and the usage already
// recorded (core/placement/instance_builder.cpp); every solver, bound and checker reads it.
//
// Items are workload replicas (a split AI workload is one item whose demand is shared by weights).
// Items that are interchangeable (same kind, needs, regions, filters, no near/spread/split) are grouped
// into one class: the solvers decide how many items of a class go to each candidate, which removes the
// symmetry between identical workloads. A candidate is an (offering, account) pair with the pools it
// draws from and the fixed monthly cost of its instance-scoped overage.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/units.hpp"
#include "core/workload_kind.hpp"

namespace helios::placement {

// A pool of free quota: an account/organization-scoped amount shared by every item placed under one
// account on the offerings naming it (`pool`), for one dimension and period.
struct Pool {
  std::string key;          // provider/account/pool/dimension/period
  std::string provider;
  std::string account;
  std::string pool_id;      // FreeQuota::pool or the offering id
  std::string dimension;
  Period period = Period::none;
  double quota = 0;         // the free amount per period (base units)
  double recorded = 0;      // usage already recorded, converted to `period`
  double capacity = 0;      // free amount left for this stack: max(0, quota - recorded)
  bool billable = false;    // can exceed the free amount (never on hard_cap)
  double price = 0;         // monthly USD per unit (per period) beyond `capacity`
  std::vector<std::string> offerings;  // the offerings drawing from it (sorted)
};

struct PoolUse {
  int pool = 0;
  double amount = 0;        // in the pool's period (base units)
};

// One instance-scoped (project/instance) quota as it applies to one candidate.
struct InstanceQuota {
  std::string dimension;
  double demand = 0;
  double quota = 0;
  double cost = 0;          // monthly USD of the part beyond the quota
};

struct Candidate {
  int offering = 0;         // index into Instance::offerings
  std::string account;
  int slot = 0;             // (offering, account) index, shared by every class
  int provider = 0;         // index into Instance::providers
  int group = 0;            // near-group index (Offering::group, or the provider)
  std::vector<std::string> regions;  // the workload's regions this offering serves ("global" → all of them)
  std::uint64_t region_mask = 0;     // the same as bits of Instance::regions (when it has at most 64)
  bool mask_complete = false;        // every one of `regions` has its bit in region_mask
  bool global = false;               // `regions` holds "global"
  std::string region;       // the region reported for an assignment
  std::vector<PoolUse> uses;          // shared pools, sorted by pool
  std::vector<InstanceQuota> own;     // instance-scoped quotas
  double fixed_cost = 0;    // monthly USD of instance-scoped overage
  double own_utilisation = 0;  // the highest instance-scoped utilisation (0 when none)
  int counter = -1;         // free-instance counter, or -1
  int rank = 0;             // preference (lower first): model order, region order, offering id, account order
};

struct ItemClass {
  std::vector<int> items;            // item indices, ascending
  std::vector<Candidate> candidates; // sorted by rank
  std::vector<int> slot_candidate;   // slot → candidate index or -1
  bool split = false;                // one item whose demand is shared by weights
  bool spread = false;               // its items on distinct providers
  int near_target = -1;              // a class (the `near:` workload's) some item of which every item here must be near, or -1
  WorkloadKind kind = WorkloadKind::compute;
};

struct Item {
  int workload = 0;         // index into Instance::workloads
  int replica = 0;
  int cls = 0;
};

// Free instances one account may hold of one offering.
struct Counter {
  int offering = 0;
  std::string account;
  int capacity = 0;
};

struct OfferingRef {
  std::string id;
  std::string provider;
  std::string group;
  bool hard_cap = false;
};

struct WorkloadRef {
  std::string name;
  WorkloadKind kind = WorkloadKind::compute;
  int replicas = 1;
  bool split = false;
  std::vector<std::string> regions;
  std::string near;
};

// Why a candidate never made it into the instance (region, provider filter, engine, model, limits, …).
struct Exclusion {
  int group = 0;            // the candidate group (Instance::workload_group) it was excluded from
  std::string offering;
  std::string account;
  std::string reason;
  int severity = 0;  // how close it came: 1 filtered by the manifest, 2 engine/model, 3 only quantities fall short
  std::string dimension;    // severity 3: the dimension that falls short, its need and what is available
  double need = 0;
  double available = 0;
  Period period = Period::none;
};

struct Instance {
  std::string stack;
  double budget = 0;                  // monthly USD
  std::vector<WorkloadRef> workloads; // manifest order
  std::vector<OfferingRef> offerings;
  std::vector<std::string> providers;
  std::vector<std::string> groups;
  std::vector<std::string> regions;   // every region a candidate serves (bits of Candidate::region_mask)
  std::vector<Pool> pools;
  std::vector<Counter> counters;
  std::vector<Item> items;            // workload order, then replica
  std::vector<ItemClass> classes;
  int slots = 0;                      // number of distinct (offering, account) pairs
  std::vector<int> workload_group;    // per workload: its candidate group (workloads with equal signatures share one)
  std::vector<Exclusion> exclusions;  // per candidate group, for --explain and infeasibility reports

  // Whether two candidates satisfy `near:`: the same provider group, or a region in common.
  [[nodiscard]] static bool near_compatible(const Candidate& a, const Candidate& b);
  [[nodiscard]] const Candidate& candidate(int item, int index) const
  {
    return classes[static_cast<std::size_t>(items[static_cast<std::size_t>(item)].cls)]
      .candidates[static_cast<std::size_t>(index)];
  }
};

}  // namespace helios::placement
