#include "core/plan.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/sha256.hpp"

namespace helios {

namespace {

nlohmann::json workload_config(const Workload& w)
{
  nlohmann::json config = nlohmann::json::object();
  if (!w.runtime.command.empty()) {
    config["command"] = w.runtime.command;
  }
  if (!w.runtime.image.empty()) {
    config["image"] = w.runtime.image;
  }
  if (w.runtime.port > 0) {
    config["port"] = w.runtime.port;
  }
  if (!w.runtime.health.empty()) {
    config["health"] = w.runtime.health;
  }
  if (!w.runtime.env.empty()) {
    config["env"] = w.runtime.env;
  }
  if (!w.engine.empty()) {
    config["engine"] = w.engine;
  }
  if (!w.bucket.empty()) {
    config["bucket"] = w.bucket;
  }
  if (!w.models.empty()) {
    config["models"] = w.models;
  }
  return config;
}

// The names X of every `${X}` or `${X.…}` reference in `text`.
void referenced_names(const std::string& text, std::set<std::string>& out)
{
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
    const std::size_t start = at + 2;
    const std::size_t end = text.find_first_of(".}", start);
    if (end != std::string::npos && end > start) {
      out.insert(text.substr(start, end - start));
    }
  }
}

// Workloads a workload references: depends_on, plus ${name…} references in its command and env.
// Linear in the text: one scan for `${`, then a lookup in the stack's workload names.
std::vector<std::string> references(const Workload& w, const std::set<std::string>& workload_names)
{
  std::set<std::string> refs(w.depends_on.begin(), w.depends_on.end());
  std::set<std::string> named;
  referenced_names(w.runtime.command, named);
  for (const auto& [k, v] : w.runtime.env) {
    referenced_names(v, named);
  }
  for (const auto& name : named) {
    if (workload_names.count(name)) {
      refs.insert(name);
    }
  }
  refs.erase(w.name);
  return {refs.begin(), refs.end()};
}

// Top-level spec fields that differ, for the reason of an update.
std::string changed_fields(const nlohmann::json& before, const nlohmann::json& after)
{
  std::vector<std::string> fields;
  for (const char* key : {"offering", "product", "region", "name"}) {
    if (before.value(key, "") != after.value(key, "")) {
      fields.emplace_back(key);
    }
  }
  const auto bc = before.contains("config") ? before["config"] : nlohmann::json::object();
  const auto ac = after.contains("config") ? after["config"] : nlohmann::json::object();
  std::set<std::string> keys;
  for (const auto& [k, v] : bc.items()) {
    keys.insert(k);
  }
  for (const auto& [k, v] : ac.items()) {
    keys.insert(k);
  }
  for (const auto& k : keys) {
    if (!bc.contains(k) || !ac.contains(k) || bc[k] != ac[k]) {
      fields.push_back("config." + k);
    }
  }
  std::string out;
  for (const auto& f : fields) {
    out += (out.empty() ? "" : ", ") + f;
  }
  return out.empty() ? "spec" : out;
}

std::string engine_of(const nlohmann::json& spec)
{
  if (spec.contains("config") && spec["config"].is_object()) {
    return spec["config"].value("engine", "");
  }
  return {};
}

}  // namespace

std::string_view action_name(ActionType type)
{
  switch (type) {
  case ActionType::create:
    return "create";
  case ActionType::update:
    return "update";
  case ActionType::remove:
    return "delete";
  case ActionType::replace:
    return "replace";
  case ActionType::move:
    return "move";
  case ActionType::noop:
    return "no-op";
  }
  return "no-op";
}

std::optional<ActionType> parse_action(std::string_view name)
{
  for (auto t : {ActionType::create, ActionType::update, ActionType::remove, ActionType::replace, ActionType::move,
                 ActionType::noop}) {
    if (action_name(t) == name) {
      return t;
    }
  }
  return std::nullopt;
}

