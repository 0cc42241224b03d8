// helios_fake: a fake provider server for tests. Usage:
//   helios_fake --family cloudflare|neon|render|koyeb|turso|openai [--port 0] [--token T[,T2…]]
//               [--account ID] [--latency-ms N] [--deploy-ms N] [--fault JSON]… [--port-file PATH]
//               [--options JSON]   (openai: {"rpm":N,"tpm":N,"window_s":60,"quota":N,"style":"openai|groq|openrouter","models":[…]})
// Prints the bound port on stdout (one line) once it listens on 127.0.0.1. See fake.hpp.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

std::string now_rfc3339()
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string query(const httplib::Request& req, const std::string& name)
{
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

int query_int(const httplib::Request& req, const std::string& name, int fallback)
{
  auto text = query(req, name);
  if (text.empty()) {
    return fallback;
  }
  try {
    return std::stoi(text);
  } catch (...) {
    return -1;
  }
}

std::optional<std::string> Context::authorize(const httplib::Request& req, httplib::Response& res)
{
  auto header = req.get_header_value("Authorization");
  if (header.empty()) {
    write_error(res, 401, "missing_auth", "missing Authorization header");
    return std::nullopt;
  }
  const std::string prefix = "Bearer ";
  if (header.rfind(prefix, 0) != 0) {
    write_error(res, 401, "bad_auth_scheme", "the Authorization header must be 'Bearer <token>'");
    return std::nullopt;
  }
  auto token = header.substr(prefix.size());
  for (const auto& accepted : tokens) {
    if (token == accepted) {
      return token;
    }
  }
  write_error(res, 403, "invalid_token", "invalid API token");
  return std::nullopt;
}

std::optional<json> Context::json_body(const httplib::Request& req, httplib::Response& res)
{
  auto type = req.get_header_value("Content-Type");
  if (type.find("application/json") == std::string::npos) {
    write_error(res, 415, "unsupported_media_type", "Content-Type must be application/json");
    return std::nullopt;
  }
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    write_error(res, 400, "invalid_json", "the request body is not a JSON object");
    return std::nullopt;
  }
  return body;
}

void Context::send_json(httplib::Response& res, int status, const json& body)
{
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string Context::next_id(const std::string& prefix)
{
  long n = ++m_counter;
  return fmt::format("{}{:08x}{:04x}", prefix, static_cast<unsigned>(std::hash<std::string>{}(family + std::to_string(n))),
                     static_cast<unsigned>(n));
}

void Context::pause(int ms)
{
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping && std::chrono::steady_clock::now() < until) {
    auto left = until - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
}

std::optional<Fault> Context::take_fault(const httplib::Request& req)
{
  std::lock_guard lock(m_fault_mutex);
  for (auto it = m_faults.begin(); it != m_faults.end(); ++it) {
    if (!it->path.empty() && req.path.rfind(it->path, 0) != 0) {
      continue;
    }
    if (!it->method.empty() && it->method != req.method) {
      continue;
    }
    if (it->skip > 0) {
      --it->skip;
      continue;
    }
    Fault fault = *it;
    if (it->count > 0 && --it->count == 0) {
      m_faults.erase(it);
    }
    ++m_faults_applied;
    return fault;
  }
  return std::nullopt;
}

namespace {

// Closes the TCP connection a request arrived on without writing anything: finds the socket by its
// peer port (cpp-httplib does not expose it) and shuts it down.
void drop_connection(const httplib::Request& req)
{
  for (int fd = 3; fd < 4096; ++fd) {
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0 || peer.sin_family != AF_INET) {
      continue;
    }
    if (ntohs(peer.sin_port) != req.remote_port) {
      continue;
    }
    sockaddr_in local{};
    length = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 && ntohs(local.sin_port) == req.local_port) {
      shutdown(fd, SHUT_RDWR);
      return;
    }
  }
}

}  // namespace

