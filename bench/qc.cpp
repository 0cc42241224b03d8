// bench/qc: `helios qc` as a whole process (start-up, manifest, plan, policies, output) with 10 policies
// over a plan of 1,000 resources. Prints the median of 15 runs and its ratio to the 50 ms target.
//   build/bench/bench_qc [RUNS]        (finds build/helios next to build/bench/)
//   build/bench/bench_qc --fixture DIR (only writes the manifest, plan and policies into DIR and prints the
//                                       command, e.g. to profile it with valgrind --tool=callgrind)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace fs = std::filesystem;

namespace {

const char* const policies[10] = {
  R"(package main
deny_budget contains msg if {
  cost := object.get(input, ["placement", "cost_usd"], 0)
  budget := object.get(input, ["manifest", "spec", "budget", "monthly_usd"], 0)
  cost > budget
  msg := sprintf("cost %v over budget %v", [cost, budget])
})",
  R"(package main
allowed := {r | some r in input.manifest.spec.regions}
deny_region contains msg if {
  some a in input.placement.assignments
  not a.region in allowed
  msg := {"msg": sprintf("%s placed in %s", [a.workload, a.region]), "workload": a.workload}
})",
  R"(package main
deny_provider contains msg if {
  some a in input.placement.assignments
  a.provider in {p | some p in object.get(input.manifest.spec, ["providers", "deny"], [])}
  msg := {"msg": sprintf("%s uses denied provider %s", [a.workload, a.provider]), "workload": a.workload}
})",
  R"(package main
warn_headroom contains msg if {
  some a in input.placement.assignments
  some dim, used in a.utilisation
  used > 0.8
  msg := {"msg": sprintf("%s uses %.0f%% of %s", [a.workload, used * 100, dim]), "workload": a.workload}
})",
  R"(package main
deny_secrets contains msg if {
  some w in input.manifest.spec.workloads
  some k, v in object.get(w, ["runtime", "env"], {})
  regex.match(`^(ghp_|sk-|gsk_|hf_|AKIA)`, v)
  msg := {"msg": sprintf("%s sets %s to a token", [w.name, k]), "workload": w.name}
})",
  R"(package main
by_workload[w] contains a.provider if {
  some a in input.placement.assignments
  w := a.workload
}
deny_spread contains msg if {
  some w in input.manifest.spec.workloads
  w.critical == true
  count(by_workload[w.name]) < 2
  msg := {"msg": sprintf("%s is not spread", [w.name]), "workload": w.name}
})",
  R"(package main
production if input.manifest.metadata.environment == "production"
deny_unconfirmed contains msg if {
  production
  some a in input.placement.assignments
  input.catalog[a.offering].confidence == "unconfirmed"
  msg := sprintf("%s relies on unconfirmed %s", [a.workload, a.offering])
})",
  R"(package main
names := [w.name | some w in input.manifest.spec.workloads]
deny_names contains msg if {
  some n in names
  not regex.match("^[a-z][a-z0-9-]*$", n)
  msg := sprintf("bad name %s", [n])
})",
  R"(package main
kinds := {"compute", "hosting", "database", "storage", "ai"}
deny_kind contains msg if {
  some w in input.manifest.spec.workloads
  not w.kind in kinds
  msg := sprintf("%s has kind %v", [w.name, w.kind])
})",
  R"(package main
placed := {a.workload | some a in input.placement.assignments}
warn_unplaced contains msg if {
  some w in input.manifest.spec.workloads
  not placed[w.name]
  msg := sprintf("%s is not placed", [w.name])
})",
};

struct Run {
  double wall_ms = 0;
  double cpu_ms = 0;  // user + system time of the child: less disturbed than wall time on a busy machine
};

Run run_once(const std::string& helios, const std::vector<std::string>& args)
{
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(helios.c_str()));
  for (const auto& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, helios.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "bench_qc: cannot run %s\n", helios.c_str());
    std::exit(1);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  Run run;
  run.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  run.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
    std::fprintf(stderr, "bench_qc: helios qc exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    std::exit(1);
  }
  return run;
}

}  // namespace

