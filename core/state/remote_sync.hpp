#pragma once
// `helios state push` / `state pull`: synchronises branch main with a git remote (a path or a URL),
// fast-forward only, refusing a remote of another lineage. Pushing to a path that does not exist yet
// creates a bare repository there. Pulling into a pristine repository (only its init commit) adopts the
// remote's lineage.

#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/state/repository.hpp"

namespace helios::state {

struct SyncReport {
  std::string remote;
  std::string before;     // local main before (pull) / remote main before (push)
  std::string after;      // the new position
  std::string outcome;    // pushed | pulled | up-to-date | adopted
  [[nodiscard]] nlohmann::json to_json() const;
};

Result<SyncReport> push_state(Repository& repo, const std::string& remote);
Result<SyncReport> pull_state(Repository& repo, const std::string& remote);

}  // namespace helios::state
