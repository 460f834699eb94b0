//! The Monte Carlo engine of mcstress: keyed random streams, shocks, the
//! monthly step over every county and loan, and statistics across paths.
//!
//! The engine decides **what randomly happens**; the rule crates
//! (`loans`, `compensation`) say what follows. It knows nothing of files,
//! terminals or plotting.
//!
//! Reproducibility contract: results depend only on (scenario, seed,
//! paths). Each path is simulated from draws keyed by (seed, path, entity,
//! month, purpose) and paths are combined in path order, so the thread
//! count never changes a bit of the output.
//!
//! Memory is bounded in paths: [`run_paths`] folds each path, as it
//! completes and in path order, into its small figures ([`PathFigures`])
//! and the monthly bands ([`Band`]: exact up to [`EXACT_PATHS`] paths, a
//! quantile summary with rank error at most [`RANK_ERROR`] beyond);
//! [`memory_estimate`] says what a scenario needs.
//!
//! Main items: [`Model`], [`run_paths`], [`RunPaths`], [`RunConfig`],
//! [`PathResult`], [`Summary`], [`summarize`], [`monthly_rows`].

mod band;
mod binomial;
mod book;
mod breakpoint;
mod compare;
mod county_rules;
mod fold;
mod memory;
mod model;
pub mod normal;
mod path;
mod rare;
pub mod rng;
pub mod shocks;
pub mod stats;
mod stress;
mod summary;
mod sweep;

pub use band::{BUFFER, Band, EXACT_PATHS, RANK_ERROR};
pub use breakpoint::{
    BREAKPOINT_SCHEMA, Breakpoint, BreakpointConfig, BreakpointCounty, breakpoint, first_crossing,
};
pub use compare::{
    COMPARE_SCHEMA, Comparison, CountyDiff, Diff, ProvinceDiff, RuleSetName, compare, shares_loans,
};
pub use county_rules::{CountyRules, NplGrade, county_rules};
pub use fold::{Keep, MonthlyBands, PathFigures, PathView, RunPaths, TOWNSHIP_PATHS};
pub use memory::{MemoryEstimate, memory_estimate};
pub use model::{FactorTilt, Model};
pub use path::{
    COUNTY_FIGURES, CountyOutcome, FIG_COVERAGE, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, FIG_OVERDUE_RATE,
    PathResult, PathTotals, TOWNSHIP_RATE_UNIT, UnpaidEnd,
};
pub use rare::{
    RARE_SCHEMA, Rare, RareCounty, TiltInfo, WeightedProbability, county_exhaustion_se,
    effective_sample_size, rare, weights,
};
pub use stats::{Estimate, Probability};
pub use stress::{
    STRESS_SCHEMA, Stress, StressCounty, WORST_TOWNSHIPS, WatchThresholds, WorstTownship, stress,
};
pub use summary::{
    ByProduct, CommercialSummary, CountySummary, LeverageTopUps, MonthlyRow, OverdueStarts, ProvinceSummary,
    RunInfo, SUMMARY_SCHEMA, ScenarioInfo, Summary, TopUpsRanOut, TownshipRow, UnmetRequests,
    UnpaidByCauseSummary, monthly_rows, summarize, township_rows,
};
pub use sweep::{
    PairingBase, SWEEP_SCHEMA, Sweep, SweepCounty, SweepDiffs, SweepFigures, SweepPoint, sweep_point,
};

/// How to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Number of paths.
    pub paths: u32,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    ThreadPool(#[source] rayon::ThreadPoolBuildError),
    /// The request names a shock the scenario does not have.
    #[error(transparent)]
    UnknownShock(#[from] mcstress_scenario::UnknownShock),
    /// The counties to simulate alone are not some of the scenario's, each
    /// once, in its order ([`Model::restrict`]).
    #[error(
        "the counties to simulate must be some of the scenario's {of}, each once, in its order; found {found:?}"
    )]
    BadSelection {
        /// The scenario's counties.
        of: usize,
        /// The indices asked for.
        found: Vec<usize>,
    },
}

/// Simulates one path on the calling thread (for benchmarks and tests).
pub fn simulate_path(m: &Model, seed: u64, path: u64) -> PathResult {
    let mut ws = path::Workspace::new(m);
    path::simulate(m, &mut ws, seed, path)
}

/// The number of worker threads [`run`] uses for `requested` (0 = one
/// per core, as rayon decides, `RAYON_NUM_THREADS` included).
pub fn threads_for(requested: usize) -> usize {
    rayon::ThreadPoolBuilder::new()
        .num_threads(requested)
        .build()
        .map(|p| p.current_num_threads())
        .unwrap_or(requested.max(1))
}

