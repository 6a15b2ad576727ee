-- One row per KPM: its arm, its clusters and the value of one KPM-level
-- variable of kpm_wave ($1, a column name given as a value) at the baseline
-- and at the endline. The endline value is the latest submission's
-- (response_current); a KPM surveyed at neither wave does not appear.
WITH long AS (
    UNPIVOT kpm_wave ON COLUMNS(* EXCLUDE (kpm_id, wave))
    INTO NAME variable VALUE value
)
SELECT d.kpm_id,
       d.arm,
       d.district_code,
       d.regency_code,
       d.incubator_id,
       max(l.value) FILTER (WHERE l.wave = 'baseline') AS baseline,
       max(l.value) FILTER (WHERE l.wave = 'endline')  AS endline
FROM long l
JOIN kpm_dim d USING (kpm_id)
WHERE l.variable = $1 AND l.wave IN ('baseline', 'endline')
GROUP BY d.kpm_id, d.arm, d.district_code, d.regency_code, d.incubator_id
ORDER BY d.kpm_id
