// helios plan: placement + refresh + diff against the state repository → actions, each with its reason;
// -o plan.json saves it for `helios apply plan.json`; --detailed-exitcode: 0 no changes, 1 error, 2 changes.

#include <cstdio>

#include "cli/command.hpp"
#include "cli/deploy.hpp"
#include "cli/output.hpp"

namespace helios::cli {

namespace {

struct PlanCommandOptions {
  PlanFlags flags;
  std::string out;
  bool detailed_exitcode = false;
};

void run_plan(Context& ctx, const PlanCommandOptions& opts)
{
  Deployment deployment(ctx);
  Plan plan = deployment.plan(opts.flags);
  // The JSON form is built only when something reads it (a 1,000-resource plan is mostly this).
  const bool need_doc = ctx.json || !opts.out.empty();
  const nlohmann::json doc = need_doc ? to_json(plan) : nlohmann::json();
  if (!opts.out.empty()) {
    save_plan(doc, opts.out);
  }
  emit(ctx, doc, [&] {
    print_plan(ctx, plan);
    if (!opts.out.empty()) {
      std::printf("Saved the plan to %s; run `helios apply %s` to execute exactly it.\n", opts.out.c_str(), opts.out.c_str());
    }
  });
  if (opts.detailed_exitcode && plan.has_changes()) {
    ctx.exit_code = 2;
  }
}

void setup_plan(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<PlanCommandOptions>();
  auto* cmd = app.add_subcommand("plan", "Show the actions that take the recorded state to the placement (create, update, delete, replace, move)");
  cmd->add_option("--refresh", opts->flags.refresh, "Read the real resources first and report drift (default true; --refresh=false skips)")
    ->default_str("true");
  cmd->add_option("-o,--out", opts->out, "Save the plan as JSON for `helios apply FILE` (docs/plan.md)");
  cmd->add_flag("--detailed-exitcode", opts->detailed_exitcode, "Exit 0 with no changes, 2 with changes, 1 on error");
  cmd->add_option("--target", opts->flags.targets, "Only this workload and what it depends on (repeatable)");
  cmd->add_option("--exclude", opts->flags.excludes, "Leave out this workload and what depends on it (repeatable)");
  cmd->add_flag("--destroy", opts->flags.destroy, "Plan the removal of everything the stack's state records");
  cmd->footer("Example:\n  helios plan -f examples/local.yaml -o plan.json --detailed-exitcode");
  cmd->callback([&ctx, opts] { run_plan(ctx, *opts); });
}

}  // namespace

HELIOS_COMMAND("plan", 40, setup_plan);

}  // namespace helios::cli
