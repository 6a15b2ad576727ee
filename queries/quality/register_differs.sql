-- Household fields a sheet or form gave differently from the register
-- (recorded at loading, see queries/ingest/household_differences.sql), for
-- the current answers: the register's value was kept.
SELECT q.kpm_id, q.wave, q.submission_id, d.field, d.given, d.registered
FROM household_difference d
JOIN qc_current q ON q.batch_id = d.batch_id AND q.source_row = d.source_row
ORDER BY q.kpm_id, q.wave_ordinal, d.field
