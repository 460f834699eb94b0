//! The claim cycle (issue 11, item 5): a covered loan past the claim
//! trigger stays on the book as non-performing through notice, legal
//! collection and loss determination, and leaves it (核销) when its loss is
//! determined; the claim is paid `payment_delay_months` later.
//!
//! First by hand on the tiny book whose fate is decided
//! (tests/data/tiny.toml: every loan misses its first payment in month 0
//! and never cures), then on the small scenario on common random numbers
//! (mean paired difference beyond 3 standard errors): the NPL stock, the
//! suspension that reads it, and the D9 story — a slow claim cycle leaves
//! the funds idle while the banks carry the losses. In test builds the
//! engine checks every county-month that its NPL stock is the principal of
//! the loans on the book 4 or more months overdue (`path/result.rs`), so
//! every run here checks that bookkeeping exactly on random books too.

use mcstress_engine::{COUNTY_FIGURES, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, Model, PathResult};
use mcstress_scenario::Scenario;

use crate::support::{assert_down, assert_up, diff, extended, simulate, small_text, tiny};

/// Principal of one loan of the tiny book, fen.
const LOAN: i64 = 1_000_000;
/// One month's interest on it at 3.45 %, fen.
const MONTH_INTEREST: i64 = 2_875;
/// Loans in the tiny book.
const LOANS: i64 = 20;
/// The tiny county's fund, fen.
const FUND: i64 = 100_000_000;

/// Every stage of the cycle takes no time: the loss is determined at the
/// trigger (the model before the cycle).
const INSTANT: &str = "notice_months = { min = 0, max = 0 }\n\
                       legal_collection_months = { min = 0, max = 0 }\n\
                       loss_determination_months = { min = 0, max = 0 }";

/// Fixed stage lengths: notice 1, legal collection 4, determination 2 —
/// seven months from the trigger to the loss determination.
const FIXED_SEVEN: &str = "notice_months = { min = 1, max = 1 }\n\
                           legal_collection_months = { min = 4, max = 4 }\n\
                           loss_determination_months = { min = 2, max = 2 }";

/// A slow cycle: a year or more of legal collection.
const SLOW: &str = "notice_months = { min = 1, max = 1 }\n\
                    legal_collection_months = { min = 12, max = 18 }\n\
                    loss_determination_months = { min = 3, max = 6 }";

/// The tiny book over 24 months with the compensation lines `lines`.
fn tiny_with(lines: &str) -> Scenario {
    tiny(&format!("[scenario]\nhorizon_months = 24\n\n[rules.compensation]\n{lines}\n"))
}

fn run(s: &Scenario) -> PathResult {
    mcstress_engine::simulate_path(&Model::prepare(s), 5, 0)
}

/// A figure of the county at the end of month `t`, fen.
fn fen(p: &PathResult, t: usize, figure: usize) -> i64 {
    (p.county_monthly[t * COUNTY_FIGURES + figure] * 100.0).round() as i64
}

/// 70 % of a loss base, to the fen.
fn share(base: i64) -> i64 {
    (base as f64 * 0.7).round() as i64
}

#[test]
fn a_claimed_loan_stays_non_performing_until_its_loss_is_determined() {
    // The loans miss in month 0 and reach the trigger (6 months overdue)
    // in month 5; the loss is determined 7 months later, in month 12, and
    // the claim paid in month 13. Until month 12 every loan is on the book
    // and non-performing from month 3 (4 months overdue).
    let p = run(&tiny_with(&format!("{FIXED_SEVEN}\npayment_delay_months = 1")));
    assert_eq!(p.province_overdue[0], 1.0, "every loan misses its first payment on this seed");
    // Interest in arrears: 3 months at the missed quarter, one more each
    // month to the trigger (5), and the cycle's 7.
    let base = LOAN + MONTH_INTEREST * (3 + 5 + 7);
    for t in 0..24 {
        let on_book = if t < 12 { LOANS * LOAN } else { 0 };
        assert_eq!(fen(&p, t, FIG_OUTSTANDING_YUAN), on_book, "outstanding in month {t}");
        let npl = if (3..12).contains(&t) { 1.0 } else { 0.0 };
        assert_eq!(p.province_npl[t], npl, "NPL ratio in month {t}");
        let balance = if t < 13 { FUND } else { FUND - LOANS * share(base) };
        assert_eq!(fen(&p, t, FIG_FUND_YUAN), balance, "fund in month {t}");
    }
    assert_eq!(p.totals.written_off, LOANS * LOAN);
    assert_eq!(p.totals.claims_due, LOANS * share(base));
    // From the missed payment (month 0) to payment (month 13).
    assert_eq!((p.totals.claims_settled, p.totals.months_to_payment), (LOANS, LOANS * 13));
}

