#include "core/ledger.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sqlite3.h>

#include <fmt/format.h>

#include "core/ledger_sqlite.hpp"

namespace helios {

namespace fs = std::filesystem;
using sql::Statement;

namespace {

constexpr int k_schema_version = 2;
constexpr int k_busy_timeout_ms = 30'000;

constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS limits(
  provider TEXT NOT NULL, account TEXT NOT NULL, pool TEXT NOT NULL, dimension TEXT NOT NULL,
  period TEXT NOT NULL, reset TEXT NOT NULL, amount REAL NOT NULL, source TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY(provider, account, pool, dimension, period)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage(
  provider TEXT NOT NULL, account TEXT NOT NULL, pool TEXT NOT NULL, dimension TEXT NOT NULL,
  period TEXT NOT NULL, reset TEXT NOT NULL, bucket INTEGER NOT NULL, used REAL NOT NULL,
  PRIMARY KEY(provider, account, pool, dimension, period, reset, bucket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS observations(
  provider TEXT NOT NULL, account TEXT NOT NULL, pool TEXT NOT NULL, dimension TEXT NOT NULL, period TEXT NOT NULL,
  limit_value REAL, remaining REAL, reset_at INTEGER, observed_at INTEGER NOT NULL, header TEXT NOT NULL,
  PRIMARY KEY(provider, account, pool, dimension, period)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cooldowns(
  provider TEXT NOT NULL, account TEXT NOT NULL, pool TEXT NOT NULL, kind TEXT NOT NULL,
  available_at INTEGER NOT NULL, since INTEGER NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY(provider, account, pool)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reservations(
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, provider TEXT NOT NULL, account TEXT NOT NULL,
  pool TEXT NOT NULL, workload TEXT NOT NULL, items TEXT NOT NULL, settled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS rotations(
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, workload TEXT NOT NULL, from_offering TEXT NOT NULL,
  to_offering TEXT NOT NULL, reason TEXT NOT NULL, granted INTEGER NOT NULL, next_available_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pools(
  workload TEXT NOT NULL, ord INTEGER NOT NULL, offering TEXT NOT NULL, provider TEXT NOT NULL, account TEXT NOT NULL,
  pool TEXT NOT NULL, model TEXT NOT NULL, base_url TEXT NOT NULL, credential_env TEXT NOT NULL, weight REAL NOT NULL,
  PRIMARY KEY(workload, ord)) WITHOUT ROWID;
)sql";

Result<Window> window_of(const std::string& period, const std::string& reset)
{
  const auto p = parse_period(period == "static" ? std::string("static") : period);
  if (!p) {
    return fail(ExitCode::runtime, "ledger_error", fmt::format("ledger row has an unknown period '{}'", period));
  }
  auto rule = reset_rule_from_name(reset);
  if (!rule) {
    return tl::unexpected(rule.error());
  }
  return Window{*p, *rule};
}

std::string period_text(Period p)
{
  return std::string(period_name(p));
}

nlohmann::json time_or_null(EpochMs t)
{
  return t > 0 ? nlohmann::json(format_rfc3339(t)) : nlohmann::json(nullptr);
}

void add_git_exclude(const fs::path& state_dir)
{
  // A bare state repository (HEAD and objects/ in the directory itself) or a work tree with .git/.
  std::error_code ec;
  fs::path git = state_dir / ".git";
  if (!fs::is_directory(git, ec)) {
    if (!fs::exists(state_dir / "HEAD", ec) || !fs::is_directory(state_dir / "objects", ec)) {
      return;
    }
    git = state_dir;
  }
  const fs::path exclude = git / "info" / "exclude";
  std::string text;
  if (std::ifstream in(exclude); in) {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (text.find("ledger.db") != std::string::npos) {
    return;
  }
  fs::create_directories(exclude.parent_path(), ec);
  std::ofstream out(exclude, std::ios::app);
  out << (text.empty() || text.back() == '\n' ? "" : "\n") << "# helios: the ledger's hot counters (snapshots are committed)\nledger.db\nledger.db-*\n";
}

}  // namespace

namespace {
// A new process rebuilds the WAL index by reading every frame of the log (~5,000 instructions a frame),
// and once the log is over SQLite's 1,000-frame autocheckpoint mark, every commit copies it all back. So
// the log is kept short: a connection that leaves more than k_wal_truncate_frames truncates it at close
// (without waiting: when other connections are busy, a later process does it), and a long-lived one
// checkpoints it every k_wal_checkpoint_frames like SQLite's default.
constexpr int k_wal_truncate_frames = 256;
constexpr int k_wal_checkpoint_frames = 1000;
}  // namespace

int Ledger::on_wal_commit(void* self, sqlite3* db, const char*, int frames)
{
  static_cast<Ledger*>(self)->m_wal_frames = frames;
  if (frames >= k_wal_checkpoint_frames) {
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

Ledger::~Ledger()
{
  if (m_db) {
    sql::forget(m_db);
    if (m_wal_frames > k_wal_truncate_frames) {
      sqlite3_busy_timeout(m_db, 0);
      sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }
    sqlite3_close_v2(m_db);
  }
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& state_dir)
{
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) {
    return fail(ExitCode::runtime, "state_io", fmt::format("cannot create the state directory {}: {}", state_dir, ec.message()),
                state_dir, "check the path and its permissions, or pass --state DIR");
  }
  std::unique_ptr<Ledger> ledger(new Ledger());
  ledger->m_path = (fs::path(state_dir) / "ledger.db").string();
  const int rc = sqlite3_open_v2(ledger->m_path.c_str(), &ledger->m_db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return fail(ExitCode::runtime, "ledger_error",
                fmt::format("cannot open the ledger database: {}", ledger->m_db ? sqlite3_errmsg(ledger->m_db) : "out of memory"),
                ledger->m_path, "check the state directory's permissions");
  }
  sqlite3_busy_timeout(ledger->m_db, k_busy_timeout_ms);
  // Every helios process is short-lived and usually the only connection: SQLite would checkpoint the WAL
  // into the database (two fsyncs) and delete it at every close, then recreate it at the next open — most
  // of a `helios rotate`'s time. The WAL stays, kept short by on_wal_commit and the destructor.
  sqlite3_db_config(ledger->m_db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_wal_hook(ledger->m_db, &Ledger::on_wal_commit, ledger.get());
  int persist_wal = 1;
  sqlite3_file_control(ledger->m_db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  int version = 0;
  {
    Statement st(ledger->m_db, "PRAGMA user_version");
    if (st.ok() && st.step() == SQLITE_ROW) {
      version = static_cast<int>(st.integer(0));
    }
  }
  if (version < k_schema_version) {
    if (auto r = ledger->exec("PRAGMA journal_mode=WAL"); !r) {
      return tl::unexpected(r.error());
    }
    auto created = ledger->transaction([&]() -> Result<void> {
      if (auto r = ledger->exec(k_schema); !r) {
        return r;
      }
      return ledger->exec(fmt::format("PRAGMA user_version={}", k_schema_version));
    });
    if (!created) {
      return tl::unexpected(created.error());
    }
    add_git_exclude(state_dir);
  }
  if (auto r = ledger->exec("PRAGMA synchronous=NORMAL"); !r) {
    return tl::unexpected(r.error());
  }
  return ledger;
}

Result<void> Ledger::exec(const std::string& text)
{
  char* message = nullptr;
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    return sql::db_error(m_db, text.substr(0, 40));
  }
  return {};
}

Result<void> Ledger::transaction(const std::function<Result<void>()>& fn)
{
  if (m_depth > 0) {  // nested: part of the enclosing transaction
    return fn();
  }
  // BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock on an upgrade; the busy
  // handler waits for the lock. A rare SQLITE_BUSY after the timeout is retried a few times more.
  int attempts = 0;
  while (true) {
    const int rc = sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) {
      break;
    }
    if ((rc & 0xff) != SQLITE_BUSY || ++attempts > 5) {
      return sql::db_error(m_db, "begin");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempts));
  }
  ++m_depth;
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    --m_depth;
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  --m_depth;
  if (!result) {
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    return result;
  }
  for (int i = 0;; ++i) {
    const int rc = sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) {
      return {};
    }
    if ((rc & 0xff) != SQLITE_BUSY || i > 5) {
      auto err = sql::db_error(m_db, "commit");
      sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<void> Ledger::set_limit(const QuotaLimit& limit)
{
  Statement st(m_db,
               "INSERT INTO limits(provider, account, pool, dimension, period, reset, amount, source, updated_at) "
               "VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(provider, account, pool, dimension, period) DO UPDATE SET "
               "reset=excluded.reset, amount=excluded.amount, source=excluded.source, updated_at=excluded.updated_at "
               "WHERE limits.amount != excluded.amount OR limits.reset != excluded.reset OR limits.source != excluded.source");
  st.bind(1, limit.owner.provider).bind(2, limit.owner.account).bind(3, limit.owner.pool).bind(4, limit.dimension);
  st.bind(5, period_text(limit.window.period)).bind(6, reset_rule_name(limit.window.reset)).bind(7, limit.amount);
  st.bind(8, limit.source).bind(9, now_ms());
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "set limit");
  }
  return {};
}

namespace {

Result<std::vector<QuotaLimit>> read_limits(sqlite3* db, Statement& st)
{
  std::vector<QuotaLimit> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    QuotaLimit limit;
    limit.owner = {st.text(0), st.text(1), st.text(2)};
    limit.dimension = st.text(3);
    auto window = window_of(st.text(4), st.text(5));
    if (!window) {
      return tl::unexpected(window.error());
    }
    limit.window = *window;
    limit.amount = st.real(6);
    limit.source = st.text(7);
    out.push_back(std::move(limit));
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(db, "read limits");
  }
  return out;
}

}  // namespace

Result<std::vector<QuotaLimit>> Ledger::limits(const QuotaOwner& owner)
{
  Statement st(m_db, "SELECT provider, account, pool, dimension, period, reset, amount, source FROM limits "
                     "WHERE provider=? AND account=? AND pool=?");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool);
  return read_limits(m_db, st);
}

Result<std::vector<QuotaLimit>> Ledger::all_limits()
{
  Statement st(m_db, "SELECT provider, account, pool, dimension, period, reset, amount, source FROM limits "
                     "ORDER BY provider, account, pool, dimension, period");
  return read_limits(m_db, st);
}

Result<std::vector<Window>> Ledger::tracked_windows(const QuotaOwner& owner, const std::string& dimension)
{
  Statement st(m_db, "SELECT period, reset FROM limits WHERE provider=? AND account=? AND pool=? AND dimension=?");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, dimension);
  std::vector<Window> windows;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto w = window_of(st.text(0), st.text(1));
    if (!w) {
      return tl::unexpected(w.error());
    }
    windows.push_back(*w);
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(m_db, "read windows");
  }
  if (windows.empty()) {
    windows.push_back(Window{Period::day, default_reset(Period::day)});
    windows.push_back(Window{Period::month, default_reset(Period::month)});
  }
  return windows;
}

Result<void> Ledger::add_usage(const QuotaOwner& owner, const std::string& dimension, double amount, EpochMs when)
{
  auto windows = tracked_windows(owner, dimension);
  if (!windows) {
    return tl::unexpected(windows.error());
  }
  for (const Window& window : *windows) {
    Statement up(m_db, "INSERT INTO usage(provider, account, pool, dimension, period, reset, bucket, used) "
                       "VALUES(?1,?2,?3,?4,?5,?6,?7,max(0, ?8)) ON CONFLICT DO UPDATE SET used = max(0, used + ?8)");
    up.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, dimension);
    up.bind(5, period_text(window.period)).bind(6, reset_rule_name(window.reset)).bind(7, bucket_of(window, when));
    up.bind(8, amount);
    if (up.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "add usage");
    }
  }
  return {};
}

Result<void> Ledger::set_usage(const QuotaOwner& owner, const std::string& dimension, const Window& window, double used,
                               EpochMs when)
{
  return transaction([&]() -> Result<void> {
    Statement del(m_db, "DELETE FROM usage WHERE provider=? AND account=? AND pool=? AND dimension=? AND period=? "
                        "AND reset=? AND bucket>=? AND bucket<=?");
    del.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, dimension);
    del.bind(5, period_text(window.period)).bind(6, reset_rule_name(window.reset));
    del.bind(7, window_start(window, when)).bind(8, bucket_of(window, when));
    if (del.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "set usage");
    }
    Statement ins(m_db, "INSERT INTO usage(provider, account, pool, dimension, period, reset, bucket, used) "
                        "VALUES(?,?,?,?,?,?,?,?)");
    ins.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, dimension);
    ins.bind(5, period_text(window.period)).bind(6, reset_rule_name(window.reset)).bind(7, bucket_of(window, when));
    ins.bind(8, std::max(0.0, used));
    if (ins.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "set usage");
    }
    return {};
  });
}

