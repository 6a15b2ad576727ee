-- Staging tables for one file, private to the connection (TEMP). Rust checks
-- every cell, appends the good rows here and the bad ones to ingest_reject;
-- the merge_*.sql statements then move what is new into the canonical tables.

CREATE OR REPLACE TEMP TABLE stage_response (
    source_row         BIGINT NOT NULL,
    submission_id      VARCHAR NOT NULL,
    submitted_at       TIMESTAMP NOT NULL,
    kpm_id             VARCHAR NOT NULL,
    wave               VARCHAR NOT NULL,
    business_operating BOOLEAN,
    business_revenue   DOUBLE,
    business_income    DOUBLE,
    household_income   DOUBLE,
    saves              BOOLEAN,
    save_frequency     VARCHAR,
    savings_amount     DOUBLE,
    keeps_books        BOOLEAN,
    separates_money    BOOLEAN,
    has_business_plan  BOOLEAN,
    paid_workers       INTEGER,
    family_workers     INTEGER,
    has_nib            BOOLEAN,
    got_credit         BOOLEAN,
    credit_source      VARCHAR,
    sells_online       BOOLEAN,
    product_changes    VARCHAR,
    mentoring_sessions INTEGER,
    tksk_visits        INTEGER,
    attitude_1         INTEGER,
    attitude_2         INTEGER,
    attitude_3         INTEGER,
    attitude_4         INTEGER,
    attitude_5         INTEGER,
    saves_monthly      BOOLEAN,
    dated_at_load      BOOLEAN NOT NULL,
    local_clock        BOOLEAN NOT NULL,
    interviewed_at     TIMESTAMP
);

CREATE OR REPLACE TEMP TABLE stage_kpm (
    source_row    BIGINT NOT NULL,
    kpm_id        VARCHAR NOT NULL,
    nik_hash      VARCHAR,
    nik_masked    VARCHAR,
    nik_status    VARCHAR NOT NULL,
    kpm_name      VARCHAR,
    gender        VARCHAR,
    business_name VARCHAR,
    arm           VARCHAR NOT NULL,
    cohort_year   INTEGER,
    incubator_id  VARCHAR,
    mentor        VARCHAR,
    tksk          VARCHAR,
    cluster       VARCHAR,
    category      VARCHAR,
    province_code VARCHAR NOT NULL,
    regency_code  VARCHAR NOT NULL,
    district_code VARCHAR,
    grant_amount  DOUBLE,
    grant_date    DATE,
    consent_story BOOLEAN
);

CREATE OR REPLACE TEMP TABLE stage_incubator (
    source_row    BIGINT NOT NULL,
    incubator_id  VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    university    VARCHAR,
    province_code VARCHAR
);

CREATE OR REPLACE TEMP TABLE stage_feedback (
    source_row    BIGINT NOT NULL,
    period        VARCHAR NOT NULL,
    site_level    VARCHAR NOT NULL,
    site_code     VARCHAR NOT NULL,
    author        VARCHAR,
    kind          VARCHAR NOT NULL,
    actor         VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    kpm_id        VARCHAR,
    consent_story BOOLEAN
);

-- How a KPM id is matched to one written otherwise (kpm_spelling.sql,
-- register_spelling.sql): in any capitals, and, when it is digits alone,
-- without its leading zeros and a `.0` a program added (`001` and `1`, as
-- Excel drops the zeros of a number; `12.0` as pandas writes an integer
-- column with gaps). An id is never changed by it, only named or refused.
CREATE OR REPLACE TEMP MACRO kpm_key(id) AS
    CASE WHEN regexp_full_match(id, '[0-9]+(\.0+)?') THEN ltrim(split_part(id, '.', 1), '0')
         ELSE upper(id) END;
