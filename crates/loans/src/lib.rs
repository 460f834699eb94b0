//! Loan rules of the microcredit programme, as pure functions: products of
//! the "5+5+N" ladder, contract limits, repayment schedules, delinquency
//! buckets with cure, the interest subsidy, and extension (展期) and renewal
//! (续贷) eligibility.
//!
//! Nothing here draws random numbers or does I/O: the engine decides what
//! happens to a borrower and asks these rules what follows.
//!
//! Main types: [`LoanRules`], [`ProductRules`], [`Contract`], [`Schedule`],
//! [`Bucket`], [`ExtensionRules`], [`RenewalRules`].

mod behaviour;
mod delinquency;
mod maturity;
mod product;
mod schedule;
mod subsidy;

pub use behaviour::{DistressModifiers, cure_probability};
pub use delinquency::{Bucket, WriteOff, roll_overdue, write_off_due};
pub use maturity::{
    ExtensionRules, MaturityContext, Refusal, Relief, ReliefRules, RenewalRules, Standing, relief_probability,
};
pub use product::{Contract, ContractError, LoanRules, ProductRules, SubsidyRules, next_rung};
pub use schedule::{Due, Repayment, Schedule};
pub use subsidy::SubsidyBudget;
