// Fake OpenAI-compatible inference API (Groq, Cerebras, OpenRouter, Mistral, Gemini's OpenAI endpoint,
// NVIDIA NIM, Workers AI): GET <base>/models and POST <base>/chat/completions under any base path,
// counting requests and tokens per API key, sending rate-limit headers and 429s the way the real
// providers do (../shared/reference/ai-providers.md §2):
//   style "openai"/"groq": x-ratelimit-{limit,remaining,reset}-{requests,tokens}, Go-duration resets,
//          429 + retry-after (seconds) + {"error":{"message","type","code":"rate_limit_exceeded"}}
//   style "cerebras": the same with -requests-day / -tokens-minute suffixes
//   style "openrouter": 429 with the limits inside the JSON body (metadata.headers, reset in epoch ms)
// Options (--options JSON): rpm, tpm (per key and window; 0 = unlimited), window_s (default 60),
// quota (requests per key before "insufficient_quota"; 0 = unlimited), style, models.

#include <cmath>

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

namespace {
struct KeyState {
  std::chrono::steady_clock::time_point window_start = std::chrono::steady_clock::now();
  long window_requests = 0;
  long window_tokens = 0;
  long requests = 0;
  long prompt_tokens = 0;
  long completion_tokens = 0;
  long rejected = 0;
};

std::string go_duration(double seconds)
{
  if (seconds < 1) {
    return fmt::format("{}ms", static_cast<long>(std::ceil(seconds * 1000)));
  }
  long minutes = static_cast<long>(seconds) / 60;
  double rest = seconds - static_cast<double>(minutes) * 60;
  return minutes > 0 ? fmt::format("{}m{:.2f}s", minutes, rest) : fmt::format("{:.2f}s", rest);
}
}  // namespace

