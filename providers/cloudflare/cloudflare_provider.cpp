// Cloudflare adapter: Workers scripts (compute, hosting), R2 buckets (storage), D1 databases (database),
// Workers KV namespaces (config.resource: kv_namespace), Workers AI models (ai), usage from the GraphQL
// Analytics API and R2 metrics.
//
// API (v4, base https://api.cloudflare.com/client/v4, `Authorization: Bearer <API token>`, every answer in
// the {success, errors[{code,message}], messages, result, result_info} envelope):
// - Workers: PUT /accounts/{account_id}/workers/scripts/{script_name} (multipart/form-data: a `metadata`
//   part naming main_module, plus the module), GET /accounts/{account_id}/workers/scripts (list),
//   GET …/workers/scripts/{name}/settings, DELETE …/workers/scripts/{name}.
//   developers.cloudflare.com/api/resources/workers/subresources/scripts; cloudflare/cloudflare-typescript
//   src/resources/workers/scripts/scripts.ts.
// - R2: POST /accounts/{account_id}/r2/buckets {name, locationHint} (409 code 10004 when it exists),
//   GET …/r2/buckets (cursor pagination: result.buckets, result_info.cursor), GET/DELETE
//   …/r2/buckets/{bucket_name}, GET …/r2/metrics. developers.cloudflare.com/api/go/resources/r2/subresources/buckets/methods/create.
// - D1: POST /accounts/{account_id}/d1/database {name, primary_location_hint} → result.uuid,
//   GET …/d1/database?name=&page=&per_page= (page pagination), GET/DELETE …/d1/database/{database_id}.
//   developers.cloudflare.com/api/resources/d1/subresources/database/methods/create.
// - KV: POST /accounts/{account_id}/storage/kv/namespaces {title} (400 code 10014 when the title exists),
//   GET …/storage/kv/namespaces (page pagination), PUT/DELETE …/namespaces/{namespace_id}.
//   developers.cloudflare.com/api/go/resources/kv/subresources/namespaces/methods/create.
// - Usage: POST /graphql with viewer.accounts(filter:{accountTag}) { workersInvocationsAdaptive { sum
//   { requests errors } } d1AnalyticsAdaptiveGroups { sum { rowsRead rowsWritten } } } (CF-GQL in
//   ../shared/reference/providers.md); R2 storage from GET …/r2/metrics.
// - Credential check: GET /user/tokens/verify.
// - Rate limit: 1200 requests / 5 minutes per token; a 429 blocks every call for the rest of the window
//   and carries Retry-After; Ratelimit / Ratelimit-Policy headers
//   (developers.cloudflare.com/fundamentals/api/reference/limits, updated 2026-04-20).

#include "providers/cloudflare/cloudflare_provider.hpp"

#include <fmt/format.h>

#include "providers/api_client.hpp"
#include "providers/create_or_adopt.hpp"

namespace helios::providers {

namespace {

constexpr std::string_view provider_name = "cloudflare";

std::string read_cloudflare_error(const nlohmann::json& body)
{
  if (body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
    const auto& first = body["errors"][0];
    return fmt::format("{} (code {})", json_string(first, "message"), first.value("code", 0));
  }
  return {};
}

std::string default_module()
{
  return "export default {\n  async fetch(request) {\n    return new Response(\"served by helios\\n\");\n  },\n};\n";
}

class CloudflareProvider final : public Provider {
public:
  CloudflareProvider() { configure_budget(provider_name, provider_name, "1200/5m,burst=50"); }

  [[nodiscard]] std::string name() const override { return std::string(provider_name); }

