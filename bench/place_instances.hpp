#pragma once
// The seeded generator of realistic placement instances for bench/place: workload mixes like the examples
// (web services, databases, buckets, AI with split demand), offerings from the real built-in catalog plus
// synthetic ones, in three families:
//   loose      free capacity well above demand (most stacks cost $0)
//   tight      free capacity a little below demand; priced overflow takes the rest
//   freetier   free-tier structure: many zero-cost, capacity-limited offerings (hard caps, few free
//              instances) and overflow priced by size — the case a plain MILP struggles with
//
// Every instance is feasible by construction: after the offerings are drawn, each workload replica is
// planted on an eligible synthetic offering (its kind, regions and model; `near:` and `spread:` honoured;
// a `near:` that cannot be honoured is dropped), then every free amount, scope by scope, and every
// free-instance count of a capacity-limited offering is raised to hold what was planted there:
//   loose      planted on free offerings; capacities at least 1.25 × the planted load
//   tight      a quarter planted on priced offerings, whose free amounts become 30–70 % of the planted
//              load (the rest pays overage), the rest on free ones whose capacities are the planted load
//              plus 0–8 % (exact fits); synthetic offerings with nothing planted keep a tenth of their drawn
//              free amounts. Free room is a little below demand: the optimum costs money
//   freetier   planted on the priced overflow (capacities stay as drawn); the two overflow offerings of a
//              kind are on distinct providers so that `spread:` pairs always fit

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/manifest.hpp"
#include "core/units.hpp"

namespace helios::bench {

enum class Family { loose, tight, freetier };

inline const char* family_name(Family f)
{
  return f == Family::loose ? "loose" : f == Family::tight ? "tight" : "freetier";
}

struct BenchInstance {
  Stack stack;
  std::vector<Offering> offerings;  // sorted by id
  // The planted feasible assignment: per workload, the offering id of each replica (account "default").
  std::vector<std::vector<std::string>> planted;
};

inline Need bench_need(const std::string& dimension, double value, Period period)
{
  return Need{dimension, Amount{value, period}, {}};
}

namespace detail {

inline std::vector<std::string> served(const Workload& w, const Offering& o)
{
  if (w.regions.empty()) {
    return o.regions;
  }
  if (std::find(o.regions.begin(), o.regions.end(), "global") != o.regions.end()) {
    return w.regions;
  }
  std::vector<std::string> out;
  for (const auto& r : w.regions) {
    if (std::find(o.regions.begin(), o.regions.end(), r) != o.regions.end()) {
      out.push_back(r);
    }
  }
  return out;
}

inline bool eligible(const Workload& w, const Offering& o)
{
  if (o.kind != w.kind || served(w, o).empty()) {
    return false;
  }
  if (w.kind == WorkloadKind::database && !w.engine.empty() && !o.engines.empty() &&
      std::find(o.engines.begin(), o.engines.end(), w.engine) == o.engines.end()) {
    return false;
  }
  if (w.kind == WorkloadKind::ai && !w.models.empty() &&
      std::find(w.models.begin(), w.models.end(), o.model.empty() ? o.product : o.model) == w.models.end()) {
    return false;
  }
  for (const auto& l : o.limits) {
    for (const auto& n : w.needs) {
      if (n.dimension == l.dimension && n.amount.period == Period::none && n.amount.value > l.max) {
        return false;
      }
    }
  }
  return true;
}

// `near:` as the solvers judge it: the same provider group, or a served region in common (a workload with
// no regions on a global offering is near anything).
inline bool near(const Workload& a, const Offering& oa, const Workload& b, const Offering& ob)
{
  if ((oa.group.empty() ? oa.provider : oa.group) == (ob.group.empty() ? ob.provider : ob.group)) {
    return true;
  }
  const auto ra = served(a, oa);
  const auto rb = served(b, ob);
  const auto global = [](const std::vector<std::string>& r) { return std::find(r.begin(), r.end(), "global") != r.end(); };
  if (global(ra) || global(rb)) {
    return true;
  }
  for (const auto& r : ra) {
    if (std::find(rb.begin(), rb.end(), r) != rb.end()) {
      return true;
    }
  }
  return false;
}

// A need in a free quota's period (docs/placement.md "Rate conversion").
inline double in_period(const Need& n, const FreeQuota& q)
{
  if (n.amount.period == Period::none || q.amount.period == Period::none) {
    return n.amount.value;
  }
  return convert_rate(n.amount.value, n.amount.period, q.amount.period);
}

inline bool priced(const Offering& o, const std::string& dimension)
{
  return !o.hard_cap && std::any_of(o.overage.begin(), o.overage.end(),
                                    [&](const OveragePrice& p) { return p.dimension == dimension; });
}

}  // namespace detail

// Plants a feasible assignment (see the header) on the synthetic offerings [first, end) — the first
// `overflow` of them are the priced overflow — and raises capacities to hold it.
inline void plant(BenchInstance& out, std::size_t first, std::size_t overflow, Family family, unsigned long long seed)
{
  std::mt19937_64 rng(seed);
  auto chance = [&](double p) { return static_cast<double>(rng() % 1000000) / 1e6 < p; };
  auto uniform = [&](double a, double b) { return a + (b - a) * static_cast<double>(rng() % 1000000) / 1e6; };
  auto& offerings = out.offerings;
  auto& workloads = out.stack.workloads;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    index[workloads[i].name] = i;
  }
  const double paid_share = family == Family::loose ? 0.0 : family == Family::tight ? 0.25 : 1.0;
  std::vector<std::vector<std::size_t>> planted(workloads.size());  // offering per replica
  std::vector<std::vector<std::size_t>> on(offerings.size());       // workloads planted per offering
  for (std::size_t wi = 0; wi < workloads.size(); ++wi) {
    Workload& w = workloads[wi];
    for (int replica = 0; replica < w.replicas; ++replica) {
      std::vector<std::size_t> free_options;
      std::vector<std::size_t> paid_options;
      for (int attempt = 0; attempt < 2 && free_options.empty() && paid_options.empty(); ++attempt) {
        if (attempt == 1) {
          w.near.clear();  // it cannot be honoured here: the generator drops it
        }
        for (std::size_t o = first; o < offerings.size(); ++o) {
          const Offering& off = offerings[o];
          if (!detail::eligible(w, off)) {
            continue;
          }
          if (w.spread && std::any_of(planted[wi].begin(), planted[wi].end(),
                                      [&](std::size_t p) { return offerings[p].provider == off.provider; })) {
            continue;
          }
          if (!w.near.empty()) {
            const std::size_t t = index.at(w.near);
            if (std::none_of(planted[t].begin(), planted[t].end(),
                             [&](std::size_t p) { return detail::near(w, off, workloads[t], offerings[p]); })) {
              continue;
            }
          }
          const bool paid = !off.overage.empty() && !off.hard_cap;
          if (family == Family::freetier && o >= first + overflow) {
            continue;  // freetier plants on the overflow only
          }
          (paid ? paid_options : free_options).push_back(o);
        }
      }
      const bool want_paid = (chance(paid_share) && !paid_options.empty()) || free_options.empty();
      const auto& options = want_paid ? paid_options : free_options;
      if (options.empty()) {
        throw std::logic_error("bench generator: no offering can take workload " + w.name);
      }
      const std::size_t o = options[static_cast<std::size_t>(rng() % options.size())];
      planted[wi].push_back(o);
      on[o].push_back(wi);
    }
  }
  out.planted.assign(workloads.size(), {});
  for (std::size_t wi = 0; wi < workloads.size(); ++wi) {
    for (std::size_t o : planted[wi]) {
      out.planted[wi].push_back(offerings[o].id);
    }
  }
  // Capacities: every limit that cannot bill holds what was planted.
  for (std::size_t o = first; o < offerings.size(); ++o) {
    Offering& off = offerings[o];
    if (on[o].empty()) {
      if (family == Family::tight && o >= first + overflow) {
        for (auto& q : off.free) {
          q.amount.value *= 0.1;  // tight: free room is where the planted workloads are, hardly elsewhere
        }
      }
      continue;
    }
    if (off.free_instances > 0) {
      off.free_instances = std::max(off.free_instances, static_cast<int>(on[o].size()));
    }
    for (auto& q : off.free) {
      const bool priced = detail::priced(off, q.dimension);
      if (priced && (family != Family::tight || o < first + overflow)) {
        continue;
      }
      double total = 0;
      double peak = 0;
      for (std::size_t wi : on[o]) {
        for (const auto& n : workloads[wi].needs) {
          if (n.dimension == q.dimension) {
            total += detail::in_period(n, q);
            peak = std::max(peak, detail::in_period(n, q));
          }
        }
      }
      const bool shared = q.scope == Scope::account || q.scope == Scope::organization;
      const double needed = shared ? total : peak;
      if (needed <= 0) {
        continue;
      }
      if (family == Family::tight) {
        q.amount.value = needed * (priced ? uniform(0.3, 0.7) : uniform(1.0, 1.08));
      } else {
        q.amount.value = std::max(q.amount.value, needed * 1.25);
      }
    }
  }
}

