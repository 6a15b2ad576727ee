//! Findings per site and actor: the rules of `queries/findings.toml` turn
//! the figures of a scope (an incubator, a regency, a province, the nation)
//! into what it achieved, what holds it back and what each actor can do,
//! each with its evidence. The incubator, area and national reports print
//! them as "Capaian, tantangan dan perbaikan", grouped by actor; the
//! national report also ranks the provinces by them.

use std::sync::OnceLock;

use prokus_metrics::{Direction, IndicatorRow};
use serde::Deserialize;

use crate::format::{self, Lang};
use crate::inputs::{Inputs, NATIONAL_CODE, Written};
use crate::payload::{Cell, Table};
use crate::sections::{round_of, short_label};
use crate::words::Words;
use std::collections::HashMap;

const FINDINGS_TOML: &str = include_str!("../../../queries/findings.toml");

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An outcome on target, or above the nation.
    Achievement,
    /// An outcome off target, or below the nation.
    Challenge,
    /// A process short of its plan (mentoring, visits, grants, surveys).
    Obstacle,
}

/// Who a finding's recommended action addresses, in the order the reports
/// group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The beneficiary households.
    Kpm,
    /// The business incubator and its mentors (MiBi).
    Incubator,
    /// The provincial or regency social affairs office.
    DinasSosial,
    /// The PKH district coordinator.
    Korkab,
    /// The PKH facilitator.
    PkhFacilitator,
    /// The sub-district social worker.
    Tksk,
}

/// When a rule holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The indicator is on track against its target.
    OnTrack,
    /// The indicator is off track.
    OffTrack,
    /// A process indicator is at risk or off track against its plan.
    ShortOfPlan,
    /// The scope's 95% interval lies wholly on the good side of the nation's.
    AboveNational,
    /// The scope's 95% interval lies wholly on the bad side of the nation's.
    BelowNational,
    /// The data checks found more problems per KPM than the rule's
    /// `per_kpm` (an incubator, or the nation).
    ManyDataProblems,
}

/// One rule of `queries/findings.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Its name.
    pub id: String,
    /// What its findings are.
    pub kind: Kind,
    /// The indicators it reads.
    pub indicators: Vec<String>,
    /// When it holds.
    pub when: When,
    /// Who its action addresses.
    pub actor: Actor,
    /// For `many_data_problems`: how many per KPM are too many.
    #[serde(default)]
    pub per_kpm: Option<f64>,
    /// The recommended action in Bahasa Indonesia.
    pub action_id: String,
    /// The recommended action in English.
    pub action_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    rule: Vec<Rule>,
}

/// The rules shipped in `queries/findings.toml`.
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str::<Rules>(FINDINGS_TOML)
            .expect("queries/findings.toml is checked by the tests")
            .rule
    })
}

/// Whether `when` holds for a scope's row, with the nation's row for the
/// comparisons. A suppressed row holds nothing.
pub(crate) fn holds(
    when: When,
    direction: Direction,
    row: &IndicatorRow,
    national: Option<&IndicatorRow>,
) -> bool {
    if row.suppressed {
        return false;
    }
    let status = row.status.as_deref();
    // The interval of the scope wholly above (true) or below (false) the
    // nation's; None when they overlap or one is missing.
    let apart = || {
        let n = national?;
        let (lo, hi, n_lo, n_hi) = (row.ci_low?, row.ci_high?, n.ci_low?, n.ci_high?);
        if lo > n_hi {
            Some(true)
        } else if hi < n_lo {
            Some(false)
        } else {
            None
        }
    };
    let better = |above: bool| above == (direction == Direction::Higher);
    match when {
        When::OnTrack => status == Some("on_track"),
        When::OffTrack => status == Some("off_track"),
        When::ShortOfPlan => matches!(status, Some("at_risk" | "off_track")),
        When::AboveNational => apart().is_some_and(better),
        When::BelowNational => apart().is_some_and(|above| !better(above)),
        When::ManyDataProblems => false,
    }
}

/// The data problems the checks found in `report`: every finding but those
/// about when a KPM answered (no answer, late, early) and a submission
/// replaced by a later one, which are not errors in the data.
pub(crate) fn data_problems(report: &prokus_metrics::quality::QualityReport) -> usize {
    use prokus_metrics::quality::Check;
    report
        .findings
        .iter()
        .filter(|f| {
            !matches!(
                f.detail.check(),
                Check::NoResponse | Check::Late | Check::Early | Check::Superseded
            )
        })
        .count()
}

