#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "core/plan.hpp"
#include "core/rotate_move.hpp"
#include "temp_dir.hpp"

using namespace helios;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("rotate_move");

namespace {

using testing::TempDir;

// A compute offering that sleeps when idle (so a workload draws no implied hours) with a monthly pool of hours.
Offering compute(const std::string& id, const std::string& dimension, double hours)
{
  Offering o;
  o.id = id;
  o.provider = id.substr(0, id.find('/'));
  o.product = id.substr(id.find('/') + 1);
  o.kind = WorkloadKind::compute;
  o.regions = {"us"};
  o.idle_sleep_minutes = 15;
  o.hard_cap = true;
  FreeQuota q;
  q.dimension = dimension;
  q.amount = Amount{hours, Period::month};
  q.scope = Scope::account;
  q.reset = "1st of month";
  q.pool = o.provider + "/hours";
  o.free = {q};
  return o;
}

Offering database(const std::string& id)
{
  Offering o;
  o.id = id;
  o.provider = id.substr(0, id.find('/'));
  o.product = "pg";
  o.kind = WorkloadKind::database;
  o.regions = {"us"};
  o.hard_cap = true;
  FreeQuota q;
  q.dimension = "storage";
  q.amount = Amount{1e9, Period::none};
  q.scope = Scope::instance;
  o.free = {q};
  return o;
}

// web and db, plus an ai workload unless `with_ai` is false (no ai offering here could place it).
Stack shop(bool with_ai = true)
{
  Stack s;
  s.name = "shop";
  s.file = "helios.yaml";
  Workload web;
  web.name = "web";
  web.kind = WorkloadKind::compute;
  Workload db;
  db.name = "db";
  db.kind = WorkloadKind::database;
  Workload llm;
  llm.name = "llm";
  llm.kind = WorkloadKind::ai;
  llm.models = {"m"};
  s.workloads = {web, db};
  if (with_ai) {
    s.workloads.push_back(llm);
  }
  return s;
}

state::ResourceRecord deployed(const std::string& workload, const std::string& offering, const std::string& account = "default")
{
  state::ResourceRecord r;
  r.address = workload;
  r.workload = workload;
  r.provider = offering.substr(0, offering.find('/'));
  r.offering = offering;
  r.account = account;
  r.status = "ready";
  Resource res;
  res.provider = r.provider;
  res.id = "id-" + workload;
  res.name = "helios-shop-" + workload;
  r.resource = res;
  return r;
}

const Assignment& assignment_of(const Placement& p, const std::string& workload)
{
  auto found = p.for_workload(workload);
  REQUIRE(found.size() == 1);
  return *found.front();
}

}  // namespace

TEST_CASE("--threshold takes a fraction or a percentage up to 100%")
{
  CHECK(parse_threshold("0.9", "--threshold").value() == doctest::Approx(0.9));
  CHECK(parse_threshold("90", "--threshold").value() == doctest::Approx(0.9));
  CHECK(parse_threshold("95%", "--threshold").value() == doctest::Approx(0.95));
  CHECK(parse_threshold("1", "--threshold").value() == doctest::Approx(1.0));
  for (const char* bad : {"0", "-5", "250%", "abc", "", "90%%", "nan"}) {
    auto r = parse_threshold(bad, "--threshold");
    REQUIRE_FALSE(r);
    CHECK(r.error().exit == ExitCode::usage);
    CHECK(r.error().message.find("is not a share of a quota") != std::string::npos);
  }
}

TEST_CASE("A deployed workload moves at or above the threshold of one of its quota windows and not below")
{
  TempDir tmp;
  auto ledger = Ledger::open(tmp.path.string()).value();
  const std::vector<Offering> offerings = {compute("alpha/web", "instance_hours", 750), compute("beta/web", "compute_hours", 550),
                                           database("dbx/pg")};
  const Stack stack = shop();
  std::map<std::string, state::ResourceRecord> records = {{"web", deployed("web", "alpha/web")}};
  const EpochMs now = now_ms();
  const QuotaOwner alpha{"alpha", "default", "alpha/hours"};

  auto none = assess_move(stack, offerings, records, nullptr, "web", 0.9, now).value();
  CHECK_FALSE(none.needed);
  REQUIRE(none.current.size() == 1);
  CHECK(none.current[0].quotas.at(0).used == 0);

  REQUIRE(ledger->add_usage(alpha, "instance_hours", 675, now));  // exactly 90 %
  auto at = assess_move(stack, offerings, records, ledger.get(), "web", 0.9, now).value();
  CHECK(at.needed);
  CHECK(at.current[0].quotas.at(0).fraction == doctest::Approx(0.9));
  CHECK(at.why.find("instance_hours 675h of 750h per month used (90%) reaches the threshold of 90%") != std::string::npos);
  auto higher = assess_move(stack, offerings, records, ledger.get(), "web", 0.95, now).value();
  CHECK_FALSE(higher.needed);
  CHECK(higher.why.find("is under the threshold of 95%") != std::string::npos);

  // A limit the provider stated (headers) replaces the catalog's for the same window.
  QuotaLimit stated{alpha, "instance_hours", Window{Period::month, default_reset(Period::month)}, 700, "headers"};
  REQUIRE(ledger->set_limit(stated));
  auto pressure = offering_pressure(ledger.get(), offerings[0], "default", now).value();
  REQUIRE(pressure.size() == 1);
  CHECK(pressure[0].limit == 700);
  CHECK(pressure[0].source == "headers");
}

