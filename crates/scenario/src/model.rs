//! The validated scenario: every parameter the engine reads, typed.

use mcstress_compensation::{ClaimRules, FundRules, LendingRules};
use mcstress_domain::{CountyCode, Fen, Industry, Rate, Share, YearMonth};
use mcstress_households::{CountyProfile, FastTrackReach, MonitoringRules, PortfolioMix};
use mcstress_loans::{LoanRules, Repayment};

/// A validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Scenario name: a slug for files and the command line.
    pub name: String,
    /// Display name in Chinese, for titles and sentences of briefings.
    pub title_zh: Option<String>,
    /// Display name in English.
    pub title_en: Option<String>,
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
    /// Policy rules: the rules of every county without an override of its
    /// own (`[counties."…"]`) until the first `[[timeline]]` entry. Also
    /// rule set 0 of [`Scenario::rule_set`].
    pub rules: Rules,
    /// The data files named under `[data]`.
    pub data: crate::data::DataSources,
    /// The starting book read from a ledger (`[data] ledger`); `None`: the
    /// synthetic book of the portfolio's mixes.
    pub book: Option<std::sync::Arc<crate::data::StartingBook>>,
    /// The other rule sets (per-county overrides, timeline entries) and
    /// which set each county follows from which month.
    pub rule_sets: RuleSets,
    /// Market rates: the LPR path and new loans' spread over it.
    pub rates: Rates,
}

/// Market rates over time.
#[derive(Clone, Debug, PartialEq)]
pub struct Rates {
    /// Changes of the one-year LPR: (first calendar month, rate), in
    /// increasing month order. Before the first change the LPR is
    /// `rules.loans.lpr_annual` (of [`Scenario::rules`]).
    pub lpr_changes: Vec<(YearMonth, Rate)>,
    /// Added to the LPR in force to give a new loan's contract rate.
    pub new_loan_spread: Rate,
}

/// The rule sets of a scenario beyond [`Scenario::rules`], and each
/// county's schedule of them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RuleSets {
    /// Distinct rule sets other than `Scenario::rules`: rule set `i + 1`.
    pub extra: Vec<Rules>,
    /// Per county, `(first simulation month, rule-set index)` in increasing
    /// month order, the first from month 0. Empty for a county that follows
    /// rule set 0 throughout.
    pub schedule: Vec<Vec<(u16, u16)>>,
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
    /// The fund's endowment (核定规模): the base of the endowment-triggered
    /// top-up, of an annual cap on the endowment and of the suspension on
    /// the share of the endowment used. Defaults to the fund at the start.
    pub endowment: Fen,
    /// Most the county's budget puts into the fund's top-ups in a calendar
    /// year, yuan a year (none: unlimited).
    pub fiscal_capacity: Option<Fen>,
    /// Households and loans.
    pub profile: CountyProfile,
    /// The county's overdue rate in its history (a share of principal),
    /// from the county data file: sets its persistent county effect
    /// relative to the other counties that give one (none: the prior of
    /// its class, [`Behaviour::county_effect`]).
    pub overdue_rate_history: Option<f64>,
}

