//! Everything a report run prints, read and computed in one place, one step
//! after another on one connection: the data-quality checks and the database
//! reads, then the indicators, then the impact estimates, which reuse the
//! KPM values the indicators built. Or, asked to ([`GatherOptions::later`]),
//! the reads and the indicators first, and the estimates, the checks and
//! the incubators' KPM lists in [`gather_later()`], once the reports that
//! print none of them are rendered.
//!
//! The steps do not run side by side: each query already has all of
//! DuckDB's threads, and two heavy queries at once fight over its memory.
//! With the checks on a second connection beside the indicators,
//! `report --audience national,dashboard,province` at 2,000,000 households
//! under `--memory-limit 6GB` took 175.9 s (the indicators' statistics
//! 121.9 s, the money outliers 71.3 s) against 108.6 s one after another
//! (42.9 s and 6.9 s); at 200,000 households, `--audience all`, 24.05 s
//! against 23.22 s (medians of 3 in turn).
//!
//! The temporary state this leaves on the connection is owned here and gone
//! when [`gather()`] returns, whether it succeeded or not: the current answers
//! kept for the checks and the reads
//! ([`prokus_metrics::keep_current_answers`]) and the KPM values
//! ([`prokus_metrics::VALUE_SCRATCH`]); the values of estimates left for
//! later stay until [`gather_later()`] makes them.

use std::collections::BTreeMap;

use duckdb::Connection;
use prokus_metrics::Catalog;
use prokus_metrics::settings::Settings;

use crate::ReportError;
use crate::audience::Audience;
use crate::inputs::{Inputs, Reads};

/// A step of [`gather()`], for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The data-quality checks and the reads of the database.
    Checking,
    /// The reads of the database alone, when the checks an earlier run
    /// computed are read back (see [`GatherOptions::keep_in`]).
    Reading,
    /// The indicator table.
    Indicators,
    /// The impact estimates against the comparison group.
    Impact,
}

impl Step {
    /// What the step does, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Checking => "checking data quality",
            Step::Reading => "reading the database",
            Step::Indicators => "computing indicators",
            Step::Impact => "estimating impact",
        }
    }
}

/// How to gather a run's inputs.
pub struct GatherOptions<'a> {
    /// The settings the indicators and checks use (targets, calendar,
    /// thresholds).
    pub settings: Settings,
    /// The audiences that will be rendered: only what they print is
    /// computed and read (their levels, and the checks, the impact
    /// estimates and the KPM lists when one of them prints those; see
    /// [`Audience`]).
    pub audiences: Vec<&'static Audience>,
    /// The indicator rows, when the caller has computed them already (with
    /// at least the levels and periods [`crate::indicator_options`] asks
    /// for) on the same connection: they are used as they are, and the
    /// impact estimates reuse the KPM values that computation left.
    pub rows: Option<Vec<prokus_metrics::IndicatorRow>>,
    /// Called when a step starts (`true`) and ends (`false`), one step
    /// after another.
    pub on_step: &'a (dyn Fn(Step, bool) + Sync),
    /// The period the reports are as of (`--period`): its rounds and
    /// quarters only.
    pub period: crate::Period,
    /// One cohort (`cohort_year`) to report on alone (`--cohort`): every
    /// figure, check and list is of its households; `rows` is then not
    /// used (the indicators are computed for the cohort).
    pub cohort: Option<i32>,
    /// The folder the computed figures are kept in between runs (beside
    /// the database): a run of the same survey data, settings and options
    /// reads them back instead of computing them. `None` keeps nothing.
    /// Not used when `rows` are given.
    pub keep_in: Option<std::path::PathBuf>,
    /// Compute the figures even when a kept run's are the same (`--force`),
    /// and keep the new ones.
    pub recompute: bool,
    /// Leave the data-quality checks, when they have to be computed, for
    /// [`gather_later()`], with the KPM lists and the impact estimates when
    /// only audiences that print the checks print them: the reports that
    /// print none of it (the dashboard, the provinces and regencies) can be
    /// rendered before it is done ([`Inputs::checks_pending`]). Not for a
    /// one-cohort run.
    pub later: bool,
}

impl<'a> GatherOptions<'a> {
    /// The options of a run of `audiences` under `settings` that gathers
    /// everything they print at once, as of the latest period, for every
    /// cohort, with nothing kept between runs and no step shown; a caller
    /// sets the fields it needs otherwise (`GatherOptions { later: true,
    /// ..GatherOptions::new(settings, audiences) }`).
    pub fn new(settings: Settings, audiences: Vec<&'static Audience>) -> Self {
        GatherOptions {
            settings,
            audiences,
            rows: None,
            on_step: &no_steps,
            period: crate::Period::default(),
            cohort: None,
            keep_in: None,
            recompute: false,
            later: false,
        }
    }
}

/// Shows no step ([`GatherOptions::new`]).
fn no_steps(_: Step, _: bool) {}

