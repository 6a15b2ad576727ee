//! The national quarterly report, for the ministry's M&E team: every
//! indicator against its target, the breakdowns, the impact estimates
//! against the comparison group, and the annexes.

use prokus_metrics::{Indicator, Unit};

use crate::ReportError;
use crate::charts::{self};
use crate::figures::*;
use crate::format::{self, Lang};
use crate::inputs::*;
use crate::payload::*;
use crate::sections::*;
use crate::words::*;

/// The national quarterly report.
pub fn build(inputs: &Inputs, lang: Lang) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let provinces: Vec<(String, String)> = inputs
        .db
        .surveyed
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    let incubators: Vec<(String, String)> = inputs
        .db
        .surveyed
        .incubators
        .iter()
        .map(|i| (i.id.clone(), i.name.clone()))
        .collect();
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let mut add = |name: &str, caption: String, chart: Option<crate::charts::Chart>| {
        crate::payload::add_chart(&mut charts, &mut refs, name, caption, chart)
    };
    add(
        "income",
        w.pick(
            "Pendapatan bersih usaha sebelum dan sesudah pendampingan, per provinsi",
            "Net business income before and after incubation, by province",
        )
        .into(),
        income_chart(
            inputs,
            &w,
            "province",
            &provinces,
            period,
            w.pick(
                "Pendapatan bersih usaha rata-rata (Rp/bulan)",
                "Mean net business income (Rp/month)",
            ),
            (charts::WIDTH, charts::MAX_HEIGHT),
        )?,
    );
    add(
        "targets",
        w.pick(
            "Capaian indikator nasional terhadap target",
            "National indicators against their targets",
        )
        .into(),
        target_chart(inputs, &w, period)?,
    );
    add(
        "savings",
        w.pick(
            "Kebiasaan menabung per provinsi di setiap putaran survei",
            "Saving habit by province in each survey round",
        )
        .into(),
        province_savings_chart(inputs, &w, &provinces)?,
    );
    add(
        "jobs",
        w.pick(
            "Lapangan kerja tercipta per klaster",
            "Jobs created by cluster",
        )
        .into(),
        jobs_chart(inputs, &w, period)?,
    );
    add(
        "response",
        w.pick(
            "Respons dan atrisi per putaran survei",
            "Response and attrition by survey round",
        )
        .into(),
        response_chart(inputs, &w)?,
    );
    let title = w.pick(
        "Laporan Triwulanan Monitoring dan Evaluasi ProKUS",
        "ProKUS Monitoring and Evaluation Quarterly Report",
    );
    let subtitle = w.pick(
        "Program Kewirausahaan Sosial · Nasional",
        "Social Entrepreneurship Programme · National",
    );
    let mut annex = quality_annex(inputs, &w);
    annex.push(methods_annex(inputs, &w));
    let (impact, impact_sentence) = impact_section(inputs, &w);
    let mut summary = summary(
        inputs,
        &w,
        "national",
        NATIONAL_CODE,
        w.pick("ProKUS", "the programme"),
        period,
    );
    summary.extend(impact_sentence);
    Ok(Built {
        payload: Payload {
            meta: meta(inputs, &w, title.into(), subtitle.into()),
            headings: headings(&w),
            summary,
            kpis: HEADLINE_KPIS
                .iter()
                .filter_map(|id| kpi(inputs, &w, id, period, "national", NATIONAL_CODE, None))
                .collect(),
            tables: vec![
                indicator_table(
                    inputs,
                    &w,
                    "national",
                    NATIONAL_CODE,
                    period,
                    if inputs.settings.has_targets() {
                        w.pick(
                            "Indikator nasional terhadap target",
                            "National indicators against targets",
                        )
                    } else {
                        w.pick("Indikator nasional", "National indicators")
                    }
                    .into(),
                ),
                group_table(
                    inputs,
                    &w,
                    "province",
                    &provinces,
                    period,
                    w.pick("Per provinsi", "By province").into(),
                ),
                group_table(
                    inputs,
                    &w,
                    "incubator",
                    &incubators,
                    period,
                    w.pick("Per inkubator", "By incubator").into(),
                ),
            ]
            .into_iter()
            .chain(followup_table(inputs, &w, "national", NATIONAL_CODE))
            .chain([crate::findings::findings_table(
                inputs,
                &w,
                "national",
                NATIONAL_CODE,
            )])
            .chain(crate::findings::province_ranking(inputs, &w))
            // The obstacles and requests of the provinces' offices and the
            // incubators (the regencies' offices are read in their province's
            // report).
            .chain(crate::findings::written_feedback(
                inputs,
                &w,
                |f| f.site_level != "regency",
                crate::findings::NATIONAL_FEEDBACK,
                inputs.asked_quarter(),
            ))
            .chain(success_stories(
                inputs,
                &w,
                |_| true,
                crate::sections::STORIES_NATIONAL,
            ))
            .collect(),
            charts: refs,
            annex,
            impact,
        },
        charts,
        files: Vec::new(),
    })
}

/// An effect per KPM in the indicator's unit: a share's in points.
pub(crate) fn effect(w: &Words, i: &Indicator, v: f64) -> String {
    match (i.unit, i.aggregation) {
        (_, prokus_metrics::Aggregation::Share) => w.change(i, Some(100.0 * v)),
        (Unit::Rp, _) => w.change(i, Some(v)),
        _ => format::signed(v, 2, w.lang, ""),
    }
}

