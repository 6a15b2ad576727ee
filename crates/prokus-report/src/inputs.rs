//! What every report of a run is made from ([`Inputs`]): the indicator
//! rows, the checks' findings, the settings and what is read from the
//! database itself ([`Reads`]), indexed for the builders.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use duckdb::Connection;

use prokus_metrics::quality::QualityReport;
use prokus_metrics::settings::Settings;
use prokus_metrics::{Catalog, IndicatorRow, WaveCount};
use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::format::{self, Lang};

pub(crate) const ATTENTION_SQL: &str = include_str!("../../../queries/report/attention.sql");

pub(crate) const BATCHES_SQL: &str = include_str!("../../../queries/report/batches.sql");

pub(crate) const REASONS_SQL: &str = include_str!("../../../queries/report/reject_reasons.sql");

pub(crate) const INCUBATORS_SQL: &str = include_str!("../../../queries/report/incubators.sql");

pub(crate) const PROVINCES_SQL: &str = include_str!("../../../queries/report/provinces.sql");

pub(crate) const REGENCIES_SQL: &str = include_str!("../../../queries/report/regencies.sql");

pub(crate) const ACCOMPANIMENT_SQL: &str =
    include_str!("../../../queries/report/accompaniment.sql");
const STORIES_SQL: &str = include_str!("../../../queries/report/stories.sql");
const FEEDBACK_SQL: &str = include_str!("../../../queries/report/feedback.sql");
const SNAPSHOT_SQL: &str = include_str!("../../../queries/report/snapshot.sql");

/// Every row of a parameterless query, mapped by `f`.
pub(crate) fn all<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Result<Vec<T>, ReportError> {
    all_with(conn, sql, [], f)
}

