//! The validated scenario: every parameter the engine reads, typed.

use mcstress_compensation::{ClaimRules, FundRules, LendingRules};
use mcstress_domain::{CountyCode, Fen, Industry, Rate, YearMonth};
use mcstress_households::{CountyProfile, PortfolioMix};
use mcstress_loans::{LoanRules, Repayment};

/// A validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// First simulated calendar month.
    pub start: YearMonth,
    /// Months simulated.
    pub horizon_months: u16,
    /// Default number of paths.
    pub paths: u32,
    /// Default master seed.
    pub seed: u64,
    /// SHA-256 of the source files (and variant name), hex.
    pub sha256: String,
    /// The variant applied, if any.
    pub variant: Option<String>,
    /// The loan book's shape.
    pub portfolio: Portfolio,
    /// Prefectures (州市).
    pub prefectures: Vec<Prefecture>,
    /// Counties (县).
    pub counties: Vec<County>,
    /// Borrower behaviour.
    pub behaviour: Behaviour,
    /// Shocks.
    pub shocks: Shocks,
    /// Policy rules.
    pub rules: Rules,
}

/// The loan book's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Portfolio {
    /// Category, grade, amount and age mixes.
    pub mix: PortfolioMix,
    /// Term of first loans, months.
    pub term_months: u16,
    /// Contract rate.
    pub rate: Rate,
    /// Repayment schedule.
    pub repayment: Repayment,
}

/// A prefecture.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefecture {
    /// Six-digit code (ending in 00).
    pub code: u32,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Industry mix of its borrowers, by [`Industry`] index.
    pub industry_mix: [f64; Industry::COUNT],
}

/// A county.
#[derive(Clone, Debug, PartialEq)]
pub struct County {
    /// Division code.
    pub code: CountyCode,
    /// Chinese name.
    pub name: String,
    /// Pinyin / English name.
    pub name_en: String,
    /// Index of its prefecture.
    pub prefecture: usize,
    /// A former poverty county (脱贫县).
    pub former_poverty: bool,
    /// A national key-assistance county (国家乡村振兴重点帮扶县).
    pub key_county: bool,
    /// A border county.
    pub border: bool,
    /// Fund balance at the start.
    pub fund: Fen,
    /// Households and loans.
    pub profile: CountyProfile,
}

/// Borrower behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    /// Baseline probability that a payment event finds the borrower in
    /// distress, by category.
    pub distress: [f64; 4],
    /// Multiplier of the distress probability by grade.
    pub grade_multiplier: [f64; 3],
    /// Multiplier at maturity (a bullet's principal is a large sum).
    pub maturity_multiplier: f64,
    /// Asset correlation ρ of the one-factor model.
    pub asset_correlation: f64,
    /// AR(1) coefficient of the systematic factors, monthly.
    pub factor_persistence: f64,
    /// Share of a county factor's variance from the province factor.
    pub province_weight: f64,
    /// Share of a county factor's variance from its prefecture's factor.
    pub prefecture_weight: f64,
    /// Monthly cure probability by overdue bucket (1–30, 31–90, 91–180, 181+).
    pub cure: [f64; 4],
    /// Probability that a borrower in distress at maturity has a running
    /// business (a short-term difficulty, eligible for extension/renewal).
    pub business_running: f64,
    /// Multiplier of collection effort on cure and recovery probabilities.
    pub collection_effort: f64,
    /// Monthly probability of a recovery on a written-off loan.
    pub recovery_probability: f64,
    /// Fraction of the remaining loss recovered when a recovery happens.
    pub recovery_fraction: f64,
    /// Months after write-off during which recoveries happen.
    pub recovery_window_months: u16,
    /// Monthly probability that an eligible household without a loan in a
    /// served township takes a first loan.
    pub uptake_monthly: f64,
}

/// A mean-reverting log-price process with jumps.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceProcess {
    /// Monthly standard deviation of log-price innovations.
    pub volatility: f64,
    /// Monthly pull of the log price back to its mean (0–1).
    pub mean_reversion: f64,
    /// Monthly probability of a jump.
    pub jump_probability: f64,
    /// Mean log size of a jump.
    pub jump_mean: f64,
    /// Standard deviation of the log size of a jump.
    pub jump_sd: f64,
    /// Distress multiplier = exp(−sensitivity × log-price deviation).
    pub sensitivity: f64,
}

/// The kinds of natural disaster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisasterKind {
    /// Drought (dry season).
    Drought,
    /// Flood and landslide (rainy season).
    Flood,
    /// Frost (winter).
    Frost,
    /// Earthquake (rare, local, severe).
    Earthquake,
    /// Livestock disease.
    LivestockDisease,
}

impl DisasterKind {
    /// All kinds.
    pub const ALL: [DisasterKind; 5] = [
        DisasterKind::Drought,
        DisasterKind::Flood,
        DisasterKind::Frost,
        DisasterKind::Earthquake,
        DisasterKind::LivestockDisease,
    ];

    /// Key in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            DisasterKind::Drought => "drought",
            DisasterKind::Flood => "flood",
            DisasterKind::Frost => "frost",
            DisasterKind::Earthquake => "earthquake",
            DisasterKind::LivestockDisease => "livestock_disease",
        }
    }
}

/// A stochastic disaster process.
#[derive(Clone, Debug, PartialEq)]
pub struct Disaster {
    /// Kind.
    pub kind: DisasterKind,
    /// Probability per prefecture per year.
    pub annual_probability: f64,
    /// Calendar months (index 0 = January) in which it can arrive.
    pub months: [bool; 12],
    /// Probability that each county of a struck prefecture is hit.
    pub county_share: f64,
    /// Distress multiplier on fully exposed industries at impact.
    pub distress_multiplier: f64,
    /// Share of the impact left after each month.
    pub persistence: f64,
    /// Exposure of each industry (0–1), by [`Industry`] index.
    pub exposure: [f64; Industry::COUNT],
}

/// What a scripted event does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventKind {
    /// A disaster of the given kind.
    Disaster(DisasterKind),
    /// A price move of one industry.
    Price(Industry),
}

/// A scripted event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happens.
    pub kind: EventKind,
    /// Simulation month in which it happens.
    pub month: u16,
    /// Counties hit (indices); all counties when empty.
    pub counties: Vec<usize>,
    /// Severity multiplier of a disaster's impact (1 = typical).
    pub severity: f64,
    /// Relative price change of a price event (−0.24 = 24 % down).
    pub price_change: f64,
}

/// Shocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Shocks {
    /// Price process per industry, by [`Industry`] index.
    pub prices: Vec<PriceProcess>,
    /// Stochastic disasters.
    pub disasters: Vec<Disaster>,
    /// Scripted events.
    pub events: Vec<Event>,
}

/// Policy rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// Loan products, extension, renewal, subsidy.
    pub loans: LoanRules,
    /// Claims on the fund.
    pub claims: ClaimRules,
    /// The fund's top-ups and interest.
    pub fund: FundRules,
    /// Leverage, suspension, write-off.
    pub lending: LendingRules,
}

impl Scenario {
    /// Total fund balance at the start.
    pub fn total_fund(&self) -> Fen {
        self.counties.iter().map(|c| c.fund).sum()
    }
}
