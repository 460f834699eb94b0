//! Shared vocabulary of mcstress: money in integer fen, rates and shares,
//! identifiers, calendar months and the enums every other crate names.
//!
//! Main types: [`Fen`] (money), [`Rate`] (annual interest rate), [`Share`]
//! (a fraction in `[0, 1]`), [`YearMonth`] (calendar month), [`CountyCode`], [`Category`],
//! [`Industry`], [`Product`].

mod enums;
mod money;
mod time;

pub use enums::{Category, Grade, Industry, Product};
pub use money::{Fen, MoneyError, Rate, Share};
pub use time::{MonthError, YearMonth};

/// Six-digit administrative division code (行政区划代码) of a county.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CountyCode(pub u32);

impl std::fmt::Display for CountyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:06}", self.0)
    }
}
