#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "core/checkpoint.hpp"
#include "core/state/repository.hpp"

using namespace helios;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("checkpoint");

namespace {

struct TempDir {
  fs::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/helios-checkpoint-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  [[nodiscard]] std::string state() const { return (path / "state").string(); }
};

CheckpointSave request(const std::string& agent, const std::string& task, const std::string& data)
{
  CheckpointSave r;
  r.agent = agent;
  r.task = task;
  r.data = data;
  return r;
}

}  // namespace

TEST_CASE("saves chain to the task's previous checkpoint, number steps and restore their bytes")
{
  TempDir tmp;
  CheckpointStore store(tmp.state());
  auto first = store.save(request("coder", "t1", "zero")).value();
  CHECK(first.step == 0);
  CHECK(first.parent.empty());
  CHECK(first.size == 4);
  CHECK(first.commit.size() == 40);
  auto second = store.save(request("coder", "t1", "one")).value();
  CHECK(second.step == 1);
  CHECK(second.parent == first.id);
  auto other = store.save(request("coder", "t2", "elsewhere")).value();
  CHECK(other.parent.empty());  // another task has its own chain

  auto latest = store.find("", "coder", "t1").value();
  CHECK(latest.id == second.id);
  CHECK(store.data(latest).value() == "one");
  auto by_prefix = store.find(first.id.substr(0, 24)).value();
  CHECK(store.data(by_prefix).value() == "zero");

  auto all = store.list().value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].id > all[1].id);  // newest first
  CHECK(store.list("coder", "t2").value().size() == 1);
}

TEST_CASE("identical content is one blob; the provider, meta and ledger snapshot are kept")
{
  TempDir tmp;
  CheckpointStore store(tmp.state());
  auto a = store.save(request("coder", "t1", std::string(4096, 'x'))).value();
  auto r = request("coder", "t1", std::string(4096, 'x'));
  r.step = 7;
  r.provider = "groq/llama-3.3-70b";
  r.meta = {{"phase", "tests"}};
  r.ledger = nlohmann::json{{"quotas", nlohmann::json::array()}, {"cooldowns", nlohmann::json::array()}};
  auto b = store.save(r).value();
  CHECK(a.blob == b.blob);
  CHECK(a.blob.size() == 40);
  auto shown = store.find(b.id).value();
  CHECK(shown.step == 7);
  CHECK(shown.provider == "groq/llama-3.3-70b");
  CHECK(shown.meta.at("phase") == "tests");
  CHECK(shown.ledger.contains("quotas"));
  // The snapshot is also the repository's current ledger/snapshot.json.
  auto repo = state::Repository::open(tmp.state(), state::Repository::OpenMode::existing).value();
  auto snapshot = repo->snapshot().value().read("ledger/snapshot.json").value();
  REQUIRE(snapshot);
  CHECK(nlohmann::json::parse(*snapshot).contains("cooldowns"));
}

TEST_CASE("bad names, unknown and ambiguous ids are usage errors, and a refused save writes nothing")
{
  TempDir tmp;
  CheckpointStore store(tmp.state());
  for (const char* bad : {"", ".hidden", "a/b", "sp ace", "../up"}) {
    auto r = store.save(request(bad, "t1", "x"));
    REQUIRE(!r);
    CHECK(r.error().exit == ExitCode::usage);
    CHECK(r.error().code == "invalid_name");
  }
  CHECK(!store.save(request("ok", std::string(101, 't'), "x")));
  CHECK(!fs::exists(tmp.state()));  // nothing was created
  CHECK(store.list().value().empty());
  auto none = store.find("", "ok", "t1");
  REQUIRE(!none);
  CHECK(none.error().exit == ExitCode::usage);

  store.save(request("ok", "t1", "a")).value();
  store.save(request("ok", "t1", "b")).value();
  auto unknown = store.find("19990101");
  REQUIRE(!unknown);
  CHECK(unknown.error().code == "unknown_checkpoint");
  auto ambiguous = store.find("2");  // every id starts with the year
  REQUIRE(!ambiguous);
  CHECK(ambiguous.error().code == "ambiguous_checkpoint");
  auto negative = store.prune(-1);
  REQUIRE(!negative);
  CHECK(negative.error().exit == ExitCode::usage);
}

