//! The programme settings a database holds: its targets, its survey calendar
//! and its checks' configuration, loaded with `prokus ingest FILE.toml` and
//! stored by [`prokus_ingest::settings`].
//!
//! Nothing stands in for a setting the database does not have: without a
//! calendar, timeliness and non-response are not judged; without targets, no
//! value has a status. Only the checks have an engine default
//! (`queries/checks.toml`), as they describe the engine's canonical fields
//! rather than one programme year.

use std::path::Path;

use prokus_ingest::privacy::printable;
use prokus_ingest::{BatchSummary, Database, IngestError};

use crate::MetricsError;
use crate::quality::CheckConfig;
use crate::schedule::Schedule;
use crate::targets::{KnownGroups, Targets};

/// Cells of fewer KPM than this are suppressed when the targets file does
/// not say otherwise.
pub const DEFAULT_MIN_CELL: u32 = 5;

/// What a settings file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// Targets per indicator and period (`[[target]]`, `band`, `min_cell`).
    Targets,
    /// The survey calendar (`utc_offset_hours`, `[[window]]`).
    Schedule,
    /// The checks' configuration (`[outliers]`, `[changes]`, `[[required]]`).
    Checks,
}

impl SettingKind {
    /// The name stored with the file (`targets`, `schedule`, `checks`).
    pub fn name(self) -> &'static str {
        match self {
            SettingKind::Targets => "targets",
            SettingKind::Schedule => "schedule",
            SettingKind::Checks => "checks",
        }
    }

    /// What a TOML text is, from its top-level keys; `None` when it is none
    /// of the three (a form mapping, or something else).
    pub fn detect(text: &str) -> Option<SettingKind> {
        let table: toml::Table = toml::from_str(text).ok()?;
        let has = |k: &str| table.contains_key(k);
        if has("form") || has("fields") {
            None
        } else if has("target") || has("band") {
            Some(SettingKind::Targets)
        } else if has("window") || has("utc_offset_hours") {
            Some(SettingKind::Schedule)
        } else if has("outliers") || has("changes") || has("required") {
            Some(SettingKind::Checks)
        } else {
            None
        }
    }
}

/// The settings a run judges the data against.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The targets; [`Targets::none`] when the database has none.
    pub targets: Targets,
    /// The survey calendar; [`Schedule::none`] when the database has none.
    pub schedule: Schedule,
    /// The checks' configuration; the engine's when the database has none.
    pub checks: CheckConfig,
    /// Where each setting came from: the file loaded into the database, a
    /// file given for this run, or nothing.
    pub sources: Vec<(SettingKind, Option<String>)>,
}

impl Settings {
    /// The current settings of the database on `db`.
    pub fn from_db(db: &Database) -> Result<Settings, MetricsError> {
        let mut sources = Vec::new();
        let targets = stored(db, SettingKind::Targets, Targets::parse, &mut sources)?
            .unwrap_or_else(Targets::none);
        let schedule = stored(db, SettingKind::Schedule, Schedule::parse, &mut sources)?
            .unwrap_or_else(Schedule::none);
        let checks = stored(db, SettingKind::Checks, CheckConfig::parse, &mut sources)?
            .unwrap_or_else(CheckConfig::builtin);
        Ok(Settings {
            targets,
            schedule,
            checks,
            sources,
        })
    }

    /// The cells' suppression threshold: the targets file's, else
    /// [`DEFAULT_MIN_CELL`].
    pub fn min_cell(&self) -> u32 {
        self.targets.min_cell.unwrap_or(DEFAULT_MIN_CELL)
    }

    /// Uses the targets in `path` for this run instead of the database's.
    pub fn override_targets(&mut self, path: &Path) -> Result<(), MetricsError> {
        self.targets = Targets::parse(&read(path)?).map_err(|e| in_file(path, e))?;
        self.set_source(SettingKind::Targets, path);
        Ok(())
    }

    /// Uses the calendar in `path` for this run instead of the database's.
    pub fn override_schedule(&mut self, path: &Path) -> Result<(), MetricsError> {
        self.schedule = Schedule::parse(&read(path)?).map_err(|e| in_file(path, e))?;
        self.set_source(SettingKind::Schedule, path);
        Ok(())
    }

