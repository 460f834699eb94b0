//! The compensation rules of one county.

use mcstress_domain::{Fen, Rate, Share};

/// What the fund compensates: principal only, or principal and the unpaid
/// interest (本息损失, the usual base in the catalogued rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossBase {
    /// Outstanding principal only.
    Principal,
    /// Outstanding principal plus interest arrears.
    PrincipalPlusInterest,
}

/// When claims may be approved at all (the "activation threshold").
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// Claims are approved from the first loss.
    None,
    /// Only while the county's overdue ratio (overdue ÷ outstanding
    /// principal) exceeds the threshold.
    CountyOverdueRatioAbove(Share),
    /// Only while the county's non-performing ratio (91+ days ÷
    /// outstanding principal) exceeds the threshold.
    CountyNplRatioAbove(Share),
    /// Only beyond a first-loss amount that the bank bears alone.
    BankFirstLoss(Fen),
}

/// The county figures an activation test reads.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ActivationInputs {
    /// Overdue ÷ outstanding principal at the end of the month.
    pub overdue_ratio: Share,
    /// Non-performing (91+ days) ÷ outstanding principal.
    pub npl_ratio: Share,
}

/// What the activation rule decides for one pending claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The claim waits (and so do the claims filed after it).
    Wait,
    /// The claim may be approved; the bank alone bears `bank_first_loss`
    /// of its base (zero except under a first-loss layer).
    Approve {
        /// The part of the claim's base that the bank's first-loss layer
        /// absorbs.
        bank_first_loss: Fen,
    },
}

impl Activation {
    /// The activation rule for one pending claim of loss `base`, given the
    /// county's ratios this month and how much of a first-loss layer the
    /// bank has already borne (`first_loss_used`). A ratio rule admits the
    /// claim only while the ratio is strictly above its threshold; a
    /// first-loss layer always admits it, the bank bearing what is left of
    /// the layer (at most the whole base).
    pub fn admit(self, x: ActivationInputs, base: Fen, first_loss_used: Fen) -> Admission {
        let ratio_above = |ratio: Share, threshold: Share| {
            if ratio > threshold {
                Admission::Approve { bank_first_loss: Fen::ZERO }
            } else {
                Admission::Wait
            }
        };
        match self {
            Activation::None => Admission::Approve { bank_first_loss: Fen::ZERO },
            Activation::CountyOverdueRatioAbove(t) => ratio_above(x.overdue_ratio, t),
            Activation::CountyNplRatioAbove(t) => ratio_above(x.npl_ratio, t),
            Activation::BankFirstLoss(layer) => Admission::Approve {
                bank_first_loss: (layer - first_loss_used).max(Fen::ZERO).min(base.max(Fen::ZERO)),
            },
        }
    }
}

/// Claim rules.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimRules {
    /// Days overdue before a loan enters the compensation procedure (90).
    pub trigger_days_overdue: u16,
    /// Months of collection (催收、追索) the bank must pursue after the
    /// trigger before it may claim.
    pub collection_months: u16,
    /// When claims may be approved.
    pub activation: Activation,
    /// Fraction of an approved loss that the fund pays (the rest is the
    /// bank's).
    pub fund_share: Share,
    /// Principal, or principal plus interest.
    pub base: LossBase,
    /// Most the fund pays on one loan.
    pub per_loan_cap: Option<Fen>,
    /// Most the fund pays in one calendar year; the rest waits for the next.
    pub annual_cap: Option<Fen>,
    /// Months from filing to payment (review).
    pub payment_delay_months: u16,
    /// Whether recoveries after payment return to the fund pro rata.
    pub recoveries_to_fund: bool,
}

impl ClaimRules {
    /// Whole months overdue at which a claim is filed: the trigger in days
    /// (rounded up to whole months of 30 days) plus the collection period.
    pub fn trigger_months(&self) -> u16 {
        self.trigger_days_overdue.div_ceil(30) + self.collection_months
    }

    /// The base of a claim.
    pub fn claim_base(&self, principal: Fen, interest_arrears: Fen) -> Fen {
        match self.base {
            LossBase::Principal => principal,
            LossBase::PrincipalPlusInterest => principal + interest_arrears,
        }
    }

    /// The fund's share of a loss base, capped per loan.
    pub fn fund_part(&self, base: Fen) -> Fen {
        let part = base.times(self.fund_share.get());
        match self.per_loan_cap {
            Some(cap) => part.min(cap),
            None => part,
        }
    }
}

/// The annual (or quarterly) top-up rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TopUp {
    /// Never topped up.
    None,
    /// Restored to its initial endowment once a year, in the given month
    /// of the year (D15a template: restored at the start of the year).
    AnnualRestore {
        /// Month of the year, 1–12.
        month_of_year: u8,
    },
    /// Topped up once a year to a ratio of the covered outstanding balance.
    AnnualToRatio {
        /// Target fund ÷ covered outstanding principal.
        ratio: f64,
        /// Month of the year, 1–12.
        month_of_year: u8,
    },
    /// Topped up every quarter to a ratio of the covered balance (D2: 10 %).
    QuarterlyToRatio {
        /// Target fund ÷ covered outstanding principal.
        ratio: f64,
    },
}

