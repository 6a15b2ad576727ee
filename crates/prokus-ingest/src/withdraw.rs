//! The files a database holds, and taking one loaded by mistake back out
//! (`prokus files`, `prokus withdraw`): a survey export or sheet of the
//! wrong round, last year's file, a test file. Its answers go, with what
//! the load recorded of it (its refused rows, its questions, the household
//! fields it gave differently) and the KPM it added that no other file
//! answers for; the file can then be loaded again. A settings file goes
//! too, and the one of its kind loaded before it is current again.
//!
//! A feedback sheet goes with its rows: the earlier sheet of the same
//! writer and quarter, kept beneath it, is the one the reports print again.
//!
//! A list (register, incubators) updated rows in place: what it replaced is
//! not kept, so it is not withdrawn, unless every row of it was refused. A
//! corrected list is loaded instead.

use std::path::Path;

use duckdb::{OptionalExt, params};

use crate::IngestError;
use crate::db::Database;

/// The formats of files whose rows are their own: survey exports and
/// sheets. Their answers are added, never written over others.
const SURVEY_FORMATS: &[&str] = &["kobo-csv", "kobo-xlsx", "odk-csv", "odk-zip", "template"];

/// A file the database holds: a row of `ingest_batch`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedFile {
    /// Its batch number, in the order the files were loaded.
    pub batch_id: i64,
    /// The file as it was given.
    pub file: String,
    /// Its format (`template`, `kobo-csv`, `targets` …).
    pub format: String,
    /// Its rows loaded, refused and already held.
    pub rows_loaded: i64,
    /// Rows refused (see `prokus rejects`).
    pub rows_rejected: i64,
    /// Rows already held, from this file or an earlier one.
    pub rows_duplicate: i64,
    /// When its load ended (UTC, `2026-12-07 02:00`).
    pub loaded_at: String,
}

/// What [`Database::withdraw`] took out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Withdrawn {
    /// The file as it was given when loaded.
    pub file: String,
    /// Its format.
    pub format: String,
    /// Answers taken out.
    pub responses: u64,
    /// Answers a later file holds too: kept, now counted as that file's.
    pub moved: u64,
    /// KPM the file had added, taken out with its answers.
    pub kpm_removed: u64,
    /// KPM the file had added that another file answers for: kept.
    pub kpm_kept: u64,
    /// Rows of written feedback taken out (a feedback sheet's).
    pub feedback: u64,
    /// Rows of earlier feedback sheets, of the same writers and quarters,
    /// that the reports print again.
    pub feedback_restored: u64,
    /// The file's refused rows, taken out with it (a list's, all of them).
    pub refused: u64,
}

