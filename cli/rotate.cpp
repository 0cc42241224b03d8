// helios rotate: which pool member (provider, model, base URL, credential variable) to use now, honouring
// the ledger's cooldowns, the weights and the headroom; the pick and the reservation are one atomic ledger
// transaction (core/rotate.hpp). Prints JSON, `export` lines (--env), or execs a command (--exec).

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/deploy.hpp"
#include "cli/output.hpp"
#include "core/ledger.hpp"
#include "core/manifest.hpp"
#include "core/placement/place.hpp"
#include "core/rotate.hpp"
#include "core/rotate_move.hpp"
#include "core/rotate_pool.hpp"
#include "core/state/journal.hpp"
#include "providers/api_client.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {

namespace {

struct RotateOptions {
  std::string workload;
  std::string from;
  std::string reason;
  std::string signal_file;
  std::string reserve = "requests=1";
  bool env = false;
  bool exec = false;
  std::vector<std::string> command;
  bool plan = false;       // --plan: move a deployed non-AI workload off a quota it is about to exhaust
  std::string out;         // -o: where the move plan goes (default plan.json)
  std::string threshold;   // --threshold (default 90%)
};

std::string shell_quote(const std::string& value)
{
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// What the cached pool was computed from: the manifest's and user catalogs' size and mtime, and the
// binary's version (the built-in catalog).
std::string fingerprint(const Context& ctx)
{
  std::string fp = HELIOS_VERSION;
  std::vector<std::string> files = {ctx.manifest_path()};
  for (const auto& c : ctx.catalog_paths()) {
    files.push_back(c);
  }
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) {
      fp += fmt::format("|{}:{}:{}.{}", f, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    } else {
      fp += "|" + f + ":missing";
    }
  }
  return fp;
}

// The pool's base URLs as the adapters reach them (HELIOS_<PROVIDER>_API_URL, e.g. a test's fake server);
// the stored pool keeps the catalog's.
RotationPool with_endpoint_overrides(RotationPool pool)
{
  for (auto& m : pool.members) {
    m.base_url = providers::endpoint_url(m.provider, m.base_url);
  }
  return pool;
}

RotationPool resolve_pool(const Context& ctx, Ledger& ledger, const std::string& workload)
{
  const std::string fp = fingerprint(ctx);
  if (auto cached = value_or_throw(load_pool(ledger, workload, fp))) {
    return with_endpoint_overrides(std::move(*cached));
  }
  const Stack stack = value_or_throw(load_manifest(ctx.manifest_path()));
  const Catalog catalog = value_or_throw(providers::effective_catalog(ctx.catalog_paths()));
  // The placement's assignments (with their weights: a split workload's shares) lead the pool. It is
  // computed here only when the cached pool is stale; with no feasible placement the pool follows the
  // workload's models in order.
  std::optional<Placement> placement;
  PlacementOptions options;
  options.solver = PlacementOptions::Solver::fast;
  auto usage = value_or_throw(ledger.recorded_usage(now_ms()));
  if (auto placed = placement::place(stack, catalog, usage, options)) {
    placement = std::move(*placed);
  } else {
    log(ctx, fmt::format("no placement ({}); the pool of '{}' follows its models' order", placed.error().message, workload));
  }
  RotationPool pool = value_or_throw(build_pool(stack, catalog.offerings(), placement ? &*placement : nullptr, workload));
  value_or_throw(store_pool(ledger, pool, fp));
  return with_endpoint_overrides(std::move(pool));
}

std::string read_input(const std::string& path)
{
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::usage, "unreadable_file", fmt::format("cannot read '{}'", path), path,
                "give the saved response of the failed call (curl -si … > FILE), or - for stdin");
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// --plan: a move plan for a deployed workload close to its quota (core/rotate_move.hpp). Every input is
// checked before anything is read beyond the manifest; nothing is written but the plan file.
void run_rotate_plan(Context& ctx, const RotateOptions& opts, CLI::App* cmd)
{
  for (const char* flag : {"--from", "--reason", "--signal", "--reserve", "--env", "--exec"}) {
    if (cmd->count(flag) > 0) {
      throw Error(ExitCode::usage, "usage", fmt::format("{} cannot be combined with --plan", flag), flag,
                  "--plan moves a deployed workload off its quota; without --plan, rotate picks an ai pool member");
    }
  }
  if (!opts.command.empty()) {
    throw Error(ExitCode::usage, "unexpected_argument", fmt::format("unexpected argument '{}'", opts.command.front()), "",
                "--plan takes no command");
  }
  const double threshold =
    opts.threshold.empty() ? k_move_threshold : value_or_throw(parse_threshold(opts.threshold, "--threshold"));
  const std::string out = opts.out.empty() ? "plan.json" : opts.out;
  Deployment deployment(ctx);
  const Stack& stack = deployment.stack();
  value_or_throw(movable_workload(stack, opts.workload));
  auto repo = deployment.repository(false);
  if (!repo) {
    throw Error(ExitCode::usage, "no_state",
                fmt::format("no state repository at {}: workload {} of stack {} was never applied", deployment.state_dir(),
                            opts.workload, stack.name),
                deployment.state_dir(), "apply the stack first (helios apply), or pass --state DIR");
  }
  // The stack's view, as `helios plan` reads it (a crashed apply's journal, else main).
  const auto snapshot = value_or_throw(state::Journal::view(repo, stack.name));
  const auto records = value_or_throw(state::load_records(snapshot, stack.name));
  const EpochMs now = now_ms();
  // The ledger is read, never created: with none, nothing is recorded against any quota.
  std::unique_ptr<Ledger> ledger;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(deployment.state_dir()) / "ledger.db", ec)) {
    ledger = value_or_throw(Ledger::open(deployment.state_dir()));
  }
  const auto& offerings = deployment.catalog().offerings();
  MoveDecision decision =
    value_or_throw(assess_move(stack, offerings, records, ledger.get(), opts.workload, threshold, now));
  nlohmann::json doc = to_json(decision);
  if (!decision.needed) {
    doc["to"] = nlohmann::json::array();
    doc["plan"] = nullptr;
    emit(ctx, doc, [&] {
      std::printf("Nothing to move: %s. No plan written.\n", decision.why.c_str());
    });
    return;
  }
  const auto usage = ledger ? value_or_throw(ledger->recorded_usage(now)) : std::vector<RecordedUsage>{};
  PlacementOptions options;
  const Placement placement =
    value_or_throw(place_for_move(stack, offerings, usage, records, ledger.get(), decision, options, now));
  PlanFlags flags;
  flags.targets = {opts.workload};
  Plan plan = deployment.plan(flags, placement);
  nlohmann::json to = nlohmann::json::array();
  for (auto& a : plan.actions) {
    if (a.workload == opts.workload && a.after) {
      to.push_back({{"address", a.address},
                    {"action", std::string(action_name(a.type))},
                    {"provider", a.after->provider},
                    {"offering", a.after->offering},
                    {"account", a.after->account},
                    {"region", a.after->region}});
      if (a.type == ActionType::move) {
        a.reason = fmt::format("close to its quota ({}): move to {} (account {}), check health, cut over, delete old",
                               decision.why, a.after->offering, a.after->account);
      }
    }
  }
  const nlohmann::json plan_doc = to_json(plan);
  save_plan(plan_doc, out);
  doc["excluded"] = to_json(decision)["excluded"];
  doc["to"] = to;
  doc["plan"] = {{"file", out},
                 {"digest", plan_doc["digest"]},
                 {"state_commit", plan.state_commit},
                 {"summary", plan_doc["summary"]}};
  emit(ctx, doc, [&] {
    std::printf("%s\n\n", paint(ctx, "bold", fmt::format("Workload {} is close to its quota: {}", opts.workload, decision.why)).c_str());
    print_plan(ctx, plan);
    std::printf("Saved the move plan to %s; run `helios apply %s` to carry it out.\n", out.c_str(), out.c_str());
  });
}

