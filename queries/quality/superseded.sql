-- Second and later submissions for the same KPM and wave: the latest is the
-- one used (view `response_current`); the others are listed with it. The
-- view `response_replaced` (queries/schema.sql) holds the rule and finds
-- them.
SELECT kpm_id, wave, submission_id, submitted_at, kept_id, kept_at
FROM response_replaced
