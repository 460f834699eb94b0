//! One simulated path: the monthly step of design §4 for every county and
//! loan, month by month.
//!
//! The stages of a month, and the file that holds each:
//!
//! | stage | what happens | notice | file |
//! |---|---|---|---|
//! | 1 | province, prefecture and county factors; industry prices; disasters (stochastic and scripted); bank exits and takeovers; enterprise failures | 二(三), 三(二) 户贷企用 | `shocks.rs` |
//! | 2–4 | every loan of a county with an event this month: an overdue loan cures or rolls, and is claimed or written off at its limit; a payment due is paid or missed; at maturity extension or renewal; a clean repayer climbs the 5+5+N ladder (quarterly dates a loan surely pays are skipped, their subsidy paid in one sum: `skip.rs`) | 三(一), 三(二), 二(二) | `loans.rs` (the only hot part) |
//! | 5 | claims and the fund's payments; recoveries; the suspension review | 三(三) | `claims.rs` |
//! | 6 | demand surveys and new first loans by township (requests, refusals, approval lag, the post-disaster fast track) | 二(一), 二(四) | `lending.rs` |
//! | 7 | fund interest and top-ups; the subsidy budget (the subsidy itself is booked with each on-time interest payment, quarterly) | 二(二) 贴息 | `claims.rs` |
//! | 8 | record the month; at the end, close the books | | `result.rs` |
//!
//! Counties are coupled only through stage 1's province-wide part — the
//! province, prefecture and county factors and the industry prices, which
//! read no county's loans or fund. So that part is drawn first for every
//! month of the path (`ShockMonths`), and then the counties are simulated
//! one after the other, each through every month: stage 1's county part
//! (its disasters, banks and enterprises), then stages 2–8 (a county's
//! fund couples its loans). A county's book then stays in the
//! processor's cache from one month to the next, where month by month the
//! whole province's book would pass through it every month (1.6× faster
//! on the default scenario, every output byte for byte the same: every
//! draw is keyed by its purpose, entity and month, not by the order in
//! which it is made). Each county-month reads its rules once
//! (`PathCtx::rules_for`, held by `CountyMonth`): a county may have rules
//! of its own, and rules may change at a date. The path's state between months is in `state.rs`;
//! what the path and the month know before they start, in `context.rs`.
//!
//! A comparison's revisions that change only how losses are shared ride
//! along on the base's path ([`simulate_shared`]): each county-month's
//! calls on the fund are recorded and replayed on the revisions' own funds
//! (`shadow.rs`), and a county whose fund stops giving its loans the
//! base's answers is simulated on its own.

mod claims;
mod context;
mod lending;
mod loans;
mod result;
mod shadow;
mod shocks;
mod skip;
mod state;

pub use result::{
    COUNTY_FIGURES, CountyOutcome, FIG_COVERAGE, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, FIG_OVERDUE_RATE,
    PathResult, PathTotals, TOWNSHIP_RATE_UNIT, UnpaidEnd,
};
pub(crate) use shadow::Shadow;
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
    let ctx = PathCtx::new(m, seed, path);
    let rec = simulate_record(&ctx, ws, &mut [], None);
    rec.finish(&ctx, ws)
}

