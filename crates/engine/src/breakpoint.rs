//! Reverse stress test: for each county, the smallest severity of a shock
//! family at which its fund's probability of exhaustion within the horizon
//! reaches a target, and the smallest one-off top-up that brings that
//! probability back under the target. Method and its limits:
//! `docs/methods.md`, "Reverse stress test".

use mcstress_domain::Fen;
use mcstress_scenario::Scenario;
use serde::Serialize;

use crate::compare::RuleSetName;
use crate::model::Model;
use crate::stats::Probability;
use crate::{EngineError, RunConfig};

/// Schema name of the breakpoint document.
pub const BREAKPOINT_SCHEMA: &str = "mcstress.breakpoint/1";

/// What to search.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakpointConfig {
    /// The shock family: a disaster kind or an industry (as `stress --shock`).
    pub shock: String,
    /// Target probability of exhaustion within the horizon.
    pub target: f64,
    /// Severities searched, ascending (0 = no shock).
    pub severities: Vec<f64>,
    /// Severity at which the top-up is sized (0 = the unshocked baseline).
    pub topup_severity: f64,
    /// Top-ups are searched to within this share of their size (or 1,000
    /// yuan, whichever is larger).
    pub topup_tolerance: f64,
    /// Only these counties (indices into the scenario's, increasing),
    /// each simulated with exactly its draws in the whole scenario
    /// ([`Model::restrict`]); `None`: all.
    pub counties: Option<Vec<usize>>,
}

/// One county's breakpoint.
#[derive(Clone, Debug, Serialize)]
pub struct BreakpointCounty {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Fund balance at the start, yuan.
    pub fund_start_yuan: f64,
    /// Smallest severity at which the estimated probability reaches the
    /// target (linear between grid points); null if it does not within
    /// the grid.
    pub severity: Option<f64>,
    /// Where the upper end of the 95 % interval of the probability reaches
    /// the target: below this the target is not plausibly reached.
    pub severity_low: Option<f64>,
    /// Where the lower end of the 95 % interval reaches the target: above
    /// this the target is surely reached. Null if it does not within the
    /// grid (the county may still have a `severity`).
    pub severity_high: Option<f64>,
    /// Estimated probability of exhaustion at each searched severity.
    pub exhaustion_probability: Vec<f64>,
    /// Probability of exhaustion at the top-up severity, without a top-up.
    pub exhaustion_probability_at_topup_severity: f64,
    /// Smallest one-off top-up at the start, yuan, that brings the
    /// estimated probability at the top-up severity under the target (0 if
    /// it is already under); null where no top-up up to 2²⁰ times the
    /// fund (at least 10,000 yuan) is enough.
    pub min_topup_yuan: Option<f64>,
    /// Lower end of its 95 % interval: the smallest top-up from which the
    /// probability's 95 % interval no longer lies wholly at or above the
    /// target (a smaller one is surely not enough).
    pub min_topup_low_yuan: Option<f64>,
    /// Upper end of its 95 % interval: the smallest top-up from which the
    /// probability's 95 % interval lies wholly below the target (surely
    /// enough); null where none up to 2²⁰ times the fund is, which at few
    /// paths is every county (the interval of 0 exhausted paths then
    /// reaches the target).
    pub min_topup_high_yuan: Option<f64>,
}

/// The breakpoint document (`breakpoint.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Breakpoint {
    /// Always [`BREAKPOINT_SCHEMA`].
    pub schema: &'static str,
    /// The scenario.
    pub scenario: RuleSetName,
    /// The shock family.
    pub shock: String,
    /// Target probability of exhaustion.
    pub target: f64,
    /// Severities searched.
    pub severities: Vec<f64>,
    /// Severity at which top-ups are sized.
    pub topup_severity: f64,
    /// Paths at every evaluation.
    pub paths: u32,
    /// Master seed, common to every evaluation.
    pub seed: u64,
    /// Simulation runs the search took (each of `paths` paths).
    pub evaluations: u32,
    /// Counties, lowest breakpoint severity first (never-reached last),
    /// then by code.
    pub counties: Vec<BreakpointCounty>,
    /// Loans at the start of the unshocked scenario (for provenance; not
    /// part of the document).
    #[serde(skip)]
    pub loans_start: u64,
}

