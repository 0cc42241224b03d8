#pragma once
// A fast path for YAML loading: libyaml's parser (C, about 8x fewer instructions than yaml-cpp's scanner on
// a large manifest) building the same yaml-cpp tree YAML::Load builds, node for node: the same types,
// scalars, tags ("?" for plain scalars and collections, "!" for quoted ones), styles and marks (byte
// position, 0-based line and column).
//
// It only answers for documents where that equality is certain: ASCII text without tabs or carriage
// returns, one document without directives, no anchors, aliases, explicit tags, empty (implicit null)
// values, multi-line or block scalars, collection keys, nor nesting deeper than `max_depth`. Anything
// else, and every syntax error, returns nullopt: the caller then parses with yaml-cpp, which stays the
// reference for edge cases and error messages.

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

namespace helios {

std::optional<YAML::Node> fast_yaml_load(const std::string& text, int max_depth);

}  // namespace helios
