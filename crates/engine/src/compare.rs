//! Comparing a rule revision with today's rules on the same random
//! futures (common random numbers): per-path paired differences, their
//! standard errors and 95 % intervals, and how much the pairing gained.

use serde::Serialize;

use crate::fold::PathView;
use crate::model::Model;

/// Schema name of the comparison document.
pub const COMPARE_SCHEMA: &str = "mcstress.compare/1";

/// One figure under both rule sets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Diff {
    /// Mean under today's rules (equal to `run`'s mean for the same seed).
    pub base: f64,
    /// Mean under the revision.
    pub revision: f64,
    /// Mean of the per-path differences, revision − base.
    pub diff: f64,
    /// Standard error of `diff`: sample sd of the paired differences ÷ √paths.
    pub se: f64,
    /// Lower end of the 95 % interval, diff − 1.96 se.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval, diff + 1.96 se.
    pub ci95_high: f64,
    /// Correlation across paths of the base and revision values.
    pub correlation: f64,
    /// Variance of the difference if the runs were independent ÷ its
    /// variance paired: what common random numbers gained.
    pub variance_reduction: f64,
}

impl Diff {
    /// The paired comparison of per-path values `a` (base) and `b`.
    pub fn paired(a: &[f64], b: &[f64]) -> Diff {
        let n = a.len().min(b.len());
        let nf = n as f64;
        let mean = |x: &[f64]| x.iter().take(n).sum::<f64>() / nf;
        let (ma, mb) = (mean(a), mean(b));
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
        let md = mean(&d);
        let var = |x: &[f64], m: f64| x.iter().take(n).map(|v| (v - m) * (v - m)).sum::<f64>() / (nf - 1.0);
        let (va, vb, vd) = (var(a, ma), var(b, mb), var(&d, md));
        let cov = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / (nf - 1.0);
        let se = (vd / nf).sqrt();
        let correlation = if va > 0.0 && vb > 0.0 { cov / (va * vb).sqrt() } else { f64::NAN };
        let variance_reduction = if vd > 0.0 { (va + vb) / vd } else { f64::INFINITY };
        Diff {
            base: ma,
            revision: mb,
            diff: md,
            se,
            ci95_low: md - 1.959_963_984_540_054 * se,
            ci95_high: md + 1.959_963_984_540_054 * se,
            correlation: if n > 1 { correlation } else { f64::NAN },
            variance_reduction,
        }
    }

    fn of<P: PathView>(base: &[P], rev: &[P], f: impl Fn(&P) -> f64) -> Diff {
        let a: Vec<f64> = base.iter().map(&f).collect();
        let b: Vec<f64> = rev.iter().map(&f).collect();
        Diff::paired(&a, &b)
    }
}

/// Whether revision `b` differs from `a` only in how losses are shared:
/// the fund's own rules (top-ups, interest), the sharing terms of claims
/// (the fund's share and its grades, the caps, the payment delay, what
/// recoveries return to the fund, the activation threshold, a third
/// party) and the counties' funds, endowments and fiscal capacities —
/// names, descriptions and sources aside. Such a revision's loans follow
/// the base's for as long as its funds give them the same answers, and a
/// comparison simulates them once ([`crate::run_paths_shared`]).
pub fn shares_loans(a: &mcstress_scenario::Scenario, b: &mcstress_scenario::Scenario) -> bool {
    if a.counties.len() != b.counties.len() || a.rule_sets.extra.len() != b.rule_sets.extra.len() {
        return false;
    }
    let mut b = b.clone();
    b.name.clone_from(&a.name);
    b.title_zh.clone_from(&a.title_zh);
    b.title_en.clone_from(&a.title_en);
    b.description.clone_from(&a.description);
    b.sha256.clone_from(&a.sha256);
    b.variant.clone_from(&a.variant);
    (b.paths, b.seed) = (a.paths, a.seed);
    for (cb, ca) in b.counties.iter_mut().zip(&a.counties) {
        (cb.fund, cb.endowment, cb.fiscal_capacity) = (ca.fund, ca.endowment, ca.fiscal_capacity);
    }
    sharing_terms_of(&mut b.rules, &a.rules);
    for (rb, ra) in b.rule_sets.extra.iter_mut().zip(&a.rule_sets.extra) {
        sharing_terms_of(rb, ra);
    }
    b == *a
}