  Result<void> validate_credentials(const Credentials& credentials) override
  {
    auto verified = make_client(credentials).check({"validate", "GET", "/user/tokens/verify", {}, {}, {}, {}});
    if (!verified) {
      return verified;
    }
    if (credentials.account_id.empty()) {
      return fail(ExitCode::usage, "missing_account_id", "cloudflare needs an account id (accounts.cloudflare.account_id_env)",
                  "cloudflare validate", "set the variable the manifest names, e.g. CLOUDFLARE_ACCOUNT_ID");
    }
    return {};
  }

  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    auto type = resource_type(spec);
    if (!type) {
      return tl::unexpected(type.error());
    }
    if (*type == "workers_script") {
      return upload_script(client, credentials, spec, "create");
    }
    if (*type == "r2_bucket") {
      return create_bucket(client, credentials, spec);
    }
    if (*type == "d1_database") {
      return create_database(client, credentials, spec);
    }
    if (*type == "kv_namespace") {
      return create_namespace(client, credentials, spec);
    }
    return ai_endpoint(client, credentials, spec);
  }

  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    const std::string acct = account_path(credentials);
    if (resource.type == "workers_script") {
      auto found = client.json_or_missing({"read", "GET", acct + "/workers/scripts/" + url_encode(resource.id) + "/settings", {}, {}, {}, {}});
      if (!found) {
        return tl::unexpected(found.error());
      }
      if (!*found) {
        return std::optional<Resource>();
      }
      Resource out = resource;
      out.status = "deployed";
      out.attributes["settings"] = (**found)["result"];
      return std::optional<Resource>(out);
    }
    if (resource.type == "r2_bucket") {
      auto found = client.json_or_missing({"read", "GET", acct + "/r2/buckets/" + url_encode(resource.id), {}, {}, {}, {}});
      if (!found) {
        return tl::unexpected(found.error());
      }
      return *found ? std::optional<Resource>(bucket_resource((**found)["result"])) : std::optional<Resource>();
    }
    if (resource.type == "d1_database") {
      auto found = client.json_or_missing({"read", "GET", acct + "/d1/database/" + url_encode(resource.id), {}, {}, {}, {}});
      if (!found) {
        return tl::unexpected(found.error());
      }
      return *found ? std::optional<Resource>(database_resource((**found)["result"])) : std::optional<Resource>();
    }
    if (resource.type == "kv_namespace") {
      auto found = client.json_or_missing({"read", "GET", acct + "/storage/kv/namespaces/" + url_encode(resource.id), {}, {}, {}, {}});
      if (!found) {
        return tl::unexpected(found.error());
      }
      return *found ? std::optional<Resource>(namespace_resource((**found)["result"])) : std::optional<Resource>();
    }
    if (resource.type == "ai_endpoint") {
      auto verified = client.json({"read", "GET", "/user/tokens/verify", {}, {}, {}, {}});
      if (!verified) {
        return tl::unexpected(verified.error());
      }
      return std::optional<Resource>(resource);
    }
    return tl::unexpected(client.failure({"read", "GET", "", {}, {}, {}, {}}, "unknown resource type " + resource.type));
  }

  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    if (current.type == "workers_script") {
      return upload_script(client, credentials, spec, "update");
    }
    if (current.type == "kv_namespace") {
      ApiCall call{"update", "PUT", account_path(credentials) + "/storage/kv/namespaces/" + url_encode(current.id),
                   nlohmann::json{{"title", spec.name}}, {}, {}, {}};
      auto body = client.json(call);
      if (!body) {
        return tl::unexpected(body.error());
      }
      return namespace_resource((*body)["result"]);
    }
    // R2 buckets, D1 databases and AI endpoints have nothing a spec can change in place.
    auto now = read(current, credentials);
    if (!now) {
      return tl::unexpected(now.error());
    }
    if (!*now) {
      return tl::unexpected(client.failure({"update", "GET", "", {}, {}, {}, {}}, current.type + " " + current.id + " no longer exists"));
    }
    return **now;
  }

  Result<void> remove(const Resource& resource, const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    const std::string acct = account_path(credentials);
    std::string path;
    if (resource.type == "workers_script") {
      path = acct + "/workers/scripts/" + url_encode(resource.id);
    } else if (resource.type == "r2_bucket") {
      path = acct + "/r2/buckets/" + url_encode(resource.id);
    } else if (resource.type == "d1_database") {
      path = acct + "/d1/database/" + url_encode(resource.id);
    } else if (resource.type == "kv_namespace") {
      path = acct + "/storage/kv/namespaces/" + url_encode(resource.id);
    } else if (resource.type == "ai_endpoint") {
      return {};  // a model endpoint is not owned by the account: nothing to delete
    } else {
      return tl::unexpected(client.failure({"delete", "DELETE", "", {}, {}, {}, {}}, "unknown resource type " + resource.type));
    }
    return client.send_accepting({"delete", "DELETE", path, {}, {}, {}, {}}, 404);  // already gone counts as deleted
  }

  Result<std::vector<Resource>> list(const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    const std::string acct = account_path(credentials);
    std::vector<Resource> out;
    auto scripts = client.json({"list", "GET", acct + "/workers/scripts", {}, {}, {}, {}});
    if (!scripts) {
      return tl::unexpected(scripts.error());
    }
    for (const auto& s : (*scripts)["result"]) {
      out.push_back(script_resource(s));
    }
    std::string cursor;
    do {
      auto page = client.json({"list", "GET", acct + "/r2/buckets?per_page=100" + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)), {}, {}, {}, {}});
      if (!page) {
        return tl::unexpected(page.error());
      }
      for (const auto& b : (*page)["result"].value("buckets", nlohmann::json::array())) {
        out.push_back(bucket_resource(b));
      }
      cursor = json_string((*page).value("result_info", nlohmann::json::object()), "cursor");
    } while (!cursor.empty());
    auto databases = paged(client, acct + "/d1/database");
    if (!databases) {
      return tl::unexpected(databases.error());
    }
    for (const auto& d : *databases) {
      out.push_back(database_resource(d));
    }
    auto namespaces = paged(client, acct + "/storage/kv/namespaces");
    if (!namespaces) {
      return tl::unexpected(namespaces.error());
    }
    for (const auto& n : *namespaces) {
      out.push_back(namespace_resource(n));
    }
    return out;
  }

  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override
  {
    auto client = make_client(credentials);
    const std::string day_start = utc_day_start();
    const std::string now = utc_now();
    nlohmann::json query = {
      {"query",
       "query Usage($accountTag: string!, $start: Time!, $end: Time!) { viewer { accounts(filter: {accountTag: $accountTag}) { "
       "workersInvocationsAdaptive(limit: 10000, filter: {datetime_geq: $start, datetime_leq: $end}) { sum { requests errors } } "
       "d1AnalyticsAdaptiveGroups(limit: 10000, filter: {datetimeHour_geq: $start, datetimeHour_leq: $end}) { sum { rowsRead rowsWritten } } } } }"},
      {"variables", {{"accountTag", credentials.account_id}, {"start", day_start}, {"end", now}}}};
    ApiCall call{"usage", "POST", "/graphql", query, {}, {}, true};
    auto body = client.json(call);
    if (!body) {
      return tl::unexpected(body.error());
    }
    if (body->contains("errors") && (*body)["errors"].is_array() && !(*body)["errors"].empty()) {
      return tl::unexpected(client.failure(call, "GraphQL error: " + json_string((*body)["errors"][0], "message")));
    }
    std::vector<UsageReading> readings;
    double requests = 0, rows_read = 0, rows_written = 0;
    for (const auto& account : (*body)["data"]["viewer"].value("accounts", nlohmann::json::array())) {
      for (const auto& group : account.value("workersInvocationsAdaptive", nlohmann::json::array())) {
        requests += group["sum"].value("requests", 0.0);
      }
      for (const auto& group : account.value("d1AnalyticsAdaptiveGroups", nlohmann::json::array())) {
        rows_read += group["sum"].value("rowsRead", 0.0);
        rows_written += group["sum"].value("rowsWritten", 0.0);
      }
    }
    readings.push_back({"requests", requests, Period::day, day_start, now});
    readings.push_back({"rows_read", rows_read, Period::day, day_start, now});
    readings.push_back({"rows_written", rows_written, Period::day, day_start, now});
    auto metrics = client.json({"usage", "GET", account_path(credentials) + "/r2/metrics", {}, {}, {}, {}});
    if (!metrics) {
      return tl::unexpected(metrics.error());
    }
    double bytes = 0;
    for (const auto& cls : {"standard", "infrequentAccess"}) {
      const auto& result = (*metrics)["result"];
      if (result.contains(cls) && result[cls].contains("published")) {
        bytes += result[cls]["published"].value("payloadSize", 0.0) + result[cls]["published"].value("metadataSize", 0.0);
      }
    }
    readings.push_back({"storage", bytes, Period::none, now, now});
    return readings;
  }

