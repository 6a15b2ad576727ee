//! The impact estimators against statsmodels on published data: Grunfeld's
//! (1950) investment data, shaped as households with a baseline and an
//! endline (see `tests/data/reference.py`, which computed `reference.json`
//! with statsmodels' OLS).

use std::collections::HashMap;

use prokus_metrics::impact::{Estimator, ImpactRow, Unit, estimate};
use prokus_metrics::ols::SeType;

/// Grunfeld's firms as households: firm f, year offset k → baseline = invest
/// in 1935 + k, endline = invest in 1945 + k; the first five firms treated.
fn grunfeld_units(cluster_by_firm: bool) -> Vec<Unit> {
    let text = include_str!("data/grunfeld.csv");
    let mut invest: HashMap<(String, u32), f64> = HashMap::new();
    let mut firms: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let firm = cells[0].to_string();
        if !firms.contains(&firm) {
            firms.push(firm.clone());
        }
        invest.insert((firm, cells[1].parse().unwrap()), cells[2].parse().unwrap());
    }
    assert_eq!(firms.len(), 11);
    let mut units = Vec::new();
    for (f, firm) in firms.iter().enumerate() {
        for k in 0..10u32 {
            let unit = (f * 10) as u32 + k;
            units.push(Unit {
                treated: f < 5,
                baseline: Some(invest[&(firm.clone(), 1935 + k)]),
                endline: Some(invest[&(firm.clone(), 1945 + k)]),
                cluster: if cluster_by_firm { f as u32 } else { unit },
                household: unit,
            });
        }
    }
    units
}

fn reference() -> serde_json::Value {
    serde_json::from_str(include_str!("data/reference.json")).unwrap()
}

fn check(row: &ImpactRow, want: &serde_json::Value, what: &str) {
    let c = &row.coefficient;
    for (name, got) in [
        ("estimate", c.estimate),
        ("se", c.se),
        ("p_value", c.p_value),
        ("ci_low", c.ci_low),
        ("ci_high", c.ci_high),
    ] {
        let want = want[name].as_f64().unwrap();
        let tolerance = 1e-8 * want.abs().max(1e-3);
        assert!(
            (got - want).abs() <= tolerance,
            "{what} {name}: prokus {got}, statsmodels {want}"
        );
    }
}

#[test]
fn estimates_standard_errors_p_values_and_intervals_match_statsmodels() {
    let reference = reference();
    let by_firm = estimate("invest", &grunfeld_units(true));
    let by_unit = estimate("invest", &grunfeld_units(false));
    let mut checked = 0;
    for estimator in [
        Estimator::DifferenceInMeans,
        Estimator::DifferenceInDifferences,
        Estimator::Ancova,
    ] {
        let want = &reference[estimator.name()];
        for (rows, se_type, key) in [
            (&by_firm, SeType::Conventional, "conventional"),
            (&by_firm, SeType::Hc1, "hc1"),
            (&by_firm, SeType::Cr1, "cr1_firm"),
            (&by_unit, SeType::Cr1, "cr1_unit"),
        ] {
            if want.get(key).is_none() {
                continue;
            }
            let row = rows
                .iter()
                .find(|r| r.estimator == estimator && r.se_type == se_type)
                .unwrap();
            assert_eq!((row.n_treated, row.n_comparison), (50, 60));
            check(row, &want[key], &format!("{} {key}", estimator.name()));
            checked += 1;
        }
    }
    assert_eq!(
        checked, 10,
        "3 estimators × 3 errors, and DiD clustered by household"
    );
}

#[test]
fn the_joint_f_test_matches_statsmodels() {
    // The balance table's joint test: the ProKUS indicator regressed on the
    // baseline outcomes. Here: T on y0 and y1 of the Grunfeld households.
    let want = &reference()["f_test"];
    let units = grunfeld_units(false);
    let x: Vec<Vec<f64>> = units
        .iter()
        .map(|u| vec![1.0, u.baseline.unwrap(), u.endline.unwrap()])
        .collect();
    let y: Vec<f64> = units
        .iter()
        .map(|u| f64::from(u8::from(u.treated)))
        .collect();
    let (f, d1, d2, p) = prokus_metrics::ols::fit(x.into(), &y).unwrap().f_test();
    assert_eq!(
        (d1, d2),
        (
            want["df_num"].as_f64().unwrap(),
            want["df_denom"].as_f64().unwrap()
        )
    );
    for (name, got) in [("f", f), ("p_value", p)] {
        let want = want[name].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-8 * want.abs(),
            "{name}: prokus {got}, statsmodels {want}"
        );
    }
}

#[test]
fn sharpened_q_values_match_statsmodels_two_stage_procedure() {
    let want = &reference()["sharpened_q"];
    let p: Vec<f64> = want["p_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let q: Vec<f64> = want["q_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let got = prokus_metrics::stats::sharpened_q_values(&p);
    assert_eq!(got, q);
    // The order of the p-values does not matter.
    let mut reversed = p.clone();
    reversed.reverse();
    let mut back = prokus_metrics::stats::sharpened_q_values(&reversed);
    back.reverse();
    assert_eq!(back, q);
}
