#include <doctest/doctest.h>

#include "core/policy/lexer.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("The lexer records positions, spacing and decoded strings")
{
  auto toks = tokenize("p[x] := \"a\\u00e9\"\n  q := `raw\\n`", "f.rego").value();
  REQUIRE(toks.size() >= 9);
  CHECK(toks[0].text == "p");
  CHECK(toks[1].text == "[");
  CHECK_FALSE(toks[1].space_before);
  CHECK(toks[5].text == "a\xC3\xA9");
  CHECK(toks[6].text == "q");
  CHECK(toks[6].newline_before);
  CHECK(toks[6].loc.line == 2);
  CHECK(toks[6].loc.column == 3);
  CHECK(toks[8].text == "raw\\n");
}

TEST_CASE("Lexer errors name file:line:column")
{
  auto r = tokenize("p := 1\nq := \"open", "pol.rego");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "rego_parse_error");
  CHECK(r.error().where == "pol.rego:2:6");
  CHECK(tokenize("p := 1 ^ 2", "x.rego").error().where == "x.rego:1:8");
}

TEST_CASE("Strings must be UTF-8; a lone surrogate escape decodes to U+FFFD (found by the fuzzer)")
{
  auto bad = tokenize("package p\nz := to_number(\"1e400\xd2\")\n", "f.rego");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "rego_parse_error");
  CHECK(bad.error().where == "f.rego:2:16");
  CHECK(bad.error().message.find("UTF-8") != std::string::npos);
  CHECK_FALSE(tokenize("x := `\xc3(`", "f.rego"));
  CHECK_FALSE(tokenize("x := \"\xe0\x80\x80\"", "f.rego"));  // overlong
  CHECK_FALSE(tokenize("x := \"\xed\xa0\x80\"", "f.rego"));  // an encoded surrogate
  CHECK(tokenize("x := \"\xc3\xa9 \xf0\x9f\x98\x80\"", "f.rego"));
  auto lone = tokenize("x := \"a\\ud800b\"", "f.rego").value();
  CHECK(lone[2].text == "a\xEF\xBF\xBD" "b");
  auto pair = tokenize("x := \"\\ud83d\\ude00\"", "f.rego").value();
  CHECK(pair[2].text == "\xF0\x9F\x98\x80");
  // comments may hold any bytes
  CHECK(tokenize("# \xff\nx := 1", "f.rego"));
}

TEST_SUITE_END();
