// Fake Turso Platform API (https://api.turso.tech): groups, databases in a group, organisation usage;
// errors as {"error": "..."}. Shapes follow turso.tech/openapi.json and docs.turso.tech/api-reference
// (databases/create, databases/list, groups, organizations/usage).

#include <fmt/format.h>

#include "tests/fakes/fake.hpp"

namespace fake {

namespace {
struct Turso {
  std::map<std::string, json> groups;     // by name
  std::map<std::string, json> databases;  // by name
};
}  // namespace

void install_turso(Context& ctx)
{
  auto state = std::make_shared<Turso>();
  auto seed = [state] {
    *state = Turso{};
    state->groups["default"] = {{"name", "default"}, {"locations", {"aws-eu-west-1"}}, {"primary", "aws-eu-west-1"},
                                {"uuid", "grp-default"}, {"archived", false}};
  };
  seed();
  ctx.write_error = [](httplib::Response& res, int status, const std::string&, const std::string& message) {
    res.status = status;
    res.set_content(json{{"error", message}}.dump(), "application/json");
  };
  ctx.inventory = [state] {
    json out = {{"database", json::array()}};
    for (auto& [name, db] : state->databases) out["database"].push_back(db);
    return out;
  };
  ctx.reset = seed;

  const std::string org = R"(/v1/organizations/([a-z0-9-]+))";
  auto& server = ctx.server;
  auto guarded = [&ctx](auto handler) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (!ctx.authorize(req, res)) {
        return;
      }
      if (req.matches[1] != ctx.account) {
        ctx.write_error(res, 404, "", fmt::format("organization {} not found", std::string(req.matches[1])));
        return;
      }
      std::lock_guard lock(ctx.mutex);
      handler(req, res);
    };
  };

  server.Get(org + "/groups", guarded([&ctx, state](const httplib::Request&, httplib::Response& res) {
    json out = json::array();
    for (auto& [name, g] : state->groups) out.push_back(g);
    ctx.send_json(res, 200, {{"groups", out}});
  }));
  server.Post(org + "/groups", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string name = body->value("name", "");
    if (name.empty() || body->value("location", "").empty()) {
      ctx.write_error(res, 400, "", "name and location are required");
      return;
    }
    if (state->groups.count(name)) {
      ctx.write_error(res, 409, "", fmt::format("group {} already exists", name));
      return;
    }
    json group = {{"name", name}, {"locations", {(*body)["location"]}}, {"primary", (*body)["location"]},
                  {"uuid", ctx.next_id("grp-")}, {"archived", false}};
    state->groups[name] = group;
    ctx.send_json(res, 200, {{"group", group}});
  }));

  server.Post(org + "/databases", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto body = ctx.json_body(req, res);
    if (!body) {
      return;
    }
    std::string name = body->value("name", "");
    std::string group = body->value("group", "");
    bool valid = !name.empty() && name.size() <= 64 &&
                 std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
    if (!valid) {
      ctx.write_error(res, 400, "", "database name must contain only lowercase letters, numbers and dashes, at most 64 characters");
      return;
    }
    if (group.empty() || !state->groups.count(group)) {
      ctx.write_error(res, 400, "", fmt::format("group {} does not exist", group));
      return;
    }
    if (state->databases.count(name)) {
      ctx.write_error(res, 409, "", fmt::format("database {} already exists", name));
      return;
    }
    std::string id = ctx.next_id("");
    std::string host = fmt::format("{}-{}.turso.io", name, ctx.account);
    json db = {{"Name", name}, {"DbId", id}, {"Hostname", host}, {"group", group}, {"regions", state->groups[group]["locations"]},
               {"primaryRegion", state->groups[group]["primary"]}, {"type", "logical"}, {"version", "0.24.0"},
               {"is_schema", false}, {"block_reads", false}, {"block_writes", false}};
    state->databases[name] = db;
    ctx.send_json(res, 200, {{"database", {{"DbId", id}, {"Hostname", host}, {"Name", name}}}});
  }));
  server.Get(org + "/databases", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::string group = query(req, "group");
    json out = json::array();
    for (auto& [name, db] : state->databases) {
      if (group.empty() || db["group"] == group) {
        out.push_back(db);
      }
    }
    ctx.send_json(res, 200, {{"databases", out}});
  }));
  server.Get(org + R"(/databases/([a-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    auto it = state->databases.find(req.matches[2]);
    if (it == state->databases.end()) {
      ctx.write_error(res, 404, "", fmt::format("could not find database with name {}", std::string(req.matches[2])));
      return;
    }
    ctx.send_json(res, 200, {{"database", it->second}});
  }));
  server.Delete(org + R"(/databases/([a-z0-9-]+))", guarded([&ctx, state](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[2];
    if (state->databases.erase(name) == 0) {
      ctx.write_error(res, 404, "", fmt::format("could not find database with name {}", name));
      return;
    }
    ctx.send_json(res, 200, {{"database", name}});
  }));
  server.Get(org + "/usage", guarded([&ctx, state](const httplib::Request&, httplib::Response& res) {
    double n = static_cast<double>(state->databases.size());
    json usage = {{"rows_read", 120000 * n}, {"rows_written", 3000 * n}, {"databases", n}, {"locations", 1},
                  {"storage_bytes", 4096000 * n}, {"groups", state->groups.size()}, {"bytes_synced", 0}};
    ctx.send_json(res, 200, {{"organization", {{"uuid", "org-" + ctx.account}, {"usage", usage}, {"databases", json::array()}}}});
  }));
}

}  // namespace fake
