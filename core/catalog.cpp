#include "core/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/suggest.hpp"
#include "core/yaml_document.hpp"

namespace helios {

namespace {

constexpr std::size_t k_max_file_bytes = 4u << 20;  // as YamlLimits: a catalog is a few kilobytes
constexpr std::size_t k_max_problems = 50;
constexpr std::size_t k_max_offerings = 10000;

const std::vector<std::string> k_top_keys = {"apiVersion", "kind", "metadata", "offerings"};
const std::vector<std::string> k_offering_keys = {
  "id",        "provider", "product", "kind",  "regions",        "api",    "free",       "limits",
  "free_instances", "overage", "idle_sleep_minutes", "engines", "model", "base_url", "credential_env",
  "group",     "source",   "as_of",   "confidence", "notes", "model_aliases"};
const std::vector<std::string> k_free_keys = {"dimension", "amount", "period", "scope", "reset",
                                              "pool",      "source", "as_of",  "confidence", "note"};
const std::vector<std::string> k_limit_keys = {"dimension", "max", "source", "as_of", "confidence", "note"};
const std::vector<std::string> k_overage_keys = {"dimension", "usd",  "per",        "period",
                                                 "source",    "as_of", "confidence", "note"};

std::string suggest(std::string_view word, const std::vector<std::string>& candidates)
{
  return closest_match(word, candidates).value_or(std::string());
}

bool is_name(std::string_view text, bool allow_upper_and_punct)
{
  if (text.empty() || text.size() > 128) {
    return false;
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = std::islower(u) || std::isdigit(u) || c == '-' ||
                    (allow_upper_and_punct && (std::isupper(u) || c == '.' || c == '_' || c == ':'));
    if (!ok) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(text.front())) != 0;
}

bool is_date(std::string_view text)
{
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  const int month = std::stoi(std::string(text.substr(5, 2)));
  const int day = std::stoi(std::string(text.substr(8, 2)));
  const int year = std::stoi(std::string(text.substr(0, 4)));
  return year >= 2000 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool is_source(std::string_view text)
{
  return text == "machine" || text.starts_with("https://") || text.starts_with("http://");
}

// Collects every problem in one file so that `helios catalog check` can list them all.
class Reader {
public:
  explicit Reader(std::string path) : m_path(std::move(path)) {}

  [[nodiscard]] SourceLocation at(const YAML::Node& node) const
  {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) {
      return SourceLocation{m_path, 0, 0};
    }
    return SourceLocation{m_path, mark.line + 1, mark.column + 1};
  }

  void problem(const SourceLocation& where, std::string message, std::string hint = {})
  {
    if (m_problems.size() < k_max_problems) {
      m_problems.push_back(ErrorInfo{ExitCode::usage, "invalid_catalog", std::move(message), where.to_string(),
                                     std::move(hint), nlohmann::json::object()});
    } else {
      m_truncated = true;
    }
  }
  void problem(const YAML::Node& node, std::string message, std::string hint = {})
  {
    problem(at(node), std::move(message), std::move(hint));
  }

  [[nodiscard]] bool ok() const { return m_problems.empty(); }
  [[nodiscard]] bool full() const { return m_problems.size() >= k_max_problems; }

  [[nodiscard]] ErrorInfo error() const
  {
    ErrorInfo first = m_problems.front();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : m_problems) {
      list.push_back({{"where", p.where}, {"message", p.message}, {"hint", p.hint}});
    }
    first.details = {{"file", m_path}, {"errors", list}, {"truncated", m_truncated}};
    if (m_problems.size() > 1) {
      first.message += fmt::format(" (and {} more problem{})", m_problems.size() - 1,
                                   m_problems.size() == 2 ? "" : "s");
      if (first.hint.empty()) {
        first.hint = fmt::format("run `helios catalog check {}` to list them all", m_path);
      } else {
        first.hint += fmt::format("; run `helios catalog check {}` to list every problem", m_path);
      }
    }
    return first;
  }

