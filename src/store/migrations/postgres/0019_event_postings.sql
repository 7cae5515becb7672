-- 0019_event_postings: SQLite indexes the lookup keys whose values repeat in posting lists (see
-- sqlite/0019_event_postings.sql). PostgreSQL keeps one hashed event_lookup row per record and
-- key (0018): nothing changes here; the version exists so both dialects have the same ones.

SELECT 1;
