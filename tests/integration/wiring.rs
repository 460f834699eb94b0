//! How the engine wires the compensation rules in, checked on tiny books
//! whose fate is decided (tests/data/tiny.toml): every grade-A loan misses
//! its first payment and never cures, every grade-B loan pays. Each test
//! states its expectation by hand — the month a claim is filed and paid,
//! the amount, the month lending stops and resumes — and compares it with
//! the county's monthly records and outcome on one path.
//!
//! Hand calculation shared by the tests: a loan of 10,000 yuan at 3.45 %
//! owes 28.75 yuan of interest a month. A loan that misses its first
//! quarter's interest (86.25 yuan) in month `m` is `k` months overdue at
//! the end of month `m + k − 1` and has then `3 + (k − 1)` months of
//! interest in arrears. It is claimed (and leaves the book) in the month it
//! reaches the trigger, `⌈trigger_days / 30⌉ + collection_months` months
//! overdue; the claim is paid `payment_delay_months` later.
//!
//! Further down, against other independent expectations: the identities of
//! every county recomputed from its own records; the joint law of defaults
//! across counties and months (bivariate normal, stated bounds); and the
//! direction in which every shipped rule revision and policy moves the
//! figures, on common random numbers (mean paired difference beyond 3
//! standard errors).

use mcstress_engine::normal::{inv_phi, phi};
use mcstress_engine::{
    COUNTY_FIGURES, FIG_COVERAGE, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, FIG_OVERDUE_RATE, Model, PathResult,
};
use mcstress_scenario::Scenario;

use crate::support::{extended, simulate, small_text, tiny};

/// Principal of one loan, fen.
const LOAN: i64 = 1_000_000;
/// One month's interest on it at 3.45 %, fen.
const MONTH_INTEREST: i64 = 2_875;
/// Loans in the tiny book.
const LOANS: i64 = 20;
/// The tiny county's fund, fen.
const FUND: i64 = 100_000_000;

/// One path of a scenario.
fn run(s: &Scenario) -> PathResult {
    mcstress_engine::simulate_path(&Model::prepare(s), 5, 0)
}

/// A figure of county `c` at the end of month `t` (0-based).
fn fig(p: &PathResult, c: usize, t: usize, figure: usize) -> f64 {
    let n = p.counties.len();
    p.county_monthly[(t * n + c) * COUNTY_FIGURES + figure]
}

/// The fund balance of county `c` at the end of month `t`, fen.
fn fund(p: &PathResult, c: usize, t: usize) -> i64 {
    (fig(p, c, t, FIG_FUND_YUAN) * 100.0).round() as i64
}

/// The outstanding principal of county `c` at the end of month `t`, fen.
fn outstanding(p: &PathResult, c: usize, t: usize) -> i64 {
    (fig(p, c, t, FIG_OUTSTANDING_YUAN) * 100.0).round() as i64
}

/// The overdue rate of county `c` at the end of month `t`.
fn overdue(p: &PathResult, c: usize, t: usize) -> f64 {
    fig(p, c, t, FIG_OVERDUE_RATE)
}

/// The geography of the tiny book with another fund and more eligible
/// households (the arrays of a child file replace the parent's whole).
fn county(fund_yuan: &str, eligible: u32, loans: u32, extra: &str) -> String {
    format!(
        "[geography]\nprefectures = [ {{ code = \"530100\", name = \"昆明市\", industry_mix = {{ other = 1.0 }} }} ]\n\
         counties = [ {{ code = \"530102\", name = \"五华区\", prefecture = \"530100\", townships = 1, \
         eligible_households = {eligible}, loans = {loans}, fund_yuan = \"{fund_yuan}\"{extra} }} ]\n"
    )
}

/// Every loan of the book missed its first payment (distress probability
/// 0.999 each: a precondition of the hand calculation, checked rather than
/// assumed).
fn assert_all_missed(p: &PathResult) {
    assert_eq!(overdue(p, 0, 0), 1.0, "every grade-A loan misses its first payment on this seed");
}

/// The loss base of a loan claimed `k` months overdue after missing its
/// first quarter's interest: principal plus `3 + k − 1` months of interest.
fn base(k: i64) -> i64 {
    LOAN + MONTH_INTEREST * (3 + k - 1)
}

/// 70 % of a loss base, to the fen.
fn share(base: i64) -> i64 {
    (base as f64 * 0.7).round() as i64
}

fn compensation(lines: &str) -> String {
    format!("[rules.compensation]\n{lines}\n")
}

#[test]
fn a_claim_is_filed_at_the_trigger_and_paid_after_the_payment_delay() {
    // (trigger days, collection months, payment delay, months overdue at
    // the claim); the loans miss in month 0, so the claim is filed in month
    // `k − 1` and paid in month `k − 1 + delay`.
    for (days, collection, delay, k) in
        [(90, 3, 1, 6), (90, 0, 1, 3), (60, 3, 0, 5), (120, 2, 2, 6), (100, 1, 1, 5), (31, 0, 0, 2)]
    {
        let case = format!("trigger {days} days + {collection} months, delay {delay}");
        let p = run(&tiny(&compensation(&format!(
            "trigger_days_overdue = {days}\ncollection_months = {collection}\npayment_delay_months = {delay}"
        ))));
        assert_all_missed(&p);
        let filed = (k - 1) as usize;
        let paid_in = filed + delay;
        let part = share(base(k));
        for t in 0..12 {
            let on_book = if t < filed { LOANS * LOAN } else { 0 };
            assert_eq!(outstanding(&p, 0, t), on_book, "{case}: outstanding in month {t}");
            let balance = if t < paid_in { FUND } else { FUND - LOANS * part };
            assert_eq!(fund(&p, 0, t), balance, "{case}: fund in month {t}");
        }
        assert_eq!(p.totals.written_off, LOANS * LOAN, "{case}");
        assert_eq!(p.counties[0].claims_paid, LOANS * part, "{case}");
        assert_eq!(p.counties[0].exhausted_month, None, "{case}");
    }
}

