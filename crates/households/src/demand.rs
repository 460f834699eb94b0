//! Rules of demand and service in a township: the demand survey (摸排),
//! a bank's exit and takeover, and the post-disaster fast track.

use mcstress_domain::Fen;

/// The demand survey rule: every `interval_months` a township's balance is
/// checked; where it fell since the last check, banks survey demand, and
/// never-borrowed households ask for loans more often for a while.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurveyRule {
    /// Months between checks (the notice: at least every six months).
    pub interval_months: u16,
    /// Months a survey's effect lasts.
    pub effect_months: u16,
    /// Uptake multiplier after a survey is 1 + this.
    pub uplift: f64,
}

/// What a month's check finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurveyCheck {
    /// No check is due this month.
    NotDue,
    /// Checked: the balance did not fall.
    NoSurvey,
    /// Checked: the balance fell, so a survey is held; its effect lasts
    /// until the given month (exclusive).
    Survey {
        /// First month without the effect.
        until: i32,
    },
}

impl SurveyRule {
    /// The check in `month`, the last check having been in `last_check`.
    pub fn check(&self, month: i32, last_check: i32, balance_now: Fen, balance_at_check: Fen) -> SurveyCheck {
        if month - last_check < self.interval_months as i32 {
            SurveyCheck::NotDue
        } else if balance_now < balance_at_check {
            SurveyCheck::Survey { until: month + self.effect_months as i32 }
        } else {
            SurveyCheck::NoSurvey
        }
    }

    /// Uptake multiplier of never-borrowed households in `month`.
    pub fn uptake_multiplier(&self, month: i32, survey_until: i32) -> f64 {
        if month < survey_until { 1.0 + self.uplift } else { 1.0 }
    }
}

/// Whether a bank serves a township, and when a taking-over bank arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    /// A bank serves the township.
    pub served: bool,
    /// Month another bank takes over, while a gap lasts.
    pub takeover_at: Option<i32>,
}

impl Service {
    /// The bank leaves in `month`; another takes over `takeover_months`
    /// later. Until then the township has no new loans, renewals or
    /// extensions.
    pub fn exit(&mut self, month: i32, takeover_months: u16) {
        if self.served {
            self.served = false;
            self.takeover_at = Some(month + takeover_months as i32);
        }
    }

    /// The start of `month`: a due takeover restores service.
    pub fn tick(&mut self, month: i32) {
        if !self.served && self.takeover_at == Some(month) {
            self.served = true;
            self.takeover_at = None;
        }
    }
}

/// The post-disaster fast track (容缺办理): a monitored household in a
/// county hit by a disaster within the last `window_months` gets its loan
/// without the approval lag.
pub fn fast_track_applies(
    enabled: bool,
    monitored: bool,
    last_disaster: Option<u16>,
    month: u16,
    window_months: u16,
) -> bool {
    enabled && monitored && last_disaster.is_some_and(|d| month >= d && month - d <= window_months)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: SurveyRule = SurveyRule { interval_months: 6, effect_months: 4, uplift: 0.5 };

    #[test]
    fn township_whose_balance_fell_is_surveyed_at_the_six_month_check() {
        assert_eq!(RULE.check(5, 0, Fen(90), Fen(100)), SurveyCheck::NotDue);
        assert_eq!(RULE.check(6, 0, Fen(90), Fen(100)), SurveyCheck::Survey { until: 10 });
        assert_eq!(RULE.check(6, 0, Fen(100), Fen(100)), SurveyCheck::NoSurvey);
    }

    #[test]
    fn a_survey_raises_uptake_while_its_effect_lasts() {
        assert_eq!(RULE.uptake_multiplier(9, 10), 1.5);
        assert_eq!(RULE.uptake_multiplier(10, 10), 1.0);
    }

    #[test]
    fn an_exited_township_is_served_again_after_the_takeover_delay() {
        let mut s = Service { served: true, takeover_at: None };
        s.exit(3, 6);
        assert!(!s.served);
        s.tick(8);
        assert!(!s.served);
        s.tick(9);
        assert!(s.served);
        assert_eq!(s.takeover_at, None);
    }

    #[test]
    fn fast_track_is_for_monitored_households_soon_after_a_disaster() {
        assert!(fast_track_applies(true, true, Some(10), 14, 6));
        assert!(!fast_track_applies(true, false, Some(10), 14, 6), "not monitored");
        assert!(!fast_track_applies(true, true, Some(10), 17, 6), "too late");
        assert!(!fast_track_applies(true, true, None, 14, 6), "no disaster");
        assert!(!fast_track_applies(false, true, Some(10), 14, 6), "switched off");
    }
}
