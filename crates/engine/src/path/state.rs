//! The state one path carries from month to month besides its results:
//! each county's loans, fund, recoveries and standing, each township's
//! pools and service, the systematic factors and prices. Kept in a
//! per-thread [`Workspace`] that is reset, not reallocated, for each path.

use mcstress_compensation::{ActivationInputs, Fund, Suspension};
use mcstress_domain::{Fen, Industry, Share};
use mcstress_households::Service;
use mcstress_loans::SubsidyBudget;
use mcstress_scenario::Rules;

use crate::book::{Balances, LoanBook};
use crate::model::{Model, RISK_CELLS};

use super::lending::Grant;
use super::loans::TABLE;
use super::skip::SkipState;

/// A written-off loan whose loss may still be partly recovered.
#[derive(Clone, Debug)]
pub(super) struct Recoverable {
    /// The written-off loan: keys its recovery draws.
    pub id: u64,
    /// Principal and arrears not yet recovered, fen.
    pub remaining: i64,
    /// Index of its claim in the fund's ledger, or [`NO_CLAIM`].
    pub claim: u32,
    /// Months since write-off.
    pub age: u16,
}

/// [`Recoverable::claim`] of a loan written off without a claim.
pub(super) const NO_CLAIM: u32 = u32::MAX;

/// Slots of the approval ring: a request approved in month `t` with lag
/// `l ≤ 12` is disbursed in slot `(t + l) % 13`.
pub(super) const LAG_SLOTS: usize = 13;
/// Request groups: never-borrowed lifted, never-borrowed monitored, former
/// borrowers.
pub(super) const GROUPS: usize = 3;

/// A township's state on one path.
#[derive(Clone, Debug)]
pub(super) struct TownshipState {
    /// Households that have never borrowed: [lifted, monitored].
    pub never: [u32; 2],
    /// Former borrowers without a loan now.
    pub former: u32,
    /// Whether a bank serves it, and when a taking-over bank arrives.
    pub service: Service,
    /// Principal outstanding.
    pub balance: i64,
    /// Principal of its overdue loans.
    pub overdue: i64,
    /// Balance at the last demand check, and that check's month.
    pub check_balance: i64,
    pub last_check: i16,
    /// A survey's uplift lasts until this month (exclusive).
    pub survey_until: i16,
    /// Approved requests waiting for disbursement, by slot and group.
    pub pending: [[u32; GROUPS]; LAG_SLOTS],
    /// Last month a disaster struck it (`NEVER`: none yet).
    pub struck_at: u16,
    /// First month after the repayment moratorium (延期还款) of the last
    /// declared disaster that struck it (0: none yet).
    pub moratorium_until: u16,
}

/// [`TownshipState::struck_at`] of a township no disaster has struck.
pub(super) const NEVER: u16 = u16::MAX;

impl TownshipState {
    /// A household of request group `g` leaves (`-1`) or rejoins (`+n`)
    /// its pool.
    #[inline]
    pub fn pool_mut(&mut self, g: usize) -> &mut u32 {
        match g {
            0 => &mut self.never[0],
            1 => &mut self.never[1],
            _ => &mut self.former,
        }
    }
}

/// A county's state on one path, besides its loans and fund.
#[derive(Clone, Debug, Default)]
pub(super) struct CountyState {
    pub suspension: Suspension,
    /// Overdue rate at the end of last month (for contagion).
    pub overdue_prev: f64,
    /// Last month in which a disaster struck some township of the county.
    pub last_disaster: Option<u16>,
    /// Last month in which the fund paid a claim.
    pub last_claim_paid: Option<u16>,
    /// Failed enterprises (户贷企用), one flag per enterprise.
    pub enterprise_failed: Vec<bool>,
    /// The county's subsidy budget and what it owes (late subsidy).
    pub subsidy: SubsidyBudget,
    /// The quarterly dates its loans skip (`skip.rs`).
    pub skip: SkipState,
}

