#pragma once
// The typed model of a stack manifest (`apiVersion: helios/v1`, `kind: Stack`) and its loader.
// Every value keeps the SourceLocation it was read from so that errors name file:line:column.

#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/source_location.hpp"
#include "core/units.hpp"
#include "core/workload_kind.hpp"

namespace helios {

class YamlDocument;

// One need of a workload: a dimension (cpu, memory, storage, requests, tokens, egress, …) and an amount.
struct Need {
  std::string dimension;
  Amount amount;
  SourceLocation where;
};

// Runtime details, per kind: compute/hosting run an image or a command on a port with a health path.
struct Runtime {
  std::string image;
  std::string command;
  int port = 0;
  std::string health;                       // HTTP path checked after start, e.g. "/"
  std::map<std::string, std::string> env;   // plain settings only; secrets are never literals here
};

struct Workload {
  std::string name;
  WorkloadKind kind = WorkloadKind::compute;
  int replicas = 1;
  std::vector<Need> needs;
  std::vector<std::string> regions;         // empty: the stack's default regions
  std::string near;                         // another workload's name: same region or provider group
  bool spread = false;                      // replicas on distinct providers
  bool split = false;                       // AI: demand may be shared by several providers
  bool critical = false;                    // used by policies (spread for critical workloads)
  std::vector<std::string> providers_allow; // empty: any
  std::vector<std::string> providers_deny;
  std::vector<std::string> depends_on;      // references to other workloads (apply order, diagrams)
  std::string engine;                       // database: postgres | sqlite | libsql | mysql | redis …
  std::string bucket;                       // storage: bucket name
  std::vector<std::string> models;          // ai: acceptable models, in order of preference
  Runtime runtime;
  SourceLocation where;

  // The need for a dimension, or nullptr.
  [[nodiscard]] const Need* need(std::string_view dimension) const;
};

// Where credentials are found for one provider account; never the credentials themselves.
struct Account {
  std::string provider;
  std::string name = "default";
  std::string token_env;          // environment variable holding the API token
  std::string account_id_env;     // environment variable holding an account/organisation id, if any
  std::string credentials_entry;  // entry name in the credentials file (0600, outside the state repo)
  SourceLocation where;
};

// Something valid but probably not what the user meant (spread with one replica, a secret-looking
// runtime setting, …). `helios validate` prints them; they never fail a command.
struct ManifestWarning {
  std::string message;
  SourceLocation where;
};

struct Stack {
  std::string api_version;
  std::string kind;
  std::string name;
  std::map<std::string, std::string> labels;
  std::string environment;                  // e.g. production; policies read it
  std::string description;                  // free text
  double budget_monthly_usd = 0;
  std::vector<std::string> regions;         // default regions for workloads
  std::vector<std::string> providers_allow; // empty: any
  std::vector<std::string> providers_deny;
  std::vector<Account> accounts;
  std::vector<Workload> workloads;
  std::string file;                         // the manifest's path as given
  std::string digest;                       // sha256 of the manifest bytes, hex
  std::vector<ManifestWarning> warnings;    // see ManifestWarning
  SourceLocation where;                     // the document's start

  [[nodiscard]] const Workload* workload(std::string_view name) const;
  // The accounts declared for a provider; one implicit "default" account when none is declared.
  [[nodiscard]] std::vector<Account> accounts_for(std::string_view provider) const;
};

// Reads and validates a manifest file. Errors are exit 2 with file:line:column, the offending value,
// what was expected and a hint.
Result<Stack> load_manifest(const std::string& path);
// The same from text already in memory (`path` names it in errors).
Result<Stack> parse_manifest(const std::string& text, const std::string& path);
// The same from a document already read with YamlDocument (load_manifest is YamlDocument::load_file
// followed by this); `helios qc` uses it to read the typed stack and the raw tree from one parse.
Result<Stack> parse_manifest(YamlDocument& doc);

// Limits a manifest's values must stay within (documented in docs/manifest.md).
inline constexpr int k_max_replicas = 1000;
inline constexpr double k_max_cpu_cores = 1024;
inline constexpr double k_max_budget_usd = 1e6;

// True for a DNS-label-like name: 1 to 63 of [a-z0-9-], starting with a letter, not ending with '-'.
bool valid_name(std::string_view name);

// The typed stack back as JSON (for --json output, plan files and policy input).
nlohmann::json to_json(const Stack& stack);

}  // namespace helios
