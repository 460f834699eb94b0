//! One simulated path: the monthly step of design §4 for every county and
//! loan, month by month.
//!
//! Order within a month: (1) shocks — factors, prices, disasters and
//! scripted events; (2–4) every loan of a county: payments due, cure or
//! roll of overdue loans, maturities with extension or renewal; (5) claims
//! and the fund's payments, write-offs, recoveries; suspension review;
//! (6) new first loans by township; (7) fund interest and top-ups (the
//! subsidy is booked with each on-time interest payment, quarterly);
//! (8) record the month.

use mcstress_compensation::{ActivationInputs, Fund, RatioMetric, Suspension, leverage_allows};
use mcstress_domain::{Category, Fen, Grade, Industry, Product};
use mcstress_loans::{ExtensionRules, MaturityContext, RenewalRules, Schedule, Standing};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Binomial, Distribution};

use crate::book::{LoanBook, NewLoan};
use crate::model::{Model, RISK_CELLS, pick_cum, risk_cell};
use crate::normal::{inv_phi, phi};
use crate::rng::{Stream, normal, purpose, second, unit};

/// Figures recorded per county per month.
pub const COUNTY_FIGURES: usize = 3;
/// Index of the overdue rate in a county-month record.
pub const FIG_OVERDUE_RATE: usize = 0;
/// Index of the fund balance (yuan) in a county-month record.
pub const FIG_FUND_YUAN: usize = 1;
/// Index of the outstanding principal (yuan) in a county-month record.
pub const FIG_OUTSTANDING_YUAN: usize = 2;

/// Province totals of one path, in fen (counts where named).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// Approved claims the funds could not pay by the end.
    pub loss_uncovered: i64,
    /// Interest subsidy paid.
    pub subsidy_paid: i64,
    /// All recoveries after write-off.
    pub recoveries: i64,
    /// Extensions granted (count).
    pub extensions: i64,
    /// Renewals granted (count).
    pub renewals: i64,
    /// New first loans (count).
    pub new_loans: i64,
    /// Counties whose fund was exhausted (count).
    pub counties_exhausted: i64,
}

/// One county's outcome on one path.
#[derive(Clone, Debug, PartialEq)]
pub struct CountyOutcome {
    /// Simulation month (0-based) of the fund's first exhaustion.
    pub exhausted_month: Option<u16>,
    /// Highest month-end overdue rate.
    pub peak_overdue: f64,
    /// Overdue rate at the end.
    pub final_overdue: f64,
    /// Loss borne by the fund, fen.
    pub loss_fund: i64,
}

/// Everything one path produces.
#[derive(Clone, Debug, PartialEq)]
pub struct PathResult {
    /// Province totals.
    pub totals: PathTotals,
    /// Province overdue rate by month.
    pub province_overdue: Vec<f64>,
    /// County figures by month: index `(month × counties + county) ×
    /// COUNTY_FIGURES + figure`.
    pub county_monthly: Vec<f64>,
    /// Per county.
    pub counties: Vec<CountyOutcome>,
    /// Highest month-end province overdue rate.
    pub peak_overdue: f64,
    /// Province overdue rate at the end.
    pub final_overdue: f64,
}

#[derive(Clone, Debug)]
struct Recoverable {
    remaining: i64,
    claim: u32,
    age: u16,
}
const NO_CLAIM: u32 = u32::MAX;

/// Per-thread scratch state, reused across paths.
pub(crate) struct Workspace {
    books: Vec<LoanBook>,
    funds: Vec<Fund>,
    recov: Vec<Vec<Recoverable>>,
    suspension: Vec<Suspension>,
    pools: Vec<u32>,
    county_factor: Vec<f64>,
    pref_factor: Vec<f64>,
    disaster: Vec<[f64; 5]>,
    table: Vec<f64>,
    /// Thresholds Φ⁻¹(p) per cell for counties without a disaster.
    plain_thr: Vec<f64>,
    /// Covered outstanding principal of each county at the end of the
    /// previous month (the leverage test of renewals reads it).
    covered_prev: Vec<i64>,
    /// Each county's balances, kept current by deltas.
    agg: Vec<Balances>,
}

