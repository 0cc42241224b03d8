#pragma once
// The catalog: offerings (provider × product × regions) with their free quotas, per-instance limits,
// overage prices and the source, as-of date and confidence of every number. The built-in catalog is
// compiled into the binary from providers/<provider>/catalog.yaml; user catalogs add or override
// offerings by id.

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
  Provenance provenance;   // defaults to the offering's
};

// A per-instance limit: one instance cannot exceed it whatever the quota (e.g. memory 512Mi).
struct InstanceLimit {
  std::string dimension;
  double max = 0;
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
  std::string model;                       // ai: the model id this offering serves
  std::string base_url;                    // ai: OpenAI-compatible base URL
  std::string credential_env;              // default variable holding the token
  std::string group;                       // provider group for `near:` (e.g. "cloudflare")
  Provenance provenance;
  std::string notes;
  SourceLocation where;

  [[nodiscard]] bool serves_region(std::string_view region) const;
  [[nodiscard]] const FreeQuota* free_quota(std::string_view dimension) const;
  [[nodiscard]] const InstanceLimit* limit(std::string_view dimension) const;
  [[nodiscard]] const OveragePrice* overage_price(std::string_view dimension) const;
};

class Catalog {
public:
  // The built-in catalog, parsed once (at build time where possible) and cached.
  static const Catalog& builtin();

  // Adds or overrides offerings from a user catalog file (`apiVersion: helios/v1`, `kind: Catalog`).
  Result<void> merge_file(const std::string& path);
  Result<void> merge_text(const std::string& text, const std::string& path);

  [[nodiscard]] const std::vector<Offering>& offerings() const { return m_offerings; }
  [[nodiscard]] const Offering* find(std::string_view id) const;
  [[nodiscard]] std::vector<std::string> providers() const;

  void add(Offering offering);  // replaces an offering with the same id

private:
  std::vector<Offering> m_offerings;  // sorted by id
};

// Validates a user catalog file without merging it (`helios catalog check`).
Result<std::vector<Offering>> load_catalog_file(const std::string& path);

std::string_view confidence_name(Confidence confidence);
std::string_view scope_name(Scope scope);
nlohmann::json to_json(const Offering& offering);

}  // namespace helios
