//! Opening the DuckDB file and preparing the canonical model.

use std::path::{Path, PathBuf};

use duckdb::{Connection, params};

use crate::IngestError;
use crate::load::{self, BatchSummary, IngestOptions};
use crate::mapping::FormMapping;
use crate::nik::{KeySource, NikKey};
use crate::wilayah::{Level, Wilayah};

/// The canonical schema (`queries/schema.sql`), applied at every open.
pub const SCHEMA_SQL: &str = include_str!("../../../queries/schema.sql");

/// An open ProKUS database: the DuckDB connection, the region reference and,
/// once a file with NIKs is loaded, the key of the NIK hashes (kept outside
/// the database: [`NikKey`]).
pub struct Database {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) wilayah: Wilayah,
    nik_key: Option<(NikKey, KeySource)>,
}

/// Masks the NIK in the names of files an earlier prokus stored as given
/// (a form saved per household, `3217055208850012.xlsx`): files are now
/// stored so when loaded ([`crate::privacy::shown_path`]). A database
/// holds a few hundred files at most; most opens change nothing.
fn mask_file_names(conn: &Connection) -> Result<(), IngestError> {
    let files: Vec<(i64, String)> = conn
        .prepare("SELECT batch_id, file FROM ingest_batch")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (batch, file) in files {
        if let std::borrow::Cow::Owned(masked) = crate::privacy::redact(&file) {
            conn.execute(
                "UPDATE ingest_batch SET file = $1 WHERE batch_id = $2",
                params![masked, batch],
            )?;
        }
    }
    Ok(())
}