private:
  static ApiClient make_client(const Credentials& credentials)
  {
    return ApiClient(std::string(provider_name), api_base_url(provider_name, "https://api.cloudflare.com/client/v4"),
                     credentials.token, read_cloudflare_error);
  }

  static std::string account_path(const Credentials& credentials)
  {
    return "/accounts/" + url_encode(credentials.account_id);
  }

  static Result<std::string> resource_type(const ResourceSpec& spec)
  {
    std::string explicit_type = json_string(spec.config, "resource");
    if (!explicit_type.empty()) {
      static const std::vector<std::string> types = {"workers_script", "r2_bucket", "d1_database", "kv_namespace", "ai_endpoint"};
      if (std::find(types.begin(), types.end(), explicit_type) == types.end()) {
        return fail(ExitCode::usage, "invalid_resource", "cloudflare cannot make a '" + explicit_type + "'",
                    "cloudflare create", "use one of workers_script, r2_bucket, d1_database, kv_namespace, ai_endpoint");
      }
      return explicit_type;
    }
    switch (spec.kind) {
    case WorkloadKind::compute:
    case WorkloadKind::hosting:
      return std::string("workers_script");  // hosting: a Worker serving the static content
    case WorkloadKind::storage:
      return std::string(spec.product == "kv" ? "kv_namespace" : "r2_bucket");
    case WorkloadKind::database:
      return std::string("d1_database");
    case WorkloadKind::ai:
      return std::string("ai_endpoint");
    }
    return std::string("workers_script");
  }

  Result<Resource> upload_script(const ApiClient& client, const Credentials& credentials, const ResourceSpec& spec,
                                 const std::string& operation)
  {
    std::string script_name = resource_name(spec.name, 63);
    std::string module = json_string(spec.config, "script");
    if (module.empty()) {
      module = default_module();
    }
    nlohmann::json metadata = {{"main_module", "worker.js"}, {"compatibility_date", "2026-01-01"}};
    const std::string boundary = "helios-boundary-7f3a9c1e5b";
    std::string body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"; filename=\"metadata.json\"\r\n"
            "Content-Type: application/json\r\n\r\n" + metadata.dump() + "\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"worker.js\"; filename=\"worker.js\"\r\n"
            "Content-Type: application/javascript+module\r\n\r\n" + module + "\r\n";
    body += "--" + boundary + "--\r\n";
    ApiCall call{operation, "PUT", account_path(credentials) + "/workers/scripts/" + url_encode(script_name), {}, body,
                 "multipart/form-data; boundary=" + boundary, true};
    auto result = client.json(call);
    if (!result) {
      return tl::unexpected(result.error());
    }
    Resource r = script_resource((*result)["result"]);
    r.name = spec.name;
    r.region = spec.region;
    return r;
  }

  Result<Resource> create_bucket(const ApiClient& client, const Credentials& credentials, const ResourceSpec& spec)
  {
    std::string bucket = resource_name(spec.name, 63);
    nlohmann::json body = {{"name", bucket}};
    if (spec.region == "eu") {
      body["locationHint"] = "weur";
    } else if (spec.region == "us") {
      body["locationHint"] = "enam";
    }
    ApiCall call{"create", "POST", account_path(credentials) + "/r2/buckets", body, {}, {}, {}};
    auto response = client.send(call);
    if (!response) {
      return tl::unexpected(response.error());
    }
    if (response->effective_status == 409 || !response->ok()) {
      // It exists already (an interrupted earlier create) or the answer was lost: adopt it by name.
      auto existing = client.json_or_missing({"create", "GET", account_path(credentials) + "/r2/buckets/" + url_encode(bucket), {}, {}, {}, {}});
      if (existing && *existing) {
        Resource r = bucket_resource((**existing)["result"]);
        r.name = spec.name;
        return r;
      }
      return tl::unexpected(client.http_error(call, *response));
    }
    auto parsed = client.body_of(call, *response);
    if (!parsed) {
      return tl::unexpected(parsed.error());
    }
    Resource r = bucket_resource((*parsed)["result"]);
    r.name = spec.name;
    return r;
  }

  Result<Resource> create_database(const ApiClient& client, const Credentials& credentials, const ResourceSpec& spec)
  {
    const std::string path = account_path(credentials) + "/d1/database";
    auto find = [&] {
      auto page = client.json({"create", "GET", path + "?name=" + url_encode(spec.name), {}, {}, {}, {}});
      return find_named<Resource>(page.map([](nlohmann::json body) { return body["result"]; }), "name", spec.name, database_resource);
    };
    nlohmann::json body = {{"name", spec.name}};
    if (spec.region == "eu") {
      body["primary_location_hint"] = "weur";
    } else if (spec.region == "us") {
      body["primary_location_hint"] = "enam";
    }
    return create_or_adopt<Resource>(  // a lost answer or a concurrent create: adopt what exists
      client, {.find = find,
               .call = [&]() -> Result<ApiCall> { return ApiCall{"create", "POST", path, body, {}, {}, {}}; },
               .made = [](nlohmann::json created) { return database_resource(created["result"]); }});
  }

  Result<Resource> create_namespace(const ApiClient& client, const Credentials& credentials, const ResourceSpec& spec)
  {
    const std::string path = account_path(credentials) + "/storage/kv/namespaces";
    auto find = [&] { return find_named<Resource>(paged(client, path), "title", spec.name, namespace_resource); };
    return create_or_adopt<Resource>(
      client, {.find = find,
               .call = [&]() -> Result<ApiCall> { return ApiCall{"create", "POST", path, nlohmann::json{{"title", spec.name}}, {}, {}, {}}; },
               .made = [](nlohmann::json created) { return namespace_resource(created["result"]); }});
  }

  Result<Resource> ai_endpoint(const ApiClient& client, const Credentials& credentials, const ResourceSpec& spec)
  {
    auto verified = client.json({"create", "GET", "/user/tokens/verify", {}, {}, {}, {}});
    if (!verified) {
      return tl::unexpected(verified.error());
    }
    std::string model = json_string(spec.config, "model");
    if (model.empty()) {
      model = spec.product;
    }
    Resource r;
    r.provider = std::string(provider_name);
    r.type = "ai_endpoint";
    r.id = model;
    r.name = spec.name;
    r.status = "ready";
    r.outputs["base_url"] = client.base_url() + account_path(credentials) + "/ai/v1";
    r.outputs["model"] = model;
    r.secret_refs["api_key"] = credentials.token_ref.empty() ? "env:CLOUDFLARE_API_TOKEN" : credentials.token_ref;
    return r;
  }

  static Result<std::vector<nlohmann::json>> paged(const ApiClient& client, const std::string& path)
  {
    std::vector<nlohmann::json> all;
    for (int page = 1; page < 1000; ++page) {
      auto body = client.json({"list", "GET", fmt::format("{}?page={}&per_page=100", path, page), {}, {}, {}, {}});
      if (!body) {
        return tl::unexpected(body.error());
      }
      const auto& result = (*body)["result"];
      for (const auto& item : result) {
        all.push_back(item);
      }
      auto info = body->value("result_info", nlohmann::json::object());
      int total_pages = info.value("total_pages", 1);
      if (result.empty() || page >= total_pages) {
        break;
      }
    }
    return all;
  }

  static Resource base(std::string type, std::string id, std::string name)
  {
    Resource r;
    r.provider = std::string(provider_name);
    r.type = std::move(type);
    r.id = std::move(id);
    r.name = std::move(name);
    r.status = "ready";
    return r;
  }

  static Resource script_resource(const nlohmann::json& s)
  {
    Resource r = base("workers_script", json_string(s, "id"), json_string(s, "id"));
    r.status = "deployed";
    r.attributes = {{"etag", json_string(s, "etag")}, {"modified_on", json_string(s, "modified_on")}};
    r.outputs["script"] = r.id;
    return r;
  }

  static Resource bucket_resource(const nlohmann::json& b)
  {
    Resource r = base("r2_bucket", json_string(b, "name"), json_string(b, "name"));
    r.region = json_string(b, "location");
    r.attributes = {{"creation_date", json_string(b, "creation_date")}, {"location", r.region}};
    r.outputs["bucket"] = r.id;
    return r;
  }

  static Resource database_resource(const nlohmann::json& d)
  {
    Resource r = base("d1_database", json_string(d, "uuid"), json_string(d, "name"));
    r.attributes = {{"version", json_string(d, "version")}, {"created_at", json_string(d, "created_at")},
                    {"file_size", d.value("file_size", 0.0)}};
    r.outputs["database_id"] = r.id;
    return r;
  }

  static Resource namespace_resource(const nlohmann::json& n)
  {
    Resource r = base("kv_namespace", json_string(n, "id"), json_string(n, "title"));
    r.outputs["namespace_id"] = r.id;
    return r;
  }
};

}  // namespace

std::unique_ptr<Provider> make_cloudflare_provider()
{
  return std::make_unique<CloudflareProvider>();
}

}  // namespace helios::providers