    /// Checks that every field the checks' configuration reads is an answer
    /// field of the database on `conn` ([`crate::quality::answer_fields`]);
    /// the error names where the configuration came from and what to do. A
    /// run asks this before it writes anything, also when it runs the
    /// checks after its first PDFs.
    pub fn check_fields(&self, conn: &duckdb::Connection) -> Result<(), MetricsError> {
        crate::quality::answer_fields(conn, &self.checks)
            .map(drop)
            .map_err(|e| match e {
                MetricsError::Checks(detail) => {
                    MetricsError::Checks(self.with_source(SettingKind::Checks, detail))
                }
                other => other,
            })
    }

    /// Checks that every target's group is one its level has
    /// ([`Targets::check_groups`]: the regions' codes, the incubators the
    /// database lists); the error names where the targets came from. A run
    /// asks this before it computes, so that a file loaded before the
    /// incubator list is judged against it too.
    pub fn check_target_groups(&self, db: &Database) -> Result<(), MetricsError> {
        self.targets
            .check_groups(db.wilayah(), &known_groups(&self.targets, db)?)
            .map_err(|e| match e {
                MetricsError::Targets(detail) => {
                    MetricsError::Targets(self.with_source(SettingKind::Targets, detail))
                }
                other => other,
            })
    }

    /// `detail` of an error in the setting of `kind`, after the file it came
    /// from and with what to do, when it came from a file.
    fn with_source(&self, kind: SettingKind, detail: String) -> String {
        let source = self
            .sources
            .iter()
            .find(|(k, _)| *k == kind)
            .and_then(|(_, s)| s.as_deref());
        printable(&match source {
            Some(file) => format!(
                "{file}: {detail}\n  hint: correct the file and load it again with `prokus ingest {file}` (or give it again for this run)"
            ),
            None => detail,
        })
    }

    /// Uses the checks' configuration in `path` for this run instead of the
    /// database's.
    pub fn override_checks(&mut self, path: &Path) -> Result<(), MetricsError> {
        self.checks = CheckConfig::parse(&read(path)?).map_err(|e| in_file(path, e))?;
        self.set_source(SettingKind::Checks, path);
        Ok(())
    }

    fn set_source(&mut self, kind: SettingKind, path: &Path) {
        for (k, source) in &mut self.sources {
            if *k == kind {
                *source = Some(path.display().to_string());
            }
        }
    }

    /// Whether the database (or the run) has a survey calendar.
    pub fn has_schedule(&self) -> bool {
        !self.schedule.is_empty()
    }

    /// Whether there is any target.
    pub fn has_targets(&self) -> bool {
        !self.targets.targets.is_empty()
    }
}

/// The incubators, mentors and TKSK `db` lists, for checking the groups of
/// `targets`; the register's names are read only when a target's level
/// names mentors or TKSK.
fn known_groups(targets: &Targets, db: &Database) -> Result<KnownGroups, MetricsError> {
    use crate::compute::Dimension;
    let names = |dimension, read: fn(&Database) -> Result<Option<Vec<String>>, _>| {
        if targets.names_dimension(dimension) {
            read(db)
        } else {
            Ok(None)
        }
    };
    let incubators = db.incubator_ids()?;
    Ok(KnownGroups {
        incubators: (!incubators.is_empty()).then_some(incubators),
        mentors: names(Dimension::Mentor, Database::mentor_names)?,
        tksk: names(Dimension::Tksk, Database::tksk_names)?,
    })
}

/// The current file of `kind` in `db`, read with `parse`; where it came from
/// is added to `sources`.
fn stored<T>(
    db: &Database,
    kind: SettingKind,
    parse: fn(&str) -> Result<T, MetricsError>,
    sources: &mut Vec<(SettingKind, Option<String>)>,
) -> Result<Option<T>, MetricsError> {
    let Some(s) = db.setting(kind.name())? else {
        sources.push((kind, None));
        return Ok(None);
    };
    sources.push((kind, Some(s.file.clone())));
    parse(&s.text).map(Some).map_err(|e| {
        MetricsError::InvalidOption(printable(&format!(
            "the {} file stored in the database ({}, batch {}) no longer reads: {e}; load a corrected file with `prokus ingest`",
            s.kind, s.file, s.batch_id
        )))
    })
}

