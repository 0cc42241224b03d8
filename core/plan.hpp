#pragma once
// Plan (DESIGN.md "Plan"): the actions that take recorded state to the placement — create, update,
// delete, replace, move, no-op — each with its reason, in apply order, plus drift found by refresh.
// A saved plan (`helios plan -o plan.json`, docs/plan.md) is what `helios apply plan.json` executes; it
// names the state commit it was computed from and is refused when the stack's state moved since.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/provider.hpp"
#include "core/state/repository.hpp"
#include "core/state/resource_record.hpp"

namespace helios {

inline constexpr const char* k_plan_format_version = "1.0";

enum class ActionType { create, update, remove, replace, move, noop };
std::string_view action_name(ActionType type);  // create, update, delete, replace, move, no-op
std::optional<ActionType> parse_action(std::string_view name);

// What the placement wants to exist for one workload replica.
struct DesiredResource {
  std::string address;
  std::string workload;
  int replica = 0;
  std::string provider;
  std::string offering;
  std::string account = "default";
  std::string region;
  ResourceSpec spec;
  std::vector<std::string> depends_on;  // workload names
};

struct PlannedAction {
  ActionType type = ActionType::noop;
  std::string address;
  std::string workload;
  int replica = 0;
  std::string reason;
  bool deposed = false;                          // delete of a resource a move/replace left behind
  std::optional<state::ResourceRecord> before;   // what state records
  std::optional<DesiredResource> after;          // what will exist
  std::vector<std::string> depends_on;           // addresses this action waits for
};

struct DriftItem {
  std::string address;
  std::string change;   // deleted | changed
  std::string detail;
  nlohmann::json before;
  nlohmann::json after;
};

struct Plan {
  std::string format_version = k_plan_format_version;
  std::string helios_version = HELIOS_VERSION;
  std::string stack;
  std::string manifest_file;
  std::string manifest_digest;
  std::string state_commit;   // the commit of main the plan was computed from
  std::string state_tree;     // object id of stacks/<stack> at that commit ("" = no state yet)
  std::string lineage;
  long long serial = 0;
  std::string created;
  bool refreshed = false;
  bool destroy = false;
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
  std::vector<PlannedAction> actions;  // apply order
  std::vector<DriftItem> drift;

  [[nodiscard]] bool has_changes() const;
  [[nodiscard]] std::map<std::string, int> summary() const;  // action name → count (no-op included)
  [[nodiscard]] std::string digest() const;                   // "sha256:…" of what apply would do
};

struct PlanOptions {
  bool refresh = true;
  bool destroy = false;
  std::vector<std::string> targets;   // workload names (their dependencies come along)
  std::vector<std::string> excludes;  // workload names (their dependents are excluded too)
};

// Finds an adapter by provider name (nullptr when none is registered) and the credentials for an account.
using ProviderLookup = std::function<Provider*(const std::string& provider)>;
using CredentialsLookup = std::function<Result<Credentials>(const std::string& provider, const std::string& account)>;

// The deterministic resource name: helios-<stack>-<workload>[-<replica>].
std::string resource_name(const std::string& stack, const std::string& workload, int replica);

// The resources a placement asks for (ai workloads have none: rotate serves them).
std::vector<DesiredResource> desired_resources(const Stack& stack, const Placement& placement);

// Diffs desired resources against the records in `snapshot`, refreshing real resources first unless
// options.refresh is false. Provider read errors fail the plan (exit 1).
Result<Plan> make_plan(const std::string& stack, const std::vector<DesiredResource>& desired,
                       const state::Snapshot& snapshot, const ProviderLookup& providers,
                       const CredentialsLookup& credentials, const PlanOptions& options);

nlohmann::json to_json(const DesiredResource& desired);
DesiredResource desired_from_json(const nlohmann::json& doc);
nlohmann::json to_json(const Plan& plan);
// Reads a saved plan; exit 2 naming the file when it is not a helios plan or has a newer major format.
Result<Plan> plan_from_json(const nlohmann::json& doc, const std::string& where);
Result<Plan> load_plan_file(const std::string& path);

}  // namespace helios
