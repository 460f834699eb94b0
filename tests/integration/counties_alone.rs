//! Some counties simulated alone (`--counties`): on every path each
//! county's outcomes are exactly those it has in the whole scenario's path,
//! with every kind of draw that is keyed by a county or a township in play.

use mcstress_engine::{Model, RunConfig, run};

/// The small scenario with scripted disasters (one naming a county, one
/// every county, one a township), a price fall, bank exits random and scripted, a county's
/// own rules and the enterprises of 户贷企用 failing often.
const EVERYTHING: &str = r#"
[behaviour]
misuse_share = 0.1
enterprise_failure_monthly = 0.05

[rules.service]
exit_monthly = 0.02
takeover_months = 3

[[rules.service.exits]]
month = "2024-05"
counties = ["530622", "530828"]
share = 0.5

[[shocks.events]]
kind = "drought"
month = "2024-03"
counties = ["530622"]
severity = 2.0
township_share = 0.5

[[shocks.events]]
kind = "flood"
month = "2024-07"
severity = 1.5
township_share = 0.4

[[shocks.events]]
kind = "earthquake"
month = "2024-09"
townships = ["530621-01"]
severity = 2.0

[[shocks.events]]
kind = "price"
industry = "cattle"
month = "2024-04"
price_change = -0.3

[counties."530828".rules.compensation]
fund_share = 0.5
"#;

#[test]
fn a_county_simulated_alone_has_exactly_the_future_it_has_in_the_whole_scenario() {
    let whole = Model::prepare(&crate::support::small(EVERYTHING));
    let cfg = RunConfig { paths: 12, seed: 3, threads: 2 };
    let all = run(&whole, cfg, None).unwrap();
    let n_c = whole.scenario.counties.len();
    let towns: Vec<usize> = whole.scenario.township_names().iter().map(Vec::len).collect();
    let mut some_exhausted = 0;
    for keep in [vec![1], vec![0, 2], vec![2]] {
        let part = whole.restrict(&keep).expect("a valid selection");
        assert_eq!(part.restricted_from(), Some(n_c));
        assert_eq!(part.scenario.counties.len(), keep.len());
        let alone = run(&part, cfg, None).unwrap();
        let figures = mcstress_engine::COUNTY_FIGURES;
        for (p, (a, w)) in alone.iter().zip(&all).enumerate() {
            for (k, &c) in keep.iter().enumerate() {
                assert_eq!(a.counties[k], w.counties[c], "path {p}, county {c}: outcome");
                some_exhausted += usize::from(w.counties[c].exhausted_month.is_some());
                for t in 0..whole.scenario.horizon_months as usize {
                    let at = |n: usize, c: usize| (t * n + c) * figures;
                    assert_eq!(
                        a.county_monthly[at(keep.len(), k)..at(keep.len(), k) + figures],
                        w.county_monthly[at(n_c, c)..at(n_c, c) + figures],
                        "path {p}, county {c}, month {t}"
                    );
                }
                // Its townships' peaks, in the same order.
                let first = |n: &[usize], c: usize| n[..c].iter().sum::<usize>();
                let kept_towns: Vec<usize> = keep.iter().map(|&c| towns[c]).collect();
                let (fa, fw) = (first(&kept_towns, k), first(&towns, c));
                assert_eq!(a.township_peak[fa..fa + towns[c]], w.township_peak[fw..fw + towns[c]]);
            }
        }
    }
    // The scenario is stressed enough for the comparison to reach the
    // funds' end too.
    assert!(some_exhausted > 0, "no fund ran out: the test would not see the claims' side");
}

#[test]
fn a_selection_must_name_counties_of_the_model_once_each_in_order() {
    let whole = Model::prepare(&crate::support::small(""));
    assert!(whole.restrict(&[]).is_none());
    assert!(whole.restrict(&[3]).is_none());
    assert!(whole.restrict(&[1, 0]).is_none());
    assert!(whole.restrict(&[1, 1]).is_none());
    assert!(whole.restrict(&[0, 1, 2]).is_some());
}

