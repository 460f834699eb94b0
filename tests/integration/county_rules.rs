//! Each county's own rules (`[counties."…"]`) and rules that change at a
//! date (`[[timeline]]`): what the reader builds, what it refuses, and, on
//! common random numbers, that the rules act where and when they say.

use mcstress_engine::{COUNTY_FIGURES, FIG_FUND_YUAN, Model, PathResult};
use mcstress_scenario::Setting;

use crate::support::{scenario, simulate, small_text, tiny};

/// Every problem of the small scenario with `extra` appended, one line each.
fn problems(extra: &str) -> Vec<String> {
    match mcstress_scenario::from_str("c.toml", &format!("{}{extra}", small_text()), None) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.iter().map(|x| x.to_string()).collect(),
    }
}

fn with(extra: &str) -> mcstress_scenario::Scenario {
    scenario(&format!("{}{extra}", small_text()), None)
}

const LUDIAN: usize = 0;
const QIAOJIA: usize = 1;
const LANCANG: usize = 2;

#[test]
fn a_county_override_changes_that_countys_rules_and_no_other() {
    let s = with("\n[counties.\"530621\".rules.compensation]\nfund_share = 0.9\n");
    assert_eq!(s.rules.claims.fund_share.get(), 0.7, "the province's rules are unchanged");
    assert_eq!(s.rule_set_count(), 2);
    assert_eq!(s.rules_for(LUDIAN, 0).claims.fund_share.get(), 0.9);
    assert_eq!(s.rules_for(LUDIAN, 23).claims.fund_share.get(), 0.9);
    assert_eq!(s.rules_for(QIAOJIA, 0).claims.fund_share.get(), 0.7);
    assert_eq!(s.rules_for(LANCANG, 0).claims.fund_share.get(), 0.7);
    // Everything else of the county's rules is the province's.
    let mut expected = s.rules.clone();
    expected.claims.fund_share = s.rules_for(LUDIAN, 0).claims.fund_share;
    assert_eq!(*s.rules_for(LUDIAN, 0), expected);
}

#[test]
fn a_list_and_a_prefecture_name_several_counties_and_the_most_specific_wins() {
    let s = with(
        "\n[counties.\"530621,530828\".rules.compensation]\nfund_share = 0.8\n\
         [counties.\"530600\".rules.compensation]\nfund_share = 0.6\n\
         [counties.\"530621\".rules.compensation]\nfund_share = 0.9\n",
    );
    let share = |c| s.rules_for(c, 0).claims.fund_share.get();
    // Ludian: prefecture 0.6, then list 0.8, then its own 0.9.
    assert_eq!((share(LUDIAN), share(QIAOJIA), share(LANCANG)), (0.9, 0.6, 0.8));
    assert_eq!(s.rule_set_count(), 4, "0.7 (unused) and three distinct overrides");
}

#[test]
fn equal_rule_sets_are_kept_once() {
    let s = with(
        "\n[counties.\"530621\".rules.compensation]\nfund_share = 0.9\n\
         [counties.\"530828\".rules.compensation]\nfund_share = 0.9\n\
         [counties.\"530622\".rules.compensation]\nfund_share = 0.7\n",
    );
    assert_eq!(s.rule_set_count(), 2);
    assert_eq!(s.rule_set_of(LUDIAN, 0), s.rule_set_of(LANCANG, 0));
    assert_eq!(s.rule_set_of(QIAOJIA, 0), 0, "an override equal to the province's rules is rule set 0");
}

#[test]
fn a_county_override_changes_the_countys_data_without_copying_the_county_array() {
    let s = with(
        "\n[counties.\"530622\"]\nfund_yuan = \"2000000\"\nkey_county = false\nborder = true\n\
         eligible_households = 16000\n",
    );
    let base = with("");
    let q = &s.counties[QIAOJIA];
    assert_eq!(q.fund, mcstress_domain::Fen::from_yuan(2_000_000));
    assert!(!q.key_county && q.border && q.former_poverty);
    assert_eq!(q.profile.eligible_households, 16000);
    assert_eq!(q.profile.loans, 3000, "fields it does not name keep the table's values");
    assert_eq!(s.counties[LUDIAN], base.counties[LUDIAN]);
    assert_eq!(s.counties[LANCANG], base.counties[LANCANG]);
    assert_eq!(s.rule_set_count(), 1, "data alone make no rule set");
}

