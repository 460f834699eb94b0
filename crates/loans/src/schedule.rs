//! Repayment schedules: what falls due in a given month.
//!
//! Month arithmetic is in simulation months (`i32`, negative before the
//! start). A loan disbursed in month `s` with term `n` matures in `s + n`.

use mcstress_domain::{Fen, Rate};

/// How a loan is repaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repayment {
    /// Interest every quarter, principal at maturity (按季付息、到期还本):
    /// the usual schedule, and the one that makes maturity waves.
    BulletQuarterlyInterest,
    /// Equal monthly instalments of principal and interest (等额本息).
    EqualInstalments,
}

/// The dates of one loan's schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// How it is repaid.
    pub repayment: Repayment,
    /// Month of disbursement.
    pub start: i32,
    /// Month of maturity (start + term, moved by extensions).
    pub maturity: i32,
}

/// What falls due in one month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Due {
    /// Interest due.
    pub interest: Fen,
    /// Principal due.
    pub principal: Fen,
    /// Months of interest this payment covers.
    pub interest_months: u32,
    /// True when this is the final payment.
    pub at_maturity: bool,
}

impl Schedule {
    /// The first month after `month` in which something falls due, or the
    /// maturity if nothing falls due before it.
    pub fn next_due_after(&self, month: i32) -> i32 {
        let next = match self.repayment {
            Repayment::EqualInstalments => month + 1,
            Repayment::BulletQuarterlyInterest => {
                // Interest falls due every third month counted from disbursement.
                let since = month - self.start;
                self.start + (since.div_euclid(3) + 1) * 3
            }
        };
        next.min(self.maturity)
    }

    /// What falls due in `month` on a loan with `outstanding` principal at
    /// annual `rate`. Nothing falls due outside the schedule's dates.
    pub fn due(&self, month: i32, outstanding: Fen, rate: Rate) -> Due {
        if month <= self.start || month > self.maturity {
            return Due::default();
        }
        let at_maturity = month == self.maturity;
        match self.repayment {
            Repayment::BulletQuarterlyInterest => {
                let since = month - self.start;
                if since % 3 != 0 && !at_maturity {
                    return Due::default();
                }
                // Interest for the months since the last quarterly date.
                let months = if since % 3 == 0 { 3 } else { (since % 3) as u32 };
                Due {
                    interest: outstanding.interest(rate, months),
                    principal: if at_maturity { outstanding } else { Fen::ZERO },
                    interest_months: months,
                    at_maturity,
                }
            }
            Repayment::EqualInstalments => {
                let remaining = (self.maturity - month + 1) as u32;
                let interest = outstanding.interest(rate, 1);
                let principal = if at_maturity {
                    outstanding
                } else {
                    annuity_principal(outstanding, rate, remaining, interest)
                };
                Due { interest, principal, interest_months: 1, at_maturity }
            }
        }
    }
}

/// Principal part of a level payment that repays `outstanding` over
/// `remaining` months. The payment is computed in `f64` and rounded to the
/// fen; the final instalment clears whatever is left, so the loan always
/// repays exactly.
fn annuity_principal(outstanding: Fen, rate: Rate, remaining: u32, interest: Fen) -> Fen {
    let r = rate.annual() / 12.0;
    let p = outstanding.0 as f64;
    let payment =
        if r == 0.0 { p / remaining as f64 } else { p * r / (1.0 - libm::pow(1.0 + r, -(remaining as f64))) };
    Fen((payment.round() as i64 - interest.0).clamp(0, outstanding.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate::from_basis_points(345);

    fn bullet(start: i32, term: i32) -> Schedule {
        Schedule { repayment: Repayment::BulletQuarterlyInterest, start, maturity: start + term }
    }

    #[test]
    fn bullet_loan_pays_interest_quarterly_and_principal_at_maturity() {
        let s = bullet(0, 36);
        let p = Fen::from_yuan(50_000);
        assert_eq!(s.due(1, p, RATE), Due::default());
        assert_eq!(s.due(2, p, RATE), Due::default());
        let q = s.due(3, p, RATE);
        assert_eq!((q.interest, q.principal, q.at_maturity), (Fen(43_125), Fen::ZERO, false));
        let m = s.due(36, p, RATE);
        assert_eq!((m.interest, m.principal, m.at_maturity), (Fen(43_125), p, true));
        assert_eq!(s.due(37, p, RATE), Due::default());
    }

    #[test]
    fn next_due_date_of_a_bullet_loan_is_the_next_quarter_or_maturity() {
        let s = bullet(-5, 36);
        assert_eq!(s.next_due_after(-1), 1);
        assert_eq!(s.next_due_after(1), 4);
        let short = bullet(0, 4);
        assert_eq!(short.next_due_after(3), 4);
    }

    #[test]
    fn extended_bullet_loan_pays_broken_quarter_interest_at_new_maturity() {
        // Extended by 4 months: maturity 40 is one month after quarter 39.
        let s = Schedule { maturity: 40, ..bullet(0, 36) };
        let d = s.due(40, Fen::from_yuan(50_000), RATE);
        assert_eq!(d.interest_months, 1);
        assert!(d.at_maturity);
    }

    #[test]
    fn equal_instalments_repay_exactly_the_principal() {
        let s = Schedule { repayment: Repayment::EqualInstalments, start: 0, maturity: 24 };
        let mut outstanding = Fen::from_yuan(30_000);
        for m in 1..=24 {
            let d = s.due(m, outstanding, RATE);
            assert!(d.principal.0 >= 0);
            outstanding -= d.principal;
        }
        assert_eq!(outstanding, Fen::ZERO);
    }
}
