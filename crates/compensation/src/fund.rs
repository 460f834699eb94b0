//! The fund ledger: claims queue, payments, top-ups, interest, recoveries.
//!
//! The ledger identity holds after every call:
//! `start + inflows − claims_paid + recoveries = balance`.

use mcstress_domain::Fen;

use crate::rules::{ActivationInputs, Admission, ClaimRules, FundRules, TopUp};

/// Where a claim stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// Filed, waiting for the payment delay or the activation threshold.
    Pending,
    /// Approved; the fund still owes part of it.
    Approved,
    /// Approved and paid in full (or nothing was owed).
    Settled,
}

/// One claim on the fund.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// The loan claimed for (engine's loan id).
    pub loan: u64,
    /// Loss base (principal, or principal plus interest).
    pub base: Fen,
    /// Simulation month of filing.
    pub filed: u16,
    /// First month in which it may be paid (filing + payment delay).
    pub payable_from: u16,
    /// The bank's first-loss layer absorbed by this claim.
    pub bank_first_loss: Fen,
    /// Amount the fund owes after approval.
    pub approved: Fen,
    /// Amount the fund has paid.
    pub paid: Fen,
    /// Recoveries on the loan returned to the fund so far: never more
    /// than `paid`.
    pub recovered: Fen,
    /// State.
    pub state: ClaimState,
}

/// What one settlement round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Paid to banks this round.
    pub paid: Fen,
    /// Newly approved this round.
    pub approved: Fen,
}

/// A county fund and its claims.
#[derive(Clone, Debug, PartialEq)]
pub struct Fund {
    /// Cash in the fund.
    pub balance: Fen,
    /// Balance at the start of the simulation (also the restore target of
    /// the annual-restore top-up).
    pub start: Fen,
    /// Cumulative top-ups and interest.
    pub inflows: Fen,
    /// Cumulative claims paid.
    pub claims_paid: Fen,
    /// Cumulative recoveries returned to the fund.
    pub recoveries: Fen,
    /// First month an approved claim could not be paid in full.
    pub exhausted_at: Option<u16>,
    /// All claims in filing order.
    pub claims: Vec<Claim>,
    bank_first_loss_used: Fen,
    year: i32,
    year_approved: Fen,
    year_topped_up: Fen,
    open_from: usize,
}

impl Fund {
    /// A fund with its initial endowment.
    pub fn new(endowment: Fen) -> Fund {
        Fund {
            balance: endowment,
            start: endowment,
            inflows: Fen::ZERO,
            claims_paid: Fen::ZERO,
            recoveries: Fen::ZERO,
            exhausted_at: None,
            claims: Vec::new(),
            bank_first_loss_used: Fen::ZERO,
            year: i32::MIN,
            year_approved: Fen::ZERO,
            year_topped_up: Fen::ZERO,
            open_from: 0,
        }
    }

    /// Resets to a new endowment, keeping allocated capacity (for reuse
    /// across simulation paths).
    pub fn reset(&mut self, endowment: Fen) {
        let mut claims = std::mem::take(&mut self.claims);
        claims.clear();
        *self = Fund { claims, ..Fund::new(endowment) };
    }

    fn enter_year(&mut self, year: i32) {
        if year != self.year {
            self.year = year;
            self.year_approved = Fen::ZERO;
            self.year_topped_up = Fen::ZERO;
        }
    }

    /// Files a claim with loss `base` in `month`; returns its index.
    pub fn file(&mut self, rules: &ClaimRules, loan: u64, base: Fen, month: u16) -> usize {
        self.claims.push(Claim {
            loan,
            base,
            filed: month,
            payable_from: month.saturating_add(rules.payment_delay_months),
            bank_first_loss: Fen::ZERO,
            approved: Fen::ZERO,
            paid: Fen::ZERO,
            recovered: Fen::ZERO,
            state: ClaimState::Pending,
        });
        self.claims.len() - 1
    }

    /// Approved amounts the fund still owes.
    pub fn unpaid_approved(&self) -> Fen {
        self.claims[self.open_from..]
            .iter()
            .filter(|c| c.state == ClaimState::Approved)
            .map(|c| c.approved - c.paid)
            .sum()
    }

    /// Whether the fund owes approved claims it could not pay.
    pub fn in_default(&self) -> bool {
        self.unpaid_approved().is_positive()
    }

