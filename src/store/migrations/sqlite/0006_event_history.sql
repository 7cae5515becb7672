-- 0006_event_history: the CloudTrail event history (LookupEvents, trail delivery).
--
-- event_history holds final records only, one row per record and recipient account (a
-- cross-account call has two rows sharing sharedEventID inside record_json). `seq` is assigned
-- when the record becomes final (AUTOINCREMENT: never reused, even after a purge empties the
-- table), so a delivery cursor over seq never skips a record. Lookup columns repeat what
-- record_json says, for the LookupEvents indexes: every lookup is (recipient, region, key,
-- time range) read newest first from one index.
--
-- event_pending holds the record of a mutating call from the transaction of its first write
-- until its outcome is known; a row left at open belongs to a call whose change committed but
-- whose outcome was not recorded (the process ended first). Times are Unix epoch milliseconds.

CREATE TABLE event_history (
  seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id             TEXT    NOT NULL,
  recipient_account_id TEXT    NOT NULL,
  region               TEXT    NOT NULL,
  event_time_ms        INTEGER NOT NULL,
  event_source         TEXT    NOT NULL,  -- acm-pca.amazonaws.com
  event_name           TEXT    NOT NULL,  -- IssueCertificate
  read_only            INTEGER NOT NULL,  -- 0 / 1
  username             TEXT    NOT NULL,  -- '' when none
  access_key_id        TEXT    NOT NULL,  -- '' for service events
  resources_json       TEXT    NOT NULL,  -- [{"type": ..., "name": ...}]
  record_json          TEXT    NOT NULL   -- the CloudTrail record
) STRICT;

CREATE INDEX event_history_by_time
  ON event_history (recipient_account_id, region, event_time_ms, seq);
CREATE INDEX event_history_by_event_id ON event_history (event_id);
CREATE INDEX event_history_by_name
  ON event_history (recipient_account_id, region, event_name, event_time_ms, seq);
CREATE INDEX event_history_by_read_only
  ON event_history (recipient_account_id, region, read_only, event_time_ms, seq);
CREATE INDEX event_history_by_username
  ON event_history (recipient_account_id, region, username, event_time_ms, seq);
CREATE INDEX event_history_by_source
  ON event_history (recipient_account_id, region, event_source, event_time_ms, seq);
CREATE INDEX event_history_by_access_key
  ON event_history (recipient_account_id, region, access_key_id, event_time_ms, seq);

-- The resources a record names, for the ResourceType and ResourceName lookup keys.
CREATE TABLE event_resources (
  seq                  INTEGER NOT NULL REFERENCES event_history (seq) ON DELETE CASCADE,
  recipient_account_id TEXT    NOT NULL,
  region               TEXT    NOT NULL,
  event_time_ms        INTEGER NOT NULL,
  type                 TEXT    NOT NULL,  -- AWS::ACMPCA::CertificateAuthority
  name                 TEXT    NOT NULL,  -- its ARN
  PRIMARY KEY (seq, type, name)
) STRICT, WITHOUT ROWID;

CREATE INDEX event_resources_by_type
  ON event_resources (recipient_account_id, region, type, event_time_ms, seq);
CREATE INDEX event_resources_by_name
  ON event_resources (recipient_account_id, region, name, event_time_ms, seq);

CREATE TABLE event_pending (
  call_id              TEXT    NOT NULL PRIMARY KEY,
  created_at_ms        INTEGER NOT NULL,
  events_json          TEXT    NOT NULL,  -- the call's records without their outcome
  provisional_response TEXT               -- responseElements the committed change implies
) STRICT;
