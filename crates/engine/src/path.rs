//! One simulated path: the monthly step of design §4 for every county and
//! loan, month by month.
//!
//! Order within a month:
//! 1. shocks — province, prefecture and county factors; industry prices;
//!    disasters (stochastic and scripted); bank exits and takeovers;
//!    enterprise failures (户贷企用);
//! 2. (steps 2–4 of the design) every loan of a county with an event this
//!    month: an overdue loan cures or rolls (and is claimed or written off
//!    at its limit); a loan with a payment due pays or misses it; at
//!    maturity a borrower in difficulty may be extended or renewed, and a
//!    clean repayer may climb the 5+5+N ladder;
//! 5. claims and the fund's payments; recoveries; the suspension review;
//! 6. demand surveys and new first loans by township (requests, refusals,
//!    approval lag, the post-disaster fast track);
//! 7. fund interest and top-ups; the subsidy budget (the subsidy itself is
//!    booked with each on-time interest payment, quarterly);
//! 8. record the month.

use mcstress_compensation::{ActivationInputs, Fund, RatioMetric, Suspension, leverage_allows};
use mcstress_domain::{Category, Fen, Grade, Industry, Product, Rate};
use mcstress_households::{Service, SurveyCheck, SurveyRule, fast_track_applies};
use mcstress_loans::{
    DistressModifiers, Due, ExtensionRules, MaturityContext, RenewalRules, Repayment, Schedule, Standing,
    SubsidyBudget, WriteOff, cure_probability, write_off_due,
};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Binomial, Distribution};

use crate::book::{LoanBook, NEVER, NewLoan};
use crate::model::{Model, RISK_CELLS, pick_cum, risk_cell};
use crate::normal::{inv_phi, phi};
use crate::rng::{Stream, mix, normal, purpose, second, unit};
use crate::shocks::{ar1_step, price_multiplier, price_step};

/// Figures recorded per county per month.
pub const COUNTY_FIGURES: usize = 4;
/// Index of the overdue rate in a county-month record.
pub const FIG_OVERDUE_RATE: usize = 0;
/// Index of the fund balance (yuan) in a county-month record.
pub const FIG_FUND_YUAN: usize = 1;
/// Index of the outstanding principal (yuan) in a county-month record.
pub const FIG_OUTSTANDING_YUAN: usize = 2;
/// Index of the coverage rate (households with a loan ÷ eligible).
pub const FIG_COVERAGE: usize = 3;

/// Province totals of one path, in fen (counts where named).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathTotals {
    /// Principal disbursed (new loans and renewals).
    pub disbursed: i64,
    /// Principal repaid (including the old loan of a renewal).
    pub repaid: i64,
    /// Principal written off (claimed or written off uncovered).
    pub written_off: i64,
    /// Principal outstanding at the start.
    pub outstanding_start: i64,
    /// Principal outstanding at the end.
    pub outstanding_end: i64,
    /// Fund balances at the start.
    pub fund_start: i64,
    /// Top-ups and interest into funds.
    pub fund_inflows: i64,
    /// Claims paid by funds.
    pub claims_paid: i64,
    /// Recoveries returned to funds.
    pub recoveries_to_fund: i64,
    /// Fund balances at the end.
    pub fund_end: i64,
    /// Loss borne by funds: claims paid − recoveries returned.
    pub loss_fund: i64,
    /// Loss borne by banks.
    pub loss_bank: i64,
    /// Approved claims the funds could not pay by the end.
    pub loss_uncovered: i64,
    /// Interest subsidy paid.
    pub subsidy_paid: i64,
    /// All recoveries after write-off.
    pub recoveries: i64,
    /// Extensions granted (count).
    pub extensions: i64,
    /// Renewals granted (count).
    pub renewals: i64,
    /// New first loans (count).
    pub new_loans: i64,
    /// Counties whose fund was exhausted (count).
    pub counties_exhausted: i64,
    /// Loans disbursed by product (count): first, follow-up, commercial.
    pub loans_by_product: [i64; 3],
    /// Principal outstanding at the end by product.
    pub outstanding_end_by_product: [i64; 3],
    /// Households with a loan at the end (count).
    pub borrowers_end: i64,
    /// Eligible households that have never borrowed, at the end (count).
    pub never_borrowed_end: i64,
    /// Loan requests unmet because no bank served the township (count).
    pub unmet_no_bank: i64,
    /// Loan requests unmet because county lending was suspended (count).
    pub unmet_suspended: i64,
    /// Loan requests refused by the bank or the leverage limit (count).
    pub unmet_refused: i64,
    /// Demand surveys held (township count).
    pub surveys: i64,
    /// Township-months without a serving bank.
    pub unserved_township_months: i64,
    /// Requests approved through the post-disaster fast track (count); they
    /// are disbursed in the same month.
    pub fast_track_loans: i64,
    /// Subsidy owed but not yet paid at the end (late), fen.
    pub subsidy_late_end: i64,
}

/// One county's outcome on one path.
#[derive(Clone, Debug, PartialEq)]
pub struct CountyOutcome {
    /// Simulation month (0-based) of the fund's first exhaustion.
    pub exhausted_month: Option<u16>,
    /// Highest month-end overdue rate.
    pub peak_overdue: f64,
    /// Overdue rate at the end.
    pub final_overdue: f64,
    /// Loss borne by the fund, fen.
    pub loss_fund: i64,
    /// Households with a loan ÷ eligible households, at the end.
    pub coverage_end: f64,
    /// Claims paid by the fund over the horizon, fen.
    pub claims_paid: i64,
}

/// Everything one path produces.
#[derive(Clone, Debug, PartialEq)]
pub struct PathResult {
    /// Province totals.
    pub totals: PathTotals,
    /// Province overdue rate by month.
    pub province_overdue: Vec<f64>,
    /// County figures by month: index `(month × counties + county) ×
    /// COUNTY_FIGURES + figure`.
    pub county_monthly: Vec<f64>,
    /// Per county.
    pub counties: Vec<CountyOutcome>,
    /// Highest month-end province overdue rate.
    pub peak_overdue: f64,
    /// Province overdue rate at the end.
    pub final_overdue: f64,
}

#[derive(Clone, Debug)]
struct Recoverable {
    /// The written-off loan: keys its recovery draws.
    id: u64,
    remaining: i64,
    claim: u32,
    age: u16,
}
const NO_CLAIM: u32 = u32::MAX;

