//! The written feedback sheet: what an incubator or a social office writes,
//! per quarter, about its achievements, obstacles and requests, each tagged
//! with the actor it addresses, and the short stories of KPM who agreed that
//! theirs be told. The reports print it verbatim beside the computed
//! findings; this module checks one row of it.
//!
//! The sheet is a CSV or XLSX with the columns of [`FEEDBACK_COLUMNS`], or
//! a KoboToolbox/ODK export of the feedback XLSForm (whose question names
//! are those columns). A row names who writes it with one of
//! `incubator_id`, `regency_code` or `province_code`.

use duckdb::types::Value;

use crate::load::{Problem, Reference, nik_problems};
use crate::register::{ColumnIndex, text, unknown_region};
use crate::values::{parse_quarter, parse_yes_no};
use crate::wilayah::Level;

/// The columns of the feedback sheet. `period`, `kind` and `text` are
/// needed on every row, with one of `incubator_id`, `regency_code`,
/// `province_code`; `actor` on every row but a story; `kpm_id` on a story.
pub const FEEDBACK_COLUMNS: &[&str] = &[
    "period",
    "incubator_id",
    "regency_code",
    "province_code",
    "author",
    "kind",
    "actor",
    "text",
    "kpm_id",
    "consent_story",
];

/// The form id of the feedback form's XLSForm (`prokus sample` writes it):
/// not a survey of the monitoring fields.
pub const FEEDBACK_FORM_ID: &str = "prokus_feedback";

/// The kinds of feedback, with the words a sheet may use for each.
pub const FEEDBACK_KINDS: &[(&str, &[&str])] = &[
    ("achievement", &["capaian", "prestasi", "keberhasilan"]),
    ("challenge", &["tantangan"]),
    ("obstacle", &["kendala", "hambatan", "masalah"]),
    ("request", &["permintaan", "usulan", "permohonan", "saran"]),
    (
        "story",
        &["kisah", "kisah_sukses", "cerita", "success_story"],
    ),
];

/// The actors a piece of feedback addresses (those of the findings
/// catalog), with the words a sheet may use for each.
pub const FEEDBACK_ACTORS: &[(&str, &[&str])] = &[
    ("kpm", &["keluarga", "penerima_manfaat"]),
    (
        "incubator",
        &["inkubator", "mentor", "inkubator_bisnis", "mibi"],
    ),
    ("dinas_sosial", &["dinsos", "dinas", "social_office"]),
    ("korkab", &["koordinator_kabupaten", "pkh_coordinator"]),
    (
        "pkh_facilitator",
        &["pendamping_pkh", "pendamping", "facilitator"],
    ),
    ("tksk", &[]),
];

/// Indonesian column names a sheet may use for the feedback's own columns,
/// with the canonical one each stands for. The columns a feedback sheet
/// shares with the other lists (who writes, a story's KPM) go by those
/// lists' names ([`SHARED_COLUMNS`]).
pub const FEEDBACK_ALIASES: &[(&str, &str)] = &[
    ("periode", "period"),
    ("triwulan", "period"),
    ("jenis", "kind"),
    ("aktor", "actor"),
    ("untuk", "actor"),
    ("pelaku", "actor"),
    ("pihak", "actor"),
    ("ditujukan_kepada", "actor"),
    ("isi", "text"),
    ("teks", "text"),
    ("umpan_balik", "text"),
    ("masukan", "text"),
    ("uraian", "text"),
    ("catatan", "text"),
    ("keterangan", "text"),
    ("penulis", "author"),
    ("persetujuan_kisah", "consent_story"),
];

/// The columns a feedback sheet shares with the template and the register,
/// read by their names there (`aliases::LIST_ALIASES`: `kode_inkubator`,
/// `kode_kab_kota`, `provinsi`, `id_kpm`, ...).
pub const SHARED_COLUMNS: [&str; 4] = ["incubator_id", "regency_code", "province_code", "kpm_id"];

