//! What ProKUS changed, estimated against the comparison group: for each
//! outcome, the difference in means at the endline, the difference in
//! differences from baseline to endline, and the baseline-adjusted (ANCOVA)
//! effect, each with conventional, HC1 and clustered (CR1) standard errors.
//!
//! The estimators are regressions on KPM-level data ([`Unit`]):
//!
//! | estimator | sample | regression | effect |
//! |---|---|---|---|
//! | difference in means | KPM with an endline value | y₁ = a + b·T | b |
//! | difference in differences | KPM with both values, stacked | y = a + b·T + c·post + d·T·post | d |
//! | ANCOVA | KPM with both values | y₁ = a + b·T + c·y₀ | b |
//!
//! They are checked against statsmodels on published data
//! (`tests/impact_reference.rs`).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use duckdb::Connection;

use crate::MetricsError;
use crate::catalog::{Aggregation, Catalog, Population};
use crate::ols::{self, Coefficient, SeType};

const UNITS_SQL: &str = include_str!("../../../queries/metrics/impact_units.sql");

/// The header of `prokus impact --format csv`.
pub const IMPACT_CSV_HEADER: [&str; 10] = [
    "indicator_id",
    "estimator",
    "estimate",
    "se",
    "se_type",
    "ci_low",
    "ci_high",
    "p_value",
    "n_treated",
    "n_comparison",
];

/// One household's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// In the ProKUS arm (else the comparison group).
    pub treated: bool,
    /// The value at the baseline, when surveyed.
    pub baseline: Option<f64>,
    /// The value at the endline, when surveyed.
    pub endline: Option<f64>,
    /// The id of its cluster at the chosen level: the household itself, its
    /// district, regency or incubator.
    pub cluster: u64,
}

/// The three estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// Endline means of the two groups.
    DifferenceInMeans,
    /// Change in the ProKUS group minus change in the comparison group.
    DifferenceInDifferences,
    /// Endline regressed on the group and the baseline value.
    Ancova,
}

impl Estimator {
    /// The name in the CSV's `estimator` column.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::DifferenceInMeans => "difference_in_means",
            Estimator::DifferenceInDifferences => "difference_in_differences",
            Estimator::Ancova => "ancova",
        }
    }
}

/// The level clustered standard errors are clustered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterLevel {
    /// The household: its baseline and endline are correlated.
    Kpm,
    /// The kecamatan.
    District,
    /// The kabupaten/kota.
    Regency,
    /// The business incubator (the comparison group's households each form
    /// a cluster of their own: they have none).
    Incubator,
}

impl ClusterLevel {
    /// Parses `kpm`, `district`, `regency` or `incubator`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "kpm" => ClusterLevel::Kpm,
            "district" => ClusterLevel::District,
            "regency" => ClusterLevel::Regency,
            "incubator" => ClusterLevel::Incubator,
            _ => return None,
        })
    }
}

/// One row of the impact table.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactRow {
    /// The outcome's indicator.
    pub indicator_id: String,
    /// The estimator.
    pub estimator: Estimator,
    /// The standard error's kind.
    pub se_type: SeType,
    /// Estimate, standard error, p-value and 95% interval.
    pub coefficient: Coefficient,
    /// ProKUS households in the estimate.
    pub n_treated: usize,
    /// Comparison households in the estimate.
    pub n_comparison: usize,
}