impl Database {
    /// Every file the database holds, in the order they were loaded.
    pub fn loaded_files(&self) -> Result<Vec<LoadedFile>, IngestError> {
        let mut stmt = self.conn.prepare(
            "SELECT batch_id, file, format, rows_loaded, rows_rejected, rows_duplicate,
                    strftime(finished_at, '%Y-%m-%d %H:%M')
             FROM ingest_batch ORDER BY batch_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(LoadedFile {
                batch_id: r.get(0)?,
                file: r.get(1)?,
                format: r.get(2)?,
                rows_loaded: r.get(3)?,
                rows_rejected: r.get(4)?,
                rows_duplicate: r.get(5)?,
                loaded_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The batch `given` names: its number (as `prokus files` lists it), a
    /// file on disk (known by its content, wherever it is now), or the name
    /// a file was loaded under (its path or its file name, when one file
    /// alone has it).
    pub fn batch_of(&self, given: &str) -> Result<i64, IngestError> {
        let files = self.loaded_files()?;
        let not_found = |why: &str| IngestError::NoSuchFile {
            given: crate::privacy::safe_text(given),
            why: why.to_string(),
        };
        if let Ok(id) = given.trim().parse::<i64>() {
            return files
                .iter()
                .find(|f| f.batch_id == id)
                .map(|f| f.batch_id)
                .ok_or_else(|| not_found("no file was loaded as that batch"));
        }
        let path = Path::new(given);
        if path.is_file() {
            let scanned =
                crate::source::scan(path, crate::load::SCAN_BUFFER).map_err(|source| {
                    IngestError::Io {
                        path: path.to_path_buf(),
                        source,
                    }
                })?;
            let batch: Option<i64> = self
                .conn
                .query_row(
                    "SELECT batch_id FROM ingest_batch WHERE sha256 = $1",
                    params![scanned.sha256],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(batch) = batch {
                return Ok(batch);
            }
            // A workbook loaded sheet by sheet (a round per sheet): each
            // sheet is a batch, known by the workbook's hash and its name.
            let mut sheets = Vec::new();
            for sheet in crate::source::workbook_sheets(path) {
                let hash = crate::load::sheet_hash(&scanned.sha256, &sheet);
                let batch: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT batch_id FROM ingest_batch WHERE sha256 = $1",
                        params![hash],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(batch) = batch {
                    sheets.push(format!("{batch} (`{}`)", crate::privacy::safe_text(&sheet)));
                }
            }
            return Err(if sheets.is_empty() {
                not_found(
                    "this file's content is not in the database (never loaded, or withdrawn; \
                     a file changed since is another file)",
                )
            } else {
                not_found(&format!(
                    "this workbook was loaded a sheet at a time, as batches {}: withdraw each \
                     sheet by its batch's number",
                    sheets.join(", ")
                ))
            });
        }
        let name_of = |f: &str| {
            Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        };
        let given_shown = crate::privacy::redact(given);
        let given = given_shown.as_ref();
        let named: Vec<&LoadedFile> = files
            .iter()
            .filter(|f| f.file == given || name_of(&f.file).as_deref() == Some(given))
            .collect();
        match named.as_slice() {
            [one] => Ok(one.batch_id),
            [] => Err(not_found("no file of that name was loaded")),
            _ => Err(not_found(&format!(
                "{} files were loaded under that name (batches {}): give the batch's number",
                named.len(),
                named
                    .iter()
                    .map(|f| f.batch_id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Takes batch `batch` out of the database, in one transaction: its
    /// answers and what its load recorded, the KPM it added that no other
    /// file answers for, the settings it loaded, or its written feedback.
    /// A list that loaded any row is refused
    /// ([`IngestError::CannotWithdraw`]).
    pub fn withdraw(&mut self, batch: i64) -> Result<Withdrawn, IngestError> {
        self.take_out(batch, true)
    }

    /// What [`Database::withdraw`] would take out of batch `batch`, with
    /// nothing changed (the same work, rolled back).
    pub fn withdraw_preview(&mut self, batch: i64) -> Result<Withdrawn, IngestError> {
        self.take_out(batch, false)
    }

    /// Withdraws batch `batch`, committed when `commit`, else rolled back.
    fn take_out(&mut self, batch: i64, commit: bool) -> Result<Withdrawn, IngestError> {
        let (file, format, loaded): (String, String, i64) = self
            .conn
            .query_row(
                "SELECT file, format, rows_loaded FROM ingest_batch WHERE batch_id = $1",
                params![batch],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| IngestError::NoSuchFile {
                given: batch.to_string(),
                why: "no file was loaded as that batch".into(),
            })?;
        let settings = crate::settings::KINDS.contains(&format.as_str());
        // A list every row of which was refused wrote over nothing: it goes
        // (its refused rows with it), and can be loaded again, as a
        // register of KPM that did move is with `--move-kpm`.
        let wrote_nothing = loaded == 0;
        if !settings
            && !wrote_nothing
            && format != "feedback"
            && !SURVEY_FORMATS.contains(&format.as_str())
        {
            return Err(IngestError::CannotWithdraw {
                file: crate::privacy::safe_text(&file),
                format,
            });
        }
        let tx = self.conn.unchecked_transaction()?;
        // An answer a later file holds too (an export that overlaps this
        // one) was refused there as a duplicate of this file's: it stays,
        // as that file's row, and that file's count of it moves from its
        // duplicates to its loaded rows.
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE withdraw_moved AS
             SELECT r.submission_id, d.to_batch, d.to_row
             FROM response r
             JOIN (SELECT value AS submission_id,
                          arg_min(batch_id, batch_id) AS to_batch,
                          arg_min(source_row, batch_id) AS to_row
                   FROM ingest_reject
                   WHERE kind = 'duplicate' AND column_name = 'submission_id' AND batch_id <> $1
                   GROUP BY value) d USING (submission_id)
             WHERE r.batch_id = $1",
            params![batch],
        )?;
        let moved = tx.execute(
            "UPDATE response SET batch_id = m.to_batch, source_row = m.to_row
             FROM withdraw_moved m
             WHERE response.batch_id = $1 AND response.submission_id = m.submission_id",
            params![batch],
        )?;
        tx.execute_batch(
            "DELETE FROM ingest_reject
             WHERE kind = 'duplicate' AND column_name = 'submission_id'
               AND (batch_id, source_row) IN (SELECT (to_batch, to_row) FROM withdraw_moved);
             UPDATE ingest_batch
             SET rows_loaded = rows_loaded + m.n, rows_duplicate = rows_duplicate - m.n
             FROM (SELECT to_batch, count(*) AS n FROM withdraw_moved GROUP BY to_batch) m
             WHERE ingest_batch.batch_id = m.to_batch;
             DROP TABLE withdraw_moved;",
        )?;
        let responses = tx.execute("DELETE FROM response WHERE batch_id = $1", params![batch])?;
        // A feedback sheet's rows, and the earlier sheets' rows of the same
        // writers and quarters that are the latest again without them.
        let current_before: i64 = tx.query_row(
            "SELECT count(*) FROM feedback_current WHERE batch_id <> $1",
            params![batch],
            |r| r.get(0),
        )?;
        let feedback = tx.execute("DELETE FROM feedback WHERE batch_id = $1", params![batch])?;
        let current_after: i64 =
            tx.query_row("SELECT count(*) FROM feedback_current", [], |r| r.get(0))?;
        let feedback_restored = current_after - current_before;
        // The KPM this file added, apart from those another file answers for.
        let kpm_kept: i64 = tx.query_row(
            "SELECT count(*) FROM kpm k WHERE k.batch_id = $1
               AND EXISTS (SELECT 1 FROM response r WHERE r.kpm_id = k.kpm_id)",
            params![batch],
            |r| r.get(0),
        )?;
        // With them, those a file withdrawn before had added and kept for
        // this file's answers.
        let kpm_removed = tx.execute(
            "DELETE FROM kpm
             WHERE (batch_id = $1 OR batch_id NOT IN (SELECT batch_id FROM ingest_batch))
               AND NOT EXISTS (SELECT 1 FROM response r WHERE r.kpm_id = kpm.kpm_id)",
            params![batch],
        )?;
        let refused = tx.execute(
            "DELETE FROM ingest_reject WHERE batch_id = $1",
            params![batch],
        )?;
        for table in [
            "batch_field",
            "household_difference",
            "setting",
            "ingest_batch",
        ] {
            // The table names are this list's own, never the data's.
            tx.execute(
                &format!("DELETE FROM {table} WHERE batch_id = $1"),
                params![batch],
            )?;
        }
        if commit {
            tx.commit()?;
            tracing::info!(batch, responses, kpm_removed, "file withdrawn");
        } else {
            tx.rollback()?;
        }
        Ok(Withdrawn {
            file,
            format,
            responses: responses as u64,
            moved: moved as u64,
            kpm_removed: kpm_removed as u64,
            kpm_kept: kpm_kept as u64,
            feedback: feedback as u64,
            feedback_restored: feedback_restored as u64,
            refused: refused as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FormMapping;

    fn load(db: &mut Database, path: &Path, text: &str) -> crate::BatchSummary {
        std::fs::write(path, text).unwrap();
        db.ingest(path, &FormMapping::prokus()).unwrap()
    }

    /// A database with one incubator and `kpm` registered with it, and
    /// the folder of its files.
    fn program(kpm: &[&str]) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        load(
            &mut db,
            &dir.path().join("incubators.csv"),
            "incubator_id,name,university,province_code\nINK-32-01,I,U,32\n",
        );
        let mut register = String::from("kpm_id,arm,incubator_id,regency_code\n");
        for k in kpm {
            register.push_str(&format!("{k},prokus,INK-32-01,32.17\n"));
        }
        load(&mut db, &dir.path().join("kpm_register.csv"), &register);
        (dir, db)
    }

    fn count(db: &Database, sql: &str) -> i64 {
        db.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Two exports that overlap: the later one's copies of the earlier's
    /// answers were refused as duplicates. Withdrawing the earlier keeps
    /// those answers, now the later file's, with its counts.
    #[test]
    fn answers_a_later_file_holds_too_stay_as_its_own() {
        let (dir, mut db) = program(&["K1", "K2"]);
        let at = |name: &str| dir.path().join(name);
        let header = "_uuid,_submission_time,identitas/kpm_id,identitas/putaran\n";
        let june = format!("{header}u1,2021-06-10,K1,baseline\nu2,2021-06-11,K2,baseline\n");
        let october = format!("{header}u2,2021-06-11,K2,baseline\nu3,2021-10-01,K1,endline\n");
        load(&mut db, &at("june.csv"), &june);
        let s = load(&mut db, &at("october.csv"), &october);
        assert_eq!((s.rows_loaded, s.rows_duplicate), (1, 1), "{s:?}");

        let w = db.withdraw(db.batch_of("june.csv").unwrap()).unwrap();
        assert_eq!((w.responses, w.moved), (1, 1), "{w:?}");
        let held: Vec<String> = db
            .conn
            .prepare(
                "SELECT r.submission_id || ' ' || b.file || ' ' || r.source_row
                 FROM response r JOIN ingest_batch b USING (batch_id) ORDER BY 1",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let october_path = at("october.csv").display().to_string();
        assert_eq!(
            held,
            [
                format!("u2 {october_path} 2"),
                format!("u3 {october_path} 3")
            ]
        );
        let counts = db.loaded_files().unwrap().pop().unwrap();
        assert_eq!((counts.rows_loaded, counts.rows_duplicate), (2, 0));
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM ingest_reject WHERE kind = 'duplicate'"
            ),
            0
        );
    }

    /// A sheet withdrawn takes its answers, its refused rows and the KPM it
    /// added that no other file answers for; a KPM another file answers for
    /// stays until that file goes too; the sheet loads again afterwards. A
    /// register is not withdrawn, and a name that is no file's is refused.
    #[test]
    fn a_sheet_withdrawn_takes_its_answers_and_kpm_and_loads_again() {
        let (dir, mut db) = program(&["K1"]);
        let at = |name: &str| dir.path().join(name);
        let a = "kpm_id,wave,arm,incubator_id,regency_code,business_income\n\
                 K1,baseline,,,,900000\n\
                 K9,baseline,prokus,INK-32-01,32.17,800000\n\
                 K8,baseline,prokus,INK-32-01,32.17,700000\n\
                 KX,baseline,,,,100\n";
        let s = load(&mut db, &at("a.csv"), a);
        assert_eq!((s.rows_loaded, s.rows_rejected), (3, 1), "{s:?}");
        let s = load(
            &mut db,
            &at("b.csv"),
            "kpm_id,wave,business_income\nK9,monitoring_1,1000000\n",
        );
        assert_eq!(s.rows_loaded, 1, "{s:?}");
        assert_eq!(db.loaded_files().unwrap().len(), 4);

        // By the name it was loaded under; previewed first, which changes
        // nothing.
        let a_batch = db.batch_of("a.csv").unwrap();
        let preview = db.withdraw_preview(a_batch).unwrap();
        assert_eq!(count(&db, "SELECT count(*) FROM response"), 4);
        assert_eq!(db.loaded_files().unwrap().len(), 4);
        let w = db.withdraw(a_batch).unwrap();
        assert_eq!(preview, w);
        assert_eq!(
            (w.format.as_str(), w.responses, w.kpm_removed, w.kpm_kept),
            ("template", 3, 1, 1),
            "{w:?}"
        );
        assert_eq!(count(&db, "SELECT count(*) FROM response"), 1);
        assert_eq!(
            count(&db, "SELECT count(*) FROM kpm WHERE kpm_id IN ('K1', 'K9')"),
            2
        );
        assert_eq!(count(&db, "SELECT count(*) FROM kpm"), 2, "K8 went");
        let gone = format!("SELECT count(*) FROM ingest_reject WHERE batch_id = {a_batch}");
        assert_eq!(count(&db, &gone), 0);
        assert_eq!(db.loaded_files().unwrap().len(), 3);

        // By the file itself, wherever it is now: the KPM the first file
        // added goes with the last answers for it.
        std::fs::rename(at("b.csv"), at("b-moved.csv")).unwrap();
        let b_batch = db.batch_of(at("b-moved.csv").to_str().unwrap()).unwrap();
        let w = db.withdraw(b_batch).unwrap();
        assert_eq!((w.responses, w.kpm_removed, w.kpm_kept), (1, 1, 0), "{w:?}");
        assert_eq!(count(&db, "SELECT count(*) FROM kpm"), 1);

        // Withdrawn, a file is no longer "already loaded".
        let s = load(&mut db, &at("a.csv"), a);
        assert_eq!((s.already_loaded, s.rows_loaded), (false, 3), "{s:?}");

        // A list wrote over what was before it: refused, nothing changed.
        let register = db.batch_of("kpm_register.csv").unwrap();
        let err = db.withdraw(register).unwrap_err();
        assert!(
            matches!(&err, IngestError::CannotWithdraw { format, .. } if format == "kpm-register"),
            "{err}"
        );
        assert_eq!(db.loaded_files().unwrap().len(), 3);
        // Names of no file, or of two.
        for given in ["nope.csv", "99"] {
            assert!(
                matches!(db.batch_of(given), Err(IngestError::NoSuchFile { .. })),
                "{given}"
            );
        }
        std::fs::create_dir(at("other")).unwrap();
        load(
            &mut db,
            &at("other").join("a.csv"),
            "kpm_id,wave,business_income\nK1,endline,1100000\n",
        );
        let err = db.batch_of("a.csv").unwrap_err().to_string();
        assert!(err.contains("2 files were loaded under that name"), "{err}");
    }
}
