#pragma once
// Reads pipes until their writers close them, a deadline passes or one of them carries more than allowed:
// what a parent does while its child runs (core/child_process.cpp, core/forked_call.cpp).

#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace helios {

struct Drained {
  enum class End { closed, deadline, too_much, failed };
  End end = End::closed;          // closed: every writer closed its end
  std::vector<std::string> bytes;  // what each pipe carried, in the order given
  std::string problem;             // with `failed`: what failed ("poll: …")
};

Drained drain_pipes(const std::vector<int>& fds, std::chrono::steady_clock::time_point deadline,
                    std::size_t max_each = std::numeric_limits<std::size_t>::max());

}  // namespace helios
