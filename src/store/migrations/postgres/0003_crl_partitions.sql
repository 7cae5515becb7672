-- 0003_crl_partitions: partitioned CRLs (CrlType PARTITIONED). PostgreSQL dialect of
-- migrations/sqlite/0003_crl_partitions.sql, which explains the columns and rows.

ALTER TABLE certificates ADD COLUMN crl_partition TEXT NOT NULL DEFAULT '';

CREATE TABLE crl_partitions (
  ca_id         TEXT   NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  partition_id  TEXT   NOT NULL,
  bucket        TEXT   NOT NULL,
  object_key    TEXT   NOT NULL,
  uri           TEXT   NOT NULL,
  capacity      BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (ca_id, partition_id)
);

INSERT INTO crl_partitions (ca_id, partition_id, bucket, object_key, uri, capacity, created_at_ms)
  SELECT DISTINCT ca_id, '', '', '', '', 0, 0 FROM certificates;

CREATE INDEX certificates_revoked_by_partition
  ON certificates (ca_id, crl_partition, revoked_at_ms, serial_hex, revocation_reason, not_after_s)
  WHERE revoked_at_ms IS NOT NULL;
