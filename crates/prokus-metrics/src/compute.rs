//! From sufficient statistics (SQL) to the indicator table (polars).

use std::path::Path;

use duckdb::{Connection, params};
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MetricsError;
use std::collections::HashMap;

use crate::catalog::{Aggregation, Catalog, Population};
use crate::stats::{mean_ci, ratio_ci, t_975, wilson};
use crate::targets::Targets;

const KPM_VALUE_SQL: &str = include_str!("../../../queries/metrics/kpm_value.sql");
const STATS_SQL: &str = include_str!("../../../queries/metrics/indicator_stats.sql");

/// The header of the indicator CSV; an interface scripts rely on.
pub const CSV_HEADER: &[&str] = &[
    "indicator_id",
    "period",
    "level",
    "group_code",
    "group_name",
    "n",
    "value",
    "baseline_value",
    "change",
    "ci_low",
    "ci_high",
    "target",
    "status",
    "suppressed",
];

/// A characteristic of a KPM that a level groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Province (`32`).
    Province,
    /// Regency or city (`32.17`).
    Regency,
    /// District, kecamatan (`32.17.05`).
    District,
    /// Business incubator.
    Incubator,
    /// Cohort year.
    Cohort,
    /// Business cluster (kuliner, ritel, fesyen, agribisnis).
    Cluster,
    /// Maturity category (start up, scale up, inkubasi).
    Category,
    /// Gender of the business owner.
    Gender,
    /// ProKUS or comparison group.
    Arm,
    /// The incubator's business mentor (MiBi) accompanying the KPM.
    Mentor,
    /// The TKSK (sub-district social worker) accompanying the KPM.
    Tksk,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 11] = [
        Dimension::Province,
        Dimension::Regency,
        Dimension::District,
        Dimension::Incubator,
        Dimension::Cohort,
        Dimension::Cluster,
        Dimension::Category,
        Dimension::Gender,
        Dimension::Arm,
        Dimension::Mentor,
        Dimension::Tksk,
    ];

    /// Whether its groups are people who accompany the KPM (a mentor, a
    /// TKSK): computed when asked for (`--by mentor`, the reports' tables
    /// per mentor and per TKSK), not by default.
    pub fn is_person(self) -> bool {
        matches!(self, Dimension::Mentor | Dimension::Tksk)
    }

    /// The name used in level names (`province`, `incubator:cohort`).
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Province => "province",
            Dimension::Regency => "regency",
            Dimension::District => "district",
            Dimension::Incubator => "incubator",
            Dimension::Cohort => "cohort",
            Dimension::Cluster => "cluster",
            Dimension::Category => "category",
            Dimension::Gender => "gender",
            Dimension::Arm => "arm",
            Dimension::Mentor => "mentor",
            Dimension::Tksk => "tksk",
        }
    }

    /// The column of `kpm_value` (queries/metrics/kpm_value.sql). These fixed
    /// identifiers are the only text compute.rs writes into SQL.
    fn column(self) -> &'static str {
        match self {
            Dimension::Province => "province_code",
            Dimension::Regency => "regency_code",
            Dimension::District => "district_code",
            Dimension::Incubator => "incubator_id",
            Dimension::Cohort => "cohort",
            Dimension::Cluster => "cluster",
            Dimension::Category => "category",
            Dimension::Gender => "gender",
            Dimension::Arm => "arm",
            Dimension::Mentor => "mentor",
            Dimension::Tksk => "tksk",
        }
    }
}

/// A level of disaggregation: national (no dimension), one dimension, or
/// two crossed (`incubator:cohort`, `province:gender`). KPM of the comparison
/// group are counted only in levels that include the arm.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Level(Vec<Dimension>);

impl Level {
    /// The whole programme.
    pub fn national() -> Self {
        Level(Vec::new())
    }

    /// One dimension.
    pub fn single(d: Dimension) -> Self {
        Level(vec![d])
    }

    /// Two dimensions crossed.
    pub fn crossed(a: Dimension, b: Dimension) -> Self {
        Level(vec![a, b])
    }

    /// The levels computed by default: national, every dimension but the
    /// people who accompany the KPM ([`Dimension::is_person`]), and
    /// incubator × cohort.
    pub fn defaults() -> Vec<Level> {
        let mut v = vec![Level::national()];
        v.extend(
            Dimension::ALL
                .iter()
                .filter(|d| !d.is_person())
                .map(|d| Level::single(*d)),
        );
        v.push(Level::crossed(Dimension::Incubator, Dimension::Cohort));
        v
    }

    /// The level's name in the indicator table: `national`, `province`,
    /// `incubator:cohort`.
    pub fn name(&self) -> String {
        if self.0.is_empty() {
            "national".into()
        } else {
            self.0
                .iter()
                .map(|d| d.name())
                .collect::<Vec<_>>()
                .join(":")
        }
    }

    /// Parses `national`, `province` or `province:gender`.
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        if text == "national" {
            return Ok(Level::national());
        }
        let dims = text
            .split(':')
            .map(|part| {
                Dimension::ALL
                    .into_iter()
                    .find(|d| d.name() == part.trim())
                    .ok_or_else(|| {
                        MetricsError::InvalidOption(format!(
                            "`{part}` in `{text}` is not a dimension; use national or one or two of {} joined by `:`",
                            Dimension::ALL.map(|d| d.name()).join(", ")
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if dims.len() > 2 || (dims.len() == 2 && dims[0] == dims[1]) {
            return Err(MetricsError::InvalidOption(format!(
                "`{text}`: a level crosses at most two different dimensions"
            )));
        }
        Ok(Level(dims))
    }

    /// The dimensions, in order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.0
    }

    /// The dimensions other than the arm (which every grouping set has).
    fn grouping(&self) -> Vec<Dimension> {
        let mut g: Vec<Dimension> = self
            .0
            .iter()
            .copied()
            .filter(|d| *d != Dimension::Arm)
            .collect();
        g.sort();
        g
    }
}

/// How to compute.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cells with fewer KPM than this are suppressed (no figures shown).
    pub min_cell: u32,
    /// Targets and the at-risk band.
    pub targets: Targets,
    /// The levels to compute, in output order.
    pub levels: Vec<Level>,
    /// Winsorise money (indicators in Rp) at these percentiles (e.g. 1 and
    /// 99), per period, with Stata's percentile definition. Off by default.
    pub winsorize: Option<(f64, f64)>,
    /// Compute quarters and years to date for the national level only (and
    /// its split by arm); every other level gets the waves alone. Off by
    /// default (every level gets every period); the reports, which print
    /// quarters nowhere else, turn it on and skip those rows.
    pub quarters_national_only: bool,
    /// The indicators kept at some levels, by level name (`district`); a
    /// level not listed keeps every indicator. Empty by default; the
    /// reports, which print five indicators by kecamatan, keep those there
    /// (the kecamatan are nine in ten of the table's rows).
    pub level_indicators: HashMap<String, Vec<String>>,
    /// The programme's local time, in hours east of UTC (the survey
    /// calendar's `utc_offset_hours`; 7, WIB, by default): an answer's day,
    /// quarter and year are those of its local time, not of UTC (see
    /// `response.local_clock`).
    pub utc_offset_hours: i32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_cell: 5,
            targets: Targets::none(),
            levels: Level::defaults(),
            winsorize: None,
            quarters_national_only: false,
            level_indicators: HashMap::new(),
            utc_offset_hours: crate::schedule::DEFAULT_UTC_OFFSET_HOURS,
        }
    }
}

/// One line of the indicator table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndicatorRow {
    /// Indicator id.
    pub indicator_id: String,
    /// Wave (`endline`), quarter (`2021-Q3`) or year to date (`2021-YTD`).
    pub period: String,
    /// `national`, a dimension (`province`) or two crossed (`incubator:cohort`).
    pub level: String,
    /// Code of the group within the level (`32`, `IB03:2021`).
    pub group_code: String,
    /// Name of the group.
    pub group_name: String,
    /// KPM counted (the panel after the baseline).
    pub n: i64,
    /// The indicator's value (`None` when suppressed).
    pub value: Option<f64>,
    /// The same KPM's value at baseline.
    pub baseline_value: Option<f64>,
    /// `value - baseline_value`, in the indicator's unit (points for shares).
    pub change: Option<f64>,
    /// Lower end of the 95% confidence interval of `value`.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// Target for this cell.
    pub target: Option<f64>,
    /// on_track, at_risk or off_track.
    pub status: Option<String>,
    /// True when n is below the small-cell threshold, or when the cell is
    /// hidden so that a small sibling cannot be recovered by subtraction
    /// (complementary suppression; its `n` is then at the threshold or more).
    pub suppressed: bool,
}

/// The indicator table: one row per indicator, period, level and group.
pub struct IndicatorTable {
    /// The table as a polars frame, columns as in [`CSV_HEADER`].
    pub frame: DataFrame,
}

/// Responses per wave and arm (the latest submission per KPM and wave).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WaveCount {
    /// Wave code.
    pub wave: String,
    /// `prokus` or `comparison`.
    pub arm: String,
    /// KPM registered in the arm.
    pub registered: i64,
    /// KPM who answered this wave.
    pub responded: i64,
    /// Median submission date (ISO), for the reporting period.
    pub median_date: String,
}

/// A reporting period with data.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Period {
    /// Code used in the indicator table.
    pub code: String,
    /// `wave`, `quarter` or `ytd`.
    pub kind: String,
    /// Name in Bahasa Indonesia (`Triwulan III 2021`).
    pub label_id: String,
    /// Name in English (`Q3 2021`).
    pub label_en: String,
    /// Last day with a submission in the period (ISO date).
    pub end: String,
}

/// Builds the KPM-level tables of queries/metrics/kpm_value.sql, each
/// answer dated by its local time at `utc_offset_hours` east of UTC.
pub(crate) fn prepare_kpm_values(
    conn: &Connection,
    utc_offset_hours: i32,
) -> Result<(), MetricsError> {
    let responses: i64 = conn.query_row("SELECT count(*) FROM response", [], |r| r.get(0))?;
    if responses == 0 {
        return Err(MetricsError::NoData);
    }
    let started = std::time::Instant::now();
    // The offset as a row the query joins, not as text written into it.
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE programme_clock (utc_offset_hours INTEGER NOT NULL)",
    )?;
    conn.execute("INSERT INTO programme_clock VALUES (?)", [utc_offset_hours])?;
    conn.execute_batch(KPM_VALUE_SQL)?;
    tracing::debug!(
        sql = "queries/metrics/kpm_value.sql",
        ms = started.elapsed().as_millis() as u64,
        "KPM values"
    );
    Ok(())
}

/// The KPM-level variables of `kpm_value`: its columns other than the KPM,
/// the period, the dimensions and the baseline copies (`*_0`).
pub(crate) fn kpm_variables(conn: &Connection) -> Result<Vec<String>, MetricsError> {
    let columns: Vec<String> = conn
        .prepare("SELECT column_name FROM (DESCRIBE kpm_value)")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(columns
        .into_iter()
        .filter(|c| {
            !c.ends_with("_0")
                && !["kpm_id", "period", "kind", "no_baseline"].contains(&c.as_str())
                && !Dimension::ALL.iter().any(|d| d.column() == c)
        })
        .collect())
}

/// The periods with data, in report order (waves, quarters, years to date).
/// Needs [`compute`] (or the impact estimates) to have run on `conn`.
pub fn periods(conn: &Connection) -> Result<Vec<Period>, MetricsError> {
    let mut stmt = conn.prepare(
        "SELECT period, kind, label_id, label_en, strftime(period_end, '%Y-%m-%d') FROM period_def ORDER BY ordinal",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Period {
            code: r.get(0)?,
            kind: r.get(1)?,
            label_id: r.get(2)?,
            label_en: r.get(3)?,
            end: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Computes the whole catalog at every level of `options` and every period.
pub fn compute(
    conn: &Connection,
    catalog: &Catalog,
    options: &Options,
) -> Result<IndicatorTable, MetricsError> {
    IndicatorTable::from_rows(&compute_rows(conn, catalog, options)?)
}

/// The rows of [`compute`]'s table, in its order, without building the
/// table: for a caller that reads the rows (the reports), a million-row
/// table is not built only to be taken apart again.
pub fn compute_rows(
    conn: &Connection,
    catalog: &Catalog,
    options: &Options,
) -> Result<Vec<IndicatorRow>, MetricsError> {
    let started = std::time::Instant::now();
    let mut rows = compute_all(conn, catalog, options)?;
    suppress_complements(&mut rows);
    tracing::info!(
        rows = rows.len(),
        ms = started.elapsed().as_millis() as u64,
        "indicators computed"
    );
    Ok(rows)
}

/// The codes of `group`, one for each of `dimensions` (the indicator table
/// joins them with `:`), or `None` when it has another number of codes. A
/// mentor or TKSK is named as the register writes them, a `:` included
/// (`TKSK Cianjur: Ahmad`): their code takes what the other code leaves.
pub(crate) fn group_codes<'g>(dimensions: &[Dimension], group: &'g str) -> Option<Vec<&'g str>> {
    match dimensions {
        [one] if one.is_person() => Some(vec![group]),
        [a, b] if a.is_person() && !b.is_person() => {
            group.rsplit_once(':').map(|(x, y)| vec![x, y])
        }
        [_, b] if b.is_person() => group.split_once(':').map(|(x, y)| vec![x, y]),
        _ => {
            let codes: Vec<&str> = group.split(':').collect();
            (codes.len() == dimensions.len()).then_some(codes)
        }
    }
}

/// The code of the group that holds `code` of `level`, when the groups of
/// `level` add up to it: a regency's province, a kecamatan's regency, and
/// the nation for the provinces and each single attribute (incubator,
/// cohort, cluster, category, sex), and for a crossed level the group of
/// its first dimension (`INK-32-01:2022`, a cohort of incubator
/// `INK-32-01`; `TKSK Cianjur: Ahmad:female`, the women TKSK `TKSK
/// Cianjur: Ahmad` accompanies). None for the rest (the nation itself,
/// mentors and TKSK, an unknown kecamatan).
fn parent_of<'a>(level: &Level, code: &'a str) -> Option<&'a str> {
    match level.dimensions() {
        [
            Dimension::Province
            | Dimension::Incubator
            | Dimension::Cohort
            | Dimension::Cluster
            | Dimension::Category
            | Dimension::Gender,
        ] => Some(NATIONAL_CODE),
        [Dimension::Regency] => code.split_once('.').map(|(p, _)| p),
        [Dimension::District] => code
            .rsplit_once('.')
            .filter(|(r, _)| r.contains('.'))
            .map(|(r, _)| r),
        crossed @ [_, _] => group_codes(crossed, code).map(|codes| codes[0]),
        _ => None,
    }
}

