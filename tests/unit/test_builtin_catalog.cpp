#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "providers/builtin_catalog.hpp"

using namespace helios;

TEST_SUITE_BEGIN("builtin_catalog");

TEST_CASE("The built-in catalog is embedded with enough providers, offerings and kinds")
{
  const Catalog& catalog = providers::builtin_catalog();
  CHECK(catalog.providers().size() >= 20);
  CHECK(catalog.offerings().size() >= 45);
  std::set<WorkloadKind> kinds;
  for (const auto& o : catalog.offerings()) {
    kinds.insert(o.kind);
  }
  CHECK(kinds.size() == 5);
}

TEST_CASE("The embedded catalog equals the providers/*/catalog.yaml it was generated from")
{
  Catalog from_yaml;
  const auto root = std::filesystem::path(HELIOS_SOURCE_DIR);
  for (const auto& entry : std::filesystem::directory_iterator(root / "providers")) {
    const auto file = entry.path() / "catalog.yaml";
    if (!std::filesystem::exists(file)) {
      continue;
    }
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto merged = from_yaml.merge_text(text, std::filesystem::relative(file, root).generic_string());
    REQUIRE(merged.has_value());
  }
  const Catalog& embedded = providers::builtin_catalog();
  REQUIRE(from_yaml.offerings().size() == embedded.offerings().size());
  for (std::size_t i = 0; i < embedded.offerings().size(); ++i) {
    nlohmann::json a = to_json(from_yaml.offerings()[i]);
    nlohmann::json b = to_json(embedded.offerings()[i]);
    for (auto* doc : {&a, &b}) {  // free disk space moves between two measurements
      for (auto& q : (*doc)["free"]) {
        if (q["measured"].get<bool>()) {
          q["amount"] = 0;
          q["display"] = "";
        }
      }
    }
    CAPTURE(embedded.offerings()[i].id);
    CHECK(a.dump() == b.dump());
  }
}

TEST_CASE("Every number of the built-in catalog has a source, an as-of date and a confidence")
{
  for (const auto& o : providers::builtin_catalog().offerings()) {
    CAPTURE(o.id);
    CHECK(o.id == o.provider + "/" + o.product);
    CHECK_FALSE(o.regions.empty());
    CHECK_FALSE(o.provenance.source.empty());
    CHECK(o.provenance.as_of.size() == 10);
    CHECK(o.where.file == "providers/" + o.provider + "/catalog.yaml");
    CHECK((o.hard_cap || !o.overage.empty()));
    for (const auto& q : o.free) {
      CHECK_FALSE(q.provenance.source.empty());
      CHECK(q.provenance.as_of.size() == 10);
      CHECK((q.measured || q.amount.value > 0));
    }
    if (o.kind == WorkloadKind::ai) {
      CHECK_FALSE(o.model.empty());
      CHECK(o.base_url.starts_with("https://"));
      CHECK_FALSE(o.credential_env.empty());
    }
  }
}

TEST_CASE("The AI offerings carry per-model request and token windows")
{
  const Offering* groq = providers::builtin_catalog().find("groq/llama-3.3-70b");
  REQUIRE(groq != nullptr);
  std::set<std::pair<std::string, Period>> windows;
  for (const auto& q : groq->free) {
    windows.insert({q.dimension, q.amount.period});
  }
  CHECK(windows.count({"requests", Period::minute}) == 1);
  CHECK(windows.count({"requests", Period::day}) == 1);
  CHECK(windows.count({"tokens", Period::minute}) == 1);
  CHECK(windows.count({"tokens", Period::day}) == 1);
}

TEST_CASE("One model name reaches every provider of that model")
{
  std::vector<std::string> serving;
  for (const auto& o : providers::builtin_catalog().offerings()) {
    if (o.kind == WorkloadKind::ai && o.serves_model("llama-3.3-70b")) {
      serving.push_back(o.id);
    }
  }
  CHECK(serving == std::vector<std::string>{"groq/llama-3.3-70b", "nvidia/llama-3.3-70b", "openrouter/llama-3.3-70b"});
  const Offering* groq = providers::builtin_catalog().find("groq/llama-3.3-70b");
  CHECK(groq->serves_model("llama-3.3-70b-versatile"));
  CHECK_FALSE(groq->serves_model("llama-3.1-8b"));
  CHECK(providers::builtin_catalog().find("cloudflare/workers-ai-llama-3.1-8b")->serves_model("llama-3.1-8b"));
}

TEST_CASE("Workers and Pages Functions share one request pool")
{
  const auto& catalog = providers::builtin_catalog();
  CHECK(catalog.find("cloudflare/workers")->free_quota("requests")->pool ==
        catalog.find("cloudflare/pages")->free_quota("requests")->pool);
}

TEST_CASE("The local provider's free amounts are this machine's capacity")
{
  const Offering* local = providers::builtin_catalog().find("local/process");
  REQUIRE(local != nullptr);
  CHECK(local->free_quota("cpu")->measured);
  CHECK(local->free_quota("cpu")->amount.value >= 1);
  CHECK(local->free_quota("memory")->amount.value > 0);
  const Offering* db = providers::builtin_catalog().find("local/database");
  REQUIRE(db != nullptr);
  CHECK(db->engines == std::vector<std::string>{"sqlite", "postgres"});
  CHECK(db->free_quota("storage")->amount.value > 0);
}

TEST_CASE("User catalogs override built-in offerings by id, in order")
{
  const auto dir = std::filesystem::temp_directory_path() / "helios-test-builtin-catalog";
  std::filesystem::create_directories(dir);
  const auto file = (dir / "override.yaml").string();
  {
    std::ofstream out(file);
    out << "apiVersion: helios/v1\nkind: Catalog\nofferings:\n"
           "  - { id: groq/llama-3.3-70b, provider: groq, product: llama-3.3-70b, kind: ai, regions: [global],\n"
           "      model: llama-3.3-70b-versatile, overage: hard_cap, source: 'https://example.com', as_of: 2026-11-01,\n"
           "      confidence: confirmed, free: [{ dimension: requests, amount: 7, period: day }] }\n";
  }
  std::vector<std::string> overridden;
  auto catalog = providers::effective_catalog({file}, &overridden);
  REQUIRE(catalog.has_value());
  CHECK(overridden == std::vector<std::string>{"groq/llama-3.3-70b"});
  CHECK(catalog->find("groq/llama-3.3-70b")->free_quota("requests")->amount.value == 7);
  CHECK(catalog->offerings().size() == providers::builtin_catalog().offerings().size());
  CHECK(providers::builtin_catalog().find("groq/llama-3.3-70b")->free.size() == 4);  // untouched

  auto missing = providers::effective_catalog({(dir / "missing.yaml").string()});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().exit == ExitCode::usage);
  std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