/// Borrower behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    /// Baseline probability that a payment event finds the borrower in
    /// distress, by category.
    pub distress: [f64; 4],
    /// Multiplier of the distress probability by grade.
    pub grade_multiplier: [f64; 3],
    /// Multiplier of the base probability at a due that carries only
    /// interest (the interest process: a small, subsidised instalment).
    pub interest_multiplier: f64,
    /// Multiplier of the base probability at a due that carries principal
    /// (the maturity process: a bullet's principal is a large sum).
    pub maturity_multiplier: f64,
    /// Factor loading ρ of the cure process (an overdue loan's monthly
    /// test).
    pub asset_correlation: f64,
    /// Factor loading ρ_I of the interest process.
    pub interest_correlation: f64,
    /// Factor loading ρ_M of the maturity (principal) process.
    pub maturity_correlation: f64,
    /// Income-shock elasticity β_I of the interest process: a price or
    /// disaster multiplier M weighs on an interest due as M^β_I.
    pub interest_shock_elasticity: f64,
    /// Income-shock elasticity β_M of the maturity process (M^β_M).
    pub maturity_shock_elasticity: f64,
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
    /// Monthly probability that an eligible household that has never
    /// borrowed asks for a first loan.
    pub uptake_monthly: f64,
    /// Share of borrowers with low willingness to repay.
    pub low_willingness_share: Share,
    /// Cure probability multiplier for low-willingness borrowers.
    pub low_willingness_cure_factor: f64,
    /// Contagion: distress multiplier exp(contagion × last month's county
    /// overdue rate).
    pub contagion: f64,
    /// Strategic default: distress multiplier 1 + this for low-willingness
    /// borrowers while the county fund is seen paying (it paid a claim
    /// within the last `strategic_window_months`).
    pub strategic_default: f64,
    /// Months, counted back from the current one, within which a claim the
    /// fund paid makes it "seen paying" for the strategic default (1–120).
    pub strategic_window_months: u16,
    /// Share of loans used by an enterprise (户贷企用).
    pub misuse_share: Share,
    /// Enterprises per county that misused loans depend on.
    pub enterprises_per_county: u16,
    /// Monthly probability that such an enterprise fails.
    pub enterprise_failure_monthly: f64,
    /// Probability that a misused loan's payment is missed once its
    /// enterprise has failed.
    pub misuse_failed_distress: f64,
    /// Distress multiplier of subsidised borrowers whose subsidy is late.
    pub late_subsidy_multiplier: f64,
    /// Persistent shift of a county's distress threshold on the probit
    /// scale, by class, for a county without an overdue history: [key
    /// county (国家乡村振兴重点帮扶县), other former poverty county, other].
    pub county_effect: [f64; 3],
    /// Standard deviation of the log of a township's distress multiplier,
    /// drawn once per path, lognormal with mean 1 (0: none).
    pub township_effect_sd: f64,
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

/// The name of the `k`-th township (from 0) of a county in the synthetic
/// population, which has none: the county's code and the township's number
/// in it (`530621-03`).
pub fn synthetic_township_name(county: CountyCode, k: usize) -> String {
    format!("{:06}-{:02}", county.0, k + 1)
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
    pub county_share: Share,
    /// Distress multiplier on fully exposed industries at impact.
    pub distress_multiplier: f64,
    /// Share of the impact left after each month.
    pub persistence: f64,
    /// Exposure of each industry (0–1), by [`Industry`] index.
    pub exposure: [f64; Industry::COUNT],
    /// Months of repayment moratorium (延期还款) a declared arrival brings
    /// to the townships it hits (0: none).
    pub moratorium_months: u16,
    /// The footprint of an arrival in a county it hits: one township (the
    /// epicentre, drawn at random) is always struck, each other township
    /// of the county with this probability (1: the whole county).
    pub township_share: Share,
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
    /// Months of repayment moratorium a disaster event brings to the
    /// townships it hits (a scripted disaster is always declared; 0: none).
    pub moratorium_months: u16,
    /// The footprint in each county hit when no townships are named: the
    /// share of its townships struck (an epicentre drawn at random, each
    /// other township with this probability; 1: the whole county).
    pub township_share: Share,
    /// Townships named as the footprint (none: `township_share` decides).
    pub townships: Vec<TownshipRef>,
    /// A declared disaster (every scripted one; not a stress shock): relief
    /// grants follow it.
    pub declared: bool,
}

/// A township named in a scenario file, as resolved against the county's
/// townships (the ledger's or county file's names, or the synthetic
/// population's `CODE-NN`).
#[derive(Clone, Debug, PartialEq)]
pub struct TownshipRef {
    /// The name as written.
    pub name: String,
    /// Index of its county, once resolved.
    pub county: usize,
    /// Its index among the county's townships, once resolved.
    pub index: usize,
    /// Where it was written (for the error if it names no township).
    pub at: crate::FieldError,
}

/// Agricultural and livestock insurance (政策性农业保险) and the like: an
/// insured household's indemnity replaces part of the income a disaster
/// destroys, so the disaster weighs less on its repayments.
#[derive(Clone, Debug, PartialEq)]
pub struct Insurance {
    /// Share of households insured, by [`Industry`] index (a borrower's
    /// trait, read off its loan id).
    pub take_up: [f64; Industry::COUNT],
    /// Share of a disaster's income loss the indemnity replaces, for an
    /// insured household (its disaster log-multiplier is scaled by one
    /// minus it).
    pub indemnity_share: f64,
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
    /// A stochastic arrival is declared (and brings its kind's moratorium)
    /// when the county's distress multiplier of the kind on a fully
    /// exposed industry, `distress_multiplier^intensity`, reaches this.
    pub declared_multiplier: f64,
    /// Insurance against disasters.
    pub insurance: Insurance,
    /// Relief grants (救灾资金, 临时救助) after a declared disaster: the
    /// share of the arrival's intensity in the townships it strikes that
    /// they replace.
    pub relief_grant_share: f64,
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
    /// The "5+5+N" ladder.
    pub ladder: Ladder,
    /// Demand, surveys, approval and the post-disaster fast track.
    pub demand: Demand,
    /// Bank exits and takeovers.
    pub service: Service,
    /// Collection and reminders.
    pub collection: Collection,
    /// Subsidy payment: delay and county budget.
    pub subsidy: SubsidyPayment,
}

