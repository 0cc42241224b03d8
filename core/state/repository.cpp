#include "core/state/repository.hpp"

#include <chrono>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/state/git.hpp"

namespace helios::state {

namespace fs = std::filesystem;

namespace {

std::string rfc3339(std::time_t t)
{
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<void> check_path(const std::string& path)
{
  bool bad = path.empty() || path.front() == '/' || path.back() == '/';
  std::size_t start = 0;
  while (!bad && start <= path.size()) {
    const std::size_t end = path.find('/', start);
    const std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || part == "." || part == ".." || part == ".git") {
      bad = true;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  if (bad) {
    return fail(ExitCode::usage, "invalid_state_path", fmt::format("'{}' is not a valid path in the state repository", path),
                "", "use relative paths of non-empty components, e.g. stacks/hobby/resources/web.json");
  }
  return {};
}

constexpr const char* k_init_lock = "init.lock";

// libgit2 holds `<ref>.lock` only while it writes a ref (microseconds). A process killed in that moment
// leaves the file behind and every later writer would wait forever: a lock file older than this is
// stale and is removed.
constexpr auto k_stale_ref_lock = std::chrono::seconds(3);
// How long a writer waits for a ref lock before giving up (exit 5).
constexpr auto k_ref_lock_patience = std::chrono::seconds(30);

// Removes `<ref>.lock` when it is stale; true when the caller should simply retry.
bool clear_stale_ref_lock(git_repository* repo, const std::string& ref)
{
  const fs::path lock = fs::path(git_repository_path(repo)) / (ref + ".lock");
  std::error_code ec;
  const auto written = fs::last_write_time(lock, ec);
  if (ec) {
    return true;  // gone meanwhile
  }
  if (fs::file_time_type::clock::now() - written < k_stale_ref_lock) {
    return true;
  }
  fs::remove(lock, ec);
  return true;
}

ErrorInfo ref_locked_error(const std::string& ref, const std::string& path)
{
  return ErrorInfo{ExitCode::locked, "state_locked",
                   fmt::format("{}.lock has been held for more than {} s", ref,
                               std::chrono::duration_cast<std::chrono::seconds>(k_ref_lock_patience).count()),
                   path, "another helios is writing the state repository; retry in a moment", nlohmann::json::object()};
}

// Sleeps a little, with jitter, before retrying a contended operation.
void backoff(int attempt)
{
  static thread_local std::mt19937 rng{std::random_device{}()};
  const int cap = std::min(50, 1 << std::min(attempt, 5));
  std::uniform_int_distribution<int> dist(1, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(dist(rng)));
}

std::shared_ptr<git_tree> share_tree(git_tree* tree)
{
  return std::shared_ptr<git_tree>(tree, git_tree_free);
}

Result<git::TreePtr> empty_tree(git_repository* repo)
{
  git_treebuilder* raw = nullptr;
  if (int rc = git_treebuilder_new(&raw, repo, nullptr); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot create a tree", ""));
  }
  git::TreeBuilderPtr builder(raw);
  git_oid id;
  if (int rc = git_treebuilder_write(&id, builder.get()); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot write a tree", ""));
  }
  git_tree* tree = nullptr;
  if (int rc = git_tree_lookup(&tree, repo, &id); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read a tree", ""));
  }
  return git::TreePtr(tree);
}

// Applies path changes to `base`, writing blobs; returns the new tree id.
// `blobs`: paths whose content is an existing blob (Change::blob).
Result<git_oid> apply_changes(git_repository* repo, git_tree* base, const std::map<std::string, std::optional<std::string>>& changes,
                              const std::map<std::string, std::string>& blobs = {})
{
  std::vector<git_tree_update> updates;
  updates.reserve(changes.size());
  for (const auto& [path, content] : changes) {
    git_tree_update update{};
    update.path = path.c_str();
    if (auto blob = blobs.find(path); blob != blobs.end()) {
      git_odb* odb = nullptr;
      bool present = false;
      if (git::from_hex(blob->second, update.id) && git_repository_odb(&odb, repo) == 0) {
        present = git_odb_exists(odb, &update.id) == 1;
        git_odb_free(odb);
      }
      if (!present) {
        return fail(ExitCode::runtime, "state_io", fmt::format("blob {} for {} is not in the repository", blob->second, path));
      }
      update.action = GIT_TREE_UPDATE_UPSERT;
      update.filemode = GIT_FILEMODE_BLOB;
    } else if (content) {
      if (int rc = git_blob_create_from_buffer(&update.id, repo, content->data(), content->size()); rc < 0) {
        return tl::unexpected(git::error(rc, "cannot write " + path, ""));
      }
      update.action = GIT_TREE_UPDATE_UPSERT;
      update.filemode = GIT_FILEMODE_BLOB;
    } else {
      git_tree_entry* entry = nullptr;
      if (git_tree_entry_bypath(&entry, base, path.c_str()) != 0) {
        continue;  // deleting what is not there: nothing to do
      }
      git_tree_entry_free(entry);
      update.action = GIT_TREE_UPDATE_REMOVE;
    }
    updates.push_back(update);
  }
  git_oid tree_id;
  if (int rc = git_tree_create_updated(&tree_id, repo, base, updates.size(), updates.data()); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot build the state tree", ""));
  }
  return tree_id;
}

Result<git::SignaturePtr> signature_for(const std::string& actor)
{
  std::string name = actor;
  if (const auto at = actor.find('@'); at != std::string::npos && at > 0) {
    name = actor.substr(0, at);
  }
  git_signature* sig = nullptr;
  if (int rc = git_signature_now(&sig, name.empty() ? "helios" : name.c_str(), actor.empty() ? "helios" : actor.c_str());
      rc < 0) {
    return tl::unexpected(git::error(rc, "cannot make a commit signature", ""));
  }
  return git::SignaturePtr(sig);
}

Result<StateMeta> parse_meta(const std::string& text, const std::string& where)
{
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("lineage") || !doc.contains("serial")) {
    return fail(ExitCode::runtime, "state_corrupt", fmt::format("{} is not a helios state format file", k_meta_path),
                where, "restore it with `helios state rollback` or from a remote with `helios state pull`");
  }
  StateMeta meta;
  meta.format_version = doc.value("format_version", 0);
  meta.lineage = doc.value("lineage", "");
  meta.serial = doc.value("serial", 0LL);
  return meta;
}

std::string render_meta(const StateMeta& meta)
{
  nlohmann::ordered_json doc;
  doc["format_version"] = meta.format_version;
  doc["lineage"] = meta.lineage;
  doc["serial"] = meta.serial;
  return doc.dump(2) + "\n";
}

}  // namespace

std::string new_uuid()
{
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48,
                     b & 0xffffffffffffULL);
}

Result<std::vector<Change>> changes_to_match(const Snapshot& target, const Snapshot& current, std::string_view dir)
{
  std::vector<Change> changes;
  if (target.object_id(dir) == current.object_id(dir)) {
    return changes;  // equal trees: nothing to walk
  }
  auto wanted = target.files(dir);
  if (!wanted) {
    return tl::unexpected(wanted.error());
  }
  auto present = current.files(dir);
  if (!present) {
    return tl::unexpected(present.error());
  }
  for (const auto& [path, id] : *wanted) {
    auto found = present->find(path);
    if (found == present->end() || found->second != id) {
      changes.push_back({path, std::string(), id});
    }
  }
  for (const auto& [path, id] : *present) {
    if (!wanted->count(path)) {
      changes.push_back({path, std::nullopt});
    }
  }
  return changes;
}

ErrorInfo state_changed_error(const std::string& path, const std::string& expected, const std::string& actual)
{
  ErrorInfo info{ExitCode::locked, "state_changed",
                 fmt::format("state changed underneath: main moved from {} to {} while this command ran",
                             expected.empty() ? "(none)" : expected.substr(0, 12),
                             actual.empty() ? "(none)" : actual.substr(0, 12)),
                 path, "another command wrote the state; re-run this one (re-plan first for a saved plan)",
                 nlohmann::json::object()};
  info.details["expected"] = expected;
  info.details["actual"] = actual;
  return info;
}

std::string LogEntry::trailer(std::string_view key) const
{
  for (const auto& [k, v] : trailers) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------- Snapshot

Result<std::optional<std::string>> Snapshot::read(std::string_view path) const
{
  if (!m_tree) {
    return std::optional<std::string>();
  }
  std::lock_guard lock(m_repo->m_mutex);
  git_tree_entry* raw = nullptr;
  const std::string p(path);
  if (git_tree_entry_bypath(&raw, m_tree.get(), p.c_str()) != 0) {
    return std::optional<std::string>();
  }
  git::TreeEntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return std::optional<std::string>();
  }
  git_blob* blob = nullptr;
  if (int rc = git_blob_lookup(&blob, m_repo->m_repo, git_tree_entry_id(entry.get())); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read " + p, m_repo->m_path));
  }
  git::BlobPtr owner(blob);
  const auto* data = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::optional<std::string>(std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob))));
}