/// A county's principal balances, fen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Balances {
    pub outstanding: i64,
    pub covered: i64,
    pub overdue: i64,
    pub npl: i64,
}

impl Balances {
    /// Recomputed from a book (for the start, and for debug checks).
    pub fn of(book: &LoanBook, first_covered: bool, follow_covered: bool) -> Balances {
        let mut b = Balances::default();
        for i in 0..book.len() {
            if book.next_event[i] == crate::book::NEVER {
                continue;
            }
            let p = book.principal[i];
            b.outstanding += p;
            let covered = match book.product[i] {
                0 => first_covered,
                1 => follow_covered,
                _ => false,
            };
            if covered {
                b.covered += p;
            }
            if book.overdue[i] > 0 {
                b.overdue += p;
            }
            if book.overdue[i] >= 4 {
                b.npl += p;
            }
        }
        b
    }
}

impl Workspace {
    pub fn new(m: &Model) -> Workspace {
        let c = m.counties.len();
        Workspace {
            books: m.books.clone(),
            funds: m.counties.iter().map(|c| Fund::new(c.fund)).collect(),
            recov: vec![Vec::new(); c],
            suspension: vec![Suspension::default(); c],
            pools: m.townships.iter().map(|t| t.pool_start).collect(),
            county_factor: vec![0.0; c],
            pref_factor: vec![0.0; m.scenario.prefectures.len()],
            disaster: vec![[0.0; 5]; c],
            table: vec![0.0; RISK_CELLS * 2],
            plain_thr: vec![f64::NAN; RISK_CELLS * 2],
            covered_prev: m.counties.iter().map(|c| c.covered_start.0).collect(),
            agg: m.balances_start.clone(),
        }
    }

    fn reset(&mut self, m: &Model) {
        for (b, t) in self.books.iter_mut().zip(&m.books) {
            b.reset_from(t);
        }
        for (f, c) in self.funds.iter_mut().zip(&m.counties) {
            f.reset(c.fund);
        }
        for r in &mut self.recov {
            r.clear();
        }
        self.suspension.fill(Suspension::default());
        for (p, t) in self.pools.iter_mut().zip(&m.townships) {
            *p = t.pool_start;
        }
        self.disaster.fill([0.0; 5]);
        for (p, c) in self.covered_prev.iter_mut().zip(&m.counties) {
            *p = c.covered_start.0;
        }
        self.agg.clone_from(&m.balances_start);
    }
}

