// helios qc: policy gates and quality checks for CI (conftest-style Rego over the manifest, plan,
// placement, catalog and quota state, plus built-in checks), `qc eval` (shaped like `opa eval`) and
// `qc test` (like `opa test`). See docs/policy.md.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/catalog.hpp"
#include "core/ledger.hpp"
#include "core/manifest.hpp"
#include "core/policy/bundle.hpp"
#include "core/policy/checks.hpp"
#include "core/policy/evaluator.hpp"
#include "core/policy/gate.hpp"
#include "core/policy/parser.hpp"
#include "core/policy/report.hpp"
#include "core/policy/test_runner.hpp"
#include "core/policy/yaml_json.hpp"
#include "core/yaml_document.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {
namespace {

namespace fs = std::filesystem;
using namespace helios::policy;

struct QcOptions {
  std::string plan;
  std::vector<std::string> policy_dirs;
  std::vector<std::string> namespaces;
  bool all_namespaces = false;
  std::string format = "text";
  bool fail_on_warn = false;
  double headroom = 0.2;
  int max_catalog_age = 180;
  // eval
  std::vector<std::string> data;
  std::string input;
  bool strict = false;
  std::string eval_format = "json";
  std::string query;
  // test
  std::vector<std::string> test_paths;
};

std::shared_ptr<Policy> compile_bundle(const Bundle& bundle)
{
  return value_or_throw(Policy::compile(bundle.modules));
}

Value to_value(const nlohmann::json& doc, const std::string& what)
{
  auto v = value_from_json(doc);
  if (!v) {
    auto err = v.error();
    err.where = what;
    throw Error(err);
  }
  return *v;
}

// ---- helios qc (the gate) ----------------------------------------------------------------------------

void collect_locations(const YamlDocument& doc, CheckInput& in)
{
  auto root = doc.root();
  if (!root.is_map()) {
    return;
  }
  for (const auto& e : root.entries()) {
    in.locations[e.key] = e.key_where;
  }
  auto spec = root.get("spec");
  if (!spec || !spec->is_map()) {
    return;
  }
  for (const auto& e : spec->entries()) {
    if (e.key == "budget") {
      in.locations["budget"] = e.key_where;
    }
  }
  auto workloads = spec->get("workloads");
  if (!workloads) {
    return;
  }
  if (!workloads->is_list()) {
    return;
  }
  // Straight over the YAML nodes and the document's mapping index, with the positions YamlNode::items()
  // and get() give (a YamlNode per workload and per name was a tenth of qc's manifest loading).
  const SourceLocation list_where = workloads->where();
  std::size_t i = 0;
  for (const auto& item : workloads->node()) {
    const SourceLocation item_where = doc.where(item, list_where);
    in.locations[fmt::format("workload#{}", i++)] = item_where;
    if (!item.IsMap()) {
      continue;
    }
    if (const auto* entries = doc.map_entries(item)) {
      for (const auto& e : *entries) {
        if (e.scalar_key && e.key == "name") {
          if (e.value.IsScalar()) {
            const YAML::Mark mark = e.key_node.Mark();
            const SourceLocation key_where =
                mark.is_null() || mark.line < 0 ? doc.where(e.key_node, item_where) : doc.where(mark);
            in.locations["workload:" + e.value.Scalar()] = doc.where(e.value, key_where);
          }
          break;
        }
      }
    } else {
      auto name = YamlNode(doc, item, "", item_where).get("name");
      if (name && name->is_scalar()) {
        in.locations["workload:" + name->node().Scalar()] = name->where();
      }
    }
  }
}

std::int64_t today_days()
{
  auto now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() / 24;
}

void run_gate(Context& ctx, QcOptions& opts)
{
  if (ctx.json) {
    opts.format = "json";
  }
  static const std::set<std::string> formats = {"text", "json", "sarif", "junit", "github", "tap"};
  if (!formats.count(opts.format)) {
    throw Error(ExitCode::usage, "usage", fmt::format("--format {} is not one of text, json, sarif, junit, github, tap", opts.format),
                "--format", "write --format sarif (or text, json, junit, github, tap)");
  }
  if (opts.headroom < 0 || opts.headroom >= 1) {
    throw Error(ExitCode::usage, "usage", fmt::format("--headroom {} is not a fraction in [0, 1)", opts.headroom), "--headroom",
                "write --headroom 0.2 to warn below 20% left");
  }
  // The large structures of a run (the manifest's YAML tree and typed stack, the plan and input values, the
  // findings) are deliberately not destroyed: the process exits right after printing and the OS takes the
  // memory back at once, where freeing some 10^5 small blocks one by one was ~9% of a large run's
  // instructions (bench/qc). The same trade as clang's -disable-free; qc runs once per process.
  struct Retained {
    std::optional<YamlDocument> doc;
    CheckInput in;
    QcReport report;
    Value input;
  };
  auto& retained = *new Retained;  // NOLINT(cppcoreguidelines-owning-memory): released by process exit
  CheckInput& in = retained.in;
  in.headroom_threshold = opts.headroom;
  in.max_catalog_age_days = opts.max_catalog_age;
  in.today_days = today_days();
  const std::string manifest_path = ctx.manifest_path();
  in.manifest_file = manifest_path;
  bool have_manifest = fs::exists(manifest_path);
  if (!have_manifest && opts.plan.empty()) {
    throw Error(ExitCode::usage, "file_not_found", fmt::format("no manifest at {}", manifest_path), manifest_path,
                "pass -f MANIFEST (or --plan plan.json), or run `helios init`");
  }
  if (have_manifest) {
    // One parse: the raw tree is the policies' input.manifest, the typed stack (load_manifest's checks,
    // the ones `helios validate` runs) is the helios/manifest-invalid check.
    in.manifest_loaded = true;
    auto loaded = YamlDocument::load_file(manifest_path);
    if (!loaded) {
      if (loaded.error().exit != ExitCode::usage) {
        throw Error(loaded.error());  // unreadable (IO), not invalid
      }
      in.manifest_error = loaded.error();
    } else {
      auto& doc = retained.doc.emplace(std::move(*loaded));
      in.manifest_text = doc.text();
      in.manifest = value_or_throw(value_from_yaml(doc));
      collect_locations(doc, in);
      if (auto stack = parse_manifest(doc)) {
        in.stack = std::move(*stack);
      } else {
        in.manifest_error = std::move(stack.error());
      }
    }
  }
  if (!opts.plan.empty()) {
    in.plan = value_or_throw(load_value(opts.plan));
    if (!in.plan->is(Kind::object)) {
      throw Error(ExitCode::usage, "invalid_plan", fmt::format("{} is not a plan object", opts.plan), opts.plan,
                  "pass a file written by `helios plan -o plan.json`");
    }
    if (const Value* m = in.plan->get(Value::string("manifest")); m && !in.manifest) {
      in.manifest = *m;
    }
  }
  // Catalog entries the plan relies on, and the user catalogs' own offerings.
  const Catalog catalog = value_or_throw(providers::effective_catalog(ctx.catalog_paths()));
  std::set<std::string> ids;
  const Value* placement = nullptr;
  if (in.plan) {
    placement = in.plan->get(Value::string("placement"));
    if (placement && !placement->is(Kind::object)) {
      placement = nullptr;
    }
    if (!placement && in.plan->get(Value::string("assignments"))) {
      placement = &*in.plan;  // a placement itself (`helios place --json`)
    }
    const Value* assignments = placement ? placement->get(Value::string("assignments")) : nullptr;
    if (!assignments) {
      assignments = in.plan->get(Value::string("assignments"));
    }
    if (assignments && assignments->is(Kind::array)) {
      const Value offering_key = Value::string("offering");
      for (const auto& a : assignments->as_array()) {
        if (const Value* o = a.is(Kind::object) ? a.get(offering_key) : nullptr; o && o->is(Kind::string)) {
          ids.insert(o->as_string());
        }
      }
    }
  }
  for (const auto& file : ctx.catalog_paths()) {
    for (const auto& o : value_or_throw(load_catalog_file(file))) {
      ids.insert(o.id);
    }
  }
  nlohmann::json catalog_doc = nlohmann::json::object();
  for (const auto& id : ids) {
    if (const Offering* o = catalog.find(id)) {
      in.offerings.push_back(o);
      catalog_doc[id] = to_json(*o);
    }
  }
  // Quota state from the ledger, when the state directory has one (never created here).
  const fs::path ledger_db = fs::path(ctx.state_path()) / "ledger.db";
  if (fs::exists(ledger_db)) {
    auto ledger = value_or_throw(Ledger::open(ctx.state_path()));
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& line : value_or_throw(ledger->report(now))) {
      nlohmann::json j = to_json(line);
      in.quota.push_back(j);
    }
  }

