#include "core/rotate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "core/ledger_sqlite.hpp"
#include "core/units.hpp"

namespace helios {

using sql::Statement;

namespace {

constexpr EpochMs k_minute_ms = 60'000;
constexpr EpochMs k_hour_ms = 3'600'000;

bool names_member(const PoolMember& member, const std::string& from)
{
  return member.offering == from || member.provider == from || member.pool == from;
}

bool has_credentials(const PoolMember& member)
{
  if (member.credential_env.empty()) {
    return true;
  }
  const char* value = std::getenv(member.credential_env.c_str());
  return value != nullptr && *value != '\0';
}

// The member's next daily reset (its own day window's rule: Pacific for Gemini, UTC for most).
EpochMs daily_reset(const PoolMember& member, EpochMs now)
{
  for (const auto& limit : member.limits) {
    if (limit.window.period == Period::day) {
      return window_end(limit.window, now);
    }
  }
  return window_end(Window{Period::day, default_reset(Period::day)}, now);
}

// When an exhausted quota comes back: the end of the member's longest window.
EpochMs exhausted_until(const PoolMember& member, EpochMs now)
{
  EpochMs until = 0;
  Period longest = Period::none;
  for (const auto& limit : member.limits) {
    if (limit.window.reset.kind != ResetKind::never && limit.window.period > longest) {
      longest = limit.window.period;
      until = window_end(limit.window, now);
    }
  }
  if (longest < Period::day) {
    until = window_end(Window{Period::month, default_reset(Period::month)}, now);
  }
  return until;
}

EpochMs default_until(SignalKind kind, const PoolMember& member, EpochMs now)
{
  switch (kind) {
  case SignalKind::ok:
    return 0;
  case SignalKind::transient:
    return now + k_minute_ms;
  case SignalKind::daily:
    return daily_reset(member, now);
  case SignalKind::exhausted:
    return exhausted_until(member, now);
  case SignalKind::auth:
    return now + k_hour_ms;
  case SignalKind::error:
    return now + 15'000;
  }
  return now + k_minute_ms;
}

}  // namespace

Result<void> store_pool(Ledger& ledger, const RotationPool& pool, const std::string& fingerprint)
{
  return ledger.transaction([&]() -> Result<void> {
    Statement del(ledger.handle(), "DELETE FROM pools WHERE workload=?");
    del.bind(1, pool.workload);
    if (del.step() != SQLITE_DONE) {
      return sql::db_error(ledger.handle(), "store pool");
    }
    int ord = 0;
    for (const auto& m : pool.members) {
      Statement ins(ledger.handle(), "INSERT INTO pools(workload, ord, offering, provider, account, pool, model, base_url, "
                                     "credential_env, weight) VALUES(?,?,?,?,?,?,?,?,?,?)");
      ins.bind(1, pool.workload).bind(2, ord++).bind(3, m.offering).bind(4, m.provider).bind(5, m.account);
      ins.bind(6, m.pool).bind(7, m.model).bind(8, m.base_url).bind(9, m.credential_env).bind(10, m.weight);
      if (ins.step() != SQLITE_DONE) {
        return sql::db_error(ledger.handle(), "store pool");
      }
      for (const auto& limit : m.limits) {
        if (auto r = ledger.set_limit(limit); !r) {
          return r;
        }
      }
    }
    return ledger.set_meta("pool:" + pool.workload, fingerprint);
  });
}

namespace {

Result<std::vector<PoolMember>> read_members(Ledger& ledger, Statement& st)
{
  std::vector<PoolMember> members;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    PoolMember m;
    m.offering = st.text(0);
    m.provider = st.text(1);
    m.account = st.text(2);
    m.pool = st.text(3);
    m.model = st.text(4);
    m.base_url = st.text(5);
    m.credential_env = st.text(6);
    m.weight = st.real(7);
    members.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) {
    return sql::db_error(ledger.handle(), "read pool");
  }
  for (auto& m : members) {
    auto limits = ledger.limits(m.owner());
    if (!limits) {
      return tl::unexpected(limits.error());
    }
    m.limits = std::move(*limits);
  }
  return members;
}

}  // namespace

