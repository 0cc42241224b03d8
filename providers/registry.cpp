#include "providers/registry.hpp"

#include <algorithm>

namespace helios::providers {

const std::vector<ProviderEntry>& provider_table()
{
  static const std::vector<ProviderEntry> table = [] {
    std::vector<ProviderEntry> entries = {
      // { "name", "description", &factory },   one line per adapter
    };
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
  }();
  return table;
}

std::unique_ptr<Provider> make_provider(std::string_view name)
{
  for (const auto& entry : provider_table()) {
    if (entry.name == name) {
      return entry.make();
    }
  }
  return nullptr;
}

}  // namespace helios::providers
