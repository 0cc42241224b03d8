#include <doctest/doctest.h>

#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

using namespace helios;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("koyeb_provider");

namespace {
struct KoyebFixture {
  FakeServerProcess fake{{"--family", "koyeb", "--port", "0"}};
  std::unique_ptr<Provider> provider;
  Credentials credentials{"default", "test-token", "", "env:KOYEB_API_TOKEN"};
  KoyebFixture()
  {
    helios::testing::point_provider_at("koyeb", fake.url(""));
    provider = providers::make_provider("koyeb");
    REQUIRE(provider);
  }
  static ResourceSpec spec(const std::string& workload)
  {
    ResourceSpec s;
    s.stack = "a-rather-long-stack-name";
    s.workload = workload;
    s.name = "helios-a-rather-long-stack-name-" + workload;
    s.kind = WorkloadKind::compute;
    s.region = "eu";
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
  auto again = f.provider->create(KoyebFixture::spec("web"), f.credentials);
  REQUIRE(again);
  CHECK(again->id == created->id);
  CHECK(f.fake.inventory_count() == 2);
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
  helios::testing::run_fault_matrix(f.fake, "koyeb", "/v1/apps", [&]() -> std::optional<ErrorInfo> {
    auto listed = f.provider->list(f.credentials);
    if (!listed) {
      return listed.error();
    }
    CHECK(listed->size() == 1);
    return std::nullopt;
  });
  CHECK(f.fake.inventory_count() == 2);
}
