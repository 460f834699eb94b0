//! Folding paths into what the outputs need as they complete, in path
//! order, so that a run's memory is bounded in paths: of each path only its
//! small figures are kept (province totals, each county's outcome); its
//! month-by-month figures go into the monthly bands ([`Band`]), which keep
//! every value up to [`EXACT_PATHS`](crate::EXACT_PATHS) paths and a
//! bounded quantile summary beyond.

use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::band::Band;
use crate::model::Model;
use crate::path::{
    self, COUNTY_FIGURES, CountyOutcome, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, PathResult, PathTotals,
    UnpaidEnd,
};
use crate::{EngineError, RunConfig};

/// What every consumer of a path's figures reads: a whole [`PathResult`]
/// or the [`PathFigures`] kept of it.
pub trait PathView {
    /// Province totals.
    fn totals(&self) -> &PathTotals;
    /// County `c`'s outcome (`c` in scenario order).
    fn county(&self, c: usize) -> CountyOutcome;
    /// County `c`'s month of first exhaustion (read often: cheaply).
    fn exhausted_month(&self, c: usize) -> Option<u16> {
        self.county(c).exhausted_month
    }
    /// Highest month-end province overdue rate.
    fn peak_overdue(&self) -> f64;
    /// Province overdue rate at the end.
    fn final_overdue(&self) -> f64;
}

impl PathView for PathResult {
    fn totals(&self) -> &PathTotals {
        &self.totals
    }
    fn county(&self, c: usize) -> CountyOutcome {
        self.counties[c]
    }
    fn peak_overdue(&self) -> f64 {
        self.peak_overdue
    }
    fn final_overdue(&self) -> f64 {
        self.final_overdue
    }
}

/// A county's outcome as a run keeps it for each path: [`CountyOutcome`]
/// with its months as `u16` ([`NO_MONTH`] for none) and without its
/// unpaid claims by cause, which [`PathFigures`] keeps apart for the few
/// counties that have any — 72 bytes instead of 104, the part of a run's
/// memory that grows with paths (129 counties: 9.3 kB a path instead of
/// 13.4 kB). Nothing is rounded: every outcome comes back as it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Kept {
    peak_overdue: f64,
    final_overdue: f64,
    coverage_end: f64,
    loss_fund: i64,
    claims_paid: i64,
    top_ups: i64,
    claims_due: i64,
    fund_end: i64,
    exhausted_month: u16,
    top_ups_ran_out_month: u16,
}

/// A month that is none (horizons are at most 240 months).
const NO_MONTH: u16 = u16::MAX;

/// What a run keeps of one path: a [`PathResult`] without its figures by
/// month, its county outcomes kept compactly (about 500 bytes plus 72 per
/// county; read them with [`PathView::county`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PathFigures {
    /// Province totals.
    pub totals: PathTotals,
    /// Per county, in scenario order.
    kept: Vec<Kept>,
    /// The counties with approved claims unpaid at the end, and those.
    unpaid: Vec<(u32, UnpaidEnd)>,
    /// Highest month-end province overdue rate.
    pub peak_overdue: f64,
    /// Province overdue rate at the end.
    pub final_overdue: f64,
}

impl PathView for PathFigures {
    fn totals(&self) -> &PathTotals {
        &self.totals
    }
    fn exhausted_month(&self, c: usize) -> Option<u16> {
        let m = self.kept[c].exhausted_month;
        (m != NO_MONTH).then_some(m)
    }
    fn county(&self, c: usize) -> CountyOutcome {
        let k = &self.kept[c];
        let month = |m: u16| (m != NO_MONTH).then_some(m);
        let unpaid_end = match self.unpaid.binary_search_by_key(&(c as u32), |(i, _)| *i) {
            Ok(i) => self.unpaid[i].1,
            Err(_) => UnpaidEnd::default(),
        };
        CountyOutcome {
            exhausted_month: month(k.exhausted_month),
            peak_overdue: k.peak_overdue,
            final_overdue: k.final_overdue,
            loss_fund: k.loss_fund,
            coverage_end: k.coverage_end,
            claims_paid: k.claims_paid,
            top_ups_ran_out_month: month(k.top_ups_ran_out_month),
            top_ups: k.top_ups,
            unpaid_end,
            claims_due: k.claims_due,
            fund_end: k.fund_end,
        }
    }
    fn peak_overdue(&self) -> f64 {
        self.peak_overdue
    }
    fn final_overdue(&self) -> f64 {
        self.final_overdue
    }
}

