#pragma once
// The state repository (DESIGN.md "State repository", docs/state.md): a bare git repository (libgit2)
// whose branch `main` holds what exists, one commit per mutating command. The branch moves only by
// compare-and-swap from the commit the writer read, so concurrent writers never lose an update, and a
// crash leaves the previous commit intact.
//
// The generic API other modules use (checkpoints, ledger snapshots, resource records):
//   auto repo = value_or_throw(state::Repository::open(dir));
//   auto snap = value_or_throw(repo->snapshot());                 // what the writer read
//   repo->commit(snap.commit(), {{"ledger/snapshot.json", text}}, info);   // exit 5 if main moved
//   repo->commit_retrying([&](const Snapshot& s) { …changes from s… }, info); // re-applies on the new tip

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/state/commit_message.hpp"

struct git_repository;
struct git_tree;

namespace helios::state {

inline constexpr int k_format_version = 1;
inline constexpr const char* k_meta_path = "helios-state.json";  // {format_version, lineage, serial}
inline constexpr const char* k_main_ref = "refs/heads/main";

// One path's new content in a commit; std::nullopt deletes the path. `blob`, when set, names a blob
// already in the object database (40 hex) to use instead of `content`: large content written once by its
// owner (checkpoints) is then neither hashed nor written again, whatever the retries.
struct Change {
  std::string path;
  std::optional<std::string> content;
  std::string blob = {};
};

struct StateMeta {
  int format_version = k_format_version;
  std::string lineage;      // a UUID fixed when the repository is created; push/pull refuse another
  long long serial = 0;     // +1 on every commit
};

struct LogEntry {
  std::string commit;
  std::string parent;       // empty for the first commit
  std::string summary;
  std::string message;
  std::string time;         // RFC 3339 UTC
  std::vector<std::pair<std::string, std::string>> trailers;
  [[nodiscard]] std::string trailer(std::string_view key) const;
};

class Repository;

// A read-only view of one commit. Cheap to copy; valid while its Repository lives.
class Snapshot {
public:
  Snapshot() = default;
  [[nodiscard]] const std::string& commit() const { return m_commit; }  // 40 hex, empty: no commit
  // The blob at `path`, or nullopt when absent.
  [[nodiscard]] Result<std::optional<std::string>> read(std::string_view path) const;
  // The content of the blob with this object id (as files() returns them): no path lookup, so reading
  // every file of a large directory stays linear.
  [[nodiscard]] Result<std::string> read_blob(const std::string& blob_id) const;
  // Names directly under directory `dir` ("" = root), sorted; empty when absent.
  [[nodiscard]] Result<std::vector<std::string>> list(std::string_view dir) const;
  // Every file under `dir`, recursively: path → blob id.
  [[nodiscard]] Result<std::map<std::string, std::string>> files(std::string_view dir) const;
  // The object id of the tree or blob at `path` ("" = root), empty when absent. Equal ids = equal content.
  [[nodiscard]] std::string object_id(std::string_view path) const;
  [[nodiscard]] Result<StateMeta> meta() const;

private:
  friend class Repository;
  std::shared_ptr<const Repository> m_repo;
  std::shared_ptr<git_tree> m_tree;
  std::string m_commit;
};

class Repository : public std::enable_shared_from_this<Repository> {
public:
  enum class OpenMode { create, existing };

  // Opens the state repository in `dir`; with OpenMode::create a missing (or empty) directory becomes a
  // new repository: bare, HEAD → main, a first commit holding helios-state.json (format, lineage, serial 1).
  static Result<std::shared_ptr<Repository>> open(const std::string& dir, OpenMode mode = OpenMode::create);
  // True when `dir` holds a state repository.
  static bool exists(const std::string& dir);

  ~Repository();
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  [[nodiscard]] const std::string& path() const { return m_path; }

