#pragma once
// The one HTTP layer every adapter uses: libcurl's multi interface driven by one event-loop thread.
//
// - Many requests in flight: callers submit() from any thread and wait on a future (or call
//   perform()), so apply's thread parallelism becomes concurrent transfers on one loop.
// - Connection reuse: all transfers share the multi handle's connection cache (keep-alive) and a share
//   handle for DNS and TLS sessions; HTTP/2 is negotiated over TLS where the server offers it and
//   requests are multiplexed on one connection.
// - Timeouts per attempt (connect and total) and an optional overall deadline.
// - Retries with exponential backoff and jitter (retry_policy.hpp), honouring Retry-After /
//   retry-after-ms and RateLimit resets (rate_limit_headers.hpp). Non-idempotent requests are retried
//   only when the server cannot have processed them (connect failures, 429, 503) unless marked retry_safe.
// - Per-provider request budgets (request_budget.hpp): a token bucket at the API's published rate, and
//   a block until the time a 429 or an exhausted RateLimit window names.
// - Every log line and error is passed through redact(): no Authorization header or token leaks.

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/http/headers.hpp"
#include "core/http/rate_limit_headers.hpp"
#include "core/http/request_budget.hpp"
#include "core/http/retry_policy.hpp"

namespace helios::http {

struct Response {
  long status = 0;            // HTTP status of the last attempt
  long effective_status = 0;  // the status the request's inspect() gave (an error inside a 200), else status
  Headers headers;
  std::string body;
  int attempts = 0;
  std::chrono::milliseconds elapsed{0};  // from submission to completion, waits included
  RateLimitState rate_limits;
  std::string http_version;  // "1.1", "2"

  [[nodiscard]] bool ok() const { return effective_status >= 200 && effective_status < 300; }
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::string budget;  // the request budget this call draws from (usually the provider), "" = none
  std::string label;   // what the call is for, in logs and errors: "neon create"
  std::chrono::milliseconds timeout{30000};         // one attempt, transfer included
  std::chrono::milliseconds connect_timeout{10000};
  std::optional<std::chrono::milliseconds> deadline;  // all attempts and waits together
  // Whether the request may be repeated after an ambiguous failure (a timeout, a 500). Default: true for
  // GET, HEAD, PUT, DELETE, OPTIONS; false for POST and PATCH.
  std::optional<bool> retry_safe;
  RetryPolicy retry;
  // Optional: inspects a completed response and returns the status it really means (e.g. 429 for an
  // error object inside an HTTP 200, 502 for a body that is not the JSON promised). Runs on the loop.
  std::function<std::optional<long>(const Response&)> inspect;
};

struct TransportOptions {
  long max_host_connections = 32;  // parallel connections per host (HTTP/1.1)
  long max_connections = 64;       // connection cache size
  std::string user_agent = "helios/" HELIOS_VERSION;
};

struct TransportStats {
  long long requests = 0;     // submitted
  long long attempts = 0;     // transfers started
  long long retries = 0;
  long long connections = 0;  // new connections opened (the rest reused one)
  long long http2 = 0;        // responses that came over HTTP/2
  long long max_in_flight = 0;
};

class Transport {
public:
  explicit Transport(TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The process-wide transport every adapter uses.
  static Transport& shared();

  // Queues the request; the future yields the final response (any HTTP status) or a transport error
  // (connection refused, timeout, truncated body…) after the retries allowed.
  std::future<Result<Response>> submit(Request request);
  Result<Response> perform(Request request) { return submit(std::move(request)).get(); }

  // Sets the budget `name` draws from (replaces an existing one).
  void set_budget(const std::string& name, const RateSpec& spec);
  // Sets it only if no budget of that name exists yet (adapters call this with their defaults).
  void ensure_budget(const std::string& name, const RateSpec& spec);

  // A sink for one-line, already redacted, logs of each attempt. Default: stderr when HELIOS_HTTP_TRACE
  // is set, else nothing.
  void set_logger(std::function<void(const std::string&)> logger);

  [[nodiscard]] TransportStats stats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace helios::http
