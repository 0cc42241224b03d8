#include "core/apply.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/state/journal.hpp"

namespace helios {

namespace {

using state::ResourceRecord;

std::string past_tense(ActionType type)
{
  switch (type) {
  case ActionType::create:
    return "created";
  case ActionType::update:
    return "updated";
  case ActionType::remove:
    return "deleted";
  case ActionType::replace:
    return "replaced";
  case ActionType::move:
    return "moved";
  case ActionType::noop:
    return "unchanged";
  }
  return "";
}

class Engine {
public:
  Engine(state::Journal& journal, const Plan& plan, const ProviderLookup& providers, const CredentialsLookup& credentials,
         const ApplyOptions& options, state::Lock& lock)
    : m_journal(journal), m_plan(plan), m_providers(providers), m_credentials(credentials), m_options(options),
      m_lock(lock), m_actor(options.actor.empty() ? state::default_actor() : options.actor), m_digest(plan.digest())
  {
  }

  ApplyReport run();

private:
  // An intent: written (and waited for) before the provider call.
  Result<void> write(const ResourceRecord& record, const std::string& what);
  // A result: queued for the next journal commit; a crash before it is recovered from the intent.
  Result<void> post(const ResourceRecord& record, const std::string& what);
  Result<void> erase(const std::string& address, const std::string& what);
  // What every provider call needs: the provider's adapter and the credentials of one of its accounts.
  struct Connection {
    Provider* adapter = nullptr;
    Credentials credentials;
  };
  Result<Connection> connect(const std::string& provider, const std::string& account);
  Result<void> execute(const PlannedAction& action);
  state::CommitInfo commit_info(const std::string& what) const;  // summary "<command>: <stack>: <what>"
  Result<void> journal(const std::string& address, std::optional<std::string> text, const std::string& what, bool wait);
  // Intent, the provider call, result (each a journal commit): what create and update share.
  Result<void> recorded_call(const PlannedAction& a, ResourceRecord rec, const std::string& verb, const std::string& past,
                             const std::function<Result<Resource>(Provider&, const Credentials&)>& call);
  Result<void> do_create(const PlannedAction& a, ResourceRecord rec);
  Result<void> do_update(const PlannedAction& a);
  Result<void> do_remove(const PlannedAction& a);
  Result<void> do_replace(const PlannedAction& a);
  Result<void> do_move(const PlannedAction& a);
  void emit(const ApplyEvent& event);
  Result<void> finish_commit(const ApplyReport& report);

