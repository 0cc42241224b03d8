#pragma once
// The commented starter manifest `helios init` writes. It validates, and it fits the built-in catalog's
// free tiers (budget $0).

#include <string>
#include <string_view>

namespace helios {

// The starter helios.yaml for a stack named `name` (a valid name, see valid_name()).
std::string starter_manifest(std::string_view name);

// A valid stack name made from a directory name ("My App" -> "my-app"), or "my-stack".
std::string stack_name_from(std::string_view directory_name);

}  // namespace helios
