#include "providers/local/supervisor.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace helios::providers::local {

namespace {

volatile sig_atomic_t g_stop = 0;

void on_term(int)
{
  g_stop = 1;
}

// Async-signal-safe: writes a decimal number and a newline to a new file.
void write_pid_file(const char* path, long value)
{
  char buf[32];
  int n = 0;
  char digits[24];
  int d = 0;
  if (value == 0) {
    digits[d++] = '0';
  }
  while (value > 0 && d < 20) {
    digits[d++] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  while (d > 0) {
    buf[n++] = digits[--d];
  }
  buf[n++] = '\n';
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, buf, static_cast<size_t>(n));
    ::close(fd);
  }
}

void sleep_ms(long ms)
{
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  ::nanosleep(&ts, nullptr);
}

// The supervisor's loop; runs in the forked process and uses only async-signal-safe calls.
[[noreturn]] void supervise(const char* sh, char* const argv[], char* const envp[], const char* child_pid_path,
                            const char* supervisor_pid_path, const char* lock_path)
{
  // First thing: the resource's supervisor lock, held by the kernel for this process's lifetime. A helios
  // killed right after forking a supervisor may race a second apply starting another one: whichever
  // takes the lock runs, the other exits before starting anything. The lock's holder is how helios finds
  // the live supervisor (lock_holder), whatever the pid file says.
  const int lock_fd = ::open(lock_path, O_RDWR | O_CREAT, 0600);
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (lock_fd < 0 || ::fcntl(lock_fd, F_SETLK, &fl) != 0) {
    ::_exit(0);
  }
  write_pid_file(supervisor_pid_path, ::getpid());
  struct sigaction sa{};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGHUP, SIG_IGN);
  // A supervisor whose resource directory is gone (deleted by hand, or a test's temp dir removed while a
  // killed apply's supervisor was starting) can no longer be found by helios: it stops its process and exits.
  long ticks = 0;
  const auto stop_if_orphaned = [&] {
    if (++ticks % 20 == 0 && ::access(lock_path, F_OK) != 0) {
      g_stop = 1;
    }
  };
  long restarts = 0;
  pid_t child = -1;
  while (!g_stop) {
    child = ::fork();
    if (child == 0) {
      ::setpgid(0, 0);
      ::signal(SIGTERM, SIG_DFL);
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGHUP, SIG_DFL);
      ::execve(sh, argv, envp);
      ::_exit(127);
    }
    if (child < 0) {
      sleep_ms(1000);
      continue;
    }
    ::setpgid(child, child);
    write_pid_file(child_pid_path, child);
    long waited_after_stop = -1;
    for (;;) {
      int status = 0;
      const pid_t r = ::waitpid(child, &status, WNOHANG);
      if (r == child || (r < 0 && errno == ECHILD)) {
        break;
      }
      if (g_stop) {
        if (waited_after_stop < 0) {
          ::kill(-child, SIGTERM);
          waited_after_stop = 0;
        } else if (waited_after_stop >= 5000) {
          ::kill(-child, SIGKILL);
        }
        waited_after_stop += 50;
      }
      sleep_ms(50);
      stop_if_orphaned();
    }
    ::kill(-child, SIGKILL);  // leftovers of the group
    if (g_stop) {
      break;
    }
    ++restarts;
    const long delay = restarts > 10 ? 5000 : 250 * restarts;
    for (long slept = 0; slept < delay && !g_stop; slept += 50) {
      sleep_ms(50);
      stop_if_orphaned();
    }
  }
  ::_exit(0);
}

long read_first_number(const std::string& path, std::string* second = nullptr)
{
  std::ifstream in(path);
  long value = 0;
  if (!(in >> value)) {
    return 0;
  }
  if (second) {
    in >> *second;
  }
  return value;
}

bool process_gone(long pid)
{
  return pid <= 0 || process_start_time(pid).empty();
}

}  // namespace

std::string process_start_time(long pid)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) {
    return {};
  }
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) {
    return {};
  }
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) {
      return {};  // a zombie is dead
    }
    if (i == 22) {
      return field;
    }
  }
  return {};
}