/// When a household takes its follow-up loan (追贷).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpWhen {
    /// Beside its first loan, while the first is outstanding (the notice:
    /// 10万 at once, 5万 first + 5万 follow-up).
    Beside,
    /// In place of its first loan, once the first is repaid cleanly (the
    /// model before issue 11).
    After,
}

/// The "5+5+N" ladder: a follow-up loan beside a current first loan (or,
/// under [`FollowUpWhen::After`], after a clean first loan); after a clean
/// follow-up loan commercial credit.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    /// When the follow-up loan is taken.
    pub follow_up_when: FollowUpWhen,
    /// Under [`FollowUpWhen::Beside`]: monthly probability that an eligible
    /// first-loan holder takes a follow-up loan.
    pub follow_up_uptake_monthly: f64,
    /// Under [`FollowUpWhen::Beside`]: months a first loan must have been
    /// held (since disbursement or renewal) before a follow-up beside it.
    pub follow_up_min_months_held: u16,
    /// Under [`FollowUpWhen::Beside`]: the most programme debt (first and
    /// follow-up principal) a household may owe once the follow-up is lent.
    pub max_programme_debt: Fen,
    /// Under [`FollowUpWhen::After`]: share of clean first-loan repayers
    /// who take a follow-up loan.
    pub follow_up_uptake: f64,
    /// Amount of a follow-up loan.
    pub follow_up_amount: Fen,
    /// Term of a follow-up loan, months.
    pub follow_up_term_months: u16,
    /// Share of clean follow-up repayers who move on to commercial credit.
    pub commercial_uptake: f64,
    /// Amount of a commercial loan.
    pub commercial_amount: Fen,
    /// Rate of a commercial loan.
    pub commercial_rate: Rate,
    /// Term of a commercial loan, months.
    pub commercial_term_months: u16,
}

/// Demand for first loans and how banks meet it.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// Monthly probability that a former borrower without a loan asks
    /// for a new first loan.
    pub repeat_uptake_monthly: f64,
    /// Months between demand checks of a township (摸排; the notice asks
    /// for at least one every six months).
    pub survey_interval_months: u16,
    /// Uptake of never-borrowed households in a surveyed township is
    /// multiplied by 1 + this.
    pub survey_uplift: f64,
    /// Months a survey's effect lasts.
    pub survey_effect_months: u16,
    /// Share of requests the bank refuses.
    pub bank_refusal: f64,
    /// Months from request to disbursement.
    pub approval_lag_months: u16,
    /// Post-disaster fast track (容缺办理) for monitored households.
    pub fast_track: bool,
    /// Months after a disaster hit during which the fast track applies.
    pub fast_track_months: u16,
    /// Uptake of monitored households under the fast track is multiplied
    /// by 1 + this.
    pub fast_track_uplift: f64,
    /// Whom the fast track reaches: 脱贫户 and 监测对象 (the notice), or
    /// 监测对象 only.
    pub fast_track_reach: FastTrackReach,
    /// Households entering monitoring after a disaster and leaving it
    /// when the risk is removed.
    pub monitoring: MonitoringRules,
    /// Amounts of new first loans and their shares (default: the starting
    /// book's, `portfolio.amounts`).
    pub first_loan_amounts: Vec<(Fen, f64)>,
}

/// A scripted bank exit.
#[derive(Clone, Debug, PartialEq)]
pub struct BankExit {
    /// Simulation month of the exit.
    pub month: u16,
    /// Counties whose townships it affects (indices).
    pub counties: Vec<usize>,
    /// Share of each county's served townships that lose their bank.
    pub share: Share,
}

/// Bank exits and takeovers (服务网点布局).
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Monthly probability that a served township's bank exits.
    pub exit_monthly: f64,
    /// Months until another bank takes over.
    pub takeover_months: u16,
    /// Scripted exits.
    pub exits: Vec<BankExit>,
}

