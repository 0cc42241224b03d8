#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "providers/local/supervisor.hpp"

using namespace helios::providers::local;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/helios-unit-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir()
  {
    (void)stop_supervised(path.string(), std::chrono::milliseconds(500));
    fs::remove_all(path);
  }
};

}  // namespace

TEST_SUITE_BEGIN("supervisor");

TEST_CASE("One supervisor per resource: a second start finds the live one; stop leaves none")
{
  TempDir tmp;
  ProcessSpec spec;
  spec.command = "exec sleep 30";
  spec.dir = tmp.path.string();
  auto first = start_supervised(spec);
  REQUIRE(first);
  CHECK(lock_holder(spec.dir) == *first);
  CHECK(supervisor_alive(spec.dir));
  auto second = start_supervised(spec);
  REQUIRE(second);
  CHECK(*second == *first);  // the second supervisor saw the lock taken and left
  CHECK(lock_holder(spec.dir) == *first);
  REQUIRE(stop_supervised(spec.dir, std::chrono::milliseconds(500)));
  CHECK(lock_holder(spec.dir) == 0);
  CHECK(!supervisor_alive(spec.dir));
}

namespace {

// Gone, or a zombie nobody has reaped yet.
bool exited(long pid)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) {
    return true;
  }
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

}  // namespace

TEST_CASE("A supervisor whose resource directory is deleted stops its process and exits")
{
  TempDir tmp;
  ProcessSpec spec;
  spec.command = "exec sleep 30";
  spec.dir = (tmp.path / "res").string();
  fs::create_directories(spec.dir);
  auto supervisor = start_supervised(spec);
  REQUIRE(supervisor);
  long child = 0;
  for (int i = 0; i < 100 && child == 0; ++i) {
    std::ifstream in(spec.dir + "/child.pid");
    in >> child;
    if (child == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  fs::remove_all(spec.dir);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {  // it looks once a second
    gone = exited(*supervisor) && (child == 0 || exited(child));
    if (!gone) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  CHECK(gone);
}

TEST_SUITE_END();
