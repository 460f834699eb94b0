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
    /// Whether recoveries after payment return to the fund (and to the
    /// third party, if any) pro rata.
    pub recoveries_to_fund: bool,
    /// Most the fund pays in one calendar year as a share of the fund
    /// (none: no such cap).
    pub annual_share_cap: Option<AnnualShareCap>,
    /// The fund's share graded by the county's NPL ratio, replacing
    /// `fund_share` (none: the flat `fund_share`).
    pub fund_share_by_npl: Option<NplGrades>,
    /// A third risk bearer — guarantor or insurer — with its own share and
    /// limit (none: fund and bank only).
    pub third_party: Option<ThirdParty>,
    /// The claim cycle between the trigger and the loss determination:
    /// notice, legal collection, loss determination (all zero: the loss is
    /// determined, and the claim filed, at the trigger).
    pub cycle: ClaimCycle,
}

/// A stage's length in whole months, drawn uniformly from `min..=max` for
/// each loan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StageMonths {
    /// Shortest, months.
    pub min: u16,
    /// Longest, months (at least `min`).
    pub max: u16,
}

impl StageMonths {
    /// A stage that takes no time.
    pub const ZERO: StageMonths = StageMonths { min: 0, max: 0 };

    /// The stage's length for a loan whose draw is the 64 random `bits`:
    /// each whole month of `min..=max` with probability 1 ÷ (max − min + 1)
    /// (the high part of `bits × width`, exact to 2⁻⁶⁴).
    pub fn draw(self, bits: u64) -> u16 {
        let width = u128::from(self.max.saturating_sub(self.min)) + 1;
        self.min + ((u128::from(bits) * width) >> 64) as u16
    }

    /// Mean length, months.
    pub fn mean(self) -> f64 {
        (f64::from(self.min) + f64::from(self.max.max(self.min))) / 2.0
    }
}

/// The stages a claim passes through after the trigger before its loss is
/// determined (确定损失) and the loan written off (核销): the bank's notice
/// to the fund, legal collection (依法清收) and the determination itself.
/// Payment follows `payment_delay_months` after the determination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClaimCycle {
    /// The bank's notice to the fund.
    pub notice: StageMonths,
    /// Legal collection: recoveries in these months reduce the claim's base.
    pub legal_collection: StageMonths,
    /// Loss determination.
    pub loss_determination: StageMonths,
}

/// One loan's stage lengths, months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageTimes {
    /// Notice.
    pub notice: u16,
    /// Legal collection.
    pub legal_collection: u16,
    /// Loss determination.
    pub loss_determination: u16,
}

impl StageTimes {
    /// Months from the trigger to the loss determination.
    pub fn to_determination(self) -> u16 {
        self.notice + self.legal_collection + self.loss_determination
    }

    /// The months after the trigger (1-based offsets, inclusive) spent in
    /// legal collection.
    pub fn collection_offsets(self) -> std::ops::RangeInclusive<u16> {
        self.notice + 1..=self.notice + self.legal_collection
    }
}

impl ClaimCycle {
    /// No cycle: the loss is determined at the trigger, as a claim filed at
    /// once.
    pub const INSTANT: ClaimCycle = ClaimCycle {
        notice: StageMonths::ZERO,
        legal_collection: StageMonths::ZERO,
        loss_determination: StageMonths::ZERO,
    };

    /// Whether every stage takes no time.
    pub fn is_instant(&self) -> bool {
        *self == ClaimCycle::INSTANT
    }

    /// One loan's stage lengths from three independent draws, one per
    /// stage.
    pub fn times(&self, bits: [u64; 3]) -> StageTimes {
        StageTimes {
            notice: self.notice.draw(bits[0]),
            legal_collection: self.legal_collection.draw(bits[1]),
            loss_determination: self.loss_determination.draw(bits[2]),
        }
    }

    /// Mean months from the trigger to the loss determination.
    pub fn mean_to_determination(&self) -> f64 {
        self.notice.mean() + self.legal_collection.mean() + self.loss_determination.mean()
    }
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

