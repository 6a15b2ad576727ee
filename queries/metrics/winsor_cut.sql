-- Winsorising cut-offs per variable and period, over both arms, for the
-- variables of `variable_def` that have percentiles (p_low, p_high, in
-- percent). Stata's percentile definition (`_pctile`, `summarize, detail`):
-- with the n values sorted, P = n p / 100 and i = floor(P), the percentile is
-- x(i+1) when P is not a whole number and (x(i) + x(i+1)) / 2 when it is.
-- After the baseline a panel variable's cut-offs are taken over the panel,
-- the KPM its figures are computed over.
CREATE OR REPLACE TEMP TABLE winsor_cut AS
WITH obs AS (
    SELECT l.variable, l.period, l.v, d.p_low, d.p_high
    FROM kpm_long l
    JOIN variable_def d USING (variable)
    WHERE d.p_low IS NOT NULL AND l.v IS NOT NULL
      AND (NOT d.panel OR l.period = 'baseline' OR l.v0 IS NOT NULL)
),
ranked AS (
    SELECT variable, period, v,
           row_number() OVER (PARTITION BY variable, period ORDER BY v) AS i,
           count(*) OVER (PARTITION BY variable, period) AS n,
           round(count(*) OVER (PARTITION BY variable, period) * p_low / 100, 9) AS pl,
           round(count(*) OVER (PARTITION BY variable, period) * p_high / 100, 9) AS ph
    FROM obs
)
SELECT variable, period,
    avg(v) FILTER (WHERE CASE WHEN pl = floor(pl) THEN i IN (greatest(pl, 1), least(pl + 1, n))
                              ELSE i = floor(pl) + 1 END) AS lo,
    avg(v) FILTER (WHERE CASE WHEN ph = floor(ph) THEN i IN (greatest(ph, 1), least(ph + 1, n))
                              ELSE i = floor(ph) + 1 END) AS hi
FROM ranked
GROUP BY variable, period;
