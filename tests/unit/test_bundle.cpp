#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/policy/bundle.hpp"

using namespace helios::policy;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("policy");

TEST_CASE("Bundles read .rego and data files from directories, merging data at the root")
{
  fs::path dir = fs::temp_directory_path() / "helios-test-bundle";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  fs::create_directories(dir / ".hidden");
  std::ofstream(dir / "a.rego") << "package a\np := 1\n";
  std::ofstream(dir / "sub" / "b.rego") << "package b\nq := 2\n";
  std::ofstream(dir / "data.json") << R"({"x": {"y": 1}})";
  std::ofstream(dir / "sub" / "more.yaml") << "x:\n  z: 2\n";
  std::ofstream(dir / ".hidden" / "c.rego") << "not rego at all";
  std::ofstream(dir / "README.md") << "ignored";
  Bundle b;
  REQUIRE(load_into(b, dir.string()));
  CHECK(b.modules.size() == 2);
  CHECK(b.data == nlohmann::json::parse(R"({"x": {"y": 1, "z": 2}})"));

  std::ofstream(dir / "sub" / "bad.rego") << "package c\np := [\n";
  Bundle bad;
  auto r = load_into(bad, dir.string());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "rego_parse_error");
  CHECK(r.error().where.find("bad.rego:3:1") != std::string::npos);

  Bundle missing;
  CHECK(load_into(missing, (dir / "nope").string()).error().code == "file_not_found");
  fs::remove_all(dir);
}

TEST_CASE("Documents load as values: JSON and YAML, errors located, as load_document reads them")
{
  fs::path dir = fs::temp_directory_path() / "helios-test-load-value";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "p.json") << R"({"placement": {"cost_usd": 1.5, "assignments": [{"workload": "w"}]}})";
  std::ofstream(dir / "p.yaml") << "placement:\n  cost_usd: 1.5\n  assignments: [{workload: w}]\n";
  std::ofstream(dir / "bad.json") << "{\n  \"a\": [1,\n}\n";
  auto json = load_value((dir / "p.json").string());
  REQUIRE(json);
  CHECK(*json == value_from_json(load_document((dir / "p.json").string()).value()).value());
  auto yaml = load_value((dir / "p.yaml").string());
  REQUIRE(yaml);
  CHECK(*yaml == *json);
  auto bad = load_value((dir / "bad.json").string());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "invalid_json");
  CHECK(bad.error().where == load_document((dir / "bad.json").string()).error().where);
  CHECK(bad.error().where.find("bad.json:") != std::string::npos);
  CHECK_FALSE(load_value((dir / "missing.json").string()));
  fs::remove_all(dir);
}

TEST_SUITE_END();
