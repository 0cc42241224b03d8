#include <doctest/doctest.h>

#include "tests/unit/provider_fixture.hpp"

using namespace helios;
using helios::testing::ProviderFixture;

TEST_SUITE_BEGIN("turso_provider");

namespace {
struct TursoFixture : ProviderFixture {
  TursoFixture() : ProviderFixture("turso", {"--account", "my-org"}, "", {"default", "test-token", "my-org", "env:TURSO_API_TOKEN"}) {}
  static ResourceSpec spec(const std::string& workload, const std::string& group = "")
  {
    ResourceSpec s = helios::testing::hobby_spec(WorkloadKind::database, workload);
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
  f.create_again_adopts(TursoFixture::spec("db", "helios"), *created, 1);
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
  f.remove_twice_then_gone(*created);
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
  helios::testing::run_fault_matrix(f.fake, "turso", "/v1/organizations/my-org/databases", f.list_probe(1));
  CHECK(f.fake.inventory_count() == 1);
}
