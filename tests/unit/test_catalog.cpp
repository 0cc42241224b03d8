#include <doctest/doctest.h>

#include "core/catalog.hpp"

using namespace helios;

TEST_SUITE_BEGIN("catalog");

namespace {

const char* k_design_example = R"(apiVersion: helios/v1
kind: Catalog
offerings:
  - id: groq/llama-3.3-70b
    provider: groq
    product: llama-3.3-70b
    kind: ai
    regions: [global]
    api: openai-compatible
    model: llama-3.3-70b-versatile
    free:
      - { dimension: requests, amount: 1000, period: day, scope: organization, reset: "00:00 UTC" }
      - { dimension: tokens, amount: 12000, period: minute, scope: organization }
    overage: hard_cap
    source: https://console.groq.com/docs/rate-limits
    as_of: 2026-07-18
    confidence: secondary
  - id: examplecloud/pg-small
    provider: examplecloud
    product: pg-small
    kind: database
    regions: [eu]
    free:
      - { dimension: storage, amount: 500Mi, period: static, scope: project, source: "https://example.com/free", confidence: confirmed }
    free_instances: 1
    overage:
      - { dimension: storage, usd: 0.35, per: 1Gi, period: month }
    source: https://example.com/pricing
    as_of: 2026-11-01
    confidence: confirmed
)";

std::string error_of(const std::string& text)
{
  auto result = parse_catalog_text(text, "user.yaml");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().exit == ExitCode::usage);
  return result.error().where + ": " + result.error().message + " | " + result.error().hint;
}

std::string with_offering(const std::string& body)
{
  return "apiVersion: helios/v1\nkind: Catalog\nofferings:\n  - id: acme/web\n    provider: acme\n    product: web\n"
         "    kind: compute\n    regions: [eu]\n    source: https://acme.example/pricing\n    as_of: 2026-01-01\n"
         "    confidence: confirmed\n" +
         body;
}

}  // namespace

TEST_CASE("The DESIGN.md user catalog example parses into typed offerings")
{
  auto offerings = parse_catalog_text(k_design_example, "user.yaml");
  REQUIRE(offerings.has_value());
  REQUIRE(offerings->size() == 2);
  const Offering& groq = (*offerings)[0];
  CHECK(groq.id == "groq/llama-3.3-70b");
  CHECK(groq.kind == WorkloadKind::ai);
  CHECK(groq.hard_cap);
  REQUIRE(groq.free.size() == 2);
  CHECK(groq.free[0].dimension == "requests");
  CHECK(groq.free[0].amount == Amount{1000, Period::day});
  CHECK(groq.free[0].scope == Scope::organization);
  CHECK(groq.free[0].reset == "00:00 UTC");
  CHECK(groq.free[0].provenance.source == "https://console.groq.com/docs/rate-limits");  // inherited
  CHECK(groq.free[0].provenance.confidence == Confidence::secondary);
  CHECK(groq.free_quota("tokens")->amount.period == Period::minute);
  CHECK(groq.where.to_string() == "user.yaml:4:5");

  const Offering& pg = (*offerings)[1];
  CHECK_FALSE(pg.hard_cap);
  CHECK(pg.free_instances == 1);
  CHECK(pg.free[0].amount.value == 500.0 * 1024 * 1024);
  CHECK(pg.free[0].scope == Scope::project);
  CHECK(pg.free[0].provenance.source == "https://example.com/free");  // its own
  REQUIRE(pg.overage_price("storage") != nullptr);
  CHECK(pg.overage_price("storage")->usd == doctest::Approx(0.35));
  CHECK(pg.overage_price("storage")->per == 1024.0 * 1024 * 1024);
  CHECK(pg.serves_region("eu"));
  CHECK_FALSE(pg.serves_region("us"));
  CHECK(groq.serves_region("us"));
}

TEST_CASE("Unknown keys are located and get a did-you-mean")
{
  const std::string message = error_of(with_offering("    free:\n      - { dimension: requests, amount: 10, perod: day }\n"));
  CHECK(message.find("user.yaml:13:") == 0);
  CHECK(message.find("unknown key 'perod'") != std::string::npos);
  CHECK(message.find("did you mean 'period'?") != std::string::npos);

  const std::string top = error_of(with_offering("    regoins: [eu]\n"));
  CHECK(top.find("user.yaml:12:5") == 0);
  CHECK(top.find("did you mean 'regions'?") != std::string::npos);
}

TEST_CASE("Bad values name the value, what was expected and where")
{
  CHECK(error_of(with_offering("    free:\n      - { dimension: storage, amount: 5 parsecs }\n")).find("'5 parsecs' has an unknown unit") !=
        std::string::npos);
  CHECK(error_of(with_offering("    free:\n      - { dimension: requestz, amount: 5 }\n")).find("did you mean 'requests'?") !=
        std::string::npos);
  CHECK(error_of(with_offering("    free:\n      - { dimension: requests, amount: -5, period: day }\n")).find("negative") !=
        std::string::npos);
  CHECK(error_of(with_offering("    free:\n      - { dimension: requests, amount: 5/day, period: month }\n"))
          .find("contradicts") != std::string::npos);
  CHECK(error_of(with_offering("    free_instances: lots\n")).find("'lots' is not a whole number") != std::string::npos);
  CHECK(error_of(with_offering("    overage: sometimes\n")).find("hard_cap") != std::string::npos);
  CHECK(error_of("apiVersion: helios/v2\nkind: Catalog\noffering: []\n").find("user.yaml:1:13: apiVersion 'helios/v2'") == 0);
  CHECK(error_of("apiVersion: helios/v1\nkind: Stack\noffferings: []\n").find("kind 'Stack' is not Catalog") != std::string::npos);
  CHECK(error_of("").find("empty") != std::string::npos);
  CHECK(error_of("offerings: [\n").find("invalid YAML") != std::string::npos);
  CHECK(error_of(std::string("apiVersion: helios/v1\0\1", 23)).find("binary") != std::string::npos);
  CHECK(error_of(with_offering("    regions: [us]\n")).find("appears twice") != std::string::npos);
}

