//! The county stress table: counties ranked by the probability that their
//! fund runs out, with the month it does, the peak overdue rate, the fund's
//! cover of its expected claims and a watch flag.

use serde::Serialize;

use crate::fold::PathView;
use crate::model::Model;
use crate::stats::{Estimate, Probability};
use crate::summary::{Summary, TopUpsRanOut, UnpaidByCauseSummary, summarize};

/// Schema name of the stress document.
pub const STRESS_SCHEMA: &str = "mcstress.stress/1";

/// When a county is put on the watch list.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WatchThresholds {
    /// Watch when the probability of exhaustion within the horizon is at
    /// least this.
    pub exhaustion_probability: f64,
    /// Watch when the fund covers less than this multiple of its expected
    /// claims over the horizon.
    pub fund_cover_ratio: f64,
    /// Watch when the mean peak overdue rate is at least this.
    pub peak_overdue_rate: f64,
}

impl Default for WatchThresholds {
    fn default() -> WatchThresholds {
        // Assumptions, documented in docs/outputs.md: a one-in-twenty chance
        // of running out, a fund smaller than its expected claims, or a peak
        // overdue rate above Luoping's 4.36 % of October 2023 rounded up.
        WatchThresholds { exhaustion_probability: 0.05, fund_cover_ratio: 1.0, peak_overdue_rate: 0.05 }
    }
}

/// One county of the stress table.
#[derive(Clone, Debug, Serialize)]
pub struct StressCounty {
    /// Rank, 1 = most at risk.
    pub rank: usize,
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Prefecture's Chinese name.
    pub prefecture: String,
    /// Probability the fund is exhausted within the horizon.
    pub exhaustion_probability: Probability,
    /// Median month of exhaustion (1 = first month); null under 50 %.
    pub exhaustion_month_p50: Option<u16>,
    /// Highest month-end overdue rate.
    pub peak_overdue_rate: Estimate,
    /// Fund at the start ÷ mean claims paid over the horizon (null when no
    /// claim is expected).
    pub fund_cover_ratio: Option<f64>,
    /// Expected claims paid over the horizon, yuan.
    pub expected_claims_yuan: Estimate,
    /// Probability its top-ups run out within the horizon (an approved
    /// claim unpaid while that year's fiscal capacity or top-up cap was
    /// spent).
    pub top_ups_ran_out_probability: Probability,
    /// Approved claims unpaid at the end of the horizon, by cause, yuan.
    pub unpaid_approved_end_yuan: UnpaidByCauseSummary,
    /// Its townships with the highest mean peak overdue rate (up to
    /// three, worst first; empty when the stress was given no township
    /// figures).
    pub worst_townships: Vec<WorstTownship>,
    /// On the watch list.
    pub watch: bool,
    /// Which thresholds put it there.
    pub watch_reasons: Vec<&'static str>,
}

/// A township named among its county's worst.
#[derive(Clone, Debug, Serialize)]
pub struct WorstTownship {
    /// Its name (the ledger's or the county file's; `CODE-NN` in a
    /// synthetic book).
    pub name: String,
    /// Its highest month-end overdue rate, mean over the paths.
    pub peak_overdue_rate_mean: f64,
}

/// Townships named per county by [`Stress::name_worst_townships`].
pub const WORST_TOWNSHIPS: usize = 3;

/// The stress document (`stress.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Stress {
    /// Always [`STRESS_SCHEMA`].
    pub schema: &'static str,
    /// The stress shock applied (`NAME:SEVERITY`), if any.
    pub shock: Option<String>,
    /// The thresholds used.
    pub thresholds: WatchThresholds,
    /// Counties on the watch list (count).
    pub counties_watched: usize,
    /// The province summary of the same run (as `summary.json`).
    pub summary: Summary,
    /// Counties, most at risk first.
    pub counties: Vec<StressCounty>,
    /// Counties whose capped top-ups ran out on some path, with the
    /// probability, most often first (as in the summary).
    pub counties_top_ups_ran_out: Vec<TopUpsRanOut>,
}

