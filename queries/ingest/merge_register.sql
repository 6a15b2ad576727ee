-- Moves staged KPM register rows into `kpm` and incubator rows into
-- `incubator`. $1 is the batch id. A KPM or incubator already present is
-- replaced by the newer list's row (registers are re-issued whole).

-- name: reject_duplicate_kpm
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'duplicate',
       'the same KPM id is at row ' || s.first_row || ' of this file'
FROM (SELECT *, min(source_row) OVER (PARTITION BY kpm_id) AS first_row FROM stage_kpm) s
WHERE s.source_row > s.first_row;

-- name: reject_unknown_incubator
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'incubator_id', s.incubator_id, 'invalid',
       'this incubator is not in the incubator list: ingest incubators.csv first, or correct the id'
FROM stage_kpm s
WHERE s.incubator_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM incubator i WHERE i.incubator_id = s.incubator_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- A KPM already registered gets the newer list's row (update_kpm), then the
-- new ones are added (insert_kpm, which sees the updated as registered):
-- one `INSERT OR REPLACE` of every staged row was slower on both a first
-- load and a re-load (the commit message has the figures). The staged rows
-- not refused hold each KPM id once (reject_duplicate_kpm), so no KPM is
-- updated twice.

-- name: update_kpm
UPDATE kpm SET
    nik_hash = s.nik_hash, nik_masked = s.nik_masked, nik_status = s.nik_status,
    kpm_name = s.kpm_name, gender = s.gender, business_name = s.business_name,
    arm = s.arm, cohort_year = s.cohort_year, incubator_id = s.incubator_id,
    mentor = s.mentor, tksk = s.tksk, cluster = s.cluster,
    category = s.category, province_code = s.province_code, regency_code = s.regency_code,
    district_code = s.district_code, grant_amount = s.grant_amount, grant_date = s.grant_date,
    consent_story = s.consent_story,
    batch_id = $1
FROM stage_kpm s
WHERE kpm.kpm_id = s.kpm_id
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: insert_kpm
INSERT INTO kpm (kpm_id, nik_hash, nik_masked, nik_status, kpm_name, gender, business_name,
    arm, cohort_year, incubator_id, mentor, tksk, cluster, category, province_code, regency_code,
    district_code, grant_amount, grant_date, consent_story, batch_id)
SELECT kpm_id, nik_hash, nik_masked, nik_status, kpm_name, gender, business_name,
    arm, cohort_year, incubator_id, mentor, tksk, cluster, category, province_code, regency_code,
    district_code, grant_amount, grant_date, consent_story, $1
FROM stage_kpm s
WHERE NOT EXISTS (SELECT 1 FROM kpm k WHERE k.kpm_id = s.kpm_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- name: reject_duplicate_incubator
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'incubator_id', s.incubator_id, 'duplicate',
       'the same incubator id is at row ' || s.first_row || ' of this file'
FROM (SELECT *, min(source_row) OVER (PARTITION BY incubator_id) AS first_row FROM stage_incubator) s
WHERE s.source_row > s.first_row;

-- name: upsert_incubator
INSERT OR REPLACE INTO incubator (incubator_id, name, university, province_code, batch_id)
SELECT incubator_id, name, university, province_code, $1
FROM stage_incubator s
WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);
