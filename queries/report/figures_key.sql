-- The survey data a report run's computed figures depend on
-- (crates/prokus-report/src/computed.rs): every file loaded other than the
-- feedback sheets, by SHA-256 in order, and the numbers of registered KPM
-- and of answers. Written feedback changes no figure.
SELECT coalesce((SELECT string_agg(sha256, ',' ORDER BY batch_id)
                 FROM ingest_batch WHERE format <> 'feedback'), '')
    || ';' || (SELECT count(*) FROM kpm)
    || ';' || (SELECT count(*) FROM response)
