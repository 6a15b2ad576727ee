-- Moves staged rows of a feedback sheet into `feedback`. $1 is the batch id.
-- An incubator must be in the incubator list; a KPM a row names must be in
-- the register and belong to the writer (its incubator, regency or
-- province): nobody writes of another's households. A sheet replaces what
-- the same writer wrote earlier for the same quarter, so that a corrected
-- sheet is sent whole: the reports read the latest (`feedback_current`,
-- queries/schema.sql), and the earlier rows stay beneath it until their
-- sheet is withdrawn.

-- name: reject_unknown_feedback_incubator
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'incubator_id', s.site_code, 'invalid',
       'this incubator is not in the incubator list: ingest incubators.csv first, or correct the id'
FROM stage_feedback s
WHERE s.site_level = 'incubator'
  AND NOT EXISTS (SELECT 1 FROM incubator i WHERE i.incubator_id = s.site_code);

-- name: reject_unknown_feedback_kpm
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'this KPM is not in the register: ingest kpm_register.csv first, or correct the id'
FROM stage_feedback s
WHERE s.kpm_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = s.kpm_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: reject_feedback_kpm_elsewhere
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'this KPM is registered with ' ||
       CASE s.site_level
           WHEN 'incubator' THEN 'incubator ' || coalesce(k.incubator_id, '(none)')
           WHEN 'regency' THEN 'regency ' || k.regency_code
           ELSE 'province ' || k.province_code
       END ||
       ', not with the ' || s.site_level || ' ' || s.site_code ||
       ' that writes this row: a story is told by the KPM''s own incubator or office'
FROM stage_feedback s
JOIN kpm k ON k.kpm_id = s.kpm_id
WHERE CASE s.site_level
          WHEN 'incubator' THEN k.incubator_id IS DISTINCT FROM s.site_code
          WHEN 'regency' THEN k.regency_code <> s.site_code
          ELSE k.province_code <> s.site_code
      END
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: reject_duplicate_feedback
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'text', left(s.text, 60), 'duplicate',
       'the same feedback is at row ' || s.first_row || ' of this file'
FROM (SELECT *, min(source_row) OVER (
          PARTITION BY site_level, site_code, period, kind, actor, text, coalesce(kpm_id, '')
      ) AS first_row
      FROM stage_feedback) s
WHERE s.source_row > s.first_row
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: insert_feedback
INSERT INTO feedback
SELECT $1, source_row, period, site_level, site_code, author, kind, actor, text, kpm_id, consent_story
FROM stage_feedback s
WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);
