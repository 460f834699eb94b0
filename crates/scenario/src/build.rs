//! Builds a [`Scenario`] from a merged tree, field by field, with defaults,
//! ranges and cross-field checks. Every field the format knows is read
//! here; anything else is an unknown-field error.

use std::collections::{BTreeSet, HashMap};

use mcstress_compensation::{Activation, ClaimRules, FundRules, LendingRules, LossBase, RatioMetric, TopUp};
use mcstress_domain::{CountyCode, Fen, Industry, Rate, Share, YearMonth};
use mcstress_households::{CountyProfile, PortfolioMix};
use mcstress_loans::{ExtensionRules, LoanRules, ProductRules, RenewalRules, Repayment, SubsidyRules};

use crate::model::*;
use crate::read::{Cx, join, num};
use crate::tree::Node;
use crate::{FieldError, SourceFile};

const MAX_YUAN: Fen = Fen::from_yuan(1_000_000_000_000);
const CATEGORY_KEYS: [&str; 4] = ["lifted", "unstable", "edge", "sudden_hardship"];
const GRADE_KEYS: [&str; 3] = ["a", "b", "c"];
const INDUSTRY_KEYS: [&str; 9] =
    ["cattle", "pigs", "tea", "coffee", "walnut", "tobacco", "fruit_veg", "migrant_wages", "other"];
const BUCKET_KEYS: [&str; 4] = ["d1_30", "d31_90", "d91_180", "d181_plus"];

pub(crate) fn build(root: &Node, files: &[SourceFile]) -> (Scenario, Vec<FieldError>, BTreeSet<String>) {
    let mut cx = Cx::new(files);
    let r = Some(root);
    cx.keys(root, "", &["scenario", "portfolio", "geography", "behaviour", "shocks", "rules"]);

    // [scenario]
    let s = cx.sub(r, "", "scenario");
    if let Some(t) = s {
        cx.keys(t, "scenario", &["name", "description", "start", "horizon_months", "paths", "seed"]);
    }
    let name = cx.string(s, "scenario", "name", "unnamed");
    let description = cx.string(s, "scenario", "description", "");
    let start = cx.month(s, "scenario", "start", YearMonth { year: 2024, month: 1 });
    let horizon_months = cx.int(s, "scenario", "horizon_months", 60, 1, 240) as u16;
    let paths = cx.int(s, "scenario", "paths", 1000, 1, 10_000_000) as u32;
    let seed = cx.int(s, "scenario", "seed", 1, 0, i64::MAX) as u64;

    let portfolio = portfolio(&mut cx, r);
    let geo = cx.sub(r, "", "geography");
    if let Some(g) = geo {
        cx.keys(g, "geography", &["prefectures", "counties"]);
    } else if let Some(root) = r {
        cx.error(root, "geography", "a [geography] table with `prefectures` and `counties`", "nothing");
    }
    let prefectures = prefectures(&mut cx, geo);
    let counties = counties(&mut cx, geo, &prefectures);
    let behaviour = behaviour(&mut cx, r);
    let shocks = shocks(&mut cx, r, &counties, &prefectures, start, horizon_months);
    let rules = rules(&mut cx, r, portfolio.rate, portfolio.term_months, &counties, start, horizon_months);
    // Every loan of the book is a first loan: its amount must respect the
    // first-loan limit.
    let limit = rules.loans.first.max_amount;
    for (i, (amount, _)) in portfolio.mix.amounts.iter().enumerate() {
        if *amount > limit {
            let node = r
                .and_then(|r| r.get("portfolio"))
                .and_then(|p| p.get("amounts"))
                .and_then(|a| match &a.kind {
                    crate::tree::Kind::Array(items) => items.get(i),
                    _ => None,
                })
                .and_then(|item| item.get("yuan"));
            if let Some(node) = node {
                cx.error(
                    node,
                    &format!("portfolio.amounts[{i}].yuan"),
                    format!("at most rules.loans.first_max_yuan ({})", limit.to_yuan_decimal()),
                    node.describe(),
                );
            }
        }
    }

    let scenario = Scenario {
        name,
        description,
        start,
        horizon_months,
        paths,
        seed,
        sha256: String::new(),
        variant: None,
        portfolio,
        prefectures,
        counties,
        behaviour,
        shocks,
        rules,
    };
    book_size(&mut cx, r, &scenario);
    (scenario, cx.errors, cx.visited)
}

/// Refuses a book whose sums could pass the engine's integer fen (see
/// [`crate::book_size`]), naming what makes it large.
fn book_size(cx: &mut Cx<'_>, r: Option<&Node>, s: &Scenario) {
    use crate::book_size::{MAX_BOOK_FEN, approx_yuan, bound, grouped};
    let b = bound(s);
    if b.total() <= MAX_BOOK_FEN {
        return;
    }
    let Some(node) = r.and_then(|r| r.get("geography")).and_then(|g| g.get("counties")) else { return };
    let found = format!(
        "up to {} yuan: funds of {} yuan at the start, with top-ups and recoveries, grown {}-fold by interest \
         at {} % a year over {} months ({} yuan), and loans to {} households of up to {} yuan each ({} yuan \
         with arrears over the horizon)",
        approx_yuan(b.total()),
        approx_yuan(b.funds_start),
        num((b.growth * 10.0).round() / 10.0),
        num(f64::from(s.rules.fund.interest_rate.basis_points()) / 100.0),
        s.horizon_months,
        approx_yuan(b.funds),
        grouped(b.households),
        grouped(b.largest_loan / 100.0),
        approx_yuan(b.loans),
    );
    cx.error(
        node,
        "geography.counties",
        format!(
            "a book small enough for exact integer fen: the province's loans plus its funds, grown by interest, \
             top-ups and recoveries over the horizon, at most {} yuan",
            approx_yuan(MAX_BOOK_FEN)
        ),
        found,
    );
}