/// Complementary suppression: where exactly one part of a whole is
/// suppressed (fewer KPM than the threshold), the smallest other part is
/// hidden too, so that the small one cannot be recovered by subtracting its
/// siblings from the whole. The hidden part keeps its `n` (not below the
/// threshold) and loses its figures.
pub(crate) fn suppress_complements(rows: &mut [IndicatorRow]) {
    // The parts of one whole at one level: the provinces of the nation, and
    // apart from them its genders (each set adds up to the whole).
    let mut families: HashMap<(&str, &str, &str, &str), Vec<usize>> = HashMap::new();
    // A level's name is read where it changes: the rows come level by
    // level within each indicator and period, and a lookup per row (a
    // hash of its level's name) cost as much as the families' own.
    let mut last: Option<(&str, Option<Level>)> = None;
    for (i, r) in rows.iter().enumerate() {
        if last.as_ref().is_none_or(|(name, _)| *name != r.level) {
            last = Some((&r.level, Level::parse(&r.level).ok()));
        }
        let level = last.as_ref().and_then(|(_, level)| level.as_ref());
        if let Some(code) = level.and_then(|l| parent_of(l, &r.group_code)) {
            families
                .entry((&r.indicator_id, &r.period, &r.level, code))
                .or_default()
                .push(i);
        }
    }
    // Each row is a part of one whole at most: one pass settles them all.
    let mut hide = Vec::new();
    for parts in families.values() {
        if parts.iter().filter(|&&i| rows[i].suppressed).count() == 1
            && let Some(&j) = parts
                .iter()
                .filter(|&&i| !rows[i].suppressed)
                .min_by(|&&a, &&b| {
                    (rows[a].n, &rows[a].group_code).cmp(&(rows[b].n, &rows[b].group_code))
                })
        {
            hide.push(j);
        }
    }
    for j in hide {
        let r = &mut rows[j];
        r.suppressed = true;
        r.value = None;
        r.baseline_value = None;
        r.change = None;
        r.ci_low = None;
        r.ci_high = None;
        r.status = None;
    }
}

fn compute_all(
    conn: &Connection,
    catalog: &Catalog,
    options: &Options,
) -> Result<Vec<IndicatorRow>, MetricsError> {
    if let Some((lo, hi)) = options.winsorize
        && !(0.0 < lo && lo < hi && hi < 100.0)
    {
        return Err(MetricsError::InvalidOption(format!(
            "winsorising percentiles must satisfy 0 < low < high < 100, not {lo} and {hi}"
        )));
    }
    prepare_kpm_values(conn, options.utc_offset_hours)?;
    let known = kpm_variables(conn)?;
    let mut variables: Vec<Variable> = Vec::new();
    for i in &catalog.indicators {
        if !known.contains(&i.variable) {
            return Err(MetricsError::Catalog(format!(
                "indicator `{}` aggregates `{}`, which is not a KPM-level variable of queries/metrics/kpm_value.sql ({})",
                i.id,
                i.variable,
                known.join(", ")
            )));
        }
        if variables.iter().any(|v| v.name == i.variable) {
            continue;
        }
        let users = || {
            catalog
                .indicators
                .iter()
                .filter(|j| j.variable == i.variable)
        };
        let money = users().any(|j| j.unit == crate::catalog::Unit::Rp);
        variables.push(Variable {
            name: i.variable.clone(),
            panel: i.population == Population::Panel,
            binary: users().all(|j| j.aggregation == Aggregation::Share),
            winsor: options.winsorize.filter(|_| money),
        });
    }
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE variable_def (variable VARCHAR, panel BOOLEAN, p_low DOUBLE, p_high DOUBLE)",
    )?;
    {
        let mut app = conn.appender_to_catalog_and_db("variable_def", "temp", "main")?;
        for v in &variables {
            app.append_row(params![
                v.name,
                v.panel,
                v.winsor.map(|w| w.0),
                v.winsor.map(|w| w.1)
            ])?;
        }
    }
    if variables.iter().any(|v| v.winsor.is_some()) {
        tracing::debug!(
            sql = "queries/metrics/winsor_cut.sql",
            "winsorising cut-offs"
        );
        conn.execute_batch(WINSOR_SQL)?;
    } else {
        conn.execute_batch(
            "CREATE OR REPLACE TEMP TABLE winsor_cut (variable VARCHAR, period VARCHAR, lo DOUBLE, hi DOUBLE)",
        )?;
    }

    tracing::debug!(
        sql = "queries/metrics/indicator_stats.sql",
        "indicator statistics"
    );
    let sql = stats_sql(&passes(options, catalog, &variables), &variables);
    // The whole statement, for profiling it by hand (PROKUS_LOG=trace): it
    // holds fixed identifiers only, never a value from the data.
    tracing::trace!(%sql, "indicator statistics query");
    let started = std::time::Instant::now();
    let mut stmt = conn.prepare(&sql)?;
    let frames: Vec<DataFrame> = stmt.query_polars([])?.collect();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        groups = frames.iter().map(DataFrame::height).sum::<usize>(),
        "indicator statistics read"
    );
    let names = group_names(conn)?;
    let order: HashMap<String, (i64, bool)> = conn
        .prepare("SELECT period, ordinal, kind = 'wave' FROM period_def")?
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, (r.get::<_, i64>(1)?, r.get(2)?)))
        })?
        .collect::<Result<_, _>>()?;
    finish(&frames, &variables, catalog, options, &names, &order)
}

const WINSOR_SQL: &str = include_str!("../../../queries/metrics/winsor_cut.sql");

/// A KPM-level variable the catalog aggregates.
struct Variable {
    name: String,
    /// Compared over the panel after the baseline.
    panel: bool,
    /// Every indicator of it is a share: its values are 0 or 1, so the sums
    /// of squares are the sums.
    binary: bool,
    /// Winsorising percentiles.
    winsor: Option<(f64, f64)>,
}

/// The non-arm dimensions, which every statistics query returns as columns:
/// the geographic ones, the KPM's attributes, then the people who accompany
/// it (each level of those is a query of its own).
const GROUP_DIMENSIONS: [Dimension; 10] = [
    Dimension::Province,
    Dimension::Regency,
    Dimension::District,
    Dimension::Incubator,
    Dimension::Cohort,
    Dimension::Cluster,
    Dimension::Category,
    Dimension::Gender,
    Dimension::Mentor,
    Dimension::Tksk,
];

/// One statistics query: its cells, its grouping sets, the variables its
/// levels print and the periods it reads.
struct Pass {
    /// The dimensions the rows are first summed by: those of its sets.
    cells: Vec<Dimension>,
    sets: Vec<Vec<Dimension>>,
    /// The sets some level needs for the comparison group too (a level
    /// with `arm`); the others are reported for ProKUS KPM only.
    both_arms: Vec<Vec<Dimension>>,
    /// The variables summed, as indices into the variables, each with
    /// whether its median is taken.
    variables: Vec<(usize, bool)>,
    periods: Periods,
}

/// The periods a pass reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Periods {
    All,
    Waves,
    /// Quarters and years to date.
    NotWaves,
}

impl Periods {
    /// Its condition on `kpm_value.kind`.
    fn condition(self) -> &'static str {
        match self {
            Periods::All => "TRUE",
            Periods::Waves => "kind = 'wave'",
            Periods::NotWaves => "kind <> 'wave'",
        }
    }
}

/// The geographic dimensions: a TKSK serves a kecamatan.
const GEOGRAPHIC: [Dimension; 4] = [
    Dimension::Province,
    Dimension::Regency,
    Dimension::District,
    Dimension::Tksk,
];

/// Groups the levels into queries, so that each sums little more than its
/// levels print. The geographic levels (and TKSK) share one, the others (and
/// national) another, and a level crossing the two kinds has its own;
/// within a kind, the levels that print a few indicators only
/// ([`Options::level_indicators`]) share a query of their own, summing the
/// variables any of them prints (a kecamatan, printing five indicators,
/// does not sum the twenty of a province). One query per kind and not one
/// per level: at 2,000,000 households each query reads the KPM values
/// spilled to disk again. Each query first sums its rows into cells, the
/// finest combination of its levels' dimensions, and its levels are sums of
/// cells.
/// When only the national level gets quarters
/// ([`Options::quarters_national_only`]), the other levels read the waves
/// alone, and the national quarters are a query of their own.
fn passes(options: &Options, catalog: &Catalog, variables: &[Variable]) -> Vec<Pass> {
    // The variables a level prints, and whether it takes their medians.
    let printed = |level: &Level| -> Vec<(usize, bool)> {
        let kept = options.level_indicators.get(&level.name());
        variables
            .iter()
            .enumerate()
            .filter_map(|(vi, v)| {
                let mut used = catalog
                    .indicators
                    .iter()
                    .filter(|i| i.variable == v.name && kept.is_none_or(|ids| ids.contains(&i.id)));
                let first = used.next()?;
                let median = std::iter::once(first)
                    .chain(used)
                    .any(|i| i.aggregation == Aggregation::Median);
                Some((vi, median))
            })
            .collect()
    };
    #[derive(Clone, PartialEq)]
    enum Kind {
        Geographic,
        Attributes,
        Own(Vec<Dimension>),
    }
    // A pass by kind, by whether its levels print a few indicators only
    // (they share one, summing the variables any of them prints), and by
    // periods.
    let mut out: Vec<((Kind, bool), Pass)> = Vec::new();
    for level in &options.levels {
        let g = level.grouping();
        let kind = if g.iter().all(|d| !GEOGRAPHIC.contains(d)) {
            Kind::Attributes
        } else if g.iter().all(|d| GEOGRAPHIC.contains(d)) {
            Kind::Geographic
        } else {
            Kind::Own(g.clone())
        };
        let vars = printed(level);
        if vars.is_empty() {
            continue;
        }
        let kind = (kind, options.level_indicators.contains_key(&level.name()));
        let periods: &[Periods] = if !options.quarters_national_only {
            &[Periods::All]
        } else if g.is_empty() {
            &[Periods::Waves, Periods::NotWaves]
        } else {
            &[Periods::Waves]
        };
        for &periods in periods {
            let index = match out
                .iter()
                .position(|(k, p)| *k == kind && p.periods == periods)
            {
                Some(i) => {
                    let variables = &mut out[i].1.variables;
                    for &(vi, median) in &vars {
                        match variables.iter_mut().find(|(v, _)| *v == vi) {
                            Some((_, m)) => *m |= median,
                            None => variables.push((vi, median)),
                        }
                    }
                    variables.sort();
                    i
                }
                None => {
                    out.push((
                        kind.clone(),
                        Pass {
                            cells: Vec::new(),
                            sets: Vec::new(),
                            both_arms: Vec::new(),
                            variables: vars.clone(),
                            periods,
                        },
                    ));
                    out.len() - 1
                }
            };
            let pass = &mut out[index].1;
            if level.dimensions().contains(&Dimension::Arm) && !pass.both_arms.contains(&g) {
                pass.both_arms.push(g.clone());
            }
            if !pass.sets.contains(&g) {
                pass.sets.push(g.clone());
            }
        }
    }
    out.into_iter()
        .map(|(_, mut pass)| {
            let mut cells: Vec<Dimension> = pass.sets.iter().flatten().copied().collect();
            cells.sort();
            cells.dedup();
            pass.cells = cells;
            pass
        })
        .collect()
}

