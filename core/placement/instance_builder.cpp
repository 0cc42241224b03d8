#include "core/placement/instance_builder.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "core/placement/demand.hpp"
#include "core/placement/eligibility.hpp"

namespace helios::placement {

namespace {

std::string fmt_amount(double value, std::string_view dimension)
{
  return format_quantity(value, dimension_unit(dimension).value_or(UnitKind::count));
}

std::string fmt_rate(double value, std::string_view dimension, Period period)
{
  return format_amount(Amount{value, period}, dimension_unit(dimension).value_or(UnitKind::count));
}

// Everything a candidate depends on in a workload; workloads with equal signatures share candidates.
std::string signature(const Stack& stack, const Workload& w)
{
  std::string s = fmt::format("{}|", workload_kind_name(w.kind));
  auto needs = w.needs;
  std::sort(needs.begin(), needs.end(), [](const Need& a, const Need& b) { return a.dimension < b.dimension; });
  for (const auto& n : needs) {
    s += fmt::format("{}={:.17g}/{};", n.dimension, n.amount.value, static_cast<int>(n.amount.period));
  }
  s += "|";
  for (const auto& r : workload_regions(stack, w)) {
    s += r + ",";
  }
  s += "|";
  for (const auto& p : w.providers_allow) {
    s += p + ",";
  }
  s += "|";
  for (const auto& p : w.providers_deny) {
    s += p + ",";
  }
  s += "|" + w.engine + "|";
  for (const auto& m : w.models) {
    s += m + ",";
  }
  return s;
}

struct SlotInfo {
  int offering = 0;
  std::string account;
  std::vector<int> pool_of_quota;  // per Offering::free entry: shared pool index or -1 (instance-scoped)
  int counter = -1;
  int account_order = 0;
};

class Builder {
public:
  Builder(const Stack& stack, const std::vector<Offering>& offerings, const std::vector<RecordedUsage>& usage)
    : m_stack(stack), m_offerings(offerings), m_usage(usage)
  {
  }

  Result<Instance> build();

private:
  int provider_index(const std::string& name)
  {
    auto [it, inserted] = m_provider_index.try_emplace(name, static_cast<int>(m_inst.providers.size()));
    if (inserted) {
      m_inst.providers.push_back(name);
    }
    return it->second;
  }
  // The bit of a region in Candidate::region_mask (0 past 64 regions: near_compatible then compares names).
  std::uint64_t region_bit(const std::string& name)
  {
    auto it = std::find(m_inst.regions.begin(), m_inst.regions.end(), name);
    if (it == m_inst.regions.end()) {
      m_inst.regions.push_back(name);
      it = m_inst.regions.end() - 1;
    }
    const auto index = static_cast<std::size_t>(it - m_inst.regions.begin());
    return index < 64 ? std::uint64_t{1} << index : 0;
  }
  int group_index(const std::string& name)
  {
    auto [it, inserted] = m_group_index.try_emplace(name, static_cast<int>(m_inst.groups.size()));
    if (inserted) {
      m_inst.groups.push_back(name);
    }
    return it->second;
  }
  double recorded_for(const Offering& o, const std::string& account, const FreeQuota& q) const;
  int pool_for(const Offering& o, const std::string& account, const FreeQuota& q);
  int slot_for(int offering, const std::string& account, int account_order);
  std::vector<Candidate> candidates_for(const Workload& w, int group);

