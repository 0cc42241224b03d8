#pragma once
// The shared machinery of the fake provider servers (tests/fakes): one HTTP server on 127.0.0.1, an
// inventory of what exists, bearer-token checks, request counting and faults injected on demand.
// Each provider family installs its routes (fake_<family>.cpp) following that provider's documented
// API: paths, methods, bodies, envelopes, pagination and error shapes.
//
// Control API (never faulted, no auth), for tests:
//   GET    /_fake/inventory         every resource that exists, by kind, and a total count
//   GET    /_fake/requests          request counts by route, faults applied
//   POST   /_fake/faults            add a fault: {"kind","path","method","count","status","retry_after","latency_ms","skip"}
//   DELETE /_fake/faults            remove every fault
//   POST   /_fake/reset             empty the inventory and the counters
//   GET    /_fake/usage             family-specific usage (openai: per key requests and tokens)
// Fault kinds: latency (adds latency_ms, then answers normally), status (answers `status` in the
// family's error envelope, with Retry-After when retry_after is set; 429 default), drop (closes the
// connection without a byte of response), timeout (answers nothing for latency_ms, default 60 s),
// malformed (200 with a body that is not JSON), truncated (a Content-Length larger than the body
// sent), error200 (an error object inside an HTTP 200, as OpenRouter sends).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace fake {

using json = nlohmann::json;

struct Fault {
  std::string kind;
  std::string path;    // prefix of the request path; empty = every path
  std::string method;  // empty = every method
  int count = 1;       // how many matching requests it applies to; -1 = all
  int skip = 0;        // matching requests to let through first
  int status = 0;
  std::string retry_after;
  int latency_ms = 0;
};

// How a family writes its errors.
using ErrorWriter = std::function<void(httplib::Response&, int status, const std::string& code, const std::string& message)>;

class Context {
public:
  httplib::Server server;
  std::string family;
  std::vector<std::string> tokens;  // accepted bearer tokens
  std::string account = "acc123";   // Cloudflare account id / Turso org slug / Neon org id
  int latency_ms = 0;               // added to every request
  int deploy_ms = 0;                // how long a deploy stays in progress (Render, Koyeb)
  ErrorWriter write_error;
  std::function<json()> inventory;  // the family's resources by kind
  std::function<json()> usage;      // GET /_fake/usage
  std::function<void()> reset;      // empties the family's state
  std::recursive_mutex mutex;       // guards the family's state
  std::atomic<bool> stopping{false};

  // Checks `Authorization: Bearer <token>`; writes the family's 401/403 and returns nullopt when the
  // request must be rejected, else the token.
  std::optional<std::string> authorize(const httplib::Request& req, httplib::Response& res);
  // Parses a JSON body; writes a 400 in the family's envelope and returns nullopt when it is not JSON.
  std::optional<json> json_body(const httplib::Request& req, httplib::Response& res);
  void send_json(httplib::Response& res, int status, const json& body);
  std::string next_id(const std::string& prefix);
  // Sleeps up to `ms`, returning early when the server stops.
  void pause(int ms);

  // Installs the control API, faults and counting; call before the family installs its routes.
  void install_common();

private:
  std::mutex m_fault_mutex;
  std::vector<Fault> m_faults;
  std::map<std::string, int> m_requests;
  int m_total = 0;
  int m_faults_applied = 0;
  std::atomic<long> m_counter{0};

  std::optional<Fault> take_fault(const httplib::Request& req);
  bool apply_fault(const Fault& fault, const httplib::Request& req, httplib::Response& res);
};

// Family installers.
void install_cloudflare(Context& ctx);
void install_neon(Context& ctx);
void install_render(Context& ctx);
void install_koyeb(Context& ctx);
void install_turso(Context& ctx);
void install_openai(Context& ctx, const json& options);

// Helpers shared by families.
std::string now_rfc3339();
int query_int(const httplib::Request& req, const std::string& name, int fallback);
std::string query(const httplib::Request& req, const std::string& name);

}  // namespace fake
