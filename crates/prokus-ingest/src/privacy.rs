//! Keeping NIKs and other long cell contents out of what the engine stores,
//! prints and exports.
//!
//! Every value and reason the engine records about a cell (`ingest_reject`,
//! error messages, findings) passes [`safe_text`]: a NIK-shaped run of digits
//! in it is masked, and the text is clipped to [`MAX_TEXT`] characters with a
//! marker saying how much was cut. A NIK typed where it does not belong (a
//! money answer, a `kpm_id`, a name) is found by [`contains_nik`] and the row
//! is rejected instead of loaded.

use std::borrow::Cow;

/// The longest text kept of one value or reason, in characters.
pub const MAX_TEXT: usize = 200;

/// A run of digits that may be a NIK: where it is in the text (byte range),
/// and where its digits end (before an exponent).
struct DigitRun {
    start: usize,
    end: usize,
    digits_end: usize,
}

impl DigitRun {
    /// The run's digits, separators left out.
    fn digits(&self, text: &str) -> String {
        text[self.start..self.digits_end]
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }
}

/// The NIK-shaped runs of `text`: `min_digits` or more digits, optionally grouped by
/// single spaces, dots or dashes (`3217 0552 0885 0012`, `3217.0552...`), or
/// a number in e-notation whose exponent is 14 or 15 (`3.21705520885001E+15`,
/// how Excel shows a NIK typed in a number cell). A decimal number with one
/// dot (`44452.333333333336`, an Excel date) is not one unless its whole part
/// or its decimals alone have `min_digits`. Counts only, no allocation: this
/// runs on every cell of every file.
fn nik_runs(text: &str, min_digits: usize) -> Vec<DigitRun> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // A UUID (Kobo's `_uuid`, ODK's `uuid:…`) may hold digit groups
        // joined by dashes: it is an id, skipped whole.
        if let Some(len) = uuid_at(bytes, i) {
            i += len;
            continue;
        }
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        // Digits so far; separators, the first one and the digits before it,
        // and the digits before the last one.
        let (mut digits, mut separators) = (0usize, 0usize);
        let (mut first_separator, mut before_first, mut before_last) = (0u8, 0usize, 0usize);
        let mut end = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_digit() {
                digits += 1;
                i += 1;
                end = i;
            } else if matches!(b, b' ' | b'.' | b'-' | b',')
                // Groups of one digit are lists (`1 2 3`), not a number.
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
                && (separators == 0 || digits - before_last >= 2)
            {
                if separators == 0 {
                    (first_separator, before_first) = (b, digits);
                }
                separators += 1;
                before_last = digits;
                i += 1;
            } else {
                break;
            }
        }
        // E-notation right after the run: `3.21705520885001E+15`.
        let rest = &text[end..];
        let exponent = rest
            .strip_prefix(['e', 'E'])
            .map(|r| r.strip_prefix('+').unwrap_or(r))
            .and_then(|r| {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r[..n]
                    .parse::<u32>()
                    .ok()
                    .map(|e| (e, rest.len() - r.len() + n))
            });
        if let Some((e, length)) = exponent
            && (14..=15).contains(&e)
            && digits >= 6
        {
            runs.push(DigitRun {
                start,
                end: end + length,
                digits_end: end,
            });
            i = end + length;
            continue;
        }
        let decimal = separators == 1 && matches!(first_separator, b'.' | b',');
        let longest = if decimal {
            // The whole part, or the decimals if they alone are as long.
            before_first.max(digits - before_first)
        } else {
            digits
        };
        if longest >= min_digits {
            runs.push(DigitRun {
                start,
                end,
                digits_end: end,
            });
        }
    }
    runs
}

/// The length of the UUID (`8-4-4-4-12` hex digits) starting at `at`, if
/// one does and it does not continue a longer hex word.
fn uuid_at(bytes: &[u8], at: usize) -> Option<usize> {
    const LEN: usize = 36;
    if at > 0 && bytes[at - 1].is_ascii_hexdigit() {
        return None;
    }
    let token = bytes.get(at..at + LEN)?;
    let shaped = token.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    });
    let ends = bytes.get(at + LEN).is_none_or(|b| !b.is_ascii_hexdigit());
    (shaped && ends).then_some(LEN)
}

