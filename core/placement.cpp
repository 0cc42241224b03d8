#include "core/placement.hpp"

#include <cmath>

namespace helios {

namespace {

// Rounded for reading; the rounding is deterministic, so equal inputs still give byte-identical output.
double rounded(double value, double unit)
{
  return std::round(value / unit) * unit;
}

}  // namespace

std::vector<const Assignment*> Placement::for_workload(std::string_view workload) const
{
  std::vector<const Assignment*> out;
  for (const auto& a : assignments) {
    if (a.workload == workload) {
      out.push_back(&a);
    }
  }
  return out;
}

nlohmann::json to_json(const Placement& placement)
{
  nlohmann::json assignments = nlohmann::json::array();
  for (const auto& a : placement.assignments) {
    nlohmann::json util = nlohmann::json::object();
    for (const auto& [dimension, fraction] : a.utilisation) {
      util[dimension] = rounded(fraction, 1e-6);
    }
    assignments.push_back({{"workload", a.workload},
                           {"replica", a.replica},
                           {"offering", a.offering},
                           {"provider", a.provider},
                           {"account", a.account},
                           {"region", a.region},
                           {"weight", rounded(a.weight, 1e-9)},
                           {"utilisation", util},
                           {"monthly_cost_usd", rounded(a.monthly_cost_usd, 1e-6)}});
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : placement.rejected) {
    rejected.push_back({{"workload", r.workload},
                        {"offering", r.offering},
                        {"account", r.account},
                        {"reason", r.reason},
                        {"monthly_cost_usd", rounded(r.monthly_cost_usd, 1e-6)}});
  }
  const double gap = placement.cost_usd > 0 ? (placement.cost_usd - placement.lower_bound_usd) / placement.cost_usd : 0.0;
  // No timings here: the document must be byte-identical for the same inputs.
  return {{"stack", placement.stack},
          {"solver", placement.solver},
          {"cost_usd", rounded(placement.cost_usd, 1e-6)},
          {"lower_bound_usd", rounded(placement.lower_bound_usd, 1e-6)},
          {"gap", rounded(std::max(0.0, gap), 1e-9)},
          {"optimal", placement.optimal},
          {"min_headroom", rounded(placement.min_headroom, 1e-6)},
          {"assignments", assignments},
          {"rejected", rejected}};
}

}  // namespace helios
