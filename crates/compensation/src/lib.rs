//! The county risk-compensation fund (风险补偿金): its rules and its ledger,
//! as pure state transitions.
//!
//! A covered loan that has been overdue for the trigger period plus the
//! collection period enters the claim cycle ([`ClaimCycle`]: notice, legal
//! collection, loss determination); the claim is filed when its loss is
//! determined; it is approved only while the activation threshold, if any,
//! holds; after the payment delay the fund pays its
//! share within the caps and its balance; what it cannot pay stays queued.
//! A fund is **exhausted** in the first month an approved claim cannot be
//! paid in full. Recoveries after payment return to the fund pro rata, never
//! more than it paid.
//!
//! Also here: the lending rules that hang on the fund — the leverage limit,
//! the suspension of new lending above an overdue tolerance and its stop
//! once a share of the endowment is used — and the top-up rules, the
//! endowment-triggered one split between province, prefecture and county.
//!
//! Rule forms from real documents (issue 10): an annual cap as a share of
//! the fund ([`AnnualShareCap`]), a fund share graded by the county's NPL
//! ratio ([`NplGrades`]), a third risk bearer with its own limit
//! ([`ThirdParty`]), a top-up below a share of the endowment
//! ([`TopUp::BelowEndowment`], [`LevelSplit`]) and the suspension on the
//! share of the endowment used ([`fund_use_passed`]).
//!
//! Leverage and top-ups as in the documents (issue 11): what a loan beyond
//! the leverage multiple gets ([`LeverageExcess`]: refused, lent uncovered,
//! or covered by a county top-up), the county's fiscal capacity that every
//! top-up draws on within its budget year ([`FiscalCapacity`]), and why an
//! approved claim is unpaid ([`UnpaidByCause`]).
//!
//! Main types: [`ClaimRules`], [`FundRules`], [`LendingRules`], [`Fund`],
//! [`Suspension`].

mod fund;
mod lending;
mod rules;

pub use fund::{Claim, ClaimState, Fund, Settlement, UnpaidByCause};
pub use lending::{
    LendingRules, LeverageExcess, RatioMetric, Suspension, fund_use_passed, leverage_allows,
    leverage_top_up_needed,
};
pub use rules::{
    Activation, ActivationInputs, Admission, AnnualShareCap, CapBase, CapExcess, ClaimCycle, ClaimRules,
    FiscalCapacity, FundRules, LevelSplit, LimitPeriod, LossBase, NplGrades, StageMonths, StageTimes,
    ThirdParty, TopUp, TopUpParts,
};
