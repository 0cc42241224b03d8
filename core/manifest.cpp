#include "core/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/suggest.hpp"
#include "core/yaml_document.hpp"

// Propagates the error of a Result; TRY_ASSIGN also binds its value.
#define HELIOS_TRY(expr)                                      \
  do {                                                        \
    if (auto try_result_ = (expr); !try_result_) {            \
      return tl::unexpected(std::move(try_result_.error()));  \
    }                                                         \
  } while (false)
#define HELIOS_TRY_CAT2(a, b) a##b
#define HELIOS_TRY_CAT(a, b) HELIOS_TRY_CAT2(a, b)
#define HELIOS_TRY_ASSIGN(decl, expr) HELIOS_TRY_ASSIGN_IMPL(decl, expr, HELIOS_TRY_CAT(try_value_, __LINE__))
#define HELIOS_TRY_ASSIGN_IMPL(decl, expr, tmp)        \
  auto tmp = (expr);                                   \
  if (!tmp) {                                          \
    return tl::unexpected(std::move(tmp.error()));     \
  }                                                    \
  decl = std::move(*tmp)

namespace helios {

namespace {

constexpr const char* k_api_version = "helios/v1";
constexpr const char* k_code = "invalid_manifest";

const std::vector<std::string_view> k_root_keys = {"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string_view> k_metadata_keys = {"name", "labels", "environment", "description"};
const std::vector<std::string_view> k_spec_keys = {"budget", "regions", "providers", "accounts", "workloads"};
const std::vector<std::string_view> k_budget_keys = {"monthly_usd"};
const std::vector<std::string_view> k_providers_keys = {"allow", "deny"};
const std::vector<std::string_view> k_account_keys = {"name", "token_env", "account_id_env", "credentials_entry"};
const std::vector<std::string_view> k_workload_keys = {
  "name", "kind",      "replicas", "needs",  "regions", "near",   "spread", "split",
  "critical", "providers", "depends_on", "engine", "bucket", "models", "runtime"};
const std::vector<std::string_view> k_runtime_keys = {"image", "command", "port", "health", "env"};
const std::vector<std::string_view> k_kinds = {"compute", "hosting", "database", "storage", "ai"};
const std::vector<std::string_view> k_engines = {"postgres", "mysql", "sqlite", "libsql", "redis", "mongodb", "kv"};
// Keys that would hold a credential itself: refused, with a hint to name the variable instead.
const std::vector<std::string_view> k_secret_keys = {"token",    "api_key", "apikey",   "key",        "secret",
                                                     "password", "api_token", "access_key", "secret_key"};
// Dimensions that are capacities (no period); every other dimension is a rate and needs one.
const std::vector<std::string_view> k_capacity_dimensions = {"cpu",       "memory",   "storage",    "instances",
                                                             "databases", "projects", "connections"};

bool contains(const std::vector<std::string_view>& list, std::string_view word)
{
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool valid_env_name(std::string_view name)
{
  if (name.empty() || name.size() > 255 || std::isdigit(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Provider, region and model names: printable, no spaces, a sane length.
bool valid_word(std::string_view word)
{
  if (word.empty() || word.size() > 128) {
    return false;
  }
  return std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' ||
           c == '@';
  });
}

bool valid_bucket(std::string_view name)
{
  if (name.size() < 3 || name.size() > 63) {
    return false;
  }
  const auto ok = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
           c == '.';
  };
  return std::all_of(name.begin(), name.end(), ok) && std::isalnum(static_cast<unsigned char>(name.front())) &&
         std::isalnum(static_cast<unsigned char>(name.back()));
}

std::string name_rule()
{
  return "use 1 to 63 lowercase letters, digits and '-', starting with a letter (like a DNS label), e.g. web-api";
}

// The largest sane amount of a need, in base units (static, or per second for rates).
double absurd_limit(std::string_view dimension, UnitKind kind)
{
  if (dimension == "cpu") {
    return k_max_cpu_cores;
  }
  if (dimension == "memory") {
    return 16.0 * 1024 * 1024 * 1024 * 1024;  // 16 TiB
  }
  switch (kind) {
  case UnitKind::bytes:
    return 1e16;  // 10 PB
  case UnitKind::hours:
    return 1e7;
  case UnitKind::cpu:
    return k_max_cpu_cores;
  case UnitKind::count:
    break;
  }
  return 1e15;
}

// An example amount for a dimension, for hints.
std::string example_need(std::string_view dimension, UnitKind kind)
{
  const bool capacity = contains(k_capacity_dimensions, dimension);
  switch (kind) {
  case UnitKind::cpu:
    return "250m";
  case UnitKind::bytes:
    return capacity ? "512Mi" : "10GB/month";
  case UnitKind::hours:
    return "750h/month";
  case UnitKind::count:
    break;
  }
  return capacity ? "3" : "100k/month";
}

std::string lower(std::string_view text)
{
  std::string out(text);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class ManifestParser {
public:
  explicit ManifestParser(const YamlDocument& doc) : m_doc(doc) {}

  Result<Stack> parse()
  {
    const YamlNode root = m_doc.root();
    if (!root.is_map()) {
      return root.fail(fmt::format("a manifest is a mapping (apiVersion, kind, metadata, spec), got {}",
                                   root.describe()),
                       "start from `helios init`, which writes a starter helios.yaml");
    }
    m_stack.file = m_doc.file();
    m_stack.where = root.where();
    HELIOS_TRY(root.check_keys(k_root_keys));
    HELIOS_TRY(parse_header(root));
    HELIOS_TRY_ASSIGN(const YamlNode metadata, root.required_map("metadata"));
    HELIOS_TRY(parse_metadata(metadata));
    HELIOS_TRY_ASSIGN(const YamlNode spec, root.required_map("spec"));
    HELIOS_TRY(parse_spec(spec));
    HELIOS_TRY(check_references());
    m_stack.digest = sha256_hex(m_doc.text());
    return std::move(m_stack);
  }

private:
  void warn(const YamlNode& at, std::string message)
  {
    const std::string text = at.path().empty() ? std::move(message) : fmt::format("{}: {}", at.path(), message);
    m_stack.warnings.push_back(ManifestWarning{text, at.where()});
  }

  Result<void> parse_header(const YamlNode& root)
  {
    HELIOS_TRY_ASSIGN(const YamlNode api, root.required("apiVersion"));
    HELIOS_TRY_ASSIGN(m_stack.api_version, api.as_string());
    if (m_stack.api_version != k_api_version) {
      return api.fail(fmt::format("unsupported apiVersion '{}'; expected '{}'", m_stack.api_version, k_api_version),
                      "write `apiVersion: helios/v1`");
    }
    HELIOS_TRY_ASSIGN(const YamlNode kind, root.required("kind"));
    HELIOS_TRY_ASSIGN(m_stack.kind, kind.as_string());
    if (m_stack.kind != "Stack") {
      std::string hint = "a manifest has `kind: Stack`";
      if (m_stack.kind == "Catalog") {
        hint = "this file is a catalog: check it with `helios catalog check FILE`, or pass it with --catalog";
      } else if (lower(m_stack.kind) == "stack") {
        hint = "write it with a capital S: `kind: Stack`";
      }
      return kind.fail(fmt::format("unsupported kind '{}'; expected 'Stack'", m_stack.kind), hint);
    }
    return {};
  }

  Result<void> parse_metadata(const YamlNode& metadata)
  {
    HELIOS_TRY(metadata.check_keys(k_metadata_keys));
    HELIOS_TRY_ASSIGN(const YamlNode name, metadata.required("name"));
    HELIOS_TRY_ASSIGN(m_stack.name, name.as_string());
    if (!valid_name(m_stack.name)) {
      return name.fail(fmt::format("'{}' is not a valid stack name", m_stack.name), name_rule());
    }
    HELIOS_TRY_ASSIGN(const auto labels, metadata.optional_map("labels"));
    if (labels) {
      for (const auto& entry : labels->entries()) {
        if (!valid_word(entry.key)) {
          return entry.value.fail(fmt::format("'{}' is not a valid label key", entry.key),
                                  "use letters, digits, '-', '_', '.' or '/'");
        }
        HELIOS_TRY_ASSIGN(m_stack.labels[entry.key], entry.value.as_string());
      }
    }
    HELIOS_TRY_ASSIGN(const auto environment, metadata.optional_string("environment"));
    if (environment) {
      if (!valid_word(*environment)) {
        return metadata.get("environment")->fail(fmt::format("'{}' is not a valid environment name", *environment),
                                                 "use one word such as production, staging or dev");
      }
      m_stack.environment = *environment;
    }
    HELIOS_TRY_ASSIGN(const auto description, metadata.optional_string("description"));
    m_stack.description = description.value_or("");
    return {};
  }

  Result<void> parse_spec(const YamlNode& spec)
  {
    HELIOS_TRY(spec.check_keys(k_spec_keys));
    HELIOS_TRY_ASSIGN(const auto budget, spec.optional_map("budget"));
    if (budget) {
      HELIOS_TRY(budget->check_keys(k_budget_keys));
      auto usd = budget->optional_number("monthly_usd", 0, k_max_budget_usd);
      if (!usd) {
        usd.error().hint = "a budget is US dollars per month from 0 (stay free, the default) to 1000000";
        return tl::unexpected(usd.error());
      }
      m_stack.budget_monthly_usd = usd->value_or(0);
    }
    HELIOS_TRY_ASSIGN(m_stack.regions, regions(spec, "regions"));
    HELIOS_TRY_ASSIGN(const auto providers, spec.optional_map("providers"));
    if (providers) {
      HELIOS_TRY(parse_providers(*providers, m_stack.providers_allow, m_stack.providers_deny));
    }
    HELIOS_TRY_ASSIGN(const auto accounts, spec.optional_map("accounts"));
    if (accounts) {
      HELIOS_TRY(parse_accounts(*accounts));
    }
    auto workloads = spec.required_list("workloads");
    if (!workloads) {
      if (!spec.has("workloads")) {
        workloads.error().hint = "list what the stack runs, e.g. `workloads: [{name: web, kind: compute}]`";
      }
      return tl::unexpected(workloads.error());
    }
    const auto items = workloads->items();
    if (items.empty()) {
      return workloads->fail("a stack needs at least one workload",
                             "add one, e.g. `- {name: web, kind: compute, needs: {cpu: 250m, memory: 256Mi}}`");
    }
    if (items.size() > 1000) {
      return workloads->fail(fmt::format("{} workloads; a stack holds at most 1000", items.size()),
                             "split the stack into several manifests");
    }
    std::map<std::string, SourceLocation> seen;
    for (const auto& item : items) {
      HELIOS_TRY_ASSIGN(Workload workload, parse_workload(item));
      if (const auto it = seen.find(workload.name); it != seen.end()) {
        return item.get("name")->fail(fmt::format("duplicate workload name '{}' (first defined at {})", workload.name,
                                                  it->second.to_string()),
                                      "give every workload its own name");
      }
      seen.emplace(workload.name, workload.where);
      m_stack.workloads.push_back(std::move(workload));
      m_items.push_back(item);
    }
    return {};
  }

  Result<std::vector<std::string>> regions(const YamlNode& map, std::string_view key)
  {
    HELIOS_TRY_ASSIGN(const auto list, map.optional_string_list(key));
    if (!list) {
      return std::vector<std::string>{};
    }
    const auto items = map.get(key)->items();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& region = (*list)[i];
      if (!valid_word(region) || region != lower(region)) {
        return items[i].fail(fmt::format("'{}' is not a valid region", region),
                             "use lowercase region names such as eu, us, asia, us-east or global");
      }
      if (!seen.insert(region).second) {
        return items[i].fail(fmt::format("the region '{}' is listed twice", region), "list each region once");
      }
    }
    return *list;
  }

  Result<void> provider_list(const YamlNode& map, std::string_view key, std::vector<std::string>& out)
  {
    HELIOS_TRY_ASSIGN(const auto list, map.optional_string_list(key));
    if (!list) {
      return {};
    }
    const auto items = map.get(key)->items();
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!valid_name((*list)[i])) {
        return items[i].fail(fmt::format("'{}' is not a valid provider name", (*list)[i]),
                             "provider names are lowercase, e.g. cloudflare, vercel, groq; `helios catalog list` "
                             "shows them");
      }
    }
    out = *list;
    return {};
  }

  Result<void> parse_providers(const YamlNode& providers, std::vector<std::string>& allow,
                               std::vector<std::string>& deny)
  {
    HELIOS_TRY(providers.check_keys(k_providers_keys));
    HELIOS_TRY(provider_list(providers, "allow", allow));
    HELIOS_TRY(provider_list(providers, "deny", deny));
    for (std::size_t i = 0; i < deny.size(); ++i) {
      if (std::find(allow.begin(), allow.end(), deny[i]) != allow.end()) {
        return providers.get("deny")->items()[i].fail(
          fmt::format("the provider '{}' is both allowed and denied", deny[i]), "remove it from one of the lists");
      }
    }
    return {};
  }

  Result<Account> parse_account(const YamlNode& node, const std::string& provider, bool named)
  {
    HELIOS_TRY(node.expect_map());
    for (const auto& entry : node.entries()) {
      if (contains(k_secret_keys, lower(entry.key))) {
        // Never echo the value: it may be the secret itself.
        return entry.value.fail("a manifest never holds credentials",
                                fmt::format("name the environment variable that holds it instead: `token_env: {}_API_"
                                            "TOKEN`, or a credentials-file entry: `credentials_entry: {}`",
                                            [&] {
                                              std::string up = provider;
                                              for (auto& c : up) {
                                                c = c == '-' ? '_' : static_cast<char>(std::toupper(
                                                                       static_cast<unsigned char>(c)));
                                              }
                                              return up;
                                            }(),
                                            provider));
      }
    }
    HELIOS_TRY(node.check_keys(k_account_keys));
    Account account;
    account.provider = provider;
    account.where = node.where();
    HELIOS_TRY_ASSIGN(const auto name, named ? node.required_string("name").map([](std::string s) {
      return std::optional<std::string>(std::move(s));
    })
                                             : node.optional_string("name"));
    if (name) {
      if (!valid_name(*name)) {
        return node.get("name")->fail(fmt::format("'{}' is not a valid account name", *name), name_rule());
      }
      account.name = *name;
    }
    for (const auto key : {"token_env", "account_id_env"}) {
      HELIOS_TRY_ASSIGN(const auto env, node.optional_string(key));
      if (!env) {
        continue;
      }
      if (!valid_env_name(*env)) {
        return node.get(key)->fail(
          fmt::format("'{}' is not an environment variable name", *env),
          "name the variable (letters, digits and '_', e.g. CLOUDFLARE_API_TOKEN), not its value");
      }
      (std::string_view(key) == "token_env" ? account.token_env : account.account_id_env) = *env;
    }
    HELIOS_TRY_ASSIGN(const auto entry, node.optional_string("credentials_entry"));
    if (entry) {
      if (!valid_word(*entry)) {
        return node.get("credentials_entry")
          ->fail(fmt::format("'{}' is not a valid credentials-file entry name", *entry),
                 "use letters, digits, '-', '_' or '.'");
      }
      account.credentials_entry = *entry;
    }
    if (account.token_env.empty() && account.credentials_entry.empty()) {
      return node.fail("an account needs token_env or credentials_entry",
                       "say where the token is found, e.g. `token_env: MY_PROVIDER_TOKEN`");
    }
    return account;
  }

  Result<void> parse_accounts(const YamlNode& accounts)
  {
    for (const auto& entry : accounts.entries()) {
      if (!valid_name(entry.key)) {
        return entry.value.fail(fmt::format("'{}' is not a valid provider name", entry.key),
                                "the keys of spec.accounts are provider names such as cloudflare or groq");
      }
      if (entry.value.is_list()) {
        std::set<std::string> names;
        const auto items = entry.value.items();
        if (items.empty()) {
          return entry.value.fail("an empty list of accounts", "list at least one account, or remove the key");
        }
        for (const auto& item : items) {
          HELIOS_TRY_ASSIGN(Account account, parse_account(item, entry.key, true));
          if (!names.insert(account.name).second) {
            return item.get("name")->fail(fmt::format("duplicate account name '{}' for {}", account.name, entry.key),
                                          "give each account of a provider its own name");
          }
          m_stack.accounts.push_back(std::move(account));
        }
      } else {
        HELIOS_TRY_ASSIGN(Account account, parse_account(entry.value, entry.key, false));
        m_stack.accounts.push_back(std::move(account));
      }
    }
    return {};
  }

  Result<void> parse_needs(const YamlNode& needs, Workload& workload)
  {
    HELIOS_TRY(needs.expect_map());
    std::vector<std::string_view> known(known_dimensions().begin(), known_dimensions().end());
    for (const auto& entry : needs.entries()) {
      const auto kind = dimension_unit(entry.key);
      if (!kind) {
        return tl::unexpected(ErrorInfo{ExitCode::usage, k_code,
                                        fmt::format("{}: unknown dimension '{}'", needs.path(), entry.key),
                                        entry.key_where.to_string(), did_you_mean(entry.key, known),
                                        nlohmann::json{{"key", entry.key}}});
      }
      HELIOS_TRY_ASSIGN(const std::string text, entry.value.as_string());
      auto amount = parse_amount(text, *kind);
      if (!amount) {
        return entry.value.fail(amount.error(), fmt::format("write it like `{}: {}`", entry.key, example_need(entry.key, *kind)));
      }
      const bool capacity = contains(k_capacity_dimensions, entry.key);
      if (capacity && amount->period != Period::none) {
        return entry.value.fail(fmt::format("'{}': {} is a capacity, not a rate", text, entry.key),
                                fmt::format("drop the period, e.g. `{}: {}`", entry.key,
                                            text.substr(0, text.find('/'))));
      }
      if (!capacity && amount->period == Period::none) {
        return entry.value.fail(fmt::format("'{}': {} is a rate and needs a period", text, entry.key),
                                fmt::format("add one, e.g. `{}: {}/month` or `{}/day`", entry.key, text, text));
      }
      const double per_unit = amount->period == Period::none ? amount->value
                                                             : amount->value / period_seconds(amount->period);
      const double limit = absurd_limit(entry.key, *kind);
      if (per_unit > limit) {
        return entry.value.fail(
          fmt::format("'{}' is more {} than any provider offers (at most {}{})", text, entry.key,
                      format_quantity(limit, *kind), amount->period == Period::none ? "" : "/second"),
          "check the unit: Mi/Gi are binary sizes, m is milli-CPU, k/M are thousands/millions");
      }
      workload.needs.push_back(Need{entry.key, *amount, entry.value.where()});
    }
    return {};
  }

  Result<void> parse_runtime(const YamlNode& runtime, Workload& workload)
  {
    HELIOS_TRY(runtime.check_keys(k_runtime_keys));
    HELIOS_TRY_ASSIGN(workload.runtime.image, runtime.optional_string("image").map([](auto s) {
      return s.value_or("");
    }));
    HELIOS_TRY_ASSIGN(workload.runtime.command, runtime.optional_string("command").map([](auto s) {
      return s.value_or("");
    }));
    HELIOS_TRY_ASSIGN(const auto port, runtime.optional_integer("port", 1, 65535));
    workload.runtime.port = static_cast<int>(port.value_or(0));
    HELIOS_TRY_ASSIGN(const auto health, runtime.optional_string("health"));
    if (health) {
      if (health->empty() || health->front() != '/') {
        return runtime.get("health")->fail(fmt::format("'{}' is not an HTTP path", *health),
                                           "write the path checked after start, e.g. `health: /` or `/healthz`");
      }
      workload.runtime.health = *health;
    }
    HELIOS_TRY_ASSIGN(const auto env, runtime.optional_map("env"));
    if (env) {
      for (const auto& entry : env->entries()) {
        if (!valid_env_name(entry.key)) {
          return entry.value.fail(fmt::format("'{}' is not an environment variable name", entry.key),
                                  "use letters, digits and '_', not starting with a digit");
        }
        HELIOS_TRY_ASSIGN(workload.runtime.env[entry.key], entry.value.as_string());
        const std::string upper = [&] {
          std::string u = entry.key;
          for (auto& c : u) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          }
          return u;
        }();
        for (const auto* word : {"TOKEN", "SECRET", "PASSWORD", "API_KEY", "PRIVATE_KEY"}) {
          if (upper.find(word) != std::string::npos) {
            warn(entry.value, "looks like a secret; runtime.env is for plain settings and is recorded in state — "
                              "give secrets to the process through the environment of `helios apply` instead");
            break;
          }
        }
      }
    }
    if (!workload.runtime.image.empty() && !workload.runtime.command.empty()) {
      return runtime.fail("both image and command are set", "give one: an OCI image, or a command the local "
                                                            "provider runs");
    }
    return {};
  }

