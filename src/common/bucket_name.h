// S3 bucket naming rules, shared by the CRL configuration check (authority/), the built-in bucket
// store (objects/) and the S3 handlers' virtual-hosted routing. Pure; thread-safe.
#pragma once

#include <string_view>

namespace openpca {

// 3-63 characters of lower-case letters, digits, '.' and '-', starting and ending with a letter or
// digit, no "..", not shaped like an IPv4 address. Such a name is also a safe folder name.
bool IsValidBucketName(std::string_view name);

}  // namespace openpca
