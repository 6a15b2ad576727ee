-- KPM registered and responding per wave and arm, with the median date of the
-- wave's submissions (which sets its reporting quarter), of those with a date
-- of their own.
SELECT w.wave, a.arm, a.registered,
       count(r.kpm_id) AS responded,
       coalesce(strftime(median(r.submitted_at) FILTER (WHERE r.dated_at_load IS NOT TRUE), '%Y-%m-%d'), '')
           AS median_date
FROM wave w
CROSS JOIN (SELECT arm, count(*) AS registered FROM kpm GROUP BY arm) a
LEFT JOIN response_current r
       ON r.wave = w.wave AND r.kpm_id IN (SELECT kpm_id FROM kpm WHERE kpm.arm = a.arm)
GROUP BY w.wave, w.ordinal, a.arm, a.registered
HAVING count(r.kpm_id) > 0
ORDER BY w.ordinal, a.arm;
