//! Targets per indicator, level and period (TOML), and the status of a value
//! against its target.

use serde::Deserialize;

use crate::MetricsError;
use crate::catalog::Direction;

/// One target line of the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Indicator id.
    pub indicator: String,
    /// The period or periods the target is for: a wave (`endline`), a quarter
    /// (`2021-Q3`) or a year to date (`2021-YTD`), or a list of them.
    pub period: Periods,
    /// The target value, in the indicator's unit.
    pub value: f64,
    /// Only for this level (`national`, `province`, …); all levels when absent.
    #[serde(default)]
    pub level: Option<String>,
    /// Only for this group code of `level`.
    #[serde(default)]
    pub group: Option<String>,
}

impl Target {
    /// Why the target can match no value of `catalog`, if it cannot.
    fn check(&self, catalog: &crate::catalog::Catalog) -> Result<(), String> {
        let maybe = |word: &str, known: &[&str]| {
            prokus_ingest::settings::did_you_mean(word, known.iter().copied())
        };
        let Some(indicator) = catalog.get(&self.indicator) else {
            let ids: Vec<&str> = catalog.indicators.iter().map(|i| i.id.as_str()).collect();
            return Err(format!(
                "`{}` is not an indicator{}; the indicators are: {}",
                self.indicator,
                maybe(&self.indicator, &ids),
                ids.join(", ")
            ));
        };
        // TOML reads `nan` and `inf`: no value is on track against them.
        if !self.value.is_finite() {
            return Err(format!("value `{}` is no number", self.value));
        }
        // A share is a percentage of KPM: a target beyond 0–100 is never
        // met, and one of a fraction (0.6 for 60%) is met by nearly every
        // value, so every report would say on track.
        if indicator.aggregation == crate::catalog::Aggregation::Share {
            let v = self.value;
            if !(0.0..=100.0).contains(&v) {
                return Err(format!(
                    "value {v}: `{}` is a percentage of KPM, from 0 to 100",
                    self.indicator
                ));
            }
            if indicator.direction == Direction::Higher && v > 0.0 && v <= 1.0 {
                // Rounded, so that 0.07 reads `7`, not 7.000000000000001.
                let percent = (v * 100.0 * 1e9).round() / 1e9;
                return Err(format!(
                    "value {v} would be {v}% of KPM: `{}` is in percent (write {percent} for {percent}%)",
                    self.indicator
                ));
            }
        }
        match (&self.level, &self.group) {
            (Some(level), group) => {
                let parsed =
                    crate::compute::Level::parse(level).map_err(|e| format!("level: {e}"))?;
                // Targets are matched by the level's name as the indicator
                // table writes it: `incubator: cohort` would match nothing.
                let name = parsed.name();
                if name != *level {
                    let level = shown(level);
                    return Err(format!("level `{level}` is written `{name}`"));
                }
                // The crossed level the engine computes by default, named
                // the other way round, is computed under its own name only.
                if let [a, b] = parsed.dimensions() {
                    let computed = crate::compute::Level::crossed(*b, *a);
                    if crate::compute::Level::defaults().contains(&computed) {
                        let level = shown(level);
                        return Err(format!("level `{level}` is written `{}`", computed.name()));
                    }
                }
                if let Some(group) = group {
                    group_shape(&parsed, group)?;
                }
            }
            (None, Some(group)) => {
                let group = shown(group);
                return Err(format!(
                    "group `{group}` is given without the level it is a group of (`level = \"province\"`, say)"
                ));
            }
            (None, None) => {}
        }
        let periods: Vec<&str> = match &self.period {
            Periods::One(p) => vec![p.as_str()],
            Periods::Many(ps) => ps.iter().map(String::as_str).collect(),
        };
        if periods.is_empty() {
            return Err("`period` lists no period".into());
        }
        for p in periods {
            if !is_period(p) {
                return Err(format!(
                    "period `{p}` is no wave, quarter (`2021-Q3`) or year to date (`2021-YTD`){}; the waves are: {}",
                    maybe(p, crate::WAVES),
                    crate::WAVES.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// A user's text as an error echoes it: a long one clipped, so that one
/// refused group does not fill the terminal.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    prokus_ingest::privacy::clip(text, 80)
}

/// Why `group` can be no group of `level`, from its shape alone: the nation
/// has one group, `ID`; a crossed level's groups are one code per dimension
/// joined by `:`, as the indicator table writes them (`INK-32-01:2022`).
fn group_shape(level: &crate::compute::Level, group: &str) -> Result<(), String> {
    let dimensions = level.dimensions();
    if dimensions.is_empty() {
        if group != crate::compute::NATIONAL_CODE {
            let group = shown(group);
            return Err(format!(
                "group `{group}`: the national level has one group, `{}` (or leave `group` out)",
                crate::compute::NATIONAL_CODE
            ));
        }
        return Ok(());
    }
    if crate::compute::group_codes(dimensions, group).is_none() {
        let parts = group.split(':').count();
        let group = shown(group);
        let names: Vec<&str> = dimensions.iter().map(|d| d.name()).collect();
        return Err(format!(
            "group `{group}` has {parts} code(s) but level `{}` has {}: write one code for each of {}, joined by `:` (`INK-32-01:2022` for incubator:cohort)",
            level.name(),
            dimensions.len(),
            names.join(" and ")
        ));
    }
    Ok(())
}

/// Whether `p` is a period the indicators are computed for: a wave, a
/// quarter (`2021-Q3`) or a year to date (`2021-YTD`).
fn is_period(p: &str) -> bool {
    let year = |y: &str| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
    crate::WAVES.contains(&p)
        || p.split_once('-').is_some_and(|(y, rest)| {
            year(y) && (rest == "YTD" || matches!(rest, "Q1" | "Q2" | "Q3" | "Q4"))
        })
}

/// One period or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Periods {
    /// `period = "endline"`
    One(String),
    /// `period = ["monitoring_1", "monitoring_2"]`
    Many(Vec<String>),
}

impl Periods {
    /// Whether `period` is one of them.
    pub fn contains(&self, period: &str) -> bool {
        match self {
            Periods::One(p) => p == period,
            Periods::Many(ps) => ps.iter().any(|p| p == period),
        }
    }
}

/// All targets and the at-risk band.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// A value short of its target by at most this fraction is `at_risk`
    /// rather than `off_track`.
    pub band: f64,
    /// The targets.
    #[serde(default, rename = "target")]
    pub targets: Vec<Target>,
    /// Cells of fewer KPM are suppressed in tables and reports, when the
    /// programme sets it (the engine's default is 5).
    #[serde(default)]
    pub min_cell: Option<u32>,
}

/// Where a value stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// At or beyond the target.
    OnTrack,
    /// Short of it by no more than the band.
    AtRisk,
    /// Further off.
    OffTrack,
}

impl Status {
    /// The code written to the indicator table.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
        }
    }
}

