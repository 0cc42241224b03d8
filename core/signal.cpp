#include "core/signal.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace helios {

namespace {

constexpr EpochMs k_minute_ms = 60'000;
constexpr EpochMs k_hour_ms = 3'600'000;
constexpr EpochMs k_day_ms = 86'400'000;

std::string lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text)
{
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool contains(std::string_view haystack, std::string_view needle)
{
  return haystack.find(needle) != std::string_view::npos;
}

std::optional<double> parse_number(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  const std::string s(text);
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string json_string(const nlohmann::json& value)
{
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_number_integer()) {
    return std::to_string(value.get<long long>());
  }
  if (value.is_number()) {
    return fmt::format("{}", value.get<double>());
  }
  return {};
}

std::optional<Period> window_from_suffix(std::string_view suffix)
{
  if (suffix == "minute" || suffix == "min" || suffix == "m") {
    return Period::minute;
  }
  if (suffix == "hour" || suffix == "h") {
    return Period::hour;
  }
  if (suffix == "day" || suffix == "d") {
    return Period::day;
  }
  if (suffix == "second" || suffix == "s") {
    return Period::second;
  }
  if (suffix == "month") {
    return Period::month;
  }
  return std::nullopt;
}

std::string canonical_dimension(std::string_view name)
{
  if (name == "requests" || name == "req" || name == "request") {
    return "requests";
  }
  if (name == "tokens" || name == "tok" || name == "token") {
    return "tokens";
  }
  return std::string(name);
}

// Collects rate-limit headers into observations, keyed by (family, dimension, window).
struct ObservationBuilder {
  std::vector<LimitObservation> items;

  LimitObservation& at(const std::string& dimension, std::optional<Period> window, const std::string& header)
  {
    for (auto& item : items) {
      if (item.dimension == dimension && item.header == header) {
        if (window) {
          item.window = *window;
        }
        return item;
      }
    }
    LimitObservation obs;
    obs.dimension = dimension;
    obs.window = window.value_or(Period::minute);
    obs.header = header;
    items.push_back(obs);
    return items.back();
  }
};

// "x-ratelimit-remaining-requests-day" → family x-ratelimit, field remaining, dimension requests, window day.
void read_rate_limit_headers(const RawResponse& response, EpochMs now, const SignalContext& context,
                             ObservationBuilder& out)
{
  const bool groq = lower(context.provider) == "groq";
  for (const auto& [name, value] : response.headers) {
    std::string rest;
    std::string family;
    if (name.rfind("x-ratelimit-", 0) == 0) {
      family = "x-ratelimit";
      rest = name.substr(12);
    } else if (name.rfind("anthropic-ratelimit-", 0) == 0) {
      family = "anthropic-ratelimit";
      rest = name.substr(20);
    } else {
      continue;
    }
    std::string field;
    std::string spec;
    if (family == "x-ratelimit") {
      // x-ratelimit-{limit,remaining,reset}[-{dimension}[-{window}]]
      const auto dash = rest.find('-');
      field = rest.substr(0, dash);
      spec = dash == std::string::npos ? std::string() : rest.substr(dash + 1);
    } else {
      // anthropic-ratelimit-{dimension}-{limit,remaining,reset}; dimension may contain dashes
      const auto dash = rest.rfind('-');
      if (dash == std::string::npos) {
        continue;
      }
      field = rest.substr(dash + 1);
      spec = rest.substr(0, dash);
      if (spec.rfind("unified", 0) == 0) {
        spec = "requests";  // subscription traffic: one unified budget
      }
    }
    if (field != "limit" && field != "remaining" && field != "reset") {
      continue;
    }
    std::string dimension = spec.empty() ? std::string("requests") : spec;
    std::optional<Period> window;
    if (const auto dash = dimension.rfind('-'); dash != std::string::npos) {
      if (auto w = window_from_suffix(dimension.substr(dash + 1))) {
        window = w;
        dimension = dimension.substr(0, dash);
      }
    }
    dimension = canonical_dimension(dimension);
    if (!window && family == "x-ratelimit" && groq) {
      window = dimension == "requests" ? Period::day : Period::minute;  // Groq: limit-requests is RPD
    }
    if (!window && family == "anthropic-ratelimit") {
      window = Period::minute;
    }
    LimitObservation& obs = out.at(dimension, window, family);
    if (field == "limit") {
      obs.limit = parse_number(value);
    } else if (field == "remaining") {
      obs.remaining = parse_number(value);
    } else {
      obs.reset_at = parse_reset_value(value, now);
    }
  }
  // A window we could not name from the header: infer it from how far away the reset is.
  for (auto& obs : out.items) {
    const bool named = obs.header == "anthropic-ratelimit" || groq;
    if (!named && obs.reset_at && *obs.reset_at - now > k_hour_ms && obs.window == Period::minute) {
      obs.window = Period::day;
    }
  }
}

bool looks_daily(std::string_view text)
{
  const std::string t = lower(text);
  return contains(t, "per day") || contains(t, "per-day") || contains(t, "perday") || contains(t, "daily") ||
         contains(t, "requests per day") || contains(t, "(rpd)") || contains(t, "(tpd)") || contains(t, " rpd") ||
         contains(t, " tpd") || contains(t, "free-models-per-day");
}

bool looks_exhausted(std::string_view code_or_message)
{
  const std::string t = lower(code_or_message);
  return contains(t, "insufficient_quota") || contains(t, "credit_balance") || contains(t, "spend_limit") ||
         contains(t, "usage_limit_exceeded") || contains(t, "insufficient credits") ||
         contains(t, "insufficient_credits") || contains(t, "reached your specified api usage limits") ||
         contains(t, "exceeded your current quota") || contains(t, "billing") || contains(t, "payment required") ||
         contains(t, "out of credits");
}

// "Please try again in 46.72s" / "try again in 1m30s" / "retry in 26.3s" → ms.
std::optional<double> message_retry_hint(std::string_view message)
{
  const std::string t = lower(message);
  for (const std::string_view marker : {"try again in ", "retry in ", "retry after "}) {
    const auto pos = t.find(marker);
    if (pos == std::string::npos) {
      continue;
    }
    std::size_t end = pos + marker.size();
    while (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '.')) {
      ++end;
    }
    std::string token = t.substr(pos + marker.size(), end - pos - marker.size());
    while (!token.empty() && token.back() == '.') {
      token.pop_back();
    }
    if (auto d = parse_go_duration_ms(token)) {
      return d;
    }
    if (auto n = parse_number(token)) {
      // "try again in 20 seconds"
      return *n * 1000;
    }
  }
  return std::nullopt;
}

