//! Lending beyond the leverage multiple and top-ups within each county's
//! fiscal capacity (issue 11, item 6): what a loan beyond the multiple gets
//! (refused, lent uncovered, or covered by a county top-up), top-ups that
//! run out when the county budget is spent, and the outputs that name the
//! counties where they did. Statistical checks are paired on common random
//! numbers: the same seed with one rule changed, the mean paired difference
//! more than 3 standard errors from zero (as in `mechanisms.rs`).

use mcstress_engine::{Model, PathResult, WatchThresholds, stress, summarize};
use mcstress_scenario::Scenario;

use crate::support::{assert_up, diff, extended, simulate, small_text};

const PATHS: u32 = 16;
const SEED: u64 = 11;
/// Lancang's index in the small scenario: its starting book is about 32 ×
/// its 5,000,000 yuan fund, beyond the multiple of 20 from the start, so
/// every first loan it lends is beyond the multiple.
const LANCANG: usize = 2;

/// The small scenario, its Lancang county's fund field replaced by
/// `lancang` (fund and extra fields), extended by the tables of `extra`.
fn small_with(lancang: &str, extra: &str) -> Scenario {
    let text = small_text();
    let entry = "fund_yuan = \"5000000\" }";
    assert!(text.contains(entry), "the small scenario's Lancang entry");
    extended("small.toml", &text.replace(entry, &format!("{lancang} }}")), extra, None)
}

/// The small scenario with extra fields after Lancang's fund.
fn small(lancang: &str, extra: &str) -> Scenario {
    small_with(&format!("fund_yuan = \"5000000\"{lancang}"), extra)
}

fn run(s: &Scenario) -> (Model, Vec<PathResult>) {
    simulate(s, PATHS, SEED, 2)
}

/// The rules of one arm: `leverage_excess`, unlimited fiscal capacity, and
/// uncovered loans written off at the claim trigger (six months overdue),
/// so that a lost loan's loss shows in the same month under every rule.
fn leverage(excess: &str) -> String {
    format!(
        "[rules.lending]\nleverage_excess = \"{excess}\"\nwrite_off_months = 6\n\n\
         [rules.fund]\nfiscal_capacity = \"unlimited\"\n"
    )
}

#[test]
fn capped_top_ups_run_out_and_the_outputs_name_the_county_where_they_did() {
    // Lancang's fund is small (300,000 yuan for a book of 4,000 loans) and
    // its budget can put in 1,000 yuan a year; the other counties' capacity
    // is unlimited.
    let unlimited = "[rules.fund]\nfiscal_capacity = \"unlimited\"";
    let tight = small_with("fund_yuan = \"300000\", fiscal_capacity_yuan = \"1000\"", unlimited);
    let (m, paths) = run(&tight);
    let s = summarize(&m, SEED, &paths);
    let ran_out: Vec<f64> = s.counties.iter().map(|c| c.top_ups_ran_out_probability.p).collect();
    assert!(ran_out[LANCANG] > 0.5, "Lancang's top-ups ran out on few paths: {ran_out:?}");
    assert!(ran_out.iter().enumerate().all(|(c, p)| c == LANCANG || *p == 0.0), "{ran_out:?}");
    let named: Vec<&str> = s.counties_top_ups_ran_out.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(named, ["530828"]);
    assert!(s.province.leverage_and_top_ups.top_ups_ran_out_probability.p > 0.5);
    let st = stress(&m, SEED, &paths, WatchThresholds::default());
    let named: Vec<&str> = st.counties_top_ups_ran_out.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(named, ["530828"]);
    let text = mcstress_report::stress_text(&st);
    let section = text.split("top-ups ran out").nth(1).expect("the stress text lists the counties");
    assert!(section.contains("530828") && !section.contains("530621"), "{text}");
    // The county's part never passes its capacity in a calendar year: two
    // years touched, at most 1,000 yuan each (every form is the county's).
    for p in &paths {
        assert!(p.counties[LANCANG].top_ups <= 2 * 100_000, "{} fen", p.counties[LANCANG].top_ups);
    }
    // What is left unpaid at the end is put down to the spent budget.
    let lancang = &s.counties[LANCANG].unpaid_approved_end_yuan;
    assert!(lancang.top_ups_spent.mean > 0.0 && lancang.awaiting_top_up.mean == 0.0, "{lancang:?}");
    // The same scenario with Lancang's capacity unlimited: nobody runs out.
    let (m, paths) = run(&small_with("fund_yuan = \"300000\"", unlimited));
    let s = summarize(&m, SEED, &paths);
    assert!(s.counties_top_ups_ran_out.is_empty());
    assert_eq!(s.province.leverage_and_top_ups.top_ups_ran_out_probability.p, 0.0);
}