/// Whether `text` holds a NIK-shaped run of digits (see [`redact`]).
pub fn contains_nik(text: &str) -> bool {
    // A NIK has 16 digits: 15 (an IMEI, a truncated number) is no reason
    // to refuse a row, though `redact` masks it.
    let text = visible(text);
    may_hold_nik(&text, 16) && !nik_runs(&text, 16).is_empty()
}

/// Whether `c` shows nothing and takes no room: the soft hyphen, the
/// zero-width spaces and joiners, the direction marks and controls, the
/// word joiner and invisible operators, the byte-order mark. Typed between
/// the digits of a NIK, one keeps them from being side by side for the
/// scans here, while the page (and a report, which leaves out the
/// direction controls, `prokus_files::without_bidi_controls`) still shows
/// the sixteen digits together.
fn is_invisible(c: char) -> bool {
    prokus_files::is_bidi_control(c)
        || matches!(
            c,
            '\u{AD}'
                | '\u{61C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{FEFF}'
        )
}

/// `text` without the characters of [`is_invisible`], as a reader sees it.
/// ASCII text (most cells) is returned as it is without a look at its
/// characters.
fn visible(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !text.contains(is_invisible) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| !is_invisible(c)).collect())
    }
}

/// Whether `text` has digits enough for a NIK between other characters than
/// separators: 15 in one stretch of digits, spaces, dots, commas and dashes,
/// or 6 with an exponent. Most cells (timestamps, UUIDs, amounts) are told
/// apart here, in one pass, without looking for runs.
fn may_hold_nik(text: &str, min_digits: usize) -> bool {
    let (mut stretch, mut longest, mut exponent) = (0usize, 0usize, false);
    for &b in text.as_bytes() {
        if b.is_ascii_digit() {
            stretch += 1;
            longest = longest.max(stretch);
        } else if !matches!(b, b' ' | b'.' | b',' | b'-') {
            // An exponent right after 6 digits or more (`3.21706E+15`).
            exponent |= stretch >= 6 && (b == b'e' || b == b'E');
            stretch = 0;
        }
    }
    longest >= min_digits || exponent
}

/// `text` with every NIK-shaped run replaced by its mask (the first four and
/// last four digits, `3217********0012`), also one whose digits are kept
/// apart by characters that show nothing (`is_invisible`, then left out
/// of the whole text).
pub fn redact(text: &str) -> Cow<'_, str> {
    let seen = visible(text);
    if !may_hold_nik(&seen, 15) {
        return Cow::Borrowed(text);
    }
    let runs = nik_runs(&seen, 15);
    if runs.is_empty() {
        return Cow::Borrowed(text);
    }
    let text = seen.as_ref();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for run in runs {
        out.push_str(&text[at..run.start]);
        out.push_str(&crate::nik::mask(&run.digits(text)).unwrap_or_default());
        at = run.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// A file's path as it may be stored, printed or logged: [`redact`]ed, since
/// a file may be named after a household (`3217055208850012.xlsx`).
pub fn shown_path(path: &std::path::Path) -> String {
    redact(&path.display().to_string()).into_owned()
}

/// `text` cut to `max` characters, with a marker saying how many were cut.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            Cow::Owned(format!("{}… [{rest} more characters cut]", &text[..cut]))
        }
    }
}

/// What may be stored or printed of a cell or a reason: [`redact`]ed, then
/// [`clip`]ped to [`MAX_TEXT`] characters.
pub fn safe_text(text: &str) -> String {
    clip(&redact(text), MAX_TEXT).into_owned()
}

/// A message that echoes what a user's file holds (a settings file's
/// values), as it may be printed whole: [`redact`]ed, and without
/// bidirectional controls ([`prokus_files::without_bidi_controls`]), which
/// would turn the rest of the line around on a terminal. Not clipped: the
/// hint after the value must stay.
pub fn printable(message: &str) -> String {
    prokus_files::without_bidi_controls(&redact(message)).into_owned()
}

/// A cell for a CSV file that a spreadsheet program will open: text that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as
/// a formula, so it gets a leading `'` (as OWASP recommends); numbers
/// (`-5`, `+62`) are left as they are. Bidirectional controls are left
/// out ([`prokus_files::without_bidi_controls`]).
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let text = prokus_files::without_bidi_controls(text);
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

/// The most characters Excel keeps in one cell.
pub const XLSX_MAX_CHARS: usize = 32_767;