/// The fund's own rules.
#[derive(Clone, Debug, PartialEq)]
pub struct FundRules {
    /// Interest earned on the balance (demand-deposit rate), kept in the fund.
    pub interest_rate: Rate,
    /// Top-up rule.
    pub top_up: TopUp,
    /// Most the county puts in through top-ups in one calendar year.
    pub annual_top_up_cap: Option<Fen>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(x: f64) -> Share {
        Share::new(x).unwrap()
    }

    pub(crate) fn rules() -> ClaimRules {
        ClaimRules {
            trigger_days_overdue: 90,
            collection_months: 3,
            activation: Activation::None,
            fund_share: Share::new(0.7).unwrap(),
            base: LossBase::PrincipalPlusInterest,
            per_loan_cap: None,
            annual_cap: None,
            payment_delay_months: 1,
            recoveries_to_fund: true,
        }
    }

    #[test]
    fn claim_waits_for_the_collection_period() {
        let r = rules();
        // 90 days is three months; three more months of collection.
        assert_eq!(r.trigger_months(), 6);
        let no_collection = ClaimRules { collection_months: 0, ..r.clone() };
        assert_eq!(no_collection.trigger_months(), 3);
        let shorter = ClaimRules { trigger_days_overdue: 60, ..r };
        assert_eq!(shorter.trigger_months(), 5);
    }

    #[test]
    fn partial_month_of_trigger_days_rounds_up() {
        let r = ClaimRules { trigger_days_overdue: 100, collection_months: 0, ..rules() };
        assert_eq!(r.trigger_months(), 4);
    }

    #[test]
    fn loss_base_is_principal_plus_interest_or_principal() {
        let r = rules();
        assert_eq!(r.claim_base(Fen(1000), Fen(50)), Fen(1050));
        let p = ClaimRules { base: LossBase::Principal, ..r };
        assert_eq!(p.claim_base(Fen(1000), Fen(50)), Fen(1000));
    }

    #[test]
    fn fund_pays_its_share_capped_per_loan() {
        let r = rules();
        assert_eq!(r.fund_part(Fen(10_000)), Fen(7_000));
        let capped = ClaimRules { per_loan_cap: Some(Fen(5_000)), ..r };
        assert_eq!(capped.fund_part(Fen(10_000)), Fen(5_000));
    }

    const APPROVE: Admission = Admission::Approve { bank_first_loss: Fen::ZERO };

    #[test]
    fn overdue_ratio_threshold_activates_only_above_it() {
        let a = Activation::CountyOverdueRatioAbove(sh(0.02));
        let low = ActivationInputs { overdue_ratio: sh(0.02), npl_ratio: sh(0.0) };
        let high = ActivationInputs { overdue_ratio: sh(0.021), npl_ratio: sh(0.0) };
        assert_eq!(a.admit(low, Fen(1_000), Fen::ZERO), Admission::Wait);
        assert_eq!(a.admit(high, Fen(1_000), Fen::ZERO), APPROVE);
        assert_eq!(Activation::None.admit(low, Fen(1_000), Fen::ZERO), APPROVE);
    }

    #[test]
    fn npl_ratio_threshold_reads_the_npl_ratio_not_the_overdue_ratio() {
        let npl = Activation::CountyNplRatioAbove(sh(0.01));
        let overdue_only = ActivationInputs { overdue_ratio: sh(0.5), npl_ratio: sh(0.01) };
        let npl_high = ActivationInputs { overdue_ratio: sh(0.0), npl_ratio: sh(0.011) };
        assert_eq!(npl.admit(overdue_only, Fen(1_000), Fen::ZERO), Admission::Wait);
        assert_eq!(npl.admit(npl_high, Fen(1_000), Fen::ZERO), APPROVE);
        let overdue = Activation::CountyOverdueRatioAbove(sh(0.01));
        assert_eq!(overdue.admit(npl_high, Fen(1_000), Fen::ZERO), Admission::Wait);
    }

    #[test]
    fn bank_first_loss_layer_is_borne_by_the_bank_until_used_up_whatever_the_ratios() {
        let a = Activation::BankFirstLoss(Fen(15_000));
        let none = ActivationInputs::default();
        let bank = |b| Admission::Approve { bank_first_loss: Fen(b) };
        assert_eq!(a.admit(none, Fen(10_000), Fen::ZERO), bank(10_000));
        assert_eq!(a.admit(none, Fen(10_000), Fen(10_000)), bank(5_000));
        assert_eq!(a.admit(none, Fen(10_000), Fen(15_000)), bank(0));
        assert_eq!(a.admit(none, Fen(10_000), Fen(20_000)), bank(0), "never negative");
    }
}
