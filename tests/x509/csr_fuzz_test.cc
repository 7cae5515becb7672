// Fuzz-style tests of the direct CSR reader (x509/csr_reader.h), the trust boundary of issuance:
// truncated, oversized, bit-flipped and crafted inputs must never crash (this test also runs
// under AddressSanitizer and UBSan, see OPENPCA_SANITIZE in CMakeLists.txt) and must end in
// kMalformedCsr, or be a request OpenSSL's own parser and verifier accept as well.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <random>
#include <thread>

#include "common/pki_types.h"
#include "keys/signer.h"
#include "testing/test_pki.h"
#include "x509/csr.h"
#include "x509/csr_reader.h"
#include "x509/der_reader.h"
#include "x509/der_writer.h"
#include "x509/extensions.h"
#include "x509/pem.h"

namespace openpca::x509 {
namespace {

// Parse, decode the key and verify, as issuance does.
Status Check(std::span<const uint8_t> input) {
  ASSIGN_OR_RETURN(ParsedCsr csr, ParsedCsr::Parse(input));
  ASSIGN_OR_RETURN(EvpPkeyPtr key, DecodeCsrPublicKey(csr));
  return VerifyParsedCsr(csr, *key);
}

Status Reference(std::span<const uint8_t> input) {
  ASSIGN_OR_RETURN(X509ReqPtr req, ParseCsr(input));
  return VerifyCsr(*req);
}

// Either refused as kMalformedCsr, or accepted by the reference too.
void ExpectSafe(std::span<const uint8_t> input, const std::string& what) {
  Status st = Check(input);
  if (st.ok()) {
    EXPECT_TRUE(Reference(input).ok()) << what << ": accepted here, refused by OpenSSL";
  } else {
    EXPECT_EQ(st.code(), ErrorCode::kMalformedCsr) << what << ": " << st.ToString();
  }
}

Bytes MakeCsr(KeyAlgorithm alg, bool with_san) {
  test_pki::CsrSpec spec;
  spec.subject = {{"CN", "fuzz.example.com"}};
  if (with_san) spec.sans = {"DNS:fuzz.example.com", "IP:10.0.0.1"};
  return test_pki::MakeCsr(alg, spec).der;
}

const std::vector<Bytes>& Seeds() {
  static const std::vector<Bytes> kSeeds = {MakeCsr(KeyAlgorithm::kEcP256, true),
                                            MakeCsr(KeyAlgorithm::kRsa2048, true),
                                            MakeCsr(KeyAlgorithm::kSm2, false)};
  return kSeeds;
}

TEST(CsrFuzzTest, SeedsAreAccepted) {
  for (const Bytes& seed : Seeds()) {
    EXPECT_TRUE(Check(seed).ok()) << Check(seed).ToString();
    EXPECT_TRUE(Check(ToBytes(CsrDerToPem(seed))).ok());
  }
}

// EC keys after the first of their curve on a thread are copies of it given the new point
// (csr_reader.cc): each must be the key OpenSSL's own parser reads, and a point off the curve must
// be refused whether or not a key of that curve was decoded before on the thread.
TEST(CsrFuzzTest, EcKeysDecodedAfterTheFirstAreExactAndCheckedForTheCurve) {
  Bytes off_curve = MakeCsr(KeyAlgorithm::kEcP256, false);
  {
    Result<ParsedCsr> parsed = ParsedCsr::Parse(off_curve);
    ASSERT_TRUE(parsed.ok());
    std::span<const uint8_t> point = parsed->key_bits();
    ASSERT_EQ(point.size(), 65u);
    auto at = std::search(off_curve.begin(), off_curve.end(), point.begin(), point.end());
    ASSERT_NE(at, off_curve.end());
    *(at + 64) ^= 0x01;  // the last octet of y: (x, y) is no longer on the curve
  }
  auto decode = [](std::span<const uint8_t> der) -> Result<EvpPkeyPtr> {
    ASSIGN_OR_RETURN(ParsedCsr csr, ParsedCsr::Parse(der));
    return DecodeCsrPublicKey(csr);
  };
  for (int round = 0; round < 2; ++round) {  // round 1: the curve's key kept from round 0
    for (int i = 0; i < 3; ++i) {
      Bytes der = MakeCsr(round == 0 && i == 0 ? KeyAlgorithm::kEcP384 : KeyAlgorithm::kEcP256,
                          false);
      Result<EvpPkeyPtr> key = decode(der);
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      Result<X509ReqPtr> req = ParseCsr(der);
      ASSERT_TRUE(req.ok());
      EXPECT_EQ(EVP_PKEY_eq(key->get(), X509_REQ_get0_pubkey(req->get())), 1);
    }
    EXPECT_EQ(decode(off_curve).status().code(), ErrorCode::kMalformedCsr) << "round " << round;
  }
  // A thread that has decoded nothing yet refuses it too.
  Status fresh;
  std::thread([&] { fresh = decode(off_curve).status(); }).join();
  EXPECT_EQ(fresh.code(), ErrorCode::kMalformedCsr);
}

TEST(CsrFuzzTest, EveryTruncationIsRefused) {
  for (const Bytes& seed : Seeds()) {
    for (size_t n = 0; n < seed.size(); ++n) {
      Status st = Check(std::span<const uint8_t>(seed).first(n));
      ASSERT_EQ(st.code(), ErrorCode::kMalformedCsr) << "prefix of " << n << " octets";
    }
    // Truncated PEM too.
    std::string pem = CsrDerToPem(seed);
    for (size_t n = 0; n < pem.size(); n += 7) {
      EXPECT_EQ(Check(ToBytes(pem.substr(0, n))).code(), ErrorCode::kMalformedCsr);
    }
  }
}

TEST(CsrFuzzTest, OversizedInputsAreRefused) {
  for (const Bytes& seed : Seeds()) {
    Bytes trailing = seed;
    trailing.push_back(0x00);
    EXPECT_EQ(Check(trailing).code(), ErrorCode::kMalformedCsr);
    Bytes doubled = seed;
    doubled.insert(doubled.end(), seed.begin(), seed.end());
    EXPECT_EQ(Check(doubled).code(), ErrorCode::kMalformedCsr);
    Bytes padded = seed;
    padded.resize(seed.size() + 1'000'000, 0xff);
    EXPECT_EQ(Check(padded).code(), ErrorCode::kMalformedCsr);
  }
}

TEST(CsrFuzzTest, EveryBitFlipIsSafe) {
  for (const Bytes& seed : Seeds()) {
    Bytes mutated = seed;
    for (size_t i = 0; i < seed.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        mutated[i] ^= static_cast<uint8_t>(1 << bit);
        ExpectSafe(mutated, "flip of bit " + std::to_string(bit) + " of octet " + std::to_string(i));
        mutated[i] = seed[i];
      }
    }
  }
}

TEST(CsrFuzzTest, RandomMutationsAreSafe) {
  std::mt19937 rng(20261207);
  for (const Bytes& seed : Seeds()) {
    for (int round = 0; round < 3000; ++round) {
      Bytes mutated = seed;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        size_t pos = rng() % mutated.size();
        switch (rng() % 4) {
          case 0: mutated[pos] = static_cast<uint8_t>(rng()); break;           // overwrite
          case 1: mutated.erase(mutated.begin() + static_cast<long>(pos)); break;  // delete
          case 2: mutated.insert(mutated.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng())); break;
          case 3: mutated[pos] = static_cast<uint8_t>(0x80 | (rng() % 5)); break;  // lengths
        }
        if (mutated.empty()) break;
      }
      ExpectSafe(mutated, "random mutation round " + std::to_string(round));
    }
  }
}

