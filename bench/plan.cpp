// bench/plan: `helios plan --refresh=false` of a stack whose state already records 1,000 resources and
// needs no change (issue 4 target: ≤ 200 ms). Prints the median of several runs of the real binary, the
// median of the core diff alone (make_plan), and the ratio to the target.
//   build/bench/bench_plan [RESOURCES] [RUNS]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/manifest.hpp"
#include "core/placement/place.hpp"
#include "core/plan.hpp"
#include "core/process.hpp"
#include "core/state/repository.hpp"
#include "core/state/resource_record.hpp"
#include "providers/builtin_catalog.hpp"

namespace fs = std::filesystem;
using namespace helios;

namespace {

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 7;
  const fs::path exe = fs::canonical("/proc/self/exe");
  const std::string helios = std::getenv("HELIOS") ? std::getenv("HELIOS") : (exe.parent_path().parent_path() / "helios").string();
  char tmpl[] = "/tmp/helios-bench-plan-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string manifest = (dir / "stack.yaml").string();
  const std::string state_dir = (dir / "state").string();
  {
    std::ofstream out(manifest);
    out << "apiVersion: helios/v1\nkind: Stack\nmetadata:\n  name: bench\nspec:\n  regions: [local]\n"
           "  providers: { allow: [local] }\n  workloads:\n";
    for (int i = 0; i < n; ++i) {
      out << "    - { name: w" << i << ", kind: storage, needs: { storage: 1Mi } }\n";
    }
  }
  auto stack = load_manifest(manifest);
  if (!stack) {
    std::fprintf(stderr, "bench_plan: %s\n", stack.error().to_string().c_str());
    return 1;
  }
  auto catalog = providers::effective_catalog({});
  auto placed = placement::place(*stack, *catalog, {}, PlacementOptions{});
  if (!placed) {
    std::fprintf(stderr, "bench_plan: %s\n", placed.error().to_string().c_str());
    return 1;
  }
  const auto desired = desired_resources(*stack, *placed);
  // The state: one record per resource, as apply would have written them.
  auto repo = state::Repository::open(state_dir).value();
  std::vector<state::Change> changes;
  for (const auto& d : desired) {
    state::ResourceRecord r;
    r.address = d.address;
    r.workload = d.workload;
    r.kind = d.spec.kind;
    r.provider = d.provider;
    r.offering = d.offering;
    r.account = d.account;
    r.region = d.region;
    r.status = "ready";
    r.spec = state::to_json(d.spec);
    r.spec_digest = state::spec_digest(d.spec);
    r.depends_on = d.depends_on;
    Resource res;
    res.provider = d.provider;
    res.type = "directory";
    res.name = d.spec.name;
    res.id = "/nonexistent/" + d.spec.name;
    res.status = "ready";
    res.outputs["path"] = res.id + "/data";
    r.resource = res;
    changes.push_back({state::resource_path(stack->name, d.address), state::render_record(r)});
  }
  state::CommitInfo info;
  info.command = "bench";
  info.stack = stack->name;
  repo->commit(repo->tip().value(), changes, info).value();

  std::vector<double> core_ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto snap = repo->snapshot().value();
    auto plan = make_plan(stack->name, desired, snap, nullptr, nullptr, PlanOptions{false, false, {}, {}});
    core_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!plan || plan->has_changes()) {
      std::fprintf(stderr, "bench_plan: the core plan is not empty\n");
      return 1;
    }
  }
  std::vector<double> cli_ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_process({helios, "--state", state_dir, "-f", manifest, "plan", "--refresh=false", "--detailed-exitcode"},
                         std::chrono::seconds(120));
    cli_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!r || r->exit_code != 0) {
      std::fprintf(stderr, "bench_plan: helios plan exited %d: %s\n", r ? r->exit_code : -1,
                   r ? r->output.substr(0, 400).c_str() : "");
      return 1;
    }
  }
  const double target = 200;
  std::printf("bench/plan: %d resources recorded, no changes, --refresh=false, %d runs\n", n, runs);
  std::printf("  helios plan (whole command: manifest, catalog, placement, state, diff): median %.1f ms  (target %.0f ms, ratio %.2f)\n",
              median(cli_ms), target, median(cli_ms) / target);
  std::printf("  core diff only (make_plan over the state snapshot):                     median %.1f ms\n", median(core_ms));
  fs::remove_all(dir);
  return median(cli_ms) <= target ? 0 : 2;
}