std::string resource_name(const std::string& stack, const std::string& workload, int replica)
{
  std::string name = "helios-" + stack + "-" + workload;
  if (replica > 0) {
    name += "-" + std::to_string(replica);
  }
  return name;
}

std::vector<DesiredResource> desired_resources(const Stack& stack, const Placement& placement)
{
  std::vector<DesiredResource> out;
  std::set<std::string> workload_names;
  for (const auto& w : stack.workloads) {
    workload_names.insert(w.name);
  }
  for (const auto& a : placement.assignments) {
    const Workload* w = stack.workload(a.workload);
    if (!w || w->kind == WorkloadKind::ai) {
      continue;
    }
    DesiredResource d;
    d.workload = a.workload;
    d.replica = a.replica;
    d.address = state::resource_address(a.workload, a.replica);
    d.provider = a.provider;
    d.offering = a.offering;
    d.account = a.account.empty() ? "default" : a.account;
    d.region = a.region;
    d.spec.stack = stack.name;
    d.spec.workload = a.workload;
    d.spec.name = resource_name(stack.name, a.workload, a.replica);
    d.spec.kind = w->kind;
    d.spec.offering = a.offering;
    const auto slash = a.offering.find('/');
    d.spec.product = slash == std::string::npos ? a.offering : a.offering.substr(slash + 1);
    d.spec.region = a.region;
    d.spec.config = workload_config(*w);
    d.depends_on = references(*w, workload_names);
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.address < y.address; });
  return out;
}

bool Plan::has_changes() const
{
  return std::any_of(actions.begin(), actions.end(), [](const auto& a) { return a.type != ActionType::noop; });
}

std::map<std::string, int> Plan::summary() const
{
  std::map<std::string, int> out;
  for (auto t : {ActionType::create, ActionType::update, ActionType::remove, ActionType::replace, ActionType::move,
                 ActionType::noop}) {
    out[std::string(action_name(t))] = 0;
  }
  for (const auto& a : actions) {
    out[std::string(action_name(a.type))] += 1;
  }
  return out;
}

std::string Plan::digest() const
{
  nlohmann::json doc;
  doc["stack"] = stack;
  doc["state_commit"] = state_commit;
  doc["manifest_digest"] = manifest_digest;
  doc["destroy"] = destroy;
  auto& acts = doc["actions"] = nlohmann::json::array();
  for (const auto& a : actions) {
    if (a.type == ActionType::noop) {  // does nothing: its address says enough
      acts.push_back({{"action", action_name(a.type)}, {"address", a.address}});
      continue;
    }
    acts.push_back({{"action", action_name(a.type)},
                    {"address", a.address},
                    {"deposed", a.deposed},
                    {"before", a.before ? state::to_json(*a.before) : nlohmann::json()},
                    {"after", a.after ? to_json(*a.after) : nlohmann::json()}});
  }
  return "sha256:" + sha256_hex(doc.dump());
}