EpochMs next_utc_midnight(EpochMs now)
{
  return (now / k_day_ms + 1) * k_day_ms;
}

EpochMs next_month_utc(EpochMs now)
{
  const CivilDate d = civil_from_days(now / k_day_ms);
  return days_from_civil({d.month == 12 ? d.year + 1 : d.year, d.month == 12 ? 1u : d.month + 1, 1}) * k_day_ms;
}

}  // namespace

std::string_view signal_kind_name(SignalKind kind)
{
  switch (kind) {
  case SignalKind::ok:
    return "ok";
  case SignalKind::transient:
    return "transient";
  case SignalKind::daily:
    return "daily";
  case SignalKind::exhausted:
    return "exhausted";
  case SignalKind::auth:
    return "auth";
  case SignalKind::error:
    return "error";
  }
  return "error";
}

std::optional<SignalKind> parse_signal_kind(std::string_view name)
{
  const std::string t = lower(trim(name));
  if (t == "ok" || t == "success") {
    return SignalKind::ok;
  }
  if (t == "transient" || t == "429" || t == "rate_limited" || t == "rate-limited" || t == "rate_limit" ||
      t == "minute") {
    return SignalKind::transient;
  }
  if (t == "daily" || t == "day") {
    return SignalKind::daily;
  }
  if (t == "exhausted" || t == "quota" || t == "402" || t == "insufficient_quota" || t == "quota_exhausted") {
    return SignalKind::exhausted;
  }
  if (t == "auth" || t == "401" || t == "403" || t == "unauthorized" || t == "forbidden") {
    return SignalKind::auth;
  }
  if (t == "error" || t == "5xx" || t == "500" || t == "502" || t == "503" || t == "timeout" || t == "overloaded") {
    return SignalKind::error;
  }
  return std::nullopt;
}

const std::string* RawResponse::header(std::string_view name) const
{
  const std::string key = lower(name);
  const std::string* found = nullptr;
  for (const auto& [n, v] : headers) {
    if (n == key) {
      found = &v;
    }
  }
  return found;
}