Result<std::string> Snapshot::read_blob(const std::string& blob_id) const
{
  if (!m_repo) {
    return fail(ExitCode::runtime, "state_io", "no state repository to read " + blob_id + " from");
  }
  std::lock_guard lock(m_repo->m_mutex);
  git_oid id;
  if (!git::from_hex(blob_id, id)) {
    return fail(ExitCode::runtime, "state_io", "invalid object id " + blob_id, m_repo->m_path);
  }
  git_blob* blob = nullptr;
  if (int rc = git_blob_lookup(&blob, m_repo->m_repo, &id); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read object " + blob_id, m_repo->m_path));
  }
  git::BlobPtr owner(blob);
  const auto* data = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob)));
}

Result<std::vector<std::string>> Snapshot::list(std::string_view dir) const
{
  std::vector<std::string> names;
  if (!m_tree) {
    return names;
  }
  std::lock_guard lock(m_repo->m_mutex);
  git_tree* tree = m_tree.get();
  git::TreePtr sub;
  if (!dir.empty()) {
    git_tree_entry* raw = nullptr;
    const std::string p(dir);
    if (git_tree_entry_bypath(&raw, m_tree.get(), p.c_str()) != 0) {
      return names;
    }
    git::TreeEntryPtr entry(raw);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
      return names;
    }
    git_tree* t = nullptr;
    if (int rc = git_tree_lookup(&t, m_repo->m_repo, git_tree_entry_id(entry.get())); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot read " + p, m_repo->m_path));
    }
    sub.reset(t);
    tree = t;
  }
  const std::size_t n = git_tree_entrycount(tree);
  names.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    names.emplace_back(git_tree_entry_name(git_tree_entry_byindex(tree, i)));
  }
  return names;
}

