-- Implausible changes between a KPM's consecutive answered waves, per field:
-- for money (parameter 1 true) an answer multiplied or divided by at least
-- parameter 2 (both answers non-zero); for counts a change of at least
-- parameter 2. `/*fields*/` as in outliers.sql.
WITH long AS (
    UNPIVOT (SELECT kpm_id, wave, wave_ordinal, submission_id, /*fields*/ FROM qc_current)
    ON /*fields*/ INTO NAME field VALUE x
), paired AS (
    SELECT kpm_id, wave, submission_id, field, x::DOUBLE AS x,
           lag(x::DOUBLE) OVER w AS prev_x,
           lag(wave) OVER w AS prev_wave
    FROM long
    WINDOW w AS (PARTITION BY kpm_id, field ORDER BY wave_ordinal)
)
SELECT kpm_id, wave, submission_id, field, x, prev_wave, prev_x
FROM paired
WHERE prev_x IS NOT NULL
  AND CASE WHEN $1 THEN x > 0 AND prev_x > 0 AND greatest(x / prev_x, prev_x / x) >= $2
           ELSE abs(x - prev_x) >= $2 END
