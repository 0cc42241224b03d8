#pragma once
// What every remote adapter shares: the base URL (overridable by HELIOS_<PROVIDER>_API_URL), the request
// budget (HELIOS_<PROVIDER>_API_RATE overrides the published rate), bearer authentication, JSON calls
// through the shared transport, and errors that name provider, operation and HTTP status with the
// provider's own message, never a credential.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/transport.hpp"

namespace helios::providers {

// "HELIOS_CLOUDFLARE_API_URL" for "cloudflare" (upper case, '-' and '.' become '_').
std::string provider_env(std::string_view provider, std::string_view suffix);
// The base URL of a provider's API: HELIOS_<PROVIDER>_API_URL when set, else `default_url`; no trailing '/'.
std::string api_base_url(std::string_view provider, std::string_view default_url);
// A catalog endpoint of the provider (an AI offering's base_url) as the adapters would reach it: when
// HELIOS_<PROVIDER>_API_URL is set, the URL's origin is replaced by the override's, and when the URL's
// path starts with the override's path the rest is kept (Cloudflare: <override>/accounts/{ACCOUNT_ID}/ai/v1);
// otherwise the override is the endpoint itself. Unchanged when the variable is unset.
std::string endpoint_url(std::string_view provider, std::string_view catalog_url);
// Installs (once per process) a request budget of the provider in the shared transport: HELIOS_<PROVIDER>_API_RATE when set
// ("1200/5m", "unlimited"; it then applies to every budget of that provider), else `published_rate`.
void configure_budget(std::string_view provider, std::string_view budget, std::string_view published_rate);
// Percent-encodes a path segment or query value.
std::string url_encode(std::string_view text);

// Extracts the provider's error message from an error body (each API has its own envelope).
using ErrorMessageReader = std::function<std::string(const nlohmann::json& body)>;
// The {message, code} envelope (Neon, Koyeb): "message (code)", or the message alone without a code.
std::string message_with_code(const nlohmann::json& body);

struct ApiCall {
  std::string operation;  // create, read, update, delete, list, usage, validate
  std::string method = "GET";
  std::string path;       // appended to the base URL, query included
  std::optional<nlohmann::json> body;
  std::string raw_body;       // used when body is empty (multipart uploads)
  std::string content_type;   // for raw_body
  std::optional<bool> retry_safe;
};

class ApiClient {
public:
  ApiClient(std::string provider, std::string base_url, std::string token, ErrorMessageReader reader);

  // Any HTTP status comes back as a response; only transport failures are errors.
  [[nodiscard]] Result<http::Response> send(const ApiCall& call) const;
  // A 2xx (or accepted status) with its body parsed as JSON; anything else is an error naming the call.
  [[nodiscard]] Result<nlohmann::json> json(const ApiCall& call) const;
  // The same, with a 404 meaning "it does not exist" (nullopt) rather than an error.
  [[nodiscard]] Result<std::optional<nlohmann::json>> json_or_missing(const ApiCall& call) const;
  // The same as json() with the body not needed: a credential check.
  [[nodiscard]] Result<void> check(const ApiCall& call) const;
  // A call whose answer body is not needed: a 2xx or `accepted_status` is success (404: a delete of what
  // is already gone, so destroy is re-runnable; 409: a create of what exists); anything else the error.
  [[nodiscard]] Result<void> send_accepting(const ApiCall& call, long accepted_status) const;
  // The JSON body of a response already received (2xx), or the error naming the call.
  [[nodiscard]] Result<nlohmann::json> body_of(const ApiCall& call, const http::Response& response) const;
  // The error for a response the caller cannot use.
  [[nodiscard]] ErrorInfo http_error(const ApiCall& call, const http::Response& response) const;
  [[nodiscard]] ErrorInfo failure(const ApiCall& call, std::string message) const;

  // Which request budget a call draws from (default: the provider's own).
  void set_budget_rule(std::function<std::string(const ApiCall&)> rule) { m_budget_rule = std::move(rule); }

  [[nodiscard]] const std::string& provider() const { return m_provider; }
  [[nodiscard]] const std::string& base_url() const { return m_base_url; }

private:
  std::string m_provider;
  std::string m_base_url;
  std::string m_token;
  ErrorMessageReader m_reader;
  std::function<std::string(const ApiCall&)> m_budget_rule;
};

// Parses a JSON body; nullopt when it is not JSON.
std::optional<nlohmann::json> parse_json(const std::string& text);
// A string field of a JSON object, or "" when absent or not a string.
std::string json_string(const nlohmann::json& object, std::string_view key);
// A name a provider accepts: lower case, [a-z0-9-], at most `max_length` characters; a longer name keeps
// its head and ends with a short hash of the whole, so it stays deterministic and distinct.
std::string resource_name(std::string_view name, std::size_t max_length);
// RFC 3339 UTC of the start of today / of this month.
std::string utc_day_start();
std::string utc_month_start();
std::string utc_now();

}  // namespace helios::providers