/// Every row of a query with `params`, mapped by `f`.
fn all_with<T>(
    conn: &Connection,
    sql: &str,
    params: impl duckdb::Params,
    f: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Result<Vec<T>, ReportError> {
    let started = std::time::Instant::now();
    let rows = conn
        .prepare(sql)?
        .query_map(params, f)?
        .collect::<Result<Vec<_>, _>>()?;
    tracing::debug!(
        query = sql.lines().next().unwrap_or_default(),
        rows = rows.len(),
        ms = started.elapsed().as_millis() as u64,
        "read"
    );
    Ok(rows)
}

/// Each ProKUS KPM's rounds up to `wave` (the last round of the period
/// reported), filed under its incubator, for the incubator reports' lists
/// of KPM ([`Surveyed::kpm_by_incubator`]).
pub(crate) fn read_kpm_lists(
    conn: &Connection,
    wave: &str,
) -> Result<BTreeMap<String, Vec<KpmStatus>>, ReportError> {
    use duckdb::arrow::array::{Array, BooleanArray, Float64Array, StringArray};
    use duckdb::arrow::record_batch::RecordBatch;
    use prokus_metrics::sql::arrow_column as column;
    let started = std::time::Instant::now();
    // Read as Arrow columns: a row of 13 values per KPM (159,305 rows at
    // 200,000 households), which the row interface looks up one at a time.
    let batches: Vec<RecordBatch> = conn.prepare(ATTENTION_SQL)?.query_arrow([wave])?.collect();
    let mut lists: BTreeMap<String, Vec<KpmStatus>> = BTreeMap::new();
    for batch in &batches {
        let text = |i| column::<StringArray>(batch, i);
        let number = |i| column::<Float64Array>(batch, i);
        let flag = |i| column::<BooleanArray>(batch, i);
        let (incubator, kpm, business, nik, waves) =
            (text(0)?, text(1)?, text(2)?, text(3)?, text(12)?);
        let baseline = number(4)?;
        let latest = (text(5)?, number(6)?, flag(7)?, flag(8)?);
        let previous = (text(9)?, number(10)?, flag(11)?);
        for r in 0..batch.num_rows() {
            let s = |a: &StringArray| (!a.is_null(r)).then(|| a.value(r).to_string());
            let f = |a: &Float64Array| (!a.is_null(r)).then(|| a.value(r));
            let b = |a: &BooleanArray| (!a.is_null(r)).then(|| a.value(r));
            let status = KpmStatus {
                kpm_id: s(kpm).unwrap_or_default(),
                business: s(business).unwrap_or_default(),
                nik_masked: s(nik).unwrap_or_default(),
                income_baseline: f(baseline),
                latest: s(latest.0).map(|wave| Round {
                    wave,
                    income: f(latest.1),
                    operating: b(latest.2),
                    saves_monthly: b(latest.3),
                }),
                previous: s(previous.0).map(|wave| Round {
                    wave,
                    income: f(previous.1),
                    operating: None,
                    saves_monthly: b(previous.2),
                }),
                waves: s(waves).unwrap_or_default(),
            };
            // Filed under its incubator.
            let id = incubator.value(r);
            match lists.get_mut(id) {
                Some(list) => list.push(status),
                None => {
                    lists.insert(id.to_string(), vec![status]);
                }
            }
        }
    }
    tracing::debug!(
        query = "queries/report/attention.sql",
        rows = batches.iter().map(|b| b.num_rows()).sum::<usize>(),
        ms = started.elapsed().as_millis() as u64,
        "read"
    );
    Ok(lists)
}

/// The stories of `queries/report/stories.sql` as of `wave`: the first
/// `per_incubator` of each incubator and `per_province` of each province,
/// the most grown first.
pub(crate) fn read_stories(
    conn: &Connection,
    wave: &str,
    per_incubator: usize,
    per_province: usize,
) -> Result<Vec<Story>, ReportError> {
    all_with(
        conn,
        STORIES_SQL,
        duckdb::params![wave, per_incubator as i64, per_province as i64],
        |r| {
            Ok(Story {
                incubator_id: r.get(0)?,
                province_code: r.get(1)?,
                kpm_id: r.get(2)?,
                business: r.get(3)?,
                nik_masked: r.get(4)?,
                wave: r.get(5)?,
                income_baseline: r.get(6)?,
                income_latest: r.get(7)?,
                workers_baseline: r.get(8)?,
                workers_latest: r.get(9)?,
                has_nib: r.get(10)?,
                got_kur: r.get(11)?,
                sells_online: r.get(12)?,
                story: r.get(13)?,
            })
        },
    )
}

/// The group code of the national figures.
pub use prokus_metrics::NATIONAL_CODE;

/// The waves the reports print, in order: those of the one list of waves
/// ([`prokus_metrics::WAVES`]) up to the endline. The follow-up wave, a year
/// after, has a table of its own beside the endline's (`followup_table`).
pub const WAVES: &[&str] = up_to_endline(prokus_metrics::WAVES);

/// `waves` up to and with `endline` (all of them without one).
const fn up_to_endline(waves: &'static [&'static str]) -> &'static [&'static str] {
    let mut i = 0;
    while i < waves.len() {
        let (wave, endline) = (waves[i].as_bytes(), b"endline");
        if wave.len() == endline.len() {
            let mut same = true;
            let mut k = 0;
            while k < wave.len() {
                same &= wave[k] == endline[k];
                k += 1;
            }
            if same {
                return waves.split_at(i + 1).0;
            }
        }
        i += 1;
    }
    waves
}

/// The period a run reports as of (`prokus report --period`): its tables
/// and charts print the rounds and quarters up to it and nothing later.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Period {
    /// The latest round with ProKUS answers.
    #[default]
    Latest,
    /// A survey round by its name (`monitoring_2`).
    Wave(String),
    /// A quarter (`2021-Q3`): the latest round whose answers are dated (by
    /// their median submission) by the quarter's end.
    Quarter(String),
    /// A year to date (`2021-YTD`): the latest round dated in or before it.
    YearToDate(i32),
}

/// What a run reports as of, resolved from a [`Period`] on the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsOf {
    /// The round the tables print.
    pub wave: &'static str,
    /// The quarter (`2021-Q3`) the report is for; no later quarter's
    /// figures are printed.
    pub quarter: String,
    /// The period as asked (`Latest` when not asked).
    pub period: Period,
}

/// The median submission date of `wave`'s ProKUS answers, if any.
fn median_date(waves: &[WaveCount], wave: &str) -> Option<NaiveDate> {
    let c = waves.iter().find(|c| c.wave == wave && c.arm == "prokus")?;
    NaiveDate::parse_from_str(&c.median_date, "%Y-%m-%d").ok()
}

/// The first day of quarter `code` (`2021-Q3`); None for anything else.
pub(crate) fn quarter_start(code: &str) -> Option<NaiveDate> {
    let (year, q) = code.split_once("-Q")?;
    let q = q.parse::<u32>().ok().filter(|q| (1..=4).contains(q))?;
    NaiveDate::from_ymd_opt(year.parse().ok()?, 3 * q - 2, 1)
}