/// Simulates `cfg.paths` paths of the model and returns them whole, in
/// path order. Every path's figures by month are kept, so memory grows with
/// paths (about 0.26 MB a path for the default scenario): for tests and
/// small runs; runs use [`run_paths`].
/// `progress`, if given, is called once after each path (from any thread).
pub fn run(
    m: &Model,
    cfg: RunConfig,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<PathResult>, EngineError> {
    run_range(m, cfg, 0..cfg.paths as u64, progress)
}

/// Simulates paths `range` (path indices) and returns them whole, in
/// order. Path `p` is the same whichever range it is simulated in.
pub fn run_range(
    m: &Model,
    cfg: RunConfig,
    range: std::ops::Range<u64>,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<PathResult>, EngineError> {
    let mut out = Vec::with_capacity((range.end.saturating_sub(range.start)) as usize);
    fold::fold_range(m, cfg, range, progress, &mut |p| out.push(p))?;
    Ok(out)
}

/// Simulates paths `range` (path indices) and hands each to `sink` with
/// its index, in path order, as it completes (memory bounded as in
/// [`run_paths`]): for a shard of a run, whose paths another machine folds.
pub fn simulate_range(
    m: &Model,
    cfg: RunConfig,
    range: std::ops::Range<u64>,
    progress: Option<&(dyn Fn() + Sync)>,
    sink: &mut (dyn FnMut(u64, PathResult) + Send),
) -> Result<(), EngineError> {
    let mut next = range.start;
    fold::fold_range(m, cfg, range, progress, &mut |p| {
        sink(next, p);
        next += 1;
    })
}

/// [`simulate_range`] for a base model (first) and its revisions, as
/// [`run_paths_shared`] simulates them: revisions that differ from the
/// base only in how losses are shared ride on its loans, the others are
/// simulated on their own after them. Each path goes to `sink` with its
/// model's index and its own, in path order for each model.
pub fn simulate_range_shared(
    models: &[&Model],
    cfg: RunConfig,
    range: std::ops::Range<u64>,
    progress: Option<&(dyn Fn() + Sync)>,
    sink: &mut (dyn FnMut(usize, u64, PathResult) + Send),
) -> Result<(), EngineError> {
    let Some((base, revs)) = models.split_first() else { return Ok(()) };
    let group = riding(base, revs);
    let group_models: Vec<&Model> = group.iter().map(|&k| models[k]).collect();
    let mut next = vec![range.start; group.len()];
    fold::fold_range_shared(&group_models, cfg, range.clone(), progress, &mut |g, p| {
        sink(group[g], next[g], p);
        next[g] += 1;
    })?;
    for (k, m) in models.iter().enumerate().filter(|(k, _)| !group.contains(k)) {
        simulate_range(m, cfg, range.clone(), progress, &mut |i, p| sink(k, i, p))?;
    }
    Ok(())
}

/// Simulates `cfg.paths` paths and folds them, in path order, into what
/// the outputs need (`keep`), with memory bounded in paths but for each
/// path's small figures. `progress`, if given, is called once after each
/// path (from any thread).
pub fn run_paths(
    m: &Model,
    cfg: RunConfig,
    keep: Keep,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<RunPaths, EngineError> {
    let mut acc = RunPaths::new(m, keep, cfg.paths as usize);
    extend_paths(m, cfg, &mut acc, cfg.paths as u64, progress)?;
    Ok(acc)
}

/// [`run_paths`] for a base model (first) and its revisions: those that
/// differ from the base only in how losses are shared ([`shares_loans`],
/// and are tilted alike) have their loans simulated once with the base's,
/// each path's funds replayed in its shadow (the counties of a path in
/// which its funds stop giving the loans the base's answers are simulated
/// on their own); the others are run on their own. The results are
/// exactly those of [`run_paths`] for each model. Returns the runs, in the
/// order of `models`, and the number of the revisions' county-paths
/// simulated on their own.
pub fn run_paths_shared(
    models: &[&Model],
    cfg: RunConfig,
    keep: Keep,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<(Vec<RunPaths>, usize), EngineError> {
    let mut runs: Vec<RunPaths> = models.iter().map(|m| RunPaths::new(m, keep, cfg.paths as usize)).collect();
    let own = extend_paths_shared(models, cfg, &mut runs, cfg.paths as u64, progress)?;
    Ok((runs, own))
}

/// [`extend_paths`] for a base model (first) and its revisions, their
/// runs in `runs` (as many paths in each): the paths after those already
/// there, up to `to` in all, simulated as [`run_paths_shared`] does.
/// Returns the number of the revisions' county-paths simulated on their
/// own.
pub fn extend_paths_shared(
    models: &[&Model],
    cfg: RunConfig,
    runs: &mut [RunPaths],
    to: u64,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<usize, EngineError> {
    let Some((base, revs)) = models.split_first() else { return Ok(0) };
    assert_eq!(models.len(), runs.len(), "a run for each model");
    let from = runs[0].len() as u64;
    assert!(runs.iter().all(|r| r.len() as u64 == from), "as many paths in each run");
    let range = from..to.max(from);
    let group = riding(base, revs);
    let group_models: Vec<&Model> = group.iter().map(|&k| models[k]).collect();
    // The group's runs borrowed out of `runs`, in the group's order.
    let mut group_runs: Vec<&mut RunPaths> =
        runs.iter_mut().enumerate().filter(|(k, _)| group.contains(k)).map(|(_, r)| r).collect();
    let own = fold::fold_range_shared(&group_models, cfg, range.clone(), progress, &mut |k, p| {
        group_runs[k].push(p)
    })?;
    for (k, r) in runs.iter_mut().enumerate() {
        if !group.contains(&k) {
            fold::fold_range(models[k], cfg, range.clone(), progress, &mut |p| r.push(p))?;
        }
    }
    Ok(own.0)
}

/// The base (0) and those of its revisions (`revs[k]` is model `k + 1`)
/// that ride on its loans ([`rides_on`]), by index among the models.
fn riding(base: &Model, revs: &[&Model]) -> Vec<usize> {
    std::iter::once(0).chain((1..=revs.len()).filter(|&k| rides_on(base, revs[k - 1]))).collect()
}

/// Whether revision `m` may ride on `base`'s loans: its scenario differs
/// only in how losses are shared ([`shares_loans`]) and its paths are
/// drawn alike (the same importance-sampling tilt).
fn rides_on(base: &Model, m: &Model) -> bool {
    base.tilt == m.tilt && shares_loans(&base.scenario, &m.scenario)
}

/// The paths of a base model and its revisions simulated together
/// ([`run_shared`]).
#[derive(Debug)]
pub struct SharedRun {
    /// Every path of every model, whole, in the order of the models.
    pub paths: Vec<Vec<PathResult>>,
    /// County-paths of the revisions simulated on their own: those in
    /// which a revision's funds stopped giving the loans the base's
    /// answers.
    pub own_county_paths: usize,
    /// Of them, those simulated from a state kept in the month their
    /// answers differed, not from the start of the path.
    pub forked_county_paths: usize,
}

/// [`run`] for a base model and revisions that share its loans (see
/// [`run_paths_shared`]; `None` if one does not, or is tilted otherwise).
/// For tests.
pub fn run_shared(models: &[&Model], cfg: RunConfig) -> Result<Option<SharedRun>, EngineError> {
    let Some((base, revs)) = models.split_first() else { return Ok(None) };
    if !revs.iter().all(|m| rides_on(base, m)) {
        return Ok(None);
    }
    let mut paths: Vec<Vec<PathResult>> = models.iter().map(|_| Vec::new()).collect();
    let (own_county_paths, forked_county_paths) =
        fold::fold_range_shared(models, cfg, 0..cfg.paths as u64, None, &mut |k, p| paths[k].push(p))?;
    Ok(Some(SharedRun { paths, own_county_paths, forked_county_paths }))
}

/// Simulates the paths after those already in `acc`, up to `to` paths in
/// all, and folds them in. Path `p` does not depend on the batches, so the
/// result is that of a single run of `to` paths.
pub fn extend_paths(
    m: &Model,
    cfg: RunConfig,
    acc: &mut RunPaths,
    to: u64,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<(), EngineError> {
    let from = acc.len() as u64;
    fold::fold_range(m, cfg, from..to.max(from), progress, &mut |p| acc.push(p))
}

/// The standard errors that `--target-se` controls for a run: of the mean
/// peak overdue rate and of the probability that some county fund is
/// exhausted (both shares, so one target fits both).
pub fn headline_se<P: PathView>(paths: &[P]) -> f64 {
    let peak: Vec<f64> = paths.iter().map(|p| p.peak_overdue()).collect();
    let k = paths.iter().filter(|p| p.totals().counties_exhausted > 0).count();
    let e = Estimate::from_values(&peak).se;
    let p = Probability::from_count(k, paths.len()).se;
    e.max(p)
}

/// Runs `cfg.paths` paths, then doubles the number of paths until the
/// headline standard error is at most `target` or `max_paths` is reached.
/// Deterministic: the same inputs give the same paths and bytes, since path
/// `p` does not depend on the batches. Fewer than 30 paths never satisfy
/// the target: a standard error estimated from so few paths (or a
/// probability of 0 seen in them) is not to be trusted.
pub fn run_to_target(
    m: &Model,
    cfg: RunConfig,
    keep: Keep,
    target: f64,
    max_paths: u32,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<RunPaths, EngineError> {
    run_doubling(m, cfg, keep, max_paths, progress, |p| headline_se(p) <= target)
}

/// Runs `cfg.paths` paths, then doubles them until `met` holds of them
/// (with 30 paths at least) or `max_paths` is reached.
fn run_doubling(
    m: &Model,
    cfg: RunConfig,
    keep: Keep,
    max_paths: u32,
    progress: Option<&(dyn Fn() + Sync)>,
    met: impl Fn(&[PathFigures]) -> bool,
) -> Result<RunPaths, EngineError> {
    let mut paths = run_paths(m, cfg, keep, progress)?;
    loop {
        let n = paths.len() as u32;
        if (n >= 30 && met(paths.figures())) || n >= max_paths {
            return Ok(paths);
        }
        let next = n.saturating_mul(2).clamp(n + 1, max_paths);
        extend_paths(m, cfg, &mut paths, next as u64, progress)?;
    }
}

/// [`run_to_target`] on one county's exhaustion probability: paths are
/// doubled until its standard error (relative to the estimate, if
/// `relative`) is at most `target`, never with fewer than 30 paths or
/// without a path on which the fund runs out, or `max_paths` is reached.
/// With a [`FactorTilt`] the estimate is the weighted one ([`rare`]).
#[allow(clippy::too_many_arguments)]
pub fn run_to_county_target(
    m: &Model,
    cfg: RunConfig,
    keep: Keep,
    county: usize,
    target: f64,
    relative: bool,
    max_paths: u32,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<RunPaths, EngineError> {
    run_doubling(m, cfg, keep, max_paths, progress, |p| county_exhaustion_se(p, county, relative) <= target)
}

/// The province factor of path `path`, month by month, and the path's log
/// likelihood ratio under the model's [`FactorTilt`], drawn by the very
/// code a path draws them with (for tests against exact laws).
pub fn province_factor_path(m: &Model, seed: u64, path: u64) -> (Vec<f64>, f64) {
    let mut ws = path::Workspace::new(m);
    path::province_factors(m, &mut ws, seed, path)
}

/// The standard errors that `--target-se` controls for a comparison: of
/// the paired differences of the mean peak overdue rate and of the
/// probability that some county fund is exhausted.
pub fn headline_diff_se<P: PathView>(base: &[P], rev: &[P]) -> f64 {
    let peak = |ps: &[P]| ps.iter().map(|p| p.peak_overdue()).collect::<Vec<f64>>();
    let exh =
        |ps: &[P]| ps.iter().map(|p| f64::from(p.totals().counties_exhausted > 0)).collect::<Vec<f64>>();
    let a = Diff::paired(&peak(base), &peak(rev)).se;
    let b = Diff::paired(&exh(base), &exh(rev)).se;
    a.max(b)
}

/// [`run_to_target`] for rule sets compared on the same random futures:
/// `models[0]` is today's rules, the others revisions of them. All get the
/// same paths, doubled until the largest [`headline_diff_se`] of a
/// revision against today's rules is at most `target` (never with fewer
/// than 30 paths) or `max_paths` is reached.
pub fn compare_to_target(
    models: &[&Model],
    cfg: RunConfig,
    target: f64,
    max_paths: u32,
    keep: Keep,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<RunPaths>, EngineError> {
    // Revisions that change only how losses are shared ride on the base's
    // loans at every doubling: the paths are those of each model alone.
    let (mut runs, _) = run_paths_shared(models, cfg, keep, progress)?;
    loop {
        let n = runs.first().map_or(0, |r| r.len()) as u32;
        let se = largest_diff_se(&runs);
        // A paired se of exactly 0 from few paths (no difference seen) is
        // as untrustworthy as a probability of 0: the 30-path floor holds.
        if (n >= 30 && se <= target) || n >= max_paths {
            return Ok(runs);
        }
        let next = n.saturating_mul(2).clamp(n + 1, max_paths);
        extend_paths_shared(models, cfg, &mut runs, next as u64, progress)?;
    }
}

/// The largest [`headline_diff_se`] of a revision (`runs[1..]`) against
/// today's rules (`runs[0]`); 0 without a revision.
pub fn largest_diff_se(runs: &[RunPaths]) -> f64 {
    let Some((base, revs)) = runs.split_first() else { return 0.0 };
    revs.iter().map(|r| headline_diff_se(base.figures(), r.figures())).fold(0.0, f64::max)
}