/// Collection (清收) and reminders.
#[derive(Clone, Debug, PartialEq)]
pub struct Collection {
    /// Village cadres and work teams join collection of loans more than
    /// 90 days overdue, multiplying cure and recovery by 1 + this.
    pub cadre_boost: f64,
    /// Whether banks remind borrowers before due dates.
    pub reminders: bool,
    /// Distress multiplier on due dates when reminders are sent.
    pub reminder_factor: f64,
}

/// How the interest subsidy is paid.
#[derive(Clone, Debug, PartialEq)]
pub struct SubsidyPayment {
    /// A scheduled delay of the subsidy, months; any delay makes the
    /// subsidy late for borrowers (their distress rises) — the engine does
    /// not move the payments themselves.
    pub delay_months: u16,
    /// Each county's yearly subsidy budget as a share of the subsidy due
    /// on its starting book in a year; what exceeds it is paid the next
    /// January.
    pub county_budget_share: f64,
}

impl Scenario {
    /// How many distinct rule sets the scenario has (at least 1).
    pub fn rule_set_count(&self) -> usize {
        1 + self.rule_sets.extra.len()
    }

    /// Rule set `i`: 0 is [`Scenario::rules`].
    pub fn rule_set(&self, i: usize) -> &Rules {
        if i == 0 { &self.rules } else { &self.rule_sets.extra[i - 1] }
    }

    /// Index of the rule set county `county` follows in simulation month
    /// `month`.
    pub fn rule_set_of(&self, county: usize, month: u16) -> usize {
        let Some(schedule) = self.rule_sets.schedule.get(county) else { return 0 };
        schedule.iter().take_while(|(from, _)| *from <= month).last().map_or(0, |(_, set)| *set as usize)
    }

    /// The rules county `county` follows in simulation month `month`.
    pub fn rules_for(&self, county: usize, month: u16) -> &Rules {
        self.rule_set(self.rule_set_of(county, month))
    }

    /// The one-year LPR in force in calendar month `month`.
    pub fn lpr_at(&self, month: YearMonth) -> Rate {
        self.rates
            .lpr_changes
            .iter()
            .take_while(|(from, _)| *from <= month)
            .last()
            .map_or(self.rules.loans.lpr, |(_, rate)| *rate)
    }

    /// The contract rate of a loan disbursed in calendar month `month`: the
    /// LPR in force then plus the spread.
    pub fn new_loan_rate(&self, month: YearMonth) -> Rate {
        Rate::from_basis_points(self.lpr_at(month).basis_points() + self.rates.new_loan_spread.basis_points())
    }

    /// Total fund balance at the start.
    pub fn total_fund(&self) -> Fen {
        self.counties.iter().map(|c| c.fund).sum()
    }
}

/// Why a named shock cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown shock {name:?}: expected a disaster kind ({kinds}) or an industry ({industries})")]
pub struct UnknownShock {
    /// The name given.
    pub name: String,
    /// The disaster kinds.
    pub kinds: String,
    /// The industries.
    pub industries: String,
}

impl Scenario {
    /// Each county's township names, in the engine's order: the starting
    /// book's where it names them, else `CODE-NN`, the county's code and
    /// the township's number in it (the synthetic population's townships,
    /// `profile.townships` of them, at least one).
    pub fn township_names(&self) -> Vec<Vec<String>> {
        let synthetic = |c: usize, k: usize| synthetic_township_name(self.counties[c].code, k);
        match &self.book {
            Some(book) => (book.townships.iter().enumerate())
                .map(|(c, towns)| {
                    (towns.iter().enumerate())
                        .map(|(k, t)| if t.name.is_empty() { synthetic(c, k) } else { t.name.clone() })
                        .collect()
                })
                .collect(),
            None => (0..self.counties.len())
                .map(|c| {
                    (0..self.counties[c].profile.townships.max(1) as usize).map(|k| synthetic(c, k)).collect()
                })
                .collect(),
        }
    }

