#pragma once
// What plan, apply and destroy share: loading the stack and catalog, placing it, opening the state
// repository, the adapters (one per provider, created on first use) and the credentials resolver.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "core/apply.hpp"
#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/plan.hpp"
#include "core/state/repository.hpp"

namespace helios::cli {

struct PlanFlags {
  bool refresh = true;
  bool destroy = false;
  std::string stack;  // destroy: which recorded stack (default: the manifest's, or the only one)
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
};

class Deployment {
public:
  explicit Deployment(const Context& ctx);

  // The manifest (exit 2 on bad input); cached.
  const Stack& stack();
  const Catalog& catalog();
  // The stack's state repository; `create` makes it on first use.
  std::shared_ptr<state::Repository> repository(bool create);
  // Placement of the stack against the catalog and the recorded usage (exit 4 when infeasible).
  Placement place();
  // A plan of the stack against the current state (destroy: of removing everything recorded).
  Plan plan(const PlanFlags& flags);
  // The same against a placement the caller computed (`rotate --plan`: a workload moved off its quota).
  Plan plan(const PlanFlags& flags, const Placement& placement);

  ProviderLookup providers();
  CredentialsLookup credentials();
  [[nodiscard]] const std::string& state_dir() const { return m_state_dir; }

private:
  Plan plan_desired(const std::string& stack_name, const std::vector<DesiredResource>& desired, const PlanFlags& flags);

  const Context& m_ctx;
  std::string m_state_dir;
  std::optional<Stack> m_stack;
  std::optional<Catalog> m_catalog;
  std::shared_ptr<state::Repository> m_repo;
  std::map<std::string, std::unique_ptr<Provider>> m_adapters;
  std::mutex m_mutex;
};

// The stack name for destroy/state commands: from the manifest when it exists, else the only stack
// recorded in state (exit 2 when ambiguous).
std::string stack_name_for(const Context& ctx, Deployment& deployment, const std::string& explicit_stack);

// Writes a plan's JSON document to `path` (through a temporary file and a rename); exit 1 when it cannot.
void save_plan(const nlohmann::json& doc, const std::string& path);

// Human rendering of a plan (stdout) and its drift.
void print_plan(const Context& ctx, const Plan& plan);
// Runs a plan under `lock` (or taking it) and prints the report; sets ctx.exit_code 1 on failures.
void run_and_report(Context& ctx, Deployment& deployment, const Plan& plan, int parallelism, const std::string& command,
                    state::Lock* lock);
// Prints apply progress on stderr (a line per event; a bar on a TTY).
std::function<void(const ApplyEvent&)> progress_printer(const Context& ctx);

}  // namespace helios::cli
