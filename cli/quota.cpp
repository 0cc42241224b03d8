// helios quota: usage against quota per provider × account × pool × dimension × window, from the ledger
// (core/ledger.hpp). Subcommands: record (what an agent used, or a provider response), refresh (provider
// usage APIs through the adapters), sync (commit a ledger snapshot to the state repository).

#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/ledger.hpp"
#include "core/ledger_snapshot.hpp"
#include "core/rotate.hpp"
#include "core/units.hpp"
#include "providers/registry.hpp"

namespace helios::cli {

namespace {

struct QuotaOptions {
  std::string format = "table";
  int rotations = 10;
  // record
  std::string provider;
  std::string account = "default";
  std::string pool;
  long long reservation = 0;
  std::string signal_file;
  std::vector<std::string> items;
  // refresh
  std::vector<std::string> only_providers;
  // sync
  std::string message;
};

std::string number(double value)
{
  if (std::fabs(value - std::round(value)) < 1e-9) {
    return format_quantity(value, UnitKind::count);
  }
  return fmt::format("{:.2f}", value);
}

std::string until_text(const std::string& iso, EpochMs now)
{
  auto t = parse_rfc3339(iso);
  if (!t) {
    return iso;
  }
  const EpochMs d = *t - now;
  if (d <= 0) {
    return "now";
  }
  if (d < 60'000) {
    return fmt::format("in {}s", (d + 999) / 1000);
  }
  if (d < 3'600'000) {
    return fmt::format("in {}m", (d + 59'999) / 60'000);
  }
  if (d < 172'800'000) {
    return fmt::format("in {}h{:02}m", d / 3'600'000, (d % 3'600'000) / 60'000);
  }
  return fmt::format("in {}d", d / 86'400'000);
}

void print_table(const Context& ctx, const nlohmann::json& doc)
{
  const EpochMs now = parse_rfc3339(doc["generated_at"].get<std::string>()).value_or(now_ms());
  if (doc["quotas"].empty()) {
    std::puts("The ledger is empty: nothing reserved, recorded or placed yet.");
  } else {
    Table table({"PROVIDER", "ACCOUNT", "POOL", "DIMENSION", "WINDOW", "USED", "LIMIT", "LEFT", "", "RESETS"},
                {false, false, false, false, false, true, true, true, false, false});
    for (const auto& q : doc["quotas"]) {
      const double fraction = q["fraction"].is_number() ? q["fraction"].get<double>() : 0.0;
      std::string bar_text = q["fraction"].is_number() ? bar(fraction, 16) + fmt::format(" {:>3.0f}%", fraction * 100) : "";
      const std::string colour = fraction >= 0.95 ? "red" : fraction >= 0.8 ? "yellow" : "green";
      std::string resets = q["resets_at"].is_string()
                             ? fmt::format("{} ({})", q["resets_at"].get<std::string>(), until_text(q["resets_at"].get<std::string>(), now))
                             : "never";
      std::string window = q["window"].get<std::string>();
      if (q["reset_rule"] == "rolling") {
        window = "rolling " + window;
      } else if (q["reset_rule"] == "pacific-midnight") {
        window += " (Pacific)";
      }
      table.add_row({q["provider"], q["account"], q["pool"], q["dimension"], window, number(q["used"].get<double>()),
                     q["limit"].is_number() ? number(q["limit"].get<double>()) : "?",
                     q["remaining"].is_number() ? number(q["remaining"].get<double>()) : "?",
                     q["fraction"].is_number() ? paint(ctx, colour, bar_text) : "", resets});
    }
    std::fputs(table.render(ctx).c_str(), stdout);
  }
  if (!doc["cooldowns"].empty()) {
    std::puts("");
    Table cools({"COOLING", "ACCOUNT", "KIND", "AVAILABLE AT", "WHY"});
    for (const auto& c : doc["cooldowns"]) {
      cools.add_row({c["pool"], c["account"], paint(ctx, "yellow", c["kind"]),
                     fmt::format("{} ({})", c["available_at"].get<std::string>(), until_text(c["available_at"], now)),
                     c["detail"].get<std::string>().substr(0, 80)});
    }
    std::fputs(cools.render(ctx).c_str(), stdout);
  }
  if (!doc["rotations"].empty()) {
    std::puts("");
    Table rots({"ROTATED AT", "WORKLOAD", "FROM", "TO", "REASON"});
    for (const auto& r : doc["rotations"]) {
      rots.add_row({r["at"], r["workload"], r["from"].is_string() ? r["from"].get<std::string>() : "-",
                    r["to"].is_string() ? r["to"].get<std::string>() : paint(ctx, "red", "none available"), r["reason"]});
    }
    std::fputs(rots.render(ctx).c_str(), stdout);
  }
}

// Prometheus text exposition format 0.0.4: HELP and TYPE once per metric, escaped label values.
std::string label(const std::string& value)
{
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string prometheus(const nlohmann::json& doc)
{
  std::ostringstream out;
  auto labels = [](const nlohmann::json& q) {
    return fmt::format("provider=\"{}\",account=\"{}\",pool=\"{}\",dimension=\"{}\",window=\"{}\"", label(q["provider"]),
                       label(q["account"]), label(q["pool"]), label(q["dimension"]), label(q["window"]));
  };
  auto seconds = [](const nlohmann::json& t) {
    return static_cast<double>(parse_rfc3339(t.get<std::string>()).value_or(0)) / 1000.0;
  };
  struct Metric {
    const char* name;
    const char* help;
    std::function<std::optional<double>(const nlohmann::json&)> value;
  };
  const std::vector<Metric> metrics = {
    {"helios_quota_used", "Usage recorded or reserved in the current window.",
     [](const nlohmann::json& q) { return std::optional<double>(q["used"].get<double>()); }},
    {"helios_quota_limit", "The free amount of the window.",
     [](const nlohmann::json& q) { return q["limit"].is_number() ? std::optional<double>(q["limit"].get<double>()) : std::nullopt; }},
    {"helios_quota_remaining", "What is left of the free amount in the current window.",
     [](const nlohmann::json& q) {
       return q["remaining"].is_number() ? std::optional<double>(q["remaining"].get<double>()) : std::nullopt;
     }},
    {"helios_quota_utilisation_ratio", "Used divided by the limit.",
     [](const nlohmann::json& q) { return q["fraction"].is_number() ? std::optional<double>(q["fraction"].get<double>()) : std::nullopt; }},
    {"helios_quota_reset_timestamp_seconds", "When the current window resets (Unix time).",
     [&](const nlohmann::json& q) { return q["resets_at"].is_string() ? std::optional<double>(seconds(q["resets_at"])) : std::nullopt; }},
  };
  for (const auto& metric : metrics) {
    out << "# HELP " << metric.name << ' ' << metric.help << '\n' << "# TYPE " << metric.name << " gauge\n";
    for (const auto& q : doc["quotas"]) {
      if (auto v = metric.value(q)) {
        out << metric.name << '{' << labels(q) << "} " << fmt::format("{}", *v) << '\n';
      }
    }
  }
  out << "# HELP helios_cooldown_until_timestamp_seconds When a cooling pool becomes available again (Unix time).\n"
      << "# TYPE helios_cooldown_until_timestamp_seconds gauge\n";
  for (const auto& c : doc["cooldowns"]) {
    out << fmt::format("helios_cooldown_until_timestamp_seconds{{provider=\"{}\",account=\"{}\",pool=\"{}\",kind=\"{}\"}} {}\n",
                       label(c["provider"]), label(c["account"]), label(c["pool"]), label(c["kind"]),
                       seconds(c["available_at"]));
  }
  return out.str();
}

void show(const Context& ctx, const QuotaOptions& opts, const std::string& action, nlohmann::json extra = nlohmann::json::object())
{
  auto ledger = value_or_throw(Ledger::open(ctx.state_path()));
  auto doc = value_or_throw(ledger->to_json(now_ms(), opts.rotations));
  doc["state"] = ctx.state_path();
  doc["action"] = action;
  for (auto& [k, v] : extra.items()) {
    doc[k] = v;
  }
  if (!ctx.json && opts.format == "json") {
    std::printf("%s\n", doc.dump(2).c_str());
    return;
  }
  if (!ctx.json && opts.format == "prometheus") {
    std::fputs(prometheus(doc).c_str(), stdout);
    return;
  }
  emit(ctx, doc, [&] { print_table(ctx, doc); });
}

std::string read_input(const std::string& path)
{
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::usage, "unreadable_file", fmt::format("cannot read '{}'", path), path,
                "give the path of a saved response (curl -si … > FILE), or - for stdin");
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void record(const Context& ctx, const QuotaOptions& opts)
{
  // Validate everything before touching the ledger: bad input writes nothing.
  std::vector<ReservationItem> items;
  for (std::size_t i = 0; i < opts.items.size(); ++i) {
    auto parsed = value_or_throw(parse_reservation(opts.items[i], fmt::format("argument {}", i + 1)));
    items.insert(items.end(), parsed.begin(), parsed.end());
  }
  std::optional<RawResponse> signal;
  if (!opts.signal_file.empty()) {
    signal = value_or_throw(parse_raw_response(read_input(opts.signal_file), opts.signal_file));
  }
  if (opts.reservation == 0 && opts.provider.empty()) {
    throw Error(ExitCode::usage, "missing_owner", "quota record needs --provider (or --reservation ID)", "",
                "example: helios quota record --provider groq tokens=812 requests=1");
  }
  if (items.empty() && !signal) {
    throw Error(ExitCode::usage, "nothing_to_record", "give DIMENSION=AMOUNT items or --signal FILE", "",
                "example: helios quota record --provider groq tokens=812");
  }
  auto ledger = value_or_throw(Ledger::open(ctx.state_path()));
  const EpochMs now = now_ms();
  QuotaOwner owner;
  if (opts.reservation != 0) {
    owner = value_or_throw(ledger->settle(opts.reservation, items, now));
    items.clear();
  } else {
    owner = value_or_throw(ledger->owner_for(opts.provider, opts.account, opts.pool));
  }
  value_or_throw(ledger->transaction([&]() -> Result<void> {
    for (const auto& item : items) {
      if (auto r = ledger->add_usage(owner, item.dimension, item.amount, now); !r) {
        return r;
      }
    }
    if (signal) {
      auto classified = ledger->apply_response(owner, *signal, now);
      if (!classified) {
        return tl::unexpected(classified.error());
      }
      log(ctx, fmt::format("signal: {} — {}", signal_kind_name(classified->kind), classified->reason));
    }
    return {};
  }));
  log(ctx, fmt::format("recorded for {} ({})", owner.pool, owner.account));
  show(ctx, opts, "record");
}

void refresh(const Context& ctx, const QuotaOptions& opts)
{
  auto ledger = value_or_throw(Ledger::open(ctx.state_path()));
  const EpochMs now = now_ms();
  nlohmann::json refreshed = nlohmann::json::array();
  auto members = value_or_throw(all_pool_members(*ledger));
  auto limits = value_or_throw(ledger->all_limits());
  // provider/account → the credential variable a pool member names.
  std::map<std::pair<std::string, std::string>, std::string> accounts;
  for (const auto& m : members) {
    accounts.emplace(std::make_pair(m.provider, m.account), m.credential_env);
  }
  for (const auto& l : limits) {
    accounts.emplace(std::make_pair(l.owner.provider, l.owner.account), std::string());
  }
  for (const auto& [key, env] : accounts) {
    const auto& [provider, account] = key;
    if (!opts.only_providers.empty() &&
        std::find(opts.only_providers.begin(), opts.only_providers.end(), provider) == opts.only_providers.end()) {
      continue;
    }
    nlohmann::json entry = {{"provider", provider}, {"account", account}, {"ok", false}};
    auto adapter = providers::make_provider(provider);
    if (!adapter) {
      entry["error"] = "no adapter reads this provider's usage";
      refreshed.push_back(entry);
      continue;
    }
    Credentials credentials;
    credentials.account = account;
    if (!env.empty()) {
      if (const char* v = std::getenv(env.c_str())) {
        credentials.token = v;
      }
    }
    auto readings = adapter->usage(credentials);
    if (!readings) {
      entry["error"] = readings.error().message;
      refreshed.push_back(entry);
      continue;
    }
    int count = 0;
    for (const auto& reading : *readings) {
      QuotaOwner owner{provider, account, provider};
      Window window{reading.period, default_reset(reading.period)};
      for (const auto& l : limits) {
        if (l.owner.provider == provider && l.owner.account == account && l.dimension == reading.dimension &&
            l.window.period == reading.period) {
          owner = l.owner;
          window = l.window;
          break;
        }
      }
      value_or_throw(ledger->set_usage(owner, reading.dimension, window, reading.used, now));
      ++count;
    }
    entry["ok"] = true;
    entry["readings"] = count;
    refreshed.push_back(entry);
    log(ctx, fmt::format("{} ({}): {} usage readings", provider, account, count));
  }
  show(ctx, opts, "refresh", {{"refreshed", refreshed}});
}

// Commits the ledger as it is now (ledger/snapshot.json) to the state repository, creating it beside the
// ledger when needed: the hot counters stay in SQLite, the history of snapshots is in git.
void sync(const Context& ctx, const QuotaOptions& opts)
{
  if (opts.message.find_first_of("\r\n") != std::string::npos) {
    throw Error(ExitCode::usage, "invalid_message", "-m must be one line", "-m", "give one line saying why, or omit -m");
  }
  if (!std::filesystem::exists(std::filesystem::path(ctx.state_path()) / "ledger.db")) {
    throw Error(ExitCode::usage, "no_ledger", fmt::format("there is no ledger in {} to snapshot", ctx.state_path()),
                ctx.state_path(), "pass --state with the directory `helios rotate` and `helios quota record` use");
  }
  const std::string commit = value_or_throw(commit_ledger_snapshot(ctx.state_path(), "quota sync", opts.message));
  log(ctx, fmt::format("ledger snapshot committed to {} ({})", ctx.state_path(), commit.substr(0, 12)));
  show(ctx, opts, "sync", {{"commit", commit}});
}

void setup_quota(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<QuotaOptions>();
  auto* cmd = app.add_subcommand("quota", "Usage against quota per provider, account, dimension and window (the ledger)");
  cmd->require_subcommand(0, 1);
  cmd->add_option("--format", opts->format, "table, json or prometheus (text exposition for a scrape or textfile)")
    ->check(CLI::IsMember({"table", "json", "prometheus"}));
  cmd->add_option("--rotations", opts->rotations, "How many recent rotations to list")->check(CLI::Range(0, 1000));
  cmd->footer("Example:\n  helios quota --state .helios\n  helios quota --format prometheus > /var/lib/node_exporter/helios.prom\n"
              "  helios quota record --provider groq tokens=812 requests=1");
  cmd->callback([&ctx, opts, cmd] {
    if (cmd->get_subcommands().empty()) {
      show(ctx, *opts, "show");
    }
  });

  auto* rec = cmd->add_subcommand("record", "Record usage an agent observed, or a provider response (--signal)");
  rec->add_option("--provider", opts->provider, "Provider the usage belongs to");
  rec->add_option("--account", opts->account, "Account (default: default)");
  rec->add_option("--pool", opts->pool, "Quota pool or offering id (default: the provider's only pool)");
  rec->add_option("--reservation", opts->reservation, "Settle a reservation from `helios rotate` with the actual amounts");
  rec->add_option("--signal", opts->signal_file, "A saved raw response (curl -si) to classify: cooldown and rate-limit headers");
  rec->add_option("items", opts->items, "DIMENSION=AMOUNT, e.g. tokens=812 requests=1");
  rec->footer("Example:\n  helios quota record --reservation 42 tokens=812\n  helios quota record --provider groq --signal resp.txt");
  rec->callback([&ctx, opts] { record(ctx, *opts); });

  auto* ref = cmd->add_subcommand("refresh", "Read each provider's usage API through its adapter into the ledger");
  ref->add_option("--provider", opts->only_providers, "Only these providers (repeatable)")->allow_extra_args(false);
  ref->footer("Example:\n  helios quota refresh --provider openrouter");
  ref->callback([&ctx, opts] { refresh(ctx, *opts); });

  auto* syn = cmd->add_subcommand("sync", "Commit a snapshot of the ledger (ledger/snapshot.json) to the state repository");
  syn->add_option("-m,--message", opts->message, "A line saying why, kept in the commit's body");
  syn->footer("Example:\n  helios quota sync -m \"before the nightly batch\"");
  syn->callback([&ctx, opts] { sync(ctx, *opts); });
}

}  // namespace

HELIOS_COMMAND("quota", 70, setup_quota);

}  // namespace helios::cli
