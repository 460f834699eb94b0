//! Memory bounded in paths: the monthly bands are exact up to
//! `EXACT_PATHS` paths and within `RANK_ERROR` in rank beyond, in bounded
//! memory; folding paths as they complete gives the outputs of the whole
//! paths, whatever the threads; `validate` refuses a scenario the machine
//! cannot hold.

use mcstress_engine::{
    BUFFER, Band, EXACT_PATHS, Keep, Model, RANK_ERROR, RunConfig, RunPaths, memory_estimate, monthly_rows,
};

use crate::support::{cli, scenario, scratch, small_text, write};

const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// SplitMix64: a fixed, portable stream of test values.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The rank interval (1-based, inclusive) that `v` occupies in `sorted`.
fn ranks_of(sorted: &[f64], v: f64) -> (usize, usize) {
    let lo = sorted.partition_point(|x| *x < v) + 1;
    let hi = sorted.partition_point(|x| *x <= v);
    (lo, hi)
}

/// Checks every quantile of a band fed `xs` against the exact order
/// statistics: the value reported is one of the values, at a rank within
/// ε·n of the exact quantile's rank (n − 1)q + 1.
fn check_rank_bound(what: &str, xs: &[f64]) -> usize {
    let mut b = Band::with_capacity(xs.len());
    let mut largest = 0;
    for &x in xs {
        b.push(x);
        largest = largest.max(b.summary_len());
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let (mean, _, qs) = b.stats(&QS);
    assert!((mean - xs.iter().sum::<f64>() / n).abs() <= 1e-9 * mean.abs().max(1.0), "{what}: mean");
    for (q, v) in QS.iter().zip(qs) {
        let (lo, hi) = ranks_of(&sorted, v);
        assert!(lo <= hi, "{what}: q {q}: {v} is not one of the values");
        let r = (n - 1.0) * q + 1.0;
        let slack = RANK_ERROR * n;
        // Some rank of v lies in [r − εn, r + εn].
        assert!(
            hi as f64 >= r - slack && lo as f64 <= r + slack,
            "{what}: q {q}: value {v} at ranks {lo}..={hi}, exact rank {r}, allowed ± {slack}"
        );
    }
    largest
}

#[test]
fn band_quantiles_beyond_the_exact_paths_are_within_the_stated_rank_error() {
    let n = 100_000;
    let mut g = Mix(20_261_201);
    let random: Vec<f64> = (0..n).map(|_| g.uniform()).collect();
    let heavy: Vec<f64> = (0..n).map(|_| 1.0 / (1.0 - g.uniform()).max(1e-12)).collect();
    let ascending: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let descending: Vec<f64> = (0..n).map(|i| (n - i) as f64).collect();
    // Many ties, as fund balances equal on most paths.
    let ties: Vec<f64> = (0..n).map(|_| (g.next() % 7) as f64 * 1e9).collect();
    let zigzag: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { i as f64 } else { -(i as f64) }).collect();
    let mut largest = 0;
    for (what, xs) in [
        ("random", &random),
        ("heavy-tailed", &heavy),
        ("ascending", &ascending),
        ("descending", &descending),
        ("ties", &ties),
        ("zigzag", &zigzag),
    ] {
        largest = largest.max(check_rank_bound(what, xs));
    }
    // Memory bounded in paths: at most 250 tuples (docs/methods.md), so
    // the summary (16 bytes a tuple) and its buffer stay below the values
    // a band holds at EXACT_PATHS paths.
    assert!(largest <= 250, "largest summary: {largest} tuples");
    const { assert!(16 * 250 + 8 * BUFFER < 8 * EXACT_PATHS) };
}

#[test]
fn a_band_is_exact_while_it_holds_every_path() {
    let mut g = Mix(7);
    let xs: Vec<f64> = (0..EXACT_PATHS).map(|_| g.uniform() * 1e6).collect();
    let mut b = Band::with_capacity(xs.len());
    for &x in &xs {
        b.push(x);
    }
    let e = mcstress_engine::Estimate::from_values(&xs);
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    let (mean, se, qs) = b.stats(&QS);
    assert_eq!((mean, se), (e.mean, e.se));
    assert_eq!(qs, QS.map(|q| mcstress_engine::stats::quantile_sorted(&sorted, q)));
}

