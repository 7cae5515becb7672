// Gzip of a byte string, single member, deterministic (no file name, modification time 0), as
// CloudTrail log and digest files are stored. Pure; thread-safe.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::audit {

// Errors: kInternal (zlib failure).
Result<Bytes> Gzip(std::span<const uint8_t> data);
// The uncompressed bytes of the first gzip member. Errors: kInvalidArgs (not gzip).
Result<Bytes> Gunzip(std::span<const uint8_t> data);

}  // namespace openpca::audit
