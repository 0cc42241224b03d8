#include "core/policy/test_runner.hpp"

#include <chrono>

namespace helios::policy {

namespace {

void collect(const std::shared_ptr<const Policy>& policy, const RuleNode& node, const Value& data, const EvalOptions& options,
             std::vector<TestResult>& out)
{
  for (const auto& [name, child] : node.children) {
    if (name.rfind("test_", 0) == 0 && child->has_own_rules() && !child->path.empty()) {
      TestResult r;
      r.package = join_path(std::vector<std::string>(child->path.begin(), child->path.end() - 1));
      r.name = name;
      r.location = child->rules.empty() ? child->defaults.front()->loc.to_string() : child->rules.front()->loc.to_string();
      auto start = std::chrono::steady_clock::now();
      Evaluator ev(policy, data, std::nullopt, options);
      auto v = ev.value_at(child->path);
      r.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      if (!v) {
        r.outcome = TestOutcome::error;
        r.error = v.error().message + (v.error().where.empty() ? "" : " (" + v.error().where + ")");
      } else {
        r.outcome = (*v && !(*v)->is_false()) ? TestOutcome::pass : TestOutcome::fail;
      }
      out.push_back(std::move(r));
    }
    collect(policy, *child, data, options, out);
  }
}

}  // namespace

const char* outcome_name(TestOutcome outcome)
{
  switch (outcome) {
  case TestOutcome::pass: return "PASS";
  case TestOutcome::fail: return "FAIL";
  case TestOutcome::error: return "ERROR";
  }
  return "ERROR";
}

std::vector<TestResult> run_tests(const std::shared_ptr<const Policy>& policy, const Value& data, const EvalOptions& options)
{
  std::vector<TestResult> out;
  collect(policy, policy->root(), data, options, out);
  return out;
}

}  // namespace helios::policy
