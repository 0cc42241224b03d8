#include "core/pipe_drain.hpp"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <unistd.h>

namespace helios {

Drained drain_pipes(const std::vector<int>& fds, std::chrono::steady_clock::time_point deadline, std::size_t max_each)
{
  Drained drained;
  drained.bytes.resize(fds.size());
  std::vector<char> open(fds.size(), 1);
  std::size_t still_open = fds.size();
  std::vector<pollfd> polled(fds.size());
  char buffer[65536];
  while (still_open > 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      drained.end = Drained::End::deadline;
      return drained;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      polled[i] = {open[i] != 0 ? fds[i] : -1, POLLIN, 0};
    }
    const int ready = ::poll(polled.data(), polled.size(), static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      drained.end = Drained::End::failed;
      drained.problem = std::string("poll: ") + std::strerror(errno);
      return drained;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (open[i] == 0 || polled[i].revents == 0) {
        continue;
      }
      const ssize_t got = ::read(fds[i], buffer, sizeof buffer);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
        continue;
      }
      if (got <= 0) {
        open[i] = 0;  // the writer closed its end
        --still_open;
        continue;
      }
      drained.bytes[i].append(buffer, static_cast<std::size_t>(got));
      if (drained.bytes[i].size() > max_each) {
        drained.end = Drained::End::too_much;
        return drained;
      }
    }
  }
  return drained;
}

}  // namespace helios
