#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/ledger.hpp"

using namespace helios;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("ledger");

namespace {
EpochMs at(const char* text)
{
  return parse_rfc3339(text).value();
}

struct TempDir {
  fs::path path;
  TempDir()
  {
    path = fs::temp_directory_path() / ("helios-ledger-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter()
  {
    static int c = 0;
    return c;
  }
};

const QuotaOwner k_groq{"groq", "default", "groq/llama-3.3-70b"};
const Window k_day{Period::day, {ResetKind::utc_daily, 0}};
const Window k_minute{Period::minute, {ResetKind::rolling, 0}};
}  // namespace

TEST_CASE("usage counts into every window of its limits and resets with each")
{
  TempDir dir;
  auto ledger = Ledger::open(dir.path.string()).value();
  REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 1000, "catalog"}));
  REQUIRE(ledger->set_limit({k_groq, "requests", k_minute, 30, "catalog"}));
  const EpochMs t = at("2026-11-26T23:59:30Z");
  REQUIRE(ledger->add_usage(k_groq, "requests", 5, t));
  CHECK(ledger->used(k_groq, "requests", k_day, t).value() == 5);
  CHECK(ledger->used(k_groq, "requests", k_minute, t + 30'000).value() == 5);
  CHECK(ledger->used(k_groq, "requests", k_minute, t + 60'000).value() == 0);   // rolled out of the minute
  CHECK(ledger->used(k_groq, "requests", k_day, t + 60'000).value() == 0);      // a new UTC day
  auto lines = ledger->report(t).value();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].dimension == "requests");
  CHECK(*lines[0].limit == 1000);
  CHECK(lines[0].resets_at == at("2026-11-27T00:00:00Z"));
}

TEST_CASE("headroom: a full fixed window is blocked until its reset, a rolling one until old usage leaves")
{
  TempDir dir;
  auto ledger = Ledger::open(dir.path.string()).value();
  REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 10, "catalog"}));
  REQUIRE(ledger->set_limit({k_groq, "tokens", k_minute, 1000, "catalog"}));
  const EpochMs t = at("2026-11-26T10:00:00Z");
  REQUIRE(ledger->add_usage(k_groq, "tokens", 600, t));
  REQUIRE(ledger->add_usage(k_groq, "tokens", 300, t + 20'000));
  auto h = ledger->headroom(k_groq, {{"tokens", 200}}, t + 30'000).value();
  CHECK_FALSE(h.fits);
  CHECK(h.blocked_until == t + 60'000);  // when the 600 leave the rolling minute
  CHECK(ledger->headroom(k_groq, {{"tokens", 100}}, t + 30'000).value().fits);
  REQUIRE(ledger->add_usage(k_groq, "requests", 10, t));
  h = ledger->headroom(k_groq, {{"requests", 1}}, t).value();
  CHECK_FALSE(h.fits);
  CHECK(h.blocked_until == at("2026-11-27T00:00:00Z"));
  CHECK(h.why.find("requests/day") != std::string::npos);
  h = ledger->headroom(k_groq, {{"tokens", 5000}}, t).value();
  CHECK_FALSE(h.fits);
  CHECK(h.blocked_until == 0);  // never fits: more than the limit
}

TEST_CASE("reservations settle to the actual usage")
{
  TempDir dir;
  auto ledger = Ledger::open(dir.path.string()).value();
  REQUIRE(ledger->set_limit({k_groq, "tokens", k_day, 100000, "catalog"}));
  const EpochMs t = at("2026-11-26T10:00:00Z");
  const auto id = ledger->reserve(k_groq, {{"requests", 1}, {"tokens", 4000}}, t, "llm").value();
  CHECK(ledger->used(k_groq, "tokens", k_day, t).value() == 4000);
  auto owner = ledger->settle(id, {{"tokens", 812}}, t + 1000).value();
  CHECK(owner == k_groq);
  CHECK(ledger->used(k_groq, "tokens", k_day, t).value() == 812);
  // Settling twice replaces, it does not add.
  REQUIRE(ledger->settle(id, {{"tokens", 900}}, t + 2000));
  CHECK(ledger->used(k_groq, "tokens", k_day, t).value() == 900);
  auto missing = ledger->settle(id + 100, {{"tokens", 1}}, t);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().exit == ExitCode::usage);
}

TEST_CASE("cooldowns are never shortened, survive the process and expire")
{
  TempDir dir;
  const EpochMs t = at("2026-11-26T10:00:00Z");
  {
    auto ledger = Ledger::open(dir.path.string()).value();
    REQUIRE(ledger->cool({k_groq, SignalKind::daily, t + 3'600'000, t, "429 daily"}));
    // A later 429 without a hint must not shorten the daily cooldown (LiteLLM #40130).
    REQUIRE(ledger->cool({k_groq, SignalKind::transient, t + 60'000, t + 1000, "429"}));
  }
  auto ledger = Ledger::open(dir.path.string()).value();  // another process, the same cooldown
  auto c = ledger->cooldown(k_groq, t + 120'000).value();
  REQUIRE(c);
  CHECK(c->available_at == t + 3'600'000);
  CHECK(c->kind == SignalKind::daily);
  CHECK_FALSE(ledger->headroom(k_groq, {{"requests", 1}}, t + 120'000).value().fits);
  CHECK_FALSE(ledger->cooldown(k_groq, t + 3'600'000).value());
  // After expiry a shorter one may be set again.
  REQUIRE(ledger->cool({k_groq, SignalKind::transient, t + 3'700'000, t + 3'650'000, "429"}));
  CHECK(ledger->cooldown(k_groq, t + 3'650'000).value()->available_at == t + 3'700'000);
}

TEST_CASE("observations from headers block an empty window and override the catalog limit")
{
  TempDir dir;
  auto ledger = Ledger::open(dir.path.string()).value();
  REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 14400, "catalog"}));
  const EpochMs t = at("2026-11-26T10:00:00Z");
  LimitObservation obs{"requests", Period::day, 1000.0, 0.0, t + 600'000, "x-ratelimit"};
  REQUIRE(ledger->observe(k_groq, obs, t));
  auto h = ledger->headroom(k_groq, {{"requests", 1}}, t).value();
  CHECK_FALSE(h.fits);
  CHECK(h.blocked_until == t + 600'000);
  auto limits = ledger->limits(k_groq).value();
  REQUIRE(limits.size() == 1);
  CHECK(limits[0].amount == 1000);
  CHECK(limits[0].source == "headers");
  CHECK(ledger->headroom(k_groq, {{"requests", 1}}, t + 600'001).value().fits);
}

TEST_CASE("the JSON document carries quotas, cooldowns and rotations")
{
  TempDir dir;
  auto ledger = Ledger::open(dir.path.string()).value();
  const EpochMs t = at("2026-11-26T10:00:00Z");
  REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 1000, "catalog"}));
  REQUIRE(ledger->add_usage(k_groq, "requests", 250, t));
  REQUIRE(ledger->record_rotation({t, "llm", "gemini/flash", "groq/llama-3.3-70b", "daily", true, 0}));
  auto doc = ledger->to_json(t).value();
  CHECK(doc["generated_at"] == "2026-11-26T10:00:00Z");
  REQUIRE(doc["quotas"].size() == 1);
  CHECK(doc["quotas"][0]["remaining"] == 750);
  CHECK(doc["quotas"][0]["fraction"] == 0.25);
  CHECK(doc["quotas"][0]["reset_rule"] == "utc-midnight");
  CHECK(doc["rotations"][0]["to"] == "groq/llama-3.3-70b");
}

TEST_CASE("concurrent reservations from separate connections never exceed the limit")
{
  TempDir dir;
  {
    auto ledger = Ledger::open(dir.path.string()).value();
    REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 100, "catalog"}));
  }
  const EpochMs t = at("2026-11-26T10:00:00Z");
  std::atomic<int> granted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto ledger = Ledger::open(dir.path.string()).value();
      for (int k = 0; k < 40; ++k) {
        bool ok = false;
        auto r = ledger->transaction([&]() -> Result<void> {
          auto h = ledger->headroom(k_groq, {{"requests", 1}}, t);
          if (!h) {
            return tl::unexpected(h.error());
          }
          if (h->fits) {
            auto id = ledger->reserve(k_groq, {{"requests", 1}}, t, "llm");
            if (!id) {
              return tl::unexpected(id.error());
            }
            ok = true;
          }
          return {};
        });
        if (!r) {
          ++errors;
        } else if (ok) {
          ++granted;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(errors == 0);
  CHECK(granted == 100);
  auto ledger = Ledger::open(dir.path.string()).value();
  CHECK(ledger->used(k_groq, "requests", k_day, t).value() == 100);
}

TEST_CASE("a long WAL is truncated when the connection closes, so the next process does not re-read it")
{
  TempDir dir;
  const fs::path wal = dir.path / "ledger.db-wal";
  {
    auto ledger = Ledger::open(dir.path.string()).value();
    REQUIRE(ledger->set_limit({k_groq, "requests", k_day, 100000, "catalog"}));
    const EpochMs t = at("2026-11-26T12:00:00Z");
    for (int i = 0; i < 400; ++i) {
      REQUIRE(ledger->add_usage(k_groq, "requests", 1, t + i));
    }
    CHECK(fs::file_size(wal) > 0);  // the log persists while open
  }
  CHECK(fs::file_size(wal) == 0);
  auto again = Ledger::open(dir.path.string()).value();
  CHECK(again->used(k_groq, "requests", k_day, at("2026-11-26T13:00:00Z")).value() == 400);
}
