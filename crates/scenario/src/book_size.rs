//! The largest book the engine can simulate exactly.
//!
//! The engine adds and subtracts `i64` fen (up to about 9.2 × 10^16 yuan);
//! in a release build an overflow would wrap silently and still satisfy the
//! fund identity. Each field has its own range, but together they can
//! describe a book whose sums do not fit: 2,000 counties with funds of
//! 10^12 yuan earning 20 % a year for 240 months. This check bounds, from
//! the scenario alone, every sum a path can reach and refuses scenarios
//! whose bound passes [`MAX_BOOK_FEN`].
//!
//! The sums (see `engine/src/path.rs` and `compensation/src/fund.rs`) are,
//! per county and added over the province: principal outstanding,
//! disbursed, repaid and written off; arrears, loss bases, recoveries and
//! subsidy; and the fund's balance, its cumulative inflows (interest and
//! top-ups), claims paid and recoveries. The bounds:
//!
//! * **Loans.** A household holds at most two loans (a first loan and a
//!   follow-up beside it) and each month each of them is disbursed at most
//!   once (a new loan, a renewal, the follow-up or the next rung of the
//!   ladder), so a county disburses at most `loans + 2 × households ×
//!   horizon` loans, each at most the largest amount the scenario allows.
//!   Interest and arrears on a loan accrue at most at the highest loan rate
//!   for the horizon plus one quarter, so loss bases, recoveries and subsidy
//!   stay within that principal times `1 + rate × (horizon + 3) / 12`.
//! * **Funds.** Every inflow (endowment, top-ups, recoveries) is taken as if
//!   it earned the fund's interest, compounded monthly, for the whole
//!   horizon. Top-ups add at most their target (the endowment, or the ratio
//!   times the largest outstanding) each time they apply, and at most the
//!   annual cap in a calendar year.
//!
//! The bound stays a factor of about nine below `i64::MAX`, so that any sum
//! of a few of these figures (the fund identity adds four) fits as well.

use mcstress_compensation::TopUp;
use mcstress_domain::Fen;

use crate::model::Scenario;

/// The largest bound accepted, in fen: 10^16 yuan.
pub(crate) const MAX_BOOK_FEN: f64 = 1e18;

/// The bound of one scenario, split into its two sides (fen).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BookBound {
    /// Principal, arrears and loss bases over the horizon, province total.
    pub loans: f64,
    /// Fund balances and cumulative inflows, province total.
    pub funds: f64,
    /// Funds at the start, province total.
    pub funds_start: f64,
    /// Growth factor of a fund inflow by interest over the horizon.
    pub growth: f64,
    /// Largest loan principal.
    pub largest_loan: f64,
    /// Eligible households, province total.
    pub households: f64,
}

impl BookBound {
    /// The bound of the largest sum.
    pub fn total(&self) -> f64 {
        self.loans + self.funds
    }
}

/// Bounds the sums a path of `s` can reach.
pub(crate) fn bound(s: &Scenario) -> BookBound {
    let horizon = f64::from(s.horizon_months);
    let r = &s.rules;
    let largest_loan = s
        .portfolio
        .mix
        .amounts
        .iter()
        .map(|a| a.0)
        .chain([r.ladder.follow_up_amount, r.ladder.commercial_amount])
        .max()
        .unwrap_or(Fen::ZERO)
        .0 as f64;
    let loan_rate = s.portfolio.rate.max(r.ladder.commercial_rate).annual();
    let with_arrears = 1.0 + loan_rate * (horizon + 3.0) / 12.0;
    let growth = (1.0 + r.fund.interest_rate.annual() / 12.0).powf(horizon);
    // Calendar years the horizon touches, and quarters.
    let years = (horizon / 12.0).ceil() + 1.0;
    let quarters = (horizon / 3.0).ceil() + 1.0;
    let mut b = BookBound { loans: 0.0, funds: 0.0, funds_start: 0.0, growth, largest_loan, households: 0.0 };
    for c in &s.counties {
        let households = f64::from(c.profile.eligible_households.max(c.profile.loans));
        // A household holds at most two loans (a first loan and a follow-up
        // beside it, or the commercial loan that follow-up became), each
        // disbursed at most once a month.
        let loans = (f64::from(c.profile.loans) + 2.0 * households * horizon) * largest_loan * with_arrears;
        let fund = c.fund.0 as f64;
        let most_outstanding = 2.0 * households * largest_loan;
        let top_ups = match r.fund.top_up {
            TopUp::None => 0.0,
            TopUp::AnnualRestore { .. } => years * fund,
            TopUp::AnnualToRatio { ratio, .. } => years * ratio * most_outstanding,
            TopUp::QuarterlyToRatio { ratio } => quarters * ratio * most_outstanding,
            TopUp::BelowEndowment { .. } => horizon * c.endowment.0 as f64,
        };
        let top_ups = match r.fund.annual_top_up_cap {
            Some(cap) => top_ups.min(years * cap.0 as f64),
            None => top_ups,
        };
        // Recoveries return at most the loss bases; interest rounding adds
        // at most a fen a month.
        b.funds += growth * (fund + top_ups + loans) + horizon;
        b.loans += loans;
        b.funds_start += fund;
        b.households += households;
    }
    b
}

/// Fen as messages print them: whole yuan with thousands separators, or
/// three significant digits (`2.32e18`) from 10^13 yuan on, where the
/// bound's last digits mean nothing.
pub(crate) fn approx_yuan(fen: f64) -> String {
    let yuan = fen / 100.0;
    if yuan.abs() >= 1e13 {
        let t = format!("{yuan:.2e}");
        // 1.00e16 reads better as 1e16.
        t.replace(".00e", "e").replace("0e", "e")
    } else {
        grouped(yuan)
    }
}

/// A whole number with thousands separators.
pub(crate) fn grouped(x: f64) -> String {
    let whole = format!("{:.0}", x.round());
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", whole.as_str()),
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_far_below_the_largest_book() {
        let s = crate::embedded_default(None).unwrap().scenario;
        let b = bound(&s);
        // About 7.3e13 yuan: the loans (two per household) and, through
        // recoveries, the funds.
        assert_eq!(approx_yuan(b.total()), "7.33e13");
        assert!(b.total() < MAX_BOOK_FEN / 100.0, "{b:?}");
    }
}
