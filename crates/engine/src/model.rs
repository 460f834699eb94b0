//! The prepared model: everything derived from a scenario once, before any
//! path runs, and shared read-only by every path.

use std::ops::Range;

use mcstress_domain::{Category, Fen, Grade, Industry, Product, Rate};
use mcstress_households::Population;
use mcstress_loans::{DistressModifiers, Repayment, Schedule};
use mcstress_scenario::data::StartingBook;
use mcstress_scenario::{Rules, Scenario};

use crate::book::{Balances, EVER_OVERDUE, LoanBook, NewLoan};

/// Number of risk cells: 4 categories × 3 grades × 9 industries.
pub(crate) const RISK_CELLS: usize = Category::COUNT * Grade::COUNT * Industry::COUNT;

/// A county as the engine sees it.
#[derive(Clone, Debug)]
pub(crate) struct CountyModel {
    pub prefecture: usize,
    pub fund: Fen,
    pub townships: Range<usize>,
    /// A national key-assistance county (its suspension tolerance is
    /// wider).
    pub key_county: bool,
    pub outstanding_start: Fen,
    pub loans_start: u32,
    /// Eligible households.
    pub eligible: u32,
    /// The subsidy due in a year on the starting book under the county's
    /// rules of month 0: the base of the county's subsidy budget (fixed at
    /// the start).
    pub annual_subsidy: Fen,
    /// Which products the fund covers, under the county's rules of month 0
    /// (fixed at the start: the covered balance is kept by deltas).
    pub covered_by_product: [bool; 3],
    /// The persistent county effect: a shift of the county's distress
    /// thresholds on the probit scale, fixed over the horizon (see
    /// [`county_effects`]).
    pub effect: f64,
}

/// One rule set with what the engine derives from it, once.
#[derive(Clone, Debug)]
pub(crate) struct RuleSet {
    /// Its index among the scenario's rule sets.
    pub index: usize,
    pub rules: Rules,
    /// Months overdue at which a covered loan is claimed.
    pub trigger_months: u16,
    pub covered_by_product: [bool; 3],
    pub subsidised: [bool; 3],
    /// Monthly recovery probability of a written-off loan (cadres join
    /// the collection of written-off loans too).
    pub rec_prob: f64,
    pub mods: DistressModifiers,
    /// Approval lag of a first loan, months.
    pub lag: usize,
    /// Cumulative shares of the amounts of new first loans.
    pub amount_cum: Vec<f64>,
}

impl RuleSet {
    fn derive(s: &Scenario, index: usize) -> RuleSet {
        let (b, rules) = (&s.behaviour, s.rule_set(index));
        RuleSet {
            index,
            rules: rules.clone(),
            trigger_months: rules.claims.trigger_months(),
            covered_by_product: Product::ALL.map(|p| rules.loans.product(p).fund_covered),
            subsidised: Product::ALL.map(|p| rules.loans.product(p).subsidised),
            rec_prob: (b.recovery_probability * b.collection_effort * (1.0 + rules.collection.cadre_boost))
                .min(1.0),
            mods: DistressModifiers {
                contagion: b.contagion,
                strategic_default: b.strategic_default,
                strategic_window_months: b.strategic_window_months,
                reminder_factor: if rules.collection.reminders {
                    rules.collection.reminder_factor
                } else {
                    1.0
                },
                late_subsidy: b.late_subsidy_multiplier,
            },
            lag: rules.demand.approval_lag_months as usize,
            amount_cum: cumulative(&rules.demand.first_loan_amounts.iter().map(|a| a.1).collect::<Vec<_>>()),
        }
    }
}

/// A township as the engine sees it.
#[derive(Clone, Debug)]
pub(crate) struct TownshipModel {
    /// Eligible households that have never borrowed at the start:
    /// [lifted out of poverty, monitored].
    pub never_start: [u32; 2],
    pub served: bool,
    /// Principal outstanding at the start.
    pub balance_start: i64,
    /// Principal of its overdue loans at the start.
    pub overdue_start: i64,
    /// Its name: the ledger's, or `CODE-NN` in the synthetic population.
    pub name: String,
}

