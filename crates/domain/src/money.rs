//! Money as exact integer fen, plus rates and shares.
//!
//! Amounts never pass through `f64` on their way in or out: files carry
//! yuan as strings or integers, parsed digit by digit into integer fen, and the engine
//! adds and subtracts `i64` fen so that accounting identities hold exactly.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// An amount of money in fen (0.01 yuan), exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub i64);

/// Why a money amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is not a plain decimal number of yuan.
    #[error("expected an amount in yuan such as \"50000\" or \"1234.56\", found {0:?}")]
    NotANumber(String),
    /// More than two decimal places: a fraction of a fen.
    #[error("expected at most two decimal places (fen), found {0:?}")]
    FractionOfFen(String),
    /// Too large for the engine's integer fen.
    #[error("amount {0:?} is too large")]
    TooLarge(String),
    /// A minus sign where the amount cannot be negative.
    #[error("expected an amount that is not negative, found {0:?}")]
    Negative(String),
}

impl MoneyError {
    /// Why the text was refused, in a few words (for messages that quote
    /// the text themselves).
    pub fn reason(&self) -> &'static str {
        match self {
            MoneyError::NotANumber(_) => {
                "not a decimal amount: digits (`_` only between two digits), then at most a `.` and one or two decimals; no sign, exponent or spaces"
            }
            MoneyError::FractionOfFen(_) => "more than two decimal places (a fraction of a fen)",
            MoneyError::TooLarge(_) => "too large",
            MoneyError::Negative(_) => "a negative amount",
        }
    }
}

impl Fen {
    /// Zero fen.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan to fen.
    pub const fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// Exact conversion from a decimal amount of yuan.
    pub fn from_yuan_decimal(yuan: Decimal) -> Result<Fen, MoneyError> {
        let fen = yuan * Decimal::ONE_HUNDRED;
        if fen.fract() != Decimal::ZERO {
            return Err(MoneyError::FractionOfFen(yuan.to_string()));
        }
        fen.to_i64().map(Fen).ok_or_else(|| MoneyError::TooLarge(yuan.to_string()))
    }

    /// Parses yuan written as a decimal string: exactly
    /// `-?D(\.[0-9]{1,2})?` where `D` is digits, optionally grouped by
    /// single `_` between two digits ("50000", "1234.56", "1_000", "-5").
    /// No `+`, exponent, spaces, or `.` without digits on both sides.
    pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
        let not_a_number = || MoneyError::NotANumber(text.to_string());
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match body.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        let grouped_digits = |s: &str| {
            !s.is_empty()
                && s.split('_').all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
        };
        if !grouped_digits(whole) {
            return Err(not_a_number());
        }
        let cents = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return Err(not_a_number()),
            Some(f) if f.len() > 2 => return Err(MoneyError::FractionOfFen(text.to_string())),
            Some(f) => f.parse::<i64>().map_err(|_| not_a_number())? * if f.len() == 1 { 10 } else { 1 },
        };
        let too_large = || MoneyError::TooLarge(text.to_string());
        let yuan: i64 = whole.replace('_', "").parse().map_err(|_| too_large())?;
        let fen = yuan.checked_mul(100).and_then(|f| f.checked_add(cents)).ok_or_else(too_large)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }

    /// Like [`Fen::parse_yuan`], for amounts that cannot be negative: any
    /// minus sign, even on zero (`"-0"`), is refused.
    pub fn parse_yuan_non_negative(text: &str) -> Result<Fen, MoneyError> {
        let fen = Fen::parse_yuan(text)?;
        if text.starts_with('-') {
            return Err(MoneyError::Negative(text.to_string()));
        }
        Ok(fen)
    }

    /// The amount in yuan as an exact decimal (for reports).
    pub fn to_yuan_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The amount in yuan as `f64`, for statistics across paths only.
    pub fn to_yuan_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `self × share`, rounded to the nearest fen (ties away from zero).
    /// Used for a fund's share of a loss; deterministic on every platform.
    pub fn times(self, share: f64) -> Fen {
        Fen((self.0 as f64 * share).round() as i64)
    }

    /// Interest on `self` at `rate` for `months` months, rounded to the
    /// nearest fen. Simple interest, 360/30 convention (a month is 1/12 year).
    pub fn interest(self, rate: Rate, months: u32) -> Fen {
        // Basis points keep this in exact integer arithmetic; i64 suffices
        // for any loan (the hot path), i128 takes over for huge balances.
        const DEN: i64 = 10_000 * 12;
        let factor = rate.basis_points() as i64 * months as i64;
        match self.0.checked_mul(factor) {
            Some(num) if num < i64::MAX - DEN => Fen((num + DEN / 2).div_euclid(DEN)),
            _ => {
                let num = self.0 as i128 * factor as i128;
                Fen(((num + DEN as i128 / 2).div_euclid(DEN as i128)) as i64)
            }
        }
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Fen) -> Fen {
        if self <= other { self } else { other }
    }

    /// The larger of two amounts.
    pub fn max(self, other: Fen) -> Fen {
        if self >= other { self } else { other }
    }

    /// True for a positive amount.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} yuan", self.to_yuan_decimal())
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}
impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}
impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}
impl AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        self.0 += rhs.0;
    }
}
impl SubAssign for Fen {
    fn sub_assign(&mut self, rhs: Fen) {
        self.0 -= rhs.0;
    }
}
impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

