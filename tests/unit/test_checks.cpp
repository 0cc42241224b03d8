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
  in.manifest = nlohmann::json::parse(R"({"apiVersion":"helios/v1","kind":"Stack","metadata":{"name":"x"},
    "spec":{"budget":{"monthly_usd":1},"workloads":[{"name":"web","kind":"compute"},{"name":"web","kind":"gpu"}]}})");
  in.locations["budget"] = {"m.yaml", 6, 3};
  in.locations["workload:web"] = {"m.yaml", 9, 13};
  in.plan = nlohmann::json::parse(R"({"placement":{"cost_usd":3,"assignments":[{"workload":"web","offering":"a/b","utilisation":{"requests":0.95}}]}})");
  helios::Offering old;
  old.id = "a/b";
  old.provenance.as_of = "2020-01-01";
  in.offerings.push_back(&old);
  in.today_days = *days_of_date("2026-11-26");
  QcReport report;
  run_builtin_checks(in, report);
  CHECK(report.tests == 5);
  auto count = [&](const std::string& id) {
    return std::count_if(report.findings.begin(), report.findings.end(), [&](const Finding& f) { return f.rule_id == id; });
  };
  CHECK(count("helios/budget") == 1);
  CHECK(count("helios/manifest-invalid") == 2);  // duplicate name, unknown kind
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
  }
}

TEST_CASE("Dates become day numbers")
{
  CHECK(days_of_date("1970-01-01").value() == 0);
  CHECK(days_of_date("2000-03-01").value() == 11017);
  CHECK_FALSE(days_of_date("yesterday"));
}

TEST_SUITE_END();
