//! From sufficient statistics (SQL) to the indicator table (polars).

use std::fs::File;
use std::path::Path;

use duckdb::{Connection, params};
use polars::prelude::*;
use serde::Serialize;

use crate::MetricsError;
use crate::catalog::{Aggregation, Catalog};
use crate::stats::{mean_ci, ratio_ci, t_975, wilson};
use crate::targets::Targets;

const KPM_WAVE_SQL: &str = include_str!("../../../queries/metrics/kpm_wave.sql");
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

/// How to compute.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cells with fewer KPM than this are suppressed (no figures shown).
    pub min_cell: u32,
    /// Targets and the at-risk band.
    pub targets: Targets,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_cell: 5,
            targets: Targets::builtin(),
        }
    }
}

/// One line of the indicator table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndicatorRow {
    /// Indicator id.
    pub indicator_id: String,
    /// Wave.
    pub period: String,
    /// national, province, regency, incubator, cluster, category, gender, arm.
    pub level: String,
    /// Code of the group within the level.
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
    /// True when n is below the small-cell threshold.
    pub suppressed: bool,
}

/// The indicator table: one row per indicator, period, level and group.
pub struct IndicatorTable {
    /// The table as a polars frame, columns as in [`CSV_HEADER`].
    pub frame: DataFrame,
}

/// Responses per wave and arm (the latest submission per KPM and wave).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// Computes the whole catalog at every level and wave.
pub fn compute(
    conn: &Connection,
    catalog: &Catalog,
    options: &Options,
) -> Result<IndicatorTable, MetricsError> {
    let responses: i64 = conn.query_row("SELECT count(*) FROM response", [], |r| r.get(0))?;
    if responses == 0 {
        return Err(MetricsError::NoData);
    }
    conn.execute_batch(KPM_WAVE_SQL)?;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE indicator_def (indicator_id VARCHAR, variable VARCHAR)",
    )?;
    let columns: Vec<String> = conn
        .prepare("SELECT column_name FROM (DESCRIBE kpm_wave)")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    {
        let mut app = conn.appender_to_catalog_and_db("indicator_def", "temp", "main")?;
        for i in &catalog.indicators {
            if !columns.contains(&i.variable) || i.variable == "kpm_id" || i.variable == "wave" {
                return Err(MetricsError::Catalog(format!(
                    "indicator `{}` aggregates `{}`, which is not a KPM-level variable ({})",
                    i.id,
                    i.variable,
                    columns[2..].join(", ")
                )));
            }
            app.append_row(params![i.id, i.variable])?;
        }
    }
    let mut stmt = conn.prepare(STATS_SQL)?;
    let frames: Vec<DataFrame> = stmt.query_polars([])?.collect();
    let stats = match frames.into_iter().reduce(|mut a, b| {
        a.vstack_mut(&b)
            .expect("chunks of one query share a schema");
        a
    }) {
        Some(df) => df,
        None => return Err(MetricsError::NoData),
    };
    finish(&stats, catalog, options)
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