#[test]
fn the_standard_error_beyond_the_exact_paths_matches_the_two_pass_formula() {
    let mut g = Mix(11);
    let xs: Vec<f64> = (0..5_000).map(|_| 1e9 + g.uniform() * 1e7).collect();
    let mut b = Band::with_capacity(xs.len());
    for &x in &xs {
        b.push(x);
    }
    let e = mcstress_engine::Estimate::from_values(&xs);
    let (mean, se, _) = b.stats(&QS);
    assert_eq!(mean, e.mean, "the mean is the same path-order sum");
    assert!((se - e.se).abs() <= 1e-9 * e.se, "{se} against {}", e.se);
}

/// Rows equal bit for bit (the probability rows hold NaN quantiles).
fn same_rows(a: &[mcstress_engine::MonthlyRow], b: &[mcstress_engine::MonthlyRow]) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[test]
fn folding_paths_gives_the_monthly_table_of_the_whole_paths_for_any_threads() {
    let s = scenario(&small_text(), None);
    let m = Model::prepare(&s);
    let cfg = RunConfig { paths: 9, seed: 5, threads: 1 };
    let whole = mcstress_engine::run(&m, cfg, None).expect("runs");
    let from_whole = RunPaths::from_results(&m, Keep::MonthlyBands, whole.clone());
    let folded = mcstress_engine::run_paths(&m, RunConfig { threads: 2, ..cfg }, Keep::MonthlyBands, None)
        .expect("runs");
    let a = monthly_rows(&m, &from_whole).expect("bands kept");
    let b = monthly_rows(&m, &folded).expect("bands kept");
    assert!(same_rows(&a, &b), "the folded run's monthly table differs");
    // The rows are those of the paths' own figures: month 1, first
    // county's overdue rate, median of 9 values = the 5th smallest.
    let mut v: Vec<f64> = whole.iter().map(|p| p.county_monthly[0]).collect();
    v.sort_by(f64::total_cmp);
    let row = a.iter().find(|r| r.month == 1 && r.county == Some(0)).expect("a county row");
    assert_eq!((row.figure, row.quantiles[2]), ("overdue_rate", v[4]));
    assert_eq!(folded.figures().len(), 9);
    for (p, f) in whole.iter().zip(folded.figures()) {
        let kept: Vec<_> = (0..f.county_count()).map(|c| mcstress_engine::PathView::county(f, c)).collect();
        assert_eq!((&p.totals, &p.counties), (&f.totals, &kept));
    }
    // A run that keeps only the figures has no monthly table.
    let lean = mcstress_engine::run_paths(&m, cfg, Keep::Figures, None).expect("runs");
    assert!(monthly_rows(&m, &lean).is_none());
}

#[test]
fn a_target_run_extended_in_batches_equals_a_plain_run() {
    let s = scenario(&small_text(), None);
    let m = Model::prepare(&s);
    let cfg = RunConfig { paths: 7, seed: 3, threads: 2 };
    let mut grown = mcstress_engine::run_paths(&m, cfg, Keep::MonthlyBands, None).expect("runs");
    mcstress_engine::extend_paths(&m, cfg, &mut grown, 20, None).expect("runs");
    let plain = mcstress_engine::run_paths(&m, RunConfig { paths: 20, ..cfg }, Keep::MonthlyBands, None)
        .expect("runs");
    assert_eq!(grown.figures(), plain.figures());
    let rows = |r: &RunPaths| monthly_rows(&m, r).expect("bands kept");
    assert!(same_rows(&rows(&grown), &rows(&plain)), "the grown run's monthly table differs");
}

#[test]
fn the_memory_estimate_grows_with_paths_only_through_the_per_path_figures() {
    let s = scenario(&small_text(), None);
    let at = |paths| memory_estimate(&s, paths, 2, Keep::MonthlyBands);
    let (a, b, c) = (at(1_000), at(10_000), at(100_000));
    assert_eq!(a.bands, b.bands, "bands are bounded at EXACT_PATHS paths");
    assert_eq!(b.bands, c.bands);
    assert_eq!((b.per_path, c.per_path), (10 * a.per_path, 100 * a.per_path));
    assert!(at(10).bands < a.bands);
    assert_eq!(memory_estimate(&s, 1_000, 2, Keep::Figures).bands, 0);
}

