-- KPM-level values: the variables the indicator catalog aggregates, one row
-- per KPM and period, with the same KPM's baseline value beside each variable
-- (`<variable>_0`). Run before indicator_stats.sql and impact_units.sql.
--
-- Periods:
--   wave     a survey round. Every registered KPM has a row in every round
--            that has data, answered or not (`responded`), so that survey
--            completion is over the register.
--   quarter  a Triwulan (`2021-Q3`): each KPM's latest post-baseline answer
--            made in that quarter.
--   ytd      the year to date (`2021-YTD`): each KPM's latest post-baseline
--            answer made in that year.
--
-- An answer's day, quarter and year are those of the local time it was
-- made (`local_at`, the macro `answered_local`): its interview's or its
-- submission's UTC time plus the programme's offset (`programme_clock`,
-- which compute.rs makes from the survey calendar), or the time a
-- hand-filled sheet wrote (`local_clock`). An interview at 07:00 WIB on 1
-- October is in the fourth quarter, though its UTC time is on 30
-- September; one made offline on 28 September and sent on 3 October is in
-- the third.

-- Values of the latest submission of each KPM in each wave, read once (the
-- periods below are defined from this table too: a copy of
-- `response_current` beside it only cost time). Yes/no
-- answers become 0/1 so that their mean is a share.
--
-- Some values are known without their question for part of the KPM: a
-- closed business has no workers and made no change, someone who does not
-- save saved nothing, someone without credit has none from KUR. Where the
-- file did not ask the question that decides the rest (a partner's sheet
-- without it; `asked` below), the value is unknown for every KPM: the share
-- or mean of that part alone (0% KUR, Rp 0 saved) would be printed as the
-- programme's.
CREATE OR REPLACE TEMP TABLE response_value AS
SELECT
    r.kpm_id,
    r.wave,
    r.submitted_at,
    answered_local(r.submitted_at, r.local_clock, r.interviewed_at, c.utc_offset_hours) AS local_at,
    -- Dated when loaded, not when answered: in its round, in no quarter.
    r.dated_at_load IS TRUE                          AS dated_at_load,
    r.business_income::DOUBLE                        AS business_income,
    r.business_revenue::DOUBLE                       AS business_revenue,
    r.household_income::DOUBLE                       AS household_income,
    -- A sheet without the yes/no question says it with its own column, or
    -- with how often the KPM saves alone (a frequency is of someone who
    -- saves), which the branches after the first read.
    CASE WHEN r.saves IS NULL AND r.saves_monthly IS NOT NULL THEN r.saves_monthly::INTEGER::DOUBLE
         WHEN asked.save_frequency = false THEN NULL
         WHEN NOT r.saves THEN 0.0
         WHEN r.save_frequency IN ('daily', 'weekly', 'monthly') THEN 1.0
         -- Saves, how often not said: unknown, not "less than monthly".
         WHEN r.save_frequency IS NULL THEN NULL
         ELSE 0.0 END                                AS saves_monthly,
    -- Someone who does not save saved nothing.
    CASE WHEN asked.savings_amount = false THEN NULL
         WHEN r.saves = false THEN 0.0
         ELSE r.savings_amount END                   AS savings_amount,
    r.keeps_books::INTEGER::DOUBLE                   AS keeps_books,
    r.separates_money::INTEGER::DOUBLE               AS separates_money,
    r.has_business_plan::INTEGER::DOUBLE             AS has_business_plan,
    -- A closed business has no workers: count it as 0, not unknown.
    CASE WHEN asked.workers = false THEN NULL
         WHEN r.business_operating = false THEN 0.0
         ELSE (r.paid_workers + r.family_workers)::DOUBLE END AS workers,
    r.business_operating::INTEGER::DOUBLE            AS business_operating,
    r.has_nib::INTEGER::DOUBLE                       AS has_nib,
    r.got_credit::INTEGER::DOUBLE                    AS got_credit,
    -- KUR (Kredit Usaha Rakyat), the programme's credit link: 1 for credit
    -- from KUR, 0 for no credit or credit from elsewhere, unknown when the
    -- source of a credit was not given.
    CASE WHEN asked.credit_source = false THEN NULL
         WHEN r.got_credit = false THEN 0.0
         WHEN r.got_credit AND r.credit_source = 'kur' THEN 1.0
         WHEN r.got_credit AND r.credit_source IS NOT NULL THEN 0.0
    END                                              AS got_kur,
    r.sells_online::INTEGER::DOUBLE                  AS sells_online,
    -- Any change to the product, its packaging, brand or quality; none
    -- ticked is no change.
    CASE WHEN asked.product_changes = false THEN NULL
         WHEN r.business_operating IS NULL THEN NULL
         WHEN NOT r.business_operating THEN 0.0
         ELSE (list_has_any(string_split(coalesce(r.product_changes, ''), ' '),
                            ['kemasan', 'merek', 'produk_baru', 'kualitas', 'packaging', 'brand', 'new_product', 'quality']))::DOUBLE
    END                                              AS innovated,
    -- Mean of the five Likert items (1..5) when at least three are answered.
    CASE WHEN (r.attitude_1 IS NOT NULL)::INTEGER + (r.attitude_2 IS NOT NULL)::INTEGER
            + (r.attitude_3 IS NOT NULL)::INTEGER + (r.attitude_4 IS NOT NULL)::INTEGER
            + (r.attitude_5 IS NOT NULL)::INTEGER >= 3
         THEN list_avg([r.attitude_1, r.attitude_2, r.attitude_3, r.attitude_4, r.attitude_5]::DOUBLE[])
    END                                              AS attitude_index,
    r.mentoring_sessions::DOUBLE                     AS mentoring_sessions,
    r.tksk_visits::DOUBLE                            AS tksk_visits
