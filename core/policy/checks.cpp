#include "core/policy/checks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace helios::policy {

namespace {

struct KnownPrefix {
  const char* prefix;
  const char* kind;
  std::size_t min_len;
};

const KnownPrefix known_prefixes[] = {
  {"ghp_", "GitHub personal access token", 30},     {"github_pat_", "GitHub fine-grained token", 40},
  {"gho_", "GitHub OAuth token", 30},               {"ghs_", "GitHub app token", 30},
  {"glpat-", "GitLab token", 20},                   {"sk-ant-", "Anthropic API key", 30},
  {"sk-proj-", "OpenAI project key", 30},           {"sk-or-", "OpenRouter API key", 30},
  {"sk-", "OpenAI-style secret key", 32},           {"gsk_", "Groq API key", 30},
  {"hf_", "Hugging Face token", 30},                {"xoxb-", "Slack bot token", 20},
  {"xoxp-", "Slack user token", 20},                {"AKIA", "AWS access key id", 20},
  {"ASIA", "AWS temporary access key id", 20},      {"AIza", "Google API key", 39},
  {"nvapi-", "NVIDIA API key", 30},                 {"csk-", "Cerebras API key", 30},
  {"npm_", "npm token", 36},                        {"dop_v1_", "DigitalOcean token", 40},
  {"-----BEGIN", "private key", 10},
};

bool token_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' || c == '/' || c == '='; }

void add(QcReport& report, const char* check, Severity severity, std::string message, SourceLocation where,
         nlohmann::json metadata = nlohmann::json::object())
{
  Finding f;
  f.rule_id = std::string("helios/") + check;
  f.rule = check;
  f.namespace_name = "helios";
  f.severity = severity;
  f.message = std::move(message);
  f.where = std::move(where);
  f.metadata = std::move(metadata);
  report.findings.push_back(std::move(f));
}

SourceLocation where_of(const CheckInput& in, const std::string& key)
{
  if (auto it = in.locations.find(key); it != in.locations.end()) {
    return it->second;
  }
  return SourceLocation{in.manifest_file, 1, 1};
}

// The manifest loader's verdict (core/manifest.hpp: load_manifest, the one `helios validate` uses), as
// findings: its error, with the same message, hint and file:line:column, and its warnings.
void check_manifest(const CheckInput& in, QcReport& report)
{
  if (!in.manifest_error) {
    return;
  }
  const ErrorInfo& e = *in.manifest_error;
  add(report, "manifest-invalid", Severity::failure, e.hint.empty() ? e.message : fmt::format("{} (hint: {})", e.message, e.hint),
      location_of(e.where, in.manifest_file), {{"code", e.code}});
}

void check_manifest_warnings(const CheckInput& in, QcReport& report)
{
  if (!in.stack) {
    return;
  }
  for (const auto& w : in.stack->warnings) {
    add(report, "manifest-warning", Severity::warning, w.message, w.where.file.empty() ? SourceLocation{in.manifest_file, 0, 0} : w.where);
  }
}

// Reads of the Rego values qc builds its input from.
const Value* at(const Value& doc, std::initializer_list<const char*> keys)
{
  const Value* cur = &doc;
  for (const char* k : keys) {
    if (!cur->is(Kind::object)) {
      return nullptr;
    }
    cur = cur->get(Value::string(k));
    if (!cur) {
      return nullptr;
    }
  }
  return cur;
}

std::string text_at(const Value& doc, const char* key, const char* fallback)
{
  const Value* v = at(doc, {key});
  return v && v->is(Kind::string) ? v->as_string() : std::string(fallback);
}

double plan_cost(const Value& plan)
{
  for (auto keys : {std::initializer_list<const char*>{"placement", "cost_usd"}, {"cost_usd"}, {"monthly_cost_usd"},
                    {"summary", "monthly_cost_usd"}}) {
    if (const auto* v = at(plan, keys); v && v->is(Kind::number)) {
      return v->as_number().as_double();
    }
  }
  return 0;
}

const Value* plan_assignments(const Value& plan)
{
  if (const auto* a = at(plan, {"placement", "assignments"}); a && a->is(Kind::array)) {
    return a;
  }
  if (const auto* a = at(plan, {"assignments"}); a && a->is(Kind::array)) {
    return a;
  }
  return nullptr;
}

void check_budget(const CheckInput& in, QcReport& report)
{
  if (!in.plan) {
    return;
  }
  double budget = 0;
  if (in.stack) {
    budget = in.stack->budget_monthly_usd;
  } else if (in.manifest) {
    if (const auto* b = at(*in.manifest, {"spec", "budget", "monthly_usd"}); b && b->is(Kind::number)) {
      budget = b->as_number().as_double();
    }
  }
  double cost = plan_cost(*in.plan);
  if (cost > budget + 1e-9) {
    add(report, "budget", Severity::failure,
        fmt::format("the plan costs ${:.2f}/month, over the budget of ${:.2f}/month", cost, budget), where_of(in, "budget"),
        {{"cost_usd", cost}, {"budget_usd", budget}});
  }
}

void check_headroom(const CheckInput& in, QcReport& report)
{
  double limit = 1.0 - in.headroom_threshold;
  if (in.plan) {
    if (const auto* assignments = plan_assignments(*in.plan)) {
      for (const auto& a : assignments->as_array()) {
        const Value* utilisation = at(a, {"utilisation"});
        if (!utilisation || !utilisation->is(Kind::object)) {
          continue;
        }
        std::string wname = text_at(a, "workload", "");
        for (const auto& [dim, u] : utilisation->as_object()) {
          if (!u.is(Kind::number) || u.as_number().as_double() <= limit || !dim.is(Kind::string)) {
            continue;
          }
          double used = u.as_number().as_double();
          add(report, "quota-headroom", Severity::warning,
              fmt::format("workload '{}' on {} uses {:.0f}% of the free {} (headroom {:.0f}% < {:.0f}%)", wname,
                          text_at(a, "offering", "?"), used * 100, dim.as_string(), std::max(0.0, 1 - used) * 100,
                          in.headroom_threshold * 100),
              where_of(in, "workload:" + wname),
              {{"workload", wname}, {"offering", text_at(a, "offering", "")}, {"dimension", dim.as_string()}, {"utilisation", used}});
        }
      }
    }
  }
  for (const auto& q : in.quota) {
    if (!q.is_object() || !q.contains("limit") || !q["limit"].is_number() || !q.contains("used") || !q["used"].is_number()) {
      continue;
    }
    double lim = q["limit"].get<double>();
    double used = q["used"].get<double>();
    if (lim <= 0 || used / lim <= limit) {
      continue;
    }
    add(report, "quota-headroom", Severity::warning,
        fmt::format("{} {} {}: {} of {} used ({:.0f}% left, threshold {:.0f}%)", q.value("provider", "?"), q.value("pool", ""),
                    q.value("dimension", "?"), used, lim, std::max(0.0, 1 - used / lim) * 100, in.headroom_threshold * 100),
        {in.manifest_file, 0, 0}, q);
  }
}

void check_secrets(const CheckInput& in, QcReport& report)
{
  int line = 1;
  std::size_t line_start = 0;
  const std::string& text = in.manifest_text;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (!token_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && token_char(text[j])) {
      ++j;
    }
    std::string token = text.substr(i, j - i);
    if (auto kind = secret_kind(token)) {
      std::string shown = token.size() > 8 ? token.substr(0, 4) + "…" : "…";
      add(report, "secret-literal", Severity::failure,
          fmt::format("{} looks like a {} ({}); manifests name environment variables, never credentials", shown, *kind,
                      token.size() > 10 ? fmt::format("{} characters", token.size()) : "literal"),
          {in.manifest_file, line, static_cast<int>(i - line_start) + 1}, {{"kind", *kind}});
    }
    i = j;
  }
}

