-- 0018_event_lookup_hashed_keys: PostgreSQL's event_lookup keys a record by a 64-bit hash of its
-- key (see postgres/0018_event_lookup_hashed_keys.sql). SQLite keeps its text keys: nothing
-- changes here; the version exists so both dialects have the same ones.

SELECT 1;
