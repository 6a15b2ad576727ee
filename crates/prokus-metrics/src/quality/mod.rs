//! Data quality: what `prokus check` lists for the M&E team and sends back to
//! each incubator.
//!
//! Every problem is one [`Finding`]: a KPM (and, for answers, a wave and a
//! submission), what was found, the answer concerned and what to do about
//! it. The checks, their fields and thresholds are data
//! (`queries/checks.toml`, [`CheckConfig`]); the SQL is in `queries/quality/`:
//!
//! - **duplicates**: a second submission for the same KPM and wave, a NIK
//!   given to two KPM, identical answers from two KPM of one incubator;
//! - **register**: a NIK that failed its checks at loading;
//! - **outliers**: answers far from their incubator's median in the wave
//!   (robust z-score from the median and MAD);
//! - **changes**: money multiplied or divided by ten between two waves,
//!   counts jumping;
//! - **missing answers** the indicators need, respecting the form's relevance;
//! - **contradictions** within a submission (net income above revenue, …);
//! - **completeness and timeliness** per incubator and wave against the
//!   survey calendar ([`Schedule`]): KPM not surveyed once a window has
//!   closed, submissions after the deadline or before the window opened.
//!
//! Nothing is capped: every finding is listed. The comparison group has no
//! incubator: its households are judged and reported per province.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use duckdb::Connection;
use duckdb::arrow::array::{Array, BooleanArray, Int32Array, Int64Array, StringArray};
use duckdb::arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::MetricsError;
use crate::schedule::Schedule;
use crate::sql::arrow_column;

mod changes;
mod outliers;
mod words;
mod write;

pub use write::{COMPLETENESS_COLUMNS, Cell, FINDING_COLUMNS, Sheet, workbook};

const CHECKS_TOML: &str = include_str!("../../../../queries/checks.toml");
/// The checks' latest answers (`qc_current`), also kept for a whole report
/// run by [`crate::keep_current_answers`].
pub(crate) const CURRENT_SQL: &str = include_str!("../../../../queries/quality/current.sql");
const KPM_SQL: &str = include_str!("../../../../queries/quality/kpm.sql");
const SUPERSEDED_SQL: &str = include_str!("../../../../queries/quality/superseded.sql");
const REGISTER_SQL: &str = include_str!("../../../../queries/quality/register.sql");
const IDENTICAL_SQL: &str = include_str!("../../../../queries/quality/identical.sql");
const INCONSISTENT_SQL: &str = include_str!("../../../../queries/quality/inconsistent.sql");
const MISSING_SQL: &str = include_str!("../../../../queries/quality/missing.sql");
const REGISTER_DIFFERS_SQL: &str = include_str!("../../../../queries/quality/register_differs.sql");
const NOT_COLLECTED_SQL: &str = include_str!("../../../../queries/quality/not_collected.sql");

/// Where the robust outlier check draws the line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierConfig {
    /// |z| above this is listed.
    pub max_z: f64,
    /// Groups with fewer answers are not judged.
    pub min_n: u32,
    /// Money fields, compared on the log scale.
    pub money: Vec<String>,
    /// Count fields, compared on their own scale.
    pub counts: Vec<String>,
}

/// Where the between-waves check draws the line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeConfig {
    /// A money answer multiplied or divided by at least this much is listed.
    pub max_ratio: f64,
    /// Money fields.
    pub money: Vec<String>,
    /// A count changing by at least this much is listed.
    pub max_jump: f64,
    /// Count fields.
    pub counts: Vec<String>,
}

/// One answer the indicators need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    /// The answer's field.
    pub field: String,
    /// A yes/no field that must be yes for the question to be asked.
    #[serde(default)]
    pub when: Option<String>,
    /// Only for these arms.
    #[serde(default)]
    pub arms: Option<Vec<String>>,
    /// Only in these waves.
    #[serde(default)]
    pub waves: Option<Vec<String>>,
}

/// The checks' fields and thresholds (`queries/checks.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// Robust outliers.
    pub outliers: OutlierConfig,
    /// Changes between waves.
    pub changes: ChangeConfig,
    /// Required answers.
    #[serde(default)]
    pub required: Vec<Required>,
}

impl CheckConfig {
    /// The configuration shipped in `queries/checks.toml`.
    pub fn builtin() -> Self {
        Self::parse(CHECKS_TOML).expect("the built-in check configuration is checked by tests")
    }

