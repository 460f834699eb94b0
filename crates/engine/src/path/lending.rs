//! Stage 6 of the month: demand surveys (摸排, 二(一)) and new first loans
//! township by township — requests from the eligible pools, refusals by
//! the bank, the leverage limit and the suspension, the approval lag and
//! the post-disaster fast track (容缺办理, 二(四)), and disbursement.
//! Also the one leverage decision every covered loan of the month goes
//! through ([`leverage_grant`]): covered within the multiple, and beyond
//! it refused, lent uncovered or covered by a top-up, as the rules say.

use crate::binomial::binomial;
use crate::book::{NewLoan, UNCOVERED};
use crate::model::{RuleSet, pick_cum, risk_cell};
use crate::rng::{second, unit};
use mcstress_compensation::{Fund, LeverageExcess, leverage_allows, leverage_top_up_needed};
use mcstress_domain::{Category, Fen, Grade, Industry, Product};
use mcstress_households::{MonitoringRules, SurveyCheck, SurveyRule, fast_track_applies};
use mcstress_loans::Schedule;
use mcstress_scenario::Demand;

use super::context::{MonthCtx, PathCtx};
use super::loans::{CountyMonth, arm_new_loan, county_arming};
use super::result::PathTotals;
use super::state::{FundCall, FundLog, GROUPS, LAG_SLOTS, TownshipState, Workspace};

/// Request group of never-borrowed monitored households (监测对象).
const MONITORED: usize = 1;

/// What the leverage rule grants a new covered loan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grant {
    /// Lent with the fund's cover (within the multiple, or after a top-up).
    Covered,
    /// Lent beyond the multiple without the fund's cover or the subsidy.
    Uncovered,
    /// Refused.
    Refused,
}

/// The leverage decision for a new loan of `amount` of a covered product in
/// the county-month, the county's covered outstanding principal being
/// `covered`. The test reads the fund's balance at the start of the month
/// plus the leverage top-ups already made this month. Beyond the multiple,
/// `leverage_excess` decides: refuse; lend uncovered; or top the fund up
/// to (covered + amount) ÷ the multiple out of the county's fiscal
/// capacity, refusing the loan when the capacity cannot pay it.
#[allow(clippy::too_many_arguments)]
pub(super) fn leverage_grant(
    rs: &RuleSet,
    mc: &MonthCtx,
    fund_balance_start: Fen,
    fund: &mut Fund,
    covered: Fen,
    amount: Fen,
    tot: &mut PathTotals,
    log: &mut FundLog,
) -> Grant {
    let grant = decide_leverage(rs, mc, fund_balance_start, fund, covered, amount, tot);
    log.push(FundCall::Grant { covered, amount, grant });
    grant
}

/// [`leverage_grant`] without the record (a shadow fund's decision).
pub(super) fn decide_leverage(
    rs: &RuleSet,
    mc: &MonthCtx,
    fund_balance_start: Fen,
    fund: &mut Fund,
    covered: Fen,
    amount: Fen,
    tot: &mut PathTotals,
) -> Grant {
    let lending = &rs.rules.lending;
    let month = mc.t as u16;
    let base = fund_balance_start + fund.leverage_top_ups_in(month);
    if leverage_allows(lending.leverage_max, covered, base, amount) {
        return Grant::Covered;
    }
    let grant = match lending.leverage_excess {
        LeverageExcess::Refuse => Grant::Refused,
        LeverageExcess::Uncovered => Grant::Uncovered,
        LeverageExcess::TopUp => match leverage_top_up_needed(lending.leverage_max, covered, base, amount) {
            Some(need) if fund.leverage_top_up(&rs.rules.fund, mc.cal.year, month, need) => Grant::Covered,
            _ => Grant::Refused,
        },
    };
    match grant {
        Grant::Refused => tot.refused_by_leverage += 1,
        Grant::Uncovered => tot.loans_uncovered += 1,
        Grant::Covered => {}
    }
    grant
}

