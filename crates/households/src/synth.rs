//! The deterministic synthetic population.

use mcstress_domain::{Category, Fen, Grade, Industry};

/// The shape of a county's loan book and households.
#[derive(Clone, Debug, PartialEq)]
pub struct CountyProfile {
    /// Number of townships (乡镇).
    pub townships: u16,
    /// Share of townships served by at least one lending bank.
    pub bank_coverage: f64,
    /// Households eligible for the programme (脱贫户 and 监测对象).
    pub eligible_households: u32,
    /// Loans outstanding at the start.
    pub loans: u32,
    /// Industry shares of borrowers, by [`Industry`] index.
    pub industry_mix: [f64; Industry::COUNT],
}

/// Province-wide mixes shared by every county.
#[derive(Clone, Debug, PartialEq)]
pub struct PortfolioMix {
    /// Category shares, by [`Category`] index.
    pub category: [f64; Category::COUNT],
    /// Risk-grade shares, by [`Grade`] index.
    pub grade: [f64; Grade::COUNT],
    /// Loan amounts and their shares.
    pub amounts: Vec<(Fen, f64)>,
    /// Weights of loan ages at the start, months since disbursement
    /// (index 0 = disbursed in the month before the start). Its length is
    /// at most the term.
    pub age_weights: Vec<f64>,
}

/// A township.
#[derive(Clone, Debug, PartialEq)]
pub struct Township {
    /// Index of its county.
    pub county: usize,
    /// Eligible households.
    pub eligible_households: u32,
    /// Households with a loan at the start.
    pub borrowers: u32,
    /// Whether a lending bank serves it at the start.
    pub served: bool,
}

/// A household with a loan at the start, as the portfolio describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct BorrowerSeed {
    /// Index of its county.
    pub county: usize,
    /// Index of its township (global).
    pub township: u32,
    /// Category.
    pub category: Category,
    /// Risk grade.
    pub grade: Grade,
    /// Main industry.
    pub industry: Industry,
    /// Principal of its loan.
    pub amount: Fen,
    /// Months since disbursement at the start (0 = the month before).
    pub age_months: u16,
}

/// The synthetic population of a province.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Townships, grouped by county in county order.
    pub townships: Vec<Township>,
    /// Borrowers, grouped by county in county order.
    pub borrowers: Vec<BorrowerSeed>,
}

/// Splits `total` into integer parts proportional to `weights` by largest
/// remainder (ties to the lower index), so the parts sum to `total` exactly.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(assigned) as usize) {
        parts[i] += 1;
    }
    parts
}

/// Position in `[0, 1)` of the `k`-th point of the Weyl sequence with
/// irrational step `alpha`: evenly spread, and nearly independent across
/// attributes that use different steps.
pub fn weyl_position(k: u64, alpha: f64) -> f64 {
    ((k as f64 + 0.5) * alpha).fract()
}

/// The index whose cumulative share interval contains `u` in `[0, 1)`.
pub fn pick(u: f64, shares: &[f64]) -> usize {
    let total: f64 = shares.iter().sum();
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s / total;
        if u < acc {
            return i;
        }
    }
    shares.len().saturating_sub(1)
}

// Steps of the Weyl sequences: fractional parts of square roots of primes.
const ALPHA_CATEGORY: f64 = 0.414_213_562_373_095_1; // √2
const ALPHA_GRADE: f64 = 0.732_050_807_568_877_2; // √3
const ALPHA_INDUSTRY: f64 = 0.236_067_977_499_789_8; // √5
const ALPHA_AMOUNT: f64 = 0.645_751_311_064_590_6; // √7
const ALPHA_AGE: f64 = 0.316_624_790_355_399_9; // √11
const ALPHA_TOWNSHIP: f64 = 0.605_551_275_463_989_3; // √13

