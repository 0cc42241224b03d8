#include <doctest/doctest.h>

#include "core/policy/parser.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("Rego v1 rules of every kind parse")
{
  auto m = parse_module(R"(package a.b
import rego.v1
import data.lib.util as u

default allow := false
allow if input.user == "admin"
deny contains msg if {
  some r in input.resources
  not r.ok
  msg := sprintf("%s is bad", [r.name])
}
labels[k] := v if some k, v in input.labels
f(x) := y if { y := x * 2 } else := 0
p.q.r := 1
)", "m.rego");
  REQUIRE(m);
  const auto& mod = **m;
  CHECK(mod.package == std::vector<std::string>{"a", "b"});
  REQUIRE(mod.imports.size() == 2);
  CHECK(mod.imports[1].alias == "u");
  REQUIRE(mod.rules.size() == 6);
  CHECK(mod.rules[0]->is_default);
  CHECK(mod.rules[2]->kind == RuleKind::contains);
  CHECK(mod.rules[2]->body.exprs.size() == 3);
  CHECK(mod.rules[3]->head.size() == 2);
  CHECK(mod.rules[4]->kind == RuleKind::function);
  CHECK(mod.rules[4]->else_rule != nullptr);
  CHECK(mod.rules[5]->head.size() == 3);
}

TEST_CASE("Parse errors name file:line:column")
{
  auto m = parse_module("package p\n\nallow if {\n  input.x ==\n}\n", "policy.rego");
  REQUIRE_FALSE(m);
  CHECK(m.error().code == "rego_parse_error");
  CHECK(m.error().where == "policy.rego:5:1");
  auto n = parse_module("allow := true\n", "x.rego");
  REQUIRE_FALSE(n);
  CHECK(n.error().message.find("package") != std::string::npos);
}

TEST_CASE("Unsupported syntax fails loudly with its location")
{
  auto m = parse_module("package p\n\nallow if {\n  input.x with data.y as {}\n}\n", "policy.rego");
  REQUIRE_FALSE(m);
  CHECK(m.error().message == "unsupported: `with` on anything but input at policy.rego:4:16");
  auto v0 = parse_module("package p\nallow { true }\n", "old.rego");
  REQUIRE_FALSE(v0);
  CHECK(v0.error().message.find("unsupported") == 0);
}

TEST_CASE("Deep nesting is a parse error, not a crash")
{
  std::string deep = "package p\nx := " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  auto m = parse_module(deep, "deep.rego");
  REQUIRE_FALSE(m);
  CHECK(m.error().message.find("nesting") != std::string::npos);
}

TEST_CASE("Ground terms with sets parse as values")
{
  auto v = parse_value(R"({"a": {1, 2}, "b": [true, null], "c": set()})");
  REQUIRE(v);
  CHECK(v->to_rego() == R"({"a": {1, 2}, "b": [true, null], "c": set()})");
}

TEST_SUITE_END();
