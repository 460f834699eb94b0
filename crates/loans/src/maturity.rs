//! What may happen at maturity to a borrower who cannot repay in full:
//! extension (展期) or renewal (续贷), "应展尽展、应续尽续" — for borrowers
//! "短期内资金周转存在困难但生产经营正常" (Yunnan notice 三(二)): a short-term
//! cash problem from a cause outside their control, applied for before
//! the loan falls due, a limited number of times over the loan's life.

/// Extension rules.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensionRules {
    /// Whether extensions are granted at all.
    pub enabled: bool,
    /// Length of one extension, months (at most 12).
    pub max_months: u16,
    /// How many times one loan may be extended.
    pub max_times: u8,
}

/// Renewal rules: a new contract replaces the maturing one without the
/// principal being repaid first (无还本续贷).
#[derive(Clone, Debug, PartialEq)]
pub struct RenewalRules {
    /// Whether renewals are granted at all.
    pub enabled: bool,
    /// How many times one household's loan may be renewed.
    pub max_times: u8,
    /// Term of the renewed loan, months.
    pub term_months: u16,
}

/// Relief over a loan's whole life: extensions and renewals together.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliefRules {
    /// How many times, extensions and renewals counted together, one loan
    /// may be relieved over its life — ladder steps included: a household
    /// that moves to the next rung in the same slot keeps its count.
    pub max_per_loan: u8,
}

/// The relief granted at maturity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relief {
    /// The maturity moves; the contract stays (展期).
    Extension,
    /// A new contract repays the old one (无还本续贷).
    Renewal,
}

/// A loan's standing at maturity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Standing {
    /// Whole months overdue (0 = current).
    pub months_overdue: u8,
    /// Extensions already granted.
    pub extensions: u8,
    /// Renewals already granted.
    pub renewals: u8,
}

/// The circumstances around the loan at maturity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaturityContext {
    /// The borrower's difficulty is short-term: the business still runs.
    pub business_running: bool,
    /// A lending bank serves the borrower's township this month.
    pub bank_serves_township: bool,
    /// New lending is suspended in the county.
    pub county_suspended: bool,
    /// The county's leverage limit leaves room for this loan.
    pub within_leverage: bool,
}

/// Why an extension or renewal is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The policy is switched off.
    #[error("the policy is switched off")]
    Disabled,
    /// The loan has used up its extensions or renewals.
    #[error("the limit on the number of times is reached")]
    LimitReached,
    /// The loan is already overdue.
    #[error("the loan is already overdue")]
    AlreadyOverdue,
    /// The borrower's business has failed: not a short-term difficulty.
    #[error("the borrower's business is not running")]
    BusinessFailed,
    /// No bank serves the township.
    #[error("no bank serves the township")]
    NoBank,
    /// New lending is suspended in the county.
    #[error("new lending is suspended in the county")]
    CountySuspended,
    /// The leverage limit is reached.
    #[error("the county's leverage limit is reached")]
    LeverageLimit,
}

fn common(enabled: bool, used: u8, max: u8, s: Standing, ctx: MaturityContext) -> Result<(), Refusal> {
    if !enabled {
        return Err(Refusal::Disabled);
    }
    if used >= max {
        return Err(Refusal::LimitReached);
    }
    if s.months_overdue > 0 {
        return Err(Refusal::AlreadyOverdue);
    }
    if !ctx.business_running {
        return Err(Refusal::BusinessFailed);
    }
    if !ctx.bank_serves_township {
        return Err(Refusal::NoBank);
    }
    Ok(())
}

