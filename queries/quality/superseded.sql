-- Second and later submissions for the same KPM and wave: the latest is the
-- one used (view `response_current`); the others are listed with it. The
-- view `response_replaced` (queries/schema.sql) holds the rule and finds
-- them. The kept one's time in UTC, as the checks read every time: a
-- hand-filled sheet's local time (`kept_local`) taken back by the
-- programme's offset ($1, in hours).
SELECT kpm_id, wave, submission_id, submitted_at, kept_id,
       utc_time(kept_at, kept_local, $1) AS kept_at
FROM response_replaced
