//! Calendar dates as ledgers write them: `2024-02-29`, `2024/2/29`,
//! `20240229`, `2024年2月29日` (an XLSX date cell arrives as `2024-02-29`).

use std::fmt;

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

impl Date {
    /// Parses a date in one of the forms above; `None` if it is none of
    /// them or no such day exists.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            vec![&t[..4], &t[4..6], &t[6..]]
        } else if let Some(rest) = t.strip_suffix('日') {
            rest.split(['年', '月']).collect()
        } else {
            t.split(['-', '/', '.']).collect()
        };
        let [y, m, d] = parts.as_slice() else { return None };
        let digits =
            |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return None;
        }
        let date = Date { year: y.parse().ok()?, month: m.parse().ok()?, day: d.parse().ok()? };
        (date.month >= 1
            && date.month <= 12
            && date.day >= 1
            && date.day <= days_in_month(date.year, date.month))
        .then_some(date)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        // Hinnant's days-from-civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_ledgers_use_are_read() {
        let d = Date { year: 2024, month: 2, day: 29 };
        for t in ["2024-02-29", "2024/2/29", "20240229", "2024年2月29日", "2024.02.29"] {
            assert_eq!(Date::parse(t), Some(d), "{t}");
        }
        for t in ["2023-02-29", "2024-13-01", "24-02-29", "2024-02", "", "二〇二四年"] {
            assert_eq!(Date::parse(t), None, "{t}");
        }
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(Date { year: 1970, month: 1, day: 1 }.days(), 0);
        assert_eq!(
            Date { year: 2024, month: 3, day: 1 }.days() - Date { year: 2024, month: 2, day: 28 }.days(),
            2
        );
        assert_eq!(Date { year: 2000, month: 1, day: 1 }.days(), 10_957);
    }
}
