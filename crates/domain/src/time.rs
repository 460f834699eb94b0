//! Calendar months.
//!
//! A month of the simulation is a plain integer counted from the scenario's
//! start (0 = the first simulated month; loans disbursed before the start
//! carry negative months), in the width each store needs: `i16` in the
//! loan book's arrays, which the monthly loop scans; `u16` in the fund's
//! ledger and the outputs. A newtype over them would be converted at every
//! one of those boundaries for no check gained, so there is none.

/// A calendar month, e.g. 2024-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// Month of the year, 1–12.
    pub month: u8,
}

/// Why a calendar month could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a month written as \"YYYY-MM\" (e.g. \"2024-01\"), found {0:?}")]
pub struct MonthError(pub String);

impl YearMonth {
    /// Parses "YYYY-MM".
    pub fn parse(text: &str) -> Result<YearMonth, MonthError> {
        let err = || MonthError(text.to_string());
        let (y, m) = text.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u8 = m.parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) || !(1900..=2200).contains(&year) {
            return Err(err());
        }
        Ok(YearMonth { year, month })
    }

    /// The calendar month `offset` months after `self` (may be negative).
    pub fn plus(self, offset: i32) -> YearMonth {
        let total = self.year * 12 + (self.month as i32 - 1) + offset;
        YearMonth { year: total.div_euclid(12), month: (total.rem_euclid(12) + 1) as u8 }
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i32 {
        (later.year * 12 + later.month as i32) - (self.year * 12 + self.month as i32)
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_months_add_across_years() {
        let jan = YearMonth::parse("2024-01").unwrap_or(YearMonth { year: 0, month: 1 });
        assert_eq!(jan.plus(11).to_string(), "2024-12");
        assert_eq!(jan.plus(12).to_string(), "2025-01");
        assert_eq!(jan.plus(-1).to_string(), "2023-12");
        assert_eq!(jan.months_until(jan.plus(37)), 37);
    }

    #[test]
    fn malformed_months_are_rejected() {
        for bad in ["2024-13", "2024-1", "24-01", "2024/01", "x"] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
    }
}