/// The prepared model.
#[derive(Clone, Debug)]
pub struct Model {
    /// The scenario it was prepared from.
    pub scenario: Scenario,
    pub(crate) counties: Vec<CountyModel>,
    pub(crate) townships: Vec<TownshipModel>,
    pub(crate) books: Vec<LoanBook>,
    /// Baseline distress probability per risk cell (category × grade).
    pub(crate) base_p: [f64; Category::COUNT * Grade::COUNT],
    /// The scenario's rule sets, with what is derived from each.
    pub(crate) rule_sets: Vec<RuleSet>,
    /// The rule set of county `c` in month `t`, at `c × horizon + t`.
    pub(crate) county_rule_set: Vec<u16>,
    /// Monthly arrival probability per disaster kind per calendar month.
    pub(crate) disaster_monthly: Vec<[f64; 12]>,
    /// Scripted events by simulation month.
    pub(crate) events_by_month: Vec<Vec<usize>>,
    /// Counties by prefecture.
    pub(crate) prefecture_counties: Vec<Vec<usize>>,
    /// Each county's balances at the start.
    pub(crate) balances_start: Vec<Balances>,
    /// Cumulative shares for drawing new loans' attributes (amounts: per
    /// rule set).
    pub(crate) category_cum: Vec<f64>,
    /// Cumulative category shares among monitored households only.
    pub(crate) monitored_cum: Vec<f64>,
    pub(crate) grade_cum: Vec<f64>,
    pub(crate) industry_cum: Vec<Vec<f64>>,
    /// Importance sampling: the shift of the factors' draws (none by
    /// default). See [`FactorTilt`].
    pub tilt: FactorTilt,
    /// What each county's, township's and scripted event's draws are keyed
    /// by: its index in the whole scenario, which a model restricted to
    /// some counties ([`Model::restrict`]) keeps, so that their futures are
    /// those they have in the whole scenario's paths.
    pub(crate) county_key: Vec<u64>,
    pub(crate) township_key: Vec<u64>,
    pub(crate) event_key: Vec<u64>,
    /// The whole scenario's counties, when restricted to some of them.
    pub(crate) restricted_from: Option<usize>,
}

/// Importance sampling on the factors: each month's standard normal
/// innovation `z` of the province factor (and of one county's own factor)
/// is drawn as `z + μ` instead of `z`, pushing every path toward the stress
/// (μ < 0: more distress, the factor entering every distress threshold
/// with a positive loading), and the path records the log of its
/// likelihood ratio, `Σ (−μ z − μ²/2)` over the shifted draws
/// ([`crate::PathTotals::log_weight`]), so that weighted averages over the
/// tilted paths are unbiased estimates of the untilted model's. With no
/// shift nothing is drawn differently and every weight is 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FactorTilt {
    /// μ of the province factor's innovations, in standard deviations.
    pub province: f64,
    /// A county (its index in the scenario) and μ of its own factor's
    /// innovations.
    pub county: Option<(usize, f64)>,
    /// A shift ν of the standard normal `Z` behind the persistent effect
    /// `exp(σZ − σ²/2)` of each township of that county (ν > 0: toward
    /// distress), drawn once a path: a few draws, so a strong shift costs
    /// little weight.
    pub townships: f64,
}

/// The log likelihood ratio of using `z + mu` where the model draws a
/// standard normal `z`: the model's density of the value used over the
/// density it was drawn from, `log φ(z + μ) − log φ(z) = −μ z − μ²/2`.
#[inline]
pub(crate) fn tilt_log_weight(z: f64, mu: f64) -> f64 {
    -mu * z - 0.5 * mu * mu
}

/// The most a county effect shifts the distress threshold either way (an
/// overdue history of 0 would otherwise be an infinite shift).
pub(crate) const MAX_COUNTY_EFFECT: f64 = 2.0;

