//! The data a template receives (`data.json`): tables, KPI tiles, chart
//! references, header and footer, and the files written beside a PDF.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::ReportError;
use crate::format::Lang;
use crate::words::*;

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
pub(crate) const TABLE_WIDTH: f64 = 493.2;

/// [`TABLE_WIDTH`] to the last digit (210 − 2 × 18 mm), where a line must
/// fit as Typst fits it ([`crate::fonts::wrap`]).
const TABLE_WIDTH_EXACT: f64 = (210.0 - 2.0 * 18.0) * 72.0 / 25.4;

/// The size of a table's text, in points (`data-table` in `common.typ`).
pub(crate) const TABLE_TEXT: f64 = 8.0;

/// A cell's inset on both sides (`data-table` in `common.typ`).
pub(crate) const CELL_INSET: f64 = 2.0 * 4.0;

/// A cell's inset above its text, and again below it, in points
/// (`data-table` in `common.typ`).
const CELL_INSET_Y: f64 = 3.5;

/// A cell's inset on both sides, and a little room for rounding.
pub(crate) const CELL_PADDING: f64 = CELL_INSET + 1.0;

/// The narrowest a table's first column gets when its text wraps, in points
/// (some 28 characters), so that the names of the rows stay readable.
pub(crate) const LABEL_WIDTH: f64 = 120.0;

/// The most lines a table row is given the height of ([`Table::laid_out`]):
/// a taller row (a long written feedback) is left to Typst, which may split
/// it between two pages, so that it never runs off one.
pub(crate) const MAX_SET_LINES: usize = 8;

/// What a status cell's box adds around its text (inset and stroke).
pub(crate) const STATUS_PADDING: f64 = 2.0 * 3.0 + 1.0;

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
        let width = |s: &str, bold: bool| crate::fonts::text_width(s, TABLE_TEXT, bold);
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
    /// Per row, how many lines its cells take in columns of `widths`
    /// (relative, as [`Table::column_widths`] gives them), or None where
    /// Typst is to measure the row ([`Table::laid_out`]).
    #[cfg(test)]
    fn lines(&self, widths: &[f64]) -> Vec<Option<usize>> {
        self.laid_out(widths).into_iter().map(|(n, _)| n).collect()
    }

    /// Per row, how many lines its cells take in columns of `widths`, and
    /// its cells as the template is to print them, or None lines where
    /// Typst is to measure the row. A cell's text fits on one line when it
    /// does with the point to spare that `CELL_PADDING` keeps, as the
    /// widths do (a status badge with its padding); a longer text is broken
    /// into lines here ([`crate::fonts::wrap`]), which Typst keeps, and the
    /// row takes the most lines of its cells. A row is left to Typst when a
    /// cell cannot be broken so (a word wider than its column, a line break
    /// in the text), when a status badge does not fit on one line, or when
    /// it would take more than [`MAX_SET_LINES`]. The template gives each
    /// row the height of its lines, so Typst lays its cells out once instead
    /// of twice (once to measure an `auto` row, once to place it); such a
    /// row is kept whole on one page, where Typst may split an `auto` row
    /// between two.
    pub(crate) fn laid_out(&self, widths: &[f64]) -> Vec<(Option<usize>, Cow<'_, [Cell]>)> {
        let room = rooms(widths);
        self.rows
            .iter()
            .map(|row| {
                let as_is = (None, Cow::Borrowed(row.as_slice()));
                if row.len() != room.len() {
                    return as_is;
                }
                let mut most = 1;
                // The row's cells, made once a cell's text is broken.
                let mut broken: Option<Vec<Cell>> = None;
                for (i, (cell, room)) in row.iter().zip(&room).enumerate() {
                    // A status badge is never broken: it fits with its
                    // padding, or Typst lays the row out.
                    let badge = cell.status.is_some();
                    let padding = if badge { STATUS_PADDING } else { 0.0 };
                    let Some((lines, text)) = set_text(&cell.text, *room, false, padding, !badge)
                    else {
                        return as_is;
                    };
                    most = most.max(lines);
                    match text {
                        Cow::Borrowed(_) => {
                            if let Some(cells) = &mut broken {
                                cells.push(cell.clone());
                            }
                        }
                        Cow::Owned(text) => broken
                            .get_or_insert_with(|| row[..i].to_vec())
                            .push(Cell { text, status: None }),
                    }
                }
                match broken {
                    _ if most > MAX_SET_LINES => as_is,
                    None => (Some(most), Cow::Borrowed(row.as_slice())),
                    Some(cells) => (Some(most), Cow::Owned(cells)),
                }
            })
            .collect()
    }
}

