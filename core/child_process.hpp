#pragma once
// Runs a program with arguments (no shell), capturing its stdout and stderr apart, with a deadline and a
// cap on what it may print. Stdin is /dev/null. Used where one helios process asks another for its JSON
// document (the native host): unlike run_process (core/process.hpp), stdout stays free of stderr and may
// exceed 1 MiB.

#include <string>
#include <vector>

#include "core/error.hpp"

namespace helios {

struct ChildResult {
  int exit_code = -1;      // the program's exit status, or 128 + signal when a signal ended it
  std::string out;         // its stdout
  std::string err;         // its stderr
};

// Fails (runtime) when the program cannot be started, runs past `timeout_ms` (it is killed) or prints
// more than `max_output` bytes on either stream (it is killed).
Result<ChildResult> run_child(const std::vector<std::string>& argv, int timeout_ms = 15000,
                              std::size_t max_output = 64 * 1024 * 1024);

}  // namespace helios
