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

use crate::sql::arrow_column;
use duckdb::Connection;
use duckdb::arrow::array::{Array, Float64Array, StringArray};
use duckdb::arrow::record_batch::RecordBatch;

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
    pub cluster: u32,
    /// The household's id (the same for all its outcomes), which the family
    /// indices join outcomes on.
    pub household: u32,
}

/// The three estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
        {
            let mut x = ols::Design::with_capacity(2, ended.len());
            for u in &ended {
                x.push(&[1.0, t(u)]);
            }
            x
        },
        ended.iter().filter_map(|u| u.endline).collect::<Vec<_>>(),
        ended
            .iter()
            .map(|u| u64::from(u.cluster))
            .collect::<Vec<_>>(),
        1,
        counts(&ended),
    ));
    if !paired.is_empty() {
        let mut x = ols::Design::with_capacity(4, 2 * paired.len());
        let mut y = Vec::with_capacity(2 * paired.len());
        let mut clusters = Vec::with_capacity(2 * paired.len());
        for post in [0.0, 1.0] {
            for u in &paired {
                x.push(&[1.0, t(u), post, t(u) * post]);
                let value = if post == 0.0 { u.baseline } else { u.endline };
                y.push(value.unwrap_or_default());
                clusters.push(u64::from(u.cluster));
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
            {
                let mut x = ols::Design::with_capacity(3, paired.len());
                for u in &paired {
                    x.push(&[1.0, t(u), u.baseline.unwrap_or_default()]);
                }
                x
            },
            paired.iter().filter_map(|u| u.endline).collect(),
            paired.iter().map(|u| u64::from(u.cluster)).collect(),
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

/// Every KPM-level variable's values at the baseline and the endline, with
/// each household's arm and cluster at `level`: one query for all outcomes.
/// Needs the ingest schema. Each variable's units are in KPM id order. The
/// answers' days (a grant received by the endline interview) are local, at
/// `utc_offset_hours` east of UTC ([`crate::Options::utc_offset_hours`]).
pub fn units_by_variable(
    conn: &Connection,
    level: ClusterLevel,
    utc_offset_hours: i32,
) -> Result<HashMap<String, Vec<Unit>>, MetricsError> {
    crate::compute::prepare_kpm_values(conn, utc_offset_hours)?;
    read_units(conn, level, |_| true)
}

/// [`units_by_variable`] of the variables [`outcome_estimates`] reads (those
/// of the catalog's outcomes) only, on a connection where [`crate::compute`]
/// or [`crate::compute_rows`] has run: reads the KPM-level values they built
/// there instead of building them again, so answers loaded on this
/// connection since then are not seen. Builds them when they are not there,
/// with the answers' days local at `utc_offset_hours` east of UTC.
/// The other variables' units would be read for nothing (at 2,000,000
/// households, some 56 bytes per household and variable).
pub fn outcome_units_after_compute(
    conn: &Connection,
    level: ClusterLevel,
    catalog: &Catalog,
    utc_offset_hours: i32,
) -> Result<HashMap<String, Vec<Unit>>, MetricsError> {
    if !values_built(conn)? {
        crate::compute::prepare_kpm_values(conn, utc_offset_hours)?;
    }
    let outcomes: Vec<&str> = catalog
        .indicators
        .iter()
        .filter(|i| is_outcome(i))
        .map(|i| i.variable.as_str())
        .collect();
    read_units(conn, level, |v| outcomes.contains(&v))
}

/// Whether [`crate::compute`] has left its KPM-level values on `conn`.
fn values_built(conn: &Connection) -> Result<bool, MetricsError> {
    let built: i64 = conn.query_row(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'kpm_value' AND temporary",
        [],
        |r| r.get(0),
    )?;
    Ok(built > 0)
}

/// The units of `units_by_variable` from the connection's `kpm_value`, of
/// the variables `keep` keeps.
fn read_units(
    conn: &Connection,
    level: ClusterLevel,
    keep: impl Fn(&str) -> bool,
) -> Result<HashMap<String, Vec<Unit>>, MetricsError> {
    let mut variables = crate::compute::kpm_variables(conn)?;
    variables.retain(|v| keep(v));
    // Only kpm_value's own column names are written into the query.
    let columns: Vec<String> = variables
        .iter()
        .map(|v| {
            assert!(
                v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "kpm_value's columns are plain names"
            );
            format!("b.\"{v}\"::DOUBLE AS \"b|{v}\", e.\"{v}\"::DOUBLE AS \"e|{v}\"")
        })
        .collect();
    let sql = UNITS_SQL.replace("/* VARIABLES */", &columns.join(",\n       "));
    let mut stmt = conn.prepare(&sql)?;
    let mut units: Vec<Vec<Unit>> = vec![Vec::new(); variables.len()];
    // Read as Arrow columns: the row interface looks values up one at a
    // time, and there are variables × waves × households of them.
    let batches: Vec<RecordBatch> = stmt.query_arrow([])?.collect();
    // Each household's arm and clusters, then the units variable by
    // variable: one list filled at a time by each core, in order, which
    // keeps each list in the cache (filling every list at once, row by row,
    // was slower).
    // Households are numbered by row from 1 (the join has one row per KPM:
    // kpm_value has one per KPM and wave), the clusters of the chosen level
    // after the last household, in order of first appearance, so that a
    // household alone in its cluster (at the KPM level, or a comparison
    // household at the incubator level) is numbered as itself. (Numbers
    // below some four times the observations let the clustered errors look
    // clusters up in a table rather than a hash map.) 32 bits: 8 bytes less
    // for each of some 20 units per household.
    let mut clusters: HashMap<&str, u32> = HashMap::new();
    // (arm, the cluster's index in `clusters` if it is not the household's own)
    let mut rows: Vec<(bool, Option<u32>)> =
        Vec::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
    for batch in &batches {
        let texts = (0..5)
            .map(|c| arrow_column::<StringArray>(batch, c))
            .collect::<Result<Vec<_>, _>>()?;
        let text = |column: usize, row: usize| -> &str {
            let a = texts[column];
            if a.is_null(row) { "" } else { a.value(row) }
        };
        for row in 0..batch.num_rows() {
            let key = match level {
                ClusterLevel::Kpm => None,
                ClusterLevel::District => Some(text(2, row)),
                ClusterLevel::Regency => Some(text(3, row)),
                // The comparison group has no incubator: each household alone.
                ClusterLevel::Incubator => Some(text(4, row)).filter(|i| *i != "none"),
            };
            let cluster = key.map(|key| {
                let next = clusters.len() as u32;
                *clusters.entry(key).or_insert(next)
            });
            rows.push((text(1, row) == "prokus", cluster));
        }
    }
    let last = u32::try_from(rows.len() + clusters.len())
        .map_err(|_| MetricsError::Internal("more households and clusters than 2^32".into()))?
        - clusters.len() as u32;
    let households: Vec<(bool, u32, u32)> = (1..)
        .zip(&rows)
        .map(|(household, &(treated, cluster))| {
            (
                treated,
                cluster.map_or(household, |c| last + 1 + c),
                household,
            )
        })
        .collect();
    drop(rows);
    use rayon::prelude::*;
    units.par_iter_mut().enumerate().try_for_each(|(i, list)| {
        list.reserve(households.len());
        let mut first = 0;
        for batch in &batches {
            let baselines = arrow_column::<Float64Array>(batch, 5 + 2 * i)?;
            let endlines = arrow_column::<Float64Array>(batch, 6 + 2 * i)?;
            let value = |a: &Float64Array, row: usize| (!a.is_null(row)).then(|| a.value(row));
            let rows = &households[first..first + batch.num_rows()];
            first += batch.num_rows();
            for (row, &(treated, cluster, household)) in rows.iter().enumerate() {
                let baseline = value(baselines, row);
                let endline = value(endlines, row);
                if baseline.is_some() || endline.is_some() {
                    list.push(Unit {
                        treated,
                        baseline,
                        endline,
                        cluster,
                        household,
                    });
                }
            }
        }
        Ok::<_, MetricsError>(())
    })?;
    Ok(variables
        .into_iter()
        .zip(units)
        .filter(|(_, u)| !u.is_empty())
        .collect())
}

/// The impact table of the catalog's outcomes (or of `only`): every
/// indicator compared with the baseline whose aggregation is a mean, a share
/// or a sum of changes. Process indicators (population `wave`), medians,
/// sums and percentage changes are left out unless asked for by id. Without
/// `only`, the family indices follow. `units` come from [`units_by_variable`],
/// which the balance table reads too.
pub fn impact_table(
    catalog: &Catalog,
    only: Option<&str>,
    units: &HashMap<String, Vec<Unit>>,
) -> Vec<ImpactRow> {
    let mut out = indicator_estimates(catalog, only, units);
    if only.is_none() {
        // One family at a time: each holds every household's components
        // and z-scores while its indices are made.
        for (family, members) in families(catalog) {
            for (id, units) in family_index(&family, &members, units) {
                out.extend(estimate(&id, &units));
            }
        }
    }
    out
}

/// [`impact_table`] without the family indices: every outcome indicator's
/// estimates. What the national report prints.
pub fn outcome_estimates(catalog: &Catalog, units: &HashMap<String, Vec<Unit>>) -> Vec<ImpactRow> {
    indicator_estimates(catalog, None, units)
}

/// The estimates of the catalog's outcomes (or of `only`), in catalog
/// order, the indicators estimated in parallel (each estimate is one
/// thread's work, and there are a score of them).
fn indicator_estimates(
    catalog: &Catalog,
    only: Option<&str>,
    units: &HashMap<String, Vec<Unit>>,
) -> Vec<ImpactRow> {
    use rayon::prelude::*;
    let empty = Vec::new();
    catalog
        .indicators
        .par_iter()
        // A percentage change's outcome is the level indicator of the same
        // variable; process indicators have no comparison group. Either
        // is estimated when asked for by id.
        .filter(|i| only.map_or_else(|| is_outcome(i), |id| id == i.id))
        .flat_map_iter(|i| estimate(&i.id, units.get(&i.variable).unwrap_or(&empty)))
        .collect()
}

/// The outcome indicators of the default impact table: compared with the
/// baseline, aggregated as a mean, a share or a sum of changes.
fn is_outcome(indicator: &crate::catalog::Indicator) -> bool {
    indicator.population == Population::Panel
        && matches!(
            indicator.aggregation,
            Aggregation::Mean | Aggregation::Share | Aggregation::SumChange
        )
}

/// The outcome families of the catalog, in catalog order, each with its
/// indicators (one per KPM-level variable).
fn families(catalog: &Catalog) -> Vec<(String, Vec<&crate::catalog::Indicator>)> {
    let mut out: Vec<(String, Vec<&crate::catalog::Indicator>)> = Vec::new();
    for i in catalog.indicators.iter().filter(|i| is_outcome(i)) {
        let Some(family) = &i.family else { continue };
        let at = match out.iter().position(|(f, _)| f == family) {
            Some(at) => at,
            None => {
                out.push((family.clone(), Vec::new()));
                out.len() - 1
            }
        };
        if !out[at].1.iter().any(|j| j.variable == i.variable) {
            out[at].1.push(i);
        }
    }
    out
}

/// Standardized family indices, per household and wave, as outcomes:
/// `index_klk_<family>`, the Kling–Liebman–Katz (2007) mean of the
/// components' z-scores, and `index_anderson_<family>`, Anderson's (2008)
/// inverse-covariance-weighted mean of them, re-standardized. Each component
/// is z-scored against the comparison group in the same wave (its mean and
/// standard deviation there), with its sign turned when lower is better; a
/// household missing some components is scored on those it has.
pub fn family_indices(
    catalog: &Catalog,
    units: &HashMap<String, Vec<Unit>>,
) -> Vec<(String, Vec<Unit>)> {
    families(catalog)
        .into_iter()
        .flat_map(|(family, members)| family_index(&family, &members, units))
        .collect()
}

/// The households of some units, one list per component, in household
/// order: each at a row of flat tables with one column per component (a hash
/// map of them, with two small vectors each, took more time and memory).
struct Households {
    /// The households, ascending.
    ids: Vec<u32>,
    /// Each household's arm and cluster, as its first unit (in component
    /// order) gives them.
    first: Vec<Option<(bool, u32)>>,
    /// Its baseline values, `[household × component]`: the last of each
    /// component's units.
    base: Vec<Option<f64>>,
    /// Its endline values, the same way.
    end: Vec<Option<f64>>,
}

fn household_table(lists: &[&[Unit]]) -> Households {
    let m = lists.len();
    let mut households: Vec<u32> = lists
        .iter()
        .flat_map(|l| l.iter().map(|u| u.household))
        .collect();
    households.sort_unstable();
    households.dedup();
    let h = households.len();
    let mut first: Vec<Option<(bool, u32)>> = vec![None; h];
    let mut base: Vec<Option<f64>> = vec![None; h * m];
    let mut end: Vec<Option<f64>> = vec![None; h * m];
    for (j, list) in lists.iter().enumerate() {
        for u in list.iter() {
            let k = households.binary_search(&u.household).unwrap_or_default();
            first[k].get_or_insert((u.treated, u.cluster));
            base[k * m + j] = u.baseline;
            end[k * m + j] = u.endline;
        }
    }
    Households {
        ids: households,
        first,
        base,
        end,
    }
}

/// One family's two indices of [`family_indices`]. [`impact_table`]
/// estimates them a family at a time: all of them at once held two units
/// per household and family.
fn family_index(
    family: &str,
    members: &[&crate::catalog::Indicator],
    units: &HashMap<String, Vec<Unit>>,
) -> Vec<(String, Vec<Unit>)> {
    let m = members.len();
    let lists: Vec<&[Unit]> = members
        .iter()
        .map(|i| units.get(&i.variable).map_or(&[][..], Vec::as_slice))
        .collect();
    let Households {
        ids: households,
        first,
        mut base,
        mut end,
    } = household_table(&lists);
    let treated: Vec<bool> = first.iter().map(|f| f.is_some_and(|f| f.0)).collect();
    let sign: Vec<f64> = members
        .iter()
        .map(|i| match i.direction {
            crate::catalog::Direction::Higher => 1.0,
            crate::catalog::Direction::Lower => -1.0,
        })
        .collect();
    // z-scores per wave, in place: [household × component].
    let z_scores = |values: &mut [Option<f64>]| {
        for j in 0..m {
            let comparison: Vec<f64> = values
                .chunks_exact(m)
                .zip(&treated)
                .filter(|(_, t)| !**t)
                .filter_map(|(v, _)| v[j])
                .collect();
            let stats = mean_sd(&comparison);
            for v in values.chunks_exact_mut(m) {
                v[j] = match stats {
                    Some((mean, sd)) => v[j].map(|x| sign[j] * (x - mean) / sd),
                    None => None,
                };
            }
        }
    };
    z_scores(&mut base);
    z_scores(&mut end);
    let klk = |z: &[Option<f64>]| {
        let present = z.iter().flatten().count();
        (present > 0).then(|| z.iter().flatten().copied().sum::<f64>() / present as f64)
    };
    let (w_base, w_end) = (anderson_weights(&base, m), anderson_weights(&end, m));
    let anderson = |z: &[Option<f64>], w: &[f64]| {
        let (num, den) = z
            .iter()
            .zip(w)
            .filter_map(|(z, w)| z.map(|z| (w * z, *w)))
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        (den > 0.0).then(|| num / den)
    };
    let restandardize = |index: Vec<Option<f64>>| -> Vec<Option<f64>> {
        let comparison: Vec<f64> = index
            .iter()
            .zip(&treated)
            .filter(|(_, t)| !**t)
            .filter_map(|(v, _)| *v)
            .collect();
        match mean_sd(&comparison) {
            Some((mean, sd)) => index
                .into_iter()
                .map(|v| v.map(|v| (v - mean) / sd))
                .collect(),
            None => vec![None; index.len()],
        }
    };
    let per_household = |z: &[Option<f64>], f: &dyn Fn(&[Option<f64>]) -> Option<f64>| {
        z.chunks_exact(m).map(f).collect::<Vec<_>>()
    };
    let klk_base = per_household(&base, &klk);
    let klk_end = per_household(&end, &klk);
    let and_base = restandardize(per_household(&base, &|z| anderson(z, &w_base)));
    let and_end = restandardize(per_household(&end, &|z| anderson(z, &w_end)));
    drop((base, end));
    let mut out = Vec::new();
    for (name, b, e) in [("klk", klk_base, klk_end), ("anderson", and_base, and_end)] {
        let units = households
            .iter()
            .enumerate()
            .map(|(k, &household)| Unit {
                treated: treated[k],
                baseline: b[k],
                endline: e[k],
                cluster: first[k].map_or(household, |f| f.1),
                household,
            })
            .filter(|u| u.baseline.is_some() || u.endline.is_some())
            .collect();
        out.push((format!("index_{name}_{family}"), units));
    }
    out
}

/// Mean and sample standard deviation, when there are two values that differ.
fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len() as f64;
    if n < 2.0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    (sd > 0.0).then_some((mean, sd))
}

/// Anderson's weights: the row sums of the inverse of the components'
/// covariance matrix, over the households with every component. Equal
/// weights when it cannot be inverted (too few complete households).
fn anderson_weights(z: &[Option<f64>], m: usize) -> Vec<f64> {
    // The households with every component, one after another.
    let complete: Vec<f64> = z
        .chunks_exact(m.max(1))
        .filter(|row| row.iter().all(Option::is_some))
        .flatten()
        .flatten()
        .copied()
        .collect();
    let rows = complete.len() / m.max(1);
    let n = rows as f64;
    if rows <= m {
        return vec![1.0; m];
    }
    let means: Vec<f64> = (0..m)
        .map(|j| complete.chunks_exact(m).map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let cov: Vec<Vec<f64>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| {
                    complete
                        .chunks_exact(m)
                        .map(|r| (r[a] - means[a]) * (r[b] - means[b]))
                        .sum::<f64>()
                        / (n - 1.0)
                })
                .collect()
        })
        .collect();
    match ols::invert(cov) {
        Some(inv) => inv.iter().map(|row| row.iter().sum()).collect(),
        None => vec![1.0; m],
    }
}

