#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "core/apply.hpp"
#include "core/state/resource_record.hpp"
#include "core/state/journal.hpp"
#include "memory_provider.hpp"
#include "temp_dir.hpp"

using namespace helios;
namespace fs = std::filesystem;

namespace {

const std::string k_stack = "s";  // (a literal assigned inside desired() trips GCC 12's -Wstringop-overflow)

DesiredResource desired(const std::string& workload, std::vector<std::string> depends_on = {})
{
  DesiredResource d;
  d.address = workload;
  d.workload = workload;
  d.provider = "memory";
  d.offering = "memory/thing";
  d.region = "local";
  d.spec.stack = k_stack;
  d.spec.workload = workload;
  d.spec.name = resource_name(k_stack, workload, 0);
  d.spec.offering = d.offering;
  d.depends_on = std::move(depends_on);
  return d;
}

struct Fixture {
  testing::TempDir tmp;
  testing::MemoryProvider provider;
  std::shared_ptr<state::Repository> repo = state::Repository::open((tmp.path / "s").string()).value();
  ProviderLookup lookup = [this](const std::string&) -> Provider* { return &provider; };
  CredentialsLookup creds = [](const std::string&, const std::string&) -> Result<Credentials> { return Credentials{}; };
  std::vector<DesiredResource> stack = {desired("db"), desired("cache"), desired("web", {"db", "cache"}),
                                        desired("worker", {"web"})};

  Plan plan(PlanOptions options = {})
  {
    return make_plan("s", stack, state::Journal::view(repo, "s").value(), lookup, creds, options).value();
  }
  ApplyReport apply(const Plan& p, int parallelism = 4)
  {
    ApplyOptions options;
    options.parallelism = parallelism;
    options.actor = "tester@unit";
    return apply_plan(repo, p, lookup, creds, options).value();
  }
  std::map<std::string, state::ResourceRecord> records() { return state::load_records(repo->snapshot().value(), "s").value(); }
};

std::size_t position(const std::vector<std::string>& order, const std::string& what)
{
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), what) - order.begin());
}

}  // namespace

TEST_SUITE_BEGIN("apply");

TEST_CASE("Apply creates in dependency order, records every resource ready, and converges")
{
  Fixture f;
  auto report = f.apply(f.plan());
  CHECK(report.ok());
  CHECK(report.done == 4);
  CHECK(position(f.provider.order, "create:helios-s-web") > position(f.provider.order, "create:helios-s-db"));
  CHECK(position(f.provider.order, "create:helios-s-web") > position(f.provider.order, "create:helios-s-cache"));
  CHECK(position(f.provider.order, "create:helios-s-worker") > position(f.provider.order, "create:helios-s-web"));
  auto recs = f.records();
  REQUIRE(recs.size() == 4);
  for (const auto& [address, rec] : recs) {
    CHECK(rec.status == "ready");
    CHECK(!rec.intent);
    REQUIRE(rec.resource);
  }
  // Intents and results went to the journal; main got one commit for the whole command, with its trailers.
  auto log = f.repo->log(100).value();
  REQUIRE(log.size() == 2);  // the repository's first commit, then the apply
  CHECK(log.front().summary == "apply: s (4 created)");
  CHECK(log.front().trailer("Helios-Command") == "apply");
  CHECK(log.front().trailer("Helios-Plan-Digest").rfind("sha256:", 0) == 0);
  CHECK(log.front().trailer("Helios-Outcome") == "ok");
  CHECK(state::Journal::leftover_stacks(*f.repo).value().empty());
  CHECK(!f.plan().has_changes());
  CHECK(f.provider.calls["create:helios-s-db"] == 1);
}

TEST_CASE("A failure stops new actions; in-flight ones finish; the report counts done, failed and not started")
{
  Fixture f;
  f.provider.fail_create = {"helios-s-db"};
  auto report = f.apply(f.plan(), 1);
  CHECK(!report.ok());
  CHECK(report.failed == 1);
  CHECK(report.done + report.failed + report.not_started == 4);
  CHECK(report.not_started >= 2);  // web and worker wait for db
  CHECK(f.provider.calls.count("create:helios-s-web") == 0);
  CHECK(f.records().at("db").status == "failed");
  // A re-run after the fault clears converges without duplicates.
  f.provider.fail_create.clear();
  auto again = f.apply(f.plan());
  CHECK(again.ok());
  CHECK(!f.plan().has_changes());
  for (const auto& [key, count] : f.provider.calls) {
    if (key != "create:helios-s-db") {
      CHECK_MESSAGE(count == 1, key);
    }
  }
  CHECK(f.provider.resources.size() == 4);
}

TEST_CASE("A failed re-create of a resource deleted outside helios records no resource")
{
  Fixture f;
  REQUIRE(f.apply(f.plan()).ok());
  f.provider.resources.erase("helios-s-worker");  // drift: gone at the provider
  f.provider.fail_create = {"helios-s-worker"};
  auto p = f.plan();
  REQUIRE(p.drift.size() == 1);
  auto report = f.apply(p);
  CHECK(report.failed == 1);
  const auto rec = f.records().at("worker");
  CHECK(rec.status == "failed");
  CHECK(!rec.resource);  // the state matches the provider: nothing exists
  f.provider.fail_create.clear();
  CHECK(f.apply(f.plan()).ok());
  CHECK(f.records().at("worker").resource);
  CHECK(!f.plan().has_changes());
}

