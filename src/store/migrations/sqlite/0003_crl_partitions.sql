-- 0003_crl_partitions: partitioned CRLs (CrlType PARTITIONED).
--
-- certificates.crl_partition binds each certificate, at issuance, to the CRL its CRL distribution
-- point names: '' for the CA's complete CRL (every certificate issued before this migration, and
-- every one issued while the CA's CrlType is COMPLETE), otherwise a partition id of
-- crl_partitions. It never changes after issuance.
--
-- crl_partitions has one row per CRL that some certificate of the CA names:
--   * partition_id '' marks that certificates point to the CA's complete CRL (written at the first
--     such issuance; the rows for certificates issued before this migration are created below);
--     its location is the CA's current CRL configuration, so bucket/object_key/uri stay ''.
--   * any other partition_id is a partition, with the location fixed when it was opened: the
--     bucket and object key its CRL is written to and the URI in the CDP of its certificates
--     (which its CRL repeats in a critical Issuing Distribution Point), and how many certificates
--     may be assigned to it at most.
--
-- certificates_revoked_by_partition covers every column ForEachRevoked() reads for a partition
-- scan, in its order, as certificates_revoked_entries (0002) does for the complete CRL.

ALTER TABLE certificates ADD COLUMN crl_partition TEXT NOT NULL DEFAULT '';

CREATE TABLE crl_partitions (
  ca_id         TEXT    NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  partition_id  TEXT    NOT NULL,
  bucket        TEXT    NOT NULL,
  object_key    TEXT    NOT NULL,
  uri           TEXT    NOT NULL,
  capacity      INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (ca_id, partition_id)
) STRICT;

INSERT INTO crl_partitions (ca_id, partition_id, bucket, object_key, uri, capacity, created_at_ms)
  SELECT DISTINCT ca_id, '', '', '', '', 0, 0 FROM certificates;

CREATE INDEX certificates_revoked_by_partition
  ON certificates (ca_id, crl_partition, revoked_at_ms, serial_hex, revocation_reason, not_after_s)
  WHERE revoked_at_ms IS NOT NULL;
