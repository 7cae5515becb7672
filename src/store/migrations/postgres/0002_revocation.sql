-- 0002_revocation: CRL generation state (PostgreSQL dialect of migrations/sqlite/0002).
--
-- crl_state keeps, per CA, the last CRL number handed out by NextCrlNumber(), so that CRL numbers
-- stay strictly increasing across restarts, clock steps backwards and servers sharing the
-- database (one INSERT ... ON CONFLICT DO UPDATE statement locks the row).
--
-- certificates_revoked_entries replaces certificates_revoked (0001): it holds every column
-- ForEachRevoked() reads, in its order (revoked_at_ms, serial_hex), so a CRL scan can be an
-- index-only scan without a sort.

CREATE TABLE crl_state (
  ca_id           TEXT   NOT NULL PRIMARY KEY
                         REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  last_crl_number BIGINT NOT NULL
);

DROP INDEX certificates_revoked;

CREATE INDEX certificates_revoked_entries
  ON certificates (ca_id, revoked_at_ms, serial_hex, revocation_reason, not_after_s)
  WHERE revoked_at_ms IS NOT NULL;