Result<double> Ledger::used(const QuotaOwner& owner, const std::string& dimension, const Window& window, EpochMs now)
{
  Statement st(m_db, "SELECT COALESCE(SUM(used), 0) FROM usage WHERE provider=? AND account=? AND pool=? AND "
                     "dimension=? AND period=? AND reset=? AND bucket>=? AND bucket<=?");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, dimension);
  st.bind(5, period_text(window.period)).bind(6, reset_rule_name(window.reset));
  st.bind(7, window_start(window, now)).bind(8, bucket_of(window, now));
  if (st.step() != SQLITE_ROW) {
    return sql::db_error(m_db, "read usage");
  }
  return st.real(0);
}

Result<void> Ledger::observe(const QuotaOwner& owner, const LimitObservation& obs, EpochMs now)
{
  Statement st(m_db, "INSERT OR REPLACE INTO observations(provider, account, pool, dimension, period, limit_value, "
                     "remaining, reset_at, observed_at, header) VALUES(?,?,?,?,?,?,?,?,?,?)");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, obs.dimension);
  st.bind(5, period_text(obs.window));
  obs.limit ? st.bind(6, *obs.limit) : st.bind_null(6);
  obs.remaining ? st.bind(7, *obs.remaining) : st.bind_null(7);
  obs.reset_at ? st.bind(8, *obs.reset_at) : st.bind_null(8);
  st.bind(9, now).bind(10, obs.header);
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "observe");
  }
  // A limit the provider states is better than the catalog's secondary figure.
  if (obs.limit && *obs.limit > 0) {
    Statement cur(m_db, "SELECT reset FROM limits WHERE provider=? AND account=? AND pool=? AND dimension=? AND period=?");
    cur.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, obs.dimension).bind(5, period_text(obs.window));
    ResetRule rule = default_reset(obs.window);
    if (cur.step() == SQLITE_ROW) {
      if (auto r = reset_rule_from_name(cur.text(0))) {
        rule = *r;
      }
    }
    return set_limit(QuotaLimit{owner, obs.dimension, Window{obs.window, rule}, *obs.limit, "headers"});
  }
  return {};
}

