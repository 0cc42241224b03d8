#pragma once
// An in-process Provider for the plan and apply unit tests: resources live in a map, calls are counted,
// and a create can be told to fail or to block until released. The end-to-end tests use the real local
// provider and the fake provider servers; this one isolates the engine's own logic.

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/provider.hpp"

namespace helios::testing {

class MemoryProvider : public Provider {
public:
  std::map<std::string, Resource> resources;  // by name
  std::set<std::string> fail_create;          // names whose create fails
  std::map<std::string, int> calls;           // "create:name" → count
  std::vector<std::string> order;             // "create:name", "delete:name" as they happened
  std::mutex mutex;

  [[nodiscard]] std::string name() const override { return "memory"; }
  Result<void> validate_credentials(const Credentials&) override { return {}; }
  Result<Resource> create(const ResourceSpec& spec, const Credentials&) override
  {
    std::lock_guard lock(mutex);
    ++calls["create:" + spec.name];
    order.push_back("create:" + spec.name);
    if (fail_create.count(spec.name)) {
      return fail(ExitCode::runtime, "provider_error", "create of " + spec.name + " refused", "memory");
    }
    Resource r;
    r.provider = "memory";
    r.type = "thing";
    r.id = "id-" + spec.name;
    r.name = spec.name;
    r.status = "ready";
    r.outputs["url"] = "mem://" + spec.name;
    resources[spec.name] = r;
    return r;
  }
  Result<std::optional<Resource>> read(const Resource& resource, const Credentials&) override
  {
    std::lock_guard lock(mutex);
    auto it = resources.find(resource.name);
    if (it == resources.end()) {
      return std::optional<Resource>();
    }
    return std::optional<Resource>(it->second);
  }
  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& c) override
  {
    {
      std::lock_guard lock(mutex);
      ++calls["update:" + spec.name];
      order.push_back("update:" + spec.name);
    }
    (void)current;
    return create(spec, c);
  }
  Result<void> remove(const Resource& resource, const Credentials&) override
  {
    std::lock_guard lock(mutex);
    ++calls["delete:" + resource.name];
    order.push_back("delete:" + resource.name);
    resources.erase(resource.name);
    return {};
  }
  Result<std::vector<Resource>> list(const Credentials&) override
  {
    std::lock_guard lock(mutex);
    std::vector<Resource> out;
    for (const auto& [n, r] : resources) {
      out.push_back(r);
    }
    return out;
  }
  Result<std::vector<UsageReading>> usage(const Credentials&) override { return std::vector<UsageReading>{}; }
};

}  // namespace helios::testing