TEST_CASE("A plan computed before the state moved is refused with exit 5, and nothing is called")
{
  Fixture f;
  auto stale = f.plan();
  f.apply(f.plan());
  const auto calls = f.provider.order.size();
  ApplyOptions options;
  auto refused = apply_plan(f.repo, stale, f.lookup, f.creds, options);
  REQUIRE(!refused);
  CHECK(refused.error().exit == ExitCode::locked);
  CHECK(refused.error().message.find("state changed underneath") != std::string::npos);
  CHECK(f.provider.order.size() == calls);
}

TEST_CASE("A held stack lock refuses a second apply with exit 5 naming the holder")
{
  Fixture f;
  auto held = lock_stack(f.repo, "s", "apply").value();
  // The same process holds it: a second acquisition sees a live holder.
  ApplyOptions options;
  auto refused = apply_plan(f.repo, f.plan(), f.lookup, f.creds, options);
  REQUIRE(!refused);
  CHECK(refused.error().exit == ExitCode::locked);
  CHECK(refused.error().message.find("locked by") != std::string::npos);
  CHECK(f.provider.order.empty());
}

TEST_CASE("Destroy deletes dependents first and leaves no record")
{
  Fixture f;
  f.apply(f.plan());
  PlanOptions destroy;
  destroy.destroy = true;
  auto report = f.apply(f.plan(destroy));
  CHECK(report.ok());
  CHECK(f.provider.resources.empty());
  CHECK(f.records().empty());
  CHECK(position(f.provider.order, "delete:helios-s-worker") < position(f.provider.order, "delete:helios-s-web"));
  CHECK(position(f.provider.order, "delete:helios-s-web") < position(f.provider.order, "delete:helios-s-db"));
}

TEST_CASE("A workload placed on another provider moves: created there, health-checked, cut over, the old deleted")
{
  Fixture f;
  testing::MemoryProvider other;
  f.lookup = [&](const std::string& name) -> Provider* { return name == "other" ? &other : &f.provider; };
  f.apply(f.plan());
  auto moved = f.stack;
  moved[1].provider = "other";  // cache
  moved[1].offering = "other/thing";
  moved[1].spec.offering = "other/thing";
  auto plan = make_plan("s", moved, f.repo->snapshot().value(), f.lookup, f.creds, PlanOptions{}).value();
  CHECK(plan.summary().at("move") == 1);
  CHECK(plan.summary().at("no-op") == 3);
  auto report = f.apply(plan);
  CHECK(report.ok());
  CHECK(other.resources.count("helios-s-cache") == 1);
  CHECK(f.provider.resources.count("helios-s-cache") == 0);
  auto rec = f.records().at("cache");
  CHECK(rec.provider == "other");
  CHECK(!rec.deposed);
  CHECK(!rec.intent);
  CHECK(!make_plan("s", moved, f.repo->snapshot().value(), f.lookup, f.creds, PlanOptions{}).value().has_changes());
}

TEST_CASE("An interrupted create (intent recorded, no result) is resumed by the next plan without a duplicate")
{
  Fixture f;
  // What a crash right after the provider call leaves: the resource exists, the record holds only the intent.
  const auto& db = f.stack[0];
  f.provider.create(db.spec, Credentials{}).value();
  state::ResourceRecord rec;
  rec.address = db.address;
  rec.workload = db.workload;
  rec.provider = db.provider;
  rec.offering = db.offering;
  rec.region = db.region;
  rec.status = "pending";
  rec.spec = state::to_json(db.spec);
  rec.intent = state::Intent{"create", state::now_rfc3339(), "tester@unit", "memory"};
  state::CommitInfo info;
  info.command = "apply";
  info.stack = "s";
  {
    auto journal = state::Journal::open(f.repo, "s").value();
    REQUIRE(journal.write({{state::resource_path("s", "db"), state::render_record(rec)}}, info));
  }  // the crash: the journal is never folded
  const std::size_t commits = f.repo->log(100).value().size();
  auto plan = f.plan();
  const auto it = std::find_if(plan.actions.begin(), plan.actions.end(), [](const auto& a) { return a.address == "db"; });
  REQUIRE(it != plan.actions.end());
  CHECK(it->type != ActionType::noop);
  CHECK(f.apply(plan).ok());
  CHECK(f.provider.resources.size() == 4);  // the adapter adopted helios-s-db by its deterministic name
  CHECK(f.records().at("db").status == "ready");
  CHECK(!f.records().at("db").intent);
  CHECK(f.repo->log(100).value().size() == commits + 1);  // the resumed apply folded the journal in one commit
  CHECK(state::Journal::leftover_stacks(*f.repo).value().empty());
}

TEST_SUITE_END();
