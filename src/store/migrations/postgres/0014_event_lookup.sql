-- 0014_event_lookup: PostgreSQL dialect of migrations/sqlite/0014_event_lookup.sql. LookupEvents' keys
-- move out of event_history into one table filled behind the commit.
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
  recipient_account_id TEXT    COLLATE "C" NOT NULL,
  region               TEXT    COLLATE "C" NOT NULL,
  lookup_key           BIGINT  NOT NULL,
  value                TEXT    COLLATE "C" NOT NULL,  -- byte order: cheaper comparisons
  event_time_ms        BIGINT  NOT NULL,
  seq                  BIGINT  NOT NULL,
  PRIMARY KEY (recipient_account_id, region, lookup_key, value, event_time_ms, seq)
);
CREATE INDEX event_lookup_by_seq ON event_lookup (seq);

CREATE TABLE event_index_state (
  id                  BIGINT  NOT NULL PRIMARY KEY CHECK (id = 1),
  indexed_through_seq BIGINT  NOT NULL  -- every final record with seq <= this is in event_lookup
);
INSERT INTO event_index_state (id, indexed_through_seq) VALUES (1, 0);