  const Stack& m_stack;
  const std::vector<Offering>& m_offerings;
  const std::vector<RecordedUsage>& m_usage;
  Instance m_inst;
  std::map<std::string, int> m_provider_index;
  std::map<std::string, int> m_group_index;
  std::map<std::string, int> m_pool_index;
  std::map<std::pair<int, std::string>, int> m_slot_index;
  std::vector<SlotInfo> m_slots;
  std::map<std::string, std::vector<Account>> m_accounts;
};

double Builder::recorded_for(const Offering& o, const std::string& account, const FreeQuota& q) const
{
  // The ledger tracks a pool in several windows (a day and a month, say): usage recorded in the quota's own
  // period counts as is; otherwise the largest of the other windows' usage, converted, stands for it.
  const std::string& pool = q.pool.empty() ? o.id : q.pool;
  double same = 0;
  bool has_same = false;
  double converted = 0;
  for (const auto& u : m_usage) {
    if (u.provider == o.provider && u.account == account && u.pool == pool && u.dimension == q.dimension) {
      if (u.period == q.amount.period) {
        same += u.used;
        has_same = true;
      } else {
        converted = std::max(converted, demand_in_period(Amount{u.used, u.period}, q.amount.period));
      }
    }
  }
  return has_same ? same : converted;
}

int Builder::pool_for(const Offering& o, const std::string& account, const FreeQuota& q)
{
  const std::string pool_id = q.pool.empty() ? o.id : q.pool;
  const std::string key =
    fmt::format("{}/{}/{}/{}/{}", o.provider, account, pool_id, q.dimension, period_name(q.amount.period));
  const OveragePrice* price = nullptr;
  for (const auto& p : o.overage) {
    if (p.dimension == q.dimension) {
      price = &p;
      break;
    }
  }
  const bool billable = !o.hard_cap && price != nullptr;
  const double unit_price = billable ? monthly_price_per_unit(*price, q.amount.period) : 0;
  auto it = m_pool_index.find(key);
  if (it == m_pool_index.end()) {
    Pool pool;
    pool.key = key;
    pool.provider = o.provider;
    pool.account = account;
    pool.pool_id = pool_id;
    pool.dimension = q.dimension;
    pool.period = q.amount.period;
    pool.quota = q.amount.value;
    pool.recorded = recorded_for(o, account, q);
    pool.capacity = std::max(0.0, pool.quota - pool.recorded);
    pool.billable = billable;
    pool.price = unit_price;
    pool.offerings.push_back(o.id);
    it = m_pool_index.emplace(key, static_cast<int>(m_inst.pools.size())).first;
    m_inst.pools.push_back(std::move(pool));
    return it->second;
  }
  // Offerings sharing a pool: the smallest free amount, billable only if every one bills, the highest price.
  Pool& pool = m_inst.pools[static_cast<std::size_t>(it->second)];
  if (std::find(pool.offerings.begin(), pool.offerings.end(), o.id) == pool.offerings.end()) {
    pool.offerings.push_back(o.id);
    std::sort(pool.offerings.begin(), pool.offerings.end());
    pool.quota = std::min(pool.quota, q.amount.value);
    pool.capacity = std::max(0.0, pool.quota - pool.recorded);
    pool.billable = pool.billable && billable;
    pool.price = pool.billable ? std::max(pool.price, unit_price) : 0;
  }
  return it->second;
}

int Builder::slot_for(int offering, const std::string& account, int account_order)
{
  auto key = std::make_pair(offering, account);
  auto it = m_slot_index.find(key);
  if (it != m_slot_index.end()) {
    return it->second;
  }
  const Offering& o = m_offerings[static_cast<std::size_t>(offering)];
  SlotInfo slot;
  slot.offering = offering;
  slot.account = account;
  slot.account_order = account_order;
  for (const auto& q : o.free) {
    const bool shared = q.scope == Scope::account || q.scope == Scope::organization;
    slot.pool_of_quota.push_back(shared ? pool_for(o, account, q) : -1);
  }
  if (o.free_instances > 0) {
    slot.counter = static_cast<int>(m_inst.counters.size());
    m_inst.counters.push_back(Counter{offering, account, o.free_instances});
  }
  const int index = static_cast<int>(m_slots.size());
  m_slots.push_back(std::move(slot));
  m_slot_index.emplace(key, index);
  return index;
}

std::vector<Candidate> Builder::candidates_for(const Workload& w, int group)
{
  std::vector<Candidate> out;
  std::vector<std::tuple<int, int, int, int>> order;
  const auto wanted = workload_regions(m_stack, w);
  const auto& offerings = m_offerings;
  for (std::size_t oi = 0; oi < offerings.size(); ++oi) {
    const Offering& o = offerings[oi];
    if (auto why = ineligibility(m_stack, w, o)) {
      if (why->severity > 0) {
        m_inst.exclusions.push_back(Exclusion{group, o.id, "", why->reason, why->severity, "", 0, 0, Period::none});
      }
      continue;
    }
    // Per-instance limits: one instance can never exceed them.
    std::string limit_reason;
    for (const auto& limit : o.limits) {
      const auto need = workload_need(w, limit.dimension, o.idle_sleep_minutes > 0);
      if (need && need->period == Period::none && need->value > limit.max * (1 + 1e-12)) {
        limit_reason = fmt::format("{} {} exceeds its per-instance limit of {}", limit.dimension,
                                   fmt_amount(need->value, limit.dimension), fmt_amount(limit.max, limit.dimension));
        m_inst.exclusions.push_back(
          Exclusion{group, o.id, "", limit_reason, 3, limit.dimension, need->value, limit.max, Period::none});
        break;
      }
    }
    if (!limit_reason.empty()) {
      continue;
    }
    auto regions = served_regions(wanted, o);
    std::size_t region_order = 0;
    if (!wanted.empty()) {
      region_order = static_cast<std::size_t>(std::find(wanted.begin(), wanted.end(), regions.front()) - wanted.begin());
    }
    const auto accounts = m_accounts.try_emplace(o.provider, placement_accounts(m_stack, o.provider)).first->second;
    for (std::size_t ai = 0; ai < accounts.size(); ++ai) {
      const std::string& account = accounts[ai].name;
      const int slot = slot_for(static_cast<int>(oi), account, static_cast<int>(ai));
      const SlotInfo& info = m_slots[static_cast<std::size_t>(slot)];
      Candidate c;
      c.offering = static_cast<int>(oi);
      c.account = account;
      c.slot = slot;
      c.provider = provider_index(o.provider);
      c.group = group_index(o.group.empty() ? o.provider : o.group);
      c.regions = regions;
      c.global = std::find(regions.begin(), regions.end(), "global") != regions.end();
      c.mask_complete = true;
      for (const auto& r : regions) {
        const std::uint64_t bit = region_bit(r);
        c.region_mask |= bit;
        c.mask_complete = c.mask_complete && bit != 0;
      }
      c.region = wanted.empty() ? (o.regions.empty() ? "global" : o.regions.front()) : regions.front();
      c.counter = info.counter;
      std::string reject;
      Exclusion short_by{group, o.id, account, "", 3, "", 0, 0, Period::none};
      for (std::size_t qi = 0; qi < o.free.size() && reject.empty(); ++qi) {
        const FreeQuota& q = o.free[qi];
        const auto need = workload_need(w, q.dimension, o.idle_sleep_minutes > 0);
        if (!need || need->value <= 0) {
          continue;
        }
        const double demand = demand_in_period(*need, q.amount.period);
        const int pool = info.pool_of_quota[qi];
        if (pool >= 0) {
          const Pool& p = m_inst.pools[static_cast<std::size_t>(pool)];
          if (!p.billable && !w.split && demand > p.capacity * (1 + 1e-12)) {
            reject = fmt::format("{} {} exceeds the {} free left{}", q.dimension,
                                 fmt_rate(demand, q.dimension, q.amount.period),
                                 fmt_rate(p.capacity, q.dimension, q.amount.period),
                                 o.hard_cap ? " (hard_cap)" : " (no overage price)");
            short_by.dimension = q.dimension;
            short_by.need = demand;
            short_by.available = p.capacity;
            short_by.period = q.amount.period;
            break;
          }
          auto it = std::find_if(c.uses.begin(), c.uses.end(), [&](const PoolUse& u) { return u.pool == pool; });
          if (it == c.uses.end()) {
            c.uses.push_back(PoolUse{pool, demand});
          } else {
            it->amount = std::max(it->amount, demand);
          }
          continue;
        }
        // Instance-scoped: each instance has the amount for itself; beyond it, the offering's price or nothing.
        InstanceQuota own{q.dimension, demand, q.amount.value, 0};
        if (demand > q.amount.value * (1 + 1e-12)) {
          const OveragePrice* price = nullptr;
          for (const auto& p : o.overage) {
            if (p.dimension == q.dimension) {
              price = &p;
            }
          }
          if (o.hard_cap || price == nullptr || w.split) {
            reject = fmt::format("{} {} exceeds the {} free per instance{}", q.dimension,
                                 fmt_rate(demand, q.dimension, q.amount.period),
                                 fmt_rate(q.amount.value, q.dimension, q.amount.period),
                                 o.hard_cap ? " (hard_cap)" : " (no overage price)");
            short_by.dimension = q.dimension;
            short_by.need = demand;
            short_by.available = q.amount.value;
            short_by.period = q.amount.period;
            break;
          }
          own.cost = (demand - q.amount.value) * monthly_price_per_unit(*price, q.amount.period);
        }
        c.fixed_cost += own.cost;
        const double util = q.amount.value > 0 ? demand / q.amount.value : (demand > 0 ? 10.0 : 0.0);
        c.own_utilisation = std::max(c.own_utilisation, std::min(util, 10.0));
        c.own.push_back(own);
      }
      if (!reject.empty()) {
        short_by.reason = reject;
        m_inst.exclusions.push_back(short_by);
        continue;
      }
      std::sort(c.uses.begin(), c.uses.end(), [](const PoolUse& a, const PoolUse& b) { return a.pool < b.pool; });
      order.emplace_back(model_preference(w, o), static_cast<int>(region_order), static_cast<int>(oi),
                         static_cast<int>(ai));
      out.push_back(std::move(c));
    }
  }
  std::vector<std::size_t> idx(out.size());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    idx[i] = i;
  }
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return order[a] < order[b]; });
  std::vector<Candidate> sorted;
  sorted.reserve(out.size());
  for (std::size_t r = 0; r < idx.size(); ++r) {
    sorted.push_back(std::move(out[idx[r]]));
    sorted.back().rank = static_cast<int>(r);
  }
  return sorted;
}

