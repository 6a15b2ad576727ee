-- Every KPM with what the checks report it under: its unit (its incubator,
-- or for the comparison group its province), the unit's name, and its arm,
-- cohort and name.
SELECT k.kpm_id,
       k.arm,
       k.cohort_year,
       k.kpm_name,
       coalesce(k.incubator_id, 'comparison-' || k.province_code) AS unit_id,
       i.name AS incubator_name,
       p.name AS province_name
FROM kpm k
LEFT JOIN incubator i USING (incubator_id)
LEFT JOIN province p ON p.code = k.province_code
ORDER BY k.kpm_id
