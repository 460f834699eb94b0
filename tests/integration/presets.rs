//! The shipped shock presets, the maturity wall and the no-renewals policy
//! each raise the mean peak overdue rate above the baseline's, on the same
//! random futures (paired difference more than 3 standard errors above
//! zero). Runs are cut to 36 months: every preset acts within them.

use std::path::Path;

use mcstress_engine::{Estimate, PathResult};
use mcstress_scenario::{Scenario, SourceFile};

use crate::support::{root, simulate};

const PATHS: u32 = 20;
const WALL_PATHS: u32 = 48;
const SEED: u64 = 2024;

fn read(path: &Path) -> Result<SourceFile, mcstress_scenario::ResolveError> {
    let text = std::fs::read_to_string(path)?;
    Ok(SourceFile { name: path.display().to_string(), key: path.display().to_string(), text })
}

/// Loads a shipped scenario file, resolving `extends` from disk.
fn load(rel: &str) -> Scenario {
    let main = read(&root().join(rel)).expect("shipped file");
    let loaded = mcstress_scenario::load(main, None, &mut |from, r| {
        let base = Path::new(&from.name).parent().map(Path::to_path_buf).unwrap_or_default();
        read(&base.join(r))
    });
    match loaded {
        Ok(l) => l.scenario,
        Err(e) => panic!("{rel}: {e}"),
    }
}

fn run(rel: &str, paths: u32) -> Vec<PathResult> {
    let mut s = load(rel);
    s.horizon_months = 36;
    simulate(&s, paths, SEED, 2).1
}

fn paired(a: &[PathResult], b: &[PathResult], f: impl Fn(&PathResult) -> f64) -> Estimate {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| f(y) - f(x)).collect();
    Estimate::from_values(&d)
}

#[test]
fn every_preset_raises_the_peak_overdue_rate_above_the_baseline() {
    let base = run("scenarios/yunnan-baseline.toml", PATHS);
    for rel in [
        "scenarios/shocks/drought-2010.toml",
        "scenarios/shocks/earthquake-ludian-2014.toml",
        "scenarios/shocks/cattle-price-2024.toml",
        "scenarios/policies/no-renewals.toml",
    ] {
        let other = run(rel, PATHS);
        let d = paired(&base, &other, |p| p.peak_overdue);
        assert!(d.mean > 3.0 * d.se && d.mean > 0.0, "{rel}: peak overdue diff {} se {}", d.mean, d.se);
        if rel.ends_with("no-renewals.toml") {
            let loss = paired(&base, &other, |p| p.totals.written_off as f64);
            assert!(loss.mean > 3.0 * loss.se, "no-renewals: written-off diff {} se {}", loss.mean, loss.se);
        }
    }
}

#[test]
fn the_maturity_wall_raises_the_peak_overdue_rate_above_the_baseline() {
    // The wall changes the loan book itself (the ages of the loans), so
    // the two runs share fewer random numbers: more paths.
    let base = run("scenarios/yunnan-baseline.toml", WALL_PATHS);
    let wall = run("scenarios/shocks/maturity-wall.toml", WALL_PATHS);
    let d = paired(&base, &wall, |p| p.peak_overdue);
    assert!(d.mean > 3.0 * d.se && d.mean > 0.0, "maturity wall: peak overdue diff {} se {}", d.mean, d.se);
}
