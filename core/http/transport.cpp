#include "core/http/transport.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

#include "core/http/redact.hpp"

namespace helios::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

void global_init()
{
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool default_retry_safe(const std::string& method)
{
  return method != "POST" && method != "PATCH";
}

// Failures where the request never reached the server: always safe to retry.
bool never_sent(CURLcode code)
{
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool transient(CURLcode code)
{
  switch (code) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_BAD_CONTENT_ENCODING:
    return true;
  default:
    return false;
  }
}

std::string no_proxy_list()
{
  std::string list = "localhost,127.0.0.1,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (const char* value = std::getenv(name); value && *value) {
      list += ",";
      list += value;
      break;
    }
  }
  return list;
}

}  // namespace

struct Transport::Impl {
  struct Job {
    Request request;
    std::promise<Result<Response>> promise;
    int attempts = 0;
    SteadyClock::time_point submitted;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    Response response;
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::size_t max_body = 64u << 20;
  };

  TransportOptions options;
  CURLM* multi = nullptr;
  CURLSH* share = nullptr;
  std::thread loop;
  std::string no_proxy = no_proxy_list();

  std::mutex mutex;  // guards incoming, stopping, budgets, logger
  std::vector<std::unique_ptr<Job>> incoming;
  bool stopping = false;
  std::map<std::string, RequestBudget> budgets;
  std::function<void(const std::string&)> logger;

  // loop-thread only
  std::multimap<SteadyClock::time_point, std::unique_ptr<Job>> waiting;
  std::map<CURL*, std::unique_ptr<Job>> active;
  std::mt19937_64 random{std::random_device{}()};

  std::atomic<long long> requests{0}, attempts{0}, retries{0}, connections{0}, http2{0}, max_in_flight{0};

