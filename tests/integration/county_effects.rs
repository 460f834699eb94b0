//! Counties and townships differ (issue 11, item 2): a county's persistent
//! effect — from its overdue history, else the prior of its class — and a
//! township's effect drawn once per path shift their distress thresholds.
//! On common random numbers, as in `mechanisms.rs`: the paired difference
//! of a figure lies more than 3 standard errors from zero.

use mcstress_engine::{Estimate, PathResult};

use crate::support::{assert_down, assert_up, diff, extended, simulate, small_text};

const PATHS: u32 = 24;
const SEED: u64 = 47;

/// The small scenario's counties (鲁甸 and 巧家 key counties, 澜沧 a former
/// poverty county), with `extra` fields written into each (`""` for none).
fn counties(extra: [&str; 3]) -> String {
    format!(
        r#"[geography]
counties = [
  {{ code = "530621", name = "鲁甸县", prefecture = "530600", former_poverty = true, key_county = true, townships = 5, eligible_households = 12000, loans = 2500, fund_yuan = "6000000", bank_coverage = 0.8 {} }},
  {{ code = "530622", name = "巧家县", prefecture = "530600", former_poverty = true, key_county = true, townships = 6, eligible_households = 15000, loans = 3000, fund_yuan = "9000000" {} }},
  {{ code = "530828", name = "澜沧拉祜族自治县", prefecture = "530800", former_poverty = true, townships = 8, eligible_households = 20000, loans = 4000, fund_yuan = "5000000" {} }},
]
"#,
        extra[0], extra[1], extra[2]
    )
}

/// The small scenario with `behaviour` (lines of `[behaviour]`) and
/// `geography` (a `[geography]` table, or `""`), on `paths` paths.
fn run(behaviour: &str, geography: &str, paths: u32) -> Vec<PathResult> {
    let s = extended("small.toml", &small_text(), &format!("[behaviour]\n{behaviour}\n\n{geography}"), None);
    simulate(&s, paths, SEED, 2).1
}

/// No effects at all: the one-factor model of before.
const NO_EFFECTS: &str = "county_effect = { key = 0, former_poverty = 0, other = 0 }\ntownship_effect_sd = 0";

fn county_peak(c: usize) -> impl Fn(&PathResult) -> f64 {
    move |p| p.counties[c].peak_overdue
}

fn exhausted(paths: &[PathResult], c: usize) -> usize {
    paths.iter().filter(|p| p.counties[c].exhausted_month.is_some()).count()
}

#[test]
fn a_higher_county_effect_raises_that_countys_overdue_and_leaves_the_others_unchanged() {
    // 澜沧 is the one former poverty county that is not a key county. A
    // county's effect feeds no shared state (funds, factors and top-ups
    // are the county's own), so the other counties come out identical.
    let base = run(NO_EFFECTS, "", PATHS);
    let riskier = run(
        "county_effect = { key = 0, former_poverty = 0.6, other = 0 }\ntownship_effect_sd = 0",
        "",
        PATHS,
    );
    assert_up(diff(&base, &riskier, county_peak(2)), "澜沧's peak overdue rate");
    assert_up(diff(&base, &riskier, |p| p.counties[2].final_overdue), "澜沧's final overdue rate");
    assert_up(diff(&base, &riskier, |p| p.counties[2].claims_paid as f64), "澜沧's claims paid");
    assert!(
        exhausted(&riskier, 2) > exhausted(&base, 2),
        "澜沧's fund runs out on more paths: {} against {}",
        exhausted(&riskier, 2),
        exhausted(&base, 2)
    );
    for (a, b) in base.iter().zip(&riskier) {
        assert_eq!(a.counties[0], b.counties[0], "鲁甸 moved");
        assert_eq!(a.counties[1], b.counties[1], "巧家 moved");
    }
}

#[test]
fn a_county_files_overdue_history_moves_that_county_against_the_others() {
    // Equal histories: every county at the province's mean, no shift.
    let equal = counties([
        ", overdue_rate_history = 0.03",
        ", overdue_rate_history = 0.03",
        ", overdue_rate_history = 0.03",
    ]);
    let lancang_worse = counties([
        ", overdue_rate_history = 0.03",
        ", overdue_rate_history = 0.03",
        ", overdue_rate_history = 0.09",
    ]);
    let sd0 = "township_effect_sd = 0";
    let a = run(sd0, &equal, PATHS);
    let b = run(sd0, &lancang_worse, PATHS);
    // 澜沧 now stands above the (loan-weighted) mean, the others below it.
    assert_up(diff(&a, &b, county_peak(2)), "澜沧's peak overdue rate");
    assert_down(diff(&a, &b, county_peak(0)), "鲁甸's peak overdue rate");
    assert_down(diff(&a, &b, county_peak(1)), "巧家's peak overdue rate");
    // Equal histories are no effect at all, whatever the class priors.
    let none = run(NO_EFFECTS, "", PATHS);
    assert_eq!(a, none);
}

#[test]
fn the_class_priors_make_key_counties_riskier_than_other_counties() {
    // One key county (鲁甸) and one "other" county (巧家 without its
    // flags), with the documented default priors, against no effects.
    let geo = counties(["", "", ""]).replacen(
        "former_poverty = true, key_county = true, townships = 6",
        "townships = 6",
        1,
    );
    let off = run(NO_EFFECTS, &geo, PATHS);
    let on = run("township_effect_sd = 0", &geo, PATHS);
    assert_up(diff(&off, &on, county_peak(0)), "the key county's peak overdue rate");
    assert_down(diff(&off, &on, county_peak(1)), "the other county's peak overdue rate");
    // The other former poverty counties sit a little below the baseline.
    assert_down(diff(&off, &on, county_peak(2)), "the former poverty county's peak overdue rate");
}

