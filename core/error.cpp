#include "core/error.hpp"

namespace helios {

nlohmann::json ErrorInfo::to_json() const
{
  nlohmann::json error = {
    {"code", code}, {"message", message}, {"where", where}, {"hint", hint}, {"exit_code", static_cast<int>(exit)}};
  if (!details.empty()) {
    error["details"] = details;
  }
  return nlohmann::json{{"error", error}};
}

std::string ErrorInfo::to_string() const
{
  std::string text = where.empty() ? message : fmt::format("{}: {}", where, message);
  if (!hint.empty()) {
    text += fmt::format("\n  hint: {}", hint);
  }
  return text;
}

}  // namespace helios
