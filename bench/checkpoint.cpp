// bench_checkpoint: the figures of issue 6 for `helios checkpoint`.
//  1. `helios checkpoint save` of 1 MB as a whole process: median (target ≤ 30 ms); the in-process save too.
//  2. 1,000 saves of a 1 MB state changing 1 % per step: the state repository's size after `git gc`
//     against the 1 GB a naive copy per step would take.
// Usage: bench_checkpoint [HELIOS_BINARY] [--saves N] [--runs N]   (defaults ../helios, 1000, 31; the tests
// run `--saves 20 --runs 5`).

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/checkpoint.hpp"

namespace fs = std::filesystem;

namespace {

int run(const std::vector<std::string>& args, const std::string& input_file)
{
  std::fflush(stdout);  // the child must not print our buffered lines again
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen(input_file.c_str(), "r", stdin);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    std::vector<char*> argv;
    for (const auto& a : args) {
      argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::uintmax_t dir_size(const fs::path& dir)
{
  std::uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() != "ledger.db") {
      total += e.file_size();
    }
  }
  return total;
}

}  // namespace

int main(int argc, char** argv)
{
  std::string helios = (fs::path(argv[0]).parent_path() / ".." / "helios").lexically_normal().string();
  int saves = 1000, runs = 31;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--saves" && i + 1 < argc) {
      saves = std::atoi(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else {
      helios = a;
    }
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("helios-bench-checkpoint-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  // A 1 MB state of JSON-like text (what agents save): compressible, but not trivially.
  std::mt19937 rng(42);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz      ,.:{}\"0123456789\n";
  std::string state(1 << 20, ' ');
  for (auto& c : state) {
    c = alphabet[rng() % alphabet.size()];
  }
  const fs::path input = dir / "state.bin";
  {
    std::ofstream(input, std::ios::binary) << state;
  }

  // 1. Whole-process saves of 1 MB (fresh content each run, so nothing is deduplicated).
  const std::string process_state = (dir / "process").string();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    state[static_cast<std::size_t>(rng() % state.size())] = 'X';
    std::ofstream(input, std::ios::binary | std::ios::trunc) << state;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run({helios, "--state", process_state, "checkpoint", "save", "--agent", "bench", "--task", "process", "-"},
                       input.string());
    if (rc != 0) {
      std::fprintf(stderr, "bench_checkpoint: helios checkpoint save exit %d\n", rc);
      return 1;
    }
    if (i > 0) {  // the first creates the repository
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  const double med = median(times);
  std::printf("checkpoint save 1 MB (whole process): median %.2f ms over %zu runs (target <= 30 ms: %s)\n", med,
              times.size(), med <= 30.0 ? "met" : "NOT met");

  // 2. Many saves of a 1 MB state changing 1 % per step, in-process, then git gc.
  const std::string chain_state = (dir / "chain").string();
  helios::CheckpointStore store(chain_state);
  std::vector<double> in_process;
  for (int i = 0; i < saves; ++i) {
    const std::size_t span = state.size() / 100;  // 1 % of the bytes change each step, in one region
    const std::size_t at = static_cast<std::size_t>(rng() % (state.size() - span));
    for (std::size_t k = 0; k < span; ++k) {
      state[at + k] = alphabet[rng() % alphabet.size()];
    }
    helios::CheckpointSave request;
    request.agent = "bench";
    request.task = "chain";
    request.step = i;
    request.data = state;
    const auto t0 = std::chrono::steady_clock::now();
    auto saved = store.save(request);
    in_process.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!saved) {
      std::fprintf(stderr, "bench_checkpoint: save %d failed: %s\n", i, saved.error().message.c_str());
      return 1;
    }
  }
  const double before = static_cast<double>(dir_size(chain_state));
  const std::string gc = fmt::format("git -C '{}' gc --quiet 2>&1", chain_state);
  if (std::system(gc.c_str()) != 0) {
    std::fprintf(stderr, "bench_checkpoint: git gc failed\n");
    return 1;
  }
  const double after = static_cast<double>(dir_size(chain_state));
  const double naive = static_cast<double>(saves) * static_cast<double>(state.size());
  std::printf("%d saves of 1 MB changing 1%%/step: in-process median %.2f ms; repository %.1f MB loose, %.1f MB after "
              "git gc, vs %.1f MB naive copies (%.1fx smaller)\n",
              saves, median(in_process), before / 1e6, after / 1e6, naive / 1e6, naive / after);
  if (std::getenv("HELIOS_BENCH_KEEP") != nullptr) {
    std::printf("kept %s\n", dir.c_str());
  } else {
    fs::remove_all(dir);
  }
  return 0;
}