#[test]
fn run_with_counties_writes_their_rows_of_the_whole_run_and_says_so() {
    use crate::support::{cli, scratch, small_text, write};
    let d = scratch("counties-alone");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (whole, part) = (d.join("whole"), d.join("part"));
    let (code, _, err) = cli(&["run", &f, "--paths", "10", "--out", &whole.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    // A prefecture's code: both its counties (Ludian, Qiaojia), once each.
    let (code, _, err) = cli(&[
        "run",
        &f,
        "--paths",
        "10",
        "--counties",
        "530600,530621",
        "--out",
        &part.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("of 2 of the scenario's 3 counties"), "{err}");
    let rows = |dir: &std::path::Path| {
        let text = std::fs::read_to_string(dir.join("counties.csv")).unwrap();
        text.lines()
            .filter(|l| l.starts_with("530621") || l.starts_with("530622"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&part).len(), 2);
    assert_eq!(rows(&part), rows(&whole), "the counties' rows of the whole run");
    let lines = std::fs::read_to_string(part.join("counties.csv")).unwrap().lines().count();
    assert_eq!(lines, 3, "a header and the two counties");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(part.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["counties_simulated"], serde_json::json!(["530621", "530622"]));
    assert_eq!(run["counties_in_scenario"], 3);
    let plain: serde_json::Value =
        serde_json::from_slice(&std::fs::read(whole.join("run.json")).unwrap()).unwrap();
    assert!(plain.get("counties_simulated").is_none(), "a whole run's run.json is unchanged");
}

#[test]
fn a_code_of_no_county_or_prefecture_is_refused_with_what_was_expected() {
    use crate::support::{cli, scratch, small_text, write};
    let d = scratch("counties-bad");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let out = d.join("out").display().to_string();
    let (code, _, err) = cli(&["run", &f, "--counties", "530621,530699", "--out", &out]);
    assert_eq!(code, 2);
    assert!(err.contains("--counties 530699") && err.contains("county or a prefecture"), "{err}");
    assert!(!d.join("out").join("run.json").exists(), "nothing written");
    let (code, _, err) = cli(&["run", &f, "--counties", "530621,,", "--paths", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("found an empty one"), "{err}");
    // rare's county of interest must be simulated.
    let (code, _, err) = cli(&["rare", &f, "--county", "530828", "--counties", "530621", "--paths", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--county (530828)"), "{err}");
}

#[test]
fn a_breakpoint_of_some_counties_finds_for_each_what_the_whole_search_finds() {
    let base = crate::support::small("");
    let bc = mcstress_engine::BreakpointConfig {
        shock: "drought".into(),
        target: 0.1,
        severities: vec![0.0, 1.0, 2.0],
        topup_severity: 2.0,
        topup_tolerance: 0.01,
        counties: None,
    };
    let cfg = RunConfig { paths: 30, seed: 7, threads: 2 };
    let whole = mcstress_engine::breakpoint(&base, &bc, cfg, None).unwrap();
    // Somewhere a top-up is searched, so that the searches are compared.
    assert!(whole.counties.iter().any(|c| c.min_topup_yuan.is_some_and(|t| t > 0.0)), "{:?}", whole.counties);
    for keep in [vec![0], vec![1, 2]] {
        let part = mcstress_engine::breakpoint(
            &base,
            &mcstress_engine::BreakpointConfig { counties: Some(keep.clone()), ..bc.clone() },
            cfg,
            None,
        )
        .unwrap();
        assert_eq!(part.counties.len(), keep.len());
        for c in &part.counties {
            let w = whole.counties.iter().find(|w| w.id == c.id).unwrap();
            assert_eq!(format!("{c:?}"), format!("{w:?}"), "county {}", c.id);
        }
    }
}
