// Helpers for the OCSP tests: a CA whose key lives in a keys::SoftwareKeyStore (responses are
// signed through the real Signer) and that can issue leaves and delegated OCSP signing
// certificates; a world of CA + temporary SqliteStore + directory + FakeClock + responder;
// OCSP requests built with OpenSSL's OCSP API; response checks through OpenSSL's OCSP API; a
// Store that fails reads on demand. Reuses crl_test_util.h (TempDir, RunCommand, PEM helpers).
// Test-thread only unless a comment says otherwise.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/random.h"
#include "crl_test_util.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_responder.h"
#include "store/sqlite/sqlite_store.h"
#include "x509/ossl.h"
#include "x509/signing.h"

namespace openpca::revocation::testing {

using OcspOneReqPtr = std::unique_ptr<OCSP_ONEREQ, x509::OsslDeleter<&OCSP_ONEREQ_free>>;

// A key store in a temporary directory; hands out Signers that outlive nothing but the store.
class TestKeys {
 public:
  TestKeys() {
    Result<std::unique_ptr<keys::SecretBox>> box =
        keys::SecretBox::Create(Bytes(keys::SecretBox::kKeySize, 0x5a));
    OPENPCA_CHECK(box.ok());
    Result<std::unique_ptr<keys::SoftwareKeyStore>> store = keys::SoftwareKeyStore::Open(
        dir_.File("keys"), std::shared_ptr<const keys::SecretBox>(std::move(box).value()), random_);
    OPENPCA_CHECK(store.ok());
    store_ = std::move(store).value();
  }
  std::shared_ptr<const keys::Signer> New(KeyAlgorithm alg) {
    Result<keys::GeneratedKey> key = store_->Generate(alg);
    OPENPCA_CHECK(key.ok());
    Result<std::shared_ptr<const keys::Signer>> signer = store_->Load(key->key_id);
    OPENPCA_CHECK(signer.ok());
    return std::move(signer).value();
  }

 private:
  TempDir dir_;
  OpenSslRandom random_;
  std::unique_ptr<keys::SoftwareKeyStore> store_;
};

inline Bytes DerOf(const X509& cert) { return CertDer(cert); }

inline x509::X509Ptr ParseCert(const Bytes& der) { return test_pki::ParseCertDer(der); }

// A root CA (self-signed) signing through a SoftwareKeyStore key.
class OcspTestCa {
 public:
  OcspTestCa(TestKeys& keys, KeyAlgorithm key_alg, SigningAlgorithm alg,
             const std::string& cn = "OCSP Test Root")
      : keys_(keys), alg_(alg), signer_(keys.New(key_alg)) {
    test_pki::CertSpec spec;
    spec.subject = {{"O", "openpca tests", V_ASN1_UTF8STRING}, {"CN", cn, V_ASN1_UTF8STRING}};
    spec.not_before_offset = -86400;
    spec.not_after_offset = 10 * 365 * 86400L;
    test_pki::TestCa ca = test_pki::MakeRootCa(signer_, alg_, std::move(spec));
    der_ = std::move(ca.der);
    cert_ = std::move(ca.cert);
  }

  // A leaf with serial `serial_hex` (hex, as the store spells it).
  x509::X509Ptr IssueLeaf(const std::string& serial_hex) const {
    return Issue(serial_hex, "leaf " + serial_hex, PublicKeyOf(*keys_.New(KeyAlgorithm::kEcP256)),
                 /*ocsp_signing=*/false);
  }

  // A delegated OCSP responder certificate for `signer`'s key: EKU id-kp-OCSPSigning and
  // id-pkix-ocsp-nocheck.
  x509::X509Ptr IssueDelegate(const keys::Signer& signer, const std::string& serial_hex = "0d0d",
                              bool ocsp_signing = true) const {
    return Issue(serial_hex, "OCSP responder", PublicKeyOf(signer), ocsp_signing);
  }

  const keys::Signer& signer() const { return *signer_; }
  std::shared_ptr<const keys::Signer> shared_signer() const { return signer_; }
  SigningAlgorithm alg() const { return alg_; }
  const X509& cert() const { return *cert_; }
  const Bytes& der() const { return der_; }
  std::string pem() const { return CertPem(*cert_); }

