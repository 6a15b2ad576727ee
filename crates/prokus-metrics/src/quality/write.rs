//! The findings and completeness tables: as rows, CSV (stable column codes)
//! and a workbook (headers in the reader's language) for the M&E team and
//! for each incubator.

use super::words::field_label;
use super::{Check, Detail, Finding, QualityReport};
use crate::MetricsError;
use crate::format::Lang;

/// The columns of the findings table: CSV header (stable codes) and the
/// workbook's headers in each language.
pub const FINDING_COLUMNS: [(&str, &str, &str); 12] = [
    ("unit_id", "Kode unit", "Unit code"),
    ("unit", "Inkubator / unit", "Incubator / unit"),
    ("kpm_id", "ID KPM", "KPM id"),
    ("kpm_name", "Nama KPM", "KPM name"),
    ("wave", "Putaran", "Wave"),
    ("submission_id", "ID kiriman", "Submission id"),
    ("check", "Pemeriksaan", "Check"),
    ("severity", "Tingkat", "Severity"),
    ("field", "Pertanyaan", "Question"),
    ("value", "Jawaban", "Answer"),
    ("problem", "Masalah", "Problem"),
    ("action", "Yang perlu dilakukan", "What to do"),
];

/// The columns of the completeness table, as [`FINDING_COLUMNS`].
pub const COMPLETENESS_COLUMNS: [(&str, &str, &str); 12] = [
    ("unit_id", "Kode unit", "Unit code"),
    ("unit", "Inkubator / unit", "Incubator / unit"),
    ("wave", "Putaran", "Wave"),
    ("opens", "Dibuka", "Opens"),
    ("closes", "Batas", "Closes"),
    ("expected", "KPM diharapkan", "KPM expected"),
    ("responded", "KPM menjawab", "KPM answered"),
    ("completeness_pct", "Kelengkapan (%)", "Completeness (%)"),
    ("on_time", "Tepat waktu", "On time"),
    ("late", "Terlambat", "Late"),
    ("timeliness_pct", "Ketepatan waktu (%)", "Timeliness (%)"),
    ("missing", "Belum menjawab", "Not yet answered"),
];

/// A cell of an output table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => {
                let rounded = (n * 10.0).round() / 10.0;
                format!("{rounded}")
            }
            Cell::Empty => String::new(),
        }
    }
}

fn opt_text(s: Option<&String>) -> Cell {
    s.map_or(Cell::Empty, |s| Cell::Text(s.clone()))
}

/// The rows of an Excel worksheet, its header row included.
const EXCEL_MAX_ROWS: usize = 1_048_576;

impl QualityReport {
    /// The findings table, row by row (see [`FINDING_COLUMNS`]). `labels`
    /// writes waves by their label (`Survei awal`) rather than their code
    /// (`baseline`), for people rather than programs.
    pub fn finding_rows(&self, lang: Lang, scope: Option<&str>, labels: bool) -> Vec<Vec<Cell>> {
        self.findings
            .iter()
            .map(|f| self.finding_row(f, lang, scope, labels))
            .collect()
    }

    /// One finding's row of the findings table ([`QualityReport::finding_rows`]).
    pub fn finding_row(
        &self,
        f: &Finding,
        lang: Lang,
        scope: Option<&str>,
        labels: bool,
    ) -> Vec<Cell> {
        let wave = |w: &String| {
            Cell::Text(if labels {
                self.wave_label(w, lang)
            } else {
                w.clone()
            })
        };
        {
            {
                let (problem, action) = self.describe(f, lang, scope);
                let field = f.field.as_deref().unwrap_or("");
                let value = match (&f.detail, f.value) {
                    (_, Some(v)) => Cell::Number(v),
                    (Detail::SameNik { nik_masked, .. }, None) => opt_text(nik_masked.as_ref()),
                    _ => Cell::Empty,
                };
                vec![
                    Cell::Text(f.unit_id.clone()),
                    Cell::Text(self.unit_name(&f.unit_id, lang)),
                    Cell::Text(f.kpm_id.clone()),
                    opt_text(self.kpm_names.get(&f.kpm_id)),
                    f.wave.as_ref().map_or(Cell::Empty, wave),
                    opt_text(f.submission_id.as_ref()),
                    Cell::Text(if labels {
                        f.detail.check().label(lang).into()
                    } else {
                        f.detail.check().code().into()
                    }),
                    Cell::Text(if labels {
                        severity_label(f.detail.check(), lang).into()
                    } else {
                        f.detail.check().severity().into()
                    }),
                    match (field.is_empty(), labels) {
                        (true, _) => Cell::Empty,
                        (false, true) => Cell::Text(field_label(field, lang)),
                        (false, false) => Cell::Text(field.into()),
                    },
                    value,
                    Cell::Text(problem),
                    Cell::Text(action),
                ]
            }
        }
    }