  // The commit `main` points at (40 hex), empty when none.
  [[nodiscard]] Result<std::string> tip() const;
  // A revision (commit id, prefix, main~2, …; empty = main) resolved to a commit id; exit 2 if unknown.
  [[nodiscard]] Result<std::string> resolve(std::string_view rev) const;
  [[nodiscard]] Result<Snapshot> snapshot(std::string_view rev = {}) const;

  // Writes one commit whose parent is `parent` (the commit the writer read) with `changes` applied to
  // its tree and the serial bumped, then moves main by compare-and-swap from `parent`. When main has
  // moved: exit 5, code "state_changed"; the orphan commit is harmless.
  Result<std::string> commit(const std::string& parent, const std::vector<Change>& changes, const CommitInfo& info);

  // For writers that can re-apply their change on a newer tip: reads main, asks `make` for the changes,
  // commits; when main moved meanwhile, reads the new tip and asks again (up to `attempts` times).
  // `make` returning an empty list commits nothing and returns the tip.
  using ChangeMaker = std::function<Result<std::vector<Change>>(const Snapshot&)>;
  Result<std::string> commit_retrying(const ChangeMaker& make, const CommitInfo& info, int attempts = 32);

  // A commit on a ref outside main (an apply's journal, core/state/journal.hpp): `changes` applied to
  // `parent`'s tree, the repository serial untouched, then `ref` moved by compare-and-swap from `expected`
  // (empty = must not exist); exit 5 when it moved.
  Result<std::string> commit_on(const std::string& ref, const std::string& parent, const std::string& expected,
                                const std::vector<Change>& changes, const CommitInfo& info);

  // Newest first; `path` limits to commits that changed it (a file or a directory).
  [[nodiscard]] Result<std::vector<LogEntry>> log(std::size_t limit, std::string_view path = {}) const;

  // Moves `ref` by compare-and-swap: from `expected` (empty = must not exist) to `target`.
  // Returns false (no error) when the ref was not at `expected`.
  Result<bool> update_ref(const std::string& ref, const std::string& target, const std::string& expected,
                          const std::string& log_message);
  // Deletes `ref` if it still points at `expected`; false when it moved or is gone.
  Result<bool> delete_ref(const std::string& ref, const std::string& expected);
  // Refs under a prefix (e.g. "refs/helios/locks/"): name → target.
  [[nodiscard]] Result<std::map<std::string, std::string>> refs(const std::string& prefix) const;
  // A commit outside main (lock records, …) with the given files and no parent; returns its id.
  Result<std::string> write_detached(const std::vector<Change>& files, const std::string& message);

  // Low-level access for the state module's own files (remote sync). Hold the mutex while using it.
  [[nodiscard]] git_repository* raw() const { return m_repo; }
  [[nodiscard]] std::recursive_mutex& mutex() const { return m_mutex; }

private:
  friend class Snapshot;
  Repository(std::string path, git_repository* repo) : m_path(std::move(path)), m_repo(repo) {}
  Result<std::string> create_first_commit();
  // Writes a commit of `base` with `changes` (and `blobs`) applied; moves no ref. Hold m_mutex.
  Result<std::string> write_commit(const Snapshot& base, const std::map<std::string, std::optional<std::string>>& changes,
                                   const std::map<std::string, std::string>& blobs, const std::string& message,
                                   const std::string& actor);
  Result<Snapshot> snapshot_of(const std::string& commit_hex) const;

  std::string m_path;
  git_repository* m_repo = nullptr;
  mutable std::recursive_mutex m_mutex;  // libgit2 objects of one repository are not thread-safe
};

// The changes that make directory `dir` of `current` equal to `dir` of `target` (blobs reused by id):
// what `state rollback` and the fold of a journal commit.
Result<std::vector<Change>> changes_to_match(const Snapshot& target, const Snapshot& current, std::string_view dir);

// A new random (version 4) UUID.
std::string new_uuid();

// The error every CAS loser returns: exit 5, code "state_changed".
ErrorInfo state_changed_error(const std::string& path, const std::string& expected, const std::string& actual);

}  // namespace helios::state
