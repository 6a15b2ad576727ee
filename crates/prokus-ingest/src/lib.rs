//! Loading ProKUS monitoring data into DuckDB.
//!
//! ProKUS (Program Kewirausahaan Sosial) follows KPM (Keluarga Penerima Manfaat,
//! beneficiary households) through survey rounds (*waves*) collected with
//! KoboToolbox or ODK. This crate reads those exports and the program's own
//! lists, checks every cell, and writes the canonical model (`queries/schema.sql`)
//! into one DuckDB file.
//!
//! The principal type is [`Database`]: [`Database::open`] creates or opens the file
//! and loads the Kemendagri reference ([`wilayah`]); [`Database::ingest`] loads one
//! file in one transaction and returns its [`BatchSummary`]. What a file is, is
//! detected from its header ([`Format`]); survey exports are read through a
//! [`FormMapping`] from the form's columns to canonical fields.
//!
//! The accounting rule: every data row of a file ends either in `response` (or
//! `kpm`, `incubator`) or in `ingest_reject` with the column, the value and the
//! reason. Re-ingesting a file adds nothing; a file loads whole or not at all.

pub mod aliases;
mod db;
pub mod draft;
mod error;
pub mod feedback;
mod incubators;
mod load;
pub mod mapping;
pub mod nik;
pub mod outputs;
pub mod privacy;
mod register;
mod rejects;
pub mod settings;
pub mod source;
mod stage;
mod survey;
pub mod template_sheet;
pub mod values;
pub mod wilayah;
pub mod withdraw;
pub mod xlsform;

pub use db::{Database, SCHEMA_SQL};
pub use draft::{draft_mapping, draft_mapping_from_export};
pub use error::IngestError;
pub use load::{
    BatchSummary, FieldCheck, Format, IngestOptions, MappingCheck, Prescanned, RowProgress,
    check_mapping, is_settings_file, prescan, sniff_load_order,
};
pub use mapping::FormMapping;
pub use register::{INCUBATOR_COLUMNS, REGISTER_COLUMNS};
pub use rejects::{REJECT_COLUMNS, export_rejects};
pub use settings::StoredSetting;
pub use xlsform::XlsForm;
