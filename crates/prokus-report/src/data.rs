//! What a report says: numbers from the indicator table and the database,
//! turned into the JSON a template reads. All text a reader sees is built
//! here in the report's language; templates only lay it out.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use duckdb::Connection;

use prokus_metrics::quality::{Check, QualityReport};
use prokus_metrics::settings::Settings;
use prokus_metrics::{Catalog, Indicator, IndicatorRow, Unit, WaveCount};
use serde::Serialize;

use crate::ReportError;
use crate::charts::{self, Series};
use crate::format::{self, Lang};

/// The KPI tiles of the national, province and regency reports.
const HEADLINE_KPIS: [&str; 4] = [
    "business_income_change_pct",
    "saves_monthly",
    "jobs_created",
    "business_operating",
];
/// The KPI tiles of the Kasubdit dashboard.
pub const DASHBOARD_KPIS: [&str; 6] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "jobs_created",
    "business_operating",
    "has_nib",
];
/// The KPI tiles of an incubator's feedback report.
const INCUBATOR_KPIS: [&str; 4] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "business_operating",
];

const ATTENTION_SQL: &str = include_str!("../../../queries/report/attention.sql");
const BATCHES_SQL: &str = include_str!("../../../queries/report/batches.sql");
const REASONS_SQL: &str = include_str!("../../../queries/report/reject_reasons.sql");
const INCUBATORS_SQL: &str = include_str!("../../../queries/report/incubators.sql");
const PROVINCES_SQL: &str = include_str!("../../../queries/report/provinces.sql");
const REGENCIES_SQL: &str = include_str!("../../../queries/report/regencies.sql");
const SNAPSHOT_SQL: &str = include_str!("../../../queries/report/snapshot.sql");

/// Every row of a parameterless query, mapped by `f`.
fn all<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Result<Vec<T>, ReportError> {
    Ok(conn
        .prepare(sql)?
        .query_map([], f)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The indicators of a breakdown table (by province, regency, kecamatan or
/// incubator).
pub const GROUP_TABLE: [&str; 5] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "jobs_created",
    "business_operating",
];

/// What a regency report prints by kecamatan: its breakdown table
/// ([`GROUP_TABLE`], whose `saves_monthly` rows also list the kecamatan, see
/// [`Inputs`]' groups) and the income chart. The only indicators the reports
/// need at that level.
pub fn by_district() -> Vec<String> {
    GROUP_TABLE
        .iter()
        .chain(&[INCOME])
        .map(|s| s.to_string())
        .collect()
}

/// The indicator of the income charts.
const INCOME: &str = "business_income";

/// The waves in order, for charts and tables.
pub const WAVES: [&str; 5] = [
    "baseline",
    "monitoring_1",
    "monitoring_2",
    "monitoring_3",
    "endline",
];

/// An incubator that has ProKUS KPM.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct ProvinceInfo {
    /// Two-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// ProKUS KPM registered.
    pub kpm: i64,
}

/// A regency (kabupaten/kota) that has ProKUS KPM.
#[derive(Debug, Clone, Serialize)]
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
    file: String,
    format: String,
    counts: [i64; 4],
}

/// One ProKUS KPM's baseline and endline answers, for incubator feedback.
#[derive(Debug, Clone)]
pub struct KpmStatus {
    kpm_id: String,
    business: String,
    nik_masked: String,
    income_baseline: Option<f64>,
    income_endline: Option<f64>,
    operating: Option<bool>,
    saves: Option<bool>,
    frequency: Option<String>,
    waves: String,
}

/// Row numbers by indicator, period, level and group code.
type RowIndex = HashMap<String, HashMap<String, HashMap<String, HashMap<String, usize>>>>;

/// The entry of `key`, made empty when missing (the key is copied only then).
fn slot<'a, V: Default>(map: &'a mut HashMap<String, V>, key: &str) -> &'a mut V {
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
    quality_by_unit: HashMap<String, QualityReport>,
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
    index: RowIndex,
    /// The quarters with national figures, oldest first: code (`2021-Q3`)
    /// and first day.
    quarters: Vec<(String, NaiveDate)>,
    /// Per level, the groups with figures in the latest wave (code, name),
    /// in code order: an area report's sub-areas, found without scanning
    /// every row for each report.
    groups: BTreeMap<String, Vec<(String, String)>>,
}

/// What [`Reads::read`] read from the database, to be joined with the
/// indicator rows and the checks' findings by [`Reads::finish`].
pub struct Reads {
    /// Responses per wave and arm.
    pub waves: Vec<WaveCount>,
    /// Incubators with ProKUS KPM.
    pub incubators: Vec<IncubatorInfo>,
    /// Provinces with ProKUS KPM.
    pub provinces: Vec<ProvinceInfo>,
    /// Regencies with ProKUS KPM.
    pub regencies: Vec<RegencyInfo>,
    batches: Vec<BatchInfo>,
    reasons: Vec<(String, String, i64)>,
    /// Each incubator's own KPM, read with a query filtered by its id.
    kpm_by_incubator: BTreeMap<String, Vec<KpmStatus>>,
    /// Short hash of every file loaded (the data snapshot).
    pub snapshot: String,
}

impl Reads {
    /// What the reports read from the database itself (areas, incubators,
    /// their KPM, the files loaded, the response counts): a caller may read
    /// it while the indicators and the checks are computed elsewhere, then
    /// join them with [`Reads::finish`].
    pub fn read(conn: &Connection) -> Result<Reads, ReportError> {
        tracing::debug!(
            sql = "queries/report/*.sql",
            "reading what the reports print"
        );
        let waves = prokus_metrics::wave_counts(conn)?;
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
            })
        })?;
        let reasons = all(conn, REASONS_SQL, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let rows = all(conn, ATTENTION_SQL, |r| {
            Ok((
                r.get::<_, String>(0)?,
                KpmStatus {
                    kpm_id: r.get(1)?,
                    business: r.get(2)?,
                    nik_masked: r.get(3)?,
                    income_baseline: r.get(4)?,
                    income_endline: r.get(5)?,
                    operating: r.get(6)?,
                    saves: r.get(7)?,
                    frequency: r.get(8)?,
                    waves: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                },
            ))
        })?;
        let mut kpm_by_incubator: BTreeMap<String, Vec<KpmStatus>> = BTreeMap::new();
        for (incubator, kpm) in rows {
            kpm_by_incubator.entry(incubator).or_default().push(kpm);
        }
        Ok(Reads {
            waves,
            incubators,
            provinces,
            regencies,
            batches,
            reasons,
            kpm_by_incubator,
            snapshot,
        })
    }

    /// The inputs of a run: these reads with the indicator `rows`, the
    /// `catalog` they were computed with, and the checks' findings `quality`
    /// made with `settings`.
    pub fn finish(
        self,
        rows: Vec<IndicatorRow>,
        catalog: Catalog,
        quality: QualityReport,
        settings: Settings,
    ) -> Inputs {
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
            .filter_map(|code| {
                let (year, q) = code.split_once("-Q")?;
                let month = 3 * q.parse::<u32>().ok()? - 2;
                Some((
                    code.clone(),
                    NaiveDate::from_ymd_opt(year.parse().ok()?, month, 1)?,
                ))
            })
            .collect();
        quarters.sort_by_key(|q| q.1);
        quarters.dedup();
        let latest = latest_wave_of(&self.waves);
        let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for r in rows
            .iter()
            .filter(|r| r.indicator_id == "saves_monthly" && r.period == latest)
        {
            groups
                .entry(r.level.clone())
                .or_default()
                .push((r.group_code.clone(), r.group_name.clone()));
        }
        for list in groups.values_mut() {
            list.sort();
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
            index,
            quarters,
            groups,
        }
    }
}

impl Inputs {
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

    /// The reporting quarter: that of the endline's median submission date.
    pub fn period_label(&self, lang: Lang) -> String {
        let date = self
            .db
            .waves
            .iter()
            .filter(|w| w.arm == "prokus" && !w.median_date.is_empty())
            .max_by_key(|w| WAVES.iter().position(|x| *x == w.wave))
            .and_then(|w| NaiveDate::parse_from_str(&w.median_date, "%Y-%m-%d").ok());
        date.map(|d| format::quarter(d, lang)).unwrap_or_default()
    }

    /// The last wave with data (the endline when it has been surveyed).
    pub fn latest_wave(&self) -> &'static str {
        latest_wave_of(&self.db.waves)
    }
}

/// The last wave with ProKUS answers (the endline when it has been surveyed).
fn latest_wave_of(waves: &[WaveCount]) -> &'static str {
    WAVES
        .iter()
        .rev()
        .find(|w| waves.iter().any(|c| c.wave == **w && c.arm == "prokus"))
        .copied()
        .unwrap_or("baseline")
}

/// A table cell; `status` colours it.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// on_track / at_risk / off_track, for a status badge.
    pub status: Option<String>,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell { text, status: None }
    }
}

/// A table: title, header, rows, and a note under it.
#[derive(Debug, Clone)]
pub struct Table {
    /// Heading above the table.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// `left` or `right` per column.
    pub align: Vec<&'static str>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
    /// A note under the table (method, suppression).
    pub note: String,
    /// Relative column widths; empty for the default, from the text of each
    /// column ([`Table::column_widths`]).
    pub widths: Vec<f64>,
}

/// The text width of an A4 page with the reports' margins (21 cm less twice
/// 1.8 cm), in points: the width of every table.
const TABLE_WIDTH: f64 = 493.2;
/// The size of a table's text, in points (`data-table` in `common.typ`).
const TABLE_TEXT: f64 = 8.0;
/// A cell's inset on both sides, and a little room for rounding.
const CELL_PADDING: f64 = 2.0 * 4.0 + 1.0;
/// The narrowest a table's first column gets when its text wraps, in points
/// (some 28 characters), so that the names of the rows stay readable.
const LABEL_WIDTH: f64 = 120.0;
/// What a status cell's box adds around its text (inset and stroke).
const STATUS_PADDING: f64 = 2.0 * 3.0 + 1.0;

