-- KPM registered and responding per wave and arm, with the median date of the
-- wave's answers (which sets its reporting quarter), of those with a date of
-- their own, local (the macro `answered_local`): the interview's or the
-- submission's UTC time plus the programme's offset ($1, in hours), or the
-- time a hand-filled sheet wrote (`local_clock`).
SELECT w.wave, a.arm, a.registered,
       count(r.kpm_id) AS responded,
       coalesce(strftime(median(answered_local(r.submitted_at, r.local_clock, r.interviewed_at, $1))
                         FILTER (WHERE r.dated_at_load IS NOT TRUE), '%Y-%m-%d'), '')
           AS median_date
FROM wave w
CROSS JOIN (SELECT arm, count(*) AS registered FROM kpm GROUP BY arm) a
LEFT JOIN response_current r
       ON r.wave = w.wave AND r.kpm_id IN (SELECT kpm_id FROM kpm WHERE kpm.arm = a.arm)
GROUP BY w.wave, w.ordinal, a.arm, a.registered
HAVING count(r.kpm_id) > 0
ORDER BY w.ordinal, a.arm;