/// The data problems of a scope and its registered ProKUS KPM: an
/// incubator's, or the nation's; None for the areas (the checks are kept
/// by incubator).
fn problems_of(inputs: &Inputs, level: &str, code: &str) -> Option<(usize, i64)> {
    match level {
        "incubator" => {
            let kpm = inputs
                .db
                .surveyed
                .incubators
                .iter()
                .find(|i| i.id == code)?
                .kpm;
            let problems = match inputs.quality_by_unit.get(code) {
                Some(report) => data_problems(report),
                None => 0,
            };
            Some((problems, kpm))
        }
        "national" => Some((
            data_problems(&inputs.quality),
            inputs.db.surveyed.incubators.iter().map(|i| i.kpm).sum(),
        )),
        _ => None,
    }
}

/// One finding of a scope: a rule that holds, with the figures it holds on.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) kind: Kind,
    pub(crate) actor: Actor,
    /// The figures it rests on, in words.
    pub(crate) evidence: String,
    /// What to do.
    pub(crate) action: String,
}

/// The findings of one scope (`level`, `code`), by actor then kind: one per
/// rule that holds, naming each indicator it holds on.
pub(crate) fn findings(inputs: &Inputs, w: &Words, level: &str, code: &str) -> Vec<Finding> {
    let latest = inputs.latest_wave();
    let mut out = Vec::new();
    for rule in rules() {
        let mut evidence = Vec::new();
        if rule.when == When::ManyDataProblems
            && let (Some((problems, kpm)), Some(limit)) =
                (problems_of(inputs, level, code), rule.per_kpm)
            && kpm > 0
            && problems as f64 > limit * kpm as f64
        {
            let per = format::number(problems as f64 / kpm as f64, 2, w.lang);
            let problems = format::number(problems as f64, 0, w.lang);
            let kpm = format::number(kpm as f64, 0, w.lang);
            let limit = format::number(limit, 2, w.lang);
            evidence.push(match w.lang {
                Lang::Id => format!(
                    "{problems} temuan pemeriksaan data untuk {kpm} KPM ({per} per KPM; batas {limit})"
                ),
                Lang::En => format!(
                    "{problems} data-check findings for {kpm} KPM ({per} per KPM; limit {limit})"
                ),
            });
        }
        for id in &rule.indicators {
            let Some(i) = inputs.catalog.get(id) else {
                continue;
            };
            // Mentoring and visits are judged in the latest round that
            // records them, as the tables print them.
            let period = round_of(inputs, id, latest);
            let Some(row) = inputs.row(id, period, level, code) else {
                continue;
            };
            let national = inputs.row(id, period, "national", NATIONAL_CODE);
            if !holds(rule.when, i.direction, row, national) {
                continue;
            }
            let compared = match rule.when {
                When::AboveNational | When::BelowNational => national
                    .map(|n| format!("{} {}", w.pick("nasional", "national"), w.value(i, n.value))),
                _ => row
                    .target
                    .map(|t| format!("{} {}", w.pick("target", "target"), w.value(i, Some(t)))),
            };
            evidence.push(format!(
                "{} {}{}, n = {} ({})",
                short_label(i, w),
                w.value(i, row.value),
                compared.map(|c| format!(" ({c})")).unwrap_or_default(),
                format::number(row.n as f64, 0, w.lang),
                w.wave(period).to_lowercase(),
            ));
        }
        if !evidence.is_empty() {
            out.push(Finding {
                kind: rule.kind,
                actor: rule.actor,
                evidence: evidence.join("; "),
                action: match w.lang {
                    Lang::Id => rule.action_id.clone(),
                    Lang::En => rule.action_en.clone(),
                },
            });
        }
    }
    out.sort_by_key(|f| (f.actor, f.kind));
    out
}

fn actor_name(w: &Words, actor: Actor) -> &'static str {
    match actor {
        Actor::Kpm => "KPM",
        Actor::Incubator => w.pick("Inkubator dan mentor", "Incubator and mentors"),
        Actor::DinasSosial => "Dinas Sosial",
        Actor::Korkab => w.pick("Korkab PKH", "PKH district coordinator"),
        Actor::PkhFacilitator => w.pick("Pendamping PKH", "PKH facilitator"),
        Actor::Tksk => "TKSK",
    }
}

