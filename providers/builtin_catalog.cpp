#include "providers/builtin_catalog.hpp"

#include <algorithm>

#include "builtin_catalog_data.hpp"  // generated: generated::builtin_offerings()

namespace helios::providers {

const Catalog& builtin_catalog()
{
  static const Catalog catalog = [] {
    std::vector<Offering> offerings = generated::builtin_offerings();
    measure_machine(offerings);
    Catalog built;
    for (auto& o : offerings) {
      built.add(std::move(o));
    }
    return built;
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
