#include "core/state/git.hpp"

#include <mutex>

namespace helios::state::git {

void ensure_init()
{
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Objects are written to a temporary file and renamed, refs through a lock file: a crash leaves
    // the previous commit intact. HELIOS_STATE_FSYNC=1 also fsyncs them (survives power loss).
    if (const char* fsync = std::getenv("HELIOS_STATE_FSYNC"); fsync && std::string(fsync) == "1") {
      git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    }
  });
}

ErrorInfo error(int rc, const std::string& what, const std::string& where)
{
  const git_error* last = git_error_last();
  std::string detail = last && last->message ? last->message : "libgit2 error";
  ErrorInfo info{ExitCode::runtime, "state_io", fmt::format("{}: {} ({})", what, detail, rc), where,
                 "check that the state directory is a helios state repository and is writable",
                 nlohmann::json::object()};
  return info;
}

std::string to_hex(const git_oid& oid)
{
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

bool from_hex(const std::string& hex, git_oid& out)
{
  if (hex.size() != GIT_OID_HEXSZ) {
    return false;
  }
  return git_oid_fromstr(&out, hex.c_str()) == 0;
}

}  // namespace helios::state::git
