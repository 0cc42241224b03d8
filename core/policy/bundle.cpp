#include "core/policy/bundle.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "core/policy/parser.hpp"
#include "core/policy/yaml_json.hpp"
#include "core/yaml_document.hpp"

namespace helios::policy {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t max_file_bytes = 64u * 1024 * 1024;

Result<std::string> read_text(const std::string& path)
{
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    return fail(ExitCode::usage, "file_not_found", fmt::format("cannot read {}: {}", path, ec.message()), path,
                "check the path");
  }
  if (size > max_file_bytes) {
    return fail(ExitCode::usage, "file_too_large", fmt::format("{} is {} bytes, more than the {} allowed", path, size, max_file_bytes),
                path, "split the file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ExitCode::runtime, "io_error", fmt::format("cannot open {}", path), path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_yaml(const std::string& path)
{
  auto ext = fs::path(path).extension().string();
  return ext == ".yaml" || ext == ".yml";
}

Result<void> merge(nlohmann::json& into, const nlohmann::json& from, const std::string& file, const std::string& path)
{
  if (!from.is_object()) {
    return fail(ExitCode::usage, "data_conflict", fmt::format("data file {} must hold an object{}", file, path.empty() ? "" : " at " + path),
                file, "data files merge at the root of data: write {\"key\": …}");
  }
  for (const auto& [k, v] : from.items()) {
    if (into.contains(k) && into[k].is_object() && v.is_object()) {
      auto r = merge(into[k], v, file, path.empty() ? k : path + "." + k);
      if (!r) {
        return r;
      }
    } else if (into.contains(k) && into[k] != v) {
      return fail(ExitCode::usage, "data_conflict", fmt::format("data.{} is defined twice with different values", path.empty() ? k : path + "." + k),
                  file, "remove one of the definitions");
    } else {
      into[k] = v;
    }
  }
  return {};
}

Result<void> load_file(Bundle& bundle, const std::string& path)
{
  auto ext = fs::path(path).extension().string();
  if (ext == ".rego") {
    auto text = read_text(path);
    if (!text) {
      return tl::unexpected(text.error());
    }
    auto mod = parse_module(*text, path);
    if (!mod) {
      return tl::unexpected(mod.error());
    }
    bundle.modules.push_back(*mod);
    bundle.files.push_back(path);
    return {};
  }
  if (ext == ".json" || is_yaml(path)) {
    auto doc = load_document(path);
    if (!doc) {
      return tl::unexpected(doc.error());
    }
    bundle.files.push_back(path);
    return merge(bundle.data, *doc, path, "");
  }
  return {};  // other files in a directory are ignored
}

}  // namespace

Result<nlohmann::json> load_document(const std::string& path)
{
  if (is_yaml(path)) {
    auto doc = YamlDocument::load_file(path);
    if (!doc) {
      return tl::unexpected(doc.error());
    }
    return yaml_to_json(doc->root().node());
  }
  auto text = read_text(path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) {
    if (path == "-") {
      auto yaml = YamlDocument::parse(*text, "<stdin>");
      if (yaml) {
        return yaml_to_json(yaml->root().node());
      }
    }
    // locate the error: nlohmann reports a byte offset
    try {
      auto again = nlohmann::json::parse(*text);
      (void)again;
    } catch (const nlohmann::json::parse_error& e) {
      std::size_t line = 1;
      std::size_t col = 1;
      for (std::size_t i = 0; i + 1 < e.byte && i < text->size(); ++i) {
        if ((*text)[i] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      return fail(ExitCode::usage, "invalid_json", fmt::format("{} is not valid JSON", path), fmt::format("{}:{}:{}", path, line, col),
                  "fix the JSON syntax");
    }
    return fail(ExitCode::usage, "invalid_json", fmt::format("{} is not valid JSON", path), path, "fix the JSON syntax");
  }
  return parsed;
}

Result<Value> load_value(const std::string& path)
{
  if (is_yaml(path)) {
    auto doc = YamlDocument::load_file(path);
    if (!doc) {
      return tl::unexpected(doc.error());
    }
    return value_from_yaml(*doc);
  }
  auto text = read_text(path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  bool too_deep = false;
  if (auto v = parse_json_value(*text, 512, &too_deep)) {
    return std::move(*v);
  }
  if (too_deep) {
    return fail(ExitCode::usage, "input_too_deep", fmt::format("{} nests deeper than 512 levels", path), path, "flatten the document");
  }
  if (path == "-") {
    if (auto yaml = YamlDocument::parse(*text, "<stdin>")) {
      return value_from_yaml(*yaml);
    }
    return fail(ExitCode::usage, "invalid_json", "standard input is neither JSON nor YAML", "<stdin>", "fix the syntax");
  }
  // not JSON: the tree loader locates the error
  auto doc = load_document(path);
  if (!doc) {
    return tl::unexpected(doc.error());
  }
  return value_from_json(*doc);
}

Result<void> load_into(Bundle& bundle, const std::string& path)
{
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        break;
      }
      const auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory()) {
          it.disable_recursion_pending();
        }
        continue;
      }
      if (it->is_regular_file()) {
        files.push_back(it->path().string());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto r = load_file(bundle, f);
      if (!r) {
        return r;
      }
    }
    return {};
  }
  if (!fs::exists(path, ec)) {
    return fail(ExitCode::usage, "file_not_found", fmt::format("{} does not exist", path), path,
                "pass a .rego/.json/.yaml file or a directory of them");
  }
  auto ext = fs::path(path).extension().string();
  if (ext != ".rego" && ext != ".json" && !is_yaml(path)) {
    return fail(ExitCode::usage, "unsupported_file", fmt::format("{} is not a .rego, .json or .yaml file", path), path,
                "policies end in .rego; data files in .json or .yaml");
  }
  return load_file(bundle, path);
}

}  // namespace helios::policy
