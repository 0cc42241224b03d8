#pragma once
// Time for the ledger: epoch milliseconds, the proleptic Gregorian calendar in UTC, RFC 3339 and
// HTTP-date text, and America/Los_Angeles (US Pacific) local time with its DST rules computed here,
// so that Gemini's "midnight Pacific" reset works without tzdata installed.
//
// US Pacific rules (Energy Policy Act of 2005, in force since 2007): standard time UTC−8; daylight time
// UTC−7 from the second Sunday of March at 02:00 local standard time (10:00 UTC) to the first Sunday of
// November at 02:00 local daylight time (09:00 UTC). Earlier years used the 1987–2006 rule (first Sunday
// of April to the last Sunday of October), implemented too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helios {

using EpochMs = std::int64_t;  // milliseconds since 1970-01-01T00:00:00Z

struct CivilDate {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate date);
CivilDate civil_from_days(std::int64_t days);
// 0 = Sunday … 6 = Saturday.
unsigned weekday_from_days(std::int64_t days);

// The current time (HELIOS_NOW overrides it: RFC 3339 or epoch seconds; tests and benchmarks use it).
EpochMs now_ms();

// "2026-11-26T01:30:00Z" (milliseconds shown only when not zero).
std::string format_rfc3339(EpochMs when);
// RFC 3339 with Z or an offset, fractional seconds allowed.
std::optional<EpochMs> parse_rfc3339(std::string_view text);
// RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<EpochMs> parse_http_date(std::string_view text);

// UTC offset of America/Los_Angeles at an instant, in seconds (−28800 or −25200).
int pacific_offset_seconds(EpochMs when);
// The instant local midnight Pacific starts the day containing `when`, and the next one.
EpochMs pacific_day_start(EpochMs when);
EpochMs pacific_next_midnight(EpochMs when);

}  // namespace helios
