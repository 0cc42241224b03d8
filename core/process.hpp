#pragma once
// Runs an external program to completion with a timeout, capturing its output. Used for tools helios
// drives (mermaid-cli, git for fsck in tests); long-lived supervised processes are the local provider's.

#include <chrono>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace helios {

struct ProcessResult {
  int exit_code = -1;     // the program's exit status; -1 when killed by a signal
  bool timed_out = false;
  std::string output;     // stdout and stderr, interleaved, truncated to 1 MiB
};

// Runs argv[0] (looked up in PATH) with argv. Fails (exit runtime) only when the program cannot start.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::vector<std::pair<std::string, std::string>>& extra_env = {});

// The full path of an executable found in PATH, or empty.
std::string find_in_path(const std::string& name);

}  // namespace helios
