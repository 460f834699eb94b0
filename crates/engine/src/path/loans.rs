//! Stages 2–4 of the month, the only hot part: every loan of a county with
//! an event this month. An overdue loan cures or rolls, and is claimed or
//! written off at its limit (三(一)); a loan with a payment due pays it or
//! misses it; at maturity a borrower in difficulty may be extended or
//! renewed (三(二)); a household with a current first loan may take a
//! follow-up loan beside it, and a clean repayer of a follow-up loan may
//! move on to commercial credit (the 5+5+N ladder, 二(二)). The county's
//! balances are kept current by deltas.
//!
//! A loan whose next event is not this month costs one comparison. The
//! common event — a quarter's interest on a current bullet loan, paid — has
//! its own short path.

use mcstress_compensation::StageTimes;
use mcstress_compensation::{Fund, LeverageExcess, leverage_allows};
use mcstress_domain::{Fen, Industry, Product, Rate};
use mcstress_loans::{
    Due, MaturityContext, Relief, Schedule, Standing, WriteOff, cure_probability, relief_probability,
    roll_overdue, write_off_due,
};

use mcstress_scenario::FollowUpWhen;

use crate::book::{
    Balances, BookView, EVER_OVERDUE, FOLLOW_UP_TAKEN, LoanBook, NEVER, NO_ENTERPRISE, NOT_ARMED, NewLoan,
    UNCOVERED, enterprise_code, non_performing, programme,
};
use crate::model::{RISK_CELLS, RuleSet};
use crate::normal::{UpperBounds, inv_phi, phi};
use crate::rng::{Stream, mix, second, unit};

use super::context::{MonthCtx, PathCtx};
use super::lending::{Grant, leverage_grant};
use super::result::PathTotals;
use super::shocks::shock_power;
use super::skip::{Arming, SkipState, ToArm, disarm, disarm_all, disarm_month, phase_date_from};
use super::state::{
    CountyState, FundCall, FundLog, NO_CLAIM, Recoverable, Stamped, TownshipState, Workspace,
};

/// Product index of a first loan.
const FIRST: u8 = Product::First as u8;
/// Flags that rule a first loan out of a follow-up beside it.
const NO_FOLLOW_UP: u8 = EVER_OVERDUE | FOLLOW_UP_TAKEN;

/// Events a distress probability is asked for, one process each: the
/// monthly test of an overdue loan (the cure process), a due that carries
/// only interest (the interest process) and a due that carries principal
/// (the maturity process: a bullet's maturity, or an instalment's
/// principal). Each has its own multiplier of the base probability, factor
/// loading and income-shock elasticity ([`PathCtx`]).
const EV_CURE: usize = 0;
const EV_INTEREST: usize = 1;
const EV_MATURITY: usize = 2;
/// Modifier bits: low willingness under strategic default; subsidy late.
const MOD_STRATEGIC: usize = 1;
const MOD_LATE_SUBSIDY: usize = 2;
/// Size of the conditional probability table: cell × event × modifiers.
pub(super) const TABLE: usize = RISK_CELLS * 3 * 4;

/// A borrower's fixed traits are read off its loan id: the same on every
/// path and in every scenario that holds the loan. Low willingness to repay:
#[inline]
pub(super) fn low_willingness(id: u64, share: f64) -> bool {
    share > 0.0 && unit(mix(id ^ 0x005E_ED0F_7A17_5000)) < share
}

/// Whether a borrower is insured against disasters (政策性农业保险), at
/// its industry's take-up.
#[inline]
pub(super) fn insured(id: u64, take_up: f64) -> bool {
    take_up > 0.0 && unit(mix(id ^ 0x1A5E_ED0F_0000_0003)) < take_up
}

/// What falls due on a bullet loan in `month`, a month in which the loan has
/// an event and is current: the hot path's specialisation of
/// [`Schedule::due`] (a test checks they agree). Every quarter from
/// disbursement the quarter's interest falls due, and at maturity the
/// principal with the interest since the last quarter.
#[inline]
pub(super) fn bullet_due(s: &Schedule, month: i32, principal: i64, rate: Rate) -> Due {
    let at_maturity = month == s.maturity;
    // Before maturity an event is always a full quarter after the last.
    let months = if !at_maturity {
        3
    } else {
        let since = month - s.start;
        if since % 3 == 0 { 3 } else { since % 3 }
    };
    Due {
        interest: Fen(principal).interest(rate, months as u32),
        principal: if at_maturity { Fen(principal) } else { Fen::ZERO },
        interest_months: months as u32,
        at_maturity,
    }
}

/// The distress probability at one of the `instalments` dues of an
/// instalment schedule, each carrying principal, given the maturity
/// process's probability `p` for the whole principal:
/// `1 − (1 − p)^(1/n)`, so that, given the month's factor, failing at
/// least one of `n` such dues is as likely as a bullet's failure at
/// maturity (the instalment's share of the principal, 1/n, taken as equal
/// for every due — an annuity's principal parts differ by a few per cent).
#[inline]
fn instalment_probability(p: f64, instalments: i32) -> f64 {
    if instalments <= 1 {
        return p;
    }
    1.0 - libm::pow((1.0 - p).max(0.0), 1.0 / f64::from(instalments))
}

/// A payment due under a repayment moratorium (延期还款) that ends before
/// month `end`: deferred, not missed — the loan stays current, is not
/// downgraded, and pays nothing now; the interest of the deferred dates is
/// waived (and so earns no subsidy). A due at maturity moves the maturity
/// to `end`; any other due moves the next event to the schedule's first
/// due date from `end` on (the schedule's dates keep their grid).
#[inline(never)]
fn defer(book: &mut BookView, i: usize, sched: &Schedule, at_maturity: bool, end: u16) {
    let end = end as i32;
    if at_maturity {
        book.maturity[i] = end as i16;
        book.next_event[i] = end as i16;
    } else {
        book.next_event[i] = sched.next_due_after(end - 1) as i16;
    }
}

/// The rate up to which a loan's interest is subsidised: the rules' cap,
/// and at most the LPR in force when the loan was disbursed (`start`).
#[inline(always)]
fn subsidy_cap(ctx: &PathCtx, rs: &RuleSet, starts: &[i16], i: usize) -> Rate {
    let cap = rs.rules.loans.subsidy.rate_cap;
    // No loan's rate exceeds the LPR at its disbursement: that cap cannot
    // bind, and the loan's start need not be read.
    if ctx.lpr_caps_subsidy { cap.min(ctx.lpr_at(starts[i])) } else { cap }
}

/// The interest subsidy of a paid quarter of loan `i` (of `principal` at
/// `rate_bp`) whose product earns one: the quarter's interest at its rate,
/// at most the cap.
#[inline(always)]
fn quarter_subsidy(
    ctx: &PathCtx,
    rs: &RuleSet,
    starts: &[i16],
    i: usize,
    principal: i64,
    rate_bp: u16,
) -> Fen {
    let rate = Rate::from_basis_points(u32::from(rate_bp));
    let cap = subsidy_cap(ctx, rs, starts, i);
    Fen(principal).interest(if rate <= cap { rate } else { cap }, 3)
}

/// The follow-up draw threshold over a quarter were lending not suspended
/// (0 when the rules lend no follow-up beside a first loan): what a date a
/// first loan skips must not ask for ([`asks_follow_up`], `skip.rs`).
pub(super) fn follow_up_quarter(rs: &RuleSet) -> u64 {
    Beside::of(rs, false).map_or(0, |b| b.threshold(3))
}

/// County `c`'s arming of new loans (`skip.rs`), from the workspace's
/// reference bounds of all counties (`skip_ref`), the path's township
/// multipliers (`town`) and the rules' [`follow_up_quarter`].
pub(super) fn county_arming<'a>(
    ctx: &PathCtx,
    skip_ref: &'a [f64],
    town: &'a [f64],
    k_follow_up: u64,
    c: usize,
) -> Arming<'a> {
    Arming {
        skip_ref: &skip_ref[c * RISK_CELLS..(c + 1) * RISK_CELLS],
        town,
        k_follow_up,
        horizon: ctx.m.scenario.horizon_months as i16,
    }
}

/// County `c`'s starting book armed as a new loan is when lent
/// ([`arm_new_loan`]): each current loan from its next date, under the
/// county's rules of the first month. (Otherwise every loan of the
/// starting book would be visited at its next date.) Bullet loans only.
pub(super) fn arm_starting_book(ctx: &PathCtx, ws: &mut Workspace, c: usize) {
    let rs = ctx.rules_for(c, 0);
    let arming = county_arming(ctx, &ws.skip_ref, &ws.town_effect, follow_up_quarter(rs), c);
    let sk = &mut ws.county[c].skip;
    let book = &mut ws.books[c];
    for i in 0..book.len() {
        if book.next_event[i] != NEVER && book.overdue[i] == 0 && book.cycle_od[i] == 0 {
            arm_new_loan(ctx, rs, &arming, sk, book, i);
        }
    }
    sk.rules = rs.index;
}

/// A current bullet loan `i` just lent: armed at once from its first
/// quarterly date (`skip.rs`), as a paid quarter arms the dates after it,
/// so that a first date it surely pays is never visited. (A loan's first
/// date would otherwise be a visit of every loan lent.)
pub(super) fn arm_new_loan(
    ctx: &PathCtx,
    rs: &RuleSet,
    arming: &Arming,
    sk: &mut SkipState,
    book: &mut LoanBook,
    i: usize,
) {
    let (product, flags) = (book.product[i], book.flags[i]);
    let sub = if earns_subsidy(rs, product as usize, flags) {
        quarter_subsidy(ctx, rs, &book.start, i, book.principal[i], book.rate_bp[i]).0
    } else {
        0
    };
    let first = book.next_event[i];
    let (next, armed) = arming.arm(
        sk,
        &ToArm {
            key: book.key[i],
            cell: book.risk[i] as usize,
            township: book.township[i] as usize,
            enterprise: book.enterprise[i],
            first,
            maturity: book.maturity[i],
            may_ask: product == FIRST && flags & NO_FOLLOW_UP == 0,
            sub,
        },
    );
    if armed {
        book.armed_at[i] = first - 3;
        book.armed_sub[i] = sub;
    }
    book.next_event[i] = next;
}