Result<RawResponse> parse_raw_response(std::string_view text, const std::string& where)
{
  RawResponse response;
  std::size_t pos = 0;
  bool seen = false;
  while (pos < text.size() && text.substr(pos, 5) == "HTTP/") {
    seen = true;
    response = RawResponse{};
    auto line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) {
      line_end = text.size();
    }
    const std::string_view status_line = trim(text.substr(pos, line_end - pos));
    const auto sp = status_line.find(' ');
    const std::string_view code = sp == std::string_view::npos ? std::string_view{} : trim(status_line.substr(sp + 1)).substr(0, 3);
    if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(ExitCode::usage, "invalid_signal",
                  fmt::format("status line '{}' has no 3-digit status code", status_line), where + ":1:1",
                  "save the response with `curl -si` (status line, headers, blank line, body)");
    }
    response.status = std::atoi(std::string(code).c_str());
    pos = line_end < text.size() ? line_end + 1 : text.size();
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      const std::string_view line = text.substr(pos, end - pos);
      pos = end < text.size() ? end + 1 : text.size();
      if (trim(line).empty()) {
        break;
      }
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        continue;
      }
      response.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    // A 1xx interim response or a redirect followed by the next response.
    if (!(text.substr(pos, 5) == "HTTP/" && (response.status < 200 || (response.status >= 300 && response.status < 400)))) {
      break;
    }
  }
  if (!seen) {
    return fail(ExitCode::usage, "invalid_signal",
                "the signal does not start with an HTTP status line (\"HTTP/1.1 429 Too Many Requests\")",
                where + ":1:1", "save the response with `curl -si …` or `curl -D - …`");
  }
  response.body = std::string(text.substr(pos));
  return response;
}

std::optional<double> parse_go_duration_ms(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  if (text == "0") {
    return 0.0;
  }
  double total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == start) {
      return std::nullopt;
    }
    const auto number = parse_number(text.substr(start, i - start));
    if (!number) {
      return std::nullopt;
    }
    const std::size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') {
      ++i;
    }
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      scale = 0.001;
    } else if (unit == "ns") {
      scale = 0.000001;
    } else {
      return std::nullopt;
    }
    total += *number * scale;
    any = true;
  }
  if (!any) {
    return std::nullopt;
  }
  return total;
}

std::optional<EpochMs> parse_reset_value(std::string_view text, EpochMs now)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  if (auto t = parse_rfc3339(text)) {
    return t;
  }
  if (auto t = parse_http_date(text)) {
    return t;
  }
  if (auto n = parse_number(text)) {
    if (*n > 1e12) {
      return static_cast<EpochMs>(*n);  // epoch milliseconds
    }
    if (*n > 1e9) {
      return static_cast<EpochMs>(*n * 1000);  // epoch seconds
    }
    return now + static_cast<EpochMs>(std::ceil(*n * 1000));  // delta seconds
  }
  if (auto d = parse_go_duration_ms(text)) {
    return now + static_cast<EpochMs>(std::ceil(*d));
  }
  return std::nullopt;
}

nlohmann::json Signal::to_json() const
{
  nlohmann::json limits_json = nlohmann::json::array();
  for (const auto& obs : limits) {
    limits_json.push_back({{"dimension", obs.dimension},
                           {"window", std::string(period_name(obs.window))},
                           {"limit", obs.limit ? nlohmann::json(*obs.limit) : nlohmann::json(nullptr)},
                           {"remaining", obs.remaining ? nlohmann::json(*obs.remaining) : nlohmann::json(nullptr)},
                           {"reset_at", obs.reset_at ? nlohmann::json(format_rfc3339(*obs.reset_at)) : nlohmann::json(nullptr)},
                           {"header", obs.header}});
  }
  return {{"kind", std::string(signal_kind_name(kind))},
          {"status", status},
          {"available_at", available_at > 0 ? nlohmann::json(format_rfc3339(available_at)) : nlohmann::json(nullptr)},
          {"code", code},
          {"reason", reason},
          {"basis", basis},
          {"limits", limits_json}};
}

