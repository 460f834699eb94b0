//! Lending rules that hang on the fund: the leverage limit and the
//! suspension of new lending.

use mcstress_domain::{Fen, Share};

use crate::rules::ActivationInputs;

/// Which county ratio the suspension rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatioMetric {
    /// Overdue principal ÷ outstanding principal.
    Overdue,
    /// Non-performing (91+ days) principal ÷ outstanding principal.
    Npl,
}

impl RatioMetric {
    /// The county ratio this metric names, from the same month-end figures
    /// the activation rule reads.
    pub fn read(self, x: ActivationInputs) -> Share {
        match self {
            RatioMetric::Overdue => x.overdue_ratio,
            RatioMetric::Npl => x.npl_ratio,
        }
    }
}

/// What happens to a loan that would take the covered outstanding
/// principal past `leverage_max` × the fund (放大倍数).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeverageExcess {
    /// The loan is refused (the household goes back to its pool).
    Refuse,
    /// The loan is lent without the fund's cover, and without the interest
    /// subsidy: its loss is the bank's (D4 Guangxi 2017, Art. 8: "超出10倍
    /// 放大贷款的部分, 自治区本级财政不予贴息、不承担风险").
    Uncovered,
    /// The county tops the fund up to covered outstanding ÷ `leverage_max`
    /// at once, within what is left of its fiscal capacity this year (D10
    /// Emeishan, Art. 6: "市财政要及时补充风险基金"); when the capacity is
    /// spent, the loan is refused.
    TopUp,
}

/// Lending rules of a county.
#[derive(Clone, Debug, PartialEq)]
pub struct LendingRules {
    /// Covered lending only while covered outstanding ≤ `leverage_max` ×
    /// fund.
    pub leverage_max: f64,
    /// What a loan beyond the multiple gets.
    pub leverage_excess: LeverageExcess,
    /// The ratio the suspension reads.
    pub suspension_metric: RatioMetric,
    /// Tolerance: lending stops while the ratio exceeds it.
    pub suspension_tolerance: Share,
    /// Extra tolerance for national key-assistance counties (+3 points).
    pub key_county_extra: Share,
    /// Whether lending also stops while the fund fails to pay approved
    /// claims (D3 Huangping).
    pub suspend_on_fund_default: bool,
    /// Months overdue at which an uncovered loan is written off (核销).
    pub write_off_months: u16,
    /// New lending stops for good once the claims the fund has paid pass
    /// this share of the endowment (none: no such rule).
    pub fund_use_limit: Option<Share>,
}

impl LendingRules {
    /// The suspension threshold of a county.
    pub fn tolerance_for(&self, key_county: bool) -> Share {
        if key_county {
            self.suspension_tolerance.saturating_add(self.key_county_extra)
        } else {
            self.suspension_tolerance
        }
    }

    /// The county ratio the suspension rule reads this month.
    pub fn suspension_ratio(&self, x: ActivationInputs) -> Share {
        self.suspension_metric.read(x)
    }
}

/// Whether the claims a fund has paid, `claims_paid`, have passed the share
/// `limit` of its `endowment` (strictly above; never for a county without
/// an endowment).
pub fn fund_use_passed(limit: Share, claims_paid: Fen, endowment: Fen) -> bool {
    endowment.is_positive() && claims_paid.0 as f64 > limit.get() * endowment.0 as f64
}

/// Whether a new loan of `amount` fits under the leverage limit.
pub fn leverage_allows(leverage_max: f64, covered_outstanding: Fen, fund: Fen, amount: Fen) -> bool {
    let limit = fund.0.max(0) as f64 * leverage_max;
    (covered_outstanding.0 + amount.0) as f64 <= limit
}

