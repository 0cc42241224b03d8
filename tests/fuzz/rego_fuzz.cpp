// libFuzzer target for the Rego engine: the bytes are a module, optionally followed by a line "#input"
// and a JSON input document. The module is parsed, compiled and fully evaluated (data, every package's
// extent) with a small step budget; the input text also goes through both JSON readers. Every outcome but a
// crash, hang or leak is fine.
// Built with clang (-fsanitize=fuzzer,address) by bench/fuzz.sh; replayed over tests/fuzz/corpus with
// g++ by the rego/fuzz-replay test (replay_main.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/policy/compiler.hpp"
#include "core/policy/evaluator.hpp"
#include "core/policy/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace helios::policy;
  if (size > 64 * 1024) {
    return 0;
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view module_text = text;
  std::optional<Value> input;
  if (auto at = text.find("\n#input\n"); at != std::string_view::npos) {
    module_text = text.substr(0, at);
    auto json = nlohmann::json::parse(text.substr(at + 8), nullptr, false);
    if (!json.is_discarded()) {
      if (auto v = value_from_json(json)) {
        input = *v;
      }
    }
    (void)parse_value(text.substr(at + 8));
    (void)parse_json_value(text.substr(at + 8), 64);  // the SAX reader `helios qc` reads plans with
  }
  auto mod = parse_module(module_text, "fuzz.rego");
  if (!mod) {
    (void)parse_query(module_text);
    return 0;
  }
  auto policy = Policy::compile({*mod});
  if (!policy) {
    return 0;
  }
  EvalOptions opts;
  opts.max_steps = 20000;
  for (bool strict : {false, true}) {
    opts.strict_builtin_errors = strict;
    Evaluator ev(*policy, Value::object({}), input, opts);
    (void)ev.value_at({});
    if (auto q = (*policy)->compile_query("data[_][_] = x")) {
      Evaluator ev2(*policy, Value::object({}), input, opts);
      (void)ev2.query(**q);
    }
  }
  return 0;
}