/// Whether a loan of `product` with `flags` earns the interest subsidy: its
/// product is subsidised and it was not lent beyond the leverage multiple
/// without cover (D4: no subsidy on the excess).
#[inline(always)]
fn earns_subsidy(rs: &RuleSet, product: usize, flags: u8) -> bool {
    rs.subsidised[product] && flags & UNCOVERED == 0
}

/// A county's conditions this month, read once before its loans.
pub(super) struct CountyMonth<'m> {
    /// The rules the county follows this month.
    pub rules: &'m RuleSet,
    /// Of each process (by event kind), √ρ × the county's systematic
    /// factor less the county's persistent effect: what every threshold of
    /// the process this county-month is compared with, on the probit scale.
    /// One factor, a loading per process: a second z per county-month, not
    /// per loan.
    pub z: [f64; 3],
    /// Contagion multiplier from last month's county overdue rate.
    pub contagion: f64,
    /// The fund was seen paying a claim recently (strategic default).
    pub fund_seen_paying: bool,
    /// The county owes subsidy it could not pay.
    pub subsidy_late: bool,
    /// Some enterprise of the county has failed (户贷企用).
    pub any_failed: bool,
    /// Lending was suspended at the start of the month.
    pub suspended: bool,
    /// The fund's balance at the start of the month: the one figure every
    /// leverage test of the month reads (the loan loop runs before the
    /// month's claims are settled, and it is the balance of the fund's
    /// last statement).
    pub fund_balance_start: Fen,
    /// Some township of the county is under a repayment moratorium
    /// (延期还款) this month ([`TownshipState::moratorium_until`]).
    pub moratorium: bool,
    /// Of each industry, the largest log distress multiplier any
    /// borrower's disasters bring this month (insured or not; 0 if none
    /// is larger): the disaster of [`Distress::bound`].
    pub max_dis_log: [f64; Industry::COUNT],
    /// The rules' [`follow_up_quarter`]: what the loans armed this
    /// county-month (paid, lent or granted a follow-up) are armed against.
    pub k_follow_up: u64,
}

impl<'m> CountyMonth<'m> {
    /// Reads the county's month, and gives each of its townships its slot
    /// of the probability table and its disasters' log multipliers.
    pub fn read(ctx: &PathCtx<'m>, mc: &MonthCtx, ws: &mut Workspace, c: usize) -> CountyMonth<'m> {
        let s = ctx.s;
        let rules = ctx.rules_for(c, mc.t);
        let fc = ws.months.factor[mc.t * ctx.n_c + c];
        // Slots of the probability table in use this month: slot 0, and
        // two for each township a disaster weighs on.
        let mut slots = 1;
        let mut moratorium = false;
        let mut max_dis_log = [0.0f64; Industry::COUNT];
        let kept = 1.0 - s.shocks.insurance.indemnity_share;
        for tw in ctx.m.counties[c].townships.clone() {
            let mut dis_log = [0.0f64; Industry::COUNT];
            for (k, dk) in s.shocks.disasters.iter().enumerate() {
                let intensity = ws.disaster[tw][k];
                if intensity > 0.0 {
                    for (i, e) in dk.exposure.iter().enumerate() {
                        dis_log[i] += intensity * ctx.ln_dis[k] * e;
                    }
                }
            }
            ws.town_slot[tw] = if dis_log.iter().all(|x| *x == 0.0) {
                0
            } else {
                for (m, x) in max_dis_log.iter_mut().zip(dis_log) {
                    *m = m.max(x).max(x * kept);
                }
                slots += 2;
                (slots - 2) as u32
            };
            ws.town_dis_log[tw] = dis_log;
            moratorium |= ws.towns[tw].moratorium_until as usize > mc.t;
        }
        let cs = &ws.county[c];
        let contagion = rules.mods.contagion_multiplier(cs.overdue_prev);
        let effect = ctx.m.counties[c].effect;
        CountyMonth {
            rules,
            z: ctx.sqrt_rho.map(|r| r * fc - effect),
            contagion,
            fund_seen_paying: rules.mods.fund_seen_paying(cs.last_claim_paid, mc.t as u16),
            subsidy_late: cs.subsidy.is_late(rules.rules.subsidy.delay_months),
            any_failed: cs.enterprise_failed.iter().any(|f| *f),
            suspended: cs.suspension.suspended,
            fund_balance_start: ws.funds[c].balance,
            moratorium,
            max_dis_log,
            k_follow_up: follow_up_quarter(rules),
        }
    }
}

/// The probability that a borrower of a risk cell is in distress at an
/// event, given the county's factor this month (the one-factor probit
/// model of the event's process, its threshold shifted by the county's
/// effect) and the disasters on the borrower's township, memoised per
/// county-month in `table` (by slot: the townships without a disaster
/// share one), times the borrower's township's multiplier.
struct Distress<'a> {
    ctx: &'a PathCtx<'a>,
    rs: &'a RuleSet,
    price_mult: &'a [f64; Industry::COUNT],
    /// The month's income shocks without a disaster, by process
    /// ([`ShockMonths::price_pow`](super::state::ShockMonths)).
    price_pow: &'a [[f64; Industry::COUNT]; 3],
    cm: &'a CountyMonth<'a>,
    /// Each township's distress multiplier on this path (1 without
    /// township effects: the product is then exactly the county's).
    town: &'a [f64],
    /// Each township's slot of the table this month, and its disasters'
    /// log multiplier by industry ([`Workspace::town_slot`]).
    slot: &'a [u32],
    dis_log: &'a [[f64; Industry::COUNT]],
}

