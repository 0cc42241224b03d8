#include "cli/native_host_source.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/child_process.hpp"

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

bool CommandSource::has_command(const std::string& name)
{
  for (const auto& command : command_table()) {
    if (name == command.name) {
      return true;
    }
  }
  return false;
}

json CommandSource::describe()
{
  auto source_of = [](const char* command, const char* args) -> std::string {
    return has_command(command) ? fmt::format("helios {} {}", command, args) : std::string("seam");
  };
  return {{"host", native_host::k_host_name},
          {"version", HELIOS_VERSION},
          {"state", m_state_dir},
          {"origin", m_origin},
          {"host_manifest", m_host_manifest},
          {"requests", {"hello", "status", "quota", "rotations", "checkpoints", "catalog"}},
          {"sources",
           {{"status", source_of("state", "show --json")},
            {"quota", source_of("quota", "--json")},
            {"rotations", source_of("quota", "--json (.rotations)")},
            {"checkpoints", source_of("checkpoint", "list --json")},
            {"catalog", has_command("catalog") ? "helios catalog list --provider P --json" : "unavailable"}}}};
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

Result<json> CommandSource::seam(const std::string& name)
{
  const fs::path path = fs::path(m_state_dir) / "companion-seam" / (name + ".json");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ExitCode::runtime, "no_data", fmt::format("no {} recorded in the state directory yet", name),
                m_state_dir, "this build has no source for it yet (docs/extension.md, Sources)");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::runtime, "source_failed", "the recorded data is not valid JSON", path.string());
  }
  return doc;
}

Result<json> CommandSource::stacks()
{
  if (has_command("state")) {
    return run_json({"state", "show"});
  }
  return seam("status");
}

Result<json> CommandSource::quota()
{
  return quota_document(10);
}

Result<json> CommandSource::quota_document(int rotations)
{
  if (!has_command("quota")) {
    return seam("quota");
  }
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
  auto doc = has_command("checkpoint") ? run_json({"checkpoint", "list"}) : seam("checkpoints");
  if (!doc) {
    return doc;
  }
  return list_of(*doc, "checkpoints");
}

Result<json> CommandSource::catalog(const std::string& provider)
{
  if (!has_command("catalog")) {
    return fail(ExitCode::runtime, "source_unavailable", "this build of helios has no catalog command");
  }
  auto doc = run_json({"catalog", "list", "--provider", provider}, false);
  if (!doc) {
    return doc;
  }
  return json{{"provider", provider}, {"offerings", list_of(*doc, "offerings")}};
}

}  // namespace helios::cli
