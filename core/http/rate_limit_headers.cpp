#include "core/http/rate_limit_headers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

namespace helios::http {

namespace {

std::optional<double> parse_number(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  // std::from_chars for double is available in libstdc++ 11+.
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The leading number of a value such as "400, 400;w=60" or "100;w=60".
std::optional<double> leading_number(std::string_view text)
{
  text = trim(text);
  auto end = text.find_first_of(",;");
  return parse_number(text.substr(0, end));
}

// The `w=` parameter of a policy value such as "400, 400;w=60".
std::optional<std::chrono::seconds> window_parameter(std::string_view text)
{
  auto pos = text.find(";w=");
  if (pos == std::string_view::npos) {
    return std::nullopt;
  }
  auto rest = text.substr(pos + 3);
  auto end = rest.find_first_of(",;");
  auto seconds = parse_number(rest.substr(0, end));
  if (!seconds) {
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<long long>(*seconds));
}

bool starts_with_ci(std::string_view text, std::string_view prefix)
{
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

TimePoint from_seconds(double seconds)
{
  return TimePoint(std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(seconds)));
}

// days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d)
{
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::optional<TimePoint> make_time(int year, int month, int day, int hour, int minute, double second, long offset_seconds)
{
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second >= 61) {
    return std::nullopt;
  }
  long long days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  double total = static_cast<double>(days) * 86400.0 + hour * 3600.0 + minute * 60.0 + second -
                 static_cast<double>(offset_seconds);
  return from_seconds(total);
}

int month_from_name(std::string_view name)
{
  static constexpr std::string_view names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (iequals(name, names[i])) {
      return i + 1;
    }
  }
  return 0;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    parts.push_back(trim(text.substr(start, end - start)));
    start = end + 1;
  }
  return parts;
}

std::optional<int> parse_int(std::string_view text)
{
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "08:49:37" → hour, minute, second
bool parse_clock(std::string_view text, int& hour, int& minute, int& second)
{
  auto parts = split(text, ':');
  if (parts.size() != 3) {
    return false;
  }
  auto h = parse_int(parts[0]);
  auto m = parse_int(parts[1]);
  auto s = parse_int(parts[2]);
  if (!h || !m || !s) {
    return false;
  }
  hour = *h;
  minute = *m;
  second = *s;
  return true;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  bool negative = false;
  if (text.front() == '+' || text.front() == '-') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    return std::chrono::nanoseconds(0);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  double total_ns = 0;
  while (!text.empty()) {
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
      ++i;
    }
    if (i == 0) {
      return std::nullopt;
    }
    auto number = parse_number(text.substr(0, i));
    if (!number) {
      return std::nullopt;
    }
    text.remove_prefix(i);
    std::size_t j = 0;
    while (j < text.size() && !((text[j] >= '0' && text[j] <= '9') || text[j] == '.')) {
      ++j;
    }
    auto unit = text.substr(0, j);
    text.remove_prefix(j);
    double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return std::nullopt;  // a missing or unknown unit
    }
    total_ns += *number * scale;
  }
  auto ns = std::chrono::nanoseconds(static_cast<long long>(std::llround(total_ns)));
  return negative ? -ns : ns;
}

std::optional<TimePoint> parse_rfc3339(std::string_view text)
{
  text = trim(text);
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = parse_int(text.substr(0, 4));
  auto month = parse_int(text.substr(5, 2));
  auto day = parse_int(text.substr(8, 2));
  auto hour = parse_int(text.substr(11, 2));
  auto minute = parse_int(text.substr(14, 2));
  auto whole = parse_int(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !whole) {
    return std::nullopt;
  }
  double second = *whole;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t end = pos + 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
      ++end;
    }
    auto fraction = parse_number(text.substr(pos, end - pos));  // ".123"
    if (!fraction && end == pos + 1) {
      return std::nullopt;
    }
    second += fraction.value_or(0);
    pos = end;
  }
  long offset = 0;
  auto zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto oh = parse_int(zone.substr(1, 2));
    auto om = parse_int(zone.substr(4, 2));
    if (!oh || !om) {
      return std::nullopt;
    }
    offset = (*oh * 3600L + *om * 60L) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  return make_time(*year, *month, *day, *hour, *minute, second, offset);
}

