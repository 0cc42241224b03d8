#include "core/forked_call.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/pipe_drain.hpp"

namespace helios {

namespace {

// Copies killed at their deadline and not yet gone: the kernel frees a large copy's memory in tens of
// milliseconds, which the caller should not wait for. They are reaped at the next call (or by init).
std::mutex& unreaped_mutex()
{
  static std::mutex mutex;
  return mutex;
}

std::vector<pid_t>& unreaped()
{
  static std::vector<pid_t> pids;
  return pids;
}

void reap_finished()
{
  std::lock_guard<std::mutex> lock(unreaped_mutex());
  auto& pids = unreaped();
  std::erase_if(pids, [](pid_t pid) {
    int status = 0;
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    return got == pid || (got < 0 && errno == ECHILD);
  });
}

// In the copy: write everything, then leave without running the parent's destructors or atexit handlers.
[[noreturn]] void answer_and_exit(int fd, const std::function<std::string()>& work)
{
  int code = 0;
  try {
    const std::string bytes = work();
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t put = ::write(fd, p, left);
      if (put < 0 && errno == EINTR) {
        continue;
      }
      if (put <= 0) {
        code = 1;
        break;
      }
      p += put;
      left -= static_cast<std::size_t>(put);
    }
  } catch (...) {
    code = 1;
  }
  ::_exit(code);
}

}  // namespace

Result<ForkedOutcome> call_forked(const std::function<std::string()>& work,
                                  std::chrono::steady_clock::time_point deadline)
{
  reap_finished();
  int fd[2] = {-1, -1};
  if (::pipe2(fd, O_CLOEXEC) != 0) {
    return fail(ExitCode::runtime, "fork_failed", std::string("pipe: ") + std::strerror(errno));
  }
  // Buffered output goes out now, once: the copy would otherwise hold it too.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fd[0]);
    ::close(fd[1]);
    return fail(ExitCode::runtime, "fork_failed", std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fd[0]);
    // The copy prints nothing: a library that prints or flushes (CBC's message handler does) writes to
    // /dev/null.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    } else {
      ::close(STDOUT_FILENO);
      ::close(STDERR_FILENO);
    }
    answer_and_exit(fd[1], work);
  }
  ::close(fd[1]);

  Drained drained = drain_pipes({fd[0]}, deadline);
  ::close(fd[0]);
  ForkedOutcome outcome;
  if (drained.end != Drained::End::closed) {
    ::kill(pid, SIGKILL);
    {
      std::lock_guard<std::mutex> lock(unreaped_mutex());
      unreaped().push_back(pid);
    }
    if (drained.end == Drained::End::failed) {
      return fail(ExitCode::runtime, "fork_failed", drained.problem);
    }
    outcome.status = ForkedOutcome::Status::timed_out;
    return outcome;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(ExitCode::runtime, "fork_failed",
                WIFSIGNALED(status) ? fmt::format("the forked computation was ended by signal {}", WTERMSIG(status))
                                    : fmt::format("the forked computation failed (exit {})", WEXITSTATUS(status)));
  }
  outcome.bytes = std::move(drained.bytes[0]);
  return outcome;
}

}  // namespace helios
