//! Products of the "5+5+N" ladder and the limits a contract must respect.

use mcstress_domain::{Fen, Product, Rate};

use crate::maturity::{ExtensionRules, ReliefRules, RenewalRules};
use crate::schedule::Repayment;

/// Limits and policy attributes of one product.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductRules {
    /// Largest amount of one loan (50,000 yuan for the first loan).
    pub max_amount: Fen,
    /// Longest term in months (36).
    pub max_term_months: u16,
    /// Whether the interest is subsidised (贴息).
    pub subsidised: bool,
    /// Whether losses are covered by the county compensation fund.
    pub fund_covered: bool,
}

/// The interest subsidy (贴息): paid quarterly through the 一卡通 account.
#[derive(Clone, Debug, PartialEq)]
pub struct SubsidyRules {
    /// The subsidy covers interest up to this annual rate (normally the LPR).
    pub rate_cap: Rate,
}

/// All loan rules of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct LoanRules {
    /// The subsidised, fund-covered first loan.
    pub first: ProductRules,
    /// The unsubsidised follow-up loan.
    pub follow_up: ProductRules,
    /// The one-year loan prime rate: contract rates may not exceed it.
    pub lpr: Rate,
    /// Extension (展期) rules.
    pub extension: ExtensionRules,
    /// Renewal (续贷) rules.
    pub renewal: RenewalRules,
    /// Limits on relief over a loan's life.
    pub relief: ReliefRules,
    /// Interest subsidy rules.
    pub subsidy: SubsidyRules,
}

/// The next rung of the "5+5+N" ladder for a household that has just
/// repaid a loan of `product`: a clean first loan opens the follow-up loan,
/// a clean follow-up loan opens commercial credit. A loan that was ever
/// overdue opens nothing, and commercial credit is the top rung.
pub fn next_rung(product: Product, repaid_cleanly: bool) -> Option<Product> {
    match (product, repaid_cleanly) {
        (Product::First, true) => Some(Product::FollowUp),
        (Product::FollowUp, true) => Some(Product::Commercial),
        _ => None,
    }
}

/// One loan contract as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    /// Product of the ladder.
    pub product: Product,
    /// Principal lent.
    pub principal: Fen,
    /// Fixed annual rate.
    pub rate: Rate,
    /// Term in months.
    pub term_months: u16,
    /// How it is repaid.
    pub repayment: Repayment,
}

/// Why a contract breaks the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// Principal above the product's limit.
    #[error("principal {found} exceeds the {product} limit of {limit}")]
    AmountAboveLimit {
        /// Product key.
        product: &'static str,
        /// Principal of the contract.
        found: Fen,
        /// The limit.
        limit: Fen,
    },
    /// Term longer than allowed.
    #[error("term of {found} months exceeds the limit of {limit} months")]
    TermTooLong {
        /// Term of the contract.
        found: u16,
        /// The limit.
        limit: u16,
    },
    /// A zero principal or term.
    #[error("principal and term must be positive")]
    Empty,
    /// Rate above the LPR.
    #[error("rate of {found_bp} basis points exceeds the LPR of {lpr_bp} basis points")]
    RateAboveLpr {
        /// Contract rate, basis points.
        found_bp: u32,
        /// LPR, basis points.
        lpr_bp: u32,
    },
}

impl LoanRules {
    /// The rules of one product. Commercial loans follow the follow-up
    /// limits here; they are never subsidised or fund-covered.
    pub fn product(&self, product: Product) -> ProductRules {
        match product {
            Product::First => self.first.clone(),
            Product::FollowUp => self.follow_up.clone(),
            Product::Commercial => {
                ProductRules { subsidised: false, fund_covered: false, ..self.follow_up.clone() }
            }
        }
    }

    /// Checks a contract against its product's limits and the LPR ceiling.
    pub fn check(&self, c: &Contract) -> Result<(), ContractError> {
        let rules = self.product(c.product);
        if !c.principal.is_positive() || c.term_months == 0 {
            return Err(ContractError::Empty);
        }
        if c.principal > rules.max_amount {
            return Err(ContractError::AmountAboveLimit {
                product: c.product.key(),
                found: c.principal,
                limit: rules.max_amount,
            });
        }
        if c.term_months > rules.max_term_months {
            return Err(ContractError::TermTooLong { found: c.term_months, limit: rules.max_term_months });
        }
        // Commercial credit is priced freely; the programme's products are not.
        if c.product != Product::Commercial && c.rate > self.lpr {
            return Err(ContractError::RateAboveLpr {
                found_bp: c.rate.basis_points(),
                lpr_bp: self.lpr.basis_points(),
            });
        }
        Ok(())
    }

