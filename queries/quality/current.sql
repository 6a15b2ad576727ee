-- The latest answer of every KPM in every wave, with what the checks group
-- by: the KPM's arm and cohort, the wave's order, and the unit whose data it
-- is: its incubator, or for the comparison group (which has none) its
-- province. Answers of a KPM missing from the register are the unit
-- `unregistered`. A temporary table: the checks read it several times; it
-- is dropped when `prokus check` ends and never written to the file. A
-- report run keeps it longer (keep_current_answers in
-- crates/prokus-metrics/src/compute.rs), with `response_current` a view of
-- it without the four columns added here, which that view names.
CREATE OR REPLACE TEMP TABLE qc_current AS
SELECT r.*,
       w.ordinal AS wave_ordinal,
       k.arm,
       k.cohort_year,
       coalesce(k.incubator_id, 'comparison-' || k.province_code, 'unregistered') AS unit_id
FROM response_current r
LEFT JOIN kpm k USING (kpm_id)
LEFT JOIN wave w USING (wave);
