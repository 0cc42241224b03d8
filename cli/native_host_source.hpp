#pragma once
// Where `helios native-host` gets its answers: from this same helios binary, run as a child with
// `--json --state DIR <command>`, so the extension sees exactly what the CLI prints (`helios quota --json`
// and friends), a crash or a slow source cannot take the host down, and nothing is written (only
// read-only commands are run). With no state repository (or no ledger) yet, the host answers the empty
// document itself: the commands would have to create one, and the host writes nothing.

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
  // Whether the state directory holds a state repository yet.
  [[nodiscard]] bool has_state() const;

  std::string m_helios;
  std::string m_state_dir;
  std::string m_host_manifest;
  std::string m_origin;
};

}  // namespace helios::cli
