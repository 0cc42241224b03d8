#include "core/checkpoint.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include <fmt/format.h>

#include "core/ledger_time.hpp"
#include "core/state/repository.hpp"

namespace helios {

namespace {

constexpr const char* k_root = "checkpoints";

std::string task_dir(const std::string& agent, const std::string& task)
{
  return fmt::format("{}/{}/{}", k_root, agent, task);
}

std::string make_id(EpochMs now)
{
  const CivilDate d = civil_from_days(now / 86'400'000);
  const EpochMs ms = now % 86'400'000;
  std::random_device rd;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}{:03}Z-{:06x}", d.year, d.month, d.day, ms / 3'600'000,
                     (ms / 60'000) % 60, (ms / 1000) % 60, ms % 1000, rd() & 0xffffffu);
}

std::string blob_id(const std::string& data)
{
  git_oid oid;
  git_odb_hash(&oid, data.data(), data.size(), GIT_OBJECT_BLOB);
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

// Objects this process writes go through a loose backend at Z_BEST_SPEED, ahead of the default one
// (zlib's default level costs 2-3x more on a 1 MB state; git reads either the same way and `git gc`
// recompresses when it packs).
void fast_object_writes(state::Repository& repo)
{
  std::lock_guard lock(repo.mutex());
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo.raw()) != 0) {
    return;
  }
  git_odb_backend* fast = nullptr;
  const std::string objects = (std::filesystem::path(repo.path()) / "objects").string();
  if (git_odb_backend_loose(&fast, objects.c_str(), 1 /* Z_BEST_SPEED */, 0, 0, 0) == 0) {
    if (git_odb_add_backend(odb, fast, 100) != 0) {
      fast->free(fast);
    }
  }
  git_odb_free(odb);
}

Result<std::shared_ptr<state::Repository>> open_repo(const std::string& dir, bool create)
{
  if (!create && !state::Repository::exists(dir)) {
    return fail(ExitCode::usage, "no_state", fmt::format("no state repository in {}", dir), dir,
                "save a checkpoint first (`helios checkpoint save …`) or pass --state DIR");
  }
  return state::Repository::open(dir, create ? state::Repository::OpenMode::create : state::Repository::OpenMode::existing);
}

Result<CheckpointMeta> read_meta(const state::Snapshot& snap, const std::string& dir, const std::string& id)
{
  auto text = snap.read(dir + "/" + id + "/meta.json");
  if (!text) {
    return tl::unexpected(text.error());
  }
  if (!*text) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint {} has no meta.json", id), dir);
  }
  const auto doc = nlohmann::json::parse(**text, nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint {}: meta.json is not JSON", id), dir);
  }
  return checkpoint_meta_from_json(doc);
}

// (agent, task) pairs under checkpoints/, filtered.
Result<std::vector<std::pair<std::string, std::string>>> tasks(const state::Snapshot& snap, const std::string& agent,
                                                               const std::string& task)
{
  std::vector<std::pair<std::string, std::string>> out;
  auto agents = snap.list(k_root);
  if (!agents) {
    return tl::unexpected(agents.error());
  }
  for (const auto& a : *agents) {
    if (!agent.empty() && a != agent) {
      continue;
    }
    auto ts = snap.list(std::string(k_root) + "/" + a);
    if (!ts) {
      return tl::unexpected(ts.error());
    }
    for (const auto& t : *ts) {
      if (task.empty() || t == task) {
        out.emplace_back(a, t);
      }
    }
  }
  return out;
}

}  // namespace

