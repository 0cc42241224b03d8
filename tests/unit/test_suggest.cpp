#include <doctest/doctest.h>

#include "core/suggest.hpp"

using namespace helios;

TEST_SUITE_BEGIN("suggest");

TEST_CASE("Edit distance counts insertions and deletions and substitutions and swaps")
{
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("cpu", "cpu") == 0);
  CHECK(edit_distance("cpu", "CPU") == 0);
  CHECK(edit_distance("memory", "memroy") == 1);  // a swap of two neighbours
  CHECK(edit_distance("replica", "replicas") == 1);
  CHECK(edit_distance("regoins", "regions") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("The closest candidate is suggested only when it is a plausible typo")
{
  const std::vector<std::string_view> keys = {"name", "kind", "replicas", "needs", "regions", "near"};
  CHECK(closest_match("replica", keys) == "replicas");
  CHECK(closest_match("regoins", keys) == "regions");
  CHECK(closest_match("nmae", keys) == "name");
  CHECK_FALSE(closest_match("database", keys).has_value());
  CHECK_FALSE(closest_match("x", std::vector<std::string_view>{"memory"}).has_value());
  // Ties go to the earlier candidate.
  CHECK(closest_match("nead", keys) == "near");
  CHECK(closest_match("abx", std::vector<std::string_view>{"abc", "abd"}) == "abc");
}

TEST_CASE("did_you_mean phrases the hint or lists the choices")
{
  const std::vector<std::string> kinds = {"compute", "hosting", "database", "storage", "ai"};
  CHECK(did_you_mean("computr", kinds) == "did you mean 'compute'?");
  CHECK(did_you_mean("queue", kinds) == "expected one of: compute, hosting, database, storage, ai");
  CHECK(did_you_mean("x", std::vector<std::string>{}).empty());
}