fn portfolio(cx: &mut Cx<'_>, r: Option<&Node>) -> Portfolio {
    let p = "portfolio";
    let t = cx.sub(r, "", p);
    if let Some(t) = t {
        cx.keys(
            t,
            p,
            &[
                "term_months",
                "rate_annual",
                "repayment",
                "category_mix",
                "grade_mix",
                "amounts",
                "age_weights",
            ],
        );
    }
    let term_months = cx.int(t, p, "term_months", 36, 1, 60) as u16;
    let rate = Rate::from_annual(cx.float(t, p, "rate_annual", 0.0345, 0.0, 0.24));
    let repayment = match cx.choice(
        t,
        p,
        "repayment",
        "bullet_quarterly_interest",
        &["bullet_quarterly_interest", "equal_instalments"],
    ) {
        "equal_instalments" => Repayment::EqualInstalments,
        _ => Repayment::BulletQuarterlyInterest,
    };
    let category = cx.mix(t, p, "category_mix", &CATEGORY_KEYS, [0.85, 0.06, 0.06, 0.03]);
    let grade = cx.mix(t, p, "grade_mix", &GRADE_KEYS, [0.6, 0.3, 0.1]);
    let mut amounts = Vec::new();
    let ap = join(p, "amounts");
    cx.float(None, &format!("{ap}[]"), "share", 0.0, 0.0, 1.0);
    cx.money(None, &format!("{ap}[]"), "yuan", Fen::ZERO, Fen::ZERO, Fen::ZERO);
    if let Some(items) = cx.array(t, p, "amounts") {
        let before = cx.errors.len();
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{ap}[{i}]");
            cx.keys(item, &ip, &["yuan", "share"]);
            let it = Some(item);
            let yuan = cx.money(it, &ip, "yuan", Fen::ZERO, Fen::from_yuan(1), Fen::from_yuan(1_000_000));
            if it.and_then(|n| n.get("yuan")).is_none() {
                cx.error(item, &join(&ip, "yuan"), "an amount in yuan", "nothing");
            }
            let share = cx.float(it, &ip, "share", 0.0, 0.0, 1.0);
            amounts.push((yuan, share));
        }
        let sum: f64 = amounts.iter().map(|a| a.1).sum();
        if cx.errors.len() == before
            && (items.is_empty() || (sum - 1.0).abs() > 1e-6)
            && let Some(node) = r.and_then(|r| r.get(p)).and_then(|t| t.get("amounts"))
        {
            let found = if items.is_empty() {
                "an empty list".to_string()
            } else {
                format!("shares summing to {}", num(sum))
            };
            cx.error(node, &ap, "loan amounts whose shares sum to 1", found);
        }
    }
    if amounts.is_empty() || amounts.iter().any(|a| !a.0.is_positive()) {
        amounts = vec![
            (Fen::from_yuan(50_000), 0.75),
            (Fen::from_yuan(40_000), 0.15),
            (Fen::from_yuan(30_000), 0.10),
        ];
    }
    let mut age_weights = vec![1.0; term_months as usize];
    if let Some(items) = cx.array(t, p, "age_weights") {
        let aw = join(p, "age_weights");
        let mut w = Vec::new();
        for (i, item) in items.iter().enumerate() {
            w.push(cx.float_node(item, &format!("{aw}[{i}]"), 0.0, 0.0, 1e9));
        }
        let node = t.and_then(|t| t.get("age_weights"));
        if w.is_empty() || w.len() > term_months as usize || w.iter().sum::<f64>() <= 0.0 {
            if let Some(node) = node {
                cx.error(node, &aw, format!("1 to {term_months} non-negative weights (one per month of age, up to the term) with a positive sum"), node.describe());
            }
        } else {
            age_weights = w;
        }
    }
    Portfolio { mix: PortfolioMix { category, grade, amounts, age_weights }, term_months, rate, repayment }
}

fn code_of(cx: &mut Cx<'_>, t: Option<&Node>, path: &str, key: &str) -> Option<u32> {
    let p = join(path, key);
    let node = t.and_then(|t| t.get(key));
    cx.string(None, path, key, "");
    let Some(node) = node else {
        if let Some(t) = t {
            cx.error(t, &p, "a six-digit division code such as \"530102\"", "nothing");
        }
        return None;
    };
    let text = cx.string_node(node, &p)?;
    if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        cx.error(node, &p, "a six-digit division code such as \"530102\"", node.describe());
        None
    }
}

fn prefectures(cx: &mut Cx<'_>, r: Option<&Node>) -> Vec<Prefecture> {
    let mut out = Vec::new();
    let items = cx.array(r, "geography", "prefectures");
    for k in ["code", "name", "name_en"] {
        cx.string(None, "geography.prefectures[]", k, "");
    }
    cx.mix(None, "geography.prefectures[]", "industry_mix", &INDUSTRY_KEYS, [0.0; 9]);
    let Some(items) = items else {
        if let Some(g) = r
            && g.get("prefectures").is_none()
        {
            cx.error(g, "geography.prefectures", "an array of prefecture tables", "nothing");
        }
        return out;
    };
    let mut seen = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("geography.prefectures[{i}]");
        cx.keys(item, &p, &["code", "name", "name_en", "industry_mix"]);
        let t = Some(item);
        let code = code_of(cx, t, &p, "code").unwrap_or(0);
        if code != 0 && seen.insert(code, i).is_some() {
            cx.error(
                item,
                &join(&p, "code"),
                "a code not used by another prefecture",
                format!("{code:06} again"),
            );
        }
        let name = cx.string(t, &p, "name", "");
        let name_en = cx.string(t, &p, "name_en", "");
        if t.and_then(|n| n.get("industry_mix")).is_none() {
            cx.error(item, &join(&p, "industry_mix"), "a table of industry shares", "nothing");
        }
        let industry_mix =
            cx.mix(t, &p, "industry_mix", &INDUSTRY_KEYS, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        out.push(Prefecture { code, name, name_en, industry_mix });
    }
    out
}