/// Each county's persistent effect, a shift of its distress thresholds on
/// the probit scale. A county with an overdue history `h` (a share) gets
/// the shift that multiplies its long-run distress probability at the
/// portfolio's category and grade mix, `p̄ = Σ mix_cat × mix_grade ×
/// base_p`, by `h / h̄`, where `h̄` is the loan-weighted mean history of
/// the counties that give one (the province's, as far as the data go):
/// `Φ⁻¹(min(p̄ h / h̄, 0.999)) − Φ⁻¹(p̄)`, within ±[`MAX_COUNTY_EFFECT`].
/// A county without one gets the prior of its class
/// (`behaviour.county_effect`: key county, other former poverty county,
/// other).
pub(crate) fn county_effects(s: &Scenario, base_p: &[f64], loans: &[usize]) -> Vec<f64> {
    let mix = &s.portfolio.mix;
    let (cat_total, grade_total): (f64, f64) = (mix.category.iter().sum(), mix.grade.iter().sum());
    let mut p_bar = 0.0;
    for (c, wc) in mix.category.iter().enumerate() {
        for (g, wg) in mix.grade.iter().enumerate() {
            p_bar += wc / cat_total * wg / grade_total * base_p[c * Grade::COUNT + g];
        }
    }
    let with_history =
        s.counties.iter().zip(loans).filter_map(|(c, n)| c.overdue_rate_history.map(|h| (h, *n)));
    let (sum, weight) = with_history.fold((0.0, 0.0), |(s, w), (h, n)| {
        // A county without loans at the start still counts, once.
        let n = n.max(1) as f64;
        (s + h * n, w + n)
    });
    let h_bar = if weight > 0.0 { sum / weight } else { 0.0 };
    let ce = &s.behaviour.county_effect;
    s.counties
        .iter()
        .map(|c| match c.overdue_rate_history {
            Some(h) if h_bar > 0.0 && p_bar > 0.0 => {
                let target = (p_bar * h / h_bar).clamp(1e-12, 0.999);
                (crate::normal::inv_phi(target) - crate::normal::inv_phi(p_bar))
                    .clamp(-MAX_COUNTY_EFFECT, MAX_COUNTY_EFFECT)
            }
            // Every county with a history has none overdue: no contrast.
            Some(_) => 0.0,
            None if c.key_county => ce[0],
            None if c.former_poverty => ce[1],
            None => ce[2],
        })
        .collect()
}

/// Normalised cumulative shares.
fn cumulative(shares: &[f64]) -> Vec<f64> {
    let total: f64 = shares.iter().sum();
    let mut acc = 0.0;
    shares
        .iter()
        .map(|s| {
            acc += s / total;
            acc
        })
        .collect()
}

/// The index whose cumulative interval contains `u` in `[0, 1)`.
#[inline]
pub(crate) fn pick_cum(u: f64, cum: &[f64]) -> usize {
    cum.iter().position(|c| u < *c).unwrap_or(cum.len().saturating_sub(1))
}

/// Risk cell index of a borrower.
pub(crate) fn risk_cell(cat: Category, grade: Grade, ind: Industry) -> u8 {
    (((cat as usize) * Grade::COUNT + grade as usize) * Industry::COUNT + ind as usize) as u8
}

