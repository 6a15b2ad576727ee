//! Reading a table (a header and rows of cells) from a CSV or XLSX file, as
//! exports and hand-filled sheets really come: UTF-8 with or without BOM or
//! Windows-1252, `;`, `,` or tab separators, newlines inside quoted cells, and
//! spreadsheet cells that hold numbers and dates instead of text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::IngestError;

/// A table read from one file.
pub struct Table {
    path: PathBuf,
    /// Column names of the header row, trimmed.
    pub headers: Vec<String>,
    body: Body,
    /// The repeat groups' tables (Kobo XLSX sheets, ODK `.csv.zip` files).
    pub repeats: Vec<RepeatTable>,
    /// Columns added after reading (see [`Table::add_column`]): cells by row
    /// number, and the cell of the other rows.
    extra: Vec<(HashMap<u64, String>, String)>,
    /// The records a CSV body's reader passes after its first before the
    /// rows: those of a title above the header, and the header (see
    /// [`Table::find_csv_header`]); 0 when the first line is the header.
    records_above: u64,
    /// The line (1-based) of a CSV body's header, from which its rows are
    /// numbered.
    header_line: u64,
    /// A workbook that asks to be calculated again when it is opened
    /// ([`asks_to_recalculate`]): per column of the header, the data cells
    /// that hold a formula with a value saved beside it. Empty otherwise.
    formula_values: Vec<u64>,
}

/// The rows of one repeat group, each linked to the submission it belongs to.
#[derive(Debug, Clone)]
pub struct RepeatTable {
    /// The repeat group's name: Kobo's sheet name, or the part of ODK's file
    /// name after the form id (`form-name.csv`).
    pub name: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<RepeatRow>,
    /// The column that points at the parent (`_parent_index`, `PARENT_KEY`).
    pub parent_column: String,
}

/// One row of a repeat group.
#[derive(Debug, Clone)]
pub struct RepeatRow {
    /// Row number in its sheet or file (header = 1).
    pub row: u64,
    /// Cells, as text.
    pub cells: Vec<String>,
    /// The main table's row number of the submission it belongs to; `None`
    /// when its parent cannot be found (an orphan).
    pub parent_row: Option<u64>,
    /// The parent reference as the row gives it.
    pub parent_ref: String,
}

enum Body {
    Csv {
        text: String,
        delimiter: u8,
    },
    /// A UTF-8 CSV file read as it is parsed, never held whole: an export of
    /// millions of rows takes the memory of a read buffer.
    CsvFile {
        /// Its first bytes are a byte-order mark, skipped.
        bom: bool,
        delimiter: u8,
    },
    /// The data rows, each with its row number in the sheet (1-based, as
    /// a spreadsheet shows it), cut to the header's width.
    Sheet {
        rows: SheetRows,
    },
}

/// A sheet's data rows with their row numbers (see [`Body::Sheet`]).
type SheetRows = Vec<(u64, Vec<Data>)>;

/// How large an archive's parts may be before they are inflated.
const MAX_ENTRY_BYTES: u64 = 2 << 30;
/// How large all the parts of an archive may be together.
const MAX_ARCHIVE_BYTES: u64 = 4 << 30;
/// How many times a large part may be bigger than its compressed bytes
/// (text compresses 5 to 50 times; a zip bomb hundreds of times).
const MAX_RATIO: u64 = 200;
/// How many cells a sheet may hold (a cell takes 32 bytes or more).
const MAX_CELLS: u64 = 60_000_000;
/// How many columns a sheet's header may have.
const MAX_COLUMNS: u32 = 5_000;

/// The shared formulas of a sheet whose text is kept, to show in the cells
/// they fill where a value was never saved (their cells read as `=(…)`
/// beyond it).
const MAX_SHARED_FORMULAS: usize = 10_000;

/// Whether a workbook asks to be calculated again when it is opened
/// (`<calcPr fullCalcOnLoad="1"/>` in `xl/workbook.xml`). Programs that write
/// formulas without calculating them ask this (XlsxWriter, which saves 0 as
/// each formula's value, openpyxl, ExcelJS, openxlsx2 after changing cells a
/// formula reads), so the values saved beside the formulas may not be their
/// results. Excel and LibreOffice clear the flag when they save the file
/// calculated. A file whose workbook part cannot be read asks nothing (the
/// reader says what is wrong with it).
fn asks_to_recalculate(bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return false;
    };
    let Ok(entry) = archive.by_name("xl/workbook.xml") else {
        return false;
    };
    // The calculation properties follow the sheets and defined names, near
    // the end of a part that is a few kilobytes, or megabytes for a
    // workbook with thousands of names: read at most 16 MiB.
    let mut xml = Vec::new();
    if entry.take(16 << 20).read_to_end(&mut xml).is_err() {
        return false;
    }
    let xml = String::from_utf8_lossy(&xml);
    // `<calcPr …/>` or, with a namespace prefix, `<x:calcPr …/>`.
    let Some(at) = xml
        .match_indices("calcPr")
        .map(|(at, _)| at)
        .find(|&at| matches!(xml[..at].chars().next_back(), Some('<' | ':')))
    else {
        return false;
    };
    let element = &xml[at..];
    let element = &element[..element.find('>').unwrap_or(element.len())];
    [
        "fullCalcOnLoad=\"1\"",
        "fullCalcOnLoad=\"true\"",
        "fullCalcOnLoad='1'",
        "fullCalcOnLoad='true'",
    ]
    .iter()
    .any(|flag| element.contains(flag))
}

/// Checks a ZIP archive (a workbook, or ODK Central's `.csv.zip`) before
/// anything in it is inflated: the sizes its entries declare, their ratio to
/// the compressed bytes, and, for a workbook, the number of strings its
/// shared-string table declares. Reading then stops at the declared sizes.
fn check_archive(bytes: &[u8], workbook: bool) -> Result<(), String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable ZIP file: {e}"))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| format!("entry {i} of the ZIP cannot be read: {e}"))?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > MAX_ENTRY_BYTES || total > MAX_ARCHIVE_BYTES {
            return Err(format!(
                "`{}` inflates to {size} bytes ({total} with the entries before it); at most {MAX_ENTRY_BYTES} a part and {MAX_ARCHIVE_BYTES} in all are read",
                crate::privacy::safe_text(
                    &entry.name().map(|n| n.into_owned()).unwrap_or_default()
                )
            ));
        }
        if size > (16 << 20) && size / packed > MAX_RATIO {
            return Err(format!(
                "`{}` inflates {} times (from {packed} to {size} bytes): a compression bomb, not an export",
                crate::privacy::safe_text(
                    &entry.name().map(|n| n.into_owned()).unwrap_or_default()
                ),
                size / packed
            ));
        }
    }
    if workbook && let Ok(entry) = archive.by_name("xl/sharedStrings.xml") {
        let size = entry.size();
        let mut bytes = Vec::new();
        entry
            .take(4096)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("the shared strings cannot be read: {e}"))?;
        let head = String::from_utf8_lossy(&bytes);
        // Each string takes at least `<si/>`: 5 bytes.
        for attribute in ["uniqueCount=\"", "count=\""] {
            let declared = head
                .find(attribute)
                .map(|at| &head[at + attribute.len()..])
                .and_then(|rest| rest.split('"').next())
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(n) = declared
                && n > size / 5 + 1
            {
                return Err(format!(
                    "its shared-string table declares {n} strings in {size} bytes, which cannot hold them: the file is damaged or made to exhaust memory"
                ));
            }
        }
    }
    Ok(())
}

/// One sheet of a workbook, read cell by cell: the header (the first row
/// with a cell, or `header_row` (0-based) when given, to its last non-empty
/// cell, at most [`MAX_COLUMNS`]) and
/// the rows after it with their sheet row numbers, cut to the header's
/// width. Cells are never laid out over the whole used area, so one stray
/// cell at XFD1048576 costs one cell, and the cells kept are bounded by
/// [`MAX_CELLS`].
fn read_sheet<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Xlsx<RS>,
    name: &str,
    header_row: Option<u32>,
) -> Result<(Vec<String>, SheetRows, Vec<u64>), String> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(|e| e.to_string())?;
    let mut header: Option<(u32, Vec<Data>)> = None;
    let mut rows: SheetRows = Vec::new();
    let mut width = MAX_COLUMNS as usize;
    let (mut kept, mut sorted) = (0u64, true);
    // Each shared formula's text, by its index, from the cell that holds it.
    let mut shared: HashMap<usize, String> = HashMap::new();
    // The row right under the header, whole (not cut to the header's
    // width), until a later row or the end shows it complete: the lower
    // row of a header written over two rows ([`two_row_header`]), or data.
    let mut below: Option<Vec<Data>> = None;
    // Per column, the data cells holding a formula with its saved value.
    let mut formula_values: Vec<u64> = Vec::new();
    while let Some(cell) = reader
        .next_cell_with_formula_metadata()
        .map_err(|e| e.to_string())?
    {
        let (r, c) = cell.pos;
        if c >= MAX_COLUMNS {
            continue;
        }
        let valued_formula =
            cell.formula.is_some() && !matches!(cell.value, calamine::DataRef::Empty);
        let value: Data = match (cell.value, cell.formula) {
            // A formula whose value was never saved (a program that does
            // not calculate wrote the file) reads as the formula, which the
            // checks refuse (`values::excel_error`); as an empty cell, its
            // row loaded with the answer missing. The cells a shared formula
            // fills read as the formula of the cell that holds it.
            (calamine::DataRef::Empty, Some(formula)) => {
                use calamine::XlsxFormulaMetadata as F;
                let text = match formula {
                    F::Normal { formula } => formula,
                    F::Shared {
                        shared_index,
                        formula,
                        ..
                    } => {
                        if shared.len() < MAX_SHARED_FORMULAS {
                            shared.insert(shared_index, formula.clone());
                        }
                        formula
                    }
                    F::SharedDerived { shared_index } => {
                        shared.get(&shared_index).cloned().unwrap_or_default()
                    }
                    _ => String::new(),
                };
                let text = text.trim_start_matches('=');
                Data::String(format!("={}", if text.is_empty() { "(…)" } else { text }))
            }
            (value, _) => value.into(),
        };
        if matches!(value, Data::Empty) {
            continue;
        }
        let c = c as usize;
        // The rows above a header found further down (a title) are not data.
        if header_row.is_some_and(|h| r < h) {
            continue;
        }
        match &mut header {
            None => header = Some((r, Vec::new())),
            Some((h, _)) if r < *h => {
                return Err(
                    "its cells are not in row order (rewrite it with a spreadsheet program)".into(),
                );
            }
            _ => {}
        }
        let Some((header_row, header_cells)) = &mut header else {
            continue;
        };
        if r == *header_row {
            if header_cells.len() <= c {
                header_cells.resize(c + 1, Data::Empty);
            }
            header_cells[c] = value;
            continue;
        }
        if valued_formula {
            if formula_values.len() <= c {
                formula_values.resize(c + 1, 0);
            }
            formula_values[c] += 1;
        }
        if r == *header_row + 1 && rows.is_empty() {
            let cells = below.get_or_insert_with(Vec::new);
            if cells.len() <= c {
                cells.resize(c + 1, Data::Empty);
            }
            cells[c] = value;
            kept += 1;
            continue;
        }
        if let Some(cells) = below.take() {
            settle_below(header_cells, cells, *header_row, &mut rows);
        }
        width = width.min(header_cells.len());
        if c >= width {
            continue;
        }
        let row = u64::from(r) + 1;
        match rows.last_mut() {
            Some((last, cells)) if *last == row => {
                if cells.len() <= c {
                    cells.resize(c + 1, Data::Empty);
                }
                cells[c] = value;
            }
            last => {
                sorted &= last.is_none_or(|(l, _)| *l < row);
                let mut cells = vec![Data::Empty; c + 1];
                cells[c] = value;
                rows.push((row, cells));
            }
        }
        kept += 1;
        if kept.saturating_add(rows.len() as u64 * width as u64 / 4) > MAX_CELLS {
            return Err(format!(
                "it holds more than {MAX_CELLS} cells; export the data as CSV instead"
            ));
        }
    }
    drop(reader);
    if let (Some((header_row, header_cells)), Some(cells)) = (&mut header, below.take()) {
        settle_below(header_cells, cells, *header_row, &mut rows);
    }
    if !sorted {
        // Rows out of order (a file not written by a spreadsheet program):
        // put them in order and join the pieces of one row.
        rows.sort_by_key(|(r, _)| *r);
        let mut joined: Vec<(u64, Vec<Data>)> = Vec::with_capacity(rows.len());
        for (row, cells) in rows {
            match joined.last_mut() {
                Some((last, into)) if *last == row => {
                    if into.len() < cells.len() {
                        into.resize(cells.len(), Data::Empty);
                    }
                    for (i, v) in cells.into_iter().enumerate() {
                        if !matches!(v, Data::Empty) {
                            into[i] = v;
                        }
                    }
                }
                _ => joined.push((row, cells)),
            }
        }
        rows = joined;
    }
    let headers: Vec<String> = header
        .as_ref()
        .map(|(_, cells)| header_texts(cells))
        .unwrap_or_default();
    // Kobo's and ODK's exports merge no cell, and a merge to fill leaves an
    // empty cell below a full one: otherwise the sheet is not read again.
    // (A Kobo export's repeat groups are sheets of their own.)
    let export = kobo_export(&headers) || odk_export(&headers) || kobo_repeat(&headers);
    if let Some((header_row, _)) = header
        && !export
        && empty_below_full(&rows, width)
    {
        let merged = workbook
            .merge_cells_by_sheet_name(name)
            .map_err(|e| e.to_string())?;
        fill_merged_down(&mut rows, &merged, header_row, width)?;
    }
    Ok((headers, rows, formula_values))
}