FROM response_current r
CROSS JOIN programme_clock c
-- The deciding questions each file asked (`batch_field`; a file loaded
-- before they were recorded, with no rows there, asked them all).
LEFT JOIN (
    SELECT batch_id,
           bool_or(field = 'save_frequency') AS save_frequency,
           bool_or(field = 'savings_amount') AS savings_amount,
           bool_or(field = 'paid_workers') AND bool_or(field = 'family_workers') AS workers,
           bool_or(field = 'credit_source') AS credit_source,
           bool_or(field = 'product_changes') AS product_changes
    FROM batch_field GROUP BY batch_id
) asked USING (batch_id);

-- Every period with data, in report order. The quarters and years are
-- those of the answers with a date of their own; a round's end is its last
-- such answer's date, or with none the day its answers were loaded.
CREATE OR REPLACE TEMP TABLE period_def AS
WITH dated AS (
    SELECT year(local_at) AS y, quarter(local_at) AS q, max(local_at)::DATE AS last_day
    FROM response_value WHERE wave <> 'baseline' AND NOT dated_at_load
    GROUP BY ALL
)
SELECT w.wave AS period, 'wave' AS kind, w.ordinal,
       w.label_id, w.label_en,
       (SELECT coalesce(max(local_at) FILTER (WHERE NOT dated_at_load), max(local_at))::DATE
        FROM response_value r WHERE r.wave = w.wave) AS period_end
FROM wave w
WHERE EXISTS (SELECT 1 FROM response_value r WHERE r.wave = w.wave)
UNION ALL
SELECT printf('%d-Q%d', y, q), 'quarter', 1000 + y * 4 + q,
       'Triwulan ' || ['I', 'II', 'III', 'IV'][q] || ' ' || y, 'Q' || q || ' ' || y,
       max(last_day)
FROM dated GROUP BY y, q
UNION ALL
SELECT printf('%d-YTD', y), 'ytd', 100000 + y,
       'Tahun berjalan ' || y, 'Year to date ' || y,
       max(last_day)
FROM dated GROUP BY y;

-- Each KPM's answer that stands for each period, its values beside it: in a
-- wave, its answer (a row of the KPM alone when it did not answer, its
-- values NULL); in a quarter or year to date, its latest answer submitted
-- then. The rows are response_value's own, carried through: joining the
-- chosen answers back to response_value by KPM and wave built a hash table
-- of every answer's values, which spilled at 2,000,000 households.
-- One window, over each KPM's answers of a year latest first, finds both:
-- the year's latest is its first row, a quarter's latest the first of that
-- quarter. (A window per kind, partitioned by year and quarter, sorted the
-- answers twice: the template's statistics query took 3.8 to 5.2 s with one
-- window against 6.7 to 7.0 s with two, the same figures.)
CREATE OR REPLACE TEMP VIEW kpm_period AS
WITH latest AS MATERIALIZED (
    SELECT *,
           row_number() OVER w = 1 AS latest_in_year,
           quarter(local_at) IS DISTINCT FROM lag(quarter(local_at)) OVER w AS latest_in_quarter
    FROM response_value
    WHERE wave <> 'baseline' AND NOT dated_at_load
    WINDOW w AS (PARTITION BY kpm_id, year(local_at) ORDER BY local_at DESC, wave DESC)
    QUALIFY latest_in_year OR latest_in_quarter
)
SELECT wave AS period, 'wave' AS kind, *
FROM response_value
UNION ALL BY NAME
SELECT k.kpm_id, p.period, 'wave' AS kind
FROM kpm k
CROSS JOIN period_def p
WHERE p.kind = 'wave'
  AND NOT EXISTS (SELECT 1 FROM response_value r WHERE r.kpm_id = k.kpm_id AND r.wave = p.period)
