-- 0018_event_lookup_hashed_keys: PostgreSQL's event_lookup keys a record by one 64-bit number
-- instead of four text columns.
--
-- Until now each row repeated (recipient_account_id, region, lookup_key, value) in its primary
-- key: about 100 bytes of text compared and written, with its WAL, for each of the 9-11 rows a
-- record adds (bench/store/pg_profile.py: about half of the writer backend's time per
-- certificate). A row is now (key_hash, event_time_ms, seq), 24 bytes, where key_hash is
-- event_lookup_hash() of the four: the first 64 bits of an MD5 digest, a function PostgreSQL
-- defines the same on every platform and version, so the rows stay valid across upgrades and
-- replicas. Two different keys may share a number; LookupEvents therefore checks every record
-- the index returns against its query (store::EventMatchesQuery) and reads on when one does not
-- match, so a shared number costs a read, never a wrong or missing answer. Two keys of one record
-- sharing a number keep one row, which answers both.
--
-- The rows indexed so far are converted here; the seq index stays for the purge's range
-- (migration 0015). SQLite keeps its text keys (its 0018 is empty).

CREATE FUNCTION event_lookup_hash(recipient_account_id TEXT, region TEXT, lookup_key BIGINT,
                                  value TEXT)
  RETURNS BIGINT
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT ('x' || left(md5(recipient_account_id || chr(31) || region || chr(31) ||
                            lookup_key::text || chr(31) || value), 16))::bit(64)::bigint
  $$;

CREATE TABLE event_lookup_hashed (
  key_hash      BIGINT  NOT NULL,  -- event_lookup_hash(recipient, region, lookup_key, value)
  event_time_ms BIGINT  NOT NULL,
  seq           BIGINT  NOT NULL,
  PRIMARY KEY (key_hash, event_time_ms, seq)
);

INSERT INTO event_lookup_hashed (key_hash, event_time_ms, seq)
  SELECT event_lookup_hash(recipient_account_id, region, lookup_key, value), event_time_ms, seq
  FROM event_lookup
  ON CONFLICT DO NOTHING;

DROP TABLE event_lookup;
ALTER TABLE event_lookup_hashed RENAME TO event_lookup;
ALTER INDEX event_lookup_hashed_pkey RENAME TO event_lookup_pkey;
CREATE INDEX event_lookup_by_seq ON event_lookup (seq);
COMMENT ON INDEX event_lookup_by_seq IS
  'the purge''s range (DELETE FROM event_lookup WHERE seq <= $1); see migration 0015';
