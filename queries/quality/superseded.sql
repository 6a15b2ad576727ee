-- Second and later submissions for the same KPM and wave: the latest is the
-- one used (view `response_current`); the others are listed with it. The
-- KPM and waves answered more than once are found first, so that the
-- ordered window runs over their submissions alone, not over every answer.
WITH repeated AS (
    SELECT kpm_id, wave
    FROM response
    GROUP BY kpm_id, wave
    HAVING count(*) > 1
)
SELECT kpm_id,
       wave,
       submission_id,
       submitted_at,
       first_value(submission_id) OVER latest AS kept_id,
       first_value(submitted_at) OVER latest AS kept_at
FROM response
SEMI JOIN repeated USING (kpm_id, wave)
WINDOW latest AS (PARTITION BY kpm_id, wave ORDER BY submitted_at DESC, submission_id DESC)
QUALIFY row_number() OVER latest > 1
