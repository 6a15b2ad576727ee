-- Regencies (kabupaten/kota) that have ProKUS KPM, with province and KPM count.
SELECT r.code, r.name, coalesce(p.name, ''), count(*) FROM kpm k
JOIN regency r ON r.code = k.regency_code LEFT JOIN province p ON p.code = r.province_code
WHERE k.arm = 'prokus' GROUP BY ALL ORDER BY r.code
