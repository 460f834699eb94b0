//! The "5+5+N" ladder as the notice says (二(二), issue 11 item 7): the
//! follow-up loan (追贷) is held beside the first loan, on its own
//! eligibility rules, so that a household can owe 10万 at once; commercial
//! credit (the "N") stays outside the programme's overdue and NPL ratios
//! and its coverage, and is reported on its own.
//!
//! Hand-worked on the tiny book (tests/data/tiny.toml): 20 loans of 10,000
//! yuan, two months old, whose first quarterly interest falls due in the
//! first simulated month (month 0) and the next every three months. Grade
//! B never misses a payment, grade A always does.

use mcstress_engine::{COUNTY_FIGURES, FIG_COVERAGE, FIG_OUTSTANDING_YUAN, Model, PathResult};
use mcstress_scenario::Scenario;
use mcstress_scenario::import::{Date, SyntheticCounty, synthetic_csv, synthetic_ledger};

use crate::support::{cli, root, scratch, simulate, small_text, tiny, write};

/// Loans of the tiny book.
const LOANS: i64 = 20;
/// A first loan of the tiny book and a follow-up loan, yuan.
const FIRST_YUAN: f64 = 10_000.0;
const FOLLOW_UP_YUAN: f64 = 50_000.0;

/// One path of a scenario.
fn run(s: &Scenario) -> PathResult {
    mcstress_engine::simulate_path(&Model::prepare(s), 5, 0)
}

/// A figure of the tiny county at the end of month `t` (0-based).
fn fig(p: &PathResult, t: usize, figure: usize) -> f64 {
    p.county_monthly[t * COUNTY_FIGURES + figure]
}

/// The tiny book, every loan of grade B (it pays), with the ladder's
/// fields `ladder` (TOML lines of `[rules.ladder]`).
fn paying(ladder: &str) -> Scenario {
    tiny(&format!("[portfolio]\ngrade_mix = {{ a = 0.0, b = 1.0 }}\n\n[rules.ladder]\n{ladder}\n"))
}

#[test]
fn a_household_holds_its_follow_up_loan_beside_its_current_first_loan() {
    // Every eligible holder asks at once: each of the 20 households pays its
    // quarter's interest in month 0 and takes 50,000 yuan beside its 10,000.
    let p = run(&paying("follow_up_uptake_monthly = 1.0\nfollow_up_min_months_held = 0"));
    assert_eq!(p.totals.loans_by_product[1], LOANS, "one follow-up per first loan");
    assert_eq!(fig(&p, 0, FIG_OUTSTANDING_YUAN), LOANS as f64 * (FIRST_YUAN + FOLLOW_UP_YUAN));
    // Both loans are outstanding at the end of the 12 months (the first
    // matures in month 34, the follow-up in month 36): every household owes
    // 60,000 yuan on two programme loans at once.
    assert_eq!(p.totals.two_loan_households_end, LOANS);
    assert_eq!(p.totals.outstanding_end_by_product, [20_000_000, 100_000_000, 0]);
    // Coverage counts households, not loans: 20 of 20, not 40.
    assert_eq!(p.totals.borrowers_end, LOANS);
    assert_eq!(fig(&p, 11, FIG_COVERAGE), 1.0);
    assert_eq!(p.counties[0].coverage_end, 1.0);
}

#[test]
fn a_follow_up_waits_until_the_first_loan_has_been_held_long_enough() {
    // Disbursed three months before month 0 (its first quarter's interest
    // is due in month 0): held 3 months then, 6 at the next interest date
    // (month 3). With 4 months required the follow-ups come in month 3.
    let p = run(&paying("follow_up_uptake_monthly = 1.0\nfollow_up_min_months_held = 4"));
    for t in 0..3 {
        assert_eq!(fig(&p, t, FIG_OUTSTANDING_YUAN), LOANS as f64 * FIRST_YUAN, "month {t}");
    }
    assert_eq!(fig(&p, 3, FIG_OUTSTANDING_YUAN), LOANS as f64 * (FIRST_YUAN + FOLLOW_UP_YUAN));
    assert_eq!(p.totals.two_loan_households_end, LOANS);
}

