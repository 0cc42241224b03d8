#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/state/repository.hpp"
#include "temp_dir.hpp"

using namespace helios;
using namespace helios::state;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

CommitInfo info(const std::string& command)
{
  CommitInfo i;
  i.command = command;
  i.stack = "hobby";
  i.actor = "tester@unit";
  return i;
}

}  // namespace

TEST_SUITE_BEGIN("state repository");

TEST_CASE("A new state repository is bare, on main, with format, lineage and serial 1")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "state").string();
  auto repo = Repository::open(dir).value();
  CHECK(Repository::exists(dir));
  CHECK(fs::exists(tmp.path / "state" / "HEAD"));
  auto snap = repo->snapshot().value();
  CHECK(snap.commit().size() == 40);
  auto meta = snap.meta().value();
  CHECK(meta.format_version == k_format_version);
  CHECK(meta.serial == 1);
  CHECK(meta.lineage.size() == 36);
  // Reopening keeps the lineage.
  auto again = Repository::open(dir).value();
  CHECK(again->snapshot().value().meta().value().lineage == meta.lineage);
}

TEST_CASE("Opening a missing repository in existing mode is a usage error, and creates nothing")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "none").string(), Repository::OpenMode::existing);
  REQUIRE(!repo);
  CHECK(repo.error().exit == ExitCode::usage);
  CHECK(!fs::exists(tmp.path / "none"));
}

TEST_CASE("A non-empty directory that is not a repository is refused")
{
  TempDir tmp;
  fs::create_directories(tmp.path / "busy");
  std::ofstream(tmp.path / "busy" / "file.txt") << "x";
  auto repo = Repository::open((tmp.path / "busy").string());
  REQUIRE(!repo);
  CHECK(repo.error().code == "not_a_state_repository");
}

TEST_CASE("A directory holding only the ledger's database becomes a repository beside it")
{
  TempDir tmp;
  fs::create_directories(tmp.path / "state");
  std::ofstream(tmp.path / "state" / "ledger.db") << "sqlite";
  std::ofstream(tmp.path / "state" / "ledger.db-wal") << "wal";
  auto repo = Repository::open((tmp.path / "state").string());
  REQUIRE(repo);
  CHECK(Repository::exists((tmp.path / "state").string()));
  CHECK(fs::exists(tmp.path / "state" / "ledger.db"));
}

TEST_CASE("Commits write, overwrite and delete paths and carry trailers")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  auto base = repo->snapshot().value();
  auto c1 = repo->commit(base.commit(), {{"stacks/hobby/resources/web.json", std::string("{\"a\":1}\n")},
                                        {"stacks/hobby/resources/db.json", std::string("{}\n")}},
                         info("apply"));
  REQUIRE(c1);
  auto s1 = repo->snapshot().value();
  CHECK(s1.commit() == *c1);
  CHECK(s1.read("stacks/hobby/resources/web.json").value().value() == "{\"a\":1}\n");
  CHECK(s1.list("stacks/hobby/resources").value() == std::vector<std::string>{"db.json", "web.json"});
  CHECK(s1.files("stacks").value().size() == 2);
  CHECK(s1.meta().value().serial == 2);

  auto c2 = repo->commit(*c1, {{"stacks/hobby/resources/db.json", std::nullopt}, {"missing.json", std::nullopt}},
                         info("destroy"));
  REQUIRE(c2);
  auto s2 = repo->snapshot().value();
  CHECK(!s2.read("stacks/hobby/resources/db.json").value().has_value());
  CHECK(s2.meta().value().serial == 3);

  auto log = repo->log(10).value();
  REQUIRE(log.size() == 3);
  CHECK(log[0].commit == *c2);
  CHECK(log[0].trailer("Helios-Command") == "destroy");
  CHECK(log[0].trailer("Helios-Stack") == "hobby");
  CHECK(log[0].trailer("Helios-Actor") == "tester@unit");
  CHECK(log[0].trailer("Helios-Version") == HELIOS_VERSION);
  CHECK(log[0].trailer("Helios-Serial") == "3");
  CHECK(repo->log(10, "stacks/hobby/resources/db.json").value().size() == 2);
}

TEST_CASE("A change may name a blob already in the repository instead of its content")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "state").string()).value();
  auto first = repo->commit(repo->tip().value(), {{"a.txt", std::string("same bytes")}}, info("test")).value();
  const std::string blob = repo->snapshot().value().object_id("a.txt");
  REQUIRE(blob.size() == 40);
  Change by_id{"b.txt", std::nullopt, blob};
  repo->commit(first, {by_id}, info("test")).value();
  CHECK(repo->snapshot().value().read("b.txt").value().value() == "same bytes");
  Change missing{"c.txt", std::nullopt, std::string(40, '0')};
  auto refused = repo->commit(repo->tip().value(), {missing}, info("test"));
  REQUIRE(!refused);
  CHECK(refused.error().code == "state_io");
}

