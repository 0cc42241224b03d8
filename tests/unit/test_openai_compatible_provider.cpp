#include <doctest/doctest.h>

#include "core/http/transport.hpp"
#include "providers/openai_compatible/openai_compatible_provider.hpp"
#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

using namespace helios;
using helios::testing::FakeServerProcess;

TEST_SUITE_BEGIN("openai_compatible_provider");

namespace {
ResourceSpec ai_spec(const std::string& model)
{
  ResourceSpec s;
  s.stack = "hobby";
  s.workload = "llm";
  s.name = "helios-hobby-llm";
  s.kind = WorkloadKind::ai;
  s.product = "llama-3.3-70b";
  s.config = {{"model", model}};
  return s;
}
}  // namespace

TEST_CASE("OpenAI-compatible: every registered AI provider checks its key and model through GET /models")
{
  FakeServerProcess fake{{"--family", "openai", "--port", "0", "--token", "key-a,key-b", "--options",
                          R"({"rpm":30,"tpm":6000,"style":"groq"})"}};
  for (const std::string name : {"groq", "cerebras", "mistral", "google", "nvidia"}) {
    CAPTURE(name);
    helios::testing::point_provider_at(name, fake.url("/openai/v1"));
    auto provider = providers::make_provider(name);
    REQUIRE(provider);
    Credentials credentials{"default", "key-a", "", ""};
    REQUIRE(provider->validate_credentials(credentials));
    auto endpoint = provider->create(ai_spec("llama-3.3-70b-versatile"), credentials);
    REQUIRE(endpoint);
    CHECK(endpoint->type == "ai_endpoint");
    CHECK(endpoint->outputs["base_url"] == fake.url("/openai/v1"));
    CHECK(endpoint->secret_refs["api_key"].rfind("env:", 0) == 0);
    auto read = provider->read(*endpoint, credentials);
    REQUIRE(read);
    CHECK(*read);
    auto unknown = provider->create(ai_spec("no-such-model"), credentials);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == "model_not_offered");
    REQUIRE(provider->remove(*endpoint, credentials));
    Credentials wrong{"default", "key-z", "", ""};
    auto denied = provider->validate_credentials(wrong);
    REQUIRE_FALSE(denied);
    CHECK(denied.error().message.find(name + " validate: HTTP 401") != std::string::npos);
    CHECK(denied.error().message.find("Invalid API Key") != std::string::npos);
  }
}

TEST_CASE("OpenAI-compatible: usage comes from the rate-limit headers, per key")
{
  FakeServerProcess fake{{"--family", "openai", "--port", "0", "--token", "key-a,key-b", "--options",
                          R"({"rpm":30,"tpm":6000,"style":"groq"})"}};
  helios::testing::point_provider_at("groq", fake.url("/openai/v1"));
  // spend two requests on key-a through the chat endpoint, as an agent would
  for (int i = 0; i < 2; ++i) {
    http::Request chat;
    chat.method = "POST";
    chat.url = fake.url("/openai/v1/chat/completions");
    chat.headers.add("Authorization", "Bearer key-a");
    chat.headers.add("Content-Type", "application/json");
    chat.body = R"({"model":"llama-3.3-70b-versatile","messages":[{"role":"user","content":"hello there"}]})";
    auto answer = http::Transport::shared().perform(chat);
    REQUIRE(answer);
    CHECK(answer->status == 200);
    auto readings = providers::readings_from_rate_limits(answer->rate_limits, {"groq", "", "", Period::day, Period::minute, false});
    REQUIRE(readings.size() == 2);
    CHECK(readings[0].dimension == "requests");
    CHECK(readings[0].used == i + 1);
    CHECK(readings[0].period == Period::day);
  }
  auto provider = providers::make_provider("groq");
  auto usage = provider->usage(Credentials{"default", "key-a", "", ""});
  REQUIRE(usage);
  REQUIRE(usage->size() == 2);
  CHECK(usage->at(0).used == 2);
  auto other = provider->usage(Credentials{"default", "key-b", "", ""});
  REQUIRE(other);
  CHECK(other->at(0).used == 0);
  auto counted = fake.get("/_fake/usage")["keys"];
  CHECK(counted["key-a"]["requests"] == 2);
}

TEST_CASE("OpenAI-compatible: the fake answers 429 with retry-after like Groq, and OpenRouter's limits in the body")
{
  FakeServerProcess groq{{"--family", "openai", "--port", "0", "--options", R"({"rpm":1,"window_s":60,"style":"groq"})"}};
  http::Request chat;
  chat.method = "POST";
  chat.url = groq.url("/openai/v1/chat/completions");
  chat.headers.add("Authorization", "Bearer test-token");
  chat.headers.add("Content-Type", "application/json");
  chat.body = R"({"model":"llama-3.3-70b-versatile","messages":[{"role":"user","content":"hi"}]})";
  chat.retry.max_attempts = 1;
  REQUIRE(http::Transport::shared().perform(chat)->status == 200);
  auto limited = http::Transport::shared().perform(chat);
  REQUIRE(limited);
  CHECK(limited->status == 429);
  REQUIRE(limited->rate_limits.retry_at);
  CHECK(limited->rate_limits.window("requests")->remaining == 0);
  CHECK(limited->body.find("rate_limit_exceeded") != std::string::npos);

  FakeServerProcess openrouter{{"--family", "openai", "--port", "0", "--options", R"({"rpm":1,"quota":2,"style":"openrouter"})"}};
  chat.url = openrouter.url("/api/v1/chat/completions");
  REQUIRE(http::Transport::shared().perform(chat)->status == 200);
  auto body_limited = http::Transport::shared().perform(chat);
  REQUIRE(body_limited);
  CHECK(body_limited->status == 429);
  auto error = nlohmann::json::parse(body_limited->body)["error"];
  CHECK(error["metadata"]["headers"]["X-RateLimit-Remaining"] == "0");
  helios::testing::point_provider_at("openrouter", openrouter.url("/api/v1"));
  auto provider = providers::make_provider("openrouter");
  auto usage = provider->usage(Credentials{"default", "test-token", "", ""});
  REQUIRE(usage);
  CHECK(usage->back().dimension == "requests");
  CHECK(usage->back().used == 1);
}

TEST_CASE("OpenAI-compatible: every fault kind on GET /models")
{
  FakeServerProcess fake{{"--family", "openai", "--port", "0"}};
  helios::testing::point_provider_at("groq", fake.url("/openai/v1"));
  auto provider = providers::make_provider("groq");
  Credentials credentials{"default", "test-token", "", ""};
  helios::testing::run_fault_matrix(fake, "groq", "/openai/v1/models", [&]() -> std::optional<ErrorInfo> {
    auto listed = provider->list(credentials);
    if (!listed) {
      return listed.error();
    }
    CHECK(listed->size() == 3);
    return std::nullopt;
  });
}
