//! What one path produces — province totals, each county's outcome and the
//! figures by month — with stage 8 of the month (recording) and the closing
//! of the books at the end of the path.

use mcstress_compensation::UnpaidByCause;
use serde::{Deserialize, Serialize};

use crate::book::Balances;
use crate::model::Model;

use super::context::{MonthCtx, PathCtx};
use super::shadow::Shadow;
use super::state::Workspace;
/// Figures recorded per county per month.
pub const COUNTY_FIGURES: usize = 4;
/// Index of the overdue rate in a county-month record.
pub const FIG_OVERDUE_RATE: usize = 0;
/// Index of the fund balance (yuan) in a county-month record.
pub const FIG_FUND_YUAN: usize = 1;
/// Index of the programme's outstanding principal (yuan, first and
/// follow-up loans) in a county-month record.
pub const FIG_OUTSTANDING_YUAN: usize = 2;
/// Index of the coverage rate (households with a programme loan ÷
/// eligible).
pub const FIG_COVERAGE: usize = 3;

/// Province totals of one path, in fen (counts where named).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PathTotals {
    /// Principal disbursed (new loans and renewals).
    pub disbursed: i64,
    /// Principal repaid (including the old loan of a renewal).
    pub repaid: i64,
    /// Principal written off (claimed or written off uncovered).
    pub written_off: i64,
    /// Principal outstanding at the start.
    pub outstanding_start: i64,
    /// Principal outstanding at the end.
    pub outstanding_end: i64,
    /// Fund balances at the start.
    pub fund_start: i64,
    /// Top-ups and interest into funds.
    pub fund_inflows: i64,
    /// Claims paid by funds.
    pub claims_paid: i64,
    /// Recoveries returned to funds.
    pub recoveries_to_fund: i64,
    /// Fund balances at the end.
    pub fund_end: i64,
    /// Loss borne by funds: claims paid − recoveries returned.
    pub loss_fund: i64,
    /// Loss borne by banks.
    pub loss_bank: i64,
    /// Loss borne by the third party (guarantor or insurer): what it paid
    /// less the recoveries returned to it.
    pub loss_guarantor: i64,
    /// Approved claims the funds could not pay by the end.
    pub loss_uncovered: i64,
    /// Interest subsidy paid.
    pub subsidy_paid: i64,
    /// All recoveries after write-off.
    pub recoveries: i64,
    /// Extensions granted (count).
    pub extensions: i64,
    /// New overdue episodes (a current loan missing a payment) that start
    /// at an interest or instalment date before maturity (count).
    pub new_overdue_at_interest: i64,
    /// New overdue episodes that start at maturity (count).
    pub new_overdue_at_maturity: i64,
    /// Renewals granted (count).
    pub renewals: i64,
    /// New first loans (count).
    pub new_loans: i64,
    /// Counties whose fund was exhausted (count).
    pub counties_exhausted: i64,
    /// Loans disbursed by product (count): first, follow-up, commercial.
    pub loans_by_product: [i64; 3],
    /// Principal outstanding at the end by product.
    pub outstanding_end_by_product: [i64; 3],
    /// Principal of commercial loans overdue at the end (outside the
    /// programme's overdue figures), fen.
    pub commercial_overdue_end: i64,
    /// Households with a programme loan (first or follow-up) at the end
    /// (count).
    pub borrowers_end: i64,
    /// Households holding two programme loans at the end — a first loan
    /// and a follow-up beside it (count).
    pub two_loan_households_end: i64,
    /// Eligible households that have never borrowed, at the end (count).
    pub never_borrowed_end: i64,
    /// Loan requests unmet because no bank served the township (count).
    pub unmet_no_bank: i64,
    /// Loan requests unmet because county lending was suspended (count).
    pub unmet_suspended: i64,
    /// Loan requests refused by the bank or the leverage limit (count).
    pub unmet_refused: i64,
    /// Demand surveys held (township count).
    pub surveys: i64,
    /// Township-months without a serving bank.
    pub unserved_township_months: i64,
    /// Requests approved through the post-disaster fast track (count); they
    /// are disbursed in the same month.
    pub fast_track_loans: i64,
    /// Never-borrowed households identified as 监测对象 (count): in
    /// ordinary months and after disasters.
    pub monitoring_entries: i64,
    /// Of them, those identified after a disaster (count).
    pub monitoring_entries_after_disasters: i64,
    /// Never-borrowed monitored households whose risk was removed
    /// (风险消除) and who left monitoring (count).
    pub monitoring_exits: i64,
    /// Subsidy owed but not yet paid at the end (late), fen.
    pub subsidy_late_end: i64,
    /// Loan requests refused by the leverage rule (count; part of
    /// `unmet_refused` for first loans; follow-ups and ladder steps
    /// refused by it are counted here too).
    pub refused_by_leverage: i64,
    /// Loans lent beyond the leverage multiple without the fund's cover
    /// (count; `leverage_excess = "uncovered"`).
    pub loans_uncovered: i64,
    /// Top-ups into the funds, every form and level (interest not
    /// included), fen.
    pub top_ups: i64,
    /// Top-ups made to cover loans beyond the leverage multiple
    /// (`leverage_excess = "top_up"`; part of `top_ups`), fen.
    pub leverage_top_ups: i64,
    /// Approved claims unpaid at the end, by cause (fen; they sum to
    /// `loss_uncovered` plus the part held back by a share cap).
    pub unpaid_end: UnpaidEnd,
    /// Counties whose top-ups ran out — an approved claim unpaid while the
    /// year's fiscal capacity or top-up cap was spent (count).
    pub counties_top_ups_ran_out: i64,
    // The claim cycle (issue 11, item 5).
    /// Principal recovered during legal collection, before the loss was
    /// determined (counted in `repaid`: it reduces the claims), fen.
    pub recovered_in_collection: i64,
    /// The funds' parts of the claims filed — the claims due (see
    /// `Fund::claims_due`), fen.
    pub claims_due: i64,
    /// Claims paid in full with a positive payment (count).
    pub claims_settled: i64,
    /// Months from default to payment summed over those claims.
    pub months_to_payment: i64,
    /// Highest month-end province NPL ratio of the programme's loans (91+
    /// days overdue ÷ outstanding principal, loans in the claim cycle
    /// included).
    pub peak_npl_rate: f64,
    /// Log of the path's likelihood ratio under importance sampling
    /// ([`crate::FactorTilt`]): 0 (weight 1) without a tilt.
    pub log_weight: f64,
}