  QcReport& report = retained.report;
  report.target = have_manifest ? manifest_path : opts.plan;
  // Policies: -p DIR…, else ./policy when it exists.
  std::vector<std::string> dirs = opts.policy_dirs;
  if (dirs.empty() && fs::is_directory("policy")) {
    dirs.emplace_back("policy");
  }
  if (!dirs.empty()) {
    Bundle bundle;
    for (const auto& d : dirs) {
      value_or_throw(load_into(bundle, d));
    }
    report.policy_files = bundle.files;
    auto policy = compile_bundle(bundle);
    // values share their parts: the manifest and plan are not copied into the input
    const Value& input = retained.input = Value::object({{Value::string("manifest"), in.manifest ? *in.manifest : Value::null()},
                                       {Value::string("manifest_file"), Value::string(have_manifest ? manifest_path : "")},
                                       {Value::string("plan"), in.plan ? *in.plan : Value::null()},
                                       {Value::string("placement"), placement ? *placement : Value::null()},
                                       {Value::string("catalog"), to_value(catalog_doc, "catalog")},
                                       {Value::string("quota"), to_value(in.quota, "quota")}});
    GateOptions gate;
    gate.namespaces = opts.namespaces;
    gate.all_namespaces = opts.all_namespaces;
    auto locate = [&](const nlohmann::json& meta) -> SourceLocation {
      if (meta.contains("_loc") && meta["_loc"].is_object()) {
        const auto& l = meta["_loc"];
        return {l.value("file", in.manifest_file), l.value("line", 1), l.value("column", 1)};
      }
      if (meta.contains("workload") && meta["workload"].is_string()) {
        if (auto it = in.locations.find("workload:" + meta["workload"].get<std::string>()); it != in.locations.end()) {
          return it->second;
        }
      }
      if (meta.contains("field") && meta["field"].is_string()) {
        if (auto it = in.locations.find(meta["field"].get<std::string>()); it != in.locations.end()) {
          return it->second;
        }
      }
      return {in.manifest_file, 1, 1};
    };
    value_or_throw(run_policies(policy, to_value(bundle.data, "data"), input, gate, locate, report));
  }
  run_builtin_checks(in, report);

