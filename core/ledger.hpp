#pragma once
// The quota ledger: usage per provider × account × pool × dimension × window, with each provider's real
// reset rule (core/ledger_window.hpp), the limits it is measured against, what rate-limit headers said,
// cooldowns and recent rotations. Hot counters live in SQLite (`ledger.db` inside the state directory:
// WAL mode, a busy timeout, excluded from git); snapshots (to_json) are committed to the state repository
// by `helios quota sync`, checkpoints and apply. Several processes share one ledger: every change runs in
// an IMMEDIATE transaction, so concurrent reservations never exceed a limit in total. See docs/ledger.md.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/ledger_time.hpp"
#include "core/ledger_window.hpp"
#include "core/placement.hpp"
#include "core/signal.hpp"

struct sqlite3;

namespace helios {

// Whose quota: a provider account's pool (an offering id, or a pool several offerings share).
struct QuotaOwner {
  std::string provider;
  std::string account = "default";
  std::string pool;
  bool operator<(const QuotaOwner& o) const
  {
    return std::tie(provider, account, pool) < std::tie(o.provider, o.account, o.pool);
  }
  bool operator==(const QuotaOwner&) const = default;
};

// A limit the ledger measures usage against.
struct QuotaLimit {
  QuotaOwner owner;
  std::string dimension;
  Window window;
  double amount = 0;
  std::string source = "catalog";  // catalog | headers | usage-api | recorded
};

struct Cooldown {
  QuotaOwner owner;
  SignalKind kind = SignalKind::transient;
  EpochMs available_at = 0;
  EpochMs since = 0;
  std::string detail;
};

struct Rotation {
  EpochMs at = 0;
  std::string workload;
  std::string from;          // offering or provider left, may be empty
  std::string to;            // offering chosen, empty when none
  std::string reason;
  bool granted = false;
  EpochMs next_available_at = 0;
};

// One line of `helios quota`: a window of a dimension of a pool, now.
struct QuotaLine {
  QuotaOwner owner;
  std::string dimension;
  Window window;
  double used = 0;
  std::optional<double> limit;
  std::string source = "recorded";
  EpochMs window_start = 0;
  EpochMs resets_at = 0;
  // The provider's own view from its last rate-limit headers in this window.
  std::optional<double> observed_limit;
  std::optional<double> observed_remaining;
  std::optional<EpochMs> observed_reset_at;
  EpochMs observed_at = 0;
};

// Whether a pool can take `want` now, and if not, until when.
struct Headroom {
  bool fits = true;
  double fraction_left = 1;       // the smallest (limit − used − want)/limit over known limits; 1 if none
  EpochMs blocked_until = 0;      // when it fits again (0: fits, or never within the data)
  std::string why;                // "requests/day 1000/1000 used until 2026-11-27T00:00:00Z"
};

struct ReservationItem {
  std::string dimension;
  double amount = 0;
};

class Ledger {
public:
  // Opens (creating when needed) <state_dir>/ledger.db. The directory is created if missing; when it is a
  // git repository, ledger.db* is added to .git/info/exclude.
  static Result<std::unique_ptr<Ledger>> open(const std::string& state_dir);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  [[nodiscard]] const std::string& path() const { return m_path; }

  // Runs fn inside BEGIN IMMEDIATE … COMMIT (rolled back when fn fails or throws). Busy waits are
  // retried until the busy timeout (30 s) — contention never surfaces as an error before that.
  Result<void> transaction(const std::function<Result<void>()>& fn);

  // Limits: upserted (catalog on every rotate/quota, headers as they come).
  Result<void> set_limit(const QuotaLimit& limit);
  Result<std::vector<QuotaLimit>> limits(const QuotaOwner& owner);
  Result<std::vector<QuotaLimit>> all_limits();

  // Adds usage to every window tracked for (owner, dimension) (its limits' windows; UTC day and month
  // when it has none). `amount` may be negative (a settlement), never taking a bucket below zero.
  Result<void> add_usage(const QuotaOwner& owner, const std::string& dimension, double amount, EpochMs when);
  // Sets the usage of the window containing `when` to an absolute value (provider usage APIs).
  Result<void> set_usage(const QuotaOwner& owner, const std::string& dimension, const Window& window, double used,
                         EpochMs when);
  // Usage in the window containing `now`.
  Result<double> used(const QuotaOwner& owner, const std::string& dimension, const Window& window, EpochMs now);

