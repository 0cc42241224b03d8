#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
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

TEST_SUITE_END();