/// `header` as its canonical column name when it is one of
/// [`FEEDBACK_ALIASES`], or a list's name of one of [`SHARED_COLUMNS`]
/// (case and spacing aside), else as it is.
pub(crate) fn canonical_header(header: &str) -> String {
    crate::aliases::canonical(header, FEEDBACK_ALIASES)
        .or_else(|| {
            crate::aliases::canonical(header, crate::aliases::LIST_ALIASES)
                .filter(|column| SHARED_COLUMNS.contains(column))
        })
        .map_or_else(|| header.to_string(), str::to_string)
}

/// Whether headers are those of a feedback sheet: a period, a kind and a
/// text, by their names or their Indonesian ones.
pub(crate) fn is_feedback(headers: &[String]) -> bool {
    // A monitoring sheet may have a period, a kind and notes among its
    // columns (`Periode`, `Jenis`, `Catatan`), but it has the round, which
    // no piece of feedback does.
    if crate::aliases::has_column(headers, "wave", crate::aliases::LIST_ALIASES) {
        return false;
    }
    let names: Vec<String> = headers.iter().map(|h| canonical_header(h)).collect();
    ["period", "kind", "text"]
        .iter()
        .all(|n| names.iter().any(|h| h.trim().eq_ignore_ascii_case(n)))
}

/// The longest text a row may hold, in characters: a paragraph, which the
/// reports print whole.
pub const MAX_FEEDBACK_CHARS: usize = 2000;

