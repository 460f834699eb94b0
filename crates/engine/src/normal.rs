//! The standard normal CDF Φ and its inverse, in pure Rust (the `libm`
//! crate's `erfc`, `log` and `sqrt`, and Wichura's algorithm AS 241 for
//! the inverse), so that every platform computes the same bits: the
//! platform's maths library differs in the last bit between libc versions
//! and architectures, and one bit moved in a threshold can move a draw.

/// Φ(x), the standard normal CDF.
#[inline]
pub fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) for p in (0, 1): Wichura's AS 241 (PPND16), relative error
/// about 1e-16 (Applied Statistics 37 (1988) 477–484).
#[inline]
pub fn inv_phi(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&CENTRAL_NUM, r) / poly(&CENTRAL_DEN, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = libm::sqrt(-libm::log(r));
    let x = if r <= 5.0 {
        let r = r - 1.6;
        poly(&NEAR_NUM, r) / poly(&NEAR_DEN, r)
    } else {
        let r = r - 5.0;
        poly(&FAR_NUM, r) / poly(&FAR_DEN, r)
    };
    if q < 0.0 { -x } else { x }
}

/// Cheap upper bounds of Φ and Φ⁻¹ by table lookup, for tests that only
/// need to know that a draw lies surely above a probability: each table
/// entry is the function's value at the upper edge of its cell, raised by a
/// margin far wider than the few ulps by which the floating-point functions
/// may stray from monotone. The bounds are at most a cell loose: Φ on a
/// grid of 1/32 (a relative 8 % at x = −2.5), Φ⁻¹ on cells of 1/16 of a
/// binary order of magnitude of p.
pub(crate) struct UpperBounds {
    phi: Vec<f64>,
    inv_phi: Vec<f64>,
}

/// The grid of [`UpperBounds::phi_up`]: from −9 (Φ ≈ 1.1e−19) in steps of
/// 1/32 up to 9 (Φ ≈ 1).
const PHI_LO: f64 = -9.0;
const PHI_STEPS: f64 = 32.0;
const PHI_CELLS: usize = 18 * 32 + 1;
/// The range of p of [`UpperBounds::inv_phi_up`] (the clamp of the
/// engine's distress probabilities), and the bits of an f64 that name its
/// cell: sign, exponent and the first 4 bits of the mantissa.
const INV_LO: f64 = 1e-12;
const INV_HI: f64 = 0.999;
const INV_SHIFT: u32 = 48;

impl UpperBounds {
    /// The tables, built once per process.
    pub fn get() -> &'static UpperBounds {
        static TABLES: std::sync::OnceLock<UpperBounds> = std::sync::OnceLock::new();
        TABLES.get_or_init(|| {
            let phi = (0..PHI_CELLS).map(|k| phi(PHI_LO + k as f64 / PHI_STEPS) * (1.0 + 1e-12)).collect();
            let (lo, hi) = (INV_LO.to_bits() >> INV_SHIFT, INV_HI.to_bits() >> INV_SHIFT);
            let inv_phi = (lo..=hi)
                .map(|cell| inv_phi(f64::from_bits((cell + 1) << INV_SHIFT).min(INV_HI)) + 1e-12)
                .collect();
            UpperBounds { phi, inv_phi }
        })
    }

    /// An upper bound of Φ(x) (1 beyond the grid's top, and for NaN).
    #[inline]
    pub fn phi_up(&self, x: f64) -> f64 {
        // The first grid point at or above x: one past the truncation (a
        // cell further when x is on the grid, still an upper bound), and
        // no rounding call.
        if x >= PHI_LO {
            let k = ((x - PHI_LO) * PHI_STEPS) as i64 + 1;
            if k < PHI_CELLS as i64 { self.phi[k as usize] } else { 1.0 }
        } else if x < PHI_LO {
            self.phi[0]
        } else {
            1.0
        }
    }

    /// An upper bound of Φ⁻¹(p) for p in [10⁻¹², 0.999] (p is clamped to
    /// that range first, as the engine's probabilities are).
    #[inline]
    pub fn inv_phi_up(&self, p: f64) -> f64 {
        let p = p.clamp(INV_LO, INV_HI);
        let cell = (p.to_bits() >> INV_SHIFT) - (INV_LO.to_bits() >> INV_SHIFT);
        self.inv_phi[cell as usize]
    }
}

/// c[0] + c[1] r + … + c[7] r⁷, by Horner's rule.
#[inline]
fn poly(c: &[f64; 8], r: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * r + k)
}

