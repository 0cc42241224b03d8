#pragma once
// Moving a live non-AI workload off a quota it is about to exhaust (`helios rotate --workload web --plan`,
// docs/rotate.md "Moving a live workload"): measure the quotas of the offering × account each recorded
// replica runs on against the ledger's usage; when one is at or above the threshold, re-place the stack
// with the workload's candidates under that account (and under any other account at or above the
// threshold) excluded and every other deployed workload pinned where it is. The caller turns the
// placement into a saved plan (core/plan.hpp), whose `move` action `helios apply` carries out.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/error.hpp"
#include "core/ledger.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/state/resource_record.hpp"

namespace helios {

// Default threshold: a quota window at 90 % or more of its limit makes a workload move.
inline constexpr double k_move_threshold = 0.9;

// One quota window of an offering under an account, measured now.
struct QuotaPressure {
  QuotaOwner owner;
  std::string dimension;
  Window window;
  double used = 0;
  double limit = 0;
  double fraction = 0;            // used / limit
  std::string source = "catalog"; // where the limit comes from: catalog | headers | usage-api | recorded
  EpochMs resets_at = 0;          // 0: never (static)
};

// A replica of the workload as state records it, with the pressure on its quotas.
struct CurrentReplica {
  std::string address;
  std::string provider;
  std::string offering;
  std::string account = "default";
  std::string region;
  std::vector<QuotaPressure> quotas;  // every window of the offering's quotas, tightest first
  [[nodiscard]] double worst() const { return quotas.empty() ? 0 : quotas.front().fraction; }
};

// A candidate the re-placement may not use, and why.
struct ExcludedCandidate {
  std::string offering;
  std::string account;
  std::string why;
};

struct MoveDecision {
  std::string stack;
  std::string workload;
  double threshold = k_move_threshold;
  std::vector<CurrentReplica> current;
  bool needed = false;
  std::string why;                        // the tightest window and how it compares to the threshold
  std::vector<ExcludedCandidate> excluded;  // filled by place_for_move
};

// The quota windows of `offering` under `account` with the ledger's usage in them (limits the ledger
// holds from headers or usage APIs replace the catalog's for the same window), tightest first. A null
// ledger has no usage.
Result<std::vector<QuotaPressure>> offering_pressure(Ledger* ledger, const Offering& offering, const std::string& account,
                                                     EpochMs now);

// The workload --plan may move: exit 2 when the stack has no such workload (did-you-mean) or it is an ai
// workload (nothing of it is deployed: its pool is rotated without --plan).
Result<const Workload*> movable_workload(const Stack& stack, const std::string& workload);

// Whether the workload's recorded replicas are at or above `threshold` of one of their quota windows.
// Errors (exit 2): the workload is unknown or an ai workload, or state records no resource for it.
Result<MoveDecision> assess_move(const Stack& stack, const std::vector<Offering>& offerings,
                                 const std::map<std::string, state::ResourceRecord>& records, Ledger* ledger,
                                 const std::string& workload, double threshold, EpochMs now);

// The placement that moves the workload: its candidates under the pressured accounts, and under any
// account whose quotas on that offering are at or above the threshold, are excluded; the other deployed
// workloads keep their recorded offering and account. Exit 4 when the workload has nowhere else to go.
// Fills decision.excluded.
Result<Placement> place_for_move(const Stack& stack, const std::vector<Offering>& offerings,
                                 const std::vector<RecordedUsage>& usage,
                                 const std::map<std::string, state::ResourceRecord>& records, Ledger* ledger,
                                 MoveDecision& decision, const PlacementOptions& options, EpochMs now);

// "--threshold": a fraction in (0, 1] ("0.9") or a percentage ("90%" or "90"). Exit 2 otherwise.
Result<double> parse_threshold(const std::string& text, const std::string& where);

nlohmann::json to_json(const QuotaPressure& pressure);
nlohmann::json to_json(const MoveDecision& decision);

}  // namespace helios
