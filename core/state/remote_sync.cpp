#include "core/state/remote_sync.hpp"

#include <filesystem>

#include "core/state/git.hpp"

namespace helios::state {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_sync_ref = "refs/helios/remotes/sync";

bool is_url(const std::string& remote)
{
  return remote.find("://") != std::string::npos || remote.rfind("git@", 0) == 0;
}

// Fetches the remote's main into k_sync_ref; returns its id, empty when the remote has no main.
Result<std::string> fetch_main(Repository& repo, const std::string& remote)
{
  std::lock_guard lock(repo.mutex());
  git_remote* raw = nullptr;
  if (int rc = git_remote_create_anonymous(&raw, repo.raw(), remote.c_str()); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot use remote " + remote, remote));
  }
  git::RemotePtr owner(raw);
  // Forget an earlier fetch so a remote without main is recognised.
  git_reference* old = nullptr;
  if (git_reference_lookup(&old, repo.raw(), k_sync_ref) == 0) {
    git_reference_delete(old);
    git_reference_free(old);
  }
  char refspec[] = "+refs/heads/main:refs/helios/remotes/sync";
  char* specs[] = {refspec};
  git_strarray refspecs = {specs, 1};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  if (int rc = git_remote_fetch(raw, &refspecs, &options, "helios: state pull/push fetch"); rc < 0) {
    ErrorInfo info = git::error(rc, "cannot fetch from " + remote, remote);
    info.hint = "check the remote's path or URL (and, for a URL, your git credentials)";
    return tl::unexpected(info);
  }
  git_oid id;
  if (git_reference_name_to_id(&id, repo.raw(), k_sync_ref) != 0) {
    return std::string();
  }
  return git::to_hex(id);
}

// Whether `descendant` has `ancestor` in its history (or equals it).
bool descends(Repository& repo, const std::string& descendant, const std::string& ancestor)
{
  if (descendant == ancestor) {
    return true;
  }
  std::lock_guard lock(repo.mutex());
  git_oid d, a;
  git::from_hex(descendant, d);
  git::from_hex(ancestor, a);
  return git_graph_descendant_of(repo.raw(), &d, &a) == 1;
}

Result<StateMeta> meta_at(Repository& repo, const std::string& commit)
{
  auto snap = repo.snapshot(commit);
  if (!snap) {
    return tl::unexpected(snap.error());
  }
  return snap->meta();
}

ErrorInfo lineage_error(const std::string& remote, const std::string& mine, const std::string& theirs)
{
  ErrorInfo info{ExitCode::locked, "lineage_mismatch",
                 fmt::format("{} holds another state (lineage {}; this one is {})", remote, theirs, mine), remote,
                 "push and pull only between copies of the same state repository", nlohmann::json::object()};
  return info;
}

}  // namespace

nlohmann::json SyncReport::to_json() const
{
  return {{"remote", remote}, {"before", before}, {"after", after}, {"outcome", outcome}};
}

Result<SyncReport> push_state(Repository& repo, const std::string& remote)
{
  SyncReport report;
  report.remote = remote;
  if (!is_url(remote) && !fs::exists(remote)) {
    git::ensure_init();
    git_repository* created = nullptr;
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_BARE;
    options.initial_head = "main";
    if (int rc = git_repository_init_ext(&created, remote.c_str(), &options); rc < 0) {
      return tl::unexpected(git::error(rc, "cannot create remote repository " + remote, remote));
    }
    git_repository_free(created);
  }
  auto local = repo.tip();
  if (!local) {
    return tl::unexpected(local.error());
  }
  auto theirs = fetch_main(repo, remote);
  if (!theirs) {
    return tl::unexpected(theirs.error());
  }
  report.before = *theirs;
  if (!theirs->empty()) {
    auto mine_meta = meta_at(repo, *local);
    auto their_meta = meta_at(repo, *theirs);
    if (!mine_meta || !their_meta) {
      return tl::unexpected(!mine_meta ? mine_meta.error() : their_meta.error());
    }
    if (mine_meta->lineage != their_meta->lineage) {
      return tl::unexpected(lineage_error(remote, mine_meta->lineage, their_meta->lineage));
    }
    if (*theirs == *local) {
      report.after = *local;
      report.outcome = "up-to-date";
      return report;
    }
    if (!descends(repo, *local, *theirs)) {
      return fail(ExitCode::locked, "not_fast_forward",
                  fmt::format("{} has state commits this repository lacks; pushing would lose them", remote), remote,
                  "run `helios state pull` first");
    }
  }
  std::lock_guard lock(repo.mutex());
  git_remote* raw = nullptr;
  if (int rc = git_remote_create_anonymous(&raw, repo.raw(), remote.c_str()); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot use remote " + remote, remote));
  }
  git::RemotePtr owner(raw);
  char refspec[] = "refs/heads/main:refs/heads/main";  // no '+': the remote refuses a non-fast-forward too
  char* specs[] = {refspec};
  git_strarray refspecs = {specs, 1};
  git_push_options options = GIT_PUSH_OPTIONS_INIT;
  if (int rc = git_remote_push(raw, &refspecs, &options); rc < 0) {
    return tl::unexpected(git::error(rc, "cannot push to " + remote, remote));
  }
  report.after = *local;
  report.outcome = "pushed";
  return report;
}

Result<SyncReport> pull_state(Repository& repo, const std::string& remote)
{
  SyncReport report;
  report.remote = remote;
  auto local = repo.tip();
  if (!local) {
    return tl::unexpected(local.error());
  }
  report.before = *local;
  auto theirs = fetch_main(repo, remote);
  if (!theirs) {
    return tl::unexpected(theirs.error());
  }
  if (theirs->empty()) {
    return fail(ExitCode::usage, "remote_empty", fmt::format("{} has no state (no branch main)", remote), remote,
                "push to it first with `helios state push`");
  }
  auto mine_meta = meta_at(repo, *local);
  auto their_meta = meta_at(repo, *theirs);
  if (!mine_meta || !their_meta) {
    return tl::unexpected(!mine_meta ? mine_meta.error() : their_meta.error());
  }
  if (mine_meta->lineage != their_meta->lineage) {
    if (mine_meta->serial > 1) {
      return tl::unexpected(lineage_error(remote, mine_meta->lineage, their_meta->lineage));
    }
    // A pristine repository (its init commit only) adopts the remote's state.
    auto moved = repo.update_ref(k_main_ref, *theirs, *local, "helios: state pull (adopted) from " + remote);
    if (!moved) {
      return tl::unexpected(moved.error());
    }
    if (!*moved) {
      return tl::unexpected(state_changed_error(repo.path(), *local, repo.tip().value_or("")));
    }
    report.after = *theirs;
    report.outcome = "adopted";
    return report;
  }
  if (*theirs == *local || descends(repo, *local, *theirs)) {
    report.after = *local;
    report.outcome = "up-to-date";
    return report;
  }
  if (!descends(repo, *theirs, *local)) {
    return fail(ExitCode::locked, "not_fast_forward",
                fmt::format("this state and {} have diverged; pull is fast-forward only", remote), repo.path(),
                "inspect both with `helios state log`; roll one back or push from the newer copy");
  }
  auto moved = repo.update_ref(k_main_ref, *theirs, *local, "helios: state pull from " + remote);
  if (!moved) {
    return tl::unexpected(moved.error());
  }
  if (!*moved) {
    return tl::unexpected(state_changed_error(repo.path(), *local, repo.tip().value_or("")));
  }
  report.after = *theirs;
  report.outcome = "pulled";
  return report;
}

}  // namespace helios::state
