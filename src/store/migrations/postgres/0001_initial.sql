-- 0001_initial: the first openpca schema (PostgreSQL dialect of migrations/sqlite/0001_initial.sql).
--
-- Column types are TEXT, BYTEA and BIGINT only, one to one with SQLite's TEXT, BLOB and INTEGER;
-- table, column and index names are those of the SQLite dialect. Times are Unix epoch
-- milliseconds (*_ms) or seconds (*_s).

CREATE TABLE settings (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE access_keys (
  access_key_id TEXT   NOT NULL PRIMARY KEY,
  account_id    TEXT   NOT NULL,
  sealed_secret BYTEA  NOT NULL,
  created_at_ms BIGINT NOT NULL
);

-- One row per CaRecord (store/records.h); '' stands for "not set" in text columns.
CREATE TABLE certificate_authorities (
  id                            TEXT   NOT NULL PRIMARY KEY,
  arn                           TEXT   NOT NULL,
  account_id                    TEXT   NOT NULL,
  type                          TEXT   NOT NULL,
  status                        TEXT   NOT NULL,
  status_before_deletion        TEXT   NOT NULL,
  configuration_json            TEXT   NOT NULL,
  revocation_json               TEXT   NOT NULL,
  key_storage_security_standard TEXT   NOT NULL,
  usage_mode                    TEXT   NOT NULL,
  key_id                        TEXT   NOT NULL,
  csr_pem                       TEXT   NOT NULL,
  certificate_der               BYTEA  NOT NULL,
  chain_pem                     TEXT   NOT NULL,
  serial_hex                    TEXT   NOT NULL,
  not_before_s                  BIGINT,
  not_after_s                   BIGINT,
  created_at_ms                 BIGINT NOT NULL,
  last_state_change_at_ms       BIGINT NOT NULL,
  restorable_until_ms           BIGINT,
  failure_reason                TEXT   NOT NULL,
  version                       BIGINT NOT NULL
);

-- ListCas pages through an account's CAs in (created_at_ms, id) order.
CREATE INDEX certificate_authorities_by_account
  ON certificate_authorities (account_id, created_at_ms, id);

-- Tags keep the order in which they were given: position 0, 1, 2, ...
CREATE TABLE ca_tags (
  ca_id    TEXT   NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  key      TEXT   NOT NULL,
  value    TEXT,
  PRIMARY KEY (ca_id, position)
);

CREATE TABLE certificates (
  ca_id             TEXT   NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  serial_hex        TEXT   NOT NULL,
  der               BYTEA  NOT NULL,
  not_before_s      BIGINT NOT NULL,
  not_after_s       BIGINT NOT NULL,
  issued_at_ms      BIGINT NOT NULL,
  template_arn      TEXT   NOT NULL,
  revoked_at_ms     BIGINT,
  revocation_reason BIGINT,
  PRIMARY KEY (ca_id, serial_hex)
);

-- CRL generation reads the revoked certificates of one CA.
CREATE INDEX certificates_revoked
  ON certificates (ca_id, revoked_at_ms) WHERE revoked_at_ms IS NOT NULL;

CREATE TABLE idempotency_claims (
  scope_key     TEXT   NOT NULL PRIMARY KEY,
  result        TEXT   NOT NULL,
  expires_at_ms BIGINT NOT NULL
);
