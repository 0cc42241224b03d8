// Fake Koyeb API (https://app.koyeb.com/v1): apps, services (with their deployment status) and usage;
// offset pagination {<items>, limit, offset, count, has_next}; errors as {status, code, message};
// x-ratelimit-* headers. Shapes follow koyeb/koyeb-api-client-go api/v1/koyeb/docs (AppsApi,
// ServicesApi, CreateService, DeploymentDefinition, UsagesApi, AppUsage).

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

namespace {
struct Koyeb {
  std::map<std::string, json> apps;      // by id
  std::map<std::string, json> services;  // by id
  std::map<std::string, std::chrono::steady_clock::time_point> started;  // by service id
};

json offset_page(const std::vector<json>& items, const httplib::Request& req, const std::string& key)
{
  int limit = std::clamp(query_int(req, "limit", 10), 1, 100);
  int offset = std::max(0, query_int(req, "offset", 0));
  json out = json::array();
  for (std::size_t i = static_cast<std::size_t>(offset); i < items.size() && out.size() < static_cast<std::size_t>(limit); ++i) {
    out.push_back(items[i]);
  }
  return {{key, out}, {"limit", limit}, {"offset", offset}, {"count", items.size()},
          {"has_next", static_cast<std::size_t>(offset) + out.size() < items.size()}};
}
}  // namespace