impl Model {
    /// Prepares a scenario for simulation: builds the synthetic population
    /// and the initial loan books.
    pub fn prepare(scenario: &Scenario) -> Model {
        let s = scenario;
        let (townships, ranges, books) = match &s.book {
            Some(book) => from_ledger(s, book),
            None => synthetic(s),
        };
        let rule_sets: Vec<RuleSet> = (0..s.rule_set_count()).map(|i| RuleSet::derive(s, i)).collect();
        let horizon = s.horizon_months as usize;
        let county_rule_set: Vec<u16> = (0..s.counties.len())
            .flat_map(|c| (0..horizon).map(move |t| s.rule_set_of(c, t as u16) as u16))
            .collect();
        let at_start = |c: usize| &rule_sets[county_rule_set[c * horizon] as usize];
        let mut counties = s
            .counties
            .iter()
            .enumerate()
            .map(|(i, c)| CountyModel {
                prefecture: c.prefecture,
                fund: c.fund,
                townships: ranges[i].clone(),
                key_county: c.key_county,
                outstanding_start: Fen(books[i].principal.iter().sum()),
                loans_start: books[i].len() as u32,
                eligible: c.profile.eligible_households,
                annual_subsidy: {
                    let cap = at_start(i).rules.loans.subsidy.rate_cap.min(s.portfolio.rate);
                    Fen(books[i].principal.iter().sum()).interest(cap, 12)
                },
                covered_by_product: at_start(i).covered_by_product,
                effect: 0.0,
            })
            .collect::<Vec<CountyModel>>();

        let b = &s.behaviour;
        let mut base_p = [0.0; Category::COUNT * Grade::COUNT];
        for c in 0..Category::COUNT {
            for g in 0..Grade::COUNT {
                base_p[c * Grade::COUNT + g] = (b.distress[c] * b.grade_multiplier[g]).min(0.999);
            }
        }
        let loans: Vec<usize> = books.iter().map(|b| b.len()).collect();
        let effects = county_effects(s, &base_p, &loans);
        for (c, e) in counties.iter_mut().zip(effects) {
            c.effect = e;
        }

        let disaster_monthly = s
            .shocks
            .disasters
            .iter()
            .map(|d| {
                let active = d.months.iter().filter(|m| **m).count();
                let per_month = crate::shocks::monthly_probability(d.annual_probability, active);
                let mut out = [0.0; 12];
                for (m, on) in d.months.iter().enumerate() {
                    if *on {
                        out[m] = per_month;
                    }
                }
                out
            })
            .collect();

        let events_by_month = events_by_month(s);
        let prefecture_counties = prefecture_counties(s);

        let balances_start =
            books.iter().zip(&counties).map(|(b, c)| Balances::of(b, c.covered_by_product)).collect();
        let mix = &s.portfolio.mix;
        Model {
            tilt: FactorTilt::default(),
            county_key: (0..s.counties.len() as u64).collect(),
            township_key: (0..townships.len() as u64).collect(),
            event_key: (0..s.shocks.events.len() as u64).collect(),
            restricted_from: None,
            category_cum: cumulative(&mix.category),
            monitored_cum: if mix.category[1..].iter().sum::<f64>() > 0.0 {
                cumulative(&[0.0, mix.category[1], mix.category[2], mix.category[3]])
            } else {
                cumulative(&[0.0, 1.0, 0.0, 0.0])
            },
            grade_cum: cumulative(&mix.grade),
            industry_cum: s.counties.iter().map(|c| cumulative(&c.profile.industry_mix)).collect(),
            balances_start,
            scenario: s.clone(),
            counties,
            townships,
            books,
            base_p,
            rule_sets,
            county_rule_set,
            disaster_monthly,
            events_by_month,
            prefecture_counties,
        }
    }

    /// The model of the counties `keep` only (indices into this model's,
    /// increasing, each once), for the cost of those counties alone: each
    /// keeps its data, rules, loans and townships, and the draws of its
    /// factor, disasters, townships, loans and enterprises are keyed as in
    /// this model, so that on every path each kept county's outcomes are
    /// exactly those it has in this model's path. Counties are coupled only
    /// through the shocks (province, prefecture and industry draws, which
    /// read no county's loans or fund), so nothing else changes. The
    /// province's figures are then those of the kept counties. `None` if
    /// `keep` is empty, out of range or not increasing, or the tilted
    /// county of importance sampling is not kept.
    pub fn restrict(&self, keep: &[usize]) -> Option<Model> {
        let n_c = self.counties.len();
        if keep.is_empty() || keep.iter().any(|&c| c >= n_c) || keep.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        let tilt = match self.tilt.county {
            Some((c, mu)) => {
                FactorTilt { county: Some((keep.iter().position(|&k| k == c)?, mu)), ..self.tilt }
            }
            None => self.tilt,
        };
        let (scenario, events_kept) = self.scenario.restrict(keep);
        let horizon = self.scenario.horizon_months as usize;
        let mut counties = Vec::with_capacity(keep.len());
        let (mut townships, mut township_key, mut books) =
            (Vec::new(), Vec::new(), Vec::with_capacity(keep.len()));
        for &c in keep {
            let cm = &self.counties[c];
            let first = townships.len();
            townships.extend(self.townships[cm.townships.clone()].iter().cloned());
            township_key.extend(cm.townships.clone().map(|tw| self.township_key[tw]));
            // The loans' townships renumbered; nothing else of a loan
            // refers to its place in the scenario.
            let mut book = self.books[c].clone();
            for tw in &mut book.township {
                *tw = (*tw as usize - cm.townships.start + first) as u32;
            }
            books.push(book);
            counties.push(CountyModel { townships: first..townships.len(), ..cm.clone() });
        }
        let (events_by_month, prefecture_counties) =
            (events_by_month(&scenario), prefecture_counties(&scenario));
        Some(Model {
            county_key: keep.iter().map(|&c| self.county_key[c]).collect(),
            township_key,
            event_key: events_kept.iter().map(|&e| self.event_key[e]).collect(),
            restricted_from: Some(self.restricted_from.unwrap_or(n_c)),
            tilt,
            scenario,
            counties,
            townships,
            books,
            base_p: self.base_p,
            rule_sets: self.rule_sets.clone(),
            county_rule_set: keep
                .iter()
                .flat_map(|&c| self.county_rule_set[c * horizon..(c + 1) * horizon].iter().copied())
                .collect(),
            disaster_monthly: self.disaster_monthly.clone(),
            events_by_month,
            prefecture_counties,
            balances_start: keep.iter().map(|&c| self.balances_start[c]).collect(),
            category_cum: self.category_cum.clone(),
            monitored_cum: self.monitored_cum.clone(),
            grade_cum: self.grade_cum.clone(),
            industry_cum: keep.iter().map(|&c| self.industry_cum[c].clone()).collect(),
        })
    }