Result<std::optional<RotationPool>> load_pool(Ledger& ledger, const std::string& workload, const std::string& fingerprint)
{
  auto stored = ledger.meta("pool:" + workload);
  if (!stored) {
    return tl::unexpected(stored.error());
  }
  if (!*stored || (!fingerprint.empty() && **stored != fingerprint)) {
    return std::optional<RotationPool>();
  }
  Statement st(ledger.handle(), "SELECT offering, provider, account, pool, model, base_url, credential_env, weight "
                                "FROM pools WHERE workload=? ORDER BY ord");
  st.bind(1, workload);
  auto members = read_members(ledger, st);
  if (!members) {
    return tl::unexpected(members.error());
  }
  return std::optional<RotationPool>(RotationPool{workload, std::move(*members)});
}

Result<std::vector<PoolMember>> all_pool_members(Ledger& ledger)
{
  Statement st(ledger.handle(), "SELECT DISTINCT offering, provider, account, pool, model, base_url, credential_env, "
                                "weight FROM pools ORDER BY provider, account, offering");
  return read_members(ledger, st);
}

Result<std::vector<ReservationItem>> parse_reservation(const std::string& text, const std::string& where)
{
  std::vector<ReservationItem> items;
  std::size_t start = 0;
  std::size_t column = 1;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto eq = part.find('=');
    const std::string hint = "write DIMENSION=AMOUNT pairs separated by commas, e.g. requests=1,tokens=4000";
    if (eq == std::string::npos || eq == 0) {
      return fail(ExitCode::usage, "invalid_reservation",
                  fmt::format("'{}' in '{}' is not DIMENSION=AMOUNT", part, text), fmt::format("{}:1:{}", where, column), hint);
    }
    const std::string dimension = part.substr(0, eq);
    auto amount = parse_quantity(part.substr(eq + 1), dimension_unit(dimension).value_or(UnitKind::count));
    if (!amount || *amount < 0) {
      return fail(ExitCode::usage, "invalid_reservation",
                  fmt::format("'{}' in '{}': {}", part.substr(eq + 1), text,
                              amount ? std::string("amounts cannot be negative") : amount.error()),
                  fmt::format("{}:1:{}", where, column + eq + 1), hint);
    }
    items.push_back({dimension, *amount});
    if (comma == std::string::npos) {
      break;
    }
    column += comma - start + 1;
    start = comma + 1;
  }
  return items;
}