  // Reports keys of a mapping that are not in `allowed`, with a "did you mean".
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, std::string_view what)
  {
    std::vector<std::pair<std::string, int>> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) {
        problem(it->first, fmt::format("a key of {} is not a plain name", what), "keys are names like `id`");
        continue;
      }
      const std::string key = it->first.Scalar();
      const auto earlier = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
      if (earlier != seen.end()) {
        problem(it->first, fmt::format("key '{}' is given twice in {} (first at line {})", key, what, earlier->second),
                "keep one; YAML readers disagree on which one wins");
        continue;
      }
      seen.emplace_back(key, at(it->first).line);
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
        continue;
      }
      const std::string guess = suggest(key, allowed);
      problem(it->first, fmt::format("unknown key '{}' in {}", key, what),
              guess.empty() ? fmt::format("allowed keys: {}", fmt::join(allowed, ", "))
                            : fmt::format("did you mean '{}'?", guess));
    }
  }

  // A scalar string; empty optional (with a problem recorded) when the node is not a scalar.
  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what, std::string_view expected)
  {
    if (!node.IsScalar()) {
      problem(node, fmt::format("{} must be {}, not a {}", what, expected, node_type(node)),
              fmt::format("write {}: <{}>", what, expected));
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::vector<std::string> string_list(const YAML::Node& node, std::string_view what)
  {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) {
      problem(node, fmt::format("{} must be a list of names, not a {}", what, node_type(node)),
              fmt::format("write {}: [a, b]", what));
      return out;
    }
    for (const auto& item : node) {
      if (auto s = scalar(item, what, "a name")) {
        out.push_back(*s);
      }
    }
    return out;
  }

  std::optional<int> integer(const YAML::Node& node, std::string_view what, int min, int max)
  {
    auto text = scalar(node, what, "a whole number");
    if (!text) {
      return std::nullopt;
    }
    try {
      std::size_t used = 0;
      const long value = std::stol(*text, &used);
      if (used == text->size() && value >= min && value <= max) {
        return static_cast<int>(value);
      }
    } catch (const std::exception&) {
    }
    problem(node, fmt::format("{} '{}' is not a whole number from {} to {}", what, *text, min, max),
            fmt::format("write {}: {}", what, min));
    return std::nullopt;
  }

  std::optional<double> number(const YAML::Node& node, std::string_view what)
  {
    auto text = scalar(node, what, "a number");
    if (!text) {
      return std::nullopt;
    }
    try {
      std::size_t used = 0;
      const double value = std::stod(*text, &used);
      if (used == text->size() && std::isfinite(value) && value >= 0 && value < 1e15) {
        return value;
      }
    } catch (const std::exception&) {
    }
    problem(node, fmt::format("{} '{}' is not a non-negative number", what, *text), fmt::format("write {}: 0.35", what));
    return std::nullopt;
  }

  // source / as_of / confidence / note of a map, defaulting to `base`.
  Provenance provenance(const YAML::Node& map, const Provenance& base, bool required)
  {
    Provenance p = base;
    if (const auto n = map["source"]) {
      if (auto s = scalar(n, "source", "a URL")) {
        if (!is_source(*s)) {
          problem(n, fmt::format("source '{}' is not an http(s) URL", *s),
                  "give the page the number was read from, e.g. source: https://example.com/pricing");
        }
        p.source = *s;
      }
    } else if (required) {
      problem(map, "the offering has no source", "every number needs one: source: https://… (the page it was read from)");
    }
    if (const auto n = map["as_of"]) {
      if (auto s = scalar(n, "as_of", "a date YYYY-MM-DD")) {
        if (!is_date(*s)) {
          problem(n, fmt::format("as_of '{}' is not a date YYYY-MM-DD", *s), "write as_of: 2026-07-18");
        }
        p.as_of = *s;
      }
    } else if (required) {
      problem(map, "the offering has no as_of date", "write as_of: YYYY-MM-DD (when the source was read)");
    }
    if (const auto n = map["confidence"]) {
      if (auto s = scalar(n, "confidence", "confirmed, secondary or unconfirmed")) {
        if (auto c = parse_confidence(*s)) {
          p.confidence = *c;
        } else {
          const std::string guess = suggest(*s, {"confirmed", "secondary", "unconfirmed"});
          problem(n, fmt::format("confidence '{}' is not confirmed, secondary or unconfirmed", *s),
                  guess.empty() ? "confirmed: the provider's own docs; secondary: a dated third-party copy; "
                                  "unconfirmed: old, conflicting or from memory"
                                : fmt::format("did you mean '{}'?", guess));
        }
      }
    } else if (required) {
      problem(map, "the offering has no confidence", "write confidence: confirmed | secondary | unconfirmed");
    }
    if (const auto n = map["note"]) {
      if (auto s = scalar(n, "note", "text")) {
        p.note = *s;
      }
    }
    return p;
  }

  // A dimension name, checked against the known ones.
  std::optional<std::string> dimension(const YAML::Node& map, std::string_view what)
  {
    const auto n = map["dimension"];
    if (!n) {
      problem(map, fmt::format("{} has no dimension", what), "write dimension: requests (or tokens, storage, …)");
      return std::nullopt;
    }
    auto s = scalar(n, "dimension", "a dimension name");
    if (!s) {
      return std::nullopt;
    }
    if (!dimension_unit(*s)) {
      std::vector<std::string> names(known_dimensions().begin(), known_dimensions().end());
      const std::string guess = suggest(*s, names);
      problem(n, fmt::format("unknown dimension '{}'", *s),
              guess.empty() ? fmt::format("known dimensions: {}", fmt::join(names, ", "))
                            : fmt::format("did you mean '{}'?", guess));
      return std::nullopt;
    }
    return s;
  }

  std::optional<Period> period(const YAML::Node& node)
  {
    auto s = scalar(node, "period", "a period");
    if (!s) {
      return std::nullopt;
    }
    auto p = parse_period(*s);
    if (!p) {
      problem(node, fmt::format("period '{}' is not a period", *s),
              "write period: second, minute, hour, day, week, month or static");
    }
    return p;
  }

  FreeQuota free_quota(const YAML::Node& map, const Provenance& base)
  {
    FreeQuota q;
    q.where = at(map);
    check_keys(map, k_free_keys, "a free quota");
    const auto dim = dimension(map, "a free quota");
    if (dim) {
      q.dimension = *dim;
    }
    const UnitKind unit = quota_unit(q.dimension);
    std::optional<Period> amount_period;
    if (const auto n = map["amount"]) {
      if (auto s = scalar(n, "amount", "a quantity with units")) {
        if (*s == "machine") {
          q.measured = true;
        } else if (dim) {
          auto amount = parse_amount(*s, unit);
          if (!amount) {
            problem(n, fmt::format("amount of {}: {}", q.dimension, amount.error()),
                    "amounts take units: 100k, 2M, 512Mi, 10GB, 750h; `machine` for this machine's capacity");
          } else {
            q.amount = *amount;
            if (amount->period != Period::none) {
              amount_period = amount->period;
            }
          }
        }
      }
    } else {
      problem(map, fmt::format("the free quota of {} has no amount", q.dimension.empty() ? "?" : q.dimension),
              "write amount: 1000 (with units where they apply: 5GB, 750h)");
    }
    if (const auto n = map["period"]) {
      if (auto p = period(n)) {
        if (amount_period && *amount_period != *p) {
          problem(n, fmt::format("period '{}' contradicts the amount's '/{}'", period_name(*p), period_name(*amount_period)),
                  "give the period once: either amount: 100k/month or amount: 100k with period: month");
        }
        q.amount.period = *p;
      }
    }
    if (const auto n = map["scope"]) {
      if (auto s = scalar(n, "scope", "a scope")) {
        if (auto scope = parse_scope(*s)) {
          q.scope = *scope;
        } else {
          const std::string guess = suggest(*s, {"account", "organization", "project", "instance"});
          problem(n, fmt::format("scope '{}' is not account, organization, project or instance", *s),
                  guess.empty() ? "account/organization: one pool per account; project/instance: each its own"
                                : fmt::format("did you mean '{}'?", guess));
        }
      }
    }
    if (const auto n = map["reset"]) {
      if (auto s = scalar(n, "reset", "a reset rule")) {
        q.reset = *s;
      }
    }
    if (const auto n = map["pool"]) {
      if (auto s = scalar(n, "pool", "a pool id")) {
        q.pool = *s;
      }
    }
    q.provenance = provenance(map, base, false);
    return q;
  }

  InstanceLimit limit(const YAML::Node& map, const Provenance& base)
  {
    InstanceLimit l;
    check_keys(map, k_limit_keys, "a limit");
    const auto dim = dimension(map, "a limit");
    if (dim) {
      l.dimension = *dim;
    }
    if (const auto n = map["max"]) {
      if (auto s = scalar(n, "max", "a quantity with units")) {
        if (*s == "machine") {
          l.measured = true;
        } else if (dim) {
          auto q = parse_quantity(*s, quota_unit(l.dimension));
          if (!q) {
            problem(n, fmt::format("max of {}: {}", l.dimension, q.error()), "write max: 512Mi (with units)");
          } else {
            l.max = *q;
          }
        }
      }
    } else {
      problem(map, "a limit has no max", "write max: 512Mi");
    }
    l.provenance = provenance(map, base, false);
    return l;
  }

  OveragePrice overage(const YAML::Node& map, const Provenance& base)
  {
    OveragePrice o;
    check_keys(map, k_overage_keys, "an overage price");
    const auto dim = dimension(map, "an overage price");
    if (dim) {
      o.dimension = *dim;
    }
    if (const auto n = map["usd"]) {
      if (auto v = number(n, "usd")) {
        o.usd = *v;
      }
    } else {
      problem(map, "an overage price has no usd", "write usd: 0.35 (dollars per `per` units)");
    }
    if (const auto n = map["per"]) {
      if (auto s = scalar(n, "per", "a quantity with units")) {
        if (dim) {
          auto q = parse_quantity(*s, quota_unit(o.dimension));
          if (!q || *q <= 0) {
            problem(n, fmt::format("per of {}: {}", o.dimension, q ? std::string("must be more than 0") : q.error()),
                    "write per: 1Gi, per: 1M or per: 1");
          } else {
            o.per = *q;
          }
        }
      }
    }
    if (const auto n = map["period"]) {
      if (auto p = period(n)) {
        o.period = *p;
      }
    }
    o.provenance = provenance(map, base, false);
    return o;
  }

  std::optional<Offering> offering(const YAML::Node& map)
  {
    Offering o;
    o.where = at(map);
    const std::size_t before = m_problems.size();
    check_keys(map, k_offering_keys, "an offering");
    if (const auto n = map["provider"]) {
      if (auto s = scalar(n, "provider", "a provider name")) {
        if (!is_name(*s, false)) {
          problem(n, fmt::format("provider '{}' is not a lower-case name", *s), "write provider: cloudflare");
        }
        o.provider = *s;
      }
    } else {
      problem(map, "the offering has no provider", "write provider: <name>, e.g. provider: groq");
    }
    if (const auto n = map["product"]) {
      if (auto s = scalar(n, "product", "a product name")) {
        if (!is_name(*s, true)) {
          problem(n, fmt::format("product '{}' is not a name (letters, digits, - . _ :)", *s), "write product: workers");
        }
        o.product = *s;
      }
    } else {
      problem(map, "the offering has no product", "write product: <name>, e.g. product: workers");
    }
    if (const auto n = map["id"]) {
      if (auto s = scalar(n, "id", "provider/product")) {
        o.id = *s;
        if (!o.provider.empty() && !s->starts_with(o.provider + "/")) {
          problem(n, fmt::format("id '{}' does not start with its provider '{}/'", *s, o.provider),
                  fmt::format("write id: {}/{}", o.provider, o.product.empty() ? "<product>" : o.product));
        }
      }
    } else if (!o.provider.empty() && !o.product.empty()) {
      o.id = o.provider + "/" + o.product;
    }
    if (const auto n = map["kind"]) {
      if (auto s = scalar(n, "kind", "a kind")) {
        if (auto kind = parse_workload_kind(*s)) {
          o.kind = *kind;
        } else {
          const std::string guess = suggest(*s, {"compute", "hosting", "database", "storage", "ai"});
          problem(n, fmt::format("kind '{}' is not compute, hosting, database, storage or ai", *s),
                  guess.empty() ? "write kind: compute" : fmt::format("did you mean '{}'?", guess));
        }
      }
    } else {
      problem(map, "the offering has no kind", "write kind: compute | hosting | database | storage | ai");
    }
    if (const auto n = map["regions"]) {
      o.regions = string_list(n, "regions");
      if (o.regions.empty() && n.IsSequence()) {
        problem(n, "regions is empty", "write regions: [global] for an offering that serves any region");
      }
    } else {
      problem(map, "the offering has no regions", "write regions: [global] or regions: [eu, us]");
    }
    o.provenance = provenance(map, Provenance{}, true);
    auto text_field = [&](const char* key, std::string& out) {
      if (const auto n = map[key]) {
        if (auto s = scalar(n, key, "text")) {
          out = *s;
        }
      }
    };
    text_field("api", o.api);
    text_field("model", o.model);
    text_field("base_url", o.base_url);
    text_field("credential_env", o.credential_env);
    text_field("group", o.group);
    text_field("notes", o.notes);
    if (!o.base_url.empty() && !o.base_url.starts_with("https://") && !o.base_url.starts_with("http://")) {
      problem(map["base_url"], fmt::format("base_url '{}' is not an http(s) URL", o.base_url),
              "write base_url: https://api.example.com/v1");
    }
    if (!o.credential_env.empty()) {
      const bool valid = std::all_of(o.credential_env.begin(), o.credential_env.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
      });
      if (!valid) {
        problem(map["credential_env"], fmt::format("credential_env '{}' is not an environment variable name", o.credential_env),
                "name the variable that holds the token, e.g. credential_env: GROQ_API_KEY (never the token)");
      }
    }
    if (o.kind == WorkloadKind::ai && o.model.empty() && map["kind"]) {
      problem(map, fmt::format("the ai offering '{}' has no model", o.id), "write model: <the model id the API expects>");
    }
    if (const auto n = map["engines"]) {
      o.engines = string_list(n, "engines");
    }
    if (const auto n = map["model_aliases"]) {
      o.model_aliases = string_list(n, "model_aliases");
    }
    if (const auto n = map["free_instances"]) {
      if (auto v = integer(n, "free_instances", 0, 100000)) {
        o.free_instances = *v;
      }
    }
    if (const auto n = map["idle_sleep_minutes"]) {
      if (auto v = integer(n, "idle_sleep_minutes", 0, 525600)) {
        o.idle_sleep_minutes = *v;
      }
    }
    if (const auto n = map["free"]) {
      if (!n.IsSequence()) {
        problem(n, fmt::format("free must be a list of quotas, not a {}", node_type(n)),
                "write free: [{ dimension: requests, amount: 1000, period: day }]");
      } else {
        for (const auto& item : n) {
          if (!item.IsMap()) {
            problem(item, "each free quota must be a mapping", "write - { dimension: requests, amount: 1000, period: day }");
            continue;
          }
          o.free.push_back(free_quota(item, o.provenance));
        }
      }
    }
    if (const auto n = map["limits"]) {
      if (!n.IsSequence()) {
        problem(n, fmt::format("limits must be a list, not a {}", node_type(n)),
                "write limits: [{ dimension: memory, max: 512Mi }]");
      } else {
        for (const auto& item : n) {
          if (!item.IsMap()) {
            problem(item, "each limit must be a mapping", "write - { dimension: memory, max: 512Mi }");
            continue;
          }
          o.limits.push_back(limit(item, o.provenance));
        }
      }
    }
    if (const auto n = map["overage"]) {
      if (n.IsScalar()) {
        if (n.Scalar() == "hard_cap") {
          o.hard_cap = true;
        } else if (n.Scalar() != "none") {
          problem(n, fmt::format("overage '{}' is not hard_cap, none or a list of prices", n.Scalar()),
                  "hard_cap: it stops rather than bills; or a list: [{ dimension: storage, usd: 0.35, per: 1Gi }]");
        }
      } else if (n.IsSequence()) {
        for (const auto& item : n) {
          if (!item.IsMap()) {
            problem(item, "each overage price must be a mapping", "write - { dimension: storage, usd: 0.35, per: 1Gi }");
            continue;
          }
          o.overage.push_back(overage(item, o.provenance));
        }
      } else {
        problem(n, "overage must be hard_cap, none or a list of prices", "write overage: hard_cap");
      }
    }
    // A dimension given twice with the same period is ambiguous.
    for (std::size_t i = 0; i < o.free.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (!o.free[i].dimension.empty() && o.free[i].dimension == o.free[j].dimension &&
            o.free[i].amount.period == o.free[j].amount.period) {
          problem(o.free[i].where,
                  fmt::format("free quota {} per {} is given twice (first at line {})", o.free[i].dimension,
                              period_name(o.free[i].amount.period), o.free[j].where.line),
                  "keep one entry per dimension and period");
        }
      }
    }
    if (m_problems.size() != before) {
      return std::nullopt;
    }
    return o;
  }

  static std::string node_type(const YAML::Node& node)
  {
    switch (node.Type()) {
    case YAML::NodeType::Map:
      return "mapping";
    case YAML::NodeType::Sequence:
      return "list";
    case YAML::NodeType::Scalar:
      return "scalar";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "missing value";
    }
  }

