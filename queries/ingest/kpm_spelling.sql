-- New KPM whose id is another's written otherwise (`kpm22-001` for
-- `KPM22-001`, as a mentor types it; `1` for `001`, as Excel keeps a
-- number: stage.sql's kpm_key): added, each would be the same household a
-- second time. Run by the register's and the template's merges
-- after their other refusals and before they add a KPM. $1 is the batch id.

-- An id the register holds written otherwise: refused, naming the
-- register's id.

-- name: reject_kpm_written_otherwise
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'the register has this KPM as ' || min(k.kpm_id) ||
       ': write the id as the register does (the row would add it a second time)'
FROM stage_kpm s
JOIN kpm k ON kpm_key(k.kpm_id) = kpm_key(s.kpm_id)
WHERE NOT EXISTS (SELECT 1 FROM kpm e WHERE e.kpm_id = s.kpm_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row)
GROUP BY s.source_row, s.kpm_id;

-- Two spellings of one new id in this file: the first row's is kept, the
-- rows of any other spelling refused, naming that row. Only ids written in
-- more than one way are joined back.

-- name: reject_kpm_spelled_otherwise_in_file
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'row ' || f.first_row || ' of this file writes this KPM as ' || f.kpm_id ||
       ': write the id the same way on every row (the row would add it a second time)'
FROM stage_kpm s
JOIN (
    SELECT kpm_key(kpm_id) AS spelling, arg_min(kpm_id, source_row) AS kpm_id,
           min(source_row) AS first_row
    FROM stage_kpm f
    WHERE NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = f.kpm_id)
      AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = f.source_row)
    GROUP BY kpm_key(kpm_id)
    HAVING min(kpm_id) <> max(kpm_id)
) f ON kpm_key(s.kpm_id) = f.spelling
WHERE s.kpm_id <> f.kpm_id
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);
