//! What a path knows before its first month — the scenario's parameters
//! read once, and the random streams of this path, one per purpose — and
//! what a month knows: its index and calendar date.

use mcstress_domain::{Rate, YearMonth};
use mcstress_loans::Repayment;
use mcstress_scenario::{Behaviour, Scenario};

use crate::model::{Model, RuleSet};
use crate::rng::{Stream, purpose};

/// The random streams of one path, one per purpose: a draw for one purpose
/// never moves another's (common random numbers between rule sets).
pub(super) struct Streams {
    pub province: Stream,
    pub prefecture: Stream,
    pub county: Stream,
    pub price: Stream,
    pub disaster: Stream,
    pub disaster_county: Stream,
    pub disaster_township: Stream,
    pub loan: Stream,
    pub recovery: Stream,
    pub uptake: Stream,
    pub new_loan: Stream,
    pub bank_exit: Stream,
    pub enterprise: Stream,
    pub township_effect: Stream,
    pub claim_cycle: Stream,
}

impl Streams {
    fn new(seed: u64, path: u64) -> Streams {
        let st = |p| Stream::new(seed, path, p);
        Streams {
            province: st(purpose::FACTOR_PROVINCE),
            prefecture: st(purpose::FACTOR_PREFECTURE),
            county: st(purpose::FACTOR_COUNTY),
            price: st(purpose::PRICE),
            disaster: st(purpose::DISASTER),
            disaster_county: st(purpose::DISASTER_COUNTY),
            disaster_township: st(purpose::DISASTER_TOWNSHIP),
            loan: st(purpose::LOAN),
            recovery: st(purpose::RECOVERY),
            uptake: st(purpose::UPTAKE),
            new_loan: st(purpose::NEW_LOAN),
            bank_exit: st(purpose::BANK_EXIT),
            enterprise: st(purpose::ENTERPRISE),
            township_effect: st(purpose::TOWNSHIP_EFFECT),
            claim_cycle: st(purpose::CLAIM_CYCLE),
        }
    }
}

/// One path's constants.
pub(super) struct PathCtx<'m> {
    pub m: &'m Model,
    pub s: &'m Scenario,
    pub b: &'m Behaviour,
    pub streams: Streams,
    /// Counties.
    pub n_c: usize,
    pub repayment: Repayment,
    /// Whether loans are bullets with quarterly interest (the hot path's
    /// specialisation applies).
    pub bullet: bool,
    /// Term of a new first loan, months.
    pub term: i32,
    /// Weights of the province, prefecture and county factors in a
    /// county's systematic factor (variances, summing to 1).
    pub wg: f64,
    pub wp: f64,
    pub wc: f64,
    /// Of each process — the cure test, an interest due, a due that
    /// carries principal (indexed by the loan loop's event kinds) — √ρ and
    /// √(1 − ρ) of its factor loading, the multiplier of the base
    /// probability, and the elasticity β to income shocks (a price or
    /// disaster multiplier M weighs as M^β).
    pub sqrt_rho: [f64; 3],
    pub sqrt_1mrho: [f64; 3],
    pub event_mult: [f64; 3],
    pub elasticity: [f64; 3],
    /// ln of each disaster kind's distress multiplier.
    pub ln_dis: Vec<f64>,
    /// The LPR in force in each month from [`LPR_BACK`] months before the
    /// start to the end of the horizon, basis points.
    lpr_bp: Vec<u16>,
    /// Contract rate of a first or follow-up loan disbursed (or renewed)
    /// in each month of the horizon: the LPR plus the spread, basis points.
    new_rate_bp: Vec<u16>,
    /// Whether some loan's rate can exceed the LPR at its disbursement (a
    /// spread, or a starting loan above it): only then does the LPR cap a
    /// subsidy below the rules' cap, and the loan loop look it up.
    pub lpr_caps_subsidy: bool,
    /// The horizon, months.
    horizon: usize,
}

