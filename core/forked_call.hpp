#pragma once
// Runs a computation in a forked copy of this process under a hard deadline. For library code that cannot
// be stopped from outside and does not always stop itself in time (CBC checks its time limit between
// steps, not inside a long LP solve): when the deadline passes the copy is killed, and the caller still
// answers on time. The copy gets the parent's memory as it was at the fork (copy-on-write) and only the
// calling thread, so `work` must only compute: no locks another thread may hold, no output, no files.

#include <chrono>
#include <functional>
#include <string>

#include "core/error.hpp"

namespace helios {

struct ForkedOutcome {
  enum class Status { finished, timed_out };
  Status status = Status::finished;
  std::string bytes;  // what `work` returned, when finished
};

// Fails (runtime) when no copy can be made (fork or pipe failed) or when the copy ended without an answer
// (it crashed, threw, or was killed by something else): the caller can then run `work` in-process.
Result<ForkedOutcome> call_forked(const std::function<std::string()>& work,
                                  std::chrono::steady_clock::time_point deadline);

}  // namespace helios