Result<Headroom> Ledger::headroom(const QuotaOwner& owner, const std::vector<ReservationItem>& want, EpochMs now)
{
  Headroom h;
  auto cool = cooldown(owner, now);
  if (!cool) {
    return tl::unexpected(cool.error());
  }
  if (*cool) {
    h.fits = false;
    h.blocked_until = (*cool)->available_at;
    h.why = fmt::format("cooling down ({}) until {}: {}", signal_kind_name((*cool)->kind),
                        format_rfc3339((*cool)->available_at), (*cool)->detail);
    return h;
  }
  auto lims = limits(owner);
  if (!lims) {
    return tl::unexpected(lims.error());
  }
  auto wanted = [&](const std::string& dimension) {
    double total = 0;
    for (const auto& item : want) {
      if (item.dimension == dimension) {
        total += item.amount;
      }
    }
    return total;
  };
  for (const QuotaLimit& limit : *lims) {
    auto u = used(owner, limit.dimension, limit.window, now);
    if (!u) {
      return tl::unexpected(u.error());
    }
    const double w = wanted(limit.dimension);
    const double left = limit.amount > 0 ? (limit.amount - *u - w) / limit.amount : (w > 0 ? -1.0 : 0.0);
    h.fraction_left = std::min(h.fraction_left, left);
    if (*u + w <= limit.amount + 1e-9) {
      continue;
    }
    h.fits = false;
    EpochMs until = 0;
    if (w > limit.amount) {
      h.why = fmt::format("{} {}/{}: asks {} but the limit is {}", limit.owner.pool, limit.dimension,
                          period_name(limit.window.period), w, limit.amount);
      return h;
    }
    if (limit.window.reset.kind == ResetKind::rolling) {
      // The first time enough old buckets leave the window for `w` to fit.
      Statement st(m_db, "SELECT bucket, used FROM usage WHERE provider=? AND account=? AND pool=? AND dimension=? "
                         "AND period=? AND reset=? AND bucket>=? AND bucket<=? ORDER BY bucket");
      st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, limit.dimension);
      st.bind(5, period_text(limit.window.period)).bind(6, reset_rule_name(limit.window.reset));
      st.bind(7, window_start(limit.window, now)).bind(8, bucket_of(limit.window, now));
      double remaining_used = *u;
      const auto period = static_cast<EpochMs>(period_seconds(limit.window.period) * 1000);
      while (st.step() == SQLITE_ROW) {
        remaining_used -= st.real(1);
        if (remaining_used + w <= limit.amount + 1e-9) {
          until = st.integer(0) + period;
          break;
        }
      }
    } else {
      until = window_end(limit.window, now);
    }
    if (until > h.blocked_until) {
      h.blocked_until = until;
      h.why = fmt::format("{} {}/{}: {:g} of {:g} used{}", limit.owner.pool, limit.dimension,
                          period_name(limit.window.period), *u, limit.amount,
                          until > 0 ? " until " + format_rfc3339(until) : std::string(" (never resets)"));
    }
  }
  // What the provider itself said: an empty window stays empty until its reset.
  Statement obs(m_db, "SELECT dimension, period, remaining, reset_at, header FROM observations WHERE provider=? AND "
                      "account=? AND pool=? AND remaining IS NOT NULL AND reset_at IS NOT NULL AND reset_at > ?");
  obs.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, now);
  while (obs.step() == SQLITE_ROW) {
    const double remaining = obs.real(2);
    const double w = wanted(obs.text(0));
    if (remaining <= 0 || remaining < w) {
      h.fits = false;
      const EpochMs until = obs.integer(3);
      if (until > h.blocked_until) {
        h.blocked_until = until;
        h.why = fmt::format("{} {}/{}: the provider reported {:g} remaining ({}) until {}", owner.pool, obs.text(0),
                            obs.text(1), remaining, obs.text(4), format_rfc3339(until));
      }
    }
  }
  return h;
}

