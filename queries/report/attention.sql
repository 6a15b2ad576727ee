-- Per ProKUS KPM: baseline and endline answers and the waves answered, for
-- the incubator feedback ("KPM who need attention").
--
-- Two parts. The first, run once, gathers every ProKUS KPM into a temporary
-- table (the latest answers are read once, not once per incubator: 27
-- readings took 20 s on 250,000 households). The second is run once per
-- incubator, filtered by its id in $1: the report of one incubator never
-- reads another's households.
-- part: prepare
CREATE OR REPLACE TEMP TABLE kpm_attention AS
SELECT k.kpm_id,
       k.incubator_id,
       coalesce(k.business_name, '') AS business_name,
       coalesce(k.nik_masked, '') AS nik_masked,
       any_value(c.business_income) FILTER (WHERE c.wave = 'baseline') AS income_baseline,
       any_value(c.business_income) FILTER (WHERE c.wave = 'endline') AS income_endline,
       any_value(c.business_operating) FILTER (WHERE c.wave = 'endline') AS operating_endline,
       any_value(c.saves) FILTER (WHERE c.wave = 'endline') AS saves_endline,
       any_value(c.save_frequency) FILTER (WHERE c.wave = 'endline') AS frequency_endline,
       string_agg(c.wave, ' ' ORDER BY w.ordinal) AS waves_answered
FROM kpm k
LEFT JOIN response_current c USING (kpm_id)
LEFT JOIN wave w USING (wave)
WHERE k.arm = 'prokus'
GROUP BY k.kpm_id, k.incubator_id, k.business_name, k.nik_masked;
-- part: incubator
SELECT kpm_id, business_name, nik_masked, income_baseline, income_endline,
       operating_endline, saves_endline, frequency_endline, waves_answered
FROM kpm_attention
WHERE incubator_id = $1
ORDER BY kpm_id
