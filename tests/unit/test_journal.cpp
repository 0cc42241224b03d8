#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "core/state/journal.hpp"
#include "core/state/resource_record.hpp"
#include "temp_dir.hpp"

using namespace helios;
using namespace helios::state;

namespace {

const std::string k_command = "apply";  // (literals assigned inside info() trip GCC 12's -Wstringop-overflow)
const std::string k_stack = "s";
const std::string k_actor = "tester@unit";

CommitInfo info(const std::string& summary)
{
  CommitInfo i;
  i.command = k_command;
  i.summary = summary;
  i.stack = k_stack;
  i.actor = k_actor;
  return i;
}

struct Fixture {
  testing::TempDir tmp;
  std::shared_ptr<Repository> repo = Repository::open((tmp.path / "state").string()).value();

  std::size_t main_commits() { return repo->log(1000).value().size(); }
  std::optional<std::string> on_main(const std::string& path) { return repo->snapshot().value().read(path).value(); }
};

const std::string web = resource_path("s", "web");
const std::string db = resource_path("s", "db");

}  // namespace

TEST_SUITE_BEGIN("journal");

TEST_CASE("Writes go to the journal ref, never to main, and fold makes one commit on main and removes the ref")
{
  Fixture f;
  const std::size_t before = f.main_commits();
  auto j = Journal::open(f.repo, "s").value();
  CHECK(!j.pending());
  REQUIRE(j.write({{web, "intent\n"}}, info("apply: s: intent create web")));
  REQUIRE(j.write({{web, "ready\n"}}, info("apply: s: created web")));
  REQUIRE(j.write({{db, "ready\n"}}, info("apply: s: created db")));
  CHECK(j.pending());
  CHECK(f.main_commits() == before);
  CHECK(!f.on_main(web));
  CHECK(Journal::leftover(*f.repo, "s").value() == j.snapshot().value().commit());
  CHECK(Journal::view(f.repo, "s").value().read(web).value() == std::optional<std::string>("ready\n"));

  const std::string tip = j.fold(info("apply: s (2 created)")).value();
  CHECK(f.main_commits() == before + 1);
  CHECK(f.repo->tip().value() == tip);
  CHECK(f.repo->log(1).value().front().summary == "apply: s (2 created)");
  CHECK(f.on_main(web) == std::optional<std::string>("ready\n"));
  CHECK(f.on_main(db) == std::optional<std::string>("ready\n"));
  CHECK(Journal::leftover(*f.repo, "s").value().empty());
  CHECK(!j.pending());
}

TEST_CASE("A journal left by a crash is the stack's view, and the next command adopts it and folds it")
{
  Fixture f;
  {
    auto crashed = Journal::open(f.repo, "s").value();
    REQUIRE(crashed.write({{web, "intent\n"}}, info("apply: s: intent create web")));
  }  // no fold: the process died here
  CHECK(Journal::leftover_stacks(*f.repo).value() == std::vector<std::string>{"s"});
  CHECK(Journal::view(f.repo, "s").value().read(web).value() == std::optional<std::string>("intent\n"));
  CHECK(!f.on_main(web));

  auto next = Journal::open(f.repo, "s").value();
  CHECK(next.pending());  // adopted: even with nothing more to write, it must be folded
  CHECK(next.snapshot().value().read(web).value() == std::optional<std::string>("intent\n"));
  REQUIRE(next.write({{web, "ready\n"}}, info("apply: s: created web")));
  const std::size_t before = f.main_commits();
  REQUIRE(next.fold(info("apply: s (1 created)")));
  CHECK(f.main_commits() == before + 1);
  CHECK(f.on_main(web) == std::optional<std::string>("ready\n"));
  CHECK(Journal::leftover_stacks(*f.repo).value().empty());
}

TEST_CASE("Fold keeps what others committed to main meanwhile, and only the stack's directory comes from the journal")
{
  Fixture f;
  auto j = Journal::open(f.repo, "s").value();
  REQUIRE(j.write({{web, "ready\n"}}, info("apply: s: created web")));
  CommitInfo other = info("checkpoint save");
  other.stack.clear();
  REQUIRE(f.repo->commit(f.repo->tip().value(), {{"checkpoints/a/t/1.json", "{}\n"}, {resource_path("t", "x"), "t\n"}}, other));
  REQUIRE(j.fold(info("apply: s (1 created)")));
  CHECK(f.on_main("checkpoints/a/t/1.json") == std::optional<std::string>("{}\n"));
  CHECK(f.on_main(resource_path("t", "x")) == std::optional<std::string>("t\n"));
  CHECK(f.on_main(web) == std::optional<std::string>("ready\n"));
}

