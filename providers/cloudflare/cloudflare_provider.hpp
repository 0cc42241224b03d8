#pragma once
#include <memory>

#include "core/provider.hpp"

namespace helios::providers {
std::unique_ptr<Provider> make_cloudflare_provider();
}
