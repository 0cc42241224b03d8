#include <doctest/doctest.h>

#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

using namespace helios;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("turso_provider");

namespace {
struct TursoFixture {
  FakeServerProcess fake{{"--family", "turso", "--port", "0", "--account", "my-org"}};
  std::unique_ptr<Provider> provider;
  Credentials credentials{"default", "test-token", "my-org", "env:TURSO_API_TOKEN"};
  TursoFixture()
  {
    helios::testing::point_provider_at("turso", fake.url(""));
    provider = providers::make_provider("turso");
    REQUIRE(provider);
  }
  static ResourceSpec spec(const std::string& workload, const std::string& group = "")
  {
    ResourceSpec s;
    s.stack = "hobby";
    s.workload = workload;
    s.name = "helios-hobby-" + workload;
    s.kind = WorkloadKind::database;
    s.region = "eu";
    if (!group.empty()) {
      s.config["group"] = group;
    }
    return s;
  }
};
}  // namespace

TEST_CASE("Turso: a database in a group through its whole life")
{
  TursoFixture f;
  REQUIRE(f.provider->validate_credentials(f.credentials));
  auto created = f.provider->create(TursoFixture::spec("db", "helios"), f.credentials);
  REQUIRE_MESSAGE(created, (created ? "" : created.error().message));
  CHECK(created->type == "database");
  CHECK(created->outputs["url"] == "libsql://helios-hobby-db-my-org.turso.io");
  CHECK(f.fake.inventory()["database"][0]["group"] == "helios");
  auto again = f.provider->create(TursoFixture::spec("db", "helios"), f.credentials);
  REQUIRE(again);
  CHECK(again->id == created->id);
  CHECK(f.fake.inventory_count() == 1);
  auto read = f.provider->read(*created, f.credentials);
  REQUIRE(read);
  REQUIRE(*read);
  REQUIRE(f.provider->update(*created, TursoFixture::spec("db", "helios"), f.credentials));
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  auto usage = f.provider->usage(f.credentials);
  REQUIRE(usage);
  CHECK(usage->at(0).dimension == "rows_read");
  CHECK(usage->at(0).used == 120000);
  REQUIRE(f.provider->remove(*created, f.credentials));
  REQUIRE(f.provider->remove(*created, f.credentials));
  auto gone = f.provider->read(*created, f.credentials);
  REQUIRE(gone);
  CHECK_FALSE(*gone);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Turso: a missing organisation is a usage error, a wrong one a 404")
{
  TursoFixture f;
  Credentials none = f.credentials;
  none.account_id = "";
  auto missing = f.provider->validate_credentials(none);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().exit == ExitCode::usage);
  Credentials other = f.credentials;
  other.account_id = "other-org";
  auto wrong = f.provider->list(other);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message.find("turso list: HTTP 404") != std::string::npos);
}

TEST_CASE("Turso: every fault kind on list")
{
  TursoFixture f;
  REQUIRE(f.provider->create(TursoFixture::spec("db"), f.credentials));
  helios::testing::run_fault_matrix(f.fake, "turso", "/v1/organizations/my-org/databases", [&]() -> std::optional<ErrorInfo> {
    auto listed = f.provider->list(f.credentials);
    if (!listed) {
      return listed.error();
    }
    CHECK(listed->size() == 1);
    return std::nullopt;
  });
  CHECK(f.fake.inventory_count() == 1);
}
