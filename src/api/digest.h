// SHA-256 and HMAC-SHA256 for SigV4, on a SHA-256 implementation fetched from OpenSSL once per
// process and a per-thread digest context, so the hot path does no provider lookups and takes no
// locks. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace openpca::api {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);  // lower-case hex
Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data);

}  // namespace openpca::api
