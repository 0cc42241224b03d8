// helios state log | show | rollback | locks | unlock | push | pull: the state repository (docs/state.md).

#include <cstdio>
#include <set>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/state/journal.hpp"
#include "core/state/lock.hpp"
#include "core/state/remote_sync.hpp"
#include "core/state/repository.hpp"
#include "core/state/resource_record.hpp"

namespace helios::cli {

namespace {

struct StateOptions {
  std::size_t limit = 20;
  std::string stack;
  std::string rev;
  std::string id;
  std::string remote;
};

std::shared_ptr<state::Repository> open_existing(const Context& ctx)
{
  return value_or_throw(state::Repository::open(ctx.state_path(), state::Repository::OpenMode::existing));
}

void run_log(Context& ctx, const StateOptions& opts)
{
  auto repo = open_existing(ctx);
  const std::string path = opts.stack.empty() ? std::string() : state::stack_dir(opts.stack);
  auto entries = value_or_throw(repo->log(opts.limit, path));
  nlohmann::json commits = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json trailers = nlohmann::json::object();
    for (const auto& [k, v] : e.trailers) {
      trailers[k] = v;
    }
    commits.push_back({{"commit", e.commit},
                       {"parent", e.parent},
                       {"time", e.time},
                       {"summary", e.summary},
                       {"command", e.trailer("Helios-Command")},
                       {"stack", e.trailer("Helios-Stack")},
                       {"actor", e.trailer("Helios-Actor")},
                       {"serial", e.trailer("Helios-Serial")},
                       {"trailers", trailers}});
  }
  emit(ctx, {{"state", repo->path()}, {"commits", commits}}, [&] {
    Table table({"commit", "time", "actor", "summary"});
    for (const auto& e : entries) {
      table.add_row({paint(ctx, "yellow", e.commit.substr(0, 12)), e.time, e.trailer("Helios-Actor"), e.summary});
    }
    std::printf("%s", table.render(ctx).c_str());
  });
}

void run_show(Context& ctx, const StateOptions& opts)
{
  auto repo = open_existing(ctx);
  auto snap = value_or_throw(repo->snapshot(opts.rev));
  auto meta = value_or_throw(snap.meta());
  std::set<std::string> names;
  if (!opts.stack.empty()) {
    names.insert(opts.stack);
  } else {
    for (const auto& s : value_or_throw(state::load_stacks(snap))) {
      names.insert(s);
    }
  }
  // Without REV: the current recorded state, which includes a journal an interrupted apply left.
  std::map<std::string, std::string> journals;
  if (opts.rev.empty()) {
    for (const auto& s : value_or_throw(state::Journal::leftover_stacks(*repo))) {
      if (opts.stack.empty() || s == opts.stack) {
        names.insert(s);
        journals[s] = value_or_throw(state::Journal::leftover(*repo, s));
      }
    }
  }
  nlohmann::json doc = {{"commit", snap.commit()},
                        {"format_version", meta.format_version},
                        {"lineage", meta.lineage},
                        {"serial", meta.serial},
                        {"stacks", nlohmann::json::object()}};
  std::map<std::string, std::map<std::string, state::ResourceRecord>> all;
  for (const auto& s : names) {
    const bool journaled = journals.count(s) > 0;
    all[s] = value_or_throw(state::load_records(journaled ? value_or_throw(state::Journal::view(repo, s)) : snap, s));
    nlohmann::json resources = nlohmann::json::object();
    for (const auto& [address, record] : all[s]) {
      resources[address] = state::to_json(record);
    }
    doc["stacks"][s] = {{"resources", resources}};
    if (journaled) {
      doc["stacks"][s]["journal"] = journals[s];
    }
  }
  emit(ctx, doc, [&] {
    std::printf("state %s (serial %lld, lineage %s)\n", snap.commit().substr(0, 12).c_str(), meta.serial,
                meta.lineage.c_str());
    for (const auto& [s, records] : all) {
      std::printf("\nstack %s\n", paint(ctx, "bold", s).c_str());
      if (journals.count(s)) {
        std::printf("  an interrupted command left its journal (%s); the next apply of %s resumes and folds it\n",
                    journals[s].substr(0, 12).c_str(), s.c_str());
      }
      Table table({"address", "provider", "offering", "status", "id", "outputs"});
      for (const auto& [address, r] : records) {
        std::string outputs;
        if (r.resource) {
          for (const auto& [k, v] : r.resource->outputs) {
            outputs += (outputs.empty() ? "" : " ") + k + "=" + v;
          }
          for (const auto& [k, v] : r.resource->secret_refs) {
            outputs += (outputs.empty() ? "" : " ") + k + "=<" + v + ">";
          }
        }
        std::string status = r.status + (r.intent ? " (" + r.intent->action + " in flight)" : "");
        table.add_row({address, r.provider, r.offering, status, r.resource ? r.resource->id : "", outputs});
      }
      std::printf("%s", table.empty() ? "  (no resources)\n" : table.render(ctx).c_str());
    }
  });
}

void run_rollback(Context& ctx, const StateOptions& opts)
{
  auto repo = open_existing(ctx);
  const std::string target = value_or_throw(repo->resolve(opts.rev));
  auto then = value_or_throw(repo->snapshot(target));
  auto now = value_or_throw(repo->snapshot());
  std::vector<std::string> stacks;
  if (!opts.stack.empty()) {
    stacks = {opts.stack};
  } else {
    std::set<std::string> names;
    for (const auto& s : value_or_throw(state::load_stacks(then))) {
      names.insert(s);
    }
    for (const auto& s : value_or_throw(state::load_stacks(now))) {
      names.insert(s);
    }
    stacks.assign(names.begin(), names.end());
  }
  std::vector<std::unique_ptr<state::Lock>> locks;
  for (const auto& s : stacks) {
    locks.push_back(value_or_throw(state::acquire_lock(repo, {s, "state rollback", 120})));
  }
  std::size_t changed = 0;
  state::CommitInfo info;
  info.command = "state rollback";
  info.summary = fmt::format("state rollback: restore {} to {}", stacks.size() == 1 ? stacks.front() : "all stacks",
                             target.substr(0, 12));
  info.stack = stacks.size() == 1 ? stacks.front() : "";
  info.trailers = {{"Helios-Restored-From", target}};
  const std::string commit = value_or_throw(repo->commit_retrying(
    [&](const state::Snapshot& snap) -> Result<std::vector<state::Change>> {
      std::vector<state::Change> changes;
      for (const auto& s : stacks) {
        auto more = state::changes_to_match(then, snap, state::stack_dir(s));
        if (!more) {
          return tl::unexpected(more.error());
        }
        changes.insert(changes.end(), more->begin(), more->end());
      }
      changed = changes.size();
      return changes;
    },
    info));
  // The restored state supersedes a journal an interrupted apply left (its records were never on main).
  for (const auto& s : stacks) {
    if (const std::string left = value_or_throw(state::Journal::leftover(*repo, s)); !left.empty()) {
      value_or_throw(repo->delete_ref(state::Journal::ref_for(s), left));
    }
  }
  nlohmann::json doc = {{"restored_from", target}, {"commit", commit}, {"stacks", stacks}, {"files_changed", changed}};
  emit(ctx, doc, [&] {
    if (changed == 0) {
      std::printf("Nothing to roll back: the recorded state already equals %s.\n", target.substr(0, 12).c_str());
    } else {
      std::printf("Restored the recorded state of %s to %s (%zu files) in commit %s.\n"
                  "Run `helios plan` to see what apply would change back.\n",
                  stacks.size() == 1 ? stacks.front().c_str() : "every stack", target.substr(0, 12).c_str(), changed,
                  commit.substr(0, 12).c_str());
    }
  });
}

void run_locks(Context& ctx)
{
  auto repo = open_existing(ctx);
  auto locks = value_or_throw(state::list_locks(*repo));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& l : locks) {
    auto j = l.to_json();
    j["expired"] = l.expired();
    j["holder_alive"] = l.holder_alive();
    list.push_back(j);
  }
  emit(ctx, {{"locks", list}}, [&] {
    if (locks.empty()) {
      std::printf("No locks held.\n");
      return;
    }
    Table table({"id", "scope", "operation", "who", "host", "pid", "started", "lease until", "holder"});
    for (const auto& l : locks) {
      table.add_row({l.id, l.scope, l.operation, l.who, l.host, std::to_string(l.pid), l.started, l.expires,
                     l.holder_alive() ? (l.expired() ? "alive, lease expired" : "alive") : "dead"});
    }
    std::printf("%s", table.render(ctx).c_str());
  });
}

