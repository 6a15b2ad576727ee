-- Register problems: a NIK that failed its checks at loading, and one NIK
-- given to two or more KPM (compared by its salted hash; only the masked
-- form is ever shown). One row per KPM and problem; `other_kpm` and
-- `other_unit` name the KPM sharing the NIK.
SELECT kpm_id, nik_status, nik_masked, NULL AS other_kpm, NULL AS other_unit
FROM kpm
WHERE nik_status <> 'valid'
  -- A household registered from a sheet or form without a NIK column: the
  -- NIK was not asked, so its absence is no finding. The register is where
  -- NIKs come from: a KPM it holds without one is a finding, whether or not
  -- the register's latest list had a NIK column (one without keeps the
  -- NIKs the register holds).
  AND NOT (nik_status = 'missing'
           AND batch_id IN (SELECT batch_id FROM batch_field)
           AND batch_id NOT IN (SELECT batch_id FROM batch_field WHERE field = 'nik')
           AND batch_id NOT IN (SELECT batch_id FROM ingest_batch WHERE format = 'kpm-register'))
UNION ALL
SELECT a.kpm_id,
       a.nik_status,
       a.nik_masked,
       b.kpm_id,
       coalesce(b.incubator_id, 'comparison-' || b.province_code)
FROM kpm a
JOIN kpm b ON a.nik_hash = b.nik_hash AND a.kpm_id <> b.kpm_id
ORDER BY 1, 4 NULLS FIRST