Result<std::map<std::string, std::string>> Snapshot::files(std::string_view dir) const
{
  std::map<std::string, std::string> out;
  if (!m_tree) {
    return out;
  }
  std::lock_guard lock(m_repo->m_mutex);
  git_tree* tree = m_tree.get();
  git::TreePtr sub;
  std::string prefix;
  if (!dir.empty()) {
    git_tree_entry* raw = nullptr;
    const std::string p(dir);
    if (git_tree_entry_bypath(&raw, m_tree.get(), p.c_str()) != 0) {
      return out;
    }
    git::TreeEntryPtr entry(raw);
    if (git_tree_entry_type(entry.get()) == GIT_OBJECT_BLOB) {
      out[p] = git::to_hex(*git_tree_entry_id(entry.get()));
      return out;
    }
    git_tree* t = nullptr;
    if (int rc = git_tree_lookup(&t, m_repo->m_repo, git_tree_entry_id(entry.get())); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot read " + p, m_repo->m_path));
    }
    sub.reset(t);
    tree = t;
    prefix = p + "/";
  }
  struct Walk {
    std::map<std::string, std::string>* out;
    std::string prefix;
  } walk{&out, prefix};
  auto callback = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    auto* w = static_cast<Walk*>(payload);
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
      (*w->out)[w->prefix + root + git_tree_entry_name(entry)] = git::to_hex(*git_tree_entry_id(entry));
    }
    return 0;
  };
  if (int rc = git_tree_walk(tree, GIT_TREEWALK_PRE, callback, &walk); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot list the state tree", m_repo->m_path));
  }
  return out;
}