void run_unlock(Context& ctx, const StateOptions& opts)
{
  auto repo = open_existing(ctx);
  auto removed = value_or_throw(state::unlock(*repo, opts.id));
  emit(ctx, {{"unlocked", removed.to_json()}}, [&] {
    std::printf("Removed lock %s of '%s' (%s by %s, pid %ld).\n", removed.id.c_str(), removed.scope.c_str(),
                removed.operation.c_str(), removed.who.c_str(), removed.pid);
  });
}

void run_sync(Context& ctx, const StateOptions& opts, bool push)
{
  auto repo = push ? open_existing(ctx)
                   : value_or_throw(state::Repository::open(ctx.state_path(), state::Repository::OpenMode::create));
  auto lock = value_or_throw(state::acquire_lock(repo, {"state", push ? "state push" : "state pull", 120}));
  auto report = value_or_throw(push ? state::push_state(*repo, opts.remote) : state::pull_state(*repo, opts.remote));
  emit(ctx, report.to_json(), [&] {
    std::printf("%s: %s %s (%s)\n", push ? "push" : "pull", report.outcome.c_str(), opts.remote.c_str(),
                report.after.substr(0, 12).c_str());
  });
}

void setup_state(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<StateOptions>();
  auto* cmd = app.add_subcommand("state", "The state repository: history, contents, rollback, locks, push and pull");
  cmd->require_subcommand(1);
  cmd->footer("Example:\n  helios state log --limit 5\n  helios state show main~1\n  helios state push ../state-backup.git");

  auto* log_cmd = cmd->add_subcommand("log", "State commits, newest first, with command, actor and summary");
  log_cmd->add_option("--limit", opts->limit, "At most this many commits")->default_val(20);
  log_cmd->add_option("--stack", opts->stack, "Only commits that changed this stack");
  log_cmd->footer("Example:\n  helios state log --stack hobby");
  log_cmd->callback([&ctx, opts] { run_log(ctx, *opts); });

  auto* show = cmd->add_subcommand("show", "What state records at a revision (default main): resources and outputs");
  show->add_option("rev", opts->rev, "A state commit, prefix, or main~N");
  show->add_option("--stack", opts->stack, "Only this stack");
  show->footer("Example:\n  helios state show main~1 --stack hobby");
  show->callback([&ctx, opts] { run_show(ctx, *opts); });

  auto* rollback = cmd->add_subcommand("rollback", "A new commit restoring the recorded state of REV; then plan shows what apply changes back");
  rollback->add_option("rev", opts->rev, "The state commit to restore")->required();
  rollback->add_option("--stack", opts->stack, "Only this stack (default: all)");
  rollback->footer("Example:\n  helios state rollback main~2 && helios plan");
  rollback->callback([&ctx, opts] { run_rollback(ctx, *opts); });

  auto* locks = cmd->add_subcommand("locks", "Locks held: id, scope, operation, who, host, pid, start, lease");
  locks->footer("Example:\n  helios state locks --json");
  locks->callback([&ctx] { run_locks(ctx); });

  auto* unlock = cmd->add_subcommand("unlock", "Clear a lock by id (or a unique prefix)");
  unlock->add_option("id", opts->id, "The lock id from `helios state locks`")->required();
  unlock->footer("Example:\n  helios state unlock 3f2a9c1e");
  unlock->callback([&ctx, opts] { run_unlock(ctx, *opts); });

  auto* push = cmd->add_subcommand("push", "Push main to a git remote (path or URL), fast-forward only, same lineage only");
  push->add_option("remote", opts->remote, "A path (created when missing) or a git URL")->required();
  push->footer("Example:\n  helios state push /srv/helios-state.git");
  push->callback([&ctx, opts] { run_sync(ctx, *opts, true); });

  auto* pull = cmd->add_subcommand("pull", "Fast-forward main from a git remote (path or URL) of the same lineage");
  pull->add_option("remote", opts->remote, "A path or a git URL")->required();
  pull->footer("Example:\n  helios state pull /srv/helios-state.git");
  pull->callback([&ctx, opts] { run_sync(ctx, *opts, false); });
}

}  // namespace

HELIOS_COMMAND("state", 60, setup_state);

}  // namespace helios::cli
