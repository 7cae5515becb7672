#include "revocation/ocsp/ocsp_delegate_issuer.h"

#include <openssl/obj_mac.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/arn.h"
#include "keys/ephemeral_signer.h"
#include "x509/certificate.h"
#include "x509/extensions.h"
#include "x509/inspect.h"

namespace openpca::revocation {
namespace {

using X509PubkeyPtr = std::unique_ptr<X509_PUBKEY, x509::OsslDeleter<&X509_PUBKEY_free>>;

constexpr char kOidOcspSigning[] = "1.3.6.1.5.5.7.3.9";  // id-kp-OCSPSigning
constexpr char kOidOcspNoCheck[] = "1.3.6.1.5.5.7.48.1.5";  // id-pkix-ocsp-nocheck
constexpr uint8_t kDerNull[] = {0x05, 0x00};
constexpr size_t kMaxCommonNameChars = 64;  // ub-common-name (RFC 5280 appendix A)

// The same serials as issued certificates: 128 bits, positive, the next bit set so the DER length
// is fixed, 126 bits of entropy.
Bytes NewSerial(Random& random) {
  Bytes serial = random.RandomBytes(16);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  return serial;
}

// The first `max_chars` characters of UTF-8 `s`.
std::string Utf8Prefix(const std::string& s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) continue;  // continuation octet
    if (chars == max_chars) return s.substr(0, i);
    ++chars;
  }
  return s;
}

Status AddCommonName(X509_NAME& name, const std::string& value, int loc) {
  if (X509_NAME_add_entry_by_NID(&name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()),
                                 static_cast<int>(value.size()), loc, 0) != 1) {
    return x509::OsslError("X509_NAME_add_entry_by_NID");
  }
  return Status::Ok();
}

}  // namespace

Result<x509::X509NamePtr> OcspDelegateSubject(const X509_NAME& ca_subject) {
  x509::X509NamePtr name(X509_NAME_dup(&ca_subject));
  if (name == nullptr) return x509::OsslError("X509_NAME_dup");
  int last_cn = -1;
  for (int i = X509_NAME_get_index_by_NID(name.get(), NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name.get(), NID_commonName, i)) {
    last_cn = i;
  }
  const std::string suffix = kOcspDelegateCnSuffix;
  if (last_cn < 0) {
    RETURN_IF_ERROR(AddCommonName(*name, suffix.substr(1), -1));  // "OCSP Responder"
    return name;
  }
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(
      &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), last_cn)));
  if (len < 0) return x509::OsslError("ASN1_STRING_to_UTF8");
  std::string ca_cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  std::string cn = Utf8Prefix(ca_cn, kMaxCommonNameChars - suffix.size()) + suffix;
  X509_NAME_ENTRY_free(X509_NAME_delete_entry(name.get(), last_cn));
  RETURN_IF_ERROR(AddCommonName(*name, cn, last_cn));
  return name;
}

Result<Bytes> BuildOcspDelegateCertificate(const X509& ca_certificate, const keys::Signer& ca_signer,
                                           SigningAlgorithm alg,
                                           std::span<const uint8_t> delegate_key,
                                           const OcspDelegateContent& content) {
  const unsigned char* in = delegate_key.data();
  X509PubkeyPtr pubkey(d2i_X509_PUBKEY(nullptr, &in, static_cast<long>(delegate_key.size())));
  if (pubkey == nullptr || in != delegate_key.data() + delegate_key.size()) {
    return x509::OsslError("d2i_X509_PUBKEY", ErrorCode::kInvalidArgs);
  }
  ASSIGN_OR_RETURN(x509::X509NamePtr subject,
                   OcspDelegateSubject(*X509_get_subject_name(&ca_certificate)));
  ASSIGN_OR_RETURN(Bytes ca_key_id, x509::SubjectKeyId(ca_certificate));
  ASSIGN_OR_RETURN(Bytes key_id, x509::KeyIdentifierFromSpki(delegate_key));

  x509::CertificateContent c;
  c.serial = content.serial;
  c.issuer = X509_get_subject_name(&ca_certificate);
  c.subject = subject.get();
  c.subject_key = pubkey.get();
  c.not_before = content.not_before;
  c.not_after = content.not_after;
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr bc, x509::BasicConstraintsExt(false, std::nullopt, true));
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr ku, x509::KeyUsageExt(x509::kDigitalSignature, true));
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr eku, x509::ExtendedKeyUsageExt({kOidOcspSigning}, false));
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr ski, x509::SubjectKeyIdentifierExt(key_id));
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr aki, x509::AuthorityKeyIdentifierExt(ca_key_id));
  // RFC 6960 4.2.2.2.1: relying parties need not check the delegate's own revocation status; the
  // value is NULL. Short lifetimes stand in for revocation checking.
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr nocheck,
                   x509::RawExtension(kOidOcspNoCheck, kDerNull, false));
  c.extensions.push_back(std::move(bc));
  c.extensions.push_back(std::move(ku));
  c.extensions.push_back(std::move(eku));
  c.extensions.push_back(std::move(ski));
  c.extensions.push_back(std::move(aki));
  c.extensions.push_back(std::move(nocheck));
  return x509::BuildSignedCertificate(c, ca_signer, alg);
}

