//! The distress model reduces to the one-factor Gaussian (Vasicek) model:
//! one county, identical loans, one month, no cure, renewal or new lending.
//! The number of loans that miss the payment due in that month then
//! follows the exact finite-pool law
//!
//!   P(K = k) = ∫ C(n, k) p(F)^k (1 − p(F))^(n−k) φ(F) dF,
//!   p(F) = Φ((Φ⁻¹(p) − √ρ F) / √(1 − ρ))        (Vasicek 2002).
//!
//! The test compares the empirical distribution of K over many paths with
//! this law, computed by quadrature, under stated bounds.

use mcstress_engine::normal::{inv_phi, phi};

use crate::support::{scenario, simulate};

const N: usize = 300;
const P: f64 = 0.04;
const RHO: f64 = 0.2;
const PATHS: u32 = 4000;

fn pool_scenario() -> String {
    let quiet_prices: String =
        ["cattle", "pigs", "tea", "coffee", "walnut", "tobacco", "fruit_veg", "migrant_wages", "other"]
            .iter()
            .map(|i| format!("[shocks.prices.{i}]\nvolatility = 0\njump_probability = 0\n\n"))
            .collect();
    let no_disasters: String = ["drought", "flood", "frost", "earthquake", "livestock_disease"]
        .iter()
        .map(|k| format!("[shocks.disasters.{k}]\nannual_probability = 0\n\n"))
        .collect();
    format!(
        r#"
[scenario]
name = "vasicek-pool"
start = "2024-01"
horizon_months = 1

[portfolio]
term_months = 36
category_mix = {{ lifted = 1.0 }}
grade_mix = {{ a = 1.0 }}
amounts = [ {{ yuan = "50000", share = 1.0 }} ]
# Every loan is two months old: its first quarterly interest falls due in
# the first simulated month, and nothing matures.
age_weights = [0, 0, 1]

[behaviour]
distress_probability = {{ lifted = {P} }}
grade_multiplier = {{ a = 1.0 }}
asset_correlation = {RHO}
# The one-factor model (docs/model.md § 7.3): the interest process at the
# base probability with loading ρ; price and disaster shocks are off.
interest_multiplier = 1
interest_correlation = {RHO}
maturity_correlation = {RHO}
interest_shock_elasticity = 1
maturity_shock_elasticity = 1
province_factor_weight = 0
prefecture_factor_weight = 0
uptake_monthly = 0
misuse_share = 0
# No county or township effects: the one-factor model itself.
county_effect = {{ key = 0, former_poverty = 0, other = 0 }}
township_effect_sd = 0

[rules.collection]
reminders = false

[rules.demand]
repeat_uptake_monthly = 0

{quiet_prices}{no_disasters}
[geography]
prefectures = [ {{ code = "530100", name = "昆明市", name_en = "Kunming", industry_mix = {{ other = 1.0 }} }} ]
counties = [ {{ code = "530102", name = "五华区", name_en = "Wuhua District", prefecture = "530100", townships = 1, eligible_households = {N}, loans = {N}, fund_yuan = "1000000" }} ]
"#
    )
}

/// The exact law of K by trapezoidal quadrature over F on [−9, 9].
fn vasicek_pmf(n: usize, p: f64, rho: f64) -> Vec<f64> {
    let steps = 12_000;
    let h = 18.0 / steps as f64;
    let thr = inv_phi(p);
    let mut pmf = vec![0.0; n + 1];
    for s in 0..=steps {
        let f = -9.0 + s as f64 * h;
        let w = if s == 0 || s == steps { 0.5 } else { 1.0 } * h * (-0.5 * f * f).exp()
            / (2.0 * std::f64::consts::PI).sqrt();
        let q = phi((thr - rho.sqrt() * f) / (1.0 - rho).sqrt()).clamp(1e-300, 1.0 - 1e-16);
        // Binomial(n, q) pmf by the recurrence from k = 0, in logs.
        let mut log_b = n as f64 * (1.0 - q).ln();
        let ratio = (q / (1.0 - q)).ln();
        for (k, slot) in pmf.iter_mut().enumerate() {
            *slot += w * log_b.exp();
            log_b += ((n - k) as f64 / (k + 1) as f64).ln() + ratio;
        }
    }
    pmf
}

#[test]
fn missed_payments_follow_the_vasicek_finite_pool_law() {
    let s = scenario(&pool_scenario(), None);
    let (m, paths) = simulate(&s, PATHS, 424_242, 2);
    assert_eq!(m.loans_start(), N as u64);
    // Overdue principal ÷ outstanding principal × N is the count of misses
    // (identical loans, none repaid or disbursed in the month).
    let k: Vec<usize> = paths.iter().map(|p| (p.final_overdue * N as f64).round() as usize).collect();
    for (p, &kk) in paths.iter().zip(&k) {
        assert!((p.final_overdue * N as f64 - kk as f64).abs() < 1e-6);
    }

    let pmf = vasicek_pmf(N, P, RHO);
    let total: f64 = pmf.iter().sum();
    assert!((total - 1.0).abs() < 1e-9, "quadrature mass {total}");
    let mean = pmf.iter().enumerate().map(|(k, q)| k as f64 * q).sum::<f64>();
    let var = pmf.iter().enumerate().map(|(k, q)| (k as f64 - mean).powi(2) * q).sum::<f64>();
    assert!((mean - N as f64 * P).abs() < 1e-6, "E[K] = nP exactly, got {mean}");
    // The law is far from binomial, so the test can tell them apart.
    assert!(var > 5.0 * N as f64 * P * (1.0 - P));

    // 1. The mean: within 5 standard errors of nP.
    let n = PATHS as f64;
    let emp_mean = k.iter().sum::<usize>() as f64 / n;
    assert!((emp_mean - mean).abs() < 5.0 * (var / n).sqrt(), "mean {emp_mean} vs {mean}");

    // 2. The whole distribution: Dvoretzky–Kiefer–Wolfowitz (Massart 1990):
    // P(sup |F_n − F| > ε) ≤ 2 exp(−2 n ε²). With ε below, a correct engine
    // fails with probability under 1e-6.
    let eps = ((2.0f64 / 1e-6).ln() / (2.0 * n)).sqrt();
    let mut counts = vec![0usize; N + 1];
    for &kk in &k {
        counts[kk] += 1;
    }
    let (mut cdf, mut emp, mut sup) = (0.0, 0.0, 0.0f64);
    for kk in 0..=N {
        cdf += pmf[kk];
        emp += counts[kk] as f64 / n;
        sup = sup.max((cdf - emp).abs());
    }
    assert!(sup < eps, "sup |F_n - F| = {sup}, bound {eps}");

    // 3. A binomial law (ρ = 0) would fail the same check by far.
    let binom = vasicek_pmf(N, P, 0.0);
    let (mut cb, mut e2, mut sup_b) = (0.0, 0.0, 0.0f64);
    for kk in 0..=N {
        cb += binom[kk];
        e2 += counts[kk] as f64 / n;
        sup_b = sup_b.max((cb - e2).abs());
    }
    assert!(sup_b > 3.0 * eps, "binomial sup {sup_b}");
}
