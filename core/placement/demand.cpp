#include "core/placement/demand.hpp"

namespace helios::placement {

namespace {

const Need* find_need(const Workload& workload, std::string_view dimension)
{
  for (const auto& need : workload.needs) {
    if (need.dimension == dimension) {
      return &need;
    }
  }
  return nullptr;
}

}  // namespace

double demand_in_period(const Amount& need, Period quota_period)
{
  const Period from = need.period == Period::none ? Period::month : need.period;
  const Period to = quota_period == Period::none ? Period::month : quota_period;
  if (need.period == Period::none && quota_period == Period::none) {
    return need.value;
  }
  return convert_rate(need.value, from, to);
}

bool counts_instances(std::string_view dimension)
{
  for (std::string_view d : {"instances", "projects", "databases", "services", "apps", "scripts", "sites"}) {
    if (d == dimension) {
      return true;
    }
  }
  return false;
}

std::optional<Amount> workload_need(const Workload& workload, std::string_view dimension, bool sleeps)
{
  if (const Need* need = find_need(workload, dimension)) {
    return need->amount;
  }
  const bool hours = dimension == "hours" || dimension == "instance_hours" || dimension == "compute_hours";
  const bool runs = workload.kind == WorkloadKind::compute || workload.kind == WorkloadKind::hosting ||
                    workload.kind == WorkloadKind::database;
  if (counts_instances(dimension)) {
    return Amount{1, Period::none};
  }
  if (hours && runs && !sleeps) {
    for (std::string_view other : {"hours", "instance_hours", "compute_hours"}) {
      if (const Need* need = find_need(workload, other)) {
        return need->amount;
      }
    }
    return Amount{k_always_on_hours, Period::month};
  }
  if (hours && runs) {
    for (std::string_view other : {"hours", "instance_hours", "compute_hours"}) {
      if (const Need* need = find_need(workload, other)) {
        return need->amount;
      }
    }
  }
  return std::nullopt;
}

double monthly_price_per_unit(const OveragePrice& price, Period quota_period)
{
  const double per = price.per > 0 ? price.per : 1;
  const double unit = price.usd / per;
  if (quota_period != Period::none) {
    return convert_rate(unit, quota_period, Period::month);  // one unit per period is month/period units a month
  }
  if (price.period == Period::none || price.period == Period::month) {
    return unit;
  }
  return convert_rate(unit, price.period, Period::month);
}

}  // namespace helios::placement
