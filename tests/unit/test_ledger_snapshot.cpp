#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "core/ledger.hpp"
#include "core/ledger_snapshot.hpp"
#include "core/state/repository.hpp"

using namespace helios;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("ledger snapshot");

namespace {
struct TempDir {
  fs::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/helios-snapshot-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("no ledger: the snapshot is null and nothing is created")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "state").string();
  CHECK(ledger_snapshot(dir).value().is_null());
  CHECK(!fs::exists(dir));
}

TEST_CASE("a ledger snapshot commit holds the ledger's quotas and cooldowns as ledger/snapshot.json")
{
  TempDir tmp;
  const std::string dir = (tmp.path / "state").string();
  const QuotaOwner owner{"groq", "default", "groq/llama-3.3-70b"};
  {
    auto ledger = Ledger::open(dir).value();  // the ledger comes first: the repository is created beside it
    REQUIRE(ledger->set_limit({owner, "requests", Window{Period::day, {ResetKind::utc_daily, 0}}, 1000, "catalog"}));
    REQUIRE(ledger->add_usage(owner, "requests", 42, now_ms()));
  }
  auto commit = commit_ledger_snapshot(dir, "quota sync").value();
  auto repo = state::Repository::open(dir, state::Repository::OpenMode::existing).value();
  CHECK(repo->tip().value() == commit);
  auto text = repo->snapshot().value().read(k_ledger_snapshot_path).value();
  REQUIRE(text);
  const auto doc = nlohmann::json::parse(*text);
  REQUIRE(doc["quotas"].size() == 1);
  CHECK(doc["quotas"][0]["used"] == 42);
  CHECK(doc["quotas"][0]["limit"] == 1000);
  auto log = repo->log(1).value();
  CHECK(log[0].trailer("Helios-Command") == "quota sync");
  // The live snapshot agrees.
  CHECK(ledger_snapshot(dir).value()["quotas"][0]["used"] == 42);
}
