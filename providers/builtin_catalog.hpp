#pragma once
// The built-in catalog: providers/<provider>/catalog.yaml, validated and turned into C++ at build time
// (providers/catalog_gen.cpp) and compiled into helios_providers, so a bare binary needs no data files
// and parses nothing. Built once on first use; `amount: machine` quotas are measured then.

#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"

namespace helios::providers {

// The built-in catalog (every offering of every providers/*/catalog.yaml).
const Catalog& builtin_catalog();

// The catalog a command works with: the built-in one, then each user catalog file in order (--catalog
// files, then HELIOS_CATALOG_PATH entries); a later offering replaces an earlier one with the same id.
// `overridden` (when given) receives the ids a user file replaced.
Result<Catalog> effective_catalog(const std::vector<std::string>& user_files,
                                  std::vector<std::string>* overridden = nullptr);

}  // namespace helios::providers
