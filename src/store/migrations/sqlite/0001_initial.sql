-- 0001_initial: the first openpca schema.
--
-- Column types are TEXT, BLOB and INTEGER only, so the PostgreSQL dialect maps them one to one
-- (TEXT, BYTEA, BIGINT). Times are Unix epoch milliseconds (*_ms) or seconds (*_s). Tables are
-- STRICT so that a value of the wrong type is an error, as it is in PostgreSQL.

CREATE TABLE settings (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE access_keys (
  access_key_id TEXT    NOT NULL PRIMARY KEY,
  account_id    TEXT    NOT NULL,
  sealed_secret BLOB    NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

-- One row per CaRecord (store/records.h); '' stands for "not set" in text columns.
CREATE TABLE certificate_authorities (
  id                            TEXT    NOT NULL PRIMARY KEY,
  arn                           TEXT    NOT NULL,
  account_id                    TEXT    NOT NULL,
  type                          TEXT    NOT NULL,
  status                        TEXT    NOT NULL,
  status_before_deletion        TEXT    NOT NULL,
  configuration_json            TEXT    NOT NULL,
  revocation_json               TEXT    NOT NULL,
  key_storage_security_standard TEXT    NOT NULL,
  usage_mode                    TEXT    NOT NULL,
  key_id                        TEXT    NOT NULL,
  csr_pem                       TEXT    NOT NULL,
  certificate_der               BLOB    NOT NULL,
  chain_pem                     TEXT    NOT NULL,
  serial_hex                    TEXT    NOT NULL,
  not_before_s                  INTEGER,
  not_after_s                   INTEGER,
  created_at_ms                 INTEGER NOT NULL,
  last_state_change_at_ms       INTEGER NOT NULL,
  restorable_until_ms           INTEGER,
  failure_reason                TEXT    NOT NULL,
  version                       INTEGER NOT NULL
) STRICT;

-- ListCas pages through an account's CAs in (created_at_ms, id) order.
CREATE INDEX certificate_authorities_by_account
  ON certificate_authorities (account_id, created_at_ms, id);

-- Tags keep the order in which they were given: position 0, 1, 2, ...
CREATE TABLE ca_tags (
  ca_id    TEXT    NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  key      TEXT    NOT NULL,
  value    TEXT,
  PRIMARY KEY (ca_id, position)
) STRICT;

CREATE TABLE certificates (
  ca_id             TEXT    NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  serial_hex        TEXT    NOT NULL,
  der               BLOB    NOT NULL,
  not_before_s      INTEGER NOT NULL,
  not_after_s       INTEGER NOT NULL,
  issued_at_ms      INTEGER NOT NULL,
  template_arn      TEXT    NOT NULL,
  revoked_at_ms     INTEGER,
  revocation_reason INTEGER,
  PRIMARY KEY (ca_id, serial_hex)
) STRICT;

-- CRL generation reads the revoked certificates of one CA.
CREATE INDEX certificates_revoked
  ON certificates (ca_id, revoked_at_ms) WHERE revoked_at_ms IS NOT NULL;

CREATE TABLE idempotency_claims (
  scope_key     TEXT    NOT NULL PRIMARY KEY,
  result        TEXT    NOT NULL,
  expires_at_ms INTEGER NOT NULL
) STRICT;