std::string Snapshot::object_id(std::string_view path) const
{
  if (!m_tree) {
    return {};
  }
  std::lock_guard lock(m_repo->m_mutex);
  if (path.empty()) {
    return git::to_hex(*git_tree_id(m_tree.get()));
  }
  git_tree_entry* raw = nullptr;
  const std::string p(path);
  if (git_tree_entry_bypath(&raw, m_tree.get(), p.c_str()) != 0) {
    return {};
  }
  git::TreeEntryPtr entry(raw);
  return git::to_hex(*git_tree_entry_id(entry.get()));
}

Result<StateMeta> Snapshot::meta() const
{
  auto text = read(k_meta_path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  if (!*text) {
    return StateMeta{k_format_version, "", 0};
  }
  return parse_meta(**text, m_repo ? m_repo->m_path : std::string());
}

// -------------------------------------------------------------------------------------------- Repository

namespace {

// Files helios keeps in the state directory beside the git repository (never committed): the ledger's
// SQLite database and the creation lock.
bool is_helios_side_file(const std::string& name)
{
  return name == k_init_lock || name.rfind("ledger.db", 0) == 0;
}

}  // namespace

bool Repository::exists(const std::string& dir)
{
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "HEAD", ec) && fs::is_directory(fs::path(dir) / "objects", ec) &&
         fs::is_directory(fs::path(dir) / "refs", ec);
}

Repository::~Repository()
{
  if (m_repo) {
    git_repository_free(m_repo);
  }
}

Result<std::shared_ptr<Repository>> Repository::open(const std::string& dir, OpenMode mode)
{
  git::ensure_init();
  std::error_code ec;
  git_repository* raw = nullptr;
  if (!exists(dir)) {
    if (mode == OpenMode::existing) {
      return fail(ExitCode::usage, "no_state", fmt::format("no state repository in {}", dir), dir,
                  "run `helios init` (or `helios apply`, which creates it), or pass --state DIR");
    }
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
      return fail(ExitCode::usage, "not_a_state_repository",
                  fmt::format("{} exists and is not a helios state repository", dir), dir,
                  "pass --state with an empty or missing directory");
    }
    // Two first uses at once (two applies, an apply and a checkpoint) must make one repository: creation
    // runs under an flock of <dir>/init.lock, which the kernel releases when its holder dies.
    fs::create_directories(dir, ec);
    if (ec) {
      return fail(ExitCode::runtime, "state_io", fmt::format("cannot create {}: {}", dir, ec.message()), dir);
    }
    const std::string lock_path = (fs::path(dir) / k_init_lock).string();
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
      if (fd >= 0) {
        ::close(fd);
      }
      return fail(ExitCode::runtime, "state_io", fmt::format("cannot lock {}: {}", lock_path, std::strerror(errno)), dir);
    }
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }  // releases the flock
    } closer{fd};
    if (!exists(dir)) {
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!is_helios_side_file(entry.path().filename().string())) {
          return fail(ExitCode::usage, "not_a_state_repository",
                      fmt::format("{} exists and is not a helios state repository (it holds {})", dir,
                                  entry.path().filename().string()),
                      dir, "pass --state with an empty or missing directory");
        }
      }
      git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
      options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_BARE;
      options.initial_head = "main";
      options.description = "helios state repository (see docs/state.md)";
      if (int rc = git_repository_init_ext(&raw, dir.c_str(), &options); rc < 0) {
        return tl::unexpected(git::error(rc, "cannot create the state repository", dir));
      }
      git_config* config = nullptr;
      if (git_repository_config(&config, raw) == 0) {
        git_config_set_bool(config, "core.logAllRefUpdates", 1);  // a reflog of main, even bare
        git_config_free(config);
      }
      std::shared_ptr<Repository> repo(new Repository(fs::absolute(dir, ec).lexically_normal().string(), raw));
      auto first = repo->create_first_commit();
      if (!first) {
        return tl::unexpected(first.error());
      }
      return repo;
    }
    if (int rc = git_repository_open_bare(&raw, dir.c_str()); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot open the state repository", dir));
    }
  } else if (int rc = git_repository_open_bare(&raw, dir.c_str()); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot open the state repository", dir));
  }
  std::shared_ptr<Repository> repo(new Repository(fs::absolute(dir, ec).lexically_normal().string(), raw));
  auto tip = repo->tip();
  if (!tip) {
    return tl::unexpected(tip.error());
  }
  if (tip->empty()) {
    if (mode == OpenMode::existing) {
      return fail(ExitCode::usage, "no_state", fmt::format("the state repository in {} has no commit yet", dir), dir,
                  "run `helios init` or `helios apply` first");
    }
    auto first = repo->create_first_commit();
    if (!first && first.error().code != "state_changed") {  // state_changed: a concurrent first use won
      return tl::unexpected(first.error());
    }
  }
  return repo;
}

