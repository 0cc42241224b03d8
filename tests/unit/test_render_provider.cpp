#include <doctest/doctest.h>

#include "tests/unit/provider_fixture.hpp"

using namespace helios;
using helios::testing::ProviderFixture;

TEST_SUITE_BEGIN("render_provider");

namespace {
struct RenderFixture : ProviderFixture {
  RenderFixture()
    : ProviderFixture("render", {"--account", "tea-owner1", "--deploy-ms", "0"}, "/v1", {"default", "test-token", "", "env:RENDER_API_KEY"})
  {
  }
  static ResourceSpec spec(const std::string& workload)
  {
    ResourceSpec s = helios::testing::hobby_spec(WorkloadKind::compute, workload);
    s.config = {{"command", "python3 -m http.server $PORT"}, {"health", "/"}};
    return s;
  }
};
}  // namespace

TEST_CASE("Render: a free web service through its whole life, with its deploy status")
{
  RenderFixture f;
  REQUIRE(f.provider->validate_credentials(f.credentials));
  auto created = f.provider->create(RenderFixture::spec("web"), f.credentials);
  REQUIRE_MESSAGE(created, (created ? "" : created.error().message));
  CHECK(created->type == "web_service");
  CHECK(created->region == "frankfurt");
  CHECK(created->attributes["plan"] == "free");
  CHECK(created->status == "live");
  CHECK(created->outputs["url"].find(".onrender.com") != std::string::npos);
  CHECK(f.fake.inventory()["service"][0]["ownerId"] == "tea-owner1");  // found through GET /owners
  f.create_again_adopts(RenderFixture::spec("web"), *created, 1);
  auto updated = f.provider->update(*created, RenderFixture::spec("web"), f.credentials);
  REQUIRE(updated);
  auto read = f.provider->read(*created, f.credentials);
  REQUIRE(read);
  REQUIRE(*read);
  auto listed = f.provider->list(f.credentials);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  auto usage = f.provider->usage(f.credentials);
  REQUIRE(usage);
  CHECK(usage->at(1).dimension == "services");
  CHECK(usage->at(1).used == 1);
  f.remove_twice_then_gone(*created);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Render: a deploy still building is reported as such")
{
  ProviderFixture f("render", {"--account", "tea-owner1", "--deploy-ms", "60000"}, "/v1", {"default", "test-token", "tea-owner1", ""});
  auto created = f.provider->create(RenderFixture::spec("web"), f.credentials);
  REQUIRE(created);
  CHECK(created->status == "build_in_progress");
  REQUIRE(f.provider->remove(*created, f.credentials));
}

TEST_CASE("Render: a rejected create names provider, operation and status")
{
  RenderFixture f;
  f.fake.fault({{"kind", "status"}, {"status", 400}, {"path", "/v1/services"}, {"method", "POST"}});
  auto rejected = f.provider->create(RenderFixture::spec("web"), f.credentials);
  REQUIRE_FALSE(rejected);
  CHECK(rejected.error().message.find("render create: HTTP 400") != std::string::npos);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Render: every fault kind on list")
{
  RenderFixture f;
  REQUIRE(f.provider->create(RenderFixture::spec("web"), f.credentials));
  helios::testing::run_fault_matrix(f.fake, "render", "/v1/services", f.list_probe(1));
  CHECK(f.fake.inventory_count() == 1);
}