impl PathFigures {
    /// Counties kept.
    pub fn county_count(&self) -> usize {
        self.kept.len()
    }
}

impl From<PathResult> for PathFigures {
    fn from(p: PathResult) -> PathFigures {
        let month = |m: Option<u16>| {
            debug_assert!(m != Some(NO_MONTH));
            m.unwrap_or(NO_MONTH)
        };
        let kept = p
            .counties
            .iter()
            .map(|o| Kept {
                peak_overdue: o.peak_overdue,
                final_overdue: o.final_overdue,
                coverage_end: o.coverage_end,
                loss_fund: o.loss_fund,
                claims_paid: o.claims_paid,
                top_ups: o.top_ups,
                claims_due: o.claims_due,
                fund_end: o.fund_end,
                exhausted_month: month(o.exhausted_month),
                top_ups_ran_out_month: month(o.top_ups_ran_out_month),
            })
            .collect();
        let unpaid = p
            .counties
            .iter()
            .enumerate()
            .filter(|(_, o)| o.unpaid_end != UnpaidEnd::default())
            .map(|(c, o)| (c as u32, o.unpaid_end))
            .collect();
        PathFigures {
            totals: p.totals,
            kept,
            unpaid,
            peak_overdue: p.peak_overdue,
            final_overdue: p.final_overdue,
        }
    }
}

/// Province figures by month in [`MonthlyBands`]: overdue rate, fund
/// balance (yuan), outstanding principal (yuan).
pub(crate) const PROVINCE_FIGURES: usize = 3;

/// The distribution across paths of every figure of `monthly.csv` that is
/// a quantile band, month by month: for each month the province's
/// three figures (overdue rate, fund, outstanding), then each county's
/// [`COUNTY_FIGURES`].
#[derive(Clone, Debug)]
pub struct MonthlyBands {
    pub(crate) counties: usize,
    pub(crate) bands: Vec<Band>,
}

impl MonthlyBands {
    fn new(m: &Model, paths: usize) -> MonthlyBands {
        let n_c = m.counties.len();
        let per_month = PROVINCE_FIGURES + n_c * COUNTY_FIGURES;
        let count = m.scenario.horizon_months as usize * per_month;
        MonthlyBands { counties: n_c, bands: (0..count).map(|_| Band::with_capacity(paths)).collect() }
    }

    fn push(&mut self, p: &PathResult) {
        let n_c = self.counties;
        let per_month = PROVINCE_FIGURES + n_c * COUNTY_FIGURES;
        for (t, month) in self.bands.chunks_mut(per_month).enumerate() {
            let figs = &p.county_monthly[t * n_c * COUNTY_FIGURES..(t + 1) * n_c * COUNTY_FIGURES];
            // The province sums add the counties in scenario order, as
            // they always have.
            let sum_fig = |fig: usize| -> f64 { (0..n_c).map(|c| figs[c * COUNTY_FIGURES + fig]).sum() };
            month[0].push(p.province_overdue[t]);
            month[1].push(sum_fig(FIG_FUND_YUAN));
            month[2].push(sum_fig(FIG_OUTSTANDING_YUAN));
            for (b, &x) in month[PROVINCE_FIGURES..].iter_mut().zip(figs) {
                b.push(x);
            }
        }
    }