/// One line of the baseline balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// The outcome's indicator.
    pub indicator_id: String,
    /// Baseline mean and standard deviation, ProKUS households.
    pub mean_treated: f64,
    /// Standard deviation, ProKUS households.
    pub sd_treated: f64,
    /// Baseline mean, comparison households.
    pub mean_comparison: f64,
    /// Standard deviation, comparison households.
    pub sd_comparison: f64,
    /// mean_treated − mean_comparison.
    pub difference: f64,
    /// The difference over √((sd_t² + sd_c²)/2) (Imbens and Rubin); above
    /// 0.25 in absolute value is commonly read as imbalance.
    pub normalized_difference: f64,
    /// p-value of the difference (HC1 standard error).
    pub p_value: f64,
    /// Households with a baseline value in each group.
    pub n_treated: usize,
    /// Comparison households.
    pub n_comparison: usize,
}

/// The baseline balance table of the outcomes, and the joint F test of
/// regressing the ProKUS indicator on all the baseline outcomes together
/// (households with every one of them): (F, df1, df2, p-value, n).
pub struct Balance {
    /// One row per outcome variable.
    pub rows: Vec<BalanceRow>,
    /// The joint test, when it can be computed.
    pub joint: Option<(f64, f64, f64, f64, usize)>,
}