#[test]
fn set_reaches_a_countys_data_and_rules() {
    let settings = [
        Setting { field: "counties.530621.fund_yuan".into(), value: "2000000".into() },
        Setting { field: "counties.530621.rules.compensation.fund_share".into(), value: "0.8".into() },
    ];
    let src =
        mcstress_scenario::SourceFile { name: "c.toml".into(), key: "c.toml".into(), text: small_text() };
    let s = mcstress_scenario::load_with(src, None, &settings, &mut mcstress_scenario::no_extends)
        .expect("the settings are valid")
        .scenario;
    assert_eq!(s.counties[LUDIAN].fund, mcstress_domain::Fen::from_yuan(2_000_000));
    assert_eq!(s.rules_for(LUDIAN, 0).claims.fund_share.get(), 0.8);
    assert_eq!(s.rules_for(QIAOJIA, 0).claims.fund_share.get(), 0.7);
}

#[test]
fn a_variant_and_a_county_override_stack() {
    let text =
        format!("{}\n[counties.\"530621\".rules.compensation]\ntrigger_days_overdue = 60\n", small_text());
    let s = scenario(&text, Some("higher-share"));
    // The variant raises the province's share; the county keeps its own
    // trigger on top of it.
    assert_eq!(s.rules_for(LUDIAN, 0).claims.fund_share.get(), 0.9);
    assert_eq!(s.rules_for(LUDIAN, 0).claims.trigger_days_overdue, 60);
    assert_eq!(s.rules_for(QIAOJIA, 0).claims.trigger_days_overdue, 90);
}

#[test]
fn a_timeline_entry_changes_the_rules_from_its_month_on() {
    let s = with("\n[[timeline]]\nmonth = \"2024-07\"\nrules.compensation.fund_share = 0.9\n");
    for c in [LUDIAN, QIAOJIA, LANCANG] {
        assert_eq!(s.rules_for(c, 5).claims.fund_share.get(), 0.7, "2024-06 is month 5");
        assert_eq!(s.rules_for(c, 6).claims.fund_share.get(), 0.9, "2024-07 is month 6");
        assert_eq!(s.rules_for(c, 23).claims.fund_share.get(), 0.9);
    }
    assert_eq!(s.rules.claims.fund_share.get(), 0.7, "`rules` are those of month 0");
}

#[test]
fn timeline_entries_stack_and_may_name_counties() {
    let s = with(
        "\n[counties.\"530828\".rules.compensation]\nfund_share = 0.8\n\
         [[timeline]]\nmonth = \"2023-06\"\nrules.compensation.trigger_days_overdue = 60\n\
         [[timeline]]\nmonth = \"2024-07\"\nrules.compensation.fund_share = 0.9\n\
         [[timeline]]\nmonth = \"2025-01\"\ncounties.\"530621\".rules.compensation.fund_share = 0.5\n",
    );
    let at = |c, t| {
        let r = s.rules_for(c, t);
        (r.claims.trigger_days_overdue, r.claims.fund_share.get())
    };
    // An entry before the start applies from month 0.
    assert_eq!(at(LUDIAN, 0), (60, 0.7));
    assert_eq!(at(LANCANG, 0), (60, 0.8));
    // A later province-wide change applies to a county with rules of its own.
    assert_eq!(at(LANCANG, 6), (60, 0.9));
    assert_eq!(at(LUDIAN, 11), (60, 0.9));
    assert_eq!(at(LUDIAN, 12), (60, 0.5));
    assert_eq!(at(QIAOJIA, 12), (60, 0.9));
}

#[test]
fn an_unknown_county_code_is_named() {
    let p = problems("\n[counties.\"530699\".rules.compensation]\nfund_share = 0.8\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("c.toml:31:11: counties.\"530699\": expected a six-digit code of a county"),
        "{p:?}"
    );
    assert!(p[0].ends_with("found no county 530699 in this scenario"), "{p:?}");
    let p = problems("\n[counties.\"530621,530698\"]\nfund_yuan = 1\n");
    assert!(p[0].ends_with("found no county 530698 in this scenario"), "{p:?}");
    let p = problems("\n[counties.\"Ludian\"]\nfund_yuan = 1\n");
    assert!(p[0].ends_with("found \"Ludian\""), "{p:?}");
}

