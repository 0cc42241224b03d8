// Koyeb adapter: an app and its free web service running a container image, with the service's
// deployment status.
//
// API (base https://app.koyeb.com, `Authorization: Bearer <token>`, errors as {status, code, message}):
// - POST /v1/apps {name} → {app}; GET /v1/apps?name=&limit=&offset= → {apps, limit, offset, count, has_next};
//   DELETE /v1/apps/{id}.
// - POST /v1/services {app_id, definition:{name, type:"WEB", instance_types:[{type:"free"}], regions,
//   docker:{image, command}, ports:[{port, protocol}], routes:[{path, port}], scalings:[{min, max}],
//   env:[{key, value}]}} → {service:{id, status, latest_deployment_id, active_deployment_id}};
//   GET /v1/services?app_id=&name=; GET/PUT/DELETE /v1/services/{id}.
// - GET /v1/usages → {usage:{periods:[{apps:[{services:[{regions:{<r>:{instances:{<type>:{duration_seconds}}}}}]}]}]}}.
//   Sources: koyeb/koyeb-api-client-go api/v1/koyeb/docs (AppsApi.md, ServicesApi.md, CreateService.md,
//   DeploymentDefinition.md, UsagesApi.md, AppUsage.md) @5958795 (KYB-GO); terraform koyeb_service examples.
// - Rate limit: 400 requests / 60 s observed (x-ratelimit-limit: "400, 400;w=60"), not documented by Koyeb.
// - App names are at most 23 characters: longer deterministic names are shortened with a hash suffix.

#include "providers/koyeb/koyeb_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"
#include "providers/create_or_adopt.hpp"

namespace helios::providers {

namespace {

constexpr std::string_view provider_name = "koyeb";

class KoyebProvider final : public Provider {
public:
  KoyebProvider() { configure_budget(provider_name, provider_name, "400/60s,burst=40"); }

  [[nodiscard]] std::string name() const override { return std::string(provider_name); }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    return client(credentials).check({"validate", "GET", "/v1/apps?limit=1", {}, {}, {}, {}});
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    const std::string app_name = resource_name(spec.name, 23);
    auto app = ensure_app(api, app_name);
    if (!app) {
      return tl::unexpected(app.error());
    }
    const std::string app_id = json_string(*app, "id");
    const std::string service_name = resource_name(spec.name, 63);
    return create_or_adopt<Resource>(
      api, {.find = [&] { return find_service(api, *app, service_name, "create"); },
            .call = [&]() -> Result<ApiCall> {
              return ApiCall{"create", "POST", "/v1/services", nlohmann::json{{"app_id", app_id}, {"definition", definition(spec, service_name)}},
                             {}, {}, {}};
            },
            .made = [&](nlohmann::json body) {
              Resource r = service_resource(body["service"], *app);
              r.name = spec.name;
              return r;
            }});
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto found = api.json_or_missing({"read", "GET", "/v1/services/" + url_encode(resource.id), {}, {}, {}, {}});
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return std::optional<Resource>();
    }
    nlohmann::json app = {{"id", resource.attributes.value("app_id", "")}, {"name", resource.attributes.value("app_name", "")}};
    Resource r = service_resource((**found)["service"], app);
    r.name = resource.name;
    r.outputs = resource.outputs;
    return std::optional<Resource>(r);
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto body = api.json({"update", "PUT", "/v1/services/" + url_encode(current.id),
                          nlohmann::json{{"definition", definition(spec, resource_name(spec.name, 63))}}, {}, {}, true});
    if (!body) {
      return tl::unexpected(body.error());
    }
    nlohmann::json app = {{"id", current.attributes.value("app_id", "")}, {"name", current.attributes.value("app_name", "")}};
    Resource r = service_resource((*body)["service"], app);
    r.name = spec.name;
    r.outputs = current.outputs;
    return r;
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto service = api.send_accepting({"delete", "DELETE", "/v1/services/" + url_encode(resource.id), {}, {}, {}, {}}, 404);
    if (!service) {
      return service;
    }
    std::string app_id = resource.attributes.value("app_id", "");
    if (app_id.empty()) {
      return {};
    }
    return api.send_accepting({"delete", "DELETE", "/v1/apps/" + url_encode(app_id), {}, {}, {}, {}}, 404);
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto apps = offset_list(api, "/v1/apps?", "apps", "list");
    if (!apps) {
      return tl::unexpected(apps.error());
    }
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& a : *apps) {
      by_id[json_string(a, "id")] = a;
    }
    auto services = offset_list(api, "/v1/services?", "services", "list");
    if (!services) {
      return tl::unexpected(services.error());
    }
    std::vector<Resource> out;
    for (const auto& s : *services) {
      out.push_back(service_resource(s, by_id[json_string(s, "app_id")]));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    auto body = client(credentials).json({"usage", "GET", "/v1/usages", {}, {}, {}, {}});
    if (!body) {
      return tl::unexpected(body.error());
    }
    double free_seconds = 0, all_seconds = 0;
    std::string start = utc_month_start(), end = utc_now();
    for (const auto& period : (*body)["usage"].value("periods", nlohmann::json::array())) {
      start = json_string(period, "starting_time").empty() ? start : json_string(period, "starting_time");
      end = json_string(period, "ending_time").empty() ? end : json_string(period, "ending_time");
      for (const auto& app : period.value("apps", nlohmann::json::array())) {
        for (const auto& service : app.value("services", nlohmann::json::array())) {
          const nlohmann::json regions = service.value("regions", nlohmann::json::object());
          for (const auto& [region, usage] : regions.items()) {
            const nlohmann::json instances = usage.value("instances", nlohmann::json::object());
            for (const auto& [type, instance] : instances.items()) {
              double seconds = instance.value("duration_seconds", 0.0);
              all_seconds += seconds;
              if (type == "free") {
                free_seconds += seconds;
              }
            }
          }
        }
      }
    }
    return std::vector<UsageReading>{{"instance_hours", all_seconds / 3600.0, Period::month, start, end},
                                     {"free_instance_hours", free_seconds / 3600.0, Period::month, start, end}};
  }

private:
  static ApiClient client(const Credentials& credentials)
  {
    return ApiClient(std::string(provider_name), api_base_url(provider_name, "https://app.koyeb.com"), credentials.token,
                     message_with_code);
  }