/// Computes the balance table from the units of [`units_by_variable`].
pub fn balance(catalog: &Catalog, units: &HashMap<String, Vec<Unit>>) -> Balance {
    let mut rows = Vec::new();
    let mut used: Vec<&crate::catalog::Indicator> = Vec::new();
    for indicator in catalog.indicators.iter().filter(|i| is_outcome(i)) {
        if used.iter().any(|u| u.variable == indicator.variable) {
            continue;
        }
        let Some(us) = units.get(&indicator.variable) else {
            continue;
        };
        let values = |treated: bool| -> Vec<f64> {
            us.iter()
                .filter(|u| u.treated == treated)
                .filter_map(|u| u.baseline)
                .collect()
        };
        let (t, c) = (values(true), values(false));
        let (Some((mt, st)), Some((mc, sc))) = (mean_sd(&t), mean_sd(&c)) else {
            continue;
        };
        let with: Vec<&Unit> = us.iter().filter(|u| u.baseline.is_some()).collect();
        let mut x = ols::Design::with_capacity(2, with.len());
        for u in &with {
            x.push(&[1.0, f64::from(u8::from(u.treated))]);
        }
        let y: Vec<f64> = with.iter().filter_map(|u| u.baseline).collect();
        let p_value = ols::fit(x, &y)
            .ok()
            .and_then(|f| f.coefficient(1, SeType::Hc1, None).ok())
            .map_or(f64::NAN, |c| c.p_value);
        used.push(indicator);
        rows.push(BalanceRow {
            indicator_id: indicator.id.clone(),
            mean_treated: mt,
            sd_treated: st,
            mean_comparison: mc,
            sd_comparison: sc,
            difference: mt - mc,
            normalized_difference: (mt - mc) / ((st * st + sc * sc) / 2.0).sqrt(),
            p_value,
            n_treated: t.len(),
            n_comparison: c.len(),
        });
    }
    // Joint test: treated on every baseline outcome, complete households,
    // in household order.
    let lists: Vec<&[Unit]> = used
        .iter()
        .map(|i| units.get(&i.variable).map_or(&[][..], Vec::as_slice))
        .collect();
    let m = used.len();
    let Households { first, base, .. } = household_table(&lists);
    let complete: Vec<(bool, &[Option<f64>])> = first
        .iter()
        .zip(base.chunks_exact(m.max(1)))
        .filter(|(_, v)| v.iter().all(Option::is_some))
        .map(|(f, v)| (f.is_some_and(|f| f.0), v))
        .collect();
    let mut x = ols::Design::with_capacity(m + 1, complete.len());
    let mut row = Vec::with_capacity(m + 1);
    for (_, v) in &complete {
        row.clear();
        row.push(1.0);
        row.extend(v.iter().flatten());
        x.push(&row);
    }
    let y: Vec<f64> = complete
        .iter()
        .map(|(t, _)| f64::from(u8::from(*t)))
        .collect();
    let joint = (!used.is_empty())
        .then(|| ols::fit(x, &y).ok())
        .flatten()
        .map(|fit| {
            let (f, d1, d2, p) = fit.f_test();
            (f, d1, d2, p, fit.n())
        });
    Balance { rows, joint }
}

