-- The written feedback of the feedback sheets, to be printed verbatim beside
-- the computed findings: who wrote it (an incubator, a regency's or a
-- province's Dinas Sosial, named), the province it belongs to, the quarter,
-- the kind, the actor it addresses and the text. Stories are left out: they
-- are printed only with the KPM's consent, in the success stories
-- (queries/report/stories.sql).
SELECT f.site_level,
       f.site_code,
       CASE f.site_level
           WHEN 'incubator' THEN coalesce(i.name, f.site_code)
           WHEN 'regency' THEN 'Dinas Sosial ' || coalesce(r.name, f.site_code)
           ELSE 'Dinas Sosial ' || coalesce(p.name, f.site_code)
       END AS writer,
       CASE f.site_level
           WHEN 'incubator' THEN coalesce(i.province_code, '')
           ELSE left(f.site_code, 2)
       END AS province_code,
       f.period,
       coalesce(f.author, '') AS author,
       f.kind,
       f.actor,
       f.text
FROM feedback_current f
LEFT JOIN incubator i ON f.site_level = 'incubator' AND i.incubator_id = f.site_code
LEFT JOIN regency r ON f.site_level = 'regency' AND r.code = f.site_code
LEFT JOIN province p ON f.site_level = 'province' AND p.code = f.site_code
WHERE f.kind <> 'story'
ORDER BY f.site_level, f.site_code, f.period,
         list_position(['achievement', 'challenge', 'obstacle', 'request'], f.kind),
         f.actor, f.batch_id, f.source_row