 private:
  x509::X509Ptr Issue(const std::string& serial_hex, const std::string& cn,
                      const x509::EvpPkeyPtr& key, bool ocsp_signing) const {
    test_pki::CertSpec spec;
    spec.subject = {{"CN", cn}};
    spec.serial_hex = serial_hex;
    spec.not_after_offset = 30 * 86400;
    spec.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_authority_key_identifier, "keyid:always"}};
    if (ocsp_signing) {
      spec.extensions.push_back({NID_ext_key_usage, "OCSPSigning"});
      spec.extensions.push_back({NID_id_pkix_OCSP_noCheck, "ignored"});
    } else {
      spec.extensions.push_back({NID_ext_key_usage, "serverAuth"});
    }
    x509::X509Ptr leaf = test_pki::BuildUnsignedCertificate(*key, spec, cert_.get());
    return test_pki::SignWithSigner(*leaf, *signer_, alg_);
  }

  TestKeys& keys_;
  SigningAlgorithm alg_;
  std::shared_ptr<const keys::Signer> signer_;
  Bytes der_;
  x509::X509Ptr cert_;
};

// A Store that forwards to another and fails GetCertificate with kInternal while fail_reads is
// set. Thread-safe as the Store it wraps.
class FlakyStore final : public store::Store {
 public:
  explicit FlakyStore(store::Store& inner) : inner_(inner) {}
  std::atomic<bool> fail_reads{false};
  std::atomic<int> get_certificate_calls{0};

  Result<std::optional<std::string>> GetSetting(std::string_view name) override {
    return inner_.GetSetting(name);
  }
  Status PutSetting(std::string_view name, std::string_view value) override {
    return inner_.PutSetting(name, value);
  }
  Status InsertAccessKey(const store::AccessKeyRecord& key) override {
    return inner_.InsertAccessKey(key);
  }
  Result<store::AccessKeyRecord> GetAccessKey(std::string_view id) override {
    return inner_.GetAccessKey(id);
  }
  Status InsertCa(const store::CaRecord& ca, const std::vector<store::Tag>& tags,
                  const std::optional<store::IdempotencyClaim>& claim) override {
    return inner_.InsertCa(ca, tags, claim);
  }
  Result<store::CaRecord> GetCa(std::string_view ca_id) override { return inner_.GetCa(ca_id); }
  Result<std::vector<store::CaRecord>> ListCas(std::string_view account_id,
                                               std::string_view after_id, int limit) override {
    return inner_.ListCas(account_id, after_id, limit);
  }
  Result<int64_t> CountCas(std::string_view account_id) override {
    return inner_.CountCas(account_id);
  }
  Status UpdateCa(const store::CaRecord& ca) override { return inner_.UpdateCa(ca); }
  Status PurgeCa(std::string_view ca_id) override { return inner_.PurgeCa(ca_id); }
  Result<std::vector<store::Tag>> GetTags(std::string_view ca_id) override {
    return inner_.GetTags(ca_id);
  }
  Status ReplaceTags(std::string_view ca_id, const std::vector<store::Tag>& tags) override {
    return inner_.ReplaceTags(ca_id, tags);
  }
  Status InsertCertificate(const store::CertificateRecord& cert,
                           const std::optional<store::IdempotencyClaim>& claim) override {
    return inner_.InsertCertificate(cert, claim);
  }
  Result<store::CertificateRecord> GetCertificate(std::string_view ca_id,
                                                  std::string_view serial_hex) override {
    get_certificate_calls.fetch_add(1);
    if (fail_reads.load()) return InternalError("injected read failure");
    return inner_.GetCertificate(ca_id, serial_hex);
  }
  Status RevokeCertificate(std::string_view ca_id, std::string_view serial_hex,
                           int64_t revoked_at_ms, int reason) override {
    return inner_.RevokeCertificate(ca_id, serial_hex, revoked_at_ms, reason);
  }
  Status ForEachRevoked(std::string_view ca_id, const store::RevokedScan& scan,
                        const std::function<Status(const store::RevokedEntry&)>& fn) override {
    return inner_.ForEachRevoked(ca_id, scan, fn);
  }
  Result<int64_t> CountRevoked(std::string_view ca_id) override {
    return inner_.CountRevoked(ca_id);
  }
  Result<int64_t> NextCrlNumber(std::string_view ca_id, int64_t at_least) override {
    return inner_.NextCrlNumber(ca_id, at_least);
  }
  Status InsertCrlPartition(const store::CrlPartitionRecord& partition) override {
    return inner_.InsertCrlPartition(partition);
  }
  Result<store::CrlPartitionRecord> GetCrlPartition(std::string_view ca_id,
                                                    std::string_view partition_id) override {
    return inner_.GetCrlPartition(ca_id, partition_id);
  }
  Result<std::vector<store::CrlPartitionRecord>> ListCrlPartitions(
      std::string_view ca_id) override {
    return inner_.ListCrlPartitions(ca_id);
  }
  Result<std::optional<store::IdempotencyClaim>> FindIdempotencyClaim(std::string_view scope_key,
                                                                      int64_t now_ms) override {
    return inner_.FindIdempotencyClaim(scope_key, now_ms);
  }
  Result<int64_t> PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) override {
    return inner_.PurgeExpiredIdempotencyClaims(now_ms, limit);
  }

 private:
  store::Store& inner_;
};