impl PathTotals {
    /// Adds `o`'s counts and amounts (a county's part of the path) to
    /// these; the path's own figures (`peak_npl_rate`, `log_weight`) are
    /// left alone.
    pub(super) fn add(&mut self, o: &PathTotals) {
        self.disbursed += o.disbursed;
        self.repaid += o.repaid;
        self.written_off += o.written_off;
        self.outstanding_start += o.outstanding_start;
        self.outstanding_end += o.outstanding_end;
        self.fund_start += o.fund_start;
        self.fund_inflows += o.fund_inflows;
        self.claims_paid += o.claims_paid;
        self.recoveries_to_fund += o.recoveries_to_fund;
        self.fund_end += o.fund_end;
        self.loss_fund += o.loss_fund;
        self.loss_bank += o.loss_bank;
        self.loss_guarantor += o.loss_guarantor;
        self.loss_uncovered += o.loss_uncovered;
        self.subsidy_paid += o.subsidy_paid;
        self.recoveries += o.recoveries;
        self.extensions += o.extensions;
        self.new_overdue_at_interest += o.new_overdue_at_interest;
        self.new_overdue_at_maturity += o.new_overdue_at_maturity;
        self.renewals += o.renewals;
        self.new_loans += o.new_loans;
        self.counties_exhausted += o.counties_exhausted;
        for (a, b) in self.loans_by_product.iter_mut().zip(o.loans_by_product) {
            *a += b;
        }
        for (a, b) in self.outstanding_end_by_product.iter_mut().zip(o.outstanding_end_by_product) {
            *a += b;
        }
        self.commercial_overdue_end += o.commercial_overdue_end;
        self.borrowers_end += o.borrowers_end;
        self.two_loan_households_end += o.two_loan_households_end;
        self.never_borrowed_end += o.never_borrowed_end;
        self.unmet_no_bank += o.unmet_no_bank;
        self.unmet_suspended += o.unmet_suspended;
        self.unmet_refused += o.unmet_refused;
        self.surveys += o.surveys;
        self.unserved_township_months += o.unserved_township_months;
        self.fast_track_loans += o.fast_track_loans;
        self.monitoring_entries += o.monitoring_entries;
        self.monitoring_entries_after_disasters += o.monitoring_entries_after_disasters;
        self.monitoring_exits += o.monitoring_exits;
        self.subsidy_late_end += o.subsidy_late_end;
        self.refused_by_leverage += o.refused_by_leverage;
        self.loans_uncovered += o.loans_uncovered;
        self.top_ups += o.top_ups;
        self.leverage_top_ups += o.leverage_top_ups;
        self.unpaid_end.annual_cap += o.unpaid_end.annual_cap;
        self.unpaid_end.top_ups_spent += o.unpaid_end.top_ups_spent;
        self.unpaid_end.no_top_up += o.unpaid_end.no_top_up;
        self.unpaid_end.awaiting_top_up += o.unpaid_end.awaiting_top_up;
        self.counties_top_ups_ran_out += o.counties_top_ups_ran_out;
        self.recovered_in_collection += o.recovered_in_collection;
        self.claims_due += o.claims_due;
        self.claims_settled += o.claims_settled;
        self.months_to_payment += o.months_to_payment;
        // peak_npl_rate (f64) is the path's, not a sum over counties.
        // log_weight (f64) is the path's, not a sum over counties.
    }
}