/// The top-up that lets a new loan of `amount` fit under the leverage
/// limit: the fund raised to (covered outstanding + amount) ÷
/// `leverage_max`, rounded up to the fen (zero when it fits already; none
/// when no fund can make it fit, a multiple of zero).
pub fn leverage_top_up_needed(
    leverage_max: f64,
    covered_outstanding: Fen,
    fund: Fen,
    amount: Fen,
) -> Option<Fen> {
    if leverage_allows(leverage_max, covered_outstanding, fund, amount) {
        return Some(Fen::ZERO);
    }
    if leverage_max <= 0.0 || !leverage_max.is_finite() {
        return None;
    }
    let target = ((covered_outstanding.0 + amount.0) as f64 / leverage_max).ceil() as i64;
    // The floating-point product may fall a hair short of the sum: add
    // fen until it fits (one at most in practice).
    let mut need = Fen(target - fund.0.max(0));
    while !leverage_allows(leverage_max, covered_outstanding, fund.max(Fen::ZERO) + need, amount) {
        need += Fen(1);
    }
    Some(need)
}

/// The suspension state of a county's new lending.
///
/// Lending stops in the first month the ratio exceeds the tolerance (or the
/// fund defaults, if the rule says so) and resumes only at a quarterly
/// review that finds the ratio back within tolerance and the fund paying.
/// No catalogued rule says how lending resumes: the quarterly review is an
/// assumption. A county stopped for good ([`Suspension::stop_for_good`])
/// never resumes within the horizon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suspension {
    /// Whether new lending is suspended.
    pub suspended: bool,
    /// Whether it is stopped for good (the share of the endowment used has
    /// passed its limit).
    pub stopped: bool,
}

impl Suspension {
    /// Stops new lending for the rest of the horizon: the fund's endowment
    /// is used up to the limit, and only a new decision on the endowment
    /// (核定规模), outside the model, would let lending resume.
    pub fn stop_for_good(&mut self) {
        self.stopped = true;
        self.suspended = true;
    }