    /// The band of a province figure (0 overdue rate, 1 fund, 2
    /// outstanding) in month `t` (0-based).
    pub(crate) fn province(&self, t: usize, fig: usize) -> &Band {
        &self.bands[t * (PROVINCE_FIGURES + self.counties * COUNTY_FIGURES) + fig]
    }

    /// The band of county `c`'s figure `fig` in month `t` (0-based).
    pub(crate) fn county(&self, t: usize, c: usize, fig: usize) -> &Band {
        let per_month = PROVINCE_FIGURES + self.counties * COUNTY_FIGURES;
        &self.bands[t * per_month + PROVINCE_FIGURES + c * COUNTY_FIGURES + fig]
    }

    /// Every band, for measuring.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }
}

/// What a run keeps besides each path's [`PathFigures`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Nothing more: for summaries, comparisons, sweeps and searches.
    Figures,
    /// The monthly bands too, for `monthly.csv`.
    MonthlyBands,
}

/// Paths whose township overdue rates `townships.csv` is computed from: the
/// first 1,000 (all of them in a run of at most 1,000), so that memory
/// stays bounded — 1,400 townships over 60 months take 168 MB at 1,000
/// paths.
pub const TOWNSHIP_PATHS: usize = 1_000;

/// A run's paths, folded in path order: each path's figures and, if asked
/// for, the monthly bands and the townships' monthly overdue rates of the
/// first [`TOWNSHIP_PATHS`] paths.
#[derive(Clone, Debug)]
pub struct RunPaths {
    figures: Vec<PathFigures>,
    bands: Option<MonthlyBands>,
    townships: Option<Vec<Vec<u16>>>,
    /// Sum over paths of each township's highest month-end overdue rate.
    township_peak_sum: Vec<f64>,
}

impl RunPaths {
    /// No paths yet; `paths` is the number expected (a capacity hint).
    pub fn new(m: &Model, keep: Keep, paths: usize) -> RunPaths {
        RunPaths {
            figures: Vec::with_capacity(paths),
            bands: (keep == Keep::MonthlyBands).then(|| MonthlyBands::new(m, paths)),
            townships: (keep == Keep::MonthlyBands).then(|| Vec::with_capacity(paths.min(TOWNSHIP_PATHS))),
            township_peak_sum: vec![0.0; m.townships.len()],
        }
    }

    /// Paths already simulated (in path order), folded.
    pub fn from_results(m: &Model, keep: Keep, paths: Vec<PathResult>) -> RunPaths {
        let mut r = RunPaths::new(m, keep, paths.len());
        for p in paths {
            r.push(p);
        }
        r
    }

    /// Folds in the next path.
    pub fn push(&mut self, mut p: PathResult) {
        for (s, x) in self.township_peak_sum.iter_mut().zip(&p.township_peak) {
            *s += f64::from(*x);
        }
        if let Some(b) = &mut self.bands {
            b.push(&p);
        }
        if let Some(t) = &mut self.townships
            && t.len() < TOWNSHIP_PATHS
        {
            t.push(std::mem::take(&mut p.township_overdue));
        }
        self.figures.push(p.into());
    }

    /// Each township's highest month-end overdue rate, mean over the paths.
    pub fn township_peak_means(&self) -> Vec<f64> {
        let n = self.figures.len().max(1) as f64;
        self.township_peak_sum.iter().map(|s| s / n).collect()
    }

    /// Each kept path's township overdue rates (see [`PathResult::township_overdue`]).
    pub fn township_paths(&self) -> Option<&[Vec<u16>]> {
        self.townships.as_deref()
    }

    /// Each path's figures, in path order.
    pub fn figures(&self) -> &[PathFigures] {
        &self.figures
    }

    /// The monthly bands, if kept.
    pub fn bands(&self) -> Option<&MonthlyBands> {
        self.bands.as_ref()
    }

    /// Paths folded.
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// Whether no path was folded.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }
}

