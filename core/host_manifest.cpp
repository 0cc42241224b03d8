#include "core/host_manifest.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace helios::host_manifest {

std::string_view browser_name(Browser browser)
{
  return browser == Browser::chrome ? "chrome" : "chromium";
}

Result<std::string> host_directory(Browser browser, const std::string& user_data_dir,
                                   const std::map<std::string, std::string>& env)
{
  namespace fs = std::filesystem;
  if (!user_data_dir.empty()) {
    std::error_code ec;
    return (fs::absolute(user_data_dir, ec).lexically_normal() / "NativeMessagingHosts").string();
  }
  fs::path config;
  if (auto it = env.find("XDG_CONFIG_HOME"); it != env.end() && !it->second.empty() && it->second.front() == '/') {
    config = it->second;
  } else if (auto home = env.find("HOME"); home != env.end() && !home->second.empty()) {
    config = fs::path(home->second) / ".config";
  } else {
    return fail(ExitCode::usage, "no_home", "neither HOME nor XDG_CONFIG_HOME is set", "",
                "pass --user-data-dir DIR (the browser's profile directory)");
  }
  return (config / (browser == Browser::chrome ? "google-chrome" : "chromium") / "NativeMessagingHosts").string();
}

bool valid_extension_id(std::string_view id)
{
  if (id.size() != 32) {
    return false;
  }
  for (const char c : id) {
    if (c < 'a' || c > 'p') {
      return false;
    }
  }
  return true;
}

nlohmann::json manifest_document(const std::string& host_name, const std::string& launcher_path,
                                 const std::string& extension_id)
{
  return {{"name", host_name},
          {"description", "helios companion: quota, stacks and rotations from the local helios (read-only)"},
          {"path", launcher_path},
          {"type", "stdio"},
          {"allowed_origins", {fmt::format("chrome-extension://{}/", extension_id)}}};
}

std::string shell_quote(std::string_view text)
{
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string launcher_script(const std::string& helios, const std::string& state_dir, const std::string& manifest_path)
{
  return fmt::format(
    "#!/bin/sh\n"
    "# Written by `helios extension install-host`; removed by `helios extension uninstall-host`.\n"
    "# The browser runs this with the calling extension's origin as $1.\n"
    "exec {} --state {} native-host --host-manifest {} \"$@\"\n",
    shell_quote(helios), shell_quote(state_dir), shell_quote(manifest_path));
}

}  // namespace helios::host_manifest
