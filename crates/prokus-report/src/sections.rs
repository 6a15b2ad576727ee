//! Sections more than one audience prints: the indicator and breakdown
//! tables, KPI tiles, the summary, the header and footer, and the methods
//! and data-quality annexes.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use prokus_metrics::{Indicator, IndicatorRow};

use crate::figures::*;
use crate::format::{self, Lang};
use crate::inputs::*;
use crate::payload::*;
use crate::words::*;

/// The KPI tiles of the national, province and regency reports.
pub(crate) const HEADLINE_KPIS: [&str; 4] = [
    "business_income_change_pct",
    "saves_monthly",
    "jobs_created",
    "business_operating",
];

/// The indicators of a breakdown table (by province, regency, kecamatan or
/// incubator).
pub const GROUP_TABLE: [&str; 5] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "jobs_created",
    "business_operating",
];

/// What a regency report prints by kecamatan: its breakdown table
/// (`GROUP_TABLE`, whose `saves_monthly` rows also list the kecamatan, see
/// [`Inputs`]' groups) and the income chart. The only indicators the reports
/// need at that level.
pub fn by_district() -> Vec<String> {
    GROUP_TABLE
        .iter()
        .chain(&[INCOME])
        .map(|s| s.to_string())
        .collect()
}

/// Key figures of one scope (a level and group): the indicator table lines.
pub(crate) fn indicator_table(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    group: &str,
    period: &str,
    title: String,
) -> Table {
    // Without targets there is no target nor status to show.
    let targets = inputs.settings.has_targets();
    let mut columns: Vec<String> = [
        w.pick("Indikator", "Indicator"),
        "n",
        w.pick("Awal", "Baseline"),
        &w.wave(period),
        w.pick("Perubahan", "Change"),
        w.pick("IK 95%", "95% CI"),
        "Target",
        "Status",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut align = vec![
        "left", "right", "right", "right", "right", "right", "right", "left",
    ];
    if !targets {
        columns.truncate(6);
        align.truncate(6);
    }
    let mut rows = Vec::new();
    for i in &inputs.catalog.indicators {
        let round = round_of(inputs, &i.id, period);
        let Some(r) = inputs.row(&i.id, round, level, group) else {
            continue;
        };
        let (baseline, change) = if r.suppressed {
            (w.suppressed(r), w.suppressed(r))
        } else if matches!(
            i.aggregation,
            prokus_metrics::Aggregation::SumChange | prokus_metrics::Aggregation::PctChange
        ) {
            ("–".to_string(), "–".to_string())
        } else {
            (w.value(i, r.baseline_value), w.change(i, r.change))
        };
        let mut row = vec![
            Cell::from(label_at(w, i, round, period)),
            Cell::from(w.n(r.n)),
            Cell::from(baseline),
            Cell::from(if r.suppressed {
                w.suppressed(r)
            } else {
                w.value(i, r.value)
            }),
            Cell::from(change),
            Cell::from(if r.suppressed {
                w.suppressed(r)
            } else {
                w.ci(i, r)
            }),
        ];
        if targets {
            row.push(Cell::from(
                r.target
                    .map(|t| w.value(i, Some(t)))
                    .unwrap_or_else(|| "–".into()),
            ));
            row.push(Cell {
                text: w.status(r.status.as_deref()),
                status: r.status.clone(),
            });
        }
        rows.push(row);
    }
    // At the baseline there is nothing before to show nor to change from:
    // one column of the round's values, not `Awal` twice.
    if period == "baseline" {
        for at in [4, 2] {
            columns.remove(at);
            align.remove(at);
            for row in &mut rows {
                row.remove(at);
            }
        }
    }
    let mut note = format!(
        "{} {} n < {} {}",
        w.pick(
            "Setelah survei awal, angka dihitung atas KPM yang menjawab survei awal dan putaran tersebut (panel), sehingga perubahan adalah perubahan berpasangan. IK = interval kepercayaan.",
            "After the baseline, figures are over the KPM who answered both the baseline and that round (the panel), so changes are paired. CI = confidence interval.",
        ),
        w.pick("Sel dengan", "Cells with"),
        w.min_cell,
        w.pick("tidak ditampilkan.", "are not shown."),
    );
    if !targets {
        note.push(' ');
        note.push_str(w.no_targets());
    }
    if let Some(withheld) = w.withheld_note(&rows) {
        note.push(' ');
        note.push_str(withheld);
    }
    Table {
        title,
        columns,
        align,
        rows,
        note,
        widths: Vec::new(),
    }
}

/// One line per group of a level: key indicators side by side.
pub(crate) fn group_table(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    groups: &[(String, String)],
    period: &str,
    title: String,
) -> Table {
    let ids = GROUP_TABLE;
    let mut columns = vec![w.pick("Kelompok", "Group").to_string(), "n".to_string()];
    let indicators: Vec<&Indicator> = ids.iter().filter_map(|id| inputs.catalog.get(id)).collect();
    columns.extend(indicators.iter().map(|i| short_label(i, w)));
    let mut rows = Vec::new();
    for (code, name) in groups {
        // The panel: the most KPM any of these indicators counts (saving
        // is asked of every KPM, but a partner's sheet may not ask it).
        let n = std::iter::once("saves_monthly")
            .chain(indicators.iter().map(|i| i.id.as_str()))
            .filter_map(|id| inputs.row(id, period, level, code))
            .map(|r| r.n)
            .max()
            .unwrap_or(0);
        let mut row = vec![Cell::from(name.clone()), Cell::from(w.n(n))];
        for i in &indicators {
            let cell = match inputs.row(&i.id, period, level, code) {
                Some(r) if r.suppressed => Cell::from(w.suppressed(r)),
                Some(r) => Cell {
                    text: w.value(i, r.value),
                    status: r.status.clone(),
                },
                None => Cell::from("–".to_string()),
            };
            row.push(cell);
        }
        rows.push(row);
    }
    let mut align = vec!["left", "right"];
    align.extend(indicators.iter().map(|_| "right"));
    // The panel of the round printed (the endline, or a report's period).
    let round = w.wave(period).to_lowercase();
    let panel = match (w.lang, period == "baseline") {
        (Lang::Id, true) => "n = KPM yang menjawab survei awal.".to_string(),
        (Lang::En, true) => "n = KPM who answered the baseline.".to_string(),
        (Lang::Id, false) => format!("n = KPM dalam panel survei awal–{round}."),
        (Lang::En, false) => format!("n = KPM in the baseline–{round} panel."),
    };
    let mut note = if inputs.settings.has_targets() {
        format!(
            "{} {panel}",
            w.pick(
                "Warna menunjukkan status terhadap target.",
                "Colour shows the status against the target."
            )
        )
    } else {
        panel
    };
    if let Some(withheld) = w.withheld_note(&rows) {
        note.push(' ');
        note.push_str(withheld);
    }
    Table {
        title,
        columns,
        align,
        rows,
        note,
        widths: Vec::new(),
    }
}

/// The indicators of the incubator report's table per mentor: the
/// sessions, then the outcomes mentoring is meant to move.
pub(crate) const MENTOR_TABLE: [&str; 4] = [
    "mentoring_sessions",
    "saves_monthly",
    "keeps_books",
    "business_income_change_pct",
];

/// The indicators of the regency report's table per TKSK.
pub(crate) const TKSK_TABLE: [&str; 2] = ["tksk_visits", "saves_monthly"];

/// The latest wave in which a count of accompaniment (`mentoring_sessions`,
/// `tksk_visits`) was above zero nationally: mentoring and visits happen in
/// the programme's monitoring months, and a later round may not ask of
/// them, so the latest wave alone would print zeros.
pub(crate) fn accompaniment_wave(inputs: &Inputs, indicator: &str) -> Option<&'static str> {
    WAVES.iter().rev().copied().find(|wave| {
        inputs
            .row(indicator, wave, "national", NATIONAL_CODE)
            .is_some_and(|r| r.value.is_some_and(|v| v > 0.0))
    })
}