impl Table {
    /// The widths of the columns, in points across the page: `widths` when
    /// it has one per column; otherwise measured from the text, the way a
    /// browser lays out an automatic table. Numbers (right-aligned columns)
    /// and status badges never wrap (but an interval, after its dash); other
    /// text may wrap between words, the first column down to 120 points;
    /// a header may wrap too. When every column fits on one line, each is as
    /// wide as its longest text and the room left goes to the text columns;
    /// otherwise the text columns share the width the numbers leave, in
    /// proportion to how much each would need to be on one line. The
    /// template turns them into fractions of the width, so Typst need not
    /// lay every cell out twice to measure it, as it does for `auto` columns.
    pub fn column_widths(&self) -> Vec<f64> {
        let n = self.columns.len();
        if self.widths.len() == n || n == 0 {
            return self.widths.clone();
        }
        let width = |s: &str, bold: bool| crate::world::text_width(s, TABLE_TEXT, bold);
        let longest_word = |s: &str, bold: bool| {
            s.split_whitespace()
                .map(|w| width(w, bold))
                .fold(0.0, f64::max)
        };
        // (narrowest, widest) of each column.
        let mut bounds: Vec<(f64, f64)> = (0..n)
            .map(|c| {
                // Status badges do not wrap either.
                let wraps = self.align.get(c) != Some(&"right")
                    && self
                        .rows
                        .iter()
                        .all(|r| r.get(c).is_none_or(|x| x.status.is_none()));
                let (mut narrow, mut wide) = (longest_word(&self.columns[c], true), 0.0_f64);
                for cell in self.rows.iter().filter_map(|r| r.get(c)) {
                    let extra = if cell.status.is_some() {
                        STATUS_PADDING
                    } else {
                        0.0
                    };
                    let whole = width(&cell.text, false) + extra;
                    wide = wide.max(whole);
                    narrow = narrow.max(if wraps {
                        longest_word(&cell.text, false) + extra
                    } else if let Some((low, high)) = cell.text.split_once(" – ") {
                        // An interval may break after its dash.
                        width(&format!("{low} –"), false).max(width(high, false))
                    } else {
                        whole
                    });
                }
                let wide = wide.max(width(&self.columns[c], true)).max(narrow);
                (narrow + CELL_PADDING, wide + CELL_PADDING)
            })
            .collect();
        // The first column names the rows: when it wraps, as wide as
        // LABEL_WIDTH if the other columns leave that much, else what they
        // leave.
        if self.align.first() != Some(&"right") {
            let others: f64 = bounds[1..].iter().map(|b| b.0).sum();
            let (narrow, wide) = bounds[0];
            bounds[0].0 = narrow.max(wide.min(LABEL_WIDTH).min(TABLE_WIDTH - others));
        }
        let narrowest: f64 = bounds.iter().map(|b| b.0).sum();
        let widest: f64 = bounds.iter().map(|b| b.1).sum();
        if widest <= TABLE_WIDTH {
            // Room to spare: to the text columns, as wide as they are.
            let text: f64 = (0..n)
                .filter(|&c| self.align.get(c) != Some(&"right"))
                .map(|c| bounds[c].1)
                .sum();
            let spare = TABLE_WIDTH - widest;
            (0..n)
                .map(|c| {
                    let (_, wide) = bounds[c];
                    if text > 0.0 && self.align.get(c) != Some(&"right") {
                        wide + spare * wide / text
                    } else if text > 0.0 {
                        wide
                    } else {
                        wide + spare * wide / widest
                    }
                })
                .collect()
        } else if narrowest <= TABLE_WIDTH {
            let share = (TABLE_WIDTH - narrowest) / (widest - narrowest);
            bounds
                .iter()
                .map(|(narrow, wide)| narrow + (wide - narrow) * share)
                .collect()
        } else {
            // Too narrow even with every text wrapped: in proportion.
            bounds
                .iter()
                .map(|b| b.0 * TABLE_WIDTH / narrowest)
                .collect()
        }
    }
}

impl Table {
    /// Per row, whether every cell's text fits on one line in columns of
    /// `widths` (relative, as [`Table::column_widths`] gives them), with the
    /// point to spare that `CELL_PADDING` keeps, as the widths do. The
    /// template gives such rows the height of one line,
    /// so Typst lays their cells out once instead of twice (once to measure
    /// an `auto` row, once to place it).
    pub fn one_line(&self, widths: &[f64]) -> Vec<bool> {
        let total: f64 = widths.iter().sum();
        let room: Vec<f64> = widths
            .iter()
            .map(|w| TABLE_WIDTH * w / total - CELL_PADDING + 1e-9)
            .collect();
        self.rows
            .iter()
            .map(|row| {
                row.len() == room.len()
                    && row.iter().zip(&room).all(|(cell, room)| {
                        let extra = if cell.status.is_some() {
                            STATUS_PADDING
                        } else {
                            0.0
                        };
                        !cell.text.contains('\n')
                            && crate::world::text_width(&cell.text, TABLE_TEXT, false) + extra
                                <= *room
                    })
            })
            .collect()
    }
}

impl Serialize for Table {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            title: &'a str,
            columns: &'a [String],
            align: &'a [&'static str],
            rows: &'a [Vec<Cell>],
            note: &'a str,
            widths: Vec<f64>,
            one_line: Vec<bool>,
        }
        let widths = self.column_widths();
        Out {
            title: &self.title,
            columns: &self.columns,
            align: &self.align,
            rows: &self.rows,
            note: &self.note,
            one_line: self.one_line(&widths),
            widths,
        }
        .serialize(serializer)
    }
}

/// A KPI tile.
#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    /// What it is.
    pub label: String,
    /// The figure.
    pub value: String,
    /// Change or comparison line.
    pub detail: String,
    /// on_track / at_risk / off_track.
    pub status: Option<String>,
    /// The status in words.
    pub status_label: String,
    /// The change since the quarter before (the dashboard), or empty.
    pub trend: String,
}

/// A chart reference: the template shows `/charts/{name}.svg`.
#[derive(Debug, Clone, Serialize)]
pub struct ChartRef {
    /// The virtual file name without extension.
    pub name: String,
    /// Caption under the chart.
    pub caption: String,
}

/// Header and footer facts.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// Document title.
    pub title: String,
    /// Second line of the cover.
    pub subtitle: String,
    /// The reporting period.
    pub period: String,
    /// Generation time in words.
    pub generated: String,
    /// Data snapshot hash.
    pub snapshot: String,
    /// Engine name and version.
    pub engine: String,
    /// Document language code.
    pub lang: &'static str,
    /// Footer labels.
    pub footer: String,
}

/// The whole JSON a template reads.
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    /// Header and footer facts.
    pub meta: Meta,
    /// Section headings.
    pub headings: BTreeMap<&'static str, String>,
    /// The executive summary, one sentence each.
    pub summary: Vec<String>,
    /// KPI tiles.
    pub kpis: Vec<Kpi>,
    /// Tables in reading order.
    pub tables: Vec<Table>,
    /// Charts in reading order.
    pub charts: Vec<ChartRef>,
    /// Annex tables (data quality, methods).
    pub annex: Vec<Table>,
    /// The impact section: estimates against the comparison group (the
    /// national report; empty elsewhere).
    pub impact: Vec<Table>,
}

/// A payload plus the SVG charts it refers to.
pub struct Built {
    /// The JSON for `data.json`.
    pub payload: Payload,
    /// (name, SVG text).
    pub charts: Vec<(String, String)>,
    /// Files written beside the PDF, such as an incubator's full list of KPM
    /// who need attention.
    pub files: Vec<Companion>,
}

/// A file written beside a report's PDF.
pub struct Companion {
    name: String,
    lang: Lang,
    content: CompanionContent,
}

enum CompanionContent {
    /// An incubator's KPM who need attention, most urgent first.
    Attention(Vec<Attention>),
}

impl Companion {
    /// Its file name, in the PDF's folder.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its bytes.
    pub fn bytes(&self) -> Result<Vec<u8>, ReportError> {
        let w = Words {
            lang: self.lang,
            min_cell: prokus_metrics::settings::DEFAULT_MIN_CELL,
        };
        match &self.content {
            CompanionContent::Attention(rows) => attention_xlsx(rows, &w),
        }
    }
}

/// Words in one language.
pub(crate) struct Words {
    pub lang: Lang,
    /// Cells of fewer KPM are suppressed ("n<5").
    pub min_cell: u32,
}

impl Words {
    fn pick<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::Id { id } else { en }
    }

    fn status(&self, status: Option<&str>) -> String {
        match status {
            Some("on_track") => self.pick("Sesuai target", "On track"),
            Some("at_risk") => self.pick("Berisiko", "At risk"),
            Some("off_track") => self.pick("Di bawah target", "Off track"),
            _ => "",
        }
        .to_string()
    }

    fn wave(&self, wave: &str) -> String {
        match wave {
            "baseline" => self.pick("Awal", "Baseline"),
            "monitoring_1" => self.pick("Monitoring 1", "Monitoring 1"),
            "monitoring_2" => self.pick("Monitoring 2", "Monitoring 2"),
            "monitoring_3" => self.pick("Monitoring 3", "Monitoring 3"),
            "endline" => self.pick("Akhir", "Endline"),
            "followup" => self.pick("Tindak lanjut", "Follow-up"),
            other => other,
        }
        .to_string()
    }

    fn label<'a>(&self, i: &'a Indicator) -> &'a str {
        if self.lang == Lang::Id {
            &i.label_id
        } else {
            &i.label_en
        }
    }

    /// What a suppressed cell shows (the default small-cell threshold).
    /// The line a report prints when the database has no targets.
    fn no_targets(&self) -> &'static str {
        self.pick(
            "Belum ada target yang dimuat, sehingga status tidak ditampilkan.",
            "No targets are loaded, so no status is shown.",
        )
    }

    /// The line a report prints when the database has no survey calendar.
    fn no_schedule(&self) -> &'static str {
        self.pick(
            "Belum ada jadwal survei yang dimuat, sehingga ketepatan waktu dan KPM yang belum menjawab tidak dinilai.",
            "No survey calendar is loaded, so timeliness and non-response are not judged.",
        )
    }

    fn suppressed(&self) -> String {
        format!("n<{}", self.min_cell)
    }

    /// A value in its unit.
    pub fn value(&self, i: &Indicator, v: Option<f64>) -> String {
        let Some(v) = v else { return "–".into() };
        match i.unit {
            Unit::Rp => format::rupiah(v, self.lang),
            Unit::Pct => format::percent(v, i.decimals, self.lang),
            Unit::Count | Unit::Score => format::number(v, i.decimals, self.lang),
        }
    }

    /// A change in its unit (percentage points for shares).
    pub fn change(&self, i: &Indicator, v: Option<f64>) -> String {
        let Some(v) = v else { return "–".into() };
        match i.unit {
            Unit::Rp => {
                let s = format::signed(v, 0, self.lang, "");
                format!(
                    "{}Rp {}",
                    if s.starts_with('−') {
                        "−"
                    } else if s.starts_with('+') {
                        "+"
                    } else {
                        ""
                    },
                    s.trim_start_matches(['+', '−'])
                )
            }
            Unit::Pct => format::signed(v, i.decimals, self.lang, self.pick(" poin", " pts")),
            Unit::Count | Unit::Score => format::signed(v, i.decimals, self.lang, ""),
        }
    }

    fn ci(&self, i: &Indicator, r: &IndicatorRow) -> String {
        match (r.ci_low, r.ci_high) {
            // "Rp" stays with its number: the interval may break only
            // after its dash.
            (Some(lo), Some(hi)) => format!(
                "{} – {}",
                self.value(i, Some(lo)).replace("Rp ", "Rp\u{a0}"),
                self.value(i, Some(hi)).replace("Rp ", "Rp\u{a0}")
            ),
            _ => "–".into(),
        }
    }
}

