//! Results across paths: the `summary.json` document and the monthly table.
//!
//! Everything is combined in path order, so the result is the same for any
//! number of threads. The monthly table reads the bands a run folded its
//! paths into (`fold`), exact up to [`EXACT_PATHS`](crate::EXACT_PATHS)
//! paths.

use serde::Serialize;

use crate::band::Band;
use crate::fold::{PathView, RunPaths};
use crate::model::Model;
use crate::path::{FIG_COVERAGE, FIG_FUND_YUAN, FIG_OUTSTANDING_YUAN, FIG_OVERDUE_RATE, UnpaidEnd};
use crate::stats::{Estimate, Probability};

/// Schema name of `summary.json`.
pub const SUMMARY_SCHEMA: &str = "mcstress.summary/1";

/// `summary.json`: see `docs/outputs.md` for every field and its unit.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Always [`SUMMARY_SCHEMA`].
    pub schema: &'static str,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// The run.
    pub run: RunInfo,
    /// Province figures.
    pub province: ProvinceSummary,
    /// County figures, in scenario order.
    pub counties: Vec<CountySummary>,
    /// The counties whose capped top-ups ran out on at least one path,
    /// most often first (ties by code).
    pub counties_top_ups_ran_out: Vec<TopUpsRanOut>,
}

/// Scenario identity.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Display name in Chinese (absent when the scenario gives none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// Display name in English (absent when the scenario gives none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// SHA-256 of the source files and variant.
    pub sha256: String,
    /// First month, "YYYY-MM".
    pub start: String,
    /// Months simulated.
    pub horizon_months: u16,
    /// Variant applied.
    pub variant: Option<String>,
    /// The county data file named under `[data]`, as written (absent
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counties_file: Option<String>,
    /// The ledger named under `[data]`, as written (absent
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<String>,
    /// The ledger's date, "YYYY-MM-DD" (absent without a ledger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_date: Option<String>,
}

/// Where new overdue episodes start.
#[derive(Clone, Debug, Serialize)]
pub struct OverdueStarts {
    /// Episodes starting at an interest (or instalment) date before
    /// maturity, per path (count).
    pub at_interest: Estimate,
    /// Episodes starting at maturity, per path (count).
    pub at_maturity: Estimate,
    /// Share of all episodes of all paths that start at maturity (a ratio
    /// of the pooled counts).
    pub share_at_maturity: f64,
}

/// Run identity.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// Paths simulated.
    pub paths: u32,
    /// Master seed.
    pub seed: u64,
    /// mcstress version.
    pub version: &'static str,
}