impl Database {
    /// Opens (or creates) the database at `path`, applies the schema and loads
    /// the Kemendagri reference the first time.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(IngestError::Unreadable {
                path: path.to_path_buf(),
                reason: format!("the folder {} does not exist", dir.display()),
                hint: "create the folder first, or give another --db".into(),
            });
        }
        // DuckDB would wait for ever to read a pipe given as the database,
        // and write its log beside a device (`/dev/null.wal`).
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(IngestError::Unreadable {
                    path: path.to_path_buf(),
                    reason: "this is a folder, not a database file".into(),
                    hint: format!(
                        "--db names the database file itself: {}",
                        path.join("prokus.duckdb").display()
                    ),
                });
            }
            Ok(meta) if !meta.is_file() => {
                return Err(IngestError::Unreadable {
                    path: path.to_path_buf(),
                    reason:
                        "this is not a file but a device or a pipe, which cannot hold a database"
                            .into(),
                    hint: "--db names the database file prokus keeps (by default prokus.duckdb)"
                        .into(),
                });
            }
            _ => {}
        }
        let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        // DuckDB opens a CSV or Parquet file given as a database as a
        // database of its own in memory, with a view of the file: what
        // prokus wrote there would be gone when it ends, after it had said
        // the rows were loaded. A database prokus keeps is a file.
        let in_file: Option<String> = conn
            .query_row(
                "SELECT path FROM duckdb_databases() WHERE database_name = current_database()",
                [],
                |r| r.get(0),
            )
            .map_err(|e| open_error(path, e))?;
        if in_file.is_none() {
            return Err(not_a_database(path));
        }
        Self::init(conn, path)
    }

    /// An in-memory database, for tests and one-off checks.
    /// Its NIK key is made for this process: the database ends with it.
    pub fn in_memory() -> Result<Self, IngestError> {
        let mut db = Self::init(Connection::open_in_memory()?, Path::new(":memory:"))?;
        db.nik_key = Some((NikKey::random(), KeySource::Ephemeral));
        Ok(db)
    }

    /// Uses `key` for the NIK hashes instead of the user's key
    /// ([`NikKey::from_environment`], read when first needed).
    pub fn set_nik_key(&mut self, key: NikKey) {
        self.nik_key = Some((key, KeySource::Ephemeral));
    }

    /// The NIK key, read from the environment or the key file the first time,
    /// and checked against the key this database's NIKs were hashed with
    /// (its fingerprint is stored; the key itself never is).
    pub(crate) fn nik_key(&mut self) -> Result<&NikKey, IngestError> {
        let key_error = |origin: &str, reason: String, hint: &str| IngestError::NikKey {
            origin: origin.to_string(),
            reason,
            hint: hint.to_string(),
        };
        let legacy: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'nik_salt'", [], |r| {
                r.get(0)
            })
            .ok();
        if legacy.is_some() {
            return Err(key_error(
                &self.path.display().to_string(),
                "this database was made by an earlier prokus that kept the NIK hashes' salt inside it, \
                 so anyone with the file could recover NIKs by trying birth dates"
                    .into(),
                "create a new database (another --db) and ingest the files again; then delete this one",
            ));
        }
        if self.nik_key.is_none() {
            let (key, source) = NikKey::from_environment().map_err(|reason| {
                key_error(
                    "NIK key",
                    reason,
                    "set PROKUS_NIK_KEY to the key's 64 hex digits, or PROKUS_NIK_KEY_FILE to its file",
                )
            })?;
            self.nik_key = Some((key, source));
        }
        let (key, source) = self.nik_key.as_ref().expect("set above");
        let fingerprint = key.fingerprint();
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'nik_key_check'",
                [],
                |r| r.get(0),
            )
            .ok();
        match stored {
            None => {
                self.conn.execute(
                    "INSERT INTO meta VALUES ('nik_key_check', $1)",
                    params![fingerprint],
                )?;
            }
            Some(s) if s == fingerprint => {}
            Some(_) => {
                return Err(key_error(
                    &source.to_string(),
                    format!(
                        "this is not the key {}'s NIKs were hashed with: the same person would not be recognised",
                        self.path.display()
                    ),
                    "use the key file of the computer that made this database (see the README, Security), \
                     or PROKUS_NIK_KEY",
                ));
            }
        }
        Ok(key)
    }

    fn init(conn: Connection, path: &Path) -> Result<Self, IngestError> {
        conn.execute_batch(SCHEMA_SQL)
            .map_err(|source| IngestError::Database {
                context: format!(" while preparing {}", path.display()),
                source,
            })?;
        mask_file_names(&conn)?;
        let wilayah = Wilayah::embedded();
        let provinces: i64 = conn.query_row("SELECT count(*) FROM province", [], |r| r.get(0))?;
        if provinces == 0 {
            load_reference(&conn, &wilayah)?;
        }
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            wilayah,
            nik_key: None,
        })
    }

    /// The DuckDB connection, for the stages that read what ingest wrote.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The region reference.
    pub fn wilayah(&self) -> &Wilayah {
        &self.wilayah
    }

    /// Loads one file in one transaction. Survey exports are read through
    /// `mapping`; registers and incubator lists have fixed columns.
    pub fn ingest(
        &mut self,
        file: &Path,
        mapping: &FormMapping,
    ) -> Result<BatchSummary, IngestError> {
        load::ingest_file(self, file, mapping, &IngestOptions::default())
    }

    /// [`Database::ingest`] with a forced format or the survey's XLSForm.
    pub fn ingest_with(
        &mut self,
        file: &Path,
        mapping: &FormMapping,
        options: &IngestOptions,
    ) -> Result<BatchSummary, IngestError> {
        load::ingest_file(self, file, mapping, options)
    }

    /// The file this database lives in (`:memory:` for an in-memory one).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `path` is a file of data or some other file, not a DuckDB database.
fn not_a_database(path: &Path) -> IngestError {
    IngestError::Unreadable {
        path: path.to_path_buf(),
        reason: "this is not a prokus database (a DuckDB file) but another file, \
                 which --db would not store anything in"
            .into(),
        hint: "--db names the database prokus keeps (by default prokus.duckdb); \
               give the files to load to `prokus ingest` after the options"
            .into(),
    }
}

