-- One row per variable of kpm_wave and KPM: its arm, its clusters and the
-- KPM's value at the baseline and at the endline (the latest submission's,
-- response_current). A KPM surveyed at neither wave does not appear.
WITH long AS (
    UNPIVOT kpm_wave ON COLUMNS(* EXCLUDE (kpm_id, wave))
    INTO NAME variable VALUE value
)
SELECT l.variable,
       d.kpm_id,
       d.arm,
       d.district_code,
       d.regency_code,
       d.incubator_id,
       max(l.value) FILTER (WHERE l.wave = 'baseline') AS baseline,
       max(l.value) FILTER (WHERE l.wave = 'endline')  AS endline
FROM long l
JOIN kpm_dim d USING (kpm_id)
WHERE l.wave IN ('baseline', 'endline')
GROUP BY l.variable, d.kpm_id, d.arm, d.district_code, d.regency_code, d.incubator_id
ORDER BY l.variable, d.kpm_id
