#pragma once
// What state records per resource (docs/state.md "Layout"): one file per workload replica,
// stacks/<stack>/resources/<address>.json, so `git diff` of a state commit reads per workload. A record
// carries the provider's view of the resource (ids, non-secret outputs, secret *references*), the spec it
// was made from, and — while a provider call is in flight — the intent, so a crash is recoverable.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/provider.hpp"
#include "core/state/repository.hpp"

namespace helios::state {

struct Intent {
  std::string action;   // create | update | delete | replace | move
  std::string started;  // RFC 3339 UTC
  std::string actor;
  std::string target_provider;  // move/replace: where the new resource goes
};

struct ResourceRecord {
  std::string address;          // "web", or "web[1]" for replica 1
  std::string workload;
  int replica = 0;
  WorkloadKind kind = WorkloadKind::compute;
  std::string provider;
  std::string offering;
  std::string account = "default";
  std::string region;
  std::string status;           // ready | pending (an intent without a result yet) | failed
  std::optional<Intent> intent; // set before a provider call, cleared with its result
  std::string spec_digest;      // sha256 of the ResourceSpec it was created or updated with
  nlohmann::json spec = nlohmann::json::object();  // that spec (name, offering, config): never secrets
  std::optional<Resource> resource;                // the provider's view; absent until created
  std::optional<Resource> deposed;                 // the old resource of an interrupted move, until deleted
  std::vector<std::string> depends_on;             // workloads it references (apply/delete order)
  std::string created;
  std::string updated;
};

// "web" for replica 0, "web[1]" for replica 1…
std::string resource_address(const std::string& workload, int replica);
// stacks/<stack>/resources/web.json, stacks/<stack>/resources/web.1.json
std::string resource_path(const std::string& stack, const std::string& address);
std::string stack_dir(const std::string& stack);
std::string stack_meta_path(const std::string& stack);  // stacks/<stack>/stack.json

nlohmann::json to_json(const Resource& resource);
Resource resource_from_json(const nlohmann::json& doc);
nlohmann::json to_json(const ResourceRecord& record);
Result<ResourceRecord> record_from_json(const nlohmann::json& doc, const std::string& where);
// The file text of a record (stable key order, trailing newline).
std::string render_record(const ResourceRecord& record);

// The ResourceSpec as JSON and its digest (what plan compares to detect updates).
nlohmann::json to_json(const ResourceSpec& spec);
ResourceSpec spec_from_json(const nlohmann::json& doc);
std::string spec_digest(const ResourceSpec& spec);

// Every record of a stack in a snapshot, by address.
Result<std::map<std::string, ResourceRecord>> load_records(const Snapshot& snapshot, const std::string& stack);
// Stack names recorded in a snapshot.
Result<std::vector<std::string>> load_stacks(const Snapshot& snapshot);

// The current time as RFC 3339 UTC.
std::string now_rfc3339();

}  // namespace helios::state
