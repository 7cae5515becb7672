-- Sealed CA private keys of the software key store, for servers sharing the database
-- (store/sealed_key_store.h). Only SecretBox output: a row is useless without the master key.
CREATE TABLE sealed_keys (
  key_id        TEXT   NOT NULL PRIMARY KEY,
  sealed        BYTEA  NOT NULL,
  created_at_ms BIGINT NOT NULL
);
