// bench/apply: 500 resources created through a provider adapter against a fake server that adds 50 ms
// of latency to every call, at parallelism 1, 10 (Terraform's default) and 16, in the same run.
// Prints wall time against the ideal (calls × latency ÷ parallelism) and the ratio; target ≤ 1.5 × ideal
// at 16. Resources are Cloudflare R2 buckets (one POST per create), driven the way apply drives them:
// N worker threads each calling Provider::create, all sharing the one transport (curl multi loop); then
// the same creates through the real apply engine (plan, intent/result journal commits, one fold into main, lock)
// at 10 and 16.
//
// Usage: bench_apply [--resources 500] [--latency-ms 50] [--runs 3] [--fake PATH]
// The fake is build/tests/fakes/helios_fake (found next to this binary's build tree, or --fake / HELIOS_FAKE).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/apply.hpp"
#include "core/http/transport.hpp"
#include "core/plan.hpp"
#include "core/state/repository.hpp"
#include "providers/registry.hpp"

using namespace helios;

namespace {

struct Fake {
  pid_t pid = -1;
  int port = 0;
};

Fake start_fake(const std::string& binary, int latency_ms)
{
  int out[2];
  if (pipe(out) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  Fake fake;
  fake.pid = fork();
  if (fake.pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string latency = std::to_string(latency_ms);
    execl(binary.c_str(), binary.c_str(), "--family", "cloudflare", "--port", "0", "--account", "bench", "--latency-ms",
          latency.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') {
    line += c;
  }
  close(out[0]);
  if (line.empty()) {
    fmt::print(stderr, "bench_apply: the fake server {} did not start\n", binary);
    std::exit(1);
  }
  fake.port = std::stoi(line);
  return fake;
}

long fake_counter(const Fake& fake, const std::string& path, const std::string& key, const std::string& method = "GET")
{
  http::Transport transport;
  http::Request request;
  request.method = method;
  request.url = fmt::format("http://127.0.0.1:{}{}", fake.port, path);
  auto response = transport.perform(request);
  if (!response || response->status != 200) {
    return -1;
  }
  auto body = nlohmann::json::parse(response->body, nullptr, false);
  return key.empty() || body.is_discarded() ? 0 : body.value(key, 0L);
}

struct RunResult {
  double seconds = 0;
  long calls = 0;
  long failures = 0;
};

RunResult run(const Fake& fake, int resources, int parallelism, int round)
{
  fake_counter(fake, "/_fake/reset", "", "POST");
  Credentials credentials{"bench", "test-token", "bench", ""};
  std::atomic<int> next{0};
  std::atomic<long> failures{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < parallelism; ++w) {
    workers.emplace_back([&] {
      auto adapter = providers::make_provider("cloudflare");
      for (int i = next++; i < resources; i = next++) {
        ResourceSpec spec;
        spec.stack = "bench";
        spec.workload = fmt::format("w{}-{}-{}", parallelism, round, i);
        spec.name = "helios-bench-" + spec.workload;
        spec.kind = WorkloadKind::storage;
        if (!adapter->create(spec, credentials)) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : workers) {
    t.join();
  }
  RunResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.calls = fake_counter(fake, "/_fake/requests", "total");
  result.failures = failures;
  long created = fake_counter(fake, "/_fake/inventory", "count");
  if (created != resources) {
    fmt::print(stderr, "bench_apply: expected {} buckets at the fake, found {}\n", resources, created);
  }
  return result;
}

// The same creates through the real apply engine (make_plan + apply_plan over a fresh state repository:
// an intent commit before and a result commit after each provider call, the stack's lock held).
RunResult run_engine(const Fake& fake, int resources, int parallelism, int round)
{
  fake_counter(fake, "/_fake/reset", "", "POST");
  char tmpl[] = "/tmp/helios-bench-apply.XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  auto repo = state::Repository::open((dir / "state").string());
  RunResult result;
  if (!repo) {
    fmt::print(stderr, "bench_apply: {}\n", repo.error().message);
    std::filesystem::remove_all(dir);
    result.failures = resources;
    return result;
  }
  auto adapter = providers::make_provider("cloudflare");
  ProviderLookup lookup = [&adapter](const std::string&) -> Provider* { return adapter.get(); };
  CredentialsLookup creds = [](const std::string&, const std::string&) -> Result<Credentials> {
    return Credentials{"bench", "test-token", "bench", ""};
  };
  const std::string stack = fmt::format("bench{}x{}", parallelism, round);
  std::vector<DesiredResource> desired;
  for (int i = 0; i < resources; ++i) {
    DesiredResource d;
    d.workload = fmt::format("b{}", i);
    d.address = d.workload;
    d.provider = "cloudflare";
    d.offering = "cloudflare/r2";
    d.region = "global";
    d.spec.stack = stack;
    d.spec.workload = d.workload;
    d.spec.name = resource_name(stack, d.workload, 0);
    d.spec.kind = WorkloadKind::storage;
    d.spec.offering = d.offering;
    d.spec.product = "r2";
    desired.push_back(std::move(d));
  }
  auto started = std::chrono::steady_clock::now();
  auto plan = make_plan(stack, desired, (*repo)->snapshot().value(), lookup, creds, PlanOptions{false, false, {}, {}});
  if (plan) {
    ApplyOptions options;
    options.parallelism = parallelism;
    options.actor = "bench@apply";
    auto report = apply_plan(*repo, *plan, lookup, creds, options);
    result.failures = report ? report->failed + report->not_started : resources;
  } else {
    result.failures = resources;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.calls = fake_counter(fake, "/_fake/requests", "total");
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace

int main(int argc, char** argv)
{
  int resources = 500;
  int latency_ms = 50;
  int runs = 3;
  std::string fake_binary = std::getenv("HELIOS_FAKE") ? std::getenv("HELIOS_FAKE") : "";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--resources") {
      resources = std::atoi(argv[i + 1]);
    } else if (arg == "--latency-ms") {
      latency_ms = std::atoi(argv[i + 1]);
    } else if (arg == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (arg == "--fake") {
      fake_binary = argv[i + 1];
    }
  }
  if (fake_binary.empty()) {
    auto self = std::filesystem::canonical("/proc/self/exe");
    fake_binary = (self.parent_path().parent_path() / "tests" / "fakes" / "helios_fake").string();
  }
  Fake fake = start_fake(fake_binary, latency_ms);
  setenv("HELIOS_CLOUDFLARE_API_URL", fmt::format("http://127.0.0.1:{}/client/v4", fake.port).c_str(), 1);
  setenv("HELIOS_CLOUDFLARE_API_RATE", "unlimited", 1);  // the fake has no rate limit; measure the transport

  fmt::print("bench_apply: {} resources (R2 bucket creates through the cloudflare adapter), fake latency {} ms per call\n",
             resources, latency_ms);
  fmt::print("driver: N threads calling Provider::create concurrently over the shared curl-multi transport (as apply does)\n");
  fmt::print("{:>11} {:>6} {:>7} {:>10} {:>10} {:>8} {:>9}\n", "parallelism", "runs", "calls", "median s", "ideal s", "ratio",
             "failures");
  // Runs `one` n times; prints the row (median wall time against the ideal); returns the ratio.
  const auto measure = [&](int parallelism, int n, const auto& one) {
    std::vector<double> times;
    long calls = 0, failures = 0;
    for (int r = 0; r < n; ++r) {
      auto result = one(fake, resources, parallelism, r);
      times.push_back(result.seconds);
      calls = result.calls;
      failures += result.failures;
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    const double ideal = static_cast<double>(calls) * latency_ms / 1000.0 / parallelism;
    fmt::print("{:>11} {:>6} {:>7} {:>10.3f} {:>10.3f} {:>8.3f} {:>9}\n", parallelism, n, calls, median, ideal,
               median / ideal, failures);
    return median / ideal;
  };
  bool target_met = true;
  for (int parallelism : {1, 10, 16}) {
    const int n = parallelism == 1 ? 1 : runs;  // one sequential run takes resources × latency already
    const double ratio = measure(parallelism, n, run);
    if (parallelism == 16 && ratio > 1.5) {
      target_met = false;
    }
  }
  fmt::print("through the apply engine (make_plan + apply_plan: a journal commit before and after each call, one commit on main):\n");
  for (int parallelism : {10, 16}) {
    measure(parallelism, runs, run_engine);
  }
  auto stats = http::Transport::shared().stats();
  fmt::print("transport: {} requests, {} attempts, {} retries, {} connections opened, max {} in flight\n", stats.requests,
             stats.attempts, stats.retries, stats.connections, stats.max_in_flight);
  fmt::print("target (≤ 1.5 × ideal at parallelism 16): {}\n", target_met ? "met" : "NOT met");
  kill(fake.pid, SIGTERM);
  waitpid(fake.pid, nullptr, 0);
  return target_met ? 0 : 1;
}