/// A call of a county-month's stages on the county's fund — or a figure
/// of the fund they read — in the order made: what the shadow fund of a
/// revision that shares the path's loans replays (`shadow.rs`).
#[derive(Clone, Copy, Debug)]
pub(super) enum FundCall {
    /// A claim filed ([`Fund::file_defaulted`]) and the index it was given.
    File { loan: u64, base: Fen, month: u16, defaulted: i32, index: u32 },
    /// The leverage decision for a new covered loan of `amount`, the
    /// county's covered outstanding principal being `covered`.
    Grant { covered: Fen, amount: Fen, grant: Grant },
    /// The leverage test of a relief at maturity (no new principal).
    Allows { covered: Fen, allowed: bool },
    /// Stage 5: the claims whose time has come are settled.
    Settle { inputs: ActivationInputs },
    /// A recovery, part of which goes back to the fund on claim `index`.
    Recover { index: u32, amount: Fen },
    /// The suspension review: the county's ratio and tolerance, whether
    /// this is a review month, and whether lending is suspended after it.
    Review { ratio: Share, tolerance: Share, review_month: bool, suspended: bool },
    /// Stage 7: interest and top-ups, the covered outstanding principal
    /// being `covered`.
    Cash { covered: Fen },
}

/// The county-month's [`FundCall`]s, recorded only when a revision
/// shares the path's loans.
/// Figures memoised for the county-month in hand, by index: an entry
/// holds only if it was set in this county-month. Moving on to the next
/// county-month is one increment of the generation, not a pass over the
/// table (10 kB an event table: three passes a county-month were a few
/// per cent of a path's time, and pushed the county's loans out of the
/// level-1 cache).
#[derive(Clone, Debug)]
pub(super) struct Stamped {
    /// Value and the generation it was set in, side by side: one cache
    /// line for both.
    entries: Vec<(f64, u32)>,
    /// The county-month's generation (entries of 0 are never set).
    now: u32,
}

impl Stamped {
    pub fn new(len: usize) -> Stamped {
        Stamped { entries: vec![(0.0, 0); len], now: 0 }
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            // After 2³² − 1 county-months: stamps of the first could be
            // taken for this one's.
            self.entries.fill((0.0, 0));
            self.now = 1;
        }
    }

    /// Entry `i`, if set since the last [`Stamped::clear`].
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<f64> {
        let (v, at) = self.entries[i];
        (at == self.now).then_some(v)
    }

    #[inline(always)]
    pub fn set(&mut self, i: usize, v: f64) {
        self.entries[i] = (v, self.now);
    }
}

#[derive(Debug, Default)]
pub(super) struct FundLog {
    pub on: bool,
    pub calls: Vec<FundCall>,
}

impl FundLog {
    #[inline(always)]
    pub fn push(&mut self, call: FundCall) {
        if self.on {
            self.calls.push(call);
        }
    }
}

/// Stage 1's province-wide part of every month of a path — the factors,
/// the prices — as the county-months read it. It does not depend on any
/// county's loans or fund, so it is drawn for the whole path first, and
/// the counties are then simulated one after the other, each through
/// every month (its loans stay in the processor's cache from one month to
/// the next; month by month across all counties, the whole province's
/// book would pass through it every month).
#[derive(Debug, Default)]
pub(super) struct ShockMonths {
    /// Each county's systematic factor — province, prefecture and county
    /// factors, weighted — index `month × counties + county`.
    pub factor: Vec<f64>,
    /// Each industry's price multiplier on distress, by month.
    pub price_mult: Vec<[f64; Industry::COUNT]>,
    /// By month and process (cure, interest, principal): each industry's
    /// price multiplier to the power of the process's elasticity — the
    /// income shock of a borrower no disaster weighs on, computed once a
    /// month.
    pub price_pow: Vec<[[f64; Industry::COUNT]; 3]>,
}

impl ShockMonths {
    fn clear(&mut self) {
        self.factor.clear();
        self.price_mult.clear();
        self.price_pow.clear();
    }
}