UNION ALL BY NAME
SELECT printf('%d-Q%d', year(local_at), quarter(local_at)) AS period, 'quarter' AS kind,
       * EXCLUDE (latest_in_year, latest_in_quarter)
FROM latest
WHERE latest_in_quarter
UNION ALL BY NAME
SELECT printf('%d-YTD', year(local_at)) AS period, 'ytd' AS kind,
       * EXCLUDE (latest_in_year, latest_in_quarter)
FROM latest
WHERE latest_in_year;

-- Each registered KPM once: its dimensions, its grant and its baseline
-- answer (`<variable>_0`, NULL without one), so that each KPM-period row
-- below is joined once, not to the register and then to the baseline. (At
-- 2,000,000 households, the two joins of some 15 million rows took 23 and
-- 52 s of the statistics query's 124 s, spilling to disk.) A view, built
-- as the join's hash table by each query that reads it: as a table it was
-- no faster and was held for the whole run (at 2,000,000 households, 1 GB
-- more while the impact step read its units).
CREATE OR REPLACE TEMP VIEW kpm_base AS
SELECT
    k.kpm_id,
    k.arm,
    k.province_code,
    k.regency_code,
    coalesce(k.district_code, 'unknown')          AS district_code,
    coalesce(k.incubator_id, 'none')              AS incubator_id,
    coalesce(k.cohort_year::VARCHAR, 'unknown')   AS cohort,
    coalesce(k.cluster, 'unknown')                AS cluster,
    coalesce(k.category, 'unknown')               AS category,
    coalesce(k.gender, 'unknown')                 AS gender,
    coalesce(k.mentor, 'unknown')                 AS mentor,
    coalesce(k.tksk, 'unknown')                   AS tksk,
    k.grant_date,
    -- Whether the KPM's grant date is known: given, or empty in a list with
    -- the column (not yet disbursed). A sheet that registered households
    -- without the column says nothing of their grants.
    k.grant_date IS NOT NULL OR registered.grant_date IS NOT FALSE AS grant_known,
    b.local_at                                    AS baseline_at,
    b.business_income    AS business_income_0,
    b.business_revenue   AS business_revenue_0,
    b.household_income   AS household_income_0,
    b.saves_monthly      AS saves_monthly_0,
    b.savings_amount     AS savings_amount_0,
    b.keeps_books        AS keeps_books_0,
    b.separates_money    AS separates_money_0,
    b.has_business_plan  AS has_business_plan_0,
    b.workers            AS workers_0,
    b.business_operating AS business_operating_0,
    b.has_nib            AS has_nib_0,
    b.got_credit         AS got_credit_0,
    b.got_kur            AS got_kur_0,
    b.sells_online       AS sells_online_0,
    b.innovated          AS innovated_0,
    b.attitude_index     AS attitude_index_0
FROM kpm k
LEFT JOIN response_value b ON b.kpm_id = k.kpm_id AND b.wave = 'baseline'
LEFT JOIN (
    SELECT batch_id, bool_or(field = 'grant_date') AS grant_date
    FROM batch_field GROUP BY batch_id
) registered ON registered.batch_id = k.batch_id;

-- One row per KPM and period: its dimensions, each variable and the same
-- KPM's baseline value of it.
CREATE OR REPLACE TEMP VIEW kpm_value AS
SELECT
    v.kpm_id,
    v.period,
    v.kind,
    k.arm,
    k.province_code,
    k.regency_code,
    k.district_code,
    k.incubator_id,
    k.cohort,
    k.cluster,
    k.category,
    k.gender,
    k.mentor,
    k.tksk,
    CASE WHEN v.kind = 'wave' THEN (v.wave IS NOT NULL)::DOUBLE END AS responded,
    -- Grant: received by the end of the period (ProKUS KPM only), and how many
    -- days after the baseline interview it came.
    CASE WHEN k.arm = 'prokus' AND k.grant_known
         THEN (k.grant_date IS NOT NULL AND k.grant_date <= coalesce(v.local_at::DATE, d.period_end))::DOUBLE
    END                                           AS grant_disbursed,
    CASE WHEN k.arm = 'prokus' AND k.grant_date <= coalesce(v.local_at::DATE, d.period_end)
         THEN date_diff('day', k.baseline_at::DATE, k.grant_date)::DOUBLE
    END                                           AS grant_days,
    v.business_income,    k.business_income_0,
    v.business_revenue,   k.business_revenue_0,
    v.household_income,   k.household_income_0,
    CASE WHEN v.period <> 'baseline'
         THEN (v.business_income > k.business_income_0)::DOUBLE
    END                                           AS business_income_rose,
    v.saves_monthly,      k.saves_monthly_0,
    v.savings_amount,     k.savings_amount_0,
    v.keeps_books,        k.keeps_books_0,
    v.separates_money,    k.separates_money_0,
    v.has_business_plan,  k.has_business_plan_0,
    v.workers,            k.workers_0,
    v.business_operating, k.business_operating_0,
    v.has_nib,            k.has_nib_0,
    v.got_credit,         k.got_credit_0,
    v.got_kur,            k.got_kur_0,
    v.sells_online,       k.sells_online_0,
    v.innovated,          k.innovated_0,
    v.attitude_index,     k.attitude_index_0,
    v.mentoring_sessions,
    v.tksk_visits,
    -- Variables not compared with the baseline have no baseline value.
    NULL::DOUBLE AS no_baseline
FROM kpm_period v
JOIN kpm_base k USING (kpm_id)
JOIN period_def d ON d.period = v.period;

-- The same, one row per KPM, period and variable (`v`, and the baseline `v0`
-- for the variables compared with the baseline). Every variable above must
-- be listed here.
CREATE OR REPLACE TEMP VIEW kpm_long AS
UNPIVOT kpm_value ON
    (responded, no_baseline) AS responded,
    (grant_disbursed, no_baseline) AS grant_disbursed,
    (grant_days, no_baseline) AS grant_days,
    (business_income, business_income_0) AS business_income,
    (business_revenue, business_revenue_0) AS business_revenue,
    (household_income, household_income_0) AS household_income,
    (business_income_rose, no_baseline) AS business_income_rose,
    (saves_monthly, saves_monthly_0) AS saves_monthly,
    (savings_amount, savings_amount_0) AS savings_amount,
    (keeps_books, keeps_books_0) AS keeps_books,
    (separates_money, separates_money_0) AS separates_money,
    (has_business_plan, has_business_plan_0) AS has_business_plan,
    (workers, workers_0) AS workers,
    (business_operating, business_operating_0) AS business_operating,
    (has_nib, has_nib_0) AS has_nib,
    (got_credit, got_credit_0) AS got_credit,
    (got_kur, got_kur_0) AS got_kur,
    (sells_online, sells_online_0) AS sells_online,
    (innovated, innovated_0) AS innovated,
    (attitude_index, attitude_index_0) AS attitude_index,
    (mentoring_sessions, no_baseline) AS mentoring_sessions,
    (tksk_visits, no_baseline) AS tksk_visits
INTO NAME variable VALUE v, v0;

-- Names of the groups of every dimension.
CREATE OR REPLACE TEMP VIEW group_label AS
SELECT 'province' AS dimension, code AS group_code, name AS name_id, name AS name_en FROM province
UNION ALL SELECT 'regency', code, name, name FROM regency
UNION ALL SELECT 'district', code, name, name FROM district
UNION ALL SELECT 'incubator', incubator_id, name, name FROM incubator
-- A mentor or a TKSK is named by the register itself.
UNION ALL SELECT DISTINCT 'mentor', mentor, mentor, mentor FROM kpm WHERE mentor IS NOT NULL
UNION ALL SELECT DISTINCT 'tksk', tksk, tksk, tksk FROM kpm WHERE tksk IS NOT NULL
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
    ('arm', 'comparison', 'Kelompok pembanding', 'Comparison group'),
    ('incubator', 'none', 'Tanpa inkubator', 'No incubator'),
    ('district', 'unknown', 'Kecamatan tidak diketahui', 'Unknown district'),
    ('mentor', 'unknown', 'Pendamping tidak diketahui', 'Unknown mentor'),
    ('tksk', 'unknown', 'TKSK tidak diketahui', 'Unknown TKSK')
) AS t(dimension, group_code, name_id, name_en);
