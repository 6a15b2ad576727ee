-- The people who accompany ProKUS KPM, with how many KPM each accompanies:
-- each incubator's business mentors (MiBi) and each regency's TKSK, as the
-- register names them. The incubator report prints a table per mentor, the
-- regency report one per TKSK (figures from the indicator levels `mentor`
-- and `tksk`).
SELECT 'mentor' AS kind, incubator_id AS scope, mentor AS person, count(*) AS kpm
FROM kpm
WHERE arm = 'prokus' AND mentor IS NOT NULL AND incubator_id IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT 'tksk', regency_code, tksk, count(*)
FROM kpm
WHERE arm = 'prokus' AND tksk IS NOT NULL AND regency_code IS NOT NULL
GROUP BY ALL
ORDER BY kind, scope, person
