use std::path::PathBuf;

/// Everything that stops a file from being ingested. Problems with single rows
/// are not errors: those rows are recorded in `ingest_reject` and the rest load.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file could not be read from disk.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file was read but its content cannot be parsed as a table.
    #[error("{path}: {reason}\n  hint: {hint}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
        /// What to do about it.
        hint: String,
    },
    /// The header matches none of the formats the engine reads.
    #[error(
        "{path}: unknown format: the header ({header}) is neither a KoboToolbox or ODK export \
         of the mapped form, a KPM register, an incubator list nor a feedback sheet\n  hint: {hint}"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The first columns of the header.
        header: String,
        /// What to do about it.
        hint: String,
    },
    /// The file is a survey form (XLSForm) or other non-data file: not loaded.
    #[error("{path}: {what}, not data; skipped\n  hint: {hint}")]
    NotData {
        /// The file.
        path: PathBuf,
        /// What the file is.
        what: String,
        /// What to do instead.
        hint: String,
    },
    /// A workbook holds data of one kind in several sheets (a round per
    /// sheet, as workbooks are often kept), or in a sheet named as a round
    /// without a `wave` column: each sheet is loaded on its own, as a file
    /// of its own ([`crate::IngestOptions::sheet`]); the command line does
    /// so by itself.
    #[error(
        "{path}: it has {kind} data in {} sheet(s) ({}), each to be loaded as a file of its own\n  hint: `prokus ingest` loads each sheet so (a program using this library: give each sheet as `IngestOptions::sheet`)",
        sheets.len(),
        sheets.iter().map(|s| format!("`{}`", crate::privacy::safe_text(s))).collect::<Vec<_>>().join(", ")
    )]
    Sheets {
        /// The file.
        path: PathBuf,
        /// The kind of data (`template` …).
        kind: String,
        /// The sheets, in the workbook's order, as the workbook names them.
        sheets: Vec<String>,
    },
    /// The file is one prokus wrote (a data-quality workbook, an
    /// indicator table): not loaded.
    #[error(
        "{path}: this is {what} prokus wrote, not data; skipped\n  hint: prokus's own outputs are not loaded again: load the exports and sheets they were made from (answers corrected in a data-quality workbook are not read from it: correct them in the sheet or the export it names, and load that)"
    )]
    OwnOutput {
        /// The file.
        path: PathBuf,
        /// What it is (`a workbook (check)`).
        what: String,
    },
    /// A column the format needs is absent.
    #[error("{path}: missing required column `{column}` ({format})\n  hint: {hint}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The detected format.
        format: String,
        /// The column, as the mapping or format names it.
        column: String,
        /// What to do about it.
        hint: String,
    },
    /// A column's header says its amounts are not what the format reads
    /// (thousands of rupiah, a year's): read as they are, every amount
    /// would be wrong, so nothing of the file is loaded.
    #[error("{path}: column `{column}`: {reason}\n  hint: {hint}")]
    ColumnNote {
        /// The file.
        path: PathBuf,
        /// The column, as the file heads it.
        column: String,
        /// What its header says and what would go wrong.
        reason: String,
        /// What to do about it.
        hint: String,
    },
    /// A mapping file is not valid.
    #[error("{path}: invalid form mapping: {message}")]
    Mapping {
        /// The mapping file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The key of the NIK hashes is missing, unreadable or not this
    /// database's.
    #[error("{origin}: {reason}\n  hint: {hint}")]
    NikKey {
        /// Where the key came from (or the database, for an old one).
        origin: String,
        /// What is wrong (never the key).
        reason: String,
        /// What to do about it.
        hint: String,
    },
    /// Another process holds the database.
    #[error(
        "{path}: the database is in use by another process\n  hint: wait for the other `prokus` command to finish, then run this one again"
    )]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// `prokus withdraw` was given a file or batch the database does not hold.
    #[error(
        "`{given}`: {why}\n  hint: `prokus files` lists the files the database holds, with their batch numbers"
    )]
    NoSuchFile {
        /// What was given (a number, a path or a file name), made safe.
        given: String,
        /// Why it names no loaded file.
        why: String,
    },
    /// A list (register, incubators) cannot be withdrawn: it wrote over
    /// what was loaded before it, which is not kept.
    #[error(
        "{file} ({format}) cannot be withdrawn: a list writes over what was loaded before it, which is not kept\n  hint: load the corrected list instead; its rows replace these"
    )]
    CannotWithdraw {
        /// The file as it was loaded.
        file: String,
        /// Its format.
        format: String,
    },
    /// The reading or checking of rows stopped because their writing failed
    /// (the writing error is reported instead), or a reading or checking
    /// thread panicked.
    #[error("the ingest stopped before the end of the file; nothing of it was written")]
    Stopped,
    /// A bug in prokus, found by one of its own checks.
    #[error("internal error: {0}\n  hint: this is a bug in prokus; please report it with the file")]
    Internal(String),
    /// DuckDB failed; nothing of the current file was written.
    #[error("database error{context}: {source}")]
    Database {
        /// Where it happened, e.g. ` while loading x.csv`.
        context: String,
        /// DuckDB's error.
        source: duckdb::Error,
    },
}

impl IngestError {
    /// The error of a load of one `sheet` of a workbook, naming the file as
    /// its batch is named (`file.xlsx [sheet]`, the sheet's name made safe).
    pub(crate) fn in_sheet(mut self, sheet: &str) -> Self {
        match &mut self {
            IngestError::Io { path, .. }
            | IngestError::Unreadable { path, .. }
            | IngestError::UnknownFormat { path, .. }
            | IngestError::NotData { path, .. }
            | IngestError::OwnOutput { path, .. }
            | IngestError::Sheets { path, .. }
            | IngestError::MissingColumn { path, .. }
            | IngestError::ColumnNote { path, .. } => {
                let named = format!("{} [{}]", path.display(), crate::privacy::safe_text(sheet));
                *path = PathBuf::from(named);
            }
            _ => {}
        }
        self
    }
}

impl From<duckdb::Error> for IngestError {
    fn from(source: duckdb::Error) -> Self {
        IngestError::Database {
            context: String::new(),
            source,
        }
    }
}