    /// Parses a check configuration (field names are checked against the
    /// database when the checks run).
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        let c: CheckConfig =
            toml::from_str(text).map_err(|e| MetricsError::Checks(e.to_string()))?;
        let at_most = |x: f64, floor: f64| x.is_nan() || x <= floor;
        if at_most(c.outliers.max_z, 0.0)
            || at_most(c.changes.max_ratio, 1.0)
            || at_most(c.changes.max_jump, 0.0)
        {
            return Err(MetricsError::Checks(
                "max_z and max_jump must be positive and max_ratio above 1".into(),
            ));
        }
        // A required answer limited to a wave or arm the data cannot have
        // would never be judged missing, and nothing would say why.
        for (i, r) in c.required.iter().enumerate() {
            let at = |what: String| {
                MetricsError::Checks(format!(
                    "[[required]] number {} ({}): {what}",
                    i + 1,
                    r.field
                ))
            };
            for wave in r.waves.iter().flatten() {
                if !crate::WAVES.contains(&wave.as_str()) {
                    let meant =
                        prokus_ingest::settings::did_you_mean(wave, crate::WAVES.iter().copied());
                    return Err(at(format!(
                        "wave `{wave}` is not a survey wave{meant}; the waves are: {}",
                        crate::WAVES.join(", ")
                    )));
                }
            }
            if let Some(arm) = r
                .arms
                .iter()
                .flatten()
                .find(|a| !matches!(a.as_str(), "prokus" | "comparison"))
            {
                return Err(at(format!(
                    "unknown arm `{arm}` (use prokus or comparison)"
                )));
            }
        }
        Ok(c)
    }

    fn fields(&self) -> impl Iterator<Item = &str> {
        let o = &self.outliers;
        let c = &self.changes;
        o.money
            .iter()
            .chain(&o.counts)
            .chain(&c.money)
            .chain(&c.counts)
            .map(String::as_str)
            .chain(
                self.required
                    .iter()
                    .flat_map(|r| std::iter::once(r.field.as_str()).chain(r.when.as_deref())),
            )
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Check {
    /// A NIK that failed its checks at loading.
    NikInvalid,
    /// A NIK given to two or more KPM.
    SameNik,
    /// A sheet or form gives a household field unlike the register.
    RegisterDiffers,
    /// A later submission for the same KPM and wave replaced this one.
    Superseded,
    /// Identical answers from two or more KPM.
    Identical,
    /// A required answer is empty.
    Missing,
    /// Two answers of one submission contradict each other.
    Inconsistent,
    /// An answer far from the unit's median.
    Outlier,
    /// An implausible change since the previous wave.
    Change,
    /// No answer from a KPM once the wave's window closed.
    NoResponse,
    /// Sent after the window closed.
    Late,
    /// Sent before the window opened.
    Early,
    /// A hand-filled answer without an interview date, dated when loaded.
    Undated,
}

impl Check {
    /// Every check, in the order findings are listed.
    pub const ALL: [Check; 13] = [
        Check::NikInvalid,
        Check::SameNik,
        Check::RegisterDiffers,
        Check::Superseded,
        Check::Identical,
        Check::Missing,
        Check::Inconsistent,
        Check::Outlier,
        Check::Change,
        Check::NoResponse,
        Check::Late,
        Check::Early,
        Check::Undated,
    ];

    /// The code written to the `check` column.
    pub fn code(self) -> &'static str {
        match self {
            Check::NikInvalid => "nik_invalid",
            Check::SameNik => "same_nik",
            Check::RegisterDiffers => "register_differs",
            Check::Superseded => "duplicate_submission",
            Check::Identical => "identical_answers",
            Check::Missing => "missing_answer",
            Check::Inconsistent => "inconsistent_answers",
            Check::Outlier => "outlier",
            Check::Change => "implausible_change",
            Check::NoResponse => "no_response",
            Check::Late => "late",
            Check::Early => "early",
            Check::Undated => "no_date",
        }
    }

    /// The check's name for people, in `lang`.
    pub fn label(self, lang: crate::format::Lang) -> &'static str {
        let (id, en) = match self {
            Check::NikInvalid => ("NIK tidak sah", "invalid NIK"),
            Check::SameNik => ("NIK ganda", "same NIK"),
            Check::RegisterDiffers => ("beda dengan daftar KPM", "differs from the register"),
            Check::Superseded => ("kiriman ganda", "duplicate submission"),
            Check::Identical => ("jawaban identik", "identical answers"),
            Check::Missing => ("jawaban kosong", "missing answer"),
            Check::Inconsistent => ("jawaban bertentangan", "contradicting answers"),
            Check::Outlier => ("nilai ekstrem", "outlier"),
            Check::Change => ("perubahan tak wajar", "implausible change"),
            Check::NoResponse => ("belum disurvei", "not surveyed"),
            Check::Late => ("terlambat", "late"),
            Check::Early => ("sebelum jadwal", "early"),
            Check::Undated => ("tanpa tanggal wawancara", "no interview date"),
        };
        match lang {
            crate::format::Lang::Id => id,
            crate::format::Lang::En => en,
        }
    }

    /// `error` must be fixed before the data can be trusted; `warning` is to
    /// be confirmed.
    pub fn severity(self) -> &'static str {
        match self {
            Check::NikInvalid | Check::SameNik | Check::Missing | Check::Inconsistent => "error",
            _ => "warning",
        }
    }
}

/// Two answers that contradict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Net business income above revenue.
    IncomeAboveRevenue,
    /// A closed business with revenue.
    ClosedWithRevenue,
    /// A closed business with paid workers.
    ClosedWithWorkers,
    /// An amount saved by a household that does not save.
    SavingsWithoutSaving,
    /// Household income below the business's net income.
    HouseholdBelowBusiness,
}

impl Rule {
    fn parse(code: &str) -> Option<Rule> {
        Some(match code {
            "income_above_revenue" => Rule::IncomeAboveRevenue,
            "closed_with_revenue" => Rule::ClosedWithRevenue,
            "closed_with_workers" => Rule::ClosedWithWorkers,
            "savings_without_saving" => Rule::SavingsWithoutSaving,
            "household_below_business" => Rule::HouseholdBelowBusiness,
            _ => return None,
        })
    }
}

/// What was found, with what its message needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Detail {
    /// A household field given unlike the register (which was kept).
    RegisterDiffers {
        /// What the sheet or form gave.
        given: String,
        /// What the register has.
        registered: Option<String>,
    },
    /// The register's NIK check (`kpm.nik_status`).
    NikInvalid {
        /// `missing`, `bad_length`, `excel_damaged`, `unknown_region`, `bad_birth_date`.
        status: String,
    },
    /// The same NIK as other KPM.
    SameNik {
        /// The masked NIK (first and last four digits).
        nik_masked: Option<String>,
        /// The other KPM and their units.
        others: Vec<(String, String)>,
    },
    /// Replaced by a later submission.
    Superseded {
        /// The submission used.
        kept: String,
        /// When it was sent (UTC).
        kept_at: NaiveDateTime,
    },
    /// Identical answers to other KPM of the same unit.
    Identical {
        /// Some of the other KPM (at most five).
        peers: Vec<String>,
        /// How many other KPM share the answers.
        others: usize,
    },
    /// A robust outlier.
    Outlier {
        /// The unit's median in the wave.
        median: f64,
        /// Answers the median is from.
        n: i64,
        /// The robust z-score.
        z: f64,
    },
    /// A change since the previous answered wave.
    Change {
        /// The previous wave.
        previous_wave: String,
        /// The previous answer.
        previous: f64,
    },
    /// A required answer is empty.
    Missing {
        /// The condition under which it is asked.
        when: Option<String>,
    },
    /// Contradicting answers.
    Inconsistent {
        /// Which contradiction.
        rule: Rule,
        /// The answer contradicted (net income for `HouseholdBelowBusiness`, revenue for `IncomeAboveRevenue`).
        other: Option<f64>,
    },
    /// No answer once the window closed.
    NoResponse {
        /// The window's last day.
        closes: NaiveDate,
    },
    /// Sent after the deadline.
    Late {
        /// The window's last day.
        closes: NaiveDate,
        /// The local day it was sent.
        sent: NaiveDate,
        /// The local day of its interview (a Kobo/ODK form's `end`), when
        /// it was by the deadline: the form waited on the device.
        interviewed: Option<NaiveDate>,
    },
    /// Sent before the window opened.
    Early {
        /// The window's first day.
        opens: NaiveDate,
        /// The local day it was sent.
        sent: NaiveDate,
    },
    /// No interview date: dated when it was loaded.
    Undated {
        /// The local day it was loaded.
        loaded: NaiveDate,
    },
}

