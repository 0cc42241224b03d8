#pragma once
// conftest-style policy gates: in each selected namespace (package; `main` by default) every rule named
// deny, violation or warn, or prefixed deny_, violation_, warn_, is evaluated over the input; deny and
// violation results are failures, warn results warnings. A result is a message string or an object with
// `msg` (and metadata: `_loc: {file, line}`, `workload`, `id`). `exception contains ["name"]` exempts
// deny_name / violation_name, counted as exceptions.

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/policy/compiler.hpp"
#include "core/policy/evaluator.hpp"
#include "core/policy/finding.hpp"

namespace helios::policy {

struct GateOptions {
  std::vector<std::string> namespaces;  // empty: {"main"}
  bool all_namespaces = false;
  EvalOptions eval;
};

// Where a result points, from its metadata (and the default location when nothing better is known).
using Locator = std::function<SourceLocation(const nlohmann::json& metadata)>;

Result<void> run_policies(const std::shared_ptr<const Policy>& policy, const Value& data, const Value& input,
                          const GateOptions& options, const Locator& locate, QcReport& report);

// Packages present in the policy, dotted ("main", "helios.budget").
std::vector<std::string> policy_namespaces(const Policy& policy);

}  // namespace helios::policy