#[test]
fn an_unknown_field_of_an_override_is_named_with_a_suggestion() {
    let p = problems("\n[counties.\"530621\".rules.compensation]\nfund_shar = 0.8\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("c.toml:32:1: counties.\"530621\".rules.compensation.fund_shar: expected one of:"),
        "{p:?}"
    );
    assert!(p[0].contains("(did you mean `fund_share`?)"), "{p:?}");
    let p = problems("\n[counties.\"530621\"]\nfund_yaun = 1\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("c.toml:32:1: counties.\"530621\".fund_yaun: expected one of:"), "{p:?}");
    assert!(p[0].contains("(did you mean `fund_yuan`?)"), "{p:?}");
}

#[test]
fn a_value_out_of_range_is_reported_against_the_overrides_path() {
    let p = problems("\n[counties.\"530621\".rules.compensation]\nfund_share = 1.8\n");
    assert_eq!(
        p,
        [
            "c.toml:32:14: counties.\"530621\".rules.compensation.fund_share: expected a number from 0 to 1, found 1.8"
        ]
    );
    let p = problems("\n[counties.\"530621,530622\"]\nfund_yuan = -5\n");
    assert_eq!(p.len(), 1, "one problem, though it sits in two counties: {p:?}");
    assert!(
        p[0].starts_with("c.toml:32:13: counties.\"530621,530622\".fund_yuan: expected an amount"),
        "{p:?}"
    );
    let p = problems("\n[[timeline]]\nmonth = \"2025-01\"\nrules.compensation.fund_share = 2\n");
    assert_eq!(
        p,
        ["c.toml:33:33: timeline[0].rules.compensation.fund_share: expected a number from 0 to 1, found 2"]
    );
}

#[test]
fn a_countys_code_and_prefecture_cannot_be_overridden() {
    let p = problems("\n[counties.\"530621\"]\nprefecture = \"530800\"\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("counties.\"530621\".prefecture: expected county fields other than `code`"),
        "{p:?}"
    );
}

#[test]
fn timeline_months_must_increase_and_stay_within_the_horizon() {
    let p = problems(
        "\n[[timeline]]\nmonth = \"2025-01\"\nrules.compensation.fund_share = 0.8\n\
         [[timeline]]\nmonth = \"2024-06\"\nrules.compensation.fund_share = 0.9\n",
    );
    assert_eq!(
        p,
        [
            "c.toml:35:9: timeline[1].month: expected a month after the previous entry's (2025-01): entries in \
          increasing month order, found \"2024-06\""
        ]
    );
    let p = problems("\n[[timeline]]\nmonth = \"2026-01\"\nrules.compensation.fund_share = 0.8\n");
    assert_eq!(
        p,
        [
            "c.toml:32:9: timeline[0].month: expected a month up to 2025-12, the last of the horizon (or before \
          the start, 2024-01), found \"2026-01\""
        ]
    );
    let p = problems("\n[[timeline]]\nrules.compensation.fund_share = 0.8\n");
    assert!(
        p[0].contains("timeline[0].month: expected a month written as \"YYYY-MM\", found nothing"),
        "{p:?}"
    );
}

#[test]
fn a_timeline_entry_changes_rules_only() {
    let p = problems("\n[[timeline]]\nmonth = \"2025-01\"\ngeography.counties = []\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("timeline[0].geography: expected one of: month, rules, counties"), "{p:?}");
    let p = problems("\n[[timeline]]\nmonth = \"2025-01\"\ncounties.\"530621\".fund_yuan = 5\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("timeline[0].counties.\"530621\".fund_yuan: expected only `rules`"), "{p:?}");
    let p = problems("\n[[timeline]]\nmonth = \"2025-01\"\nrules.loans.follow_up_fund_covered = true\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("timeline[0].rules.loans.follow_up_fund_covered: expected a field that can change"),
        "{p:?}"
    );
}

// ---- On common random numbers -------------------------------------------

/// Paths and seed of the runs compared below.
const PATHS: u32 = 8;
const SEED: u64 = 11;

/// The figures of county `c` in every month of a path.
fn county_months(p: &PathResult, c: usize) -> Vec<f64> {
    let n = p.counties.len();
    let months = p.county_monthly.len() / (n * COUNTY_FIGURES);
    (0..months)
        .flat_map(|t| {
            let at = (t * n + c) * COUNTY_FIGURES;
            p.county_monthly[at..at + COUNTY_FIGURES].to_vec()
        })
        .collect()
}

