-- Two or more KPM of the same unit whose answers in one wave are identical
-- in every field: a form copied rather than asked. Only answers with the
-- money questions filled are compared (a closed business's short form is
-- alike by nature). `peers` names at most six KPM sharing the answers (the
-- neighbours by id), `copies` how many share them: a list of every peer
-- would grow with the square of a group's size (20,000 copies of one form
-- would list 400 million names). The copies are found first, so the ordered
-- window that names the peers runs over them alone; and before them the
-- rows whose answers hash alike, so that the window comparing every answer
-- partitions those rows alone.
-- (The hash takes the columns the windows partition by, and no other.)
WITH compared AS (
    SELECT *, hash(unit_id, wave, business_operating, business_revenue, business_income,
        household_income, saves, save_frequency, saves_monthly, savings_amount, keeps_books,
        separates_money, has_business_plan, paid_workers, family_workers, has_nib, got_credit,
        credit_source, sells_online, product_changes, mentoring_sessions, tksk_visits,
        attitude_1, attitude_2, attitude_3, attitude_4, attitude_5) AS answers
    FROM qc_current
    WHERE business_revenue IS NOT NULL AND household_income IS NOT NULL
), candidate AS (
    -- Every set of identical answers is among these rows (with, rarely,
    -- rows whose hashes only collide, which the window below tells apart).
    SELECT * FROM compared
    WHERE answers IN (SELECT answers FROM compared GROUP BY answers HAVING count(*) > 1)
), copied AS (
    SELECT *, count(*) OVER (
        PARTITION BY unit_id, wave, business_operating, business_revenue, business_income,
        household_income, saves, save_frequency, saves_monthly, savings_amount, keeps_books,
        separates_money, has_business_plan, paid_workers, family_workers, has_nib, got_credit,
        credit_source, sells_online, product_changes, mentoring_sessions, tksk_visits,
        attitude_1, attitude_2, attitude_3, attitude_4, attitude_5
    ) AS copies
    FROM candidate
    QUALIFY copies > 1
)
SELECT kpm_id,
       wave,
       submission_id,
       list(kpm_id) OVER (
           PARTITION BY unit_id, wave, business_operating, business_revenue, business_income,
        household_income, saves, save_frequency, saves_monthly, savings_amount, keeps_books,
        separates_money, has_business_plan, paid_workers, family_workers, has_nib, got_credit,
        credit_source, sells_online, product_changes, mentoring_sessions, tksk_visits,
        attitude_1, attitude_2, attitude_3, attitude_4, attitude_5
           ORDER BY kpm_id ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING
       ) AS peers,
       copies
FROM copied