  Result<Workload> parse_workload(const YamlNode& item)
  {
    HELIOS_TRY(item.expect_map());
    HELIOS_TRY(item.check_keys(k_workload_keys));
    Workload workload;
    workload.where = item.where();
    HELIOS_TRY_ASSIGN(const YamlNode name, item.required("name"));
    HELIOS_TRY_ASSIGN(workload.name, name.as_string());
    if (!valid_name(workload.name)) {
      return name.fail(fmt::format("'{}' is not a valid workload name", workload.name), name_rule());
    }
    HELIOS_TRY_ASSIGN(const YamlNode kind_node, item.required("kind"));
    HELIOS_TRY_ASSIGN(const std::string kind_text, kind_node.as_string());
    const auto kind = parse_workload_kind(kind_text);
    if (!kind) {
      return kind_node.fail(fmt::format("unknown workload kind '{}'", kind_text), did_you_mean(kind_text, k_kinds));
    }
    workload.kind = *kind;
    const bool ai = workload.kind == WorkloadKind::ai;
    const bool runs = workload.kind == WorkloadKind::compute || workload.kind == WorkloadKind::hosting;

    if (auto replicas = item.get("replicas")) {
      auto value = replicas->as_integer(1, k_max_replicas);
      if (!value) {
        value.error().hint = fmt::format("replicas is a whole number from 1 to {}", k_max_replicas);
        return tl::unexpected(value.error());
      }
      workload.replicas = static_cast<int>(*value);
    }
    HELIOS_TRY_ASSIGN(const auto needs, item.optional_map("needs"));
    if (needs) {
      HELIOS_TRY(parse_needs(*needs, workload));
    }
    HELIOS_TRY_ASSIGN(workload.regions, regions(item, "regions"));
    HELIOS_TRY_ASSIGN(const auto near, item.optional_string("near"));
    workload.near = near.value_or("");
    HELIOS_TRY_ASSIGN(const auto spread, item.optional_bool("spread"));
    workload.spread = spread.value_or(false);
    HELIOS_TRY_ASSIGN(const auto split, item.optional_bool("split"));
    workload.split = split.value_or(false);
    HELIOS_TRY_ASSIGN(const auto critical, item.optional_bool("critical"));
    workload.critical = critical.value_or(false);
    HELIOS_TRY_ASSIGN(const auto providers, item.optional_map("providers"));
    if (providers) {
      HELIOS_TRY(parse_providers(*providers, workload.providers_allow, workload.providers_deny));
    }
    HELIOS_TRY_ASSIGN(const auto depends_on, item.optional_string_list("depends_on"));
    workload.depends_on = depends_on.value_or(std::vector<std::string>{});

    if (workload.split && !ai) {
      return item.get("split")->fail(
        fmt::format("split applies to ai workloads only; '{}' is {}", workload.name, kind_text),
        "remove `split:`, or use `spread: true` to put replicas on distinct providers");
    }
    HELIOS_TRY_ASSIGN(const auto engine, item.optional_string("engine"));
    if (engine) {
      if (workload.kind != WorkloadKind::database) {
        return item.get("engine")->fail(fmt::format("engine applies to database workloads only; '{}' is {}",
                                                    workload.name, kind_text),
                                        "remove `engine:`, or set `kind: database`");
      }
      if (!contains(k_engines, *engine)) {
        return item.get("engine")->fail(fmt::format("unknown database engine '{}'", *engine),
                                        did_you_mean(*engine, k_engines));
      }
      workload.engine = *engine;
    }
    HELIOS_TRY_ASSIGN(const auto bucket, item.optional_string("bucket"));
    if (bucket) {
      if (workload.kind != WorkloadKind::storage) {
        return item.get("bucket")->fail(fmt::format("bucket applies to storage workloads only; '{}' is {}",
                                                    workload.name, kind_text),
                                        "remove `bucket:`, or set `kind: storage`");
      }
      if (!valid_bucket(*bucket)) {
        return item.get("bucket")->fail(fmt::format("'{}' is not a valid bucket name", *bucket),
                                        "use 3 to 63 lowercase letters, digits, '-' and '.'");
      }
      workload.bucket = *bucket;
    }
    HELIOS_TRY_ASSIGN(const auto models, item.optional_string_list("models"));
    if (models) {
      if (!ai) {
        return item.get("models")->fail(fmt::format("models apply to ai workloads only; '{}' is {}", workload.name,
                                                    kind_text),
                                        "remove `models:`, or set `kind: ai`");
      }
      const auto model_items = item.get("models")->items();
      if (model_items.empty()) {
        return item.get("models")->fail("an empty list of models",
                                        "list acceptable models, e.g. [llama-3.3-70b, gemini-2.5-flash], or remove it");
      }
      for (std::size_t i = 0; i < models->size(); ++i) {
        if (!valid_word((*models)[i])) {
          return model_items[i].fail(fmt::format("'{}' is not a valid model id", (*models)[i]),
                                     "write the model id as the catalog names it, e.g. llama-3.3-70b");
        }
      }
      workload.models = *models;
    }
    HELIOS_TRY_ASSIGN(const auto runtime, item.optional_map("runtime"));
    if (runtime) {
      if (!runs) {
        return runtime->fail(fmt::format("runtime applies to compute and hosting workloads only; '{}' is {}",
                                         workload.name, kind_text),
                             "remove `runtime:`");
      }
      HELIOS_TRY(parse_runtime(*runtime, workload));
    }
    if (workload.spread && workload.replicas < 2) {
      warn(*item.get("spread"), "spread has no effect with one replica");
    }
    if (ai && workload.needs.empty()) {
      warn(item, "an ai workload without needs reserves no quota; add e.g. `needs: {requests: 1000/day}`");
    }
    if (workload.kind == WorkloadKind::compute && workload.runtime.image.empty() && workload.runtime.command.empty()) {
      warn(item, "a compute workload without runtime.image or runtime.command can be placed but not applied");
    }
    return workload;
  }

