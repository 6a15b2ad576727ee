-- The canonical ProKUS model. Run at every `prokus` start (idempotent).
-- Every input row of a survey export ends in exactly one of `response` or
-- `ingest_reject` (the reject table also holds duplicate submissions).

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Kemendagri reference (loaded from the binary at init).
CREATE TABLE IF NOT EXISTS province (
    code VARCHAR PRIMARY KEY,            -- `32`
    name VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS regency (
    code          VARCHAR PRIMARY KEY,   -- `32.17`
    province_code VARCHAR NOT NULL,
    name          VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS district (
    code         VARCHAR PRIMARY KEY,    -- `32.17.05` (kecamatan)
    regency_code VARCHAR NOT NULL,
    name         VARCHAR NOT NULL
);

-- One file read by `prokus ingest`.
CREATE TABLE IF NOT EXISTS ingest_batch (
    batch_id       INTEGER PRIMARY KEY,
    file           VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL UNIQUE,
    format         VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL
);

-- A programme settings file (targets, survey calendar, checks), loaded as a
-- batch of its own; the latest `setting_id` of a kind is the current one.
CREATE TABLE IF NOT EXISTS setting (
    setting_id INTEGER PRIMARY KEY,
    kind       VARCHAR NOT NULL,         -- targets, schedule, checks
    batch_id   INTEGER NOT NULL,         -- the ingest_batch of the file
    text       VARCHAR NOT NULL,
    loaded_at  TIMESTAMP NOT NULL
);

-- The canonical response fields a survey file carries a column for (the
-- questions its form or sheet asks), and for a sheet, form or register list
-- that registers households, or an incubator list, the columns it has. A
-- missing answer is a finding only where the question was asked, an
-- indicator decided by an unasked question is unknown for that file's KPM
-- (queries/metrics/kpm_value.sql), and a list's update keeps the columns it
-- lacks (queries/ingest/merge_register.sql); a batch without rows here
-- (loaded by an earlier prokus) is taken to ask every question.
CREATE TABLE IF NOT EXISTS batch_field (
    batch_id INTEGER NOT NULL,
    field    VARCHAR NOT NULL
);

-- A household field a sheet or form gave differently from the register for
-- a KPM it already had (queries/ingest/household_differences.sql): the
-- register wins; `prokus check` lists the difference.
CREATE TABLE IF NOT EXISTS household_difference (
    batch_id       INTEGER NOT NULL,
    source_row     BIGINT NOT NULL,
    kpm_id         VARCHAR NOT NULL,
    field          VARCHAR NOT NULL,
    given          VARCHAR NOT NULL,
    registered     VARCHAR
);

-- A row not loaded, with its reason. `kind` is `invalid` or `duplicate`;
-- one input row may have several `invalid` problems (one row each).
CREATE TABLE IF NOT EXISTS ingest_reject (
    batch_id    INTEGER NOT NULL,
    source_row  BIGINT NOT NULL,         -- 1-based, the header is row 1
    column_name VARCHAR,
    value       VARCHAR,
    kind        VARCHAR NOT NULL,        -- invalid, duplicate, orphan (a repeat row without its submission)
    reason      VARCHAR NOT NULL
);

-- Business incubators (Inkubator Bisnis) of the universities.
CREATE TABLE IF NOT EXISTS incubator (
    incubator_id  VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    university    VARCHAR,
    province_code VARCHAR,
    batch_id      INTEGER NOT NULL
);

-- KPM (Keluarga Penerima Manfaat): one beneficiary household = one business.
-- The NIK is kept only as a salted hash and a masked form.
-- kpm_id is unique: merge_register.sql and merge_template.sql add a KPM only
-- where its id is not registered yet, and refuse a second row of one id in a
-- file. It is not declared PRIMARY KEY, like `response`'s submission_id:
-- building and writing that index was about a quarter of adding a template's
-- 200,000 new KPM. Databases made before keep theirs.
CREATE TABLE IF NOT EXISTS kpm (
    kpm_id        VARCHAR NOT NULL,
    nik_hash      VARCHAR,
    nik_masked    VARCHAR,
    nik_status    VARCHAR NOT NULL,
    kpm_name      VARCHAR,
    gender        VARCHAR,               -- `female` / `male` (of the business owner)
    business_name VARCHAR,
    arm           VARCHAR NOT NULL,      -- `prokus` / `comparison`
    cohort_year   INTEGER,
    incubator_id  VARCHAR,               -- NULL in the comparison group
    mentor        VARCHAR,
    tksk          VARCHAR,
    cluster       VARCHAR,               -- fesyen / agribisnis / ritel / kuliner
    category      VARCHAR,               -- start_up / scale_up / inkubasi
    province_code VARCHAR NOT NULL,
    regency_code  VARCHAR NOT NULL,
    district_code VARCHAR,
    grant_amount  DOUBLE,
    grant_date    DATE,
    batch_id      INTEGER NOT NULL,
    consent_story BOOLEAN                -- agreed that its story be told (success stories)
);
-- Columns added after the first release, for databases created before them.
ALTER TABLE kpm ADD COLUMN IF NOT EXISTS consent_story BOOLEAN;

-- Written feedback (the feedback sheet): what an incubator or a social
-- office wrote for a quarter, each piece tagged with the actor it addresses,
-- and the stories of KPM told by their incubator. A later sheet of the same
-- writer and quarter replaces the earlier one (queries/ingest/merge_feedback.sql).
CREATE TABLE IF NOT EXISTS feedback (
    batch_id      INTEGER NOT NULL,
    source_row    BIGINT NOT NULL,
    period        VARCHAR NOT NULL,      -- quarter, `2021-Q3`
    site_level    VARCHAR NOT NULL,      -- who writes: incubator / regency / province
    site_code     VARCHAR NOT NULL,      -- its id or dotted region code
    author        VARCHAR,
    kind          VARCHAR NOT NULL,      -- achievement / challenge / obstacle / request / story
    actor         VARCHAR NOT NULL,      -- kpm / incubator / dinas_sosial / korkab / pkh_facilitator / tksk
    text          VARCHAR NOT NULL,      -- printed verbatim, as text
    kpm_id        VARCHAR,               -- the KPM a story tells of
    consent_story BOOLEAN                -- the sheet's own record of the KPM's consent
);

-- Survey rounds.
CREATE TABLE IF NOT EXISTS wave (
    wave     VARCHAR PRIMARY KEY,
    ordinal  INTEGER NOT NULL,
    label_id VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL
);
INSERT OR IGNORE INTO wave VALUES
    ('baseline',     0, 'Survei awal',  'Baseline'),
    ('monitoring_1', 1, 'Monitoring 1', 'Monitoring 1'),
    ('monitoring_2', 2, 'Monitoring 2', 'Monitoring 2'),
    ('monitoring_3', 3, 'Monitoring 3', 'Monitoring 3'),
    ('endline',      4, 'Survei akhir', 'Endline'),
    ('followup',     5, 'Tindak lanjut', 'Follow-up');

-- One survey submission: one KPM in one wave. Two submissions for the same
-- KPM and wave are both kept; `response_current` picks the latest.
-- submission_id is unique: merge_response.sql rejects a second copy before it
-- is inserted. It is not declared PRIMARY KEY: maintaining that index made
-- inserting a large export several times slower.
CREATE TABLE IF NOT EXISTS response (
    submission_id      VARCHAR NOT NULL,     -- Kobo _uuid / ODK KEY / instanceID
    kpm_id             VARCHAR NOT NULL,
    wave               VARCHAR NOT NULL,
    submitted_at       TIMESTAMP NOT NULL,   -- UTC, unless local_clock
    business_operating BOOLEAN,
    business_revenue   DOUBLE,               -- Rp per month
    business_income    DOUBLE,               -- net, Rp per month
    household_income   DOUBLE,               -- Rp per month
    saves              BOOLEAN,
    save_frequency     VARCHAR,              -- daily / weekly / monthly / rarely
    saves_monthly      BOOLEAN,              -- as hand-filled sheets say it
    savings_amount     DOUBLE,               -- Rp per month
    keeps_books        BOOLEAN,
    separates_money    BOOLEAN,
    has_business_plan  BOOLEAN,
    paid_workers       INTEGER,
    family_workers     INTEGER,
    has_nib            BOOLEAN,
    got_credit         BOOLEAN,
    credit_source      VARCHAR,
    sells_online       BOOLEAN,
    product_changes    VARCHAR,              -- space-separated choice names
    mentoring_sessions INTEGER,
    tksk_visits        INTEGER,              -- visits by the TKSK (sub-district social worker) this month
    attitude_1         INTEGER,              -- 1..5 Likert
    attitude_2         INTEGER,
    attitude_3         INTEGER,
    attitude_4         INTEGER,
    attitude_5         INTEGER,
    batch_id           INTEGER NOT NULL,
    source_row         BIGINT NOT NULL,
    -- A hand-filled row with no date: `submitted_at` is when it was loaded.
    -- Such an answer counts in its round but in no quarter or year to date,
    -- and is not judged on time or late.
    dated_at_load      BOOLEAN,
    -- A hand-filled row whose date or time names no time zone: `submitted_at`
    -- is the local time the sheet wrote, not UTC. Its local day, quarter and
    -- year are its own; every other answer's are those of UTC plus the
    -- programme's `utc_offset_hours` (the survey calendar's, WIB by default).
    -- NULL (rows loaded before the column) is read as UTC.
    local_clock        BOOLEAN,
    -- When the interview was made, in UTC: a Kobo/ODK form's `end` (or
    -- `start`), kept when it names the device's offset and falls at most 90
    -- days before the submission (survey.rs, `interview_time`); NULL for a
    -- hand-filled sheet, whose date is the interview's, and where the
    -- export has none. It sets the answer's day, quarter and year
    -- (`answered_local` below); `submitted_at` still says whether it was
    -- sent on time, and which of two answers is the latest.
    interviewed_at     TIMESTAMP
);

