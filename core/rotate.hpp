#pragma once
// Rotation: which pool member (provider, model, base URL, credential variable) an agent or workload should
// use now, given the ledger's usage, limits and cooldowns, the placement's weights, and why it is leaving
// the current one. The choice and the reservation happen in one IMMEDIATE ledger transaction, so
// concurrent agents never get more than a quota in total. See docs/rotate.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/ledger.hpp"
#include "core/signal.hpp"

namespace helios {

// One member of a workload's pool: an offering under an account, with its weight and free quotas.
struct PoolMember {
  std::string offering;         // catalog id, e.g. "groq/llama-3.3-70b"
  std::string provider;
  std::string account = "default";
  std::string pool;             // the quota pool (FreeQuota::pool, else the offering id)
  std::string model;
  std::string base_url;
  std::string credential_env;   // the variable holding the key; never its value
  double weight = 1;
  std::vector<QuotaLimit> limits;

  [[nodiscard]] QuotaOwner owner() const { return {provider, account, pool}; }
};

struct RotationPool {
  std::string workload;
  std::vector<PoolMember> members;  // in placement order
};

// Pools are cached in the ledger database (table `pools`) with a fingerprint of what they were computed
// from, so that `helios rotate` reads SQLite only.
Result<void> store_pool(Ledger& ledger, const RotationPool& pool, const std::string& fingerprint);
// The cached pool when its fingerprint matches (empty fingerprint: any).
Result<std::optional<RotationPool>> load_pool(Ledger& ledger, const std::string& workload, const std::string& fingerprint);
// Every cached pool's members (for `quota refresh`: which providers and credentials exist).
Result<std::vector<PoolMember>> all_pool_members(Ledger& ledger);

struct RotateRequest {
  std::string workload;
  std::string from;                     // provider or offering being left; empty: a first pick
  std::optional<SignalKind> reason;     // --reason
  std::optional<RawResponse> signal;    // --signal FILE
  std::vector<ReservationItem> reserve; // default requests=1
  bool require_credentials = true;      // skip members whose credential variable is unset
  EpochMs now = 0;
};

struct SkippedMember {
  std::string offering;
  std::string why;
  EpochMs available_at = 0;  // 0: not within the data (never, or unknown)
};

struct RotateResult {
  std::string workload;
  bool granted = false;
  PoolMember member;
  std::int64_t reservation = 0;
  std::vector<ReservationItem> reserved;
  double headroom = 1;                   // fraction left on the member's tightest limit after the reservation
  std::optional<Signal> signal;          // the classified --signal
  std::string left;                      // the offering(s) cooled because of from/reason/signal
  EpochMs left_until = 0;
  std::vector<SkippedMember> skipped;
  EpochMs next_available_at = 0;         // when nothing is granted: the earliest time one member fits
};

// Applies the reason/signal to the member(s) named by `from`, then picks and reserves.
Result<RotateResult> rotate(Ledger& ledger, const RotationPool& pool, const RotateRequest& request);

// The reservation spec "requests=1,tokens=4000" (amounts take k/M suffixes). Errors are exit 2.
Result<std::vector<ReservationItem>> parse_reservation(const std::string& text, const std::string& where);

// --json output (docs/schemas/rotate.schema.json); never holds a secret.
nlohmann::json to_json(const RotateResult& result);

}  // namespace helios
