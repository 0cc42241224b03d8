#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <httplib.h>

#include "core/http/redact.hpp"
#include "core/http/transport.hpp"

using namespace helios;
using namespace helios::http;
using namespace std::chrono;

TEST_SUITE_BEGIN("transport");

namespace {

// An in-process HTTP server on 127.0.0.1 with a port from the kernel.
struct TestServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;

  TestServer()
  {
    server.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server.set_keep_alive_max_count(1000);
  }
  void start()
  {
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) {
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  ~TestServer()
  {
    server.stop();
    if (thread.joinable()) {
      thread.join();
    }
  }
  [[nodiscard]] std::string url(const std::string& path) const
  {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
};

Request fast_request(std::string url)
{
  Request r;
  r.url = std::move(url);
  r.retry.initial_backoff = milliseconds(5);
  r.retry.max_backoff = milliseconds(20);
  r.timeout = milliseconds(5000);
  return r;
}

}  // namespace

TEST_CASE("A GET returns status, headers, body and parsed rate limits")
{
  TestServer s;
  s.server.Get("/v1/thing", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("x-ratelimit-remaining-requests", "41");
    res.set_content(std::string("{\"auth\":\"") + req.get_header_value("Authorization") + "\"}", "application/json");
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/v1/thing"));
  request.headers.add("Authorization", "Bearer t0ken-value");
  auto response = transport.perform(request);
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->ok());
  CHECK(response->body == "{\"auth\":\"Bearer t0ken-value\"}");
  CHECK(response->headers.get("content-type").value() == "application/json");
  CHECK(response->rate_limits.window("requests")->remaining.value() == 41);
  CHECK(response->attempts == 1);
}

TEST_CASE("429 with Retry-After and 503 are retried, then the answer comes back")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Put("/flaky", [&](const httplib::Request& req, httplib::Response& res) {
    int n = ++calls;
    if (n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "0");
    } else if (n == 2) {
      res.status = 503;
    } else {
      res.set_content(req.body, "text/plain");
    }
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/flaky"));
  request.method = "PUT";
  request.body = "payload";
  auto response = transport.perform(request);
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == "payload");
  CHECK(response->attempts == 3);
  CHECK(transport.stats().retries == 2);
}

TEST_CASE("Retries are bounded; the last response is returned")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 500;
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/down"));
  request.retry.max_attempts = 3;
  auto response = transport.perform(request);
  REQUIRE(response);
  CHECK(response->status == 500);
  CHECK(response->attempts == 3);
  CHECK(calls == 3);
}

TEST_CASE("A POST is not repeated after a 500, but is after a 429")
{
  TestServer s;
  std::atomic<int> posts{0};
  s.server.Post("/create", [&](const httplib::Request&, httplib::Response& res) {
    ++posts;
    res.status = 500;
  });
  std::atomic<int> limited{0};
  s.server.Post("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (++limited == 1) {
      res.status = 429;
      res.set_header("Retry-After", "0");
    } else {
      res.status = 201;
    }
  });
  s.start();
  Transport transport;
  auto create = fast_request(s.url("/create"));
  create.method = "POST";
  auto response = transport.perform(create);
  REQUIRE(response);
  CHECK(response->status == 500);
  CHECK(posts == 1);
  auto limited_request = fast_request(s.url("/limited"));
  limited_request.method = "POST";
  auto second = transport.perform(limited_request);
  REQUIRE(second);
  CHECK(second->status == 201);
  CHECK(second->attempts == 2);
}

TEST_CASE("A Retry-After longer than the policy allows goes back to the caller at once")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Get("/slow-down", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 429;
    res.set_header("Retry-After", "3600");
  });
  s.start();
  Transport transport;
  auto response = transport.perform(fast_request(s.url("/slow-down")));
  REQUIRE(response);
  CHECK(response->status == 429);
  CHECK(calls == 1);
  REQUIRE(response->rate_limits.retry_at);
}

