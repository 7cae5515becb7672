// IssueCertificate with truncated, oversized and bit-flipped CSRs: MalformedCSRException
// (kMalformedCsr) or a certificate for a request OpenSSL accepts too, and nothing stored for a
// refused request.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "test_authority.h"
#include "x509/csr.h"
#include "x509/pem.h"

namespace openpca::authority::testing {
namespace {

int64_t CountCertificates(const TestAuthority& ta) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(ta.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM certificates", -1, &stmt, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

TEST(MalformedCsrTest, MutatedCsrsAreRefusedAndNothingIsStored) {
  TestAuthority ta;
  std::string ca = ta.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example.com", 0, "leaf.example.com");
  Bytes der = std::move(x509::CsrPemToDer(csr.pem)).value();
  const int64_t before = CountCertificates(ta);

  std::vector<Bytes> inputs;
  for (size_t n = 0; n < der.size(); n += 3) inputs.emplace_back(der.begin(), der.begin() + n);
  Bytes longer = der;
  longer.insert(longer.end(), {0x00, 0x00});
  inputs.push_back(longer);
  for (size_t i = 0; i < der.size(); ++i) {
    Bytes flipped = der;
    flipped[i] ^= static_cast<uint8_t>(1 << (i % 8));
    inputs.push_back(flipped);
  }
  int refused = 0;
  int issued = 0;
  for (const Bytes& input : inputs) {
    IssueRequest req;
    req.ca_arn = ca;
    req.csr = ToBytes(x509::CsrDerToPem(input));
    req.signing_algorithm = "SHA256WITHECDSA";
    req.validity = {"DAYS", 30};
    Result<std::string> arn = ta.authority().IssueCertificate(ta.caller(), req);
    if (arn.ok()) {
      // Only a request OpenSSL's own parser and verifier accept may be issued.
      auto parsed = x509::ParseCsr(input);
      ASSERT_TRUE(parsed.ok());
      EXPECT_TRUE(x509::VerifyCsr(**parsed).ok());
      ++issued;
    } else {
      EXPECT_EQ(arn.status().code(), ErrorCode::kMalformedCsr) << arn.status().ToString();
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_EQ(CountCertificates(ta), before + issued);
}

}  // namespace
}  // namespace openpca::authority::testing
