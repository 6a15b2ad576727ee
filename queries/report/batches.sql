-- What was loaded, file by file, for the data-quality annex, with how many
-- of a file's answers have no date of their own (`dated_at_load`).
SELECT b.batch_id, b.file, b.format, b.rows_read, b.rows_loaded, b.rows_rejected, b.rows_duplicate,
       coalesce(u.undated, 0) AS undated
FROM ingest_batch b
LEFT JOIN (SELECT batch_id, count(*) AS undated FROM response
           WHERE dated_at_load GROUP BY batch_id) u USING (batch_id)
ORDER BY b.batch_id;
