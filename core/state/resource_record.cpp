#include "core/state/resource_record.hpp"

#include <ctime>

#include "core/sha256.hpp"

namespace helios::state {

std::string now_rfc3339()
{
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string resource_address(const std::string& workload, int replica)
{
  return replica == 0 ? workload : fmt::format("{}[{}]", workload, replica);
}

std::string stack_dir(const std::string& stack)
{
  return "stacks/" + stack;
}

std::string stack_meta_path(const std::string& stack)
{
  return stack_dir(stack) + "/stack.json";
}

std::string resource_path(const std::string& stack, const std::string& address)
{
  std::string file = address;
  if (const auto open = file.find('['); open != std::string::npos) {
    file = file.substr(0, open) + "." + file.substr(open + 1, file.size() - open - 2);
  }
  return stack_dir(stack) + "/resources/" + file + ".json";
}

nlohmann::json to_json(const Resource& resource)
{
  nlohmann::ordered_json doc;
  doc["provider"] = resource.provider;
  doc["type"] = resource.type;
  doc["id"] = resource.id;
  doc["name"] = resource.name;
  doc["region"] = resource.region;
  doc["status"] = resource.status;
  doc["outputs"] = resource.outputs;
  doc["secret_refs"] = resource.secret_refs;
  doc["attributes"] = resource.attributes;
  return nlohmann::json(doc);
}

namespace {

// A JSON object of strings as a string map; other values are kept as their JSON text.
std::map<std::string, std::string> string_map(const nlohmann::json& doc, const char* key)
{
  std::map<std::string, std::string> out;
  if (auto found = doc.find(key); found != doc.end() && found->is_object()) {
    for (const auto& [k, v] : found->items()) {
      out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  return out;
}

// The record in its file's key order (nested objects keep nlohmann's sorted order).
nlohmann::ordered_json ordered_record(const ResourceRecord& record)
{
  nlohmann::ordered_json doc;
  doc["address"] = record.address;
  doc["workload"] = record.workload;
  doc["replica"] = record.replica;
  doc["kind"] = std::string(workload_kind_name(record.kind));
  doc["provider"] = record.provider;
  doc["offering"] = record.offering;
  doc["account"] = record.account;
  doc["region"] = record.region;
  doc["status"] = record.status;
  nlohmann::json intent;  // null when settled
  if (record.intent) {
    intent = {{"action", record.intent->action},
              {"started", record.intent->started},
              {"actor", record.intent->actor},
              {"target_provider", record.intent->target_provider}};
  }
  doc["intent"] = intent;
  doc["spec_digest"] = record.spec_digest;
  doc["spec"] = record.spec;
  doc["resource"] = record.resource ? to_json(*record.resource) : nlohmann::json();
  doc["deposed"] = record.deposed ? to_json(*record.deposed) : nlohmann::json();
  doc["depends_on"] = record.depends_on;
  doc["created"] = record.created;
  doc["updated"] = record.updated;
  return doc;
}

}  // namespace

Resource resource_from_json(const nlohmann::json& doc)
{
  Resource r;
  r.provider = doc.value("provider", "");
  r.type = doc.value("type", "");
  r.id = doc.value("id", "");
  r.name = doc.value("name", "");
  r.region = doc.value("region", "");
  r.status = doc.value("status", "");
  r.outputs = string_map(doc, "outputs");
  r.secret_refs = string_map(doc, "secret_refs");
  if (doc.contains("attributes")) {
    r.attributes = doc["attributes"];
  }
  return r;
}

nlohmann::json to_json(const ResourceSpec& spec)
{
  nlohmann::ordered_json doc;
  doc["stack"] = spec.stack;
  doc["workload"] = spec.workload;
  doc["name"] = spec.name;
  doc["kind"] = std::string(workload_kind_name(spec.kind));
  doc["offering"] = spec.offering;
  doc["product"] = spec.product;
  doc["region"] = spec.region;
  doc["config"] = spec.config;
  return nlohmann::json(doc);
}

ResourceSpec spec_from_json(const nlohmann::json& doc)
{
  ResourceSpec spec;
  spec.stack = doc.value("stack", "");
  spec.workload = doc.value("workload", "");
  spec.name = doc.value("name", "");
  spec.kind = parse_workload_kind(doc.value("kind", "compute")).value_or(WorkloadKind::compute);
  spec.offering = doc.value("offering", "");
  spec.product = doc.value("product", "");
  spec.region = doc.value("region", "");
  if (doc.contains("config")) {
    spec.config = doc["config"];
  }
  return spec;
}

std::string spec_digest(const ResourceSpec& spec)
{
  return "sha256:" + sha256_hex(to_json(spec).dump());
}

nlohmann::json to_json(const ResourceRecord& record)
{
  return nlohmann::json(ordered_record(record));
}

std::string render_record(const ResourceRecord& record)
{
  return ordered_record(record).dump(2) + "\n";  // the record's own key order: readable diffs
}

Result<ResourceRecord> record_from_json(const nlohmann::json& doc, const std::string& where)
{
  if (!doc.is_object() || !doc.contains("workload")) {
    return fail(ExitCode::runtime, "state_corrupt", "not a helios resource record", where,
                "restore the file with `helios state rollback REV`");
  }
  ResourceRecord r;
  r.workload = doc.value("workload", "");
  r.replica = doc.value("replica", 0);
  r.address = doc.value("address", resource_address(r.workload, r.replica));
  r.kind = parse_workload_kind(doc.value("kind", "compute")).value_or(WorkloadKind::compute);
  r.provider = doc.value("provider", "");
  r.offering = doc.value("offering", "");
  r.account = doc.value("account", "default");
  r.region = doc.value("region", "");
  r.status = doc.value("status", "");
  if (doc.contains("intent") && doc["intent"].is_object()) {
    const auto& i = doc["intent"];
    r.intent = Intent{i.value("action", ""), i.value("started", ""), i.value("actor", ""), i.value("target_provider", "")};
  }
  r.spec_digest = doc.value("spec_digest", "");
  if (doc.contains("spec") && doc["spec"].is_object()) {
    r.spec = doc["spec"];
  }
  if (doc.contains("resource") && doc["resource"].is_object()) {
    r.resource = resource_from_json(doc["resource"]);
  }
  if (doc.contains("deposed") && doc["deposed"].is_object()) {
    r.deposed = resource_from_json(doc["deposed"]);
  }
  if (doc.contains("depends_on") && doc["depends_on"].is_array()) {
    for (const auto& d : doc["depends_on"]) {
      if (d.is_string()) {
        r.depends_on.push_back(d.get<std::string>());
      }
    }
  }
  r.created = doc.value("created", "");
  r.updated = doc.value("updated", "");
  return r;
}

Result<std::map<std::string, ResourceRecord>> load_records(const Snapshot& snapshot, const std::string& stack)
{
  std::map<std::string, ResourceRecord> out;
  const std::string dir = stack_dir(stack) + "/resources";
  // One walk of the directory's tree, then each blob by id: a path lookup per record would re-read the
  // directory's tree every time (quadratic in the number of resources).
  auto files = snapshot.files(dir);
  if (!files) {
    return tl::unexpected(files.error());
  }
  for (const auto& [path, blob] : *files) {
    if (path.find('/', dir.size() + 1) != std::string::npos) {
      continue;  // not directly under resources/
    }
    auto text = snapshot.read_blob(blob);
    if (!text) {
      return tl::unexpected(text.error());
    }
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    auto record = record_from_json(doc, path);
    if (!record) {
      return tl::unexpected(record.error());
    }
    out[record->address] = std::move(*record);
  }
  return out;
}

Result<std::vector<std::string>> load_stacks(const Snapshot& snapshot)
{
  return snapshot.list("stacks");
}

}  // namespace helios::state
