//! The feedback report of one incubator: only its own KPM, their outcomes
//! against the nation, those who need attention, and its data to fix.

use prokus_metrics::Indicator;
use prokus_metrics::quality::{Check, QualityReport};

use crate::ReportError;
use crate::charts::{self, Series};
use crate::figures::*;
use crate::format::{self, Lang};
use crate::inputs::*;
use crate::payload::*;
use crate::sections::*;
use crate::words::*;

/// The KPI tiles of an incubator's feedback report.
pub(crate) const INCUBATOR_KPIS: [&str; 4] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "business_operating",
];

/// Completeness and timeliness of one incubator's KPM, wave by wave, from
/// the data-quality checks (against the survey calendar).
pub(crate) fn completeness_table(quality: &QualityReport, w: &Words, has_schedule: bool) -> Table {
    let lang = w.lang;
    let pct = |v: Option<f64>| {
        v.map(|v| format::percent(v, 1, lang))
            .unwrap_or_else(|| "–".into())
    };
    let count = |v: Option<u64>| {
        v.map(|v| format::number(v as f64, 0, lang))
            .unwrap_or_else(|| "–".into())
    };
    let mut table = Table {
        title: w
            .pick("Kelengkapan dan ketepatan waktu data", "Data completeness and timeliness")
            .into(),
        columns: header(&[
            w.pick("Putaran", "Round"),
            w.pick("Batas kirim", "Deadline"),
            w.pick("Diharapkan", "Expected"),
            w.pick("Menjawab", "Answered"),
            w.pick("Lengkap", "Complete"),
            w.pick("Terlambat", "Late"),
            w.pick("Tepat waktu", "On time"),
        ]),
        align: vec!["left", "left", "right", "right", "right", "right", "right"],
        rows: quality
            .completeness
            .iter()
            .map(|c| {
                vec![
                    Cell::from(w.wave(&c.wave)),
                    Cell::from(
                        c.window
                            .map(|(_, closes)| format::date(closes, lang))
                            .unwrap_or_else(|| "–".into()),
                    ),
                    Cell::from(count(c.expected)),
                    Cell::from(format::number(c.responded as f64, 0, lang)),
                    Cell::from(pct(c.completeness_pct())),
                    Cell::from(count(c.window.map(|_| c.late))),
                    Cell::from(pct(c.timeliness_pct())),
                ]
            })
            .collect(),
        note: if has_schedule {
            w.pick(
                "Diharapkan: KPM yang dijadwalkan disurvei pada putaran itu. Tepat waktu: dikirim paling lambat pada batas kirim (WIB). KPM yang belum menjawab perlu ditindaklanjuti bersama pendamping PKH dan TKSK.",
                "Expected: KPM scheduled to be surveyed in the round. On time: sent by the deadline (WIB). KPM who have not answered need follow-up with PKH facilitators and TKSK.",
            )
        } else {
            w.no_schedule()
        }
        .into(),
        widths: Vec::new(),
    };
    if !has_schedule {
        // Without a calendar only the answers can be counted: keep the
        // round and the answers.
        let keep = [0, 3];
        let pick = |row: &Vec<Cell>| keep.iter().map(|&k| row[k].clone()).collect::<Vec<_>>();
        table.columns = keep.iter().map(|&k| table.columns[k].clone()).collect();
        table.align = keep.iter().map(|&k| table.align[k]).collect();
        table.rows = table.rows.iter().map(pick).collect();
        table.title = w
            .pick("Jawaban per putaran survei", "Answers per survey round")
            .into();
    }
    table
}

/// Findings listed in an incubator's report; the rest are in its workbook.
pub(crate) const FINDING_ROWS: usize = 25;