/// Slots of the approval ring: a request approved in month `t` with lag
/// `l ≤ 12` is disbursed in slot `(t + l) % 13`.
const LAG_SLOTS: usize = 13;
/// Request groups: never-borrowed lifted, never-borrowed monitored, former
/// borrowers.
const GROUPS: usize = 3;

/// A township's state on one path.
#[derive(Clone, Debug)]
struct TownshipState {
    /// Households that have never borrowed: [lifted, monitored].
    never: [u32; 2],
    /// Former borrowers without a loan now.
    former: u32,
    /// Whether a bank serves it, and when a taking-over bank arrives.
    service: Service,
    /// Principal outstanding.
    balance: i64,
    /// Balance at the last demand check, and that check's month.
    check_balance: i64,
    last_check: i16,
    /// A survey's uplift lasts until this month (exclusive).
    survey_until: i16,
    /// Approved requests waiting for disbursement, by slot and group.
    pending: [[u32; GROUPS]; LAG_SLOTS],
}

/// A county's state on one path, besides its loans and fund.
#[derive(Clone, Debug, Default)]
struct CountyState {
    suspension: Suspension,
    /// Overdue rate at the end of last month (for contagion).
    overdue_prev: f64,
    /// Last month in which a disaster hit the county.
    last_disaster: Option<u16>,
    /// Last month in which the fund paid a claim.
    last_claim_paid: Option<u16>,
    /// Failed enterprises (户贷企用), one flag per enterprise.
    enterprise_failed: Vec<bool>,
    /// The county's subsidy budget and what it owes (late subsidy).
    subsidy: SubsidyBudget,
}

/// Per-thread scratch state, reused across paths.
pub(crate) struct Workspace {
    books: Vec<LoanBook>,
    funds: Vec<Fund>,
    recov: Vec<Vec<Recoverable>>,
    county: Vec<CountyState>,
    towns: Vec<TownshipState>,
    county_factor: Vec<f64>,
    pref_factor: Vec<f64>,
    disaster: Vec<[f64; 5]>,
    table: Vec<f64>,
    /// Thresholds Φ⁻¹(p) per cell for counties without a county-specific
    /// multiplier (disaster or contagion) this month.
    plain_thr: Vec<f64>,
    /// Covered outstanding principal of each county at the end of the
    /// previous month (the leverage test of renewals reads it).
    covered_prev: Vec<i64>,
    /// Each county's balances, kept current by deltas.
    agg: Vec<Balances>,
}

/// A county's principal balances (fen) and loan count, kept by deltas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Balances {
    pub outstanding: i64,
    pub covered: i64,
    pub overdue: i64,
    pub npl: i64,
    pub loans: i64,
    pub by_product: [i64; 3],
}

impl Balances {
    /// Recomputed from a book (for the start, and for debug checks).
    pub fn of(book: &LoanBook, covered_by_product: [bool; 3]) -> Balances {
        let mut b = Balances::default();
        for i in 0..book.len() {
            if book.next_event[i] == NEVER {
                continue;
            }
            let p = book.principal[i];
            b.loans += 1;
            b.outstanding += p;
            b.by_product[book.product[i] as usize] += p;
            if covered_by_product[book.product[i] as usize] {
                b.covered += p;
            }
            if book.overdue[i] > 0 {
                b.overdue += p;
            }
            if book.overdue[i] >= 4 {
                b.npl += p;
            }
        }
        b
    }

    /// Principal of a loan of `product` changes by `delta`.
    #[inline]
    fn principal(&mut self, product: u8, covered: bool, delta: i64) {
        self.outstanding += delta;
        self.by_product[product as usize] += delta;
        if covered {
            self.covered += delta;
        }
    }
}

impl Workspace {
    pub fn new(m: &Model) -> Workspace {
        let c = m.counties.len();
        let mut ws = Workspace {
            books: m.books.clone(),
            funds: m.counties.iter().map(|c| Fund::new(c.fund)).collect(),
            recov: vec![Vec::new(); c],
            county: vec![CountyState::default(); c],
            towns: Vec::new(),
            county_factor: vec![0.0; c],
            pref_factor: vec![0.0; m.scenario.prefectures.len()],
            disaster: vec![[0.0; 5]; c],
            table: vec![0.0; TABLE],
            plain_thr: vec![f64::NAN; TABLE],
            covered_prev: m.counties.iter().map(|c| c.covered_start.0).collect(),
            agg: m.balances_start.clone(),
        };
        ws.reset(m);
        ws
    }

    fn reset(&mut self, m: &Model) {
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
        for (cs, cm) in self.county.iter_mut().zip(&m.counties) {
            let mut failed = std::mem::take(&mut cs.enterprise_failed);
            failed.clear();
            failed.resize(enterprises, false);
            *cs = CountyState {
                enterprise_failed: failed,
                subsidy: SubsidyBudget::new(budget(m, cm.annual_subsidy)),
                ..CountyState::default()
            };
        }
        self.towns.clear();
        self.towns.extend(m.townships.iter().map(|t| TownshipState {
            never: t.never_start,
            former: 0,
            service: Service { served: t.served, takeover_at: None },
            balance: t.balance_start,
            check_balance: t.balance_start,
            last_check: 0,
            survey_until: 0,
            pending: [[0; GROUPS]; LAG_SLOTS],
        }));
        self.disaster.fill([0.0; 5]);
        for (p, c) in self.covered_prev.iter_mut().zip(&m.counties) {
            *p = c.covered_start.0;
        }
        self.agg.clone_from(&m.balances_start);
    }
}

/// A county's yearly subsidy budget.
fn budget(m: &Model, annual_subsidy: Fen) -> Fen {
    annual_subsidy.times(m.scenario.rules.subsidy.county_budget_share)
}

/// Events a distress probability is asked for.
const EV_CURE: usize = 0;
const EV_INTEREST: usize = 1;
const EV_MATURITY: usize = 2;
/// Modifier bits: low willingness under strategic default; subsidy late.
const MOD_STRATEGIC: usize = 1;
const MOD_LATE_SUBSIDY: usize = 2;
/// Size of the conditional probability table: cell × event × modifiers.
const TABLE: usize = RISK_CELLS * 3 * 4;

