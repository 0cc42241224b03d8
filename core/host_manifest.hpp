#pragma once
// The native-messaging host manifest and where each browser looks for it (Chromium's chrome_paths.cc):
// per user, $XDG_CONFIG_HOME (default ~/.config)/{chromium,google-chrome}/NativeMessagingHosts, or
// <user-data-dir>/NativeMessagingHosts when the browser runs with --user-data-dir. Beside the manifest
// helios writes a launcher script (the manifest's `path`: Chrome runs it with the caller's origin as
// its first argument), because a manifest cannot pass arguments to `helios native-host`.

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace helios::host_manifest {

enum class Browser { chromium, chrome };

std::string_view browser_name(Browser browser);

// The directory the browser reads host manifests from. `env` is the environment to read HOME and
// XDG_CONFIG_HOME from (tests pass their own). Fails when neither HOME nor a user data dir is known.
Result<std::string> host_directory(Browser browser, const std::string& user_data_dir,
                                   const std::map<std::string, std::string>& env);

// True for a Chrome extension id: 32 letters a to p.
bool valid_extension_id(std::string_view id);

// The manifest document: name, description, path (absolute), type stdio, allowed_origins.
nlohmann::json manifest_document(const std::string& host_name, const std::string& launcher_path,
                                 const std::string& extension_id);

// The launcher: `exec <helios> --state <state> native-host --host-manifest <manifest> "$@"`, quoted.
std::string launcher_script(const std::string& helios, const std::string& state_dir, const std::string& manifest_path);

// Single-quotes a string for /bin/sh.
std::string shell_quote(std::string_view text);

}  // namespace helios::host_manifest
