#include <doctest/doctest.h>

#include "core/ledger_time.hpp"

using namespace helios;

TEST_SUITE_BEGIN("ledger_time");

namespace {
EpochMs at(const char* text)
{
  return parse_rfc3339(text).value();
}
}  // namespace

TEST_CASE("RFC 3339 round-trips, with offsets and fractions")
{
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(at("2026-11-26T01:30:00Z")) == "2026-11-26T01:30:00Z");
  CHECK(at("2026-11-26T01:30:00.250Z") - at("2026-11-26T01:30:00Z") == 250);
  CHECK(at("2026-11-25T17:30:00-08:00") == at("2026-11-26T01:30:00Z"));
  CHECK(format_rfc3339(at("2024-02-29T23:59:59.5Z")) == "2024-02-29T23:59:59.500Z");
  CHECK_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK_FALSE(parse_rfc3339("2026-11-26T01:30:00"));  // no zone
}

TEST_CASE("HTTP-dates parse (RFC 9110 IMF-fixdate)")
{
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").value() == at("1994-11-06T08:49:37Z"));
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
}

TEST_CASE("civil dates and weekdays")
{
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(civil_from_days(days_from_civil({2000, 2, 29})).day == 29);
  CHECK(weekday_from_days(days_from_civil({2026, 11, 26})) == 4);  // a Thursday
  CHECK(weekday_from_days(days_from_civil({1969, 12, 28})) == 0);  // a Sunday before the epoch
}

TEST_CASE("America/Los_Angeles offsets follow the US DST rules without tzdata")
{
  CHECK(pacific_offset_seconds(at("2026-01-15T12:00:00Z")) == -8 * 3600);
  CHECK(pacific_offset_seconds(at("2026-07-01T12:00:00Z")) == -7 * 3600);
  // 2026: DST from Sunday 8 March 10:00 UTC to Sunday 1 November 09:00 UTC.
  CHECK(pacific_offset_seconds(at("2026-03-08T09:59:59Z")) == -8 * 3600);
  CHECK(pacific_offset_seconds(at("2026-03-08T10:00:00Z")) == -7 * 3600);
  CHECK(pacific_offset_seconds(at("2026-11-01T08:59:59Z")) == -7 * 3600);
  CHECK(pacific_offset_seconds(at("2026-11-01T09:00:00Z")) == -8 * 3600);
  // 2006 used the old rule: first Sunday of April (2 April).
  CHECK(pacific_offset_seconds(at("2006-03-20T12:00:00Z")) == -8 * 3600);
  CHECK(pacific_offset_seconds(at("2006-04-02T10:00:00Z")) == -7 * 3600);
}

TEST_CASE("Pacific midnight: the day start and the next reset, 23- and 25-hour days included")
{
  CHECK(pacific_day_start(at("2026-11-26T01:30:00Z")) == at("2026-11-25T08:00:00Z"));
  CHECK(pacific_next_midnight(at("2026-11-26T01:30:00Z")) == at("2026-11-26T08:00:00Z"));
  CHECK(pacific_day_start(at("2026-07-01T12:00:00Z")) == at("2026-07-01T07:00:00Z"));
  CHECK(pacific_next_midnight(at("2026-07-01T06:59:59Z")) == at("2026-07-01T07:00:00Z"));
  // Spring forward: the 8th of March 2026 has 23 hours.
  CHECK(pacific_day_start(at("2026-03-08T12:00:00Z")) == at("2026-03-08T08:00:00Z"));
  CHECK(pacific_next_midnight(at("2026-03-08T12:00:00Z")) == at("2026-03-09T07:00:00Z"));
  // Fall back: the 1st of November 2026 has 25 hours.
  CHECK(pacific_day_start(at("2026-11-01T12:00:00Z")) == at("2026-11-01T07:00:00Z"));
  CHECK(pacific_next_midnight(at("2026-11-01T12:00:00Z")) == at("2026-11-02T08:00:00Z"));
}