/// Text for a workbook cell: clipped under Excel's limit of
/// [`XLSX_MAX_CHARS`] characters with a marker, instead of a workbook that
/// cannot be written, without bidirectional controls
/// ([`prokus_files::without_bidi_controls`]).
pub fn xlsx_cell(text: &str) -> Cow<'_, str> {
    // The marker takes about 40 characters.
    match prokus_files::without_bidi_controls(text) {
        Cow::Borrowed(text) => clip(text, XLSX_MAX_CHARS - 64),
        Cow::Owned(text) => Cow::Owned(clip(&text, XLSX_MAX_CHARS - 64).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_shaped_runs_are_masked_wherever_they_are() {
        for text in [
            "3217055208850012",
            "NIK 3217055208850012 Bu Sri",
            "3217 0552 0885 0012",
            "3217.0552.0885.0012",
            "3217-0552-0885-0012",
            "Rp 3.217.055.208.850.012",
            "3.21705520885001E+15",
            "3,217055208850012e15",
            "32170552088500123",
            "3217055208850012 5",
            "3.21706E+15",
        ] {
            assert!(contains_nik(text), "{text}");
            let safe = redact(text);
            let longest = safe
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max();
            assert!(longest <= Some(4), "{text} -> {safe}");
        }
        assert_eq!(redact("NIK 3217055208850012."), "NIK 3217********0012.");
        // Digits kept apart by a character that shows nothing still read as
        // a NIK on the page (and a report leaves out a direction control):
        // found and masked, the invisible characters left out.
        for hidden in [
            "Nama 3217\u{200B}055208850012",
            "Nama 3217\u{202E}055208850012",
            "Nama 3217\u{AD}0552\u{2060}08850012",
            "Nama \u{FEFF}3217055208850012",
        ] {
            assert!(contains_nik(hidden), "{hidden:?}");
            assert_eq!(redact(hidden), "Nama 3217********0012", "{hidden:?}");
        }
        // Without digits around them, such characters stay where they are.
        assert_eq!(redact("Bu\u{200B}Sri"), "Bu\u{200B}Sri");
    }

    #[test]
    fn ordinary_values_are_left_alone() {
        for text in [
            "1.500.000",
            "Rp 1.500.000,-",
            "44452.333333333336",
            "2021-06-30T10:11:12",
            "0812-3456-7890",
            "uuid:7f1c2d3e-0e2b-4c1d-9a3b-123456789012",
            "bedea5be-5653-4821-9341-241c412ade00",
            "12345678-1234-1234-1234-123456789012",
            "1 2 3",
            "KPM-32-0001",
            "1.5e15",
            "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
        ] {
            assert!(!contains_nik(text), "{text}");
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn fifteen_digits_refuse_no_row_but_are_masked() {
        // An Android IMEI in ODK's `deviceid`: no NIK, yet long enough to mask.
        let imei = "imei:358240051111110";
        assert!(!contains_nik(imei));
        assert_eq!(redact(imei), "imei:3582*******1110");
    }

    #[test]
    fn long_text_is_clipped_with_a_marker() {
        let long = "é".repeat(250);
        let c = clip(&long, 200);
        assert!(c.starts_with(&"é".repeat(200)));
        assert!(c.ends_with("… [50 more characters cut]"), "{c}");
        assert_eq!(clip("short", 200), "short");
        let both = safe_text(&format!("{} 3217055208850012", "x".repeat(300)));
        assert!(!both.contains("3217055208850012") && both.contains("cut]"));
    }

    #[test]
    fn csv_cells_that_would_be_formulas_are_neutralised() {
        for (text, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd", "'+cmd"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-5", "-5"),
            ("+62", "+62"),
            ("-0.25", "-0.25"),
            ("Bu Sri", "Bu Sri"),
            // An override turning a name around, a formula behind an
            // isolate: shown as written; a mark is kept.
            ("Bu \u{202E}Sri", "Bu Sri"),
            ("\u{2067}=1+2\u{2069}", "'=1+2"),
            ("Sri\u{200F}", "Sri\u{200F}"),
        ] {
            assert_eq!(csv_cell(text), want);
        }
        let long = "a".repeat(40_000);
        assert!(xlsx_cell(&long).chars().count() <= XLSX_MAX_CHARS);
        assert_eq!(xlsx_cell("Bu \u{202D}Sri\u{202C}"), "Bu Sri");
    }
}