/// Reads and computes what the reports of `options.audiences` print, from
/// the database behind `conn`.
pub fn gather(conn: &Connection, options: GatherOptions<'_>) -> Result<Inputs, ReportError> {
    let GatherOptions {
        settings,
        audiences,
        rows,
        on_step,
        period,
        cohort,
        keep_in,
        recompute,
        later,
    } = options;
    let indicator_options = crate::indicator_options(&settings, &audiences);
    // Parsed once for the indicators, the estimates and the reports.
    let catalog = Catalog::builtin();
    // What the audiences print beyond their levels' indicators.
    let with_impact = audiences.iter().any(|a| a.impact);
    let with_kpm = audiences.iter().any(|a| a.kpm_lists);
    let with_checks = audiences.iter().any(|a| a.checks);
    // One cohort's run sees its households only.
    let _cohort = cohort
        .map(|year| CohortKept::keep(&[conn], year))
        .transpose()?;
    // Rows computed by the caller are of every cohort.
    let rows = rows.filter(|_| cohort.is_none());
    // The figures of an earlier run of the same data, settings and options.
    let key = match (&keep_in, &rows) {
        (Some(dir), None) => {
            // The levels computed: a dashboard run's figures are not a
            // whole run's.
            let levels: Vec<String> = indicator_options.levels.iter().map(|l| l.name()).collect();
            let options = format!(
                "{period:?} {cohort:?} impact={with_impact} kpm={with_kpm} checks={with_checks} levels={}",
                levels.join(",")
            );
            Some(crate::computed::Key::of(conn, &settings, &options, dir)?)
        }
        _ => None,
    };
    // Kept figures that turn out to be damaged are computed.
    let kept = key
        .as_ref()
        .filter(|k| !recompute && k.kept())
        .and_then(|k| k.load());
    let reused = kept.is_some();
    let mut checks_reused = false;
    let mut indicators_reused = false;
    // The checks left for gather_later(), and what goes with them.
    let mut deferred = false;
    // What is left for later with the checks: what only the audiences
    // rendered after them print.
    let only_checked =
        |prints: fn(&Audience) -> bool| audiences.iter().filter(|a| prints(a)).all(|a| a.checks);
    let kpm_later = |deferred: bool| deferred && with_kpm && only_checked(|a| a.kpm_lists);
    let impact_later = |deferred: bool| deferred && with_impact && only_checked(|a| a.impact);
    let (rows, impact, quality, reads) = match kept {
        // Kept figures bring what the survey data gives the reports: only
        // what a feedback sheet changes is read.
        Some(kept) => {
            on_step(Step::Reading, true);
            let started = std::time::Instant::now();
            let reads = Reads::with(conn, kept.surveyed, &period)?;
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "read the files loaded and the feedback"
            );
            on_step(Step::Reading, false);
            (kept.rows, kept.impact, kept.quality, reads)
        }
        None => {
            // The findings `prokus check` kept for this data and these
            // settings, unless the run is forced; it checks every cohort.
            let kept_checks = match &keep_in {
                Some(dir) if !recompute && cohort.is_none() && with_checks => {
                    crate::computed::Key::of_checks(conn, &settings, dir)?.load_checks()
                }
                _ => None,
            };
            checks_reused = kept_checks.is_some();
            // The cohort kept for a one-cohort run is released when this
            // returns: its checks are not left for later.
            deferred = later && with_checks && !checks_reused && cohort.is_none();
            // Before anything is computed or written: a configuration whose
            // checks read no answer field fails the run now, not after its
            // first PDFs.
            if with_checks && !checks_reused {
                settings.check_fields(conn)?;
            }
            let step = if checks_reused || !with_checks || deferred {
                Step::Reading
            } else {
                Step::Checking
            };
            on_step(step, true);
            let started = std::time::Instant::now();
            let current = CurrentAnswers::keep(conn)?;
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "current answers kept"
            );
            let quality = match kept_checks {
                Some(quality) => {
                    tracing::info!("the findings of `prokus check` read back");
                    quality
                }
                None if !with_checks || deferred => no_findings(),
                None => prokus_metrics::quality::check(
                    conn,
                    &settings.checks,
                    &settings.schedule,
                    None,
                )?,
            };
            let started = std::time::Instant::now();
            // The KPM lists too are left for later when only audiences
            // rendered after the checks print them.
            let reads = Reads::read(
                conn,
                &period,
                with_kpm && !kpm_later(deferred),
                indicator_options.utc_offset_hours,
            )?;
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "read what the reports print"
            );
            // Released before the indicators, which choose each KPM's
            // latest answers themselves: at 2,000,000 households the table
            // holds memory their heaviest query needs (kept through them,
            // the indicators took 61.2 s against 56.4 s, one run each,
            // though their KPM values read it faster).
            current.release()?;
            on_step(step, false);
            let values = Values { conn };
            // The rows `prokus indicators` kept for this data and these
            // settings, unless the run is forced; it computes every cohort.
            let rows = match (rows, &keep_in) {
                (Some(rows), _) => Some(rows),
                (None, Some(dir)) if !recompute && cohort.is_none() => {
                    let kept = crate::computed::Key::of_indicators(conn, &settings, dir)?
                        .load_indicators();
                    indicators_reused = kept.is_some();
                    if indicators_reused {
                        tracing::info!("the indicator rows of `prokus indicators` read back");
                    }
                    kept
                }
                (None, _) => None,
            };
            let rows = match rows {
                Some(rows) => rows,
                None => {
                    on_step(Step::Indicators, true);
                    let rows = prokus_metrics::compute_rows(conn, &catalog, &indicator_options)?;
                    on_step(Step::Indicators, false);
                    rows
                }
            };
            // The estimates too are left for later when only audiences
            // rendered after the checks print them: the KPM values stay on
            // the connection until then.
            let impact = if with_impact && !impact_later(deferred) {
                estimate(conn, &catalog, indicator_options.utc_offset_hours, on_step)?
            } else {
                Vec::new()
            };
            if impact_later(deferred) {
                std::mem::forget(values);
            } else {
                values.release()?;
            }
            (rows, impact, quality, reads)
        }
    };
    let key = key.filter(|_| !reused);
    // Kept once the checks are done, by gather_later().
    let key = match key {
        Some(key) if !deferred => {
            key.store(&rows, &impact, &quality, &reads.surveyed);
            None
        }
        key => key,
    };
    let mut inputs = reads.finish(rows, catalog, quality, settings);
    inputs.pending = deferred.then_some(Pending {
        key,
        kpm_lists: kpm_later(deferred),
        impact: impact_later(deferred),
    });
    inputs.cohort = cohort;
    inputs.reused = reused;
    inputs.checks_reused = checks_reused;
    inputs.indicators_reused = indicators_reused;
    inputs.set_impact(impact);
    Ok(inputs)
}

