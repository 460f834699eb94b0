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
    cfg: RunConfig,
    progress: Progress<'_>,
    loans_start: &mut Option<u64>,
) -> Result<Vec<usize>, EngineError> {
    let m = Model::prepare(s);
    loans_start.get_or_insert_with(|| m.loans_start());
    // Only the counts are kept, path by path.
    let mut k = vec![0usize; s.counties.len()];
    crate::fold::fold_range(&m, cfg, 0..cfg.paths as u64, progress, &mut |p| {
        for (c, o) in p.counties.iter().enumerate() {
            k[c] += usize::from(o.exhausted_month.is_some());
        }
    })?;
    Ok(k)
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
/// criterion, all counties in the same runs (a county's top-up changes
/// only its own fund; see docs/methods.md for what that assumes).
struct Search<'a> {
    /// The scenario at the top-up severity.
    at: &'a Scenario,
    /// The unshocked scenario, whose funds set the first step.
    fund: &'a Scenario,
    /// Exhausted paths per county at the top-up severity without a top-up.
    k0: &'a [usize],
    cfg: RunConfig,
    progress: Progress<'a>,
    /// Searched to within this share of the top-up (or 1,000 yuan).
    tolerance: f64,
}

impl Search<'_> {
    /// Per county the smallest top-up, in whole yuan, at which `over` (of
    /// the count of exhausted paths) no longer holds: 0 where it does not
    /// hold without one; `None` where it still holds at 2²⁰ times the
    /// first step. Brackets by doubling from the fund (at least 10,000
    /// yuan), then bisects.
    fn smallest(
        &self,
        over: &dyn Fn(usize) -> bool,
        evaluations: &mut u32,
    ) -> Result<Vec<Option<i64>>, EngineError> {
        let counties = self.k0.len();
        let need: Vec<bool> = self.k0.iter().map(|&k| over(k)).collect();
        let yuan = |fen: i64| fen / 100;
        // lo fails (probability still ≥ target), hi succeeds; in whole yuan.
        let mut lo = vec![0i64; counties];
        let mut hi: Vec<Option<i64>> = vec![Some(0); counties];
        let mut found = vec![true; counties];
        let mut cand = vec![0i64; counties];
        for c in 0..counties {
            if need[c] {
                cand[c] = yuan(self.fund.counties[c].fund.0).max(10_000);
                hi[c] = None;
                found[c] = false;
            }
        }
        let eval = |top: &[i64], evaluations: &mut u32| -> Result<Vec<usize>, EngineError> {
            let mut s = self.at.clone();
            for (c, t) in top.iter().enumerate() {
                s.counties[c].fund += Fen(t * 100);
            }
            *evaluations += 1;
            exhausted_counts(&s, self.cfg, self.progress, &mut None)
        };
        for _ in 0..=20 {
            if found.iter().all(|&f| f) {
                break;
            }
            let top: Vec<i64> =
                (0..counties).map(|c| if found[c] { hi[c].unwrap_or(0) } else { cand[c] }).collect();
            let k = eval(&top, evaluations)?;
            for c in 0..counties {
                if !found[c] {
                    if over(k[c]) {
                        lo[c] = cand[c];
                        cand[c] *= 2;
                    } else {
                        hi[c] = Some(cand[c]);
                        found[c] = true;
                    }
                }
            }
        }
        let close = |lo: i64, h: i64| h - lo <= ((h as f64 * self.tolerance) as i64).max(1_000);
        loop {
            let open: Vec<usize> =
                (0..counties).filter(|&c| need[c] && hi[c].is_some_and(|h| !close(lo[c], h))).collect();
            if open.is_empty() {
                break;
            }
            let top: Vec<i64> = (0..counties)
                .map(|c| match hi[c] {
                    Some(h) if open.contains(&c) => lo[c] + (h - lo[c]) / 2,
                    Some(h) => h,
                    None => 0,
                })
                .collect();
            let k = eval(&top, evaluations)?;
            for &c in &open {
                if over(k[c]) {
                    lo[c] = top[c];
                } else {
                    hi[c] = Some(top[c]);
                }
            }
        }
        Ok(hi)
    }
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
    let counties = base.counties.len();
    let mut evaluations = 0u32;

    // 1. The probability of exhaustion on the severity grid: counts of
    // exhausted paths, [severity][county].
    let mut counts: Vec<Vec<usize>> = Vec::with_capacity(bc.severities.len());
    let mut loans_start = None;
    for &s in &bc.severities {
        counts.push(exhausted_counts(&shocked(base, &bc.shock, s)?, cfg, progress, &mut loans_start)?);
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
            exhausted_counts(&at, cfg, progress, &mut loans_start)?
        }
    };
    // The top-up that brings the estimated probability under the target,
    // and its 95 % interval: below `low` the probability's interval still
    // lies wholly at or above the target (surely not enough), from `high`
    // on wholly below it (surely enough). The bounds take searches of
    // their own, on the same futures.
    let target = bc.target;
    let search = Search { at: &at, fund: base, k0: &k0, cfg, progress, tolerance: bc.topup_tolerance };
    let estimate = search.smallest(&|k| k as f64 >= target * n as f64, &mut evaluations)?;
    let low = search.smallest(&|k| Probability::from_count(k, n).ci95_low >= target, &mut evaluations)?;
    // With no exhausted path at all, the interval's upper end is still
    // at or above the target when the paths are too few: no top-up is
    // then surely enough, whatever its size, and none is searched.
    let high = if Probability::from_count(0, n).ci95_high >= target {
        vec![None; counties]
    } else {
        search.smallest(&|k| Probability::from_count(k, n).ci95_high >= target, &mut evaluations)?
    };

    let severities = &bc.severities;
    let mut out: Vec<BreakpointCounty> = base
        .counties
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