/// The incubator's data to fix: every finding of the checks but the missing
/// and late answers (counted in the completeness table), errors first.
pub(crate) fn data_to_fix(quality: &QualityReport, w: &Words, id: &str) -> [Table; 2] {
    let lang = w.lang;
    let mut listed: Vec<&prokus_metrics::quality::Finding> = quality
        .findings
        .iter()
        .filter(|f| !matches!(f.detail.check(), Check::NoResponse | Check::Late))
        .collect();
    listed.sort_by_key(|f| (f.detail.check().severity() != "error", f.detail.check()));
    // Each finding worded once: its problem and what to do.
    let described: Vec<(String, String)> = listed
        .iter()
        .map(|f| quality.describe(f, lang, Some(id)))
        .collect();
    // What to do, once per kind of finding (errors first), with how many
    // there are: the list below then needs no column repeating it. A kind's
    // actions are those of its first FINDING_ROWS findings.
    let mut kinds: Vec<Vec<Cell>> = Vec::new();
    let mut at = 0;
    for group in listed.chunk_by(|a, b| a.detail.check() == b.detail.check()) {
        let mut actions: Vec<&str> = Vec::new();
        for (_, action) in &described[at..at + group.len().min(FINDING_ROWS)] {
            if !actions.contains(&action.as_str()) {
                actions.push(action);
            }
        }
        kinds.push(vec![
            Cell::from(format::capitalized(group[0].detail.check().label(lang))),
            Cell::from(format::number(group.len() as f64, 0, lang)),
            Cell::from(actions.join("; ")),
        ]);
        at += group.len();
    }
    let summary = Table {
        title: w.pick("Data yang perlu diperbaiki", "Data to fix").into(),
        columns: header(&[
            w.pick("Temuan", "Finding"),
            w.pick("Jumlah", "Count"),
            w.pick("Yang perlu dilakukan", "What to do"),
        ]),
        align: vec!["left", "right", "left"],
        rows: kinds,
        note: if listed.is_empty() {
            w.pick(
                "Tidak ada temuan pemeriksaan data untuk KPM binaan inkubator ini.",
                "The data checks found nothing to fix for this incubator's KPM.",
            )
            .to_string()
        } else {
            String::new()
        },
        widths: vec![1.6, 0.6, 3.8],
    };
    // One row per problem: KPM with the same problem in the same round
    // (a register without NIKs gives every KPM the same one) share it,
    // where a row each filled the list with one line over and over.
    let mut problems: Vec<(Option<&str>, &str, Vec<&str>)> = Vec::new();
    let mut index: std::collections::HashMap<(Option<&str>, &str), usize> =
        std::collections::HashMap::new();
    for (f, (problem, _)) in listed.iter().zip(&described) {
        let key = (f.wave.as_deref(), problem.as_str());
        let i = *index.entry(key).or_insert_with(|| {
            problems.push((key.0, key.1, Vec::new()));
            problems.len() - 1
        });
        problems[i].2.push(&f.kpm_id);
    }
    let shown = &problems[..problems.len().min(FINDING_ROWS)];
    let findings_shown: usize = shown.iter().map(|(_, _, kpm)| kpm.len()).sum();
    let mut note = String::new();
    if findings_shown < listed.len() {
        note = match lang {
            Lang::Id => format!(
                "Ditampilkan {} dari {} temuan, galat lebih dulu; daftar lengkap ada di berkas pemeriksaan data inkubator ini (prokus check --per-incubator).",
                format::number(findings_shown as f64, 0, lang),
                format::number(listed.len() as f64, 0, lang)
            ),
            Lang::En => format!(
                "{} of {} findings are shown, errors first; the full list is in this incubator's data-check workbook (prokus check --per-incubator).",
                format::number(findings_shown as f64, 0, lang),
                format::number(listed.len() as f64, 0, lang)
            ),
        };
    }
    let findings = Table {
        title: w.pick("Temuan per KPM", "Findings by KPM").into(),
        columns: header(&[
            w.pick("ID KPM", "KPM id"),
            w.pick("Putaran", "Round"),
            w.pick("Masalah", "Problem"),
        ]),
        align: vec!["left", "left", "left"],
        rows: shown
            .iter()
            .map(|(wave, problem, kpm)| {
                vec![
                    Cell::from(kpm_list(kpm, w)),
                    Cell::from(wave.map(|x| w.wave(x)).unwrap_or_default()),
                    Cell::from(problem.to_string()),
                ]
            })
            .collect(),
        note,
        // A row of several KPM needs the room for three ids and the count.
        widths: if shown.iter().any(|(_, _, kpm)| kpm.len() > 1) {
            vec![1.4, 0.9, 4.3]
        } else {
            vec![1.1, 0.9, 4.6]
        },
    };
    [summary, findings]
}

/// The KPM that share a problem, as a list's cell: up to four by id, more
/// as the first three and how many others (the workbook lists them all).
fn kpm_list(kpm: &[&str], w: &Words) -> String {
    if kpm.len() <= 4 {
        return kpm.join(", ");
    }
    let others = format::number((kpm.len() - 3) as f64, 0, w.lang);
    match w.lang {
        Lang::Id => format!("{} dan {others} KPM lain", kpm[..3].join(", ")),
        Lang::En => format!("{} and {others} other KPM", kpm[..3].join(", ")),
    }
}

