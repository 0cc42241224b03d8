#pragma once
// The catalog: offerings (provider × product × regions) with their free quotas, per-instance limits,
// overage prices and the source, as-of date and confidence of every number. The built-in catalog is
// compiled into the binary from providers/<provider>/catalog.yaml (see providers/builtin_catalog.hpp);
// user catalogs add or override offerings by id. Format: docs/catalog.md.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/source_location.hpp"
#include "core/units.hpp"
#include "core/workload_kind.hpp"

namespace helios {

enum class Confidence { confirmed, secondary, unconfirmed };

// Who shares a free amount: account/organization: one pool per account for every workload placed on
// the offering (or on every offering naming the same `pool`); project/instance: each instance its own.
enum class Scope { account, organization, project, instance };

struct Provenance {
  std::string source;   // URL
  std::string as_of;    // YYYY-MM-DD
  Confidence confidence = Confidence::unconfirmed;
  std::string note;     // e.g. "sources conflict: 100k (docs) vs 10k (pricing page); took the safer"
};

struct FreeQuota {
  std::string dimension;   // requests, tokens, storage, egress, hours, …
  Amount amount;           // amount per period (period none: a static capacity)
  Scope scope = Scope::account;
  std::string reset;       // "00:00 UTC", "00:00 America/Los_Angeles", "1st of month", "rolling"
  std::string pool;        // shared pool id across offerings (e.g. "cloudflare/workers-requests"); empty: the offering's own
  bool measured = false;   // `amount: machine`: this machine's capacity, measured when the catalog loads
  Provenance provenance;   // defaults to the offering's
  SourceLocation where;
};

// A per-instance limit: one instance cannot exceed it whatever the quota (e.g. memory 512Mi).
struct InstanceLimit {
  std::string dimension;
  double max = 0;          // in base units of the dimension (bytes, cores, count, hours)
  bool measured = false;   // `max: machine`
  Provenance provenance;
};

// What one unit beyond the free amount costs.
struct OveragePrice {
  std::string dimension;
  double usd = 0;          // price per `per` units
  double per = 1;          // in base units of the dimension
  Period period = Period::month;
  Provenance provenance;
};

struct Offering {
  std::string id;          // provider/product
  std::string provider;
  std::string product;
  WorkloadKind kind = WorkloadKind::compute;
  std::vector<std::string> regions;        // "global" serves any region
  std::string api;                         // the API family its adapter speaks (cloudflare-v4, openai-compatible, local, …)
  std::vector<FreeQuota> free;
  std::vector<InstanceLimit> limits;
  int free_instances = 0;                  // per account; 0 = no limit
  bool hard_cap = false;                   // stops rather than bills beyond the free amount
  std::vector<OveragePrice> overage;       // empty and !hard_cap: cannot exceed the free amount either
  int idle_sleep_minutes = 0;              // sleeps after N idle minutes; 0 = never
  std::vector<std::string> engines;        // database engines offered (postgres, sqlite, libsql, …)
  std::string model;                       // ai: the model id the provider's API expects (llama-3.3-70b-versatile)
  std::vector<std::string> model_aliases;  // ai: other names manifests use for that model (besides product)
  std::string base_url;                    // ai: OpenAI-compatible base URL
  std::string credential_env;              // default variable holding the token
  std::string group;                       // provider group for `near:` (e.g. "cloudflare")
  Provenance provenance;
  std::string notes;
  SourceLocation where;

  [[nodiscard]] bool serves_region(std::string_view region) const;
  // ai: whether a manifest's model name means this offering's model: the API id (`model`), the
  // product (the common name, e.g. llama-3.3-70b for groq's llama-3.3-70b-versatile) or an alias.
  [[nodiscard]] bool serves_model(std::string_view name) const;
  [[nodiscard]] const FreeQuota* free_quota(std::string_view dimension) const;
  [[nodiscard]] const InstanceLimit* limit(std::string_view dimension) const;
  [[nodiscard]] const OveragePrice* overage_price(std::string_view dimension) const;
};

class Catalog {
public:
  // Adds or overrides offerings from a user catalog file (`apiVersion: helios/v1`, `kind: Catalog`).
  // Returns the ids that replaced an offering already present.
  Result<std::vector<std::string>> merge_file(const std::string& path);
  Result<std::vector<std::string>> merge_text(const std::string& text, const std::string& path);

  [[nodiscard]] const std::vector<Offering>& offerings() const { return m_offerings; }
  [[nodiscard]] const Offering* find(std::string_view id) const;
  [[nodiscard]] std::vector<std::string> providers() const;

  void add(Offering offering);  // replaces an offering with the same id

private:
  std::vector<Offering> m_offerings;  // sorted by id
};

// Validates a user catalog file without merging it (`helios catalog check`). Errors (exit 2) name
// file:line:column, the value, what was expected and a hint; details.errors lists every problem found.
Result<std::vector<Offering>> load_catalog_file(const std::string& path);
Result<std::vector<Offering>> parse_catalog_text(const std::string& text, const std::string& path);

// Fills `amount: machine` quotas and limits with this machine's capacity: cpu (online cores), memory
// (physical memory), storage (free disk space under `directory`). Cheap: sysconf and statvfs.
void measure_machine(std::vector<Offering>& offerings, const std::string& directory = ".");

std::string_view confidence_name(Confidence confidence);
std::optional<Confidence> parse_confidence(std::string_view text);
std::string_view scope_name(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

// The unit kind of a quota dimension (count when unknown).
UnitKind quota_unit(std::string_view dimension);

// JSON round trip (the embedded built-in catalog is compact JSON of to_json(catalog)).
nlohmann::json to_json(const Offering& offering);
nlohmann::json to_json(const Catalog& catalog);
Result<Offering> offering_from_json(const nlohmann::json& doc);
Result<Catalog> catalog_from_json(const nlohmann::json& doc);

}  // namespace helios
