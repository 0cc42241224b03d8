#pragma once
// The builtin registry: name → arity → function. Adding a builtin touches one place, the table at the end
// of builtins.cpp. A builtin returns its value, nullopt for undefined, or throws BuiltinError (OPA's
// eval_type_error / eval_builtin_error), which is an error in strict mode and undefined otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/value.hpp"

namespace helios::policy {

struct BuiltinError {
  std::string code;     // eval_type_error | eval_builtin_error
  std::string message;  // "count: operand 1 must be one of {array, object, set, string} but got number"
};

struct BuiltinContext {
  std::int64_t now_ns = 0;  // time.now_ns: one value per evaluation
};

using BuiltinFn = std::optional<Value> (*)(const std::vector<Value>& args, BuiltinContext& ctx);

struct Builtin {
  const char* name;
  int arity;
  BuiltinFn fn;
};

// nullptr when helios does not implement the builtin.
const Builtin* find_builtin(std::string_view name);
// Every registered name, sorted (docs and `helios qc eval --help`).
std::vector<std::string> builtin_names();

}  // namespace helios::policy