/// The survey windows still to come after the data's date: the next
/// reporting dates. None without a survey calendar, which the completeness
/// table's note already says.
pub(crate) fn next_dates(inputs: &Inputs, w: &Words) -> Option<Table> {
    if inputs.settings.schedule.is_empty() {
        return None;
    }
    let lang = w.lang;
    let after = inputs.quality.as_of;
    let upcoming: Vec<_> = inputs
        .settings
        .schedule
        .upcoming(after)
        .into_iter()
        .filter(|x| {
            x.arms
                .as_ref()
                .is_none_or(|a| a.iter().any(|a| a == "prokus"))
        })
        .collect();
    Some(Table {
        title: w
            .pick("Jadwal pelaporan berikutnya", "Next reporting dates")
            .into(),
        columns: header(&[
            w.pick("Putaran", "Round"),
            w.pick("Survei dibuka", "Survey opens"),
            w.pick("Batas kirim", "Deadline"),
        ]),
        align: vec!["left", "left", "left"],
        rows: upcoming
            .iter()
            .map(|x| {
                vec![
                    Cell::from(w.wave(&x.wave)),
                    Cell::from(format::date(x.opens, lang)),
                    Cell::from(format::date(x.closes, lang)),
                ]
            })
            .collect(),
        note: if upcoming.is_empty() {
            w.pick(
                "Kalender survei tidak memuat putaran berikutnya.",
                "The survey calendar has no further round.",
            )
            .into()
        } else {
            format!(
                "{} {}.",
                w.pick(
                    "Menurut kalender survei, sejak data terakhir tanggal",
                    "From the survey calendar, after the latest data of"
                ),
                format::date(after, lang)
            )
        },
        widths: Vec::new(),
    })
}

/// The most urgent KPM listed in an incubator's report (a large incubator
/// can have a thousand who need attention); every one of them is in the
/// workbook written beside the PDF ([`attention_file`]).
pub(crate) const ATTENTION_ROWS: usize = 25;

/// A KPM of the incubator and why it needs attention.
#[derive(Debug)]
pub(crate) struct Attention {
    pub(crate) kpm_id: String,
    pub(crate) business: String,
    pub(crate) nik: String,
    pub(crate) reasons: Vec<String>,
    /// The KPM's latest answered round, in words.
    pub(crate) latest_wave: String,
    pub(crate) income_baseline: Option<f64>,
    pub(crate) income_previous: Option<f64>,
    pub(crate) income_latest: Option<f64>,
}

/// The name of the file beside an incubator's PDF that lists every one of
/// its KPM who need attention.
pub fn attention_file(id: &str, lang: Lang) -> String {
    format!(
        "{}-{}.xlsx",
        prokus_files::file_stem(id),
        attention_suffix(lang)
    )
}

/// What [`attention_file`] puts after the incubator's id.
pub fn attention_suffix(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "perhatian",
        Lang::En => "attention",
    }
}

/// Every KPM of the incubator who needs attention, most urgent first, as a
/// workbook a mentor can filter ([`prokus_metrics::quality::workbook`]):
/// masked NIK, reasons, the latest round answered, and the business income
/// at baseline, in the round before the latest and in the latest (rupiah a
/// month) as numbers.
pub(crate) fn attention_xlsx(attention: &[Attention], w: &Words) -> Result<Vec<u8>, ReportError> {
    use prokus_metrics::quality::Cell as Out;
    let money = |v: Option<f64>| v.map_or(Out::Empty, Out::Number);
    let rows = attention
        .iter()
        .map(|a| {
            vec![
                Out::Text(a.kpm_id.clone()),
                Out::Text(a.business.clone()),
                Out::Text(a.nik.clone()),
                Out::Text(a.reasons.join("; ")),
                Out::Text(a.latest_wave.clone()),
                money(a.income_baseline),
                money(a.income_previous),
                money(a.income_latest),
            ]
        })
        .collect();
    let headers = vec![
        w.pick("ID KPM", "KPM id"),
        w.pick("Usaha", "Business"),
        w.pick("NIK (tersamar)", "NIK (masked)"),
        w.pick("Alasan", "Reasons"),
        w.pick("Putaran terakhir", "Latest round"),
        w.pick(
            "Pendapatan usaha awal (Rp/bulan)",
            "Business income, baseline (Rp/month)",
        ),
        w.pick(
            "Pendapatan usaha putaran sebelumnya (Rp/bulan)",
            "Business income, round before (Rp/month)",
        ),
        w.pick(
            "Pendapatan usaha putaran terakhir (Rp/bulan)",
            "Business income, latest round (Rp/month)",
        ),
    ];
    Ok(prokus_metrics::quality::workbook(
        "attention",
        vec![(
            w.pick("Perlu perhatian", "Need attention"),
            headers,
            rows,
            &[14, 30, 19, 50, 16, 20, 20, 20],
        )],
    )?)
}