/// The quarter code of a date.
fn quarter_of(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

/// Today's date in Indonesia's easternmost time (WIT, UTC+9): the latest
/// date any of its offices has, against which a period still to come is
/// told from one that has begun.
pub(crate) fn today_in_indonesia() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// The round and quarter `period` means on data whose rounds have these
/// counts, or why it means none. A quarter or year that begins after
/// `today` is refused: its report would print the latest data under a
/// date still to come (a mistyped year, `2031-Q1` for `2021-Q1`).
pub(crate) fn resolve_period(
    waves: &[WaveCount],
    period: &Period,
    today: NaiveDate,
) -> Result<AsOf, ReportError> {
    // The rounds with ProKUS answers, in order, with their median dates.
    let surveyed: Vec<(&'static str, Option<NaiveDate>)> = WAVES
        .iter()
        .filter(|w| waves.iter().any(|c| c.wave == **w && c.arm == "prokus"))
        .map(|w| (*w, median_date(waves, w)))
        .collect();
    let fail = |reason: String| ReportError::Period {
        period: match period {
            Period::Latest => "latest".into(),
            Period::Wave(w) => w.clone(),
            Period::Quarter(q) => q.clone(),
            Period::YearToDate(y) => format!("{y}-YTD"),
        },
        reason,
    };
    let listed = || {
        surveyed
            .iter()
            .map(|(w, d)| match d {
                Some(d) => format!("{w} ({})", quarter_of(*d)),
                None => w.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let by = |end: NaiveDate| {
        surveyed
            .iter()
            .rev()
            .find(|(_, d)| d.is_some_and(|d| d <= end))
            .copied()
    };
    let (wave, date) = match period {
        Period::Latest => surveyed.last().copied().unwrap_or(("baseline", None)),
        Period::Wave(name) => surveyed
            .iter()
            .find(|(w, _)| w == name)
            .copied()
            .ok_or_else(|| {
                fail(format!(
                    "no ProKUS answers in this round; the rounds with answers are: {}",
                    listed()
                ))
            })?,
        Period::Quarter(code) => {
            let start = quarter_start(code)
                .ok_or_else(|| fail("not a quarter: write it as 2021-Q3".into()))?;
            if start > today {
                return Err(fail(format!(
                    "this quarter has not begun (today is {today}); the rounds with answers are: {}",
                    listed()
                )));
            }
            let end = start
                .checked_add_months(chrono::Months::new(3))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start);
            by(end).ok_or_else(|| {
                fail(format!("no round was surveyed by the end of the quarter; the rounds with answers are: {}", listed()))
            })?
        }
        Period::YearToDate(year) => {
            let end =
                NaiveDate::from_ymd_opt(*year, 12, 31).ok_or_else(|| fail("not a year".into()))?;
            if *year > chrono::Datelike::year(&today) {
                return Err(fail(format!(
                    "this year has not begun (today is {today}); the rounds with answers are: {}",
                    listed()
                )));
            }
            by(end).ok_or_else(|| {
                fail(format!(
                    "no round was surveyed by the end of {year}; the rounds with answers are: {}",
                    listed()
                ))
            })?
        }
    };
    let quarter = match period {
        Period::Quarter(code) => code.clone(),
        _ => date.map(quarter_of).unwrap_or_default(),
    };
    Ok(AsOf {
        wave,
        quarter,
        period: period.clone(),
    })
}

/// An incubator that has ProKUS KPM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncubatorInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// University.
    pub university: String,
    /// Province code.
    pub province_code: String,
    /// Province name.
    pub province_name: String,
    /// ProKUS KPM registered.
    pub kpm: i64,
}

/// A province that has ProKUS KPM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvinceInfo {
    /// Two-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// ProKUS KPM registered.
    pub kpm: i64,
}

/// A regency (kabupaten/kota) that has ProKUS KPM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegencyInfo {
    /// Dotted code, e.g. `32.17`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Name of its province.
    pub province_name: String,
    /// ProKUS KPM registered.
    pub kpm: i64,
}

/// One ingested file, for the data-quality annex.
#[derive(Debug, Clone)]
pub struct BatchInfo {
    pub(crate) file: String,
    pub(crate) format: String,
    pub(crate) counts: [i64; 4],
    /// Its answers without a date of their own, dated when loaded.
    pub(crate) undated: i64,
}

/// One ProKUS KPM's baseline and endline answers, for incubator feedback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KpmStatus {
    pub(crate) kpm_id: String,
    pub(crate) business: String,
    pub(crate) nik_masked: String,
    pub(crate) income_baseline: Option<f64>,
    /// Its latest answered round, and the one before.
    pub(crate) latest: Option<Round>,
    pub(crate) previous: Option<Round>,
    pub(crate) waves: String,
}