#[test]
fn the_county_with_the_higher_fund_share_pays_more_claims_and_the_others_are_untouched() {
    let base = with("");
    let over = with("\n[counties.\"530621\".rules.compensation]\nfund_share = 0.9\n");
    let (_, a) = simulate(&base, PATHS, SEED, 2);
    let (_, b) = simulate(&over, PATHS, SEED, 2);
    let paid = |r: &[PathResult], c: usize| r.iter().map(|p| p.counties[c].claims_paid).sum::<i64>();
    assert!(paid(&a, LUDIAN) > 0, "the test needs claims in Ludian");
    assert!(
        paid(&b, LUDIAN) > paid(&a, LUDIAN),
        "fund share 0.9 against 0.7: {} against {} fen",
        paid(&b, LUDIAN),
        paid(&a, LUDIAN)
    );
    for (pa, pb) in a.iter().zip(&b) {
        for c in [QIAOJIA, LANCANG] {
            assert_eq!(pa.counties[c], pb.counties[c], "county {c}'s outcome");
            assert_eq!(county_months(pa, c), county_months(pb, c), "county {c}'s months");
        }
        assert!(pb.counties[LUDIAN].claims_paid >= pa.counties[LUDIAN].claims_paid);
    }
}

#[test]
fn a_rule_that_changes_at_a_date_leaves_every_earlier_month_as_it_was_and_acts_after() {
    // 2024-10 is month 9 of the small scenario.
    const FROM: usize = 9;
    let base = with("");
    let dated = with("\n[[timeline]]\nmonth = \"2024-10\"\nrules.compensation.fund_share = 0.95\n");
    let (m, a) = simulate(&base, PATHS, SEED, 2);
    let (_, b) = simulate(&dated, PATHS, SEED, 2);
    let n = m.scenario.counties.len();
    let before = FROM * n * COUNTY_FIGURES;
    let mut moved = 0;
    for (pa, pb) in a.iter().zip(&b) {
        assert_eq!(
            pa.province_overdue[..FROM],
            pb.province_overdue[..FROM],
            "province overdue before 2024-10"
        );
        assert_eq!(pa.county_monthly[..before], pb.county_monthly[..before], "county figures before 2024-10");
        // From it on, the funds pay 95 % of each claim instead of 70 %: no
        // county's fund pays less, and the counties with claims pay more.
        for c in 0..n {
            let (ca, cb) = (pa.counties[c].claims_paid, pb.counties[c].claims_paid);
            assert!(cb >= ca, "county {c}: claims paid {cb} under the revision, {ca} without");
            moved += usize::from(cb > ca);
        }
        assert_ne!(pa.county_monthly[before..], pb.county_monthly[before..], "figures from 2024-10 on");
    }
    assert!(moved > 0, "the revision moved no county's claims");
    let paid = |r: &[PathResult]| r.iter().map(|p| p.totals.claims_paid).sum::<i64>();
    assert!(paid(&b) > paid(&a));
}

#[test]
fn a_claim_filed_before_a_change_is_settled_under_the_rules_in_force_when_it_is_settled() {
    // The tiny book (tests/data/tiny.toml): 20 loans of 10,000 yuan miss
    // their first payment in month 0, are claimed 6 months overdue in month
    // 5 (90 days + 3 months of collection) and paid in month 6 (one month's
    // delay). The loss base is the principal and 8 months of interest.
    const LOANS: i64 = 20;
    const FUND: i64 = 100_000_000;
    let base = 1_000_000 + 2_875 * 8;
    let fund_after = |entry_month: &str| {
        let s =
            tiny(&format!("[[timeline]]\nmonth = \"{entry_month}\"\nrules.compensation.fund_share = 0.9\n"));
        let p = mcstress_engine::simulate_path(&Model::prepare(&s), 5, 0);
        assert_eq!(p.county_monthly[0], 1.0, "every loan misses its first payment on this seed");
        (p.county_monthly[6 * COUNTY_FIGURES + FIG_FUND_YUAN] * 100.0).round() as i64
    };
    let at = |share: f64| FUND - LOANS * (base as f64 * share).round() as i64;
    // Filed in month 5 (2024-06) under 0.7, settled in month 6 (2024-07).
    assert_eq!(fund_after("2024-07"), at(0.9), "settled under the share in force when settled");
    assert_eq!(fund_after("2024-06"), at(0.9));
    assert_eq!(fund_after("2024-08"), at(0.7), "the change comes after the settlement");
}

