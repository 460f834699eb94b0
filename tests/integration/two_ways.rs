//! Two ways to fail: an interest due and a due that carries principal are
//! separate processes, each with its own probability, factor loading and
//! income-shock elasticity; concentrated maturities (集中到期) then matter,
//! and a declared disaster's repayment moratorium (延期还款) delays losses.
//! Directional checks run the small scenario both ways on common random
//! numbers (same seed, same paths) and bound the paired difference (mean
//! more than 3 standard errors from zero).

use mcstress_engine::PathResult;

use crate::support::{assert_down, assert_up, diff, extended, simulate, small_text};

const PATHS: u32 = 24;
const SEED: u64 = 8_101;

/// Runs a file that extends the small scenario with the tables of `extra`.
fn run_with(extra: &str, paths: u32) -> Vec<PathResult> {
    let s = extended("small.toml", &small_text(), extra, None);
    simulate(&s, paths, SEED, 2).1
}

/// Share of the new overdue episodes of a run that start at maturity.
fn share_at_maturity(paths: &[PathResult]) -> f64 {
    let at_m: i64 = paths.iter().map(|p| p.totals.new_overdue_at_maturity).sum();
    let at_i: i64 = paths.iter().map(|p| p.totals.new_overdue_at_interest).sum();
    at_m as f64 / (at_m + at_i) as f64
}

/// Age weights of a 36-month book whose loans mature in simulation months
/// `first..=last` (a loan `k + 1` months old matures in month `36 − k`),
/// equally.
fn maturing_in(first: usize, last: usize) -> String {
    let w: Vec<&str> = (0..36).map(|k| if (first..=last).contains(&(36 - k)) { "1" } else { "0" }).collect();
    format!("[portfolio]\nterm_months = 36\nage_weights = [{}]\n", w.join(", "))
}

/// The small scenario with the baseline's distress probabilities and the
/// rules' default activation (claims paid only while the county's overdue
/// ratio exceeds 2 %), over `months`, with the default maturity multiplier
/// (which the small scenario lowers).
fn baseline_like(months: u32) -> String {
    baseline_with(months, "maturity_multiplier = 16\n")
}

/// [`baseline_like`] with the `[behaviour]` lines `behaviour` instead.
fn baseline_with(months: u32, behaviour: &str) -> String {
    format!(
        "[scenario]\nhorizon_months = {months}\n\n[behaviour]\ndistress_probability = \
         {{ lifted = 0.012, unstable = 0.03, edge = 0.025, sudden_hardship = 0.05 }}\n{behaviour}\n\
         [rules.compensation]\nactivation = \"county_overdue_ratio\"\n"
    )
}

/// Age weights of a 36-month book whose loans mature in the springs of its
/// first three years: simulation months 3–5, 15–17 and 27–29 (as
/// `scenarios/shocks/maturity-wall.toml`, whose vintages are spring-heavy).
fn spring_wall() -> String {
    let months = [3, 4, 5, 15, 16, 17, 27, 28, 29];
    let w: Vec<&str> = (0..36).map(|k| if months.contains(&(36 - k)) { "1" } else { "0" }).collect();
    format!("[portfolio]\nterm_months = 36\nage_weights = [{}]\n", w.join(", "))
}

#[test]
fn concentrated_maturities_raise_the_peak_overdue_rate_and_the_funds_losses() {
    // The same book maturing evenly over three years or in three spring
    // waves; 48 months, so that both books mature and are claimed within
    // the horizon. A wave pushes the county overdue ratio past the 2 %
    // activation threshold, so more of the fund's share is paid (and less
    // left to the banks): the preset's mechanism (docs/model.md § 7.3).
    let paths = 64;
    let spread = run_with(&format!("{}{}", maturing_in(1, 36), baseline_like(48)), paths);
    let wall = run_with(&format!("{}{}", spring_wall(), baseline_like(48)), paths);
    assert_up(diff(&spread, &wall, |p| p.peak_overdue), "peak overdue rate");
    assert_up(diff(&spread, &wall, |p| p.totals.claims_paid as f64), "claims paid");
    assert_down(diff(&spread, &wall, |p| p.totals.loss_bank as f64), "loss borne by banks");
}

#[test]
fn most_new_overdue_episodes_start_at_maturity_and_the_one_factor_settings_restore_the_old_split() {
    // The defaults: a quarter's interest is missed rarely, a bullet's
    // principal often.
    let two = run_with(&baseline_like(24), PATHS);
    let share_two = share_at_maturity(&two);
    // The one-factor model: one multiplier of 2.5 at maturity, 1 at an
    // interest date, one loading and elasticities 1.
    let one = run_with(
        &baseline_with(
            24,
            "interest_multiplier = 1\nmaturity_multiplier = 2.5\ninterest_correlation = 0.12\n\
             maturity_correlation = 0.12\ninterest_shock_elasticity = 1\nmaturity_shock_elasticity = 1\n",
        ),
        PATHS,
    );
    let share_one = share_at_maturity(&one);
    assert!(share_two > 0.5, "share at maturity with two processes {share_two}");
    assert!(share_one < 0.25, "share at maturity with one process {share_one}");
    assert_up(
        diff(&one, &two, |p| {
            let t = &p.totals;
            t.new_overdue_at_maturity as f64 / (t.new_overdue_at_maturity + t.new_overdue_at_interest) as f64
        }),
        "share of episodes at maturity",
    );
}