/// A KPM who agreed that its story be told, and how its business moved
/// from the baseline to its latest round (`queries/report/stories.sql`).
#[derive(Debug, Clone)]
pub struct Story {
    pub(crate) incubator_id: String,
    pub(crate) province_code: String,
    pub(crate) kpm_id: String,
    pub(crate) business: String,
    pub(crate) nik_masked: String,
    pub(crate) wave: String,
    pub(crate) income_baseline: f64,
    pub(crate) income_latest: f64,
    pub(crate) workers_baseline: Option<i64>,
    pub(crate) workers_latest: Option<i64>,
    pub(crate) has_nib: Option<bool>,
    pub(crate) got_kur: Option<bool>,
    pub(crate) sells_online: Option<bool>,
    /// The incubator's own words for it (the feedback sheet's story).
    pub(crate) story: Option<String>,
}

/// One piece of written feedback from a feedback sheet
/// (`queries/report/feedback.sql`), printed verbatim.
#[derive(Debug, Clone)]
pub struct Written {
    /// Who wrote it: `incubator`, `regency` or `province`.
    pub(crate) site_level: String,
    /// The incubator's id or the region's dotted code.
    pub(crate) site_code: String,
    /// The writer's name (an incubator, "Dinas Sosial Kab. …").
    pub(crate) writer: String,
    /// The province the writer belongs to.
    pub(crate) province_code: String,
    /// The quarter, `2021-Q3`.
    pub(crate) period: String,
    /// The person who wrote it, as the sheet says.
    pub(crate) author: String,
    /// achievement, challenge, obstacle or request.
    pub(crate) kind: String,
    /// The actor it addresses (an actor of the findings catalog).
    pub(crate) actor: String,
    /// The text, as written.
    pub(crate) text: String,
}

/// One KPM's answers in one round, as the attention list judges them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round {
    pub(crate) wave: String,
    pub(crate) income: Option<f64>,
    pub(crate) operating: Option<bool>,
    /// Whether the KPM saved at least monthly (unknown when it did not say
    /// whether, or how often, it saves; see queries/report/attention.sql).
    pub(crate) saves_monthly: Option<bool>,
}

/// Row numbers by indicator, period, level and group code.
pub(crate) type RowIndex =
    HashMap<String, HashMap<String, HashMap<String, HashMap<String, usize>>>>;

/// The entry of `key`, made empty when missing (the key is copied only then).
pub(crate) fn slot<'a, V: Default>(map: &'a mut HashMap<String, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// Everything the reports of one run are made from, read once.
pub struct Inputs {
    /// The indicator table.
    pub rows: Vec<IndicatorRow>,
    /// The catalog.
    pub catalog: Catalog,
    /// What was read from the database itself.
    pub db: Reads,
    /// What `prokus check` finds, for each incubator's data to fix and its
    /// completeness and timeliness.
    pub quality: QualityReport,
    /// The same, split by incubator.
    pub(crate) quality_by_unit: HashMap<String, QualityReport>,
    /// The settings the run judged the data against: the survey calendar
    /// (for the next reporting dates), whether there are targets (their
    /// columns are left out without) and the suppression threshold.
    pub settings: Settings,
    /// The impact estimates the national report prints
    /// (`prokus_metrics::impact::outcome_estimates`); empty leaves the
    /// section out.
    pub impact: Vec<prokus_metrics::impact::ImpactRow>,
    /// Generation time, shown in footers.
    pub generated: chrono::NaiveDateTime,
    /// The one cohort the run reports on (`--cohort`), named with the period.
    pub cohort: Option<i32>,
    /// True when the indicators, the estimates and the checks are those an
    /// earlier run computed from the same survey data, settings and options
    /// (kept beside the database), read back rather than computed again.
    pub reused: bool,
    /// True when the checks' findings are those `prokus check` kept for the
    /// same survey data and settings, read back rather than computed again
    /// (the rest computed).
    pub checks_reused: bool,
    /// True when the indicator rows are those `prokus indicators` kept for
    /// the same survey data and settings, read back rather than computed
    /// again.
    pub indicators_reused: bool,
    pub(crate) index: RowIndex,
    /// What [`crate::gather()`] left for [`crate::gather_later()`].
    pub(crate) pending: Option<crate::gather::Pending>,
    /// The quarters with national figures, oldest first: code (`2021-Q3`)
    /// and first day.
    pub(crate) quarters: Vec<(String, NaiveDate)>,
    /// Per level, the groups with figures of the breakdown tables
    /// (`GROUP_TABLE`) in the latest wave (code, name),
    /// in code order: an area report's sub-areas, found without scanning
    /// every row for each report.
    pub(crate) groups: BTreeMap<String, Vec<(String, String)>>,
}

