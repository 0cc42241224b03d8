#include "core/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

namespace helios {

namespace {

std::string_view trim(std::string_view text)
{
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lower(std::string_view text)
{
  std::string out(text);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

struct Suffix {
  std::string_view text;
  double factor;
};

// Suffixes per kind, longest first where one is a prefix of another.
const std::initializer_list<Suffix> k_count_suffixes = {
  {"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"G", 1e9}, {"T", 1e12}};
const std::initializer_list<Suffix> k_byte_suffixes = {
  {"", 1},          {"B", 1},           {"K", 1e3},         {"KB", 1e3},        {"kB", 1e3},
  {"k", 1e3},       {"M", 1e6},         {"MB", 1e6},        {"G", 1e9},         {"GB", 1e9},
  {"T", 1e12},      {"TB", 1e12},       {"Ki", 1024.0},     {"KiB", 1024.0},    {"Mi", 1048576.0},
  {"MiB", 1048576.0}, {"Gi", 1073741824.0}, {"GiB", 1073741824.0}, {"Ti", 1099511627776.0},
  {"TiB", 1099511627776.0}};
const std::initializer_list<Suffix> k_cpu_suffixes = {{"", 1}, {"m", 1e-3}, {"cores", 1}, {"core", 1}, {"vcpu", 1}};
const std::initializer_list<Suffix> k_hour_suffixes = {{"", 1}, {"h", 1}, {"hours", 1}, {"hour", 1}, {"hrs", 1}};

const std::initializer_list<Suffix>& suffixes(UnitKind kind)
{
  switch (kind) {
  case UnitKind::bytes:
    return k_byte_suffixes;
  case UnitKind::cpu:
    return k_cpu_suffixes;
  case UnitKind::hours:
    return k_hour_suffixes;
  case UnitKind::count:
    break;
  }
  return k_count_suffixes;
}

std::string_view example(UnitKind kind)
{
  switch (kind) {
  case UnitKind::bytes:
    return "a size like 512Mi, 1.5Gi, 10GB or 5 GB";
  case UnitKind::cpu:
    return "a CPU amount like 500m or 2";
  case UnitKind::hours:
    return "hours like 750h";
  case UnitKind::count:
    break;
  }
  return "a count like 100, 100k or 2M";
}

struct Dimension {
  std::string_view name;
  UnitKind kind;
};

const std::initializer_list<Dimension> k_dimensions = {
  {"cpu", UnitKind::cpu},         {"memory", UnitKind::bytes},    {"storage", UnitKind::bytes},
  {"egress", UnitKind::bytes},    {"bandwidth", UnitKind::bytes}, {"requests", UnitKind::count},
  {"tokens", UnitKind::count},    {"input_tokens", UnitKind::count}, {"output_tokens", UnitKind::count},
  {"hours", UnitKind::hours},     {"instance_hours", UnitKind::hours}, {"compute_hours", UnitKind::hours},
  {"builds", UnitKind::count},    {"build_minutes", UnitKind::count}, {"reads", UnitKind::count},
  {"writes", UnitKind::count},    {"rows_read", UnitKind::count}, {"rows_written", UnitKind::count},
  {"operations", UnitKind::count}, {"class_a_operations", UnitKind::count},
  {"class_b_operations", UnitKind::count}, {"invocations", UnitKind::count}, {"instances", UnitKind::count},
  {"databases", UnitKind::count}, {"projects", UnitKind::count}, {"neurons", UnitKind::count},
  {"images", UnitKind::count},    {"audio_seconds", UnitKind::count}, {"connections", UnitKind::count}};

const std::initializer_list<std::string_view> k_dimension_names = {
  "cpu", "memory", "storage", "egress", "bandwidth", "requests", "tokens", "input_tokens", "output_tokens",
  "hours", "instance_hours", "compute_hours", "builds", "build_minutes", "reads", "writes", "rows_read",
  "rows_written", "operations", "class_a_operations", "class_b_operations", "invocations", "instances",
  "databases", "projects", "neurons", "images", "audio_seconds", "connections"};

}  // namespace

double period_seconds(Period period)
{
  switch (period) {
  case Period::none:
    return 0;
  case Period::second:
    return 1;
  case Period::minute:
    return 60;
  case Period::hour:
    return 3600;
  case Period::day:
    return 86400;
  case Period::week:
    return 7 * 86400.0;
  case Period::month:
    return 30 * 86400.0;
  }
  return 0;
}

double convert_rate(double value, Period from, Period to)
{
  if (from == to || from == Period::none || to == Period::none) {
    return value;
  }
  return value * period_seconds(to) / period_seconds(from);
}

std::string_view period_name(Period period)
{
  switch (period) {
  case Period::none:
    return "static";
  case Period::second:
    return "second";
  case Period::minute:
    return "minute";
  case Period::hour:
    return "hour";
  case Period::day:
    return "day";
  case Period::week:
    return "week";
  case Period::month:
    return "month";
  }
  return "static";
}

std::optional<Period> parse_period(std::string_view text)
{
  const std::string t = lower(trim(text));
  if (t == "s" || t == "sec" || t == "second" || t == "seconds") {
    return Period::second;
  }
  if (t == "min" || t == "minute" || t == "minutes" || t == "m") {
    return Period::minute;
  }
  if (t == "h" || t == "hr" || t == "hour" || t == "hours") {
    return Period::hour;
  }
  if (t == "d" || t == "day" || t == "days") {
    return Period::day;
  }
  if (t == "w" || t == "week" || t == "weeks") {
    return Period::week;
  }
  if (t == "mo" || t == "month" || t == "months") {
    return Period::month;
  }
  if (t == "static" || t == "none" || t == "once") {
    return Period::none;
  }
  return std::nullopt;
}

std::string_view unit_kind_name(UnitKind kind)
{
  switch (kind) {
  case UnitKind::bytes:
    return "bytes";
  case UnitKind::cpu:
    return "cpu";
  case UnitKind::hours:
    return "hours";
  case UnitKind::count:
    break;
  }
  return "count";
}

std::optional<UnitKind> dimension_unit(std::string_view dimension)
{
  for (const auto& d : k_dimensions) {
    if (d.name == dimension) {
      return d.kind;
    }
  }
  return std::nullopt;
}

const std::initializer_list<std::string_view>& known_dimensions()
{
  return k_dimension_names;
}

tl::expected<double, std::string> parse_quantity(std::string_view text, UnitKind kind)
{
  const std::string_view t = trim(text);
  if (t.empty()) {
    return tl::unexpected(fmt::format("empty value; expected {}", example(kind)));
  }
  // The number: digits, one optional dot, optional exponent; no sign other than a leading '-'.
  std::size_t end = 0;
  if (end < t.size() && (t[end] == '-' || t[end] == '+')) {
    ++end;
  }
  bool digits = false;
  while (end < t.size() && (std::isdigit(static_cast<unsigned char>(t[end])) || t[end] == '.' || t[end] == '_')) {
    digits = digits || std::isdigit(static_cast<unsigned char>(t[end]));
    ++end;
  }
  if (!digits) {
    return tl::unexpected(fmt::format("'{}' is not a number; expected {}", t, example(kind)));
  }
  std::string number(t.substr(0, end));
  std::erase(number, '_');
  double value = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    return tl::unexpected(fmt::format("'{}' is not a number; expected {}", t, example(kind)));
  }
  const std::string_view suffix = trim(t.substr(end));
  for (const auto& s : suffixes(kind)) {
    if (s.text == suffix) {
      const double result = value * s.factor;
      if (!std::isfinite(result)) {
        return tl::unexpected(fmt::format("'{}' is out of range", t));
      }
      if (result < 0) {
        return tl::unexpected(fmt::format("'{}' is negative; expected {}", t, example(kind)));
      }
      return result;
    }
  }
  return tl::unexpected(fmt::format("'{}' has an unknown unit '{}'; expected {}", t, suffix, example(kind)));
}

tl::expected<Amount, std::string> parse_amount(std::string_view text, UnitKind kind)
{
  const std::string_view t = trim(text);
  const auto slash = t.find('/');
  if (slash == std::string_view::npos) {
    auto value = parse_quantity(t, kind);
    if (!value) {
      return tl::unexpected(value.error());
    }
    return Amount{*value, Period::none};
  }
  auto value = parse_quantity(t.substr(0, slash), kind);
  if (!value) {
    return tl::unexpected(value.error());
  }
  const auto period = parse_period(t.substr(slash + 1));
  if (!period || *period == Period::none) {
    return tl::unexpected(fmt::format("'{}' has an unknown period '{}'; expected /s, /min, /hour, /day or /month",
                                      t, trim(t.substr(slash + 1))));
  }
  return Amount{*value, *period};
}

std::string format_quantity(double value, UnitKind kind)
{
  auto compact = [](double v) {
    std::string s = fmt::format("{:.3f}", v);
    while (!s.empty() && s.back() == '0') {
      s.pop_back();
    }
    if (!s.empty() && s.back() == '.') {
      s.pop_back();
    }
    return s;
  };
  switch (kind) {
  case UnitKind::cpu:
    if (value != 0 && value < 1) {
      return compact(value * 1000) + "m";
    }
    return compact(value);
  case UnitKind::hours:
    return compact(value) + "h";
  case UnitKind::bytes: {
    static const std::pair<double, const char*> binary[] = {
      {1099511627776.0, "Ti"}, {1073741824.0, "Gi"}, {1048576.0, "Mi"}, {1024.0, "Ki"}};
    static const std::pair<double, const char*> decimal[] = {{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "KB"}};
    // A multiple of 256Ki is binary (10Gi, 1.5Gi, 512Mi); round decimal amounts never are (they hold at
    // most 2^12 below 10^13), so 10Gi does not print as 10737418.24KB.
    if (value >= 1048576.0 && std::fmod(value, 262144.0) == 0) {
      for (const auto& [factor, name] : binary) {
        if (value >= factor) {
          return compact(value / factor) + name;
        }
      }
    }
    for (const auto& [factor, name] : decimal) {
      if (value >= factor && std::fmod(value, factor / 100) == 0) {
        return compact(value / factor) + name;
      }
    }
    for (const auto& [factor, name] : binary) {
      if (value >= factor) {
        return compact(value / factor) + name;
      }
    }
    return compact(value) + "B";
  }
  case UnitKind::count:
    break;
  }
  static const std::pair<double, const char*> counts[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [factor, name] : counts) {
    if (value >= factor) {
      return compact(value / factor) + name;
    }
  }
  return compact(value);
}

std::string format_amount(const Amount& amount, UnitKind kind)
{
  if (amount.period == Period::none) {
    return format_quantity(amount.value, kind);
  }
  return fmt::format("{}/{}", format_quantity(amount.value, kind), period_name(amount.period));
}

}  // namespace helios
