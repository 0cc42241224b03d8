#pragma once
// A quota window: its period and the provider's real reset rule, and where the window containing a given
// instant starts and ends.
//
// Reset rules (docs/ledger.md):
//   rolling           the last `period` (a rolling minute: usage of the last 60 s); counters are kept in
//                     buckets of period/60 and summed
//   utc-midnight      daily at 00:00 UTC (Groq, OpenRouter, Cerebras)
//   utc-hh:mm         daily at a fixed UTC time of day
//   pacific-midnight  daily at 00:00 America/Los_Angeles, DST included (Gemini's requests per day)
//   month-first       the 1st of the month, 00:00 UTC
//   week-monday       Monday 00:00 UTC
//   static            never resets (a capacity: storage, a one-off credit)
// The catalog's FreeQuota::reset text ("00:00 UTC", "00:00 America/Los_Angeles", "1st of month",
// "rolling") maps onto these; an empty text takes the period's default (minute/hour/second rolling, day
// UTC midnight, week Monday, month the 1st).

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ledger_time.hpp"
#include "core/units.hpp"

namespace helios {

enum class ResetKind { rolling, utc_daily, pacific_midnight, month_first, week_monday, never };

struct ResetRule {
  ResetKind kind = ResetKind::utc_daily;
  int utc_minute_of_day = 0;  // utc_daily: 0 = midnight
  bool operator==(const ResetRule&) const = default;
};

struct Window {
  Period period = Period::day;
  ResetRule reset;
  bool operator==(const Window&) const = default;
};

// The default rule of a period.
ResetRule default_reset(Period period);
// Parses a catalog reset text for a period. Errors name what is accepted.
Result<ResetRule> parse_reset_rule(std::string_view text, Period period);
// "rolling", "utc-midnight", "utc-06:00", "pacific-midnight", "month-first", "week-monday", "static".
std::string reset_rule_name(const ResetRule& rule);
// Inverse of reset_rule_name.
Result<ResetRule> reset_rule_from_name(std::string_view name);

// Bucket size of a window in ms: rolling windows count in buckets of period/60; fixed windows in one
// bucket per window instance.
EpochMs bucket_ms(const Window& window);
// The bucket key (its start) the instant `when` falls in.
EpochMs bucket_of(const Window& window, EpochMs when);
// The first instant counted in the window at `when` (rolling: when − period, rounded to a bucket).
EpochMs window_start(const Window& window, EpochMs when);
// When the window containing `when` resets (rolling: when + one bucket, when the oldest usage starts to
// drop out; static: 0 meaning never).
EpochMs window_end(const Window& window, EpochMs when);

}  // namespace helios
