#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "core/forked_call.hpp"
#include "temp_dir.hpp"

using namespace helios;
using Clock = std::chrono::steady_clock;

TEST_SUITE_BEGIN("forked_call");

TEST_CASE("forked call: the copy's answer comes back whole, however large")
{
  const std::vector<int> data{1, 2, 3};
  const auto small = call_forked([&] { return std::to_string(data[0] + data[1] + data[2]); }, Clock::now() + std::chrono::seconds(30));
  REQUIRE(small);
  CHECK(small->status == ForkedOutcome::Status::finished);
  CHECK(small->bytes == "6");
  // Far more than a pipe holds: the parent reads while the copy writes.
  const auto large = call_forked(
    [] {
      std::string s(8 * 1024 * 1024 + 7, 'x');
      s.back() = 'y';
      return s;
    },
    Clock::now() + std::chrono::seconds(30));
  REQUIRE(large);
  CHECK(large->bytes.size() == 8 * 1024 * 1024 + 7);
  CHECK(large->bytes.back() == 'y');
  const auto empty = call_forked([] { return std::string(); }, Clock::now() + std::chrono::seconds(30));
  REQUIRE(empty);
  CHECK(empty->status == ForkedOutcome::Status::finished);
  CHECK(empty->bytes.empty());
}

TEST_CASE("forked call: a computation that does not stop is killed at the deadline")
{
  const auto start = Clock::now();
  const auto outcome = call_forked(
    [] {
      volatile unsigned long spin = 0;
      for (;;) {
        spin = spin + 1;
      }
      return std::string("never");
    },
    start + std::chrono::milliseconds(200));
  const double waited = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(outcome);
  CHECK(outcome->status == ForkedOutcome::Status::timed_out);
  CHECK(outcome->bytes.empty());
  CHECK(waited >= 0.2);
  CHECK(waited < 10);  // the deadline holds (loosely: this is not a timing figure)
  // A deadline already past: no answer, no waiting.
  const auto past = call_forked([] { return std::string("late"); }, Clock::now() - std::chrono::seconds(1));
  REQUIRE(past);
  CHECK(past->status == ForkedOutcome::Status::timed_out);
}

TEST_CASE("forked call: a copy that throws or crashes is an error the caller can act on")
{
  const auto threw = call_forked([]() -> std::string { throw std::runtime_error("boom"); }, Clock::now() + std::chrono::seconds(30));
  REQUIRE_FALSE(threw);
  CHECK(threw.error().code == "fork_failed");
  CHECK(threw.error().message == "the forked computation failed (exit 1)");
  const auto crashed = call_forked(
    []() -> std::string {
      std::raise(SIGABRT);
      return "unreachable";
    },
    Clock::now() + std::chrono::seconds(30));
  REQUIRE_FALSE(crashed);
  CHECK(crashed.error().message == "the forked computation was ended by signal 6");
}

TEST_CASE("forked call: the copy prints nothing, and the parent's buffered output appears once")
{
  testing::TempDir dir;
  const std::string path = (dir.path / "stdout.txt").string();
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  REQUIRE(std::freopen(path.c_str(), "w", stdout) != nullptr);
  std::setvbuf(stdout, nullptr, _IOFBF, 4096);
  std::printf("parent line\n");  // still in the buffer at the fork
  const auto outcome = call_forked(
    [] {
      std::printf("copy line\n");
      std::fflush(stdout);  // as CBC does
      return std::string("ok");
    },
    Clock::now() + std::chrono::seconds(30));
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  REQUIRE(outcome);
  CHECK(outcome->bytes == "ok");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "parent line\n");
}

TEST_SUITE_END();
