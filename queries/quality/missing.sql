-- Missing required answers: one SELECT per required field of the check
-- configuration, joined with UNION ALL by quality.rs, which writes the
-- field's number (`/*index*/`), its column and the column of its `when`
-- condition (`/*when*/`, `TRUE` when the question is always asked), each
-- checked against the columns of `response` and quoted. The arm and wave
-- limits are applied by quality.rs.
SELECT /*index*/ AS required, kpm_id, wave, submission_id, arm
FROM qc_current
WHERE /*field*/ IS NULL AND (/*when*/) IS TRUE