/// Rules `b` with `a`'s terms of loss sharing.
fn sharing_terms_of(b: &mut mcstress_scenario::Rules, a: &mcstress_scenario::Rules) {
    b.fund.clone_from(&a.fund);
    let (cb, ca) = (&mut b.claims, &a.claims);
    cb.activation.clone_from(&ca.activation);
    cb.fund_share = ca.fund_share;
    cb.fund_share_by_npl.clone_from(&ca.fund_share_by_npl);
    cb.per_loan_cap = ca.per_loan_cap;
    cb.annual_cap = ca.annual_cap;
    cb.annual_share_cap.clone_from(&ca.annual_share_cap);
    cb.payment_delay_months = ca.payment_delay_months;
    cb.recoveries_to_fund = ca.recoveries_to_fund;
    cb.third_party.clone_from(&ca.third_party);
}

/// Name of a rule set.
#[derive(Clone, Debug, Serialize)]
pub struct RuleSetName {
    /// Scenario name.
    pub name: String,
    /// Display name in Chinese (absent when the scenario gives none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// Display name in English (absent when the scenario gives none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Variant applied, if any.
    pub variant: Option<String>,
    /// SHA-256 of its sources.
    pub sha256: String,
}

impl RuleSetName {
    /// The name of a scenario.
    pub fn of(s: &mcstress_scenario::Scenario) -> RuleSetName {
        RuleSetName {
            name: s.name.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
            variant: s.variant.clone(),
            sha256: s.sha256.clone(),
        }
    }
}

/// Province figures compared.
#[derive(Clone, Debug, Serialize)]
pub struct ProvinceDiff {
    /// Probability that some county fund is exhausted within the horizon.
    pub exhaustion_probability: Diff,
    /// Counties exhausted (count).
    pub counties_exhausted: Diff,
    /// Highest month-end overdue rate.
    pub peak_overdue_rate: Diff,
    /// Overdue rate at the end.
    pub final_overdue_rate: Diff,
    /// Loss borne by the funds, yuan.
    pub loss_fund_yuan: Diff,
    /// Loss borne by the banks, yuan.
    pub loss_bank_yuan: Diff,
    /// Approved claims the funds could not pay, yuan.
    pub loss_uncovered_yuan: Diff,
    /// Claims paid, yuan.
    pub claims_paid_yuan: Diff,
    /// Principal disbursed, yuan.
    pub disbursed_yuan: Diff,
    /// Fund balances at the end, yuan.
    pub fund_end_yuan: Diff,
}

/// One county compared.
#[derive(Clone, Debug, Serialize)]
pub struct CountyDiff {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Probability the county's fund is exhausted within the horizon.
    pub exhaustion_probability: Diff,
    /// Highest month-end overdue rate.
    pub peak_overdue_rate: Diff,
    /// Loss borne by the fund, yuan.
    pub loss_fund_yuan: Diff,
}