int main(int argc, char** argv)
{
  const bool fixture_only = argc > 2 && std::string(argv[1]) == "--fixture";
  int runs = argc > 1 && !fixture_only ? std::max(3, std::atoi(argv[1])) : 15;
  fs::path exe = fs::read_symlink("/proc/self/exe");
  std::string helios = (exe.parent_path().parent_path() / "helios").string();
  if (!fs::exists(helios)) {
    std::fprintf(stderr, "bench_qc: %s not found; build the helios target\n", helios.c_str());
    return 1;
  }
  fs::path dir = fixture_only ? fs::absolute(argv[2]) : fs::temp_directory_path() / fmt::format("helios-bench-qc-{}", getpid());
  fs::create_directories(dir / "policy");
  for (int i = 0; i < 10; ++i) {
    std::ofstream(dir / "policy" / fmt::format("p{}.rego", i)) << policies[i] << "\n";
  }
  const int n = 1000;
  {
    std::ofstream m(dir / "helios.yaml");
    m << "apiVersion: helios/v1\nkind: Stack\nmetadata:\n  name: bench\n  environment: production\nspec:\n"
         "  budget: { monthly_usd: 0 }\n  regions: [eu, us]\n  providers: { deny: [fly] }\n  workloads:\n";
    for (int i = 0; i < n; ++i) {
      m << fmt::format("    - name: w{}\n      kind: {}\n      critical: {}\n      needs: {{ cpu: 250m, memory: 512Mi }}\n", i,
                       i % 3 == 0 ? "compute" : (i % 3 == 1 ? "database" : "storage"), i % 10 == 0 ? "true" : "false");
      if (i % 3 == 0) {
        m << "      runtime: { image: app }\n";  // a valid manifest without the loader's warnings
      }
    }
  }
  {
    nlohmann::json assignments = nlohmann::json::array();
    const char* providers[] = {"cloudflare", "vercel", "neon", "fly", "supabase"};
    const char* regions[] = {"eu", "us", "eu-west", "ap-south"};
    for (int i = 0; i < n; ++i) {
      assignments.push_back({{"workload", fmt::format("w{}", i)},
                             {"replica", 0},
                             {"offering", fmt::format("{}/product", providers[i % 5])},
                             {"provider", providers[i % 5]},
                             {"region", regions[i % 4]},
                             {"utilisation", {{"requests", (i % 100) / 100.0}, {"storage", (i % 7) / 7.0}}},
                             {"monthly_cost_usd", 0}});
    }
    std::ofstream(dir / "plan.json") << nlohmann::json{{"placement", {{"cost_usd", 0}, {"assignments", assignments}}}}.dump();
  }
  std::vector<std::string> args = {"qc",      "-f",    (dir / "helios.yaml").string(), "--plan", (dir / "plan.json").string(),
                                   "-p",      (dir / "policy").string(), "--format", "json"};
  if (fixture_only) {
    std::printf("%s", helios.c_str());
    for (const auto& a : args) {
      std::printf(" %s", a.c_str());
    }
    std::printf("\n");
    return 0;
  }
  run_once(helios, args);  // warm the page cache
  std::vector<double> times;
  std::vector<double> cpu;
  for (int i = 0; i < runs; ++i) {
    Run r = run_once(helios, args);
    times.push_back(r.wall_ms);
    cpu.push_back(r.cpu_ms);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu.begin(), cpu.end());
  double median = times[times.size() / 2];
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("bench_qc: helios qc, 10 policies, plan of %d resources, %d runs (load average %.2f)\n", n, runs, load[0]);
  std::printf("  median %.1f ms  (min %.1f, max %.1f)\n", median, times.front(), times.back());
  std::printf("  cpu (user+sys) median %.1f ms  (min %.1f)\n", cpu[cpu.size() / 2], cpu.front());
  std::printf("  target 50 ms: ratio %.2f (%s)\n", median / 50.0, median <= 50.0 ? "met" : "NOT met");
  fs::remove_all(dir);
  return 0;
}
