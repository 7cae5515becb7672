// Plain records persisted by a Store. Times are Unix epoch milliseconds unless named *_s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace openpca::store {

struct CaRecord {
  std::string id;          // lower-case UUID, the last part of the ARN
  std::string arn;
  std::string account_id;
  std::string type;        // "ROOT" | "SUBORDINATE"
  std::string status;      // CertificateAuthorityStatus as the model spells it
  std::string status_before_deletion;  // set while status == "DELETED"
  std::string configuration_json;      // CertificateAuthorityConfiguration, as returned by Describe
  std::string revocation_json;         // RevocationConfiguration, "" when never set
  std::string key_storage_security_standard;
  std::string usage_mode;
  std::string key_id;                  // KeyStore reference
  std::string csr_pem;                 // empty while CREATING
  Bytes certificate_der;               // empty until a CA certificate is imported
  std::string chain_pem;               // parents of the CA certificate, issuer first
  std::string serial_hex;              // of the CA certificate
  std::optional<int64_t> not_before_s;
  std::optional<int64_t> not_after_s;
  int64_t created_at_ms = 0;
  int64_t last_state_change_at_ms = 0;
  std::optional<int64_t> restorable_until_ms;
  std::string failure_reason;
  int64_t version = 0;  // bumped by every UpdateCa; used for optimistic concurrency
};

struct CertificateRecord {
  std::string ca_id;
  std::string serial_hex;  // lower case, no leading "00" beyond what DER needs
  Bytes der;
  int64_t not_before_s = 0;
  int64_t not_after_s = 0;
  int64_t issued_at_ms = 0;
  std::string template_arn;
  std::optional<int64_t> revoked_at_ms;
  std::optional<int> revocation_reason;  // RFC 5280 CRLReason code
  // The CRL its CRL distribution point names, fixed at issuance: "" for the CA's complete CRL,
  // otherwise the partition_id of a CrlPartitionRecord of the same CA.
  std::string crl_partition;
  // The AWS service principal that had it issued on the customer's behalf ("acm.amazonaws.com"
  // for AWS Certificate Manager); "" when the customer asked for it directly. Audit reports list
  // it as requestedByServicePrincipal.
  std::string requested_by_service_principal;
};

// One CRL that certificates of a CA name (table crl_partitions; see 0003_crl_partitions.sql).
// partition_id "" stands for the CA's complete CRL: its location follows the CA's current CRL
// configuration, so bucket, object_key and uri are "" and capacity 0. Any other partition_id is a
// partition of a PARTITIONED CA, whose location was fixed when it was opened.
struct CrlPartitionRecord {
  std::string ca_id;
  std::string partition_id;  // lower-case UUID, or "" (the complete CRL)
  std::string bucket;        // where its CRL object is written
  std::string object_key;
  std::string uri;           // the certificates' CDP URI = the CRL's Issuing Distribution Point
  int64_t capacity = 0;      // most certificates ever assigned to it
  int64_t created_at_ms = 0;
};

// One revoked certificate as a CRL lists it (Store::ForEachRevoked).
struct RevokedEntry {
  std::string serial_hex;  // as stored in CertificateRecord::serial_hex
  int64_t revoked_at_ms = 0;
  int reason = 0;           // RFC 5280 CRLReason code; 0 (unspecified) when none was stored
  int64_t not_after_s = 0;  // of the revoked certificate
};

// Which revoked certificates Store::ForEachRevoked visits.
struct RevokedScan {
  // When set, entries whose certificate's notAfter is before this (Unix seconds) are skipped.
  // RFC 5280 5.3 lets an expired certificate leave the CRL after appearing on one CRL issued after
  // its expiry; nullopt keeps every revoked certificate.
  std::optional<int64_t> not_after_at_least_s;
  // When set, only certificates bound to this CRL partition (CertificateRecord::crl_partition;
  // "" = those that name the complete CRL). nullopt: every revoked certificate of the CA, which is
  // what the complete CRL lists.
  std::optional<std::string> crl_partition;
};

struct Tag {
  std::string key;
  std::optional<std::string> value;
};

// An idempotency token claimed for a scope (e.g. "IssueCertificate|<ca arn>|<token>").
struct IdempotencyClaim {
  std::string scope_key;
  std::string result;       // what the first call returned (e.g. the ARN)
  int64_t expires_at_ms = 0;
  // When the claim is made (epoch ms). A claim of the same scope still live then (its
  // expires_at_ms later than this) refuses the new one: the database, not one process, decides
  // which of two concurrent requests with one token wins (Store::InsertCertificate, InsertCa).
  int64_t claimed_at_ms = 0;
};

struct AccessKeyRecord {
  std::string access_key_id;
  std::string account_id;
  Bytes sealed_secret;  // SecretBox-sealed secret access key
  int64_t created_at_ms = 0;
};

}  // namespace openpca::store