void install_koyeb(Context& ctx)
{
  auto state = std::make_shared<Koyeb>();
  ctx.write_error = [](httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    res.set_content(json{{"status", status}, {"code", code}, {"message", message}, {"fields", json::array()}}.dump(),
                    "application/json");
  };
  ctx.inventory = [state] {
    json out = {{"app", json::array()}, {"service", json::array()}};
    for (auto& [id, a] : state->apps) out["app"].push_back(a);
    for (auto& [id, s] : state->services) out["service"].push_back(s);
    return out;
  };
  ctx.reset = [state] { *state = Koyeb{}; };

  auto refresh = [&ctx, state](json& service) {
    auto it = state->started.find(service["id"]);
    if (service["status"] == "STARTING" && it != state->started.end() &&
        std::chrono::steady_clock::now() - it->second >= std::chrono::milliseconds(ctx.deploy_ms)) {
      service["status"] = "HEALTHY";
      service["active_deployment_id"] = service["latest_deployment_id"];
    }
  };
  auto& server = ctx.server;
  auto guarded = [&ctx](auto handler) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (!ctx.authorize(req, res)) {
        return;
      }
      res.set_header("x-ratelimit-limit", "400, 400;w=60");
      res.set_header("x-ratelimit-remaining", "399");
      res.set_header("x-ratelimit-reset", "60");
      std::lock_guard lock(ctx.mutex);
      handler(req, res);
    };
  };

  server.Post("/v1/apps", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string name = body->value("name", "");
    if (name.empty() || name.size() > 23) {
      ctx.write_error(res, 400, "invalid_argument", "name must be 1 to 23 characters");
      return;
    }
    for (auto& [id, app] : state->apps) {
      if (app["name"] == name) {
        ctx.write_error(res, 409, "already_exists", fmt::format("an app named {} already exists", name));
        return;
      }
    }
    std::string id = ctx.next_id("app-");
    json app = {{"id", id}, {"name", name}, {"organization_id", ctx.account}, {"status", "HEALTHY"},
                {"created_at", now_rfc3339()}, {"domains", {{{"name", name + "-helios.koyeb.app"}, {"type", "AUTOASSIGNED"}}}}};
    state->apps[id] = app;
    ctx.send_json(res, 200, {{"app", app}});
  }));
  server.Get("/v1/apps", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::string name = query(req, "name");
    std::vector<json> items;
    for (auto& [id, app] : state->apps) {
      if (name.empty() || app["name"] == name) {
        items.push_back(app);
      }
    }
    ctx.send_json(res, 200, offset_page(items, req, "apps"));
  }));
  server.Get(R"(/v1/apps/(app-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->apps.find(req.matches[1]);
    if (it == state->apps.end()) {
      ctx.write_error(res, 404, "not_found", "app not found");
      return;
    }
    ctx.send_json(res, 200, {{"app", it->second}});
  }));
  server.Delete(R"(/v1/apps/(app-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->apps.find(req.matches[1]);
    if (it == state->apps.end()) {
      ctx.write_error(res, 404, "not_found", "app not found");
      return;
    }
    for (auto s = state->services.begin(); s != state->services.end();) {
      s = s->second["app_id"] == it->first ? state->services.erase(s) : std::next(s);
    }
    state->apps.erase(it);
    ctx.send_json(res, 200, json::object());
  }));

  server.Post("/v1/services", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string app_id = body->value("app_id", "");
    if (!state->apps.count(app_id)) {
      ctx.write_error(res, 400, "invalid_argument", "app_id does not name an app of this organization");
      return;
    }
    json def = body->value("definition", json::object());
    if (def.value("name", "").empty() || def.value("type", "") == "" || !def.contains("instance_types") ||
        !(def.contains("docker") || def.contains("git"))) {
      ctx.write_error(res, 400, "invalid_argument", "definition needs name, type, instance_types and docker or git");
      return;
    }
    for (auto& [id, s] : state->services) {
      if (s["app_id"] == app_id && s["name"] == def["name"]) {
        ctx.write_error(res, 409, "already_exists", "a service with that name already exists in the app");
        return;
      }
    }
    if (def["instance_types"].dump().find("\"free\"") != std::string::npos) {
      for (auto& [id, s] : state->services) {
        if (s.value("instance_type", "") == "free") {
          ctx.write_error(res, 402, "quota_exceeded", "the free instance of this organization is already in use");
          return;
        }
      }
    }
    std::string id = ctx.next_id("svc-");
    std::string deployment = ctx.next_id("dpl-");
    json service = {{"id", id}, {"name", def["name"]}, {"app_id", app_id}, {"organization_id", ctx.account},
                    {"type", def["type"]}, {"status", "STARTING"}, {"latest_deployment_id", deployment},
                    {"active_deployment_id", ""}, {"created_at", now_rfc3339()},
                    {"instance_type", def["instance_types"][0].value("type", "")}, {"definition", def}};
    state->services[id] = service;
    state->started[id] = std::chrono::steady_clock::now();
    ctx.send_json(res, 200, {{"service", service}});
  }));
  server.Get("/v1/services", guarded([&ctx, state, refresh](const httplib::Request& req, httplib::Response& res) {
    std::string app_id = query(req, "app_id");
    std::string name = query(req, "name");
    std::vector<json> items;
    for (auto& [id, s] : state->services) {
      refresh(s);
      if ((app_id.empty() || s["app_id"] == app_id) && (name.empty() || s["name"] == name)) {
        items.push_back(s);
      }
    }
    ctx.send_json(res, 200, offset_page(items, req, "services"));
  }));
  server.Get(R"(/v1/services/(svc-[a-z0-9]+))", guarded([&ctx, state, refresh](const httplib::Request& req, httplib::Response& res) {
    auto it = state->services.find(req.matches[1]);
    if (it == state->services.end()) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    refresh(it->second);
    ctx.send_json(res, 200, {{"service", it->second}});
  }));
  server.Put(R"(/v1/services/(svc-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    auto it = state->services.find(req.matches[1]);
    if (it == state->services.end()) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    if (!body->contains("definition")) {
      ctx.write_error(res, 400, "invalid_argument", "definition is required");
      return;
    }
    it->second["definition"] = (*body)["definition"];
    it->second["status"] = "STARTING";
    it->second["latest_deployment_id"] = ctx.next_id("dpl-");
    state->started[it->first] = std::chrono::steady_clock::now();
    ctx.send_json(res, 200, {{"service", it->second}});
  }));
  server.Delete(R"(/v1/services/(svc-[a-z0-9]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    if (state->services.erase(req.matches[1]) == 0) {
      ctx.write_error(res, 404, "not_found", "service not found");
      return;
    }
    ctx.send_json(res, 200, json::object());
  }));

  server.Get("/v1/usages", guarded([&ctx, state](const httplib::Request&, httplib::Response& res) {
    json apps = json::array();
    for (auto& [app_id, app] : state->apps) {
      json services = json::array();
      for (auto& [id, s] : state->services) {
        if (s["app_id"] == app_id) {
          services.push_back({{"service_id", id}, {"service_name", s["name"]},
                              {"regions", {{"fra", {{"instances", {{s.value("instance_type", "free"), {{"duration_seconds", 7200}}}}}}}}}});
        }
      }
      apps.push_back({{"app_id", app_id}, {"app_name", app["name"]}, {"services", services}});
    }
    ctx.send_json(res, 200, {{"usage", {{"organization_id", ctx.account},
                                        {"periods", {{{"starting_time", "2026-11-01T00:00:00Z"},
                                                      {"ending_time", "2026-12-01T00:00:00Z"},
                                                      {"apps", apps}}}}}}});
  }));
}

}  // namespace fake