/// What the reports read from the database that follows from the survey
/// data alone (the rounds' counts, the areas and incubators with their KPM,
/// each KPM's latest rounds, the mentors and TKSK): kept with the figures
/// of a run (`<db>.figures`, see [`crate::kept_as_text`]), so that a re-run
/// after a corrected feedback sheet reads none of it again.
#[derive(Debug, Serialize, Deserialize)]
pub struct Surveyed {
    /// Responses per wave and arm.
    pub waves: Vec<WaveCount>,
    /// Incubators with ProKUS KPM.
    pub incubators: Vec<IncubatorInfo>,
    /// Provinces with ProKUS KPM.
    pub provinces: Vec<ProvinceInfo>,
    /// Regencies with ProKUS KPM.
    pub regencies: Vec<RegencyInfo>,
    /// Each incubator's own KPM, read with a query filtered by its id.
    pub(crate) kpm_by_incubator: BTreeMap<String, Vec<KpmStatus>>,
    /// Each incubator's mentors, and each regency's TKSK, with the number
    /// of KPM each accompanies: by kind (`mentor`, `tksk`), then scope.
    pub(crate) accompaniment: BTreeMap<(String, String), Vec<(String, i64)>>,
}

impl Surveyed {
    /// Reads them for a run reporting as of `period`; each KPM's rounds
    /// only `with_kpm` (for the incubators' reports, the only ones that
    /// list them: two million of them at the whole PKH scale).
    pub(crate) fn read(
        conn: &Connection,
        period: &Period,
        with_kpm: bool,
        utc_offset_hours: i32,
    ) -> Result<Surveyed, ReportError> {
        tracing::debug!(
            sql = "queries/report/*.sql",
            "reading the rounds, areas, incubators and KPM"
        );
        let waves = prokus_metrics::wave_counts(conn, utc_offset_hours)?;
        let as_of = resolve_period(&waves, period, today_in_indonesia())?;
        let incubators = all(conn, INCUBATORS_SQL, |r| {
            Ok(IncubatorInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                university: r.get(2)?,
                province_code: r.get(3)?,
                province_name: r.get(4)?,
                kpm: r.get(5)?,
            })
        })?;
        let provinces = all(conn, PROVINCES_SQL, |r| {
            Ok(ProvinceInfo {
                code: r.get(0)?,
                name: r.get(1)?,
                kpm: r.get(2)?,
            })
        })?;
        let regencies = all(conn, REGENCIES_SQL, |r| {
            Ok(RegencyInfo {
                code: r.get(0)?,
                name: r.get(1)?,
                province_name: r.get(2)?,
                kpm: r.get(3)?,
            })
        })?;
        // Each KPM's rounds up to the period's: a report for an earlier
        // quarter judges what was known then.
        let kpm_by_incubator = if with_kpm {
            read_kpm_lists(conn, as_of.wave)?
        } else {
            BTreeMap::new()
        };
        let mut accompaniment: BTreeMap<(String, String), Vec<(String, i64)>> = BTreeMap::new();
        for (kind, scope, person, kpm) in all(conn, ACCOMPANIMENT_SQL, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })? {
            accompaniment
                .entry((kind, scope))
                .or_default()
                .push((person, kpm));
        }
        Ok(Surveyed {
            waves,
            incubators,
            provinces,
            regencies,
            kpm_by_incubator,
            accompaniment,
        })
    }
}

