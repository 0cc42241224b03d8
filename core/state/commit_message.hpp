#pragma once
// The structured message of a state commit: a summary line, an optional body, and git trailers
// (`Helios-Command`, `Helios-Stack`, `Helios-Plan-Digest`, `Helios-Actor`, `Helios-Version`,
// `Helios-Serial`, and any extra ones) that `helios state log` and `git log` both read.

#include <string>
#include <utility>
#include <vector>

namespace helios::state {

struct CommitInfo {
  std::string command;      // "apply", "destroy", "state rollback", "checkpoint save", …
  std::string summary;      // the first line; defaults to "<command>: <stack>"
  std::string body;         // optional paragraph(s)
  std::string stack;        // may be empty (repository-wide commits)
  std::string plan_digest;  // "sha256:…", or empty
  std::string actor;        // default: $HELIOS_ACTOR, else user@host
  std::vector<std::pair<std::string, std::string>> trailers;  // extra trailers, in order
};

// The person or agent acting: $HELIOS_ACTOR, else "<user>@<host>".
std::string default_actor();
// This machine's host name.
std::string host_name();

// Renders the message; `serial` is the repository serial the commit carries.
std::string format_commit_message(const CommitInfo& info, long long serial);

// Reads the trailers (key → value, in order) of a commit message.
std::vector<std::pair<std::string, std::string>> parse_trailers(const std::string& message);

}  // namespace helios::state
