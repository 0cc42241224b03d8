#include <doctest/doctest.h>

#include "core/policy/report.hpp"

using namespace helios::policy;

namespace {
QcReport sample()
{
  QcReport r;
  r.target = "helios.yaml";
  r.tests = 2;
  r.rules.push_back({"main/deny_x", "short", "full", "help"});
  r.rules.push_back({"helios/budget", "short", "full", "help"});
  Finding f;
  f.rule_id = "main/deny_x";
  f.rule = "deny_x";
  f.namespace_name = "main";
  f.message = "bad, \"quoted\" <thing>\nsecond line";
  f.where = {"helios.yaml", 12, 5};
  r.findings.push_back(f);
  f.severity = Severity::warning;
  f.message = "careful";
  r.findings.push_back(f);
  return r;
}
}  // namespace

TEST_SUITE_BEGIN("policy");

TEST_CASE("SARIF carries GitHub's required fields, stable fingerprints and manifest lines")
{
  auto s = report_sarif(sample(), 3, "0.1.0");
  CHECK(s["version"] == "2.1.0");
  const auto& run = s["runs"][0];
  CHECK(run["tool"]["driver"]["rules"].size() == 2);
  const auto& res = run["results"][0];
  CHECK(res["ruleId"] == "main/deny_x");
  CHECK(res["level"] == "error");
  CHECK(run["results"][1]["level"] == "warning");
  CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"] == 12);
  CHECK(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "helios.yaml");
  CHECK(res["partialFingerprints"]["primaryLocationLineHash"].get<std::string>().size() > 16);
  CHECK(report_sarif(sample(), 3, "0.1.0") == s);
  CHECK(run["invocations"][0]["exitCode"] == 3);
}

TEST_CASE("JUnit, GitHub annotations, TAP and text")
{
  auto r = sample();
  auto junit = report_junit(r);
  CHECK(junit.find("<testsuite name=\"helios qc\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(junit.find("&quot;quoted&quot; &lt;thing&gt;") != std::string::npos);
  auto gh = report_github(r);
  CHECK(gh.find("::error file=helios.yaml,line=12,col=5,title=main/deny_x::bad, \"quoted\" <thing>%0Asecond line\n") == 0);
  CHECK(gh.find("::warning ") != std::string::npos);
  auto tap = report_tap(r);
  CHECK(tap.find("TAP version 13\n1..3\n") == 0);
  CHECK(tap.find("# TODO warning") != std::string::npos);
  CHECK(tap.find("ok 3 - helios.yaml - helios/budget") != std::string::npos);
  CHECK(report_text(r).find("FAIL - helios.yaml:12:5 - main/deny_x") == 0);
  auto j = report_json(r, 3);
  CHECK(j["summary"]["failures"] == 1);
  CHECK(j["summary"]["warnings"] == 1);
  CHECK(j["summary"]["passed"] == 1);
}

TEST_CASE("SARIF artifact locations are URI references")
{
  CHECK(artifact_uri("helios.yaml") == "helios.yaml");
  CHECK(artifact_uri("./stacks/prod.yaml") == "stacks/prod.yaml");
  CHECK(artifact_uri("dir with space/h#1%.yaml") == "dir%20with%20space/h%231%25.yaml");
  CHECK(artifact_uri("/work/repo/helios.yaml") == "file:///work/repo/helios.yaml");
  CHECK(artifact_uri("données.yaml") == "donn%C3%A9es.yaml");
}

TEST_CASE("The JSON report is written directly, byte for byte what the JSON tree dumps")
{
  auto r = sample();
  CHECK(report_json_text(r, 3) == report_json(r, 3).dump(2));
  r.findings[0].metadata = {{"workload", "wëb"}, {"n", 1.5}, {"list", {1, "two", nullptr}}, {"nested", {{"a", {{"b", true}}}}}};
  r.findings[1].message = "tab\there, \\ backslash, ünïcode, \x01 control";
  r.findings[1].where = {"dir with space/h\"q.yaml", 0, 0};
  r.namespaces = {"main", "other"};
  r.policy_files = {"p/a.rego"};
  r.exceptions = 2;
  CHECK(report_json_text(r, 0) == report_json(r, 0).dump(2));
  QcReport empty;
  CHECK(report_json_text(empty, 0) == report_json(empty, 0).dump(2));
  r.findings[0].message = std::string("bad \xff utf-8");
  CHECK_THROWS(report_json_text(r, 3));  // as dump() refuses it
}

TEST_SUITE_END();
