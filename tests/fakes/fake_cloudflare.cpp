// Fake Cloudflare API v4 (https://api.cloudflare.com/client/v4): Workers scripts, R2 buckets, D1
// databases, Workers KV namespaces, R2 metrics and the GraphQL analytics endpoint, all in the
// {success, errors, messages, result} envelope with result_info pagination.
// Shapes follow developers.cloudflare.com/api (r2/buckets, d1/database, kv/namespaces,
// workers/scripts) and cloudflare/cloudflare-typescript src/resources/{r2,d1,kv,workers}.

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

namespace {

struct Cloudflare {
  std::map<std::string, json> scripts;     // by name
  std::map<std::string, json> buckets;     // by name
  std::map<std::string, json> databases;   // by uuid
  std::map<std::string, json> namespaces;  // by id
};

json envelope(const json& result, const json& result_info = nullptr)
{
  json body = {{"success", true}, {"errors", json::array()}, {"messages", json::array()}, {"result", result}};
  if (!result_info.is_null()) {
    body["result_info"] = result_info;
  }
  return body;
}

// page/per_page pagination over a list (V4PagePaginationArray).
json page_of(const std::vector<json>& items, const httplib::Request& req, json& result_info)
{
  int page = std::max(1, query_int(req, "page", 1));
  int per_page = std::clamp(query_int(req, "per_page", 20), 1, 1000);
  json out = json::array();
  for (std::size_t i = static_cast<std::size_t>((page - 1) * per_page); i < items.size() && out.size() < static_cast<std::size_t>(per_page); ++i) {
    out.push_back(items[i]);
  }
  result_info = {{"page", page}, {"per_page", per_page}, {"count", out.size()}, {"total_count", items.size()},
                 {"total_pages", (items.size() + per_page - 1) / per_page}};
  return out;
}

bool valid_bucket_name(const std::string& name)
{
  if (name.size() < 3 || name.size() > 63) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return name.front() != '-' && name.back() != '-';
}

// The value of a multipart part's name (cpp-httplib parses multipart/form-data into req.files).
std::optional<std::string> part(const httplib::Request& req, const std::string& name)
{
  if (!req.has_file(name)) {
    return std::nullopt;
  }
  return req.get_file_value(name).content;
}

}  // namespace

