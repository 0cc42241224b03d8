// Render adapter: a free web service running a container image, with its latest deploy's status.
//
// API v1 (base https://api.render.com/v1, `Authorization: Bearer <API key>`, errors as {id, message}):
// - POST /services {type:"web_service", name, ownerId, image:{ownerId, imagePath}, serviceDetails:{plan:"free",
//   region, runtime:"image", envSpecificDetails:{dockerCommand}, healthCheckPath}} → 201 {service, deployId}.
// - GET /services?name=&type=&limit=&cursor= → [{cursor, service}] (cursor pagination: pass the last item's
//   cursor; limit ≤ 100). api-docs.render.com/reference/pagination.
// - GET /services/{serviceId}; PATCH /services/{serviceId} {name, image, serviceDetails}; DELETE → 204.
// - GET /services/{serviceId}/deploys?limit=1 → [{cursor, deploy:{id, status}}] with status created,
//   build_in_progress, update_in_progress, live, build_failed, update_failed, canceled, deactivated.
// - GET /owners → [{cursor, owner:{id}}] when no owner id is configured.
//   Sources: render-oss/terraform-provider-render (RND-TF), render-api client generated from the OpenAPI spec.
// - Rate limits (api-docs.render.com/reference/rate-limiting): POST /services 20/hour; other writes
//   30/minute; GET 400/minute in one version of the page, 100/minute in another (100 used here);
//   Ratelimit-Limit/-Remaining/-Reset headers.

#include "providers/render/render_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"
#include "providers/create_or_adopt.hpp"

namespace helios::providers {

namespace {

constexpr std::string_view provider_name = "render";

std::string read_render_error(const nlohmann::json& body)
{
  return json_string(body, "message");
}

std::string region_for(const std::string& region)
{
  if (region == "eu") {
    return "frankfurt";
  }
  if (region == "us" || region.empty()) {
    return "oregon";
  }
  return region;
}

class RenderProvider final : public Provider {
public:
  RenderProvider()
  {
    configure_budget(provider_name, "render", "100/min,burst=20");
    configure_budget(provider_name, "render-write", "30/min,burst=10");
    configure_budget(provider_name, "render-create", "20/h,burst=20");
  }

  [[nodiscard]] std::string name() const override { return std::string(provider_name); }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    return client(credentials).check({"validate", "GET", "/owners?limit=1", {}, {}, {}, {}});
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    // an adopted service and a new one alike carry their latest deploy's status
    auto made = create_or_adopt<Resource>(
      api, {.find = [&] { return find_by_name(api, spec.name, "create"); },
            .call = [&]() -> Result<ApiCall> {
              return owner_id(api, credentials).map([&](const std::string& owner) {
                return ApiCall{"create", "POST", "/services", service_body(spec, owner), {}, {}, {}};
              });
            },
            .made = [](nlohmann::json body) {
              Resource r = service_resource(body["service"]);
              r.attributes["deploy_id"] = json_string(body, "deployId");
              return r;
            }});
    return made.and_then([&](const Resource& r) { return with_deploy_status(api, r, "create"); });
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto found = api.json_or_missing({"read", "GET", "/services/" + url_encode(resource.id), {}, {}, {}, {}});
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return std::optional<Resource>();
    }
    auto r = with_deploy_status(api, service_resource(**found), "read");
    if (!r) {
      return tl::unexpected(r.error());
    }
    return std::optional<Resource>(*r);
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    nlohmann::json body = service_body(spec, "");
    body.erase("type");
    body.erase("ownerId");
    body["image"].erase("ownerId");
    body["serviceDetails"].erase("plan");
    auto updated = api.json({"update", "PATCH", "/services/" + url_encode(current.id), body, {}, {}, true});
    if (!updated) {
      return tl::unexpected(updated.error());
    }
    return with_deploy_status(api, service_resource(*updated), "update");
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    return client(credentials).send_accepting({"delete", "DELETE", "/services/" + url_encode(resource.id), {}, {}, {}, {}}, 404);
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto all = services(client(credentials), "", "list");
    if (!all) {
      return tl::unexpected(all.error());
    }
    std::vector<Resource> out;
    for (const auto& s : *all) {
      out.push_back(service_resource(s));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    // Render publishes no free-hours endpoint (RND-FREE); the free allowance is 750 instance hours per
    // workspace and month, so the reading is the running free services' hours since the month began.
    auto all = services(client(credentials), "", "usage");
    if (!all) {
      return tl::unexpected(all.error());
    }
    std::string start = utc_month_start();
    std::string now = utc_now();
    std::tm tm{};
    std::time_t t = std::time(nullptr);
    gmtime_r(&t, &tm);
    double hours_this_month = (tm.tm_mday - 1) * 24.0 + tm.tm_hour + tm.tm_min / 60.0;
    double free_running = 0;
    for (const auto& s : *all) {
      if (s.contains("serviceDetails") && json_string(s["serviceDetails"], "plan") == "free" &&
          json_string(s, "suspended") != "suspended") {
        free_running += 1;
      }
    }
    return std::vector<UsageReading>{{"instance_hours", free_running * hours_this_month, Period::month, start, now},
                                     {"services", free_running, Period::none, start, now}};
  }

private:
  static ApiClient client(const Credentials& credentials)
  {
    ApiClient api(std::string(provider_name), api_base_url(provider_name, "https://api.render.com/v1"), credentials.token,
                  read_render_error);
    api.set_budget_rule([](const ApiCall& call) -> std::string {
      if (call.method == "GET") {
        return "render";
      }
      if (call.method == "POST" && call.path == "/services") {
        return "render-create";
      }
      return "render-write";
    });
    return api;
  }

