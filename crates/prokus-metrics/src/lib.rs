//! ProKUS outcome indicators, computed from what the ingest stage wrote.
//!
//! The indicator [`Catalog`] is data (`queries/indicators.toml`): each indicator
//! names a KPM-level variable and an aggregation rule. [`compute`] runs one SQL
//! query (`queries/metrics/`) that gathers the sufficient statistics of every
//! indicator at every level (national, province, regency, district, incubator, cluster,
//! category, gender, arm) and wave, receives them as a polars `DataFrame`, and
//! turns them into the [`IndicatorTable`]: value, paired change from baseline,
//! 95% confidence interval, target and status, with small cells suppressed.
//! The table is written as CSV, JSON or Parquet, and read by the report crate.
//!
//! [`impact`] estimates what the programme changed against the comparison
//! group; [`quality`] lists the data's problems per incubator (duplicates,
//! outliers, implausible changes, missing and contradicting answers,
//! completeness and timeliness against the survey calendar, [`schedule`]).
//!
//! KPM (Keluarga Penerima Manfaat) are the beneficiary households; a *wave* is
//! a survey round (baseline, monitoring 1–3, endline).

pub mod catalog;
mod compute;
pub mod format;
pub mod impact;
pub mod ols;
pub mod quality;
pub mod schedule;
pub mod settings;
pub mod sql;
pub mod stats;
pub mod targets;

pub use catalog::{Aggregation, Catalog, Direction, Indicator, Population, Unit};
pub use compute::{
    CSV_HEADER, Dimension, IndicatorRow, IndicatorTable, Level, NATIONAL_CODE, Options, Period,
    VALUE_SCRATCH, WaveCount, cohorts, compute, compute_rows, keep_cohort, keep_current_answers,
    periods, release_cohort, release_current_answers, release_values, wave_counts,
};
/// The waves, in survey order: the one list the ingest crate checks answers
/// against and the database's `wave` table holds.
pub use prokus_ingest::mapping::WAVES;
pub use targets::{KnownGroups, Status, Targets};

/// Why indicators could not be computed or written.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The indicator catalog is invalid.
    #[error("invalid indicator catalog: {0}")]
    Catalog(String),
    /// A level or another option is invalid.
    #[error("{0}")]
    InvalidOption(String),
    /// The targets file is invalid.
    #[error("invalid targets file: {0}")]
    Targets(String),
    /// The survey calendar is invalid.
    #[error("invalid survey calendar: {0}")]
    Schedule(String),
    /// The data-quality check configuration is invalid.
    #[error("invalid check configuration: {0}")]
    Checks(String),
    /// The database has no data to compute from.
    #[error(
        "the database has no survey responses yet\n  hint: run `prokus ingest` on the KPM register and the survey exports first"
    )]
    NoData,
    /// An output (CSV, workbook) could not be made.
    #[error("cannot write the output: {0}")]
    Write(String),
    /// Reading or storing in the database through the ingest crate failed.
    #[error(transparent)]
    Ingest(#[from] prokus_ingest::IngestError),
    /// DuckDB failed.
    #[error("database error: {0}")]
    Database(#[from] duckdb::Error),
    /// A result the engine's own query should not give (a bug).
    #[error("internal error: {0}")]
    Internal(String),
    /// polars failed.
    #[error("table error: {0}")]
    Frame(#[from] polars::error::PolarsError),
    /// Writing an output failed.
    #[error("{path}: {source}")]
    Io {
        /// The output file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
