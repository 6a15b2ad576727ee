//! The PDFs the ProKUS M&E engine hands out.
//!
//! [`data`] turns the indicator table and the database into what each report
//! says (in Bahasa Indonesia or English, with Indonesian number formats from
//! [`format`](mod@format)); [`charts`] draws its charts with plotters as SVG; [`world`]
//! holds the Typst world — fonts, library and templates shared by every report,
//! data and charts as virtual files, never pasted into Typst source; [`render`]
//! compiles a batch of reports in parallel and writes each PDF atomically,
//! with [`helper`] processes compiling some of them.
//!
//! Audiences: the national quarterly report, the Kasubdit (sub-directorate
//! head) dashboard, one report per province and one feedback report per
//! incubator, which shows only that incubator's KPM (beneficiary households).

pub mod charts;
pub mod data;
pub mod helper;
/// Indonesian and English number, money, date and quarter formats (shared
/// with the metrics crate's data-quality messages).
pub use prokus_metrics::format;
pub mod render;
pub mod world;

pub use format::Lang;
pub use helper::Helper;
pub use render::{Audience, Job, RenderOptions, Rendered, jobs, render_all, render_one};

/// The indicator levels the reports print: the national figures, the areas
/// down to the kecamatan, the incubators and the business clusters.
pub const LEVELS: [&str; 6] = [
    "national",
    "province",
    "regency",
    "district",
    "incubator",
    "cluster",
];

/// How to compute the indicator table the reports are made from: with
/// `targets`, the [`LEVELS`] they print, quarters at the national level only,
/// and at the kecamatan level only the indicators printed there
/// ([`data::by_district`]). On the nationwide 200,000-household sample that
/// is 284,093 rows instead of the 1.65 million of every level and period.
pub fn indicator_options(settings: &prokus_metrics::settings::Settings) -> prokus_metrics::Options {
    prokus_metrics::Options {
        targets: settings.targets.clone(),
        min_cell: settings.min_cell(),
        levels: LEVELS
            .iter()
            .map(|l| prokus_metrics::Level::parse(l).expect("the report levels parse"))
            .collect(),
        quarters_national_only: true,
        level_indicators: [("district".to_string(), data::by_district())].into(),
        ..prokus_metrics::Options::default()
    }
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading from the database failed.
    #[error("database error: {0}")]
    Database(#[from] duckdb::Error),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
    /// The data-quality checks failed.
    #[error(transparent)]
    Quality(#[from] prokus_metrics::MetricsError),
    /// Typst could not compile or export the report.
    #[error("{report}: {message}")]
    Render {
        /// The report.
        report: String,
        /// Typst's diagnostics.
        message: String,
    },
    /// No such province or incubator.
    #[error("no province or incubator `{0}` with ProKUS KPM in this database")]
    UnknownScope(String),
    /// Writing the PDF failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
