#include <doctest/doctest.h>

#include "tests/unit/provider_fixture.hpp"

using namespace helios;
using helios::testing::ProviderFixture;

TEST_SUITE_BEGIN("cloudflare_provider");

namespace {
struct CloudflareFixture : ProviderFixture {
  CloudflareFixture()
    : ProviderFixture("cloudflare", {"--account", "acc123"}, "/client/v4", {"default", "test-token", "acc123", "env:CLOUDFLARE_API_TOKEN"})
  {
  }
  static ResourceSpec spec(WorkloadKind kind, const std::string& workload, const std::string& product = "")
  {
    ResourceSpec s = helios::testing::hobby_spec(kind, workload);
    s.product = product;
    return s;
  }
};
}  // namespace

TEST_CASE("Cloudflare: every resource type through its whole life, the fake's inventory agreeing")
{
  CloudflareFixture f;
  REQUIRE(f.provider->validate_credentials(f.credentials));

  auto worker = f.provider->create(CloudflareFixture::spec(WorkloadKind::compute, "web"), f.credentials);
  REQUIRE_MESSAGE(worker, (worker ? "" : worker.error().message));
  CHECK(worker->type == "workers_script");
  auto bucket = f.provider->create(CloudflareFixture::spec(WorkloadKind::storage, "assets"), f.credentials);
  REQUIRE(bucket);
  CHECK(bucket->type == "r2_bucket");
  CHECK(bucket->region == "weur");
  auto db = f.provider->create(CloudflareFixture::spec(WorkloadKind::database, "db"), f.credentials);
  REQUIRE(db);
  CHECK(db->type == "d1_database");
  auto kv = f.provider->create(CloudflareFixture::spec(WorkloadKind::storage, "cache", "kv"), f.credentials);
  REQUIRE(kv);
  CHECK(kv->type == "kv_namespace");
  CHECK(f.fake.inventory_count() == 4);

  // create again: every one is adopted by its deterministic name, nothing duplicated
  for (auto [kind, workload, product] : {std::tuple{WorkloadKind::compute, "web", ""}, std::tuple{WorkloadKind::storage, "assets", ""},
                                         std::tuple{WorkloadKind::database, "db", ""}, std::tuple{WorkloadKind::storage, "cache", "kv"}}) {
    auto again = f.provider->create(CloudflareFixture::spec(kind, workload, product), f.credentials);
    REQUIRE(again);
  }
  CHECK(f.fake.inventory_count() == 4);
  auto db_again = f.provider->create(CloudflareFixture::spec(WorkloadKind::database, "db"), f.credentials);
  CHECK(db_again->id == db->id);

  for (const auto& r : {*worker, *bucket, *db, *kv}) {
    auto read = f.provider->read(r, f.credentials);
    REQUIRE(read);
    REQUIRE(*read);
    CHECK((*read)->id == r.id);
  }
  auto renamed = f.provider->update(*kv, CloudflareFixture::spec(WorkloadKind::storage, "cache2", "kv"), f.credentials);
  REQUIRE(renamed);
  CHECK(renamed->name == "helios-hobby-cache2");
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 4);

  auto usage = f.provider->usage(f.credentials);
  REQUIRE(usage);
  bool saw_requests = false;
  for (const auto& reading : *usage) {
    if (reading.dimension == "requests") {
      saw_requests = true;
      CHECK(reading.used == 1500);
      CHECK(reading.period == Period::day);
    }
  }
  CHECK(saw_requests);

  for (const auto& r : {*worker, *bucket, *db, *kv}) {
    f.remove_twice_then_gone(r);  // already gone is fine
  }
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Cloudflare: Workers AI endpoints reference the token, never hold it")
{
  CloudflareFixture f;
  auto spec = CloudflareFixture::spec(WorkloadKind::ai, "llm", "workers-ai-llama-3.1-8b");
  spec.config["model"] = "@cf/meta/llama-3.1-8b-instruct";
  auto ai = f.provider->create(spec, f.credentials);
  REQUIRE(ai);
  CHECK(ai->outputs["base_url"] == f.fake.url("/client/v4") + "/accounts/acc123/ai/v1");
  CHECK(ai->secret_refs["api_key"] == "env:CLOUDFLARE_API_TOKEN");
  CHECK(ai->attributes.dump().find("test-token") == std::string::npos);
  REQUIRE(f.provider->remove(*ai, f.credentials));
}

TEST_CASE("Cloudflare: a wrong token or account is a clear error")
{
  CloudflareFixture f;
  Credentials wrong = f.credentials;
  wrong.token = "not-the-token";
  auto denied = f.provider->create(CloudflareFixture::spec(WorkloadKind::storage, "assets"), wrong);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == "provider_auth");
  CHECK(denied.error().message.find("cloudflare create") != std::string::npos);
  CHECK(denied.error().message.find("HTTP 403") != std::string::npos);
  CHECK(denied.error().message.find("not-the-token") == std::string::npos);
  Credentials other = f.credentials;
  other.account_id = "someone-else";
  auto routed = f.provider->list(other);
  REQUIRE_FALSE(routed);
  CHECK(routed.error().message.find("HTTP 404") != std::string::npos);
  CHECK(routed.error().message.find("7003") != std::string::npos);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Cloudflare: create survives faults and adopts what a lost answer created")
{
  CloudflareFixture f;
  // the first POST is answered 500 after nothing was created; the adapter re-checks and reports it
  f.fake.fault({{"kind", "status"}, {"status", 500}, {"path", "/client/v4/accounts/acc123/r2/buckets"}, {"method", "POST"}});
  auto failed = f.provider->create(CloudflareFixture::spec(WorkloadKind::storage, "assets"), f.credentials);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("cloudflare create: HTTP 500") != std::string::npos);
  CHECK(f.fake.inventory_count() == 0);
  // a 429 on create is retried after its Retry-After, and the bucket exists once
  f.fake.fault({{"kind", "status"}, {"status", 429}, {"retry_after", "1"}, {"path", "/client/v4/accounts/acc123/r2/buckets"}, {"method", "POST"}});
  auto created = f.provider->create(CloudflareFixture::spec(WorkloadKind::storage, "assets"), f.credentials);
  REQUIRE(created);
  CHECK(f.fake.inventory_count() == 1);
  // a dropped connection on the D1 create: the adapter looks again and adopts or creates exactly one
  f.fake.fault({{"kind", "drop"}, {"path", "/client/v4/accounts/acc123/d1/database"}, {"method", "POST"}});
  auto db = f.provider->create(CloudflareFixture::spec(WorkloadKind::database, "db"), f.credentials);
  if (!db) {
    CHECK(db.error().message.find("cloudflare create") != std::string::npos);
    db = f.provider->create(CloudflareFixture::spec(WorkloadKind::database, "db"), f.credentials);
  }
  REQUIRE(db);
  CHECK(f.fake.inventory()["d1_database"].size() == 1);
}

TEST_CASE("Cloudflare: every fault kind on list")
{
  CloudflareFixture f;
  REQUIRE(f.provider->create(CloudflareFixture::spec(WorkloadKind::compute, "web"), f.credentials));
  helios::testing::run_fault_matrix(f.fake, "cloudflare", "/client/v4/accounts/acc123/workers/scripts", f.list_probe(1));
  CHECK(f.fake.inventory_count() == 1);
}
