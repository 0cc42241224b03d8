#include <doctest/doctest.h>

#include "core/placement/eligibility.hpp"
#include "placement_fixtures.hpp"

using namespace helios;
using namespace helios::placement;

TEST_SUITE_BEGIN("placement");

TEST_CASE("placement eligibility: kind, regions incl. global, allow/deny, engine, model")
{
  auto db = testing::workload("db", WorkloadKind::database, {testing::need("storage", "1GB")});
  db.engine = "postgres";
  auto s = testing::stack({db}, {"eu"});
  auto neon = testing::offering("neon/free", WorkloadKind::database, {"eu", "us"}, {});
  neon.engines = {"postgres"};
  auto d1 = testing::offering("cloudflare/d1", WorkloadKind::database, {"global"}, {});
  d1.engines = {"sqlite"};
  auto usdb = testing::offering("other/db", WorkloadKind::database, {"us"}, {});
  auto bucket = testing::offering("r2/bucket", WorkloadKind::storage, {"global"}, {});

  CHECK_FALSE(ineligibility(s, db, neon));
  CHECK(ineligibility(s, db, d1)->reason == "offers no postgres engine");
  CHECK(ineligibility(s, db, usdb)->reason == "serves no region of [eu]");
  CHECK(ineligibility(s, db, bucket)->severity == 0);
  CHECK(served_regions({"eu", "us"}, d1) == std::vector<std::string>{"eu", "us"});
  CHECK(served_regions({"ap", "us"}, neon) == std::vector<std::string>{"us"});

  s.providers_deny = {"neon"};
  CHECK(ineligibility(s, db, neon)->severity == 1);
  s.providers_deny.clear();
  db.providers_allow = {"cloudflare"};
  CHECK(ineligibility(s, db, neon)->reason.find("allow list") != std::string::npos);

  auto llm = testing::workload("llm", WorkloadKind::ai, {testing::need("requests", "100/day")});
  llm.models = {"llama-3.3-70b", "gemini-2.5-flash"};
  auto groq = testing::offering("groq/llama-3.3-70b", WorkloadKind::ai, {"global"}, {});
  auto gemini = testing::offering("google/gemini", WorkloadKind::ai, {"global"}, {});
  gemini.model = "gemini-2.5-flash";
  auto other = testing::offering("x/mistral", WorkloadKind::ai, {"global"}, {});
  CHECK_FALSE(ineligibility(s, llm, groq));
  CHECK_FALSE(ineligibility(s, llm, gemini));
  CHECK(ineligibility(s, llm, other)->severity == 2);
  CHECK(model_preference(llm, groq) == 0);
  CHECK(model_preference(llm, gemini) == 1);
}