impl Detail {
    /// The check this detail belongs to.
    pub fn check(&self) -> Check {
        match self {
            Detail::NikInvalid { .. } => Check::NikInvalid,
            Detail::SameNik { .. } => Check::SameNik,
            Detail::Superseded { .. } => Check::Superseded,
            Detail::Identical { .. } => Check::Identical,
            Detail::Outlier { .. } => Check::Outlier,
            Detail::Change { .. } => Check::Change,
            Detail::Missing { .. } => Check::Missing,
            Detail::Inconsistent { .. } => Check::Inconsistent,
            Detail::NoResponse { .. } => Check::NoResponse,
            Detail::Late { .. } => Check::Late,
            Detail::Early { .. } => Check::Early,
            Detail::Undated { .. } => Check::Undated,
            Detail::RegisterDiffers { .. } => Check::RegisterDiffers,
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The unit the KPM belongs to: its incubator id, `comparison-<province
    /// code>` for the comparison group, `unregistered` for answers of a KPM
    /// missing from the register.
    pub unit_id: String,
    /// The KPM.
    pub kpm_id: String,
    /// The wave, for a finding about answers.
    pub wave: Option<String>,
    /// The submission (Kobo `_uuid`, ODK `KEY`), for a finding about one.
    pub submission_id: Option<String>,
    /// The answer concerned (canonical field name).
    pub field: Option<String>,
    /// Its value.
    pub value: Option<f64>,
    /// What was found.
    pub detail: Detail,
}

/// Completeness and timeliness of one unit in one wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completeness {
    /// The unit (see [`Finding::unit_id`]).
    pub unit_id: String,
    /// The wave.
    pub wave: String,
    /// The wave's window for this unit's KPM, when the calendar has one.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// KPM the calendar expects an answer from (`None` without a window).
    pub expected: Option<u64>,
    /// KPM who answered.
    pub responded: u64,
    /// Of them, sent within the window.
    pub on_time: u64,
    /// Sent after it closed.
    pub late: u64,
    /// Expected KPM without an answer.
    pub missing: u64,
    /// Whether the window had closed on the check's date.
    pub closed: bool,
}

impl Completeness {
    fn empty(unit_id: &str, wave: &str) -> Self {
        Completeness {
            unit_id: unit_id.to_string(),
            wave: wave.to_string(),
            window: None,
            expected: None,
            responded: 0,
            on_time: 0,
            late: 0,
            missing: 0,
            closed: false,
        }
    }

    /// Share of expected KPM who answered, in %.
    pub fn completeness_pct(&self) -> Option<f64> {
        self.expected
            .filter(|&e| e > 0)
            .map(|e| 100.0 * e.saturating_sub(self.missing) as f64 / e as f64)
    }

    /// Share of answers sent by the deadline, in %.
    pub fn timeliness_pct(&self) -> Option<f64> {
        (self.window.is_some() && self.responded > 0)
            .then(|| 100.0 * self.on_time as f64 / self.responded as f64)
    }
}

/// Completeness and timeliness summed over units and waves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Answers the calendar expects so far.
    pub expected: u64,
    /// Of them, not given.
    pub missing: u64,
    /// Answers given.
    pub responded: u64,
    /// Of them, sent late.
    pub late: u64,
}

impl Totals {
    /// Share of expected answers given, in % (`None` when none is expected).
    pub fn completeness_pct(&self) -> Option<f64> {
        (self.expected > 0)
            .then(|| 100.0 * (self.expected - self.missing) as f64 / self.expected as f64)
    }
}

/// A unit's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitName {
    /// The incubator's name.
    pub incubator: Option<String>,
    /// The province (of the comparison group).
    pub province: Option<String>,
}

/// Everything `prokus check` found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QualityReport {
    /// The date completeness and timeliness are judged on.
    pub as_of: NaiveDate,
    /// Every finding, by unit, KPM, wave and check.
    pub findings: Vec<Finding>,
    /// Per unit and wave, by unit and wave.
    pub completeness: Vec<Completeness>,
    /// The units' names.
    pub units: HashMap<String, UnitName>,
    /// The KPM's names.
    pub kpm_names: HashMap<String, String>,
    /// Wave labels (Indonesian, English) and order.
    pub waves: HashMap<String, (i32, String, String)>,
    /// The calendar's time zone, for the days shown.
    pub utc_offset_hours: i32,
    /// The files that do not ask some of the required questions: their
    /// answers are not judged missing there (empty in an incubator's share).
    pub not_collected: Vec<NotCollected>,
}

/// Required questions a survey file has no column for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCollected {
    /// The file as it was loaded.
    pub file: String,
    /// Its answers the checks read (the current ones).
    pub answers: u64,
    /// The required fields it does not carry, in the configuration's order.
    pub fields: Vec<String>,
}

/// A KPM, its masked NIK and the other KPM (and their units) sharing it.
type SharedNik = (String, Option<String>, Vec<(String, String)>);

