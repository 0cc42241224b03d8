#include <doctest/doctest.h>

#include "core/policy/parser.hpp"
#include "core/policy/test_runner.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("test_ rules pass when defined and not false; errors are reported")
{
  auto m = parse_module(R"(package t
allow if input.user == "admin"
test_admin if allow with input as {"user": "admin"}
test_guest_denied if not allow with input as {"user": "guest"}
test_wrong if allow with input as {"user": "guest"}
test_false := false
test_error := x if x := 1 / 0
)", "t.rego").value();
  auto p = Policy::compile({m}).value();
  EvalOptions strict;
  strict.strict_builtin_errors = true;
  auto results = run_tests(p, Value::object({}), strict);
  REQUIRE(results.size() == 5);
  std::map<std::string, TestOutcome> by;
  for (const auto& r : results) {
    by[r.name] = r.outcome;
    CHECK(r.package == "t");
  }
  CHECK(by["test_admin"] == TestOutcome::pass);
  CHECK(by["test_guest_denied"] == TestOutcome::pass);
  CHECK(by["test_wrong"] == TestOutcome::fail);
  CHECK(by["test_false"] == TestOutcome::fail);
  CHECK(by["test_error"] == TestOutcome::error);
}

TEST_SUITE_END();
