//! Every mechanism of the notice moves the results in the direction it
//! should, on common random numbers: each test runs the small scenario
//! with the mechanism and without it under the same seed, and bounds the
//! paired difference (mean more than 3 standard errors from zero, unless
//! stated otherwise).

use mcstress_engine::PathResult;

use crate::support::{assert_down, assert_up, diff, simulate, small};

const PATHS: u32 = 24;
const SEED: u64 = 31;

/// Runs a file that extends the small scenario with the tables of `extra`.
fn run_with(extra: &str) -> Vec<PathResult> {
    run_paths(extra, PATHS)
}

/// [`run_with`] on `paths` paths.
fn run_paths(extra: &str, paths: u32) -> Vec<PathResult> {
    simulate(&small(extra), paths, SEED, 2).1
}

fn peak(p: &PathResult) -> f64 {
    p.peak_overdue
}

#[test]
fn the_5_5_n_ladder_adds_follow_up_and_commercial_balances() {
    // Follow-up loans beside first loans (the default), short, so that
    // commercial credit is reached within the 24 months of the small
    // scenario.
    let off = run_with(
        "[rules.ladder]\nfollow_up_uptake_monthly = 0\ncommercial_uptake = 0\nfollow_up_term_months = 6",
    );
    let on = run_with(
        "[rules.ladder]\nfollow_up_uptake_monthly = 0.05\ncommercial_uptake = 0.5\nfollow_up_term_months = 6",
    );
    assert!(off.iter().all(|p| p.totals.outstanding_end_by_product[1] == 0));
    assert_up(diff(&off, &on, |p| p.totals.outstanding_end_by_product[1] as f64), "follow-up balance");
    assert_up(diff(&off, &on, |p| p.totals.loans_by_product[2] as f64), "commercial loans");
    assert_up(diff(&off, &on, |p| p.totals.outstanding_end as f64), "total balance");
}

#[test]
fn demand_surveys_raise_coverage() {
    let off = run_with("[rules.demand]\nsurvey_uplift = 0");
    let on = run_with("[rules.demand]\nsurvey_uplift = 3.0");
    assert!(on.iter().map(|p| p.totals.surveys).sum::<i64>() > 0);
    assert_up(diff(&off, &on, |p| p.totals.borrowers_end as f64), "households with a loan");
}

#[test]
fn unmet_demand_is_counted_by_reason() {
    // Lancang-like county without a bank in a fifth of its townships (the
    // small scenario's first county has 80 % coverage).
    let base = run_with("");
    assert!(base.iter().all(|p| p.totals.unmet_no_bank > 0));
    assert!(base.iter().all(|p| p.totals.unmet_refused > 0));
    let strict = run_with("[rules.demand]\nbank_refusal = 0.5");
    assert_up(diff(&base, &strict, |p| p.totals.unmet_refused as f64), "refusals");
    assert_down(diff(&base, &strict, |p| p.totals.new_loans as f64), "new loans");
}

#[test]
fn bank_exits_leave_townships_unserved_and_cut_lending() {
    // Fewer loans in the townships a bank left frees leverage room for the
    // county's other townships, which makes the difference in new loans
    // noisy: 48 paths.
    let base = run_paths("", 2 * PATHS);
    let exits = run_paths(
        "[rules.service]\ntakeover_months = 9\n\n[[rules.service.exits]]\nmonth = \"2024-04\"\ncounties = [\"530622\", \"530828\"]\nshare = 0.5",
        2 * PATHS,
    );
    assert_up(diff(&base, &exits, |p| p.totals.unserved_township_months as f64), "unserved township-months");
    assert_up(diff(&base, &exits, |p| p.totals.unmet_no_bank as f64), "requests with no bank");
    assert_down(diff(&base, &exits, |p| p.totals.new_loans as f64), "new loans");
}

#[test]
fn the_post_disaster_fast_track_lends_to_monitored_households() {
    // Room under the leverage limit, so that requests become loans.
    let quake = "[rules.lending]\nleverage_max = 1000\n\n[[shocks.events]]\nkind = \"earthquake\"\n\
                 month = \"2024-03\"\ncounties = [\"530621\"]\nseverity = 2.0";
    let off = run_with(&format!("{quake}\n\n[rules.demand]\napproval_lag_months = 2"));
    let on = run_with(&format!(
        "{quake}\n\n[rules.demand]\napproval_lag_months = 2\nfast_track = true\nfast_track_uplift = 5.0"
    ));
    assert!(off.iter().all(|p| p.totals.fast_track_loans == 0));
    assert!(on.iter().all(|p| p.totals.fast_track_loans > 0));
    assert_up(diff(&off, &on, |p| p.totals.new_loans as f64), "new loans");
}