#[derive(Clone, Copy)]
struct KpmInfo {
    /// Its unit in `unit_ids`.
    unit: usize,
    /// Its number, in the order read.
    index: usize,
    /// Its arm and cohort in `profiles`.
    profile: usize,
}

/// Quotes a field name after checking it is a column of `response`.
fn column(name: &str, columns: &HashSet<String>) -> Result<String, MetricsError> {
    if columns.contains(name) {
        Ok(format!("\"{name}\""))
    } else {
        let mut known: Vec<&str> = columns.iter().map(String::as_str).collect();
        known.sort_unstable();
        Err(MetricsError::Checks(format!(
            "`{name}` is not an answer field; the answer fields are: {}",
            known.join(", ")
        )))
    }
}

/// The answer fields of the database's `response` table, once every field
/// `config` names is found among them; else [`MetricsError::Checks`] naming
/// the first that is not, with the fields there are. Cheap (the catalog
/// alone): a run that checks late asks it first, so that a configuration
/// naming no answer field fails before anything is written.
pub fn answer_fields(
    conn: &Connection,
    config: &CheckConfig,
) -> Result<HashSet<String>, MetricsError> {
    let types: HashMap<String, String> = {
        let mut stmt = conn.prepare(
            "SELECT column_name, data_type FROM information_schema.columns
             WHERE table_name = 'response' AND column_name NOT IN
                 ('submission_id', 'kpm_id', 'wave', 'submitted_at', 'batch_id', 'source_row',
                  'dated_at_load', 'local_clock')",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let columns: HashSet<String> = types.keys().cloned().collect();
    for f in config.fields() {
        column(f, &columns)?;
    }
    // What each check does with a field's answers needs its type: the
    // outliers and changes compute with numbers, and `when` is a yes/no
    // answer. A text field there would fail the checks on the first answer
    // that is no number (or no yes/no), in the middle of a run.
    let numbers = [
        "DOUBLE", "INTEGER", "BIGINT", "FLOAT", "DECIMAL", "SMALLINT",
    ];
    let of_type = |fields: Vec<&String>, wanted: &[&str], what: &str| {
        fields
            .into_iter()
            .find(|f| !wanted.contains(&types[f.as_str()].as_str()))
            .map_or(Ok(()), |f| {
                let kind = match types[f.as_str()].as_str() {
                    "BOOLEAN" => "a yes/no",
                    "VARCHAR" => "a text",
                    t if numbers.contains(&t) => "a number",
                    _ => "another kind of",
                };
                Err(MetricsError::Checks(format!(
                    "`{f}` is {kind} answer, not {what}"
                )))
            })
    };
    let numbers = [
        "DOUBLE", "INTEGER", "BIGINT", "FLOAT", "DECIMAL", "SMALLINT",
    ];
    let (o, c) = (&config.outliers, &config.changes);
    of_type(
        o.money
            .iter()
            .chain(&o.counts)
            .chain(&c.money)
            .chain(&c.counts)
            .collect(),
        &numbers,
        "a number the outliers and changes can be computed on",
    )?;
    of_type(
        config
            .required
            .iter()
            .filter_map(|r| r.when.as_ref())
            .collect(),
        &["BOOLEAN"],
        "a yes/no answer that `when` can require to be yes",
    )?;
    Ok(columns)
}

/// Runs every check. `as_of` is the date windows are judged on: by default
/// the local day of the latest submission (the data's snapshot), so that a
/// check of old data does not call a future window late.
pub fn check(
    conn: &Connection,
    config: &CheckConfig,
    schedule: &Schedule,
    as_of: Option<NaiveDate>,
) -> Result<QualityReport, MetricsError> {
    let columns = answer_fields(conn, config)?;
    let started = std::time::Instant::now();
    // Made here unless the caller keeps them (a report run, which reads
    // them before and after): then they are its to drop.
    let kept = crate::compute::current_answers_kept(conn)?;
    if !kept {
        tracing::debug!(sql = "queries/quality/current.sql", "latest answers");
        conn.execute_batch(CURRENT_SQL)?;
    }
    conn.execute_batch(crate::sql::part(KPM_SQL, "number"))?;
    let result = run_checks(conn, config, schedule, as_of, &columns);
    conn.execute_batch("DROP TABLE IF EXISTS qc_kpm")?;
    if !kept {
        conn.execute_batch("DROP TABLE IF EXISTS qc_current")?;
    }
    if let Ok(report) = &result {
        tracing::info!(
            findings = report.findings.len(),
            ms = started.elapsed().as_millis() as u64,
            "checks done"
        );
    }
    result
}

fn run_checks(
    conn: &Connection,
    config: &CheckConfig,
    schedule: &Schedule,
    as_of: Option<NaiveDate>,
    columns: &HashSet<String>,
) -> Result<QualityReport, MetricsError> {
    // The KPM and their units.
    let mut unit_ids: Vec<String> = Vec::new();
    let mut unit_index: HashMap<String, usize> = HashMap::new();
    let mut units: HashMap<String, UnitName> = HashMap::new();
    let mut kpm: HashMap<String, KpmInfo> = HashMap::new();
    // The same by number.
    let mut infos: Vec<KpmInfo> = Vec::new();
    let mut kpm_names: HashMap<String, String> = HashMap::new();
    // The arms and cohorts met, which decide a KPM's survey windows.
    let mut profiles: Vec<(String, Option<i32>)> = Vec::new();
    {
        // Read as Arrow columns, like the answers below.
        let mut stmt = conn.prepare(crate::sql::part(KPM_SQL, "read"))?;
        for batch in stmt.query_arrow([])? {
            let text = |index: usize| arrow_column::<StringArray>(&batch, index);
            let (ids, arms, names, unit_column) = (text(0)?, text(1)?, text(3)?, text(4)?);
            let (incubators, provinces) = (text(5)?, text(6)?);
            let cohorts = arrow_column::<Int32Array>(&batch, 2)?;
            let numbers = arrow_column::<Int64Array>(&batch, 7)?;
            let optional =
                |a: &StringArray, row: usize| (!a.is_null(row)).then(|| a.value(row).to_string());
            for row in 0..batch.num_rows() {
                let unit_id = unit_column.value(row);
                let unit = match unit_index.get(unit_id) {
                    Some(&unit) => unit,
                    None => {
                        unit_ids.push(unit_id.to_string());
                        unit_index.insert(unit_id.to_string(), unit_ids.len() - 1);
                        units.insert(
                            unit_id.to_string(),
                            UnitName {
                                incubator: optional(incubators, row),
                                province: optional(provinces, row),
                            },
                        );
                        unit_ids.len() - 1
                    }
                };
                let profile = (
                    arms.value(row),
                    (!cohorts.is_null(row)).then(|| cohorts.value(row)),
                );
                let profile = match profiles
                    .iter()
                    .position(|(a, c)| (a.as_str(), *c) == profile)
                {
                    Some(p) => p,
                    None => {
                        profiles.push((profile.0.to_string(), profile.1));
                        profiles.len() - 1
                    }
                };
                let kpm_id = ids.value(row).to_string();
                if let Some(name) = optional(names, row) {
                    kpm_names.insert(kpm_id.clone(), name);
                }
                // Numbered as the answers' read numbers them.
                let index = kpm.len();
                if numbers.value(row) != index as i64 {
                    return Err(MetricsError::Internal(format!(
                        "KPM {kpm_id} is number {} in qc_kpm, read as {index}",
                        numbers.value(row)
                    )));
                }
                let info = KpmInfo {
                    unit,
                    index,
                    profile,
                };
                infos.push(info);
                kpm.insert(kpm_id, info);
            }
        }
    }
    let waves: HashMap<String, (i32, String, String)> = {
        let mut stmt = conn.prepare("SELECT wave, ordinal, label_id, label_en FROM wave")?;
        stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
            .collect::<Result<_, _>>()?
    };
    let unit_of = |kpm_id: &str| {
        kpm.get(kpm_id)
            .map_or_else(|| "unregistered".to_string(), |k| unit_ids[k.unit].clone())
    };
    let mut findings = Vec::new();
    let mut push = |kpm_id: String,
                    wave: Option<String>,
                    submission_id: Option<String>,
                    field: Option<String>,
                    value: Option<f64>,
                    detail: Detail| {
        findings.push(Finding {
            unit_id: unit_of(&kpm_id),
            kpm_id,
            wave,
            submission_id,
            field,
            value,
            detail,
        });
    };

    // Register: NIK problems, shared NIKs (rows sorted by KPM).
    let mut shared: Option<SharedNik> = None;
    each_row(conn, REGISTER_SQL, [], |r| {
        let kpm_id: String = r.get(0)?;
        let nik = Some("nik".to_string());
        match r.get::<_, Option<String>>(3)? {
            None => push(
                kpm_id,
                None,
                None,
                nik,
                None,
                Detail::NikInvalid { status: r.get(1)? },
            ),
            Some(other) => {
                let other = (other, r.get(4)?);
                match &mut shared {
                    Some((k, _, others)) if *k == kpm_id => others.push(other),
                    _ => {
                        if let Some((k, nik_masked, others)) = shared.take() {
                            push(
                                k,
                                None,
                                None,
                                nik,
                                None,
                                Detail::SameNik { nik_masked, others },
                            );
                        }
                        shared = Some((kpm_id, r.get(2)?, vec![other]));
                    }
                }
            }
        }
        Ok(())
    })?;
    if let Some((k, nik_masked, others)) = shared {
        push(
            k,
            None,
            None,
            Some("nik".into()),
            None,
            Detail::SameNik { nik_masked, others },
        );
    }
    // Household fields a sheet or form gave unlike the register.
    each_row(conn, REGISTER_DIFFERS_SQL, [], |r| {
        push(
            r.get(0)?,
            Some(r.get(1)?),
            Some(r.get(2)?),
            Some(r.get(3)?),
            None,
            Detail::RegisterDiffers {
                given: r.get(4)?,
                registered: r.get(5)?,
            },
        );
        Ok(())
    })?;

    // Second submissions for one KPM and wave.
    each_row(conn, SUPERSEDED_SQL, [schedule.utc_offset_hours], |r| {
        let detail = Detail::Superseded {
            kept: r.get(4)?,
            kept_at: r.get(5)?,
        };
        push(
            r.get(0)?,
            Some(r.get(1)?),
            Some(r.get(2)?),
            None,
            None,
            detail,
        );
        Ok(())
    })?;

    // Identical answers within a unit and wave.
    each_row(conn, IDENTICAL_SQL, [], |r| {
        let kpm_id: String = r.get(0)?;
        let mut peers: Vec<String> = list_of_strings(r.get_ref(3)?);
        peers.retain(|p| *p != kpm_id);
        peers.sort();
        peers.truncate(5);
        let copies: i64 = r.get(4)?;
        let others = (copies - 1).max(0) as usize;
        let (wave, submission) = (Some(r.get(1)?), Some(r.get(2)?));
        push(
            kpm_id,
            wave,
            submission,
            None,
            None,
            Detail::Identical { peers, others },
        );
        Ok(())
    })?;

    // Contradictions: the rule's code comes after the submission.
    each_row(conn, INCONSISTENT_SQL, [], |r| {
        let code: String = r.get(3)?;
        let rule = Rule::parse(&code).ok_or_else(|| {
            MetricsError::Checks(format!("inconsistent.sql: unknown rule `{code}`"))
        })?;
        let detail = Detail::Inconsistent {
            rule,
            other: r.get(6)?,
        };
        push(
            r.get(0)?,
            Some(r.get(1)?),
            Some(r.get(2)?),
            Some(r.get(4)?),
            r.get(5)?,
            detail,
        );
        Ok(())
    })?;

    // Missing required answers.
    if !config.required.is_empty() {
        let parts = config
            .required
            .iter()
            .enumerate()
            .map(|(i, req)| {
                let when = match &req.when {
                    Some(w) => column(w, columns)?,
                    None => "TRUE".into(),
                };
                Ok(MISSING_SQL
                    .replace("/*index*/", &i.to_string())
                    .replace("/*field*/", &column(&req.field, columns)?)
                    .replace("/*when*/", &when)
                    .replace("/*name*/", &format!("${}", i + 1)))
            })
            .collect::<Result<Vec<String>, MetricsError>>()?;
        tracing::debug!(
            sql = "queries/quality/missing.sql",
            parts = parts.len(),
            "missing answers, one part per required field"
        );
        let mut stmt = conn.prepare(&parts.join("\nUNION ALL\n"))?;
        let names = config.required.iter().map(|r| r.field.as_str());
        let mut rows = stmt.query(duckdb::params_from_iter(names))?;
        while let Some(r) = rows.next()? {
            let i: i32 = r.get(0)?;
            let req = &config.required[i as usize];
            let wave: String = r.get(2)?;
            let arm: Option<String> = r.get(4)?;
            let arm_ok = req
                .arms
                .as_ref()
                .is_none_or(|arms| arm.as_ref().is_some_and(|a| arms.contains(a)));
            let wave_ok = req.waves.as_ref().is_none_or(|ws| ws.contains(&wave));
            if arm_ok && wave_ok {
                push(
                    r.get(1)?,
                    Some(wave),
                    Some(r.get(3)?),
                    Some(req.field.clone()),
                    None,
                    Detail::Missing {
                        when: req.when.clone(),
                    },
                );
            }
        }
    }

    // The latest answer of every KPM in every wave, read once as Arrow
    // columns for the outliers, the changes and the calendar's counts: the
    // row interface and counting under string keys cost several times as
    // much on a nationwide database. In no order: the counts do not depend
    // on it and the findings are sorted below (sorting the answers first
    // took a tenth of a second). With the unit, the KPM's number, the
    // wave's order, and the fields judged for outliers and for changes, as
    // doubles.
    let (o, c) = (&config.outliers, &config.changes);
    let judged: Vec<(&String, bool)> = (o.money.iter().map(|f| (f, true)))
        .chain(o.counts.iter().map(|f| (f, false)))
        .collect();
    let compared: Vec<(&String, bool)> = (c.money.iter().map(|f| (f, true)))
        .chain(c.counts.iter().map(|f| (f, false)))
        .collect();
    // Each field read once (the money fields are judged both ways), after
    // the nine columns above: a field's column is 9 + its place here.
    let mut read: Vec<&String> = Vec::new();
    for (field, _) in judged.iter().chain(&compared) {
        if !read.contains(field) {
            read.push(field);
        }
    }
    let at = |field: &String| 9 + read.iter().position(|f| *f == field).unwrap_or_default();
    let answers: Vec<RecordBatch> = {
        // Every time in UTC: a hand-filled sheet's local time is taken back
        // by the programme's offset (a parameter), which the days below add.
        let mut sql = String::from(
            "SELECT kpm_id, wave, submission_id,
                    epoch_us(utc_time(submitted_at, local_clock, $1)) AS submitted_us,
                    dated_at_load IS TRUE AS undated, unit_id, n.kpm_index, wave_ordinal,
                    epoch_us(interviewed_at) AS interviewed_us",
        );
        for field in &read {
            sql.push_str(&format!(", {}::DOUBLE", column(field, columns)?));
        }
        sql.push_str(" FROM qc_current LEFT JOIN qc_kpm n USING (kpm_id)");
        let mut stmt = conn.prepare(&sql)?;
        stmt.query_arrow([schedule.utc_offset_hours])?.collect()
    };
    let text = |batch: usize, row: usize, c: usize| -> Result<String, MetricsError> {
        Ok(arrow_column::<StringArray>(&answers[batch], c)?
            .value(row)
            .to_string())
    };
    // Robust outliers: money on the log scale, then counts.
    {
        let started = std::time::Instant::now();
        let fields: Vec<(usize, bool)> = judged.iter().map(|(f, log)| (at(f), *log)).collect();
        let found = outliers::find(&answers, (5, 1), &fields, i64::from(o.min_n), o.max_z)?;
        for outlier in &found {
            let cell = |c: usize| text(outlier.batch, outlier.row, c);
            push(
                cell(0)?,
                Some(cell(1)?),
                Some(cell(2)?),
                Some(judged[outlier.field].0.clone()),
                Some(outlier.x),
                Detail::Outlier {
                    median: outlier.median,
                    n: outlier.n,
                    z: outlier.z,
                },
            );
        }
        tracing::debug!(
            found = found.len(),
            ms = started.elapsed().as_millis() as u64,
            "outliers"
        );
    }
    // Implausible changes between a KPM's answered waves.
    {
        let started = std::time::Instant::now();
        let fields: Vec<(usize, bool)> =
            compared.iter().map(|(f, money)| (at(f), *money)).collect();
        let read = changes::Columns {
            kpm_id: 0,
            kpm_index: 6,
            ordinal: 7,
            fields: &fields,
        };
        let found = changes::find(&answers, &read, infos.len(), c.max_ratio, c.max_jump)?;
        for change in &found {
            let cell = |c: usize| text(change.batch, change.row, c);
            push(
                cell(0)?,
                Some(cell(1)?),
                Some(cell(2)?),
                Some(compared[change.field].0.clone()),
                Some(change.x),
                Detail::Change {
                    previous_wave: text(change.previous_at.0, change.previous_at.1, 1)?,
                    previous: change.previous,
                },
            );
        }
        tracing::debug!(
            found = found.len(),
            ms = started.elapsed().as_millis() as u64,
            "changes between waves"
        );
    }
    // Completeness and timeliness against the calendar, counted by wave
    // number and KPM number. The waves by number: the calendar's first,
    // then any other answered.
    let mut wave_names: Vec<&str> = Vec::new();
    for w in &schedule.windows {
        intern(&mut wave_names, &w.wave);
    }
    let calendar_waves = wave_names.len();
    // For every arm and cohort, the window of each calendar wave that covers
    // it (the first, in the calendar's order).
    let windows: Vec<Vec<Option<usize>>> = profiles
        .iter()
        .map(|(arm, cohort)| {
            wave_names
                .iter()
                .map(|wave| schedule.window_index(wave, arm, *cohort))
                .collect()
        })
        .collect();
    let mut answered = vec![false; kpm.len() * calendar_waves];
    let mut cells: HashMap<(usize, usize), Completeness> = HashMap::new();
    let mut latest: Option<NaiveDate> = None;
    for batch in &answers {
        let (kpm_ids, wave_column) = (
            arrow_column::<StringArray>(batch, 0)?,
            arrow_column::<StringArray>(batch, 1)?,
        );
        let submissions = arrow_column::<StringArray>(batch, 2)?;
        let sent_at = arrow_column::<Int64Array>(batch, 3)?;
        let undated = arrow_column::<BooleanArray>(batch, 4)?;
        let numbers = arrow_column::<Int64Array>(batch, 6)?;
        let interviewed_at = arrow_column::<Int64Array>(batch, 8)?;
        for row in 0..batch.num_rows() {
            let day = DateTime::from_timestamp_micros(sent_at.value(row))
                .map(|t| schedule.local_date(t.naive_utc()))
                .ok_or_else(|| {
                    MetricsError::Internal(format!(
                        "submission {} has a time out of range",
                        submissions.value(row)
                    ))
                })?;
            // An answer dated when it was loaded has no date to judge: it
            // is an answer, neither on time nor late, and a finding of its
            // own, so that its sender fills the date in.
            let sent = if undated.value(row) {
                push(
                    kpm_ids.value(row).to_string(),
                    Some(wave_column.value(row).to_string()),
                    Some(submissions.value(row).to_string()),
                    None,
                    None,
                    Detail::Undated { loaded: day },
                );
                None
            } else {
                latest = latest.max(Some(day));
                Some(day)
            };
            let kpm_id = kpm_ids.value(row);
            // By the number the read gives it: looking its id up in a map
            // of every KPM cost seconds at 2,000,000 households.
            if numbers.is_null(row) {
                continue;
            }
            let k = &infos[numbers.value(row) as usize];
            let wave = wave_column.value(row);
            let number = intern(&mut wave_names, wave);
            if number < calendar_waves {
                answered[k.index * calendar_waves + number] = true;
            }
            let cell = cells
                .entry((k.unit, number))
                .or_insert_with(|| Completeness::empty(&unit_ids[k.unit], wave));
            cell.responded += 1;
            let window = windows[k.profile].get(number).copied().flatten();
            let Some(w) = window.map(|i| &schedule.windows[i]) else {
                continue;
            };
            cell.window.get_or_insert((w.opens, w.closes));
            // Answered, but neither on time nor late.
            let Some(sent) = sent else { continue };
            let detail = if sent > w.closes {
                cell.late += 1;
                // The local day of its interview, when the export gave one
                // that falls by the deadline: made in time, sent late.
                let interviewed = (!interviewed_at.is_null(row))
                    .then(|| DateTime::from_timestamp_micros(interviewed_at.value(row)))
                    .flatten()
                    .map(|t| schedule.local_date(t.naive_utc()))
                    .filter(|day| *day <= w.closes);
                Detail::Late {
                    closes: w.closes,
                    sent,
                    interviewed,
                }
            } else if sent < w.opens {
                Detail::Early {
                    opens: w.opens,
                    sent,
                }
            } else {
                cell.on_time += 1;
                continue;
            };
            push(
                kpm_id.to_string(),
                Some(wave.to_string()),
                Some(submissions.value(row).to_string()),
                None,
                None,
                detail,
            );
        }
    }
    let as_of =
        as_of.unwrap_or_else(|| latest.unwrap_or_else(|| chrono::Local::now().date_naive()));
    // Expected answers: every KPM a window covers (the first window of its
    // wave that covers it), once the window has opened.
    let mut members: Vec<Vec<(&String, &KpmInfo)>> = vec![Vec::new(); schedule.windows.len()];
    for (kpm_id, k) in &kpm {
        for window in windows[k.profile].iter().flatten() {
            members[*window].push((kpm_id, k));
        }
    }
    for (w, members) in schedule.windows.iter().zip(&members) {
        if w.opens > as_of {
            continue;
        }
        let closed = w.closes < as_of;
        let number = intern(&mut wave_names, &w.wave);
        for (kpm_id, k) in members {
            let cell = cells
                .entry((k.unit, number))
                .or_insert_with(|| Completeness::empty(&unit_ids[k.unit], &w.wave));
            cell.window.get_or_insert((w.opens, w.closes));
            cell.closed = closed;
            *cell.expected.get_or_insert(0) += 1;
            if !answered[k.index * calendar_waves + number] {
                cell.missing += 1;
                if closed {
                    push(
                        (*kpm_id).clone(),
                        Some(w.wave.clone()),
                        None,
                        None,
                        None,
                        Detail::NoResponse { closes: w.closes },
                    );
                }
            }
        }
    }

    let order = |wave: &Option<String>| {
        wave.as_ref()
            .map(|w| waves.get(w).map_or(i32::MAX, |x| x.0))
    };
    findings.sort_by(|a, b| {
        (
            &a.unit_id,
            &a.kpm_id,
            order(&a.wave),
            a.detail.check(),
            &a.field,
            &a.submission_id,
        )
            .cmp(&(
                &b.unit_id,
                &b.kpm_id,
                order(&b.wave),
                b.detail.check(),
                &b.field,
                &b.submission_id,
            ))
    });
    let mut completeness: Vec<Completeness> = cells.into_values().collect();
    completeness.sort_by(|a, b| {
        (&a.unit_id, waves.get(&a.wave).map(|w| w.0))
            .cmp(&(&b.unit_id, waves.get(&b.wave).map(|w| w.0)))
    });
    let not_collected = not_collected(conn, config)?;
    Ok(QualityReport {
        as_of,
        findings,
        completeness,
        units,
        kpm_names,
        waves,
        utc_offset_hours: schedule.utc_offset_hours,
        not_collected,
    })
}

/// The files that carry no column for some required fields.
fn not_collected(
    conn: &Connection,
    config: &CheckConfig,
) -> Result<Vec<NotCollected>, MetricsError> {
    let mut required: Vec<&str> = Vec::new();
    for r in &config.required {
        if !required.contains(&r.field.as_str()) {
            required.push(&r.field);
        }
    }
    let mut out = Vec::new();
    each_row(conn, NOT_COLLECTED_SQL, [], |r| {
        let carried: String = r.get::<_, Option<String>>(3)?.unwrap_or_default();
        let carried: HashSet<&str> = carried.split(',').collect();
        let fields: Vec<String> = required
            .iter()
            .filter(|f| !carried.contains(**f))
            .map(|f| f.to_string())
            .collect();
        if !fields.is_empty() {
            let answers: i64 = r.get(2)?;
            out.push(NotCollected {
                file: r.get(1)?,
                answers: answers as u64,
                fields,
            });
        }
        Ok(())
    })?;
    Ok(out)
}

/// The number of `name` in `names`, added at the end if it is not there.
fn intern<'a>(names: &mut Vec<&'a str>, name: &'a str) -> usize {
    names.iter().position(|n| *n == name).unwrap_or_else(|| {
        names.push(name);
        names.len() - 1
    })
}

/// Runs `sql` and hands each row to `f`.
fn each_row<P: duckdb::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    mut f: impl FnMut(&duckdb::Row<'_>) -> Result<(), MetricsError>,
) -> Result<(), MetricsError> {
    let started = std::time::Instant::now();
    let mut stmt = conn.prepare(sql)?;
    let file = sql_file(sql);
    let _logged = Finally(move || {
        tracing::debug!(
            sql = file,
            ms = started.elapsed().as_millis() as u64,
            "check query"
        );
    });
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        f(r)?;
    }
    Ok(())
}