#[test]
fn without_the_cycle_the_claimed_loan_leaves_the_book_at_the_trigger() {
    // The reduction the exact-oracle tests rely on: no stage time, the
    // loss determined (and the loan written off) at the trigger, as before
    // the cycle — so the NPL stock is lower than with it.
    let instant = run(&tiny_with(INSTANT));
    let cycle = run(&tiny_with(FIXED_SEVEN));
    let base = LOAN + MONTH_INTEREST * (3 + 5);
    for t in 0..24 {
        let on_book = if t < 5 { LOANS * LOAN } else { 0 };
        assert_eq!(fen(&instant, t, FIG_OUTSTANDING_YUAN), on_book, "outstanding in month {t}");
        let npl = if (3..5).contains(&t) { 1.0 } else { 0.0 };
        assert_eq!(instant.province_npl[t], npl, "NPL ratio in month {t}");
        assert!(cycle.province_npl[t] >= instant.province_npl[t]);
    }
    assert_eq!(instant.counties[0].claims_paid, LOANS * share(base));
    assert_eq!(instant.totals.months_to_payment, LOANS * 6, "paid in month 6, a month after the claim");
    let sum = |p: &PathResult| p.province_npl.iter().sum::<f64>();
    assert_eq!((sum(&instant), sum(&cycle)), (2.0, 9.0), "months with the whole book non-performing");
}

#[test]
fn paid_share_of_due_is_one_when_stages_are_instant_and_the_fund_ample() {
    let p = run(&tiny_with(&format!("{INSTANT}\npayment_delay_months = 0")));
    assert!(p.totals.claims_due > 0);
    assert_eq!(p.totals.claims_paid, p.totals.claims_due, "应偿尽偿");
    // With a cycle that outlasts the horizon nothing is due yet; with one
    // that ends inside it but a payment after it, the ratio is 0.
    let late = run(&tiny_with(&format!("{FIXED_SEVEN}\npayment_delay_months = 12")));
    assert!(late.totals.claims_due > 0);
    assert_eq!(late.totals.claims_paid, 0);
}

#[test]
fn a_borrower_may_still_cure_during_the_claim_cycle() {
    // No cure up to 180 days; certain beyond: every loan, 7 months overdue
    // in the first month after its trigger (month 6), pays its arrears then
    // and goes back to its schedule.
    let p = run(&tiny(
        "[scenario]\nhorizon_months = 24\n\n\
         [behaviour]\ncure_probability = { d1_30 = 0, d31_90 = 0, d91_180 = 0, d181_plus = 1 }\n\n\
         [rules.compensation]\nnotice_months = { min = 0, max = 1 }\n\
         legal_collection_months = { min = 3, max = 6 }",
    ));
    assert_eq!(p.province_overdue[5], 1.0);
    assert_eq!(p.province_npl[5], 1.0);
    assert_eq!(p.province_overdue[6], 0.0, "all cured in month 6");
    assert_eq!(p.province_npl[6], 0.0);
    assert_eq!(fen(&p, 6, FIG_OUTSTANDING_YUAN), LOANS * LOAN);
    assert_eq!((p.totals.written_off, p.totals.claims_due, p.totals.claims_paid), (0, 0, 0));
}

const PATHS: u32 = 24;
const SEED: u64 = 31;

/// The small scenario extended by the compensation lines `lines` and the
/// tables of `extra`.
fn small(lines: &str, extra: &str) -> Vec<PathResult> {
    let s = extended("small.toml", &small_text(), &format!("[rules.compensation]\n{lines}\n\n{extra}"), None);
    simulate(&s, PATHS, SEED, 2).1
}

fn fund_end(p: &PathResult) -> f64 {
    p.counties.iter().map(|c| c.fund_end as f64).sum()
}

