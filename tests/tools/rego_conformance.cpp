// rego-conformance DIR [--verbose] [--min-pass PERCENT]: runs OPA's YAML conformance cases found under
// DIR (recursively) through helios's Rego engine, honouring DIR/SKIP.tsv (path<TAB>note<TAB>reason).
// Prints each failure, then `N passed, N failed, N skipped`. Exit 0 when the pass rate (of cases not
// skipped) is at least --min-pass (default 95), 1 below it, 125 when DIR does not exist.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "core/policy/compiler.hpp"
#include "core/policy/evaluator.hpp"
#include "core/policy/parser.hpp"
#include "core/policy/yaml_json.hpp"

namespace fs = std::filesystem;
using namespace helios::policy;
using nlohmann::json;

namespace {

std::string read_file(const fs::path& p)
{
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Value sort_arrays(const Value& v)
{
  if (!v.is(Kind::array)) {
    return v;
  }
  Array a = v.as_array();
  std::sort(a.begin(), a.end());
  return Value::array(std::move(a));
}

struct Outcome {
  bool pass = false;
  std::string why;
};

Outcome run_case(const json& c)
{
  std::vector<std::shared_ptr<Module>> modules;
  bool want_error = c.contains("want_error_code") || c.contains("want_error");
  auto check_error = [&](const helios::ErrorInfo& e) -> Outcome {
    if (!want_error) {
      return {false, fmt::format("unexpected error {}: {} ({})", e.code, e.message, e.where)};
    }
    if (c.contains("want_error_code") && c["want_error_code"].get<std::string>() != e.code) {
      return {false, fmt::format("error code {} ({}), want {}", e.code, e.message, c["want_error_code"].get<std::string>())};
    }
    if (c.contains("want_error") && e.message.find(c["want_error"].get<std::string>()) == std::string::npos) {
      return {false, fmt::format("error message \"{}\", want it to contain \"{}\"", e.message, c["want_error"].get<std::string>())};
    }
    return {true, {}};
  };
  int n = 0;
  for (const auto& src : c.value("modules", json::array())) {
    auto m = parse_module(src.get<std::string>(), fmt::format("module{}.rego", n++));
    if (!m) {
      return check_error(m.error());
    }
    modules.push_back(*m);
  }
  auto policy = Policy::compile(modules);
  if (!policy) {
    return check_error(policy.error());
  }
  auto query = (*policy)->compile_query(c.value("query", ""));
  if (!query) {
    return check_error(query.error());
  }
  Value data = Value::object({});
  if (c.contains("data") && !c["data"].is_null()) {
    data = *value_from_json(c["data"]);
  }
  std::optional<Value> input;
  if (c.contains("input_term")) {
    auto v = parse_value(c["input_term"].get<std::string>());
    if (!v) {
      return {false, "bad input_term: " + v.error().message};
    }
    input = *v;
  } else if (c.contains("input")) {
    input = *value_from_json(c["input"]);
  }
  EvalOptions opts;
  opts.strict_builtin_errors = c.value("strict_error", false);
  Evaluator ev(*policy, data, input, opts);
  auto rows = ev.query(**query);
  if (!rows) {
    return check_error(rows.error());
  }
  if (want_error) {
    return {false, fmt::format("no error, want {} {}", c.value("want_error_code", ""), c.value("want_error", ""))};
  }
  bool ignore_generated = c.value("ignore_generated_vars", false);
  bool sort_bindings = c.value("sort_bindings", false);
  std::vector<Value> got;
  for (const auto& r : *rows) {
    Object o;
    for (const auto& [name, v] : r.bindings) {
      if (ignore_generated && name.rfind("__local", 0) == 0) {
        continue;
      }
      Value plain = *value_from_json(v.to_json());  // as OPA reports it: sets become sorted arrays
      o[Value::string(name)] = sort_bindings ? sort_arrays(plain) : plain;
    }
    got.push_back(Value::object(std::move(o)));
  }
  if (c.contains("want_defined")) {
    bool want = c["want_defined"].get<bool>();
    if (want != !got.empty()) {
      return {false, fmt::format("defined = {}, want {}", !got.empty(), want)};
    }
    return {true, {}};
  }
  if (!c.contains("want_result")) {
    return {true, {}};
  }
  std::vector<Value> want;
  for (const auto& w : c["want_result"]) {
    auto v = *value_from_json(w);
    if (sort_bindings && v.is(Kind::object)) {
      Object o;
      for (const auto& [k, x] : v.as_object()) {
        o[k] = sort_arrays(x);
      }
      v = Value::object(std::move(o));
    }
    want.push_back(v);
  }
  std::set<Value, ValueLess> gs(got.begin(), got.end());
  std::set<Value, ValueLess> ws(want.begin(), want.end());
  if (gs != ws) {
    std::string g;
    for (const auto& x : gs) {
      g += x.to_json_text() + " ";
    }
    std::string w;
    for (const auto& x : ws) {
      w += x.to_json_text() + " ";
    }
    return {false, fmt::format("got [{}], want [{}]", g, w)};
  }
  return {true, {}};
}

}  // namespace

int main(int argc, char** argv)
{
  if (argc < 2) {
    std::cerr << "usage: rego-conformance DIR [--verbose] [--min-pass PERCENT]\n";
    return 2;
  }
  fs::path dir = argv[1];
  bool verbose = false;
  double min_pass = 95.0;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose") {
      verbose = true;
    } else if (a == "--min-pass" && i + 1 < argc) {
      min_pass = std::stod(argv[++i]);
    }
  }
  if (!fs::is_directory(dir)) {
    std::cout << "rego-conformance: " << dir.string() << " not found; skipping (the OPA cases live in ../shared/reference/opa-cases)\n";
    return 125;
  }
  std::set<std::pair<std::string, std::string>> skips;
  if (fs::exists(dir / "SKIP.tsv")) {
    std::istringstream in(read_file(dir / "SKIP.tsv"));
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (header) {
        header = false;
        if (line.rfind("path\t", 0) == 0) {
          continue;
        }
      }
      auto t1 = line.find('\t');
      if (t1 == std::string::npos) {
        continue;
      }
      auto t2 = line.find('\t', t1 + 1);
      skips.emplace(line.substr(0, t1), line.substr(t1 + 1, t2 == std::string::npos ? std::string::npos : t2 - t1 - 1));
    }
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  for (const auto& f : files) {
    std::string rel = fs::relative(f, dir).generic_string();
    auto docs = parse_yaml_documents(read_file(f), rel);
    if (!docs) {
      std::cout << "FAIL " << rel << ": cannot read: " << docs.error().message << "\n";
      ++failed;
      continue;
    }
    for (const auto& doc : *docs) {
      if (!doc.is_object() || !doc.contains("cases")) {
        continue;
      }
      for (const auto& c : doc["cases"]) {
        std::string note = c.value("note", "");
        if (skips.count({rel, note})) {
          ++skipped;
          continue;
        }
        Outcome o;
        try {
          o = run_case(c);
        } catch (const std::exception& e) {
          o = {false, std::string("exception: ") + e.what()};
        }
        if (o.pass) {
          ++passed;
          if (verbose) {
            std::cout << "PASS " << rel << " " << note << "\n";
          }
        } else {
          ++failed;
          std::cout << "FAIL " << rel << " \"" << note << "\": " << o.why << "\n";
        }
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  int total = passed + failed;
  double rate = total ? 100.0 * passed / total : 0.0;
  if (rate < min_pass) {
    std::cout << fmt::format("pass rate {:.1f}% is below {:.1f}%\n", rate, min_pass);
    return 1;
  }
  return 0;
}
