// helios checkpoint: save, restore, list, show and prune agent checkpoints (core/checkpoint.hpp) in the
// state repository.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/checkpoint.hpp"
#include "core/ledger_snapshot.hpp"

namespace helios::cli {

namespace {

struct CheckpointOptions {
  std::string agent;
  std::string task;
  std::optional<long long> step;
  std::vector<std::string> meta;
  std::string input = "-";
  std::string id;
  std::string output;
  int keep = -1;
  bool no_ledger = false;
};

// The whole of a file or of stdin, read in large blocks (a 1 MB state costs a few copies, not a
// stream iterator's per-character calls).
std::string read_input(const std::string& path)
{
  const int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ExitCode::usage, "unreadable_file", fmt::format("cannot read '{}': {}", path, std::strerror(errno)), path,
                "give the file holding the agent's state, or - for stdin");
  }
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    data.reserve(static_cast<std::size_t>(st.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      data.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      const bool failed = n < 0;
      const int error = errno;
      if (fd != STDIN_FILENO) {
        ::close(fd);
      }
      if (failed) {
        throw Error(ExitCode::usage, "unreadable_file", fmt::format("cannot read '{}': {}", path, std::strerror(error)), path,
                    "give the file holding the agent's state, or - for stdin");
      }
      return data;
    }
  }
}

// The ledger's quotas and cooldowns now (not the rotation history), or null when there is no ledger.
nlohmann::json ledger_state(const std::string& state_dir)
{
  auto doc = ledger_snapshot(state_dir, 0);
  if (!doc || doc->is_null()) {
    return nullptr;
  }
  doc->erase("rotations");
  return *doc;
}

std::string human_size(long long bytes)
{
  if (bytes < 1024) {
    return fmt::format("{} B", bytes);
  }
  if (bytes < 1024 * 1024) {
    return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  }
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
}

void save(const Context& ctx, const CheckpointOptions& opts)
{
  CheckpointSave request;
  request.agent = opts.agent;
  request.task = opts.task;
  request.step = opts.step;
  value_or_throw(validate_checkpoint_name("agent", opts.agent));
  value_or_throw(validate_checkpoint_name("task", opts.task));
  for (std::size_t i = 0; i < opts.meta.size(); ++i) {
    const auto& kv = opts.meta[i];
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(ExitCode::usage, "invalid_meta", fmt::format("--meta '{}' is not KEY=VALUE", kv),
                  fmt::format("--meta #{}", i + 1), "example: --meta phase=review");
    }
    request.meta[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  request.data = read_input(opts.input);
  // The provider in use: what `helios rotate --env/--exec` exported, unless --meta provider= says otherwise.
  if (auto it = request.meta.find("provider"); it != request.meta.end()) {
    request.provider = it->second;
  } else if (const char* offering = std::getenv("HELIOS_OFFERING"); offering && *offering) {
    request.provider = offering;
  } else if (const char* provider = std::getenv("HELIOS_PROVIDER"); provider && *provider) {
    request.provider = provider;
  }
  if (!opts.no_ledger) {
    request.ledger = ledger_state(ctx.state_path());
  }
  CheckpointStore store(ctx.state_path());
  const auto meta = value_or_throw(store.save(request));
  emit(ctx, to_json(meta), [&] {
    std::printf("%s\n", meta.id.c_str());
    log(ctx, fmt::format("saved {}/{} step {} ({}, commit {})", meta.agent, meta.task, meta.step, human_size(meta.size),
                         meta.commit.substr(0, 12)));
  });
}

void restore(const Context& ctx, const CheckpointOptions& opts)
{
  if (opts.id.empty() && (opts.agent.empty() || opts.task.empty())) {
    throw Error(ExitCode::usage, "missing_checkpoint", "restore needs --id ID, or --agent and --task for the latest", "",
                "example: helios checkpoint restore --agent coder --task t1 -o state.json");
  }
  if (ctx.json && (opts.output.empty() || opts.output == "-")) {
    throw Error(ExitCode::usage, "missing_output", "restore --json needs -o FILE: stdout carries the JSON document", "--json",
                "example: helios checkpoint restore --agent coder --task t1 -o state.json --json");
  }
  CheckpointStore store(ctx.state_path());
  const auto meta = value_or_throw(store.find(opts.id, opts.agent, opts.task));
  const auto data = value_or_throw(store.data(meta));
  if (!opts.output.empty() && opts.output != "-") {
    // Write beside, then rename: a reader never sees half a file.
    const std::string tmp = opts.output + ".helios-tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) {
        throw Error(ExitCode::runtime, "write_failed", fmt::format("cannot write '{}'", opts.output), opts.output);
      }
    }
    std::filesystem::rename(tmp, opts.output);
  } else {
    std::fwrite(data.data(), 1, data.size(), stdout);
  }
  auto doc = to_json(meta);
  doc["output"] = opts.output.empty() || opts.output == "-" ? nlohmann::json(nullptr) : nlohmann::json(opts.output);
  if (ctx.json) {
    emit(ctx, doc, [] {});
  }
  log(ctx, fmt::format("restored {}/{} step {} ({})", meta.agent, meta.task, meta.step, meta.id));
}

