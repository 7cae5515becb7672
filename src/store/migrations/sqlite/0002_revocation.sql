-- 0002_revocation: CRL generation state.
--
-- crl_state keeps, per CA, the last CRL number handed out by NextCrlNumber(), so that CRL numbers
-- stay strictly increasing across restarts and clock steps backwards.
--
-- certificates_revoked (0001) indexed (ca_id, revoked_at_ms) only, so a CRL scan looked up every
-- revoked row in the table, whose rows carry the certificate DER (one page read per row or two).
-- The replacement covers every column ForEachRevoked() reads: the scan walks this index alone, in
-- its order (revoked_at_ms, serial_hex), without sorting. It still serves every query the old one
-- served (same leading columns, same WHERE), so the old one is dropped rather than kept twice.

CREATE TABLE crl_state (
  ca_id           TEXT    NOT NULL PRIMARY KEY
                          REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  last_crl_number INTEGER NOT NULL
) STRICT;

DROP INDEX certificates_revoked;

CREATE INDEX certificates_revoked_entries
  ON certificates (ca_id, revoked_at_ms, serial_hex, revocation_reason, not_after_s)
  WHERE revoked_at_ms IS NOT NULL;
