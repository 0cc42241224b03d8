#pragma once
// The one interface every provider adapter implements (DESIGN.md "Providers"): validate credentials,
// create, read, update, delete, list, usage. core knows this interface and no provider; providers/
// implement it and register in providers/registry.cpp.
//
// Contract for adapters:
// - create is idempotent by ResourceSpec::name (a deterministic name derived from stack and workload):
//   when a resource with that name already exists (an interrupted earlier create), it is adopted, not
//   duplicated.
// - read returns std::nullopt when the resource is gone (drift), an error only when the provider failed.
// - Errors are ErrorInfo with exit runtime (1), naming provider, operation and HTTP status; the message
//   never contains a credential.
// - Secret outputs (connection strings, keys) are never returned as values in Resource::outputs; they go
//   in Resource::secret_refs as references (e.g. "env:NEON_DB_URL" or "local:<path>").

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/units.hpp"
#include "core/workload_kind.hpp"

namespace helios {

// Where an adapter finds its token: the names of variables, resolved from the environment or the
// credentials file at call time. Never stored in state.
struct Credentials {
  std::string account = "default";
  std::string token;       // resolved value, in memory only
  std::string account_id;  // resolved value (e.g. Cloudflare account id, Neon org id), may be empty
  std::string token_ref;   // where the token came from ("env:GROQ_API_KEY"), for Resource::secret_refs
};

// What the placement asks a provider to make for one workload.
struct ResourceSpec {
  std::string stack;
  std::string workload;
  std::string name;         // deterministic: "helios-<stack>-<workload>", the idempotency key
  WorkloadKind kind = WorkloadKind::compute;
  std::string offering;     // catalog offering id, e.g. "neon/free"
  std::string product;      // catalog product
  std::string region;
  nlohmann::json config = nlohmann::json::object();  // runtime details: image, command, port, engine, …
};

// What exists at a provider.
struct Resource {
  std::string provider;
  std::string type;         // provider's resource type, e.g. "workers_script", "project", "process"
  std::string id;           // provider's id
  std::string name;         // the deterministic name it was created with
  std::string region;
  std::string status;       // provider's status string: "ready", "deploying", "sleeping", …
  nlohmann::json attributes = nlohmann::json::object();     // non-secret attributes as the provider reports them
  std::map<std::string, std::string> outputs;                // non-secret outputs (URL, host, port)
  std::map<std::string, std::string> secret_refs;            // name → reference, never a value
};

struct UsageReading {
  std::string dimension;
  double used = 0;
  Period period = Period::month;
  std::string window_start;  // RFC 3339, UTC
  std::string window_end;    // RFC 3339, UTC
};

class Provider {
public:
  virtual ~Provider() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  virtual Result<void> validate_credentials(const Credentials& credentials) = 0;
  virtual Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) = 0;
  virtual Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) = 0;
  virtual Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) = 0;
  virtual Result<void> remove(const Resource& resource, const Credentials& credentials) = 0;
  virtual Result<std::vector<Resource>> list(const Credentials& credentials) = 0;
  virtual Result<std::vector<UsageReading>> usage(const Credentials& credentials) = 0;
  // An HTTP health check of a running resource (compute/hosting); true when it answers 2xx/3xx.
  virtual Result<bool> healthy(const Resource& resource) { (void)resource; return true; }
};

}  // namespace helios