/// An annual interest rate, held in whole basis points (0.01 %) so that
/// interest in fen is exact integer arithmetic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(u32);

impl Rate {
    /// A rate from basis points (345 = 3.45 % a year).
    pub const fn from_basis_points(bp: u32) -> Rate {
        Rate(bp)
    }

    /// A rate from an annual fraction (0.0345), rounded to a basis point.
    pub fn from_annual(fraction: f64) -> Rate {
        Rate((fraction * 10_000.0).round().max(0.0) as u32)
    }

    /// Basis points.
    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// The annual fraction (0.0345 for 3.45 %).
    pub fn annual(self) -> f64 {
        self.0 as f64 / 10_000.0
    }
}

/// A fraction in `[0, 1]`: a loss share, a ratio threshold, a mix weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Share(f64);

impl Share {
    /// Nothing.
    pub const ZERO: Share = Share(0.0);

    /// A share, or `None` outside `[0, 1]` (or NaN).
    pub fn new(x: f64) -> Option<Share> {
        (0.0..=1.0).contains(&x).then_some(Share(x))
    }

    /// The fraction.
    pub fn get(self) -> f64 {
        self.0
    }

    /// `part ÷ whole` for counts or amounts with `0 ≤ part ≤ whole` (0 for
    /// an empty whole): a county's overdue or non-performing ratio. IEEE
    /// division keeps such a quotient within `[0, 1]`.
    pub fn of(part: i64, whole: i64) -> Share {
        debug_assert!(whole <= 0 || (0..=whole).contains(&part), "{part} of {whole}");
        if whole > 0 { Share((part as f64 / whole as f64).clamp(0.0, 1.0)) } else { Share(0.0) }
    }

    /// `self + other`, at most 1 (a tolerance plus an extra allowance).
    pub fn saturating_add(self, other: Share) -> Share {
        Share((self.0 + other.0).min(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_strings_parse_exactly_to_fen() {
        assert_eq!(Fen::parse_yuan("50000"), Ok(Fen(5_000_000)));
        assert_eq!(Fen::parse_yuan("1234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan("1234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("0.05"), Ok(Fen(5)));
        assert_eq!(Fen::parse_yuan("1_000"), Ok(Fen(100_000)));
        assert_eq!(Fen::parse_yuan("1_000_000.01"), Ok(Fen(100_000_001)));
        assert_eq!(Fen::parse_yuan("-5"), Ok(Fen(-500)));
        assert_eq!(Fen::parse_yuan("-12.34"), Ok(Fen(-1234)));
        assert!(matches!(Fen::parse_yuan("0.001"), Err(MoneyError::FractionOfFen(_))));
        assert!(matches!(Fen::parse_yuan("abc"), Err(MoneyError::NotANumber(_))));
    }

    #[test]
    fn only_a_plain_decimal_string_is_an_amount() {
        for text in [
            "1e3", "+5", " 5", "5 ", "5.", ".5", "1_000_", "_1000", "1__000", "1_000._5", "1.5_0", "--5",
            "-", "", "0x10", "5.-1", "1,000", "５",
        ] {
            assert_eq!(Fen::parse_yuan(text), Err(MoneyError::NotANumber(text.to_string())), "{text:?}");
        }
    }

    #[test]
    fn a_minus_sign_is_refused_where_money_cannot_be_negative() {
        for text in ["-0", "-0.00", "-5"] {
            assert_eq!(Fen::parse_yuan_non_negative(text), Err(MoneyError::Negative(text.to_string())));
        }
        assert_eq!(Fen::parse_yuan_non_negative("0"), Ok(Fen::ZERO));
        assert_eq!(Fen::parse_yuan("-0"), Ok(Fen::ZERO));
    }

    #[test]
    fn amounts_beyond_the_integer_fen_are_too_large() {
        assert_eq!(Fen::parse_yuan("92233720368547758.07"), Ok(Fen(i64::MAX)));
        assert!(matches!(Fen::parse_yuan("92233720368547758.08"), Err(MoneyError::TooLarge(_))));
        assert!(matches!(Fen::parse_yuan("99999999999999999999999"), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn quarterly_interest_on_a_full_first_loan() {
        // 50,000 yuan at 3.45 % for three months = 431.25 yuan.
        let i = Fen::from_yuan(50_000).interest(Rate::from_basis_points(345), 3);
        assert_eq!(i, Fen(43_125));
    }

    #[test]
    fn interest_rounds_half_up_to_the_fen() {
        // 1 fen at 10 % for 6 months is 0.05 fen: rounds to 0.
        assert_eq!(Fen(1).interest(Rate::from_basis_points(1000), 6), Fen(0));
        // 10 fen at 10 % for 6 months is 0.5 fen: rounds to 1.
        assert_eq!(Fen(10).interest(Rate::from_basis_points(1000), 6), Fen(1));
    }

    #[test]
    fn interest_on_huge_balances_does_not_overflow() {
        let big = Fen(i64::MAX / 1000);
        let i = big.interest(Rate::from_basis_points(2400), 12);
        assert_eq!(i.0, (((i64::MAX / 1000) as i128 * 2400 * 12 + 60_000) / 120_000) as i64);
    }

    #[test]
    fn share_rejects_values_outside_unit_interval() {
        assert!(Share::new(1.5).is_none());
        assert!(Share::new(-0.1).is_none());
        assert!(Share::new(f64::NAN).is_none());
        assert_eq!(Share::new(0.7).map(Share::get), Some(0.7));
    }
}