/// Why `k` needs attention, judged on its latest answered round against the
/// one before: no answer in the programme's latest round (`period`), its
/// business closed, its income down by a fifth or more, stopped saving or
/// not saving regularly. None when all is well.
pub(crate) fn needs_attention(k: &KpmStatus, period: &str, w: &Words) -> Option<Attention> {
    let lang = w.lang;
    let mut reasons = Vec::new();
    if !k.waves.split(' ').any(|wv| wv == period) {
        reasons.push(format!(
            "{} {}",
            w.pick("belum menjawab survei", "has not answered the"),
            w.wave(period).to_lowercase()
        ));
    }
    let latest = k.latest.as_ref();
    let previous = k.previous.as_ref();
    if let Some(l) = latest
        && l.operating == Some(false)
    {
        reasons.push(format!(
            "{} {}",
            w.pick("usaha tutup di putaran", "business closed at the"),
            w.wave(&l.wave).to_lowercase()
        ));
    }
    if let (Some(l), Some(p)) = (latest, previous)
        && let (Some(now), Some(before)) = (l.income, p.income)
        && before > 0.0
        && now < 0.8 * before
    {
        reasons.push(format!(
            "{} {} {} {}",
            w.pick("pendapatan turun", "income fell"),
            format::percent(100.0 * (before - now) / before, 0, lang),
            w.pick("sejak putaran", "since the"),
            w.wave(&p.wave).to_lowercase()
        ));
    }
    match (
        latest.and_then(|l| l.saves_monthly),
        previous.and_then(|p| p.saves_monthly),
    ) {
        (Some(false), Some(true)) => reasons.push(
            w.pick("berhenti menabung rutin", "stopped saving regularly")
                .into(),
        ),
        (Some(false), _) => reasons.push(
            w.pick("belum menabung rutin", "not saving regularly")
                .into(),
        ),
        _ => {}
    }
    (!reasons.is_empty()).then(|| Attention {
        kpm_id: k.kpm_id.clone(),
        business: k.business.clone(),
        nik: k.nik_masked.clone(),
        reasons,
        latest_wave: latest.map(|l| w.wave(&l.wave)).unwrap_or_default(),
        income_baseline: k.income_baseline,
        income_previous: previous.and_then(|p| p.income),
        income_latest: latest.and_then(|l| l.income),
    })
}