/// The groups of a target that the database lists, for
/// [`Targets::check_groups`]: each is `None` (and a group of its dimension
/// is not checked) until the file that lists it is loaded.
#[derive(Debug, Clone, Default)]
pub struct KnownGroups {
    /// The incubators' ids (the incubator list).
    pub incubators: Option<Vec<String>>,
    /// The mentors the KPM register names, as it writes them.
    pub mentors: Option<Vec<String>>,
    /// The TKSK the KPM register names, as it writes them.
    pub tksk: Option<Vec<String>>,
}

impl Targets {
    /// No targets: no value has a status. What a database without a targets
    /// file is judged against.
    pub fn none() -> Self {
        Targets {
            band: 0.1,
            targets: Vec::new(),
            min_cell: None,
        }
    }

    /// Parses a targets file.
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        let t: Targets = toml::from_str(text).map_err(|e| MetricsError::Targets(e.to_string()))?;
        if !(0.0..1.0).contains(&t.band) {
            return Err(MetricsError::Targets(format!(
                "band must be between 0 and 1, not {}",
                t.band
            )));
        }
        if t.min_cell == Some(0) {
            return Err(MetricsError::Targets(
                "min_cell must be 1 or more (5 is the usual threshold)".into(),
            ));
        }
        // A target that names no indicator, level or period the engine
        // computes would never be met by a value: no status would be shown
        // for what the programme meant, and nothing would say why.
        let catalog = crate::catalog::Catalog::builtin();
        for (i, target) in t.targets.iter().enumerate() {
            target
                .check(&catalog)
                .map_err(|e| MetricsError::Targets(format!("[[target]] number {}: {e}", i + 1)))?;
        }
        Ok(t)
    }

    /// Whether a target's level names `dimension` (alone or crossed).
    pub fn names_dimension(&self, dimension: crate::compute::Dimension) -> bool {
        self.targets.iter().any(|t| {
            t.level
                .as_deref()
                .and_then(|l| crate::compute::Level::parse(l).ok())
                .is_some_and(|l| l.dimensions().contains(&dimension))
        })
    }

    /// Checks that every target's group is a group its level has: a
    /// Kemendagri code of `wilayah` (dotted, as the indicator table writes
    /// it) for a province, regency or kecamatan; one of `known`'s incubators,
    /// mentors or TKSK, once the list or register holding them is loaded
    /// (not empty); the register's code of a gender, arm, cluster or
    /// category (`female`, not `P`), and a year for a cohort. A target of
    /// `3201`, `Jawa Barat`, `P` or a mentor's name mistyped would otherwise
    /// match no value, and nothing would say why; the error says how the
    /// code is written.
    pub fn check_groups(
        &self,
        wilayah: &prokus_ingest::wilayah::Wilayah,
        known: &KnownGroups,
    ) -> Result<(), MetricsError> {
        use crate::compute::Dimension;
        use prokus_ingest::wilayah::Level as Region;
        // A dimension's codes, and how the words people write become one.
        type Coded = (&'static [&'static str], fn(&str) -> Option<&'static str>);
        for (i, target) in self.targets.iter().enumerate() {
            let (Some(level), Some(group)) = (&target.level, &target.group) else {
                continue;
            };
            let refused =
                |e: String| MetricsError::Targets(format!("[[target]] number {}: {e}", i + 1));
            let level = crate::compute::Level::parse(level)?;
            // Target::check has refused a group of the wrong shape.
            let codes = crate::compute::group_codes(level.dimensions(), group).unwrap_or_default();
            for (dimension, code) in level.dimensions().iter().zip(codes) {
                let code_shown = shown(code);
                let region = match dimension {
                    Dimension::Province => Some(Region::Province),
                    Dimension::Regency => Some(Region::Regency),
                    Dimension::District => Some(Region::District),
                    _ => None,
                };
                if let Some(region) = region {
                    if wilayah.get(region, code).is_some() {
                        continue;
                    }
                    let meant = match wilayah.resolve(region, code, None) {
                        Ok(r) => format!("; it is written `{}` ({})", r.code, r.name),
                        Err(unknown) if !unknown.nearest.is_empty() => {
                            format!("; the nearest are {}", unknown.nearest.join(", "))
                        }
                        Err(_) => String::new(),
                    };
                    return Err(refused(format!(
                        "group `{code_shown}` is no {} code of the Kemendagri list{meant}",
                        dimension.name()
                    )));
                }
                // The register's own codes, as the indicator table writes
                // them (`unknown` where the register has none): a target of
                // `P` for women, or a cohort of `22`, would match no value.
                use prokus_ingest::values as v;
                let coded: Option<Coded> = match dimension {
                    Dimension::Gender => Some((&v::GENDERS, v::parse_gender)),
                    Dimension::Arm => Some((&v::ARMS, v::parse_arm)),
                    Dimension::Cluster => Some((&v::CLUSTERS, v::parse_cluster)),
                    Dimension::Category => Some((&v::CATEGORIES, v::parse_category)),
                    _ => None,
                };
                if let Some((codes, parse)) = coded {
                    if codes.contains(&code) || (code == "unknown" && *dimension != Dimension::Arm)
                    {
                        continue;
                    }
                    let meant = match parse(code) {
                        Some(written) => format!("it is written `{written}`"),
                        None => format!("the codes are {}", codes.join(", ")),
                    };
                    return Err(refused(format!(
                        "group `{code_shown}` is no {} code: {meant}",
                        dimension.name()
                    )));
                }
                if *dimension == Dimension::Cohort
                    && code != "unknown"
                    && !(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(refused(format!(
                        "group `{code_shown}` is no cohort: a cohort is its year, such as `2021`"
                    )));
                }
                // Names the database lists; `unknown` is the group of the
                // KPM whose register row names no mentor or TKSK.
                let (names, listed_in) = match dimension {
                    Dimension::Incubator => (&known.incubators, "the incubator list"),
                    Dimension::Mentor if code != "unknown" => {
                        (&known.mentors, "the mentors the KPM register names")
                    }
                    Dimension::Tksk if code != "unknown" => {
                        (&known.tksk, "the TKSK the KPM register names")
                    }
                    _ => continue,
                };
                if let Some(names) = names
                    && !names.iter().any(|name| name == code)
                {
                    let meant = if names.is_empty() {
                        "; it names none, and its KPM are the group `unknown`".to_string()
                    } else {
                        prokus_ingest::settings::did_you_mean(
                            code,
                            names.iter().map(String::as_str),
                        )
                    };
                    return Err(refused(format!(
                        "group `{code_shown}` is not in {listed_in}{meant}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The most specific target for a cell: group, then level, then any level.
    pub fn find(&self, indicator: &str, period: &str, level: &str, group: &str) -> Option<f64> {
        let candidates = self
            .targets
            .iter()
            .filter(|t| t.indicator == indicator && t.period.contains(period));
        let mut best: Option<(u8, f64)> = None;
        for t in candidates {
            let rank = match (&t.level, &t.group) {
                (Some(l), Some(g)) if l == level && g == group => 2,
                (Some(l), None) if l == level => 1,
                (None, None) => 0,
                _ => continue,
            };
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, t.value));
            }
        }
        best.map(|(_, v)| v)
    }

    /// Status of `value` against `target` for an indicator going `direction`.
    pub fn status(&self, value: f64, target: f64, direction: Direction) -> Status {
        let margin = self.band * target.abs();
        let (ahead, within) = match direction {
            Direction::Higher => (value >= target, value >= target - margin),
            Direction::Lower => (value <= target, value <= target + margin),
        };
        if ahead {
            Status::OnTrack
        } else if within {
            Status::AtRisk
        } else {
            Status::OffTrack
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_target_wins() {
        let t = Targets::parse(
            "band = 0.1\n[[target]]\nindicator='saves_monthly'\nperiod='endline'\nvalue=50\n\
             [[target]]\nindicator='saves_monthly'\nperiod='endline'\nvalue=40\nlevel='province'\n\
             [[target]]\nindicator='saves_monthly'\nperiod='endline'\nvalue=30\nlevel='province'\ngroup='32'\n",
        )
        .unwrap();
        assert_eq!(
            t.find("saves_monthly", "endline", "national", "ID"),
            Some(50.0)
        );
        assert_eq!(
            t.find("saves_monthly", "endline", "province", "33"),
            Some(40.0)
        );
        assert_eq!(
            t.find("saves_monthly", "endline", "province", "32"),
            Some(30.0)
        );
        assert_eq!(t.find("saves_monthly", "baseline", "national", "ID"), None);
        let many = Targets::parse(
            "band = 0.1\n[[target]]\nindicator='mentoring_sessions'\nperiod=['monitoring_1', '2021-Q3']\nvalue=4\n",
        )
        .unwrap();
        assert_eq!(
            many.find("mentoring_sessions", "2021-Q3", "incubator", "IB01"),
            Some(4.0)
        );
        assert_eq!(
            many.find("mentoring_sessions", "monitoring_2", "national", "ID"),
            None
        );
    }

    /// A target the engine could never meet a value of (a typo in an
    /// indicator, level or period, a group without its level) is refused,
    /// naming the target, what is wrong and, where one is close, what was
    /// meant; what the engine computes is accepted.
    #[test]
    fn targets_no_value_could_meet_are_refused_with_what_was_meant() {
        let one = |fields: &str| {
            Targets::parse(&format!(
                "band = 0.1\n[[target]]\nindicator='keeps_books'\nperiod='endline'\nvalue=50\n\
                 [[target]]\n{fields}\nvalue=10\n"
            ))
            .map_err(|e| e.to_string())
        };
        let refused = |fields: &str, said: &[&str]| {
            let err = one(fields).unwrap_err();
            assert!(err.contains("[[target]] number 2"), "{err}");
            for s in said {
                assert!(err.contains(s), "`{s}` not in: {err}");
            }
        };
        refused(
            "indicator='savings_monthly'\nperiod='endline'",
            &[
                "`savings_monthly` is not an indicator",
                "did you mean `saves_monthly`?",
            ],
        );
        refused(
            "indicator='saves_monthly'\nperiod=['endline', 'endlin']",
            &["period `endlin`", "did you mean `endline`?", "monitoring_3"],
        );
        refused(
            "indicator='saves_monthly'\nperiod='2021-Q5'",
            &["period `2021-Q5`"],
        );
        refused(
            "indicator='saves_monthly'\nperiod='21-YTD'",
            &["period `21-YTD`"],
        );
        refused("indicator='saves_monthly'\nperiod=[]", &["no period"]);
        refused(
            "indicator='saves_monthly'\nperiod='endline'\nlevel='provinsi'",
            &["`provinsi`", "province"],
        );
        refused(
            "indicator='saves_monthly'\nperiod='endline'\ngroup='32'",
            &["group `32`", "level"],
        );
        // Groups no value has, by their shape: one code for a crossed
        // level of two, a national group that is not the nation's, a level
        // written with a space the indicator table does not have.
        refused(
            "indicator='jobs_created'\nperiod='endline'\nlevel='incubator:cohort'\ngroup='INK-32-01'",
            &["group `INK-32-01` has 1 code(s)", "incubator and cohort"],
        );
        refused(
            "indicator='jobs_created'\nperiod='endline'\nlevel='national'\ngroup='Indonesia'",
            &["group `Indonesia`", "`ID`"],
        );
        refused(
            "indicator='jobs_created'\nperiod='endline'\nlevel='incubator: cohort'",
            &["level `incubator: cohort` is written `incubator:cohort`"],
        );
        refused(
            "indicator='jobs_created'\nperiod='endline'\nlevel='cohort:incubator'",
            &["level `cohort:incubator` is written `incubator:cohort`"],
        );
        // A long group is echoed clipped, not whole.
        let long = "X".repeat(300_000);
        let err = one(&format!(
            "indicator='jobs_created'\nperiod='endline'\nlevel='incubator:cohort'\ngroup='{long}'"
        ))
        .unwrap_err();
        assert!(
            err.len() < 1_000 && err.contains("more characters cut"),
            "{} characters: {}",
            err.len(),
            &err[..200]
        );
        // Values no share could be judged against as meant.
        let valued = |v: &str| {
            Targets::parse(&format!(
                "band = 0.1\n[[target]]\nindicator='keeps_books'\nperiod='endline'\nvalue={v}\n"
            ))
            .map_err(|e| e.to_string())
        };
        for (v, said) in [
            (
                "0.6",
                "would be 0.6% of KPM: `keeps_books` is in percent (write 60 for 60%)",
            ),
            ("0.07", "(write 7 for 7%)"),
            ("160", "from 0 to 100"),
            ("-5", "from 0 to 100"),
            ("nan", "is no number"),
        ] {
            let err = valued(v).unwrap_err();
            assert!(err.contains(said), "{v}: `{said}` not in: {err}");
        }
        for fine in ["0", "60", "100", "1.5"] {
            assert!(valued(fine).is_ok(), "{fine}: {:?}", valued(fine));
        }
        assert!(
            Targets::parse(
                "band = 0.1\n[[target]]\nindicator='business_income_change_pct'\nperiod='endline'\nvalue=150\n"
            )
            .is_ok(),
            "a change in percent may be over 100"
        );
        refused(
            "indicator='xyz'\nperiod='endline'",
            &["`xyz` is not an indicator"],
        );
        for fine in [
            "indicator='saves_monthly'\nperiod=['endline', '2021-Q3', '2022-YTD', 'followup']",
            "indicator='jobs_created'\nperiod='monitoring_2'\nlevel='incubator:cohort'\ngroup='INK-32-01:2022'",
            "indicator='jobs_created'\nperiod='monitoring_2'\nlevel='national'\ngroup='ID'",
        ] {
            assert!(one(fine).is_ok(), "{fine}: {:?}", one(fine));
        }
    }

    #[test]
    fn status_works_both_ways() {
        let t = Targets::none();
        assert_eq!(t.status(60.0, 60.0, Direction::Higher), Status::OnTrack);
        assert_eq!(t.status(55.0, 60.0, Direction::Higher), Status::AtRisk);
        assert_eq!(t.status(50.0, 60.0, Direction::Higher), Status::OffTrack);
        assert_eq!(t.status(9.0, 10.0, Direction::Lower), Status::OnTrack);
        assert_eq!(t.status(10.5, 10.0, Direction::Lower), Status::AtRisk);
        assert_eq!(t.status(12.0, 10.0, Direction::Lower), Status::OffTrack);
        assert!(Targets::parse("band = 1.5").is_err());
        assert!(Targets::parse("band = 0.1\nmin_cell = 0").is_err());
        let sample = Targets::parse(include_str!("../../../sample-data/targets.toml")).unwrap();
        assert!(!sample.targets.is_empty());
    }
}
