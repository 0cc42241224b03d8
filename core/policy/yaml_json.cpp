#include "core/policy/yaml_json.hpp"

#include <cerrno>
#include <cstdlib>
#include <regex>

#include <fmt/format.h>

namespace helios::policy {

namespace {

nlohmann::json scalar(const YAML::Node& node)
{
  const std::string& s = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
    return s;
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  static const std::regex int_re("^[-+]?[0-9]+$");
  static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(s, int_re)) {
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) {
      return v;
    }
    return std::strtod(s.c_str(), nullptr);
  }
  if (std::regex_match(s, float_re)) {
    return std::strtod(s.c_str(), nullptr);
  }
  return s;
}

Result<nlohmann::json> convert(const YAML::Node& node, int depth, int max_depth)
{
  if (depth > max_depth) {
    return fail(ExitCode::usage, "input_too_deep", fmt::format("YAML nesting deeper than {} levels", max_depth),
                fmt::format("{}:{}", node.Mark().line + 1, node.Mark().column + 1), "flatten the document");
  }
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined: return nlohmann::json(nullptr);
  case YAML::NodeType::Scalar: return scalar(node);
  case YAML::NodeType::Sequence: {
    auto out = nlohmann::json::array();
    for (const auto& item : node) {
      auto v = convert(item, depth + 1, max_depth);
      if (!v) {
        return v;
      }
      out.push_back(std::move(*v));
    }
    return out;
  }
  case YAML::NodeType::Map: {
    auto out = nlohmann::json::object();
    for (const auto& kv : node) {
      auto v = convert(kv.second, depth + 1, max_depth);
      if (!v) {
        return v;
      }
      out[kv.first.Scalar()] = std::move(*v);
    }
    return out;
  }
  }
  return nlohmann::json(nullptr);
}

}  // namespace

Result<nlohmann::json> yaml_to_json(const YAML::Node& node, int max_depth) { return convert(node, 0, max_depth); }

Result<std::vector<nlohmann::json>> parse_yaml_documents(const std::string& text, const std::string& file)
{
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return fail(ExitCode::usage, "invalid_yaml", e.msg, fmt::format("{}:{}:{}", file, e.mark.line + 1, e.mark.column + 1),
                "fix the YAML syntax");
  }
  std::vector<nlohmann::json> out;
  for (const auto& d : docs) {
    auto j = yaml_to_json(d);
    if (!j) {
      auto err = j.error();
      err.where = file + ":" + err.where;
      return tl::unexpected(err);
    }
    out.push_back(std::move(*j));
  }
  return out;
}

}  // namespace helios::policy
