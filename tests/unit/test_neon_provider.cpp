#include <doctest/doctest.h>

#include "tests/unit/provider_fixture.hpp"

using namespace helios;
using helios::testing::ProviderFixture;

TEST_SUITE_BEGIN("neon_provider");

namespace {
struct NeonFixture : ProviderFixture {
  NeonFixture() : ProviderFixture("neon", {}, "/api/v2", {"default", "test-token", "", "env:NEON_API_KEY"}) {}
  static ResourceSpec spec(const std::string& workload) { return helios::testing::hobby_spec(WorkloadKind::database, workload); }
};
}  // namespace

TEST_CASE("Neon: a project through its whole life; the password never leaves the provider")
{
  NeonFixture f;
  REQUIRE(f.provider->validate_credentials(f.credentials));
  auto created = f.provider->create(NeonFixture::spec("db"), f.credentials);
  REQUIRE_MESSAGE(created, (created ? "" : created.error().message));
  CHECK(created->type == "project");
  CHECK(created->region == "eu");
  CHECK(created->outputs["database"] == "app");
  CHECK(created->secret_refs["connection_uri"] == "neon:" + created->id + "/connection_uri");
  for (const auto& [k, v] : created->outputs) {
    CHECK(v.find("npg_") == std::string::npos);
  }
  f.create_again_adopts(NeonFixture::spec("db"), *created, 1);
  auto read = f.provider->read(*created, f.credentials);
  REQUIRE(read);
  REQUIRE(*read);
  auto renamed = f.provider->update(*created, NeonFixture::spec("db2"), f.credentials);
  REQUIRE(renamed);
  CHECK(renamed->name == "helios-hobby-db2");
  CHECK(f.fake.inventory()["project"][0]["name"] == "helios-hobby-db2");
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  auto usage = f.provider->usage(f.credentials);
  REQUIRE(usage);
  CHECK(usage->at(0).dimension == "compute_hours");
  CHECK(usage->at(0).used > 0);
  f.remove_twice_then_gone(*created);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Neon: pagination walks every page")
{
  NeonFixture f;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.provider->create(NeonFixture::spec("db" + std::to_string(i)), f.credentials));
  }
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 3);
}

TEST_CASE("Neon: a lost create answer is adopted, not duplicated; a rejected one names the status")
{
  NeonFixture f;
  f.fake.fault({{"kind", "status"}, {"status", 400}, {"path", "/api/v2/projects"}, {"method", "POST"}});
  auto rejected = f.provider->create(NeonFixture::spec("db"), f.credentials);
  REQUIRE_FALSE(rejected);
  CHECK(rejected.error().message.find("neon create: HTTP 400") != std::string::npos);
  f.fake.fault({{"kind", "truncated"}, {"path", "/api/v2/projects"}, {"method", "POST"}});
  auto lost = f.provider->create(NeonFixture::spec("db"), f.credentials);
  CHECK_FALSE(lost);  // the truncated answer never created anything at the fake
  auto created = f.provider->create(NeonFixture::spec("db"), f.credentials);
  REQUIRE(created);
  CHECK(f.fake.inventory_count() == 1);
  Credentials wrong = f.credentials;
  wrong.token = "nope-nope";
  auto denied = f.provider->list(wrong);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == "provider_auth");
}

TEST_CASE("Neon: every fault kind on list")
{
  NeonFixture f;
  REQUIRE(f.provider->create(NeonFixture::spec("db"), f.credentials));
  helios::testing::run_fault_matrix(f.fake, "neon", "/api/v2/projects", f.list_probe(1));
  CHECK(f.fake.inventory_count() == 1);
}
