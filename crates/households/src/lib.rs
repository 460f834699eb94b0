//! Households and townships, and the synthetic population built from
//! county profiles.
//!
//! The population is **deterministic**: each attribute of the k-th loan of
//! a county is read off a Kronecker (Weyl) low-discrepancy sequence through
//! the attribute's mix, and townships get households and loans by largest
//! remainder. So the portfolio is part of the scenario, identical on every
//! path and every machine; all randomness belongs to the engine.
//!
//! Main types: [`CountyProfile`], [`PortfolioMix`], [`Population`],
//! [`Township`], [`BorrowerSeed`].

mod demand;
mod monitoring;
mod synth;

pub use demand::{Service, SurveyCheck, SurveyRule, fast_track_applies};
pub use monitoring::{FastTrackReach, MonitoringRules};

pub use synth::{
    BorrowerSeed, CountyProfile, Population, PortfolioMix, Township, apportion, pick, weyl_position,
};
