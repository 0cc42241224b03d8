#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "core/yaml_fast_load.hpp"

using namespace helios;

namespace {

std::string describe(const YAML::Mark& m) { return fmt::format("{}@{}:{}", m.pos, m.line, m.column); }

// The two trees are equal: types, scalars, tags, styles, marks and entry order, all the way down.
void check_same(const YAML::Node& fast, const YAML::Node& ref, const std::string& where)
{
  INFO(where);
  REQUIRE(fast.Type() == ref.Type());
  CHECK(describe(fast.Mark()) == describe(ref.Mark()));
  CHECK(fast.Tag() == ref.Tag());
  switch (ref.Type()) {
  case YAML::NodeType::Scalar: CHECK(fast.Scalar() == ref.Scalar()); break;
  case YAML::NodeType::Sequence: {
    CHECK(fast.Style() == ref.Style());
    REQUIRE(fast.size() == ref.size());
    for (std::size_t i = 0; i < ref.size(); ++i) {
      check_same(fast[i], ref[i], fmt::format("{}[{}]", where, i));
    }
    break;
  }
  case YAML::NodeType::Map: {
    CHECK(fast.Style() == ref.Style());
    REQUIRE(fast.size() == ref.size());
    auto f = fast.begin();
    for (auto r = ref.begin(); r != ref.end(); ++r, ++f) {
      check_same(f->first, r->first, where + ".<key>");
      check_same(f->second, r->second, where + "." + (r->first.IsScalar() ? r->first.Scalar() : "?"));
    }
    break;
  }
  default: break;
  }
}

// When the fast path answers, its tree is yaml-cpp's; returns whether it answered.
bool same_as_yaml_cpp(const std::string& text, const std::string& name)
{
  auto fast = fast_yaml_load(text, 64);
  if (!fast) {
    return false;
  }
  const YAML::Node ref = YAML::Load(text);
  check_same(*fast, ref, name);
  return true;
}

std::string read(const std::filesystem::path& p)
{
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("fast_yaml_load builds yaml-cpp's tree: types, scalars, tags, styles and marks")
{
  CHECK(same_as_yaml_cpp("a: 1\nb: [x, 'y', \"z\\tq\"]\nc: {d: ~, e: null, f: 'null', g: true}\n", "flow"));
  CHECK(same_as_yaml_cpp("apiVersion: helios/v1\nspec:\n  workloads:\n    - name: w0\n      needs: { cpu: 250m, memory: 512Mi }\n"
                         "    - name: w1 # comment\n      runtime:\n        env: {A: 'b c'}\n",
                         "manifest"));
  CHECK(same_as_yaml_cpp("key:\n- a\n- - b\n  - c\n- d: e\n  f: g\n", "indentless and nested lists"));
  CHECK(same_as_yaml_cpp("---\nurl: http://example.com:8080/x\nq: \"a: b # c\"\n...\n", "markers and colons"));
  CHECK(same_as_yaml_cpp("plain scalar", "scalar root"));
  CHECK(same_as_yaml_cpp("[1, [2, {a: b}], {}, []]", "flow root"));
  CHECK(same_as_yaml_cpp("a: 1\na: 2\n", "duplicate keys kept for the walker to refuse"));
}

TEST_CASE("fast_yaml_load declines what it cannot vouch for, leaving it to yaml-cpp")
{
  CHECK_FALSE(fast_yaml_load("a: &x {b: 1}\nc: *x\n", 64));      // anchors and aliases
  CHECK_FALSE(fast_yaml_load("a: !!str 1\n", 64));               // explicit tags
  CHECK_FALSE(fast_yaml_load("a:\nb: 1\n", 64));                 // implicit null
  CHECK_FALSE(fast_yaml_load("a: |\n  x\n  y\n", 64));           // block scalar
  CHECK_FALSE(fast_yaml_load("a: x\n  y\n", 64));                // multi-line plain scalar
  CHECK_FALSE(fast_yaml_load("a: caf\xC3\xA9\n", 64));           // non-ASCII (yaml-cpp columns count bytes)
  CHECK_FALSE(fast_yaml_load("a: 1\r\nb: 2\r\n", 64));           // carriage returns
  CHECK_FALSE(fast_yaml_load("a:\t1\n", 64));                    // tabs
  CHECK_FALSE(fast_yaml_load("a: 1\n---\nb: 2\n", 64));          // two documents
  CHECK_FALSE(fast_yaml_load("%YAML 1.1\n---\na: 1\n", 64));     // directives
  CHECK_FALSE(fast_yaml_load("? [a, b]\n: c\n", 64));            // a collection as a key
  CHECK_FALSE(fast_yaml_load("a: [1, 2\nb: 3\n", 64));           // syntax errors: yaml-cpp words them
  CHECK_FALSE(fast_yaml_load("a: {b: {c: 1}}\n", 2));            // deeper than the limit
  CHECK(fast_yaml_load("a: {b: 1}\n", 2));
}

TEST_CASE("fast_yaml_load agrees with yaml-cpp on every YAML file of the repository and the OPA cases, and declines those yaml-cpp refuses")
{
  int answered = 0;
  std::vector<std::filesystem::path> roots = {std::filesystem::path(HELIOS_SOURCE_DIR) / "examples",
                                              std::filesystem::path(HELIOS_SOURCE_DIR) / "providers",
                                              std::filesystem::path(HELIOS_SOURCE_DIR) / "policies",
                                              std::filesystem::path(HELIOS_SOURCE_DIR) / "tests",
                                              std::filesystem::path(HELIOS_SOURCE_DIR) / "../shared/reference/opa-cases"};
  for (const auto& root : roots) {
    if (!std::filesystem::is_directory(root)) {
      continue;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) {
        continue;
      }
      const std::string text = read(entry.path());
      bool refused = false;
      try {
        (void)YAML::LoadAll(text);
      } catch (const YAML::Exception&) {
        refused = true;
      }
      if (refused) {
        INFO(entry.path().string());
        CHECK_FALSE(fast_yaml_load(text, 64));  // yaml-cpp's error stands
        continue;
      }
      answered += same_as_yaml_cpp(text, entry.path().string()) ? 1 : 0;
    }
  }
  CHECK(answered >= 20);  // examples and the catalogs take the fast path
}