    /// The fund's share of an approved loss, given the county's ratios in
    /// the month of approval: the graded share of the NPL band, or the flat
    /// `fund_share`.
    pub fn fund_share_at(&self, x: ActivationInputs) -> Share {
        match &self.fund_share_by_npl {
            Some(grades) => grades.share_for(x.npl_ratio),
            None => self.fund_share,
        }
    }

    /// The fund's share of a loss base, capped per loan.
    pub fn fund_part(&self, base: Fen) -> Fen {
        self.fund_part_at_share(base, self.fund_share)
    }

    /// The fund's part of a loss base at share `share`, capped per loan.
    pub fn fund_part_at_share(&self, base: Fen, share: Share) -> Fen {
        let part = base.times(share.get());
        match self.per_loan_cap {
            Some(cap) => part.min(cap),
            None => part,
        }
    }
}

/// What an annual cap as a share of the fund is a share of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapBase {
    /// The fund's balance when the year's first claims are settled (the
    /// balance of the fund's year-end statement: top-ups of the year come
    /// after); in the first simulated year, the balance at the start.
    YearStartBalance,
    /// The county's endowment (核定规模).
    Endowment,
}

/// What happens to the part of an approved claim beyond the year's cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapExcess {
    /// It waits for the next year's room, in filing order (as do the claims
    /// filed after it).
    Wait,
    /// It is refused: the bank bears it.
    Refuse,
}

/// An annual cap as a share of the fund: in each calendar year the fund
/// approves at most `share` × its base. Counties ask for it (model review
/// §5); no catalogued document states a number, so the share is an
/// assumption of the scenario that uses it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnnualShareCap {
    /// Share of the base the fund may approve in a year.
    pub share: Share,
    /// What it is a share of.
    pub of: CapBase,
    /// What happens to the rest.
    pub excess: CapExcess,
}

impl AnnualShareCap {
    /// The most the fund approves in a year whose cap base is
    /// `year_start_balance` or `endowment` (never negative).
    pub fn amount(&self, year_start_balance: Fen, endowment: Fen) -> Fen {
        let base = match self.of {
            CapBase::YearStartBalance => year_start_balance,
            CapBase::Endowment => endowment,
        };
        base.max(Fen::ZERO).times(self.share.get())
    }
}

/// The fund's share graded by the county's NPL ratio: bands of (NPL upper
/// bound, fund share), bounds strictly increasing, the last bound 1 (every
/// ratio falls in a band). A ratio falls in the first band whose bound it
/// does not exceed.
#[derive(Clone, Debug, PartialEq)]
pub struct NplGrades(Vec<(Share, Share)>);

impl NplGrades {
    /// The grades, or `None` unless the bounds increase strictly and the
    /// last is 1.
    pub fn new(bands: Vec<(Share, Share)>) -> Option<NplGrades> {
        let increasing = bands.windows(2).all(|w| w[0].0 < w[1].0);
        let covers = bands.last().is_some_and(|(bound, _)| bound.get() == 1.0);
        (increasing && covers).then_some(NplGrades(bands))
    }

    /// The bands: (NPL upper bound, fund share).
    pub fn bands(&self) -> &[(Share, Share)] {
        &self.0
    }

    /// The fund share of the band the NPL ratio falls in.
    pub fn share_for(&self, npl: Share) -> Share {
        self.0.iter().find(|(bound, _)| npl <= *bound).or(self.0.last()).map_or(Share::ZERO, |b| b.1)
    }

    /// The highest share of any band.
    pub fn highest(&self) -> Share {
        self.0.iter().map(|b| b.1).fold(Share::ZERO, |a, b| if b > a { b } else { a })
    }
}

/// The period of a third party's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitPeriod {
    /// The limit renews each calendar year.
    Annual,
    /// One limit over the whole horizon.
    Lifetime,
}

