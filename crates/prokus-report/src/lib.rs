//! The PDFs the ProKUS M&E engine hands out.
//!
//! A run: [`gather()`] reads and computes everything the reports print
//! ([`Inputs`]), or all but what only the national and incubator reports
//! print, which [`gather_later()`] adds; each audience under [`audience`] (the national report, the
//! Kasubdit dashboard, a province, a regency, an incubator) turns those
//! inputs into the data its template receives ([`payload`]), in Bahasa
//! Indonesia or English with Indonesian number formats from
//! [`format`](mod@format); [`render`] compiles a batch of reports in
//! parallel ([`compile`](mod@compile), some in [`helper`] processes) and writes each PDF
//! whole or not at all.
//!
//! Inside: the sections several audiences share (`sections`), their charts
//! (`figures`, drawn by [`charts`] with plotters as SVG) and their words
//! (`words`); [`world`] is the Typst world, with the fonts ([`fonts`]),
//! library and templates shared by every report, and the data and charts as
//! virtual files, never pasted into Typst source.
//!
//! An incubator's report shows only that incubator's KPM (beneficiary
//! households).

pub mod audience;
pub mod charts;
pub mod compile;
mod computed;
mod figures;
pub mod findings;
pub mod fonts;
pub mod gather;
pub mod helper;
pub mod inputs;
pub mod payload;
/// Indonesian and English number, money, date and quarter formats (shared
/// with the metrics crate's data-quality messages).
pub use prokus_metrics::format;
pub mod render;
mod sections;
mod words;
pub mod world;

pub use audience::Audience;
pub use audience::dashboard::DASHBOARD_KPIS;
pub use audience::incubator::attention_suffix;
pub use compile::{compile, compile_json, payload_json};
pub use computed::{keep_checks, keep_indicators, kept_as_text};
pub use format::Lang;
pub use gather::{CoresShared, GatherOptions, Later, Step, compute_later, gather, gather_later};
pub use helper::Helper;
pub use inputs::{AsOf, Inputs, Period, Reads};
pub use render::{Job, RenderOptions, Rendered, jobs, only, render_all, render_one};
pub use sections::by_district;

/// The indicator levels the reports print: the national figures, the areas
/// down to the kecamatan, the incubators, the business clusters, and the
/// mentors and TKSK who accompany the KPM.
pub const LEVELS: [&str; 9] = [
    "national",
    "province",
    "regency",
    "district",
    "incubator",
    "cluster",
    "mentor",
    "tksk",
    "incubator:cohort",
];

/// How to compute the indicator table the reports of `audiences` are made
/// from: with `targets`, the levels they print (of [`LEVELS`]), quarters at
/// the national level only, and at the kecamatan, mentor and TKSK levels
/// only the indicators printed there ([`by_district`]): a small part of the
/// rows of every level and period.
pub fn indicator_options(
    settings: &prokus_metrics::settings::Settings,
    audiences: &[&Audience],
) -> prokus_metrics::Options {
    let levels: Vec<prokus_metrics::Level> = printed_levels()
        .into_iter()
        .filter(|l| {
            audiences
                .iter()
                .any(|a| a.levels.contains(&l.name().as_str()))
        })
        .collect();
    let mut level_indicators = printed_indicators();
    level_indicators.retain(|name, _| levels.iter().any(|l| l.name() == *name));
    prokus_metrics::Options {
        targets: settings.targets.clone(),
        min_cell: settings.min_cell(),
        levels,
        quarters_national_only: true,
        level_indicators,
        utc_offset_hours: settings.schedule.utc_offset_hours,
        ..prokus_metrics::Options::default()
    }
}

/// [`LEVELS`], parsed.
fn printed_levels() -> Vec<prokus_metrics::Level> {
    LEVELS
        .iter()
        .map(|l| prokus_metrics::Level::parse(l).expect("the report levels parse"))
        .collect()
}

/// The levels at which the reports print a few indicators only, with those
/// indicators.
fn printed_indicators() -> std::collections::HashMap<String, Vec<String>> {
    [
        ("district".to_string(), sections::by_district()),
        ("mentor".to_string(), ids(&sections::MENTOR_TABLE)),
        ("tksk".to_string(), ids(&sections::TKSK_TABLE)),
        ("incubator:cohort".to_string(), ids(&sections::GROUP_TABLE)),
    ]
    .into()
}

/// `options` (a full indicator table's: every period at every level) with
/// the levels the reports print beyond its own (the mentors and TKSK), each
/// with the indicators printed there only: a table that holds every row a
/// run of every audience computes ([`indicator_options`]), so that `prokus indicators`
/// can keep those for the report runs after it ([`keep_indicators`]).
pub fn with_printed_levels(mut options: prokus_metrics::Options) -> prokus_metrics::Options {
    let mut few = printed_indicators();
    for level in printed_levels() {
        if !options.levels.contains(&level) {
            if let Some(ids) = few.remove(&level.name()) {
                options.level_indicators.insert(level.name(), ids);
            }
            options.levels.push(level);
        }
    }
    options
}

/// Which rows of a table computed with [`with_printed_levels`] (without
/// winsorising, with the settings' targets and small-cell threshold) a
/// run of every audience computes ([`indicator_options`]): those of the [`LEVELS`],
/// every period at the national level and the survey rounds elsewhere, and
/// where the reports print a few indicators, those. Each level's rows are
/// whole per indicator and period, so the complementary suppression hid the
/// same cells in both.
pub(crate) struct Printed {
    /// The survey rounds' codes (the periods of kind `wave`).
    waves: Vec<String>,
    few: std::collections::HashMap<String, Vec<String>>,
}

impl Printed {
    /// The rounds of the database behind `conn`.
    pub(crate) fn of(conn: &duckdb::Connection) -> Result<Self, ReportError> {
        let waves = conn
            .prepare("SELECT wave FROM wave")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Printed {
            waves,
            few: printed_indicators(),
        })
    }

    /// Whether a report run computes `row`.
    pub(crate) fn holds(&self, row: &prokus_metrics::IndicatorRow) -> bool {
        LEVELS.contains(&row.level.as_str())
            && (row.level == "national" || self.waves.contains(&row.period))
            && self
                .few
                .get(&row.level)
                .is_none_or(|ids| ids.contains(&row.indicator_id))
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
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
    /// The metrics crate failed: the data-quality checks, the indicators,
    /// the estimates or a read of a query's columns.
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
    /// A period (`--period`) the data has no round for.
    #[error("period `{period}`: {reason}")]
    Period {
        /// The period as asked.
        period: String,
        /// Why it cannot be reported.
        reason: String,
    },
    /// A cohort (`--cohort`) the register has no KPM of.
    #[error("cohort {year}: {reason}")]
    Cohort {
        /// The cohort year asked.
        year: i32,
        /// Why it cannot be reported.
        reason: String,
    },
    /// No such province or incubator.
    #[error("no province or incubator `{0}` with ProKUS KPM in this database")]
    UnknownScope(String),
    /// A report asked for by its area or incubator (`--only`) that the
    /// audiences asked for do not make.
    #[error(
        "no report of `{scope}` among the {audiences} reports; they are of: {among} \
         (give a province code such as 32, a regency code such as 32.17 or an incubator id)"
    )]
    NotAmong {
        /// The area or incubator as asked.
        scope: String,
        /// The audiences asked for, by name.
        audiences: String,
        /// The scopes they have, the first few.
        among: String,
    },
    /// Writing the PDF failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