std::optional<TimePoint> parse_http_date(std::string_view text)
{
  text = trim(text);
  auto comma = text.find(',');
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (comma != std::string_view::npos) {
    auto rest = trim(text.substr(comma + 1));
    auto parts = split(rest, ' ');
    if (parts.size() == 3 && parts[0].find('-') != std::string_view::npos) {
      // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
      auto date = split(parts[0], '-');
      if (date.size() != 3 || !iequals(parts[2], "GMT")) {
        return std::nullopt;
      }
      auto d = parse_int(date[0]);
      auto y = parse_int(date[2]);
      month = month_from_name(date[1]);
      if (!d || !y || month == 0 || !parse_clock(parts[1], hour, minute, second)) {
        return std::nullopt;
      }
      day = *d;
      year = *y < 70 ? 2000 + *y : (*y < 100 ? 1900 + *y : *y);
    } else if (parts.size() == 5) {
      // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
      auto d = parse_int(parts[0]);
      auto y = parse_int(parts[2]);
      month = month_from_name(parts[1]);
      if (!d || !y || month == 0 || !iequals(parts[4], "GMT") || !parse_clock(parts[3], hour, minute, second)) {
        return std::nullopt;
      }
      day = *d;
      year = *y;
    } else {
      return std::nullopt;
    }
  } else {
    // asctime: "Sun Nov  6 08:49:37 1994"
    std::vector<std::string_view> parts;
    for (auto part : split(text, ' ')) {
      if (!part.empty()) {
        parts.push_back(part);
      }
    }
    if (parts.size() != 5) {
      return std::nullopt;
    }
    month = month_from_name(parts[1]);
    auto d = parse_int(parts[2]);
    auto y = parse_int(parts[4]);
    if (month == 0 || !d || !y || !parse_clock(parts[3], hour, minute, second)) {
      return std::nullopt;
    }
    day = *d;
    year = *y;
  }
  return make_time(year, month, day, hour, minute, second, 0);
}

std::optional<TimePoint> parse_reset(std::string_view text, TimePoint now)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  if (auto number = leading_number(text)) {
    if (*number > 1e12) {
      return from_seconds(*number / 1000.0);
    }
    if (*number > 1e9) {
      return from_seconds(*number);
    }
    if (*number < 0) {
      return std::nullopt;
    }
    return now + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(*number));
  }
  if (auto duration = parse_go_duration(text)) {
    if (duration->count() < 0) {
      return std::nullopt;
    }
    return now + std::chrono::duration_cast<SystemClock::duration>(*duration);
  }
  if (auto time = parse_rfc3339(text)) {
    return time;
  }
  return parse_http_date(text);
}

std::optional<TimePoint> parse_retry_after(const Headers& headers, TimePoint now)
{
  if (auto ms = headers.get("retry-after-ms")) {
    if (auto value = parse_number(*ms); value && *value >= 0) {
      return now + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double, std::milli>(*value));
    }
  }
  if (auto value = headers.get("retry-after")) {
    if (auto seconds = parse_number(*value)) {
      if (*seconds < 0) {
        return std::nullopt;
      }
      return now + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(*seconds));
    }
    return parse_http_date(*value);
  }
  return std::nullopt;
}

const RateLimitWindow* RateLimitState::window(std::string_view name) const
{
  for (const auto& w : windows) {
    if (w.name == name) {
      return &w;
    }
  }
  return nullptr;
}

std::optional<TimePoint> RateLimitState::blocked_until() const
{
  std::optional<TimePoint> until = retry_at;
  for (const auto& w : windows) {
    if (w.remaining && *w.remaining <= 0 && w.reset) {
      if (!until || *w.reset > *until) {
        until = w.reset;
      }
    }
  }
  return until;
}

namespace {

// Parses a structured-field list item `"name";r=50;t=30` (or `name;q=100;w=60`) into its name and
// parameters.
struct FieldItem {
  std::string name;
  std::map<std::string, std::string> parameters;
  std::optional<double> bare;  // an item that is only a number: "100;w=60"
};

std::vector<FieldItem> parse_field_list(std::string_view text)
{
  std::vector<FieldItem> items;
  for (auto member : split(text, ',')) {
    if (member.empty()) {
      continue;
    }
    auto parts = split(member, ';');
    FieldItem item;
    auto head = parts[0];
    if (head.size() >= 2 && head.front() == '"' && head.back() == '"') {
      item.name = std::string(head.substr(1, head.size() - 2));
    } else if (auto eq = head.find('='); eq != std::string_view::npos) {
      // older draft: "limit=100" as a member of a dictionary
      item.parameters[to_lower(trim(head.substr(0, eq)))] = std::string(trim(head.substr(eq + 1)));
    } else if (auto number = parse_number(head)) {
      item.bare = number;
    } else {
      item.name = std::string(head);
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto eq = parts[i].find('=');
      if (eq == std::string_view::npos) {
        continue;
      }
      item.parameters[to_lower(trim(parts[i].substr(0, eq)))] = std::string(trim(parts[i].substr(eq + 1)));
    }
    items.push_back(std::move(item));
  }
  return items;
}

RateLimitWindow& window_named(std::vector<RateLimitWindow>& windows, const std::string& name)
{
  for (auto& w : windows) {
    if (w.name == name) {
      return w;
    }
  }
  windows.push_back(RateLimitWindow{name, {}, {}, {}, {}});
  return windows.back();
}

std::optional<std::chrono::seconds> window_from_suffix(std::string_view name)
{
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends("-minute")) {
    return std::chrono::seconds(60);
  }
  if (ends("-hour")) {
    return std::chrono::seconds(3600);
  }
  if (ends("-day")) {
    return std::chrono::seconds(86400);
  }
  return std::nullopt;
}

}  // namespace