// A catalog offering with its `machine` amounts (the local provider: this machine's cores, memory and free
// disk, measured when the catalog loads) pinned to a reference machine: 2 cores, 24 GiB, 60 GB of disk.
// Measured free disk changes from one run to the next (any write anywhere on the disk), and an instance
// must be the same on every machine and at every moment for its figures to be comparable.
inline Offering pinned_machine(Offering o)
{
  auto reference = [](const std::string& dimension, double measured) {
    return dimension == "cpu" ? 2.0 : dimension == "memory" ? 24.0 * (1ULL << 30) : dimension == "storage" ? 60e9 : measured;
  };
  for (auto& q : o.free) {
    if (q.measured) {
      q.amount.value = reference(q.dimension, q.amount.value);
    }
  }
  for (auto& l : o.limits) {
    if (l.measured) {
      l.max = reference(l.dimension, l.max);
    }
  }
  return o;
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
    out.offerings.push_back(pinned_machine(o));
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
    if (i < static_cast<int>(kinds.size()) * 2) {
      o.provider = "syn" + std::to_string(i / static_cast<int>(kinds.size()) % providers);  // overflow: distinct
    }
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
  plant(out, static_cast<std::size_t>(real_taken), static_cast<std::size_t>(kinds.size()) * 2, family,
        seed * 104729ULL + static_cast<unsigned>(workloads));
  std::sort(out.offerings.begin(), out.offerings.end(), [](const Offering& a, const Offering& b) { return a.id < b.id; });
  out.offerings.erase(std::unique(out.offerings.begin(), out.offerings.end(),
                                  [](const Offering& a, const Offering& b) { return a.id == b.id; }),
                      out.offerings.end());
  out.stack.name = std::string(family_name(family)) + "-" + std::to_string(workloads) + "x" + std::to_string(offerings);
  out.stack.budget_monthly_usd = 1e9;
  return out;
}

}  // namespace helios::bench
