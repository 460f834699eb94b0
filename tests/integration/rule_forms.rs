//! The rule forms from real documents (issue 10, item 6), each checked in
//! two ways: on the tiny book whose fate is decided (tests/data/tiny.toml,
//! see `wiring.rs` for the hand calculation), against amounts worked out by
//! hand; and each shipped scenario under `scenarios/rules/` against
//! `current.toml` on common random numbers, in the direction the rule must
//! move the figures (mean paired difference beyond 3 standard errors).
//!
//! Hand calculation: every one of the twenty loans of 10,000 yuan misses
//! its first payment in month 0 and is claimed six months overdue in month
//! 5, on a loss base of 10,000 + 8 × 28.75 = 10,230 yuan; the claim is paid
//! in month 6 (July 2024). The fund holds 1,000,000 yuan and earns nothing.

use mcstress_engine::{COUNTY_FIGURES, FIG_FUND_YUAN, FIG_OVERDUE_RATE, Model, PathResult};
use mcstress_scenario::Scenario;

use crate::support::{root, simulate, small_text, tiny};

/// Principal of one loan, fen.
const LOAN: i64 = 1_000_000;
/// One month's interest on it at 3.45 %, fen.
const MONTH_INTEREST: i64 = 2_875;
/// Loans in the tiny book.
const LOANS: i64 = 20;
/// The tiny county's fund, fen.
const FUND: i64 = 100_000_000;
/// The loss base of a claim six months overdue, fen.
const BASE: i64 = LOAN + MONTH_INTEREST * 8;

fn run(s: &Scenario) -> PathResult {
    mcstress_engine::simulate_path(&Model::prepare(s), 5, 0)
}

fn fig(p: &PathResult, t: usize, figure: usize) -> f64 {
    let n = p.counties.len();
    p.county_monthly[(t * n) * COUNTY_FIGURES + figure]
}

/// The (first) county's fund balance at the end of month `t`, fen.
fn fund(p: &PathResult, t: usize) -> i64 {
    (fig(p, t, FIG_FUND_YUAN) * 100.0).round() as i64
}

fn assert_all_missed(p: &PathResult) {
    assert_eq!(fig(p, 0, FIG_OVERDUE_RATE), 1.0, "every loan misses its first payment on this seed");
}

/// `share` of a loss base, to the fen as the fund rounds it.
fn part(base: i64, share: f64) -> i64 {
    (base as f64 * share).round() as i64
}

/// The tiny book's geography with another fund, eligible households and
/// county fields.
fn county(fund_yuan: &str, eligible: u32, extra: &str) -> String {
    format!(
        "[geography]\nprefectures = [ {{ code = \"530100\", name = \"昆明市\", industry_mix = {{ other = 1.0 }} }} ]\n\
         counties = [ {{ code = \"530102\", name = \"五华区\", prefecture = \"530100\", townships = 1, \
         eligible_households = {eligible}, loans = 20, fund_yuan = \"{fund_yuan}\"{extra} }} ]\n"
    )
}

#[test]
fn annual_cap_stops_payment_at_the_share_of_the_fund_and_the_rest_waits_for_next_year() {
    let capped = |excess: &str| {
        run(&tiny(&format!(
            "[scenario]\nhorizon_months = 24\n\n[rules.compensation]\nannual_cap_share = 0.05\n\
             annual_cap_of = \"year_start_balance\"\nannual_cap_excess = \"{excess}\""
        )))
    };
    let free = run(&tiny("[scenario]\nhorizon_months = 24"));
    assert_eq!(free.totals.claims_paid, LOANS * part(BASE, 0.7), "without the cap all claims are paid");
    let wait = capped("wait");
    assert_all_missed(&wait);
    // 2024: 5 % of the 1,000,000 yuan the fund held in January.
    assert_eq!(fund(&wait, 5), FUND);
    assert_eq!(fund(&wait, 6), FUND - 5_000_000);
    assert_eq!(fund(&wait, 11), FUND - 5_000_000, "nothing more in 2024");
    // 2025: 5 % of the 950,000 yuan held at the start of the year, in January.
    assert_eq!(fund(&wait, 12), FUND - 5_000_000 - 4_750_000);
    assert_eq!(fund(&wait, 23), FUND - 9_750_000);
    assert_eq!(wait.totals.claims_paid, 9_750_000);
    assert_eq!(wait.counties[0].exhausted_month, None, "a capped fund is not exhausted");
    assert_eq!(wait.totals.loss_uncovered, 0, "what waits is not yet approved");
    // The bank carries what waits at the end.
    assert_eq!(wait.totals.loss_bank, LOANS * BASE - 9_750_000);
    assert!(wait.totals.loss_bank > free.totals.loss_bank);
    // Refused: the rest of 2024's claims is the bank's, 2025 pays nothing.
    let refuse = capped("refuse");
    assert_eq!(fund(&refuse, 23), FUND - 5_000_000);
    assert_eq!(refuse.totals.loss_bank, LOANS * BASE - 5_000_000);
}

