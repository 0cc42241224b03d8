// helios extension install-host | uninstall-host: registers (or removes) the companion extension's
// native-messaging host with Chromium or Google Chrome (docs/extension.md).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/host_manifest.hpp"
#include "core/native_host.hpp"

namespace helios::cli {

namespace {

namespace fs = std::filesystem;
using host_manifest::Browser;

struct ExtensionOptions {
  std::string browser = "chromium";
  std::string user_data_dir;
  std::string extension_id = native_host::k_extension_id;
};

struct HostFiles {
  std::string directory;
  std::string manifest;
  std::string launcher;
};

std::map<std::string, std::string> environment()
{
  std::map<std::string, std::string> env;
  for (const char* name : {"HOME", "XDG_CONFIG_HOME"}) {
    if (const char* value = std::getenv(name)) {
      env[name] = value;
    }
  }
  return env;
}

HostFiles host_files(const ExtensionOptions& options)
{
  const Browser browser = options.browser == "chrome" ? Browser::chrome : Browser::chromium;
  HostFiles files;
  files.directory = value_or_throw(host_manifest::host_directory(browser, options.user_data_dir, environment()));
  files.manifest = (fs::path(files.directory) / (std::string(native_host::k_host_name) + ".json")).string();
  files.launcher = (fs::path(files.directory) / (std::string(native_host::k_host_name) + ".sh")).string();
  return files;
}

// Writes `text` to `path` through a temporary file and a rename: the file is whole or absent.
void write_whole(const std::string& path, const std::string& text, fs::perms perms)
{
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(ExitCode::runtime, "write_failed", "cannot write the file", path,
                  "check that the directory is writable");
    }
  }
  std::error_code ec;
  fs::permissions(tmp, perms, ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(ExitCode::runtime, "write_failed", "cannot move the file into place: " + ec.message(), path);
  }
}

std::string self_path()
{
  std::error_code ec;
  auto path = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    throw Error(ExitCode::runtime, "no_self_path", "cannot find the path of this helios binary (/proc/self/exe)");
  }
  return path.string();
}

void install_host(Context& ctx, const ExtensionOptions& options)
{
  if (!host_manifest::valid_extension_id(options.extension_id)) {
    throw Error(ExitCode::usage, "invalid_extension_id",
                fmt::format("--extension-id '{}' is not an extension id", options.extension_id.substr(0, 80)),
                "--extension-id", "an id is 32 letters from a to p, as chrome://extensions shows it");
  }
  const HostFiles files = host_files(options);
  std::error_code ec;
  const std::string state = fs::absolute(ctx.state_path(), ec).lexically_normal().string();
  const std::string helios = self_path();

  fs::create_directories(files.directory, ec);
  if (ec) {
    throw Error(ExitCode::runtime, "write_failed", "cannot create the directory: " + ec.message(), files.directory);
  }
  const nlohmann::json manifest =
    host_manifest::manifest_document(native_host::k_host_name, files.launcher, options.extension_id);
  write_whole(files.launcher, host_manifest::launcher_script(helios, state, files.manifest),
              fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                fs::perms::others_exec);
  write_whole(files.manifest, manifest.dump(2) + "\n",
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  const nlohmann::json doc = {{"action", "install-host"},
                              {"browser", options.browser},
                              {"directory", files.directory},
                              {"manifest", files.manifest},
                              {"launcher", files.launcher},
                              {"host_name", native_host::k_host_name},
                              {"extension_id", options.extension_id},
                              {"allowed_origins", manifest["allowed_origins"]},
                              {"state", state},
                              {"helios", helios}};
  emit(ctx, doc, [&] {
    std::printf("installed the native-messaging host for %s\n", options.browser.c_str());
    std::printf("  manifest  %s\n", files.manifest.c_str());
    std::printf("  launcher  %s\n", files.launcher.c_str());
    std::printf("  origin    chrome-extension://%s/\n", options.extension_id.c_str());
    std::printf("  state     %s\n", state.c_str());
    std::printf("Restart the browser's companion popup to connect.\n");
  });
}

void uninstall_host(Context& ctx, const ExtensionOptions& options)
{
  const HostFiles files = host_files(options);
  nlohmann::json removed = nlohmann::json::array();
  for (const auto& path : {files.manifest, files.launcher}) {
    std::error_code ec;
    if (fs::remove(path, ec)) {
      removed.push_back(path);
    } else if (ec) {
      throw Error(ExitCode::runtime, "remove_failed", "cannot remove the file: " + ec.message(), path);
    }
  }
  const nlohmann::json doc = {
    {"action", "uninstall-host"}, {"browser", options.browser}, {"directory", files.directory}, {"removed", removed}};
  emit(ctx, doc, [&] {
    if (removed.empty()) {
      std::printf("no native-messaging host was installed in %s\n", files.directory.c_str());
    }
    for (const auto& path : removed) {
      std::printf("removed %s\n", path.get<std::string>().c_str());
    }
  });
}

void add_common_options(CLI::App* sub, ExtensionOptions& options)
{
  sub->add_option("--browser", options.browser, "Which browser's host directory: chromium or chrome")
    ->check(CLI::IsMember({"chromium", "chrome"}))
    ->capture_default_str();
  sub->add_option("--user-data-dir", options.user_data_dir,
                  "The browser's profile directory (its --user-data-dir); default: the per-user location");
}

void setup_extension(CLI::App& app, Context& ctx)
{
  auto* ext = app.add_subcommand("extension", "Connect the companion browser extension to this helios");
  ext->require_subcommand(1);
  ext->footer("Example:\n  helios extension install-host --browser chromium");

  auto install_options = std::make_shared<ExtensionOptions>();
  auto* install = ext->add_subcommand("install-host", "Write the native-messaging host manifest the browser reads");
  add_common_options(install, *install_options);
  install->add_option("--extension-id", install_options->extension_id,
                      "The extension allowed to call the host (default: the companion in apps/extension)")
    ->capture_default_str();
  install->footer(
    "The host reads the state directory given by --state (or HELIOS_STATE, or .helios here), fixed at install.\n"
    "Example:\n  helios --state ~/stack/.helios extension install-host --browser chrome");
  install->callback([&ctx, install_options]() { install_host(ctx, *install_options); });

  auto uninstall_options = std::make_shared<ExtensionOptions>();
  auto* uninstall = ext->add_subcommand("uninstall-host", "Remove the host manifest and its launcher");
  add_common_options(uninstall, *uninstall_options);
  uninstall->footer("Example:\n  helios extension uninstall-host --browser chromium");
  uninstall->callback([&ctx, uninstall_options]() { uninstall_host(ctx, *uninstall_options); });
}

}  // namespace

HELIOS_COMMAND("extension", 125, setup_extension);

}  // namespace helios::cli