/// The factor loading of each process: the cure test (ρ,
/// `asset_correlation`), an interest due (ρ_I) and a due that carries
/// principal (ρ_M).
fn process_rho(b: &Behaviour) -> [f64; 3] {
    [b.asset_correlation, b.interest_correlation, b.maturity_correlation]
}

/// Months before the start for which the LPR is tabulated (a loan
/// disbursed earlier is read at the earliest of them).
const LPR_BACK: i32 = 240;

impl<'m> PathCtx<'m> {
    pub fn new(m: &'m Model, seed: u64, path: u64) -> PathCtx<'m> {
        let s = &m.scenario;
        let b = &s.behaviour;
        let (wg, wp) = (b.province_weight, b.prefecture_weight);
        let lpr_bp: Vec<u16> = (-LPR_BACK..s.horizon_months as i32)
            .map(|t| s.lpr_at(s.start.plus(t)).basis_points() as u16)
            .collect();
        let lpr_of =
            |month: i16| lpr_bp[(month as i32 + LPR_BACK).clamp(0, lpr_bp.len() as i32 - 1) as usize];
        let lpr_caps_subsidy = s.rates.new_loan_spread.basis_points() > 0
            || m.books.iter().any(|b| b.rate_bp.iter().zip(&b.start).any(|(r, st)| *r > lpr_of(*st)));
        PathCtx {
            m,
            s,
            b,
            streams: Streams::new(seed, path),
            n_c: m.counties.len(),
            repayment: s.portfolio.repayment,
            bullet: s.portfolio.repayment == Repayment::BulletQuarterlyInterest,
            term: s.portfolio.term_months as i32,
            wg,
            wp,
            wc: (1.0 - wg - wp).max(0.0),
            sqrt_rho: process_rho(b).map(f64::sqrt),
            sqrt_1mrho: process_rho(b).map(|r| (1.0 - r).sqrt()),
            event_mult: [1.0, b.interest_multiplier, b.maturity_multiplier],
            elasticity: [1.0, b.interest_shock_elasticity, b.maturity_shock_elasticity],
            ln_dis: s.shocks.disasters.iter().map(|d| libm::log(d.distress_multiplier)).collect(),
            lpr_bp,
            lpr_caps_subsidy,
            new_rate_bp: (0..s.horizon_months as i32)
                .map(|t| s.new_loan_rate(s.start.plus(t)).basis_points() as u16)
                .collect(),
            horizon: s.horizon_months as usize,
        }
    }

    /// The LPR in force in simulation month `month` (negative: before the
    /// start), e.g. the month a loan was disbursed.
    #[inline]
    pub fn lpr_at(&self, month: i16) -> Rate {
        let i = (month as i32 + LPR_BACK).clamp(0, self.lpr_bp.len() as i32 - 1) as usize;
        Rate::from_basis_points(self.lpr_bp[i] as u32)
    }

    /// The contract rate of a first or follow-up loan disbursed in month
    /// `t`, basis points.
    #[inline]
    pub fn new_rate_bp(&self, t: usize) -> u16 {
        self.new_rate_bp[t]
    }

    /// The rules county `c` follows in month `t`, with what the engine
    /// derives from them: the one way every stage reads rules. A stage
    /// fetches them once per county-month, never per loan.
    #[inline]
    pub fn rules_for(&self, c: usize, t: usize) -> &'m RuleSet {
        let m = self.m;
        &m.rule_sets[m.county_rule_set[c * self.horizon + t] as usize]
    }
}

/// The month in hand.
#[derive(Clone, Copy, Debug)]
pub(super) struct MonthCtx {
    /// Simulation month, from 0.
    pub t: usize,
    /// The same as the draws' month key.
    pub tm: u64,
    /// The same as a book's month.
    pub t16: i16,
    /// Calendar month.
    pub cal: YearMonth,
}

impl MonthCtx {
    pub fn new(s: &Scenario, t: usize) -> MonthCtx {
        MonthCtx { t, tm: t as u64, t16: t as i16, cal: s.start.plus(t as i32) }
    }

    /// Index of the calendar month, 0 = January.
    pub fn month_of_year(&self) -> usize {
        (self.cal.month - 1) as usize
    }
}
