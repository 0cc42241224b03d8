#include <doctest/doctest.h>

#include "core/placement/place.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;
using namespace helios::testing;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement infeasibility: names the binding constraint and the closest alternative")
{
  auto neon = offering("neon/free", WorkloadKind::database, {"eu"}, {quota("storage", "500MB", Scope::project)}, {}, true);
  auto far = offering("far/db", WorkloadKind::database, {"us"}, {quota("storage", "10GB")}, {}, true);
  auto db = workload("db", WorkloadKind::database, {need("storage", "2GB")});
  auto result = place(stack({db}, {"eu"}), sorted({neon, far}), {}, PlacementOptions{});
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().exit == ExitCode::infeasible);
  CHECK(result.error().message.find("no offering in region eu has 2GB of free database storage left; neon/free offers 500MB") !=
        std::string::npos);
  CHECK(result.error().details["alternatives"][0]["offering"] == "neon/free");
}

TEST_CASE("placement infeasibility: taken pools and the budget")
{
  auto only = offering("only/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "1GB")}, {}, true);
  auto a = workload("a", WorkloadKind::storage, {need("storage", "800MB")});
  auto b = workload("b", WorkloadKind::storage, {need("storage", "800MB")});
  auto result = place(stack({a, b}, {"eu"}), {only}, {}, PlacementOptions{});
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("taken by the other workloads") != std::string::npos);

  auto paid = offering("paid/bucket", WorkloadKind::storage, {"eu"}, {quota("storage", "0GB")}, {price("storage", 1, 1e9)});
  result = place(stack({a, b}, {"eu"}, 0.5), sorted({only, paid}), {}, PlacementOptions{});
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("over the budget") != std::string::npos);
  CHECK(result.error().exit == ExitCode::infeasible);
}