Result<RotateResult> rotate(Ledger& ledger, const RotationPool& pool, const RotateRequest& request)
{
  RotateResult result;
  result.workload = pool.workload;
  const EpochMs now = request.now > 0 ? request.now : now_ms();
  std::vector<ReservationItem> want = request.reserve;
  if (want.empty()) {
    want.push_back({"requests", 1});
  }
  if (pool.members.empty()) {
    return fail(ExitCode::infeasible, "empty_pool", fmt::format("workload '{}' has no pool members", pool.workload), "",
                "check the workload's placement with `helios place`");
  }
  std::vector<const PoolMember*> leaving;
  if (!request.from.empty()) {
    for (const auto& m : pool.members) {
      if (names_member(m, request.from)) {
        leaving.push_back(&m);
      }
    }
    if (leaving.empty()) {
      return fail(ExitCode::usage, "unknown_member",
                  fmt::format("--from '{}' is not a member of workload '{}''s pool", request.from, pool.workload), "--from",
                  "name a provider or offering the pool holds (see `helios rotate --workload " + pool.workload + " --json`)");
    }
  } else if (request.signal || request.reason) {
    return fail(ExitCode::usage, "missing_from", "--reason and --signal need --from PROVIDER (the one that answered)",
                "--from", "add --from with the provider or offering the agent was using");
  }

  auto done = ledger.transaction([&]() -> Result<void> {
    // 1. What the provider being left said: cool it until its available_at (never shortened).
    std::set<QuotaOwner> cooled;
    for (const PoolMember* m : leaving) {
      if (!cooled.insert(m->owner()).second) {
        continue;
      }
      std::optional<SignalKind> kind = request.reason;
      EpochMs until = 0;
      std::string detail = kind ? fmt::format("--reason {}", signal_kind_name(*kind)) : std::string();
      if (request.signal) {
        auto signal = ledger.apply_response(m->owner(), *request.signal, now);
        if (!signal) {
          return tl::unexpected(signal.error());
        }
        result.signal = *signal;
        if (signal->kind != SignalKind::ok || !kind) {
          // The response itself beats a guessed reason; apply_response already cooled the owner.
          if (signal->kind != SignalKind::ok) {
            result.left += (result.left.empty() ? "" : ",") + m->offering;
            result.left_until = std::max(result.left_until, signal->available_at);
          }
          continue;
        }
      }
      if (!kind) {
        continue;
      }
      if (*kind == SignalKind::ok) {
        if (auto r = ledger.clear_cooldown(m->owner()); !r) {
          return r;
        }
        continue;
      }
      if (until <= now) {
        until = default_until(*kind, *m, now);
      }
      if (auto r = ledger.cool(Cooldown{m->owner(), *kind, until, now, detail}); !r) {
        return r;
      }
      result.left += (result.left.empty() ? "" : ",") + m->offering;
      result.left_until = std::max(result.left_until, until);
    }
    // 2. Every member's headroom; the best by weight × headroom fraction, in placement order on ties.
    const PoolMember* best = nullptr;
    double best_score = -1;
    double best_left = 0;
    for (const auto& m : pool.members) {
      if (request.require_credentials && !has_credentials(m)) {
        result.skipped.push_back({m.offering, fmt::format("credential variable {} is not set", m.credential_env), 0});
        continue;
      }
      auto h = ledger.headroom(m.owner(), want, now);
      if (!h) {
        return tl::unexpected(h.error());
      }
      if (!h->fits) {
        result.skipped.push_back({m.offering, h->why, h->blocked_until});
        continue;
      }
      const double score = m.weight * std::max(h->fraction_left, 1e-6);
      if (score > best_score + 1e-12) {
        best = &m;
        best_score = score;
        best_left = h->fraction_left;
      }
    }
    Rotation rotation;
    rotation.at = now;
    rotation.workload = pool.workload;
    rotation.from = request.from;
    rotation.reason = request.signal && result.signal ? std::string(signal_kind_name(result.signal->kind))
                      : request.reason             ? std::string(signal_kind_name(*request.reason))
                                                   : std::string("first pick");
    if (best == nullptr) {
      for (const auto& s : result.skipped) {
        if (s.available_at > now && (result.next_available_at == 0 || s.available_at < result.next_available_at)) {
          result.next_available_at = s.available_at;
        }
      }
      rotation.granted = false;
      rotation.next_available_at = result.next_available_at;
      return ledger.record_rotation(rotation);
    }
    // 3. Reserve on the chosen member, in this same transaction.
    auto id = ledger.reserve(best->owner(), want, now, pool.workload);
    if (!id) {
      return tl::unexpected(id.error());
    }
    result.granted = true;
    result.member = *best;
    result.reservation = *id;
    result.reserved = want;
    result.headroom = best_left;
    if (!request.from.empty() || request.reason || request.signal) {
      rotation.to = best->offering;
      rotation.granted = true;
      return ledger.record_rotation(rotation);
    }
    return {};
  });
  if (!done) {
    return tl::unexpected(done.error());
  }
  return result;
}

nlohmann::json to_json(const RotateResult& r)
{
  nlohmann::json j;
  j["workload"] = r.workload;
  j["granted"] = r.granted;
  if (r.granted) {
    j["provider"] = r.member.provider;
    j["account"] = r.member.account;
    j["offering"] = r.member.offering;
    j["pool"] = r.member.pool;
    j["model"] = r.member.model;
    j["base_url"] = r.member.base_url;
    j["credential_env"] = r.member.credential_env;
    j["weight"] = r.member.weight;
    j["headroom"] = r.headroom;
    nlohmann::json items = nlohmann::json::object();
    for (const auto& item : r.reserved) {
      items[item.dimension] = items.value(item.dimension, 0.0) + item.amount;
    }
    j["reservation"] = {{"id", r.reservation}, {"items", items}};
  }
  j["next_available_at"] = r.next_available_at > 0 ? nlohmann::json(format_rfc3339(r.next_available_at)) : nlohmann::json(nullptr);
  if (!r.left.empty()) {
    j["left"] = {{"offerings", r.left}, {"until", format_rfc3339(r.left_until)}};
  }
  if (r.signal) {
    j["signal"] = r.signal->to_json();
  }
  j["skipped"] = nlohmann::json::array();
  for (const auto& s : r.skipped) {
    j["skipped"].push_back({{"offering", s.offering},
                            {"why", s.why},
                            {"available_at", s.available_at > 0 ? nlohmann::json(format_rfc3339(s.available_at)) : nlohmann::json(nullptr)}});
  }
  return j;
}

}  // namespace helios
