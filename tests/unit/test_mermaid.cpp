#include <doctest/doctest.h>

#include "core/render/mermaid.hpp"

using namespace helios;

TEST_SUITE_BEGIN("render::mermaid");

TEST_CASE("Labels escape what would break a quoted Mermaid label")
{
  CHECK(render::label("a \"quoted\" name") == "a #quot;quoted#quot; name");
  CHECK(render::label("x<y>&#") == "x#lt;y#gt;#amp;#35;");
  CHECK(render::label("two\nlines") == "two<br/>lines");
  CHECK(render::label("[brackets] (parens) {braces}") == "[brackets] (parens) {braces}");
  CHECK(render::label("Ünïcødé ✓") == "Ünïcødé ✓");
}

TEST_CASE("Node ids are safe and distinct for names that sanitise alike")
{
  const auto a = render::node_id("w", "web-1");
  const auto b = render::node_id("w", "web_1");
  CHECK(a != b);
  for (const char c : a + b) {
    CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_'));
  }
  CHECK(render::node_id("w", "ünï") .find("w___") == 0);
}

TEST_CASE("The placement flowchart has one subgraph per provider, workloads inside, near and uses edges")
{
  Stack stack;
  stack.name = "hobby";
  Workload web;
  web.name = "web \"frontend\"";
  web.near = "db";
  web.depends_on = {"db"};
  Workload db;
  db.name = "db";
  stack.workloads = {web, db};
  Placement placement;
  Assignment a;
  a.workload = web.name;
  a.offering = "cloudflare/workers";
  a.provider = "cloudflare";
  a.region = "global";
  a.utilisation = {{"requests", 0.25}};
  Assignment b;
  b.workload = "db";
  b.offering = "neon/free";
  b.provider = "neon";
  b.region = "eu";
  placement.assignments = {a, b};
  const std::string text = render::placement_flowchart(stack, placement);
  CHECK(text.rfind("flowchart LR\n", 0) == 0);
  CHECK(text.find("[\"cloudflare\"]") != std::string::npos);
  CHECK(text.find("[\"neon\"]") != std::string::npos);
  CHECK(text.find("web #quot;frontend#quot;") != std::string::npos);
  CHECK(text.find("requests 25%") != std::string::npos);
  CHECK(text.find("-. near .->") != std::string::npos);
  CHECK(text.find("-- uses -->") != std::string::npos);
  CHECK(text.find("\"web \"") == std::string::npos);  // no raw quote inside a label
}

TEST_CASE("Split shares show their weight")
{
  Stack stack;
  stack.name = "s";
  Placement placement;
  for (const auto& [provider, weight] : {std::pair{"groq", 0.6}, std::pair{"gemini", 0.4}}) {
    Assignment a;
    a.workload = "llm";
    a.provider = provider;
    a.offering = std::string(provider) + "/model";
    a.weight = weight;
    placement.assignments.push_back(a);
  }
  const std::string text = render::placement_flowchart(stack, placement);
  CHECK(text.find("llm (60% share)") != std::string::npos);
  CHECK(text.find("llm (40% share)") != std::string::npos);
}

TEST_CASE("The quota chart plots percent of the free limit with the limit as a line")
{
  const std::string text = render::quota_chart(
    {{"groq", "default", "requests", "day", 250, 1000}, {"neon \"x\"", "work", "storage", "static", 0.6, 0.5}}, "Quota");
  CHECK(text.rfind("xychart-beta\n", 0) == 0);
  CHECK(text.find("\"groq requests/day\"") != std::string::npos);
  CHECK(text.find("\"neon 'x' storage/static (work)\"") != std::string::npos);
  CHECK(text.find("bar [25.0, 120.0]") != std::string::npos);
  CHECK(text.find("0 --> 120") != std::string::npos);
  CHECK(text.find("line [100, 100]") != std::string::npos);
  CHECK(render::quota_chart({}, "Quota").find("no quota use recorded yet") != std::string::npos);
}

TEST_CASE("The history is a gitGraph with unique commit ids")
{
  const std::string text = render::history_graph(
    {{"abc1234", "2026-11-26T01:00:00Z", "apply", "apply hobby"}, {"abc1234", "", "apply", "again"},
     {"def5678", "", "rollback", "rollback"}});
  CHECK(text.rfind("gitGraph\n", 0) == 0);
  CHECK(text.find("commit id: \"abc1234 apply\" type: HIGHLIGHT") != std::string::npos);
  CHECK(text.find("commit id: \"abc1234 apply'\"") != std::string::npos);
  CHECK(text.find("type: REVERSE") != std::string::npos);
}

TEST_SUITE_END();
