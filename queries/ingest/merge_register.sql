-- Moves staged KPM register rows into `kpm` and incubator rows into
-- `incubator`. $1 is the batch id. A KPM or incubator already present is
-- replaced by the newer list's row, in the columns that list has.

-- A KPM twice in one list: its first row is loaded. A later row that says
-- something else of it (a correction added below, a row pasted twice and
-- edited) names the columns that differ, so that the user can tell which
-- row is right; the NIK by name only.

-- name: reject_duplicate_kpm
INSERT INTO ingest_reject
SELECT $1, source_row, 'kpm_id', kpm_id, 'duplicate',
       'the same KPM id is at row ' || first_row || ' of this file' ||
       CASE WHEN differs = '' THEN ''
            ELSE ', with other values in ' || differs || '; row ' || first_row ||
                 ' was loaded: if this row is the right one, delete that row (or correct it) and load the list again'
       END
FROM (
    SELECT s.source_row, s.kpm_id, f.source_row AS first_row, concat_ws(', ',
        CASE WHEN s.nik_hash IS DISTINCT FROM f.nik_hash THEN 'nik' END,
        CASE WHEN s.kpm_name IS DISTINCT FROM f.kpm_name THEN 'kpm_name' END,
        CASE WHEN s.gender IS DISTINCT FROM f.gender THEN 'gender' END,
        CASE WHEN s.business_name IS DISTINCT FROM f.business_name THEN 'business_name' END,
        CASE WHEN s.arm IS DISTINCT FROM f.arm THEN 'arm' END,
        CASE WHEN s.cohort_year IS DISTINCT FROM f.cohort_year THEN 'cohort_year' END,
        CASE WHEN s.incubator_id IS DISTINCT FROM f.incubator_id THEN 'incubator_id' END,
        CASE WHEN s.mentor IS DISTINCT FROM f.mentor THEN 'mentor' END,
        CASE WHEN s.tksk IS DISTINCT FROM f.tksk THEN 'tksk' END,
        CASE WHEN s.cluster IS DISTINCT FROM f.cluster THEN 'cluster' END,
        CASE WHEN s.category IS DISTINCT FROM f.category THEN 'category' END,
        CASE WHEN s.regency_code IS DISTINCT FROM f.regency_code THEN 'regency_code' END,
        CASE WHEN s.district_code IS DISTINCT FROM f.district_code THEN 'district_code' END,
        CASE WHEN s.grant_amount IS DISTINCT FROM f.grant_amount THEN 'grant_amount' END,
        CASE WHEN s.grant_date IS DISTINCT FROM f.grant_date THEN 'grant_date' END,
        CASE WHEN s.consent_story IS DISTINCT FROM f.consent_story THEN 'consent_story' END
    ) AS differs
    FROM stage_kpm s
    JOIN (SELECT kpm_id, min(source_row) AS source_row FROM stage_kpm GROUP BY kpm_id) m USING (kpm_id)
    JOIN stage_kpm f ON f.kpm_id = m.kpm_id AND f.source_row = m.source_row
    WHERE s.source_row > m.source_row
);

-- name: reject_unknown_incubator
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'incubator_id', s.incubator_id, 'invalid',
       'this incubator is not in the incubator list: ingest incubators.csv first, or correct the id'
FROM stage_kpm s
WHERE s.incubator_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM incubator i WHERE i.incubator_id = s.incubator_id)
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- A KPM the register holds with another incubator, or in the other arm of
-- the study: most often two incubators that number their KPM alike (1, 2,
-- 3 …), whose second list would take the first one's households. Refused,
-- unless the load is told these KPM move (`prokus ingest --move-kpm`, which
-- leaves this statement out). A list without an incubator column keeps
-- the incubators the register holds (update_kpm), so moves none.

-- name: reject_moved_kpm
INSERT INTO ingest_reject
SELECT $1, s.source_row, 'kpm_id', s.kpm_id, 'invalid',
       'already registered ' ||
       CASE WHEN k.arm IS DISTINCT FROM s.arm
            THEN 'in the ' || coalesce(k.arm, '(none)') || ' arm (batch ' || k.batch_id || '); this row puts it in the ' || s.arm || ' arm'
            ELSE 'with incubator ' || k.incubator_id || ' (batch ' || k.batch_id || '); this row moves it to ' || s.incubator_id
       END ||
       '. Numbered by each incubator? Give ids of their own (' ||
       coalesce(s.incubator_id || '-', 'P-') || s.kpm_id || '). Moved indeed? Load a list of them with --move-kpm'
FROM stage_kpm s
JOIN kpm k USING (kpm_id)
WHERE (k.arm IS DISTINCT FROM s.arm
       OR (k.incubator_id IS NOT NULL AND s.incubator_id IS NOT NULL
           AND k.incubator_id <> s.incubator_id))
  AND NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);