    /// The scenario restricted to the counties `keep` (indices, increasing,
    /// each once): their data, rules, townships and starting loans, every
    /// list of counties (scripted events, bank exits) renumbered, events
    /// that struck only other counties dropped. Returns it with the
    /// original index of each event kept, in order (what the engine keys an
    /// event's draws by, so that a county's future is the one it has in
    /// the whole scenario). The prefectures stay as they are.
    pub fn restrict(&self, keep: &[usize]) -> (Scenario, Vec<usize>) {
        debug_assert!(keep.windows(2).all(|w| w[0] < w[1]), "counties increasing, each once");
        let mut new_index = vec![None; self.counties.len()];
        for (k, &c) in keep.iter().enumerate() {
            new_index[c] = Some(k);
        }
        let renumber = |list: &[usize]| list.iter().filter_map(|&c| new_index[c]).collect::<Vec<usize>>();
        let mut s = self.clone();
        s.counties = keep.iter().map(|&c| self.counties[c].clone()).collect();
        if !self.rule_sets.schedule.is_empty() {
            s.rule_sets.schedule =
                keep.iter().map(|&c| self.rule_sets.schedule.get(c).cloned().unwrap_or_default()).collect();
        }
        let mut events_kept = Vec::new();
        s.shocks.events.clear();
        for (e, ev) in self.shocks.events.iter().enumerate() {
            let mut ev = ev.clone();
            // An event that names counties, none of them kept, strikes
            // none of the restricted scenario's (an empty list would
            // strike them all).
            if !ev.counties.is_empty() {
                ev.counties = renumber(&ev.counties);
                if ev.counties.is_empty() {
                    continue;
                }
            }
            // Likewise an event that names townships, none of them in a
            // kept county (no township named: a footprint drawn at random).
            if !ev.townships.is_empty() {
                ev.townships = (ev.townships.into_iter())
                    .filter_map(|r| new_index[r.county].map(|county| TownshipRef { county, ..r }))
                    .collect();
                if ev.townships.is_empty() {
                    continue;
                }
            }
            s.shocks.events.push(ev);
            events_kept.push(e);
        }
        for rules in std::iter::once(&mut s.rules).chain(s.rule_sets.extra.iter_mut()) {
            for exit in &mut rules.service.exits {
                exit.counties = renumber(&exit.counties);
            }
            rules.service.exits.retain(|x| !x.counties.is_empty());
        }
        if let Some(book) = &self.book {
            let mut b = (**book).clone();
            b.townships = keep.iter().map(|&c| book.townships[c].clone()).collect();
            b.loans = (book.loans.iter())
                .filter_map(|l| {
                    new_index[l.county].map(|county| crate::data::LoanSeed { county, ..l.clone() })
                })
                .collect();
            s.book = Some(std::sync::Arc::new(b));
        }
        (s, events_kept)
    }

    /// The scenario with a stress shock of family `name` and `severity`
    /// added in its first month: a disaster kind hits every county with
    /// that severity (1 = a typical hit), an industry's price falls by
    /// `20 % × severity` (at most 95 %). A stress shock strikes every
    /// township of every county, and is not a declared disaster: no
    /// repayment moratorium and no relief grants — it tests the funds
    /// without relief. The scenario's hash then covers the shock: a
    /// stressed run's provenance is not the plain run's.
    pub fn with_shock(&self, name: &str, severity: f64) -> Result<Scenario, UnknownShock> {
        let kind = if let Some(k) = DisasterKind::ALL.into_iter().find(|k| k.key() == name) {
            EventKind::Disaster(k)
        } else if let Some(i) = Industry::from_key(name) {
            EventKind::Price(i)
        } else {
            return Err(UnknownShock {
                name: name.to_string(),
                kinds: DisasterKind::ALL.map(|k| k.key()).join(", "),
                industries: Industry::ALL.map(|i| i.key()).join(", "),
            });
        };
        let mut s = self.clone();
        let (severity, price_change) = match kind {
            EventKind::Disaster(_) => (severity, 0.0),
            EventKind::Price(_) => (1.0, (-0.2 * severity).max(-0.95)),
        };
        s.shocks.events.push(Event {
            kind,
            month: 0,
            counties: Vec::new(),
            severity,
            price_change,
            moratorium_months: 0,
            township_share: Share::new(1.0).unwrap_or(Share::ZERO),
            townships: Vec::new(),
            declared: false,
        });
        s.sha256 = {
            use sha2::{Digest, Sha256};
            let mut h = Sha256::new();
            h.update(self.sha256.as_bytes());
            h.update(format!("\nshock:{name}:{severity}").as_bytes());
            h.finalize().iter().map(|b| format!("{b:02x}")).collect()
        };
        Ok(s)
    }
}
