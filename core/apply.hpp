#pragma once
// Apply (DESIGN.md "State repository", docs/state.md): executes a Plan against the providers.
// - Holds the stack's lock ref for the whole run and refuses a plan whose stack state moved since it was
//   computed (exit 5).
// - Runs actions in dependency order, up to `parallelism` at a time.
// - Before each provider call it writes an intent record to the stack's journal (core/state/journal.hpp);
//   after it, the result. At the end the journal is folded into main as one commit. A crash at any point
//   leaves a journal the next plan resumes from (adapters adopt by deterministic name): no duplicates.
// - On a failure no new action starts; in-flight ones finish and are recorded; the report says what was
//   done, what failed and what did not start.
// - move = create at the new provider, health check, cut over (the record points at the new resource,
//   the old one kept as `deposed`), delete the old; replace = delete, then create.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/plan.hpp"
#include "core/state/lock.hpp"
#include "core/state/repository.hpp"

namespace helios {

struct ApplyEvent {
  std::string address;
  std::string action;   // create, update, delete, replace, move
  std::string phase;    // start | done | failed
  std::string message;
  int finished = 0;     // actions finished so far
  int total = 0;        // actions with changes
};

struct ApplyOptions {
  int parallelism = 16;
  std::string command = "apply";
  std::string actor;                                   // default: state::default_actor()
  std::function<void(const ApplyEvent&)> on_event;     // called from worker threads, serialised
  int lock_lease_seconds = 120;
};

struct ActionOutcome {
  std::string address;
  std::string action;
  std::string status;   // done | failed | not_started
  std::string reason;
  std::string error;    // message of the failure
  double seconds = 0;
};

struct ApplyReport {
  std::string stack;
  std::string state_commit;   // main after the run
  std::string plan_digest;
  std::vector<ActionOutcome> outcomes;
  int done = 0;
  int failed = 0;
  int not_started = 0;
  std::string took_over_lock;  // id of a dead holder's lock this run took over, or empty
  [[nodiscard]] bool ok() const { return failed == 0 && not_started == 0; }
};

// Takes the stack's lock (exit 5 naming the holder when another operation holds it).
Result<std::unique_ptr<state::Lock>> lock_stack(const std::shared_ptr<state::Repository>& repo, const std::string& stack,
                                                const std::string& operation, int lease_seconds = 120);

// Runs the plan. `held` is the stack's lock when the caller already took it (to plan under the lock);
// otherwise apply_plan takes it. Errors: exit 5 when locked or the stack's state moved since the plan.
// Provider failures are not errors of this function: they are in the report (ok() false).
Result<ApplyReport> apply_plan(const std::shared_ptr<state::Repository>& repo, const Plan& plan,
                               const ProviderLookup& providers, const CredentialsLookup& credentials,
                               const ApplyOptions& options, state::Lock* held = nullptr);

nlohmann::json to_json(const ApplyReport& report);

}  // namespace helios
