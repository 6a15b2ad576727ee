//! Programme settings kept with the data: the targets, the survey calendar and
//! the checks' configuration of the programme a database holds.
//!
//! A settings file (TOML) is loaded like a data file (`prokus ingest
//! schedule.toml`): it becomes a batch of its own (format `targets`,
//! `schedule` or `checks`, no rows), its text is stored, and the latest file
//! of each kind is the current one. Loading an earlier file again makes it
//! current again. The report footers' data snapshot covers the current
//! settings, so a PDF says which targets and calendar it was judged against.
//!
//! This module stores and reads the texts; what they mean (and whether they
//! are valid) is the metrics crate's (`prokus_metrics::settings`).

use std::path::Path;

use chrono::{NaiveDateTime, Utc};
use duckdb::{Connection, OptionalExt, params};
use sha2::{Digest, Sha256};

use crate::{BatchSummary, Database, IngestError};

/// A settings file larger than this is refused: the programme's own files
/// are a few kilobytes.
pub const MAX_SETTINGS_BYTES: usize = 1 << 20;

/// The kinds of settings a database keeps.
pub const KINDS: &[&str] = &["targets", "schedule", "checks"];

/// The current settings file of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSetting {
    /// `targets`, `schedule` or `checks`.
    pub kind: String,
    /// The file's text.
    pub text: String,
    /// The file as it was given.
    pub file: String,
    /// The batch that loaded it.
    pub batch_id: i64,
    /// When it was loaded (UTC).
    pub loaded_at: NaiveDateTime,
}

