#include <doctest/doctest.h>

#include <cstdlib>

#include "providers/api_client.hpp"

using namespace helios::providers;

TEST_SUITE_BEGIN("api_client");

TEST_CASE("provider_env and api_base_url follow HELIOS_<PROVIDER>_API_URL")
{
  CHECK(provider_env("workers-ai", "API_URL") == "HELIOS_WORKERS_AI_API_URL");
  ::unsetenv("HELIOS_TESTPROV_API_URL");
  CHECK(api_base_url("testprov", "https://api.example.com/v1/") == "https://api.example.com/v1");
  ::setenv("HELIOS_TESTPROV_API_URL", "http://127.0.0.1:9/v1/", 1);
  CHECK(api_base_url("testprov", "https://api.example.com/v1") == "http://127.0.0.1:9/v1");
  ::unsetenv("HELIOS_TESTPROV_API_URL");
}

TEST_CASE("endpoint_url: a catalog endpoint as the adapters reach it")
{
  ::unsetenv("HELIOS_TESTPROV_API_URL");
  CHECK(endpoint_url("testprov", "https://api.groq.com/openai/v1") == "https://api.groq.com/openai/v1");

  // The same path at the override: the override is the endpoint.
  ::setenv("HELIOS_TESTPROV_API_URL", "http://127.0.0.1:9/openai/v1", 1);
  CHECK(endpoint_url("testprov", "https://api.groq.com/openai/v1") == "http://127.0.0.1:9/openai/v1");
  // An API root that prefixes the endpoint's path: the rest of the path is kept (Cloudflare Workers AI).
  ::setenv("HELIOS_TESTPROV_API_URL", "http://127.0.0.1:9/client/v4/", 1);
  CHECK(endpoint_url("testprov", "https://api.cloudflare.com/client/v4/accounts/{ACCOUNT_ID}/ai/v1") ==
        "http://127.0.0.1:9/client/v4/accounts/{ACCOUNT_ID}/ai/v1");
  // A path prefix must end at a segment boundary.
  CHECK(endpoint_url("testprov", "https://api.example.com/client/v40/ai") == "http://127.0.0.1:9/client/v4");
  // A different layout (a proxy): the override itself.
  ::setenv("HELIOS_TESTPROV_API_URL", "http://proxy.internal/groq", 1);
  CHECK(endpoint_url("testprov", "https://api.groq.com/openai/v1") == "http://proxy.internal/groq");
  // An override without a path prefixes every path.
  ::setenv("HELIOS_TESTPROV_API_URL", "http://127.0.0.1:9", 1);
  CHECK(endpoint_url("testprov", "https://api.groq.com/openai/v1?x=1") == "http://127.0.0.1:9/openai/v1?x=1");
  ::unsetenv("HELIOS_TESTPROV_API_URL");
}

TEST_CASE("message_with_code reads the {message, code} envelope")
{
  CHECK(message_with_code({{"message", "project limit reached"}, {"code", "LIMIT"}}) == "project limit reached (LIMIT)");
  CHECK(message_with_code({{"message", "no free instance left"}}) == "no free instance left");
  CHECK(message_with_code({{"message", "bad"}, {"code", 7}}) == "bad");  // a numeric code is not this envelope's
  CHECK(message_with_code(nlohmann::json::array()).empty());
}

TEST_SUITE_END();
