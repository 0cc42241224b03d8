#include <doctest/doctest.h>

#include "core/state/resource_record.hpp"

using namespace helios;
using namespace helios::state;

namespace {

ResourceRecord sample()
{
  ResourceRecord r;
  r.address = "web.1";
  r.workload = "web";
  r.replica = 1;
  r.kind = WorkloadKind::compute;
  r.provider = "render";
  r.offering = "render/web";
  r.account = "default";
  r.region = "frankfurt";
  r.status = "pending";
  r.intent = Intent{"create", "2026-11-26T08:00:00Z", "tester@unit", "render"};
  r.spec_digest = "sha256:abc";
  r.spec = {{"name", "helios-s-web-1"}, {"config", {{"port", 8080}}}};
  Resource res;
  res.provider = "render";
  res.type = "web_service";
  res.id = "srv-1";
  res.name = "helios-s-web-1";
  res.outputs = {{"url", "https://web.example"}};
  res.secret_refs = {{"api_key", "env:RENDER_KEY"}};
  r.resource = res;
  r.depends_on = {"db"};
  r.created = "2026-11-26T08:00:00Z";
  r.updated = "2026-11-26T08:00:01Z";
  return r;
}

}  // namespace

TEST_SUITE_BEGIN("resource_record");

TEST_CASE("A record file keeps its key order and reads back to the same record")
{
  const std::string text = render_record(sample());
  CHECK(text == R"({
  "address": "web.1",
  "workload": "web",
  "replica": 1,
  "kind": "compute",
  "provider": "render",
  "offering": "render/web",
  "account": "default",
  "region": "frankfurt",
  "status": "pending",
  "intent": {
    "action": "create",
    "actor": "tester@unit",
    "started": "2026-11-26T08:00:00Z",
    "target_provider": "render"
  },
  "spec_digest": "sha256:abc",
  "spec": {
    "config": {
      "port": 8080
    },
    "name": "helios-s-web-1"
  },
  "resource": {
    "attributes": {},
    "id": "srv-1",
    "name": "helios-s-web-1",
    "outputs": {
      "url": "https://web.example"
    },
    "provider": "render",
    "region": "",
    "secret_refs": {
      "api_key": "env:RENDER_KEY"
    },
    "status": "",
    "type": "web_service"
  },
  "deposed": null,
  "depends_on": [
    "db"
  ],
  "created": "2026-11-26T08:00:00Z",
  "updated": "2026-11-26T08:00:01Z"
}
)");
  auto back = record_from_json(nlohmann::json::parse(text), "web.1.json").value();
  CHECK(render_record(back) == text);
  CHECK(back.intent->target_provider == "render");
  CHECK(back.resource->secret_refs.at("api_key") == "env:RENDER_KEY");
  CHECK(back.depends_on == std::vector<std::string>{"db"});
}

TEST_CASE("A settled record has a null intent, and non-string outputs read back as their JSON text")
{
  ResourceRecord r = sample();
  r.intent.reset();
  r.status = "ready";
  auto doc = to_json(r);
  CHECK(doc["intent"].is_null());
  doc["resource"]["outputs"]["port"] = 5432;
  auto back = record_from_json(doc, "web.1.json").value();
  CHECK(!back.intent);
  CHECK(back.resource->outputs.at("port") == "5432");
  CHECK(back.resource->outputs.at("url") == "https://web.example");
}

TEST_CASE("A file that is not a record is refused as corrupt state")
{
  auto bad = record_from_json(nlohmann::json::parse(R"({"address": "x"})"), "x.json");
  REQUIRE(!bad);
  CHECK(bad.error().code == "state_corrupt");
}

TEST_SUITE_END();
