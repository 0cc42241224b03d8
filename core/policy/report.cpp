#include "core/policy/report.hpp"

#include <cctype>
#include <cstring>
#include <map>
#include <string_view>

#include <fmt/format.h>

namespace helios::policy {

namespace {

std::string location_text(const SourceLocation& w)
{
  if (w.file.empty()) {
    return "-";
  }
  if (w.line <= 0) {
    return w.file;
  }
  return w.column > 0 ? fmt::format("{}:{}:{}", w.file, w.line, w.column) : fmt::format("{}:{}", w.file, w.line);
}

std::string xml_escape(const std::string& s)
{
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
        out += ' ';
      } else {
        out += c;
      }
    }
  }
  return out;
}

// GitHub workflow commands: %, CR and LF in data; also , and : in properties.
std::string gh_data(const std::string& s)
{
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}
std::string gh_property(const std::string& s)
{
  std::string out;
  for (char c : gh_data(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string summary_line(const QcReport& r)
{
  return fmt::format("{} test{}, {} passed, {} warning{}, {} failure{}, {} exception{}", r.tests, r.tests == 1 ? "" : "s",
                     r.passed(), r.warnings(), r.warnings() == 1 ? "" : "s", r.failures(), r.failures() == 1 ? "" : "s",
                     r.exceptions, r.exceptions == 1 ? "" : "s");
}

}  // namespace

std::string fingerprint(const Finding& f)
{
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::string* part : {&f.rule_id, &f.where.file, &f.message}) {
    for (unsigned char c : *part) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::string report_text(const QcReport& r)
{
  std::string out;
  for (const auto& f : r.findings) {
    out += fmt::format("{} - {} - {} - {}\n", f.severity == Severity::failure ? "FAIL" : "WARN", location_text(f.where),
                       f.rule_id, f.message);
  }
  out += "\n";
  out += summary_line(r);
  out += "\n";
  return out;
}

nlohmann::json report_json(const QcReport& r, int exit_code)
{
  auto results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json loc = {{"file", f.where.file}, {"line", f.where.line}, {"column", f.where.column}};
    results.push_back({{"rule_id", f.rule_id},
                       {"severity", severity_name(f.severity)},
                       {"namespace", f.namespace_name},
                       {"rule", f.rule},
                       {"message", f.message},
                       {"location", loc},
                       {"metadata", f.metadata},
                       {"fingerprint", fingerprint(f)}});
  }
  return {{"target", r.target},
          {"namespaces", r.namespaces},
          {"policy_files", r.policy_files},
          {"results", results},
          {"summary",
           {{"tests", r.tests},
            {"passed", r.passed()},
            {"warnings", r.warnings()},
            {"failures", r.failures()},
            {"exceptions", r.exceptions}}},
          {"exit_code", exit_code}};
}

namespace {

// JSON text pieces exactly as nlohmann's dump(2) writes them (keys in sorted order, two-space indent).
void put_string(std::string& out, const std::string& s)
{
  bool plain = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += nlohmann::json(s).dump();  // escapes, and refuses invalid UTF-8, as dump() does
  }
}

void put_key(std::string& out, int indent, std::string_view key)
{
  out.append(static_cast<std::size_t>(indent), ' ');
  out += '"';
  out += key;
  out.append("\": ", 3);
}

// A small nested value (metadata), indented to sit at `indent`.
void put_nested(std::string& out, const nlohmann::json& j, int indent)
{
  std::string text = j.dump(2);
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') {
      out += pad;
    }
  }
}

void put_string_list(std::string& out, const std::vector<std::string>& list, int indent)
{
  if (list.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.append(static_cast<std::size_t>(indent + 2), ' ');
    put_string(out, list[i]);
    out += i + 1 < list.size() ? ",\n" : "\n";
  }
  out.append(static_cast<std::size_t>(indent), ' ');
  out += ']';
}

}  // namespace