    /// The subsidy owed on `interest_months` months of interest just paid
    /// on time: interest on the outstanding principal at the contract rate,
    /// capped at the subsidy's rate cap. Nothing for an unsubsidised product
    /// or a loan that is overdue (the subsidy stops while a loan is overdue).
    pub fn subsidy_due(
        &self,
        product: Product,
        outstanding: Fen,
        rate: Rate,
        interest_months: u32,
        months_overdue: u8,
    ) -> Fen {
        if !self.product(product).subsidised || months_overdue > 0 {
            return Fen::ZERO;
        }
        let r = if rate < self.subsidy.rate_cap { rate } else { self.subsidy.rate_cap };
        outstanding.interest(r, interest_months)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn rules() -> LoanRules {
        LoanRules {
            first: ProductRules {
                max_amount: Fen::from_yuan(50_000),
                max_term_months: 36,
                subsidised: true,
                fund_covered: true,
            },
            follow_up: ProductRules {
                max_amount: Fen::from_yuan(50_000),
                max_term_months: 36,
                subsidised: false,
                fund_covered: false,
            },
            lpr: Rate::from_basis_points(345),
            extension: ExtensionRules { enabled: true, max_months: 12, max_times: 1 },
            renewal: RenewalRules { enabled: true, max_times: 1, term_months: 12 },
            relief: ReliefRules { max_per_loan: 1 },
            subsidy: SubsidyRules { rate_cap: Rate::from_basis_points(345) },
        }
    }

    fn contract(product: Product, yuan: i64, term: u16, bp: u32) -> Contract {
        Contract {
            product,
            principal: Fen::from_yuan(yuan),
            rate: Rate::from_basis_points(bp),
            term_months: term,
            repayment: Repayment::BulletQuarterlyInterest,
        }
    }

    #[test]
    fn clean_first_loan_repayer_may_take_a_follow_up_loan_then_commercial_credit() {
        assert_eq!(next_rung(Product::First, true), Some(Product::FollowUp));
        assert_eq!(next_rung(Product::FollowUp, true), Some(Product::Commercial));
        assert_eq!(next_rung(Product::Commercial, true), None);
    }

    #[test]
    fn an_overdue_history_closes_the_ladder() {
        assert_eq!(next_rung(Product::First, false), None);
        assert_eq!(next_rung(Product::FollowUp, false), None);
    }

    #[test]
    fn first_loan_is_at_most_fifty_thousand_yuan() {
        let r = rules();
        assert!(r.check(&contract(Product::First, 50_000, 36, 345)).is_ok());
        assert!(matches!(
            r.check(&contract(Product::First, 50_001, 36, 345)),
            Err(ContractError::AmountAboveLimit { .. })
        ));
    }

    #[test]
    fn follow_up_loan_is_at_most_fifty_thousand_more() {
        let r = rules();
        assert!(r.check(&contract(Product::FollowUp, 50_000, 24, 345)).is_ok());
        assert!(r.check(&contract(Product::FollowUp, 60_000, 24, 345)).is_err());
    }

    #[test]
    fn term_is_at_most_thirty_six_months() {
        let r = rules();
        assert!(matches!(
            r.check(&contract(Product::First, 30_000, 37, 345)),
            Err(ContractError::TermTooLong { found: 37, limit: 36 })
        ));
    }

    #[test]
    fn rate_may_not_exceed_the_lpr() {
        let r = rules();
        assert!(matches!(
            r.check(&contract(Product::First, 30_000, 36, 346)),
            Err(ContractError::RateAboveLpr { .. })
        ));
        assert!(r.check(&contract(Product::Commercial, 30_000, 36, 600)).is_ok());
    }

    #[test]
    fn first_loan_is_subsidised_and_fund_covered_follow_up_is_neither() {
        let r = rules();
        assert!(r.product(Product::First).subsidised);
        assert!(r.product(Product::First).fund_covered);
        assert!(!r.product(Product::FollowUp).subsidised);
        assert!(!r.product(Product::FollowUp).fund_covered);
        assert!(!r.product(Product::Commercial).fund_covered);
    }

    #[test]
    fn subsidy_stops_while_a_loan_is_overdue() {
        let r = rules();
        let p = Fen::from_yuan(50_000);
        let rate = Rate::from_basis_points(345);
        assert_eq!(r.subsidy_due(Product::First, p, rate, 3, 0), Fen(43_125));
        assert_eq!(r.subsidy_due(Product::First, p, rate, 3, 1), Fen::ZERO);
    }

    #[test]
    fn subsidy_is_capped_at_the_subsidy_rate_and_absent_on_follow_up() {
        let mut r = rules();
        r.subsidy.rate_cap = Rate::from_basis_points(300);
        let p = Fen::from_yuan(40_000);
        let rate = Rate::from_basis_points(345);
        assert_eq!(r.subsidy_due(Product::First, p, rate, 3, 0), Fen(30_000));
        assert_eq!(r.subsidy_due(Product::FollowUp, p, rate, 3, 0), Fen::ZERO);
    }
}
