#include "core/render/mermaid_cli.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/process.hpp"

namespace helios::render {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_install_hint =
  "run scripts/bootstrap from the helios source tree (it installs Debian's chromium, nodejs and npm, then "
  "`npm ci` with PUPPETEER_SKIP_DOWNLOAD=1), or set HELIOS_MMDC to an mmdc and HELIOS_CHROMIUM to a "
  "Chromium; `--format mermaid` needs neither";

std::string env(const char* name)
{
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string executable(const fs::path& path)
{
  std::error_code ec;
  if (fs::exists(path, ec) && access(path.c_str(), X_OK) == 0) {
    return fs::absolute(path, ec).string();
  }
  return {};
}

// A scratch directory removed when it goes out of scope.
struct ScratchDir {
  fs::path path;
  ScratchDir()
  {
    std::string pattern = (fs::temp_directory_path() / "helios-render.XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) {
      path = pattern;
    }
  }
  ~ScratchDir()
  {
    std::error_code ec;
    if (!path.empty()) {
      fs::remove_all(path, ec);
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

Result<void> write_file(const fs::path& path, const std::string& text)
{
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    return fail(ExitCode::runtime, "io", fmt::format("cannot write {}", path.string()));
  }
  return {};
}

// Runs mmdc over one markdown file holding every diagram of one format.
Result<void> run_batch(const MermaidCli& cli, const fs::path& dir, const std::vector<const Diagram*>& batch,
                       const std::string& format)
{
  std::string markdown;
  for (const auto* diagram : batch) {
    markdown += "```mermaid\n" + diagram->mermaid + (diagram->mermaid.ends_with('\n') ? "" : "\n") + "```\n\n";
  }
  const fs::path input = dir / fmt::format("diagrams-{}.md", format);
  const fs::path output = dir / fmt::format("out-{}.md", format);
  const fs::path artefacts = dir / fmt::format("art-{}", format);
  fs::create_directories(artefacts);
  if (auto w = write_file(input, markdown); !w) {
    return w;
  }
  auto run = run_process({cli.mmdc, "--quiet", "-p", (dir / "puppeteer.json").string(), "-i", input.string(), "-o",
                          output.string(), "-e", format, "-a", artefacts.string()},
                         std::chrono::seconds(180), {{"PUPPETEER_SKIP_DOWNLOAD", "1"}});
  if (!run) {
    return tl::unexpected(run.error());
  }
  if (run->timed_out) {
    return fail(ExitCode::runtime, "render_timeout", "mermaid-cli did not finish within 180 s", cli.mmdc,
                "check that Chromium starts: chromium --headless --no-sandbox --dump-dom about:blank");
  }
  if (run->exit_code != 0) {
    std::string log = run->output;
    if (log.size() > 1500) {
      log = log.substr(0, 1500) + " …";
    }
    return fail(ExitCode::runtime, "render_failed", fmt::format("mermaid-cli failed: {}", log), "",
                "render with --format mermaid to see the generated text");
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const fs::path produced = artefacts / fmt::format("out-{}-{}.{}", format, i + 1, format);
    std::error_code ec;
    const fs::path target = batch[i]->output;
    if (target.has_parent_path()) {
      fs::create_directories(target.parent_path(), ec);
    }
    fs::copy_file(produced, target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return fail(ExitCode::runtime, "render_failed",
                  fmt::format("mermaid-cli produced no {} for {}: {}", format, target.string(), ec.message()));
    }
  }
  return {};
}

}  // namespace

Result<MermaidCli> find_mermaid_cli()
{
  MermaidCli cli;
  std::vector<fs::path> candidates;
  const std::string explicit_mmdc = env("HELIOS_MMDC");
  if (!explicit_mmdc.empty()) {
    candidates.emplace_back(explicit_mmdc);  // an explicit choice is the only candidate
  } else if (const std::string p = find_in_path("mmdc"); !p.empty()) {
    candidates.emplace_back(p);
  }
  if (explicit_mmdc.empty()) {
    candidates.emplace_back(fs::current_path() / "node_modules/.bin/mmdc");
#ifdef HELIOS_SOURCE_DIR_FOR_TOOLS
    candidates.emplace_back(fs::path(HELIOS_SOURCE_DIR_FOR_TOOLS) / "node_modules/.bin/mmdc");
#endif
  }
  for (const auto& c : candidates) {
    if (cli.mmdc = executable(c); !cli.mmdc.empty()) {
      break;
    }
  }
  if (cli.mmdc.empty()) {
    return fail(ExitCode::runtime, "mermaid_cli_missing", "mermaid-cli (mmdc) was not found", "", k_install_hint);
  }
  const std::string explicit_chromium = env("HELIOS_CHROMIUM");
  const std::vector<std::string> browsers =
    explicit_chromium.empty()
      ? std::vector<std::string>{"/usr/bin/chromium", find_in_path("chromium"), find_in_path("chromium-browser"),
                                 find_in_path("google-chrome")}
      : std::vector<std::string>{explicit_chromium};
  for (const std::string& c : browsers) {
    if (!c.empty()) {
      if (cli.chromium = executable(c); !cli.chromium.empty()) {
        break;
      }
    }
  }
  if (cli.chromium.empty()) {
    return fail(ExitCode::runtime, "chromium_missing", "Chromium was not found (mermaid-cli needs a browser)", "",
                k_install_hint);
  }
  return cli;
}

Result<void> render_diagrams(const MermaidCli& cli, const std::vector<Diagram>& diagrams)
{
  if (diagrams.empty()) {
    return {};
  }
  ScratchDir dir;
  if (dir.path.empty()) {
    return fail(ExitCode::runtime, "io", "cannot create a temporary directory");
  }
  const nlohmann::json puppeteer = {
    {"executablePath", cli.chromium},
    {"headless", true},
    {"args",
     {"--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps"}}};
  if (auto w = write_file(dir.path / "puppeteer.json", puppeteer.dump(2)); !w) {
    return w;
  }
  std::map<std::string, std::vector<const Diagram*>> by_format;
  for (const auto& d : diagrams) {
    const std::string ext = fs::path(d.output).extension().string();
    if (ext != ".svg" && ext != ".png") {
      return fail(ExitCode::usage, "invalid_format", fmt::format("cannot render {}: expected .svg or .png", d.output));
    }
    by_format[ext.substr(1)].push_back(&d);
  }
  for (const auto& [format, batch] : by_format) {
    auto result = run_batch(cli, dir.path, batch, format);
    if (!result && result.error().code == "render_failed" && batch.size() > 1) {
      // Find the broken diagram: render each alone and name the first that fails.
      for (const auto* d : batch) {
        if (auto single = run_batch(cli, dir.path, {d}, format); !single) {
          single.error().where = d->output;
          return single;
        }
      }
    }
    if (!result) {
      return result;
    }
  }
  return {};
}

}  // namespace helios::render
