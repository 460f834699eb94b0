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