/// Province figures.
#[derive(Clone, Debug, Serialize)]
pub struct ProvinceSummary {
    /// Counties in the scenario.
    pub counties: usize,
    /// Eligible households.
    pub eligible_households: u64,
    /// Loans outstanding at the start.
    pub loans_start: u64,
    /// Principal outstanding at the start, yuan.
    pub outstanding_start_yuan: f64,
    /// Fund balances at the start, yuan.
    pub fund_start_yuan: f64,
    /// Highest month-end overdue rate of the programme's loans (overdue ÷
    /// outstanding principal of first and follow-up loans).
    pub peak_overdue_rate: Estimate,
    /// The programme's overdue rate at the end of the horizon.
    pub final_overdue_rate: Estimate,
    /// Counties whose fund was exhausted within the horizon (count).
    pub counties_exhausted: Estimate,
    /// Probability that some county fund is exhausted within the horizon.
    pub exhaustion_probability: Probability,
    /// Loss borne by the funds over the horizon, yuan.
    pub loss_fund_yuan: Estimate,
    /// Loss borne by the banks, yuan.
    pub loss_bank_yuan: Estimate,
    /// Approved claims the funds could not pay, yuan.
    pub loss_uncovered_yuan: Estimate,
    /// Loss borne by the third party (guarantor or insurer) of three-party
    /// sharing: what it paid less the recoveries returned to it, yuan over
    /// the horizon. Present only when the rules name a third party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_guarantor_yuan: Option<Estimate>,
    /// Claims paid by the funds, yuan.
    pub claims_paid_yuan: Estimate,
    /// Principal written off, yuan.
    pub written_off_yuan: Estimate,
    /// Principal disbursed (new loans and renewals), yuan.
    pub disbursed_yuan: Estimate,
    /// Interest subsidy paid, yuan.
    pub subsidy_paid_yuan: Estimate,
    /// Extensions granted (count).
    pub extensions: Estimate,
    /// New overdue episodes by where they start: at an interest (or
    /// instalment) date before maturity, or at maturity.
    pub new_overdue_episodes: OverdueStarts,
    /// Renewals granted (count).
    pub renewals: Estimate,
    /// New first loans (count).
    pub new_loans: Estimate,
    /// Fund balances at the end, yuan.
    pub fund_end_yuan: Estimate,
    /// Households with a programme loan ÷ eligible households, at the end.
    pub coverage_rate: Estimate,
    /// Households holding two programme loans at the end: a first loan and
    /// a follow-up beside it (count).
    pub two_loan_households_end: Estimate,
    /// Commercial credit (the "N"), outside the programme's ratios and
    /// coverage, on its own.
    pub commercial: CommercialSummary,
    /// Township-months without a serving bank (count).
    pub unserved_township_months: Estimate,
    /// Principal outstanding at the end by product, yuan.
    pub outstanding_end_by_product_yuan: ByProduct,
    /// Loans disbursed over the horizon by product (count; renewals not
    /// included).
    pub new_loans_by_product: ByProduct,
    /// Eligible households that have never borrowed, at the end (count).
    pub never_borrowed_end: Estimate,
    /// Loan requests unmet over the horizon, by reason (count).
    pub unmet_requests: UnmetRequests,
    /// Demand surveys held (township count).
    pub surveys: Estimate,
    /// Requests approved through the post-disaster fast track (count).
    pub fast_track_loans: Estimate,
    /// Never-borrowed households identified as 监测对象 over the horizon
    /// (count), of them after disasters, and those whose risk was removed
    /// (风险消除).
    pub monitoring: Monitoring,
    /// Subsidy owed but unpaid at the end (late), yuan.
    pub subsidy_late_yuan: Estimate,
    /// The leverage multiple, its excess and the county top-ups.
    pub leverage_and_top_ups: LeverageTopUps,
    /// Highest month-end NPL ratio of the programme's loans (91+ days
    /// overdue ÷ outstanding principal; loans in the claim cycle stay in
    /// it until their loss is determined).
    pub peak_npl_rate: Estimate,
    /// The claim cycle: claims due and paid, idle money, time to payment.
    pub claims: ClaimFigures,
}

/// What the funds owed under the rules and what they paid (应偿尽偿), the
/// money they left idle, and how long claims took, for the province or one
/// county.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimFigures {
    /// The funds' parts of every claim whose loss was determined within the
    /// horizon, under the rules in force (claims due), yuan over the
    /// horizon.
    pub claims_due_yuan: Estimate,
    /// 应偿尽偿: claims paid ÷ claims due, summed over all paths (ratio of
    /// the means; null when nothing fell due).
    pub paid_share_of_due: Option<f64>,
    /// Idle money: the mean fund balance at the end ÷ the mean claims due
    /// per year — years of claims the money left in the funds would pay
    /// (null when nothing fell due).
    pub idle_years_of_claims: Option<f64>,
    /// Mean months from a loan's first missed payment to the payment that
    /// settled its claim, over the claims paid in full within the horizon
    /// (null when none was).
    pub months_default_to_payment: Option<f64>,
}

impl ClaimFigures {
    /// From each path's (claims due, claims paid, fund end; fen) and, for
    /// the province, the paid claims' (count, months summed).
    fn of(due: &[f64], paid: f64, fund_end: f64, years: f64, timing: Option<(i64, i64)>) -> ClaimFigures {
        let n = due.len().max(1) as f64;
        let due_total: f64 = due.iter().sum();
        let positive = due_total > 0.0;
        ClaimFigures {
            claims_due_yuan: Estimate::from_values(&due.iter().map(|x| x / 100.0).collect::<Vec<_>>()),
            paid_share_of_due: positive.then(|| paid / due_total),
            idle_years_of_claims: positive.then(|| (fund_end / n) / (due_total / n / years)),
            months_default_to_payment: timing
                .and_then(|(k, months)| (k > 0).then(|| months as f64 / k as f64)),
        }
    }
}

