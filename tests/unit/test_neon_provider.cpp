#include <doctest/doctest.h>

#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

using namespace helios;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("neon_provider");

namespace {
struct NeonFixture {
  FakeServerProcess fake{{"--family", "neon", "--port", "0"}};
  std::unique_ptr<Provider> provider;
  Credentials credentials{"default", "test-token", "", "env:NEON_API_KEY"};
  NeonFixture()
  {
    helios::testing::point_provider_at("neon", fake.url("/api/v2"));
    provider = providers::make_provider("neon");
    REQUIRE(provider);
  }
  static ResourceSpec spec(const std::string& workload)
  {
    ResourceSpec s;
    s.stack = "hobby";
    s.workload = workload;
    s.name = "helios-hobby-" + workload;
    s.kind = WorkloadKind::database;
    s.region = "eu";
    return s;
  }
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
  auto again = f.provider->create(NeonFixture::spec("db"), f.credentials);
  REQUIRE(again);
  CHECK(again->id == created->id);
  CHECK(f.fake.inventory_count() == 1);
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
  REQUIRE(f.provider->remove(*created, f.credentials));
  REQUIRE(f.provider->remove(*created, f.credentials));
  auto gone = f.provider->read(*created, f.credentials);
  REQUIRE(gone);
  CHECK_FALSE(*gone);
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
  helios::testing::run_fault_matrix(f.fake, "neon", "/api/v2/projects", [&]() -> std::optional<ErrorInfo> {
    auto listed = f.provider->list(f.credentials);
    if (!listed) {
      return listed.error();
    }
    CHECK(listed->size() == 1);
    return std::nullopt;
  });
  CHECK(f.fake.inventory_count() == 1);
}
