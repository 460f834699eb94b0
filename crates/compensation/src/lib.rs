//! The county risk-compensation fund (风险补偿金): its rules and its ledger,
//! as pure state transitions.
//!
//! A claim is filed when a covered loan has been overdue for the trigger
//! period plus the collection period; it is approved only while the
//! activation threshold holds (today's "high threshold"); the fund pays its
//! share within the caps and its balance; what it cannot pay stays queued.
//! A fund is **exhausted** in the first month an approved claim cannot be
//! paid in full. Recoveries after payment return to the fund pro rata, never
//! more than it paid.
//!
//! Also here: the lending rules that hang on the fund — the leverage limit
//! and the suspension of new lending above an overdue tolerance — and the
//! top-up rule.
//!
//! Main types: [`ClaimRules`], [`FundRules`], [`LendingRules`], [`Fund`],
//! [`Suspension`].

mod fund;
mod lending;
mod rules;

pub use fund::{Claim, ClaimState, Fund, Settlement};
pub use lending::{LendingRules, RatioMetric, Suspension, leverage_allows};
pub use rules::{Activation, ActivationInputs, Admission, ClaimRules, FundRules, LossBase, TopUp};
