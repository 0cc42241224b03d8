#include "core/rotate_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace helios {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& value)
{
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string quota_pool(const Offering& o)
{
  for (const auto& q : o.free) {
    if (!q.pool.empty()) {
      return q.pool;
    }
  }
  return o.id;
}

PoolMember member_of(const Stack& stack, const Offering& o, const std::string& account, double weight)
{
  PoolMember m;
  m.offering = o.id;
  m.provider = o.provider;
  m.account = account;
  m.pool = quota_pool(o);
  m.model = o.model.empty() ? o.product : o.model;
  m.base_url = o.base_url;
  m.credential_env = o.credential_env;
  for (const auto& a : stack.accounts) {
    if (a.provider == o.provider && a.name == account && !a.token_env.empty()) {
      m.credential_env = a.token_env;
    }
  }
  m.weight = weight;
  m.limits = offering_limits(o, account);
  for (auto& l : m.limits) {
    l.owner.pool = m.pool;
  }
  return m;
}

}  // namespace

std::vector<QuotaLimit> offering_limits(const Offering& offering, const std::string& account)
{
  std::vector<QuotaLimit> out;
  for (const auto& q : offering.free) {
    if (q.amount.period == Period::none) {
      continue;
    }
    auto rule = parse_reset_rule(q.reset, q.amount.period);
    QuotaLimit l;
    l.owner = {offering.provider, account, q.pool.empty() ? offering.id : q.pool};
    l.dimension = q.dimension;
    l.window = Window{q.amount.period, rule ? *rule : default_reset(q.amount.period)};
    l.amount = q.amount.value;
    l.source = "catalog";
    out.push_back(std::move(l));
  }
  return out;
}

Result<RotationPool> build_pool(const Stack& stack, const std::vector<Offering>& offerings, const Placement* placement,
                                const std::string& workload)
{
  const Workload* w = nullptr;
  for (const auto& candidate : stack.workloads) {
    if (candidate.name == workload) {
      w = &candidate;
    }
  }
  if (w == nullptr) {
    std::string names;
    for (const auto& candidate : stack.workloads) {
      names += (names.empty() ? "" : ", ") + candidate.name;
    }
    return fail(ExitCode::usage, "unknown_workload", fmt::format("stack '{}' has no workload '{}'", stack.name, workload),
                stack.file, names.empty() ? "the manifest declares no workloads" : "workloads: " + names);
  }
  RotationPool pool;
  pool.workload = workload;
  auto allowed = [&](const Offering& o) {
    if (!stack.providers_allow.empty() && !listed(stack.providers_allow, o.provider)) {
      return false;
    }
    if (!w->providers_allow.empty() && !listed(w->providers_allow, o.provider)) {
      return false;
    }
    return !listed(stack.providers_deny, o.provider) && !listed(w->providers_deny, o.provider);
  };
  auto present = [&](const std::string& id, const std::string& account) {
    return std::any_of(pool.members.begin(), pool.members.end(),
                       [&](const PoolMember& m) { return m.offering == id && m.account == account; });
  };
  auto find = [&](const std::string& id) -> const Offering* {
    for (const auto& o : offerings) {
      if (o.id == id) {
        return &o;
      }
    }
    return nullptr;
  };
  if (placement != nullptr) {
    for (const auto& a : placement->assignments) {
      if (a.workload != workload || present(a.offering, a.account)) {
        continue;
      }
      if (const Offering* o = find(a.offering)) {
        pool.members.push_back(member_of(stack, *o, a.account, a.weight));
      }
    }
  }
  if (w->kind == WorkloadKind::ai) {
    // The eligible offerings in the order of the workload's models (its preference), weights decreasing.
    const double base = pool.members.empty() ? 1.0 : 0.05;
    double weight = base;
    auto consider = [&](const Offering& o) {
      if (o.kind != WorkloadKind::ai || !allowed(o) || present(o.id, "default")) {
        return;
      }
      pool.members.push_back(member_of(stack, o, "default", weight));
    };
    if (w->models.empty()) {
      for (const auto& o : offerings) {
        consider(o);
      }
    } else {
      for (const auto& model : w->models) {
        for (const auto& o : offerings) {
          if (o.serves_model(model)) {
            consider(o);
          }
        }
        weight *= 0.9;
      }
    }
  }
  if (pool.members.empty()) {
    return fail(ExitCode::infeasible, "empty_pool",
                fmt::format("no offering can serve workload '{}'", workload), w->where.to_string(),
                w->kind == WorkloadKind::ai ? "check its models: and the providers allowed (`helios catalog list --kind ai`)"
                                            : "rotation of non-AI workloads needs a placement (`helios place`)");
  }
  return pool;
}

}  // namespace helios
