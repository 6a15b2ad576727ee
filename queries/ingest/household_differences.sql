-- Household fields a sheet or form gives differently from the register, for
-- the KPM it already had: the register wins (nothing is changed) and each
-- difference is kept for `prokus check`. Only fields a row gives count, and
-- only rows that were loaded. $1 is the batch id. Names and NIKs are not
-- compared: they are personal, and a difference would have to show them.

-- name: record_household_differences
INSERT INTO household_difference
SELECT $1, s.source_row, s.kpm_id, d.field, d.given, d.registered
FROM stage_kpm s
JOIN kpm k USING (kpm_id)
CROSS JOIN LATERAL (VALUES
    ('arm', s.arm, k.arm),
    ('incubator_id', s.incubator_id, k.incubator_id),
    ('cohort_year', CAST(s.cohort_year AS VARCHAR), CAST(k.cohort_year AS VARCHAR)),
    ('gender', s.gender, k.gender),
    ('province_code', s.province_code, k.province_code),
    ('regency_code', s.regency_code, k.regency_code),
    ('district_code', s.district_code, k.district_code),
    ('cluster', s.cluster, k.cluster),
    ('category', s.category, k.category)
) AS d(field, given, registered)
WHERE k.batch_id <> $1
  AND d.given IS NOT NULL
  AND d.given IS DISTINCT FROM d.registered
  AND EXISTS (SELECT 1 FROM response r WHERE r.batch_id = $1 AND r.source_row = s.source_row);
