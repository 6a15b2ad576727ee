//! The figures a report run computes (the indicator table, the impact
//! estimates and the data-quality checks), and what it reads from the
//! database that follows from the survey data alone
//! ([`crate::inputs::Surveyed`]: the areas, incubators, rounds' counts and
//! each KPM's latest rounds), kept between runs in a folder beside the
//! database, so that a run whose survey data, settings and options are
//! those of an earlier run reads them back instead of computing and reading
//! them again: most of a re-run's time otherwise.
//!
//! They depend on the survey data, not on the written feedback: a corrected
//! feedback sheet leaves them as they were (the reports still read the
//! feedback, the stories, the files loaded and their rejects from the
//! database). So they are kept under a key of
//! - the files loaded other than feedback sheets, by their SHA-256, in
//!   order, and the number of registered KPM and of answers (a database
//!   changed outside prokus changes these, or should be reported with
//!   `--force`);
//! - the settings the run judges the data against (those stored and those
//!   given for the run), the period and cohort reported, whether the
//!   impact estimates are made and whether each KPM's rounds are read (for
//!   the incubators' reports);
//! - this build of prokus (its version, and its binary's size and time).
//!
//! The figures are kept as bincode: every float reads back bit for bit
//! (JSON's decimal text came back one unit in the last place off for some
//! confidence bounds), and it reads back four times faster than CBOR did
//! (0.28 s against 1.18 s for the nationwide sample's figures).
//!
//! A kept file whose key differs, or that cannot be read, is computed again
//! and replaced: the worst a damaged file can do is cost the time it was to
//! save. The folder keeps the four sets of figures written last (one per
//! period, cohort and audiences reported); older ones are removed when a
//! new set is kept, so it does not grow quarter after quarter. Beside them,
//! `prokus check` keeps its findings ([`keep_checks`]) and `prokus
//! indicators` the rows of its table the reports print
//! ([`keep_indicators`]) for the report runs after them.
//!
//! The folder holds the names of KPM and masked NIKs, as the database does,
//! and never a full NIK (the checks have none); it is not an output to
//! share, which is why it is beside the database and not in the reports'
//! folder.

use std::path::{Path, PathBuf};

use duckdb::Connection;
use prokus_metrics::IndicatorRow;
use prokus_metrics::impact::ImpactRow;
use prokus_metrics::quality::QualityReport;
use prokus_metrics::settings::Settings;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ReportError;
use crate::inputs::Surveyed;

/// What is kept: the computed figures of one run, and what it read from
/// the database that follows from the survey data alone, after the key
/// they were kept under.
#[derive(Deserialize, Debug)]
pub(crate) struct Computed {
    /// The key of the run that kept them ([`Key`]).
    key: String,
    /// The indicator table the reports print from.
    pub rows: Vec<IndicatorRow>,
    /// The impact estimates (empty when the run made none).
    pub impact: Vec<ImpactRow>,
    /// The data-quality checks.
    pub quality: QualityReport,
    /// The rounds' counts, the areas, incubators and their KPM.
    pub surveyed: Surveyed,
}

/// The file as written, by reference to what a run holds: the fields of
/// [`Computed`], in the same order (bincode writes no names).
#[derive(Serialize)]
struct Stored<'a> {
    key: &'a str,
    rows: &'a [IndicatorRow],
    impact: &'a [ImpactRow],
    quality: &'a QualityReport,
    surveyed: &'a Surveyed,
}

/// Where what a run of the options `options` (a text naming the period,
/// cohort and audiences) keeps of `kind` (`figures`, `checks`) lies in
/// `dir`: one file per set of options, so that runs for two periods in
/// turn each find their own.
fn file(dir: &Path, kind: &str, options: &str) -> PathBuf {
    let name = hex::encode(&Sha256::digest(options.as_bytes())[..8]);
    dir.join(format!("{kind}-{name}.bincode"))
}

/// The checks' findings as `prokus check` keeps them for the report runs
/// after it, after the key they were kept under.
#[derive(Deserialize, Debug)]
struct KeptChecks {
    key: String,
    quality: QualityReport,
}