/// What lending beyond the leverage multiple and the county budgets'
/// top-ups did (province figures).
#[derive(Clone, Debug, Serialize)]
pub struct LeverageTopUps {
    /// Loan requests refused by the leverage rule over the horizon (count).
    pub refused_by_leverage: Estimate,
    /// Loans lent beyond the multiple without the fund's cover (count).
    pub loans_uncovered: Estimate,
    /// Top-ups into the funds over the horizon, every form and level,
    /// interest not included, yuan.
    pub top_ups_yuan: Estimate,
    /// Of which to cover loans beyond the multiple, yuan.
    pub leverage_top_ups_yuan: Estimate,
    /// Approved claims unpaid at the end of the horizon, by cause, yuan.
    pub unpaid_approved_end_yuan: UnpaidByCauseSummary,
    /// Probability that some county's top-ups run out within the horizon:
    /// an approved claim unpaid while that year's fiscal capacity (or
    /// top-up cap) was spent; the counties are listed in
    /// [`Summary::counties_top_ups_ran_out`].
    pub top_ups_ran_out_probability: Probability,
}

/// Approved claims unpaid at the end of the horizon, by cause, yuan.
#[derive(Clone, Debug, Serialize)]
pub struct UnpaidByCauseSummary {
    /// Held back by an annual cap as a share of the fund (a rule).
    pub annual_cap: Estimate,
    /// Owed by an empty fund whose year's top-ups ran out (the county's
    /// fiscal capacity or the yearly top-up cap spent).
    pub top_ups_spent: Estimate,
    /// Owed by an empty fund with no top-up rule.
    pub no_top_up: Estimate,
    /// Owed by an empty fund awaiting its next top-up, with budget left.
    pub awaiting_top_up: Estimate,
}

/// A county whose capped top-ups ran out.
#[derive(Clone, Debug, Serialize)]
pub struct TopUpsRanOut {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Probability its top-ups run out within the horizon.
    pub probability: Probability,
}

/// One figure by product of the 5+5+N ladder.
#[derive(Clone, Debug, Serialize)]
pub struct ByProduct {
    /// First loans (subsidised, fund-covered).
    pub first: Estimate,
    /// Follow-up loans.
    pub follow_up: Estimate,
    /// Commercial credit.
    pub commercial: Estimate,
}

/// Commercial credit at the end of the horizon, outside the programme.
#[derive(Clone, Debug, Serialize)]
pub struct CommercialSummary {
    /// Principal outstanding, yuan.
    pub outstanding_end_yuan: Estimate,
    /// Principal of overdue commercial loans (whole principal), yuan.
    pub overdue_end_yuan: Estimate,
    /// Overdue ÷ outstanding commercial principal (0 on a path without
    /// any).
    pub overdue_rate_end: Estimate,
}

/// Why loan requests were not met (counts of requests).
#[derive(Clone, Debug, Serialize)]
pub struct UnmetRequests {
    /// No bank served the township.
    pub no_bank: Estimate,
    /// The county's lending was suspended.
    pub suspended: Estimate,
    /// The bank refused, or the leverage limit was reached.
    pub refused: Estimate,
}

/// Monitoring against a return to poverty (counts of never-borrowed
/// households over the horizon).
#[derive(Clone, Debug, Serialize)]
pub struct Monitoring {
    /// Identified as 监测对象, in ordinary months and after disasters.
    pub entries: Estimate,
    /// Of them, identified after a disaster struck their county.
    pub entries_after_disasters: Estimate,
    /// Whose risk was removed (风险消除): they left monitoring.
    pub exits: Estimate,
}