Result<std::string> Repository::create_first_commit()
{
  CommitInfo info;
  info.command = "init";
  info.summary = "init: empty state repository";
  info.body = "Created by helios; see docs/state.md for the layout.";
  return commit("", {}, info);
}

Result<std::string> Repository::tip() const
{
  std::lock_guard lock(m_mutex);
  git_oid id;
  int rc = git_reference_name_to_id(&id, m_repo, k_main_ref);
  if (rc == GIT_ENOTFOUND) {
    return std::string();
  }
  if (rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read branch main", m_path));
  }
  return git::to_hex(id);
}

Result<std::string> Repository::resolve(std::string_view rev) const
{
  if (rev.empty()) {
    return tip();
  }
  std::lock_guard lock(m_mutex);
  git_object* raw = nullptr;
  const std::string spec(rev);
  if (git_revparse_single(&raw, m_repo, spec.c_str()) != 0) {
    return fail(ExitCode::usage, "unknown_revision", fmt::format("no state commit '{}'", spec), m_path,
                "list commits with `helios state log`");
  }
  git::ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0) {
    return fail(ExitCode::usage, "unknown_revision", fmt::format("'{}' is not a state commit", spec), m_path,
                "list commits with `helios state log`");
  }
  git::ObjectPtr commit(peeled);
  return git::to_hex(*git_object_id(commit.get()));
}

Result<Snapshot> Repository::snapshot_of(const std::string& commit_hex) const
{
  Snapshot snap;
  snap.m_repo = shared_from_this();
  snap.m_commit = commit_hex;
  if (commit_hex.empty()) {
    return snap;
  }
  std::lock_guard lock(m_mutex);
  git_oid id;
  git::from_hex(commit_hex, id);
  git_commit* commit = nullptr;
  if (int rc = git_commit_lookup(&commit, m_repo, &id); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read state commit " + commit_hex, m_path));
  }
  git::CommitPtr owner(commit);
  git_tree* tree = nullptr;
  if (int rc = git_commit_tree(&tree, commit); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read the tree of " + commit_hex, m_path));
  }
  snap.m_tree = share_tree(tree);
  return snap;
}

Result<Snapshot> Repository::snapshot(std::string_view rev) const
{
  auto id = resolve(rev);
  if (!id) {
    return tl::unexpected(id.error());
  }
  return snapshot_of(*id);
}

namespace {

// Callers' changes as the tree update wants them: path → content (nullopt deletes), and the paths whose
// content is an existing blob. The repository's own meta file is refused.
Result<std::pair<std::map<std::string, std::optional<std::string>>, std::map<std::string, std::string>>>
collect_changes(const std::vector<Change>& changes)
{
  std::map<std::string, std::optional<std::string>> contents;
  std::map<std::string, std::string> blobs;
  for (const auto& change : changes) {
    if (auto ok = check_path(change.path); !ok) {
      return tl::unexpected(ok.error());
    }
    if (change.path == k_meta_path) {
      return fail(ExitCode::usage, "invalid_state_path", fmt::format("{} is written by the repository itself", k_meta_path));
    }
    contents[change.path] = change.content;  // the last change of a path wins
    if (change.blob.empty()) {
      blobs.erase(change.path);
    } else {
      blobs[change.path] = change.blob;
    }
  }
  return std::pair{std::move(contents), std::move(blobs)};
}

}  // namespace

