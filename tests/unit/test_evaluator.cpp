#include <doctest/doctest.h>

#include "core/policy/compiler.hpp"
#include "core/policy/evaluator.hpp"
#include "core/policy/parser.hpp"

using namespace helios::policy;

namespace {
helios::Result<std::vector<QueryRow>> run(const std::string& module, const std::string& query, const std::string& input = "{}",
                                          EvalOptions opts = {})
{
  auto m = parse_module(module, "t.rego");
  REQUIRE(m);
  auto p = Policy::compile({*m});
  REQUIRE(p);
  auto q = (*p)->compile_query(query);
  REQUIRE(q);
  Evaluator ev(*p, Value::object({}), value_from_json(nlohmann::json::parse(input)).value(), opts);
  return ev.query(**q);
}
std::string first(const std::string& module, const std::string& query, const std::string& input = "{}")
{
  auto rows = run(module, query, input);
  REQUIRE(rows);
  if (rows->empty()) {
    return "undefined";
  }
  return (*rows)[0].expressions.back().to_json_text();
}
}  // namespace

TEST_SUITE_BEGIN("policy");

TEST_CASE("Partial sets, objects, functions, else and default")
{
  const std::string mod = R"(package t
deny contains msg if {
  some r in input.rs
  r.size > 2
  msg := sprintf("%s too big", [r.name])
}
sizes[r.name] := r.size if some r in input.rs
double(x) := x * 2
grade(x) := "big" if x > 10 else := "small"
default ok := false
ok if count(deny) == 0
)";
  const std::string input = R"({"rs":[{"name":"a","size":1},{"name":"b","size":3}]})";
  CHECK(first(mod, "data.t.deny", input) == R"(["b too big"])");
  CHECK(first(mod, "data.t.sizes", input) == R"({"a":1,"b":3})");
  CHECK(first(mod, "data.t.double(4)", input) == "8");
  CHECK(first(mod, "data.t.grade(4)", input) == R"("small")");
  CHECK(first(mod, "data.t.ok", input) == "false");
  CHECK(first(mod, "data.t.ok", R"({"rs":[]})") == "true");
}

TEST_CASE("every, not, comprehensions and unification")
{
  const std::string mod = R"(package t
all_small if every r in input.rs { r < 5 }
none_big if not big
big if input.rs[_] > 9
squares := [y | some x in input.rs; y := x * x]
pairs := {[a, b] | [a, b] = [input.rs[0], input.rs[1]]}
)";
  CHECK(first(mod, "data.t.all_small", R"({"rs":[1,2]})") == "true");
  CHECK(first(mod, "data.t.all_small", R"({"rs":[1,7]})") == "undefined");
  CHECK(first(mod, "data.t.none_big", R"({"rs":[1,7]})") == "true");
  CHECK(first(mod, "data.t.squares", R"({"rs":[2,3]})") == "[4,9]");
  CHECK(first(mod, "data.t.pairs", R"({"rs":[2,3]})") == "[[2,3]]");
}

TEST_CASE("`with input as` replaces the input for one expression")
{
  const std::string mod = R"(package t
big if input.n > 10
test_big if big with input as {"n": 11}
test_nested if big with input.n as 12
after if {
  big with input as {"n": 11}
  not big
}
)";
  CHECK(first(mod, "data.t.test_big") == "true");
  CHECK(first(mod, "data.t.test_nested") == "true");
  CHECK(first(mod, "data.t.after", R"({"n":1})") == "true");
}

TEST_CASE("Comprehensions: closed ones are computed once per query, open ones per binding, `with` sees its input")
{
  const std::string mod = R"(package t
denied contains a.p if {
  some a in input.as
  a.p in {p | some p in input.deny}
}
mine contains [a.p, n] if {
  some a in input.as
  n := count([x | some x in input.as; x.p == a.p])
}
shadow contains c if {
  some x in [1, 5]
  c := count([x | x = 5])
}
swapped := [d | d := {q | some q in input.deny}; true] if true
inner := r if {
  r := {q | some q in input.deny} with input as {"deny": ["z"]}
}
both := [{q | some q in input.deny}, inner, {q | some q in input.deny}]
)";
  const std::string input = R"({"as":[{"p":"a"},{"p":"b"},{"p":"a"}],"deny":["a"]})";
  CHECK(first(mod, "data.t.denied", input) == R"(["a"])");
  CHECK(first(mod, "data.t.mine", input) == R"([["a",2],["b",1]])");
  CHECK(first(mod, "data.t.shadow", input) == "[0,1]");  // x is bound outside: the comprehension unifies with it
  CHECK(first(mod, "data.t.swapped", input) == R"([["a"]])");
  CHECK(first(mod, "data.t.both", input) == R"([["a"],["z"],["a"]])");
}

TEST_CASE("Query bindings enumerate solutions")
{
  auto rows = run("package t\nxs := [1, 2, 3]\n", "some i; data.t.xs[i] > 1");
  REQUIRE(rows);
  CHECK(rows->size() == 2);
  CHECK((*rows)[0].bindings[0].first == "i");
}

TEST_CASE("Conflicting values are eval_conflict_error")
{
  auto rows = run("package t\np := 1\np := 2\n", "data.t.p");
  REQUIRE_FALSE(rows);
  CHECK(rows.error().code == "eval_conflict_error");
  CHECK(rows.error().message == "rule data.t.p produced conflicting values");
  auto f = run("package t\nf(x) := 1\nf(x) := 2\n", "data.t.f(1)");
  REQUIRE_FALSE(f);
  CHECK(f.error().message == "function data.t.f produced conflicting values for the same inputs");
}

TEST_CASE("Strict builtin errors are errors; otherwise undefined")
{
  const std::string mod = "package t\np := count(input.n)\n";
  CHECK(first(mod, "data.t.p", R"({"n":1})") == "undefined");
  EvalOptions strict;
  strict.strict_builtin_errors = true;
  auto rows = run(mod, "data.t.p", R"({"n":1})", strict);
  REQUIRE_FALSE(rows);
  CHECK(rows.error().code == "eval_type_error");
}

TEST_CASE("Recursion and runaway evaluation end in errors")
{
  auto rec = run("package t\np if q\nq if p\n", "data.t.p");
  REQUIRE_FALSE(rec);
  CHECK(rec.error().code == "rego_recursion_error");
  EvalOptions small;
  small.max_steps = 1000;
  nlohmann::json xs = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) {
    xs.push_back(i);
  }
  auto limited = run("package t\nn := [x | some a in input.xs; some b in input.xs; x := a * b]\n", "data.t.n",
                     nlohmann::json{{"xs", xs}}.dump(), small);
  REQUIRE_FALSE(limited);
  CHECK(limited.error().code == "eval_limit_error");
}

TEST_SUITE_END();
