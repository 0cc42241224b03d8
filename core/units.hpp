#pragma once
// Quantities and rates with units, and the rules that convert between periods.
//
// Quantities: counts (`100`, `100k`, `2M`, `1.5B`), CPU (`500m` = 0.5 core, `2`), bytes (`512Mi`,
// `1.5Gi`, `10GB`, `5 GB`: SI prefixes are powers of 1000, binary `Ki/Mi/Gi/Ti` of 1024), hours (`750h`).
// Rates: a quantity, a slash and a period: `100k/month`, `2000/day`, `30/min`, `5/s`, `10GB/month`.
// Conversion rules (docs/units.md): a minute is 60 s, an hour 3,600 s, a day 86,400 s, a week 7 days and
// a month 30 days unless a quota says otherwise; a rate converts to another period in proportion to the
// periods' lengths (2,000/day = 60,000/month). A quantity without a period is static (a capacity).

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace helios {

enum class Period { none, second, minute, hour, day, week, month };

enum class UnitKind { count, bytes, cpu, hours };

struct Amount {
  double value = 0;             // in base units: 1, bytes, cores or hours
  Period period = Period::none; // none: a static capacity
  bool operator==(const Amount&) const = default;
};

// Length of a period in seconds (month = 30 days); none is 0.
double period_seconds(Period period);
// Converts a rate from one period to another (both must not be none).
double convert_rate(double value, Period from, Period to);

std::string_view period_name(Period period);  // "second", "minute", … , "static"
std::optional<Period> parse_period(std::string_view text); // s, sec, second, min, minute, h, hour, d, day, week, mo, month, static

std::string_view unit_kind_name(UnitKind kind);

// The unit kind a quota/need dimension takes (cpu, memory, storage, egress, requests, tokens, hours,
// builds, reads, writes, ...), or nothing for an unknown dimension.
std::optional<UnitKind> dimension_unit(std::string_view dimension);
// Every dimension name helios knows, for "did you mean" hints.
const std::initializer_list<std::string_view>& known_dimensions();

// Parses a quantity of the given kind ("512Mi", "500m", "10 GB", "100k"). The error says what was expected.
tl::expected<double, std::string> parse_quantity(std::string_view text, UnitKind kind);
// Parses a quantity with an optional "/period" ("100k/month"; "5GB" is static).
tl::expected<Amount, std::string> parse_amount(std::string_view text, UnitKind kind);

// Formats a value of a kind compactly: 536870912 bytes -> "512Mi", 0.5 cpu -> "500m", 2e6 -> "2M".
std::string format_quantity(double value, UnitKind kind);
// "100k/month", or the quantity alone for a static amount.
std::string format_amount(const Amount& amount, UnitKind kind);

}  // namespace helios