/// County figures.
#[derive(Clone, Debug, Serialize)]
pub struct CountySummary {
    /// Division code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Prefecture's Chinese name.
    pub prefecture: String,
    /// Prefecture's code.
    pub prefecture_code: String,
    /// Former poverty county.
    pub former_poverty: bool,
    /// National key-assistance county.
    pub key_county: bool,
    /// Loans at the start.
    pub loans_start: u32,
    /// Principal outstanding at the start, yuan.
    pub outstanding_start_yuan: f64,
    /// Fund balance at the start, yuan.
    pub fund_start_yuan: f64,
    /// Probability the fund is exhausted within the horizon.
    pub exhaustion_probability: Probability,
    /// Median month of exhaustion (1 = first simulated month), counting
    /// paths without exhaustion as never; null when the probability is
    /// under 50 %.
    pub exhaustion_month_p50: Option<u16>,
    /// The same month as "YYYY-MM".
    pub exhaustion_date_p50: Option<String>,
    /// Highest month-end overdue rate of the county's programme loans.
    pub peak_overdue_rate: Estimate,
    /// The county's programme overdue rate at the end.
    pub final_overdue_rate: Estimate,
    /// Loss borne by the fund, yuan.
    pub loss_fund_yuan: Estimate,
    /// Households with a programme loan ÷ eligible households, at the end.
    pub coverage_rate: Estimate,
    /// Probability that the county's top-ups run out within the horizon:
    /// an approved claim unpaid while that year's fiscal capacity (or
    /// top-up cap) was spent.
    pub top_ups_ran_out_probability: Probability,
    /// Top-ups into the fund over the horizon, every form and level, yuan.
    pub top_ups_yuan: Estimate,
    /// Approved claims unpaid at the end of the horizon, by cause, yuan.
    pub unpaid_approved_end_yuan: UnpaidByCauseSummary,
    /// The claim cycle: claims due and paid, idle money (time to payment is
    /// the province's only).
    pub claims: ClaimFigures,
    /// The rules the county follows, one entry per change of rule set
    /// within the horizon (the scenario restated, not a result).
    pub rules: Vec<crate::CountyRules>,
}

fn unpaid_summary<P: PathView>(paths: &[P], f: impl Fn(&P) -> UnpaidEnd) -> UnpaidByCauseSummary {
    UnpaidByCauseSummary {
        annual_cap: est(paths, |p| yuan(f(p).annual_cap)),
        top_ups_spent: est(paths, |p| yuan(f(p).top_ups_spent)),
        no_top_up: est(paths, |p| yuan(f(p).no_top_up)),
        awaiting_top_up: est(paths, |p| yuan(f(p).awaiting_top_up)),
    }
}

fn est<P: PathView>(paths: &[P], f: impl Fn(&P) -> f64) -> Estimate {
    let v: Vec<f64> = paths.iter().map(f).collect();
    Estimate::from_values(&v)
}

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// Median month (1-based) of exhaustion, or `None` when fewer than half
/// the paths exhaust.
fn median_month(months: &[Option<u16>]) -> Option<u16> {
    let n = months.len();
    let mut hit: Vec<u16> = months.iter().flatten().map(|m| m + 1).collect();
    if n == 0 || hit.len() * 2 < n {
        return None;
    }
    hit.sort_unstable();
    // Smallest month m with #(exhausted by m) ≥ n/2.
    let need = n.div_ceil(2);
    hit.get(need - 1).copied()
}

