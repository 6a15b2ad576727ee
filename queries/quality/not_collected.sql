-- The survey files whose current answers the checks read, with the fields
-- each carries a column for (comma-separated): a required field a file does
-- not carry is "not collected" there, said once per file. Files loaded by an
-- earlier prokus, without their fields recorded, are left out.
SELECT q.batch_id, b.file, count(*) AS answers,
       (SELECT string_agg(f.field, ',') FROM batch_field f WHERE f.batch_id = q.batch_id) AS fields
FROM qc_current q
JOIN ingest_batch b USING (batch_id)
WHERE q.batch_id IN (SELECT batch_id FROM batch_field)
GROUP BY q.batch_id, b.file
ORDER BY q.batch_id