#[test]
fn collection_by_cadres_lowers_overdue_and_raises_recoveries() {
    let off = run_with("[rules.collection]\ncadre_boost = 0");
    let on = run_with("[rules.collection]\ncadre_boost = 2.0");
    assert_up(diff(&off, &on, |p| p.totals.recoveries as f64), "recoveries");
    assert_down(diff(&off, &on, |p| p.totals.written_off as f64), "written off");
}

#[test]
fn reminders_before_due_dates_lower_overdue() {
    let off = run_with("[rules.collection]\nreminders = false");
    let on = run_with("[rules.collection]\nreminders = true\nreminder_factor = 0.7");
    assert_down(diff(&off, &on, peak), "peak overdue rate");
}

#[test]
fn loans_used_by_failing_enterprises_raise_overdue() {
    let off = run_with("[behaviour]\nmisuse_share = 0");
    let on = run_with("[behaviour]\nmisuse_share = 0.3\nenterprise_failure_monthly = 0.05");
    assert_up(diff(&off, &on, peak), "peak overdue rate");
}

#[test]
fn contagion_raises_overdue() {
    let off = run_with("[behaviour]\ncontagion = 0");
    let on = run_with("[behaviour]\ncontagion = 30");
    assert_up(diff(&off, &on, peak), "peak overdue rate");
}

#[test]
fn strategic_default_raises_overdue_once_the_fund_pays() {
    let off = run_with("[behaviour]\nstrategic_default = 0\nlow_willingness_share = 0.3");
    let on = run_with("[behaviour]\nstrategic_default = 2.0\nlow_willingness_share = 0.3");
    assert_up(diff(&off, &on, |p| p.totals.written_off as f64), "written off");
}

#[test]
fn borrowers_who_see_the_fund_pay_for_longer_default_more() {
    let on = "[behaviour]\nstrategic_default = 2.0\nlow_willingness_share = 0.3";
    // The windows differ only once a fund has paid (from about month 8 of
    // the 24), and the small scenario's maturities, most of its failures,
    // are near certain for its riskiest cells either way: 96 paths.
    let short = run_paths(&format!("{on}\nstrategic_window_months = 1"), 4 * PATHS);
    let long = run_paths(&format!("{on}\nstrategic_window_months = 24"), 4 * PATHS);
    assert_up(diff(&short, &long, |p| p.totals.written_off as f64), "written off");
}

#[test]
fn a_late_subsidy_raises_overdue_and_a_short_budget_leaves_subsidy_owed() {
    let base = run_with("");
    let late = run_with("[rules.subsidy]\ndelay_months = 3");
    assert_up(diff(&base, &late, peak), "peak overdue rate");
    let short = run_with("[rules.subsidy]\ncounty_budget_share = 0.5");
    assert!(base.iter().all(|p| p.totals.subsidy_late_end == 0));
    assert!(short.iter().all(|p| p.totals.subsidy_late_end > 0));
}

#[test]
fn new_overdue_episodes_are_counted_where_they_start() {
    // Harder final payments move new overdue episodes to maturity, and
    // leave those at interest dates about as they were.
    let plain = run_with("[behaviour]\nmaturity_multiplier = 1.0");
    let hard = run_with("[behaviour]\nmaturity_multiplier = 8.0");
    let at_maturity = |p: &PathResult| p.totals.new_overdue_at_maturity as f64;
    assert_up(diff(&plain, &hard, at_maturity), "new overdue at maturity");
    // Both kinds occur on every path of this book.
    for p in plain.iter().chain(&hard) {
        assert!(p.totals.new_overdue_at_interest > 0 && p.totals.new_overdue_at_maturity > 0);
    }
    let share = |ps: &[PathResult]| {
        let (i, m) = ps.iter().fold((0, 0), |(i, m), p| {
            (i + p.totals.new_overdue_at_interest, m + p.totals.new_overdue_at_maturity)
        });
        m as f64 / (i + m) as f64
    };
    assert!(share(&hard) > 2.0 * share(&plain), "{} against {}", share(&hard), share(&plain));
}