/// An interval's end, as [`effect`] without sign or unit.
pub(crate) fn effect_bound(w: &Words, i: &Indicator, v: f64) -> String {
    match (i.unit, i.aggregation) {
        (_, prokus_metrics::Aggregation::Share) => format::number(100.0 * v, i.decimals, w.lang),
        (Unit::Rp, _) => format::number(v, 0, w.lang),
        _ => format::number(v, 2, w.lang),
    }
}

/// The impact section of the national report: per outcome, the difference
/// in differences and ANCOVA with their 95% intervals (standard errors
/// clustered by household), and a sentence for the summary on net business
/// income. A cell is coloured when its interval leaves out zero: green the
/// good way, red the other.
pub(crate) fn impact_section(inputs: &Inputs, w: &Words) -> (Vec<Table>, Option<String>) {
    use prokus_metrics::impact::Estimator;
    use prokus_metrics::ols::SeType;
    let find = |id: &str, estimator: Estimator| {
        inputs
            .impact
            .iter()
            .find(|r| r.indicator_id == id && r.estimator == estimator && r.se_type == SeType::Cr1)
    };
    let cells = |i: &Indicator, r: Option<&prokus_metrics::impact::ImpactRow>| match r {
        None => [Cell::from("–".to_string()), Cell::from("–".to_string())],
        Some(r) => {
            let c = &r.coefficient;
            let higher = i.direction == prokus_metrics::Direction::Higher;
            let status = if c.ci_low > 0.0 {
                Some(if higher { "on_track" } else { "off_track" })
            } else if c.ci_high < 0.0 {
                Some(if higher { "off_track" } else { "on_track" })
            } else {
                None
            };
            let bound = |v: f64| effect_bound(w, i, v);
            [
                Cell {
                    text: effect(w, i, c.estimate),
                    status: status.map(str::to_string),
                },
                Cell::from(format!("{} – {}", bound(c.ci_low), bound(c.ci_high))),
            ]
        }
    };
    let mut rows = Vec::new();
    for i in &inputs.catalog.indicators {
        let did = find(&i.id, Estimator::DifferenceInDifferences);
        let ancova = find(&i.id, Estimator::Ancova);
        let Some(n) = did.or(ancova) else { continue };
        let mut row = vec![Cell::from(w.label(i).to_string())];
        row.extend(cells(i, did));
        row.extend(cells(i, ancova));
        row.push(Cell::from(format!(
            "{} / {}",
            format::number(n.n_treated as f64, 0, w.lang),
            format::number(n.n_comparison as f64, 0, w.lang)
        )));
        rows.push(row);
    }
    if rows.is_empty() {
        return (Vec::new(), None);
    }
    let sentence = inputs.catalog.get("business_income").and_then(|i| {
        let c = &find(&i.id, Estimator::DifferenceInDifferences)?.coefficient;
        let bound = |v: f64| format::rupiah(v, w.lang);
        Some(match w.lang {
            Lang::Id => format!(
                "Dibanding kelompok pembanding, pendapatan bersih usaha KPM ProKUS berubah {} per bulan lebih banyak (selisih dalam selisih; IK 95% {} – {}).",
                effect(w, i, c.estimate),
                bound(c.ci_low),
                bound(c.ci_high)
            ),
            Lang::En => format!(
                "Against the comparison group, ProKUS households' net business income changed by {} a month more (difference in differences; 95% CI {} – {}).",
                effect(w, i, c.estimate),
                bound(c.ci_low),
                bound(c.ci_high)
            ),
        })
    });
    let table = Table {
        title: w
            .pick(
                "Dampak dibanding kelompok pembanding (per KPM)",
                "Impact against the comparison group (per household)",
            )
            .into(),
        columns: header(&[
            w.pick("Indikator", "Indicator"),
            w.pick("Selisih dalam selisih", "Difference in differences"),
            w.pick("IK 95%", "95% CI"),
            "ANCOVA",
            w.pick("IK 95%", "95% CI"),
            w.pick("KPM ProKUS / pembanding", "ProKUS / comparison households"),
        ]),
        align: vec!["left", "right", "right", "right", "right", "right"],
        rows,
        note: w
            .pick(
                "Selisih dalam selisih: perubahan KPM ProKUS sejak survei awal dikurangi perubahan kelompok pembanding. ANCOVA: nilai akhir menurut kelompok, dengan nilai awal sebagai kovariat. KPM yang disurvei pada survei awal dan akhir; galat baku dikelompokkan per KPM (CR1). Berwarna: interval tidak memuat nol (hijau ke arah yang baik). Semua estimator dan galat baku: prokus impact.",
                "Difference in differences: the change of ProKUS households since the baseline minus the comparison group's. ANCOVA: the endline value by group, with the baseline value as covariate. Households surveyed at the baseline and the endline; standard errors clustered by household (CR1). Coloured: the interval leaves out zero (green the good way). Every estimator and standard error: prokus impact.",
            )
            .into(),
        widths: vec![2.3, 1.5, 1.6, 1.5, 1.6, 1.1],
    };
    (vec![table], sentence)
}

/// The national quarterly report: one PDF, `national.pdf`.
pub const AUDIENCE: super::Audience = super::Audience {
    name: "national",
    readers: "the ministry's M&E team: the quarterly report",
    levels: &["national", "province", "incubator", "cluster"],
    checks: true,
    impact: true,
    kpm_lists: false,
    template: "national.typ",
    source: include_str!("../../../../report-templates/national.typ"),
    scopes: super::whole_programme,
    file_name: |_, _| std::path::PathBuf::from("national.pdf"),
    build: |inputs, lang, _| build(inputs, lang),
};
