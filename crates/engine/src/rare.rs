//! Rare events by importance sampling: the probability that a county's
//! fund runs out, when it is about 1 %, to a relative standard error of
//! 10 % at a fraction of the paths plain sampling needs (about 9,900).
//!
//! The paths are drawn with the factors pushed toward the stress
//! ([`FactorTilt`](crate::FactorTilt)); each records its log likelihood
//! ratio `ℓ`, and its weight is `w = exp(ℓ)`. The estimate of a probability
//! is the weighted share `p̂ = (1/n) Σ wᵢ 1ᵢ`, unbiased whatever the tilt
//! (the plain share when nothing is tilted); its standard error is the
//! standard deviation of the `wᵢ 1ᵢ` over √n, and its 95 % interval
//! `p̂ ± 1.96 se` (clipped to [0, 1]). With no path hitting the event the
//! estimate is 0 with no interval worth the name: the interval is then the
//! one of zero hits in the *effective* number of paths (Wilson), and the
//! relative standard error is undefined.
//!
//! Diagnostics: the effective sample size of the weights `(Σw)²/Σw²` (a
//! tilt too strong for the horizon makes a few paths carry all the weight,
//! and the estimate unstable), the mean weight (1 in expectation), and,
//! for each estimate, the plain paths that would give the same standard
//! error, `p̂(1 − p̂)/se²`.

use serde::Serialize;

use crate::compare::RuleSetName;
use crate::fold::PathView;
use crate::model::Model;
use crate::stats::Probability;

/// Schema name of the rare-event document.
pub const RARE_SCHEMA: &str = "mcstress.rare/1";

/// A probability estimated from weighted paths.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WeightedProbability {
    /// The estimate, `(1/n) Σ wᵢ 1ᵢ`.
    pub p: f64,
    /// Its standard error.
    pub se: f64,
    /// se ÷ p; `None` when p is 0.
    pub rse: Option<f64>,
    /// Lower end of the 95 % interval.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval.
    pub ci95_high: f64,
    /// Paths on which the event happened.
    pub hits: usize,
    /// Plain (unweighted) paths giving the same standard error,
    /// `p(1 − p)/se²`; `None` without a hit.
    pub plain_paths_equivalent: Option<f64>,
}

impl WeightedProbability {
    /// The estimate from paths' weights and whether the event happened on
    /// each.
    pub fn of(weights: &[f64], hit: impl Fn(usize) -> bool) -> WeightedProbability {
        let n = weights.len();
        let nf = n as f64;
        let xs: Vec<f64> = weights.iter().enumerate().map(|(i, w)| if hit(i) { *w } else { 0.0 }).collect();
        let hits = (0..n).filter(|&i| hit(i)).count();
        let p = xs.iter().sum::<f64>() / nf;
        let se = if n > 1 {
            (xs.iter().map(|x| (x - p) * (x - p)).sum::<f64>() / (nf - 1.0) / nf).sqrt()
        } else {
            f64::NAN
        };
        if hits == 0 || n == 0 {
            let ess = effective_sample_size(weights).round() as usize;
            let none = Probability::from_count(0, ess.max(1));
            return WeightedProbability {
                p: if n == 0 { f64::NAN } else { 0.0 },
                se: if n == 0 { f64::NAN } else { 0.0 },
                rse: None,
                ci95_low: 0.0,
                ci95_high: none.ci95_high,
                hits,
                plain_paths_equivalent: None,
            };
        }
        let z = 1.959_963_984_540_054_f64;
        WeightedProbability {
            p,
            se,
            rse: (p > 0.0).then(|| se / p),
            ci95_low: (p - z * se).max(0.0),
            ci95_high: (p + z * se).min(1.0),
            hits,
            plain_paths_equivalent: (se > 0.0).then(|| p * (1.0 - p) / (se * se)),
        }
    }
}

