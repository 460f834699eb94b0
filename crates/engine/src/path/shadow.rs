//! Shadow funds: a revision that changes only how losses are shared — the
//! fund's share, caps and top-ups, its endowment — sees the same loans as
//! the rules it revises for as long as its funds give the loans the same
//! answers. Its path is then the revised rules' path without simulating a
//! loan: each county-month's calls on the fund, recorded in order while
//! the base rules' path is simulated ([`FundCall`]), are replayed on the
//! revision's own funds, and every answer the loans read — each leverage
//! decision, whether the fund was seen paying, whether lending is
//! suspended, each claim's place in the ledger — is checked against the
//! base's. At the first that differs the revision's path has left the
//! base's in that county ([`Shadow::diverged`]); the counties are coupled
//! only by the shocks, which do not depend on loans or funds, so the
//! caller simulates those counties on their own, from the start of the
//! path, and takes the rest from the shared path.
//!
//! What the loans never read of the fund — its balance month by month, the
//! claims paid, the top-ups, the exhaustion — is the revision's own: its
//! record is the base's with the fund's figures taken from the shadow.

use mcstress_compensation::{Fund, Suspension, leverage_allows};
use mcstress_domain::Fen;

use crate::model::{Model, RuleSet};

use super::claims::{fund_cash_of, review_suspension};
use super::context::MonthCtx;
use super::lending::decide_leverage;
use super::loans::CountyMonth;
use super::result::PathTotals;
use super::state::FundCall;

/// A revision's funds on the path in hand.
pub(crate) struct Shadow<'m> {
    /// The revision.
    pub m: &'m Model,
    funds: Vec<Fund>,
    last_claim_paid: Vec<Option<u16>>,
    suspension: Vec<Suspension>,
    /// Each county's fund balance at the end of each month, yuan, index
    /// `month × counties + county` (the record's fund figure).
    fund_yuan: Vec<f64>,
    /// The balance of the county in hand at the start of its month (what
    /// its leverage tests read).
    balance_start: Fen,
    /// The counties in which the revision's path has left the base's
    /// (each is simulated on its own, see [`super::simulate_shared`]).
    pub diverged: Vec<bool>,
}

impl<'m> Shadow<'m> {
    pub fn new(m: &'m Model) -> Shadow<'m> {
        let n = m.counties.len();
        Shadow {
            m,
            funds: (m.counties.iter().zip(&m.scenario.counties))
                .map(|(c, s)| Fund::new(c.fund).with_county_terms(s.endowment, s.fiscal_capacity))
                .collect(),
            last_claim_paid: vec![None; n],
            suspension: vec![Suspension::default(); n],
            fund_yuan: vec![0.0; n * m.scenario.horizon_months as usize],
            balance_start: Fen::ZERO,
            diverged: vec![false; n],
        }
    }

    /// Back to the start of a path.
    pub fn reset(&mut self) {
        for (f, c) in self.funds.iter_mut().zip(&self.m.counties) {
            f.reset(c.fund);
        }
        self.last_claim_paid.fill(None);
        self.suspension.fill(Suspension::default());
        self.diverged.fill(false);
    }

    fn rules(&self, c: usize, t: usize) -> &'m RuleSet {
        let m = self.m;
        &m.rule_sets[m.county_rule_set[c * m.scenario.horizon_months as usize + t] as usize]
    }

    /// County `c`'s month starts: what the loans read of the fund before
    /// any call must be what they read of the base's.
    pub(super) fn begin_county(&mut self, cm: &CountyMonth, c: usize, t: usize) {
        if self.diverged[c] {
            return;
        }
        let seen = self.rules(c, t).mods.fund_seen_paying(self.last_claim_paid[c], t as u16);
        if seen != cm.fund_seen_paying || self.suspension[c].suspended != cm.suspended {
            self.diverged[c] = true;
            return;
        }
        self.balance_start = self.funds[c].balance;
    }

    /// County `c`'s month ends: its calls on the fund, replayed in order on
    /// the revision's fund under the revision's rules.
    pub(super) fn replay(&mut self, mc: &MonthCtx, c: usize, calls: &[FundCall]) {
        if self.diverged[c] {
            return;
        }
        let (t, t16) = (mc.t, mc.t as u16);
        let rs = self.rules(c, t);
        let rules = &rs.rules;
        let fund = &mut self.funds[c];
        // The leverage rule's counts are the loans' (the base's path has
        // them); only its decision is compared.
        let mut counts = PathTotals::default();
        for call in calls {
            let same = match *call {
                FundCall::File { loan, base, month, defaulted, index } => {
                    fund.file_defaulted(&rules.claims, loan, base, month, defaulted) as u32 == index
                }
                FundCall::Grant { covered, amount, grant } => {
                    decide_leverage(rs, mc, self.balance_start, fund, covered, amount, &mut counts) == grant
                }
                FundCall::Allows { covered, allowed } => {
                    leverage_allows(rules.lending.leverage_max, covered, self.balance_start, Fen::ZERO)
                        == allowed
                }
                FundCall::Settle { inputs } => {
                    if fund.settle(&rules.claims, t16, mc.cal.year, inputs).paid.is_positive() {
                        self.last_claim_paid[c] = Some(t16);
                    }
                    true
                }
                FundCall::Recover { index, amount } => {
                    fund.recover(&rules.claims, index as usize, amount);
                    true
                }
                FundCall::Review { ratio, tolerance, review_month, suspended } => {
                    let s = &mut self.suspension[c];
                    review_suspension(rules, fund, s, ratio, tolerance, review_month);
                    s.suspended == suspended
                }
                FundCall::Cash { covered } => {
                    fund_cash_of(fund, &rules.fund, mc, covered);
                    true
                }
            };
            if !same {
                self.diverged[c] = true;
                return;
            }
        }
        self.fund_yuan[t * self.m.counties.len() + c] = fund.balance.0 as f64 / 100.0;
    }

    /// The revision's funds, to be swapped into the workspace for the
    /// record's closing figures.
    pub(super) fn funds_mut(&mut self) -> &mut Vec<Fund> {
        &mut self.funds
    }

    /// The fund's balance of county `c` at the end of month `t`, yuan.
    pub(super) fn fund_yuan(&self, t: usize, c: usize) -> f64 {
        self.fund_yuan[t * self.m.counties.len() + c]
    }
}