#[test]
fn annual_cap_on_the_endowment_reads_the_countys_endowment() {
    let p = run(&tiny(&format!(
        "[rules.compensation]\nannual_cap_share = 0.05\nannual_cap_of = \"endowment\"\n\n{}",
        county("1000000", 20, ", endowment_yuan = \"600000\"")
    )));
    assert_eq!(p.totals.claims_paid, 3_000_000, "5 % of 600,000 yuan");
}

/// The tiny book with 60 loans, half of them grade B (they always pay),
/// and three ages: grade-A loans miss in month 0, 1 or 2 by age.
fn mixed(rules: &str) -> Scenario {
    tiny(&format!(
        "[portfolio]\ngrade_mix = {{ a = 0.5, b = 0.5 }}\nage_weights = [1, 1, 1]\n\n\
         [geography]\nprefectures = [ {{ code = \"530100\", name = \"昆明市\", industry_mix = {{ other = 1.0 }} }} ]\n\
         counties = [ {{ code = \"530102\", name = \"五华区\", prefecture = \"530100\", townships = 1, \
         eligible_households = 60, loans = 60, fund_yuan = \"1000000\" }} ]\n\n\
         [rules.compensation]\ntrigger_days_overdue = 90\ncollection_months = 3\npayment_delay_months = 0\n{rules}\n"
    ))
}

#[test]
fn graded_share_pays_the_share_of_the_band_the_county_npl_ratio_is_in_when_the_claim_is_approved() {
    // In month 5 the grade-A loans that missed in month 0 are claimed and
    // approved at once, while those that missed in months 1 and 2 are 5 and
    // 4 months overdue: the county's NPL ratio is then its overdue ratio.
    let free = run(&mixed(""));
    let npl = fig(&free, 5, FIG_OVERDUE_RATE);
    assert!(npl > 0.0 && npl < 1.0, "some loans non-performing, some paying: {npl}");
    let cohort = (fig(&free, 0, FIG_OVERDUE_RATE) * 60.0).round() as i64;
    assert!(cohort > 0);
    let paid_in_5 = |p: &PathResult| fund(p, 4) - fund(p, 5);
    assert_eq!(paid_in_5(&free), cohort * part(BASE, 0.7), "the flat 7:3");
    let graded = |bound: f64| {
        run(&mixed(&format!(
            "fund_share_by_npl = [{{ npl_up_to = {bound:?}, fund_share = 0.8 }}, {{ npl_up_to = 1.0, fund_share = 0.5 }}]"
        )))
    };
    // The ratio just inside the first band, then just above it.
    assert_eq!(paid_in_5(&graded(npl * 1.001)), cohort * part(BASE, 0.8));
    assert_eq!(paid_in_5(&graded(npl * 0.999)), cohort * part(BASE, 0.5));
}