/// The scenario under the shock family at `severity` (the scenario itself
/// at 0, so that severity 0 is exactly the baseline).
fn shocked(base: &Scenario, shock: &str, severity: f64) -> Result<Scenario, EngineError> {
    if severity == 0.0 {
        return Ok(base.clone());
    }
    Ok(base.with_shock(shock, severity)?)
}

/// Number of paths on which each county's fund was exhausted. The first
/// model prepared reports its loans at the start into `loans_start`.
fn exhausted_counts(
    s: &Scenario,
    keep: Option<&[usize]>,
    cfg: RunConfig,
    progress: Progress<'_>,
    loans_start: &mut Option<u64>,
) -> Result<Vec<usize>, EngineError> {
    let m = prepared(s, keep)?;
    loans_start.get_or_insert_with(|| m.loans_start());
    // Only the counts are kept, path by path.
    let mut k = vec![0usize; m.counties.len()];
    crate::fold::fold_range(&m, cfg, 0..cfg.paths as u64, progress, &mut |p| tally_exhausted(&mut k, &p))?;
    Ok(k)
}

/// The model of `s`, restricted to the counties `keep` if given.
fn prepared(s: &Scenario, keep: Option<&[usize]>) -> Result<Model, EngineError> {
    let m = Model::prepare(s);
    match keep {
        None => Ok(m),
        Some(k) => {
            m.restrict(k).ok_or_else(|| EngineError::BadSelection { of: s.counties.len(), found: k.to_vec() })
        }
    }
}

/// Adds a path's exhausted funds to the counts by county.
fn tally_exhausted(k: &mut [usize], p: &crate::PathResult) {
    for (c, o) in p.counties.iter().enumerate() {
        k[c] += usize::from(o.exhausted_month.is_some());
    }
}

type Progress<'a> = Option<&'a (dyn Fn() + Sync)>;

/// Where the piecewise-linear curve through (`xs`, `ys`) first reaches
/// `target`; `None` if it never does.
pub fn first_crossing(xs: &[f64], ys: &[f64], target: f64) -> Option<f64> {
    let k = ys.iter().position(|&y| y >= target)?;
    if k == 0 {
        return Some(xs[0]);
    }
    let (x0, x1, y0, y1) = (xs[k - 1], xs[k], ys[k - 1], ys[k]);
    Some(x0 + (target - y0) / (y1 - y0) * (x1 - x0))
}

/// The search for each county's smallest one-off top-up under a
/// criterion `over` (of the count of exhausted paths), all counties in the
/// same runs (a county's top-up changes only its own fund; see
/// docs/methods.md for what that assumes): per county the smallest
/// top-up, in whole yuan, at which `over` no longer holds — 0 where it
/// does not hold without one; `None` where it still holds at 2²⁰ times
/// the first step. Brackets by doubling from the fund (at least 10,000
/// yuan), then bisects. A search is asked for the top-ups it evaluates
/// next ([`TopUpSearch::next`]) and told what they gave
/// ([`TopUpSearch::answer`]), so that several searches on the same
/// futures can be evaluated together.
struct TopUpSearch<'a> {
    over: &'a dyn Fn(usize) -> bool,
    /// Searched to within this share of the top-up (or 1,000 yuan).
    tolerance: f64,
    need: Vec<bool>,
    /// `lo` fails (the probability is still at or above the target), `hi`
    /// succeeds; in whole yuan.
    lo: Vec<i64>,
    hi: Vec<Option<i64>>,
    found: Vec<bool>,
    cand: Vec<i64>,
    /// Doubling steps taken (at most 21).
    doublings: u32,
}

/// Most doubling steps of a top-up search: 2²⁰ times the first step.
const DOUBLINGS: u32 = 21;