/// The statistics query, from queries/metrics/indicator_stats.sql: the
/// common part, then the sums and (when the catalog has medians) the medians
/// of every pass, joined by `UNION ALL BY NAME`. Only fixed identifiers are
/// written into it: dimension columns and the variable columns of kpm_value
/// (checked to be plain lower-case names).
fn stats_sql(passes: &[Pass], variables: &[Variable]) -> String {
    let section = |name: &str| crate::sql::part(STATS_SQL, name);
    let common = section("common");
    let sums = section("sums");
    let direct = section("direct");
    let medians = section("medians");
    let ident = |name: &str| {
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'|'),
            "variable names are checked against kpm_value's columns"
        );
        format!("\"{name}\"")
    };
    let join = |items: Vec<String>, sep: &str| items.join(sep);
    let cut_columns = join(
        variables
            .iter()
            .map(|v| {
                format!(
                    "max(lo) FILTER (WHERE variable = '{}') AS {}, max(hi) FILTER (WHERE variable = '{}') AS {}",
                    v.name,
                    ident(&format!("lo|{}", v.name)),
                    v.name,
                    ident(&format!("hi|{}", v.name))
                )
            })
            .collect(),
        ", ",
    );
    let projection = join(
        variables
            .iter()
            .map(|v| {
                let x = ident(&v.name);
                let x0 = ident(&format!("{}_0", v.name));
                let clamp = |value: &str, cut: &str| {
                    // Without winsorising there is nothing to clamp (and a
                    // CASE per value costs on a million rows).
                    if v.winsor.is_none() {
                        return value.to_string();
                    }
                    let lo = format!("{cut}.{}", ident(&format!("lo|{}", v.name)));
                    let hi = format!("{cut}.{}", ident(&format!("hi|{}", v.name)));
                    // Not least/greatest: they skip NULLs, and a missing
                    // answer must stay missing.
                    format!(
                        "CASE WHEN {value} < {lo} THEN {lo} WHEN {value} > {hi} THEN {hi} ELSE {value} END"
                    )
                };
                let value = clamp(&format!("k.{x}"), "c");
                if v.panel {
                    let base = clamp(&format!("k.{x0}"), "c0");
                    format!(
                        "CASE WHEN k.period = 'baseline' OR k.{x0} IS NOT NULL THEN {value} END AS {x},\n        \
                         CASE WHEN k.period <> 'baseline' AND k.{x} IS NOT NULL THEN {base} END AS {x0}"
                    )
                } else {
                    format!("{value} AS {x}")
                }
            })
            .collect(),
        ",\n        ",
    );
    // The sums of a pass's variables, then their medians.
    let aggregates = |pass: &Pass| {
        join(
            pass.variables
                .iter()
                .map(|&(vi, _)| {
                    let v = &variables[vi];
                    let x = ident(&v.name);
                    let x0 = ident(&format!("{}_0", v.name));
                    let name = |stat: &str| ident(&format!("{stat}|{}", v.name));
                    let mut own = format!("count({x}) AS {}, sum({x}) AS {}", name("n"), name("s"));
                    if !v.binary {
                        own.push_str(&format!(", sum({x} * {x}) AS {}", name("ss")));
                    }
                    if v.panel {
                        own.push_str(&format!(
                            ", count({x0}) AS {}, sum({x0}) AS {}, sum({x} * {x0}) AS {}",
                            name("n0"),
                            name("t"),
                            name("st")
                        ));
                        if !v.binary {
                            own.push_str(&format!(", sum({x0} * {x0}) AS {}", name("tt")));
                        }
                    }
                    own
                })
                .collect(),
            ",\n        ",
        )
    };
    let median_columns = |pass: &Pass| {
        join(
            pass.variables
                .iter()
                .filter(|(_, median)| *median)
                .map(|&(vi, _)| {
                    let name = &variables[vi].name;
                    format!(
                        "median({}) AS {}",
                        ident(name),
                        ident(&format!("median|{name}"))
                    )
                })
                .collect(),
            ", ",
        )
    };
    let all_cells = join(
        GROUP_DIMENSIONS
            .iter()
            .map(|d| format!("k.{}", d.column()))
            .collect(),
        ", ",
    );
    let cut_joins = if variables.iter().any(|v| v.winsor.is_some()) {
        "LEFT JOIN cut c ON c.period = k.period\n    LEFT JOIN cut c0 ON c0.period = 'baseline'"
    } else {
        ""
    };
    let mut text = common
        .replace("/* CUT JOINS */", cut_joins)
        .replace("/* CUT COLUMNS */", &cut_columns)
        .replace("/* CELL COLUMNS */", &all_cells)
        .replace("/* PROJECTION */", &projection);
    for (i, pass) in passes.iter().enumerate() {
        let cells = join(
            pass.cells.iter().map(|d| d.column().to_string()).collect(),
            ", ",
        );
        let (aggregates, medians_of) = (aggregates(pass), median_columns(pass));
        // One query's grouping sets and its dimension columns: those of the
        // sets, NULL for the others (every query returns all of them).
        let fill = |part: &str, sets: &[&Vec<Dimension>], arms: &str| {
            let dimension_columns = join(
                GROUP_DIMENSIONS
                    .iter()
                    .map(|d| {
                        if sets.iter().any(|s| s.contains(d)) {
                            d.column().to_string()
                        } else {
                            format!("NULL::VARCHAR AS {}", d.column())
                        }
                    })
                    .collect(),
                ", ",
            );
            let sets = join(
                sets.iter()
                    .map(|set| {
                        let mut c = vec!["period", "arm"];
                        c.extend(set.iter().map(|d| d.column()));
                        format!("({})", c.join(", "))
                    })
                    .collect(),
                ", ",
            );
            part.replace("/* CELL COLUMNS */", &cells)
                .replace("/* AGGREGATES */", &aggregates)
                .replace("/* MEDIANS */", &medians_of)
                .replace("/* DIMENSION COLUMNS */", &dimension_columns)
                .replace("/* GROUPING SETS */", &sets)
                .replace("/* ARMS */", arms)
                .replace("/* PERIODS */", pass.periods.condition())
        };
        if i > 0 {
            text.push_str("UNION ALL BY NAME\n");
        }
        let all: Vec<&Vec<Dimension>> = pass.sets.iter().collect();
        // A pass of one set sums its rows into the set's groups at once: its
        // cells are the groups.
        text.push_str(&fill(
            if all.len() == 1 { direct } else { sums },
            &all,
            "TRUE",
        ));
        if !medians_of.is_empty() {
            // Medians are computed from the rows, set by set: the sets no
            // level needs for the comparison group read ProKUS rows only.
            let (both, prokus): (Vec<&Vec<Dimension>>, Vec<&Vec<Dimension>>) =
                pass.sets.iter().partition(|s| pass.both_arms.contains(s));
            for (sets, arms) in [(both, "TRUE"), (prokus, "arm = 'prokus'")] {
                if !sets.is_empty() {
                    text.push_str("UNION ALL BY NAME\n");
                    text.push_str(&fill(medians, &sets, arms));
                }
            }
        }
    }
    text
}

/// Names of the groups (in Bahasa Indonesia) by dimension, then group code.
type GroupNames = HashMap<String, HashMap<String, String>>;

/// The names of queries/metrics/kpm_value.sql's `group_label`.
fn group_names(conn: &Connection) -> Result<GroupNames, MetricsError> {
    let mut stmt = conn.prepare("SELECT dimension, group_code, name_id FROM group_label")?;
    let mut names = GroupNames::new();
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })? {
        let (dimension, code, name) = row?;
        names.entry(dimension).or_default().insert(code, name);
    }
    Ok(names)
}

/// The cell of variable `vi` among a group's, added empty if it has none
/// yet. A group holds the few variables of one query: a search is quicker
/// than a map.
fn cell_of(cells: &mut Vec<(usize, Cell)>, vi: usize) -> &mut Cell {
    let at = match cells.iter().position(|(v, _)| *v == vi) {
        Some(at) => at,
        None => {
            cells.push((vi, Cell::default()));
            cells.len() - 1
        }
    };
    &mut cells[at].1
}