/// The errors of the tiny book extended by `extra`, which must not load.
fn refused(extra: &str) -> String {
    let child = mcstress_scenario::SourceFile {
        name: "child.toml".into(),
        key: "child.toml".into(),
        text: format!("extends = \"tiny.toml\"\n{extra}\n"),
    };
    let loaded = mcstress_scenario::load(child, None, &mut |_, _| {
        Ok(mcstress_scenario::SourceFile {
            name: "tiny.toml".into(),
            key: "tiny.toml".into(),
            text: crate::support::tiny_text(),
        })
    });
    match loaded {
        Ok(_) => panic!("loaded: {extra}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn graded_share_bands_that_do_not_increase_or_leave_ratios_uncovered_are_refused() {
    let not_increasing = "{ npl_up_to = 0.03, fund_share = 0.7 }, { npl_up_to = 0.01, fund_share = 0.8 }, \
                          { npl_up_to = 1.0, fund_share = 0.5 }";
    let short_of_one = "{ npl_up_to = 0.01, fund_share = 0.8 }, { npl_up_to = 0.03, fund_share = 0.7 }";
    for (bands, found) in
        [(not_increasing, "bounds 0.03, 0.01, 1"), (short_of_one, "bounds 0.01, 0.03"), ("", "no band")]
    {
        let err = refused(&format!("[rules.compensation]\nfund_share_by_npl = [{bands}]"));
        assert!(
            err.contains(
                "rules.compensation.fund_share_by_npl: expected bands whose `npl_up_to` increase strictly"
            ),
            "{err}"
        );
        assert!(err.contains(found), "{err}");
    }
}

#[test]
fn three_party_sharing_pays_the_guarantor_share_up_to_its_limit_and_the_bank_the_rest() {
    let three = |limit: &str| {
        let s = tiny(&format!(
            "[rules.compensation]\nfund_share = 0.5\nthird_party_share = 0.3\n{limit}\nthird_party_limit_period = \"lifetime\""
        ));
        let p = run(&s);
        (p.clone(), mcstress_engine::summarize(&Model::prepare(&s), 5, &[p]))
    };
    let (p, summary) = three("third_party_limit_yuan = 30000");
    assert_all_missed(&p);
    let fund_paid = LOANS * part(BASE, 0.5);
    assert_eq!(p.totals.claims_paid, fund_paid);
    assert_eq!(fund(&p, 6), FUND - fund_paid, "the guarantor pays from its own money");
    // 30 % of 10,230 yuan is 3,069 yuan: nine claims and 2,379 yuan of the
    // tenth reach the limit of 30,000 yuan; the other ten are the bank's.
    assert_eq!(p.totals.loss_guarantor, 3_000_000);
    assert_eq!(p.totals.loss_bank, LOANS * BASE - fund_paid - 3_000_000);
    let reported = summary.province.loss_guarantor_yuan.expect("reported with a third party");
    assert_eq!(reported.mean, 30_000.0);
    // Without a limit the guarantor takes its 30 % of every claim, the
    // bank its 20 %.
    let (free, _) = three("");
    assert_eq!(free.totals.loss_guarantor, LOANS * part(BASE, 0.3));
    assert_eq!(free.totals.loss_bank, LOANS * (BASE - part(BASE, 0.5) - part(BASE, 0.3)));
    // No third party, no figure.
    let plain = tiny("");
    let summary = mcstress_engine::summarize(&Model::prepare(&plain), 5, &[run(&plain)]);
    assert!(summary.province.loss_guarantor_yuan.is_none());
}

#[test]
fn three_party_share_and_fund_share_may_not_pass_one() {
    let err = refused("[rules.compensation]\nfund_share = 0.7\nthird_party_share = 0.4");
    assert!(
        err.contains("rules.compensation.third_party_share: expected at most 1 − the fund's (highest) share, 0.3, found 0.4"),
        "{err}"
    );
}

#[test]
fn a_countys_endowment_defaults_to_its_fund_and_its_fiscal_capacity_to_unlimited() {
    let plain = tiny("");
    assert_eq!(plain.counties[0].endowment.0, FUND);
    assert_eq!(plain.counties[0].fiscal_capacity, None);
    let given =
        tiny(&county("1000000", 20, ", endowment_yuan = \"1200000.50\", fiscal_capacity_yuan = 40000"));
    assert_eq!(given.counties[0].fund.0, FUND);
    assert_eq!(given.counties[0].endowment.0, 120_000_050);
    assert_eq!(given.counties[0].fiscal_capacity.map(|f| f.0), Some(4_000_000));
    let err = refused(&county("1000000", 20, ", fiscal_capacity_yuan = -1"));
    assert!(err.contains("geography.counties[0].fiscal_capacity_yuan: expected an amount in yuan"), "{err}");
}

/// The tiny book with the endowment-triggered top-up, province 40 %,
/// prefecture 20 %, county 40 %.
fn topped(trigger: f64, county_extra: &str) -> PathResult {
    run(&tiny(&format!(
        "[rules.fund]\ntop_up = \"below_endowment\"\ntop_up_trigger = {trigger:?}\n\
         top_up_mix = {{ province = 0.4, prefecture = 0.2, county = 0.4 }}\n\n{}",
        county("1000000", 20, &format!(", endowment_yuan = \"1200000\"{county_extra}"))
    )))
}

#[test]
fn endowment_top_up_restores_the_endowment_below_the_trigger_within_the_countys_fiscal_capacity() {
    let claims = LOANS * part(BASE, 0.7);
    let endowment = 120_000_000;
    // Below 90 % of the endowment from the start: restored in month 0;
    // after the claims of month 6 (1,056,780 yuan) below it again: restored.
    let p = topped(0.9, "");
    assert_all_missed(&p);
    assert_eq!(fund(&p, 0), endowment);
    assert_eq!(fund(&p, 6), endowment);
    assert_eq!(p.totals.fund_inflows, (endowment - FUND) + claims);
    // Below 80 % only after the claims.
    let p = topped(0.8, "");
    assert_eq!(fund(&p, 5), FUND, "1,000,000 is not below 960,000");
    assert_eq!(fund(&p, 6), endowment);
    // The county can put in 40,000 yuan a year: of the 200,000 yuan gap it
    // owes 80,000, so upper levels match half of it, a top-up of 100,000;
    // after the claims its capacity is used up for the year.
    let p = topped(0.9, ", fiscal_capacity_yuan = \"40000\"");
    assert_eq!(fund(&p, 0), FUND + 10_000_000);
    assert_eq!(fund(&p, 5), FUND + 10_000_000, "1,100,000 is not below 1,080,000");
    assert_eq!(fund(&p, 11), FUND + 10_000_000 - claims);
    assert_eq!(p.totals.fund_inflows, 10_000_000);
}

#[test]
fn suspension_on_fund_use_stops_lending_for_good_once_claims_paid_pass_the_share_of_the_endowment() {
    // Claims at one month overdue, paid at once: in month 0 the fund pays
    // 20 × 7,060.38 = 141,207.60 yuan, 14.1 % of its 1,000,000 yuan; ten
    // more households ask for a loan every month.
    let with = |limit: f64, county_extra: &str| {
        run(&tiny(&format!(
            "[behaviour]\nuptake_monthly = 1\n\n[rules.compensation]\ntrigger_days_overdue = 30\n\
             collection_months = 0\npayment_delay_months = 0\n\n[rules.lending]\nfund_use_limit = {limit:?}\n\n{}",
            county("1000000", 30, county_extra)
        )))
    };
    let stopped = with(0.1, "");
    assert_eq!(stopped.totals.claims_paid, LOANS * part(LOAN + 3 * MONTH_INTEREST, 0.7));
    assert_eq!(stopped.totals.new_loans, 0);
    // Refused in each of the twelve months, though nothing is overdue after
    // month 0: it never resumes.
    assert_eq!(stopped.totals.unmet_suspended, 12 * 10);
    assert_eq!(with(0.2, "").totals.new_loans, 10, "14 % is within 20 %");
    assert_eq!(with(0.1, ", endowment_yuan = \"2000000\"").totals.new_loans, 10, "7 % of a larger endowment");
}

/// The small scenario with a fourth county, standing in for the Yunnan
/// baseline (as in `wiring.rs`), without its `higher-share` variant (a fund
/// share of 0.9 leaves no room for three-party's guarantor).
fn small_province() -> String {
    let base = small_text().replace("[variants.higher-share.rules.compensation]\nfund_share = 0.9\n", "");
    assert!(!base.contains("variants"), "small.toml has no other variant");
    let row = "  { code = \"530627\", name = \"镇雄县\", name_en = \"Zhenxiong County\", prefecture = \"530600\", \
               former_poverty = true, townships = 6, eligible_households = 14000, loans = 2800, fund_yuan = \"7000000\" },\n]";
    let idx = base.rfind(']').expect("small.toml ends with the counties");
    format!("{}{}{}", &base[..idx], row, &base[idx + 1..])
}

/// A shipped rule scenario (`scenarios/rules/NAME.toml`) with the Yunnan
/// baseline it extends replaced by the small province.
fn shipped(name: &str) -> Scenario {
    use std::path::Path;
    let read = |p: &Path| -> Result<mcstress_scenario::SourceFile, mcstress_scenario::ResolveError> {
        let text = std::fs::read_to_string(p)?;
        Ok(mcstress_scenario::SourceFile {
            name: p.display().to_string(),
            key: p.display().to_string(),
            text,
        })
    };
    let main = read(&root().join(format!("scenarios/rules/{name}.toml"))).expect("shipped file");
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
        Err(e) => panic!("{name}: {e}"),
    }
}

const PATHS: u32 = 24;
const SEED: u64 = 99;

fn paths_of(name: &str) -> Vec<PathResult> {
    simulate(&shipped(name), PATHS, SEED, 2).1
}

/// The paired difference `f(revision) − f(current)` across paths.
fn paired(
    base: &[PathResult],
    rev: &[PathResult],
    f: impl Fn(&PathResult) -> f64,
) -> mcstress_engine::Estimate {
    let d: Vec<f64> = base.iter().zip(rev).map(|(a, b)| f(b) - f(a)).collect();
    mcstress_engine::Estimate::from_values(&d)
}

fn assert_moves(e: mcstress_engine::Estimate, sign: f64, what: &str) {
    assert!(
        sign * e.mean > 3.0 * e.se && sign * e.mean > 0.0,
        "{what}: mean paired difference {} se {}",
        e.mean,
        e.se
    );
}

/// `current.toml` on the small province, at four times the paths for
/// rarer events.
fn more(name: &str) -> Vec<PathResult> {
    simulate(&shipped(name), 4 * PATHS, SEED, 2).1
}

#[test]
fn shipped_annual_cap_pays_less_and_leaves_more_to_the_banks() {
    let (current, cap) = (paths_of("current"), paths_of("annual-cap"));
    assert_moves(paired(&current, &cap, |p| p.totals.claims_paid as f64), -1.0, "claims paid");
    assert_moves(paired(&current, &cap, |p| p.totals.loss_bank as f64), 1.0, "loss to the banks");
}

#[test]
fn shipped_graded_share_pays_more_on_a_book_whose_npl_mostly_stays_within_one_percent() {
    // On this book claims are mostly approved while the county NPL ratio is
    // at most 1 %: the fund pays 80 % more often than 50 %.
    let (current, graded) = (paths_of("current"), paths_of("graded-share"));
    assert_moves(paired(&current, &graded, |p| p.totals.claims_paid as f64), 1.0, "claims paid");
}

#[test]
fn shipped_three_party_moves_loss_from_the_funds_to_the_guarantor_within_its_limit() {
    let (current, three) = (paths_of("current"), paths_of("three-party"));
    assert_moves(paired(&current, &three, |p| p.totals.loss_fund as f64), -1.0, "loss to the funds");
    assert_moves(paired(&current, &three, |p| p.totals.loss_guarantor as f64), 1.0, "loss to the guarantor");
    // At most 1,000,000 yuan per county and calendar year (four counties,
    // two years).
    let limit = 4.0 * 2.0 * 1e8;
    assert!(three.iter().all(|p| (p.totals.loss_guarantor as f64) <= limit));
    assert!(current.iter().all(|p| p.totals.loss_guarantor == 0), "no guarantor today");
}

#[test]
fn shipped_endowment_top_up_keeps_every_fund_above_half_its_endowment_and_fewer_run_out() {
    // Topped up to the endowment whenever it ends a month below half of it:
    // no fund ends a month below half its endowment (here its fund at the
    // start), as funds under today's annual restore do.
    let endowments: Vec<f64> = shipped("current").counties.iter().map(|c| c.endowment.0 as f64).collect();
    let lowest_share = |paths: &[PathResult]| {
        let mut lowest = f64::INFINITY;
        for p in paths {
            for (i, f) in p.county_monthly.chunks(COUNTY_FIGURES).enumerate() {
                lowest = lowest.min(f[FIG_FUND_YUAN] * 100.0 / endowments[i % endowments.len()]);
            }
        }
        lowest
    };
    let (current, topup) = (more("current"), more("endowment-topup"));
    assert!(lowest_share(&current) < 0.5, "today's funds fall below half: {}", lowest_share(&current));
    assert!(lowest_share(&topup) >= 0.5, "endowment-topup: {}", lowest_share(&topup));
    // Exhausted funds are rare in the small province since most failures
    // come at maturity (docs/model.md § 7.3): eight times the paths again.
    let rarer = |name: &str| simulate(&shipped(name), 32 * PATHS, SEED, 2).1;
    let (current, topup) = (rarer("current"), rarer("endowment-topup"));
    assert_moves(
        paired(&current, &topup, |p| p.totals.counties_exhausted as f64),
        -1.0,
        "exhausted counties",
    );
}

#[test]
fn shipped_suspension_on_fund_use_refuses_more_requests_and_lends_less() {
    let (current, stop) = (more("current"), more("suspend-on-fund-use"));
    assert_moves(paired(&current, &stop, |p| p.totals.unmet_suspended as f64), 1.0, "requests unmet");
    assert_moves(paired(&current, &stop, |p| p.totals.new_loans as f64), -1.0, "new loans");
}
