-- One row per KPM-level variable (kpm_value.sql) and KPM: its arm, its
-- clusters and the KPM's value at the baseline and at the endline (the latest
-- submission's). A KPM with a value at neither wave does not appear.
SELECT variable,
       kpm_id,
       arm,
       district_code,
       regency_code,
       incubator_id,
       max(v) FILTER (WHERE period = 'baseline') AS baseline,
       max(v) FILTER (WHERE period = 'endline')  AS endline
FROM kpm_long
WHERE kind = 'wave' AND period IN ('baseline', 'endline') AND v IS NOT NULL
GROUP BY variable, kpm_id, arm, district_code, regency_code, incubator_id
ORDER BY variable, kpm_id
