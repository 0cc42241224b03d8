#pragma once
// Quota-aware placement: each workload replica → (offering, account); an AI workload with split: true →
// a weighted pool of offerings. The solvers live in core/placement/; this header is the result every
// other part of helios (plan, rotate, render, qc) reads.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"

namespace helios {

// Usage already recorded (from the ledger) that placement must leave room for.
struct RecordedUsage {
  std::string provider;
  std::string account = "default";
  std::string pool;        // FreeQuota::pool, or the offering id when the quota has no shared pool
  std::string dimension;
  Period period = Period::month;
  double used = 0;
};

// One replica (or one share of a split AI workload) placed on an offering under an account.
struct Assignment {
  std::string workload;
  int replica = 0;
  std::string offering;     // catalog id
  std::string provider;
  std::string account = "default";
  std::string region;
  double weight = 1.0;      // split pools: the share of the workload's demand, summing to 1 per workload
  std::map<std::string, double> utilisation;  // dimension → fraction of the free amount used after placement
  double monthly_cost_usd = 0;
};

struct RejectedCandidate {
  std::string workload;
  std::string offering;
  std::string account;
  std::string reason;       // "region eu not served", "storage 2Gi exceeds free 512Mi (hard_cap)", …
  double monthly_cost_usd = 0;
};

struct PlacementOptions {
  enum class Solver { automatic, exact, fast } solver = Solver::automatic;
  double time_limit_seconds = 10;
  bool explain = false;
};

struct Placement {
  std::string stack;
  std::vector<Assignment> assignments;  // sorted by workload, replica, offering
  double cost_usd = 0;                  // monthly overage cost
  double lower_bound_usd = 0;           // best certified lower bound on the cost
  double min_headroom = 0;              // headroom left on the tightest dimension (fraction)
  bool optimal = false;                 // proven optimal
  std::string solver;                   // "exact" | "fast" | "exact+fast"
  double solve_seconds = 0;
  int timed_out_components = 0;         // the time limit left this many components without CBC's answer
  std::vector<RejectedCandidate> rejected;  // with explain: best rejected candidates per workload

  [[nodiscard]] std::vector<const Assignment*> for_workload(std::string_view workload) const;
};

nlohmann::json to_json(const Placement& placement);

}  // namespace helios