fn kind_name(w: &Words, kind: Kind) -> &'static str {
    match kind {
        Kind::Achievement => w.pick("Capaian", "Achievement"),
        Kind::Challenge => w.pick("Tantangan", "Challenge"),
        Kind::Obstacle => w.pick("Hambatan", "Obstacle"),
    }
}

/// The section "Capaian, tantangan dan perbaikan" of a scope: one line per
/// finding, grouped by the actor it addresses.
pub(crate) fn findings_table(inputs: &Inputs, w: &Words, level: &str, code: &str) -> Table {
    let found = findings(inputs, w, level, code);
    let rows = found
        .iter()
        .map(|f| {
            vec![
                Cell::from(actor_name(w, f.actor).to_string()),
                Cell {
                    text: kind_name(w, f.kind).to_string(),
                    status: Some(
                        match f.kind {
                            Kind::Achievement => "on_track",
                            Kind::Challenge => "off_track",
                            Kind::Obstacle => "at_risk",
                        }
                        .to_string(),
                    ),
                },
                Cell::from(f.evidence.clone()),
                Cell::from(f.action.clone()),
            ]
        })
        .collect::<Vec<_>>();
    let note = if rows.is_empty() {
        w.pick(
            "Tidak ada temuan: tidak ada indikator yang jelas di atas atau di bawah target atau angka nasional.",
            "No findings: no indicator is clearly above or below its target or the national figure.",
        )
    } else {
        // The rules are named for the reader, not by the file that holds
        // them (queries/findings.toml), which a mentor does not have.
        w.pick(
            "Temuan dari aturan yang sama untuk setiap wilayah dan inkubator: capaian dan tantangan menurut status terhadap target atau interval 95% yang tidak bertumpang tindih dengan nasional; hambatan menurut proses yang di bawah rencana.",
            "Findings from the same rules for every area and incubator: achievements and challenges by status against the target or a 95% interval clear of the nation's; obstacles by processes short of their plan.",
        )
    };
    Table {
        title: w
            .pick(
                "Capaian, tantangan dan perbaikan",
                "Achievements, challenges and improvements",
            )
            .into(),
        columns: vec![
            w.pick("Aktor", "Actor").into(),
            w.pick("Jenis", "Kind").into(),
            w.pick("Bukti", "Evidence").into(),
            w.pick("Yang dapat diperbaiki", "What can be improved")
                .into(),
        ],
        align: vec!["left", "left", "left", "left"],
        rows,
        note: note.into(),
        widths: vec![1.2, 1.0, 2.6, 3.2],
    }
}

/// The actor of a feedback sheet's row (stored with the names of [`Actor`]).
fn actor_of(name: &str) -> Option<Actor> {
    use serde::de::{IntoDeserializer, value::Error};
    Actor::deserialize(IntoDeserializer::<Error>::into_deserializer(name)).ok()
}