TEST_CASE("rotate --plan refuses an unknown workload and an ai workload and one state does not record")
{
  const std::vector<Offering> offerings = {compute("alpha/web", "instance_hours", 750)};
  const Stack stack = shop();
  const std::map<std::string, state::ResourceRecord> records = {{"web", deployed("web", "alpha/web")}};
  auto unknown = assess_move(stack, offerings, records, nullptr, "wbe", 0.9, now_ms());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().exit == ExitCode::usage);
  CHECK(unknown.error().code == "unknown_workload");
  CHECK(unknown.error().message.find("did you mean 'web'?") != std::string::npos);
  auto ai = assess_move(stack, offerings, records, nullptr, "llm", 0.9, now_ms());
  REQUIRE_FALSE(ai);
  CHECK(ai.error().code == "ai_workload");
  auto not_deployed = assess_move(stack, offerings, records, nullptr, "db", 0.9, now_ms());
  REQUIRE_FALSE(not_deployed);
  CHECK(not_deployed.error().code == "not_deployed");
  CHECK(not_deployed.error().exit == ExitCode::usage);
}

TEST_CASE("The move placement excludes the pressured account and keeps the other workloads where they are")
{
  TempDir tmp;
  auto ledger = Ledger::open(tmp.path.string()).value();
  const std::vector<Offering> offerings = {compute("alpha/web", "instance_hours", 750), compute("beta/web", "compute_hours", 550),
                                           database("dbx/pg"), database("dby/pg")};
  const Stack stack = shop(false);
  // db runs on dby although a fresh placement would pick dbx (the id breaks the tie): it must stay.
  std::map<std::string, state::ResourceRecord> records = {{"web", deployed("web", "alpha/web")},
                                                           {"db", deployed("db", "dby/pg")}};
  const EpochMs now = now_ms();
  REQUIRE(ledger->add_usage({"alpha", "default", "alpha/hours"}, "instance_hours", 713, now));
  auto decision = assess_move(stack, offerings, records, ledger.get(), "web", 0.9, now).value();
  REQUIRE(decision.needed);
  auto usage = ledger->recorded_usage(now).value();
  auto placement = place_for_move(stack, offerings, usage, records, ledger.get(), decision, PlacementOptions{}, now);
  REQUIRE_MESSAGE(placement, (placement ? "" : placement.error().message));
  CHECK(assignment_of(*placement, "web").offering == "beta/web");
  CHECK(assignment_of(*placement, "db").offering == "dby/pg");
  REQUIRE_FALSE(decision.excluded.empty());
  CHECK(decision.excluded[0].offering == "alpha/web");
  CHECK(decision.excluded[0].why.find("account default of alpha is at 95%") != std::string::npos);

  // The desired resources of that placement, diffed against the records, are a move of web only.
  const auto desired = desired_resources(stack, *placement);
  auto web = std::find_if(desired.begin(), desired.end(), [](const DesiredResource& d) { return d.workload == "web"; });
  REQUIRE(web != desired.end());
  CHECK(web->provider == "beta");

  // The alternative near its quota too: nowhere to go, exit 4 naming both.
  REQUIRE(ledger->add_usage({"beta", "default", "beta/hours"}, "compute_hours", 530, now));
  auto again = assess_move(stack, offerings, records, ledger.get(), "web", 0.9, now).value();
  auto stuck = place_for_move(stack, offerings, ledger->recorded_usage(now).value(), records, ledger.get(), again,
                              PlacementOptions{}, now);
  REQUIRE_FALSE(stuck);
  CHECK(stuck.error().exit == ExitCode::infeasible);
  CHECK(stuck.error().code == "no_alternative");
  CHECK(stuck.error().message.find("workload web has nowhere to move") != std::string::npos);
  CHECK(stuck.error().message.find("beta/web (account default): beta/web (account default) is at 96%") != std::string::npos);
}

TEST_CASE("Another account of the same provider is an alternative to the pressured one")
{
  TempDir tmp;
  auto ledger = Ledger::open(tmp.path.string()).value();
  const std::vector<Offering> offerings = {compute("alpha/web", "instance_hours", 750), database("dbx/pg")};
  Stack stack = shop(false);
  for (const char* name : {"first", "second"}) {
    Account a;
    a.provider = "alpha";
    a.name = name;
    stack.accounts.push_back(a);
  }
  std::map<std::string, state::ResourceRecord> records = {{"web", deployed("web", "alpha/web", "first")}};
  const EpochMs now = now_ms();
  REQUIRE(ledger->add_usage({"alpha", "first", "alpha/hours"}, "instance_hours", 740, now));
  auto decision = assess_move(stack, offerings, records, ledger.get(), "web", 0.9, now).value();
  REQUIRE(decision.needed);
  auto placement = place_for_move(stack, offerings, ledger->recorded_usage(now).value(), records, ledger.get(), decision,
                                  PlacementOptions{}, now);
  REQUIRE_MESSAGE(placement, (placement ? "" : placement.error().message));
  CHECK(assignment_of(*placement, "web").offering == "alpha/web");
  CHECK(assignment_of(*placement, "web").account == "second");
}

TEST_SUITE_END();