/// [`KeptChecks`] as written.
#[derive(Serialize)]
struct StoredChecks<'a> {
    key: &'a str,
    quality: &'a QualityReport,
}

/// The indicator rows `prokus indicators` keeps for the report runs after
/// it, after the key they were kept under.
#[derive(Deserialize, Debug)]
struct KeptIndicators {
    key: String,
    rows: Vec<IndicatorRow>,
}

/// [`KeptIndicators`] as written.
#[derive(Serialize)]
struct StoredIndicators<'a> {
    key: &'a str,
    rows: Vec<&'a IndicatorRow>,
}

/// The survey data's part of the key: the files loaded other than feedback
/// sheets (the current settings are in [`Settings`]), and the numbers of
/// KPM and answers.
const DATA_SQL: &str = include_str!("../../../queries/report/figures_key.sql");

/// A run's key and the file its figures are kept in.
pub(crate) struct Key {
    key: String,
    path: PathBuf,
}

/// The file beside the figures that holds only their key, written after
/// them: a run learns whether the figures are its own without parsing them
/// (some 180 MB at 2,000,000 households), and the key inside them is
/// checked too.
fn key_file(figures: &Path) -> PathBuf {
    figures.with_extension("key")
}

impl Key {
    /// The key of a run on `conn` judged against `settings`, for `options`
    /// (the period, cohort and impact), kept in `dir`.
    pub(crate) fn of(
        conn: &Connection,
        settings: &Settings,
        options: &str,
        dir: &Path,
    ) -> Result<Key, ReportError> {
        Key::of_kind(conn, settings, "figures", options, dir)
    }

    /// The key of the checks' findings (every cohort, as of no date) on
    /// `conn` judged against `settings`, kept in `dir` by `prokus check`
    /// and read back by a report run that computes its figures: the
    /// findings depend on the survey data and the settings, not on the
    /// period or audiences reported.
    pub(crate) fn of_checks(
        conn: &Connection,
        settings: &Settings,
        dir: &Path,
    ) -> Result<Key, ReportError> {
        Key::of_kind(conn, settings, "checks", "checks", dir)
    }

    /// The key of the indicator rows a report run computes (every cohort,
    /// the settings' targets and small-cell threshold, no winsorising) on
    /// `conn` judged against `settings`, kept in `dir` by `prokus
    /// indicators` and read back by a report run that computes its
    /// figures: like the checks', they do not depend on the period or
    /// audiences reported (a run for an earlier period takes its rows from
    /// the same table).
    pub(crate) fn of_indicators(
        conn: &Connection,
        settings: &Settings,
        dir: &Path,
    ) -> Result<Key, ReportError> {
        Key::of_kind(conn, settings, "indicators", "indicators", dir)
    }

    fn of_kind(
        conn: &Connection,
        settings: &Settings,
        kind: &str,
        options: &str,
        dir: &Path,
    ) -> Result<Key, ReportError> {
        let data: String = conn.query_row(DATA_SQL, [], |r| r.get(0))?;
        let mut hash = Sha256::new();
        for part in [
            env!("CARGO_PKG_VERSION"),
            &build(),
            &data,
            &format!("{settings:?}"),
            options,
        ] {
            crate::render::part(&mut hash, part.as_bytes());
        }
        Ok(Key {
            key: hex::encode(hash.finalize()),
            path: file(dir, kind, options),
        })
    }

    /// Whether figures are kept under this key (their key file says so; the
    /// figures may still turn out to be damaged when [`Key::load`]ed).
    pub(crate) fn kept(&self) -> bool {
        std::fs::read(key_file(&self.path)).is_ok_and(|k| k == self.key.as_bytes())
    }

    /// The figures kept under this key, if any: `None` when there are none,
    /// they were kept under another key, or the file cannot be read (said
    /// in the log; the run computes them).
    pub(crate) fn load(&self) -> Option<Computed> {
        self.read(|c: &Computed| &c.key)
    }