Result<std::string> Repository::write_commit(const Snapshot& base, const std::map<std::string, std::optional<std::string>>& changes,
                                             const std::map<std::string, std::string>& blobs, const std::string& message,
                                             const std::string& actor)
{
  git::TreePtr empty;
  git_tree* base_tree = base.m_tree.get();
  if (!base_tree) {
    auto made = empty_tree(m_repo);
    if (!made) {
      return tl::unexpected(made.error());
    }
    empty = std::move(*made);
    base_tree = empty.get();
  }
  auto tree_id = apply_changes(m_repo, base_tree, changes, blobs);
  if (!tree_id) {
    return tl::unexpected(tree_id.error());
  }
  git_tree* tree = nullptr;
  if (int rc = git_tree_lookup(&tree, m_repo, &*tree_id); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read the new state tree", m_path));
  }
  git::TreePtr tree_owner(tree);

  git::CommitPtr parent_commit;
  if (!base.commit().empty()) {
    git_oid parent_id{};
    git::from_hex(base.commit(), parent_id);
    git_commit* pc = nullptr;
    if (int rc = git_commit_lookup(&pc, m_repo, &parent_id); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot read state commit " + base.commit(), m_path));
    }
    parent_commit.reset(pc);
  }
  auto sig = signature_for(actor.empty() ? default_actor() : actor);
  if (!sig) {
    return tl::unexpected(sig.error());
  }
  const git_commit* parents[1] = {parent_commit.get()};
  git_oid commit_id;
  if (int rc = git_commit_create(&commit_id, m_repo, nullptr, sig->get(), sig->get(), nullptr, message.c_str(), tree,
                                 parent_commit ? 1 : 0, parents);
      rc < 0) {
    return tl::unexpected(git::error(rc, "cannot write the state commit", m_path));
  }
  return git::to_hex(commit_id);
}

Result<std::string> Repository::commit(const std::string& parent, const std::vector<Change>& changes,
                                       const CommitInfo& info)
{
  auto collected = collect_changes(changes);
  if (!collected) {
    return tl::unexpected(collected.error());
  }
  auto& [final_changes, blobs] = *collected;

  std::lock_guard lock(m_mutex);
  auto base = snapshot_of(parent);
  if (!base) {
    return tl::unexpected(base.error());
  }
  auto meta = base->meta();
  if (!meta) {
    return tl::unexpected(meta.error());
  }
  if (meta->format_version > k_format_version) {
    return fail(ExitCode::runtime, "state_format_newer",
                fmt::format("the state repository has format {}; this helios writes format {}", meta->format_version,
                            k_format_version),
                m_path, "upgrade helios");
  }
  if (parent.empty()) {
    meta->lineage = new_uuid();
    meta->serial = 0;
  }
  meta->format_version = k_format_version;
  meta->serial += 1;
  final_changes[k_meta_path] = render_meta(*meta);

  const std::string message = format_commit_message(info, meta->serial);
  auto commit_hex = write_commit(*base, final_changes, blobs, message, info.actor);
  if (!commit_hex) {
    return commit_hex;
  }
  const std::string first_line = message.substr(0, message.find('\n'));
  auto moved = update_ref(k_main_ref, *commit_hex, parent, "helios: " + first_line);
  if (!moved) {
    return tl::unexpected(moved.error());
  }
  if (!*moved) {
    auto now = tip();
    return tl::unexpected(state_changed_error(m_path, parent, now ? *now : std::string()));
  }
  return commit_hex;
}