/// What the reports read from the database itself (areas, incubators,
/// their KPM, the files loaded, the response counts), read by
/// [`crate::gather()`] after the checks, before the indicators.
pub struct Reads {
    /// What follows from the survey data alone (kept with the figures).
    pub surveyed: Surveyed,
    pub(crate) batches: Vec<BatchInfo>,
    pub(crate) reasons: Vec<(String, String, i64)>,
    /// The KPM who agreed that their story be told, the most grown first:
    /// those the reports can print (the first of each incubator and
    /// province, which hold the nation's first).
    pub(crate) stories: Vec<Story>,
    /// The written feedback of the feedback sheets, by writer and quarter.
    pub(crate) feedback: Vec<Written>,
    /// Short hash of every file loaded (the data snapshot).
    pub snapshot: String,
    /// The round and quarter the run reports as of.
    pub as_of: AsOf,
}

impl Reads {
    /// What the reports read from the database itself (areas, incubators,
    /// their KPM, the files loaded, the response counts): a caller may read
    /// it while the indicators and the checks are computed elsewhere, then
    /// join them with [`Reads::finish`]. The rounds' dates are local, at
    /// `utc_offset_hours` east of UTC.
    pub(crate) fn read(
        conn: &Connection,
        period: &Period,
        with_kpm: bool,
        utc_offset_hours: i32,
    ) -> Result<Reads, ReportError> {
        let surveyed = Surveyed::read(conn, period, with_kpm, utc_offset_hours)?;
        Reads::with(conn, surveyed, period)
    }

    /// What [`Reads::read`] reads, with `surveyed` (kept from an earlier
    /// run of the same survey data) instead of reading it again: only the
    /// files loaded, their rejects, the stories and the written feedback,
    /// which a feedback sheet changes, are read.
    pub(crate) fn with(
        conn: &Connection,
        surveyed: Surveyed,
        period: &Period,
    ) -> Result<Reads, ReportError> {
        tracing::debug!(
            sql = "queries/report/*.sql",
            "reading the files loaded and the feedback"
        );
        let as_of = resolve_period(&surveyed.waves, period, today_in_indonesia())?;
        let hashes: String = conn.query_row(SNAPSHOT_SQL, [], |r| r.get(0))?;
        let snapshot = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(hashes.as_bytes()))[..12].to_string()
        };
        let batches = all(conn, BATCHES_SQL, |r| {
            Ok(BatchInfo {
                file: r.get(1)?,
                format: r.get(2)?,
                counts: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                undated: r.get(7)?,
            })
        })?;
        let reasons = all(conn, REASONS_SQL, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        // The most grown of each incubator and province are enough for
        // the reports' tables, and hold the national ones (a KPM among the
        // nation's first ten is among its province's).
        let per_province =
            crate::sections::STORIES_PER_PROVINCE.max(crate::sections::STORIES_NATIONAL);
        let stories = read_stories(
            conn,
            as_of.wave,
            crate::sections::STORIES_PER_INCUBATOR,
            per_province,
        )?;
        let feedback = all(conn, FEEDBACK_SQL, |r| {
            Ok(Written {
                site_level: r.get(0)?,
                site_code: r.get(1)?,
                writer: r.get(2)?,
                province_code: r.get(3)?,
                period: r.get(4)?,
                author: r.get(5)?,
                kind: r.get(6)?,
                actor: r.get(7)?,
                text: r.get(8)?,
            })
        })?;
        Ok(Reads {
            surveyed,
            batches,
            reasons,
            stories,
            feedback,
            snapshot,
            as_of,
        })
    }

    /// The inputs of a run: these reads with the indicator `rows`, the
    /// `catalog` they were computed with, and the checks' findings `quality`
    /// made with `settings`.
    pub(crate) fn finish(
        self,
        rows: Vec<IndicatorRow>,
        catalog: Catalog,
        quality: QualityReport,
        settings: Settings,
    ) -> Inputs {
        // Nothing after the period: its rounds and quarters only.
        let last = WAVES.iter().position(|w| *w == self.as_of.wave);
        // The follow-up, a year after the endline, is reported once the
        // period reaches the quarter its answers are dated in.
        let followup_quarter = median_date(&self.surveyed.waves, "followup").map(quarter_of);
        let later = |period: &str| match WAVES.iter().position(|w| *w == period) {
            Some(i) => last.is_some_and(|last| i > last),
            None if period == "followup" => followup_quarter
                .as_deref()
                .is_none_or(|q| q > self.as_of.quarter.as_str()),
            None => {
                quarter_start(period).is_some()
                    && !self.as_of.quarter.is_empty()
                    && period > self.as_of.quarter.as_str()
            }
        };
        let rows: Vec<IndicatorRow> = if self.as_of.period == Period::Latest {
            rows
        } else {
            rows.into_iter().filter(|r| !later(&r.period)).collect()
        };
        // Nested by indicator, period and level, so that neither building it
        // (a million rows on a nationwide batch) nor looking a row up
        // copies the keys.
        let mut index = RowIndex::new();
        for (i, r) in rows.iter().enumerate() {
            let by_level = slot(slot(&mut index, &r.indicator_id), &r.period);
            slot(by_level, &r.level).insert(r.group_code.clone(), i);
        }
        let mut quarters: Vec<(String, NaiveDate)> = index
            .values()
            .flat_map(|by_period| by_period.keys())
            .filter_map(|code| Some((code.clone(), quarter_start(code)?)))
            .collect();
        quarters.sort_by_key(|q| q.1);
        quarters.dedup();
        let latest = self.as_of.wave;
        // A group with a figure of a breakdown table's: saving is asked of
        // every KPM, but a partner's sheet may not ask it.
        let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for r in rows.iter().filter(|r| {
            r.period == latest && crate::sections::GROUP_TABLE.contains(&r.indicator_id.as_str())
        }) {
            groups
                .entry(r.level.clone())
                .or_default()
                .push((r.group_code.clone(), r.group_name.clone()));
        }
        for list in groups.values_mut() {
            list.sort();
            list.dedup();
        }
        Inputs {
            rows,
            catalog,
            db: self,
            quality_by_unit: quality.by_unit(),
            quality,
            settings,
            impact: Vec::new(),
            generated: chrono::Utc::now().naive_utc(),
            cohort: None,
            reused: false,
            checks_reused: false,
            indicators_reused: false,
            pending: None,
            index,
            quarters,
            groups,
        }
    }
}

