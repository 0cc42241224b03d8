#include <doctest/doctest.h>

#include "core/policy/builtins.hpp"

using namespace helios::policy;

namespace {
std::optional<Value> call(const char* name, std::vector<Value> args)
{
  BuiltinContext ctx;
  const Builtin* b = find_builtin(name);
  REQUIRE(b != nullptr);
  REQUIRE(static_cast<int>(args.size()) == b->arity);
  return b->fn(args, ctx);
}
Value s(const char* x) { return Value::string(x); }
}  // namespace

TEST_SUITE_BEGIN("policy");

TEST_CASE("The registry finds builtins by name with their arity")
{
  CHECK(find_builtin("count")->arity == 1);
  CHECK(find_builtin("object.get")->arity == 3);
  CHECK(find_builtin("numbers.range") == nullptr);
  auto names = builtin_names();
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("String builtins")
{
  CHECK(call("sprintf", {s("%s has %d items (%v)"), Value::array({s("x"), Value::integer(3), Value::array({s("a")})})})
          ->as_string() == R"(x has 3 items (["a"]))");
  CHECK(call("concat", {s(","), Value::set({s("b"), s("a")})})->as_string() == "a,b");
  CHECK(call("split", {s("a.b.c"), s(".")})->size() == 3);
  CHECK(call("trim", {s("!!x!!"), s("!")})->as_string() == "x");
  CHECK(call("replace", {s("aXbX"), s("X"), s("-")})->as_string() == "a-b-");
  CHECK(call("format_int", {Value::integer(255), Value::integer(16)})->as_string() == "ff");
  CHECK(call("regex.match", {s("^ghp_[A-Za-z0-9]+$"), s("ghp_abc123")})->as_bool());
}

TEST_CASE("Builtin errors carry OPA's codes and messages")
{
  BuiltinContext ctx;
  try {
    find_builtin("count")->fn({Value::integer(1)}, ctx);
    FAIL("no error");
  } catch (const BuiltinError& e) {
    CHECK(e.code == "eval_type_error");
    CHECK(e.message == "count: operand 1 must be one of {array, object, set, string} but got number");
  }
  try {
    find_builtin("div")->fn({Value::integer(1), Value::integer(0)}, ctx);
    FAIL("no error");
  } catch (const BuiltinError& e) {
    CHECK(e.code == "eval_builtin_error");
    CHECK(e.message == "div: divide by zero");
  }
}

TEST_CASE("Arithmetic keeps integers exact and widens on overflow")
{
  CHECK(call("plus", {Value::integer(2), Value::integer(3)})->to_rego() == "5");
  CHECK(call("div", {Value::integer(7), Value::integer(2)})->to_rego() == "3.5");
  CHECK(call("mul", {Value::integer(INT64_MAX), Value::integer(2)})->as_number().is_int == false);
  CHECK(call("minus", {Value::set({Value::integer(1), Value::integer(2)}), Value::set({Value::integer(1)})})->to_rego() ==
        "{2}");
}

TEST_CASE("time.parse_rfc3339_ns reads dates")
{
  CHECK(call("time.parse_rfc3339_ns", {s("1970-01-02T00:00:00Z")})->as_number().i == 86400LL * 1000000000LL);
}

TEST_SUITE_END();