  int exit_code = 0;
  if (report.failures() > 0 || (opts.fail_on_warn && report.warnings() > 0)) {
    exit_code = static_cast<int>(ExitCode::denied);
  }
  ctx.exit_code = exit_code;
  std::string out;
  if (opts.format == "json") {
    out = report_json_text(report, exit_code) + "\n";
  } else if (opts.format == "sarif") {
    out = report_sarif(report, exit_code, HELIOS_VERSION).dump(2) + "\n";
  } else if (opts.format == "junit") {
    out = report_junit(report);
  } else if (opts.format == "github") {
    out = report_github(report);
  } else if (opts.format == "tap") {
    out = report_tap(report);
  } else {
    std::string text = report_text(report);
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::fputs(out.c_str(), stdout);
}

// ---- helios qc eval ----------------------------------------------------------------------------------

nlohmann::json error_doc(const ErrorInfo& e)
{
  nlohmann::json loc = nlohmann::json::object();
  // where is file:line:column (the file may itself hold ':')
  auto last = e.where.rfind(':');
  auto mid = last == std::string::npos || last == 0 ? std::string::npos : e.where.rfind(':', last - 1);
  if (mid != std::string::npos) {
    loc = {{"file", e.where.substr(0, mid)},
           {"row", std::atoi(e.where.substr(mid + 1, last - mid - 1).c_str())},
           {"col", std::atoi(e.where.substr(last + 1).c_str())}};
  } else if (!e.where.empty()) {
    loc = {{"file", e.where}};
  }
  nlohmann::json err = {{"code", e.code}, {"message", e.message}};
  if (!loc.empty()) {
    err["location"] = loc;
  }
  return {{"errors", {err}}};
}

[[noreturn]] void eval_fail(Context& ctx, const QcOptions& opts, const ErrorInfo& e)
{
  if (opts.eval_format == "json" && !ctx.json) {
    // the document opa eval prints; with --json the error object of every command is printed instead
    std::printf("%s\n", error_doc(e).dump(2).c_str());
    std::fflush(stdout);
  }
  throw Error(e);
}

// The text of each query expression, sliced from the query by the expressions' start positions.
std::vector<std::string> expression_texts(const std::string& query, const Body& body)
{
  std::vector<std::size_t> line_starts = {0};
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (query[i] == '\n') {
      line_starts.push_back(i + 1);
    }
  }
  auto offset = [&](const Location& l) {
    std::size_t line = static_cast<std::size_t>(std::max(1, l.line)) - 1;
    return std::min(query.size(), (line < line_starts.size() ? line_starts[line] : 0) + static_cast<std::size_t>(std::max(1, l.column)) - 1);
  };
  std::vector<std::size_t> starts;
  for (const auto& e : body.exprs) {
    starts.push_back(offset(e.loc));
  }
  std::vector<std::size_t> sorted = starts;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (std::size_t s : starts) {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), s);
    std::size_t end = it == sorted.end() ? query.size() : *it;
    std::string text = query.substr(s, end - s);
    while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ';')) {
      text.pop_back();
    }
    out.push_back(text);
  }
  return out;
}