/// A shipped scenario file, its `extends` read from disk.
fn shipped(rel: &str) -> mcstress_scenario::Scenario {
    let read = |path: std::path::PathBuf| mcstress_scenario::SourceFile {
        name: path.display().to_string(),
        key: path.display().to_string(),
        text: std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    };
    let main = read(crate::support::root().join(rel));
    let mut resolve = |from: &mcstress_scenario::SourceFile, to: &str| {
        let dir = std::path::Path::new(&from.key).parent().expect("a file has a directory").to_path_buf();
        Ok(read(dir.join(to)))
    };
    match mcstress_scenario::load(main, None, &mut resolve) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{rel}: {e}"),
    }
}

/// Every county figure of months before `from` is the same in the two
/// runs, and some figure from `from` on differs.
fn same_until(a: &[PathResult], b: &[PathResult], from: usize) {
    for (pa, pb) in a.iter().zip(b) {
        let n = pa.counties.len();
        let before = from * n * COUNTY_FIGURES;
        assert_eq!(pa.province_overdue[..from], pb.province_overdue[..from]);
        assert_eq!(pa.county_monthly[..before], pb.county_monthly[..before], "a figure before month {from}");
        assert_ne!(
            pa.county_monthly[before..],
            pb.county_monthly[before..],
            "the figures from month {from} on"
        );
    }
}

#[test]
fn the_revision_from_2026_07_is_todays_rules_until_june_2026() {
    let today = shipped("scenarios/rules/current.toml");
    let revised = shipped("scenarios/rules/revised-from-2026-07.toml");
    // 2026-07 is month 30 of a run from 2024-01.
    for c in [0, 64, 128] {
        assert_eq!(revised.rules_for(c, 29), today.rules_for(c, 29));
        assert_eq!(revised.rules_for(c, 30).claims.fund_share.get(), 0.8);
    }
    let (_, a) = simulate(&today, 1, SEED, 2);
    let (_, b) = simulate(&revised, 1, SEED, 2);
    same_until(&a, &b, 30);
    assert!(b[0].totals.claims_paid > a[0].totals.claims_paid, "the fund pays 80 % from July 2026");
}

#[test]
fn the_2026_transition_lends_more_from_march_2026() {
    let today = shipped("scenarios/rules/current.toml");
    let transition = shipped("scenarios/rules/2026-transition.toml");
    // 2026-03 is month 26.
    assert_eq!(transition.rules_for(5, 25), today.rules_for(5, 25));
    let after = transition.rules_for(5, 26);
    assert_eq!(after.loans.first.max_amount, mcstress_domain::Fen::from_yuan(100_000));
    assert_eq!(after.demand.first_loan_amounts[0].0, mcstress_domain::Fen::from_yuan(100_000));
    let (_, a) = simulate(&today, 1, SEED, 2);
    let (_, b) = simulate(&transition, 1, SEED, 2);
    same_until(&a, &b, 26);
    assert!(b[0].totals.disbursed > a[0].totals.disbursed, "larger loans and more demand from 2026-03");
}