/// The header of the balance CSV. The joint F test is its last row, with
/// `indicator_id` = `joint_f_test`, the F statistic in `difference`, its
/// p-value in `p_value` and its degrees of freedom in `n_treated`
/// (numerator) and `n_comparison` (denominator).
pub const BALANCE_CSV_HEADER: &[&str] = &[
    "indicator_id",
    "mean_treated",
    "sd_treated",
    "mean_comparison",
    "sd_comparison",
    "difference",
    "normalized_difference",
    "p_value",
    "n_treated",
    "n_comparison",
];

/// Writes the balance table as CSV.
pub fn write_balance(balance: &Balance, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BALANCE_CSV_HEADER)?;
    for r in &balance.rows {
        w.write_record([
            r.indicator_id.clone(),
            r.mean_treated.to_string(),
            r.sd_treated.to_string(),
            r.mean_comparison.to_string(),
            r.sd_comparison.to_string(),
            r.difference.to_string(),
            r.normalized_difference.to_string(),
            r.p_value.to_string(),
            r.n_treated.to_string(),
            r.n_comparison.to_string(),
        ])?;
    }
    if let Some((f, d1, d2, p, _)) = balance.joint {
        w.write_record([
            "joint_f_test".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            f.to_string(),
            String::new(),
            p.to_string(),
            d1.to_string(),
            d2.to_string(),
        ])?;
    }
    w.flush()
}