/// Simulates path `path` under the rules of `m` and, on the same loans,
/// under each revision of `shadows` (models that differ from `m` only in
/// how losses are shared, see [`crate::shares_loans`]): the path of `m`
/// first, then each revision's in order. The counties in which a
/// revision's funds stop giving the loans the base's answers are simulated
/// on their own under the revision, in workspace `spare` (made at first
/// need, shared by the revisions: their books have the same shape). Returns the paths, how many county-paths
/// were simulated on their own, and how many of those from a kept state
/// rather than from the start of the path.
pub(crate) fn simulate_shared<'m>(
    m: &'m Model,
    ws: &mut Workspace,
    shadows: &mut [Shadow<'m>],
    spare: &mut Option<Workspace>,
    seed: u64,
    path: u64,
) -> (Vec<PathResult>, usize, usize) {
    let ctx = PathCtx::new(m, seed, path);
    for sh in shadows.iter_mut() {
        sh.reset();
    }
    ws.fund_log.on = !shadows.is_empty();
    let rec = simulate_record(&ctx, ws, shadows, None);
    ws.fund_log.on = false;
    let mut out = Vec::with_capacity(1 + shadows.len());
    let (mut own, mut forked) = (0, 0);
    let mut revised = Vec::with_capacity(shadows.len());
    for sh in shadows.iter_mut() {
        let ctx_r = PathCtx::new(sh.m, seed, path);
        let mut r = rec.with_funds_of(sh);
        let mask = std::mem::take(&mut sh.diverged);
        let n = mask.iter().filter(|d| **d).count();
        let p = if n == 0 {
            // The revision's funds close its record; the loans are the base's.
            std::mem::swap(&mut ws.funds, sh.funds_mut());
            let p = r.finish(&ctx_r, ws);
            std::mem::swap(&mut ws.funds, sh.funds_mut());
            p
        } else {
            own += n;
            forked += mask.iter().zip(&sh.restart).filter(|(d, k)| **d && **k > 0).count();
            let ws_r = spare.get_or_insert_with(|| Workspace::new(sh.m));
            let own_rec = simulate_record(&ctx_r, ws_r, &mut [], Some((&mask, &*sh)));
            r.take_counties(&own_rec, &mask, &sh.restart, m);
            // The diverged counties' books, balances and funds are the
            // revision's own; the others' loans the base's, their funds
            // the shadow's.
            ws.swap_counties(ws_r, &mask, m);
            for (c, _) in mask.iter().enumerate().filter(|(_, d)| **d) {
                std::mem::swap(&mut sh.funds_mut()[c], &mut ws_r.funds[c]);
            }
            std::mem::swap(&mut ws.funds, sh.funds_mut());
            let p = r.finish(&ctx_r, ws);
            std::mem::swap(&mut ws.funds, sh.funds_mut());
            for (c, _) in mask.iter().enumerate().filter(|(_, d)| **d) {
                std::mem::swap(&mut sh.funds_mut()[c], &mut ws_r.funds[c]);
            }
            ws.swap_counties(ws_r, &mask, m);
            p
        };
        sh.diverged = mask;
        revised.push(p);
    }
    out.push(rec.finish(&ctx, ws));
    out.extend(revised);
    (out, own, forked)
}

/// The months of the path of `ctx`, its shadows' funds replaying each
/// county-month's calls on the fund; the record before it is closed. With
/// `own`, only the counties its mask marks are simulated, each from its
/// restart month, from the state the shadow kept there (the shocks, which
/// do not depend on the counties' loans and funds, for all).
fn simulate_record(
    ctx: &PathCtx,
    ws: &mut Workspace,
    shadows: &mut [Shadow],
    own: Option<(&[bool], &Shadow)>,
) -> Record {
    let m = ctx.m;
    ws.reset(m);
    for book in &mut ws.books {
        book.rekey(ctx.streams.loan);
    }
    loans::fill_skip_ref(ctx, ws);
    let horizon = m.scenario.horizon_months as usize;
    let mut rec = Record::new(m, horizon);
    // Stage 1's province-wide part for the whole path, then each county
    // through every month (`ShockMonths`: counties are coupled only
    // through those shocks).
    shocks::province_months(ctx, ws);
    ws.plain_thr.fill(f64::NAN);
    for c in 0..ctx.n_c {
        let k = match own {
            Some((mask, _)) if !mask[c] => continue,
            Some((_, sh)) => sh.restart[c],
            None => 0,
        };
        // (A county restarted from a fork later on has its book and its
        // skipping restored there.)
        if ctx.bullet && k == 0 {
            loans::arm_starting_book(ctx, ws, c);
        }
        for t in 0..horizon {
            let mc = MonthCtx::new(ctx.s, t);
            shocks::county_shocks(ctx, &mc, ws, c, &mut rec.tot);
            if let Some((_, sh)) = own {
                if t < k {
                    continue;
                }
                if t == k {
                    sh.restore_fork(c, ws, &mut rec);
                }
            }
            let cm = CountyMonth::read(ctx, &mc, ws, c);
            for sh in shadows.iter_mut() {
                sh.begin_county(&cm, c, t, ws, &rec);
            }
            let tot = &mut rec.county_tot[c];
            loans::step_loans(ctx, &mc, &cm, ws, c, tot, &mut rec.county_loss_base[c]);
            claims::claims_and_suspension(ctx, &mc, &cm, ws, c, tot);
            lending::new_lending(ctx, &mc, &cm, ws, c, tot);
            claims::fund_cash(ctx, &mc, &cm, ws, c, tot);
            rec.county_month(ctx, &mc, ws, c);
            for sh in shadows.iter_mut() {
                sh.replay(&mc, c, &ws.fund_log.calls);
            }
            ws.fund_log.calls.clear();
        }
    }
    for _ in 0..horizon {
        rec.province_month();
    }
    rec.tot.log_weight = ws.log_weight;
    rec
}
