// Neon adapter: a Postgres database as a Neon project with its default branch, database and role.
//
// API v2 (base https://console.neon.tech/api/v2, `Authorization: Bearer $NEON_API_KEY`, errors as
// {code, message, request_id}):
// - POST /projects {project:{name, region_id, pg_version, org_id?, branch:{database_name, role_name}}} →
//   201 {project, connection_uris[{connection_uri, connection_parameters}], roles, databases, branch,
//   endpoints, operations}. neon.com/docs/reference/api/projects/create-project.
// - GET /projects?limit=&cursor=&search=&org_id= → {projects, pagination:{cursor}} (limit 1–400).
//   neon.com/docs/reference/api/projects/list-projects.
// - GET /projects/{project_id} → {project} including the current period's consumption fields
//   (active_time_seconds, compute_time_seconds, written_data_bytes, data_transfer_bytes,
//   synthetic_storage_size). neon.com/docs/reference/api/projects/get-project.
// - PATCH /projects/{project_id} {project:{name}}; DELETE /projects/{project_id} → {project}.
// - Rate limit: 700 requests/minute, bursts of 40/s per route (neon.com/docs/reference/api/key-concepts).
// Project names are not unique at Neon, so create first searches by the deterministic name and adopts
// an exact match. The connection URI carries the role's password: it is never stored, only referenced
// (secret_refs.connection_uri = "neon:<project_id>/connection_uri", fetched again when needed).

#include "providers/neon/neon_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"
#include "providers/create_or_adopt.hpp"

namespace helios::providers {

namespace {

constexpr std::string_view provider_name = "neon";

std::string region_for(const ResourceSpec& spec)
{
  std::string explicit_region = json_string(spec.config, "region_id");
  if (!explicit_region.empty()) {
    return explicit_region;
  }
  if (spec.region == "eu") {
    return "aws-eu-central-1";
  }
  if (spec.region.rfind("aws-", 0) == 0 || spec.region.rfind("azure-", 0) == 0) {
    return spec.region;
  }
  return "aws-us-east-2";
}

class NeonProvider final : public Provider {
public:
  NeonProvider() { configure_budget(provider_name, provider_name, "700/min,burst=40"); }

  [[nodiscard]] std::string name() const override { return std::string(provider_name); }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    return client(credentials).check({"validate", "GET", "/projects?limit=1" + org_query(credentials, "&"), {}, {}, {}, {}});
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    return create_or_adopt<Resource>(
      api, {.find = [&] { return find_by_name(api, credentials, spec.name, "create"); },
            .call = [&]() -> Result<ApiCall> { return ApiCall{"create", "POST", "/projects", create_body(spec, credentials), {}, {}, {}}; },
            .made = [&](nlohmann::json body) { return created_resource(body, spec); }});
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto found = client(credentials).json_or_missing({"read", "GET", "/projects/" + url_encode(resource.id), {}, {}, {}, {}});
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return std::optional<Resource>();
    }
    Resource r = project_resource((**found)["project"]);
    for (const auto& [key, value] : resource.outputs) {
      r.outputs.try_emplace(key, value);
    }
    return std::optional<Resource>(r);
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto body = client(credentials).json({"update", "PATCH", "/projects/" + url_encode(current.id),
                                          nlohmann::json{{"project", {{"name", spec.name}}}}, {}, {}, true});
    if (!body) {
      return tl::unexpected(body.error());
    }
    Resource r = project_resource((*body)["project"]);
    for (const auto& [key, value] : current.outputs) {
      r.outputs.try_emplace(key, value);
    }
    return r;
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    return client(credentials).send_accepting({"delete", "DELETE", "/projects/" + url_encode(resource.id), {}, {}, {}, {}}, 404);
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto all = projects(client(credentials), credentials, "", "list");
    if (!all) {
      return tl::unexpected(all.error());
    }
    std::vector<Resource> out;
    for (const auto& p : *all) {
      out.push_back(project_resource(p));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    auto api = client(credentials);
    auto all = projects(api, credentials, "", "usage");
    if (!all) {
      return tl::unexpected(all.error());
    }
    double active = 0, compute = 0, written = 0, transfer = 0, storage = 0;
    std::string start = utc_month_start(), end = utc_now();
    for (const auto& listed : *all) {
      // the list carries the consumption fields too, but the project read is the documented source
      auto one = api.json({"usage", "GET", "/projects/" + url_encode(json_string(listed, "id")), {}, {}, {}, {}});
      if (!one) {
        return tl::unexpected(one.error());
      }
      const auto& p = (*one)["project"];
      active += p.value("active_time_seconds", 0.0);
      compute += p.value("compute_time_seconds", 0.0);
      written += p.value("written_data_bytes", 0.0);
      transfer += p.value("data_transfer_bytes", 0.0);
      storage += p.value("synthetic_storage_size", 0.0);
      if (!json_string(p, "consumption_period_start").empty()) {
        start = json_string(p, "consumption_period_start");
      }
    }
    return std::vector<UsageReading>{
      {"compute_hours", compute / 3600.0, Period::month, start, end},
      {"active_hours", active / 3600.0, Period::month, start, end},
      {"written_bytes", written, Period::month, start, end},
      {"egress", transfer, Period::month, start, end},
      {"storage", storage, Period::none, start, end},
    };
  }

private:
  static ApiClient client(const Credentials& credentials)
  {
    return ApiClient(std::string(provider_name), api_base_url(provider_name, "https://console.neon.tech/api/v2"), credentials.token,
                     message_with_code);
  }