#[test]
fn a_one_month_trigger_claims_in_the_month_of_the_missed_payment() {
    let p = run(&tiny(&compensation(
        "trigger_days_overdue = 30\ncollection_months = 0\npayment_delay_months = 0",
    )));
    // One month overdue at the end of month 0: claimed and paid then. (So
    // no loan is left to show as overdue; that every loan missed shows in
    // the claims paid below, one per loan.)
    assert_eq!(outstanding(&p, 0, 0), 0);
    assert_eq!(fund(&p, 0, 0), FUND - LOANS * share(base(1)));
}

#[test]
fn a_principal_only_claim_leaves_the_arrears_and_the_banks_share_to_the_bank() {
    let p = run(&tiny(&compensation("loss_base = \"principal\"")));
    assert_all_missed(&p);
    assert_eq!(p.counties[0].claims_paid, LOANS * 700_000);
    // The bank bears 30 % of the principal and all the arrears.
    assert_eq!(p.totals.loss_bank, LOANS * (base(6) - 700_000));
    assert_eq!(p.totals.loss_fund, LOANS * 700_000);
    assert_eq!(p.totals.loss_uncovered, 0);
}

#[test]
fn the_fund_is_exhausted_in_the_first_month_an_approved_claim_cannot_be_paid_in_full() {
    let part = share(base(6)); // 7,161 yuan a claim, paid in month 6
    // 50,000 yuan pays six claims and part of the seventh.
    let p = run(&tiny(&county("50000", 20, 20, "")));
    assert_all_missed(&p);
    assert_eq!(p.counties[0].exhausted_month, Some(6));
    assert_eq!(fund(&p, 0, 5), 5_000_000);
    assert_eq!(fund(&p, 0, 6), 0);
    // Independent split of the loss: the fund paid its balance; it owes
    // the rest of the seventh claim, the one it could not pay in full (the
    // claims behind it are queued, not approved, so not counted as
    // uncovered); the bank bears everything else.
    assert_eq!(p.totals.claims_paid, 5_000_000);
    assert_eq!(p.totals.loss_fund, 5_000_000);
    assert_eq!(p.totals.loss_uncovered, 7 * part - 5_000_000);
    assert_eq!(p.totals.loss_bank, LOANS * base(6) - 7 * part);
    // A fund of exactly the twenty claims pays them all and is not exhausted;
    // one fen less and it is, in the same month.
    let exact = format!("{}.{:02}", LOANS * part / 100, LOANS * part % 100);
    let p = run(&tiny(&county(&exact, 20, 20, "")));
    assert_eq!(p.counties[0].exhausted_month, None);
    assert_eq!(fund(&p, 0, 11), 0);
    let short = format!("{}.{:02}", (LOANS * part - 1) / 100, (LOANS * part - 1) % 100);
    let p = run(&tiny(&county(&short, 20, 20, "")));
    assert_eq!(p.counties[0].exhausted_month, Some(6));
}

#[test]
fn a_january_exhaustion_comes_before_the_january_restore_which_pays_the_queue_next_month() {
    let part = share(base(6));
    // Claims paid in month 6 = January 2024; the restore is in January.
    let restore = |month: u8| {
        tiny(&format!(
            "[scenario]\nstart = \"2023-07\"\n\n[rules.fund]\ntop_up = \"annual_restore\"\ntop_up_month = {month}\n\n{}",
            county("50000", 20, 20, "")
        ))
    };
    let p = run(&restore(1));
    assert_all_missed(&p);
    // The claims come first in the month: the fund runs dry and is
    // exhausted in January, then the restore brings it back to 50,000,
    // which pays the queue in February.
    assert_eq!(p.counties[0].exhausted_month, Some(6));
    assert_eq!(fund(&p, 0, 5), 5_000_000);
    assert_eq!(fund(&p, 0, 6), 5_000_000);
    assert_eq!(fund(&p, 0, 7), 0);
    assert_eq!(p.totals.fund_inflows, 5_000_000);
    assert_eq!(p.totals.claims_paid, 10_000_000);
    // 10,000 yuan pay thirteen claims and part of the fourteenth.
    assert_eq!(p.totals.loss_uncovered, 14 * part - 10_000_000);
    // A March restore: nothing in January or February, the restore in
    // March (month 8), the queue paid from it in April.
    let p = run(&restore(3));
    assert_eq!(p.counties[0].exhausted_month, Some(6));
    assert_eq!([fund(&p, 0, 6), fund(&p, 0, 7), fund(&p, 0, 8), fund(&p, 0, 9)], [0, 0, 5_000_000, 0]);
}

#[test]
fn the_per_loan_cap_limits_each_claim() {
    let p = run(&tiny(&compensation("per_loan_cap_yuan = 5000")));
    assert_all_missed(&p);
    assert_eq!(p.counties[0].claims_paid, LOANS * 500_000);
    assert_eq!(fund(&p, 0, 6), FUND - LOANS * 500_000);
}

#[test]
fn the_annual_cap_defers_claims_to_january() {
    let part = share(base(6));
    let capped = |cap: &str| {
        run(&tiny(&format!(
            "[scenario]\nhorizon_months = 14\n\n{}",
            compensation(&format!("annual_cap_yuan = {cap}"))
        )))
    };
    // 30,000 yuan a year: four claims of 7,161 yuan in July 2024 (month
    // 6), four more in January 2025 (month 12).
    let p = capped("30000");
    assert_all_missed(&p);
    assert_eq!(fund(&p, 0, 6), FUND - 4 * part);
    assert_eq!(fund(&p, 0, 11), FUND - 4 * part);
    assert_eq!(fund(&p, 0, 12), FUND - 8 * part);
    assert_eq!(fund(&p, 0, 13), FUND - 8 * part);
    // A cap smaller than one claim: one claim a year, paid at the cap.
    let p = capped("5000");
    assert_eq!([fund(&p, 0, 6), fund(&p, 0, 12)], [FUND - 500_000, FUND - 1_000_000]);
}