// AS 241's coefficients as published (more digits than an f64 holds),
// lowest power first.
#[allow(clippy::excessive_precision)]
const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_608,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
#[allow(clippy::excessive_precision)]
const CENTRAL_DEN: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_3,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_61,
    28_729.085_735_721_942_674,
    5_226.495_278_852_854_561,
];
#[allow(clippy::excessive_precision)]
const NEAR_NUM: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_77,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const NEAR_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    0.689_767_334_985_100_004_55,
    0.148_103_976_427_480_074_59,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const FAR_NUM: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    0.296_560_571_828_504_891_23,
    0.026_532_189_526_576_123_093,
    0.001_242_660_947_388_078_438_6,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const FAR_DEN: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_69,
    0.136_929_880_922_735_805_31,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-12;

    #[test]
    fn normal_cdf_matches_tabulated_values() {
        assert!((phi(0.0) - 0.5).abs() < TOL);
        assert!((phi(1.959_963_984_540_054) - 0.975).abs() < TOL);
        assert!((phi(-3.0) - 0.001_349_898_031_630_094_6).abs() < TOL);
    }

    #[test]
    fn inverse_inverts() {
        for p in [1e-12, 1e-6, 0.01, 0.05, 0.3, 0.5, 0.9, 0.999, 1.0 - 1e-9] {
            assert!((phi(inv_phi(p)) - p).abs() < TOL * p.max(1e-3), "{p}");
        }
        assert!((inv_phi(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((inv_phi(0.5)).abs() == 0.0);
    }

    #[test]
    fn inverse_agrees_with_statrs_in_every_branch_of_as241() {
        // The central, near-tail and far-tail branches (|q| ≤ 0.425,
        // r ≤ 5 and r > 5, i.e. p below about 1.4e-11).
        let mut p = 1e-300f64;
        while p < 1.0 {
            let ours = inv_phi(p);
            let theirs = -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p);
            assert!((ours - theirs).abs() <= 1e-13 * theirs.abs().max(1.0), "p {p}: {ours} vs {theirs}");
            p = if p < 0.01 { p * 1.7 } else { p + 0.0031 };
        }
    }

    #[test]
    fn table_bounds_lie_above_the_functions_and_close_to_them() {
        let up = UpperBounds::get();
        let mut x = -12.0;
        while x < 12.0 {
            let (exact, bound) = (phi(x), up.phi_up(x));
            assert!(bound >= exact, "Φ({x}): {bound} < {exact}");
            if (-8.9..8.9).contains(&x) {
                // At most one cell of 1/32 loose.
                assert!(bound <= phi(x + 1.0 / 32.0) * (1.0 + 1e-9), "Φ({x}): {bound} too loose");
            }
            x += 0.001_37;
        }
        // On the grid points themselves, and for NaN.
        for k in -40..=620 {
            let x = -9.0 + f64::from(k) / 32.0;
            assert!(up.phi_up(x) >= phi(x), "Φ({x}) on the grid");
        }
        assert_eq!(up.phi_up(f64::NAN), 1.0);
        let mut p: f64 = 1e-13;
        while p < 1.0 {
            let q = p.clamp(1e-12, 0.999);
            let (exact, bound) = (inv_phi(q), up.inv_phi_up(p));
            assert!(bound >= exact, "Φ⁻¹({p}): {bound} < {exact}");
            // At most a cell (1/16 of a binary order of magnitude) loose.
            assert!(bound <= inv_phi((q * 1.0625).min(0.999)) + 1e-9, "Φ⁻¹({p}) too loose");
            p *= 1.003;
        }
    }

    #[test]
    fn pinned_bits_are_the_same_on_every_platform() {
        // Pure-Rust maths: these exact bits hold on every libc and
        // architecture (the values agree with published tables to 16
        // digits). A change here changes every result.
        let pins = [
            (phi(-1.0), 0x3FC4_4ED0_BB7C_B20C_u64),  // 0.15865525393145707
            (inv_phi(0.01), 0xC002_9C5C_4630_FF0E),  // −2.3263478740408408
            (inv_phi(1e-15), 0xC01F_C3F0_0778_9667), // −7.941345326170995
            (libm::exp(0.7), 0x4000_1C2A_6126_8987), // 2.0137527074704766
            (libm::log(0.3), 0xBFF3_4378_FCBD_A721), // −1.2039728043259361
        ];
        for (value, bits) in pins {
            assert_eq!(value.to_bits(), bits, "{value:e}");
        }
    }
}
