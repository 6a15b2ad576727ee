-- ProKUS KPM who agreed that their story be told (the register's or the
-- feedback sheet's consent_story), with how their business moved from the baseline to their
-- latest answered round, for the success stories of their incubator's, their
-- province's and the national report. Only the masked NIK is read.
WITH rounds AS (
    SELECT c.kpm_id,
           arg_max({'wave': c.wave,
                    'income': c.business_income,
                    'workers': c.paid_workers + c.family_workers,
                    'nib': c.has_nib,
                    'kur': c.got_credit AND c.credit_source = 'kur',
                    'online': c.sells_online}, w.ordinal) AS latest,
           any_value(c.business_income) FILTER (WHERE c.wave = 'baseline') AS income_baseline,
           any_value(c.paid_workers + c.family_workers) FILTER (WHERE c.wave = 'baseline') AS workers_baseline
    FROM response_current c
    JOIN wave w USING (wave)
    -- $1: the last round of the period reported.
    WHERE w.ordinal <= (SELECT ordinal FROM wave WHERE wave = $1)
      -- Only the KPM with a consent (in the register or a sheet), judged
      -- below: a re-run after a feedback sheet reads their answers alone.
      AND c.kpm_id IN (SELECT kpm_id FROM kpm WHERE consent_story
                       UNION ALL
                       SELECT kpm_id FROM feedback_current WHERE consent_story)
    GROUP BY c.kpm_id
),
-- The incubator's own words for a KPM, from the feedback sheet's stories
-- (its latest); the sheet may record consent too, and a "no" in either
-- the register or the sheet withholds the story.
told AS (
    SELECT kpm_id,
           arg_max(text, (period, batch_id, source_row)) AS story,
           arg_max(consent_story, (period, batch_id, source_row)) AS consent
    FROM feedback_current
    WHERE kind = 'story' AND kpm_id IS NOT NULL
    GROUP BY kpm_id
)
SELECT k.incubator_id,
       k.province_code,
       k.kpm_id,
       coalesce(k.business_name, '') AS business_name,
       coalesce(k.nik_masked, '') AS nik_masked,
       r.latest.wave AS latest_wave,
       r.income_baseline,
       r.latest.income AS income_latest,
       r.workers_baseline,
       r.latest.workers AS workers_latest,
       r.latest.nib AS has_nib,
       r.latest.kur AS got_kur,
       r.latest.online AS sells_online,
       t.story
FROM kpm k
JOIN rounds r USING (kpm_id)
LEFT JOIN told t USING (kpm_id)
WHERE k.arm = 'prokus' AND k.incubator_id IS NOT NULL
  AND (k.consent_story OR t.consent) AND coalesce(k.consent_story, true) AND coalesce(t.consent, true)
  AND r.latest.wave <> 'baseline' AND r.income_baseline > 0 AND r.latest.income > r.income_baseline
-- $2, $3: the most grown of each incubator and of each province that the
-- reports print (the nation's are among its provinces'), in the order below.
QUALIFY row_number() OVER (PARTITION BY k.incubator_id
                           ORDER BY r.latest.income / r.income_baseline DESC, k.kpm_id) <= $2
     OR row_number() OVER (PARTITION BY k.province_code
                           ORDER BY r.latest.income / r.income_baseline DESC, k.kpm_id) <= $3
ORDER BY r.latest.income / r.income_baseline DESC, k.kpm_id