std::string report_json_text(const QcReport& r, int exit_code)
{
  std::string out;
  out.reserve(256 + r.findings.size() * 420);
  out += "{\n";
  put_key(out, 2, "exit_code");
  out += std::to_string(exit_code) + ",\n";
  put_key(out, 2, "namespaces");
  put_string_list(out, r.namespaces, 2);
  out += ",\n";
  put_key(out, 2, "policy_files");
  put_string_list(out, r.policy_files, 2);
  out += ",\n";
  put_key(out, 2, "results");
  if (r.findings.empty()) {
    out += "[]";
  } else {
    out += "[\n";
    for (std::size_t i = 0; i < r.findings.size(); ++i) {
      const Finding& f = r.findings[i];
      out += "    {\n";
      put_key(out, 6, "fingerprint");
      put_string(out, fingerprint(f));
      out += ",\n";
      put_key(out, 6, "location");
      out += "{\n";
      put_key(out, 8, "column");
      out += std::to_string(f.where.column) + ",\n";
      put_key(out, 8, "file");
      put_string(out, f.where.file);
      out += ",\n";
      put_key(out, 8, "line");
      out += std::to_string(f.where.line) + "\n      },\n";
      put_key(out, 6, "message");
      put_string(out, f.message);
      out += ",\n";
      put_key(out, 6, "metadata");
      put_nested(out, f.metadata, 6);
      out += ",\n";
      put_key(out, 6, "namespace");
      put_string(out, f.namespace_name);
      out += ",\n";
      put_key(out, 6, "rule");
      put_string(out, f.rule);
      out += ",\n";
      put_key(out, 6, "rule_id");
      put_string(out, f.rule_id);
      out += ",\n";
      put_key(out, 6, "severity");
      put_string(out, severity_name(f.severity));
      out += i + 1 < r.findings.size() ? "\n    },\n" : "\n    }\n";
    }
    out += "  ]";
  }
  out += ",\n";
  put_key(out, 2, "summary");
  out += fmt::format("{{\n    \"exceptions\": {},\n    \"failures\": {},\n    \"passed\": {},\n    \"tests\": {},\n    \"warnings\": {}\n  }},\n",
                     r.exceptions, r.failures(), r.passed(), r.tests, r.warnings());
  put_key(out, 2, "target");
  put_string(out, r.target);
  out += "\n}";
  return out;
}

std::string artifact_uri(const std::string& path)
{
  std::string p = path;
  while (p.rfind("./", 0) == 0) {
    p.erase(0, 2);
  }
  std::string out = !p.empty() && p[0] == '/' ? "file://" : "";
  for (char c : p) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || std::strchr("-._~!$&'()*+,;=:@/", c) != nullptr) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

nlohmann::json report_sarif(const QcReport& r, int exit_code, const std::string& version)
{
  auto rules = nlohmann::json::array();
  std::map<std::string, std::size_t> index;
  auto add_rule = [&](const RuleInfo& info) {
    if (index.count(info.id)) {
      return;
    }
    index[info.id] = rules.size();
    rules.push_back({{"id", info.id},
                     {"name", info.id},
                     {"shortDescription", {{"text", info.short_description}}},
                     {"fullDescription", {{"text", info.full_description}}},
                     {"help", {{"text", info.help}}},
                     {"properties", {{"tags", {"helios", "policy"}}}}});
  };
  for (const auto& info : r.rules) {
    add_rule(info);
  }
  auto results = nlohmann::json::array();
  std::map<std::string, int> occurrences;
  for (const auto& f : r.findings) {
    if (!index.count(f.rule_id)) {
      add_rule({f.rule_id, fmt::format("Rule {}", f.rule_id), fmt::format("Results of the rule {}.", f.rule_id),
                "Fix what the message names."});
    }
    std::string fp = fingerprint(f);
    int n = ++occurrences[fp];
    int line = f.where.line > 0 ? f.where.line : 1;
    int column = f.where.column > 0 ? f.where.column : 1;
    nlohmann::json region = {{"startLine", line}, {"startColumn", column}, {"endLine", line}, {"endColumn", column + 1}};
    results.push_back({{"ruleId", f.rule_id},
                       {"ruleIndex", index[f.rule_id]},
                       {"level", f.severity == Severity::failure ? "error" : "warning"},
                       {"message", {{"text", f.message.empty() ? f.rule_id : f.message}}},
                       {"locations",
                        {{{"physicalLocation",
                           {{"artifactLocation", {{"uri", artifact_uri(f.where.file.empty() ? "helios.yaml" : f.where.file)}}},
                            {"region", region}}}}}},
                       {"partialFingerprints", {{"primaryLocationLineHash", fmt::format("{}:{}", fp, n)}}}});
  }
  nlohmann::json run = {
    {"tool",
     {{"driver",
       {{"name", "helios qc"},
        {"version", version},
        {"semanticVersion", version},
        {"rules", rules}}}}},
    {"results", results},
    {"automationDetails", {{"id", "helios-qc/"}}},
    {"invocations", nlohmann::json::array({nlohmann::json{{"executionSuccessful", true},
                                                          {"exitCode", exit_code},
                                                          {"exitCodeDescription", exit_code == 0 ? "clean" : "policy failures"}}})},
  };
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", {run}}};
}