fn read(path: &Path) -> Result<String, MetricsError> {
    Ok(prokus_ingest::settings::read_text(path)?)
}

/// `e`, an error in the settings file at `path`, after its name.
fn in_file(path: &Path, e: MetricsError) -> MetricsError {
    MetricsError::InvalidOption(printable(&format!("{}: {e}", path.display())))
}

/// Loads the settings file at `path` into the database: checks what it is and
/// that it reads, then stores it as the current one of its kind. A form
/// mapping or another TOML file is [`IngestError::NotData`].
pub fn ingest_setting(db: &mut Database, path: &Path) -> Result<BatchSummary, MetricsError> {
    let text = read(path)?;
    // A settings file with a syntax error (a quote left open) is an error,
    // not a file of another kind to skip: its kind cannot be told, and the
    // settings in force would otherwise stay without a word.
    if let Err(e) = toml::from_str::<toml::Table>(&text) {
        return Err(MetricsError::InvalidOption(printable(&format!(
            "{}: not valid TOML: {}\n  hint: correct it and load it again",
            path.display(),
            e.to_string().trim_end()
        ))));
    }
    let kind = SettingKind::detect(&text).ok_or_else(|| {
        let mapping = text.contains("[form]") || text.contains("[fields.");
        IngestError::NotData {
            path: path.to_path_buf(),
            what: if mapping {
                "this is a form mapping".into()
            } else {
                "this TOML file is none of the programme's settings (targets, schedule, checks)".into()
            },
            hint: if mapping {
                "give it with `prokus ingest --form FILE` and the exports it reads".into()
            } else {
                "a targets file has [[target]] tables and `band`, a schedule `utc_offset_hours` and [[window]] tables, \
                 a checks file [outliers], [changes] and [[required]]"
                    .into()
            },
        }
    })?;
    let checked = match kind {
        // A group must be a region's code or a listed incubator: checked
        // here against what the database has now, and by each run again.
        SettingKind::Targets => Targets::parse(&text).and_then(|t| {
            t.check_groups(db.wilayah(), &known_groups(&t, db)?)
                .map(drop)
        }),
        SettingKind::Schedule => Schedule::parse(&text).map(drop),
        // A field the checks read must be an answer field: refused here,
        // not by the next `prokus check` or report run.
        SettingKind::Checks => CheckConfig::parse(&text)
            .and_then(|c| crate::quality::answer_fields(db.connection(), &c).map(drop)),
    };
    checked.map_err(|e| in_file(path, e))?;
    Ok(db.store_setting(path, kind.name(), &text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE_TARGETS: &str = include_str!("../../../sample-data/targets.toml");
    const SAMPLE_SCHEDULE: &str = include_str!("../../../sample-data/schedule.toml");

    /// A targets file of one target of `value` for `group` of `level`.
    fn group_target(indicator: &str, value: f64, level: &str, group: &str) -> String {
        format!(
            "band = 0.1\n[[target]]\nindicator = \"{indicator}\"\nperiod = \"endline\"\nvalue = {value:?}\nlevel = \"{level}\"\ngroup = \"{group}\"\n"
        )
    }

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_database_without_settings_has_no_targets_and_no_calendar() {
        let db = Database::in_memory().unwrap();
        let s = Settings::from_db(&db).unwrap();
        assert!(!s.has_schedule() && !s.has_targets());
        assert_eq!(s.min_cell(), DEFAULT_MIN_CELL);
        assert!(s.sources.iter().all(|(_, source)| source.is_none()));
    }

    #[test]
    fn settings_files_load_as_their_kind_and_bad_ones_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let t = ingest_setting(&mut db, &file(&dir, "targets.toml", SAMPLE_TARGETS)).unwrap();
        let c = ingest_setting(&mut db, &file(&dir, "jadwal.toml", SAMPLE_SCHEDULE)).unwrap();
        assert_eq!(
            (t.format.as_str(), c.format.as_str()),
            ("targets", "schedule")
        );
        let s = Settings::from_db(&db).unwrap();
        assert!(s.has_schedule() && s.has_targets());
        // A 2022 cohort's own calendar and targets replace them.
        let t22 = "band = 0.05\nmin_cell = 10\n[[target]]\nindicator = \"saves_monthly\"\nperiod = \"endline\"\nvalue = 75.0\n";
        let c22 = "utc_offset_hours = 8\n[[window]]\nwave = \"endline\"\ncohort = 2022\nopens = 2022-10-03\ncloses = 2022-10-15\n";
        ingest_setting(&mut db, &file(&dir, "targets-2022.toml", t22)).unwrap();
        ingest_setting(&mut db, &file(&dir, "schedule-2022.toml", c22)).unwrap();
        let s = Settings::from_db(&db).unwrap();
        assert_eq!(s.min_cell(), 10);
        assert_eq!(
            s.targets.find("saves_monthly", "endline", "national", "ID"),
            Some(75.0)
        );
        assert_eq!(
            s.targets.find("keeps_books", "endline", "national", "ID"),
            None
        );
        assert_eq!(s.schedule.windows.len(), 1);
        assert_eq!(s.schedule.utc_offset_hours, 8);
        // A broken file is refused by name and the current one stays.
        let err = ingest_setting(
            &mut db,
            &file(
                &dir,
                "broken.toml",
                "band = 0.1\n[[target]]\nindicator = \"x\"\n",
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("broken.toml") && err.contains("targets"),
            "{err}"
        );
        assert_eq!(Settings::from_db(&db).unwrap().min_cell(), 10);
        // A syntax error is an error, not another kind of file to skip.
        let err = ingest_setting(
            &mut db,
            &file(
                &dir,
                "quote-left-open.toml",
                "band = 0.1\n[[target]]\nindicator = \"saves_monthly\nperiod = \"endline\"\n",
            ),
        )
        .unwrap_err();
        assert!(
            !matches!(err, MetricsError::Ingest(IngestError::NotData { .. })),
            "{err}"
        );
        let err = err.to_string();
        assert!(
            err.contains("quote-left-open.toml: not valid TOML") && err.contains("line 3"),
            "{err}"
        );
        assert_eq!(Settings::from_db(&db).unwrap().min_cell(), 10);
        // A mapping is not a setting.
        let err = ingest_setting(
            &mut db,
            &file(&dir, "partner.mapping.toml", "[form]\nid = \"x\"\n"),
        )
        .unwrap_err();
        assert!(
            matches!(err, MetricsError::Ingest(IngestError::NotData { .. })),
            "{err}"
        );
        // A run may use another file without storing it.
        let mut s = Settings::from_db(&db).unwrap();
        s.override_schedule(&file(&dir, "other.toml", SAMPLE_SCHEDULE))
            .unwrap();
        assert_eq!(s.schedule.utc_offset_hours, 7);
        assert_eq!(Settings::from_db(&db).unwrap().schedule.utc_offset_hours, 8);
    }

    /// Loads an incubator list of INK-32-01 into `db`, then returns the error
    /// of a run's check of the targets' groups.
    fn groups_refused_once_incubators_load(dir: &tempfile::TempDir, db: &mut Database) -> String {
        let incubators = file(
            dir,
            "incubators.csv",
            "incubator_id,name,university,province_code\nINK-32-01,Inkubator,Universitas,32\n",
        );
        db.ingest(&incubators, &prokus_ingest::FormMapping::prokus())
            .unwrap();
        Settings::from_db(db)
            .unwrap()
            .check_target_groups(db)
            .unwrap_err()
            .to_string()
    }

    /// A settings file's values are echoed in its errors: a NIK there is
    /// printed masked and a bidirectional control not at all, whether the
    /// file is refused when loaded, by a run, or for its syntax.
    #[test]
    fn settings_errors_print_no_nik_and_no_bidi_control() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let nik = "3217055208850012";
        // RIGHT-TO-LEFT OVERRIDE.
        let rlo = '\u{202E}';
        let unprintable = |err: &str| {
            assert!(!err.contains(nik), "a NIK in: {err}");
            assert!(err.contains("3217********0012"), "no masked NIK in: {err}");
            assert!(!err.contains(rlo), "a bidirectional control in: {err}");
        };
        let target = |fields: &str| {
            format!(
                "band = 0.1\n[[target]]\nindicator = \"saves_monthly\"\nperiod = \"endline\"\nvalue = 60.0\n{fields}\n"
            )
        };
        for fields in [
            format!("level = \"regency\"\ngroup = \"{nik}{rlo}\""),
            format!("level = \"{nik}{rlo}\""),
            // Its quote left open: toml's error shows the line.
            format!("level = \"regency\"\ngroup = \"{nik}{rlo}"),
        ] {
            let path = file(&dir, "targets.toml", &target(&fields));
            unprintable(&ingest_setting(&mut db, &path).unwrap_err().to_string());
        }
        // Loaded before the incubator list, refused by the run.
        let path = file(
            &dir,
            "targets.toml",
            &target(&format!("level = \"incubator\"\ngroup = \"{nik}{rlo}\"")),
        );
        ingest_setting(&mut db, &path).unwrap();
        let err = groups_refused_once_incubators_load(&dir, &mut db);
        unprintable(&err);
    }

    /// A target's group is a region's code as the indicator table writes it
    /// or a listed incubator; one that is neither would match no value. It
    /// is refused when loaded, with how the code is written, and a run judges
    /// a file loaded before the incubator list against the list.
    #[test]
    fn a_target_for_a_group_no_value_has_is_refused_with_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let target = |level: &str, group: &str| group_target("saves_monthly", 60.0, level, group);
        let refused = |db: &mut Database, level: &str, group: &str, said: &[&str]| {
            let before = Settings::from_db(db).unwrap().sources;
            let path = file(&dir, "targets-bad.toml", &target(level, group));
            let err = ingest_setting(db, &path).unwrap_err().to_string();
            for s in said {
                assert!(err.contains(s), "`{s}` not in: {err}");
            }
            // The targets in force stay.
            assert_eq!(Settings::from_db(db).unwrap().sources, before);
        };
        refused(
            &mut db,
            "regency",
            "3201",
            &[
                "targets-bad.toml",
                "group `3201` is no regency code",
                "written `32.01`",
            ],
        );
        refused(
            &mut db,
            "province",
            "Jawa Barat",
            &["group `Jawa Barat`", "written `32`"],
        );
        refused(
            &mut db,
            "district",
            "32.01.99",
            &["group `32.01.99` is no district code", "32.01."],
        );
        refused(
            &mut db,
            "province:gender",
            "99:P",
            &["group `99` is no province code"],
        );
        // The register's codes, as people write them, are refused with the
        // code the table writes.
        refused(
            &mut db,
            "province:gender",
            "32:P",
            &["group `P` is no gender code: it is written `female`"],
        );
        refused(
            &mut db,
            "cluster",
            "Kuliner",
            &["group `Kuliner` is no cluster code: it is written `kuliner`"],
        );
        refused(
            &mut db,
            "category",
            "pemula",
            &["the codes are start_up, scale_up, inkubasi"],
        );
        refused(&mut db, "cohort", "22", &["group `22` is no cohort"]);
        // The codes the indicator table writes load.
        for (level, group) in [
            ("regency", "32.01"),
            ("province:gender", "32:female"),
            ("cluster", "kuliner"),
            ("gender", "unknown"),
            ("cohort", "2022"),
            ("arm", "comparison"),
        ] {
            let path = file(&dir, "targets-fine.toml", &target(level, group));
            ingest_setting(&mut db, &path).unwrap();
        }
        // Before the incubator list, an incubator's group cannot be judged:
        // it loads, and a run judges it once the list is there.
        let path = file(&dir, "targets-ink.toml", &target("incubator", "INK-32-1"));
        ingest_setting(&mut db, &path).unwrap();
        let err = groups_refused_once_incubators_load(&dir, &mut db);
        for s in [
            "targets-ink.toml",
            "group `INK-32-1` is not in the incubator list",
            "did you mean `INK-32-01`?",
            "prokus ingest",
        ] {
            assert!(err.contains(s), "`{s}` not in: {err}");
        }
        refused(
            &mut db,
            "incubator",
            "INK-99-01",
            &["group `INK-99-01` is not in the incubator list"],
        );
        let path = file(&dir, "targets-ink.toml", &target("incubator", "INK-32-01"));
        ingest_setting(&mut db, &path).unwrap();
        Settings::from_db(&db)
            .unwrap()
            .check_target_groups(&db)
            .unwrap();
    }

    /// A target for a mentor or a TKSK is named as the register writes them:
    /// a name mistyped would match no value. Before the register is loaded a
    /// name cannot be judged; a run judges it once the register is there.
    #[test]
    fn a_target_for_a_mentor_or_tksk_the_register_does_not_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let target =
            |level: &str, group: &str| group_target("mentoring_sessions", 4.0, level, group);
        let early = file(
            &dir,
            "targets-early.toml",
            &target("mentor", "Budi Santosa"),
        );
        ingest_setting(&mut db, &early).unwrap();
        let register = file(
            &dir,
            "kpm_register.csv",
            "kpm_id,regency_code,arm,mentor,tksk\n\
             KPM-1,32.01,comparison,Budi Santoso,Siti Aminah\n\
             KPM-2,32.01,comparison,Dewi Lestari,\n\
             KPM-3,32.01,comparison,Ibu  Sri   Wahyuni,TKSK Cianjur: Ahmad\n",
        );
        let summary = db
            .ingest(&register, &prokus_ingest::FormMapping::prokus())
            .unwrap();
        assert_eq!(summary.rows_loaded, 3, "{summary:?}");
        let err = Settings::from_db(&db)
            .unwrap()
            .check_target_groups(&db)
            .unwrap_err()
            .to_string();
        for s in [
            "targets-early.toml",
            "group `Budi Santosa` is not in the mentors the KPM register names",
            "did you mean `Budi Santoso`?",
        ] {
            assert!(err.contains(s), "`{s}` not in: {err}");
        }
        for (level, group, said) in [
            (
                "tksk",
                "siti aminah",
                "is not in the TKSK the KPM register names (did you mean `Siti Aminah`?)",
            ),
            (
                "mentor:gender",
                "Dewi:female",
                "group `Dewi` is not in the mentors",
            ),
            (
                "mentor",
                "Siti Aminah",
                "group `Siti Aminah` is not in the mentors",
            ),
        ] {
            let path = file(&dir, "targets-bad.toml", &target(level, group));
            let err = ingest_setting(&mut db, &path).unwrap_err().to_string();
            assert!(err.contains(said), "`{said}` not in: {err}");
        }
        // A register that names no mentor has them all in `unknown`.
        let mut bare = Database::in_memory().unwrap();
        let register = file(
            &dir,
            "register-bare.csv",
            "kpm_id,regency_code,arm\nKPM-1,32.01,comparison\n",
        );
        bare.ingest(&register, &prokus_ingest::FormMapping::prokus())
            .unwrap();
        let path = file(&dir, "targets-bad.toml", &target("mentor", "Budi Santoso"));
        let err = ingest_setting(&mut bare, &path).unwrap_err().to_string();
        let said = "is not in the mentors the KPM register names; it names none, and its KPM are the group `unknown`";
        assert!(err.contains(said), "`{said}` not in: {err}");
        let path = file(&dir, "targets-fine.toml", &target("mentor", "unknown"));
        ingest_setting(&mut bare, &path).unwrap();
        // A name with a `:` is one code: mistyped, it is refused as a name.
        let path = file(
            &dir,
            "targets-bad.toml",
            &target("tksk", "TKSK Cianjur: Ahmed"),
        );
        let err = ingest_setting(&mut db, &path).unwrap_err().to_string();
        let said = "group `TKSK Cianjur: Ahmed` is not in the TKSK the KPM register names (did you mean `TKSK Cianjur: Ahmad`?)";
        assert!(err.contains(said), "`{said}` not in: {err}");
        // The names as the register writes them load (its runs of spaces
        // one space, as the reports print them), a name with a `:` alone and
        // crossed, and `unknown` (the KPM whose register row names no TKSK).
        for (level, group) in [
            ("mentor", "Budi Santoso"),
            ("tksk", "Siti Aminah"),
            ("tksk", "unknown"),
            ("mentor:gender", "Dewi Lestari:female"),
            ("mentor", "Ibu Sri Wahyuni"),
            ("tksk", "TKSK Cianjur: Ahmad"),
            ("tksk:gender", "TKSK Cianjur: Ahmad:female"),
            ("gender:tksk", "female:TKSK Cianjur: Ahmad"),
        ] {
            let path = file(&dir, "targets-fine.toml", &target(level, group));
            ingest_setting(&mut db, &path).unwrap();
            Settings::from_db(&db)
                .unwrap()
                .check_target_groups(&db)
                .unwrap();
        }
    }
}
