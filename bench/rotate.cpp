// bench_rotate: the figures of issue 6 for `helios rotate`.
//  1. Whole-process `helios --json rotate` latency with 20 providers in the pool and 100,000 ledger rows
//     (target: median ≤ 5 ms).
//  2. 32 concurrent agents × 300 reservations against a quota of 5,000: exactly 5,000 granted, every other
//     call exit 4, no error from database contention.
// Usage: bench_rotate [HELIOS_BINARY] [--agents N] [--calls N] [--quota N] [--runs N]   (defaults: ../helios,
// 32, 300, 5000, 101; `--agents 4 --calls 30 --quota 50 --runs 11` is the smoke version the tests run).

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include <fmt/format.h>

#include "core/ledger.hpp"

namespace fs = std::filesystem;
using helios::Ledger;

namespace {

int run(const std::vector<std::string>& args, bool quiet = true)
{
  std::fflush(stdout);  // the child must not print our buffered lines again
  const pid_t pid = fork();
  if (pid == 0) {
    if (quiet) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
    }
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
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
  std::string helios = (fs::path(argv[0]).parent_path() / ".." / "helios").lexically_normal().string();
  int agents = 32, calls = 300, quota = 5000, runs = 101;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--agents" && i + 1 < argc) {
      agents = std::atoi(argv[++i]);
    } else if (a == "--calls" && i + 1 < argc) {
      calls = std::atoi(argv[++i]);
    } else if (a == "--quota" && i + 1 < argc) {
      quota = std::atoi(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else {
      helios = a;
    }
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("helios-bench-rotate-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  // 20 providers, one offering each, all serving the workload; plus a tight pool for the contention run.
  std::ofstream catalog(dir / "catalog.yaml");
  catalog << "apiVersion: helios/v1\nkind: Catalog\nofferings:\n";
  std::string models;
  for (int p = 1; p <= 21; ++p) {
    const std::string name = fmt::format("bench{:02}", p);
    const bool tight = p == 21;
    catalog << fmt::format(
      "  - id: {0}/model\n    provider: {0}\n    product: {1}\n    kind: ai\n    regions: [global]\n"
      "    api: openai-compatible\n    model: m-{0}\n    base_url: http://127.0.0.1:9/{0}/v1\n    credential_env: BENCH_KEY\n"
      "    free:\n      - {{ dimension: requests, amount: {2}, period: day, scope: organization, reset: \"00:00 UTC\" }}\n"
      "      - {{ dimension: tokens, amount: 1000000, period: minute, scope: organization }}\n"
      "    overage: hard_cap\n    source: https://example.com/bench\n    as_of: 2026-11-26\n    confidence: confirmed\n",
      name, tight ? "tight-model" : "model-" + name, tight ? quota : 100000000);
    if (!tight) {
      models += (models.empty() ? "" : ", ") + std::string("model-") + name;
    }
  }
  catalog.close();
  std::ofstream manifest(dir / "helios.yaml");
  manifest << "apiVersion: helios/v1\nkind: Stack\nmetadata:\n  name: bench\nspec:\n  workloads:\n"
           << "    - name: llm\n      kind: ai\n      split: true\n      models: [" << models << "]\n"
           << "      needs: { requests: 1000/day }\n"
           << "    - name: tight\n      kind: ai\n      models: [tight-model]\n      needs: { requests: 100/day }\n";
  manifest.close();
  setenv("HELIOS_CATALOG_PATH", (dir / "catalog.yaml").c_str(), 1);
  setenv("BENCH_KEY", "bench-key", 1);
  const std::string state = (dir / "state").string();
  const std::vector<std::string> base = {helios, "--json", "--state", state, "-f", (dir / "helios.yaml").string(), "rotate"};

  // Warm up: computes and caches both pools.
  auto cmd = base;
  cmd.insert(cmd.end(), {"--workload", "llm"});
  if (int rc = run(cmd, false); rc != 0) {
    std::fprintf(stderr, "bench_rotate: helios rotate failed (exit %d)\n", rc);
    return 1;
  }
  auto tight = base;
  tight.insert(tight.end(), {"--workload", "tight", "--reserve", "requests=0"});
  run(tight);
  // 100,000 ledger rows: a month of per-minute token buckets spread over the 20 providers.
  {
    auto ledger = helios::value_or_throw(Ledger::open(state));
    sqlite3* db = ledger->handle();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO usage(provider, account, pool, dimension, period, reset, bucket, used) "
                           "VALUES(?, 'default', ?, 'tokens', 'minute', 'rolling', ?, 10)", -1, &st, nullptr);
    const long long now = helios::now_ms();
    for (int i = 0; i < 100000; ++i) {
      const std::string p = fmt::format("bench{:02}", i % 20 + 1);
      const std::string pool = p + "/model";
      sqlite3_bind_text(st, 1, p.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, pool.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 3, now - 120'000 - static_cast<long long>(i / 20) * 1000);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_stmt* count = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM usage", -1, &count, nullptr);
    sqlite3_step(count);
    std::printf("ledger rows: %lld\n", static_cast<long long>(sqlite3_column_int64(count, 0)));
    sqlite3_finalize(count);
  }
  // 1. Latency of whole-process rotate.
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run(cmd);
    const auto t1 = std::chrono::steady_clock::now();
    if (rc != 0) {
      std::fprintf(stderr, "bench_rotate: helios rotate exit %d\n", rc);
      return 1;
    }
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::vector<double> version_times;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    run({helios, "--version"});
    version_times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double med = median(times);
  std::printf("rotate --json, 20 providers, 100k ledger rows: median %.2f ms over %d runs (target <= 5 ms: %s); "
              "`helios --version` baseline %.2f ms, ratio %.2f\n",
              med, runs, med <= 5.0 ? "met" : "NOT met", median(version_times), med / median(version_times));

  // 2. Contention: agents × calls whole-process reservations against a quota.
  std::atomic<int> granted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  const auto c0 = std::chrono::steady_clock::now();
  for (int a = 0; a < agents; ++a) {
    threads.emplace_back([&] {
      auto call = base;
      call.insert(call.end(), {"--workload", "tight", "--reserve", "requests=1"});
      for (int i = 0; i < calls; ++i) {
        const int rc = run(call);
        if (rc == 0) {
          ++granted;
        } else if (rc == 4) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  double used = 0;
  {
    auto ledger = helios::value_or_throw(Ledger::open(state));
    const helios::QuotaOwner owner{"bench21", "default", "bench21/model"};
    used = helios::value_or_throw(ledger->used(owner, "requests", helios::Window{helios::Period::day, helios::default_reset(helios::Period::day)}, helios::now_ms()));
  }
  const bool exact = granted == std::min(quota, agents * calls) && refused == agents * calls - granted && other == 0 &&
                     used == granted;
  std::printf("contention: %d agents x %d reservations vs quota %d: granted %d, exit 4 %d, other errors %d, ledger %.0f "
              "(%.1f s, %.0f calls/s): %s\n",
              agents, calls, quota, granted.load(), refused.load(), other.load(), used, secs, agents * calls / secs,
              exact ? "exact" : "NOT exact");
  if (std::getenv("HELIOS_BENCH_KEEP") != nullptr) {
    std::printf("kept %s\n", dir.c_str());
  } else {
    fs::remove_all(dir);
  }
  return exact ? 0 : 1;
}