fn f64_col(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, MetricsError> {
    let s = df.column(name)?.cast(&DataType::Float64)?;
    Ok(s.f64()?.into_iter().collect())
}

fn str_col(df: &DataFrame, name: &str) -> Result<Vec<String>, MetricsError> {
    Ok(df
        .column(name)?
        .str()?
        .into_iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect())
}

fn opt_str_col(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, MetricsError> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .into_iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// The statistics of one variable in one group.
#[derive(Default)]
struct Cell {
    n: f64,
    mean: Option<f64>,
    var: Option<f64>,
    mean0: Option<f64>,
    var0: Option<f64>,
    cov: Option<f64>,
    median: Option<f64>,
}

impl Cell {
    /// From the power sums (n, Σx, Σx², n0, Σx0, Σx0², Σx·x0).
    fn from_sums(n: f64, s: f64, ss: f64, n0: f64, t: f64, tt: f64, st: f64) -> Cell {
        let var =
            |n: f64, s: f64, ss: f64| (n >= 2.0).then(|| ((ss - s * s / n) / (n - 1.0)).max(0.0));
        Cell {
            n,
            mean: (n > 0.0).then(|| s / n),
            var: var(n, s, ss),
            mean0: (n0 > 0.0).then(|| t / n0),
            var0: var(n0, t, tt),
            cov: (n0 >= 2.0 && n0 == n).then(|| (st - s * t / n) / (n - 1.0)),
            median: None,
        }
    }
}

/// Turns the statistics queries' rows into indicator rows: aggregation rules,
/// targets and suppression. `periods` gives each period's report order and
/// whether it is a wave.
fn finish(
    frames: &[DataFrame],
    variables: &[Variable],
    catalog: &Catalog,
    options: &Options,
    names: &GroupNames,
    periods: &HashMap<String, (i64, bool)>,
) -> Result<Vec<IndicatorRow>, MetricsError> {
    // Groups (period, arm, dimension values), each interned once, and the
    // statistics of the variables summed in each: `cells[group]`, by the
    // variable's index. Only those its query summed: a slot for every
    // variable in every group was some hundred megabytes of cells, nearly
    // all empty, to allocate and clear.
    type Group = (String, String, Vec<Option<String>>);
    let mut group_index: HashMap<Group, usize> = HashMap::new();
    let mut cells: Vec<Vec<(usize, Cell)>> = Vec::new();
    for df in frames {
        let mut periods = str_col(df, "period")?;
        let mut arms = str_col(df, "arm")?;
        let mut dims: Vec<Vec<Option<String>>> = GROUP_DIMENSIONS
            .iter()
            .map(|d| opt_str_col(df, d.column()))
            .collect::<Result<_, _>>()?;
        // Each row's group is moved out of these columns (read once), and
        // the map keeps the only copy: no text is copied per row.
        let rows: Vec<usize> = (0..df.height())
            .map(|r| {
                let group = (
                    std::mem::take(&mut periods[r]),
                    std::mem::take(&mut arms[r]),
                    dims.iter_mut().map(|c| c[r].take()).collect(),
                );
                let next = group_index.len();
                *group_index.entry(group).or_insert_with(|| {
                    cells.push(Vec::new());
                    next
                })
            })
            .collect();
        let has = |name: &str| df.get_column_names().iter().any(|c| c.as_str() == name);
        for (vi, v) in variables.iter().enumerate() {
            if has(&format!("n|{}", v.name)) {
                let column = |stat: &str| -> Result<Vec<Option<f64>>, MetricsError> {
                    let name = format!("{stat}|{}", v.name);
                    if has(&name) {
                        f64_col(df, &name)
                    } else {
                        Ok(vec![None; df.height()])
                    }
                };
                // For 0/1 values the sums of squares are the sums.
                let (square, square0) = if v.binary { ("s", "t") } else { ("ss", "tt") };
                let [n, s, ss, n0, t, tt, st] =
                    ["n", "s", square, "n0", "t", square0, "st"].map(column);
                let (n, s, ss, n0, t, tt, st) = (n?, s?, ss?, n0?, t?, tt?, st?);
                for (r, &g) in rows.iter().enumerate() {
                    let count = n[r].unwrap_or(0.0);
                    if count == 0.0 {
                        continue;
                    }
                    let z = |c: &[Option<f64>]| c[r].unwrap_or(0.0);
                    // The median of the same group may have come first.
                    let cell = cell_of(&mut cells[g], vi);
                    *cell = Cell {
                        median: cell.median,
                        ..Cell::from_sums(count, z(&s), z(&ss), z(&n0), z(&t), z(&tt), z(&st))
                    };
                }
            }
            if has(&format!("median|{}", v.name)) {
                let median = f64_col(df, &format!("median|{}", v.name))?;
                for (r, m) in median.iter().enumerate() {
                    if let Some(m) = m {
                        cell_of(&mut cells[rows[r]], vi).median = Some(*m);
                    }
                }
            }
        }
    }

    // The groups in the order of their numbers.
    let mut numbered: Vec<(usize, Group)> = group_index.into_iter().map(|(g, i)| (i, g)).collect();
    numbered.sort_unstable_by_key(|(i, _)| *i);
    let groups: Vec<Group> = numbered.into_iter().map(|(_, g)| g).collect();
    let by_variable: Vec<Vec<usize>> = variables
        .iter()
        .map(|v| {
            catalog
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.variable == v.name)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    // Each level's grouping columns and name, once.
    let levels: Vec<(usize, &Level, Vec<Dimension>, String)> = options
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l, l.grouping(), l.name()))
        .collect();
    // Each group's rows, groups in parallel (a million-row run has some
    // hundred thousand groups).
    let group_rows = |((period, arm, dims), group_cells): (&Group, &Vec<(usize, Cell)>)| {
        let mut out: Vec<(usize, i64, usize, IndicatorRow)> = Vec::new();
        let present: Vec<Dimension> = GROUP_DIMENSIONS
            .iter()
            .zip(dims)
            .filter(|(_, v)| v.is_some())
            .map(|(d, _)| *d)
            .collect();
        let (ordinal, wave) = periods.get(period).copied().unwrap_or((i64::MAX, true));
        for (level_index, level, grouping, level_name) in &levels {
            if *grouping != present {
                continue;
            }
            if options.quarters_national_only && !wave && !grouping.is_empty() {
                continue;
            }
            let has_arm = level.dimensions().contains(&Dimension::Arm);
            if !has_arm && arm != "prokus" {
                continue;
            }
            let mut codes = Vec::new();
            let mut labels = Vec::new();
            for d in level.dimensions() {
                let code = if *d == Dimension::Arm {
                    arm.clone()
                } else {
                    let at = GROUP_DIMENSIONS
                        .iter()
                        .position(|c| c == d)
                        .expect("a level's dimension is a group dimension");
                    dims[at].clone().unwrap_or_default()
                };
                labels.push(
                    names
                        .get(d.name())
                        .and_then(|of| of.get(&code))
                        .cloned()
                        .unwrap_or_else(|| code.clone()),
                );
                codes.push(code);
            }
            let (group_code, group_name) = if codes.is_empty() {
                (NATIONAL_CODE.to_string(), "Indonesia".to_string())
            } else {
                (codes.join(":"), labels.join(" · "))
            };
            let kept = options.level_indicators.get(level_name);
            for (vi, cell) in group_cells {
                if cell.n <= 0.0 {
                    continue;
                }
                for &i in &by_variable[*vi] {
                    if kept.is_some_and(|ids| !ids.contains(&catalog.indicators[i].id)) {
                        continue;
                    }
                    if let Some(row) = indicator_row(
                        &catalog.indicators[i],
                        period,
                        level_name.clone(),
                        group_code.clone(),
                        group_name.clone(),
                        cell,
                        options,
                    ) {
                        out.push((i, ordinal, *level_index, row));
                    }
                }
            }
        }
        out
    };
    let mut out: Vec<(usize, i64, usize, IndicatorRow)> = groups
        .par_iter()
        .zip(cells.par_iter())
        .flat_map_iter(group_rows)
        .collect();
    out.par_sort_unstable_by(|a, b| {
        (a.0, a.1, a.2, &a.3.group_code).cmp(&(b.0, b.1, b.2, &b.3.group_code))
    });
    Ok(out.into_iter().map(|(_, _, _, r)| r).collect())
}

/// One indicator's row for one group, or `None` when it has no value there
/// (a change at the baseline).
fn indicator_row(
    indicator: &crate::catalog::Indicator,
    period: &str,
    level: String,
    group_code: String,
    group_name: String,
    c: &Cell,
    options: &Options,
) -> Option<IndicatorRow> {
    let count = c.n;
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let is_base = period == "baseline";
    let paired = indicator.population == Population::Panel;
    let base_mean = if paired { c.mean0 } else { None };
    let (value, base, ci) = match indicator.aggregation {
        Aggregation::Mean => (
            nan(c.mean),
            base_mean,
            mean_ci(nan(c.mean), nan(c.var), count),
        ),
        Aggregation::Median => (nan(c.median), None, (f64::NAN, f64::NAN)),
        Aggregation::Share => {
            let p = nan(c.mean);
            let (lo, hi) = wilson(p, count);
            (
                100.0 * p,
                base_mean.map(|b| 100.0 * b),
                (100.0 * lo, 100.0 * hi),
            )
        }
        Aggregation::Sum => {
            let total = count * nan(c.mean);
            let half = if count >= 2.0 {
                t_975(count - 1.0) * (count * nan(c.var)).sqrt()
            } else {
                f64::NAN
            };
            (
                total,
                base_mean.map(|b| count * b),
                (total - half, total + half),
            )
        }
        Aggregation::SumChange if is_base => return None,
        Aggregation::SumChange => {
            let mean_diff = nan(c.mean) - nan(c.mean0);
            let var_diff = nan(c.var) + nan(c.var0) - 2.0 * nan(c.cov);
            let total_change = count * mean_diff;
            let half = if count >= 2.0 {
                t_975(count - 1.0) * (count * var_diff.max(0.0)).sqrt()
            } else {
                f64::NAN
            };
            (
                total_change,
                Some(0.0),
                (total_change - half, total_change + half),
            )
        }
        Aggregation::PctChange if is_base => return None,
        Aggregation::PctChange => {
            let ratio = nan(c.mean) / nan(c.mean0);
            let (lo, hi) = ratio_ci(
                nan(c.mean),
                nan(c.mean0),
                nan(c.var),
                nan(c.var0),
                nan(c.cov),
                count,
            );
            (
                100.0 * (ratio - 1.0),
                Some(0.0),
                (100.0 * (lo - 1.0), 100.0 * (hi - 1.0)),
            )
        }
    };
    if value.is_nan() {
        return None;
    }
    let suppressed = count < f64::from(options.min_cell);
    let target = options
        .targets
        .find(&indicator.id, period, &level, &group_code);
    let round = |v: f64| round_to(v, indicator.decimals);
    let finite = |v: f64| v.is_finite().then(|| round(v));
    let base = if is_base { None } else { base.map(round) };
    let value = round(value);
    let shown = |v: Option<f64>| if suppressed { None } else { v };
    Some(IndicatorRow {
        indicator_id: indicator.id.clone(),
        period: period.to_string(),
        level,
        group_code,
        group_name,
        n: count as i64,
        value: shown(Some(value)),
        baseline_value: shown(base),
        change: shown(base.map(|b| round(value - b))),
        ci_low: shown(finite(ci.0)),
        ci_high: shown(finite(ci.1)),
        target,
        status: if suppressed {
            None
        } else {
            target.map(|t| {
                options
                    .targets
                    .status(value, t, indicator.direction)
                    .as_str()
                    .to_string()
            })
        },
        suppressed,
    })
}

/// Rounds half away from zero to `decimals` digits, as the reports print.
/// The value is first snapped to six more digits, so that a mean of exactly
/// 3.225 prints the same whichever order DuckDB's threads summed it in.
pub(crate) fn round_to(v: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    let snapped = (v * scale * 1e6).round() / 1e6;
    let r = snapped.round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

impl IndicatorTable {
    /// Builds the frame from rows.
    pub fn from_rows(rows: &[IndicatorRow]) -> Result<Self, MetricsError> {
        let text = |f: fn(&IndicatorRow) -> &str| rows.iter().map(f).collect::<Vec<_>>();
        let num = |f: fn(&IndicatorRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
        let frame = DataFrame::new(vec![
            Column::new("indicator_id".into(), text(|r| &r.indicator_id)),
            Column::new("period".into(), text(|r| &r.period)),
            Column::new("level".into(), text(|r| &r.level)),
            Column::new("group_code".into(), text(|r| &r.group_code)),
            Column::new("group_name".into(), text(|r| &r.group_name)),
            Column::new("n".into(), rows.iter().map(|r| r.n).collect::<Vec<_>>()),
            Column::new("value".into(), num(|r| r.value)),
            Column::new("baseline_value".into(), num(|r| r.baseline_value)),
            Column::new("change".into(), num(|r| r.change)),
            Column::new("ci_low".into(), num(|r| r.ci_low)),
            Column::new("ci_high".into(), num(|r| r.ci_high)),
            Column::new("target".into(), num(|r| r.target)),
            Column::new(
                "status".into(),
                rows.iter().map(|r| r.status.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "suppressed".into(),
                rows.iter().map(|r| r.suppressed).collect::<Vec<_>>(),
            ),
        ])?;
        Ok(IndicatorTable { frame })
    }

    /// The rows, for reports and tests.
    pub fn rows(&self) -> Result<Vec<IndicatorRow>, MetricsError> {
        let df = &self.frame;
        let [id, period, level, code, name] = [
            "indicator_id",
            "period",
            "level",
            "group_code",
            "group_name",
        ]
        .map(|c| str_col(df, c));
        let (id, period, level, code, name) = (id?, period?, level?, code?, name?);
        let n: Vec<i64> = df
            .column("n")?
            .i64()?
            .into_iter()
            .map(|v| v.unwrap_or(0))
            .collect();
        let [value, base, change, lo, hi, target] = [
            "value",
            "baseline_value",
            "change",
            "ci_low",
            "ci_high",
            "target",
        ]
        .map(|c| f64_col(df, c));
        let (value, base, change, lo, hi, target) = (value?, base?, change?, lo?, hi?, target?);
        let status: Vec<Option<String>> = df
            .column("status")?
            .str()?
            .into_iter()
            .map(|s| s.map(str::to_string))
            .collect();
        let suppressed: Vec<bool> = df
            .column("suppressed")?
            .bool()?
            .into_iter()
            .map(|b| b.unwrap_or(false))
            .collect();
        Ok((0..df.height())
            .map(|i| IndicatorRow {
                indicator_id: id[i].clone(),
                period: period[i].clone(),
                level: level[i].clone(),
                group_code: code[i].clone(),
                group_name: name[i].clone(),
                n: n[i],
                value: value[i],
                baseline_value: base[i],
                change: change[i],
                ci_low: lo[i],
                ci_high: hi[i],
                target: target[i],
                status: status[i].clone(),
                suppressed: suppressed[i],
            })
            .collect())
    }

    /// Writes the CSV whose header is [`CSV_HEADER`] (whole or not at all,
    /// as every file below, through a temporary file renamed over it).
    pub fn write_csv(&mut self, path: &Path) -> Result<(), MetricsError> {
        write_file(path, |w| self.write_csv_to(w))
    }

    /// Writes the CSV to any writer (standard output, a buffer).
    pub fn write_csv_to(&mut self, mut w: impl std::io::Write) -> Result<(), MetricsError> {
        // Group codes and names come from the users' files: a name such as
        // `=HYPERLINK(...)` must not become a formula in a spreadsheet.
        let mut frame = self.frame.clone();
        for name in ["group_code", "group_name"] {
            let safe: StringChunked = frame
                .column(name)?
                .str()?
                .apply_values(|s| prokus_ingest::privacy::csv_cell(s));
            frame.with_column(safe.into_series().with_name(name.into()))?;
        }
        CsvWriter::new(&mut w)
            .include_header(true)
            .finish(&mut frame)
            .map_err(|e| match e {
                // The output's failure (a full disk, a closed pipe), not a bug.
                PolarsError::IO { error, .. } => MetricsError::Write(error.to_string()),
                e => e.into(),
            })
    }

    /// Writes Parquet (zstd), for analysts' tools.
    pub fn write_parquet(&mut self, path: &Path) -> Result<(), MetricsError> {
        let frame = &mut self.frame;
        write_file(path, |w| {
            // Of a frame built here, what fails is the writing (a full disk:
            // polars says so in its own words, not always as I/O).
            ParquetWriter::new(w)
                .finish(frame)
                .map(|_| ())
                .map_err(|e| MetricsError::Write(e.to_string()))
        })
    }

    /// Writes an Excel workbook: one sheet, the CSV's columns, numbers as
    /// numbers, a frozen header with filters, for the people who open
    /// everything in a spreadsheet.
    pub fn write_xlsx(&self, path: &Path) -> Result<(), MetricsError> {
        use rust_xlsxwriter::{Format, Workbook};
        let rows = self.rows()?;
        let err = |e: rust_xlsxwriter::XlsxError| MetricsError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut book = Workbook::new();
        book.set_properties(&prokus_ingest::outputs::workbook_properties("indicators"));
        let sheet = book.add_worksheet().set_name("indicators").map_err(err)?;
        let bold = Format::new().set_bold();
        for (c, h) in CSV_HEADER.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, text) in [
                &r.indicator_id,
                &r.period,
                &r.level,
                &r.group_code,
                &r.group_name,
            ]
            .into_iter()
            .enumerate()
            {
                sheet
                    .write_string(row, c as u16, prokus_ingest::privacy::xlsx_cell(text))
                    .map_err(err)?;
            }
            sheet.write_number(row, 5, r.n as f64).map_err(err)?;
            for (c, v) in [
                r.value,
                r.baseline_value,
                r.change,
                r.ci_low,
                r.ci_high,
                r.target,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(v) = v {
                    sheet.write_number(row, 6 + c as u16, v).map_err(err)?;
                }
            }
            if let Some(status) = &r.status {
                sheet.write_string(row, 12, status).map_err(err)?;
            }
            sheet.write_boolean(row, 13, r.suppressed).map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        sheet
            .autofilter(0, 0, rows.len() as u32, CSV_HEADER.len() as u16 - 1)
            .map_err(err)?;
        sheet.set_column_width(4, 36).map_err(err)?;
        let bytes = book.save_to_buffer().map_err(err)?;
        write_file(path, |w| {
            w.write_all(&bytes).map_err(|source| MetricsError::Io {
                path: path.to_path_buf(),
                source,
            })
        })
    }

    /// Writes a JSON array of rows.
    pub fn write_json(&self, path: &Path) -> Result<(), MetricsError> {
        write_file(path, |w| self.write_json_to(w))
    }

    /// Writes the JSON array to any writer.
    pub fn write_json_to(&self, w: impl std::io::Write) -> Result<(), MetricsError> {
        serde_json::to_writer_pretty(w, &self.rows()?).map_err(|e| MetricsError::Io {
            path: "<json>".into(),
            source: e.into(),
        })
    }
}

/// Writes `path` through a temporary file renamed over it once whole
/// ([`prokus_files::write_atomically_with`]): an output that fails half way
/// (a full disk) leaves the file of the last run as it was, not half of a
/// new one; a device given as the output is written to as it is.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), MetricsError>,
) -> Result<(), MetricsError> {
    // The writer's own errors, or the file's, named by its path.
    enum Failed {
        Io(std::io::Error),
        Write(MetricsError),
    }
    impl From<std::io::Error> for Failed {
        fn from(e: std::io::Error) -> Self {
            Failed::Io(e)
        }
    }
    prokus_files::write_atomically_with(path, |w| write(w).map_err(Failed::Write)).map_err(|e| {
        match e {
            Failed::Io(source) => MetricsError::Io {
                path: path.to_path_buf(),
                source,
            },
            Failed::Write(e) => e,
        }
    })
}

/// Keeps the latest answer of every KPM in every wave (the view
/// `response_current`) on `conn` until [`release_current_answers`]: as the
/// temporary table `qc_current`, the answers with what the data-quality
/// checks group them by (`queries/quality/current.sql`), and
/// `response_current` as a temporary view of its answers' own columns, in
/// front of the database's view. The queries on `conn` that read the
/// answers then find them chosen once instead of choosing them again each
/// (the wave counts, the reports' attention list, the checks), and the
/// checks find their table made: one copy of the answers, not two. A
/// cohort's answers ([`keep_cohort`]) stay its own table, which `qc_current`
/// is made from. For a connection that only reads: the answers it writes
/// meanwhile would not be seen.
pub fn keep_current_answers(conn: &Connection) -> Result<(), MetricsError> {
    if !current_answers_kept(conn)? {
        conn.execute_batch(crate::quality::CURRENT_SQL)?;
        if temporary(conn, "response_current")?.is_none() {
            conn.execute_batch(
                "CREATE TEMP VIEW response_current AS
                 SELECT * EXCLUDE (wave_ordinal, arm, cohort_year, unit_id) FROM temp.main.qc_current",
            )?;
        }
    }
    Ok(())
}

/// Drops what [`keep_current_answers`] kept: `response_current` is the
/// database's view again (or the cohort's table, which stays).
pub fn release_current_answers(conn: &Connection) -> Result<(), MetricsError> {
    if temporary(conn, "response_current")? == Some(Temporary::View) {
        conn.execute_batch("DROP VIEW temp.main.response_current")?;
    }
    conn.execute_batch("DROP TABLE IF EXISTS temp.main.qc_current")?;
    Ok(())
}

/// Narrows `conn` to the households of one cohort (`cohort_year`), for a
/// run that reports on that cohort alone: temporary tables of its KPM, their
/// submissions and their current answers stand, under the same names, in
/// front of the database's own, so that every query on `conn` (indicators,
/// checks, the reports' reads) sees that cohort only, until
/// [`release_cohort`]. Returns the number of its KPM. Nothing is written to
/// the database.
pub fn keep_cohort(conn: &Connection, year: i32) -> Result<i64, MetricsError> {
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE kpm AS SELECT * FROM main.kpm WHERE cohort_year = $1",
        [year],
    )?;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE response AS
             SELECT * FROM main.response WHERE kpm_id IN (SELECT kpm_id FROM temp.main.kpm);
         CREATE OR REPLACE TEMP TABLE response_current AS
             SELECT * FROM main.response_current WHERE kpm_id IN (SELECT kpm_id FROM temp.main.kpm);
         CREATE OR REPLACE TEMP TABLE response_superseded AS
             SELECT * FROM main.response_superseded WHERE kpm_id IN (SELECT kpm_id FROM temp.main.kpm);",
    )?;
    Ok(conn.query_row("SELECT count(*) FROM temp.main.kpm", [], |r| r.get(0))?)
}