  static nlohmann::json service_body(const ResourceSpec& spec, const std::string& owner)
  {
    std::string image = json_string(spec.config, "image");
    if (image.empty()) {
      image = "docker.io/library/python:3.12-slim";
    }
    nlohmann::json details = {{"plan", "free"}, {"region", region_for(spec.region)}, {"runtime", "image"}};
    std::string command = json_string(spec.config, "command");
    if (!command.empty()) {
      details["envSpecificDetails"] = {{"dockerCommand", command}};
    }
    std::string health = json_string(spec.config, "health");
    if (!health.empty()) {
      details["healthCheckPath"] = health;
    }
    return {{"type", "web_service"}, {"name", spec.name}, {"ownerId", owner},
            {"image", {{"ownerId", owner}, {"imagePath", image}}}, {"serviceDetails", details}};
  }

  static Result<std::string> owner_id(const ApiClient& api, const Credentials& credentials)
  {
    if (!credentials.account_id.empty()) {
      return credentials.account_id;
    }
    ApiCall call{"create", "GET", "/owners?limit=1", {}, {}, {}, {}};
    auto owners = api.json(call);
    if (!owners) {
      return tl::unexpected(owners.error());
    }
    if (!owners->is_array() || owners->empty()) {
      return tl::unexpected(api.failure(call, "the API key sees no workspace (GET /owners is empty)"));
    }
    return json_string((*owners)[0].value("owner", nlohmann::json::object()), "id");
  }

  static Result<std::vector<nlohmann::json>> services(const ApiClient& api, const std::string& name, const std::string& operation)
  {
    std::vector<nlohmann::json> all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string path = "/services?limit=100&type=web_service";
      if (!name.empty()) {
        path += "&name=" + url_encode(name);
      }
      if (!cursor.empty()) {
        path += "&cursor=" + url_encode(cursor);
      }
      auto body = api.json({operation, "GET", path, {}, {}, {}, {}});
      if (!body) {
        return tl::unexpected(body.error());
      }
      if (!body->is_array() || body->empty()) {
        break;
      }
      for (const auto& item : *body) {
        all.push_back(item.value("service", nlohmann::json::object()));
      }
      std::string next = json_string(body->back(), "cursor");
      if (body->size() < 100 || next.empty() || next == cursor) {
        break;
      }
      cursor = next;
    }
    return all;
  }

  static Result<std::optional<Resource>> find_by_name(const ApiClient& api, const std::string& name, const std::string& operation)
  {
    return find_named<Resource>(services(api, name, operation), "name", name, service_resource);
  }

  static Result<Resource> with_deploy_status(const ApiClient& api, Resource r, const std::string& operation)
  {
    auto deploys = api.json({operation, "GET", "/services/" + url_encode(r.id) + "/deploys?limit=1", {}, {}, {}, {}});
    if (!deploys) {
      return tl::unexpected(deploys.error());
    }
    if (deploys->is_array() && !deploys->empty()) {
      const auto& deploy = (*deploys)[0].value("deploy", nlohmann::json::object());
      r.status = json_string(deploy, "status");
      r.attributes["deploy_id"] = json_string(deploy, "id");
    } else {
      r.status = "created";
    }
    return r;
  }

  static Resource service_resource(const nlohmann::json& s)
  {
    Resource r;
    r.provider = std::string(provider_name);
    r.type = "web_service";
    r.id = json_string(s, "id");
    r.name = json_string(s, "name");
    const auto details = s.value("serviceDetails", nlohmann::json::object());
    r.region = json_string(details, "region");
    r.status = json_string(s, "suspended") == "suspended" ? "suspended" : "created";
    r.attributes = {{"plan", json_string(details, "plan")}, {"slug", json_string(s, "slug")}, {"owner_id", json_string(s, "ownerId")}};
    if (!json_string(details, "url").empty()) {
      r.outputs["url"] = json_string(details, "url");
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Provider> make_render_provider()
{
  return std::make_unique<RenderProvider>();
}

}  // namespace helios::providers
