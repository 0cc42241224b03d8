#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/yaml_document.hpp"

using namespace helios;

namespace {

// A scratch directory removed at the end of the test case.
struct TempDir {
  std::filesystem::path path;
  TempDir()
  {
    std::string tmpl = (std::filesystem::temp_directory_path() / "helios-yaml-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const
  {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
};

ErrorInfo parse_error(const std::string& text, const YamlLimits& limits = {})
{
  auto doc = YamlDocument::parse(text, "t.yaml", limits);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().exit == ExitCode::usage);
  return doc.error();
}

}  // namespace

TEST_SUITE_BEGIN("yaml_document");

TEST_CASE("A document reads typed fields with their locations")
{
  auto doc = YamlDocument::parse("a: 1\nspec:\n  name: web\n  replicas: 3\n  ratio: 0.5\n  on: true\n"
                                 "  tags: [x, y]\n  sub: {k: v}\n",
                                 "m.yaml");
  REQUIRE(doc.has_value());
  doc->set_error_code("invalid_manifest");
  const auto root = doc->root();
  auto spec = root.required_map("spec");
  REQUIRE(spec.has_value());
  CHECK(spec->path() == "spec");
  CHECK(spec->required_string("name").value() == "web");
  CHECK(spec->optional_integer("replicas", 1, 10).value() == 3);
  CHECK(spec->optional_number("ratio", 0, 1).value() == doctest::Approx(0.5));
  CHECK(spec->optional_bool("on").value() == true);
  CHECK(spec->optional_string_list("tags").value() == std::vector<std::string>{"x", "y"});
  CHECK(spec->optional_map("sub").value().has_value());
  CHECK_FALSE(spec->optional_string("missing").value().has_value());
  CHECK(spec->get("name")->where().to_string() == "m.yaml:3:9");
  CHECK(spec->get("replicas")->path() == "spec.replicas");
}

TEST_CASE("Type and range errors name the path and value and what was expected and the location")
{
  auto doc = YamlDocument::parse("spec:\n  replicas: many\n  count: 2000\n  list: one\n  name: [a]\n", "m.yaml");
  REQUIRE(doc.has_value());
  doc->set_error_code("invalid_manifest");
  auto spec = doc->root().required_map("spec").value();

  auto replicas = spec.optional_integer("replicas", 1, 1000);
  REQUIRE_FALSE(replicas.has_value());
  CHECK(replicas.error().code == "invalid_manifest");
  CHECK(replicas.error().where == "m.yaml:2:13");
  CHECK(replicas.error().message.find("spec.replicas") != std::string::npos);
  CHECK(replicas.error().message.find("'many'") != std::string::npos);

  auto count = spec.optional_integer("count", 1, 1000);
  REQUIRE_FALSE(count.has_value());
  CHECK(count.error().message.find("out of range") != std::string::npos);

  auto list = spec.optional_string_list("list");
  REQUIRE_FALSE(list.has_value());
  CHECK(list.error().hint == "write a list: [one]");

  auto name = spec.required_string("name");
  REQUIRE_FALSE(name.has_value());
  CHECK(name.error().message.find("expected a string, got a list") != std::string::npos);

  auto missing = spec.required_string("engine");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("missing required key 'engine'") != std::string::npos);
  CHECK(missing.error().where == "m.yaml:2:3");
}

TEST_CASE("Unknown keys are refused at their location with a did-you-mean hint")
{
  auto doc = YamlDocument::parse("spec:\n  regoins: [eu]\n", "m.yaml");
  REQUIRE(doc.has_value());
  auto spec = doc->root().required_map("spec").value();
  auto ok = spec.check_keys({"budget", "regions", "providers"});
  REQUIRE_FALSE(ok.has_value());
  CHECK(ok.error().where == "m.yaml:2:3");
  CHECK(ok.error().message == "unknown key 'regoins' in spec");
  CHECK(ok.error().hint == "did you mean 'regions'?");
  CHECK(spec.check_keys({"regoins"}).has_value());
}

TEST_CASE("Empty files and binary bytes and invalid UTF-8 are refused with a location")
{
  CHECK(parse_error("").message.find("empty") != std::string::npos);
  CHECK(parse_error("# only a comment\n\n---\n").message.find("empty") != std::string::npos);

  auto nul = parse_error(std::string("a: 1\nb: x\0y\n", 12));
  CHECK(nul.code == "invalid_yaml");
  CHECK(nul.where == "t.yaml:2:5");
  CHECK(nul.message.find("NUL") != std::string::npos);

  auto utf8 = parse_error("a: caf\xC3\n");
  CHECK(utf8.where == "t.yaml:1:7");
  CHECK(utf8.message.find("UTF-8") != std::string::npos);
  CHECK(parse_error("a: \xC0\xAF\n").message.find("UTF-8") != std::string::npos);  // overlong
  CHECK(YamlDocument::parse("a: café ✓\n", "t.yaml").has_value());
}

TEST_CASE("Syntax errors carry yaml-cpp's location 1-based")
{
  auto error = parse_error("a: 1\nb: [1, 2\n");
  CHECK(error.message.find("invalid YAML") != std::string::npos);
  CHECK(error.where.rfind("t.yaml:", 0) == 0);
  CHECK(error.where != "t.yaml");
}

TEST_CASE("Duplicate keys and complex keys and several documents are refused")
{
  auto dup = parse_error("a: 1\nb: 2\na: 3\n");
  CHECK(dup.message.find("'a' appears twice") != std::string::npos);
  CHECK(dup.where == "t.yaml:3:1");
  CHECK(parse_error("? [a, b]\n: 1\n").message.find("plain word") != std::string::npos);
  auto docs = parse_error("a: 1\n---\nb: 2\n");
  CHECK(docs.message.find("2 YAML documents") != std::string::npos);
}

TEST_CASE("Nesting deeper than the limit is refused up to and beyond yaml-cpp's own limit")
{
  std::string deep;
  for (int i = 0; i < 70; ++i) {
    deep += "[";
  }
  deep += "1";
  for (int i = 0; i < 70; ++i) {
    deep += "]";
  }
  auto error = parse_error("a: " + deep + "\n");
  CHECK(error.message.find("deeper than 64") != std::string::npos);

  std::string very_deep(100000, '[');
  auto error2 = parse_error("a: " + very_deep + "\n");
  CHECK(error2.message.find("deeper than 64") != std::string::npos);

  std::string ok;
  for (int i = 0; i < 60; ++i) {
    ok += "[";
  }
  for (int i = 0; i < 60; ++i) {
    ok += "]";
  }
  CHECK(YamlDocument::parse("a: " + ok + "\n", "t.yaml").has_value());
}

TEST_CASE("An alias bomb is refused without expanding it")
{
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    bomb += fmt::format("{}: &{} [*{},*{},*{},*{},*{},*{},*{},*{},*{}]\n", c, c, prev, prev, prev, prev, prev, prev,
                        prev, prev, prev);
    prev = c;
  }
  auto error = parse_error(bomb);
  CHECK(error.message.find("alias") != std::string::npos);
  CHECK(error.where.rfind("t.yaml:", 0) == 0);

