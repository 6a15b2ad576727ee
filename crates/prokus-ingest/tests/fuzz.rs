//! Property tests ("fuzzing") of everything that reads what users send: the
//! CSV sniffer and decoder, the value parsers, the NIK checks and masks, the
//! XLSX and ZIP readers, the form mapping and the XLSForm reader. Each takes
//! arbitrary input and must return a value or an error, never panic, hang or
//! print a NIK.
//!
//! The test run tries a few hundred cases per target; `scripts/fuzz.sh`
//! runs the same targets over millions (`PROPTEST_CASES`).

use std::io::Write;
use std::path::Path;

use proptest::prelude::*;

use prokus_ingest::nik::{NikKey, check_nik};
use prokus_ingest::privacy::{MAX_TEXT, redact, safe_text};
use prokus_ingest::source::{Container, Table};
use prokus_ingest::values::{
    Limits, parse_count, parse_datetime, parse_id_number, parse_money, parse_yes_no,
};
use prokus_ingest::wilayah::Wilayah;
use prokus_ingest::{FormMapping, XlsForm};

/// The longest run of ASCII digits in `text`.
fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Text that looks like what cells hold: digits, separators, letters,
/// quotes, line breaks, accents and the odd control character.
fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 .,+eE-]{0,40}",
        "[0-9]{14,20}",
        "(Rp ?)?[0-9]{1,3}(\\.[0-9]{3}){0,6}(,[0-9]{1,2})?( ?(jt|rb|juta))?",
        "[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?",
        ".{0,60}",
        any::<String>(),
    ]
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        if out
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .is_ok()
        {
            let _ = out.write_all(data);
        }
    }
    out.finish().map(|c| c.into_inner()).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig {
        // The test run's share; scripts/fuzz.sh raises it with PROPTEST_CASES.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn masking_leaves_no_nik_and_stays_short(text in cell_text(), pad in 0usize..400) {
        let text = format!("{}{text}", "x".repeat(pad));
        let safe = safe_text(&text);
        prop_assert!(longest_digit_run(&safe) < 16, "{safe}");
        prop_assert!(safe.chars().count() <= MAX_TEXT + 40);
        prop_assert!(longest_digit_run(&redact(&text)) < 16, "{}", redact(&text));
    }

    #[test]
    fn value_parsers_answer_or_refuse(text in cell_text()) {
        let limits = Limits::default();
        if let Ok(v) = parse_money(&text) {
            prop_assert!(v.is_finite() && v >= 0.0, "{text} -> {v}");
            let _ = limits.money(v, &text);
        }
        if let Some(v) = parse_id_number(&text) {
            prop_assert!(v.is_finite());
        }
        if let Ok(v) = parse_count(&text) {
            prop_assert!(v >= 0);
        }
        let _ = parse_yes_no(&text);
        if let Ok(t) = parse_datetime(&text) {
            let _ = limits.time(t, &text);
        }
    }

    /// Dates in ISO shape are read digit by digit (a fast path); what it
    /// reads must be what chrono's parsers, which read them before, read,
    /// and what it refuses they must refuse too.
    #[test]
    fn iso_shaped_dates_read_as_chrono_reads_them(
        text in "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?",
        pad in prop::sample::select(vec!["", " ", "\t"]),
    ) {
        use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
        let chrono_read = text
            .parse::<NaiveDateTime>()
            .ok()
            .or_else(|| text.parse::<NaiveDate>().ok().map(|d| d.and_time(NaiveTime::MIN)));
        let cell = format!("{pad}{text}{pad}");
        prop_assert_eq!(parse_datetime(&cell).ok(), chrono_read, "{:?}", cell);
    }

    #[test]
    fn nik_checks_never_keep_the_digits(text in cell_text(), numeric in any::<bool>()) {
        let key = NikKey::from_bytes([3; 32]);
        let w = Wilayah::embedded();
        let checked = check_nik(&text, numeric, &key, &w);
        if let Some(masked) = checked.masked {
            prop_assert!(longest_digit_run(&masked) <= 4, "{masked}");
        }
    }

    #[test]
    fn csv_files_of_any_bytes_read_or_refuse(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(t) = Table::read(Path::new("f.csv"), bytes, Container::Csv) {
            let _ = t.for_each_row(|_, _, _| Ok(()));
        }
    }

    #[test]
    fn csv_like_text_reads_or_refuses(
        rows in prop::collection::vec(prop::collection::vec(cell_text(), 1..6), 1..12),
        delimiter in prop::sample::select(vec![',', ';', '\t']),
        quote_at in any::<Option<(usize, usize)>>(),
    ) {
        let mut text = String::new();
        for (r, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| match quote_at {
                    Some((qr, qc)) if qr % rows.len() == r && qc % row.len() == c => format!("\"{cell}"),
                    _ => cell.replace(['"', '\n', '\r', ',', ';', '\t'], " "),
                })
                .collect();
            text.push_str(&cells.join(&delimiter.to_string()));
            text.push('\n');
        }
        if let Ok(t) = Table::read(Path::new("f.csv"), text.into_bytes(), Container::Csv) {
            let mut rows_seen = Vec::new();
            let read = t.for_each_row(|row, cells, _| {
                rows_seen.push((row, cells.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
                Ok(())
            });
            // The ingest's reader takes the rows as records: the same rows,
            // and the same error at the same place.
            let mut records = Vec::new();
            let read_records = t.for_each_record(|row, record, _| {
                records.push((row, record.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
                Ok(())
            });
            prop_assert_eq!(&records, &rows_seen);
            prop_assert_eq!(
                read_records.as_ref().map_err(ToString::to_string),
                read.as_ref().map_err(ToString::to_string)
            );
            if let Err(e) = read {
                prop_assert!(longest_digit_run(&e.to_string()) < 16);
            }
        }
    }

    #[test]
    fn zip_archives_of_any_entries_read_or_refuse(
        entries in prop::collection::vec(
            (prop::sample::select(vec![
                "form.csv".to_string(), "form-rep.csv".to_string(), "xl/workbook.xml".to_string(),
                "[Content_Types].xml".to_string(), "xl/sharedStrings.xml".to_string(),
                "xl/worksheets/sheet1.xml".to_string(), "../x.csv".to_string(),
            ]), prop::collection::vec(any::<u8>(), 0..300)),
            0..5,
        ),
    ) {
        let bytes = zip_of(&entries);
        let container = Container::sniff(&bytes);
        if let Ok(t) = Table::read(Path::new("f.zip"), bytes, container) {
            let _ = t.for_each_row(|_, _, _| Ok(()));
        }
    }

    /// A header with notes in brackets (units, periods, scales, numbers) is
    /// read as a column or as none, and what is said of its note never
    /// quotes a NIK pasted into it.
    #[test]
    fn headers_with_any_note_read_or_refuse(
        name in prop::sample::select(vec!["Omzet", "Pendapatan Usaha", "ID KPM", "Tanggal", "x", ""]),
        notes in prop::collection::vec("[(\\[][A-Za-z0-9 .,×x*/%=:_-]{0,24}[)\\]]?", 0..3),
        nik in "[0-9]{16}",
        any in ".{0,40}",
    ) {
        use prokus_ingest::aliases::{LIST_ALIASES, canonical, note_problem};
        for header in [
            format!("{name} {}", notes.concat()),
            format!("{name} ({nik})"),
            format!("{name} (x {nik}000)"),
            format!("{name} (1{})", "0".repeat(15)),
            format!("{name} {any}"),
            any.clone(),
        ] {
            if let Some(column) = canonical(&header, LIST_ALIASES)
                && let Some(problem) = note_problem(&header, column, LIST_ALIASES)
            {
                prop_assert!(longest_digit_run(&problem) < 16, "{header}: {problem}");
            }
        }
    }

    #[test]
    fn mappings_of_any_text_parse_or_refuse(text in ".{0,300}") {
        let _ = FormMapping::parse(&text, Path::new("m.toml"));
    }

    #[test]
    fn xlsforms_of_any_bytes_parse_or_refuse(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = XlsForm::parse(Path::new("form.xlsx"), &bytes);
        let as_zip = zip_of(&[("xl/workbook.xml".to_string(), bytes)]);
        let _ = XlsForm::parse(Path::new("form.xlsx"), &as_zip);
    }
}
