// Test PKI built at run time for tests and benchmarks: key pairs of every KeyAlgorithm (and of
// the kinds the server must refuse), certificate signing requests made with OpenSSL's own
// X509_REQ API (as a client would), self-signed and subordinate certificates made with the X509
// API, and DER/PEM encodings written by OpenSSL rather than by the code under test.
//
// Ownership: every OpenSSL object is returned in an x509/ossl.h RAII handle; borrowed objects are
// passed as references. A failure of OpenSSL here is a broken test setup, not a result: every
// function aborts with a message instead of returning a Status. Thread-safe (no shared state).
//
// Not part of the product; linked only by tests/ and bench/ (CMake target openpca_test_pki).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "keys/signer.h"
#include "x509/ossl.h"

namespace openpca::test_pki {

// ---- Keys ----

// A fresh key pair of `alg` (RSA with e = 65537, EC on the named curve, SM2).
x509::EvpPkeyPtr NewKey(KeyAlgorithm alg);
// A fresh key pair of any type OpenSSL generates, including ones the server refuses:
// NewKeyOfType("EC", "secp256k1"), NewKeyOfType("ED25519"), NewKeyOfType("SM2").
x509::EvpPkeyPtr NewKeyOfType(const std::string& type, const std::string& curve = "");
// A fresh RSA key pair of `bits` (e = 65537), also sizes the server refuses (1024).
x509::EvpPkeyPtr NewRsaKey(size_t bits);
// A software Signer over NewKey(alg).
std::shared_ptr<const keys::Signer> NewSigner(KeyAlgorithm alg);
// A software Signer over `key` (which must be one the Signer accepts).
std::shared_ptr<const keys::Signer> SignerFor(x509::EvpPkeyPtr key);
// The public half of `signer`'s key.
x509::EvpPkeyPtr PublicKeyOf(const keys::Signer& signer);
// The digest X509_sign / X509_REQ_sign should use by default for `key`: SM3 for SM2, none for
// ED25519 and ED448 (they sign the message itself), SHA-256 for the rest.
const EVP_MD* DefaultDigest(const EVP_PKEY& key);

// ---- Names ----

// One attribute of a distinguished name. `type` is an MBSTRING_* or V_ASN1_* string type as
// X509_NAME_add_entry_by_txt takes it: MBSTRING_UTF8 lets OpenSSL pick (PrintableString for C),
// V_ASN1_UTF8STRING forces UTF8String.
struct NameEntry {
  std::string field;  // "C", "O", "OU", "CN", or a dotted OID
  std::string value;
  int type = MBSTRING_UTF8;
};
x509::X509NamePtr BuildName(const std::vector<NameEntry>& entries);

// An X.509v3 extension in OpenSSL's configuration syntax, e.g. {NID_basic_constraints,
// "critical,CA:TRUE"}, {NID_subject_key_identifier, "hash"}, {NID_subject_alt_name,
// "DNS:a.example,IP:10.0.0.1"}.
struct Extension {
  int nid;
  std::string value;
};

// ---- Certificate signing requests ----

struct CsrSpec {
  std::vector<NameEntry> subject;  // empty: an empty subject
  // subjectAltName entries ("DNS:a.example", "IP:10.0.0.1"), requested as one extension.
  std::vector<std::string> sans;
  // Further requested extensions, after subjectAltName, in order.
  std::vector<Extension> extensions;
  // Signature digest; nullopt: DefaultDigest(key). An explicit nullptr signs without a digest.
  std::optional<const EVP_MD*> digest;
};

// A CSR for `key` (version 1), signed with X509_REQ_sign.
x509::X509ReqPtr BuildCsr(EVP_PKEY& key, const CsrSpec& spec);
// The same CSR unsigned, with `public_key` set, for code under test that signs it itself.
x509::X509ReqPtr BuildUnsignedCsr(const EVP_PKEY& public_key, const CsrSpec& spec);

// A key pair and a signed CSR for it.
struct KeyAndCsr {
  x509::EvpPkeyPtr key;
  Bytes der;
  std::string pem;  // "-----BEGIN CERTIFICATE REQUEST-----\n..."
};
KeyAndCsr MakeCsr(x509::EvpPkeyPtr key, const CsrSpec& spec);
KeyAndCsr MakeCsr(KeyAlgorithm alg, const CsrSpec& spec);
// The usual end-entity request: subject CN=`common_name` (none when empty) and, when `san_dns`
// is not empty, a subjectAltName DNS:`san_dns`.
CsrSpec EndEntityCsrSpec(const std::string& common_name, const std::string& san_dns = "");

// ---- Certificates ----

struct CertSpec {
  std::vector<NameEntry> subject;
  std::string serial_hex = "01";
  // Validity relative to the system clock (test setup only), in seconds.
  long not_before_offset = -3600;
  long not_after_offset = 86400;
  // In order. X509V3 context: subject = this certificate, issuer = the issuer (itself when
  // self-issued), so "hash" and "keyid:always" work.
  std::vector<Extension> extensions;
};

// basicConstraints critical CA:TRUE, keyUsage critical keyCertSign+cRLSign, SKI by hash.
std::vector<Extension> RootCaExtensions();

// A version 3 certificate for `subject_public_key`, not yet signed, issued by `issuer` (its
// subject is the issuer name) or self-issued when `issuer` is null.
x509::X509Ptr BuildUnsignedCertificate(const EVP_PKEY& subject_public_key, const CertSpec& spec,
                                       const X509* issuer = nullptr);
// Signs `cert` in place with X509_sign; `digest` nullopt: DefaultDigest(key).
void SignCertificateWithKey(X509& cert, EVP_PKEY& key,
                            std::optional<const EVP_MD*> digest = std::nullopt);
// A self-signed certificate for `key`.
x509::X509Ptr SelfSignedCertificate(EVP_PKEY& key, const CertSpec& spec);
// Signs `cert` with `signer` (x509::SignCertificate) and returns it parsed back from the DER, so
// that its names carry the encoding exactly as signed.
x509::X509Ptr SignWithSigner(X509& cert, const keys::Signer& signer, SigningAlgorithm alg);

// A CA made here: its key, held by a software Signer, and its certificate.
struct TestCa {
  std::shared_ptr<const keys::Signer> signer;
  SigningAlgorithm alg;
  x509::X509Ptr cert;
  Bytes der;
};
// A self-signed root for `signer` with RootCaExtensions() plus `spec.extensions`.
TestCa MakeRootCa(std::shared_ptr<const keys::Signer> signer, SigningAlgorithm alg,
                  CertSpec spec);
// The SHA-256 signing algorithm of `key_alg`'s family (SM3WITHSM2 for SM2).
SigningAlgorithm DefaultSigningAlgorithm(KeyAlgorithm key_alg);
// The same for a fresh software key of `key_alg`, signed with DefaultSigningAlgorithm(key_alg).
TestCa MakeRootCa(KeyAlgorithm key_alg, CertSpec spec);
// A root for a fresh software key of `key_alg` with subject O=`organization`, CN=`common_name`,
// valid from a day ago for `days` days.
TestCa MakeRootCa(KeyAlgorithm key_alg, const std::string& organization,
                  const std::string& common_name, long days);
// A subordinate CA of `parent` for `signer` with basicConstraints CA:TRUE (pathlen `path_len`
// when set), keyUsage keyCertSign+cRLSign, SKI and AKI, signed by the parent's signer.
TestCa MakeSubordinateCa(const TestCa& parent, std::shared_ptr<const keys::Signer> signer,
                         SigningAlgorithm alg, CertSpec spec,
                         std::optional<int> path_len = std::nullopt);

// ---- Encodings (written by OpenSSL, not by the code under test) ----

Bytes CertDer(const X509& cert);
std::string CertPem(const X509& cert);
Bytes CsrDer(const X509_REQ& req);
std::string CsrPem(const X509_REQ& req);
std::string PrivateKeyPem(const EVP_PKEY& key);  // PKCS#8, unencrypted
// nullptr when `der` is not exactly one certificate.
x509::X509Ptr ParseCertDer(const Bytes& der);
// Writes `content` to `path`, mode 0600 (it may be a private key). Aborts on failure.
void WriteFile(const std::filesystem::path& path, const std::string& content);

}  // namespace openpca::test_pki