bool Context::apply_fault(const Fault& fault, const httplib::Request& req, httplib::Response& res)
{
  if (fault.kind == "latency") {
    pause(fault.latency_ms);
    return false;  // then answer normally
  }
  if (fault.kind == "status") {
    int status = fault.status ? fault.status : 429;
    if (!fault.retry_after.empty()) {
      res.set_header("Retry-After", fault.retry_after);
    }
    write_error(res, status, status == 429 ? "rate_limited" : "injected",
                status == 429 ? "rate limit exceeded" : fmt::format("injected failure {}", status));
    return true;
  }
  if (fault.kind == "drop") {
    drop_connection(req);
    res.status = 500;  // never reaches the client: its connection is gone
    return true;
  }
  if (fault.kind == "timeout") {
    pause(fault.latency_ms ? fault.latency_ms : 60000);
    res.status = 504;
    return true;
  }
  if (fault.kind == "malformed") {
    res.status = 200;
    res.set_content("<html><body>502 Bad Gateway</body>", "application/json");
    return true;
  }
  if (fault.kind == "truncated") {
    res.status = 200;
    const std::string partial = R"({"result":{"id":"x","na)";
    res.set_content_provider(partial.size() * 4, "application/json", [partial](size_t offset, size_t, httplib::DataSink& sink) {
      if (offset == 0) {
        sink.write(partial.data(), partial.size());
        return true;
      }
      return false;  // ends the connection short of the promised length
    });
    return true;
  }
  if (fault.kind == "error200") {
    send_json(res, 200,
              {{"error", {{"code", fault.status ? fault.status : 429},
                          {"message", "Rate limit exceeded: free-models-per-min."},
                          {"metadata", {{"headers", {{"X-RateLimit-Limit", "20"}, {"X-RateLimit-Remaining", "0"}}}}}}}});
    return true;
  }
  return false;
}

void Context::install_common()
{
  server.new_task_queue = [] { return new httplib::ThreadPool(96); };
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);
  // Answers go out at once: without TCP_NODELAY a small response written in two pieces (headers, then
  // body) waits for the client's delayed ACK (Nagle), adding up to 40 ms to a call on Linux.
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(64u << 20);

  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/_fake/", 0) == 0) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    {
      std::lock_guard lock(m_fault_mutex);
      ++m_total;
      ++m_requests[req.method + " " + req.path];
    }
    if (latency_ms > 0) {
      pause(latency_ms);
    }
    while (auto fault = take_fault(req)) {
      if (apply_fault(*fault, req, res)) {
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  server.Get("/_fake/inventory", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    json resources = inventory ? inventory() : json::object();
    std::size_t count = 0;
    for (auto& [kind, items] : resources.items()) {
      count += items.size();
    }
    send_json(res, 200, {{"family", family}, {"resources", resources}, {"count", count}});
  });
  server.Get("/_fake/requests", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(m_fault_mutex);
    send_json(res, 200, {{"total", m_total}, {"by_route", m_requests}, {"faults_applied", m_faults_applied},
                         {"faults_pending", m_faults.size()}});
  });
  server.Get("/_fake/usage", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    send_json(res, 200, usage ? usage() : json::object());
  });
  server.Post("/_fake/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("kind")) {
      send_json(res, 400, {{"error", "a fault is a JSON object with at least \"kind\""}});
      return;
    }
    Fault fault;
    fault.kind = body.value("kind", "");
    static const std::vector<std::string> kinds = {"latency", "status", "drop", "timeout", "malformed", "truncated", "error200"};
    if (std::find(kinds.begin(), kinds.end(), fault.kind) == kinds.end()) {
      send_json(res, 400, {{"error", "unknown fault kind: " + fault.kind}});
      return;
    }
    fault.path = body.value("path", "");
    fault.method = body.value("method", "");
    fault.count = body.value("count", 1);
    fault.skip = body.value("skip", 0);
    fault.status = body.value("status", 0);
    fault.latency_ms = body.value("latency_ms", 0);
    if (body.contains("retry_after")) {
      fault.retry_after = body["retry_after"].is_string() ? body["retry_after"].get<std::string>() : body["retry_after"].dump();
    }
    std::lock_guard lock(m_fault_mutex);
    m_faults.push_back(fault);
    send_json(res, 201, {{"faults", m_faults.size()}});
  });
  server.Delete("/_fake/faults", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(m_fault_mutex);
    m_faults.clear();
    send_json(res, 200, {{"faults", 0}});
  });
  server.Post("/_fake/reset", [this](const httplib::Request&, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      if (reset) {
        reset();
      }
    }
    std::lock_guard lock(m_fault_mutex);
    m_faults.clear();
    m_requests.clear();
    m_total = 0;
    m_faults_applied = 0;
    send_json(res, 200, {{"reset", true}});
  });
}

}  // namespace fake

