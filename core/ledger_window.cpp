#include "core/ledger_window.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace helios {

namespace {

constexpr EpochMs k_day_ms = 86'400'000;

EpochMs floor_to(EpochMs value, EpochMs step)
{
  EpochMs q = value / step;
  if (value % step != 0 && value < 0) {
    --q;
  }
  return q * step;
}

std::string lower_trim(std::string_view text)
{
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) {
    ++b;
  }
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) {
    --e;
  }
  std::string out(text.substr(b, e - b));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "HH:MM" at the front of text, as minutes of the day.
std::optional<int> leading_time(std::string_view text)
{
  if (text.size() < 5 || text[2] != ':' || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      !std::isdigit(static_cast<unsigned char>(text[1])) || !std::isdigit(static_cast<unsigned char>(text[3])) ||
      !std::isdigit(static_cast<unsigned char>(text[4]))) {
    return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) {
    return std::nullopt;
  }
  return h * 60 + m;
}

EpochMs month_start(EpochMs when)
{
  const CivilDate d = civil_from_days(floor_to(when, k_day_ms) / k_day_ms);
  return days_from_civil({d.year, d.month, 1}) * k_day_ms;
}

EpochMs next_month_start(EpochMs when)
{
  const CivilDate d = civil_from_days(floor_to(when, k_day_ms) / k_day_ms);
  return days_from_civil({d.month == 12 ? d.year + 1 : d.year, d.month == 12 ? 1 : d.month + 1, 1}) * k_day_ms;
}

EpochMs week_start(EpochMs when)
{
  const EpochMs days = floor_to(when, k_day_ms) / k_day_ms;
  const unsigned wd = weekday_from_days(days);  // 0 Sunday
  return (days - static_cast<EpochMs>((wd + 6) % 7)) * k_day_ms;
}

EpochMs period_ms(Period period)
{
  return static_cast<EpochMs>(period_seconds(period) * 1000);
}

}  // namespace

ResetRule default_reset(Period period)
{
  switch (period) {
  case Period::second:
  case Period::minute:
  case Period::hour:
    return {ResetKind::rolling, 0};
  case Period::day:
    return {ResetKind::utc_daily, 0};
  case Period::week:
    return {ResetKind::week_monday, 0};
  case Period::month:
    return {ResetKind::month_first, 0};
  case Period::none:
    return {ResetKind::never, 0};
  }
  return {ResetKind::utc_daily, 0};
}

Result<ResetRule> parse_reset_rule(std::string_view text, Period period)
{
  const std::string t = lower_trim(text);
  if (t.empty()) {
    return default_reset(period);
  }
  if (t == "rolling" || t == "sliding") {
    if (period == Period::none) {
      return fail(ExitCode::usage, "invalid_reset", "a static quota cannot have a rolling reset", "",
                  "drop `reset:` or give the quota a period");
    }
    return ResetRule{ResetKind::rolling, 0};
  }
  if (t == "never" || t == "static" || t == "none") {
    return ResetRule{ResetKind::never, 0};
  }
  if (t == "1st of month" || t == "1st of the month" || t == "month-first" || t == "monthly" ||
      t == "00:00 utc 1st of month") {
    return ResetRule{ResetKind::month_first, 0};
  }
  if (t == "monday" || t == "week-monday" || t == "weekly") {
    return ResetRule{ResetKind::week_monday, 0};
  }
  if (t == "pacific-midnight" || t == "utc-midnight") {
    return reset_rule_from_name(t);
  }
  if (auto minutes = leading_time(t)) {
    const std::string zone = lower_trim(std::string_view(t).substr(5));
    if (zone == "utc" || zone == "gmt" || zone == "z") {
      return ResetRule{ResetKind::utc_daily, *minutes};
    }
    if (zone == "america/los_angeles" || zone == "pacific" || zone == "pt" || zone == "us/pacific" ||
        zone == "pst8pdt") {
      if (*minutes != 0) {
        return fail(ExitCode::usage, "invalid_reset",
                    fmt::format("reset '{}': only midnight is supported in America/Los_Angeles", text), "",
                    "write \"00:00 America/Los_Angeles\"");
      }
      return ResetRule{ResetKind::pacific_midnight, 0};
    }
  }
  return fail(ExitCode::usage, "invalid_reset", fmt::format("unknown reset rule '{}'", text), "",
              "expected \"HH:MM UTC\", \"00:00 America/Los_Angeles\", \"1st of month\", \"monday\", \"rolling\" or \"never\"");
}

