#include <doctest/doctest.h>

#include "core/state/commit_message.hpp"

using namespace helios::state;

TEST_SUITE_BEGIN("state commit message");

TEST_CASE("A commit message has a summary and trailers that parse back")
{
  CommitInfo info;
  info.command = "apply";
  info.stack = "hobby";
  info.plan_digest = "sha256:abc";
  info.actor = "me@box";
  info.trailers = {{"Helios-Actions", "2 created"}};
  const std::string message = format_commit_message(info, 7);
  CHECK(message.rfind("apply: hobby\n\n", 0) == 0);
  auto trailers = parse_trailers(message);
  REQUIRE(trailers.size() == 7);
  CHECK(trailers[0] == std::pair<std::string, std::string>{"Helios-Command", "apply"});
  CHECK(trailers[2].second == "sha256:abc");
  CHECK(trailers[5] == std::pair<std::string, std::string>{"Helios-Serial", "7"});
  CHECK(trailers[6].first == "Helios-Actions");
}

TEST_CASE("Newlines cannot forge trailers")
{
  CommitInfo info;
  info.command = "apply";
  info.stack = "x\nHelios-Actor: forged";
  info.actor = "me@box";
  auto trailers = parse_trailers(format_commit_message(info, 1));
  int actors = 0;
  for (const auto& [k, v] : trailers) {
    actors += k == "Helios-Actor";
  }
  CHECK(actors == 1);
}

TEST_CASE("The default actor is HELIOS_ACTOR or user@host")
{
  setenv("HELIOS_ACTOR", "agent-7", 1);
  CHECK(default_actor() == "agent-7");
  unsetenv("HELIOS_ACTOR");
  CHECK(default_actor().find('@') != std::string::npos);
}
