// helios apply [PLAN]: executes a saved plan exactly (refused when the stack's state moved since it was
// made), or plans and applies in one go under the stack's lock. Parallel, resumable, idempotent.

#include "cli/command.hpp"
#include "cli/deploy.hpp"
#include "cli/output.hpp"

namespace helios::cli {

namespace {

struct ApplyCommandOptions {
  std::string plan_file;
  PlanFlags flags;
  int parallelism = 16;
};

void run_apply(Context& ctx, const ApplyCommandOptions& opts, CLI::App* cmd)
{
  if (opts.parallelism < 1) {
    throw Error(ExitCode::usage, "usage", fmt::format("--parallelism must be at least 1, got {}", opts.parallelism), "",
                "the default is 16");
  }
  Deployment deployment(ctx);
  if (!opts.plan_file.empty()) {
    for (const char* flag : {"--target", "--exclude", "--refresh"}) {
      if (cmd->count(flag) > 0) {
        throw Error(ExitCode::usage, "usage", fmt::format("{} cannot be combined with a saved plan", flag), "",
                    "a saved plan runs exactly as planned; re-plan with the flag instead");
      }
    }
    Plan plan = value_or_throw(load_plan_file(opts.plan_file));
    run_and_report(ctx, deployment, plan, opts.parallelism, plan.destroy ? "destroy" : "apply", nullptr);
    return;
  }
  const std::string stack = deployment.stack().name;
  auto repo = deployment.repository(true);
  // Plan under the lock, so that a concurrent apply cannot slip in between plan and apply.
  auto lock = value_or_throw(lock_stack(repo, stack, "apply"));
  Plan plan = deployment.plan(opts.flags);
  if (!ctx.json) {
    print_plan(ctx, plan);
  }
  run_and_report(ctx, deployment, plan, opts.parallelism, "apply", lock.get());
}

void setup_apply(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<ApplyCommandOptions>();
  auto* cmd = app.add_subcommand("apply", "Make the placement real: run a saved plan, or plan and apply now");
  cmd->add_option("plan", opts->plan_file, "A plan saved by `helios plan -o FILE` (default: plan now)");
  cmd->add_option("--parallelism", opts->parallelism, "Provider calls in flight at once")->default_val(16);
  cmd->add_option("--refresh", opts->flags.refresh, "Read the real resources before planning (default true)")->default_str("true");
  cmd->add_option("--target", opts->flags.targets, "Only this workload and what it depends on (repeatable)");
  cmd->add_option("--exclude", opts->flags.excludes, "Leave out this workload and what depends on it (repeatable)");
  cmd->footer("Example:\n  helios apply -f examples/local.yaml\n  helios plan -f examples/local.yaml -o plan.json && helios apply plan.json");
  cmd->callback([&ctx, opts, cmd] { run_apply(ctx, *opts, cmd); });
}

}  // namespace

HELIOS_COMMAND("apply", 50, setup_apply);

}  // namespace helios::cli