/// A borrower's fixed traits are read off its loan id: the same on every
/// path and in every scenario that holds the loan. Low willingness to repay:
#[inline]
fn low_willingness(id: u64, share: f64) -> bool {
    share > 0.0 && unit(mix(id ^ 0x005E_ED0F_7A17_5000)) < share
}

/// The enterprise a loan is used by (户贷企用), if any.
#[inline]
fn misuse_enterprise(id: u64, share: f64, enterprises: usize) -> Option<usize> {
    if share <= 0.0 {
        return None;
    }
    let h = mix(id ^ 0x0A11_CE5E_ED00_0001);
    (unit(h) < share).then(|| (second(h) % enterprises.max(1) as u64) as usize)
}

/// What falls due on a bullet loan in `month`, a month in which the loan has
/// an event and is current: the hot path's specialisation of
/// [`Schedule::due`] (a test checks they agree). Every quarter from
/// disbursement the quarter's interest falls due, and at maturity the
/// principal with the interest since the last quarter.
#[inline]
fn bullet_due(s: &Schedule, month: i32, principal: i64, rate: Rate) -> Due {
    let at_maturity = month == s.maturity;
    // Before maturity an event is always a full quarter after the last.
    let months = if !at_maturity {
        3
    } else {
        let since = month - s.start;
        if since % 3 == 0 { 3 } else { (since % 3) as i64 }
    };
    // Principal × rate × months / 12, rounded half up; exact in i64 for
    // any loan (principal < 10^13 fen).
    let interest = (principal * rate.basis_points() as i64 * months + 60_000) / 120_000;
    Due {
        interest: Fen(interest),
        principal: if at_maturity { Fen(principal) } else { Fen::ZERO },
        interest_months: months as u32,
        at_maturity,
    }
}