/// What [`gather()`] left for [`gather_later()`]: the data-quality checks,
/// with the key the run's figures are kept under once they are all in, and
/// whether the incubators' KPM lists and the impact estimates (whose KPM
/// values are left on the connection) are left too.
pub(crate) struct Pending {
    key: Option<crate::computed::Key>,
    kpm_lists: bool,
    impact: bool,
}

/// The impact estimates of the catalog's outcomes against the comparison
/// group, from the KPM values the indicators left on `conn` (built when
/// they are not there, the answers' days local at `utc_offset_hours`).
fn estimate(
    conn: &Connection,
    catalog: &Catalog,
    utc_offset_hours: i32,
    on_step: &(dyn Fn(Step, bool) + Sync),
) -> Result<Vec<prokus_metrics::impact::ImpactRow>, ReportError> {
    on_step(Step::Impact, true);
    let units = prokus_metrics::impact::outcome_units_after_compute(
        conn,
        prokus_metrics::impact::ClusterLevel::Kpm,
        catalog,
        utc_offset_hours,
    )?;
    tracing::debug!("impact units read");
    let impact = prokus_metrics::impact::outcome_estimates(catalog, &units);
    on_step(Step::Impact, false);
    Ok(impact)
}

/// Gathers what [`gather()`] left for later ([`GatherOptions::later`]) on
/// `conn`, the connection it gathered on: runs the data-quality checks,
/// reads the incubators' KPM lists and estimates the impact when those were
/// left too, and puts them into `inputs`; then keeps the run's figures, as
/// [`gather()`] would have. Nothing to do when nothing is pending.
/// `on_step` is told when each step starts and ends.
///
/// Until this is called, the KPM values of left estimates stay on the
/// connection.
pub fn gather_later(
    conn: &Connection,
    inputs: &mut Inputs,
    on_step: &(dyn Fn(Step, bool) + Sync),
) -> Result<(), ReportError> {
    if let Some(later) = compute_later(conn, inputs, on_step, None)? {
        inputs.put_later(later);
    }
    Ok(())
}

/// The cores shared between DuckDB and the reports that render beside
/// [`compute_later()`]: DuckDB is held to one thread for the checks while
/// those reports are still rendering, and gets its threads back as soon as
/// they are done ([`CoresShared::renders_done`]).
///
/// The renders alone keep every core busy; DuckDB's second thread then only
/// adds the cost of splitting and merging its work, and of switching
/// between more threads than cores. The impact estimates before the checks
/// keep every thread: a run with few reports (the outside template's 35
/// beside them) is done rendering within a second, and a query keeps the
/// threads it started with, so a query held to one thread from the start
/// would go on alone after the renders. The next queries get them all.
pub struct CoresShared {
    state: std::sync::Mutex<Sharing>,
}

/// See [`CoresShared`].
struct Sharing {
    /// A second connection to the same database, to give DuckDB its
    /// threads back from the rendering thread while the first runs a
    /// query, and how many.
    back: Option<(Connection, i64)>,
    rendering: bool,
    narrowed: bool,
}

impl CoresShared {
    /// For reports about to render beside [`compute_later()`] on `conn`.
    pub fn new(conn: &Connection) -> Result<Self, ReportError> {
        let threads: i64 =
            conn.query_row("SELECT current_setting('threads')::BIGINT", [], |r| {
                r.get(0)
            })?;
        let back = if threads > 1 {
            Some((conn.try_clone()?, threads))
        } else {
            None
        };
        Ok(CoresShared {
            state: std::sync::Mutex::new(Sharing {
                back,
                rendering: true,
                narrowed: false,
            }),
        })
    }

    /// Holds DuckDB to one thread if the reports are still rendering.
    fn narrow(&self, conn: &Connection) -> Result<(), ReportError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.rendering && !state.narrowed && state.back.is_some() {
            conn.execute_batch("SET threads = 1")?;
            state.narrowed = true;
            tracing::debug!("DuckDB held to one thread while the reports render");
        }
        Ok(())
    }

    /// The reports are done: DuckDB gets its threads back (a failure is
    /// logged: the queries left are then slower, not wrong).
    pub fn renders_done(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.rendering = false;
        if std::mem::take(&mut state.narrowed)
            && let Some((conn, threads)) = &state.back
        {
            // An integer DuckDB itself reported: `SET` takes no parameters.
            match conn.execute_batch(&format!("SET threads = {threads}")) {
                Ok(()) => tracing::debug!(threads, "the reports rendered: DuckDB's threads back"),
                Err(e) => tracing::warn!(error = %e, "DuckDB's threads were not set back"),
            }
        }
    }
}

/// What [`compute_later()`] found, for [`Inputs::put_later`].
pub struct Later {
    impact: Option<Vec<prokus_metrics::impact::ImpactRow>>,
    quality: prokus_metrics::quality::QualityReport,
    kpm_lists: Option<BTreeMap<String, Vec<crate::inputs::KpmStatus>>>,
}

