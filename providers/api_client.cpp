#include "providers/api_client.hpp"

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "core/http/redact.hpp"

namespace helios::providers {

std::string provider_env(std::string_view provider, std::string_view suffix)
{
  std::string name = "HELIOS_";
  for (char c : provider) {
    name += (c == '-' || c == '.' || c == '/') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  name += "_";
  name += suffix;
  return name;
}

std::string api_base_url(std::string_view provider, std::string_view default_url)
{
  std::string url(default_url);
  if (const char* value = std::getenv(provider_env(provider, "API_URL").c_str()); value && *value) {
    url = value;
  }
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

namespace {

// The path of an absolute URL ("" for "https://host"), without its query.
std::string_view url_path(std::string_view url)
{
  const auto scheme = url.find("://");
  const auto host = scheme == std::string_view::npos ? 0 : scheme + 3;
  const auto slash = url.find('/', host);
  if (slash == std::string_view::npos) {
    return {};
  }
  auto path = url.substr(slash);
  return path.substr(0, path.find('?'));
}

}  // namespace

std::string endpoint_url(std::string_view provider, std::string_view catalog_url)
{
  const char* value = std::getenv(provider_env(provider, "API_URL").c_str());
  if (!value || !*value) {
    return std::string(catalog_url);
  }
  const std::string base = api_base_url(provider, "");
  const std::string_view base_path = url_path(base);
  const std::string_view path = url_path(catalog_url);
  if (path.substr(0, base_path.size()) == base_path &&
      (path.size() == base_path.size() || base_path.empty() || path[base_path.size()] == '/')) {
    const auto path_start = static_cast<std::size_t>(path.data() - catalog_url.data());
    return base + std::string(catalog_url.substr(path_start + base_path.size()));
  }
  return base;
}

void configure_budget(std::string_view provider, std::string_view budget, std::string_view published_rate)
{
  std::string text(published_rate);
  if (const char* value = std::getenv(provider_env(provider, "API_RATE").c_str()); value && *value) {
    text = value;
  }
  auto spec = http::parse_rate_spec(text);
  http::Transport::shared().ensure_budget(std::string(budget), spec.value_or(http::RateSpec{}));
}

std::string url_encode(std::string_view text)
{
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::optional<nlohmann::json> parse_json(const std::string& text)
{
  auto value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) {
    return std::nullopt;
  }
  return value;
}

std::string json_string(const nlohmann::json& object, std::string_view key)
{
  if (!object.is_object()) {
    return {};
  }
  auto it = object.find(std::string(key));
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string message_with_code(const nlohmann::json& body)
{
  std::string message = json_string(body, "message");
  std::string code = json_string(body, "code");
  return code.empty() ? message : fmt::format("{} ({})", message, code);
}

std::string resource_name(std::string_view name, std::size_t max_length)
{
  std::string out;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) ? l : '-';
  }
  if (out.size() > max_length) {
    // FNV-1a of the whole name keeps truncated names distinct and stable across runs
    std::uint32_t hash = 2166136261u;
    for (char c : name) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    auto suffix = fmt::format("-{:06x}", hash & 0xffffffu);
    out = out.substr(0, max_length - suffix.size()) + suffix;
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out;
}

namespace {
std::string format_utc(std::time_t t)
{
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}
}  // namespace

std::string utc_now()
{
  return format_utc(std::time(nullptr));
}

std::string utc_day_start()
{
  std::time_t t = std::time(nullptr);
  return format_utc(t - t % 86400);
}

std::string utc_month_start()
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-01T00:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1);
}

ApiClient::ApiClient(std::string provider, std::string base_url, std::string token, ErrorMessageReader reader)
  : m_provider(std::move(provider)), m_base_url(std::move(base_url)), m_token(std::move(token)), m_reader(std::move(reader))
{
  http::register_secret(m_token);
}

Result<http::Response> ApiClient::send(const ApiCall& call) const
{
  http::Request request;
  request.method = call.method;
  request.url = m_base_url + call.path;
  request.budget = m_budget_rule ? m_budget_rule(call) : m_provider;
  request.label = fmt::format("{} {}", m_provider, call.operation);
  request.retry_safe = call.retry_safe;
  request.headers.add("Authorization", "Bearer " + m_token);
  request.headers.add("Accept", "application/json");
  if (call.body) {
    request.body = call.body->dump();
    request.headers.add("Content-Type", "application/json");
  } else if (!call.raw_body.empty()) {
    request.body = call.raw_body;
    request.headers.add("Content-Type", call.content_type);
  }
  // Knobs for tests and slow links: attempts, first backoff and per-attempt timeout.
  if (const char* attempts = std::getenv("HELIOS_HTTP_MAX_ATTEMPTS"); attempts && *attempts) {
    request.retry.max_attempts = std::max(1, std::atoi(attempts));
  }
  if (const char* backoff = std::getenv("HELIOS_HTTP_BACKOFF_MS"); backoff && *backoff) {
    request.retry.initial_backoff = std::chrono::milliseconds(std::max(1, std::atoi(backoff)));
  }
  if (const char* timeout = std::getenv("HELIOS_HTTP_TIMEOUT_MS"); timeout && *timeout) {
    request.timeout = std::chrono::milliseconds(std::max(1, std::atoi(timeout)));
  }
  // A 2xx whose body is not the JSON the API promises is as good as a 502: retry it where safe.
  // An error object inside an HTTP 200 (OpenRouter) means the status it carries.
  request.inspect = [](const http::Response& response) -> std::optional<long> {
    if (response.status >= 200 && response.status < 300 && !response.body.empty()) {
      auto type = response.headers.get("content-type");
      if (type && type->find("json") != std::string_view::npos) {
        auto body = parse_json(response.body);
        if (!body) {
          return 502;
        }
        if (body->is_object() && body->contains("error") && (*body)["error"].is_object()) {
          const auto& code = (*body)["error"]["code"];
          if (code.is_number_integer() && code.get<long>() >= 400) {
            return code.get<long>();
          }
        }
      }
    }
    return std::nullopt;
  };
  auto response = http::Transport::shared().perform(std::move(request));
  if (!response) {
    ErrorInfo error = response.error();
    error.message = fmt::format("{} {}: {}", m_provider, call.operation, error.message);
    error.where = fmt::format("{} {}", m_provider, call.operation);
    error.details["provider"] = m_provider;
    error.details["operation"] = call.operation;
    return tl::unexpected(std::move(error));
  }
  return response;
}

ErrorInfo ApiClient::failure(const ApiCall& call, std::string message) const
{
  ErrorInfo error;
  error.exit = ExitCode::runtime;
  error.code = "provider_error";
  error.where = fmt::format("{} {}", m_provider, call.operation);
  error.message = http::redact(fmt::format("{} {}: {}", m_provider, call.operation, message));
  error.details = {{"provider", m_provider}, {"operation", call.operation}};
  return error;
}

ErrorInfo ApiClient::http_error(const ApiCall& call, const http::Response& response) const
{
  std::string detail;
  if (auto body = parse_json(response.body)) {
    detail = m_reader ? m_reader(*body) : std::string();
  } else if (response.effective_status == 502 && response.status < 300) {
    detail = "the response body is not valid JSON";
  }
  long status = response.effective_status;
  ErrorInfo error = failure(call, detail.empty() ? fmt::format("HTTP {} from {} {}", status, call.method, call.path)
                                                 : fmt::format("HTTP {}: {}", status, detail));
  error.details["status"] = status;
  error.details["attempts"] = response.attempts;
  if (status == 401 || status == 403) {
    error.code = "provider_auth";
    error.hint = fmt::format("check the {} API token (the variable the manifest's accounts or the catalog names)", m_provider);
  } else if (status == 429) {
    error.code = "provider_rate_limited";
    if (auto until = response.rate_limits.blocked_until()) {
      error.details["retry_at"] = http::format_rfc3339(*until);
    }
    error.hint = "the provider's rate limit was reached; wait for the reset or lower the parallelism";
  } else if (status == 404) {
    error.code = "provider_not_found";
  } else if (status >= 500) {
    error.hint = "the provider failed; the call was retried and may be run again safely";
  }
  return error;
}

Result<nlohmann::json> ApiClient::body_of(const ApiCall& call, const http::Response& response) const
{
  if (!response.ok()) {
    return tl::unexpected(http_error(call, response));
  }
  if (response.body.empty()) {
    return nlohmann::json(nullptr);
  }
  auto body = parse_json(response.body);
  if (!body) {
    return tl::unexpected(failure(call, fmt::format("HTTP {} with a body that is not JSON", response.status)));
  }
  // Errors inside a 2xx: an error object (OpenRouter style) or a v4 envelope with success false.
  if (body->is_object() && ((body->contains("error") && !(*body)["error"].is_null()) ||
                            (body->contains("success") && (*body)["success"] == false))) {
    std::string detail = m_reader ? m_reader(*body) : std::string();
    ErrorInfo error = failure(call, fmt::format("error inside HTTP {}: {}", response.status, detail.empty() ? body->dump() : detail));
    error.details["status"] = response.status;
    return tl::unexpected(std::move(error));
  }
  return *body;
}

Result<nlohmann::json> ApiClient::json(const ApiCall& call) const
{
  auto response = send(call);
  if (!response) {
    return tl::unexpected(response.error());
  }
  return body_of(call, *response);
}

Result<std::optional<nlohmann::json>> ApiClient::json_or_missing(const ApiCall& call) const
{
  auto response = send(call);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->effective_status == 404) {
    return std::optional<nlohmann::json>();
  }
  auto body = body_of(call, *response);
  if (!body) {
    return tl::unexpected(body.error());
  }
  return std::optional<nlohmann::json>(std::move(*body));
}

Result<void> ApiClient::check(const ApiCall& call) const
{
  return json(call).map([](const nlohmann::json&) {});
}

Result<void> ApiClient::send_accepting(const ApiCall& call, long accepted_status) const
{
  auto response = send(call);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->ok() || response->effective_status == accepted_status) {
    return {};
  }
  return tl::unexpected(http_error(call, *response));
}

}  // namespace helios::providers
