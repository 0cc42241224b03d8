#include "core/ledger_time.hpp"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace helios {

namespace {

constexpr std::int64_t k_day_ms = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) {
    --q;
  }
  return q;
}

// Days since the epoch of the n-th (1-based) given weekday of a month; n = -1: the last one.
std::int64_t nth_weekday(int year, unsigned month, unsigned weekday, int n)
{
  if (n > 0) {
    const std::int64_t first = days_from_civil({year, month, 1});
    const unsigned wd = weekday_from_days(first);
    return first + static_cast<std::int64_t>((weekday + 7 - wd) % 7) + 7 * (n - 1);
  }
  const unsigned next_month = month == 12 ? 1 : month + 1;
  const int next_year = month == 12 ? year + 1 : year;
  const std::int64_t last = days_from_civil({next_year, next_month, 1}) - 1;
  const unsigned wd = weekday_from_days(last);
  return last - static_cast<std::int64_t>((wd + 7 - weekday) % 7);
}

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out)
{
  if (pos + count > text.size()) {
    return false;
  }
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::int64_t days_from_civil(CivilDate date)
{
  const int y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = date.month > 2 ? date.month - 3 : date.month + 9;
  const unsigned doy = (153 * mp + 2) / 5 + date.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days)
{
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

unsigned weekday_from_days(std::int64_t days)
{
  return static_cast<unsigned>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

EpochMs now_ms()
{
  if (const char* fixed = std::getenv("HELIOS_NOW"); fixed && *fixed) {
    if (auto t = parse_rfc3339(fixed)) {
      return *t;
    }
    char* end = nullptr;
    const double seconds = std::strtod(fixed, &end);
    if (end && *end == '\0') {
      return static_cast<EpochMs>(seconds * 1000);
    }
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string format_rfc3339(EpochMs when)
{
  const std::int64_t days = floor_div(when, k_day_ms);
  const std::int64_t rest = when - days * k_day_ms;
  const CivilDate date = civil_from_days(days);
  const auto seconds = rest / 1000;
  const auto millis = rest % 1000;
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month, date.day,
                                 seconds / 3600, (seconds / 60) % 60, seconds % 60);
  if (millis != 0) {
    text += fmt::format(".{:03}", millis);
  }
  text += 'Z';
  return text;
}

std::optional<EpochMs> parse_rfc3339(std::string_view text)
{
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !parse_digits(text, 0, 4, year) || text[4] != '-' || !parse_digits(text, 5, 2, month) ||
      text[7] != '-' || !parse_digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !parse_digits(text, 11, 2, hour) || text[13] != ':' || !parse_digits(text, 14, 2, minute) ||
      text[16] != ':' || !parse_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 3) {
        millis = millis * 10 + (text[pos] - '0');
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (int i = digits; i < 3; ++i) {
      millis *= 10;
    }
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!parse_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parse_digits(text, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil({year, static_cast<unsigned>(month), static_cast<unsigned>(day)});
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1000 + millis;
}

std::optional<EpochMs> parse_http_date(std::string_view text)
{
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!parse_digits(text, 5, 2, day) || !parse_digits(text, 12, 4, year) || !parse_digits(text, 17, 2, hour) ||
      !parse_digits(text, 20, 2, minute) || !parse_digits(text, 23, 2, second)) {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == k_months[i]) {
      month = i + 1;
    }
  }
  if (month == 0) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil({year, month, static_cast<unsigned>(day)});
  return (days * 86400 + hour * 3600 + minute * 60 + second) * 1000;
}

int pacific_offset_seconds(EpochMs when)
{
  const int year = civil_from_days(floor_div(when, k_day_ms)).year;
  std::int64_t start_day = 0;
  std::int64_t end_day = 0;
  if (year >= 2007) {
    start_day = nth_weekday(year, 3, 0, 2);   // second Sunday of March
    end_day = nth_weekday(year, 11, 0, 1);    // first Sunday of November
  } else {
    start_day = nth_weekday(year, 4, 0, 1);   // first Sunday of April
    end_day = nth_weekday(year, 10, 0, -1);   // last Sunday of October
  }
  const EpochMs dst_start = start_day * k_day_ms + 10 * 3'600'000LL;  // 02:00 PST = 10:00 UTC
  const EpochMs dst_end = end_day * k_day_ms + 9 * 3'600'000LL;       // 02:00 PDT = 09:00 UTC
  return (when >= dst_start && when < dst_end) ? -7 * 3600 : -8 * 3600;
}

EpochMs pacific_day_start(EpochMs when)
{
  const EpochMs local = when + pacific_offset_seconds(when) * 1000LL;
  const EpochMs local_midnight = floor_div(local, k_day_ms) * k_day_ms;
  // Transitions happen at 02:00 local, so exactly one offset maps local midnight back consistently.
  for (const int offset : {-8 * 3600, -7 * 3600}) {
    const EpochMs candidate = local_midnight - offset * 1000LL;
    if (pacific_offset_seconds(candidate) == offset) {
      return candidate;
    }
  }
  return local_midnight + 8 * 3'600'000LL;
}

EpochMs pacific_next_midnight(EpochMs when)
{
  // The next day starts 23, 24 or 25 hours later; 26 h from the day's start is always inside it.
  return pacific_day_start(pacific_day_start(when) + 26 * 3'600'000LL);
}

}  // namespace helios
