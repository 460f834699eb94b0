//! Monitoring against a return to poverty (防止返贫动态监测): households
//! are identified as 监测对象 after a shock and leave monitoring once the
//! risk is removed (风险消除). Only the households that have never borrowed
//! matter here: they are the pool new first loans come from.

/// How households enter and leave monitoring.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonitoringRules {
    /// New 监测对象 identified in a county a disaster struck, as a share of
    /// the county's eligible households per unit of the disaster's
    /// intensity at impact (a severity-1 disaster on fully exposed
    /// households: intensity 1).
    pub entry_per_intensity: f64,
    /// Monthly probability that a never-borrowed monitored household's
    /// risk is removed and it leaves monitoring — and with it the pool of
    /// households eligible for a first loan.
    pub exit_monthly: f64,
}

impl MonitoringRules {
    /// No entries and no exits: the pools of the scenario as they start.
    pub const STATIC: MonitoringRules = MonitoringRules { entry_per_intensity: 0.0, exit_monthly: 0.0 };

    /// The expected number of households a disaster of `intensity` brings
    /// into monitoring in a township of `eligible` households.
    pub fn expected_entries(&self, eligible: u32, intensity: f64) -> f64 {
        (self.entry_per_intensity * intensity.max(0.0)).min(1.0) * f64::from(eligible)
    }

    /// Whether monitoring changes the pools at all.
    pub fn is_static(&self) -> bool {
        self.entry_per_intensity == 0.0 && self.exit_monthly == 0.0
    }
}

/// The fast track's reach (二(四) 容缺办理): "对灾后恢复生产有资金需求且符合
/// 贷款条件的脱贫户和监测对象".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastTrackReach {
    /// 脱贫户 and 监测对象, as the Yunnan notice says.
    LiftedAndMonitored,
    /// 监测对象 only (the engine's rule before session 5).
    Monitored,
}

impl FastTrackReach {
    /// Whether a never-borrowed household, monitored or not, is reached.
    pub fn reaches(self, monitored: bool) -> bool {
        monitored || self == FastTrackReach::LiftedAndMonitored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disaster_brings_households_into_monitoring_in_proportion_to_its_intensity() {
        let r = MonitoringRules { entry_per_intensity: 0.01, exit_monthly: 0.04 };
        assert!((r.expected_entries(1_000, 1.0) - 10.0).abs() < 1e-9);
        assert!((r.expected_entries(1_000, 3.0) - 30.0).abs() < 1e-9);
        assert_eq!(r.expected_entries(1_000, 0.0), 0.0);
        // Never more households than the township has.
        assert_eq!(r.expected_entries(1_000, 1e6), 1_000.0);
    }

    #[test]
    fn static_monitoring_moves_nobody() {
        assert!(MonitoringRules::STATIC.is_static());
        assert_eq!(MonitoringRules::STATIC.expected_entries(1_000, 5.0), 0.0);
    }

    #[test]
    fn the_fast_track_reaches_lifted_households_only_when_the_rule_says_so() {
        assert!(FastTrackReach::LiftedAndMonitored.reaches(false));
        assert!(FastTrackReach::LiftedAndMonitored.reaches(true));
        assert!(!FastTrackReach::Monitored.reaches(false));
        assert!(FastTrackReach::Monitored.reaches(true));
    }
}
