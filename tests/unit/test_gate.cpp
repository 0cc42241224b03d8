#include <doctest/doctest.h>

#include "core/policy/gate.hpp"
#include "core/policy/parser.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("conftest-style gates: deny/violation fail, warn warns, exceptions exempt, namespaces select")
{
  auto main_mod = parse_module(R"(package main
deny contains "plain" if input.bad
deny_named contains {"msg": "named", "workload": "web"} if input.bad
violation contains {"msg": "structured", "id": "custom"} if input.bad
warn contains "careful" if true
deny_excused contains "excused" if true
exception contains ["excused"] if true
helper := 1
)", "main.rego").value();
  auto other = parse_module("package other\ndeny contains \"other\" if true\n", "other.rego").value();
  auto policy = Policy::compile({main_mod, other}).value();
  auto locate = [](const nlohmann::json& meta) -> helios::SourceLocation {
    if (meta.contains("workload")) {
      return {"m.yaml", 9, 3};
    }
    return {"m.yaml", 1, 1};
  };
  QcReport report;
  GateOptions opts;
  REQUIRE(run_policies(policy, Value::object({}), value_from_json(nlohmann::json{{"bad", true}}).value(), opts, locate, report));
  CHECK(report.namespaces == std::vector<std::string>{"main"});
  CHECK(report.failures() == 3);
  CHECK(report.warnings() == 1);
  CHECK(report.exceptions == 1);
  CHECK(report.tests == 5);
  bool custom = false;
  for (const auto& f : report.findings) {
    if (f.message == "named") {
      CHECK(f.where.line == 9);
      CHECK(f.rule_id == "main/deny_named");
    }
    custom = custom || f.rule_id == "main/custom";
  }
  CHECK(custom);

  QcReport all;
  opts.all_namespaces = true;
  REQUIRE(run_policies(policy, Value::object({}), Value::object({}), opts, locate, all));
  CHECK(all.namespaces == std::vector<std::string>{"main", "other"});
  CHECK(all.failures() == 1);
}

TEST_SUITE_END();
