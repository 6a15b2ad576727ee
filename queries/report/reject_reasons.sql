-- The most common reasons rows were not loaded. Reasons that quote a row or
-- batch number are grouped by their text before the colon.
SELECT kind, split_part(reason, ':', 1) AS reason, count(DISTINCT (batch_id, source_row)) AS rows
FROM ingest_reject
GROUP BY ALL
ORDER BY rows DESC, reason
LIMIT 8;
