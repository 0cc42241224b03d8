#include <doctest/doctest.h>

#include "core/http/rate_limit_headers.hpp"

using namespace helios::http;
using namespace std::chrono;

TEST_SUITE_BEGIN("rate_limit_headers");

namespace {
const TimePoint now = TimePoint(seconds(1'800'000'000));  // 2027-01-15T08:00:00Z
double seconds_after_now(std::optional<TimePoint> t)
{
  REQUIRE(t.has_value());
  return duration<double>(*t - now).count();
}
}  // namespace

TEST_CASE("Go durations as OpenAI and Groq send them")
{
  CHECK(parse_go_duration("6ms").value() == milliseconds(6));
  CHECK(parse_go_duration("1s").value() == seconds(1));
  CHECK(parse_go_duration("1m30.5s").value() == milliseconds(90500));
  CHECK(parse_go_duration("2m59.56s").value() == milliseconds(179560));
  CHECK(parse_go_duration("1h2m3s").value() == seconds(3723));
  CHECK(parse_go_duration("6m0s").value() == minutes(6));
  CHECK(parse_go_duration("250us").value() == microseconds(250));
  CHECK(parse_go_duration("0").value() == nanoseconds(0));
  CHECK(parse_go_duration("7.66s").value() == milliseconds(7660));
  CHECK_FALSE(parse_go_duration(""));
  CHECK_FALSE(parse_go_duration("12"));
  CHECK_FALSE(parse_go_duration("3 days"));
  CHECK_FALSE(parse_go_duration("1x"));
  CHECK_FALSE(parse_go_duration("s"));
}

TEST_CASE("RFC 3339 and HTTP dates")
{
  auto t = parse_rfc3339("2027-01-15T08:00:00Z");
  REQUIRE(t);
  CHECK(*t == now);
  CHECK(parse_rfc3339("2027-01-15T09:00:00+01:00").value() == now);
  CHECK(parse_rfc3339("2027-01-15T08:00:01.500Z").value() == now + milliseconds(1500));
  CHECK_FALSE(parse_rfc3339("2027-01-15 08:00"));
  CHECK_FALSE(parse_rfc3339("2027-13-15T08:00:00Z"));
  CHECK(parse_http_date("Fri, 15 Jan 2027 08:00:00 GMT").value() == now);
  CHECK(parse_http_date("Friday, 15-Jan-27 08:00:00 GMT").value() == now);
  CHECK(parse_http_date("Fri Jan 15 08:00:00 2027").value() == now);
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK(format_rfc3339(now) == "2027-01-15T08:00:00Z");
}

TEST_CASE("Retry-After in seconds, as an HTTP date, and retry-after-ms first")
{
  CHECK(seconds_after_now(parse_retry_after(Headers{{"Retry-After", "30"}}, now)) == doctest::Approx(30));
  CHECK(seconds_after_now(parse_retry_after(Headers{{"retry-after", "1.5"}}, now)) == doctest::Approx(1.5));
  CHECK(seconds_after_now(parse_retry_after(Headers{{"Retry-After", "Fri, 15 Jan 2027 08:02:00 GMT"}}, now)) ==
        doctest::Approx(120));
  CHECK(seconds_after_now(parse_retry_after(Headers{{"retry-after-ms", "250"}, {"retry-after", "9"}}, now)) ==
        doctest::Approx(0.25));
  CHECK_FALSE(parse_retry_after(Headers{{"Retry-After", "soon"}}, now));
  CHECK_FALSE(parse_retry_after(Headers{{"Retry-After", "-3"}}, now));
  CHECK_FALSE(parse_retry_after(Headers{}, now));
}

TEST_CASE("OpenAI-style x-ratelimit headers, Groq's meaning included")
{
  Headers h{{"x-ratelimit-limit-requests", "1000"},  {"x-ratelimit-remaining-requests", "999"},
            {"x-ratelimit-reset-requests", "1m26.4s"}, {"x-ratelimit-limit-tokens", "12000"},
            {"x-ratelimit-remaining-tokens", "0"},     {"x-ratelimit-reset-tokens", "7.66s"},
            {"retry-after", "8"}};
  auto state = parse_rate_limit_headers(h, now);
  auto* requests = state.window("requests");
  REQUIRE(requests);
  CHECK(requests->limit.value() == 1000);
  CHECK(requests->remaining.value() == 999);
  CHECK(seconds_after_now(requests->reset) == doctest::Approx(86.4));
  auto* tokens = state.window("tokens");
  REQUIRE(tokens);
  CHECK(tokens->remaining.value() == 0);
  CHECK(seconds_after_now(tokens->reset) == doctest::Approx(7.66));
  CHECK(seconds_after_now(state.retry_at) == doctest::Approx(8));
  // the later of Retry-After and the exhausted window's reset
  CHECK(seconds_after_now(state.blocked_until()) == doctest::Approx(8));
}

TEST_CASE("Cerebras and Mistral window suffixes give the window length")
{
  Headers h{{"x-ratelimit-limit-requests-day", "14400"},
            {"x-ratelimit-remaining-requests-day", "14399"},
            {"x-ratelimit-reset-requests-day", "33011.2"},
            {"x-ratelimit-limit-tokens-minute", "60000"},
            {"x-ratelimit-remaining-tokens-minute", "0"},
            {"x-ratelimit-reset-tokens-minute", "11.5"}};
  auto state = parse_rate_limit_headers(h, now);
  auto* day = state.window("requests-day");
  REQUIRE(day);
  CHECK(day->length.value() == seconds(86400));
  CHECK(seconds_after_now(day->reset) == doctest::Approx(33011.2));
  auto* minute = state.window("tokens-minute");
  REQUIRE(minute);
  CHECK(minute->length.value() == seconds(60));
  CHECK(seconds_after_now(state.blocked_until()) == doctest::Approx(11.5));
}

TEST_CASE("Plain x-ratelimit with a policy (Koyeb) and epoch resets (GitHub, OpenRouter)")
{
  auto koyeb = parse_rate_limit_headers(
    Headers{{"x-ratelimit-limit", "400, 400;w=60"}, {"x-ratelimit-remaining", "398"}, {"x-ratelimit-reset", "42"}}, now);
  auto* w = koyeb.window("default");
  REQUIRE(w);
  CHECK(w->limit.value() == 400);
  CHECK(w->length.value() == seconds(60));
  CHECK(seconds_after_now(w->reset) == doctest::Approx(42));

  auto github = parse_rate_limit_headers(Headers{{"X-RateLimit-Reset", "1800000600"}}, now);
  CHECK(seconds_after_now(github.window("default")->reset) == doctest::Approx(600));
  auto openrouter = parse_rate_limit_headers(Headers{{"X-RateLimit-Reset", "1800000060000"}}, now);
  CHECK(seconds_after_now(openrouter.window("default")->reset) == doctest::Approx(60));
}

TEST_CASE("Render's RateLimit-Limit/-Remaining/-Reset")
{
  auto state = parse_rate_limit_headers(
    Headers{{"Ratelimit-Limit", "100"}, {"Ratelimit-Remaining", "0"}, {"Ratelimit-Reset", "45"}}, now);
  auto* w = state.window("default");
  REQUIRE(w);
  CHECK(w->limit.value() == 100);
  CHECK(w->remaining.value() == 0);
  CHECK(seconds_after_now(state.blocked_until()) == doctest::Approx(45));
}

TEST_CASE("Cloudflare's structured Ratelimit and Ratelimit-Policy")
{
  auto state = parse_rate_limit_headers(
    Headers{{"Ratelimit", "\"default\";r=50;t=30"}, {"Ratelimit-Policy", "\"default\";q=1200;w=300"}}, now);
  auto* w = state.window("default");
  REQUIRE(w);
  CHECK(w->remaining.value() == 50);
  CHECK(w->limit.value() == 1200);
  CHECK(w->length.value() == seconds(300));
  CHECK(seconds_after_now(w->reset) == doctest::Approx(30));
  CHECK_FALSE(state.blocked_until());

  auto old_draft =
    parse_rate_limit_headers(Headers{{"RateLimit", "limit=100, remaining=0, reset=5"}, {"RateLimit-Policy", "100;w=60"}},
                             now);
  auto* d = old_draft.window("default");
  REQUIRE(d);
  CHECK(d->limit.value() == 100);
  CHECK(d->length.value() == seconds(60));
  CHECK(seconds_after_now(old_draft.blocked_until()) == doctest::Approx(5));
}

TEST_CASE("Anthropic resets are RFC 3339 times")
{
  auto state = parse_rate_limit_headers(Headers{{"anthropic-ratelimit-requests-limit", "50"},
                                                {"anthropic-ratelimit-requests-remaining", "0"},
                                                {"anthropic-ratelimit-requests-reset", "2027-01-15T08:00:40Z"},
                                                {"anthropic-ratelimit-input-tokens-remaining", "20000"}},
                                        now);
  auto* r = state.window("requests");
  REQUIRE(r);
  CHECK(r->limit.value() == 50);
  CHECK(seconds_after_now(r->reset) == doctest::Approx(40));
  CHECK(state.window("input-tokens")->remaining.value() == 20000);
  CHECK(seconds_after_now(state.blocked_until()) == doctest::Approx(40));
}

TEST_CASE("Malformed values are ignored, not guessed")
{
  auto state = parse_rate_limit_headers(
    Headers{{"x-ratelimit-remaining-requests", "lots"}, {"x-ratelimit-reset-requests", "later"}, {"Content-Type", "x"}},
    now);
  auto* w = state.window("requests");
  REQUIRE(w);
  CHECK_FALSE(w->remaining);
  CHECK_FALSE(w->reset);
  CHECK_FALSE(state.blocked_until());
  CHECK(parse_rate_limit_headers(Headers{{"Content-Type", "application/json"}}, now).empty());
}