impl Distress<'_> {
    /// The probability for a borrower of `cell` in township `tw` (an index
    /// among all townships) with loan id `id` at event `ev` with modifiers
    /// `modc`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn p(&self, cell: usize, ev: usize, modc: usize, tw: usize, id: u64, memo: &mut Memo) -> f64 {
        // A township under a disaster has two slots: the uninsured
        // borrowers', then the insured ones'.
        let hit = self.slot[tw] as usize;
        let insured = hit != 0 && self.insured(id, cell);
        let slot = hit + usize::from(insured);
        let idx = (cell * 3 + ev) * 4 + modc;
        let at = slot * TABLE + idx;
        let v = match memo.table.get(at) {
            Some(v) => v,
            None => {
                let disaster = if hit == 0 { 0.0 } else { self.disaster_log(tw, cell, insured) };
                let v =
                    phi(self.argument(cell, ev, modc, idx, disaster, memo.plain_thr)
                        / self.ctx.sqrt_1mrho[ev]);
                memo.table.set(at, v);
                v
            }
        };
        v * self.town[tw]
    }

    /// Whether a uniform draw `u` falls below the probability of
    /// [`Distress::p`] (`u < p(…)`), asking for it only when
    /// [`Distress::surely_above`] cannot tell.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn below(
        &self,
        u: f64,
        cell: usize,
        ev: usize,
        modc: usize,
        tw: usize,
        id: u64,
        memo: &mut Memo,
    ) -> bool {
        !self.surely_above(u, cell, ev, modc, tw, id, memo) && u < self.p(cell, ev, modc, tw, id, memo)
    }

    /// Whether a uniform draw `u` is surely not below the probability of
    /// [`Distress::p`] (a sufficient test, not a necessary one): `u` is
    /// compared with an upper bound shared by every township of the county
    /// this month ([`Distress::bound`], memoised per county-month), times
    /// the township's multiplier. Most draws are above it, and never need
    /// the probability itself.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn surely_above(
        &self,
        u: f64,
        cell: usize,
        ev: usize,
        modc: usize,
        tw: usize,
        id: u64,
        memo: &mut Memo,
    ) -> bool {
        let town = self.town[tw];
        // The class's bound first: one for the class's cells of every
        // industry, and above each of theirs.
        let above = u >= self.class_bound_memo(cell / Industry::COUNT, ev, modc, memo) * town
            || u >= self.bound_memo(cell, ev, modc, memo) * town;
        // Every test run in a debug build checks the bound against the
        // probability itself, at every draw.
        debug_assert!(!above || u >= self.p(cell, ev, modc, tw, id, memo), "bound below the probability");
        above
    }

    /// [`Distress::bound_at`] of borrower class `class` under the largest
    /// income shock of any industry for process `ev`: an upper bound of
    /// [`Distress::bound`] of each of the class's cells, memoised for the
    /// county-month. A dozen classes rather than a hundred cells: most
    /// draws are above it, and never need their cell's bound.
    #[inline(always)]
    fn class_bound_memo(&self, class: usize, ev: usize, modc: usize, memo: &mut Memo) -> f64 {
        let idx = (class * 3 + ev) * 4 + modc;
        let mut b = memo.class_bound[idx];
        if b < 0.0 {
            b = self.class_bound(class, ev, modc, memo);
            memo.class_bound[idx] = b;
        }
        b
    }

    #[inline(never)]
    fn class_bound(&self, class: usize, ev: usize, modc: usize, memo: &mut Memo) -> f64 {
        if memo.largest_shock[ev] < 0.0 {
            memo.largest_shock[ev] = (0..Industry::COUNT)
                .map(|ind| self.shock_up(ev, ind, &mut memo.shock_up))
                .fold(0.0, f64::max);
        }
        self.bound_at(class, ev, modc, memo.largest_shock[ev])
    }

    /// [`Distress::bound`], memoised for the county-month.
    #[inline(always)]
    fn bound_memo(&self, cell: usize, ev: usize, modc: usize, memo: &mut Memo) -> f64 {
        let idx = (cell * 3 + ev) * 4 + modc;
        memo.bound.get(idx).unwrap_or_else(|| {
            let b = self.bound(cell, ev, modc, &mut memo.shock_up);
            memo.bound.set(idx, b);
            b
        })
    }

    /// An upper bound of [`Distress::p`] over the townships of the county
    /// this month, before the township's multiplier: the probability under
    /// the largest disaster multiplier of the borrower's industry in the
    /// county ([`CountyMonth::max_dis_log`]), every step from the disaster
    /// to the probability being increasing (the elasticities are validated
    /// not negative), with Φ⁻¹ and Φ bounded from above by table
    /// ([`UpperBounds`]) and the products raised by a relative 10⁻⁹ against
    /// the order of their roundings. A few per cent above the probability:
    /// cheap, and close enough that few draws fall between the two.
    #[inline(never)]
    fn bound(&self, cell: usize, ev: usize, modc: usize, shock_up: &mut [f64]) -> f64 {
        let (class, ind) = (cell / Industry::COUNT, cell % Industry::COUNT);
        let shock = self.shock_up(ev, ind, shock_up);
        self.bound_at(class, ev, modc, shock)
    }

    /// The income shock to the power β of [`Distress::bound`], for industry
    /// `ind` and process `ev`, memoised in `shock_up` (−1: not yet).
    #[inline]
    fn shock_up(&self, ev: usize, ind: usize, shock_up: &mut [f64]) -> f64 {
        let at = ev * Industry::COUNT + ind;
        if shock_up[at] < 0.0 {
            // Without a disaster, the month's (exp(0) = 1 exactly).
            shock_up[at] = if self.cm.max_dis_log[ind] == 0.0 {
                self.price_pow[ev][ind]
            } else {
                shock_power(
                    self.price_mult[ind] * libm::exp(self.cm.max_dis_log[ind]),
                    self.ctx.elasticity[ev],
                )
            };
        }
        shock_up[at]
    }

    /// [`Distress::bound`] of the cells of borrower class `class` (category
    /// and grade) under the income shock `shock`: nondecreasing in `shock`,
    /// every step from it to the bound being so (products of positive
    /// factors, rounded; Φ⁻¹ and Φ by tables of increasing values).
    #[inline]
    fn bound_at(&self, class: usize, ev: usize, modc: usize, shock: f64) -> f64 {
        let (ctx, cm) = (self.ctx, self.cm);
        let mods = &self.rs.mods;
        let p = ctx.m.base_p[class]
            * ctx.event_mult[ev]
            * shock
            * cm.contagion.max(1.0)
            * mods.reminder_multiplier(ev != EV_CURE)
            * mods.strategic_multiplier(modc & MOD_STRATEGIC != 0, cm.fund_seen_paying)
            * mods.late_subsidy_multiplier(modc & MOD_LATE_SUBSIDY != 0, cm.subsidy_late);
        let up = UpperBounds::get();
        let thr = up.inv_phi_up(p * (1.0 + 1e-9));
        up.phi_up((thr - cm.z[ev]) / ctx.sqrt_1mrho[ev]) * (1.0 + 1e-9)
    }

    /// Whether the borrower of loan `id` in `cell` is insured against
    /// disasters: a trait read off the loan id, at its industry's take-up.
    #[inline]
    fn insured(&self, id: u64, cell: usize) -> bool {
        insured(id, self.ctx.s.shocks.insurance.take_up[cell % Industry::COUNT])
    }

    /// The log distress multiplier the disasters on township `tw` bring a
    /// borrower of `cell`: an insured borrower's indemnity replaces its
    /// share of the loss.
    #[inline]
    fn disaster_log(&self, tw: usize, cell: usize, insured: bool) -> f64 {
        let x = self.dis_log[tw][cell % Industry::COUNT];
        if insured { x * (1.0 - self.ctx.s.shocks.insurance.indemnity_share) } else { x }
    }

    /// The threshold of the cell, event and modifiers less the county's
    /// `z` of the event's process: the probit argument times √(1 − ρ).
    /// The income shock — the industry's price multiplier times the
    /// township's disaster multiplier, `exp(disaster)` — weighs as its
    /// power β of the process.
    #[inline]
    fn argument(
        &self,
        cell: usize,
        ev: usize,
        modc: usize,
        idx: usize,
        disaster: f64,
        plain_thr: &mut [f64],
    ) -> f64 {
        let (ctx, cm) = (self.ctx, self.cm);
        let threshold = |contagion: f64, disaster: f64| {
            let class = cell / Industry::COUNT;
            let ind = cell % Industry::COUNT;
            let shock = if disaster == 1.0 {
                self.price_pow[ev][ind]
            } else {
                shock_power(self.price_mult[ind] * disaster, ctx.elasticity[ev])
            };
            let mut p = ctx.m.base_p[class] * ctx.event_mult[ev] * shock * contagion;
            let mods = &self.rs.mods;
            p *= mods.reminder_multiplier(ev != EV_CURE)
                * mods.strategic_multiplier(modc & MOD_STRATEGIC != 0, cm.fund_seen_paying)
                * mods.late_subsidy_multiplier(modc & MOD_LATE_SUBSIDY != 0, cm.subsidy_late);
            inv_phi(p.clamp(1e-12, 0.999))
        };
        // Thresholds are shared by every township without a specific
        // multiplier this month (`plain_thr`: the month's table of the rule
        // set, shared with the other counties that follow it).
        let thr = if cm.contagion == 1.0 && disaster == 0.0 {
            if plain_thr[idx].is_nan() {
                plain_thr[idx] = threshold(1.0, 1.0);
            }
            plain_thr[idx]
        } else {
            threshold(cm.contagion, libm::exp(disaster))
        };
        thr - cm.z[ev]
    }
}

/// The county-month's memoised probabilities ([`Distress`]).
struct Memo<'a> {
    /// By slot, cell, event and modifiers ([`Workspace::table`]).
    table: &'a mut Stamped,
    /// The rule set's thresholds for townships without a specific
    /// multiplier ([`Workspace::plain_thr`]).
    plain_thr: &'a mut [f64],
    /// Upper bounds over the county's townships by cell, event and
    /// modifiers ([`Distress::bound`]).
    bound: &'a mut Stamped,
    /// The bound's income shock by process and industry (−1: not yet).
    shock_up: [f64; 3 * Industry::COUNT],
    /// Its largest over the industries, by process (−1: not yet).
    largest_shock: [f64; 3],
    /// Upper bounds of the bounds of each borrower class's cells, by
    /// class, event and modifiers ([`Distress::class_bound_memo`]; −1: not
    /// yet computed).
    class_bound: [f64; CLASSES * 3 * 4],
}

/// Borrower classes (category and grade): a risk cell is a class and an
/// industry.
const CLASSES: usize = RISK_CELLS / Industry::COUNT;

/// One loan's figures as the month finds it.
struct Loan {
    i: usize,
    od: u8,
    principal: i64,
    product: u8,
    rate: Rate,
    covered: bool,
    /// Lent beyond the leverage multiple without cover (flag [`UNCOVERED`]).
    excess: bool,
    tw: usize,
    id: u64,
    low_will: bool,
    modc: usize,
    bits: u64,
    /// A failed enterprise takes its misused loans' payments with it.
    enterprise_miss: bool,
}

/// A loan's way through the claim cycle ([`CountyLoans::cycle_plan`]).
struct CyclePlan {
    times: StageTimes,
    /// Month of the trigger.
    t0: i32,
    /// Month the loss is determined and the loan written off.
    determined: i32,
    /// Month the borrower cures, if before that.
    cure: Option<i32>,
    /// Month the loan turns non-performing, if it was not at the trigger.
    npl: Option<i32>,
}

impl CyclePlan {
    /// The loan's next event after month `t`.
    fn next_event(&self, t: i32) -> i32 {
        let mut next = self.determined;
        for m in [self.cure, self.npl].into_iter().flatten() {
            if m > t {
                next = next.min(m);
            }
        }
        next
    }
}

/// Months keys of the claim-cycle stream beyond any simulation month: the
/// stage lengths, and the recoveries of legal collection (the cures use the
/// month itself).
const STAGE_KEY: u64 = 1 << 40;
const COLLECTION_KEY: u64 = 1 << 41;

/// A loan `od0` months overdue at its trigger is `od0 + k` months overdue
/// `k` months later.
#[inline]
fn age(od0: u8, k: i32) -> u8 {
    (i32::from(od0) + k).clamp(0, i32::from(u8::MAX)) as u8
}

/// Bit that marks a follow-up loan's id: the id of the first loan it is
/// held beside, with this bit set (starting loans have small ids and new
/// loans set bit 63 and at most bits 0–61 besides, so no id has it).
pub(super) const FOLLOW_UP_ID: u64 = 1 << 62;

/// A follow-up loan granted beside the first loan in slot `beside` during
/// the loop over the book, added to the book once the loop is done.
struct PendingFollowUp {
    beside: usize,
    id: u64,
    key: u64,
    risk: u8,
    township: u32,
    /// Lent beyond the leverage multiple without cover.
    uncovered: bool,
}

/// The county-month's terms of a follow-up loan beside a first loan, read
/// once before its loans.
struct Beside {
    /// Monthly uptake probability among eligible holders.
    p_month: f64,
    min_months_held: i16,
    amount: i64,
    max_debt: i64,
    covered: bool,
}

