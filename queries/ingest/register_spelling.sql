-- A refused row's KPM id that is a registered one's written otherwise
-- (`kpm22-001` for `KPM22-001`, as a mentor types it; `1` or `1.0` for `001`:
-- stage.sql's kpm_key): its reason names the register's id. $1 is the batch id. Run after the merge that refused the
-- row as unknown (merge_response.sql, merge_feedback.sql); only this
-- file's refused ids are looked up.

-- name: name_the_registers_id
UPDATE ingest_reject
SET reason = 'this KPM id is not in the KPM register, which has ' || m.registered ||
             ': write the id as the register does'
FROM (SELECT j.source_row, min(k.kpm_id) AS registered
      FROM ingest_reject j
      JOIN kpm k ON kpm_key(k.kpm_id) = kpm_key(j.value)
      WHERE j.batch_id = $1 AND j.column_name = 'kpm_id'
        AND j.reason LIKE 'this KPM%not in the%register:%'
      GROUP BY j.source_row) m
WHERE ingest_reject.batch_id = $1 AND ingest_reject.source_row = m.source_row
  AND ingest_reject.column_name = 'kpm_id';