/// Applies the aggregation rules, targets and suppression.
fn finish(
    stats: &DataFrame,
    catalog: &Catalog,
    options: &Options,
) -> Result<IndicatorTable, MetricsError> {
    let ids = str_col(stats, "indicator_id")?;
    let periods = str_col(stats, "period")?;
    let levels = str_col(stats, "level")?;
    let codes = str_col(stats, "group_code")?;
    let names = str_col(stats, "group_name")?;
    let n = f64_col(stats, "n")?;
    let [
        mean,
        var,
        total,
        mean0,
        var0,
        total0,
        cov,
        mean_diff,
        var_diff,
    ] = [
        "mean",
        "var",
        "total",
        "mean0",
        "var0",
        "total0",
        "cov",
        "mean_diff",
        "var_diff",
    ]
    .map(|c| f64_col(stats, c));
    let (mean, var, total, mean0, var0, total0, cov, mean_diff, var_diff) = (
        mean?, var?, total?, mean0?, var0?, total0?, cov?, mean_diff?, var_diff?,
    );

    let rows = ids.len();
    let mut out: Vec<IndicatorRow> = Vec::with_capacity(rows);
    for r in 0..rows {
        let Some(indicator) = catalog.get(&ids[r]) else {
            continue;
        };
        let count = n[r].unwrap_or(0.0);
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let is_base = periods[r] == "baseline";
        let (value, base, ci) = match indicator.aggregation {
            Aggregation::Mean => (
                nan(mean[r]),
                mean0[r],
                mean_ci(nan(mean[r]), nan(var[r]), count),
            ),
            Aggregation::Share => {
                let p = nan(mean[r]);
                let (lo, hi) = wilson(p, count);
                (
                    100.0 * p,
                    mean0[r].map(|b| 100.0 * b),
                    (100.0 * lo, 100.0 * hi),
                )
            }
            Aggregation::SumChange if is_base => (f64::NAN, None, (f64::NAN, f64::NAN)),
            Aggregation::SumChange => {
                let total_change = count * nan(mean_diff[r]);
                let half = if count >= 2.0 {
                    t_975(count - 1.0) * (count * nan(var_diff[r])).sqrt()
                } else {
                    f64::NAN
                };
                (
                    total_change,
                    Some(0.0),
                    (total_change - half, total_change + half),
                )
            }
            Aggregation::PctChange if is_base => (f64::NAN, None, (f64::NAN, f64::NAN)),
            Aggregation::PctChange => {
                let ratio = nan(total[r]) / nan(total0[r]);
                let (lo, hi) = ratio_ci(
                    nan(mean[r]),
                    nan(mean0[r]),
                    nan(var[r]),
                    nan(var0[r]),
                    nan(cov[r]),
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
            continue;
        }
        let suppressed = count < f64::from(options.min_cell);
        let target = options
            .targets
            .find(&indicator.id, &periods[r], &levels[r], &codes[r]);
        let round = |v: f64| round_to(v, indicator.decimals);
        let finite = |v: f64| v.is_finite().then(|| round(v));
        let base = if is_base { None } else { base.map(round) };
        let value = round(value);
        let shown = |v: Option<f64>| if suppressed { None } else { v };
        out.push(IndicatorRow {
            indicator_id: indicator.id.clone(),
            period: periods[r].clone(),
            level: levels[r].clone(),
            group_code: codes[r].clone(),
            group_name: names[r].clone(),
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
        });
    }
    IndicatorTable::from_rows(&out)
}

/// Rounds half away from zero to `decimals` digits, as the reports print.
pub(crate) fn round_to(v: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    let r = (v * scale).round() / scale;
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

    /// Writes the CSV whose header is [`CSV_HEADER`].
    pub fn write_csv(&mut self, path: &Path) -> Result<(), MetricsError> {
        self.write_csv_to(create(path)?)
    }

    /// Writes the CSV to any writer (standard output, a buffer).
    pub fn write_csv_to(&mut self, mut w: impl std::io::Write) -> Result<(), MetricsError> {
        CsvWriter::new(&mut w)
            .include_header(true)
            .finish(&mut self.frame)?;
        Ok(())
    }

    /// Writes Parquet (zstd), for analysts' tools.
    pub fn write_parquet(&mut self, path: &Path) -> Result<(), MetricsError> {
        let file = create(path)?;
        ParquetWriter::new(file).finish(&mut self.frame)?;
        Ok(())
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
                sheet.write_string(row, c as u16, text).map_err(err)?;
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
        book.save(path).map_err(err)
    }

    /// Writes a JSON array of rows.
    pub fn write_json(&self, path: &Path) -> Result<(), MetricsError> {
        self.write_json_to(std::io::BufWriter::new(create(path)?))
    }

    /// Writes the JSON array to any writer.
    pub fn write_json_to(&self, w: impl std::io::Write) -> Result<(), MetricsError> {
        serde_json::to_writer_pretty(w, &self.rows()?).map_err(|e| MetricsError::Io {
            path: "<json>".into(),
            source: e.into(),
        })
    }
}

fn create(path: &Path) -> Result<File, MetricsError> {
    File::create(path).map_err(|source| MetricsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Responses per wave and arm, with the number registered, for response and
/// attrition figures.
pub fn wave_counts(conn: &Connection) -> Result<Vec<WaveCount>, MetricsError> {
    let mut stmt = conn.prepare(include_str!("../../../queries/metrics/wave_counts.sql"))?;
    let rows = stmt.query_map([], |r| {
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
mod tests {
    use super::*;

    /// A small programme, ingested the way `prokus ingest` does.
    fn database() -> (tempfile::TempDir, prokus_ingest::Database) {
        let dir = tempfile::tempdir().unwrap();
        let config = prokus_sample::SampleConfig {
            households: 700,
            seed: 11,
            ..Default::default()
        };
        let summary = prokus_sample::write_sample(&config, dir.path()).unwrap();
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
        (dir, db)
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
    fn an_empty_database_says_what_to_do() {
        let db = prokus_ingest::Database::in_memory().unwrap();
        let err = compute(db.connection(), &Catalog::builtin(), &Options::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("prokus ingest"), "{err}");
    }
}
