-- KPM-level values per wave: one row per KPM per wave (the latest submission),
-- one column per variable the indicator catalog can aggregate. Yes/no answers
-- become 0/1 so that their mean is a share.
CREATE OR REPLACE TEMP VIEW kpm_wave AS
SELECT
    r.kpm_id,
    r.wave,
    r.business_income::DOUBLE                        AS business_income,
    r.business_revenue::DOUBLE                       AS business_revenue,
    r.household_income::DOUBLE                       AS household_income,
    CASE WHEN r.saves IS NULL THEN r.saves_monthly::INTEGER::DOUBLE
         WHEN NOT r.saves THEN 0.0
         WHEN r.save_frequency IN ('daily', 'weekly', 'monthly') THEN 1.0
         ELSE 0.0 END                                AS saves_monthly,
    r.keeps_books::INTEGER::DOUBLE                   AS keeps_books,
    r.has_business_plan::INTEGER::DOUBLE             AS has_business_plan,
    -- A closed business has no workers: count it as 0, not unknown.
    CASE WHEN r.business_operating = false THEN 0.0
         ELSE (r.paid_workers + r.family_workers)::DOUBLE END AS workers,
    r.business_operating::INTEGER::DOUBLE            AS business_operating,
    r.has_nib::INTEGER::DOUBLE                       AS has_nib,
    r.got_credit::INTEGER::DOUBLE                    AS got_credit,
    r.sells_online::INTEGER::DOUBLE                  AS sells_online
FROM response_current r;

-- The dimensions a KPM is counted under. Unknown values get a code of their
-- own so that no KPM drops out of a level.
CREATE OR REPLACE TEMP VIEW kpm_dim AS
SELECT
    kpm_id,
    arm,
    province_code,
    regency_code,
    coalesce(district_code, 'unknown') AS district_code,
    coalesce(incubator_id, 'none')   AS incubator_id,
    coalesce(cluster, 'unknown')     AS cluster,
    coalesce(category, 'unknown')    AS category,
    coalesce(gender, 'unknown')      AS gender
FROM kpm;

-- Names of the groups of every level.
CREATE OR REPLACE TEMP VIEW group_label AS
SELECT 'national' AS level, 'ID' AS group_code, 'Indonesia' AS name_id, 'Indonesia' AS name_en
UNION ALL SELECT 'province', code, name, name FROM province
UNION ALL SELECT 'regency', code, name, name FROM regency
UNION ALL SELECT 'district', code, name, name FROM district
UNION ALL SELECT 'incubator', incubator_id, name, name FROM incubator
UNION ALL SELECT * FROM (VALUES
    ('cluster', 'kuliner', 'Kuliner', 'Culinary'),
    ('cluster', 'ritel', 'Ritel', 'Retail'),
    ('cluster', 'fesyen', 'Kriya tekstil/fesyen', 'Textile craft/fashion'),
    ('cluster', 'agribisnis', 'Agribisnis', 'Agribusiness'),
    ('category', 'start_up', 'Start Up', 'Start Up'),
    ('category', 'scale_up', 'Scale Up', 'Scale Up'),
    ('category', 'inkubasi', 'Inkubasi', 'Incubation'),
    ('gender', 'female', 'Perempuan', 'Women'),
    ('gender', 'male', 'Laki-laki', 'Men'),
    ('arm', 'prokus', 'KPM ProKUS', 'ProKUS KPM'),
    ('arm', 'comparison', 'Kelompok pembanding', 'Comparison group')
) AS t(level, group_code, name_id, name_en);