/// Approved claims unpaid at the end of the horizon by cause, fen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpaidEnd {
    /// Held back by the annual cap as a share of the fund.
    pub annual_cap: i64,
    /// Owed by an empty fund whose year's top-ups ran out (fiscal capacity
    /// or top-up cap spent).
    pub top_ups_spent: i64,
    /// Owed by an empty fund with no top-up rule.
    pub no_top_up: i64,
    /// Owed by an empty fund awaiting its next top-up, with budget left.
    pub awaiting_top_up: i64,
}

impl UnpaidEnd {
    fn add(&mut self, u: UnpaidByCause) {
        self.annual_cap += u.annual_cap.0;
        self.top_ups_spent += u.top_ups_spent.0;
        self.no_top_up += u.no_top_up.0;
        self.awaiting_top_up += u.awaiting_top_up.0;
    }

    fn of(u: UnpaidByCause) -> UnpaidEnd {
        let mut out = UnpaidEnd::default();
        out.add(u);
        out
    }
}

/// One county's outcome on one path.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountyOutcome {
    /// Simulation month (0-based) of the fund's first exhaustion.
    pub exhausted_month: Option<u16>,
    /// Highest month-end overdue rate of the programme's loans.
    pub peak_overdue: f64,
    /// Overdue rate of the programme's loans at the end.
    pub final_overdue: f64,
    /// Loss borne by the fund, fen.
    pub loss_fund: i64,
    /// Households with a programme loan ÷ eligible households, at the end.
    pub coverage_end: f64,
    /// Claims paid by the fund over the horizon, fen.
    pub claims_paid: i64,
    /// Simulation month (0-based) in which the county's top-ups first ran
    /// out: an approved claim unpaid while the year's fiscal capacity (or
    /// top-up cap) was spent.
    pub top_ups_ran_out_month: Option<u16>,
    /// Top-ups into the fund over the horizon, every form and level, fen.
    pub top_ups: i64,
    /// Approved claims unpaid at the end, by cause, fen.
    pub unpaid_end: UnpaidEnd,
    /// The fund's parts of the claims filed over the horizon (claims due),
    /// fen.
    pub claims_due: i64,
    /// The fund's balance at the end, fen.
    pub fund_end: i64,
}

/// Everything one path produces. Serializable, so that a shard of a run
/// (`mcstress run --shard`) can hand its paths to the machine that merges
/// them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathResult {
    /// Province totals.
    pub totals: PathTotals,
    /// Province overdue rate of the programme's loans by month.
    pub province_overdue: Vec<f64>,
    /// County figures by month: index `(month × counties + county) ×
    /// COUNTY_FIGURES + figure`.
    pub county_monthly: Vec<f64>,
    /// Per county.
    pub counties: Vec<CountyOutcome>,
    /// Highest month-end province overdue rate of the programme's loans.
    pub peak_overdue: f64,
    /// Province overdue rate of the programme's loans at the end.
    pub final_overdue: f64,
    /// Each township's overdue rate by month, index `month × townships +
    /// township`, in units of 1/[`TOWNSHIP_RATE_UNIT`].
    pub township_overdue: Vec<u16>,
    /// Each township's highest month-end overdue rate.
    pub township_peak: Vec<f32>,
    /// Province NPL ratio of the programme's loans by month (91+ days
    /// overdue ÷ outstanding principal).
    pub province_npl: Vec<f64>,
}

/// A township's overdue rate is kept as a whole number of 1/65,535ths
/// (0.0015 percentage points), so that a month of 1,400 townships takes
/// 2.8 kB a path.
pub const TOWNSHIP_RATE_UNIT: f64 = 65_535.0;

