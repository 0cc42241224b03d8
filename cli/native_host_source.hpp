#pragma once
// Where `helios native-host` gets its answers: from this same helios binary, run as a child with
// `--json --state DIR <command>`, so the extension sees exactly what the CLI prints (`helios quota --json`
// and friends), a crash or a slow source cannot take the host down, and nothing is written (only
// read-only commands are run).
//
// SEAM (temporary, docs/extension.md "Sources"): a request whose command is not in this build of helios
// yet is answered from `<state>/companion-seam/<request>.json`, a file in the shape that command will
// print. It goes away as the commands land; `hello` reports which source answers each request.

#include <string>
#include <vector>

#include "core/native_host.hpp"

namespace helios::cli {

class CommandSource final : public native_host::DataSource {
public:
  // helios: this binary's path; state_dir: absolute state directory the host reads.
  CommandSource(std::string helios, std::string state_dir, std::string host_manifest, std::string origin);

  nlohmann::json describe() override;
  Result<nlohmann::json> stacks() override;
  Result<nlohmann::json> quota() override;
  Result<nlohmann::json> rotations(int limit) override;
  Result<nlohmann::json> checkpoints(int limit) override;
  Result<nlohmann::json> catalog(const std::string& provider) override;

private:
  // Runs `helios --json --state DIR <args>` and parses its one JSON document.
  Result<nlohmann::json> run_json(const std::vector<std::string>& args, bool with_state = true);
  // `helios quota --json --rotations N`, or the empty document when no ledger exists yet.
  Result<nlohmann::json> quota_document(int rotations);
  // Reads <state>/companion-seam/<name>.json (the seam for commands not yet in this build).
  Result<nlohmann::json> seam(const std::string& name);
  [[nodiscard]] static bool has_command(const std::string& name);

  std::string m_helios;
  std::string m_state_dir;
  std::string m_host_manifest;
  std::string m_origin;
};

}  // namespace helios::cli