impl<'a> TopUpSearch<'a> {
    /// A search from the exhausted paths without a top-up, `k0`, and the
    /// counties' funds at the start (`fund`, the first step's scale).
    fn new(over: &'a dyn Fn(usize) -> bool, k0: &[usize], fund_fen: &[i64], tolerance: f64) -> Self {
        let counties = k0.len();
        let need: Vec<bool> = k0.iter().map(|&k| over(k)).collect();
        let mut search = TopUpSearch {
            over,
            tolerance,
            lo: vec![0; counties],
            hi: vec![Some(0); counties],
            found: vec![true; counties],
            cand: vec![0; counties],
            need,
            doublings: 0,
        };
        for (c, fund) in fund_fen.iter().enumerate() {
            if search.need[c] {
                search.cand[c] = (fund / 100).max(10_000);
                search.hi[c] = None;
                search.found[c] = false;
            }
        }
        search
    }

    /// Whether the search is still bracketing by doubling.
    fn doubling(&self) -> bool {
        self.doublings < DOUBLINGS && !self.found.iter().all(|&f| f)
    }

    /// The counties still bisecting: a bracket wider than the tolerance.
    fn open(&self) -> Vec<usize> {
        let close = |lo: i64, h: i64| h - lo <= ((h as f64 * self.tolerance) as i64).max(1_000);
        (0..self.need.len())
            .filter(|&c| self.need[c] && self.hi[c].is_some_and(|h| !close(self.lo[c], h)))
            .collect()
    }

    /// The top-ups to evaluate next, whole yuan by county; `None` when the
    /// search is done.
    fn next(&self) -> Option<Vec<i64>> {
        let counties = self.need.len();
        if self.doubling() {
            return Some(
                (0..counties)
                    .map(|c| if self.found[c] { self.hi[c].unwrap_or(0) } else { self.cand[c] })
                    .collect(),
            );
        }
        let open = self.open();
        if open.is_empty() {
            return None;
        }
        Some(
            (0..counties)
                .map(|c| match self.hi[c] {
                    Some(h) if open.contains(&c) => self.lo[c] + (h - self.lo[c]) / 2,
                    Some(h) => h,
                    None => 0,
                })
                .collect(),
        )
    }

    /// The exhausted paths per county `k` that the top-ups `top` of
    /// [`TopUpSearch::next`] gave (the search unchanged in between: the
    /// phase and the open counties are read from the same state).
    fn answer(&mut self, top: &[i64], k: &[usize]) {
        if self.doubling() {
            for (c, &kc) in k.iter().enumerate().take(self.need.len()) {
                if !self.found[c] {
                    if (self.over)(kc) {
                        self.lo[c] = self.cand[c];
                        self.cand[c] *= 2;
                    } else {
                        self.hi[c] = Some(self.cand[c]);
                        self.found[c] = true;
                    }
                }
            }
            self.doublings += 1;
            return;
        }
        for c in self.open() {
            if (self.over)(k[c]) {
                self.lo[c] = top[c];
            } else {
                self.hi[c] = Some(top[c]);
            }
        }
    }
}

/// Runs `searches` to their ends, on the futures of `at` with the
/// counties' funds topped up. Each round evaluates every unfinished
/// search's next top-ups in one pass over the paths: they differ from one
/// another only in the funds, so the loans are simulated once and each
/// fund rides along ([`crate::fold::fold_range_shared`]), with exactly
/// the results of evaluating each alone. Counts every evaluation.
fn run_searches(
    searches: &mut [TopUpSearch],
    at: &Scenario,
    keep: Option<&[usize]>,
    cfg: RunConfig,
    progress: Progress<'_>,
    evaluations: &mut u32,
) -> Result<(), EngineError> {
    loop {
        let asks: Vec<(usize, Vec<i64>)> =
            searches.iter().enumerate().filter_map(|(j, s)| s.next().map(|top| (j, top))).collect();
        if asks.is_empty() {
            return Ok(());
        }
        let models: Vec<Model> = asks
            .iter()
            .map(|(_, top)| {
                let mut s = at.clone();
                // The top-ups are the counties searched: with a selection,
                // its counties in order.
                for (c, t) in top.iter().enumerate() {
                    s.counties[keep.map_or(c, |k| k[c])].fund += Fen(t * 100);
                }
                prepared(&s, keep)
            })
            .collect::<Result<_, _>>()?;
        let counts = exhausted_counts_together(&models, cfg, progress)?;
        for ((j, top), k) in asks.iter().zip(counts) {
            searches[*j].answer(top, &k);
            *evaluations += 1;
        }
    }
}

