#pragma once
// SHA-256 digests as lowercase hex: manifest digests, plan digests.

#include <string>
#include <string_view>

namespace helios {

// The SHA-256 of the bytes, 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace helios
