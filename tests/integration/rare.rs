//! Importance sampling on the factors (`mcstress rare`): weights that make
//! the tilted paths' averages unbiased, intervals that cover an exact
//! answer, and a tilt of zero that changes nothing.

use mcstress_engine::{FactorTilt, Model, RunConfig, WeightedProbability};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::support::{cli, scratch, simulate, small, small_text, write};

/// The exact probability that the mean of a stationary AR(1) with unit
/// variance and persistence `phi` over `t` months is below `c`: the mean is
/// normal with variance `(1/t²) Σₛ Σᵤ phi^|s−u|`.
fn exact_mean_below(phi: f64, t: usize, c: f64) -> f64 {
    let mut var = 0.0;
    for s in 0..t {
        for u in 0..t {
            var += phi.powi((s as i32 - u as i32).abs());
        }
    }
    var /= (t * t) as f64;
    Normal::new(0.0, var.sqrt()).unwrap().cdf(c)
}

#[test]
fn tilted_factor_paths_estimate_an_exact_tail_probability_and_their_intervals_cover_it() {
    // The event: the province factor's mean over the 24 months is below
    // the level it falls under with probability 0.5 % — on the engine's own
    // draws, tilted toward it.
    let s = small("");
    let mut m = Model::prepare(&s);
    let phi = s.behaviour.factor_persistence;
    let t = s.horizon_months as usize;
    let sd = {
        let p_one = exact_mean_below(phi, t, -1.0);
        // The mean's sd from P(mean < −1) = Φ(−1/sd).
        -1.0 / Normal::new(0.0, 1.0).unwrap().inverse_cdf(p_one)
    };
    let c = sd * Normal::new(0.0, 1.0).unwrap().inverse_cdf(0.005);
    let exact = exact_mean_below(phi, t, c);
    assert!((exact - 0.005).abs() < 1e-9, "{exact}");
    m.tilt = FactorTilt { province: -0.35, county: None, townships: 0.0 };

    // 200 estimates of 250 paths each (50,000 paths): the share of 95 %
    // intervals holding the exact answer is Binomial(200, ≈0.95) if the
    // estimator and its standard error are right; below 180 is 3 standard
    // deviations short (the normal interval of an importance-sampling
    // estimate covers a little under its nominal level at this size).
    let (reps, n) = (200u64, 250u64);
    let mut covered = 0;
    let mut all = Vec::new();
    let mut plain_equivalent = 0.0;
    for r in 0..reps {
        let mut w = Vec::with_capacity(n as usize);
        let mut hit = Vec::with_capacity(n as usize);
        for p in 0..n {
            let (f, lw) = mcstress_engine::province_factor_path(&m, 11, r * n + p);
            w.push(libm::exp(lw));
            hit.push(f.iter().sum::<f64>() / (t as f64) < c);
        }
        let e = WeightedProbability::of(&w, |i| hit[i]);
        if e.ci95_low <= exact && exact <= e.ci95_high {
            covered += 1;
        }
        plain_equivalent += e.plain_paths_equivalent.unwrap_or(0.0);
        all.extend(w.iter().zip(&hit).map(|(w, h)| if *h { *w } else { 0.0 }));
    }
    assert!(covered >= 180, "{covered} of {reps} intervals hold the exact {exact}");
    // Unbiased: the estimate from all 50,000 paths within 4 of its
    // standard errors of the exact answer.
    let nf = all.len() as f64;
    let mean = all.iter().sum::<f64>() / nf;
    let se = (all.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0) / nf).sqrt();
    assert!((mean - exact).abs() < 4.0 * se, "{mean} ± {se} against {exact}");
    // And worth it: each 250 tilted paths do the work of many more plain ones.
    let gain = plain_equivalent / reps as f64 / n as f64;
    eprintln!(
        "{covered} of {reps} intervals cover; estimate {mean:.5} ± {se:.5} (exact {exact:.5}); gain {gain:.1}×"
    );
    assert!(gain > 5.0, "variance reduction {gain}");
}