/// Reads a settings file, refusing what cannot be one (too large, not UTF-8).
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.len() > MAX_SETTINGS_BYTES {
        return Err(IngestError::Unreadable {
            path: path.to_path_buf(),
            reason: format!(
                "a settings file of {} bytes; settings files are a few kilobytes (at most {MAX_SETTINGS_BYTES})",
                bytes.len()
            ),
            hint: "check that this is the programme's targets, schedule or checks file".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| IngestError::Unreadable {
        path: path.to_path_buf(),
        reason: format!(
            "byte {} is not UTF-8 text",
            e.utf8_error().valid_up_to() + 1
        ),
        hint: "save the file as UTF-8 text".into(),
    })
}

impl Database {
    /// Stores `text`, already checked to be a valid settings file of `kind`
    /// (one of [`KINDS`]), read from `file`; it becomes the current one of its
    /// kind. The same text loaded while it is current adds nothing.
    pub fn store_setting(
        &mut self,
        file: &Path,
        kind: &str,
        text: &str,
    ) -> Result<BatchSummary, IngestError> {
        if !KINDS.contains(&kind) {
            return Err(IngestError::Unreadable {
                path: file.to_path_buf(),
                reason: format!("`{kind}` is not a kind of settings"),
                hint: format!("the kinds are: {}", KINDS.join(", ")),
            });
        }
        let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        let display = crate::privacy::shown_path(file);
        let summary = |batch_id: i64, already_loaded: bool| BatchSummary {
            file: display.clone(),
            format: kind.to_string(),
            rows_read: 0,
            rows_loaded: 0,
            rows_rejected: 0,
            rows_duplicate: 0,
            batch_id,
            already_loaded,
            orphan_repeat_rows: 0,
            rows_dated_at_load: 0,
            kpm_without_nik: 0,
            nik_column: true,
            unlisted_incubators: Vec::new(),
            kept_columns: Vec::new(),
            unread_columns: Vec::new(),
            named_twice: Vec::new(),
            formulas_to_recalculate: Vec::new(),
            own_wave: false,
            incubators_by_name: Vec::new(),
            answers_not_given: 0,
            interview_times_not_believed: 0,
            interview_times_without_offset: 0,
        };
        let with_context = |source: duckdb::Error| IngestError::Database {
            context: format!(" while loading {display}"),
            source,
        };
        let tx = self.conn.unchecked_transaction().map_err(with_context)?;
        let earlier: Option<(i64, String)> = tx
            .query_row(
                "SELECT batch_id, format FROM ingest_batch WHERE sha256 = $1",
                params![sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let current = current_batch(&tx, kind)?;
        let batch_id = match earlier {
            Some((batch_id, _)) if current == Some(batch_id) => return Ok(summary(batch_id, true)),
            Some((batch_id, format)) if format == kind => batch_id,
            Some((_, format)) => {
                return Err(IngestError::Unreadable {
                    path: file.to_path_buf(),
                    reason: format!("this file was loaded before as {format}, not as {kind}"),
                    hint: "check that the file is the one meant".into(),
                });
            }
            None => {
                let batch_id: i64 = tx.query_row(
                    "SELECT coalesce(max(batch_id), 0) + 1 FROM ingest_batch",
                    [],
                    |r| r.get(0),
                )?;
                let now = Utc::now().naive_utc();
                tx.execute(
                    "INSERT INTO ingest_batch VALUES ($1, $2, $3, $4, 0, 0, 0, 0, $5, $5)",
                    params![batch_id, display, sha256, kind, now],
                )
                .map_err(with_context)?;
                batch_id
            }
        };
        tx.execute(
            "INSERT INTO setting SELECT coalesce(max(setting_id), 0) + 1, $1, $2, $3, $4 FROM setting",
            params![kind, batch_id, text, Utc::now().naive_utc()],
        )
        .map_err(with_context)?;
        tx.commit().map_err(with_context)?;
        Ok(summary(batch_id, false))
    }

    /// The ids of the incubators listed (`incubators.csv`), in order; none
    /// before the list is loaded.
    pub fn incubator_ids(&self) -> Result<Vec<String>, IngestError> {
        self.names("SELECT incubator_id FROM incubator ORDER BY incubator_id")
    }

    /// The mentors the KPM register names, as it writes them, in order;
    /// `None` before any KPM is registered.
    pub fn mentor_names(&self) -> Result<Option<Vec<String>>, IngestError> {
        self.register_names("SELECT DISTINCT mentor FROM kpm WHERE mentor IS NOT NULL ORDER BY 1")
    }

    /// The TKSK the KPM register names, as it writes them, in order; `None`
    /// before any KPM is registered.
    pub fn tksk_names(&self) -> Result<Option<Vec<String>>, IngestError> {
        self.register_names("SELECT DISTINCT tksk FROM kpm WHERE tksk IS NOT NULL ORDER BY 1")
    }

    fn register_names(&self, sql: &str) -> Result<Option<Vec<String>>, IngestError> {
        let registered: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM kpm)", [], |r| r.get(0))?;
        if registered {
            Ok(Some(self.names(sql)?))
        } else {
            Ok(None)
        }
    }

    fn names(&self, sql: &str) -> Result<Vec<String>, IngestError> {
        Ok(self
            .conn
            .prepare(sql)?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    /// The current settings file of `kind`, if one was loaded.
    pub fn setting(&self, kind: &str) -> Result<Option<StoredSetting>, IngestError> {
        current_setting(&self.conn, kind)
    }
}

fn current_batch(conn: &Connection, kind: &str) -> Result<Option<i64>, IngestError> {
    Ok(conn
        .query_row(
            "SELECT batch_id FROM setting WHERE kind = $1 ORDER BY setting_id DESC LIMIT 1",
            params![kind],
            |r| r.get(0),
        )
        .optional()?)
}

/// The current settings file of `kind` in the database on `conn`.
pub fn current_setting(
    conn: &Connection,
    kind: &str,
) -> Result<Option<StoredSetting>, IngestError> {
    Ok(conn
        .query_row(
            "SELECT s.text, b.file, s.batch_id, s.loaded_at
             FROM setting s JOIN ingest_batch b USING (batch_id)
             WHERE s.kind = $1 ORDER BY s.setting_id DESC LIMIT 1",
            params![kind],
            |r| {
                Ok(StoredSetting {
                    kind: kind.to_string(),
                    text: r.get(0)?,
                    file: r.get(1)?,
                    batch_id: r.get(2)?,
                    loaded_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// ` (did you mean `x`?)` for the [`closest`] of `known` to `word`, or
/// nothing: the end of a message that names a word no setting has.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// The one of `known` that `word` was most likely meant to be (a typo in a
/// settings file: `savings_monthly` for `saves_monthly`), if one is close:
/// at most a third of its letters (and at least one) differ. A word of
/// over 100 characters, longer than any name, gets none.
pub fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    if length > 100 {
        return None;
    }
    let most = (length / 3).max(1);
    known
        .into_iter()
        // The distance is at least the difference in length: a name much
        // longer or shorter is not compared letter by letter.
        .filter(|k| k.chars().count().abs_diff(length) <= most)
        .map(|k| (strsim::levenshtein(word, k), k))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_settings_file_of_a_kind_is_current_and_an_earlier_one_can_return() {
        let mut db = Database::in_memory().unwrap();
        assert_eq!(db.setting("schedule").unwrap(), None);
        let a = db
            .store_setting(Path::new("2021.toml"), "schedule", "utc_offset_hours = 7\n")
            .unwrap();
        let b = db
            .store_setting(Path::new("2022.toml"), "schedule", "utc_offset_hours = 8\n")
            .unwrap();
        assert_ne!(a.batch_id, b.batch_id);
        assert_eq!(db.setting("schedule").unwrap().unwrap().file, "2022.toml");
        // The same file while current: nothing added.
        let again = db
            .store_setting(Path::new("2022.toml"), "schedule", "utc_offset_hours = 8\n")
            .unwrap();
        assert!(again.already_loaded);
        // The 2021 file again: current again, under its first batch.
        let back = db
            .store_setting(Path::new("2021.toml"), "schedule", "utc_offset_hours = 7\n")
            .unwrap();
        assert!(!back.already_loaded);
        let current = db.setting("schedule").unwrap().unwrap();
        assert_eq!(
            (current.text.as_str(), current.batch_id),
            ("utc_offset_hours = 7\n", a.batch_id)
        );
        assert_eq!(db.setting("targets").unwrap(), None);
        let err = db
            .store_setting(Path::new("x.toml"), "mapping", "")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.toml") && err.contains("targets, schedule, checks"),
            "{err}"
        );
    }

    #[test]
    fn the_closest_name_is_one_a_few_letters_off_and_a_long_word_has_none() {
        let names = ["Budi Santoso", "Siti Aminah", "Ñoño Pérez"];
        assert_eq!(closest("Budi Santosa", names), Some("Budi Santoso"));
        assert_eq!(closest("siti aminah", names), Some("Siti Aminah"));
        // Letters, not bytes: two accented letters left out are two.
        assert_eq!(closest("Nono Perez", names), Some("Ñoño Pérez"));
        assert_eq!(closest("Joko", names), None);
        // A word over 100 letters (a pasted column) is compared with none,
        // not even a name one letter off: the distances between long texts
        // of a hostile file and thousands of names would take minutes.
        let long = "a".repeat(300);
        let near = format!("{long}b");
        assert_eq!(closest(&long, [near.as_str()]), None);
        assert_eq!(did_you_mean(&long, [near.as_str()]), "");
        assert_eq!(closest(&long[..100], [&near[200..]]), Some(&near[200..]));
    }
}