/// The canonical name of `raw` in `list` (its name or one of its words,
/// case and spacing aside), or the list's names for the error.
fn canonical(raw: &str, list: &[(&'static str, &[&str])]) -> Result<&'static str, String> {
    let key = raw
        .trim()
        .to_lowercase()
        .replace([' ', '-', '/'], "_")
        .replace("__", "_");
    list.iter()
        .find(|(name, words)| *name == key || words.contains(&key.as_str()))
        .map(|(name, _)| *name)
        .ok_or_else(|| {
            list.iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        })
}

/// Checks one row of a feedback sheet: the stage row (`stage_feedback`'s
/// columns) or its problems.
pub(crate) fn check_feedback_row(
    db: &Reference,
    c: &ColumnIndex,
    row: u64,
    cells: &[&str],
    numeric: &[bool],
) -> Result<Vec<Value>, Vec<Problem>> {
    let excel_errors = c.excel_errors(cells);
    let mut problems = Vec::new();
    let mut problem = |column: &str, value: &str, reason: String| {
        problems.push(Problem {
            column: column.into(),
            value: value.into(),
            reason,
        })
    };
    let period_text = c.get(cells, "period");
    let period = match parse_quarter(period_text) {
        Ok(p) => Some(p),
        Err(reason) => {
            problem("period", period_text, reason);
            None
        }
    };
    // Who writes: an incubator, else a regency's office, else a province's.
    let incubator: String = c.get(cells, "incubator_id").split_whitespace().collect();
    let regency_code = c.code(cells, numeric, "regency_code");
    let regency_text: &str = &regency_code;
    let province_text = c.get(cells, "province_code");
    let site = if !incubator.is_empty() {
        match prokus_files::check_id(&incubator) {
            Ok(()) => Some(("incubator", incubator.clone())),
            Err(reason) => {
                problem("incubator_id", &incubator, reason);
                None
            }
        }
    } else if !regency_text.is_empty() || !province_text.is_empty() {
        // A regency's office, else a province's.
        let (level, column, text) = if regency_text.is_empty() {
            (Level::Province, "province_code", province_text)
        } else {
            (Level::Regency, "regency_code", regency_text)
        };
        match db.wilayah.resolve(level, text, None) {
            Ok(r) => Some((
                if level == Level::Regency {
                    "regency"
                } else {
                    "province"
                },
                r.code.clone(),
            )),
            Err(e) => {
                // The cell as the file holds it, not with a zero added.
                let p = unknown_region(column, c.get(cells, column), level, e);
                problem(&p.column, &p.value, p.reason);
                None
            }
        }
    } else {
        problem(
            "incubator_id",
            "",
            "the row does not say who writes it: fill incubator_id (an incubator), \
             regency_code (a regency's Dinas Sosial) or province_code (a province's)"
                .into(),
        );
        None
    };
    let kind_text = c.get(cells, "kind");
    let kind = match canonical(kind_text, FEEDBACK_KINDS) {
        Ok(k) => Some(k),
        Err(names) => {
            problem(
                "kind",
                kind_text,
                format!(
                    "the kind of feedback must be one of: {names} (or capaian, tantangan, kendala, permintaan, kisah)"
                ),
            );
            None
        }
    };
    let actor_text = c.get(cells, "actor");
    let actor = match (actor_text, kind) {
        // A story is the KPM's own.
        ("", Some("story")) => Some("kpm"),
        (raw, _) => match canonical(raw, FEEDBACK_ACTORS) {
            Ok(a) => Some(a),
            Err(names) => {
                problem(
                    "actor",
                    raw,
                    format!(
                        "say whom this addresses, one of: {names} (or inkubator, dinsos, pendamping_pkh)"
                    ),
                );
                None
            }
        },
    };
    let body = c.get(cells, "text");
    if body.is_empty() {
        problem("text", "", "the feedback text is empty".into());
    } else if body.chars().count() > MAX_FEEDBACK_CHARS {
        problem(
            "text",
            &body.chars().take(60).collect::<String>(),
            format!(
                "the text has {} characters; the reports print at most {MAX_FEEDBACK_CHARS}: shorten it or split it into two rows",
                body.chars().count()
            ),
        );
    }
    let kpm_id: String = c.get(cells, "kpm_id").split_whitespace().collect();
    if kind == Some("story") && kpm_id.is_empty() {
        problem(
            "kpm_id",
            "",
            "a story needs the KPM id of the household it tells of".into(),
        );
    }
    let consent_text = c.get(cells, "consent_story");
    let consent = match consent_text {
        "" => None,
        s => match parse_yes_no(s) {
            Ok(v) => Some(v),
            Err(reason) => {
                problem("consent_story", s, reason);
                None
            }
        },
    };
    problems.extend(nik_problems(cells, c.columns()));
    let problems = crate::load::said_as_excel_errors(excel_errors, problems);
    let (Some(period), Some((level, code)), Some(kind), Some(actor)) = (period, site, kind, actor)
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(vec![
        Value::BigInt(row as i64),
        Value::Text(period),
        Value::Text(level.into()),
        Value::Text(code),
        text(c.get(cells, "author")),
        Value::Text(kind.into()),
        Value::Text(actor.into()),
        Value::Text(body.into()),
        text(&kpm_id),
        consent.map_or(Value::Null, Value::Boolean),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Database, FormMapping};

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A program of two incubators and three KPM, loaded.
    fn program(dir: &tempfile::TempDir) -> Database {
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let incubators = "incubator_id,name,university,province_code\n\
                          INK-A,Inkubator A,Univ A,32\n\
                          INK-B,Inkubator B,Univ B,33\n";
        let register = "kpm_id,arm,incubator_id,province_code,regency_code,consent_story\n\
                        A1,prokus,INK-A,32,32.17,ya\n\
                        A2,prokus,INK-A,32,32.17,\n\
                        B1,prokus,INK-B,33,33.02,ya\n";
        for (name, text) in [
            ("incubators.csv", incubators),
            ("kpm_register.csv", register),
        ] {
            db.ingest(&write(dir, name, text), &m).unwrap();
        }
        db
    }

    /// The feedback the reports print (each writer's latest sheet for a
    /// quarter), in the order it was loaded.
    fn stored(db: &Database) -> Vec<(String, String, String, String, String, Option<String>)> {
        db.conn
            .prepare(
                "SELECT period, site_level || ':' || site_code, kind, actor, text, kpm_id
                 FROM feedback_current ORDER BY batch_id, source_row",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_regency_office_typed_as_a_number_in_a_workbook_is_its_regency() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        // Kabupaten Majalengka's 32.10 in a number cell, which the
        // spreadsheet keeps as 32.1.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in ["period", "regency_code", "kind", "actor", "text"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *name).unwrap();
        }
        sheet.write_string(1, 0, "2021-Q3").unwrap();
        sheet.write_number(1, 1, 32.1).unwrap();
        for (c, text) in ["request", "dinas_sosial", "Tambah jadwal"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16 + 2, *text).unwrap();
        }
        let path = dir.path().join("feedback.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("feedback", 1), "{s:?}");
        assert_eq!(stored(&db)[0].1, "regency:32.10");
    }

    /// A feedback sheet headed as an office writes it in Bahasa Indonesia
    /// (`Kode Inkubator`, `Pelaku`, `Umpan Balik`): before, its header was
    /// no format's, and the whole file was refused.
    #[test]
    fn a_feedback_sheet_headed_in_bahasa_indonesia_loads() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let sheet = "Periode,Kode Inkubator,Jenis,Pelaku,Umpan Balik\n\
            Triwulan III 2021,INK-A,Kendala,TKSK,Kunjungan TKSK belum terjadwal\n\
            TW3 2021,INK-A,Saran,Pendamping,Perlu pelatihan pembukuan\n";
        let s = db
            .ingest(
                &write(&dir, "umpan-balik.csv", sheet),
                &FormMapping::prokus(),
            )
            .unwrap();
        assert_eq!(
            (s.format.as_str(), s.rows_loaded, s.rows_rejected),
            ("feedback", 2, 0),
            "{s:?}"
        );
        let rows: Vec<(String, String, String, String)> = stored(&db)
            .into_iter()
            .map(|(period, writer, kind, actor, _, _)| (period, writer, kind, actor))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "2021-Q3".into(),
                    "incubator:INK-A".into(),
                    "obstacle".into(),
                    "tksk".into()
                ),
                (
                    "2021-Q3".into(),
                    "incubator:INK-A".into(),
                    "request".into(),
                    "pkh_facilitator".into()
                ),
            ]
        );
        // Who writes, by the names the template and the register give it.
        let office = "Periode,Kab/Kota,Jenis,Pelaku,Uraian\n\
            2021-Q3,Kab. Bandung,Saran,Dinsos,Perlu data lebih cepat\n";
        let s = db
            .ingest(&write(&dir, "dinsos.csv", office), &FormMapping::prokus())
            .unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("feedback", 1), "{s:?}");
        assert_eq!(stored(&db)[2].1, "regency:32.04");
        // A monitoring sheet with such columns is not taken for one.
        let monitoring = ["ID KPM", "Putaran", "Periode", "Jenis", "Catatan"].map(String::from);
        assert!(!is_feedback(&monitoring));
        assert!(is_feedback(&monitoring[2..]));
    }

    /// Every row of a feedback sheet is loaded or rejected with its reason:
    /// who writes, the quarter, the kind, the actor, the text, and a story's
    /// KPM, which must be the writer's own.
    #[test]
    fn a_feedback_sheet_loads_what_it_can_and_names_each_problem() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let sheet = "period,incubator_id,regency_code,province_code,author,kind,actor,text,kpm_id,consent_story\n\
            Triwulan III 2021,INK-A,,,Mentor Ani,Kendala,Pendamping PKH,\"Pendamping jarang hadir; = #set text(red)\",,\n\
            2021-Q3,,Kab. Bandung,,Dinsos Kab. Bandung,request,dinas_sosial,Tambah jadwal pelatihan,,\n\
            2021-Q3,INK-A,,,,kisah,,Bu Siti kini punya dua pekerja,A1,ya\n\
            2021-Q3,INK-A,,,,story,,Cerita tetangga,B1,ya\n\
            2021-Q3,INK-Z,,,,capaian,incubator,Semua hadir,,\n\
            musim hujan,INK-A,,,,capaian,incubator,Semua hadir,,\n\
            2021-Q3,,,,,capaian,incubator,Tanpa penulis,,\n\
            2021-Q3,INK-A,,,,capaian,lurah,Semua hadir,,\n\
            2021-Q3,INK-A,,,,capaian,incubator,NIK 3217055208850012 hadir,,\n\
            2021-Q3,INK-A,,,,story,,Tanpa KPM,,\n\
            2021-Q3,INK-A,,,Mentor Ani,Kendala,Pendamping PKH,\"Pendamping jarang hadir; = #set text(red)\",,\n";
        let s = db
            .ingest(&write(&dir, "feedback.csv", sheet), &FormMapping::prokus())
            .unwrap();
        assert_eq!(s.format, "feedback");
        assert_eq!(
            (
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected,
                s.rows_duplicate
            ),
            (11, 3, 7, 1),
            "{s:?}"
        );
        assert_eq!(
            stored(&db),
            [
                (
                    "2021-Q3".into(),
                    "incubator:INK-A".into(),
                    "obstacle".into(),
                    "pkh_facilitator".into(),
                    "Pendamping jarang hadir; = #set text(red)".into(),
                    None
                ),
                (
                    "2021-Q3".into(),
                    "regency:32.04".into(),
                    "request".into(),
                    "dinas_sosial".into(),
                    "Tambah jadwal pelatihan".into(),
                    None
                ),
                (
                    "2021-Q3".into(),
                    "incubator:INK-A".into(),
                    "story".into(),
                    "kpm".into(),
                    "Bu Siti kini punya dua pekerja".into(),
                    Some("A1".into())
                ),
            ]
        );
        let reasons: Vec<(i64, String, String)> = db
            .conn
            .prepare(
                "SELECT source_row, column_name, reason FROM ingest_reject
                 WHERE kind = 'invalid' ORDER BY source_row",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let columns: Vec<(i64, &str)> = reasons.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
        assert_eq!(
            columns,
            [
                (5, "kpm_id"),
                (6, "incubator_id"),
                (7, "period"),
                (8, "incubator_id"),
                (9, "actor"),
                (10, "text"),
                (11, "kpm_id")
            ]
        );
        assert!(reasons[0].2.contains("incubator INK-B"), "{reasons:?}");
        assert!(reasons[4].2.contains("korkab"), "{reasons:?}");
        assert!(reasons[5].2.contains("NIK"), "{reasons:?}");
        // No NIK is kept, in any column.
        let kept: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM ingest_reject WHERE value LIKE '%3217055208850012%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 0);
    }

    /// A sheet with Indonesian column names loads as the canonical one.
    #[test]
    fn indonesian_column_names_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let sheet = "Periode,ID Inkubator,Jenis,Untuk,Isi,Penulis,Catatan\n\
                     Triwulan III 2021,INK-A,permintaan,dinsos,Mohon pelatihan NIB,Mentor Ani,\n";
        let s = db
            .ingest(
                &write(&dir, "umpan_balik.csv", sheet),
                &FormMapping::prokus(),
            )
            .unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("feedback", 1), "{s:?}");
        // A column the sheet's maker added is named, as in the other lists.
        assert_eq!(s.unread_columns, ["Catatan"]);
        assert_eq!(
            stored(&db),
            [(
                "2021-Q3".into(),
                "incubator:INK-A".into(),
                "request".into(),
                "dinas_sosial".into(),
                "Mohon pelatihan NIB".into(),
                None
            )]
        );
    }

    /// A Kobo export of a feedback form loads as a sheet does; its
    /// metadata columns are not named as unread.
    #[test]
    fn a_kobo_export_of_a_feedback_form_names_no_metadata_column() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let export = "start,end,period,incubator_id,kind,actor,text,_id,_uuid,_submission_time,_index\n\
                      2021-09-01T10:00:00,2021-09-01T10:05:00,2021-Q3,INK-A,request,dinsos,Mohon pelatihan,\
                      7,0b1c,2021-09-01T10:06:00,1\n";
        let s = db
            .ingest(
                &write(&dir, "feedback_kobo.csv", export),
                &FormMapping::prokus(),
            )
            .unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("feedback", 1), "{s:?}");
        assert!(s.unread_columns.is_empty(), "{s:?}");
    }

    /// A corrected sheet replaces what the same writer wrote for the same
    /// quarter, and leaves the other quarters and writers alone; withdrawn,
    /// it gives the earlier sheet's rows back.
    #[test]
    fn a_corrected_sheet_replaces_its_writers_quarter_only_until_withdrawn() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let m = FormMapping::prokus();
        let first = "period,incubator_id,regency_code,kind,actor,text\n\
                     2021-Q2,INK-A,,obstacle,incubator,Q2 lama\n\
                     2021-Q3,INK-A,,obstacle,incubator,Q3 lama\n\
                     2021-Q3,,32.17,request,korkab,Kabupaten\n";
        db.ingest(&write(&dir, "feedback-1.csv", first), &m)
            .unwrap();
        let second = "period,incubator_id,kind,actor,text\n\
                      2021-Q3,INK-A,obstacle,incubator,Q3 baru\n";
        db.ingest(&write(&dir, "feedback-2.csv", second), &m)
            .unwrap();
        let texts =
            |db: &Database| -> Vec<String> { stored(db).into_iter().map(|r| r.4).collect() };
        assert_eq!(texts(&db), ["Q2 lama", "Kabupaten", "Q3 baru"]);
        assert_eq!(stored(&db)[0].0, "2021-Q2");

        // Withdrawn, the correction gives the earlier sheet's quarter back.
        let batch = db.batch_of("feedback-2.csv").unwrap();
        let w = db.withdraw(batch).unwrap();
        assert_eq!((w.feedback, w.feedback_restored), (1, 1), "{w:?}");
        assert_eq!(texts(&db), ["Q2 lama", "Q3 lama", "Kabupaten"]);
        // Withdrawn too, the earlier sheet leaves no text behind.
        let batch = db.batch_of("feedback-1.csv").unwrap();
        let w = db.withdraw(batch).unwrap();
        assert_eq!((w.feedback, w.feedback_restored), (3, 0), "{w:?}");
        let left: Vec<i64> = db.column("SELECT count(*) FROM feedback", []);
        assert_eq!(left, [0]);
    }

    /// A story's KPM id in other capitals than the register's is refused
    /// naming the register's.
    #[test]
    fn a_story_of_a_kpm_written_otherwise_names_the_registers_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = program(&dir);
        let sheet = "period,incubator_id,kind,text,kpm_id,consent_story\n\
                     2021-Q3,INK-A,story,Kini punya dua pekerja,a1,ya\n";
        let s = db
            .ingest(&write(&dir, "feedback.csv", sheet), &FormMapping::prokus())
            .unwrap();
        assert_eq!((s.rows_loaded, s.rows_rejected), (0, 1), "{s:?}");
        let reason: Vec<String> = db.column(
            "SELECT reason FROM ingest_reject WHERE batch_id = ?",
            [s.batch_id],
        );
        assert!(reason[0].contains("which has A1"), "{reason:?}");
    }

    #[test]
    fn kinds_and_actors_are_read_in_either_language() {
        assert_eq!(canonical("Kendala", FEEDBACK_KINDS), Ok("obstacle"));
        assert_eq!(canonical("kisah sukses", FEEDBACK_KINDS), Ok("story"));
        assert_eq!(canonical("request", FEEDBACK_KINDS), Ok("request"));
        assert_eq!(
            canonical("Pendamping PKH", FEEDBACK_ACTORS),
            Ok("pkh_facilitator")
        );
        assert_eq!(canonical("DINSOS", FEEDBACK_ACTORS), Ok("dinas_sosial"));
        assert!(
            canonical("lurah", FEEDBACK_ACTORS)
                .unwrap_err()
                .contains("korkab")
        );
    }
}