/// The work of [`gather_later()`], on `conn`, reading `inputs` only:
/// the reports that do not wait for it can be rendered from `inputs`
/// meanwhile, then what it found put in with [`Inputs::put_later`].
/// `None` when nothing is pending.
pub fn compute_later(
    conn: &Connection,
    inputs: &Inputs,
    on_step: &(dyn Fn(Step, bool) + Sync),
    cores: Option<&CoresShared>,
) -> Result<Option<Later>, ReportError> {
    let Some(pending) = &inputs.pending else {
        return Ok(None);
    };
    let impact = if pending.impact {
        let values = Values { conn };
        let offset = inputs.settings.schedule.utc_offset_hours;
        let impact = estimate(conn, &inputs.catalog, offset, on_step)?;
        values.release()?;
        Some(impact)
    } else {
        None
    };
    on_step(Step::Checking, true);
    if let Some(cores) = cores {
        cores.narrow(conn)?;
    }
    let current = CurrentAnswers::keep(conn)?;
    let quality = prokus_metrics::quality::check(
        conn,
        &inputs.settings.checks,
        &inputs.settings.schedule,
        None,
    )?;
    let kpm_lists = if pending.kpm_lists {
        Some(crate::inputs::read_kpm_lists(conn, inputs.db.as_of.wave)?)
    } else {
        None
    };
    current.release()?;
    on_step(Step::Checking, false);
    Ok(Some(Later {
        impact,
        quality,
        kpm_lists,
    }))
}

impl Inputs {
    /// Puts in what [`compute_later()`] found for these inputs; then keeps
    /// the run's figures, as [`gather()`] would have.
    pub fn put_later(&mut self, later: Later) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        if let Some(impact) = later.impact {
            self.set_impact(impact);
        }
        if let Some(lists) = later.kpm_lists {
            self.db.surveyed.kpm_by_incubator = lists;
        }
        self.set_quality(later.quality);
        // The rows and estimates as the reports print them: those of a
        // period before the latest left out, as a run of the same key
        // leaves them out of what it reads back.
        if let Some(key) = pending.key {
            key.store(&self.rows, &self.impact, &self.quality, &self.db.surveyed);
        }
    }
}

/// The checks' report of a run whose audiences print nothing of the
/// checks (the dashboard, the provinces and regencies): nothing found,
/// nothing judged.
fn no_findings() -> prokus_metrics::quality::QualityReport {
    prokus_metrics::quality::QualityReport {
        as_of: chrono::Utc::now().date_naive(),
        findings: Vec::new(),
        completeness: Vec::new(),
        units: Default::default(),
        kpm_names: Default::default(),
        waves: Default::default(),
        utc_offset_hours: 0,
        not_collected: Vec::new(),
    }
}

/// A cohort kept on connections ([`prokus_metrics::keep_cohort`]),
/// released when dropped, also when a step fails.
struct CohortKept<'c> {
    conns: Vec<&'c Connection>,
}

impl<'c> CohortKept<'c> {
    fn keep(conns: &[&'c Connection], year: i32) -> Result<Self, ReportError> {
        let kept = CohortKept {
            conns: conns.to_vec(),
        };
        for conn in conns {
            // Listed before the cohort's tables hide the register's.
            let all = prokus_metrics::cohorts(conn)?;
            if prokus_metrics::keep_cohort(conn, year)? == 0 {
                let cohorts = all
                    .into_iter()
                    .map(|(year, n)| match year {
                        Some(y) => format!("{y} ({n} KPM)"),
                        None => format!("none given ({n} KPM)"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ReportError::Cohort {
                    year,
                    reason: format!(
                        "no KPM of this cohort in the register; its cohorts are: {cohorts}"
                    ),
                });
            }
        }
        Ok(kept)
    }
}

impl Drop for CohortKept<'_> {
    fn drop(&mut self) {
        for conn in &self.conns {
            let _ = prokus_metrics::release_cohort(conn);
        }
    }
}

/// The current answers kept on a connection for the checks and the reads;
/// released when dropped, also when a step fails.
struct CurrentAnswers<'c> {
    conn: &'c Connection,
}

impl<'c> CurrentAnswers<'c> {
    fn keep(conn: &'c Connection) -> Result<Self, ReportError> {
        prokus_metrics::keep_current_answers(conn)?;
        Ok(CurrentAnswers { conn })
    }

    fn release(self) -> Result<(), ReportError> {
        let conn = self.conn;
        std::mem::forget(self);
        Ok(prokus_metrics::release_current_answers(conn)?)
    }
}

impl Drop for CurrentAnswers<'_> {
    fn drop(&mut self) {
        let _ = prokus_metrics::release_current_answers(self.conn);
    }
}

/// The KPM values the indicators leave on a connection for the impact
/// estimates; dropped when this is, also when a step fails.
struct Values<'c> {
    conn: &'c Connection,
}

impl Values<'_> {
    fn release(self) -> Result<(), ReportError> {
        let conn = self.conn;
        std::mem::forget(self);
        Ok(prokus_metrics::release_values(conn)?)
    }
}

