#include "cli/deploy.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include "cli/output.hpp"
#include "core/credentials.hpp"
#include "core/placement/place.hpp"
#include "core/placement/recorded_usage.hpp"
#include "core/state/journal.hpp"
#include "providers/builtin_catalog.hpp"
#include "providers/registry.hpp"

namespace helios::cli {

namespace fs = std::filesystem;

Deployment::Deployment(const Context& ctx) : m_ctx(ctx), m_state_dir(ctx.state_path())
{
  // The local provider keeps its resources (processes, SQLite files, directories) in the state
  // directory, outside git's tree: <state>/local.
  if (const char* root = std::getenv("HELIOS_LOCAL_ROOT"); !root || !*root) {
    std::error_code ec;
    const std::string local = (fs::absolute(m_state_dir, ec) / "local").lexically_normal().string();
    ::setenv("HELIOS_LOCAL_ROOT", local.c_str(), 1);
  }
}

const Stack& Deployment::stack()
{
  if (!m_stack) {
    m_stack = value_or_throw(load_manifest(m_ctx.manifest_path()));
  }
  return *m_stack;
}

const Catalog& Deployment::catalog()
{
  if (!m_catalog) {
    m_catalog = value_or_throw(providers::effective_catalog(m_ctx.catalog_paths()));
  }
  return *m_catalog;
}

std::shared_ptr<state::Repository> Deployment::repository(bool create)
{
  if (!m_repo || (!create && !m_repo)) {
    if (!create && !state::Repository::exists(m_state_dir)) {
      return nullptr;
    }
    m_repo = value_or_throw(state::Repository::open(
      m_state_dir, create ? state::Repository::OpenMode::create : state::Repository::OpenMode::existing));
  }
  return m_repo;
}

Placement Deployment::place()
{
  auto usage = value_or_throw(placement::recorded_usage_from_ledger(m_state_dir));
  return value_or_throw(placement::place(stack(), catalog(), usage, PlacementOptions{}));
}

Plan Deployment::plan(const PlanFlags& flags)
{
  if (flags.destroy) {
    return plan_desired(stack_name_for(m_ctx, *this, flags.stack), {}, flags);
  }
  return plan(flags, place());
}

Plan Deployment::plan(const PlanFlags& flags, const Placement& placement)
{
  return plan_desired(stack().name, desired_resources(stack(), placement), flags);
}

Plan Deployment::plan_desired(const std::string& stack_name, const std::vector<DesiredResource>& desired,
                              const PlanFlags& flags)
{
  if (!flags.destroy) {
    for (const auto* list : {&flags.targets, &flags.excludes}) {
      for (const auto& name : *list) {
        if (!stack().workload(name)) {
          throw Error(ExitCode::usage, "unknown_workload",
                      fmt::format("'{}' names no workload of stack {}", name, stack().name), m_ctx.manifest_path(),
                      "--target and --exclude take workload names from the manifest");
        }
      }
    }
  }
  auto repo = repository(false);
  state::Snapshot snapshot;
  if (repo) {
    snapshot = value_or_throw(state::Journal::view(repo, stack_name));
  }
  PlanOptions options;
  options.refresh = flags.refresh;
  options.destroy = flags.destroy;
  options.targets = flags.targets;
  options.excludes = flags.excludes;
  Plan plan = value_or_throw(make_plan(stack_name, desired, snapshot, providers(), credentials(), options));
  if (m_stack) {
    plan.manifest_file = m_stack->file;
    plan.manifest_digest = m_stack->digest.empty() ? "" : "sha256:" + m_stack->digest;
  }
  return plan;
}

ProviderLookup Deployment::providers()
{
  return [this](const std::string& name) -> Provider* {
    std::lock_guard lock(m_mutex);
    auto found = m_adapters.find(name);
    if (found == m_adapters.end()) {
      found = m_adapters.emplace(name, providers::make_provider(name)).first;
    }
    return found->second.get();
  };
}

CredentialsLookup Deployment::credentials()
{
  return [this](const std::string& provider, const std::string& account) -> Result<Credentials> {
    std::string default_env;
    std::optional<Account> declared;
    {
      std::lock_guard lock(m_mutex);
      for (const auto& o : catalog().offerings()) {
        if (o.provider == provider && !o.credential_env.empty()) {
          default_env = o.credential_env;
          break;
        }
      }
      if (m_stack) {
        for (const auto& a : m_stack->accounts) {
          if (a.provider == provider && (a.name == account || (account.empty() && a.name == "default"))) {
            declared = a;
          }
        }
      }
    }
    CredentialRequest request;
    if (declared) {
      request = credential_request(*declared, default_env);
    } else {
      request.provider = provider;
      request.account = account.empty() ? "default" : account;
      request.default_token_env = default_env;
    }
    request.required = provider != "local";
    return resolve_credentials(request, m_state_dir);
  };
}

std::string stack_name_for(const Context& ctx, Deployment& deployment, const std::string& explicit_stack)
{
  if (!explicit_stack.empty()) {
    return explicit_stack;
  }
  std::error_code ec;
  if (fs::exists(ctx.manifest_path(), ec)) {
    return deployment.stack().name;
  }
  auto repo = deployment.repository(false);
  if (!repo) {
    throw Error(ExitCode::usage, "no_state", fmt::format("no manifest at {} and no state repository at {}",
                                                         ctx.manifest_path(), deployment.state_dir()),
                "", "pass -f MANIFEST or --state DIR");
  }
  auto snap = value_or_throw(repo->snapshot());
  std::set<std::string> names;
  for (const auto& s : value_or_throw(state::load_stacks(snap))) {
    names.insert(s);
  }
  for (const auto& s : value_or_throw(state::Journal::leftover_stacks(*repo))) {
    names.insert(s);  // a first apply that crashed recorded its stack only in its journal
  }
  const std::vector<std::string> stacks(names.begin(), names.end());
  if (stacks.size() != 1) {
    throw Error(ExitCode::usage, "which_stack",
                stacks.empty() ? "the state repository records no stack"
                               : fmt::format("the state repository records {} stacks", stacks.size()),
                deployment.state_dir(), "pass -f MANIFEST (or --stack NAME) to say which");
  }
  return stacks.front();
}

void save_plan(const nlohmann::json& doc, const std::string& path)
{
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(ExitCode::runtime, "write_failed", "cannot write " + path, path, "check the directory exists and is writable");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    throw Error(ExitCode::runtime, "write_failed", fmt::format("cannot write {}: {}", path, ec.message()), path,
                "check the directory exists and is writable");
  }
}