/// Simulates path `path` with master seed `seed`.
// The county index addresses a dozen parallel arrays; a range loop is clearest.
#[allow(clippy::needless_range_loop)]
pub(crate) fn simulate(m: &Model, ws: &mut Workspace, seed: u64, path: u64) -> PathResult {
    ws.reset(m);
    let s = &m.scenario;
    let b = &s.behaviour;
    let rules = &s.rules;
    let n_c = m.counties.len();
    let horizon = s.horizon_months as usize;
    let repayment = s.portfolio.repayment;
    let bullet = repayment == Repayment::BulletQuarterlyInterest;
    let term = s.portfolio.term_months as i32;

    let st_prov = Stream::new(seed, path, purpose::FACTOR_PROVINCE);
    let st_pref = Stream::new(seed, path, purpose::FACTOR_PREFECTURE);
    let st_cty = Stream::new(seed, path, purpose::FACTOR_COUNTY);
    let st_price = Stream::new(seed, path, purpose::PRICE);
    let st_dis = Stream::new(seed, path, purpose::DISASTER);
    let st_dis_c = Stream::new(seed, path, purpose::DISASTER_COUNTY);
    let st_loan = Stream::new(seed, path, purpose::LOAN);
    for book in &mut ws.books {
        book.rekey(st_loan);
    }
    let st_rec = Stream::new(seed, path, purpose::RECOVERY);
    let st_up = Stream::new(seed, path, purpose::UPTAKE);
    let st_new = Stream::new(seed, path, purpose::NEW_LOAN);
    let st_exit = Stream::new(seed, path, purpose::BANK_EXIT);
    let st_ent = Stream::new(seed, path, purpose::ENTERPRISE);

    let phi_ar = b.factor_persistence;
    let (wg, wp) = (b.province_weight, b.prefecture_weight);
    let wc = (1.0 - wg - wp).max(0.0);
    let sqrt_rho = b.asset_correlation.sqrt();
    let sqrt_1mrho = (1.0 - b.asset_correlation).sqrt();
    let cadre_boost = rules.collection.cadre_boost;
    // Cadres join the collection of written-off loans too.
    let rec_prob = (b.recovery_probability * b.collection_effort * (1.0 + cadre_boost)).min(1.0);
    let covered_by_product: [bool; 3] = Product::ALL.map(|p| rules.loans.product(p).fund_covered);
    let subsidised: [bool; 3] = Product::ALL.map(|p| rules.loans.product(p).subsidised);
    let ext: &ExtensionRules = &rules.loans.extension;
    let ren: &RenewalRules = &rules.loans.renewal;
    let ladder = &rules.ladder;
    let demand = &rules.demand;
    let ln_dis: Vec<f64> = s.shocks.disasters.iter().map(|d| d.distress_multiplier.ln()).collect();
    let mods = DistressModifiers {
        contagion: b.contagion,
        strategic_default: b.strategic_default,
        reminder_factor: if rules.collection.reminders { rules.collection.reminder_factor } else { 1.0 },
        late_subsidy: b.late_subsidy_multiplier,
    };
    let enterprises = b.enterprises_per_county as usize;
    let portfolio_rate = s.portfolio.rate.basis_points() as u16;
    let lag = demand.approval_lag_months as usize;

    let mut tot = PathTotals {
        outstanding_start: m.outstanding_start().0,
        fund_start: s.total_fund().0,
        ..PathTotals::default()
    };
    let mut loss_base_total: i64 = 0;
    let mut province_overdue = Vec::with_capacity(horizon);
    let mut county_monthly = vec![0f64; horizon * n_c * COUNTY_FIGURES];
    let mut outcomes: Vec<CountyOutcome> = (0..n_c)
        .map(|_| CountyOutcome {
            exhausted_month: None,
            peak_overdue: 0.0,
            final_overdue: 0.0,
            loss_fund: 0,
            coverage_end: 0.0,
            claims_paid: 0,
        })
        .collect();
    let mut province_factor = 0.0;
    let mut price = [0.0f64; Industry::COUNT];
    let mut price_mult = [1.0f64; Industry::COUNT];

    for t in 0..horizon {
        let tm = t as u64;
        let t16 = t as i16;
        let cal = s.start.plus(t as i32);
        let month_idx = (cal.month - 1) as usize;

        // (1) Shocks. Factors start from their stationary law in month 0.
        let ar = |prev: f64, z: f64| ar1_step(phi_ar, prev, z, t == 0);
        province_factor = ar(province_factor, normal(st_prov.bits(0, tm)));
        for (r, f) in ws.pref_factor.iter_mut().enumerate() {
            *f = ar(*f, normal(st_pref.bits(r as u64, tm)));
        }
        for (c, f) in ws.county_factor.iter_mut().enumerate() {
            *f = ar(*f, normal(st_cty.bits(c as u64, tm)));
        }
        for (i, pp) in s.shocks.prices.iter().enumerate() {
            let bits = st_price.bits(i as u64, tm);
            let jb = second(bits);
            let jump = (unit(jb) < pp.jump_probability).then(|| normal(second(jb)));
            price[i] = price_step(pp, price[i], normal(bits), jump);
        }
        // Disasters: decay, then arrivals by prefecture, then scripted events.
        // An intensity below 0.001 (a distress multiplier within 0.5 % of 1
        // for any allowed `distress_multiplier`, at most 100) is dropped, so that the county's thresholds can
        // be shared again.
        for d in ws.disaster.iter_mut() {
            for (k, dk) in s.shocks.disasters.iter().enumerate() {
                d[k] *= dk.persistence;
                if d[k] < 1e-3 {
                    d[k] = 0.0;
                }
            }
        }
        for (k, dk) in s.shocks.disasters.iter().enumerate() {
            let p = m.disaster_monthly[k][month_idx];
            if p <= 0.0 {
                continue;
            }
            for (r, members) in m.prefecture_counties.iter().enumerate() {
                if unit(st_dis.bits((r * 8 + k) as u64, tm)) >= p {
                    continue;
                }
                for &c in members {
                    if unit(st_dis_c.bits((c * 8 + k) as u64, tm)) < dk.county_share {
                        ws.disaster[c][k] += 1.0;
                        ws.county[c].last_disaster = Some(t as u16);
                    }
                }
            }
        }
        for &e in &m.events_by_month[t] {
            let ev = &s.shocks.events[e];
            match ev.kind {
                mcstress_scenario::EventKind::Disaster(kind) => {
                    let k = s.shocks.disasters.iter().position(|d| d.kind == kind).unwrap_or(0);
                    let all: Vec<usize>;
                    let hit = if ev.counties.is_empty() {
                        all = (0..n_c).collect();
                        &all
                    } else {
                        &ev.counties
                    };
                    for &c in hit {
                        ws.disaster[c][k] += ev.severity;
                        ws.county[c].last_disaster = Some(t as u16);
                    }
                }
                mcstress_scenario::EventKind::Price(ind) => {
                    price[ind as usize] += (1.0 + ev.price_change).ln();
                }
            }
        }
        for (i, pp) in s.shocks.prices.iter().enumerate() {
            price_mult[i] = price_multiplier(pp, price[i]);
        }
        // Service layout: takeovers, random exits, scripted exits.
        let takeover = rules.service.takeover_months;
        for (tw, st) in ws.towns.iter_mut().enumerate() {
            let was_served = st.service.served;
            st.service.tick(t as i32);
            if was_served
                && rules.service.exit_monthly > 0.0
                && unit(st_exit.bits(tw as u64, tm)) < rules.service.exit_monthly
            {
                st.service.exit(t as i32, takeover);
            }
        }
        for exit in rules.service.exits.iter().filter(|x| x.month as usize == t) {
            for &c in &exit.counties {
                let range = m.counties[c].townships.clone();
                let served: Vec<usize> = range.filter(|&tw| ws.towns[tw].service.served).collect();
                let n = (exit.share * served.len() as f64).round() as usize;
                for &tw in served.iter().take(n) {
                    ws.towns[tw].service.exit(t as i32, takeover);
                }
            }
        }
        tot.unserved_township_months += ws.towns.iter().filter(|x| !x.service.served).count() as i64;
        // Enterprises that misused household loans fail and stay failed.
        if b.misuse_share > 0.0 {
            for (c, cs) in ws.county.iter_mut().enumerate() {
                for (e, failed) in cs.enterprise_failed.iter_mut().enumerate() {
                    if !*failed && unit(st_ent.bits((c * 1024 + e) as u64, tm)) < b.enterprise_failure_monthly
                    {
                        *failed = true;
                    }
                }
            }
        }

        ws.plain_thr.fill(f64::NAN);
        let mut prov_out: i64 = 0;
        let mut prov_overdue: i64 = 0;
        for c in 0..n_c {
            let cm = &m.counties[c];
            let fc = wg.sqrt() * province_factor
                + wp.sqrt() * ws.pref_factor[cm.prefecture]
                + wc.sqrt() * ws.county_factor[c];
            // Log distress multiplier of each industry from disasters.
            let mut dis_log = [0.0f64; Industry::COUNT];
            for (k, dk) in s.shocks.disasters.iter().enumerate() {
                let intensity = ws.disaster[c][k];
                if intensity > 0.0 {
                    for (i, e) in dk.exposure.iter().enumerate() {
                        dis_log[i] += intensity * ln_dis[k] * e;
                    }
                }
            }
            let cs = &mut ws.county[c];
            let contagion = mods.contagion_multiplier(cs.overdue_prev);
            // Thresholds are shared by every county without a
            // county-specific multiplier this month.
            let plain = contagion == 1.0 && dis_log.iter().all(|x| *x == 0.0);
            let strategic_on =
                b.strategic_default > 0.0 && cs.last_claim_paid.is_some_and(|x| t as u16 <= x + 12);
            let subsidy_late = cs.subsidy.is_late(rules.subsidy.delay_months);
            let any_failed = cs.enterprise_failed.iter().any(|f| *f);
            // Whether the short path for a paid quarter's interest applies
            // this county-month: bullet loans and no strategic default (a
            // loan of a failed enterprise is sent down the general path).
            let simple_month = bullet && !strategic_on;
            ws.table.fill(-1.0);
            let suspended = cs.suspension.suspended;
            let fund_balance_start = ws.funds[c].balance;
            let covered_prev = ws.covered_prev[c];

            // (2–4) Loans. Only loans with an event this month are touched;
            // the county's balances are kept up to date by deltas.
            let book = &mut ws.books[c];
            let fund = &mut ws.funds[c];
            let recov = &mut ws.recov[c];
            let agg = &mut ws.agg[c];
            let towns = &mut ws.towns;
            let cond_p =
                |cell: usize, ev: usize, modc: usize, table: &mut [f64], plain_thr: &mut [f64]| -> f64 {
                    let idx = (cell * 3 + ev) * 4 + modc;
                    let v = table[idx];
                    if v >= 0.0 {
                        return v;
                    }
                    let threshold = |county_mult: f64| {
                        let class = cell / Industry::COUNT;
                        let ind = cell % Industry::COUNT;
                        let mut p = m.base_p[class] * price_mult[ind] * county_mult;
                        if ev == EV_MATURITY {
                            p *= b.maturity_multiplier;
                        }
                        p *= mods.reminder_multiplier(ev != EV_CURE)
                            * mods.strategic_multiplier(modc & MOD_STRATEGIC != 0, true)
                            * mods.late_subsidy_multiplier(modc & MOD_LATE_SUBSIDY != 0, true);
                        inv_phi(p.clamp(1e-12, 0.999))
                    };
                    let thr = if plain {
                        if plain_thr[idx].is_nan() {
                            plain_thr[idx] = threshold(1.0);
                        }
                        plain_thr[idx]
                    } else {
                        threshold(contagion * dis_log[cell % Industry::COUNT].exp())
                    };
                    let v = phi((thr - sqrt_rho * fc) / sqrt_1mrho);
                    table[idx] = v;
                    v
                };
            let table = &mut ws.table;
            let plain_thr = &mut ws.plain_thr;
            {
                // The loop works on slices of the book (no per-Vec bounds checks).
                let mut view = book.view();
                let book = &mut view;
                for i in 0..book.len() {
                    if book.next_event[i] != t16 {
                        continue;
                    }
                    let od = book.overdue[i];
                    let p = book.principal[i];
                    let product = book.product[i];
                    let rate = Rate::from_basis_points(book.rate_bp[i] as u32);
                    // The common event, on its own short path: a quarter's
                    // interest on a current bullet loan that the borrower
                    // pays. (Exactly what the general path below does for
                    // it; the traits it skips cannot matter here.)
                    if simple_month
                        && od == 0
                        && t16 != book.maturity[i]
                        && !(any_failed
                            && misuse_enterprise(book.id[i], b.misuse_share, enterprises)
                                .is_some_and(|e| cs.enterprise_failed[e]))
                    {
                        let late = subsidy_late && subsidised[product as usize];
                        let modc = if late { MOD_LATE_SUBSIDY } else { 0 };
                        let bits = Stream::at(book.key[i], tm);
                        if unit(bits) >= cond_p(book.risk[i] as usize, EV_INTEREST, modc, table, plain_thr) {
                            if subsidised[product as usize] {
                                let interest = (p * rate.basis_points() as i64 * 3 + 60_000) / 120_000;
                                let due_s = if rate <= rules.loans.subsidy.rate_cap {
                                    interest
                                } else {
                                    rules
                                        .loans
                                        .subsidy_due(Product::ALL[product as usize], Fen(p), rate, 3, 0)
                                        .0
                                };
                                tot.subsidy_paid += cs.subsidy.pay(Fen(due_s)).0;
                            }
                            book.next_event[i] = (t16 + 3).min(book.maturity[i]);
                            continue;
                        }
                    }
                    let covered = covered_by_product[product as usize];
                    let tw = book.township[i] as usize;
                    let id = book.id[i];
                    // Traits cost a hash each: read them only when they matter.
                    let low_will = (od > 0 || strategic_on) && low_willingness(id, b.low_willingness_share);
                    let misuse_failed = any_failed
                        && misuse_enterprise(id, b.misuse_share, enterprises)
                            .is_some_and(|e| cs.enterprise_failed[e]);
                    let modc = if low_will && strategic_on { MOD_STRATEGIC } else { 0 }
                        | if subsidy_late && subsidised[product as usize] { MOD_LATE_SUBSIDY } else { 0 };
                    let bits = Stream::at(book.key[i], tm);
                    // Further uniforms of the same key, derived only when needed.
                    let b2 = || second(bits);
                    // A failed enterprise takes its misused loans' payments with it.
                    let enterprise_miss = misuse_failed && unit(second(b2())) < b.misuse_failed_distress;
                    if od > 0 {
                        let distress = cond_p(book.risk[i] as usize, EV_CURE, modc, table, plain_thr);
                        let willingness = if low_will { b.low_willingness_cure_factor } else { 1.0 };
                        let cure =
                            cure_probability(b.cure, od, b.collection_effort, cadre_boost, willingness);
                        let cured = unit(bits) >= distress && !enterprise_miss && unit(b2()) < cure;
                        if cured {
                            // Pays its arrears; a loan past maturity repays in full.
                            agg.overdue -= p;
                            if od >= 4 {
                                agg.npl -= p;
                            }
                            book.overdue[i] = 0;
                            book.arrears[i] = 0;
                            if t as i32 >= book.maturity[i] as i32 {
                                tot.repaid += p;
                                agg.principal(product, covered, -p);
                                agg.loans -= 1;
                                towns[tw].balance -= p;
                                towns[tw].former += 1;
                                book.close(i);
                                continue;
                            }
                            let sched = book.schedule(i, repayment);
                            book.next_event[i] = sched.next_due_after(t as i32) as i16;
                        } else {
                            let od = od.saturating_add(1);
                            book.overdue[i] = od;
                            if od == 4 {
                                agg.npl += p;
                            }
                            // One month's interest, rounded half up (as Fen::interest).
                            book.arrears[i] += (p * rate.basis_points() as i64 + 60_000) / 120_000;
                            book.next_event[i] = t16 + 1;
                            let action =
                                write_off_due(covered, od, m.trigger_months, rules.lending.write_off_months);
                            if action != WriteOff::Keep {
                                let a = book.arrears[i];
                                tot.written_off += p;
                                loss_base_total += p + a;
                                agg.principal(product, covered, -p);
                                agg.loans -= 1;
                                agg.overdue -= p;
                                if od >= 4 {
                                    agg.npl -= p;
                                }
                                towns[tw].balance -= p;
                                let claim = if action == WriteOff::Claim {
                                    let base = rules.claims.claim_base(Fen(p), Fen(a));
                                    fund.file(&rules.claims, id, base, t as u16) as u32
                                } else {
                                    NO_CLAIM
                                };
                                recov.push(Recoverable { id, remaining: p + a, claim, age: 0 });
                                book.close(i);
                            }
                        }
                        continue;
                    }
                    // A payment falls due.
                    let sched = book.schedule(i, repayment);
                    let due = if bullet {
                        bullet_due(&sched, t as i32, p, rate)
                    } else {
                        sched.due(t as i32, Fen(p), rate)
                    };
                    let at_mat = due.at_maturity;
                    let ev = if at_mat { EV_MATURITY } else { EV_INTEREST };
                    let distressed = unit(bits) < cond_p(book.risk[i] as usize, ev, modc, table, plain_thr)
                        || enterprise_miss;
                    // On-time interest of a subsidised product earns the subsidy,
                    // paid from the county's budget or owed until next January.
                    let mut pay_subsidy = |principal: i64| {
                        if !subsidised[product as usize] {
                            return;
                        }
                        // Within the cap the subsidy is the interest just paid.
                        let due_s = if rate <= rules.loans.subsidy.rate_cap {
                            due.interest.0
                        } else {
                            rules
                                .loans
                                .subsidy_due(
                                    Product::ALL[product as usize],
                                    Fen(principal),
                                    rate,
                                    due.interest_months,
                                    0,
                                )
                                .0
                        };
                        tot.subsidy_paid += cs.subsidy.pay(Fen(due_s)).0;
                    };
                    if !distressed {
                        pay_subsidy(p);
                        let paid = due.principal.0;
                        tot.repaid += paid;
                        agg.principal(product, covered, -paid);
                        towns[tw].balance -= paid;
                        book.principal[i] -= paid;
                        if !(at_mat || book.principal[i] == 0) {
                            book.next_event[i] = if bullet {
                                (t as i32 + 3).min(sched.maturity) as i16
                            } else {
                                sched.next_due_after(t as i32) as i16
                            };
                            continue;
                        }
                        // Repaid in full. A clean repayer may climb the ladder.
                        let clean = book.flags[i] & crate::book::EVER_OVERDUE == 0;
                        let rung = mcstress_loans::next_rung(Product::ALL[product as usize], clean);
                        let climbs = rung.and_then(|next| {
                            let (uptake, amount, months, bp) = match next {
                                Product::FollowUp => (
                                    ladder.follow_up_uptake,
                                    ladder.follow_up_amount,
                                    ladder.follow_up_term_months,
                                    portfolio_rate,
                                ),
                                _ => (
                                    ladder.commercial_uptake,
                                    ladder.commercial_amount,
                                    ladder.commercial_term_months,
                                    ladder.commercial_rate.basis_points() as u16,
                                ),
                            };
                            let next_covered = covered_by_product[next as usize];
                            let allowed = towns[tw].service.served
                                && !suspended
                                && (!next_covered
                                    || leverage_allows(
                                        rules.lending.leverage_max,
                                        Fen(agg.covered),
                                        fund_balance_start,
                                        amount,
                                    ));
                            (allowed && unit(second(second(b2()))) < uptake)
                                .then_some((next, amount, months, bp))
                        });
                        match climbs {
                            Some((next, amount, months, bp)) => {
                                // The household moves to the next rung at once.
                                let next_covered = covered_by_product[next as usize];
                                agg.principal(next as u8, next_covered, amount.0);
                                towns[tw].balance += amount.0;
                                tot.disbursed += amount.0;
                                tot.loans_by_product[next as usize] += 1;
                                book.principal[i] = amount.0;
                                book.product[i] = next as u8;
                                book.rate_bp[i] = bp;
                                book.start[i] = t16;
                                book.maturity[i] = t16 + months as i16;
                                book.extensions[i] = 0;
                                book.renewals[i] = 0;
                                let s2 = Schedule {
                                    repayment,
                                    start: t as i32,
                                    maturity: t as i32 + months as i32,
                                };
                                book.next_event[i] = s2.next_due_after(t as i32) as i16;
                            }
                            None => {
                                agg.loans -= 1;
                                towns[tw].former += 1;
                                book.close(i);
                            }
                        }
                        continue;
                    }
                    if at_mat {
                        let standing = Standing {
                            months_overdue: 0,
                            extensions: book.extensions[i],
                            renewals: book.renewals[i],
                        };
                        let ctx = MaturityContext {
                            business_running: unit(b2()) < b.business_running,
                            bank_serves_township: towns[tw].service.served,
                            county_suspended: suspended,
                            within_leverage: !covered
                                || leverage_allows(
                                    rules.lending.leverage_max,
                                    Fen(covered_prev),
                                    fund_balance_start,
                                    Fen::ZERO,
                                ),
                        };
                        if ext.may_extend(standing, ctx).is_ok() {
                            // The borrower pays the interest; the principal moves.
                            pay_subsidy(p);
                            book.extensions[i] += 1;
                            book.maturity[i] += ext.max_months as i16;
                            let s2 = Schedule { maturity: book.maturity[i] as i32, ..sched };
                            book.next_event[i] = s2.next_due_after(t as i32) as i16;
                            tot.extensions += 1;
                            continue;
                        }
                        if ren.may_renew(standing, ctx).is_ok() {
                            // A new contract repays the old one (无还本续贷).
                            pay_subsidy(p);
                            tot.repaid += p;
                            tot.disbursed += p;
                            book.renewals[i] += 1;
                            book.start[i] = t16;
                            book.maturity[i] = (t as i32 + ren.term_months as i32) as i16;
                            let s2 =
                                Schedule { repayment, start: t as i32, maturity: book.maturity[i] as i32 };
                            book.next_event[i] = s2.next_due_after(t as i32) as i16;
                            tot.renewals += 1;
                            continue;
                        }
                    }
                    // Missed: 1–30 days overdue at the end of the month.
                    book.overdue[i] = 1;
                    book.flags[i] |= crate::book::EVER_OVERDUE;
                    book.arrears[i] += due.interest.0;
                    book.next_event[i] = t16 + 1;
                    agg.overdue += p;
                }
            }
            let outstanding = agg.outstanding;
            let overdue_p = agg.overdue;
            let npl_p = agg.npl;

            // (5) Claims and recoveries.
            let ratio = |x: i64| if outstanding > 0 { x as f64 / outstanding as f64 } else { 0.0 };
            let inputs = ActivationInputs { overdue_ratio: ratio(overdue_p), npl_ratio: ratio(npl_p) };
            let settled = fund.settle(&rules.claims, t as u16, cal.year, inputs);
            if settled.paid.is_positive() {
                cs.last_claim_paid = Some(t as u16);
            }
            if !recov.is_empty() {
                let window = b.recovery_window_months;
                for r in recov.iter_mut() {
                    if r.remaining <= 0 || r.age >= window {
                        continue;
                    }
                    r.age += 1;
                    // Keyed by the loan: a rule change that writes off other
                    // loans does not move this one's recovery draws.
                    if unit(st_rec.bits(r.id, tm)) < rec_prob {
                        let amount = ((r.remaining as f64) * b.recovery_fraction).round() as i64;
                        let amount = amount.clamp(1, r.remaining);
                        r.remaining -= amount;
                        tot.recoveries += amount;
                        if r.claim != NO_CLAIM {
                            fund.recover(&rules.claims, r.claim as usize, Fen(amount));
                        }
                    }
                }
            }
            let metric = match rules.lending.suspension_metric {
                RatioMetric::Npl => inputs.npl_ratio,
                RatioMetric::Overdue => inputs.overdue_ratio,
            };
            let in_default = rules.lending.suspend_on_fund_default && fund.in_default();
            cs.suspension.update(metric, cm.tolerance, in_default, cal.month.is_multiple_of(3));
            let suspended = cs.suspension.suspended;

            // (6) Demand surveys and new first loans by township.
            let fast = fast_track_applies(
                demand.fast_track,
                true,
                cs.last_disaster,
                t as u16,
                demand.fast_track_months,
            );
            let survey_rule = SurveyRule {
                interval_months: demand.survey_interval_months,
                effect_months: demand.survey_effect_months,
                uplift: demand.survey_uplift,
            };
            let mix = &s.portfolio.mix;
            let mut leverage_room = true;
            for tw in cm.townships.clone() {
                let st = &mut towns[tw];
                // 摸排: every few months; a survey where the balance fell.
                match survey_rule.check(
                    t as i32,
                    st.last_check as i32,
                    Fen(st.balance),
                    Fen(st.check_balance),
                ) {
                    SurveyCheck::NotDue => {}
                    found => {
                        if let SurveyCheck::Survey { until } = found {
                            st.survey_until = until as i16;
                            tot.surveys += 1;
                        }
                        st.check_balance = st.balance;
                        st.last_check = t16;
                    }
                }
                let survey = survey_rule.uptake_multiplier(t as i32, st.survey_until as i32);
                let p_new = (b.uptake_monthly * survey).min(1.0);
                let p_mon = (p_new * if fast { 1.0 + demand.fast_track_uplift } else { 1.0 }).min(1.0);
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(st_up.bits(tw as u64, tm));
                let mut draw = |n: u32, p: f64| {
                    if n == 0 || p <= 0.0 {
                        0
                    } else {
                        Binomial::new(n as u64, p).map(|d| d.sample(&mut rng) as u32).unwrap_or(0)
                    }
                };
                let requests = [
                    draw(st.never[0], p_new),
                    draw(st.never[1], p_mon),
                    draw(st.former, demand.repeat_uptake_monthly),
                ];
                let asked: u32 = requests.iter().sum();
                if !st.service.served {
                    tot.unmet_no_bank += asked as i64;
                } else if suspended {
                    tot.unmet_suspended += asked as i64;
                } else {
                    for (g, &n) in requests.iter().enumerate() {
                        for k in 0..n {
                            let bits = st_new.bits(((tw as u64) << 24) | ((g as u64) << 20) | k as u64, tm);
                            if unit(bits) < demand.bank_refusal || !leverage_room {
                                tot.unmet_refused += 1;
                                continue;
                            }
                            // Approved: the household leaves its pool now.
                            match g {
                                0 => st.never[0] -= 1,
                                1 => st.never[1] -= 1,
                                _ => st.former -= 1,
                            }
                            let now = lag == 0 || (g == 1 && fast);
                            let slot = if now { t % LAG_SLOTS } else { (t + lag) % LAG_SLOTS };
                            st.pending[slot][g] += 1;
                            if g == 1 && fast {
                                tot.fast_track_loans += 1;
                            }
                        }
                    }
                }
                // Disburse what is due this month.
                let slot = t % LAG_SLOTS;
                let due_now = std::mem::take(&mut st.pending[slot]);
                for (g, &n) in due_now.iter().enumerate() {
                    if n > 0 && (!st.service.served || suspended) {
                        // Approved earlier, but the bank has left or lending is
                        // suspended now: nothing is disbursed.
                        if st.service.served {
                            tot.unmet_suspended += n as i64;
                        } else {
                            tot.unmet_no_bank += n as i64;
                        }
                        match g {
                            0 => st.never[0] += n,
                            1 => st.never[1] += n,
                            _ => st.former += n,
                        }
                        continue;
                    }
                    for k in 0..n {
                        // New loans: bit 63 set, then township (23 bits), month (12), request
                        // group (4) and index (24).
                        let id =
                            (1u64 << 63) | ((tw as u64) << 40) | (tm << 28) | ((g as u64) << 24) | k as u64;
                        let bits = st_new.bits(id, tm);
                        let b2 = second(bits);
                        let b3 = second(b2);
                        let b4 = second(b3);
                        let amount = mix.amounts[pick_cum(unit(bits), &m.amount_cum)].0;
                        if !leverage_allows(
                            rules.lending.leverage_max,
                            Fen(agg.covered),
                            fund.balance,
                            amount,
                        ) {
                            // Past the leverage limit: the request is refused
                            // and the household goes back to its pool.
                            leverage_room = false;
                            tot.unmet_refused += 1;
                            match g {
                                0 => st.never[0] += 1,
                                1 => st.never[1] += 1,
                                _ => st.former += 1,
                            }
                            continue;
                        }
                        let cat = match g {
                            0 => Category::Lifted,
                            1 => Category::ALL[pick_cum(unit(b2), &m.monitored_cum)],
                            _ => Category::ALL[pick_cum(unit(b2), &m.category_cum)],
                        };
                        let grade = Grade::ALL[pick_cum(unit(b3), &m.grade_cum)];
                        let ind = Industry::ALL[pick_cum(unit(b4), &m.industry_cum[c])];
                        let sched = Schedule { repayment, start: t as i32, maturity: t as i32 + term };
                        book.push(NewLoan {
                            id,
                            key: st_loan.entity(id),
                            principal: amount.0,
                            start: t16,
                            maturity: (t as i32 + term) as i16,
                            next_event: sched.next_due_after(t as i32) as i16,
                            risk: risk_cell(cat, grade, ind),
                            product: Product::First as u8,
                            rate_bp: portfolio_rate,
                            township: tw as u32,
                        });
                        st.balance += amount.0;
                        tot.disbursed += amount.0;
                        tot.new_loans += 1;
                        tot.loans_by_product[0] += 1;
                        agg.principal(Product::First as u8, covered_by_product[0], amount.0);
                        agg.loans += 1;
                    }
                }
            }

            // (7) Fund cash: interest, then the top-up rule; the subsidy
            // budget renews each January and pays what was owed first.
            fund.deposit_interest(&rules.fund);
            fund.top_up(&rules.fund, cal.year, cal.month, Fen(agg.covered));
            if cal.month == 1 && t > 0 {
                tot.subsidy_paid += cs.subsidy.renew(budget(m, cm.annual_subsidy)).0;
            }

            // (8) Record.
            ws.covered_prev[c] = agg.covered;
            let outstanding = agg.outstanding;
            let rate_c = if outstanding > 0 { overdue_p as f64 / outstanding as f64 } else { 0.0 };
            cs.overdue_prev = rate_c;
            let o = &mut outcomes[c];
            o.peak_overdue = o.peak_overdue.max(rate_c);
            o.final_overdue = rate_c;
            let base = (t * n_c + c) * COUNTY_FIGURES;
            county_monthly[base + FIG_OVERDUE_RATE] = rate_c;
            county_monthly[base + FIG_FUND_YUAN] = fund.balance.0 as f64 / 100.0;
            county_monthly[base + FIG_OUTSTANDING_YUAN] = outstanding as f64 / 100.0;
            county_monthly[base + FIG_COVERAGE] =
                if cm.eligible > 0 { agg.loans as f64 / cm.eligible as f64 } else { 0.0 };
            prov_out += outstanding;
            prov_overdue += overdue_p;
        }
        province_overdue.push(if prov_out > 0 { prov_overdue as f64 / prov_out as f64 } else { 0.0 });
    }

    // Close the books.
    for (c, book) in ws.books.iter().enumerate() {
        debug_assert_eq!(ws.agg[c], Balances::of(book, covered_by_product), "county {c}");
    }
    let mut unpaid_total = 0;
    for (c, f) in ws.funds.iter().enumerate() {
        debug_assert!(f.balances());
        tot.fund_inflows += f.inflows.0;
        tot.claims_paid += f.claims_paid.0;
        tot.recoveries_to_fund += f.recoveries.0;
        tot.fund_end += f.balance.0;
        let unpaid = f.unpaid_approved().0;
        unpaid_total += unpaid;
        outcomes[c].exhausted_month = f.exhausted_at;
        outcomes[c].loss_fund = f.claims_paid.0 - f.recoveries.0;
        outcomes[c].claims_paid = f.claims_paid.0;
        let cm = &m.counties[c];
        outcomes[c].coverage_end =
            if cm.eligible > 0 { ws.agg[c].loans as f64 / cm.eligible as f64 } else { 0.0 };
        if f.exhausted_at.is_some() {
            tot.counties_exhausted += 1;
        }
    }
    for a in &ws.agg {
        tot.outstanding_end += a.outstanding;
        tot.borrowers_end += a.loans;
        for (k, v) in a.by_product.iter().enumerate() {
            tot.outstanding_end_by_product[k] += v;
        }
    }
    for st in &ws.towns {
        tot.never_borrowed_end += (st.never[0] + st.never[1]) as i64;
    }
    tot.subsidy_late_end = ws.county.iter().map(|c| c.subsidy.owed.0).sum();
    tot.loss_fund = tot.claims_paid - tot.recoveries_to_fund;
    tot.loss_uncovered = unpaid_total;
    tot.loss_bank = loss_base_total - tot.recoveries - tot.loss_fund - tot.loss_uncovered;
    let peak = province_overdue.iter().copied().fold(0.0, f64::max);
    let fin = province_overdue.last().copied().unwrap_or(0.0);
    PathResult {
        totals: tot,
        province_overdue,
        county_monthly,
        counties: outcomes,
        peak_overdue: peak,
        final_overdue: fin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrower_traits_are_fixed_by_the_loan_and_follow_their_shares() {
        let n = 100_000u64;
        let low = (0..n).filter(|id| low_willingness(*id, 0.1)).count() as f64 / n as f64;
        assert!((low - 0.1).abs() < 4.0 * (0.1f64 * 0.9 / n as f64).sqrt(), "{low}");
        assert!((0..1000u64).all(|id| !low_willingness(id, 0.0)));
        // 户贷企用: a share of loans tied to one of the county's enterprises,
        // spread evenly over them.
        let mut per_enterprise = [0usize; 5];
        for id in 0..n {
            if let Some(e) = misuse_enterprise(id, 0.2, 5) {
                per_enterprise[e] += 1;
            }
        }
        let misused: usize = per_enterprise.iter().sum();
        assert!((misused as f64 / n as f64 - 0.2).abs() < 0.005, "{misused}");
        assert!(per_enterprise.iter().all(|k| (*k as f64 / misused as f64 - 0.2).abs() < 0.01));
        assert_eq!(misuse_enterprise(42, 0.2, 5), misuse_enterprise(42, 0.2, 5));
        assert_eq!(misuse_enterprise(42, 0.0, 5), None);
    }

    #[test]
    fn the_bullet_fast_path_agrees_with_the_schedule_rule() {
        for start in [-35, -7, -1, 0, 4] {
            for term in [3, 10, 12, 36, 48] {
                let s =
                    Schedule { repayment: Repayment::BulletQuarterlyInterest, start, maturity: start + term };
                // Walk the loan's events as the engine does.
                let mut month = s.next_due_after(start.max(-1));
                while month <= s.maturity {
                    for (p, bp) in [(5_000_000, 345), (3_000_000, 310), (12_345_678, 600)] {
                        let rate = Rate::from_basis_points(bp);
                        assert_eq!(
                            bullet_due(&s, month, p, rate),
                            s.due(month, Fen(p), rate),
                            "{s:?} month {month}"
                        );
                    }
                    if month == s.maturity {
                        break;
                    }
                    let next = (month + 3).min(s.maturity);
                    assert_eq!(next, s.next_due_after(month));
                    month = next;
                }
            }
        }
    }
}
