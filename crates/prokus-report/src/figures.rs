//! The charts of the reports, from the indicator rows (drawn by [`crate::charts`]).

use prokus_metrics::IndicatorRow;

use crate::ReportError;
use crate::charts::{self, Series};
use crate::format::{self, Lang};
use crate::inputs::*;
use crate::words::*;

/// The indicator of the income charts.
pub(crate) const INCOME: &str = "business_income";

pub(crate) fn chart_note(w: &Words, n: i64, extra: &str) -> String {
    format!(
        "n = {} KPM · {}{}",
        format::number(n as f64, 0, w.lang),
        w.pick(
            "Sumber: survei monitoring ProKUS",
            "Source: ProKUS monitoring survey"
        ),
        extra
    )
}

/// Income before and after per group, as a chart.
pub(crate) fn income_chart(
    inputs: &Inputs,
    w: &Words,
    level: &str,
    groups: &[(String, String)],
    period: &str,
    title: &str,
    (width, max_height): (u32, u32),
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let Some(i) = inputs.catalog.get(INCOME) else {
        return Ok(None);
    };
    let rows: Vec<(&String, &IndicatorRow)> = groups
        .iter()
        .filter_map(|(code, name)| {
            inputs
                .row(&i.id, period, level, code)
                .filter(|r| !r.suppressed)
                .map(|r| (name, r))
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let n: i64 = rows.iter().map(|(_, r)| r.n).sum();
    let cats: Vec<String> = rows.iter().map(|(name, _)| (*name).clone()).collect();
    let mut series = vec![
        Series {
            label: w.pick("Survei awal", "Baseline").into(),
            values: rows.iter().map(|(_, r)| r.baseline_value).collect(),
        },
        Series {
            label: w.wave(period),
            values: rows.iter().map(|(_, r)| r.value).collect(),
        },
    ];
    // At the baseline itself: its values once, not beside an empty "before".
    if period == "baseline" {
        series.remove(0);
    }
    let lang = w.lang;
    let fmt = |v: f64| short_rupiah(v, lang);
    let chart = charts::grouped_hbars(
        title,
        &chart_note(w, n, ""),
        &cats,
        &series,
        &fmt,
        width,
        max_height,
    )?;
    Ok(Some(chart))
}

pub(crate) fn short_rupiah(v: f64, lang: Lang) -> String {
    // A loss is shortened as a gain is: −1,5 jt, not −1.500.000.
    if v.abs() >= 1e6 {
        format!(
            "{} {}",
            format::number(v / 1e6, 1, lang),
            if lang == Lang::Id { "jt" } else { "m" }
        )
    } else if v.abs() >= 1e3 {
        format!(
            "{} {}",
            format::number(v / 1e3, 0, lang),
            if lang == Lang::Id { "rb" } else { "k" }
        )
    } else {
        format::number(v, 0, lang)
    }
}

/// Shares across waves for some scopes: (series label, level, group).
/// Small multiples of the saving habit: a panel per province across the
/// waves, each against the nation.
pub(crate) fn province_savings_chart(
    inputs: &Inputs,
    w: &Words,
    provinces: &[(String, String)],
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let waves = surveyed_waves(inputs);
    let by_wave = |level: &str, code: &str| -> Vec<Option<f64>> {
        waves
            .iter()
            .map(|wv| {
                inputs
                    .row("saves_monthly", wv, level, code)
                    .filter(|r| !r.suppressed)
                    .and_then(|r| r.value)
            })
            .collect()
    };
    let panels: Vec<Series> = provinces
        .iter()
        .map(|(code, name)| Series {
            label: name.clone(),
            values: by_wave("province", code),
        })
        .filter(|s| s.values.iter().any(Option::is_some))
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let n = inputs
        .row("saves_monthly", "baseline", "national", NATIONAL_CODE)
        .map_or(0, |r| r.n);
    Ok(Some(charts::small_multiples(
        w.pick(
            "KPM menabung minimal sebulan sekali per provinsi (%)",
            "KPM saving at least monthly by province (%)",
        ),
        &chart_note(w, n, ""),
        &labels,
        &panels,
        &Series {
            label: w.pick("Nasional", "National").into(),
            values: by_wave("national", NATIONAL_CODE),
        },
        6,
    )?))
}

/// Progress towards the targets: each targeted indicator's national value
/// as a share of its target (100% = reached; for an indicator where lower is
/// better, the target over the value).
pub(crate) fn target_chart(
    inputs: &Inputs,
    w: &Words,
    period: &str,
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    let mut n = 0;
    for i in &inputs.catalog.indicators {
        let Some(r) = inputs.row(&i.id, period, "national", NATIONAL_CODE) else {
            continue;
        };
        let (Some(value), Some(target)) = (r.value, r.target) else {
            continue;
        };
        let progress = match i.direction {
            prokus_metrics::Direction::Higher if target != 0.0 => 100.0 * value / target,
            prokus_metrics::Direction::Lower if value != 0.0 => 100.0 * target / value,
            _ => continue,
        };
        labels.push(w.label(i).to_string());
        values.push(Some(progress));
        n = n.max(r.n);
    }
    if labels.is_empty() {
        return Ok(None);
    }
    let lang = w.lang;
    Ok(Some(charts::grouped_hbars(
        w.pick(
            "Capaian terhadap target, nasional (% dari target)",
            "Progress towards the targets, national (% of target)",
        ),
        &chart_note(
            w,
            n,
            w.pick(" · 100% = target tercapai", " · 100% = target reached"),
        ),
        &labels,
        &[Series {
            label: w.pick("Capaian", "Progress").into(),
            values,
        }],
        &|v| format::percent(v, 0, lang),
        charts::WIDTH,
        charts::MAX_HEIGHT,
    )?))
}

/// The waves ProKUS KPM answered, in survey order.
pub(crate) fn surveyed_waves(inputs: &Inputs) -> Vec<&'static str> {
    inputs
        .reported_waves()
        .iter()
        .copied()
        .filter(|wv| {
            inputs
                .db
                .surveyed
                .waves
                .iter()
                .any(|c| c.wave == *wv && c.arm == "prokus")
        })
        .collect()
}

/// The saving habit (`saves_monthly`) wave by wave, one line per scope
/// (label, level, group): an incubator or an area against the levels above.
pub(crate) fn savings_by_wave(
    inputs: &Inputs,
    w: &Words,
    scopes: &[(String, &str, &str)],
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let id = "saves_monthly";
    let title = w.pick(
        "KPM yang menabung minimal sebulan sekali (%)",
        "KPM saving at least monthly (%)",
    );
    let waves = surveyed_waves(inputs);
    let series: Vec<Series> = scopes
        .iter()
        .map(|(label, level, group)| Series {
            label: label.clone(),
            values: waves
                .iter()
                .map(|wv| {
                    inputs
                        .row(id, wv, level, group)
                        .filter(|r| !r.suppressed)
                        .and_then(|r| r.value)
                })
                .collect(),
        })
        .collect();
    if series.iter().all(|s| s.values.iter().all(Option::is_none)) {
        return Ok(None);
    }
    let n = scopes
        .first()
        .and_then(|(_, l, g)| inputs.row(id, "baseline", l, g))
        .map(|r| r.n)
        .unwrap_or(0);
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let lang = w.lang;
    let note = chart_note(
        w,
        n,
        w.pick(
            " · setelah survei awal: panel",
            " · after the baseline: panel",
        ),
    );
    Ok(Some(charts::lines_by_wave(
        title,
        &note,
        &labels,
        &series,
        &|v| format::percent(v, 0, lang),
    )?))
}

pub(crate) fn response_chart(
    inputs: &Inputs,
    w: &Words,
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let waves: Vec<&str> = inputs
        .reported_waves()
        .iter()
        .copied()
        .filter(|wv| inputs.db.surveyed.waves.iter().any(|c| c.wave == *wv))
        .collect();
    let get = |arm: &str| -> Vec<Option<f64>> {
        waves
            .iter()
            .map(|wv| {
                inputs
                    .db
                    .surveyed
                    .waves
                    .iter()
                    .find(|c| c.wave == *wv && c.arm == arm)
                    .map(|c| c.responded as f64)
            })
            .collect()
    };
    let registered: i64 = inputs
        .db
        .surveyed
        .waves
        .iter()
        .filter(|c| c.wave == "baseline")
        .map(|c| c.registered)
        .sum();
    // An arm with no answer (a partner's data without a comparison group)
    // has no bars and no place in the legend.
    let series: Vec<Series> = [
        Series {
            label: w.pick("KPM ProKUS", "ProKUS KPM").into(),
            values: get("prokus"),
        },
        Series {
            label: w.pick("Kelompok pembanding", "Comparison group").into(),
            values: get("comparison"),
        },
    ]
    .into_iter()
    .filter(|s| s.values.iter().any(Option::is_some))
    .collect();
    if series.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = waves.iter().map(|wv| w.wave(wv)).collect();
    let lang = w.lang;
    let title = w.pick(
        "KPM yang menjawab per putaran survei (jumlah)",
        "KPM responding per survey round (count)",
    );
    let note = format!(
        "{} {} · {}",
        w.pick("KPM terdaftar:", "KPM registered:"),
        format::number(registered as f64, 0, lang),
        w.pick(
            "Sumber: survei monitoring ProKUS",
            "Source: ProKUS monitoring survey"
        )
    );
    Ok(Some(charts::vbars(title, &note, &labels, &series, &|v| {
        format::number(v, 0, lang)
    })?))
}

pub(crate) fn jobs_chart(
    inputs: &Inputs,
    w: &Words,
    period: &str,
) -> Result<Option<crate::charts::Chart>, ReportError> {
    let clusters = [
        ("kuliner", w.pick("Kuliner", "Culinary")),
        ("ritel", w.pick("Ritel", "Retail")),
        ("fesyen", w.pick("Fesyen", "Fashion")),
        ("agribisnis", w.pick("Agribisnis", "Agribusiness")),
    ];
    let rows: Vec<Option<&IndicatorRow>> = clusters
        .iter()
        .map(|(c, _)| inputs.row("jobs_created", period, "cluster", c))
        .collect();
    if rows.iter().all(Option::is_none) {
        return Ok(None);
    }
    let n: i64 = rows.iter().flatten().map(|r| r.n).sum();
    let series = vec![Series {
        label: String::new(),
        values: rows
            .iter()
            .map(|r| r.filter(|r| !r.suppressed).and_then(|r| r.value))
            .collect(),
    }];
    let labels: Vec<String> = clusters.iter().map(|(_, l)| l.to_string()).collect();
    let lang = w.lang;
    let title = w.pick(
        "Lapangan kerja tercipta per klaster usaha (orang)",
        "Jobs created by business cluster (people)",
    );
    Ok(Some(charts::vbars(
        title,
        &chart_note(w, n, ""),
        &labels,
        &series,
        &|v| format::number(v, 0, lang),
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_is_shortened_as_a_gain_is() {
        assert_eq!(short_rupiah(2_000_194.0, Lang::Id), "2,0 jt");
        assert_eq!(short_rupiah(-1_500_000.0, Lang::Id), "−1,5 jt");
        assert_eq!(short_rupiah(-250_000.0, Lang::Id), "−250 rb");
        assert_eq!(short_rupiah(-1_500_000.0, Lang::En), "−1.5 m");
        assert_eq!(short_rupiah(-750.0, Lang::En), "−750");
    }
}
