//! The fund ledger: claims queue, payments, top-ups, interest, recoveries.
//!
//! The ledger identity holds after every call:
//! `start + inflows − claims_paid + recoveries = balance`.

use mcstress_domain::Fen;

use crate::rules::{
    ActivationInputs, Admission, CapExcess, ClaimRules, FundRules, LimitPeriod, TopUp, TopUpParts,
};

/// Approved claims the fund still owes, by why they are unpaid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnpaidByCause {
    /// The fund's part held back by the annual cap as a share of the fund
    /// (waiting for next year's room): a rule, not a shortage of cash.
    pub annual_cap: Fen,
    /// Owed by an empty fund whose top-ups ran out this year: the county's
    /// fiscal capacity (or the rules' yearly top-up cap) was spent, or cut
    /// a top-up short.
    pub top_ups_spent: Fen,
    /// Owed by an empty fund with no top-up rule.
    pub no_top_up: Fen,
    /// Owed by an empty fund whose next top-up is still to come (its date
    /// or its trigger), with budget left for it: a cash gap within the
    /// year.
    pub awaiting_top_up: Fen,
}

impl UnpaidByCause {
    /// All of it.
    pub fn total(&self) -> Fen {
        self.annual_cap + self.top_ups_spent + self.no_top_up + self.awaiting_top_up
    }
}

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
    /// The fund's part not yet approved: it waits for room under the
    /// annual cap as a share of the fund.
    pub deferred: Fen,
    /// Paid by the third party (guarantor or insurer) on approval.
    pub third_party: Fen,
    /// Recoveries returned to the third party so far: never more than
    /// `third_party`.
    pub third_party_recovered: Fen,
    /// Amount the fund has paid.
    pub paid: Fen,
    /// Recoveries on the loan returned to the fund so far: never more
    /// than `paid`.
    pub recovered: Fen,
    /// State.
    pub state: ClaimState,
    /// Simulation month in which the loan first missed a payment (the
    /// start of its last overdue episode; may be before month 0).
    pub defaulted: i32,
    /// The fund's part of the claim under the rules: its share of the base
    /// (net of a bank first-loss layer), capped per loan, before any annual
    /// cap — fixed at approval; before approval, the flat share of the
    /// base. What 应偿尽偿 measures payment against.
    pub due: Fen,
}

