//! Stage 5 of the month — claims on the county's fund, recoveries and the
//! lending suspension (三(三)) — and stage 7, the fund's cash: interest,
//! top-ups, and the county's subsidy budget renewing each January.

use mcstress_compensation::{ActivationInputs, Fund, FundRules, Suspension, fund_use_passed};
use mcstress_domain::{Fen, Share};
use mcstress_scenario::Rules;

use crate::rng::unit;

use super::context::{MonthCtx, PathCtx};
use super::loans::CountyMonth;
use super::result::PathTotals;
use super::state::{FundCall, NO_CLAIM, Workspace, budget};

/// Stage 5 for county `c`: the fund settles the claims whose time has
/// come, recoveries on written-off loans are booked, and the suspension is
/// reviewed against the county's ratios after this month's loans. A claim
/// is settled under the rules in force in the month it is settled (its
/// payment delay was fixed when it was filed).
pub(super) fn claims_and_suspension(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
) {
    let rules = &cm.rules.rules;
    let t = mc.t;
    let agg = &ws.agg[c];
    // The programme's ratios: commercial credit stays outside them. The NPL
    // balance holds the loans in the claim cycle until their loss is
    // determined, so the suspension and the activation read the real
    // non-performing stock.
    let inputs = ActivationInputs {
        overdue_ratio: Share::of(agg.overdue, agg.programme()),
        npl_ratio: Share::of(agg.npl, agg.programme()),
    };
    let fund = &mut ws.funds[c];
    let cs = &mut ws.county[c];
    let settled = fund.settle(&rules.claims, t as u16, mc.cal.year, inputs);
    if settled.paid.is_positive() {
        cs.last_claim_paid = Some(t as u16);
    }
    ws.fund_log.push(FundCall::Settle { inputs });
    recoveries(ctx, mc, cm, ws, c, tot);
    let fund = &ws.funds[c];
    let cs = &mut ws.county[c];
    let ratio = rules.lending.suspension_ratio(inputs);
    let tolerance = rules.lending.tolerance_for(ctx.m.counties[c].key_county);
    let review_month = mc.cal.month.is_multiple_of(3);
    review_suspension(rules, fund, &mut cs.suspension, ratio, tolerance, review_month);
    ws.fund_log.push(FundCall::Review { ratio, tolerance, review_month, suspended: cs.suspension.suspended });
}

/// The suspension review against the county's `ratio` and `tolerance`,
/// the fund's default and the share of its endowment used.
pub(super) fn review_suspension(
    rules: &Rules,
    fund: &Fund,
    suspension: &mut Suspension,
    ratio: Share,
    tolerance: Share,
    review_month: bool,
) {
    let in_default = rules.lending.suspend_on_fund_default && fund.in_default();
    suspension.update(ratio, tolerance, in_default, review_month);
    stop_on_fund_use(rules, fund, suspension);
}

/// The suspension on the share of the endowment used: once the claims the
/// fund has paid pass the limit, new lending stops for the rest of the
/// horizon.
fn stop_on_fund_use(rules: &Rules, fund: &Fund, suspension: &mut Suspension) {
    if let Some(limit) = rules.lending.fund_use_limit
        && fund_use_passed(limit, fund.claims_paid, fund.endowment)
    {
        suspension.stop_for_good();
    }
}

/// Recoveries on written-off loans, within the recovery window; the
/// fund's share of each goes back to the fund.
fn recoveries(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
) {
    let recov = &mut ws.recov[c];
    if recov.is_empty() {
        return;
    }
    let (b, rs) = (ctx.b, cm.rules);
    let rules = &rs.rules;
    let fund = &mut ws.funds[c];
    let log = &mut ws.fund_log;
    let window = b.recovery_window_months;
    for r in recov.iter_mut() {
        if r.remaining <= 0 || r.age >= window {
            continue;
        }
        r.age += 1;
        // Keyed by the loan: a rule change that writes off other loans does
        // not move this one's recovery draws.
        if unit(ctx.streams.recovery.bits(r.id, mc.tm)) < rs.rec_prob {
            let amount = ((r.remaining as f64) * b.recovery_fraction).round() as i64;
            let amount = amount.clamp(1, r.remaining);
            r.remaining -= amount;
            tot.recoveries += amount;
            if r.claim != NO_CLAIM {
                fund.recover(&rules.claims, r.claim as usize, Fen(amount));
                log.push(FundCall::Recover { index: r.claim, amount: Fen(amount) });
            }
        }
    }
}

/// Stage 7 for county `c`: interest, then the top-up rule (the county's
/// part within its fiscal capacity for the year), and a note of whether an
/// approved claim is left unpaid with the year's top-ups run out; the
/// subsidy budget renews each January and pays what was owed first.
pub(super) fn fund_cash(
    ctx: &PathCtx,
    mc: &MonthCtx,
    cm: &CountyMonth,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
) {
    let rules = &cm.rules.rules;
    let covered = Fen(ws.agg[c].covered);
    fund_cash_of(&mut ws.funds[c], &rules.fund, mc, covered);
    ws.fund_log.push(FundCall::Cash { covered });
    if mc.cal.month == 1 && mc.t > 0 {
        let cs = &mut ws.county[c];
        tot.subsidy_paid += cs.subsidy.renew(budget(rules, ctx.m.counties[c].annual_subsidy)).0;
    }
}

/// Stage 7's fund part: interest, then the top-up rule given the covered
/// outstanding principal, then the note of unpaid claims.
pub(super) fn fund_cash_of(fund: &mut Fund, rules: &FundRules, mc: &MonthCtx, covered: Fen) {
    fund.deposit_interest(rules);
    fund.top_up(rules, mc.cal.year, mc.cal.month, covered);
    fund.note_unpaid(rules, mc.t as u16);
}