  static nlohmann::json create_body(const ResourceSpec& spec, const Credentials& credentials)
  {
    std::string database = json_string(spec.config, "database");
    std::string role = json_string(spec.config, "role");
    nlohmann::json project = {{"name", spec.name}, {"region_id", region_for(spec)},
                              {"branch", {{"database_name", database.empty() ? "app" : database},
                                          {"role_name", role.empty() ? "app_owner" : role}}}};
    if (spec.config.contains("pg_version")) {
      project["pg_version"] = spec.config["pg_version"];
    }
    if (!credentials.account_id.empty()) {
      project["org_id"] = credentials.account_id;
    }
    return {{"project", project}};
  }

  // The project a create answered with, its database, role and host from the same answer.
  static Resource created_resource(nlohmann::json& body, const ResourceSpec& spec)
  {
    Resource r = project_resource(body["project"]);
    r.region = spec.region;
    if (body.contains("databases") && !body["databases"].empty()) {
      r.outputs["database"] = json_string(body["databases"][0], "name");
    }
    if (body.contains("roles") && !body["roles"].empty()) {
      r.outputs["role"] = json_string(body["roles"][0], "name");
    }
    if (body.contains("endpoints") && !body["endpoints"].empty()) {
      r.outputs["host"] = json_string(body["endpoints"][0], "host");
    }
    return r;
  }

  static std::string org_query(const Credentials& credentials, const std::string& separator)
  {
    return credentials.account_id.empty() ? "" : separator + "org_id=" + url_encode(credentials.account_id);
  }

  static Result<std::vector<nlohmann::json>> projects(const ApiClient& api, const Credentials& credentials,
                                                      const std::string& search, const std::string& operation)
  {
    std::vector<nlohmann::json> all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string path = "/projects?limit=400" + org_query(credentials, "&");
      if (!search.empty()) {
        path += "&search=" + url_encode(search);
      }
      if (!cursor.empty()) {
        path += "&cursor=" + url_encode(cursor);
      }
      auto body = api.json({operation, "GET", path, {}, {}, {}, {}});
      if (!body) {
        return tl::unexpected(body.error());
      }
      const auto& items = (*body)["projects"];
      for (const auto& p : items) {
        all.push_back(p);
      }
      std::string next = json_string(body->value("pagination", nlohmann::json::object()), "cursor");
      if (items.empty() || next.empty() || next == cursor) {
        break;
      }
      cursor = next;
    }
    return all;
  }

  static Result<std::optional<Resource>> find_by_name(const ApiClient& api, const Credentials& credentials,
                                                      const std::string& name, const std::string& operation)
  {
    return find_named<Resource>(projects(api, credentials, name, operation), "name", name, project_resource);
  }

  static Resource project_resource(const nlohmann::json& p)
  {
    Resource r;
    r.provider = std::string(provider_name);
    r.type = "project";
    r.id = json_string(p, "id");
    r.name = json_string(p, "name");
    r.region = json_string(p, "region_id");
    r.status = "ready";
    r.attributes = {{"region_id", r.region}, {"pg_version", p.value("pg_version", 0)}, {"created_at", json_string(p, "created_at")}};
    r.outputs["project_id"] = r.id;
    r.secret_refs["connection_uri"] = "neon:" + r.id + "/connection_uri";
    return r;
  }
};

}  // namespace

std::unique_ptr<Provider> make_neon_provider()
{
  return std::make_unique<NeonProvider>();
}

}  // namespace helios::providers