/// A header written over two rows, as forms group their questions: a
/// group's name above (merged across its columns), its columns' own names
/// below, and the other columns named in the upper row alone (merged
/// down). Returns the header the two rows make: each column's lower name,
/// or its upper one where it has none below. `None` unless `lower` is such
/// a row: names below empty upper cells (at least one, and two in all),
/// and under a named upper cell only the same name (merged down) or the
/// first name of a group, whose next column is empty above and named below.
/// A data row with a value under a named column is never one; a row with
/// text only under unnamed columns (and so no KPM id) would be, and its
/// texts are then columns the load names as not read.
pub(crate) fn two_row_header(upper: &[String], lower: &[String]) -> Option<Vec<String>> {
    fn at(row: &[String], c: usize) -> &str {
        row.get(c).map_or("", |s| s.trim())
    }
    let width = upper.len().max(lower.len());
    let named_below = (0..width).filter(|&c| !at(lower, c).is_empty()).count();
    let under_gaps = (0..width)
        .filter(|&c| at(upper, c).is_empty() && !at(lower, c).is_empty())
        .count();
    if named_below < 2 || under_gaps == 0 {
        return None;
    }
    for c in 0..width {
        let (up, low) = (at(upper, c), at(lower, c));
        let group_start = at(upper, c + 1).is_empty() && !at(lower, c + 1).is_empty();
        // A number is a value, never a column's name.
        if low.parse::<f64>().is_ok()
            || (!up.is_empty() && !low.is_empty() && low != up && !group_start)
        {
            return None;
        }
    }
    Some(
        (0..width)
            .map(|c| match at(lower, c) {
                "" => at(upper, c).to_string(),
                low => low.to_string(),
            })
            .collect(),
    )
}

/// The row under a sheet's header, read whole: joined to the header when
/// the two are one header written over two rows ([`two_row_header`]), else
/// the first data row, cut to the header's width as the others are.
fn settle_below(header: &mut Vec<Data>, below: Vec<Data>, header_row: u32, rows: &mut SheetRows) {
    if let Some(joined) = two_row_header(&header_texts(header), &header_texts(&below)) {
        *header = joined.into_iter().map(Data::String).collect();
        // Its cells go above the data: the header now spans its row.
        return;
    }
    let mut below = below;
    below.truncate(header.len().min(MAX_COLUMNS as usize));
    if below.iter().any(|c| !matches!(c, Data::Empty)) {
        rows.push((u64::from(header_row) + 2, below));
    }
}

/// A row's cells as a header names its columns: their text, trimmed.
fn header_texts(cells: &[Data]) -> Vec<String> {
    cells
        .iter()
        .map(|c| cell_text(c).0.trim().to_string())
        .collect()
}

/// Whether `headers` are a Kobo export's repeat-group sheet's, linked to
/// its submissions by `_parent_index`.
fn kobo_repeat(headers: &[String]) -> bool {
    headers.iter().any(|h| h == "_parent_index")
}

/// Whether a row has an empty cell where the row before it has one: what
/// every merge [`fill_merged_down`] fills leaves (the first row it fills
/// follows its own first row, or a row it does not fill for holding a
/// value). A sheet without one has nothing to fill.
fn empty_below_full(rows: &[(u64, Vec<Data>)], width: usize) -> bool {
    rows.windows(2).any(|pair| {
        let (above, below) = (&pair[0].1, &pair[1].1);
        above.iter().take(width).enumerate().any(|(c, v)| {
            !matches!(v, Data::Empty) && below.get(c).is_none_or(|b| matches!(b, Data::Empty))
        })
    })
}

/// Whether `headers` are a KoboToolbox export's (its metadata columns).
pub(crate) fn kobo_export(headers: &[String]) -> bool {
    has_header(headers, "_uuid") || has_header(headers, "_submission_time")
}

/// Whether `headers` are an ODK Central export's (its metadata columns).
pub(crate) fn odk_export(headers: &[String]) -> bool {
    has_header(headers, "SubmissionDate")
        && (has_header(headers, "KEY") || has_header(headers, "meta-instanceID"))
}

fn has_header(headers: &[String], name: &str) -> bool {
    headers.iter().any(|h| h.trim().eq_ignore_ascii_case(name))
}

/// A cell merged down over several rows (a KPM's id and name beside each of
/// its rounds, as sheets are often laid out) holds its value in its first
/// row only; the spreadsheet shows it in every row. Each of its column's
/// empty cells in the rows below that have a cell of their own takes that
/// value, so that those rows are not refused as having no KPM. A merge
/// across columns fills its first column only: the sheet shows one value,
/// not one per column. Merges in or above the header are left as they are.
fn fill_merged_down(
    rows: &mut SheetRows,
    merged: &[calamine::Dimensions],
    header_row: u32,
    width: usize,
) -> Result<(), String> {
    // Row numbers are 1-based in `rows`, 0-based in the merges.
    let span = |rows: &SheetRows, d: &calamine::Dimensions| {
        let first = rows.partition_point(|(r, _)| *r < u64::from(d.start.0) + 1);
        let last = rows.partition_point(|(r, _)| *r <= u64::from(d.end.0) + 1);
        first..last.max(first)
    };
    let down: Vec<&calamine::Dimensions> = merged
        .iter()
        .filter(|d| d.start.0 > header_row && d.end.0 > d.start.0 && (d.start.1 as usize) < width)
        .collect();
    // Overlapping merges, which no spreadsheet program writes, could make
    // the rows visited many times the cells held.
    let visits: u64 = down.iter().map(|d| span(rows, d).len() as u64).sum();
    if visits > MAX_CELLS {
        return Err(format!(
            "its merged cells cover more than {MAX_CELLS} cells; unmerge them, or export the data as CSV"
        ));
    }
    for d in down {
        let range = span(rows, d);
        let column = d.start.1 as usize;
        let Some((row, cells)) = rows.get(range.start) else {
            continue;
        };
        // The merge's value is its first row's; a first row without a cell
        // of its own has none.
        if *row != u64::from(d.start.0) + 1 {
            continue;
        }
        let value = match cells.get(column) {
            Some(v) if !matches!(v, Data::Empty) => v.clone(),
            _ => continue,
        };
        for (_, cells) in &mut rows[range.start + 1..range.end] {
            if cells.len() <= column {
                cells.resize(column + 1, Data::Empty);
            }
            if matches!(cells[column], Data::Empty) {
                cells[column] = value.clone();
            }
        }
    }
    Ok(())
}

/// How far down a sheet its header is looked for, below a title or notes.
const HEADER_SEARCH_ROWS: u32 = 10;

/// The first [`HEADER_SEARCH_ROWS`] rows of a sheet that have a cell, each
/// with its row (0-based) and its cells' text as a header would have it;
/// reading stops there.
fn first_rows<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<Vec<(u32, Vec<String>)>, String> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    let mut first = None;
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        let value: Data = cell.get_value().clone().into();
        if matches!(value, Data::Empty) || c >= MAX_COLUMNS {
            continue;
        }
        let start = *first.get_or_insert(r);
        if r >= start.saturating_add(HEADER_SEARCH_ROWS) {
            break;
        }
        if rows.last().is_none_or(|(last, _)| *last != r) {
            rows.push((r, Vec::new()));
        }
        let cells = &mut rows.last_mut().expect("pushed above").1;
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = cell_text(&value).0.trim().to_string();
    }
    Ok(rows)
}

/// The names of the sheets of the workbook at `path`, in order; none for a
/// file that is no readable workbook.
pub(crate) fn workbook_sheets(path: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    if Container::sniff(&bytes) != Container::Xlsx || check_archive(&bytes, true).is_err() {
        return Vec::new();
    }
    calamine::Reader::new(std::io::Cursor::new(bytes))
        .map(|workbook: calamine::Xlsx<_>| workbook.sheet_names())
        .unwrap_or_default()
}

/// How a workbook's table is found (see [`Table::read_finding`]).
pub struct Finding<'a> {
    /// The kind of data a header heads (`template`, `kpm-register` …), or
    /// `None` for a row that is no header. A kind with an empty name is any
    /// (the first sheet with a header is the data).
    pub kind_of: &'a dyn Fn(&[String]) -> Option<&'static str>,
    /// The round a sheet's name says (`Baseline`, `Monitoring 2`, or
    /// `Baseline 2022`: the name as a `wave` cell would hold it), if any:
    /// such a sheet whose header is a kind's but for a `wave` column holds
    /// that round's data, each row of that round.
    pub round_of: &'a dyn Fn(&str) -> Option<String>,
    /// The one sheet to read, of those [`IngestError::Sheets`] names.
    pub sheet: Option<&'a str>,
    /// A round is given for the files without one (`prokus ingest
    /// --wave`): a sheet not named as a round whose header lacks only the
    /// `wave` column is data too, its round given after it is read.
    pub round_given: bool,
}

