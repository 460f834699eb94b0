//! The county's interest-subsidy budget (贴息资金): subsidy is paid from a
//! yearly budget through the 一卡通 account; what exceeds it is owed and
//! paid first from the next year's budget.

use mcstress_domain::Fen;

/// A county's subsidy budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubsidyBudget {
    /// Left in this year's budget.
    pub left: Fen,
    /// Owed to borrowers beyond the budget (late).
    pub owed: Fen,
}

impl SubsidyBudget {
    /// A budget for the first year.
    pub fn new(annual: Fen) -> SubsidyBudget {
        SubsidyBudget { left: annual, owed: Fen::ZERO }
    }

    /// Subsidy `due` falls due; returns what is paid now (all of it, or
    /// nothing if the budget cannot cover it: then it is owed).
    pub fn pay(&mut self, due: Fen) -> Fen {
        if self.left >= due {
            self.left -= due;
            due
        } else {
            self.owed += due;
            Fen::ZERO
        }
    }

    /// A new year's budget arrives; what is owed is paid from it first.
    /// Returns the late subsidy paid.
    pub fn renew(&mut self, annual: Fen) -> Fen {
        self.left = annual;
        let late = self.owed.min(self.left);
        self.owed -= late;
        self.left -= late;
        late
    }

    /// Whether borrowers are waiting for subsidy (late payment).
    pub fn is_late(&self, scheduled_delay_months: u16) -> bool {
        scheduled_delay_months > 0 || self.owed.is_positive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsidy_beyond_the_budget_is_owed_and_paid_from_next_years_budget() {
        let mut b = SubsidyBudget::new(Fen(100));
        assert_eq!(b.pay(Fen(60)), Fen(60));
        assert_eq!(b.pay(Fen(60)), Fen::ZERO);
        assert_eq!(b.owed, Fen(60));
        assert!(b.is_late(0));
        assert_eq!(b.renew(Fen(100)), Fen(60));
        assert_eq!(b.left, Fen(40));
        assert!(!b.is_late(0));
    }

    #[test]
    fn a_scheduled_delay_makes_every_subsidy_late() {
        assert!(SubsidyBudget::new(Fen(100)).is_late(3));
    }
}