// Crafted DER edge cases, each named for its defect.
TEST(CsrFuzzTest, CraftedDerEdgeCasesAreRefused) {
  const Bytes& seed = Seeds()[0];
  std::vector<std::pair<std::string, Bytes>> cases;
  cases.push_back({"empty", {}});
  cases.push_back({"one octet", {0x30}});
  cases.push_back({"indefinite length", {0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00}});
  cases.push_back({"huge length", {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00}});
  cases.push_back({"length of nine octets", {0x30, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0}});
  cases.push_back({"non-minimal length", {0x30, 0x81, 0x03, 0x02, 0x01, 0x00}});
  cases.push_back({"high tag number", {0x3f, 0x81, 0x01, 0x00}});
  {
    Bytes wrong_tag = seed;
    wrong_tag[0] = 0x31;  // SET instead of SEQUENCE
    cases.push_back({"wrong outer tag", wrong_tag});
  }
  {
    // Re-encode the outer length in a longer form: still BER, not DER.
    std::optional<DerElement> outer = ReadDerElement(seed);
    ASSERT_TRUE(outer.has_value());
    Bytes longer = {0x30, 0x84, 0, 0, static_cast<uint8_t>(outer->content.size() >> 8),
                    static_cast<uint8_t>(outer->content.size())};
    longer.insert(longer.end(), outer->content.begin(), outer->content.end());
    cases.push_back({"long-form outer length", longer});
    // Indefinite outer length with end-of-contents.
    Bytes indefinite = {0x30, 0x80};
    indefinite.insert(indefinite.end(), outer->content.begin(), outer->content.end());
    indefinite.push_back(0);
    indefinite.push_back(0);
    cases.push_back({"indefinite outer length", indefinite});
    // The info's tag changed to a SET.
    Bytes info_set = seed;
    info_set[outer->whole.size() - outer->content.size()] = 0x31;
    cases.push_back({"wrong info tag", info_set});
  }
  cases.push_back({"trailing bytes", [&] {
                     Bytes b = seed;
                     b.insert(b.end(), {0x05, 0x00});
                     return b;
                   }()});
  cases.push_back({"pem garbage", ToBytes(std::string("-----BEGIN CERTIFICATE REQUEST-----\n@@@\n"
                                                      "-----END CERTIFICATE REQUEST-----\n"))});
  cases.push_back({"pem of a certificate label",
                   ToBytes(DerToPem("CERTIFICATE", seed))});
  for (const auto& [name, input] : cases) {
    EXPECT_EQ(Check(input).code(), ErrorCode::kMalformedCsr) << name;
  }
}

