//! The statistics behind the indicator table and the impact estimates:
//! Student's t distribution, and confidence intervals for means,
//! shares, sums of changes and ratios of sums.

/// z for a two-sided 95% interval.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// The 97.5% quantile of Student's t with `df` degrees of freedom (NaN
/// below 1). Remembered per `df`: the indicator table asks for the same few
/// thousand degrees of freedom hundreds of thousands of times, and each
/// bisection costs about a hundred incomplete-beta evaluations.
pub fn t_975(df: f64) -> f64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<u64, f64>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if df < 1.0 || df.is_nan() {
        return f64::NAN;
    }
    KNOWN.with(|known| {
        *known
            .borrow_mut()
            .entry(df.to_bits())
            .or_insert_with(|| t_quantile(0.975, df))
    })
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

/// The upper tail P(F > f) of Fisher's F with `d1` and `d2` degrees of
/// freedom: the p-value of an F test.
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f.is_nan() || d1 <= 0.0 || d2 <= 0.0 {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    incomplete_beta(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}

/// Sharpened q-values (Benjamini, Krieger and Yekutieli 2006, two-stage), as
/// Anderson (2008) computes them: for each q from 1 down to 0.001 in steps of
/// 0.001, the two-stage procedure at level q; a hypothesis's q-value is the
/// smallest q at which it is rejected (1 when never). NaN p-values get NaN.
pub fn sharpened_q_values(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len() as f64;
    let mut q_values: Vec<f64> = p
        .iter()
        .map(|v| if v.is_nan() { f64::NAN } else { 1.0 })
        .collect();
    // The largest rank r (1-based) with p(r) <= level * r / m, or 0.
    let step_up = |level: f64| -> usize {
        order
            .iter()
            .enumerate()
            .filter(|(r, i)| p[**i] <= level * (*r as f64 + 1.0) / m)
            .map(|(r, _)| r + 1)
            .max()
            .unwrap_or(0)
    };
    for k in (1..=1000).rev() {
        let q = f64::from(k) / 1000.0;
        let q1 = q / (1.0 + q);
        let first = step_up(q1);
        let rejected = if first == order.len() {
            first
        } else {
            step_up(q1 * m / (m - first as f64))
        };
        for &i in &order[..rejected] {
            q_values[i] = q;
        }
    }
    q_values
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
