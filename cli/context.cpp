#include "cli/context.hpp"

#include <cstdlib>
#include <filesystem>

namespace helios::cli {

std::string Context::manifest_path() const
{
  return manifest.empty() ? std::string("helios.yaml") : manifest;
}

std::string Context::state_path() const
{
  if (!state_dir.empty()) {
    return state_dir;
  }
  if (const char* env = std::getenv("HELIOS_STATE"); env && *env) {
    return env;
  }
  const std::filesystem::path parent = std::filesystem::path(manifest_path()).parent_path();
  return (parent.empty() ? std::filesystem::path(".helios") : parent / ".helios").string();
}

std::vector<std::string> Context::catalog_paths() const
{
  std::vector<std::string> paths;
  if (const char* env = std::getenv("HELIOS_CATALOG_PATH"); env && *env) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t end = list.find(':', start);
      const std::string item = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!item.empty()) {
        paths.push_back(item);
      }
      if (end == std::string::npos) {
        break;
      }
      start = end + 1;
    }
  }
  paths.insert(paths.end(), catalogs.begin(), catalogs.end());
  return paths;
}

}  // namespace helios::cli