void run_rotate(Context& ctx, const RotateOptions& opts, CLI::App* cmd)
{
  if (opts.plan) {
    run_rotate_plan(ctx, opts, cmd);
    return;
  }
  for (const char* flag : {"--out", "--threshold"}) {
    if (cmd->count(flag) > 0) {
      throw Error(ExitCode::usage, "usage", fmt::format("{} needs --plan", flag), flag,
                  "helios rotate --workload web --plan -o move.json [--threshold 90%]");
    }
  }
  // Every input is checked before the ledger is touched.
  RotateRequest request;
  request.workload = opts.workload;
  request.from = opts.from;
  if (!opts.reason.empty()) {
    request.reason = parse_signal_kind(opts.reason);
    if (!request.reason) {
      throw Error(ExitCode::usage, "invalid_reason", fmt::format("--reason '{}' is not a known kind", opts.reason), "--reason",
                  "use transient (a 429), daily, exhausted (402, insufficient_quota), auth (401/403), error (5xx) or ok");
    }
  }
  if (!opts.signal_file.empty()) {
    request.signal = value_or_throw(parse_raw_response(read_input(opts.signal_file), opts.signal_file));
  }
  request.reserve = value_or_throw(parse_reservation(opts.reserve, "--reserve"));
  if (opts.exec && opts.command.empty()) {
    throw Error(ExitCode::usage, "missing_command", "--exec needs a command after --", "--exec",
                "example: helios rotate --workload llm --exec -- ./agent-step.sh");
  }
  if (!opts.exec && !opts.command.empty()) {
    throw Error(ExitCode::usage, "unexpected_argument", fmt::format("unexpected argument '{}'", opts.command.front()), "",
                "to run a command, write --exec -- CMD ARGS…");
  }
  request.now = now_ms();

  auto ledger = value_or_throw(Ledger::open(ctx.state_path()));
  const RotationPool pool = resolve_pool(ctx, *ledger, opts.workload);
  const RotateResult result = value_or_throw(rotate(*ledger, pool, request));
  if (!result.granted) {
    nlohmann::json details = to_json(result);
    std::string why;
    for (const auto& s : result.skipped) {
      why += fmt::format("\n  {}: {}", s.offering, s.why);
    }
    ErrorInfo info{ExitCode::infeasible, "no_quota",
                   fmt::format("no member of workload '{}' has quota now{}{}", opts.workload,
                               result.next_available_at > 0 ? "; next available at " + format_rfc3339(result.next_available_at)
                                                            : std::string(),
                               why),
                   opts.workload,
                   result.next_available_at > 0 ? "wait until next_available_at, or add providers to the workload's models"
                                                : "add providers or accounts to the workload",
                   details};
    throw Error(info);
  }
  const PoolMember& m = result.member;
  const char* key = m.credential_env.empty() ? nullptr : std::getenv(m.credential_env.c_str());
  const std::vector<std::pair<std::string, std::string>> vars = {
    {"OPENAI_BASE_URL", m.base_url},
    {"OPENAI_API_KEY", key ? key : ""},
    {"OPENAI_MODEL", m.model},
    {"HELIOS_PROVIDER", m.provider},
    {"HELIOS_OFFERING", m.offering},
    {"HELIOS_ACCOUNT", m.account},
    {"HELIOS_WORKLOAD", opts.workload},
    {"HELIOS_RESERVATION", std::to_string(result.reservation)},
  };
  if (opts.exec) {
    for (const auto& [name, value] : vars) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    std::vector<char*> argv;
    for (const auto& a : opts.command) {
      argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execvp(argv[0], argv.data());
    throw Error(ExitCode::runtime, "exec_failed", fmt::format("cannot run '{}': {}", opts.command.front(), std::strerror(errno)),
                opts.command.front(), "check the command after --");
  }
  if (opts.env) {
    for (const auto& [name, value] : vars) {
      std::printf("export %s=%s\n", name.c_str(), shell_quote(value).c_str());
    }
    return;
  }
  emit(ctx, to_json(result), [&] {
    std::printf("%s  %s  %s\n", m.offering.c_str(), m.model.c_str(), m.base_url.c_str());
    log(ctx, fmt::format("use {} (model {}, key in ${}), reservation {}, headroom {:.0f}%{}", m.offering, m.model,
                         m.credential_env, result.reservation, result.headroom * 100,
                         result.left.empty() ? std::string() : fmt::format("; {} cooled until {}", result.left, format_rfc3339(result.left_until))));
  });
}

void setup_rotate(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<RotateOptions>();
  auto* cmd = app.add_subcommand("rotate", "Pick the provider/credential an agent or workload should use now, and reserve quota");
  cmd->add_option("--workload", opts->workload, "Workload (an ai workload's pool of offerings)")->required();
  cmd->add_option("--from", opts->from, "Provider or offering being left (the one that answered the signal)");
  cmd->add_option("--reason", opts->reason, "Why: transient (429), daily, exhausted (402/insufficient_quota), auth, error, ok");
  cmd->add_option("--signal", opts->signal_file, "The raw response of the failed call (curl -si output), or - for stdin");
  cmd->add_option("--reserve", opts->reserve, "What to reserve atomically, e.g. requests=1,tokens=4000 (default requests=1)");
  cmd->add_flag("--env", opts->env, "Print export lines: OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL, HELIOS_PROVIDER, …");
  cmd->add_flag("--exec", opts->exec, "Run the command after -- with those variables set: --exec -- CMD ARGS…");
  cmd->add_option("command", opts->command, "The command --exec runs (after --)");
  cmd->add_flag("--plan", opts->plan,
                "A deployed non-AI workload close to its quota: write a plan moving it elsewhere, for `helios apply`");
  cmd->add_option("-o,--out", opts->out, "With --plan: the plan file (default plan.json; not written when nothing moves)");
  cmd->add_option("--threshold", opts->threshold,
                  "With --plan: the share of a quota window that makes the workload move (default 90%; 0.95 or 95%)");
  cmd->footer("Example:\n  helios rotate --workload llm --json\n"
              "  helios rotate --workload llm --from groq --signal last-response.txt --env\n"
              "  helios rotate --workload llm --reserve requests=1,tokens=4000 --exec -- ./agent-step.sh\n"
              "  helios rotate --workload web --plan -o move.json && helios apply move.json");
  cmd->callback([&ctx, opts, cmd] { run_rotate(ctx, *opts, cmd); });
}

}  // namespace

HELIOS_COMMAND("rotate", 80, setup_rotate);

}  // namespace helios::cli
