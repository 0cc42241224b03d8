#pragma once
// The evaluator: top-down evaluation of compiled Rego with unification and backtracking (continuation
// passing: each step calls the rest of the body once per solution). Virtual documents are computed per
// rule-tree node and cached for one evaluation; conflicts raise eval_conflict_error as OPA does.
// Depth and work are bounded (stack use, a step budget) so hostile policies and inputs end in an error.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/policy/builtins.hpp"
#include "core/policy/compiler.hpp"

namespace helios::policy {

struct EvalOptions {
  bool strict_builtin_errors = false;
  std::int64_t max_steps = 50'000'000;           // expressions evaluated before eval_limit_error
  std::size_t max_stack_bytes = 2u * 1024 * 1024; // native stack the evaluation may use
};

struct QueryRow {
  std::vector<std::pair<std::string, Value>> bindings;  // query variables in order of appearance
  std::vector<Value> expressions;                        // the value of each query expression
};

class Evaluator {
public:
  Evaluator(std::shared_ptr<const Policy> policy, Value data, std::optional<Value> input, EvalOptions options = {});
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Every solution of a compiled query.
  Result<std::vector<QueryRow>> query(const Body& query);
  // The value of data.<path> (a virtual or base document); nullopt when undefined.
  Result<std::optional<Value>> value_at(const std::vector<std::string>& path);

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

}  // namespace helios::policy