  // A few aliases are fine.
  CHECK(YamlDocument::parse("base: &b {cpu: 1}\nx: *b\ny: *b\n", "t.yaml").has_value());
  // A self-referencing anchor is cut by the depth limit.
  CHECK_FALSE(YamlDocument::parse("a: &a [*a]\n", "t.yaml").has_value());
}

TEST_CASE("Files over the size limit are refused without being read and so are missing files and directories")
{
  TempDir dir;
  const auto big = (dir.path / "big.yaml").string();
  {
    std::FILE* f = std::fopen(big.c_str(), "w");
    REQUIRE(f != nullptr);
    REQUIRE(ftruncate(fileno(f), 100L * 1024 * 1024) == 0);  // sparse: 100 MiB, no disk used
    std::fclose(f);
  }
  auto too_big = YamlDocument::load_file(big);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().code == "invalid_yaml");
  CHECK(too_big.error().exit == ExitCode::usage);
  CHECK(too_big.error().message.find("100 MiB") != std::string::npos);
  CHECK(too_big.error().where == big + ":1:1");

  YamlLimits small;
  small.max_bytes = 8;
  CHECK_FALSE(YamlDocument::load_file(dir.write("s.yaml", "a: 123456789\n"), small).has_value());

  auto missing = YamlDocument::load_file((dir.path / "nope.yaml").string());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "file_not_found");
  CHECK(missing.error().exit == ExitCode::usage);

  auto directory = YamlDocument::load_file(dir.path.string());
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().exit == ExitCode::usage);

  auto fine = YamlDocument::load_file(dir.write("ok.yaml", "a: 1\n"));
  REQUIRE(fine.has_value());
  CHECK(fine->text() == "a: 1\n");
  CHECK(fine->file() == (dir.path / "ok.yaml").string());
}
