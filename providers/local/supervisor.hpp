#pragma once
// Detached, supervised local processes for the local provider: a supervisor (double-forked, in its own
// session) runs `sh -c COMMAND` in its own process group, restarts it with backoff when it exits, and on
// SIGTERM stops the group (SIGKILL after a grace period). Files in the resource directory:
// supervisor.lock (held by the live supervisor), supervisor.pid ("pid starttime"), child.pid, output.log.

#include <chrono>
#include <map>
#include <string>

#include "core/error.hpp"

namespace helios::providers::local {

struct ProcessSpec {
  std::string command;                      // run with /bin/sh -c
  std::string dir;                          // working directory and where the pid/log files go
  int port = 0;                             // exported as PORT
  std::map<std::string, std::string> env;   // extra environment
};

// Starts the supervisor; returns its pid.
Result<long> start_supervised(const ProcessSpec& spec);
// The pid of the process holding <dir>/supervisor.lock (the live supervisor), 0 when none.
long lock_holder(const std::string& dir);
// Whether the supervisor of `dir` still runs: the lock's holder, else the recorded pid (pid reuse is
// recognised by start time).
bool supervisor_alive(const std::string& dir);
// Stops the supervisor and its process group; fine when nothing runs.
Result<void> stop_supervised(const std::string& dir, std::chrono::milliseconds grace = std::chrono::seconds(5));

// HTTP GET http://127.0.0.1:PORT/PATH answers 2xx or 3xx within the timeout.
bool http_ok(int port, const std::string& path, std::chrono::milliseconds timeout);
// Polls http_ok until it answers or `deadline` passes, or the supervisor died.
bool wait_healthy(const std::string& dir, int port, const std::string& path, std::chrono::milliseconds deadline);
// Whether nothing listens on 127.0.0.1:PORT.
bool port_free(int port);
// A port the kernel considers free now.
int pick_free_port();

// Field 22 of /proc/<pid>/stat (start time in ticks), empty when the process is gone or a zombie.
std::string process_start_time(long pid);

}  // namespace helios::providers::local
