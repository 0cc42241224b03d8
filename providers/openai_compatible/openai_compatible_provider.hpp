#pragma once
// One adapter for the OpenAI-compatible inference APIs (Groq, Cerebras, OpenRouter, Mistral, Gemini's
// OpenAI endpoint, NVIDIA NIM); each provider is this adapter with its own base URL and window meanings.

#include <memory>
#include <string>
#include <vector>

#include "core/http/rate_limit_headers.hpp"
#include "core/provider.hpp"

namespace helios::providers {

struct OpenAiCompatibleProfile {
  std::string name;                 // catalog provider name: "groq"
  std::string base_url;             // default base URL, overridable by HELIOS_<NAME>_API_URL
  std::string published_rate;       // management calls' budget (GET /models)
  Period requests_period = Period::minute;  // what x-ratelimit-*-requests counts (Groq: per day)
  Period tokens_period = Period::minute;
  bool key_endpoint = false;        // OpenRouter: GET /key reports usage and the free daily requests
};

std::unique_ptr<Provider> make_openai_compatible_provider(const OpenAiCompatibleProfile& profile);

// Usage readings from the rate-limit headers of any response of that provider (used - limit -
// remaining per window); the agents' ledger feeds every chat answer through this.
std::vector<UsageReading> readings_from_rate_limits(const http::RateLimitState& state, const OpenAiCompatibleProfile& profile);

std::unique_ptr<Provider> make_groq_provider();
std::unique_ptr<Provider> make_cerebras_provider();
std::unique_ptr<Provider> make_openrouter_provider();
std::unique_ptr<Provider> make_mistral_provider();
std::unique_ptr<Provider> make_google_provider();
std::unique_ptr<Provider> make_nvidia_provider();

}  // namespace helios::providers
