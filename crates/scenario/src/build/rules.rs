//! `[rules.*]`: the policy rules, one reader per sub-table.

use mcstress_compensation::{
    Activation, AnnualShareCap, CapBase, CapExcess, ClaimCycle, ClaimRules, FiscalCapacity, FundRules,
    LendingRules, LevelSplit, LeverageExcess, LimitPeriod, LossBase, NplGrades, RatioMetric, StageMonths,
    ThirdParty, TopUp,
};
use mcstress_domain::{Fen, Rate, Share, YearMonth};
use mcstress_households::{FastTrackReach, MonitoringRules};
use mcstress_loans::{ExtensionRules, LoanRules, ProductRules, ReliefRules, RenewalRules, SubsidyRules};

use super::{MAX_YUAN, county_list, items, share, sim_month};
use crate::model::*;
use crate::read::{Cx, Tab, num};
use crate::tree::Node;

/// What the rules are checked against: the whole tree (to locate the
/// portfolio fields the loan rules bound), the portfolio's rate and term,
/// the counties and the calendar.
pub(super) struct Context<'a> {
    pub root: &'a Node,
    pub rate: Rate,
    pub term: u16,
    pub counties: &'a [County],
    pub start: YearMonth,
    pub horizon: u16,
    /// The starting book's loan amounts: the default of new first loans'.
    pub amounts: &'a [(Fen, f64)],
}

pub(super) fn read(cx: &mut Cx<'_>, top: &mut Tab<'_>, c: &Context<'_>) -> Rules {
    let mut rt = cx.table(top, "rules");
    let (loans, follow_max) = loans(cx, &mut rt, c);
    let claims = compensation(cx, &mut rt);
    let fund = fund(cx, &mut rt);
    let lending = lending(cx, &mut rt);
    let ladder = ladder(cx, &mut rt, follow_max, loans.first.max_term_months);
    let demand = demand(cx, &mut rt, c);
    let service = service(cx, &mut rt, c);
    let collection = collection(cx, &mut rt);
    let subsidy = subsidy(cx, &mut rt);
    cx.close(rt);
    Rules { loans, claims, fund, lending, ladder, demand, service, collection, subsidy }
}

/// `[rules.loans]`, `[rules.extension]` and `[rules.renewal]`; also returns
/// the follow-up limit, which bounds the ladder's follow-up amount.
fn loans(cx: &mut Cx<'_>, rt: &mut Tab<'_>, c: &Context<'_>) -> (LoanRules, Fen) {
    let mut lt = cx.table(rt, "loans");
    let t = &mut lt;
    let first_max =
        cx.money(t, "first_max_yuan", Fen::from_yuan(50_000), Fen::from_yuan(1), Fen::from_yuan(1_000_000));
    let follow_max = cx.money(
        t,
        "follow_up_max_yuan",
        Fen::from_yuan(50_000),
        Fen::from_yuan(1),
        Fen::from_yuan(1_000_000),
    );
    let max_term = cx.int(t, "max_term_months", 36, 1, 120) as u16;
    let lpr_f = cx.float(t, "lpr_annual", 0.0345, 0.0, 0.24);
    let lpr = Rate::from_annual(lpr_f);
    let subsidy_cap = Rate::from_annual(cx.float(t, "subsidy_rate_cap_annual", lpr_f, 0.0, 0.24));
    let follow_up_fund_covered = cx.boolean(t, "follow_up_fund_covered", false);
    cx.close(lt);
    let portfolio = c.root.get("portfolio");
    if c.term > max_term
        && let Some(node) = portfolio.and_then(|p| p.get("term_months"))
    {
        cx.error(
            node,
            "portfolio.term_months",
            format!("at most rules.loans.max_term_months ({max_term})"),
            node.describe(),
        );
    }
    if c.rate > lpr
        && let Some(node) = portfolio.and_then(|p| p.get("rate_annual"))
    {
        cx.error(
            node,
            "portfolio.rate_annual",
            format!("at most rules.loans.lpr_annual ({})", num(lpr_f)),
            node.describe(),
        );
    }
    let extension = extension(cx, rt);
    let renewal = renewal(cx, rt);
    let relief = relief(cx, rt);
    let rules = LoanRules {
        first: ProductRules {
            max_amount: first_max,
            max_term_months: max_term,
            subsidised: true,
            fund_covered: true,
        },
        follow_up: ProductRules {
            max_amount: follow_max,
            max_term_months: max_term,
            subsidised: false,
            fund_covered: follow_up_fund_covered,
        },
        lpr,
        extension,
        renewal,
        relief,
        subsidy: SubsidyRules { rate_cap: subsidy_cap },
    };
    (rules, follow_max)
}