Result<Plan> make_plan(const std::string& stack, const std::vector<DesiredResource>& desired,
                       const state::Snapshot& snapshot, const ProviderLookup& providers,
                       const CredentialsLookup& credentials, const PlanOptions& options)
{
  Plan plan;
  plan.stack = stack;
  plan.state_commit = snapshot.commit();
  plan.state_tree = snapshot.object_id(state::stack_dir(stack));
  if (auto meta = snapshot.meta(); meta) {
    plan.lineage = meta->lineage;
    plan.serial = meta->serial;
  }
  plan.created = state::now_rfc3339();
  plan.destroy = options.destroy;
  plan.targets = options.targets;
  plan.excludes = options.excludes;
  auto loaded = state::load_records(snapshot, stack);
  if (!loaded) {
    return tl::unexpected(loaded.error());
  }
  auto& records = *loaded;

  // Refresh: read what really exists.
  std::map<std::string, bool> gone;
  if (options.refresh) {
    plan.refreshed = true;
    for (auto& [address, record] : records) {
      if (!record.resource) {
        continue;
      }
      Provider* provider = providers ? providers(record.provider) : nullptr;
      if (!provider) {
        return fail(ExitCode::runtime, "unknown_provider",
                    fmt::format("state records {} at provider '{}', which this helios has no adapter for", address,
                                record.provider),
                    state::resource_path(stack, address), "use --refresh=false, or a helios with that adapter");
      }
      auto creds = credentials ? credentials(record.provider, record.account) : Result<Credentials>(Credentials{});
      if (!creds) {
        return tl::unexpected(creds.error());
      }
      auto actual = provider->read(*record.resource, *creds);
      if (!actual) {
        return tl::unexpected(actual.error());
      }
      if (!*actual) {
        gone[address] = true;
        plan.drift.push_back({address, "deleted",
                              fmt::format("{} {} no longer exists at {}", record.resource->type, record.resource->name,
                                          record.provider),
                              state::to_json(*record.resource), nullptr});
        continue;
      }
      const Resource& now = **actual;
      if (now.outputs != record.resource->outputs || now.status != record.resource->status ||
          now.secret_refs != record.resource->secret_refs) {
        plan.drift.push_back({address, "changed", "outputs or status changed outside helios",
                              state::to_json(*record.resource), state::to_json(now)});
        record.resource = now;  // the plan (and apply) continue from what is real
      }
    }
  }

  std::map<std::string, const DesiredResource*> wanted;
  if (!options.destroy) {
    for (const auto& d : desired) {
      wanted[d.address] = &d;
    }
  }
  std::vector<PlannedAction> actions;
  // Resources left behind by an interrupted move or replace.
  for (const auto& [address, record] : records) {
    if (record.deposed) {
      PlannedAction a;
      a.type = ActionType::remove;
      a.deposed = true;
      a.address = address;
      a.workload = record.workload;
      a.replica = record.replica;
      a.before = record;
      a.reason = fmt::format("a {} resource left by an interrupted move or replace ({})", record.deposed->provider,
                             record.deposed->name);
      actions.push_back(std::move(a));
    }
  }
  for (const auto& [address, d] : wanted) {
    PlannedAction a;
    a.address = address;
    a.workload = d->workload;
    a.replica = d->replica;
    a.after = *d;
    auto found = records.find(address);
    if (found == records.end()) {
      a.type = ActionType::create;
      a.reason = "not in state: the placement puts it on " + d->offering;
    } else {
      const auto& r = found->second;
      a.before = r;
      const nlohmann::json after_spec = state::to_json(d->spec);
      if (!r.resource) {
        a.type = ActionType::create;
        a.reason = r.intent ? fmt::format("an interrupted {} is resumed (the adapter adopts what it made)", r.intent->action)
                            : "recorded without a resource (an earlier create failed)";
        if (r.provider != d->provider && !r.provider.empty()) {
          a.reason += "; now placed on " + d->offering;
        }
      } else if (r.provider != d->provider || (!r.account.empty() && r.account != d->account)) {
        a.type = ActionType::move;
        a.reason = r.provider != d->provider
                     ? fmt::format("placement moved it from {} to {}: create new, check health, cut over, delete old",
                                   r.offering, d->offering)
                     : fmt::format("placement moved it from account {} to account {} of {}: create new, check health, "
                                   "cut over, delete old",
                                   r.account, d->account, d->provider);
      } else if (gone.count(address)) {
        a.type = ActionType::create;
        a.reason = "deleted outside helios (drift): re-created";
      } else if (r.offering != d->offering || r.kind != d->spec.kind || engine_of(r.spec) != engine_of(after_spec)) {
        a.type = ActionType::replace;
        a.reason = r.offering != d->offering
                     ? fmt::format("offering changed from {} to {}, which cannot be updated in place", r.offering, d->offering)
                     : "kind or engine changed, which cannot be updated in place";
      } else if (r.intent) {
        a.type = r.intent->action == "delete" ? ActionType::replace : ActionType::update;
        a.reason = fmt::format("an interrupted {} is resumed", r.intent->action);
      } else if (r.spec_digest != state::spec_digest(d->spec)) {
        a.type = ActionType::update;
        a.reason = "changed: " + changed_fields(r.spec, after_spec);
      } else {
        a.type = ActionType::noop;
        a.reason = "up to date";
      }
    }
    a.depends_on = d->depends_on;  // workload names for now; resolved to addresses below
    actions.push_back(std::move(a));
  }
  for (const auto& [address, r] : records) {
    if (wanted.count(address)) {
      continue;
    }
    PlannedAction a;
    a.type = ActionType::remove;
    a.address = address;
    a.workload = r.workload;
    a.replica = r.replica;
    a.before = r;
    a.reason = options.destroy ? "destroy" : "no longer in the manifest's placement";
    if (!r.resource && !r.intent) {
      a.reason += " (nothing was created: only the record goes)";
    }
    a.depends_on = r.depends_on;
    actions.push_back(std::move(a));
  }

  // --target: the targets and their dependencies; --exclude: the excluded and what depends on them.
  std::map<std::string, std::vector<std::string>> deps;
  for (const auto& a : actions) {
    auto& list = deps[a.workload];
    list.insert(list.end(), a.depends_on.begin(), a.depends_on.end());
  }
  if (!options.targets.empty()) {
    std::set<std::string> keep;
    std::vector<std::string> todo = options.targets;
    while (!todo.empty()) {
      const std::string w = todo.back();
      todo.pop_back();
      if (keep.insert(w).second) {
        for (const auto& d : deps[w]) {
          todo.push_back(d);
        }
      }
    }
    std::erase_if(actions, [&](const auto& a) { return !keep.count(a.workload) && !keep.count(a.address); });
  }
  if (!options.excludes.empty()) {
    std::set<std::string> drop(options.excludes.begin(), options.excludes.end());
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [w, list] : deps) {
        if (!drop.count(w) && std::any_of(list.begin(), list.end(), [&](const auto& d) { return drop.count(d) > 0; })) {
          drop.insert(w);
          grew = true;
        }
      }
    }
    std::erase_if(actions, [&](const auto& a) { return drop.count(a.workload) || drop.count(a.address); });
  }

  // Apply order: creates/updates after the actions of what they depend on; deletes of removed
  // resources before the deletes of what they depended on (reverse).
  std::map<std::string, std::vector<std::string>> addresses_of;
  for (const auto& a : actions) {
    addresses_of[a.workload].push_back(a.address);
  }
  // Computed from the workload names of every action before any is rewritten to addresses.
  std::vector<std::vector<std::string>> all_waits;
  all_waits.reserve(actions.size());
  for (const auto& a : actions) {
    std::vector<std::string> waits;
    if (a.type != ActionType::remove) {
      for (const auto& w : a.depends_on) {
        for (const auto& addr : addresses_of[w]) {
          waits.push_back(addr);
        }
      }
    } else if (!a.deposed) {
      // Wait for deletes of the resources that depend on this one.
      for (const auto& b : actions) {
        if (b.type == ActionType::remove && &b != &a &&
            std::find(b.depends_on.begin(), b.depends_on.end(), a.workload) != b.depends_on.end()) {
          waits.push_back(b.address);
        }
      }
    }
    std::sort(waits.begin(), waits.end());
    waits.erase(std::unique(waits.begin(), waits.end()), waits.end());
    std::erase(waits, a.address);
    all_waits.push_back(std::move(waits));
  }
  for (std::size_t i = 0; i < actions.size(); ++i) {
    actions[i].depends_on = std::move(all_waits[i]);
  }
  // A stable topological order (Kahn, by address) for display and for the apply scheduler.
  std::vector<PlannedAction> ordered;
  std::set<std::size_t> placed;
  std::set<std::string> done_addresses;
  while (ordered.size() < actions.size()) {
    bool progressed = false;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (placed.count(i)) {
        continue;
      }
      const auto& deps_i = actions[i].depends_on;
      bool ready = std::all_of(deps_i.begin(), deps_i.end(), [&](const auto& d) {
        bool exists = std::any_of(actions.begin(), actions.end(), [&](const auto& x) { return x.address == d; });
        return !exists || done_addresses.count(d);
      });
      if (ready) {
        placed.insert(i);
        ordered.push_back(actions[i]);
        progressed = true;
      }
    }
    for (std::size_t i : placed) {
      done_addresses.insert(actions[i].address);
    }
    if (!progressed) {  // a dependency cycle: keep the rest in address order, dependencies dropped
      for (std::size_t i = 0; i < actions.size(); ++i) {
        if (!placed.count(i)) {
          placed.insert(i);
          ordered.push_back(actions[i]);
          ordered.back().depends_on.clear();
        }
      }
    }
  }
  plan.actions = std::move(ordered);
  return plan;
}

