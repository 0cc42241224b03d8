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

TEST_SUITE_END();