fn extension(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> ExtensionRules {
    let mut t = cx.table(rt, "extension");
    let rules = ExtensionRules {
        enabled: cx.boolean(&mut t, "enabled", true),
        max_months: cx.int(&mut t, "months", 12, 1, 12) as u16,
        max_times: cx.int(&mut t, "max_times", 1, 0, 10) as u8,
    };
    cx.close(t);
    rules
}

fn renewal(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> RenewalRules {
    let mut t = cx.table(rt, "renewal");
    let rules = RenewalRules {
        enabled: cx.boolean(&mut t, "enabled", true),
        max_times: cx.int(&mut t, "max_times", 1, 0, 10) as u8,
        term_months: cx.int(&mut t, "term_months", 12, 1, 36) as u16,
    };
    cx.close(t);
    rules
}

fn relief(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> ReliefRules {
    let mut t = cx.table(rt, "relief");
    let rules = ReliefRules { max_per_loan: cx.int(&mut t, "max_per_loan", 1, 0, 20) as u8 };
    cx.close(t);
    rules
}

fn compensation(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> ClaimRules {
    let mut ct = cx.table(rt, "compensation");
    let t = &mut ct;
    let trigger_days_overdue = cx.int(t, "trigger_days_overdue", 90, 1, 720) as u16;
    let collection_months = cx.int(t, "collection_months", 3, 0, 36) as u16;
    let act = cx.choice(
        t,
        "activation",
        "none",
        &["none", "county_overdue_ratio", "county_npl_ratio", "bank_first_loss"],
    );
    let threshold = cx.share(t, "activation_threshold", share(0.02));
    let first_loss = cx.money(t, "bank_first_loss_yuan", Fen::ZERO, Fen::ZERO, MAX_YUAN);
    let activation = match act {
        "none" => Activation::None,
        "county_npl_ratio" => Activation::CountyNplRatioAbove(threshold),
        "bank_first_loss" => Activation::BankFirstLoss(first_loss),
        _ => Activation::CountyOverdueRatioAbove(threshold),
    };
    let fund_share = cx.float(t, "fund_share", 0.7, 0.0, 1.0);
    let base =
        match cx.choice(t, "loss_base", "principal_plus_interest", &["principal", "principal_plus_interest"])
        {
            "principal" => LossBase::Principal,
            _ => LossBase::PrincipalPlusInterest,
        };
    let claims = ClaimRules {
        trigger_days_overdue,
        collection_months,
        activation,
        fund_share: Share::new(fund_share).unwrap_or_default(),
        base,
        per_loan_cap: cx.opt_money(t, "per_loan_cap_yuan", Fen::ZERO, MAX_YUAN),
        annual_cap: cx.opt_money(t, "annual_cap_yuan", Fen::ZERO, MAX_YUAN),
        payment_delay_months: cx.int(t, "payment_delay_months", 1, 0, 36) as u16,
        recoveries_to_fund: cx.boolean(t, "recoveries_to_fund", true),
        annual_share_cap: annual_cap_share(cx, t),
        fund_share_by_npl: fund_share_by_npl(cx, t),
        third_party: None,
        cycle: ClaimCycle {
            notice: stage(cx, t, "notice_months", StageMonths { min: 0, max: 1 }),
            legal_collection: stage(cx, t, "legal_collection_months", StageMonths { min: 3, max: 6 }),
            loss_determination: stage(cx, t, "loss_determination_months", StageMonths { min: 2, max: 3 }),
        },
    };
    let claims = ClaimRules { third_party: third_party(cx, t, &claims), ..claims };
    cx.close(ct);
    claims
}

/// A stage of the claim cycle, `{ min = M, max = N }` in whole months
/// (0–36, `min` ≤ `max`).
fn stage(cx: &mut Cx<'_>, t: &mut Tab<'_>, key: &str, default: StageMonths) -> StageMonths {
    let mut st = cx.table(t, key);
    let node = st.node();
    let min = cx.int(&mut st, "min", i64::from(default.min), 0, 36) as u16;
    let max = cx.int(&mut st, "max", i64::from(default.max.max(min)), 0, 36) as u16;
    let field = st.field("max");
    cx.close(st);
    if max < min {
        if let Some(node) = node {
            cx.error(node, &field, format!("`max` at least `min` ({min})"), format!("max = {max}"));
        }
        return StageMonths { min, max: min };
    }
    StageMonths { min, max }
}

/// A share that is off when absent.
fn opt_share(cx: &mut Cx<'_>, t: &mut Tab<'_>, key: &str) -> Option<Share> {
    let present = t.node().and_then(|n| n.get(key)).is_some();
    let x = cx.share(t, key, Share::ZERO);
    present.then_some(x)
}

/// `annual_cap_share` with what it is a share of and what happens to the
/// rest.
fn annual_cap_share(cx: &mut Cx<'_>, t: &mut Tab<'_>) -> Option<AnnualShareCap> {
    let share = opt_share(cx, t, "annual_cap_share");
    let of = match cx.choice(t, "annual_cap_of", "year_start_balance", &["year_start_balance", "endowment"]) {
        "endowment" => CapBase::Endowment,
        _ => CapBase::YearStartBalance,
    };
    let excess = match cx.choice(t, "annual_cap_excess", "wait", &["wait", "refuse"]) {
        "refuse" => CapExcess::Refuse,
        _ => CapExcess::Wait,
    };
    share.map(|share| AnnualShareCap { share, of, excess })
}

/// `fund_share_by_npl`: bands of (NPL upper bound, fund share), bounds
/// strictly increasing, the last 1.
fn fund_share_by_npl(cx: &mut Cx<'_>, t: &mut Tab<'_>) -> Option<NplGrades> {
    let node = t.node().and_then(|n| n.get("fund_share_by_npl"));
    let bands = items(cx, t, "fund_share_by_npl", |cx, it, _| {
        cx.require(it, "npl_up_to", "the band's upper bound of the county NPL ratio, 0–1");
        cx.require(it, "fund_share", "the fund's share in the band, 0–1");
        (cx.share(it, "npl_up_to", share(1.0)), cx.share(it, "fund_share", share(0.7)))
    })?;
    let grades = NplGrades::new(bands.clone());
    if grades.is_none()
        && let Some(node) = node
    {
        let bounds: Vec<String> = bands.iter().map(|(b, _)| num(b.get())).collect();
        cx.error(
            node,
            &t.field("fund_share_by_npl"),
            "bands whose `npl_up_to` increase strictly, the last being 1 (every ratio in a band)",
            if bounds.is_empty() { "no band".to_string() } else { format!("bounds {}", bounds.join(", ")) },
        );
    }
    grades
}

/// `third_party_*`: a guarantor or insurer beside fund and bank; its share
/// and the fund's (the highest graded one) may not pass 1.
fn third_party(cx: &mut Cx<'_>, t: &mut Tab<'_>, claims: &ClaimRules) -> Option<ThirdParty> {
    let node = t.node().and_then(|n| n.get("third_party_share"));
    let share = cx.share(t, "third_party_share", Share::ZERO);
    let limit = cx.opt_money(t, "third_party_limit_yuan", Fen::ZERO, MAX_YUAN);
    let period = match cx.choice(t, "third_party_limit_period", "annual", &["annual", "lifetime"]) {
        "lifetime" => LimitPeriod::Lifetime,
        _ => LimitPeriod::Annual,
    };
    let fund = claims.fund_share_by_npl.as_ref().map_or(claims.fund_share, NplGrades::highest);
    if fund.get() + share.get() > 1.0 + 1e-12
        && let Some(node) = node
    {
        cx.error(
            node,
            &t.field("third_party_share"),
            format!(
                "at most 1 − the fund's (highest) share, {}",
                num(((1.0 - fund.get()) * 1e9).round() / 1e9)
            ),
            node.describe(),
        );
        return None;
    }
    (share.get() > 0.0).then_some(ThirdParty { share, limit, period })
}

fn fund(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> FundRules {
    let mut ft = cx.table(rt, "fund");
    let t = &mut ft;
    let interest_rate = Rate::from_annual(cx.float(t, "interest_rate_annual", 0.0035, 0.0, 0.2));
    let kind = cx.choice(
        t,
        "top_up",
        "annual_restore",
        &["none", "annual_restore", "annual_to_ratio", "quarterly_to_ratio", "below_endowment"],
    );
    let month_of_year = cx.int(t, "top_up_month", 1, 1, 12) as u8;
    let ratio = cx.float(t, "top_up_ratio", 0.1, 0.0, 1.0);
    let trigger = cx.share(t, "top_up_trigger", share(0.5));
    let [province, prefecture, county] =
        cx.mix(t, "top_up_mix", &["province", "prefecture", "county"], [0.0, 0.0, 1.0]).map(share);
    let top_up = match kind {
        "none" => TopUp::None,
        "below_endowment" => {
            TopUp::BelowEndowment { trigger, split: LevelSplit { province, prefecture, county } }
        }
        "annual_to_ratio" => TopUp::AnnualToRatio { ratio, month_of_year },
        "quarterly_to_ratio" => TopUp::QuarterlyToRatio { ratio },
        _ => TopUp::AnnualRestore { month_of_year },
    };
    let annual_top_up_cap = cx.opt_money(t, "annual_top_up_cap_yuan", Fen::ZERO, MAX_YUAN);
    let fiscal_capacity = fiscal_capacity(cx, t);
    let fund = FundRules { interest_rate, top_up, annual_top_up_cap, fiscal_capacity };
    cx.close(ft);
    fund
}

/// `fiscal_capacity`: what a county's budget can put into top-ups in a
/// calendar year when its data give no figure — a multiple of the fund's
/// endowment (`fiscal_capacity_share`, default 1), an amount
/// (`fiscal_capacity_yuan`), or unlimited.
fn fiscal_capacity(cx: &mut Cx<'_>, t: &mut Tab<'_>) -> FiscalCapacity {
    let kind =
        cx.choice(t, "fiscal_capacity", "share_of_endowment", &["share_of_endowment", "yuan", "unlimited"]);
    let share = cx.float(t, "fiscal_capacity_share", 1.0, 0.0, 100.0);
    let yuan = cx.opt_money(t, "fiscal_capacity_yuan", Fen::ZERO, MAX_YUAN);
    match kind {
        "unlimited" => FiscalCapacity::Unlimited,
        "yuan" => {
            if yuan.is_none() {
                cx.require(
                    t,
                    "fiscal_capacity_yuan",
                    "an amount in yuan a year, since fiscal_capacity = \"yuan\"",
                );
            }
            FiscalCapacity::Yuan(yuan.unwrap_or(Fen::ZERO))
        }
        _ => FiscalCapacity::ShareOfEndowment(share),
    }
}

fn lending(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> LendingRules {
    let mut gt = cx.table(rt, "lending");
    let t = &mut gt;
    let lending = LendingRules {
        leverage_max: cx.float(t, "leverage_max", 20.0, 0.0, 1000.0),
        leverage_excess: match cx.choice(
            t,
            "leverage_excess",
            "uncovered",
            &["uncovered", "top_up", "refuse"],
        ) {
            "refuse" => LeverageExcess::Refuse,
            "top_up" => LeverageExcess::TopUp,
            _ => LeverageExcess::Uncovered,
        },
        suspension_metric: match cx.choice(t, "suspension_metric", "npl", &["npl", "overdue"]) {
            "overdue" => RatioMetric::Overdue,
            _ => RatioMetric::Npl,
        },
        suspension_tolerance: cx.share(t, "suspension_tolerance", share(0.03)),
        key_county_extra: cx.share(t, "key_county_extra", share(0.03)),
        suspend_on_fund_default: cx.boolean(t, "suspend_on_fund_default", true),
        write_off_months: cx.int(t, "write_off_months", 12, 1, 120) as u16,
        fund_use_limit: opt_share(cx, t, "fund_use_limit"),
    };
    cx.close(gt);
    lending
}

/// `[rules.ladder]`; the follow-up amount and term are bounded by the loan
/// rules.
fn ladder(cx: &mut Cx<'_>, rt: &mut Tab<'_>, follow_max: Fen, max_term: u16) -> Ladder {
    let mut dt = cx.table(rt, "ladder");
    let t = &mut dt;
    let follow_up_when = match cx.choice(t, "follow_up_when", "beside", &["beside", "after"]) {
        "after" => FollowUpWhen::After,
        _ => FollowUpWhen::Beside,
    };
    let ladder = Ladder {
        follow_up_when,
        follow_up_uptake_monthly: cx.float(t, "follow_up_uptake_monthly", 0.01, 0.0, 1.0),
        follow_up_min_months_held: cx.int(t, "follow_up_min_months_held", 12, 0, 120) as u16,
        max_programme_debt: cx.money(
            t,
            "max_programme_debt_yuan",
            Fen::from_yuan(100_000),
            Fen::from_yuan(1),
            MAX_YUAN,
        ),
        follow_up_uptake: cx.float(t, "follow_up_uptake", 0.2, 0.0, 1.0),
        follow_up_amount: cx.money(
            t,
            "follow_up_amount_yuan",
            Fen::from_yuan(50_000),
            Fen::from_yuan(1),
            follow_max,
        ),
        follow_up_term_months: cx.int(t, "follow_up_term_months", 36, 1, max_term as i64) as u16,
        commercial_uptake: cx.float(t, "commercial_uptake", 0.1, 0.0, 1.0),
        commercial_amount: cx.money(
            t,
            "commercial_amount_yuan",
            Fen::from_yuan(100_000),
            Fen::from_yuan(1),
            Fen::from_yuan(10_000_000),
        ),
        commercial_rate: Rate::from_annual(cx.float(t, "commercial_rate_annual", 0.06, 0.0, 0.24)),
        commercial_term_months: cx.int(t, "commercial_term_months", 36, 1, 120) as u16,
    };
    cx.close(dt);
    ladder
}

fn demand(cx: &mut Cx<'_>, rt: &mut Tab<'_>, c: &Context<'_>) -> Demand {
    let mut mt = cx.table(rt, "demand");
    let t = &mut mt;
    let demand = Demand {
        repeat_uptake_monthly: cx.float(t, "repeat_uptake_monthly", 0.01, 0.0, 1.0),
        survey_interval_months: cx.int(t, "survey_interval_months", 6, 1, 60) as u16,
        survey_uplift: cx.float(t, "survey_uplift", 0.5, 0.0, 10.0),
        survey_effect_months: cx.int(t, "survey_effect_months", 6, 0, 60) as u16,
        bank_refusal: cx.float(t, "bank_refusal", 0.05, 0.0, 1.0),
        approval_lag_months: cx.int(t, "approval_lag_months", 1, 0, 12) as u16,
        fast_track: cx.boolean(t, "fast_track", false),
        fast_track_months: cx.int(t, "fast_track_months", 6, 0, 36) as u16,
        fast_track_uplift: cx.float(t, "fast_track_uplift", 1.0, 0.0, 10.0),
        fast_track_reach: match cx.choice(
            t,
            "fast_track_reach",
            "lifted_and_monitored",
            &["lifted_and_monitored", "monitored"],
        ) {
            "monitored" => FastTrackReach::Monitored,
            _ => FastTrackReach::LiftedAndMonitored,
        },
        monitoring: MonitoringRules {
            entry_per_intensity: cx.float(t, "monitoring_entry_per_intensity", 0.01, 0.0, 1.0),
            exit_monthly: cx.float(t, "monitoring_exit_monthly", 0.04, 0.0, 1.0),
        },
        first_loan_amounts: super::amount_mix(cx, t, "first_loan_amounts", c.amounts),
    };
    cx.close(mt);
    demand
}

/// `[rules.service]`: random and scripted bank exits.
fn service(cx: &mut Cx<'_>, rt: &mut Tab<'_>, c: &Context<'_>) -> Service {
    let mut st = cx.table(rt, "service");
    let exit_monthly = cx.float(&mut st, "exit_monthly", 0.0, 0.0, 1.0);
    let takeover_months = cx.int(&mut st, "takeover_months", 6, 1, 120) as u16;
    let exits = items(cx, &mut st, "exits", |cx, t, _| {
        let month = sim_month(cx, t, c.start, c.horizon);
        let counties = county_list(cx, t, "counties", c.counties);
        cx.require(t, "counties", "at least one county code");
        let share = cx.share(t, "share", share(1.0));
        BankExit { month, counties, share }
    });
    cx.close(st);
    Service { exit_monthly, takeover_months, exits: exits.unwrap_or_default() }
}

fn collection(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> Collection {
    let mut ot = cx.table(rt, "collection");
    let collection = Collection {
        cadre_boost: cx.float(&mut ot, "cadre_boost", 0.3, 0.0, 10.0),
        reminders: cx.boolean(&mut ot, "reminders", true),
        reminder_factor: cx.float(&mut ot, "reminder_factor", 0.9, 0.0, 1.0),
    };
    cx.close(ot);
    collection
}

fn subsidy(cx: &mut Cx<'_>, rt: &mut Tab<'_>) -> SubsidyPayment {
    let mut yt = cx.table(rt, "subsidy");
    let subsidy = SubsidyPayment {
        delay_months: cx.int(&mut yt, "delay_months", 0, 0, 24) as u16,
        county_budget_share: cx.float(&mut yt, "county_budget_share", 1.5, 0.0, 100.0),
    };
    cx.close(yt);
    subsidy
}
