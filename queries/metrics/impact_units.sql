-- Per KPM: its arm, its clusters and, for every KPM-level variable of
-- kpm_value.sql, its value at the baseline and at the endline (the latest
-- submission's). impact.rs writes the columns of the variables where marked
-- (`"b|x"` and `"e|x"` for a variable `x`, from kpm_value's column names)
-- and makes one unit per KPM and variable with a value at either wave. The
-- columns are cast to the types impact.rs reads them as (text, DOUBLE).
--
-- One wide row per KPM rather than one per KPM and variable: some fifteen
-- times fewer rows to hand to Rust, read several times faster.
SELECT kpm_id::VARCHAR                      AS kpm_id,
       any_value(arm)::VARCHAR             AS arm,
       any_value(district_code)::VARCHAR   AS district_code,
       any_value(regency_code)::VARCHAR    AS regency_code,
       any_value(incubator_id)::VARCHAR    AS incubator_id,
       /* VARIABLES */
FROM kpm_value
WHERE kind = 'wave' AND period IN ('baseline', 'endline')
GROUP BY kpm_id
ORDER BY kpm_id
