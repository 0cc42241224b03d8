#include "core/http/redact.hpp"

#include <algorithm>
#include <mutex>
#include <regex>
#include <set>

#include "core/http/headers.hpp"

namespace helios::http {

namespace {

std::mutex& secrets_mutex()
{
  static std::mutex mutex;
  return mutex;
}

std::set<std::string, std::greater<>>& secrets()
{
  // Longest first (std::greater on strings is not length order, so sort at use).
  static std::set<std::string, std::greater<>> values;
  return values;
}

void replace_all(std::string& text, std::string_view needle, std::string_view replacement)
{
  if (needle.empty()) {
    return;
  }
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), replacement);
    pos += replacement.size();
  }
}

}  // namespace

void register_secret(std::string_view value)
{
  if (value.size() < 4) {
    return;
  }
  std::lock_guard lock(secrets_mutex());
  secrets().emplace(value);
}

bool is_sensitive_header(std::string_view name)
{
  static constexpr std::string_view names[] = {"authorization", "proxy-authorization", "x-api-key", "api-key",
                                               "x-auth-token", "x-auth-key", "cookie", "set-cookie",
                                               "x-goog-api-key"};
  return std::any_of(std::begin(names), std::end(names), [&](std::string_view n) { return iequals(n, name); });
}

std::string redact_header(std::string_view name, std::string_view value)
{
  if (is_sensitive_header(name)) {
    return std::string(name) + ": " + std::string(redacted_marker);
  }
  return std::string(name) + ": " + redact(value);
}

std::string redact(std::string_view input)
{
  std::string text(input);
  {
    std::vector<std::string> values;
    {
      std::lock_guard lock(secrets_mutex());
      values.assign(secrets().begin(), secrets().end());
    }
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& value : values) {
      replace_all(text, value, redacted_marker);
    }
  }
  static const std::regex patterns[] = {
    // a credential header anywhere in a text (a dumped request): keep the name, drop the value
    std::regex(R"re((authorization|proxy-authorization|x-api-key|api-key|x-auth-token|x-goog-api-key)(\s*[:=]\s*)[^\r\n,"]+)re",
               std::regex::icase),
    // Bearer / Basic credentials
    std::regex(R"re(\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,})re", std::regex::icase),
    // token-like query parameters and JSON fields
    std::regex(R"re(([?&;](?:api[_-]?key|key|token|access_token|auth|secret|password|sig)=)[^&\s"#]+)re", std::regex::icase),
    std::regex(R"re(("(?:api[_-]?key|token|secret|password|access_token|connection_uri|connection_string)"\s*:\s*")[^"]*)re",
               std::regex::icase),
    // well-known key shapes: OpenAI/OpenRouter sk-…, Groq gsk_…, NVIDIA nvapi-…, Cerebras csk-…, GitHub ghp_…
    std::regex(R"re(\b(sk-or-v1-|sk-proj-|sk-|gsk_|nvapi-|csk-|ghp_|github_pat_|AIza)[A-Za-z0-9_-]{8,})re"),
    // credentials inside URLs: scheme://user:password@host
    std::regex(R"re(([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@)re", std::regex::icase),
  };
  text = std::regex_replace(text, patterns[0], "$1$2[redacted]");
  text = std::regex_replace(text, patterns[1], "$1 [redacted]");
  text = std::regex_replace(text, patterns[2], "$1[redacted]");
  text = std::regex_replace(text, patterns[3], "$1[redacted]");
  text = std::regex_replace(text, patterns[4], "$1[redacted]");
  text = std::regex_replace(text, patterns[5], "$1[redacted]@");
  return text;
}

}  // namespace helios::http
