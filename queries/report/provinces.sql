-- Provinces that have ProKUS KPM, with their KPM count.
SELECT p.code, p.name, count(*) FROM kpm k JOIN province p ON p.code = k.province_code
WHERE k.arm = 'prokus' GROUP BY ALL ORDER BY p.code