/// Every estimator with every standard error for one outcome. An estimator
/// whose data do not allow it (no baseline, one group empty) is left out.
pub fn estimate(indicator_id: &str, units: &[Unit]) -> Vec<ImpactRow> {
    let mut out = Vec::new();
    let ended: Vec<&Unit> = units.iter().filter(|u| u.endline.is_some()).collect();
    let paired: Vec<&Unit> = ended
        .iter()
        .copied()
        .filter(|u| u.baseline.is_some())
        .collect();
    let t = |u: &Unit| f64::from(u8::from(u.treated));
    let counts = |us: &[&Unit]| {
        let n_t = us.iter().filter(|u| u.treated).count();
        (n_t, us.len() - n_t)
    };
    // (estimator, design rows, outcomes, clusters, coefficient, counts)
    let mut specs = Vec::new();
    specs.push((
        Estimator::DifferenceInMeans,
        ended.iter().map(|u| vec![1.0, t(u)]).collect::<Vec<_>>(),
        ended.iter().filter_map(|u| u.endline).collect::<Vec<_>>(),
        ended.iter().map(|u| u.cluster).collect::<Vec<_>>(),
        1,
        counts(&ended),
    ));
    if !paired.is_empty() {
        let mut x = Vec::with_capacity(2 * paired.len());
        let mut y = Vec::with_capacity(2 * paired.len());
        let mut clusters = Vec::with_capacity(2 * paired.len());
        for post in [0.0, 1.0] {
            for u in &paired {
                x.push(vec![1.0, t(u), post, t(u) * post]);
                let value = if post == 0.0 { u.baseline } else { u.endline };
                y.push(value.unwrap_or_default());
                clusters.push(u.cluster);
            }
        }
        specs.push((
            Estimator::DifferenceInDifferences,
            x,
            y,
            clusters,
            3,
            counts(&paired),
        ));
        specs.push((
            Estimator::Ancova,
            paired
                .iter()
                .map(|u| vec![1.0, t(u), u.baseline.unwrap_or_default()])
                .collect(),
            paired.iter().filter_map(|u| u.endline).collect(),
            paired.iter().map(|u| u.cluster).collect(),
            1,
            counts(&paired),
        ));
    }
    for (estimator, x, y, clusters, j, (n_treated, n_comparison)) in specs {
        if n_treated == 0 || n_comparison == 0 {
            continue;
        }
        let Ok(fit) = ols::fit(x, &y) else { continue };
        for se_type in [SeType::Conventional, SeType::Hc1, SeType::Cr1] {
            if let Ok(coefficient) = fit.coefficient(j, se_type, Some(&clusters)) {
                out.push(ImpactRow {
                    indicator_id: indicator_id.to_string(),
                    estimator,
                    se_type,
                    coefficient,
                    n_treated,
                    n_comparison,
                });
            }
        }
    }
    out
}

/// One row of `impact_units.sql`.
struct UnitRow {
    variable: String,
    kpm: String,
    arm: String,
    district: String,
    regency: String,
    incubator: String,
    baseline: Option<f64>,
    endline: Option<f64>,
}

/// Every KPM-level variable's values at the baseline and the endline, with
/// each household's arm and cluster at `level`: one query for all outcomes.
/// Needs the ingest schema.
pub fn units_by_variable(
    conn: &Connection,
    level: ClusterLevel,
) -> Result<HashMap<String, Vec<Unit>>, MetricsError> {
    crate::compute::prepare_kpm_values(conn)?;
    let mut stmt = conn.prepare(UNITS_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok(UnitRow {
            variable: r.get(0)?,
            kpm: r.get(1)?,
            arm: r.get(2)?,
            district: r.get(3)?,
            regency: r.get(4)?,
            incubator: r.get(5)?,
            baseline: r.get(6)?,
            endline: r.get(7)?,
        })
    })?;
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut id = |s: String| {
        let next = ids.len() as u64;
        *ids.entry(s).or_insert(next)
    };
    let mut out: HashMap<String, Vec<Unit>> = HashMap::new();
    for row in rows {
        let r = row?;
        let cluster = match level {
            ClusterLevel::Kpm => format!("kpm:{}", r.kpm),
            ClusterLevel::District => format!("district:{}", r.district),
            ClusterLevel::Regency => format!("regency:{}", r.regency),
            // The comparison group has no incubator: each household alone.
            ClusterLevel::Incubator if r.incubator == "none" => format!("kpm:{}", r.kpm),
            ClusterLevel::Incubator => format!("incubator:{}", r.incubator),
        };
        let unit = Unit {
            treated: r.arm == "prokus",
            baseline: r.baseline,
            endline: r.endline,
            cluster: id(cluster),
        };
        out.entry(r.variable).or_default().push(unit);
    }
    Ok(out)
}

