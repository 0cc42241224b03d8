#include <doctest/doctest.h>

#include "core/rotate_pool.hpp"

using namespace helios;

TEST_SUITE_BEGIN("rotate_pool");

namespace {
Offering ai(const std::string& id, const std::string& product, const std::string& reset = "00:00 UTC")
{
  Offering o;
  o.id = id;
  o.provider = id.substr(0, id.find('/'));
  o.product = product;
  o.kind = WorkloadKind::ai;
  o.model = product + "-served";
  o.base_url = "https://" + o.provider + ".example/v1";
  o.credential_env = "KEY_" + o.provider;
  FreeQuota day;
  day.dimension = "requests";
  day.amount = Amount{1000, Period::day};
  day.reset = reset;
  FreeQuota minute;
  minute.dimension = "tokens";
  minute.amount = Amount{6000, Period::minute};
  FreeQuota storage;
  storage.dimension = "storage";
  storage.amount = Amount{1e9, Period::none};
  o.free = {day, minute, storage};
  return o;
}

Stack stack_with(const std::vector<std::string>& models)
{
  Stack s;
  s.name = "t";
  Workload w;
  w.name = "llm";
  w.kind = WorkloadKind::ai;
  w.models = models;
  s.workloads.push_back(w);
  return s;
}
}  // namespace

TEST_CASE("an ai workload's pool: offerings serving its models, in preference order, with catalog limits")
{
  std::vector<Offering> offerings = {ai("gemini/flash", "gemini-2.5-flash", "00:00 America/Los_Angeles"),
                                     ai("groq/llama", "llama-3.3-70b"), ai("cerebras/llama", "llama-3.3-70b"),
                                     ai("openrouter/other", "other-model")};
  Stack stack = stack_with({"llama-3.3-70b", "gemini-2.5-flash"});
  Account account;
  account.provider = "groq";
  account.token_env = "MY_GROQ_KEY";
  stack.accounts.push_back(account);
  auto pool = build_pool(stack, offerings, nullptr, "llm").value();
  REQUIRE(pool.members.size() == 3);
  CHECK(pool.members[0].provider == "groq");  // catalog order within a model
  CHECK(pool.members[0].credential_env == "MY_GROQ_KEY");
  CHECK(pool.members[1].provider == "cerebras");
  CHECK(pool.members[1].credential_env == "KEY_cerebras");
  CHECK(pool.members[2].provider == "gemini");
  CHECK(pool.members[2].weight < pool.members[0].weight);
  CHECK(pool.members[0].model == "llama-3.3-70b-served");
  REQUIRE(pool.members[2].limits.size() == 2);  // static storage is not a window
  CHECK(pool.members[2].limits[0].window.reset.kind == ResetKind::pacific_midnight);
  CHECK(pool.members[0].limits[1].window.reset.kind == ResetKind::rolling);
}

TEST_CASE("provider deny lists and placements shape the pool")
{
  std::vector<Offering> offerings = {ai("groq/llama", "llama-3.3-70b"), ai("cerebras/llama", "llama-3.3-70b")};
  Stack stack = stack_with({"llama-3.3-70b"});
  stack.providers_deny = {"groq"};
  auto pool = build_pool(stack, offerings, nullptr, "llm").value();
  REQUIRE(pool.members.size() == 1);
  CHECK(pool.members[0].provider == "cerebras");
  stack.providers_deny.clear();
  Placement placement;
  Assignment a;
  a.workload = "llm";
  a.offering = "cerebras/llama";
  a.provider = "cerebras";
  a.weight = 0.6;
  placement.assignments.push_back(a);
  pool = build_pool(stack, offerings, &placement, "llm").value();
  REQUIRE(pool.members.size() == 2);
  CHECK(pool.members[0].provider == "cerebras");
  CHECK(pool.members[0].weight == 0.6);
  CHECK(pool.members[1].weight < 0.1);  // a fallback
  auto missing = build_pool(stack, offerings, nullptr, "web");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().exit == ExitCode::usage);
}