/// The probability that a borrower in distress at maturity qualifies for
/// relief: the difficulty is short-term and its cause outside the
/// borrower's control, so the business still runs.
///
/// Distress at maturity has two parts. The ordinary part (the borrower's
/// own illness, a poor sale, a late payer) qualifies with probability
/// `ordinary_share`. An income shock that multiplies the borrower's
/// distress by `shock_multiplier` (a price fall, a disaster in the
/// borrower's industry) accounts for the share `1 − 1/shock_multiplier` of
/// it, and that part always qualifies: the cause is outside the borrower's
/// control (banks "都会给予展期处理" after the 2024 cattle-price fall). So
/// the probability is `ordinary_share + (1 − ordinary_share)(1 − 1/M)` for
/// `M ≥ 1`, and `ordinary_share` when incomes rose (`M < 1`). An unwilling
/// borrower (low repayment willingness) does not qualify at all: relief
/// needs a borrower who applies before the loan falls due and whom the
/// bank judges 信用良好.
pub fn relief_probability(ordinary_share: f64, shock_multiplier: f64, willing: bool) -> f64 {
    if !willing {
        return 0.0;
    }
    let from_shock = if shock_multiplier > 1.0 { 1.0 - 1.0 / shock_multiplier } else { 0.0 };
    ordinary_share + (1.0 - ordinary_share) * from_shock
}

impl ReliefRules {
    /// The relief a maturing loan gets, if any: an extension if the
    /// extension rules allow it, else a renewal if the renewal rules do,
    /// and neither once the loan has had `max_per_loan` of them. The
    /// refusal returned is the renewal's (the last tried) or the
    /// lifetime limit's.
    pub fn at_maturity(
        &self,
        ext: &ExtensionRules,
        ren: &RenewalRules,
        s: Standing,
        ctx: MaturityContext,
    ) -> Result<Relief, Refusal> {
        if u16::from(s.extensions) + u16::from(s.renewals) >= u16::from(self.max_per_loan) {
            return Err(Refusal::LimitReached);
        }
        if ext.may_extend(s, ctx).is_ok() {
            return Ok(Relief::Extension);
        }
        ren.may_renew(s, ctx).map(|()| Relief::Renewal)
    }
}

impl ExtensionRules {
    /// Whether a maturing loan may be extended. An extension modifies an
    /// existing contract, so it is not new lending: a county suspension or
    /// the leverage limit does not block it.
    pub fn may_extend(&self, s: Standing, ctx: MaturityContext) -> Result<(), Refusal> {
        common(self.enabled, s.extensions, self.max_times, s, ctx)
    }
}

