//! Reading a table (a header and rows of cells) from a CSV or XLSX file, as
//! exports and hand-filled sheets really come: UTF-8 with or without BOM or
//! Windows-1252, `;`, `,` or tab separators, newlines inside quoted cells, and
//! spreadsheet cells that hold numbers and dates instead of text.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::IngestError;

/// A table read from one file.
pub struct Table {
    path: PathBuf,
    /// Column names of the header row, trimmed.
    pub headers: Vec<String>,
    body: Body,
}

enum Body {
    Csv { text: String, delimiter: u8 },
    Sheet { rows: Vec<Vec<Data>> },
}

/// What kind of container a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Delimited text.
    Csv,
    /// An Office Open XML workbook (the first sheet is read).
    Xlsx,
}

impl Container {
    /// Guesses the container from the file's first bytes (a ZIP is a workbook).
    pub fn sniff(bytes: &[u8]) -> Self {
        if bytes.starts_with(b"PK\x03\x04") {
            Container::Xlsx
        } else {
            Container::Csv
        }
    }
}

impl Table {
    /// Reads the file's bytes as `container`. The bytes are taken, not copied:
    /// a big export is held in memory once.
    pub fn read(
        path: &Path,
        bytes: impl Into<Vec<u8>>,
        container: Container,
    ) -> Result<Self, IngestError> {
        match container {
            Container::Csv => Self::from_csv(path, bytes.into()),
            Container::Xlsx => Self::from_xlsx(path, bytes.into()),
        }
    }

    fn from_csv(path: &Path, bytes: Vec<u8>) -> Result<Self, IngestError> {
        let text = decode_owned(bytes);
        let first_line = text.lines().next().unwrap_or_default();
        if first_line.trim().is_empty() {
            return Err(IngestError::Unreadable {
                path: path.to_path_buf(),
                reason: "the file is empty or its first line is blank".into(),
                hint: "export the data again with its header row".into(),
            });
        }
        let delimiter = sniff_delimiter(first_line);
        let headers = {
            let mut reader = csv_reader(text.as_bytes(), delimiter);
            let record = reader.headers().map_err(|e| csv_error(path, e))?;
            record.iter().map(|h| h.trim().to_string()).collect()
        };
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            body: Body::Csv { text, delimiter },
        })
    }

    fn from_xlsx(path: &Path, bytes: Vec<u8>) -> Result<Self, IngestError> {
        let unreadable = |reason: String| IngestError::Unreadable {
            path: path.to_path_buf(),
            reason,
            hint: "open it in a spreadsheet program and save it again as .xlsx, or export CSV"
                .into(),
        };
        let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| unreadable(format!("not a readable workbook: {e}")))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or_else(|| unreadable("the workbook has no sheet".into()))?
            .map_err(|e| unreadable(format!("the first sheet cannot be read: {e}")))?;
        let mut rows = range.rows().map(|r| r.to_vec());
        let headers = rows
            .next()
            .ok_or_else(|| unreadable("the first sheet is empty".into()))?
            .iter()
            .map(|c| cell_text(c).0.trim().to_string())
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            body: Body::Sheet {
                rows: rows.collect(),
            },
        })
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
                let mut reader = csv_reader(text.as_bytes(), *delimiter);
                let mut record = csv::StringRecord::new();
                let mut numeric: Vec<bool> = Vec::new();
                let mut row = 1u64;
                while reader
                    .read_record(&mut record)
                    .map_err(|e| csv_error(&self.path, e))?
                {
                    row += 1;
                    if row == 2 && is_hxl_row(record.iter()) {
                        continue;
                    }
                    let cells: Vec<&str> = record.iter().collect();
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    numeric.resize(cells.len(), false);
                    f(row, &cells, &numeric)?;
                }
            }
            Body::Sheet { rows } => {
                let mut texts: Vec<String> = Vec::new();
                let mut numeric: Vec<bool> = Vec::new();
                for (i, cells) in rows.iter().enumerate() {
                    let row = i as u64 + 2;
                    texts.clear();
                    numeric.clear();
                    for cell in cells {
                        let (text, is_number) = cell_text(cell);
                        texts.push(text);
                        numeric.push(is_number);
                    }
                    if row == 2 && is_hxl_row(texts.iter().map(String::as_str)) {
                        continue;
                    }
                    if texts.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    f(row, &refs, &numeric)?;
                }
            }
        }
        Ok(())
    }
}

fn csv_reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes)
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
/// which is what Excel writes for "CSV" on an Indonesian Windows.
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
        Err(e) => encoding_rs::WINDOWS_1252
            .decode(e.as_bytes())
            .0
            .into_owned(),
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
fn cell_text(cell: &Data) -> (String, bool) {
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
        Data::Error(e) => (format!("#{e:?}"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Table) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        t.for_each_row(|row, cells, _| {
            out.push((row, cells.iter().map(|c| c.to_string()).collect()));
            Ok(())
        })
        .unwrap();
        out
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
    fn hxl_tag_row_is_skipped_and_empty_file_refused() {
        let t = Table::read(Path::new("h.csv"), b"a;b\n#id;\n1;2\n", Container::Csv).unwrap();
        assert_eq!(rows(&t), vec![(3, vec!["1".to_string(), "2".to_string()])]);
        let err = Table::read(Path::new("e.csv"), b"", Container::Csv)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("e.csv") && err.contains("empty"), "{err}");
    }
}
