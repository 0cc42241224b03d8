#include <doctest/doctest.h>

#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

using namespace helios;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("render_provider");

namespace {
struct RenderFixture {
  FakeServerProcess fake{{"--family", "render", "--port", "0", "--account", "tea-owner1", "--deploy-ms", "0"}};
  std::unique_ptr<Provider> provider;
  Credentials credentials{"default", "test-token", "", "env:RENDER_API_KEY"};
  RenderFixture()
  {
    helios::testing::point_provider_at("render", fake.url("/v1"));
    provider = providers::make_provider("render");
    REQUIRE(provider);
  }
  static ResourceSpec spec(const std::string& workload)
  {
    ResourceSpec s;
    s.stack = "hobby";
    s.workload = workload;
    s.name = "helios-hobby-" + workload;
    s.kind = WorkloadKind::compute;
    s.region = "eu";
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
  auto again = f.provider->create(RenderFixture::spec("web"), f.credentials);
  REQUIRE(again);
  CHECK(again->id == created->id);
  CHECK(f.fake.inventory_count() == 1);
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
  REQUIRE(f.provider->remove(*created, f.credentials));
  REQUIRE(f.provider->remove(*created, f.credentials));
  auto gone = f.provider->read(*created, f.credentials);
  REQUIRE(gone);
  CHECK_FALSE(*gone);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("Render: a deploy still building is reported as such")
{
  FakeServerProcess fake{{"--family", "render", "--port", "0", "--account", "tea-owner1", "--deploy-ms", "60000"}};
  helios::testing::point_provider_at("render", fake.url("/v1"));
  auto provider = providers::make_provider("render");
  Credentials credentials{"default", "test-token", "tea-owner1", ""};
  auto created = provider->create(RenderFixture::spec("web"), credentials);
  REQUIRE(created);
  CHECK(created->status == "build_in_progress");
  REQUIRE(provider->remove(*created, credentials));
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
  helios::testing::run_fault_matrix(f.fake, "render", "/v1/services", [&]() -> std::optional<ErrorInfo> {
    auto listed = f.provider->list(f.credentials);
    if (!listed) {
      return listed.error();
    }
    CHECK(listed->size() == 1);
    return std::nullopt;
  });
  CHECK(f.fake.inventory_count() == 1);
}