impl PathResult {
    /// The path with only what [`RunPaths::push`] reads when folding it as
    /// path number `path` (0-based) of a run keeping `keep`: what a shard
    /// of a run hands on for merging. Folding the trimmed path gives the
    /// run exactly what folding the whole one gives.
    pub fn trimmed_for(mut self, keep: Keep, path: u64) -> PathResult {
        // Never folded.
        self.province_npl = Vec::new();
        if keep == Keep::Figures {
            self.province_overdue = Vec::new();
            self.county_monthly = Vec::new();
        }
        if keep == Keep::Figures || path >= TOWNSHIP_PATHS as u64 {
            self.township_overdue = Vec::new();
        }
        self
    }
}

/// Paths simulated per worker thread and batch: the batch being folded and
/// the one being simulated are the only whole [`PathResult`]s alive. A
/// worker that finishes its share of a batch early waits for the others,
/// so batches are long enough for that wait to be short (a few per cent).
const BATCH_PER_THREAD: usize = 16;

/// A worker's workspace, returned to the pool when its task ends, so that
/// a run holds one workspace per worker thread however its paths are split.
struct Lease<'a, T> {
    ws: Option<T>,
    pool: &'a Mutex<Vec<T>>,
}

impl<'a, T> Lease<'a, T> {
    /// A workspace from the pool, or a new one.
    fn take(pool: &'a Mutex<Vec<T>>, new: impl FnOnce() -> T) -> Lease<'a, T> {
        let ws = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Lease { ws: Some(ws.unwrap_or_else(new)), pool }
    }
}

impl<T> Drop for Lease<'_, T> {
    fn drop(&mut self) {
        if let Some(ws) = self.ws.take() {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(ws);
        }
    }
}

/// Simulates paths `range` on a pool of `cfg.threads` threads and hands
/// them to `sink` one by one in path order, in batches: while one batch is
/// folded the next is simulated. The result depends only on the paths and
/// their order, never on the threads or the batches.
pub(crate) fn fold_range(
    m: &Model,
    cfg: RunConfig,
    range: Range<u64>,
    progress: Option<&(dyn Fn() + Sync)>,
    sink: &mut (dyn FnMut(PathResult) + Send),
) -> Result<(), EngineError> {
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(cfg.threads).build().map_err(EngineError::ThreadPool)?;
    let batch = (pool.current_num_threads() * BATCH_PER_THREAD) as u64;
    let spare = Mutex::new(Vec::new());
    let simulate = |r: Range<u64>| -> Vec<PathResult> {
        r.into_par_iter()
            .map_init(
                || Lease::take(&spare, || path::Workspace::new(m)),
                |lease, p| {
                    let ws = lease.ws.get_or_insert_with(|| path::Workspace::new(m));
                    let r = path::simulate(m, ws, cfg.seed, p);
                    if let Some(f) = progress {
                        f();
                    }
                    r
                },
            )
            .collect()
    };
    pool.install(|| {
        let mut start = range.start;
        let mut done: Vec<PathResult> = Vec::new();
        while start < range.end || !done.is_empty() {
            let end = start.saturating_add(batch).min(range.end);
            // The fold runs on this thread at once; the other workers
            // take the next batch, and this one joins them when done.
            let ((), next) = rayon::join(
                || {
                    for p in done.drain(..) {
                        sink(p);
                    }
                },
                || simulate(start..end),
            );
            done = next;
            start = end;
        }
    });
    Ok(())
}