std::string report_junit(const QcReport& r)
{
  // one testcase per rule/check; its findings are the failure text
  std::map<std::string, std::vector<const Finding*>> by_rule;
  for (const auto& f : r.findings) {
    by_rule[f.rule_id].push_back(&f);
  }
  std::vector<std::string> ids;
  for (const auto& info : r.rules) {
    ids.push_back(info.id);
  }
  for (const auto& [id, _] : by_rule) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      ids.push_back(id);
    }
  }
  int failures = 0;
  std::string cases;
  for (const auto& id : ids) {
    auto it = by_rule.find(id);
    std::string classname = id.substr(0, id.find('/'));
    std::string file = r.target;
    if (it == by_rule.end()) {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"0\"/>\n", xml_escape(classname),
                           xml_escape(id), xml_escape(file));
      continue;
    }
    bool any_failure = false;
    std::string text;
    for (const Finding* f : it->second) {
      any_failure = any_failure || f->severity == Severity::failure;
      text += fmt::format("{} {}: {}\n", f->severity == Severity::failure ? "FAIL" : "WARN", location_text(f->where), f->message);
    }
    if (any_failure) {
      ++failures;
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"0\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                           xml_escape(classname), xml_escape(id), xml_escape(file), xml_escape(it->second.front()->message),
                           xml_escape(id), xml_escape(text));
    } else {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"0\">\n      <system-out>{}</system-out>\n    </testcase>\n",
                           xml_escape(classname), xml_escape(id), xml_escape(file), xml_escape(text));
    }
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"helios qc\" tests=\"{}\" failures=\"{}\" time=\"0\">\n"
                     "  <testsuite name=\"helios qc\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{}  </testsuite>\n</testsuites>\n",
                     ids.size(), failures, ids.size(), failures, cases);
}

std::string report_github(const QcReport& r)
{
  std::string out;
  for (const auto& f : r.findings) {
    std::string props;
    if (!f.where.file.empty()) {
      props += "file=" + gh_property(f.where.file);
      if (f.where.line > 0) {
        props += fmt::format(",line={}", f.where.line);
        if (f.where.column > 0) {
          props += fmt::format(",col={}", f.where.column);
        }
      }
      props += ",";
    }
    props += "title=" + gh_property(f.rule_id);
    out += fmt::format("::{} {}::{}\n", f.severity == Severity::failure ? "error" : "warning", props, gh_data(f.message));
  }
  out += fmt::format("::notice title=helios qc::{}\n", gh_data(summary_line(r)));
  return out;
}

std::string report_tap(const QcReport& r)
{
  std::string body;
  int n = 0;
  std::map<std::string, int> finding_count;
  for (const auto& f : r.findings) {
    ++finding_count[f.rule_id];
    ++n;
    if (f.severity == Severity::failure) {
      body += fmt::format("not ok {} - {} - {} - {}\n", n, location_text(f.where), f.rule_id, f.message);
    } else {
      body += fmt::format("not ok {} - {} - {} - {} # TODO warning\n", n, location_text(f.where), f.rule_id, f.message);
    }
  }
  for (const auto& info : r.rules) {
    if (!finding_count.count(info.id)) {
      ++n;
      body += fmt::format("ok {} - {} - {}\n", n, r.target, info.id);
    }
  }
  return fmt::format("TAP version 13\n1..{}\n{}# {}\n", n, body, summary_line(r));
}

}  // namespace helios::policy
