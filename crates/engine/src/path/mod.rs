//! One simulated path: the monthly step of design §4 for every county and
//! loan, month by month.
//!
//! Order within a month, and the file that holds each stage:
//!
//! | stage | what happens | notice | file |
//! |---|---|---|---|
//! | 1 | province, prefecture and county factors; industry prices; disasters (stochastic and scripted); bank exits and takeovers; enterprise failures | 二(三), 三(二) 户贷企用 | `shocks.rs` |
//! | 2–4 | every loan of a county with an event this month: an overdue loan cures or rolls, and is claimed or written off at its limit; a payment due is paid or missed; at maturity extension or renewal; a clean repayer climbs the 5+5+N ladder | 三(一), 三(二), 二(二) | `loans.rs` (the only hot part) |
//! | 5 | claims and the fund's payments; recoveries; the suspension review | 三(三) | `claims.rs` |
//! | 6 | demand surveys and new first loans by township (requests, refusals, approval lag, the post-disaster fast track) | 二(一), 二(四) | `lending.rs` |
//! | 7 | fund interest and top-ups; the subsidy budget (the subsidy itself is booked with each on-time interest payment, quarterly) | 二(二) 贴息 | `claims.rs` |
//! | 8 | record the month; at the end, close the books | | `result.rs` |
//!
//! Stages 2–8 run county by county within the month (a county's fund
//! couples its loans). Each county-month reads its rules once
//! (`PathCtx::rules_for`, held by `CountyMonth`): a county may have rules
//! of its own, and rules may change at a date. The path's state between months is in `state.rs`;
//! what the path and the month know before they start, in `context.rs`.

mod claims;
mod context;
mod lending;
mod loans;
mod result;
mod shocks;
mod state;

pub use result::{
    COUNTY_FIGURES, CountyOutcome, FIG_COVERAGE, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, FIG_OVERDUE_RATE,
    PathResult, PathTotals, TOWNSHIP_RATE_UNIT, UnpaidEnd,
};
pub(crate) use state::Workspace;

use crate::model::Model;

use context::{MonthCtx, PathCtx};
use loans::CountyMonth;
use result::Record;

/// The province factor of each month of path `path` and the path's log
/// likelihood ratio, from stage 1's own draws (the rest of the path is not
/// simulated).
pub(crate) fn province_factors(m: &Model, ws: &mut Workspace, seed: u64, path: u64) -> (Vec<f64>, f64) {
    ws.reset(m);
    let ctx = PathCtx::new(m, seed, path);
    let horizon = m.scenario.horizon_months as usize;
    let mut out = Vec::with_capacity(horizon);
    for t in 0..horizon {
        let mc = MonthCtx::new(ctx.s, t);
        shocks::factors_and_prices(&ctx, &mc, ws);
        out.push(ws.province_factor);
    }
    (out, ws.log_weight)
}

/// Simulates path `path` with master seed `seed`.
pub(crate) fn simulate(m: &Model, ws: &mut Workspace, seed: u64, path: u64) -> PathResult {
    ws.reset(m);
    let ctx = PathCtx::new(m, seed, path);
    for book in &mut ws.books {
        book.rekey(ctx.streams.loan);
    }
    let horizon = m.scenario.horizon_months as usize;
    let mut rec = Record::new(m, horizon);
    for t in 0..horizon {
        let mc = MonthCtx::new(ctx.s, t);
        shocks::shocks_of_the_month(&ctx, &mc, ws, &mut rec.tot);
        ws.plain_thr.fill(f64::NAN);
        for c in 0..ctx.n_c {
            let cm = CountyMonth::read(&ctx, &mc, ws, c);
            loans::step_loans(&ctx, &mc, &cm, ws, c, &mut rec.tot, &mut rec.loss_base_total);
            claims::claims_and_suspension(&ctx, &mc, &cm, ws, c, &mut rec.tot);
            lending::new_lending(&ctx, &mc, &cm, ws, c, &mut rec.tot);
            claims::fund_cash(&ctx, &mc, &cm, ws, c, &mut rec.tot);
            rec.county_month(&ctx, &mc, ws, c);
        }
        rec.province_month();
    }
    rec.tot.log_weight = ws.log_weight;
    rec.finish(&ctx, ws)
}