namespace {

std::string symbol(ActionType type)
{
  switch (type) {
  case ActionType::create:
    return "+";
  case ActionType::update:
    return "~";
  case ActionType::remove:
    return "-";
  case ActionType::replace:
    return "-/+";
  case ActionType::move:
    return "->";
  case ActionType::noop:
    return "=";
  }
  return " ";
}

std::string colour(ActionType type)
{
  switch (type) {
  case ActionType::create:
    return "green";
  case ActionType::update:
  case ActionType::move:
    return "yellow";
  case ActionType::remove:
  case ActionType::replace:
    return "red";
  case ActionType::noop:
    return "dim";
  }
  return "dim";
}

}  // namespace

void print_plan(const Context& ctx, const Plan& plan)
{
  std::string head = fmt::format("Plan for stack {} (state {}{})", plan.stack,
                                 plan.state_commit.empty() ? "empty" : plan.state_commit.substr(0, 12),
                                 plan.refreshed ? ", refreshed" : ", not refreshed");
  std::printf("%s\n", paint(ctx, "bold", head).c_str());
  if (!plan.drift.empty()) {
    std::printf("\nObjects changed outside helios:\n");
    for (const auto& d : plan.drift) {
      std::printf("  %s %s: %s\n", paint(ctx, "yellow", d.change).c_str(), d.address.c_str(), d.detail.c_str());
    }
  }
  std::printf("\n");
  Table table({"", "action", "address", "where", "reason"});
  for (const auto& a : plan.actions) {
    std::string where = a.after ? a.after->offering : (a.before ? a.before->offering : "");
    if (a.type == ActionType::move && a.before) {
      where = a.before->offering + " -> " + where;
    }
    table.add_row({paint(ctx, colour(a.type), symbol(a.type)), std::string(action_name(a.type)), a.address, where, a.reason});
  }
  if (!table.empty()) {
    std::printf("%s", table.render(ctx).c_str());
  }
  const auto s = plan.summary();
  std::printf("\nPlan: %d to create, %d to update, %d to replace, %d to move, %d to delete (%d unchanged).\n",
              s.at("create"), s.at("update"), s.at("replace"), s.at("move"), s.at("delete"), s.at("no-op"));
  if (!plan.has_changes()) {
    std::printf("No changes: the recorded state matches the placement.\n");
  }
}

