//! `mcstress sweep` and `mcstress breakpoint`: grids and searches on common
//! random numbers.

use serde_json::Value;

use crate::support::{cli, scenario, scratch, small_text, write};

fn small_file(name: &str) -> String {
    let d = scratch(name);
    write(&d, "small.toml", &small_text()).display().to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A higher fund share never lowers the fund's losses: on the same random
/// futures the fund pays a larger share of the same claims, and pays no
/// more than it holds.
#[test]
fn the_funds_loss_never_falls_as_its_share_rises() {
    let f = small_file("sweep-share");
    let (c, out, err) =
        cli(&["sweep", &f, "--set", "rules.compensation.fund_share=0.5:0.9:0.1", "--paths", "30", "--json"]);
    assert_eq!(c, 0, "{err}");
    let s = json(&out);
    assert_eq!(s["schema"], "mcstress.sweep/1");
    let points = s["points"].as_array().unwrap();
    assert_eq!(points.len(), 5);
    let shares: Vec<f64> =
        points.iter().map(|p| p["values"]["rules.compensation.fund_share"].as_f64().unwrap()).collect();
    assert_eq!(shares, [0.5, 0.6, 0.7, 0.8, 0.9]);
    let loss: Vec<f64> =
        points.iter().map(|p| p["province"]["loss_fund_yuan"]["mean"].as_f64().unwrap()).collect();
    for w in loss.windows(2) {
        assert!(w[1] >= w[0], "fund loss fell as the share rose: {loss:?}");
    }
    assert!(loss[4] > loss[0], "the share matters at all: {loss:?}");
    // The grid shares its random futures: the pairing gains. Losses exactly
    // proportional to the share would give (0.5² + 0.9²) / 0.4² = 6.6;
    // independent runs would give about 1.
    let gain = points[4]["vs_first"]["loss_fund_yuan"]["variance_reduction"].as_f64().unwrap();
    assert!(gain > 4.0, "variance reduction {gain}");
}

/// The grid point at the file's own value is the file's own run.
#[test]
fn a_sweep_point_equals_a_run_of_the_same_settings() {
    let f = small_file("sweep-run");
    let (_, out, _) =
        cli(&["sweep", &f, "--set", "rules.compensation.fund_share=0.6:0.7:0.1", "--paths", "10", "--json"]);
    let (_, run, _) = cli(&["run", &f, "--paths", "10", "--json"]);
    let (s, r) = (json(&out), json(&run));
    assert_eq!(scenario(&small_text(), None).rules.claims.fund_share.get(), 0.7);
    let p = &s["points"][1];
    for k in ["loss_fund_yuan", "peak_overdue_rate", "claims_paid_yuan"] {
        assert_eq!(p["province"][k], r["province"][k], "{k}");
    }
    assert_eq!(p["province"]["exhaustion_probability"], r["province"]["exhaustion_probability"]);
    let (pc, rc) = (p["counties"].as_array().unwrap(), r["counties"].as_array().unwrap());
    assert_eq!(pc.len(), rc.len());
    for (a, b) in pc.iter().zip(rc) {
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["exhaustion_probability"], b["exhaustion_probability"]);
        assert_eq!(a["loss_fund_yuan_mean"], b["loss_fund_yuan"]["mean"]);
    }
}

#[test]
fn a_two_field_sweep_is_a_grid_with_the_last_field_fastest() {
    let f = small_file("sweep-grid");
    let (c, out, err) = cli(&[
        "sweep",
        &f,
        "--set",
        "rules.compensation.fund_share=0.5:0.8:0.3",
        "--set",
        "rules.compensation.trigger_days_overdue=90:180:90",
        "--paths",
        "4",
        "--json",
    ]);
    assert_eq!(c, 0, "{err}");
    let s = json(&out);
    assert_eq!(s["shape"], serde_json::json!([2, 2]));
    let v: Vec<(f64, i64)> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["values"]["rules.compensation.fund_share"].as_f64().unwrap(),
                p["values"]["rules.compensation.trigger_days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(v, [(0.5, 90), (0.5, 180), (0.8, 90), (0.8, 180)]);
}

#[test]
fn sweep_and_breakpoint_give_the_same_bytes_on_one_or_two_threads() {
    let f = small_file("search-threads");
    for args in [
        vec![
            "sweep",
            f.as_str(),
            "--set",
            "rules.compensation.fund_share=0.5:0.9:0.2",
            "--paths",
            "6",
            "--json",
        ],
        vec![
            "breakpoint",
            f.as_str(),
            "--shock",
            "drought",
            "--target",
            "0.1",
            "--step",
            "1",
            "--paths",
            "6",
            "--json",
        ],
    ] {
        let with = |t: &'static str| {
            let mut a = args.clone();
            a.extend(["--threads", t]);
            cli(&a)
        };
        let (c1, one, e1) = with("1");
        let (c2, two, _) = with("2");
        assert_eq!((c1, c2), (0, 0), "{e1}");
        assert_eq!(one, two, "{}", args[0]);
    }
}

