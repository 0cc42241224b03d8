#pragma once
// Starts tests/fakes' helios_fake as a child process on a kernel-chosen port and talks to its control
// API; used by the adapters' unit tests. Also the shared fault matrix every adapter runs.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace helios::testing {

class FakeServerProcess {
public:
  explicit FakeServerProcess(std::vector<std::string> args)
  {
    int out[2];
    REQUIRE(pipe(out) == 0);
    m_pid = fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      static std::string binary = HELIOS_FAKE_BINARY;
      argv.push_back(binary.data());
      for (auto& a : args) {
        argv.push_back(a.data());
      }
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1 && c != '\n') {
      line += c;
    }
    close(out[0]);
    REQUIRE_MESSAGE(!line.empty(), "the fake server did not print its port");
    m_port = std::stoi(line);
  }
  ~FakeServerProcess()
  {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      int status = 0;
      waitpid(m_pid, &status, 0);
    }
  }
  FakeServerProcess(const FakeServerProcess&) = delete;
  FakeServerProcess& operator=(const FakeServerProcess&) = delete;

  [[nodiscard]] int port() const { return m_port; }
  [[nodiscard]] std::string url(const std::string& path = "") const
  {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }

  nlohmann::json get(const std::string& path) const
  {
    httplib::Client client("127.0.0.1", m_port);
    auto res = client.Get(path.c_str());
    REQUIRE(res);
    return nlohmann::json::parse(res->body);
  }
  void fault(const nlohmann::json& fault) const
  {
    httplib::Client client("127.0.0.1", m_port);
    auto res = client.Post("/_fake/faults", fault.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 201);
  }
  void clear_faults() const
  {
    httplib::Client client("127.0.0.1", m_port);
    REQUIRE(client.Delete("/_fake/faults"));
  }
  [[nodiscard]] std::size_t inventory_count() const { return get("/_fake/inventory")["count"].get<std::size_t>(); }
  [[nodiscard]] nlohmann::json inventory() const { return get("/_fake/inventory")["resources"]; }
  [[nodiscard]] int requests() const { return get("/_fake/requests")["total"].get<int>(); }

private:
  pid_t m_pid = -1;
  int m_port = 0;
};

// Environment for the adapters under test: base URL of the fake, no client-side budget, fast retries.
inline void point_provider_at(const std::string& provider, const std::string& base_url)
{
  std::string upper;
  for (char c : provider) {
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  setenv(("HELIOS_" + upper + "_API_URL").c_str(), base_url.c_str(), 1);
  setenv(("HELIOS_" + upper + "_API_RATE").c_str(), "unlimited", 1);
  setenv("HELIOS_HTTP_BACKOFF_MS", "10", 1);
  setenv("HELIOS_HTTP_TIMEOUT_MS", "1500", 1);
  unsetenv("HELIOS_HTTP_MAX_ATTEMPTS");
}

}  // namespace helios::testing
