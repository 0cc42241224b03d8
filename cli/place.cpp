// helios place: computes the placement of a stack (which offering and account each workload takes) and
// explains it. Recorded usage comes from the ledger in the state directory when there is one.

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/manifest.hpp"
#include "core/placement.hpp"
#include "core/placement/place.hpp"
#include "core/placement/recorded_usage.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {

namespace {

struct PlaceOptions {
  std::string solver = "auto";
  double time_limit = 10;
  bool explain = false;
};

std::string money(double usd)
{
  return usd <= 0 ? std::string("$0") : fmt::format("${:.2f}", usd);
}

std::string utilisation_cell(const Assignment& a)
{
  std::string out;
  for (const auto& [dimension, fraction] : a.utilisation) {
    out += (out.empty() ? "" : "  ") + fmt::format("{} {} {:>3.0f}%", dimension, bar(fraction, 10), fraction * 100);
  }
  return out.empty() ? "-" : out;
}

void print_human(const Context& ctx, const Placement& p)
{
  Table table({"WORKLOAD", "OFFERING", "ACCOUNT", "REGION", "UTILISATION", "COST/MONTH"},
              {false, false, false, false, false, true});
  for (const auto& a : p.assignments) {
    std::string name = a.workload;
    if (a.replica > 0 || p.for_workload(a.workload).size() > 1) {
      name += a.weight < 1.0 ? fmt::format(" ({:.0f}%)", a.weight * 100) : fmt::format(" #{}", a.replica);
    }
    table.add_row({name, a.offering, a.account, a.region, utilisation_cell(a), money(a.monthly_cost_usd)});
  }
  std::fputs(table.render(ctx).c_str(), stdout);
  const double gap = p.cost_usd > 0 ? (p.cost_usd - p.lower_bound_usd) / p.cost_usd : 0.0;
  std::printf("\n%s\n",
              fmt::format("monthly cost {}  ·  lower bound {}  ·  {}  ·  tightest quota {:.0f}% used  ·  solver {}",
                          money(p.cost_usd), money(p.lower_bound_usd),
                          p.optimal ? paint(ctx, "green", "proven optimal")
                                    : paint(ctx, "yellow", fmt::format("gap {:.1f}%", gap * 100)),
                          (1 - p.min_headroom) * 100, p.solver)
                .c_str());
  if (!p.rejected.empty()) {
    std::printf("\n%s\n", paint(ctx, "bold", "Rejected candidates (best first):").c_str());
    std::string current;
    for (const auto& r : p.rejected) {
      if (r.workload != current) {
        current = r.workload;
        std::printf("  %s\n", paint(ctx, "bold", current).c_str());
      }
      const std::string who = r.account.empty() ? r.offering : r.offering + " (" + r.account + ")";
      std::printf("    %-36s %s\n", who.c_str(), r.reason.c_str());
    }
  }
}

void run_place(Context& ctx, const PlaceOptions& opt)
{
  PlacementOptions options;
  options.solver = opt.solver == "exact" ? PlacementOptions::Solver::exact
                   : opt.solver == "fast" ? PlacementOptions::Solver::fast
                                          : PlacementOptions::Solver::automatic;
  options.time_limit_seconds = opt.time_limit;
  options.explain = opt.explain;
  const Stack stack = value_or_throw(load_manifest(ctx.manifest_path()));
  const Catalog catalog = value_or_throw(providers::effective_catalog(ctx.catalog_paths()));
  const auto usage = value_or_throw(placement::recorded_usage_from_ledger(ctx.state_path()));
  const Placement result = value_or_throw(placement::place(stack, catalog, usage, options));
  log(ctx, fmt::format("placed {} workload(s) in {:.3f} s ({} recorded usage line(s) from the ledger)",
                       stack.workloads.size(), result.solve_seconds, usage.size()));
  if (result.timed_out_components > 0) {
    log(ctx, fmt::format("the time limit ({} s) ended the MILP on {} component(s) before CBC answered: fast's placement "
                         "and bound stand there (a longer --time-limit may lower the cost or prove it)",
                         opt.time_limit, result.timed_out_components));
  }
  nlohmann::json doc = to_json(result);
  doc["budget_usd"] = stack.budget_monthly_usd;
  emit(ctx, doc, [&] { print_human(ctx, result); });
}

void setup_place(CLI::App& app, Context& ctx)
{
  auto opt = std::make_shared<PlaceOptions>();
  auto* cmd = app.add_subcommand("place", "Compute the quota-aware placement of a stack and explain it");
  cmd->add_option("--solver", opt->solver, "auto (heuristic, MILP only where its gap is open), exact (MILP), fast")
    ->check(CLI::IsMember({"auto", "exact", "fast"}))
    ->capture_default_str();
  cmd->add_option("--time-limit", opt->time_limit, "Seconds auto and exact may take in all, a hard limit (CBC is stopped there; fast's answer stands where it had none)")
    ->check(CLI::Range(0.01, 3600.0))
    ->capture_default_str();
  cmd->add_flag("--explain", opt->explain, "List the best rejected candidates of each workload and why each lost");
  cmd->footer("Example:\n  helios place -f examples/hobby.yaml --explain\n  helios place -f helios.yaml --solver exact "
              "--time-limit 5 --json");
  cmd->callback([&ctx, opt] { run_place(ctx, *opt); });
}

}  // namespace

HELIOS_COMMAND("place", 30, setup_place);

}  // namespace helios::cli