/// A workbook's sheet with a header of data (see [`Finding`]).
struct DataSheet {
    name: String,
    /// The header's row (0-based).
    header_row: u32,
    /// The kind of data it heads.
    kind: &'static str,
    /// The round its name says, its header without a `wave` column.
    round: Option<String>,
    /// Rows may follow the header.
    rows: bool,
}

/// What kind of container a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Delimited text.
    Csv,
    /// An Office Open XML workbook (the main table is the first sheet whose
    /// header is found, the other sheets of a Kobo export repeat groups).
    Xlsx,
    /// A ZIP of CSV files: ODK Central's `submissions.csv.zip` (the form's
    /// table and one table per repeat group).
    CsvZip,
}

impl Container {
    /// Guesses the container from the file's bytes: a ZIP holding a workbook
    /// is a workbook, another ZIP a set of CSV files.
    pub fn sniff(bytes: &[u8]) -> Self {
        if !bytes.starts_with(ZIP_MAGIC) {
            return Container::Csv;
        }
        let is_workbook = zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok_and(|z| {
            z.file_names()
                .filter_map(Result::ok)
                .any(|n| n == "xl/workbook.xml" || n == "[Content_Types].xml")
        });
        if is_workbook {
            Container::Xlsx
        } else {
            Container::CsvZip
        }
    }
}

