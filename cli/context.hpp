#pragma once
// What every command shares: the global flags (DESIGN.md "Commands") and the output mode.

#include <string>
#include <vector>

namespace helios::cli {

struct Context {
  bool json = false;                  // --json: exactly one JSON document on stdout
  bool color = false;                 // colour only on a TTY, never with NO_COLOR or --json
  std::string state_dir;              // --state DIR (else HELIOS_STATE, else .helios beside the manifest)
  std::string manifest;               // -f/--file MANIFEST
  std::vector<std::string> catalogs;  // --catalog FILE (also HELIOS_CATALOG_PATH, ':'-separated)
  int exit_code = 0;                  // set by the command that ran

  // The manifest path, or the default "helios.yaml" in the working directory.
  [[nodiscard]] std::string manifest_path() const;
  // --state, else HELIOS_STATE, else ".helios" beside the manifest.
  [[nodiscard]] std::string state_path() const;
  // User catalog files in merge order: HELIOS_CATALOG_PATH entries, then --catalog files (a later file
  // overrides an earlier one by id, so flags win over the environment).
  [[nodiscard]] std::vector<std::string> catalog_paths() const;
};

}  // namespace helios::cli
