//! The rows that were not loaded, exported to send back to whoever filled
//! them in: one line per problem with the file, row, column, value, kind and
//! reason, as CSV or as a workbook.

use std::io::Write;
use std::path::Path;

use crate::IngestError;
use crate::db::Database;
use crate::privacy::safe_text;

/// The export's columns.
pub const REJECT_COLUMNS: [&str; 6] = ["file", "row", "column", "value", "kind", "reason"];

/// Every `ingest_reject` row, in file and row order.
fn reject_rows(db: &Database) -> Result<Vec<[String; 6]>, IngestError> {
    let mut stmt = db.conn.prepare(
        "SELECT b.file, r.source_row, coalesce(r.column_name, ''), coalesce(r.value, ''), r.kind, r.reason
         FROM ingest_reject r JOIN ingest_batch b USING (batch_id)
         ORDER BY r.batch_id, r.source_row, r.column_name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            // Masked and clipped again: a database written by an older
            // prokus may hold values that were stored whole.
            let safe = |i: usize| r.get::<_, String>(i).map(|t| safe_text(&t));
            Ok([
                safe(0)?,
                r.get::<_, i64>(1)?.to_string(),
                safe(2)?,
                safe(3)?,
                safe(4)?,
                safe(5)?,
            ])
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Writes the rejects to `output`: an `.xlsx` workbook (frozen header,
/// filters, row numbers as numbers), `-` for CSV on standard output, else a
/// CSV file. Returns the number of rejects written. The file is written
/// whole or not at all ([`prokus_files::write_atomically`]).
pub fn export_rejects(db: &Database, output: &Path) -> Result<usize, IngestError> {
    let rows = reject_rows(db)?;
    let io = |source: std::io::Error| IngestError::Io {
        path: output.to_path_buf(),
        source,
    };
    let is_xlsx = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if is_xlsx {
        xlsx_bytes(&rows).map_err(|e| io(std::io::Error::other(e.to_string())))?
    } else {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(REJECT_COLUMNS)
            .map_err(|e| io(std::io::Error::other(e)))?;
        for row in &rows {
            w.write_record(row.iter().map(|c| crate::privacy::csv_cell(c).into_owned()))
                .map_err(|e| io(std::io::Error::other(e)))?;
        }
        w.into_inner()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?
    };
    if output.as_os_str() == "-" {
        std::io::stdout().write_all(&bytes).map_err(io)?;
    } else {
        prokus_files::write_atomically(output, &bytes).map_err(io)?;
    }
    Ok(rows.len())
}

fn xlsx_bytes(rows: &[[String; 6]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    book.set_properties(&crate::outputs::workbook_properties("rejects"));
    let sheet = book.add_worksheet().set_name("rejects")?;
    let bold = Format::new().set_bold();
    for (c, h) in REJECT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, text) in row.iter().enumerate() {
            match (c, text.parse::<f64>()) {
                (1, Ok(n)) => sheet.write_number(r, c as u16, n)?,
                _ => sheet.write_string(r, c as u16, crate::privacy::xlsx_cell(text))?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, 5)?;
    for (c, width) in [28, 7, 26, 24, 10, 90].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FormMapping;
    use calamine::{Data, Reader};

    #[test]
    fn rejects_export_as_csv_and_as_a_workbook_with_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let register = dir.path().join("kpm_register.csv");
        std::fs::write(
            &register,
            "kpm_id,arm,regency_code,incubator_id\nK1,prokus,3217,INK-1\nK2,prokus,Bandung Baratt,INK-1\nK3,kontrol,32.17,\n",
        )
        .unwrap();
        db.ingest(&register, &FormMapping::prokus()).unwrap();
        let csv_path = dir.path().join("rejects.csv");
        let n = export_rejects(&db, &csv_path).unwrap();
        assert!(
            n >= 2,
            "K1 and K2 have an unknown incubator, K2 a bad regency"
        );
        let text = std::fs::read_to_string(&csv_path).unwrap();
        assert!(text.starts_with("file,row,column,value,kind,reason\n"));
        assert!(
            text.contains(",3,regency_code,Bandung Baratt,invalid,unknown regency"),
            "{text}"
        );

        let xlsx_path = dir.path().join("rejects.xlsx");
        assert_eq!(export_rejects(&db, &xlsx_path).unwrap(), n);
        let mut book = calamine::open_workbook_auto(&xlsx_path).unwrap();
        let range = book.worksheet_range("rejects").unwrap();
        assert_eq!(range.height(), n + 1);
        let k2 = range
            .rows()
            .find(|r| r[3] == Data::String("Bandung Baratt".into()))
            .unwrap();
        assert_eq!(k2[1], Data::Float(3.0), "row numbers are numbers");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".prokus-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no temporary file left: {leftovers:?}"
        );
    }
}
