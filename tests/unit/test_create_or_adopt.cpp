#include <doctest/doctest.h>

#include "providers/create_or_adopt.hpp"
#include "tests/unit/fake_server_process.hpp"

using namespace helios;
using namespace helios::providers;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("create_or_adopt");

namespace {

constexpr const char* project_name = "helios-t-db";
constexpr const char* projects_path = "/api/v2/projects";

// Idempotent creates through a real ApiClient against the Neon fake; `find` is scripted.
struct CreateFixture {
  FakeServerProcess fake{{"--family", "neon", "--port", "0"}};
  ApiClient api{"neon", fake.url("/api/v2"), "test-token", message_with_code};
  int finds = 0;
  int calls = 0;

  CreateFixture() { helios::testing::point_provider_at("neon", fake.url("/api/v2")); }

  // `found_at`: the lookup that finds the thing (1 = the first), 0 = never.
  CreateOrAdopt<std::string> steps(int found_at)
  {
    return {.find = [this, found_at]() -> Result<std::optional<std::string>> {
              ++finds;
              return finds == found_at ? std::optional<std::string>("adopted") : std::nullopt;
            },
            .call = [this]() -> Result<ApiCall> {
              ++calls;
              return ApiCall{"create", "POST", "/projects", nlohmann::json{{"project", {{"name", project_name}}}}, {}, {}, {}};
            },
            .made = [](nlohmann::json body) { return body["project"]["name"].get<std::string>(); }};
  }
};

}  // namespace

TEST_CASE("create_or_adopt: what the lookup finds is adopted without a create")
{
  CreateFixture f;
  auto made = create_or_adopt(f.api, f.steps(1));
  REQUIRE(made);
  CHECK(*made == "adopted");
  CHECK(f.calls == 0);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("create_or_adopt: nothing found, the create's answer describes what was made")
{
  CreateFixture f;
  auto made = create_or_adopt(f.api, f.steps(0));
  REQUIRE_MESSAGE(made, (made ? "" : made.error().message));
  CHECK(*made == project_name);
  CHECK(f.finds == 1);
  CHECK(f.fake.inventory_count() == 1);
}

TEST_CASE("create_or_adopt: a failed create is looked up again; adopted when found, else the error names the call")
{
  CreateFixture f;
  f.fake.fault({{"kind", "status"}, {"status", 500}, {"count", -1}, {"path", projects_path}, {"method", "POST"}});
  auto adopted = create_or_adopt(f.api, f.steps(2));
  REQUIRE(adopted);
  CHECK(*adopted == "adopted");
  CHECK(f.finds == 2);

  f.finds = 0;
  auto failed = create_or_adopt(f.api, f.steps(0));
  REQUIRE_FALSE(failed);
  CHECK(f.finds == 2);
  CHECK(failed.error().message.find("neon create: HTTP 500") != std::string::npos);
  CHECK(failed.error().details["status"] == 500);
  CHECK(f.fake.inventory_count() == 0);
}

TEST_CASE("create_or_adopt: a call that cannot be built is the error, and nothing is sent")
{
  CreateFixture f;
  auto steps = f.steps(0);
  steps.call = []() -> Result<ApiCall> { return fail(ExitCode::runtime, "no_owner", "no owner", "neon create"); };
  int before = f.fake.requests();
  auto made = create_or_adopt(f.api, steps);
  REQUIRE_FALSE(made);
  CHECK(made.error().code == "no_owner");
  CHECK(f.finds == 1);
  CHECK(f.fake.requests() == before);
}

TEST_CASE("find_named: the first item of a listing with that name, nullopt without one, the listing's error")
{
  const auto id_of = [](const nlohmann::json& item) { return item["id"].get<std::string>(); };
  Result<std::vector<nlohmann::json>> listing = std::vector<nlohmann::json>{
    {{"id", "a"}, {"title", "other"}}, {{"id", "b"}, {"title", project_name}}, {{"id", "c"}, {"title", project_name}}};
  auto found = find_named<std::string>(listing, "title", project_name, id_of);
  REQUIRE(found);
  CHECK(*found == std::optional<std::string>("b"));
  auto by_name = find_named<std::string>(listing, "name", project_name, id_of);
  REQUIRE(by_name);
  CHECK_FALSE(*by_name);
  Result<nlohmann::json> page = nlohmann::json::array({{{"id", "d"}, {"name", project_name}}});
  CHECK(*find_named<std::string>(page, "name", project_name, id_of) == std::optional<std::string>("d"));
  Result<nlohmann::json> failed = fail(ExitCode::runtime, "provider_error", "neon list: HTTP 500");
  auto error = find_named<std::string>(failed, "name", project_name, id_of);
  REQUIRE_FALSE(error);
  CHECK(error.error().code == "provider_error");
}

TEST_SUITE_END();
