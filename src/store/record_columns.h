// Column lists of the tables behind store/records.h, shared by every SQL dialect: the schema of
// each dialect (migrations/<dialect>/) uses the same table and column names. The order here is
// the order in which the dialects' row mappings (sqlite/sqlite_rows.h, postgres/pg_rows.h) bind
// parameters and read result columns. Constants only; thread-safe.
#pragma once

namespace openpca::store {

// certificate_authorities columns, in the order of parameters 1..22: 1 is id, 22 is version.
inline constexpr char kCaColumns[] =
    "id, arn, account_id, type, status, status_before_deletion, configuration_json, "
    "revocation_json, key_storage_security_standard, usage_mode, key_id, csr_pem, "
    "certificate_der, chain_pem, serial_hex, not_before_s, not_after_s, created_at_ms, "
    "last_state_change_at_ms, restorable_until_ms, failure_reason, version";
inline constexpr int kCaColumnCount = 22;

// certificates columns, in the order of parameters 1..11.
inline constexpr char kCertificateColumns[] =
    "ca_id, serial_hex, der, not_before_s, not_after_s, issued_at_ms, template_arn, "
    "revoked_at_ms, revocation_reason, crl_partition, requested_by_service_principal";

// crl_partitions columns, in the order of parameters 1..7.
inline constexpr char kCrlPartitionColumns[] =
    "ca_id, partition_id, bucket, object_key, uri, capacity, created_at_ms";

}  // namespace openpca::store