/// What the writers `scope` accepts wrote on their feedback sheets, printed
/// verbatim (as text, never markup) beside the computed findings: of each
/// writer, its latest quarter up to `as_of` (every quarter without), of the
/// `kinds` asked, grouped by kind. A single writer or quarter is named in
/// the title rather than on every row. None when nothing qualifies.
pub(crate) fn written_feedback(
    inputs: &Inputs,
    w: &Words,
    scope: impl Fn(&Written) -> bool,
    kinds: &[&str],
    as_of: Option<&str>,
) -> Option<Table> {
    let in_scope: Vec<&Written> = inputs
        .db
        .feedback
        .iter()
        .filter(|f| {
            scope(f)
                && kinds.contains(&f.kind.as_str())
                && as_of.is_none_or(|q| f.period.as_str() <= q)
        })
        .collect();
    let mut latest: HashMap<(&str, &str), &str> = HashMap::new();
    for f in &in_scope {
        let e = latest
            .entry((f.site_level.as_str(), f.site_code.as_str()))
            .or_insert(f.period.as_str());
        if f.period.as_str() > *e {
            *e = f.period.as_str();
        }
    }
    let shown: Vec<&Written> = in_scope
        .into_iter()
        .filter(|f| latest[&(f.site_level.as_str(), f.site_code.as_str())] == f.period)
        .collect();
    let first = shown.first()?;
    let one_writer = shown
        .iter()
        .all(|f| f.writer == first.writer)
        .then_some(first.writer.as_str());
    let one_quarter = shown
        .iter()
        .all(|f| f.period == first.period)
        .then(|| quarter_name(&first.period, w));
    let rows: Vec<Vec<Cell>> = shown
        .iter()
        .map(|f| {
            let (kind, status) = match f.kind.as_str() {
                "achievement" => (w.pick("Capaian", "Achievement"), Some("on_track")),
                "challenge" => (w.pick("Tantangan", "Challenge"), Some("off_track")),
                "obstacle" => (w.pick("Hambatan", "Obstacle"), Some("at_risk")),
                _ => (w.pick("Permintaan", "Request"), None),
            };
            let writer = match (one_writer.is_some(), f.author.is_empty()) {
                (true, true) => "–".to_string(),
                (true, false) => f.author.clone(),
                (false, true) => f.writer.clone(),
                (false, false) => format!("{} ({})", f.writer, f.author),
            };
            let mut row = vec![Cell::from(writer)];
            if one_quarter.is_none() {
                row.push(Cell::from(quarter_name(&f.period, w)));
            }
            row.extend([
                Cell {
                    text: kind.into(),
                    status: status.map(str::to_string),
                },
                Cell::from(
                    actor_of(&f.actor)
                        .map_or(f.actor.as_str(), |a| actor_name(w, a))
                        .to_string(),
                ),
                Cell::from(f.text.clone()),
            ]);
            row
        })
        .collect();
    let mut title = match one_writer {
        Some(writer) => format!(
            "{} {writer}",
            w.pick("Umpan balik tertulis dari", "Written feedback from")
        ),
        None => w
            .pick(
                "Umpan balik tertulis dari inkubator dan Dinas Sosial",
                "Written feedback from incubators and social offices",
            )
            .into(),
    };
    let mut columns = vec![if one_writer.is_some() {
        w.pick("Penulis", "Writer").to_string()
    } else {
        w.pick("Dari", "From").to_string()
    }];
    let mut widths = vec![1.5];
    match &one_quarter {
        Some(quarter) => title.push_str(&format!(", {quarter}")),
        None => {
            columns.push(w.pick("Triwulan", "Quarter").into());
            widths.push(0.9);
        }
    }
    columns.extend([
        w.pick("Jenis", "Kind").to_string(),
        w.pick("Untuk", "For").to_string(),
        w.pick("Isi", "Text").to_string(),
    ]);
    widths.extend([0.9, 1.1, 3.8]);
    Some(Table {
        title,
        align: vec!["left"; columns.len()],
        columns,
        rows,
        note: w
            .pick(
                "Dicetak apa adanya dari lembar umpan balik, triwulan terakhir tiap pengirim; bukan temuan yang dihitung.",
                "Printed as written on the feedback sheets, each writer's latest quarter; not computed findings.",
            )
            .into(),
        widths,
    })
}

/// The kinds of written feedback an area's or incubator's report prints.
pub(crate) const ALL_FEEDBACK: &[&str] = &["achievement", "challenge", "obstacle", "request"];

/// Those the national report prints: what holds sites back and what they
/// ask of others (their achievements are in their own reports).
pub(crate) const NATIONAL_FEEDBACK: &[&str] = &["obstacle", "request"];

/// `2021-Q3` as `Triwulan III 2021` (`Q3 2021`).
fn quarter_name(code: &str, w: &Words) -> String {
    crate::inputs::quarter_start(code)
        .map_or_else(|| code.to_string(), |d| format::quarter(d, w.lang))
}

