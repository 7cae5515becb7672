-- Leases of periodic work among servers sharing the database (store/lease_store.h).
CREATE TABLE leases (
  name          TEXT   NOT NULL PRIMARY KEY,
  holder        TEXT   NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  fencing_token BIGINT NOT NULL
);