Result<std::string> Repository::commit_on(const std::string& ref, const std::string& parent, const std::string& expected,
                                          const std::vector<Change>& changes, const CommitInfo& info)
{
  if (ref == k_main_ref) {
    return fail(ExitCode::runtime, "state_io", "commit_on writes refs outside main; main moves only through commit()");
  }
  auto collected = collect_changes(changes);
  if (!collected) {
    return tl::unexpected(collected.error());
  }
  std::lock_guard lock(m_mutex);
  auto base = snapshot_of(parent);
  if (!base) {
    return tl::unexpected(base.error());
  }
  auto meta = base->meta();
  if (!meta) {
    return tl::unexpected(meta.error());
  }
  const std::string message = format_commit_message(info, meta->serial);
  auto commit_hex = write_commit(*base, collected->first, collected->second, message, info.actor);
  if (!commit_hex) {
    return commit_hex;
  }
  auto moved = update_ref(ref, *commit_hex, expected, "helios: " + message.substr(0, message.find('\n')));
  if (!moved) {
    return tl::unexpected(moved.error());
  }
  if (!*moved) {
    return fail(ExitCode::locked, "state_changed", fmt::format("{} moved underneath", ref), m_path,
                "another process wrote the same journal; re-run the command");
  }
  return commit_hex;
}

Result<std::string> Repository::commit_retrying(const ChangeMaker& make, const CommitInfo& info, int attempts)
{
  ErrorInfo last;
  for (int attempt = 0; attempt < std::max(1, attempts); ++attempt) {
    auto snap = snapshot();
    if (!snap) {
      return tl::unexpected(snap.error());
    }
    auto changes = make(*snap);
    if (!changes) {
      return tl::unexpected(changes.error());
    }
    if (changes->empty()) {
      return snap->commit();
    }
    auto made = commit(snap->commit(), *changes, info);
    if (made) {
      return made;
    }
    if (made.error().code != "state_changed") {
      return made;
    }
    last = made.error();
    backoff(attempt);
  }
  return tl::unexpected(last);
}

Result<std::vector<LogEntry>> Repository::log(std::size_t limit, std::string_view path) const
{
  std::vector<LogEntry> out;
  auto head = tip();
  if (!head) {
    return tl::unexpected(head.error());
  }
  if (head->empty()) {
    return out;
  }
  std::lock_guard lock(m_mutex);
  git_revwalk* raw = nullptr;
  if (int rc = git_revwalk_new(&raw, m_repo); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot walk the state history", m_path));
  }
  git::RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_oid id;
  git::from_hex(*head, id);
  git_revwalk_push(walk.get(), &id);
  const std::string filter(path);
  while (out.size() < limit && git_revwalk_next(&id, walk.get()) == 0) {
    git_commit* c = nullptr;
    if (int rc = git_commit_lookup(&c, m_repo, &id); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot read a state commit", m_path));
    }
    git::CommitPtr commit(c);
    LogEntry entry;
    entry.commit = git::to_hex(id);
    if (git_commit_parentcount(c) > 0) {
      entry.parent = git::to_hex(*git_commit_parent_id(c, 0));
    }
    if (!filter.empty()) {
      auto mine = snapshot_of(entry.commit);
      auto theirs = snapshot_of(entry.parent);
      if (mine && theirs && mine->object_id(filter) == theirs->object_id(filter)) {
        continue;
      }
    }
    entry.message = git_commit_message(c) ? git_commit_message(c) : "";
    entry.summary = git_commit_summary(c) ? git_commit_summary(c) : "";
    entry.time = rfc3339(static_cast<std::time_t>(git_commit_time(c)));
    entry.trailers = parse_trailers(entry.message);
    out.push_back(std::move(entry));
  }
  return out;
}

