//! Estimates across paths, each with its Monte Carlo error.

use serde::Serialize;

/// A figure estimated across paths: mean with its standard error, and
/// quantiles of the distribution across paths.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean across paths.
    pub mean: f64,
    /// Standard error of the mean: sample standard deviation ÷ √paths.
    pub se: f64,
    /// 5th percentile across paths.
    pub p05: f64,
    /// Median across paths.
    pub p50: f64,
    /// 95th percentile across paths.
    pub p95: f64,
    /// 99th percentile across paths.
    pub p99: f64,
}

/// A probability estimated as the share of paths where an event happened.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Probability {
    /// Share of paths.
    pub p: f64,
    /// Standard error √(p(1−p)/n).
    pub se: f64,
    /// Lower end of the 95 % Wilson score interval.
    pub ci95_low: f64,
    /// Upper end of the 95 % Wilson score interval.
    pub ci95_high: f64,
}

/// The `q`-quantile of sorted data, linear interpolation between order
/// statistics (Hyndman & Fan type 7, R's default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl Estimate {
    /// The estimate from per-path values, summed in path order.
    pub fn from_values(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                se: f64::NAN,
                p05: f64::NAN,
                p50: f64::NAN,
                p95: f64::NAN,
                p99: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let se = if n > 1 {
            let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        } else {
            f64::NAN
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Estimate {
            mean,
            se,
            p05: quantile_sorted(&sorted, 0.05),
            p50: quantile_sorted(&sorted, 0.50),
            p95: quantile_sorted(&sorted, 0.95),
            p99: quantile_sorted(&sorted, 0.99),
        }
    }
}

impl Probability {
    /// The estimate from `k` events in `n` paths.
    pub fn from_count(k: usize, n: usize) -> Probability {
        if n == 0 {
            return Probability { p: f64::NAN, se: f64::NAN, ci95_low: 0.0, ci95_high: 1.0 };
        }
        let nf = n as f64;
        let p = k as f64 / nf;
        let z = 1.959_963_984_540_054_f64;
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
        let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        Probability {
            p,
            se: (p * (1.0 - p) / nf).sqrt(),
            // At the ends the interval touches 0 or 1 exactly.
            ci95_low: if k == 0 { 0.0 } else { (centre - half).max(0.0) },
            ci95_high: if k == n { 1.0 } else { (centre + half).min(1.0) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        assert!((quantile_sorted(&xs, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile_sorted(&xs, 0.95) - 4.8).abs() < 1e-12);
    }

    #[test]
    fn estimate_mean_and_standard_error() {
        let e = Estimate::from_values(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        // sample variance 5/3, se = sqrt(5/3/4)
        assert!((e.se - (5.0f64 / 12.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn wilson_interval_matches_the_textbook_example() {
        // 81 of 263 (Newcombe 1998): 0.2553 to 0.3662.
        let p = Probability::from_count(81, 263);
        assert!((p.ci95_low - 0.2553).abs() < 5e-4, "{}", p.ci95_low);
        assert!((p.ci95_high - 0.3662).abs() < 5e-4, "{}", p.ci95_high);
        let zero = Probability::from_count(0, 100);
        assert_eq!(zero.ci95_low, 0.0);
        assert!(zero.ci95_high > 0.03 && zero.ci95_high < 0.04);
    }
}