#[test]
fn lending_uncovered_beyond_the_multiple_lends_the_requests_a_refusal_refused() {
    let (_, refuse) = run(&small("", &leverage("refuse")));
    let (_, uncovered) = run(&small("", &leverage("uncovered")));
    assert!(refuse.iter().all(|p| p.totals.refused_by_leverage > 0 && p.totals.loans_uncovered == 0));
    assert!(uncovered.iter().all(|p| p.totals.refused_by_leverage == 0 && p.totals.loans_uncovered > 0));
    assert_up(diff(&refuse, &uncovered, |p| p.totals.new_loans as f64), "new first loans");
    assert_up(diff(&uncovered, &refuse, |p| p.totals.unmet_refused as f64), "requests refused");
    assert_up(diff(&refuse, &uncovered, |p| p.totals.disbursed as f64), "disbursed");
}

#[test]
fn beyond_the_multiple_the_loss_is_the_banks_when_uncovered_and_the_funds_after_a_top_up() {
    let (_, uncovered) = run(&small("", &leverage("uncovered")));
    let (_, top_up) = run(&small("", &leverage("top_up")));
    // With an unlimited budget every loan beyond the multiple is covered by
    // a top-up: none refused, none lent uncovered.
    assert!(top_up.iter().all(|p| p.totals.refused_by_leverage == 0 && p.totals.loans_uncovered == 0));
    assert!(top_up.iter().all(|p| p.totals.leverage_top_ups > 0));
    assert!(uncovered.iter().all(|p| p.totals.leverage_top_ups == 0));
    assert_up(diff(&uncovered, &top_up, |p| p.totals.top_ups as f64), "top-ups");
    assert_up(diff(&uncovered, &top_up, |p| p.totals.claims_paid as f64), "claims paid by the funds");
    assert_up(diff(&top_up, &uncovered, |p| p.totals.loss_bank as f64), "loss borne by the banks");
    // D4: the loans beyond the multiple earn no subsidy either.
    assert_up(diff(&uncovered, &top_up, |p| p.totals.subsidy_paid as f64), "subsidy paid");
}

#[test]
fn a_leverage_top_up_the_budget_cannot_pay_refuses_the_loan() {
    let (m, unlimited) = run(&small("", &leverage("top_up")));
    assert!(unlimited.iter().all(|p| p.totals.refused_by_leverage == 0));
    // Lancang's budget: enough to bring its fund to its starting book ÷ 20,
    // and 1,000,000 yuan a year more (each new 50,000-yuan loan beyond the
    // multiple needs 2,500 yuan); its restore draws on the same budget.
    let s = summarize(&m, SEED, &unlimited);
    let c = &s.counties[LANCANG];
    let catch_up = c.outstanding_start_yuan / 20.0 - c.fund_start_yuan;
    assert!(catch_up > 0.0, "Lancang starts beyond the multiple");
    let capacity = (catch_up + 1_000_000.0).round() as i64;
    let (_, capped) = run(&small(&format!(", fiscal_capacity_yuan = \"{capacity}\""), &leverage("top_up")));
    for p in &capped {
        assert!(p.totals.refused_by_leverage > 0, "the capacity ran out");
        assert!(p.totals.leverage_top_ups > 0, "until then the county topped up");
        let fen = p.counties[LANCANG].top_ups;
        assert!(fen <= 2 * capacity * 100, "{fen} fen over two calendar years of {capacity} yuan");
    }
}

#[test]
fn a_fiscal_capacity_in_yuan_without_its_amount_and_an_unknown_leverage_rule_are_named_errors() {
    let text = small_text().replace(
        "[rules.compensation]",
        "[rules.fund]\nfiscal_capacity = \"yuan\"\n\n[rules.lending]\nleverage_excess = \"cover\"\n\n[rules.compensation]",
    );
    let dir = crate::support::scratch("top-ups-errors");
    let file = crate::support::write(&dir, "bad.toml", &text);
    let (code, out, err) =
        crate::support::cli(&["run", file.to_str().expect("a UTF-8 path"), "--paths", "2"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "no partial output: {out}");
    assert!(
        err.contains("bad.toml")
            && err.contains("rules.fund.fiscal_capacity_yuan")
            && err.contains("an amount in yuan"),
        "{err}"
    );
    assert!(
        err.contains("rules.lending.leverage_excess") && err.contains("\"refuse\"") && err.contains("cover"),
        "{err}"
    );
}