void check_catalog_age(const CheckInput& in, QcReport& report)
{
  std::set<std::string> done;
  for (const Offering* o : in.offerings) {
    if (!o || !done.insert(o->id).second) {
      continue;
    }
    auto check = [&](const Provenance& p, const std::string& what) {
      auto d = days_of_date(p.as_of);
      if (!d) {
        add(report, "catalog-stale", Severity::warning, fmt::format("{}: {} have no as-of date", o->id, what),
            o->where.line ? o->where : SourceLocation{in.manifest_file, 0, 0}, {{"offering", o->id}});
        return;
      }
      auto age = in.today_days - *d;
      if (age > in.max_catalog_age_days) {
        add(report, "catalog-stale", Severity::warning,
            fmt::format("{}: {} are {} days old (as of {}, limit {} days); re-check {}", o->id, what, age, p.as_of,
                        in.max_catalog_age_days, p.source.empty() ? "the provider's pricing page" : p.source),
            o->where.line ? o->where : SourceLocation{in.manifest_file, 0, 0}, {{"offering", o->id}, {"as_of", p.as_of}, {"age_days", age}});
      }
    };
    check(o->provenance, "the offering's figures");
  }
}

}  // namespace

double shannon_entropy(const std::string& text)
{
  if (text.empty()) {
    return 0;
  }
  std::array<int, 256> counts{};
  for (char c : text) {
    ++counts[static_cast<unsigned char>(c)];
  }
  double h = 0;
  for (int n : counts) {
    if (n > 0) {
      double p = static_cast<double>(n) / static_cast<double>(text.size());
      h -= p * std::log2(p);
    }
  }
  return h;
}

