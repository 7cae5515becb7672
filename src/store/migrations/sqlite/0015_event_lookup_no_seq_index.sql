-- 0015_event_lookup_no_seq_index: event_lookup loses its second B-tree.
--
-- event_lookup_by_seq served the purge only (DELETE ... WHERE seq <= ?), yet as an index of a
-- WITHOUT ROWID table it held every lookup row a second time (seq plus the whole primary key):
-- half the pages, and half the page writes, of every indexing pass behind the commit. The purge
-- now deletes the purged records' lookup rows by their primary key, recomputed from the records
-- themselves (the rows IndexEvents made from them), before it deletes the records.

DROP INDEX event_lookup_by_seq;
