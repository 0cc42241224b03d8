#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "core/pipe_drain.hpp"

using namespace helios;
using Clock = std::chrono::steady_clock;

TEST_SUITE_BEGIN("pipe_drain");

namespace {
struct TestPipe {
  int fd[2] = {-1, -1};
  TestPipe() { REQUIRE(::pipe2(fd, O_CLOEXEC) == 0); }
  ~TestPipe()
  {
    close_writer();
    ::close(fd[0]);
  }
  void write(const std::string& text) { REQUIRE(::write(fd[1], text.data(), text.size()) == static_cast<ssize_t>(text.size())); }
  void close_writer()
  {
    if (fd[1] >= 0) {
      ::close(fd[1]);
      fd[1] = -1;
    }
  }
};
}  // namespace

TEST_CASE("pipe drain: each pipe's bytes apart, until every writer closed")
{
  TestPipe a;
  TestPipe b;
  a.write("out");
  b.write("err");
  a.close_writer();
  b.close_writer();
  const Drained d = drain_pipes({a.fd[0], b.fd[0]}, Clock::now() + std::chrono::seconds(30));
  CHECK(d.end == Drained::End::closed);
  REQUIRE(d.bytes.size() == 2);
  CHECK(d.bytes[0] == "out");
  CHECK(d.bytes[1] == "err");
}

TEST_CASE("pipe drain: a writer that stays open ends at the deadline; too much ends at once")
{
  TestPipe open;
  open.write("partial");
  const Drained late = drain_pipes({open.fd[0]}, Clock::now() + std::chrono::milliseconds(50));
  CHECK(late.end == Drained::End::deadline);
  CHECK(late.bytes[0] == "partial");
  TestPipe chatty;
  chatty.write(std::string(100, 'x'));
  const Drained much = drain_pipes({chatty.fd[0]}, Clock::now() + std::chrono::seconds(30), 10);
  CHECK(much.end == Drained::End::too_much);
}

TEST_SUITE_END();