void install_cloudflare(Context& ctx)
{
  auto state = std::make_shared<Cloudflare>();
  ctx.write_error = [](httplib::Response& res, int status, const std::string& code, const std::string& message) {
    int number = 10000;
    if (code == "missing_auth") {
      number = 9106;
    } else if (code == "invalid_token" || code == "bad_auth_scheme") {
      number = 9109;
    } else if (code == "rate_limited") {
      number = 971;
    } else if (!code.empty() && std::all_of(code.begin(), code.end(), ::isdigit)) {
      number = std::stoi(code);
    }
    json body = {{"success", false}, {"errors", {{{"code", number}, {"message", message}}}}, {"messages", json::array()},
                 {"result", nullptr}};
    res.status = status;
    res.set_content(body.dump(), "application/json");
  };
  ctx.inventory = [state] {
    json out = {{"workers_script", json::array()}, {"r2_bucket", json::array()}, {"d1_database", json::array()},
                {"kv_namespace", json::array()}};
    for (auto& [k, v] : state->scripts) out["workers_script"].push_back(v);
    for (auto& [k, v] : state->buckets) out["r2_bucket"].push_back(v);
    for (auto& [k, v] : state->databases) out["d1_database"].push_back(v);
    for (auto& [k, v] : state->namespaces) out["kv_namespace"].push_back(v);
    return out;
  };
  ctx.reset = [state] { *state = Cloudflare{}; };

  const std::string base = "/client/v4";
  const std::string account = base + R"(/accounts/([^/]+))";
  auto& server = ctx.server;

  // Every account route: auth first, then the account must be the configured one (7003 otherwise).
  auto guarded = [&ctx](auto handler) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (!ctx.authorize(req, res)) {
        return;
      }
      if (req.matches.size() > 1 && req.matches[1] != ctx.account) {
        ctx.write_error(res, 404, "7003",
                        fmt::format("Could not route to {}, perhaps your object identifier is invalid?", req.path));
        return;
      }
      std::lock_guard lock(ctx.mutex);
      handler(req, res);
    };
  };

  server.Get(base + "/user/tokens/verify", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    ctx.send_json(res, 200, envelope({{"id", "tok-1"}, {"status", "active"}}));
  });

  // ---- Workers scripts (multipart upload) ----
  server.Put(account + R"(/workers/scripts/([A-Za-z0-9_-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[2];
    if (!req.is_multipart_form_data()) {
      ctx.write_error(res, 400, "10021", "Uploading a worker requires a multipart/form-data body with a metadata part");
      return;
    }
    auto metadata_text = part(req, "metadata");
    auto metadata = metadata_text ? json::parse(*metadata_text, nullptr, false) : json();
    if (!metadata.is_object() || (!metadata.contains("main_module") && !metadata.contains("body_part"))) {
      ctx.write_error(res, 400, "10021", "metadata must name main_module (ES modules) or body_part (service worker)");
      return;
    }
    std::string main = metadata.value("main_module", metadata.value("body_part", ""));
    if (!req.has_file(main)) {
      ctx.write_error(res, 400, "10021", fmt::format("No such module \"{}\" in the upload", main));
      return;
    }
    auto now = now_rfc3339();
    bool existed = state->scripts.count(name) > 0;
    json script = existed ? state->scripts[name] : json{{"id", name}, {"created_on", now}};
    script["etag"] = ctx.next_id("");
    script["modified_on"] = now;
    script["usage_model"] = "standard";
    script["handlers"] = {"fetch"};
    script["compatibility_date"] = metadata.value("compatibility_date", "");
    script["content"] = req.get_file_value(main).content;
    state->scripts[name] = script;
    json result = script;
    result.erase("content");
    ctx.send_json(res, 200, envelope(result));
  }));
  server.Get(account + R"(/workers/scripts)", guarded([&ctx, state](const httplib::Request&, httplib::Response& res) {
    json out = json::array();
    for (auto& [name, script] : state->scripts) {
      json item = script;
      item.erase("content");
      out.push_back(item);
    }
    ctx.send_json(res, 200, envelope(out));
  }));
  server.Get(account + R"(/workers/scripts/([A-Za-z0-9_-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->scripts.find(req.matches[2]);
    if (it == state->scripts.end()) {
      ctx.write_error(res, 404, "10007", "This Worker does not exist on your account.");
      return;
    }
    res.status = 200;
    res.set_content(it->second.value("content", ""), "application/javascript");
  }));
  server.Get(account + R"(/workers/scripts/([A-Za-z0-9_-]+)/settings)", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->scripts.find(req.matches[2]);
    if (it == state->scripts.end()) {
      ctx.write_error(res, 404, "10007", "This Worker does not exist on your account.");
      return;
    }
    ctx.send_json(res, 200, envelope({{"compatibility_date", it->second.value("compatibility_date", "")},
                                      {"usage_model", "standard"}, {"bindings", json::array()}}));
  }));
  server.Delete(account + R"(/workers/scripts/([A-Za-z0-9_-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->scripts.erase(req.matches[2]) == 0) {
      ctx.write_error(res, 404, "10007", "This Worker does not exist on your account.");
      return;
    }
    ctx.send_json(res, 200, envelope(nullptr));
  }));

  // ---- R2 buckets (cursor pagination) ----
  server.Post(account + "/r2/buckets", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string name = body->value("name", "");
    if (!valid_bucket_name(name)) {
      ctx.write_error(res, 400, "10005", "The specified bucket name is not valid.");
      return;
    }
    if (state->buckets.count(name)) {
      ctx.write_error(res, 409, "10004", "The bucket you tried to create already exists, and you own it.");
      return;
    }
    json bucket = {{"name", name}, {"creation_date", now_rfc3339()}, {"location", body->value("locationHint", "enam")},
                   {"storage_class", body->value("storageClass", "Standard")}};
    state->buckets[name] = bucket;
    ctx.send_json(res, 200, envelope(bucket));
  }));
  server.Get(account + "/r2/buckets", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    int per_page = std::clamp(query_int(req, "per_page", 20), 1, 1000);
    std::string cursor = query(req, "cursor");
    std::string contains = query(req, "name_contains");
    json out = json::array();
    std::string next;
    for (auto it = cursor.empty() ? state->buckets.begin() : state->buckets.upper_bound(cursor); it != state->buckets.end(); ++it) {
      if (!contains.empty() && it->first.find(contains) == std::string::npos) {
        continue;
      }
      if (out.size() == static_cast<std::size_t>(per_page)) {
        next = out.back()["name"];
        break;
      }
      out.push_back(it->second);
    }
    json info = {{"per_page", per_page}};
    if (!next.empty()) {
      info["cursor"] = next;
    }
    ctx.send_json(res, 200, envelope({{"buckets", out}}, info));
  }));
  server.Get(account + R"(/r2/buckets/([a-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->buckets.find(req.matches[2]);
    if (it == state->buckets.end()) {
      ctx.write_error(res, 404, "10006", "The specified bucket does not exist.");
      return;
    }
    ctx.send_json(res, 200, envelope(it->second));
  }));
  server.Delete(account + R"(/r2/buckets/([a-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->buckets.erase(req.matches[2]) == 0) {
      ctx.write_error(res, 404, "10006", "The specified bucket does not exist.");
      return;
    }
    ctx.send_json(res, 200, envelope(json::object()));
  }));
  server.Get(account + "/r2/metrics", guarded([&ctx, state](const httplib::Request&, httplib::Response& res) {
    double objects = static_cast<double>(state->buckets.size()) * 10;
    json published = {{"payloadSize", state->buckets.size() * 1000000.0}, {"metadataSize", 2000.0}, {"objects", objects}};
    ctx.send_json(res, 200, envelope({{"standard", {{"published", published}, {"uploaded", published}}},
                                      {"infrequentAccess", {{"published", {{"payloadSize", 0}, {"metadataSize", 0}, {"objects", 0}}}}}}));
  }));

  // ---- D1 databases (page pagination, name filter) ----
  server.Post(account + "/d1/database", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string name = body->value("name", "");
    if (name.empty()) {
      ctx.write_error(res, 400, "7400", "The request is malformed: name is required");
      return;
    }
    for (auto& [id, db] : state->databases) {
      if (db["name"] == name) {
        ctx.write_error(res, 400, "7502", "A database with that name already exists");
        return;
      }
    }
    std::string uuid = ctx.next_id("d1-");
    json db = {{"uuid", uuid}, {"name", name}, {"version", "production"}, {"num_tables", 0}, {"file_size", 12288},
               {"created_at", now_rfc3339()}, {"primary_location_hint", body->value("primary_location_hint", "")}};
    state->databases[uuid] = db;
    ctx.send_json(res, 200, envelope(db));
  }));
  server.Get(account + "/d1/database", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::string name = query(req, "name");
    std::vector<json> items;
    for (auto& [id, db] : state->databases) {
      if (name.empty() || db["name"] == name) {
        items.push_back(db);
      }
    }
    json info;
    json page = page_of(items, req, info);
    ctx.send_json(res, 200, envelope(page, info));
  }));
  server.Get(account + R"(/d1/database/([A-Za-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->databases.find(req.matches[2]);
    if (it == state->databases.end()) {
      ctx.write_error(res, 404, "7404", fmt::format("The database {} could not be found", std::string(req.matches[2])));
      return;
    }
    ctx.send_json(res, 200, envelope(it->second));
  }));
  server.Delete(account + R"(/d1/database/([A-Za-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->databases.erase(req.matches[2]) == 0) {
      ctx.write_error(res, 404, "7404", fmt::format("The database {} could not be found", std::string(req.matches[2])));
      return;
    }
    ctx.send_json(res, 200, envelope(nullptr));
  }));

  // ---- Workers KV namespaces ----
  server.Post(account + "/storage/kv/namespaces", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string title = body->value("title", "");
    if (title.empty()) {
      ctx.write_error(res, 400, "10019", "title is required");
      return;
    }
    for (auto& [id, ns] : state->namespaces) {
      if (ns["title"] == title) {
        ctx.write_error(res, 400, "10014", "a namespace with this account ID and title already exists");
        return;
      }
    }
    std::string id = ctx.next_id("kv");
    json ns = {{"id", id}, {"title", title}, {"supports_url_encoding", true}};
    state->namespaces[id] = ns;
    ctx.send_json(res, 200, envelope(ns));
  }));
  server.Get(account + "/storage/kv/namespaces", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::vector<json> items;
    for (auto& [id, ns] : state->namespaces) {
      items.push_back(ns);
    }
    json info;
    json page = page_of(items, req, info);
    ctx.send_json(res, 200, envelope(page, info));
  }));
  server.Get(account + R"(/storage/kv/namespaces/([A-Za-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->namespaces.find(req.matches[2]);
    if (it == state->namespaces.end()) {
      ctx.write_error(res, 404, "10013", "namespace not found");
      return;
    }
    ctx.send_json(res, 200, envelope(it->second));
  }));
  server.Put(account + R"(/storage/kv/namespaces/([A-Za-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    auto it = state->namespaces.find(req.matches[2]);
    if (it == state->namespaces.end()) {
      ctx.write_error(res, 404, "10013", "namespace not found");
      return;
    }
    if (!body->contains("title")) {
      ctx.write_error(res, 400, "10019", "title is required");
      return;
    }
    it->second["title"] = (*body)["title"];
    ctx.send_json(res, 200, envelope(it->second));
  }));
  server.Delete(account + R"(/storage/kv/namespaces/([A-Za-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->namespaces.erase(req.matches[2]) == 0) {
      ctx.write_error(res, 404, "10013", "namespace not found");
      return;
    }
    ctx.send_json(res, 200, envelope(nullptr));
  }));

  // ---- GraphQL analytics ----
  server.Post(base + "/graphql", [&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string query_text = body->value("query", "");
    json variables = body->value("variables", json::object());
    if (query_text.find("viewer") == std::string::npos) {
      ctx.send_json(res, 200, {{"data", nullptr}, {"errors", {{{"message", "query must select viewer"}}}}});
      return;
    }
    if (variables.value("accountTag", "") != ctx.account) {
      ctx.send_json(res, 200, {{"data", nullptr}, {"errors", {{{"message", "not authorized for that account"}}}}});
      return;
    }
    std::lock_guard lock(ctx.mutex);
    json account_data = json::object();
    if (query_text.find("workersInvocationsAdaptive") != std::string::npos) {
      account_data["workersInvocationsAdaptive"] = {
        {{"sum", {{"requests", 1500 * static_cast<double>(state->scripts.size())}, {"errors", 3}, {"subrequests", 40}}}}};
    }
    if (query_text.find("d1AnalyticsAdaptiveGroups") != std::string::npos) {
      account_data["d1AnalyticsAdaptiveGroups"] = {
        {{"sum", {{"rowsRead", 25000 * static_cast<double>(state->databases.size())}, {"rowsWritten", 700}}}}};
    }
    ctx.send_json(res, 200, {{"data", {{"viewer", {{"accounts", {account_data}}}}}}, {"errors", nullptr}});
  });
}

}  // namespace fake
