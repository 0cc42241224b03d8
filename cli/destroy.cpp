// helios destroy: removes every resource the stack's state records (dependents first), under the lock.

#include "cli/command.hpp"
#include "cli/deploy.hpp"
#include "cli/output.hpp"

namespace helios::cli {

namespace {

struct DestroyOptions {
  PlanFlags flags;
  int parallelism = 16;
};

void run_destroy(Context& ctx, DestroyOptions opts)
{
  Deployment deployment(ctx);
  opts.flags.destroy = true;
  const std::string stack = stack_name_for(ctx, deployment, opts.flags.stack);
  opts.flags.stack = stack;
  auto repo = deployment.repository(false);
  if (!repo) {
    throw Error(ExitCode::usage, "no_state", fmt::format("no state repository at {}: nothing to destroy", deployment.state_dir()),
                deployment.state_dir(), "pass --state DIR");
  }
  auto lock = value_or_throw(lock_stack(repo, stack, "destroy"));
  Plan plan = deployment.plan(opts.flags);
  if (!ctx.json) {
    print_plan(ctx, plan);
  }
  run_and_report(ctx, deployment, plan, opts.parallelism, "destroy", lock.get());
}

void setup_destroy(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<DestroyOptions>();
  auto* cmd = app.add_subcommand("destroy", "Remove every resource a stack's state records");
  cmd->add_option("--stack", opts->flags.stack, "The recorded stack (default: the manifest's, or the only one)");
  cmd->add_option("--parallelism", opts->parallelism, "Provider calls in flight at once")->default_val(16);
  cmd->add_option("--refresh", opts->flags.refresh, "Read the real resources first (default true)")->default_str("true");
  cmd->footer("Example:\n  helios destroy -f examples/local.yaml");
  cmd->callback([&ctx, opts] { run_destroy(ctx, *opts); });
}

}  // namespace

HELIOS_COMMAND("destroy", 55, setup_destroy);

}  // namespace helios::cli