  state::Journal& m_journal;
  const Plan& m_plan;
  const ProviderLookup& m_providers;
  const CredentialsLookup& m_credentials;
  const ApplyOptions& m_options;
  state::Lock& m_lock;
  std::string m_actor;
  std::string m_digest;
  std::mutex m_event_mutex;
  std::mutex m_provider_mutex;
};

ResourceRecord record_for(const DesiredResource& d, std::optional<ResourceRecord> before)
{
  ResourceRecord rec = before.value_or(ResourceRecord{});
  rec.address = d.address;
  rec.workload = d.workload;
  rec.replica = d.replica;
  rec.kind = d.spec.kind;
  rec.provider = d.provider;
  rec.offering = d.offering;
  rec.account = d.account;
  rec.region = d.region;
  rec.spec = state::to_json(d.spec);
  rec.depends_on = d.depends_on;
  if (rec.created.empty()) {
    rec.created = state::now_rfc3339();
  }
  return rec;
}

state::CommitInfo Engine::commit_info(const std::string& what) const
{
  state::CommitInfo info;
  info.command = m_options.command;
  info.summary = fmt::format("{}: {}: {}", m_options.command, m_plan.stack, what);
  info.stack = m_plan.stack;
  info.plan_digest = m_digest;
  info.actor = m_actor;
  return info;
}

// Intents and results go to the stack's journal (a side ref); main gets the one commit of finish_commit.
// Several workers write at once; the journal groups their records into one commit.
Result<void> Engine::journal(const std::string& address, std::optional<std::string> text, const std::string& what,
                             bool wait)
{
  if (!m_lock.held()) {
    return fail(ExitCode::locked, "lock_lost", fmt::format("the lock of stack '{}' was cleared while applying", m_plan.stack),
                m_journal.stack(), "someone ran `helios state unlock`; re-run apply to converge");
  }
  std::vector<state::Change> change{{state::resource_path(m_plan.stack, address), std::move(text)}};
  if (wait) {
    return m_journal.write(change, commit_info(what));
  }
  m_journal.post(change, commit_info(what));
  return {};
}

Result<void> Engine::write(const ResourceRecord& record, const std::string& what)
{
  return journal(record.address, state::render_record(record), what, true);
}

Result<void> Engine::post(const ResourceRecord& record, const std::string& what)
{
  return journal(record.address, state::render_record(record), what, false);
}

Result<void> Engine::erase(const std::string& address, const std::string& what)
{
  return journal(address, std::nullopt, what, false);
}

Result<Engine::Connection> Engine::connect(const std::string& provider, const std::string& account)
{
  std::lock_guard lock(m_provider_mutex);
  Provider* adapter = m_providers ? m_providers(provider) : nullptr;
  if (!adapter) {
    return fail(ExitCode::runtime, "unknown_provider", fmt::format("no adapter for provider '{}'", provider), provider,
                "`helios catalog` lists the providers this helios drives");
  }
  if (!m_credentials) {
    return Connection{adapter, Credentials{}};
  }
  auto credentials = m_credentials(provider, account);
  if (!credentials) {
    return tl::unexpected(credentials.error());
  }
  return Connection{adapter, std::move(*credentials)};
}

void Engine::emit(const ApplyEvent& event)
{
  if (m_options.on_event) {
    std::lock_guard lock(m_event_mutex);
    m_options.on_event(event);
  }
}

Result<void> Engine::recorded_call(const PlannedAction& a, ResourceRecord rec, const std::string& verb,
                                   const std::string& past,
                                   const std::function<Result<Resource>(Provider&, const Credentials&)>& call)
{
  const DesiredResource& d = *a.after;
  rec.status = "pending";
  rec.intent = state::Intent{verb, state::now_rfc3339(), m_actor, d.provider};
  if (auto ok = write(rec, "intent " + verb + " " + a.address); !ok) {
    return ok;
  }
  auto conn = connect(d.provider, d.account);
  if (!conn) {
    return tl::unexpected(conn.error());
  }
  auto made = call(*conn->adapter, conn->credentials);
  if (!made) {
    rec.status = "failed";
    (void)post(rec, verb + " failed " + a.address);
    return tl::unexpected(made.error());
  }
  rec.resource = *made;
  rec.status = "ready";
  rec.intent.reset();
  rec.spec_digest = state::spec_digest(d.spec);
  rec.updated = state::now_rfc3339();
  return post(rec, past + " " + a.address);
}

Result<void> Engine::do_create(const PlannedAction& a, ResourceRecord rec)
{
  // A create is planned only when nothing exists at the provider (no resource recorded, or the recorded
  // one was deleted outside helios): the record must not keep pointing at a resource that is gone, even
  // when this create fails.
  rec.resource.reset();
  return recorded_call(a, std::move(rec), "create", "created",
                       [&](Provider& p, const Credentials& c) { return p.create(a.after->spec, c); });
}

Result<void> Engine::do_update(const PlannedAction& a)
{
  return recorded_call(a, record_for(*a.after, a.before), "update", "updated", [&](Provider& p, const Credentials& c) {
    return p.update(*a.before->resource, a.after->spec, c);
  });
}

Result<void> Engine::do_remove(const PlannedAction& a)
{
  ResourceRecord rec = *a.before;
  if (a.deposed) {
    const Resource old = *rec.deposed;
    auto conn = connect(old.provider, rec.account);
    if (!conn) {
      return tl::unexpected(conn.error());
    }
    if (auto ok = conn->adapter->remove(old, conn->credentials); !ok) {
      return ok;
    }
    rec.deposed.reset();
    return post(rec, "deleted deposed " + a.address);
  }
  if (rec.resource) {
    rec.status = "pending";
    rec.intent = state::Intent{"delete", state::now_rfc3339(), m_actor, ""};
    if (auto ok = write(rec, "intent delete " + a.address); !ok) {
      return ok;
    }
    auto conn = connect(rec.provider, rec.account);
    if (!conn) {
      return tl::unexpected(conn.error());
    }
    if (auto ok = conn->adapter->remove(*rec.resource, conn->credentials); !ok) {
      rec.status = "failed";
      (void)post(rec, "delete failed " + a.address);
      return ok;
    }
  }
  return erase(a.address, "deleted " + a.address);
}

Result<void> Engine::do_replace(const PlannedAction& a)
{
  ResourceRecord rec = record_for(*a.after, a.before);
  if (a.before && a.before->resource) {
    rec.status = "pending";
    rec.intent = state::Intent{"replace", state::now_rfc3339(), m_actor, a.after->provider};
    if (auto ok = write(rec, "intent replace " + a.address); !ok) {
      return ok;
    }
    const Resource old = *a.before->resource;
    auto conn = connect(a.before->provider, a.before->account);
    if (!conn) {
      return tl::unexpected(conn.error());
    }
    if (auto ok = conn->adapter->remove(old, conn->credentials); !ok) {
      return ok;
    }
    rec.resource.reset();
  }
  return do_create(a, rec);
}

Result<void> Engine::do_move(const PlannedAction& a)
{
  const DesiredResource& d = *a.after;
  ResourceRecord rec = *a.before;
  rec.intent = state::Intent{"move", state::now_rfc3339(), m_actor, d.provider};
  if (auto ok = write(rec, "intent move " + a.address + " to " + d.provider); !ok) {
    return ok;
  }
  auto conn = connect(d.provider, d.account);
  if (!conn) {
    return tl::unexpected(conn.error());
  }
  auto made = conn->adapter->create(d.spec, conn->credentials);
  if (!made) {
    return tl::unexpected(made.error());
  }
  // Health check of the new one before cutting over.
  bool healthy = false;
  for (int attempt = 0; attempt < 30 && !healthy; ++attempt) {
    auto h = conn->adapter->healthy(*made);
    healthy = h && *h;
    if (!healthy) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  if (!healthy) {
    (void)conn->adapter->remove(*made, conn->credentials);
    rec.intent.reset();
    (void)post(rec, "move aborted " + a.address);
    return fail(ExitCode::runtime, "health_check_failed",
                fmt::format("the new {} at {} failed its health check; the old one keeps serving", a.address, d.provider),
                d.provider, "check the workload's runtime and health path");
  }
  // Cut over: the record points at the new resource; the old one is deposed until deleted.
  const std::string old_provider = rec.provider;
  const std::string old_account = rec.account;
  ResourceRecord next = record_for(d, rec);
  next.deposed = rec.resource;
  next.resource = *made;
  next.status = "ready";
  next.intent.reset();
  next.spec_digest = state::spec_digest(d.spec);
  next.updated = state::now_rfc3339();
  if (auto ok = write(next, "cut over " + a.address + " to " + d.provider); !ok) {
    return ok;
  }
  auto old_conn = connect(old_provider, old_account);
  if (!old_conn) {
    return tl::unexpected(old_conn.error());
  }
  if (auto ok = old_conn->adapter->remove(*next.deposed, old_conn->credentials); !ok) {
    return ok;
  }
  next.deposed.reset();
  return post(next, "moved " + a.address + " to " + d.provider);
}

Result<void> Engine::execute(const PlannedAction& a)
{
  switch (a.type) {
  case ActionType::create:
    return do_create(a, record_for(*a.after, a.before));
  case ActionType::update:
    return do_update(a);
  case ActionType::remove:
    return do_remove(a);
  case ActionType::replace:
    return do_replace(a);
  case ActionType::move:
    return do_move(a);
  case ActionType::noop:
    return {};
  }
  return {};
}

// The stack's stack.json, written last into the journal, then the journal folded into main: the one
// commit of this command.
Result<void> Engine::finish_commit(const ApplyReport& report)
{
  std::map<std::string, int> counts;
  for (const auto& o : report.outcomes) {
    if (o.status == "done") {
      counts[past_tense(*parse_action(o.action))]++;
    }
  }
  std::string parts;
  for (const auto& [k, v] : counts) {
    parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", v, k);
  }
  if (report.failed) {
    parts += fmt::format("{}{} failed", parts.empty() ? "" : ", ", report.failed);
  }
  if (report.not_started) {
    parts += fmt::format("{}{} not started", parts.empty() ? "" : ", ", report.not_started);
  }
  state::CommitInfo info = commit_info("");
  info.summary = fmt::format("{}: {} ({})", m_options.command, m_plan.stack, parts.empty() ? "no changes" : parts);
  info.trailers = {{"Helios-Outcome", report.ok() ? "ok" : "partial"}};

  if (auto flushed = m_journal.flush(); !flushed) {  // the results still queued
    return flushed;
  }
  auto snap = m_journal.snapshot();
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto records = state::load_records(*snap, m_plan.stack);
  if (!records) {
    return tl::unexpected(records.error());
  }
  const std::string meta_path = state::stack_meta_path(m_plan.stack);
  std::optional<std::string> meta_text;
  if (!records->empty()) {
    nlohmann::ordered_json doc;
    doc["stack"] = m_plan.stack;
    doc["manifest"] = {{"file", m_plan.manifest_file}, {"digest", m_plan.manifest_digest}};
    doc["last_command"] = m_options.command;
    doc["last_plan_digest"] = m_digest;
    doc["last_outcome"] = report.ok() ? "ok" : "partial";
    doc["resources"] = records->size();
    doc["updated"] = state::now_rfc3339();
    meta_text = doc.dump(2) + "\n";
  }
  if (meta_text || !snap->object_id(meta_path).empty()) {
    if (auto ok = m_journal.write({{meta_path, meta_text}}, info); !ok) {
      return ok;
    }
  }
  auto folded = m_journal.fold(info);
  if (!folded) {
    return tl::unexpected(folded.error());
  }
  return {};
}

ApplyReport Engine::run()
{
  ApplyReport report;
  report.stack = m_plan.stack;
  report.plan_digest = m_digest;
  const auto& actions = m_plan.actions;
  const std::size_t n = actions.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) {
    index[actions[i].address + (actions[i].deposed ? "#deposed" : "")] = i;
  }
  enum class Status { pending, running, done, failed };
  std::vector<Status> status(n, Status::pending);
  std::vector<int> waiting(n, 0);
  std::vector<std::vector<std::size_t>> dependents(n);
  std::vector<ActionOutcome> outcomes(n);
  int total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    outcomes[i].address = actions[i].address;
    outcomes[i].action = std::string(action_name(actions[i].type));
    outcomes[i].reason = actions[i].reason;
    if (actions[i].type != ActionType::noop) {
      ++total;
    }
    for (const auto& dep : actions[i].depends_on) {
      auto found = index.find(dep);
      if (found != index.end() && found->second != i) {
        ++waiting[i];
        dependents[found->second].push_back(i);
      }
    }
  }
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::size_t> ready;
  int running = 0;
  bool failed = false;
  int finished = 0;
  // No-ops are done from the start.
  std::function<void(std::size_t)> settle_ok = [&](std::size_t i) {
    status[i] = Status::done;
    for (std::size_t j : dependents[i]) {
      if (--waiting[j] == 0 && status[j] == Status::pending) {
        if (actions[j].type == ActionType::noop) {
          settle_ok(j);
        } else {
          ready.push_back(j);
        }
      }
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0 && status[i] == Status::pending) {
      if (actions[i].type == ActionType::noop) {
        settle_ok(i);
      } else {
        ready.push_back(i);
      }
    }
  }
  auto worker = [&] {
    std::unique_lock lk(m);
    for (;;) {
      cv.wait(lk, [&] { return failed || !ready.empty() || running == 0; });
      if (failed || ready.empty()) {
        break;
      }
      const std::size_t i = ready.front();
      ready.pop_front();
      status[i] = Status::running;
      ++running;
      lk.unlock();
      emit({actions[i].address, outcomes[i].action, "start", actions[i].reason, finished, total});
      const auto t0 = std::chrono::steady_clock::now();
      auto result = execute(actions[i]);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      lk.lock();
      --running;
      ++finished;
      outcomes[i].seconds = seconds;
      if (result) {
        outcomes[i].status = "done";
        settle_ok(i);
      } else {
        outcomes[i].status = "failed";
        outcomes[i].error = result.error().message;
        status[i] = Status::failed;
        failed = true;  // no new action starts; those in flight finish
      }
      const int done_now = finished;
      lk.unlock();
      emit({actions[i].address, outcomes[i].action, result ? "done" : "failed",
            result ? past_tense(actions[i].type) : result.error().message, done_now, total});
      lk.lock();
      cv.notify_all();
    }
    cv.notify_all();
  };
  const int threads = std::max(1, std::min<int>(m_options.parallelism, std::max(1, total)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  for (auto& t : pool) {
    t.join();
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (actions[i].type == ActionType::noop) {
      continue;
    }
    if (outcomes[i].status.empty()) {
      outcomes[i].status = "not_started";
    }
    report.done += outcomes[i].status == "done";
    report.failed += outcomes[i].status == "failed";
    report.not_started += outcomes[i].status == "not_started";
    report.outcomes.push_back(outcomes[i]);
  }
  if (total > 0 || m_journal.pending()) {  // a no-op run still folds the journal a crashed run left
    if (auto ok = finish_commit(report); !ok) {
      ActionOutcome o;
      o.address = "(state)";
      o.action = "commit";
      o.status = "failed";
      o.error = ok.error().message;
      report.outcomes.push_back(o);
      report.failed += 1;
    }
  }
  return report;
}

}  // namespace

Result<std::unique_ptr<state::Lock>> lock_stack(const std::shared_ptr<state::Repository>& repo, const std::string& stack,
                                                const std::string& operation, int lease_seconds)
{
  return state::acquire_lock(repo, {stack, operation, lease_seconds});
}

Result<ApplyReport> apply_plan(const std::shared_ptr<state::Repository>& repo, const Plan& plan,
                               const ProviderLookup& providers, const CredentialsLookup& credentials,
                               const ApplyOptions& options, state::Lock* held)
{
  std::unique_ptr<state::Lock> own;
  if (!held) {
    auto lock = lock_stack(repo, plan.stack, options.command, options.lock_lease_seconds);
    if (!lock) {
      return tl::unexpected(lock.error());
    }
    own = std::move(*lock);
    held = own.get();
  }
  // The stack's recorded state: main's, or the journal a crashed command left (adopted here).
  auto journal = state::Journal::open(repo, plan.stack);
  if (!journal) {
    return tl::unexpected(journal.error());
  }
  auto snap = journal->snapshot();
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto meta = snap->meta();
  if (!meta) {
    return tl::unexpected(meta.error());
  }
  if (!plan.lineage.empty() && plan.lineage != meta->lineage) {
    return fail(ExitCode::locked, "state_changed",
                fmt::format("the plan was made against another state repository (lineage {}, this one {})", plan.lineage,
                            meta->lineage),
                repo->path(), "re-plan against this state with `helios plan -o plan.json`");
  }
  const std::string tree_now = snap->object_id(state::stack_dir(plan.stack));
  if (tree_now != plan.state_tree) {
    ErrorInfo info = state::state_changed_error(repo->path(), plan.state_commit, snap->commit());
    info.message = fmt::format("state changed underneath: the plan was computed from state commit {}, and stack '{}' "
                               "has changed since (main is now {})",
                               plan.state_commit.substr(0, 12), plan.stack, snap->commit().substr(0, 12));
    info.hint = "re-plan with `helios plan -o plan.json` and apply the new plan";
    return tl::unexpected(info);
  }
  Engine engine(*journal, plan, providers, credentials, options, *held);
  ApplyReport report = engine.run();
  auto tip = repo->tip();
  report.state_commit = tip ? *tip : std::string();
  report.took_over_lock = held->took_over();
  return report;
}

nlohmann::json to_json(const ApplyReport& report)
{
  nlohmann::json outcomes = nlohmann::json::array();
  for (const auto& o : report.outcomes) {
    nlohmann::json x = {{"address", o.address}, {"action", o.action}, {"status", o.status},
                        {"reason", o.reason},   {"seconds", o.seconds}};
    x["error"] = o.error.empty() ? nlohmann::json() : nlohmann::json(o.error);
    outcomes.push_back(x);
  }
  return {{"stack", report.stack},
          {"ok", report.ok()},
          {"state_commit", report.state_commit},
          {"plan_digest", report.plan_digest},
          {"summary", {{"done", report.done}, {"failed", report.failed}, {"not_started", report.not_started}}},
          {"took_over_lock", report.took_over_lock.empty() ? nlohmann::json() : nlohmann::json(report.took_over_lock)},
          {"actions", outcomes}};
}

}  // namespace helios