Result<Instance> Builder::build()
{
  m_inst.stack = m_stack.name;
  m_inst.budget = m_stack.budget_monthly_usd;
  for (const auto& o : m_offerings) {
    m_inst.offerings.push_back(OfferingRef{o.id, o.provider, o.group.empty() ? o.provider : o.group, o.hard_cap});
  }
  std::map<std::string, int> workload_index;
  for (std::size_t i = 0; i < m_stack.workloads.size(); ++i) {
    workload_index.emplace(m_stack.workloads[i].name, static_cast<int>(i));
  }
  std::vector<bool> near_target(m_stack.workloads.size(), false);
  for (const auto& w : m_stack.workloads) {
    if (!w.near.empty()) {
      auto it = workload_index.find(w.near);
      if (it == workload_index.end() || w.near == w.name) {
        return fail(ExitCode::usage, "invalid_manifest",
                    fmt::format("workload {} is to be near '{}', which is not another workload of the stack", w.name,
                                w.near),
                    w.where.to_string(), "name another workload under near:");
      }
      near_target[static_cast<std::size_t>(it->second)] = true;
    }
  }
  // Candidates once per signature; classes: one per workload that is split/spread/near or a near target,
  // one per signature for all other workloads.
  std::map<std::string, int> group_of_signature;
  std::vector<std::vector<Candidate>> group_candidates;
  std::map<int, int> shared_class_of_group;
  std::vector<int> class_of_workload(m_stack.workloads.size(), -1);
  for (std::size_t wi = 0; wi < m_stack.workloads.size(); ++wi) {
    const Workload& w = m_stack.workloads[wi];
    WorkloadRef ref{w.name, w.kind, std::max(1, w.replicas), w.split && w.kind == WorkloadKind::ai,
                    workload_regions(m_stack, w), w.near};
    if (ref.split) {
      ref.replicas = 1;
    }
    m_inst.workloads.push_back(ref);
    const std::string sig = signature(m_stack, w) + (ref.split ? "|split" : "");
    auto [git, inserted] = group_of_signature.try_emplace(sig, static_cast<int>(group_candidates.size()));
    if (inserted) {
      group_candidates.push_back(candidates_for(w, git->second));
    }
    m_inst.workload_group.push_back(git->second);
    const bool own_class = ref.split || w.spread || !w.near.empty() || near_target[wi];
    int cls = -1;
    if (!own_class) {
      auto sit = shared_class_of_group.find(git->second);
      if (sit != shared_class_of_group.end()) {
        cls = sit->second;
      }
    }
    if (cls < 0) {
      cls = static_cast<int>(m_inst.classes.size());
      ItemClass c;
      c.candidates = group_candidates[static_cast<std::size_t>(git->second)];
      c.split = ref.split;
      c.spread = w.spread;
      c.kind = w.kind;
      c.slot_candidate.assign(m_slots.size(), -1);
      m_inst.classes.push_back(std::move(c));
      if (!own_class) {
        shared_class_of_group.emplace(git->second, cls);
      }
    }
    class_of_workload[wi] = cls;
    for (int r = 0; r < ref.replicas; ++r) {
      m_inst.classes[static_cast<std::size_t>(cls)].items.push_back(static_cast<int>(m_inst.items.size()));
      m_inst.items.push_back(Item{static_cast<int>(wi), r, cls});
    }
  }
  for (std::size_t wi = 0; wi < m_stack.workloads.size(); ++wi) {
    if (!m_stack.workloads[wi].near.empty()) {
      const int target = workload_index.at(m_stack.workloads[wi].near);
      m_inst.classes[static_cast<std::size_t>(class_of_workload[wi])].near_target =
        class_of_workload[static_cast<std::size_t>(target)];
    }
  }
  m_inst.slots = static_cast<int>(m_slots.size());
  for (auto& c : m_inst.classes) {
    c.slot_candidate.assign(m_slots.size(), -1);
    for (std::size_t k = 0; k < c.candidates.size(); ++k) {
      c.slot_candidate[static_cast<std::size_t>(c.candidates[k].slot)] = static_cast<int>(k);
    }
  }
  return std::move(m_inst);
}

}  // namespace

bool Instance::near_compatible(const Candidate& a, const Candidate& b)
{
  if (a.group == b.group) {
    return true;
  }
  if (a.global || b.global) {
    return true;  // a workload with no regions on a global offering is near anything
  }
  if ((a.region_mask & b.region_mask) != 0) {
    return true;
  }
  if (a.mask_complete && b.mask_complete) {
    return false;  // every region of both has a bit, and none is in common
  }
  for (const auto& r : a.regions) {
    if (std::find(b.regions.begin(), b.regions.end(), r) != b.regions.end()) {
      return true;
    }
  }
  return false;
}

std::vector<Account> placement_accounts(const Stack& stack, const std::string& provider)
{
  return stack.accounts_for(provider);
}

Result<Instance> build_instance(const Stack& stack, const std::vector<Offering>& offerings,
                                const std::vector<RecordedUsage>& usage)
{
  Builder builder(stack, offerings, usage);
  return builder.build();
}

}  // namespace helios::placement
