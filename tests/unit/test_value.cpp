#include <doctest/doctest.h>

#include "core/policy/value.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("Values order as OPA's canonical order: null < boolean < number < string < array < object < set")
{
  std::vector<Value> ordered = {Value::null(),        Value::boolean(false), Value::boolean(true),
                                Value::integer(-1),   Value::real(0.5),      Value::integer(2),
                                Value::string("a"),   Value::string("b"),    Value::array({Value::integer(1)}),
                                Value::object({}),    Value::set({})};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    CHECK(compare(ordered[i], ordered[i + 1]) < 0);
  }
  CHECK(Value::integer(1) == Value::real(1.0));
}

TEST_CASE("Sets serialise as arrays in canonical order")
{
  Set s = {Value::string("b"), Value::integer(3), Value::string("a"), Value::null()};
  CHECK(Value::set(s).to_json().dump() == R"([null,3,"a","b"])");
  CHECK(Value::set({}).to_rego() == "set()");
  CHECK(Value::set(s).to_rego() == R"({null, 3, "a", "b"})");
}

TEST_CASE("JSON conversion is bounded in depth")
{
  nlohmann::json deep = 1;
  for (int i = 0; i < 600; ++i) {
    deep = nlohmann::json::array({deep});
  }
  auto v = value_from_json(deep, 512);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == "input_too_deep");
  CHECK(value_from_json(nlohmann::json::parse(R"({"a":[1,2.5,"x",null,true]})")).value().to_json_text() ==
        R"({"a":[1,2.5,"x",null,true]})");
}

TEST_CASE("JSON text becomes a value without a JSON tree, the same value, bounded in depth")
{
  const std::string text = R"({"b": [1, 2.5, -3, 18446744073709551615, "x", true, false, null], "a": {"k": {}}, "a2": [], "d": 1, "d": 2})";
  auto direct = parse_json_value(text);
  REQUIRE(direct);
  CHECK(*direct == value_from_json(nlohmann::json::parse(text)).value());
  CHECK(direct->get(Value::string("d"))->as_number().i == 2);  // the last duplicate wins, as in nlohmann
  CHECK_FALSE(parse_json_value("{\"a\": [1,"));
  CHECK_FALSE(parse_json_value("not json"));
  bool too_deep = false;
  CHECK_FALSE(parse_json_value(std::string(600, '[') + std::string(600, ']'), 512, &too_deep));
  CHECK(too_deep);
  CHECK(parse_json_value(std::string(100, '[') + std::string(100, ']'), 512, &too_deep));
  CHECK_FALSE(too_deep);
}

TEST_SUITE_END();
