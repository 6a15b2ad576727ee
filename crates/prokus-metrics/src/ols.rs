//! Ordinary least squares with the three standard errors the impact estimates
//! report: conventional (homoskedastic), HC1 (White's heteroskedasticity-robust
//! estimator with the n/(n−k) correction) and CR1 (clustered, with Stata's
//! G/(G−1)·(n−1)/(n−k) correction). Inference uses Student's t with n−k
//! degrees of freedom, or G−1 for clustered errors, as Stata and statsmodels
//! (`use_t=True`) do.
//!
//! The design matrices here are small (an intercept and two or three
//! regressors), so the normal equations are solved directly.

use crate::stats::{t_cdf, t_quantile};

/// Which standard error to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SeType {
    /// Assumes one error variance for all observations.
    Conventional,
    /// Heteroskedasticity-robust, HC1.
    Hc1,
    /// Cluster-robust, CR1: observations of one cluster may be correlated.
    Cr1,
}

impl SeType {
    /// The name used in the impact CSV's `se_type` column.
    pub fn name(self) -> &'static str {
        match self {
            SeType::Conventional => "conventional",
            SeType::Hc1 => "hc1",
            SeType::Cr1 => "cr1",
        }
    }
}

/// One coefficient's estimate and inference.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Coefficient {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom of the t distribution used.
    pub df: f64,
    /// Two-sided p-value of estimate = 0.
    pub p_value: f64,
    /// 95% confidence interval.
    pub ci_low: f64,
    /// 95% confidence interval.
    pub ci_high: f64,
}

/// A fitted regression.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Coefficients in the order of the design matrix's columns.
    pub beta: Vec<f64>,
    /// Residuals.
    residuals: Vec<f64>,
    /// (X'X)⁻¹.
    xtx_inv: Vec<Vec<f64>>,
    /// The design matrix.
    x: Design,
    /// Total sum of squares of y about its mean.
    tss: f64,
}

/// Why a regression cannot be fitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OlsError {
    /// Fewer observations than coefficients + 1.
    #[error("too few observations ({n}) for {k} coefficients")]
    TooFew {
        /// Observations.
        n: usize,
        /// Coefficients.
        k: usize,
    },
    /// A regressor is constant or a combination of others.
    #[error("the regressors are collinear (for example, one group has no observations)")]
    Singular,
    /// Clustered errors need at least two clusters.
    #[error("clustered standard errors need at least two clusters, found {0}")]
    FewClusters(usize),
}

/// A design matrix: rows of `k` regressors each, stored one after the
/// other in one allocation (an impact table fits a few hundred regressions of
/// up to 400,000 rows; a vector per row cost more than the arithmetic).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Design {
    k: usize,
    values: Vec<f64>,
}

impl Design {
    /// An empty design of `k` columns with room for `rows` rows.
    pub fn with_capacity(k: usize, rows: usize) -> Design {
        Design {
            k,
            values: Vec::with_capacity(k * rows),
        }
    }

    /// Appends a row.
    ///
    /// # Panics
    /// When the row does not have the design's `k` columns.
    pub fn push(&mut self, row: &[f64]) {
        assert_eq!(row.len(), self.k, "a design row has {} columns", self.k);
        self.values.extend_from_slice(row);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.k).unwrap_or(0)
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The number of columns.
    pub fn columns(&self) -> usize {
        self.k
    }

    /// The rows, in order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.k.max(1))
    }
}

impl From<Vec<Vec<f64>>> for Design {
    /// Rows of equal length (the first row's).
    fn from(rows: Vec<Vec<f64>>) -> Design {
        let k = rows.first().map_or(0, Vec::len);
        let mut design = Design::with_capacity(k, rows.len());
        for row in &rows {
            design.push(row);
        }
        design
    }
}

/// Fits y = Xβ + e, one row of `x` per value of `y` (include a 1 for the
/// intercept).
///
/// # Panics
/// When `x` and `y` differ in length.
pub fn fit(x: Design, y: &[f64]) -> Result<Fit, OlsError> {
    let n = y.len();
    let k = x.columns();
    assert_eq!(x.len(), n, "one design row per observation");
    if n <= k || k == 0 {
        return Err(OlsError::TooFew { n, k });
    }
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (row, &yi) in x.rows().zip(y) {
        for a in 0..k {
            xty[a] += row[a] * yi;
            for b in 0..k {
                xtx[a][b] += row[a] * row[b];
            }
        }
    }
    let xtx_inv = invert(xtx).ok_or(OlsError::Singular)?;
    let beta: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| xtx_inv[a][b] * xty[b]).sum())
        .collect();
    let residuals = x
        .rows()
        .zip(y)
        .map(|(row, yi)| yi - row.iter().zip(&beta).map(|(v, b)| v * b).sum::<f64>())
        .collect();
    let mean = y.iter().sum::<f64>() / n as f64;
    let tss = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    Ok(Fit {
        beta,
        residuals,
        xtx_inv,
        x,
        tss,
    })
}

