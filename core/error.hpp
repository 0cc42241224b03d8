#pragma once
// The one typed error of helios. Leaf code returns tl::expected<T, ErrorInfo>; the CLI catches
// helios::Error once at the top and prints it as `helios: error: …` or as the JSON error object
// {"error":{"code","message","where","hint"}}. The exit code travels with the error.

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace helios {

// Exit codes, exactly as DESIGN.md lists them.
enum class ExitCode : int {
  ok = 0,
  runtime = 1,     // provider, network, IO
  usage = 2,       // usage or invalid input
  denied = 3,      // denied by policy
  infeasible = 4,  // no feasible placement / no provider with quota left
  locked = 5,      // state locked or changed underneath
};

struct ErrorInfo {
  ExitCode exit = ExitCode::runtime;
  std::string code;     // stable machine-readable code, e.g. "invalid_manifest"
  std::string message;  // one sentence a person can act on
  std::string where;    // file:line:column, or a provider/operation, or empty
  std::string hint;     // what to do about it, or empty
  nlohmann::json details = nlohmann::json::object();  // extra machine-readable fields

  [[nodiscard]] nlohmann::json to_json() const;
  // The human form: "where: message (hint: …)".
  [[nodiscard]] std::string to_string() const;
};

template <typename T>
using Result = tl::expected<T, ErrorInfo>;

inline tl::unexpected<ErrorInfo>
fail(ExitCode exit, std::string code, std::string message, std::string where = {}, std::string hint = {})
{
  return tl::unexpected<ErrorInfo>(
    ErrorInfo{exit, std::move(code), std::move(message), std::move(where), std::move(hint), nlohmann::json::object()});
}

class Error : public std::runtime_error {
public:
  explicit Error(ErrorInfo info) : std::runtime_error(info.message), m_info(std::move(info)) {}
  Error(ExitCode exit, std::string code, std::string message, std::string where = {}, std::string hint = {})
    : Error(ErrorInfo{exit, std::move(code), std::move(message), std::move(where), std::move(hint),
                      nlohmann::json::object()})
  {
  }
  [[nodiscard]] const ErrorInfo& info() const { return m_info; }

private:
  ErrorInfo m_info;
};

// Returns the value, or throws helios::Error carrying the ErrorInfo.
template <typename T>
T value_or_throw(Result<T>&& result)
{
  if (!result) {
    throw Error(std::move(result.error()));
  }
  if constexpr (!std::is_void_v<T>) {
    return std::move(*result);
  }
}

}  // namespace helios
