#pragma once
// Rego v1 parser: modules (package, imports, rules), queries and ground terms. Errors are
// rego_parse_error naming file:line:column; syntax helios does not support (`with`, v0 bodies without
// `if`) fails loudly as "unsupported: … at file:line:column".

#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/policy/ast.hpp"

namespace helios::policy {

Result<std::shared_ptr<Module>> parse_module(std::string_view source, const std::string& file);
Result<std::shared_ptr<Body>> parse_query(std::string_view source, const std::string& file = "<query>");
// A ground Rego term (JSON plus sets), as OPA's input_term.
Result<Value> parse_value(std::string_view source, const std::string& file = "<term>");

// The value of a ground term (scalars, arrays, objects and sets of them); nullopt otherwise.
std::optional<Value> ground_value(const Term& term);

}  // namespace helios::policy