/// Simulates path `path` with master seed `seed`.
// The county index addresses a dozen parallel arrays; a range loop is clearest.
#[allow(clippy::needless_range_loop)]
pub(crate) fn simulate(m: &Model, ws: &mut Workspace, seed: u64, path: u64) -> PathResult {
    ws.reset(m);
    let s = &m.scenario;
    let b = &s.behaviour;
    let rules = &s.rules;
    let n_c = m.counties.len();
    let horizon = s.horizon_months as usize;
    let rate = s.portfolio.rate;
    let repayment = s.portfolio.repayment;
    let term = s.portfolio.term_months as i32;

    let st_prov = Stream::new(seed, path, purpose::FACTOR_PROVINCE);
    let st_pref = Stream::new(seed, path, purpose::FACTOR_PREFECTURE);
    let st_cty = Stream::new(seed, path, purpose::FACTOR_COUNTY);
    let st_price = Stream::new(seed, path, purpose::PRICE);
    let st_dis = Stream::new(seed, path, purpose::DISASTER);
    let st_dis_c = Stream::new(seed, path, purpose::DISASTER_COUNTY);
    let st_loan = Stream::new(seed, path, purpose::LOAN);
    let st_rec = Stream::new(seed, path, purpose::RECOVERY);
    let st_up = Stream::new(seed, path, purpose::UPTAKE);
    let st_new = Stream::new(seed, path, purpose::NEW_LOAN);

    let phi_ar = b.factor_persistence;
    let innov = (1.0 - phi_ar * phi_ar).sqrt();
    let (wg, wp) = (b.province_weight, b.prefecture_weight);
    let wc = (1.0 - wg - wp).max(0.0);
    let sqrt_rho = b.asset_correlation.sqrt();
    let sqrt_1mrho = (1.0 - b.asset_correlation).sqrt();
    let cure: [f64; 4] = b.cure.map(|c| (c * b.collection_effort).min(1.0));
    let rec_prob = (b.recovery_probability * b.collection_effort).min(1.0);
    let first_covered = rules.loans.first.fund_covered;
    let follow_covered = rules.loans.follow_up.fund_covered;
    let write_off_months = rules.lending.write_off_months.min(255) as u8;
    let trigger = m.trigger_months.min(255) as u8;
    let ext: &ExtensionRules = &rules.loans.extension;
    let ren: &RenewalRules = &rules.loans.renewal;
    let subsidised: [bool; 3] = Product::ALL.map(|p| rules.loans.product(p).subsidised);
    let rate_within_cap = rate <= rules.loans.subsidy.rate_cap;
    let ln_dis: Vec<f64> = s.shocks.disasters.iter().map(|d| d.distress_multiplier.ln()).collect();

    let mut tot = PathTotals {
        outstanding_start: m.outstanding_start().0,
        fund_start: s.total_fund().0,
        ..PathTotals::default()
    };
    let mut loss_base_total: i64 = 0;
    let mut province_overdue = Vec::with_capacity(horizon);
    let mut county_monthly = vec![0f64; horizon * n_c * 3];
    let mut outcomes: Vec<CountyOutcome> = (0..n_c)
        .map(|_| CountyOutcome { exhausted_month: None, peak_overdue: 0.0, final_overdue: 0.0, loss_fund: 0 })
        .collect();
    let mut province_factor = 0.0;
    let mut price = [0.0f64; Industry::COUNT];
    let mut price_mult = [1.0f64; Industry::COUNT];

    for t in 0..horizon {
        let tm = t as u64;
        let cal = s.start.plus(t as i32);
        let month_idx = (cal.month - 1) as usize;

        // (1) Shocks. Factors start from their stationary law in month 0.
        let ar = |prev: f64, z: f64| if t == 0 { z } else { phi_ar * prev + innov * z };
        province_factor = ar(province_factor, normal(st_prov.bits(0, tm)));
        for (r, f) in ws.pref_factor.iter_mut().enumerate() {
            *f = ar(*f, normal(st_pref.bits(r as u64, tm)));
        }
        for (c, f) in ws.county_factor.iter_mut().enumerate() {
            *f = ar(*f, normal(st_cty.bits(c as u64, tm)));
        }
        for (i, pp) in s.shocks.prices.iter().enumerate() {
            let bits = st_price.bits(i as u64, tm);
            let mut x = (1.0 - pp.mean_reversion) * price[i] + pp.volatility * normal(bits);
            let jb = second(bits);
            if unit(jb) < pp.jump_probability {
                x += pp.jump_mean + pp.jump_sd * normal(second(jb));
            }
            price[i] = x;
        }
        // Disasters: decay, then arrivals by prefecture, then scripted events.
        for d in ws.disaster.iter_mut() {
            for (k, dk) in s.shocks.disasters.iter().enumerate() {
                d[k] *= dk.persistence;
            }
        }
        for (k, dk) in s.shocks.disasters.iter().enumerate() {
            let p = m.disaster_monthly[k][month_idx];
            if p <= 0.0 {
                continue;
            }
            for (r, members) in m.prefecture_counties.iter().enumerate() {
                if unit(st_dis.bits((r * 8 + k) as u64, tm)) >= p {
                    continue;
                }
                for &c in members {
                    if unit(st_dis_c.bits((c * 8 + k) as u64, tm)) < dk.county_share {
                        ws.disaster[c][k] += 1.0;
                    }
                }
            }
        }
        for &e in &m.events_by_month[t] {
            let ev = &s.shocks.events[e];
            match ev.kind {
                mcstress_scenario::EventKind::Disaster(kind) => {
                    let k = s.shocks.disasters.iter().position(|d| d.kind == kind).unwrap_or(0);
                    if ev.counties.is_empty() {
                        ws.disaster.iter_mut().for_each(|d| d[k] += ev.severity);
                    } else {
                        for &c in &ev.counties {
                            ws.disaster[c][k] += ev.severity;
                        }
                    }
                }
                mcstress_scenario::EventKind::Price(ind) => {
                    price[ind as usize] += (1.0 + ev.price_change).ln();
                }
            }
        }
        for (i, pp) in s.shocks.prices.iter().enumerate() {
            price_mult[i] = (-pp.sensitivity * price[i]).exp();
        }

        ws.plain_thr.fill(f64::NAN);
        let mut prov_out: i64 = 0;
        let mut prov_overdue: i64 = 0;
        for c in 0..n_c {
            let cm = &m.counties[c];
            let fc = wg.sqrt() * province_factor
                + wp.sqrt() * ws.pref_factor[cm.prefecture]
                + wc.sqrt() * ws.county_factor[c];
            // Log distress multiplier of each industry from disasters.
            let mut dis_log = [0.0f64; Industry::COUNT];
            for (k, dk) in s.shocks.disasters.iter().enumerate() {
                let intensity = ws.disaster[c][k];
                if intensity > 1e-6 {
                    for (i, e) in dk.exposure.iter().enumerate() {
                        dis_log[i] += intensity * ln_dis[k] * e;
                    }
                }
            }
            // Conditional distress probabilities, computed lazily per cell;
            // thresholds Φ⁻¹(p) are shared by every county without a
            // disaster this month.
            ws.table.fill(-1.0);
            let plain = dis_log.iter().all(|x| *x == 0.0);
            let suspended = ws.suspension[c].suspended;
            let fund_balance_start = ws.funds[c].balance;
            let covered_prev = ws.covered_prev[c];

            // (2–4) Loans. Only loans with an event this month are touched;
            // the county's balances are kept up to date by deltas.
            let book = &mut ws.books[c];
            let fund = &mut ws.funds[c];
            let recov = &mut ws.recov[c];
            let agg = &mut ws.agg[c];
            let cond_p = |cell: usize, at_maturity: bool, table: &mut [f64], plain_thr: &mut [f64]| -> f64 {
                let idx = cell * 2 + at_maturity as usize;
                let v = table[idx];
                if v >= 0.0 {
                    return v;
                }
                let threshold = |dis: f64| {
                    let class = cell / Industry::COUNT;
                    let ind = cell % Industry::COUNT;
                    let mut p = m.base_p[class] * price_mult[ind] * dis;
                    if at_maturity {
                        p *= b.maturity_multiplier;
                    }
                    inv_phi(p.clamp(1e-12, 0.999))
                };
                let thr = if plain {
                    if plain_thr[idx].is_nan() {
                        plain_thr[idx] = threshold(1.0);
                    }
                    plain_thr[idx]
                } else {
                    threshold(dis_log[cell % Industry::COUNT].exp())
                };
                let v = phi((thr - sqrt_rho * fc) / sqrt_1mrho);
                table[idx] = v;
                v
            };
            let table = &mut ws.table;
            let plain_thr = &mut ws.plain_thr;
            let t16 = t as i16;
            for i in 0..book.len() {
                if book.next_event[i] != t16 {
                    continue;
                }
                let od = book.overdue[i];
                let p = book.principal[i];
                let covered = match book.product[i] {
                    0 => first_covered,
                    1 => follow_covered,
                    _ => false,
                };
                let cov = if covered { p } else { 0 };
                let bits = st_loan.bits(book.id[i], tm);
                if od > 0 {
                    let distress = cond_p(book.risk[i] as usize, false, table, plain_thr);
                    let bucket = match od {
                        1 => 0,
                        2..=3 => 1,
                        4..=6 => 2,
                        _ => 3,
                    };
                    let cured = unit(bits) >= distress && unit(second(bits)) < cure[bucket];
                    if cured {
                        // Pays its arrears; a loan past maturity repays in full.
                        agg.overdue -= p;
                        if od >= 4 {
                            agg.npl -= p;
                        }
                        book.overdue[i] = 0;
                        book.arrears[i] = 0;
                        if t as i32 >= book.maturity[i] as i32 {
                            tot.repaid += p;
                            agg.outstanding -= p;
                            agg.covered -= cov;
                            ws.pools[book.township[i] as usize] += 1;
                            book.close(i);
                            continue;
                        }
                        let sched = Schedule {
                            repayment,
                            start: book.start[i] as i32,
                            maturity: book.maturity[i] as i32,
                        };
                        book.next_event[i] = sched.next_due_after(t as i32) as i16;
                    } else {
                        let od = od.saturating_add(1);
                        book.overdue[i] = od;
                        if od == 4 {
                            agg.npl += p;
                        }
                        book.arrears[i] += Fen(p).interest(rate, 1).0;
                        book.next_event[i] = t16 + 1;
                        let claim_now = covered && od >= trigger;
                        if claim_now || (!covered && od >= write_off_months) {
                            let a = book.arrears[i];
                            tot.written_off += p;
                            loss_base_total += p + a;
                            agg.outstanding -= p;
                            agg.covered -= cov;
                            agg.overdue -= p;
                            if od >= 4 {
                                agg.npl -= p;
                            }
                            let claim = if claim_now {
                                let base = rules.claims.claim_base(Fen(p), Fen(a));
                                fund.file(&rules.claims, book.id[i], base, t as u16) as u32
                            } else {
                                NO_CLAIM
                            };
                            recov.push(Recoverable { remaining: p + a, claim, age: 0 });
                            book.close(i);
                        }
                    }
                    continue;
                }
                // A payment falls due.
                let sched =
                    Schedule { repayment, start: book.start[i] as i32, maturity: book.maturity[i] as i32 };
                let due = sched.due(t as i32, Fen(p), rate);
                let at_mat = due.at_maturity;
                let distressed = unit(bits) < cond_p(book.risk[i] as usize, at_mat, table, plain_thr);
                let product = Product::ALL[book.product[i] as usize];
                // On-time interest of a subsidised product earns the subsidy;
                // when the contract rate is within the cap it is the interest.
                let subsidy = |principal: i64| {
                    if !subsidised[book.product[i] as usize] {
                        0
                    } else if rate_within_cap {
                        due.interest.0
                    } else {
                        rules.loans.subsidy_due(product, Fen(principal), rate, due.interest_months, 0).0
                    }
                };
                if !distressed {
                    tot.subsidy_paid += subsidy(p);
                    let paid = due.principal.0;
                    tot.repaid += paid;
                    agg.outstanding -= paid;
                    if covered {
                        agg.covered -= paid;
                    }
                    book.principal[i] -= paid;
                    if at_mat || book.principal[i] == 0 {
                        ws.pools[book.township[i] as usize] += 1;
                        book.close(i);
                        continue;
                    }
                    book.next_event[i] = sched.next_due_after(t as i32) as i16;
                    continue;
                }
                if at_mat {
                    let standing = Standing {
                        months_overdue: 0,
                        extensions: book.extensions[i],
                        renewals: book.renewals[i],
                    };
                    let ctx = MaturityContext {
                        business_running: unit(second(bits)) < b.business_running,
                        bank_serves_township: m.townships[book.township[i] as usize].served,
                        county_suspended: suspended,
                        within_leverage: leverage_allows(
                            rules.lending.leverage_max,
                            Fen(covered_prev),
                            fund_balance_start,
                            Fen::ZERO,
                        ),
                    };
                    if ext.may_extend(standing, ctx).is_ok() {
                        // The borrower pays the interest; the principal moves.
                        tot.subsidy_paid += subsidy(p);
                        book.extensions[i] += 1;
                        book.maturity[i] += ext.max_months as i16;
                        let s2 = Schedule { maturity: book.maturity[i] as i32, ..sched };
                        book.next_event[i] = s2.next_due_after(t as i32) as i16;
                        tot.extensions += 1;
                        continue;
                    }
                    if ren.may_renew(standing, ctx).is_ok() {
                        // A new contract repays the old one (无还本续贷).
                        tot.subsidy_paid += subsidy(p);
                        tot.repaid += p;
                        tot.disbursed += p;
                        book.renewals[i] += 1;
                        book.start[i] = t16;
                        book.maturity[i] = (t as i32 + ren.term_months as i32) as i16;
                        let s2 = Schedule { repayment, start: t as i32, maturity: book.maturity[i] as i32 };
                        book.next_event[i] = s2.next_due_after(t as i32) as i16;
                        tot.renewals += 1;
                        continue;
                    }
                }
                // Missed: 1–30 days overdue at the end of the month.
                book.overdue[i] = 1;
                book.arrears[i] += due.interest.0;
                book.next_event[i] = t16 + 1;
                agg.overdue += p;
            }
            let outstanding = agg.outstanding;
            let mut covered_out = agg.covered;
            let overdue_p = agg.overdue;
            let npl_p = agg.npl;
            // (5) Claims and recoveries.
            let ratio = |x: i64| if outstanding > 0 { x as f64 / outstanding as f64 } else { 0.0 };
            let inputs = ActivationInputs { overdue_ratio: ratio(overdue_p), npl_ratio: ratio(npl_p) };
            fund.settle(&rules.claims, t as u16, cal.year, inputs);
            if !recov.is_empty() {
                let window = b.recovery_window_months;
                for (j, r) in recov.iter_mut().enumerate() {
                    if r.remaining <= 0 || r.age >= window {
                        continue;
                    }
                    r.age += 1;
                    // Key by claim order within the county: stable for a path.
                    if unit(st_rec.bits(((c as u64) << 32) | j as u64, tm)) < rec_prob {
                        let amount = ((r.remaining as f64) * b.recovery_fraction).round() as i64;
                        let amount = amount.clamp(1, r.remaining);
                        r.remaining -= amount;
                        tot.recoveries += amount;
                        if r.claim != NO_CLAIM {
                            fund.recover(&rules.claims, r.claim as usize, Fen(amount));
                        }
                    }
                }
            }
            let metric = match rules.lending.suspension_metric {
                RatioMetric::Npl => inputs.npl_ratio,
                RatioMetric::Overdue => inputs.overdue_ratio,
            };
            let in_default = rules.lending.suspend_on_fund_default && fund.in_default();
            ws.suspension[c].update(metric, cm.tolerance, in_default, cal.month.is_multiple_of(3));

            // (6) New first loans by township.
            if !ws.suspension[c].suspended && b.uptake_monthly > 0.0 {
                let mix = &s.portfolio.mix;
                'townships: for tw in cm.townships.clone() {
                    if !m.townships[tw].served || ws.pools[tw] == 0 {
                        continue;
                    }
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(st_up.bits(tw as u64, tm));
                    let n = Binomial::new(ws.pools[tw] as u64, b.uptake_monthly)
                        .map(|d| d.sample(&mut rng))
                        .unwrap_or(0);
                    for k in 0..n {
                        // New loans: bit 63 set, then township (23 bits), month (12), index (28).
                        let id = (1u64 << 63) | ((tw as u64) << 40) | (tm << 28) | k;
                        let bits = st_new.bits(id, tm);
                        let b2 = second(bits);
                        let b3 = second(b2);
                        let b4 = second(b3);
                        let amount = mix.amounts[pick_cum(unit(bits), &m.amount_cum)].0;
                        if !leverage_allows(
                            rules.lending.leverage_max,
                            Fen(covered_out),
                            fund.balance,
                            amount,
                        ) {
                            break 'townships;
                        }
                        let cat = Category::ALL[pick_cum(unit(b2), &m.category_cum)];
                        let grade = Grade::ALL[pick_cum(unit(b3), &m.grade_cum)];
                        let ind = Industry::ALL[pick_cum(unit(b4), &m.industry_cum[c])];
                        let sched = Schedule { repayment, start: t as i32, maturity: t as i32 + term };
                        book.push(NewLoan {
                            id,
                            principal: amount.0,
                            start: t as i16,
                            maturity: (t as i32 + term) as i16,
                            next_event: sched.next_due_after(t as i32) as i16,
                            risk: risk_cell(cat, grade, ind),
                            product: Product::First as u8,
                            township: tw as u32,
                        });
                        ws.pools[tw] -= 1;
                        tot.disbursed += amount.0;
                        tot.new_loans += 1;
                        agg.outstanding += amount.0;
                        if first_covered {
                            agg.covered += amount.0;
                        }
                        covered_out = agg.covered;
                    }
                }
            }

            // (7) Fund cash: interest, then the top-up rule.
            fund.deposit_interest(&rules.fund);
            fund.top_up(&rules.fund, cal.year, cal.month, Fen(covered_out));

            // (8) Record.
            ws.covered_prev[c] = covered_out;
            let outstanding = agg.outstanding;
            let rate_c = if outstanding > 0 { overdue_p as f64 / outstanding as f64 } else { 0.0 };
            let o = &mut outcomes[c];
            o.peak_overdue = o.peak_overdue.max(rate_c);
            o.final_overdue = rate_c;
            let base = (t * n_c + c) * 3;
            county_monthly[base + FIG_OVERDUE_RATE] = rate_c;
            county_monthly[base + FIG_FUND_YUAN] = fund.balance.0 as f64 / 100.0;
            county_monthly[base + FIG_OUTSTANDING_YUAN] = outstanding as f64 / 100.0;
            prov_out += outstanding;
            prov_overdue += overdue_p;
        }
        province_overdue.push(if prov_out > 0 { prov_overdue as f64 / prov_out as f64 } else { 0.0 });
    }

    // Close the books.
    for (c, book) in ws.books.iter().enumerate() {
        debug_assert_eq!(ws.agg[c], Balances::of(book, first_covered, follow_covered), "county {c}");
    }
    let mut unpaid_total = 0;
    for (c, f) in ws.funds.iter().enumerate() {
        debug_assert!(f.balances());
        tot.fund_inflows += f.inflows.0;
        tot.claims_paid += f.claims_paid.0;
        tot.recoveries_to_fund += f.recoveries.0;
        tot.fund_end += f.balance.0;
        let unpaid = f.unpaid_approved().0;
        unpaid_total += unpaid;
        outcomes[c].exhausted_month = f.exhausted_at;
        outcomes[c].loss_fund = f.claims_paid.0 - f.recoveries.0;
        if f.exhausted_at.is_some() {
            tot.counties_exhausted += 1;
        }
    }
    tot.outstanding_end = ws.books.iter().map(|b| b.principal.iter().sum::<i64>()).sum();
    tot.loss_fund = tot.claims_paid - tot.recoveries_to_fund;
    tot.loss_uncovered = unpaid_total;
    tot.loss_bank = loss_base_total - tot.recoveries - tot.loss_fund - tot.loss_uncovered;
    let peak = province_overdue.iter().copied().fold(0.0, f64::max);
    let fin = province_overdue.last().copied().unwrap_or(0.0);
    PathResult {
        totals: tot,
        province_overdue,
        county_monthly,
        counties: outcomes,
        peak_overdue: peak,
        final_overdue: fin,
    }
}