    /// The checks' findings kept under this key ([`Key::of_checks`]), as
    /// [`Key::load`] reads figures.
    pub(crate) fn load_checks(&self) -> Option<QualityReport> {
        self.read(|c: &KeptChecks| &c.key).map(|c| c.quality)
    }

    /// The indicator rows kept under this key ([`Key::of_indicators`]), as
    /// [`Key::load`] reads figures.
    pub(crate) fn load_indicators(&self) -> Option<Vec<IndicatorRow>> {
        self.read(|c: &KeptIndicators| &c.key).map(|c| c.rows)
    }

    /// Keeps the checks' findings under this key, as [`Key::store`] keeps
    /// figures.
    pub(crate) fn store_checks(&self, quality: &QualityReport) {
        self.write(&StoredChecks {
            key: &self.key,
            quality,
        });
    }

    fn read<T: serde::de::DeserializeOwned>(&self, key_of: impl Fn(&T) -> &str) -> Option<T> {
        if !self.kept() {
            return None;
        }
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(file = %self.path.display(), error = %e, "the figures of an earlier run could not be read; computing them");
                return None;
            }
        };
        let started = std::time::Instant::now();
        match bincode::deserialize::<T>(&bytes) {
            Ok(computed) if key_of(&computed) == self.key => {
                tracing::debug!(
                    ms = started.elapsed().as_millis() as u64,
                    bytes = bytes.len(),
                    "kept by an earlier run, read back"
                );
                Some(computed)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(file = %self.path.display(), error = %e, "the figures of an earlier run are damaged; computing them");
                None
            }
        }
    }

    /// Keeps `computed` under this key, whole or not at all. A failure
    /// (a read-only folder) is said in the log: the next run computes them
    /// again, slower but not wrong.
    pub(crate) fn store(
        &self,
        rows: &[IndicatorRow],
        impact: &[ImpactRow],
        quality: &QualityReport,
        surveyed: &Surveyed,
    ) {
        self.write(&Stored {
            key: &self.key,
            rows,
            impact,
            quality,
            surveyed,
        });
    }

    fn write(&self, stored: &impl Serialize) {
        let started = std::time::Instant::now();
        let keys = key_file(&self.path);
        // The old key goes first: figures half replaced are never taken for
        // the old ones, nor the new ones before they are whole.
        let written = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| match std::fs::remove_file(&keys) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .and_then(|()| {
                prokus_files::write_atomically_with(&self.path, |w| {
                    let mut w = std::io::BufWriter::new(w);
                    bincode::serialize_into(&mut w, stored).map_err(std::io::Error::other)?;
                    std::io::Write::flush(&mut w)
                })
            })
            .and_then(|()| prokus_files::write_atomically(&keys, self.key.as_bytes()));
        match written {
            Ok(()) => tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "figures kept for the next run"
            ),
            Err(e) => {
                tracing::warn!(file = %self.path.display(), error = %e, "the figures were not kept for the next run");
            }
        }
        if let Some(dir) = self.path.parent()
            && let Err(e) = prune(dir, KEPT_SETS)
        {
            tracing::warn!(folder = %dir.display(), error = %e, "older kept figures were not removed");
        }
    }
}

/// Keeps the findings of `prokus check` (as of no date, every cohort) in
/// `dir`, the folder of kept figures, for the report runs after it: a
/// report run on the same survey data and settings reads them back instead
/// of running the checks again. A failure to keep them is said in the log.
pub fn keep_checks(
    conn: &Connection,
    settings: &Settings,
    dir: &Path,
    quality: &QualityReport,
) -> Result<(), ReportError> {
    Key::of_checks(conn, settings, dir)?.store_checks(quality);
    Ok(())
}

