// Start-up speed of the commands agents call often, as whole processes: the median wall time of
// `helios --version` and `helios catalog list --json` over N runs each, with `git --version` measured
// in the same run as a yardstick. Targets (issue 2): --version <= 3 ms, catalog list --json <= 15 ms.
//
//   build/bench/bench_startup [--runs N] [--helios PATH]
//
// Each run is posix_spawn + waitpid with stdout and stderr on /dev/null; the runs of the three commands
// are interleaved so that a load spike on the machine hits all of them alike.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Sample {
  double wall_ms = 0;
  double cpu_ms = 0;  // user + system of the child: what the process itself cost, whatever the load
};

Sample run_once(const std::vector<std::string>& argv)
{
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    std::fprintf(stderr, "bench_startup: cannot run %s\n", args[0]);
    std::exit(1);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  const auto end = std::chrono::steady_clock::now();
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_startup: %s exited with %d\n", argv[0].c_str(), WEXITSTATUS(status));
    std::exit(1);
  }
  const auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return {std::chrono::duration<double, std::milli>(end - start).count(), ms(usage.ru_utime) + ms(usage.ru_stime)};
}

struct Series {
  std::string label;
  std::vector<std::string> argv;
  double target_ms = 0;  // 0: none (the yardstick)
  std::vector<double> times;
  std::vector<double> cpu;

  [[nodiscard]] double percentile(double p) const { return percentile_of(times, p); }
  static double percentile_of(std::vector<double> sorted, double p)
  {
    std::sort(sorted.begin(), sorted.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[index];
  }
};

}  // namespace

int main(int argc, char** argv)
{
  int runs = 50;
  std::string helios = (std::filesystem::path(argv[0]).parent_path().parent_path() / "helios").string();
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--helios") == 0 && i + 1 < argc) {
      helios = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--helios PATH]\n", argv[0]);
      return 2;
    }
  }
  std::vector<Series> series = {
    {"git --version", {"git", "--version"}, 0, {}, {}},
    {"helios --version", {helios, "--version"}, 3.0, {}, {}},
    {"helios catalog list --json", {helios, "catalog", "list", "--json"}, 15.0, {}, {}},
  };
  for (auto& s : series) {
    run_once(s.argv);  // warm the page cache
  }
  for (int r = 0; r < runs; ++r) {
    for (auto& s : series) {
      const Sample sample = run_once(s.argv);
      s.times.push_back(sample.wall_ms);
      s.cpu.push_back(sample.cpu_ms);
    }
  }
  const double yardstick = series[0].percentile(0.5);
  std::printf("startup: %d runs each, whole processes (%s)\n", runs, helios.c_str());
  std::printf("%-28s %9s %9s %9s %8s %10s  %s\n", "command", "median", "min", "p90", "x git", "cpu median",
              "target (wall median)");
  bool ok = true;
  for (const auto& s : series) {
    const double median = s.percentile(0.5);
    std::string target = "-";
    if (s.target_ms > 0) {
      const bool met = median <= s.target_ms;
      ok = ok && met;
      char text[64];
      std::snprintf(text, sizeof text, "<= %.0f ms %s", s.target_ms, met ? "met" : "MISSED");
      target = text;
    }
    std::printf("%-28s %7.2f ms %6.2f ms %6.2f ms %7.2fx %7.2f ms  %s\n", s.label.c_str(), median, s.percentile(0.0),
                s.percentile(0.9), median / yardstick, Series::percentile_of(s.cpu, 0.5), target.c_str());
  }
  return ok ? 0 : 3;
}