#[test]
fn without_a_tilt_every_weight_is_one_and_the_paths_are_unchanged() {
    let s = small("");
    let (_, plain) = simulate(&s, 6, 3, 2);
    assert!(plain.iter().all(|p| p.totals.log_weight == 0.0));
    let mut tilted = Model::prepare(&s);
    tilted.tilt = FactorTilt { province: 0.0, county: Some((1, 0.0)), townships: 0.0 };
    let again = mcstress_engine::run(&tilted, RunConfig { paths: 6, seed: 3, threads: 1 }, None).unwrap();
    assert_eq!(plain, again);
}

#[test]
fn a_tilted_estimate_of_the_full_model_agrees_with_plain_sampling() {
    // The weights carry through the whole path: a county fund running out
    // under a drought, estimated plainly and with the factors tilted, on
    // different paths, agree within their standard errors.
    let d = scratch("rare-agree");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let json = |tilt: &[&str], seed: &str| -> serde_json::Value {
        let mut args =
            vec!["rare", f.as_str(), "--shock", "drought:1", "--paths", "600", "--seed", seed, "--json"];
        args.extend_from_slice(tilt);
        let (code, out, err) = cli(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let plain = json(&["--tilt", "0"], "1");
    // The province factor and Ludian's townships tilted.
    let tilted = json(&["--tilt", "-0.1", "--county", "530621", "--township-tilt", "0.5"], "2");
    assert_eq!(tilted["tilt"]["township_shift"], 0.5, "the tilt is recorded whole");
    assert_eq!(plain["effective_sample_size"], 600.0);
    let ess = tilted["effective_sample_size"].as_f64().unwrap();
    // Weights that spread (a tilt) without collapsing onto a few paths.
    assert!(ess > 60.0 && ess < 600.0, "{ess}");
    let (a, b) = (&plain["some_county_exhausted"], &tilted["some_county_exhausted"]);
    let (pa, sa) = (a["p"].as_f64().unwrap(), a["se"].as_f64().unwrap());
    let (pb, sb) = (b["p"].as_f64().unwrap(), b["se"].as_f64().unwrap());
    assert!(pa > 0.01 && pb > 0.01, "{pa} {pb}");
    assert!((pa - pb).abs() < 4.0 * (sa * sa + sb * sb).sqrt(), "{pa} ± {sa} against {pb} ± {sb}");
    // The tilt finds the event more often than plain sampling does.
    assert!(b["hits"].as_u64() > a["hits"].as_u64(), "{a} {b}");
}

#[test]
fn rare_writes_its_table_and_refuses_what_it_cannot_estimate() {
    let d = scratch("rare-cli");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let o = d.join("out").display().to_string();
    let (code, out, err) = cli(&["rare", &f, "--paths", "40", "--county", "530621", "--out", &o]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("530621") && out.contains("(chosen)"), "{out}");
    assert!(out.contains("effective sample size"), "{out}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/rare.json")).unwrap()).unwrap();
    assert_eq!(r["schema"], "mcstress.rare/1");
    assert_eq!(r["tilt"]["province"], -0.15);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["command"], "rare");
    let (code, _, err) = cli(&["rare", &f, "--paths", "4", "--county", "999999"]);
    assert_eq!(code, 2);
    assert!(err.contains("--county 999999: not a county of the scenario"), "{err}");
    let (code, _, err) = cli(&["rare", &f, "--paths", "4", "--tilt", "-5"]);
    assert_eq!(code, 2);
    assert!(err.contains("--tilt: expected a shift from -2 to 2"), "{err}");
    let (code, _, err) = cli(&["rare", &f, "--target-rse", "0.1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--county"), "{err}");
    // --target-rse runs until the chosen county's estimate is that precise.
    let (code, out, err) = cli(&[
        "rare",
        &f,
        "--shock",
        "drought:1",
        "--paths",
        "100",
        "--county",
        "530828",
        "--target-rse",
        "0.25",
        "--max-paths",
        "3200",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("not met"), "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let c = r["counties"].as_array().unwrap().iter().find(|c| c["id"] == "530828").unwrap();
    let rse = c["exhaustion_probability"]["rse"].as_f64().unwrap();
    assert!(rse <= 0.25, "{rse}");
    assert!(r["paths"].as_u64().unwrap() > 100, "100 paths are not enough: {}", r["paths"]);
}
