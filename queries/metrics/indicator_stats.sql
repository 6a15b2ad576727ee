-- Power sums of every catalog variable in every period, for every group of
-- the levels of one pass. The metrics crate (compute.rs) turns them into
-- means, variances and covariances, then values and confidence intervals.
--
-- Two stages, because a million response rows times twenty variables times a
-- dozen levels is too much to aggregate level by level: the rows are first
-- summed into cells (one per combination of the pass's dimensions: the
-- district for the geographic pass, incubator x cohort x cluster x category x
-- gender for the other), and the levels are sums of cells. Sums of powers add
-- up; means and variances do not.
--
-- compute.rs writes the marked parts from fixed column names: the dimension
-- columns of its `Dimension` list and the variable columns of kpm_value.sql
-- (checked against the catalog). No value from the data is written into SQL.
--
-- Per variable `x` the sums are named `n|x` (count), `s|x` (sum), `ss|x` (sum
-- of squares), `n0|x`, `t|x`, `tt|x` (the same of the baseline value) and
-- `st|x` (sum of products); `ss` and `tt` are left out for 0/1 variables
-- (their squares are themselves), the baseline sums for variables not
-- compared with the baseline. After the baseline a panel variable counts only
-- the KPM with a baseline value; winsorising clamps to the cut-offs of
-- `winsor_cut (variable, period, lo, hi)`, joined (`/* CUT JOINS */`) only
-- when it is on (otherwise every KPM value would be joined twice to nothing).
--
-- The file has four parts: the common CTEs; the query of the sums, once per
-- pass, in two stages, or at once (`direct`) for a pass of one grouping set,
-- whose groups are its cells; the query of the medians (holistic, so computed from the rows, for
-- the variables the catalog takes a median of), once or twice per pass: the
-- grouping sets that only levels without `arm` use (reported for ProKUS KPM
-- only) read the ProKUS rows alone (`/* ARMS */`), a sixth less work. compute.rs
-- joins the queries with UNION ALL BY NAME into one statement, so that the
-- KPM-level rows are built once (MATERIALIZED) and read by every pass.
-- `/* PERIODS */` is the pass's periods: all, the waves alone (the levels
-- other than national when only that level gets quarters,
-- Options::quarters_national_only), or the quarters and years to date alone.
-- part: common
WITH cut AS (
    SELECT period, /* CUT COLUMNS */
    FROM winsor_cut
    GROUP BY period
),
proj AS MATERIALIZED (
    SELECT k.period, k.kind, k.arm, /* CELL COLUMNS */, /* PROJECTION */
    FROM kpm_value k
    /* CUT JOINS */
)
-- part: sums
SELECT period, arm, /* DIMENSION COLUMNS */, sum(COLUMNS('\|'))
FROM (
    SELECT period, arm, /* CELL COLUMNS */, /* AGGREGATES */
    FROM proj
    WHERE /* PERIODS */
    GROUP BY ALL
)
GROUP BY GROUPING SETS (/* GROUPING SETS */)
-- part: direct
SELECT period, arm, /* DIMENSION COLUMNS */, /* AGGREGATES */
FROM proj
WHERE /* PERIODS */
GROUP BY ALL
-- part: medians
SELECT period, arm, /* DIMENSION COLUMNS */, /* MEDIANS */
FROM proj
WHERE /* ARMS */ AND /* PERIODS */
GROUP BY GROUPING SETS (/* GROUPING SETS */)
