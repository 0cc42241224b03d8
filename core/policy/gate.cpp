#include "core/policy/gate.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace helios::policy {

const char* severity_name(Severity severity) { return severity == Severity::failure ? "failure" : "warning"; }

int QcReport::failures() const
{
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::failure; }));
}
int QcReport::warnings() const { return static_cast<int>(findings.size()) - failures(); }
int QcReport::passed() const
{
  std::set<std::string> failing;
  for (const auto& f : findings) {
    failing.insert(f.rule_id);
  }
  return std::max(0, tests - static_cast<int>(failing.size()));
}

namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// deny, deny_x, violation, violation_x, warn, warn_x → the kind, or nullptr
const char* rule_kind(const std::string& name)
{
  for (const char* k : {"deny", "violation", "warn"}) {
    std::string kind = k;
    if (name == kind || starts_with(name, (kind + "_").c_str())) {
      return k;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> policy_namespaces(const Policy& policy)
{
  std::set<std::string> out;
  for (const auto& m : policy.modules()) {
    out.insert(join_path(m->package));
  }
  return {out.begin(), out.end()};
}

Result<void> run_policies(const std::shared_ptr<const Policy>& policy, const Value& data, const Value& input,
                          const GateOptions& options, const Locator& locate, QcReport& report)
{
  std::vector<std::string> selected;
  auto present = policy_namespaces(*policy);
  if (options.all_namespaces) {
    selected = present;
  } else {
    selected = options.namespaces.empty() ? std::vector<std::string>{"main"} : options.namespaces;
  }
  Evaluator ev(policy, data, input, options.eval);
  for (const auto& ns : selected) {
    std::vector<std::string> pkg;
    std::size_t start = 0;
    while (true) {
      auto dot = ns.find('.', start);
      pkg.push_back(ns.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    const RuleNode* node = policy->find(pkg);
    if (!node) {
      continue;
    }
    report.namespaces.push_back(ns);
    // exceptions: a set of names (or arrays of names)
    std::set<std::string> excepted;
    if (node->child("exception")) {
      auto path = pkg;
      path.push_back("exception");
      auto v = ev.value_at(path);
      if (!v) {
        return tl::unexpected(v.error());
      }
      if (*v) {
        auto add = [&](const Value& x) {
          if (x.is(Kind::string)) {
            excepted.insert(x.as_string());
          } else if (x.is(Kind::array)) {
            for (const auto& y : x.as_array()) {
              if (y.is(Kind::string)) {
                excepted.insert(y.as_string());
              }
            }
          }
        };
        if ((*v)->is(Kind::set)) {
          for (const auto& x : (*v)->as_set()) {
            add(x);
          }
        } else if ((*v)->is(Kind::array)) {
          for (const auto& x : (*v)->as_array()) {
            add(x);
          }
        }
      }
    }
    for (const auto& [name, child] : node->children) {
      const char* kind = rule_kind(name);
      if (!kind || !child->has_own_rules()) {
        continue;
      }
      ++report.tests;
      std::string rule_id = ns + "/" + name;
      bool warning = std::string(kind) == "warn";
      report.rules.push_back({rule_id, fmt::format("{} rule {} of package {}", warning ? "Warning" : "Policy", name, ns),
                              fmt::format("Rego rule data.{}.{} ({}): its results are {}.", ns, name,
                                          child->rules.front()->loc.to_string(), warning ? "warnings" : "failures"),
                              fmt::format("See {} and fix what its message names, or add an exception.",
                                          child->rules.front()->loc.file)});
      auto path = pkg;
      path.push_back(name);
      auto v = ev.value_at(path);
      if (!v) {
        auto err = v.error();
        err.exit = ExitCode::usage;
        return tl::unexpected(err);
      }
      if (!*v) {
        continue;
      }
      std::string suffix = name.find('_') == std::string::npos ? "" : name.substr(name.find('_') + 1);
      std::vector<Value> results;
      const Value& val = **v;
      if (val.is(Kind::set)) {
        results.assign(val.as_set().begin(), val.as_set().end());
      } else if (val.is(Kind::array)) {
        results = val.as_array();
      } else if (val.is(Kind::boolean)) {
        if (val.as_bool()) {
          results.push_back(Value::string(fmt::format("{} is true", name)));
        }
      } else {
        results.push_back(val);
      }
      if (!results.empty() && !warning && excepted.count(suffix.empty() ? name : suffix)) {
        report.exceptions += static_cast<int>(results.size());
        continue;
      }
      for (const auto& r : results) {
        Finding f;
        f.rule_id = rule_id;
        f.rule = name;
        f.namespace_name = ns;
        f.severity = warning ? Severity::warning : Severity::failure;
        if (r.is(Kind::string)) {
          f.message = r.as_string();
        } else if (r.is(Kind::object)) {
          f.metadata = r.to_json();
          const Value* msg = r.get(Value::string("msg"));
          f.message = msg && msg->is(Kind::string) ? msg->as_string() : r.to_json_text();
          f.metadata.erase("msg");
          if (f.metadata.contains("id") && f.metadata["id"].is_string()) {
            f.rule_id = ns + "/" + f.metadata["id"].get<std::string>();
          }
        } else {
          f.message = r.to_json_text();
        }
        f.where = locate(f.metadata);
        report.findings.push_back(std::move(f));
      }
    }
  }
  return {};
}

}  // namespace helios::policy
