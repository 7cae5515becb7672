// The OCSP responder against relying parties outside OpenSSL's C API: the `openssl ocsp` command
// line makes the request and verifies the response (good, then revoked after Invalidate), and
// Debian's /usr/bin/python3 `cryptography` (38, Rust ASN.1) parses the response and the test
// checks its signature with the CA public key.
#include <gtest/gtest.h>

#include <string>

#include "ocsp_test_util.h"
#include "revocation/ocsp/ocsp_responder.h"

namespace openpca::revocation {
namespace {

using testing::OcspWorld;
using testing::RunCommand;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct AlgCase {
  KeyAlgorithm key;
  SigningAlgorithm alg;
};

class OcspInteropTest : public ::testing::TestWithParam<AlgCase> {};

INSTANTIATE_TEST_SUITE_P(
    Algorithms, OcspInteropTest,
    ::testing::Values(AlgCase{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                      AlgCase{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa}),
    [](const ::testing::TestParamInfo<AlgCase>& info) {
      return std::string(SigningAlgorithmName(info.param.alg));
    });

TEST_P(OcspInteropTest, OpensslCliSeesGoodThenRevoked) {
  OcspWorld w(GetParam().key, GetParam().alg);
  const std::string serial = "4a1b2c3d4e5f60718293a4b5c6d7e8f9";
  x509::X509Ptr leaf = w.Issue(serial);
  TempDir dir;
  const std::string ca_pem = dir.Write("ca.pem", w.ca.pem());
  const std::string leaf_pem = dir.Write("leaf.pem", testing::CertPem(*leaf));
  const std::string common = " -issuer " + ca_pem + " -cert " + leaf_pem;

  // Requests made by the command line, with and without its default nonce.
  std::string requests[2];
  for (int nonce = 0; nonce < 2; ++nonce) {
    const std::string path = dir.File(nonce ? "req-nonce.der" : "req.der");
    testing::CommandResult made =
        RunCommand("openssl ocsp" + common + " -reqout " + path + (nonce ? "" : " -no_nonce"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    requests[nonce] = ReadFile(path);
    ASSERT_FALSE(requests[nonce].empty());
  }

  // ResponderID byKey, printed by OpenSSL 3.0 as upper-case hex.
  unsigned char md[20];
  unsigned int md_len = 0;
  ASSERT_EQ(X509_pubkey_digest(&w.ca.cert(), EVP_sha1(), md, &md_len), 1);
  std::string key_id = HexEncode(std::span<const uint8_t>(md, md_len));
  for (char& c : key_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  auto check = [&](bool revoked) {
    for (int nonce = 0; nonce < 2; ++nonce) {
      SCOPED_TRACE(std::string(revoked ? "revoked" : "good") + (nonce ? ", nonce" : ""));
      Result<OcspHttpResult> r = w.responder->Respond(AsSpan(requests[nonce]));
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status(), OcspResponseStatus::kSuccessful);
      const std::string req_path = dir.File(nonce ? "req-nonce.der" : "req.der");
      const std::string resp_path = dir.Write("resp.der", r->der());
      // Status by certificate (-issuer/-cert make the command line build its own CertIDs, so
      // its nonce check is off), with the CA as the trusted responder (-VAfile) and as trust
      // anchor (-CAfile; the signer is found by key hash among -verify_other).
      testing::CommandResult va = RunCommand("openssl ocsp" + common + " -no_nonce -respin " +
                                             resp_path + " -VAfile " + ca_pem);
      EXPECT_EQ(va.exit_code, 0) << va.output;
      EXPECT_NE(va.output.find("Response verify OK"), std::string::npos) << va.output;
      testing::CommandResult ca =
          RunCommand("openssl ocsp" + common + " -no_nonce -respin " + resp_path + " -CAfile " +
                     ca_pem + " -verify_other " + ca_pem + " -resp_text");
      EXPECT_EQ(ca.exit_code, 0) << ca.output;
      EXPECT_NE(ca.output.find("Response verify OK"), std::string::npos) << ca.output;
      // No "Status times invalid".
      EXPECT_EQ(ca.output.find("WARNING"), std::string::npos) << ca.output;
      EXPECT_NE(ca.output.find("Responder Id: " + key_id), std::string::npos) << ca.output;
      EXPECT_EQ(ca.output.find("OCSP Nonce") != std::string::npos, nonce == 1) << ca.output;
      // The nonce against the request it was made from (-reqin without -cert).
      testing::CommandResult n =
          RunCommand("openssl ocsp -reqin " + req_path + " -respin " + resp_path + " -CAfile " +
                     ca_pem + " -verify_other " + ca_pem);
      EXPECT_EQ(n.exit_code, 0) << n.output;
      EXPECT_NE(n.output.find("Response verify OK"), std::string::npos) << n.output;
      EXPECT_EQ(n.output.find("Nonce Verify error"), std::string::npos) << n.output;
      // Neither "WARNING: no nonce in response" nor "WARNING: unexpected nonce in response".
      EXPECT_EQ(n.output.find("WARNING"), std::string::npos) << n.output;
      if (revoked) {
        EXPECT_NE(ca.output.find(leaf_pem + ": revoked"), std::string::npos) << ca.output;
        EXPECT_NE(ca.output.find("Reason: keyCompromise"), std::string::npos) << ca.output;
      } else {
        EXPECT_NE(ca.output.find(leaf_pem + ": good"), std::string::npos) << ca.output;
      }
    }
  };

  check(/*revoked=*/false);
  ASSERT_TRUE(w.Revoke(serial, 1, ToUnixMillis(w.clock.Now()) - 60'000).ok());
  EXPECT_TRUE(w.responder->Respond(AsSpan(requests[0]))->cache_hit);  // cached until told
  w.responder->Invalidate(OcspWorld::kCaId, serial);
  check(/*revoked=*/true);
}

TEST_P(OcspInteropTest, PythonCryptographyParsesAndTheSignatureVerifies) {
  const std::string python = "/usr/bin/python3";
  if (RunCommand(python + " -c 'import cryptography.x509.ocsp'").exit_code != 0) {
    GTEST_SKIP() << python << " has no cryptography module";
  }
  OcspWorld w(GetParam().key, GetParam().alg);
  const std::string good_serial = "4a1b2c3d4e5f60718293a4b5c6d7e8f9";
  const std::string revoked_serial = "5b2c3d4e5f60718293a4b5c6d7e8f90a";
  x509::X509Ptr good = w.Issue(good_serial);
  x509::X509Ptr revoked = w.Issue(revoked_serial);
  const int64_t revoked_s = ToUnixSeconds(w.clock.Now()) - 3600;
  ASSERT_TRUE(w.Revoke(revoked_serial, 3, revoked_s * 1000).ok());

  TempDir dir;
  testing::RequestOptions nonce;
  nonce.nonce = true;
  Result<OcspHttpResult> g = w.responder->Respond(testing::MakeRequest({good.get()}, w.ca.cert()));
  Result<OcspHttpResult> r =
      w.responder->Respond(testing::MakeRequest({revoked.get()}, w.ca.cert(), nonce));
  ASSERT_TRUE(g.ok() && r.ok());

  std::string script = R"(
import sys, datetime, hashlib
from cryptography import x509
from cryptography.x509 import ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
ca = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
key = ca.public_key()
spki = ca.public_key().public_bytes(serialization.Encoding.DER,
                                    serialization.PublicFormat.SubjectPublicKeyInfo)
def check(path, want_status, serial, nonce):
    resp = ocsp.load_der_ocsp_response(open(path, 'rb').read())
    assert resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL, resp.response_status
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(resp.signature, resp.tbs_response_bytes, padding.PKCS1v15(),
                   resp.signature_hash_algorithm)
    else:
        key.verify(resp.signature, resp.tbs_response_bytes,
                   ec.ECDSA(resp.signature_hash_algorithm))
    assert resp.responder_name is None
    # byKey: SHA-1 of the subjectPublicKey bits (the last BIT STRING of the SPKI).
    assert resp.responder_key_hash == hashlib.sha1(
        ca.public_key().public_bytes(serialization.Encoding.X962,
                                     serialization.PublicFormat.UncompressedPoint)
        if isinstance(key, ec.EllipticCurvePublicKey) else
        ca.public_key().public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.PKCS1)).digest()
    assert resp.certificates == []
    assert resp.serial_number == int(serial, 16)
    assert resp.certificate_status == want_status, resp.certificate_status
    assert isinstance(resp.hash_algorithm, hashes.SHA1)
    assert resp.issuer_key_hash == hashlib.sha1(
        ca.public_key().public_bytes(serialization.Encoding.X962,
                                     serialization.PublicFormat.UncompressedPoint)
        if isinstance(key, ec.EllipticCurvePublicKey) else
        ca.public_key().public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.PKCS1)).digest()
    assert resp.next_update - resp.this_update == datetime.timedelta(hours=24)
    assert resp.produced_at == resp.this_update
    exts = [e.oid.dotted_string for e in resp.extensions]
    assert exts == (['1.3.6.1.5.5.7.48.1.2'] if nonce else []), exts
    return resp
check(sys.argv[2], ocsp.OCSPCertStatus.GOOD, sys.argv[4], False)
r = check(sys.argv[3], ocsp.OCSPCertStatus.REVOKED, sys.argv[5], True)
assert r.revocation_reason == x509.ReasonFlags.affiliation_changed, r.revocation_reason
when = r.revocation_time.replace(tzinfo=datetime.timezone.utc).timestamp()
assert int(when) == int(sys.argv[6]), (when, sys.argv[6])
print('python-ok')
)";
  testing::CommandResult out = RunCommand(
      python + " " + dir.Write("check.py", script) + " " + dir.Write("ca.pem", w.ca.pem()) + " " +
      dir.Write("good.der", g->der()) + " " + dir.Write("revoked.der", r->der()) + " " +
      good_serial + " " + revoked_serial + " " + std::to_string(revoked_s));
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("python-ok"), std::string::npos) << out.output;
}

}  // namespace
}  // namespace openpca::revocation
