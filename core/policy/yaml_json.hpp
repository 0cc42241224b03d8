#pragma once
// YAML → JSON with YAML 1.2 core-schema scalars (plain `1` is a number, `'1'` a string, `true`/`null`),
// for policy data files (-d data.yaml) and OPA's YAML test cases. Nesting is bounded.

#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/policy/value.hpp"
#include "core/yaml_document.hpp"

namespace helios::policy {

Result<nlohmann::json> yaml_to_json(const YAML::Node& node, int max_depth = 256);
// The same straight to a Rego value (no JSON tree in between): what `helios qc` gives policies.
Result<Value> value_from_yaml(const YAML::Node& node, int max_depth = 256);
// The same for a loaded document's root, reading mappings through the document's entry index (which the
// document's readers then reuse): the same value, without walking yaml-cpp's mappings again.
Result<Value> value_from_yaml(const YamlDocument& doc, int max_depth = 256);
// Parses every document of a YAML text; errors name file:line:column.
Result<std::vector<nlohmann::json>> parse_yaml_documents(const std::string& text, const std::string& file);

}  // namespace helios::policy