/// Drops what [`keep_cohort`] made: the database's own tables are seen again.
pub fn release_cohort(conn: &Connection) -> Result<(), MetricsError> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.main.kpm;
         DROP TABLE IF EXISTS temp.main.response;
         DROP TABLE IF EXISTS temp.main.response_current;
         DROP TABLE IF EXISTS temp.main.response_superseded;",
    )?;
    Ok(())
}

/// The cohorts of the database and their KPM, for a message naming them
/// (read before [`keep_cohort`], whose tables stand in front of the
/// register's).
pub fn cohorts(conn: &Connection) -> Result<Vec<(Option<i32>, i64)>, MetricsError> {
    let mut stmt = conn.prepare(
        "SELECT cohort_year, count(*) FROM kpm GROUP BY cohort_year ORDER BY cohort_year",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The group code of the national level's one group (its name is
/// `Indonesia`), as the indicator rows and the targets file write it.
pub const NATIONAL_CODE: &str = "ID";

/// The temporary tables and views an indicator computation leaves on its
/// connection (`queries/metrics/kpm_value.sql`, `winsor_cut.sql` and the
/// variable list), which the impact estimates on that connection reuse
/// ([`crate::impact::outcome_units_after_compute`]); dropped by [`release_values`].
pub const VALUE_SCRATCH: [&str; 10] = [
    "group_label",
    "kpm_base",
    "kpm_long",
    "kpm_value",
    "kpm_period",
    "period_def",
    "response_value",
    "winsor_cut",
    "variable_def",
    "programme_clock",
];

/// Drops what an indicator computation left on `conn` ([`VALUE_SCRATCH`]),
/// views before the tables they read.
pub fn release_values(conn: &Connection) -> Result<(), MetricsError> {
    let mut present = temporaries(conn)?;
    present.retain(|(name, _)| VALUE_SCRATCH.contains(&name.as_str()));
    present.sort_by_key(|(_, kind)| *kind != Temporary::View);
    for (name, kind) in present {
        // Only names from VALUE_SCRATCH reach this statement.
        let kind = match kind {
            Temporary::View => "VIEW",
            Temporary::Table => "TABLE",
        };
        conn.execute_batch(&format!("DROP {kind} IF EXISTS temp.main.{name}"))?;
    }
    Ok(())
}

/// Whether [`keep_current_answers`] keeps the answers on `conn`.
pub(crate) fn current_answers_kept(conn: &Connection) -> Result<bool, MetricsError> {
    Ok(temporary(conn, "qc_current")? == Some(Temporary::Table))
}

/// A temporary object of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporary {
    Table,
    View,
}

/// The temporary tables and views of `conn`, by name.
fn temporaries(conn: &Connection) -> Result<Vec<(String, Temporary)>, MetricsError> {
    let mut stmt = conn.prepare(
        "SELECT view_name, true FROM duckdb_views() WHERE temporary
         UNION ALL SELECT table_name, false FROM duckdb_tables() WHERE temporary",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind = if r.get(1)? {
            Temporary::View
        } else {
            Temporary::Table
        };
        Ok((r.get(0)?, kind))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What `conn` has as a temporary table or view named `name`, if anything.
fn temporary(conn: &Connection, name: &str) -> Result<Option<Temporary>, MetricsError> {
    Ok(temporaries(conn)?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, kind)| kind))
}