impl Table {
    /// The lines the header takes in columns of `widths`, and its texts as
    /// the template is to print them (semibold), broken into those lines as
    /// [`Table::laid_out`] breaks a row's; None lines where Typst is to
    /// measure it.
    pub(crate) fn header(&self, widths: &[f64]) -> (Option<usize>, Vec<Cow<'_, str>>) {
        let as_is = || {
            self.columns
                .iter()
                .map(|c| Cow::Borrowed(c.as_str()))
                .collect()
        };
        if widths.len() != self.columns.len() || widths.iter().sum::<f64>() <= 0.0 {
            return (None, as_is());
        }
        let mut most = 1;
        let mut texts = Vec::with_capacity(self.columns.len());
        for (text, room) in self.columns.iter().zip(rooms(widths)) {
            let Some((lines, text)) = set_text(text, room, true, 0.0, true) else {
                return (None, as_is());
            };
            most = most.max(lines);
            texts.push(text);
        }
        if most > MAX_SET_LINES {
            return (None, as_is());
        }
        (Some(most), texts)
    }
}

/// `text` set in `room` (a column's, [`rooms`]) in the table's text, semibold
/// for a header: as it is, on one line, when it fits there with `padding`
/// to spare; else, when `may_break`, broken into lines
/// ([`crate::fonts::wrap`]); with its number of lines. None when it is to be
/// left to Typst: too long and not to be broken, or not breakable so (a
/// word wider than the column, a line break in the text).
fn set_text(
    text: &str,
    room: f64,
    semibold: bool,
    padding: f64,
    may_break: bool,
) -> Option<(usize, Cow<'_, str>)> {
    if !text.contains('\n')
        && crate::fonts::text_width(text, TABLE_TEXT, semibold) + padding <= room
    {
        return Some((1, Cow::Borrowed(text)));
    }
    if !may_break {
        return None;
    }
    let lines = crate::fonts::wrap(text, TABLE_TEXT, semibold, typst_room(room))?;
    Some((lines.len(), Cow::Owned(lines.join("\n"))))
}

/// The room for a cell's text in each column of `widths` (relative): the
/// column less [`CELL_PADDING`], which keeps a point to spare for a text
/// measured without kerning ([`crate::fonts::text_width`]).
fn rooms(widths: &[f64]) -> Vec<f64> {
    let total: f64 = widths.iter().sum();
    widths
        .iter()
        .map(|w| TABLE_WIDTH * w / total - CELL_PADDING + 1e-9)
        .collect()
}

/// The room Typst has for a cell's text in a column whose room, as
/// [`rooms`] reckons it, is `room`: the column less its inset, to the last
/// digit of the page's width, where a line shaped as Typst shapes it must
/// fit ([`crate::fonts::wrap`]).
fn typst_room(room: f64) -> f64 {
    (room + CELL_PADDING) * TABLE_WIDTH_EXACT / TABLE_WIDTH - CELL_INSET
}

impl Serialize for Table {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            title: &'a str,
            columns: Vec<Cow<'a, str>>,
            align: &'a [&'static str],
            rows: &'a [Cow<'a, [Cell]>],
            note: &'a str,
            widths: Vec<f64>,
            lines: Vec<Option<usize>>,
            heights: Vec<Option<f64>>,
            header_height: Option<f64>,
        }
        let widths = self.column_widths();
        let (lines, rows): (Vec<_>, Vec<_>) = self.laid_out(&widths).into_iter().unzip();
        let (header_lines, columns) = self.header(&widths);
        let heights = lines
            .iter()
            .zip(&rows)
            .map(|(n, row)| n.map(|n| row_height(n, row.iter().any(|c| c.status.is_some()))))
            .collect();
        Out {
            title: &self.title,
            columns,
            align: &self.align,
            rows: &rows,
            note: &self.note,
            lines,
            heights,
            header_height: header_lines
                .map(|n| crate::fonts::lines_height(n, TABLE_TEXT, true) + 2.0 * CELL_INSET_Y),
            widths,
        }
        .serialize(serializer)
    }
}

