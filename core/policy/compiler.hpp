#pragma once
// The compiler: resolves names (rules of the package, imports, input/data, functions vs builtins),
// indexes rules into a tree by their ground path below data, and reorders bodies so that every variable
// is bound before it is read (OPA's safety reordering).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/policy/ast.hpp"

namespace helios::policy {

struct RuleNode {
  std::vector<std::string> path;  // below data
  std::map<std::string, std::unique_ptr<RuleNode>> children;
  std::vector<RulePtr> rules;      // value and contains rules whose ground path ends here
  std::vector<RulePtr> defaults;   // default value rules
  std::vector<RulePtr> functions;  // function rules (non-default)
  RulePtr default_function;
  bool has_values = false;  // value/contains rules here or below (functions excluded)

  [[nodiscard]] const RuleNode* child(const std::string& key) const;
  [[nodiscard]] bool has_own_rules() const { return !rules.empty() || !defaults.empty(); }
};

class Policy {
public:
  // Compiles parsed modules. Errors: rego_compile_error, rego_type_error, rego_unsupported_error.
  static Result<std::shared_ptr<Policy>> compile(std::vector<std::shared_ptr<Module>> modules);

  // Parses and compiles a query (`data.main.deny`, `x := data.p; x > 1`).
  [[nodiscard]] Result<std::shared_ptr<Body>> compile_query(std::string_view text) const;

  [[nodiscard]] const RuleNode& root() const { return m_root; }
  [[nodiscard]] const std::vector<std::shared_ptr<Module>>& modules() const { return m_modules; }
  [[nodiscard]] const RuleNode* find(const std::vector<std::string>& path) const;

private:
  std::vector<std::shared_ptr<Module>> m_modules;
  RuleNode m_root;
};

}  // namespace helios::policy