  static nlohmann::json definition(const ResourceSpec& spec, const std::string& service_name)
  {
    std::string image = json_string(spec.config, "image");
    if (image.empty()) {
      image = "docker.io/library/python:3.12-slim";
    }
    int port = spec.config.value("port", 8000);
    nlohmann::json docker = {{"image", image}};
    std::string command = json_string(spec.config, "command");
    if (!command.empty()) {
      docker["command"] = "sh";
      docker["args"] = {"-c", command};
    }
    return {{"name", service_name},
            {"type", "WEB"},
            {"instance_types", {{{"type", "free"}}}},
            {"regions", {spec.region == "us" ? "was" : "fra"}},
            {"docker", docker},
            {"ports", {{{"port", port}, {"protocol", "http"}}}},
            {"routes", {{{"path", "/"}, {"port", port}}}},
            {"scalings", {{{"min", 0}, {"max", 1}}}},
            {"env", {{{"key", "PORT"}, {"value", std::to_string(port)}}}}};
  }

  static Result<std::vector<nlohmann::json>> offset_list(const ApiClient& api, const std::string& prefix, const std::string& key,
                                                         const std::string& operation)
  {
    std::vector<nlohmann::json> all;
    for (int offset = 0; offset < 100000;) {
      auto body = api.json({operation, "GET", fmt::format("{}limit=100&offset={}", prefix, offset), {}, {}, {}, {}});
      if (!body) {
        return tl::unexpected(body.error());
      }
      const auto& items = (*body)[key];
      for (const auto& item : items) {
        all.push_back(item);
      }
      if (items.empty() || !body->value("has_next", false)) {
        break;
      }
      offset += static_cast<int>(items.size());
    }
    return all;
  }

  static Result<nlohmann::json> ensure_app(const ApiClient& api, const std::string& app_name)
  {
    auto find = [&] {
      return find_named<nlohmann::json>(offset_list(api, "/v1/apps?name=" + url_encode(app_name) + "&", "apps", "create"), "name", app_name,
                                        [](const nlohmann::json& a) { return a; });
    };
    return create_or_adopt<nlohmann::json>(  // a 409 already_exists or a lost answer is adopted by name
      api, {.find = find,
            .call = [&]() -> Result<ApiCall> { return ApiCall{"create", "POST", "/v1/apps", nlohmann::json{{"name", app_name}}, {}, {}, {}}; },
            .made = [](nlohmann::json body) { return body["app"]; }});
  }

  // The app's service of that name, as a resource.
  static Result<std::optional<Resource>> find_service(const ApiClient& api, const nlohmann::json& app, const std::string& service_name,
                                                      const std::string& operation)
  {
    return find_named<Resource>(
      offset_list(api, "/v1/services?app_id=" + url_encode(json_string(app, "id")) + "&name=" + url_encode(service_name) + "&", "services",
                  operation),
      "name", service_name, [&](const nlohmann::json& s) { return service_resource(s, app); });
  }

  static Resource service_resource(const nlohmann::json& s, const nlohmann::json& app)
  {
    Resource r;
    r.provider = std::string(provider_name);
    r.type = "service";
    r.id = json_string(s, "id");
    r.name = json_string(s, "name");
    r.status = json_string(s, "status");
    r.attributes = {{"app_id", json_string(s, "app_id")},
                    {"app_name", json_string(app, "name")},
                    {"latest_deployment_id", json_string(s, "latest_deployment_id")},
                    {"active_deployment_id", json_string(s, "active_deployment_id")}};
    if (app.contains("domains") && app["domains"].is_array() && !app["domains"].empty()) {
      r.outputs["url"] = "https://" + json_string(app["domains"][0], "name");
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Provider> make_koyeb_provider()
{
  return std::make_unique<KoyebProvider>();
}

}  // namespace helios::providers