  explicit Impl(TransportOptions opts) : options(std::move(opts))
  {
    global_init();
    multi = curl_multi_init();
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_connections);
    if (const char* trace = std::getenv("HELIOS_HTTP_TRACE"); trace && *trace && std::string(trace) != "0") {
      logger = [](const std::string& line) { std::cerr << line << '\n'; };
    }
    loop = std::thread([this] { run(); });
  }

  ~Impl()
  {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    if (loop.joinable()) {
      loop.join();
    }
    curl_multi_cleanup(multi);
    curl_share_cleanup(share);
  }

  void log(const std::string& line)
  {
    std::function<void(const std::string&)> sink;
    {
      std::lock_guard lock(mutex);
      sink = logger;
    }
    if (sink) {
      sink(redact(line));
    }
  }

  double uniform()
  {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random);
  }

  std::future<Result<Response>> submit(Request request)
  {
    auto job = std::make_unique<Job>();
    job->request = std::move(request);
    job->submitted = SteadyClock::now();
    auto future = job->promise.get_future();
    ++requests;
    {
      std::lock_guard lock(mutex);
      if (stopping) {
        job->promise.set_value(fail(ExitCode::runtime, "http_transport", "the HTTP transport is shutting down"));
        return future;
      }
      incoming.push_back(std::move(job));
    }
    curl_multi_wakeup(multi);
    return future;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
  {
    auto* job = static_cast<Job*>(user);
    std::size_t bytes = size * count;
    if (job->response.body.size() + bytes > job->max_body) {
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
    job->response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
  {
    auto* job = static_cast<Job*>(user);
    job->response.headers.parse_line(std::string_view(data, size * count));
    return size * count;
  }

  void start(std::unique_ptr<Job> job)
  {
    auto& request = job->request;
    job->response = Response{};
    job->error_buffer[0] = '\0';
    CURL* easy = curl_easy_init();
    job->easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);  // libcurl's default since 7.50.2; said so, not assumed
    curl_easy_setopt(easy, CURLOPT_NOPROXY, no_proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, job.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, job.get());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, job.get());

    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
      }
    }
    if (job->header_list) {
      curl_slist_free_all(job->header_list);
      job->header_list = nullptr;
    }
    for (const auto& [name, value] : request.headers.entries()) {
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      job->header_list = curl_slist_append(job->header_list, line.c_str());
    }
    job->header_list = curl_slist_append(job->header_list, "Expect:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->header_list);

    ++job->attempts;
    ++attempts;
    curl_multi_add_handle(multi, easy);
    active.emplace(easy, std::move(job));
    long long in_flight = static_cast<long long>(active.size());
    long long seen = max_in_flight.load();
    while (in_flight > seen && !max_in_flight.compare_exchange_weak(seen, in_flight)) {
    }
  }

  void release(Job& job)
  {
    if (job.easy) {
      curl_multi_remove_handle(multi, job.easy);
      curl_easy_cleanup(job.easy);
      job.easy = nullptr;
    }
    if (job.header_list) {
      curl_slist_free_all(job.header_list);
      job.header_list = nullptr;
    }
  }

  void schedule(std::unique_ptr<Job> job, SteadyClock::time_point when)
  {
    waiting.emplace(when, std::move(job));
  }

  bool within_deadline(const Job& job, SteadyClock::time_point when) const
  {
    return !job.request.deadline || when < job.submitted + *job.request.deadline;
  }

  std::string describe(const Job& job) const
  {
    return fmt::format("{} {}", job.request.method, job.request.url);
  }

  void complete(CURL* easy, CURLcode code)
  {
    auto node = active.extract(easy);
    if (node.empty()) {
      return;
    }
    std::unique_ptr<Job> job = std::move(node.mapped());
    auto now = SteadyClock::now();
    auto system_now = SystemClock::now();
    const bool retry_safe = job->request.retry_safe.value_or(default_retry_safe(job->request.method));
    long new_connections = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
    connections += new_connections;

    if (code == CURLE_OK) {
      auto& response = job->response;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
      long version = 0;
      curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
      response.http_version = version == CURL_HTTP_VERSION_2_0 ? "2" : (version == CURL_HTTP_VERSION_1_0 ? "1.0" : "1.1");
      if (version == CURL_HTTP_VERSION_2_0) {
        ++http2;
      }
      release(*job);
      response.attempts = job->attempts;
      response.rate_limits = parse_rate_limit_headers(response.headers, system_now);
      response.effective_status = response.status;
      if (job->request.inspect) {
        if (auto status = job->request.inspect(response)) {
          response.effective_status = *status;
        }
      }
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - job->submitted);
      response.elapsed = elapsed;

      // What the server says about waiting, as a delay from now.
      std::optional<std::chrono::milliseconds> server_wait;
      if (auto until = response.rate_limits.blocked_until()) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*until - system_now);
        wait = std::max(wait, std::chrono::milliseconds(0));
        bool limited = response.effective_status == 429 || response.effective_status == 503;
        if (limited || (response.rate_limits.retry_at == std::nullopt && wait.count() > 0)) {
          if (limited) {
            server_wait = wait;
          }
          // Hold the whole budget (Cloudflare blocks every call after a 429), within reason.
          if (!job->request.budget.empty() && wait <= job->request.retry.max_server_wait) {
            std::lock_guard lock(mutex);
            auto it = budgets.find(job->request.budget);
            if (it != budgets.end()) {
              it->second.block_until(now + wait);
            }
          }
        }
      }

      long status = response.effective_status;
      log(fmt::format("http: {} -> {}{} (attempt {}, {} ms{})", describe(*job), response.status,
                      status != response.status ? fmt::format(" (means {})", status) : std::string(), job->attempts,
                      elapsed.count(), job->request.label.empty() ? "" : ", " + job->request.label));
      if (retryable_status(status) && (retry_safe || status_means_not_processed(status))) {
        if (auto delay = next_retry_delay(job->request.retry, job->attempts, server_wait, uniform());
            delay && within_deadline(*job, now + *delay)) {
          ++retries;
          log(fmt::format("http: retrying {} in {} ms", describe(*job), delay->count()));
          schedule(std::move(job), now + *delay);
          return;
        }
      }
      job->promise.set_value(std::move(job->response));
      return;
    }

    std::string detail = job->error_buffer[0] ? job->error_buffer : curl_easy_strerror(code);
    release(*job);
    log(fmt::format("http: {} failed: {} (curl error {}, attempt {})", describe(*job), detail, static_cast<int>(code),
                    job->attempts));
    if (transient(code) && (retry_safe || never_sent(code))) {
      if (auto delay = next_retry_delay(job->request.retry, job->attempts, std::nullopt, uniform());
          delay && within_deadline(*job, now + *delay)) {
        ++retries;
        schedule(std::move(job), now + *delay);
        return;
      }
    }
    ErrorInfo error;
    error.exit = ExitCode::runtime;
    error.code = code == CURLE_OPERATION_TIMEDOUT ? "http_timeout" : "http_transport";
    error.message = redact(fmt::format("{} failed after {} attempt{}: {} (curl error {})", describe(*job), job->attempts,
                                       job->attempts == 1 ? "" : "s", detail, static_cast<int>(code)));
    error.where = job->request.label;
    error.hint = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST
                   ? "check the network and the API base URL (HELIOS_<PROVIDER>_API_URL overrides it)"
                   : "the provider did not answer completely; try again later";
    error.details = {{"curl_code", static_cast<int>(code)}, {"attempts", job->attempts}};
    job->promise.set_value(tl::unexpected(std::move(error)));
  }

  void fail_all(const std::string& why)
  {
    auto failure = [&](Job& job) {
      release(job);
      job.promise.set_value(fail(ExitCode::runtime, "http_transport", why, job.request.label));
    };
    for (auto& [easy, job] : active) {
      failure(*job);
    }
    active.clear();
    for (auto& [when, job] : waiting) {
      failure(*job);
    }
    waiting.clear();
    std::lock_guard lock(mutex);
    for (auto& job : incoming) {
      job->promise.set_value(fail(ExitCode::runtime, "http_transport", why, job->request.label));
    }
    incoming.clear();
  }

  void run()
  {
    while (true) {
      {
        std::lock_guard lock(mutex);
        if (stopping) {
          break;
        }
        auto now = SteadyClock::now();
        for (auto& job : incoming) {
          waiting.emplace(now, std::move(job));
        }
        incoming.clear();
      }
      auto now = SteadyClock::now();
      while (!waiting.empty() && waiting.begin()->first <= now) {
        auto node = waiting.extract(waiting.begin());
        const std::string& budget_name = node.mapped()->request.budget;
        std::optional<SteadyClock::time_point> later;
        if (!budget_name.empty()) {
          std::lock_guard lock(mutex);
          auto it = budgets.find(budget_name);
          if (it != budgets.end()) {
            later = it->second.try_acquire(now);
          }
        }
        if (later) {
          node.key() = *later;
          waiting.insert(std::move(node));
          continue;
        }
        start(std::move(node.mapped()));
      }

      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg == CURLMSG_DONE) {
          complete(message->easy_handle, message->data.result);
        }
      }

      long timeout_ms = 1000;
      long curl_timeout = -1;
      curl_multi_timeout(multi, &curl_timeout);
      if (curl_timeout >= 0) {
        timeout_ms = std::min(timeout_ms, curl_timeout);
      }
      if (!waiting.empty()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(waiting.begin()->first - SteadyClock::now());
        timeout_ms = std::clamp<long>(static_cast<long>(until.count()), 0, timeout_ms);
      }
      if (timeout_ms > 0) {
        curl_multi_poll(multi, nullptr, 0, static_cast<int>(timeout_ms), nullptr);
      }
    }
    fail_all("the HTTP transport shut down before the request completed");
  }
};

Transport::Transport(TransportOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Transport::~Transport() = default;

Transport& Transport::shared()
{
  static Transport transport;
  return transport;
}

std::future<Result<Response>> Transport::submit(Request request)
{
  return m_impl->submit(std::move(request));
}

void Transport::set_budget(const std::string& name, const RateSpec& spec)
{
  std::lock_guard lock(m_impl->mutex);
  m_impl->budgets.insert_or_assign(name, RequestBudget(spec));
}

void Transport::ensure_budget(const std::string& name, const RateSpec& spec)
{
  std::lock_guard lock(m_impl->mutex);
  m_impl->budgets.try_emplace(name, RequestBudget(spec));
}

void Transport::set_logger(std::function<void(const std::string&)> logger)
{
  std::lock_guard lock(m_impl->mutex);
  m_impl->logger = std::move(logger);
}

TransportStats Transport::stats() const
{
  return TransportStats{m_impl->requests.load(),    m_impl->attempts.load(), m_impl->retries.load(),
                        m_impl->connections.load(), m_impl->http2.load(),    m_impl->max_in_flight.load()};
}

}  // namespace helios::http