Result<std::int64_t> Ledger::reserve(const QuotaOwner& owner, const std::vector<ReservationItem>& items, EpochMs now,
                                     const std::string& workload)
{
  std::int64_t id = 0;
  auto done = transaction([&]() -> Result<void> {
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& item : items) {
      if (auto r = add_usage(owner, item.dimension, item.amount, now); !r) {
        return r;
      }
      doc[item.dimension] = doc.value(item.dimension, 0.0) + item.amount;
    }
    Statement st(m_db, "INSERT INTO reservations(at, provider, account, pool, workload, items) VALUES(?,?,?,?,?,?)");
    st.bind(1, now).bind(2, owner.provider).bind(3, owner.account).bind(4, owner.pool).bind(5, workload).bind(6, doc.dump());
    if (st.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "reserve");
    }
    id = sqlite3_last_insert_rowid(m_db);
    return {};
  });
  if (!done) {
    return tl::unexpected(done.error());
  }
  return id;
}

Result<QuotaOwner> Ledger::settle(std::int64_t reservation, const std::vector<ReservationItem>& actual, EpochMs now)
{
  QuotaOwner owner;
  auto done = transaction([&]() -> Result<void> {
    Statement st(m_db, "SELECT at, provider, account, pool, items, settled FROM reservations WHERE id=?");
    st.bind(1, reservation);
    if (st.step() != SQLITE_ROW) {
      return fail(ExitCode::usage, "unknown_reservation", fmt::format("no reservation {} in the ledger", reservation),
                  "--reservation", "use the reservation.id that `helios rotate --json` printed");
    }
    const EpochMs at = st.integer(0);
    owner = {st.text(1), st.text(2), st.text(3)};
    nlohmann::json items = nlohmann::json::parse(st.text(4), nullptr, false);
    if (!items.is_object()) {
      items = nlohmann::json::object();
    }
    for (const auto& item : actual) {
      const double reserved = items.value(item.dimension, 0.0);
      if (auto r = add_usage(owner, item.dimension, item.amount - reserved, at); !r) {
        return r;
      }
      items[item.dimension] = item.amount;
    }
    Statement up(m_db, "UPDATE reservations SET items=?, settled=? WHERE id=?");
    up.bind(1, items.dump()).bind(2, now).bind(3, reservation);
    if (up.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "settle");
    }
    return {};
  });
  if (!done) {
    return tl::unexpected(done.error());
  }
  return owner;
}

