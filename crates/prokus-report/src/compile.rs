//! Compiling one report: a template, its data and charts to PDF bytes, in
//! this process or in a helper ([`crate::helper`]); a panic in one report
//! fails that report alone.

use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::ReportError;
use crate::payload::Built;
use crate::world::ReportWorld;

/// Compiles a template with its data and charts to PDF bytes (PDF/A-2b when
/// `pdfa`). `generated` is the report's date (shown by Typst) and the PDF's
/// timestamp.
pub fn compile(
    template: &str,
    built: &Built,
    generated: chrono::NaiveDateTime,
    pdfa: bool,
) -> Result<Vec<u8>, String> {
    let json = payload_json(&built.payload).map_err(|e| e.to_string())?;
    compile_json(template, json, built.charts.clone(), generated, pdfa)
}

/// [`compile`] from the payload's JSON ([`payload_json`]) and the charts.
pub fn compile_json(
    template: &str,
    json: Vec<u8>,
    charts: Vec<(String, String)>,
    generated: chrono::NaiveDateTime,
    pdfa: bool,
) -> Result<Vec<u8>, String> {
    // Timed for `-vv`: the layout, then the PDF export.
    let start = std::time::Instant::now();
    let world = ReportWorld::new(template, json, charts, generated.date());
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| describe(&errors))?;
    let laid_out = start.elapsed().as_millis();
    let standards = if pdfa {
        vec![PdfStandard::A_2b]
    } else {
        Vec::new()
    };
    use chrono::{Datelike, Timelike};
    let timestamp = typst::foundations::Datetime::from_ymd_hms(
        generated.year(),
        generated.month() as u8,
        generated.day() as u8,
        generated.hour() as u8,
        generated.minute() as u8,
        generated.second() as u8,
    )
    .map(typst_pdf::Timestamp::new_utc);
    let options = PdfOptions {
        standards: PdfStandards::new(&standards).map_err(|e| e.message().to_string())?,
        timestamp,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| describe(&errors));
    tracing::debug!(
        template,
        layout_ms = laid_out as u64,
        pdf_ms = (start.elapsed().as_millis() - laid_out) as u64,
        "compiled"
    );
    pdf
}

/// The payload as JSON, its text in Unicode normalization form C (accents
/// composed: `e` + U+0301 becomes `é`). The templates turn off the font's
/// `ccmp` feature, which only composes such pairs and otherwise costs a tenth
/// of the layout time (see `common.typ`); with the text composed beforehand,
/// nothing is lost.
pub fn payload_json(payload: &impl serde::Serialize) -> serde_json::Result<Vec<u8>> {
    Ok(composed(serde_json::to_vec(payload)?))
}

/// `json` (UTF-8, as serde_json writes it) in Unicode normalization form C
/// ([`payload_json`]), without bidirectional embedding, override and
/// isolate controls ([`prokus_files::is_bidi_control`]) and without emoji
/// ([`without_emoji`]).
pub(crate) fn composed(json: Vec<u8>) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let text = match String::from_utf8(json) {
        Ok(text) => text,
        Err(e) => return e.into_bytes(),
    };
    let text = match prokus_files::without_bidi_controls(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cleaned) => cleaned,
    };
    let text = match without_emoji(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cleaned) => cleaned,
    };
    if unicode_normalization::is_nfc(&text) {
        text.into_bytes()
    } else {
        text.nfc().collect::<String>().into_bytes()
    }
}

/// Whether `c` is an emoji picture (U+1F000 to U+1FAFF: faces, hands,
/// food, flags' letters, skin tones) or a tag of a flag's sequence: no font
/// the reports embed has them, and each printed as an empty box.
fn is_emoji_picture(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{E0020}'..='\u{E007F}')
}

/// `text` without its emoji pictures and what only shapes them: the
/// variation selector that asks for a picture (U+FE0F), a keycap's frame
/// (U+20E3) and a joiner (U+200D) next to a picture. A business named
/// `Keripik 🌶️` is printed `Keripik `; the database, the workbooks and the
/// CSV keep the name as written. A symbol the fonts have (❤ ☺ ✓) stays.
fn without_emoji(text: &str) -> std::borrow::Cow<'_, str> {
    let shaper = |c: char| matches!(c, '\u{FE0F}' | '\u{20E3}');
    if !text.chars().any(|c| is_emoji_picture(c) || shaper(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let picture_at = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|&c| is_emoji_picture(c))
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let joins_a_picture =
                c == '\u{200D}' && (picture_at(i.checked_sub(1)) || picture_at(Some(i + 1)));
            !(is_emoji_picture(c) || shaper(c) || joins_a_picture)
        })
        .map(|(_, &c)| c)
        .collect::<String>()
        .into()
}

pub(crate) fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let hints: String = e
                .hints
                .iter()
                .map(|h| format!(" (hint: {})", h.v))
                .collect();
            format!("{}{hints}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs `f`, turning a panic into a [`ReportError::Render`] of `report`
/// with the panic's message, so that one report's bug fails that report
/// alone.
pub fn isolated<T>(
    report: &str,
    f: impl FnOnce() -> Result<T, ReportError>,
) -> Result<T, ReportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(ReportError::Render {
            report: report.to_string(),
            message: format!("internal error (panic): {message}"),
        })
    })
}

/// How many reports are rendered between two evictions of Typst's memo cache.
/// Emptying it this often keeps a batch's memory at what the indicators take
/// before rendering, whatever the number of reports; keeping older entries
/// longer let it grow several times over (`scripts/bench-reports.sh`
/// measures the peak).
pub const EVICT_EVERY: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    /// Emoji pictures are left out of what Typst prints (no embedded font
    /// has them: each was an empty box); text and symbols the fonts have
    /// stay, and a joiner stays where it shapes a script.
    #[test]
    fn emoji_pictures_are_left_out_and_text_stays() {
        assert_eq!(without_emoji("Keripik 🌶️ Bu Siti"), "Keripik  Bu Siti");
        // A family (joined pictures), a flag (two letters), a keycap, a
        // skin tone.
        assert_eq!(without_emoji("👨‍👩‍👧 🇮🇩 1️⃣ 👍🏽!"), "  1 !");
        assert_eq!(without_emoji("Toko ❤ ☺ ✓ بركة"), "Toko ❤ ☺ ✓ بركة");
        // A joiner between letters of a script is not an emoji's.
        assert_eq!(without_emoji("क्\u{200D}ष"), "क्\u{200D}ष");
        assert!(matches!(
            without_emoji("Rp 1.500.000"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