  Result<void> check_references()
  {
    std::vector<std::string> names;
    for (const auto& workload : m_stack.workloads) {
      names.push_back(workload.name);
    }
    for (std::size_t i = 0; i < m_stack.workloads.size(); ++i) {
      const auto& workload = m_stack.workloads[i];
      const YamlNode& item = m_items[i];
      if (!workload.near.empty()) {
        const YamlNode near = *item.get("near");
        if (workload.near == workload.name) {
          return near.fail(fmt::format("'{}' cannot be near itself", workload.name), "name another workload");
        }
        if (m_stack.workload(workload.near) == nullptr) {
          return near.fail(fmt::format("no workload named '{}'", workload.near), hint_for(workload.near, names));
        }
      }
      std::set<std::string> seen;
      const auto deps = workload.depends_on.empty() ? std::vector<YamlNode>{} : item.get("depends_on")->items();
      for (std::size_t d = 0; d < workload.depends_on.size(); ++d) {
        const auto& dep = workload.depends_on[d];
        if (dep == workload.name) {
          return deps[d].fail(fmt::format("'{}' cannot depend on itself", workload.name), "remove it from depends_on");
        }
        if (m_stack.workload(dep) == nullptr) {
          return deps[d].fail(fmt::format("no workload named '{}'", dep), hint_for(dep, names));
        }
        if (!seen.insert(dep).second) {
          return deps[d].fail(fmt::format("'{}' is listed twice", dep), "list each dependency once");
        }
      }
      for (const auto& denied : m_stack.providers_deny) {
        if (std::find(workload.providers_allow.begin(), workload.providers_allow.end(), denied) !=
            workload.providers_allow.end()) {
          warn(*item.get("providers"),
               fmt::format("allows '{}', which spec.providers.deny denies for the whole stack", denied));
        }
      }
    }
    return check_cycles();
  }