#[test]
fn an_income_shock_raises_maturity_failures_relatively_more_than_interest_misses() {
    // Every loan is cattle; a scripted 40 % price fall in the first month.
    // With β_M = 1.5 and β_I = 0.5 the fall (a multiplier of 0.6^−1.5 ≈
    // 2.15 on the price's distress factor) weighs on a maturity as 2.15^1.5
    // and on a quarter's interest as 2.15^0.5: the relative rise of
    // maturity failures exceeds that of interest misses.
    let base = "[shocks.prices.cattle]\nvolatility = 0\njump_probability = 0\nmean_reversion = 0.02\n";
    let fall = "\n[[shocks.events]]\nkind = \"price\"\nmonth = \"2024-01\"\nindustry = \"cattle\"\nprice_change = -0.4\n";
    let quiet = run_with(base, PATHS);
    let shocked = run_with(&format!("{base}{fall}"), PATHS);
    let sum = |ps: &[PathResult], f: fn(&PathResult) -> i64| ps.iter().map(f).sum::<i64>() as f64;
    let (m0, m1) = (
        sum(&quiet, |p| p.totals.new_overdue_at_maturity),
        sum(&shocked, |p| p.totals.new_overdue_at_maturity),
    );
    let (i0, i1) = (
        sum(&quiet, |p| p.totals.new_overdue_at_interest),
        sum(&shocked, |p| p.totals.new_overdue_at_interest),
    );
    assert_up(diff(&quiet, &shocked, |p| p.totals.new_overdue_at_maturity as f64), "maturity failures");
    // The relative rises over all paths, and the share of episodes at
    // maturity path by path (paired).
    assert!(m1 / m0 > i1 / i0, "maturity ×{} against interest ×{}", m1 / m0, i1 / i0);
    assert_up(
        diff(&quiet, &shocked, |p| {
            let t = &p.totals;
            t.new_overdue_at_maturity as f64 / (t.new_overdue_at_maturity + t.new_overdue_at_interest) as f64
        }),
        "share of episodes at maturity",
    );
}

#[test]
fn a_moratorium_delays_losses_without_erasing_them() {
    // A declared earthquake in the first county in 2024-03 (month 2) whose
    // impact does not fade; with a 6-month moratorium the county's dues of
    // months 2–7 wait until month 8 (2024-09). 60 months, baseline-like,
    // without extensions or renewals: relief at maturity would otherwise
    // move the quake's maturities (most of them qualify, the cause being
    // outside the borrowers' control) a year on with and without the
    // moratorium, and the comparison would be of relief, not moratorium;
    // and without the suspension, which the spike after the moratorium
    // would trigger, so that both lend the same new loans.
    let quake = |months: u32| {
        format!(
            "{}\n[rules.extension]\nenabled = false\n\n[rules.renewal]\nenabled = false\n\n\
             [rules.lending]\nsuspension_tolerance = 1\nsuspend_on_fund_default = false\n\n\
             [shocks.disasters.earthquake]\npersistence = 0.999\nannual_probability = 0\n\n\
             [[shocks.events]]\nkind = \"earthquake\"\nmonth = \"2024-03\"\ncounties = [\"530621\"]\n\
             severity = 1.5\nmoratorium_months = {months}\n",
            baseline_like(60)
        )
    };
    let off = run_with(&quake(0), PATHS);
    let on = run_with(&quake(6), PATHS);
    // During the moratorium no current loan of the county turns overdue.
    assert_down(
        diff(&off, &on, |p| (2..8).map(|t| county_rate(p, 0, t)).sum::<f64>()),
        "county overdue during the moratorium",
    );
    // After it the deferred dues fall due together: the county's overdue
    // rate in the year after the moratorium is higher.
    assert_up(
        diff(&off, &on, |p| (8..26).map(|t| county_rate(p, 0, t)).sum::<f64>()),
        "county overdue after the moratorium",
    );
    // No principal is forgiven: every deferred maturity is still tested,
    // so the failures at maturity over the 60 months are not fewer beyond
    // their noise. (The interest dates of the moratorium are waived, and
    // the interest misses they would have brought with them: written-off
    // principal is lower with the moratorium, docs/model.md § 6.4.)
    let m = diff(&off, &on, |p| p.totals.new_overdue_at_maturity as f64);
    assert!(m.mean > -3.0 * m.se, "failures at maturity: diff {} se {}", m.mean, m.se);
}

/// County `c`'s overdue rate at the end of month `t`.
fn county_rate(p: &PathResult, c: usize, t: usize) -> f64 {
    let n = p.counties.len();
    p.county_monthly[(t * n + c) * mcstress_engine::COUNTY_FIGURES + mcstress_engine::FIG_OVERDUE_RATE]
}

#[test]
fn a_stochastic_disaster_is_declared_only_at_the_threshold() {
    // An earthquake strikes every township every January (multiplier 5 at
    // intensity 1). Declared at a threshold of 4, it defers every payment
    // of January–June: the book starts current, so nothing can turn
    // overdue in those months. At 6 it is not declared.
    let quake = |threshold: f64| {
        format!(
            "[shocks]\ndeclared_multiplier = {threshold}\n\n[shocks.disasters.earthquake]\n\
             annual_probability = 1\nmonths = [1]\ncounty_share = 1\ntownship_share = 1\nmoratorium_months = 6\n"
        )
    };
    let declared = run_with(&quake(4.0), 4);
    let not = run_with(&quake(6.0), 4);
    for p in &declared {
        assert!(p.province_overdue[..6].iter().all(|r| *r == 0.0), "{:?}", &p.province_overdue[..7]);
        assert!(p.province_overdue[6] > 0.0, "dues come back in July");
    }
    assert!(not.iter().all(|p| p.province_overdue[..6].iter().all(|r| *r > 0.0)));
}
