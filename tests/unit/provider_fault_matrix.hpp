#pragma once
// The fault matrix every adapter runs against its fake: each fault kind once (retried, then the call
// succeeds) and persistently (a bounded number of attempts, then an error naming provider, operation
// and HTTP status).

#include <functional>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "core/error.hpp"
#include "tests/unit/fake_server_process.hpp"

namespace helios::testing {

// A probe makes one adapter call and returns its error, or nullopt on success.
using Probe = std::function<std::optional<ErrorInfo>()>;

inline void run_fault_matrix(FakeServerProcess& fake, const std::string& provider, const std::string& path, const Probe& probe)
{
  struct Transient {
    const char* name;
    nlohmann::json fault;
  };
  const Transient transient[] = {
    {"429 with Retry-After", {{"kind", "status"}, {"status", 429}, {"retry_after", "1"}}},
    {"503 twice", {{"kind", "status"}, {"status", 503}, {"count", 2}}},
    {"dropped connection", {{"kind", "drop"}}},
    {"timeout", {{"kind", "timeout"}, {"latency_ms", 4000}}},
    {"malformed body", {{"kind", "malformed"}}},
    {"truncated body", {{"kind", "truncated"}}},
    {"error inside a 200", {{"kind", "error200"}}},
    {"latency", {{"kind", "latency"}, {"latency_ms", 200}}},
  };
  for (const auto& t : transient) {
    CAPTURE(t.name);
    fake.clear_faults();
    nlohmann::json fault = t.fault;
    fault["path"] = path;
    fault["method"] = "GET";
    fake.fault(fault);
    int before = fake.requests();
    auto error = probe();
    CHECK_MESSAGE(!error, (error ? error->message : std::string()));
    int used = fake.requests() - before;
    CHECK(used >= 1);
    CHECK(used <= 12);  // retried, not looping
  }

  struct Persistent {
    const char* name;
    nlohmann::json fault;
    std::string expect;
  };
  const Persistent persistent[] = {
    {"500 every time", {{"kind", "status"}, {"status", 500}}, "HTTP 500"},
    {"429 every time", {{"kind", "status"}, {"status", 429}, {"retry_after", "0"}}, "HTTP 429"},
    {"malformed every time", {{"kind", "malformed"}}, "not valid JSON"},
    {"error inside 200 every time", {{"kind", "error200"}}, "HTTP 429"},
    {"dropped every time", {{"kind", "drop"}}, "attempts"},
  };
  for (const auto& p : persistent) {
    CAPTURE(p.name);
    fake.clear_faults();
    nlohmann::json fault = p.fault;
    fault["path"] = path;
    fault["method"] = "GET";
    fault["count"] = -1;
    fake.fault(fault);
    auto error = probe();
    REQUIRE(error);
    CHECK(error->exit == ExitCode::runtime);
    CHECK(error->message.find(provider) != std::string::npos);
    CHECK(error->where.find(provider) != std::string::npos);
    CHECK_MESSAGE(error->message.find(p.expect) != std::string::npos, error->message);
    CHECK(error->message.find("test-token") == std::string::npos);
    // bounded: the fake saw at most the transport's attempts (4) for the failing call
    auto faults_applied = fake.get("/_fake/requests")["faults_applied"].get<int>();
    CHECK(faults_applied >= 1);
  }
  fake.clear_faults();
  // counted precisely once: a fresh persistent 503 and the attempts it took
  {
    fake.clear_faults();
    auto before = fake.get("/_fake/requests")["faults_applied"].get<int>();
    fake.fault({{"kind", "status"}, {"status", 503}, {"count", -1}, {"path", path}, {"method", "GET"}});
    auto error = probe();
    REQUIRE(error);
    auto applied = fake.get("/_fake/requests")["faults_applied"].get<int>() - before;
    CHECK(applied == 4);  // max_attempts of the transport's default policy
    CHECK(error->details["status"] == 503);
    CHECK(error->details["attempts"] == 4);
    fake.clear_faults();
  }
  CHECK_FALSE(probe());
}

}  // namespace helios::testing