/// The header of the q-value CSV.
pub const QVALUE_CSV_HEADER: &[&str] = &[
    "scope",
    "indicator_id",
    "estimator",
    "se_type",
    "p_value",
    "q_value",
];

/// Sharpened q-values (see [`crate::stats::sharpened_q_values`]) for each
/// estimator and standard error: across the families (their Anderson
/// indices, scope `families`) and, within each family, across its outcomes
/// (scope = the family's name).
pub fn q_values(catalog: &Catalog, rows: &[ImpactRow]) -> Vec<(String, ImpactRow, f64)> {
    let mut scopes: Vec<(String, Vec<String>)> = vec![(
        "families".into(),
        families(catalog)
            .iter()
            .map(|(f, _)| format!("index_anderson_{f}"))
            .collect(),
    )];
    for (family, members) in families(catalog) {
        scopes.push((family, members.iter().map(|i| i.id.clone()).collect()));
    }
    let mut out = Vec::new();
    for (scope, ids) in scopes {
        for estimator in [
            Estimator::DifferenceInMeans,
            Estimator::DifferenceInDifferences,
            Estimator::Ancova,
        ] {
            for se_type in [SeType::Conventional, SeType::Hc1, SeType::Cr1] {
                let tests: Vec<&ImpactRow> = rows
                    .iter()
                    .filter(|r| r.estimator == estimator && r.se_type == se_type)
                    .filter(|r| ids.contains(&r.indicator_id))
                    .collect();
                let p: Vec<f64> = tests.iter().map(|r| r.coefficient.p_value).collect();
                for (r, q) in tests.into_iter().zip(crate::stats::sharpened_q_values(&p)) {
                    out.push((scope.clone(), r.clone(), q));
                }
            }
        }
    }
    out
}

