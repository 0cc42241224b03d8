#pragma once
// The one table of provider adapters. Adding a provider touches its own folder and this table.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/provider.hpp"

namespace helios::providers {

using ProviderFactory = std::unique_ptr<Provider> (*)();

struct ProviderEntry {
  std::string_view name;         // catalog provider name, e.g. "cloudflare"
  std::string_view description;
  ProviderFactory make;
};

// Every registered adapter, sorted by name.
const std::vector<ProviderEntry>& provider_table();
// A new adapter for a provider, or nullptr when none is registered.
std::unique_ptr<Provider> make_provider(std::string_view name);

}  // namespace helios::providers