RateLimitState parse_rate_limit_headers(const Headers& headers, TimePoint now)
{
  RateLimitState state;
  state.retry_at = parse_retry_after(headers, now);
  auto& windows = state.windows;

  for (const auto& [raw_name, raw_value] : headers.entries()) {
    std::string name = to_lower(trim(raw_name));
    std::string_view value = trim(raw_value);

    // x-ratelimit-*, ratelimit-*, anthropic-ratelimit-*: the three fields per window.
    struct Family {
      std::string_view prefix;
      bool suffix_after_field;  // x-ratelimit-limit-requests vs anthropic-ratelimit-requests-limit
    };
    static constexpr Family families[] = {
      {"x-ratelimit-", true}, {"ratelimit-", true}, {"anthropic-ratelimit-", false}};
    bool handled = false;
    for (const auto& family : families) {
      if (!starts_with_ci(name, family.prefix)) {
        continue;
      }
      std::string_view rest = std::string_view(name).substr(family.prefix.size());
      std::string field;
      std::string window;
      if (family.suffix_after_field) {
        for (std::string_view f : {"limit", "remaining", "reset"}) {
          if (rest == f) {
            field = f;
            window = "default";
          } else if (rest.size() > f.size() + 1 && rest.substr(0, f.size()) == f && rest[f.size()] == '-') {
            field = f;
            window = std::string(rest.substr(f.size() + 1));
          }
        }
      } else {
        for (std::string_view f : {"limit", "remaining", "reset"}) {
          if (rest.size() > f.size() + 1 && rest.substr(rest.size() - f.size()) == f &&
              rest[rest.size() - f.size() - 1] == '-') {
            field = f;
            window = std::string(rest.substr(0, rest.size() - f.size() - 1));
          }
        }
      }
      if (field.empty() || (family.prefix == "ratelimit-" && rest == "policy")) {
        continue;
      }
      handled = true;
      auto& w = window_named(windows, window);
      if (!w.length) {
        w.length = window_from_suffix(window);
      }
      if (field == "limit") {
        w.limit = leading_number(value);
        if (auto length = window_parameter(value)) {
          w.length = length;
        }
      } else if (field == "remaining") {
        w.remaining = leading_number(value);
      } else {
        w.reset = parse_reset(value, now);
      }
      break;
    }
    if (handled) {
      continue;
    }

    if (name == "ratelimit") {
      for (const auto& item : parse_field_list(value)) {
        if (!item.name.empty()) {
          // `"default";r=50;t=30`
          auto& w = window_named(windows, item.name);
          if (auto it = item.parameters.find("r"); it != item.parameters.end()) {
            w.remaining = parse_number(it->second);
          }
          if (auto it = item.parameters.find("t"); it != item.parameters.end()) {
            w.reset = parse_reset(it->second, now);
          }
        } else {
          // older draft: `limit=100, remaining=50, reset=50`
          auto& w = window_named(windows, "default");
          for (const auto& [key, text] : item.parameters) {
            if (key == "limit") {
              w.limit = parse_number(text);
            } else if (key == "remaining") {
              w.remaining = parse_number(text);
            } else if (key == "reset") {
              w.reset = parse_reset(text, now);
            }
          }
        }
      }
    } else if (name == "ratelimit-policy") {
      for (const auto& item : parse_field_list(value)) {
        auto& w = window_named(windows, item.name.empty() ? std::string("default") : item.name);
        if (item.bare) {
          w.limit = item.bare;
        }
        if (auto it = item.parameters.find("q"); it != item.parameters.end()) {
          w.limit = parse_number(it->second);
        }
        if (auto it = item.parameters.find("w"); it != item.parameters.end()) {
          if (auto seconds = parse_number(it->second)) {
            w.length = std::chrono::seconds(static_cast<long long>(*seconds));
          }
        }
      }
    }
  }
  return state;
}

std::string format_rfc3339(TimePoint time)
{
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  std::time_t t = SystemClock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
  if (ms != 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

}  // namespace helios::http
