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

use crate::book::{Balances, LoanBook};
use crate::model::{Model, RuleSet};

use super::claims::{fund_cash_of, review_suspension};
use super::context::MonthCtx;
use super::lending::decide_leverage;
use super::loans::CountyMonth;
use super::result::{CountyOutcome, PathTotals, Record};
use super::state::{CountyState, FundCall, Recoverable, TownshipState, Workspace};

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
    /// The month from which each diverged county is simulated on its own:
    /// that of its fork if one was kept, else 0.
    pub restart: Vec<usize>,
    /// Each county's state at the start of the last month in which the
    /// leverage limit was close enough for the revision's fund to answer
    /// differently (see [`Shadow::begin_county`]).
    forks: Vec<CountyFork>,
}

/// A county's state at the start of its month `month`, before its stages:
/// the base's loans and records with the revision's fund — the revision's
/// state there, if its answers had been the base's so far.
#[derive(Default)]
struct CountyFork {
    month: Option<usize>,
    book: LoanBook,
    agg: Balances,
    county: CountyState,
    recov: Vec<Recoverable>,
    towns: Vec<TownshipState>,
    fund: Option<Fund>,
    tot: PathTotals,
    loss_base: i64,
    outcome: Option<CountyOutcome>,
    township_peak: Vec<f32>,
}

/// How close to the base's and the revision's leverage limits (multiple ×
/// fund) a county's covered principal must be at the start of a month for
/// its state to be kept for a fork: within 2 % below or 3 % above. A
/// revision whose answers differ in a month without a kept state is
/// simulated from the start of the path: the band decides the cost only.
const FORK_BAND: (f64, f64) = (0.98, 1.03);

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
            restart: vec![0; n],
            forks: (0..n).map(|_| CountyFork::default()).collect(),
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
        self.restart.fill(0);
        for f in &mut self.forks {
            f.month = None;
        }
    }

    fn rules(&self, c: usize, t: usize) -> &'m RuleSet {
        let m = self.m;
        &m.rule_sets[m.county_rule_set[c * m.scenario.horizon_months as usize + t] as usize]
    }

    /// County `c`'s month starts: what the loans read of the fund before
    /// any call must be what they read of the base's. When the county's
    /// covered principal is close to either leverage limit, its state is
    /// kept, so that if the revision's answers differ this month its
    /// county can be simulated on its own from here rather than from the
    /// start of the path.
    pub(super) fn begin_county(
        &mut self,
        cm: &CountyMonth,
        c: usize,
        t: usize,
        ws: &Workspace,
        rec: &Record,
    ) {
        if self.diverged[c] {
            return;
        }
        let rules = &self.rules(c, t);
        let seen = rules.mods.fund_seen_paying(self.last_claim_paid[c], t as u16);
        if seen != cm.fund_seen_paying || self.suspension[c].suspended != cm.suspended {
            // Not a month with a kept state: from the start.
            self.diverged[c] = true;
            return;
        }
        self.balance_start = self.funds[c].balance;
        let max = rules.rules.lending.leverage_max;
        let limits = [cm.fund_balance_start, self.balance_start].map(|f| f.0.max(0) as f64 * max);
        let covered = ws.agg[c].covered as f64;
        let (lo, hi) = (limits[0].min(limits[1]), limits[0].max(limits[1]));
        if t > 0 && hi >= covered * FORK_BAND.0 && lo <= covered * FORK_BAND.1 {
            self.keep_fork(c, t, ws, rec);
        }
    }

    /// Keeps county `c`'s state at the start of month `t`.
    fn keep_fork(&mut self, c: usize, t: usize, ws: &Workspace, rec: &Record) {
        let f = &mut self.forks[c];
        f.month = Some(t);
        f.book.reset_from(&ws.books[c]);
        f.agg = ws.agg[c];
        f.county.clone_from(&ws.county[c]);
        f.county.suspension = self.suspension[c];
        f.county.last_claim_paid = self.last_claim_paid[c];
        f.recov.clone_from(&ws.recov[c]);
        let towns = self.m.counties[c].townships.clone();
        f.towns.clear();
        f.towns.extend_from_slice(&ws.towns[towns.clone()]);
        match &mut f.fund {
            Some(x) => x.clone_from(&self.funds[c]),
            None => f.fund = Some(self.funds[c].clone()),
        }
        (f.tot, f.loss_base, f.outcome) = rec.county_part(c);
        f.township_peak.clear();
        f.township_peak.extend_from_slice(rec.township_peaks(towns));
    }

    /// The revision's county `c` at its restart, into workspace `ws` and
    /// record `rec` of its own simulation of the county: from its fork, or
    /// at the start of the path its fund as the revision starts it (the
    /// workspace may have been made for another revision).
    pub(super) fn restore_fork(&self, c: usize, ws: &mut Workspace, rec: &mut Record) {
        if self.restart[c] == 0 {
            let (m, s) = (&self.m.counties[c], &self.m.scenario.counties[c]);
            ws.funds[c] = Fund::new(m.fund).with_county_terms(s.endowment, s.fiscal_capacity);
            return;
        }
        let f = &self.forks[c];
        ws.books[c].reset_from(&f.book);
        ws.agg[c] = f.agg;
        ws.county[c].clone_from(&f.county);
        // Its loans were armed under the base's thresholds and rules.
        ws.county[c].skip.stale = true;
        ws.recov[c].clone_from(&f.recov);
        let towns = self.m.counties[c].townships.clone();
        ws.towns[towns.clone()].clone_from_slice(&f.towns);
        if let Some(fund) = &f.fund {
            ws.funds[c].clone_from(fund);
        }
        rec.set_county_part(c, &f.tot, f.loss_base, f.outcome, towns, &f.township_peak);
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
                self.restart[c] = if self.forks[c].month == Some(t) { t } else { 0 };
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
