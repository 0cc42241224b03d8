#pragma once
// Lock refs (docs/state.md "Locks"): a long operation holds refs/helios/locks/<scope> — a commit outside
// main whose lock.json says who holds it (id, who, host, pid, operation, start, lease expiry). The ref is
// created by compare-and-swap from "absent", so exactly one process holds a scope. The holder renews
// the lease in the background; a lock whose holder is provably dead (same host, pid gone or reused), or
// whose lease expired while held from another host, is taken over by compare-and-swap from the dead
// holder's record, so two would-be successors cannot both win.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/state/repository.hpp"

namespace helios::state {

inline constexpr const char* k_lock_prefix = "refs/helios/locks/";

struct LockInfo {
  std::string id;             // UUID; `helios state unlock ID` names it
  std::string scope;          // the stack (or another module's scope, e.g. "ledger")
  std::string who;            // actor (user@host or $HELIOS_ACTOR)
  std::string host;
  long pid = 0;
  std::string process_start;  // the holder's start time in clock ticks (recognises pid reuse)
  std::string operation;      // apply, destroy, state rollback, …
  std::string started;        // RFC 3339 UTC
  std::string expires;        // RFC 3339 UTC: the lease end, renewed while the holder lives
  long long expires_unix = 0;
  std::string ref;
  std::string record;         // the lock record commit
  [[nodiscard]] bool expired() const;
  // On this host: whether the holder process is still running. Other hosts: assumed alive.
  [[nodiscard]] bool holder_alive() const;
  [[nodiscard]] std::string describe() const;  // "root@box (pid 42, apply since …, lease until …, lock id …)"
  [[nodiscard]] nlohmann::json to_json() const;
};

struct LockOptions {
  std::string scope;
  std::string operation;
  int lease_seconds = 120;      // renewed every lease/3 seconds while held
};

class Lock {
public:
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  [[nodiscard]] const LockInfo& info() const { return m_info; }
  [[nodiscard]] const std::string& took_over() const { return m_took_over; }  // id of a dead holder's lock, or empty
  // False once another process removed or took over the lock (`state unlock`).
  [[nodiscard]] bool held() const { return m_held.load(); }
  // Releases now (also done by the destructor).
  void release();

private:
  friend Result<std::unique_ptr<Lock>> acquire_lock(const std::shared_ptr<Repository>& repo, const LockOptions& options);
  Lock(std::shared_ptr<Repository> repo, LockInfo info, int lease_seconds);
  void renew_loop();

  std::shared_ptr<Repository> m_repo;
  LockInfo m_info;
  std::string m_took_over;
  int m_lease_seconds;
  std::atomic<bool> m_held{true};
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_renewer;
};

// Takes the lock of `options.scope`; exit 5 (code "state_locked") naming the holder when it is held.
Result<std::unique_ptr<Lock>> acquire_lock(const std::shared_ptr<Repository>& repo, const LockOptions& options);
// Every lock currently held, sorted by scope.
Result<std::vector<LockInfo>> list_locks(Repository& repo);
// Clears the lock with this id (or unique id prefix); exit 2 when no lock has it.
Result<LockInfo> unlock(Repository& repo, const std::string& id);

}  // namespace helios::state
