-- Per ProKUS KPM: baseline and latest answers, for the incubator feedback
-- ("KPM who need attention"). Callers filter by incubator with $1; the
-- report of one incubator never reads another's households.
SELECT k.kpm_id, coalesce(k.business_name, '') AS business_name, coalesce(k.nik_masked, '') AS nik_masked,
       b.business_income AS income_baseline,
       e.business_income AS income_endline,
       e.business_operating AS operating_endline,
       e.saves AS saves_endline,
       e.save_frequency AS frequency_endline,
       (SELECT string_agg(r.wave, ' ' ORDER BY w.ordinal) FROM response_current r JOIN wave w USING (wave)
         WHERE r.kpm_id = k.kpm_id) AS waves_answered
FROM kpm k
LEFT JOIN response_current b ON b.kpm_id = k.kpm_id AND b.wave = 'baseline'
LEFT JOIN response_current e ON e.kpm_id = k.kpm_id AND e.wave = 'endline'
WHERE k.arm = 'prokus' AND k.incubator_id = $1
ORDER BY k.kpm_id;