Result<void> validate_checkpoint_name(const std::string& what, const std::string& value)
{
  const bool ok = !value.empty() && value.size() <= 100 && value.front() != '.' &&
                  std::all_of(value.begin(), value.end(), [](unsigned char c) {
                    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return fail(ExitCode::usage, "invalid_name", fmt::format("{} '{}' is not a valid name", what, value), "--" + what,
                "use 1 to 100 letters, digits, '.', '_' or '-' (not starting with '.')");
  }
  return {};
}

Result<CheckpointMeta> CheckpointStore::save(const CheckpointSave& request)
{
  if (auto r = validate_checkpoint_name("agent", request.agent); !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = validate_checkpoint_name("task", request.task); !r) {
    return tl::unexpected(r.error());
  }
  auto repo = open_repo(m_dir, true);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  const EpochMs now = now_ms();
  CheckpointMeta meta;
  meta.id = make_id(now);
  meta.agent = request.agent;
  meta.task = request.task;
  meta.created_at = format_rfc3339(now);
  meta.size = static_cast<long long>(request.data.size());
  meta.blob = blob_id(request.data);
  meta.provider = request.provider;
  meta.meta = request.meta;
  meta.ledger = request.ledger;
  const std::string dir = task_dir(request.agent, request.task);
  fast_object_writes(**repo);

  state::CommitInfo info;
  info.command = "checkpoint save";
  info.trailers = {{"Helios-Checkpoint", meta.id}, {"Helios-Agent", request.agent}, {"Helios-Task", request.task}};
  auto commit = (*repo)->commit_retrying(
    [&](const state::Snapshot& snap) -> Result<std::vector<state::Change>> {
      // Re-read on every attempt: a concurrent save of the same task may have moved the chain.
      auto ids = snap.list(dir);
      if (!ids) {
        return tl::unexpected(ids.error());
      }
      meta.parent.clear();
      meta.step = request.step.value_or(0);
      if (!ids->empty()) {
        meta.parent = ids->back();
        if (!request.step) {
          auto previous = read_meta(snap, dir, meta.parent);
          if (!previous) {
            return tl::unexpected(previous.error());
          }
          meta.step = previous->step + 1;
        }
      }
      info.summary = fmt::format("checkpoint save: {}/{} step {}", request.agent, request.task, meta.step);
      std::vector<state::Change> changes;
      changes.push_back({dir + "/" + meta.id + "/data", request.data});
      nlohmann::json doc = to_json(meta);
      doc.erase("commit");
      changes.push_back({dir + "/" + meta.id + "/meta.json", doc.dump(2) + "\n"});
      if (!request.ledger.is_null()) {
        changes.push_back({"ledger/snapshot.json", request.ledger.dump(2) + "\n"});
      }
      return changes;
    },
    info);
  if (!commit) {
    return tl::unexpected(commit.error());
  }
  meta.commit = *commit;
  return meta;
}

Result<CheckpointMeta> CheckpointStore::find(const std::string& id, const std::string& agent, const std::string& task) const
{
  auto repo = open_repo(m_dir, false);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  auto snap = (*repo)->snapshot();
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto pairs = tasks(*snap, agent, task);
  if (!pairs) {
    return tl::unexpected(pairs.error());
  }
  std::vector<std::pair<std::string, std::string>> matches;  // (dir, id)
  std::string latest_dir;
  std::string latest_id;
  for (const auto& [a, t] : *pairs) {
    const std::string dir = task_dir(a, t);
    auto ids = snap->list(dir);
    if (!ids) {
      return tl::unexpected(ids.error());
    }
    for (const auto& i : *ids) {
      if (!id.empty() && i.rfind(id, 0) == 0) {
        matches.emplace_back(dir, i);
      }
      if (id.empty() && i > latest_id) {
        latest_id = i;
        latest_dir = dir;
      }
    }
  }
  if (id.empty()) {
    if (latest_id.empty()) {
      return fail(ExitCode::usage, "no_checkpoint",
                  agent.empty() && task.empty() ? std::string("no checkpoint saved yet")
                                                : fmt::format("no checkpoint for agent '{}' task '{}'", agent, task),
                  "", "`helios checkpoint list` shows what is saved");
    }
    return read_meta(*snap, latest_dir, latest_id);
  }
  if (matches.empty()) {
    return fail(ExitCode::usage, "unknown_checkpoint", fmt::format("no checkpoint with id '{}'", id), "--id",
                "`helios checkpoint list` shows the ids");
  }
  if (matches.size() > 1) {
    return fail(ExitCode::usage, "ambiguous_checkpoint", fmt::format("'{}' names {} checkpoints", id, matches.size()), "--id",
                "give more characters of the id");
  }
  return read_meta(*snap, matches[0].first, matches[0].second);
}

Result<std::string> CheckpointStore::data(const CheckpointMeta& meta) const
{
  auto repo = open_repo(m_dir, false);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  auto snap = (*repo)->snapshot();
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto text = snap->read(task_dir(meta.agent, meta.task) + "/" + meta.id + "/data");
  if (!text) {
    return tl::unexpected(text.error());
  }
  if (!*text) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint {} has no data", meta.id));
  }
  return std::move(**text);
}

