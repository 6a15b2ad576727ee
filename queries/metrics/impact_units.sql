-- Per KPM: its arm, its clusters and, for every KPM-level variable of
-- kpm_value.sql, its value at the baseline and at the endline (the latest
-- submission's). impact.rs writes the columns of the variables where marked
-- (`b."x"` and `e."x"` as `"b|x"` and `"e|x"` for a variable `x`, from
-- kpm_value's column names) and makes one unit per KPM and variable with a
-- value at either wave. The columns are cast to the types impact.rs reads
-- them as (text, DOUBLE).
--
-- One wide row per KPM rather than one per KPM and variable: some fifteen
-- times fewer rows to hand to Rust, read several times faster. The row is
-- the KPM's baseline row beside its endline row: kpm_value has at most one
-- row per KPM and wave (response_current keeps one answer of each), so the
-- join pairs them without grouping. (Grouping by KPM, with a filtered
-- maximum per variable and wave, took 1.48 to 1.51 s on the template's
-- 200,000 households against 0.73 to 0.79 s for the join, the same rows.)
SELECT coalesce(b.kpm_id, e.kpm_id)::VARCHAR             AS kpm_id,
       coalesce(b.arm, e.arm)::VARCHAR                   AS arm,
       coalesce(b.district_code, e.district_code)::VARCHAR AS district_code,
       coalesce(b.regency_code, e.regency_code)::VARCHAR AS regency_code,
       coalesce(b.incubator_id, e.incubator_id)::VARCHAR AS incubator_id,
       /* VARIABLES */
FROM (SELECT * FROM kpm_value WHERE kind = 'wave' AND period = 'baseline') b
FULL JOIN (SELECT * FROM kpm_value WHERE kind = 'wave' AND period = 'endline') e
    USING (kpm_id)
ORDER BY 1