  // Rate-limit headers: the provider's view (limit, remaining, reset) of a dimension/window.
  Result<void> observe(const QuotaOwner& owner, const LimitObservation& observation, EpochMs now);

  // Whether owner can take `want` now against its limits, observations and cooldown.
  Result<Headroom> headroom(const QuotaOwner& owner, const std::vector<ReservationItem>& want, EpochMs now);

  // Reserves `items` for owner (adds the usage) and returns the reservation id; settle replaces reserved
  // amounts with what was actually used (only the dimensions given).
  Result<std::int64_t> reserve(const QuotaOwner& owner, const std::vector<ReservationItem>& items, EpochMs now,
                               const std::string& workload);
  Result<QuotaOwner> settle(std::int64_t reservation, const std::vector<ReservationItem>& actual, EpochMs now);

  // The owner `quota record --provider P [--pool X]` means: the named pool, else the provider's only pool
  // in the ledger, else the provider itself. Several pools and none named: exit 2 listing them.
  Result<QuotaOwner> owner_for(const std::string& provider, const std::string& account, const std::string& pool);

  // Feeds a provider response into the ledger for owner: classifies it (with the owner's daily reset and
  // quota period), stores its rate-limit observations, and cools the owner until available_at — or
  // clears a cooldown when the answer was ok and nothing is empty.
  Result<Signal> apply_response(const QuotaOwner& owner, const RawResponse& response, EpochMs now);
  // The signal context of an owner: its next daily reset and when an exhausted quota returns.
  Result<SignalContext> signal_context(const QuotaOwner& owner, EpochMs now);

  // Cooldowns: a new one never shortens one in force (LiteLLM #40130); ok signals clear transient ones.
  Result<void> cool(const Cooldown& cooldown);
  Result<void> clear_cooldown(const QuotaOwner& owner);
  Result<std::optional<Cooldown>> cooldown(const QuotaOwner& owner, EpochMs now);
  Result<std::vector<Cooldown>> cooldowns(EpochMs now);

  Result<void> record_rotation(const Rotation& rotation);
  Result<std::vector<Rotation>> rotations(int limit);

  // What the placement must leave room for (RecordedUsage in core/placement.hpp): the usage of every
  // tracked window now.
  Result<std::vector<RecordedUsage>> recorded_usage(EpochMs now);

  // Every tracked window now: limits joined with usage and observations, sorted.
  Result<std::vector<QuotaLine>> report(EpochMs now);
  // The document `helios quota --json` prints (docs/schemas/quota.schema.json) and snapshots hold.
  Result<nlohmann::json> to_json(EpochMs now, int rotation_limit = 20);

  // Drops buckets of windows that ended more than `keep_ms` ago.
  Result<void> prune(EpochMs now, EpochMs keep_ms = 40LL * 86'400'000);

  // A key/value cache for callers (rotate keeps its pool table fingerprint here).
  Result<std::optional<std::string>> meta(const std::string& key);
  Result<void> set_meta(const std::string& key, const std::string& value);

  // Raw access for the few callers that keep their own tables in the same database (rotate pools).
  [[nodiscard]] sqlite3* handle() const { return m_db; }

private:
  Ledger() = default;
  // SQLite's WAL hook: counts the log's frames after each commit and checkpoints long logs.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);
  Result<void> exec(const std::string& sql);
  Result<std::vector<Window>> tracked_windows(const QuotaOwner& owner, const std::string& dimension);

  sqlite3* m_db = nullptr;
  std::string m_path;
  int m_depth = 0;
  int m_wal_frames = 0;  // frames in the WAL after this connection's last commit
};

nlohmann::json to_json(const QuotaLine& line);
nlohmann::json to_json(const Cooldown& cooldown);
nlohmann::json to_json(const Rotation& rotation);

}  // namespace helios
