#include "core/state/lock.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace helios::state {

namespace {

long long now_unix()
{
  return static_cast<long long>(std::time(nullptr));
}

std::string rfc3339(long long t)
{
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Field 22 of /proc/<pid>/stat: the process start time in clock ticks since boot; empty when gone.
std::string process_start_time(long pid)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) {
    return {};
  }
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) {
    return {};
  }
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) {
      return field;
    }
  }
  return {};
}

std::string render(const LockInfo& info)
{
  return info.to_json().dump(2) + "\n";
}

Result<LockInfo> read_lock(Repository& repo, const std::string& ref, const std::string& record)
{
  auto snap = repo.snapshot(record);
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto text = snap->read("lock.json");
  if (!text) {
    return tl::unexpected(text.error());
  }
  LockInfo info;
  info.ref = ref;
  info.record = record;
  info.scope = ref.substr(std::string(k_lock_prefix).size());
  if (*text) {
    auto doc = nlohmann::json::parse(**text, nullptr, false);
    if (doc.is_object()) {
      info.id = doc.value("id", "");
      info.who = doc.value("who", "");
      info.host = doc.value("host", "");
      info.pid = doc.value("pid", 0L);
      info.process_start = doc.value("process_start", "");
      info.operation = doc.value("operation", "");
      info.started = doc.value("started", "");
      info.expires = doc.value("expires", "");
      info.expires_unix = doc.value("expires_unix", 0LL);
    }
  }
  return info;
}

Result<std::string> write_record(Repository& repo, const LockInfo& info)
{
  return repo.write_detached({{"lock.json", render(info)}},
                             fmt::format("lock: {} held by {} ({})\n", info.scope, info.who, info.operation));
}

ErrorInfo locked_error(const LockInfo& holder, const std::string& path)
{
  ErrorInfo info{ExitCode::locked, "state_locked",
                 fmt::format("state of '{}' is locked by {}", holder.scope, holder.describe()), path,
                 fmt::format("wait for that {} to finish; if it is dead, run `helios state unlock {}`",
                             holder.operation.empty() ? "operation" : holder.operation, holder.id),
                 nlohmann::json::object()};
  info.details["lock"] = holder.to_json();
  return info;
}

}  // namespace

bool LockInfo::expired() const
{
  return expires_unix > 0 && now_unix() > expires_unix;
}

bool LockInfo::holder_alive() const
{
  if (host != host_name()) {
    return true;  // cannot see another host's processes: only the lease tells
  }
  if (pid <= 0) {
    return false;
  }
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) {
    return false;
  }
  const std::string start = process_start_time(pid);
  return start.empty() || process_start.empty() || start == process_start;
}

std::string LockInfo::describe() const
{
  return fmt::format("{} on {} (pid {}, {} since {}, lease until {}, lock id {})", who, host, pid,
                     operation.empty() ? "operation" : operation, started, expires, id);
}

nlohmann::json LockInfo::to_json() const
{
  nlohmann::ordered_json doc;
  doc["id"] = id;
  doc["scope"] = scope;
  doc["who"] = who;
  doc["host"] = host;
  doc["pid"] = pid;
  doc["process_start"] = process_start;
  doc["operation"] = operation;
  doc["started"] = started;
  doc["expires"] = expires;
  doc["expires_unix"] = expires_unix;
  return nlohmann::json(doc);
}

Lock::Lock(std::shared_ptr<Repository> repo, LockInfo info, int lease_seconds)
  : m_repo(std::move(repo)), m_info(std::move(info)), m_lease_seconds(lease_seconds)
{
  m_renewer = std::thread([this] { renew_loop(); });
}

Lock::~Lock()
{
  release();
}

void Lock::renew_loop()
{
  const auto period = std::chrono::milliseconds(std::max(1000, m_lease_seconds * 1000 / 3));
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    if (m_wake.wait_for(lock, period, [this] { return m_stop; })) {
      break;
    }
    LockInfo next = m_info;
    next.expires_unix = now_unix() + m_lease_seconds;
    next.expires = rfc3339(next.expires_unix);
    auto record = write_record(*m_repo, next);
    if (!record) {
      continue;  // try again next period; the lease is still valid for a while
    }
    auto moved = m_repo->update_ref(m_info.ref, *record, m_info.record, "helios: lock renewed");
    if (moved && *moved) {
      next.record = *record;
      m_info = next;
    } else if (moved) {
      m_held = false;  // unlocked or taken over by someone else
      break;
    }
  }
}

