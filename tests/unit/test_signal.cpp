#include <doctest/doctest.h>

#include "core/signal.hpp"

using namespace helios;

TEST_SUITE_BEGIN("signal");

namespace {
EpochMs at(const char* text)
{
  return parse_rfc3339(text).value();
}
const EpochMs k_now = at("2026-11-26T01:30:00Z");

Signal classify(const std::string& raw, const std::string& provider = "")
{
  auto response = parse_raw_response(raw);
  REQUIRE(response);
  SignalContext ctx;
  ctx.provider = provider;
  return classify_signal(*response, k_now, ctx);
}
}  // namespace

TEST_CASE("Go-style durations")
{
  CHECK(parse_go_duration_ms("6m0s").value() == doctest::Approx(360'000));
  CHECK(parse_go_duration_ms("2m59.56s").value() == doctest::Approx(179'560));
  CHECK(parse_go_duration_ms("12ms").value() == doctest::Approx(12));
  CHECK(parse_go_duration_ms("1h2m3s").value() == doctest::Approx(3'723'000));
  CHECK(parse_go_duration_ms("7.66s").value() == doctest::Approx(7'660));
  CHECK(parse_go_duration_ms("1.5us").value() == doctest::Approx(0.0015));
  CHECK_FALSE(parse_go_duration_ms("soon"));
  CHECK_FALSE(parse_go_duration_ms("5x"));
}

TEST_CASE("reset values in every shape become absolute times")
{
  CHECK(parse_reset_value("20", k_now).value() == k_now + 20'000);
  CHECK(parse_reset_value("1.5s", k_now).value() == k_now + 1'500);
  CHECK(parse_reset_value("1788220800000", k_now).value() == 1788220800000);    // epoch ms
  CHECK(parse_reset_value("1788220800", k_now).value() == 1788220800000);       // epoch s
  CHECK(parse_reset_value("2026-11-26T01:31:00Z", k_now).value() == at("2026-11-26T01:31:00Z"));
  CHECK(parse_reset_value("Thu, 26 Nov 2026 01:32:00 GMT", k_now).value() == at("2026-11-26T01:32:00Z"));
}

TEST_CASE("raw responses: curl -si output, interim responses, bad input")
{
  auto r = parse_raw_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/2 429 \r\nRetry-After: 7\r\ncontent-type: application/json\r\n\r\n{\"a\":1}");
  REQUIRE(r);
  CHECK(r->status == 429);
  CHECK(*r->header("retry-after") == "7");
  CHECK(r->body == "{\"a\":1}");
  auto bad = parse_raw_response("{\"error\":{}}", "sig.txt");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().exit == ExitCode::usage);
  CHECK(bad.error().where == "sig.txt:1:1");
  CHECK(bad.error().hint.find("curl -si") != std::string::npos);
}

TEST_CASE("OpenAI 429 rate_limit_exceeded is transient; the later of retry-after and the header reset wins")
{
  const auto s = classify(
    "HTTP/1.1 429 Too Many Requests\n"
    "retry-after: 2\n"
    "x-ratelimit-limit-requests: 60\nx-ratelimit-remaining-requests: 59\nx-ratelimit-reset-requests: 1s\n"
    "x-ratelimit-limit-tokens: 150000\nx-ratelimit-remaining-tokens: 0\nx-ratelimit-reset-tokens: 6m0s\n\n"
    "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
  CHECK(s.kind == SignalKind::transient);
  CHECK(s.available_at == k_now + 360'000);
  REQUIRE(s.limits.size() == 2);
  CHECK(s.limits[1].dimension == "tokens");
  CHECK(*s.limits[1].remaining == 0);
}

TEST_CASE("OpenAI 429 insufficient_quota is exhausted: rotate, no backoff")
{
  const auto s = classify("HTTP/1.1 429 Too Many Requests\n\n"
                          "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}");
  CHECK(s.kind == SignalKind::exhausted);
  CHECK(s.available_at == at("2026-12-01T00:00:00Z"));
}

TEST_CASE("402 and Anthropic's 400 usage limit are exhausted, not transient (LiteLLM #37592)")
{
  CHECK(classify("HTTP/1.1 402 Payment Required\n\n{\"error\":{\"message\":\"Insufficient credits\",\"code\":402}}").kind ==
        SignalKind::exhausted);
  const auto a = classify("HTTP/1.1 400 Bad Request\n\n{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                          "\"message\":\"You have reached your specified API usage limits. You will regain access on 2026-12-01.\"}}");
  CHECK(a.kind == SignalKind::exhausted);
  CHECK(classify("HTTP/1.1 400 Bad Request\n\n{\"error\":{\"message\":\"bad json\"}}").kind == SignalKind::error);
}

TEST_CASE("Anthropic headers: RFC 3339 resets")
{
  const auto s = classify("HTTP/1.1 429 Too Many Requests\nretry-after: 5\n"
                          "anthropic-ratelimit-requests-limit: 50\nanthropic-ratelimit-requests-remaining: 0\n"
                          "anthropic-ratelimit-requests-reset: 2026-11-26T01:30:40Z\n"
                          "anthropic-ratelimit-input-tokens-remaining: 1000\n\n{}",
                          "anthropic");
  CHECK(s.kind == SignalKind::transient);
  CHECK(s.available_at == at("2026-11-26T01:30:40Z"));
  bool input = false;
  for (const auto& l : s.limits) {
    input = input || l.dimension == "input-tokens";
  }
  CHECK(input);
}

TEST_CASE("Groq: x-ratelimit-limit-requests is per day, so an empty requests window is a daily limit")
{
  const auto s = classify("HTTP/1.1 429 Too Many Requests\nretry-after: 47\n"
                          "x-ratelimit-limit-requests: 1000\nx-ratelimit-remaining-requests: 0\n"
                          "x-ratelimit-reset-requests: 2m59.56s\n\n"
                          "{\"error\":{\"message\":\"Rate limit reached on requests per day (RPD): Limit 1000, Used 1000. Please try again in 2m59.56s.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
                          "groq");
  CHECK(s.kind == SignalKind::daily);
  CHECK(s.available_at == k_now + 179'560);
  CHECK(s.limits[0].window == Period::day);
}

TEST_CASE("Groq per-minute limit: the message hint counts")
{
  const auto s = classify("HTTP/1.1 429 Too Many Requests\n\n"
                          "{\"error\":{\"message\":\"Rate limit reached on tokens per minute (TPM). Please try again in 46.72s.\",\"code\":\"rate_limit_exceeded\"}}",
                          "groq");
  CHECK(s.kind == SignalKind::transient);
  CHECK(s.available_at == k_now + 46'720);
  CHECK(s.basis == "message");
}

TEST_CASE("OpenRouter: limits inside the 429 body with an epoch-millisecond reset")
{
  const auto s = classify(
    "HTTP/1.1 429 Too Many Requests\n\n"
    "{\"error\":{\"message\":\"Rate limit exceeded: free-models-per-day\",\"code\":429,\"metadata\":{\"headers\":"
    "{\"X-RateLimit-Limit\":\"50\",\"X-RateLimit-Remaining\":\"0\",\"X-RateLimit-Reset\":\"1795996800000\"},"
    "\"limit_source\":\"openrouter_free_tier_daily\"}}}",
    "openrouter");
  CHECK(s.kind == SignalKind::daily);
  CHECK(s.available_at == 1795996800000);
  REQUIRE(s.limits.size() == 1);
  CHECK(*s.limits[0].limit == 50);
  CHECK(s.limits[0].window == Period::day);
}

TEST_CASE("OpenRouter: an error hidden inside an HTTP 200 body (LiteLLM #8448)")
{
  const auto s = classify("HTTP/1.1 200 OK\n\n{\"error\":{\"message\":\"Rate limit exceeded\",\"code\":429}}");
  CHECK(s.status == 429);
  CHECK(s.kind == SignalKind::transient);
  CHECK(s.available_at == k_now + 60'000);
  const auto ok = classify("HTTP/1.1 200 OK\n\n{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}");
  CHECK(ok.kind == SignalKind::ok);
}

TEST_CASE("Gemini: QuotaFailure PerDay waits for midnight Pacific; PerMinute uses RetryInfo")
{
  const std::string day =
    "HTTP/1.1 429 Too Many Requests\n\n"
    "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"status\":\"RESOURCE_EXHAUSTED\","
    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":"
    "\"generativelanguage.googleapis.com/generate_content_free_tier_requests\",\"quotaId\":"
    "\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\",\"quotaDimensions\":{\"model\":\"gemini-2.5-flash\"},\"quotaValue\":\"20\"}]},"
    "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"26s\"}]}}";
  const auto d = classify(day, "gemini");
  CHECK(d.kind == SignalKind::daily);
  CHECK(d.available_at == at("2026-11-26T08:00:00Z"));
  const std::string minute =
    "HTTP/1.1 429 Too Many Requests\n\n"
    "{\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\","
    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":"
    "\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\",\"quotaValue\":\"5\"}]},"
    "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"26s\"}]}}";
  const auto m = classify(minute, "gemini");
  CHECK(m.kind == SignalKind::transient);
  CHECK(m.available_at == k_now + 26'000);
}

TEST_CASE("auth failures, server errors, retry-after-ms and HTTP-date retry-after")
{
  CHECK(classify("HTTP/1.1 401 Unauthorized\n\n{}").kind == SignalKind::auth);
  const auto e = classify("HTTP/1.1 503 Service Unavailable\nretry-after-ms: 1500\n\n");
  CHECK(e.kind == SignalKind::error);
  CHECK(e.available_at == k_now + 1'500);
  const auto d = classify("HTTP/1.1 429 Too Many Requests\nRetry-After: Thu, 26 Nov 2026 01:35:00 GMT\n\n");
  CHECK(d.available_at == at("2026-11-26T01:35:00Z"));
}

TEST_CASE("a successful answer with an empty window tells when to come back")
{
  const auto s = classify("HTTP/1.1 200 OK\nx-ratelimit-remaining-requests: 0\nx-ratelimit-reset-requests: 30s\n\n{}");
  CHECK(s.kind == SignalKind::ok);
  CHECK(s.available_at == k_now + 30'000);
}

TEST_CASE("signal kinds by name")
{
  CHECK(parse_signal_kind("429").value() == SignalKind::transient);
  CHECK(parse_signal_kind("quota").value() == SignalKind::exhausted);
  CHECK(parse_signal_kind("401").value() == SignalKind::auth);
  CHECK_FALSE(parse_signal_kind("bored"));
}
