#include "cli/render_sources.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/ledger.hpp"
#include "core/placement/place.hpp"
#include "core/placement/recorded_usage.hpp"
#include "core/state/repository.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {

namespace fs = std::filesystem;

namespace {

// The placement a saved plan recorded (`helios plan -o plan.json` keeps it under "placement").
Placement placement_from_plan(const std::string& file)
{
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::usage, "plan_not_found", fmt::format("cannot read plan file '{}'", file), "",
                "write one with: helios plan -f MANIFEST -o plan.json");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(ExitCode::usage, "invalid_plan", fmt::format("'{}' is not JSON: {}", file, e.what()), file);
  }
  const auto it = doc.find("placement");
  if (it == doc.end() || !it->is_object() || !it->contains("assignments")) {
    throw Error(ExitCode::usage, "invalid_plan", fmt::format("'{}' holds no placement", file), file,
                "plans written by `helios plan -o` carry the placement they were computed from");
  }
  Placement placement;
  placement.stack = it->value("stack", "");
  placement.cost_usd = it->value("cost_usd", 0.0);
  for (const auto& a : it->at("assignments")) {
    Assignment out;
    out.workload = a.value("workload", "");
    out.replica = a.value("replica", 0);
    out.offering = a.value("offering", "");
    out.provider = a.value("provider", "");
    out.account = a.value("account", "default");
    out.region = a.value("region", "");
    out.weight = a.value("weight", 1.0);
    out.monthly_cost_usd = a.value("monthly_cost_usd", 0.0);
    if (const auto u = a.find("utilisation"); u != a.end() && u->is_object()) {
      for (const auto& [dimension, value] : u->items()) {
        if (value.is_number()) {
          out.utilisation[dimension] = value.get<double>();
        }
      }
    }
    placement.assignments.push_back(std::move(out));
  }
  return placement;
}

// Quota bars from the ledger's tracked windows that have a limit.
std::vector<render::QuotaBar> quota_from_ledger(const std::string& state_dir)
{
  std::vector<render::QuotaBar> bars;
  std::error_code ec;
  if (!fs::exists(fs::path(state_dir) / "ledger.db", ec)) {
    return bars;
  }
  auto ledger = value_or_throw(Ledger::open(state_dir));
  for (const auto& line : value_or_throw(ledger->report(now_ms()))) {
    const std::optional<double> limit = line.limit ? line.limit : line.observed_limit;
    if (!limit || *limit <= 0) {
      continue;
    }
    bars.push_back({line.owner.provider, line.owner.account, line.dimension, std::string(period_name(line.window.period)), line.used,
                    *limit});
  }
  return bars;
}

// Without ledger data: the placement's own use of each provider's free amounts (the tightest pool per
// provider and dimension), which is what the stack will draw once applied.
std::vector<render::QuotaBar> quota_from_placement(const Placement& placement)
{
  std::map<std::pair<std::string, std::string>, double> tightest;
  for (const auto& a : placement.assignments) {
    for (const auto& [dimension, fraction] : a.utilisation) {
      auto& t = tightest[{a.provider, dimension}];
      t = std::max(t, fraction);
    }
  }
  std::vector<render::QuotaBar> bars;
  for (const auto& [key, fraction] : tightest) {
    bars.push_back({key.first, "default", key.second, "placed", fraction * 100, 100});
  }
  return bars;
}

std::vector<render::HistoryEntry> history_from_state(const std::string& state_dir)
{
  std::vector<render::HistoryEntry> history;
  if (!state::Repository::exists(state_dir)) {
    return history;
  }
  auto repo = value_or_throw(state::Repository::open(state_dir, state::Repository::OpenMode::existing));
  auto log = value_or_throw(repo->log(60));
  std::reverse(log.begin(), log.end());
  for (const auto& entry : log) {
    std::string command = entry.trailer("Helios-Command");
    history.push_back({entry.commit.substr(0, 7), entry.time, command, entry.summary});
  }
  return history;
}

}  // namespace

StackSources load_stack_sources(const Context& ctx, const std::string& plan_file, const std::string& what)
{
  StackSources sources;
  sources.stack = value_or_throw(load_manifest(ctx.manifest_path()));
  const std::string state_dir = ctx.state_path();
  const bool need_placement = what == "placement" || what == "quota" || what == "all";
  if (need_placement) {
    if (!plan_file.empty()) {
      sources.placement = placement_from_plan(plan_file);
    } else {
      const Catalog catalog = value_or_throw(providers::effective_catalog(ctx.catalog_paths()));
      const auto usage = value_or_throw(placement::recorded_usage_from_ledger(state_dir));
      PlacementOptions options;
      options.time_limit_seconds = 5;
      sources.placement = value_or_throw(placement::place(sources.stack, catalog, usage, options));
    }
  }
  if (what == "quota" || what == "all") {
    sources.quota = quota_from_ledger(state_dir);
    if (sources.quota.empty()) {
      sources.quota = quota_from_placement(sources.placement);
    }
  }
  if (what == "history" || what == "all") {
    sources.history = history_from_state(state_dir);
  }
  return sources;
}

}  // namespace helios::cli
