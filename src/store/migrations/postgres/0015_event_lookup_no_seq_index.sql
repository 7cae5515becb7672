-- 0015_event_lookup_no_seq_index: PostgreSQL dialect of
-- migrations/sqlite/0015_event_lookup_no_seq_index.sql. event_lookup loses its second B-tree.
--
-- event_lookup_by_seq served the purge only (DELETE ... WHERE seq <= $1), yet it was a second
-- B-tree written for every lookup row of every indexing pass behind the commit. The purge now
-- deletes the purged records' lookup rows by their primary key, recomputed from the records
-- themselves (the rows IndexEvents made from them), before it deletes the records.

DROP INDEX event_lookup_by_seq;