/// Exhausted paths per county of each of `models`, the first simulated
/// and each other riding on its loans where it can ([`crate::rides_on`]),
/// simulated on its own otherwise.
fn exhausted_counts_together(
    models: &[Model],
    cfg: RunConfig,
    progress: Progress<'_>,
) -> Result<Vec<Vec<usize>>, EngineError> {
    let counties = models.first().map_or(0, |m| m.counties.len());
    let mut counts = vec![vec![0usize; counties]; models.len()];
    let Some((base, rest)) = models.split_first() else { return Ok(counts) };
    let riding: Vec<usize> = (0..rest.len()).filter(|&j| crate::rides_on(base, &rest[j])).collect();
    let mut group: Vec<&Model> = vec![base];
    group.extend(riding.iter().map(|&j| &rest[j]));
    let slot: Vec<usize> = std::iter::once(0).chain(riding.iter().map(|&j| j + 1)).collect();
    if group.len() == 1 {
        crate::fold::fold_range(base, cfg, 0..cfg.paths as u64, progress, &mut |p| {
            tally_exhausted(&mut counts[0], &p)
        })?;
    } else {
        crate::fold::fold_range_shared(&group, cfg, 0..cfg.paths as u64, progress, &mut |k, p| {
            tally_exhausted(&mut counts[slot[k]], &p)
        })?;
    }
    for j in (0..rest.len()).filter(|j| !riding.contains(j)) {
        crate::fold::fold_range(&rest[j], cfg, 0..cfg.paths as u64, progress, &mut |p| {
            tally_exhausted(&mut counts[j + 1], &p)
        })?;
    }
    Ok(counts)
}

