#pragma once
// A policy bundle as `opa eval -d` and conftest `-p` read it: .rego modules and .json/.yaml data files,
// from files or directories (recursively, in sorted order, hidden entries skipped). Data files merge at
// the root of `data`.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/policy/compiler.hpp"

namespace helios::policy {

struct Bundle {
  std::vector<std::shared_ptr<Module>> modules;
  nlohmann::json data = nlohmann::json::object();
  std::vector<std::string> files;  // every file read, in order
};

// Adds a file or a directory to the bundle. Errors: file_not_found, rego_parse_error (file:line:column),
// invalid_yaml / invalid_json, data_conflict.
Result<void> load_into(Bundle& bundle, const std::string& path);

// Reads a JSON or YAML document (by extension; "-" is standard input, read as JSON or YAML).
Result<nlohmann::json> load_document(const std::string& path);
// The same as a Rego value, without a JSON tree in between (what `helios qc` reads plans with).
Result<Value> load_value(const std::string& path);

}  // namespace helios::policy