-- Columns added after the first release, for databases created before them.
ALTER TABLE response ADD COLUMN IF NOT EXISTS tksk_visits INTEGER;
ALTER TABLE response ADD COLUMN IF NOT EXISTS dated_at_load BOOLEAN;
ALTER TABLE response ADD COLUMN IF NOT EXISTS local_clock BOOLEAN;
ALTER TABLE response ADD COLUMN IF NOT EXISTS interviewed_at TIMESTAMP;

-- The one rule between an answer's stored time and the programme's local
-- time (`local_clock` above), `hours` east of UTC (the survey calendar's
-- `utc_offset_hours`, which the caller passes): the local time, which
-- sets an answer's day, quarter and year, and the UTC time, which the
-- checks add the offset to themselves.
CREATE OR REPLACE MACRO local_time(t, is_local, hours) AS
    CASE WHEN is_local THEN t ELSE t + to_hours(hours::BIGINT) END;
CREATE OR REPLACE MACRO utc_time(t, is_local, hours) AS
    CASE WHEN is_local THEN t - to_hours(hours::BIGINT) ELSE t END;
-- The local time an answer was made, which sets its day, quarter and year:
-- its interview's (`interviewed_at`, UTC) where the export gave one, else
-- that of its stored time.
CREATE OR REPLACE MACRO answered_local(t, is_local, interviewed, hours) AS
    CASE WHEN interviewed IS NOT NULL THEN interviewed + to_hours(hours::BIGINT)
         ELSE local_time(t, is_local, hours) END;