/// Runs its closure when dropped: logs a query's time however it ends.
struct Finally<F: FnMut()>(F);

impl<F: FnMut()> Drop for Finally<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

/// The queries/ file a check's SQL comes from, for the logs.
fn sql_file(sql: &str) -> &'static str {
    [
        (KPM_SQL, "queries/quality/kpm.sql"),
        (SUPERSEDED_SQL, "queries/quality/superseded.sql"),
        (REGISTER_SQL, "queries/quality/register.sql"),
        (REGISTER_DIFFERS_SQL, "queries/quality/register_differs.sql"),
        (IDENTICAL_SQL, "queries/quality/identical.sql"),
        (INCONSISTENT_SQL, "queries/quality/inconsistent.sql"),
        (NOT_COLLECTED_SQL, "queries/quality/not_collected.sql"),
    ]
    .into_iter()
    // A query assembled from a file's parts begins with one of them.
    .find(|(text, _)| {
        let sql = sql.trim_start();
        sql.get(..sql.len().min(60))
            .is_some_and(|head| text.contains(head))
    })
    .map_or("an inline query", |(_, f)| f)
}

/// The strings of a DuckDB LIST value.
fn list_of_strings(value: duckdb::types::ValueRef<'_>) -> Vec<String> {
    use duckdb::types::Value;
    match value.to_owned() {
        Value::List(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Text(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl QualityReport {
    /// The units with at least one finding or completeness row, sorted.
    pub fn unit_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .findings
            .iter()
            .map(|f| f.unit_id.clone())
            .chain(self.completeness.iter().map(|c| c.unit_id.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Only what concerns one unit: its findings and completeness rows.
    pub fn for_unit(&self, unit_id: &str) -> QualityReport {
        self.scoped(
            unit_id,
            self.findings
                .iter()
                .filter(|f| f.unit_id == unit_id)
                .cloned()
                .collect(),
            self.completeness
                .iter()
                .filter(|c| c.unit_id == unit_id)
                .cloned()
                .collect(),
        )
    }

    /// [`QualityReport::for_unit`] of every unit, found in one pass over the
    /// findings instead of one per unit (a nationwide run has some hundred
    /// thousand findings and sixty incubators).
    pub fn by_unit(&self) -> HashMap<String, QualityReport> {
        let mut parts: HashMap<&str, (Vec<Finding>, Vec<Completeness>)> = HashMap::new();
        for f in &self.findings {
            parts.entry(&f.unit_id).or_default().0.push(f.clone());
        }
        for c in &self.completeness {
            parts.entry(&c.unit_id).or_default().1.push(c.clone());
        }
        parts
            .into_iter()
            .map(|(unit, (findings, completeness))| {
                (unit.to_string(), self.scoped(unit, findings, completeness))
            })
            .collect()
    }

    /// A report of one unit's `findings` and `completeness`, with the names
    /// they need.
    fn scoped(
        &self,
        unit_id: &str,
        findings: Vec<Finding>,
        completeness: Vec<Completeness>,
    ) -> QualityReport {
        let kpm_names = findings
            .iter()
            .filter_map(|f| {
                self.kpm_names
                    .get(&f.kpm_id)
                    .map(|n| (f.kpm_id.clone(), n.clone()))
            })
            .collect();
        QualityReport {
            as_of: self.as_of,
            findings,
            completeness,
            units: self
                .units
                .get_key_value(unit_id)
                .map(|(k, v)| (k.clone(), v.clone()))
                .into_iter()
                .collect(),
            kpm_names,
            waves: self.waves.clone(),
            utc_offset_hours: self.utc_offset_hours,
            not_collected: Vec::new(),
        }
    }

    /// Completeness and timeliness summed over units and waves.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in &self.completeness {
            t.expected += c.expected.unwrap_or(0);
            t.missing += c.missing;
            t.responded += c.responded;
            t.late += c.late;
        }
        t
    }

    /// How many findings of each check, in [`Check::ALL`] order (zeros included).
    pub fn counts(&self) -> Vec<(Check, usize)> {
        Check::ALL
            .iter()
            .map(|&c| {
                (
                    c,
                    self.findings
                        .iter()
                        .filter(|f| f.detail.check() == c)
                        .count(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
