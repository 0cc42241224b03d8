// helios render: Mermaid diagrams of a stack's placement, quota use and state history, and of a
// directory of .mmd files (docs/diagrams); SVG/PNG through mermaid-cli with the system Chromium.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/render_sources.hpp"
#include "core/render/mermaid.hpp"
#include "core/render/mermaid_cli.hpp"

namespace helios::cli {

namespace fs = std::filesystem;

namespace {

struct RenderOptions {
  std::string directory;               // positional: a directory of .mmd files
  std::string plan;                    // --plan plan.json
  std::string what = "all";            // placement | quota | history | all
  std::vector<std::string> formats;    // mermaid | svg | png (comma-separated allowed)
  std::string output;                  // -o DIR
};

std::vector<std::string> split_formats(const std::vector<std::string>& given)
{
  std::vector<std::string> formats;
  for (const auto& item : given) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (!part.empty()) {
        formats.push_back(part);
      }
    }
  }
  if (formats.empty()) {
    formats.emplace_back("mermaid");
  }
  for (const auto& f : formats) {
    if (f != "mermaid" && f != "svg" && f != "png") {
      throw Error(ExitCode::usage, "invalid_format", fmt::format("unknown format '{}'", f), "--format",
                  "use mermaid, svg or png (several separated by commas)");
    }
  }
  return formats;
}

std::string read_text(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& path, const std::string& text)
{
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    throw Error(ExitCode::runtime, "io", fmt::format("cannot write {}", path.string()));
  }
}

struct Named {
  std::string name;     // file stem
  std::string mermaid;  // text
};

// Renders named diagrams into `dir` in every format; returns the files written.
std::vector<std::string> render_all(const std::vector<Named>& diagrams, const std::vector<std::string>& formats,
                                    const fs::path& dir, bool subdir_per_format)
{
  std::vector<std::string> written;
  std::vector<render::Diagram> pictures;
  for (const auto& format : formats) {
    for (const auto& d : diagrams) {
      const fs::path base = subdir_per_format && format != "mermaid" ? dir / format : dir;
      if (format == "mermaid") {
        const fs::path file = base / (d.name + ".mmd");
        write_text(file, d.mermaid);
        written.push_back(file.string());
      } else {
        const fs::path file = base / (d.name + "." + format);
        pictures.push_back({d.mermaid, file.string()});
        written.push_back(file.string());
      }
    }
  }
  if (!pictures.empty()) {
    const auto cli = value_or_throw(render::find_mermaid_cli());
    value_or_throw(render::render_diagrams(cli, pictures));
  }
  return written;
}

void run_render(Context& ctx, const RenderOptions& opt)
{
  const auto formats = split_formats(opt.formats);
  std::vector<Named> diagrams;
  fs::path out_dir = opt.output;
  bool subdir_per_format = false;

  if (!opt.directory.empty()) {
    // Directory mode: every .mmd file in it, rendered to DIR/svg and DIR/png (or -o).
    if (!fs::is_directory(opt.directory)) {
      throw Error(ExitCode::usage, "not_a_directory", fmt::format("'{}' is not a directory", opt.directory), "",
                  "give a directory of .mmd files, e.g. helios render docs/diagrams --format svg");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(opt.directory)) {
      if (entry.is_regular_file() && entry.path().extension() == ".mmd") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      throw Error(ExitCode::usage, "no_diagrams", fmt::format("no .mmd files in {}", opt.directory));
    }
    for (const auto& f : files) {
      diagrams.push_back({f.stem().string(), read_text(f)});
    }
    if (out_dir.empty()) {
      out_dir = opt.directory;
    }
    subdir_per_format = true;
    std::vector<std::string> only_pictures;
    std::copy_if(formats.begin(), formats.end(), std::back_inserter(only_pictures),
                 [](const auto& f) { return f != "mermaid"; });
    if (only_pictures.empty()) {
      throw Error(ExitCode::usage, "invalid_format", "a directory of .mmd files renders to svg or png", "--format",
                  "helios render docs/diagrams --format svg,png");
    }
    const auto written = render_all(diagrams, only_pictures, out_dir, subdir_per_format);
    emit(ctx, {{"diagrams", diagrams.size()}, {"files", written}}, [&] {
      for (const auto& w : written) {
        std::cout << w << "\n";
      }
    });
    return;
  }

  // Stack mode: diagrams generated from the real placement, ledger and state history.
  const StackSources sources = load_stack_sources(ctx, opt.plan, opt.what);
  if (opt.what == "placement" || opt.what == "all") {
    diagrams.push_back({"placement", render::placement_flowchart(sources.stack, sources.placement)});
  }
  if (opt.what == "quota" || opt.what == "all") {
    diagrams.push_back({"quota", render::quota_chart(sources.quota, "Free quota used: " + sources.stack.name)});
  }
  if (opt.what == "history" || opt.what == "all") {
    diagrams.push_back({"history", render::history_graph(sources.history)});
  }

  if (out_dir.empty() && formats.size() == 1 && formats.front() == "mermaid") {
    // No -o: Mermaid text on stdout.
    nlohmann::json doc = {{"stack", sources.stack.name}, {"diagrams", nlohmann::json::array()}};
    for (const auto& d : diagrams) {
      doc["diagrams"].push_back({{"name", d.name}, {"format", "mermaid"}, {"text", d.mermaid}});
    }
    emit(ctx, doc, [&] {
      for (const auto& d : diagrams) {
        std::cout << "%% " << d.name << "\n" << d.mermaid << "\n";
      }
    });
    return;
  }
  if (out_dir.empty()) {
    out_dir = "helios-diagrams";
  }
  const auto written = render_all(diagrams, formats, out_dir, false);
  nlohmann::json doc = {{"stack", sources.stack.name}, {"files", written}, {"diagrams", nlohmann::json::array()}};
  for (const auto& d : diagrams) {
    doc["diagrams"].push_back({{"name", d.name}, {"format", "mermaid"}, {"text", d.mermaid}});
  }
  emit(ctx, doc, [&] {
    for (const auto& w : written) {
      std::cout << w << "\n";
    }
  });
}

void setup_render(CLI::App& app, Context& ctx)
{
  auto opt = std::make_shared<RenderOptions>();
  auto* sub = app.add_subcommand("render", "Draw a stack's placement, quota use and state history as Mermaid, SVG or PNG");
  sub->add_option("directory", opt->directory, "A directory of .mmd files to render (e.g. docs/diagrams)");
  sub->add_option("--plan", opt->plan, "Draw the placement recorded in a saved plan file");
  sub->add_option("--what", opt->what, "placement | quota | history | all")
    ->check(CLI::IsMember({"placement", "quota", "history", "all"}));
  sub->add_option("--format", opt->formats, "mermaid | svg | png, several separated by commas (default mermaid)");
  sub->add_option("-o,--output", opt->output, "Directory to write the diagrams to");
  sub->footer("Examples:\n"
              "  helios render -f examples/hobby.yaml --what placement\n"
              "  helios render -f examples/hobby.yaml --format svg,png -o diagrams/\n"
              "  helios render docs/diagrams --format svg,png");
  sub->callback([&ctx, opt] { run_render(ctx, *opt); });
}

}  // namespace

HELIOS_COMMAND("render", 110, setup_render);

}  // namespace helios::cli
