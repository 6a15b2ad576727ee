-- Robust outliers per unit (incubator, or province for the comparison group),
-- wave and field: the modified z-score of Iglewicz and Hoaglin (1993),
-- z = 0.6745 (y - median) / MAD, with y = ln(x) for money (parameter 1 true;
-- zero amounts are then left out) and y = x for counts. The median shown is
-- that of x (of the same answers).
-- Parameters: 1 log scale, 2 smallest group judged, 3 largest |z| accepted.
--
-- The part below is written once per field and the copies joined with
-- UNION ALL by quality.rs, which puts in the field's column (`/*field*/`,
-- checked against the columns of `response` and quoted), its number in
-- the check configuration (`/*index*/`) and the median of x (`/*median of
-- x*/`: `median(x)` on the log scale, `median(y)` otherwise, where y is x and
-- DuckDB then sorts each group once for both); nothing from the data is
-- written into this text. (One copy per field reads only the narrow columns it
-- needs, where one UNPIVOT of every field carries the row's identifiers
-- along; it measured faster.)
-- part: field
SELECT * FROM (
    WITH scaled AS (
        SELECT kpm_id, wave, submission_id, unit_id,
               /*field*/::DOUBLE AS x,
               CASE WHEN $1 THEN ln(/*field*/::DOUBLE) ELSE /*field*/::DOUBLE END AS y
        FROM qc_current
        WHERE /*field*/ IS NOT NULL AND (NOT $1 OR /*field*/ > 0)
    ), spread AS (
        -- DuckDB's `mad` is the median of |y - median(y)|, found in the
        -- same pass as the medians: no second grouping of the answers
        -- joined to their group's median.
        SELECT unit_id, wave, median(y) AS med, /*median of x*/ AS med_x, count(*) AS n,
               mad(y) AS mad
        FROM scaled
        GROUP BY ALL
    )
    SELECT s.kpm_id, s.wave, s.submission_id, /*index*/ AS field, s.x,
           p.med_x AS median, p.n, 0.6745 * (s.y - p.med) / p.mad AS z
    FROM scaled s JOIN spread p USING (unit_id, wave)
    WHERE p.n >= $2 AND p.mad > 0 AND abs(0.6745 * (s.y - p.med) / p.mad) > $3
)
