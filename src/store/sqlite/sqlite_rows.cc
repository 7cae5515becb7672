#include "store/sqlite/sqlite_rows.h"

namespace openpca::store {

void BindCa(SqliteStatement& stmt, const CaRecord& ca, int64_t version) {
  stmt.BindText(1, ca.id)
      .BindText(2, ca.arn)
      .BindText(3, ca.account_id)
      .BindText(4, ca.type)
      .BindText(5, ca.status)
      .BindText(6, ca.status_before_deletion)
      .BindText(7, ca.configuration_json)
      .BindText(8, ca.revocation_json)
      .BindText(9, ca.key_storage_security_standard)
      .BindText(10, ca.usage_mode)
      .BindText(11, ca.key_id)
      .BindText(12, ca.csr_pem)
      .BindBlob(13, ca.certificate_der)
      .BindText(14, ca.chain_pem)
      .BindText(15, ca.serial_hex)
      .BindOptionalInt64(16, ca.not_before_s)
      .BindOptionalInt64(17, ca.not_after_s)
      .BindInt64(18, ca.created_at_ms)
      .BindInt64(19, ca.last_state_change_at_ms)
      .BindOptionalInt64(20, ca.restorable_until_ms)
      .BindText(21, ca.failure_reason)
      .BindInt64(22, version);
}

CaRecord ReadCa(const SqliteStatement& stmt) {
  CaRecord ca;
  ca.id = stmt.ColumnText(0);
  ca.arn = stmt.ColumnText(1);
  ca.account_id = stmt.ColumnText(2);
  ca.type = stmt.ColumnText(3);
  ca.status = stmt.ColumnText(4);
  ca.status_before_deletion = stmt.ColumnText(5);
  ca.configuration_json = stmt.ColumnText(6);
  ca.revocation_json = stmt.ColumnText(7);
  ca.key_storage_security_standard = stmt.ColumnText(8);
  ca.usage_mode = stmt.ColumnText(9);
  ca.key_id = stmt.ColumnText(10);
  ca.csr_pem = stmt.ColumnText(11);
  ca.certificate_der = stmt.ColumnBlob(12);
  ca.chain_pem = stmt.ColumnText(13);
  ca.serial_hex = stmt.ColumnText(14);
  ca.not_before_s = stmt.ColumnOptionalInt64(15);
  ca.not_after_s = stmt.ColumnOptionalInt64(16);
  ca.created_at_ms = stmt.ColumnInt64(17);
  ca.last_state_change_at_ms = stmt.ColumnInt64(18);
  ca.restorable_until_ms = stmt.ColumnOptionalInt64(19);
  ca.failure_reason = stmt.ColumnText(20);
  ca.version = stmt.ColumnInt64(21);
  return ca;
}

void BindCertificate(SqliteStatement& stmt, const CertificateRecord& cert) {
  std::optional<int64_t> reason;
  if (cert.revocation_reason.has_value()) reason = *cert.revocation_reason;
  stmt.BindText(1, cert.ca_id)
      .BindText(2, cert.serial_hex)
      .BindBlob(3, cert.der)
      .BindInt64(4, cert.not_before_s)
      .BindInt64(5, cert.not_after_s)
      .BindInt64(6, cert.issued_at_ms)
      .BindText(7, cert.template_arn)
      .BindOptionalInt64(8, cert.revoked_at_ms)
      .BindOptionalInt64(9, reason)
      .BindText(10, cert.crl_partition);
  // NULL rather than '' when no service asked for it, as for rows older than the column. Bound
  // from the record itself: text is bound without a copy.
  if (cert.requested_by_service_principal.empty()) {
    stmt.BindNull(11);
  } else {
    stmt.BindText(11, cert.requested_by_service_principal);
  }
}

CertificateRecord ReadCertificate(const SqliteStatement& stmt) {
  CertificateRecord cert;
  cert.ca_id = stmt.ColumnText(0);
  cert.serial_hex = stmt.ColumnText(1);
  cert.der = stmt.ColumnBlob(2);
  cert.not_before_s = stmt.ColumnInt64(3);
  cert.not_after_s = stmt.ColumnInt64(4);
  cert.issued_at_ms = stmt.ColumnInt64(5);
  cert.template_arn = stmt.ColumnText(6);
  cert.revoked_at_ms = stmt.ColumnOptionalInt64(7);
  if (!stmt.IsNull(8)) cert.revocation_reason = static_cast<int>(stmt.ColumnInt64(8));
  cert.crl_partition = stmt.ColumnText(9);
  if (!stmt.IsNull(10)) cert.requested_by_service_principal = stmt.ColumnText(10);
  return cert;
}

void BindCrlPartition(SqliteStatement& stmt, const CrlPartitionRecord& partition) {
  stmt.BindText(1, partition.ca_id)
      .BindText(2, partition.partition_id)
      .BindText(3, partition.bucket)
      .BindText(4, partition.object_key)
      .BindText(5, partition.uri)
      .BindInt64(6, partition.capacity)
      .BindInt64(7, partition.created_at_ms);
}

CrlPartitionRecord ReadCrlPartition(const SqliteStatement& stmt) {
  CrlPartitionRecord partition;
  partition.ca_id = stmt.ColumnText(0);
  partition.partition_id = stmt.ColumnText(1);
  partition.bucket = stmt.ColumnText(2);
  partition.object_key = stmt.ColumnText(3);
  partition.uri = stmt.ColumnText(4);
  partition.capacity = stmt.ColumnInt64(5);
  partition.created_at_ms = stmt.ColumnInt64(6);
  return partition;
}

}  // namespace openpca::store
