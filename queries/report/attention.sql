-- Per ProKUS KPM, ordered by incubator: baseline and endline answers and the
-- waves answered, for the incubator feedback ("KPM who need attention").
-- crates/prokus-report/src/inputs.rs files each row under its incubator; an
-- incubator's report reads its own list only, so it never shows another's
-- households.
--
-- One query for every incubator: the latest answers are read once, not once
-- per incubator. The waves answered are only looked up, so they are not
-- sorted (sorting them doubled the query's time).
SELECT k.incubator_id,
       k.kpm_id,
       coalesce(k.business_name, '') AS business_name,
       coalesce(k.nik_masked, '') AS nik_masked,
       any_value(c.business_income) FILTER (WHERE c.wave = 'baseline') AS income_baseline,
       any_value(c.business_income) FILTER (WHERE c.wave = 'endline') AS income_endline,
       any_value(c.business_operating) FILTER (WHERE c.wave = 'endline') AS operating_endline,
       any_value(c.saves) FILTER (WHERE c.wave = 'endline') AS saves_endline,
       any_value(c.save_frequency) FILTER (WHERE c.wave = 'endline') AS frequency_endline,
       string_agg(c.wave, ' ') AS waves_answered
FROM kpm k
LEFT JOIN response_current c USING (kpm_id)
WHERE k.arm = 'prokus' AND k.incubator_id IS NOT NULL
GROUP BY k.kpm_id, k.incubator_id, k.business_name, k.nik_masked
ORDER BY k.incubator_id, k.kpm_id
