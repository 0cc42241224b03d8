#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/plan.hpp"
#include "memory_provider.hpp"
#include "temp_dir.hpp"

using namespace helios;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

DesiredResource desired(const std::string& workload, std::vector<std::string> depends_on = {},
                        const std::string& command = "run")
{
  DesiredResource d;
  d.address = workload;
  d.workload = workload;
  d.provider = "memory";
  d.offering = "memory/thing";
  d.region = "local";
  d.spec.stack = "s";
  d.spec.workload = workload;
  d.spec.name = resource_name("s", workload, 0);
  d.spec.offering = d.offering;
  d.spec.config = {{"command", command}};
  d.depends_on = std::move(depends_on);
  return d;
}

std::size_t index_of(const Plan& plan, const std::string& address)
{
  for (std::size_t i = 0; i < plan.actions.size(); ++i) {
    if (plan.actions[i].address == address) {
      return i;
    }
  }
  return plan.actions.size();
}

// Records `d` as created in the repository, the way apply does.
void record(state::Repository& repo, const DesiredResource& d, testing::MemoryProvider& provider)
{
  state::ResourceRecord rec;
  rec.address = d.address;
  rec.workload = d.workload;
  rec.provider = d.provider;
  rec.offering = d.offering;
  rec.region = d.region;
  rec.status = "ready";
  rec.spec = state::to_json(d.spec);
  rec.spec_digest = state::spec_digest(d.spec);
  rec.depends_on = d.depends_on;
  rec.resource = provider.create(d.spec, Credentials{}).value();
  state::CommitInfo info;
  info.command = "apply";
  info.stack = "s";
  info.actor = "tester@unit";
  REQUIRE(repo.commit_retrying(
    [&](const state::Snapshot&) -> Result<std::vector<state::Change>> {
      return std::vector<state::Change>{{state::resource_path("s", d.address), state::render_record(rec)}};
    },
    info));
}

}  // namespace

TEST_SUITE_BEGIN("plan");

TEST_CASE("Resource names are deterministic")
{
  CHECK(resource_name("hobby", "web", 0) == "helios-hobby-web");
  CHECK(resource_name("hobby", "web", 2) == "helios-hobby-web-2");
}

TEST_CASE("With no state every desired resource is a create, dependencies first")
{
  testing::MemoryProvider provider;
  state::Snapshot empty;
  auto plan = make_plan("s", {desired("web", {"db"}), desired("db")}, empty,
                        [&](const std::string&) -> Provider* { return &provider; }, nullptr, PlanOptions{});
  REQUIRE(plan);
  REQUIRE(plan->actions.size() == 2);
  CHECK(plan->actions[0].address == "db");
  CHECK(plan->actions[1].address == "web");
  CHECK(plan->actions[1].depends_on == std::vector<std::string>{"db"});
  CHECK(plan->summary().at("create") == 2);
  CHECK(plan->has_changes());
  CHECK(plan->state_commit.empty());
}

TEST_CASE("Against recorded state: no-op, update with its reason, delete, and destroy in reverse order")
{
  TempDir tmp;
  testing::MemoryProvider provider;
  auto repo = state::Repository::open((tmp.path / "s").string()).value();
  const auto db = desired("db");
  const auto files = desired("files");
  const auto web = desired("web", {"db", "files"});
  record(*repo, db, provider);
  record(*repo, files, provider);
  record(*repo, web, provider);
  auto lookup = [&](const std::string&) -> Provider* { return &provider; };
  const auto snap = repo->snapshot().value();

  auto same = make_plan("s", {db, files, web}, snap, lookup, nullptr, PlanOptions{});
  REQUIRE(same);
  CHECK(!same->has_changes());
  CHECK(same->summary().at("no-op") == 3);
  CHECK(same->state_commit == snap.commit());

  auto changed = make_plan("s", {db, desired("web", {"db", "files"}, "run --fast")}, snap, lookup, nullptr, PlanOptions{});
  REQUIRE(changed);
  CHECK(changed->summary().at("update") == 1);
  CHECK(changed->summary().at("delete") == 1);
  const auto& update = changed->actions[index_of(*changed, "web")];
  CHECK(update.type == ActionType::update);
  CHECK(update.reason.find("command") != std::string::npos);
  CHECK(changed->actions[index_of(*changed, "files")].type == ActionType::remove);

  PlanOptions destroy;
  destroy.destroy = true;
  auto gone = make_plan("s", {}, snap, lookup, nullptr, destroy);
  REQUIRE(gone);
  REQUIRE(gone->actions.size() == 3);
  CHECK(gone->summary().at("delete") == 3);
  // web references db and files: it goes first, and their deletes wait for it.
  CHECK(index_of(*gone, "web") < index_of(*gone, "db"));
  CHECK(index_of(*gone, "web") < index_of(*gone, "files"));
  CHECK(gone->actions[index_of(*gone, "db")].depends_on == std::vector<std::string>{"web"});
  CHECK(gone->actions[index_of(*gone, "web")].depends_on.empty());
}