impl Population {
    /// Builds the population of the given counties.
    pub fn synthesize(counties: &[CountyProfile], mix: &PortfolioMix) -> Population {
        let mut townships = Vec::new();
        let mut borrowers = Vec::new();
        let amounts: Vec<f64> = mix.amounts.iter().map(|a| a.1).collect();
        for (ci, c) in counties.iter().enumerate() {
            let n_t = c.townships.max(1) as usize;
            // Townships differ in size by up to ±40 %, spread evenly.
            let size: Vec<f64> = (0..n_t)
                .map(|t| 0.6 + 0.8 * weyl_position(t as u64 + ci as u64 * 31, ALPHA_TOWNSHIP))
                .collect();
            let served_count = ((c.bank_coverage * n_t as f64).round() as usize).min(n_t);
            let households = apportion(c.eligible_households as u64, &size);
            // Loans only where a bank serves; in proportion to households.
            let loan_weights: Vec<f64> =
                (0..n_t).map(|t| if t < served_count { households[t] as f64 } else { 0.0 }).collect();
            let loans =
                if served_count == 0 { vec![0; n_t] } else { apportion(c.loans as u64, &loan_weights) };
            let first_township = townships.len();
            for t in 0..n_t {
                townships.push(Township {
                    county: ci,
                    eligible_households: households[t] as u32,
                    borrowers: (loans[t]).min(households[t]) as u32,
                    served: t < served_count,
                });
            }
            let mut k: u64 = 0;
            for t in 0..n_t {
                let count = townships[first_township + t].borrowers;
                for _ in 0..count {
                    let cat = pick(weyl_position(k, ALPHA_CATEGORY), &mix.category);
                    let grade = pick(weyl_position(k, ALPHA_GRADE), &mix.grade);
                    let ind = pick(weyl_position(k, ALPHA_INDUSTRY), &c.industry_mix);
                    let amt = pick(weyl_position(k, ALPHA_AMOUNT), &amounts);
                    let age = pick(weyl_position(k, ALPHA_AGE), &mix.age_weights);
                    borrowers.push(BorrowerSeed {
                        county: ci,
                        township: (first_township + t) as u32,
                        category: Category::ALL[cat],
                        grade: Grade::ALL[grade],
                        industry: Industry::ALL[ind],
                        amount: mix.amounts[amt].0,
                        age_months: age as u16,
                    });
                    k += 1;
                }
            }
        }
        Population { townships, borrowers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix() -> PortfolioMix {
        PortfolioMix {
            category: [0.8, 0.1, 0.07, 0.03],
            grade: [0.6, 0.3, 0.1],
            amounts: vec![(Fen::from_yuan(50_000), 0.75), (Fen::from_yuan(30_000), 0.25)],
            age_weights: vec![1.0; 36],
        }
    }

    fn county(loans: u32, coverage: f64) -> CountyProfile {
        CountyProfile {
            townships: 10,
            bank_coverage: coverage,
            eligible_households: 20_000,
            loans,
            industry_mix: [0.3, 0.2, 0.1, 0.0, 0.1, 0.1, 0.1, 0.1, 0.0],
        }
    }

    #[test]
    fn apportionment_sums_exactly_and_follows_weights() {
        let parts = apportion(10, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0.0, 0.0]), vec![0, 0]);
    }

    #[test]
    fn population_matches_county_totals() {
        let p = Population::synthesize(&[county(4_000, 1.0), county(2_500, 0.8)], &mix());
        assert_eq!(p.townships.len(), 20);
        let hh: u32 = p.townships.iter().map(|t| t.eligible_households).sum();
        assert_eq!(hh, 40_000);
        assert_eq!(p.borrowers.len(), 6_500);
        assert_eq!(p.borrowers.iter().filter(|b| b.county == 1).count(), 2_500);
    }

    #[test]
    fn unserved_townships_have_no_borrowers() {
        let p = Population::synthesize(&[county(4_000, 0.8)], &mix());
        let unserved: Vec<_> = p.townships.iter().filter(|t| !t.served).collect();
        assert_eq!(unserved.len(), 2);
        assert!(unserved.iter().all(|t| t.borrowers == 0));
    }

    #[test]
    fn attribute_mixes_are_reproduced_within_one_loan_in_a_thousand() {
        let p = Population::synthesize(&[county(10_000, 1.0)], &mix());
        let n = p.borrowers.len() as f64;
        let share =
            |f: &dyn Fn(&BorrowerSeed) -> bool| p.borrowers.iter().filter(|b| f(b)).count() as f64 / n;
        assert!((share(&|b| b.industry == Industry::Cattle) - 0.3).abs() < 1e-3);
        assert!((share(&|b| b.grade == Grade::C) - 0.1).abs() < 1e-3);
        assert!((share(&|b| b.category == Category::Lifted) - 0.8).abs() < 1e-3);
        assert!((share(&|b| b.amount == Fen::from_yuan(50_000)) - 0.75).abs() < 1e-3);
        assert!(p.borrowers.iter().all(|b| b.industry != Industry::Coffee));
    }

    #[test]
    fn age_weights_concentrate_maturities_in_the_weighted_months() {
        // Three quarters of the weight on ages 7–9 (3 × 33 of 33 + 3 × 33):
        // three quarters of the loans share those three ages, and so mature
        // within three months of each other.
        let mut weights = vec![1.0; 36];
        for w in &mut weights[7..10] {
            *w = 33.0;
        }
        let total: f64 = weights.iter().sum();
        let spring: f64 = weights[7..10].iter().sum::<f64>() / total;
        let mix = PortfolioMix { age_weights: weights, ..mix() };
        let p = Population::synthesize(&[county(10_000, 1.0)], &mix);
        let share = p.borrowers.iter().filter(|b| (7..10).contains(&b.age_months)).count() as f64 / 10_000.0;
        assert!((share - spring).abs() < 1e-3, "{share} vs {spring}");
        assert!(share > 0.7);
    }

    #[test]
    fn population_is_the_same_every_time() {
        let a = Population::synthesize(&[county(3_000, 0.9)], &mix());
        let b = Population::synthesize(&[county(3_000, 0.9)], &mix());
        assert_eq!(a, b);
    }
}