#[test]
fn new_loans_take_the_lpr_in_force_when_they_are_disbursed() {
    // The tiny book (tests/data/tiny.toml) climbs the ladder in month 6
    // (2024-07, `follow_up_when = "after"`): twenty follow-up loans of 10,000 yuan, which an earthquake
    // makes miss their first quarter's interest in month 9; written off at 5
    // months overdue, in month 13, with 3 + 4 months of interest at the
    // follow-up loan's rate: the LPR of 2024-07.
    let run = |rates: &str| {
        let s = tiny(&format!(
            "[scenario]\nhorizon_months = 16\n\n\
             [portfolio]\nterm_months = 9\ncategory_mix = {{ lifted = 0, unstable = 1 }}\n\n\
             [behaviour]\ndistress_probability = {{ unstable = 1e-9 }}\n\n\
             [rules.ladder]\nfollow_up_when = \"after\"\nfollow_up_uptake = 1\nfollow_up_amount_yuan = 10000\n\n\
             [rules.lending]\nwrite_off_months = 5\n\n\
             [shocks]\nevents = [ {{ kind = \"earthquake\", month = \"2024-08\", severity = 100, moratorium_months = 0 }} ]\n\n{rates}"
        ));
        let p = mcstress_engine::simulate_path(&Model::prepare(&s), 5, 0);
        assert_eq!(p.totals.loans_by_product[1], 20, "every household climbs");
        p.totals.loss_bank
    };
    let loss = |monthly_interest: i64| 20 * (1_000_000 + 7 * monthly_interest);
    // 10,000 yuan at 3.45 % and 3.00 % a year: 28.75 and 25 yuan a month.
    assert_eq!(run("[rates]\nlpr = []\n"), loss(2_875));
    assert_eq!(run("[rates]\nlpr = [ { from = \"2024-07\", rate = 0.03 } ]\n"), loss(2_500));
    assert_eq!(
        run("[rates]\nlpr = [ { from = \"2024-08\", rate = 0.03 } ]\n"),
        loss(2_875),
        "cut after disbursement"
    );
    assert_eq!(
        run("[rates]\nlpr = [ { from = \"2024-07\", rate = 0.03 } ]\nnew_loan_spread_annual = 0.005\n"),
        // A quarter at 3.50 % is 87.50 yuan, a month 29.17 (rounded).
        20 * (1_000_000 + 8_750 + 4 * 2_917)
    );
}

#[test]
fn the_default_lpr_path_is_the_public_record() {
    let s = with("");
    let lpr = |m: &str| s.lpr_at(mcstress_domain::YearMonth::parse(m).expect("a month")).basis_points();
    assert_eq!(
        [
            lpr("2023-08"),
            lpr("2024-06"),
            lpr("2024-07"),
            lpr("2024-09"),
            lpr("2024-10"),
            lpr("2025-04"),
            lpr("2025-05"),
            lpr("2030-01")
        ],
        [345, 345, 335, 335, 310, 310, 300, 300]
    );
}

#[test]
fn the_lpr_and_first_loan_amounts_are_validated() {
    let p = problems(
        "\n[rates]\nlpr = [ { from = \"2025-01\", rate = 0.03 }, { from = \"2024-07\", rate = 0.031 } ]\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("rates.lpr[1].from: expected a month after the previous change's (2025-01)"),
        "{p:?}"
    );
    let p = problems("\n[rates]\nlpr = [ { from = \"2025-01\" } ]\n");
    assert!(p[0].contains("rates.lpr[0].rate: expected the LPR from that month"), "{p:?}");
    let p = problems("\n[[timeline]]\nmonth = \"2025-01\"\nrules.loans.lpr_annual = 0.03\n");
    assert!(
        p[0].contains("timeline[0].rules.loans.lpr_annual: expected a field that can change at a date"),
        "{p:?}"
    );
    assert!(p[0].contains("its changes are `rates.lpr`"), "{p:?}");
    let p = problems(
        "\n[[timeline]]\nmonth = \"2025-01\"\nrules.demand.first_loan_amounts = [ { yuan = 100000, share = 1.0 } ]\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("timeline[0].rules.demand.first_loan_amounts[0].yuan: expected at most rules.loans.first_max_yuan (50000.00)"),
        "{p:?}"
    );
}

#[test]
fn the_subsidy_stops_at_the_lpr_in_force_at_disbursement_and_the_borrower_pays_the_spread() {
    // The LPR at 3.00 % throughout, under the rules' own cap of 3.45 %:
    // a spread of one point puts new loans at 4.00 %, but their subsidy
    // stays the interest at 3.00 % — the same subsidy as without a spread,
    // on the same futures (a rate changes no one's distress) — while the
    // arrears of the loans that fail grow with the rate. (No leverage
    // limit to speak of: a fund poorer by the larger claims would otherwise
    // refuse other loans.)
    let flat =
        "\n[rules.lending]\nleverage_max = 1000\n[rates]\nlpr = [ { from = \"2020-01\", rate = 0.03 } ]\n";
    let plain = with(flat);
    let spread = with(&format!("{flat}new_loan_spread_annual = 0.01\n"));
    assert_eq!(spread.rules.loans.subsidy.rate_cap.basis_points(), 345);
    let (_, a) = simulate(&plain, PATHS, SEED, 2);
    let (_, b) = simulate(&spread, PATHS, SEED, 2);
    for (pa, pb) in a.iter().zip(&b) {
        assert!(pa.totals.subsidy_paid > 0);
        assert_eq!(pa.totals.subsidy_paid, pb.totals.subsidy_paid, "the subsidy is capped at the LPR");
        assert_eq!(pa.totals.written_off, pb.totals.written_off, "the same loans fail");
    }
    let loss = |r: &[PathResult]| r.iter().map(|p| p.totals.loss_bank + p.totals.loss_fund).sum::<i64>();
    assert!(loss(&b) > loss(&a), "larger interest arrears in the claims and write-offs");
}

