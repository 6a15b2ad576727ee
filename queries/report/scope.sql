-- Incubators and provinces that have ProKUS KPM, with counts.
-- name: incubators
SELECT i.incubator_id, i.name, coalesce(i.university, ''), coalesce(i.province_code, ''),
       coalesce(p.name, ''), count(k.kpm_id)
FROM incubator i
JOIN kpm k ON k.incubator_id = i.incubator_id AND k.arm = 'prokus'
LEFT JOIN province p ON p.code = i.province_code
GROUP BY ALL ORDER BY i.incubator_id;
-- name: provinces
SELECT p.code, p.name, count(*) FROM kpm k JOIN province p ON p.code = k.province_code
WHERE k.arm = 'prokus' GROUP BY ALL ORDER BY p.code;
-- name: regencies
SELECT r.code, r.name, coalesce(p.name, ''), count(*) FROM kpm k
JOIN regency r ON r.code = k.regency_code LEFT JOIN province p ON p.code = r.province_code
WHERE k.arm = 'prokus' GROUP BY ALL ORDER BY r.code;
-- name: snapshot
SELECT coalesce(string_agg(sha256, ',' ORDER BY batch_id), '') FROM ingest_batch;
