#pragma once
// A thin RAII layer over SQLite prepared statements for the ledger's tables (and rotate's pool table,
// which lives in the same database).

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include <fmt/format.h>

#include "core/error.hpp"

namespace helios::sql {

// Prepared statements are kept per connection and reused (compiling SQL was most of a `helios rotate`):
// a Statement borrows the cached one when it is free, else prepares its own. forget(db) finalizes a
// connection's statements before it closes.
namespace detail {
struct CachedStatement {
  sqlite3_stmt* stmt = nullptr;
  bool in_use = false;
};
struct StatementCache {
  std::mutex mutex;
  std::unordered_map<sqlite3*, std::unordered_map<std::string, CachedStatement>> by_db;
};
inline StatementCache& statement_cache()
{
  static StatementCache cache;
  return cache;
}
}  // namespace detail

inline void forget(sqlite3* db)
{
  auto& cache = detail::statement_cache();
  std::lock_guard lock(cache.mutex);
  if (auto it = cache.by_db.find(db); it != cache.by_db.end()) {
    for (auto& [sql, cached] : it->second) {
      sqlite3_finalize(cached.stmt);
    }
    cache.by_db.erase(it);
  }
}

class Statement {
public:
  Statement(sqlite3* db, std::string_view sql) : m_db(db)
  {
    auto& cache = detail::statement_cache();
    {
      std::lock_guard lock(cache.mutex);
      auto& cached = cache.by_db[db][std::string(sql)];
      if (cached.stmt != nullptr && !cached.in_use) {
        cached.in_use = true;
        m_stmt = cached.stmt;
        m_cached = &cached;
        return;
      }
      if (cached.stmt == nullptr) {
        m_rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
        if (m_rc == SQLITE_OK && m_stmt != nullptr) {
          cached.stmt = m_stmt;
          cached.in_use = true;
          m_cached = &cached;
        }
        return;
      }
    }
    m_rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr);
  }
  ~Statement()
  {
    if (m_cached == nullptr) {
      sqlite3_finalize(m_stmt);
      return;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    std::lock_guard lock(detail::statement_cache().mutex);
    m_cached->in_use = false;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] bool ok() const { return m_rc == SQLITE_OK; }
  [[nodiscard]] std::string error() const { return sqlite3_errmsg(m_db); }

  Statement& bind(int i, const std::string& v)
  {
    sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, std::int64_t v)
  {
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
  }
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, long long v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v)
  {
    sqlite3_bind_double(m_stmt, i, v);
    return *this;
  }
  Statement& bind_null(int i)
  {
    sqlite3_bind_null(m_stmt, i);
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step()
  {
    m_rc = sqlite3_step(m_stmt);
    return m_rc;
  }
  [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
  [[nodiscard]] std::string text(int col) const
  {
    const auto* p = sqlite3_column_text(m_stmt, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
             : std::string();
  }
  [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
  [[nodiscard]] double real(int col) const { return sqlite3_column_double(m_stmt, col); }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  detail::CachedStatement* m_cached = nullptr;  // pointers into unordered_map nodes stay valid
  int m_rc = SQLITE_OK;
};

inline tl::unexpected<ErrorInfo> db_error(sqlite3* db, std::string_view what)
{
  const int code = sqlite3_extended_errcode(db);
  const bool busy = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
  return fail(busy ? ExitCode::locked : ExitCode::runtime, busy ? "ledger_busy" : "ledger_error",
              fmt::format("ledger database: {}: {}", what, sqlite3_errmsg(db)), sqlite3_db_filename(db, "main"),
              busy ? "another helios process held the ledger for more than the busy timeout; retry"
                   : "check the state directory; `helios quota sync` rewrites the snapshot from the database");
}

}  // namespace helios::sql
