// OpenAI-compatible adapter: an AI endpoint (provider × model) a pool draws from. Nothing is created at
// the provider: create checks the credential with GET {base}/models and that the model is offered, and
// records the base URL, the model and a reference to the key (never the key).
//
// API: GET {base}/models → {object:"list", data:[{id}]}; POST {base}/chat/completions; errors as
// {"error":{message, type, code}} (OpenRouter: {"error":{code, message, metadata}}, sometimes inside an
// HTTP 200, litellm #8448). Rate-limit signals (../shared/reference/ai-providers.md §2):
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} (Groq: requests = per day, tokens = per minute,
// console.groq.com/docs/rate-limits), Cerebras -requests-day / -tokens-minute
// (inference-docs.cerebras.ai/support/rate-limits), retry-after on 429; OpenRouter GET /key
// (openrouter.ai/docs/limits) reports usage and free_model_daily_requests.
// Base URLs: Groq https://api.groq.com/openai/v1; Cerebras https://api.cerebras.ai/v1; OpenRouter
// https://openrouter.ai/api/v1; Mistral https://api.mistral.ai/v1; Gemini
// https://generativelanguage.googleapis.com/v1beta/openai (ai.google.dev/gemini-api/docs/openai);
// NVIDIA NIM https://integrate.api.nvidia.com/v1 (cheahjs/free-llm-api-resources README @e6765bc9).
// Cloudflare Workers AI's OpenAI endpoint ({cf}/accounts/{id}/ai/v1) is served by the cloudflare adapter.

#include "providers/openai_compatible/openai_compatible_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"

namespace helios::providers {

namespace {

std::string read_openai_error(const nlohmann::json& body)
{
  if (body.contains("error")) {
    const auto& error = body["error"];
    if (error.is_string()) {
      return error.get<std::string>();
    }
    std::string message = json_string(error, "message");
    std::string code = error.contains("code") ? (error["code"].is_string() ? error["code"].get<std::string>() : error["code"].dump()) : "";
    return code.empty() ? message : fmt::format("{} ({})", message, code);
  }
  return json_string(body, "message");
}

Period period_of(const http::RateLimitWindow& window, Period fallback)
{
  if (window.length) {
    auto seconds = window.length->count();
    if (seconds <= 60) {
      return Period::minute;
    }
    if (seconds <= 3600) {
      return Period::hour;
    }
    return Period::day;
  }
  return fallback;
}

class OpenAiCompatibleProvider final : public Provider {
public:
  explicit OpenAiCompatibleProvider(OpenAiCompatibleProfile profile) : m_profile(std::move(profile))
  {
    configure_budget(m_profile.name, m_profile.name, m_profile.published_rate);
  }

  [[nodiscard]] std::string name() const override { return m_profile.name; }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    auto models = list_models(credentials, "validate");
    if (!models) {
      return tl::unexpected(models.error());
    }
    return {};
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    std::string model = json_string(spec.config, "model");
    if (model.empty()) {
      model = spec.product;
    }
    auto models = list_models(credentials, "create");
    if (!models) {
      return tl::unexpected(models.error());
    }
    if (!offers(*models, model)) {
      return fail(ExitCode::runtime, "model_not_offered",
                  fmt::format("{} create: the model '{}' is not in GET /models for this key", m_profile.name, model),
                  m_profile.name + " create", "check the offering's model id in the catalog");
    }
    return endpoint(spec.name, model, credentials);
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto models = list_models(credentials, "read");
    if (!models) {
      return tl::unexpected(models.error());
    }
    if (!offers(*models, resource.id)) {
      return std::optional<Resource>();  // the model was withdrawn: drift
    }
    return std::optional<Resource>(endpoint(resource.name, resource.id, credentials));
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    (void)current;
    return create(spec, credentials);
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    (void)resource;
    (void)credentials;
    return {};  // the provider holds nothing for helios: leaving the pool is a state change only
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto models = list_models(credentials, "list");
    if (!models) {
      return tl::unexpected(models.error());
    }
    std::vector<Resource> out;
    for (const auto& m : *models) {
      out.push_back(endpoint(json_string(m, "id"), json_string(m, "id"), credentials));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    auto api = client(credentials);
    if (m_profile.key_endpoint) {
      auto key = api.json({"usage", "GET", "/key", {}, {}, {}, {}});
      if (!key) {
        return tl::unexpected(key.error());
      }
      const auto data = key->value("data", nlohmann::json::object());
      std::vector<UsageReading> readings;
      std::string day = utc_day_start(), now = utc_now();
      readings.push_back({"credits_used", data.value("usage", 0.0), Period::none, day, now});
      if (data.contains("free_model_daily_requests") && data["free_model_daily_requests"].is_object()) {
        readings.push_back({"requests", data["free_model_daily_requests"].value("used", 0.0), Period::day, day, now});
      }
      return readings;
    }
    ApiCall call{"usage", "GET", "/models", {}, {}, {}, {}};
    auto response = api.send(call);
    if (!response) {
      return tl::unexpected(response.error());
    }
    if (!response->ok()) {
      return tl::unexpected(api.http_error(call, *response));
    }
    return readings_from_rate_limits(response->rate_limits, m_profile);
  }

private:
  OpenAiCompatibleProfile m_profile;

  [[nodiscard]] ApiClient client(const Credentials& credentials) const
  {
    return ApiClient(m_profile.name, api_base_url(m_profile.name, m_profile.base_url), credentials.token, read_openai_error);
  }

  Result<std::vector<nlohmann::json>> list_models(const Credentials& credentials, const std::string& operation) const
  {
    auto api = client(credentials);
    ApiCall call{operation, "GET", "/models", {}, {}, {}, {}};
    auto body = api.json(call);
    if (!body) {
      return tl::unexpected(body.error());
    }
    if (body->contains("error")) {  // an error inside an HTTP 200
      return tl::unexpected(api.failure(call, "error inside HTTP 200: " + read_openai_error(*body)));
    }
    if (!body->contains("data") || !(*body)["data"].is_array()) {
      return tl::unexpected(api.failure(call, "GET /models answered without a data array"));
    }
    return (*body)["data"].get<std::vector<nlohmann::json>>();
  }

  static bool offers(const std::vector<nlohmann::json>& models, const std::string& model)
  {
    for (const auto& m : models) {
      std::string id = json_string(m, "id");
      if (id == model || id == "models/" + model) {
        return true;
      }
    }
    return false;
  }

  [[nodiscard]] Resource endpoint(const std::string& name, const std::string& model, const Credentials& credentials) const
  {
    Resource r;
    r.provider = m_profile.name;
    r.type = "ai_endpoint";
    r.id = model;
    r.name = name;
    r.region = "global";
    r.status = "ready";
    r.outputs["base_url"] = api_base_url(m_profile.name, m_profile.base_url);
    r.outputs["model"] = model;
    std::string env = m_profile.name;
    for (auto& c : env) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    r.secret_refs["api_key"] = credentials.token_ref.empty() ? "env:" + env + "_API_KEY" : credentials.token_ref;
    return r;
  }
};

}  // namespace

std::vector<UsageReading> readings_from_rate_limits(const http::RateLimitState& state, const OpenAiCompatibleProfile& profile)
{
  std::vector<UsageReading> readings;
  std::string now = http::format_rfc3339(http::SystemClock::now());
  for (const auto& window : state.windows) {
    if (!window.limit || !window.remaining) {
      continue;
    }
    bool tokens = window.name.find("token") != std::string::npos;
    Period period = period_of(window, tokens ? profile.tokens_period : profile.requests_period);
    std::string end = window.reset ? http::format_rfc3339(*window.reset) : now;
    readings.push_back({tokens ? "tokens" : "requests", std::max(0.0, *window.limit - *window.remaining), period, now, end});
  }
  return readings;
}

std::unique_ptr<Provider> make_openai_compatible_provider(const OpenAiCompatibleProfile& profile)
{
  return std::make_unique<OpenAiCompatibleProvider>(profile);
}

std::unique_ptr<Provider> make_groq_provider()
{
  return make_openai_compatible_provider({"groq", "https://api.groq.com/openai/v1", "30/min,burst=5", Period::day, Period::minute, false});
}

std::unique_ptr<Provider> make_cerebras_provider()
{
  return make_openai_compatible_provider({"cerebras", "https://api.cerebras.ai/v1", "30/min,burst=5", Period::day, Period::minute, false});
}

std::unique_ptr<Provider> make_openrouter_provider()
{
  return make_openai_compatible_provider({"openrouter", "https://openrouter.ai/api/v1", "20/min,burst=5", Period::minute, Period::minute, true});
}

std::unique_ptr<Provider> make_mistral_provider()
{
  return make_openai_compatible_provider({"mistral", "https://api.mistral.ai/v1", "1/s,burst=1", Period::minute, Period::minute, false});
}

std::unique_ptr<Provider> make_google_provider()
{
  return make_openai_compatible_provider(
    {"google", "https://generativelanguage.googleapis.com/v1beta/openai", "5/min,burst=5", Period::minute, Period::minute, false});
}

std::unique_ptr<Provider> make_nvidia_provider()
{
  return make_openai_compatible_provider({"nvidia", "https://integrate.api.nvidia.com/v1", "40/min,burst=5", Period::minute, Period::minute, false});
}

}  // namespace helios::providers