/// Builds `summary.json` from the paths of a run.
pub fn summarize<P: PathView>(m: &Model, seed: u64, paths: &[P]) -> Summary {
    let s = &m.scenario;
    let n = paths.len();
    let years = f64::from(s.horizon_months) / 12.0;
    let province =
        ProvinceSummary {
            counties: s.counties.len(),
            eligible_households: m.eligible_households(),
            loans_start: m.loans_start(),
            outstanding_start_yuan: yuan(m.outstanding_start().0),
            fund_start_yuan: yuan(s.total_fund().0),
            peak_overdue_rate: est(paths, |p| p.peak_overdue()),
            final_overdue_rate: est(paths, |p| p.final_overdue()),
            counties_exhausted: est(paths, |p| p.totals().counties_exhausted as f64),
            exhaustion_probability: Probability::from_count(
                paths.iter().filter(|p| p.totals().counties_exhausted > 0).count(),
                n,
            ),
            loss_fund_yuan: est(paths, |p| yuan(p.totals().loss_fund)),
            loss_bank_yuan: est(paths, |p| yuan(p.totals().loss_bank)),
            loss_uncovered_yuan: est(paths, |p| yuan(p.totals().loss_uncovered)),
            loss_guarantor_yuan: s
                .rules
                .claims
                .third_party
                .is_some()
                .then(|| est(paths, |p| yuan(p.totals().loss_guarantor))),
            claims_paid_yuan: est(paths, |p| yuan(p.totals().claims_paid)),
            written_off_yuan: est(paths, |p| yuan(p.totals().written_off)),
            disbursed_yuan: est(paths, |p| yuan(p.totals().disbursed)),
            subsidy_paid_yuan: est(paths, |p| yuan(p.totals().subsidy_paid)),
            extensions: est(paths, |p| p.totals().extensions as f64),
            new_overdue_episodes: OverdueStarts {
                at_interest: est(paths, |p| p.totals().new_overdue_at_interest as f64),
                at_maturity: est(paths, |p| p.totals().new_overdue_at_maturity as f64),
                share_at_maturity: {
                    let (i, m): (i64, i64) = paths.iter().fold((0, 0), |(i, m), p| {
                        (i + p.totals().new_overdue_at_interest, m + p.totals().new_overdue_at_maturity)
                    });
                    if i + m > 0 { m as f64 / (i + m) as f64 } else { 0.0 }
                },
            },
            renewals: est(paths, |p| p.totals().renewals as f64),
            new_loans: est(paths, |p| p.totals().new_loans as f64),
            fund_end_yuan: est(paths, |p| yuan(p.totals().fund_end)),
            coverage_rate: est(paths, |p| {
                p.totals().borrowers_end as f64 / m.eligible_households().max(1) as f64
            }),
            two_loan_households_end: est(paths, |p| p.totals().two_loan_households_end as f64),
            commercial: CommercialSummary {
                outstanding_end_yuan: est(paths, |p| yuan(p.totals().outstanding_end_by_product[2])),
                overdue_end_yuan: est(paths, |p| yuan(p.totals().commercial_overdue_end)),
                overdue_rate_end: est(paths, |p| {
                    let t = p.totals();
                    let out = t.outstanding_end_by_product[2];
                    if out > 0 { t.commercial_overdue_end as f64 / out as f64 } else { 0.0 }
                }),
            },
            unserved_township_months: est(paths, |p| p.totals().unserved_township_months as f64),
            outstanding_end_by_product_yuan: ByProduct {
                first: est(paths, |p| yuan(p.totals().outstanding_end_by_product[0])),
                follow_up: est(paths, |p| yuan(p.totals().outstanding_end_by_product[1])),
                commercial: est(paths, |p| yuan(p.totals().outstanding_end_by_product[2])),
            },
            new_loans_by_product: ByProduct {
                first: est(paths, |p| p.totals().loans_by_product[0] as f64),
                follow_up: est(paths, |p| p.totals().loans_by_product[1] as f64),
                commercial: est(paths, |p| p.totals().loans_by_product[2] as f64),
            },
            never_borrowed_end: est(paths, |p| p.totals().never_borrowed_end as f64),
            unmet_requests: UnmetRequests {
                no_bank: est(paths, |p| p.totals().unmet_no_bank as f64),
                suspended: est(paths, |p| p.totals().unmet_suspended as f64),
                refused: est(paths, |p| p.totals().unmet_refused as f64),
            },
            surveys: est(paths, |p| p.totals().surveys as f64),
            fast_track_loans: est(paths, |p| p.totals().fast_track_loans as f64),
            monitoring: Monitoring {
                entries: est(paths, |p| p.totals().monitoring_entries as f64),
                entries_after_disasters: est(paths, |p| p.totals().monitoring_entries_after_disasters as f64),
                exits: est(paths, |p| p.totals().monitoring_exits as f64),
            },
            subsidy_late_yuan: est(paths, |p| yuan(p.totals().subsidy_late_end)),
            leverage_and_top_ups: LeverageTopUps {
                refused_by_leverage: est(paths, |p| p.totals().refused_by_leverage as f64),
                loans_uncovered: est(paths, |p| p.totals().loans_uncovered as f64),
                top_ups_yuan: est(paths, |p| yuan(p.totals().top_ups)),
                leverage_top_ups_yuan: est(paths, |p| yuan(p.totals().leverage_top_ups)),
                unpaid_approved_end_yuan: unpaid_summary(paths, |p| p.totals().unpaid_end),
                top_ups_ran_out_probability: Probability::from_count(
                    paths.iter().filter(|p| p.totals().counties_top_ups_ran_out > 0).count(),
                    n,
                ),
            },
            peak_npl_rate: est(paths, |p| p.totals().peak_npl_rate),
            claims: ClaimFigures::of(
                &paths.iter().map(|p| p.totals().claims_due as f64).collect::<Vec<_>>(),
                paths.iter().map(|p| p.totals().claims_paid as f64).sum(),
                paths.iter().map(|p| p.totals().fund_end as f64).sum(),
                years,
                Some(paths.iter().fold((0, 0), |(k, m), p| {
                    (k + p.totals().claims_settled, m + p.totals().months_to_payment)
                })),
            ),
        };
    let counties: Vec<CountySummary> = s
        .counties
        .iter()
        .enumerate()
        .map(|(c, county)| {
            let months: Vec<Option<u16>> = paths.iter().map(|p| p.exhausted_month(c)).collect();
            let hits = months.iter().filter(|x| x.is_some()).count();
            let med = median_month(&months);
            let pref = &s.prefectures[county.prefecture];
            CountySummary {
                id: county.code.to_string(),
                name: county.name.clone(),
                name_en: county.name_en.clone(),
                prefecture: pref.name.clone(),
                prefecture_code: format!("{:06}", pref.code),
                former_poverty: county.former_poverty,
                key_county: county.key_county,
                loans_start: m.counties[c].loans_start,
                outstanding_start_yuan: yuan(m.counties[c].outstanding_start.0),
                fund_start_yuan: yuan(county.fund.0),
                exhaustion_probability: Probability::from_count(hits, n),
                exhaustion_month_p50: med,
                exhaustion_date_p50: med.map(|mm| s.start.plus(mm as i32 - 1).to_string()),
                peak_overdue_rate: est(paths, |p| p.county(c).peak_overdue),
                final_overdue_rate: est(paths, |p| p.county(c).final_overdue),
                loss_fund_yuan: est(paths, |p| yuan(p.county(c).loss_fund)),
                coverage_rate: est(paths, |p| p.county(c).coverage_end),
                claims: ClaimFigures::of(
                    &paths.iter().map(|p| p.county(c).claims_due as f64).collect::<Vec<_>>(),
                    paths.iter().map(|p| p.county(c).claims_paid as f64).sum(),
                    paths.iter().map(|p| p.county(c).fund_end as f64).sum(),
                    years,
                    None,
                ),
                top_ups_ran_out_probability: Probability::from_count(
                    paths.iter().filter(|p| p.county(c).top_ups_ran_out_month.is_some()).count(),
                    n,
                ),
                top_ups_yuan: est(paths, |p| yuan(p.county(c).top_ups)),
                unpaid_approved_end_yuan: unpaid_summary(paths, |p| p.county(c).unpaid_end),
                rules: crate::county_rules(s, c),
            }
        })
        .collect();
    let counties_top_ups_ran_out = ran_out_list(&counties);
    Summary {
        schema: SUMMARY_SCHEMA,
        scenario: ScenarioInfo {
            name: s.name.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
            sha256: s.sha256.clone(),
            start: s.start.to_string(),
            horizon_months: s.horizon_months,
            variant: s.variant.clone(),
            counties_file: s.data.counties.as_ref().map(|f| f.path.clone()),
            ledger: s.data.ledger.as_ref().map(|f| f.path.clone()),
            ledger_date: s.data.ledger.as_ref().map(|_| s.data.as_of.to_string()),
        },
        run: RunInfo { paths: n as u32, seed, version: env!("CARGO_PKG_VERSION") },
        province,
        counties,
        counties_top_ups_ran_out,
    }
}