/// The feedback report of one incubator: only its own KPM.
pub fn build(inputs: &Inputs, lang: Lang, id: &str) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let info = inputs
        .db
        .surveyed
        .incubators
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ReportError::UnknownScope(id.to_string()))?;
    let own = inputs
        .db
        .surveyed
        .kpm_by_incubator
        .get(id)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut attention: Vec<Attention> = own
        .iter()
        .filter_map(|k| needs_attention(k, period, &w))
        .collect();
    // Closed businesses and falling incomes first.
    attention.sort_by(|a, b| (b.reasons.len(), &a.kpm_id).cmp(&(a.reasons.len(), &b.kpm_id)));
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let scopes = [
        (info.name.clone(), "incubator", id),
        (
            w.pick("Nasional", "National").to_string(),
            "national",
            NATIONAL_CODE,
        ),
    ];
    crate::payload::add_chart(
        &mut charts,
        &mut refs,
        "savings",
        w.pick(
            "Kebiasaan menabung: inkubator dan nasional",
            "Savings habit: incubator and nation",
        )
        .into(),
        savings_by_wave(inputs, &w, &scopes)?,
    );
    if let (Some(mine), Some(national)) = (
        inputs.row("business_income", period, "incubator", id),
        inputs.row("business_income", period, "national", NATIONAL_CODE),
    ) && !mine.suppressed
    {
        let cats = vec![
            info.name.clone(),
            w.pick("Nasional", "National").to_string(),
        ];
        let series = vec![
            Series {
                label: w.pick("Survei awal", "Baseline").into(),
                values: vec![mine.baseline_value, national.baseline_value],
            },
            Series {
                label: w.wave(period),
                values: vec![mine.value, national.value],
            },
        ];
        let chart = charts::grouped_hbars(
            w.pick(
                "Pendapatan bersih usaha rata-rata (Rp/bulan)",
                "Mean net business income (Rp/month)",
            ),
            &chart_note(&w, mine.n, ""),
            &cats,
            &series,
            &|v| short_rupiah(v, lang),
            charts::WIDTH,
            charts::MAX_HEIGHT,
        )?;
        crate::payload::add_chart(
            &mut charts,
            &mut refs,
            "income",
            w.pick(
                "Pendapatan: inkubator dan nasional",
                "Income: incubator and nation",
            )
            .into(),
            chart,
        );
    }
    // Rank among incubators on each indicator (1 = best).
    let rank = |ind: &Indicator| -> String {
        let mut values: Vec<(String, f64)> = inputs
            .db
            .surveyed
            .incubators
            .iter()
            .filter_map(|i| {
                Some((
                    i.id.clone(),
                    inputs
                        .row(
                            &ind.id,
                            round_of(inputs, &ind.id, period),
                            "incubator",
                            &i.id,
                        )
                        .filter(|r| !r.suppressed)?
                        .value?,
                ))
            })
            .collect();
        values.sort_by(|a, b| match ind.direction {
            prokus_metrics::Direction::Higher => b.1.total_cmp(&a.1),
            prokus_metrics::Direction::Lower => a.1.total_cmp(&b.1),
        });
        values
            .iter()
            .position(|(i, _)| i == id)
            .map(|p| format!("{}/{}", p + 1, values.len()))
            .unwrap_or_else(|| "–".into())
    };
    // Without targets there is no status column.
    let targets = inputs.settings.has_targets();
    let mut compare_rows = Vec::new();
    for ind in &inputs.catalog.indicators {
        let round = round_of(inputs, &ind.id, period);
        let (Some(mine), Some(national)) = (
            inputs.row(&ind.id, round, "incubator", id),
            inputs.row(&ind.id, round, "national", NATIONAL_CODE),
        ) else {
            continue;
        };
        compare_rows.push(vec![
            Cell::from(label_at(&w, ind, round, period)),
            Cell::from(w.n(mine.n)),
            Cell::from(if mine.suppressed {
                w.suppressed(mine)
            } else {
                w.value(ind, mine.value)
            }),
            Cell::from(w.value(ind, national.value)),
            Cell::from(rank(ind)),
        ]);
        if targets {
            compare_rows.last_mut().expect("just pushed").push(Cell {
                text: w.status(mine.status.as_deref()),
                status: mine.status.clone(),
            });
        }
    }
    let mut compare_columns = header(&[
        w.pick("Indikator", "Indicator"),
        "n",
        w.pick("Inkubator", "Incubator"),
        w.pick("Nasional", "National"),
        w.pick("Peringkat", "Rank"),
        "Status",
    ]);
    let mut compare_align = vec!["left", "right", "right", "right", "right", "left"];
    if !targets {
        compare_columns.pop();
        compare_align.pop();
    }
    let cohorts = cohort_table(inputs, &w, id, period);
    // The incubator's own mentors, as its register names them.
    let mentors = inputs
        .db
        .surveyed
        .accompaniment
        .get(&("mentor".to_string(), id.to_string()))
        .and_then(|people| accompaniment_table(inputs, &w, "mentor", people));
    let compare = Table {
        title: w
            .pick(
                "Capaian KPM binaan dibanding nasional",
                "Your KPM's outcomes against the national picture",
            )
            .into(),
        columns: compare_columns,
        align: compare_align,
        rows: compare_rows,
        note: format!(
            "{} {} {}.",
            w.pick("Peringkat di antara", "Rank among"),
            inputs.db.surveyed.incubators.len(),
            w.pick("inkubator (1 = terbaik)", "incubators (1 = best)")
        ),
        widths: Vec::new(),
    };
    let attention_file = attention_file(id, lang);
    let attention_table = Table {
        title: w
            .pick("KPM yang perlu perhatian", "KPM who need attention")
            .into(),
        columns: header(&[
            w.pick("ID KPM", "KPM id"),
            w.pick("Usaha", "Business"),
            "NIK",
            w.pick("Alasan", "Reasons"),
        ]),
        align: vec!["left", "left", "left", "left"],
        rows: attention
            .iter()
            .take(ATTENTION_ROWS)
            .map(|a| {
                vec![
                    Cell::from(a.kpm_id.clone()),
                    Cell::from(a.business.clone()),
                    Cell::from(a.nik.clone()),
                    Cell::from(a.reasons.join("; ")),
                ]
            })
            .collect(),
        note: {
            let mut note = w
                .pick(
                    "NIK ditampilkan tersamar. Daftar ini hanya memuat KPM binaan inkubator ini.",
                    "NIKs are masked. This list holds only this incubator's KPM.",
                )
                .to_string();
            if attention.len() > ATTENTION_ROWS {
                let n = format::number(attention.len() as f64, 0, lang);
                note.push_str(&match lang {
                    Lang::Id => format!(
                        " Ditampilkan {ATTENTION_ROWS} yang paling mendesak dari {n} KPM yang perlu perhatian."
                    ),
                    Lang::En => format!(
                        " The {ATTENTION_ROWS} most urgent of {n} KPM who need attention are shown."
                    ),
                });
            }
            note.push_str(&match lang {
                Lang::Id => format!(
                    " Setiap KPM dinilai dari putaran terakhir yang dijawabnya. Daftar lengkap, dengan pendapatan usaha awal, putaran sebelumnya dan terakhir: berkas Excel {attention_file} di samping PDF ini."
                ),
                Lang::En => format!(
                    " Each KPM is judged on the latest round it answered. The full list, with business income at baseline, in the round before and in the latest: the Excel file {attention_file} beside this PDF."
                ),
            });
            note
        },
        widths: Vec::new(),
    };
    let none;
    let quality = match inputs.quality_by_unit.get(id) {
        Some(own) => own,
        None => {
            none = inputs.quality.for_unit(id);
            &none
        }
    };
    let completeness = completeness_table(quality, &w, inputs.settings.has_schedule());
    let [to_fix, fix_list] = data_to_fix(quality, &w, id);
    let next = next_dates(inputs, &w);
    Ok(Built {
        payload: Payload {
            meta: meta(
                inputs,
                &w,
                format!(
                    "{} · {}",
                    w.pick("Umpan Balik Inkubator", "Incubator Feedback"),
                    info.name
                ),
                // An incubator list without a university column leaves
                // it empty: no empty part before the province.
                [
                    info.university.trim(),
                    info.province_name.trim(),
                    &format!("{} KPM", format::number(info.kpm as f64, 0, lang)),
                ]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · "),
            ),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                "incubator",
                id,
                w.pick("binaan", "your cohort"),
                period,
            ),
            kpis: INCUBATOR_KPIS
                .iter()
                .filter_map(|k| {
                    kpi(
                        inputs,
                        &w,
                        k,
                        period,
                        "incubator",
                        id,
                        Some(("national", NATIONAL_CODE)),
                    )
                })
                .collect(),
            tables: [
                Some(compare),
                followup_table(inputs, &w, "incubator", id),
                Some(crate::findings::findings_table(inputs, &w, "incubator", id)),
                crate::findings::written_feedback(
                    inputs,
                    &w,
                    |f| f.site_level == "incubator" && f.site_code == id,
                    crate::findings::ALL_FEEDBACK,
                    inputs.asked_quarter(),
                ),
                cohorts,
                mentors,
                Some(attention_table),
                success_stories(
                    inputs,
                    &w,
                    |s| s.incubator_id == id,
                    crate::sections::STORIES_PER_INCUBATOR,
                ),
                Some(completeness),
                Some(to_fix),
                Some(fix_list),
                next,
            ]
            .into_iter()
            .flatten()
            .filter(|t| !t.rows.is_empty() || !t.note.is_empty())
            .collect(),
            charts: refs,
            annex: Vec::new(),
            impact: Vec::new(),
        },
        charts,
        files: vec![Companion {
            name: attention_file,
            lang,
            content: CompanionContent::Attention(attention),
        }],
    })
}