Result<void> Ledger::cool(const Cooldown& c)
{
  Statement st(m_db, "INSERT INTO cooldowns(provider, account, pool, kind, available_at, since, detail) "
                     "VALUES(?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET kind=excluded.kind, since=excluded.since, "
                     "detail=excluded.detail, available_at=excluded.available_at "
                     "WHERE excluded.available_at >= cooldowns.available_at OR cooldowns.available_at <= excluded.since");
  st.bind(1, c.owner.provider).bind(2, c.owner.account).bind(3, c.owner.pool).bind(4, std::string(signal_kind_name(c.kind)));
  st.bind(5, c.available_at).bind(6, c.since).bind(7, c.detail);
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "cool");
  }
  return {};
}

Result<QuotaOwner> Ledger::owner_for(const std::string& provider, const std::string& account, const std::string& pool)
{
  if (!pool.empty()) {
    return QuotaOwner{provider, account, pool};
  }
  Statement st(m_db, "SELECT DISTINCT pool FROM limits WHERE provider=? AND account=? UNION "
                     "SELECT DISTINCT pool FROM pools WHERE provider=? AND account=? ORDER BY 1");
  st.bind(1, provider).bind(2, account).bind(3, provider).bind(4, account);
  std::vector<std::string> pools;
  while (st.step() == SQLITE_ROW) {
    pools.push_back(st.text(0));
  }
  if (pools.empty()) {
    return QuotaOwner{provider, account, provider};
  }
  if (pools.size() == 1) {
    return QuotaOwner{provider, account, pools.front()};
  }
  std::string list;
  for (const auto& p : pools) {
    list += (list.empty() ? "" : ", ") + p;
  }
  return fail(ExitCode::usage, "ambiguous_pool", fmt::format("provider '{}' has several quota pools: {}", provider, list),
              "--pool", "name one with --pool");
}