impl RenewalRules {
    /// Whether a maturing loan may be renewed. A renewal is new lending, so
    /// it also needs the county not to be suspended and room under the
    /// leverage limit.
    pub fn may_renew(&self, s: Standing, ctx: MaturityContext) -> Result<(), Refusal> {
        common(self.enabled, s.renewals, self.max_times, s, ctx)?;
        if ctx.county_suspended {
            return Err(Refusal::CountySuspended);
        }
        if !ctx.within_leverage {
            return Err(Refusal::LeverageLimit);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_ctx() -> MaturityContext {
        MaturityContext {
            business_running: true,
            bank_serves_township: true,
            county_suspended: false,
            within_leverage: true,
        }
    }
    const EXT: ExtensionRules = ExtensionRules { enabled: true, max_months: 12, max_times: 1 };
    const REN: RenewalRules = RenewalRules { enabled: true, max_times: 2, term_months: 12 };

    #[test]
    fn short_term_difficulty_with_running_business_gets_an_extension() {
        assert_eq!(EXT.may_extend(Standing::default(), ok_ctx()), Ok(()));
    }

    #[test]
    fn extension_is_granted_a_limited_number_of_times() {
        let s = Standing { extensions: 1, ..Standing::default() };
        assert_eq!(EXT.may_extend(s, ok_ctx()), Err(Refusal::LimitReached));
    }

    #[test]
    fn failed_business_gets_no_extension_or_renewal() {
        let ctx = MaturityContext { business_running: false, ..ok_ctx() };
        assert_eq!(EXT.may_extend(Standing::default(), ctx), Err(Refusal::BusinessFailed));
        assert_eq!(REN.may_renew(Standing::default(), ctx), Err(Refusal::BusinessFailed));
    }

    #[test]
    fn overdue_loan_gets_no_extension() {
        let s = Standing { months_overdue: 1, ..Standing::default() };
        assert_eq!(EXT.may_extend(s, ok_ctx()), Err(Refusal::AlreadyOverdue));
    }

    #[test]
    fn suspended_county_grants_no_renewal_but_still_extends() {
        let ctx = MaturityContext { county_suspended: true, ..ok_ctx() };
        assert_eq!(REN.may_renew(Standing::default(), ctx), Err(Refusal::CountySuspended));
        assert_eq!(EXT.may_extend(Standing::default(), ctx), Ok(()));
    }

    #[test]
    fn renewal_needs_room_under_the_leverage_limit() {
        let ctx = MaturityContext { within_leverage: false, ..ok_ctx() };
        assert_eq!(REN.may_renew(Standing::default(), ctx), Err(Refusal::LeverageLimit));
    }

    #[test]
    fn township_without_a_bank_gets_no_extension_or_renewal() {
        let ctx = MaturityContext { bank_serves_township: false, ..ok_ctx() };
        assert_eq!(EXT.may_extend(Standing::default(), ctx), Err(Refusal::NoBank));
        assert_eq!(REN.may_renew(Standing::default(), ctx), Err(Refusal::NoBank));
    }

    #[test]
    fn switched_off_policy_refuses() {
        let off = ExtensionRules { enabled: false, ..EXT };
        assert_eq!(off.may_extend(Standing::default(), ok_ctx()), Err(Refusal::Disabled));
    }

    #[test]
    fn an_unwilling_borrower_never_qualifies_for_relief() {
        assert_eq!(relief_probability(0.6, 3.0, false), 0.0);
    }

    #[test]
    fn without_a_shock_the_ordinary_share_qualifies() {
        assert_eq!(relief_probability(0.6, 1.0, true), 0.6);
        // Incomes that rose do not make a difficulty more often short-term.
        assert_eq!(relief_probability(0.6, 0.8, true), 0.6);
    }

    #[test]
    fn the_part_of_distress_a_shock_caused_qualifies() {
        // A shock that doubles distress causes half of it: 0.6 + 0.4 × 0.5.
        assert!((relief_probability(0.6, 2.0, true) - 0.8).abs() < 1e-15);
        assert!((relief_probability(0.0, 4.0, true) - 0.75).abs() < 1e-15);
        assert!(relief_probability(0.6, 1e9, true) <= 1.0);
    }

    #[test]
    fn relief_tries_an_extension_first_then_a_renewal() {
        let once = ReliefRules { max_per_loan: 2 };
        assert_eq!(once.at_maturity(&EXT, &REN, Standing::default(), ok_ctx()), Ok(Relief::Extension));
        let extended = Standing { extensions: 1, ..Standing::default() };
        assert_eq!(once.at_maturity(&EXT, &REN, extended, ok_ctx()), Ok(Relief::Renewal));
    }

    #[test]
    fn relief_is_granted_at_most_the_lifetime_limit_whatever_its_kind() {
        let once = ReliefRules { max_per_loan: 1 };
        let extended = Standing { extensions: 1, ..Standing::default() };
        let renewed = Standing { renewals: 1, ..Standing::default() };
        // Each kind's own limit would still allow a renewal or an extension.
        assert_eq!(REN.may_renew(extended, ok_ctx()), Ok(()));
        assert_eq!(once.at_maturity(&EXT, &REN, extended, ok_ctx()), Err(Refusal::LimitReached));
        assert_eq!(once.at_maturity(&EXT, &REN, renewed, ok_ctx()), Err(Refusal::LimitReached));
        let none = ReliefRules { max_per_loan: 0 };
        assert_eq!(none.at_maturity(&EXT, &REN, Standing::default(), ok_ctx()), Err(Refusal::LimitReached));
    }

    #[test]
    fn renewal_is_granted_a_limited_number_of_times() {
        let s = Standing { renewals: 2, ..Standing::default() };
        assert_eq!(REN.may_renew(s, ok_ctx()), Err(Refusal::LimitReached));
    }
}
