-- Robust outliers per unit (incubator, or province for the comparison group),
-- wave and field: the modified z-score of Iglewicz and Hoaglin (1993),
-- z = 0.6745 (y - median) / MAD, with y = ln(x) for money (parameter 1 true;
-- zero amounts are then left out) and y = x for counts. The median shown is
-- that of x (of the same answers).
-- Parameters: 1 log scale, 2 smallest group judged, 3 largest |z| accepted.
-- quality.rs writes `/*fields*/` from the check configuration's field names,
-- each checked against the columns of `response` and quoted; nothing from the
-- data is written into this text.
WITH long AS (
    UNPIVOT (SELECT kpm_id, wave, submission_id, unit_id, /*fields*/ FROM qc_current)
    ON /*fields*/ INTO NAME field VALUE x
), scaled AS (
    SELECT kpm_id, wave, submission_id, unit_id, field, x::DOUBLE AS x,
           CASE WHEN $1 THEN ln(x::DOUBLE) ELSE x::DOUBLE END AS y
    FROM long
    WHERE NOT $1 OR x > 0
), centre AS (
    SELECT unit_id, wave, field, median(y) AS med, median(x) AS med_x, count(*) AS n
    FROM scaled
    GROUP BY ALL
), spread AS (
    SELECT s.unit_id, s.wave, s.field, any_value(c.med) AS med, any_value(c.med_x) AS med_x,
           any_value(c.n) AS n,
           median(abs(s.y - c.med)) AS mad
    FROM scaled s JOIN centre c USING (unit_id, wave, field)
    GROUP BY ALL
)
SELECT s.kpm_id, s.wave, s.submission_id, s.field, s.x,
       p.med_x AS median,
       p.n,
       0.6745 * (s.y - p.med) / p.mad AS z
FROM scaled s JOIN spread p USING (unit_id, wave, field)
WHERE p.n >= $2 AND p.mad > 0 AND abs(0.6745 * (s.y - p.med) / p.mad) > $3