impl Beside {
    /// Whether follow-up loans beside first loans can be lent in a county
    /// this month, and on what terms.
    fn of(rs: &RuleSet, suspended: bool) -> Option<Beside> {
        let ladder = &rs.rules.ladder;
        let p = ladder.follow_up_uptake_monthly;
        (ladder.follow_up_when == FollowUpWhen::Beside && p > 0.0 && !suspended).then(|| Beside {
            p_month: p,
            min_months_held: ladder.follow_up_min_months_held as i16,
            amount: ladder.follow_up_amount.0,
            max_debt: ladder.max_programme_debt.0,
            covered: rs.covered_by_product[Product::FollowUp as usize],
        })
    }

    /// The threshold of [`asks_follow_up`] for an eligible holder asking in
    /// `months` months, probability 1 − (1 − p)^months rounded up to a
    /// multiple of 1/2048. Never 0.
    fn threshold(&self, months: u32) -> u64 {
        let p = 1.0 - libm::pow(1.0 - self.p_month, f64::from(months));
        ((p * FOLLOW_UP_DRAW as f64).ceil() as u64).clamp(1, FOLLOW_UP_DRAW)
    }
}

/// Resolution of the follow-up request draw: its 11 bits.
const FOLLOW_UP_DRAW: u64 = 1 << 11;

/// Whether the household of a first loan that has just paid an instalment
/// asks for a follow-up, given the threshold `k` of
/// [`Beside::threshold`]. The draw is the low 11 bits of the payment's own
/// bits, which its distress draw (`unit(bits)`, the high 53 bits) leaves
/// unused: no second mix on the hot path, at a resolution of 1/2048.
#[inline(always)]
pub(super) fn asks_follow_up(bits: u64, k: u64) -> bool {
    bits & (FOLLOW_UP_DRAW - 1) < k
}

/// A county's reference bound of a risk cell's probability of distress at
/// an interest date (`skip.rs`): the formula of [`Distress::bound`] with
/// the county's factor at 0, no disaster, prices at their reference level,
/// no contagion and no modifier but the reminder, under `rs`. Any positive
/// figure would leave the results as they are; this one makes the skipping
/// pay, since a month's bound is seldom many times it.
fn reference_bound(ctx: &PathCtx, rs: &RuleSet, effect: f64, cell: usize) -> f64 {
    let class = cell / Industry::COUNT;
    let p = ctx.m.base_p[class] * ctx.event_mult[EV_INTEREST] * rs.mods.reminder_multiplier(true);
    let up = UpperBounds::get();
    let thr = up.inv_phi_up(p * (1.0 + 1e-9));
    // The county's z with its factor at 0 is minus its effect.
    up.phi_up((thr + effect) / ctx.sqrt_1mrho[EV_INTEREST]) * (1.0 + 1e-9)
}

/// Each county's reference bounds times the margin, for the simulation of
/// `ctx` (under each county's rules of its first month).
pub(super) fn fill_skip_ref(ctx: &PathCtx, ws: &mut Workspace) {
    let margin = ws.skip_margin;
    for c in 0..ctx.n_c {
        let rs = ctx.rules_for(c, 0);
        let effect = ctx.m.counties[c].effect;
        for (cell, r) in ws.skip_ref[c * RISK_CELLS..(c + 1) * RISK_CELLS].iter_mut().enumerate() {
            *r = margin * reference_bound(ctx, rs, effect, cell);
        }
    }
}

/// Slots whose next events [`due_mask`] reads at once.
const DUE_BLOCK: usize = 16;

/// Of the first [`DUE_BLOCK`] slots of `next_event` (fewer at the end of
/// the book), a bit set for each whose next event is month `t`. Without
/// branches, so that the compiler compares most of the block in vector
/// registers (about 2½ instructions a slot rather than 5).
#[inline(always)]
fn due_mask(next_event: &[i16], t: i16) -> u32 {
    let mut mask = 0u32;
    if let Some(block) = next_event.first_chunk::<DUE_BLOCK>() {
        for (k, x) in block.iter().enumerate() {
            mask |= u32::from(*x == t) << k;
        }
    } else {
        for (k, x) in next_event.iter().enumerate() {
            mask |= u32::from(*x == t) << k;
        }
    }
    mask
}

/// Everything the loans of one county touch this month.
struct CountyLoans<'a> {
    ctx: &'a PathCtx<'a>,
    /// The county's rules this month (fetched once, not per loan).
    rs: &'a RuleSet,
    mc: &'a MonthCtx,
    cm: &'a CountyMonth<'a>,
    fund: &'a mut Fund,
    /// The calls on the fund, for shadow funds.
    log: &'a mut FundLog,
    recov: &'a mut Vec<Recoverable>,
    agg: &'a mut Balances,
    towns: &'a mut [TownshipState],
    cs: &'a mut CountyState,
    /// Each industry's price multiplier on distress this month: with the
    /// county's disasters, the income shock that relief at maturity
    /// attributes a borrower's difficulty to.
    price_mult: &'a [f64; Industry::COUNT],
    memo: Memo<'a>,
    tot: &'a mut PathTotals,
    loss_base_total: &'a mut i64,
    /// Follow-up loans beside first loans: their terms this month, and
    /// those granted, to be added to the book after the loop.
    beside: Option<Beside>,
    /// The draw threshold over a quarter (0 when no follow-up can be lent
    /// beside a first loan this month): the hot path's one test.
    beside_quarter: u64,
    follow_ups: Vec<PendingFollowUp>,
    /// The county's reference bounds times the margin, by risk cell
    /// ([`Workspace::skip_ref`]).
    skip_ref: &'a [f64],
    /// The follow-up draw threshold over a quarter were lending not
    /// suspended (0 when the rules lend no follow-up beside a first loan):
    /// a skipped date's draw must be at or above it.
    k_follow_up: u64,
    /// The horizon, months: dates at or after it are never visited.
    horizon: i16,
    /// Each township's distress multiplier on this path.
    town: &'a [f64],
}

/// Stages 2–4 for county `c`.
pub(super) fn step_loans(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
    loss_base_total: &mut i64,
) {
    ws.table.clear();
    ws.bound.clear();
    // The month's threshold table of the rule set; table 0, for a rule set
    // no other county follows this month, starts afresh.
    let plain = ws.plain_slot[mc.t * ctx.m.rule_sets.len() + cm.rules.index] as usize;
    if plain == 0 {
        ws.plain_thr[..TABLE].fill(f64::NAN);
    }
    // The book's slices, the probabilities and the county's figures are
    // locals of this one function once the methods below are inlined, so
    // the compiler keeps them in registers through the loop.
    let rs = cm.rules;
    let distress = Distress {
        ctx,
        rs,
        price_mult: &ws.months.price_mult[mc.t],
        price_pow: &ws.months.price_pow[mc.t],
        cm,
        town: &ws.town_effect,
        slot: &ws.town_slot,
        dis_log: &ws.town_dis_log,
    };
    // The loop works on slices of the book (no per-Vec bounds checks).
    let mut view = ws.books[c].view();
    let mut county = CountyLoans {
        ctx,
        rs,
        mc,
        cm,
        fund: &mut ws.funds[c],
        log: &mut ws.fund_log,
        recov: &mut ws.recov[c],
        agg: &mut ws.agg[c],
        towns: &mut ws.towns,
        cs: &mut ws.county[c],
        price_mult: &ws.months.price_mult[mc.t],
        memo: Memo {
            table: &mut ws.table,
            plain_thr: &mut ws.plain_thr[plain * TABLE..(plain + 1) * TABLE],
            bound: &mut ws.bound,
            shock_up: [-1.0; 3 * Industry::COUNT],
            largest_shock: [-1.0; 3],
            class_bound: [-1.0; CLASSES * 3 * 4],
        },
        tot,
        loss_base_total,
        beside: None,
        beside_quarter: 0,
        follow_ups: Vec::new(),
        skip_ref: &ws.skip_ref[c * RISK_CELLS..(c + 1) * RISK_CELLS],
        k_follow_up: 0,
        horizon: ctx.m.scenario.horizon_months as i16,
        town: &ws.town_effect,
    };
    if let Some(b) = Beside::of(rs, cm.suspended) {
        // The same threshold as were lending not suspended (it is not).
        county.beside_quarter = cm.k_follow_up;
        county.beside = Some(b);
    }
    county.k_follow_up = cm.k_follow_up;
    county.skip_month(&mut view, &distress);
    // Two copies of the loop: without follow-ups beside first loans this
    // month, the hot path carries no test for them.
    if county.beside_quarter != 0 {
        county.run::<true>(&mut view, &distress);
    } else {
        county.run::<false>(&mut view, &distress);
    }
    let (follow_ups, k_follow_up) = (std::mem::take(&mut county.follow_ups), county.k_follow_up);
    if !follow_ups.is_empty() {
        let arming = county_arming(ctx, &ws.skip_ref, &ws.town_effect, k_follow_up, c);
        let armed = ctx.bullet.then_some((&arming, &mut ws.county[c].skip));
        add_follow_ups(ctx, mc, rs, &mut ws.books[c], armed, follow_ups);
    }
}