void run_eval(Context& ctx, const QcOptions& opts)
{
  if (opts.eval_format != "json" && opts.eval_format != "pretty") {
    throw Error(ExitCode::usage, "usage", fmt::format("--format {} is not json or pretty", opts.eval_format), "--format",
                "write --format json");
  }
  Bundle bundle;
  for (const auto& d : opts.data) {
    if (auto r = load_into(bundle, d); !r) {
      eval_fail(ctx, opts, r.error());
    }
  }
  auto policy = Policy::compile(bundle.modules);
  if (!policy) {
    eval_fail(ctx, opts, policy.error());
  }
  auto query = (*policy)->compile_query(opts.query);
  if (!query) {
    eval_fail(ctx, opts, query.error());
  }
  std::optional<Value> input;
  if (!opts.input.empty()) {
    auto doc = load_document(opts.input);
    if (!doc) {
      eval_fail(ctx, opts, doc.error());
    }
    input = to_value(*doc, opts.input);
  }
  EvalOptions eo;
  eo.strict_builtin_errors = opts.strict;
  Evaluator ev(*policy, to_value(bundle.data, "data"), input, eo);
  auto rows = ev.query(**query);
  if (!rows) {
    auto e = rows.error();
    e.exit = ExitCode::runtime;
    eval_fail(ctx, opts, e);
  }
  // expressions in the order written
  const Body& body = **query;
  std::vector<std::size_t> order(body.exprs.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& la = body.exprs[a].loc;
    const auto& lb = body.exprs[b].loc;
    return std::tie(la.line, la.column) < std::tie(lb.line, lb.column);
  });
  auto texts = expression_texts(opts.query, body);
  nlohmann::json doc = nlohmann::json::object();
  if (!rows->empty()) {
    auto results = nlohmann::json::array();
    for (const auto& row : *rows) {
      nlohmann::json r;
      auto exprs = nlohmann::json::array();
      for (std::size_t i : order) {
        exprs.push_back({{"value", row.expressions[i].to_json()},
                         {"text", texts[i]},
                         {"location", {{"row", body.exprs[i].loc.line}, {"col", body.exprs[i].loc.column}}}});
      }
      r["expressions"] = exprs;
      if (!row.bindings.empty()) {
        nlohmann::json b = nlohmann::json::object();
        for (const auto& [name, v] : row.bindings) {
          b[name] = v.to_json();
        }
        r["bindings"] = b;
      }
      results.push_back(r);
    }
    doc["result"] = results;
  }
  if (opts.eval_format == "json" || ctx.json) {
    std::printf("%s\n", doc.dump(2).c_str());
    return;
  }
  if (rows->empty()) {
    std::puts("undefined");
    return;
  }
  for (const auto& row : *rows) {
    if (row.bindings.empty()) {
      for (std::size_t i : order) {
        std::printf("%s\n", row.expressions[i].to_json().dump(2).c_str());
      }
    } else {
      nlohmann::json b = nlohmann::json::object();
      for (const auto& [name, v] : row.bindings) {
        b[name] = v.to_json();
      }
      std::printf("%s\n", b.dump(2).c_str());
    }
  }
}

// ---- helios qc test ----------------------------------------------------------------------------------

