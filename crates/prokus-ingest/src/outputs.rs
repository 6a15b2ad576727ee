//! prokus's own outputs, known when they are given back to `ingest` (a
//! folder of data that also holds last quarter's data-quality workbook, an
//! `*.xlsx` that takes the attention lists): they are no survey data, and
//! read as it, some would make rows of rejects (a findings table has
//! `kpm_id` and `wave` columns). They are passed over with a note instead
//! ([`crate::IngestError::OwnOutput`]).
//!
//! A workbook prokus writes carries a custom document property,
//! [`OUTPUT_PROPERTY`] ([`workbook_properties`]), which spreadsheet
//! programs keep when they save it again (not tried: no Excel or
//! LibreOffice where this was written); a CSV file is known by its
//! header, which the command line gives ([`crate::IngestOptions::outputs`]).

/// The name of the custom document property of every workbook prokus
/// writes; its value says what the workbook is.
pub const OUTPUT_PROPERTY: &str = "ProKUS output";

/// The document properties of a workbook prokus writes as `what` (`check`,
/// `indicators`, `rejects`, `attention`): [`OUTPUT_PROPERTY`] set to it.
pub fn workbook_properties(what: &str) -> rust_xlsxwriter::DocProperties {
    rust_xlsxwriter::DocProperties::new().set_custom_property(OUTPUT_PROPERTY, what)
}

/// What the workbook of `bytes` is, when prokus wrote it: the value of its
/// [`OUTPUT_PROPERTY`] (`docProps/custom.xml`), made safe to show.
pub(crate) fn written_by_prokus(bytes: &[u8]) -> Option<String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let entry = archive.by_name("docProps/custom.xml").ok()?;
    // A few hundred bytes; a larger part is read no further than 1 MiB.
    let mut xml = Vec::new();
    entry.take(1 << 20).read_to_end(&mut xml).ok()?;
    let xml = String::from_utf8_lossy(&xml);
    let at = xml.find(&format!("name=\"{OUTPUT_PROPERTY}\""))?;
    let rest = &xml[at..];
    // The property's value: the text of the first element inside it
    // (`<vt:lpwstr>check</vt:lpwstr>`).
    let end = rest.find("</property>").unwrap_or(rest.len());
    let inner = &rest[..end];
    let value = inner
        .split('>')
        .nth(2)
        .and_then(|v| v.split('<').next())
        .unwrap_or_default();
    Some(crate::privacy::safe_text(value))
}

/// Which of `outputs` (what, header) a table headed `headers` is: its
/// header begins with that output's whole header.
pub(crate) fn output_headed<'a>(
    headers: &[String],
    outputs: &'a [(String, Vec<String>)],
) -> Option<&'a str> {
    outputs
        .iter()
        .find(|(_, header)| {
            !header.is_empty()
                && headers.len() >= header.len()
                && headers.iter().zip(header).all(|(h, o)| h.trim() == o)
        })
        .map(|(what, _)| what.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_prokus_wrote_is_known_by_its_property() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.set_properties(&workbook_properties("check"));
        book.add_worksheet().write_string(0, 0, "kpm_id").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(written_by_prokus(&bytes).as_deref(), Some("check"));
        // Another property, or none, is not prokus's.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.set_properties(
            &rust_xlsxwriter::DocProperties::new().set_custom_property("Dinas", "check"),
        );
        book.add_worksheet().write_string(0, 0, "kpm_id").unwrap();
        assert_eq!(written_by_prokus(&book.save_to_buffer().unwrap()), None);
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "kpm_id").unwrap();
        assert_eq!(written_by_prokus(&book.save_to_buffer().unwrap()), None);
    }

    #[test]
    fn a_table_is_an_output_when_its_header_begins_with_the_outputs() {
        let outputs = vec![(
            "findings".to_string(),
            vec!["unit_id".to_string(), "kpm_id".to_string()],
        )];
        let headed = |h: &[&str]| {
            let h: Vec<String> = h.iter().map(|s| s.to_string()).collect();
            output_headed(&h, &outputs).map(str::to_string)
        };
        assert_eq!(
            headed(&["unit_id", "kpm_id", "x"]).as_deref(),
            Some("findings")
        );
        assert_eq!(headed(&["kpm_id", "unit_id"]), None);
        assert_eq!(headed(&["unit_id"]), None);
    }
}