/// The counties whose top-ups ran out on some path, most often first, ties
/// by code.
fn ran_out_list(counties: &[CountySummary]) -> Vec<TopUpsRanOut> {
    let mut out: Vec<TopUpsRanOut> = counties
        .iter()
        .filter(|c| c.top_ups_ran_out_probability.p > 0.0)
        .map(|c| TopUpsRanOut {
            id: c.id.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            probability: c.top_ups_ran_out_probability,
        })
        .collect();
    out.sort_by(|a, b| b.probability.p.total_cmp(&a.probability.p).then(a.id.cmp(&b.id)));
    out
}

/// One row of `monthly.csv`: a figure's distribution across paths for one
/// month and one county (or the province).
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlyRow {
    /// Month: 0 = the starting state (the end of the month before the
    /// start), 1 = first simulated month.
    pub month: u16,
    /// Calendar month "YYYY-MM".
    pub date: String,
    /// County index, `None` for the province.
    pub county: Option<usize>,
    /// Figure name (with its unit).
    pub figure: &'static str,
    /// Mean across paths.
    pub mean: f64,
    /// Standard error of the mean.
    pub se: f64,
    /// Quantiles across paths: 5, 25, 50, 75, 95 %.
    pub quantiles: [f64; 5],
}

const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

fn row(month: u16, date: &str, county: Option<usize>, figure: &'static str, band: &Band) -> MonthlyRow {
    let (mean, se, quantiles) = band.stats(&QS);
    MonthlyRow { month, date: date.to_string(), county, figure, mean, se, quantiles }
}