TEST_CASE("Deletions in the journal reach main, and a journal equal to main folds without a commit")
{
  Fixture f;
  {
    auto j = Journal::open(f.repo, "s").value();
    REQUIRE(j.write({{web, "ready\n"}, {db, "ready\n"}}, info("apply: s: created")));
    REQUIRE(j.fold(info("apply: s (2 created)")));
  }
  auto j = Journal::open(f.repo, "s").value();
  REQUIRE(j.write({{db, std::nullopt}}, info("destroy: s: deleted db")));
  REQUIRE(j.fold(info("destroy: s (1 deleted)")));
  CHECK(!f.on_main(db));
  CHECK(f.on_main(web));

  // A crash between the fold's commit and the ref's deletion leaves a journal equal to main.
  auto equal = Journal::open(f.repo, "s").value();
  REQUIRE(equal.write({{web, "ready\n"}}, info("apply: s: rewrote web unchanged")));
  const std::size_t before = f.main_commits();
  REQUIRE(Journal::open(f.repo, "s").value().fold(info("apply: s (no changes)")));
  CHECK(f.main_commits() == before);
  CHECK(Journal::leftover(*f.repo, "s").value().empty());
}

TEST_CASE("Journals of stacks whose names share a prefix are distinct")
{
  Fixture f;
  auto a = Journal::open(f.repo, "s").value();
  auto b = Journal::open(f.repo, "s2").value();
  REQUIRE(a.write({{web, "a\n"}}, info("a")));
  CHECK(Journal::leftover(*f.repo, "s2").value().empty());
  REQUIRE(b.write({{resource_path("s2", "web"), "b\n"}}, info("b")));
  CHECK(Journal::leftover_stacks(*f.repo).value() == std::vector<std::string>{"s", "s2"});
  CHECK(Journal::leftover(*f.repo, "s").value() == a.snapshot().value().commit());
}

TEST_CASE("A second writer of the same journal is refused (compare-and-swap on the journal ref)")
{
  Fixture f;
  auto one = Journal::open(f.repo, "s").value();
  REQUIRE(one.write({{web, "1\n"}}, info("one")));
  auto two = Journal::open(f.repo, "s").value();  // adopts one's journal
  REQUIRE(two.write({{web, "2\n"}}, info("two")));
  auto lost = one.write({{web, "3\n"}}, info("three"));
  REQUIRE(!lost);
  CHECK(lost.error().code == "state_changed");
  CHECK(Journal::view(f.repo, "s").value().read(web).value() == std::optional<std::string>("2\n"));
}

TEST_CASE("Concurrent writers are grouped into commits and none of their records is lost")
{
  Fixture f;
  auto j = Journal::open(f.repo, "s").value();
  constexpr int writers = 16;
  constexpr int rounds = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        const std::string path = resource_path("s", fmt::format("w{}", t));
        if (!j.write({{path, fmt::format("{}\n", r)}}, info(fmt::format("apply: s: w{}", t)))) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(failures == 0);
  auto snap = j.snapshot().value();
  for (int t = 0; t < writers; ++t) {
    CHECK(snap.read(resource_path("s", fmt::format("w{}", t))).value() == std::optional<std::string>("4\n"));
  }
  // One linear chain from main's tip; at most one commit per write.
  std::size_t chain = 0;
  for (std::string at = snap.commit(); at != f.repo->tip().value(); ++chain) {
    auto parent = f.repo->resolve(at + "~1");
    REQUIRE(parent);
    at = *parent;
    REQUIRE(chain < writers * rounds);
  }
  CHECK(chain >= 1);
}

TEST_CASE("Posted records wait for the next write or flush, and fold flushes them")
{
  Fixture f;
  auto j = Journal::open(f.repo, "s").value();
  j.post({{web, "ready\n"}}, info("apply: s: created web"));
  CHECK(Journal::leftover(*f.repo, "s").value().empty());  // nothing written yet
  REQUIRE(j.write({{db, "intent\n"}}, info("apply: s: intent create db")));
  auto snap = j.snapshot().value();
  CHECK(snap.read(web).value() == std::optional<std::string>("ready\n"));  // went with the intent
  j.post({{db, "ready\n"}}, info("apply: s: created db"));
  REQUIRE(j.fold(info("apply: s (2 created)")));
  CHECK(f.on_main(db) == std::optional<std::string>("ready\n"));
  CHECK(f.on_main(web) == std::optional<std::string>("ready\n"));
}

TEST_SUITE_END();
