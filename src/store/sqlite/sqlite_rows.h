// Row mapping between store records (store/records.h) and SQLite statements: the column lists
// used in SQL text, and the functions that bind a record's fields as parameters or read them back
// from a result row. Pure functions; thread-compatible like the statements they operate on.
#pragma once

#include "store/records.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

// certificate_authorities columns, in the order of ReadCa and of parameters ?1..?22 of BindCa.
// ?1 is id; ?22 is version.
inline constexpr char kCaColumns[] =
    "id, arn, account_id, type, status, status_before_deletion, configuration_json, "
    "revocation_json, key_storage_security_standard, usage_mode, key_id, csr_pem, "
    "certificate_der, chain_pem, serial_hex, not_before_s, not_after_s, created_at_ms, "
    "last_state_change_at_ms, restorable_until_ms, failure_reason, version";
inline constexpr int kCaColumnCount = 22;

// certificates columns, in the order of ReadCertificate and of parameters ?1..?11.
inline constexpr char kCertificateColumns[] =
    "ca_id, serial_hex, der, not_before_s, not_after_s, issued_at_ms, template_arn, "
    "revoked_at_ms, revocation_reason, crl_partition, requested_by_service_principal";

// crl_partitions columns, in the order of ReadCrlPartition and of parameters ?1..?7.
inline constexpr char kCrlPartitionColumns[] =
    "ca_id, partition_id, bucket, object_key, uri, capacity, created_at_ms";

// Binds every field of `ca` to ?1..?22, with `version` in place of ca.version.
void BindCa(SqliteStatement& stmt, const CaRecord& ca, int64_t version);
CaRecord ReadCa(const SqliteStatement& stmt);

void BindCertificate(SqliteStatement& stmt, const CertificateRecord& cert);
CertificateRecord ReadCertificate(const SqliteStatement& stmt);

void BindCrlPartition(SqliteStatement& stmt, const CrlPartitionRecord& partition);
CrlPartitionRecord ReadCrlPartition(const SqliteStatement& stmt);

}  // namespace openpca::store
