-- 0017_event_record_compression: event records are compressed with lz4 rather than pglz.
--
-- A CloudTrail record (event_history.record_json) is 1.5-3 KB of JSON: above PostgreSQL's TOAST
-- threshold, so every insert compresses it. pglz was most of an event insert's time in the
-- database (bench/store/pg_profile.py); lz4 compresses such text several times faster and reads
-- back faster. Rows written before keep pglz; both read back the same. SQLite stores records
-- uncompressed and has nothing to change (its 0017 is empty).

ALTER TABLE event_history ALTER COLUMN record_json SET COMPRESSION lz4;