SourceLocation location_of(const std::string& where, const std::string& fallback_file)
{
  auto number = [](const std::string& text) -> int {
    if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return -1;
    }
    return std::stoi(text);
  };
  if (where.empty()) {
    return {fallback_file, 0, 0};
  }
  auto last = where.rfind(':');
  if (last == std::string::npos || last == 0) {
    return {where, 0, 0};
  }
  int tail = number(where.substr(last + 1));
  if (tail < 0) {
    return {where, 0, 0};
  }
  auto mid = where.rfind(':', last - 1);
  if (mid != std::string::npos && mid > 0) {
    if (int line = number(where.substr(mid + 1, last - mid - 1)); line >= 0) {
      return {where.substr(0, mid), line, tail};
    }
  }
  return {where.substr(0, last), tail, 0};
}

std::optional<std::string> secret_kind(const std::string& literal)
{
  if (literal.size() < 10) {  // shorter than every known token and than the entropy rule's 24
    return std::nullopt;
  }
  for (const auto& k : known_prefixes) {
    if (literal.rfind(k.prefix, 0) == 0 && literal.size() >= k.min_len) {
      return std::string(k.kind);
    }
  }
  if (literal.size() < 24 || literal.size() > 512) {
    return std::nullopt;
  }
  bool lower = false;
  bool upper = false;
  bool digit = false;
  for (char c : literal) {
    lower = lower || std::islower(static_cast<unsigned char>(c));
    upper = upper || std::isupper(static_cast<unsigned char>(c));
    digit = digit || std::isdigit(static_cast<unsigned char>(c));
  }
  int classes = static_cast<int>(lower) + static_cast<int>(upper) + static_cast<int>(digit);
  if (classes >= 3 && shannon_entropy(literal) >= 4.0) {
    return std::string("high-entropy string");
  }
  return std::nullopt;
}

std::optional<std::int64_t> days_of_date(const std::string& date)
{
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (date.size() < 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  std::int64_t yy = y - (m <= 2 ? 1 : 0);
  const std::int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const auto yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void run_builtin_checks(const CheckInput& in, QcReport& report)
{
  struct Check {
    const char* id;
    const char* short_text;
    const char* full_text;
    const char* help;
    void (*fn)(const CheckInput&, QcReport&);
  };
  static const Check checks[] = {
    {"manifest-invalid", "Manifest loads", "The manifest must load with the manifest loader `helios validate` uses: safe YAML, known fields, valid names, units and references (docs/manifest.md).",
     "Fix the value at the file:line:column the message names; `helios validate -f FILE` gives the same message.", check_manifest},
    {"manifest-warning", "Manifest warnings", "What the manifest loader warns about: valid, but probably not what was meant (e.g. spread with one replica).",
     "Change the value the message names, or leave it when it is what you meant.", check_manifest_warnings},
    {"budget", "Plan within budget", "The plan's monthly overage cost must not exceed spec.budget.monthly_usd (0 by default: stay free).",
     "Raise spec.budget.monthly_usd or change constraints so the placement stays inside free tiers.", check_budget},
    {"quota-headroom", "Quota headroom", "Every placed quota dimension and every ledger window should keep at least the headroom threshold free.",
     "Spread the workload, lower its needs, or add an account/provider with free quota.", check_headroom},
    {"secret-literal", "No secrets in manifests", "Manifests name environment variables for credentials; literal tokens (known prefixes or high-entropy strings) are refused.",
     "Move the value into an environment variable and reference it with token_env.", check_secrets},
    {"catalog-stale", "Catalog figures are recent", "Catalog quota figures the plan relies on should have been checked within the allowed number of days.",
     "Re-check the source URL and update the offering's as_of date in the catalog.", check_catalog_age},
  };
  for (const auto& c : checks) {
    ++report.tests;
    report.rules.push_back({std::string("helios/") + c.id, c.short_text, c.full_text, c.help});
    c.fn(in, report);
  }
}

}  // namespace helios::policy
