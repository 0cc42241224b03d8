#include "providers/local/local_provider.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/process.hpp"
#include "providers/local/supervisor.hpp"

namespace helios::providers::local {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_pg_bin = "/usr/lib/postgresql/15/bin";
constexpr auto k_health_deadline = std::chrono::seconds(20);

ErrorInfo local_error(const std::string& operation, const std::string& message, const std::string& hint = {})
{
  return ErrorInfo{ExitCode::runtime, "provider_error", message, "local/" + operation, hint, nlohmann::json::object()};
}

std::string read_file(const fs::path& path)
{
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_secret_file(const fs::path& path, const std::string& text)
{
  std::ofstream(path, std::ios::trunc) << text;
  return ::chmod(path.c_str(), 0600) == 0;
}

std::string random_password()
{
  static constexpr char k_chars[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 24; ++i) {
    out.push_back(k_chars[rd() % (sizeof k_chars - 1)]);
  }
  return out;
}

std::string type_for(WorkloadKind kind, const std::string& engine)
{
  switch (kind) {
  case WorkloadKind::compute:
  case WorkloadKind::hosting:
    return "process";
  case WorkloadKind::database:
    return engine == "postgres" ? "postgres" : "sqlite";
  case WorkloadKind::storage:
    return "directory";
  case WorkloadKind::ai:
    return "none";
  }
  return "none";
}

bool postgres_available()
{
  std::error_code ec;
  return fs::exists(fs::path(k_pg_bin) / "initdb", ec) && fs::exists(fs::path(k_pg_bin) / "pg_ctl", ec);
}

// Runs a PostgreSQL tool; as root through `runuser -u postgres` (initdb refuses root).
Result<ProcessResult> pg_tool(const std::string& tool, std::vector<std::string> args, int timeout_seconds = 60)
{
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    argv = {"runuser", "-u", "postgres", "--"};
  }
  argv.push_back(std::string(k_pg_bin) + "/" + tool);
  for (auto& a : args) {
    argv.push_back(std::move(a));
  }
  return run_process(argv, std::chrono::seconds(timeout_seconds));
}

void chown_postgres(const fs::path& path)
{
  if (::geteuid() != 0) {
    return;
  }
  (void)run_process({"chown", "-R", "postgres:postgres", path.string()}, std::chrono::seconds(30));
}

// The cluster's data directory. As root, the server runs as `postgres`, which usually cannot reach the
// resource directory (under /root or a 0700 temporary directory): the data then lives in
// /var/lib/helios/postgres/<name>-<hash of the resource directory>, and <dir>/pgdata is a symlink to it.
fs::path pg_data(const fs::path& dir)
{
  std::error_code ec;
  const fs::path link = dir / "pgdata";
  if (fs::is_symlink(link, ec)) {
    return fs::read_symlink(link, ec);
  }
  return link;
}

// Where a new cluster of `dir` goes (see pg_data).
fs::path pg_home_for(const fs::path& dir)
{
  if (::geteuid() != 0) {
    return dir;
  }
  auto reach = run_process({"runuser", "-u", "postgres", "--", "test", "-x", dir.string()}, std::chrono::seconds(10));
  if (reach && reach->exit_code == 0) {
    return dir;
  }
  const std::string key = std::to_string(std::hash<std::string>{}(fs::absolute(dir).lexically_normal().string()) % 100000000);
  return fs::path("/var/lib/helios/postgres") / (dir.filename().string() + "-" + key);
}

// The resource as it is on disk now; nullopt when its directory is gone.
std::optional<Resource> describe(const fs::path& dir)
{
  std::error_code ec;
  if (!fs::exists(dir / "resource.json", ec)) {
    return std::nullopt;
  }
  auto doc = nlohmann::json::parse(read_file(dir / "resource.json"), nullptr, false);
  if (!doc.is_object()) {
    return std::nullopt;
  }
  Resource r;
  r.provider = "local";
  r.type = doc.value("type", "");
  r.name = doc.value("name", dir.filename().string());
  r.id = dir.string();
  r.region = "local";
  r.attributes = {{"dir", dir.string()}, {"kind", doc.value("kind", "")}};
  if (r.type == "process") {
    const int port = doc.value("port", 0);
    const bool alive = supervisor_alive(dir.string());
    r.status = alive ? "ready" : "stopped";
    r.outputs["port"] = std::to_string(port);
    r.outputs["url"] = fmt::format("http://127.0.0.1:{}/", port);
    r.outputs["log"] = (dir / "output.log").string();
    r.attributes["command"] = doc.value("command", "");
    r.attributes["health"] = doc.value("health", "/");
  } else if (r.type == "sqlite") {
    const fs::path file = dir / "db.sqlite";
    r.status = fs::exists(file, ec) ? "ready" : "missing";
    r.outputs["engine"] = "sqlite";
    r.outputs["path"] = file.string();
    r.outputs["url"] = "sqlite://" + file.string();
  } else if (r.type == "postgres") {
    auto status = pg_tool("pg_ctl", {"status", "-D", pg_data(dir).string()}, 20);
    r.status = status && status->exit_code == 0 ? "ready" : "stopped";
    r.outputs["engine"] = "postgres";
    r.outputs["host"] = "127.0.0.1";
    r.outputs["port"] = std::to_string(doc.value("port", 0));
    r.outputs["user"] = "helios";
    r.outputs["database"] = "postgres";
    r.secret_refs["database_url"] = "local:" + (dir / "database_url").string();
  } else if (r.type == "directory") {
    const fs::path data = dir / "data";
    r.status = fs::is_directory(data, ec) ? "ready" : "missing";
    r.outputs["path"] = data.string();
    r.outputs["url"] = "file://" + data.string();
  }
  return r;
}

Result<void> start_process(const fs::path& dir, const ResourceSpec& spec, nlohmann::json& meta)
{
  const auto& config = spec.config;
  const std::string command = config.value("command", "");
  if (command.empty()) {
    return tl::unexpected(local_error("create", fmt::format("workload '{}' has no runtime.command to run", spec.workload),
                                      "add runtime: { command: \"…\", port: 8080, health: / } to the workload"));
  }
  int port = meta.value("port", 0);
  if (port <= 0 || !port_free(port)) {
    port = config.value("port", 0);
  }
  if (port <= 0 || !port_free(port)) {
    port = pick_free_port();  // the requested port is taken by something else: any free one
  }
  meta["port"] = port;
  meta["command"] = command;
  meta["health"] = config.value("health", "/");
  std::ofstream(dir / "resource.json", std::ios::trunc) << meta.dump(2) << "\n";
  ProcessSpec ps;
  ps.command = command;
  ps.dir = dir.string();
  ps.port = port;
  if (config.contains("env") && config["env"].is_object()) {
    for (const auto& [k, v] : config["env"].items()) {
      ps.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  auto pid = start_supervised(ps);
  if (!pid) {
    return tl::unexpected(pid.error());
  }
  const std::string health = meta.value("health", "/");
  if (!wait_healthy(dir.string(), port, health.empty() ? "/" : health, k_health_deadline)) {
    std::string tail = read_file(dir / "output.log");
    if (tail.size() > 400) {
      tail = tail.substr(tail.size() - 400);
    }
    (void)stop_supervised(dir.string());
    return tl::unexpected(local_error(
      "create", fmt::format("'{}' did not answer HTTP GET {} on port {} within {} s", command, health, port,
                            k_health_deadline.count()),
      "check the command and that it listens on $PORT; its last output: " + tail));
  }
  return {};
}

Result<void> create_sqlite(const fs::path& dir)
{
  const fs::path file = dir / "db.sqlite";
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return tl::unexpected(local_error("create", "cannot create SQLite database " + file.string() + ": " + message));
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(db,
                              "PRAGMA journal_mode=WAL;"
                              "CREATE TABLE IF NOT EXISTS helios_meta(key TEXT PRIMARY KEY, value TEXT);"
                              "INSERT OR IGNORE INTO helios_meta VALUES('created_by', 'helios');",
                              nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) {
    return tl::unexpected(local_error("create", "cannot initialise " + file.string() + ": " + message));
  }
  return {};
}

Result<void> create_postgres(const fs::path& dir, nlohmann::json& meta)
{
  std::error_code ec;
  fs::path data = pg_data(dir);
  if (!fs::exists(data / "PG_VERSION", ec)) {
    fs::remove(dir / "pgdata", ec);
    fs::remove_all(data, ec);
    const fs::path home = pg_home_for(dir);
    data = home / "pgdata";
    fs::create_directories(data, ec);
    if (home != dir) {
      fs::create_symlink(data, dir / "pgdata", ec);
      if (ec) {
        return tl::unexpected(local_error("create", fmt::format("cannot link {}: {}", (dir / "pgdata").string(), ec.message())));
      }
    }
    const std::string password = random_password();
    write_secret_file(dir / "pwfile", password + "\n");
    // initdb reads the password as the server's user: a copy beside the data, removed right after.
    const fs::path initdb_pwfile = home / "initdb.pw";
    write_secret_file(initdb_pwfile, password + "\n");
    chown_postgres(home);
    auto init = pg_tool("initdb", {"-D", data.string(), "-U", "helios", "--pwfile=" + initdb_pwfile.string(),
                                   "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"},
                        120);
    fs::remove(initdb_pwfile, ec);
    if (!init || init->exit_code != 0) {
      return tl::unexpected(local_error("create", "initdb failed: " + (init ? init->output.substr(0, 400) : init.error().message)));
    }
    meta["password_file"] = (dir / "pwfile").string();
  }
  int port = meta.value("port", 0);
  auto status = pg_tool("pg_ctl", {"status", "-D", data.string()}, 20);
  if (!status || status->exit_code != 0) {
    if (port <= 0 || !port_free(port)) {
      port = pick_free_port();
    }
    auto started = pg_tool("pg_ctl", {"start", "-w", "-t", "60", "-D", data.string(), "-l", (data / "postgres.log").string(),
                                      "-o", fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1", port, data.string())},
                           90);
    if (!started || started->exit_code != 0) {
      return tl::unexpected(local_error("create", "pg_ctl start failed: " + (started ? started->output.substr(0, 400) : started.error().message)));
    }
  }
  meta["port"] = port;
  const std::string password = [&] {
    std::string p = read_file(dir / "pwfile");
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) {
      p.pop_back();
    }
    return p;
  }();
  // The connection URL holds the password: a 0600 file, referenced from state, never a value there.
  write_secret_file(dir / "database_url", fmt::format("postgresql://helios:{}@127.0.0.1:{}/postgres\n", password, port));
  return {};
}

}  // namespace

std::string local_root()
{
  if (const char* root = std::getenv("HELIOS_LOCAL_ROOT"); root && *root) {
    return root;
  }
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
    return std::string(data) + "/helios/local";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/helios/local";
}

LocalProvider::LocalProvider() : m_root(local_root()) {}

Result<void> LocalProvider::validate_credentials(const Credentials&)
{
  std::error_code ec;
  fs::create_directories(m_root, ec);
  if (ec) {
    return tl::unexpected(local_error("validate", fmt::format("cannot create {}: {}", m_root, ec.message()),
                                      "set HELIOS_LOCAL_ROOT to a writable directory"));
  }
  return {};
}

Result<Resource> LocalProvider::create(const ResourceSpec& spec, const Credentials& credentials)
{
  if (auto ok = validate_credentials(credentials); !ok) {
    return tl::unexpected(ok.error());
  }
  if (spec.name.empty() || spec.name.find('/') != std::string::npos || spec.name[0] == '.') {
    return tl::unexpected(local_error("create", fmt::format("invalid resource name '{}'", spec.name)));
  }
  const std::string engine = spec.config.value("engine", "");
  const std::string type = type_for(spec.kind, engine);
  if (type == "none") {
    return tl::unexpected(local_error("create", "the local provider has nothing to create for an ai workload"));
  }
  if (type == "postgres" && !postgres_available()) {
    return tl::unexpected(local_error("create", "engine postgres needs PostgreSQL 15 (initdb, pg_ctl) in /usr/lib/postgresql/15/bin",
                                      "apt-get install postgresql-15, or use engine: sqlite"));
  }
  const fs::path dir = fs::path(m_root) / spec.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return tl::unexpected(local_error("create", fmt::format("cannot create {}: {}", dir.string(), ec.message())));
  }
  // Adopt what an earlier (maybe interrupted) create made under the same deterministic name.
  nlohmann::json meta = nlohmann::json::object();
  if (fs::exists(dir / "resource.json", ec)) {
    auto old = nlohmann::json::parse(read_file(dir / "resource.json"), nullptr, false);
    if (old.is_object() && old.value("type", "") == type) {
      meta = old;
    }
  }
  meta["name"] = spec.name;
  meta["type"] = type;
  meta["kind"] = std::string(workload_kind_name(spec.kind));
  meta["stack"] = spec.stack;
  meta["workload"] = spec.workload;
  if (!meta.contains("created")) {
    meta["created"] = static_cast<long long>(std::time(nullptr));
  }
  if (type == "process") {
    const bool running = supervisor_alive(dir.string());
    const bool same = running && meta.value("command", "") == spec.config.value("command", "");
    if (!same) {
      if (running) {
        (void)stop_supervised(dir.string());
      }
      if (auto ok = start_process(dir, spec, meta); !ok) {
        return tl::unexpected(ok.error());
      }
    }
  } else if (type == "sqlite") {
    if (auto ok = create_sqlite(dir); !ok) {
      return tl::unexpected(ok.error());
    }
  } else if (type == "postgres") {
    if (auto ok = create_postgres(dir, meta); !ok) {
      return tl::unexpected(ok.error());
    }
  } else if (type == "directory") {
    fs::create_directories(dir / "data", ec);
    if (ec) {
      return tl::unexpected(local_error("create", fmt::format("cannot create {}: {}", (dir / "data").string(), ec.message())));
    }
  }
  // resource.json last: its presence means the resource is complete.
  const fs::path tmp = dir / "resource.json.tmp";
  std::ofstream(tmp, std::ios::trunc) << meta.dump(2) << "\n";
  fs::rename(tmp, dir / "resource.json", ec);
  auto described = describe(dir);
  if (!described) {
    return tl::unexpected(local_error("create", "cannot read back " + dir.string()));
  }
  return *described;
}

Result<std::optional<Resource>> LocalProvider::read(const Resource& resource, const Credentials&)
{
  fs::path dir = resource.id.empty() ? fs::path(m_root) / resource.name : fs::path(resource.id);
  auto described = describe(dir);
  if (!described) {
    return std::optional<Resource>();
  }
  if (described->status != "ready") {
    return std::optional<Resource>();  // stopped or missing: it no longer serves; plan re-creates it
  }
  return described;
}

Result<Resource> LocalProvider::update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials)
{
  const fs::path dir = current.id.empty() ? fs::path(m_root) / spec.name : fs::path(current.id);
  if (current.type == "process") {
    (void)stop_supervised(dir.string());
    std::error_code ec;
    fs::remove(dir / "resource.json", ec);
  }
  return create(spec, credentials);
}