/// The tiny book with 60 loans, half of them grade B (they always pay),
/// and three ages: grade-A loans miss in month 0, 1 or 2 by age.
fn mixed(rules: &str) -> Scenario {
    tiny(&format!(
        "[portfolio]\ngrade_mix = {{ a = 0.5, b = 0.5 }}\nage_weights = [1, 1, 1]\n\n{}\n{}",
        county("1000000", 60, 60, ""),
        compensation(rules)
    ))
}

/// Loans missing in months 0, 1 and 2, and loans that pay, read off the
/// overdue rates of the first three months (equal loans, no cure, no claim
/// before month 5 under the tiny book's own rules).
fn cohorts() -> [i64; 4] {
    let p = run(&mixed(""));
    let count = |t| (overdue(&p, 0, t) * 60.0).round() as i64;
    let (a, ab, abc) = (count(0), count(1), count(2));
    let c = [a, ab - a, abc - ab, 60 - abc];
    assert!(c.iter().all(|k| *k > 0), "every cohort present on this seed: {c:?}");
    c
}

#[test]
fn the_overdue_ratio_threshold_reads_the_overdue_ratio_after_the_months_payments() {
    // Claims at 3 months overdue, no delay: the month-0 cohort is claimed
    // and settled in month 2, while the month-1 and month-2 cohorts are 2
    // and 1 months overdue (overdue, not yet non-performing).
    let rules = "trigger_days_overdue = 90\ncollection_months = 0\npayment_delay_months = 0";
    let free = run(&mixed(&format!("{rules}\nactivation = \"none\"")));
    let [a, b, c, s] = cohorts();
    let r2 = overdue(&free, 0, 2);
    assert_eq!(r2, (b + c) as f64 / (b + c + s) as f64);
    let paid_in_2 = fund(&free, 0, 1) - fund(&free, 0, 2);
    assert_eq!(paid_in_2, a * share(base(3)));

    let with = |activation: &str, threshold: f64| {
        run(&mixed(&format!("{rules}\nactivation = \"{activation}\"\nactivation_threshold = {threshold:?}")))
    };
    // Just below the ratio: paid in month 2 as without a threshold.
    let below = with("county_overdue_ratio", r2 * 0.999);
    assert_eq!(fund(&below, 0, 1) - fund(&below, 0, 2), paid_in_2);
    // Just above it: the claims wait; the ratio only falls after (month 3:
    // the month-2 cohort alone; then nothing overdue), so nothing is paid.
    assert!(overdue(&free, 0, 3) < r2 * 1.001);
    let above = with("county_overdue_ratio", r2 * 1.001);
    assert_eq!(above.counties[0].claims_paid, 0);
    // The NPL ratio is zero throughout (claims come at 3 months, before
    // any loan is 4 months overdue): an NPL threshold of 0 never opens,
    // the same threshold on the overdue ratio does.
    assert_eq!(with("county_npl_ratio", 0.0).counties[0].claims_paid, 0);
    // With the overdue ratio above 0 the month-0 and month-1 cohorts are
    // paid (months 2 and 3); the month-2 cohort, claimed when nothing is
    // left overdue, waits.
    let zero = with("county_overdue_ratio", 0.0);
    assert_eq!(zero.counties[0].claims_paid, (a + b) * share(base(3)));
}

#[test]
fn the_npl_ratio_threshold_reads_the_loans_four_months_overdue_or_more() {
    // Claims at 6 months overdue, no delay: in month 5 the month-0 cohort is
    // claimed while the month-1 and month-2 cohorts are 5 and 4 months
    // overdue, all non-performing: the NPL ratio equals the overdue ratio.
    let rules = "trigger_days_overdue = 90\ncollection_months = 3\npayment_delay_months = 0";
    let free = run(&mixed(&format!("{rules}\nactivation = \"none\"")));
    let [a, b, c, s] = cohorts();
    let r5 = overdue(&free, 0, 5);
    assert_eq!(r5, (b + c) as f64 / (b + c + s) as f64);
    let with = |threshold: f64| {
        run(&mixed(&format!(
            "{rules}\nactivation = \"county_npl_ratio\"\nactivation_threshold = {threshold:?}"
        )))
    };
    let below = with(r5 * 0.999);
    assert_eq!(fund(&below, 0, 4) - fund(&below, 0, 5), a * share(base(6)));
    assert!(overdue(&free, 0, 6) < r5 * 1.001);
    assert_eq!(with(r5 * 1.001).counties[0].claims_paid, 0);
}

#[test]
fn the_bank_first_loss_layer_is_borne_before_the_fund_shares_whatever_the_ratios() {
    // All twenty loans are claimed in month 5 and paid in month 6, when
    // nothing is left on the book (every ratio 0): the layer of 25,000
    // yuan absorbs two whole claims and 4,540 yuan of the third.
    let p = run(&tiny(&compensation("activation = \"bank_first_loss\"\nbank_first_loss_yuan = 25000")));
    assert_all_missed(&p);
    let b = base(6);
    let expected = share(3 * b - 2_500_000) + 17 * share(b);
    assert_eq!(p.counties[0].claims_paid, expected);
    assert_eq!(fund(&p, 0, 6), FUND - expected);
}

#[test]
fn the_fund_never_recovers_more_than_it_paid() {
    // A principal-only base, paid in the month of the claim, and the loan's
    // whole loss (principal and arrears) recovered in the same month: the
    // fund gets back exactly the 7,000 yuan it paid on each loan, not 70 %
    // of the 10,230 yuan recovered.
    let p = run(&tiny(
        "[behaviour]\nrecovery_probability = 1\nrecovery_fraction = 1\n\n[rules.compensation]\n\
         loss_base = \"principal\"\npayment_delay_months = 0",
    ));
    assert_all_missed(&p);
    assert_eq!(p.totals.recoveries, LOANS * base(6));
    assert_eq!(p.totals.claims_paid, LOANS * 700_000);
    assert_eq!(p.totals.recoveries_to_fund, LOANS * 700_000);
    assert_eq!(p.counties[0].loss_fund, 0);
    assert_eq!(p.totals.loss_bank, 0, "the bank recovers its share and the arrears");
    assert_eq!(fund(&p, 0, 11), FUND);
}

