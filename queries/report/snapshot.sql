-- The report footers' data snapshot: the hashes of every file loaded, in
-- order, then those of the current settings files, which were loaded as
-- batches too but may have been made current again after a later one.
SELECT coalesce((SELECT string_agg(sha256, ',' ORDER BY batch_id) FROM ingest_batch), '')
    || coalesce((SELECT ';' || string_agg(s.kind || '=' || b.sha256, ',' ORDER BY s.kind)
                 FROM (SELECT kind, arg_max(batch_id, setting_id) AS batch_id
                       FROM setting GROUP BY kind) s
                 JOIN ingest_batch b USING (batch_id)), '')