  static std::string hint_for(const std::string& name, const std::vector<std::string>& names)
  {
    if (auto match = closest_match(name, names)) {
      return fmt::format("did you mean '{}'?", *match);
    }
    return fmt::format("the workloads are: {}", fmt::join(names, ", "));
  }

  Result<void> check_cycles()
  {
    // 0 unvisited, 1 on the current path, 2 done.
    std::map<std::string, int> state;
    std::vector<std::string> path;
    std::function<Result<void>(const Workload&)> visit = [&](const Workload& workload) -> Result<void> {
      state[workload.name] = 1;
      path.push_back(workload.name);
      for (std::size_t d = 0; d < workload.depends_on.size(); ++d) {
        const Workload* dep = m_stack.workload(workload.depends_on[d]);
        const int s = state[dep->name];
        if (s == 1) {
          auto start = std::find(path.begin(), path.end(), dep->name);
          std::vector<std::string> cycle(start, path.end());
          cycle.push_back(dep->name);
          const auto index = static_cast<std::size_t>(&workload - m_stack.workloads.data());
          return m_items[index].get("depends_on")->items()[d].fail(
            fmt::format("depends_on makes a cycle: {}", fmt::join(cycle, " -> ")), "remove one of these dependencies");
        }
        if (s == 0) {
          HELIOS_TRY(visit(*dep));
        }
      }
      path.pop_back();
      state[workload.name] = 2;
      return {};
    };
    for (const auto& workload : m_stack.workloads) {
      if (state[workload.name] == 0) {
        HELIOS_TRY(visit(workload));
      }
    }
    return {};
  }

