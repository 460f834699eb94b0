//! Peak memory of folding many paths of the default scenario, the part of
//! a run's memory that grows with paths, without simulating them all: 16
//! paths are simulated, then folded again and again (each value nudged by
//! a factor that depends on the path, so that the monthly bands' quantile
//! summaries see distinct values) into a run of N paths keeping every
//! output's figures, and the summary, monthly and township tables are
//! computed from it, as `mcstress run --paths N --out DIR` does.
//!
//!     cargo run --release -p mcstress-benches --example fold_memory -- 100000
//!
//! Prints the peak resident memory (VmHWM of /proc/self/status) after the
//! model is prepared and the 16 paths simulated, after folding, and after
//! the tables. A run adds the worker threads' books (docs/performance.md).

use mcstress_engine::{Keep, Model, RunConfig, RunPaths};

fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1000.0
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let s = mcstress_scenario::embedded_default(None).expect("the embedded default loads").scenario;
    let m = Model::prepare(&s);
    let cfg = RunConfig { paths: 16, seed: s.seed, threads: 2 };
    let base = mcstress_engine::run(&m, cfg, None).expect("runs");
    println!("model and 16 simulated paths: peak {:.0} MB", peak_mb());
    let started = std::time::Instant::now();
    let mut run = RunPaths::new(&m, Keep::MonthlyBands, n);
    for i in 0..n {
        let mut p = base[i % base.len()].clone();
        let nudge = 1.0 + 1e-6 * ((i * 7919) % 1000) as f64;
        for x in p.county_monthly.iter_mut().chain(p.province_overdue.iter_mut()) {
            *x *= nudge;
        }
        for c in p.counties.iter_mut() {
            c.peak_overdue *= nudge;
            c.loss_fund += (i % 97) as i64;
        }
        run.push(p.trimmed_for(Keep::MonthlyBands, i as u64));
    }
    println!("{n} paths folded in {:.1} s: peak {:.0} MB", started.elapsed().as_secs_f64(), peak_mb());
    let summary = mcstress_engine::summarize(&m, s.seed, run.figures());
    let rows = mcstress_engine::monthly_rows(&m, &run).expect("bands kept");
    let towns = mcstress_engine::township_rows(&m, &run).expect("townships kept");
    println!(
        "summary ({} counties), {} monthly rows, {} township rows: peak {:.0} MB",
        summary.counties.len(),
        rows.len(),
        towns.len(),
        peak_mb()
    );
}
