-- 0014_event_lookup: LookupEvents' keys move out of event_history into one table filled behind
-- the commit.
--
-- A final record now commits as one row of event_history (its primary key only): no lookup
-- index is touched on the commit path. TrailStore::IndexEvents later inserts each record's
-- lookup keys into event_lookup in large batches, oldest first, and moves
-- event_index_state.indexed_through_seq past them; LookupEvents reads the index for records up
-- to that seq and the unindexed tail after it directly, so every final record is found either
-- way. Rows that existed before this migration are indexed by the first passes of the indexer.
--
-- event_lookup has one row per record and key: lookup_key is store::EventLookupKey (0 none: the
-- time-range lookup; 1 EventId, 2 EventName, 3 ReadOnly 'true'/'false', 4 Username,
-- 5 ResourceType, 6 ResourceName, 7 EventSource, 8 AccessKeyId), value the key's value ('' for
-- 0). Every lookup is one range of its primary key read newest first; the purge deletes by seq
-- (event_lookup_by_seq, appended to in seq order).

DROP INDEX event_history_by_time;
DROP INDEX event_history_by_event_id;
DROP INDEX event_history_by_name;
DROP INDEX event_history_by_read_only;
DROP INDEX event_history_by_username;
DROP INDEX event_history_by_source;
DROP INDEX event_history_by_access_key;
DROP TABLE event_resources;  -- the resources are in event_history.resources_json

CREATE TABLE event_lookup (
  recipient_account_id TEXT    NOT NULL,
  region               TEXT    NOT NULL,
  lookup_key           INTEGER NOT NULL,
  value                TEXT    NOT NULL,
  event_time_ms        INTEGER NOT NULL,
  seq                  INTEGER NOT NULL,
  PRIMARY KEY (recipient_account_id, region, lookup_key, value, event_time_ms, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_lookup_by_seq ON event_lookup (seq);

CREATE TABLE event_index_state (
  id                  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  indexed_through_seq INTEGER NOT NULL  -- every final record with seq <= this is in event_lookup
) STRICT;
INSERT INTO event_index_state (id, indexed_through_seq) VALUES (1, 0);