    /// The number of counties of the whole scenario, when this model is
    /// restricted to some of them ([`Model::restrict`]).
    pub fn restricted_from(&self) -> Option<usize> {
        self.restricted_from
    }

    /// Households holding a first and a follow-up loan side by side at
    /// the start (from a ledger: its households with both on the book).
    pub fn two_loan_households_start(&self) -> u64 {
        (self.books.iter().zip(&self.counties))
            .map(|(b, c)| Balances::of(b, c.covered_by_product).two_loan_households as u64)
            .sum()
    }

    /// Townships of the scenario.
    pub fn township_count(&self) -> usize {
        self.townships.len()
    }

    /// Loans outstanding at the start.
    pub fn loans_start(&self) -> u64 {
        self.counties.iter().map(|c| c.loans_start as u64).sum()
    }

    /// Principal outstanding at the start.
    pub fn outstanding_start(&self) -> Fen {
        self.counties.iter().map(|c| c.outstanding_start).sum()
    }

    /// Eligible households.
    pub fn eligible_households(&self) -> u64 {
        self.scenario.counties.iter().map(|c| c.profile.eligible_households as u64).sum()
    }

    /// Whether the portfolio repays in bullets.
    pub fn is_bullet(&self) -> bool {
        self.scenario.portfolio.repayment == Repayment::BulletQuarterlyInterest
    }
}

/// The scripted events of each simulation month, by index.
fn events_by_month(s: &Scenario) -> Vec<Vec<usize>> {
    let mut by_month = vec![Vec::new(); s.horizon_months as usize];
    for (i, e) in s.shocks.events.iter().enumerate() {
        if let Some(v) = by_month.get_mut(e.month as usize) {
            v.push(i);
        }
    }
    by_month
}

/// Each prefecture's counties, by index.
fn prefecture_counties(s: &Scenario) -> Vec<Vec<usize>> {
    let mut counties = vec![Vec::new(); s.prefectures.len()];
    for (i, c) in s.counties.iter().enumerate() {
        if let Some(v) = counties.get_mut(c.prefecture) {
            v.push(i);
        }
    }
    counties
}

/// Townships, each county's range of them, and the loan books of the
/// synthetic population.
fn synthetic(s: &Scenario) -> (Vec<TownshipModel>, Vec<Range<usize>>, Vec<LoanBook>) {
    let profiles: Vec<_> = s.counties.iter().map(|c| c.profile.clone()).collect();
    let pop = Population::synthesize(&profiles, &s.portfolio.mix);

    let mut townships = Vec::with_capacity(pop.townships.len());
    let mut ranges = vec![0..0; s.counties.len()];
    for (i, t) in pop.townships.iter().enumerate() {
        if ranges[t.county].is_empty() {
            ranges[t.county] = i..i;
        }
        ranges[t.county].end = i + 1;
        // Households that have never borrowed: the eligible households
        // without a loan, split between the lifted and the monitored
        // categories by the portfolio's category mix.
        let never = t.eligible_households - t.borrowers;
        let monitored = ((never as f64 * (1.0 - s.portfolio.mix.category[0])).round() as u32).min(never);
        let k = i - ranges[t.county].start;
        townships.push(TownshipModel {
            never_start: [never - monitored, monitored],
            served: t.served,
            balance_start: 0,
            overdue_start: 0,
            name: synthetic_township_name(s, t.county, k),
        });
    }

    let term = s.portfolio.term_months as i32;
    let mut books = vec![LoanBook::default(); s.counties.len()];
    for (k, b) in pop.borrowers.iter().enumerate() {
        // Age 0 = disbursed in the month before the start.
        let start = -(b.age_months as i32) - 1;
        let sched = Schedule { repayment: s.portfolio.repayment, start, maturity: start + term };
        books[b.county].push(NewLoan {
            id: k as u64,
            key: 0,
            principal: b.amount.0,
            start: start as i16,
            maturity: (start + term) as i16,
            next_event: sched.next_due_after(-1) as i16,
            risk: risk_cell(b.category, b.grade, b.industry),
            product: Product::First as u8,
            rate_bp: s.portfolio.rate.basis_points() as u16,
            township: b.township,
            enterprise: crate::book::enterprise_code(k as u64, &s.behaviour),
        });
    }

    for b in &pop.borrowers {
        townships[b.township as usize].balance_start += b.amount.0;
    }
    (townships, ranges, books)
}