namespace {

// A fake has nothing to flush: stop at once rather than wait for idle keep-alive connections.
void on_signal(int)
{
  _exit(0);
}

std::vector<std::string> split_commas(const std::string& text)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    if (end > start) {
      parts.push_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

int usage_error(const std::string& message)
{
  std::cerr << "helios_fake: " << message << "\n"
            << "usage: helios_fake --family cloudflare|neon|render|koyeb|turso|openai [--port 0] [--token T[,T2]] "
               "[--account ID] [--latency-ms N] [--deploy-ms N] [--fault JSON]... [--options JSON] [--port-file PATH]\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv)
{
  fake::Context ctx;
  ctx.tokens = {"test-token"};
  int port = 0;
  std::string port_file;
  std::vector<std::string> faults;
  nlohmann::json options = nlohmann::json::object();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    std::optional<std::string> v;
    if (arg == "--help" || arg == "-h") {
      usage_error("fake provider servers for tests");
      return 0;
    }
    if (!(v = value())) {
      return usage_error("missing value for " + arg);
    }
    try {
      if (arg == "--family") {
        ctx.family = *v;
      } else if (arg == "--port") {
        port = std::stoi(*v);
      } else if (arg == "--token") {
        ctx.tokens = split_commas(*v);
      } else if (arg == "--account") {
        ctx.account = *v;
      } else if (arg == "--latency-ms") {
        ctx.latency_ms = std::stoi(*v);
      } else if (arg == "--deploy-ms") {
        ctx.deploy_ms = std::stoi(*v);
      } else if (arg == "--fault") {
        faults.push_back(*v);
      } else if (arg == "--port-file") {
        port_file = *v;
      } else if (arg == "--options") {
        options = nlohmann::json::parse(*v);
      } else {
        return usage_error("unknown option " + arg);
      }
    } catch (const std::exception& e) {
      return usage_error("bad value for " + arg + ": " + e.what());
    }
  }

  ctx.install_common();
  if (ctx.family == "cloudflare") {
    fake::install_cloudflare(ctx);
  } else if (ctx.family == "neon") {
    fake::install_neon(ctx);
  } else if (ctx.family == "render") {
    fake::install_render(ctx);
  } else if (ctx.family == "koyeb") {
    fake::install_koyeb(ctx);
  } else if (ctx.family == "turso") {
    fake::install_turso(ctx);
  } else if (ctx.family == "openai") {
    fake::install_openai(ctx, options);
  } else {
    return usage_error("unknown or missing --family '" + ctx.family + "'");
  }

  int bound = port == 0 ? ctx.server.bind_to_any_port("127.0.0.1") : (ctx.server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "helios_fake: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  // Faults given on the command line go through the control API's own parser.
  std::thread listener;
  if (!faults.empty()) {
    listener = std::thread([&ctx] { ctx.server.listen_after_bind(); });
    while (!ctx.server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    httplib::Client client("127.0.0.1", bound);
    for (const auto& fault : faults) {
      auto answer = client.Post("/_fake/faults", fault, "application/json");
      if (!answer || answer->status != 201) {
        std::cerr << "helios_fake: bad --fault " << fault << ": " << (answer ? answer->body : "no answer") << "\n";
        ctx.server.stop();
        listener.join();
        return 2;
      }
    }
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << bound << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cout << bound << std::endl;
  if (listener.joinable()) {
    listener.join();
    return 0;
  }
  ctx.server.listen_after_bind();
  return 0;
}