/// The height in points of a table row of `lines` lines ([`Table::laid_out`]),
/// as the template sets it: the lines' height with the cells' inset, or for
/// one line beside a status badge, the badge's if it is taller. The height
/// Typst would measure, so that it need not measure the row.
fn row_height(lines: usize, badged: bool) -> f64 {
    let tall = crate::fonts::lines_height(lines, TABLE_TEXT, false) + 2.0 * CELL_INSET_Y;
    if lines == 1 && badged {
        let badge = crate::fonts::badge_height(TABLE_TEXT) + 2.0 * CELL_INSET_Y;
        badge.max(tall)
    } else {
        tall
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

/// A chart reference: the template shows `/charts/{name}.svg` with the
/// chart's text set over it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartRef {
    /// The virtual file name without extension.
    pub name: String,
    /// Caption under the chart.
    pub caption: String,
    /// The SVG's width in pixels, which the labels' positions are in.
    pub width: u32,
    /// The SVG's height in pixels.
    pub height: u32,
    /// The chart's text ([`crate::charts::Label`]).
    pub labels: Vec<crate::charts::Label>,
}

/// Adds `chart` as `name` with its `caption`: its SVG to `charts` (the
/// report's files), its reference and text to `refs` (the payload). A chart
/// not drawn (`None`: nothing to show) adds nothing.
pub(crate) fn add_chart(
    charts: &mut Vec<(String, String)>,
    refs: &mut Vec<ChartRef>,
    name: &str,
    caption: String,
    chart: impl Into<Option<crate::charts::Chart>>,
) {
    let Some(chart) = chart.into() else {
        return;
    };
    charts.push((name.to_string(), chart.svg));
    refs.push(ChartRef {
        name: name.to_string(),
        caption,
        width: chart.width,
        height: chart.height,
        labels: chart.labels,
    });
}

/// Header and footer facts.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// Document title.
    pub title: String,
    /// The title as the running header prints it, on one line beside the
    /// period: cut with an ellipsis where a long name would not fit.
    pub header: String,
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
#[derive(Debug)]
pub struct Companion {
    pub(crate) name: String,
    pub(crate) lang: Lang,
    pub(crate) content: CompanionContent,
}

#[derive(Debug)]
pub(crate) enum CompanionContent {
    /// An incubator's KPM who need attention, most urgent first.
    Attention(Vec<crate::audience::incubator::Attention>),
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
            CompanionContent::Attention(rows) => {
                crate::audience::incubator::attention_xlsx(rows, &w)
            }
        }
    }
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
        crate::fonts::text_width(text, TABLE_TEXT, false) + CELL_PADDING
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
    fn rows_are_counted_in_lines_and_left_to_typst_when_unsure() {
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
        let long_lines = crate::fonts::wrap(
            long,
            TABLE_TEXT,
            false,
            TABLE_WIDTH * widths[0] / widths.iter().sum::<f64>() - CELL_INSET,
        )
        .map(|lines| lines.len());
        assert!(long_lines.is_some_and(|n| n >= 2), "{long_lines:?}");
        // A text with a line break is left to Typst.
        assert_eq!(t.lines(&widths), [Some(1), long_lines, None]);
        let mut shorter = t.clone();
        shorter.rows[1][0].text = "Pendapatan usaha".into();
        assert_eq!(shorter.lines(&widths), [Some(1), Some(1), None]);
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
        // A badge that wraps is left to Typst.
        assert_eq!(t.lines(&[rest / 2.0, rest / 2.0, fits]), [None]);
        assert_eq!(
            t.lines(&[
                rest / 2.0,
                rest / 2.0 - STATUS_PADDING,
                fits + STATUS_PADDING
            ]),
            [Some(1)]
        );
        // The serialised table carries the lines beside the widths.
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["lines"], serde_json::json!([1]));
    }
}
