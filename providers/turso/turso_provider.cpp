// Turso adapter: a libSQL database in a group of the organisation; organisation usage.
//
// Platform API (base https://api.turso.tech, `Authorization: Bearer <platform API token>`, errors as
// {"error": "..."}; the organisation slug is the account id):
// - GET /v1/organizations/{org}/groups → {groups}; POST …/groups {name, location} when the group is missing.
// - POST /v1/organizations/{org}/databases {name, group} → {database:{DbId, Hostname, Name}} (409 when the
//   name exists). docs.turso.tech/api-reference/databases/create; turso.tech/openapi.json (TURSO-OA).
// - GET …/databases?group= → {databases}; GET/DELETE …/databases/{databaseName}.
// - GET /v1/organizations/{org}/usage → {organization:{usage:{rows_read, rows_written, databases,
//   storage_bytes, …}}}. docs.turso.tech/api-reference/organizations/usage.
// - No published rate limit (TURSO-AE); a conservative 10 requests/s is kept.

#include "providers/turso/turso_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"
#include "providers/create_or_adopt.hpp"

namespace helios::providers {

namespace {

constexpr std::string_view provider_name = "turso";

std::string read_turso_error(const nlohmann::json& body)
{
  return json_string(body, "error");
}

class TursoProvider final : public Provider {
public:
  TursoProvider() { configure_budget(provider_name, provider_name, "10/s,burst=20"); }

  [[nodiscard]] std::string name() const override { return std::string(provider_name); }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    if (credentials.account_id.empty()) {
      return fail(ExitCode::usage, "missing_account_id", "turso needs the organisation slug as the account id",
                  "turso validate", "set the variable the manifest's accounts.turso.account_id_env names");
    }
    return client(credentials).check({"validate", "GET", org(credentials) + "/groups", {}, {}, {}, {}});
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto api = client(credentials);
    const std::string db_name = resource_name(spec.name, 64);
    std::string group = json_string(spec.config, "group");
    if (group.empty()) {
      group = "default";
    }
    return create_or_adopt<Resource>(
      api, {.find = [&] {
              return api.json_or_missing({"create", "GET", org(credentials) + "/databases/" + url_encode(db_name), {}, {}, {}, {}})
                .map([&](std::optional<nlohmann::json> found) {
                  return found ? std::optional<Resource>(database_resource((*found)["database"], spec.name)) : std::optional<Resource>();
                });
            },
            .call = [&]() -> Result<ApiCall> {
              return ensure_group(api, credentials, group, spec.region).map([&] {
                return ApiCall{"create", "POST", org(credentials) + "/databases", nlohmann::json{{"name", db_name}, {"group", group}}, {}, {}, {}};
              });
            },
            .made = [&](nlohmann::json body) {
              nlohmann::json created = body["database"];
              created["group"] = group;
              return database_resource(created, spec.name);
            }});
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto found = client(credentials).json_or_missing({"read", "GET", org(credentials) + "/databases/" + url_encode(resource.id), {}, {}, {}, {}});
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return std::optional<Resource>();
    }
    return std::optional<Resource>(database_resource((**found)["database"], resource.name));
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    // A Turso database has nothing a spec changes in place (moving groups is a replace).
    auto now = read(current, credentials);
    if (!now) {
      return tl::unexpected(now.error());
    }
    if (!*now) {
      return fail(ExitCode::runtime, "provider_not_found", "turso update: database " + current.id + " no longer exists", "turso update");
    }
    Resource r = **now;
    r.name = spec.name;
    return r;
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    return client(credentials).send_accepting({"delete", "DELETE", org(credentials) + "/databases/" + url_encode(resource.id), {}, {}, {}, {}},
                                              404);
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto body = client(credentials).json({"list", "GET", org(credentials) + "/databases", {}, {}, {}, {}});
    if (!body) {
      return tl::unexpected(body.error());
    }
    std::vector<Resource> out;
    for (const auto& d : body->value("databases", nlohmann::json::array())) {
      out.push_back(database_resource(d, json_string(d, "Name")));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    auto body = client(credentials).json({"usage", "GET", org(credentials) + "/usage", {}, {}, {}, {}});
    if (!body) {
      return tl::unexpected(body.error());
    }
    const auto usage = (*body)["organization"].value("usage", nlohmann::json::object());
    std::string start = utc_month_start(), now = utc_now();
    return std::vector<UsageReading>{{"rows_read", usage.value("rows_read", 0.0), Period::month, start, now},
                                     {"rows_written", usage.value("rows_written", 0.0), Period::month, start, now},
                                     {"storage", usage.value("storage_bytes", 0.0), Period::none, start, now},
                                     {"databases", usage.value("databases", 0.0), Period::none, start, now}};
  }

private:
  static ApiClient client(const Credentials& credentials)
  {
    return ApiClient(std::string(provider_name), api_base_url(provider_name, "https://api.turso.tech"), credentials.token,
                     read_turso_error);
  }

  static std::string org(const Credentials& credentials)
  {
    return "/v1/organizations/" + url_encode(credentials.account_id);
  }

  static Result<void> ensure_group(const ApiClient& api, const Credentials& credentials, const std::string& group,
                                   const std::string& region)
  {
    auto groups = api.json({"create", "GET", org(credentials) + "/groups", {}, {}, {}, {}});
    if (!groups) {
      return tl::unexpected(groups.error());
    }
    for (const auto& g : groups->value("groups", nlohmann::json::array())) {
      if (json_string(g, "name") == group) {
        return {};
      }
    }
    std::string location = region == "us" ? "aws-us-east-1" : "aws-eu-west-1";
    // 409: the group was made meanwhile
    return api.send_accepting({"create", "POST", org(credentials) + "/groups", nlohmann::json{{"name", group}, {"location", location}}, {}, {}, {}},
                              409);
  }

  static Resource database_resource(const nlohmann::json& d, const std::string& name)
  {
    Resource r;
    r.provider = std::string(provider_name);
    r.type = "database";
    r.id = json_string(d, "Name");
    r.name = name.empty() ? r.id : name;
    r.region = json_string(d, "primaryRegion");
    r.status = "ready";
    r.attributes = {{"db_id", json_string(d, "DbId")}, {"group", json_string(d, "group")}};
    r.outputs["hostname"] = json_string(d, "Hostname");
    r.outputs["url"] = "libsql://" + json_string(d, "Hostname");
    r.secret_refs["auth_token"] = "turso:" + r.id + "/auth/tokens";
    return r;
  }
};

}  // namespace

std::unique_ptr<Provider> make_turso_provider()
{
  return std::make_unique<TursoProvider>();
}

}  // namespace helios::providers