#[test]
fn a_bad_sweep_is_refused_before_anything_runs() {
    let f = small_file("sweep-bad");
    for (set, says) in [
        ("rules.compensation.fund_share=0.5:1.5:0.5", "--set:1:"),
        ("rules.compensation.fund_shar=0.5:0.9:0.1", "fund_share"),
        ("rules.compensation.fund_share=0.5", "START:STOP:STEP"),
        ("rules.compensation.trigger_days_overdue=90.0:180.0:90.0", "trigger_days_overdue"),
    ] {
        let (c, out, err) = cli(&["sweep", &f, "--set", set, "--paths", "2"]);
        assert_eq!(c, 2, "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
        assert!(out.is_empty(), "no partial table: {out}");
    }
    let (c, _, err) = cli(&["sweep", &f, "--set", "a=1:2:1", "--set", "b=1:2:1", "--set", "c=1:2:1"]);
    assert_eq!(c, 2);
    assert!(err.contains("one --set"), "{err}");
}

/// Doubling a county's fund never lowers the severity at which it breaks:
/// on the same random futures a larger fund is exhausted later or never.
#[test]
fn a_doubled_fund_breaks_at_no_lower_severity() {
    let base = scenario(&small_text(), None);
    let bc = mcstress_engine::BreakpointConfig {
        shock: "drought".into(),
        target: 0.1,
        severities: (0..=8).map(|i| f64::from(i) * 0.5).collect(),
        topup_severity: 1.0,
        topup_tolerance: 0.01,
        counties: None,
    };
    let cfg = mcstress_engine::RunConfig { paths: 30, seed: 7, threads: 2 };
    let before = mcstress_engine::breakpoint(&base, &bc, cfg, None).unwrap();
    assert_eq!(before.schema, "mcstress.breakpoint/1");
    let reached: Vec<&mcstress_engine::BreakpointCounty> =
        before.counties.iter().filter(|c| c.severity.is_some_and(|s| s > 0.0)).collect();
    assert!(!reached.is_empty(), "some county breaks inside the grid: {:?}", before.counties);
    for c in reached {
        let mut doubled = base.clone();
        let i = doubled.counties.iter().position(|k| k.code.to_string() == c.id).unwrap();
        doubled.counties[i].fund = doubled.counties[i].fund + doubled.counties[i].fund;
        let after = mcstress_engine::breakpoint(&doubled, &bc, cfg, None).unwrap();
        let a = after.counties.iter().find(|k| k.id == c.id).unwrap();
        let (s0, s1) = (c.severity.unwrap(), a.severity.unwrap_or(f64::INFINITY));
        assert!(s1 >= s0, "{}: severity {s0} with its fund, {s1} with it doubled", c.id);
        // And the probability never rises at any severity of the grid.
        for (p0, p1) in c.exhaustion_probability.iter().zip(&a.exhaustion_probability) {
            assert!(p1 <= p0, "{}: {:?} → {:?}", c.id, c.exhaustion_probability, a.exhaustion_probability);
        }
    }
}

/// The top-up found is the smallest (to its tolerance) that works: with it
/// the county is under the target, with a little less it is not.
#[test]
fn the_top_up_found_brings_the_county_under_the_target_and_less_does_not() {
    let base = scenario(&small_text(), None);
    let bc = mcstress_engine::BreakpointConfig {
        shock: "drought".into(),
        target: 0.1,
        severities: vec![0.0, 1.0, 2.0],
        // Severity 2: at 1 no county of the small scenario reaches the
        // target since most failures come at maturity (docs/model.md § 7.3).
        topup_severity: 2.0,
        topup_tolerance: 0.01,
        counties: None,
    };
    let cfg = mcstress_engine::RunConfig { paths: 30, seed: 7, threads: 2 };
    let b = mcstress_engine::breakpoint(&base, &bc, cfg, None).unwrap();
    let needy: Vec<_> = b.counties.iter().filter(|c| c.min_topup_yuan.is_some_and(|t| t > 0.0)).collect();
    assert!(!needy.is_empty(), "some county needs a top-up at severity 2: {:?}", b.counties);
    let shocked = base.with_shock("drought", 2.0).unwrap();
    let p_with = |id: &str, topup: f64| {
        let mut s = shocked.clone();
        let i = s.counties.iter().position(|k| k.code.to_string() == id).unwrap();
        s.counties[i].fund += mcstress_domain::Fen((topup * 100.0) as i64);
        let (_, paths) = crate::support::simulate(&s, 30, 7, 2);
        paths.iter().filter(|p| p.counties[i].exhausted_month.is_some()).count() as f64 / 30.0
    };
    for c in needy {
        let t = c.min_topup_yuan.unwrap();
        assert!(p_with(&c.id, t) < 0.1, "{}: still at or over the target with {t}", c.id);
        let less = t - (t * 0.01).max(1_000.0) - 1.0;
        assert!(p_with(&c.id, less) >= 0.1, "{}: {less} would already do", c.id);
        // The interval's lower end: from it on the probability's Wilson
        // interval no longer lies wholly at or above the target; a little
        // less and it still does (a smaller top-up is surely too small).
        let wilson = |id: &str, topup: f64| {
            mcstress_engine::Probability::from_count((p_with(id, topup) * 30.0).round() as usize, 30)
        };
        let low = c.min_topup_low_yuan.unwrap();
        assert!(low <= t, "{}: {low} > {t}", c.id);
        assert!(wilson(&c.id, low).ci95_low < 0.1, "{}: the lower end {low} is surely too small", c.id);
        if low > 0.0 {
            let less = low - (low * 0.01).max(1_000.0) - 1.0;
            assert!(wilson(&c.id, less).ci95_low >= 0.1, "{}: the lower end could be {less}", c.id);
        }
        // 30 paths cannot tell that any top-up is surely enough: even no
        // exhausted path leaves the Wilson interval reaching 10 %.
        assert!(mcstress_engine::Probability::from_count(0, 30).ci95_high >= 0.1);
        assert_eq!(c.min_topup_high_yuan, None, "{}", c.id);
    }
    // With a target the paths can tell, the upper end is found and means
    // what it says.
    let bc = mcstress_engine::BreakpointConfig { target: 0.2, ..bc };
    let b = mcstress_engine::breakpoint(&base, &bc, cfg, None).unwrap();
    // A county may need none by the estimate (3 exhausted paths in 30
    // are under 20 %) and yet not surely: its interval's upper end is
    // then above 0.
    let open: Vec<_> = b.counties.iter().filter(|c| c.min_topup_high_yuan.is_some_and(|t| t > 0.0)).collect();
    assert!(!open.is_empty(), "some county is not surely under 20 % without a top-up: {:?}", b.counties);
    for c in open {
        let (t, high) = (c.min_topup_yuan.unwrap(), c.min_topup_high_yuan.unwrap());
        let k = |topup: f64| (p_with(&c.id, topup) * 30.0).round() as usize;
        assert!(t <= high, "{}: {t} > {high}", c.id);
        assert!(mcstress_engine::Probability::from_count(k(high), 30).ci95_high < 0.2, "{}: {high}", c.id);
        let less = high - (high * 0.01).max(1_000.0) - 1.0;
        assert!(mcstress_engine::Probability::from_count(k(less), 30).ci95_high >= 0.2, "{}: {less}", c.id);
    }
}

#[test]
fn breakpoint_refuses_an_unknown_shock_and_a_bad_target() {
    let f = small_file("bp-bad");
    let (c, _, err) = cli(&["breakpoint", &f, "--shock", "locusts", "--target", "0.1", "--paths", "2"]);
    assert_eq!(c, 2);
    assert!(err.contains("locusts") && err.contains("drought"), "{err}");
    let (c, _, err) = cli(&["breakpoint", &f, "--shock", "drought", "--target", "1.5", "--paths", "2"]);
    assert_eq!(c, 2);
    assert!(err.contains("--target") && err.contains("1.5"), "{err}");
}

/// `compare --target-se` stops at a path count that a plain compare of
/// that many paths reproduces byte for byte.
#[test]
fn compare_to_a_target_equals_a_plain_compare_of_the_final_paths() {
    let f = small_file("compare-target");
    let (c, out, err) = cli(&[
        "compare",
        &f,
        "--variant",
        "higher-share",
        "--paths",
        "8",
        "--target-se",
        "0.05",
        "--max-paths",
        "64",
        "--json",
    ]);
    assert_eq!(c, 0, "{err}");
    let n = json(&out)["paths"].as_u64().unwrap();
    assert!((30..=64).contains(&n), "at least 30 paths, at most the cap: {n}");
    let (_, plain, _) =
        cli(&["compare", &f, "--variant", "higher-share", "--paths", &n.to_string(), "--json"]);
    assert_eq!(out, plain);
}