Result<long> start_supervised(const ProcessSpec& spec)
{
  // Everything the forked processes need is prepared before fork (no allocation after it).
  const std::string log_path = spec.dir + "/output.log";
  const std::string child_pid_path = spec.dir + "/child.pid";
  const std::string supervisor_pid_path = spec.dir + "/supervisor.pid";
  const std::string lock_path = spec.dir + "/supervisor.lock";
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (key == "PORT" || spec.env.count(key)) {
      continue;
    }
    env_strings.push_back(entry);
  }
  env_strings.push_back("PORT=" + std::to_string(spec.port));
  for (const auto& [k, v] : spec.env) {
    env_strings.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", command = spec.command;
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    if (log_fd >= 0) {
      ::close(log_fd);
    }
    if (null_fd >= 0) {
      ::close(null_fd);
    }
    return fail(ExitCode::runtime, "local_process", fmt::format("cannot open {}: {}", log_path, std::strerror(errno)),
                "local/" + spec.dir);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ::close(log_fd);
    ::close(null_fd);
    return fail(ExitCode::runtime, "local_process", "cannot create a pipe", "local");
  }
  const pid_t first = ::fork();
  if (first == 0) {
    ::setsid();
    const pid_t supervisor = ::fork();
    if (supervisor == 0) {
      ::dup2(null_fd, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      if (::chdir(spec.dir.c_str()) != 0) {
        ::_exit(126);
      }
      // Close inherited descriptors other than stdio (helios's own sockets, repositories, …).
      for (int fd = 3; fd < 1024; ++fd) {
        ::close(fd);
      }
      supervise(sh.c_str(), argv, envp.data(), child_pid_path.c_str(), supervisor_pid_path.c_str(), lock_path.c_str());
    }
    long pid = supervisor;
    (void)!::write(fds[1], &pid, sizeof pid);
    ::_exit(0);
  }
  ::close(fds[1]);
  ::close(log_fd);
  ::close(null_fd);
  long supervisor = -1;
  const ssize_t got = ::read(fds[0], &supervisor, sizeof supervisor);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(first, &status, 0);
  if (first < 0 || got != static_cast<ssize_t>(sizeof supervisor) || supervisor <= 0) {
    return fail(ExitCode::runtime, "local_process", "cannot start the process supervisor", "local");
  }
  // Record pid and start time (recognises pid reuse later). The supervisor writes its bare pid first
  // thing; wait for that write so it cannot land after (and erase) the start time written here.
  for (int i = 0; i < 500 && read_first_number(supervisor_pid_path) != supervisor; ++i) {
    if (process_gone(supervisor)) {
      break;  // it found another supervisor holding the lock and left
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (const long holder = lock_holder(spec.dir); holder > 0 && holder != supervisor) {
    supervisor = holder;  // a supervisor of this resource already runs (see supervise): it is the one
  }
  std::string start;
  for (int i = 0; i < 50 && start.empty(); ++i) {
    start = process_start_time(supervisor);
    if (start.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  const std::string tmp = supervisor_pid_path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << supervisor << " " << start << "\n";
  std::rename(tmp.c_str(), supervisor_pid_path.c_str());
  return supervisor;
}

long lock_holder(const std::string& dir)
{
  const int fd = ::open((dir + "/supervisor.lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  long holder = 0;
  if (::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
    holder = fl.l_pid;
  }
  ::close(fd);
  return holder;
}

bool supervisor_alive(const std::string& dir)
{
  if (lock_holder(dir) > 0) {
    return true;
  }
  std::string start;
  const long pid = read_first_number(dir + "/supervisor.pid", &start);
  if (pid <= 0) {
    return false;
  }
  const std::string now = process_start_time(pid);
  return !now.empty() && (start.empty() || now == start);
}

Result<void> stop_supervised(const std::string& dir, std::chrono::milliseconds grace)
{
  std::string start;
  const long holder = lock_holder(dir);
  const long supervisor = holder > 0 ? holder : read_first_number(dir + "/supervisor.pid", &start);
  const long child = read_first_number(dir + "/child.pid");
  if (supervisor > 0 && supervisor_alive(dir)) {
    ::kill(static_cast<pid_t>(supervisor), SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace + std::chrono::seconds(1);
    while (!process_gone(supervisor) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!process_gone(supervisor)) {
      ::kill(static_cast<pid_t>(supervisor), SIGKILL);
    }
  }
  if (child > 0 && !process_gone(child)) {
    ::kill(-static_cast<pid_t>(child), SIGKILL);
    ::kill(static_cast<pid_t>(child), SIGKILL);
  }
  return {};
}

bool http_ok(int port, const std::string& path, std::chrono::milliseconds timeout)
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request =
      "GET " + (path.empty() ? std::string("/") : path) + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[64] = {};
      std::size_t got = 0;
      while (got < 12) {
        const ssize_t n = ::recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) {
          break;
        }
        got += static_cast<std::size_t>(n);
      }
      // "HTTP/1.x NNN"
      if (got >= 12 && std::strncmp(buf, "HTTP/", 5) == 0) {
        const char* code = std::strchr(buf, ' ');
        ok = code && (code[1] == '2' || code[1] == '3');
      }
    }
  }
  ::close(fd);
  return ok;
}

bool wait_healthy(const std::string& dir, int port, const std::string& path, std::chrono::milliseconds deadline)
{
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (http_ok(port, path, std::chrono::milliseconds(1000))) {
      return true;
    }
    if (!supervisor_alive(dir)) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool port_free(int port)
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return !connected;
}

int pick_free_port()
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace helios::providers::local