/// Per-thread scratch state, reused across paths.
pub(crate) struct Workspace {
    pub(super) books: Vec<LoanBook>,
    pub(super) funds: Vec<Fund>,
    pub(super) recov: Vec<Vec<Recoverable>>,
    pub(super) county: Vec<CountyState>,
    pub(super) towns: Vec<TownshipState>,
    /// The province factor, each prefecture's and each county's, in the
    /// month last drawn (stage 1's province-wide part runs through every
    /// month before the counties do: [`ShockMonths`]).
    pub(super) province_factor: f64,
    /// The path's log likelihood ratio so far (importance sampling).
    pub(super) log_weight: f64,
    pub(super) pref_factor: Vec<f64>,
    pub(super) county_factor: Vec<f64>,
    /// Log price level of each industry in the month last drawn.
    pub(super) price: [f64; Industry::COUNT],
    /// What the counties read of stage 1's province-wide part, month by
    /// month.
    pub(super) months: ShockMonths,
    /// Disaster intensity of each township, by kind.
    pub(super) disaster: Vec<[f64; 5]>,
    /// The month's conditional probabilities of the county in hand, by
    /// slot, cell, event and modifiers: slot 0 for the townships no
    /// disaster weighs on this month, and two slots (uninsured, insured)
    /// for each that one does (see `town_slot`).
    pub(super) table: Stamped,
    /// Each township's first slot of `table` in the county-month in hand
    /// (0: no disaster weighs on it), and the log distress multiplier of
    /// each industry its disasters bring.
    pub(super) town_slot: Vec<u32>,
    pub(super) town_dis_log: Vec<[f64; Industry::COUNT]>,
    /// Thresholds Φ⁻¹(p) per cell for townships without a specific
    /// multiplier (disaster or contagion), by rule set and month
    /// (reminders change the thresholds; NaN: not yet computed). A month's
    /// rule set that two or more counties follow has a table of its own
    /// for the path (`plain_slot`): the first of them to need an entry
    /// computes it, the others read it. Table 0 serves a county-month
    /// whose rule set no other county follows that month, cleared at
    /// each; so the tables kept are only those shared, whatever the
    /// number of rule sets.
    pub(super) plain_thr: Vec<f64>,
    /// Of each month and rule set, index `month × rule sets + rule set`,
    /// its table in `plain_thr` (0: none shared).
    pub(super) plain_slot: Vec<u32>,
    /// Upper bounds of the county-month's probabilities over its
    /// townships, by cell, event and modifiers.
    pub(super) bound: Stamped,
    /// Each county's balances, kept current by deltas.
    pub(super) agg: Vec<Balances>,
    /// Each township's distress multiplier on this path (1: no township
    /// effects).
    pub(super) town_effect: Vec<f64>,
    /// The county-month's calls on its fund (for shadow funds).
    pub(super) fund_log: FundLog,
    /// Each county's reference bound of each risk cell times the margin
    /// (`skip.rs`), for the simulation in hand.
    pub(super) skip_ref: Vec<f64>,
    /// The margin of `skip_ref` ([`super::skip::MARGIN`]; tests vary it).
    pub(super) skip_margin: f64,
}

impl Workspace {
    pub fn new(m: &Model) -> Workspace {
        let c = m.counties.len();
        let max_towns = m.counties.iter().map(|x| x.townships.len()).max().unwrap_or(0);
        let (plain_slot, shared) = plain_slots(m);
        let mut ws = Workspace {
            books: m.books.clone(),
            funds: (m.counties.iter().zip(&m.scenario.counties))
                .map(|(c, s)| Fund::new(c.fund).with_county_terms(s.endowment, s.fiscal_capacity))
                .collect(),
            recov: vec![Vec::new(); c],
            county: vec![CountyState::default(); c],
            towns: Vec::new(),
            province_factor: 0.0,
            log_weight: 0.0,
            pref_factor: vec![0.0; m.scenario.prefectures.len()],
            county_factor: vec![0.0; c],
            price: [0.0; Industry::COUNT],
            months: ShockMonths::default(),
            disaster: vec![[0.0; 5]; m.townships.len()],
            table: Stamped::new(TABLE * (1 + 2 * max_towns)),
            town_slot: vec![0; m.townships.len()],
            town_dis_log: vec![[0.0; Industry::COUNT]; m.townships.len()],
            plain_thr: vec![f64::NAN; TABLE * (1 + shared)],
            plain_slot,
            bound: Stamped::new(TABLE),
            agg: m.balances_start.clone(),
            town_effect: vec![1.0; m.townships.len()],
            fund_log: FundLog::default(),
            skip_ref: vec![0.0; c * RISK_CELLS],
            skip_margin: super::skip::MARGIN,
        };
        ws.reset(m);
        ws
    }

