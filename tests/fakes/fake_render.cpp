// Fake Render API v1 (https://api.render.com/v1): web services and their deploys, owners; cursor
// pagination where each list item is {cursor, <resource>}; errors as {id, message}; Ratelimit-*
// headers on every answer. Shapes follow api-docs.render.com (services, deploys, pagination,
// rate-limiting) and render-oss/terraform-provider-render.

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

namespace {
struct Render {
  std::map<std::string, json> services;                   // by id
  std::map<std::string, std::vector<json>> deploys;       // by service id, newest first
  std::map<std::string, std::chrono::steady_clock::time_point> deploy_started;  // by deploy id
};
}  // namespace

void install_render(Context& ctx)
{
  auto state = std::make_shared<Render>();
  ctx.write_error = [](httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    std::string id = code;
    if (status == 401 || status == 403) {
      id = "unauthorized";
    } else if (status == 404) {
      id = "not_found";
    }
    res.set_content(json{{"id", id}, {"message", message}}.dump(), "application/json");
  };
  ctx.inventory = [state] {
    json out = {{"service", json::array()}};
    for (auto& [id, s] : state->services) out["service"].push_back(s);
    return out;
  };
  ctx.reset = [state] { *state = Render{}; };

  auto deploy_status = [&ctx, state](json& deploy) {
    auto it = state->deploy_started.find(deploy["id"]);
    if (it != state->deploy_started.end() && deploy["status"] == "build_in_progress" &&
        std::chrono::steady_clock::now() - it->second >= std::chrono::milliseconds(ctx.deploy_ms)) {
      deploy["status"] = "live";
      deploy["finishedAt"] = now_rfc3339();
    }
  };
  auto start_deploy = [&ctx, state](const std::string& service_id, const std::string& trigger) {
    std::string id = ctx.next_id("dep-");
    json deploy = {{"id", id}, {"status", "build_in_progress"}, {"trigger", trigger}, {"createdAt", now_rfc3339()},
                   {"updatedAt", now_rfc3339()}};
    state->deploy_started[id] = std::chrono::steady_clock::now();
    state->deploys[service_id].insert(state->deploys[service_id].begin(), deploy);
    return id;
  };
  auto rate_headers = [](httplib::Response& res) {
    res.set_header("Ratelimit-Limit", "400");
    res.set_header("Ratelimit-Remaining", "399");
    res.set_header("Ratelimit-Reset", "60");
  };

  auto& server = ctx.server;
  auto guarded = [&ctx, rate_headers](auto handler) {
    return [&ctx, handler, rate_headers](const httplib::Request& req, httplib::Response& res) {
      if (!ctx.authorize(req, res)) {
        return;
      }
      rate_headers(res);
      std::lock_guard lock(ctx.mutex);
      handler(req, res);
    };
  };

  server.Get("/v1/owners", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
    ctx.send_json(res, 200, json::array({{{"cursor", "c1"}, {"owner", {{"id", ctx.account}, {"name", "helios"}, {"type", "user"}}}}}));
  }));

  server.Post("/v1/services", guarded([&ctx, state, start_deploy](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string type = body->value("type", "");
    static const std::vector<std::string> types = {"static_site", "web_service", "private_service", "background_worker", "cron_job"};
    if (std::find(types.begin(), types.end(), type) == types.end()) {
      ctx.write_error(res, 400, "invalid_input", "type must be one of static_site, web_service, private_service, background_worker, cron_job");
      return;
    }
    if (body->value("name", "").empty()) {
      ctx.write_error(res, 400, "invalid_input", "name is required");
      return;
    }
    if (body->value("ownerId", "") != ctx.account) {
      ctx.write_error(res, 400, "invalid_input", "ownerId must be the id of a workspace you belong to");
      return;
    }
    if (!body->contains("repo") && !body->contains("image")) {
      ctx.write_error(res, 400, "invalid_input", "either repo or image is required");
      return;
    }
    json details = body->value("serviceDetails", json::object());
    if (!details.is_object() || details.value("runtime", "").empty()) {
      ctx.write_error(res, 400, "invalid_input", "serviceDetails.runtime is required for a web service");
      return;
    }
    std::string plan = details.value("plan", "starter");
    std::string id = ctx.next_id("srv-");
    std::string slug = body->value("name", "") + "-" + id.substr(4, 4);
    auto now = now_rfc3339();
    json service = {{"id", id},
                    {"name", (*body)["name"]},
                    {"type", type},
                    {"ownerId", (*body)["ownerId"]},
                    {"slug", slug},
                    {"suspended", "not_suspended"},
                    {"suspenders", json::array()},
                    {"autoDeploy", body->value("autoDeploy", "yes")},
                    {"createdAt", now},
                    {"updatedAt", now},
                    {"dashboardUrl", "https://dashboard.render.com/web/" + id},
                    {"serviceDetails",
                     {{"plan", plan},
                      {"region", details.value("region", "oregon")},
                      {"runtime", details["runtime"]},
                      {"numInstances", 1},
                      {"url", "https://" + slug + ".onrender.com"},
                      {"healthCheckPath", details.value("healthCheckPath", "")},
                      {"envSpecificDetails", details.value("envSpecificDetails", json::object())}}}};
    if (body->contains("image")) {
      service["imagePath"] = (*body)["image"].value("imagePath", "");
    }
    state->services[id] = service;
    std::string deploy = start_deploy(id, "new_commit");
    ctx.send_json(res, 201, {{"service", service}, {"deployId", deploy}});
  }));

  server.Get("/v1/services", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    int limit = query_int(req, "limit", 20);
    if (limit < 1 || limit > 100) {
      ctx.write_error(res, 400, "invalid_input", "limit must be between 1 and 100");
      return;
    }
    std::string cursor = query(req, "cursor");
    std::string name = query(req, "name");
    std::string type = query(req, "type");
    json out = json::array();
    for (auto it = cursor.empty() ? state->services.begin() : state->services.upper_bound(cursor); it != state->services.end(); ++it) {
      if ((!name.empty() && it->second["name"] != name) || (!type.empty() && it->second["type"] != type)) {
        continue;
      }
      out.push_back({{"cursor", it->first}, {"service", it->second}});
      if (out.size() == static_cast<std::size_t>(limit)) {
        break;
      }
    }
    ctx.send_json(res, 200, out);
  }));

  server.Get(R"(/v1/services/(srv-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->services.find(req.matches[1]);
    if (it == state->services.end()) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    ctx.send_json(res, 200, it->second);
  }));

  server.Patch(R"(/v1/services/(srv-[a-z0-9]+))", guarded([&ctx, state, start_deploy](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    auto it = state->services.find(req.matches[1]);
    if (it == state->services.end()) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    if (body->contains("type") || body->contains("ownerId")) {
      ctx.write_error(res, 400, "invalid_input", "type and ownerId cannot be changed");
      return;
    }
    auto& service = it->second;
    if (body->contains("name")) {
      service["name"] = (*body)["name"];
    }
    if (body->contains("image")) {
      service["imagePath"] = (*body)["image"].value("imagePath", "");
    }
    if (body->contains("serviceDetails")) {
      for (auto& [key, value] : (*body)["serviceDetails"].items()) {
        service["serviceDetails"][key] = value;
      }
    }
    service["updatedAt"] = now_rfc3339();
    start_deploy(service["id"], "api");
    ctx.send_json(res, 200, service);
  }));

  server.Delete(R"(/v1/services/(srv-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->services.erase(req.matches[1]) == 0) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    state->deploys.erase(req.matches[1]);
    res.status = 204;
  }));

  server.Get(R"(/v1/services/(srv-[a-z0-9]+)/deploys)", guarded([&ctx, state, deploy_status](const httplib::Request& req, httplib::Response& res) {
    if (!state->services.count(req.matches[1])) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    int limit = std::clamp(query_int(req, "limit", 20), 1, 100);
    json out = json::array();
    for (auto& deploy : state->deploys[req.matches[1]]) {
      deploy_status(deploy);
      out.push_back({{"cursor", deploy["id"]}, {"deploy", deploy}});
      if (out.size() == static_cast<std::size_t>(limit)) {
        break;
      }
    }
    ctx.send_json(res, 200, out);
  }));

  server.Get(R"(/v1/services/(srv-[a-z0-9]+)/deploys/(dep-[a-z0-9]+))", guarded([&ctx, state, deploy_status](const httplib::Request& req, httplib::Response& res) {
    for (auto& deploy : state->deploys[req.matches[1]]) {
      if (deploy["id"] == req.matches[2]) {
        deploy_status(deploy);
        ctx.send_json(res, 200, deploy);
        return;
      }
    }
    ctx.write_error(res, 404, "not_found", "deploy not found");
  }));
}

}  // namespace fake