TEST_CASE("Every problem of a file is collected")
{
  const std::string text = "apiVersion: helios/v1\nkind: Catalog\nofferings:\n"
                           "  - { id: a/b, provider: a, product: b, kind: vm, regions: [eu], source: 'https://a.example',"
                           " as_of: yesterday, confidence: sure }\n";
  auto result = parse_catalog_text(text, "user.yaml");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().details["errors"].size() == 3);
  CHECK(result.error().message.find("more problem") != std::string::npos);
}

TEST_CASE("Offerings without provenance are refused")
{
  const std::string text =
    "apiVersion: helios/v1\nkind: Catalog\nofferings:\n  - { provider: a, product: b, kind: storage, regions: [eu] }\n";
  auto result = parse_catalog_text(text, "user.yaml");
  REQUIRE_FALSE(result.has_value());
  const auto& errors = result.error().details["errors"];
  REQUIRE(errors.size() == 3);
  CHECK(errors[0]["message"] == "the offering has no source");
  CHECK(errors[0]["where"] == "user.yaml:4:5");
}

TEST_CASE("Duplicate ids in one file are refused")
{
  const std::string one = std::string(k_design_example);
  const std::string twice = one + one.substr(one.find("  - id: groq"), one.find("  - id: examplecloud") - one.find("  - id: groq"));
  CHECK(error_of(twice).find("defined twice") != std::string::npos);
}

TEST_CASE("Merging replaces offerings by id and reports the overrides")
{
  Catalog catalog;
  auto first = catalog.merge_text(k_design_example, "a.yaml");
  REQUIRE(first.has_value());
  CHECK(first->empty());
  std::string changed = k_design_example;
  changed.replace(changed.find("amount: 1000,"), 13, "amount: 500,");
  auto second = catalog.merge_text(changed, "b.yaml");
  REQUIRE(second.has_value());
  CHECK(*second == std::vector<std::string>{"groq/llama-3.3-70b", "examplecloud/pg-small"});
  CHECK(catalog.offerings().size() == 2);
  CHECK(catalog.find("groq/llama-3.3-70b")->free[0].amount.value == 500);
  CHECK(catalog.find("groq/llama-3.3-70b")->where.file == "b.yaml");
  CHECK(catalog.providers() == std::vector<std::string>{"examplecloud", "groq"});
  CHECK(catalog.find("nope/nope") == nullptr);
}

TEST_CASE("The JSON form round-trips")
{
  Catalog catalog;
  REQUIRE(catalog.merge_text(k_design_example, "a.yaml").has_value());
  const nlohmann::json once = to_json(catalog);
  auto back = catalog_from_json(once);
  REQUIRE(back.has_value());
  CHECK(to_json(*back) == once);
  CHECK(once[1]["free"][0]["display"] == "1k/day");
  CHECK(once[0]["overage"][0]["per"] == 1024.0 * 1024 * 1024);
  CHECK_FALSE(catalog_from_json(nlohmann::json::object()).has_value());
  CHECK_FALSE(offering_from_json(nlohmann::json{{"id", "x"}}).has_value());
}

TEST_CASE("amount: machine is measured from this machine")
{
  const std::string text = with_offering(
    "    free:\n      - { dimension: cpu, amount: machine }\n      - { dimension: memory, amount: machine }\n"
    "      - { dimension: storage, amount: machine }\n    limits:\n      - { dimension: memory, max: machine }\n");
  Catalog catalog;
  REQUIRE(catalog.merge_text(text, "local.yaml").has_value());
  const Offering* o = catalog.find("acme/web");
  REQUIRE(o != nullptr);
  CHECK(o->free_quota("cpu")->measured);
  CHECK(o->free_quota("cpu")->amount.value >= 1);
  CHECK(o->free_quota("memory")->amount.value > 64.0 * 1024 * 1024);
  CHECK(o->free_quota("storage")->amount.value > 0);
  CHECK(o->limit("memory")->max == o->free_quota("memory")->amount.value);
}

TEST_CASE("Names of confidences and scopes parse back")
{
  for (auto c : {Confidence::confirmed, Confidence::secondary, Confidence::unconfirmed}) {
    CHECK(parse_confidence(confidence_name(c)) == c);
  }
  for (auto s : {Scope::account, Scope::organization, Scope::project, Scope::instance}) {
    CHECK(parse_scope(scope_name(s)) == s);
  }
  CHECK_FALSE(parse_scope("galaxy").has_value());
  CHECK(quota_unit("storage") == UnitKind::bytes);
}

TEST_SUITE_END();