#[test]
fn programme_debt_above_the_household_limit_refuses_the_follow_up() {
    // 10,000 + 50,000 passes a limit of 59,999 yuan: no follow-up.
    let p = run(&paying(
        "follow_up_uptake_monthly = 1.0\nfollow_up_min_months_held = 0\nmax_programme_debt_yuan = 59999",
    ));
    assert_eq!(p.totals.loans_by_product[1], 0);
    assert_eq!(p.totals.two_loan_households_end, 0);
    // At exactly the limit it is lent.
    let p = run(&paying(
        "follow_up_uptake_monthly = 1.0\nfollow_up_min_months_held = 0\nmax_programme_debt_yuan = 60000",
    ));
    assert_eq!(p.totals.loans_by_product[1], LOANS);
}

#[test]
fn a_first_loan_ever_overdue_gets_no_follow_up() {
    // Half grade A (misses its first payment and never cures), half grade
    // B: only the ten households that pay take follow-ups.
    let s = tiny(
        "[portfolio]\ngrade_mix = { a = 0.5, b = 0.5 }\n\n[rules.ladder]\nfollow_up_uptake_monthly = 1.0\n\
         follow_up_min_months_held = 0\n",
    );
    let p = run(&s);
    // Every loan has the same principal: without follow-ups, the overdue
    // rate of month 0 counts the grade-A loans (the grade mix spreads
    // grades by a Weyl sequence).
    let without = run(&tiny("[portfolio]\ngrade_mix = { a = 0.5, b = 0.5 }\n"));
    let missed = (without.province_overdue[0] * LOANS as f64).round() as i64;
    assert!((8..=12).contains(&missed), "{missed}");
    assert_eq!(p.totals.loans_by_product[1], LOANS - missed);
    assert_eq!(p.totals.two_loan_households_end, LOANS - missed);
}

#[test]
fn the_old_rule_lends_the_follow_up_only_after_the_first_is_repaid() {
    // follow_up_when = "after": no first loan matures within the 12 months,
    // so no follow-up, however keen the households.
    let p = run(&paying(
        "follow_up_when = \"after\"\nfollow_up_uptake = 1.0\nfollow_up_uptake_monthly = 1.0\n\
         follow_up_min_months_held = 0",
    ));
    assert_eq!(p.totals.loans_by_product[1], 0);
    assert_eq!(p.totals.two_loan_households_end, 0);
}

/// A ledger of the tiny county's 20 loans; the first `commercial` of them
/// are commercial loans, and the first `overdue` of them 45 days overdue.
fn tiny_ledger(commercial: usize, overdue: usize) -> String {
    let county = SyntheticCounty { code: 530102, name: "五华区".into(), townships: 1, loans: 20 };
    let mut rows = synthetic_ledger(&[county], Date { year: 2023, month: 12, day: 31 }, 3);
    for (k, r) in rows.iter_mut().enumerate() {
        // Columns: 贷款产品 (8), 逾期天数 (15).
        r[8] = if k < commercial { "商业贷款" } else { "首贷" }.to_string();
        r[15] = if k < overdue { "45" } else { "0" }.to_string();
    }
    synthetic_csv("台账", &rows)
}

