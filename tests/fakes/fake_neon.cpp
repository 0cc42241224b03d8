// Fake Neon API v2 (https://console.neon.tech/api/v2): projects with their default branch, database and
// role; cursor pagination (?limit, ?cursor, ?search) with {projects, pagination:{cursor}}; errors as
// {code, message}; consumption fields on the project. Shapes follow neon.com/docs/reference/api
// (create-project, list-projects, get-project, update-project, delete-project).

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

void install_neon(Context& ctx)
{
  auto projects = std::make_shared<std::map<std::string, json>>();
  ctx.write_error = [](httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    res.set_content(json{{"code", code}, {"message", message}, {"request_id", "req-fake"}}.dump(), "application/json");
  };
  ctx.inventory = [projects] {
    json out = {{"project", json::array()}};
    for (auto& [id, p] : *projects) out["project"].push_back(p["project"]);
    return out;
  };
  ctx.reset = [projects] { projects->clear(); };

  const std::string base = "/api/v2";
  auto& server = ctx.server;

  server.Post(base + "/projects", [&ctx, projects](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    if (!body->contains("project") || !(*body)["project"].is_object()) {
      ctx.write_error(res, 400, "", "request body must contain a \"project\" object");
      return;
    }
    const json& spec = (*body)["project"];
    std::string region = spec.value("region_id", "aws-us-east-2");
    if (region.rfind("aws-", 0) != 0 && region.rfind("azure-", 0) != 0) {
      ctx.write_error(res, 400, "", fmt::format("region_id {} is not supported", region));
      return;
    }
    std::lock_guard lock(ctx.mutex);
    if (projects->size() >= 100) {
      ctx.write_error(res, 422, "PROJECTS_LIMIT_EXCEEDED", "You have reached the limit of projects on your plan");
      return;
    }
    std::string id = ctx.next_id("proj-");
    std::string name = spec.value("name", id);
    json branch_spec = spec.value("branch", json::object());
    std::string database = branch_spec.value("database_name", "neondb");
    std::string role = branch_spec.value("role_name", "neondb_owner");
    std::string host = fmt::format("ep-{}.{}.aws.neon.tech", id.substr(5), region.substr(4));
    auto now = now_rfc3339();
    json project = {{"id", id},
                    {"name", name},
                    {"region_id", region},
                    {"pg_version", spec.value("pg_version", 17)},
                    {"platform_id", "aws"},
                    {"provisioner", "k8s-neonvm"},
                    {"org_id", ctx.account},
                    {"created_at", now},
                    {"updated_at", now},
                    {"active_time_seconds", 0},
                    {"compute_time_seconds", 0},
                    {"written_data_bytes", 0},
                    {"data_transfer_bytes", 0},
                    {"synthetic_storage_size", 0},
                    {"consumption_period_start", now},
                    {"consumption_period_end", "2099-01-01T00:00:00Z"}};
    json record = {
      {"project", project},
      {"branch", {{"id", ctx.next_id("br-")}, {"project_id", id}, {"name", "main"}, {"default", true}}},
      {"databases", {{{"id", 1}, {"name", database}, {"owner_name", role}}}},
      {"roles", {{{"name", role}, {"password", "npg_" + ctx.next_id("")}}}},
      {"endpoints", {{{"id", "ep-" + id.substr(5)}, {"host", host}, {"type", "read_write"}}}}};
    (*projects)[id] = record;
    json answer = record;
    answer["connection_uris"] = {
      {{"connection_uri", fmt::format("postgresql://{}:{}@{}/{}?sslmode=require", role,
                                      record["roles"][0]["password"].get<std::string>(), host, database)},
       {"connection_parameters", {{"database", database}, {"role", role}, {"host", host}}}}};
    answer["operations"] = {{{"id", ctx.next_id("op-")}, {"action", "create_timeline"}, {"status", "running"}}};
    ctx.send_json(res, 201, answer);
  });

  server.Get(base + "/projects", [&ctx, projects](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    int limit = query_int(req, "limit", 10);
    if (limit < 1 || limit > 400) {
      ctx.write_error(res, 400, "", "limit must be between 1 and 400");
      return;
    }
    std::string cursor = query(req, "cursor");
    std::string search = query(req, "search");
    std::lock_guard lock(ctx.mutex);
    json out = json::array();
    std::string next;
    for (auto it = cursor.empty() ? projects->begin() : projects->upper_bound(cursor); it != projects->end(); ++it) {
      const json& p = it->second["project"];
      if (!search.empty() && p["name"].get<std::string>().find(search) == std::string::npos &&
          p["id"].get<std::string>().find(search) == std::string::npos) {
        continue;
      }
      out.push_back(p);
      next = it->first;
      if (out.size() == static_cast<std::size_t>(limit)) {
        break;
      }
    }
    json body = {{"projects", out}, {"applications", json::object()}, {"databases", json::object()}};
    if (!next.empty()) {
      body["pagination"] = {{"cursor", next}};
    }
    ctx.send_json(res, 200, body);
  });

  server.Get(base + R"(/projects/([a-z0-9-]+))", [&ctx, projects](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    std::lock_guard lock(ctx.mutex);
    auto it = projects->find(req.matches[1]);
    if (it == projects->end()) {
      ctx.write_error(res, 404, "", "project not found");
      return;
    }
    // a project that exists accrues a little compute time every time it is looked at
    auto& p = it->second["project"];
    p["active_time_seconds"] = p["active_time_seconds"].get<long>() + 60;
    p["compute_time_seconds"] = p["compute_time_seconds"].get<long>() + 15;
    ctx.send_json(res, 200, {{"project", p}});
  });

  server.Patch(base + R"(/projects/([a-z0-9-]+))", [&ctx, projects](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    if (!body->contains("project") || !(*body)["project"].is_object()) {
      ctx.write_error(res, 400, "", "request body must contain a \"project\" object");
      return;
    }
    std::lock_guard lock(ctx.mutex);
    auto it = projects->find(req.matches[1]);
    if (it == projects->end()) {
      ctx.write_error(res, 404, "", "project not found");
      return;
    }
    auto& p = it->second["project"];
    if ((*body)["project"].contains("name")) {
      p["name"] = (*body)["project"]["name"];
    }
    p["updated_at"] = now_rfc3339();
    ctx.send_json(res, 200, {{"project", p}, {"operations", json::array()}});
  });

  server.Delete(base + R"(/projects/([a-z0-9-]+))", [&ctx, projects](const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res)) {
      return;
    }
    std::lock_guard lock(ctx.mutex);
    auto it = projects->find(req.matches[1]);
    if (it == projects->end()) {
      ctx.write_error(res, 404, "", "project not found");
      return;
    }
    json p = it->second["project"];
    projects->erase(it);
    ctx.send_json(res, 200, {{"project", p}});
  });
}

}  // namespace fake
