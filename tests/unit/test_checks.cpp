#include <doctest/doctest.h>

#include "core/policy/checks.hpp"

using namespace helios::policy;

TEST_SUITE_BEGIN("policy");

TEST_CASE("Secret-looking literals: known prefixes and high entropy, not ordinary words")
{
  CHECK(secret_kind("ghp_abcdefghijklmnopqrstuvwxyz0123456789").value() == "GitHub personal access token");
  CHECK(secret_kind("AKIAIOSFODNN7EXAMPLE").value() == "AWS access key id");
  CHECK(secret_kind("Zx8Qp2Lm9Rt4Vw7Yb3Nc6Hd1Kf5Gj0Ts").value() == "high-entropy string");
  CHECK_FALSE(secret_kind("CLOUDFLARE_API_TOKEN"));
  CHECK_FALSE(secret_kind("python3-m-http.server"));
  CHECK_FALSE(secret_kind("sk-"));
  CHECK(shannon_entropy("aaaa") == 0);
}

TEST_CASE("Built-in checks find budget overruns, headroom, secrets and stale catalog figures, located")
{
  CheckInput in;
  in.manifest_file = "m.yaml";
  in.manifest_text = "apiVersion: helios/v1\nkind: Stack\nmetadata: {name: x}\nspec:\n  token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n";
  in.manifest = *parse_json_value(R"({"apiVersion":"helios/v1","kind":"Stack","metadata":{"name":"x"},
    "spec":{"budget":{"monthly_usd":1},"workloads":[{"name":"web","kind":"compute"},{"name":"web","kind":"gpu"}]}})");
  in.manifest_loaded = true;
  in.manifest_error = helios::ErrorInfo{helios::ExitCode::usage, "invalid_manifest", "spec.workloads[1].kind: unknown kind 'gpu'",
                                        "m.yaml:9:13", "write one of compute, hosting, database, storage, ai"};
  in.locations["budget"] = {"m.yaml", 6, 3};
  in.locations["workload:web"] = {"m.yaml", 9, 13};
  in.plan = *parse_json_value(R"({"placement":{"cost_usd":3,"assignments":[{"workload":"web","offering":"a/b","utilisation":{"requests":0.95}}]}})");
  helios::Offering old;
  old.id = "a/b";
  old.provenance.as_of = "2020-01-01";
  in.offerings.push_back(&old);
  in.today_days = *days_of_date("2026-11-26");
  QcReport report;
  run_builtin_checks(in, report);
  CHECK(report.tests == 6);
  auto count = [&](const std::string& id) {
    return std::count_if(report.findings.begin(), report.findings.end(), [&](const Finding& f) { return f.rule_id == id; });
  };
  CHECK(count("helios/budget") == 1);
  CHECK(count("helios/manifest-invalid") == 1);  // the loader's error, as it gave it
  CHECK(count("helios/quota-headroom") == 1);
  CHECK(count("helios/secret-literal") == 1);
  CHECK(count("helios/catalog-stale") == 1);
  for (const auto& f : report.findings) {
    if (f.rule_id == "helios/secret-literal") {
      CHECK(f.where.line == 5);
      CHECK(f.where.column == 10);
      CHECK(f.message.find("abcdefghij") == std::string::npos);
    }
    if (f.rule_id == "helios/budget") {
      CHECK(f.where.line == 6);
    }
    if (f.rule_id == "helios/manifest-invalid") {
      CHECK(f.where.to_string() == "m.yaml:9:13");
      CHECK(f.message == "spec.workloads[1].kind: unknown kind 'gpu' (hint: write one of compute, hosting, database, storage, ai)");
      CHECK(f.severity == Severity::failure);
    }
  }
}

TEST_CASE("The manifest check reports what load_manifest reports: its error, located, or its warnings")
{
  const std::string file = "stack.yaml";
  CheckInput in;
  in.manifest_file = file;
  in.manifest_loaded = true;
  auto bad = helios::parse_manifest("apiVersion: helios/v1\nkind: Stack\nmetadata: {name: x}\nspec:\n  workloads:\n"
                                    "    - name: web\n      kind: compute\n      replicas: many\n",
                                    file);
  REQUIRE_FALSE(bad);
  in.manifest_error = bad.error();
  QcReport report;
  run_builtin_checks(in, report);
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].rule_id == "helios/manifest-invalid");
  CHECK(report.findings[0].where.to_string() == bad.error().where);
  CHECK(report.findings[0].where.line == 8);
  CHECK(report.findings[0].message.rfind(bad.error().message, 0) == 0);
  CHECK(report.findings[0].metadata["code"] == "invalid_manifest");

  auto good = helios::parse_manifest("apiVersion: helios/v1\nkind: Stack\nmetadata: {name: x}\nspec:\n  workloads:\n"
                                     "    - name: web\n      kind: compute\n      spread: true\n"
                                     "      runtime: {image: nginx}\n",
                                     file);
  REQUIRE(good);
  REQUIRE_FALSE(good->warnings.empty());
  CheckInput ok;
  ok.manifest_file = file;
  ok.manifest_loaded = true;
  ok.stack = *good;
  QcReport clean;
  run_builtin_checks(ok, clean);
  REQUIRE(clean.findings.size() == good->warnings.size());
  CHECK(clean.findings[0].rule_id == "helios/manifest-warning");
  CHECK(clean.findings[0].severity == Severity::warning);
  CHECK(clean.findings[0].message == good->warnings[0].message);
  CHECK(clean.findings[0].where.line == good->warnings[0].where.line);
}

TEST_CASE("Error locations parse back into file, line and column")
{
  CHECK(location_of("a.yaml:3:7", "x").to_string() == "a.yaml:3:7");
  CHECK(location_of("C:/w/a.yaml:3:7", "x").file == "C:/w/a.yaml");
  CHECK(location_of("a.yaml:12", "x").line == 12);
  CHECK(location_of("a.yaml", "x").line == 0);
  CHECK(location_of("", "x").file == "x");
  CHECK(location_of("weird:name", "x").file == "weird:name");
}

TEST_CASE("Dates become day numbers")
{
  CHECK(days_of_date("1970-01-01").value() == 0);
  CHECK(days_of_date("2000-03-01").value() == 11017);
  CHECK_FALSE(days_of_date("yesterday"));
}

TEST_SUITE_END();
