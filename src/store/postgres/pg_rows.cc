#include "store/postgres/pg_rows.h"

namespace openpca::store {

void AddCaParams(PgParams& params, const CaRecord& ca, int64_t version) {
  params.Text(ca.id)
      .Text(ca.arn)
      .Text(ca.account_id)
      .Text(ca.type)
      .Text(ca.status)
      .Text(ca.status_before_deletion)
      .Text(ca.configuration_json)
      .Text(ca.revocation_json)
      .Text(ca.key_storage_security_standard)
      .Text(ca.usage_mode)
      .Text(ca.key_id)
      .Text(ca.csr_pem)
      .Bytea(ca.certificate_der)
      .Text(ca.chain_pem)
      .Text(ca.serial_hex)
      .OptionalInt64(ca.not_before_s)
      .OptionalInt64(ca.not_after_s)
      .Int64(ca.created_at_ms)
      .Int64(ca.last_state_change_at_ms)
      .OptionalInt64(ca.restorable_until_ms)
      .Text(ca.failure_reason)
      .Int64(version);
}

CaRecord ReadCaRow(const PgResult& rows, int row) {
  CaRecord ca;
  ca.id = rows.String(row, 0);
  ca.arn = rows.String(row, 1);
  ca.account_id = rows.String(row, 2);
  ca.type = rows.String(row, 3);
  ca.status = rows.String(row, 4);
  ca.status_before_deletion = rows.String(row, 5);
  ca.configuration_json = rows.String(row, 6);
  ca.revocation_json = rows.String(row, 7);
  ca.key_storage_security_standard = rows.String(row, 8);
  ca.usage_mode = rows.String(row, 9);
  ca.key_id = rows.String(row, 10);
  ca.csr_pem = rows.String(row, 11);
  ca.certificate_der = rows.Bytea(row, 12);
  ca.chain_pem = rows.String(row, 13);
  ca.serial_hex = rows.String(row, 14);
  ca.not_before_s = rows.OptionalInt64(row, 15);
  ca.not_after_s = rows.OptionalInt64(row, 16);
  ca.created_at_ms = rows.Int64(row, 17);
  ca.last_state_change_at_ms = rows.Int64(row, 18);
  ca.restorable_until_ms = rows.OptionalInt64(row, 19);
  ca.failure_reason = rows.String(row, 20);
  ca.version = rows.Int64(row, 21);
  return ca;
}

void AddCertificateParams(PgParams& params, const CertificateRecord& cert) {
  std::optional<int64_t> reason;
  if (cert.revocation_reason.has_value()) reason = *cert.revocation_reason;
  params.Text(cert.ca_id)
      .Text(cert.serial_hex)
      .Bytea(cert.der)
      .Int64(cert.not_before_s)
      .Int64(cert.not_after_s)
      .Int64(cert.issued_at_ms)
      .Text(cert.template_arn)
      .OptionalInt64(cert.revoked_at_ms)
      .OptionalInt64(reason)
      .Text(cert.crl_partition);
  // NULL rather than '' when no service asked for it, as in the SQLite dialect.
  if (cert.requested_by_service_principal.empty()) {
    params.Null();
  } else {
    params.Text(cert.requested_by_service_principal);
  }
}

CertificateRecord ReadCertificateRow(const PgResult& rows, int row) {
  CertificateRecord cert;
  cert.ca_id = rows.String(row, 0);
  cert.serial_hex = rows.String(row, 1);
  cert.der = rows.Bytea(row, 2);
  cert.not_before_s = rows.Int64(row, 3);
  cert.not_after_s = rows.Int64(row, 4);
  cert.issued_at_ms = rows.Int64(row, 5);
  cert.template_arn = rows.String(row, 6);
  cert.revoked_at_ms = rows.OptionalInt64(row, 7);
  if (!rows.IsNull(row, 8)) cert.revocation_reason = static_cast<int>(rows.Int64(row, 8));
  cert.crl_partition = rows.String(row, 9);
  if (!rows.IsNull(row, 10)) cert.requested_by_service_principal = rows.String(row, 10);
  return cert;
}

void AddCrlPartitionParams(PgParams& params, const CrlPartitionRecord& partition) {
  params.Text(partition.ca_id)
      .Text(partition.partition_id)
      .Text(partition.bucket)
      .Text(partition.object_key)
      .Text(partition.uri)
      .Int64(partition.capacity)
      .Int64(partition.created_at_ms);
}

CrlPartitionRecord ReadCrlPartitionRow(const PgResult& rows, int row) {
  CrlPartitionRecord partition;
  partition.ca_id = rows.String(row, 0);
  partition.partition_id = rows.String(row, 1);
  partition.bucket = rows.String(row, 2);
  partition.object_key = rows.String(row, 3);
  partition.uri = rows.String(row, 4);
  partition.capacity = rows.Int64(row, 5);
  partition.created_at_ms = rows.Int64(row, 6);
  return partition;
}

}  // namespace openpca::store
