// helios catalog list | show | check: the offerings helios knows (built in, plus user catalogs from
// --catalog and HELIOS_CATALOG_PATH), their free quotas with source, as-of date and confidence, and the
// validation of a user catalog file.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/catalog.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {

namespace {

struct CatalogOptions {
  std::string kind;
  std::string provider;
  std::string id;
  std::string file;
};

Catalog load(const Context& ctx)
{
  return value_or_throw(providers::effective_catalog(ctx.catalog_paths()));
}

// "builtin", or the user catalog file an offering came from.
std::string origin(const Offering& o)
{
  const Offering* builtin = providers::builtin_catalog().find(o.id);
  if (builtin != nullptr && builtin->where.to_string() == o.where.to_string()) {
    return "builtin";
  }
  return o.where.file;
}

std::string quota_text(const FreeQuota& q)
{
  const std::string amount = format_amount(q.amount, quota_unit(q.dimension));
  return fmt::format("{} {}", q.dimension, amount);
}

std::string main_quotas(const Offering& o, std::size_t max = 3)
{
  std::vector<std::string> parts;
  for (const auto& q : o.free) {
    if (parts.size() == max) {
      parts.push_back("…");
      break;
    }
    parts.push_back(quota_text(q));
  }
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string overage_text(const Offering& o)
{
  if (o.hard_cap) {
    return "hard cap";
  }
  if (o.overage.empty()) {
    return "none";
  }
  const auto& p = o.overage.front();
  std::string text = fmt::format("${} per {} {}", p.usd, format_quantity(p.per, quota_unit(p.dimension)), p.dimension);
  if (o.overage.size() > 1) {
    text += fmt::format(" (+{})", o.overage.size() - 1);
  }
  return text;
}

std::string join(const std::vector<std::string>& items)
{
  return items.empty() ? "-" : fmt::format("{}", fmt::join(items, ","));
}

nlohmann::json offering_json(const Offering& o)
{
  nlohmann::json doc = to_json(o);
  doc["origin"] = origin(o);
  return doc;
}

void run_list(const Context& ctx, const CatalogOptions& opts)
{
  const Catalog catalog = load(ctx);
  if (!opts.kind.empty() && !parse_workload_kind(opts.kind)) {
    const std::vector<std::string> kinds = {"compute", "hosting", "database", "storage", "ai"};
    throw Error(ExitCode::usage, "usage", fmt::format("--kind '{}' is not compute, hosting, database, storage or ai", opts.kind),
                "--kind", "write --kind ai (or compute, hosting, database, storage)");
  }
  if (!opts.provider.empty()) {
    const auto names = catalog.providers();
    if (std::find(names.begin(), names.end(), opts.provider) == names.end()) {
      throw Error(ExitCode::usage, "usage", fmt::format("no provider named '{}' in the catalog", opts.provider), "--provider",
                  fmt::format("providers: {}", fmt::join(names, ", ")));
    }
  }
  std::vector<const Offering*> selected;
  for (const auto& o : catalog.offerings()) {
    if (!opts.kind.empty() && workload_kind_name(o.kind) != opts.kind) {
      continue;
    }
    if (!opts.provider.empty() && o.provider != opts.provider) {
      continue;
    }
    selected.push_back(&o);
  }
  nlohmann::json doc;
  nlohmann::json list = nlohmann::json::array();
  for (const auto* o : selected) {
    list.push_back(offering_json(*o));
  }
  doc["offerings"] = std::move(list);
  doc["count"] = selected.size();
  doc["providers"] = catalog.providers().size();
  doc["user_catalogs"] = ctx.catalog_paths();
  emit(ctx, doc, [&] {
    Table table({"ID", "KIND", "REGIONS", "FREE", "OVERAGE", "CONFIDENCE"});
    for (const auto* o : selected) {
      table.add_row({o->id, std::string(workload_kind_name(o->kind)), join(o->regions), main_quotas(*o),
                     overage_text(*o), std::string(confidence_name(o->provenance.confidence))});
    }
    std::fputs(table.render(ctx).c_str(), stdout);
    std::printf("%zu offering%s\n", selected.size(), selected.size() == 1 ? "" : "s");
  });
}

void run_show(const Context& ctx, const CatalogOptions& opts)
{
  const Catalog catalog = load(ctx);
  const Offering* o = catalog.find(opts.id);
  if (o == nullptr) {
    // Suggest ids that contain the text, or the offerings of a provider named like it.
    std::vector<std::string> close;
    for (const auto& x : catalog.offerings()) {
      if (x.id.find(opts.id) != std::string::npos || x.provider == opts.id) {
        close.push_back(x.id);
      }
    }
    std::string hint = close.empty() ? "run `helios catalog list` for every id"
                                     : fmt::format("did you mean {}?", fmt::join(close.size() > 5 ? std::vector<std::string>(close.begin(), close.begin() + 5) : close, ", "));
    throw Error(ExitCode::usage, "unknown_offering", fmt::format("no offering '{}' in the catalog", opts.id), "", hint);
  }
  nlohmann::json doc = {{"offering", offering_json(*o)}};
  emit(ctx, doc, [&] {
    std::printf("%s\n", paint(ctx, "bold", o->id).c_str());
    auto line = [](const char* key, const std::string& value) {
      if (!value.empty()) {
        std::printf("  %-19s %s\n", key, value.c_str());
      }
    };
    line("provider", o->provider);
    line("product", o->product);
    line("kind", std::string(workload_kind_name(o->kind)));
    line("regions", join(o->regions));
    line("api", o->api);
    line("model", o->model);
    line("base_url", o->base_url);
    line("credential_env", o->credential_env);
    line("engines", o->engines.empty() ? "" : join(o->engines));
    line("group", o->group);
    line("free_instances", o->free_instances > 0 ? std::to_string(o->free_instances) : "no limit");
    line("idle_sleep_minutes", o->idle_sleep_minutes > 0 ? std::to_string(o->idle_sleep_minutes) : "never");
    line("overage", overage_text(*o));
    line("source", o->provenance.source);
    line("as_of", o->provenance.as_of);
    line("confidence", std::string(confidence_name(o->provenance.confidence)));
    line("defined at", origin(*o) == "builtin" ? o->where.to_string() + " (built in)" : o->where.to_string());
    line("notes", o->notes);
    std::printf("\nFree quotas\n");
    Table quotas({"DIMENSION", "AMOUNT", "SCOPE", "RESET", "POOL", "AS OF", "CONFIDENCE", "SOURCE"});
    for (const auto& q : o->free) {
      std::string amount = format_amount(q.amount, quota_unit(q.dimension));
      if (q.measured) {
        amount += " (this machine)";
      }
      quotas.add_row({q.dimension, amount, std::string(scope_name(q.scope)), q.reset.empty() ? "-" : q.reset,
                      q.pool.empty() ? "-" : q.pool, q.provenance.as_of, std::string(confidence_name(q.provenance.confidence)),
                      q.provenance.source});
    }
    std::fputs(quotas.empty() ? "  none\n" : quotas.render(ctx).c_str(), stdout);
    for (const auto& q : o->free) {
      if (!q.provenance.note.empty()) {
        std::printf("  note (%s): %s\n", quota_text(q).c_str(), q.provenance.note.c_str());
      }
    }
    if (!o->limits.empty()) {
      std::printf("\nPer-instance limits\n");
      Table limits({"DIMENSION", "MAX", "AS OF", "CONFIDENCE", "SOURCE"});
      for (const auto& l : o->limits) {
        limits.add_row({l.dimension, format_quantity(l.max, quota_unit(l.dimension)) + (l.measured ? " (this machine)" : ""),
                        l.provenance.as_of, std::string(confidence_name(l.provenance.confidence)), l.provenance.source});
      }
      std::fputs(limits.render(ctx).c_str(), stdout);
    }
    if (!o->overage.empty()) {
      std::printf("\nOverage prices\n");
      Table prices({"DIMENSION", "PRICE", "AS OF", "CONFIDENCE", "SOURCE"});
      for (const auto& p : o->overage) {
        prices.add_row({p.dimension,
                        fmt::format("${} per {}/{}", p.usd, format_quantity(p.per, quota_unit(p.dimension)), period_name(p.period)),
                        p.provenance.as_of, std::string(confidence_name(p.provenance.confidence)), p.provenance.source});
      }
      std::fputs(prices.render(ctx).c_str(), stdout);
      for (const auto& p : o->overage) {
        if (!p.provenance.note.empty()) {
          std::printf("  note (%s): %s\n", p.dimension.c_str(), p.provenance.note.c_str());
        }
      }
    }
  });
}

void run_check(Context& ctx, const CatalogOptions& opts)
{
  auto offerings = load_catalog_file(opts.file);
  if (!offerings) {
    const ErrorInfo& info = offerings.error();
    if (ctx.json || !info.details.contains("errors")) {
      throw Error(info);
    }
    for (const auto& e : info.details["errors"]) {
      std::string text = fmt::format("helios: error: {}: {}", e.value("where", ""), e.value("message", ""));
      if (!e.value("hint", "").empty()) {
        text += fmt::format("\n  hint: {}", e.value("hint", ""));
      }
      std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fprintf(stderr, "%zu problem%s in %s\n", info.details["errors"].size(),
                 info.details["errors"].size() == 1 ? "" : "s", opts.file.c_str());
    ctx.exit_code = static_cast<int>(ExitCode::usage);
    return;
  }
  nlohmann::json ids = nlohmann::json::array();
  nlohmann::json overrides = nlohmann::json::array();
  for (const auto& o : *offerings) {
    ids.push_back(o.id);
    if (providers::builtin_catalog().find(o.id) != nullptr) {
      overrides.push_back(o.id);
    }
  }
  nlohmann::json doc = {{"file", opts.file}, {"valid", true}, {"count", offerings->size()}, {"offerings", ids},
                        {"overrides", overrides}};
  emit(ctx, doc, [&] {
    std::printf("%s: valid, %zu offering%s", opts.file.c_str(), offerings->size(), offerings->size() == 1 ? "" : "s");
    if (!overrides.empty()) {
      std::printf(" (%zu override%s a built-in one: %s)", overrides.size(), overrides.size() == 1 ? "s" : "",
                  fmt::format("{}", fmt::join(overrides.get<std::vector<std::string>>(), ", ")).c_str());
    }
    std::printf("\n");
  });
}

void setup_catalog(CLI::App& app, Context& ctx)
{
  static CatalogOptions opts;
  auto* cmd = app.add_subcommand("catalog", "List and show offerings and their free quotas; validate a user catalog");
  cmd->require_subcommand(1);
  cmd->footer("Example:\n  helios catalog list --kind ai\n  helios catalog show groq/llama-3.3-70b\n"
              "  helios catalog check my-catalog.yaml\n"
              "User catalogs (--catalog FILE, HELIOS_CATALOG_PATH=a.yaml:b.yaml) add or override offerings by id.");

  auto* list = cmd->add_subcommand("list", "List offerings: id, kind, regions, main free quotas, overage, confidence");
  list->add_option("--kind", opts.kind, "Only this kind: compute, hosting, database, storage or ai");
  list->add_option("--provider", opts.provider, "Only this provider");
  list->footer("Example:\n  helios catalog list --provider cloudflare --json");
  list->callback([&ctx] { run_list(ctx, opts); });

  auto* show = cmd->add_subcommand("show", "Show one offering: every quota with its source, as-of date and confidence");
  show->add_option("id", opts.id, "Offering id (provider/product)")->required();
  show->footer("Example:\n  helios catalog show cloudflare/workers");
  show->callback([&ctx] { run_show(ctx, opts); });

  auto* check = cmd->add_subcommand("check", "Validate a user catalog file (apiVersion: helios/v1, kind: Catalog)");
  check->add_option("file", opts.file, "The catalog file")->required();
  check->footer("Example:\n  helios catalog check my-catalog.yaml --json");
  check->callback([&ctx] { run_check(ctx, opts); });
}

}  // namespace

HELIOS_COMMAND("catalog", 20, setup_catalog);

}  // namespace helios::cli
