//! Relief at maturity as practised (issue 11, item 3): extension (展期) or
//! renewal (续贷) for a willing borrower whose difficulty is short-term and
//! from a cause outside their control, a limited number of times over the
//! loan's life. Tests run the small scenario on common random numbers.

use mcstress_engine::{Estimate, PathResult};

use crate::support::{simulate, small};

const PATHS: u32 = 24;
const SEED: u64 = 47;

fn run_with(extra: &str) -> Vec<PathResult> {
    simulate(&small(extra), PATHS, SEED, 2).1
}

fn reliefs(p: &PathResult) -> i64 {
    p.totals.extensions + p.totals.renewals
}

/// Share of the borrowers in distress at maturity who were relieved.
fn relieved_share(p: &PathResult) -> f64 {
    let relieved = reliefs(p) as f64;
    relieved / (relieved + p.totals.new_overdue_at_maturity as f64)
}

#[test]
fn an_unwilling_borrower_gets_no_relief() {
    let willing = run_with("[behaviour]\nlow_willingness_share = 0");
    let unwilling = run_with("[behaviour]\nlow_willingness_share = 1");
    assert!(willing.iter().all(|p| reliefs(p) > 0));
    for (k, p) in unwilling.iter().enumerate() {
        assert_eq!(reliefs(p), 0, "path {k}: an unwilling borrower was relieved");
        assert!(p.totals.new_overdue_at_maturity > 0);
    }
}

#[test]
fn a_loan_is_relieved_at_most_once_over_its_life_by_default() {
    // The extension is tried first and a renewal needs everything an
    // extension needs: with one relief per loan, no loan is ever renewed.
    let once = run_with("");
    let twice = run_with("[rules.relief]\nmax_per_loan = 2");
    for (k, p) in once.iter().enumerate() {
        assert!(p.totals.extensions > 0);
        assert_eq!(p.totals.renewals, 0, "path {k}: a second relief was granted");
    }
    assert!(twice.iter().map(|p| p.totals.renewals).sum::<i64>() > 0);
    let none = run_with("[rules.relief]\nmax_per_loan = 0");
    assert!(none.iter().all(|p| reliefs(p) == 0));
}

#[test]
fn a_price_fall_outside_the_borrowers_control_is_relieved_more_often() {
    // Every industry's price falls by 40 % in the second month: the part of
    // the distress at maturity the fall caused qualifies for relief, so the
    // share of distressed borrowers relieved rises from the ordinary share.
    let fall: String = ["cattle", "pigs", "tea", "coffee", "fruit_veg", "migrant_wages", "other"]
        .iter()
        .map(|i| {
            format!("[[shocks.events]]\nkind = \"price\"\nindustry = \"{i}\"\nmonth = \"2024-02\"\nprice_change = -0.4\n")
        })
        .collect();
    let calm = run_with("[behaviour]\nlow_willingness_share = 0");
    let shocked = run_with(&format!("[behaviour]\nlow_willingness_share = 0\n{fall}"));
    let d: Vec<f64> = calm.iter().zip(&shocked).map(|(a, b)| relieved_share(b) - relieved_share(a)).collect();
    let e = Estimate::from_values(&d);
    assert!(e.mean > 3.0 * e.se && e.mean > 0.0, "relieved share: diff {} se {}", e.mean, e.se);
}
