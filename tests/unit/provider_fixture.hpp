#pragma once
// One remote adapter against its fake (tests/fakes): the fake server process, the adapter pointed at it
// through HELIOS_<PROVIDER>_API_URL, and the credentials the fake accepts. Shared by the adapters' unit
// tests; the provider-specific parts (fake options, API path, resource specs) stay in each test file.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/provider.hpp"
#include "providers/registry.hpp"
#include "tests/unit/fake_server_process.hpp"
#include "tests/unit/provider_fault_matrix.hpp"

namespace helios::testing {

// "helios-hobby-<workload>" of the kind, in region eu: the spec every adapter test starts from.
inline ResourceSpec hobby_spec(WorkloadKind kind, const std::string& workload)
{
  ResourceSpec s;
  s.stack = "hobby";
  s.workload = workload;
  s.name = "helios-hobby-" + workload;
  s.kind = kind;
  s.region = "eu";
  return s;
}

struct ProviderFixture {
  FakeServerProcess fake;
  std::unique_ptr<Provider> provider;
  Credentials credentials;

  // `fake_options` follow `--family <provider> --port 0`; `api_path` is where the fake serves the API.
  ProviderFixture(const std::string& name, const std::vector<std::string>& fake_options, const std::string& api_path,
                  Credentials accepted)
    : fake(fake_arguments(name, fake_options)), credentials(std::move(accepted))
  {
    point_provider_at(name, fake.url(api_path));
    provider = providers::make_provider(name);
    REQUIRE(provider);
  }

  // A probe for run_fault_matrix: list, expecting `expected` resources.
  Probe list_probe(std::size_t expected)
  {
    return [this, expected]() -> std::optional<ErrorInfo> {
      auto listed = provider->list(credentials);
      if (!listed) {
        return listed.error();
      }
      CHECK(listed->size() == expected);
      return std::nullopt;
    };
  }

  // Creating the same spec again adopts what exists by its deterministic name: the same id, and the
  // fake's inventory still holds `inventory` resources.
  void create_again_adopts(const ResourceSpec& spec, const Resource& created, std::size_t inventory)
  {
    auto again = provider->create(spec, credentials);
    REQUIRE(again);
    CHECK(again->id == created.id);
    CHECK(fake.inventory_count() == inventory);
  }

  // Removes twice (already gone is success, so destroy is re-runnable); read then finds nothing.
  void remove_twice_then_gone(const Resource& resource)
  {
    REQUIRE(provider->remove(resource, credentials));
    REQUIRE(provider->remove(resource, credentials));
    auto gone = provider->read(resource, credentials);
    REQUIRE(gone);
    CHECK_FALSE(*gone);
  }

private:
  static std::vector<std::string> fake_arguments(const std::string& name, const std::vector<std::string>& options)
  {
    std::vector<std::string> args{"--family", name, "--port", "0"};
    args.insert(args.end(), options.begin(), options.end());
    return args;
  }
};

}  // namespace helios::testing
