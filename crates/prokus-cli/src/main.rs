//! `prokus`: the command line of the ProKUS monitoring and evaluation engine.
//!
//! Thin by design: each subcommand parses its flags, calls the library crates
//! (`prokus-ingest`, `prokus-metrics`, `prokus-report`, `prokus-sample`) and
//! decides how results and errors are shown and which exit code follows.

// Typst allocates and frees a great deal per report, on two threads at once:
// mimalloc made the nationwide report batch a little faster than the system
// allocator (the figures are in the commit that chose it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use prokus_ingest::{BatchSummary, Database, FormMapping};
use prokus_metrics::{Catalog, Options};
use prokus_report::{Audience, Lang, RenderOptions};

/// ProKUS M&E engine: survey exports in, indicators and PDF reports out.
#[derive(Parser, Clone)]
#[command(
    name = "prokus",
    version,
    about,
    long_about = None,
    after_help = EXIT_CODES
)]
struct Cli {
    /// The DuckDB database file.
    #[arg(long, global = true, default_value = "prokus.duckdb")]
    db: PathBuf,
    /// Machine-readable output: `ingest` prints one JSON object per file,
    /// and any command's error is also one JSON object on standard error.
    #[arg(long, global = true)]
    json: bool,
    /// Print results and errors only: no progress.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    /// Log what the engine does to standard error: -v each step's time and
    /// rows, -vv also each query file (PROKUS_LOG=debug does the same;
    /// PROKUS_LOG takes tracing's filter syntax). Never a cell value or NIK.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// The most memory DuckDB may hold (`4GB`, `512MB`); beyond it, it
    /// spills to a folder beside the database. By default, for a command
    /// that reads a database, 16 times the database file's size (at least
    /// 1.5GB, at most DuckDB's own default of 80% of the RAM), and twice as
    /// much when a run needs more (run again, up to three times); when
    /// loading, DuckDB's own default.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_memory_limit)]
    memory_limit: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Clone)]
enum Command {
    /// Write a synthetic program (form, register, Kobo exports) for demos and tests.
    Sample {
        /// Number of households (ProKUS and comparison group).
        #[arg(long, default_value_t = 1000)]
        households: usize,
        /// Random seed: the same seed writes the same files.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Output folder.
        #[arg(long, default_value = "sample-data")]
        out: PathBuf,
        /// Spread the KPM over every regency of the country, with synthetic
        /// incubators in provinces the 27 do not cover (for benchmarks of
        /// the report batch).
        #[arg(long)]
        nationwide: bool,
    },
    /// Load survey exports, the KPM register, the incubator list or feedback sheets into the database.
    ///
    /// Each file loads in one transaction; rows that cannot be loaded are recorded
    /// with their reason (see `prokus rejects`). Loading a file twice adds nothing.
    Ingest {
        /// Files to load: incubators.csv, kpm_register.csv, Kobo/ODK exports (.csv, .xlsx), feedback
        /// sheets, settings (.toml); a folder loads the .csv, .xlsx, .zip and .toml files in it and
        /// its subfolders
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Mapping of another survey form to the canonical fields (TOML).
        #[arg(long)]
        form: Option<PathBuf>,
        /// Read every file as this format instead of detecting it from its header.
        #[arg(long, value_parser = parse_format)]
        format: Option<prokus_ingest::Format>,
        /// The largest amount of rupiah a money answer may hold (a month, or
        /// a grant); larger ones are rejected as typing errors.
        #[arg(long, value_name = "RUPIAH", default_value_t = 10e9, value_parser = parse_max_money)]
        max_money: f64,
        /// Let a KPM register move KPM the database holds to another
        /// incubator or study arm (refused without it: two incubators that
        /// number their KPM alike would take each other's households).
        #[arg(long)]
        move_kpm: bool,
        /// Read dates of numbers alone with the month first (`3/25/2022`),
        /// as Excel writes them to CSV with an English (US) setting; the
        /// day is first without it, as Indonesia writes dates.
        #[arg(long)]
        month_first: bool,
        /// The round of every row of the files that have no round column: a
        /// survey form made for one round, a sheet saved per round
        /// (`endline`, `monitoring 2`, `akhir`). A file with its own round
        /// column keeps it; lists and feedback sheets have none.
        #[arg(long, value_name = "ROUND", value_parser = parse_wave)]
        wave: Option<String>,
    },
    /// Compute every indicator at every level and wave. Computed as the
    /// reports compute theirs (the settings' --min-cell, no --winsorize),
    /// the rows the reports print are also kept beside the database, for
    /// the next `prokus report` on the same data and settings.
    Indicators {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
        format: TableFormat,
        /// Output file (`-` for standard output).
        #[arg(long, default_value = "-")]
        output: PathBuf,
        /// Targets file (TOML) for this run; by default the targets loaded
        /// into the database (`prokus ingest targets.toml`), else none.
        #[arg(long)]
        targets: Option<PathBuf>,
        /// Cells with fewer KPM are suppressed; by default the targets
        /// file's `min_cell`, else 5.
        #[arg(long)]
        min_cell: Option<u32>,
        /// Also compute this level: a dimension or two crossed with `:`
        /// (`province:gender`, `cluster:arm`). Repeatable. Always computed:
        /// national, province, regency, district, incubator, cohort, cluster,
        /// category, gender, arm and incubator:cohort.
        #[arg(long = "by", value_name = "LEVEL", value_parser = parse_level)]
        by: Vec<prokus_metrics::Level>,
        /// Winsorise money indicators at these percentiles per period (Stata's
        /// percentile definition); `--winsorize` alone means 1,99.
        #[arg(long, value_name = "LOW,HIGH", num_args = 0..=1, default_missing_value = "1,99", value_parser = parse_percentiles)]
        winsorize: Option<(f64, f64)>,
        /// Print the indicator catalog and exit.
        #[arg(long)]
        list: bool,
    },
    /// Render the PDF reports.
    Report {
        /// Which reports: one audience, several separated by commas
        /// (`national,dashboard,province`: what they print is computed
        /// once), or all.
        #[arg(long, default_value = "all", value_delimiter = ',', value_parser = audience_parser())]
        audience: Vec<String>,
        /// Output folder.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Language of the reports.
        #[arg(long, value_enum, default_value_t = LangArg::Id)]
        lang: LangArg,
        /// Targets file (TOML) for this run; by default the targets loaded
        /// into the database, else none (no status is shown).
        #[arg(long)]
        targets: Option<PathBuf>,
        /// Survey calendar (TOML) for this run; by default the one loaded
        /// into the database, else none (timeliness is not judged).
        #[arg(long, value_name = "FILE")]
        schedule: Option<PathBuf>,
        /// Report as of this period: a quarter (`2021-Q2`, `Triwulan II
        /// 2021`), a survey round (`monitoring_2`) or a year to date
        /// (`2021-YTD`); the tables print its round and nothing later, with
        /// the change from the quarter before. By default the latest round.
        #[arg(long, value_parser = parse_period)]
        period: Option<prokus_report::Period>,
        /// Report on one cohort alone (the register's `cohort_year`, e.g.
        /// 2022): every figure, check and list is of its households, and
        /// the reports are named with it.
        #[arg(long, value_name = "YEAR")]
        cohort: Option<i32>,
        /// Write PDF/A-2b, for archiving.
        #[arg(long)]
        pdfa: bool,
        /// Compute every figure and render every PDF. By default the
        /// indicators, estimates and checks an earlier run computed from the
        /// same survey data, settings and options are read back (they are
        /// kept in a folder beside the database, `<db>.figures`), and a PDF
        /// whose inputs (data, charts, templates, language, engine) did not
        /// change since the run that wrote it is kept as it is.
        #[arg(long)]
        force: bool,
        /// Also write how long each PDF took (CSV: audience, scope, ms; then files_ms
        /// for the files beside it, such as an incubator's attention workbook).
        #[arg(long, value_name = "FILE")]
        timings: Option<PathBuf>,
        /// Compile every PDF in this process, instead of handing some to
        /// helper processes (one per processor beyond the first); slower on
        /// several processors.
        #[arg(long)]
        single_process: bool,
        /// Render only the reports of these areas or incubators (separated
        /// by commas): a province code (`32`), a regency code (`32.17`) or
        /// an incubator id (`INK-32-01`), among the audiences asked for. The
        /// national report and the dashboard are not rendered, and the other
        /// PDFs already in the output folder are left as they are.
        #[arg(long, value_name = "AREA|INCUBATOR", value_delimiter = ',')]
        only: Vec<String>,
    },
    /// Write the canonical template as a workbook to fill: drop-down lists
    /// and number rules on the answers, the codes kept as text, and a sheet
    /// of instructions in Bahasa Indonesia. With `--incubator`, a row for
    /// each of its ProKUS KPM, their id, name, business and regency filled
    /// in from the register (never a NIK).
    Template {
        /// The workbook to write (`.xlsx`).
        #[arg(long)]
        output: PathBuf,
        /// The incubator whose KPM get a row each.
        #[arg(long, value_name = "ID")]
        incubator: Option<String>,
        /// The survey round to fill in on every row.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(prokus_ingest::mapping::WAVES))]
        wave: Option<String>,
    },
    /// List the files the database holds, in the order they were loaded:
    /// batch number, format, rows loaded, refused and already held, when,
    /// and the file.
    Files,
    /// Take a file loaded by mistake back out (a survey export or sheet, or
    /// a settings file): its answers, its refused rows and the KPM it added
    /// that no other file answers for. The file can then be loaded again. A
    /// register, incubator list or feedback sheet is not withdrawn: load a
    /// corrected one instead.
    Withdraw {
        /// The file: its batch number (`prokus files`), the file itself
        /// (known by its content), or the name it was loaded under.
        #[arg(value_name = "FILE|BATCH")]
        file: String,
        /// Say what would be taken out, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask first. On a terminal, `withdraw` says what it would
        /// take out and asks; elsewhere (a script) it never asks.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Export the rows that were not loaded, with their reasons (CSV or XLSX).
    Rejects {
        /// Output file: `.xlsx` for a workbook, else CSV (`-` for standard output).
        #[arg(long, default_value = "-")]
        output: PathBuf,
    },
    /// Estimate what ProKUS changed against the comparison group: difference in
    /// means at the endline, difference in differences and ANCOVA, each with
    /// conventional, HC1 and clustered (CR1) standard errors.
    Impact {
        /// Only this indicator (see `prokus indicators --list`); all outcomes by default.
        #[arg(long)]
        indicator: Option<String>,
        /// What clustered standard errors are clustered by: kpm (the household), district, regency or incubator.
        #[arg(long, default_value = "kpm", value_parser = parse_cluster)]
        cluster: prokus_metrics::impact::ClusterLevel,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ImpactFormat::Csv)]
        format: ImpactFormat,
        /// Output file (`-` for standard output).
        #[arg(long, default_value = "-")]
        output: PathBuf,
        /// Also write the baseline balance table (CSV): means, differences,
        /// normalized differences and the joint F test.
        #[arg(long, value_name = "FILE")]
        balance: Option<PathBuf>,
        /// Also write sharpened q-values (CSV) across the outcome families and
        /// within each.
        #[arg(long, value_name = "FILE")]
        qvalues: Option<PathBuf>,
    },
    /// Check the data's quality: duplicates, outliers per incubator, implausible
    /// changes between waves, missing and contradicting answers, completeness
    /// and timeliness per incubator and wave. Every finding is listed, with
    /// what to do; `--per-incubator` writes each incubator the file to send back.
    Check {
        /// Output file: `.xlsx` for a workbook (findings and completeness
        /// sheets), else the findings as CSV (`-` for standard output).
        #[arg(long, default_value = "-")]
        output: PathBuf,
        /// Also write the completeness and timeliness table (CSV) here.
        #[arg(long, value_name = "FILE")]
        completeness: Option<PathBuf>,
        /// Also write one file per incubator (and per province for the
        /// comparison group) into this folder, with only its own KPM.
        #[arg(long, value_name = "DIR")]
        per_incubator: Option<PathBuf>,
        /// Format of the per-incubator files: one workbook each, or two CSV
        /// files each (`<id>-findings.csv`, `<id>-completeness.csv`).
        #[arg(long, value_enum, default_value_t = SplitFormat::Xlsx)]
        per_incubator_format: SplitFormat,
        /// Language of the messages and workbook headers.
        #[arg(long, value_enum, default_value_t = LangArg::Id)]
        lang: LangArg,
        /// Survey calendar (TOML) for this run; by default the one loaded
        /// into the database (`prokus ingest schedule.toml`), else none:
        /// timeliness and non-response are then not judged.
        #[arg(long, value_name = "FILE")]
        schedule: Option<PathBuf>,
        /// Check configuration (TOML) for this run; by default the one loaded
        /// into the database, else the engine's (`queries/checks.toml`).
        #[arg(long, value_name = "FILE")]
        checks: Option<PathBuf>,
        /// Judge windows as on this date (YYYY-MM-DD); by default the day of
        /// the latest submission loaded.
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Form mappings: try one on exports before loading them.
    Mapping {
        #[command(subcommand)]
        action: MappingAction,
    },
    /// Run the whole pipeline on the bundled sample: sample, ingest, indicators, report.
    Demo {
        /// Output folder (data, database, indicators, reports).
        #[arg(long, default_value = "prokus-demo")]
        out: PathBuf,
    },
    /// Print a shell's completion script for prokus (bash, zsh, fish,
    /// powershell, elvish), e.g. `prokus completions bash > /etc/bash_completion.d/prokus`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `prokus man > prokus.1 && man ./prokus.1`.
    Man,
    /// Internal: compile the reports a `report` batch sends on standard input
    /// and answer with the PDFs on standard output (see prokus_report::helper).
    #[command(hide = true)]
    CompileHelper,
}