/// What one settlement round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Paid to banks this round.
    pub paid: Fen,
    /// Newly approved this round.
    pub approved: Fen,
    /// Paid by the third party this round.
    pub third_party: Fen,
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
    /// The county's endowment (核定规模): the base of the endowment-triggered
    /// top-up, of an annual cap on the endowment and of the suspension on
    /// the share of the endowment used. County data, kept by [`Fund::reset`].
    pub endowment: Fen,
    /// Most the county's budget puts into top-ups in a calendar year (none:
    /// unlimited). County data, kept by [`Fund::reset`].
    pub fiscal_capacity: Option<Fen>,
    /// Cumulative payments of the third party.
    pub third_party_paid: Fen,
    /// Cumulative recoveries returned to the third party.
    pub third_party_recovered: Fen,
    /// Cumulative fund parts refused by the annual cap (borne by the bank).
    pub refused_by_cap: Fen,
    /// Cumulative top-ups by level: the endowment-triggered form splits
    /// them between the levels; every other form, and the leverage top-up,
    /// is the county's alone.
    pub top_ups_by_level: TopUpParts,
    /// Cumulative top-ups of every form (interest not included).
    pub top_ups: Fen,
    /// Cumulative top-ups made so that a loan beyond the leverage multiple
    /// could be covered (`LeverageExcess::TopUp`); part of `top_ups`.
    pub leverage_top_ups: Fen,
    /// First simulation month in which an approved claim was unpaid while
    /// the year's top-ups had run out (see [`Fund::note_unpaid`]).
    pub top_ups_ran_out_at: Option<u16>,
    /// Cumulative fund parts due on the claims filed ([`Claim::due`]).
    pub claims_due: Fen,
    /// Claims paid in full with a positive payment (count).
    pub claims_settled: u32,
    /// Months from default to the last payment, summed over the claims
    /// paid in full.
    pub months_to_payment: u64,
    bank_first_loss_used: Fen,
    year: i32,
    year_start_balance: Fen,
    year_approved: Fen,
    year_topped_up: Fen,
    year_county_topped_up: Fen,
    year_third_party: Fen,
    /// Whether a top-up of this year was cut short by the fiscal capacity
    /// or the yearly top-up cap (or a leverage top-up refused for them).
    year_top_up_short: bool,
    /// Leverage top-ups of simulation month `leverage_month`.
    leverage_month: u16,
    leverage_month_added: Fen,
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
            endowment,
            fiscal_capacity: None,
            third_party_paid: Fen::ZERO,
            third_party_recovered: Fen::ZERO,
            refused_by_cap: Fen::ZERO,
            top_ups_by_level: TopUpParts::default(),
            top_ups: Fen::ZERO,
            leverage_top_ups: Fen::ZERO,
            top_ups_ran_out_at: None,
            claims_due: Fen::ZERO,
            claims_settled: 0,
            months_to_payment: 0,
            bank_first_loss_used: Fen::ZERO,
            year: i32::MIN,
            year_start_balance: endowment,
            year_approved: Fen::ZERO,
            year_topped_up: Fen::ZERO,
            year_county_topped_up: Fen::ZERO,
            year_third_party: Fen::ZERO,
            year_top_up_short: false,
            leverage_month: 0,
            leverage_month_added: Fen::ZERO,
            open_from: 0,
        }
    }

    /// The same fund with the county's endowment (核定规模, which may differ
    /// from the balance at the start) and fiscal capacity for top-ups.
    pub fn with_county_terms(self, endowment: Fen, fiscal_capacity: Option<Fen>) -> Fund {
        Fund { endowment, fiscal_capacity, ..self }
    }

    /// Resets to a new balance at the start, keeping allocated capacity and
    /// the county's terms (endowment, fiscal capacity) (for reuse across
    /// simulation paths).
    pub fn reset(&mut self, balance: Fen) {
        let mut claims = std::mem::take(&mut self.claims);
        claims.clear();
        let (endowment, fiscal_capacity) = (self.endowment, self.fiscal_capacity);
        *self = Fund { claims, ..Fund::new(balance).with_county_terms(endowment, fiscal_capacity) };
    }

    fn enter_year(&mut self, year: i32) {
        if year != self.year {
            self.year = year;
            self.year_start_balance = self.balance;
            self.year_approved = Fen::ZERO;
            self.year_topped_up = Fen::ZERO;
            self.year_county_topped_up = Fen::ZERO;
            self.year_third_party = Fen::ZERO;
            self.year_top_up_short = false;
        }
    }

    /// Files a claim with loss `base` in `month`, its loan defaulting in
    /// the same month; returns its index.
    pub fn file(&mut self, rules: &ClaimRules, loan: u64, base: Fen, month: u16) -> usize {
        self.file_defaulted(rules, loan, base, month, i32::from(month))
    }

    /// Files a claim with loss `base` in `month`, the month its loss was
    /// determined, on a loan that first missed a payment in month
    /// `defaulted`; returns its index.
    pub fn file_defaulted(
        &mut self,
        rules: &ClaimRules,
        loan: u64,
        base: Fen,
        month: u16,
        defaulted: i32,
    ) -> usize {
        let due = rules.fund_part(base);
        self.claims_due += due;
        self.claims.push(Claim {
            loan,
            base,
            filed: month,
            payable_from: month.saturating_add(rules.payment_delay_months),
            bank_first_loss: Fen::ZERO,
            approved: Fen::ZERO,
            deferred: Fen::ZERO,
            third_party: Fen::ZERO,
            third_party_recovered: Fen::ZERO,
            paid: Fen::ZERO,
            recovered: Fen::ZERO,
            state: ClaimState::Pending,
            defaulted,
            due,
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
                let shared = base - absorbed;
                let mut approved = rules.fund_part_at_share(shared, rules.fund_share_at(inputs));
                let third_party = match &rules.third_party {
                    Some(tp) => {
                        let used = match tp.period {
                            LimitPeriod::Annual => self.year_third_party,
                            LimitPeriod::Lifetime => self.third_party_paid,
                        };
                        tp.part(shared, used)
                    }
                    None => Fen::ZERO,
                };
                let deferred = if rules.annual_share_cap.is_some() {
                    // Approved as room under the cap allows, below.
                    std::mem::replace(&mut approved, Fen::ZERO)
                } else {
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
                    Fen::ZERO
                };
                self.bank_first_loss_used += absorbed;
                self.year_approved += approved;
                self.third_party_paid += third_party;
                self.year_third_party += third_party;
                out.approved += approved;
                out.third_party += third_party;
                let c = &mut self.claims[i];
                // What the rules make the fund owe, before the annual caps.
                let due = rules.fund_part_at_share(shared, rules.fund_share_at(inputs));
                self.claims_due += due - c.due;
                c.due = due;
                c.bank_first_loss = absorbed;
                c.approved = approved;
                c.deferred = deferred;
                c.third_party = third_party;
                c.state = ClaimState::Approved;
            }
            if let Some(cap) = rules.annual_share_cap
                && self.claims[i].deferred.is_positive()
            {
                let mut limit = cap.amount(self.year_start_balance, self.endowment);
                if let Some(yuan_cap) = rules.annual_cap {
                    limit = limit.min(yuan_cap);
                }
                let c = &mut self.claims[i];
                let release = c.deferred.min((limit - self.year_approved).max(Fen::ZERO));
                c.approved += release;
                c.deferred -= release;
                self.year_approved += release;
                out.approved += release;
                if cap.excess == CapExcess::Refuse {
                    self.refused_by_cap += c.deferred;
                    c.deferred = Fen::ZERO;
                }
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
            if c.deferred.is_positive() {
                // The rest waits for next year's room, and so do the claims
                // filed after it.
                break;
            }
            c.state = ClaimState::Settled;
            if c.paid.is_positive() {
                self.claims_settled += 1;
                self.months_to_payment += (i32::from(month) - c.defaulted).max(0) as u64;
            }
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
    /// The county's part comes out of what is left of its fiscal capacity
    /// this year (and the whole within the yearly top-up cap): a top-up cut
    /// short by either marks the year's top-ups as run out.
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
            TopUp::BelowEndowment { trigger, split } => {
                if self.balance >= self.endowment.times(trigger.get()) {
                    return Fen::ZERO;
                }
                let want = self.endowment - self.balance;
                let gap = self.capped_top_up(rules, want);
                let parts = split.split(gap, self.county_room(rules));
                if parts.total() < want {
                    self.year_top_up_short = true;
                }
                self.year_county_topped_up += parts.county;
                self.top_ups_by_level.province += parts.province;
                self.top_ups_by_level.prefecture += parts.prefecture;
                self.top_ups_by_level.county += parts.county;
                return self.add_top_up(parts.total());
            }
            _ => return Fen::ZERO,
        };
        let want = (target - self.balance).max(Fen::ZERO);
        let mut add = self.capped_top_up(rules, want);
        if let Some(room) = self.county_room(rules) {
            add = add.min(room);
        }
        if add < want {
            self.year_top_up_short = true;
        }
        self.year_county_topped_up += add;
        self.top_ups_by_level.county += add;
        self.add_top_up(add)
    }

    /// The county's fiscal capacity for top-ups in a year: its own figure
    /// (county data), else the rules' default (none: unlimited).
    pub fn fiscal_capacity_under(&self, rules: &FundRules) -> Option<Fen> {
        self.fiscal_capacity.or_else(|| rules.fiscal_capacity.amount(self.endowment))
    }

    /// What is left of the county's fiscal capacity this year (none:
    /// unlimited).
    pub fn county_room(&self, rules: &FundRules) -> Option<Fen> {
        self.fiscal_capacity_under(rules).map(|cap| (cap - self.year_county_topped_up).max(Fen::ZERO))
    }

    /// Whether this year's top-ups have run out: a top-up was cut short by
    /// the fiscal capacity or the yearly top-up cap, or either is spent.
    pub fn top_ups_spent(&self, rules: &FundRules) -> bool {
        self.year_top_up_short
            || self.county_room(rules).is_some_and(|r| !r.is_positive())
            || rules.annual_top_up_cap.is_some_and(|cap| self.year_topped_up >= cap)
    }

    /// A top-up of `need` in simulation month `month` of `year`, so that a
    /// loan beyond the leverage multiple can be covered: paid by the county
    /// alone, whole or not at all, within what is left of its fiscal
    /// capacity and of the yearly top-up cap. Returns whether it was made;
    /// a refusal marks the year's top-ups as run out.
    pub fn leverage_top_up(&mut self, rules: &FundRules, year: i32, month: u16, need: Fen) -> bool {
        self.enter_year(year);
        if !need.is_positive() {
            return true;
        }
        let fits_capacity = self.county_room(rules).is_none_or(|room| need <= room);
        if !fits_capacity || self.capped_top_up(rules, need) < need {
            self.year_top_up_short = true;
            return false;
        }
        if self.leverage_month != month {
            self.leverage_month = month;
            self.leverage_month_added = Fen::ZERO;
        }
        self.leverage_month_added += need;
        self.leverage_top_ups += need;
        self.year_county_topped_up += need;
        self.top_ups_by_level.county += need;
        self.add_top_up(need);
        true
    }

    /// Leverage top-ups made in simulation month `month` (the leverage test
    /// of the month reads the fund's balance at its start, plus these).
    pub fn leverage_top_ups_in(&self, month: u16) -> Fen {
        if self.leverage_month == month { self.leverage_month_added } else { Fen::ZERO }
    }

    /// Notes, at the end of simulation month `month`, whether an approved
    /// claim is unpaid while this year's top-ups have run out: the first
    /// such month is kept in `top_ups_ran_out_at`.
    pub fn note_unpaid(&mut self, rules: &FundRules, month: u16) {
        if self.top_ups_ran_out_at.is_none() && self.top_ups_spent(rules) && self.in_default() {
            self.top_ups_ran_out_at = Some(month);
        }
    }

    /// The approved claims still owed, by why they are unpaid, as the fund
    /// stands now (at the horizon's end, the unpaid figure by cause).
    pub fn unpaid_by_cause(&self, rules: &FundRules) -> UnpaidByCause {
        let mut out = UnpaidByCause::default();
        let mut owed = Fen::ZERO;
        for c in self.claims[self.open_from..].iter().filter(|c| c.state == ClaimState::Approved) {
            owed += c.approved - c.paid;
            out.annual_cap += c.deferred;
        }
        if rules.top_up == TopUp::None {
            out.no_top_up = owed;
        } else if self.top_ups_spent(rules) {
            out.top_ups_spent = owed;
        } else {
            out.awaiting_top_up = owed;
        }
        out
    }

    /// A top-up of `gap` (nothing if not positive) within what is left of
    /// the year's top-up cap.
    fn capped_top_up(&self, rules: &FundRules, gap: Fen) -> Fen {
        let add = gap.max(Fen::ZERO);
        match rules.annual_top_up_cap {
            Some(cap) => add.min((cap - self.year_topped_up).max(Fen::ZERO)),
            None => add,
        }
    }

    fn add_top_up(&mut self, add: Fen) -> Fen {
        self.balance += add;
        self.inflows += add;
        self.top_ups += add;
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
        let pro_rata = |paid: Fen| Fen(((amount.0 as i128 * paid.0 as i128) / c.base.0 as i128) as i64);
        let part = pro_rata(c.paid).min(c.paid - c.recovered).max(Fen::ZERO);
        let third = pro_rata(c.third_party).min(c.third_party - c.third_party_recovered).max(Fen::ZERO);
        c.recovered += part;
        c.third_party_recovered += third;
        self.third_party_recovered += third;
        self.balance += part;
        self.recoveries += part;
        part
    }

    /// The third party's loss: what it paid less what was recovered for it.
    pub fn third_party_loss(&self) -> Fen {
        self.third_party_paid - self.third_party_recovered
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
    use crate::rules::{
        Activation, AnnualShareCap, CapBase, CapExcess, FiscalCapacity, LevelSplit, LimitPeriod, LossBase,
        NplGrades, ThirdParty,
    };
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
            annual_share_cap: None,
            fund_share_by_npl: None,
            third_party: None,
            cycle: crate::ClaimCycle::INSTANT,
        }
    }
    const NO_RATIO: ActivationInputs =
        ActivationInputs { overdue_ratio: Share::ZERO, npl_ratio: Share::ZERO };

    #[test]
    fn claims_due_and_months_from_default_to_payment_are_counted_on_settlement() {
        let r = rules();
        let mut f = Fund::new(Fen(10_000));
        // Defaulted in month 2, loss determined in month 12, paid in month 13.
        f.file_defaulted(&r, 1, Fen(10_000), 12, 2);
        assert_eq!(f.claims_due, Fen(7_000), "the flat share of the base until approval");
        assert_eq!((f.claims_settled, f.months_to_payment), (0, 0));
        f.settle(&r, 13, 2024, NO_RATIO);
        assert_eq!((f.claims_settled, f.months_to_payment), (1, 11));
        // A claim the balance cannot pay is due but not settled.
        f.file_defaulted(&r, 2, Fen(10_000), 14, 4);
        f.settle(&r, 15, 2024, NO_RATIO);
        assert_eq!(f.claims_due, Fen(14_000));
        assert_eq!(f.claims_paid, Fen(10_000));
        assert_eq!((f.claims_settled, f.months_to_payment), (1, 11));
    }

    #[test]
    fn the_fund_part_due_follows_the_graded_share_fixed_at_approval() {
        let g = NplGrades::new(vec![(sh(0.01), sh(0.8)), (sh(1.0), sh(0.5))]).unwrap();
        let r = ClaimRules { fund_share_by_npl: Some(g), ..rules() };
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, ActivationInputs { overdue_ratio: sh(0.1), npl_ratio: sh(0.02) });
        assert_eq!(f.claims_due, Fen(5_000));
        assert_eq!(f.claims[0].due, f.claims[0].paid);
    }

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
            fiscal_capacity: FiscalCapacity::Unlimited,
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
            fiscal_capacity: FiscalCapacity::Unlimited,
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
            fiscal_capacity: FiscalCapacity::Unlimited,
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
            fiscal_capacity: FiscalCapacity::Unlimited,
        };
        let mut f = Fund::new(Fen(10_000));
        assert_eq!(f.top_up(&fr, 2025, 4, Fen(200_000)), Fen(10_000));
        assert_eq!(f.top_up(&fr, 2025, 5, Fen(300_000)), Fen::ZERO);
    }

    fn share_cap(share: f64, of: CapBase, excess: CapExcess) -> ClaimRules {
        ClaimRules { annual_share_cap: Some(AnnualShareCap { share: sh(share), of, excess }), ..rules() }
    }

    #[test]
    fn annual_cap_stops_payment_at_the_share_of_the_fund_and_the_rest_waits_for_next_year() {
        // 30 % of 20,000 = 6,000 a year; two claims owe 7,000 each.
        let r = share_cap(0.3, CapBase::YearStartBalance, CapExcess::Wait);
        let mut f = Fund::new(Fen(20_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.file(&r, 2, Fen(10_000), 0);
        let s = f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(s.paid, Fen(6_000));
        assert_eq!(f.claims[0].deferred, Fen(1_000));
        assert_eq!(f.claims[1].state, ClaimState::Pending, "later claims wait behind it");
        assert_eq!(f.settle(&r, 2, 2024, NO_RATIO).paid, Fen::ZERO, "no room left this year");
        assert_eq!(f.exhausted_at, None, "a capped fund is not exhausted");
        assert!(!f.in_default(), "nor in default: it owes nothing it approved");
        // 2025: the balance at the year's first settlement is 14,000, so the
        // room is 4,200: the first claim's last 1,000, then 3,200 of the second.
        let s = f.settle(&r, 13, 2025, NO_RATIO);
        assert_eq!(s.paid, Fen(4_200));
        assert_eq!(f.claims[0].state, ClaimState::Settled);
        assert_eq!(f.claims[1].paid, Fen(3_200));
        assert_eq!(f.claims[1].deferred, Fen(3_800));
        assert!(f.balances());
    }

    #[test]
    fn annual_cap_on_the_endowment_ignores_the_balance() {
        let r = share_cap(0.1, CapBase::Endowment, CapExcess::Wait);
        let mut f = Fund::new(Fen(50_000)).with_county_terms(Fen(100_000), None);
        f.file(&r, 1, Fen(20_000), 0); // owes 14,000; room 10,000
        assert_eq!(f.settle(&r, 1, 2024, NO_RATIO).paid, Fen(10_000));
    }

    #[test]
    fn annual_cap_can_refuse_the_rest_which_the_bank_then_bears() {
        let r = share_cap(0.3, CapBase::YearStartBalance, CapExcess::Refuse);
        let mut f = Fund::new(Fen(20_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.file(&r, 2, Fen(10_000), 0);
        assert_eq!(f.settle(&r, 1, 2024, NO_RATIO).paid, Fen(6_000));
        assert_eq!(f.claims[0].state, ClaimState::Settled);
        assert_eq!(f.claims[0].approved, Fen(6_000));
        // The second claim is approved with no room: all 7,000 refused.
        assert_eq!(f.claims[1].state, ClaimState::Settled);
        assert_eq!(f.claims[1].approved, Fen::ZERO);
        assert_eq!(f.refused_by_cap, Fen(1_000 + 7_000));
        assert!(f.balances());
    }

    #[test]
    fn annual_cap_in_yuan_and_as_a_share_together_take_the_lower() {
        let r = ClaimRules {
            annual_cap: Some(Fen(2_000)),
            ..share_cap(0.3, CapBase::YearStartBalance, CapExcess::Wait)
        };
        let mut f = Fund::new(Fen(20_000));
        f.file(&r, 1, Fen(10_000), 0);
        assert_eq!(f.settle(&r, 1, 2024, NO_RATIO).paid, Fen(2_000));
    }

    #[test]
    fn graded_share_is_fixed_by_the_npl_band_in_the_month_of_approval() {
        let g = NplGrades::new(vec![(sh(0.01), sh(0.8)), (sh(0.03), sh(0.7)), (sh(1.0), sh(0.5))]).unwrap();
        let r = ClaimRules { fund_share_by_npl: Some(g), ..rules() };
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, ActivationInputs { overdue_ratio: sh(0.1), npl_ratio: sh(0.005) });
        f.file(&r, 2, Fen(10_000), 1);
        f.settle(&r, 2, 2024, ActivationInputs { overdue_ratio: sh(0.1), npl_ratio: sh(0.02) });
        f.file(&r, 3, Fen(10_000), 2);
        f.settle(&r, 3, 2024, ActivationInputs { overdue_ratio: sh(0.1), npl_ratio: sh(0.04) });
        let approved: Vec<Fen> = f.claims.iter().map(|c| c.approved).collect();
        assert_eq!(approved, vec![Fen(8_000), Fen(7_000), Fen(5_000)]);
    }

    fn three_party(limit: Option<Fen>, period: LimitPeriod) -> ClaimRules {
        ClaimRules {
            fund_share: sh(0.5),
            third_party: Some(ThirdParty { share: sh(0.3), limit, period }),
            ..rules()
        }
    }

    #[test]
    fn three_party_sharing_pays_each_bearer_its_share_and_the_bank_the_rest() {
        let r = three_party(None, LimitPeriod::Lifetime);
        let mut f = Fund::new(Fen(100_000));
        f.file(&r, 1, Fen(10_000), 0);
        let s = f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!((s.paid, s.third_party), (Fen(5_000), Fen(3_000)));
        assert_eq!(f.balance, Fen(95_000), "the third party pays from its own money");
        assert!(f.balances());
    }

    #[test]
    fn three_party_limit_reached_leaves_the_rest_to_the_bank_until_it_renews() {
        let r = three_party(Some(Fen(4_000)), LimitPeriod::Annual);
        let mut f = Fund::new(Fen(100_000));
        for loan in 0..3 {
            f.file(&r, loan, Fen(10_000), 0);
        }
        f.settle(&r, 1, 2024, NO_RATIO);
        let paid: Vec<Fen> = f.claims.iter().map(|c| c.third_party).collect();
        assert_eq!(paid, vec![Fen(3_000), Fen(1_000), Fen::ZERO]);
        f.file(&r, 9, Fen(10_000), 12);
        f.settle(&r, 13, 2025, NO_RATIO);
        assert_eq!(f.claims[3].third_party, Fen(3_000), "an annual limit renews");
        let lifetime = three_party(Some(Fen(4_000)), LimitPeriod::Lifetime);
        let mut g = Fund::new(Fen(100_000));
        g.file(&lifetime, 1, Fen(10_000), 0);
        g.settle(&lifetime, 1, 2024, NO_RATIO);
        g.file(&lifetime, 2, Fen(10_000), 12);
        g.settle(&lifetime, 13, 2025, NO_RATIO);
        assert_eq!(g.third_party_paid, Fen(4_000), "a lifetime limit does not");
    }

    #[test]
    fn three_party_recoveries_return_pro_rata_to_fund_and_third_party() {
        let r = three_party(None, LimitPeriod::Lifetime);
        let mut f = Fund::new(Fen(100_000));
        let c = f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        assert_eq!(f.recover(&r, c, Fen(2_000)), Fen(1_000));
        assert_eq!(f.third_party_recovered, Fen(600));
        assert_eq!(f.third_party_loss(), Fen(2_400));
        f.recover(&r, c, Fen(100_000));
        assert_eq!(f.third_party_loss(), Fen::ZERO, "never more than it paid");
    }

    fn below_endowment(capacity: Option<Fen>) -> (FundRules, Fund) {
        let fr = FundRules {
            interest_rate: Rate::from_basis_points(0),
            top_up: TopUp::BelowEndowment {
                trigger: sh(0.5),
                split: LevelSplit { province: sh(0.5), prefecture: sh(0.2), county: sh(0.3) },
            },
            annual_top_up_cap: None,
            fiscal_capacity: FiscalCapacity::Unlimited,
        };
        (fr, Fund::new(Fen(10_000)).with_county_terms(Fen(20_000), capacity))
    }

    #[test]
    fn endowment_top_up_applies_only_below_the_trigger_and_restores_the_endowment() {
        let (fr, mut f) = below_endowment(None);
        // 10,000 is exactly half the endowment: not below it.
        assert_eq!(f.top_up(&fr, 2024, 3, Fen::ZERO), Fen::ZERO);
        f.balance -= Fen(1);
        f.claims_paid += Fen(1);
        assert_eq!(f.top_up(&fr, 2024, 4, Fen::ZERO), Fen(10_001));
        assert_eq!(f.balance, Fen(20_000));
        assert_eq!(f.top_ups_by_level.county, Fen(3_000));
        assert_eq!(f.top_ups_by_level.total(), Fen(10_001));
        assert!(f.balances());
    }

    #[test]
    fn endowment_top_up_county_part_is_limited_by_its_fiscal_capacity_each_year() {
        let (fr, mut f) = below_endowment(Some(Fen(1_500)));
        f.balance = Fen(0);
        f.claims_paid = Fen(10_000);
        // Gap 20,000: the county owes 6,000 but can pay 1,500, so a quarter
        // of the top-up comes.
        assert_eq!(f.top_up(&fr, 2024, 4, Fen::ZERO), Fen(5_000));
        assert_eq!(f.top_up(&fr, 2024, 5, Fen::ZERO), Fen::ZERO, "capacity used up this year");
        assert_eq!(f.top_up(&fr, 2025, 1, Fen::ZERO), Fen(5_000), "renewed next year");
        assert_eq!(f.top_ups_by_level.county, Fen(3_000));
        assert!(f.balances());
    }

    fn restore(capacity: FiscalCapacity) -> FundRules {
        FundRules {
            interest_rate: Rate::from_basis_points(0),
            top_up: TopUp::AnnualRestore { month_of_year: 1 },
            annual_top_up_cap: None,
            fiscal_capacity: capacity,
        }
    }

    /// Empties the fund by paying an approved claim of `owed`.
    fn drain(f: &mut Fund, owed: Fen, month: u16, year: i32) {
        let r = rules();
        f.file(&r, u64::from(month), Fen(owed.0 * 10 / 7), month);
        f.settle(&r, month + 1, year, NO_RATIO);
    }

    #[test]
    fn every_top_up_form_draws_the_county_part_from_its_fiscal_capacity_which_renews_each_january() {
        // Capacity 3,000 a year (a rule share of 0.3 of the 10,000 endowment).
        let fr = restore(FiscalCapacity::ShareOfEndowment(0.3));
        let mut f = Fund::new(Fen(10_000));
        assert_eq!(f.fiscal_capacity_under(&fr), Some(Fen(3_000)));
        drain(&mut f, Fen(7_000), 0, 2024);
        assert_eq!(f.top_up(&fr, 2025, 1, Fen::ZERO), Fen(3_000), "restore cut to the capacity");
        assert!(f.top_ups_spent(&fr));
        // Another need in the same year: nothing left.
        assert!(!f.leverage_top_up(&fr, 2025, 14, Fen(1)));
        // A quarterly-to-ratio rule in the same year draws on the same room.
        let quarterly = FundRules { top_up: TopUp::QuarterlyToRatio { ratio: 1.0 }, ..fr.clone() };
        assert_eq!(f.top_up(&quarterly, 2025, 4, Fen(1_000_000)), Fen::ZERO);
        // January renews it.
        assert_eq!(f.top_up(&fr, 2026, 1, Fen::ZERO), Fen(3_000));
        assert_eq!(f.top_ups, Fen(6_000));
        assert_eq!(f.top_ups_by_level.county, Fen(6_000));
        assert!(f.balances());
    }

    #[test]
    fn the_county_part_of_the_top_ups_never_exceeds_its_capacity_in_a_year() {
        // Claims, top-ups of every form and leverage top-ups, month after
        // month over three years, against a capacity of 2,500 a year.
        let forms = [
            TopUp::AnnualRestore { month_of_year: 1 },
            TopUp::AnnualToRatio { ratio: 0.5, month_of_year: 7 },
            TopUp::QuarterlyToRatio { ratio: 0.2 },
            TopUp::BelowEndowment {
                trigger: sh(0.9),
                split: LevelSplit { province: sh(0.5), prefecture: sh(0.0), county: sh(0.5) },
            },
        ];
        for form in forms {
            let fr = FundRules { top_up: form, ..restore(FiscalCapacity::Yuan(Fen(2_500))) };
            let mut f = Fund::new(Fen(10_000));
            for year in 0..3i32 {
                let before = f.top_ups_by_level.county;
                for m in 0..12u16 {
                    let month = (year as u16) * 12 + m;
                    drain(&mut f, Fen(1_400), month, 2024 + year);
                    f.leverage_top_up(&fr, 2024 + year, month, Fen(300));
                    f.top_up(&fr, 2024 + year, (m + 1) as u8, Fen(40_000));
                }
                let county = f.top_ups_by_level.county - before;
                assert!(county <= Fen(2_500), "{form:?} year {year}: {county:?}");
                assert!(county.is_positive(), "{form:?} year {year}: the capacity renews");
            }
            assert!(f.balances());
        }
    }

    #[test]
    fn a_leverage_top_up_is_whole_or_refused_and_counts_in_its_month() {
        let fr = restore(FiscalCapacity::Yuan(Fen(1_000)));
        let mut f = Fund::new(Fen(10_000));
        assert!(f.leverage_top_up(&fr, 2024, 3, Fen(600)));
        assert!(f.leverage_top_up(&fr, 2024, 3, Fen(100)));
        assert_eq!(f.leverage_top_ups_in(3), Fen(700));
        assert_eq!(f.leverage_top_ups_in(4), Fen::ZERO);
        assert!(!f.leverage_top_up(&fr, 2024, 4, Fen(301)), "only 300 left");
        assert_eq!(f.balance, Fen(10_700), "nothing of a refused top-up");
        assert!(f.leverage_top_up(&fr, 2025, 13, Fen(1_000)), "renewed in January");
        assert_eq!(f.leverage_top_ups, Fen(1_700));
        let unlimited = restore(FiscalCapacity::Unlimited);
        assert!(f.leverage_top_up(&unlimited, 2025, 14, Fen(1_000_000)));
        assert!(f.balances());
    }

    #[test]
    fn an_unpaid_approved_claim_is_put_down_to_its_cause() {
        let r = rules();
        // No top-up rule.
        let none = FundRules { top_up: TopUp::None, ..restore(FiscalCapacity::Unlimited) };
        let mut f = Fund::new(Fen(5_000));
        f.file(&r, 1, Fen(10_000), 0);
        f.settle(&r, 1, 2024, NO_RATIO);
        let u = f.unpaid_by_cause(&none);
        assert_eq!((u.no_top_up, u.total()), (Fen(2_000), Fen(2_000)));
        f.note_unpaid(&none, 1);
        assert_eq!(f.top_ups_ran_out_at, None, "no capped top-up ran out");
        // A restore in January with the budget left: the claim awaits it.
        let open = restore(FiscalCapacity::Unlimited);
        assert_eq!(f.unpaid_by_cause(&open).awaiting_top_up, Fen(2_000));
        // The January restore cut short by a capacity of 1,000: it ran out.
        let tight = restore(FiscalCapacity::Yuan(Fen(1_000)));
        f.file(&r, 2, Fen(10_000), 11);
        f.top_up(&tight, 2025, 1, Fen::ZERO);
        f.settle(&r, 12, 2025, NO_RATIO);
        // The restore paid 1,000 of the first claim's 2,000; the second
        // waits behind it, not yet approved.
        let u = f.unpaid_by_cause(&tight);
        assert_eq!(u, UnpaidByCause { top_ups_spent: Fen(1_000), ..Default::default() });
        f.note_unpaid(&tight, 12);
        assert_eq!(f.top_ups_ran_out_at, Some(12));
        // The share cap holds back the rest of a claim: a rule, not cash.
        let capped = share_cap(0.3, CapBase::YearStartBalance, CapExcess::Wait);
        let mut g = Fund::new(Fen(20_000));
        g.file(&capped, 1, Fen(10_000), 0);
        g.settle(&capped, 1, 2024, NO_RATIO);
        assert_eq!(g.unpaid_by_cause(&open), UnpaidByCause { annual_cap: Fen(1_000), ..Default::default() });
    }

    #[test]
    fn reset_keeps_the_county_terms() {
        let mut f = Fund::new(Fen(10_000)).with_county_terms(Fen(20_000), Some(Fen(7)));
        f.balance = Fen(1);
        f.reset(Fen(10_000));
        assert_eq!((f.balance, f.endowment, f.fiscal_capacity), (Fen(10_000), Fen(20_000), Some(Fen(7))));
    }
}