/// Runs the tiny book from `ledger` (every borrower of grade B, so that no
/// current loan misses a payment; overdue loans never cure, and are written
/// off only after ten years) and returns summary.json and monthly.csv.
fn run_ledger(name: &str, ledger: &str) -> (serde_json::Value, String) {
    let dir = scratch(name);
    std::fs::write(dir.join("ledger.csv"), ledger).expect("can write the ledger");
    let tiny = root().join("tests/data/tiny.toml");
    let f = write(
        &dir,
        "scenario.toml",
        &format!(
            "extends = {:?}\n\n[data]\nledger = \"ledger.csv\"\n\n[portfolio]\ngrade_mix = {{ a = 0.0, b = 1.0 }}\n\n\
             [rules.lending]\nwrite_off_months = 120\n",
            tiny.display().to_string()
        ),
    );
    let out = dir.join("out");
    let (code, _, err) = cli(&["run", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    let monthly = std::fs::read_to_string(out.join("monthly.csv")).expect("monthly.csv");
    (serde_json::from_str(&summary).expect("json"), monthly)
}

/// The province's `figure` in every month of monthly.csv (the mean column).
fn province_rows(monthly: &str, figure: &str) -> Vec<f64> {
    monthly
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r.len() > 4 && r[2] == "province" && r[3] == figure)
        .map(|r| r[4].parse().expect("a number"))
        .collect()
}

#[test]
fn commercial_credit_going_overdue_leaves_the_programme_overdue_rate_unchanged() {
    // Half the book commercial and overdue, half first loans that pay: the
    // programme's overdue rate is 0 in every month, as in a book without
    // the commercial loans; the commercial loans are reported on their own.
    let (with_n, monthly) = run_ledger("ladder-commercial-overdue", &tiny_ledger(10, 10));
    let rates = province_rows(&monthly, "overdue_rate");
    assert_eq!(rates.len(), 13, "month 0 (the ledger date) and 12 months");
    assert!(rates.iter().all(|r| *r == 0.0), "{rates:?}");
    let p = &with_n["province"];
    assert_eq!(p["peak_overdue_rate"]["mean"], 0.0);
    assert_eq!(p["final_overdue_rate"]["mean"], 0.0);
    let c = &p["commercial"];
    let out = c["outstanding_end_yuan"]["mean"].as_f64().unwrap();
    assert!(out > 0.0);
    assert_eq!(c["overdue_end_yuan"]["mean"].as_f64().unwrap(), out, "every commercial loan still overdue");
    assert_eq!(c["overdue_rate_end"]["mean"], 1.0);
    // Coverage counts the ten households with a first loan only (month 0;
    // some first loans mature and leave within the year).
    let coverage: Vec<f64> = monthly
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r.len() > 4 && r[0] == "0" && r[2] == "530102" && r[3] == "coverage_rate")
        .map(|r| r[4].parse().expect("a number"))
        .collect();
    assert_eq!(coverage, [0.5]);
    // The programme's outstanding (monthly.csv) leaves the commercial loans
    // out; the product split in summary.json has them.
    let programme = province_rows(&monthly, "outstanding_yuan");
    let first = p["outstanding_end_by_product_yuan"]["first"]["mean"].as_f64().unwrap();
    assert_eq!(*programme.last().unwrap(), first);
    assert_eq!(p["outstanding_end_by_product_yuan"]["commercial"]["mean"].as_f64().unwrap(), out);

    // The same ten overdue loans as first loans are the programme's: half
    // its principal overdue from the ledger date on.
    let (without_n, monthly) = run_ledger("ladder-programme-overdue", &tiny_ledger(0, 10));
    let rates = province_rows(&monthly, "overdue_rate");
    assert!(rates[0] > 0.3, "{rates:?}");
    assert_eq!(without_n["province"]["commercial"]["overdue_end_yuan"]["mean"], 0.0);
    assert_eq!(without_n["province"]["commercial"]["overdue_rate_end"]["mean"], 0.0);
}

#[test]
fn follow_ups_beside_first_loans_raise_the_follow_up_balance_on_common_random_numbers() {
    // The small scenario, 24 paths: follow-ups beside first loans against
    // none (paired, beyond 3 standard errors).
    let run_small = |uptake: f64| {
        let s = crate::support::extended(
            "small.toml",
            &small_text(),
            &format!("[rules.ladder]\nfollow_up_uptake_monthly = {uptake}\n"),
            None,
        );
        simulate(&s, 24, 11, 2).1
    };
    let (off, on) = (run_small(0.0), run_small(0.02));
    let paired = |f: &dyn Fn(&PathResult) -> f64| {
        let d: Vec<f64> = off.iter().zip(&on).map(|(a, b)| f(b) - f(a)).collect();
        mcstress_engine::Estimate::from_values(&d)
    };
    assert!(off.iter().all(|p| p.totals.two_loan_households_end == 0));
    for (what, e) in [
        ("follow-up balance", paired(&|p| p.totals.outstanding_end_by_product[1] as f64)),
        ("households with two programme loans", paired(&|p| p.totals.two_loan_households_end as f64)),
        ("disbursed", paired(&|p| p.totals.disbursed as f64)),
    ] {
        assert!(e.mean > 3.0 * e.se && e.mean > 0.0, "{what}: diff {} se {}", e.mean, e.se);
    }
}