    /// Exchanges the loans, balances, townships, county state and
    /// recoveries of the counties of `mask` with `other`'s (funds apart).
    pub(super) fn swap_counties(&mut self, other: &mut Workspace, mask: &[bool], m: &Model) {
        for (c, _) in mask.iter().enumerate().filter(|(_, d)| **d) {
            std::mem::swap(&mut self.books[c], &mut other.books[c]);
            std::mem::swap(&mut self.agg[c], &mut other.agg[c]);
            std::mem::swap(&mut self.county[c], &mut other.county[c]);
            std::mem::swap(&mut self.recov[c], &mut other.recov[c]);
            for tw in m.counties[c].townships.clone() {
                std::mem::swap(&mut self.towns[tw], &mut other.towns[tw]);
            }
        }
    }

    /// Back to the start of a path.
    pub(super) fn reset(&mut self, m: &Model) {
        for (b, t) in self.books.iter_mut().zip(&m.books) {
            b.reset_from(t);
        }
        for (f, c) in self.funds.iter_mut().zip(&m.counties) {
            f.reset(c.fund);
        }
        for r in &mut self.recov {
            r.clear();
        }
        let enterprises = m.scenario.behaviour.enterprises_per_county as usize;
        let horizon = m.scenario.horizon_months as usize;
        for (c, (cs, cm)) in self.county.iter_mut().zip(&m.counties).enumerate() {
            let rules = &m.rule_sets[m.county_rule_set[c * horizon] as usize].rules;
            let mut failed = std::mem::take(&mut cs.enterprise_failed);
            failed.clear();
            failed.resize(enterprises, false);
            let mut skip = std::mem::take(&mut cs.skip);
            skip.reset(horizon);
            *cs = CountyState {
                enterprise_failed: failed,
                subsidy: SubsidyBudget::new(budget(rules, cm.annual_subsidy)),
                skip,
                ..CountyState::default()
            };
        }
        self.towns.clear();
        self.towns.extend(m.townships.iter().map(|t| TownshipState {
            never: t.never_start,
            former: 0,
            service: Service { served: t.served, takeover_at: None },
            balance: t.balance_start,
            overdue: t.overdue_start,
            check_balance: t.balance_start,
            last_check: 0,
            survey_until: 0,
            pending: [[0; GROUPS]; LAG_SLOTS],
            struck_at: NEVER,
            moratorium_until: 0,
        }));
        // The factors start from their stationary law in month 0, whatever
        // they held; prices start at their reference level.
        self.province_factor = 0.0;
        self.log_weight = 0.0;
        self.price = [0.0; Industry::COUNT];
        self.months.clear();
        self.disaster.fill([0.0; 5]);
        self.agg.clone_from(&m.balances_start);
        self.town_effect.fill(1.0);
    }
}

/// Of each month and rule set (index `month × rule sets + rule set`), its
/// table of [`Workspace::plain_thr`] if two or more counties follow the
/// rule set that month (from 1), else 0; and how many are shared.
fn plain_slots(m: &Model) -> (Vec<u32>, usize) {
    let (horizon, n_rs) = (m.scenario.horizon_months as usize, m.rule_sets.len());
    let mut followers = vec![0u32; horizon * n_rs];
    for (k, &rs) in m.county_rule_set.iter().enumerate() {
        followers[(k % horizon) * n_rs + rs as usize] += 1;
    }
    let mut shared = 0;
    let slots = followers
        .iter()
        .map(|&n| {
            if n < 2 {
                return 0;
            }
            shared += 1;
            shared as u32
        })
        .collect();
    (slots, shared)
}

/// A county's yearly subsidy budget under `rules` (the county's rules in
/// force when the budget arrives).
pub(super) fn budget(rules: &Rules, annual_subsidy: Fen) -> Fen {
    annual_subsidy.times(rules.subsidy.county_budget_share)
}