fn counties(cx: &mut Cx<'_>, r: Option<&Node>, prefs: &[Prefecture]) -> Vec<County> {
    let mut out = Vec::new();
    let items = cx.array(r, "geography", "counties");
    const KEYS: [&str; 13] = [
        "code",
        "name",
        "name_en",
        "prefecture",
        "former_poverty",
        "key_county",
        "border",
        "townships",
        "eligible_households",
        "loans",
        "fund_yuan",
        "bank_coverage",
        "industry_mix",
    ];
    let Some(items) = items else {
        if let Some(g) = r
            && g.get("counties").is_none()
        {
            cx.error(g, "geography.counties", "an array of county tables", "nothing");
        }
        return out;
    };
    if items.is_empty()
        && let Some(node) = r.and_then(|r| r.get("counties"))
    {
        cx.error(node, "geography.counties", "at least one county", "an empty array");
    }
    let mut seen = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("geography.counties[{i}]");
        cx.keys(item, &p, &KEYS);
        let t = Some(item);
        let code = code_of(cx, t, &p, "code").unwrap_or(0);
        if code != 0 && seen.insert(code, i).is_some() {
            cx.error(
                item,
                &join(&p, "code"),
                "a code not used by another county",
                format!("{code:06} again"),
            );
        }
        let name = cx.string(t, &p, "name", "");
        if name.is_empty() {
            cx.error(item, &join(&p, "name"), "the county's name", "nothing");
        }
        let name_en = cx.string(t, &p, "name_en", "");
        let pref_code = code_of(cx, t, &p, "prefecture");
        let prefecture = match pref_code {
            Some(pc) => match prefs.iter().position(|x| x.code == pc) {
                Some(ix) => ix,
                None => {
                    if let Some(node) = item.get("prefecture") {
                        cx.error(
                            node,
                            &join(&p, "prefecture"),
                            "the code of a prefecture listed in `geography.prefectures`",
                            node.describe(),
                        );
                    }
                    0
                }
            },
            None => 0,
        };
        let former_poverty = cx.boolean(t, &p, "former_poverty", false);
        let key_county = cx.boolean(t, &p, "key_county", false);
        let border = cx.boolean(t, &p, "border", false);
        let townships = cx.int(t, &p, "townships", 10, 1, 1000) as u16;
        let eligible_households = cx.int(t, &p, "eligible_households", 0, 0, 10_000_000) as u32;
        let loans = cx.int(t, &p, "loans", 0, 0, 10_000_000) as u32;
        if loans > eligible_households
            && let Some(node) = item.get("loans")
        {
            cx.error(
                node,
                &join(&p, "loans"),
                format!("at most the county's eligible households ({eligible_households})"),
                node.describe(),
            );
        }
        let fund = cx.money(t, &p, "fund_yuan", Fen::ZERO, Fen::ZERO, MAX_YUAN);
        let bank_coverage = cx.float(t, &p, "bank_coverage", 1.0, 0.0, 1.0);
        let default_mix = prefs
            .get(prefecture)
            .map(|x| x.industry_mix)
            .unwrap_or([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        let industry_mix = cx.mix(t, &p, "industry_mix", &INDUSTRY_KEYS, default_mix);
        out.push(County {
            code: CountyCode(code),
            name,
            name_en,
            prefecture,
            former_poverty,
            key_county,
            border,
            fund,
            profile: CountyProfile { townships, bank_coverage, eligible_households, loans, industry_mix },
        });
    }
    if out.len() > u16::MAX as usize
        && let Some(node) = r.and_then(|r| r.get("counties"))
    {
        cx.error(node, "geography.counties", "at most 65535 counties", format!("{}", out.len()));
    }
    out
}

fn behaviour(cx: &mut Cx<'_>, r: Option<&Node>) -> Behaviour {
    let p = "behaviour";
    let t = cx.sub(r, "", p);
    if let Some(t) = t {
        cx.keys(
            t,
            p,
            &[
                "distress_probability",
                "grade_multiplier",
                "maturity_multiplier",
                "asset_correlation",
                "factor_persistence",
                "province_factor_weight",
                "prefecture_factor_weight",
                "cure_probability",
                "business_running",
                "collection_effort",
                "recovery_probability",
                "recovery_fraction",
                "recovery_window_months",
                "uptake_monthly",
                "low_willingness_share",
                "low_willingness_cure_factor",
                "contagion",
                "strategic_default",
                "misuse_share",
                "enterprises_per_county",
                "enterprise_failure_monthly",
                "misuse_failed_distress",
                "late_subsidy_multiplier",
            ],
        );
    }
    let distress = probs(cx, t, p, "distress_probability", &CATEGORY_KEYS, [0.012, 0.03, 0.025, 0.05], 0.5);
    let grade_multiplier = probs(cx, t, p, "grade_multiplier", &GRADE_KEYS, [0.6, 1.3, 2.6], 20.0);
    let maturity_multiplier = cx.float(t, p, "maturity_multiplier", 2.5, 0.0, 20.0);
    let asset_correlation = cx.float(t, p, "asset_correlation", 0.12, 0.0, 0.99);
    let factor_persistence = cx.float(t, p, "factor_persistence", 0.8, 0.0, 0.999);
    let province_weight = cx.float(t, p, "province_factor_weight", 0.3, 0.0, 1.0);
    let prefecture_weight = cx.float(t, p, "prefecture_factor_weight", 0.4, 0.0, 1.0);
    if province_weight + prefecture_weight > 1.0
        && let Some(node) = t.and_then(|t| t.get("prefecture_factor_weight")).or(t)
    {
        cx.error(
            node,
            &join(p, "prefecture_factor_weight"),
            format!("at most {} so that the two factor weights sum to at most 1", num(1.0 - province_weight)),
            node.describe(),
        );
    }
    let cure = probs(cx, t, p, "cure_probability", &BUCKET_KEYS, [0.45, 0.3, 0.12, 0.04], 1.0);
    let business_running = cx.float(t, p, "business_running", 0.6, 0.0, 1.0);
    let collection_effort = cx.float(t, p, "collection_effort", 1.0, 0.0, 3.0);
    let recovery_probability = cx.float(t, p, "recovery_probability", 0.03, 0.0, 1.0);
    let recovery_fraction = cx.float(t, p, "recovery_fraction", 0.3, 0.0, 1.0);
    let recovery_window_months = cx.int(t, p, "recovery_window_months", 36, 0, 240) as u16;
    let uptake_monthly = cx.float(t, p, "uptake_monthly", 0.006, 0.0, 1.0);
    let low_willingness_share = cx.float(t, p, "low_willingness_share", 0.1, 0.0, 1.0);
    let low_willingness_cure_factor = cx.float(t, p, "low_willingness_cure_factor", 0.5, 0.0, 1.0);
    let contagion = cx.float(t, p, "contagion", 0.0, 0.0, 100.0);
    let strategic_default = cx.float(t, p, "strategic_default", 0.0, 0.0, 10.0);
    let misuse_share = cx.float(t, p, "misuse_share", 0.02, 0.0, 1.0);
    let enterprises_per_county = cx.int(t, p, "enterprises_per_county", 5, 1, 1000) as u16;
    let enterprise_failure_monthly = cx.float(t, p, "enterprise_failure_monthly", 0.005, 0.0, 1.0);
    let misuse_failed_distress = cx.float(t, p, "misuse_failed_distress", 0.6, 0.0, 1.0);
    let late_subsidy_multiplier = cx.float(t, p, "late_subsidy_multiplier", 1.3, 1.0, 10.0);
    Behaviour {
        low_willingness_share,
        low_willingness_cure_factor,
        contagion,
        strategic_default,
        misuse_share,
        enterprises_per_county,
        enterprise_failure_monthly,
        misuse_failed_distress,
        late_subsidy_multiplier,
        distress,
        grade_multiplier,
        maturity_multiplier,
        asset_correlation,
        factor_persistence,
        province_weight,
        prefecture_weight,
        cure,
        business_running,
        collection_effort,
        recovery_probability,
        recovery_fraction,
        recovery_window_months,
        uptake_monthly,
    }
}

/// A table of independent numbers in `[0, hi]` keyed by `keys` (unlike a
/// mix, they need not sum to 1). Missing keys keep their default.
fn probs<const N: usize>(
    cx: &mut Cx<'_>,
    t: Option<&Node>,
    path: &str,
    key: &str,
    keys: &[&str; N],
    default: [f64; N],
    hi: f64,
) -> [f64; N] {
    let p = join(path, key);
    let node = cx.sub(t, path, key);
    if let Some(n) = node {
        cx.keys(n, &p, keys);
    }
    let mut out = default;
    for (i, k) in keys.iter().enumerate() {
        out[i] = cx.float(node, &p, k, default[i], 0.0, hi);
    }
    out
}

fn default_price(ind: Industry) -> PriceProcess {
    // (volatility, mean reversion, jump probability, jump mean, jump sd, sensitivity)
    let (v, m, jp, jm, js, s) = match ind {
        Industry::Cattle => (0.03, 0.03, 0.01, -0.10, 0.05, 1.5),
        Industry::Pigs => (0.06, 0.05, 0.02, -0.15, 0.10, 1.2),
        Industry::Tea => (0.03, 0.05, 0.01, -0.10, 0.05, 1.0),
        Industry::Coffee => (0.06, 0.02, 0.01, -0.20, 0.10, 1.0),
        Industry::Walnut => (0.04, 0.03, 0.01, -0.15, 0.05, 1.0),
        Industry::Tobacco => (0.01, 0.10, 0.0, 0.0, 0.0, 0.5),
        Industry::FruitVeg => (0.05, 0.08, 0.01, -0.15, 0.10, 0.8),
        Industry::MigrantWages => (0.01, 0.05, 0.005, -0.10, 0.05, 1.5),
        Industry::Other => (0.02, 0.05, 0.0, 0.0, 0.0, 0.5),
    };
    PriceProcess {
        volatility: v,
        mean_reversion: m,
        jump_probability: jp,
        jump_mean: jm,
        jump_sd: js,
        sensitivity: s,
    }
}

fn default_disaster(kind: DisasterKind) -> Disaster {
    let months = |list: &[usize]| {
        let mut m = [false; 12];
        for &x in list {
            m[x - 1] = true;
        }
        m
    };
    // Exposure by industry: cattle, pigs, tea, coffee, walnut, tobacco, fruit_veg, migrant_wages, other.
    match kind {
        DisasterKind::Drought => Disaster {
            kind,
            annual_probability: 0.12,
            months: months(&[11, 12, 1, 2, 3, 4, 5]),
            county_share: 0.6,
            distress_multiplier: 2.5,
            persistence: 0.85,
            exposure: [0.3, 0.2, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.2],
        },
        DisasterKind::Flood => Disaster {
            kind,
            annual_probability: 0.25,
            months: months(&[6, 7, 8, 9]),
            county_share: 0.2,
            distress_multiplier: 2.0,
            persistence: 0.7,
            exposure: [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.2, 0.8],
        },
        DisasterKind::Frost => Disaster {
            kind,
            annual_probability: 0.08,
            months: months(&[12, 1, 2]),
            county_share: 0.4,
            distress_multiplier: 2.0,
            persistence: 0.8,
            exposure: [0.0, 0.0, 1.0, 1.0, 0.3, 0.3, 0.5, 0.0, 0.0],
        },
        DisasterKind::Earthquake => Disaster {
            kind,
            annual_probability: 0.02,
            months: [true; 12],
            county_share: 0.1,
            distress_multiplier: 5.0,
            persistence: 0.92,
            exposure: [1.0; 9],
        },
        DisasterKind::LivestockDisease => Disaster {
            kind,
            annual_probability: 0.06,
            months: [true; 12],
            county_share: 0.5,
            distress_multiplier: 2.5,
            persistence: 0.8,
            exposure: [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        },
    }
}

fn shocks(
    cx: &mut Cx<'_>,
    r: Option<&Node>,
    counties: &[County],
    prefs: &[Prefecture],
    start: YearMonth,
    horizon: u16,
) -> Shocks {
    let p = "shocks";
    let t = cx.sub(r, "", p);
    if let Some(t) = t {
        cx.keys(t, p, &["prices", "disasters", "events"]);
    }
    // Prices.
    let pp = "shocks.prices";
    let pt = cx.sub(t, p, "prices");
    if let Some(n) = pt {
        cx.keys(n, pp, &INDUSTRY_KEYS);
    }
    let mut prices = Vec::new();
    for ind in Industry::ALL {
        let ip = join(pp, ind.key());
        let it = cx.sub(pt, pp, ind.key());
        if let Some(n) = it {
            cx.keys(
                n,
                &ip,
                &["volatility", "mean_reversion", "jump_probability", "jump_mean", "jump_sd", "sensitivity"],
            );
        }
        let d = default_price(ind);
        prices.push(PriceProcess {
            volatility: cx.float(it, &ip, "volatility", d.volatility, 0.0, 1.0),
            mean_reversion: cx.float(it, &ip, "mean_reversion", d.mean_reversion, 0.0, 1.0),
            jump_probability: cx.float(it, &ip, "jump_probability", d.jump_probability, 0.0, 1.0),
            jump_mean: cx.float(it, &ip, "jump_mean", d.jump_mean, -3.0, 3.0),
            jump_sd: cx.float(it, &ip, "jump_sd", d.jump_sd, 0.0, 3.0),
            sensitivity: cx.float(it, &ip, "sensitivity", d.sensitivity, 0.0, 10.0),
        });
    }
    // Disasters.
    let dp = "shocks.disasters";
    let dt = cx.sub(t, p, "disasters");
    let kind_keys: Vec<&str> = DisasterKind::ALL.iter().map(|k| k.key()).collect();
    if let Some(n) = dt {
        cx.keys(n, dp, &kind_keys);
    }
    let mut disasters = Vec::new();
    for kind in DisasterKind::ALL {
        let kp = join(dp, kind.key());
        let kt = cx.sub(dt, dp, kind.key());
        if let Some(n) = kt {
            cx.keys(
                n,
                &kp,
                &[
                    "annual_probability",
                    "months",
                    "county_share",
                    "distress_multiplier",
                    "persistence",
                    "exposure",
                ],
            );
        }
        let d = default_disaster(kind);
        let mut months = d.months;
        if let Some(items) = cx.array(kt, &kp, "months") {
            let mut m = [false; 12];
            for (i, item) in items.iter().enumerate() {
                let x = cx.int_node(item, &format!("{kp}.months[{i}]"), 1, 1, 12);
                m[(x - 1) as usize] = true;
            }
            months = m;
        }
        let exposure = probs(cx, kt, &kp, "exposure", &INDUSTRY_KEYS, d.exposure, 1.0);
        disasters.push(Disaster {
            kind,
            annual_probability: cx.float(kt, &kp, "annual_probability", d.annual_probability, 0.0, 1.0),
            months,
            county_share: cx.float(kt, &kp, "county_share", d.county_share, 0.0, 1.0),
            distress_multiplier: cx.float(kt, &kp, "distress_multiplier", d.distress_multiplier, 1.0, 100.0),
            persistence: cx.float(kt, &kp, "persistence", d.persistence, 0.0, 0.999),
            exposure,
        });
    }
    // Events.
    let mut events = Vec::new();
    let ep = "shocks.events";
    let mut event_kinds: Vec<&'static str> = DisasterKind::ALL.iter().map(|k| k.key()).collect();
    event_kinds.push("price");
    for k in ["kind", "month", "industry"] {
        cx.string(None, "shocks.events[]", k, "");
    }
    cx.strings(None, "shocks.events[]", "counties");
    cx.strings(None, "shocks.events[]", "prefectures");
    cx.float(None, "shocks.events[]", "severity", 0.0, 0.0, 0.0);
    cx.float(None, "shocks.events[]", "price_change", 0.0, 0.0, 0.0);
    if let Some(items) = cx.array(t, p, "events") {
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{ep}[{i}]");
            cx.keys(
                item,
                &ip,
                &["kind", "month", "counties", "prefectures", "severity", "industry", "price_change"],
            );
            let it = Some(item);
            let kind_word = cx.choice(it, &ip, "kind", "drought", &event_kinds);
            if item.get("kind").is_none() {
                cx.error(item, &join(&ip, "kind"), format!("one of {}", event_kinds.join(", ")), "nothing");
            }
            let month = sim_month(cx, item, &ip, start, horizon);
            let mut hit: BTreeSet<usize> = BTreeSet::new();
            for (code, node) in cx.strings(it, &ip, "counties") {
                match counties.iter().position(|c| format!("{:06}", c.code.0) == code) {
                    Some(ix) => {
                        hit.insert(ix);
                    }
                    None => cx.error(
                        &node,
                        &join(&ip, "counties"),
                        "codes of counties listed in `geography.counties`",
                        node.describe(),
                    ),
                }
            }
            for (code, node) in cx.strings(it, &ip, "prefectures") {
                match prefs.iter().position(|x| format!("{:06}", x.code) == code) {
                    Some(px) => hit.extend(
                        counties.iter().enumerate().filter(|(_, c)| c.prefecture == px).map(|(ix, _)| ix),
                    ),
                    None => cx.error(
                        &node,
                        &join(&ip, "prefectures"),
                        "codes of prefectures listed in `geography.prefectures`",
                        node.describe(),
                    ),
                }
            }
            let severity = cx.float(it, &ip, "severity", 1.0, 0.0, 100.0);
            // Each kind of event has its own fields: anything else is an error.
            let foreign: &[&str] = if kind_word == "price" {
                &["counties", "prefectures", "severity"]
            } else {
                &["industry", "price_change"]
            };
            for f in foreign {
                if let Some(node) = item.get(f) {
                    let why = if kind_word == "price" {
                        "no `counties`, `prefectures` or `severity` on a price event (it moves one industry's price province-wide: give `industry` and `price_change`)"
                    } else {
                        "no `industry` or `price_change` on a disaster event (it hits `counties` or `prefectures` with a `severity`)"
                    };
                    cx.error(node, &join(&ip, f), why, format!("`{f}` = {}", node.describe()));
                }
            }
            let kind = if kind_word == "price" {
                let ind_word = cx.choice(it, &ip, "industry", "cattle", &INDUSTRY_KEYS);
                if item.get("industry").is_none() {
                    cx.error(item, &join(&ip, "industry"), "the industry whose price moves", "nothing");
                }
                if item.get("price_change").is_none() {
                    cx.error(
                        item,
                        &join(&ip, "price_change"),
                        "the relative price change, e.g. -0.24",
                        "nothing",
                    );
                }
                EventKind::Price(Industry::from_key(ind_word).unwrap_or(Industry::Other))
            } else {
                let k = DisasterKind::ALL
                    .into_iter()
                    .find(|k| k.key() == kind_word)
                    .unwrap_or(DisasterKind::Drought);
                EventKind::Disaster(k)
            };
            let price_change = cx.float(it, &ip, "price_change", 0.0, -0.95, 5.0);
            events.push(Event { kind, month, counties: hit.into_iter().collect(), severity, price_change });
        }
    }
    Shocks { prices, disasters, events }
}

fn rules(
    cx: &mut Cx<'_>,
    r: Option<&Node>,
    rate: Rate,
    term: u16,
    counties: &[County],
    start: YearMonth,
    horizon: u16,
) -> Rules {
    let rt = cx.sub(r, "", "rules");
    if let Some(n) = rt {
        cx.keys(
            n,
            "rules",
            &[
                "loans",
                "extension",
                "renewal",
                "compensation",
                "fund",
                "lending",
                "ladder",
                "demand",
                "service",
                "collection",
                "subsidy",
            ],
        );
    }
    // Loans.
    let lp = "rules.loans";
    let lt = cx.sub(rt, "rules", "loans");
    if let Some(n) = lt {
        cx.keys(
            n,
            lp,
            &[
                "first_max_yuan",
                "follow_up_max_yuan",
                "max_term_months",
                "lpr_annual",
                "subsidy_rate_cap_annual",
                "follow_up_fund_covered",
            ],
        );
    }
    let first_max = cx.money(
        lt,
        lp,
        "first_max_yuan",
        Fen::from_yuan(50_000),
        Fen::from_yuan(1),
        Fen::from_yuan(1_000_000),
    );
    let follow_max = cx.money(
        lt,
        lp,
        "follow_up_max_yuan",
        Fen::from_yuan(50_000),
        Fen::from_yuan(1),
        Fen::from_yuan(1_000_000),
    );
    let max_term = cx.int(lt, lp, "max_term_months", 36, 1, 120) as u16;
    let lpr_f = cx.float(lt, lp, "lpr_annual", 0.0345, 0.0, 0.24);
    let lpr = Rate::from_annual(lpr_f);
    let subsidy_cap = Rate::from_annual(cx.float(lt, lp, "subsidy_rate_cap_annual", lpr_f, 0.0, 0.24));
    let follow_up_fund_covered = cx.boolean(lt, lp, "follow_up_fund_covered", false);
    if term > max_term
        && let Some(node) = r.and_then(|r| r.get("portfolio")).and_then(|p| p.get("term_months"))
    {
        cx.error(
            node,
            "portfolio.term_months",
            format!("at most rules.loans.max_term_months ({max_term})"),
            node.describe(),
        );
    }
    if rate > lpr
        && let Some(node) = r.and_then(|r| r.get("portfolio")).and_then(|p| p.get("rate_annual"))
    {
        cx.error(
            node,
            "portfolio.rate_annual",
            format!("at most rules.loans.lpr_annual ({})", num(lpr_f)),
            node.describe(),
        );
    }
    // Extension and renewal.
    let xp = "rules.extension";
    let xt = cx.sub(rt, "rules", "extension");
    if let Some(n) = xt {
        cx.keys(n, xp, &["enabled", "months", "max_times"]);
    }
    let extension = ExtensionRules {
        enabled: cx.boolean(xt, xp, "enabled", true),
        max_months: cx.int(xt, xp, "months", 12, 1, 12) as u16,
        max_times: cx.int(xt, xp, "max_times", 1, 0, 10) as u8,
    };
    let np = "rules.renewal";
    let nt = cx.sub(rt, "rules", "renewal");
    if let Some(n) = nt {
        cx.keys(n, np, &["enabled", "max_times", "term_months"]);
    }
    let renewal = RenewalRules {
        enabled: cx.boolean(nt, np, "enabled", true),
        max_times: cx.int(nt, np, "max_times", 1, 0, 10) as u8,
        term_months: cx.int(nt, np, "term_months", 12, 1, 36) as u16,
    };
    let loans = LoanRules {
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
        subsidy: SubsidyRules { rate_cap: subsidy_cap },
    };
    // Compensation.
    let cp = "rules.compensation";
    let ct = cx.sub(rt, "rules", "compensation");
    if let Some(n) = ct {
        cx.keys(
            n,
            cp,
            &[
                "trigger_days_overdue",
                "collection_months",
                "activation",
                "activation_threshold",
                "bank_first_loss_yuan",
                "fund_share",
                "loss_base",
                "per_loan_cap_yuan",
                "annual_cap_yuan",
                "payment_delay_months",
                "recoveries_to_fund",
            ],
        );
    }
    let trigger_days_overdue = cx.int(ct, cp, "trigger_days_overdue", 90, 1, 720) as u16;
    let collection_months = cx.int(ct, cp, "collection_months", 3, 0, 36) as u16;
    let act = cx.choice(
        ct,
        cp,
        "activation",
        "county_overdue_ratio",
        &["none", "county_overdue_ratio", "county_npl_ratio", "bank_first_loss"],
    );
    let threshold = cx.float(ct, cp, "activation_threshold", 0.02, 0.0, 1.0);
    let first_loss = cx.money(ct, cp, "bank_first_loss_yuan", Fen::ZERO, Fen::ZERO, MAX_YUAN);
    let activation = match act {
        "none" => Activation::None,
        "county_npl_ratio" => Activation::CountyNplRatioAbove(threshold),
        "bank_first_loss" => Activation::BankFirstLoss(first_loss),
        _ => Activation::CountyOverdueRatioAbove(threshold),
    };
    let fund_share = cx.float(ct, cp, "fund_share", 0.7, 0.0, 1.0);
    let base = match cx.choice(
        ct,
        cp,
        "loss_base",
        "principal_plus_interest",
        &["principal", "principal_plus_interest"],
    ) {
        "principal" => LossBase::Principal,
        _ => LossBase::PrincipalPlusInterest,
    };
    let claims = ClaimRules {
        trigger_days_overdue,
        collection_months,
        activation,
        fund_share: Share::new(fund_share).unwrap_or_default(),
        base,
        per_loan_cap: cx.opt_money(ct, cp, "per_loan_cap_yuan", Fen::ZERO, MAX_YUAN),
        annual_cap: cx.opt_money(ct, cp, "annual_cap_yuan", Fen::ZERO, MAX_YUAN),
        payment_delay_months: cx.int(ct, cp, "payment_delay_months", 1, 0, 36) as u16,
        recoveries_to_fund: cx.boolean(ct, cp, "recoveries_to_fund", true),
    };
    // Fund.
    let fp = "rules.fund";
    let ft = cx.sub(rt, "rules", "fund");
    if let Some(n) = ft {
        cx.keys(
            n,
            fp,
            &["interest_rate_annual", "top_up", "top_up_month", "top_up_ratio", "annual_top_up_cap_yuan"],
        );
    }
    let interest_rate = Rate::from_annual(cx.float(ft, fp, "interest_rate_annual", 0.0035, 0.0, 0.2));
    let kind = cx.choice(
        ft,
        fp,
        "top_up",
        "annual_restore",
        &["none", "annual_restore", "annual_to_ratio", "quarterly_to_ratio"],
    );
    let month_of_year = cx.int(ft, fp, "top_up_month", 1, 1, 12) as u8;
    let ratio = cx.float(ft, fp, "top_up_ratio", 0.1, 0.0, 1.0);
    let top_up = match kind {
        "none" => TopUp::None,
        "annual_to_ratio" => TopUp::AnnualToRatio { ratio, month_of_year },
        "quarterly_to_ratio" => TopUp::QuarterlyToRatio { ratio },
        _ => TopUp::AnnualRestore { month_of_year },
    };
    let fund = FundRules {
        interest_rate,
        top_up,
        annual_top_up_cap: cx.opt_money(ft, fp, "annual_top_up_cap_yuan", Fen::ZERO, MAX_YUAN),
    };
    // Lending.
    let gp = "rules.lending";
    let gt = cx.sub(rt, "rules", "lending");
    if let Some(n) = gt {
        cx.keys(
            n,
            gp,
            &[
                "leverage_max",
                "suspension_metric",
                "suspension_tolerance",
                "key_county_extra",
                "suspend_on_fund_default",
                "write_off_months",
            ],
        );
    }
    let lending = LendingRules {
        leverage_max: cx.float(gt, gp, "leverage_max", 20.0, 0.0, 1000.0),
        suspension_metric: match cx.choice(gt, gp, "suspension_metric", "npl", &["npl", "overdue"]) {
            "overdue" => RatioMetric::Overdue,
            _ => RatioMetric::Npl,
        },
        suspension_tolerance: cx.float(gt, gp, "suspension_tolerance", 0.03, 0.0, 1.0),
        key_county_extra: cx.float(gt, gp, "key_county_extra", 0.03, 0.0, 1.0),
        suspend_on_fund_default: cx.boolean(gt, gp, "suspend_on_fund_default", true),
        write_off_months: cx.int(gt, gp, "write_off_months", 12, 1, 120) as u16,
    };
    // The ladder.
    let dp = "rules.ladder";
    let dt = cx.sub(rt, "rules", "ladder");
    if let Some(n) = dt {
        cx.keys(
            n,
            dp,
            &[
                "follow_up_uptake",
                "follow_up_amount_yuan",
                "follow_up_term_months",
                "commercial_uptake",
                "commercial_amount_yuan",
                "commercial_rate_annual",
                "commercial_term_months",
            ],
        );
    }
    let ladder = Ladder {
        follow_up_uptake: cx.float(dt, dp, "follow_up_uptake", 0.2, 0.0, 1.0),
        follow_up_amount: cx.money(
            dt,
            dp,
            "follow_up_amount_yuan",
            Fen::from_yuan(50_000),
            Fen::from_yuan(1),
            follow_max,
        ),
        follow_up_term_months: cx.int(dt, dp, "follow_up_term_months", 36, 1, max_term as i64) as u16,
        commercial_uptake: cx.float(dt, dp, "commercial_uptake", 0.1, 0.0, 1.0),
        commercial_amount: cx.money(
            dt,
            dp,
            "commercial_amount_yuan",
            Fen::from_yuan(100_000),
            Fen::from_yuan(1),
            Fen::from_yuan(10_000_000),
        ),
        commercial_rate: Rate::from_annual(cx.float(dt, dp, "commercial_rate_annual", 0.06, 0.0, 0.24)),
        commercial_term_months: cx.int(dt, dp, "commercial_term_months", 36, 1, 120) as u16,
    };
    // Demand.
    let mp = "rules.demand";
    let mt = cx.sub(rt, "rules", "demand");
    if let Some(n) = mt {
        cx.keys(
            n,
            mp,
            &[
                "repeat_uptake_monthly",
                "survey_interval_months",
                "survey_uplift",
                "survey_effect_months",
                "bank_refusal",
                "approval_lag_months",
                "fast_track",
                "fast_track_months",
                "fast_track_uplift",
            ],
        );
    }
    let demand = Demand {
        repeat_uptake_monthly: cx.float(mt, mp, "repeat_uptake_monthly", 0.01, 0.0, 1.0),
        survey_interval_months: cx.int(mt, mp, "survey_interval_months", 6, 1, 60) as u16,
        survey_uplift: cx.float(mt, mp, "survey_uplift", 0.5, 0.0, 10.0),
        survey_effect_months: cx.int(mt, mp, "survey_effect_months", 6, 0, 60) as u16,
        bank_refusal: cx.float(mt, mp, "bank_refusal", 0.05, 0.0, 1.0),
        approval_lag_months: cx.int(mt, mp, "approval_lag_months", 1, 0, 12) as u16,
        fast_track: cx.boolean(mt, mp, "fast_track", false),
        fast_track_months: cx.int(mt, mp, "fast_track_months", 6, 0, 36) as u16,
        fast_track_uplift: cx.float(mt, mp, "fast_track_uplift", 1.0, 0.0, 10.0),
    };
    // Service layout: bank exits.
    let sp = "rules.service";
    let st = cx.sub(rt, "rules", "service");
    if let Some(n) = st {
        cx.keys(n, sp, &["exit_monthly", "takeover_months", "exits"]);
    }
    cx.string(None, "rules.service.exits[]", "month", "");
    cx.strings(None, "rules.service.exits[]", "counties");
    cx.float(None, "rules.service.exits[]", "share", 0.0, 0.0, 0.0);
    let mut exits = Vec::new();
    if let Some(items) = cx.array(st, sp, "exits") {
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{sp}.exits[{i}]");
            cx.keys(item, &ip, &["month", "counties", "share"]);
            let it = Some(item);
            let month = sim_month(cx, item, &ip, start, horizon);
            let mut hit = Vec::new();
            for (code, node) in cx.strings(it, &ip, "counties") {
                match counties.iter().position(|c| format!("{:06}", c.code.0) == code) {
                    Some(ix) => hit.push(ix),
                    None => cx.error(
                        &node,
                        &join(&ip, "counties"),
                        "codes of counties listed in `geography.counties`",
                        node.describe(),
                    ),
                }
            }
            if item.get("counties").is_none() {
                cx.error(item, &join(&ip, "counties"), "at least one county code", "nothing");
            }
            let share = cx.float(it, &ip, "share", 1.0, 0.0, 1.0);
            exits.push(BankExit { month, counties: hit, share });
        }
    }
    let service = Service {
        exit_monthly: cx.float(st, sp, "exit_monthly", 0.0, 0.0, 1.0),
        takeover_months: cx.int(st, sp, "takeover_months", 6, 1, 120) as u16,
        exits,
    };
    // Collection and reminders.
    let op = "rules.collection";
    let ot = cx.sub(rt, "rules", "collection");
    if let Some(n) = ot {
        cx.keys(n, op, &["cadre_boost", "reminders", "reminder_factor"]);
    }
    let collection = Collection {
        cadre_boost: cx.float(ot, op, "cadre_boost", 0.3, 0.0, 10.0),
        reminders: cx.boolean(ot, op, "reminders", true),
        reminder_factor: cx.float(ot, op, "reminder_factor", 0.9, 0.0, 1.0),
    };
    // Subsidy payment.
    let yp = "rules.subsidy";
    let yt = cx.sub(rt, "rules", "subsidy");
    if let Some(n) = yt {
        cx.keys(n, yp, &["delay_months", "county_budget_share"]);
    }
    let subsidy = SubsidyPayment {
        delay_months: cx.int(yt, yp, "delay_months", 0, 0, 24) as u16,
        county_budget_share: cx.float(yt, yp, "county_budget_share", 1.5, 0.0, 100.0),
    };
    Rules { loans, claims, fund, lending, ladder, demand, service, collection, subsidy }
}

/// Reads the `month` of an event-like table as a simulation month within
/// the horizon.
fn sim_month(cx: &mut Cx<'_>, item: &Node, ip: &str, start: YearMonth, horizon: u16) -> u16 {
    let mp = join(ip, "month");
    let Some(node) = item.get("month") else {
        cx.error(item, &mp, "a month written as \"YYYY-MM\"", "nothing");
        return 0;
    };
    let Some(m) = cx.month_node(node, &mp) else { return 0 };
    let off = start.months_until(m);
    if off < 0 || off >= horizon as i32 {
        cx.error(
            node,
            &mp,
            format!("a month from {} to {}", start, start.plus(horizon as i32 - 1)),
            node.describe(),
        );
        return 0;
    }
    off as u16
}