/// A path's running record.
#[derive(Clone)]
pub(super) struct Record {
    /// The path's totals but each county's part of them (the shocks').
    pub tot: PathTotals,
    /// Each county's part of the totals (a revision that shares the path's
    /// loans but for some counties takes those counties' parts from their
    /// own simulation, see `shadow.rs`).
    pub county_tot: Vec<PathTotals>,
    /// Each county's principal and arrears of every loan written off: the
    /// base of the loss split between fund, bank, recoveries and the
    /// uncovered part.
    pub county_loss_base: Vec<i64>,
    province_overdue: Vec<f64>,
    county_monthly: Vec<f64>,
    outcomes: Vec<CountyOutcome>,
    township_overdue: Vec<u16>,
    township_peak: Vec<f32>,
    /// Each county's programme principal outstanding, overdue and
    /// non-performing at the end of each month, index `month × counties +
    /// county`: the province's figures are their sums.
    county_prov: Vec<[i64; 3]>,
    province_npl: Vec<f64>,
}

impl Record {
    pub fn new(m: &Model, horizon: usize) -> Record {
        let n_c = m.counties.len();
        Record {
            tot: PathTotals {
                outstanding_start: m.outstanding_start().0,
                fund_start: m.scenario.total_fund().0,
                ..PathTotals::default()
            },
            county_tot: vec![PathTotals::default(); n_c],
            county_loss_base: vec![0; n_c],
            province_overdue: Vec::with_capacity(horizon),
            county_monthly: vec![0f64; horizon * n_c * COUNTY_FIGURES],
            township_overdue: vec![0u16; horizon * m.townships.len()],
            township_peak: vec![0f32; m.townships.len()],
            outcomes: (0..n_c)
                .map(|_| CountyOutcome {
                    exhausted_month: None,
                    peak_overdue: 0.0,
                    final_overdue: 0.0,
                    loss_fund: 0,
                    coverage_end: 0.0,
                    claims_paid: 0,
                    top_ups_ran_out_month: None,
                    top_ups: 0,
                    unpaid_end: UnpaidEnd::default(),
                    claims_due: 0,
                    fund_end: 0,
                })
                .collect(),
            county_prov: vec![[0; 3]; horizon * n_c],
            province_npl: Vec::with_capacity(horizon),
        }
    }

    /// The record of a revision whose path shared these loans to the end
    /// ([`Shadow`]): this one, with the revision's funds at the start and
    /// their balances month by month. (The rest of what the funds did is
    /// read off them when the record is closed.)
    pub fn with_funds_of(&self, sh: &Shadow) -> Record {
        let mut r = self.clone();
        r.tot.fund_start = sh.m.scenario.total_fund().0;
        let n_c = self.outcomes.len();
        for (k, fig) in r.county_monthly.chunks_exact_mut(COUNTY_FIGURES).enumerate() {
            fig[FIG_FUND_YUAN] = sh.fund_yuan(k / n_c, k % n_c);
        }
        r
    }

    /// County `c`'s part of the totals, of the written-off loss base, and
    /// its outcome so far.
    pub fn county_part(&self, c: usize) -> (PathTotals, i64, Option<CountyOutcome>) {
        (self.county_tot[c].clone(), self.county_loss_base[c], Some(self.outcomes[c]))
    }

    /// The highest overdue rates so far of townships `towns`.
    pub fn township_peaks(&self, towns: std::ops::Range<usize>) -> &[f32] {
        &self.township_peak[towns]
    }

    /// Sets county `c`'s part as [`Record::county_part`] and
    /// [`Record::township_peaks`] gave it.
    pub fn set_county_part(
        &mut self,
        c: usize,
        tot: &PathTotals,
        loss_base: i64,
        outcome: Option<CountyOutcome>,
        towns: std::ops::Range<usize>,
        peaks: &[f32],
    ) {
        self.county_tot[c].clone_from(tot);
        self.county_loss_base[c] = loss_base;
        if let Some(o) = outcome {
            self.outcomes[c] = o;
        }
        self.township_peak[towns].copy_from_slice(peaks);
    }

