-- 0019_event_postings: the lookup keys whose values repeat (none, i.e. every record; EventName,
-- ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId; store::EventLookupKey
-- 0 and 2..8) are indexed in posting lists instead of one event_lookup row per record and key
-- (store/event_postings.h): one row per (account, region, key, value) and run of up to 128
-- records, holding each record's seq and event time. event_lookup keeps key 1 (EventId), whose
-- values are unique.
--
-- Upgrade: the rows of every key but EventId are dropped and the indexer starts over from the
-- first record (it re-reads EventId with INSERT OR IGNORE and builds the lists); until it has
-- caught up, LookupEvents reads the records not indexed yet from the tail, as it always does.

CREATE TABLE event_postings (
  recipient_account_id TEXT    NOT NULL,
  region               TEXT    NOT NULL,
  lookup_key           INTEGER NOT NULL,  -- store::EventLookupKey, 0 and 2..8
  value                TEXT    NOT NULL,
  first_seq            INTEGER NOT NULL,  -- the list's first record
  last_seq             INTEGER NOT NULL,  -- and its last (the lists of one value never overlap)
  last_time_ms         INTEGER NOT NULL,  -- the last record's event time (appends encode from it)
  min_time_ms          INTEGER NOT NULL,
  max_time_ms          INTEGER NOT NULL,
  entries              INTEGER NOT NULL,  -- at most 128
  postings             BLOB    NOT NULL,  -- (seq, event time) per record, varint deltas
  PRIMARY KEY (recipient_account_id, region, lookup_key, value, first_seq)
) STRICT, WITHOUT ROWID;

-- LookupEvents reads a value's lists newest first by their newest record.
CREATE INDEX event_postings_by_time
  ON event_postings (recipient_account_id, region, lookup_key, value, max_time_ms);
-- The purge drops the lists whose records are all gone.
CREATE INDEX event_postings_by_last_seq ON event_postings (last_seq);

DELETE FROM event_lookup WHERE lookup_key <> 1;
UPDATE event_index_state SET indexed_through_seq = 0;
