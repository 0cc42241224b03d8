#pragma once
// The seeded generator of realistic placement instances for bench/place: workload mixes like the examples
// (web services, databases, buckets, AI with split demand), offerings from the real built-in catalog plus
// synthetic ones, in three families:
//   loose      free capacity well above demand (most stacks cost $0)
//   tight      free capacity a little below demand; priced overflow takes the rest
//   freetier   free-tier structure: many zero-cost, capacity-limited offerings (hard caps, few free
//              instances) and overflow priced by size — the case a plain MILP struggles with

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"

namespace helios::bench {

enum class Family { loose, tight, freetier };

inline const char* family_name(Family f)
{
  return f == Family::loose ? "loose" : f == Family::tight ? "tight" : "freetier";
}

struct BenchInstance {
  Stack stack;
  std::vector<Offering> offerings;  // sorted by id
};

inline Need bench_need(const std::string& dimension, double value, Period period)
{
  return Need{dimension, Amount{value, period}, {}};
}

inline BenchInstance generate(unsigned seed, int workloads, int offerings, Family family,
                              const std::vector<Offering>& real)
{
  std::mt19937_64 rng(seed * 7919ULL + static_cast<unsigned>(workloads) * 31ULL + static_cast<unsigned>(offerings));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned long long>(n)); };
  auto uniform = [&](double a, double b) { return a + (b - a) * static_cast<double>(rng() % 1000000) / 1e6; };
  const std::vector<std::string> regions{"eu", "us", "asia"};
  const double GB = 1e9;
  BenchInstance out;
  // Workloads first (the offerings are sized against their total demand).
  const std::vector<double> db_sizes{0.1, 0.25, 0.5, 1, 2, 3, 5};
  const std::vector<double> bucket_sizes{0.5, 1, 2, 5, 10, 20};
  double storage_demand = 0;
  double db_demand = 0;
  double web_requests = 0;
  double ai_tokens = 0;
  for (int i = 0; i < workloads; ++i) {
    Workload w;
    w.name = "w" + std::to_string(i);
    const int r = pick(20);
    if (family == Family::freetier) {
      // Storage and databases only: sizes against capacities is what makes it hard.
      if (r < 10) {
        w.kind = WorkloadKind::database;
        w.engine = "postgres";
        const double gb = db_sizes[static_cast<std::size_t>(pick(static_cast<int>(db_sizes.size())))];
        w.needs = {bench_need("storage", gb * GB, Period::none)};
        db_demand += gb;
      } else {
        w.kind = WorkloadKind::storage;
        const double gb = bucket_sizes[static_cast<std::size_t>(pick(static_cast<int>(bucket_sizes.size())))];
        w.needs = {bench_need("storage", gb * GB, Period::none)};
        storage_demand += gb;
      }
    } else if (r < 7) {
      w.kind = WorkloadKind::compute;
      const double req = std::vector<double>{1e4, 5e4, 1e5, 5e5}[static_cast<std::size_t>(pick(4))];
      w.needs = {bench_need("cpu", 0.25, Period::none), bench_need("memory", 512.0 * 1048576, Period::none),
                 bench_need("requests", req, Period::month),
                 bench_need("egress", std::vector<double>{1, 10}[static_cast<std::size_t>(pick(2))] * GB, Period::month)};
      web_requests += req;
      if (i > 0 && pick(6) == 0) {
        w.near = "w" + std::to_string(pick(i));
      }
    } else if (r < 12) {
      w.kind = WorkloadKind::database;
      w.engine = "postgres";
      const double gb = db_sizes[static_cast<std::size_t>(pick(static_cast<int>(db_sizes.size())))];
      w.needs = {bench_need("storage", gb * GB, Period::none)};
      db_demand += gb;
    } else if (r < 17) {
      w.kind = WorkloadKind::storage;
      const double gb = bucket_sizes[static_cast<std::size_t>(pick(static_cast<int>(bucket_sizes.size())))];
      w.needs = {bench_need("storage", gb * GB, Period::none),
                 bench_need("egress", std::vector<double>{5, 20}[static_cast<std::size_t>(pick(2))] * GB, Period::month)};
      storage_demand += gb;
    } else {
      w.kind = WorkloadKind::ai;
      const double tokens = std::vector<double>{2e5, 1e6, 2e6}[static_cast<std::size_t>(pick(3))];
      w.needs = {bench_need("requests", std::vector<double>{300, 1000, 3000}[static_cast<std::size_t>(pick(3))], Period::day),
                 bench_need("tokens", tokens, Period::day)};
      w.models = {"llama-3.3-70b", "gemini-2.5-flash", "synthetic-model"};
      w.split = pick(2) == 0;
      ai_tokens += tokens;
    }
    if (pick(3) == 0) {
      w.regions = {regions[static_cast<std::size_t>(pick(3))]};
    }
    if (pick(25) == 0 && w.kind != WorkloadKind::ai) {
      w.replicas = 2;
      w.spread = pick(2) == 0;
    }
    out.stack.workloads.push_back(std::move(w));
  }
  // Offerings: the real catalog (as many as fit), then synthetic ones.
  int real_taken = 0;
  for (const auto& o : real) {
    if (real_taken >= offerings / 4) {
      break;
    }
    if (family == Family::freetier && o.kind != WorkloadKind::database && o.kind != WorkloadKind::storage) {
      continue;
    }
    out.offerings.push_back(o);
    ++real_taken;
  }
  const int synthetic = offerings - real_taken;
  const double capacity_factor = family == Family::loose ? 3.0 : family == Family::tight ? 0.9 : 0.8;
  // Each kind's share of synthetic offerings, and the free capacity each gets on average.
  const std::vector<WorkloadKind> kinds =
    family == Family::freetier
      ? std::vector<WorkloadKind>{WorkloadKind::database, WorkloadKind::storage}
      : std::vector<WorkloadKind>{WorkloadKind::compute, WorkloadKind::database, WorkloadKind::storage, WorkloadKind::ai};
  const int providers = std::max(4, synthetic / 5);
  for (int i = 0; i < synthetic; ++i) {
    const WorkloadKind kind = kinds[static_cast<std::size_t>(i) % kinds.size()];
    const int per_kind = std::max(1, synthetic / static_cast<int>(kinds.size()));
    Offering o;
    o.provider = "syn" + std::to_string(pick(providers));
    o.product = std::string(workload_kind_name(kind)) + std::to_string(i);
    o.id = o.provider + "/" + o.product;
    o.kind = kind;
    o.group = o.provider;
    o.regions = {pick(5) == 0 ? std::string("global") : regions[static_cast<std::size_t>(pick(3))]};
    const bool overflow = i < static_cast<int>(kinds.size()) * 2;  // the first two per kind: priced overflow, global
    if (overflow) {
      o.regions = {"global"};
    }
    auto free = [&](const std::string& dimension, double amount, Period period, Scope scope) {
      FreeQuota q;
      q.dimension = dimension;
      q.amount = Amount{amount, period};
      q.scope = scope;
      o.free.push_back(q);
    };
    auto price = [&](const std::string& dimension, double usd, double per) {
      OveragePrice p;
      p.dimension = dimension;
      p.usd = usd;
      p.per = per;
      o.overage.push_back(p);
    };
    const double jitter = uniform(0.3, 1.7);
    switch (kind) {
    case WorkloadKind::database: {
      o.engines = {"postgres"};
      const double cap = overflow ? 0.5 : std::max(0.25, capacity_factor * db_demand / per_kind * jitter);
      free("storage", std::round(cap * 4) / 4 * GB, Period::none, pick(3) == 0 ? Scope::project : Scope::account);
      break;
    }
    case WorkloadKind::storage: {
      const double cap = overflow ? 1 : std::max(1.0, capacity_factor * storage_demand / per_kind * jitter);
      free("storage", std::round(cap) * GB, Period::none, Scope::account);
      free("egress", (overflow ? 100 : 50) * GB * capacity_factor * jitter, Period::month, Scope::account);
      break;
    }
    case WorkloadKind::compute: {
      free("requests", std::max(1e4, capacity_factor * web_requests / per_kind * jitter), Period::month, Scope::account);
      free("egress", 100 * GB * capacity_factor * jitter, Period::month, Scope::account);
      InstanceLimit l;
      l.dimension = "memory";
      l.max = 1073741824.0;
      o.limits.push_back(l);
      break;
    }
    case WorkloadKind::ai: {
      o.model = std::vector<std::string>{"llama-3.3-70b", "gemini-2.5-flash", "synthetic-model"}[static_cast<std::size_t>(pick(3))];
      o.regions = {"global"};
      free("requests", std::round(uniform(500, 15000)), Period::day, Scope::organization);
      free("tokens", std::max(1e4, capacity_factor * ai_tokens / per_kind * jitter / 1440.0), Period::minute,
           Scope::organization);
      break;
    }
    case WorkloadKind::hosting:
      break;
    }
    if (overflow) {
      // Priced by size: the overflow every family can fall back on.
      price("storage", 0.10 + 0.05 * (i % 3), GB);
      price("egress", 0.05, GB);
      price("requests", 0.30, 1e6);
      price("tokens", 0.20 + 0.1 * (i % 2), 1e6);
    } else if (family == Family::freetier) {
      o.hard_cap = true;
      if (pick(3) == 0) {
        o.free_instances = 1 + pick(3);
      }
    } else {
      const int billing = pick(3);
      if (billing == 0) {
        price("storage", uniform(0.01, 0.2), GB);
        price("egress", uniform(0.01, 0.1), GB);
        price("requests", uniform(0.1, 0.5), 1e6);
        price("tokens", uniform(0.05, 0.6), 1e6);
      } else {
        o.hard_cap = true;
      }
      if (pick(4) == 0) {
        o.free_instances = 1 + pick(5);
      }
    }
    out.offerings.push_back(std::move(o));
  }
  std::sort(out.offerings.begin(), out.offerings.end(), [](const Offering& a, const Offering& b) { return a.id < b.id; });
  out.offerings.erase(std::unique(out.offerings.begin(), out.offerings.end(),
                                  [](const Offering& a, const Offering& b) { return a.id == b.id; }),
                      out.offerings.end());
  out.stack.name = std::string(family_name(family)) + "-" + std::to_string(workloads) + "x" + std::to_string(offerings);
  out.stack.budget_monthly_usd = 1e9;
  return out;
}

}  // namespace helios::bench