void install_openai(Context& ctx, const json& options)
{
  auto keys = std::make_shared<std::map<std::string, KeyState>>();
  long rpm = options.value("rpm", 0L);
  long tpm = options.value("tpm", 0L);
  long quota = options.value("quota", 0L);
  double window_s = options.value("window_s", 60.0);
  std::string style = options.value("style", "openai");
  std::vector<std::string> models = options.value("models", std::vector<std::string>{"llama-3.3-70b-versatile", "gemini-2.5-flash", "gpt-oss-120b"});

  ctx.write_error = [style](httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    json error = {{"message", message}, {"type", status == 401 || status == 403 ? "invalid_request_error" : code}, {"code", code}};
    if (style == "openrouter") {
      error = {{"message", message}, {"code", status}};
    }
    if (code == "missing_auth" || code == "invalid_token" || code == "bad_auth_scheme") {
      res.status = 401;
      error["code"] = style == "openrouter" ? json(401) : json("invalid_api_key");
      error["message"] = "Invalid API Key";
    }
    res.set_content(json{{"error", error}}.dump(), "application/json");
  };
  ctx.inventory = [] { return json::object(); };
  ctx.usage = [keys] {
    json out = json::object();
    for (auto& [key, k] : *keys) {
      out[key] = {{"requests", k.requests}, {"prompt_tokens", k.prompt_tokens}, {"completion_tokens", k.completion_tokens},
                  {"total_tokens", k.prompt_tokens + k.completion_tokens}, {"rejected", k.rejected}};
    }
    return json{{"keys", out}};
  };
  ctx.reset = [keys] { keys->clear(); };

  auto& server = ctx.server;
  server.Get(R"((.*)/key)", [&ctx, keys, rpm](const httplib::Request& req, httplib::Response& res) {
    auto key = ctx.authorize(req, res);
    if (!key) {
      return;
    }
    std::lock_guard lock(ctx.mutex);
    auto& k = (*keys)[*key];
    long limit = rpm > 0 ? rpm : 50;
    ctx.send_json(res, 200, {{"data", {{"label", "fake"}, {"usage", 0.0}, {"limit", nullptr}, {"is_free_tier", true},
                                       {"free_model_daily_requests", {{"limit", limit}, {"remaining", std::max(0L, limit - k.requests)},
                                                                      {"used", k.requests}}}}}});
  });

  server.Get(R"((.*)/models)", [&ctx, models, keys, rpm, tpm, style](const httplib::Request& req, httplib::Response& res) {
    auto key = ctx.authorize(req, res);
    if (!key) {
      return;
    }
    if (style != "openrouter") {
      // the current window as the chat answers report it, without consuming anything
      std::lock_guard lock(ctx.mutex);
      auto& k = (*keys)[*key];
      std::string r = style == "cerebras" ? "requests-day" : "requests";
      std::string t = style == "cerebras" ? "tokens-minute" : "tokens";
      if (rpm > 0) {
        res.set_header("x-ratelimit-limit-" + r, std::to_string(rpm));
        res.set_header("x-ratelimit-remaining-" + r, std::to_string(std::max(0L, rpm - k.window_requests)));
      }
      if (tpm > 0) {
        res.set_header("x-ratelimit-limit-" + t, std::to_string(tpm));
        res.set_header("x-ratelimit-remaining-" + t, std::to_string(std::max(0L, tpm - k.window_tokens)));
      }
    }
    json data = json::array();
    for (const auto& m : models) {
      data.push_back({{"id", m}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "fake"}});
    }
    ctx.send_json(res, 200, {{"object", "list"}, {"data", data}});
  });

  server.Post(R"((.*)/chat/completions)", [&ctx, keys, rpm, tpm, quota, window_s, style, models](const httplib::Request& req, httplib::Response& res) {
    auto key = ctx.authorize(req, res);
    if (!key) {
      return;
    }
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string model = body->value("model", "");
    if (model.empty()) {
      ctx.write_error(res, 400, "invalid_request_error", "you must provide a model parameter");
      return;
    }
    if (std::find(models.begin(), models.end(), model) == models.end()) {
      ctx.write_error(res, 404, "model_not_found", fmt::format("The model `{}` does not exist or you do not have access to it.", model));
      return;
    }
    if (!body->contains("messages") || !(*body)["messages"].is_array() || (*body)["messages"].empty()) {
      ctx.write_error(res, 400, "invalid_request_error", "'messages' must be a non-empty array");
      return;
    }
    long prompt = 0;
    for (const auto& message : (*body)["messages"]) {
      if (!message.is_object() || !message.contains("role") || !message.contains("content")) {
        ctx.write_error(res, 400, "invalid_request_error", "each message needs a role and a content");
        return;
      }
      prompt += 4 + static_cast<long>(message["content"].is_string() ? message["content"].get<std::string>().size() / 4 : 8);
    }
    long max_tokens = body->value("max_tokens", body->value("max_completion_tokens", 16L));
    long completion = std::min<long>(max_tokens, 16);

    std::lock_guard lock(ctx.mutex);
    auto& k = (*keys)[*key];
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - k.window_start).count();
    if (elapsed >= window_s) {
      k.window_start = now;
      k.window_requests = 0;
      k.window_tokens = 0;
      elapsed = 0;
    }
    double reset_s = std::max(0.001, window_s - elapsed);
    auto set_headers = [&](long used_requests, long used_tokens) {
      std::string r = style == "cerebras" ? "requests-day" : "requests";
      std::string t = style == "cerebras" ? "tokens-minute" : "tokens";
      if (style == "openrouter") {
        return;  // OpenRouter reports limits in 429 bodies, not headers
      }
      if (rpm > 0) {
        res.set_header("x-ratelimit-limit-" + r, std::to_string(rpm));
        res.set_header("x-ratelimit-remaining-" + r, std::to_string(std::max(0L, rpm - used_requests)));
        res.set_header("x-ratelimit-reset-" + r, style == "cerebras" ? fmt::format("{:.2f}", reset_s) : go_duration(reset_s));
      }
      if (tpm > 0) {
        res.set_header("x-ratelimit-limit-" + t, std::to_string(tpm));
        res.set_header("x-ratelimit-remaining-" + t, std::to_string(std::max(0L, tpm - used_tokens)));
        res.set_header("x-ratelimit-reset-" + t, style == "cerebras" ? fmt::format("{:.2f}", reset_s) : go_duration(reset_s));
      }
    };
    if (quota > 0 && k.requests >= quota) {
      ++k.rejected;
      if (style == "openrouter") {
        ctx.send_json(res, 402, {{"error", {{"code", 402}, {"message", "Insufficient credits. Add more using https://openrouter.ai/credits"}}}});
      } else {
        ctx.send_json(res, 429, {{"error", {{"message", "You exceeded your current quota, please check your plan and billing details."},
                                            {"type", "insufficient_quota"}, {"code", "insufficient_quota"}}}});
      }
      return;
    }
    bool over_requests = rpm > 0 && k.window_requests + 1 > rpm;
    bool over_tokens = tpm > 0 && k.window_tokens + prompt + completion > tpm;
    if (over_requests || over_tokens) {
      ++k.rejected;
      set_headers(k.window_requests, k.window_tokens);
      long retry = static_cast<long>(std::ceil(reset_s));
      if (style == "openrouter") {
        auto reset_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
                        static_cast<long long>(reset_s * 1000);
        ctx.send_json(res, 429, {{"error", {{"code", 429}, {"message", "Rate limit exceeded: free-models-per-min."},
                                            {"metadata", {{"headers", {{"X-RateLimit-Limit", std::to_string(rpm)},
                                                                       {"X-RateLimit-Remaining", "0"},
                                                                       {"X-RateLimit-Reset", std::to_string(reset_ms)}}},
                                                          {"limit_source", "openrouter_free_tier_minute"}}}}}});
        return;
      }
      res.set_header("retry-after", std::to_string(retry));
      std::string what = over_requests ? "requests per minute (RPM)" : "tokens per minute (TPM)";
      ctx.send_json(res, 429,
                    {{"error", {{"message", fmt::format("Rate limit reached for model `{}` in organization `org_fake` on {}: Limit {}, "
                                                        "Used {}, Requested {}. Please try again in {:.2f}s.",
                                                        model, what, over_requests ? rpm : tpm,
                                                        over_requests ? k.window_requests : k.window_tokens,
                                                        over_requests ? 1 : prompt + completion, reset_s)},
                                {"type", over_requests ? "requests" : "tokens"},
                                {"code", "rate_limit_exceeded"}}}});
      return;
    }
    ++k.window_requests;
    k.window_tokens += prompt + completion;
    ++k.requests;
    k.prompt_tokens += prompt;
    k.completion_tokens += completion;
    set_headers(k.window_requests, k.window_tokens);
    std::string content = "This is a fake answer.";
    ctx.send_json(res, 200,
                  {{"id", ctx.next_id("chatcmpl-")},
                   {"object", "chat.completion"},
                   {"created", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()},
                   {"model", model},
                   {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}}}},
                   {"usage", {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}}}});
  });
}

}  // namespace fake