// The clock starts at the real time (rounded down to seconds): openssl and OCSP_check_validity
// judge thisUpdate/nextUpdate against the real clock.
inline TimePoint RealNowSeconds() {
  return TimePoint(std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()));
}

// One CA in a temporary SqliteStore, its directory entry and a responder.
class OcspWorld {
 public:
  static constexpr char kCaId[] = "11111111-2222-4333-8444-555555555555";

  explicit OcspWorld(KeyAlgorithm key = KeyAlgorithm::kEcP256,
                     SigningAlgorithm alg = SigningAlgorithm::kSha256WithEcdsa,
                     OcspResponderOptions options = {})
      : ca(keys, key, alg), clock(RealNowSeconds()) {
    Result<std::unique_ptr<store::SqliteStore>> db =
        store::SqliteStore::Open(dir.File("openpca.db"));
    OPENPCA_CHECK(db.ok());
    db_ = std::move(db).value();
    flaky = std::make_unique<FlakyStore>(*db_);
    store::CaRecord record;
    record.id = kCaId;
    record.arn =
        std::string("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/") + kCaId;
    record.account_id = "111122223333";
    record.type = "ROOT";
    record.status = "ACTIVE";
    record.configuration_json = R"({"KeyAlgorithm":"EC_prime256v1","SigningAlgorithm":")" +
                                std::string(SigningAlgorithmName(alg)) + R"("})";
    record.revocation_json = R"({"OcspConfiguration":{"Enabled":true}})";
    record.key_storage_security_standard = "FIPS_140_2_LEVEL_3_OR_HIGHER";
    record.usage_mode = "GENERAL_PURPOSE";
    record.key_id = "soft:test";
    record.certificate_der = ca.der();
    record.serial_hex = "01";
    record.created_at_ms = ToUnixMillis(clock.Now());
    record.last_state_change_at_ms = record.created_at_ms;
    OPENPCA_CHECK(db_->InsertCa(record, {}, std::nullopt).ok());
    ca_record = record;
    OPENPCA_CHECK(SetIssuer(Config()).ok());
    responder = std::make_unique<OcspResponder>(*flaky, clock, directory, options);
  }

  OcspIssuerConfig Config() const {
    Result<OcspIssuerConfig> config = OcspIssuerConfigFromCaRecord(ca_record, ca.shared_signer());
    OPENPCA_CHECK(config.ok());
    return std::move(config).value();
  }
  Status SetIssuer(OcspIssuerConfig config) {
    ASSIGN_OR_RETURN(std::shared_ptr<const OcspIssuer> issuer, OcspIssuer::Create(config));
    directory.Add(std::move(issuer));
    return Status::Ok();
  }

  // Issues a leaf and records it in the store.
  x509::X509Ptr Issue(const std::string& serial_hex) {
    x509::X509Ptr leaf = ca.IssueLeaf(serial_hex);
    store::CertificateRecord record;
    record.ca_id = kCaId;
    record.serial_hex = serial_hex;
    record.der = DerOf(*leaf);
    record.not_before_s = ToUnixSeconds(clock.Now()) - 3600;
    record.not_after_s = ToUnixSeconds(clock.Now()) + 30 * 86400;
    record.issued_at_ms = ToUnixMillis(clock.Now());
    record.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
    OPENPCA_CHECK(db_->InsertCertificate(record, std::nullopt).ok());
    return leaf;
  }
  Status Revoke(const std::string& serial_hex, int reason, int64_t at_ms) {
    return db_->RevokeCertificate(kCaId, serial_hex, at_ms, reason);
  }

  store::SqliteStore& db() { return *db_; }

  TestKeys keys;
  TempDir dir;
  std::unique_ptr<store::SqliteStore> db_;
  OcspTestCa ca;
  FakeClock clock;
  store::CaRecord ca_record;
  StaticOcspIssuerDirectory directory;
  std::unique_ptr<FlakyStore> flaky;
  std::unique_ptr<OcspResponder> responder;
};

// --- Requests (OpenSSL's OCSP API) ---

inline x509::OcspCertIdPtr CertIdFor(const X509& leaf, const X509& issuer,
                                     const EVP_MD* md = EVP_sha1()) {
  x509::OcspCertIdPtr id(OCSP_cert_to_id(md, &leaf, &issuer));
  OPENPCA_CHECK(id != nullptr);
  return id;
}

