//! The files ProKUS writes: each written whole or not at all
//! ([`write_atomically`]), named from data only through [`file_stem`] so no
//! id climbs out of its folder, and an earlier run's outputs that a new run
//! no longer makes removed ([`replace_outputs`]), and the text from the data
//! written into them shown in its own direction ([`without_bidi_controls`]).
//!
//! Its own crate, beneath the others, so that the reports and the checks
//! write files the way ingest does without depending on ingest's readers.

use std::io::Write;
use std::path::Path;

/// Whether `c` is a bidirectional control that embeds, overrides or
/// isolates (U+202A to U+202E, U+2066 to U+2069). Such a control in a name
/// or a story typed into a sheet turns the text after it around where it
/// is shown (an override shows `RTL` as `LTR`), or carries the direction
/// into the text after it, and could disguise what a reader takes the name
/// to be. The marks (U+200E, U+200F, U+061C) only set the direction of the
/// characters next to them, and are not among these.
// Inline: compiled in the crates that call them, with their optimisation
// (this crate's own code is not optimised in the dev profile), since they
// look at every character of every cell and report written.
#[inline]
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without the controls of [`is_bidi_control`], for a PDF or a
/// spreadsheet: text from the data is then shown in the direction of its
/// own letters.
#[inline]
pub fn without_bidi_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(is_bidi_control) {
        text.chars().filter(|&c| !is_bidi_control(c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `text` as it may be printed on a terminal: each control character but a
/// line break or a tab (ESC, which starts the sequences that retitle the
/// window, recolour or rewrite the screen; the C1 controls that do the same
/// on some terminals; BEL, a carriage return) and each control of
/// [`is_bidi_control`] shown as U+FFFD. For messages that echo a file's own
/// text (a header, a cell, a file name).
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c);
    if text.contains(unsafe_char) {
        text.chars()
            .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes `bytes` to `path` through a uniquely named temporary file in the
/// same folder (created if missing), renamed over `path` once complete:
/// readers see the old file or the new one, never half of one, and two
/// writers never share a temporary file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomically`], with the file's contents written by `write` as
/// they come (buffered), so that a large output is never held whole in
/// memory. Nothing replaces `path` when `write` fails.
///
/// A `path` that is not a file but a device or a pipe (`/dev/null`,
/// `/dev/stdout`, a FIFO) is written to as it is: renamed over, it would be
/// replaced by a file (`/dev/null` gone, for root). A link to a file has
/// the file it points to replaced, and stays a link.
pub fn write_atomically_with<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            let mut out =
                std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
            write(&mut out)?;
            out.flush()?;
            return Ok(());
        }
        // The file a link points to (a link to a device is written above).
        Ok(meta) if meta.is_file() && path.is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(".prokus-")
        .suffix(".part")
        .tempfile_in(dir)?;
    let mut out = std::io::BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The longest id (incubator, unit) accepted, in characters.
pub const MAX_ID: usize = 64;

/// Checks an id that names files (an incubator's): 1 to 64 (`MAX_ID`) ASCII
/// letters, digits, `-`, `_` and `.`, beginning with a letter or digit. The
/// error says what to write instead.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "an id may only hold letters, digits, `-`, `_` and `.` (at most {MAX_ID}, beginning with a letter or digit), \
             such as INK-32-01"
        ))
    }
}