private:
  std::string m_path;
  std::vector<ErrorInfo> m_problems;
  bool m_truncated = false;
};

Provenance provenance_from_json(const nlohmann::json& doc, const Provenance& base)
{
  Provenance p = base;
  p.source = doc.value("source", base.source);
  p.as_of = doc.value("as_of", base.as_of);
  p.note = doc.value("note", std::string());
  if (auto c = parse_confidence(doc.value("confidence", std::string(confidence_name(base.confidence))))) {
    p.confidence = *c;
  }
  return p;
}

void provenance_to_json(nlohmann::json& doc, const Provenance& p)
{
  doc["source"] = p.source;
  doc["as_of"] = p.as_of;
  doc["confidence"] = confidence_name(p.confidence);
  if (!p.note.empty()) {
    doc["note"] = p.note;
  }
}

SourceLocation location_from_string(const std::string& text)
{
  // "file:line:column" (the file itself may hold ':').
  SourceLocation where{text, 0, 0};
  const auto last = text.rfind(':');
  if (last == std::string::npos || last == 0) {
    return where;
  }
  const auto middle = text.rfind(':', last - 1);
  if (middle == std::string::npos) {
    return where;
  }
  try {
    where.line = std::stoi(text.substr(middle + 1, last - middle - 1));
    where.column = std::stoi(text.substr(last + 1));
    where.file = text.substr(0, middle);
  } catch (const std::exception&) {
    where = SourceLocation{text, 0, 0};
  }
  return where;
}

