-- Moves staged survey rows into `response`. $1 is the batch id.
-- Each statement leaves every staged row either untouched or rejected once;
-- the last inserts the rows no statement rejected.

-- name: reject_duplicates
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'submission_id', s.submission_id, 'duplicate',
       CASE WHEN r.submission_id IS NOT NULL
            THEN 'duplicate submission: already loaded from batch ' || r.batch_id || ', row ' || r.source_row
            ELSE 'duplicate submission: the same submission is at row ' || d.first_row || ' of this file'
       END
FROM stage_response s
-- Only the submission ids staged more than once, with their first row: a
-- small table to join, where a window partitioned every staged row.
LEFT JOIN (SELECT submission_id, min(source_row) AS first_row
           FROM stage_response
           GROUP BY submission_id
           HAVING count(*) > 1) d ON d.submission_id = s.submission_id
LEFT JOIN response r ON r.submission_id = s.submission_id
WHERE (r.submission_id IS NOT NULL OR s.source_row > d.first_row)
  -- A template row already refused (its new KPM's incubator is unknown)
  -- stays one reject: each row is counted once.
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: reject_unknown_kpm
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'this KPM id is not in the KPM register: ingest the register first, or correct the id'
FROM stage_response s
WHERE NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = s.kpm_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: insert_responses
INSERT INTO response BY NAME
SELECT s.*, $1 AS batch_id
FROM stage_response s
WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);