std::string reset_rule_name(const ResetRule& rule)
{
  switch (rule.kind) {
  case ResetKind::rolling:
    return "rolling";
  case ResetKind::utc_daily:
    return rule.utc_minute_of_day == 0
             ? std::string("utc-midnight")
             : fmt::format("utc-{:02}:{:02}", rule.utc_minute_of_day / 60, rule.utc_minute_of_day % 60);
  case ResetKind::pacific_midnight:
    return "pacific-midnight";
  case ResetKind::month_first:
    return "month-first";
  case ResetKind::week_monday:
    return "week-monday";
  case ResetKind::never:
    return "static";
  }
  return "static";
}

Result<ResetRule> reset_rule_from_name(std::string_view name)
{
  if (name == "rolling") {
    return ResetRule{ResetKind::rolling, 0};
  }
  if (name == "utc-midnight") {
    return ResetRule{ResetKind::utc_daily, 0};
  }
  if (name == "pacific-midnight") {
    return ResetRule{ResetKind::pacific_midnight, 0};
  }
  if (name == "month-first") {
    return ResetRule{ResetKind::month_first, 0};
  }
  if (name == "week-monday") {
    return ResetRule{ResetKind::week_monday, 0};
  }
  if (name == "static") {
    return ResetRule{ResetKind::never, 0};
  }
  if (name.size() == 9 && name.substr(0, 4) == "utc-") {
    if (auto minutes = leading_time(name.substr(4))) {
      return ResetRule{ResetKind::utc_daily, *minutes};
    }
  }
  return fail(ExitCode::usage, "invalid_reset", fmt::format("unknown reset rule '{}'", name), "",
              "expected rolling, utc-midnight, utc-HH:MM, pacific-midnight, month-first, week-monday or static");
}

EpochMs bucket_ms(const Window& window)
{
  if (window.reset.kind == ResetKind::rolling) {
    return std::max<EpochMs>(1000, period_ms(window.period) / 60);
  }
  return 0;
}

EpochMs bucket_of(const Window& window, EpochMs when)
{
  if (window.reset.kind == ResetKind::rolling) {
    return floor_to(when, bucket_ms(window));
  }
  return window_start(window, when);
}

EpochMs window_start(const Window& window, EpochMs when)
{
  switch (window.reset.kind) {
  case ResetKind::rolling: {
    const EpochMs step = bucket_ms(window);
    return floor_to(when, step) - period_ms(window.period) + step;
  }
  case ResetKind::utc_daily: {
    const EpochMs shift = window.reset.utc_minute_of_day * 60'000LL;
    return floor_to(when - shift, k_day_ms) + shift;
  }
  case ResetKind::pacific_midnight:
    return pacific_day_start(when);
  case ResetKind::month_first:
    return month_start(when);
  case ResetKind::week_monday:
    return week_start(when);
  case ResetKind::never:
    return 0;
  }
  return 0;
}

EpochMs window_end(const Window& window, EpochMs when)
{
  switch (window.reset.kind) {
  case ResetKind::rolling:
    return floor_to(when, bucket_ms(window)) + bucket_ms(window);
  case ResetKind::utc_daily:
    return window_start(window, when) + k_day_ms;
  case ResetKind::pacific_midnight:
    return pacific_next_midnight(when);
  case ResetKind::month_first:
    return next_month_start(when);
  case ResetKind::week_monday:
    return week_start(when) + 7 * k_day_ms;
  case ResetKind::never:
    return 0;
  }
  return 0;
}

}  // namespace helios
