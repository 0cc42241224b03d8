#include "core/state/commit_message.hpp"

#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

namespace helios::state {

std::string host_name()
{
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
    return "localhost";
  }
  return buf;
}

std::string default_actor()
{
  if (const char* actor = std::getenv("HELIOS_ACTOR"); actor && *actor) {
    return actor;
  }
  std::string user;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) {
    user = pw->pw_name;
  } else if (const char* env = std::getenv("USER"); env && *env) {
    user = env;
  } else {
    user = "uid" + std::to_string(geteuid());
  }
  return user + "@" + host_name();
}

namespace {

// Trailer values are one line.
std::string one_line(std::string value)
{
  for (char& c : value) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return value;
}

}  // namespace

std::string format_commit_message(const CommitInfo& info, long long serial)
{
  std::string summary = info.summary;
  if (summary.empty()) {
    summary = info.stack.empty() ? info.command : info.command + ": " + info.stack;
  }
  std::string out = one_line(summary) + "\n\n";
  if (!info.body.empty()) {
    out += info.body;
    if (out.back() != '\n') {
      out += '\n';
    }
    out += '\n';
  }
  out += fmt::format("Helios-Command: {}\n", one_line(info.command));
  if (!info.stack.empty()) {
    out += fmt::format("Helios-Stack: {}\n", one_line(info.stack));
  }
  if (!info.plan_digest.empty()) {
    out += fmt::format("Helios-Plan-Digest: {}\n", one_line(info.plan_digest));
  }
  out += fmt::format("Helios-Actor: {}\n", one_line(info.actor.empty() ? default_actor() : info.actor));
  out += fmt::format("Helios-Version: {}\n", HELIOS_VERSION);
  out += fmt::format("Helios-Serial: {}\n", serial);
  for (const auto& [key, value] : info.trailers) {
    out += fmt::format("{}: {}\n", one_line(key), one_line(value));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_trailers(const std::string& message)
{
  // The trailers are the last paragraph.
  std::string text = message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  const std::size_t blank = text.rfind("\n\n");
  const std::string block = blank == std::string::npos ? std::string() : text.substr(blank + 2);
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(block);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos || colon == 0 || line.find(' ') < colon) {
      return {};
    }
    out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return out;
}

}  // namespace helios::state