/// The tiny book with ten eligible households beside the twenty borrowers,
/// all asking for a first loan every month and approved at once.
fn with_demand(extra: &str, county_extra: &str) -> Scenario {
    tiny(&format!("[behaviour]\nuptake_monthly = 1\n\n{extra}\n{}", county("1000000", 30, 20, county_extra)))
}

#[test]
fn lending_stops_in_the_month_of_the_breach_and_resumes_at_the_next_quarterly_review() {
    let lending = "[rules.lending]\nsuspension_metric = \"overdue\"\nsuspension_tolerance = 0.5";
    // Overdue ratio 1 from month 0 until the claims of month 5 leave the
    // book empty. From January, month 5 is June, a review: lending resumes
    // then, after five months of refused requests.
    let p = run(&with_demand(lending, ""));
    assert_all_missed(&p);
    assert_eq!(p.totals.unmet_suspended, 5 * 10);
    assert_eq!(p.totals.new_loans, 10);
    assert_eq!(fig(&p, 0, 4, FIG_COVERAGE), 20.0 / 30.0);
    assert_eq!(fig(&p, 0, 5, FIG_COVERAGE), 10.0 / 30.0);
    // From February, month 5 is July: no review until September (month 7).
    let p = run(&with_demand(&format!("[scenario]\nstart = \"2024-02\"\n\n{lending}"), ""));
    assert_eq!(p.totals.unmet_suspended, 7 * 10);
    assert_eq!(p.totals.new_loans, 10);
    assert_eq!(fig(&p, 0, 6, FIG_COVERAGE), 0.0);
    assert_eq!(fig(&p, 0, 7, FIG_COVERAGE), 10.0 / 30.0);
}

#[test]
fn the_suspension_reads_the_ratio_its_metric_names_and_the_key_county_tolerance() {
    // The NPL ratio stays 0 until the loans are 4 months overdue (month 3):
    // under an NPL rule the ten requests of month 0 are granted.
    let p = run(&with_demand("[rules.lending]\nsuspension_metric = \"npl\"\nsuspension_tolerance = 0.5", ""));
    assert_eq!((p.totals.new_loans, p.totals.unmet_suspended), (10, 0));
    assert_eq!(fig(&p, 0, 0, FIG_COVERAGE), 1.0);
    // The twenty old loans overdue, the ten new ones not yet due.
    assert_eq!(overdue(&p, 0, 0), 20.0 / 30.0);
    // A key-assistance county's extra tolerance lifts it above an overdue
    // ratio of 1: never suspended either.
    let key = "[rules.lending]\nsuspension_metric = \"overdue\"\nsuspension_tolerance = 0.5\nkey_county_extra = 0.6";
    let p = run(&with_demand(key, ", key_county = true"));
    assert_eq!((p.totals.new_loans, p.totals.unmet_suspended), (10, 0));
    let p = run(&with_demand(key, ""));
    assert_eq!((p.totals.new_loans, p.totals.unmet_suspended), (10, 50));
}

#[test]
fn a_fund_in_default_keeps_lending_suspended_at_the_review() {
    // The 50,000-yuan fund defaults in month 6 (August) and is never topped
    // up: the September review cannot lift the suspension.
    let rules = |on: bool| {
        format!(
            "[scenario]\nstart = \"2024-02\"\n\n[rules.lending]\nsuspension_metric = \"overdue\"\n\
             suspension_tolerance = 0.5\nsuspend_on_fund_default = {on}\nleverage_excess = \"refuse\""
        )
    };
    let default_suspends = run(&tiny(&format!(
        "[behaviour]\nuptake_monthly = 1\n\n{}\n{}",
        rules(true),
        county("50000", 30, 20, "")
    )));
    assert_all_missed(&default_suspends);
    assert_eq!(default_suspends.counties[0].exhausted_month, Some(6));
    assert_eq!(default_suspends.totals.new_loans, 0);
    assert_eq!(default_suspends.totals.unmet_suspended, 12 * 10);
    // Without the rule lending resumes at the September review, and the
    // requests from then on meet the leverage limit of an empty fund (a
    // refusing one).
    let ignored = run(&tiny(&format!(
        "[behaviour]\nuptake_monthly = 1\n\n{}\n{}",
        rules(false),
        county("50000", 30, 20, "")
    )));
    assert_eq!(ignored.totals.unmet_suspended, 7 * 10);
    assert_eq!(ignored.totals.unmet_refused, 5 * 10);
}

#[test]
fn new_loans_stop_at_the_leverage_limit() {
    // Twenty grade-B loans (200,000 yuan, all paying) behind a fund of
    // 10,000 yuan at 25 times: room for five more loans of 10,000 yuan.
    // Under a refusing rule the other five households are refused every
    // month.
    let with = |leverage: u32, excess: &str| {
        tiny(&format!(
            "[portfolio]\ngrade_mix = {{ a = 0, b = 1 }}\n\n[behaviour]\nuptake_monthly = 1\n\n\
             [rules.lending]\nleverage_max = {leverage}\nleverage_excess = \"{excess}\"\n\n{}",
            county("10000", 30, 20, "")
        ))
    };
    let book = |leverage: u32| with(leverage, "refuse");
    let p = run(&book(25));
    assert_eq!(overdue(&p, 0, 0), 0.0);
    assert_eq!(p.totals.new_loans, 5);
    assert_eq!(p.totals.unmet_refused, 5 * 12);
    assert_eq!(outstanding(&p, 0, 11), 25 * 1_000_000);
    // 24 times: room for four; 1000 times: for all ten.
    assert_eq!(run(&book(24)).totals.new_loans, 4);
    assert_eq!(run(&book(1000)).totals.new_loans, 10);
    // Lent uncovered beyond the multiple (the default, D4): all ten in the
    // first month, five of them without the fund's cover.
    let p = run(&with(25, "uncovered"));
    assert_eq!((p.totals.new_loans, p.totals.loans_uncovered, p.totals.unmet_refused), (10, 5, 0));
    assert_eq!(outstanding(&p, 0, 11), 30 * 1_000_000);
}