/// Keeps, of `rows` (a table computed with
/// [`crate::with_printed_levels`]), those a report run computes
/// ([`crate::indicator_options`]) in `dir`, the folder of kept figures, for
/// the report runs after `prokus indicators`: a report run on the same
/// survey data and settings reads them back instead of computing them
/// again. The caller keeps only a table computed without winsorising and
/// with the settings' small-cell threshold, as the reports are. A failure
/// to keep them is said in the log.
pub fn keep_indicators(
    conn: &Connection,
    settings: &Settings,
    dir: &Path,
    rows: &[IndicatorRow],
) -> Result<(), ReportError> {
    let printed = crate::Printed::of(conn)?;
    let key = Key::of_indicators(conn, settings, dir)?;
    key.write(&StoredIndicators {
        key: &key.key,
        rows: rows.iter().filter(|r| printed.holds(r)).collect(),
    });
    Ok(())
}

/// How many sets of figures a folder keeps (one set per period, cohort and
/// audiences a run was made for): the most recently kept. Each is tens of
/// megabytes at 200,000 households and 150 MB at 2,000,000, and a
/// programme reports quarter after quarter.
const KEPT_SETS: usize = 4;

/// Removes from `dir` all but the `keep` most recently written sets of
/// figures (each file with its key), and the figures of builds that kept
/// them as JSON or CBOR, which this build cannot read (with their keys,
/// unless a set of this build has the same name). Other files are left
/// alone.
fn prune(dir: &Path, keep: usize) -> std::io::Result<()> {
    let remove = |path: &Path| match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    };
    let mut sets = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with("figures-") {
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("json" | "cbor") => {
                remove(&path)?;
                if !path.with_extension("bincode").exists() {
                    remove(&key_file(&path))?;
                }
            }
            Some("bincode") => sets.push((std::fs::metadata(&path)?.modified()?, path)),
            _ => {}
        }
    }
    // The newest first.
    sets.sort_by_key(|set| std::cmp::Reverse(set.0));
    for (_, figures) in sets.into_iter().skip(keep) {
        // The key first: figures without their key are never read.
        remove(&key_file(&figures))?;
        remove(&figures)?;
    }
    Ok(())
}

/// This build of prokus: its binary's size and modification time, so that a
/// new build (whose queries or arithmetic may differ) computes again.
fn build() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("{}:{modified}", m.len())
        })
        .unwrap_or_default()
}

/// The whole of a kept file (`<db>.figures/figures-*.bincode`, the
/// findings `prokus check` kept, `checks-*.bincode`, or the rows `prokus
/// indicators` kept, `indicators-*.bincode`) as text, every number
/// in the digits it would print: for an audit of what a run keeps beside
/// the database (that it holds no full NIK, for one).
pub fn kept_as_text(path: &Path) -> Result<String, ReportError> {
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |e| ReportError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    Ok(if name.starts_with("checks-") {
        let kept: KeptChecks = bincode::deserialize(&bytes).map_err(invalid)?;
        format!("{kept:?}")
    } else if name.starts_with("indicators-") {
        let kept: KeptIndicators = bincode::deserialize(&bytes).map_err(invalid)?;
        format!("{kept:?}")
    } else {
        let kept: Computed = bincode::deserialize(&bytes).map_err(invalid)?;
        format!("{kept:?}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_keeps_the_newest_sets_of_figures_and_drops_cbor() {
        let dir = tempfile::tempdir().unwrap();
        let day = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        for i in 0..6u64 {
            let figures = dir.path().join(format!("figures-{i}.bincode"));
            std::fs::write(&figures, b"x").unwrap();
            std::fs::write(key_file(&figures), b"k").unwrap();
            // Written in the order 0, 1, ..., 5: 5 is the newest.
            std::fs::File::options()
                .write(true)
                .open(&figures)
                .unwrap()
                .set_modified(day + std::time::Duration::from_secs(i * 60))
                .unwrap();
        }
        // Figures of earlier builds: the one named as a set kept here
        // leaves that set's key.
        for old in ["figures-old.json", "figures-old.key", "figures-5.cbor"] {
            std::fs::write(dir.path().join(old), b"o").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"n").unwrap();
        prune(dir.path(), 4).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "figures-2.bincode",
                "figures-2.key",
                "figures-3.bincode",
                "figures-3.key",
                "figures-4.bincode",
                "figures-4.key",
                "figures-5.bincode",
                "figures-5.key",
                "notes.txt",
            ]
        );
    }
}
