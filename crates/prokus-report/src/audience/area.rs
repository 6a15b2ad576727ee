//! The report of one province (for the provincial Dinas Sosial) or one
//! regency (for the district's), with the areas below it.

use crate::ReportError;
use crate::charts::{self};
use crate::figures::*;
use crate::format::Lang;
use crate::inputs::*;
use crate::payload::*;
use crate::sections::*;
use crate::words::*;

/// The report of one province, for the provincial Dinas Sosial.
pub fn province(inputs: &Inputs, lang: Lang, code: &str) -> Result<Built, ReportError> {
    area(inputs, lang, "province", code)
}

/// The report of one regency (kabupaten/kota), for its Dinas Sosial: the
/// province report one level down, with its kecamatan.
pub fn regency(inputs: &Inputs, lang: Lang, code: &str) -> Result<Built, ReportError> {
    area(inputs, lang, "regency", code)
}

/// A report scoped to one area: a province (with its regencies and
/// incubators) or a regency (with its districts).
pub(crate) fn area(
    inputs: &Inputs,
    lang: Lang,
    level: &str,
    code: &str,
) -> Result<Built, ReportError> {
    let w = Words {
        lang,
        min_cell: inputs.settings.min_cell(),
    };
    let period = inputs.latest_wave();
    let name = match level {
        "province" => inputs
            .db
            .surveyed
            .provinces
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.name.clone()),
        _ => inputs
            .db
            .surveyed
            .regencies
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.clone()),
    }
    .ok_or_else(|| ReportError::UnknownScope(code.to_string()))?;
    let sub_level = if level == "province" {
        "regency"
    } else {
        "district"
    };
    let prefix = format!("{code}.");
    let sub_areas: Vec<(String, String)> = inputs
        .groups
        .get(sub_level)
        .map(|list| {
            list.iter()
                .filter(|(code, _)| code.starts_with(&prefix))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    // Incubator figures cover all their KPM, so they belong to a province report only.
    let incubators: Vec<(String, String)> = if level == "province" {
        inputs
            .db
            .surveyed
            .incubators
            .iter()
            .filter(|i| i.province_code == code)
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let mut charts = Vec::new();
    let mut refs = Vec::new();
    let (bars_level, bars, bars_title, bars_caption) = if level == "province" {
        (
            "incubator",
            &incubators,
            w.pick(
                "Pendapatan bersih usaha rata-rata per inkubator (Rp/bulan)",
                "Mean net business income by incubator (Rp/month)",
            ),
            w.pick(
                "Pendapatan sebelum dan sesudah, per inkubator",
                "Income before and after, by incubator",
            ),
        )
    } else {
        (
            "district",
            &sub_areas,
            w.pick(
                "Pendapatan bersih usaha rata-rata per kecamatan (Rp/bulan)",
                "Mean net business income by district (Rp/month)",
            ),
            w.pick(
                "Pendapatan sebelum dan sesudah, per kecamatan (n ≥ 5)",
                "Income before and after, by district (n ≥ 5)",
            ),
        )
    };
    crate::payload::add_chart(
        &mut charts,
        &mut refs,
        "income",
        bars_caption.into(),
        income_chart(
            inputs,
            &w,
            bars_level,
            bars,
            period,
            bars_title,
            (charts::WIDTH, charts::MAX_HEIGHT),
        )?,
    );
    let mut scopes = vec![(name.clone(), level, code)];
    let province_code = code.split('.').next().unwrap_or(code);
    if level == "regency" {
        let province = inputs
            .db
            .surveyed
            .provinces
            .iter()
            .find(|p| p.code == province_code)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        scopes.push((province, "province", province_code));
    }
    scopes.push((
        w.pick("Nasional", "National").to_string(),
        "national",
        NATIONAL_CODE,
    ));
    crate::payload::add_chart(
        &mut charts,
        &mut refs,
        "savings",
        w.pick(
            "Kebiasaan menabung dibanding tingkat di atasnya",
            "Savings habit against the levels above",
        )
        .into(),
        savings_by_wave(inputs, &w, &scopes)?,
    );
    let (title, audience, sub_title) = if level == "province" {
        (
            w.pick("Laporan Provinsi ProKUS", "ProKUS Province Report"),
            w.pick(
                "Untuk Dinas Sosial Provinsi",
                "For the provincial social affairs office",
            ),
            w.pick("Per kabupaten/kota", "By regency"),
        )
    } else {
        (
            w.pick("Laporan Kabupaten/Kota ProKUS", "ProKUS Regency Report"),
            w.pick(
                "Untuk Dinas Sosial Kabupaten/Kota",
                "For the regency social affairs office",
            ),
            w.pick("Per kecamatan", "By district"),
        )
    };
    let mut tables = vec![indicator_table(
        inputs,
        &w,
        level,
        code,
        period,
        format!("{} {name}", w.pick("Indikator", "Indicators")),
    )];
    tables.extend(followup_table(inputs, &w, level, code));
    tables.push(crate::findings::findings_table(inputs, &w, level, code));
    // The writers of the area: its own Dinas Sosial, and in a province's
    // report its regencies' offices and its incubators.
    tables.extend(crate::findings::written_feedback(
        inputs,
        &w,
        |f| match level {
            "province" => f.province_code == code,
            _ => f.site_level == level && f.site_code == code,
        },
        crate::findings::ALL_FEEDBACK,
        inputs.asked_quarter(),
    ));
    // A register without kecamatan gives a regency none: no empty table.
    if !sub_areas.is_empty() {
        tables.push(group_table(
            inputs,
            &w,
            sub_level,
            &sub_areas,
            period,
            sub_title.into(),
        ));
    }
    if !incubators.is_empty() {
        tables.push(group_table(
            inputs,
            &w,
            "incubator",
            &incubators,
            period,
            w.pick("Per inkubator", "By incubator").into(),
        ));
    }
    // Success stories stay within the KPM's own province (and incubator and
    // the nation): not in the regency reports.
    if level == "province"
        && let Some(table) = success_stories(
            inputs,
            &w,
            |s| s.province_code == code,
            crate::sections::STORIES_PER_PROVINCE,
        )
    {
        tables.push(table);
    }
    if level == "regency"
        && let Some(table) = inputs
            .db
            .surveyed
            .accompaniment
            .get(&("tksk".to_string(), code.to_string()))
            .and_then(|people| accompaniment_table(inputs, &w, "tksk", people))
    {
        tables.push(table);
    }
    // The methods annex, the same for every area, is printed in the province
    // reports (38) and not again in each of the 514 regency reports, where it
    // took two of five pages and a third of the time.
    let annex = if level == "province" {
        vec![methods_annex(inputs, &w)]
    } else {
        let note = &mut tables[0].note;
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(w.pick(
            "Definisi dan cara hitung setiap indikator: lampiran laporan provinsi dan laporan nasional.",
            "Each indicator's definition and method: the annex of the province and national reports.",
        ));
        Vec::new()
    };
    Ok(Built {
        payload: Payload {
            meta: meta(inputs, &w, format!("{title} · {name}"), audience.into()),
            headings: headings(&w),
            summary: summary(
                inputs,
                &w,
                level,
                code,
                &match lang {
                    Lang::Id => format!("di {name}"),
                    Lang::En => name.clone(),
                },
                period,
            ),
            kpis: HEADLINE_KPIS
                .iter()
                .filter_map(|id| {
                    kpi(
                        inputs,
                        &w,
                        id,
                        period,
                        level,
                        code,
                        Some(("national", NATIONAL_CODE)),
                    )
                })
                .collect(),
            tables,
            charts: refs,
            annex,
            impact: Vec::new(),
        },
        charts,
        files: Vec::new(),
    })
}

/// One report per province, `province/<code>-<name>.pdf`.
pub const PROVINCE: super::Audience = super::Audience {
    name: "province",
    readers: "each provincial Dinas Sosial: its province, regencies and incubators",
    levels: &["national", "province", "regency", "incubator"],
    checks: false,
    impact: false,
    kpm_lists: false,
    template: "province.typ",
    source: include_str!("../../../../report-templates/province.typ"),
    scopes: |inputs| {
        inputs
            .db
            .surveyed
            .provinces
            .iter()
            .map(|p| p.code.clone())
            .collect()
    },
    file_name: |inputs, code| {
        let name = inputs
            .db
            .surveyed
            .provinces
            .iter()
            .find(|p| p.code == code)
            .map(|p| super::slug(&p.name))
            .unwrap_or_default();
        file_in("province", code, &name)
    },
    build: province,
};

/// One report per regency, `regency/<code>-<name>.pdf`: the province report
/// one level down, with the same template.
pub const REGENCY: super::Audience = super::Audience {
    name: "regency",
    readers: "each district Dinas Sosial (kabupaten/kota): its regency and kecamatan",
    levels: &["national", "province", "regency", "district", "tksk"],
    checks: false,
    impact: false,
    kpm_lists: false,
    template: "province.typ",
    source: include_str!("../../../../report-templates/province.typ"),
    scopes: |inputs| {
        inputs
            .db
            .surveyed
            .regencies
            .iter()
            .map(|r| r.code.clone())
            .collect()
    },
    file_name: |inputs, code| {
        let name = inputs
            .db
            .surveyed
            .regencies
            .iter()
            .find(|r| r.code == code)
            .map(|r| super::slug(&r.name))
            .unwrap_or_default();
        file_in("regency", code, &name)
    },
    build: regency,
};

/// `folder/<code>-<name>.pdf`, the code made safe as a file name.
fn file_in(folder: &str, code: &str, name: &str) -> std::path::PathBuf {
    let code = prokus_files::file_stem(code);
    std::path::PathBuf::from(folder).join(format!("{code}-{name}.pdf"))
}
