-- Answers of one submission that contradict each other. `rule` names the
-- contradiction (quality.rs words it); `field` and `value` the answer to
-- look at, `other` the answer it contradicts.
SELECT kpm_id, wave, submission_id, 'income_above_revenue' AS rule,
       'business_income' AS field, business_income AS value, business_revenue AS other
FROM qc_current WHERE business_income > business_revenue
UNION ALL
SELECT kpm_id, wave, submission_id, 'closed_with_revenue',
       'business_revenue', business_revenue, NULL
FROM qc_current WHERE NOT business_operating AND business_revenue > 0
UNION ALL
SELECT kpm_id, wave, submission_id, 'closed_with_workers',
       'paid_workers', paid_workers, NULL
FROM qc_current WHERE NOT business_operating AND paid_workers > 0
UNION ALL
SELECT kpm_id, wave, submission_id, 'savings_without_saving',
       'savings_amount', savings_amount, NULL
FROM qc_current WHERE NOT saves AND savings_amount > 0
UNION ALL
SELECT kpm_id, wave, submission_id, 'household_below_business',
       'household_income', household_income, business_income
FROM qc_current WHERE household_income < business_income