Result<std::vector<CheckpointMeta>> CheckpointStore::list(const std::string& agent, const std::string& task) const
{
  std::vector<CheckpointMeta> out;
  if (!state::Repository::exists(m_dir)) {
    return out;
  }
  auto repo = open_repo(m_dir, false);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  auto snap = (*repo)->snapshot();
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  auto pairs = tasks(*snap, agent, task);
  if (!pairs) {
    return tl::unexpected(pairs.error());
  }
  for (const auto& [a, t] : *pairs) {
    const std::string dir = task_dir(a, t);
    auto ids = snap->list(dir);
    if (!ids) {
      return tl::unexpected(ids.error());
    }
    for (const auto& i : *ids) {
      auto meta = read_meta(*snap, dir, i);
      if (!meta) {
        return tl::unexpected(meta.error());
      }
      out.push_back(std::move(*meta));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.id > y.id; });
  return out;
}

Result<std::vector<std::string>> CheckpointStore::prune(int keep, const std::string& agent, const std::string& task)
{
  std::vector<std::string> removed;
  if (keep < 0) {
    return fail(ExitCode::usage, "invalid_keep", "--keep must be 0 or more", "--keep", "e.g. --keep 10");
  }
  if (!state::Repository::exists(m_dir)) {
    return removed;
  }
  auto repo = open_repo(m_dir, false);
  if (!repo) {
    return tl::unexpected(repo.error());
  }
  state::CommitInfo info;
  info.command = "checkpoint prune";
  info.summary = fmt::format("checkpoint prune: keep {} per task", keep);
  auto commit = (*repo)->commit_retrying(
    [&](const state::Snapshot& snap) -> Result<std::vector<state::Change>> {
      removed.clear();
      std::vector<state::Change> changes;
      auto pairs = tasks(snap, agent, task);
      if (!pairs) {
        return tl::unexpected(pairs.error());
      }
      for (const auto& [a, t] : *pairs) {
        const std::string dir = task_dir(a, t);
        auto ids = snap.list(dir);
        if (!ids) {
          return tl::unexpected(ids.error());
        }
        const auto n = static_cast<std::ptrdiff_t>(ids->size()) - keep;
        for (std::ptrdiff_t i = 0; i < n; ++i) {
          removed.push_back((*ids)[static_cast<std::size_t>(i)]);
          changes.push_back({dir + "/" + (*ids)[static_cast<std::size_t>(i)] + "/data", std::nullopt});
          changes.push_back({dir + "/" + (*ids)[static_cast<std::size_t>(i)] + "/meta.json", std::nullopt});
        }
      }
      return changes;
    },
    info);
  if (!commit) {
    return tl::unexpected(commit.error());
  }
  return removed;
}

nlohmann::json to_json(const CheckpointMeta& m)
{
  nlohmann::json j;
  j["id"] = m.id;
  j["agent"] = m.agent;
  j["task"] = m.task;
  j["step"] = m.step;
  j["parent"] = m.parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.parent);
  j["created_at"] = m.created_at;
  j["size"] = m.size;
  j["blob"] = m.blob;
  j["provider"] = m.provider.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.provider);
  j["meta"] = m.meta;
  j["ledger"] = m.ledger;
  j["commit"] = m.commit.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.commit);
  return j;
}

Result<CheckpointMeta> checkpoint_meta_from_json(const nlohmann::json& doc)
{
  try {
    CheckpointMeta m;
    m.id = doc.at("id").get<std::string>();
    m.agent = doc.at("agent").get<std::string>();
    m.task = doc.at("task").get<std::string>();
    m.step = doc.value("step", 0LL);
    m.parent = doc.value("parent", nlohmann::json()).is_string() ? doc["parent"].get<std::string>() : std::string();
    m.created_at = doc.value("created_at", std::string());
    m.size = doc.value("size", 0LL);
    m.blob = doc.value("blob", std::string());
    m.provider = doc.value("provider", nlohmann::json()).is_string() ? doc["provider"].get<std::string>() : std::string();
    if (doc.contains("meta") && doc["meta"].is_object()) {
      m.meta = doc["meta"].get<std::map<std::string, std::string>>();
    }
    m.ledger = doc.value("ledger", nlohmann::json());
    m.commit = doc.value("commit", nlohmann::json()).is_string() ? doc["commit"].get<std::string>() : std::string();
    return m;
  } catch (const std::exception& e) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint metadata: {}", e.what()));
  }
}

}  // namespace helios
