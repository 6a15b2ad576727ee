//! The Kasubdit's dashboard: KPI tiles with the change since the quarter
//! before, income by province, the strongest and weakest incubators.

use prokus_metrics::IndicatorRow;

use crate::ReportError;
use crate::figures::*;
use crate::format::{self, Lang};
use crate::inputs::*;
use crate::payload::*;
use crate::sections::*;
use crate::words::*;

/// The KPI tiles of the Kasubdit dashboard.
pub const DASHBOARD_KPIS: [&str; 6] = [
    "business_income_change_pct",
    "saves_monthly",
    "keeps_books",
    "jobs_created",
    "business_operating",
    "has_nib",
];

/// The Kasubdit's dashboard: KPI tiles with the change since the quarter
/// before, income by province, the strongest and weakest incubators, and
/// small multiples of the provinces on a second page.
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
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    crate::payload::add_chart(
        &mut charts,
        &mut refs,
        "income",
        w.pick("Pendapatan per provinsi", "Income by province")
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
            (560, 500),
        )?,
    );
    crate::payload::add_chart(
        &mut charts,
        &mut refs,
        "provinces",
        w.pick(
            "Kebiasaan menabung per provinsi di setiap putaran survei",
            "Saving habit by province in each survey round",
        )
        .into(),
        province_savings_chart(inputs, &w, &provinces)?,
    );
    // Strongest and weakest incubators by income change.
    let mut ranked: Vec<(&IncubatorInfo, f64, &IndicatorRow)> = inputs
        .db
        .surveyed
        .incubators
        .iter()
        .filter_map(|i| {
            inputs
                .row("business_income_change_pct", period, "incubator", &i.id)
                .filter(|r| !r.suppressed)
                .and_then(|r| Some((i, r.value?, r)))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let pct = inputs.catalog.get("business_income_change_pct");
    let line = |(i, _, r): &(&IncubatorInfo, f64, &IndicatorRow)| {
        vec![
            Cell::from(i.name.clone()),
            Cell::from(i.province_name.clone()),
            Cell::from(format::number(r.n as f64, 0, lang)),
            Cell {
                text: pct.map(|c| w.value(c, r.value)).unwrap_or_default(),
                status: r.status.clone(),
            },
        ]
    };
    // The three strongest and the three weakest; of six or fewer, each
    // once (the top and the bottom three would share some).
    let (rows, note) = if ranked.len() <= 6 {
        (
            ranked.iter().map(line).collect::<Vec<_>>(),
            w.pick(
                "Semua inkubator, dari kenaikan tertinggi.",
                "Every incubator, from the highest change.",
            ),
        )
    } else {
        let mut rows: Vec<Vec<Cell>> = ranked.iter().take(3).map(line).collect();
        rows.extend(ranked.iter().rev().take(3).rev().map(line));
        (
            rows,
            w.pick(
                "Tiga teratas dan tiga terbawah dari semua inkubator.",
                "Top three and bottom three of all incubators.",
            ),
        )
    };
    let table = Table {
        title: w
            .pick(
                "Inkubator terkuat dan terlemah (kenaikan pendapatan usaha)",
                "Strongest and weakest incubators (business income change)",
            )
            .into(),
        columns: header(&[
            w.pick("Inkubator", "Incubator"),
            w.pick("Provinsi", "Province"),
            "n",
            w.pick("Kenaikan", "Change"),
        ]),
        align: vec!["left", "left", "right", "right"],
        rows,
        note: note.into(),
        widths: Vec::new(),
    };
    Ok(Built {
        payload: Payload {
            meta: meta(
                inputs,
                &w,
                w.pick("Dasbor Capaian ProKUS", "ProKUS Outcome Dashboard")
                    .into(),
                w.pick(
                    "Untuk Kasubdit · Nasional",
                    "For the Sub-directorate head · National",
                )
                .into(),
            ),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                "national",
                NATIONAL_CODE,
                w.pick("ProKUS", "the programme"),
                period,
            ),
            kpis: DASHBOARD_KPIS
                .iter()
                .filter_map(|id| {
                    let mut tile = kpi(inputs, &w, id, period, "national", NATIONAL_CODE, None)?;
                    tile.trend = quarter_trend(inputs, &w, id).unwrap_or_default();
                    Some(tile)
                })
                .collect(),
            tables: vec![table],
            charts: refs,
            annex: Vec::new(),
            impact: Vec::new(),
        },
        charts,
        files: Vec::new(),
    })
}

/// The Kasubdit's dashboard: one PDF, `dashboard.pdf`.
pub const AUDIENCE: super::Audience = super::Audience {
    name: "dashboard",
    readers: "the Kasubdit (sub-directorate head): the outcome dashboard",
    levels: &["national", "province", "incubator"],
    checks: false,
    impact: false,
    kpm_lists: false,
    template: "dashboard.typ",
    source: include_str!("../../../../report-templates/dashboard.typ"),
    scopes: super::whole_programme,
    file_name: |_, _| std::path::PathBuf::from("dashboard.pdf"),
    build: |inputs, lang, _| build(inputs, lang),
};