/// The provinces ranked by their findings, for the national report: most
/// challenges and obstacles first.
pub(crate) fn province_ranking(inputs: &Inputs, w: &Words) -> Option<Table> {
    let provinces = inputs.groups.get("province")?;
    let mut counted: Vec<(usize, usize, usize, &str)> = provinces
        .iter()
        .map(|(code, name)| {
            let found = findings(inputs, w, "province", code);
            let count = |k: Kind| found.iter().filter(|f| f.kind == k).count();
            (
                count(Kind::Achievement),
                count(Kind::Challenge),
                count(Kind::Obstacle),
                name.as_str(),
            )
        })
        .collect();
    counted.sort_by(|a, b| (b.1 + b.2, a.3).cmp(&(a.1 + a.2, b.3)));
    let number = |n: usize| Cell::from(format::number(n as f64, 0, w.lang));
    Some(Table {
        title: w
            .pick(
                "Temuan per provinsi, yang paling memerlukan perbaikan lebih dulu",
                "Findings by province, those most in need of improvement first",
            )
            .into(),
        columns: vec![
            w.pick("Provinsi", "Province").into(),
            w.pick("Capaian", "Achievements").into(),
            w.pick("Tantangan", "Challenges").into(),
            w.pick("Hambatan", "Obstacles").into(),
        ],
        align: vec!["left", "right", "right", "right"],
        rows: counted
            .into_iter()
            .map(|(a, c, o, name)| {
                vec![
                    Cell::from(name.to_string()),
                    number(a),
                    number(c),
                    number(o),
                ]
            })
            .collect(),
        note: w
            .pick(
                "Setiap temuan dan tindakan yang disarankan ada di laporan provinsinya.",
                "Each finding and its recommended action is in its province's report.",
            )
            .into(),
        widths: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: f64, ci: (f64, f64), status: Option<&str>) -> IndicatorRow {
        IndicatorRow {
            indicator_id: "saves_monthly".into(),
            period: "endline".into(),
            level: "incubator".into(),
            group_code: "INK-32-01".into(),
            group_name: "Inkubator".into(),
            n: 30,
            value: Some(value),
            baseline_value: None,
            change: None,
            ci_low: Some(ci.0),
            ci_high: Some(ci.1),
            target: Some(60.0),
            status: status.map(str::to_string),
            suppressed: false,
        }
    }

    /// Each kind of rule on rows built to trigger it, and not on rows built
    /// not to.
    #[test]
    fn each_rule_holds_on_what_triggers_it_and_only_there() {
        let higher = Direction::Higher;
        let nation = row(60.0, (58.0, 62.0), Some("on_track"));
        let on = row(70.0, (65.0, 75.0), Some("on_track"));
        let off = row(40.0, (35.0, 45.0), Some("off_track"));
        let risk = row(55.0, (50.0, 61.0), Some("at_risk"));
        assert!(holds(When::OnTrack, higher, &on, Some(&nation)));
        assert!(!holds(When::OnTrack, higher, &risk, Some(&nation)));
        assert!(holds(When::OffTrack, higher, &off, Some(&nation)));
        assert!(!holds(When::OffTrack, higher, &risk, Some(&nation)));
        assert!(holds(When::ShortOfPlan, higher, &risk, Some(&nation)));
        assert!(holds(When::ShortOfPlan, higher, &off, Some(&nation)));
        assert!(!holds(When::ShortOfPlan, higher, &on, Some(&nation)));
        // Intervals: 65–75 is clear above 58–62; 50–61 overlaps it.
        assert!(holds(When::AboveNational, higher, &on, Some(&nation)));
        assert!(!holds(When::AboveNational, higher, &risk, Some(&nation)));
        assert!(!holds(When::BelowNational, higher, &risk, Some(&nation)));
        assert!(holds(When::BelowNational, higher, &off, Some(&nation)));
        // Where less is better, above the nation is the bad side.
        assert!(holds(
            When::BelowNational,
            Direction::Lower,
            &on,
            Some(&nation)
        ));
        assert!(!holds(
            When::AboveNational,
            Direction::Lower,
            &on,
            Some(&nation)
        ));
        // No nation, no comparison; a suppressed cell holds nothing.
        assert!(!holds(When::AboveNational, higher, &on, None));
        let mut hidden = on.clone();
        hidden.suppressed = true;
        assert!(!holds(When::OnTrack, higher, &hidden, Some(&nation)));
    }

    /// The shipped rules parse, read indicators of the catalog, and give
    /// every actor an action in both languages.
    #[test]
    fn the_shipped_rules_address_every_actor_with_catalog_indicators() {
        let catalog = prokus_metrics::Catalog::builtin();
        let rules = rules();
        for rule in rules {
            for id in &rule.indicators {
                assert!(catalog.get(id).is_some(), "{}: {id}", rule.id);
            }
            assert!(!rule.action_id.is_empty() && !rule.action_en.is_empty());
        }
        for actor in [
            Actor::Kpm,
            Actor::Incubator,
            Actor::DinasSosial,
            Actor::Korkab,
            Actor::PkhFacilitator,
            Actor::Tksk,
        ] {
            assert!(rules.iter().any(|r| r.actor == actor), "{actor:?}");
        }
        for kind in [Kind::Achievement, Kind::Challenge, Kind::Obstacle] {
            assert!(rules.iter().any(|r| r.kind == kind), "{kind:?}");
        }
    }
}
