#include <doctest/doctest.h>

#include "core/units.hpp"

using namespace helios;

TEST_SUITE_BEGIN("units");

TEST_CASE("Byte quantities use SI and binary prefixes")
{
  CHECK(parse_quantity("512Mi", UnitKind::bytes).value() == 512.0 * 1024 * 1024);
  CHECK(parse_quantity("1.5Gi", UnitKind::bytes).value() == 1.5 * 1024 * 1024 * 1024);
  CHECK(parse_quantity("10GB", UnitKind::bytes).value() == 10e9);
  CHECK(parse_quantity("5 GB", UnitKind::bytes).value() == 5e9);
  CHECK(parse_quantity("100", UnitKind::bytes).value() == 100);
}

TEST_CASE("CPU quantities accept millicores")
{
  CHECK(parse_quantity("500m", UnitKind::cpu).value() == doctest::Approx(0.5));
  CHECK(parse_quantity("2", UnitKind::cpu).value() == 2);
}

TEST_CASE("Rates carry their period")
{
  auto a = parse_amount("100k/month", UnitKind::count).value();
  CHECK(a.value == 100000);
  CHECK(a.period == Period::month);
  CHECK(parse_amount("2000/day", UnitKind::count).value().period == Period::day);
  CHECK(parse_amount("30/min", UnitKind::count).value().period == Period::minute);
  CHECK(parse_amount("5/s", UnitKind::count).value().period == Period::second);
  CHECK(parse_amount("10GB/month", UnitKind::bytes).value().value == 10e9);
  CHECK(parse_amount("5GB", UnitKind::bytes).value().period == Period::none);
}

TEST_CASE("Rates convert in proportion to the periods, a month being 30 days")
{
  CHECK(convert_rate(2000, Period::day, Period::month) == doctest::Approx(60000));
  CHECK(convert_rate(30, Period::minute, Period::day) == doctest::Approx(43200));
  CHECK(convert_rate(5, Period::second, Period::minute) == doctest::Approx(300));
}

TEST_CASE("Impossible units and negative values are rejected with what was expected")
{
  auto bad_unit = parse_quantity("10parsecs", UnitKind::bytes);
  REQUIRE(!bad_unit);
  CHECK(bad_unit.error().find("unknown unit 'parsecs'") != std::string::npos);
  CHECK(bad_unit.error().find("512Mi") != std::string::npos);
  auto negative = parse_quantity("-5GB", UnitKind::bytes);
  REQUIRE(!negative);
  CHECK(negative.error().find("negative") != std::string::npos);
  CHECK(!parse_quantity("", UnitKind::count));
  CHECK(!parse_quantity("abc", UnitKind::count));
  auto bad_period = parse_amount("100/fortnight", UnitKind::count);
  REQUIRE(!bad_period);
  CHECK(bad_period.error().find("unknown period") != std::string::npos);
}

TEST_CASE("Quantities format compactly")
{
  CHECK(format_quantity(512.0 * 1024 * 1024, UnitKind::bytes) == "512Mi");
  CHECK(format_quantity(10e9, UnitKind::bytes) == "10GB");
  CHECK(format_quantity(400.0 * 1024 * 1024, UnitKind::bytes) == "400Mi");
  CHECK(format_quantity(1.5 * 1024 * 1024 * 1024, UnitKind::bytes) == "1.5Gi");
  CHECK(format_quantity(1e9, UnitKind::bytes) == "1GB");
  CHECK(format_quantity(500, UnitKind::bytes) == "500B");
  CHECK(format_quantity(0.5, UnitKind::cpu) == "500m");
  CHECK(format_quantity(2e6, UnitKind::count) == "2M");
  CHECK(format_amount({100000, Period::month}, UnitKind::count) == "100k/month");
}

TEST_CASE("Dimensions know their unit kind")
{
  CHECK(dimension_unit("memory") == UnitKind::bytes);
  CHECK(dimension_unit("requests") == UnitKind::count);
  CHECK(dimension_unit("cpu") == UnitKind::cpu);
  CHECK(!dimension_unit("parsecs"));
}

TEST_SUITE_END();