Signal classify_signal(const RawResponse& response, EpochMs now, const SignalContext& context)
{
  Signal signal;
  signal.status = response.status;
  const std::string provider = lower(context.provider);
  const bool gemini_provider = provider == "gemini" || provider == "google" || provider == "google-ai-studio";
  EpochMs daily_reset = context.daily_reset_at > now ? context.daily_reset_at
                        : gemini_provider             ? pacific_next_midnight(now)
                                                      : next_utc_midnight(now);
  const EpochMs exhausted_until = context.exhausted_until > now ? context.exhausted_until : next_month_utc(now);

  // The body: an OpenAI/OpenRouter/Anthropic/Gemini error object, possibly inside a 200.
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  std::string message;
  std::string code;
  std::string type;
  int body_status = 0;
  const nlohmann::json* error = nullptr;
  if (body.is_object() && body.contains("error")) {
    error = &body["error"];
    if (error->is_object()) {
      message = error->value("message", std::string());
      code = json_string(error->value("code", nlohmann::json()));
      type = error->value("type", std::string());
      const std::string status_text = error->value("status", std::string());
      if (error->contains("code") && (*error)["code"].is_number_integer()) {
        body_status = (*error)["code"].get<int>();
      }
      if (status_text == "RESOURCE_EXHAUSTED" && body_status == 0) {
        body_status = 429;
      }
      if (!status_text.empty() && type.empty()) {
        type = status_text;
      }
    } else if (error->is_string()) {
      message = error->get<std::string>();
    }
  }
  int status = response.status;
  if (status >= 200 && status < 300 && error != nullptr) {
    // An error hidden in an HTTP 200 (OpenRouter): its code is the real status; no code means a failure.
    status = body_status >= 400 ? body_status : 500;
    signal.reason = "error inside an HTTP 200 body; ";
  }
  signal.status = status;
  signal.code = !code.empty() && !std::all_of(code.begin(), code.end(), ::isdigit) ? code : type;

  ObservationBuilder observations;
  read_rate_limit_headers(response, now, context, observations);

  // OpenRouter: the limits are inside the body (error.metadata.headers), the reset in epoch ms.
  std::string limit_source;
  if (error && error->is_object() && error->contains("metadata") && (*error)["metadata"].is_object()) {
    const auto& metadata = (*error)["metadata"];
    limit_source = metadata.value("limit_source", std::string());
    if (metadata.contains("headers") && metadata["headers"].is_object()) {
      RawResponse inner;
      for (const auto& [k, v] : metadata["headers"].items()) {
        inner.headers.emplace_back(lower(k), json_string(v));
      }
      ObservationBuilder body_obs;
      read_rate_limit_headers(inner, now, context, body_obs);
      for (auto& obs : body_obs.items) {
        obs.header = "body:error.metadata.headers";
        if (looks_daily(limit_source) || looks_daily(message)) {
          obs.window = Period::day;
        }
        observations.items.push_back(obs);
      }
    }
  }

  // Gemini: google.rpc.QuotaFailure names the window; google.rpc.RetryInfo gives the delay.
  bool gemini_daily = false;
  bool gemini_minute = false;
  std::optional<double> retry_info_ms;
  if (error && error->is_object() && error->contains("details") && (*error)["details"].is_array()) {
    for (const auto& detail : (*error)["details"]) {
      if (!detail.is_object()) {
        continue;
      }
      const std::string at_type = detail.value("@type", std::string());
      if (contains(at_type, "google.rpc.QuotaFailure") && detail.contains("violations") && detail["violations"].is_array()) {
        for (const auto& violation : detail["violations"]) {
          const std::string quota_id = violation.value("quotaId", std::string()) + " " +
                                       violation.value("quotaMetric", std::string());
          const std::string id = lower(quota_id);
          LimitObservation obs;
          obs.dimension = contains(id, "token") ? "tokens" : "requests";
          obs.remaining = 0;
          if (violation.contains("quotaValue")) {
            if (auto v = parse_number(json_string(violation["quotaValue"]))) {
              obs.limit = *v;
            }
          }
          obs.header = "body:QuotaFailure";
          if (contains(id, "perday")) {
            gemini_daily = true;
            obs.window = Period::day;
            obs.reset_at = pacific_next_midnight(now);
          } else {
            gemini_minute = true;
            obs.window = contains(id, "perhour") ? Period::hour : Period::minute;
          }
          observations.items.push_back(obs);
        }
      }
      if (contains(at_type, "google.rpc.RetryInfo")) {
        retry_info_ms = parse_go_duration_ms(json_string(detail.value("retryDelay", nlohmann::json())));
      }
    }
  }
  if (gemini_daily) {
    daily_reset = pacific_next_midnight(now);
  }
  signal.limits = observations.items;

  // Server hints for when to come back.
  std::optional<EpochMs> hint;
  std::string hint_basis;
  auto consider = [&](std::optional<EpochMs> at, const std::string& basis) {
    if (at && *at > now && (!hint || *at > *hint)) {  // the latest hint wins: never shorten a cooldown
      hint = at;
      hint_basis = basis;
    }
  };
  if (const auto* v = response.header("retry-after-ms")) {
    if (auto n = parse_number(*v)) {
      consider(now + static_cast<EpochMs>(std::ceil(*n)), "retry-after-ms");
    }
  }
  if (const auto* v = response.header("retry-after")) {
    consider(parse_reset_value(*v, now), "retry-after");
  }
  if (retry_info_ms) {
    consider(now + static_cast<EpochMs>(std::ceil(*retry_info_ms)), "RetryInfo.retryDelay");
  }
  if (auto m = message_retry_hint(message)) {
    consider(now + static_cast<EpochMs>(std::ceil(*m)), "message");
  }
  // The windows that are empty now.
  bool empty_daily = false;
  std::optional<EpochMs> empty_reset;
  std::string empty_basis;
  for (const auto& obs : observations.items) {
    if (obs.remaining && *obs.remaining <= 0) {
      if (obs.window >= Period::day) {
        empty_daily = true;
      }
      if (obs.reset_at && (!empty_reset || *obs.reset_at > *empty_reset)) {
        empty_reset = obs.reset_at;
        empty_basis = obs.header + " reset (" + obs.dimension + "/" + std::string(period_name(obs.window)) + ")";
      }
    }
  }

  const std::string what = message.empty() ? std::string() : ": " + message.substr(0, 200);
  // Gemini words its per-minute and per-day 429s like an exhausted quota; its QuotaFailure decides.
  const bool exhausted_text =
    looks_exhausted(code) || looks_exhausted(type) || (!gemini_daily && !gemini_minute && looks_exhausted(message));
  if (status >= 200 && status < 300) {
    signal.kind = SignalKind::ok;
    signal.reason = "ok";
    if (empty_reset) {  // the call worked but the window is now empty: later calls must wait
      signal.available_at = *empty_reset;
      signal.basis = empty_basis;
    }
    return signal;
  }
  if (status == 401 || status == 403) {
    signal.kind = SignalKind::auth;
    signal.available_at = now + k_hour_ms;
    signal.basis = "auth failure: one hour";
    signal.reason += fmt::format("{} authentication failed{}", status, what);
    return signal;
  }
  if (status == 402 || exhausted_text) {
    signal.kind = SignalKind::exhausted;
    signal.available_at = std::max(exhausted_until, hint.value_or(0));
    signal.basis = "quota exhausted: end of the quota period";
    signal.reason += fmt::format("{} quota exhausted{}", status, what);
    return signal;
  }
  if (status == 429) {
    const bool daily = gemini_daily || (!gemini_minute && (empty_daily || looks_daily(limit_source) || looks_daily(message)));
    if (daily) {
      signal.kind = SignalKind::daily;
      EpochMs at = daily_reset;
      signal.basis = gemini_daily ? "QuotaFailure PerDay: next midnight America/Los_Angeles" : "daily reset";
      if (empty_reset && *empty_reset > now) {
        at = *empty_reset;
        signal.basis = empty_basis;
      }
      if (hint && *hint > at) {
        at = *hint;
        signal.basis = hint_basis;
      }
      signal.available_at = at;
      signal.reason += fmt::format("429 daily limit reached{}", what);
      return signal;
    }
    signal.kind = SignalKind::transient;
    EpochMs at = now + k_minute_ms;
    signal.basis = "no hint: one minute";
    if (hint || empty_reset) {
      at = std::max(hint.value_or(0), empty_reset.value_or(0));
      signal.basis = hint && (!empty_reset || *hint >= *empty_reset) ? hint_basis : empty_basis;
    }
    signal.available_at = at;
    signal.reason += fmt::format("429 rate limited{}", what);
    return signal;
  }
  // Other errors: 5xx, 408, 409, unknown 4xx.
  signal.kind = SignalKind::error;
  signal.available_at = hint.value_or(now + 15'000);
  signal.basis = hint ? hint_basis : "error: 15 seconds";
  signal.reason += fmt::format("{} error{}", status, what);
  return signal;
}

}  // namespace helios