/// `(Σw)²/Σw²`: the number of equally weighted paths the weights are worth.
pub fn effective_sample_size(weights: &[f64]) -> f64 {
    let s: f64 = weights.iter().sum();
    let s2: f64 = weights.iter().map(|w| w * w).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

/// Each path's weight, `exp(log_weight)`.
pub fn weights<P: PathView>(paths: &[P]) -> Vec<f64> {
    paths.iter().map(|p| libm::exp(p.totals().log_weight)).collect()
}

/// One county's exhaustion probability.
#[derive(Clone, Debug, Serialize)]
pub struct RareCounty {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Probability that the fund is exhausted within the horizon.
    pub exhaustion_probability: WeightedProbability,
}

/// The shift of the factors, as `rare.json` records it.
#[derive(Clone, Debug, Serialize)]
pub struct TiltInfo {
    /// μ of the province factor's monthly innovations (standard deviations).
    pub province: f64,
    /// The county whose own factor is shifted, if any.
    pub county: Option<String>,
    /// μ of that county's factor's monthly innovations.
    pub county_shift: f64,
    /// ν of the draws behind that county's townships' effects.
    pub township_shift: f64,
}

/// `rare.json`: exhaustion probabilities by importance sampling.
#[derive(Clone, Debug, Serialize)]
pub struct Rare {
    /// [`RARE_SCHEMA`].
    pub schema: &'static str,
    /// The scenario.
    pub scenario: RuleSetName,
    /// Paths.
    pub paths: usize,
    /// Master seed.
    pub seed: u64,
    /// The shift.
    pub tilt: TiltInfo,
    /// Effective sample size of the weights.
    pub effective_sample_size: f64,
    /// Mean weight (1 in expectation; far from it, the tilt is too strong).
    pub mean_weight: f64,
    /// Largest weight's share of the weights' sum.
    pub largest_weight_share: f64,
    /// Probability that some county's fund is exhausted.
    pub some_county_exhausted: WeightedProbability,
    /// Counties, highest estimate first (then by code).
    pub counties: Vec<RareCounty>,
}

/// The rare-event table of a run's (tilted) paths.
pub fn rare<P: PathView>(m: &Model, seed: u64, paths: &[P]) -> Rare {
    let s = &m.scenario;
    let w = weights(paths);
    let sum: f64 = w.iter().sum();
    let n = paths.len();
    let mut counties: Vec<RareCounty> = s
        .counties
        .iter()
        .enumerate()
        .map(|(c, county)| RareCounty {
            id: county.code.to_string(),
            name: county.name.clone(),
            name_en: county.name_en.clone(),
            exhaustion_probability: WeightedProbability::of(&w, |i| paths[i].exhausted_month(c).is_some()),
        })
        .collect();
    counties.sort_by(|a, b| {
        b.exhaustion_probability.p.total_cmp(&a.exhaustion_probability.p).then_with(|| a.id.cmp(&b.id))
    });
    Rare {
        schema: RARE_SCHEMA,
        scenario: RuleSetName::of(s),
        paths: n,
        seed,
        tilt: TiltInfo {
            province: m.tilt.province,
            county: m.tilt.county.map(|(c, _)| s.counties[c].code.to_string()),
            county_shift: m.tilt.county.map_or(0.0, |(_, mu)| mu),
            township_shift: if m.tilt.county.is_some() { m.tilt.townships } else { 0.0 },
        },
        effective_sample_size: effective_sample_size(&w),
        mean_weight: sum / n.max(1) as f64,
        largest_weight_share: if sum > 0.0 { w.iter().copied().fold(0.0, f64::max) / sum } else { f64::NAN },
        some_county_exhausted: WeightedProbability::of(&w, |i| paths[i].totals().counties_exhausted > 0),
        counties,
    }
}

/// The standard error that `rare --target-se` / `--target-rse` controls:
/// of county `c`'s exhaustion probability, absolute or relative
/// (infinite without a hit, so that paths are added until one comes).
pub fn county_exhaustion_se<P: PathView>(paths: &[P], c: usize, relative: bool) -> f64 {
    let w = weights(paths);
    let e = WeightedProbability::of(&w, |i| paths[i].exhausted_month(c).is_some());
    match (relative, e.hits) {
        (_, 0) => f64::INFINITY,
        (true, _) => e.rse.unwrap_or(f64::INFINITY),
        (false, _) => e.se,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_weights_give_the_plain_share_and_its_standard_error() {
        let w = vec![1.0; 200];
        let e = WeightedProbability::of(&w, |i| i % 10 == 0);
        assert_eq!(e.hits, 20);
        assert!((e.p - 0.1).abs() < 1e-15);
        // The plain se with n − 1: √(p(1−p)/(n−1)) at n = 200.
        assert!((e.se - (0.1f64 * 0.9 / 199.0).sqrt()).abs() < 1e-12);
        assert!((effective_sample_size(&w) - 200.0).abs() < 1e-9);
        let ppe = e.plain_paths_equivalent.unwrap_or(0.0);
        assert!((ppe - 199.0).abs() < 1e-6, "{ppe}");
    }

    #[test]
    fn no_hit_gives_zero_with_the_interval_of_the_effective_paths() {
        let w = vec![0.5; 100];
        let e = WeightedProbability::of(&w, |_| false);
        assert_eq!((e.p, e.se, e.rse, e.hits), (0.0, 0.0, None, 0));
        assert_eq!(e.ci95_high, Probability::from_count(0, 100).ci95_high);
    }

    #[test]
    fn one_heavy_weight_makes_an_effective_sample_of_about_one() {
        let mut w = vec![1e-6; 99];
        w.push(1.0);
        assert!(effective_sample_size(&w) < 1.001);
    }
}