TEST_CASE("inspect() turns an error inside a 200 into a retry")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Get("/inside", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.set_content(R"({"error":{"code":429,"message":"Rate limit exceeded"}})", "application/json");
    } else {
      res.set_content(R"({"ok":true})", "application/json");
    }
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/inside"));
  request.inspect = [](const Response& r) -> std::optional<long> {
    if (r.body.find("\"error\"") != std::string::npos) {
      return 429;
    }
    return std::nullopt;
  };
  auto response = transport.perform(request);
  REQUIRE(response);
  CHECK(response->body == R"({"ok":true})");
  CHECK(response->attempts == 2);
}

TEST_CASE("Connection refused is an error naming the call, after bounded retries, with no token in it")
{
  int port = 0;
  {
    TestServer s;
    s.start();
    port = s.port;
  }  // closed again: nothing listens there now
  Transport transport;
  auto request = fast_request("http://127.0.0.1:" + std::to_string(port) + "/v1/x?api_key=abcd1234secret");
  request.label = "testprovider read";
  request.retry.max_attempts = 2;
  request.headers.add("Authorization", "Bearer abcd1234secret");
  auto response = transport.perform(request);
  REQUIRE_FALSE(response);
  CHECK(response.error().where == "testprovider read");
  CHECK(response.error().message.find("2 attempts") != std::string::npos);
  CHECK(response.error().message.find("abcd1234secret") == std::string::npos);
  CHECK(response.error().details["attempts"] == 2);
}

TEST_CASE("A timeout is reported as such")
{
  TestServer s;
  s.server.Get("/hang", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(milliseconds(600));
    res.set_content("late", "text/plain");
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/hang"));
  request.timeout = milliseconds(100);
  request.retry.max_attempts = 2;
  auto response = transport.perform(request);
  REQUIRE_FALSE(response);
  CHECK(response.error().code == "http_timeout");
}

TEST_CASE("A truncated body is a transport error, retried for a GET")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Get("/cut", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    // promises 100 bytes, sends 5 and ends the response
    res.set_content_provider(100, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
      sink.write("{\"a\":", 5);
      return false;
    });
  });
  s.start();
  Transport transport;
  auto request = fast_request(s.url("/cut"));
  request.retry.max_attempts = 2;
  auto response = transport.perform(request);
  REQUIRE_FALSE(response);
  CHECK(calls == 2);
}

TEST_CASE("Many requests are in flight at once over reused connections")
{
  TestServer s;
  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  s.server.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    int now = ++in_flight;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(milliseconds(50));
    --in_flight;
    res.set_content("ok", "text/plain");
  });
  s.start();
  Transport transport;
  std::vector<std::future<Result<Response>>> futures;
  for (int round = 0; round < 3; ++round) {
    futures.clear();
    for (int i = 0; i < 8; ++i) {
      futures.push_back(transport.submit(fast_request(s.url("/slow"))));
    }
    for (auto& f : futures) {
      auto r = f.get();
      REQUIRE(r);
      CHECK(r->status == 200);
    }
  }
  CHECK(peak.load() >= 4);
  auto stats = transport.stats();
  CHECK(stats.requests == 24);
  CHECK(stats.max_in_flight >= 4);
  CHECK(stats.connections <= 16);  // later rounds reuse the first round's connections
}

TEST_CASE("A budget paces requests and a 429 holds the budget")
{
  TestServer s;
  std::atomic<int> calls{0};
  s.server.Get("/paced", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.set_content("ok", "text/plain");
  });
  s.start();
  Transport transport;
  transport.set_budget("paced", parse_rate_spec("20/s,burst=1").value());
  auto started = steady_clock::now();
  std::vector<std::future<Result<Response>>> futures;
  for (int i = 0; i < 5; ++i) {
    auto request = fast_request(s.url("/paced"));
    request.budget = "paced";
    futures.push_back(transport.submit(request));
  }
  for (auto& f : futures) {
    REQUIRE(f.get());
  }
  // 5 requests at 20/s with a burst of 1 cannot finish before 4 intervals of 50 ms
  CHECK(steady_clock::now() - started >= milliseconds(190));
  CHECK(calls == 5);
}