impl Inputs {
    /// True while the data-quality checks are left for
    /// [`crate::gather_later()`]: until then only the audiences that print
    /// nothing of them ([`crate::audience::Audience::checks`]) can be
    /// rendered, and [`crate::render_all`] refuses the others.
    pub fn checks_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether the reports of `audience` can be rendered now: not while it
    /// prints the checks and they are pending ([`Inputs::checks_pending`]).
    pub fn ready_for(&self, audience: &crate::audience::Audience) -> bool {
        !(audience.checks && self.checks_pending())
    }

    /// Puts the impact estimates in, unless the period reported is before
    /// the endline: they compare the endline with the baseline.
    pub(crate) fn set_impact(&mut self, impact: Vec<prokus_metrics::impact::ImpactRow>) {
        if self.db.as_of.period == Period::Latest || self.db.as_of.wave == "endline" {
            self.impact = impact;
        }
    }

    /// Puts the checks' findings in, split by incubator as the reports
    /// read them.
    pub(crate) fn set_quality(&mut self, quality: QualityReport) {
        self.quality_by_unit = quality.by_unit();
        self.quality = quality;
    }

    /// The row of one indicator, wave, level and group.
    pub fn row(
        &self,
        indicator: &str,
        period: &str,
        level: &str,
        group: &str,
    ) -> Option<&IndicatorRow> {
        let i = *self
            .index
            .get(indicator)?
            .get(period)?
            .get(level)?
            .get(group)?;
        Some(&self.rows[i])
    }

    /// The reporting quarter: the one asked (`--period`), else that of
    /// the latest round's median submission date; a year to date names its
    /// year and the quarter it reaches.
    pub fn period_label(&self, lang: Lang) -> String {
        let Some(start) = quarter_start(&self.db.as_of.quarter) else {
            return String::new();
        };
        let quarter = format::quarter(start, lang);
        let period = match (&self.db.as_of.period, lang) {
            (Period::YearToDate(year), Lang::Id) => format!("Tahun {year} s.d. {quarter}"),
            (Period::YearToDate(year), Lang::En) => format!("{year} to date ({quarter})"),
            _ => quarter,
        };
        match (self.cohort, lang) {
            (Some(year), Lang::Id) => format!("{period} · Angkatan {year}"),
            (Some(year), Lang::En) => format!("{period} · Cohort {year}"),
            (None, _) => period,
        }
    }