/// Runs the reverse stress test. Every evaluation uses the same seed and
/// paths (common random numbers), so the estimated probabilities move
/// with the severity and the top-up, not with the luck of the draw.
pub fn breakpoint(
    base: &Scenario,
    bc: &BreakpointConfig,
    cfg: RunConfig,
    progress: Progress<'_>,
) -> Result<Breakpoint, EngineError> {
    let n = cfg.paths as usize;
    let keep = bc.counties.as_deref();
    // The counties searched, in order.
    let searched: Vec<&mcstress_scenario::County> = match keep {
        Some(k) => k.iter().filter_map(|&c| base.counties.get(c)).collect(),
        None => base.counties.iter().collect(),
    };
    let counties = searched.len();
    let mut evaluations = 0u32;

    // 1. The probability of exhaustion on the severity grid: counts of
    // exhausted paths, [severity][county].
    let mut counts: Vec<Vec<usize>> = Vec::with_capacity(bc.severities.len());
    let mut loans_start = None;
    for &s in &bc.severities {
        counts.push(exhausted_counts(&shocked(base, &bc.shock, s)?, keep, cfg, progress, &mut loans_start)?);
        evaluations += 1;
    }

    // 2. Top-ups at the top-up severity: bracket by doubling, then bisect,
    // all counties in the same runs (a county's top-up changes only its
    // own fund; see docs/methods.md for what that assumes).
    let at = shocked(base, &bc.shock, bc.topup_severity)?;
    let reuse = bc.severities.iter().position(|&s| s == bc.topup_severity);
    let k0 = match reuse {
        Some(i) => counts[i].clone(),
        None => {
            evaluations += 1;
            exhausted_counts(&at, keep, cfg, progress, &mut loans_start)?
        }
    };
    // The top-up that brings the estimated probability under the target,
    // and its 95 % interval: below `low` the probability's interval still
    // lies wholly at or above the target (surely not enough), from `high`
    // on wholly below it (surely enough). The bounds take searches of
    // their own, on the same futures.
    let target = bc.target;
    let tol = bc.topup_tolerance;
    let over_estimate = |k: usize| k as f64 >= target * n as f64;
    let over_low = |k: usize| Probability::from_count(k, n).ci95_low >= target;
    let over_high = |k: usize| Probability::from_count(k, n).ci95_high >= target;
    let funds: Vec<i64> = searched.iter().map(|c| c.fund.0).collect();
    let mut searches = vec![
        TopUpSearch::new(&over_estimate, &k0, &funds, tol),
        TopUpSearch::new(&over_low, &k0, &funds, tol),
    ];
    // With no exhausted path at all, the interval's upper end is still
    // at or above the target when the paths are too few: no top-up is
    // then surely enough, whatever its size, and none is searched.
    let search_high = Probability::from_count(0, n).ci95_high < target;
    if search_high {
        searches.push(TopUpSearch::new(&over_high, &k0, &funds, tol));
    }
    run_searches(&mut searches, &at, keep, cfg, progress, &mut evaluations)?;
    let mut answers = searches.into_iter().map(|s| s.hi);
    let estimate = answers.next().unwrap_or_default();
    let low = answers.next().unwrap_or_default();
    let high = if search_high { answers.next().unwrap_or_default() } else { vec![None; counties] };

    let severities = &bc.severities;
    let mut out: Vec<BreakpointCounty> = searched
        .iter()
        .enumerate()
        .map(|(c, county)| {
            let probs: Vec<Probability> = counts.iter().map(|k| Probability::from_count(k[c], n)).collect();
            let p: Vec<f64> = probs.iter().map(|x| x.p).collect();
            let upper: Vec<f64> = probs.iter().map(|x| x.ci95_high).collect();
            let lower: Vec<f64> = probs.iter().map(|x| x.ci95_low).collect();
            let severity = first_crossing(severities, &p, bc.target);
            BreakpointCounty {
                id: county.code.to_string(),
                name: county.name.clone(),
                name_en: county.name_en.clone(),
                fund_start_yuan: county.fund.to_yuan_f64(),
                severity,
                severity_low: first_crossing(severities, &upper, bc.target),
                severity_high: first_crossing(severities, &lower, bc.target),
                exhaustion_probability: p,
                exhaustion_probability_at_topup_severity: k0[c] as f64 / n as f64,
                min_topup_yuan: estimate[c].map(|h| h as f64),
                min_topup_low_yuan: low[c].map(|h| h as f64),
                min_topup_high_yuan: high[c].map(|h| h as f64),
            }
        })
        .collect();
    out.sort_by(|a, b| match (a.severity, b.severity) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    Ok(Breakpoint {
        schema: BREAKPOINT_SCHEMA,
        scenario: RuleSetName::of(base),
        shock: bc.shock.clone(),
        target: bc.target,
        severities: bc.severities.clone(),
        topup_severity: bc.topup_severity,
        paths: cfg.paths,
        seed: cfg.seed,
        evaluations,
        counties: out,
        loans_start: loans_start.unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crossing_interpolates_between_grid_points() {
        let xs = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(first_crossing(&xs, &[0.0, 0.02, 0.08, 0.2], 0.05), Some(1.5));
        assert_eq!(first_crossing(&xs, &[0.06, 0.1, 0.2, 0.3], 0.05), Some(0.0));
        assert_eq!(first_crossing(&xs, &[0.0, 0.01, 0.02, 0.03], 0.05), None);
        // The first crossing counts even if the estimate dips again later.
        assert_eq!(first_crossing(&xs, &[0.0, 0.05, 0.04, 0.2], 0.05), Some(1.0));
    }
}