/// A file name stem for an id, safe in any folder and one-to-one: an id that
/// passes [`check_id`] is its own stem; in any other, every byte that could
/// not stand (and `%` itself) is written `%XX`, so no stem climbs out of its
/// folder (`../x` becomes `%2E%2E%2Fx`) and two ids never share a file.
pub fn file_stem(id: &str) -> String {
    if check_id(id).is_ok() {
        return id.to_string();
    }
    let mut out = String::with_capacity(id.len() * 3);
    for (i, b) in id.bytes().enumerate() {
        let plain = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') || (b == b'.' && i > 0);
        if plain {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    // File names are limited to 255 bytes: a longer stem keeps its start
    // and a hash of the whole id, which stays one-to-one in practice.
    if out.len() > 120 {
        use sha2::{Digest, Sha256};
        let hash = hex::encode(Sha256::digest(id.as_bytes()));
        out.truncate(80);
        out.push('~');
        out.push_str(&hash[..32]);
    }
    out
}

/// The file in an output folder that lists what prokus wrote there.
pub const MANIFEST: &str = ".prokus-outputs";

/// Records that a run wrote `written` (paths under `dir`) for `scope` (an
/// audience, or `check`), and removes the files an earlier run of the same
/// scope wrote there and this one did not: the report of an incubator that
/// no longer exists, or the list of a KPM who moved to another incubator,
/// does not stay behind. Only files listed by an earlier run are ever
/// removed, and only inside `dir`. Returns how many were removed.
pub fn replace_outputs(
    dir: &Path,
    scope: &str,
    written: &[std::path::PathBuf],
) -> std::io::Result<usize> {
    use std::collections::BTreeSet;
    let manifest = dir.join(MANIFEST);
    let old = match std::fs::read_to_string(&manifest) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let relative = |p: &Path| -> Option<String> {
        let rel = p.strip_prefix(dir).ok()?;
        let text = rel.to_str()?.replace('\\', "/");
        safe_relative(&text).then_some(text)
    };
    let now: BTreeSet<String> = written.iter().filter_map(|p| relative(p)).collect();
    let mut kept = Vec::new();
    let mut removed = 0;
    for line in old.lines() {
        let Some((line_scope, rel)) = line.split_once('\t') else {
            continue;
        };
        if line_scope != scope {
            kept.push(line.to_string());
        } else if !now.contains(rel) && safe_relative(rel) {
            match std::fs::remove_file(dir.join(rel)) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    kept.extend(now.iter().map(|rel| format!("{scope}\t{rel}")));
    let mut text = kept.join("\n");
    text.push('\n');
    write_atomically(&manifest, text.as_bytes())?;
    Ok(removed)
}

/// A path relative to its folder that stays inside it.
fn safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains(':')
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_for_a_terminal_keeps_no_control_but_line_breaks_and_tabs() {
        let text = "a\u{1b}]0;title\u{7}b\u{1b}[31mc\u{9d}d\re\u{202E}f\ng\th Café";
        assert_eq!(
            for_terminal(text),
            "a\u{FFFD}]0;title\u{FFFD}b\u{FFFD}[31mc\u{FFFD}d\u{FFFD}e\u{FFFD}f\ng\th Café"
        );
        assert!(matches!(
            for_terminal("plain Café\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// An output given as a device (through a link in a scratch folder, so
    /// that a failing run replaces the link, never the device itself) is
    /// written to, not renamed over; a link to a file stays a link.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_or_a_link_given_as_the_output_stays_what_it_is() {
        use std::os::unix::fs::{FileTypeExt as _, symlink};
        let dir = tempfile::tempdir().unwrap();
        let null = dir.path().join("null.csv");
        symlink("/dev/null", &null).unwrap();
        write_atomically(&null, b"kpm_id\n").unwrap();
        assert!(null.is_symlink(), "the link to /dev/null is still there");
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A full disk is an error, not a file written.
        let full = dir.path().join("full.csv");
        symlink("/dev/full", &full).unwrap();
        let error = write_atomically(&full, &[b'x'; 1 << 16]).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(28), "{error}");
        assert!(full.is_symlink());
        // A link to a file: the file replaced, the link kept.
        let file = dir.path().join("indicators-2021.csv");
        std::fs::write(&file, "old").unwrap();
        let link = dir.path().join("indicators.csv");
        symlink(&file, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
    }

    #[test]
    fn a_second_run_removes_what_it_no_longer_writes_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = &dir.path().join("out");
        let outside = dir.path().join("keep-me.txt");
        std::fs::write(&outside, b"mine").unwrap();
        let write = |rel: &str| {
            let p = out.join(rel);
            write_atomically(&p, b"x").unwrap();
            p
        };
        let a = write("incubator/A.pdf");
        let b = write("incubator/B.pdf");
        let national = write("national.pdf");
        let mine = write("incubator/notes.txt");
        replace_outputs(out, "incubator", &[a.clone(), b.clone()]).unwrap();
        replace_outputs(out, "national", std::slice::from_ref(&national)).unwrap();
        // B's KPM moved to A: the next incubator run writes A only.
        assert_eq!(
            replace_outputs(out, "incubator", std::slice::from_ref(&a)).unwrap(),
            1
        );
        assert!(a.exists() && !b.exists() && national.exists() && mine.exists());
        // A manifest edited to point outside the folder removes nothing.
        let listed = format!(
            "incubator\t../keep-me.txt\nincubator\t{}\n",
            outside.display()
        );
        std::fs::write(out.join(MANIFEST), listed).unwrap();
        assert_eq!(replace_outputs(out, "incubator", &[]).unwrap(), 0);
        assert!(outside.exists());
    }

    #[test]
    fn ids_are_checked_and_every_id_has_its_own_safe_file_name() {
        for ok in ["INK-32-01", "INK.1", "INK_1", "a"] {
            assert!(check_id(ok).is_ok(), "{ok}");
            assert_eq!(file_stem(ok), ok);
        }
        for bad in [
            "",
            "../../esc",
            "INK/1",
            ".hidden",
            "-x",
            "a b",
            "ink\u{e9}",
        ] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        let ids = [
            "INK.1",
            "INK/1",
            "INK_1",
            "INK%2F1",
            "../../esc",
            "..",
            ".",
            "",
            "a\\b",
            "INK-1",
        ];
        let stems: Vec<String> = ids.iter().map(|id| file_stem(id)).collect();
        for (id, stem) in ids.iter().zip(&stems) {
            assert!(!stem.contains(['/', '\\']), "{id} -> {stem}");
            assert!(!stem.starts_with('.') && !stem.is_empty(), "{id} -> {stem}");
        }
        let mut unique = stems.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), stems.len(), "{stems:?}");
        let long = "x/".repeat(200);
        assert!(file_stem(&long).len() < 200);
    }
}