/// Key figures of one scope (a level and group): the indicator table lines.
fn indicator_table(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    group: &str,
    period: &str,
    title: String,
) -> Table {
    // Without targets there is no target nor status to show.
    let targets = inputs.settings.has_targets();
    let mut columns: Vec<String> = [
        w.pick("Indikator", "Indicator"),
        "n",
        w.pick("Awal", "Baseline"),
        &w.wave(period),
        w.pick("Perubahan", "Change"),
        w.pick("IK 95%", "95% CI"),
        "Target",
        "Status",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut align = vec![
        "left", "right", "right", "right", "right", "right", "right", "left",
    ];
    if !targets {
        columns.truncate(6);
        align.truncate(6);
    }
    let mut rows = Vec::new();
    for i in &inputs.catalog.indicators {
        let Some(r) = inputs.row(&i.id, period, level, group) else {
            continue;
        };
        let (baseline, change) = if r.suppressed {
            (w.suppressed(), w.suppressed())
        } else if matches!(
            i.aggregation,
            prokus_metrics::Aggregation::SumChange | prokus_metrics::Aggregation::PctChange
        ) {
            ("–".to_string(), "–".to_string())
        } else {
            (w.value(i, r.baseline_value), w.change(i, r.change))
        };
        let mut row = vec![
            Cell::from(w.label(i).to_string()),
            Cell::from(format::number(r.n as f64, 0, w.lang)),
            Cell::from(baseline),
            Cell::from(if r.suppressed {
                w.suppressed()
            } else {
                w.value(i, r.value)
            }),
            Cell::from(change),
            Cell::from(if r.suppressed {
                w.suppressed()
            } else {
                w.ci(i, r)
            }),
        ];
        if targets {
            row.push(Cell::from(
                r.target
                    .map(|t| w.value(i, Some(t)))
                    .unwrap_or_else(|| "–".into()),
            ));
            row.push(Cell {
                text: w.status(r.status.as_deref()),
                status: r.status.clone(),
            });
        }
        rows.push(row);
    }
    let mut note = format!(
        "{} {} n < {} {}",
        w.pick(
            "Setelah survei awal, angka dihitung atas KPM yang menjawab survei awal dan putaran tersebut (panel), sehingga perubahan adalah perubahan berpasangan. IK = interval kepercayaan.",
            "After the baseline, figures are over the KPM who answered both the baseline and that round (the panel), so changes are paired. CI = confidence interval.",
        ),
        w.pick("Sel dengan", "Cells with"),
        w.min_cell,
        w.pick("tidak ditampilkan.", "are not shown."),
    );
    if !targets {
        note.push(' ');
        note.push_str(w.no_targets());
    }
    Table {
        title,
        columns,
        align,
        rows,
        note,
        widths: Vec::new(),
    }
}

/// One line per group of a level: key indicators side by side.
fn group_table(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    groups: &[(String, String)],
    period: &str,
    title: String,
) -> Table {
    let ids = GROUP_TABLE;
    let mut columns = vec![w.pick("Kelompok", "Group").to_string(), "n".to_string()];
    let indicators: Vec<&Indicator> = ids.iter().filter_map(|id| inputs.catalog.get(id)).collect();
    columns.extend(indicators.iter().map(|i| short_label(i, w)));
    let mut rows = Vec::new();
    for (code, name) in groups {
        let n = inputs
            .row("saves_monthly", period, level, code)
            .map(|r| r.n)
            .unwrap_or(0);
        let mut row = vec![
            Cell::from(name.clone()),
            Cell::from(format::number(n as f64, 0, w.lang)),
        ];
        for i in &indicators {
            let cell = match inputs.row(&i.id, period, level, code) {
                Some(r) if r.suppressed => Cell::from(w.suppressed()),
                Some(r) => Cell {
                    text: w.value(i, r.value),
                    status: r.status.clone(),
                },
                None => Cell::from("–".to_string()),
            };
            row.push(cell);
        }
        rows.push(row);
    }
    let mut align = vec!["left", "right"];
    align.extend(indicators.iter().map(|_| "right"));
    Table {
        title,
        columns,
        align,
        rows,
        note: if inputs.settings.has_targets() {
            w.pick("Warna menunjukkan status terhadap target. n = KPM dalam panel survei awal–akhir.", "Colour shows the status against the target. n = KPM in the baseline–endline panel.")
        } else {
            w.pick("n = KPM dalam panel survei awal–akhir.", "n = KPM in the baseline–endline panel.")
        }
        .to_string(),
        widths: Vec::new(),
    }
}

fn short_label(i: &Indicator, w: &Words) -> String {
    let (id, en) = match i.id.as_str() {
        "business_income_change_pct" => ("Kenaikan pendapatan", "Income change"),
        "saves_monthly" => ("Menabung rutin", "Saving monthly"),
        "keeps_books" => ("Pembukuan", "Bookkeeping"),
        "jobs_created" => ("Lapangan kerja", "Jobs created"),
        "business_operating" => ("Usaha berjalan", "Still running"),
        _ => (i.label_id.as_str(), i.label_en.as_str()),
    };
    w.pick(id, en).to_string()
}

fn kpi(
    inputs: &Inputs,
    w: &Words,
    id: &str,
    period: &str,
    level: &str,
    group: &str,
    compare: Option<(&str, &str)>,
) -> Option<Kpi> {
    let i = inputs.catalog.get(id)?;
    let r = inputs.row(id, period, level, group)?;
    let value = if r.suppressed {
        w.suppressed()
    } else {
        w.value(i, r.value)
    };
    let detail = match compare.and_then(|(l, g)| inputs.row(id, period, l, g)) {
        Some(other) => format!(
            "{} {}",
            w.pick("Nasional:", "National:"),
            w.value(i, other.value)
        ),
        None if r.baseline_value.is_some()
            && !matches!(
                i.aggregation,
                prokus_metrics::Aggregation::SumChange | prokus_metrics::Aggregation::PctChange
            ) =>
        {
            format!(
                "{} {} ({})",
                w.pick("Awal:", "Baseline:"),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            )
        }
        None => format!("n = {}", format::number(r.n as f64, 0, w.lang)),
    };
    Some(Kpi {
        label: w.label(i).to_string(),
        value,
        detail,
        status: r.status.clone(),
        status_label: w.status(r.status.as_deref()),
        trend: String::new(),
    })
}

/// The national figure of indicator `id` in the last two quarters with data,
/// as "Triwulan II → III 2021: 65,2% → 71,8% (+6,6 poin)". Only for means,
/// shares, medians and ratios: a sum over the KPM who answered in a quarter
/// grows and shrinks with how many answered, so two quarters' sums say
/// nothing of a change.
fn quarter_trend(inputs: &Inputs, w: &Words, id: &str) -> Option<String> {
    use prokus_metrics::Aggregation;
    let i = inputs.catalog.get(id)?;
    if matches!(i.aggregation, Aggregation::Sum | Aggregation::SumChange) {
        return None;
    }
    let [before, last] = inputs.quarters.last_chunk::<2>()?;
    let value = |q: &(String, NaiveDate)| {
        inputs
            .row(id, &q.0, "national", "ID")
            .filter(|r| !r.suppressed)
            .and_then(|r| r.value)
    };
    let (a, b) = (value(before)?, value(last)?);
    let last_label = format::quarter(last.1, w.lang);
    let before_label = format::quarter(before.1, w.lang);
    // "Triwulan II → III 2021" and "Q2 → Q3 2021" in one year.
    let same_year = before.1.year() == last.1.year();
    let span = match (w.lang, same_year) {
        (_, false) => format!("{before_label} → {last_label}"),
        (Lang::Id, true) => format!(
            "{} → {}",
            before_label
                .rsplit_once(' ')
                .map_or(&*before_label, |x| x.0),
            last_label.trim_start_matches("Triwulan ")
        ),
        (Lang::En, true) => format!(
            "{} → {last_label}",
            before_label
                .rsplit_once(' ')
                .map_or(&*before_label, |x| x.0)
        ),
    };
    Some(format!(
        "{span}: {} → {} ({})",
        w.value(i, Some(a)),
        w.value(i, Some(b)),
        w.change(i, Some(b - a))
    ))
}

fn summary(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    group: &str,
    scope: &str,
    period: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let cat = &inputs.catalog;
    if let (Some(i), Some(r), Some(pct)) = (
        cat.get("business_income"),
        inputs.row("business_income", period, level, group),
        inputs.row("business_income_change_pct", period, level, group),
    ) && !r.suppressed
    {
        let p = cat
            .get("business_income_change_pct")
            .map(|c| w.change(c, pct.value))
            .unwrap_or_default();
        let verb = if pct.value.unwrap_or(0.0) >= 0.0 {
            w.pick("naik", "rose")
        } else {
            w.pick("turun", "fell")
        };
        out.push(match w.lang {
            Lang::Id => format!(
                "Pendapatan bersih usaha rata-rata KPM {scope} {verb} {} dari {} menjadi {} per bulan antara survei awal dan {} (n = {}).",
                p.trim_start_matches(['+', '−']).replace(" poin", "%"), w.value(i, r.baseline_value), w.value(i, r.value), w.wave(period).to_lowercase(), r.n
            ),
            Lang::En => format!(
                "The mean net business income of KPM in {scope} {verb} by {} from {} to {} a month between the baseline and the {} (n = {}).",
                p.trim_start_matches(['+', '−']).replace(" pts", "%"), w.value(i, r.baseline_value), w.value(i, r.value), w.wave(period).to_lowercase(), r.n
            ),
        });
    }
    if let (Some(i), Some(r)) = (
        cat.get("saves_monthly"),
        inputs.row("saves_monthly", period, level, group),
    ) && !r.suppressed
    {
        out.push(match w.lang {
            Lang::Id => format!(
                "{} KPM menabung minimal sebulan sekali, dibanding {} pada survei awal ({}).",
                w.value(i, r.value),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            ),
            Lang::En => format!(
                "{} of KPM save at least monthly, against {} at the baseline ({}).",
                w.value(i, r.value),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            ),
        });
    }
    if let (Some(i), Some(r)) = (
        cat.get("jobs_created"),
        inputs.row("jobs_created", period, level, group),
    ) && let (false, Some(v)) = (r.suppressed, r.value)
    {
        let n = w.value(i, Some(v.abs()));
        out.push(match (w.lang, v >= 0.0) {
            (Lang::Id, true) => format!("Usaha KPM menambah {n} pekerja (dibayar dan keluarga) sejak survei awal."),
            (Lang::Id, false) => format!("Jumlah pekerja usaha KPM (dibayar dan keluarga) berkurang {n} orang sejak survei awal."),
            (Lang::En, true) => format!("KPM businesses added {n} workers (paid and family) since the baseline."),
            (Lang::En, false) => format!("KPM businesses have {n} fewer workers (paid and family) than at the baseline."),
        });
    }
    let statuses: Vec<&str> = inputs
        .catalog
        .indicators
        .iter()
        .filter_map(|i| inputs.row(&i.id, period, level, group)?.status.as_deref())
        .collect();
    if !statuses.is_empty() {
        let on = statuses.iter().filter(|s| **s == "on_track").count();
        out.push(match w.lang {
            Lang::Id => format!(
                "{on} dari {} indikator bertarget sudah sesuai target.",
                statuses.len()
            ),
            Lang::En => format!(
                "{on} of {} indicators with a target are on track.",
                statuses.len()
            ),
        });
    }
    out
}

fn headings(w: &Words) -> BTreeMap<&'static str, String> {
    [
        ("summary", w.pick("Ringkasan", "Summary")),
        ("kpis", w.pick("Indikator utama", "Key indicators")),
        ("charts", w.pick("Grafik", "Charts")),
        ("tables", w.pick("Rincian", "Details")),
        ("annex", w.pick("Lampiran", "Annex")),
        ("impact", w.pick("Dampak program", "Programme impact")),
        ("page", w.pick("Halaman", "Page")),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn meta(inputs: &Inputs, w: &Words, title: String, subtitle: String) -> Meta {
    let generated = format!(
        "{} {} UTC",
        format::date(inputs.generated.date(), w.lang),
        inputs.generated.format("%H:%M")
    );
    let engine = format!("prokus {}", env!("CARGO_PKG_VERSION"));
    Meta {
        footer: format!(
            "{} {} · {} · {} {}",
            w.pick("Data", "Data"),
            inputs.db.snapshot,
            engine,
            w.pick("Dibuat", "Generated"),
            generated
        ),
        title,
        subtitle,
        period: inputs.period_label(w.lang),
        generated,
        snapshot: inputs.db.snapshot.clone(),
        engine,
        lang: w.lang.code(),
    }
}

fn chart_note(w: &Words, n: i64, extra: &str) -> String {
    format!(
        "n = {} KPM · {}{}",
        format::number(n as f64, 0, w.lang),
        w.pick(
            "Sumber: survei monitoring ProKUS",
            "Source: ProKUS monitoring survey"
        ),
        extra
    )
}

/// Income before and after per group, as a chart.
fn income_chart(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    groups: &[(String, String)],
    period: &str,
    title: &str,
    (width, max_height): (u32, u32),
) -> Result<Option<String>, ReportError> {
    let Some(i) = inputs.catalog.get(INCOME) else {
        return Ok(None);
    };
    let rows: Vec<(&String, &IndicatorRow)> = groups
        .iter()
        .filter_map(|(code, name)| {
            inputs
                .row(&i.id, period, level, code)
                .filter(|r| !r.suppressed)
                .map(|r| (name, r))
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let n: i64 = rows.iter().map(|(_, r)| r.n).sum();
    let cats: Vec<String> = rows.iter().map(|(name, _)| (*name).clone()).collect();
    let series = vec![
        Series {
            label: w.pick("Survei awal", "Baseline").into(),
            values: rows.iter().map(|(_, r)| r.baseline_value).collect(),
        },
        Series {
            label: w.wave(period),
            values: rows.iter().map(|(_, r)| r.value).collect(),
        },
    ];
    let lang = w.lang;
    let fmt = |v: f64| short_rupiah(v, lang);
    let svg = charts::grouped_hbars(
        title,
        &chart_note(w, n, ""),
        &cats,
        &series,
        &fmt,
        width,
        max_height,
    )?;
    Ok(Some(svg))
}

fn short_rupiah(v: f64, lang: Lang) -> String {
    if v >= 1e6 {
        format!(
            "{} {}",
            format::number(v / 1e6, 1, lang),
            if lang == Lang::Id { "jt" } else { "m" }
        )
    } else if v >= 1e3 {
        format!(
            "{} {}",
            format::number(v / 1e3, 0, lang),
            if lang == Lang::Id { "rb" } else { "k" }
        )
    } else {
        format::number(v, 0, lang)
    }
}

/// Shares across waves for some scopes: (series label, level, group).
/// Small multiples of the saving habit: a panel per province across the
/// waves, each against the nation.
fn province_savings_chart(
    inputs: &Inputs,
    w: &Words,
    provinces: &[(String, String)],
) -> Result<Option<String>, ReportError> {
    let waves = surveyed_waves(inputs);
    let by_wave = |level: &str, code: &str| -> Vec<Option<f64>> {
        waves
            .iter()
            .map(|wv| {
                inputs
                    .row("saves_monthly", wv, level, code)
                    .filter(|r| !r.suppressed)
                    .and_then(|r| r.value)
            })
            .collect()
    };
    let panels: Vec<Series> = provinces
        .iter()
        .map(|(code, name)| Series {
            label: name.clone(),
            values: by_wave("province", code),
        })
        .filter(|s| s.values.iter().any(Option::is_some))
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let n = inputs
        .row("saves_monthly", "baseline", "national", "ID")
        .map_or(0, |r| r.n);
    Ok(Some(charts::small_multiples(
        w.pick(
            "KPM menabung minimal sebulan sekali per provinsi (%)",
            "KPM saving at least monthly by province (%)",
        ),
        &chart_note(w, n, ""),
        &labels,
        &panels,
        &Series {
            label: w.pick("Nasional", "National").into(),
            values: by_wave("national", "ID"),
        },
        6,
    )?))
}

/// Progress towards the targets: each targeted indicator's national value
/// as a share of its target (100% = reached; for an indicator where lower is
/// better, the target over the value).
fn target_chart(inputs: &Inputs, w: &Words, period: &str) -> Result<Option<String>, ReportError> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    let mut n = 0;
    for i in &inputs.catalog.indicators {
        let Some(r) = inputs.row(&i.id, period, "national", "ID") else {
            continue;
        };
        let (Some(value), Some(target)) = (r.value, r.target) else {
            continue;
        };
        let progress = match i.direction {
            prokus_metrics::Direction::Higher if target != 0.0 => 100.0 * value / target,
            prokus_metrics::Direction::Lower if value != 0.0 => 100.0 * target / value,
            _ => continue,
        };
        labels.push(w.label(i).to_string());
        values.push(Some(progress));
        n = n.max(r.n);
    }
    if labels.is_empty() {
        return Ok(None);
    }
    let lang = w.lang;
    Ok(Some(charts::grouped_hbars(
        w.pick(
            "Capaian terhadap target, nasional (% dari target)",
            "Progress towards the targets, national (% of target)",
        ),
        &chart_note(
            w,
            n,
            w.pick(" · 100% = target tercapai", " · 100% = target reached"),
        ),
        &labels,
        &[Series {
            label: w.pick("Capaian", "Progress").into(),
            values,
        }],
        &|v| format::percent(v, 0, lang),
        charts::WIDTH,
        charts::MAX_HEIGHT,
    )?))
}

/// The waves ProKUS KPM answered, in survey order.
fn surveyed_waves(inputs: &Inputs) -> Vec<&'static str> {
    WAVES
        .iter()
        .copied()
        .filter(|wv| {
            inputs
                .db
                .waves
                .iter()
                .any(|c| c.wave == *wv && c.arm == "prokus")
        })
        .collect()
}

fn wave_chart(
    inputs: &Inputs,
    w: &Words,
    id: &str,
    scopes: &[(String, &str, &str)],
    title: &str,
) -> Result<Option<String>, ReportError> {
    let waves = surveyed_waves(inputs);
    let series: Vec<Series> = scopes
        .iter()
        .map(|(label, level, group)| Series {
            label: label.clone(),
            values: waves
                .iter()
                .map(|wv| {
                    inputs
                        .row(id, wv, level, group)
                        .filter(|r| !r.suppressed)
                        .and_then(|r| r.value)
                })
                .collect(),
        })
        .collect();
    if series.iter().all(|s| s.values.iter().all(Option::is_none)) {
        return Ok(None);
    }
    let n = scopes
        .first()
        .and_then(|(_, l, g)| inputs.row(id, "baseline", l, g))
        .map(|r| r.n)
        .unwrap_or(0);
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let lang = w.lang;
    let note = chart_note(
        w,
        n,
        w.pick(
            " · setelah survei awal: panel",
            " · after the baseline: panel",
        ),
    );
    Ok(Some(charts::lines_by_wave(
        title,
        &note,
        &labels,
        &series,
        &|v| format::percent(v, 0, lang),
    )?))
}

fn response_chart(inputs: &Inputs, w: &Words) -> Result<Option<String>, ReportError> {
    let waves: Vec<&str> = WAVES
        .iter()
        .copied()
        .filter(|wv| inputs.db.waves.iter().any(|c| c.wave == *wv))
        .collect();
    let get = |arm: &str| -> Vec<Option<f64>> {
        waves
            .iter()
            .map(|wv| {
                inputs
                    .db
                    .waves
                    .iter()
                    .find(|c| c.wave == *wv && c.arm == arm)
                    .map(|c| c.responded as f64)
            })
            .collect()
    };
    let registered: i64 = inputs
        .db
        .waves
        .iter()
        .filter(|c| c.wave == "baseline")
        .map(|c| c.registered)
        .sum();
    let series = vec![
        Series {
            label: w.pick("KPM ProKUS", "ProKUS KPM").into(),
            values: get("prokus"),
        },
        Series {
            label: w.pick("Kelompok pembanding", "Comparison group").into(),
            values: get("comparison"),
        },
    ];
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let lang = w.lang;
    let title = w.pick(
        "KPM yang menjawab per putaran survei (jumlah)",
        "KPM responding per survey round (count)",
    );
    let note = format!(
        "{} {} · {}",
        w.pick("KPM terdaftar:", "KPM registered:"),
        format::number(registered as f64, 0, lang),
        w.pick(
            "Sumber: survei monitoring ProKUS",
            "Source: ProKUS monitoring survey"
        )
    );
    Ok(Some(charts::vbars(title, &note, &labels, &series, &|v| {
        format::number(v, 0, lang)
    })?))
}

fn jobs_chart(inputs: &Inputs, w: &Words, period: &str) -> Result<Option<String>, ReportError> {
    let clusters = [
        ("kuliner", w.pick("Kuliner", "Culinary")),
        ("ritel", w.pick("Ritel", "Retail")),
        ("fesyen", w.pick("Fesyen", "Fashion")),
        ("agribisnis", w.pick("Agribisnis", "Agribusiness")),
    ];
    let rows: Vec<Option<&IndicatorRow>> = clusters
        .iter()
        .map(|(c, _)| inputs.row("jobs_created", period, "cluster", c))
        .collect();
    if rows.iter().all(Option::is_none) {
        return Ok(None);
    }
    let n: i64 = rows.iter().flatten().map(|r| r.n).sum();
    let series = vec![Series {
        label: String::new(),
        values: rows
            .iter()
            .map(|r| r.filter(|r| !r.suppressed).and_then(|r| r.value))
            .collect(),
    }];
    let labels: Vec<String> = clusters.iter().map(|(_, l)| l.to_string()).collect();
    let lang = w.lang;
    let title = w.pick(
        "Lapangan kerja tercipta per klaster usaha (orang)",
        "Jobs created by business cluster (people)",
    );
    Ok(Some(charts::vbars(
        title,
        &chart_note(w, n, ""),
        &labels,
        &series,
        &|v| format::number(v, 0, lang),
    )?))
}

fn methods_annex(inputs: &Inputs, w: &Words) -> Table {
    let rows = inputs
        .catalog
        .indicators
        .iter()
        .map(|i| {
            let aggregation = match i.aggregation {
                prokus_metrics::Aggregation::Mean => {
                    w.pick("rata-rata (interval t)", "mean (t interval)")
                }
                prokus_metrics::Aggregation::Share => {
                    w.pick("persentase (interval Wilson)", "share (Wilson interval)")
                }
                prokus_metrics::Aggregation::SumChange => w.pick(
                    "jumlah perubahan (interval t)",
                    "sum of changes (t interval)",
                ),
                prokus_metrics::Aggregation::PctChange => w.pick(
                    "rasio jumlah (metode delta)",
                    "ratio of sums (delta method)",
                ),
                prokus_metrics::Aggregation::Median => {
                    w.pick("median (tanpa interval)", "median (no interval)")
                }
                prokus_metrics::Aggregation::Sum => {
                    w.pick("jumlah (interval t)", "sum (t interval)")
                }
            };
            vec![
                Cell::from(w.label(i).to_string()),
                Cell::from(if w.lang == Lang::Id {
                    i.definition_id.clone()
                } else {
                    i.definition_en.clone()
                }),
                Cell::from(aggregation.to_string()),
                Cell::from(i.source.join(", ")),
            ]
        })
        .collect();
    Table {
        title: w.pick("Metode: katalog indikator", "Methods: indicator catalog").into(),
        columns: [w.pick("Indikator", "Indicator"), w.pick("Definisi", "Definition"), w.pick("Agregasi", "Aggregation"), w.pick("Pertanyaan", "Questions")].iter().map(|s| s.to_string()).collect(),
        align: vec!["left", "left", "left", "left"],
        rows,
        note: w.pick("Dihasilkan dari queries/indicators.toml. Angka tingkat atas dihitung ulang dari data KPM, bukan rata-rata angka tingkat bawah.", "Generated from queries/indicators.toml. Higher-level figures are recomputed from KPM data, never averaged from lower levels.").into(),
        widths: Vec::new(),
    }
}

fn quality_annex(inputs: &Inputs, w: &Words) -> Vec<Table> {
    let num = |v: i64| Cell::from(format::number(v as f64, 0, w.lang));
    let files = Table {
        title: w
            .pick(
                "Kualitas data: berkas yang dimuat",
                "Data quality: files loaded",
            )
            .into(),
        columns: [
            w.pick("Berkas", "File"),
            w.pick("Format", "Format"),
            w.pick("Dibaca", "Read"),
            w.pick("Dimuat", "Loaded"),
            w.pick("Ditolak", "Rejected"),
            w.pick("Duplikat", "Duplicate"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        align: vec!["left", "left", "right", "right", "right", "right"],
        rows: inputs
            .db
            .batches
            .iter()
            .map(|b| {
                let name = std::path::Path::new(&b.file)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| b.file.clone());
                vec![
                    Cell::from(name),
                    Cell::from(b.format.clone()),
                    num(b.counts[0]),
                    num(b.counts[1]),
                    num(b.counts[2]),
                    num(b.counts[3]),
                ]
            })
            .collect(),
        note: {
            let mut note = w.pick("Setiap baris masukan dimuat atau dicatat sebagai ditolak beserta alasannya (prokus rejects). Duplikat: kiriman yang sudah dimuat dari ekspor sebelumnya.", "Every input row is loaded or recorded as rejected with its reason. Duplicate: submissions already loaded from an earlier export.").to_string();
            for missing in [
                (!inputs.settings.has_targets()).then(|| w.no_targets()),
                (!inputs.settings.has_schedule()).then(|| w.no_schedule()),
            ]
            .into_iter()
            .flatten()
            {
                note.push(' ');
                note.push_str(missing);
            }
            note
        },
        widths: Vec::new(),
    };
    let reasons = Table {
        title: w
            .pick(
                "Alasan penolakan terbanyak",
                "Most common reasons for rejection",
            )
            .into(),
        columns: header(&[
            w.pick("Jenis", "Kind"),
            w.pick("Alasan", "Reason"),
            w.pick("Baris", "Rows"),
        ]),
        align: vec!["left", "left", "right"],
        rows: inputs
            .db
            .reasons
            .iter()
            .map(|(k, r, n)| vec![Cell::from(k.clone()), Cell::from(r.clone()), num(*n)])
            .collect(),
        note: String::new(),
        widths: Vec::new(),
    };
    let mut tables = vec![files, reasons];
    if !inputs.quality.not_collected.is_empty() {
        tables.push(Table {
            title: w
                .pick(
                    "Pertanyaan yang tidak ada di berkas",
                    "Questions a file does not ask",
                )
                .into(),
            columns: header(&[
                w.pick("Berkas", "File"),
                w.pick("Jawaban", "Answers"),
                w.pick("Tidak dikumpulkan", "Not collected"),
            ]),
            align: vec!["left", "right", "left"],
            rows: inputs
                .quality
                .not_collected
                .iter()
                .map(|n| {
                    let name = std::path::Path::new(&n.file)
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_else(|| n.file.clone());
                    vec![
                        Cell::from(name),
                        num(n.answers as i64),
                        Cell::from(n.field_labels(w.lang)),
                    ]
                })
                .collect(),
            note: w
                .pick(
                    "Berkas ini tidak memuat kolom untuk pertanyaan tersebut, sehingga jawabannya tidak dinilai kosong; indikator yang memerlukannya dihitung dari berkas lain saja.",
                    "These files have no column for these questions, so their answers are not judged missing; the indicators that need them are computed from the other files only.",
                )
                .into(),
            widths: Vec::new(),
        });
    }
    tables
}

/// The national quarterly report.
pub fn national(inputs: &Inputs, lang: Lang) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let provinces: Vec<(String, String)> = inputs
        .db
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    let incubators: Vec<(String, String)> = inputs
        .db
        .incubators
        .iter()
        .map(|i| (i.id.clone(), i.name.clone()))
        .collect();
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let mut add = |name: &str, caption: String, svg: Option<String>| {
        if let Some(svg) = svg {
            charts.push((name.to_string(), svg));
            refs.push(ChartRef {
                name: name.to_string(),
                caption,
            });
        }
    };
    add(
        "income",
        w.pick(
            "Pendapatan bersih usaha sebelum dan sesudah pendampingan, per provinsi",
            "Net business income before and after incubation, by province",
        )
        .into(),
        income_chart(
            inputs,
            &w,
            "province",
            &provinces,
            period,
            w.pick(
                "Pendapatan bersih usaha rata-rata (Rp/bulan)",
                "Mean net business income (Rp/month)",
            ),
            (charts::WIDTH, charts::MAX_HEIGHT),
        )?,
    );
    add(
        "targets",
        w.pick(
            "Capaian indikator nasional terhadap target",
            "National indicators against their targets",
        )
        .into(),
        target_chart(inputs, &w, period)?,
    );
    add(
        "savings",
        w.pick(
            "Kebiasaan menabung per provinsi di setiap putaran survei",
            "Saving habit by province in each survey round",
        )
        .into(),
        province_savings_chart(inputs, &w, &provinces)?,
    );
    add(
        "jobs",
        w.pick(
            "Lapangan kerja tercipta per klaster",
            "Jobs created by cluster",
        )
        .into(),
        jobs_chart(inputs, &w, period)?,
    );
    add(
        "response",
        w.pick(
            "Respons dan atrisi per putaran survei",
            "Response and attrition by survey round",
        )
        .into(),
        response_chart(inputs, &w)?,
    );
    let title = w.pick(
        "Laporan Triwulanan Monitoring dan Evaluasi ProKUS",
        "ProKUS Monitoring and Evaluation Quarterly Report",
    );
    let subtitle = w.pick(
        "Program Kewirausahaan Sosial · Nasional",
        "Social Entrepreneurship Programme · National",
    );
    let mut annex = quality_annex(inputs, &w);
    annex.push(methods_annex(inputs, &w));
    let (impact, impact_sentence) = impact_section(inputs, &w);
    let mut summary = summary(
        inputs,
        &w,
        "national",
        "ID",
        w.pick("ProKUS", "the programme"),
        period,
    );
    summary.extend(impact_sentence);
    Ok(Built {
        payload: Payload {
            meta: meta(inputs, &w, title.into(), subtitle.into()),
            headings: headings(&w),
            summary,
            kpis: HEADLINE_KPIS
                .iter()
                .filter_map(|id| kpi(inputs, &w, id, period, "national", "ID", None))
                .collect(),
            tables: vec![
                indicator_table(
                    inputs,
                    &w,
                    "national",
                    "ID",
                    period,
                    if inputs.settings.has_targets() {
                        w.pick(
                            "Indikator nasional terhadap target",
                            "National indicators against targets",
                        )
                    } else {
                        w.pick("Indikator nasional", "National indicators")
                    }
                    .into(),
                ),
                group_table(
                    inputs,
                    &w,
                    "province",
                    &provinces,
                    period,
                    w.pick("Per provinsi", "By province").into(),
                ),
                group_table(
                    inputs,
                    &w,
                    "incubator",
                    &incubators,
                    period,
                    w.pick("Per inkubator", "By incubator").into(),
                ),
            ],
            charts: refs,
            annex,
            impact,
        },
        charts,
        files: Vec::new(),
    })
}

/// A table's column headers.
fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// An effect per KPM in the indicator's unit: a share's in points.
fn effect(w: &Words, i: &Indicator, v: f64) -> String {
    match (i.unit, i.aggregation) {
        (_, prokus_metrics::Aggregation::Share) => w.change(i, Some(100.0 * v)),
        (Unit::Rp, _) => w.change(i, Some(v)),
        _ => format::signed(v, 2, w.lang, ""),
    }
}

/// An interval's end, as [`effect`] without sign or unit.
fn effect_bound(w: &Words, i: &Indicator, v: f64) -> String {
    match (i.unit, i.aggregation) {
        (_, prokus_metrics::Aggregation::Share) => format::number(100.0 * v, i.decimals, w.lang),
        (Unit::Rp, _) => format::number(v, 0, w.lang),
        _ => format::number(v, 2, w.lang),
    }
}

/// The impact section of the national report: per outcome, the difference
/// in differences and ANCOVA with their 95% intervals (standard errors
/// clustered by household), and a sentence for the summary on net business
/// income. A cell is coloured when its interval leaves out zero: green the
/// good way, red the other.
fn impact_section(inputs: &Inputs, w: &Words) -> (Vec<Table>, Option<String>) {
    use prokus_metrics::impact::Estimator;
    use prokus_metrics::ols::SeType;
    let find = |id: &str, estimator: Estimator| {
        inputs
            .impact
            .iter()
            .find(|r| r.indicator_id == id && r.estimator == estimator && r.se_type == SeType::Cr1)
    };
    let cells = |i: &Indicator, r: Option<&prokus_metrics::impact::ImpactRow>| match r {
        None => [Cell::from("–".to_string()), Cell::from("–".to_string())],
        Some(r) => {
            let c = &r.coefficient;
            let higher = i.direction == prokus_metrics::Direction::Higher;
            let status = if c.ci_low > 0.0 {
                Some(if higher { "on_track" } else { "off_track" })
            } else if c.ci_high < 0.0 {
                Some(if higher { "off_track" } else { "on_track" })
            } else {
                None
            };
            let bound = |v: f64| effect_bound(w, i, v);
            [
                Cell {
                    text: effect(w, i, c.estimate),
                    status: status.map(str::to_string),
                },
                Cell::from(format!("{} – {}", bound(c.ci_low), bound(c.ci_high))),
            ]
        }
    };
    let mut rows = Vec::new();
    for i in &inputs.catalog.indicators {
        let did = find(&i.id, Estimator::DifferenceInDifferences);
        let ancova = find(&i.id, Estimator::Ancova);
        let Some(n) = did.or(ancova) else { continue };
        let mut row = vec![Cell::from(w.label(i).to_string())];
        row.extend(cells(i, did));
        row.extend(cells(i, ancova));
        row.push(Cell::from(format!(
            "{} / {}",
            format::number(n.n_treated as f64, 0, w.lang),
            format::number(n.n_comparison as f64, 0, w.lang)
        )));
        rows.push(row);
    }
    if rows.is_empty() {
        return (Vec::new(), None);
    }
    let sentence = inputs.catalog.get("business_income").and_then(|i| {
        let c = &find(&i.id, Estimator::DifferenceInDifferences)?.coefficient;
        let bound = |v: f64| format::rupiah(v, w.lang);
        Some(match w.lang {
            Lang::Id => format!(
                "Dibanding kelompok pembanding, pendapatan bersih usaha KPM ProKUS berubah {} per bulan lebih banyak (selisih dalam selisih; IK 95% {} – {}).",
                effect(w, i, c.estimate),
                bound(c.ci_low),
                bound(c.ci_high)
            ),
            Lang::En => format!(
                "Against the comparison group, ProKUS households' net business income changed by {} a month more (difference in differences; 95% CI {} – {}).",
                effect(w, i, c.estimate),
                bound(c.ci_low),
                bound(c.ci_high)
            ),
        })
    });
    let table = Table {
        title: w
            .pick(
                "Dampak dibanding kelompok pembanding (per KPM)",
                "Impact against the comparison group (per household)",
            )
            .into(),
        columns: header(&[
            w.pick("Indikator", "Indicator"),
            w.pick("Selisih dalam selisih", "Difference in differences"),
            w.pick("IK 95%", "95% CI"),
            "ANCOVA",
            w.pick("IK 95%", "95% CI"),
            w.pick("KPM ProKUS / pembanding", "ProKUS / comparison households"),
        ]),
        align: vec!["left", "right", "right", "right", "right", "right"],
        rows,
        note: w
            .pick(
                "Selisih dalam selisih: perubahan KPM ProKUS sejak survei awal dikurangi perubahan kelompok pembanding. ANCOVA: nilai akhir menurut kelompok, dengan nilai awal sebagai kovariat. KPM yang disurvei pada survei awal dan akhir; galat baku dikelompokkan per KPM (CR1). Berwarna: interval tidak memuat nol (hijau ke arah yang baik). Semua estimator dan galat baku: prokus impact.",
                "Difference in differences: the change of ProKUS households since the baseline minus the comparison group's. ANCOVA: the endline value by group, with the baseline value as covariate. Households surveyed at the baseline and the endline; standard errors clustered by household (CR1). Coloured: the interval leaves out zero (green the good way). Every estimator and standard error: prokus impact.",
            )
            .into(),
        widths: vec![2.3, 1.5, 1.6, 1.5, 1.6, 1.1],
    };
    (vec![table], sentence)
}

/// The Kasubdit's dashboard: KPI tiles with the change since the quarter
/// before, income by province, the strongest and weakest incubators, and
/// small multiples of the provinces on a second page.
pub fn dashboard(inputs: &Inputs, lang: Lang) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let provinces: Vec<(String, String)> = inputs
        .db
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    if let Some(svg) = income_chart(
        inputs,
        &w,
        "province",
        &provinces,
        period,
        w.pick(
            "Pendapatan bersih usaha rata-rata (Rp/bulan)",
            "Mean net business income (Rp/month)",
        ),
        (560, 500),
    )? {
        charts.push(("income".to_string(), svg));
        refs.push(ChartRef {
            name: "income".into(),
            caption: w
                .pick("Pendapatan per provinsi", "Income by province")
                .into(),
        });
    }
    if let Some(svg) = province_savings_chart(inputs, &w, &provinces)? {
        charts.push(("provinces".to_string(), svg));
        refs.push(ChartRef {
            name: "provinces".into(),
            caption: w
                .pick(
                    "Kebiasaan menabung per provinsi di setiap putaran survei",
                    "Saving habit by province in each survey round",
                )
                .into(),
        });
    }
    // Strongest and weakest incubators by income change.
    let mut ranked: Vec<(&IncubatorInfo, f64, &IndicatorRow)> = inputs
        .db
        .incubators
        .iter()
        .filter_map(|i| {
            inputs
                .row("business_income_change_pct", period, "incubator", &i.id)
                .filter(|r| !r.suppressed)
                .and_then(|r| Some((i, r.value?, r)))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let pct = inputs.catalog.get("business_income_change_pct");
    let line = |(i, _, r): &(&IncubatorInfo, f64, &IndicatorRow)| {
        vec![
            Cell::from(i.name.clone()),
            Cell::from(i.province_name.clone()),
            Cell::from(format::number(r.n as f64, 0, lang)),
            Cell {
                text: pct.map(|c| w.value(c, r.value)).unwrap_or_default(),
                status: r.status.clone(),
            },
        ]
    };
    let mut rows: Vec<Vec<Cell>> = ranked.iter().take(3).map(line).collect();
    rows.extend(ranked.iter().rev().take(3).rev().map(line));
    let table = Table {
        title: w
            .pick(
                "Inkubator terkuat dan terlemah (kenaikan pendapatan usaha)",
                "Strongest and weakest incubators (business income change)",
            )
            .into(),
        columns: header(&[
            w.pick("Inkubator", "Incubator"),
            w.pick("Provinsi", "Province"),
            "n",
            w.pick("Kenaikan", "Change"),
        ]),
        align: vec!["left", "left", "right", "right"],
        rows,
        note: w
            .pick(
                "Tiga teratas dan tiga terbawah dari semua inkubator.",
                "Top three and bottom three of all incubators.",
            )
            .into(),
        widths: Vec::new(),
    };
    Ok(Built {
        payload: Payload {
            meta: meta(
                inputs,
                &w,
                w.pick("Dasbor Capaian ProKUS", "ProKUS Outcome Dashboard")
                    .into(),
                w.pick(
                    "Untuk Kasubdit · Nasional",
                    "For the Sub-directorate head · National",
                )
                .into(),
            ),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                "national",
                "ID",
                w.pick("ProKUS", "the programme"),
                period,
            ),
            kpis: DASHBOARD_KPIS
                .iter()
                .filter_map(|id| {
                    let mut tile = kpi(inputs, &w, id, period, "national", "ID", None)?;
                    tile.trend = quarter_trend(inputs, &w, id).unwrap_or_default();
                    Some(tile)
                })
                .collect(),
            tables: vec![table],
            charts: refs,
            annex: Vec::new(),
            impact: Vec::new(),
        },
        charts,
        files: Vec::new(),
    })
}

/// The report of one province, for the provincial Dinas Sosial.
pub fn province(inputs: &Inputs, lang: Lang, code: &str) -> Result<Built, ReportError> {
    area(inputs, lang, "province", code)
}

/// The report of one regency (kabupaten/kota), for its Dinas Sosial: the
/// province report one level down, with its kecamatan.
pub fn regency(inputs: &Inputs, lang: Lang, code: &str) -> Result<Built, ReportError> {
    area(inputs, lang, "regency", code)
}

/// A report scoped to one area: a province (with its regencies and
/// incubators) or a regency (with its districts).
fn area(inputs: &Inputs, lang: Lang, level: &str, code: &str) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let name = match level {
        "province" => inputs
            .db
            .provinces
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.name.clone()),
        _ => inputs
            .db
            .regencies
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.clone()),
    }
    .ok_or_else(|| ReportError::UnknownScope(code.to_string()))?;
    let sub_level = if level == "province" {
        "regency"
    } else {
        "district"
    };
    let prefix = format!("{code}.");
    let sub_areas: Vec<(String, String)> = inputs
        .groups
        .get(sub_level)
        .map(|list| {
            list.iter()
                .filter(|(code, _)| code.starts_with(&prefix))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    // Incubator figures cover all their KPM, so they belong to a province report only.
    let incubators: Vec<(String, String)> = if level == "province" {
        inputs
            .db
            .incubators
            .iter()
            .filter(|i| i.province_code == code)
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let (bars_level, bars, bars_title, bars_caption) = if level == "province" {
        (
            "incubator",
            &incubators,
            w.pick(
                "Pendapatan bersih usaha rata-rata per inkubator (Rp/bulan)",
                "Mean net business income by incubator (Rp/month)",
            ),
            w.pick(
                "Pendapatan sebelum dan sesudah, per inkubator",
                "Income before and after, by incubator",
            ),
        )
    } else {
        (
            "district",
            &sub_areas,
            w.pick(
                "Pendapatan bersih usaha rata-rata per kecamatan (Rp/bulan)",
                "Mean net business income by district (Rp/month)",
            ),
            w.pick(
                "Pendapatan sebelum dan sesudah, per kecamatan (n ≥ 5)",
                "Income before and after, by district (n ≥ 5)",
            ),
        )
    };
    if let Some(svg) = income_chart(
        inputs,
        &w,
        bars_level,
        bars,
        period,
        bars_title,
        (charts::WIDTH, charts::MAX_HEIGHT),
    )? {
        charts.push(("income".into(), svg));
        refs.push(ChartRef {
            name: "income".into(),
            caption: bars_caption.into(),
        });
    }
    let mut scopes = vec![(name.clone(), level, code)];
    let province_code = code.split('.').next().unwrap_or(code);
    if level == "regency" {
        let province = inputs
            .db
            .provinces
            .iter()
            .find(|p| p.code == province_code)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        scopes.push((province, "province", province_code));
    }
    scopes.push((w.pick("Nasional", "National").to_string(), "national", "ID"));
    if let Some(svg) = wave_chart(
        inputs,
        &w,
        "saves_monthly",
        &scopes,
        w.pick(
            "KPM yang menabung minimal sebulan sekali (%)",
            "KPM saving at least monthly (%)",
        ),
    )? {
        charts.push(("savings".into(), svg));
        refs.push(ChartRef {
            name: "savings".into(),
            caption: w
                .pick(
                    "Kebiasaan menabung dibanding tingkat di atasnya",
                    "Savings habit against the levels above",
                )
                .into(),
        });
    }
    let (title, audience, sub_title) = if level == "province" {
        (
            w.pick("Laporan Provinsi ProKUS", "ProKUS Province Report"),
            w.pick(
                "Untuk Dinas Sosial Provinsi",
                "For the provincial social affairs office",
            ),
            w.pick("Per kabupaten/kota", "By regency"),
        )
    } else {
        (
            w.pick("Laporan Kabupaten/Kota ProKUS", "ProKUS Regency Report"),
            w.pick(
                "Untuk Dinas Sosial Kabupaten/Kota",
                "For the regency social affairs office",
            ),
            w.pick("Per kecamatan", "By district"),
        )
    };
    let mut tables = vec![
        indicator_table(
            inputs,
            &w,
            level,
            code,
            period,
            format!("{} {name}", w.pick("Indikator", "Indicators")),
        ),
        group_table(inputs, &w, sub_level, &sub_areas, period, sub_title.into()),
    ];
    if !incubators.is_empty() {
        tables.push(group_table(
            inputs,
            &w,
            "incubator",
            &incubators,
            period,
            w.pick("Per inkubator", "By incubator").into(),
        ));
    }
    // The methods annex, the same for every area, is printed in the province
    // reports (38) and not again in each of the 514 regency reports, where it
    // took two of five pages and a third of the time.
    let annex = if level == "province" {
        vec![methods_annex(inputs, &w)]
    } else {
        let note = &mut tables[0].note;
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(w.pick(
            "Definisi dan cara hitung setiap indikator: lampiran laporan provinsi dan laporan nasional.",
            "Each indicator's definition and method: the annex of the province and national reports.",
        ));
        Vec::new()
    };
    Ok(Built {
        payload: Payload {
            meta: meta(inputs, &w, format!("{title} · {name}"), audience.into()),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                level,
                code,
                &match lang {
                    Lang::Id => format!("di {name}"),
                    Lang::En => name.clone(),
                },
                period,
            ),
            kpis: HEADLINE_KPIS
                .iter()
                .filter_map(|id| {
                    kpi(
                        inputs,
                        &w,
                        id,
                        period,
                        level,
                        code,
                        Some(("national", "ID")),
                    )
                })
                .collect(),
            tables,
            charts: refs,
            annex,
            impact: Vec::new(),
        },
        charts,
        files: Vec::new(),
    })
}

/// Completeness and timeliness of one incubator's KPM, wave by wave, from
/// the data-quality checks (against the survey calendar).
fn completeness_table(quality: &QualityReport, w: &Words, has_schedule: bool) -> Table {
    let lang = w.lang;
    let pct = |v: Option<f64>| {
        v.map(|v| format::percent(v, 1, lang))
            .unwrap_or_else(|| "–".into())
    };
    let count = |v: Option<u64>| {
        v.map(|v| format::number(v as f64, 0, lang))
            .unwrap_or_else(|| "–".into())
    };
    let mut table = Table {
        title: w
            .pick("Kelengkapan dan ketepatan waktu data", "Data completeness and timeliness")
            .into(),
        columns: header(&[
            w.pick("Putaran", "Round"),
            w.pick("Batas kirim", "Deadline"),
            w.pick("Diharapkan", "Expected"),
            w.pick("Menjawab", "Answered"),
            w.pick("Lengkap", "Complete"),
            w.pick("Terlambat", "Late"),
            w.pick("Tepat waktu", "On time"),
        ]),
        align: vec!["left", "left", "right", "right", "right", "right", "right"],
        rows: quality
            .completeness
            .iter()
            .map(|c| {
                vec![
                    Cell::from(w.wave(&c.wave)),
                    Cell::from(
                        c.window
                            .map(|(_, closes)| format::date(closes, lang))
                            .unwrap_or_else(|| "–".into()),
                    ),
                    Cell::from(count(c.expected)),
                    Cell::from(format::number(c.responded as f64, 0, lang)),
                    Cell::from(pct(c.completeness_pct())),
                    Cell::from(count(c.window.map(|_| c.late))),
                    Cell::from(pct(c.timeliness_pct())),
                ]
            })
            .collect(),
        note: if has_schedule {
            w.pick(
                "Diharapkan: KPM yang dijadwalkan disurvei pada putaran itu. Tepat waktu: dikirim paling lambat pada batas kirim (WIB). KPM yang belum menjawab perlu ditindaklanjuti bersama pendamping PKH dan TKSK.",
                "Expected: KPM scheduled to be surveyed in the round. On time: sent by the deadline (WIB). KPM who have not answered need follow-up with PKH facilitators and TKSK.",
            )
        } else {
            w.no_schedule()
        }
        .into(),
        widths: Vec::new(),
    };
    if !has_schedule {
        // Without a calendar only the answers can be counted: keep the
        // round and the answers.
        let keep = [0, 3];
        let pick = |row: &Vec<Cell>| keep.iter().map(|&k| row[k].clone()).collect::<Vec<_>>();
        table.columns = keep.iter().map(|&k| table.columns[k].clone()).collect();
        table.align = keep.iter().map(|&k| table.align[k]).collect();
        table.rows = table.rows.iter().map(pick).collect();
        table.title = w
            .pick("Jawaban per putaran survei", "Answers per survey round")
            .into();
    }
    table
}

/// Findings listed in an incubator's report; the rest are in its workbook.
const FINDING_ROWS: usize = 25;

/// The incubator's data to fix: every finding of the checks but the missing
/// and late answers (counted in the completeness table), errors first.
fn data_to_fix(quality: &QualityReport, w: &Words, id: &str) -> [Table; 2] {
    let lang = w.lang;
    let mut listed: Vec<&prokus_metrics::quality::Finding> = quality
        .findings
        .iter()
        .filter(|f| !matches!(f.detail.check(), Check::NoResponse | Check::Late))
        .collect();
    listed.sort_by_key(|f| (f.detail.check().severity() != "error", f.detail.check()));
    // The findings shown in the list, each worded once.
    let describe = |f: &prokus_metrics::quality::Finding| quality.describe(f, lang, Some(id));
    let shown: Vec<(String, String)> = listed
        .iter()
        .take(FINDING_ROWS)
        .map(|f| describe(f))
        .collect();
    // What to do, once per kind of finding (errors first), with how many
    // there are: the list below then needs no column repeating it. A kind's
    // actions are those of its first FINDING_ROWS findings, worded above
    // when they are shown.
    let mut kinds: Vec<Vec<Cell>> = Vec::new();
    let mut at = 0;
    for group in listed.chunk_by(|a, b| a.detail.check() == b.detail.check()) {
        let mut actions: Vec<String> = Vec::new();
        for (i, f) in group.iter().enumerate().take(FINDING_ROWS) {
            let action = match shown.get(at + i) {
                Some((_, action)) => action.clone(),
                None => describe(f).1,
            };
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
        kinds.push(vec![
            Cell::from(format::capitalized(group[0].detail.check().label(lang))),
            Cell::from(format::number(group.len() as f64, 0, lang)),
            Cell::from(actions.join("; ")),
        ]);
        at += group.len();
    }
    let summary = Table {
        title: w.pick("Data yang perlu diperbaiki", "Data to fix").into(),
        columns: header(&[
            w.pick("Temuan", "Finding"),
            w.pick("Jumlah", "Count"),
            w.pick("Yang perlu dilakukan", "What to do"),
        ]),
        align: vec!["left", "right", "left"],
        rows: kinds,
        note: if listed.is_empty() {
            w.pick(
                "Tidak ada temuan pemeriksaan data untuk KPM binaan inkubator ini.",
                "The data checks found nothing to fix for this incubator's KPM.",
            )
            .to_string()
        } else {
            String::new()
        },
        widths: vec![1.6, 0.6, 3.8],
    };
    let mut note = String::new();
    if listed.len() > FINDING_ROWS {
        note = match lang {
            Lang::Id => format!(
                "Ditampilkan {FINDING_ROWS} dari {}, galat lebih dulu; daftar lengkap ada di berkas pemeriksaan data inkubator ini (prokus check --per-incubator).",
                format::number(listed.len() as f64, 0, lang)
            ),
            Lang::En => format!(
                "{FINDING_ROWS} of {} are shown, errors first; the full list is in this incubator's data-check workbook (prokus check --per-incubator).",
                format::number(listed.len() as f64, 0, lang)
            ),
        };
    }
    let findings = Table {
        title: w.pick("Temuan per KPM", "Findings by KPM").into(),
        columns: header(&[
            w.pick("ID KPM", "KPM id"),
            w.pick("Putaran", "Round"),
            w.pick("Masalah", "Problem"),
        ]),
        align: vec!["left", "left", "left"],
        rows: listed
            .iter()
            .zip(shown)
            .map(|(f, (problem, _))| {
                vec![
                    Cell::from(f.kpm_id.clone()),
                    Cell::from(f.wave.as_deref().map(|x| w.wave(x)).unwrap_or_default()),
                    Cell::from(problem),
                ]
            })
            .collect(),
        note,
        widths: vec![1.1, 0.9, 4.6],
    };
    [summary, findings]
}

/// The survey windows still to come after the data's date: the next
/// reporting dates.
fn next_dates(inputs: &Inputs, w: &Words) -> Table {
    let lang = w.lang;
    let after = inputs.quality.as_of;
    let upcoming: Vec<_> = inputs
        .settings
        .schedule
        .upcoming(after)
        .into_iter()
        .filter(|x| {
            x.arms
                .as_ref()
                .is_none_or(|a| a.iter().any(|a| a == "prokus"))
        })
        .collect();
    Table {
        title: w
            .pick("Jadwal pelaporan berikutnya", "Next reporting dates")
            .into(),
        columns: header(&[
            w.pick("Putaran", "Round"),
            w.pick("Survei dibuka", "Survey opens"),
            w.pick("Batas kirim", "Deadline"),
        ]),
        align: vec!["left", "left", "left"],
        rows: upcoming
            .iter()
            .map(|x| {
                vec![
                    Cell::from(w.wave(&x.wave)),
                    Cell::from(format::date(x.opens, lang)),
                    Cell::from(format::date(x.closes, lang)),
                ]
            })
            .collect(),
        note: if inputs.settings.schedule.is_empty() {
            w.no_schedule().into()
        } else if upcoming.is_empty() {
            w.pick(
                "Kalender survei tidak memuat putaran berikutnya.",
                "The survey calendar has no further round.",
            )
            .into()
        } else {
            format!(
                "{} {}.",
                w.pick(
                    "Menurut kalender survei, sejak data terakhir tanggal",
                    "From the survey calendar, after the latest data of"
                ),
                format::date(after, lang)
            )
        },
        widths: Vec::new(),
    }
}

/// The most urgent KPM listed in an incubator's report (a large incubator
/// can have a thousand who need attention); every one of them is in the
/// workbook written beside the PDF ([`attention_file`]).
const ATTENTION_ROWS: usize = 25;

/// A KPM of the incubator and why it needs attention.
struct Attention {
    kpm_id: String,
    business: String,
    nik: String,
    reasons: Vec<String>,
    income_baseline: Option<f64>,
    income_endline: Option<f64>,
}

/// The name of the file beside an incubator's PDF that lists every one of
/// its KPM who need attention.
pub fn attention_file(id: &str, lang: Lang) -> String {
    format!(
        "{}-{}.xlsx",
        prokus_ingest::file_stem(id),
        attention_suffix(lang)
    )
}

/// What [`attention_file`] puts after the incubator's id.
pub fn attention_suffix(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "perhatian",
        Lang::En => "attention",
    }
}

/// Every KPM of the incubator who needs attention, most urgent first, as a
/// workbook a mentor can filter ([`prokus_metrics::quality::workbook`]):
/// masked NIK, reasons, and the business income at baseline and endline
/// (rupiah a month) as numbers.
fn attention_xlsx(attention: &[Attention], w: &Words) -> Result<Vec<u8>, ReportError> {
    use prokus_metrics::quality::Cell as Out;
    let money = |v: Option<f64>| v.map_or(Out::Empty, Out::Number);
    let rows = attention
        .iter()
        .map(|a| {
            vec![
                Out::Text(a.kpm_id.clone()),
                Out::Text(a.business.clone()),
                Out::Text(a.nik.clone()),
                Out::Text(a.reasons.join("; ")),
                money(a.income_baseline),
                money(a.income_endline),
            ]
        })
        .collect();
    let headers = vec![
        w.pick("ID KPM", "KPM id"),
        w.pick("Usaha", "Business"),
        w.pick("NIK (tersamar)", "NIK (masked)"),
        w.pick("Alasan", "Reasons"),
        w.pick(
            "Pendapatan usaha awal (Rp/bulan)",
            "Business income, baseline (Rp/month)",
        ),
        w.pick(
            "Pendapatan usaha akhir (Rp/bulan)",
            "Business income, endline (Rp/month)",
        ),
    ];
    Ok(prokus_metrics::quality::workbook(vec![(
        w.pick("Perlu perhatian", "Need attention"),
        headers,
        rows,
        &[14, 30, 19, 50, 20, 20],
    )])?)
}

/// The feedback report of one incubator: only its own KPM.
pub fn incubator(inputs: &Inputs, lang: Lang, id: &str) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let info = inputs
        .db
        .incubators
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ReportError::UnknownScope(id.to_string()))?;
    let own = inputs
        .db
        .kpm_by_incubator
        .get(id)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut attention = Vec::new();
    for k in own {
        let mut reasons = Vec::new();
        if !k.waves.split(' ').any(|wv| wv == period) {
            reasons.push(format!(
                "{} {}",
                w.pick("belum menjawab survei", "has not answered the"),
                w.wave(period).to_lowercase()
            ));
        }
        if k.operating == Some(false) {
            reasons.push(w.pick("usaha tutup", "business closed").into());
        }
        if let (Some(a), Some(b)) = (k.income_baseline, k.income_endline)
            && a > 0.0
            && b < 0.8 * a
        {
            reasons.push(format!(
                "{} {}",
                w.pick("pendapatan turun", "income fell"),
                format::percent(100.0 * (a - b) / a, 0, lang)
            ));
        }
        let saves_monthly = k.saves == Some(true)
            && matches!(k.frequency.as_deref(), Some("daily" | "weekly" | "monthly"));
        if k.saves.is_some() && !saves_monthly {
            reasons.push(
                w.pick("belum menabung rutin", "not saving regularly")
                    .into(),
            );
        }
        if !reasons.is_empty() {
            attention.push(Attention {
                kpm_id: k.kpm_id.clone(),
                business: k.business.clone(),
                nik: k.nik_masked.clone(),
                reasons,
                income_baseline: k.income_baseline,
                income_endline: k.income_endline,
            });
        }
    }
    // Closed businesses and falling incomes first.
    attention.sort_by(|a, b| (b.reasons.len(), &a.kpm_id).cmp(&(a.reasons.len(), &b.kpm_id)));
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let scopes = [
        (info.name.clone(), "incubator", id),
        (w.pick("Nasional", "National").to_string(), "national", "ID"),
    ];
    if let Some(svg) = wave_chart(
        inputs,
        &w,
        "saves_monthly",
        &scopes,
        w.pick(
            "KPM yang menabung minimal sebulan sekali (%)",
            "KPM saving at least monthly (%)",
        ),
    )? {
        charts.push(("savings".into(), svg));
        refs.push(ChartRef {
            name: "savings".into(),
            caption: w
                .pick(
                    "Kebiasaan menabung: inkubator dan nasional",
                    "Savings habit: incubator and nation",
                )
                .into(),
        });
    }
    if let (Some(mine), Some(national)) = (
        inputs.row("business_income", period, "incubator", id),
        inputs.row("business_income", period, "national", "ID"),
    ) && !mine.suppressed
    {
        let cats = vec![
            info.name.clone(),
            w.pick("Nasional", "National").to_string(),
        ];
        let series = vec![
            Series {
                label: w.pick("Survei awal", "Baseline").into(),
                values: vec![mine.baseline_value, national.baseline_value],
            },
            Series {
                label: w.wave(period),
                values: vec![mine.value, national.value],
            },
        ];
        let svg = charts::grouped_hbars(
            w.pick(
                "Pendapatan bersih usaha rata-rata (Rp/bulan)",
                "Mean net business income (Rp/month)",
            ),
            &chart_note(&w, mine.n, ""),
            &cats,
            &series,
            &|v| short_rupiah(v, lang),
            charts::WIDTH,
            charts::MAX_HEIGHT,
        )?;
        charts.push(("income".into(), svg));
        refs.push(ChartRef {
            name: "income".into(),
            caption: w
                .pick(
                    "Pendapatan: inkubator dan nasional",
                    "Income: incubator and nation",
                )
                .into(),
        });
    }
    // Rank among incubators on each indicator (1 = best).
    let rank = |ind: &Indicator| -> String {
        let mut values: Vec<(String, f64)> = inputs
            .db
            .incubators
            .iter()
            .filter_map(|i| {
                Some((
                    i.id.clone(),
                    inputs
                        .row(&ind.id, period, "incubator", &i.id)
                        .filter(|r| !r.suppressed)?
                        .value?,
                ))
            })
            .collect();
        values.sort_by(|a, b| match ind.direction {
            prokus_metrics::Direction::Higher => b.1.total_cmp(&a.1),
            prokus_metrics::Direction::Lower => a.1.total_cmp(&b.1),
        });
        values
            .iter()
            .position(|(i, _)| i == id)
            .map(|p| format!("{}/{}", p + 1, values.len()))
            .unwrap_or_else(|| "–".into())
    };
    // Without targets there is no status column.
    let targets = inputs.settings.has_targets();
    let mut compare_rows = Vec::new();
    for ind in &inputs.catalog.indicators {
        let (Some(mine), Some(national)) = (
            inputs.row(&ind.id, period, "incubator", id),
            inputs.row(&ind.id, period, "national", "ID"),
        ) else {
            continue;
        };
        compare_rows.push(vec![
            Cell::from(w.label(ind).to_string()),
            Cell::from(format::number(mine.n as f64, 0, lang)),
            Cell::from(if mine.suppressed {
                w.suppressed()
            } else {
                w.value(ind, mine.value)
            }),
            Cell::from(w.value(ind, national.value)),
            Cell::from(rank(ind)),
        ]);
        if targets {
            compare_rows.last_mut().expect("just pushed").push(Cell {
                text: w.status(mine.status.as_deref()),
                status: mine.status.clone(),
            });
        }
    }
    let mut compare_columns = header(&[
        w.pick("Indikator", "Indicator"),
        "n",
        w.pick("Inkubator", "Incubator"),
        w.pick("Nasional", "National"),
        w.pick("Peringkat", "Rank"),
        "Status",
    ]);
    let mut compare_align = vec!["left", "right", "right", "right", "right", "left"];
    if !targets {
        compare_columns.pop();
        compare_align.pop();
    }
    let compare = Table {
        title: w
            .pick(
                "Capaian KPM binaan dibanding nasional",
                "Your KPM's outcomes against the national picture",
            )
            .into(),
        columns: compare_columns,
        align: compare_align,
        rows: compare_rows,
        note: format!(
            "{} {} {}.",
            w.pick("Peringkat di antara", "Rank among"),
            inputs.db.incubators.len(),
            w.pick("inkubator (1 = terbaik)", "incubators (1 = best)")
        ),
        widths: Vec::new(),
    };
    let attention_file = attention_file(id, lang);
    let attention_table = Table {
        title: w
            .pick("KPM yang perlu perhatian", "KPM who need attention")
            .into(),
        columns: header(&[
            w.pick("ID KPM", "KPM id"),
            w.pick("Usaha", "Business"),
            "NIK",
            w.pick("Alasan", "Reasons"),
        ]),
        align: vec!["left", "left", "left", "left"],
        rows: attention
            .iter()
            .take(ATTENTION_ROWS)
            .map(|a| {
                vec![
                    Cell::from(a.kpm_id.clone()),
                    Cell::from(a.business.clone()),
                    Cell::from(a.nik.clone()),
                    Cell::from(a.reasons.join("; ")),
                ]
            })
            .collect(),
        note: {
            let mut note = w
                .pick(
                    "NIK ditampilkan tersamar. Daftar ini hanya memuat KPM binaan inkubator ini.",
                    "NIKs are masked. This list holds only this incubator's KPM.",
                )
                .to_string();
            if attention.len() > ATTENTION_ROWS {
                let n = format::number(attention.len() as f64, 0, lang);
                note.push_str(&match lang {
                    Lang::Id => format!(
                        " Ditampilkan {ATTENTION_ROWS} yang paling mendesak dari {n} KPM yang perlu perhatian."
                    ),
                    Lang::En => format!(
                        " The {ATTENTION_ROWS} most urgent of {n} KPM who need attention are shown."
                    ),
                });
            }
            note.push_str(&match lang {
                Lang::Id => format!(
                    " Daftar lengkap, dengan pendapatan usaha awal dan akhir: berkas Excel {attention_file} di samping PDF ini."
                ),
                Lang::En => format!(
                    " The full list, with business income at baseline and endline: the Excel file {attention_file} beside this PDF."
                ),
            });
            note
        },
        widths: Vec::new(),
    };
    let none;
    let quality = match inputs.quality_by_unit.get(id) {
        Some(own) => own,
        None => {
            none = inputs.quality.for_unit(id);
            &none
        }
    };
    let completeness = completeness_table(quality, &w, inputs.settings.has_schedule());
    let [to_fix, fix_list] = data_to_fix(quality, &w, id);
    let next = next_dates(inputs, &w);
    Ok(Built {
        payload: Payload {
            meta: meta(
                inputs,
                &w,
                format!(
                    "{} · {}",
                    w.pick("Umpan Balik Inkubator", "Incubator Feedback"),
                    info.name
                ),
                format!(
                    "{} · {} · {} KPM",
                    info.university,
                    info.province_name,
                    format::number(info.kpm as f64, 0, lang)
                ),
            ),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                "incubator",
                id,
                w.pick("binaan", "your cohort"),
                period,
            ),
            kpis: INCUBATOR_KPIS
                .iter()
                .filter_map(|k| {
                    kpi(
                        inputs,
                        &w,
                        k,
                        period,
                        "incubator",
                        id,
                        Some(("national", "ID")),
                    )
                })
                .collect(),
            tables: [
                compare,
                attention_table,
                completeness,
                to_fix,
                fix_list,
                next,
            ]
            .into_iter()
            .filter(|t| !t.rows.is_empty() || !t.note.is_empty())
            .collect(),
            charts: refs,
            annex: Vec::new(),
            impact: Vec::new(),
        },
        charts,
        files: vec![Companion {
            name: attention_file,
            lang,
            content: CompanionContent::Attention(attention),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[&str], align: &[&'static str], rows: &[&[&str]]) -> Table {
        Table {
            title: String::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            align: align.to_vec(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| Cell::from(c.to_string())).collect())
                .collect(),
            note: String::new(),
            widths: Vec::new(),
        }
    }

    fn one_line(text: &str) -> f64 {
        crate::world::text_width(text, TABLE_TEXT, false) + CELL_PADDING
    }

    #[test]
    fn columns_fill_the_page_and_numbers_stay_on_one_line() {
        let ci = "Rp\u{a0}1.809.810 – Rp\u{a0}2.803.047";
        let t = table(
            &[
                "Indikator",
                "n",
                "Awal",
                "Akhir",
                "Perubahan",
                "IK 95%",
                "Target",
                "Status",
            ],
            &[
                "left", "right", "right", "right", "right", "right", "right", "left",
            ],
            &[&[
                "Pendapatan bersih usaha rata-rata per bulan (Rp/bulan)",
                "1.842",
                "Rp 1.797.857",
                "Rp 2.306.429",
                "+Rp 508.572",
                ci,
                "20,0%",
                "Di bawah target",
            ]],
        );
        let w = t.column_widths();
        assert!((w.iter().sum::<f64>() - TABLE_WIDTH).abs() < 1e-6, "{w:?}");
        for (c, text) in [
            (1, "1.842"),
            (2, "Rp 1.797.857"),
            (3, "Rp 2.306.429"),
            (4, "+Rp 508.572"),
        ] {
            assert!(w[c] >= one_line(text), "{text} on one line: {w:?}");
        }
        // The interval breaks after its dash, not inside a number.
        assert!(w[5] >= one_line("Rp\u{a0}1.809.810 –"), "{w:?}");
        assert!(w[5] < one_line(ci), "{w:?}");
        // The names of the rows keep a readable width.
        assert!(w[0] >= LABEL_WIDTH, "{w:?}");
    }

    #[test]
    fn a_narrow_table_gives_its_room_to_the_text() {
        let t = table(
            &["Putaran", "n"],
            &["left", "right"],
            &[&["Awal", "12"], &["Monitoring 1", "1.204"]],
        );
        let w = t.column_widths();
        assert!((w.iter().sum::<f64>() - TABLE_WIDTH).abs() < 1e-6);
        assert!(
            (w[1] - one_line("1.204")).abs() < 1.0,
            "the number column is as wide as its text: {w:?}"
        );
        // A table without columns has no widths.
        assert!(table(&[], &[], &[]).column_widths().is_empty());
        // Set widths win.
        let mut set = t.clone();
        set.widths = vec![1.0, 3.0];
        assert_eq!(set.column_widths(), vec![1.0, 3.0]);
    }

    #[test]
    fn rows_that_fit_on_one_line_are_marked_and_rows_that_wrap_are_not() {
        let long = "Pendapatan bersih usaha rata-rata per bulan dari semua usaha keluarga penerima manfaat (Rp/bulan), dihitung dari jawaban terakhir setiap KPM pada setiap putaran survei";
        let mut t = table(
            &["Indikator", "n", "Nilai"],
            &["left", "right", "right"],
            &[
                &["Menabung", "1.204", "57,1%"],
                &[long, "1.204", "Rp 1.797.857"],
                &["Dua\nbaris", "1", "2"],
            ],
        );
        let widths = t.column_widths();
        // The widest number of a column fits too: the columns are as wide
        // as it.
        assert_eq!(t.one_line(&widths), [true, false, false]);
        let mut shorter = t.clone();
        shorter.rows[1][0].text = "Pendapatan usaha".into();
        assert_eq!(shorter.one_line(&widths), [true, true, false]);
        // A status badge needs its padding besides its text: a column just
        // wide enough for the text alone does not hold it.
        t.rows = vec![vec![
            Cell::from("Menabung".to_string()),
            Cell::from("1".to_string()),
            Cell {
                text: "Sesuai target".into(),
                status: Some("on_track".into()),
            },
        ]];
        let fits = one_line("Sesuai target") + 1.0;
        let rest = TABLE_WIDTH - fits;
        assert_eq!(t.one_line(&[rest / 2.0, rest / 2.0, fits]), [false]);
        assert_eq!(
            t.one_line(&[
                rest / 2.0,
                rest / 2.0 - STATUS_PADDING,
                fits + STATUS_PADDING
            ]),
            [true]
        );
        // The serialised table carries the marks beside the widths.
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["one_line"], serde_json::json!([true]));
    }
}