    /// The completeness table, row by row (see [`COMPLETENESS_COLUMNS`]);
    /// `labels` as for [`QualityReport::finding_rows`].
    pub fn completeness_rows(&self, lang: Lang, labels: bool) -> Vec<Vec<Cell>> {
        let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
        self.completeness
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.unit_id.clone()),
                    Cell::Text(self.unit_name(&c.unit_id, lang)),
                    Cell::Text(if labels {
                        self.wave_label(&c.wave, lang)
                    } else {
                        c.wave.clone()
                    }),
                    c.window
                        .map_or(Cell::Empty, |w| Cell::Text(w.0.to_string())),
                    c.window
                        .map_or(Cell::Empty, |w| Cell::Text(w.1.to_string())),
                    num(c.expected.map(|e| e as f64)),
                    Cell::Number(c.responded as f64),
                    num(c.completeness_pct()),
                    num(c.window.map(|_| c.on_time as f64)),
                    num(c.window.map(|_| c.late as f64)),
                    num(c.timeliness_pct()),
                    num(c.expected.map(|_| c.missing as f64)),
                ]
            })
            .collect()
    }

    /// The findings as CSV (stable English column codes; messages in `lang`).
    pub fn findings_csv(&self, lang: Lang, scope: Option<&str>) -> Result<Vec<u8>, MetricsError> {
        let mut bytes = Vec::new();
        self.write_findings_csv(&mut bytes, lang, scope)?;
        Ok(bytes)
    }

    /// The findings as CSV, written to `out` one finding at a time: a
    /// million findings are never held as text in memory.
    pub fn write_findings_csv(
        &self,
        out: &mut dyn std::io::Write,
        lang: Lang,
        scope: Option<&str>,
    ) -> Result<(), MetricsError> {
        let err = |e: csv::Error| MetricsError::Write(e.to_string());
        let mut w = csv::Writer::from_writer(out);
        w.write_record(FINDING_COLUMNS.map(|c| c.0)).map_err(err)?;
        for f in &self.findings {
            let row = self.finding_row(f, lang, scope, false);
            w.write_record(
                row.iter()
                    .map(|c| prokus_ingest::privacy::csv_cell(&c.text()).into_owned()),
            )
            .map_err(err)?;
        }
        w.flush()
            .map_err(|e| MetricsError::Write(format!("the findings: {e}")))
    }

    /// The completeness table as CSV.
    pub fn completeness_csv(&self, lang: Lang) -> Result<Vec<u8>, MetricsError> {
        csv_bytes(
            COMPLETENESS_COLUMNS.map(|c| c.0).as_slice(),
            &self.completeness_rows(lang, false),
        )
    }

    /// A workbook with two sheets, the findings and the completeness table,
    /// headers in `lang`, frozen and filterable ([`workbook`]).
    pub fn xlsx(&self, lang: Lang, scope: Option<&str>) -> Result<Vec<u8>, MetricsError> {
        // Said before a workbook is built that Excel could not open.
        if self.findings.len() >= EXCEL_MAX_ROWS {
            return Err(MetricsError::Write(format!(
                "{} findings are more than a worksheet holds ({} rows); write them as CSV \
                 (an --output ending in .csv) or one workbook per incubator (--per-incubator DIR)",
                self.findings.len(),
                EXCEL_MAX_ROWS - 1
            )));
        }
        let header = |c: &(&'static str, &'static str, &'static str)| -> &'static str {
            match lang {
                Lang::Id => c.1,
                Lang::En => c.2,
            }
        };
        workbook(
            "check",
            vec![
                (
                    if lang == Lang::Id {
                        "Temuan"
                    } else {
                        "Findings"
                    },
                    FINDING_COLUMNS.iter().map(header).collect(),
                    self.finding_rows(lang, scope, true),
                    &[12, 30, 14, 22, 14, 38, 20, 9, 18, 14, 70, 60],
                ),
                (
                    if lang == Lang::Id {
                        "Kelengkapan"
                    } else {
                        "Completeness"
                    },
                    COMPLETENESS_COLUMNS.iter().map(header).collect(),
                    self.completeness_rows(lang, true),
                    &[12, 30, 14, 11, 11, 10, 10, 12, 10, 10, 12, 12],
                ),
            ],
        )
    }
}

/// A workbook of `sheets`, the way every ProKUS workbook is written: bold
/// headers, frozen and filterable; shares to one decimal, counts and rupiah
/// as whole numbers with thousands separators (shown the reader's way by the
/// spreadsheet); marked as prokus's output `what`
/// ([`prokus_ingest::outputs::workbook_properties`]), which `ingest` does
/// not load.
pub fn workbook(what: &str, sheets: Vec<Sheet<'_>>) -> Result<Vec<u8>, MetricsError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| MetricsError::Write(e.to_string());
    let mut book = Workbook::new();
    book.set_properties(&prokus_ingest::outputs::workbook_properties(what));
    let bold = Format::new().set_bold();
    let decimal = Format::new().set_num_format("0.0");
    let whole = Format::new().set_num_format("#,##0");
    for (name, headers, rows, widths) in sheets {
        let sheet = book.add_worksheet().set_name(name).map_err(err)?;
        for (c, h) in headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => sheet
                        .write_string(r, c as u16, prokus_ingest::privacy::xlsx_cell(s))
                        .map(|_| ()),
                    Cell::Number(n) => {
                        let format = if n.fract() == 0.0 { &whole } else { &decimal };
                        sheet
                            .write_number_with_format(r, c as u16, *n, format)
                            .map(|_| ())
                    }
                    Cell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        sheet
            .autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1)
            .map_err(err)?;
        for (c, w) in widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// A check's severity for people.
fn severity_label(check: Check, lang: Lang) -> &'static str {
    match (check.severity(), lang) {
        ("error", Lang::Id) => "harus diperbaiki",
        ("error", Lang::En) => "must be fixed",
        (_, Lang::Id) => "perlu dicek",
        (_, Lang::En) => "to be confirmed",
    }
}

/// A worksheet for [`workbook`]: name, headers, rows and column widths
/// (in characters).
pub type Sheet<'a> = (&'a str, Vec<&'a str>, Vec<Vec<Cell>>, &'a [u16]);

fn csv_bytes(header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, MetricsError> {
    let err = |e: csv::Error| MetricsError::Write(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(
            row.iter()
                .map(|c| prokus_ingest::privacy::csv_cell(&c.text()).into_owned()),
        )
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| MetricsError::Write(e.to_string()))
}
