#include "cli/native_host_source.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/child_process.hpp"
#include "core/state/repository.hpp"

namespace helios::cli {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int k_child_timeout_ms = 15000;

// The list inside a command's document: the document itself when it is an array, else doc[key].
json list_of(const json& doc, const char* key)
{
  if (doc.is_array()) {
    return doc;
  }
  if (doc.is_object() && doc.contains(key) && doc[key].is_array()) {
    return doc[key];
  }
  return json::array();
}

}  // namespace

CommandSource::CommandSource(std::string helios, std::string state_dir, std::string host_manifest, std::string origin)
  : m_helios(std::move(helios)), m_state_dir(std::move(state_dir)), m_host_manifest(std::move(host_manifest)),
    m_origin(std::move(origin))
{
}

json CommandSource::describe()
{
  return {{"host", native_host::k_host_name},
          {"version", HELIOS_VERSION},
          {"state", m_state_dir},
          {"origin", m_origin},
          {"host_manifest", m_host_manifest},
          {"requests", {"hello", "status", "quota", "rotations", "checkpoints", "catalog"}},
          {"sources",
           {{"status", "helios state show --json"},
            {"quota", "helios quota --json"},
            {"rotations", "helios quota --json (.rotations)"},
            {"checkpoints", "helios checkpoint list --json"},
            {"catalog", "helios catalog list --provider P --json"}}}};
}

bool CommandSource::has_state() const
{
  return state::Repository::exists(m_state_dir);
}

Result<json> CommandSource::run_json(const std::vector<std::string>& args, bool with_state)
{
  std::vector<std::string> argv = {m_helios, "--json"};
  if (with_state) {
    argv.insert(argv.end(), {"--state", m_state_dir});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = run_child(argv, k_child_timeout_ms);
  if (!child) {
    return tl::unexpected(child.error());
  }
  json doc = json::parse(child->out, nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::runtime, "source_failed",
                fmt::format("`helios {}` printed no JSON (exit {})", fmt::join(args, " "), child->exit_code), "",
                child->err.substr(0, 400));
  }
  if (child->exit_code != 0) {
    // The command's own error object, passed on as it is.
    if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
      const json& e = doc["error"];
      return fail(ExitCode::runtime, e.value("code", "source_failed"), e.value("message", ""), e.value("where", ""),
                  e.value("hint", ""));
    }
    return fail(ExitCode::runtime, "source_failed",
                fmt::format("`helios {}` exited {}", fmt::join(args, " "), child->exit_code));
  }
  return doc;
}

// `helios state show --json` keys stacks and resources by name; the companion lists them:
// {"stacks": [{"name", "status", "workloads": [{"name", "kind", "offering", "provider", "region", "status"}]}]}.
static json stacks_for_companion(const json& shown)
{
  json stacks = json::array();
  const json empty = json::object();
  const json& by_name = shown.contains("stacks") && shown["stacks"].is_object() ? shown["stacks"] : empty;
  for (const auto& [name, stack] : by_name.items()) {
    json workloads = json::array();
    bool all_ready = true;
    const json& resources = stack.contains("resources") && stack["resources"].is_object() ? stack["resources"] : empty;
    for (const auto& [address, record] : resources.items()) {
      const std::string status = record.value("status", "");
      all_ready = all_ready && status == "ready";
      workloads.push_back({{"name", address},
                           {"kind", record.value("kind", "")},
                           {"offering", record.value("offering", "")},
                           {"provider", record.value("provider", "")},
                           {"region", record.value("region", "")},
                           {"status", status}});
    }
    stacks.push_back({{"name", name}, {"status", all_ready ? "applied" : "incomplete"}, {"workloads", workloads}});
  }
  return {{"stacks", stacks}};
}

Result<json> CommandSource::stacks()
{
  if (!has_state()) {
    return json{{"stacks", json::array()}};
  }
  auto shown = run_json({"state", "show"});
  if (!shown) {
    return shown;
  }
  return stacks_for_companion(*shown);
}

Result<json> CommandSource::quota()
{
  return quota_document(10);
}

Result<json> CommandSource::quota_document(int rotations)
{
  // `helios quota` opens the ledger, creating <state>/ledger.db (core/ledger.hpp) when it is absent; the
  // host must change nothing, so with no ledger yet it answers the empty document itself.
  std::error_code ec;
  if (!fs::exists(fs::path(m_state_dir) / "ledger.db", ec)) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return json{{"generated_at", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now)},
                {"state", m_state_dir},
                {"action", "show"},
                {"quotas", json::array()},
                {"cooldowns", json::array()},
                {"rotations", json::array()}};
  }
  return run_json({"quota", "--rotations", std::to_string(rotations)});
}

Result<json> CommandSource::rotations(int limit)
{
  auto doc = quota_document(limit);
  if (!doc) {
    return doc;
  }
  return list_of(*doc, "rotations");
}

Result<json> CommandSource::checkpoints(int /*limit*/)
{
  if (!has_state()) {
    return json::array();
  }
  auto doc = run_json({"checkpoint", "list"});
  if (!doc) {
    return doc;
  }
  return list_of(*doc, "checkpoints");
}

Result<json> CommandSource::catalog(const std::string& provider)
{
  auto doc = run_json({"catalog", "list", "--provider", provider}, false);
  if (!doc) {
    return doc;
  }
  return json{{"provider", provider}, {"offerings", list_of(*doc, "offerings")}};
}

}  // namespace helios::cli