/// Adds the follow-up loans granted this month to the book, each linked to
/// the first loan it is held beside. (Their balances were booked when they
/// were granted; their first event is a quarter or more away.) Each is
/// armed as a new loan is when lent if `arming` is given (bullet loans).
fn add_follow_ups(
    ctx: &PathCtx,
    mc: &MonthCtx,
    rs: &RuleSet,
    book: &mut LoanBook,
    mut arming: Option<(&Arming, &mut SkipState)>,
    follow_ups: Vec<PendingFollowUp>,
) {
    let ladder = &rs.rules.ladder;
    let (t, t16) = (mc.t, mc.t16);
    let months = ladder.follow_up_term_months as i32;
    let sched = Schedule { repayment: ctx.repayment, start: t as i32, maturity: t as i32 + months };
    for f in follow_ups {
        let slot = book.push_beside(
            NewLoan {
                id: f.id,
                key: f.key,
                principal: ladder.follow_up_amount.0,
                start: t16,
                maturity: (t as i32 + months) as i16,
                next_event: sched.next_due_after(t as i32) as i16,
                risk: f.risk,
                product: Product::FollowUp as u8,
                rate_bp: ctx.new_rate_bp(t),
                township: f.township,
                enterprise: enterprise_code(f.id, ctx.b),
            },
            f.beside,
        );
        if f.uncovered {
            book.flags[slot] |= UNCOVERED;
        }
        if let Some((arming, sk)) = &mut arming {
            arm_new_loan(ctx, rs, arming, sk, book, slot);
        }
    }
}