TEST_CASE("Placed under another account of the same provider is a move")
{
  TempDir tmp;
  testing::MemoryProvider provider;
  auto repo = state::Repository::open((tmp.path / "s").string()).value();
  const auto web = desired("web");
  record(*repo, web, provider);
  auto lookup = [&](const std::string&) -> Provider* { return &provider; };
  auto elsewhere = web;
  elsewhere.account = "second";
  auto plan = make_plan("s", {elsewhere}, repo->snapshot().value(), lookup, nullptr, PlanOptions{});
  REQUIRE(plan);
  REQUIRE(plan->actions.size() == 1);
  CHECK(plan->actions[0].type == ActionType::move);
  CHECK(plan->actions[0].reason.find("from account default to account second of memory") != std::string::npos);
  auto same = make_plan("s", {web}, repo->snapshot().value(), lookup, nullptr, PlanOptions{});
  REQUIRE(same);
  CHECK(!same->has_changes());
}

TEST_CASE("Refresh reports a resource deleted outside helios as drift and re-creates it")
{
  TempDir tmp;
  testing::MemoryProvider provider;
  auto repo = state::Repository::open((tmp.path / "s").string()).value();
  const auto db = desired("db");
  record(*repo, db, provider);
  provider.resources.clear();
  auto lookup = [&](const std::string&) -> Provider* { return &provider; };
  auto refreshed = make_plan("s", {db}, repo->snapshot().value(), lookup, nullptr, PlanOptions{});
  REQUIRE(refreshed);
  REQUIRE(refreshed->drift.size() == 1);
  CHECK(refreshed->drift[0].change == "deleted");
  CHECK(refreshed->actions[0].type == ActionType::create);
  PlanOptions no_refresh;
  no_refresh.refresh = false;
  auto blind = make_plan("s", {db}, repo->snapshot().value(), lookup, nullptr, no_refresh);
  REQUIRE(blind);
  CHECK(blind->drift.empty());
  CHECK(!blind->has_changes());
}

TEST_CASE("--target keeps dependencies, --exclude drops dependents")
{
  testing::MemoryProvider provider;
  state::Snapshot empty;
  auto lookup = [&](const std::string&) -> Provider* { return &provider; };
  const std::vector<DesiredResource> all = {desired("db"), desired("web", {"db"}), desired("cache")};
  PlanOptions target;
  target.targets = {"web"};
  auto t = make_plan("s", all, empty, lookup, nullptr, target).value();
  REQUIRE(t.actions.size() == 2);
  CHECK(index_of(t, "cache") == t.actions.size());
  PlanOptions exclude;
  exclude.excludes = {"db"};
  auto e = make_plan("s", all, empty, lookup, nullptr, exclude).value();
  REQUIRE(e.actions.size() == 1);
  CHECK(e.actions[0].address == "cache");
}

TEST_CASE("A saved plan reads back with the same digest; other documents are refused")
{
  testing::MemoryProvider provider;
  state::Snapshot empty;
  auto plan = make_plan("s", {desired("db"), desired("web", {"db"})}, empty,
                        [&](const std::string&) -> Provider* { return &provider; }, nullptr, PlanOptions{})
                .value();
  auto back = plan_from_json(to_json(plan), "plan.json");
  REQUIRE(back);
  CHECK(back->digest() == plan.digest());
  CHECK(back->actions.size() == 2);
  auto bad = plan_from_json(nlohmann::json{{"hello", 1}}, "x.json");
  REQUIRE(!bad);
  CHECK(bad.error().exit == ExitCode::usage);
  CHECK(bad.error().where.find("x.json") != std::string::npos);
}

TEST_SUITE_END();