Result<SignalContext> Ledger::signal_context(const QuotaOwner& owner, EpochMs now)
{
  auto lims = limits(owner);
  if (!lims) {
    return tl::unexpected(lims.error());
  }
  SignalContext ctx;
  ctx.provider = owner.provider;
  Period longest = Period::none;
  for (const auto& limit : *lims) {
    if (limit.window.period == Period::day && ctx.daily_reset_at == 0) {
      ctx.daily_reset_at = window_end(limit.window, now);
    }
    if (limit.window.reset.kind != ResetKind::never && limit.window.period > longest) {
      longest = limit.window.period;
      ctx.exhausted_until = window_end(limit.window, now);
    }
  }
  if (longest < Period::day) {
    ctx.exhausted_until = 0;  // the classifier's default: the 1st of next month
  }
  return ctx;
}

Result<Signal> Ledger::apply_response(const QuotaOwner& owner, const RawResponse& response, EpochMs now)
{
  auto ctx = signal_context(owner, now);
  if (!ctx) {
    return tl::unexpected(ctx.error());
  }
  Signal signal = classify_signal(response, now, *ctx);
  auto done = transaction([&]() -> Result<void> {
    for (const auto& obs : signal.limits) {
      if (auto r = observe(owner, obs, now); !r) {
        return r;
      }
    }
    if (signal.kind == SignalKind::ok) {
      return signal.available_at > now ? Result<void>() : clear_cooldown(owner);
    }
    std::string detail = signal.reason + (signal.basis.empty() ? std::string() : " [" + signal.basis + "]");
    return cool(Cooldown{owner, signal.kind, signal.available_at, now, detail});
  });
  if (!done) {
    return tl::unexpected(done.error());
  }
  return signal;
}

Result<void> Ledger::clear_cooldown(const QuotaOwner& owner)
{
  Statement st(m_db, "DELETE FROM cooldowns WHERE provider=? AND account=? AND pool=?");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool);
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "clear cooldown");
  }
  return {};
}

namespace {

Cooldown read_cooldown(Statement& st)
{
  Cooldown c;
  c.owner = {st.text(0), st.text(1), st.text(2)};
  c.kind = parse_signal_kind(st.text(3)).value_or(SignalKind::error);
  c.available_at = st.integer(4);
  c.since = st.integer(5);
  c.detail = st.text(6);
  return c;
}

}  // namespace

Result<std::optional<Cooldown>> Ledger::cooldown(const QuotaOwner& owner, EpochMs now)
{
  Statement st(m_db, "SELECT provider, account, pool, kind, available_at, since, detail FROM cooldowns "
                     "WHERE provider=? AND account=? AND pool=? AND available_at > ?");
  st.bind(1, owner.provider).bind(2, owner.account).bind(3, owner.pool).bind(4, now);
  const int rc = st.step();
  if (rc == SQLITE_ROW) {
    return std::optional<Cooldown>(read_cooldown(st));
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(m_db, "read cooldown");
  }
  return std::optional<Cooldown>();
}

Result<std::vector<Cooldown>> Ledger::cooldowns(EpochMs now)
{
  Statement st(m_db, "SELECT provider, account, pool, kind, available_at, since, detail FROM cooldowns "
                     "WHERE available_at > ? ORDER BY available_at, provider, account, pool");
  st.bind(1, now);
  std::vector<Cooldown> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    out.push_back(read_cooldown(st));
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(m_db, "read cooldowns");
  }
  return out;
}

