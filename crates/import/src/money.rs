//! Amounts in cells, in the unit their header declares, to the fen
//! exactly: `12.3456` in 万元 is 123,456 yuan; `12.3456789` in 万元 is
//! refused (a fraction of a fen), never rounded.

use mcstress_domain::Fen;
use rust_decimal::Decimal;

use crate::header::Unit;

/// Why a cell is not a value of its column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CellError {
    /// Not a decimal number.
    #[error(
        "expected an amount in {unit} (digits, an optional decimal point, thousands commas allowed), found {found:?}"
    )]
    NotAnAmount {
        /// The column's unit.
        unit: &'static str,
        /// The cell.
        found: String,
    },
    /// Negative where money cannot be.
    #[error("expected an amount of at least 0 {unit}, found {found:?}")]
    Negative {
        /// The column's unit.
        unit: &'static str,
        /// The cell.
        found: String,
    },
    /// More precise than a fen once converted.
    #[error("{found:?} {unit} is not a whole number of fen (0.01 yuan)")]
    FractionOfFen {
        /// The column's unit.
        unit: &'static str,
        /// The cell.
        found: String,
    },
    /// Too large for exact arithmetic.
    #[error("{found:?} {unit} is too large")]
    TooLarge {
        /// The column's unit.
        unit: &'static str,
        /// The cell.
        found: String,
    },
}

impl CellError {
    /// What the cell should have held, without the value: for a problem
    /// report whose own field carries the value.
    pub fn expected(&self) -> String {
        match self {
            CellError::NotAnAmount { unit, .. } => {
                format!("an amount in {unit} (digits, an optional decimal point, thousands commas allowed)")
            }
            CellError::Negative { unit, .. } => format!("an amount of at least 0 {unit}"),
            CellError::FractionOfFen { unit, .. } => {
                format!("an amount in {unit} that comes to a whole number of fen (0.01 yuan)")
            }
            CellError::TooLarge { unit, .. } => format!("an amount in {unit} small enough to add up exactly"),
        }
    }
}

/// A non-negative amount in `unit` (元 when the header declares none), as
/// fen, exactly. Thousands separators (`1,234,567.89`) are accepted where
/// they group three digits.
pub fn parse_money(cell: &str, unit: Option<Unit>) -> Result<Fen, CellError> {
    let unit = unit.unwrap_or(Unit::Yuan);
    let label = unit.label();
    let found = || cell.to_string();
    let not_amount = || CellError::NotAnAmount { unit: label, found: found() };
    let Some(per_unit) = unit.yuan_per_unit() else { return Err(not_amount()) };
    let text = cell.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let grouped = whole.contains(',');
    let groups_ok = !grouped || {
        let mut parts = whole.split(',');
        let first = parts.next().unwrap_or("");
        (1..=3).contains(&first.len()) && parts.all(|g| g.len() == 3)
    };
    let digits = whole.replace(',', "");
    let ok = groups_ok
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(body.contains('.') && fraction.is_empty());
    if !ok {
        return Err(not_amount());
    }
    if negative {
        return Err(CellError::Negative { unit: label, found: found() });
    }
    let too_large = || CellError::TooLarge { unit: label, found: found() };
    let value =
        Decimal::from_str_exact(&format!("{digits}.{}", if fraction.is_empty() { "0" } else { fraction }))
            .map_err(|_| too_large())?;
    let fen = value
        .checked_mul(Decimal::from(per_unit))
        .and_then(|v| v.checked_mul(Decimal::ONE_HUNDRED))
        .ok_or_else(too_large)?;
    if !fen.fract().is_zero() {
        return Err(CellError::FractionOfFen { unit: label, found: found() });
    }
    i64::try_from(fen.trunc().mantissa() / 10i128.pow(fen.trunc().scale())).map(Fen).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_convert_exactly_from_their_declared_unit() {
        assert_eq!(parse_money("50000", None), Ok(Fen(5_000_000)));
        assert_eq!(parse_money("1,234,567.89", Some(Unit::Yuan)), Ok(Fen(123_456_789)));
        assert_eq!(parse_money("12.3456", Some(Unit::WanYuan)), Ok(Fen(12_345_600)));
        assert_eq!(parse_money("12.345678", Some(Unit::WanYuan)), Ok(Fen(12_345_678)));
        assert_eq!(parse_money("188.66", Some(Unit::YiYuan)), Ok(Fen(1_886_600_000_000)));
        assert_eq!(parse_money("0.000001", Some(Unit::YiYuan)), Ok(Fen(10_000)));
    }

    #[test]
    fn what_is_not_an_exact_amount_is_refused_not_rounded() {
        assert_eq!(
            parse_money("12.3456789", Some(Unit::WanYuan)).unwrap_err().to_string(),
            "\"12.3456789\" 万元 is not a whole number of fen (0.01 yuan)"
        );
        for bad in ["", "1e3", "5.", ".5", "12,34", "1,2345", "+5", "五万", "1 000"] {
            assert!(matches!(parse_money(bad, None), Err(CellError::NotAnAmount { .. })), "{bad}");
        }
        assert!(matches!(parse_money("-5", None), Err(CellError::Negative { .. })));
        assert!(matches!(parse_money("5", Some(Unit::Percent)), Err(CellError::NotAnAmount { .. })));
        assert!(matches!(
            parse_money("99999999999999999999", Some(Unit::YiYuan)),
            Err(CellError::TooLarge { .. })
        ));
    }
}
