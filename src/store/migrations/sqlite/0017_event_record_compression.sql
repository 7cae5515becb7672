-- 0017_event_record_compression: event records are compressed with lz4 rather than pglz on
-- PostgreSQL (see postgres/0017_event_record_compression.sql). SQLite stores records
-- uncompressed: nothing changes here; the version exists so both dialects have the same ones.

SELECT 1;