TEST_CASE("concurrent saves of different tasks all land")
{
  TempDir tmp;
  CheckpointStore(tmp.state()).save(request("many", "t0", "init")).value();  // the repository exists
  constexpr int k_threads = 6;
  constexpr int k_saves = 4;
  std::vector<std::thread> threads;
  std::vector<int> failures(k_threads, 0);
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      CheckpointStore store(tmp.state());
      for (int i = 0; i < k_saves; ++i) {
        if (!store.save(request("many", "task" + std::to_string(t), std::to_string(t * 100 + i)))) {
          ++failures[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int f : failures) {
    CHECK(f == 0);
  }
  CheckpointStore store(tmp.state());
  auto all = store.list("many").value();
  CHECK(all.size() == 1 + k_threads * k_saves);
  for (int t = 0; t < k_threads; ++t) {
    auto chain = store.list("many", "task" + std::to_string(t)).value();
    REQUIRE(chain.size() == k_saves);
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
      CHECK(chain[i].parent == chain[i + 1].id);
      CHECK(chain[i].step == chain[i + 1].step + 1);
    }
  }
}

TEST_CASE("concurrent saves of one task form one chain, in id order")
{
  TempDir tmp;
  CheckpointStore(tmp.state()).save(request("one", "shared", "first")).value();
  constexpr int k_threads = 4;
  constexpr int k_saves = 3;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      CheckpointStore store(tmp.state());
      for (int i = 0; i < k_saves; ++i) {
        if (!store.save(request("one", "shared", std::to_string(t * 100 + i)))) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures == 0);
  auto chain = CheckpointStore(tmp.state()).list("one", "shared").value();
  REQUIRE(chain.size() == 1 + k_threads * k_saves);
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    CHECK(chain[i].parent == chain[i + 1].id);
    CHECK(chain[i].step == chain[i + 1].step + 1);
  }
}

TEST_CASE("with the clock standing still, ids still increase along the chain")
{
  TempDir tmp;
  ::setenv("HELIOS_NOW", "2026-11-26T01:30:00Z", 1);
  CheckpointStore store(tmp.state());
  auto a = store.save(request("clock", "t", "a")).value();
  auto b = store.save(request("clock", "t", "b")).value();
  ::unsetenv("HELIOS_NOW");
  CHECK(a.id < b.id);
  CHECK(b.parent == a.id);
  CHECK(b.created_at == "2026-11-26T01:30:00.001Z");
  CHECK(store.data(store.find("", "clock", "t").value()).value() == "b");
}

TEST_CASE("prune keeps the newest N of each task in one commit")
{
  TempDir tmp;
  CheckpointStore store(tmp.state());
  for (int i = 0; i < 4; ++i) {
    store.save(request("a", "t1", std::to_string(i))).value();
  }
  store.save(request("a", "t2", "only")).value();
  auto removed = store.prune(2).value();
  CHECK(removed.size() == 2);
  auto left = store.list("a", "t1").value();
  REQUIRE(left.size() == 2);
  CHECK(store.data(left[0]).value() == "3");
  CHECK(store.list("a", "t2").value().size() == 1);
  auto repo = state::Repository::open(tmp.state(), state::Repository::OpenMode::existing).value();
  auto log = repo->log(1).value();
  REQUIRE(log.size() == 1);
  CHECK(log[0].trailer("Helios-Command") == "checkpoint prune");
  // Nothing to prune: no commit.
  CHECK(store.prune(2).value().empty());
  CHECK(repo->log(1).value()[0].commit == log[0].commit);
}

TEST_CASE("metadata round-trips through JSON")
{
  CheckpointMeta m;
  m.id = "20261126T013000123Z-1a2b3c";
  m.agent = "a";
  m.task = "t";
  m.step = 3;
  m.parent = "20261126T012900000Z-000000";
  m.size = 10;
  m.provider = "groq/llama-3.3-70b";
  m.meta = {{"k", "v"}};
  auto back = checkpoint_meta_from_json(to_json(m)).value();
  CHECK(back.id == m.id);
  CHECK(back.parent == m.parent);
  CHECK(back.step == 3);
  CHECK(back.provider == m.provider);
  CHECK(back.meta == m.meta);
  CHECK(!checkpoint_meta_from_json(nlohmann::json{{"agent", "a"}}));
}
