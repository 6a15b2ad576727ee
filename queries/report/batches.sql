-- What was loaded, file by file, for the data-quality annex.
SELECT batch_id, file, format, rows_read, rows_loaded, rows_rejected, rows_duplicate
FROM ingest_batch ORDER BY batch_id;
