#pragma once
// Rego tokens. The lexer records, for each token, whether whitespace or a newline preceded it: `p[x]`
// (a reference) differs from `p [x]`, and a newline ends an expression inside a body.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/policy/ast.hpp"

namespace helios::policy {

enum class TokenKind { ident, string, number, punct, eof };

struct Token {
  TokenKind kind = TokenKind::eof;
  std::string text;  // identifier, punctuation, number text, or the decoded string
  Location loc;
  bool space_before = false;
  bool newline_before = false;
  bool raw = false;  // a `raw string`
};

// Splits Rego source into tokens; errors are rego_parse_error with file:line:column.
Result<std::vector<Token>> tokenize(std::string_view source, const std::string& file);

}  // namespace helios::policy