void Lock::release()
{
  {
    std::lock_guard lock(m_mutex);
    if (m_stop) {
      return;
    }
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_renewer.joinable()) {
    m_renewer.join();
  }
  if (m_held) {
    (void)m_repo->delete_ref(m_info.ref, m_info.record);
    m_held = false;
  }
}

Result<std::unique_ptr<Lock>> acquire_lock(const std::shared_ptr<Repository>& repo, const LockOptions& options)
{
  LockInfo mine;
  mine.id = new_uuid();
  mine.scope = options.scope.empty() ? "state" : options.scope;
  mine.who = default_actor();
  mine.host = host_name();
  mine.pid = static_cast<long>(::getpid());
  mine.process_start = process_start_time(mine.pid);
  mine.operation = options.operation;
  mine.started = rfc3339(now_unix());
  mine.expires_unix = now_unix() + options.lease_seconds;
  mine.expires = rfc3339(mine.expires_unix);
  mine.ref = std::string(k_lock_prefix) + mine.scope;
  auto record = write_record(*repo, mine);
  if (!record) {
    return tl::unexpected(record.error());
  }
  mine.record = *record;

  for (int attempt = 0; attempt < 8; ++attempt) {
    auto created = repo->update_ref(mine.ref, mine.record, "", "helios: lock " + mine.operation);
    if (!created) {
      return tl::unexpected(created.error());
    }
    if (*created) {
      return std::unique_ptr<Lock>(new Lock(repo, mine, options.lease_seconds));
    }
    auto refs = repo->refs(mine.ref);
    if (!refs) {
      return tl::unexpected(refs.error());
    }
    auto found = refs->find(mine.ref);
    if (found == refs->end()) {
      continue;  // released meanwhile: try again
    }
    auto holder = read_lock(*repo, mine.ref, found->second);
    if (!holder) {
      return tl::unexpected(holder.error());
    }
    const bool same_host = holder->host == mine.host;
    const bool dead = same_host ? !holder->holder_alive() : holder->expired();
    if (!dead) {
      return tl::unexpected(locked_error(*holder, repo->path()));
    }
    auto taken = repo->update_ref(mine.ref, mine.record, holder->record,
                                  "helios: lock taken over from dead holder " + holder->id);
    if (!taken) {
      return tl::unexpected(taken.error());
    }
    if (*taken) {
      auto lock = std::unique_ptr<Lock>(new Lock(repo, mine, options.lease_seconds));
      lock->m_took_over = holder->id;
      return lock;
    }
  }
  return fail(ExitCode::locked, "state_locked", fmt::format("could not take the lock of '{}' (contended)", mine.scope),
              repo->path(), "retry in a moment; `helios state locks` lists the holders");
}

Result<std::vector<LockInfo>> list_locks(Repository& repo)
{
  std::vector<LockInfo> out;
  auto refs = repo.refs(k_lock_prefix);
  if (!refs) {
    return tl::unexpected(refs.error());
  }
  for (const auto& [ref, record] : *refs) {
    auto info = read_lock(repo, ref, record);
    if (!info) {
      return tl::unexpected(info.error());
    }
    out.push_back(std::move(*info));
  }
  return out;
}

Result<LockInfo> unlock(Repository& repo, const std::string& id)
{
  auto locks = list_locks(repo);
  if (!locks) {
    return tl::unexpected(locks.error());
  }
  std::vector<LockInfo> matches;
  for (const auto& info : *locks) {
    if (!id.empty() && info.id.compare(0, id.size(), id) == 0) {
      matches.push_back(info);
    }
  }
  if (matches.size() != 1) {
    return fail(ExitCode::usage, matches.empty() ? "no_such_lock" : "ambiguous_lock",
                matches.empty() ? fmt::format("no lock has id '{}'", id)
                                : fmt::format("'{}' matches {} locks", id, matches.size()),
                repo.path(), "list the locks and their ids with `helios state locks`");
  }
  auto removed = repo.delete_ref(matches.front().ref, matches.front().record);
  if (!removed) {
    return tl::unexpected(removed.error());
  }
  if (!*removed) {
    return fail(ExitCode::locked, "state_changed",
                fmt::format("the lock of '{}' changed while unlocking it", matches.front().scope), repo.path(),
                "run `helios state locks` again");
  }
  return matches.front();
}

}  // namespace helios::state
