#pragma once
// Where a value came from in a YAML/JSON/Rego file, for errors that name file:line:column.

#include <string>

#include <fmt/format.h>

namespace helios {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown

  [[nodiscard]] std::string to_string() const
  {
    if (line <= 0) {
      return file;
    }
    return fmt::format("{}:{}:{}", file, line, column);
  }
};

}  // namespace helios
