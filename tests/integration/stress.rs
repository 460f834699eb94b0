//! `mcstress stress`: counties ranked by the risk that their fund runs out.

use serde_json::Value;

use crate::support::{cli, scratch, small_text, write};

fn stress(args: &[&str]) -> (u8, String, String) {
    let d = scratch(&format!("stress-{}", args.join("-").replace([':', '.'], "_")));
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let mut all = vec!["stress", f.as_str()];
    all.extend_from_slice(args);
    cli(&all)
}

#[test]
fn counties_are_ranked_by_exhaustion_probability_with_the_contract_fields() {
    let (code, out, err) = stress(&["--paths", "12", "--shock", "drought:2", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "mcstress.stress/1");
    assert_eq!(v["shock"], "drought:2");
    let counties = v["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 3);
    let mut last = f64::INFINITY;
    for (i, c) in counties.iter().enumerate() {
        assert_eq!(c["rank"], i + 1);
        for k in [
            "id",
            "name",
            "exhaustion_probability",
            "exhaustion_month_p50",
            "peak_overdue_rate",
            "fund_cover_ratio",
            "watch",
        ] {
            assert!(c.get(k).is_some(), "{k}");
        }
        let p = c["exhaustion_probability"]["p"].as_f64().unwrap();
        assert!(p <= last);
        last = p;
        let watched = c["watch"].as_bool().unwrap();
        assert_eq!(watched, !c["watch_reasons"].as_array().unwrap().is_empty());
        if p >= 0.05 {
            assert!(watched);
        }
    }
    assert_eq!(
        v["counties_watched"].as_u64().unwrap() as usize,
        counties.iter().filter(|c| c["watch"].as_bool().unwrap()).count()
    );
}

#[test]
fn a_stress_shock_raises_the_risk_on_the_same_random_futures() {
    let (_, calm, _) = stress(&["--paths", "12", "--seed", "3", "--json"]);
    let (_, hit, _) = stress(&["--paths", "12", "--seed", "3", "--shock", "drought:3", "--json"]);
    let calm: Value = serde_json::from_str(&calm).unwrap();
    let hit: Value = serde_json::from_str(&hit).unwrap();
    let peak = |v: &Value| v["summary"]["province"]["peak_overdue_rate"]["mean"].as_f64().unwrap();
    let exh = |v: &Value| v["summary"]["province"]["exhaustion_probability"]["p"].as_f64().unwrap();
    assert!(peak(&hit) > peak(&calm));
    assert!(exh(&hit) >= exh(&calm));
}

#[test]
fn stress_output_is_the_same_for_any_thread_count() {
    let (_, one, _) = stress(&["--paths", "6", "--threads", "1", "--shock", "cattle:1.5", "--json"]);
    let (_, two, _) = stress(&["--paths", "6", "--threads", "2", "--shock", "cattle:1.5", "--json"]);
    assert_eq!(one, two);
}

#[test]
fn an_unknown_shock_or_a_bad_severity_exits_2() {
    let (code, _, err) = stress(&["--paths", "2", "--shock", "locusts"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown shock") && err.contains("drought"), "{err}");
    let (code, _, err) = stress(&["--paths", "2", "--shock", "drought:much"]);
    assert_eq!(code, 2);
    assert!(err.contains("SEVERITY"), "{err}");
    let (code, _, _) = stress(&["--paths", "2", "--watch-exhaustion", "1.5"]);
    assert_eq!(code, 2);
}