    /// Approves and pays claims in filing order, in simulation `month` of
    /// calendar `year`. Claims wait while the activation threshold does not
    /// hold, until their payment delay has passed, and beyond the annual
    /// cap. Payment stops at the first claim the balance cannot cover: that
    /// month is recorded as the fund's exhaustion if it is the first.
    pub fn settle(
        &mut self,
        rules: &ClaimRules,
        month: u16,
        year: i32,
        inputs: ActivationInputs,
    ) -> Settlement {
        self.enter_year(year);
        let mut out = Settlement::default();
        for i in self.open_from..self.claims.len() {
            if self.claims[i].state == ClaimState::Settled {
                continue;
            }
            if self.claims[i].payable_from > month {
                // Later claims were filed later: none of them is due yet.
                break;
            }
            if self.claims[i].state == ClaimState::Pending {
                let base = self.claims[i].base;
                let absorbed = match rules.activation.admit(inputs, base, self.bank_first_loss_used) {
                    Admission::Wait => break,
                    Admission::Approve { bank_first_loss } => bank_first_loss,
                };
                let mut approved = rules.fund_part(base - absorbed);
                if let Some(cap) = rules.annual_cap
                    && self.year_approved + approved > cap
                {
                    if self.year_approved.is_positive() {
                        // Beyond this year's cap: wait for the next year.
                        break;
                    }
                    // One claim larger than a whole year's cap: the fund
                    // pays the cap and the bank bears the rest.
                    approved = cap;
                }
                self.bank_first_loss_used += absorbed;
                self.year_approved += approved;
                out.approved += approved;
                let c = &mut self.claims[i];
                c.bank_first_loss = absorbed;
                c.approved = approved;
                c.state = ClaimState::Approved;
            }
            let c = &mut self.claims[i];
            let owed = c.approved - c.paid;
            let pay = owed.min(self.balance.max(Fen::ZERO));
            c.paid += pay;
            self.balance -= pay;
            self.claims_paid += pay;
            out.paid += pay;
            if pay < owed {
                self.exhausted_at.get_or_insert(month);
                break;
            }
            c.state = ClaimState::Settled;
        }
        while self.open_from < self.claims.len() && self.claims[self.open_from].state == ClaimState::Settled {
            self.open_from += 1;
        }
        out
    }

    /// One month of interest on a positive balance, kept in the fund.
    pub fn deposit_interest(&mut self, rules: &FundRules) -> Fen {
        let interest = self.balance.max(Fen::ZERO).interest(rules.interest_rate, 1);
        self.balance += interest;
        self.inflows += interest;
        interest
    }

    /// Applies the top-up rule in calendar month `month_of_year` of `year`,
    /// given the covered outstanding principal; returns the amount added.
    pub fn top_up(
        &mut self,
        rules: &FundRules,
        year: i32,
        month_of_year: u8,
        covered_outstanding: Fen,
    ) -> Fen {
        self.enter_year(year);
        let target = match rules.top_up {
            TopUp::None => return Fen::ZERO,
            TopUp::AnnualRestore { month_of_year: m } if m == month_of_year => self.start,
            TopUp::AnnualToRatio { ratio, month_of_year: m } if m == month_of_year => {
                covered_outstanding.times(ratio)
            }
            TopUp::QuarterlyToRatio { ratio } if month_of_year % 3 == 1 => covered_outstanding.times(ratio),
            _ => return Fen::ZERO,
        };
        let mut add = (target - self.balance).max(Fen::ZERO);
        if let Some(cap) = rules.annual_top_up_cap {
            add = add.min((cap - self.year_topped_up).max(Fen::ZERO));
        }
        self.balance += add;
        self.inflows += add;
        self.year_topped_up += add;
        add
    }

    /// Books a recovery of `amount` on the loan of claim `claim`; returns
    /// the part that goes back to the fund: pro rata to what the fund has
    /// paid of the claim's base (`amount × paid ÷ base`), and never more,
    /// over all the recoveries on the claim, than the fund has paid.
    ///
    /// The cap matters when the recoveries can exceed the base: with a
    /// principal-only base, the loan's whole loss (principal and interest
    /// arrears) is recovered from, and pro rata alone would return to the
    /// fund more than it paid. Recoveries thus count against the claim's
    /// base first; what is recovered beyond it (the arrears outside a
    /// principal-only base) is the bank's.
    pub fn recover(&mut self, rules: &ClaimRules, claim: usize, amount: Fen) -> Fen {
        if !rules.recoveries_to_fund {
            return Fen::ZERO;
        }
        let c = &mut self.claims[claim];
        if !c.base.is_positive() {
            return Fen::ZERO;
        }
        let pro_rata = Fen(((amount.0 as i128 * c.paid.0 as i128) / c.base.0 as i128) as i64);
        let part = pro_rata.min(c.paid - c.recovered).max(Fen::ZERO);
        c.recovered += part;
        self.balance += part;
        self.recoveries += part;
        part
    }