/// Builds the stress table from the paths of a run. Counties are ranked by
/// exhaustion probability, then by earlier median exhaustion, then by mean
/// peak overdue rate, then by code.
pub fn stress<P: PathView>(m: &Model, seed: u64, paths: &[P], w: WatchThresholds) -> Stress {
    let summary = summarize(m, seed, paths);
    let mut counties: Vec<StressCounty> = summary
        .counties
        .iter()
        .enumerate()
        .map(|(c, cs)| {
            let claims: Vec<f64> = paths.iter().map(|p| p.county(c).claims_paid as f64 / 100.0).collect();
            let expected = Estimate::from_values(&claims);
            let cover = (expected.mean > 0.0).then(|| cs.fund_start_yuan / expected.mean);
            let mut reasons = Vec::new();
            if cs.exhaustion_probability.p >= w.exhaustion_probability {
                reasons.push("exhaustion_probability");
            }
            if cover.is_some_and(|r| r < w.fund_cover_ratio) {
                reasons.push("fund_cover_ratio");
            }
            if cs.peak_overdue_rate.mean >= w.peak_overdue_rate {
                reasons.push("peak_overdue_rate");
            }
            StressCounty {
                rank: 0,
                id: cs.id.clone(),
                name: cs.name.clone(),
                name_en: cs.name_en.clone(),
                prefecture: cs.prefecture.clone(),
                exhaustion_probability: cs.exhaustion_probability,
                exhaustion_month_p50: cs.exhaustion_month_p50,
                peak_overdue_rate: cs.peak_overdue_rate,
                fund_cover_ratio: cover,
                expected_claims_yuan: expected,
                top_ups_ran_out_probability: cs.top_ups_ran_out_probability,
                unpaid_approved_end_yuan: cs.unpaid_approved_end_yuan.clone(),
                worst_townships: Vec::new(),
                watch: !reasons.is_empty(),
                watch_reasons: reasons,
            }
        })
        .collect();
    counties.sort_by(|a, b| {
        b.exhaustion_probability
            .p
            .total_cmp(&a.exhaustion_probability.p)
            .then(a.exhaustion_month_p50.unwrap_or(u16::MAX).cmp(&b.exhaustion_month_p50.unwrap_or(u16::MAX)))
            .then(b.peak_overdue_rate.mean.total_cmp(&a.peak_overdue_rate.mean))
            .then(a.id.cmp(&b.id))
    });
    for (i, c) in counties.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    Stress {
        schema: STRESS_SCHEMA,
        shock: None,
        thresholds: w,
        counties_watched: counties.iter().filter(|c| c.watch).count(),
        counties_top_ups_ran_out: summary.counties_top_ups_ran_out.clone(),
        summary,
        counties,
    }
}

impl Stress {
    /// Names each county's [`WORST_TOWNSHIPS`] townships by their mean peak
    /// overdue rate (`RunPaths::township_peak_means`), worst first, ties in
    /// book order; townships with no overdue loan on any path are not named.
    pub fn name_worst_townships(&mut self, m: &Model, peak_means: &[f64]) {
        for sc in &mut self.counties {
            let Some(c) = m.scenario.counties.iter().position(|x| format!("{:06}", x.code.0) == sc.id) else {
                continue;
            };
            let mut towns: Vec<usize> = m.counties[c]
                .townships
                .clone()
                .filter(|t| peak_means.get(*t).is_some_and(|x| *x > 0.0))
                .collect();
            towns.sort_by(|a, b| peak_means[*b].total_cmp(&peak_means[*a]).then(a.cmp(b)));
            sc.worst_townships = towns
                .into_iter()
                .take(WORST_TOWNSHIPS)
                .map(|t| WorstTownship {
                    name: m.townships[t].name.clone(),
                    peak_overdue_rate_mean: peak_means[t],
                })
                .collect();
        }
    }
}
