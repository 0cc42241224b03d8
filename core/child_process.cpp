#include "core/child_process.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/pipe_drain.hpp"

extern char** environ;

namespace helios {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe()
  {
    for (int& f : fd) {
      if (f >= 0) {
        ::close(f);
      }
    }
  }
};

}  // namespace

Result<ChildResult> run_child(const std::vector<std::string>& argv, int timeout_ms, std::size_t max_output)
{
  if (argv.empty()) {
    return fail(ExitCode::runtime, "child_failed", "no program to run");
  }
  Pipe out;
  Pipe err;
  if (::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(err.fd, O_CLOEXEC) != 0) {
    return fail(ExitCode::runtime, "child_failed", std::string("pipe: ") + std::strerror(errno), argv[0]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return fail(ExitCode::runtime, "child_failed", std::string("cannot start: ") + std::strerror(rc), argv[0]);
  }
  ::close(out.fd[1]);
  out.fd[1] = -1;
  ::close(err.fd[1]);
  err.fd[1] = -1;

  Drained drained = drain_pipes({out.fd[0], err.fd[0]},
                                std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms), max_output);
  const std::string problem = drained.end == Drained::End::deadline   ? std::string("timed out")
                              : drained.end == Drained::End::too_much ? std::string("printed more than the allowed output")
                                                                      : drained.problem;
  if (!problem.empty()) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!problem.empty()) {
    return fail(ExitCode::runtime, "child_failed", problem, argv[0]);
  }
  ChildResult result;
  result.out = std::move(drained.bytes[0]);
  result.err = std::move(drained.bytes[1]);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace helios