impl Fit {
    /// Observations.
    pub fn n(&self) -> usize {
        self.residuals.len()
    }

    /// The F test that every coefficient but the first (the intercept) is
    /// zero, with homoskedastic errors: (F, numerator df, denominator df,
    /// p-value), as statsmodels' `fvalue` and `f_pvalue`.
    pub fn f_test(&self) -> (f64, f64, f64, f64) {
        let n = self.n() as f64;
        let k = self.beta.len() as f64;
        let ssr: f64 = self.residuals.iter().map(|e| e * e).sum();
        let (d1, d2) = (k - 1.0, n - k);
        let f = ((self.tss - ssr) / d1) / (ssr / d2);
        (f, d1, d2, crate::stats::f_sf(f, d1, d2))
    }

    /// The covariance matrix of the coefficients and the degrees of freedom
    /// for inference. `clusters` (one id per observation) is needed for CR1.
    pub fn covariance(
        &self,
        se: SeType,
        clusters: Option<&[u64]>,
    ) -> Result<(Vec<Vec<f64>>, f64), OlsError> {
        let n = self.n() as f64;
        let k = self.beta.len();
        let kf = k as f64;
        let bread = &self.xtx_inv;
        match se {
            SeType::Conventional => {
                let s2 = self.residuals.iter().map(|e| e * e).sum::<f64>() / (n - kf);
                let v = bread
                    .iter()
                    .map(|r| r.iter().map(|v| v * s2).collect())
                    .collect();
                Ok((v, n - kf))
            }
            SeType::Hc1 => {
                let mut meat = vec![vec![0.0; k]; k];
                for (row, e) in self.x.rows().zip(&self.residuals) {
                    add_outer(&mut meat, row, e * e);
                }
                Ok((sandwich(bread, &meat, n / (n - kf)), n - kf))
            }
            SeType::Cr1 => {
                let ids = clusters.ok_or(OlsError::FewClusters(0))?;
                // Each cluster's sum of x·e, in one flat vector.
                let slots = cluster_slots(ids);
                let g = slots.iter().copied().max().map_or(0, |m| m + 1);
                if g < 2 {
                    return Err(OlsError::FewClusters(g));
                }
                let mut sums = vec![0.0; g * k];
                for ((row, e), slot) in self.x.rows().zip(&self.residuals).zip(&slots) {
                    let s = &mut sums[slot * k..(slot + 1) * k];
                    for (a, v) in row.iter().enumerate() {
                        s[a] += v * e;
                    }
                }
                let mut meat = vec![vec![0.0; k]; k];
                for s in sums.chunks_exact(k) {
                    add_outer(&mut meat, s, 1.0);
                }
                let gf = g as f64;
                let c = gf / (gf - 1.0) * (n - 1.0) / (n - kf);
                Ok((sandwich(bread, &meat, c), gf - 1.0))
            }
        }
    }

    /// Coefficient `j` with its standard error, p-value and 95% interval.
    pub fn coefficient(
        &self,
        j: usize,
        se: SeType,
        clusters: Option<&[u64]>,
    ) -> Result<Coefficient, OlsError> {
        let (v, df) = self.covariance(se, clusters)?;
        let estimate = self.beta[j];
        let se = v[j][j].max(0.0).sqrt();
        let t = estimate / se;
        let q = t_quantile(0.975, df);
        Ok(Coefficient {
            estimate,
            se,
            df,
            p_value: 2.0 * (1.0 - t_cdf(t.abs(), df)),
            ci_low: estimate - q * se,
            ci_high: estimate + q * se,
        })
    }
}

