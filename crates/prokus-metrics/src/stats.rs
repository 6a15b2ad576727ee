//! The statistics behind the indicator table: confidence intervals for means,
//! shares, sums of changes and ratios of sums.

/// z for a two-sided 95% interval.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Student's t 97.5% quantiles for 1 to 30 degrees of freedom (the usual table).
const T_TABLE: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom: from the
/// table up to 30, beyond by the Cornish–Fisher expansion in z (error < 1e-6).
pub fn t_975(df: f64) -> f64 {
    if df < 1.0 || df.is_nan() {
        return f64::NAN;
    }
    if df <= 30.0 {
        return T_TABLE[df.floor() as usize - 1];
    }
    let z = Z_975;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
}

/// Wilson score interval for a proportion `p` of `n`, as fractions.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let z2 = Z_975 * Z_975;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_975 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// t interval of a mean with sample variance `var` over `n` observations.
pub fn mean_ci(mean: f64, var: f64, n: f64) -> (f64, f64) {
    if n < 2.0 || var.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let half = t_975(n - 1.0) * (var / n).sqrt();
    (mean - half, mean + half)
}

/// Delta-method interval of the ratio of two paired means `m1 / m0`, with the
/// variances and covariance of the paired values, over `n` KPM.
pub fn ratio_ci(m1: f64, m0: f64, var1: f64, var0: f64, cov: f64, n: f64) -> (f64, f64) {
    if n < 2.0 || m0 == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let r = m1 / m0;
    let var_r = (var1 - 2.0 * r * cov + r * r * var0) / (n * m0 * m0);
    let half = t_975(n - 1.0) * var_r.max(0.0).sqrt();
    (r - half, r + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables() {
        // Student's t table, two-sided 95%.
        for (df, want) in [
            (1.0, 12.706),
            (4.0, 2.776),
            (29.0, 2.045),
            (40.0, 2.021),
            (60.0, 2.000),
            (120.0, 1.980),
            (1e9, 1.960),
        ] {
            assert!(
                (t_975(df) - want).abs() < 1e-3,
                "df {df}: {} vs {want}",
                t_975(df)
            );
        }
        // The expansion joins the table without a step.
        assert!((t_975(31.0) - 2.039513).abs() < 1e-5);
    }

    #[test]
    fn wilson_matches_a_worked_example() {
        // 81 of 263: Wilson 95% interval 0.2553 to 0.3662 (Newcombe 1998, ex. via R binom).
        let (lo, hi) = wilson(81.0 / 263.0, 263.0);
        assert!(
            (lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 10.0);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-4, "{hi}");
    }

    #[test]
    fn mean_and_ratio_intervals() {
        // Mean 10, sd 2, n 25: 10 ± 2.064 * 0.4.
        let (lo, hi) = mean_ci(10.0, 4.0, 25.0);
        assert!(
            (lo - 9.1744).abs() < 2e-3 && (hi - 10.8256).abs() < 2e-3,
            "{lo} {hi}"
        );
        // A ratio with no spread has a zero-width interval at the ratio.
        let (lo, hi) = ratio_ci(12.0, 10.0, 0.0, 0.0, 0.0, 30.0);
        assert!((lo - 1.2).abs() < 1e-12 && (hi - 1.2).abs() < 1e-12);
        assert!(mean_ci(1.0, 1.0, 1.0).0.is_nan());
    }
}