/// The monthly table: for the province and every county, each month's
/// overdue rate, fund balance, outstanding principal and the share of
/// paths whose fund (for the province: some county's fund) has been
/// exhausted by then; for every county also its coverage rate. `None` when
/// the run did not keep its monthly bands ([`Keep::Figures`](crate::Keep)).
pub fn monthly_rows(m: &Model, run: &RunPaths) -> Option<Vec<MonthlyRow>> {
    let bands = run.bands()?;
    let paths = run.figures();
    let s = &m.scenario;
    let n_c = s.counties.len();
    let n = paths.len();
    let mut out = Vec::new();
    // Month in which some county's fund was first exhausted, per path.
    let first_exhausted: Vec<Option<u16>> =
        paths.iter().map(|p| (0..p.county_count()).filter_map(|c| p.exhausted_month(c)).min()).collect();
    start_rows(m, n, &mut out);
    for t in 0..s.horizon_months as usize {
        let date = s.start.plus(t as i32).to_string();
        let month = t as u16 + 1;
        out.push(row(month, &date, None, "overdue_rate", bands.province(t, 0)));
        out.push(row(month, &date, None, "fund_balance_yuan", bands.province(t, 1)));
        out.push(row(month, &date, None, "outstanding_yuan", bands.province(t, 2)));
        let k = first_exhausted.iter().filter(|e| e.is_some_and(|e| e as usize <= t)).count();
        out.push(exhausted_row(month, &date, None, Probability::from_count(k, n)));
        for c in 0..n_c {
            for (fig, name) in [
                (FIG_OVERDUE_RATE, "overdue_rate"),
                (FIG_FUND_YUAN, "fund_balance_yuan"),
                (FIG_OUTSTANDING_YUAN, "outstanding_yuan"),
                (FIG_COVERAGE, "coverage_rate"),
            ] {
                out.push(row(month, &date, Some(c), name, bands.county(t, c, fig)));
            }
            let k = paths.iter().filter(|p| p.exhausted_month(c).is_some_and(|e| e as usize <= t)).count();
            out.push(exhausted_row(month, &date, Some(c), Probability::from_count(k, n)));
        }
    }
    Some(out)
}

/// One row of `townships.csv`: a township's overdue rate in a month across
/// paths.
#[derive(Clone, Debug, PartialEq)]
pub struct TownshipRow {
    /// Month: 0 = the starting state, 1 = first simulated month.
    pub month: u16,
    /// Calendar month "YYYY-MM".
    pub date: String,
    /// County index.
    pub county: usize,
    /// The township's name (the ledger's, or `CODE-NN` in a synthetic book).
    pub township: String,
    /// 5th, 50th and 95th percentile of the overdue rate across the paths
    /// kept (type 7), to 1/65,535.
    pub overdue_rate: [f64; 3],
    /// Paths the percentiles are of.
    pub paths: usize,
}