/// Responses per wave and arm, with the number registered, for response and
/// attrition figures; each median date local, at `utc_offset_hours` east of
/// UTC ([`Options::utc_offset_hours`]).
pub fn wave_counts(
    conn: &Connection,
    utc_offset_hours: i32,
) -> Result<Vec<WaveCount>, MetricsError> {
    let mut stmt = conn.prepare(include_str!("../../../queries/metrics/wave_counts.sql"))?;
    let rows = stmt.query_map([utc_offset_hours], |r| {
        Ok(WaveCount {
            wave: r.get(0)?,
            arm: r.get(1)?,
            registered: r.get(2)?,
            responded: r.get(3)?,
            median_date: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The KPM values read the answers by name (`r.business_income`): each
    /// name must be one of the canonical fields (the one list, in the ingest
    /// crate), or a renamed field would silently read nothing.
    #[test]
    fn the_kpm_values_read_only_canonical_fields() {
        let known: Vec<&str> = prokus_ingest::mapping::CANONICAL_FIELDS
            .iter()
            .map(|(name, _)| *name)
            .chain([
                "submitted_at",
                "submission_id",
                "dated_at_load",
                "local_clock",
                "interviewed_at",
            ])
            .collect();
        let mut read = 0;
        for part in KPM_VALUE_SQL.split("r.").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue;
            }
            assert!(
                known.contains(&name.as_str()),
                "kpm_value.sql reads r.{name}"
            );
            read += 1;
        }
        assert!(read > 20, "the answers are read as r.<field>: {read}");
    }

    /// A small programme, ingested the way `prokus ingest` does.
    pub(crate) fn database() -> (tempfile::TempDir, prokus_ingest::Database) {
        let dir = tempfile::tempdir().unwrap();
        let config = prokus_sample::SampleConfig {
            households: 700,
            seed: 11,
            ..Default::default()
        };
        let summary = prokus_sample::write_sample(&config, dir.path()).unwrap();
        (dir, ingest_sample(&summary))
    }

    #[test]
    fn kept_answers_are_read_instead_of_the_view_until_released() {
        use crate::quality::{CheckConfig, check};
        let (_dir, db) = database();
        let conn = db.connection();
        let counts = wave_counts(conn, 7).unwrap();
        let findings = |conn: &Connection| {
            check(
                conn,
                &CheckConfig::builtin(),
                &crate::schedule::sample(),
                None,
            )
            .unwrap()
            .findings
        };
        let found = findings(conn);
        let columns = |conn: &Connection| -> Vec<(String, String)> {
            conn.prepare("DESCRIBE SELECT * FROM response_current")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let viewed = columns(conn);
        keep_current_answers(conn).unwrap();
        keep_current_answers(conn).unwrap();
        assert!(current_answers_kept(conn).unwrap());
        // The kept answers have the view's columns, in its order.
        assert_eq!(columns(conn), viewed);
        assert_eq!(wave_counts(conn, 7).unwrap(), counts);
        assert_eq!(findings(conn), found);
        // The checks leave the kept table to its keeper.
        assert!(current_answers_kept(conn).unwrap());
        // A copy: answers deleted from `response` are still read from it.
        conn.execute_batch("DELETE FROM response WHERE wave = 'endline'")
            .unwrap();
        assert_eq!(wave_counts(conn, 7).unwrap(), counts);
        release_current_answers(conn).unwrap();
        assert!(!current_answers_kept(conn).unwrap());
        let after = wave_counts(conn, 7).unwrap();
        assert!(counts.iter().any(|w| w.wave == "endline"));
        assert!(after.iter().all(|w| w.wave != "endline"));
        release_current_answers(conn).unwrap();
    }

    #[test]
    fn answers_kept_for_a_cohort_leave_its_own_table() {
        let (_dir, db) = database();
        let conn = db.connection();
        // A second cohort (the sample has one), so that its answers and the
        // database's differ.
        conn.execute_batch(
            "UPDATE kpm SET cohort_year = cohort_year + 1
             WHERE kpm_id IN (SELECT kpm_id FROM kpm ORDER BY kpm_id LIMIT 100)",
        )
        .unwrap();
        let all = wave_counts(conn, 7).unwrap();
        let year: i32 = conn
            .query_row("SELECT min(cohort_year) FROM kpm", [], |r| r.get(0))
            .unwrap();
        assert!(keep_cohort(conn, year).unwrap() > 0);
        let cohort = wave_counts(conn, 7).unwrap();
        assert_ne!(cohort, all);
        keep_current_answers(conn).unwrap();
        assert!(current_answers_kept(conn).unwrap());
        assert_eq!(
            temporary(conn, "response_current").unwrap(),
            Some(Temporary::Table)
        );
        assert_eq!(wave_counts(conn, 7).unwrap(), cohort);
        release_current_answers(conn).unwrap();
        assert!(!current_answers_kept(conn).unwrap());
        // Still the cohort's answers, not the database's view.
        assert_eq!(
            temporary(conn, "response_current").unwrap(),
            Some(Temporary::Table)
        );
        assert_eq!(wave_counts(conn, 7).unwrap(), cohort);
        release_cohort(conn).unwrap();
    }

    /// The files of a written sample (not its form), ingested in order.
    pub(crate) fn ingest_sample(summary: &prokus_sample::SampleSummary) -> prokus_ingest::Database {
        let mut db = prokus_ingest::Database::in_memory().unwrap();
        let mapping = prokus_ingest::FormMapping::prokus();
        for file in summary
            .files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "csv" || e == "xlsx"))
            .filter(|f| !f.ends_with("prokus-monitoring-form.xlsx"))
        {
            db.ingest(file, &mapping).unwrap();
        }
        db
    }

    fn find<'a>(
        rows: &'a [IndicatorRow],
        id: &str,
        period: &str,
        level: &str,
        group: &str,
    ) -> &'a IndicatorRow {
        rows.iter()
            .find(|r| {
                r.indicator_id == id
                    && r.period == period
                    && r.level == level
                    && r.group_code == group
            })
            .unwrap_or_else(|| panic!("{id} {period} {level} {group}"))
    }

    /// An empty database with one incubator (`INK-32-01`), and a folder
    /// for the files [`load`] writes.
    fn one_incubator() -> (tempfile::TempDir, prokus_ingest::Database) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = prokus_ingest::Database::in_memory().unwrap();
        let incubators = "incubator_id,name,university,province_code\nINK-32-01,I,U,32\n";
        load(&dir, &mut db, "incubators.csv", incubators);
        (dir, db)
    }

    /// [`one_incubator`] with ProKUS KPM `K{k}` (named `N{k}`, women, of
    /// its regency) for each `k` of `ids` registered.
    pub(crate) fn registered(
        ids: impl IntoIterator<Item = usize>,
    ) -> (tempfile::TempDir, prokus_ingest::Database) {
        let (dir, mut db) = one_incubator();
        let mut register = String::from(
            "kpm_id,kpm_name,gender,arm,cohort_year,incubator_id,province_code,regency_code\n",
        );
        for k in ids {
            register.push_str(&format!("K{k},N{k},P,prokus,2022,INK-32-01,32,32.17\n"));
        }
        load(&dir, &mut db, "kpm_register.csv", &register);
        (dir, db)
    }

    /// `text` written as `name` in `dir` and ingested into `db`.
    pub(crate) fn load(
        dir: &tempfile::TempDir,
        db: &mut prokus_ingest::Database,
        name: &str,
        text: &str,
    ) -> prokus_ingest::BatchSummary {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        db.ingest(&path, &prokus_ingest::FormMapping::prokus())
            .unwrap()
    }

    /// KUR is its own indicator: credit from KUR counts, credit from
    /// elsewhere and no credit count as not KUR, and a credit of unknown
    /// source is left out (it could be either).
    #[test]
    fn kur_counts_credit_from_kur_only_and_leaves_out_unknown_sources() {
        let (dir, mut db) = registered(1..=7);
        let sheet = "kpm_id,wave,got_credit,credit_source\n\
                     K1,baseline,ya,kur\n\
                     K2,baseline,ya,KUR\n\
                     K3,baseline,ya,koperasi\n\
                     K4,baseline,tidak,\n\
                     K5,baseline,tidak,\n\
                     K6,baseline,ya,\n\
                     K7,baseline,ya,pnm\n";
        let s = load(&dir, &mut db, "sheet.csv", sheet);
        assert_eq!(s.rows_loaded, 7, "{s:?}");
        let rows = compute(db.connection(), &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();
        let kur = find(&rows, "got_kur", "baseline", "national", NATIONAL_CODE);
        assert_eq!(kur.n, 6, "K6's credit has no source");
        // Figures are rounded to the indicator's one decimal.
        assert_eq!(kur.value, Some(33.3), "{kur:?}");
        let credit = find(&rows, "got_credit", "baseline", "national", NATIONAL_CODE);
        assert_eq!(credit.n, 7);
        assert_eq!(credit.value, Some(71.4));
        // The same share, asked of the database independently.
        let independent: f64 = db
            .connection()
            .query_row(
                "SELECT 100.0 * avg(coalesce(credit_source = 'kur', false)::INTEGER) FROM response
                 WHERE NOT got_credit OR credit_source IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            (kur.value.unwrap() - independent).abs() < 0.05,
            "{independent}"
        );
    }

    /// A sheet without dates counts in its round but in no quarter or year
    /// to date: the time it was loaded is not when the KPM answered. Sent
    /// again with the dates filled in, its rows replace the undated ones,
    /// though those were loaded later than the dates they carry.
    #[test]
    fn answers_without_a_date_count_in_their_round_and_in_no_quarter_until_dated() {
        let (dir, mut db) = registered(1..=6);
        let mut undated = String::from("kpm_id,wave,saves_monthly\n");
        let mut dated = String::from("kpm_id,wave,tanggal,saves_monthly\n");
        for k in 1..=6 {
            undated.push_str(&format!("K{k},baseline,tidak\nK{k},monitoring_1,ya\n"));
            let saves = if k <= 3 { "ya" } else { "tidak" };
            dated.push_str(&format!(
                "K{k},baseline,15/03/2022,tidak\nK{k},monitoring_1,20/06/2022,{saves}\n"
            ));
        }
        let s = load(&dir, &mut db, "undated.csv", &undated);
        assert_eq!((s.rows_loaded, s.rows_dated_at_load), (12, 12), "{s:?}");
        let rows = |db: &prokus_ingest::Database| {
            compute(db.connection(), &Catalog::builtin(), &Options::default())
                .unwrap()
                .rows()
                .unwrap()
        };
        let before = rows(&db);
        let saves = find(
            &before,
            "saves_monthly",
            "monitoring_1",
            "national",
            NATIONAL_CODE,
        );
        assert_eq!((saves.n, saves.value), (6, Some(100.0)), "{saves:?}");
        let periods: std::collections::BTreeSet<&str> =
            before.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(
            periods.into_iter().collect::<Vec<_>>(),
            ["baseline", "monitoring_1"],
            "no quarter of the day the sheet was loaded"
        );

        let s = load(&dir, &mut db, "dated.csv", &dated);
        assert_eq!((s.rows_loaded, s.rows_dated_at_load), (12, 0), "{s:?}");
        let after = rows(&db);
        let saves = find(
            &after,
            "saves_monthly",
            "monitoring_1",
            "national",
            NATIONAL_CODE,
        );
        assert_eq!(
            (saves.n, saves.value),
            (6, Some(50.0)),
            "the dated rows count"
        );
        let quarter = find(
            &after,
            "saves_monthly",
            "2022-Q2",
            "national",
            NATIONAL_CODE,
        );
        assert_eq!((quarter.n, quarter.value), (6, Some(50.0)), "{quarter:?}");
    }

    /// The national savings habit of each quarter of 2022: the quarter, n
    /// and the share, in order.
    fn savings_by_quarter(conn: &Connection, options: &Options) -> Vec<(String, i64, Option<f64>)> {
        let rows = compute(conn, &Catalog::builtin(), options)
            .unwrap()
            .rows()
            .unwrap();
        let mut found: Vec<(String, i64, Option<f64>)> = rows
            .iter()
            .filter(|r| {
                r.indicator_id == "saves_monthly"
                    && r.level == "national"
                    && r.period.starts_with("2022-Q")
            })
            .map(|r| (r.period.clone(), r.n, r.value))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    /// An answer's quarter is that of its local time: a time in UTC (an
    /// export's submission time, or any time naming its zone) plus the
    /// programme's offset, or a hand-filled sheet's time as written. At 06:30
    /// WIB on 1 October an interview is in the fourth quarter, though in UTC
    /// it is still 30 September; a sheet's 18:00 on 30 September stays in
    /// the third, though seven hours after it in UTC is October.
    #[test]
    fn an_answer_is_in_the_quarter_of_its_local_time() {
        let (dir, mut db) = registered(1..=12);
        let mut sheet = String::from("kpm_id,wave,tanggal,saves_monthly\n");
        for k in 1..=12 {
            let (time, saves) = if k <= 6 {
                ("2022-09-30T23:30:00Z", "ya")
            } else {
                ("30/09/2022 18:00", "tidak")
            };
            sheet.push_str(&format!(
                "K{k},baseline,15/03/2022,tidak\nK{k},monitoring_1,{time},{saves}\n"
            ));
        }
        let s = load(&dir, &mut db, "monitoring.csv", &sheet);
        assert_eq!(s.rows_loaded, 24, "{s:?}");
        let local: i64 = db
            .connection()
            .query_row("SELECT count(*) FROM response WHERE local_clock", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(local, 18, "the dates and times without a zone are local");
        let quarters = |utc_offset_hours: i32| {
            let options = Options {
                utc_offset_hours,
                ..Options::default()
            };
            savings_by_quarter(db.connection(), &options)
        };
        assert_eq!(
            quarters(7),
            [
                ("2022-Q3".to_string(), 6, Some(0.0)),
                ("2022-Q4".to_string(), 6, Some(100.0)),
            ],
            "WIB"
        );
        assert_eq!(
            quarters(0),
            [("2022-Q3".to_string(), 12, Some(50.0)),],
            "UTC"
        );
    }

    /// A Kobo answer's quarter is its interview's: the form's `end`, in the
    /// device's offset, when it can be believed. Interviews made offline on
    /// 28 September and sent on 3 October are in the third quarter; those
    /// whose `end` is after their submission (a clock ahead), years before
    /// it (a clock reset) or without an offset are dated by their
    /// submission, in the fourth, and are loaded all the same.
    #[test]
    fn a_kobo_answer_is_in_the_quarter_of_its_interview() {
        let (dir, mut db) = registered(1..=12);
        let mut baseline = String::from("kpm_id,wave,tanggal,saves_monthly\n");
        let mut export = String::from(
            "\"start\";\"end\";\"identitas/kpm_id\";\"identitas/putaran\";\"keuangan/menabung\";\
             \"keuangan/frekuensi_menabung\";\"_uuid\";\"_submission_time\"\n",
        );
        for k in 1..=12 {
            baseline.push_str(&format!("K{k},baseline,15/03/2022,tidak\n"));
            let (start, end, saves) = match k {
                1..=6 => (
                    "2022-09-28T14:30:00.000+07:00",
                    "2022-09-28T15:00:00.000+07:00",
                    "ya\";\"harian",
                ),
                7 | 8 => (
                    "2022-10-05T09:30:00.000+07:00",
                    "2022-10-05T10:00:00.000+07:00",
                    "tidak\";\"",
                ),
                9 | 10 => (
                    "2019-01-01T09:30:00.000+07:00",
                    "2019-01-01T10:00:00.000+07:00",
                    "tidak\";\"",
                ),
                _ => ("2022-09-28 14:30:00", "2022-09-28 15:00:00", "tidak\";\""),
            };
            export.push_str(&format!(
                "\"{start}\";\"{end}\";\"K{k}\";\"monitoring_1\";\"{saves}\";\"uuid-{k}\";\"2022-10-03T02:00:00\"\n"
            ));
        }
        assert_eq!(
            load(&dir, &mut db, "baseline.csv", &baseline).rows_loaded,
            12
        );
        let s = load(&dir, &mut db, "prokus_monitoring_2022-10-03.csv", &export);
        assert_eq!(s.rows_loaded, 12, "{s:?}");
        assert_eq!(
            (
                s.interview_times_not_believed,
                s.interview_times_without_offset
            ),
            (4, 2),
            "{s:?}"
        );
        let interviewed: Vec<(String, String)> = {
            let mut stmt = db
                .connection()
                .prepare(
                    "SELECT kpm_id, interviewed_at::VARCHAR FROM response
                     WHERE interviewed_at IS NOT NULL ORDER BY kpm_id",
                )
                .unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(
            interviewed,
            (1..=6)
                .map(|k| (format!("K{k}"), "2022-09-28 08:00:00".to_string()))
                .collect::<Vec<_>>(),
            "the end of the interview, in UTC, where it can be believed"
        );
        assert_eq!(
            savings_by_quarter(db.connection(), &Options::default()),
            [
                ("2022-Q3".to_string(), 6, Some(100.0)),
                ("2022-Q4".to_string(), 6, Some(0.0)),
            ]
        );
    }

    /// A sheet that says how often each KPM saves, without the yes/no
    /// question, gives the savings habit: daily, weekly or monthly is a
    /// monthly saver, rarely is not.
    #[test]
    fn how_often_a_kpm_saves_alone_gives_the_savings_habit() {
        let (dir, mut db) = registered(0..6);
        let mut sheet = String::from("kpm_id,wave,tanggal,frekuensi_menabung\n");
        for (k, often) in [
            "Setiap hari",
            "mingguan",
            "Tiap bulan",
            "jarang",
            "Kadang-kadang",
            "jarang",
        ]
        .iter()
        .enumerate()
        {
            sheet.push_str(&format!("K{k},baseline,15/03/2022,{often}\n"));
        }
        let s = load(&dir, &mut db, "baseline.csv", &sheet);
        assert_eq!(s.rows_loaded, 6, "{s:?}");
        let rows = compute(db.connection(), &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();
        let saves = find(
            &rows,
            "saves_monthly",
            "baseline",
            "national",
            NATIONAL_CODE,
        );
        assert_eq!((saves.n, saves.value), (6, Some(50.0)), "{saves:?}");
    }

    /// A value known without its question for part of the KPM (a closed
    /// business made no change and has no workers, a non-saver saved
    /// nothing, no credit is no KUR credit, no grant date in a list with
    /// the column is no grant yet) is unknown for every KPM of a file that
    /// did not ask the deciding question: its share or mean is of the KPM
    /// of the files that asked, not of the part known without it.
    #[test]
    fn what_a_file_did_not_ask_is_unknown_not_zero() {
        let (dir, mut db) = one_incubator();
        // K1-K5 from a list without grant dates; K6-K12 from one with them,
        // K6-K8 paid.
        let mut without = String::from("kpm_id,arm,incubator_id,regency_code\n");
        let mut with = String::from("kpm_id,arm,incubator_id,regency_code,grant_date\n");
        for k in 1..=12 {
            match k {
                1..=5 => without.push_str(&format!("K{k},prokus,INK-32-01,32.17\n")),
                6..=8 => with.push_str(&format!("K{k},prokus,INK-32-01,32.17,2022-01-10\n")),
                _ => with.push_str(&format!("K{k},prokus,INK-32-01,32.17,\n")),
            }
        }
        load(&dir, &mut db, "register-a.csv", &without);
        load(&dir, &mut db, "register-b.csv", &with);
        // A partner's sheet asks whether the business runs, saves and has
        // credit, but not how often, how much, from whom, the workers or
        // the changes made; the programme's asks them all (K6 closed, not
        // saving, no credit; K7 saving weekly with credit from KUR).
        // Each answer is given at the baseline and again at the first
        // monitoring round, for the indicators of a panel.
        let mut partner = String::from("kpm_id,wave,business_operating,saves,got_credit\n");
        for wave in ["baseline", "monitoring_1"] {
            for k in 1..=5 {
                let no = if k == 1 { "tidak" } else { "ya" };
                partner.push_str(&format!("K{k},{wave},{no},{no},{no}\n"));
            }
        }
        let mut own = String::from(
            "kpm_id,wave,business_operating,saves,save_frequency,savings_amount,\
             got_credit,credit_source,paid_workers,family_workers,product_changes\n",
        );
        for wave in ["baseline", "monitoring_1"] {
            own.push_str(&format!("K6,{wave},tidak,tidak,,,tidak,,,,\n"));
            own.push_str(&format!(
                "K7,{wave},ya,ya,weekly,70000,ya,kur,1,1,kemasan\n"
            ));
            for k in 8..=12 {
                own.push_str(&format!("K{k},{wave},ya,ya,jarang,0,tidak,,0,1,\n"));
            }
        }
        for (name, text) in [("partner.csv", &partner), ("own.csv", &own)] {
            let s = load(&dir, &mut db, name, text);
            assert_eq!(s.rows_loaded, s.rows_read, "{s:?}");
        }
        let rows = compute(db.connection(), &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();
        let national = |id: &str| {
            let r = find(&rows, id, "monitoring_1", "national", NATIONAL_CODE);
            (r.n, r.value)
        };
        // Asked of everyone: all twelve.
        assert_eq!(national("business_operating").0, 12);
        // Asked of K6-K12 only: seven, and the figure is theirs.
        assert_eq!(national("got_kur"), (7, Some(14.3)));
        assert_eq!(national("innovated"), (7, Some(14.3)));
        assert_eq!(national("saves_monthly"), (7, Some(14.3)));
        assert_eq!(national("savings_amount"), (7, Some(10_000.0)));
        assert_eq!(national("workers_mean"), (7, Some(1.0)));
        assert_eq!(national("grant_disbursed"), (7, Some(42.9)));
    }

    /// Mentors and TKSK are levels of their own, asked for by name: each
    /// mentor's savers and mentoring sessions, and each TKSK's visits, as
    /// a query on the register and the answers finds them.
    #[test]
    fn mentors_and_tksk_are_levels_with_figures_an_independent_query_finds() {
        let (_dir, db) = database();
        let conn = db.connection();
        let options = Options {
            levels: vec![
                Level::parse("mentor").unwrap(),
                Level::parse("tksk").unwrap(),
            ],
            ..Options::default()
        };
        let rows = compute(conn, &Catalog::builtin(), &options)
            .unwrap()
            .rows()
            .unwrap();
        let mentors: Vec<(String, i64, f64)> = conn
            .prepare(
                "SELECT k.mentor, count(*), 100 * avg(CASE WHEN e.saves AND e.save_frequency IN ('daily','weekly','monthly') THEN 1 ELSE 0 END)
                 FROM response_current e JOIN response_current b ON b.kpm_id = e.kpm_id AND b.wave = 'baseline' AND b.saves IS NOT NULL
                 JOIN kpm k ON k.kpm_id = e.kpm_id
                 WHERE e.wave = 'endline' AND e.saves IS NOT NULL AND k.arm = 'prokus'
                 GROUP BY k.mentor ORDER BY k.mentor",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(mentors.len() > 5, "{mentors:?}");
        let mut compared = 0;
        for (mentor, n, share) in &mentors {
            let row = find(&rows, "saves_monthly", "endline", "mentor", mentor);
            assert_eq!((row.n, row.group_name.as_str()), (*n, mentor.as_str()));
            if !row.suppressed {
                assert!((row.value.unwrap() - round_to(*share, 1)).abs() < 1e-9);
                compared += 1;
            }
        }
        assert!(
            compared > 5,
            "a mentor accompanies several KPM: {mentors:?}"
        );
        let visits: Vec<(String, f64)> = conn
            .prepare(
                "SELECT k.tksk, avg(r.tksk_visits) FROM response_current r JOIN kpm k USING (kpm_id)
                 WHERE r.wave = 'monitoring_2' AND k.arm = 'prokus' AND r.tksk_visits IS NOT NULL
                 GROUP BY k.tksk",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut compared = 0;
        for (tksk, mean) in &visits {
            let row = find(&rows, "tksk_visits", "monitoring_2", "tksk", tksk);
            if !row.suppressed {
                assert!(
                    (row.value.unwrap() - round_to(*mean, 2)).abs() < 1e-9,
                    "{row:?}"
                );
                compared += 1;
            }
        }
        assert!(compared > 5, "a TKSK serves a kecamatan: {visits:?}");
        // Not computed unless asked for.
        let default = compute(conn, &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();
        assert!(
            default
                .iter()
                .all(|r| r.level != "mentor" && r.level != "tksk")
        );
    }

    fn cell(level: &str, code: &str, n: i64, min_cell: i64) -> IndicatorRow {
        let suppressed = n < min_cell;
        IndicatorRow {
            indicator_id: "saves_monthly".into(),
            period: "endline".into(),
            level: level.into(),
            group_code: code.into(),
            group_name: code.into(),
            n,
            value: (!suppressed).then_some(50.0),
            baseline_value: None,
            change: None,
            ci_low: None,
            ci_high: None,
            target: None,
            status: None,
            suppressed,
        }
    }

    /// Suppresses complements in `rows`; the codes of the groups hidden.
    fn hidden_after_suppression(rows: &mut [IndicatorRow]) -> Vec<&str> {
        suppress_complements(rows);
        rows.iter()
            .filter(|r| r.suppressed)
            .map(|r| r.group_code.as_str())
            .collect()
    }

    /// A part of a whole hidden alone could be recovered by subtracting
    /// its siblings from the whole: the smallest sibling is hidden with it.
    #[test]
    fn no_small_cell_can_be_recovered_by_subtraction() {
        let mut rows = vec![
            cell("national", NATIONAL_CODE, 40, 5),
            cell("province", "32", 20, 5),
            cell("province", "33", 3, 5),
            cell("province", "35", 17, 5),
            cell("regency", "32.17", 12, 5),
            cell("regency", "32.04", 8, 5),
            cell("district", "32.17.05", 2, 5),
            cell("district", "32.17.06", 3, 5),
            cell("district", "32.17.07", 7, 5),
            cell("gender", "female", 36, 5),
            cell("gender", "male", 4, 5),
            cell("incubator:cohort", "INK-1:2021", 15, 5),
            cell("incubator:cohort", "INK-1:2022", 3, 5),
            cell("incubator:cohort", "INK-2:2021", 9, 5),
        ];
        let hidden = hidden_after_suppression(&mut rows);
        // Jawa Tengah (3) was alone among the provinces: Jawa Timur, the
        // smaller of the others, goes with it; the regencies of Jawa Barat
        // hide nothing; two small kecamatan already hide each other; men (4)
        // take women with them, the only other part of the nation; INK-1's
        // small 2022 cohort takes its 2021 cohort with it (the incubator's
        // own figure is published), INK-2's one cohort hides nothing.
        assert_eq!(
            hidden,
            [
                "33",
                "35",
                "32.17.05",
                "32.17.06",
                "female",
                "male",
                "INK-1:2021",
                "INK-1:2022"
            ]
        );
        let withheld = rows.iter().find(|r| r.group_code == "35").unwrap();
        assert_eq!((withheld.n, withheld.value), (17, None), "keeps its n");
        let parent = |level: &str, code| parent_of(&Level::parse(level).unwrap(), code);
        assert_eq!(parent("district", "unknown"), None);
        assert_eq!(parent("district", "32.17.05"), Some("32.17"));
    }

    /// A TKSK's or mentor's name may hold a `:` (the register writes it as
    /// typed): the groups of one person crossed with another dimension are
    /// one whole, apart from another person's whose name begins the same.
    #[test]
    fn a_name_with_a_colon_is_one_whole_in_a_crossed_level() {
        let mut rows = vec![
            cell("tksk:gender", "TKSK Cianjur: Ahmad:female", 3, 5),
            cell("tksk:gender", "TKSK Cianjur: Ahmad:male", 12, 5),
            cell("tksk:gender", "TKSK Cianjur: Budi:female", 6, 5),
            cell("tksk:gender", "TKSK Cianjur: Budi:male", 9, 5),
            cell("gender:tksk", "female:TKSK Cianjur: Ahmad", 3, 5),
            cell("gender:tksk", "female:TKSK Cianjur: Budi", 6, 5),
            cell("gender:tksk", "male:TKSK Cianjur: Ahmad", 12, 5),
        ];
        let hidden = hidden_after_suppression(&mut rows);
        // Ahmad's men go with his women (not Budi's women, the smallest
        // other cell whose code begins `TKSK Cianjur`); among the women,
        // Budi's go with Ahmad's.
        assert_eq!(
            hidden,
            [
                "TKSK Cianjur: Ahmad:female",
                "TKSK Cianjur: Ahmad:male",
                "female:TKSK Cianjur: Ahmad",
                "female:TKSK Cianjur: Budi",
            ]
        );
        let parent = |level: &str, code| parent_of(&Level::parse(level).unwrap(), code);
        assert_eq!(
            parent("tksk:gender", "TKSK Cianjur: Ahmad:female"),
            Some("TKSK Cianjur: Ahmad")
        );
        assert_eq!(
            parent("gender:tksk", "female:TKSK Cianjur: Ahmad"),
            Some("female")
        );
        assert_eq!(parent("incubator:cohort", "INK-1:2021"), Some("INK-1"));
        assert_eq!(parent("national", NATIONAL_CODE), None);
        assert_eq!(parent("mentor", "Budi Santoso"), None);
        assert_eq!(parent("arm", "prokus"), None);
    }

    #[test]
    fn figures_match_an_independent_query_and_add_up_across_levels() {
        let (_dir, db) = database();
        let conn = db.connection();
        let rows = compute(conn, &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();

        // Share saving monthly at endline over the panel, computed another way.
        let (n, share): (i64, f64) = conn
            .query_row(
                "SELECT count(*), 100 * avg(CASE WHEN e.saves AND e.save_frequency IN ('daily','weekly','monthly') THEN 1 ELSE 0 END)
                 FROM response_current e JOIN response_current b ON b.kpm_id = e.kpm_id AND b.wave = 'baseline' AND b.saves IS NOT NULL
                 JOIN kpm k ON k.kpm_id = e.kpm_id
                 WHERE e.wave = 'endline' AND e.saves IS NOT NULL AND k.arm = 'prokus'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let national = find(&rows, "saves_monthly", "endline", "national", "ID");
        assert_eq!(national.n, n);
        assert!(
            (national.value.unwrap() - round_to(share, 1)).abs() < 1e-9,
            "{national:?} vs {share}"
        );

        // Ratio of sums for the income change.
        let pct: f64 = conn
            .query_row(
                "SELECT 100 * (sum(e.business_income) / sum(b.business_income) - 1)
                 FROM response_current e JOIN response_current b ON b.kpm_id = e.kpm_id AND b.wave = 'baseline'
                 JOIN kpm k ON k.kpm_id = e.kpm_id
                 WHERE e.wave = 'endline' AND k.arm = 'prokus' AND e.business_income IS NOT NULL AND b.business_income IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let change = find(
            &rows,
            "business_income_change_pct",
            "endline",
            "national",
            "ID",
        );
        assert!(
            (change.value.unwrap() - round_to(pct, 1)).abs() < 1e-9,
            "{change:?} vs {pct}"
        );
        assert!(
            change.ci_low.unwrap() < change.value.unwrap()
                && change.value.unwrap() < change.ci_high.unwrap()
        );

        // Provinces add up to the nation: same KPM, recomputed, not averaged.
        let provinces: Vec<&IndicatorRow> = rows
            .iter()
            .filter(|r| {
                r.indicator_id == "saves_monthly" && r.period == "endline" && r.level == "province"
            })
            .collect();
        assert_eq!(provinces.iter().map(|r| r.n).sum::<i64>(), national.n);
        let jobs_total: f64 = rows
            .iter()
            .filter(|r| {
                r.indicator_id == "jobs_created" && r.period == "endline" && r.level == "cluster"
            })
            .map(|r| r.value.unwrap_or(0.0))
            .sum();
        let jobs = find(&rows, "jobs_created", "endline", "national", "ID")
            .value
            .unwrap();
        assert!(
            (jobs_total - jobs).abs() < 3.0,
            "jobs by cluster {jobs_total} vs national {jobs}"
        );

        // The comparison group appears only at the arm level.
        let arms: Vec<&str> = rows
            .iter()
            .filter(|r| {
                r.level == "arm" && r.period == "endline" && r.indicator_id == "saves_monthly"
            })
            .map(|r| r.group_code.as_str())
            .collect();
        assert_eq!(arms, ["comparison", "prokus"]);
        assert_eq!(
            find(&rows, "saves_monthly", "endline", "arm", "prokus").n,
            national.n
        );
    }

    #[test]
    fn small_cells_are_suppressed_everywhere() {
        let (_dir, db) = database();
        let options = Options {
            min_cell: 40,
            ..Default::default()
        };
        let mut table = compute(db.connection(), &Catalog::builtin(), &options).unwrap();
        let rows = table.rows().unwrap();
        assert!(rows.iter().any(|r| r.suppressed) && rows.iter().any(|r| !r.suppressed));
        for r in rows.iter().filter(|r| r.suppressed) {
            assert!(r.n < 40);
            assert_eq!(
                (
                    r.value,
                    r.baseline_value,
                    r.change,
                    r.ci_low,
                    r.ci_high,
                    r.status.as_deref()
                ),
                (None, None, None, None, None, None),
                "{r:?}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let xlsx = dir.path().join("i.xlsx");
        table.write_xlsx(&xlsx).unwrap();
        let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
        use calamine::{DataType, Reader};
        let sheet = book.worksheet_range("indicators").unwrap();
        assert_eq!(sheet.height(), rows.len() + 1);
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, CSV_HEADER);
        let first = rows.iter().position(|r| !r.suppressed).unwrap();
        assert_eq!(
            sheet.get((first + 1, 6)).and_then(|c| c.as_f64()),
            rows[first].value
        );
        let mut csv = Vec::new();
        table.write_csv_to(&mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().next().unwrap(), CSV_HEADER.join(","));
        assert_eq!(text.lines().count(), rows.len() + 1);
    }

    #[test]
    fn crossed_levels_quarters_and_process_indicators() {
        let (_dir, db) = database();
        let conn = db.connection();
        let mut levels = Level::defaults();
        levels.push(Level::parse("province:gender").unwrap());
        levels.push(Level::parse("cluster:arm").unwrap());
        let options = Options {
            levels,
            ..Default::default()
        };
        let rows = compute(conn, &Catalog::builtin(), &options)
            .unwrap()
            .rows()
            .unwrap();
        let of = |id: &str, period: &str, level: &str| -> Vec<&IndicatorRow> {
            rows.iter()
                .filter(|r| r.indicator_id == id && r.period == period && r.level == level)
                .collect()
        };

        // A crossed level splits each group of its first dimension.
        let national = find(&rows, "saves_monthly", "endline", "national", "ID");
        let crossed = of("saves_monthly", "endline", "province:gender");
        assert_eq!(crossed.iter().map(|r| r.n).sum::<i64>(), national.n);
        for province in of("saves_monthly", "endline", "province") {
            let prefix = format!("{}:", province.group_code);
            let split: i64 = crossed
                .iter()
                .filter(|r| r.group_code.starts_with(&prefix))
                .map(|r| r.n)
                .sum();
            assert_eq!(split, province.n, "{}", province.group_code);
        }
        let women = crossed
            .iter()
            .find(|r| r.group_code.ends_with(":female"))
            .unwrap();
        assert!(women.group_name.ends_with(" · Perempuan"), "{women:?}");
        // The arm crossed with the cluster carries the comparison group.
        let arms = of("saves_monthly", "endline", "cluster:arm");
        assert!(arms.iter().any(|r| r.group_code.ends_with(":comparison")));
        assert_eq!(
            arms.iter()
                .filter(|r| r.group_code.ends_with(":prokus"))
                .map(|r| r.n)
                .sum::<i64>(),
            national.n
        );
        // Incubator x cohort is there by default and adds up to the incubators.
        assert_eq!(
            of("keeps_books", "endline", "incubator:cohort")
                .iter()
                .map(|r| r.n)
                .sum::<i64>(),
            of("keeps_books", "endline", "incubator")
                .iter()
                .map(|r| r.n)
                .sum::<i64>(),
        );

        // A quarter, and the year to date: each KPM's latest post-baseline
        // answer in it, against an independent query (`within` narrows 2021
        // to the quarter; a constant of this test).
        let latest = |within: &str| -> (i64, f64) {
            conn.query_row(
                &format!(
                    "WITH q AS (
                         SELECT * FROM response_current
                         WHERE wave <> 'baseline' AND year(submitted_at) = 2021 AND {within}
                         QUALIFY row_number() OVER (PARTITION BY kpm_id ORDER BY submitted_at DESC) = 1)
                     SELECT count(*), 100 * avg(q.keeps_books::INTEGER)
                     FROM q JOIN response_current b ON b.kpm_id = q.kpm_id AND b.wave = 'baseline'
                     JOIN kpm k ON k.kpm_id = q.kpm_id
                     WHERE k.arm = 'prokus' AND q.keeps_books IS NOT NULL AND b.keeps_books IS NOT NULL"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        // The sample has KPM with several such answers in the year, and in
        // one quarter, so that "latest" decides.
        let (several_in_year, several_in_quarter): (i64, i64) = conn
            .query_row(
                "SELECT count(*) FILTER (WHERE n > 1), count(*) FILTER (WHERE in_q3 > 1) FROM (
                     SELECT kpm_id, count(*) AS n,
                            count(*) FILTER (WHERE quarter(submitted_at) = 3) AS in_q3
                     FROM response_current
                     WHERE wave <> 'baseline' AND year(submitted_at) = 2021
                     GROUP BY kpm_id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(several_in_year > 0 && several_in_quarter > 0);
        for (period, within) in [
            ("2021-Q3", "quarter(submitted_at) = 3"),
            ("2021-YTD", "TRUE"),
        ] {
            let (n, share) = latest(within);
            let row = find(&rows, "keeps_books", period, "national", "ID");
            assert_eq!(row.n, n, "{period}");
            assert!(
                (row.value.unwrap() - round_to(share, 1)).abs() < 1e-9,
                "{period}"
            );
        }
        let labels = periods(conn).unwrap();
        let q3 = labels.iter().find(|p| p.code == "2021-Q3").unwrap();
        assert_eq!(
            (q3.kind.as_str(), q3.label_id.as_str()),
            ("quarter", "Triwulan III 2021")
        );
        assert!(
            labels
                .iter()
                .any(|p| p.code == "2021-YTD" && p.kind == "ytd")
        );

        // Survey completion is over the register, as wave_counts counts it.
        let counts = wave_counts(conn, 7).unwrap();
        let m1 = counts
            .iter()
            .find(|c| c.wave == "monitoring_1" && c.arm == "prokus")
            .unwrap();
        let completion = find(&rows, "survey_completion", "monitoring_1", "national", "ID");
        assert_eq!(completion.n, m1.registered);
        assert!(
            (completion.value.unwrap()
                - round_to(100.0 * m1.responded as f64 / m1.registered as f64, 1))
            .abs()
                < 1e-9
        );

        // The median, against DuckDB's own over the same panel.
        let median: f64 = conn
            .query_row(
                "SELECT median(e.business_income)
                 FROM response_current e JOIN response_current b ON b.kpm_id = e.kpm_id AND b.wave = 'baseline'
                 JOIN kpm k ON k.kpm_id = e.kpm_id
                 WHERE e.wave = 'endline' AND k.arm = 'prokus'
                   AND e.business_income IS NOT NULL AND b.business_income IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let row = find(&rows, "business_income_median", "endline", "national", "ID");
        assert_eq!(row.value, Some(round_to(median, 0)));
        assert_eq!((row.ci_low, row.baseline_value), (None, None));
    }

    #[test]
    fn quarters_at_national_level_only_leave_every_other_row_as_it_was() {
        let (_dir, db) = database();
        let conn = db.connection();
        let all = compute_rows(conn, &Catalog::builtin(), &Options::default()).unwrap();
        let options = Options {
            quarters_national_only: true,
            ..Default::default()
        };
        let narrow = compute_rows(conn, &Catalog::builtin(), &options).unwrap();
        let waves = wave_codes(conn);
        let kept: Vec<&IndicatorRow> = all
            .iter()
            .filter(|r| {
                ["national", "arm"].contains(&r.level.as_str()) || waves.contains(&r.period)
            })
            .collect();
        assert!(kept.len() < all.len(), "the sample has quarters");
        assert!(
            narrow
                .iter()
                .any(|r| r.level == "national" && r.period.contains("-Q")),
            "the national level keeps its quarters"
        );
        assert_same_rows(&narrow, &kept);
    }

    /// The codes of the waves with data.
    fn wave_codes(conn: &Connection) -> Vec<String> {
        periods(conn)
            .unwrap()
            .into_iter()
            .filter(|p| p.kind == "wave")
            .map(|p| p.code)
            .collect()
    }

    /// `narrow` holds exactly the rows `kept`, in order.
    fn assert_same_rows(narrow: &[IndicatorRow], kept: &[&IndicatorRow]) {
        assert_eq!(narrow.len(), kept.len());
        for (a, b) in narrow.iter().zip(kept) {
            assert_eq!(a, *b);
        }
    }

    #[test]
    fn indicators_kept_at_a_level_leave_every_other_row_as_it_was() {
        let (_dir, db) = database();
        let conn = db.connection();
        let all = compute_rows(conn, &Catalog::builtin(), &Options::default()).unwrap();
        let kept_ids = vec!["saves_monthly".to_string(), "business_income".to_string()];
        let options = Options {
            level_indicators: HashMap::from([("district".to_string(), kept_ids.clone())]),
            ..Default::default()
        };
        let narrow = compute_rows(conn, &Catalog::builtin(), &options).unwrap();
        let kept: Vec<&IndicatorRow> = all
            .iter()
            .filter(|r| r.level != "district" || kept_ids.contains(&r.indicator_id))
            .collect();
        assert!(kept.len() < all.len(), "the sample has kecamatan rows");
        assert!(
            narrow.iter().any(|r| r.level == "district"),
            "the kecamatan keep the indicators listed"
        );
        assert_same_rows(&narrow, &kept);
    }

    #[test]
    fn levels_that_print_few_indicators_and_no_quarters_keep_their_rows_as_they_were() {
        // As the reports ask: quarters at the national level only, and at
        // some levels a few indicators, one of them a median (summed in a
        // query of their own, which takes its median only there).
        let (_dir, db) = database();
        let conn = db.connection();
        let mut levels = Level::defaults();
        levels.extend(["mentor", "tksk", "province:arm"].map(|l| Level::parse(l).unwrap()));
        let wide = Options {
            levels: levels.clone(),
            winsorize: Some((1.0, 99.0)),
            ..Default::default()
        };
        let all = compute_rows(conn, &Catalog::builtin(), &wide).unwrap();
        let kept_at: HashMap<String, Vec<String>> = [
            ("district", vec!["saves_monthly", "business_income_median"]),
            ("mentor", vec!["mentoring_sessions", "keeps_books"]),
            ("tksk", vec!["tksk_visits"]),
            ("incubator:cohort", vec!["jobs_created"]),
        ]
        .into_iter()
        .map(|(l, ids)| (l.to_string(), ids.into_iter().map(String::from).collect()))
        .collect();
        let options = Options {
            quarters_national_only: true,
            level_indicators: kept_at.clone(),
            ..wide
        };
        let narrow = compute_rows(conn, &Catalog::builtin(), &options).unwrap();
        let waves = wave_codes(conn);
        let kept: Vec<&IndicatorRow> = all
            .iter()
            .filter(|r| {
                kept_at
                    .get(&r.level)
                    .is_none_or(|ids| ids.contains(&r.indicator_id))
                    && (["national", "arm"].contains(&r.level.as_str())
                        || waves.contains(&r.period))
            })
            .collect();
        for (level, ids) in &kept_at {
            for id in ids {
                assert!(
                    narrow
                        .iter()
                        .any(|r| &r.level == level && &r.indicator_id == id && r.value.is_some()),
                    "{id} has figures by {level}"
                );
            }
        }
        assert_same_rows(&narrow, &kept);
    }

    #[test]
    fn winsorising_uses_statas_percentiles() {
        let conn = Connection::open_in_memory().unwrap();
        // x: 1..10 (P = n p / 100 is whole: the mean of two neighbours);
        // y: 1..7 (P is not: the next value up). numpy's
        // percentile(method="averaged_inverted_cdf"), Hyndman and Fan's
        // definition 2 and Stata's `_pctile`, gives 1.5/9.5 and 1/7.
        conn.execute_batch(
            "CREATE TEMP TABLE kpm_long AS
                 SELECT 'x' AS variable, 'endline' AS period, i::DOUBLE AS v, NULL::DOUBLE AS v0 FROM range(1, 11) t(i)
                 UNION ALL SELECT 'y', 'endline', i::DOUBLE, NULL FROM range(1, 8) t(i)
                 UNION ALL SELECT 'z', 'endline', v, NULL FROM (VALUES (5.0), (1), (9), (3), (3), (7), (100), (2), (8), (4), (6), (0.5)) t(v);
             CREATE TEMP TABLE variable_def AS SELECT * FROM (VALUES
                 ('x', false, 10.0, 90.0), ('y', false, 10.0, 90.0), ('z', false, 25.0, 50.0)
             ) t(variable, panel, p_low, p_high);",
        )
        .unwrap();
        conn.execute_batch(WINSOR_SQL).unwrap();
        let cuts: Vec<(String, f64, f64)> = conn
            .prepare("SELECT variable, lo, hi FROM winsor_cut ORDER BY variable")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            cuts,
            [
                ("x".to_string(), 1.5, 9.5),
                ("y".to_string(), 1.0, 7.0),
                ("z".to_string(), 2.5, 4.5)
            ]
        );
    }

    #[test]
    fn winsorising_pulls_in_money_and_leaves_shares() {
        let (_dir, db) = database();
        let conn = db.connection();
        let plain = compute(conn, &Catalog::builtin(), &Options::default())
            .unwrap()
            .rows()
            .unwrap();
        let options = Options {
            winsorize: Some((1.0, 99.0)),
            ..Default::default()
        };
        let trimmed = compute(conn, &Catalog::builtin(), &options)
            .unwrap()
            .rows()
            .unwrap();
        let get =
            |rows: &[IndicatorRow], id: &str| find(rows, id, "endline", "national", "ID").clone();
        let (a, b) = (
            get(&plain, "business_income"),
            get(&trimmed, "business_income"),
        );
        assert_eq!(a.n, b.n);
        assert!(b.value.unwrap() < a.value.unwrap(), "{a:?} {b:?}");
        assert!(b.ci_high.unwrap() - b.ci_low.unwrap() < a.ci_high.unwrap() - a.ci_low.unwrap());
        assert_eq!(get(&plain, "saves_monthly"), get(&trimmed, "saves_monthly"));
        // The tails are pulled in to the cut-offs, not dropped: the figure is
        // the mean of the clamped panel values (cut-offs as computed, which
        // `winsorising_uses_statas_percentiles` checks).
        let (clamped, hi, max): (f64, f64, f64) = conn
            .query_row(
                "SELECT avg(CASE WHEN e.business_income < c.lo THEN c.lo
                                 WHEN e.business_income > c.hi THEN c.hi
                                 ELSE e.business_income END),
                        any_value(c.hi), max(e.business_income)
                 FROM response_current e
                 JOIN response_current b ON b.kpm_id = e.kpm_id AND b.wave = 'baseline'
                 JOIN kpm k ON k.kpm_id = e.kpm_id
                 JOIN winsor_cut c ON c.variable = 'business_income' AND c.period = 'endline'
                 WHERE e.wave = 'endline' AND k.arm = 'prokus'
                   AND e.business_income IS NOT NULL AND b.business_income IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(
            hi < max,
            "the 99th percentile {hi} is below the largest income {max}"
        );
        assert_eq!(b.value, Some(round_to(clamped, 0)));
    }

    #[test]
    fn levels_are_parsed_with_a_clear_error() {
        assert_eq!(
            Level::parse("incubator:cohort").unwrap().name(),
            "incubator:cohort"
        );
        assert_eq!(Level::parse("national").unwrap(), Level::national());
        let err = Level::parse("province:village").unwrap_err().to_string();
        assert!(
            err.contains("`village`") && err.contains("regency"),
            "{err}"
        );
        assert!(Level::parse("gender:gender").is_err());
        assert!(Level::parse("province:gender:cluster").is_err());
    }

    #[test]
    fn an_empty_database_says_what_to_do() {
        let db = prokus_ingest::Database::in_memory().unwrap();
        let err = compute(db.connection(), &Catalog::builtin(), &Options::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("prokus ingest"), "{err}");
    }
}
