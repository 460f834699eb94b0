//! The shock processes as pure functions of their draws: systematic
//! factors, industry prices and disaster arrivals. The engine draws the
//! normals and uniforms (keyed streams) and these say what follows.

use mcstress_scenario::PriceProcess;

/// One month of a standard-normal AR(1) factor: `φ·prev + √(1−φ²)·z`, or
/// `z` itself in the first month (the stationary law), so the factor is
/// N(0, 1) in every month.
#[inline]
pub fn ar1_step(persistence: f64, prev: f64, z: f64, first_month: bool) -> f64 {
    if first_month { z } else { persistence * prev + (1.0 - persistence * persistence).sqrt() * z }
}

/// One month of an industry's log-price deviation from its mean:
/// mean-reverting, with a normal innovation `z` and, when a jump arrives,
/// a jump of normal size (`jump_z` standard deviations around the mean).
#[inline]
pub fn price_step(pp: &PriceProcess, x: f64, z: f64, jump: Option<f64>) -> f64 {
    let mut next = (1.0 - pp.mean_reversion) * x + pp.volatility * z;
    if let Some(jump_z) = jump {
        next += pp.jump_mean + pp.jump_sd * jump_z;
    }
    next
}

/// The distress multiplier of an industry whose log price is `x` below or
/// above its mean: `exp(−sensitivity × x)` — a price fall raises distress.
#[inline]
pub fn price_multiplier(pp: &PriceProcess, x: f64) -> f64 {
    libm::exp(-pp.sensitivity * x)
}

/// Monthly arrival probability of a disaster that can arrive in `active`
/// months of the year, so that the probability of at least one arrival in
/// a year is `annual`.
pub fn monthly_probability(annual: f64, active: usize) -> f64 {
    1.0 - libm::pow(1.0 - annual, 1.0 / active.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cattle() -> PriceProcess {
        PriceProcess {
            volatility: 0.03,
            mean_reversion: 0.05,
            jump_probability: 0.01,
            jump_mean: -0.1,
            jump_sd: 0.05,
            sensitivity: 1.5,
        }
    }

    #[test]
    fn an_ar1_factor_keeps_unit_variance() {
        // Var(φX + √(1−φ²)Z) = φ² + 1 − φ² = 1 for independent X, Z ~ N(0, 1):
        // check it on the coefficients the step applies.
        let phi = 0.8;
        let a = ar1_step(phi, 1.0, 0.0, false);
        let b = ar1_step(phi, 0.0, 1.0, false);
        assert!((a * a + b * b - 1.0).abs() < 1e-12);
        assert_eq!(ar1_step(phi, 5.0, 0.3, true), 0.3);
    }

    #[test]
    fn a_price_deviation_reverts_to_the_mean() {
        let pp = cattle();
        let mut x = -0.3;
        for _ in 0..14 {
            x = price_step(&pp, x, 0.0, None);
        }
        // 0.95^14 ≈ 0.488: about half of the deviation is left.
        assert!((x / -0.3 - libm::pow(0.95, 14.0)).abs() < 1e-12);
    }

    #[test]
    fn a_jump_moves_the_price_by_its_size() {
        let pp = cattle();
        let x = price_step(&pp, 0.0, 0.0, Some(1.0));
        assert!((x - (-0.1 + 0.05)).abs() < 1e-12);
    }

    #[test]
    fn a_price_fall_raises_distress() {
        let pp = cattle();
        assert!(price_multiplier(&pp, libm::log1p(-0.24)) > 1.0);
        assert_eq!(price_multiplier(&pp, 0.0), 1.0);
        // A 24 % fall: (0.76)^(−1.5) ≈ 1.51.
        assert!((price_multiplier(&pp, libm::log(0.76)) - libm::pow(0.76, -1.5)).abs() < 1e-12);
    }

    #[test]
    fn a_seasonal_disaster_keeps_its_annual_probability() {
        let p = monthly_probability(0.12, 7);
        assert!((1.0 - libm::pow(1.0 - p, 7.0) - 0.12).abs() < 1e-12);
        assert_eq!(monthly_probability(0.0, 12), 0.0);
    }
}
