-- Incubators that have ProKUS KPM, with their province and KPM count.
SELECT i.incubator_id, i.name, coalesce(i.university, ''), coalesce(i.province_code, ''),
       coalesce(p.name, ''), count(k.kpm_id)
FROM incubator i
JOIN kpm k ON k.incubator_id = i.incubator_id AND k.arm = 'prokus'
LEFT JOIN province p ON p.code = i.province_code
GROUP BY ALL ORDER BY i.incubator_id