#[derive(Subcommand, Clone)]
enum MappingAction {
    /// Draft a mapping for a form: each question matched to its likely
    /// canonical field by name, labels and type, choices pre-filled where
    /// they match, unmatched questions listed as comments. Read it through,
    /// then try it with `prokus mapping check`.
    Draft {
        /// The form's XLSForm (.xlsx, as uploaded to KoboToolbox or ODK);
        /// without it, a KoboToolbox or ODK Central export of its
        /// submissions, whose values say each column's type and choices.
        form: PathBuf,
        /// Output file (`-` for standard output).
        #[arg(long, default_value = "-")]
        output: PathBuf,
    },
    /// A dry run: read exports through a mapping and print, per field, the
    /// column found and how many cells read, are empty or fail, with sample
    /// failures. Nothing is written. An XLSForm among the files reads exports
    /// with label headers.
    Check {
        /// The mapping (TOML).
        mapping: PathBuf,
        /// Exports of the form (and, for label headers, its XLSForm).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// A `--period`: a survey round by name, `YYYY-YTD`, or a quarter as
/// people write it.
fn parse_period(text: &str) -> Result<prokus_report::Period, String> {
    let t = text.trim();
    if let Some(wave) = prokus_report::inputs::WAVES
        .iter()
        .find(|w| w.eq_ignore_ascii_case(t))
    {
        return Ok(prokus_report::Period::Wave(wave.to_string()));
    }
    let upper = t.to_uppercase();
    if let Some(year) = upper
        .strip_suffix("-YTD")
        .or_else(|| upper.strip_suffix(" YTD"))
        && let Ok(year) = year.trim().parse::<i32>()
        && (2000..=2100).contains(&year)
    {
        return Ok(prokus_report::Period::YearToDate(year));
    }
    prokus_ingest::values::parse_quarter(t)
        .map(prokus_report::Period::Quarter)
        .map_err(|e| {
            format!(
                "{e}; or a round ({}), or a year to date (2021-YTD)",
                prokus_report::inputs::WAVES.join(", ")
            )
        })
}

/// Writes a whole output file (atomically) with `write`, and says so.
fn write_file(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    prokus_files::write_atomically(path, &bytes).with_context(|| format!("{}", path.display()))?;
    eprintln!("{what} written to {}", path.display());
    Ok(())
}

fn parse_max_money(text: &str) -> Result<f64, String> {
    prokus_ingest::values::parse_money(text)
        .ok()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| format!("`{text}` is not a positive amount of rupiah"))
}

fn parse_level(text: &str) -> Result<prokus_metrics::Level, String> {
    prokus_metrics::Level::parse(text).map_err(|e| e.to_string())
}

fn parse_percentiles(text: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let numbers: Option<Vec<f64>> = parts.iter().map(|p| p.parse().ok()).collect();
    match numbers.as_deref() {
        Some([lo, hi]) if 0.0 < *lo && lo < hi && *hi < 100.0 => Ok((*lo, *hi)),
        _ => Err(format!(
            "`{text}`: give two percentiles LOW,HIGH with 0 < LOW < HIGH < 100, e.g. 1,99"
        )),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ImpactFormat {
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SplitFormat {
    Xlsx,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Csv,
    Json,
    Parquet,
    Xlsx,
}

/// `--audience`: the name of each audience the report crate has, or `all`.
fn audience_parser() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    let mut values: Vec<PossibleValue> = prokus_report::audience::ALL
        .iter()
        .map(|a| PossibleValue::new(a.name).help(a.readers))
        .collect();
    values.push(PossibleValue::new("all").help("every audience above"));
    clap::builder::PossibleValuesParser::new(values)
}

/// The audiences `--audience NAME[,NAME...]` selects, each once, in the
/// order of [`prokus_report::audience::ALL`].
fn audiences(names: &[String]) -> Vec<&'static Audience> {
    if names.iter().any(|n| n == "all") {
        return prokus_report::audience::ALL.to_vec();
    }
    prokus_report::audience::ALL
        .iter()
        .copied()
        .filter(|a| names.iter().any(|n| n == a.name))
        .collect()
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Id,
    En,
}

/// The exit codes, as `--help` and the README give them.
const EXIT_CODES: &str = "Exit codes:
  0  success
  1  an input was rejected or could not be read (the file's fault; the message names it)
  2  usage error (an unknown option, command or value)
  3  the database is locked or in use by another prokus
  4  internal error (a bug in prokus: please report it)
  5  DuckDB ran out of the memory it may hold (give it more with --memory-limit)";

/// A mistake in how the command was called, found after clap's parsing.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// What kind of failure an error is, for the exit code ([`EXIT_CODES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Failure {
    Input = 1,
    Usage = 2,
    Locked = 3,
    Internal = 4,
    Memory = 5,
}

impl Failure {
    fn name(self) -> &'static str {
        match self {
            Failure::Input => "input",
            Failure::Usage => "usage",
            Failure::Locked => "locked",
            Failure::Internal => "internal",
            Failure::Memory => "memory",
        }
    }
}

fn is_lock(e: &duckdb::Error) -> bool {
    let text = e.to_string();
    text.contains("Could not set lock") || text.contains("Conflicting lock")
}

fn ingest_failure(e: &prokus_ingest::IngestError) -> Failure {
    use prokus_ingest::IngestError as E;
    match e {
        E::Locked { .. } => Failure::Locked,
        E::Database { source, .. } if is_lock(source) => Failure::Locked,
        E::Database { .. } | E::Internal(_) | E::Stopped => Failure::Internal,
        // What the command line asked for that the database has not.
        E::NoSuchFile { .. } | E::CannotWithdraw { .. } => Failure::Usage,
        _ => Failure::Input,
    }
}

fn metrics_failure(e: &prokus_metrics::MetricsError) -> Failure {
    use prokus_metrics::MetricsError as E;
    match e {
        E::Ingest(i) => ingest_failure(i),
        E::Database(d) if is_lock(d) => Failure::Locked,
        E::Database(_) | E::Internal(_) | E::Frame(_) => Failure::Internal,
        _ => Failure::Input,
    }
}

/// The first cause in `e`'s chain that says what kind of failure it is.
fn classify(e: &anyhow::Error) -> Failure {
    // Not a bug: the data needs more than DuckDB may hold.
    if is_out_of_memory(e) {
        return Failure::Memory;
    }
    for cause in e.chain() {
        if cause.downcast_ref::<Usage>().is_some() {
            return Failure::Usage;
        }
        if let Some(i) = cause.downcast_ref::<prokus_ingest::IngestError>() {
            return ingest_failure(i);
        }
        if let Some(m) = cause.downcast_ref::<prokus_metrics::MetricsError>() {
            return metrics_failure(m);
        }
        if let Some(r) = cause.downcast_ref::<prokus_report::ReportError>() {
            return match r {
                prokus_report::ReportError::Quality(m) => metrics_failure(m),
                prokus_report::ReportError::Database(d) if is_lock(d) => Failure::Locked,
                // What the command line asked for that the data has not.
                prokus_report::ReportError::UnknownScope(_)
                | prokus_report::ReportError::Period { .. }
                | prokus_report::ReportError::Cohort { .. }
                | prokus_report::ReportError::NotAmong { .. } => Failure::Usage,
                prokus_report::ReportError::Io { .. } => Failure::Input,
                _ => Failure::Internal,
            };
        }
        if let Some(d) = cause.downcast_ref::<duckdb::Error>() {
            return if is_lock(d) {
                Failure::Locked
            } else {
                Failure::Internal
            };
        }
        if cause.downcast_ref::<std::io::Error>().is_some()
            || cause.downcast_ref::<csv::Error>().is_some()
        {
            return Failure::Input;
        }
    }
    // Messages of this program's own (a missing database, a bad option
    // value) are the user's to fix.
    Failure::Input
}

/// `prokus --version`: this program's version and those of the DuckDB and
/// Typst it embeds (DuckDB's asked of DuckDB, so only when shown).
fn version_line() -> String {
    let duckdb = duckdb::Connection::open_in_memory()
        .and_then(|c| {
            c.query_row("SELECT library_version FROM pragma_version()", [], |r| {
                r.get::<_, String>(0)
            })
        })
        .unwrap_or_else(|_| "unknown".into());
    format!(
        "{} (DuckDB {duckdb}, Typst {})",
        env!("CARGO_PKG_VERSION"),
        env!("PROKUS_TYPST_VERSION")
    )
}

fn main() -> ExitCode {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let mut command = Cli::command();
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        // Made once, for the life of this short process.
        let version: &'static str = Box::leak(version_line().into_boxed_str());
        command = command.version(version);
    }
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Logs on standard error: PROKUS_LOG when set, else by -v.
    let filter = std::env::var("PROKUS_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| {
            tracing_subscriber::EnvFilter::new(match cli.verbose {
                0 => "warn",
                1 => "info",
                _ => "debug",
            })
        });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let json = cli.json;
    // A panic is a bug: said as one, with its own exit code.
    std::panic::set_hook(Box::new(move |info| {
        let message = format!("internal error: {info}; this is a bug in prokus, please report it");
        if json {
            eprintln!(
                "{}",
                serde_json::json!({"error": message, "kind": Failure::Internal.name(), "exit_code": Failure::Internal as u8})
            );
        } else {
            eprintln!("error: {message}");
        }
        std::process::exit(Failure::Internal as i32);
    }));
    match run_with_memory(cli) {
        Ok(code) => code,
        // `prokus rejects | head` closes the pipe early: that is not an error.
        Err(e) if e.chain().any(is_broken_pipe) => ExitCode::SUCCESS,
        Err(e) => {
            let failure = classify(&e);
            let hint = memory_hint(&e).unwrap_or_default();
            if json {
                eprintln!(
                    "{}",
                    serde_json::json!({"error": format!("{}{hint}", describe(&e)), "kind": failure.name(), "exit_code": failure as u8})
                );
            } else {
                eprintln!("error: {}{hint}", describe(&e));
            }
            ExitCode::from(failure as u8)
        }
    }
}

/// `e` and its causes, joined with `: ` as anyhow's `{:#}` joins them, each
/// said once: an error whose text holds its cause's (`database error:
/// {0}`) is not followed by that cause again, and DuckDB's bare error code
/// ("Error code 1: Unknown error code") does not follow its message. Without
/// control characters ([`prokus_files::for_terminal`]): an error may echo a
/// file's own text.
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part)
            || (!text.is_empty() && cause.downcast_ref::<duckdb::ffi::Error>().is_some())
        {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    // A path in the message may be named after a household's NIK.
    prokus_files::for_terminal(&prokus_ingest::privacy::redact(&text)).into_owned()
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let pipe = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.downcast_ref::<std::io::Error>().is_some_and(pipe)
        || e.downcast_ref::<csv::Error>()
            .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if pipe(io)))
}

/// The long steps of a command, a line each on standard error: a spinner
/// while one runs, then the time it took. Only on a terminal, and not with
/// `--quiet` or `--json`: piped runs print results and errors only.
#[derive(Clone)]
struct Stages {
    multi: Option<MultiProgress>,
}

/// One step under way ([`Stages::start`]).
struct Stage {
    bar: ProgressBar,
    what: String,
    started: Instant,
}

impl Stages {
    fn new(show: bool) -> Self {
        Stages {
            multi: show.then(MultiProgress::new),
        }
    }

    /// Whether anything is shown.
    fn shown(&self) -> bool {
        self.multi.is_some()
    }

    fn start(&self, what: &str) -> Stage {
        let bar = match &self.multi {
            Some(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .expect("valid template"),
                );
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            }
            None => ProgressBar::hidden(),
        };
        bar.set_message(what.to_string());
        Stage {
            bar,
            what: what.to_string(),
            started: Instant::now(),
        }
    }

    /// A bar of `len` things to make (`what`: "PDF").
    fn counter(&self, len: u64, what: &str) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new(len));
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:32}] {pos}/{len} {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar
    }

    /// A counter of rows for one file being loaded.
    fn rows(&self, file: &str) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} rows, {per_sec} {elapsed}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message(file.to_string());
        bar
    }
}

impl Stage {
    /// Leaves the step's line with the time it took (and logs it, with the
    /// process's peak memory so far).
    fn done(self) {
        tracing::info!(
            ms = self.started.elapsed().as_millis() as u64,
            peak_rss_mb = peak_rss_mb(),
            "{} done",
            self.what
        );
        self.bar
            .set_style(ProgressStyle::with_template("  {msg}").expect("valid template"));
        self.bar.finish_with_message(format!(
            "{} ({:.1} s)",
            self.what,
            self.started.elapsed().as_secs_f64()
        ));
    }
}

/// "1 PDF", "3 PDFs".
fn pdfs(n: usize) -> String {
    if n == 1 {
        "1 PDF".to_string()
    } else {
        format!("{n} PDFs")
    }
}