Result<bool> Repository::update_ref(const std::string& ref, const std::string& target, const std::string& expected,
                                    const std::string& log_message)
{
  std::lock_guard lock(m_mutex);
  git_oid target_id;
  git_oid expected_id;
  std::memset(&expected_id, 0, sizeof expected_id);
  if (!git::from_hex(target, target_id) || (!expected.empty() && !git::from_hex(expected, expected_id))) {
    return fail(ExitCode::runtime, "state_io", "invalid object id for " + ref);
  }
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    git_reference* out = nullptr;
    const int rc = git_reference_create_matching(&out, m_repo, ref.c_str(), &target_id, 1, &expected_id,
                                                 log_message.c_str());
    if (rc == 0) {
      git_reference_free(out);
      return true;
    }
    if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS) {
      return false;
    }
    if (rc == GIT_ELOCKED && std::chrono::steady_clock::now() - started < k_ref_lock_patience) {
      // another writer holds <ref>.lock for a moment, or a killed one left it behind
      backoff(attempt);
      clear_stale_ref_lock(m_repo, ref);
      continue;
    }
    if (rc == GIT_ELOCKED) {
      return tl::unexpected(ref_locked_error(ref, m_path));
    }
    return tl::unexpected(git::error(rc, "cannot update " + ref, m_path));
  }
}

Result<bool> Repository::delete_ref(const std::string& ref, const std::string& expected)
{
  std::lock_guard lock(m_mutex);
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    git_reference* raw = nullptr;
    int rc = git_reference_lookup(&raw, m_repo, ref.c_str());
    if (rc == GIT_ENOTFOUND) {
      return false;
    }
    if (rc < 0) {
      return tl::unexpected(git::error(rc, "cannot read " + ref, m_path));
    }
    git::ReferencePtr owner(raw);
    const git_oid* target = git_reference_target(raw);
    if (!target || git::to_hex(*target) != expected) {
      return false;
    }
    rc = git_reference_delete(raw);
    if (rc == 0) {
      return true;
    }
    if (rc == GIT_EMODIFIED) {
      return false;
    }
    if (rc == GIT_ELOCKED && std::chrono::steady_clock::now() - started < k_ref_lock_patience) {
      backoff(attempt);
      clear_stale_ref_lock(m_repo, ref);
      continue;
    }
    if (rc == GIT_ELOCKED) {
      return tl::unexpected(ref_locked_error(ref, m_path));
    }
    return tl::unexpected(git::error(rc, "cannot delete " + ref, m_path));
  }
}

Result<std::map<std::string, std::string>> Repository::refs(const std::string& prefix) const
{
  std::lock_guard lock(m_mutex);
  std::map<std::string, std::string> out;
  git_reference_iterator* raw = nullptr;
  if (int rc = git_reference_iterator_new(&raw, m_repo); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot list refs", m_path));
  }
  git::ReferenceIteratorPtr it(raw);
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it.get()) == 0) {
    git::ReferencePtr owner(ref);
    const std::string name = git_reference_name(ref);
    const git_oid* target = git_reference_target(ref);
    if (target && name.compare(0, prefix.size(), prefix) == 0) {
      out[name] = git::to_hex(*target);
    }
  }
  return out;
}

Result<std::string> Repository::write_detached(const std::vector<Change>& files, const std::string& message)
{
  std::lock_guard lock(m_mutex);
  std::map<std::string, std::optional<std::string>> changes;
  for (const auto& f : files) {
    if (auto ok = check_path(f.path); !ok) {
      return tl::unexpected(ok.error());
    }
    changes[f.path] = f.content;
  }
  auto base = empty_tree(m_repo);
  if (!base) {
    return tl::unexpected(base.error());
  }
  auto tree_id = apply_changes(m_repo, base->get(), changes);
  if (!tree_id) {
    return tl::unexpected(tree_id.error());
  }
  git_tree* tree = nullptr;
  if (int rc = git_tree_lookup(&tree, m_repo, &*tree_id); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot read a tree", m_path));
  }
  git::TreePtr owner(tree);
  auto sig = signature_for(default_actor());
  if (!sig) {
    return tl::unexpected(sig.error());
  }
  git_oid id;
  if (int rc = git_commit_create(&id, m_repo, nullptr, sig->get(), sig->get(), nullptr, message.c_str(), tree, 0, nullptr);
      rc < 0) {
    return tl::unexpected(git::error(rc, "cannot write a commit", m_path));
  }
  return git::to_hex(id);
}

}  // namespace helios::state
