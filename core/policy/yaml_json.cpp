#include "core/policy/yaml_json.hpp"

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace helios::policy {

namespace {

// YAML 1.2 core-schema number forms, matched by hand (std::regex per scalar was most of the conversion's
// cost on large manifests): ^[-+]?[0-9]+$ and ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_int_text(const std::string& s)
{
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) {
    return false;
  }
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return true;
}

bool is_float_text(const std::string& s)
{
  auto digits = [&](std::size_t& i) {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    return i - start;
  };
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits(i) == 0) {
      return false;
    }
  } else {
    if (digits(i) == 0) {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits(i);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    if (digits(i) == 0) {
      return false;
    }
  }
  return i == s.size();
}

// A scalar's value under the core schema, built by `make` (JSON or a Rego Value).
template <typename Make>
auto scalar_as(const YAML::Node& node, Make make)
{
  const std::string& s = node.Scalar();
  // string_view comparisons: size first, no strlen or out-of-line compare per literal
  const std::string_view tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    return make(s);
  }
  if (s.empty()) {
    return make(nullptr);
  }
  const char c = s[0];
  // null and booleans are at most 5 characters starting with one of ~nNtTfF (skips the 11 comparisons for
  // most scalars)
  if (s.size() <= 5 && (c == '~' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F')) {
    const std::string_view v = s;
    if (v == "~" || v == "null" || v == "Null" || v == "NULL") {
      return make(nullptr);
    }
    if (v == "true" || v == "True" || v == "TRUE") {
      return make(true);
    }
    if (v == "false" || v == "False" || v == "FALSE") {
      return make(false);
    }
  }
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    if (is_int_text(s)) {
      errno = 0;
      long long v = std::strtoll(s.c_str(), nullptr, 10);
      if (errno == 0) {
        return make(v);
      }
      return make(std::strtod(s.c_str(), nullptr));
    }
    if (is_float_text(s)) {
      return make(std::strtod(s.c_str(), nullptr));
    }
  }
  return make(s);
}

nlohmann::json scalar(const YAML::Node& node)
{
  return scalar_as(node, [](auto&& v) { return nlohmann::json(v); });
}

struct MakeValue {
  Value operator()(const std::string& s) const { return Value::string(s); }
  Value operator()(std::nullptr_t) const { return Value::null(); }
  Value operator()(bool b) const { return Value::boolean(b); }
  Value operator()(long long i) const { return Value::integer(i); }
  Value operator()(double d) const { return Value::real(d); }
};

Result<Value> convert_value(const YAML::Node& node, int depth, int max_depth, const YamlDocument* doc = nullptr)
{
  if (depth > max_depth) {
    return fail(ExitCode::usage, "input_too_deep", fmt::format("YAML nesting deeper than {} levels", max_depth),
                fmt::format("{}:{}", node.Mark().line + 1, node.Mark().column + 1), "flatten the document");
  }
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined: return Value::null();
  case YAML::NodeType::Scalar: return scalar_as(node, MakeValue{});
  case YAML::NodeType::Sequence: {
    Array out;
    out.reserve(node.size());
    for (const auto& item : node) {
      auto v = convert_value(item, depth + 1, max_depth, doc);
      if (!v) {
        return v;
      }
      out.push_back(std::move(*v));
    }
    return Value::array(std::move(out));
  }
  case YAML::NodeType::Map: {
    Object out;
    if (const auto* entries = doc ? doc->map_entries(node) : nullptr) {
      for (const auto& e : *entries) {
        auto v = convert_value(e.value, depth + 1, max_depth, doc);
        if (!v) {
          return v;
        }
        out.insert_or_assign(Value::string(std::string(e.key)), std::move(*v));
      }
      return Value::object(std::move(out));
    }
    for (const auto& kv : node) {
      auto v = convert_value(kv.second, depth + 1, max_depth);
      if (!v) {
        return v;
      }
      // like JSON objects built from YAML: a later duplicate key wins (YamlDocument refuses duplicates)
      out.insert_or_assign(Value::string(kv.first.Scalar()), std::move(*v));
    }
    return Value::object(std::move(out));
  }
  }
  return Value::null();
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

Result<Value> value_from_yaml(const YAML::Node& node, int max_depth) { return convert_value(node, 0, max_depth); }

Result<Value> value_from_yaml(const YamlDocument& doc, int max_depth)
{
  return convert_value(doc.root().node(), 0, max_depth, &doc);
}

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