    /// Updates the state at the end of a month.
    pub fn update(&mut self, ratio: Share, tolerance: Share, fund_in_default: bool, review_month: bool) {
        let breach = ratio > tolerance || fund_in_default;
        if breach {
            self.suspended = true;
        } else if self.suspended && review_month && !self.stopped {
            self.suspended = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(x: f64) -> Share {
        Share::new(x).unwrap()
    }

    #[test]
    fn new_lending_only_while_outstanding_within_leverage_times_fund() {
        let fund = Fen::from_yuan(1_000_000);
        assert!(leverage_allows(10.0, Fen::from_yuan(9_950_000), fund, Fen::from_yuan(50_000)));
        assert!(!leverage_allows(10.0, Fen::from_yuan(9_960_000), fund, Fen::from_yuan(50_000)));
        assert!(!leverage_allows(10.0, Fen::ZERO, Fen(-5), Fen(1)));
    }

    #[test]
    fn a_leverage_top_up_raises_the_fund_exactly_to_the_covered_balance_over_the_multiple() {
        let fund = Fen::from_yuan(1_000_000);
        let need = |covered: i64, amount: i64| {
            leverage_top_up_needed(10.0, Fen::from_yuan(covered), fund, Fen::from_yuan(amount))
        };
        assert_eq!(need(9_950_000, 50_000), Some(Fen::ZERO), "fits already");
        // 10,000,010 ÷ 10 = 1,000,001: one yuan more.
        assert_eq!(need(9_950_010, 50_000), Some(Fen::from_yuan(1)));
        let awkward = leverage_top_up_needed(3.0, Fen(10_000_001), Fen(1), Fen(1)).unwrap();
        assert!(leverage_allows(3.0, Fen(10_000_001), Fen(1) + awkward, Fen(1)));
        assert!(
            !leverage_allows(3.0, Fen(10_000_001), Fen(1) + awkward - Fen(1), Fen(1)),
            "no more than needed"
        );
        assert_eq!(leverage_top_up_needed(0.0, Fen::ZERO, fund, Fen(1)), None, "a multiple of zero");
    }

    #[test]
    fn the_suspension_reads_the_ratio_its_metric_names() {
        let x = ActivationInputs { overdue_ratio: sh(0.08), npl_ratio: sh(0.02) };
        assert_eq!(RatioMetric::Overdue.read(x), sh(0.08));
        assert_eq!(RatioMetric::Npl.read(x), sh(0.02));
        let r = LendingRules {
            leverage_max: 10.0,
            leverage_excess: LeverageExcess::Refuse,
            suspension_metric: RatioMetric::Npl,
            suspension_tolerance: sh(0.03),
            key_county_extra: sh(0.0),
            suspend_on_fund_default: false,
            write_off_months: 12,
            fund_use_limit: None,
        };
        // An overdue ratio above the tolerance does not suspend an NPL rule.
        let mut s = Suspension::default();
        s.update(r.suspension_ratio(x), r.tolerance_for(false), false, false);
        assert!(!s.suspended);
        let by_overdue = LendingRules { suspension_metric: RatioMetric::Overdue, ..r };
        s.update(by_overdue.suspension_ratio(x), by_overdue.tolerance_for(false), false, false);
        assert!(s.suspended);
    }

    #[test]
    fn lending_stops_above_the_overdue_tolerance() {
        let mut s = Suspension::default();
        s.update(sh(0.031), sh(0.03), false, false);
        assert!(s.suspended);
    }

    #[test]
    fn key_assistance_counties_get_extra_tolerance() {
        let r = LendingRules {
            leverage_max: 10.0,
            leverage_excess: LeverageExcess::Refuse,
            suspension_metric: RatioMetric::Npl,
            suspension_tolerance: sh(0.03),
            key_county_extra: sh(0.03),
            suspend_on_fund_default: true,
            write_off_months: 12,
            fund_use_limit: None,
        };
        assert_eq!(r.tolerance_for(false), sh(0.03));
        assert!((r.tolerance_for(true).get() - 0.06).abs() < 1e-12);
        let mut s = Suspension::default();
        s.update(sh(0.05), r.tolerance_for(true), false, false);
        assert!(!s.suspended);
    }

    #[test]
    fn suspended_lending_resumes_only_at_a_quarterly_review_within_tolerance() {
        let mut s = Suspension { suspended: true, stopped: false };
        s.update(sh(0.01), sh(0.03), false, false);
        assert!(s.suspended, "no review this month");
        s.update(sh(0.04), sh(0.03), false, true);
        assert!(s.suspended, "still above tolerance");
        s.update(sh(0.01), sh(0.03), false, true);
        assert!(!s.suspended);
    }

    #[test]
    fn fund_default_suspends_lending() {
        let mut s = Suspension::default();
        s.update(sh(0.0), sh(0.03), true, true);
        assert!(s.suspended);
    }

    #[test]
    fn suspension_on_fund_use_stops_lending_once_claims_paid_pass_the_share_of_the_endowment() {
        let endowment = Fen::from_yuan(1_000_000);
        let limit = sh(0.5);
        assert!(!fund_use_passed(limit, Fen::from_yuan(500_000), endowment), "at the limit, not past it");
        assert!(fund_use_passed(limit, Fen::from_yuan(500_001), endowment));
        assert!(!fund_use_passed(limit, Fen::from_yuan(1), Fen::ZERO), "no endowment, no rule");
    }

    #[test]
    fn suspension_on_fund_use_never_resumes_within_the_horizon() {
        let mut s = Suspension::default();
        s.stop_for_good();
        assert!(s.suspended);
        // A quarterly review within tolerance and a paying fund would lift
        // an ordinary suspension; this one stays.
        s.update(sh(0.0), sh(0.03), false, true);
        assert!(s.suspended);
        let mut ordinary = Suspension { suspended: true, stopped: false };
        ordinary.update(sh(0.0), sh(0.03), false, true);
        assert!(!ordinary.suspended);
    }
}
