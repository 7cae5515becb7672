-- 0015_event_lookup_no_seq_index: PostgreSQL dialect of
-- migrations/sqlite/0015_event_lookup_no_seq_index.sql, where event_lookup loses its seq index.
--
-- PostgreSQL keeps event_lookup_by_seq: the purge deletes a batch's lookup rows by seq with it.
-- Deleting them by primary key instead (the rows recomputed from the purged records, as SQLite
-- does) was planned as a hash join over a sequential scan of the whole table: the planner counts
-- 100 rows per jsonb_array_elements call, so a batch of 2,500 records looked like 250,000 rows
-- (860 ms at 200,000 records, against a range of the index). Only the comment changes here.

COMMENT ON INDEX event_lookup_by_seq IS
  'the purge''s range (DELETE FROM event_lookup WHERE seq <= $1); see migration 0015';