/// Numbers the clusters of `ids` 0, 1, 2 … in order of first appearance: one
/// slot per observation. Ids numbered densely (as the impact units' are) are
/// looked up in a table, others in a hash map.
fn cluster_slots(ids: &[u64]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let mut next = 0;
    let max = ids.iter().copied().max().unwrap_or(0);
    if max <= 4 * ids.len() as u64 + 1024 {
        let mut table = vec![NONE; max as usize + 1];
        ids.iter()
            .map(|&id| {
                let slot = &mut table[id as usize];
                if *slot == NONE {
                    *slot = next;
                    next += 1;
                }
                *slot
            })
            .collect()
    } else {
        let mut map = std::collections::HashMap::with_capacity(ids.len());
        ids.iter()
            .map(|&id| {
                *map.entry(id).or_insert_with(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }
}

fn add_outer(m: &mut [Vec<f64>], v: &[f64], w: f64) {
    for (a, va) in v.iter().enumerate() {
        for (b, vb) in v.iter().enumerate() {
            m[a][b] += w * va * vb;
        }
    }
}

/// c · B M B.
fn sandwich(bread: &[Vec<f64>], meat: &[Vec<f64>], c: f64) -> Vec<Vec<f64>> {
    let k = bread.len();
    let bm: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| (0..k).map(|i| bread[a][i] * meat[i][b]).sum())
                .collect()
        })
        .collect();
    (0..k)
        .map(|a| {
            (0..k)
                .map(|b| c * (0..k).map(|i| bm[a][i] * bread[i][b]).sum::<f64>())
                .collect()
        })
        .collect()
}

/// Gauss–Jordan inversion with partial pivoting; `None` when singular.
pub(crate) fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    // Columns differ in scale (an intercept next to incomes in rupiah): a
    // pivot is judged against its own column, not the largest entry.
    let scale: Vec<f64> = (0..k)
        .map(|j| {
            a.iter()
                .fold(0.0f64, |m, row| m.max(row[j].abs()))
                .max(f64::MIN_POSITIVE)
        })
        .collect();
    let mut inv: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= scale[col] * 1e-10 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        for j in 0..k {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for i in 0..k {
            if i != col {
                let f = a[i][col];
                if f != 0.0 {
                    for j in 0..k {
                        a[i][j] -= f * a[col][j];
                        inv[i][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regressors_of_very_different_scales_are_not_mistaken_for_collinear() {
        // y = 2 + 3·T + 0.5·income, incomes in the millions of rupiah.
        let rows: Vec<(f64, f64)> = (0..20)
            .map(|i| (f64::from(i % 2), 1.0e6 + 37_000.0 * f64::from(i * i % 7)))
            .collect();
        let x: Vec<Vec<f64>> = rows.iter().map(|(t, m)| vec![1.0, *t, *m]).collect();
        let y: Vec<f64> = rows.iter().map(|(t, m)| 2.0 + 3.0 * t + 0.5 * m).collect();
        let fit = fit(x.into(), &y).unwrap();
        assert!((fit.beta[1] - 3.0).abs() < 1e-6, "{:?}", fit.beta);
    }

    #[test]
    fn collinear_and_tiny_designs_are_refused() {
        let x = vec![vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0, 2.0]];
        assert_eq!(
            fit(x.into(), &[1.0, 2.0, 3.0]).unwrap_err(),
            OlsError::Singular
        );
        assert!(matches!(
            fit(vec![vec![1.0]].into(), &[1.0]),
            Err(OlsError::TooFew { .. })
        ));
    }

    #[test]
    fn clustered_errors_do_not_depend_on_how_clusters_are_numbered() {
        // Twelve observations in four clusters of three. Numbered 1–4 the
        // clusters are looked up in a table; numbered far apart, in a map.
        let x: Vec<Vec<f64>> = (0..12)
            .map(|i| vec![1.0, f64::from(i % 2), f64::from(i * i % 5)])
            .collect();
        let y: Vec<f64> = (0..12)
            .map(|i| 1.0 + f64::from(i % 2) + f64::from((i * 7) % 3))
            .collect();
        let dense: Vec<u64> = (0..12).map(|i| 1 + i / 3).collect();
        let sparse: Vec<u64> = dense.iter().map(|c| c * 1_000_000_007).collect();
        let fit = fit(x.into(), &y).unwrap();
        let a = fit.coefficient(1, SeType::Cr1, Some(&dense)).unwrap();
        let b = fit.coefficient(1, SeType::Cr1, Some(&sparse)).unwrap();
        assert_eq!(a, b);
        // Four clusters: G − 1 degrees of freedom, and not the HC1 error.
        assert_eq!(a.df, 3.0);
        let hc1 = fit.coefficient(1, SeType::Hc1, None).unwrap();
        assert!((a.se - hc1.se).abs() > 1e-9, "{a:?} {hc1:?}");
    }
}
