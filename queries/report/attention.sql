-- Per ProKUS KPM, ordered by incubator: its latest answered round and the
-- one before (wave, business income, whether the business runs, saving at
-- least monthly), its
-- baseline income and the waves it answered, for the incubator feedback
-- ("KPM who need attention", judged on each KPM's latest round, so that a
-- KPM in trouble shows before the endline).
-- crates/prokus-report/src/inputs.rs files each row under its incubator; an
-- incubator's report reads its own list only, so it never shows another's
-- households.
--
-- One query for every incubator: the latest answers are read once, not once
-- per incubator. The two latest rounds are taken whole (a struct per round,
-- so that an empty answer stays with its round) by arg_max over the wave's
-- order, without sorting every answer.
WITH rounds AS (
    SELECT c.kpm_id,
           arg_max({'wave': c.wave,
                    'income': c.business_income,
                    'operating': c.business_operating,
                    -- Saved at least monthly, as kpm_value.sql's
                    -- saves_monthly has it (without the yes/no question, a
                    -- sheet's own answer, else how often alone; unknown
                    -- when how often is not said), but per KPM: one who
                    -- does not save is known not to save monthly, whatever
                    -- the file asked.
                    'monthly': CASE WHEN c.saves IS NULL AND c.saves_monthly IS NOT NULL
                                        THEN c.saves_monthly
                                    WHEN NOT c.saves THEN false
                                    WHEN c.save_frequency IN ('daily', 'weekly', 'monthly') THEN true
                                    WHEN c.save_frequency IS NOT NULL THEN false
                               END}, w.ordinal, 2) AS last_two,
           any_value(c.business_income) FILTER (WHERE c.wave = 'baseline') AS income_baseline,
           string_agg(c.wave, ' ') AS waves_answered
    FROM response_current c
    JOIN wave w USING (wave)
    -- $1: the last round of the period reported.
    WHERE w.ordinal <= (SELECT ordinal FROM wave WHERE wave = $1)
    GROUP BY c.kpm_id
)
SELECT k.incubator_id,
       k.kpm_id,
       coalesce(k.business_name, '') AS business_name,
       coalesce(k.nik_masked, '') AS nik_masked,
       r.income_baseline,
       r.last_two[1].wave AS latest_wave,
       r.last_two[1].income AS income_latest,
       r.last_two[1].operating AS operating_latest,
       r.last_two[1].monthly AS monthly_latest,
       r.last_two[2].wave AS previous_wave,
       r.last_two[2].income AS income_previous,
       r.last_two[2].monthly AS monthly_previous,
       r.waves_answered
FROM kpm k
LEFT JOIN rounds r USING (kpm_id)
WHERE k.arm = 'prokus' AND k.incubator_id IS NOT NULL
ORDER BY k.incubator_id, k.kpm_id
