#include <doctest/doctest.h>

#include "core/policy/compiler.hpp"
#include "core/policy/parser.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("Rules are indexed by their ground path and names resolve to data refs")
{
  auto m = parse_module("package a\nimport data.lib\np[x] := 1 if x := lib.names[_]\nq.r.s := 2\nf(x) := x\n", "a.rego").value();
  auto p = Policy::compile({m}).value();
  REQUIRE(p->find({"a", "p"}) != nullptr);
  CHECK(p->find({"a", "p"})->rules.size() == 1);
  CHECK(p->find({"a", "p"})->rules[0]->suffix.size() == 1);
  CHECK(p->find({"a", "q", "r", "s"})->rules.size() == 1);
  CHECK(p->find({"a", "f"})->functions.size() == 1);
}

TEST_CASE("Unknown builtins are unsupported, with their location")
{
  auto m = parse_module("package a\np := numbers.range(1, 3)\n", "a.rego").value();
  auto p = Policy::compile({m});
  REQUIRE_FALSE(p);
  CHECK(p.error().code == "rego_unsupported_error");
  CHECK(p.error().message == "unsupported: builtin `numbers.range` at a.rego:2:6");
}

TEST_CASE("Arity is checked at compile time")
{
  auto m = parse_module("package a\np := count(1, 2, 3)\n", "a.rego").value();
  auto p = Policy::compile({m});
  REQUIRE_FALSE(p);
  CHECK(p.error().code == "rego_type_error");
}

TEST_CASE("Bodies are reordered so variables are bound before use")
{
  auto m = parse_module("package a\np if {\n  x > 1\n  x := input.n\n}\n", "a.rego").value();
  auto p = Policy::compile({m}).value();
  const auto& body = p->find({"a", "p"})->rules[0]->body;
  REQUIRE(body.exprs.size() == 2);
  CHECK(body.exprs[0].term->name == "assign");
}

TEST_SUITE_END();