impl CountyLoans<'_> {
    #[inline(always)]
    fn run<const BESIDE: bool>(&mut self, book: &mut BookView, d: &Distress) {
        let (ctx, t16) = (self.ctx, self.mc.t16);
        // Whether the short path for a paid quarter's interest applies this
        // county-month: bullet loans and no strategic default (a loan of a
        // failed enterprise is sent down the general path).
        let simple_month = ctx.bullet && !self.cm.fund_seen_paying && !self.cm.moratorium;
        // The loans due, in the book's order, found 16 slots at a time: a
        // loan's visit changes no other loan's next event, so the slots of
        // a block can be read before its loans are visited.
        let n = book.len();
        let mut base = 0;
        while base < n {
            let mut due = due_mask(&book.next_event[base..n], t16);
            while due != 0 {
                let i = base + due.trailing_zeros() as usize;
                due &= due - 1;
                // Its skipped dates, if any, are behind it.
                book.armed_at[i] = NOT_ARMED;
                if simple_month && self.paid_quarter::<BESIDE>(book, d, i) {
                    continue;
                }
                let loan = self.loan(book, i);
                if loan.od > 0 {
                    self.overdue_month(book, d, &loan);
                } else {
                    self.payment_due(book, d, &loan);
                }
            }
            base += DUE_BLOCK;
        }
    }

    /// Whether the loan of a failed enterprise (户贷企用) it is, given the
    /// loan's enterprise ([`crate::book::LoanBook::enterprise`]).
    #[inline(always)]
    fn enterprise_failed(&self, e: u16) -> bool {
        self.cm.any_failed && e != NO_ENTERPRISE && self.cs.enterprise_failed[e as usize]
    }

    /// The short path: a quarter's interest on a current bullet loan that
    /// the borrower pays. (Exactly what the general path does for it; the
    /// traits it skips cannot matter here.) Returns whether it applied.
    #[inline(always)]
    fn paid_quarter<const BESIDE: bool>(&mut self, book: &mut BookView, d: &Distress, i: usize) -> bool {
        let t16 = self.mc.t16;
        if book.overdue[i] != 0 || t16 == book.maturity[i] || self.enterprise_failed(book.enterprise[i]) {
            return false;
        }
        let product = book.product[i] as usize;
        let rs = self.rs;
        let subsidised = earns_subsidy(rs, product, book.flags[i]);
        let late = self.cm.subsidy_late && subsidised;
        let modc = if late { MOD_LATE_SUBSIDY } else { 0 };
        let bits = Stream::at(book.key[i], self.mc.tm);
        let (cell, tw) = (book.risk[i] as usize, book.township[i] as usize);
        if d.below(unit(bits), cell, EV_INTEREST, modc, tw, book.id[i], &mut self.memo) {
            return false;
        }
        let mut due_s = Fen::ZERO;
        if subsidised {
            due_s = quarter_subsidy(self.ctx, rs, book.start, i, book.principal[i], book.rate_bp[i]);
            self.tot.subsidy_paid += self.cs.subsidy.pay(due_s).0;
        }
        // The draw first: it reads no memory, and stops all but a few
        // loans.
        if BESIDE
            && asks_follow_up(bits, self.beside_quarter)
            && book.product[i] == FIRST
            && book.flags[i] & NO_FOLLOW_UP == 0
        {
            self.follow_up_beside(book, i);
        }
        self.arm(book, i, t16 + 3, due_s.0);
        true
    }

    /// Loan `i`, current and on its quarterly dates from `first` on (its
    /// paid quarter earning `sub`): its next visit, the dates before it
    /// skipped (`skip.rs`).
    #[inline(always)]
    fn arm(&mut self, book: &mut BookView, i: usize, first: i16, sub: i64) {
        let arming = Arming {
            skip_ref: self.skip_ref,
            town: self.town,
            k_follow_up: self.k_follow_up,
            horizon: self.horizon,
        };
        let (next, armed) = arming.arm(
            &mut self.cs.skip,
            &ToArm {
                key: book.key[i],
                cell: book.risk[i] as usize,
                township: book.township[i] as usize,
                enterprise: book.enterprise[i],
                first,
                maturity: book.maturity[i],
                may_ask: book.product[i] == FIRST && book.flags[i] & NO_FOLLOW_UP == 0,
                sub,
            },
        );
        if armed {
            book.armed_at[i] = first - 3;
            book.armed_sub[i] = sub;
        }
        book.next_event[i] = next;
    }

    /// Before the county-month's loans: whether the dates its loans skip
    /// this month are surely paid (module `skip.rs`). Loans armed under
    /// other rules or thresholds are all disarmed; in a month whose paid
    /// quarters do not take the short path, or whose subsidy budget might
    /// not cover every payment, the loans with a skipped date this month
    /// are visited instead; in a month whose bound exceeds a reference,
    /// those whose draw is not above it. Then the month's skipped subsidy
    /// is paid.
    fn skip_month(&mut self, book: &mut BookView, d: &Distress) {
        let (t, t16, cm, rs) = (self.mc.t, self.mc.t16, self.cm, self.rs);
        let phase = t % 3;
        if self.cs.skip.any_armed {
            if self.cs.skip.stale || self.cs.skip.rules != rs.index {
                #[cfg(test)]
                {
                    self.cs.skip.seen[1] += 1;
                }
                disarm_all(book, t16, &mut self.cs.skip.diff);
                self.cs.skip.any_armed = false;
            } else if !(self.ctx.bullet
                && !cm.fund_seen_paying
                && !cm.moratorium
                && !cm.subsidy_late
                && self.budget_covers(book))
            {
                #[cfg(test)]
                {
                    self.cs.skip.seen[2] += 1;
                }
                disarm_month(book, t16, &mut self.cs.skip.diff);
            } else if !self.bounds_within_reference(d) {
                #[cfg(test)]
                {
                    self.cs.skip.seen[3] += 1;
                }
                self.verify_month(book, d);
            }
        }
        let sk = &mut self.cs.skip;
        sk.stale = false;
        sk.rules = rs.index;
        sk.acc[phase] += sk.diff[t];
        let skipped = sk.acc[phase];
        #[cfg(debug_assertions)]
        self.check_skipped(book, d, skipped);
        if skipped != 0 {
            self.tot.subsidy_paid += self.cs.subsidy.pay(Fen(skipped)).0;
        }
    }

    /// Whether every risk cell's bound at an interest date this month (no
    /// modifier) is at most its reference times the margin. First for each
    /// borrower class under the largest income shock of any industry, a
    /// sufficient test of a dozen bounds that holds in most county-months
    /// ([`Distress::bound_at`] is nondecreasing in the shock); then, if it
    /// fails, cell by cell.
    fn bounds_within_reference(&mut self, d: &Distress) -> bool {
        let memo = &mut self.memo;
        let by_class = self.skip_ref.chunks_exact(Industry::COUNT).enumerate().all(|(class, refs)| {
            let reference = refs.iter().copied().fold(f64::INFINITY, f64::min);
            d.class_bound_memo(class, EV_INTEREST, 0, memo) <= reference
        });
        debug_assert!(
            !by_class
                || (0..RISK_CELLS)
                    .all(|cell| d.bound(cell, EV_INTEREST, 0, &mut self.memo.shock_up) <= self.skip_ref[cell]),
            "a class's bound under the largest shock below its reference, a cell's above"
        );
        by_class
            || (0..RISK_CELLS)
                .all(|cell| d.bound_memo(cell, EV_INTEREST, 0, &mut self.memo) <= self.skip_ref[cell])
    }

    /// Whether the county's subsidy budget surely covers the month's
    /// skipped subsidy and every payment to the loans visited (at most a
    /// quarter's interest at the cap, rounded up): then no payment of the
    /// month can fail, in any order. First against every fen outstanding,
    /// then, if need be, against the loans due this month.
    fn budget_covers(&self, book: &BookView) -> bool {
        let (t, sk) = (self.mc.t, &self.cs.skip);
        let skipped = sk.acc[t % 3] + sk.diff[t];
        let cap = self.rs.rules.loans.subsidy.rate_cap.basis_points() as i128;
        let at_most = |principal: i128, loans: i64| (principal * cap * 3 / 120_000) as i64 + loans + 1;
        let left = self.cs.subsidy.left.0;
        if left >= skipped.saturating_add(at_most(self.agg.outstanding as i128, self.agg.loans)) {
            return true;
        }
        let (mut principal, mut loans) = (0i128, 0i64);
        for i in 0..book.len() {
            if book.next_event[i] == self.mc.t16 {
                principal += book.principal[i] as i128;
                loans += 1;
            }
        }
        left >= skipped.saturating_add(at_most(principal, loans))
    }

    /// A month whose bound of some risk cell exceeds its reference times
    /// the margin: the loans with a skipped date this month whose draw is
    /// not above their bound (times the township's multiplier) are visited.
    fn verify_month(&mut self, book: &mut BookView, d: &Distress) {
        let t16 = self.mc.t16;
        for i in 0..book.len() {
            let a = book.armed_at[i];
            if a == NOT_ARMED || phase_date_from(a, t16) != t16 || t16 >= book.next_event[i] {
                continue;
            }
            let (cell, tw) = (book.risk[i] as usize, book.township[i] as usize);
            let u = unit(Stream::at(book.key[i], self.mc.tm));
            if u < d.bound_memo(cell, EV_INTEREST, 0, &mut self.memo) * d.town[tw] {
                disarm(book, i, t16, &mut self.cs.skip.diff);
            }
        }
    }

    /// Debug builds: every date skipped this month is one the visit would
    /// have found paid, without a follow-up request, and the skipped sum is
    /// their subsidy.
    #[cfg(debug_assertions)]
    fn check_skipped(&mut self, book: &BookView, d: &Distress, skipped: i64) {
        let t16 = self.mc.t16;
        let mut sum = 0i64;
        for i in 0..book.len() {
            let a = book.armed_at[i];
            if a == NOT_ARMED || phase_date_from(a, t16) != t16 || t16 >= book.next_event[i] {
                continue;
            }
            assert!(self.ctx.bullet && !self.cm.fund_seen_paying && !self.cm.moratorium);
            assert!(
                book.overdue[i] == 0 && t16 < book.maturity[i] && !self.enterprise_failed(book.enterprise[i])
            );
            let product = book.product[i] as usize;
            let subsidised = earns_subsidy(self.rs, product, book.flags[i]);
            let modc = if self.cm.subsidy_late && subsidised { MOD_LATE_SUBSIDY } else { 0 };
            let bits = Stream::at(book.key[i], self.mc.tm);
            let (cell, tw) = (book.risk[i] as usize, book.township[i] as usize);
            assert!(
                !d.below(unit(bits), cell, EV_INTEREST, modc, tw, book.id[i], &mut self.memo),
                "a skipped date in distress"
            );
            assert!(
                !(self.beside_quarter != 0
                    && asks_follow_up(bits, self.beside_quarter)
                    && book.product[i] == FIRST
                    && book.flags[i] & NO_FOLLOW_UP == 0),
                "a skipped date asks for a follow-up"
            );
            if subsidised {
                let rate = Rate::from_basis_points(book.rate_bp[i] as u32);
                let cap = subsidy_cap(self.ctx, self.rs, book.start, i);
                sum += Fen(book.principal[i]).interest(if rate <= cap { rate } else { cap }, 3).0;
            }
        }
        assert_eq!(sum, skipped, "the skipped subsidy of month {t16}");
    }

    /// A first-loan holder who has just paid an instalment asks for a
    /// follow-up loan beside the first (the 追贷, 二(二)); it is lent if the
    /// first was held long enough, the household's programme debt stays
    /// within the limit, a bank serves the township and the leverage limit
    /// leaves room (if the follow-up is covered). The caller has checked
    /// that the loan is a first loan never overdue without a follow-up, and
    /// drawn the request ([`asks_follow_up`]): with the monthly uptake
    /// probability over the months since the last payment.
    #[inline(never)]
    fn follow_up_beside(&mut self, book: &mut BookView, i: usize) {
        let Some(b) = &self.beside else { return };
        if self.mc.t16 - book.start[i] < b.min_months_held || book.principal[i] + b.amount > b.max_debt {
            return;
        }
        let tw = book.township[i] as usize;
        if !self.towns[tw].service.served {
            return;
        }
        let (amount, product_covered) = (b.amount, b.covered);
        let grant = if product_covered { self.leverage(Fen(amount)) } else { Grant::Covered };
        if grant == Grant::Refused {
            return;
        }
        let covered = product_covered && grant == Grant::Covered;
        book.flags[i] |= FOLLOW_UP_TAKEN;
        self.agg.principal(Product::FollowUp as u8, covered, amount);
        self.agg.loans += 1;
        self.agg.programme_loans += 1;
        self.agg.two_loan_households += 1;
        self.towns[tw].balance += amount;
        self.tot.disbursed += amount;
        self.tot.loans_by_product[Product::FollowUp as usize] += 1;
        // The follow-up draws the household's numbers (its first loan's
        // key): one household, one fortune — when both loans have a payment
        // in the same month, the household pays both or misses both.
        self.follow_ups.push(PendingFollowUp {
            beside: i,
            id: book.id[i] | FOLLOW_UP_ID,
            key: book.key[i],
            risk: book.risk[i],
            township: tw as u32,
            uncovered: product_covered && !covered,
        });
    }

    /// The leverage decision for a new covered loan of `amount` this month
    /// ([`leverage_grant`]).
    #[inline(never)]
    fn leverage(&mut self, amount: Fen) -> Grant {
        let covered = Fen(self.agg.covered);
        leverage_grant(
            self.rs,
            self.mc,
            self.cm.fund_balance_start,
            self.fund,
            covered,
            amount,
            self.tot,
            self.log,
        )
    }

    /// Principal of a loan of `product` in township `tw` changes by
    /// `delta`: the county's balances, and the township's if the loan is
    /// the programme's.
    #[inline(always)]
    fn principal_moves(&mut self, product: u8, covered: bool, tw: usize, delta: i64) {
        self.agg.principal(product, covered, delta);
        if programme(product) {
            self.towns[tw].balance += delta;
        }
    }

    /// A loan of `product` in township `tw` turns overdue (`delta` its
    /// principal) or stops being overdue (`−principal`).
    #[inline(always)]
    fn overdue_moves(&mut self, product: u8, tw: usize, delta: i64) {
        self.agg.add_overdue(product, delta);
        if programme(product) {
            self.towns[tw].overdue += delta;
        }
    }

    /// Loan `i` of `product` leaves the book. Its household joins the
    /// former borrowers (`to_pool`, after a repayment) once it holds no
    /// other loan.
    #[inline(always)]
    fn close_loan(&mut self, book: &mut BookView, i: usize, product: u8, tw: usize, to_pool: bool) {
        self.agg.loans -= 1;
        if programme(product) {
            self.agg.programme_loans -= 1;
        }
        match book.close(i) {
            Some(other) => {
                if programme(product) && programme(book.product[other]) {
                    self.agg.two_loan_households -= 1;
                }
            }
            None => {
                if to_pool {
                    self.towns[tw].former += 1;
                }
            }
        }
    }

    /// The loan's figures; its traits cost a hash each, so they are read
    /// only when they matter.
    #[inline(always)]
    fn loan(&self, book: &BookView, i: usize) -> Loan {
        let (ctx, cm) = (self.ctx, self.cm);
        let b = ctx.b;
        let od = book.overdue[i];
        let product = book.product[i];
        let excess = book.flags[i] & UNCOVERED != 0;
        let id = book.id[i];
        let low_will = (od > 0 || cm.fund_seen_paying) && low_willingness(id, b.low_willingness_share.get());
        let misuse_failed = self.enterprise_failed(book.enterprise[i]);
        let modc = if low_will && cm.fund_seen_paying { MOD_STRATEGIC } else { 0 }
            | if cm.subsidy_late && earns_subsidy(self.rs, product as usize, book.flags[i]) {
                MOD_LATE_SUBSIDY
            } else {
                0
            };
        let bits = Stream::at(book.key[i], self.mc.tm);
        Loan {
            i,
            od,
            principal: book.principal[i],
            product,
            rate: Rate::from_basis_points(book.rate_bp[i] as u32),
            covered: self.rs.covered_by_product[product as usize] && !excess,
            excess,
            tw: book.township[i] as usize,
            id,
            low_will,
            modc,
            bits,
            enterprise_miss: misuse_failed && unit(second(second(bits))) < b.misuse_failed_distress,
        }
    }

    /// An overdue loan pays its arrears (cures) or rolls a month older, and
    /// is claimed or written off at its limit; a loan in the claim cycle
    /// has reached the end of a stage.
    #[inline(always)]
    fn overdue_month(&mut self, book: &mut BookView, d: &Distress, l: &Loan) {
        if book.cycle_od[l.i] != 0 {
            self.claim_cycle_event(book, l);
            return;
        }
        let ctx = self.ctx;
        let b = ctx.b;
        let (i, p) = (l.i, l.principal);
        let distressed =
            d.below(unit(l.bits), book.risk[i] as usize, EV_CURE, l.modc, l.tw, l.id, &mut self.memo);
        let willingness = if l.low_will { b.low_willingness_cure_factor } else { 1.0 };
        let cure = cure_probability(
            b.cure,
            l.od,
            b.collection_effort,
            self.rs.rules.collection.cadre_boost,
            willingness,
        );
        let cured = !distressed && !l.enterprise_miss && unit(second(l.bits)) < cure;
        if cured {
            self.cure(book, l, l.od);
            return;
        }
        let od = roll_overdue(l.od, false);
        book.overdue[i] = od;
        if !non_performing(l.od) && non_performing(od) {
            self.agg.add_npl(l.product, p);
        }
        book.arrears[i] += Fen(p).interest(l.rate, 1).0;
        book.next_event[i] = self.mc.t16 + 1;
        self.claim_or_write_off(book, l, od);
    }

    /// An overdue loan `od` months overdue pays its arrears: back to its
    /// schedule, or, past maturity, repaid in full.
    #[inline(always)]
    fn cure(&mut self, book: &mut BookView, l: &Loan, od: u8) {
        let (ctx, t, i) = (self.ctx, self.mc.t, l.i);
        let p = book.principal[i];
        self.overdue_moves(l.product, l.tw, -p);
        if non_performing(od) {
            self.agg.add_npl(l.product, -p);
        }
        book.overdue[i] = 0;
        book.arrears[i] = 0;
        book.cycle_od[i] = 0;
        if t as i32 >= book.maturity[i] as i32 {
            self.tot.repaid += p;
            self.principal_moves(l.product, l.covered, l.tw, -p);
            self.close_loan(book, i, l.product, l.tw, true);
            return;
        }
        let sched = book.schedule(i, ctx.repayment);
        book.next_event[i] = sched.next_due_after(t as i32) as i16;
    }

    /// At its limit an overdue loan reaches the end: an uncovered one is
    /// written off by the bank; a covered one enters the claim cycle
    /// (notice, legal collection, loss determination) and stays on the book
    /// as non-performing until its loss is determined — at once when the
    /// cycle takes no time. Its loss may later be partly recovered.
    #[inline(always)]
    fn claim_or_write_off(&mut self, book: &mut BookView, l: &Loan, od: u8) {
        let rs = self.rs;
        let rules = &rs.rules;
        let action = write_off_due(l.covered, od, rs.trigger_months, rules.lending.write_off_months);
        if action == WriteOff::Keep {
            return;
        }
        if action == WriteOff::Claim && !rules.claims.cycle.is_instant() {
            let i = l.i;
            book.cycle_start[i] = self.mc.t16;
            book.cycle_od[i] = od.max(1);
            let plan = self.cycle_plan(book, l);
            if plan.determined > self.mc.t as i32 {
                book.next_event[i] = plan.next_event(self.mc.t as i32) as i16;
                return;
            }
            book.cycle_od[i] = 0;
        }
        self.write_off(book, l, od, action);
    }

    /// The loan leaves the book: written off by the bank, or (`Claim`)
    /// with its loss determined and a claim filed on the fund.
    #[inline(always)]
    fn write_off(&mut self, book: &mut BookView, l: &Loan, od: u8, action: WriteOff) {
        let rules = &self.rs.rules;
        let i = l.i;
        let p = book.principal[i];
        let a = book.arrears[i];
        self.tot.written_off += p;
        *self.loss_base_total += p + a;
        self.principal_moves(l.product, l.covered, l.tw, -p);
        self.overdue_moves(l.product, l.tw, -p);
        if non_performing(od) {
            self.agg.add_npl(l.product, -p);
        }
        let claim = if action == WriteOff::Claim {
            let base = rules.claims.claim_base(Fen(p), Fen(a));
            // It first missed a payment `od − 1` months ago.
            let defaulted = self.mc.t as i32 + 1 - i32::from(od);
            let month = self.mc.t as u16;
            let index = self.fund.file_defaulted(&rules.claims, l.id, base, month, defaulted) as u32;
            self.log.push(FundCall::File { loan: l.id, base, month, defaulted, index });
            index
        } else {
            NO_CLAIM
        };
        self.recov.push(Recoverable { id: l.id, remaining: p + a, claim, age: 0 });
        self.close_loan(book, i, l.product, l.tw, false);
    }

    /// A loan's way through the claim cycle from its trigger, a pure
    /// function of the loan, its trigger month and age, and the rules: the
    /// stage lengths (one draw per stage, keyed by the loan, so the same
    /// loan takes the same time under every rule that keeps the stages),
    /// and the first month before the loss is determined in which the
    /// borrower pays the arrears (cures), at the monthly cure probability of
    /// the loan's age then (one draw per month, keyed by the loan and the
    /// month). Recomputed at each of the loan's events: no state but the
    /// trigger month and age is kept.
    #[inline(never)]
    fn cycle_plan(&self, book: &BookView, l: &Loan) -> CyclePlan {
        let (ctx, i) = (self.ctx, l.i);
        let b = ctx.b;
        let stream = ctx.streams.claim_cycle;
        let (t0, od0) = (i32::from(book.cycle_start[i]), book.cycle_od[i]);
        let cycle = &self.rs.rules.claims.cycle;
        let times = cycle.times([0, 1, 2].map(|k| stream.bits(l.id, STAGE_KEY + k)));
        let determined = t0 + i32::from(times.to_determination());
        let willingness = if l.low_will { b.low_willingness_cure_factor } else { 1.0 };
        let cadre_boost = self.rs.rules.collection.cadre_boost;
        let cure = (t0 + 1..determined).find(|m| {
            let od = age(od0, m - t0);
            let p = cure_probability(b.cure, od, b.collection_effort, cadre_boost, willingness);
            unit(stream.bits(l.id, *m as u64)) < p
        });
        // The month the loan turns non-performing, if it is not yet.
        let npl = (1..=4).find(|k| non_performing(age(od0, *k))).filter(|_| !non_performing(od0));
        CyclePlan { times, t0, determined, cure, npl: npl.map(|k| t0 + k) }
    }

    /// A loan in the claim cycle at one of its events: it turns
    /// non-performing, cures, or its loss is determined — then the
    /// recoveries of its legal collection come off its principal (the
    /// claim's base is what is left, D5), the interest of the cycle's
    /// months is added to its arrears, and it is written off with its claim
    /// filed.
    #[inline(never)]
    fn claim_cycle_event(&mut self, book: &mut BookView, l: &Loan) {
        let (ctx, t, i) = (self.ctx, self.mc.t as i32, l.i);
        let plan = self.cycle_plan(book, l);
        let od = age(book.cycle_od[i], t - plan.t0);
        if !non_performing(book.overdue[i]) && non_performing(od) {
            self.agg.add_npl(l.product, book.principal[i]);
        }
        book.overdue[i] = od;
        if plan.cure == Some(t) {
            self.cure(book, l, od);
            return;
        }
        if t < plan.determined {
            book.next_event[i] = plan.next_event(t) as i16;
            return;
        }
        let stream = ctx.streams.claim_cycle;
        let rs = self.rs;
        let mut recovered = 0;
        for k in plan.times.collection_offsets() {
            let p = book.principal[i] - recovered;
            if p <= 0 {
                break;
            }
            let m = (plan.t0 + i32::from(k)) as u64;
            if unit(stream.bits(l.id, COLLECTION_KEY + m)) < rs.rec_prob {
                recovered += (((p as f64) * ctx.b.recovery_fraction).round() as i64).clamp(1, p);
            }
        }
        if recovered > 0 {
            self.tot.repaid += recovered;
            self.tot.recovered_in_collection += recovered;
            self.principal_moves(l.product, l.covered, l.tw, -recovered);
            self.overdue_moves(l.product, l.tw, -recovered);
            if non_performing(od) {
                self.agg.add_npl(l.product, -recovered);
            }
            book.principal[i] -= recovered;
        }
        let months = (t - plan.t0) as u32;
        book.arrears[i] += Fen(book.principal[i]).interest(l.rate, months).0;
        book.cycle_od[i] = 0;
        self.write_off(book, l, od, WriteOff::Claim);
    }

    /// A payment falls due: deferred by a moratorium, paid, or (at
    /// maturity) relieved by extension or renewal, or missed. A due that
    /// carries principal is a test of the maturity process, one that
    /// carries only interest of the interest process; an instalment's
    /// principal weighs by its share of the schedule (see
    /// [`instalment_probability`]).
    #[inline(always)]
    fn payment_due(&mut self, book: &mut BookView, d: &Distress, l: &Loan) {
        let ctx = self.ctx;
        let (t, i, p) = (self.mc.t, l.i, l.principal);
        let sched = book.schedule(i, ctx.repayment);
        let due = if ctx.bullet {
            bullet_due(&sched, t as i32, p, l.rate)
        } else {
            sched.due(t as i32, Fen(p), l.rate)
        };
        let moratorium_end = self.towns[l.tw].moratorium_until;
        if moratorium_end as usize > t {
            defer(book, i, &sched, due.at_maturity, moratorium_end);
            return;
        }
        let ev = if due.principal.0 > 0 { EV_MATURITY } else { EV_INTEREST };
        // An instalment's probability is at most the whole principal's, so
        // a draw surely above the latter is above the former.
        let (u, cell) = (unit(l.bits), book.risk[i] as usize);
        let distressed = l.enterprise_miss
            || !d.surely_above(u, cell, ev, l.modc, l.tw, l.id, &mut self.memo) && {
                let mut pd = d.p(cell, ev, l.modc, l.tw, l.id, &mut self.memo);
                if ev == EV_MATURITY && !ctx.bullet {
                    pd = instalment_probability(pd, sched.maturity - sched.start);
                }
                u < pd
            };
        if !distressed {
            self.pay_subsidy(l, &due, p, book.start);
            let paid = due.principal.0;
            self.tot.repaid += paid;
            self.principal_moves(l.product, l.covered, l.tw, -paid);
            book.principal[i] -= paid;
            if !(due.at_maturity || book.principal[i] == 0) {
                let k = match &self.beside {
                    Some(b) if l.product == FIRST && book.flags[i] & NO_FOLLOW_UP == 0 => {
                        b.threshold(due.interest_months)
                    }
                    _ => 0,
                };
                if k != 0 && asks_follow_up(l.bits, k) {
                    self.follow_up_beside(book, i);
                }
                book.next_event[i] = if ctx.bullet {
                    (t as i32 + 3).min(sched.maturity) as i16
                } else {
                    sched.next_due_after(t as i32) as i16
                };
                return;
            }
            self.repaid_in_full(book, l);
            return;
        }
        if due.at_maturity && self.maturity_relief(book, d, l, &due, &sched) {
            return;
        }
        // Missed: 1–30 days overdue at the end of the month — already at
        // the claim trigger or write-off limit if that is one month.
        if due.at_maturity {
            self.tot.new_overdue_at_maturity += 1;
        } else {
            self.tot.new_overdue_at_interest += 1;
        }
        book.overdue[i] = 1;
        book.flags[i] |= EVER_OVERDUE;
        book.arrears[i] += due.interest.0;
        book.next_event[i] = self.mc.t16 + 1;
        self.overdue_moves(l.product, l.tw, p);
        self.claim_or_write_off(book, l, 1);
    }

    /// On-time interest of a subsidised product earns the subsidy (二(二)),
    /// paid from the county's budget or owed until next January.
    #[inline(always)]
    fn pay_subsidy(&mut self, l: &Loan, due: &Due, principal: i64, starts: &[i16]) {
        let rs = self.rs;
        if !rs.subsidised[l.product as usize] || l.excess {
            return;
        }
        // Within the cap the subsidy is the interest just paid.
        let cap = subsidy_cap(self.ctx, rs, starts, l.i);
        let due_s =
            if l.rate <= cap { due.interest } else { Fen(principal).interest(cap, due.interest_months) };
        self.tot.subsidy_paid += self.cs.subsidy.pay(due_s).0;
    }

    /// Repaid in full: a clean repayer may climb the 5+5+N ladder at once
    /// — from a follow-up loan to commercial credit, and, when follow-ups
    /// come after the first loan (`follow_up_when = "after"`), from a first
    /// loan to a follow-up; otherwise the loan leaves the book.
    #[inline(always)]
    fn repaid_in_full(&mut self, book: &mut BookView, l: &Loan) {
        let ctx = self.ctx;
        let rs = self.rs;
        let ladder = &rs.rules.ladder;
        let (i, tw) = (l.i, l.tw);
        let clean = book.flags[i] & EVER_OVERDUE == 0;
        let rung = mcstress_loans::next_rung(Product::ALL[l.product as usize], clean)
            .filter(|next| *next != Product::FollowUp || ladder.follow_up_when == FollowUpWhen::After);
        let climbs = rung.and_then(|next| {
            let (uptake, amount, months, bp) = match next {
                Product::FollowUp => (
                    ladder.follow_up_uptake,
                    ladder.follow_up_amount,
                    ladder.follow_up_term_months,
                    ctx.new_rate_bp(self.mc.t),
                ),
                _ => (
                    ladder.commercial_uptake,
                    ladder.commercial_amount,
                    ladder.commercial_term_months,
                    ladder.commercial_rate.basis_points() as u16,
                ),
            };
            let asks = self.towns[tw].service.served
                && !self.cm.suspended
                && unit(second(second(second(l.bits)))) < uptake;
            if !asks {
                return None;
            }
            // The leverage rule last: a top-up is made only for a loan lent.
            let next_covered = rs.covered_by_product[next as usize];
            let grant = if next_covered { self.leverage(amount) } else { Grant::Covered };
            (grant != Grant::Refused).then_some((
                next,
                amount,
                months,
                bp,
                next_covered && grant == Grant::Covered,
            ))
        });
        let Some((next, amount, months, bp, covered)) = climbs else {
            self.close_loan(book, i, l.product, tw, true);
            return;
        };
        // The household moves to the next rung at once, in the same slot
        // (and keeps its link to a first loan still held).
        let (t, t16) = (self.mc.t, self.mc.t16);
        if programme(l.product) && !programme(next as u8) {
            self.agg.programme_loans -= 1;
        }
        // A first loan and its follow-up count as a pair until one of
        // them leaves the programme's first or follow-up loans.
        let partner = book.partner[i];
        if partner != crate::book::NO_PARTNER
            && programme(l.product)
            && programme(book.product[partner as usize])
        {
            self.agg.two_loan_households -= 1;
        }
        let uncovered = rs.covered_by_product[next as usize] && !covered;
        book.flags[i] = (book.flags[i] & !UNCOVERED) | if uncovered { UNCOVERED } else { 0 };
        self.principal_moves(next as u8, covered, tw, amount.0);
        self.tot.disbursed += amount.0;
        self.tot.loans_by_product[next as usize] += 1;
        book.principal[i] = amount.0;
        book.product[i] = next as u8;
        book.rate_bp[i] = bp;
        book.start[i] = t16;
        book.maturity[i] = t16 + months as i16;
        // The relief counts stay with the household's slot: a ladder step
        // does not give it a new allowance of extensions and renewals.
        let s2 = Schedule { repayment: ctx.repayment, start: t as i32, maturity: t as i32 + months as i32 };
        book.next_event[i] = s2.next_due_after(t as i32) as i16;
    }

    /// A borrower in difficulty at maturity may be extended (展期) or
    /// renewed (续贷) if the rules allow (三(二)): a willing borrower whose
    /// difficulty is short-term, from a cause outside their control, once
    /// over the loan's life by default. Returns whether it was.
    #[inline(always)]
    fn maturity_relief(
        &mut self,
        book: &mut BookView,
        d: &Distress,
        l: &Loan,
        due: &Due,
        sched: &Schedule,
    ) -> bool {
        let ctx = self.ctx;
        let rules = &self.rs.rules;
        let (t, t16, i, p) = (self.mc.t, self.mc.t16, l.i, l.principal);
        let standing =
            Standing { months_overdue: 0, extensions: book.extensions[i], renewals: book.renewals[i] };
        // The income shock on the borrower's industry this month, as it
        // multiplies distress at maturity (with the maturity process's
        // elasticity): the part of the distress it caused is outside the
        // borrower's control.
        let cell = book.risk[i] as usize;
        let ind = cell % Industry::COUNT;
        // (The insurance trait is read only where a disaster weighs.)
        let disaster =
            if d.dis_log[l.tw][ind] == 0.0 { 0.0 } else { d.disaster_log(l.tw, cell, d.insured(l.id, cell)) };
        let shock = if disaster == 0.0 {
            d.price_pow[EV_MATURITY][ind]
        } else {
            shock_power(self.price_mult[ind] * libm::exp(disaster), ctx.elasticity[EV_MATURITY])
        };
        // (`l.low_will` is read only for overdue loans: read the trait here.)
        let willing = !low_willingness(l.id, ctx.b.low_willingness_share.get());
        let qualifies = relief_probability(ctx.b.business_running, shock, willing);
        let relief = MaturityContext {
            business_running: unit(second(l.bits)) < qualifies,
            bank_serves_township: self.towns[l.tw].service.served,
            county_suspended: self.cm.suspended,
            // Relief adds no principal: only the refusing rule refuses it
            // beyond the multiple; the loan keeps its cover (or its lack).
            within_leverage: !l.covered || rules.lending.leverage_excess != LeverageExcess::Refuse || {
                let covered = Fen(self.agg.covered);
                let allowed = leverage_allows(
                    rules.lending.leverage_max,
                    covered,
                    self.cm.fund_balance_start,
                    Fen::ZERO,
                );
                self.log.push(FundCall::Allows { covered, allowed });
                allowed
            },
        };
        let loans = &rules.loans;
        match loans.relief.at_maturity(&loans.extension, &loans.renewal, standing, relief) {
            Ok(Relief::Extension) => {
                // The borrower pays the interest; the principal moves.
                self.pay_subsidy(l, due, p, book.start);
                book.extensions[i] += 1;
                book.maturity[i] += loans.extension.max_months as i16;
                let s2 = Schedule { maturity: book.maturity[i] as i32, ..*sched };
                book.next_event[i] = s2.next_due_after(t as i32) as i16;
                self.tot.extensions += 1;
                true
            }
            Ok(Relief::Renewal) => {
                // A new contract repays the old one (无还本续贷).
                self.pay_subsidy(l, due, p, book.start);
                self.tot.repaid += p;
                self.tot.disbursed += p;
                book.renewals[i] += 1;
                // A new contract: at the LPR in force now (plus the spread).
                book.rate_bp[i] = ctx.new_rate_bp(t);
                book.start[i] = t16;
                book.maturity[i] = (t as i32 + loans.renewal.term_months as i32) as i16;
                let s2 =
                    Schedule { repayment: ctx.repayment, start: t as i32, maturity: book.maturity[i] as i32 };
                book.next_event[i] = s2.next_due_after(t as i32) as i16;
                self.tot.renewals += 1;
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::misuse_enterprise;
    use mcstress_loans::Repayment;

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

    /// The month's income shock of a borrower no disaster weighs on,
    /// computed once ([`ShockMonths::price_pow`](super::state::ShockMonths)), is bit for bit the general
    /// formula's: `exp(0) = 1` and `pow(x, 1) = x` exactly.
    #[test]
    fn the_months_income_shock_without_a_disaster_is_the_general_formulas() {
        assert_eq!(libm::exp(0.0), 1.0);
        for x in [0.37, 0.9, 1.0, 1.0000001, 1.7, 3.25] {
            for beta in [0.0, 0.5, 1.0, 1.3, 2.0] {
                let general = libm::pow(x * libm::exp(0.0), beta);
                assert_eq!(shock_power(x, beta).to_bits(), general.to_bits(), "x {x} beta {beta}");
            }
        }
    }

    #[test]
    fn failing_one_of_n_instalments_is_as_likely_as_failing_a_bullet_at_maturity() {
        for p in [0.0, 1e-6, 0.03, 0.24, 0.999] {
            for n in [2, 12, 36] {
                let q = instalment_probability(p, n);
                assert!((1.0 - libm::pow(1.0 - q, f64::from(n)) - p).abs() < 1e-12, "p {p} n {n}");
                assert!(q <= p);
            }
            assert_eq!(instalment_probability(p, 1), p);
        }
        // A township multiplier can take a probability past 1: certain.
        assert_eq!(instalment_probability(1.3, 12), 1.0);
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