#[test]
fn first_loans_and_follow_ups_are_tested_against_the_same_fund() {
    // Forty loans maturing in month 6, half of grade A (claimed in month 5,
    // paid in month 6, from the same fund), half of grade B (repaid at
    // maturity in month 6; half of the repayers climb to a fund-covered
    // follow-up loan — the rule `follow_up_when = "after"` — the others ask
    // for a new first loan that month).
    let book = |fund_yuan: &str| {
        tiny(&format!(
            "[portfolio]\nterm_months = 9\ngrade_mix = {{ a = 0.5, b = 0.5 }}\n\n\
             [rules.loans]\nfollow_up_fund_covered = true\n\n\
             [rules.ladder]\nfollow_up_when = \"after\"\nfollow_up_uptake = 0.5\nfollow_up_amount_yuan = 10000\n\n\
             [rules.demand]\nrepeat_uptake_monthly = 1\n\n{}",
            county(fund_yuan, 40, 40, "")
        ))
    };
    let probe = run(&book("1000000"));
    let doomed = (overdue(&probe, 0, 0) * 40.0).round() as i64;
    // A fund that pays the month-6 claims and keeps 1 yuan: at 1000 times,
    // room for 1,000 yuan of covered loans after the claims, for far more
    // before them.
    let fund_fen = doomed * share(base(6)) + 100;
    let p = run(&book(&format!("{}.{:02}", fund_fen / 100, fund_fen % 100)));
    assert_eq!(fund(&p, 0, 6), 100);
    let follow_ups = p.totals.loans_by_product[1];
    assert!(follow_ups > 0, "repayers climbed to follow-up loans");
    // Whichever single fund figure the rule reads, a follow-up loan granted
    // at a covered balance at least as high means first loans fit too.
    // (Reading the fund after the month's claims for first loans only, the
    // engine refused every one of them here.)
    assert!(
        p.totals.new_loans > 0,
        "{follow_ups} follow-ups granted in month 6, while every first loan was refused \
         ({} refusals over the horizon)",
        p.totals.unmet_refused
    );
}

#[test]
fn an_uncovered_loan_is_written_off_at_the_write_off_limit_and_the_bank_bears_it() {
    // Twenty first loans of a household with distress 2e-9 mature in month
    // 6 and are repaid; every household climbs to a follow-up loan (not
    // covered by the fund; `follow_up_when = "after"`). An earthquake in month 7 makes every payment
    // fail: the follow-ups miss their first quarter's interest in month 9
    // and are written off at 5 months overdue, in month 13.
    let p = run(&tiny(
        "[scenario]\nhorizon_months = 16\n\n\
         [portfolio]\nterm_months = 9\ncategory_mix = { lifted = 0, unstable = 1 }\n\n\
         [behaviour]\ndistress_probability = { unstable = 1e-9 }\n\n\
         [rules.ladder]\nfollow_up_when = \"after\"\nfollow_up_uptake = 1\nfollow_up_amount_yuan = 10000\n\n\
         [rules.lending]\nwrite_off_months = 5\n\n\
         [shocks]\nevents = [ { kind = \"earthquake\", month = \"2024-08\", severity = 100, moratorium_months = 0 } ]",
    ));
    assert_eq!(p.totals.loans_by_product[1], LOANS, "every household climbs");
    assert_eq!(overdue(&p, 0, 8), 0.0);
    assert_eq!(overdue(&p, 0, 9), 1.0, "every follow-up misses in month 9 on this seed");
    for t in 0..16 {
        let on_book = if t < 13 { LOANS * LOAN } else { 0 };
        assert_eq!(outstanding(&p, 0, t), on_book, "outstanding in month {t}");
        assert_eq!(fund(&p, 0, t), FUND, "the fund is not touched in month {t}");
    }
    assert_eq!(p.totals.written_off, LOANS * LOAN);
    assert_eq!(p.totals.claims_paid, 0);
    // Principal plus 3 + 4 months of interest, all the bank's.
    assert_eq!(p.totals.loss_bank, LOANS * (LOAN + 7 * MONTH_INTEREST));
}

/// The small scenario (three counties, 24 months) extended by `extra`.
fn small(extra: &str) -> Scenario {
    extended("small.toml", &small_text(), extra, None)
}

#[test]
fn every_countys_fund_ends_at_its_start_less_its_loss_when_nothing_flows_in() {
    // Without interest or top-ups a county's fund identity reads
    // end = start − claims paid + recoveries = start − loss: checked for
    // every county from its own monthly record of the balance, against
    // its own outcome; the province totals are the sums of the counties.
    // The second rule set makes recoveries exceed the principal-only base
    // (whole losses recovered, claims paid at once), so the cap binds.
    // The first rule set has no recoveries either: a fund is then empty at
    // the end of the month it is exhausted.
    let no_inflows = "[rules.fund]\ninterest_rate_annual = 0\ntop_up = \"none\"\n";
    for (case, extra) in [
        format!("{no_inflows}\n[behaviour]\nrecovery_probability = 0"),
        no_inflows.to_string(),
        format!(
            "{no_inflows}\n[behaviour]\nrecovery_probability = 1\nrecovery_fraction = 0.5\n\n\
             [rules.compensation]\nloss_base = \"principal\"\npayment_delay_months = 0"
        ),
    ]
    .iter()
    .enumerate()
    {
        let (m, paths) = simulate(&small(extra), 6, 13, 2);
        let last = m.scenario.horizon_months as usize - 1;
        let mut exhausted = 0;
        for p in &paths {
            let (mut claims, mut loss, mut fund_end, mut out_end) = (0, 0, 0, 0);
            for (c, county) in m.scenario.counties.iter().enumerate() {
                let o = &p.counties[c];
                assert_eq!(fund(p, c, last), county.fund.0 - o.loss_fund, "county {c}");
                assert!(o.loss_fund >= 0, "county {c}: the fund recovered more than it paid");
                assert!(o.loss_fund <= o.claims_paid, "county {c}: recoveries are never negative");
                if let Some(t) = o.exhausted_month
                    && case == 0
                {
                    assert_eq!(
                        fund(p, c, t as usize),
                        0,
                        "county {c}: exhausted in month {t} with money left"
                    );
                    exhausted += 1;
                }
                claims += o.claims_paid;
                loss += o.loss_fund;
                fund_end += fund(p, c, last);
                out_end += outstanding(p, c, last);
            }
            let t = &p.totals;
            assert_eq!(
                (claims, loss, fund_end, out_end),
                (t.claims_paid, t.loss_fund, t.fund_end, t.outstanding_end)
            );
            assert!(t.recoveries_to_fund <= t.recoveries);
        }
        if case == 0 {
            assert!(exhausted > 0, "some fund runs out without top-ups");
        } else {
            assert!(paths.iter().any(|p| p.totals.recoveries_to_fund > 0), "recoveries reach the funds");
        }
    }
}

