//! Ordinary least squares with the three standard errors the impact estimates
//! report: conventional (homoskedastic), HC1 (White's heteroskedasticity-robust
//! estimator with the n/(n−k) correction) and CR1 (clustered, with Stata's
//! G/(G−1)·(n−1)/(n−k) correction). Inference uses Student's t with n−k
//! degrees of freedom, or G−1 for clustered errors, as Stata and statsmodels
//! (`use_t=True`) do.
//!
//! The design matrices here are small (an intercept and two or three
//! regressors), so the normal equations are solved directly.

/// Which standard error to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// Rows of the design matrix.
    x: Vec<Vec<f64>>,
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

/// Fits y = Xβ + e. Every row of `x` has the same length (include a 1 for
/// the intercept).
pub fn fit(x: Vec<Vec<f64>>, y: &[f64]) -> Result<Fit, OlsError> {
    let n = y.len();
    let k = x.first().map_or(0, Vec::len);
    if n <= k || k == 0 {
        return Err(OlsError::TooFew { n, k });
    }
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (row, &yi) in x.iter().zip(y) {
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
        .iter()
        .zip(y)
        .map(|(row, yi)| yi - row.iter().zip(&beta).map(|(v, b)| v * b).sum::<f64>())
        .collect();
    Ok(Fit {
        beta,
        residuals,
        xtx_inv,
        x,
    })
}

impl Fit {
    /// Observations.
    pub fn n(&self) -> usize {
        self.residuals.len()
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
                for (row, e) in self.x.iter().zip(&self.residuals) {
                    add_outer(&mut meat, row, e * e);
                }
                Ok((sandwich(bread, &meat, n / (n - kf)), n - kf))
            }
            SeType::Cr1 => {
                let ids = clusters.ok_or(OlsError::FewClusters(0))?;
                let mut sums: std::collections::HashMap<u64, Vec<f64>> =
                    std::collections::HashMap::new();
                for ((row, e), id) in self.x.iter().zip(&self.residuals).zip(ids) {
                    let s = sums.entry(*id).or_insert_with(|| vec![0.0; k]);
                    for (a, v) in row.iter().enumerate() {
                        s[a] += v * e;
                    }
                }
                let g = sums.len();
                if g < 2 {
                    return Err(OlsError::FewClusters(g));
                }
                let mut meat = vec![vec![0.0; k]; k];
                for s in sums.values() {
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
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
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

/// The `p` quantile of Student's t with `df` degrees of freedom (0.5 < p < 1),
/// by bisection on [`t_cdf`]: exact to about 1e-12, for any real `df`.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
        if hi > 1e12 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The CDF of Student's t with `df` degrees of freedom, through the
/// regularized incomplete beta function.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The regularized incomplete beta function I_x(a, b) (Numerical Recipes'
/// continued fraction, Lentz's method).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let not_tiny = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / not_tiny(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The even and the odd step of the continued fraction.
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 / not_tiny(1.0 + aa * d);
            c = not_tiny(1.0 + aa / c);
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut s = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        s += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_cdf_matches_published_quantiles() {
        // t(0.975; df) from standard tables.
        for (df, q) in [
            (1.0, 12.706_204_736),
            (5.0, 2.570_581_836),
            (30.0, 2.042_272_456),
        ] {
            assert!((t_cdf(q, df) - 0.975).abs() < 1e-8, "df {df}");
        }
        assert!((t_cdf(0.0, 7.0) - 0.5).abs() < 1e-15);
        assert!((t_quantile(0.975, 10.0) - 2.228_138_851_986).abs() < 1e-9);
        assert!((t_quantile(0.975, 1e6) - 1.959_966_3).abs() < 1e-6);
        assert!((t_cdf(-2.570_581_836, 5.0) - 0.025).abs() < 1e-8);
    }

    #[test]
    fn regressors_of_very_different_scales_are_not_mistaken_for_collinear() {
        // y = 2 + 3·T + 0.5·income, incomes in the millions of rupiah.
        let rows: Vec<(f64, f64)> = (0..20)
            .map(|i| (f64::from(i % 2), 1.0e6 + 37_000.0 * f64::from(i * i % 7)))
            .collect();
        let x: Vec<Vec<f64>> = rows.iter().map(|(t, m)| vec![1.0, *t, *m]).collect();
        let y: Vec<f64> = rows.iter().map(|(t, m)| 2.0 + 3.0 * t + 0.5 * m).collect();
        let fit = fit(x, &y).unwrap();
        assert!((fit.beta[1] - 3.0).abs() < 1e-6, "{:?}", fit.beta);
    }

    #[test]
    fn collinear_and_tiny_designs_are_refused() {
        let x = vec![vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0, 2.0]];
        assert_eq!(fit(x, &[1.0, 2.0, 3.0]).unwrap_err(), OlsError::Singular);
        assert!(matches!(
            fit(vec![vec![1.0]], &[1.0]),
            Err(OlsError::TooFew { .. })
        ));
    }
}
