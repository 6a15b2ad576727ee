-- Sufficient statistics of every indicator at every level and wave. The
-- aggregation rules (metrics crate, stats.rs) turn them into values and
-- confidence intervals. Needs the views of kpm_wave.sql and the temp table
-- `indicator_def (indicator_id, variable)` filled from the catalog.
--
-- After the baseline only the panel counts: KPM with a value in both the
-- baseline and the wave. `v0` is the same KPM's baseline value.
WITH kv AS (
    UNPIVOT kpm_wave ON COLUMNS(* EXCLUDE (kpm_id, wave)) INTO NAME variable VALUE v
),
base AS (
    SELECT kpm_id, variable, v AS v0 FROM kv WHERE wave = 'baseline'
),
obs AS (
    SELECT kv.kpm_id, kv.wave AS period, kv.variable, kv.v,
           CASE WHEN kv.wave = 'baseline' THEN NULL ELSE b.v0 END AS v0
    FROM kv LEFT JOIN base b ON b.kpm_id = kv.kpm_id AND b.variable = kv.variable
    WHERE kv.wave = 'baseline' OR b.v0 IS NOT NULL
),
x AS (
    SELECT d.indicator_id, o.period, o.v, o.v0, k.*
    FROM obs o
    JOIN indicator_def d ON d.variable = o.variable
    JOIN kpm_dim k ON k.kpm_id = o.kpm_id
),
by_level AS (
    SELECT indicator_id, period,
        CASE WHEN GROUPING(province_code) = 0 THEN 'province'
             WHEN GROUPING(regency_code) = 0 THEN 'regency'
             WHEN GROUPING(district_code) = 0 THEN 'district'
             WHEN GROUPING(incubator_id) = 0 THEN 'incubator'
             WHEN GROUPING(cluster) = 0 THEN 'cluster'
             WHEN GROUPING(category) = 0 THEN 'category'
             WHEN GROUPING(gender) = 0 THEN 'gender'
             ELSE 'national' END AS level,
        coalesce(province_code, regency_code, district_code, incubator_id, cluster, category, gender, 'ID') AS group_code,
        count(*) AS n, avg(v) AS mean, var_samp(v) AS var, sum(v) AS total,
        avg(v0) AS mean0, var_samp(v0) AS var0, sum(v0) AS total0,
        covar_samp(v, v0) AS cov, avg(v - v0) AS mean_diff, var_samp(v - v0) AS var_diff
    FROM x
    WHERE arm = 'prokus'
    GROUP BY GROUPING SETS (
        (indicator_id, period),
        (indicator_id, period, province_code),
        (indicator_id, period, regency_code),
        (indicator_id, period, district_code),
        (indicator_id, period, incubator_id),
        (indicator_id, period, cluster),
        (indicator_id, period, category),
        (indicator_id, period, gender)
    )
    UNION ALL
    SELECT indicator_id, period, 'arm', arm,
        count(*), avg(v), var_samp(v), sum(v), avg(v0), var_samp(v0), sum(v0),
        covar_samp(v, v0), avg(v - v0), var_samp(v - v0)
    FROM x
    GROUP BY indicator_id, period, arm
)
SELECT s.indicator_id, s.period, s.level, s.group_code,
       coalesce(g.name_id, s.group_code) AS group_name,
       s.n, s.mean, s.var, s.total, s.mean0, s.var0, s.total0, s.cov, s.mean_diff, s.var_diff
FROM by_level s
JOIN wave w ON w.wave = s.period
LEFT JOIN group_label g ON g.level = s.level AND g.group_code = s.group_code
ORDER BY s.indicator_id, w.ordinal,
    list_position(['national', 'province', 'regency', 'district', 'incubator', 'cluster', 'category', 'gender', 'arm'], s.level),
    s.group_code;