impl Drop for Values<'_> {
    fn drop(&mut self) {
        let _ = prokus_metrics::release_values(self.conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience;
    use prokus_metrics::IndicatorRow;
    use std::collections::HashMap;

    fn temporary(conn: &Connection) -> Vec<String> {
        conn.prepare(
            "SELECT table_name FROM duckdb_tables() WHERE temporary
             UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal
             ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// A database of a 600-household sample (its files kept in the folder).
    fn sample_db() -> (tempfile::TempDir, prokus_ingest::Database) {
        let dir = tempfile::tempdir().unwrap();
        let sample = prokus_sample::write_sample(
            &prokus_sample::SampleConfig {
                households: 600,
                ..Default::default()
            },
            dir.path(),
        )
        .unwrap();
        let mut db = prokus_ingest::Database::in_memory().unwrap();
        let mapping = prokus_ingest::FormMapping::prokus();
        for file in sample
            .files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "csv" || e == "xlsx"))
        {
            db.ingest(file, &mapping).unwrap();
        }
        (dir, db)
    }

    /// A gather of `audiences` on the sample's database, its figures kept in
    /// `keep_in` (recomputed when `recompute`), its steps told to `on_step`.
    fn gather_sample(
        db: &prokus_ingest::Database,
        audiences: Vec<&'static Audience>,
        keep_in: Option<std::path::PathBuf>,
        recompute: bool,
        on_step: &(dyn Fn(Step, bool) + Sync),
    ) -> Inputs {
        gather(
            db.connection(),
            GatherOptions {
                on_step,
                keep_in,
                recompute,
                ..GatherOptions::new(Settings::from_db(db).unwrap(), audiences)
            },
        )
        .unwrap()
    }

    /// A national report's gathering with figures kept in `kept`, and the
    /// steps it showed.
    fn national_run(
        db: &prokus_ingest::Database,
        kept: &std::path::Path,
        recompute: bool,
    ) -> (Inputs, Vec<(Step, bool)>) {
        let steps = std::sync::Mutex::new(Vec::new());
        let inputs = gather_sample(
            db,
            vec![&audience::national::AUDIENCE],
            Some(kept.to_path_buf()),
            recompute,
            &|step, started| steps.lock().unwrap().push((step, started)),
        );
        (inputs, steps.into_inner().unwrap())
    }

    /// The options of a full table with the levels the reports print.
    fn full_options(settings: &Settings) -> prokus_metrics::Options {
        crate::with_printed_levels(prokus_metrics::Options {
            min_cell: settings.min_cell(),
            targets: settings.targets.clone(),
            ..Default::default()
        })
    }

    /// A report run that computes its figures reads back the findings
    /// `prokus check` kept for the same data and settings (here made
    /// recognisable: one finding of many), says so, and checks again when
    /// forced.
    #[test]
    fn a_report_run_reads_back_the_findings_prokus_check_kept() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let settings = Settings::from_db(&db).unwrap();
        let mut found = prokus_metrics::quality::check(
            db.connection(),
            &settings.checks,
            &settings.schedule,
            None,
        )
        .unwrap();
        let all = found.findings.len();
        assert!(all > 1, "{all}");
        found.findings.truncate(1);
        crate::keep_checks(db.connection(), &settings, &kept, &found).unwrap();
        let (inputs, steps) = national_run(&db, &kept, false);
        assert!(inputs.checks_reused && !inputs.reused);
        assert_eq!(inputs.quality.findings.len(), 1);
        assert!(!steps.contains(&(Step::Checking, true)), "{steps:?}");
        assert!(steps.contains(&(Step::Indicators, true)), "{steps:?}");
        let (forced, _) = national_run(&db, &kept, true);
        assert!(!forced.checks_reused);
        assert_eq!(forced.quality.findings.len(), all);
    }

    /// The rows `prokus indicators` keeps are the rows a report run
    /// computes: of a table with the report's levels beyond the default
    /// ones, the same cells (the same KPM counted, suppressed alike, the
    /// same status) with the same figures (their sums may add up in another
    /// order: equal to the last few digits).
    #[test]
    fn the_rows_prokus_indicators_keeps_are_those_a_report_run_computes() {
        let (_dir, db) = sample_db();
        let conn = db.connection();
        let settings = Settings::from_db(&db).unwrap();
        let catalog = Catalog::builtin();
        let all = prokus_metrics::compute_rows(conn, &catalog, &full_options(&settings)).unwrap();
        let printed = crate::Printed::of(conn).unwrap();
        let kept: Vec<_> = all.iter().filter(|r| printed.holds(r)).collect();
        let computed = prokus_metrics::compute_rows(
            conn,
            &catalog,
            &crate::indicator_options(&settings, &crate::audience::ALL),
        )
        .unwrap();
        assert!(kept.len() < all.len(), "{} of {}", kept.len(), all.len());
        assert_eq!(kept.len(), computed.len());
        let key = |r: &IndicatorRow| {
            (
                r.indicator_id.clone(),
                r.period.clone(),
                r.level.clone(),
                r.group_code.clone(),
            )
        };
        let by_key: HashMap<_, _> = kept.iter().map(|r| (key(r), *r)).collect();
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
            (a, b) => a.is_none() && b.is_none(),
        };
        let mut suppressed = 0;
        for c in &computed {
            let k = by_key
                .get(&key(c))
                .unwrap_or_else(|| panic!("{:?} not kept", key(c)));
            assert_eq!(
                (&k.group_name, k.n, k.suppressed, &k.status, k.target),
                (&c.group_name, c.n, c.suppressed, &c.status, c.target),
                "{:?}",
                key(c)
            );
            for (a, b) in [
                (k.value, c.value),
                (k.baseline_value, c.baseline_value),
                (k.change, c.change),
                (k.ci_low, c.ci_low),
                (k.ci_high, c.ci_high),
            ] {
                assert!(close(a, b), "{:?}: {a:?} against {b:?}", key(c));
            }
            suppressed += usize::from(c.suppressed);
        }
        // The sample is small enough that the rule hides cells.
        assert!(suppressed > 0);
    }

    /// A report run that computes its figures reads back the indicator rows
    /// `prokus indicators` kept for the same data and settings (here made
    /// recognisable: one value changed), says so, computes no indicators,
    /// and computes them again when forced.
    #[test]
    fn a_report_run_reads_back_the_rows_prokus_indicators_kept() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let settings = Settings::from_db(&db).unwrap();
        let mut rows = prokus_metrics::compute_rows(
            db.connection(),
            &Catalog::builtin(),
            &full_options(&settings),
        )
        .unwrap();
        let marked = rows
            .iter_mut()
            .find(|r| r.level == "national" && r.value.is_some())
            .unwrap();
        marked.value = Some(-123.25);
        let marked = (marked.indicator_id.clone(), marked.period.clone());
        crate::keep_indicators(db.connection(), &settings, &kept, &rows).unwrap();
        let (inputs, steps) = national_run(&db, &kept, false);
        assert!(inputs.indicators_reused && !inputs.reused);
        let value = |inputs: &Inputs| {
            inputs
                .rows
                .iter()
                .find(|r| {
                    r.level == "national" && (&r.indicator_id, &r.period) == (&marked.0, &marked.1)
                })
                .and_then(|r| r.value)
        };
        assert_eq!(value(&inputs), Some(-123.25));
        assert!(inputs.rows.iter().all(|r| r.level != "gender"));
        assert!(!steps.contains(&(Step::Indicators, true)), "{steps:?}");
        assert!(!inputs.impact.is_empty());
        let (forced, _) = national_run(&db, &kept, true);
        assert!(!forced.indicators_reused);
        assert_ne!(value(&forced), Some(-123.25));
    }

    /// A run that leaves its checks for later gathers no findings (nor the
    /// KPM lists and estimates, left with them), refuses the reports that
    /// print them until gather_later() has run, and keeps its figures only
    /// then; the findings, lists and estimates are those of a run that
    /// gathers them at once, and a run of the same data reads them back.
    #[test]
    fn checks_left_for_later_are_the_checks_of_a_run_at_once() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let steps = std::sync::Mutex::new(Vec::new());
        let on_step = |step, started| steps.lock().unwrap().push((step, started));
        let mut later = gather(
            db.connection(),
            GatherOptions {
                on_step: &on_step,
                keep_in: Some(kept.clone()),
                later: true,
                ..GatherOptions::new(Settings::from_db(&db).unwrap(), audience::ALL.to_vec())
            },
        )
        .unwrap();
        assert!(later.checks_pending());
        assert!(later.quality.findings.is_empty());
        // The incubators' KPM lists and the estimates, which only the
        // incubator and national reports print, come with the checks.
        assert!(later.db.surveyed.kpm_by_incubator.is_empty());
        assert!(later.impact.is_empty());
        assert!(
            !steps
                .lock()
                .unwrap()
                .iter()
                .any(|(s, _)| matches!(s, Step::Checking | Step::Impact)),
            "{steps:?}"
        );
        // The KPM values stay for the estimates.
        let values_kept = temporary(db.connection());
        let figures = || {
            std::fs::read_dir(&kept)
                .map(|d| d.count())
                .unwrap_or_default()
        };
        assert_eq!(figures(), 0, "figures kept before their findings");
        let options = crate::RenderOptions {
            lang: crate::format::Lang::En,
            out: dir.path().join("reports"),
            pdfa: false,
            force: true,
        };
        let national = crate::Job {
            audience: &audience::national::AUDIENCE,
            scope: String::new(),
        };
        let refused = crate::render_one(&later, &national, &options, &mut (0, 0));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("not done yet")),
            "{refused:?}"
        );
        gather_later(db.connection(), &mut later, &on_step).unwrap();
        assert!(!later.checks_pending());
        assert!(
            steps.lock().unwrap().ends_with(&[
                (Step::Impact, true),
                (Step::Impact, false),
                (Step::Checking, true),
                (Step::Checking, false)
            ]),
            "{steps:?}"
        );
        // And are gone with the rest once the estimates are made.
        let left = temporary(db.connection());
        assert!(values_kept.len() > left.len(), "{values_kept:?} {left:?}");
        assert!(figures() > 0);
        let at_once = gather_sample(&db, audience::ALL.to_vec(), None, true, &|_, _| {});
        assert_eq!(temporary(db.connection()), left);
        assert!(!at_once.quality.findings.is_empty());
        assert_eq!(later.quality.findings, at_once.quality.findings);
        assert_eq!(later.quality.completeness, at_once.quality.completeness);
        assert!(!at_once.db.surveyed.kpm_by_incubator.is_empty());
        assert!(!at_once.impact.is_empty());
        assert_eq!(later.impact, at_once.impact);
        // Compared whole, said short (the lists are long).
        assert!(
            format!("{:?}", later.db.surveyed) == format!("{:?}", at_once.db.surveyed),
            "the survey reads differ; KPM lists of {} and {} incubators",
            later.db.surveyed.kpm_by_incubator.len(),
            at_once.db.surveyed.kpm_by_incubator.len()
        );
        assert_eq!(
            format!(
                "{:?}",
                later
                    .quality_by_unit
                    .keys()
                    .collect::<std::collections::BTreeSet<_>>()
            ),
            format!(
                "{:?}",
                at_once
                    .quality_by_unit
                    .keys()
                    .collect::<std::collections::BTreeSet<_>>()
            )
        );
        // Nothing left to check: a second call does nothing.
        gather_later(db.connection(), &mut later, &|_, _| panic!("checked twice")).unwrap();
        let read_back = gather_sample(&db, audience::ALL.to_vec(), Some(kept), false, &|_, _| {});
        assert!(read_back.reused);
        assert_eq!(read_back.quality.findings, at_once.quality.findings);
        assert_eq!(read_back.rows, later.rows);
        assert_eq!(read_back.impact, later.impact);
        assert!(!options.out.join(national.file_name(&later)).exists());
    }

    /// Figures read back are the figures computed: the same indicator rows,
    /// estimates, findings and survey reads, and the step that only reads
    /// says so.
    #[test]
    fn kept_figures_read_back_are_those_computed() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let run = |recompute: bool| {
            let steps = std::sync::Mutex::new(Vec::new());
            let inputs = gather_sample(
                &db,
                audience::ALL.to_vec(),
                Some(kept.clone()),
                recompute,
                &|step, started| steps.lock().unwrap().push((step, started)),
            );
            (inputs, steps.into_inner().unwrap())
        };
        let (computed, steps) = run(false);
        assert!(!computed.reused && steps.contains(&(Step::Checking, true)));
        let (read_back, steps) = run(false);
        assert!(read_back.reused);
        assert!(steps.contains(&(Step::Reading, true)));
        assert!(!steps.iter().any(|(s, _)| *s != Step::Reading), "{steps:?}");
        assert_eq!(read_back.rows, computed.rows);
        assert_eq!(read_back.impact, computed.impact);
        assert!(!computed.impact.is_empty());
        assert_eq!(read_back.quality.findings, computed.quality.findings);
        assert_eq!(
            read_back.quality.completeness,
            computed.quality.completeness
        );
        assert_eq!(read_back.quality.kpm_names, computed.quality.kpm_names);
        // What the survey data gives the reports is kept too; what the
        // feedback sheets give is read again.
        assert_eq!(
            format!("{:?}", read_back.db.surveyed),
            format!("{:?}", computed.db.surveyed)
        );
        assert!(!computed.db.surveyed.kpm_by_incubator.is_empty());
        assert_eq!(
            format!("{:?}", (&read_back.db.stories, &read_back.db.feedback)),
            format!("{:?}", (&computed.db.stories, &computed.db.feedback))
        );
        assert!(!computed.db.feedback.is_empty());
        // Asked to compute, it computes.
        assert!(!run(true).0.reused);
    }

    /// A run without the incubators' reports reads (and keeps) no KPM's
    /// rounds; a later run with them does not take that empty list for its
    /// own, and one with them again reads it back.
    #[test]
    fn kept_figures_without_the_incubators_are_not_read_for_them() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let run = |audiences: Vec<&'static Audience>| {
            gather_sample(&db, audiences, Some(kept.clone()), false, &|_, _| {})
        };
        let national = vec![&audience::national::AUDIENCE];
        let incubators = vec![
            &audience::national::AUDIENCE,
            &audience::incubator::AUDIENCE,
        ];
        let first = run(national.clone());
        assert!(first.db.surveyed.kpm_by_incubator.is_empty());
        assert!(run(national).reused);
        let with = run(incubators.clone());
        assert!(!with.reused, "computed for the incubators' reports");
        assert!(!with.db.surveyed.kpm_by_incubator.is_empty());
        let again = run(incubators);
        assert!(again.reused);
        assert_eq!(
            format!("{:?}", again.db.surveyed.kpm_by_incubator),
            format!("{:?}", with.db.surveyed.kpm_by_incubator)
        );
    }

    /// A run of the dashboard and the areas' reports, which print nothing
    /// of the checks, runs no checks (and says it reads); with the
    /// incubators' reports it checks, and the two runs' figures are kept
    /// apart.
    #[test]
    fn the_dashboard_and_the_areas_run_no_checks() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let run = |audiences: Vec<&'static Audience>| {
            let steps = std::sync::Mutex::new(Vec::new());
            let inputs = gather_sample(&db, audiences, Some(kept.clone()), false, &|step, on| {
                steps.lock().unwrap().push((step, on))
            });
            (inputs, steps.into_inner().unwrap())
        };
        let unchecked = vec![
            &audience::dashboard::AUDIENCE,
            &audience::area::PROVINCE,
            &audience::area::REGENCY,
        ];
        let (alone, steps) = run(unchecked.clone());
        assert!(!steps.contains(&(Step::Checking, true)), "{steps:?}");
        assert!(steps.contains(&(Step::Reading, true)), "{steps:?}");
        assert!(alone.quality.findings.is_empty());
        let mut checked = unchecked;
        checked.push(&audience::incubator::AUDIENCE);
        let (checked, steps) = run(checked);
        assert!(!checked.reused, "the unchecked run's figures read back");
        assert!(steps.contains(&(Step::Checking, true)), "{steps:?}");
        assert!(!checked.quality.findings.is_empty());
    }

    /// A run keeps the figures of the levels its audiences print: a
    /// regency run after a dashboard run (neither with impact estimates nor
    /// KPM lists) computes the kecamatan and TKSK levels the dashboard's
    /// figures do not hold, rather than reading those back.
    #[test]
    fn kept_figures_of_fewer_levels_are_not_read_for_more() {
        let (dir, db) = sample_db();
        let kept = dir.path().join("figures");
        let run = |audience: &'static Audience| {
            gather_sample(&db, vec![audience], Some(kept.clone()), false, &|_, _| {})
        };
        let has = |inputs: &Inputs, level: &str| inputs.rows.iter().any(|r| r.level == level);
        let dashboard = run(&audience::dashboard::AUDIENCE);
        assert!(!has(&dashboard, "district") && !has(&dashboard, "tksk"));
        assert!(run(&audience::dashboard::AUDIENCE).reused);
        let regency = run(&audience::area::REGENCY);
        assert!(!regency.reused, "computed for the regencies' reports");
        assert!(has(&regency, "district") && has(&regency, "tksk"));
    }

    /// The stories read are those the reports print: every incubator's
    /// and province's first, and the nation's (no more than a province's),
    /// are the same as when every story is read. With the reports' limits,
    /// and with smaller ones that bind on the sample's provinces too.
    #[test]
    fn the_stories_read_hold_every_report_s_first() {
        use crate::inputs::{Story, read_stories};
        use crate::sections::{STORIES_NATIONAL, STORIES_PER_INCUBATOR, STORIES_PER_PROVINCE};
        let (_dir, db) = sample_db();
        let conn = db.connection();
        let every = read_stories(conn, "endline", usize::MAX >> 1, usize::MAX >> 1).unwrap();
        let first = |stories: &[Story], scope: &dyn Fn(&Story) -> bool, n: usize| {
            stories
                .iter()
                .filter(|s| scope(s))
                .take(n)
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
        };
        let limits = [
            (
                STORIES_PER_INCUBATOR,
                STORIES_PER_PROVINCE,
                STORIES_NATIONAL,
            ),
            (1, 2, 2),
        ];
        for (per_incubator, per_province, national) in limits {
            let read =
                read_stories(conn, "endline", per_incubator, per_province.max(national)).unwrap();
            assert!(
                read.len() < every.len(),
                "{} of {}",
                read.len(),
                every.len()
            );
            let all = |_: &Story| true;
            assert_eq!(first(&read, &all, national), first(&every, &all, national));
            for s in &every {
                let own = |t: &Story| t.incubator_id == s.incubator_id;
                let theirs = |t: &Story| t.province_code == s.province_code;
                assert_eq!(
                    first(&read, &own, per_incubator),
                    first(&every, &own, per_incubator)
                );
                assert_eq!(
                    first(&read, &theirs, per_province),
                    first(&every, &theirs, per_province)
                );
            }
        }
    }

    /// A run leaves nothing behind on the connection it was given: no kept
    /// answers shadowing `response_current`, no KPM values of this run for
    /// the next to read.
    #[test]
    fn gather_leaves_no_temporary_state_on_the_connection() {
        let (_dir, db) = sample_db();
        let before = temporary(db.connection());
        let steps = std::sync::Mutex::new(Vec::new());
        let inputs = gather_sample(
            &db,
            audience::ALL.to_vec(),
            None,
            false,
            &|step, started| steps.lock().unwrap().push((step, started)),
        );
        assert!(!inputs.rows.is_empty() && !inputs.impact.is_empty());
        // Each KPM's latest round and the one before, as the attention list
        // reads them, against a window over the answers in wave order.
        let independent: std::collections::BTreeMap<String, (String, Option<f64>, Option<String>)> =
            db.connection()
                .prepare(
                    "SELECT kpm_id, wave, business_income,
                            lead(wave) OVER (PARTITION BY kpm_id ORDER BY w.ordinal DESC)
                     FROM response_current JOIN wave w USING (wave)
                     QUALIFY row_number() OVER (PARTITION BY kpm_id ORDER BY w.ordinal DESC) = 1",
                )
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let mut compared = 0;
        for k in inputs.db.surveyed.kpm_by_incubator.values().flatten() {
            let read = k.latest.as_ref().map(|l| {
                (
                    l.wave.clone(),
                    l.income,
                    k.previous.as_ref().map(|p| p.wave.clone()),
                )
            });
            assert_eq!(read.as_ref(), independent.get(&k.kpm_id), "{}", k.kpm_id);
            compared += usize::from(k.previous.is_some());
        }
        assert!(compared > 50, "{compared} KPM with two rounds");
        // The data-problems rule flags an incubator when the checks found
        // more than its share per KPM, missing and late answers aside.
        let w = crate::words::Words {
            lang: crate::Lang::En,
            min_cell: 5,
        };
        let limit = crate::findings::rules()
            .iter()
            .find(|r| r.when == crate::findings::When::ManyDataProblems)
            .and_then(|r| r.per_kpm)
            .unwrap();
        let mut seen = (0, 0);
        for incubator in &inputs.db.surveyed.incubators {
            let problems = inputs
                .quality
                .findings
                .iter()
                .filter(|f| f.unit_id == incubator.id)
                .filter(|f| {
                    use prokus_metrics::quality::Check::*;
                    matches!(
                        f.detail.check(),
                        NikInvalid
                            | SameNik
                            | RegisterDiffers
                            | Identical
                            | Missing
                            | Inconsistent
                            | Outlier
                            | Change
                    )
                })
                .count();
            let flagged = crate::findings::findings(&inputs, &w, "incubator", &incubator.id)
                .iter()
                .any(|f| f.evidence.contains("data-check findings"));
            if flagged {
                seen.0 += 1;
            } else if problems > 0 {
                seen.1 += 1;
            }
            assert_eq!(
                flagged,
                problems as f64 > limit * incubator.kpm as f64,
                "{}: {problems} problems, {} KPM",
                incubator.id,
                incubator.kpm
            );
        }
        assert!(
            seen.0 > 0 && seen.1 > 0,
            "incubators flagged and not: {seen:?}"
        );
        assert_eq!(temporary(db.connection()), before, "nothing left behind");
        let steps = steps.into_inner().unwrap();
        for step in [Step::Checking, Step::Indicators, Step::Impact] {
            assert!(steps.contains(&(step, true)) && steps.contains(&(step, false)));
        }
        // Without the national report, no impact estimates are made.
        let inputs = gather_sample(
            &db,
            vec![&audience::incubator::AUDIENCE],
            None,
            false,
            &|_, _| {},
        );
        assert!(inputs.impact.is_empty());
        assert_eq!(temporary(db.connection()), before);
    }

    /// DuckDB is held to one thread for the checks only while the reports
    /// render, and gets its own number back when they are done.
    #[test]
    fn duckdb_shares_the_cores_only_while_the_reports_render() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("SET threads = 3").unwrap();
        let threads = |c: &Connection| -> i64 {
            c.query_row("SELECT current_setting('threads')::BIGINT", [], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let cores = CoresShared::new(&conn).unwrap();
        cores.narrow(&conn).unwrap();
        assert_eq!(threads(&conn), 1, "held to one thread while rendering");
        // Given back from another thread, as the rendering thread does.
        std::thread::scope(|s| {
            s.spawn(|| cores.renders_done());
        });
        assert_eq!(threads(&conn), 3, "its threads back");
        // Checks that start after the renders keep every thread.
        let cores = CoresShared::new(&conn).unwrap();
        cores.renders_done();
        cores.narrow(&conn).unwrap();
        assert_eq!(threads(&conn), 3);
    }
}
