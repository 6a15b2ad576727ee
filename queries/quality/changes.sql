-- Implausible changes between a KPM's consecutive answered waves, per field:
-- a money answer multiplied or divided by at least parameter 1 (both answers
-- non-zero), a count changing by at least parameter 2.
--
-- One window over each KPM's waves gives, for every field at once, the
-- previous answered value (`lag ... IGNORE NULLS`) and its wave. quality.rs
-- writes the `lag` part once per field into `/*lags*/` and one `money` or
-- `count` part per field into `/*branches*/` (joined with UNION ALL), with
-- the field's column (`/*field*/`, checked against the columns of `response`
-- and quoted) and its number (`/*index*/`); nothing from the data is written
-- into this text.
-- part: lag
/*field*/::DOUBLE AS "x/*index*/",
lag(/*field*/::DOUBLE IGNORE NULLS) OVER w AS "p/*index*/",
lag(CASE WHEN /*field*/ IS NOT NULL THEN wave END IGNORE NULLS) OVER w AS "w/*index*/"
-- part: query
WITH paired AS MATERIALIZED (
    SELECT kpm_id, wave, submission_id, /*lags*/
    FROM qc_current
    WINDOW w AS (PARTITION BY kpm_id ORDER BY wave_ordinal)
)
/*branches*/
-- part: money
SELECT kpm_id, wave, submission_id, /*index*/ AS field,
       "x/*index*/" AS x, "w/*index*/" AS prev_wave, "p/*index*/" AS prev_x
FROM paired
WHERE "x/*index*/" > 0 AND "p/*index*/" > 0
  AND greatest("x/*index*/" / "p/*index*/", "p/*index*/" / "x/*index*/") >= $1
-- part: count
SELECT kpm_id, wave, submission_id, /*index*/ AS field,
       "x/*index*/" AS x, "w/*index*/" AS prev_wave, "p/*index*/" AS prev_x
FROM paired
WHERE abs("x/*index*/" - "p/*index*/") >= $2
