#include "providers/builtin_catalog.hpp"

#include <algorithm>

#include "builtin_catalog_data.hpp"  // generated: k_builtin_catalog_json

namespace helios::providers {

std::string_view builtin_catalog_json()
{
  return {generated::k_builtin_catalog_json, generated::k_builtin_catalog_json_size};
}

const Catalog& builtin_catalog()
{
  static const Catalog catalog = [] {
    // The data was validated when helios was built; a failure here is a bug in the generator.
    auto parsed = catalog_from_json(nlohmann::json::parse(builtin_catalog_json()));
    return value_or_throw(std::move(parsed));
  }();
  return catalog;
}

Result<Catalog> effective_catalog(const std::vector<std::string>& user_files, std::vector<std::string>* overridden)
{
  Catalog catalog = builtin_catalog();
  for (const auto& file : user_files) {
    auto replaced = catalog.merge_file(file);
    if (!replaced) {
      return tl::unexpected(replaced.error());
    }
    if (overridden != nullptr) {
      for (auto& id : *replaced) {
        if (std::find(overridden->begin(), overridden->end(), id) == overridden->end()) {
          overridden->push_back(std::move(id));
        }
      }
    }
  }
  return catalog;
}

}  // namespace helios::providers
