#include <doctest/doctest.h>

#include "tests/unit/provider_fixture.hpp"

using namespace helios;
using helios::testing::ProviderFixture;

TEST_SUITE_BEGIN("koyeb_provider");

namespace {
struct KoyebFixture : ProviderFixture {
  KoyebFixture() : ProviderFixture("koyeb", {}, "", {"default", "test-token", "", "env:KOYEB_API_TOKEN"}) {}
  static ResourceSpec spec(const std::string& workload)
  {
    ResourceSpec s = helios::testing::hobby_spec(WorkloadKind::compute, workload);
    s.stack = "a-rather-long-stack-name";
    s.name = "helios-a-rather-long-stack-name-" + workload;
    s.config = {{"port", 8080}, {"command", "python3 -m http.server 8080"}};
    return s;
  }
};
}  // namespace

TEST_CASE("Koyeb: app and free service through their whole life")
{
  KoyebFixture f;
  REQUIRE(f.provider->validate_credentials(f.credentials));
  auto created = f.provider->create(KoyebFixture::spec("web"), f.credentials);
  REQUIRE_MESSAGE(created, (created ? "" : created.error().message));
  CHECK(created->type == "service");
  CHECK(created->status == "STARTING");  // the deployment starts with the service
  auto inventory = f.fake.inventory();
  REQUIRE(inventory["app"].size() == 1);
  CHECK(inventory["app"][0]["name"].get<std::string>().size() <= 23);
  CHECK(inventory["service"][0]["instance_type"] == "free");
  f.create_again_adopts(KoyebFixture::spec("web"), *created, 2);
  auto updated = f.provider->update(*created, KoyebFixture::spec("web"), f.credentials);
  REQUIRE(updated);
  auto read = f.provider->read(*created, f.credentials);
  REQUIRE(read);
  REQUIRE(*read);
  CHECK((*read)->status == "HEALTHY");
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  auto usage = f.provider->usage(f.credentials);
  REQUIRE(usage);
  CHECK(usage->at(1).dimension == "free_instance_hours");
  CHECK(usage->at(1).used == doctest::Approx(2.0));
  REQUIRE(f.provider->remove(*created, f.credentials));
  REQUIRE(f.provider->remove(*created, f.credentials));
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Koyeb: the second free service is refused with the provider's reason")
{
  KoyebFixture f;
  REQUIRE(f.provider->create(KoyebFixture::spec("web"), f.credentials));
  auto second = f.provider->create(KoyebFixture::spec("api"), f.credentials);
  REQUIRE_FALSE(second);
  CHECK(second.error().message.find("koyeb create: HTTP 402") != std::string::npos);
  CHECK(second.error().message.find("free instance") != std::string::npos);
}

TEST_CASE("Koyeb: every fault kind on list")
{
  KoyebFixture f;
  REQUIRE(f.provider->create(KoyebFixture::spec("web"), f.credentials));
  helios::testing::run_fault_matrix(f.fake, "koyeb", "/v1/apps", f.list_probe(1));
  CHECK(f.fake.inventory_count() == 2);
}
