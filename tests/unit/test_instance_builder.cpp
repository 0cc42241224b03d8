#include <doctest/doctest.h>

#include "core/placement/instance_builder.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement instance: shared pools per account, catalog pools across offerings, instance scope")
{
  auto workers = offering("cloudflare/workers", WorkloadKind::compute, {"global"},
                          {quota("requests", "100k/day", Scope::account, "cloudflare/workers-requests")});
  auto pages = offering("cloudflare/pages-functions", WorkloadKind::compute, {"global"},
                        {quota("requests", "100k/day", Scope::account, "cloudflare/workers-requests")});
  auto render = offering("render/web", WorkloadKind::compute, {"eu"}, {quota("egress", "100GB/month", Scope::instance)});
  auto web = workload("web", WorkloadKind::compute, {need("requests", "600k/month"), need("egress", "10GB/month")});
  auto api = workload("api", WorkloadKind::compute, {need("requests", "600k/month"), need("egress", "10GB/month")});
  auto s = stack({web, api}, {"eu"});
  s.accounts = {Account{"cloudflare", "personal", "CF_A", "", "", {}}, Account{"cloudflare", "work", "CF_B", "", "", {}}};

  auto inst = build_instance(s, sorted({workers, pages, render}), {}).value();
  // One pool per account for the shared catalog pool; render's egress is instance-scoped (no pool).
  REQUIRE(inst.pools.size() == 2);
  CHECK(inst.pools[0].key == "cloudflare/personal/cloudflare/workers-requests/requests/day");
  CHECK(inst.pools[0].offerings == std::vector<std::string>{"cloudflare/pages-functions", "cloudflare/workers"});
  // Identical workloads form one class of two items with 2 offerings × 2 accounts + render.
  REQUIRE(inst.classes.size() == 1);
  CHECK(inst.classes[0].items.size() == 2);
  REQUIRE(inst.classes[0].candidates.size() == 5);
  const auto& c0 = inst.classes[0].candidates[0];
  REQUIRE(c0.uses.size() == 1);
  CHECK(c0.uses[0].amount == doctest::Approx(20000));  // 600k/month = 20k/day
  const auto& r = inst.classes[0].candidates[4];
  CHECK(inst.offerings[static_cast<std::size_t>(r.offering)].id == "render/web");
  REQUIRE(r.own.size() == 1);
  CHECK(r.own_utilisation == doctest::Approx(0.1));
}

TEST_CASE("placement instance: recorded usage converts to the quota's period and reduces the free amount")
{
  auto groq = offering("groq/llama", WorkloadKind::ai, {"global"}, {quota("requests", "1000/day")}, {}, true);
  auto llm = workload("llm", WorkloadKind::ai, {need("requests", "300/day")});
  auto s = stack({llm});
  std::vector<RecordedUsage> usage{{"groq", "default", "groq/llama", "requests", Period::hour, 10}};
  auto inst = build_instance(s, {groq}, usage).value();
  REQUIRE(inst.pools.size() == 1);
  CHECK(inst.pools[0].recorded == doctest::Approx(240));
  CHECK(inst.pools[0].capacity == doctest::Approx(760));
  CHECK_FALSE(inst.pools[0].billable);
}

TEST_CASE("placement instance: hard caps and missing prices exclude, limits exclude, counters count")
{
  auto small = offering("neon/free", WorkloadKind::database, {"eu"}, {quota("storage", "500MB", Scope::project)});
  auto capped = offering("tiny/db", WorkloadKind::database, {"eu"}, {quota("storage", "1GB")}, {}, true);
  auto paid = offering("paid/db", WorkloadKind::database, {"eu"}, {quota("storage", "500MB", Scope::project)},
                       {price("storage", 0.35, 1e9)});
  paid.free_instances = 1;
  auto limited = offering("lim/db", WorkloadKind::database, {"eu"}, {});
  InstanceLimit limit;
  limit.dimension = "storage";
  limit.max = 1e9;
  limited.limits = {limit};
  auto db = workload("db", WorkloadKind::database, {need("storage", "2GB")});
  auto inst = build_instance(stack({db}, {"eu"}), sorted({small, capped, paid, limited}), {}).value();
  REQUIRE(inst.classes[0].candidates.size() == 1);
  const auto& c = inst.classes[0].candidates[0];
  CHECK(inst.offerings[static_cast<std::size_t>(c.offering)].id == "paid/db");
  CHECK(c.fixed_cost == doctest::Approx(1.5 * 0.35));
  CHECK(c.counter == 0);
  CHECK(inst.counters[0].capacity == 1);
  CHECK(inst.exclusions.size() == 3);
}

TEST_CASE("placement instance: a pool tracked in several windows counts its own window, not their sum")
{
  auto groq = offering("groq/llama", WorkloadKind::ai, {"global"}, {quota("requests", "1000/day")}, {}, true);
  auto s = stack({workload("llm", WorkloadKind::ai, {need("requests", "300/day")})});
  std::vector<RecordedUsage> usage{{"groq", "default", "groq/llama", "requests", Period::day, 100},
                                   {"groq", "default", "groq/llama", "requests", Period::month, 3000}};
  CHECK(build_instance(s, {groq}, usage).value().pools[0].recorded == doctest::Approx(100));
}

TEST_CASE("placement instance: sleeping offerings imply no hours; each replica is one project")
{
  auto neon = offering("neon/free", WorkloadKind::database, {"eu"},
                       {quota("compute_hours", "100h/month", Scope::project), quota("projects", "2", Scope::organization)},
                       {}, true);
  neon.idle_sleep_minutes = 5;
  auto always = neon;
  always.id = "awake/db";
  always.provider = "awake";
  always.idle_sleep_minutes = 0;
  auto db = workload("db", WorkloadKind::database, {need("storage", "100MB")});
  db.replicas = 3;
  auto inst = build_instance(stack({db}, {"eu"}), sorted({neon, always}), {}).value();
  REQUIRE(inst.classes[0].candidates.size() == 1);  // awake/db: 720 h > 100 h per instance
  const auto& c = inst.classes[0].candidates[0];
  REQUIRE(c.uses.size() == 1);
  CHECK(c.uses[0].amount == 1);
  CHECK(c.own.empty());
}