-- The submissions a later one replaced: for each KPM and wave answered more
-- than once, every submission but the latest, with the latest (`kept_id`,
-- `kept_at`) and its own row id in `response` (`rid`). Most KPM answer a
-- wave once: a grouped count finds those that answered it again, and the
-- ordered window runs over their submissions alone. The one rule of which
-- submission counts: `response_current` and `response_superseded` below
-- and the check queries/quality/superseded.sql all read it.
--
-- The latest is the one submitted last, and of two submitted at the same
-- time the one loaded last (of one file, its later row): a sheet sent again
-- with a value corrected and its interview dates as they were replaces the
-- first. Where one of them has no date of its own (`dated_at_load`), the
-- one loaded last: a sheet sent again with its dates filled in replaces
-- the undated one, which its load time would otherwise keep ahead of any
-- real date.
CREATE OR REPLACE VIEW response_replaced AS
WITH answered_again AS (
    SELECT kpm_id, wave, bool_or(dated_at_load) AS by_load
    FROM response GROUP BY ALL HAVING count(*) > 1
)
SELECT r.rowid AS rid,
       r.kpm_id,
       r.wave,
       r.submission_id,
       r.submitted_at,
       first_value(r.submission_id) OVER latest AS kept_id,
       first_value(r.submitted_at) OVER latest AS kept_at,
       -- Whether the kept one's time is a sheet's local time, not UTC.
       first_value(r.local_clock) OVER latest AS kept_local
FROM response r
JOIN answered_again a USING (kpm_id, wave)
WINDOW latest AS (PARTITION BY r.kpm_id, r.wave
                  ORDER BY CASE WHEN a.by_load THEN r.batch_id END DESC NULLS LAST,
                           CASE WHEN a.by_load THEN r.source_row END DESC NULLS LAST,
                           r.submitted_at DESC, r.batch_id DESC, r.source_row DESC,
                           r.submission_id DESC)
QUALIFY row_number() OVER latest > 1;

-- The latest submission of each KPM in each wave: the replaced ones left
-- out by row id (faster than a window over whole rows).
CREATE OR REPLACE VIEW response_current AS
SELECT *
FROM response
ANTI JOIN response_replaced ON response.rowid = response_replaced.rid;

CREATE OR REPLACE VIEW response_superseded AS
SELECT *
FROM response
SEMI JOIN response_replaced ON response.rowid = response_replaced.rid;

-- The written feedback each writer's latest sheet for a quarter holds: a
-- corrected sheet replaces the earlier one of the same writer and quarter
-- in every report, and the earlier rows are kept beneath it, so that
-- withdrawing the correction (`prokus withdraw`) brings them back.
-- Withdrawing the earlier sheet takes its text out of the database.
CREATE OR REPLACE VIEW feedback_current AS
SELECT f.*
FROM feedback f
SEMI JOIN (SELECT site_level, site_code, period, max(batch_id) AS batch_id
           FROM feedback GROUP BY ALL) latest
    USING (site_level, site_code, period, batch_id);
