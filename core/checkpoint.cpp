#include "core/checkpoint.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <git2.h>
#include <zlib.h>

#include <fmt/format.h>

#include "core/ledger_time.hpp"
#include "core/state/git.hpp"
#include "core/state/repository.hpp"

namespace helios {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_root = "checkpoints";
// File names of a checkpoint's directory. git's pack-objects orders delta candidates by a hash of a path's
// last 16 characters: names of 16+ constant characters put the versions of a task's data side by side (by
// id, that is by time), so `git gc` deltas each against its neighbour. With a short name ("<id>/data")
// the random end of the id decides the order and deltas span unrelated versions (7x larger packs).
constexpr const char* k_data_name = "checkpoint.state";
constexpr const char* k_meta_name = "checkpoint.meta.json";

std::string task_dir(const std::string& agent, const std::string& task)
{
  return fmt::format("{}/{}/{}", k_root, agent, task);
}

// The time an id names (its first 18 characters), 0 when it is not an id.
EpochMs id_time(const std::string& id)
{
  if (id.size() < 19 || id[8] != 'T' || id[18] != 'Z') {
    return 0;
  }
  const auto t = parse_rfc3339(fmt::format("{}-{}-{}T{}:{}:{}.{}Z", id.substr(0, 4), id.substr(4, 2), id.substr(6, 2),
                                           id.substr(9, 2), id.substr(11, 2), id.substr(13, 2), id.substr(15, 3)));
  return t.value_or(0);
}

std::string make_id(EpochMs now)
{
  const CivilDate d = civil_from_days(now / 86'400'000);
  const EpochMs ms = now % 86'400'000;
  std::random_device rd;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}{:03}Z-{:06x}", d.year, d.month, d.day, ms / 3'600'000,
                     (ms / 60'000) % 60, (ms / 1000) % 60, ms % 1000, rd() & 0xffffffu);
}

// Writes the data as a loose blob of the repository and returns its id. The id is libgit2's hash of
// the object; the file is a zlib stream of stored (uncompressed) blocks — what git itself writes with
// `core.looseCompression 0` — because compressing costs most of a save (zlib's fastest level: ~27 ms per
// MB of text, the default ~42 ms). `git gc` compresses and delta-packs it like any object. Written beside
// and renamed into place, as git does, so a killed save leaves no partial object under the final name.
Result<std::string> write_data_blob(const state::Repository& repo, const std::string& data)
{
  git_oid oid;
  if (int rc = git_odb_hash(&oid, data.data(), data.size(), GIT_OBJECT_BLOB); rc < 0) {
    return tl::unexpected(state::git::error(rc, "cannot hash the checkpoint data", repo.path()));
  }
  const std::string hex = state::git::to_hex(oid);
  {
    std::lock_guard lock(repo.mutex());
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo.raw()) == 0) {
      const bool present = git_odb_exists(odb, &oid) == 1;
      git_odb_free(odb);
      if (present) {
        return hex;  // identical content is stored once
      }
    }
  }
  const fs::path dir = fs::path(repo.path()) / "objects" / hex.substr(0, 2);
  const fs::path final_path = dir / hex.substr(2);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string header = fmt::format("blob {}", data.size()) + '\0';
  std::string out;
  out.resize(deflateBound(nullptr, header.size() + data.size()) + 64);
  z_stream z{};
  if (deflateInit(&z, Z_NO_COMPRESSION) != Z_OK) {
    return fail(ExitCode::runtime, "state_io", "zlib could not start", repo.path());
  }
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(header.data()));
  z.avail_in = static_cast<uInt>(header.size());
  int rc = deflate(&z, Z_NO_FLUSH);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  if (rc == Z_OK) {
    rc = deflate(&z, Z_FINISH);
  }
  const std::size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return fail(ExitCode::runtime, "state_io", "zlib could not encode the checkpoint data", repo.path());
  }
  std::string tmp = (dir / "tmp_obj_XXXXXX").string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return fail(ExitCode::runtime, "state_io", fmt::format("cannot write in {}: {}", dir.string(), std::strerror(errno)),
                repo.path(), "check that the state directory is writable");
  }
  std::size_t done = 0;
  while (done < written) {
    const ssize_t n = ::write(fd, out.data() + done, written - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(ExitCode::runtime, "state_io", fmt::format("cannot write {}: {}", tmp, std::strerror(error)), repo.path(),
                  "check the free space and permissions of the state directory");
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0444);
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return fail(ExitCode::runtime, "state_io", fmt::format("cannot write {}: {}", final_path.string(), std::strerror(error)),
                repo.path(), "check the permissions of the state directory");
  }
  return hex;
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
  auto text = snap.read(dir + "/" + id + "/" + k_meta_name);
  if (!text) {
    return tl::unexpected(text.error());
  }
  if (!*text) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint {} has no {}", id, k_meta_name), dir);
  }
  const auto doc = nlohmann::json::parse(**text, nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::runtime, "checkpoint_corrupt", fmt::format("checkpoint {}: {} is not JSON", id, k_meta_name), dir);
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
  CheckpointMeta meta;
  meta.agent = request.agent;
  meta.task = request.task;
  meta.size = static_cast<long long>(request.data.size());
  meta.provider = request.provider;
  meta.meta = request.meta;
  meta.ledger = request.ledger;
  const std::string dir = task_dir(request.agent, request.task);
  auto blob = write_data_blob(**repo, request.data);
  if (!blob) {
    return tl::unexpected(blob.error());
  }
  meta.blob = *blob;

  state::CommitInfo info;
  info.command = "checkpoint save";
  auto commit = (*repo)->commit_retrying(
    [&](const state::Snapshot& snap) -> Result<std::vector<state::Change>> {
      // Re-read on every attempt: a concurrent save of the same task may have moved the chain. The id is
      // made here, later than the task's last one, so that id order is chain order (the latest checkpoint
      // is the one saved last) even when savers race or the clock stands still (HELIOS_NOW).
      auto ids = snap.list(dir);
      if (!ids) {
        return tl::unexpected(ids.error());
      }
      EpochMs at = now_ms();
      if (!ids->empty()) {
        at = std::max(at, id_time(ids->back()) + 1);
      }
      meta.id = make_id(at);
      meta.created_at = format_rfc3339(at);
      info.trailers = {{"Helios-Checkpoint", meta.id}, {"Helios-Agent", request.agent}, {"Helios-Task", request.task}};
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
      changes.push_back({dir + "/" + meta.id + "/" + k_data_name, std::nullopt, meta.blob});
      nlohmann::json doc = to_json(meta);
      doc.erase("commit");
      changes.push_back({dir + "/" + meta.id + "/" + k_meta_name, doc.dump(2) + "\n"});
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
  auto text = snap->read(task_dir(meta.agent, meta.task) + "/" + meta.id + "/" + k_data_name);
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
          changes.push_back({dir + "/" + (*ids)[static_cast<std::size_t>(i)] + "/" + k_data_name, std::nullopt});
          changes.push_back({dir + "/" + (*ids)[static_cast<std::size_t>(i)] + "/" + k_meta_name, std::nullopt});
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