// --- OcspDelegateIssuer ---

OcspDelegateIssuer::OcspDelegateIssuer(store::Store& store, const Clock& clock, Random& random,
                                       OcspDelegateOptions options)
    : store_(store), clock_(clock), random_(random), options_(options) {}

std::shared_ptr<OcspDelegateIssuer::Entry> OcspDelegateIssuer::EntryFor(std::string_view ca_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ca_id);
  if (it == entries_.end()) {
    it = entries_.emplace(std::string(ca_id), std::make_shared<Entry>()).first;
  }
  return it->second;
}

bool OcspDelegateIssuer::RotationDue(const IssuedOcspDelegate& d, TimePoint now) const {
  bool old = now >= d.issued_at + options_.lifetime / 2;
  bool short_left = d.not_after - now < options_.response_validity + options_.rotation_margin;
  if (!old && !short_left) return false;
  // Near the CA's own notAfter a new delegate would end where the current one does.
  return std::min(now + options_.lifetime, d.ca_not_after) > d.not_after;
}

Result<IssuedOcspDelegate> OcspDelegateIssuer::Issue(const store::CaRecord& ca,
                                                     const X509& ca_certificate,
                                                     std::shared_ptr<const keys::Signer> ca_signer,
                                                     SigningAlgorithm alg, TimePoint now) {
  if (FamilyOf(alg) != FamilyOf(ca_signer->algorithm())) {
    return Status(ErrorCode::kInvalidArgs, "signing algorithm does not fit the CA key");
  }
  TimePoint ca_not_after = x509::NotAfter(ca_certificate);
  if (ca_not_after <= now) {
    return Status(ErrorCode::kInvalidState, "CA " + ca.id + ": the CA certificate has expired");
  }
  // The delegate's key is of the CA key's algorithm (RSA size, EC curve, SM2) and lives only in
  // this process.
  ASSIGN_OR_RETURN(std::shared_ptr<const keys::Signer> signer,
                   keys::NewEphemeralSigner(ca_signer->algorithm()));
  OcspDelegateContent content;
  {
    std::lock_guard lock(random_mu_);
    content.serial = NewSerial(random_);
  }
  // Whole seconds: what the certificate can express, so that the record and the DER agree.
  auto floor_s = [](TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); };
  content.not_before =
      std::max(floor_s(now - options_.backdate), floor_s(x509::NotBefore(ca_certificate)));
  content.not_after = std::min(floor_s(now + options_.lifetime), floor_s(ca_not_after));
  ASSIGN_OR_RETURN(Bytes der, BuildOcspDelegateCertificate(ca_certificate, *ca_signer, alg,
                                                           signer->public_key_der(), content));
  // Recorded before use: the serial is then taken for good, and the certificate appears in the
  // CA's records and audit reports like any other it issued. The store refuses a duplicate serial
  // (kRequestFailed) rather than overwrite.
  store::CertificateRecord record;
  record.ca_id = ca.id;
  record.serial_hex = HexEncode(content.serial);
  record.der = der;
  record.not_before_s = ToUnixSeconds(content.not_before);
  record.not_after_s = ToUnixSeconds(content.not_after);
  record.issued_at_ms = ToUnixMillis(now);
  record.template_arn = MakeTemplateArn(ca.arn, kOcspDelegateTemplateName);
  RETURN_IF_ERROR(store_.InsertCertificate(record, std::nullopt));

  IssuedOcspDelegate issued;
  issued.delegate = OcspDelegate{std::move(der), std::move(signer), alg};
  issued.serial_hex = record.serial_hex;
  issued.issued_at = now;
  issued.not_before = content.not_before;
  issued.not_after = content.not_after;
  issued.ca_certificate_der = ca.certificate_der;
  issued.ca_key_id = ca.key_id;
  issued.ca_signing_algorithm = alg;
  issued.ca_not_after = ca_not_after;
  spdlog::info("OCSP: CA {}: delegated OCSP signing certificate {} issued, valid until {}", ca.id,
               issued.serial_hex, ToUnixSeconds(issued.not_after));
  return issued;
}

