//! The rules each county follows, as `summary.json` states them: one
//! entry per stretch of months in which the county follows one rule set
//! (`Scenario::rule_sets.schedule`), with the figures a regulator reads
//! off a county's compensation scheme. The run's results do not depend on
//! this: it restates the scenario so that a one-county briefing can show
//! the rules behind its figures without the scenario file at hand.

use mcstress_compensation::{LossBase, RatioMetric, TopUp};
use mcstress_domain::Fen;
use mcstress_scenario::Scenario;
use serde::Serialize;

/// One band of a fund share graded by the county's NPL ratio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NplGrade {
    /// The band applies while the NPL ratio is at most this (fraction).
    pub npl_up_to: f64,
    /// The fund's share of a loss in the band (fraction).
    pub fund_share: f64,
}

/// The rules a county follows from a month on, until its next entry (or
/// the end of the horizon).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountyRules {
    /// First month these rules apply (1 = the first simulated month).
    pub from_month: u16,
    /// The same month as "YYYY-MM".
    pub from_date: String,
    /// The scenario's rule set: 0 is `[rules]`, a higher number a set made
    /// by a county override or a timeline entry (the order in which the
    /// scenario reader met them).
    pub rule_set: u16,
    /// Days overdue before a loan enters the compensation procedure.
    pub trigger_days_overdue: u16,
    /// Months of collection the bank pursues after the trigger before it
    /// may claim.
    pub collection_months: u16,
    /// The fund's share of an approved loss (fraction); replaced by
    /// `fund_share_by_npl` when that is given.
    pub fund_share: f64,
    /// The fund's share graded by the county's NPL ratio (absent: the flat
    /// `fund_share`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund_share_by_npl: Option<Vec<NplGrade>>,
    /// What a loss is: `"principal"` or `"principal_plus_interest"`.
    pub loss_base: &'static str,
    /// Most the fund pays on one loan, yuan (null: no cap).
    pub per_loan_cap_yuan: Option<f64>,
    /// Most the fund pays in a calendar year, yuan (null: no cap).
    pub annual_cap_yuan: Option<f64>,
    /// Most the fund approves in a calendar year as a share of its
    /// balance or endowment (null: no such cap).
    pub annual_cap_share: Option<f64>,
    /// Months from filing a claim to its payment.
    pub payment_delay_months: u16,
    /// Whether recoveries after payment return to the fund pro rata.
    pub recoveries_to_fund: bool,
    /// The third party's (guarantor's or insurer's) share of a loss
    /// (fraction; null: fund and bank only).
    pub third_party_share: Option<f64>,
    /// How the fund is topped up: `"none"`, `"annual_restore"`,
    /// `"annual_to_ratio"`, `"quarterly_to_ratio"` or `"below_endowment"`.
    pub top_up: &'static str,
    /// Covered lending stops beyond this multiple of the fund (放大倍数).
    pub leverage_max: f64,
    /// The ratio the suspension reads: `"overdue"` or `"npl"`.
    pub suspension_metric: &'static str,
    /// New lending stops while that ratio exceeds this (fraction), the
    /// key-county extra included for a key county.
    pub suspension_tolerance: f64,
    /// New lending stops for good once claims paid pass this share of the
    /// endowment (null: no such rule).
    pub fund_use_limit: Option<f64>,
    /// The fund's endowment (核定规模), yuan.
    pub endowment_yuan: f64,
    /// Most the county's budget puts into top-ups in a calendar year, yuan
    /// (null: unlimited): the county data's figure, else the rules'.
    pub fiscal_capacity_yuan: Option<f64>,
}

fn yuan(f: Fen) -> f64 {
    f.to_yuan_f64()
}

/// County `c`'s rules over the horizon, one entry per change of rule set
/// that falls within it, the first from month 1.
pub fn county_rules(s: &Scenario, c: usize) -> Vec<CountyRules> {
    let county = &s.counties[c];
    let starts: Vec<(u16, u16)> = match s.rule_sets.schedule.get(c) {
        Some(v) if !v.is_empty() => v.clone(),
        _ => vec![(0, 0)],
    };
    starts
        .into_iter()
        .filter(|(t, _)| *t < s.horizon_months.max(1))
        .map(|(t, set)| {
            let r = s.rule_set(usize::from(set));
            let claims = &r.claims;
            CountyRules {
                from_month: t + 1,
                from_date: s.start.plus(i32::from(t)).to_string(),
                rule_set: set,
                trigger_days_overdue: claims.trigger_days_overdue,
                collection_months: claims.collection_months,
                fund_share: claims.fund_share.get(),
                fund_share_by_npl: claims.fund_share_by_npl.as_ref().map(|g| {
                    g.bands()
                        .iter()
                        .map(|(bound, share)| NplGrade { npl_up_to: bound.get(), fund_share: share.get() })
                        .collect()
                }),
                loss_base: match claims.base {
                    LossBase::Principal => "principal",
                    LossBase::PrincipalPlusInterest => "principal_plus_interest",
                },
                per_loan_cap_yuan: claims.per_loan_cap.map(yuan),
                annual_cap_yuan: claims.annual_cap.map(yuan),
                annual_cap_share: claims.annual_share_cap.map(|a| a.share.get()),
                payment_delay_months: claims.payment_delay_months,
                recoveries_to_fund: claims.recoveries_to_fund,
                third_party_share: claims.third_party.map(|t| t.share.get()),
                top_up: match r.fund.top_up {
                    TopUp::None => "none",
                    TopUp::AnnualRestore { .. } => "annual_restore",
                    TopUp::AnnualToRatio { .. } => "annual_to_ratio",
                    TopUp::QuarterlyToRatio { .. } => "quarterly_to_ratio",
                    TopUp::BelowEndowment { .. } => "below_endowment",
                },
                leverage_max: r.lending.leverage_max,
                suspension_metric: match r.lending.suspension_metric {
                    RatioMetric::Overdue => "overdue",
                    RatioMetric::Npl => "npl",
                },
                suspension_tolerance: r.lending.tolerance_for(county.key_county).get(),
                fund_use_limit: r.lending.fund_use_limit.map(|l| l.get()),
                endowment_yuan: yuan(county.endowment),
                // As the fund reads it (`Fund::fiscal_capacity_under`).
                fiscal_capacity_yuan: county
                    .fiscal_capacity
                    .or_else(|| r.fund.fiscal_capacity.amount(county.endowment))
                    .map(yuan),
            }
        })
        .collect()
}