#[test]
fn every_countys_principal_and_fund_identities_hold_on_its_own() {
    // Each county of the small scenario run alone (its own book, fund,
    // rules and draws): its principal and fund identities, with the
    // default interest and top-ups, and its monthly records agree with its
    // totals.
    let full = small("");
    for c in 0..full.counties.len() {
        let mut one = full.clone();
        one.counties = vec![full.counties[c].clone()];
        let (m, paths) = simulate(&one, 4, 29, 2);
        let last = one.horizon_months as usize - 1;
        for p in &paths {
            let t = &p.totals;
            assert_eq!(t.outstanding_start, m.outstanding_start().0);
            assert_eq!(
                t.outstanding_start + t.disbursed,
                t.repaid + t.written_off + t.outstanding_end,
                "county {c}: principal"
            );
            assert_eq!(
                t.fund_start + t.fund_inflows - t.claims_paid + t.recoveries_to_fund,
                t.fund_end,
                "county {c}: fund"
            );
            assert_eq!(t.fund_start, full.counties[c].fund.0);
            assert_eq!(fund(p, 0, last), t.fund_end, "county {c}: recorded balance");
            assert_eq!(outstanding(p, 0, last), t.outstanding_end, "county {c}: recorded principal");
            assert_eq!(p.counties[0].claims_paid, t.claims_paid);
            assert!(
                t.written_off > 0 && t.claims_paid > 0 && t.fund_inflows > 0,
                "county {c}: flows exercised"
            );
        }
    }
}

/// Correlated defaults: base distress 5 % (grade A, × 1), asset
/// correlation 0.3, province weight 0.2, prefecture weight 0.5.
const P: f64 = 0.05;
const RHO: f64 = 0.3;
const W_PROVINCE: f64 = 0.2;
const W_PREFECTURE: f64 = 0.5;
const PERSISTENCE: f64 = 0.8;
const CORR_PATHS: u32 = 40_000;

fn correlated(extra: &str) -> Scenario {
    tiny(&format!(
        "[behaviour]\ndistress_probability = {{ lifted = {P} }}\ngrade_multiplier = {{ a = 1.0 }}\n\
         asset_correlation = {RHO}\ninterest_correlation = {RHO}\nmaturity_correlation = {RHO}\n\
         province_factor_weight = {W_PROVINCE}\n\
         prefecture_factor_weight = {W_PREFECTURE}\nfactor_persistence = {PERSISTENCE}\n\n{extra}"
    ))
}

/// Standard normal density.
fn density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Trapezoidal nodes and weights of N(0, 1) on [−9, 9].
fn normal_nodes(steps: usize) -> Vec<(f64, f64)> {
    let h = 18.0 / steps as f64;
    (0..=steps)
        .map(|s| {
            let z = -9.0 + s as f64 * h;
            let end = if s == 0 || s == steps { 0.5 } else { 1.0 };
            (z, end * h * density(z))
        })
        .collect()
}

/// The probability that a loan is in distress given its county's factor z.
fn p_given(z: f64) -> f64 {
    phi((inv_phi(P) - RHO.sqrt() * z) / (1.0 - RHO).sqrt())
}

/// P(two loans both in distress) when their latent variables have
/// correlation `r` ≥ 0: the bivariate normal Φ₂(Φ⁻¹(p), Φ⁻¹(p); r), by its
/// one-factor form ∫ Φ((Φ⁻¹(p) − √r z) / √(1 − r))² φ(z) dz.
fn both_in_distress(r: f64) -> f64 {
    let t = inv_phi(P);
    normal_nodes(12_000).iter().map(|(z, w)| w * phi((t - r.sqrt() * z) / (1.0 - r).sqrt()).powi(2)).sum()
}