    /// The counties of `mask` as `other` (a simulation of only those
    /// counties, each from its month of `restart` on) has them: their
    /// parts of the totals, their figures by month from the restart on,
    /// their townships', their outcomes; the province's figures by month
    /// are summed again.
    pub fn take_counties(&mut self, other: &Record, mask: &[bool], restart: &[usize], m: &Model) {
        let n_c = self.outcomes.len();
        let n_t = self.township_peak.len();
        let horizon = self.county_prov.len() / n_c.max(1);
        for (c, _) in mask.iter().enumerate().filter(|(_, d)| **d) {
            self.county_tot[c] = other.county_tot[c].clone();
            self.county_loss_base[c] = other.county_loss_base[c];
            self.outcomes[c] = other.outcomes[c];
            // Before its restart the county's figures are the shared path's.
            for t in restart[c]..horizon {
                let k = t * n_c + c;
                self.county_prov[k] = other.county_prov[k];
                let rows = k * COUNTY_FIGURES..(k + 1) * COUNTY_FIGURES;
                self.county_monthly[rows.clone()].copy_from_slice(&other.county_monthly[rows]);
                for tw in m.counties[c].townships.clone() {
                    self.township_overdue[t * n_t + tw] = other.township_overdue[t * n_t + tw];
                }
            }
            for tw in m.counties[c].townships.clone() {
                self.township_peak[tw] = other.township_peak[tw];
            }
        }
        self.province_overdue.clear();
        self.province_npl.clear();
        self.tot.peak_npl_rate = PathTotals::default().peak_npl_rate;
        for _ in 0..horizon {
            self.province_month();
        }
    }

    /// Stage 8 for county `c`: its figures at the end of the month.
    pub fn county_month(&mut self, ctx: &PathCtx, mc: &MonthCtx, ws: &mut Workspace, c: usize) {
        let agg = &ws.agg[c];
        // Month by month in test builds (on books small enough to scan):
        // the NPL stock is the principal of the programme's loans on the
        // book 4 or more months overdue — loans in the claim cycle
        // included, until their loss is determined.
        #[cfg(debug_assertions)]
        {
            let book = &ws.books[c];
            if book.len() <= 50_000 {
                let npl: i64 = (0..book.len())
                    .filter(|&i| {
                        book.next_event[i] != crate::book::NEVER
                            && crate::book::programme(book.product[i])
                            && crate::book::non_performing(book.overdue[i])
                    })
                    .map(|i| book.principal[i])
                    .sum();
                debug_assert_eq!(agg.npl, npl, "county {c}, month {}: NPL stock", mc.t);
            }
        }
        let cm = &ctx.m.counties[c];
        let rate_c = agg.ratio(agg.overdue);
        ws.county[c].overdue_prev = rate_c;
        let o = &mut self.outcomes[c];
        o.peak_overdue = o.peak_overdue.max(rate_c);
        o.final_overdue = rate_c;
        let base = (mc.t * ctx.n_c + c) * COUNTY_FIGURES;
        let fig = &mut self.county_monthly[base..base + COUNTY_FIGURES];
        fig[FIG_OVERDUE_RATE] = rate_c;
        fig[FIG_FUND_YUAN] = ws.funds[c].balance.0 as f64 / 100.0;
        fig[FIG_OUTSTANDING_YUAN] = agg.programme() as f64 / 100.0;
        fig[FIG_COVERAGE] = coverage(agg, cm.eligible);
        self.county_prov[mc.t * ctx.n_c + c] = [agg.programme(), agg.overdue, agg.npl];
        let n_t = ws.towns.len();
        for tw in cm.townships.clone() {
            let st = &ws.towns[tw];
            let rate = if st.balance > 0 { st.overdue as f64 / st.balance as f64 } else { 0.0 };
            self.township_overdue[mc.t * n_t + tw] = (rate * TOWNSHIP_RATE_UNIT).round() as u16;
            self.township_peak[tw] = self.township_peak[tw].max(rate as f32);
        }
    }

    /// The province's figure for the month, once every county is recorded.
    pub fn province_month(&mut self) {
        let (t, n_c) = (self.province_overdue.len(), self.outcomes.len());
        let [mut out, mut overdue, mut npl] = [0i64; 3];
        for x in &self.county_prov[t * n_c..(t + 1) * n_c] {
            (out, overdue, npl) = (out + x[0], overdue + x[1], npl + x[2]);
        }
        self.province_overdue.push(if out > 0 { overdue as f64 / out as f64 } else { 0.0 });
        let npl_rate = if out > 0 { npl as f64 / out as f64 } else { 0.0 };
        self.province_npl.push(npl_rate);
        self.tot.peak_npl_rate = self.tot.peak_npl_rate.max(npl_rate);
    }

