// helios validate -f FILE: loads a manifest with every check (YAML safety, schema, units, references)
// and prints its workloads and warnings. Invalid input: exit 2 with file:line:column and a hint.

#include <algorithm>
#include <string>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/suggest.hpp"
#include "providers/builtin_catalog.hpp"

namespace helios::cli {

namespace {

std::string needs_text(const Workload& workload)
{
  std::string out;
  for (const auto& need : workload.needs) {
    const UnitKind kind = dimension_unit(need.dimension).value_or(UnitKind::count);
    if (!out.empty()) {
      out += ", ";
    }
    out += fmt::format("{} {}", need.dimension, format_amount(need.amount, kind));
  }
  return out.empty() ? std::string("-") : out;
}

// Names the catalog does not know are valid syntax but place nothing: warnings, with did-you-mean (a
// user catalog given to a later command may add them, so they are not errors).
void check_against_catalog(const Catalog& catalog, Stack& stack)
{
  const std::vector<std::string> providers = catalog.providers();
  const auto known = [&](const std::string& name) {
    return std::find(providers.begin(), providers.end(), name) != providers.end();
  };
  const auto check_provider = [&](const std::string& name, const SourceLocation& where, const std::string& what) {
    if (!known(name)) {
      const auto match = closest_match(name, providers);
      stack.warnings.push_back(
        {fmt::format("{}: no provider named '{}' in the catalog{}", what, name,
                     match ? fmt::format("; did you mean '{}'?", *match)
                           : std::string("; `helios catalog list` shows the providers")),
         where});
    }
  };
  for (const auto& name : stack.providers_allow) {
    check_provider(name, stack.where, "spec.providers.allow");
  }
  for (const auto& name : stack.providers_deny) {
    check_provider(name, stack.where, "spec.providers.deny");
  }
  for (const auto& account : stack.accounts) {
    check_provider(account.provider, account.where, "spec.accounts");
  }
  std::vector<std::string> models;
  for (const auto& offering : catalog.offerings()) {
    if (offering.kind == WorkloadKind::ai) {
      models.push_back(offering.product);
      models.insert(models.end(), offering.model_aliases.begin(), offering.model_aliases.end());
    }
  }
  for (const auto& workload : stack.workloads) {
    for (const auto& name : workload.providers_allow) {
      check_provider(name, workload.where, workload.name + ".providers.allow");
    }
    for (const auto& name : workload.providers_deny) {
      check_provider(name, workload.where, workload.name + ".providers.deny");
    }
    for (const auto& model : workload.models) {
      const bool served = std::any_of(catalog.offerings().begin(), catalog.offerings().end(),
                                      [&](const Offering& o) { return o.serves_model(model); });
      if (!served) {
        const auto match = closest_match(model, models);
        stack.warnings.push_back(
          {fmt::format("{}.models: no offering in the catalog serves '{}'{}", workload.name, model,
                       match ? fmt::format("; did you mean '{}'?", *match) : std::string()),
           workload.where});
      }
    }
  }
}

void run_validate(Context& ctx, const std::string& positional)
{
  if (!positional.empty() && !ctx.manifest.empty() && positional != ctx.manifest) {
    throw Error(ExitCode::usage, "usage", "two manifests given (-f and an argument)", "",
                "pass one: helios validate -f FILE");
  }
  const std::string path = positional.empty() ? ctx.manifest_path() : positional;
  Stack stack = value_or_throw(load_manifest(path));
  check_against_catalog(value_or_throw(providers::effective_catalog(ctx.catalog_paths())), stack);

  nlohmann::json workloads = nlohmann::json::array();
  for (const auto& w : stack.workloads) {
    nlohmann::json needs = nlohmann::json::object();
    for (const auto& need : w.needs) {
      const UnitKind kind = dimension_unit(need.dimension).value_or(UnitKind::count);
      needs[need.dimension] = format_amount(need.amount, kind);
    }
    workloads.push_back({{"name", w.name},
                         {"kind", std::string(workload_kind_name(w.kind))},
                         {"replicas", w.replicas},
                         {"needs", needs},
                         {"where", w.where.to_string()}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& warning : stack.warnings) {
    warnings.push_back({{"message", warning.message}, {"where", warning.where.to_string()}});
  }
  const nlohmann::json doc = {{"valid", true},       {"file", path},           {"stack", stack.name},
                              {"digest", stack.digest}, {"workloads", workloads}, {"warnings", warnings}};
  emit(ctx, doc, [&] {
    for (const auto& warning : stack.warnings) {
      std::fprintf(stderr, "%s: %s %s\n", warning.where.to_string().c_str(),
                   paint(ctx, "yellow", "warning:").c_str(), warning.message.c_str());
    }
    std::printf("%s: %s: stack '%s', %zu workload%s\n", path.c_str(), paint(ctx, "green", "valid").c_str(),
                stack.name.c_str(), stack.workloads.size(), stack.workloads.size() == 1 ? "" : "s");
    Table table({"WORKLOAD", "KIND", "REPLICAS", "NEEDS"}, {false, false, true, false});
    for (const auto& w : stack.workloads) {
      table.add_row({w.name, std::string(workload_kind_name(w.kind)), std::to_string(w.replicas), needs_text(w)});
    }
    std::fputs(table.render(ctx).c_str(), stdout);
  });
}

void setup_validate(CLI::App& app, Context& ctx)
{
  auto positional = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("validate", "Check a manifest: YAML, fields, units and references");
  cmd->add_option("manifest", *positional, "The manifest (same as -f; default: helios.yaml)");
  cmd->footer("Exit codes: 0 valid, 2 invalid (the message names file:line:column and a hint).\n"
              "Example:\n  helios validate -f examples/hobby.yaml --json");
  cmd->callback([&ctx, positional] { run_validate(ctx, *positional); });
}

}  // namespace

HELIOS_COMMAND("validate", 15, setup_validate);

}  // namespace helios::cli