/// Mean and standard error of a sample.
fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn counties_default_together_through_the_prefecture_and_province_factors() {
    // Three counties of 200 loans, all due in the one month simulated: two
    // in one prefecture, one in another. Loans of two counties in one
    // prefecture have latent correlation ρ(w_province + w_prefecture), in
    // two prefectures ρ·w_province; so E[D₁D₂] = n² Φ₂(τ, τ; r) exactly
    // for the counts D of missed payments. Bound: 4 standard errors of the
    // mean over 40,000 paths; the test has the power to see a factor
    // dropped (the county's own, or the province's or prefecture's) or the
    // two weights swapped: those laws lie beyond 8 of them.
    const N: usize = 200;
    let row = |code: &str, pref: &str| {
        format!(
            "{{ code = \"{code}\", name = \"{code}\", prefecture = \"{pref}\", townships = 1, \
             eligible_households = {N}, loans = {N}, fund_yuan = \"1000000\" }}"
        )
    };
    let s = correlated(&format!(
        "[scenario]\nhorizon_months = 1\n\n[geography]\nprefectures = [\n\
         {{ code = \"530100\", name = \"昆明市\", industry_mix = {{ other = 1.0 }} }},\n\
         {{ code = \"530300\", name = \"曲靖市\", industry_mix = {{ other = 1.0 }} }},\n]\n\
         counties = [\n{},\n{},\n{},\n]\n",
        row("530102", "530100"),
        row("530103", "530100"),
        row("530302", "530300"),
    ));
    let (_, paths) = simulate(&s, CORR_PATHS, 8_675_309, 2);
    let d = |p: &PathResult, c: usize| (overdue(p, c, 0) * N as f64).round();
    let n2 = (N * N) as f64;
    let same: Vec<f64> = paths.iter().map(|p| d(p, 0) * d(p, 1)).collect();
    let apart: Vec<f64> = paths.iter().map(|p| d(p, 0) * d(p, 2)).collect();
    let within: Vec<f64> = paths.iter().map(|p| d(p, 0) * (d(p, 0) - 1.0)).collect();
    let n_n1 = (N * (N - 1)) as f64;
    for (what, x, r, scale, wrong) in [
        (
            "same prefecture",
            &same,
            RHO * (W_PROVINCE + W_PREFECTURE),
            n2,
            [RHO * W_PROVINCE, RHO * W_PREFECTURE],
        ),
        ("two prefectures", &apart, RHO * W_PROVINCE, n2, [0.0, RHO * W_PREFECTURE]),
        ("one county", &within, RHO, n_n1, [RHO * (W_PROVINCE + W_PREFECTURE), 0.0]),
    ] {
        let (mean, se) = mean_se(x);
        let exact = scale * both_in_distress(r);
        assert!((mean - exact).abs() < 4.0 * se, "{what}: E[D D'] {mean} ± {se}, exact {exact}");
        for alt in wrong {
            let other = scale * both_in_distress(alt);
            assert!((other - exact).abs() > 8.0 * se, "{what}: the law for r = {alt} is too close to tell");
        }
    }
}

#[test]
fn a_countys_factor_persists_from_month_to_month_at_the_ar1_coefficient() {
    // One county of 300 loans due every quarter, from month 0. A loan that
    // misses in month 0 stays overdue (no cure); one that pays is due again
    // in month 3. Given the county factors Z₀ and Z₃ — correlation φ³ under
    // the AR(1) law — loans are independent, so for the counts D₀ (missed
    // in month 0) and D₃ (missed in month 3):
    //   E[D₀D₃] = n(n − 1) E[q(Z₀)(1 − q(Z₀)) q(Z₃)],  q = P(distress | Z).
    // Bound: 4 standard errors over 40,000 paths; the laws with φ = 0 and
    // with the factor redrawn at φ (not φ³) lie beyond 8 of them.
    const N: usize = 300;
    let s = correlated(&format!(
        "[scenario]\nhorizon_months = 4\n\n{}",
        county("1000000", N as u32, N as u32, "")
    ));
    let (_, paths) = simulate(&s, CORR_PATHS, 1_234_567, 2);
    let x: Vec<f64> = paths
        .iter()
        .map(|p| {
            let d0 = (overdue(p, 0, 0) * N as f64).round();
            let d3 = (overdue(p, 0, 3) * N as f64).round() - d0;
            d0 * d3
        })
        .collect();
    let law = |c: f64| {
        let nodes = normal_nodes(600);
        let mut e = 0.0;
        for (z0, w0) in &nodes {
            let q0 = p_given(*z0);
            for (u, w) in &nodes {
                let z3 = c * z0 + (1.0 - c * c).sqrt() * u;
                e += w0 * w * q0 * (1.0 - q0) * p_given(z3);
            }
        }
        (N * (N - 1)) as f64 * e
    };
    let (mean, se) = mean_se(&x);
    let exact = law(PERSISTENCE.powi(3));
    assert!((mean - exact).abs() < 4.0 * se, "E[D0 D3] {mean} ± {se}, exact {exact}");
    for alt in [0.0, PERSISTENCE] {
        assert!((law(alt) - exact).abs() > 8.0 * se, "the law for correlation {alt} is too close to tell");
    }
}

/// The small scenario with a fourth county (530627, named by the shipped
/// bank-exit policy), standing in for the Yunnan baseline.
fn small_province() -> String {
    let base = small_text();
    let row = "  { code = \"530627\", name = \"镇雄县\", name_en = \"Zhenxiong County\", prefecture = \"530600\", \
               former_poverty = true, townships = 6, eligible_households = 14000, loans = 2800, fund_yuan = \"7000000\" },\n]";
    // The counties array closes the file.
    let idx = base.rfind(']').expect("small.toml ends with the counties");
    format!("{}{}{}", &base[..idx], row, &base[idx + 1..])
}

/// A shipped scenario file, with the Yunnan baseline it extends replaced by
/// the small province: the file's own lines applied to a small book.
fn shipped(rel: &str) -> Scenario {
    use std::path::Path;
    let read = |p: &Path| -> Result<mcstress_scenario::SourceFile, mcstress_scenario::ResolveError> {
        let text = std::fs::read_to_string(p)?;
        Ok(mcstress_scenario::SourceFile {
            name: p.display().to_string(),
            key: p.display().to_string(),
            text,
        })
    };
    let main = read(&crate::support::root().join(rel)).expect("shipped file");
    let loaded = mcstress_scenario::load(main, None, &mut |from, r| {
        if r.ends_with("yunnan-baseline.toml") {
            return Ok(mcstress_scenario::SourceFile {
                name: "small-province.toml".into(),
                key: "small-province.toml".into(),
                text: small_province(),
            });
        }
        read(&Path::new(&from.name).parent().map(Path::to_path_buf).unwrap_or_default().join(r))
    });
    match loaded {
        Ok(l) => l.scenario,
        Err(e) => panic!("{rel}: {e}"),
    }
}