-- A KPM already registered gets the newer list's row (update_kpm), then the
-- new ones are added (insert_kpm, which sees the updated as registered):
-- one `INSERT OR REPLACE` of every staged row was slower on both a first
-- load and a re-load (the commit message has the figures). The staged rows
-- not refused hold each KPM id once (reject_duplicate_kpm), so no KPM is
-- updated twice.
--
-- A column the newer list does not have (`batch_field` holds the ones it
-- has, recorded before this file runs; a list without a record there has
-- them all) keeps what the register holds: a
-- list of mentors sent with kpm_id, arm, incubator_id and regency_code
-- alone must not erase every NIK, name and grant date. A column it has
-- replaces, an empty cell included. The kecamatan goes with its regency:
-- kept only while the regency stays the same.

-- name: update_kpm
UPDATE kpm SET
    nik_hash      = CASE WHEN c.nik IS NOT FALSE THEN s.nik_hash ELSE kpm.nik_hash END,
    nik_masked    = CASE WHEN c.nik IS NOT FALSE THEN s.nik_masked ELSE kpm.nik_masked END,
    nik_status    = CASE WHEN c.nik IS NOT FALSE THEN s.nik_status ELSE kpm.nik_status END,
    kpm_name      = CASE WHEN c.kpm_name IS NOT FALSE THEN s.kpm_name ELSE kpm.kpm_name END,
    gender        = CASE WHEN c.gender IS NOT FALSE THEN s.gender ELSE kpm.gender END,
    business_name = CASE WHEN c.business_name IS NOT FALSE THEN s.business_name ELSE kpm.business_name END,
    arm = s.arm,
    cohort_year   = CASE WHEN c.cohort_year IS NOT FALSE THEN s.cohort_year ELSE kpm.cohort_year END,
    incubator_id  = CASE WHEN c.incubator_id IS NOT FALSE THEN s.incubator_id ELSE kpm.incubator_id END,
    mentor        = CASE WHEN c.mentor IS NOT FALSE THEN s.mentor ELSE kpm.mentor END,
    tksk          = CASE WHEN c.tksk IS NOT FALSE THEN s.tksk ELSE kpm.tksk END,
    cluster       = CASE WHEN c.cluster IS NOT FALSE THEN s.cluster ELSE kpm.cluster END,
    category      = CASE WHEN c.category IS NOT FALSE THEN s.category ELSE kpm.category END,
    province_code = s.province_code, regency_code = s.regency_code,
    district_code = CASE WHEN c.district_code IS NOT FALSE OR s.regency_code IS DISTINCT FROM kpm.regency_code
                         THEN s.district_code ELSE kpm.district_code END,
    grant_amount  = CASE WHEN c.grant_amount IS NOT FALSE THEN s.grant_amount ELSE kpm.grant_amount END,
    grant_date    = CASE WHEN c.grant_date IS NOT FALSE THEN s.grant_date ELSE kpm.grant_date END,
    consent_story = CASE WHEN c.consent_story IS NOT FALSE THEN s.consent_story ELSE kpm.consent_story END,
    batch_id = $1
FROM stage_kpm s, (
    SELECT bool_or(field = 'nik') AS nik,
           bool_or(field = 'kpm_name') AS kpm_name,
           bool_or(field = 'gender') AS gender,
           bool_or(field = 'business_name') AS business_name,
           bool_or(field = 'cohort_year') AS cohort_year,
           bool_or(field = 'incubator_id') AS incubator_id,
           bool_or(field = 'mentor') AS mentor,
           bool_or(field = 'tksk') AS tksk,
           bool_or(field = 'cluster') AS cluster,
           bool_or(field = 'category') AS category,
           bool_or(field = 'district_code') AS district_code,
           bool_or(field = 'grant_amount') AS grant_amount,
           bool_or(field = 'grant_date') AS grant_date,
           bool_or(field = 'consent_story') AS consent_story
    FROM batch_field WHERE batch_id = $1
) c
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

-- An incubator listed again keeps its university and province when the
-- list has no column for them, as a KPM does (see update_kpm).

-- name: upsert_incubator
INSERT OR REPLACE INTO incubator (incubator_id, name, university, province_code, batch_id)
SELECT s.incubator_id, s.name,
       CASE WHEN c.university IS NOT FALSE THEN s.university ELSE i.university END,
       CASE WHEN c.province_code IS NOT FALSE THEN s.province_code ELSE i.province_code END,
       $1
FROM stage_incubator s
LEFT JOIN incubator i USING (incubator_id),
(
    SELECT bool_or(field = 'university') AS university,
           bool_or(field = 'province_code') AS province_code
    FROM batch_field WHERE batch_id = $1
) c
WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row);
