#include <doctest/doctest.h>

#include "core/host_manifest.hpp"

using namespace helios::host_manifest;

TEST_SUITE_BEGIN("host_manifest");

TEST_CASE("Per-user host directories follow XDG_CONFIG_HOME, else HOME/.config")
{
  CHECK(host_directory(Browser::chromium, "", {{"HOME", "/home/a"}}).value() ==
        "/home/a/.config/chromium/NativeMessagingHosts");
  CHECK(host_directory(Browser::chrome, "", {{"HOME", "/home/a"}}).value() ==
        "/home/a/.config/google-chrome/NativeMessagingHosts");
  CHECK(host_directory(Browser::chromium, "", {{"HOME", "/home/a"}, {"XDG_CONFIG_HOME", "/x/cfg"}}).value() ==
        "/x/cfg/chromium/NativeMessagingHosts");
  // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
  CHECK(host_directory(Browser::chromium, "", {{"HOME", "/h"}, {"XDG_CONFIG_HOME", "rel"}}).value() ==
        "/h/.config/chromium/NativeMessagingHosts");
  CHECK_FALSE(host_directory(Browser::chromium, "", {}).has_value());
}

TEST_CASE("A user data dir takes precedence and is made absolute")
{
  CHECK(host_directory(Browser::chrome, "/tmp/p/", {}).value() == "/tmp/p/NativeMessagingHosts");
  const std::string relative = host_directory(Browser::chromium, "prof", {}).value();
  CHECK(relative.front() == '/');
  CHECK(relative.ends_with("/prof/NativeMessagingHosts"));
}

TEST_CASE("Extension ids are 32 letters a to p")
{
  CHECK(valid_extension_id("gfdbiljgkggmngehnendpaefknaeabgi"));
  CHECK_FALSE(valid_extension_id("gfdbiljgkggmngehnendpaefknaeabg"));
  CHECK_FALSE(valid_extension_id("zfdbiljgkggmngehnendpaefknaeabgi"));
  CHECK_FALSE(valid_extension_id("GFDBILJGKGGMNGEHNENDPAEFKNAEABGI"));
}

TEST_CASE("The manifest names the launcher, stdio and exactly one origin")
{
  const auto doc = manifest_document("io.helios.companion", "/x/l.sh", "gfdbiljgkggmngehnendpaefknaeabgi");
  CHECK(doc["name"] == "io.helios.companion");
  CHECK(doc["path"] == "/x/l.sh");
  CHECK(doc["type"] == "stdio");
  CHECK(doc["allowed_origins"] == nlohmann::json::array({"chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi/"}));
  CHECK(doc["description"].get<std::string>().size() > 10);
}

TEST_CASE("The launcher quotes every path for the shell")
{
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  const std::string script = launcher_script("/opt/he lios", "/st'ate", "/m.json");
  CHECK(script.starts_with("#!/bin/sh\n"));
  CHECK(script.find("exec '/opt/he lios' --state '/st'\\''ate' native-host --host-manifest '/m.json' \"$@\"") !=
        std::string::npos);
}
