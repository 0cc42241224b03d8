#include "core/ledger_snapshot.hpp"

#include <filesystem>

#include "core/ledger.hpp"
#include "core/state/repository.hpp"

namespace helios {

Result<nlohmann::json> ledger_snapshot(const std::string& state_dir, int rotations)
{
  if (!std::filesystem::exists(std::filesystem::path(state_dir) / "ledger.db")) {
    return nlohmann::json(nullptr);
  }
  auto ledger = Ledger::open(state_dir);
  if (!ledger) {
    return tl::unexpected(ledger.error());
  }
  return (*ledger)->to_json(now_ms(), rotations);
}

Result<std::string> commit_ledger_snapshot(const std::string& state_dir, const std::string& command, const std::string& message)
{
  auto ledger = Ledger::open(state_dir);
  if (!ledger) {
    return tl::unexpected(ledger.error());
  }
  auto doc = (*ledger)->to_json(now_ms(), 100);
  if (!doc) {
    return tl::unexpected(doc.error());
  }
  auto repo = state::Repository::open(state_dir, state::Repository::OpenMode::create);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  state::CommitInfo info;
  info.command = command;
  info.summary = command + ": ledger snapshot";
  info.body = message;
  const std::string text = doc->dump(2) + "\n";
  return (*repo)->commit_retrying(
    [&](const state::Snapshot&) -> Result<std::vector<state::Change>> {
      return std::vector<state::Change>{{k_ledger_snapshot_path, text}};
    },
    info);
}

}  // namespace helios