fn open_error(path: &Path, source: duckdb::Error) -> IngestError {
    let said = source.to_string();
    if said.contains("Could not set lock") {
        IngestError::Locked {
            path: path.to_path_buf(),
        }
    } else if said.contains("not a valid DuckDB database file") {
        not_a_database(path)
    } else {
        IngestError::Database {
            context: format!(" while opening {}", path.display()),
            source,
        }
    }
}

fn load_reference(conn: &Connection, wilayah: &Wilayah) -> Result<(), IngestError> {
    let tx = conn.unchecked_transaction()?;
    {
        let mut app = tx.appender("province")?;
        for r in wilayah.all(Level::Province) {
            app.append_row(params![r.code, r.name])?;
        }
        let mut app = tx.appender("regency")?;
        for r in wilayah.all(Level::Regency) {
            app.append_row(params![r.code, r.parent, r.name])?;
        }
        let mut app = tx.appender("district")?;
        for r in wilayah.all(Level::District) {
            app.append_row(params![r.code, r.parent, r.name])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A test's look into the tables.
#[cfg(test)]
impl Database {
    /// The first column of the rows `sql` gives with `params`.
    pub(crate) fn column<T: duckdb::types::FromSql>(
        &self,
        sql: &str,
        params: impl duckdb::Params,
    ) -> Vec<T> {
        self.conn
            .prepare(sql)
            .unwrap()
            .query_map(params, |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database whose files an earlier prokus stored with their names
    /// as given has a NIK in a name masked when it is opened.
    #[test]
    fn a_nik_in_a_stored_file_name_is_masked_on_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.duckdb");
        let db = Database::open(&path).unwrap();
        db.conn
            .execute_batch(
                "INSERT INTO ingest_batch VALUES
                 (1, '/data/3217055208850012.csv', 'a', 'template', 1, 1, 0, 0, now(), now()),
                 (2, '/data/monitoring.csv', 'b', 'template', 1, 1, 0, 0, now(), now())",
            )
            .unwrap();
        drop(db);
        let db = Database::open(&path).unwrap();
        let files: Vec<String> = db.column("SELECT file FROM ingest_batch ORDER BY batch_id", []);
        assert_eq!(
            files,
            ["/data/3217********0012.csv", "/data/monitoring.csv"]
        );
    }

    #[test]
    fn ordered_results_read_as_arrow_stay_in_order() {
        // The metrics and reports read large results as Arrow batches and
        // rely on a query's ORDER BY. DuckDB breaks that order between
        // batches when `preserve_insertion_order` is off (seen with DuckDB
        // 2.0: the impact units came back from their 2,049th row): this
        // fails if the database is ever opened that way.
        let db = Database::in_memory().unwrap();
        db.conn
            .execute_batch(
                // Enough rows for the sort to be read back in several
                // parts (with a tenth of them, the order held either way).
                "CREATE TEMP TABLE shuffled AS
                 SELECT (i * 7919) % 1000003 AS k FROM range(1000003) t(i)",
            )
            .unwrap();
        let mut stmt = db
            .conn
            .prepare("SELECT k FROM shuffled ORDER BY k")
            .unwrap();
        let mut keys = Vec::new();
        for batch in stmt.query_arrow([]).unwrap() {
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<duckdb::arrow::array::Int64Array>()
                .unwrap();
            keys.extend(column.values().iter().copied());
        }
        assert_eq!(keys.len(), 1_000_003);
        let out_of_order = keys.windows(2).position(|w| w[0] >= w[1]);
        assert_eq!(
            out_of_order, None,
            "keys out of order after the position given"
        );
    }

    #[test]
    fn a_file_that_is_no_database_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        // A CSV, which DuckDB would open as a database in memory with a view
        // of it, and text.
        let csv = dir.path().join("kpm_register.csv");
        std::fs::write(&csv, "kpm_id,arm,regency_code\nK1,prokus,32.17\n").unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "catatan rapat\n").unwrap();
        for path in [&csv, &text] {
            let before = std::fs::read(path).unwrap();
            match Database::open(path) {
                Err(IngestError::Unreadable { reason, hint, .. }) => {
                    assert!(reason.contains("not a prokus database"), "{reason}");
                    assert!(hint.contains("--db"), "{hint}");
                }
                Err(other) => panic!("{}: {other}", path.display()),
                Ok(_) => panic!("{} opened as a database", path.display()),
            }
            assert_eq!(std::fs::read(path).unwrap(), before, "{}", path.display());
        }
    }

    /// A pipe given as the database is refused at once: DuckDB would wait
    /// for ever for something to write into it. A folder is refused too.
    #[cfg(unix)]
    #[test]
    fn a_pipe_or_a_folder_given_as_the_database_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("prokus.duckdb");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        // On a thread, so that a wait fails the test instead of hanging it.
        std::thread::spawn(move || tx.send(Database::open(&path).err().map(|e| e.to_string())));
        let said = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("still waiting for the pipe after 20 s");
        let said = said.expect("a pipe opened as a database");
        assert!(said.contains("a device or a pipe"), "{said}");
        assert!(said.contains("prokus.duckdb"), "{said}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing written beside the pipe");
        // A folder is named as one, with the file to give instead.
        let said = Database::open(dir.path()).err().unwrap().to_string();
        assert!(said.contains("a folder"), "{said}");
        assert!(said.contains("prokus.duckdb"), "{said}");
    }

    #[test]
    fn open_creates_schema_reference_and_checks_the_nik_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.duckdb");
        let key = NikKey::from_bytes([1; 32]);
        {
            let mut db = Database::open(&path).unwrap();
            let n: i64 = db
                .conn
                .query_row("SELECT count(*) FROM district", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 7285);
            db.set_nik_key(key.clone());
            db.nik_key().unwrap();
        }
        let mut db = Database::open(&path).unwrap();
        // The file holds no key, no salt: only the key's fingerprint.
        let meta: Vec<(String, String)> = db
            .conn
            .prepare("SELECT key, value FROM meta")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(meta, [("nik_key_check".to_string(), key.fingerprint())]);
        assert!(!meta[0].1.contains(&key.to_hex()[..16]));
        db.set_nik_key(NikKey::from_bytes([2; 32]));
        let err = db.nik_key().unwrap_err().to_string();
        assert!(err.contains("not the key"), "{err}");
        db.set_nik_key(key);
        db.nik_key().unwrap();
        let n: i64 = db
            .conn
            .query_row("SELECT count(*) FROM province", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 38, "reference not loaded twice");
    }

    /// The columns of a table of `conn`, in order.
    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        conn.prepare(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        )
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// `mapping::CANONICAL_FIELDS` and `mapping::WAVES` are the one list of
    /// the answers and of the waves: the schema's `response` and `wave`
    /// tables and the staging table must say the same, or a field would be
    /// mapped and never stored (or stored and never mapped).
    #[test]
    fn the_schema_and_the_staging_table_hold_the_canonical_fields_and_waves() {
        use std::collections::BTreeSet;
        let db = Database::in_memory().unwrap();
        db.conn.execute_batch(crate::load::STAGE_SQL).unwrap();
        let canonical: BTreeSet<String> = crate::mapping::CANONICAL_FIELDS
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        // What a row carries besides its answers.
        let bookkeeping = [
            "submission_id",
            "submitted_at",
            "batch_id",
            "source_row",
            "dated_at_load",
            "local_clock",
            "interviewed_at",
        ];
        for table in ["response", "stage_response"] {
            let answers: BTreeSet<String> = columns(&db.conn, table)
                .into_iter()
                .filter(|c| !bookkeeping.contains(&c.as_str()))
                .collect();
            assert_eq!(
                answers, canonical,
                "{table}'s answer columns are the canonical fields"
            );
        }
        let waves: Vec<String> = db.column("SELECT wave FROM wave ORDER BY ordinal", []);
        assert_eq!(waves, crate::mapping::WAVES, "the wave table is WAVES");
    }
}