#[test]
fn a_slow_claim_cycle_leaves_funds_idle_while_banks_carry_the_losses() {
    // The D9 story (旺苍: a fund never drawn), on common random numbers.
    let fast = small(INSTANT, "");
    let slow = small(SLOW, "");
    let npl_months = |p: &PathResult| p.province_npl.iter().sum::<f64>();
    assert_up(diff(&fast, &slow, |p| p.totals.peak_npl_rate), "peak NPL ratio");
    assert_up(diff(&fast, &slow, npl_months), "NPL ratio summed over months");
    assert_up(diff(&fast, &slow, fund_end), "fund balances at the end");
    assert_down(diff(&fast, &slow, |p| p.totals.claims_paid as f64), "claims paid");
    let paid_share = |p: &PathResult| {
        let due = p.counties.iter().map(|c| c.claims_due).sum::<i64>();
        if due > 0 { p.totals.claims_paid as f64 / due as f64 } else { 1.0 }
    };
    assert_down(diff(&fast, &slow, paid_share), "应偿尽偿");
    // Time from default to payment: the cycle's months and more.
    let months = |ps: &[PathResult]| {
        let (k, m) =
            ps.iter().fold((0, 0), |(k, m), p| (k + p.totals.claims_settled, m + p.totals.months_to_payment));
        m as f64 / k as f64
    };
    assert!(months(&slow) > months(&fast) + 12.0, "{} against {}", months(&slow), months(&fast));
}

#[test]
fn the_suspension_acts_on_the_non_performing_stock_of_the_claim_cycle() {
    // A tolerance (3 %, D3's) the province's NPL ratio passes only once
    // claimed loans stay on the book (without the cycle its peak is
    // 0.7–2.7 % on these paths, with it mostly 3–12 %): the counties
    // suspend lending far more often. (A county's own ratio may pass the
    // tolerance without the cycle too.)
    let lending =
        "[rules.lending]\nsuspension_metric = \"npl\"\nsuspension_tolerance = 0.03\nkey_county_extra = 0";
    let fast = small(INSTANT, lending);
    let slow = small(SLOW, lending);
    let max_peak = fast.iter().map(|p| p.totals.peak_npl_rate).fold(0.0, f64::max);
    assert!(max_peak < 0.03, "without the cycle the NPL ratio stays below the tolerance: {max_peak}");
    let suspending = |ps: &[PathResult]| ps.iter().filter(|p| p.totals.unmet_suspended > 0).count();
    assert!(suspending(&slow) > suspending(&fast), "{} against {}", suspending(&slow), suspending(&fast));
    assert_up(diff(&fast, &slow, |p| p.totals.unmet_suspended as f64), "requests unmet under suspension");
}

#[test]
fn a_stage_whose_longest_is_below_its_shortest_is_named_with_its_line() {
    let text = small_text().replace(
        "legal_collection_months = { min = 0, max = 0 }",
        "legal_collection_months = { min = 4, max = 2 }",
    );
    let problems: Vec<String> = match mcstress_scenario::from_str("c.toml", &text, None) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.iter().map(|x| x.to_string()).collect(),
    };
    assert_eq!(
        problems,
        ["c.toml:16:27: rules.compensation.legal_collection_months.max: expected `max` at least `min` (4), \
          found max = 2"]
    );
}

#[test]
fn a_loan_claimed_before_ninety_one_days_turns_non_performing_in_the_cycle() {
    // Trigger at 3 months overdue (90 days, no collection): the loans enter
    // the cycle in month 2, still 31–90 days overdue; they turn
    // non-performing in month 3 while in it, and leave in month 9.
    let p = run(&tiny_with(&format!("collection_months = 0\n{FIXED_SEVEN}")));
    for t in 0..24 {
        let on_book = if t < 9 { LOANS * LOAN } else { 0 };
        assert_eq!(fen(&p, t, FIG_OUTSTANDING_YUAN), on_book, "outstanding in month {t}");
        let npl = if (3..9).contains(&t) { 1.0 } else { 0.0 };
        assert_eq!(p.province_npl[t], npl, "NPL ratio in month {t}");
    }
    assert_eq!(p.totals.claims_due, LOANS * share(LOAN + MONTH_INTEREST * (3 + 2 + 7)));
}