/// Every township's overdue rate by month: month 0 from the starting book
/// (exact), then the median and 90 % band across the first
/// [`TOWNSHIP_PATHS`](crate::TOWNSHIP_PATHS) paths. `None` when the run
/// kept no monthly bands.
pub fn township_rows(m: &Model, run: &RunPaths) -> Option<Vec<TownshipRow>> {
    let kept = run.township_paths()?;
    let s = &m.scenario;
    let n_t = m.townships.len();
    let mut out = Vec::with_capacity(n_t * (s.horizon_months as usize + 1));
    let county_of: Vec<usize> = {
        let mut v = vec![0; n_t];
        for (c, cm) in m.counties.iter().enumerate() {
            for tw in cm.townships.clone() {
                v[tw] = c;
            }
        }
        v
    };
    let start = s.start.plus(-1).to_string();
    for (tw, t) in m.townships.iter().enumerate() {
        let r = if t.balance_start > 0 { t.overdue_start as f64 / t.balance_start as f64 } else { 0.0 };
        out.push(TownshipRow {
            month: 0,
            date: start.clone(),
            county: county_of[tw],
            township: t.name.clone(),
            overdue_rate: [r; 3],
            paths: kept.len(),
        });
    }
    let mut values = Vec::with_capacity(kept.len());
    for month in 0..s.horizon_months as usize {
        let date = s.start.plus(month as i32).to_string();
        for (tw, t) in m.townships.iter().enumerate() {
            values.clear();
            values.extend(kept.iter().map(|p| p[month * n_t + tw]));
            values.sort_unstable();
            let sorted: Vec<f64> = values.iter().map(|v| f64::from(*v) / crate::TOWNSHIP_RATE_UNIT).collect();
            let q = |x| if sorted.is_empty() { f64::NAN } else { crate::stats::quantile_sorted(&sorted, x) };
            out.push(TownshipRow {
                month: month as u16 + 1,
                date: date.clone(),
                county: county_of[tw],
                township: t.name.clone(),
                overdue_rate: [q(0.05), q(0.5), q(0.95)],
                paths: kept.len(),
            });
        }
    }
    Some(out)
}

/// Month 0, the starting state (the ledger's, or the synthetic book's):
/// the same on every path, so each row's quantiles are its value and its
/// standard error is 0.
fn start_rows(m: &Model, n: usize, out: &mut Vec<MonthlyRow>) {
    let s = &m.scenario;
    let date = s.start.plus(-1).to_string();
    let fixed = |county: Option<usize>, figure: &'static str, x: f64| MonthlyRow {
        month: 0,
        date: date.clone(),
        county,
        figure,
        mean: x,
        se: 0.0,
        quantiles: [x; 5],
    };
    let (mut out_p, mut overdue_p) = (0i64, 0i64);
    // The programme's figures: commercial credit stays outside them.
    for b in &m.balances_start {
        out_p += b.programme();
        overdue_p += b.overdue;
    }
    let ratio = |part: i64, whole: i64| if whole > 0 { part as f64 / whole as f64 } else { 0.0 };
    out.push(fixed(None, "overdue_rate", ratio(overdue_p, out_p)));
    out.push(fixed(None, "fund_balance_yuan", s.total_fund().0 as f64 / 100.0));
    out.push(fixed(None, "outstanding_yuan", out_p as f64 / 100.0));
    out.push(exhausted_row(0, &date, None, Probability::from_count(0, n)));
    for (c, b) in m.balances_start.iter().enumerate() {
        out.push(fixed(Some(c), "overdue_rate", b.ratio(b.overdue)));
        out.push(fixed(Some(c), "fund_balance_yuan", m.counties[c].fund.0 as f64 / 100.0));
        out.push(fixed(Some(c), "outstanding_yuan", b.programme() as f64 / 100.0));
        let eligible = m.counties[c].eligible;
        out.push(fixed(
            Some(c),
            "coverage_rate",
            if eligible > 0 { b.programme_households() as f64 / eligible as f64 } else { 0.0 },
        ));
        out.push(exhausted_row(0, &date, Some(c), Probability::from_count(0, n)));
    }
}

/// A probability row: not quantiles but the Wilson interval in p05/p95.
fn exhausted_row(month: u16, date: &str, county: Option<usize>, pr: Probability) -> MonthlyRow {
    MonthlyRow {
        month,
        date: date.to_string(),
        county,
        figure: "exhausted_probability",
        mean: pr.p,
        se: pr.se,
        quantiles: [pr.ci95_low, f64::NAN, pr.p, f64::NAN, pr.ci95_high],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_exhaustion_month_needs_half_the_paths() {
        assert_eq!(median_month(&[Some(0), None, None]), None);
        assert_eq!(median_month(&[Some(4), Some(2), None, None]), Some(5));
        assert_eq!(median_month(&[Some(9), Some(2), Some(5)]), Some(6));
    }
}