  const YamlDocument& m_doc;
  Stack m_stack;
  std::vector<YamlNode> m_items;  // the workloads' nodes, parallel to m_stack.workloads
};

nlohmann::json need_json(const Need& need)
{
  const UnitKind kind = dimension_unit(need.dimension).value_or(UnitKind::count);
  return nlohmann::json{{"value", need.amount.value},
                        {"period", std::string(period_name(need.amount.period))},
                        {"unit", std::string(unit_kind_name(kind))},
                        {"text", format_amount(need.amount, kind)}};
}

}  // namespace

bool valid_name(std::string_view name)
{
  if (name.empty() || name.size() > 63 || !std::islower(static_cast<unsigned char>(name.front())) ||
      name.back() == '-') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

const Need* Workload::need(std::string_view dimension) const
{
  for (const auto& n : needs) {
    if (n.dimension == dimension) {
      return &n;
    }
  }
  return nullptr;
}

const Workload* Stack::workload(std::string_view name) const
{
  for (const auto& w : workloads) {
    if (w.name == name) {
      return &w;
    }
  }
  return nullptr;
}

std::vector<Account> Stack::accounts_for(std::string_view provider) const
{
  std::vector<Account> out;
  for (const auto& account : accounts) {
    if (account.provider == provider) {
      out.push_back(account);
    }
  }
  if (out.empty()) {
    Account implicit;
    implicit.provider = std::string(provider);
    out.push_back(std::move(implicit));
  }
  return out;
}

Result<Stack> parse_manifest(YamlDocument& doc)
{
  doc.set_error_code(k_code);
  return ManifestParser(doc).parse();
}

Result<Stack> parse_manifest(const std::string& text, const std::string& path)
{
  HELIOS_TRY_ASSIGN(YamlDocument doc, YamlDocument::parse(text, path));
  return parse_manifest(doc);
}

Result<Stack> load_manifest(const std::string& path)
{
  auto doc = YamlDocument::load_file(path);
  if (!doc) {
    if (doc.error().code == "file_not_found") {
      doc.error().hint = "check the path given with -f/--file, or write a starter manifest with `helios init`";
    }
    return tl::unexpected(std::move(doc.error()));
  }
  return parse_manifest(*doc);
}

nlohmann::json to_json(const Stack& stack)
{
  nlohmann::json accounts = nlohmann::json::array();
  for (const auto& a : stack.accounts) {
    accounts.push_back({{"provider", a.provider},
                        {"name", a.name},
                        {"token_env", a.token_env},
                        {"account_id_env", a.account_id_env},
                        {"credentials_entry", a.credentials_entry}});
  }
  nlohmann::json workloads = nlohmann::json::array();
  for (const auto& w : stack.workloads) {
    nlohmann::json needs = nlohmann::json::object();
    for (const auto& n : w.needs) {
      needs[n.dimension] = need_json(n);
    }
    nlohmann::json workload = {{"name", w.name},
                               {"kind", std::string(workload_kind_name(w.kind))},
                               {"replicas", w.replicas},
                               {"needs", needs},
                               {"regions", w.regions},
                               {"near", w.near},
                               {"spread", w.spread},
                               {"split", w.split},
                               {"critical", w.critical},
                               {"providers", {{"allow", w.providers_allow}, {"deny", w.providers_deny}}},
                               {"depends_on", w.depends_on},
                               {"where", w.where.to_string()}};
    if (!w.engine.empty()) {
      workload["engine"] = w.engine;
    }
    if (!w.bucket.empty()) {
      workload["bucket"] = w.bucket;
    }
    if (!w.models.empty()) {
      workload["models"] = w.models;
    }
    if (w.kind == WorkloadKind::compute || w.kind == WorkloadKind::hosting) {
      workload["runtime"] = {{"image", w.runtime.image},
                             {"command", w.runtime.command},
                             {"port", w.runtime.port},
                             {"health", w.runtime.health},
                             {"env", w.runtime.env}};
    }
    workloads.push_back(std::move(workload));
  }
  return nlohmann::json{{"apiVersion", stack.api_version},
                        {"kind", stack.kind},
                        {"metadata",
                         {{"name", stack.name},
                          {"labels", stack.labels},
                          {"environment", stack.environment},
                          {"description", stack.description}}},
                        {"budget", {{"monthly_usd", stack.budget_monthly_usd}}},
                        {"regions", stack.regions},
                        {"providers", {{"allow", stack.providers_allow}, {"deny", stack.providers_deny}}},
                        {"accounts", accounts},
                        {"workloads", workloads},
                        {"file", stack.file},
                        {"digest", stack.digest}};
}

}  // namespace helios