    /// Checks the ledger identity (used by tests and debug assertions).
    pub fn balances(&self) -> bool {
        self.start + self.inflows - self.claims_paid + self.recoveries == self.balance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(x: f64) -> Share {
        Share::new(x).unwrap()
    }
    use crate::rules::{Activation, LossBase};
    use mcstress_domain::{Rate, Share};

    fn rules() -> ClaimRules {
        ClaimRules {
            trigger_days_overdue: 90,
            collection_months: 3,
            activation: Activation::None,
            fund_share: Share::new(0.7).unwrap(),
            base: LossBase::Principal,
            per_loan_cap: None,
            annual_cap: None,
            payment_delay_months: 1,
            recoveries_to_fund: true,
        }
    }
    const NO_RATIO: ActivationInputs =
        ActivationInputs { overdue_ratio: Share::ZERO, npl_ratio: Share::ZERO };

    #[test]
    fn claim_is_paid_after_the_payment_delay() {
        let r = rules();
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 5);
        assert_eq!(f.settle(&r, 5, 2024, NO_RATIO).paid, Fen::ZERO);
        assert_eq!(f.settle(&r, 6, 2024, NO_RATIO).paid, Fen(7_000));
        assert_eq!(f.balance, Fen(93_000));
        assert!(f.balances());
    }

    #[test]
    fn fund_is_exhausted_in_the_first_month_an_approved_claim_cannot_be_paid_in_full() {
        let r = rules();
        let mut f = Fund::new(Fen(10_000));
        f.file(&r, 1, Fen(10_000), 0); // owes 7,000
        f.file(&r, 2, Fen(10_000), 0); // owes 7,000: only 3,000 left
        let s = f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(s.paid, Fen(10_000));
        assert_eq!(f.exhausted_at, Some(1));
        assert_eq!(f.unpaid_approved(), Fen(4_000));
        assert!(f.in_default());
        assert!(f.balances());
    }

    #[test]
    fn fund_paying_exactly_its_balance_is_not_exhausted() {
        let r = rules();
        let mut f = Fund::new(Fen(7_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.balance, Fen::ZERO);
        assert_eq!(f.exhausted_at, None);
    }

    #[test]
    fn unpaid_approved_claims_stay_queued_and_are_paid_from_the_next_top_up() {
        let r = rules();
        let fr = FundRules {
            interest_rate: Rate::from_basis_points(0),
            top_up: TopUp::AnnualRestore { month_of_year: 1 },
            annual_top_up_cap: None,
        };
        let mut f = Fund::new(Fen(5_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.unpaid_approved(), Fen(2_000));
        assert_eq!(f.top_up(&fr, 2025, 1, Fen::ZERO), Fen(5_000));
        f.settle(&r, 12, 2025, NO_RATIO);
        assert_eq!(f.unpaid_approved(), Fen::ZERO);
        assert_eq!(f.balance, Fen(3_000));
        assert_eq!(f.exhausted_at, Some(1), "exhaustion month is the first one");
        assert!(f.balances());
    }

    #[test]
    fn claims_wait_while_the_county_ratio_is_below_the_activation_threshold() {
        let r = ClaimRules { activation: Activation::CountyOverdueRatioAbove(sh(0.05)), ..rules() };
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        let low = ActivationInputs { overdue_ratio: sh(0.03), npl_ratio: sh(0.01) };
        assert_eq!(f.settle(&r, 3, 2024, low).paid, Fen::ZERO);
        assert_eq!(f.claims[0].state, ClaimState::Pending);
        let high = ActivationInputs { overdue_ratio: sh(0.06), npl_ratio: sh(0.02) };
        assert_eq!(f.settle(&r, 4, 2024, high).paid, Fen(7_000));
    }

    #[test]
    fn bank_bears_the_first_loss_before_the_fund_pays() {
        let r = ClaimRules { activation: Activation::BankFirstLoss(Fen(15_000)), ..rules() };
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.file(&r, 2, Fen(10_000), 0);
        f.file(&r, 3, Fen(10_000), 0);
        let s = f.settle(&r, 1, 2024, NO_RATIO);
        // 10,000 + 5,000 absorbed by the bank; 5,000 and 10,000 shared 7:3.
        assert_eq!(s.paid, Fen(3_500 + 7_000));
        assert_eq!(f.claims[0].bank_first_loss, Fen(10_000));
        assert_eq!(f.claims[1].bank_first_loss, Fen(5_000));
        assert_eq!(f.claims[2].bank_first_loss, Fen::ZERO);
    }

    #[test]
    fn annual_cap_defers_claims_to_the_next_year() {
        let r = ClaimRules { annual_cap: Some(Fen(10_000)), ..rules() };
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.file(&r, 2, Fen(10_000), 0);
        assert_eq!(f.settle(&r, 1, 2024, NO_RATIO).paid, Fen(7_000));
        assert_eq!(f.claims[1].state, ClaimState::Pending);
        assert_eq!(f.settle(&r, 12, 2025, NO_RATIO).paid, Fen(7_000));
    }

    #[test]
    fn recoveries_return_to_the_fund_pro_rata() {
        let r = rules();
        let mut f = Fund::new(Fen(100_000));
        let c = f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.recover(&r, c, Fen(1_000)), Fen(700));
        assert_eq!(f.recoveries, Fen(700));
        assert!(f.balances());
        let none = ClaimRules { recoveries_to_fund: false, ..r };
        assert_eq!(f.recover(&none, c, Fen(1_000)), Fen::ZERO);
    }

    #[test]
    fn fund_never_recovers_more_than_it_paid_on_a_claim() {
        // A principal-only base of 10,000 with 2,000 of interest arrears:
        // the fund paid 7,000; the loan's whole loss, 12,000, is recovered.
        let r = rules();
        let mut f = Fund::new(Fen(100_000));
        let c = f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.claims[c].paid, Fen(7_000));
        let back: Vec<Fen> = [4_000, 4_000, 4_000].iter().map(|a| f.recover(&r, c, Fen(*a))).collect();
        // Pro rata (7/10) while the recoveries stay within the base; the
        // last 2,000 (the arrears) are the bank's.
        assert_eq!(back, vec![Fen(2_800), Fen(2_800), Fen(1_400)]);
        assert_eq!(f.recoveries, Fen(7_000), "all it paid, not 7/10 of 12,000");
        assert_eq!(f.recover(&r, c, Fen(1_000)), Fen::ZERO);
        assert!(f.balances());
    }