/// The impact table of the catalog's outcomes (or of `only`): every
/// indicator compared with the baseline whose aggregation is a mean, a share
/// or a sum of changes. Process indicators (population `wave`), medians,
/// sums and percentage changes are left out unless asked for by id.
pub fn impact_table(
    conn: &Connection,
    catalog: &Catalog,
    only: Option<&str>,
    level: ClusterLevel,
) -> Result<Vec<ImpactRow>, MetricsError> {
    let units = units_by_variable(conn, level)?;
    let mut out = Vec::new();
    for indicator in &catalog.indicators {
        if only.is_some_and(|id| id != indicator.id) {
            continue;
        }
        let outcome = indicator.population == Population::Panel
            && matches!(
                indicator.aggregation,
                Aggregation::Mean | Aggregation::Share | Aggregation::SumChange
            );
        if !outcome && only.is_none() {
            // A percentage change's outcome is the level indicator of the
            // same variable; process indicators have no comparison group.
            continue;
        }
        let empty = Vec::new();
        let units = units.get(&indicator.variable).unwrap_or(&empty);
        out.extend(estimate(&indicator.id, units));
    }
    Ok(out)
}

/// Writes the impact table as CSV (header [`IMPACT_CSV_HEADER`]) or JSON.
pub fn write_impact(rows: &[ImpactRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "indicator_id": r.indicator_id,
                    "estimator": r.estimator.name(),
                    "estimate": r.coefficient.estimate,
                    "se": r.coefficient.se,
                    "se_type": r.se_type.name(),
                    "ci_low": r.coefficient.ci_low,
                    "ci_high": r.coefficient.ci_high,
                    "p_value": r.coefficient.p_value,
                    "n_treated": r.n_treated,
                    "n_comparison": r.n_comparison,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(IMPACT_CSV_HEADER)?;
    for r in rows {
        let c = &r.coefficient;
        w.write_record([
            r.indicator_id.clone(),
            r.estimator.name().to_string(),
            c.estimate.to_string(),
            c.se.to_string(),
            r.se_type.name().to_string(),
            c.ci_low.to_string(),
            c.ci_high.to_string(),
            c.p_value.to_string(),
            r.n_treated.to_string(),
            r.n_comparison.to_string(),
        ])?;
    }
    w.flush()
}

/// [`write_impact`] into a file, or standard output for `-`.
pub fn write_impact_file(rows: &[ImpactRow], json: bool, path: &Path) -> Result<(), MetricsError> {
    let io = |source| MetricsError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.as_os_str() == "-" {
        return write_impact(rows, json, &mut std::io::stdout().lock()).map_err(io);
    }
    let mut buf = Vec::new();
    write_impact(rows, json, &mut buf).map_err(io)?;
    std::fs::write(path, buf).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(treated: bool, b: Option<f64>, e: Option<f64>, id: u64) -> Unit {
        Unit {
            treated,
            baseline: b,
            endline: e,
            cluster: id,
        }
    }

    #[test]
    fn hand_computable_effects() {
        // Comparison: 10→12, 20→22; ProKUS: 10→20, 20→30. DiD = 10 − 2 = 8;
        // endline means 25 vs 17: difference in means 8.
        let units = [
            unit(false, Some(10.0), Some(12.0), 1),
            unit(false, Some(20.0), Some(22.0), 2),
            unit(true, Some(10.0), Some(20.0), 3),
            unit(true, Some(20.0), Some(30.0), 4),
            unit(false, Some(15.0), Some(17.0), 5),
            unit(true, Some(15.0), Some(25.0), 6),
        ];
        let rows = estimate("x", &units);
        let get = |e: Estimator| {
            rows.iter()
                .find(|r| r.estimator == e && r.se_type == SeType::Conventional)
                .unwrap()
                .coefficient
                .estimate
        };
        assert!((get(Estimator::DifferenceInMeans) - 8.0).abs() < 1e-9);
        assert!((get(Estimator::DifferenceInDifferences) - 8.0).abs() < 1e-9);
        assert!((get(Estimator::Ancova) - 8.0).abs() < 1e-9);
        assert_eq!(rows.len(), 9, "3 estimators × 3 standard errors");
        assert_eq!((rows[0].n_treated, rows[0].n_comparison), (3, 3));
    }

    #[test]
    fn an_endline_without_baseline_still_gets_the_difference_in_means() {
        let units: Vec<Unit> = (0..8u32)
            .map(|i| {
                unit(
                    i % 2 == 0,
                    None,
                    Some(f64::from(i) * 1.5 + f64::from(i % 2)),
                    i.into(),
                )
            })
            .collect();
        let rows = estimate("x", &units);
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r.estimator == Estimator::DifferenceInMeans)
        );
        let none = estimate("x", &units[..0]);
        assert!(none.is_empty());
    }
}