/// Stage 6 for county `c`.
pub(super) fn new_lending(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
) {
    let rs = cm.rules;
    let demand = &rs.rules.demand;
    let t = mc.t;
    // The fast track by request group: the monitored households', and the
    // lifted households' (never-borrowed and former borrowers) when it
    // reaches them (see `fast_track_applies`, `FastTrackReach`).
    let fast: [bool; GROUPS] = std::array::from_fn(|g| {
        fast_track_applies(
            demand.fast_track,
            demand.fast_track_reach.reaches(g == MONITORED),
            ws.county[c].last_disaster,
            t as u16,
            demand.fast_track_months,
        )
    });
    let county_towns = ctx.m.counties[c].townships.clone();
    let eligible_per_town = ctx.m.counties[c].eligible / county_towns.len().max(1) as u32;
    let survey_rule = SurveyRule {
        interval_months: demand.survey_interval_months,
        effect_months: demand.survey_effect_months,
        uplift: demand.survey_uplift,
    };
    let suspended = ws.county[c].suspension.suspended;
    // New bullet loans are armed when lent (`skip.rs`).
    let arm = ctx.bullet.then_some(cm.k_follow_up);
    // Once the leverage limit refuses a loan, the county's later requests
    // this month are refused too.
    let mut leverage_room = true;
    for tw in county_towns {
        // The township-month's uptake draws: the requests' and monitoring's.
        let bits = ctx.streams.uptake.bits(ctx.m.township_key[tw], mc.tm);
        // A disaster that struck the township this month identifies new
        // 监测对象 in proportion to its intensity (the strongest kind's, at
        // impact, after relief grants).
        let intensity = if ws.towns[tw].struck_at == t as u16 {
            ws.disaster[tw].iter().copied().fold(0.0, f64::max)
        } else {
            0.0
        };
        let st = &mut ws.towns[tw];
        monitoring(ctx, &demand.monitoring, st, tw, bits, eligible_per_town, intensity, tot);
        survey(&survey_rule, mc, st, tot);
        let requests = requests(ctx, mc, demand, &survey_rule, st, bits, &fast);
        let asked: u32 = requests.iter().sum();
        if !st.service.served {
            tot.unmet_no_bank += asked as i64;
        } else if suspended {
            tot.unmet_suspended += asked as i64;
        } else {
            approve(ctx, mc, rs, st, tw, requests, &fast, leverage_room, tot);
        }
        leverage_room &= disburse(ctx, mc, cm, ws, c, tw, suspended, arm, tot);
    }
}

/// 防止返贫动态监测 in a township: never-borrowed monitored households whose
/// risk is removed (风险消除) leave monitoring, and with it the pool of
/// first loans; in an ordinary month as many are identified as leave on
/// average (the township's starting monitored pool times the exit rate), so
/// the stock is stable without shocks; a disaster of `intensity` this month
/// identifies more among the township's `eligible` households. The draws
/// are the township-month's uptake bits' (`bits`) further bits
/// (`second³`…`⁵`), unused by the requests.
#[allow(clippy::too_many_arguments)]
fn monitoring(
    ctx: &PathCtx,
    rules: &MonitoringRules,
    st: &mut TownshipState,
    tw: usize,
    bits: u64,
    eligible: u32,
    intensity: f64,
    tot: &mut PathTotals,
) {
    if rules.is_static() {
        return;
    }
    let b3 = second(second(second(bits)));
    let (b4, b5) = (second(b3), second(second(b3)));
    let p_exit = rules.exit_monthly;
    let exits = binomial(u64::from(st.never[1]), p_exit, unit(b3)) as u32;
    let ordinary = binomial(u64::from(ctx.m.townships[tw].never_start[1]), p_exit, unit(b4)) as u32;
    let after_shock = if intensity > 0.0 {
        let p = rules.expected_entries(eligible, intensity) / f64::from(eligible.max(1));
        binomial(u64::from(eligible), p, unit(b5)) as u32
    } else {
        0
    };
    st.never[1] = st.never[1] - exits + ordinary + after_shock;
    tot.monitoring_entries += i64::from(ordinary + after_shock);
    tot.monitoring_entries_after_disasters += i64::from(after_shock);
    tot.monitoring_exits += i64::from(exits);
}

/// 摸排: every few months a township's demand is checked; where its balance
/// fell, a survey lifts uptake for a while.
fn survey(rule: &SurveyRule, mc: &MonthCtx, st: &mut TownshipState, tot: &mut PathTotals) {
    match rule.check(mc.t as i32, st.last_check as i32, Fen(st.balance), Fen(st.check_balance)) {
        SurveyCheck::NotDue => {}
        found => {
            if let SurveyCheck::Survey { until } = found {
                st.survey_until = until as i16;
                tot.surveys += 1;
            }
            st.check_balance = st.balance;
            st.last_check = mc.t16;
        }
    }
}

/// This month's requests by group: never-borrowed lifted, never-borrowed
/// monitored (lifted by the fast track), former borrowers.
#[allow(clippy::too_many_arguments)]
fn requests(
    ctx: &PathCtx,
    mc: &MonthCtx,
    demand: &Demand,
    rule: &SurveyRule,
    st: &TownshipState,
    bits: u64,
    fast: &[bool; GROUPS],
) -> [u32; GROUPS] {
    let survey = rule.uptake_multiplier(mc.t as i32, st.survey_until as i32);
    let uplift = |g: usize| if fast[g] { 1.0 + demand.fast_track_uplift } else { 1.0 };
    let p_base = (ctx.b.uptake_monthly * survey).min(1.0);
    let p_new = (p_base * uplift(0)).min(1.0);
    let p_mon = (p_base * uplift(MONITORED)).min(1.0);
    let p_former = (demand.repeat_uptake_monthly * uplift(2)).min(1.0);
    // One uniform per group, by inversion (see `binomial`): the township-
    // month's uptake bits `bits` and their `second`, `second²`.
    let (b0, b1, b2) = (bits, second(bits), second(second(bits)));
    let draw = |n: u32, p: f64, bits: u64| binomial(n as u64, p, unit(bits)) as u32;
    [draw(st.never[0], p_new, b0), draw(st.never[1], p_mon, b1), draw(st.former, p_former, b2)]
}