    /// The round the tables print: the latest with data (the endline when
    /// it has been surveyed), or the period's.
    pub fn latest_wave(&self) -> &'static str {
        self.db.as_of.wave
    }

    /// The rounds a run reports: those of [`WAVES`] up to the period's.
    pub(crate) fn reported_waves(&self) -> &'static [&'static str] {
        let end = WAVES
            .iter()
            .position(|w| *w == self.db.as_of.wave)
            .map_or(WAVES.len(), |i| i + 1);
        &WAVES[..end]
    }

    /// The quarter of a run for a period asked (`--period`), to read no
    /// written feedback of a later one; None for the latest.
    pub(crate) fn asked_quarter(&self) -> Option<&str> {
        (self.db.as_of.period != Period::Latest).then_some(self.db.as_of.quarter.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(wave: &str, arm: &str, date: &str) -> WaveCount {
        WaveCount {
            wave: wave.into(),
            arm: arm.into(),
            registered: 10,
            responded: 10,
            median_date: date.into(),
        }
    }

    /// An incubator's list of its KPM says whether each saved at least
    /// monthly from how often it saves, when its sheet gives that alone,
    /// as the savings-habit indicator does.
    #[test]
    fn how_often_a_kpm_saves_alone_says_whether_it_saves_monthly() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = prokus_ingest::Database::in_memory().unwrap();
        for (name, text) in [
            (
                "incubators.csv",
                "incubator_id,name,university,province_code\nINK-32-01,I,U,32\n",
            ),
            (
                "kpm_register.csv",
                "kpm_id,kpm_name,gender,arm,cohort_year,incubator_id,province_code,regency_code\n\
                 K1,N1,P,prokus,2022,INK-32-01,32,32.17\n",
            ),
            (
                "sheet.csv",
                "kpm_id,wave,tanggal,frekuensi_menabung\n\
                 K1,baseline,15/03/2022,Setiap hari\n\
                 K1,monitoring_1,20/05/2022,jarang\n",
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            db.ingest(&path, &prokus_ingest::FormMapping::prokus())
                .unwrap();
        }
        let lists = read_kpm_lists(db.connection(), "monitoring_1").unwrap();
        let kpm = &lists["INK-32-01"][0];
        let monthly = |round: &Option<Round>| round.as_ref().and_then(|r| r.saves_monthly);
        assert_eq!(
            (monthly(&kpm.previous), monthly(&kpm.latest)),
            (Some(true), Some(false))
        );
    }

    /// A period is the latest round dated by its end; a round by name must
    /// have ProKUS answers; a period before every round, or still to come,
    /// is refused, naming the rounds there are.
    #[test]
    fn a_period_is_the_latest_round_surveyed_by_its_end() {
        let waves = [
            count("baseline", "prokus", "2021-03-15"),
            count("monitoring_1", "prokus", "2021-05-20"),
            count("monitoring_2", "prokus", "2021-06-18"),
            count("monitoring_3", "comparison", "2021-07-20"),
            count("endline", "prokus", "2021-09-20"),
        ];
        let today = NaiveDate::from_ymd_opt(2022, 2, 1).unwrap();
        let at = |p: Period| resolve_period(&waves, &p, today).map(|a| (a.wave, a.quarter));
        assert_eq!(
            at(Period::Latest).unwrap(),
            ("endline", "2021-Q3".to_string())
        );
        assert_eq!(
            at(Period::Quarter("2021-Q2".into())).unwrap(),
            ("monitoring_2", "2021-Q2".to_string())
        );
        assert_eq!(
            at(Period::Quarter("2022-Q1".into())).unwrap(),
            ("endline", "2022-Q1".to_string())
        );
        assert_eq!(
            at(Period::Wave("monitoring_1".into())).unwrap(),
            ("monitoring_1", "2021-Q2".to_string())
        );
        assert_eq!(at(Period::YearToDate(2021)).unwrap().0, "endline");
        // Only the comparison group answered monitoring 3.
        let no_round = at(Period::Wave("monitoring_3".into())).unwrap_err();
        assert!(
            no_round.to_string().contains("endline (2021-Q3)"),
            "{no_round}"
        );
        let before = at(Period::Quarter("2020-Q4".into())).unwrap_err();
        assert!(
            before.to_string().contains("baseline (2021-Q1)"),
            "{before}"
        );
        assert!(at(Period::YearToDate(2020)).is_err());
        // A quarter or year still to come is refused, saying what there is.
        let to_come = at(Period::Quarter("2022-Q2".into())).unwrap_err();
        assert!(
            to_come
                .to_string()
                .contains("has not begun (today is 2022-02-01)")
                && to_come.to_string().contains("endline (2021-Q3)"),
            "{to_come}"
        );
        assert!(at(Period::YearToDate(2023)).is_err());
        assert_eq!(at(Period::YearToDate(2022)).unwrap().0, "endline");
    }
}
