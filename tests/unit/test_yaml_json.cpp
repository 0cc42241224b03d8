#include <doctest/doctest.h>

#include "core/policy/yaml_json.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("YAML scalars follow the core schema; quoted scalars stay strings")
{
  auto docs = parse_yaml_documents("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: text\ng: [1, 'x']\n---\nh: 2\n", "t.yaml").value();
  REQUIRE(docs.size() == 2);
  CHECK(docs[0] == nlohmann::json::parse(R"({"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":"text","g":[1,"x"]})"));
  CHECK(docs[1]["h"] == 2);
  auto bad = parse_yaml_documents("a: [1,\n", "bad.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().where.rfind("bad.yaml:", 0) == 0);
}

TEST_CASE("YAML straight to Rego values gives what YAML → JSON → value gives")
{
  const char* text = "a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: text\ng: [1, 'x', -2, +3, .5, 1e3, 1.]\n"
                     "h: {x: null, y: [], z: {}}\ni: 99999999999999999999\nk: 1.2.3\nl: +\nm: 0x1F\nn: 2e\n";
  YAML::Node node = YAML::Load(text);
  auto direct = value_from_yaml(node);
  REQUIRE(direct);
  auto via_json = value_from_json(yaml_to_json(node).value());
  REQUIRE(via_json);
  CHECK(*direct == *via_json);
  CHECK(direct->to_json() == nlohmann::json::parse(R"({"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":"text",
    "g":[1,"x",-2,3,0.5,1000,1],"h":{"x":null,"y":[],"z":{}},"i":1e20,"k":"1.2.3","l":"+","m":"0x1F","n":"2e"})"));
  std::string deep;
  for (int i = 0; i < 300; ++i) {
    deep += "[";
  }
  for (int i = 0; i < 300; ++i) {
    deep += "]";
  }
  auto too_deep = value_from_yaml(YAML::Load(deep));
  REQUIRE_FALSE(too_deep);
  CHECK(too_deep.error().code == "input_too_deep");
}

TEST_CASE("A loaded document converts to the same value through its mapping index")
{
  const char* text = "a: 1\nb: '1'\nc: {d: ~, e: [1, {f: g}], h: {}}\nw:\n  - name: x\n    needs: {cpu: 1}\n  - {name: y}\n";
  auto doc = helios::YamlDocument::parse(text, "t.yaml");
  REQUIRE(doc);
  auto via_index = value_from_yaml(*doc);
  REQUIRE(via_index);
  CHECK(*via_index == value_from_yaml(doc->root().node()).value());
  CHECK(via_index->to_json() == nlohmann::json::parse(
                                  R"({"a":1,"b":"1","c":{"d":null,"e":[1,{"f":"g"}],"h":{}},"w":[{"name":"x","needs":{"cpu":1}},{"name":"y"}]})"));
  CHECK(doc->root().get("c")->get("e"));  // readers after the conversion share the index
}

TEST_SUITE_END();