/// A kind of file that holds no table prokus reads, known by its first
/// bytes (a spreadsheet saved in an older format, a report or a photo sent
/// in place of the data): what it is, and what to do instead.
fn foreign(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const ODS: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
    let workbook = "open it in the spreadsheet program and save it as an Excel Workbook (.xlsx) \
                    or as CSV (File → Save As), then load that";
    if bytes.starts_with(OLE2) {
        // A workbook protected with a password to open it (as files with
        // NIKs often are) is an OLE file too: the workbook is its stream
        // `EncryptedPackage`, which an old workbook does not have.
        let encrypted: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(encrypted.len()).any(|w| w == encrypted) {
            return Some((
                "a workbook protected with a password (encrypted), which prokus cannot open",
                "open it in Excel, take the password off (File → Info → Protect Workbook → \
                 Encrypt with Password: clear it) and save it, or save it as CSV, then load that",
            ));
        }
        return Some((
            "an Excel 97-2003 workbook (.xls) or another old Office file, which prokus does not read",
            workbook,
        ));
    }
    // An OpenDocument file's first entry is its `mimetype`, stored as is.
    if bytes.starts_with(ZIP_MAGIC)
        && bytes.get(30..38) == Some(b"mimetype")
        && bytes.get(38..38 + ODS.len()) == Some(ODS)
    {
        return Some((
            "an OpenDocument spreadsheet (.ods), which prokus does not read",
            workbook,
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        return Some((
            "a PDF document, not a table of data",
            "load the data it was made from: the survey export or the filled sheet, as CSV or .xlsx",
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some((
            "an image, not a table of data",
            "load the data itself: the survey export or the filled sheet, as CSV or .xlsx",
        ));
    }
    None
}

impl Table {
    /// Whether its cells say whether they were numbers (a sheet's do); a
    /// CSV's are all text, even those a spreadsheet wrote from numbers.
    pub fn typed(&self) -> bool {
        matches!(self.body, Body::Sheet { .. })
    }

    /// The columns (by index) whose data cells hold formulas with values
    /// that may not be their results, with how many such cells each has: a
    /// workbook that asks to be calculated again when it is opened, written
    /// by a program that does not calculate (`asks_to_recalculate`). None
    /// for other files.
    pub fn formulas_to_recalculate(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.formula_values
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (i, *n))
    }

    /// Reads the file's bytes as `container`. The bytes are taken, not copied:
    /// a big export is held in memory once.
    pub fn read(
        path: &Path,
        bytes: impl Into<Vec<u8>>,
        container: Container,
    ) -> Result<Self, IngestError> {
        let finding = Finding {
            kind_of: &|_| Some(""),
            round_of: &|_| None,
            sheet: None,
            round_given: false,
        };
        Self::read_finding(path, bytes, container, &finding)
    }

    /// [`Table::read`], a workbook's table found where `finding.kind_of`
    /// says its header is (naming the kind of data it heads): the first
    /// sheet, in order, with such a row among its first ten (an
    /// instructions sheet before the data, a title above the header, are
    /// passed over); without one, the first sheet's first row. A workbook
    /// with data of that kind (a name that is not empty) in several sheets,
    /// or in a sheet named as a round whose header lacks only the round
    /// (see [`Finding::round_of`]), gives [`IngestError::Sheets`]: each of
    /// those sheets is then read on its own (`finding.sheet`).
    pub fn read_finding(
        path: &Path,
        bytes: impl Into<Vec<u8>>,
        container: Container,
        finding: &Finding,
    ) -> Result<Self, IngestError> {
        let bytes = bytes.into();
        if let Some((what, hint)) = foreign(&bytes) {
            return Err(IngestError::Unreadable {
                path: path.to_path_buf(),
                reason: what.into(),
                hint: hint.into(),
            });
        }
        if container == Container::Xlsx
            && let Some(what) = crate::outputs::written_by_prokus(&bytes)
        {
            return Err(IngestError::OwnOutput {
                path: path.to_path_buf(),
                what: format!("a workbook ({what})"),
            });
        }
        match container {
            Container::Csv => Self::from_csv(path, bytes),
            Container::Xlsx => Self::from_xlsx(path, bytes, finding),
            Container::CsvZip => Self::from_csv_zip(path, bytes),
        }
    }

    /// Opens a CSV file that [`scan`] found to be UTF-8, to be read as its
    /// rows are parsed ([`Table::for_each_row`]); its header is read here.
    pub fn open_csv(path: &Path) -> Result<Self, IngestError> {
        use std::io::BufRead;
        let io = |source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
        let bom = reader.fill_buf().map_err(io)?.starts_with(UTF8_BOM);
        if bom {
            reader.consume(UTF8_BOM.len());
        }
        // The header line, cut at 1 MiB: a file of one endless line is no
        // export.
        let mut first = Vec::new();
        std::io::Read::take(&mut reader, 1 << 20)
            .read_until(b'\n', &mut first)
            .map_err(io)?;
        let (delimiter, headers) = csv_header(path, &String::from_utf8_lossy(&first), || {
            Self::csv_file(path, bom).map_err(io)
        })?;
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            body: Body::CsvFile { bom, delimiter },
            repeats: Vec::new(),
            extra: Vec::new(),
            records_above: 0,
            header_line: 1,
            formula_values: Vec::new(),
        })
    }

    /// Seats a CSV table's header where `is_header` finds it among the
    /// first ten lines, when its first line is not one (a sheet saved as
    /// CSV with a title above its header): the header, its delimiter, and
    /// the records before it, passed over when the rows are read. Returns
    /// whether the header is one `is_header` knows.
    pub fn find_csv_header(&mut self, is_header: &dyn Fn(&[String]) -> bool) -> bool {
        let found = self.find_csv_header_row(is_header);
        if found {
            self.join_csv_lower_header();
        }
        found
    }

    /// The header written over two rows ([`two_row_header`]) of a sheet
    /// saved as CSV: the line after the header joined to it, and passed
    /// with it by the reader.
    fn join_csv_lower_header(&mut self) {
        let delimiter = match &self.body {
            Body::Csv { delimiter, .. } | Body::CsvFile { delimiter, .. } => *delimiter,
            Body::Sheet { .. } => return,
        };
        let Some(start) = self.head_text() else {
            return;
        };
        // The reader passes its first record as the header, as
        // `for_each_csv_record`'s does; then the title's and the header's.
        let mut reader = csv_reader(start.as_bytes(), delimiter);
        let mut record = csv::StringRecord::new();
        for _ in 0..=self.records_above {
            if !reader.read_record(&mut record).unwrap_or(false) {
                return;
            }
        }
        let lower: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        let Some(joined) = two_row_header(&self.headers, &lower) else {
            return;
        };
        let line = record
            .position()
            .map_or(self.header_line + 1, csv::Position::line);
        self.headers = joined;
        self.records_above += 1;
        self.header_line = line;
    }

    /// The first MiB of a CSV body, as text; `None` for a sheet or a file
    /// that cannot be read again.
    fn head_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.body {
            Body::Csv { text, .. } => Some(text.as_str().into()),
            Body::CsvFile { bom, .. } => {
                use std::io::Read;
                let mut head = Vec::new();
                Self::csv_file(&self.path, *bom)
                    .and_then(|f| f.take(1 << 20).read_to_end(&mut head))
                    .ok()?;
                Some(String::from_utf8_lossy(&head).into_owned().into())
            }
            Body::Sheet { .. } => None,
        }
    }

    /// [`Table::find_csv_header`]'s search, without the lower row.
    fn find_csv_header_row(&mut self, is_header: &dyn Fn(&[String]) -> bool) -> bool {
        if is_header(&self.headers) {
            return true;
        }
        let Some(start) = self.head_text() else {
            return false;
        };
        // The records before a line: the lines with a cell (the csv reader
        // passes over blank ones). Each line is read as a header is, its
        // separator its own (a title has none to sniff).
        let mut records = 0u64;
        for (i, line) in start.lines().take(HEADER_SEARCH_ROWS as usize).enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if let Ok((delimiter, headers)) = csv_header(&self.path, line, || Ok(line.as_bytes()))
                && records > 0
                && is_header(&headers)
            {
                self.headers = headers;
                self.records_above = records;
                self.header_line = i as u64 + 1;
                match &mut self.body {
                    Body::Csv { delimiter: d, .. } | Body::CsvFile { delimiter: d, .. } => {
                        *d = delimiter;
                    }
                    Body::Sheet { .. } => {}
                }
                return true;
            }
            records += 1;
        }
        false
    }

    /// The file from its first byte after the byte-order mark (the csv
    /// reader buffers it).
    fn csv_file(path: &Path, bom: bool) -> std::io::Result<std::fs::File> {
        use std::io::Seek;
        let mut file = std::fs::File::open(path)?;
        if bom {
            file.seek(std::io::SeekFrom::Start(UTF8_BOM.len() as u64))?;
        }
        Ok(file)
    }

    /// Adds a column computed after reading (a repeat group's aggregate):
    /// its cell for each row number; rows without one get `default`.
    pub fn add_column(&mut self, name: String, cells: HashMap<u64, String>, default: String) {
        self.headers.push(name);
        self.extra.push((cells, default));
    }

    fn from_csv(path: &Path, bytes: Vec<u8>) -> Result<Self, IngestError> {
        let text = decode_owned(bytes);
        let (delimiter, headers) = csv_header(path, &text, || Ok(text.as_bytes()))?;
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            body: Body::Csv { text, delimiter },
            repeats: Vec::new(),
            extra: Vec::new(),
            records_above: 0,
            header_line: 1,
            formula_values: Vec::new(),
        })
    }

    /// ODK Central's `.csv.zip`: `{formId}.csv` and `{formId}-{repeat}.csv`,
    /// each repeat row pointing at its parent by `PARENT_KEY` → `KEY`.
    fn from_csv_zip(path: &Path, bytes: Vec<u8>) -> Result<Self, IngestError> {
        // A workbook too damaged to be known as one is named as a workbook.
        let workbook = path
            .extension()
            .is_some_and(|e| ["xlsx", "xlsm"].iter().any(|x| e.eq_ignore_ascii_case(x)));
        let unreadable = |reason: String| IngestError::Unreadable {
            path: path.to_path_buf(),
            reason,
            hint: if workbook {
                "the workbook is damaged or not a workbook: open it in a spreadsheet program and \
                 save it again as .xlsx, or export CSV"
            } else {
                "download the export again from ODK Central (Download → .csv.zip)"
            }
            .into(),
        };
        check_archive(&bytes, false).map_err(&unreadable)?;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| unreadable(format!("not a readable ZIP file: {e}")))?;
        let mut names: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| n.to_lowercase().ends_with(".csv") && !n.contains('/'))
            .map(|n| n.into_owned())
            .collect();
        names.sort_by_key(|n| (n.len(), n.clone()));
        let Some(main_name) = names.first().cloned() else {
            return Err(unreadable("the ZIP holds no CSV file".into()));
        };
        let mut read_entry = |name: &str| -> Result<Vec<u8>, IngestError> {
            use std::io::Read;
            let entry = archive
                .by_name(name)
                .map_err(|e| unreadable(format!("{name}: {e}")))?;
            // No more than the entry declares, which was checked.
            let declared = entry.size();
            let mut out = Vec::new();
            entry
                .take(declared.min(MAX_ENTRY_BYTES))
                .read_to_end(&mut out)
                .map_err(|e| unreadable(format!("{name}: {e}")))?;
            Ok(out)
        };
        let inner = |name: &str| path.join(name);
        let mut table = Self::from_csv(&inner(&main_name), read_entry(&main_name)?)?;
        table.path = path.to_path_buf();
        let stem = main_name.trim_end_matches(".csv").to_string();
        let key_of_row = table.column_values("KEY")?;
        let mut repeats = Vec::new();
        for name in names.iter().skip(1) {
            let Some(repeat) = name
                .strip_suffix(".csv")
                .and_then(|n| n.strip_prefix(&format!("{stem}-")))
            else {
                continue;
            };
            let t = Self::from_csv(&inner(name), read_entry(name)?)?;
            let mut rows = Vec::new();
            t.for_each_row(|row, cells, _| {
                rows.push((row, cells.iter().map(|c| c.to_string()).collect()));
                Ok(())
            })?;
            repeats.push((repeat.to_string(), t.headers, rows));
        }
        table.repeats = link_repeats(repeats, &key_of_row, "PARENT_KEY", "KEY", None);
        Ok(table)
    }

    /// The text of column `name` of every data row, by value → row number.
    fn column_values(&self, name: &str) -> Result<HashMap<String, u64>, IngestError> {
        let mut out = HashMap::new();
        if let Some(i) = self.headers.iter().position(|h| h == name) {
            self.for_each_row(|row, cells, _| {
                if let Some(v) = cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty()) {
                    out.insert(v.to_string(), row);
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn from_xlsx(path: &Path, bytes: Vec<u8>, finding: &Finding) -> Result<Self, IngestError> {
        let unreadable = |reason: String| IngestError::Unreadable {
            path: path.to_path_buf(),
            reason,
            hint: "open it in a spreadsheet program and save it again as .xlsx, or export CSV"
                .into(),
        };
        check_archive(&bytes, true).map_err(&unreadable)?;
        let recalculate = asks_to_recalculate(&bytes);
        let mut workbook: calamine::Xlsx<_> = calamine::Reader::new(std::io::Cursor::new(bytes))
            .map_err(|e| unreadable(format!("not a readable workbook: {e}")))?;
        let sheet_names = workbook.sheet_names();
        let first = sheet_names
            .first()
            .ok_or_else(|| unreadable("the workbook has no sheet".into()))?
            .clone();
        // The sheets of data, in order: a sheet that cannot be read is
        // passed over here, and said below if it is the first.
        let mut sheets: Vec<DataSheet> = Vec::new();
        for name in &sheet_names {
            let Ok(rows) = first_rows(&mut workbook, name) else {
                continue;
            };
            let header = |kind_of: &dyn Fn(&[String]) -> Option<&'static str>| {
                rows.iter()
                    .enumerate()
                    .find_map(|(at, (_, cells))| Some((at, kind_of(cells)?)))
            };
            // A sheet named as a round (`Baseline`, `Monitoring 2`), as
            // workbooks are often kept, whose header would be a kind's
            // with a `wave` column: that round's data.
            let with_round = |cells: &[String]| {
                let mut cells = cells.to_vec();
                cells.push("wave".into());
                (finding.kind_of)(&cells).filter(|kind| !kind.is_empty())
            };
            let (at, kind, round) = match header(finding.kind_of) {
                Some((at, kind)) => (at, kind, None),
                None => match (finding.round_of)(name) {
                    Some(round) => match header(&with_round) {
                        Some((at, kind)) => (at, kind, Some(round)),
                        None => continue,
                    },
                    None if finding.round_given => match header(&with_round) {
                        Some((at, kind)) => (at, kind, None),
                        None => continue,
                    },
                    None => continue,
                },
            };
            // A Kobo export's repeat groups are sheets of their own.
            if kobo_repeat(&rows[at].1) {
                continue;
            }
            sheets.push(DataSheet {
                name: name.clone(),
                header_row: rows[at].0,
                kind,
                round,
                // A header on the last row looked at may have rows below it.
                rows: at + 1 < rows.len() || rows.len() == HEADER_SEARCH_ROWS as usize,
            });
        }
        // A sheet's name is the file's own text, named as a cell would be.
        let shown = |name: &str| crate::privacy::safe_text(name);
        let picked = match finding.sheet {
            Some(sheet) => Some(sheets.iter().find(|s| s.name == sheet).ok_or_else(|| {
                unreadable(format!("it has no sheet `{}` of data", shown(sheet)))
            })?),
            None => {
                // The other sheets with a header of the first's kind and
                // rows below it (a round per sheet, as a workbook is often
                // kept): each is read on its own, where one sheet alone
                // would leave the others' rows without a word. A sheet of
                // another kind (the KPM list a sheet looks its names up in)
                // is not the data. A kind without a name (Table::read's) is
                // any: no sheet after the first is the data.
                let lead = sheets.first();
                let of_kind: Vec<&DataSheet> = sheets
                    .iter()
                    .enumerate()
                    .filter(|(i, s)| {
                        lead.is_some_and(|f| s.kind == f.kind && !f.kind.is_empty())
                            && (*i == 0 || s.rows)
                    })
                    .map(|(_, s)| s)
                    .collect();
                if of_kind.len() > 1 || lead.is_some_and(|f| f.round.is_some()) {
                    return Err(IngestError::Sheets {
                        path: path.to_path_buf(),
                        kind: of_kind[0].kind.to_string(),
                        sheets: of_kind.iter().map(|s| s.name.clone()).collect(),
                    });
                }
                lead
            }
        };
        let (main, header_row, round) = match picked {
            Some(s) => (s.name.clone(), Some(s.header_row), s.round.clone()),
            None => (first, None, None),
        };
        let (headers, rows, mut formula_values) = read_sheet(&mut workbook, &main, header_row)
            .map_err(|e| unreadable(format!("sheet `{}` cannot be read: {e}", shown(&main))))?;
        if headers.is_empty() {
            return Err(IngestError::Unreadable {
                path: path.to_path_buf(),
                reason: format!("sheet `{}` is empty", shown(&main)),
                hint: "this workbook holds no data: fill in the sheet, or ask for the workbook \
                       that has the data, and load that"
                    .into(),
            });
        }
        let mut table = Table {
            path: path.to_path_buf(),
            headers,
            body: Body::Sheet { rows },
            repeats: Vec::new(),
            extra: Vec::new(),
            records_above: 0,
            header_line: 1,
            formula_values: Vec::new(),
        };
        if recalculate {
            formula_values.truncate(table.headers.len());
            table.formula_values = formula_values;
        }
        // Each row of a round's sheet is of that round, as its name says,
        // read as a `wave` cell would be.
        if let Some(round) = round {
            table.add_column("wave".into(), HashMap::new(), round);
        }
        // Kobo: one more sheet per repeat group, `_parent_index` → `_index`.
        if sheet_names.len() > 1 && table.headers.iter().any(|h| h == "_index") {
            let index_of_row = table.column_values("_index")?;
            let mut repeats = Vec::new();
            for name in sheet_names.iter().filter(|n| **n != main) {
                let (headers, rows, _) = read_sheet(&mut workbook, name, None).map_err(|e| {
                    unreadable(format!("sheet `{}` cannot be read: {e}", shown(name)))
                })?;
                if !kobo_repeat(&headers) {
                    continue;
                }
                let rows = rows
                    .into_iter()
                    .map(|(row, cells)| (row, cells.iter().map(|c| cell_text(c).0).collect()))
                    .filter(|(_, cells): &(u64, Vec<String>)| {
                        cells.iter().any(|c| !c.trim().is_empty())
                    })
                    .collect();
                repeats.push((name.clone(), headers, rows));
            }
            let sheets: Vec<String> = repeats.iter().map(|(n, _, _)| n.clone()).collect();
            // `_parent_table_name` names the main table by the form's title
            // and a repeat by its group name, which the sheet name may cut.
            let repeat_sheet_of =
                |parent: &str| sheets.iter().find(|s| sheet_is_group(s, parent)).cloned();
            table.repeats = link_repeats(
                repeats,
                &index_of_row,
                "_parent_index",
                "_index",
                Some(&repeat_sheet_of),
            );
        }
        Ok(table)
    }

    /// Calls `f(row_number, cells, numeric)` for every data row; row numbers are
    /// 1-based with the header as row 1, as a spreadsheet shows them. `numeric[i]`
    /// says cell `i` was a number cell in a workbook. Rows of only empty cells
    /// are skipped; a second header row of HXL `#tags` (Kobo) is skipped.
    pub fn for_each_row(
        &self,
        mut f: impl FnMut(u64, &[&str], &[bool]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        match &self.body {
            Body::Csv { text, delimiter } => {
                self.for_each_csv_row(text.as_bytes(), *delimiter, f)?;
            }
            Body::CsvFile { bom, delimiter } => {
                let file = Self::csv_file(&self.path, *bom).map_err(|source| IngestError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                self.for_each_csv_row(file, *delimiter, f)?;
            }
            Body::Sheet { rows } => {
                let mut texts: Vec<String> = Vec::new();
                let mut numeric: Vec<bool> = Vec::new();
                for (n, (row, cells)) in rows.iter().enumerate() {
                    let row = *row;
                    texts.clear();
                    numeric.clear();
                    for cell in cells {
                        let (text, is_number) = cell_text(cell);
                        texts.push(text);
                        numeric.push(is_number);
                    }
                    if n == 0 && is_hxl_row(texts.iter().map(String::as_str)) {
                        continue;
                    }
                    if texts.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let mut refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    self.push_extra(row, &mut refs);
                    numeric.resize(refs.len(), false);
                    f(row, &refs, &numeric)?;
                }
            }
        }
        Ok(())
    }
}

impl Table {
    /// [`Table::for_each_row`] with each row as the record it was read into,
    /// which the next row reuses: a reader that passes rows to other threads
    /// copies the record's one string of cells, allocating nothing per row.
    pub fn for_each_record(
        &self,
        mut f: impl FnMut(u64, &csv::StringRecord, &[bool]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let mut by_ref =
            |row: u64, record: &mut csv::StringRecord, numeric: &[bool]| f(row, record, numeric);
        match &self.body {
            Body::Csv { text, delimiter } => {
                self.for_each_csv_record(text.as_bytes(), *delimiter, &mut by_ref)
            }
            Body::CsvFile { bom, delimiter } => {
                let file = Self::csv_file(&self.path, *bom).map_err(|source| IngestError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                self.for_each_csv_record(file, *delimiter, &mut by_ref)
            }
            Body::Sheet { .. } => {
                let mut record = csv::StringRecord::new();
                self.for_each_row(|row, cells, numeric| {
                    record.clear();
                    for cell in cells {
                        record.push_field(cell);
                    }
                    f(row, &record, numeric)
                })
            }
        }
    }

    /// [`Table::for_each_row`] of a CSV body read from `input`.
    fn for_each_csv_row(
        &self,
        input: impl std::io::Read,
        delimiter: u8,
        mut f: impl FnMut(u64, &[&str], &[bool]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        self.for_each_csv_record(input, delimiter, |row, record, numeric| {
            let cells: Vec<&str> = record.iter().collect();
            f(row, &cells, numeric)
        })
    }

    /// The rows of a CSV body read from `input`, each in the record it was
    /// read into (with the added columns' cells), which `f` may take.
    fn for_each_csv_record(
        &self,
        input: impl std::io::Read,
        delimiter: u8,
        mut f: impl FnMut(u64, &mut csv::StringRecord, &[bool]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let mut reader = csv_reader(input, delimiter);
        let width = self.headers.len() - self.extra.len();
        let mut record = csv::StringRecord::new();
        let mut numeric: Vec<bool> = Vec::new();
        // A title above the header: its records and the header are passed.
        let header_line = self.header_line;
        for _ in 0..self.records_above {
            if !reader
                .read_record(&mut record)
                .map_err(|e| csv_error(&self.path, e))?
            {
                break;
            }
        }
        let mut row = header_line;
        // The lines that cells written over several lines took beyond their
        // record's first, so far.
        let mut folded = 0;
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(&self.path, e))?
        {
            let line = record.position().map_or(0, csv::Position::line);
            // A row is named as a spreadsheet opening the file shows it: a
            // blank line is a row of its own (the reader passes it without a
            // record, so counting records named a row after blank lines by
            // one above it), and a record whose cell runs over several lines
            // is one row. Without such cells, the row is the line.
            row = line.saturating_sub(folded).max(row + 1);
            // The reader's position is past the blank lines after the
            // record too: the lines within it are its cells' line breaks.
            let lines = reader.position().line().saturating_sub(line);
            if lines > 1 {
                folded += record.as_slice().bytes().filter(|&b| b == b'\n').count() as u64;
            }
            if record.len() != width || lines > 1 {
                self.check_shape(&record, width, line, lines, delimiter)?;
            }
            if row == header_line + 1 && is_hxl_row(record.iter()) {
                continue;
            }
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if !self.extra.is_empty() {
                // Cells left out at the end are empty; then the added columns.
                while record.len() < width {
                    record.push_field("");
                }
                for (column, default) in &self.extra {
                    record.push_field(column.get(&row).unwrap_or(default));
                }
            }
            numeric.resize(record.len(), false);
            f(row, &mut record, &numeric)?;
        }
        Ok(())
    }

    /// Refuses a file whose record has more cells than the header (a stray
    /// separator or quote shifted the columns), or spans several lines with
    /// another number of cells or with a cell holding what looks like whole
    /// rows (a quote opened and closed many rows later, swallowing them into
    /// one cell). A one-line record with fewer cells (trailing empty cells
    /// left out) is read with those cells empty; a cell with a line break in
    /// a record of the right shape is an answer written over several lines.
    fn check_shape(
        &self,
        record: &csv::StringRecord,
        width: usize,
        line: u64,
        lines: u64,
        delimiter: u8,
    ) -> Result<(), IngestError> {
        let swallowed_rows = || {
            let separators = width.saturating_sub(1).max(2);
            record.iter().any(|cell| {
                cell.lines()
                    .skip(1)
                    .any(|l| l.bytes().filter(|b| *b == delimiter).count() >= separators)
            })
        };
        if lines <= 1 && record.len() < width {
            return Ok(());
        }
        if lines > 1 && record.len() == width && !swallowed_rows() {
            return Ok(());
        }
        let reason = if lines > 1 {
            format!(
                "line {line}: a quote (\") opens a cell that runs over {lines} lines and holds {} cells where the header has {width}: \
                 a quote was left open, and the rows after it would be read as one cell",
                record.len()
            )
        } else {
            format!(
                "line {line}: {} cells where the header has {width}: a separator or quote too many shifts the columns",
                record.len()
            )
        };
        Err(IngestError::Unreadable {
            path: self.path.clone(),
            reason,
            hint: "open the file in a text editor at that line, remove or close the stray quote or separator, and load it again".into(),
        })
    }

    /// Appends the added columns' cells of `row`, after padding the row to
    /// the width of the file's own header.
    fn push_extra<'a>(&'a self, row: u64, cells: &mut Vec<&'a str>) {
        if self.extra.is_empty() {
            return;
        }
        cells.resize(self.headers.len() - self.extra.len(), "");
        for (column, default) in &self.extra {
            cells.push(column.get(&row).unwrap_or(default));
        }
    }
}

/// Finds the Kobo sheet of a `_parent_table_name`, when it is a repeat's.
type SheetOf<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// A repeat table as read: name, headers and (row number, cells).
type RawRepeat = (String, Vec<String>, Vec<(u64, Vec<String>)>);

/// Whether a Kobo sheet holds the repeat group `group`: the sheet name is the
/// group name, or its first 31 characters (Excel's limit).
pub(crate) fn sheet_is_group(sheet: &str, group: &str) -> bool {
    sheet.eq_ignore_ascii_case(group)
        || (sheet.chars().count() >= 31 && group.to_lowercase().starts_with(&sheet.to_lowercase()))
}

/// Links every repeat row to the main table's row it belongs to, following
/// nested repeats up. A row's `parent_column` names a main row (by the main
/// table's `own_column` value, `main_rows`) or a row of another repeat table.
/// ODK's keys are unique across tables (`repeat_sheet_of` is `None`); Kobo's
/// `_index` counts per sheet, so its keys are qualified by the sheet that
/// `repeat_sheet_of` finds for a `_parent_table_name`.
fn link_repeats(
    repeats: Vec<RawRepeat>,
    main_rows: &HashMap<String, u64>,
    parent_column: &str,
    own_column: &str,
    repeat_sheet_of: Option<&SheetOf<'_>>,
) -> Vec<RepeatTable> {
    // Every row's own key and the key of its parent.
    let keys: Vec<Vec<(String, String)>> = repeats
        .iter()
        .map(|(name, headers, rows)| {
            let column = |want: &str| headers.iter().position(|h| h == want);
            let (own, parent) = (column(own_column), column(parent_column));
            let table = column("_parent_table_name");
            rows.iter()
                .map(|(_, cells)| {
                    let cell =
                        |i: Option<usize>| i.and_then(|i| cells.get(i)).map_or("", |c| c.trim());
                    match repeat_sheet_of {
                        None => (cell(own).to_string(), cell(parent).to_string()),
                        Some(sheet_of) => (
                            format!("{name}\u{1f}{}", cell(own)),
                            match sheet_of(cell(table)) {
                                Some(sheet) => format!("{sheet}\u{1f}{}", cell(parent)),
                                None => cell(parent).to_string(),
                            },
                        ),
                    }
                })
                .collect()
        })
        .collect();
    let parent_of: HashMap<&str, &str> = keys
        .iter()
        .flatten()
        .map(|(own, parent)| (own.as_str(), parent.as_str()))
        .collect();
    let resolve = |start: &str| -> Option<u64> {
        let mut key = start;
        for _ in 0..32 {
            if let Some(row) = main_rows.get(key) {
                return Some(*row);
            }
            key = parent_of.get(key)?;
        }
        None
    };
    repeats
        .into_iter()
        .zip(&keys)
        .map(|((name, headers, rows), keys)| {
            let parent = headers.iter().position(|h| h == parent_column);
            let rows = rows
                .into_iter()
                .zip(keys)
                .map(|((row, cells), (_, parent_key))| RepeatRow {
                    row,
                    parent_row: resolve(parent_key),
                    parent_ref: parent
                        .and_then(|i| cells.get(i))
                        .map_or("", |c| c.trim())
                        .to_string(),
                    cells,
                })
                .collect();
            RepeatTable {
                name: name.chars().take(64).collect(),
                headers,
                rows,
                parent_column: parent_column.to_string(),
            }
        })
        .collect()
}

fn csv_reader<R: std::io::Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        // A file is read 1 MiB at a time.
        .buffer_capacity(1 << 20)
        .from_reader(input)
}

/// The delimiter (sniffed from the first line of `start`) and the trimmed
/// header of a CSV file, read from the `input` it opens.
fn csv_header<R: std::io::Read>(
    path: &Path,
    start: &str,
    input: impl FnOnce() -> Result<R, IngestError>,
) -> Result<(u8, Vec<String>), IngestError> {
    let first_line = start.lines().next().unwrap_or_default();
    if first_line.trim().is_empty() {
        return Err(IngestError::Unreadable {
            path: path.to_path_buf(),
            reason: "the file is empty or its first line is blank".into(),
            hint: "export the data again with its header row".into(),
        });
    }
    let delimiter = sniff_delimiter(first_line);
    let mut reader = csv_reader(input()?, delimiter);
    let record = reader.headers().map_err(|e| csv_error(path, e))?;
    Ok((
        delimiter,
        record.iter().map(|h| h.trim().to_string()).collect(),
    ))
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The first bytes of a zip archive (a workbook, an ODK `.csv.zip`).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether `path` starts as a zip archive does, from its first four bytes.
pub(crate) fn starts_as_zip(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(ZIP_MAGIC.len());
    std::fs::File::open(path)?
        .take(ZIP_MAGIC.len() as u64)
        .read_to_end(&mut head)?;
    Ok(head == ZIP_MAGIC)
}

/// What [`scan`] learns of a file in one pass, without holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// The SHA-256 of its bytes, in hex: the same file loaded again is known.
    pub sha256: String,
    /// Whether its bytes are UTF-8 (a byte-order mark allowed): only then is a
    /// CSV read as it is parsed; other text is decoded whole ([`decode`]).
    pub utf8: bool,
    /// Whether it starts as a zip archive does (a workbook, an ODK
    /// `.csv.zip`), which is read whole.
    pub zip: bool,
    /// Its size and modification time as it was scanned; `None` when they
    /// changed while it was (a file still being written or copied).
    pub stamp: Option<Stamp>,
}

impl Scanned {
    /// Whether the file is read as it is parsed (a UTF-8 CSV file), not
    /// read whole and decoded.
    pub fn streamed(&self) -> bool {
        self.utf8 && !self.zip
    }
}

/// A file's size and modification time: whether it changed between its
/// scan and the end of its load, so that the hash stored with its rows is
/// that of the bytes they were read from. A rewrite of the same size within
/// the same tick of the file system's clock (a few milliseconds on Linux)
/// goes unseen: a file still being written grows, or is replaced later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }

    /// `path`'s stamp now; `None` when it cannot be read.
    pub fn now(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }
}

/// Reads `path` once, `buffer` bytes at a time, for its [`Scanned`] facts.
pub fn scan(path: &Path, buffer: usize) -> std::io::Result<Scanned> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let before = Stamp::of(&file.metadata()?);
    let mut hash = sha2::Sha256::new();
    let mut chunk = vec![0u8; buffer.max(1)];
    let mut utf8 = Utf8Check::default();
    // The first bytes, however few each read gives.
    let mut head = Vec::with_capacity(ZIP_MAGIC.len());
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        let bytes = &chunk[..n];
        let more = (ZIP_MAGIC.len() - head.len()).min(n);
        head.extend_from_slice(&bytes[..more]);
        // The hash and the UTF-8 check take about as long as each other:
        // on two cores, side by side (starting a thread per piece is small
        // against hashing a whole buffer).
        std::thread::scope(|both| {
            both.spawn(|| hash.update(bytes));
            utf8.feed(bytes);
        });
    }
    let after = Stamp::of(&file.metadata()?);
    Ok(Scanned {
        sha256: hex::encode(hash.finalize()),
        utf8: utf8.finish(),
        zip: head == ZIP_MAGIC,
        stamp: (before == after).then_some(before),
    })
}

/// Whether bytes given a piece at a time are UTF-8, a character cut
/// between two pieces included.
#[derive(Default)]
struct Utf8Check {
    /// The start of a character the last piece ended in.
    cut: Vec<u8>,
    invalid: bool,
}

impl Utf8Check {
    fn feed(&mut self, mut bytes: &[u8]) {
        if self.invalid {
            return;
        }
        if let Some(&lead) = self.cut.first() {
            let width = match lead {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let take = (width - self.cut.len()).min(bytes.len());
            self.cut.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.cut.len() < width {
                return;
            }
            if std::str::from_utf8(&self.cut).is_err() {
                self.invalid = true;
                return;
            }
            self.cut.clear();
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            // Only a character cut by the end: kept for the next piece.
            Err(e) if e.error_len().is_none() => {
                self.cut.extend_from_slice(&bytes[e.valid_up_to()..]);
            }
            Err(_) => self.invalid = true,
        }
    }

    fn finish(self) -> bool {
        !self.invalid && self.cut.is_empty()
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    let row = e.position().map(|p| p.record() + 1);
    IngestError::Unreadable {
        path: path.to_path_buf(),
        reason: match row {
            Some(r) => format!("CSV error at row {r}: {e}"),
            None => format!("CSV error: {e}"),
        },
        hint: "check the quoting around that row (a quote opened and never closed?)".into(),
    }
}

/// UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Windows-1252,
/// which is what Excel writes for "CSV" on an Indonesian Windows. A UTF-8
/// file with a few stray bytes (more valid accented letters than bad bytes)
/// stays UTF-8, each stray byte becoming U+FFFD, which the row checks flag in
/// its cell, instead of turning every accented name into mojibake.
pub fn decode(bytes: &[u8]) -> String {
    decode_owned(bytes.to_vec())
}

/// [`decode`] of bytes that are taken: valid UTF-8 is not copied.
pub fn decode_owned(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.as_bytes();
            let (mut accented, mut stray) = (0usize, 0usize);
            for chunk in bytes.utf8_chunks() {
                accented += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
                stray += usize::from(!chunk.invalid().is_empty());
            }
            if accented > stray {
                String::from_utf8_lossy(bytes).into_owned()
            } else {
                encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned()
            }
        }
    }
}

/// The separator used most often outside quotes in the header line.
fn sniff_delimiter(line: &str) -> u8 {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

fn is_hxl_row<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    let all = cells.all(|c| {
        let c = c.trim();
        any |= !c.is_empty();
        c.is_empty() || c.starts_with('#')
    });
    all && any
}

/// The text of a workbook cell and whether it was a number cell. Whole numbers
/// print without `.0`; dates print as ISO 8601 (1900 and 1904 systems).
pub(crate) fn cell_text(cell: &Data) -> (String, bool) {
    match cell {
        Data::Empty => (String::new(), false),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => (s.clone(), false),
        Data::Int(i) => (i.to_string(), true),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (format!("{}", *f as i64), true),
        Data::Float(f) => (f.to_string(), true),
        Data::Bool(b) => (if *b { "1" } else { "0" }.to_string(), false),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            (
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}"),
                false,
            )
        }
        // As Excel shows it (`#N/A`), which the checks know as an error.
        Data::Error(e) => (e.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows as `for_each_row` reads them, checked to be those that
    /// `for_each_record` hands over (which the ingest's reader uses).
    fn rows(t: &Table) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        t.for_each_row(|row, cells, _| {
            out.push((row, cells.iter().map(|c| c.to_string()).collect()));
            Ok(())
        })
        .unwrap();
        let mut records = Vec::new();
        t.for_each_record(|row, record, _| {
            records.push((row, record.iter().map(|c| c.to_string()).collect()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            records, out,
            "for_each_record reads the rows for_each_row does"
        );
        out
    }

    #[test]
    fn added_columns_follow_the_cells_a_short_row_left_out() {
        let text = "a,b,c\n1,2,3\n4\n,,\n5,6,7\n";
        let mut t = Table::read(Path::new("s.csv"), text.as_bytes(), Container::Csv).unwrap();
        t.add_column(
            "n".into(),
            HashMap::from([(2, "two".to_string()), (5, "five".to_string())]),
            "0".into(),
        );
        let r = rows(&t);
        let cells = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            r,
            [
                (2, cells(&["1", "2", "3", "two"])),
                (3, cells(&["4", "", "", "0"])),
                (5, cells(&["5", "6", "7", "five"])),
            ]
        );
    }

    #[test]
    fn kobo_csv_with_semicolons_crlf_and_newlines_in_quotes() {
        let text = "\"a\";\"b/c\";\"_uuid\"\r\n\"1\";\"two\r\nlines\";\"u1\"\r\n\"\";\"\";\"\"\r\n\"3\";\"x;y\";\"u3\"\r\n";
        let t = Table::read(Path::new("k.csv"), text.as_bytes(), Container::Csv).unwrap();
        assert_eq!(t.headers, ["a", "b/c", "_uuid"]);
        let r = rows(&t);
        assert_eq!(r.len(), 2, "the blank row is skipped");
        assert_eq!(
            r[0],
            (2, vec!["1".into(), "two\r\nlines".into(), "u1".into()])
        );
        assert_eq!(r[1].0, 4);
        assert_eq!(r[1].1[1], "x;y");
    }

    #[test]
    fn bom_windows_1252_and_comma_sniffing() {
        let mut bytes = b"\xEF\xBB\xBFid,nama\n1,Bu Sri\n".to_vec();
        let t = Table::read(Path::new("a.csv"), bytes.clone(), Container::Csv).unwrap();
        assert_eq!(t.headers, ["id", "nama"]);
        bytes = b"id;nama\n1;Caf\xe9 Ibu\n".to_vec();
        let t = Table::read(Path::new("b.csv"), bytes.clone(), Container::Csv).unwrap();
        assert_eq!(rows(&t)[0].1[1], "Caf\u{e9} Ibu");
    }

    #[test]
    fn a_scan_hashes_the_file_and_finds_utf8_whatever_the_pieces_it_reads() {
        use sha2::Digest;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        // Characters of two, three and four bytes, cut at every place.
        let text = "nama;kota\nJos\u{e9};Caf\u{e9} \u{20ac}5\n\u{1F600};\u{e9}\n";
        let valid = text.as_bytes().to_vec();
        let mut stray = valid.clone();
        stray[text.find('J').unwrap()] = 0x92;
        let mut cut = valid.clone();
        cut.extend_from_slice(&"\u{20ac}".as_bytes()[..2]);
        let mut bad_second = valid.clone();
        bad_second.extend_from_slice(b"\xC3(");
        for (bytes, utf8) in [
            (&valid, true),
            (&stray, false),
            (&cut, false),
            (&bad_second, false),
        ] {
            std::fs::write(&path, bytes).unwrap();
            for buffer in 1..=9 {
                let scanned = scan(&path, buffer).unwrap();
                assert_eq!(scanned.utf8, utf8, "{buffer}-byte pieces of {bytes:?}");
                assert_eq!(scanned.utf8, std::str::from_utf8(bytes).is_ok());
                assert_eq!(scanned.sha256, hex::encode(sha2::Sha256::digest(bytes)));
                assert!(!scanned.zip);
            }
        }
        std::fs::write(&path, b"PK\x03\x04rest").unwrap();
        assert!(scan(&path, 2).unwrap().zip);
    }

    #[test]
    fn a_csv_read_from_its_file_gives_the_rows_read_from_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let bytes = "\u{feff}id;nama;catatan\r\n1;Bu Sri;\"dua\r\nbaris\"\r\n;;\r\n2;Caf\u{e9} Ibu;x\n3;Pak Budi\n"
            .as_bytes()
            .to_vec();
        std::fs::write(&path, &bytes).unwrap();
        let streamed = Table::open_csv(&path).unwrap();
        let whole = Table::read(&path, bytes, Container::Csv).unwrap();
        assert_eq!(streamed.headers, ["id", "nama", "catatan"]);
        assert_eq!(streamed.headers, whole.headers);
        assert_eq!(rows(&streamed), rows(&whole));
        assert_eq!(rows(&streamed).len(), 3, "{:?}", rows(&streamed));
        assert_eq!(rows(&streamed)[0].1[2], "dua\r\nbaris");
        for empty in ["", "\u{feff}", "\n\nid\n1\n"] {
            std::fs::write(&path, empty).unwrap();
            let err = Table::open_csv(&path).err().expect("refused");
            assert!(
                err.to_string().contains("empty or its first line is blank"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_stray_byte_in_utf8_keeps_the_other_accents() {
        let bytes = "nama\nJos\u{e9}\nCaf\u{e9} \u{e9}t\u{e9}\nBu \x01\n"
            .replace('\x01', "X")
            .into_bytes();
        let mut bytes = bytes;
        let at = bytes.iter().position(|b| *b == b'X').unwrap();
        bytes[at] = 0x92; // a Windows-1252 apostrophe
        let text = decode(&bytes);
        assert!(
            text.contains("Jos\u{e9}") && text.contains("Caf\u{e9} \u{e9}t\u{e9}"),
            "{text}"
        );
        assert!(text.contains("Bu \u{fffd}"), "{text}");
    }

    #[test]
    fn a_quote_left_open_or_a_shifted_row_refuses_the_file_at_its_line() {
        let mut text = String::from("kpm_id,nik,kpm_name\nK1,1,\"Siti\n");
        for i in 2..100 {
            text.push_str(&format!("K{i},{i},Nama {i}\n"));
        }
        text.push_str("K100,100,Akhir\"\n");
        let t = Table::read(Path::new("q.csv"), text.as_bytes(), Container::Csv).unwrap();
        let err = t.for_each_row(|_, _, _| Ok(())).unwrap_err().to_string();
        assert!(
            err.contains("q.csv") && err.contains("line 2") && err.contains("quote"),
            "{err}"
        );
        assert!(!err.contains("Nama"), "no cell is printed: {err}");
        let t = Table::read(
            Path::new("s.csv"),
            b"a,b\n1,2\n3,4,5\n".as_slice(),
            Container::Csv,
        )
        .unwrap();
        let err = t.for_each_row(|_, _, _| Ok(())).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("3 cells"), "{err}");
        // A short row on one line is read with its missing cells empty.
        let t = Table::read(
            Path::new("o.csv"),
            b"a,b,c\n1,2\n".as_slice(),
            Container::Csv,
        )
        .unwrap();
        assert_eq!(rows(&t), vec![(2, vec!["1".to_string(), "2".to_string()])]);
    }

    #[test]
    fn hxl_tag_row_is_skipped_and_empty_file_refused() {
        let t = Table::read(Path::new("h.csv"), b"a;b\n#id;\n1;2\n", Container::Csv).unwrap();
        assert_eq!(rows(&t), vec![(3, vec!["1".to_string(), "2".to_string()])]);
        let err = Table::read(Path::new("e.csv"), b"", Container::Csv)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("e.csv") && err.contains("empty"), "{err}");
    }

    /// A workbook with one date-time cell, in the 1900 or the 1904 date system
    /// (rust_xlsxwriter writes 1900; the flag is set in workbook.xml after).
    fn workbook_with_date(serial: f64, system_1904: bool) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "_submission_time").unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet
            .write_number_with_format(1, 0, serial, &format)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        if !system_1904 {
            return bytes;
        }
        patch_zip(bytes, "xl/workbook.xml", |text| {
            let patched = text.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
            assert_ne!(patched, text);
            patched
        })
    }

    #[test]
    fn excel_dates_of_the_1900_and_the_1904_systems_read_as_the_same_time() {
        // 2021-09-13 08:00 is serial 44452.333… (1900) and 42990.333… (1904).
        for (serial, system_1904) in [(44452.0 + 8.0 / 24.0, false), (42990.0 + 8.0 / 24.0, true)] {
            let bytes = workbook_with_date(serial, system_1904);
            let t = Table::read(Path::new("w.xlsx"), bytes, Container::Xlsx).unwrap();
            assert_eq!(
                rows(&t)[0].1[0],
                "2021-09-13T08:00:00.000",
                "1904 system: {system_1904}"
            );
        }
    }

    #[test]
    fn a_sheet_named_by_a_nik_is_named_masked() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().set_name("3217055208850012").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = Table::read(Path::new("w.xlsx"), bytes, Container::Xlsx)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sheet `3217********0012` is empty"), "{err}");
        // Nothing to save again: the data is elsewhere.
        assert!(err.contains("hint: this workbook holds no data"), "{err}");
    }

    /// `bytes` (a ZIP) with `name`'s content passed through `patch`.
    fn patch_zip(bytes: Vec<u8>, name: &str, patch: impl Fn(String) -> String) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut input = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..input.len() {
            let mut entry = input.by_index(i).unwrap();
            let entry_name = entry.name().unwrap().to_string();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            if entry_name == name {
                data = patch(String::from_utf8(data).unwrap()).into_bytes();
            }
            out.start_file(entry_name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn sheet(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, text) in cells {
            sheet.write_string(*r, *c, *text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// A formula whose value was never saved (openpyxl writes `<v />`, a
    /// program may write no `<v>` at all) reads as its formula, which the
    /// checks refuse; before, it read as an empty cell. A formula with its
    /// value reads as the value; a shared formula's cells as its text.
    #[test]
    fn a_formula_without_its_value_reads_as_the_formula() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in ["kpm_id", "revenue", "income"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..=3u32 {
            ws.write_string(r, 0, format!("K{r}")).unwrap();
            ws.write_number(r, 1, 1000.0 * f64::from(r)).unwrap();
        }
        ws.write_formula(
            1,
            2,
            rust_xlsxwriter::Formula::new("=B2*0.4").set_result("400"),
        )
        .unwrap();
        ws.write_formula(2, 2, "=B3*0.4").unwrap();
        ws.write_formula(3, 2, "=B4*0.4").unwrap();
        let bytes = patch_zip(
            book.save_to_buffer().unwrap(),
            "xl/worksheets/sheet1.xml",
            |xml| {
                // C3 as openpyxl writes it, C4 with no value at all.
                let patched = xml
                    .replacen("<f>B3*0.4</f><v>0</v>", "<f>B3*0.4</f><v />", 1)
                    .replacen("<f>B4*0.4</f><v>0</v>", "<f>B4*0.4</f>", 1);
                assert!(
                    patched.contains("<v />") && patched.contains("0.4</f></c>"),
                    "{xml}"
                );
                patched
            },
        );
        let t = Table::read(Path::new("f.xlsx"), bytes, Container::Xlsx).unwrap();
        let income: Vec<String> = rows(&t)
            .into_iter()
            .map(|(_, cells)| cells[2].clone())
            .collect();
        assert_eq!(income, ["400", "=B3*0.4", "=B4*0.4"]);
        // Shared: the first cell holds the text, the others its index.
        let shared = sheet(&[
            (0, 0, "kpm_id"),
            (0, 1, "income"),
            (1, 0, "K1"),
            (2, 0, "K2"),
        ]);
        let shared = patch_zip(shared, "xl/worksheets/sheet1.xml", |xml| {
            let patched = xml
                .replacen(
                    "</row><row r=\"3\"",
                    "<c r=\"B2\"><f t=\"shared\" ref=\"B2:B3\" si=\"0\">A2&amp;\"x\"</f></c></row><row r=\"3\"",
                    1,
                )
                .replacen("</row></sheetData>", "<c r=\"B3\"><f t=\"shared\" si=\"0\"/></c></row></sheetData>", 1);
            assert_eq!(patched.matches("si=\"0\"").count(), 2, "{xml}");
            patched
        });
        let t = Table::read(Path::new("s.xlsx"), shared, Container::Xlsx).unwrap();
        let income: Vec<String> = rows(&t)
            .into_iter()
            .map(|(_, cells)| cells[1].clone())
            .collect();
        assert_eq!(income, ["=A2&\"x\"", "=A2&\"x\""]);
    }

    /// A workbook that asks to be calculated again when it is opened
    /// (XlsxWriter's, which saves 0 as every formula's value; rust_xlsxwriter
    /// asks it too) names the columns whose data cells hold formulas with
    /// saved values, how many each; one that Excel saved calculated (no
    /// flag) names none. The flag is found with a namespace prefix and as
    /// `true`; a formula in the header, or past it, is not counted.
    #[test]
    fn a_workbook_that_asks_to_be_recalculated_names_its_formulas() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "kpm_id").unwrap();
        ws.write_string(0, 1, "revenue").unwrap();
        ws.write_formula(
            0,
            2,
            rust_xlsxwriter::Formula::new("=\"income\"").set_result("income"),
        )
        .unwrap();
        for r in 1..=3u32 {
            ws.write_string(r, 0, format!("K{r}")).unwrap();
            ws.write_number(r, 1, 1000.0 * f64::from(r)).unwrap();
            ws.write_formula(r, 2, format!("=B{}*0.4", r + 1).as_str())
                .unwrap();
        }
        ws.write_formula(1, 5, "=1+1").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let flagged = |bytes: Vec<u8>| {
            let t = Table::read(Path::new("f.xlsx"), bytes, Container::Xlsx).unwrap();
            assert_eq!(t.headers, ["kpm_id", "revenue", "income"]);
            t.formulas_to_recalculate().collect::<Vec<_>>()
        };
        assert_eq!(flagged(bytes.clone()), [(2, 3)]);
        let calc = "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/>";
        let with = |element: &'static str| {
            patch_zip(bytes.clone(), "xl/workbook.xml", move |xml| {
                assert!(xml.contains(calc), "{xml}");
                xml.replacen(calc, element, 1)
            })
        };
        assert_eq!(flagged(with("<calcPr calcId=\"191029\"/>")), []);
        assert_eq!(flagged(with("<calcPr fullCalcOnLoad=\"0\"/>")), []);
        assert_eq!(
            flagged(with(
                "<x:calcPr xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" fullCalcOnLoad=\"true\"/>"
            )),
            [(2, 3)]
        );
    }

    /// A header written over two rows: a group's name merged across its
    /// columns above (here the last columns, past the upper row's last
    /// name), their names below, the other columns merged down. Read as one
    /// header, where the lower names were a data row refused for its empty
    /// id and the group's columns were cut off. A data row right under a
    /// header is never taken for one.
    #[test]
    fn a_header_written_over_two_rows_reads_as_one() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        let plain = rust_xlsxwriter::Format::new();
        ws.merge_range(0, 0, 1, 0, "kpm_id", &plain).unwrap();
        ws.merge_range(0, 1, 1, 1, "wave", &plain).unwrap();
        ws.merge_range(0, 2, 0, 3, "Pendapatan (Rp/bulan)", &plain)
            .unwrap();
        ws.write_string(1, 2, "business_revenue").unwrap();
        ws.write_string(1, 3, "business_income").unwrap();
        ws.write_string(2, 0, "K1").unwrap();
        ws.write_string(2, 1, "baseline").unwrap();
        ws.write_number(2, 2, 2_000_000.0).unwrap();
        ws.write_number(2, 3, 800_000.0).unwrap();
        let t = Table::read(
            Path::new("two.xlsx"),
            book.save_to_buffer().unwrap(),
            Container::Xlsx,
        )
        .unwrap();
        assert_eq!(
            t.headers,
            ["kpm_id", "wave", "business_revenue", "business_income"]
        );
        let text = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows(&t),
            vec![(3, text(&["K1", "baseline", "2000000", "800000"]))]
        );

        let names = |row: &[&str]| text(row);
        let upper = names(&["kpm_id", "wave", "Pendapatan", "", "saves"]);
        assert_eq!(
            two_row_header(
                &upper,
                &names(&["", "", "business_revenue", "business_income", ""])
            ),
            Some(names(&[
                "kpm_id",
                "wave",
                "business_revenue",
                "business_income",
                "saves"
            ]))
        );
        // Data: a value under a named column, a number, one name alone.
        for lower in [
            ["K1", "", "business_revenue", "business_income", ""],
            ["", "", "2000000", "business_income", ""],
            ["", "", "", "business_income", ""],
            ["", "", "x", "", "ya"],
        ] {
            assert_eq!(two_row_header(&upper, &names(&lower)), None, "{lower:?}");
        }
        // A first data row under a one-row header stays a row.
        let t = Table::read(
            Path::new("one.xlsx"),
            sheet(&[
                (0, 0, "kpm_id"),
                (0, 1, "wave"),
                (1, 0, "K1"),
                (1, 1, "baseline"),
            ]),
            Container::Xlsx,
        )
        .unwrap();
        assert_eq!(rows(&t), vec![(2, text(&["K1", "baseline"]))]);
    }

    /// A KPM's id and name merged down beside its rounds, as sheets are
    /// laid out by hand: every row of the merge reads them. A merge across
    /// columns fills its first column only; no row is made for a merge
    /// alone; a Kobo export is not read for merges.
    #[test]
    fn cells_merged_down_read_in_every_row_they_span() {
        let workbook = |headers: &[&str]| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let plain = rust_xlsxwriter::Format::new();
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string(0, c as u16, *h).unwrap();
            }
            sheet.merge_range(1, 0, 3, 0, "K1", &plain).unwrap();
            sheet.merge_range(1, 1, 3, 1, "Sri", &plain).unwrap();
            for (r, wave) in [(1, "baseline"), (2, "monitoring_1"), (3, "endline")] {
                sheet.write_string(r, 2, wave).unwrap();
            }
            // K2's row, its answer merged across two columns, then a merge
            // over rows that hold no other cell.
            sheet.write_string(4, 0, "K2").unwrap();
            sheet.write_string(4, 2, "baseline").unwrap();
            sheet.merge_range(4, 3, 4, 4, "tidak ada", &plain).unwrap();
            sheet.merge_range(5, 0, 7, 0, "K3", &plain).unwrap();
            book.save_to_buffer().unwrap()
        };
        let t = Table::read(
            Path::new("merged.xlsx"),
            workbook(&["kpm_id", "nama", "wave", "a", "b"]),
            Container::Xlsx,
        )
        .unwrap();
        let text = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows(&t),
            vec![
                (2, text(&["K1", "Sri", "baseline"])),
                (3, text(&["K1", "Sri", "monitoring_1"])),
                (4, text(&["K1", "Sri", "endline"])),
                (5, text(&["K2", "", "baseline", "tidak ada"])),
                (6, text(&["K3"])),
            ]
        );
        let export = Table::read(
            Path::new("kobo.xlsx"),
            workbook(&["kpm_id", "nama", "wave", "a", "_uuid"]),
            Container::Xlsx,
        )
        .unwrap();
        assert_eq!(rows(&export)[1], (3, text(&["", "", "monitoring_1"])));
        // A sheet whose rows leave no cell empty below a full one has no
        // merge to fill, and is not read again for one.
        let data = |cells: &[&str]| cells.iter().map(|c| Data::String(c.to_string())).collect();
        let mut full: SheetRows = vec![(2, data(&["K1", "a"])), (3, data(&["K2", "b"]))];
        assert!(!empty_below_full(&full, 2));
        full.push((4, vec![Data::Empty, Data::String("c".into())]));
        assert!(empty_below_full(&full, 2));
    }

    /// A round per sheet: each sheet of data is named, to be read on its
    /// own, where one sheet alone left the others' rows without a word. A
    /// sheet of notes, one with the header alone, or one of another kind (a
    /// list looked up in), is not the data.
    #[test]
    fn a_workbook_with_data_in_two_sheets_names_them_and_reads_each() {
        let workbook = |second: &[&str]| {
            let mut book = rust_xlsxwriter::Workbook::new();
            for (name, rows) in [
                ("Awal", &["kpm_id", "K1"][..]),
                ("Catatan", &["Semua KPM hadir"][..]),
                ("Akhir", second),
            ] {
                let sheet = book.add_worksheet().set_name(name).unwrap();
                for (r, text) in rows.iter().enumerate() {
                    sheet.write_string(r as u32, 0, *text).unwrap();
                }
            }
            book.save_to_buffer().unwrap()
        };
        // The kind a header is of: its first column's name.
        let known = |headers: &[String]| match headers.first().map(String::as_str) {
            Some("kpm_id") => Some("template"),
            Some("incubator_id") => Some("incubators"),
            _ => None,
        };
        let read_sheet = |bytes, sheet| {
            let finding = Finding {
                kind_of: &known,
                round_of: &|_| None,
                sheet,
                round_given: false,
            };
            Table::read_finding(Path::new("rounds.xlsx"), bytes, Container::Xlsx, &finding)
        };
        let read = |bytes| read_sheet(bytes, None);
        let Err(IngestError::Sheets { kind, sheets, .. }) = read(workbook(&["kpm_id", "K2"]))
        else {
            panic!("two sheets of data read as one");
        };
        assert_eq!(
            (kind.as_str(), &sheets[..]),
            ("template", &["Awal", "Akhir"].map(String::from)[..])
        );
        // Each read on its own, its rows numbered as the sheet shows them.
        let second = read_sheet(workbook(&["kpm_id", "K2"]), Some("Akhir")).unwrap();
        assert_eq!(rows(&second), vec![(2, vec!["K2".to_string()])]);
        let err = read_sheet(workbook(&["kpm_id", "K2"]), Some("Catatan"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no sheet `Catatan` of data"), "{err}");
        // Table::read names no kind: its first sheet is the data.
        let first = Table::read(
            Path::new("rounds.xlsx"),
            workbook(&["kpm_id", "K1"]),
            Container::Xlsx,
        )
        .unwrap();
        assert_eq!(rows(&first), vec![(2, vec!["K1".to_string()])]);
        // A header alone, or a list of another kind, is not the data.
        for second in [&["kpm_id"][..], &["incubator_id", "INK-32-01"][..]] {
            let t = read(workbook(second)).unwrap();
            assert_eq!(rows(&t), vec![(2, vec!["K1".to_string()])], "{second:?}");
        }
    }

    /// A sheet named as a round whose header lacks only the `wave` column
    /// is that round's data: named to be read on its own (alone in its
    /// workbook too), each of its rows given the sheet's name as its wave.
    /// A sheet of another name with that header is not the data.
    #[test]
    fn a_sheet_named_as_a_round_without_a_wave_column_is_that_round() {
        let workbook = |names: &[&str]| {
            let mut book = rust_xlsxwriter::Workbook::new();
            for (i, name) in names.iter().enumerate() {
                let sheet = book.add_worksheet().set_name(*name).unwrap();
                sheet.write_string(0, 0, "Data KPM").unwrap();
                sheet.write_string(1, 0, "id_kpm").unwrap();
                sheet.write_string(2, 0, format!("K{i}")).unwrap();
            }
            book.save_to_buffer().unwrap()
        };
        // A template's header is an id with a wave.
        let known = |headers: &[String]| {
            (headers == ["id_kpm".to_string(), "wave".to_string()]).then_some("template")
        };
        let round = |name: &str| {
            ["Baseline", "Monitoring 1"]
                .contains(&name)
                .then(|| name.to_string())
        };
        let read_sheet = |bytes, sheet| {
            let finding = Finding {
                kind_of: &known,
                round_of: &round,
                sheet,
                round_given: false,
            };
            Table::read_finding(Path::new("r.xlsx"), bytes, Container::Xlsx, &finding)
        };
        for (names, named) in [
            (
                &["Petunjuk", "Baseline", "Monitoring 1"][..],
                &["Baseline", "Monitoring 1"][..],
            ),
            (&["Baseline"][..], &["Baseline"][..]),
        ] {
            let Err(IngestError::Sheets { sheets, .. }) = read_sheet(workbook(names), None) else {
                panic!("{names:?}: a round's sheet read without its round");
            };
            assert_eq!(sheets, named);
        }
        let t = read_sheet(
            workbook(&["Petunjuk", "Baseline", "Monitoring 1"]),
            Some("Monitoring 1"),
        )
        .unwrap();
        assert_eq!(t.headers, ["id_kpm", "wave"]);
        assert_eq!(
            rows(&t),
            vec![(3, vec!["K2".to_string(), "Monitoring 1".to_string()])]
        );
        // Not named as a round: no header known, the first sheet's first row.
        let t = read_sheet(workbook(&["Data"]), None).unwrap();
        assert_eq!(t.headers, ["Data KPM"]);
    }

    #[test]
    fn a_stray_far_cell_costs_one_cell_and_rows_keep_their_sheet_numbers() {
        // The header on row 3, a data row on row 4, one cell at XFD1048576.
        let bytes = sheet(&[
            (2, 0, "kpm_id"),
            (2, 1, "wave"),
            (3, 0, "K1"),
            (3, 1, "baseline"),
            (1_048_575, 16_383, "far"),
        ]);
        let t = Table::read(Path::new("far.xlsx"), bytes, Container::Xlsx).unwrap();
        assert_eq!(t.headers, ["kpm_id", "wave"]);
        assert_eq!(
            rows(&t),
            vec![(4, vec!["K1".to_string(), "baseline".to_string()])]
        );
    }

    #[test]
    fn a_workbook_declaring_more_strings_than_it_holds_is_refused_before_reading() {
        let bytes = sheet(&[(0, 0, "kpm_id"), (1, 0, "K1")]);
        let bytes = patch_zip(bytes, "xl/sharedStrings.xml", |xml| {
            let at = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = at + xml[at..].find('"').unwrap();
            format!("{}4000000000{}", &xml[..at], &xml[end..])
        });
        let err = Table::read(Path::new("sst.xlsx"), bytes, Container::Xlsx)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("sst.xlsx") && err.contains("4000000000 strings"),
            "{err}"
        );
    }

    #[test]
    fn a_compression_bomb_is_refused_before_it_is_inflated() {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file("form.csv", options).unwrap();
        out.write_all(b"KEY,SubmissionDate\n").unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..24 {
            out.write_all(&zeros).unwrap();
        }
        let bytes = out.finish().unwrap().into_inner();
        assert!(bytes.len() < 200_000, "{}", bytes.len());
        let err = Table::read(Path::new("bomb.csv.zip"), bytes, Container::CsvZip)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("bomb.csv.zip") && err.contains("compression bomb"),
            "{err}"
        );
    }

    #[test]
    fn nested_repeats_under_a_sheet_name_cut_to_31_characters_reach_their_submission() {
        let group = "pendampingan_inkubator_bulanan_lengkap"; // 38 characters
        let sheet: String = group.chars().take(31).collect();
        let header = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let repeats = vec![
            (
                sheet.clone(),
                header(&["_index", "_parent_table_name", "_parent_index"]),
                vec![(2, header(&["1", "Monitoring ProKUS", "7"]))],
            ),
            (
                "topik".to_string(),
                header(&["_index", "_parent_table_name", "_parent_index"]),
                vec![
                    (2, header(&["1", group, "1"])),
                    (3, header(&["2", group, "9"])),
                ],
            ),
        ];
        let main_rows = HashMap::from([("7".to_string(), 8u64)]);
        let sheets = [sheet.clone(), "topik".to_string()];
        let sheet_of = |parent: &str| sheets.iter().find(|s| sheet_is_group(s, parent)).cloned();
        let linked = link_repeats(
            repeats,
            &main_rows,
            "_parent_index",
            "_index",
            Some(&sheet_of),
        );
        let parents: Vec<Option<u64>> = linked[1].rows.iter().map(|r| r.parent_row).collect();
        assert_eq!(
            parents,
            [Some(8), None],
            "the second topic's session does not exist"
        );
    }
}
