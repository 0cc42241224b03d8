#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

#include "core/state/lock.hpp"
#include "temp_dir.hpp"

using namespace helios;
using namespace helios::state;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

}  // namespace

TEST_SUITE_BEGIN("state lock");

TEST_CASE("A held lock is refused to a second taker, naming the holder; release frees it")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  auto first = acquire_lock(repo, {"hobby", "apply", 60});
  REQUIRE(first);
  auto other = Repository::open((tmp.path / "s").string()).value();
  auto second = acquire_lock(other, {"hobby", "apply", 60});
  REQUIRE(!second);
  CHECK(second.error().exit == ExitCode::locked);
  CHECK(second.error().message.find((*first)->info().id) != std::string::npos);
  CHECK(second.error().message.find(std::to_string(getpid())) != std::string::npos);
  // Another scope is independent.
  CHECK(acquire_lock(other, {"other", "apply", 60}));
  auto locks = list_locks(*repo).value();
  REQUIRE(locks.size() == 1);
  CHECK(locks[0].operation == "apply");
  CHECK(locks[0].pid == getpid());
  (*first)->release();
  CHECK(list_locks(*repo).value().empty());
  CHECK(acquire_lock(other, {"hobby", "apply", 60}));
}

TEST_CASE("The lock of a dead process on this host is taken over")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "s").string();
  Repository::open(dir).value();
  const pid_t child = fork();
  if (child == 0) {
    auto repo = Repository::open(dir).value();
    auto lock = acquire_lock(repo, {"hobby", "apply", 3600});
    _exit(lock ? 0 : 1);  // dies holding it (no destructor runs)
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WEXITSTATUS(status) == 0);
  auto repo = Repository::open(dir).value();
  auto locks = list_locks(*repo).value();
  REQUIRE(locks.size() == 1);
  CHECK(!locks[0].holder_alive());
  auto mine = acquire_lock(repo, {"hobby", "apply", 60});
  REQUIRE(mine);
  CHECK((*mine)->took_over() == locks[0].id);
}

TEST_CASE("state unlock clears a lock by id or prefix; unknown ids are usage errors")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  auto lock = acquire_lock(repo, {"hobby", "destroy", 60}).value();
  const std::string id = lock->info().id;
  auto missing = unlock(*repo, "zzzz");
  REQUIRE(!missing);
  CHECK(missing.error().exit == ExitCode::usage);
  auto removed = unlock(*repo, id.substr(0, 8));
  REQUIRE(removed);
  CHECK(removed->id == id);
  CHECK(list_locks(*repo).value().empty());
  lock->release();  // the holder notices it no longer holds the ref; nothing is deleted twice
  CHECK(list_locks(*repo).value().empty());
}

TEST_CASE("An expired lease held from another host is taken over; a live one is not")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  LockInfo foreign;
  foreign.id = "11111111-2222-4333-8444-555555555555";
  foreign.scope = "hobby";
  foreign.who = "ci@elsewhere";
  foreign.host = "elsewhere.invalid";
  foreign.pid = 1;
  foreign.operation = "apply";
  foreign.expires_unix = 1;  // long expired
  auto record = repo->write_detached({{"lock.json", foreign.to_json().dump()}}, "lock\n").value();
  REQUIRE(repo->update_ref("refs/helios/locks/hobby", record, "", "test").value());
  auto taken = acquire_lock(repo, {"hobby", "apply", 60});
  REQUIRE(taken);
  CHECK((*taken)->took_over() == foreign.id);
  (*taken)->release();

  foreign.expires_unix = 4102444800;  // 2100: still leased
  record = repo->write_detached({{"lock.json", foreign.to_json().dump()}}, "lock\n").value();
  REQUIRE(repo->update_ref("refs/helios/locks/hobby", record, "", "test").value());
  auto refused = acquire_lock(repo, {"hobby", "apply", 60});
  REQUIRE(!refused);
  CHECK(refused.error().message.find("ci@elsewhere") != std::string::npos);
}