/// The process's peak resident memory in MB (Linux; 0 elsewhere).
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn run(cli: Cli) -> Result<ExitCode> {
    use std::io::IsTerminal as _;
    // Logs replace the progress lines (they would cut across them).
    let logging = cli.verbose > 0 || std::env::var_os("PROKUS_LOG").is_some();
    let stages =
        Stages::new(!cli.quiet && !cli.json && !logging && std::io::stderr().is_terminal());
    match cli.command {
        Command::Sample {
            households,
            seed,
            out,
            nationwide,
        } => {
            let config = prokus_sample::SampleConfig {
                households,
                seed,
                nationwide,
                ..Default::default()
            };
            let summary = prokus_sample::write_sample(&config, &out)?;
            println!(
                "wrote {} households, {} submissions ({} messy on purpose) to {}",
                summary.households,
                summary.submissions,
                summary.messy_records,
                out.display()
            );
            for f in &summary.files {
                println!("  {}", f.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            files,
            form,
            format,
            max_money,
            move_kpm,
            month_first,
            wave,
        } => {
            let json = cli.json;
            let mapping = match form {
                Some(path) => FormMapping::from_file(&path)?,
                None => FormMapping::prokus(),
            };
            let (files, empty_folders) = data_files(files);
            let limits = prokus_ingest::values::Limits {
                max_money,
                month_first,
                ..Default::default()
            };
            // The current file's row counter, told the rows as they load.
            let counter = std::sync::Arc::new(std::sync::Mutex::new(ProgressBar::hidden()));
            let tell = std::sync::Arc::clone(&counter);
            let options = prokus_ingest::IngestOptions {
                format,
                xlsform: xlsform_among(&files),
                limits,
                progress: Some(prokus_ingest::RowProgress(std::sync::Arc::new(
                    move |rows| {
                        if let Ok(bar) = tell.lock() {
                            bar.set_position(rows);
                        }
                    },
                ))),
                scanned: None,
                move_kpm,
                sheet: None,
                outputs: own_outputs(),
                wave,
            };
            let mut db = Database::open(&cli.db)?;
            limit_memory(&db, cli.memory_limit.as_deref())?;
            // The worst failure of the files that did not load.
            let mut failed: Option<Failure> = None;
            if !json {
                println!(
                    "{:<44} {:<13} {:>9} {:>9} {:>9} {:>9}",
                    "file", "format", "read", "loaded", "rejected", "duplicate"
                );
            }
            for folder in empty_folders {
                failed = failed.max(Some(Failure::Input));
                let shown =
                    prokus_files::for_terminal(&prokus_ingest::privacy::shown_path(&folder))
                        .into_owned();
                let error = format!(
                    "{shown}: no data file in this folder or its subfolders (.csv, .xlsx, .zip or .toml)"
                );
                if json {
                    eprintln!(
                        "{}",
                        serde_json::json!({
                            "file": shown, "error": error, "kind": Failure::Input.name(),
                            "exit_code": Failure::Input as u8,
                        })
                    );
                } else {
                    eprintln!(
                        "error: {error}\n  hint: give the folder the exports or filled-in sheets were saved in, or the files themselves"
                    );
                }
            }
            let mut rejected = 0;
            // The files prokus wrote itself, passed over.
            let mut own_outputs_given: Vec<String> = Vec::new();
            let order = order_for_loading(&files);
            // The next file's scan (its hash and encoding), made while this
            // one loads, on a core the load leaves idle part of the time.
            let mut ahead: Option<prokus_ingest::Prescanned> = None;
            for (at, file) in order.iter().cloned().enumerate() {
                let scanning = order
                    .get(at + 1)
                    .and_then(|next| prokus_ingest::prescan(next));
                // A TOML file is a programme setting (targets, calendar,
                // checks), stored with the data; the rest are data files.
                let is_settings = prokus_ingest::is_settings_file(&file);
                // Shown as the summary shows it: masked, without controls.
                let name = file
                    .file_name()
                    .map(|n| {
                        let shown = prokus_ingest::privacy::shown_path(Path::new(n));
                        prokus_files::for_terminal(&shown).into_owned()
                    })
                    .unwrap_or_default();
                if let Ok(mut bar) = counter.lock() {
                    *bar = stages.rows(&name);
                }
                let loaded = if is_settings {
                    prokus_metrics::settings::ingest_setting(&mut db, &file).map_err(|e| match e {
                        prokus_metrics::MetricsError::Ingest(e) => e.into(),
                        e => anyhow::Error::from(e),
                    })
                } else {
                    let options = prokus_ingest::IngestOptions {
                        scanned: ahead.take(),
                        ..options.clone()
                    };
                    db.ingest_with(&file, &mapping, &options)
                        .map_err(anyhow::Error::from)
                };
                ahead = scanning;
                if let Ok(bar) = counter.lock() {
                    bar.finish_and_clear();
                }
                // A workbook with data in several sheets (a round per
                // sheet), or in a sheet named as a round: each sheet loads
                // as a file of its own, in the workbook's order.
                let sheets = match &loaded {
                    Err(e) => match e.downcast_ref::<prokus_ingest::IngestError>() {
                        Some(prokus_ingest::IngestError::Sheets { sheets, .. }) => sheets.clone(),
                        _ => Vec::new(),
                    },
                    Ok(_) => Vec::new(),
                };
                // Lazily: each sheet's line is printed as soon as it is loaded.
                // Each load with the name its batch and errors are known by:
                // the file, or `file.xlsx [sheet]`.
                let shown = prokus_ingest::privacy::shown_path(&file);
                type Load = (String, Result<BatchSummary>);
                let loads: Box<dyn Iterator<Item = Load>> = if sheets.is_empty() {
                    Box::new(std::iter::once((shown.clone(), loaded)))
                } else {
                    Box::new(sheets.into_iter().map(|sheet| {
                        let named =
                            format!("{shown} [{}]", prokus_ingest::privacy::safe_text(&sheet));
                        if let Ok(mut bar) = counter.lock() {
                            *bar = stages.rows(&format!(
                                "{name} [{}]",
                                prokus_files::for_terminal(&prokus_ingest::privacy::safe_text(
                                    &sheet
                                ))
                            ));
                        }
                        let options = prokus_ingest::IngestOptions {
                            sheet: Some(sheet),
                            ..options.clone()
                        };
                        let loaded = db
                            .ingest_with(&file, &mapping, &options)
                            .map_err(anyhow::Error::from);
                        if let Ok(bar) = counter.lock() {
                            bar.finish_and_clear();
                        }
                        (named, loaded)
                    }))
                };
                let mut said = SaidOfSheets::new(&shown);
                for (shown, loaded) in loads {
                    match loaded {
                        Ok(s) => {
                            rejected += s.rows_rejected;
                            print_summary(&s, json)?;
                            print_load_notes(&s, &mut said);
                        }
                        Err(e)
                            if matches!(
                                e.downcast_ref::<prokus_ingest::IngestError>(),
                                Some(prokus_ingest::IngestError::NotData { .. })
                            ) =>
                        {
                            eprintln!("note: {}", prokus_files::for_terminal(&e.to_string()))
                        }
                        // Said once for all, after the files.
                        Err(e)
                            if matches!(
                                e.downcast_ref::<prokus_ingest::IngestError>(),
                                Some(prokus_ingest::IngestError::OwnOutput { .. })
                            ) =>
                        {
                            own_outputs_given.push(shown);
                        }
                        Err(e) => {
                            let failure = classify(&e);
                            failed = failed.max(Some(failure));
                            if json {
                                eprintln!(
                                    "{}",
                                    serde_json::json!({
                                        "file": shown,
                                        "error": describe(&e),
                                        "kind": failure.name(),
                                        "exit_code": failure as u8,
                                    })
                                );
                            } else {
                                eprintln!(
                                    "error: {}\n  nothing from this file was written",
                                    describe(&e)
                                );
                            }
                        }
                    }
                }
            }
            if !own_outputs_given.is_empty() {
                let one = own_outputs_given.len() == 1;
                eprintln!(
                    "note: {} {} prokus wrote (data-quality workbooks, indicator tables, attention lists), \
                     not data, and not loaded: {}; load the exports and sheets they were made from \
                     (answers corrected in a data-quality workbook are not read from it: correct them \
                     in the sheet or the export it names, and load that)",
                    own_outputs_given.len(),
                    if one { "file is one" } else { "files are ones" },
                    prokus_files::for_terminal(&at_most_ten(
                        own_outputs_given.iter().map(String::as_str)
                    )),
                );
            }
            if rejected > 0 && !json {
                let (rows, them) = if rejected == 1 {
                    ("row was", "it with its reason")
                } else {
                    ("rows were", "them with their reasons")
                };
                println!(
                    "{rejected} {rows} not loaded; `prokus rejects --db {} --output rejects.csv` lists {them}",
                    cli.db.display()
                );
            }
            Ok(failed.map_or(ExitCode::SUCCESS, |f| ExitCode::from(f as u8)))
        }
        Command::Indicators {
            format,
            output,
            targets,
            min_cell,
            by,
            winsorize,
            list,
        } => {
            let catalog = Catalog::builtin();
            if list {
                use std::io::Write as _;
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) ends the listing quietly.
                let _ = writeln!(
                    out,
                    "{:<28} {:<6} {:<11} {:<6} {:<10} label",
                    "id", "unit", "aggregation", "over", "family"
                );
                for i in &catalog.indicators {
                    let written = writeln!(
                        out,
                        "{:<28} {:<6} {:<11} {:<6} {:<10} {}",
                        i.id,
                        format!("{:?}", i.unit).to_lowercase(),
                        i.aggregation.name(),
                        i.population.name(),
                        i.family.as_deref().unwrap_or("-"),
                        i.label_en
                    );
                    if written.is_err() {
                        break;
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let settings = run_settings(&db, targets.as_deref(), None, None)?;
            let mut levels = prokus_metrics::Level::defaults();
            for level in by {
                if !levels.contains(&level) {
                    levels.push(level);
                }
            }
            let min_cell = min_cell.unwrap_or_else(|| settings.min_cell());
            // A table as the reports compute theirs (the settings' threshold,
            // no winsorising) is computed with the levels they print beyond
            // it, and its rows they print are kept for the report runs after
            // this one; the table written holds the levels asked for alone.
            let for_reports = winsorize.is_none() && min_cell == settings.min_cell();
            let asked: Vec<String> = levels.iter().map(|l| l.name()).collect();
            let mut options = Options {
                min_cell,
                targets: settings.targets.clone(),
                levels,
                winsorize,
                utc_offset_hours: settings.schedule.utc_offset_hours,
                ..Options::default()
            };
            if for_reports {
                options = prokus_report::with_printed_levels(options);
            }
            let stage = stages.start("computing indicators");
            let mut rows = prokus_metrics::compute_rows(db.connection(), &catalog, &options)?;
            if for_reports {
                prokus_report::keep_indicators(
                    db.connection(),
                    &settings,
                    &figures_folder(&cli.db),
                    &rows,
                )?;
                rows.retain(|r| asked.contains(&r.level));
            }
            let mut table = prokus_metrics::IndicatorTable::from_rows(&rows)?;
            drop(rows);
            stage.done();
            let stage = stages.start("writing the table");
            write_table(&mut table, format, &output)?;
            stage.done();
            if output.as_os_str() != "-" {
                eprintln!(
                    "wrote {} indicator rows to {}",
                    table.frame.height(),
                    output.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            audience,
            out,
            lang,
            targets,
            schedule,
            period,
            cohort,
            pdfa,
            force,
            timings,
            single_process,
            only,
        } => {
            output_folder(&out, "--out")?;
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let settings = run_settings(&db, targets.as_deref(), schedule.as_deref(), None)?;
            print_missing_settings(&settings);
            let lang = match lang {
                LangArg::Id => Lang::Id,
                LangArg::En => Lang::En,
            };
            let render = RenderOptions {
                lang,
                out: out.clone(),
                pdfa,
                force,
            };
            let audiences = audiences(&audience);
            let mut inputs = gather_with_stages(
                &db,
                settings,
                &audiences,
                (period.unwrap_or_default(), cohort),
                (Some(figures_folder(&cli.db)), force),
                &stages,
            )?;
            if inputs.reused {
                println!(
                    "reused the indicators, estimates and checks an earlier run computed from the same survey data and settings (--force computes them again)"
                );
            } else {
                let mut kept = Vec::new();
                if inputs.indicators_reused {
                    kept.push("the indicator rows `prokus indicators` kept");
                }
                if inputs.checks_reused {
                    kept.push("the findings `prokus check` kept");
                }
                if !kept.is_empty() {
                    println!(
                        "reused {} for the same survey data and settings (--force computes them again)",
                        kept.join(" and ")
                    );
                }
            }
            let (written, kept, failed) = report(
                &db,
                &mut inputs,
                Asked {
                    audiences: &audiences,
                    only: &only,
                },
                &render,
                &stages,
                !single_process,
                timings.as_deref(),
            )?;
            if kept > 0 {
                println!(
                    "wrote {} to {}; kept {kept} whose data, charts and templates had not changed (--force renders them all)",
                    pdfs(written),
                    out.display()
                );
            } else {
                println!("wrote {} to {}", pdfs(written), out.display());
            }
            Ok(if failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Impact {
            indicator,
            cluster,
            format,
            output,
            balance,
            qvalues,
        } => {
            let catalog = Catalog::builtin();
            if let Some(id) = &indicator
                && !catalog.indicators.iter().any(|i| &i.id == id)
            {
                let ids: Vec<&str> = catalog.indicators.iter().map(|i| i.id.as_str()).collect();
                return Err(Usage(format!(
                    "unknown indicator `{id}`; the catalog has: {}",
                    ids.join(", ")
                ))
                .into());
            }
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let stage = stages.start("estimating impact");
            let started = std::time::Instant::now();
            // The answers' days are the programme's local ones.
            let offset = prokus_metrics::settings::Settings::from_db(&db)?
                .schedule
                .utc_offset_hours;
            let units =
                prokus_metrics::impact::units_by_variable(db.connection(), cluster, offset)?;
            tracing::debug!(
                variables = units.len(),
                units = units.values().map(Vec::len).sum::<usize>(),
                ms = started.elapsed().as_millis(),
                peak_rss_mb = peak_rss_mb(),
                "impact units read"
            );
            let rows = prokus_metrics::impact::impact_table(&catalog, indicator.as_deref(), &units);
            stage.done();
            if rows.is_empty() {
                eprintln!(
                    "note: no estimate: the database needs endline answers from both the ProKUS and the comparison group"
                );
            }
            prokus_metrics::impact::write_impact_file(
                &rows,
                matches!(format, ImpactFormat::Json),
                &output,
            )?;
            if let Some(path) = balance {
                let table = prokus_metrics::impact::balance(&catalog, &units);
                write_file(&path, "balance table", |w| {
                    prokus_metrics::impact::write_balance(&table, w)
                })?;
            }
            if let Some(path) = qvalues {
                let q = prokus_metrics::impact::q_values(&catalog, &rows);
                write_file(&path, "q-values", |w| {
                    prokus_metrics::impact::write_q_values(&q, w)
                })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Template {
            output,
            incubator,
            wave,
        } => {
            let kpm = match &incubator {
                Some(id) => {
                    let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
                    incubator_kpm(&db, id)?
                }
                None => Vec::new(),
            };
            let bytes = prokus_ingest::template_sheet::template_workbook(&kpm, wave.as_deref())?;
            prokus_files::write_atomically(&output, &bytes)
                .with_context(|| output.display().to_string())?;
            eprintln!(
                "wrote the template to {}{}",
                prokus_files::for_terminal(&output.display().to_string()),
                match kpm.first() {
                    // The incubator as the register names it.
                    Some(k) => format!(
                        " with a row for each of the {} KPM of {}",
                        kpm.len(),
                        prokus_files::for_terminal(&k.incubator_id)
                    ),
                    None => String::new(),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Files => {
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let files = db.loaded_files()?;
            if cli.json {
                for f in &files {
                    println!("{}", serde_json::to_string(f)?);
                }
            } else {
                println!(
                    "{:>5}  {:<13} {:>9} {:>9} {:>9}  {:<16}  file",
                    "batch", "format", "loaded", "rejected", "duplicate", "loaded at (UTC)"
                );
                for f in &files {
                    println!(
                        "{:>5}  {:<13} {:>9} {:>9} {:>9}  {:<16}  {}",
                        f.batch_id,
                        f.format,
                        f.rows_loaded,
                        f.rows_rejected,
                        f.rows_duplicate,
                        f.loaded_at,
                        prokus_files::for_terminal(&f.file)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Withdraw { file, dry_run, yes } => {
            let mut db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let batch = db.batch_of(&file)?;
            // A person at a terminal sees what a batch number or name
            // would take out before it goes: a mistyped number would take
            // out another file, which only loading it again brings back.
            let asks = !dry_run
                && !yes
                && !cli.json
                && std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal();
            if asks {
                let w = db.withdraw_preview(batch)?;
                eprint!(
                    "{}.\nWithdraw it? [y/N] ",
                    withdraw_line(batch, &w, Some(""))
                );
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "ya") {
                    eprintln!("nothing was changed");
                    return Ok(ExitCode::SUCCESS);
                }
            }
            let w = if dry_run {
                db.withdraw_preview(batch)?
            } else {
                db.withdraw(batch)?
            };
            if cli.json {
                println!("{}", serde_json::to_string(&w)?);
            } else {
                let after = dry_run
                    .then_some("; nothing was changed (run it without --dry-run to withdraw)");
                println!("{}", withdraw_line(batch, &w, after));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rejects { output } => {
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let n = prokus_ingest::export_rejects(&db, &output)?;
            if output.as_os_str() != "-" {
                eprintln!("{n} rejected rows written to {}", output.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            output,
            completeness,
            per_incubator,
            per_incubator_format,
            lang,
            schedule,
            checks,
            as_of,
        } => {
            if let Some(dir) = &per_incubator {
                output_folder(dir, "--per-incubator")?;
            }
            let db = open_existing(&cli.db, cli.memory_limit.as_deref())?;
            let settings = run_settings(&db, None, schedule.as_deref(), checks.as_deref())?;
            if !settings.has_schedule() {
                eprintln!("{}", NO_SCHEDULE);
            }
            let lang = match lang {
                LangArg::Id => Lang::Id,
                LangArg::En => Lang::En,
            };
            settings.check_fields(db.connection())?;
            let stage = stages.start("checking data quality");
            let found = prokus_metrics::quality::check(
                db.connection(),
                &settings.checks,
                &settings.schedule,
                as_of,
            )?;
            // Kept for the report runs after it, which print the same
            // findings (as of no date): they read them back instead of
            // checking again.
            if as_of.is_none() {
                prokus_report::keep_checks(
                    db.connection(),
                    &settings,
                    &figures_folder(&cli.db),
                    &found,
                )?;
            }
            stage.done();
            let files = CheckFiles {
                lang,
                output: &output,
                completeness: completeness.as_deref(),
                per_incubator: per_incubator.as_deref(),
                split: per_incubator_format,
            };
            let stage = stages.start("writing the findings");
            let written = write_check_files(&found, &files)?;
            stage.done();
            print_check_summary(&found, &files, written);
            Ok(ExitCode::SUCCESS)
        }
        Command::Mapping {
            action: MappingAction::Draft { form, output },
        } => {
            // An export, when the form itself is not at hand.
            let text = if !prokus_ingest::XlsForm::is_form_file(&form) {
                prokus_ingest::draft_mapping_from_export(&form)?
            } else {
                prokus_ingest::draft_mapping(&prokus_ingest::XlsForm::from_file(&form)?)
            };
            if output.as_os_str() == "-" {
                print!("{text}");
            } else {
                write_file(&output, "mapping draft", |w| w.write_all(text.as_bytes()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Mapping {
            action: MappingAction::Check { mapping, files },
        } => {
            let mapping = FormMapping::from_file(&mapping)?;
            let options = prokus_ingest::IngestOptions {
                xlsform: xlsform_among(&files),
                ..Default::default()
            };
            let mut failed = false;
            for file in files
                .iter()
                .filter(|f| !prokus_ingest::XlsForm::is_form_file(f))
            {
                let check = prokus_ingest::check_mapping(file, &mapping, &options)?;
                print_mapping_check(&check);
                failed |= check
                    .fields
                    .iter()
                    .any(|f| !f.found || (f.failed > 0 && !f.advisory));
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "prokus", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            use clap::CommandFactory as _;
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { out } => demo(&out),
        Command::CompileHelper => {
            prokus_report::helper::serve(std::io::stdin().lock(), std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Makes the folder `path` that `option` names for a command's outputs
/// (with the folders above it), before any work: a file there, or a folder
/// that cannot be made, is said at once, where the reports were computed
/// and then each failed to be written.
fn output_folder(path: &Path, option: &str) -> Result<()> {
    if path.exists() && !path.is_dir() {
        bail!(
            "{}: this is a file, not a folder\n  hint: {option} names the folder the outputs are written into (made if missing)",
            prokus_files::for_terminal(&path.display().to_string())
        );
    }
    std::fs::create_dir_all(path).with_context(|| {
        format!(
            "{}: the folder for the outputs cannot be made ({option})",
            prokus_files::for_terminal(&path.display().to_string())
        )
    })
}

/// One line: the number of findings and the completeness.
fn check_summary_line(found: &prokus_metrics::quality::QualityReport) -> String {
    let mut line = format!("{} findings", found.findings.len());
    if let Some(pct) = found.totals().completeness_pct() {
        line.push_str(&format!(", {pct:.1}% of expected answers in"));
    }
    line
}

/// Where and how `prokus check` writes what it found.
struct CheckFiles<'a> {
    lang: Lang,
    /// The national file: `.xlsx`, else CSV (`-` for standard output).
    output: &'a Path,
    /// The completeness table (CSV).
    completeness: Option<&'a Path>,
    /// The folder of per-incubator files.
    per_incubator: Option<&'a Path>,
    split: SplitFormat,
}

/// The counts of each check and the completeness, on standard error, with
/// where the files went (`written` per-incubator files).
fn print_check_summary(
    found: &prokus_metrics::quality::QualityReport,
    files: &CheckFiles,
    written: usize,
) {
    eprintln!("{} findings (as of {}):", found.findings.len(), found.as_of);
    for (check, n) in found.counts() {
        if n > 0 {
            eprintln!("  {:<22} {:<8} {n:>8}", check.code(), check.severity());
        }
    }
    for n in &found.not_collected {
        eprintln!(
            "not collected: {} ({} answers) has no column for {}; these are not judged missing there",
            n.file,
            n.answers,
            n.fields.join(", ")
        );
    }
    let t = found.totals();
    // Nearly every answer outside its window is a calendar for another
    // cohort or year, not nine in ten late interviewers.
    let outside: u64 = found
        .counts()
        .iter()
        .filter(|(check, _)| {
            matches!(
                check,
                prokus_metrics::quality::Check::Late | prokus_metrics::quality::Check::Early
            )
        })
        .map(|(_, n)| *n as u64)
        .sum();
    if t.responded >= 20 && outside * 10 >= t.responded * 9 {
        eprintln!(
            "note: {outside} of {} answers fall outside their wave's window: is the loaded survey calendar this cohort's? \
             (load the right one with `prokus ingest schedule.toml`)",
            t.responded
        );
    }
    if let Some(pct) = t.completeness_pct() {
        eprintln!(
            "completeness: {} of {} expected answers ({pct:.1}%); {} of {} answers late",
            t.expected - t.missing,
            t.expected,
            t.late,
            t.responded
        );
    }
    if files.output.as_os_str() != "-" {
        eprintln!("written to {}", files.output.display());
    }
    if let Some(dir) = files.per_incubator {
        eprintln!("{written} per-incubator files written to {}", dir.display());
    }
}

/// Writes the national file (`-`: CSV on standard output), the completeness
/// table and the per-incubator files, each whole or not at all. Returns the
/// number of per-incubator files.
fn write_check_files(
    found: &prokus_metrics::quality::QualityReport,
    files: &CheckFiles,
) -> Result<usize> {
    let CheckFiles {
        lang,
        output,
        completeness,
        per_incubator,
        split,
    } = *files;
    let is_xlsx = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    // CSV is written a finding at a time; a workbook is built whole.
    if output.as_os_str() == "-" {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        if is_xlsx {
            out.write_all(&found.xlsx(lang, None)?)?;
        } else {
            found.write_findings_csv(&mut out, lang, None)?;
        }
        out.flush()?;
    } else if is_xlsx {
        prokus_files::write_atomically(output, &found.xlsx(lang, None)?)
            .with_context(|| output.display().to_string())?;
    } else {
        prokus_files::write_atomically_with(output, |w| -> Result<()> {
            Ok(found.write_findings_csv(w, lang, None)?)
        })
        .with_context(|| output.display().to_string())?;
    }
    if let Some(path) = completeness {
        let bytes = found.completeness_csv(lang)?;
        prokus_files::write_atomically(path, &bytes).with_context(|| path.display().to_string())?;
    }
    let mut written = 0;
    if let Some(dir) = per_incubator {
        let mut paths = Vec::new();
        for unit in found.unit_ids() {
            let own = found.for_unit(&unit);
            let stem = prokus_files::file_stem(&unit);
            let outputs = match split {
                SplitFormat::Xlsx => vec![(
                    dir.join(format!("{stem}.xlsx")),
                    own.xlsx(lang, Some(&unit))?,
                )],
                SplitFormat::Csv => vec![
                    (
                        dir.join(format!("{stem}-findings.csv")),
                        own.findings_csv(lang, Some(&unit))?,
                    ),
                    (
                        dir.join(format!("{stem}-completeness.csv")),
                        own.completeness_csv(lang)?,
                    ),
                ],
            };
            for (path, bytes) in outputs {
                prokus_files::write_atomically(&path, &bytes)
                    .with_context(|| path.display().to_string())?;
                written += 1;
                paths.push(path);
            }
        }
        // A unit with no findings left, or a KPM moved away: the earlier
        // run's file for it does not stay.
        prokus_files::replace_outputs(dir, "check", &paths)
            .with_context(|| dir.display().to_string())?;
    }
    Ok(written)
}

fn parse_cluster(name: &str) -> Result<prokus_metrics::impact::ClusterLevel, String> {
    prokus_metrics::impact::ClusterLevel::from_name(name)
        .ok_or_else(|| format!("unknown level `{name}`; use kpm, district, regency or incubator"))
}

fn parse_format(name: &str) -> Result<prokus_ingest::Format, String> {
    prokus_ingest::Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = prokus_ingest::Format::ALL
            .iter()
            .map(|f| f.name())
            .collect();
        format!("unknown format `{name}`; use one of {}", names.join(", "))
    })
}

/// The survey's XLSForm when one is among the files: it lets exports with
/// label headers be read.
/// One export's dry run: a line per field, then its sample failures.
fn print_mapping_check(check: &prokus_ingest::MappingCheck) {
    // A file's name, a mapping's column and a cell are the user's text:
    // no control of theirs reaches the terminal.
    let shown = prokus_files::for_terminal;
    println!(
        "{} ({}, {} rows)",
        shown(&check.file),
        check.format,
        check.rows
    );
    println!(
        "  {:<22} {:<34} {:>8} {:>8} {:>8}",
        "field", "column", "read", "empty", "failed"
    );
    for f in &check.fields {
        let column = shown(&f.column);
        if !f.found {
            println!("  {:<22} {:<34} not in this export", f.field, column);
            continue;
        }
        if let Some(why) = f.uncounted {
            println!("  {:<22} {:<34} found ({why})", f.field, column);
            continue;
        }
        println!(
            "  {:<22} {:<34} {:>8} {:>8} {:>8}",
            f.field, column, f.parsed, f.empty, f.failed
        );
        for (value, reason) in &f.samples {
            println!("      e.g. `{}`: {}", shown(value), shown(reason));
        }
    }
}

/// The files `given` names, for `ingest`: each file as given (a path that
/// is no folder is left for the load to judge), and in place of each
/// folder the data files in it and its subfolders (`.csv`, `.xlsx`, `.zip`,
/// `.toml`), in the order they were last changed (the oldest first, so
/// that of two versions of a sheet, such as `monitoring.xlsx` and
/// `monitoring-revisi.xlsx`, the newer loads later and its answers count),
/// then by name; with the folders that have none. A folder's other
/// files are named in a note (on standard error, as the load's notes); hidden files and folders
/// (`.name`), the lock files Excel leaves beside an open workbook
/// (`~$name.xlsx`) and folders linked to from elsewhere are passed over,
/// and no folder is walked deeper than 16 levels. Needed where the shell
/// does not expand `folder/*.csv` (Windows' cmd and PowerShell).
fn data_files(given: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    const DATA: [&str; 4] = ["csv", "xlsx", "zip", "toml"];
    fn walk(folder: &Path, depth: usize, data: &mut Vec<PathBuf>, other: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            let path = entry.path();
            // The entry itself: a link to a folder is not followed.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < 16 {
                    walk(&path, depth + 1, data, other);
                }
                continue;
            }
            let is_file = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
            let is_data = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| DATA.iter().any(|d| e.eq_ignore_ascii_case(d)));
            if is_file && is_data {
                data.push(path);
            } else if is_file {
                other.push(path);
            }
        }
    }
    let mut files = Vec::new();
    let mut empty = Vec::new();
    for path in given {
        if !path.is_dir() {
            files.push(path);
            continue;
        }
        let (mut data, mut other) = (Vec::new(), Vec::new());
        walk(&path, 0, &mut data, &mut other);
        let changed = |f: &PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).ok();
        data.sort_by_cached_key(|f| (changed(f), f.clone()));
        if !other.is_empty() {
            let names: Vec<String> = other
                .iter()
                .map(|f| {
                    let inside = f.strip_prefix(&path).unwrap_or(f);
                    prokus_ingest::privacy::shown_path(inside)
                })
                .collect();
            eprintln!(
                "note: {}: {} not loaded, not being .csv, .xlsx, .zip or .toml: {}",
                prokus_files::for_terminal(&prokus_ingest::privacy::shown_path(&path)),
                if other.len() == 1 {
                    "this file is"
                } else {
                    "these files are"
                },
                prokus_files::for_terminal(&at_most_ten(names.iter().map(String::as_str))),
            );
        }
        if data.is_empty() {
            empty.push(path);
        }
        files.append(&mut data);
    }
    (files, empty)
}

/// The CSV tables prokus writes, what each is and its header, for
/// `ingest` to pass over ([`prokus_ingest::IngestOptions::outputs`]): read
/// as data, a findings table (`kpm_id`, `wave`) would make rows of rejects.
fn own_outputs() -> Vec<(String, Vec<String>)> {
    let owned = |header: &[&str]| header.iter().map(|h| h.to_string()).collect::<Vec<_>>();
    let keys = |columns: &[(&str, &str, &str)]| columns.iter().map(|c| c.0.to_string()).collect();
    use prokus_metrics::{impact, quality};
    vec![
        ("indicators".into(), owned(prokus_metrics::CSV_HEADER)),
        ("check: findings".into(), keys(&quality::FINDING_COLUMNS)),
        (
            "check: completeness".into(),
            keys(&quality::COMPLETENESS_COLUMNS),
        ),
        ("rejects".into(), owned(&prokus_ingest::REJECT_COLUMNS)),
        ("impact".into(), owned(&impact::IMPACT_CSV_HEADER)),
        ("impact: balance".into(), owned(impact::BALANCE_CSV_HEADER)),
        ("impact: q-values".into(), owned(impact::QVALUE_CSV_HEADER)),
    ]
}

fn xlsform_among(files: &[PathBuf]) -> Option<prokus_ingest::XlsForm> {
    files
        .iter()
        .filter(|f| prokus_ingest::XlsForm::is_form_file(f))
        .find_map(|f| {
            let form = prokus_ingest::XlsForm::from_file(f).ok()?;
            // The feedback form asks no survey field: its exports carry
            // the sheet's own names and load as feedback sheets.
            if form.form_id == prokus_ingest::feedback::FEEDBACK_FORM_ID {
                eprintln!(
                    "note: {} is the feedback form; its exports load as feedback sheets",
                    f.display()
                );
                return None;
            }
            eprintln!(
                "note: {} is the form `{}`; exports with label headers are read through it",
                f.display(),
                prokus_files::for_terminal(&form.form_id)
            );
            Some(form)
        })
}

/// Lists before the survey rows that refer to them: incubators, then the
/// register, then exports (in the order given); and a file named as
/// another's revision (`monitoring-revisi.xlsx` beside `monitoring.xlsx`)
/// after it, said in a note, whatever order the shell gave them in (its
/// `*.xlsx` puts `-revisi` first): of two answers at the same time, the one
/// loaded later counts.
fn order_for_loading(files: &[PathBuf]) -> Vec<PathBuf> {
    let stems: Vec<String> = files.iter().map(|f| stem_of(f)).collect();
    // Where each name stands in the order given (a folder may give
    // thousands of files: looked up, not searched).
    let mut given: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, stem) in stems.iter().enumerate() {
        given.entry(stem.as_str()).or_default().push(i);
    }
    // How many revisions a file is of another given file (0: of none).
    let depth = |stem: &str| {
        let mut depth = 0;
        let mut at = stem;
        while let Some(base) = without_revision(at)
            && given.contains_key(base)
        {
            depth += 1;
            at = base;
        }
        depth
    };
    let mut order: Vec<(u8, usize, usize, &PathBuf)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (prokus_ingest::sniff_load_order(f), depth(&stems[i]), i, f))
        .collect();
    order.sort_by_key(|(load, depth, i, _)| (*load, *depth, *i));
    for (_, depth, i, f) in &order {
        // Said where the order given put the revision first.
        let base = without_revision(&stems[*i]);
        let given_after = base
            .and_then(|b| given.get(b))
            .and_then(|at| at.iter().copied().find(|j| j > i));
        if let Some(j) = given_after
            && *depth > 0
        {
            let shown = |f: &Path| {
                let name = f.file_name().unwrap_or(f.as_os_str());
                prokus_files::for_terminal(&prokus_ingest::privacy::shown_path(Path::new(name)))
                    .into_owned()
            };
            eprintln!(
                "note: {} is loaded after {}, which its name says it revises: of two answers \
                 at the same time, the one loaded later counts",
                shown(f),
                shown(&files[j]),
            );
        }
    }
    order.into_iter().map(|(.., f)| f.clone()).collect()
}

/// A file's name without its extension, in lower case.
fn stem_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// `stem` (lower case) less the word a sheet's sender adds to a revised
/// version's name, after `-`, `_`, `.` or a space: `revisi`, `rev`,
/// `perbaikan`, `koreksi`, `final`, `baru`, `update`, `v2`, `revisi2`, or a
/// copy's ` (1)`; `None` when it has none.
fn without_revision(stem: &str) -> Option<&str> {
    if let Some(open) = stem.rfind(" (")
        && let Some(inner) = stem[open + 2..].strip_suffix(')')
        && !inner.is_empty()
        && inner.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(&stem[..open]);
    }
    let cut = stem.rfind(['-', '_', '.', ' '])?;
    let (base, word) = (stem[..cut].trim_end(), &stem[cut + 1..]);
    let digits = |w: &str| w.bytes().all(|b| b.is_ascii_digit());
    let revision = matches!(
        word,
        "revisi" | "rev" | "perbaikan" | "koreksi" | "final" | "baru" | "update" | "updated"
    ) || ["revisi", "rev", "v", "versi"].iter().any(|w| {
        word.strip_prefix(w)
            .is_some_and(|n| !n.is_empty() && digits(n))
    });
    (revision && !base.is_empty()).then_some(base)
}

/// What `withdraw` took out of `batch` (`after` is `None`), or would take
/// out, followed by `after`.
fn withdraw_line(
    batch: i64,
    w: &prokus_ingest::withdraw::Withdrawn,
    after: Option<&str>,
) -> String {
    let kept = if w.kpm_kept > 0 {
        format!(
            "; {} KPM it added are kept, since other files answer for them",
            w.kpm_kept
        )
    } else {
        String::new()
    };
    let moved = if w.moved > 0 {
        format!(
            "; {} answers later files hold too are kept, as theirs",
            w.moved
        )
    } else {
        String::new()
    };
    let (verb, taken) = match after {
        Some(_) => ("would withdraw", "would be taken out"),
        None => ("withdrew", "taken out"),
    };
    if matches!(w.format.as_str(), "kpm-register" | "incubators") {
        // A list is withdrawn only when none of its rows loaded.
        return format!(
            "{verb} batch {batch}, {} ({}): none of its rows loaded; its {} refused {} {taken}{}",
            prokus_files::for_terminal(&w.file),
            w.format,
            w.refused,
            if w.refused == 1 { "row" } else { "rows" },
            after.unwrap_or_default()
        );
    }
    if w.format == "feedback" {
        let restored = match w.feedback_restored {
            0 => String::new(),
            n => format!(
                "; {n} {} of the earlier sheets of the same writers and quarters {} printed again",
                if n == 1 { "row" } else { "rows" },
                match (after, n) {
                    (Some(_), _) => "would be",
                    (None, 1) => "is",
                    (None, _) => "are",
                }
            ),
        };
        return format!(
            "{verb} batch {batch}, {} (feedback): {} {} of written feedback {taken}{restored}{}",
            prokus_files::for_terminal(&w.file),
            w.feedback,
            if w.feedback == 1 { "row" } else { "rows" },
            after.unwrap_or_default()
        );
    }
    let answers = if w.responses == 1 {
        "answer"
    } else {
        "answers"
    };
    format!(
        "{verb} batch {batch}, {} ({}): {} {answers} and {} KPM it added {taken}{moved}{kept}{}",
        prokus_files::for_terminal(&w.file),
        w.format,
        w.responses,
        w.kpm_removed,
        after.unwrap_or_default()
    )
}

/// Names joined with commas, at most ten and how many more: a sheet of
/// thousands of stray columns gets a line, not a screenful.
fn at_most_ten<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let mut joined = names.take(10).collect::<Vec<_>>().join(", ");
    if total > 10 {
        joined.push_str(&format!(" and {} more", total - 10));
    }
    joined
}

/// The notes on one file's load, on standard error: what a summary line
/// cannot say (incubators not listed, columns not read, formulas, undated
/// rows …), each with what to do. A note said of an earlier sheet of the
/// same workbook is not said again in full (`said`).
fn print_load_notes(s: &BatchSummary, said: &mut SaidOfSheets) {
    let file = prokus_files::for_terminal(&s.file);
    let mut again: Vec<String> = Vec::new();
    for (note, first) in said.notes(s, load_notes(s)) {
        match first {
            None => eprintln!("note: {file}: {note}"),
            Some(sheet) if !again.contains(&sheet) => again.push(sheet),
            Some(_) => {}
        }
    }
    if !again.is_empty() {
        eprintln!(
            "note: {file}: the same as noted for {}",
            prokus_files::for_terminal(&again.join(" and "))
        );
    }
}

/// The notes said of the sheets of one workbook loaded sheet by sheet, each
/// with the first sheet it was said of.
struct SaidOfSheets {
    /// The workbook as shown, which its sheets' batch names begin with.
    workbook: String,
    said: std::collections::HashMap<String, String>,
}

impl SaidOfSheets {
    fn new(workbook: &str) -> Self {
        SaidOfSheets {
            workbook: workbook.to_string(),
            said: std::collections::HashMap::new(),
        }
    }

    /// `notes` of the load `s`, each with the sheet (`[Baseline]`) it was
    /// said of first when that is an earlier one.
    fn notes(&mut self, s: &BatchSummary, notes: Vec<String>) -> Vec<(String, Option<String>)> {
        let sheet = s
            .file
            .strip_prefix(&self.workbook)
            .map_or(s.file.as_str(), str::trim_start);
        notes
            .into_iter()
            .map(|note| match self.said.get(&note) {
                Some(first) if first != sheet => {
                    let first = first.clone();
                    (note, Some(first))
                }
                _ => {
                    self.said.insert(note.clone(), sheet.to_string());
                    (note, None)
                }
            })
            .collect()
    }
}

/// The notes on one file's load, each without the file's name.
fn load_notes(s: &BatchSummary) -> Vec<String> {
    let mut notes = Vec::new();
    if !s.incubators_by_name.is_empty() {
        let named: Vec<String> = s
            .incubators_by_name
            .iter()
            .map(|(name, id, rows)| {
                let rows = if *rows == 1 {
                    "1 row".to_string()
                } else {
                    format!("{rows} rows")
                };
                format!("`{name}` as {id} ({rows})")
            })
            .collect();
        notes.push(format!(
            "the incubator is named by its name, read as the id the incubator list gives it: {}",
            prokus_files::for_terminal(&at_most_ten(named.iter().map(String::as_str)))
        ));
    }
    if !s.unlisted_incubators.is_empty() {
        notes.push(format!(
            "rows name incubators that are not in the incubator list ({}); \
         add them to incubators.csv and ingest it (or map the form's choices to listed ids), \
         then ingest this file again",
            prokus_files::for_terminal(&s.unlisted_incubators.join(", "))
        ));
    }
    for (unread, field, read) in s.named_twice.iter().take(10) {
        notes.push(format!(
            "{} is not read: {} gives the same field ({}) and is read; \
         delete one of the two, or rename the one not read if it holds something else",
            prokus_files::for_terminal(unread),
            prokus_files::for_terminal(read),
            field,
        ));
    }
    if !s.formulas_to_recalculate.is_empty() {
        let cells: u64 = s.formulas_to_recalculate.iter().map(|(_, n)| n).sum();
        let columns = at_most_ten(s.formulas_to_recalculate.iter().map(|(c, _)| c.as_str()));
        notes.push(format!(
            "the workbook asks to be calculated again when it is opened, as \
         files written by programs that do not calculate formulas do (XlsxWriter \
         saves 0 for each): {cells} {} in {} {} read as the value the file saved \
         beside {}, which may not be its result; to be sure, open the file in Excel \
         or LibreOffice, save it, and load it again (rows whose values change \
         replace these)",
            if cells == 1 { "formula" } else { "formulas" },
            prokus_files::for_terminal(&columns),
            if cells == 1 { "was" } else { "were" },
            if cells == 1 { "it" } else { "each" },
        ));
    }
    if s.own_wave {
        notes.push(
            "the file gives its own round (a round column, or its sheet's \
             name), read as it is: --wave is for the files without one"
                .to_string(),
        );
    }
    if !s.unread_columns.is_empty() {
        let named = at_most_ten(s.unread_columns.iter().map(String::as_str));
        notes.push(format!(
            "{} not a column of the `{}` format and not read: {} \
         (check the spelling against the README's list; the file's other columns were loaded)",
            if s.unread_columns.len() == 1 {
                "this column is"
            } else {
                "each of these columns is"
            },
            s.format,
            prokus_files::for_terminal(&named)
        ));
    }
    if !s.kept_columns.is_empty() {
        let held = if s.format == "incubators" {
            "incubators already listed"
        } else {
            "KPM the register already holds"
        };
        // The kecamatan belongs to the regency: a KPM
        // the list moves has it cleared, not kept.
        let moved = if s.kept_columns.iter().any(|c| c == "district_code") {
            "; a KPM it moves to another regency has its district_code cleared"
        } else {
            ""
        };
        notes.push(format!(
            "this list updates {held}; \
         the columns it does not have were kept as they were ({}){moved}",
            s.kept_columns.join(", ")
        ));
    }
    if s.kpm_without_nik > 0 {
        let why = if s.nik_column {
            "their NIK cells are empty"
        } else {
            "the list has no `nik` column"
        };
        let have = if s.kpm_without_nik == 1 {
            "has"
        } else {
            "have"
        };
        notes.push(format!(
            "{} KPM of the register {have} no NIK ({why}); `prokus check` \
         lists each as nik_invalid: add the NIKs (as text, 16 digits) and load \
         the list again, which updates the KPM it holds",
            s.kpm_without_nik,
        ));
    }
    if s.rows_dated_at_load > 0 {
        let one = s.rows_dated_at_load == 1;
        notes.push(format!(
            "{} {} no date (a `submitted_at` or `tanggal` column): \
         {} counted in {} round, but in no quarter (Triwulan) or year to date, \
         and not judged on time or late; to place {}, fill in the interview dates \
         and load the file again (the dated rows replace these)",
            s.rows_dated_at_load,
            if one { "row has" } else { "rows have" },
            if one { "it is" } else { "they are" },
            if one { "its" } else { "their" },
            if one { "it" } else { "them" },
        ));
    }
    if s.answers_not_given > 0 {
        let one = s.answers_not_given == 1;
        notes.push(format!(
            "{} {} `tidak tahu`, `N/A`, `?` or the like (not known, not said or not filled \
             in): read as no answer, as an empty cell is; `prokus check` lists {} where the \
             round asks {}",
            s.answers_not_given,
            if one { "answer is" } else { "answers are" },
            if one { "it" } else { "them" },
            if one { "it" } else { "them" },
        ));
    }
    if s.interview_times_not_believed > 0 {
        let one = s.interview_times_not_believed == 1;
        notes.push(format!(
            "{} {} the form's interview time (`end`) after {} submission or more than 90 \
             days before it: {} dated by {} submission; many such rows say a device's clock \
             is wrong (set it to the network's time)",
            s.interview_times_not_believed,
            if one { "row gives" } else { "rows give" },
            if one { "its" } else { "their" },
            if one { "it is" } else { "they are" },
            if one { "its" } else { "their" },
        ));
    }
    if s.interview_times_without_offset > 0 {
        let one = s.interview_times_without_offset == 1;
        notes.push(format!(
            "{} {} the form's interview time (`end`) without the device's offset (an XLSX \
             export with dates as numbers?): {} dated by {} submission; export the data as CSV, \
             or as XLSX with dates as text, to date {} by {} interview",
            s.interview_times_without_offset,
            if one { "row gives" } else { "rows give" },
            if one { "it is" } else { "they are" },
            if one { "its" } else { "their" },
            if one { "it" } else { "them" },
            if one { "its" } else { "their" },
        ));
    }
    if s.orphan_repeat_rows > 0 {
        notes.push(format!(
            "{} repeat-group rows belong to no submission of the file; they are listed by `prokus rejects`",
            s.orphan_repeat_rows
        ));
    }
    notes
}

fn print_summary(s: &BatchSummary, json: bool) -> Result<()> {
    if json {
        let mut line = serde_json::json!({
            "file": s.file, "format": s.format, "rows_read": s.rows_read, "rows_loaded": s.rows_loaded,
            "rows_rejected": s.rows_rejected, "rows_duplicate": s.rows_duplicate,
        });
        if s.rows_dated_at_load > 0 {
            line["rows_dated_at_load"] = serde_json::json!(s.rows_dated_at_load);
        }
        if s.kpm_without_nik > 0 {
            line["kpm_without_nik"] = serde_json::json!(s.kpm_without_nik);
        }
        if s.answers_not_given > 0 {
            line["answers_not_given"] = serde_json::json!(s.answers_not_given);
        }
        if s.interview_times_not_believed > 0 {
            line["interview_times_not_believed"] =
                serde_json::json!(s.interview_times_not_believed);
        }
        if s.interview_times_without_offset > 0 {
            line["interview_times_without_offset"] =
                serde_json::json!(s.interview_times_without_offset);
        }
        if !s.formulas_to_recalculate.is_empty() {
            line["formulas_to_recalculate"] = serde_json::json!(s.formulas_to_recalculate);
        }
        if !s.incubators_by_name.is_empty() {
            line["incubators_by_name"] = s
                .incubators_by_name
                .iter()
                .map(|(name, id, rows)| serde_json::json!({"name": name, "id": id, "rows": rows}))
                .collect();
        }
        // What the notes say, for a script: only when there is something.
        for (key, columns) in [
            ("unread_columns", &s.unread_columns),
            ("kept_columns", &s.kept_columns),
        ] {
            if !columns.is_empty() {
                line[key] = serde_json::json!(columns);
            }
        }
        println!("{line}");
    } else {
        let name = Path::new(&s.file)
            .file_name()
            .map(|f| prokus_files::for_terminal(&f.to_string_lossy()).into_owned())
            .unwrap_or_default();
        if prokus_ingest::settings::KINDS.contains(&s.format.as_str()) {
            // A settings file has no rows: say what became of it.
            println!(
                "{:<44} {:<13} {}",
                name,
                s.format,
                if s.already_loaded {
                    "already the current one"
                } else {
                    "now the current one"
                }
            );
            return Ok(());
        }
        println!(
            "{:<44} {:<13} {:>9} {:>9} {:>9} {:>9}",
            name, s.format, s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_duplicate
        );
        if s.already_loaded {
            println!("  already loaded as batch {}: nothing added", s.batch_id);
        }
    }
    Ok(())
}

/// The folder beside the database `db` where a report run keeps the figures
/// it computed for the next (`prokus.duckdb.figures`).
fn figures_folder(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".figures");
    db.with_file_name(name)
}

fn open_existing(path: &Path, memory_limit: Option<&str>) -> Result<Database> {
    if !path.exists() {
        bail!(
            "{}: no such database\n  hint: create it with `prokus ingest --db {} FILES...` (or run `prokus demo`)",
            path.display(),
            path.display()
        );
    }
    let db = Database::open(path)?;
    match memory_limit {
        Some(limit) => limit_memory(&db, Some(limit))?,
        None => {
            if let Some(chosen) = read_default_limit(&db, path) {
                limit_memory(&db, Some(&chosen.text()))?;
                *chosen_limit() = Some(chosen);
            }
        }
    }
    Ok(db)
}

/// The memory limit prokus chose for a command that reads a database,
/// when `--memory-limit` was not given, and DuckDB's own default, which a
/// larger one does not pass; both in bytes.
struct ChosenLimit {
    bytes: u64,
    duckdb: u64,
}

impl ChosenLimit {
    /// The limit as `--memory-limit` takes it (`1094MB`).
    fn text(&self) -> String {
        format!("{}MB", self.bytes / 1_000_000)
    }

    /// Twice the limit, at most DuckDB's default; `None` when that is no
    /// more.
    fn larger(&self) -> Option<ChosenLimit> {
        let bytes = self.bytes.saturating_mul(2).min(self.duckdb);
        (bytes > self.bytes).then_some(ChosenLimit {
            bytes,
            duckdb: self.duckdb,
        })
    }
}

fn chosen_limit() -> std::sync::MutexGuard<'static, Option<ChosenLimit>> {
    static CHOSEN: std::sync::Mutex<Option<ChosenLimit>> = std::sync::Mutex::new(None);
    CHOSEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `cli`. A command that only reads the database and ran out of the
/// memory prokus chose for DuckDB by default (16 times the file, for a
/// laptop's sake) is run again with twice as much, up to three times and
/// up to DuckDB's own default: an extra level (`--by tksk:gender`) can
/// need more than the data's size suggests, and the user gave no limit to
/// keep to.
fn run_with_memory(cli: Cli) -> Result<ExitCode> {
    run_again_with_memory(cli, run)
}

/// [`run_with_memory`] with `run` for the command's run.
fn run_again_with_memory(mut cli: Cli, run: impl Fn(Cli) -> Result<ExitCode>) -> Result<ExitCode> {
    // The limit prokus set for the last run, if it set one.
    let mut ours: Option<ChosenLimit> = None;
    for _ in 0..3 {
        *chosen_limit() = None;
        let error = match run(cli.clone()) {
            Ok(code) => return Ok(code),
            Err(e) => e,
        };
        // The default the run chose, or the larger one given it here.
        let chosen = chosen_limit().take().or(ours.take());
        let larger = chosen
            .filter(|_| cli.command.only_reads() && is_out_of_memory(&error))
            .and_then(|chosen| Some((chosen.larger()?, chosen)));
        let Some((larger, chosen)) = larger else {
            return Err(error);
        };
        let (limit, more) = (chosen.text(), larger.text());
        if !cli.quiet && !cli.json {
            eprintln!(
                "note: DuckDB needed more than the {limit} prokus gave it for this database; \
                 running again with {more} (set it yourself with `--memory-limit`)"
            );
        }
        tracing::info!(
            limit,
            larger = more,
            "out of memory under the limit prokus chose: run again"
        );
        cli.memory_limit = Some(more);
        ours = Some(larger);
    }
    run(cli)
}

impl Command {
    /// Whether the command only reads the database (and writes its own
    /// outputs): run again after running out of memory, it repeats nothing.
    fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Indicators { .. }
                | Command::Report { .. }
                | Command::Impact { .. }
                | Command::Check { .. }
                | Command::Rejects { .. }
                | Command::Files
        )
    }
}

/// The ProKUS KPM of incubator `id` ([`prokus_ingest::template_sheet::incubator_kpm`]);
/// an incubator with none is refused, naming those that have some.
fn incubator_kpm(
    db: &Database,
    id: &str,
) -> Result<Vec<prokus_ingest::template_sheet::TemplateKpm>> {
    use prokus_ingest::template_sheet::{incubator_kpm, incubators_with_kpm};
    let kpm = incubator_kpm(db, id)?;
    if kpm.is_empty() {
        let known = incubators_with_kpm(db)?;
        return Err(Usage(format!(
            "no ProKUS KPM of incubator `{}` in the register; the incubators with KPM are: {}",
            prokus_files::for_terminal(id),
            if known.is_empty() {
                "none (load the KPM register first)".to_string()
            } else {
                known.join(", ")
            }
        ))
        .into());
    }
    Ok(kpm)
}

/// [`default_memory_limit`] for the database `db` opened from `path`, with
/// DuckDB's own default; `None` when prokus chooses none.
fn read_default_limit(db: &Database, path: &Path) -> Option<ChosenLimit> {
    // The file and its write-ahead log, not yet checkpointed.
    let mut wal = path.as_os_str().to_os_string();
    wal.push(".wal");
    let stored: u64 = [path, Path::new(&wal)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let duckdb = db
        .connection()
        .query_row("SELECT current_setting('memory_limit')", [], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .and_then(|text| duckdb_size(&text));
    let bytes = default_memory_limit(stored, duckdb)?;
    Some(ChosenLimit {
        bytes,
        duckdb: duckdb?,
    })
}

/// How many bytes of memory DuckDB may hold per byte of the database file,
/// when `--memory-limit` is not given to a command that reads a database.
/// Measured on `report --audience all`: at 200,000 households (a 60 to
/// 68 MB file) the run failed under 300 MB, and DuckDB's own default let
/// the process grow to 2.8 GB; at 2,000,000 households (628 MB) it runs
/// under 6 GB. 16 leaves room above both (with [`LEAST_MEMORY_LIMIT`] for
/// the smaller files).
const MEMORY_PER_STORED_BYTE: u64 = 16;

/// The least default memory limit, whatever the database's size. Under
/// 1 GB, the indicators' statistics query of a 200,000-household report
/// run (a 60 MB file) spilled some 150 to 240 MB to disk, and the run was
/// slower than under 1.5 GB (its peak lower, 1.2 GB against 1.4 GB).
const LEAST_MEMORY_LIMIT: u64 = 1_500_000_000;

/// The memory limit of a command that reads a database of `stored` bytes
/// when none is given: [`MEMORY_PER_STORED_BYTE`] times its size, at least
/// [`LEAST_MEMORY_LIMIT`]. `None` (DuckDB's own default, 80% of the RAM)
/// when that is no less, or when DuckDB's default is not known: a laptop's
/// memory is not taken for a cache the data does not need.
fn default_memory_limit(stored: u64, duckdb_default: Option<u64>) -> Option<u64> {
    let wanted = stored
        .saturating_mul(MEMORY_PER_STORED_BYTE)
        .max(LEAST_MEMORY_LIMIT);
    duckdb_default.filter(|&d| wanted < d).map(|_| wanted)
}

/// The bytes of a size as DuckDB prints a setting (`18.8 GiB`, `512.0 MiB`,
/// `1000 bytes`).
fn duckdb_size(text: &str) -> Option<u64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "bytes" => 1u64,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        _ => return None,
    };
    (number >= 0.0).then_some((number * scale as f64) as u64)
}

/// A `--memory-limit`: a whole number and a unit (KB, MB, GB, TB), as
/// DuckDB takes it; checked here, since it is set with a statement.
/// A round as `--wave` takes it: a wave's code or one of the names a
/// monitoring sheet's `wave` cell takes, as its code.
fn parse_wave(text: &str) -> Result<String, String> {
    let template = FormMapping::template();
    template.fields["wave"]
        .choice(text.trim())
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "`{text}` is no round: give one of {}, or a name a sheet writes \
                 (`survei awal`, `monitoring 2`, `akhir`)",
                prokus_metrics::WAVES.join(", ")
            )
        })
}

fn parse_memory_limit(text: &str) -> Result<String, String> {
    let t = text.trim().to_uppercase().replace(' ', "");
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = t.split_at(digits);
    match (number.parse::<u64>(), unit) {
        (Ok(n), "KB" | "MB" | "GB" | "TB") if n > 0 => Ok(format!("{n}{unit}")),
        _ => Err(format!(
            "`{text}` is not a memory size: write a whole number and KB, MB, GB or TB (4GB)"
        )),
    }
}

/// Sets DuckDB's memory limit (a size [`parse_memory_limit`] checked) for
/// every connection of `db`.
fn limit_memory(db: &Database, limit: Option<&str>) -> Result<()> {
    if let Some(limit) = limit {
        debug_assert!(parse_memory_limit(limit).as_deref() == Ok(limit));
        db.connection()
            .execute_batch(&format!("SET memory_limit = '{limit}'"))
            .with_context(|| format!("setting the memory limit to {limit}"))?;
        tracing::info!(limit, "DuckDB's memory limit");
        *memory_limit_set() = Some(limit.to_string());
    }
    Ok(())
}

/// The memory limit this run set last, for the hint of an out-of-memory
/// error.
fn memory_limit_set() -> std::sync::MutexGuard<'static, Option<String>> {
    static SET: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    SET.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether DuckDB ran out of the memory it may hold.
fn is_out_of_memory(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.to_string().contains("Out of Memory Error"))
}

/// What to do when DuckDB ran out of the memory it may hold.
fn memory_hint(e: &anyhow::Error) -> Option<String> {
    is_out_of_memory(e).then(|| match memory_limit_set().as_deref() {
            Some(limit) => format!(
                "\n  hint: DuckDB may hold {limit} in this run; give it more with `--memory-limit` (say, twice as much)"
            ),
            None => "\n  hint: give DuckDB a limit it can spill under with `--memory-limit`, or free memory"
                .to_string(),
        })
}

/// What is said when a run has no survey calendar.
const NO_SCHEDULE: &str = "note: no survey calendar is loaded: timeliness and non-response are not judged \
     (load the programme's with `prokus ingest schedule.toml`)";

/// The database's settings, with the files given for this run instead.
fn run_settings(
    db: &Database,
    targets: Option<&Path>,
    schedule: Option<&Path>,
    checks: Option<&Path>,
) -> Result<prokus_metrics::settings::Settings> {
    let mut settings = prokus_metrics::settings::Settings::from_db(db)?;
    if let Some(p) = targets {
        settings.override_targets(p)?;
    }
    if let Some(p) = schedule {
        settings.override_schedule(p)?;
    }
    if let Some(p) = checks {
        settings.override_checks(p)?;
    }
    // A target's group is judged against the incubators listed now, also
    // when its file was loaded before the list was.
    settings.check_target_groups(db)?;
    Ok(settings)
}

/// Says which settings a report run goes without.
fn print_missing_settings(settings: &prokus_metrics::settings::Settings) {
    if !settings.has_schedule() {
        eprintln!("{NO_SCHEDULE}");
    }
    if !settings.has_targets() {
        eprintln!(
            "note: no targets are loaded: no status is shown (load the programme's with `prokus ingest targets.toml`)"
        );
    }
}

fn write_table(
    table: &mut prokus_metrics::IndicatorTable,
    format: TableFormat,
    output: &Path,
) -> Result<()> {
    let to_stdout = output.as_os_str() == "-";
    match (format, to_stdout) {
        (TableFormat::Csv, false) => table.write_csv(output)?,
        (TableFormat::Json, false) => table.write_json(output)?,
        (TableFormat::Parquet, false) => table.write_parquet(output)?,
        (TableFormat::Xlsx, false) => table.write_xlsx(output)?,
        (TableFormat::Parquet | TableFormat::Xlsx, true) => {
            return Err(Usage("that format is binary: give --output FILE".into()).into());
        }
        (TableFormat::Csv, true) => table.write_csv_to(std::io::stdout().lock())?,
        (TableFormat::Json, true) => table.write_json_to(std::io::stdout().lock())?,
    }
    Ok(())
}

/// A display of [`prokus_report::Step`]s on `stages`: each step's line
/// while it runs, left with its time.
fn step_display(stages: &Stages) -> impl Fn(prokus_report::Step, bool) + Sync + '_ {
    let running = std::sync::Mutex::new(Vec::new());
    move |step: prokus_report::Step, started: bool| {
        let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
        if started {
            running.push((step, stages.start(step.describe())));
        } else if let Some(at) = running.iter().position(|(s, _)| *s == step) {
            running.remove(at).1.done();
        }
    }
}

/// [`prokus_report::gather()`] of what `audiences` print, each step shown by
/// `stages` while it runs; the checks, when they have to be computed, are
/// left for [`report`] to run once the reports that print nothing of them
/// are rendered.
/// `(period, cohort)` are the run's; `(keep_in, recompute)` where computed
/// figures are kept between runs and whether to compute them anyway.
fn gather_with_stages(
    db: &Database,
    settings: prokus_metrics::settings::Settings,
    audiences: &[&'static Audience],
    (period, cohort): (prokus_report::Period, Option<i32>),
    (keep_in, recompute): (Option<PathBuf>, bool),
    stages: &Stages,
) -> Result<prokus_report::Inputs> {
    let on_step = step_display(stages);
    Ok(prokus_report::gather(
        db.connection(),
        prokus_report::GatherOptions {
            on_step: &on_step,
            period,
            cohort,
            keep_in,
            recompute,
            later: true,
            ..prokus_report::GatherOptions::new(settings, audiences.to_vec())
        },
    )?)
}

/// What a report run renders: the audiences asked for, and of them the
/// reports of some areas or incubators alone (`--only`; empty for all).
struct Asked<'a> {
    audiences: &'a [&'static Audience],
    only: &'a [String],
}

/// Renders the reports `asked` from `inputs`, with a progress bar
/// on `stages` and, when `helpers`, helper processes; returns (written,
/// kept, failed).
///
/// When `inputs` has the checks pending ([`prokus_report::gather_later`]),
/// the reports that print nothing of them (the dashboard, the provinces
/// and regencies) are rendered first, while the checks (and what else was
/// left with them) run on `db`, then the others: the first PDFs are written
/// before the checks are done.
fn report(
    db: &Database,
    inputs: &mut prokus_report::Inputs,
    asked: Asked,
    render_options: &RenderOptions,
    stages: &Stages,
    helpers: bool,
    timings: Option<&Path>,
) -> Result<(usize, usize, usize)> {
    let Asked { audiences, only } = asked;
    let mut jobs = prokus_report::jobs(inputs, audiences);
    if !only.is_empty() {
        jobs = prokus_report::only(jobs, only)?;
    }
    let bar = stages.counter(jobs.len() as u64, "PDF");
    let mut helpers: Vec<_> = if helpers && jobs.len() > 1 {
        start_helpers(rayon::current_num_threads().saturating_sub(1))
            .into_iter()
            .map(Some)
            .collect()
    } else {
        Vec::new()
    };
    let (first, after): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|job| inputs.ready_for(job.audience));
    // The reports that do not wait for the checks are rendered while the
    // checks (and what waits with them) run on the database: each leaves
    // a core idle part of the time. DuckDB gets one thread for the checks
    // while those reports render, all of them once they are done (see
    // `CoresShared`).
    let cores = if inputs.checks_pending() && !first.is_empty() {
        Some(prokus_report::CoresShared::new(db.connection())?)
    } else {
        None
    };
    let (mut results, later) = std::thread::scope(|scope| {
        let shared: &prokus_report::Inputs = inputs;
        let (first, helpers, bar, cores) = (&first, &mut helpers, &bar, cores.as_ref());
        let rendering = scope.spawn(move || {
            let results =
                prokus_report::render_all(shared, first, render_options, helpers, &|_| bar.inc(1));
            if let Some(cores) = cores {
                cores.renders_done();
            }
            results
        });
        let later =
            prokus_report::compute_later(db.connection(), shared, &step_display(stages), cores);
        let results = rendering
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (results, later)
    });
    if let Some(later) = later? {
        inputs.put_later(later);
    }
    if !after.is_empty() {
        results.extend(prokus_report::render_all(
            inputs,
            &after,
            render_options,
            &mut helpers,
            &|_| bar.inc(1),
        ));
    }
    bar.finish_and_clear();
    let mut failed = 0;
    for r in &results {
        if let Err(e) = &r.result {
            failed += 1;
            let (audience, scope) = r.job.describe();
            eprintln!(
                "error: the {audience} report {scope} failed: {}",
                prokus_files::for_terminal(&e.to_string())
            );
        }
    }
    // What an earlier run wrote for these audiences and this one did not
    // (an incubator gone, a KPM moved) is removed, so no stale list stays.
    // Named from the audience, not from its jobs: a run with no incubator
    // left still removes the last run's incubator files. A run of some
    // reports alone (`--only`) leaves the others be.
    for scope in audiences.iter().map(|a| a.name).filter(|_| only.is_empty()) {
        let written: Vec<PathBuf> = results
            .iter()
            .filter(|r| r.job.describe().0 == scope)
            .filter_map(|r| r.result.as_ref().ok().map(|pdf| (pdf, &r.files)))
            .flat_map(|(pdf, files)| std::iter::once(pdf.clone()).chain(files.iter().cloned()))
            .collect();
        let removed = prokus_files::replace_outputs(&render_options.out, scope, &written)
            .with_context(|| render_options.out.display().to_string())?;
        if removed > 0 && stages.shown() {
            eprintln!(
                "removed {removed} {scope} file(s) of an earlier run that this run no longer makes"
            );
        }
    }
    if let Some(path) = timings {
        write_file(path, "timings", |w| {
            let mut out = csv::Writer::from_writer(w);
            out.write_record(["audience", "scope", "ms", "files_ms"])?;
            for r in &results {
                let (audience, scope) = r.job.describe();
                out.write_record([
                    audience,
                    scope,
                    &r.millis.to_string(),
                    &r.files_millis.to_string(),
                ])?;
            }
            out.flush()
        })?;
    }
    let kept = results.iter().filter(|r| r.kept).count();
    Ok((results.len() - failed - kept, kept, failed))
}

/// Starts `count` helper processes (this program's `compile-helper`); with a
/// warning, fewer when one cannot be started (the batch then compiles more
/// in its own process).
fn start_helpers(count: usize) -> Vec<prokus_report::Helper> {
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(e) => {
            eprintln!("warning: no helper processes (this program's path is unknown: {e})");
            return Vec::new();
        }
    };
    let mut helpers = Vec::new();
    for _ in 0..count {
        let mut command = std::process::Command::new(&program);
        command.arg("compile-helper");
        match prokus_report::Helper::spawn(command) {
            Ok(helper) => helpers.push(helper),
            Err(e) => {
                eprintln!(
                    "warning: a helper process could not be started ({}: {e}); compiling in this one",
                    program.display()
                );
                break;
            }
        }
    }
    helpers
}

fn demo(out: &Path) -> Result<ExitCode> {
    output_folder(out, "--out")?;
    let start = Instant::now();
    let data = out.join("data");
    let db_path = out.join("prokus.duckdb");
    for stale in [db_path.clone(), out.join("prokus.duckdb.wal")] {
        if stale.exists() {
            std::fs::remove_file(&stale).with_context(|| {
                format!("{}: cannot replace the demo database", stale.display())
            })?;
        }
    }
    let steps = ProgressBar::new(5);
    steps.set_style(
        ProgressStyle::with_template("{msg:<34} [{bar:24}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    steps.set_message("writing the sample program");
    let sample = prokus_sample::write_sample(&prokus_sample::SampleConfig::default(), &data)?;
    steps.inc(1);

    steps.set_message("loading exports into DuckDB");
    let mut db = Database::open(&db_path)?;
    let mapping = FormMapping::prokus();
    let mut summaries = Vec::new();
    // The sample's data, then its targets and calendar, loaded as any
    // programme's would be.
    for file in sample.files.iter().filter(|f| {
        f.extension()
            .is_some_and(|e| e == "csv" || e == "xlsx" || e == "toml")
    }) {
        summaries.push(if file.extension().is_some_and(|e| e == "toml") {
            prokus_metrics::settings::ingest_setting(&mut db, file)?
        } else {
            db.ingest(file, &mapping)?
        });
    }
    let settings = prokus_metrics::settings::Settings::from_db(&db)?;
    steps.inc(1);

    steps.set_message("computing indicators");
    // Every default level, and those the reports print beyond them (the
    // mentors and TKSK, with the indicators printed there), since the
    // reports are made from this table.
    let options = prokus_report::with_printed_levels(Options {
        min_cell: settings.min_cell(),
        targets: settings.targets.clone(),
        utc_offset_hours: settings.schedule.utc_offset_hours,
        ..Options::default()
    });
    let mut table = prokus_metrics::compute(db.connection(), &Catalog::builtin(), &options)?;
    let csv = out.join("indicators.csv");
    table.write_csv(&csv)?;
    steps.inc(1);

    steps.set_message("checking data quality");
    // The reports print from the table just written and the checks run here,
    // as `prokus report` would make them.
    let mut inputs = prokus_report::gather(
        db.connection(),
        prokus_report::GatherOptions {
            rows: Some(table.rows()?),
            ..prokus_report::GatherOptions::new(settings, prokus_report::audience::ALL.to_vec())
        },
    )?;
    let found = &inputs.quality;
    let check_file = out.join("data-quality.xlsx");
    let check_dir = out.join("data-quality");
    let check_summary = check_summary_line(found);
    write_check_files(
        found,
        &CheckFiles {
            lang: Lang::Id,
            output: &check_file,
            completeness: None,
            per_incubator: Some(&check_dir),
            split: SplitFormat::Xlsx,
        },
    )?;
    steps.inc(1);

    steps.set_message("rendering PDF reports");
    let reports = out.join("reports");
    let render = RenderOptions {
        lang: Lang::Id,
        out: reports.clone(),
        pdfa: false,
        // The demo shows the whole pipeline: every PDF is made afresh.
        force: true,
    };
    let (written, _, failed) = report(
        &db,
        &mut inputs,
        Asked {
            audiences: &prokus_report::audience::ALL,
            only: &[],
        },
        &render,
        &Stages::new(false),
        true,
        None,
    )?;
    steps.inc(1);
    steps.finish_and_clear();

    println!(
        "ProKUS demo: {} households, {} submissions written to {}",
        sample.households,
        sample.submissions,
        data.display()
    );
    println!(
        "{:<44} {:<13} {:>9} {:>9} {:>9} {:>9}",
        "file", "format", "read", "loaded", "rejected", "duplicate"
    );
    for s in &summaries {
        print_summary(s, false)?;
    }
    let (read, loaded, rejected, dup) = summaries.iter().fold((0, 0, 0, 0), |a, s| {
        (
            a.0 + s.rows_read,
            a.1 + s.rows_loaded,
            a.2 + s.rows_rejected,
            a.3 + s.rows_duplicate,
        )
    });
    println!(
        "{:<44} {:<13} {:>9} {:>9} {:>9} {:>9}",
        "total", "", read, loaded, rejected, dup
    );
    println!("database:    {}", db_path.display());
    println!(
        "indicators:  {} ({} rows)",
        csv.display(),
        table.frame.height()
    );
    println!(
        "reports:     {} in {}{}; each incubator's KPM who need attention in incubator/<id>-{}.xlsx",
        pdfs(written),
        reports.display(),
        if failed > 0 {
            format!(" ({failed} failed)")
        } else {
            String::new()
        },
        prokus_report::attention_suffix(render.lang)
    );
    println!(
        "data quality: {} ({check_summary}); one workbook per incubator in {}",
        check_file.display(),
        check_dir.display()
    );
    println!(
        "rejected rows: prokus rejects --db {} --output rejects.csv",
        db_path.display()
    );
    println!("done in {:.1} s", start.elapsed().as_secs_f64());
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words a revised sheet's name ends with are read as such, and
    /// nothing else is.
    #[test]
    fn a_revision_is_known_by_its_name() {
        for (stem, base) in [
            ("monitoring-revisi", "monitoring"),
            ("monitoring_rev2", "monitoring"),
            ("data unnes (1)", "data unnes"),
            ("monev ii.v2", "monev ii"),
            ("laporan-perbaikan", "laporan"),
            ("monitoring-revisi-final", "monitoring-revisi"),
        ] {
            assert_eq!(without_revision(stem), Some(base), "{stem}");
        }
        for stem in [
            "monitoring",
            "revisi",
            "monitoring-2022",
            "data (a)",
            "kpm-baru-2",
        ] {
            assert_eq!(without_revision(stem), None, "{stem}");
        }
    }

    /// A file named as another's revision loads after it, the lists first.
    #[test]
    fn a_revision_given_first_loads_after_the_file_it_revises() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let sheet = "ID KPM,Putaran,Tanggal,Omzet\nS1,baseline,2022-03-01,900000\n";
        let given = [
            file("monitoring-revisi-final.csv", sheet),
            file("monitoring-revisi.csv", sheet),
            file("lain.csv", sheet),
            file("monitoring.csv", sheet),
            file(
                "kpm_register.csv",
                "kpm_id,arm,incubator_id,regency_code\nS1,prokus,I,32.17\n",
            ),
        ];
        let names: Vec<String> = order_for_loading(&given)
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "kpm_register.csv",
                "lain.csv",
                "monitoring.csv",
                "monitoring-revisi.csv",
                "monitoring-revisi-final.csv"
            ]
        );
    }

    #[test]
    fn a_database_s_default_memory_limit_grows_with_its_size_up_to_duckdb_s() {
        let ram = Some(20_000_000_000);
        // A small database, and 200,000 households' 68 MB file: the floor.
        assert_eq!(default_memory_limit(5_000_000, ram), Some(1_500_000_000));
        assert_eq!(default_memory_limit(68_431_872, ram), Some(1_500_000_000));
        // 500,000 households' (about 170 MB): 16 times it.
        assert_eq!(default_memory_limit(170_000_000, ram), Some(2_720_000_000));
        // Beyond DuckDB's own default, or with that unknown, DuckDB's stays.
        assert_eq!(default_memory_limit(2_000_000_000, ram), None);
        assert_eq!(default_memory_limit(5_000_000, None), None);
        assert_eq!(default_memory_limit(u64::MAX, ram), None);
    }

    #[test]
    fn a_default_limit_run_out_of_doubles_up_to_duckdb_s() {
        let larger = |bytes, duckdb| ChosenLimit { bytes, duckdb }.larger().map(|l| l.text());
        assert_eq!(
            larger(1_099_000_000, 20_000_000_000).as_deref(),
            Some("2198MB")
        );
        assert_eq!(
            larger(12_000_000_000, 20_000_000_000).as_deref(),
            Some("20000MB")
        );
        assert_eq!(larger(20_000_000_000, 20_000_000_000), None);
        // Only a command that reads the database is run again.
        let reads = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("prokus").chain(args.iter().copied()))
                .unwrap()
                .command
                .only_reads()
        };
        assert!(reads(&["indicators", "--output", "x.csv"]));
        assert!(reads(&["report", "--audience", "all", "--out", "r"]));
        assert!(!reads(&["ingest", "a.csv"]));
        assert!(!reads(&["demo", "--out", "d"]));
        // A run needing 5 GB, under a default of 1,099 MB: run again with
        // 2,198, 4,396 and 8,792 MB. The limit it needs is never given when
        // DuckDB's default is less, and a limit the user gave is kept.
        let needs = |need: u64, duckdb: u64| {
            let tried = std::sync::Mutex::new(Vec::new());
            let cli =
                Cli::try_parse_from(["prokus", "-q", "indicators", "--output", "x.csv"]).unwrap();
            let outcome = run_again_with_memory(cli, |cli| {
                let limit = cli.memory_limit.clone();
                tried.lock().unwrap().push(limit.clone());
                let limit = match limit {
                    Some(limit) => limit,
                    None => {
                        *chosen_limit() = Some(ChosenLimit {
                            bytes: 1_099_000_000,
                            duckdb,
                        });
                        "1099MB".into()
                    }
                };
                let bytes = duckdb_size(&limit.replace("MB", " MB")).unwrap();
                if bytes < need {
                    anyhow::bail!("Out of Memory Error: failed to allocate data of size 16.0 MiB")
                }
                Ok(ExitCode::SUCCESS)
            });
            (outcome.is_ok(), tried.into_inner().unwrap())
        };
        let (ok, tried) = needs(5_000_000_000, 20_000_000_000);
        assert!(ok);
        assert_eq!(
            tried,
            [
                None,
                Some("2198MB".into()),
                Some("4396MB".into()),
                Some("8792MB".into())
            ]
        );
        let (ok, tried) = needs(5_000_000_000, 3_000_000_000);
        assert!(!ok);
        assert_eq!(tried, [None, Some("2198MB".into()), Some("3000MB".into())]);
        // Running out is not a bug: its own exit code.
        let out = anyhow::anyhow!("Out of Memory Error: failed to allocate data of size 16.0 MiB")
            .context("computing indicators");
        assert_eq!(classify(&out), Failure::Memory);
        assert!(memory_hint(&out).is_some());
    }

    #[test]
    fn an_error_says_each_cause_once() {
        let failure = duckdb::Error::DuckDBFailure(
            duckdb::ffi::Error::new(1),
            Some("Catalog Error: Table with name kpm does not exist!".into()),
        );
        let e = anyhow::Error::from(prokus_metrics::MetricsError::Database(failure))
            .context("computing indicators");
        assert_eq!(
            describe(&e),
            "computing indicators: database error: Catalog Error: Table with name kpm does not exist!"
        );
        // Causes that add something are all said.
        let e = anyhow::anyhow!("row 3").context("reading a.csv");
        assert_eq!(describe(&e), "reading a.csv: row 3");
    }

    #[test]
    fn duckdb_s_sizes_are_read_in_its_units() {
        assert_eq!(duckdb_size("18.8 GiB"), Some(20_186_346_291));
        assert_eq!(duckdb_size("512.0 MiB"), Some(512 << 20));
        assert_eq!(duckdb_size("1000 bytes"), Some(1000));
        assert_eq!(duckdb_size("4GB"), None);
        assert_eq!(duckdb_size("-1 GiB"), None);
        assert_eq!(duckdb_size(""), None);
    }
}
