#include <doctest/doctest.h>

#include "core/ledger_window.hpp"

using namespace helios;

TEST_SUITE_BEGIN("ledger_window");

namespace {
EpochMs at(const char* text)
{
  return parse_rfc3339(text).value();
}
}  // namespace

TEST_CASE("catalog reset texts map to rules")
{
  CHECK(parse_reset_rule("00:00 UTC", Period::day).value().kind == ResetKind::utc_daily);
  CHECK(parse_reset_rule("00:00 America/Los_Angeles", Period::day).value().kind == ResetKind::pacific_midnight);
  CHECK(parse_reset_rule("1st of month", Period::month).value().kind == ResetKind::month_first);
  CHECK(parse_reset_rule("rolling", Period::minute).value().kind == ResetKind::rolling);
  CHECK(parse_reset_rule("", Period::minute).value().kind == ResetKind::rolling);
  CHECK(parse_reset_rule("", Period::day).value().kind == ResetKind::utc_daily);
  auto six = parse_reset_rule("06:30 UTC", Period::day).value();
  CHECK(six.utc_minute_of_day == 390);
  CHECK(reset_rule_name(six) == "utc-06:30");
  CHECK(reset_rule_from_name("utc-06:30").value() == six);
  auto bad = parse_reset_rule("at dawn", Period::day);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().exit == ExitCode::usage);
  CHECK(bad.error().hint.find("America/Los_Angeles") != std::string::npos);
}

TEST_CASE("UTC-midnight days, Pacific days, months and weeks")
{
  const EpochMs now = at("2026-11-26T01:30:00Z");
  const Window utc{Period::day, {ResetKind::utc_daily, 0}};
  CHECK(window_start(utc, now) == at("2026-11-26T00:00:00Z"));
  CHECK(window_end(utc, now) == at("2026-11-27T00:00:00Z"));
  const Window six{Period::day, {ResetKind::utc_daily, 360}};
  CHECK(window_start(six, now) == at("2026-11-25T06:00:00Z"));
  CHECK(window_end(six, now) == at("2026-11-26T06:00:00Z"));
  const Window pacific{Period::day, {ResetKind::pacific_midnight, 0}};
  CHECK(window_start(pacific, now) == at("2026-11-25T08:00:00Z"));
  CHECK(window_end(pacific, now) == at("2026-11-26T08:00:00Z"));
  const Window month{Period::month, {ResetKind::month_first, 0}};
  CHECK(window_start(month, now) == at("2026-11-01T00:00:00Z"));
  CHECK(window_end(month, now) == at("2026-12-01T00:00:00Z"));
  CHECK(window_end(month, at("2026-12-31T23:00:00Z")) == at("2027-01-01T00:00:00Z"));
  const Window week{Period::week, {ResetKind::week_monday, 0}};
  CHECK(window_start(week, now) == at("2026-11-23T00:00:00Z"));  // Monday
  CHECK(window_end(week, now) == at("2026-11-30T00:00:00Z"));
  const Window never{Period::none, {ResetKind::never, 0}};
  CHECK(window_end(never, now) == 0);
}

TEST_CASE("a rolling minute counts the last 60 seconds in one-second buckets")
{
  const Window minute{Period::minute, {ResetKind::rolling, 0}};
  const EpochMs now = at("2026-11-26T01:30:10.400Z");
  CHECK(bucket_ms(minute) == 1000);
  CHECK(bucket_of(minute, now) == at("2026-11-26T01:30:10Z"));
  CHECK(window_start(minute, now) == at("2026-11-26T01:29:11Z"));
  CHECK(window_end(minute, now) == at("2026-11-26T01:30:11Z"));
  const Window hour{Period::hour, {ResetKind::rolling, 0}};
  CHECK(bucket_ms(hour) == 60'000);
}
