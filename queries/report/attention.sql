-- Per ProKUS KPM, ordered by incubator: its latest answered round and the
-- one before (wave, business income, whether the business runs, saving), its
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
                    'saves': c.saves,
                    'frequency': c.save_frequency}, w.ordinal, 2) AS last_two,
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
       r.last_two[1].saves AS saves_latest,
       r.last_two[1].frequency AS frequency_latest,
       r.last_two[2].wave AS previous_wave,
       r.last_two[2].income AS income_previous,
       r.last_two[2].saves AS saves_previous,
       r.last_two[2].frequency AS frequency_previous,
       r.waves_answered
FROM kpm k
LEFT JOIN rounds r USING (kpm_id)
WHERE k.arm = 'prokus' AND k.incubator_id IS NOT NULL
ORDER BY k.incubator_id, k.kpm_id