/// Writes the q-values as CSV.
pub fn write_q_values(q: &[(String, ImpactRow, f64)], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(QVALUE_CSV_HEADER)?;
    for (scope, r, q) in q {
        w.write_record([
            scope.clone(),
            r.indicator_id.clone(),
            r.estimator.name().to_string(),
            r.se_type.name().to_string(),
            r.coefficient.p_value.to_string(),
            q.to_string(),
        ])?;
    }
    w.flush()
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

    #[test]
    fn the_outcomes_units_alone_give_the_same_estimates() {
        let (_dir, db) = crate::compute::tests::database();
        let conn = db.connection();
        let catalog = Catalog::builtin();
        let all = units_by_variable(conn, ClusterLevel::Kpm, 7).unwrap();
        let outcomes = outcome_units_after_compute(conn, ClusterLevel::Kpm, &catalog, 7).unwrap();
        // Survey completion and the grant are no outcomes: not read.
        assert!(all.contains_key("responded") && !outcomes.contains_key("responded"));
        assert!(!outcomes.contains_key("grant_days"));
        for (variable, units) in &outcomes {
            assert_eq!(units, &all[variable], "{variable}");
        }
        let estimates = outcome_estimates(&catalog, &outcomes);
        assert!(!estimates.is_empty());
        assert_eq!(estimates, outcome_estimates(&catalog, &all));
    }

    #[test]
    fn outcome_units_after_compute_reuse_the_values_the_indicators_built() {
        let (_dir, db) = crate::compute::tests::database();
        let conn = db.connection();
        let catalog = Catalog::builtin();
        let after_compute =
            |conn: &Connection| outcome_units_after_compute(conn, ClusterLevel::Kpm, &catalog, 7);
        let fresh = units_by_variable(conn, ClusterLevel::Kpm, 7).unwrap();
        assert!(
            fresh["business_income"].len() > 100,
            "the sample has incomes"
        );
        // On a connection where nothing was computed, they are built.
        let other = conn.try_clone().unwrap();
        let built = after_compute(&other).unwrap();
        let outcomes: HashMap<String, Vec<Unit>> = fresh
            .iter()
            .filter(|(v, _)| built.contains_key(*v))
            .map(|(v, u)| (v.clone(), u.clone()))
            .collect();
        assert_eq!(built, outcomes);
        // After the indicators, the same units from the values they built:
        // changed there, the change is what is read.
        crate::compute_rows(conn, &catalog, &crate::Options::default()).unwrap();
        assert_eq!(after_compute(conn).unwrap(), outcomes);
        conn.execute_batch("UPDATE response_value SET business_income = 7")
            .unwrap();
        let reused = after_compute(conn).unwrap();
        assert!(
            reused["business_income"]
                .iter()
                .all(|u| u.baseline.is_none_or(|v| v == 7.0) && u.endline.is_none_or(|v| v == 7.0))
        );
        assert_eq!(
            units_by_variable(conn, ClusterLevel::Kpm, 7).unwrap(),
            fresh
        );
    }

    /// Each level's clusters, checked against the register: two households
    /// share a cluster exactly when they share the district, regency or
    /// incubator, and a household without one (a comparison household at the
    /// incubator level, every household at the KPM level) is alone in its own.
    #[test]
    fn clusters_are_the_areas_or_incubators_the_register_gives() {
        let (_dir, db) = crate::compute::tests::database();
        let conn = db.connection();
        // Households are numbered in KPM id order, from 1.
        let register: Vec<[String; 3]> = conn
            .prepare(
                "SELECT coalesce(district_code, 'unknown'), regency_code, coalesce(incubator_id, 'none')
                 FROM kpm ORDER BY kpm_id",
            )
            .unwrap()
            .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let comparison = register.iter().filter(|r| r[2] == "none").count();
        assert!(comparison > 10, "the sample has a comparison group");
        for (level, column) in [
            (ClusterLevel::Kpm, None),
            (ClusterLevel::District, Some(0)),
            (ClusterLevel::Regency, Some(1)),
            (ClusterLevel::Incubator, Some(2)),
        ] {
            let units = &units_by_variable(conn, level, 7).unwrap()["business_income"];
            assert!(units.len() > 100);
            let key = |u: &Unit| {
                let r = &register[u.household as usize - 1];
                column
                    .map(|c| r[c].as_str())
                    .filter(|k| *k != "none")
                    .map_or_else(|| format!("household {}", u.household), str::to_string)
            };
            for a in units {
                if column.is_none() || key(a).starts_with("household ") {
                    assert_eq!(a.cluster, a.household, "{level:?}: alone");
                }
                for b in units {
                    assert_eq!(
                        a.cluster == b.cluster,
                        key(a) == key(b),
                        "{level:?}: households {} and {}",
                        a.household,
                        b.household
                    );
                }
            }
        }
    }

    fn unit(treated: bool, b: Option<f64>, e: Option<f64>, id: u32) -> Unit {
        Unit {
            treated,
            baseline: b,
            endline: e,
            cluster: id,
            household: id,
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

    /// A catalog of outcomes `a` and `b` (lower is better) in family `f`.
    fn family_catalog() -> Catalog {
        let one = |id: &str, direction: &str| {
            format!(
                "[[indicator]]\nid = '{id}'\nlabel_id = 'x'\nlabel_en = 'x'\ndefinition_id = 'x'\ndefinition_en = 'x'\n\
                 unit = 'score'\ndecimals = 2\ndirection = '{direction}'\nvariable = '{id}'\naggregation = 'mean'\n\
                 family = 'f'\nsource = []\n"
            )
        };
        Catalog::parse(&(one("a", "higher") + &one("b", "lower"))).unwrap()
    }

    fn units_of(values: &[(bool, f64, f64)]) -> Vec<Unit> {
        values
            .iter()
            .enumerate()
            .map(|(h, &(t, b, e))| Unit {
                treated: t,
                baseline: Some(b),
                endline: Some(e),
                cluster: h as u32,
                household: h as u32,
            })
            .collect()
    }

    /// Three ProKUS and three comparison households: (treated, baseline,
    /// endline).
    const SIX: [(bool, f64, f64); 6] = [
        (true, 1.0, 5.0),
        (true, 2.0, 6.0),
        (true, 3.0, 8.0),
        (false, 1.0, 2.0),
        (false, 2.0, 4.0),
        (false, 3.0, 3.0),
    ];

    /// The outcomes are estimated in parallel: the table still lists them in
    /// catalog order, then the family indices; one asked for by id alone.
    #[test]
    fn the_table_is_in_catalog_order_or_the_one_indicator_asked_for() {
        let a = SIX;
        let b: Vec<(bool, f64, f64)> = a.iter().map(|&(t, x, y)| (t, x * x, y - x)).collect();
        let mut units = HashMap::new();
        units.insert("a".to_string(), units_of(&a));
        units.insert("b".to_string(), units_of(&b));
        let ids = |rows: &[ImpactRow]| {
            let mut ids: Vec<String> = rows.iter().map(|r| r.indicator_id.clone()).collect();
            ids.dedup();
            ids
        };
        let all = impact_table(&family_catalog(), None, &units);
        assert_eq!(ids(&all), ["a", "b", "index_klk_f", "index_anderson_f"]);
        assert_eq!(all.len(), 4 * 9, "3 estimators × 3 standard errors each");
        let one = impact_table(&family_catalog(), Some("b"), &units);
        assert_eq!(ids(&one), ["b"]);
        assert_eq!(one, all[9..18]);
        assert_eq!(outcome_estimates(&family_catalog(), &units), all[..18]);
    }

    #[test]
    fn family_indices_are_z_scores_against_the_comparison_group() {
        let a = SIX;
        // b is a mirror of a (lower is better): its z-scores, turned, equal a's.
        let b: Vec<(bool, f64, f64)> = a.iter().map(|&(t, x, y)| (t, -x, -y)).collect();
        let mut units = HashMap::new();
        units.insert("a".to_string(), units_of(&a));
        units.insert("b".to_string(), units_of(&b));
        let indices = family_indices(&family_catalog(), &units);
        let ids: Vec<&str> = indices.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["index_klk_f", "index_anderson_f"]);
        // Comparison endline: mean 3, sd 1. So household 0's endline z is 2.
        let klk = &indices[0].1;
        assert!((klk[0].endline.unwrap() - 2.0).abs() < 1e-12, "{klk:?}");
        // Baseline comparison: mean 2, sd 1; household 2 has z = 1.
        assert!((klk[2].baseline.unwrap() - 1.0).abs() < 1e-12);
        // The effect on the index is the effect on `a` in comparison SDs.
        let dim = |id: &str, us: &[Unit]| {
            estimate(id, us)
                .into_iter()
                .find(|r| r.estimator == Estimator::DifferenceInMeans)
                .unwrap()
                .coefficient
                .estimate
        };
        assert!((dim("k", klk) - dim("a", &units["a"]) / 1.0).abs() < 1e-12);
        // Anderson's index is re-standardized: comparison mean 0, sd 1.
        let anderson = &indices[1].1;
        let comparison: Vec<f64> = anderson
            .iter()
            .filter(|u| !u.treated)
            .filter_map(|u| u.endline)
            .collect();
        let (mean, sd) = mean_sd(&comparison).unwrap();
        assert!(
            mean.abs() < 1e-12 && (sd - 1.0).abs() < 1e-12,
            "{mean} {sd}"
        );
    }

    #[test]
    fn balance_table_by_hand() {
        let a = [
            (true, 1.0, 0.0),
            (true, 3.0, 0.0),
            (false, 1.0, 0.0),
            (false, 2.0, 0.0),
            (false, 3.0, 0.0),
        ];
        let b = [
            (true, 10.0, 0.0),
            (true, 30.0, 0.0),
            (false, 20.0, 0.0),
            (false, 15.0, 0.0),
            (false, 40.0, 0.0),
        ];
        let mut units = HashMap::new();
        units.insert("a".to_string(), units_of(&a));
        units.insert("b".to_string(), units_of(&b));
        let table = balance(&family_catalog(), &units);
        let row = &table.rows[0];
        assert_eq!(row.indicator_id, "a");
        assert_eq!(
            (row.mean_treated, row.mean_comparison, row.difference),
            (2.0, 2.0, 0.0)
        );
        // sd_t = √2, sd_c = 1: normalized difference 0 / √1.5.
        assert!((row.sd_treated - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(row.normalized_difference, 0.0);
        let row = &table.rows[1];
        assert_eq!((row.mean_treated, row.mean_comparison), (20.0, 25.0));
        let sd_c = (((20.0f64 - 25.0).powi(2) + 100.0 + 225.0) / 2.0).sqrt();
        let expected = -5.0 / ((200.0 + sd_c * sd_c) / 2.0).sqrt();
        assert!((row.normalized_difference - expected).abs() < 1e-12);
        // statsmodels: OLS(T ~ a + b).fvalue = 0.2; for F(2, 2) the upper
        // tail is 1 / (1 + F).
        let (f, d1, d2, p, n) = table.joint.unwrap();
        assert_eq!((d1, d2, n), (2.0, 2.0, 5));
        assert!((f - 0.2).abs() < 1e-12, "{f}");
        assert!((p - 1.0 / 1.2).abs() < 1e-12, "{p}");
    }

    #[test]
    fn an_endline_without_baseline_still_gets_the_difference_in_means() {
        let units: Vec<Unit> = (0..8u32)
            .map(|i| {
                unit(
                    i % 2 == 0,
                    None,
                    Some(f64::from(i) * 1.5 + f64::from(i % 2)),
                    i,
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