/// Townships, each county's range of them, and the loan books of a ledger's
/// starting book: every loan as the ledger states it — principal, dates,
/// rate, product, overdue months, extensions, renewal — with no warm-up.
/// An overdue loan carries the interest of its overdue months as arrears
/// and is looked at in the first month.
fn from_ledger(s: &Scenario, book: &StartingBook) -> (Vec<TownshipModel>, Vec<Range<usize>>, Vec<LoanBook>) {
    let mut townships = Vec::new();
    let mut ranges = Vec::with_capacity(s.counties.len());
    for (c, towns) in book.townships.iter().enumerate() {
        let first = townships.len();
        for (k, t) in towns.iter().enumerate() {
            let never = t.eligible_households.saturating_sub(t.households);
            let monitored = ((never as f64 * (1.0 - s.portfolio.mix.category[0])).round() as u32).min(never);
            townships.push(TownshipModel {
                never_start: [never - monitored, monitored],
                served: true,
                balance_start: 0,
                overdue_start: 0,
                name: if t.name.is_empty() { synthetic_township_name(s, c, k) } else { t.name.clone() },
            });
        }
        ranges.push(first..townships.len());
    }
    let mut books = vec![LoanBook::default(); s.counties.len()];
    for (k, l) in book.loans.iter().enumerate() {
        let township = (ranges[l.county].start + l.township as usize) as u32;
        let sched =
            Schedule { repayment: s.portfolio.repayment, start: l.start as i32, maturity: l.maturity as i32 };
        let next_event = if l.overdue_months > 0 { 0 } else { sched.next_due_after(-1) as i16 };
        let b = &mut books[l.county];
        b.push(NewLoan {
            id: k as u64,
            key: 0,
            principal: l.principal.0,
            start: l.start,
            maturity: l.maturity,
            next_event,
            risk: risk_cell(l.category, l.grade, l.industry),
            product: l.product as u8,
            rate_bp: l.rate_bp,
            township,
            enterprise: crate::book::enterprise_code(k as u64, &s.behaviour),
        });
        let i = b.len() - 1;
        b.overdue[i] = l.overdue_months;
        b.extensions[i] = l.extensions;
        b.renewals[i] = u8::from(l.renewed);
        if l.overdue_months > 0 {
            b.flags[i] |= EVER_OVERDUE;
            b.arrears[i] =
                l.principal.interest(Rate::from_basis_points(l.rate_bp as u32), l.overdue_months as u32).0;
        }
        // A township's balance is the programme's: commercial credit stays
        // outside its overdue rate.
        if l.product != Product::Commercial {
            townships[township as usize].balance_start += l.principal.0;
            if l.overdue_months > 0 {
                townships[township as usize].overdue_start += l.principal.0;
            }
        }
    }
    // A household's first and follow-up loans held side by side: each
    // county's loans are in its book in the ledger's order, so a loan's
    // index among its county's loans is its slot.
    let mut slot = vec![0usize; s.counties.len()];
    for l in &book.loans {
        if let Some(first) = l.beside {
            books[l.county].link_beside(slot[l.county], first as usize);
        }
        slot[l.county] += 1;
    }
    (townships, ranges, books)
}

/// The name of a township of the synthetic population (it has none).
fn synthetic_township_name(s: &Scenario, c: usize, k: usize) -> String {
    mcstress_scenario::synthetic_township_name(s.counties[c].code, k)
}
