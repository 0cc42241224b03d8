#pragma once
// Redaction of credentials from anything that may be logged or shown: Authorization and similar
// headers, Bearer tokens, token-like query parameters, well-known API-key shapes, and every secret value
// registered at run time (the tokens adapters resolved from the environment).

#include <string>
#include <string_view>

namespace helios::http {

inline constexpr std::string_view redacted_marker = "[redacted]";

// Registers a secret value so that redact() masks it wherever it appears. Values shorter than 4
// characters are ignored (they would mask ordinary text). Thread-safe.
void register_secret(std::string_view value);

// `text` with every credential replaced by [redacted].
std::string redact(std::string_view text);

// True for header names whose value is a credential (Authorization, Proxy-Authorization, X-Api-Key,
// Api-Key, X-Auth-Token, Cookie, Set-Cookie, …).
bool is_sensitive_header(std::string_view name);

// "Name: value" for a log, with the value masked when the header is sensitive.
std::string redact_header(std::string_view name, std::string_view value);

}  // namespace helios::http
