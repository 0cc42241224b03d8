#include "core/placement/eligibility.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace helios::placement {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view value)
{
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool any_names(const std::vector<std::string>& list, const Offering& offering)
{
  return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return names_offering(e, offering); });
}

}  // namespace

std::vector<std::string> workload_regions(const Stack& stack, const Workload& workload)
{
  return workload.regions.empty() ? stack.regions : workload.regions;
}

std::vector<std::string> served_regions(const std::vector<std::string>& wanted, const Offering& offering)
{
  if (wanted.empty()) {
    return offering.regions;
  }
  if (contains(offering.regions, "global")) {
    return wanted;
  }
  std::vector<std::string> out;
  for (const auto& region : wanted) {
    if (contains(offering.regions, region)) {
      out.push_back(region);
    }
  }
  return out;
}

bool names_offering(const std::string& entry, const Offering& offering)
{
  return entry == offering.provider || entry == offering.id || (!offering.group.empty() && entry == offering.group);
}

std::optional<Ineligible> ineligibility(const Stack& stack, const Workload& workload, const Offering& offering)
{
  if (offering.kind != workload.kind) {
    return Ineligible{fmt::format("serves {} workloads, not {}", workload_kind_name(offering.kind),
                                  workload_kind_name(workload.kind)),
                      0};
  }
  if (any_names(stack.providers_deny, offering)) {
    return Ineligible{fmt::format("provider {} is denied by the stack (spec.providers.deny)", offering.provider), 1};
  }
  if (!stack.providers_allow.empty() && !any_names(stack.providers_allow, offering)) {
    return Ineligible{fmt::format("provider {} is not in the stack's allow list", offering.provider), 1};
  }
  if (any_names(workload.providers_deny, offering)) {
    return Ineligible{fmt::format("provider {} is denied by workload {}", offering.provider, workload.name), 1};
  }
  if (!workload.providers_allow.empty() && !any_names(workload.providers_allow, offering)) {
    return Ineligible{fmt::format("provider {} is not in workload {}'s allow list", offering.provider, workload.name),
                      1};
  }
  const auto wanted = workload_regions(stack, workload);
  if (served_regions(wanted, offering).empty()) {
    std::string list;
    for (const auto& r : wanted) {
      list += (list.empty() ? "" : ", ") + r;
    }
    return Ineligible{fmt::format("serves no region of [{}]", list), 1};
  }
  if (workload.kind == WorkloadKind::database && !workload.engine.empty() && !offering.engines.empty() &&
      !contains(offering.engines, workload.engine)) {
    return Ineligible{fmt::format("offers no {} engine", workload.engine), 2};
  }
  if (workload.kind == WorkloadKind::ai && !workload.models.empty()) {
    const std::string& model = offering.model.empty() ? offering.product : offering.model;
    if (!contains(workload.models, model)) {
      return Ineligible{fmt::format("serves model {}, not one of the workload's models", model), 2};
    }
  }
  return std::nullopt;
}

int model_preference(const Workload& workload, const Offering& offering)
{
  if (workload.kind != WorkloadKind::ai || workload.models.empty()) {
    return 0;
  }
  const std::string& model = offering.model.empty() ? offering.product : offering.model;
  const auto it = std::find(workload.models.begin(), workload.models.end(), model);
  return static_cast<int>(it - workload.models.begin());
}

}  // namespace helios::placement
