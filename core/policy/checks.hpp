#pragma once
// Built-in checks of `helios qc` that need no policy:
//   helios/manifest-invalid  the manifest does not load with load_manifest (core/manifest.hpp): the same
//                            message and file:line:column as `helios validate`
//   helios/manifest-warning  the loader's warnings (valid, but probably not what was meant)
//   helios/budget            the plan's monthly cost against spec.budget.monthly_usd (default 0)
//   helios/quota-headroom    a placed dimension or a ledger window with less headroom than the threshold
//   helios/secret-literal    secret-looking literals in the manifest (known token prefixes, high entropy)
//   helios/catalog-stale     catalog figures the plan relies on older than N days

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/policy/finding.hpp"
#include "core/policy/value.hpp"

namespace helios::policy {

struct CheckInput {
  std::string manifest_file;
  std::string manifest_text;           // raw bytes (for secret scanning with line numbers)
  std::optional<Value> manifest;       // the manifest as written (YAML → value), when it parsed
  bool manifest_loaded = false;        // a manifest file was read (false: a plan alone is checked)
  std::optional<ErrorInfo> manifest_error;  // what load_manifest refused, when it did
  std::optional<Stack> stack;          // the typed stack, when it loaded (its warnings are reported)
  std::map<std::string, SourceLocation> locations;  // "workload:<name>", "budget", "metadata" → where
  std::optional<Value> plan;
  std::vector<const Offering*> offerings;  // catalog entries the plan (or the user catalogs) rely on
  nlohmann::json quota = nlohmann::json::array();  // ledger windows: {provider, account, pool, dimension, used, limit}
  double headroom_threshold = 0.2;     // warn when less than this fraction is left
  int max_catalog_age_days = 180;
  std::int64_t today_days = 0;         // days since 1970-01-01 (UTC)
};

void run_builtin_checks(const CheckInput& input, QcReport& report);

// file:line:column (the file may itself hold ':') as a location; `file:line`, `file` and `` too.
SourceLocation location_of(const std::string& where, const std::string& fallback_file);

// Shannon entropy in bits per character.
double shannon_entropy(const std::string& text);
// Whether a literal looks like a credential: a known token prefix, or long, mixed and high-entropy.
std::optional<std::string> secret_kind(const std::string& literal);
// Days since 1970-01-01 of a YYYY-MM-DD date; nullopt when malformed.
std::optional<std::int64_t> days_of_date(const std::string& date);

}  // namespace helios::policy