Result<OcspDelegate> OcspDelegateIssuer::Current(const store::CaRecord& ca,
                                                 std::shared_ptr<const keys::Signer> ca_signer,
                                                 SigningAlgorithm alg) {
  if (ca.certificate_der.empty()) {
    return Status(ErrorCode::kInvalidState, "CA " + ca.id + " has no certificate");
  }
  if (ca_signer == nullptr) return Status(ErrorCode::kInvalidArgs, "no CA signer");
  std::shared_ptr<Entry> entry = EntryFor(ca.id);
  std::lock_guard lock(entry->mu);
  TimePoint now = clock_.Now();

  bool usable = false;  // the current delegate may still sign for this CA
  if (entry->state.has_value()) {
    const IssuedOcspDelegate& d = *entry->state;
    usable = d.ca_certificate_der == ca.certificate_der && d.ca_key_id == ca.key_id &&
             d.ca_signing_algorithm == alg && now < d.not_after;
    if (usable) {
      // A delegate revoked through RevokeCertificate is replaced at once. Fail closed: when its
      // status cannot be read, replace it too.
      Result<store::CertificateRecord> record = store_.GetCertificate(ca.id, d.serial_hex);
      if (!record.ok() || record->revoked_at_ms.has_value()) usable = false;
    }
    if (usable && !RotationDue(d, now)) {
      entry->failed = false;
      return d.delegate;
    }
  }

  ASSIGN_OR_RETURN(x509::X509Ptr ca_certificate, x509::ParseCertificateDer(ca.certificate_der));
  Result<IssuedOcspDelegate> issued = Issue(ca, *ca_certificate, std::move(ca_signer), alg, now);
  if (!issued.ok()) {
    entry->failed = true;
    if (usable) {
      spdlog::warn("OCSP: CA {}: cannot rotate the delegated OCSP signing certificate, keeping {}: {}",
                   ca.id, entry->state->serial_hex, issued.status().message());
      return entry->state->delegate;
    }
    entry->state.reset();
    return issued.status();
  }
  entry->failed = false;
  entry->state = std::move(issued).value();
  return entry->state->delegate;
}

void OcspDelegateIssuer::Forget(std::string_view ca_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ca_id);
  if (it != entries_.end()) entries_.erase(it);
}

std::vector<std::string> OcspDelegateIssuer::Due() const {
  std::vector<std::pair<std::string, std::shared_ptr<Entry>>> entries;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, entry] : entries_) entries.emplace_back(id, entry);
  }
  TimePoint now = clock_.Now();
  std::vector<std::string> due;
  for (const auto& [id, entry] : entries) {
    // An entry being worked on is being renewed already.
    std::unique_lock lock(entry->mu, std::try_to_lock);
    if (!lock.owns_lock()) continue;
    if (entry->failed || !entry->state.has_value() || RotationDue(*entry->state, now) ||
        now >= entry->state->not_after) {
      due.push_back(id);
    }
  }
  return due;
}

std::optional<IssuedOcspDelegate> OcspDelegateIssuer::Get(std::string_view ca_id) const {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(ca_id);
    if (it == entries_.end()) return std::nullopt;
    entry = it->second;
  }
  std::lock_guard lock(entry->mu);
  return entry->state;
}

}  // namespace openpca::revocation
