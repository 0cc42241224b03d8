#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "core/rotate.hpp"

using namespace helios;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("rotate");

namespace {
EpochMs at(const char* text)
{
  return parse_rfc3339(text).value();
}

struct Fixture {
  fs::path dir;
  std::unique_ptr<Ledger> ledger;
  RotationPool pool;
  Fixture()
  {
    static int n = 0;
    dir = fs::temp_directory_path() / ("helios-rotate-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    ledger = Ledger::open(dir.string()).value();
    ::setenv("HELIOS_TEST_KEY_A", "sk-a", 1);
    ::setenv("HELIOS_TEST_KEY_B", "sk-b", 1);
    ::unsetenv("HELIOS_TEST_KEY_UNSET");
    pool.workload = "llm";
    pool.members.push_back(member("groq", "groq/llama", "HELIOS_TEST_KEY_A", 0.7, 10));
    pool.members.push_back(member("gemini", "gemini/flash", "HELIOS_TEST_KEY_B", 0.3, 10, ResetKind::pacific_midnight));
    REQUIRE(store_pool(*ledger, pool, "fp1"));
  }
  ~Fixture() { fs::remove_all(dir); }
  static PoolMember member(const std::string& provider, const std::string& offering, const std::string& env, double weight,
                           double per_day, ResetKind day_reset = ResetKind::utc_daily)
  {
    PoolMember m;
    m.provider = provider;
    m.offering = offering;
    m.pool = offering;
    m.model = offering.substr(offering.find('/') + 1);
    m.base_url = "http://127.0.0.1:1/" + provider + "/v1";
    m.credential_env = env;
    m.weight = weight;
    m.limits.push_back({m.owner(), "requests", Window{Period::day, {day_reset, 0}}, per_day, "catalog"});
    return m;
  }
};
}  // namespace

TEST_CASE("the pool is cached in the ledger by fingerprint")
{
  Fixture f;
  auto same = load_pool(*f.ledger, "llm", "fp1").value();
  REQUIRE(same);
  REQUIRE(same->members.size() == 2);
  CHECK(same->members[1].limits[0].window.reset.kind == ResetKind::pacific_midnight);
  CHECK_FALSE(load_pool(*f.ledger, "llm", "fp2").value());
  CHECK_FALSE(load_pool(*f.ledger, "web", "").value());
}

TEST_CASE("first pick follows weight × headroom, and reserves")
{
  Fixture f;
  RotateRequest req{"llm", "", std::nullopt, std::nullopt, {{"requests", 1}}, true, at("2026-11-26T10:00:00Z")};
  auto r = rotate(*f.ledger, f.pool, req).value();
  REQUIRE(r.granted);
  CHECK(r.member.offering == "groq/llama");
  CHECK(r.reservation > 0);
  CHECK(f.ledger->used(f.pool.members[0].owner(), "requests", f.pool.members[0].limits[0].window, req.now).value() == 1);
  int groq = 0;
  int gemini = 0;
  for (int i = 0; i < 19; ++i) {
    auto next = rotate(*f.ledger, f.pool, req).value();
    REQUIRE(next.granted);
    (next.member.provider == "groq" ? groq : gemini)++;
  }
  CHECK(groq == 9);     // with the first: 10, its whole day
  CHECK(gemini == 10);
  auto none = rotate(*f.ledger, f.pool, req).value();
  CHECK_FALSE(none.granted);
  CHECK(none.next_available_at == at("2026-11-27T00:00:00Z"));  // groq's UTC midnight before Pacific's 08:00
  CHECK(none.skipped.size() == 2);
}

TEST_CASE("a 429 signal cools the member until its available_at and rotates at once")
{
  Fixture f;
  const EpochMs now = at("2026-11-26T10:00:00Z");
  RotateRequest req{"llm", "groq", std::nullopt, std::nullopt, {{"requests", 1}}, true, now};
  req.signal = parse_raw_response("HTTP/1.1 429 Too Many Requests\nretry-after: 20\n\n{\"error\":{\"code\":\"rate_limit_exceeded\"}}").value();
  auto r = rotate(*f.ledger, f.pool, req).value();
  REQUIRE(r.granted);
  CHECK(r.member.provider == "gemini");
  REQUIRE(r.signal);
  CHECK(r.signal->kind == SignalKind::transient);
  CHECK(r.left_until == now + 20'000);
  auto cool = f.ledger->cooldown(f.pool.members[0].owner(), now).value();
  REQUIRE(cool);
  CHECK(cool->available_at == now + 20'000);
  // After the cooldown the weights bring groq back.
  RotateRequest later{"llm", "", std::nullopt, std::nullopt, {{"requests", 1}}, true, now + 21'000};
  CHECK(rotate(*f.ledger, f.pool, later).value().member.provider == "groq");
  auto rotations = f.ledger->rotations(10).value();
  REQUIRE(rotations.size() == 1);
  CHECK(rotations[0].from == "groq");
  CHECK(rotations[0].to == "gemini/flash");
  CHECK(rotations[0].reason == "transient");
}

TEST_CASE("--reason exhausted without a signal cools until the end of the member's quota period")
{
  Fixture f;
  const EpochMs now = at("2026-11-26T10:00:00Z");
  RotateRequest req{"llm", "gemini", SignalKind::daily, std::nullopt, {{"requests", 1}}, true, now};
  auto r = rotate(*f.ledger, f.pool, req).value();
  CHECK(r.member.provider == "groq");
  CHECK(r.left_until == at("2026-11-26T08:00:00Z") + 86'400'000);  // next midnight Pacific
}

TEST_CASE("members whose credential variable is unset are skipped; bad --from is a usage error")
{
  Fixture f;
  f.pool.members[0].credential_env = "HELIOS_TEST_KEY_UNSET";
  RotateRequest req{"llm", "", std::nullopt, std::nullopt, {}, true, at("2026-11-26T10:00:00Z")};
  auto r = rotate(*f.ledger, f.pool, req).value();
  CHECK(r.member.provider == "gemini");
  CHECK(r.skipped[0].why.find("HELIOS_TEST_KEY_UNSET") != std::string::npos);
  req.from = "nobody";
  req.reason = SignalKind::transient;
  auto bad = rotate(*f.ledger, f.pool, req);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().exit == ExitCode::usage);
}

TEST_CASE("reservation specs")
{
  auto items = parse_reservation("requests=1,tokens=4k", "--reserve").value();
  REQUIRE(items.size() == 2);
  CHECK(items[1].amount == 4000);
  auto bad = parse_reservation("requests=1,tokens", "--reserve");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().where == "--reserve:1:12");
  CHECK_FALSE(parse_reservation("tokens=lots", "--reserve"));
}