Result<void> LocalProvider::remove(const Resource& resource, const Credentials&)
{
  const fs::path dir = resource.id.empty() ? fs::path(m_root) / resource.name : fs::path(resource.id);
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return {};  // already gone
  }
  if (dir.parent_path() != fs::path(m_root) && resource.id.empty()) {
    return tl::unexpected(local_error("delete", "refusing to delete outside " + m_root));
  }
  if (fs::exists(dir / "supervisor.pid", ec)) {
    (void)stop_supervised(dir.string());
  }
  const fs::path pgdata = pg_data(dir);
  if (fs::exists(pgdata / "PG_VERSION", ec)) {
    (void)pg_tool("pg_ctl", {"stop", "-m", "fast", "-w", "-D", pgdata.string()}, 60);
  }
  if (pgdata != dir / "pgdata") {
    fs::remove_all(pgdata.parent_path(), ec);  // the cluster kept outside the resource directory
  }
  fs::remove(dir / "resource.json", ec);  // first: a half-deleted directory is not a resource
  fs::remove_all(dir, ec);
  if (ec) {
    return tl::unexpected(local_error("delete", fmt::format("cannot remove {}: {}", dir.string(), ec.message())));
  }
  return {};
}

Result<std::vector<Resource>> LocalProvider::list(const Credentials&)
{
  std::vector<Resource> out;
  std::error_code ec;
  if (!fs::is_directory(m_root, ec)) {
    return out;
  }
  for (const auto& entry : fs::directory_iterator(m_root, ec)) {
    if (auto r = describe(entry.path())) {
      out.push_back(std::move(*r));
    }
  }
  std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<UsageReading>> LocalProvider::usage(const Credentials& credentials)
{
  auto resources = list(credentials);
  if (!resources) {
    return tl::unexpected(resources.error());
  }
  double bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(m_root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      bytes += static_cast<double>(it->file_size(ec));
    }
  }
  UsageReading storage{"storage", bytes, Period::none, "", ""};
  UsageReading instances{"instances", static_cast<double>(resources->size()), Period::none, "", ""};
  return std::vector<UsageReading>{storage, instances};
}

Result<bool> LocalProvider::healthy(const Resource& resource)
{
  if (resource.type != "process") {
    return true;
  }
  const auto port = resource.outputs.find("port");
  if (port == resource.outputs.end()) {
    return false;
  }
  std::string path = "/";
  if (resource.attributes.contains("health") && resource.attributes["health"].is_string()) {
    path = resource.attributes["health"].get<std::string>();
  }
  return http_ok(std::atoi(port->second.c_str()), path.empty() ? "/" : path, std::chrono::seconds(2));
}

std::unique_ptr<Provider> make_local_provider()
{
  return std::make_unique<LocalProvider>();
}

}  // namespace helios::providers::local