    /// Closes the books at the end of the path.
    pub fn finish(self, ctx: &PathCtx, ws: &Workspace) -> PathResult {
        let Record {
            mut tot,
            county_tot,
            county_loss_base,
            province_overdue,
            county_monthly,
            mut outcomes,
            township_overdue,
            township_peak,
            province_npl,
            ..
        } = self;
        for (c, book) in ws.books.iter().enumerate() {
            debug_assert_eq!(
                ws.agg[c],
                Balances::of(book, ctx.m.counties[c].covered_by_product),
                "county {c}"
            );
            #[cfg(debug_assertions)]
            for tw in ctx.m.counties[c].townships.clone() {
                let (mut bal, mut od) = (0, 0);
                for i in 0..book.len() {
                    if book.next_event[i] != crate::book::NEVER
                        && book.township[i] as usize == tw
                        && crate::book::programme(book.product[i])
                    {
                        bal += book.principal[i];
                        od += if book.overdue[i] > 0 { book.principal[i] } else { 0 };
                    }
                }
                debug_assert_eq!((ws.towns[tw].balance, ws.towns[tw].overdue), (bal, od), "township {tw}");
            }
        }
        for t in &county_tot {
            tot.add(t);
        }
        let loss_base_total: i64 = county_loss_base.iter().sum();
        let mut unpaid_total = 0;
        let last = (ctx.s.horizon_months as usize).saturating_sub(1);
        for (c, f) in ws.funds.iter().enumerate() {
            let unpaid = f.unpaid_by_cause(&ctx.rules_for(c, last).rules.fund);
            tot.unpaid_end.add(unpaid);
            tot.top_ups += f.top_ups.0;
            tot.leverage_top_ups += f.leverage_top_ups.0;
            if f.top_ups_ran_out_at.is_some() {
                tot.counties_top_ups_ran_out += 1;
            }
            debug_assert!(f.balances());
            tot.fund_inflows += f.inflows.0;
            tot.claims_paid += f.claims_paid.0;
            tot.recoveries_to_fund += f.recoveries.0;
            tot.fund_end += f.balance.0;
            unpaid_total += f.unpaid_approved().0;
            tot.loss_guarantor += f.third_party_loss().0;
            let o = &mut outcomes[c];
            o.exhausted_month = f.exhausted_at;
            o.loss_fund = f.claims_paid.0 - f.recoveries.0;
            o.claims_paid = f.claims_paid.0;
            o.top_ups_ran_out_month = f.top_ups_ran_out_at;
            o.top_ups = f.top_ups.0;
            o.unpaid_end = UnpaidEnd::of(unpaid);
            o.claims_due = f.claims_due.0;
            o.fund_end = f.balance.0;
            tot.claims_due += f.claims_due.0;
            tot.claims_settled += i64::from(f.claims_settled);
            tot.months_to_payment += f.months_to_payment as i64;
            o.coverage_end = coverage(&ws.agg[c], ctx.m.counties[c].eligible);
            if f.exhausted_at.is_some() {
                tot.counties_exhausted += 1;
            }
        }
        for a in &ws.agg {
            tot.outstanding_end += a.outstanding;
            tot.borrowers_end += a.programme_households();
            tot.two_loan_households_end += a.two_loan_households;
            tot.commercial_overdue_end += a.commercial_overdue;
            for (k, v) in a.by_product.iter().enumerate() {
                tot.outstanding_end_by_product[k] += v;
            }
        }
        for st in &ws.towns {
            tot.never_borrowed_end += (st.never[0] + st.never[1]) as i64;
        }
        tot.subsidy_late_end = ws.county.iter().map(|c| c.subsidy.owed.0).sum();
        tot.loss_fund = tot.claims_paid - tot.recoveries_to_fund;
        tot.loss_uncovered = unpaid_total;
        tot.loss_bank =
            loss_base_total - tot.recoveries - tot.loss_fund - tot.loss_uncovered - tot.loss_guarantor;
        let peak = province_overdue.iter().copied().fold(0.0, f64::max);
        let fin = province_overdue.last().copied().unwrap_or(0.0);
        PathResult {
            totals: tot,
            province_overdue,
            county_monthly,
            counties: outcomes,
            peak_overdue: peak,
            final_overdue: fin,
            township_overdue,
            township_peak,
            province_npl,
        }
    }
}

/// Households with a programme loan ÷ eligible households (commercial
/// credit stays outside the programme's coverage).
fn coverage(agg: &Balances, eligible: u32) -> f64 {
    if eligible > 0 { agg.programme_households() as f64 / eligible as f64 } else { 0.0 }
}