/// A third risk bearer beside the fund and the bank: a guarantor or an
/// insurer (省农担, 小额贷款保证保险, 防贫保; D12 卢氏: fund, bank, provincial
/// guarantor and re-guarantor). It pays its share of each approved loss
/// when the claim is approved — from its own money, not the fund's
/// balance — until its limit is reached; what it cannot pay falls to the
/// bank.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThirdParty {
    /// Its share of an approved loss base (the bank's is what the fund and
    /// it leave).
    pub share: Share,
    /// Most it pays in a county per period (none: unlimited).
    pub limit: Option<Fen>,
    /// The period of the limit.
    pub period: LimitPeriod,
}

impl ThirdParty {
    /// What it pays of a loss `base`, having paid `used` in the limit's
    /// period so far: its share, within what is left of the limit.
    pub fn part(&self, base: Fen, used: Fen) -> Fen {
        let part = base.max(Fen::ZERO).times(self.share.get());
        match self.limit {
            Some(limit) => part.min((limit - used).max(Fen::ZERO)),
            None => part,
        }
    }
}

/// How a top-up is split between the budgets of the three levels, and
/// the county's fiscal capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelSplit {
    /// Shares of the province, the prefecture and the county (summing to 1).
    pub province: Share,
    /// The prefecture's share.
    pub prefecture: Share,
    /// The county's share.
    pub county: Share,
}

/// What a top-up raised, by level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopUpParts {
    /// From the province's budget.
    pub province: Fen,
    /// From the prefecture's budget.
    pub prefecture: Fen,
    /// From the county's budget.
    pub county: Fen,
}

impl TopUpParts {
    /// The whole top-up.
    pub fn total(&self) -> Fen {
        self.province + self.prefecture + self.county
    }
}

impl LevelSplit {
    /// Splits a top-up of `gap` between the levels, the county paying at
    /// most `county_room` (what is left of its fiscal capacity this year;
    /// none: unlimited). Upper-level money matches the county's (配套): when
    /// the county can pay only part of its share, the whole top-up shrinks
    /// in the same proportion. The county's part is rounded down to the
    /// fen, the others follow from it, so the parts never exceed the gap.
    pub fn split(&self, gap: Fen, county_room: Option<Fen>) -> TopUpParts {
        if !gap.is_positive() {
            return TopUpParts::default();
        }
        let county_due = gap.times(self.county.get());
        let total = match county_room {
            Some(room) if county_due > room => {
                gap.times(room.max(Fen::ZERO).0 as f64 / county_due.0 as f64).min(gap)
            }
            _ => gap,
        };
        let mut county = total.times(self.county.get());
        if let Some(room) = county_room {
            county = county.min(room.max(Fen::ZERO));
        }
        let province = total.times(self.province.get()).min(total - county);
        TopUpParts { province, prefecture: total - county - province, county }
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
    /// Whenever the balance at a month's end is below `trigger` × the
    /// endowment (核定规模), topped up to the endowment from the budgets
    /// of the province, the prefecture and the county in the shares of
    /// `split`, the county's part within its fiscal capacity (D15a restores
    /// a fixed endowment; Yunnan 2023: provincial funds support the
    /// counties' funds).
    BelowEndowment {
        /// Balance ÷ endowment below which the top-up applies.
        trigger: Share,
        /// The split between the levels.
        split: LevelSplit,
    },
}

/// What the county's budget can put into its fund's top-ups in one
/// calendar year (its fiscal capacity) when the county data give no
/// figure: every top-up form draws the county's part from it, and it
/// renews each January.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FiscalCapacity {
    /// No limit: the county treasury pays whatever the top-up rule asks.
    Unlimited,
    /// A fixed amount a year.
    Yuan(Fen),
    /// A multiple of the fund's endowment (核定规模) a year.
    ShareOfEndowment(f64),
}