TEST_CASE("The branch moves only from the commit the writer read (compare-and-swap)")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  const std::string read = repo->tip().value();
  auto first = repo->commit(read, {{"a.txt", std::string("1")}}, info("apply"));
  REQUIRE(first);
  auto stale = repo->commit(read, {{"a.txt", std::string("2")}}, info("apply"));
  REQUIRE(!stale);
  CHECK(stale.error().exit == ExitCode::locked);
  CHECK(stale.error().code == "state_changed");
  CHECK(stale.error().message.find("state changed underneath") != std::string::npos);
  CHECK(repo->snapshot().value().read("a.txt").value().value() == "1");
}

TEST_CASE("A ref lock file left by a killed writer is removed once stale, and the commit lands")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  const fs::path lock = tmp.path / "s" / "refs" / "heads" / "main.lock";
  std::ofstream(lock) << "0000000000000000000000000000000000000000\n";
  fs::last_write_time(lock, fs::file_time_type::clock::now() - std::chrono::minutes(1));
  auto made = repo->commit(repo->tip().value(), {{"a.txt", std::string("1")}}, info("apply"));
  REQUIRE(made);
  CHECK(!fs::exists(lock));
  CHECK(repo->tip().value() == *made);
}

TEST_CASE("Concurrent first uses create one repository; the ledger's files beside it are no obstacle")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "s").string();
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / "ledger.db") << "";
  std::vector<std::string> lineages(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < lineages.size(); ++i) {
    threads.emplace_back([&, i] {
      auto repo = Repository::open(dir);
      if (repo) {
        lineages[i] = (*repo)->snapshot().value().meta().value().lineage;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& lineage : lineages) {
    CHECK(!lineage.empty());
    CHECK(lineage == lineages.front());
  }
  CHECK(Repository::open(dir).value()->log(10).value().size() == 1);
}

TEST_CASE("Invalid paths are refused")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  for (const char* bad : {"/abs", "a/../b", "a//b", "", "helios-state.json", "x/"}) {
    auto r = repo->commit(repo->tip().value(), {{bad, std::string("x")}}, info("apply"));
    CHECK_MESSAGE(!r, bad);
  }
}

TEST_CASE("Concurrent writers with retry lose no update")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "s").string();
  Repository::open(dir).value();
  constexpr int k_threads = 4;
  constexpr int k_each = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      // Separate handles: like separate processes.
      auto repo = Repository::open(dir).value();
      for (int i = 0; i < k_each; ++i) {
        auto made = repo->commit_retrying(
          [&](const Snapshot& snap) -> Result<std::vector<Change>> {
            auto text = snap.read("counter.txt");
            if (!text) {
              return tl::unexpected(text.error());
            }
            const int value = text->has_value() ? std::stoi(**text) : 0;
            return std::vector<Change>{{"counter.txt", std::to_string(value + 1)},
                                       {"writers/" + std::to_string(t) + ".txt", std::to_string(i)}};
          },
          info("test"), 1000);
        if (!made) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures == 0);
  auto repo = Repository::open(dir).value();
  auto snap = repo->snapshot().value();
  CHECK(snap.read("counter.txt").value().value() == std::to_string(k_threads * k_each));
  CHECK(snap.meta().value().serial == 1 + k_threads * k_each);
}

TEST_CASE("Refs move by compare-and-swap and can be listed and deleted")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  auto a = repo->write_detached({{"lock.json", std::string("{}")}}, "a\n").value();
  auto b = repo->write_detached({{"lock.json", std::string("{\"b\":1}")}}, "b\n").value();
  CHECK(repo->update_ref("refs/helios/locks/x", a, "", "create").value());
  CHECK(!repo->update_ref("refs/helios/locks/x", b, "", "create again").value());
  CHECK(repo->update_ref("refs/helios/locks/x", b, a, "move").value());
  CHECK(!repo->update_ref("refs/helios/locks/x", a, a, "stale move").value());
  CHECK(repo->refs("refs/helios/locks/").value().at("refs/helios/locks/x") == b);
  CHECK(!repo->delete_ref("refs/helios/locks/x", a).value());
  CHECK(repo->delete_ref("refs/helios/locks/x", b).value());
  CHECK(repo->refs("refs/helios/locks/").value().empty());
}

TEST_CASE("Revisions resolve; unknown ones are usage errors")
{
  TempDir tmp;
  auto repo = Repository::open((tmp.path / "s").string()).value();
  const std::string first = repo->tip().value();
  repo->commit(first, {{"a", std::string("1")}}, info("x")).value();
  CHECK(repo->resolve("main~1").value() == first);
  CHECK(repo->resolve(first.substr(0, 10)).value() == first);
  auto bad = repo->resolve("nope");
  REQUIRE(!bad);
  CHECK(bad.error().exit == ExitCode::usage);
}