// Keys the reader must refuse: small RSA, other curves, other key types, bad points.
TEST(CsrFuzzTest, UnacceptableKeysAreRefused) {
  for (auto [type, param] : std::initializer_list<std::pair<const char*, const char*>>{
           {"EC", "secp256k1"}, {"EC", "brainpoolP256r1"}, {"ED25519", nullptr}}) {
    EvpPkeyPtr key = test_pki::NewKeyOfType(type, param != nullptr ? param : "");
    test_pki::CsrSpec spec;
    spec.subject = {{"CN", "k"}};
    Bytes der = test_pki::CsrDer(*test_pki::BuildCsr(*key, spec));
    EXPECT_EQ(Check(der).code(), ErrorCode::kMalformedCsr) << type << " " << (param ? param : "");
    EXPECT_EQ(Reference(der).code(), ErrorCode::kMalformedCsr);
  }
  EvpPkeyPtr small = test_pki::NewRsaKey(1024);
  Bytes der = test_pki::CsrDer(*test_pki::BuildCsr(*small, test_pki::CsrSpec{}));
  EXPECT_EQ(Check(der).code(), ErrorCode::kMalformedCsr);
}

TEST(DerReaderTest, RefusesWhatIsNotStrictDer) {
  EXPECT_TRUE(ReadDerElement(Bytes{0x04, 0x00}).has_value());
  EXPECT_TRUE(ReadDerElement(Bytes{0x04, 0x01, 0xaa}).has_value());
  EXPECT_FALSE(ReadDerElement(Bytes{0x04, 0x02, 0xaa}).has_value());  // past the end
  EXPECT_FALSE(ReadDerElement(Bytes{0x04, 0x80}).has_value());        // indefinite
  EXPECT_FALSE(ReadDerElement(Bytes{0x04, 0x81, 0x01, 0xaa}).has_value());  // not minimal
  EXPECT_FALSE(ReadDerElement(Bytes{0x04, 0x82, 0x00, 0x80}).has_value());  // leading zero
  EXPECT_FALSE(ReadDerElement(Bytes{0x04, 0x85, 1, 0, 0, 0, 0}).has_value());  // 5 octets
  EXPECT_FALSE(ReadDerElement(Bytes{0x1f, 0x01, 0x00}).has_value());  // high tag number
  Bytes big = {0x04, 0x81, 0x80};
  big.resize(3 + 0x80);
  EXPECT_TRUE(ReadDerElement(big).has_value());
  EXPECT_TRUE(IsValidOidContent(Bytes{0x2a, 0x86, 0x48}));
  EXPECT_FALSE(IsValidOidContent(Bytes{0x2a, 0x80, 0x01}));  // subidentifier led by 0x80
  EXPECT_FALSE(IsValidOidContent(Bytes{0x2a, 0x86}));         // unfinished
  EXPECT_FALSE(IsValidOidContent(Bytes{}));
}

}  // namespace
}  // namespace openpca::x509
