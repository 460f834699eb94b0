//! Binomial variates by inversion of one uniform, in pure Rust maths
//! (`libm`), so that the same uniform gives the same count on every
//! platform. (rand_distr's sampler goes through `num_traits::Float`, which
//! uses the platform's maths library as soon as any crate of the build
//! turns on num-traits' `std` feature, as plotters does.)

/// Below this value of −n·ln(1 − p), P(X = 0) = (1 − p)ⁿ is far from
/// underflow and the search starts at 0; above it, at the mode.
const FROM_ZERO_LIMIT: f64 = 500.0;

/// The binomial(n, p) count whose distribution function first exceeds `u`
/// (`u` uniform in [0, 1)): the smallest x with F(x) > u, up to rounding.
/// p outside (0, 1) gives 0 (p ≤ 0 or NaN) or n (p ≥ 1).
pub fn binomial(n: u64, p: f64, u: f64) -> u64 {
    // NaN and p ≤ 0 alike give no successes.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let nf = n as f64;
    let ln_q = libm::log1p(-p);
    if -nf * ln_q < FROM_ZERO_LIMIT { from_zero(n, p, ln_q, u) } else { from_mode(n, p, ln_q, u) }
}

/// Sequential search from 0 with the recursion f(x) = f(x − 1) · ((n + 1)
/// s / x − s), s = p / q (Kachitvichyanukul and Schmeiser's BINV).
fn from_zero(n: u64, p: f64, ln_q: f64, u: f64) -> u64 {
    let q = 1.0 - p;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let mut f = libm::exp(n as f64 * ln_q);
    let mut u = u;
    let mut x = 0u64;
    while u >= f {
        u -= f;
        x += 1;
        if x == n {
            return n;
        }
        f *= a / x as f64 - s;
        if f <= 0.0 {
            // Only rounding is left of the mass.
            return x;
        }
    }
    x
}

/// Search outward from the mode m = ⌊(n + 1) p⌋, one step down then one up,
/// with f(m) from log-gamma: for large n·p, where (1 − p)ⁿ underflows.
fn from_mode(n: u64, p: f64, ln_q: f64, u: f64) -> u64 {
    let q = 1.0 - p;
    let (nf, m) = (n as f64, (((n as f64 + 1.0) * p).floor() as u64).min(n));
    let mf = m as f64;
    let ln_f = libm::lgamma(nf + 1.0) - libm::lgamma(mf + 1.0) - libm::lgamma(nf - mf + 1.0)
        + mf * libm::log(p)
        + (nf - mf) * ln_q;
    let f_m = libm::exp(ln_f);
    let mut u = u - f_m;
    if u < 0.0 {
        return m;
    }
    let (mut lo, mut f_lo, mut hi, mut f_hi) = (m, f_m, m, f_m);
    loop {
        let mut moved = false;
        if lo > 0 && f_lo > 0.0 {
            f_lo *= lo as f64 / (nf - lo as f64 + 1.0) * (q / p);
            lo -= 1;
            u -= f_lo;
            if u < 0.0 {
                return lo;
            }
            moved = true;
        }
        if hi < n && f_hi > 0.0 {
            f_hi *= (nf - hi as f64) / (hi as f64 + 1.0) * (p / q);
            hi += 1;
            u -= f_hi;
            if u < 0.0 {
                return hi;
            }
            moved = true;
        }
        if !moved {
            // Only rounding is left of the mass.
            return m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact binomial probabilities, from log-gamma in f64.
    fn pmf(n: u64, p: f64) -> Vec<f64> {
        (0..=n)
            .map(|k| {
                let (nf, kf) = (n as f64, k as f64);
                libm::exp(
                    libm::lgamma(nf + 1.0) - libm::lgamma(kf + 1.0) - libm::lgamma(nf - kf + 1.0)
                        + kf * libm::log(p)
                        + (nf - kf) * libm::log1p(-p),
                )
            })
            .collect()
    }

    /// Inversion on an even grid of N uniforms puts N·P(X = k) ± 1 of them
    /// (plus rounding) on each k: an exact check of the whole law.
    fn check_law(n: u64, p: f64) {
        const N: usize = 200_000;
        let mut counts = vec![0usize; n as usize + 1];
        for i in 0..N {
            let u = (i as f64 + 0.5) / N as f64;
            counts[binomial(n, p, u) as usize] += 1;
        }
        for (k, (c, f)) in counts.iter().zip(pmf(n, p)).enumerate() {
            let expected = f * N as f64;
            assert!(
                (*c as f64 - expected).abs() <= 1.0 + 1e-6 * N as f64,
                "n {n} p {p} k {k}: {c} vs {expected}"
            );
        }
    }

    #[test]
    fn inversion_gives_the_exact_binomial_law_from_zero() {
        check_law(1, 0.3);
        check_law(20, 0.05);
        check_law(1_500, 0.006);
        check_law(40, 0.9);
    }

    #[test]
    fn inversion_gives_the_exact_binomial_law_from_the_mode() {
        // −n ln(1 − p) above the limit: the search starts at the mode.
        check_law(2_000, 0.3);
        check_law(5_000, 0.5);
        check_law(1_000, 0.999);
    }

    #[test]
    fn degenerate_probabilities() {
        assert_eq!(binomial(0, 0.5, 0.3), 0);
        assert_eq!(binomial(10, 0.0, 0.99), 0);
        assert_eq!(binomial(10, f64::NAN, 0.99), 0);
        assert_eq!(binomial(10, 1.0, 0.0), 10);
        assert_eq!(binomial(10, 0.5, 0.0), 0);
        assert_eq!(binomial(10, 0.5, 1.0 - f64::EPSILON), 10);
    }
}
