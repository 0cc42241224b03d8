#include <doctest/doctest.h>

#include "core/manifest.hpp"
#include "core/starter_manifest.hpp"

using namespace helios;

TEST_SUITE_BEGIN("starter_manifest");

TEST_CASE("The starter manifest validates without warnings")
{
  auto stack = parse_manifest(starter_manifest("demo"), "helios.yaml");
  REQUIRE_MESSAGE(stack.has_value(), stack.error().to_string());
  CHECK(stack->name == "demo");
  CHECK(stack->budget_monthly_usd == 0);
  CHECK(stack->workloads.size() == 2);
  CHECK(stack->warnings.empty());
}

TEST_CASE("Stack names are made from directory names")
{
  CHECK(stack_name_from("My App") == "my-app");
  CHECK(stack_name_from("hobby") == "hobby");
  CHECK(stack_name_from("2024_project!") == "project");
  CHECK(stack_name_from("") == "my-stack");
  CHECK(stack_name_from("/") == "my-stack");
  CHECK(stack_name_from("___") == "my-stack");
  CHECK(valid_name(stack_name_from(std::string(100, 'x'))));
}