    #[test]
    fn recoveries_before_payment_go_to_the_bank_and_later_ones_are_capped_by_the_payment() {
        let r = rules();
        let mut f = Fund::new(Fen(100_000));
        let c = f.file(&r, 1, Fen(10_000), 0);
        assert_eq!(f.recover(&r, c, Fen(5_000)), Fen::ZERO, "nothing paid yet");
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.recover(&r, c, Fen(20_000)), Fen(7_000));
        assert_eq!(f.claims[c].recovered, Fen(7_000));
    }

    #[test]
    fn interest_income_stays_in_the_fund() {
        let fr = FundRules {
            interest_rate: Rate::from_basis_points(120),
            top_up: TopUp::None,
            annual_top_up_cap: None,
        };
        let mut f = Fund::new(Fen::from_yuan(1_000_000));
        assert_eq!(f.deposit_interest(&fr), Fen::from_yuan(1_000));
        assert_eq!(f.balance, Fen::from_yuan(1_001_000));
        assert!(f.balances());
    }

    #[test]
    fn annual_top_up_restores_the_endowment_once_a_year_within_its_cap() {
        let fr = FundRules {
            interest_rate: Rate::from_basis_points(0),
            top_up: TopUp::AnnualRestore { month_of_year: 1 },
            annual_top_up_cap: Some(Fen(3_000)),
        };
        let mut f = Fund::new(Fen(10_000));
        f.balance = Fen(5_000);
        f.claims_paid = Fen(5_000);
        assert_eq!(f.top_up(&fr, 2025, 2, Fen::ZERO), Fen::ZERO, "wrong month");
        assert_eq!(f.top_up(&fr, 2025, 1, Fen::ZERO), Fen(3_000), "capped");
        assert_eq!(f.top_up(&fr, 2025, 1, Fen::ZERO), Fen::ZERO, "cap used up");
        assert!(f.balances());
    }

    #[test]
    fn quarterly_top_up_follows_the_covered_balance() {
        let fr = FundRules {
            interest_rate: Rate::from_basis_points(0),
            top_up: TopUp::QuarterlyToRatio { ratio: 0.1 },
            annual_top_up_cap: None,
        };
        let mut f = Fund::new(Fen(10_000));
        assert_eq!(f.top_up(&fr, 2025, 4, Fen(200_000)), Fen(10_000));
        assert_eq!(f.top_up(&fr, 2025, 5, Fen(300_000)), Fen::ZERO);
    }
}