void list(const Context& ctx, const CheckpointOptions& opts)
{
  CheckpointStore store(ctx.state_path());
  const auto all = value_or_throw(store.list(opts.agent, opts.task));
  nlohmann::json doc = {{"checkpoints", nlohmann::json::array()}};
  for (const auto& m : all) {
    auto j = to_json(m);
    j.erase("ledger");
    doc["checkpoints"].push_back(j);
  }
  emit(ctx, doc, [&] {
    if (all.empty()) {
      std::puts("No checkpoints.");
      return;
    }
    Table table({"ID", "AGENT", "TASK", "STEP", "SIZE", "PROVIDER", "CREATED"}, {false, false, false, true, true, false, false});
    for (const auto& m : all) {
      table.add_row({m.id, m.agent, m.task, std::to_string(m.step), human_size(m.size), m.provider.empty() ? "-" : m.provider,
                     m.created_at});
    }
    std::fputs(table.render(ctx).c_str(), stdout);
  });
}

void show(const Context& ctx, const std::string& id)
{
  CheckpointStore store(ctx.state_path());
  const auto meta = value_or_throw(store.find(id));
  const auto doc = to_json(meta);
  emit(ctx, doc, [&] { std::printf("%s\n", doc.dump(2).c_str()); });
}

void prune(const Context& ctx, const CheckpointOptions& opts)
{
  CheckpointStore store(ctx.state_path());
  const auto removed = value_or_throw(store.prune(opts.keep, opts.agent, opts.task));
  emit(ctx, {{"removed", removed}, {"keep", opts.keep}},
       [&] { std::printf("removed %zu checkpoint(s), kept the newest %d per task\n", removed.size(), opts.keep); });
}

void setup_checkpoint(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<CheckpointOptions>();
  auto* cmd = app.add_subcommand("checkpoint", "Save, restore, list, show and prune agent checkpoints");
  cmd->require_subcommand(1, 1);
  cmd->footer("Example:\n  helios checkpoint save --agent coder --task issue-42 --step 3 state.json\n"
              "  helios checkpoint restore --agent coder --task issue-42 -o state.json");

  auto* s = cmd->add_subcommand("save", "Save FILE (or stdin) as the task's next checkpoint");
  s->add_option("--agent", opts->agent, "Agent name")->required();
  s->add_option("--task", opts->task, "Task name")->required();
  s->add_option("--step", opts->step, "Step number, 0 or more (default: the previous step + 1)")->check(CLI::NonNegativeNumber);
  s->add_option("--meta", opts->meta, "KEY=VALUE metadata (repeatable)")->allow_extra_args(false);
  s->add_flag("--no-ledger", opts->no_ledger, "Do not embed a ledger snapshot");
  s->add_option("input", opts->input, "File to save, or - for stdin (default)");
  s->footer("Example:\n  jq -c . state.json | helios checkpoint save --agent coder --task issue-42 --meta phase=tests -");
  s->callback([&ctx, opts] { save(ctx, *opts); });

  auto* r = cmd->add_subcommand("restore", "Write a checkpoint's data to stdout or -o FILE (default: the task's latest)");
  r->add_option("--id", opts->id, "Checkpoint id or unique prefix");
  r->add_option("--agent", opts->agent, "Agent (with --task: its latest checkpoint)");
  r->add_option("--task", opts->task, "Task");
  r->add_option("-o,--output", opts->output, "Write the data here (atomically) instead of stdout");
  r->footer("Example:\n  helios checkpoint restore --agent coder --task issue-42 -o state.json");
  r->callback([&ctx, opts] { restore(ctx, *opts); });

  auto* l = cmd->add_subcommand("list", "List checkpoints, newest first");
  l->add_option("--agent", opts->agent, "Only this agent");
  l->add_option("--task", opts->task, "Only this task");
  l->footer("Example:\n  helios checkpoint list --agent coder");
  l->callback([&ctx, opts] { list(ctx, *opts); });

  auto* sh = cmd->add_subcommand("show", "Show a checkpoint's metadata (step, provider, ledger snapshot)");
  sh->add_option("id", opts->id, "Checkpoint id or unique prefix")->required();
  sh->footer("Example:\n  helios checkpoint show 20261126T0130");
  sh->callback([&ctx, opts] { show(ctx, opts->id); });

  auto* p = cmd->add_subcommand("prune", "Keep only the newest N checkpoints of each task");
  p->add_option("--keep", opts->keep, "How many to keep per task")->required()->check(CLI::NonNegativeNumber);
  p->add_option("--agent", opts->agent, "Only this agent");
  p->add_option("--task", opts->task, "Only this task");
  p->footer("Example:\n  helios checkpoint prune --keep 10");
  p->callback([&ctx, opts] { prune(ctx, *opts); });
}

}  // namespace

HELIOS_COMMAND("checkpoint", 90, setup_checkpoint);

}  // namespace helios::cli