nlohmann::json to_json(const DesiredResource& d)
{
  return {{"address", d.address}, {"workload", d.workload}, {"replica", d.replica},   {"provider", d.provider},
          {"offering", d.offering}, {"account", d.account},   {"region", d.region},     {"spec", state::to_json(d.spec)},
          {"depends_on", d.depends_on}, {"spec_digest", state::spec_digest(d.spec)}};
}

DesiredResource desired_from_json(const nlohmann::json& doc)
{
  DesiredResource d;
  d.address = doc.value("address", "");
  d.workload = doc.value("workload", "");
  d.replica = doc.value("replica", 0);
  d.provider = doc.value("provider", "");
  d.offering = doc.value("offering", "");
  d.account = doc.value("account", "default");
  d.region = doc.value("region", "");
  if (doc.contains("spec")) {
    d.spec = state::spec_from_json(doc["spec"]);
  }
  if (doc.contains("depends_on") && doc["depends_on"].is_array()) {
    d.depends_on = doc["depends_on"].get<std::vector<std::string>>();
  }
  return d;
}

nlohmann::json to_json(const Plan& plan)
{
  nlohmann::ordered_json doc;
  doc["format_version"] = plan.format_version;
  doc["helios_version"] = plan.helios_version;
  doc["stack"] = plan.stack;
  doc["manifest"] = {{"file", plan.manifest_file}, {"digest", plan.manifest_digest}};
  doc["state"] = {{"commit", plan.state_commit}, {"tree", plan.state_tree}, {"lineage", plan.lineage}, {"serial", plan.serial}};
  doc["created"] = plan.created;
  doc["refreshed"] = plan.refreshed;
  doc["destroy"] = plan.destroy;
  doc["targets"] = plan.targets;
  doc["excludes"] = plan.excludes;
  doc["changes"] = plan.has_changes();
  doc["summary"] = plan.summary();
  doc["digest"] = plan.digest();
  auto actions = nlohmann::json::array();
  for (const auto& a : plan.actions) {
    nlohmann::ordered_json x;
    x["address"] = a.address;
    x["workload"] = a.workload;
    x["replica"] = a.replica;
    x["action"] = std::string(action_name(a.type));
    x["reason"] = a.reason;
    x["deposed"] = a.deposed;
    x["provider"] = a.after ? a.after->provider : (a.before ? a.before->provider : "");
    x["depends_on"] = a.depends_on;
    x["before"] = a.before ? state::to_json(*a.before) : nlohmann::json();
    x["after"] = a.after ? to_json(*a.after) : nlohmann::json();
    actions.push_back(nlohmann::json(x));
  }
  doc["actions"] = actions;
  auto drift = nlohmann::json::array();
  for (const auto& d : plan.drift) {
    drift.push_back({{"address", d.address}, {"change", d.change}, {"detail", d.detail}, {"before", d.before}, {"after", d.after}});
  }
  doc["drift"] = drift;
  return nlohmann::json(doc);
}

