#pragma once
// Agent checkpoints (docs/checkpoint.md): an agent's saved progress on a task — opaque bytes plus metadata
// (step, provider in use, a ledger snapshot, free key/values) — stored in the state repository as git
// blobs (identical content is stored once), one commit per save. Layout on branch main:
//   checkpoints/<agent>/<task>/<id>/checkpoint.state       the bytes
//   checkpoints/<agent>/<task>/<id>/checkpoint.meta.json   the metadata, with `parent`: the task's previous id
// Ids sort by creation time ("20261126T013000123Z-1a2b3c"). Saves go through the repository's
// compare-and-swap commit with retries, so concurrent saves of different tasks all land; a save killed
// midway never moves main, so the previous checkpoint stays intact.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace helios {

struct CheckpointMeta {
  std::string id;
  std::string agent;
  std::string task;
  long long step = 0;
  std::string parent;                          // the task's previous checkpoint id, empty for the first
  std::string created_at;                      // RFC 3339 UTC
  long long size = 0;                          // bytes of data
  std::string blob;                            // git blob id of the data (equal ids: equal content)
  std::string sha256;                          // of the data
  std::string provider;                        // provider/offering in use ($HELIOS_OFFERING, $HELIOS_PROVIDER, --meta provider=)
  std::map<std::string, std::string> meta;     // --meta k=v
  nlohmann::json ledger = nullptr;             // the ledger snapshot at save time (quotas and cooldowns)
  std::string commit;                          // the state commit that added it (filled when read from history)
};

struct CheckpointSave {
  std::string agent;
  std::string task;
  std::optional<long long> step;               // default: previous step + 1 (0 for the first)
  std::map<std::string, std::string> meta;
  std::string provider;
  std::string data;
  nlohmann::json ledger = nullptr;
};

// Validates agent/task names: 1–100 of [A-Za-z0-9._-], not starting with '.'. Exit 2 otherwise.
Result<void> validate_checkpoint_name(const std::string& what, const std::string& value);

class CheckpointStore {
public:
  explicit CheckpointStore(std::string state_dir) : m_dir(std::move(state_dir)) {}

  Result<CheckpointMeta> save(const CheckpointSave& request);
  // The checkpoint with this id (or unique prefix), or the latest of agent/task when id is empty.
  Result<CheckpointMeta> find(const std::string& id, const std::string& agent = {}, const std::string& task = {}) const;
  Result<std::string> data(const CheckpointMeta& meta) const;
  // Newest first; filters are optional.
  Result<std::vector<CheckpointMeta>> list(const std::string& agent = {}, const std::string& task = {}) const;
  // Keeps the newest `keep` checkpoints of every task (matching the filters); returns the removed ids.
  Result<std::vector<std::string>> prune(int keep, const std::string& agent = {}, const std::string& task = {});

private:
  std::string m_dir;
};

nlohmann::json to_json(const CheckpointMeta& meta);
Result<CheckpointMeta> checkpoint_meta_from_json(const nlohmann::json& doc);

}  // namespace helios
