//! Opening the DuckDB file and preparing the canonical model.

use std::path::{Path, PathBuf};

use duckdb::{Connection, params};

use crate::IngestError;
use crate::load::{self, BatchSummary, IngestOptions};
use crate::mapping::FormMapping;
use crate::wilayah::{Level, Wilayah};

/// The canonical schema (`queries/schema.sql`), applied at every open.
pub const SCHEMA_SQL: &str = include_str!("../../../queries/schema.sql");

/// An open ProKUS database: the DuckDB connection, the region reference and the
/// database's NIK salt.
pub struct Database {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) wilayah: Wilayah,
    pub(crate) salt: String,
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
        let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        Self::init(conn, path)
    }

    /// An in-memory database, for tests and one-off checks.
    pub fn in_memory() -> Result<Self, IngestError> {
        Self::init(Connection::open_in_memory()?, Path::new(":memory:"))
    }

    fn init(conn: Connection, path: &Path) -> Result<Self, IngestError> {
        conn.execute_batch(SCHEMA_SQL)
            .map_err(|source| IngestError::Database {
                context: format!(" while preparing {}", path.display()),
                source,
            })?;
        let wilayah = Wilayah::embedded();
        let provinces: i64 = conn.query_row("SELECT count(*) FROM province", [], |r| r.get(0))?;
        if provinces == 0 {
            load_reference(&conn, &wilayah)?;
        }
        conn.execute(
            "INSERT OR IGNORE INTO meta VALUES ('nik_salt', gen_random_uuid()::VARCHAR || gen_random_uuid()::VARCHAR)",
            [],
        )?;
        let salt: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'nik_salt'", [], |r| {
                r.get(0)
            })?;
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            wilayah,
            salt,
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

fn open_error(path: &Path, source: duckdb::Error) -> IngestError {
    if source.to_string().contains("Could not set lock") {
        IngestError::Locked {
            path: path.to_path_buf(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_creates_schema_reference_and_a_stable_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.duckdb");
        let salt = {
            let db = Database::open(&path).unwrap();
            let n: i64 = db
                .conn
                .query_row("SELECT count(*) FROM district", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 7285);
            assert_eq!(db.salt.len(), 72);
            db.salt.clone()
        };
        let db = Database::open(&path).unwrap();
        assert_eq!(db.salt, salt, "the salt survives reopening");
        let n: i64 = db
            .conn
            .query_row("SELECT count(*) FROM province", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 38, "reference not loaded twice");
    }
}