/// [`fold_range`] for a base model and revisions that share its loans
/// ([`crate::shares_loans`]): each path is simulated once under the base
/// rules, the revisions' funds in its shadow ([`path::simulate_shared`]),
/// and handed to `sink` with its model's index (the base's 0), in path
/// order.
/// Returns how many of the revisions' county-paths were simulated on
/// their own, and how many of those from a kept state.
pub(crate) fn fold_range_shared(
    models: &[&Model],
    cfg: RunConfig,
    range: Range<u64>,
    progress: Option<&(dyn Fn() + Sync)>,
    sink: &mut (dyn FnMut(usize, PathResult) + Send),
) -> Result<(usize, usize), EngineError> {
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(cfg.threads).build().map_err(EngineError::ThreadPool)?;
    let batch = (pool.current_num_threads() * BATCH_PER_THREAD) as u64;
    let (base, revs) = models.split_first().expect("a base model");
    let own = std::sync::atomic::AtomicUsize::new(0);
    let forked = std::sync::atomic::AtomicUsize::new(0);
    let pool_ws = Mutex::new(Vec::new());
    let simulate = |r: Range<u64>| -> Vec<Vec<PathResult>> {
        r.into_par_iter()
            .map_init(
                || {
                    Lease::take(&pool_ws, || {
                        let shadows: Vec<path::Shadow> = revs.iter().map(|m| path::Shadow::new(m)).collect();
                        (path::Workspace::new(base), shadows, None)
                    })
                },
                |lease, p| {
                    let (ws, shadows, spare) =
                        lease.ws.get_or_insert_with(|| unreachable!("leased until dropped"));
                    let (paths, n, f) = path::simulate_shared(base, ws, shadows, spare, cfg.seed, p);
                    own.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    forked.fetch_add(f, std::sync::atomic::Ordering::Relaxed);
                    if let Some(f) = progress {
                        for _ in 0..models.len() {
                            f();
                        }
                    }
                    paths
                },
            )
            .collect()
    };
    pool.install(|| {
        let mut start = range.start;
        let mut done: Vec<Vec<PathResult>> = Vec::new();
        while start < range.end || !done.is_empty() {
            let end = start.saturating_add(batch).min(range.end);
            let ((), next) = rayon::join(
                || {
                    for paths in done.drain(..) {
                        for (k, p) in paths.into_iter().enumerate() {
                            sink(k, p);
                        }
                    }
                },
                || simulate(start..end),
            );
            done = next;
            start = end;
        }
    });
    Ok((own.into_inner(), forked.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(c: i64) -> CountyOutcome {
        CountyOutcome {
            exhausted_month: (c % 2 == 0).then_some(c as u16 * 3),
            peak_overdue: 0.01 * c as f64 + 1e-17,
            final_overdue: f64::MIN_POSITIVE * c as f64,
            loss_fund: -7 * c,
            coverage_end: 1.0 / (c as f64 + 3.0),
            claims_paid: i64::MAX - c,
            top_ups_ran_out_month: (c == 3).then_some(0),
            top_ups: c << 40,
            unpaid_end: if c % 3 == 1 {
                UnpaidEnd { annual_cap: c, top_ups_spent: 2 * c, no_top_up: i64::MIN, awaiting_top_up: 5 }
            } else {
                UnpaidEnd::default()
            },
            claims_due: 11 * c,
            fund_end: -c,
        }
    }

    #[test]
    fn a_kept_path_gives_back_every_county_outcome_as_it_was() {
        let counties: Vec<CountyOutcome> = (0..9).map(outcome).collect();
        let p = PathResult {
            totals: PathTotals::default(),
            province_overdue: Vec::new(),
            county_monthly: Vec::new(),
            counties: counties.clone(),
            peak_overdue: 0.5,
            final_overdue: 0.25,
            township_overdue: Vec::new(),
            township_peak: Vec::new(),
            province_npl: Vec::new(),
        };
        let f = PathFigures::from(p);
        assert_eq!(f.county_count(), 9);
        for (c, o) in counties.iter().enumerate() {
            assert_eq!(&f.county(c), o, "county {c}");
            assert_eq!(f.exhausted_month(c), o.exhausted_month);
        }
        assert_eq!(f.unpaid.len(), 3, "only the counties with unpaid claims are kept apart");
        assert!(std::mem::size_of::<Kept>() <= 72);
    }
}
