//! Parameter sweeps: the same random futures run at every point of a one-
//! or two-dimensional grid over scenario fields (common random numbers
//! across the grid), so that differences between neighbouring points are
//! differences of rules, not of luck.

use serde::Serialize;

use crate::compare::{Diff, RuleSetName};
use crate::fold::PathView;
use crate::model::Model;
use crate::stats::{Estimate, Probability};
use crate::summary::summarize;

/// Schema name of the sweep document.
pub const SWEEP_SCHEMA: &str = "mcstress.sweep/1";

/// Province figures at one grid point, each with its Monte Carlo error.
#[derive(Clone, Debug, Serialize)]
pub struct SweepFigures {
    /// Probability that some county fund is exhausted within the horizon.
    pub exhaustion_probability: Probability,
    /// Counties exhausted within the horizon.
    pub counties_exhausted: Estimate,
    /// Highest month-end overdue rate.
    pub peak_overdue_rate: Estimate,
    /// Overdue rate at the end.
    pub final_overdue_rate: Estimate,
    /// Loss borne by the funds, yuan.
    pub loss_fund_yuan: Estimate,
    /// Loss borne by the banks, yuan.
    pub loss_bank_yuan: Estimate,
    /// Approved claims the funds could not pay, yuan.
    pub loss_uncovered_yuan: Estimate,
    /// Claims paid, yuan.
    pub claims_paid_yuan: Estimate,
    /// Principal disbursed, yuan.
    pub disbursed_yuan: Estimate,
    /// Fund balances at the end, yuan.
    pub fund_end_yuan: Estimate,
    /// Coverage of eligible households at the end.
    pub coverage_rate: Estimate,
}

/// The headline figures of a point against the first point of the grid,
/// paired path by path.
#[derive(Clone, Debug, Serialize)]
pub struct SweepDiffs {
    /// Probability that some county fund is exhausted.
    pub exhaustion_probability: Diff,
    /// Highest month-end overdue rate.
    pub peak_overdue_rate: Diff,
    /// Loss borne by the funds, yuan.
    pub loss_fund_yuan: Diff,
    /// Loss borne by the banks, yuan.
    pub loss_bank_yuan: Diff,
}

/// One county at one grid point.
#[derive(Clone, Debug, Serialize)]
pub struct SweepCounty {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Probability the county's fund is exhausted within the horizon.
    pub exhaustion_probability: Probability,
    /// Mean highest month-end overdue rate.
    pub peak_overdue_rate_mean: f64,
    /// Mean loss borne by the fund, yuan.
    pub loss_fund_yuan_mean: f64,
}

/// One point of the grid.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    /// The swept fields and their values at this point, in `--set` order.
    pub values: serde_json::Map<String, serde_json::Value>,
    /// SHA-256 of the scenario at this point (sources and settings).
    pub sha256: String,
    /// Province figures.
    pub province: SweepFigures,
    /// Paired differences from the first point.
    pub vs_first: SweepDiffs,
    /// Every county, in scenario order.
    pub counties: Vec<SweepCounty>,
}

/// The sweep document (`sweep.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// Always [`SWEEP_SCHEMA`].
    pub schema: &'static str,
    /// The scenario swept (as loaded without the settings).
    pub scenario: RuleSetName,
    /// The swept fields, in `--set` order (the first varies slowest).
    pub fields: Vec<String>,
    /// Number of values of each field.
    pub shape: Vec<usize>,
    /// Paths at every point.
    pub paths: u32,
    /// Master seed, common to every point.
    pub seed: u64,
    /// The grid points, the last field varying fastest.
    pub points: Vec<SweepPoint>,
}

/// Per-path headline values kept from the first point for the pairing.
#[derive(Clone, Debug, Default)]
pub struct PairingBase {
    exhausted: Vec<f64>,
    peak: Vec<f64>,
    loss_fund: Vec<f64>,
    loss_bank: Vec<f64>,
}

impl PairingBase {
    fn of<P: PathView>(paths: &[P]) -> PairingBase {
        PairingBase {
            exhausted: paths.iter().map(|p| f64::from(p.totals().counties_exhausted > 0)).collect(),
            peak: paths.iter().map(|p| p.peak_overdue()).collect(),
            loss_fund: paths.iter().map(|p| p.totals().loss_fund as f64 / 100.0).collect(),
            loss_bank: paths.iter().map(|p| p.totals().loss_bank as f64 / 100.0).collect(),
        }
    }
}

/// Summarises the paths of one grid point. `first` holds the first
/// point's per-path values; pass `None` for the first point itself, which
/// then fills it.
pub fn sweep_point<P: PathView>(
    m: &Model,
    seed: u64,
    values: serde_json::Map<String, serde_json::Value>,
    paths: &[P],
    first: &mut Option<PairingBase>,
) -> SweepPoint {
    let s = summarize(m, seed, paths);
    let counties = s
        .counties
        .iter()
        .map(|c| SweepCounty {
            id: c.id.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            exhaustion_probability: c.exhaustion_probability,
            peak_overdue_rate_mean: c.peak_overdue_rate.mean,
            loss_fund_yuan_mean: c.loss_fund_yuan.mean,
        })
        .collect();
    let p = s.province;
    let this = PairingBase::of(paths);
    let base = first.get_or_insert_with(|| this.clone());
    let vs_first = SweepDiffs {
        exhaustion_probability: Diff::paired(&base.exhausted, &this.exhausted),
        peak_overdue_rate: Diff::paired(&base.peak, &this.peak),
        loss_fund_yuan: Diff::paired(&base.loss_fund, &this.loss_fund),
        loss_bank_yuan: Diff::paired(&base.loss_bank, &this.loss_bank),
    };
    SweepPoint {
        values,
        sha256: m.scenario.sha256.clone(),
        province: SweepFigures {
            exhaustion_probability: p.exhaustion_probability,
            counties_exhausted: p.counties_exhausted,
            peak_overdue_rate: p.peak_overdue_rate,
            final_overdue_rate: p.final_overdue_rate,
            loss_fund_yuan: p.loss_fund_yuan,
            loss_bank_yuan: p.loss_bank_yuan,
            loss_uncovered_yuan: p.loss_uncovered_yuan,
            claims_paid_yuan: p.claims_paid_yuan,
            disbursed_yuan: p.disbursed_yuan,
            fund_end_yuan: p.fund_end_yuan,
            coverage_rate: p.coverage_rate,
        },
        vs_first,
        counties,
    }
}