std::function<void(const ApplyEvent&)> progress_printer(const Context& ctx)
{
  const bool tty = isatty(STDERR_FILENO) != 0;
  return [&ctx, tty](const ApplyEvent& e) {
    if (ctx.json) {
      return;
    }
    std::string line;
    if (e.phase == "start") {
      line = fmt::format("  {} {}: {}…", e.action, e.address, e.message);
    } else {
      const double fraction = e.total > 0 ? static_cast<double>(e.finished) / e.total : 1.0;
      line = fmt::format("{}[{}/{}] {} {}: {}", tty ? bar(fraction, 12) + " " : "", e.finished, e.total, e.action,
                         e.address, e.phase == "done" ? paint(ctx, "green", e.message) : paint(ctx, "red", e.message));
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  };
}

void run_and_report(Context& ctx, Deployment& deployment, const Plan& plan, int parallelism, const std::string& command,
                    state::Lock* lock)
{
  auto repo = deployment.repository(true);
  ApplyOptions options;
  options.parallelism = parallelism;
  options.command = command;
  options.on_event = progress_printer(ctx);
  if (!plan.has_changes()) {
    log(ctx, fmt::format("{}: stack {} has no changes to make", command, plan.stack));
  }
  ApplyReport report = value_or_throw(apply_plan(repo, plan, deployment.providers(), deployment.credentials(), options, lock));
  // What exists now, with its non-secret outputs.
  auto snap = value_or_throw(state::Journal::view(repo, plan.stack));  // main, unless the fold failed
  auto records = value_or_throw(state::load_records(snap, plan.stack));
  nlohmann::json outputs = nlohmann::json::object();
  for (const auto& [address, record] : records) {
    if (record.resource) {
      outputs[address] = record.resource->outputs;
    }
  }
  nlohmann::json doc = to_json(report);
  doc["command"] = command;
  doc["outputs"] = outputs;
  emit(ctx, doc, [&] {
    if (!report.took_over_lock.empty()) {
      std::fprintf(stderr, "took over the lock %s of a dead %s\n", report.took_over_lock.c_str(), command.c_str());
    }
    for (const auto& o : report.outcomes) {
      if (o.status == "failed") {
        std::fprintf(stderr, "%s %s %s: %s\n", paint(ctx, "red", "failed").c_str(), o.action.c_str(), o.address.c_str(),
                     o.error.c_str());
      }
    }
    std::printf("%s: %d done, %d failed, %d not started (state %s)\n", command.c_str(), report.done, report.failed,
                report.not_started, report.state_commit.substr(0, 12).c_str());
    Table table({"address", "output", "value"});
    for (const auto& [address, values] : outputs.items()) {
      for (const auto& [k, v] : values.items()) {
        table.add_row({address, k, v.is_string() ? v.get<std::string>() : v.dump()});
      }
    }
    if (!table.empty() && command != "destroy") {
      std::printf("\nOutputs:\n%s", table.render(ctx).c_str());
    }
  });
  if (!report.ok()) {
    if (!ctx.json) {
      std::fprintf(stderr, "helios: error: %s stopped after a failure: %d done, %d failed, %d not started; the state records "
                           "what was done; re-run to converge\n",
                   command.c_str(), report.done, report.failed, report.not_started);
    }
    ctx.exit_code = static_cast<int>(ExitCode::runtime);
  }
}

}  // namespace helios::cli
