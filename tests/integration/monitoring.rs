//! Monitoring against a return to poverty (防止返贫动态监测, issue 11 item 4):
//! a disaster identifies new 监测对象 who join the pool of first loans,
//! monitored households leave on 风险消除, and the post-disaster fast track
//! reaches 脱贫户 and 监测对象 as the notice's 二(四) says. Common random
//! numbers on the small scenario.

use mcstress_engine::PathResult;

use crate::support::{assert_up, diff, simulate, small};

const PATHS: u32 = 24;
const SEED: u64 = 53;

fn run_with(extra: &str) -> Vec<PathResult> {
    simulate(&small(extra), PATHS, SEED, 2).1
}

/// A severity-3 earthquake in 鲁甸 in March 2024.
const QUAKE: &str = "[[shocks.events]]\nkind = \"earthquake\"\nmonth = \"2024-03\"\ncounties = [\"530621\"]\nseverity = 3.0\n";

#[test]
fn a_disaster_identifies_new_monitored_households_who_then_borrow() {
    let none = run_with(&format!("[rules.demand]\nmonitoring_entry_per_intensity = 0\n{QUAKE}"));
    let some = run_with(&format!("[rules.demand]\nmonitoring_entry_per_intensity = 0.05\n{QUAKE}"));
    for (a, b) in none.iter().zip(&some) {
        assert_eq!(a.totals.monitoring_entries_after_disasters, 0);
        assert!(b.totals.monitoring_entries_after_disasters > 0);
        // The ordinary turnover is the same draws on both.
        assert_eq!(
            a.totals.monitoring_entries - a.totals.monitoring_entries_after_disasters,
            b.totals.monitoring_entries - b.totals.monitoring_entries_after_disasters
        );
    }
    assert_up(diff(&none, &some, |p| p.totals.loans_by_product[0] as f64), "new first loans");
}

#[test]
fn monitored_households_leave_when_their_risk_is_removed() {
    let stay = run_with("[rules.demand]\nmonitoring_exit_monthly = 0\nmonitoring_entry_per_intensity = 0");
    let leave = run_with("[rules.demand]\nmonitoring_exit_monthly = 0.04");
    for p in &stay {
        assert_eq!((p.totals.monitoring_entries, p.totals.monitoring_exits), (0, 0));
    }
    assert!(leave.iter().all(|p| p.totals.monitoring_exits > 0 && p.totals.monitoring_entries > 0));
}

#[test]
fn the_fast_track_reaches_lifted_households_as_the_notice_says() {
    let on =
        "[rules.demand]\nfast_track = true\napproval_lag_months = 2\nmonitoring_entry_per_intensity = 0\n";
    let monitored = run_with(&format!("{on}fast_track_reach = \"monitored\"\n{QUAKE}"));
    let both = run_with(&format!("{on}fast_track_reach = \"lifted_and_monitored\"\n{QUAKE}"));
    assert_up(diff(&monitored, &both, |p| p.totals.fast_track_loans as f64), "fast-tracked loans");
}