#[test]
fn validate_prints_the_memory_a_scenario_needs() {
    let dir = scratch("validate-memory");
    let f = write(&dir, "small.toml", &small_text());
    let (code, out, err) = cli(&["validate", f.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("memory"), "{out}");
}

#[test]
fn validate_refuses_a_scenario_too_large_for_the_machine() {
    // 50 counties of 10 million eligible households each (inside the
    // documented ranges, and within the largest book exact fen allow):
    // every worker's books could hold half a billion loans, some 32 GB on
    // each worker.
    let text = with_counties(&small_text(), &huge_counties(50));
    let dir = scratch("validate-too-large");
    let f = write(&dir, "huge.toml", &text);
    let (code, _, err) = cli(&["validate", f.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("huge.toml"), "{err}");
    assert!(err.contains("needs about") && err.contains("GB"), "{err}");
    assert!(err.contains("limit"), "{err}");
}

/// `n` counties of 10 million eligible households each, with small books
/// and funds (so that the largest-book check passes).
fn huge_counties(n: usize) -> String {
    let mut out = String::from("counties = [\n");
    for i in 0..n {
        out.push_str(&format!(
            "  {{ code = \"{:06}\", name = \"县{i}\", name_en = \"County {i}\", prefecture = \"530600\", \
             townships = 10, eligible_households = 10000000, loans = 1000, fund_yuan = \"1000000\" }},\n",
            600_001 + i
        ));
    }
    out.push_str("]\n");
    out
}

/// The scenario text with its `counties = [...]` list replaced.
fn with_counties(text: &str, counties: &str) -> String {
    let start = text.find("counties = [").expect("the small scenario lists its counties");
    let end = start + text[start..].find("\n]\n").expect("the list ends") + 3;
    format!("{}{}{}", &text[..start], counties, &text[end..])
}

#[test]
fn beyond_the_exact_paths_the_monthly_table_keeps_the_rank_bound_on_simulated_paths() {
    let mut s = scenario(&small_text(), None);
    s.horizon_months = 4;
    let m = Model::prepare(&s);
    let n = EXACT_PATHS + 150;
    let whole =
        mcstress_engine::run(&m, RunConfig { paths: n as u32, seed: 9, threads: 2 }, None).expect("runs");
    let rows =
        monthly_rows(&m, &RunPaths::from_results(&m, Keep::MonthlyBands, whole.clone())).expect("bands");
    let n_c = s.counties.len();
    let figure = |name: &str| match name {
        "overdue_rate" => mcstress_engine::FIG_OVERDUE_RATE,
        "fund_balance_yuan" => mcstress_engine::FIG_FUND_YUAN,
        "outstanding_yuan" => mcstress_engine::FIG_OUTSTANDING_YUAN,
        _ => mcstress_engine::FIG_COVERAGE,
    };
    let mut checked = 0;
    // Month 0, the starting state, is the same on every path (tested with
    // the ledger); the bands are those of the simulated months.
    for r in rows.iter().filter(|r| r.figure != "exhausted_probability" && r.month >= 1) {
        let t = r.month as usize - 1;
        let at = |p: &mcstress_engine::PathResult, c: usize| {
            p.county_monthly[(t * n_c + c) * mcstress_engine::COUNTY_FIGURES + figure(r.figure)]
        };
        // The paths' own values, as the exact table would take them.
        let values: Vec<f64> = whole
            .iter()
            .map(|p| match (r.county, r.figure) {
                (Some(c), _) => at(p, c),
                (None, "overdue_rate") => p.province_overdue[t],
                (None, _) => (0..n_c).map(|c| at(p, c)).sum(),
            })
            .collect();
        let e = mcstress_engine::Estimate::from_values(&values);
        assert_eq!(r.mean, e.mean, "{r:?}");
        assert!((r.se - e.se).abs() <= 1e-9 * e.mean.abs().max(1.0), "{r:?}: se {}", e.se);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for (q, v) in QS.iter().zip(r.quantiles) {
            let (lo, hi) = ranks_of(&sorted, v);
            let rank = (n as f64 - 1.0) * q + 1.0;
            let slack = RANK_ERROR * n as f64;
            assert!(lo <= hi && hi as f64 >= rank - slack && lo as f64 <= rank + slack, "{r:?}: q {q}");
        }
        checked += 1;
    }
    assert_eq!(checked, 4 * (3 + 4 * n_c));
}
