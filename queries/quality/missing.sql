-- Missing required answers: one SELECT per required field of the check
-- configuration, joined with UNION ALL by quality.rs, which writes the
-- field's number (`/*index*/`), its column and the column of its `when`
-- condition (`/*when*/`, `TRUE` when the question is always asked), each
-- checked against the columns of `response` and quoted. The arm and wave
-- limits are applied by quality.rs. `/*name*/` is the parameter holding the
-- field's name: only answers from a file that asks the question count (a
-- file from an earlier prokus, without its fields recorded, asks them all).
--
-- The files that ask the question are found first and joined to the
-- answers: where a file does not ask it, every one of its answers is empty
-- there, and a condition on the file tested row by row (`IN ... OR NOT IN`)
-- read each row's ids before setting it aside.
SELECT /*index*/ AS required, kpm_id, wave, submission_id, arm
FROM qc_current
WHERE batch_id IN (
        SELECT batch_id FROM batch_field WHERE field = /*name*/
        UNION ALL
        SELECT DISTINCT batch_id FROM qc_current ANTI JOIN batch_field USING (batch_id)
    )
  AND /*field*/ IS NULL AND (/*when*/) IS TRUE
