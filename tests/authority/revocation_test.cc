#include <gtest/gtest.h>

#include "test_authority.h"
#include "x509/inspect.h"

namespace openpca::authority::testing {
namespace {

std::string WithColons(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ":";
    out += hex.substr(i, 2);
  }
  return out;
}

TEST(RevocationTest, RevokesOnceAndRecordsTheReason) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  int notified = 0;
  t.authority().SetChangeListener([&](const std::string&) { ++notified; });
  auto leaf = t.Issue(root, MakeCsr("leaf.example").pem);
  ASSERT_TRUE(leaf.ok());
  std::string serial = x509::SerialHex(**leaf);
  // The colon-separated upper-case form AWS examples use is accepted.
  std::string colons = WithColons(serial);
  for (char& c : colons) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(t.authority().RevokeCertificate(t.caller(), root, colons, "KEY_COMPROMISE").ok());
  EXPECT_EQ(notified, 1);
  auto ca_id = ParseCaArn(root)->ca_id;
  auto record = t.store().GetCertificate(ca_id, serial);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->revocation_reason, 1);
  EXPECT_EQ(record->revoked_at_ms, ToUnixMillis(t.clock().Now()));

  t.clock().Advance(std::chrono::seconds(5));
  EXPECT_EQ(t.authority().RevokeCertificate(t.caller(), root, serial, "SUPERSEDED").code(),
            ErrorCode::kRequestAlreadyProcessed);
  record = t.store().GetCertificate(ca_id, serial);
  EXPECT_EQ(record->revocation_reason, 1) << "a rejected second revocation changes nothing";
  EXPECT_EQ(notified, 1);
}

TEST(RevocationTest, RejectsUnknownSerialsRootsAndWrongStates) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  EXPECT_EQ(t.authority().RevokeCertificate(t.caller(), root, "0badc0de", "UNSPECIFIED").code(),
            ErrorCode::kResourceNotFound);
  auto described = t.authority().DescribeCertificateAuthority(t.caller(), root);
  EXPECT_EQ(t.authority()
                .RevokeCertificate(t.caller(), root, described->serial_hex, "UNSPECIFIED")
                .code(),
            ErrorCode::kInvalidRequest);

  auto leaf = t.Issue(root, MakeCsr("leaf.example").pem);
  ASSERT_TRUE(leaf.ok());
  std::string serial = x509::SerialHex(**leaf);
  ASSERT_TRUE(t.authority().UpdateCertificateAuthority(t.caller(), {root, "DISABLED", {}}).ok());
  // A DISABLED CA can still revoke.
  EXPECT_TRUE(t.authority().RevokeCertificate(t.caller(), root, serial, "SUPERSEDED").ok());

  CreateCaRequest req;
  req.type = "ROOT";
  req.configuration = {{"KeyAlgorithm", "EC_prime256v1"},
                       {"SigningAlgorithm", "SHA256WITHECDSA"},
                       {"Subject", {{"CommonName", "pending"}}}};
  auto pending = t.authority().CreateCertificateAuthority(t.caller(), req);
  EXPECT_EQ(t.authority().RevokeCertificate(t.caller(), *pending, serial, "SUPERSEDED").code(),
            ErrorCode::kInvalidState);
}

}  // namespace
}  // namespace openpca::authority::testing
