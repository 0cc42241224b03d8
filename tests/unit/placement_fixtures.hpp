#pragma once
// In-memory stacks and offerings for the placement tests, and a seeded generator of random instances for
// the property tests. Not a test file itself (no TEST_CASE here).

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/units.hpp"

namespace helios::testing {

inline Need need(const std::string& dimension, const std::string& text)
{
  const UnitKind kind = dimension_unit(dimension).value_or(UnitKind::count);
  return Need{dimension, parse_amount(text, kind).value(), {}};
}

inline Workload workload(const std::string& name, WorkloadKind kind, std::vector<Need> needs)
{
  Workload w;
  w.name = name;
  w.kind = kind;
  w.needs = std::move(needs);
  return w;
}

inline FreeQuota quota(const std::string& dimension, const std::string& text, Scope scope = Scope::account,
                       const std::string& pool = "")
{
  const UnitKind kind = dimension_unit(dimension).value_or(UnitKind::count);
  FreeQuota q;
  q.dimension = dimension;
  q.amount = parse_amount(text, kind).value();
  q.scope = scope;
  q.pool = pool;
  return q;
}

inline OveragePrice price(const std::string& dimension, double usd, double per)
{
  OveragePrice p;
  p.dimension = dimension;
  p.usd = usd;
  p.per = per;
  return p;
}

inline Offering offering(const std::string& id, WorkloadKind kind, std::vector<std::string> regions,
                         std::vector<FreeQuota> free, std::vector<OveragePrice> overage = {}, bool hard_cap = false)
{
  Offering o;
  o.id = id;
  o.provider = id.substr(0, id.find('/'));
  o.product = id.substr(id.find('/') + 1);
  o.kind = kind;
  o.regions = std::move(regions);
  o.free = std::move(free);
  o.overage = std::move(overage);
  o.hard_cap = hard_cap;
  return o;
}

inline std::vector<Offering> sorted(std::vector<Offering> offerings)
{
  std::sort(offerings.begin(), offerings.end(), [](const Offering& a, const Offering& b) { return a.id < b.id; });
  return offerings;
}

inline Stack stack(std::vector<Workload> workloads, std::vector<std::string> regions = {}, double budget = 0)
{
  Stack s;
  s.api_version = "helios/v1";
  s.kind = "Stack";
  s.name = "test";
  s.workloads = std::move(workloads);
  s.regions = std::move(regions);
  s.budget_monthly_usd = budget;
  return s;
}

// A random instance: storage/database workloads of a few sizes against free capacity-limited offerings
// and priced overflow offerings, some with free-instance counts, some AI split workloads, near/spread.
struct RandomInstance {
  Stack stack;
  std::vector<Offering> offerings;
};

inline RandomInstance random_instance(unsigned seed, int workloads, int offerings)
{
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> regions{"eu", "us", "ap"};
  RandomInstance out;
  for (int i = 0; i < offerings; ++i) {
    const bool ai = i % 5 == 4;
    const WorkloadKind kind = ai ? WorkloadKind::ai : (i % 2 ? WorkloadKind::storage : WorkloadKind::database);
    std::vector<std::string> regs{pick(4) == 0 ? "global" : regions[static_cast<std::size_t>(pick(3))]};
    Offering o;
    if (ai) {
      o = offering("ai" + std::to_string(i) + "/model", kind, {"global"},
                   {quota("requests", std::to_string(500 + pick(4) * 500) + "/day"),
                    quota("tokens", std::to_string(1 + pick(3)) + "k/minute")});
      o.model = pick(2) ? "m1" : "m2";
      if (pick(2) == 0) {
        o.overage = {price("tokens", 0.1 + 0.1 * pick(5), 1e6), price("requests", 0.01, 1e3)};
      } else {
        o.hard_cap = true;
      }
    } else {
      const double gb = std::vector<double>{0.5, 1, 2, 5, 10}[static_cast<std::size_t>(pick(5))];
      o = offering("p" + std::to_string(i) + "/" + (kind == WorkloadKind::storage ? "bucket" : "db"), kind, regs,
                   {quota("storage", std::to_string(gb) + "GB", pick(4) == 0 ? Scope::instance : Scope::account)});
      const int billing = pick(10);
      if (billing < 4) {
        o.overage = {price("storage", 0.02 + 0.01 * pick(10), 1e9)};
      } else if (billing < 9) {
        o.hard_cap = true;
      }
      if (pick(4) == 0) {
        o.free_instances = 1 + pick(3);
      }
      if (kind == WorkloadKind::database) {
        o.engines = {"postgres"};
      }
    }
    out.offerings.push_back(o);
  }
  // Paid overflow everywhere, so that most instances are feasible and many cost something.
  out.offerings.push_back(offering("overflow/bucket", WorkloadKind::storage, {"global"}, {quota("storage", "0GB")},
                                   {price("storage", 0.15, 1e9)}));
  out.offerings.push_back(offering("overflow/db", WorkloadKind::database, {"global"}, {quota("storage", "0GB")},
                                   {price("storage", 0.25, 1e9)}));
  out.offerings = sorted(out.offerings);
  for (int i = 0; i < workloads; ++i) {
    const int r = pick(10);
    Workload w;
    if (r == 0) {
      w = workload("w" + std::to_string(i), WorkloadKind::ai,
                   {need("requests", std::to_string(200 + pick(10) * 100) + "/day"),
                    need("tokens", std::to_string(1 + pick(5)) + "M/day")});
      w.split = pick(2) == 0;
      w.models = {"m1", "m2"};
    } else {
      const double gb = std::vector<double>{0.1, 0.25, 0.5, 1, 2}[static_cast<std::size_t>(pick(5))];
      w = workload("w" + std::to_string(i), r < 5 ? WorkloadKind::storage : WorkloadKind::database,
                   {need("storage", std::to_string(gb) + "GB")});
      if (w.kind == WorkloadKind::database) {
        w.engine = "postgres";
      }
      if (pick(8) == 0) {
        w.replicas = 2;
        w.spread = pick(2) == 0;
      }
      if (i > 0 && pick(10) == 0) {
        const int target = pick(i);
        if (out.stack.workloads[static_cast<std::size_t>(target)].kind != WorkloadKind::ai) {
          w.near = "w" + std::to_string(target);
        }
      }
    }
    if (pick(3) == 0) {
      w.regions = {regions[static_cast<std::size_t>(pick(3))]};
    }
    out.stack.workloads.push_back(w);
  }
  out.stack.name = "random-" + std::to_string(seed);
  out.stack.budget_monthly_usd = 1000;
  return out;
}

}  // namespace helios::testing
