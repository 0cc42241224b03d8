#pragma once
// `helios qc test`: every rule whose name starts with test_ is a test, as in `opa test`: it passes when
// it is defined and not false; an evaluation error is an error. Tests run without input; they set it
// with `with input as {…}`.

#include <memory>
#include <string>
#include <vector>

#include "core/policy/compiler.hpp"
#include "core/policy/evaluator.hpp"

namespace helios::policy {

enum class TestOutcome { pass, fail, error };

struct TestResult {
  std::string package;   // dotted
  std::string name;      // test_…
  std::string location;  // file:line:column of the rule
  TestOutcome outcome = TestOutcome::fail;
  std::string error;     // for errors: the message
  double duration_ms = 0;
};

std::vector<TestResult> run_tests(const std::shared_ptr<const Policy>& policy, const Value& data, const EvalOptions& options);

const char* outcome_name(TestOutcome outcome);  // PASS | FAIL | ERROR

}  // namespace helios::policy