const DIRECTION_PATHS: u32 = 24;
const DIRECTION_SEED: u64 = 99;

fn paths_of(s: &Scenario) -> Vec<PathResult> {
    simulate(s, DIRECTION_PATHS, DIRECTION_SEED, 2).1
}

/// The paired difference `f(revision) − f(base)` across paths.
fn paired(
    base: &[PathResult],
    rev: &[PathResult],
    f: impl Fn(&PathResult) -> f64,
) -> mcstress_engine::Estimate {
    let d: Vec<f64> = base.iter().zip(rev).map(|(a, b)| f(b) - f(a)).collect();
    mcstress_engine::Estimate::from_values(&d)
}

/// Mean paired difference above zero by more than 3 standard errors (+1)
/// or below it (−1).
fn assert_moves(e: mcstress_engine::Estimate, sign: f64, what: &str) {
    assert!(
        sign * e.mean > 3.0 * e.se && sign * e.mean > 0.0,
        "{what}: mean paired difference {} se {}",
        e.mean,
        e.se
    );
}

/// The county fund balances summed, at the end of month `t`, fen.
fn funds_at(p: &PathResult, t: usize) -> f64 {
    (0..p.counties.len()).map(|c| fund(p, c, t) as f64).sum()
}

#[test]
fn every_shipped_rule_revision_moves_the_figures_its_way() {
    // Four times the paths of the other direction tests: claims are rarer
    // events, and with most overdue episodes at maturity (docs/model.md
    // § 7.3) they come in waves whose timing is noisy; exhausted funds are
    // rarer still.
    let rev = |name: &str| {
        simulate(&shipped(&format!("scenarios/rules/{name}.toml")), 4 * DIRECTION_PATHS, DIRECTION_SEED, 2).1
    };
    let current = rev("current");
    let claims = |p: &PathResult| p.totals.claims_paid as f64;
    // A fund share of 0.8: the funds pay more.
    assert_moves(paired(&current, &rev("higher-share"), claims), 1.0, "higher-share: claims paid");
    // A threshold of 1 %: claims open in more county-months.
    assert_moves(paired(&current, &rev("lower-threshold"), claims), 1.0, "lower-threshold: claims paid");
    // No collection period: claims are paid three months earlier, so the
    // funds hold less at the end of the first year.
    let shorter = rev("shorter-trigger");
    assert_moves(paired(&current, &shorter, claims), 1.0, "shorter-trigger: claims paid");
    assert_moves(paired(&current, &shorter, |p| funds_at(p, 11)), -1.0, "shorter-trigger: funds in December");
    // A quarterly top-up to 10 % of the covered balance: more money in,
    // fewer exhausted funds (rare in the small province since most
    // failures come at maturity, and rarer since disasters strike
    // townships rather than whole counties: eight times the paths again).
    let rarer = |name: &str| {
        simulate(&shipped(&format!("scenarios/rules/{name}.toml")), 32 * DIRECTION_PATHS, DIRECTION_SEED, 2).1
    };
    let (current, target) = (rarer("current"), rarer("target-topup"));
    assert_moves(paired(&current, &target, |p| p.totals.fund_inflows as f64), 1.0, "target-topup: inflows");
    assert_moves(
        paired(&current, &target, |p| p.totals.counties_exhausted as f64),
        -1.0,
        "target-topup: exhausted counties",
    );
}

#[test]
fn every_shipped_policy_moves_the_figures_its_way() {
    // Each policy against the baseline it extends (here the small
    // province). no-renewals has its test in presets.rs. The small
    // province lends up to its leverage limit, so a policy that raises
    // demand shows in the requests and pools, not in the count of new loans
    // (bank exits, surveys and the fast track move it by less than 3
    // standard errors on 24 paths).
    let base = paths_of(&crate::support::scenario(&small_province(), None));
    let policy = |name: &str| paths_of(&shipped(&format!("scenarios/policies/{name}.toml")));
    let t = |f: fn(&mcstress_engine::PathTotals) -> i64| move |p: &PathResult| f(&p.totals) as f64;

    let exits = policy("bank-exit");
    assert_moves(paired(&base, &exits, t(|t| t.unserved_township_months)), 1.0, "bank-exit: unserved months");
    assert_moves(paired(&base, &exits, t(|t| t.unmet_no_bank)), 1.0, "bank-exit: requests with no bank");

    let stress = policy("behaviour-stress");
    assert_moves(paired(&base, &stress, |p| p.peak_overdue), 1.0, "behaviour-stress: peak overdue rate");
    assert_moves(paired(&base, &stress, t(|t| t.written_off)), 1.0, "behaviour-stress: written off");

    let collection = policy("collection");
    assert_moves(paired(&base, &collection, |p| p.peak_overdue), -1.0, "collection: peak overdue rate");
    assert_moves(paired(&base, &collection, t(|t| t.written_off)), -1.0, "collection: written off");

    let survey = policy("demand-survey");
    assert_moves(paired(&base, &survey, t(|t| t.surveys)), 1.0, "demand-survey: surveys");
    assert_moves(
        paired(&base, &survey, t(|t| t.never_borrowed_end)),
        -1.0,
        "demand-survey: households that never borrowed",
    );

    let fast = policy("fast-track");
    assert_moves(paired(&base, &fast, t(|t| t.fast_track_loans)), 1.0, "fast-track: fast-tracked loans");

    let ladder = policy("ladder");
    assert_moves(paired(&base, &ladder, t(|t| t.loans_by_product[1])), 1.0, "ladder: follow-up loans");
    assert_moves(
        paired(&base, &ladder, t(|t| t.outstanding_end_by_product[1])),
        1.0,
        "ladder: follow-up balance",
    );

    let late = policy("late-subsidy");
    assert_moves(paired(&base, &late, t(|t| t.subsidy_late_end)), 1.0, "late-subsidy: subsidy owed");
    assert_moves(paired(&base, &late, |p| p.peak_overdue), 1.0, "late-subsidy: peak overdue rate");
}
