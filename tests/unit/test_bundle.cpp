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

TEST_SUITE_END();
