-- KPM that a hand-filled template introduces (rows whose KPM is not in the
-- register yet and that carry its region). $1 is the batch id. Run before
-- merge_response.sql; a KPM already registered keeps its register data.
-- kpm_spelling.sql's refusals run before add_new_kpm.

-- name: reject_unknown_incubator_of_new_kpm
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'incubator_id', s.incubator_id, 'invalid',
       'this incubator is not in the incubator list: ingest incubators.csv first, or correct the id'
FROM stage_kpm s
WHERE s.incubator_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = s.kpm_id)
  AND NOT EXISTS (SELECT 1 FROM incubator i WHERE i.incubator_id = s.incubator_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: add_new_kpm
INSERT INTO kpm (kpm_id, nik_hash, nik_masked, nik_status, kpm_name, gender, business_name,
    arm, cohort_year, incubator_id, mentor, tksk, cluster, category, province_code, regency_code,
    district_code, grant_amount, grant_date, consent_story, batch_id)
SELECT kpm_id, nik_hash, nik_masked, nik_status, kpm_name, gender, business_name,
    arm, cohort_year, incubator_id, mentor, tksk, cluster, category, province_code, regency_code,
    district_code, grant_amount, grant_date, consent_story, $1
FROM stage_kpm s
-- Each KPM's first staged row that was not refused (one staged row per file
-- row), found by a grouped minimum: a window would sort every staged row.
SEMI JOIN (
    SELECT kpm_id, min(source_row) AS source_row
    FROM stage_kpm f
    WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = f.source_row)
    GROUP BY kpm_id
) first USING (kpm_id, source_row)
WHERE NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = s.kpm_id);