#[test]
fn a_bad_override_exits_2_naming_the_file_line_and_path() {
    let d = crate::support::scratch("county-override");
    let f = crate::support::write(
        &d,
        "c.toml",
        &format!("{}\n[counties.\"530699\".rules.compensation]\nfund_share = 0.8\n", small_text()),
    );
    let (code, _, err) = crate::support::cli(&["validate", f.to_str().expect("a UTF-8 path")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("c.toml:31:11: counties.\"530699\""), "{err}");
    assert!(err.contains("no county 530699 in this scenario"), "{err}");
}

#[test]
fn the_book_size_limit_holds_under_every_rule_set() {
    // 2,000 counties with the largest fund over 240 months fit without
    // interest or top-ups; a county override with 20 % interest (or a dated change to
    // it) would grow the funds past exact fen, and is refused as the same
    // change of `[rules.fund]` is.
    let mut text = String::from(
        "[scenario]\nhorizon_months = 240\n\n[rules.fund]\ninterest_rate_annual = 0\ntop_up = \"none\"\n\n",
    );
    text.push_str("[geography]\nprefectures = [ { code = \"530100\", industry_mix = { other = 1.0 } } ]\ncounties = [\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "  {{ code = \"{:06}\", name = \"c{i}\", prefecture = \"530100\", eligible_households = 100, loans = 10, \
             fund_yuan = \"1000000000000\" }},\n",
            600_000 + i
        ));
    }
    text.push_str("]\n");
    let load = |extra: &str| mcstress_scenario::from_str("large.toml", &format!("{text}{extra}"), None);
    assert!(load("").is_ok(), "no interest: the book fits");
    for extra in [
        "\n[counties.\"530100\".rules.fund]\ninterest_rate_annual = 0.2\n",
        "\n[[timeline]]\nmonth = \"2030-01\"\nrules.fund.interest_rate_annual = 0.2\n",
    ] {
        let err = load(extra).expect_err("a rule set whose funds pass exact fen");
        assert!(err.to_string().contains("a book small enough for exact integer fen"), "{err}");
    }
}

/// The distress thresholds of a month's rule set are shared by the counties
/// that follow it that month and computed afresh at each county-month for a
/// county that follows it alone (the engine keeps tables only for shared
/// rule sets): either way a county's future is the same. Lüdian follows
/// its own reminder rule alone, then together with Qiaojia.
#[test]
fn a_countys_future_does_not_depend_on_whether_another_county_follows_its_rules() {
    let rules = "rules.collection]\nreminders = true\nreminder_factor = 0.5\n";
    let alone = with(&format!("\n[counties.\"530621\".{rules}"));
    let shared = with(&format!("\n[counties.\"530621,530622\".{rules}"));
    let (m, a) = simulate(&alone, 8, 11, 2);
    let (_, b) = simulate(&shared, 8, 11, 2);
    let n_c = m.scenario.counties.len();
    let monthly = |p: &PathResult, c: usize| -> Vec<f64> {
        p.county_monthly
            .chunks_exact(COUNTY_FIGURES)
            .enumerate()
            .filter(|(k, _)| k % n_c == c)
            .flat_map(|(_, f)| f.iter().copied())
            .collect()
    };
    for (pa, pb) in a.iter().zip(&b) {
        assert_eq!(pa.counties[LUDIAN], pb.counties[LUDIAN]);
        assert_eq!(monthly(pa, LUDIAN), monthly(pb, LUDIAN));
        assert_eq!(pa.counties[LANCANG], pb.counties[LANCANG], "Lancang keeps the province's rules");
    }
    // The rule does move a county's future: Qiaojia's, which it reaches in
    // the second scenario only.
    assert!(a.iter().zip(&b).any(|(pa, pb)| monthly(pa, QIAOJIA) != monthly(pb, QIAOJIA)));
}
