// Helpers for store tests: a temporary directory, status assertions and record builders.
// Not thread-safe unless noted; builders are pure functions.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/records.h"
#include "testing/test_files.h"

#define EXPECT_OK(expr)                                     \
  do {                                                      \
    const ::openpca::Status _s = (expr);                    \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    const ::openpca::Status _s = (expr);                    \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

namespace openpca::store::testing {

using test_files::TempDir;

inline CaRecord MakeCa(std::string id, std::string account_id = "111122223333",
                       int64_t created_at_ms = 1'700'000'000'000) {
  CaRecord ca;
  ca.id = id;
  ca.arn = "arn:aws:acm-pca:us-east-1:" + account_id + ":certificate-authority/" + id;
  ca.account_id = std::move(account_id);
  ca.type = "ROOT";
  ca.status = "PENDING_CERTIFICATE";
  ca.configuration_json = R"({"KeyAlgorithm":"EC_prime256v1"})";
  ca.key_storage_security_standard = "FIPS_140_2_LEVEL_3_OR_HIGHER";
  ca.usage_mode = "GENERAL_PURPOSE";
  ca.key_id = "soft:" + id;
  ca.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n...\n";
  ca.created_at_ms = created_at_ms;
  ca.last_state_change_at_ms = created_at_ms;
  ca.version = 1;
  return ca;
}

// A certificate with `der_size` bytes of DER derived from the serial (content is irrelevant).
inline CertificateRecord MakeCertificate(std::string ca_id, std::string serial_hex,
                                         size_t der_size = 64) {
  CertificateRecord cert;
  cert.ca_id = std::move(ca_id);
  cert.der.resize(der_size);
  for (size_t i = 0; i < der_size; ++i) {
    cert.der[i] = static_cast<uint8_t>(serial_hex[i % serial_hex.size()] + i);
  }
  cert.serial_hex = std::move(serial_hex);
  cert.not_before_s = 1'700'000'000;
  cert.not_after_s = 1'731'536'000;
  cert.issued_at_ms = 1'700'000'000'123;
  cert.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
  return cert;
}

}  // namespace openpca::store::testing