std::optional<Period> period_from_json(const nlohmann::json& doc)
{
  return parse_period(doc.value("period", std::string("static")));
}

}  // namespace

bool Offering::serves_region(std::string_view region) const
{
  return std::any_of(regions.begin(), regions.end(),
                     [&](const std::string& r) { return r == "global" || r == region; });
}

bool Offering::serves_model(std::string_view name) const
{
  return (!model.empty() && model == name) || product == name ||
         std::find(model_aliases.begin(), model_aliases.end(), name) != model_aliases.end();
}

const FreeQuota* Offering::free_quota(std::string_view dimension) const
{
  for (const auto& q : free) {
    if (q.dimension == dimension) {
      return &q;
    }
  }
  return nullptr;
}

const InstanceLimit* Offering::limit(std::string_view dimension) const
{
  for (const auto& l : limits) {
    if (l.dimension == dimension) {
      return &l;
    }
  }
  return nullptr;
}

const OveragePrice* Offering::overage_price(std::string_view dimension) const
{
  for (const auto& o : overage) {
    if (o.dimension == dimension) {
      return &o;
    }
  }
  return nullptr;
}

Result<std::vector<std::string>> Catalog::merge_file(const std::string& path)
{
  auto offerings = load_catalog_file(path);
  if (!offerings) {
    return tl::unexpected(offerings.error());
  }
  measure_machine(*offerings);
  std::vector<std::string> replaced;
  for (auto& o : *offerings) {
    if (find(o.id) != nullptr) {
      replaced.push_back(o.id);
    }
    add(std::move(o));
  }
  return replaced;
}