Result<void> Ledger::record_rotation(const Rotation& r)
{
  Statement st(m_db, "INSERT INTO rotations(at, workload, from_offering, to_offering, reason, granted, next_available_at) "
                     "VALUES(?,?,?,?,?,?,?)");
  st.bind(1, r.at).bind(2, r.workload).bind(3, r.from).bind(4, r.to).bind(5, r.reason).bind(6, r.granted ? 1 : 0);
  st.bind(7, r.next_available_at);
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "record rotation");
  }
  return {};
}

Result<std::vector<Rotation>> Ledger::rotations(int limit)
{
  Statement st(m_db, "SELECT at, workload, from_offering, to_offering, reason, granted, next_available_at FROM rotations "
                     "ORDER BY id DESC LIMIT ?");
  st.bind(1, limit);
  std::vector<Rotation> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    out.push_back(Rotation{st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5) != 0, st.integer(6)});
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(m_db, "read rotations");
  }
  return out;
}

Result<std::vector<QuotaLine>> Ledger::report(EpochMs now)
{
  std::map<std::tuple<QuotaOwner, std::string, std::string>, QuotaLine> lines;  // (owner, dimension, period)
  auto lims = all_limits();
  if (!lims) {
    return tl::unexpected(lims.error());
  }
  for (const auto& limit : *lims) {
    QuotaLine line;
    line.owner = limit.owner;
    line.dimension = limit.dimension;
    line.window = limit.window;
    line.limit = limit.amount;
    line.source = limit.source;
    lines[{limit.owner, limit.dimension, period_text(limit.window.period)}] = line;
  }
  // Windows with usage but no limit (recorded for a pool the catalog does not know).
  {
    Statement st(m_db, "SELECT DISTINCT provider, account, pool, dimension, period, reset FROM usage WHERE bucket >= ?");
    st.bind(1, static_cast<std::int64_t>(now - 32LL * 86400000));
    while (st.step() == SQLITE_ROW) {
      QuotaOwner owner{st.text(0), st.text(1), st.text(2)};
      auto key = std::make_tuple(owner, st.text(3), st.text(4));
      if (lines.count(key) > 0) {
        continue;
      }
      auto window = window_of(st.text(4), st.text(5));
      if (!window) {
        continue;
      }
      QuotaLine line;
      line.owner = owner;
      line.dimension = st.text(3);
      line.window = *window;
      lines[key] = line;
    }
  }
  std::vector<QuotaLine> out;
  for (auto& [key, line] : lines) {
    auto u = used(line.owner, line.dimension, line.window, now);
    if (!u) {
      return tl::unexpected(u.error());
    }
    line.used = *u;
    line.window_start = line.window.reset.kind == ResetKind::never ? 0 : window_start(line.window, now);
    line.resets_at = window_end(line.window, now);
    Statement obs(m_db, "SELECT limit_value, remaining, reset_at, observed_at FROM observations WHERE provider=? AND "
                        "account=? AND pool=? AND dimension=? AND period=?");
    obs.bind(1, line.owner.provider).bind(2, line.owner.account).bind(3, line.owner.pool).bind(4, line.dimension);
    obs.bind(5, period_text(line.window.period));
    if (obs.step() == SQLITE_ROW) {
      const EpochMs reset_at = obs.is_null(2) ? 0 : obs.integer(2);
      if (reset_at == 0 || reset_at > now) {  // only while the observed window lasts
        if (!obs.is_null(0)) {
          line.observed_limit = obs.real(0);
        }
        if (!obs.is_null(1)) {
          line.observed_remaining = obs.real(1);
        }
        if (reset_at > 0) {
          line.observed_reset_at = reset_at;
        }
        line.observed_at = obs.integer(3);
      }
    }
    out.push_back(std::move(line));
  }
  return out;
}

Result<std::vector<RecordedUsage>> Ledger::recorded_usage(EpochMs now)
{
  auto lines = report(now);
  if (!lines) {
    return tl::unexpected(lines.error());
  }
  std::vector<RecordedUsage> out;
  for (const auto& line : *lines) {
    if (line.used <= 0) {
      continue;
    }
    RecordedUsage u;
    u.provider = line.owner.provider;
    u.account = line.owner.account;
    u.pool = line.owner.pool;
    u.dimension = line.dimension;
    u.period = line.window.period;
    u.used = line.used;
    out.push_back(std::move(u));
  }
  return out;
}