impl FiscalCapacity {
    /// The yearly amount for a fund of `endowment` (none: unlimited).
    pub fn amount(self, endowment: Fen) -> Option<Fen> {
        match self {
            FiscalCapacity::Unlimited => None,
            FiscalCapacity::Yuan(y) => Some(y.max(Fen::ZERO)),
            FiscalCapacity::ShareOfEndowment(k) => Some(endowment.max(Fen::ZERO).times(k.max(0.0))),
        }
    }
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
    /// The county's fiscal capacity for top-ups when its data give none
    /// (`Fund::fiscal_capacity`, county data, overrides it).
    pub fiscal_capacity: FiscalCapacity,
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
            annual_share_cap: None,
            fund_share_by_npl: None,
            third_party: None,
            cycle: ClaimCycle::INSTANT,
        }
    }

    #[test]
    fn a_stage_length_is_uniform_over_its_whole_months() {
        let s = StageMonths { min: 3, max: 6 };
        assert_eq!(s.draw(0), 3);
        assert_eq!(s.draw(u64::MAX), 6);
        // Each of the four months takes a quarter of the draws: the bits'
        // quarters map to 3, 4, 5, 6 in order.
        let q = u64::MAX / 4 + 1;
        assert_eq!([s.draw(q - 1), s.draw(q), s.draw(2 * q), s.draw(3 * q)], [3, 4, 5, 6]);
        assert_eq!(StageMonths::ZERO.draw(u64::MAX), 0);
        assert_eq!(StageMonths { min: 2, max: 2 }.draw(12345), 2);
        assert_eq!(s.mean(), 4.5);
    }

    #[test]
    fn the_loss_is_determined_after_notice_collection_and_determination() {
        let cycle = ClaimCycle {
            notice: StageMonths { min: 0, max: 1 },
            legal_collection: StageMonths { min: 3, max: 6 },
            loss_determination: StageMonths { min: 2, max: 3 },
        };
        let t = cycle.times([u64::MAX, 0, u64::MAX]);
        assert_eq!((t.notice, t.legal_collection, t.loss_determination), (1, 3, 3));
        assert_eq!(t.to_determination(), 7);
        // Collection runs in the second to fourth month after the trigger.
        assert_eq!(t.collection_offsets(), 2..=4);
        assert_eq!(cycle.mean_to_determination(), 0.5 + 4.5 + 2.5);
        assert!(!cycle.is_instant());
        let none = ClaimCycle::INSTANT.times([u64::MAX; 3]);
        assert_eq!(none.to_determination(), 0);
        assert!(none.collection_offsets().is_empty());
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

    fn grades() -> NplGrades {
        NplGrades::new(vec![(sh(0.01), sh(0.8)), (sh(0.03), sh(0.7)), (sh(1.0), sh(0.5))]).unwrap()
    }

    #[test]
    fn graded_share_reads_the_band_of_the_county_npl_ratio() {
        let g = grades();
        assert_eq!(g.share_for(sh(0.0)), sh(0.8));
        assert_eq!(g.share_for(sh(0.01)), sh(0.8), "a bound belongs to its band");
        assert_eq!(g.share_for(sh(0.0101)), sh(0.7));
        assert_eq!(g.share_for(sh(0.03)), sh(0.7));
        assert_eq!(g.share_for(sh(0.2)), sh(0.5));
        let r = ClaimRules { fund_share_by_npl: Some(g), ..rules() };
        let npl = |x| ActivationInputs { overdue_ratio: sh(0.5), npl_ratio: sh(x) };
        assert_eq!(r.fund_share_at(npl(0.005)), sh(0.8));
        assert_eq!(r.fund_share_at(npl(0.05)), sh(0.5));
        assert_eq!(rules().fund_share_at(npl(0.05)), sh(0.7), "without grades, the flat share");
    }

    #[test]
    fn graded_share_bands_must_increase_and_cover_every_ratio() {
        assert!(NplGrades::new(vec![(sh(0.03), sh(0.7)), (sh(0.01), sh(0.8)), (sh(1.0), sh(0.5))]).is_none());
        assert!(NplGrades::new(vec![(sh(0.01), sh(0.8)), (sh(0.01), sh(0.7)), (sh(1.0), sh(0.5))]).is_none());
        assert!(NplGrades::new(vec![(sh(0.01), sh(0.8)), (sh(0.03), sh(0.7))]).is_none(), "last bound 1");
        assert!(NplGrades::new(Vec::new()).is_none());
        assert_eq!(grades().highest(), sh(0.8));
    }

    #[test]
    fn annual_cap_is_a_share_of_the_year_start_balance_or_of_the_endowment() {
        let cap = AnnualShareCap { share: sh(0.3), of: CapBase::YearStartBalance, excess: CapExcess::Wait };
        assert_eq!(cap.amount(Fen(1_000), Fen(5_000)), Fen(300));
        assert_eq!(cap.amount(Fen(-10), Fen(5_000)), Fen::ZERO, "never negative");
        let on_endowment = AnnualShareCap { of: CapBase::Endowment, ..cap };
        assert_eq!(on_endowment.amount(Fen(1_000), Fen(5_000)), Fen(1_500));
    }

    #[test]
    fn third_party_pays_its_share_within_what_is_left_of_its_limit() {
        let tp = ThirdParty { share: sh(0.2), limit: Some(Fen(3_000)), period: LimitPeriod::Annual };
        assert_eq!(tp.part(Fen(10_000), Fen::ZERO), Fen(2_000));
        assert_eq!(tp.part(Fen(10_000), Fen(2_000)), Fen(1_000), "only the limit's rest");
        assert_eq!(tp.part(Fen(10_000), Fen(3_500)), Fen::ZERO, "never negative");
        let unlimited = ThirdParty { limit: None, ..tp };
        assert_eq!(unlimited.part(Fen(10_000), Fen(1_000_000)), Fen(2_000));
    }

    fn split() -> LevelSplit {
        LevelSplit { province: sh(0.5), prefecture: sh(0.2), county: sh(0.3) }
    }

    #[test]
    fn endowment_top_up_is_split_between_province_prefecture_and_county() {
        let parts = split().split(Fen(10_000), None);
        assert_eq!(parts, TopUpParts { province: Fen(5_000), prefecture: Fen(2_000), county: Fen(3_000) });
        assert_eq!(split().split(Fen::ZERO, None), TopUpParts::default());
        assert_eq!(split().split(Fen(-5), Some(Fen(1))), TopUpParts::default());
    }

    #[test]
    fn endowment_top_up_shrinks_with_the_county_part_beyond_its_fiscal_capacity() {
        // The county can put in 1,500 of its 3,000: upper levels match it,
        // so the whole top-up is halved.
        let parts = split().split(Fen(10_000), Some(Fen(1_500)));
        assert_eq!(parts, TopUpParts { province: Fen(2_500), prefecture: Fen(1_000), county: Fen(1_500) });
        assert_eq!(parts.total(), Fen(5_000));
        assert_eq!(split().split(Fen(10_000), Some(Fen::ZERO)).total(), Fen::ZERO);
        assert_eq!(split().split(Fen(10_000), Some(Fen(3_000))).total(), Fen(10_000), "room enough");
        // Without a county share, the capacity does not bind.
        let upper = LevelSplit { province: sh(0.6), prefecture: sh(0.4), county: sh(0.0) };
        assert_eq!(upper.split(Fen(10_000), Some(Fen::ZERO)).total(), Fen(10_000));
    }

    #[test]
    fn endowment_top_up_parts_never_exceed_the_gap_whatever_the_rounding() {
        let thirds = LevelSplit { province: sh(1.0 / 3.0), prefecture: sh(1.0 / 3.0), county: sh(1.0 / 3.0) };
        for gap in [1, 2, 5, 7, 10, 101, 99_999] {
            for room in [None, Some(Fen(0)), Some(Fen(1)), Some(Fen(333))] {
                let p = thirds.split(Fen(gap), room);
                assert!(p.total() <= Fen(gap), "{gap} {room:?}: {p:?}");
                assert!(p.province >= Fen::ZERO && p.prefecture >= Fen::ZERO && p.county >= Fen::ZERO);
                if let Some(r) = room {
                    assert!(p.county <= r, "{gap} {room:?}: {p:?}");
                }
            }
        }
    }
}