struct RequestOptions {
  const EVP_MD* md = EVP_sha1();
  bool nonce = false;
  int nonce_length = 16;                 // octets, inside an OCTET STRING (OpenSSL's default form)
  std::optional<std::string> requestor;  // a requestorName (directoryName CN=...)
};

inline Bytes RequestDer(OCSP_REQUEST* req) {
  unsigned char* der = nullptr;
  int len = i2d_OCSP_REQUEST(req, &der);
  OPENPCA_CHECK(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

inline x509::OcspRequestPtr MakeRequestObject(const std::vector<const X509*>& leaves,
                                              const X509& issuer,
                                              const RequestOptions& options = {}) {
  x509::OcspRequestPtr req(OCSP_REQUEST_new());
  for (const X509* leaf : leaves) {
    x509::OcspCertIdPtr id = CertIdFor(*leaf, issuer, options.md);
    OPENPCA_CHECK(OCSP_request_add0_id(req.get(), id.get()) != nullptr);
    id.release();
  }
  if (options.nonce) {
    OPENPCA_CHECK(OCSP_request_add1_nonce(req.get(), nullptr, options.nonce_length) == 1);
  }
  if (options.requestor.has_value()) {
    x509::X509NamePtr name(X509_NAME_new());
    X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(options.requestor->c_str()),
                               -1, -1, 0);
    OPENPCA_CHECK(OCSP_request_set1_name(req.get(), name.get()) == 1);
  }
  return req;
}

inline Bytes MakeRequest(const std::vector<const X509*>& leaves, const X509& issuer,
                         const RequestOptions& options = {}) {
  x509::OcspRequestPtr req = MakeRequestObject(leaves, issuer, options);
  return RequestDer(req.get());
}

// --- Responses ---

inline x509::OcspResponsePtr ParseResponse(const std::string& der) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  x509::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &in, static_cast<long>(der.size())));
  EXPECT_NE(resp, nullptr) << "d2i_OCSP_RESPONSE failed";
  if (resp != nullptr) {
    EXPECT_EQ(in, reinterpret_cast<const unsigned char*>(der.data()) + der.size())
        << "trailing bytes after the OCSPResponse";
  }
  return resp;
}

// The BasicOCSPResponse of a successful response, verified with `ca` as the only trust anchor
// (the CA certificate is offered as a possible signer, as a client that knows its issuer does).
inline x509::OcspBasicRespPtr VerifiedBasic(const std::string& der, const X509& ca,
                                            unsigned long flags = 0) {
  x509::OcspResponsePtr resp = ParseResponse(der);
  if (resp == nullptr) return nullptr;
  EXPECT_EQ(OCSP_response_status(resp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  x509::OcspBasicRespPtr basic(OCSP_response_get1_basic(resp.get()));
  EXPECT_NE(basic, nullptr);
  if (basic == nullptr) return nullptr;
  x509::X509StorePtr trust(X509_STORE_new());
  X509_STORE_add_cert(trust.get(), const_cast<X509*>(&ca));
  x509::X509StackPtr certs(sk_X509_new_null());
  X509_up_ref(const_cast<X509*>(&ca));
  sk_X509_push(certs.get(), const_cast<X509*>(&ca));
  int ok = OCSP_basic_verify(basic.get(), certs.get(), trust.get(), flags);
  EXPECT_EQ(ok, 1) << x509::OsslError("OCSP_basic_verify").ToString();
  return basic;
}

struct FoundStatus {
  int status = -1;  // V_OCSP_CERTSTATUS_*
  int reason = -1;
  int64_t revoked_at_s = 0;
  int64_t this_update_s = 0;
  int64_t next_update_s = 0;
};

inline int64_t TimeSeconds(const ASN1_GENERALIZEDTIME* t) {
  if (t == nullptr) return 0;
  struct tm tm {};
  OPENPCA_CHECK(ASN1_TIME_to_tm(t, &tm) == 1);
  return static_cast<int64_t>(timegm(&tm));
}

inline std::optional<FoundStatus> FindStatus(OCSP_BASICRESP* basic, const X509& leaf,
                                             const X509& issuer, const EVP_MD* md = EVP_sha1()) {
  x509::OcspCertIdPtr id = CertIdFor(leaf, issuer, md);
  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic, id.get(), &status, &reason, &revoked, &this_update,
                            &next_update) != 1) {
    return std::nullopt;
  }
  FoundStatus found;
  found.status = status;
  found.reason = reason;
  found.revoked_at_s = TimeSeconds(revoked);
  found.this_update_s = TimeSeconds(this_update);
  found.next_update_s = TimeSeconds(next_update);
  return found;
}

}  // namespace openpca::revocation::testing
