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

TEST_SUITE_END();