/// The success stories an incubator's report shows, at most.
pub(crate) const STORIES_PER_INCUBATOR: usize = 5;
/// The success stories a province's report shows, at most.
pub(crate) const STORIES_PER_PROVINCE: usize = 5;
/// The success stories the national report shows, at most.
pub(crate) const STORIES_NATIONAL: usize = 10;

/// Success stories: the KPM whose business income grew most from the
/// baseline to their latest round, among those of `scope` who agreed that
/// their story be told (the register's `consent_story`), at most `limit`.
/// Only the KPM's own incubator, province and the national report call
/// this; the NIK is masked. None when no KPM of the scope qualifies.
pub(crate) fn success_stories(
    inputs: &Inputs,
    w: &Words,
    scope: impl Fn(&Story) -> bool,
    limit: usize,
) -> Option<Table> {
    let chosen: Vec<&Story> = inputs
        .db
        .stories
        .iter()
        .filter(|s| scope(s))
        .take(limit)
        .collect();
    if chosen.is_empty() {
        return None;
    }
    let yes = |v: Option<bool>| v == Some(true);
    let rows = chosen
        .iter()
        .map(|s| {
            let growth = 100.0 * (s.income_latest / s.income_baseline - 1.0);
            let mut more = Vec::new();
            if let (Some(a), Some(b)) = (s.workers_baseline, s.workers_latest)
                && b > a
            {
                more.push(format!(
                    "{} {}",
                    format::signed((b - a) as f64, 0, w.lang, ""),
                    w.pick("pekerja", "workers")
                ));
            }
            if yes(s.has_nib) {
                more.push(w.pick("punya NIB", "has an NIB").into());
            }
            if yes(s.got_kur) {
                more.push(w.pick("mendapat KUR", "got KUR").into());
            }
            if yes(s.sells_online) {
                more.push(w.pick("menjual online", "sells online").into());
            }
            vec![
                Cell::from(s.kpm_id.clone()),
                Cell::from(s.business.clone()),
                Cell::from(s.nik_masked.clone()),
                Cell::from(format!(
                    "{} → {} ({}, {})",
                    format::rupiah(s.income_baseline, w.lang),
                    format::rupiah(s.income_latest, w.lang),
                    format::signed(growth, 0, w.lang, "%"),
                    w.wave(&s.wave).to_lowercase()
                )),
                Cell::from(more.join(", ")),
                Cell::from(s.story.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Some(Table {
        title: w
            .pick(
                "Kisah sukses (dengan persetujuan KPM)",
                "Success stories (with the KPM's consent)",
            )
            .into(),
        columns: vec![
            w.pick("ID KPM", "KPM id").into(),
            w.pick("Usaha", "Business").into(),
            "NIK".into(),
            w.pick(
                "Pendapatan usaha sebulan: awal → terakhir",
                "Monthly business income: baseline → latest",
            )
            .into(),
            w.pick("Lainnya", "Also").into(),
            w.pick("Kisah dari inkubator", "The incubator's story").into(),
        ],
        align: vec!["left", "left", "left", "left", "left", "left"],
        rows,
        note: w
            .pick(
                "KPM yang pendapatan usahanya paling naik, hanya di antara KPM yang setuju kisahnya dibagikan (kolom consent_story di register atau lembar umpan balik; \"tidak\" di salah satunya menahan kisahnya). Kisah ditulis inkubator di lembar umpan balik. NIK ditampilkan tersamar.",
                "The KPM whose business income grew most, only among those who agreed that their story be shared (the consent_story column of the register or the feedback sheet; a \"no\" in either withholds it). Stories are the incubator's own words from its feedback sheet. NIKs are masked.",
            )
            .into(),
        // The NIK's column holds a masked NIK on one line.
        widths: vec![1.3, 1.3, 1.6, 2.0, 1.2, 2.0],
    })
}

/// The round an indicator is printed at in a table of `period`: mentoring
/// sessions and TKSK visits at the latest round that records them
/// ([`accompaniment_wave`]), so that a table of the endline does not print
/// the zero of a round without mentoring; every other indicator at `period`.
pub(crate) fn round_of<'a>(inputs: &Inputs, id: &str, period: &'a str) -> &'a str {
    if ACCOMPANIMENT.contains(&id) {
        accompaniment_wave(inputs, id).unwrap_or(period)
    } else {
        period
    }
}

/// The indicators of the follow-up table: whether the business survived a
/// year after the endline, its income and the jobs in it, and saving.
pub(crate) const FOLLOWUP_TABLE: [&str; 5] = [
    "business_operating",
    "business_income",
    "business_income_change_pct",
    "workers_total",
    "saves_monthly",
];

/// A year on: the follow-up survey's figures of a scope beside its
/// endline's, when the data has a follow-up round (and the run's period
/// reaches it); None otherwise. Changes are from the baseline, over the KPM
/// who answered both.
pub(crate) fn followup_table(inputs: &Inputs, w: &Words, level: &str, code: &str) -> Option<Table> {
    let rows: Vec<Vec<Cell>> = FOLLOWUP_TABLE
        .iter()
        .filter_map(|id| {
            let i = inputs.catalog.get(id)?;
            let after = inputs.row(id, "followup", level, code)?;
            let endline = inputs.row(id, "endline", level, code);
            let shown = |r: &IndicatorRow| {
                if r.suppressed {
                    w.suppressed(r)
                } else {
                    w.value(i, r.value)
                }
            };
            Some(vec![
                Cell::from(w.label(i).to_string()),
                Cell::from(endline.map_or_else(|| "–".to_string(), shown)),
                Cell::from(w.n(after.n)),
                Cell::from(shown(after)),
                Cell::from(if after.suppressed {
                    w.suppressed(after)
                } else {
                    w.ci(i, after)
                }),
            ])
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        title: w
            .pick(
                "Setahun kemudian: survei tindak lanjut",
                "A year on: the follow-up survey",
            )
            .into(),
        columns: vec![
            w.pick("Indikator", "Indicator").into(),
            w.pick("Akhir", "Endline").into(),
            "n".into(),
            w.pick("Tindak lanjut", "Follow-up").into(),
            w.pick("IK 95%", "95% CI").into(),
        ],
        align: vec!["left", "right", "right", "right", "right"],
        rows,
        note: w
            .pick(
                "Survei tindak lanjut, sekitar setahun setelah survei akhir: apakah usaha bertahan, dan pendapatannya. Perubahan dihitung dari survei awal atas KPM yang menjawab survei awal dan tindak lanjut.",
                "The follow-up survey, about a year after the endline: whether the businesses survived, and their income. Changes are from the baseline, over the KPM who answered both the baseline and the follow-up.",
            )
            .into(),
        widths: Vec::new(),
    })
}

/// The counts of accompaniment (mentoring sessions, TKSK visits), which a
/// round without the programme's accompaniment records as zero.
const ACCOMPANIMENT: [&str; 2] = [MENTOR_TABLE[0], TKSK_TABLE[0]];

/// An indicator's name in a table of `period`, with the round it is
/// printed at when that is another ([`round_of`]).
pub(crate) fn label_at(w: &Words, i: &Indicator, round: &str, period: &str) -> String {
    if round == period {
        w.label(i).to_string()
    } else {
        format!("{} ({})", w.label(i), w.wave(round).to_lowercase())
    }
}

/// Complementary suppression in a table of the parts of one whole (an
/// incubator's mentors, a regency's TKSK: people the indicator table cannot
/// tie to their whole, so its own suppression does not cover them; cohorts,
/// a crossed level, it does): where a column hides
/// exactly one part's figure, the whole's figure and the other parts' would
/// give it away by subtraction, so the smallest other part (by `sizes`, one
/// per row) is withheld too. `hidden[r][k]` says whether row `r` hides
/// column `first + k`.
pub(crate) fn withhold_complements(
    rows: &mut [Vec<Cell>],
    hidden: &[Vec<bool>],
    sizes: &[i64],
    first: usize,
    w: &Words,
) {
    let columns = hidden.first().map_or(0, Vec::len);
    for k in 0..columns {
        let hiding: Vec<usize> = hidden
            .iter()
            .enumerate()
            .filter(|(_, h)| h.get(k).copied().unwrap_or(false))
            .map(|(r, _)| r)
            .collect();
        if hiding.len() != 1 {
            continue;
        }
        let other = (0..rows.len())
            .filter(|r| *r != hiding[0])
            .min_by_key(|r| sizes.get(*r).copied().unwrap_or(i64::MAX));
        if let Some(cell) = other.and_then(|r| rows[r].get_mut(first + k)) {
            *cell = Cell::from(w.pick("ditutup", "withheld").to_string());
        }
    }
}

/// One line per person who accompanies the scope's KPM (`level` `mentor`
/// or `tksk`): how many KPM the register gives them, the sessions or visits
/// per month in the latest round that had any, and the outcomes at the
/// latest wave. None when the register names nobody.
pub(crate) fn accompaniment_table(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    people: &[(String, i64)],
) -> Option<Table> {
    if people.is_empty() {
        return None;
    }
    let (ids, title, person): (&[&str], _, _) = if level == "mentor" {
        (
            &MENTOR_TABLE,
            w.pick(
                "Pendampingan per mentor bisnis (MiBi)",
                "Mentoring by business mentor (MiBi)",
            ),
            w.pick("Mentor", "Mentor"),
        )
    } else {
        (
            &TKSK_TABLE,
            w.pick("Pendampingan per TKSK", "Accompaniment by TKSK"),
            "TKSK",
        )
    };
    let latest = inputs.latest_wave();
    let recorded = accompaniment_wave(inputs, ids[0]);
    let accompanied = recorded.unwrap_or(latest);
    let indicators: Vec<&Indicator> = ids.iter().filter_map(|id| inputs.catalog.get(id)).collect();
    let mut columns = vec![person.to_string(), "KPM".to_string()];
    columns.extend(indicators.iter().map(|i| short_label(i, w)));
    let mut hidden: Vec<Vec<bool>> = Vec::new();
    let mut rows: Vec<Vec<Cell>> = people
        .iter()
        .map(|(name, kpm)| {
            let mut row = vec![
                Cell::from(name.clone()),
                Cell::from(format::number(*kpm as f64, 0, w.lang)),
            ];
            hidden.push(vec![false; indicators.len()]);
            let hides = hidden.last_mut().expect("pushed above");
            for (k, i) in indicators.iter().enumerate() {
                let period = if k == 0 { accompanied } else { latest };
                row.push(match inputs.row(&i.id, period, level, name) {
                    Some(r) if r.suppressed => {
                        hides[k] = true;
                        Cell::from(w.suppressed(r))
                    }
                    Some(r) => Cell {
                        text: w.value(i, r.value),
                        status: r.status.clone(),
                    },
                    None => Cell::from("–".to_string()),
                });
            }
            row
        })
        .collect();
    let sizes: Vec<i64> = people.iter().map(|(_, kpm)| *kpm).collect();
    withhold_complements(&mut rows, &hidden, &sizes, 2, w);
    let mut align = vec!["left", "right"];
    align.extend(indicators.iter().map(|_| "right"));
    let planned = inputs
        .row(ids[0], accompanied, "national", NATIONAL_CODE)
        .and_then(|r| r.target);
    let label = indicators.first().map(|i| w.label(i)).unwrap_or_default();
    // Where no round records the accompaniment (a sheet without the
    // question), the note says so rather than name a round.
    let mut note = match (w.lang, recorded) {
        (Lang::Id, Some(_)) => format!(
            "{label}: putaran {}, putaran terakhir yang mencatatnya; kolom lain: putaran {}. KPM = KPM ProKUS yang didampingi menurut register.",
            w.wave(accompanied),
            w.wave(latest),
        ),
        (Lang::Id, None) => format!(
            "{label}: belum dicatat di putaran mana pun; kolom lain: putaran {}. KPM = KPM ProKUS yang didampingi menurut register.",
            w.wave(latest),
        ),
        (Lang::En, Some(_)) => format!(
            "{label}: the {} round, the latest that records it; other columns: the {} round. KPM = the ProKUS KPM the register assigns.",
            w.wave(accompanied),
            w.wave(latest),
        ),
        (Lang::En, None) => format!(
            "{label}: no round records it yet; other columns: the {} round. KPM = the ProKUS KPM the register assigns.",
            w.wave(latest),
        ),
    };
    if let (Some(plan), Some(i)) = (planned, indicators.first()) {
        note.push(' ');
        note.push_str(&match w.lang {
            Lang::Id => format!("Rencana: {}.", w.value(i, Some(plan))),
            Lang::En => format!("Planned: {}.", w.value(i, Some(plan))),
        });
    }
    if let Some(withheld) = w.withheld_note(&rows) {
        note.push(' ');
        note.push_str(withheld);
    }
    Some(Table {
        title: title.to_string(),
        columns,
        align,
        rows,
        note,
        // Room for a person's name on one line.
        widths: if level == "mentor" {
            vec![3.3, 0.5, 1.4, 0.9, 0.9, 1.0]
        } else {
            vec![3.0, 0.6, 1.5, 1.2]
        },
    })
}

pub(crate) fn short_label(i: &Indicator, w: &Words) -> String {
    let (id, en) = match i.id.as_str() {
        "business_income_change_pct" => ("Kenaikan pendapatan", "Income change"),
        "saves_monthly" => ("Menabung rutin", "Saving monthly"),
        "keeps_books" => ("Pembukuan", "Bookkeeping"),
        "jobs_created" => ("Lapangan kerja", "Jobs created"),
        "business_operating" => ("Usaha berjalan", "Still running"),
        _ => (i.label_id.as_str(), i.label_en.as_str()),
    };
    w.pick(id, en).to_string()
}

pub(crate) fn kpi(
    inputs: &Inputs,
    w: &Words,
    id: &str,
    period: &str,
    level: &str,
    group: &str,
    compare: Option<(&str, &str)>,
) -> Option<Kpi> {
    let i = inputs.catalog.get(id)?;
    let r = inputs.row(id, period, level, group)?;
    let value = if r.suppressed {
        w.suppressed(r)
    } else {
        w.value(i, r.value)
    };
    let detail = match compare.and_then(|(l, g)| inputs.row(id, period, l, g)) {
        Some(other) => format!(
            "{} {}",
            w.pick("Nasional:", "National:"),
            w.value(i, other.value)
        ),
        None if r.baseline_value.is_some()
            && !matches!(
                i.aggregation,
                prokus_metrics::Aggregation::SumChange | prokus_metrics::Aggregation::PctChange
            ) =>
        {
            format!(
                "{} {} ({})",
                w.pick("Awal:", "Baseline:"),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            )
        }
        None => format!("n = {}", format::number(r.n as f64, 0, w.lang)),
    };
    Some(Kpi {
        label: w.label(i).to_string(),
        value,
        detail,
        status: r.status.clone(),
        status_label: w.status(r.status.as_deref()),
        trend: String::new(),
    })
}

/// The national figure of indicator `id` in the last two quarters with data,
/// as "Triwulan II → III 2021: 65,2% → 71,8% (+6,6 poin)". Only for means,
/// shares, medians and ratios: a sum over the KPM who answered in a quarter
/// grows and shrinks with how many answered, so two quarters' sums say
/// nothing of a change.
pub(crate) fn quarter_trend(inputs: &Inputs, w: &Words, id: &str) -> Option<String> {
    use prokus_metrics::Aggregation;
    let i = inputs.catalog.get(id)?;
    if matches!(i.aggregation, Aggregation::Sum | Aggregation::SumChange) {
        return None;
    }
    let [before, last] = inputs.quarters.last_chunk::<2>()?;
    let value = |q: &(String, NaiveDate)| {
        inputs
            .row(id, &q.0, "national", NATIONAL_CODE)
            .filter(|r| !r.suppressed)
            .and_then(|r| r.value)
    };
    let (a, b) = (value(before)?, value(last)?);
    let last_label = format::quarter(last.1, w.lang);
    let before_label = format::quarter(before.1, w.lang);
    // "Triwulan II → III 2021" and "Q2 → Q3 2021" in one year.
    let same_year = before.1.year() == last.1.year();
    let span = match (w.lang, same_year) {
        (_, false) => format!("{before_label} → {last_label}"),
        (Lang::Id, true) => format!(
            "{} → {}",
            before_label
                .rsplit_once(' ')
                .map_or(&*before_label, |x| x.0),
            last_label.trim_start_matches("Triwulan ")
        ),
        (Lang::En, true) => format!(
            "{} → {last_label}",
            before_label
                .rsplit_once(' ')
                .map_or(&*before_label, |x| x.0)
        ),
    };
    Some(format!(
        "{span}: {} → {} ({})",
        w.value(i, Some(a)),
        w.value(i, Some(b)),
        w.change(i, Some(b - a))
    ))
}

pub(crate) fn summary(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    group: &str,
    scope: &str,
    period: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let cat = &inputs.catalog;
    // At the baseline: the income as it was, with no change yet.
    if period == "baseline"
        && let (Some(i), Some(r)) = (
            cat.get("business_income"),
            inputs.row("business_income", period, level, group),
        )
        && !r.suppressed
    {
        out.push(match w.lang {
            Lang::Id => format!(
                "Pendapatan bersih usaha rata-rata KPM {scope} {} per bulan pada survei awal (n = {}).",
                w.value(i, r.value),
                r.n
            ),
            Lang::En => format!(
                "The mean net business income of KPM in {scope} was {} a month at the baseline (n = {}).",
                w.value(i, r.value),
                r.n
            ),
        });
    }
    if let (Some(i), Some(r), Some(pct)) = (
        cat.get("business_income"),
        inputs.row("business_income", period, level, group),
        inputs.row("business_income_change_pct", period, level, group),
    ) && !r.suppressed
    {
        let p = cat
            .get("business_income_change_pct")
            .map(|c| w.change(c, pct.value))
            .unwrap_or_default();
        let verb = if pct.value.unwrap_or(0.0) >= 0.0 {
            w.pick("naik", "rose")
        } else {
            w.pick("turun", "fell")
        };
        out.push(match w.lang {
            Lang::Id => format!(
                "Pendapatan bersih usaha rata-rata KPM {scope} {verb} {} dari {} menjadi {} per bulan antara survei awal dan {} (n = {}).",
                p.trim_start_matches(['+', '−']).replace(" poin", "%"), w.value(i, r.baseline_value), w.value(i, r.value), w.wave(period).to_lowercase(), r.n
            ),
            Lang::En => format!(
                "The mean net business income of KPM in {scope} {verb} by {} from {} to {} a month between the baseline and the {} (n = {}).",
                p.trim_start_matches(['+', '−']).replace(" pts", "%"), w.value(i, r.baseline_value), w.value(i, r.value), w.wave(period).to_lowercase(), r.n
            ),
        });
    }
    if let (Some(i), Some(r)) = (
        cat.get("saves_monthly"),
        inputs.row("saves_monthly", period, level, group),
    ) && !r.suppressed
    {
        out.push(match (w.lang, period == "baseline") {
            // The baseline itself: nothing to compare with yet.
            (Lang::Id, true) => format!(
                "{} KPM menabung minimal sebulan sekali pada survei awal (n = {}).",
                w.value(i, r.value),
                r.n
            ),
            (Lang::En, true) => format!(
                "{} of KPM saved at least monthly at the baseline (n = {}).",
                w.value(i, r.value),
                r.n
            ),
            (Lang::Id, false) => format!(
                "{} KPM menabung minimal sebulan sekali, dibanding {} pada survei awal ({}).",
                w.value(i, r.value),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            ),
            (Lang::En, false) => format!(
                "{} of KPM save at least monthly, against {} at the baseline ({}).",
                w.value(i, r.value),
                w.value(i, r.baseline_value),
                w.change(i, r.change)
            ),
        });
    }
    if let (Some(i), Some(r)) = (
        cat.get("jobs_created"),
        inputs.row("jobs_created", period, level, group),
    ) && let (false, Some(v)) = (r.suppressed, r.value)
    {
        let n = w.value(i, Some(v.abs()));
        out.push(match (w.lang, v >= 0.0) {
            (Lang::Id, true) => format!("Usaha KPM menambah {n} pekerja (dibayar dan keluarga) sejak survei awal."),
            (Lang::Id, false) => format!("Jumlah pekerja usaha KPM (dibayar dan keluarga) berkurang {n} orang sejak survei awal."),
            (Lang::En, true) => format!("KPM businesses added {n} workers (paid and family) since the baseline."),
            (Lang::En, false) => format!("KPM businesses have {n} fewer workers (paid and family) than at the baseline."),
        });
    }
    let statuses: Vec<&str> = inputs
        .catalog
        .indicators
        .iter()
        .filter_map(|i| inputs.row(&i.id, period, level, group)?.status.as_deref())
        .collect();
    if !statuses.is_empty() {
        let on = statuses.iter().filter(|s| **s == "on_track").count();
        out.push(match w.lang {
            Lang::Id => format!(
                "{on} dari {} indikator bertarget sudah sesuai target.",
                statuses.len()
            ),
            Lang::En => format!(
                "{on} of {} indicators with a target are on track.",
                statuses.len()
            ),
        });
    }
    out
}

pub(crate) fn headings(w: &Words) -> BTreeMap<&'static str, String> {
    [
        ("summary", w.pick("Ringkasan", "Summary")),
        ("kpis", w.pick("Indikator utama", "Key indicators")),
        ("charts", w.pick("Grafik", "Charts")),
        ("tables", w.pick("Rincian", "Details")),
        ("annex", w.pick("Lampiran", "Annex")),
        ("impact", w.pick("Dampak program", "Programme impact")),
        ("page", w.pick("Halaman", "Page")),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// The width of a page's text (A4 less common.typ's side margins of 1.8 cm),
/// in points.
const HEADER_WIDTH: f64 = (210.0 - 2.0 * 18.0) / 25.4 * 72.0;

/// The running header's text size (common.typ), in points.
const HEADER_SIZE: f64 = 7.5;

pub(crate) fn meta(inputs: &Inputs, w: &Words, title: String, subtitle: String) -> Meta {
    // Printed in Jakarta's time (WIB, UTC+7, no daylight saving), where the
    // reports are read; the PDF's own timestamp stays in UTC.
    let wib = inputs.generated + chrono::TimeDelta::hours(7);
    let generated = format!(
        "{} {} WIB",
        format::date(wib.date(), w.lang),
        wib.format("%H:%M")
    );
    let engine = format!("prokus {}", env!("CARGO_PKG_VERSION"));
    let period = inputs.period_label(w.lang);
    // The running header's line: the title, then the period at its right
    // end, 2 em apart (common.typ's page header).
    let room =
        HEADER_WIDTH - crate::fonts::text_width(&period, HEADER_SIZE, false) - 2.0 * HEADER_SIZE;
    Meta {
        header: crate::fonts::fit(&title, room, HEADER_SIZE),
        footer: format!(
            "{} {} · {} · {} {}",
            w.pick("Data", "Data"),
            inputs.db.snapshot,
            engine,
            w.pick("Dibuat", "Generated"),
            generated
        ),
        title,
        subtitle,
        period,
        generated,
        snapshot: inputs.db.snapshot.clone(),
        engine,
        lang: w.lang.code(),
    }
}

pub(crate) fn methods_annex(inputs: &Inputs, w: &Words) -> Table {
    let rows = inputs
        .catalog
        .indicators
        .iter()
        .map(|i| {
            let aggregation = match i.aggregation {
                prokus_metrics::Aggregation::Mean => {
                    w.pick("rata-rata (interval t)", "mean (t interval)")
                }
                prokus_metrics::Aggregation::Share => {
                    w.pick("persentase (interval Wilson)", "share (Wilson interval)")
                }
                prokus_metrics::Aggregation::SumChange => w.pick(
                    "jumlah perubahan (interval t)",
                    "sum of changes (t interval)",
                ),
                prokus_metrics::Aggregation::PctChange => w.pick(
                    "rasio jumlah (metode delta)",
                    "ratio of sums (delta method)",
                ),
                prokus_metrics::Aggregation::Median => {
                    w.pick("median (tanpa interval)", "median (no interval)")
                }
                prokus_metrics::Aggregation::Sum => {
                    w.pick("jumlah (interval t)", "sum (t interval)")
                }
            };
            vec![
                Cell::from(w.label(i).to_string()),
                Cell::from(if w.lang == Lang::Id {
                    i.definition_id.clone()
                } else {
                    i.definition_en.clone()
                }),
                Cell::from(aggregation.to_string()),
                Cell::from(i.source.join(", ")),
            ]
        })
        .collect();
    Table {
        title: w.pick("Metode: katalog indikator", "Methods: indicator catalog").into(),
        columns: [w.pick("Indikator", "Indicator"), w.pick("Definisi", "Definition"), w.pick("Agregasi", "Aggregation"), w.pick("Pertanyaan", "Questions")].iter().map(|s| s.to_string()).collect(),
        align: vec!["left", "left", "left", "left"],
        rows,
        note: w.pick("Dihasilkan dari queries/indicators.toml. Angka tingkat atas dihitung ulang dari data KPM, bukan rata-rata angka tingkat bawah.", "Generated from queries/indicators.toml. Higher-level figures are recomputed from KPM data, never averaged from lower levels.").into(),
        widths: Vec::new(),
    }
}

pub(crate) fn quality_annex(inputs: &Inputs, w: &Words) -> Vec<Table> {
    let num = |v: i64| Cell::from(format::number(v as f64, 0, w.lang));
    let files = Table {
        title: w
            .pick(
                "Kualitas data: berkas yang dimuat",
                "Data quality: files loaded",
            )
            .into(),
        columns: [
            w.pick("Berkas", "File"),
            w.pick("Format", "Format"),
            w.pick("Dibaca", "Read"),
            w.pick("Dimuat", "Loaded"),
            w.pick("Ditolak", "Rejected"),
            w.pick("Duplikat", "Duplicate"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        align: vec!["left", "left", "right", "right", "right", "right"],
        rows: inputs
            .db
            .batches
            .iter()
            .map(|b| {
                vec![
                    Cell::from(file_name(&b.file)),
                    Cell::from(b.format.clone()),
                    num(b.counts[0]),
                    num(b.counts[1]),
                    num(b.counts[2]),
                    num(b.counts[3]),
                ]
            })
            .collect(),
        note: {
            let mut note = w.pick("Setiap baris masukan dimuat atau dicatat sebagai ditolak beserta alasannya (prokus rejects). Duplikat: kiriman yang sudah dimuat dari ekspor sebelumnya.", "Every input row is loaded or recorded as rejected with its reason. Duplicate: submissions already loaded from an earlier export.").to_string();
            // Answers that no quarter counts, and why.
            let undated: Vec<&crate::inputs::BatchInfo> =
                inputs.db.batches.iter().filter(|b| b.undated > 0).collect();
            if !undated.is_empty() {
                let n: i64 = undated.iter().map(|b| b.undated).sum();
                let files = undated
                    .iter()
                    .map(|b| file_name(&b.file))
                    .collect::<Vec<_>>()
                    .join(", ");
                note.push(' ');
                note.push_str(&match w.lang {
                    Lang::Id => format!(
                        "{} jawaban tanpa tanggal wawancara ({files}) dihitung pada putarannya, tetapi tidak pada triwulan atau tahun berjalan mana pun.",
                        format::number(n as f64, 0, w.lang)
                    ),
                    Lang::En => format!(
                        "{} answers without an interview date ({files}) count in their round, but in no quarter or year to date.",
                        format::number(n as f64, 0, w.lang)
                    ),
                });
            }
            for missing in [
                (!inputs.settings.has_targets()).then(|| w.no_targets()),
                (!inputs.settings.has_schedule()).then(|| w.no_schedule()),
            ]
            .into_iter()
            .flatten()
            {
                note.push(' ');
                note.push_str(missing);
            }
            note
        },
        widths: Vec::new(),
    };
    let reasons = Table {
        title: w
            .pick(
                "Alasan penolakan terbanyak",
                "Most common reasons for rejection",
            )
            .into(),
        columns: header(&[
            w.pick("Jenis", "Kind"),
            w.pick("Alasan", "Reason"),
            w.pick("Baris", "Rows"),
        ]),
        align: vec!["left", "left", "right"],
        rows: inputs
            .db
            .reasons
            .iter()
            .map(|(k, r, n)| vec![Cell::from(k.clone()), Cell::from(r.clone()), num(*n)])
            .collect(),
        note: String::new(),
        widths: Vec::new(),
    };
    // No row refused: no table of reasons with nothing in it.
    let mut tables = vec![files];
    if !reasons.rows.is_empty() {
        tables.push(reasons);
    }
    if !inputs.quality.not_collected.is_empty() {
        tables.push(Table {
            title: w
                .pick(
                    "Pertanyaan yang tidak ada di berkas",
                    "Questions a file does not ask",
                )
                .into(),
            columns: header(&[
                w.pick("Berkas", "File"),
                w.pick("Jawaban", "Answers"),
                w.pick("Tidak dikumpulkan", "Not collected"),
            ]),
            align: vec!["left", "right", "left"],
            rows: inputs
                .quality
                .not_collected
                .iter()
                .map(|n| {
                    let name = std::path::Path::new(&n.file)
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_else(|| n.file.clone());
                    vec![
                        Cell::from(name),
                        num(n.answers as i64),
                        Cell::from(n.field_labels(w.lang)),
                    ]
                })
                .collect(),
            note: w
                .pick(
                    "Berkas ini tidak memuat kolom untuk pertanyaan tersebut, sehingga jawabannya tidak dinilai kosong; indikator yang memerlukannya dihitung dari berkas lain saja.",
                    "These files have no column for these questions, so their answers are not judged missing; the indicators that need them are computed from the other files only.",
                )
                .into(),
            widths: Vec::new(),
        });
    }
    tables
}

/// A table's column headers.
pub(crate) fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A loaded file's name without its folders, as the annex prints it.
fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One hidden part of a whole hides the smallest other part too; two
    /// hidden parts, or none, hide nothing more.
    #[test]
    fn a_lone_hidden_part_takes_the_smallest_other_with_it() {
        let w = Words {
            lang: Lang::Id,
            min_cell: 5,
        };
        let cell = |t: &str| Cell::from(t.to_string());
        let mut rows = vec![
            vec![cell("M1"), cell("n<5"), cell("n<5"), cell("50%")],
            vec![cell("M2"), cell("60%"), cell("n<5"), cell("40%")],
            vec![cell("M3"), cell("70%"), cell("30%"), cell("45%")],
            vec![cell("M4"), cell("80%"), cell("20%"), cell("35%")],
        ];
        let hidden = vec![
            vec![true, true, false],
            vec![false, true, false],
            vec![false, false, false],
            vec![false, false, false],
        ];
        // M4 is smaller than M2 and M3.
        withhold_complements(&mut rows, &hidden, &[3, 12, 9, 7], 1, &w);
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            [
                ["M1", "n<5", "n<5", "50%"],
                ["M2", "60%", "n<5", "40%"],
                ["M3", "70%", "30%", "45%"],
                ["M4", "ditutup", "20%", "35%"],
            ]
        );
    }
}