void run_test(Context& ctx, const QcOptions& opts)
{
  Bundle bundle;
  for (const auto& p : opts.test_paths) {
    value_or_throw(load_into(bundle, p));
  }
  auto policy = compile_bundle(bundle);
  auto results = run_tests(policy, to_value(bundle.data, "data"), EvalOptions{});
  int pass = 0;
  int failed = 0;
  int errors = 0;
  auto list = nlohmann::json::array();
  for (const auto& r : results) {
    pass += r.outcome == TestOutcome::pass;
    failed += r.outcome == TestOutcome::fail;
    errors += r.outcome == TestOutcome::error;
    nlohmann::json j = {{"package", r.package}, {"name", r.name}, {"location", r.location},
                        {"result", r.outcome == TestOutcome::pass ? "pass" : (r.outcome == TestOutcome::fail ? "fail" : "error")},
                        {"duration_ms", r.duration_ms}};
    if (!r.error.empty()) {
      j["error"] = r.error;
    }
    list.push_back(j);
  }
  int total = static_cast<int>(results.size());
  ctx.exit_code = (failed + errors > 0 || total == 0) ? static_cast<int>(ExitCode::denied) : 0;
  nlohmann::json doc = {{"tests", list}, {"summary", {{"total", total}, {"pass", pass}, {"fail", failed}, {"error", errors}}}};
  emit(ctx, doc, [&] {
    for (const auto& r : results) {
      std::string line = fmt::format("{}: data.{}.{} ({:.3f}ms)", outcome_name(r.outcome), r.package, r.name, r.duration_ms);
      if (r.outcome != TestOutcome::pass) {
        line += "  " + r.location + (r.error.empty() ? "" : ": " + r.error);
      }
      std::puts(paint(ctx, r.outcome == TestOutcome::pass ? "green" : "red", line).c_str());
    }
    std::puts("--------------------------------------------------------------------------------");
    if (total == 0) {
      std::puts("no tests found (rules named test_…)");
    } else if (failed + errors == 0) {
      std::printf("PASS: %d/%d\n", pass, total);
    } else {
      std::printf("PASS: %d/%d\nFAIL: %d/%d\n", pass, total, failed + errors, total);
    }
  });
}

void setup_qc(CLI::App& app, Context& ctx)
{
  static QcOptions opts;
  auto* cmd = app.add_subcommand("qc", "Policy gates (Rego, conftest-style) and built-in quality checks for CI");
  cmd->require_subcommand(0, 1);
  cmd->add_option("--plan", opts.plan, "Saved plan file (helios plan -o plan.json) to check");
  cmd->add_option("-p,--policy", opts.policy_dirs, "Rego policy file or directory (repeatable; default ./policy)");
  cmd->add_option("--namespace", opts.namespaces, "Policy package to evaluate (repeatable; default main)");
  cmd->add_flag("--all-namespaces", opts.all_namespaces, "Evaluate every package of the policies");
  cmd->add_option("--format", opts.format, "Output: text, json, sarif, junit, github or tap");
  cmd->add_flag("--fail-on-warn", opts.fail_on_warn, "Exit 3 on warnings too");
  cmd->add_option("--headroom", opts.headroom, "Warn when less than this fraction of a quota is left (default 0.2)");
  cmd->add_option("--max-catalog-age", opts.max_catalog_age, "Warn on catalog figures older than this many days (default 180)");
  cmd->footer("Example:\n  helios qc -f helios.yaml --plan plan.json -p policies --format sarif > qc.sarif\n"
              "Exit codes: 0 clean, 3 failures (or warnings with --fail-on-warn), 2 bad input or policy.");

  auto* eval = cmd->add_subcommand("eval", "Evaluate a Rego query (output shaped like `opa eval --format json`)");
  eval->add_option("-d,--data", opts.data, "Rego policy or JSON/YAML data file or directory (repeatable)");
  eval->add_option("-i,--input", opts.input, "Input document (JSON or YAML)");
  eval->add_flag("--strict-builtin-errors", opts.strict, "Builtin errors are errors rather than undefined");
  eval->add_option("--format", opts.eval_format, "Output: json or pretty");
  eval->add_option("query", opts.query, "The query, e.g. data.main.deny")->required();
  eval->footer("Example:\n  helios qc eval -d policies -i input.json 'data.main.deny'");
  eval->callback([&ctx] { run_eval(ctx, opts); });

  auto* test = cmd->add_subcommand("test", "Run the test_ rules of Rego policies (like `opa test`)");
  test->add_option("paths", opts.test_paths, "Policy files or directories")->required();
  test->footer("Example:\n  helios qc test policies/");
  test->callback([&ctx] { run_test(ctx, opts); });

  cmd->callback([&ctx, cmd, eval, test] {
    if (cmd->got_subcommand(eval) || cmd->got_subcommand(test)) {
      return;
    }
    run_gate(ctx, opts);
  });
}

}  // namespace

HELIOS_COMMAND("qc", 100, setup_qc);

}  // namespace helios::cli
