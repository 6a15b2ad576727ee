-- The hashes of every file loaded, in order: the report footers' data snapshot.
SELECT coalesce(string_agg(sha256, ',' ORDER BY batch_id), '') FROM ingest_batch
