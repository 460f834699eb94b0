//! How borrowers' circumstances move their chance of paying: collection,
//! willingness, contagion, strategic default, reminders and a late subsidy.
//! Multipliers of the baseline distress probability, and the cure
//! probability of an overdue loan.

use crate::Bucket;

/// Multipliers of a borrower's distress probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistressModifiers {
    /// Contagion strength: × exp(strength × county overdue rate).
    pub contagion: f64,
    /// Strategic default: low-willingness borrowers × (1 + this) while the
    /// fund is seen to pay.
    pub strategic_default: f64,
    /// The fund is seen to pay for this many months after a month in which
    /// it paid a claim.
    pub strategic_window_months: u16,
    /// Reminders before due dates: × this on a due date (1 = none).
    pub reminder_factor: f64,
    /// × this for a subsidised borrower whose subsidy is late.
    pub late_subsidy: f64,
}

impl DistressModifiers {
    /// Contagion multiplier at a county overdue rate.
    pub fn contagion_multiplier(&self, county_overdue_rate: f64) -> f64 {
        libm::exp(self.contagion * county_overdue_rate)
    }

    /// Whether borrowers see the fund paying in `month` (strategic default
    /// on): it paid a claim in one of the `strategic_window_months` months
    /// before (a payment in month x is seen in months x + 1 … x + window).
    pub fn fund_seen_paying(&self, last_claim_paid: Option<u16>, month: u16) -> bool {
        self.strategic_default > 0.0
            && last_claim_paid.is_some_and(|x| month > x && month - x <= self.strategic_window_months)
    }

    /// Strategic-default multiplier.
    pub fn strategic_multiplier(&self, low_willingness: bool, fund_seen_paying: bool) -> f64 {
        if low_willingness && fund_seen_paying { 1.0 + self.strategic_default } else { 1.0 }
    }

    /// Reminder multiplier for an event on a due date (not for a cure).
    pub fn reminder_multiplier(&self, due_date: bool) -> f64 {
        if due_date { self.reminder_factor } else { 1.0 }
    }

    /// Late-subsidy multiplier.
    pub fn late_subsidy_multiplier(&self, subsidised: bool, subsidy_late: bool) -> f64 {
        if subsidised && subsidy_late { self.late_subsidy } else { 1.0 }
    }
}

/// Monthly cure probability of an overdue loan: the bucket's base rate,
/// times the collection effort, times 1 + the cadres' boost beyond 90 days
/// (village cadres and work teams join collection, 清收), times the
/// willingness factor of a low-willingness borrower; at most 1.
pub fn cure_probability(
    base_by_bucket: [f64; 4],
    months_overdue: u8,
    effort: f64,
    cadre_boost: f64,
    willingness: f64,
) -> f64 {
    // The regulator's buckets; a loan asked about is at least one month
    // overdue. Cadres join beyond 90 days, where the loan is non-performing.
    let bucket = Bucket::from_months_overdue(months_overdue.max(1));
    let index = bucket.overdue_index().unwrap_or(0);
    let boost = if bucket.is_non_performing() { 1.0 + cadre_boost } else { 1.0 };
    (base_by_bucket[index] * effort * boost * willingness).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: DistressModifiers = DistressModifiers {
        contagion: 10.0,
        strategic_default: 1.0,
        strategic_window_months: 12,
        reminder_factor: 0.9,
        late_subsidy: 1.3,
    };

    #[test]
    fn the_fund_is_seen_paying_for_the_window_after_a_claim_paid() {
        assert!(!M.fund_seen_paying(None, 5));
        assert!(!M.fund_seen_paying(Some(3), 3));
        assert!(M.fund_seen_paying(Some(3), 4));
        assert!(M.fund_seen_paying(Some(3), 15));
        assert!(!M.fund_seen_paying(Some(3), 16));
        let off = DistressModifiers { strategic_default: 0.0, ..M };
        assert!(!off.fund_seen_paying(Some(3), 4));
        let short = DistressModifiers { strategic_window_months: 1, ..M };
        assert!(short.fund_seen_paying(Some(3), 4) && !short.fund_seen_paying(Some(3), 5));
    }

    #[test]
    fn contagion_raises_distress_as_the_county_overdue_rate_rises() {
        assert_eq!(M.contagion_multiplier(0.0), 1.0);
        assert!((M.contagion_multiplier(0.05) - libm::exp(0.5)).abs() < 1e-12);
    }

    #[test]
    fn strategic_default_needs_low_willingness_and_a_paying_fund() {
        assert_eq!(M.strategic_multiplier(true, true), 2.0);
        assert_eq!(M.strategic_multiplier(true, false), 1.0);
        assert_eq!(M.strategic_multiplier(false, true), 1.0);
    }

    #[test]
    fn reminders_act_on_due_dates_only() {
        assert_eq!(M.reminder_multiplier(true), 0.9);
        assert_eq!(M.reminder_multiplier(false), 1.0);
    }

    #[test]
    fn a_late_subsidy_weighs_on_subsidised_borrowers_only() {
        assert_eq!(M.late_subsidy_multiplier(true, true), 1.3);
        assert_eq!(M.late_subsidy_multiplier(false, true), 1.0);
        assert_eq!(M.late_subsidy_multiplier(true, false), 1.0);
    }

    #[test]
    fn cadres_raise_cure_beyond_ninety_days_and_low_willingness_lowers_it() {
        let base = [0.45, 0.3, 0.12, 0.04];
        assert_eq!(cure_probability(base, 1, 1.0, 0.5, 1.0), 0.45);
        assert_eq!(cure_probability(base, 3, 1.0, 0.5, 1.0), 0.3);
        assert!((cure_probability(base, 4, 1.0, 0.5, 1.0) - 0.18).abs() < 1e-12);
        assert!((cure_probability(base, 9, 1.0, 0.5, 0.5) - 0.03).abs() < 1e-12);
        assert_eq!(cure_probability(base, 1, 5.0, 0.0, 1.0), 1.0, "capped at 1");
    }
}