Result<nlohmann::json> Ledger::to_json(EpochMs now, int rotation_limit)
{
  auto lines = report(now);
  if (!lines) {
    return tl::unexpected(lines.error());
  }
  auto cools = cooldowns(now);
  if (!cools) {
    return tl::unexpected(cools.error());
  }
  auto rots = rotations(rotation_limit);
  if (!rots) {
    return tl::unexpected(rots.error());
  }
  nlohmann::json doc;
  doc["generated_at"] = format_rfc3339(now);
  doc["quotas"] = nlohmann::json::array();
  for (const auto& line : *lines) {
    doc["quotas"].push_back(helios::to_json(line));
  }
  doc["cooldowns"] = nlohmann::json::array();
  for (const auto& c : *cools) {
    doc["cooldowns"].push_back(helios::to_json(c));
  }
  doc["rotations"] = nlohmann::json::array();
  for (const auto& r : *rots) {
    doc["rotations"].push_back(helios::to_json(r));
  }
  return doc;
}

Result<void> Ledger::prune(EpochMs now, EpochMs keep_ms)
{
  return transaction([&]() -> Result<void> {
    Statement st(m_db, "DELETE FROM usage WHERE bucket < ? AND reset != 'static'");
    st.bind(1, now - keep_ms);
    if (st.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "prune");
    }
    Statement rot(m_db, "DELETE FROM rotations WHERE id <= (SELECT MAX(id) FROM rotations) - 1000");
    if (rot.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "prune");
    }
    Statement res(m_db, "DELETE FROM reservations WHERE at < ?");
    res.bind(1, now - keep_ms);
    if (res.step() != SQLITE_DONE) {
      return sql::db_error(m_db, "prune");
    }
    return {};
  });
}

Result<std::optional<std::string>> Ledger::meta(const std::string& key)
{
  Statement st(m_db, "SELECT value FROM meta WHERE key=?");
  st.bind(1, key);
  const int rc = st.step();
  if (rc == SQLITE_ROW) {
    return std::optional<std::string>(st.text(0));
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(m_db, "read meta");
  }
  return std::optional<std::string>();
}

Result<void> Ledger::set_meta(const std::string& key, const std::string& value)
{
  Statement st(m_db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)");
  st.bind(1, key).bind(2, value);
  if (st.step() != SQLITE_DONE) {
    return sql::db_error(m_db, "write meta");
  }
  return {};
}

nlohmann::json to_json(const QuotaLine& line)
{
  nlohmann::json j;
  j["provider"] = line.owner.provider;
  j["account"] = line.owner.account;
  j["pool"] = line.owner.pool;
  j["dimension"] = line.dimension;
  j["window"] = std::string(period_name(line.window.period));
  j["reset_rule"] = reset_rule_name(line.window.reset);
  j["used"] = line.used;
  j["limit"] = line.limit ? nlohmann::json(*line.limit) : nlohmann::json(nullptr);
  j["remaining"] = line.limit ? nlohmann::json(std::max(0.0, *line.limit - line.used)) : nlohmann::json(nullptr);
  j["fraction"] = line.limit && *line.limit > 0 ? nlohmann::json(line.used / *line.limit) : nlohmann::json(nullptr);
  j["window_start"] = time_or_null(line.window_start);
  j["resets_at"] = time_or_null(line.resets_at);
  j["source"] = line.source;
  if (line.observed_at > 0) {
    j["observed"] = {{"limit", line.observed_limit ? nlohmann::json(*line.observed_limit) : nlohmann::json(nullptr)},
                     {"remaining", line.observed_remaining ? nlohmann::json(*line.observed_remaining) : nlohmann::json(nullptr)},
                     {"reset_at", time_or_null(line.observed_reset_at.value_or(0))},
                     {"observed_at", format_rfc3339(line.observed_at)}};
  }
  return j;
}

nlohmann::json to_json(const Cooldown& c)
{
  return {{"provider", c.owner.provider},
          {"account", c.owner.account},
          {"pool", c.owner.pool},
          {"kind", std::string(signal_kind_name(c.kind))},
          {"available_at", format_rfc3339(c.available_at)},
          {"since", format_rfc3339(c.since)},
          {"detail", c.detail}};
}

nlohmann::json to_json(const Rotation& r)
{
  return {{"at", format_rfc3339(r.at)},
          {"workload", r.workload},
          {"from", r.from.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.from)},
          {"to", r.to.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.to)},
          {"reason", r.reason},
          {"granted", r.granted},
          {"next_available_at", time_or_null(r.next_available_at)}};
}

}  // namespace helios
