#pragma once
// One result of `helios qc`: a failure or a warning from a policy rule or a built-in check, located in
// the manifest when it can be.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/source_location.hpp"

namespace helios::policy {

enum class Severity { failure, warning };

struct Finding {
  std::string rule_id;      // stable: "<namespace>/<rule>" for policies, "helios/<check>" for built-in checks
  Severity severity = Severity::failure;
  std::string message;
  std::string namespace_name;  // policy package ("main"), or "helios" for built-in checks
  std::string rule;            // deny, deny_budget, warn, budget, …
  SourceLocation where;        // file:line:column (line 0: the file as a whole)
  nlohmann::json metadata = nlohmann::json::object();
};

// What a rule or check is, for SARIF's rule table.
struct RuleInfo {
  std::string id;
  std::string short_description;
  std::string full_description;
  std::string help;
};

struct QcReport {
  std::vector<Finding> findings;
  std::vector<RuleInfo> rules;        // every rule that ran (or produced a finding)
  std::vector<std::string> namespaces;
  std::vector<std::string> policy_files;
  std::string target;                 // the manifest (or plan) the checks ran on
  int tests = 0;                      // rules and checks evaluated
  int exceptions = 0;
  [[nodiscard]] int failures() const;
  [[nodiscard]] int warnings() const;
  [[nodiscard]] int passed() const;   // tests without a finding
};

const char* severity_name(Severity severity);  // "failure" | "warning"

}  // namespace helios::policy