Result<Plan> plan_from_json(const nlohmann::json& doc, const std::string& where)
{
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::usage, "invalid_plan", fmt::format("{} is not a helios plan: {}", where, what), where,
                "write a plan with `helios plan -o plan.json`");
  };
  if (!doc.is_object() || !doc.contains("format_version") || !doc["format_version"].is_string() ||
      !doc.contains("actions") || !doc["actions"].is_array() || !doc.contains("state")) {
    return bad("format_version, state and actions are required");
  }
  const std::string version = doc["format_version"].get<std::string>();
  if (version.substr(0, version.find('.')) != std::string(k_plan_format_version).substr(0, 1)) {
    return fail(ExitCode::usage, "plan_format", fmt::format("{} has plan format {}; this helios reads {}.x", where, version,
                                                            std::string(k_plan_format_version).substr(0, 1)),
                where, "re-plan with this helios");
  }
  Plan plan;
  plan.format_version = version;
  plan.helios_version = doc.value("helios_version", "");
  plan.stack = doc.value("stack", "");
  if (doc.contains("manifest") && doc["manifest"].is_object()) {
    plan.manifest_file = doc["manifest"].value("file", "");
    plan.manifest_digest = doc["manifest"].value("digest", "");
  }
  plan.state_commit = doc["state"].value("commit", "");
  plan.state_tree = doc["state"].value("tree", "");
  plan.lineage = doc["state"].value("lineage", "");
  plan.serial = doc["state"].value("serial", 0LL);
  plan.created = doc.value("created", "");
  plan.refreshed = doc.value("refreshed", false);
  plan.destroy = doc.value("destroy", false);
  if (doc.contains("targets") && doc["targets"].is_array()) {
    plan.targets = doc["targets"].get<std::vector<std::string>>();
  }
  if (doc.contains("excludes") && doc["excludes"].is_array()) {
    plan.excludes = doc["excludes"].get<std::vector<std::string>>();
  }
  if (plan.stack.empty()) {
    return bad("no stack");
  }
  for (const auto& x : doc["actions"]) {
    auto type = parse_action(x.value("action", ""));
    if (!type) {
      return bad(fmt::format("unknown action '{}'", x.value("action", "")));
    }
    PlannedAction a;
    a.type = *type;
    a.address = x.value("address", "");
    a.workload = x.value("workload", "");
    a.replica = x.value("replica", 0);
    a.reason = x.value("reason", "");
    a.deposed = x.value("deposed", false);
    if (x.contains("depends_on") && x["depends_on"].is_array()) {
      a.depends_on = x["depends_on"].get<std::vector<std::string>>();
    }
    if (x.contains("before") && x["before"].is_object()) {
      auto record = state::record_from_json(x["before"], where);
      if (!record) {
        return tl::unexpected(record.error());
      }
      a.before = *record;
    }
    if (x.contains("after") && x["after"].is_object()) {
      a.after = desired_from_json(x["after"]);
    }
    plan.actions.push_back(std::move(a));
  }
  if (doc.value("digest", "") != plan.digest()) {
    return fail(ExitCode::usage, "plan_modified", fmt::format("{} was modified after it was written (digest mismatch)", where),
                where, "re-plan with `helios plan -o plan.json`");
  }
  return plan;
}

Result<Plan> load_plan_file(const std::string& path)
{
  std::ifstream in(path);
  if (!in) {
    return fail(ExitCode::usage, "plan_not_found", fmt::format("cannot read plan file {}", path), path,
                "write one with `helios plan -o plan.json`");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::usage, "invalid_plan", fmt::format("{} is not JSON", path), path,
                "write a plan with `helios plan -o plan.json`");
  }
  return plan_from_json(doc, path);
}

}  // namespace helios