/// The comparison document (`compare.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Always [`COMPARE_SCHEMA`].
    pub schema: &'static str,
    /// Today's rules.
    pub base: RuleSetName,
    /// The revision.
    pub revision: RuleSetName,
    /// Paths (common to both).
    pub paths: u32,
    /// Master seed (common to both).
    pub seed: u64,
    /// Province figures.
    pub province: ProvinceDiff,
    /// Counties, largest effect on the exhaustion probability first, then
    /// on the peak overdue rate, then by code.
    pub counties: Vec<CountyDiff>,
}

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// Compares the paths of a revision with those of today's rules, run with
/// the same seed. The two models must describe the same counties.
pub fn compare<P: PathView>(base_m: &Model, rev_m: &Model, seed: u64, base: &[P], rev: &[P]) -> Comparison {
    let exhausted = |p: &P| f64::from(p.totals().counties_exhausted > 0);
    let province = ProvinceDiff {
        exhaustion_probability: Diff::of(base, rev, exhausted),
        counties_exhausted: Diff::of(base, rev, |p| p.totals().counties_exhausted as f64),
        peak_overdue_rate: Diff::of(base, rev, |p| p.peak_overdue()),
        final_overdue_rate: Diff::of(base, rev, |p| p.final_overdue()),
        loss_fund_yuan: Diff::of(base, rev, |p| yuan(p.totals().loss_fund)),
        loss_bank_yuan: Diff::of(base, rev, |p| yuan(p.totals().loss_bank)),
        loss_uncovered_yuan: Diff::of(base, rev, |p| yuan(p.totals().loss_uncovered)),
        claims_paid_yuan: Diff::of(base, rev, |p| yuan(p.totals().claims_paid)),
        disbursed_yuan: Diff::of(base, rev, |p| yuan(p.totals().disbursed)),
        fund_end_yuan: Diff::of(base, rev, |p| yuan(p.totals().fund_end)),
    };
    let mut counties: Vec<CountyDiff> = base_m
        .scenario
        .counties
        .iter()
        .enumerate()
        .map(|(c, county)| CountyDiff {
            id: county.code.to_string(),
            name: county.name.clone(),
            name_en: county.name_en.clone(),
            exhaustion_probability: Diff::of(base, rev, |p| f64::from(p.exhausted_month(c).is_some())),
            peak_overdue_rate: Diff::of(base, rev, |p| p.county(c).peak_overdue),
            loss_fund_yuan: Diff::of(base, rev, |p| yuan(p.county(c).loss_fund)),
        })
        .collect();
    counties.sort_by(|a, b| {
        b.exhaustion_probability
            .diff
            .abs()
            .total_cmp(&a.exhaustion_probability.diff.abs())
            .then(b.peak_overdue_rate.diff.abs().total_cmp(&a.peak_overdue_rate.diff.abs()))
            .then(a.id.cmp(&b.id))
    });
    Comparison {
        schema: COMPARE_SCHEMA,
        base: RuleSetName::of(&base_m.scenario),
        revision: RuleSetName::of(&rev_m.scenario),
        paths: base.len() as u32,
        seed,
        province,
        counties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paired_difference_is_exact_for_a_constant_shift() {
        let a = [1.0, 2.0, 4.0, 7.0];
        let b = [1.5, 2.5, 4.5, 7.5];
        let d = Diff::paired(&a, &b);
        assert_eq!(d.diff, 0.5);
        assert_eq!(d.se, 0.0);
        assert!((d.correlation - 1.0).abs() < 1e-12);
        assert!(d.variance_reduction.is_infinite());
    }

    #[test]
    fn pairing_reduces_the_variance_by_the_textbook_factor() {
        // Var(b − a) = Var a + Var b − 2 Cov(a, b).
        let a = [1.0, 3.0, 2.0, 5.0, 4.0];
        let b = [2.0, 3.5, 2.0, 6.5, 4.5];
        let d = Diff::paired(&a, &b);
        let n = 5.0;
        let m = |x: &[f64]| x.iter().sum::<f64>() / n;
        let v = |x: &[f64]| {
            let mm = m(x);
            x.iter().map(|y| (y - mm) * (y - mm)).sum::<f64>() / (n - 1.0)
        };
        let diffs: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
        assert!((d.se - (v(&diffs) / n).sqrt()).abs() < 1e-12);
        assert!((d.variance_reduction - (v(&a) + v(&b)) / v(&diffs)).abs() < 1e-12);
        assert!((d.ci95_high - d.ci95_low - 2.0 * 1.959_963_984_540_054 * d.se).abs() < 1e-12);
    }
}