/// The bank approves or refuses each request; an approved household leaves
/// its pool now and is disbursed after the approval lag (at once on the
/// fast track).
#[allow(clippy::too_many_arguments)]
fn approve(
    ctx: &PathCtx,
    mc: &MonthCtx,
    rs: &RuleSet,
    st: &mut TownshipState,
    tw: usize,
    requests: [u32; GROUPS],
    fast: &[bool; GROUPS],
    leverage_room: bool,
    tot: &mut PathTotals,
) {
    let t = mc.t;
    for (g, &n) in requests.iter().enumerate() {
        for k in 0..n {
            let bits = ctx
                .streams
                .new_loan
                .bits((ctx.m.township_key[tw] << 24) | ((g as u64) << 20) | k as u64, mc.tm);
            if unit(bits) < rs.rules.demand.bank_refusal {
                tot.unmet_refused += 1;
                continue;
            }
            if !leverage_room {
                tot.unmet_refused += 1;
                tot.refused_by_leverage += 1;
                continue;
            }
            *st.pool_mut(g) -= 1;
            let now = rs.lag == 0 || fast[g];
            let slot = if now { t % LAG_SLOTS } else { (t + rs.lag) % LAG_SLOTS };
            st.pending[slot][g] += 1;
            if fast[g] {
                tot.fast_track_loans += 1;
            }
        }
    }
}

/// Disburses what is due this month in township `tw`, each new loan armed
/// when lent (`skip.rs`) with the follow-up threshold `arm` if given
/// (bullet loans). Returns whether the leverage limit left room for every
/// loan.
#[allow(clippy::too_many_arguments)]
fn disburse(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tw: usize,
    suspended: bool,
    arm: Option<u64>,
    tot: &mut PathTotals,
) -> bool {
    let (m, rs) = (ctx.m, cm.rules);
    let (rules, fund_balance_start) = (&rs.rules, cm.fund_balance_start);
    let (t, t16, tm) = (mc.t, mc.t16, mc.tm);
    let st = &mut ws.towns[tw];
    let book = &mut ws.books[c];
    let agg = &mut ws.agg[c];
    let fund = &mut ws.funds[c];
    let log = &mut ws.fund_log;
    let skip = &mut ws.county[c].skip;
    let arming = arm.map(|k| county_arming(ctx, &ws.skip_ref, &ws.town_effect, k, c));
    let mut room = true;
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
            *st.pool_mut(g) += n;
            continue;
        }
        for k in 0..n {
            // New loans: bit 63 set, then township (23 bits), month (12),
            // request group (4) and index (24).
            let id =
                (1u64 << 63) | (ctx.m.township_key[tw] << 40) | (tm << 28) | ((g as u64) << 24) | k as u64;
            let bits = ctx.streams.new_loan.bits(id, tm);
            let b2 = second(bits);
            let b3 = second(b2);
            let b4 = second(b3);
            let amount = rules.demand.first_loan_amounts[pick_cum(unit(bits), &rs.amount_cum)].0;
            let product_covered = rs.covered_by_product[0];
            let grant = if product_covered {
                leverage_grant(rs, mc, fund_balance_start, fund, Fen(agg.covered), amount, tot, log)
            } else {
                Grant::Uncovered
            };
            if grant == Grant::Refused {
                // Past the leverage limit: the request is refused and the
                // household goes back to its pool.
                room = false;
                tot.unmet_refused += 1;
                *st.pool_mut(g) += 1;
                continue;
            }
            let cat = match g {
                0 => Category::Lifted,
                MONITORED => Category::ALL[pick_cum(unit(b2), &m.monitored_cum)],
                _ => Category::ALL[pick_cum(unit(b2), &m.category_cum)],
            };
            let grade = Grade::ALL[pick_cum(unit(b3), &m.grade_cum)];
            let ind = Industry::ALL[pick_cum(unit(b4), &m.industry_cum[c])];
            let sched = Schedule { repayment: ctx.repayment, start: t as i32, maturity: t as i32 + ctx.term };
            let slot = book.push(NewLoan {
                id,
                key: ctx.streams.loan.entity(id),
                principal: amount.0,
                start: t16,
                maturity: (t as i32 + ctx.term) as i16,
                next_event: sched.next_due_after(t as i32) as i16,
                risk: risk_cell(cat, grade, ind),
                product: Product::First as u8,
                rate_bp: ctx.new_rate_bp(t),
                township: tw as u32,
                enterprise: crate::book::enterprise_code(id, ctx.b),
            });
            let covered = product_covered && grant == Grant::Covered;
            if product_covered && !covered {
                book.flags[slot] |= UNCOVERED;
            }
            if let Some(arming) = &arming {
                arm_new_loan(ctx, rs, arming, skip, book, slot);
            }
            st.balance += amount.0;
            tot.disbursed += amount.0;
            tot.new_loans += 1;
            tot.loans_by_product[0] += 1;
            agg.principal(Product::First as u8, covered, amount.0);
            agg.loans += 1;
            agg.programme_loans += 1;
        }
    }
    room
}