/// Standard deviation across the townships of a path of their highest
/// overdue rate.
fn township_spread(p: &PathResult) -> f64 {
    let n = p.township_peak.len() as f64;
    let mean = p.township_peak.iter().map(|x| *x as f64).sum::<f64>() / n;
    (p.township_peak.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt()
}

#[test]
fn township_effects_make_township_rates_differ() {
    let off = run(NO_EFFECTS, "", PATHS);
    let on = run(
        "county_effect = { key = 0, former_poverty = 0, other = 0 }\ntownship_effect_sd = 0.5",
        "",
        PATHS,
    );
    assert_up(diff(&off, &on, township_spread), "spread of township peak overdue rates");
    // The effect is the township's for the whole path: the township that
    // peaks highest on a path is high all along, so its final rate is
    // above the other townships' on most paths.
    let above = on
        .iter()
        .filter(|p| {
            let n = p.township_peak.len();
            let top = (0..n).max_by(|&i, &j| p.township_peak[i].total_cmp(&p.township_peak[j])).unwrap_or(0);
            let months = p.township_overdue.len() / n;
            let last = |tw: usize| p.township_overdue[(months - 1) * n + tw] as f64;
            let mean = (0..n).map(last).sum::<f64>() / n as f64;
            last(top) > mean
        })
        .count();
    assert!(
        above * 4 >= on.len() * 3,
        "top township above the mean at the end on {above} of {} paths",
        on.len()
    );
}

/// The small scenario with a county data file of `csv` (`[data]`).
fn with_county_file(csv: &str) -> mcstress_scenario::Scenario {
    let text = "[behaviour]\ntownship_effect_sd = 0\n\n[data]\ncounties = \"counties.csv\"\n";
    match crate::support::small_with_data(text, csv.as_bytes()) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_county_files_overdue_history_column_sets_the_countys_effect() {
    // 历史逾期率 as a percent under a (%) header, as a share and with a
    // percent sign; a county that leaves it blank keeps its class prior.
    let file = |lancang: &str| {
        format!(
            "县(区)代码,县(区),历史逾期率（%）\n530621,鲁甸县,3\n530622,巧家县,3%\n530828,澜沧拉祜族自治县,{lancang}\n"
        )
    };
    let equal = with_county_file(&file("3"));
    let history: Vec<Option<f64>> = equal.counties.iter().map(|c| c.overdue_rate_history).collect();
    assert_eq!(history, [Some(0.03), Some(0.03), Some(0.03)]);
    let worse = with_county_file(&file("9"));
    assert_eq!(worse.counties[2].overdue_rate_history, Some(0.09));
    let blank = with_county_file(&file(""));
    assert_eq!(blank.counties[2].overdue_rate_history, None);
    let a = simulate(&equal, PATHS, SEED, 2).1;
    let b = simulate(&worse, PATHS, SEED, 2).1;
    assert_up(diff(&a, &b, county_peak(2)), "澜沧's peak overdue rate");
    assert_down(diff(&a, &b, county_peak(0)), "鲁甸's peak overdue rate");
}

#[test]
fn an_overdue_history_that_is_not_a_share_is_refused_naming_row_and_column() {
    let csv =
        "县(区)代码,县(区),历史逾期率\n530621,鲁甸县,0.03\n530622,巧家县,1.5\n530828,澜沧拉祜族自治县,high\n";
    let err = match crate::support::small_with_data("[data]\ncounties = \"counties.csv\"\n", csv.as_bytes()) {
        Ok(_) => panic!("a history of 1.5 and of \"high\" was accepted"),
        Err(e) => e.to_string(),
    };
    // Both bad rows are counted; the first is named in full.
    assert!(err.contains("counties.csv: 2 problems"), "{err}");
    assert!(
        err.contains(
            "row 3, column 历史逾期率: expected a share from 0 to below 1 (0.0436 or 4.36%), found \"1.5\""
        ),
        "{err}"
    );
}

#[test]
fn with_the_defaults_key_counties_come_out_riskier_than_districts_on_the_baseline() {
    // The Yunnan baseline over 24 months: per path, the mean peak overdue
    // rate of the 27 key counties against that of the districts and other
    // counties (neither key nor former poverty counties).
    let text = std::fs::read_to_string(crate::support::root().join("scenarios/yunnan-baseline.toml"))
        .expect("the baseline");
    let s = extended("yunnan-baseline.toml", &text, "[scenario]\nhorizon_months = 24", None);
    let key: Vec<usize> = (0..s.counties.len()).filter(|&c| s.counties[c].key_county).collect();
    let other: Vec<usize> = (0..s.counties.len())
        .filter(|&c| !s.counties[c].key_county && !s.counties[c].former_poverty)
        .collect();
    assert_eq!((key.len(), other.len()), (27, 41));
    let paths = simulate(&s, 12, SEED, 2).1;
    let mean = |p: &PathResult, cs: &[usize]| {
        cs.iter().map(|&c| p.counties[c].peak_overdue).sum::<f64>() / cs.len() as f64
    };
    let d: Vec<f64> = paths.iter().map(|p| mean(p, &key) - mean(p, &other)).collect();
    assert_up(Estimate::from_values(&d), "key counties' mean peak overdue rate over the districts'");
}