/// For an incubator whose KPM belong to several cohorts (`cohort_year`), a
/// line per cohort with the key indicators, so that each cohort gets its own
/// feedback; None with one cohort. A small cohort's complement is already
/// hidden in the indicator rows (`incubator:cohort` is a crossed level whose
/// parts add up to the incubator).
fn cohort_table(inputs: &Inputs, w: &Words, id: &str, period: &str) -> Option<Table> {
    let cohorts: Vec<(String, String)> = inputs
        .groups
        .get("incubator:cohort")?
        .iter()
        .filter_map(|(code, _)| {
            let year = code.strip_prefix(id)?.strip_prefix(':')?;
            Some((
                code.clone(),
                format!("{} {year}", w.pick("Angkatan", "Cohort")),
            ))
        })
        .collect();
    (cohorts.len() > 1).then(|| {
        group_table(
            inputs,
            w,
            "incubator:cohort",
            &cohorts,
            period,
            w.pick("Per angkatan", "By cohort").into(),
        )
    })
}

/// One feedback report per incubator, `incubator/<id>.pdf`, with the
/// workbook of its KPM who need attention beside it.
pub const AUDIENCE: super::Audience = super::Audience {
    name: "incubator",
    readers: "each business incubator: feedback on its own KPM only",
    levels: &["national", "incubator", "mentor", "incubator:cohort"],
    checks: true,
    impact: false,
    kpm_lists: true,
    template: "incubator.typ",
    source: include_str!("../../../../report-templates/incubator.typ"),
    scopes: |inputs| {
        inputs
            .db
            .surveyed
            .incubators
            .iter()
            .map(|i| i.id.clone())
            .collect()
    },
    file_name: |_, id| {
        std::path::PathBuf::from("incubator").join(format!("{}.pdf", prokus_files::file_stem(id)))
    },
    build,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A round: its wave, income, whether the business runs and how often
    /// the KPM saves (`monthly` or more often, `rarely`; the SQL of
    /// queries/report/attention.sql turns the answers into the flag).
    fn round(wave: &str, income: f64, operating: bool, saving: &str) -> Round {
        Round {
            wave: wave.into(),
            income: Some(income),
            operating: Some(operating),
            saves_monthly: Some(saving != "rarely"),
        }
    }

    fn kpm(waves: &str, latest: Option<Round>, previous: Option<Round>) -> KpmStatus {
        KpmStatus {
            kpm_id: "K1".into(),
            business: "Warung".into(),
            nik_masked: "3273********0001".into(),
            income_baseline: Some(1_000_000.0),
            latest,
            previous,
            waves: waves.into(),
        }
    }

    /// Before the endline, a KPM is judged on its latest round against the
    /// one before: a fall in income since then, a closed business, a saver
    /// who stopped; and one who has not answered the programme's latest
    /// round is listed for that.
    #[test]
    fn attention_is_judged_on_each_kpm_latest_round() {
        let w = Words {
            lang: Lang::En,
            min_cell: 5,
        };
        let fine = kpm(
            "baseline monitoring_1 monitoring_2",
            Some(round("monitoring_2", 1_000_000.0, true, "weekly")),
            Some(round("monitoring_1", 1_100_000.0, true, "monthly")),
        );
        assert!(needs_attention(&fine, "monitoring_2", &w).is_none());

        let fell = kpm(
            "baseline monitoring_1 monitoring_2",
            Some(round("monitoring_2", 700_000.0, true, "rarely")),
            Some(round("monitoring_1", 1_000_000.0, true, "monthly")),
        );
        let a = needs_attention(&fell, "monitoring_2", &w).unwrap();
        assert_eq!(
            a.reasons,
            [
                "income fell 30% since the monitoring 1",
                "stopped saving regularly"
            ]
        );
        assert_eq!(a.latest_wave, "Monitoring 2");
        assert_eq!(
            (a.income_previous, a.income_latest),
            (Some(1_000_000.0), Some(700_000.0))
        );

        let closed = kpm(
            "baseline monitoring_1",
            Some(round("monitoring_1", 0.0, false, "rarely")),
            Some(round("baseline", 900_000.0, true, "rarely")),
        );
        let a = needs_attention(&closed, "monitoring_2", &w).unwrap();
        assert_eq!(
            a.reasons,
            [
                "has not answered the monitoring 2",
                "business closed at the monitoring 1",
                "income fell 100% since the baseline",
                "not saving regularly",
            ]
        );

        // A KPM who never answered is listed for that alone.
        let silent = kpm("", None, None);
        let a = needs_attention(&silent, "monitoring_2", &w).unwrap();
        assert_eq!(a.reasons, ["has not answered the monitoring 2"]);
        assert_eq!(a.latest_wave, "");
    }
}
