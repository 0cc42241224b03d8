// helios init [DIR]: writes a commented starter manifest (DIR/helios.yaml, or -f FILE) that validates.
// It refuses to overwrite an existing manifest without --force, and writes atomically (a temporary file
// renamed into place), so an interrupted init leaves nothing half-written.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/starter_manifest.hpp"

namespace helios::cli {

namespace {

struct InitOptions {
  std::string dir = ".";
  std::string name;
  bool force = false;
};

// Writes `text` to `path` atomically; without `force` it fails if `path` exists (even if created
// concurrently: the temporary file is linked into place, which refuses an existing name).
void write_atomically(const std::filesystem::path& path, const std::string& text, bool force)
{
  std::string tmp = (path.parent_path() / (path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    throw Error(ExitCode::runtime, "io_error",
                fmt::format("cannot write in {}: {}", path.parent_path().string(), std::strerror(errno)),
                path.string(), "check the directory's permissions");
  }
  const auto discard = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(ExitCode::runtime, "io_error", fmt::format("{} {}: {}", what, path.string(), std::strerror(err)),
                path.string());
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      discard("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0) {
    discard("cannot write");
  }
  ::close(fd);
  if (force) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      throw Error(ExitCode::runtime, "io_error", fmt::format("cannot write {}: {}", path.string(), std::strerror(err)),
                  path.string());
    }
    return;
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (err == EEXIST) {
      throw Error(ExitCode::usage, "file_exists", "a manifest already exists here", path.string(),
                  "keep it and check it with `helios validate`, or pass --force to overwrite it");
    }
    throw Error(ExitCode::runtime, "io_error", fmt::format("cannot write {}: {}", path.string(), std::strerror(err)),
                path.string());
  }
}

void run_init(Context& ctx, const InitOptions& options)
{
  namespace fs = std::filesystem;
  const fs::path dir = options.dir.empty() ? fs::path(".") : fs::path(options.dir);
  const fs::path manifest = ctx.manifest.empty() ? dir / "helios.yaml" : fs::path(ctx.manifest);

  std::string name = options.name;
  if (name.empty()) {
    std::error_code ec;
    const fs::path absolute = fs::weakly_canonical(fs::absolute(manifest.parent_path().empty() ? fs::path(".")
                                                                                               : manifest.parent_path()),
                                                   ec);
    name = stack_name_from(ec ? std::string() : absolute.filename().string());
  } else if (!valid_name(name)) {
    throw Error(ExitCode::usage, "usage", fmt::format("'{}' is not a valid stack name", name), "--name",
                "use 1 to 63 lowercase letters, digits and '-', starting with a letter, e.g. my-app");
  }
  if (!options.force && fs::exists(manifest)) {
    throw Error(ExitCode::usage, "file_exists", "a manifest already exists here",
                manifest.string(), "keep it and check it with `helios validate`, or pass --force to overwrite it");
  }

  const std::string text = starter_manifest(name);
  // The starter must validate; checked before anything is written.
  value_or_throw(parse_manifest(text, manifest.string()));

  std::vector<std::string> created;
  const fs::path parent = manifest.parent_path().empty() ? fs::path(".") : manifest.parent_path();
  std::error_code ec;
  if (!fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) {
      throw Error(ExitCode::runtime, "io_error", fmt::format("cannot create {}: {}", parent.string(), ec.message()),
                  parent.string(), "check the path and its permissions");
    }
    created.push_back(parent.string());
  }
  write_atomically(manifest, text, options.force);
  created.push_back(manifest.string());

  // Step 2 of init, the empty state repository beside the manifest (ctx.state_path()), belongs to
  // core/state (issue 4) and is called here, after the manifest is written.

  nlohmann::json doc = {{"manifest", manifest.string()},
                        {"stack", name},
                        {"created", created},
                        {"next", {fmt::format("helios validate -f {}", manifest.string()),
                                  fmt::format("helios place -f {}", manifest.string())}}};
  emit(ctx, doc, [&] {
    std::printf("wrote %s (stack '%s')\n", manifest.string().c_str(), name.c_str());
    std::printf("next:  helios validate -f %s\n       helios place -f %s\n", manifest.string().c_str(),
                manifest.string().c_str());
  });
}

void setup_init(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<InitOptions>();
  auto* cmd = app.add_subcommand("init", "Write a commented starter manifest (helios.yaml) that validates");
  cmd->add_option("dir", options->dir, "Directory to write helios.yaml in (created if missing; default: .)");
  cmd->add_option("--name", options->name, "Stack name (default: made from the directory's name)");
  cmd->add_flag("--force", options->force, "Overwrite an existing manifest");
  cmd->footer("Example:\n  helios init my-stack && helios validate -f my-stack/helios.yaml");
  cmd->callback([&ctx, options] { run_init(ctx, *options); });
}

}  // namespace

HELIOS_COMMAND("init", 10, setup_init);

}  // namespace helios::cli