Result<std::vector<std::string>> Catalog::merge_text(const std::string& text, const std::string& path)
{
  auto offerings = parse_catalog_text(text, path);
  if (!offerings) {
    return tl::unexpected(offerings.error());
  }
  measure_machine(*offerings);
  std::vector<std::string> replaced;
  for (auto& o : *offerings) {
    if (find(o.id) != nullptr) {
      replaced.push_back(o.id);
    }
    add(std::move(o));
  }
  return replaced;
}

const Offering* Catalog::find(std::string_view id) const
{
  const auto it = std::lower_bound(m_offerings.begin(), m_offerings.end(), id,
                                   [](const Offering& o, std::string_view key) { return o.id < key; });
  return it != m_offerings.end() && it->id == id ? &*it : nullptr;
}

std::vector<std::string> Catalog::providers() const
{
  std::vector<std::string> out;
  for (const auto& o : m_offerings) {
    if (std::find(out.begin(), out.end(), o.provider) == out.end()) {
      out.push_back(o.provider);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Catalog::add(Offering offering)
{
  const auto it = std::lower_bound(m_offerings.begin(), m_offerings.end(), offering.id,
                                   [](const Offering& o, const std::string& key) { return o.id < key; });
  if (it != m_offerings.end() && it->id == offering.id) {
    *it = std::move(offering);
  } else {
    m_offerings.insert(it, std::move(offering));
  }
}

Result<std::vector<Offering>> load_catalog_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ExitCode::usage, "catalog_not_found", fmt::format("cannot read the catalog file '{}'", path), path,
                "check the path given with --catalog or in HELIOS_CATALOG_PATH");
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (size > k_max_file_bytes) {
    return fail(ExitCode::usage, "invalid_catalog",
                fmt::format("the catalog file is {} bytes; expected at most {}", size, k_max_file_bytes), path,
                "a catalog is a short YAML file; is this the right file?");
  }
  in.seekg(0);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  return parse_catalog_text(text, path);
}

Result<std::vector<Offering>> parse_catalog_text(const std::string& text, const std::string& path)
{
  auto bad = [&](int line, int column, std::string message, std::string hint) {
    return fail(ExitCode::usage, "invalid_catalog", std::move(message), SourceLocation{path, line, column}.to_string(),
                std::move(hint));
  };
  // Size, binary bytes, invalid UTF-8, empty files, several documents, depth, duplicate keys and
  // alias bombs are refused here, located, before any field is read.
  auto doc = YamlDocument::parse(text, path);
  if (!doc) {
    return tl::unexpected(doc.error());
  }
  const YAML::Node root = doc->root().node();
  Reader r(path);
  try {
    if (!root.IsMap()) {
      r.problem(root, fmt::format("the catalog must be a mapping, not a {}", Reader::node_type(root)),
                "start with apiVersion: helios/v1 and kind: Catalog");
      return tl::unexpected(r.error());
    }
    const auto api = root["apiVersion"];
    if (!api) {
      r.problem(root, "the catalog has no apiVersion", "write apiVersion: helios/v1");
    } else if (!api.IsScalar() || api.Scalar() != "helios/v1") {
      r.problem(api, fmt::format("apiVersion '{}' is not helios/v1", api.IsScalar() ? api.Scalar() : "?"),
                "write apiVersion: helios/v1");
    }
    const auto kind = root["kind"];
    if (!kind) {
      r.problem(root, "the catalog has no kind", "write kind: Catalog");
    } else if (!kind.IsScalar() || kind.Scalar() != "Catalog") {
      r.problem(kind, fmt::format("kind '{}' is not Catalog", kind.IsScalar() ? kind.Scalar() : "?"),
                kind.IsScalar() && kind.Scalar() == "Stack" ? "this is a manifest; give it with -f, not --catalog"
                                                            : "write kind: Catalog");
    }
    r.check_keys(root, k_top_keys, "the catalog");
    std::vector<Offering> out;
    const auto list = root["offerings"];
    if (!list) {
      r.problem(root, "the catalog has no offerings", "write offerings: followed by a list of offerings");
    } else if (!list.IsSequence() || list.size() == 0) {
      r.problem(list, "offerings must be a non-empty list", "write offerings: followed by - id: provider/product …");
    } else if (list.size() > k_max_offerings) {
      r.problem(list, fmt::format("{} offerings; expected at most {}", list.size(), k_max_offerings),
                "split the catalog into several files");
    } else {
      for (const auto& item : list) {
        if (r.full()) {
          break;
        }
        if (!item.IsMap()) {
          r.problem(item, fmt::format("an offering must be a mapping, not a {}", Reader::node_type(item)),
                    "write - id: provider/product with provider, product, kind, regions, free, source, as_of, confidence");
          continue;
        }
        if (auto o = r.offering(item)) {
          const auto dup = std::find_if(out.begin(), out.end(), [&](const Offering& x) { return x.id == o->id; });
          if (dup != out.end()) {
            r.problem(o->where, fmt::format("offering '{}' is defined twice (first at line {})", o->id, dup->where.line),
                      "keep one; a later catalog file overrides an earlier one by id");
            continue;
          }
          out.push_back(std::move(*o));
        }
      }
    }
    if (!r.ok()) {
      return tl::unexpected(r.error());
    }
    return out;
  } catch (const YAML::Exception& e) {
    return bad(e.mark.line + 1, e.mark.column + 1, fmt::format("invalid YAML: {}", e.msg), "check this place");
  }
}

void measure_machine(std::vector<Offering>& offerings, const std::string& directory)
{
  bool needed = false;
  for (const auto& o : offerings) {
    needed = needed || std::any_of(o.free.begin(), o.free.end(), [](const FreeQuota& q) { return q.measured; }) ||
             std::any_of(o.limits.begin(), o.limits.end(), [](const InstanceLimit& l) { return l.measured; });
  }
  if (!needed) {
    return;
  }
  const double cores = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  const double memory = static_cast<double>(std::max(0L, sysconf(_SC_PHYS_PAGES))) *
                        static_cast<double>(std::max(0L, sysconf(_SC_PAGE_SIZE)));
  double disk = 0;
  struct statvfs fs {};
  if (statvfs(directory.c_str(), &fs) == 0) {
    disk = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  }
  auto value = [&](const std::string& dimension) {
    if (dimension == "cpu") {
      return cores;
    }
    if (dimension == "memory") {
      return memory;
    }
    if (dimension == "storage") {
      return disk;
    }
    return 0.0;
  };
  for (auto& o : offerings) {
    for (auto& q : o.free) {
      if (q.measured) {
        q.amount.value = value(q.dimension);
      }
    }
    for (auto& l : o.limits) {
      if (l.measured) {
        l.max = value(l.dimension);
      }
    }
  }
}

std::string_view confidence_name(Confidence confidence)
{
  switch (confidence) {
  case Confidence::confirmed:
    return "confirmed";
  case Confidence::secondary:
    return "secondary";
  case Confidence::unconfirmed:
    break;
  }
  return "unconfirmed";
}

std::optional<Confidence> parse_confidence(std::string_view text)
{
  for (auto c : {Confidence::confirmed, Confidence::secondary, Confidence::unconfirmed}) {
    if (confidence_name(c) == text) {
      return c;
    }
  }
  return std::nullopt;
}

std::string_view scope_name(Scope scope)
{
  switch (scope) {
  case Scope::account:
    return "account";
  case Scope::organization:
    return "organization";
  case Scope::project:
    return "project";
  case Scope::instance:
    return "instance";
  }
  return "account";
}

std::optional<Scope> parse_scope(std::string_view text)
{
  for (auto s : {Scope::account, Scope::organization, Scope::project, Scope::instance}) {
    if (scope_name(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

UnitKind quota_unit(std::string_view dimension)
{
  return dimension_unit(dimension).value_or(UnitKind::count);
}

nlohmann::json to_json(const Offering& o)
{
  nlohmann::json doc = {{"id", o.id},         {"provider", o.provider}, {"product", o.product},
                        {"kind", workload_kind_name(o.kind)},           {"regions", o.regions},
                        {"api", o.api}};
  nlohmann::json free = nlohmann::json::array();
  for (const auto& q : o.free) {
    const UnitKind unit = quota_unit(q.dimension);
    nlohmann::json item = {{"dimension", q.dimension},
                           {"unit", unit_kind_name(unit)},
                           {"amount", q.amount.value},
                           {"period", period_name(q.amount.period)},
                           {"display", format_amount(q.amount, unit)},
                           {"scope", scope_name(q.scope)},
                           {"reset", q.reset},
                           {"pool", q.pool},
                           {"measured", q.measured}};
    provenance_to_json(item, q.provenance);
    if (q.where.line > 0) {
      item["where"] = q.where.to_string();
    }
    free.push_back(std::move(item));
  }
  doc["free"] = std::move(free);
  nlohmann::json limits = nlohmann::json::array();
  for (const auto& l : o.limits) {
    const UnitKind unit = quota_unit(l.dimension);
    nlohmann::json item = {{"dimension", l.dimension},
                           {"unit", unit_kind_name(unit)},
                           {"max", l.max},
                           {"display", format_quantity(l.max, unit)},
                           {"measured", l.measured}};
    provenance_to_json(item, l.provenance);
    limits.push_back(std::move(item));
  }
  doc["limits"] = std::move(limits);
  doc["free_instances"] = o.free_instances;
  doc["hard_cap"] = o.hard_cap;
  nlohmann::json overage = nlohmann::json::array();
  for (const auto& p : o.overage) {
    const UnitKind unit = quota_unit(p.dimension);
    nlohmann::json item = {{"dimension", p.dimension},
                           {"usd", p.usd},
                           {"per", p.per},
                           {"period", period_name(p.period)},
                           {"display", fmt::format("${} per {}{}", p.usd, format_quantity(p.per, unit),
                                                   p.period == Period::none ? "" : fmt::format("/{}", period_name(p.period)))}};
    provenance_to_json(item, p.provenance);
    overage.push_back(std::move(item));
  }
  doc["overage"] = std::move(overage);
  doc["idle_sleep_minutes"] = o.idle_sleep_minutes;
  doc["engines"] = o.engines;
  doc["model"] = o.model;
  doc["model_aliases"] = o.model_aliases;
  doc["base_url"] = o.base_url;
  doc["credential_env"] = o.credential_env;
  doc["group"] = o.group;
  provenance_to_json(doc, o.provenance);
  doc["notes"] = o.notes;
  doc["where"] = o.where.to_string();
  return doc;
}

nlohmann::json to_json(const Catalog& catalog)
{
  nlohmann::json list = nlohmann::json::array();
  for (const auto& o : catalog.offerings()) {
    list.push_back(to_json(o));
  }
  return list;
}

Result<Offering> offering_from_json(const nlohmann::json& doc)
{
  try {
    Offering o;
    o.id = doc.at("id").get<std::string>();
    o.provider = doc.at("provider").get<std::string>();
    o.product = doc.at("product").get<std::string>();
    const auto kind = parse_workload_kind(doc.at("kind").get<std::string>());
    if (!kind) {
      return fail(ExitCode::runtime, "invalid_catalog_json", fmt::format("offering {}: unknown kind", o.id));
    }
    o.kind = *kind;
    o.regions = doc.value("regions", std::vector<std::string>{});
    o.api = doc.value("api", std::string());
    o.provenance = provenance_from_json(doc, Provenance{});
    o.provenance.note.clear();
    for (const auto& item : doc.value("free", nlohmann::json::array())) {
      FreeQuota q;
      q.dimension = item.at("dimension").get<std::string>();
      q.amount.value = item.value("amount", 0.0);
      q.amount.period = period_from_json(item).value_or(Period::none);
      q.scope = parse_scope(item.value("scope", std::string("account"))).value_or(Scope::account);
      q.reset = item.value("reset", std::string());
      q.pool = item.value("pool", std::string());
      q.measured = item.value("measured", false);
      q.provenance = provenance_from_json(item, o.provenance);
      q.where = location_from_string(item.value("where", std::string()));
      o.free.push_back(std::move(q));
    }
    for (const auto& item : doc.value("limits", nlohmann::json::array())) {
      InstanceLimit l;
      l.dimension = item.at("dimension").get<std::string>();
      l.max = item.value("max", 0.0);
      l.measured = item.value("measured", false);
      l.provenance = provenance_from_json(item, o.provenance);
      o.limits.push_back(std::move(l));
    }
    o.free_instances = doc.value("free_instances", 0);
    o.hard_cap = doc.value("hard_cap", false);
    for (const auto& item : doc.value("overage", nlohmann::json::array())) {
      OveragePrice p;
      p.dimension = item.at("dimension").get<std::string>();
      p.usd = item.value("usd", 0.0);
      p.per = item.value("per", 1.0);
      p.period = period_from_json(item).value_or(Period::month);
      p.provenance = provenance_from_json(item, o.provenance);
      o.overage.push_back(std::move(p));
    }
    o.idle_sleep_minutes = doc.value("idle_sleep_minutes", 0);
    o.engines = doc.value("engines", std::vector<std::string>{});
    o.model = doc.value("model", std::string());
    o.model_aliases = doc.value("model_aliases", std::vector<std::string>{});
    o.base_url = doc.value("base_url", std::string());
    o.credential_env = doc.value("credential_env", std::string());
    o.group = doc.value("group", std::string());
    o.notes = doc.value("notes", std::string());
    o.where = location_from_string(doc.value("where", std::string()));
    return o;
  } catch (const nlohmann::json::exception& e) {
    return fail(ExitCode::runtime, "invalid_catalog_json", fmt::format("a catalog offering in JSON is malformed: {}", e.what()));
  }
}

Result<Catalog> catalog_from_json(const nlohmann::json& doc)
{
  if (!doc.is_array()) {
    return fail(ExitCode::runtime, "invalid_catalog_json", "a catalog in JSON must be an array of offerings");
  }
  std::vector<Offering> offerings;
  offerings.reserve(doc.size());
  for (const auto& item : doc) {
    auto o = offering_from_json(item);
    if (!o) {
      return tl::unexpected(o.error());
    }
    offerings.push_back(std::move(*o));
  }
  measure_machine(offerings);
  Catalog catalog;
  for (auto& o : offerings) {
    catalog.add(std::move(o));
  }
  return catalog;
}

}  // namespace helios
