-- Every KPM with what the checks report it under: its unit (its incubator,
-- or for the comparison group its province), the unit's name, and its arm,
-- cohort and name.
--
-- First each KPM gets a number (`qc_kpm`, a temporary table dropped when the
-- checks end), which the checks' read of the latest answers joins, so that
-- each answer comes with its KPM's number rather than an id to look up.
-- part: number
CREATE OR REPLACE TEMP TABLE qc_kpm AS
SELECT kpm_id, (row_number() OVER (ORDER BY kpm_id) - 1)::BIGINT AS kpm_index
FROM kpm;
-- part: read
SELECT k.kpm_id,
       k.arm,
       k.cohort_year,
       k.kpm_name,
       coalesce(k.incubator_id, 'comparison-' || k.province_code) AS unit_id,
       i.name AS incubator_name,
       p.name AS province_name,
       n.kpm_index
FROM kpm k
JOIN qc_kpm n USING (kpm_id)
LEFT JOIN incubator i USING (incubator_id)
LEFT JOIN province p ON p.code = k.province_code
ORDER BY n.kpm_index
