//! Builds a [`Scenario`] from a merged tree, one reader function per
//! section, with defaults, ranges and cross-field checks.
//!
//! Each reader reads its table through a [`Tab`] cursor, which records the
//! keys it asks for; once the reader is done, any other key of the table is
//! an unknown field (see [`Cx::close`]). So the fields a table knows are the
//! fields its reader reads, and the reader is the only list of them.

mod behaviour;
mod data;
mod geography;
mod overrides;
mod portfolio;
mod rules;
mod shocks;
mod timeline;

use std::collections::BTreeSet;

use mcstress_domain::{Fen, Share, YearMonth};

use crate::model::*;
use crate::read::{Cx, Tab, num};
use crate::tree::Node;
use crate::{FieldError, SourceFile};

/// The largest amount of money of the format, in any field.
const MAX_YUAN: Fen = Fen::from_yuan(1_000_000_000_000);
const CATEGORY_KEYS: [&str; 4] = ["lifted", "unstable", "edge", "sudden_hardship"];
const GRADE_KEYS: [&str; 3] = ["a", "b", "c"];
const INDUSTRY_KEYS: [&str; 9] =
    ["cattle", "pigs", "tea", "coffee", "walnut", "tobacco", "fruit_veg", "migrant_wages", "other"];
const BUCKET_KEYS: [&str; 4] = ["d1_30", "d31_90", "d91_180", "d181_plus"];

/// The fields of `[scenario]`.
struct Head {
    name: String,
    title_zh: Option<String>,
    title_en: Option<String>,
    description: String,
    start: YearMonth,
    horizon_months: u16,
    paths: u32,
    seed: u64,
}

/// Reads the scenario of the tree `root`; returns it (with defaults where a
/// value is wrong), every problem found, and the field paths the reader
/// knows.
pub(crate) fn build(root: &Node, files: &[SourceFile]) -> (Scenario, Vec<FieldError>, BTreeSet<String>) {
    let mut cx = Cx::new(files);
    // County overrides: their data are merged into the county array before
    // it is read, their rules read again on top of `[rules]` below.
    let codes = overrides::Codes::of(root);
    let county_patches = match root.get("counties") {
        Some(node) => overrides::read(&mut cx, node, "counties", &codes, true),
        None => Vec::new(),
    };
    for p in &county_patches {
        if let Some(r) = &p.rules {
            timeline::forbid_fixed(&mut cx, r, &format!("{}.rules", p.path), false);
        }
    }
    let (merged, data_locations) = overrides::apply_data(root, &county_patches);
    let root = &merged;
    let mut top = cx.root(root);
    // Read above; recorded here as a field of the top level.
    let _ = cx.get(&mut top, "counties");
    let head = scenario(&mut cx, &mut top);
    let portfolio = portfolio::read(&mut cx, &mut top);
    let (prefectures, counties) = geography::read(&mut cx, &mut top);
    let behaviour = behaviour::read(&mut cx, &mut top);
    let shocks = shocks::read(&mut cx, &mut top, &counties, &prefectures, head.start, head.horizon_months);
    let context = rules::Context {
        root,
        rate: portfolio.rate,
        term: portfolio.term_months,
        counties: &counties,
        start: head.start,
        horizon: head.horizon_months,
        amounts: &portfolio.mix.amounts,
    };
    let rules = rules::read(&mut cx, &mut top, &context);
    let data = data::read(&mut cx, &mut top, head.start);
    let entries = timeline::read(&mut cx, &mut top, &codes, head.start, head.horizon_months);
    let rates = timeline::rates(&mut cx, &mut top);
    cx.close(top);
    first_loan_amounts(&mut cx, root, &portfolio, &rules);
    let mut later_errors = Vec::new();
    let rule_sets = timeline::rule_sets(
        files,
        root,
        &rules,
        &context,
        &portfolio,
        &county_patches,
        &entries,
        &mut later_errors,
    );

    let scenario = Scenario {
        name: head.name,
        title_zh: head.title_zh,
        title_en: head.title_en,
        description: head.description,
        start: head.start,
        horizon_months: head.horizon_months,
        paths: head.paths,
        seed: head.seed,
        sha256: String::new(),
        variant: None,
        portfolio,
        prefectures,
        counties,
        behaviour,
        shocks,
        rules,
        data,
        book: None,
        rule_sets,
        rates,
    };
    // The book's sums are bounded under each rule set (its loan sizes,
    // new first loans' included, its rates, interest and top-ups): the
    // largest bound must fit.
    let probes = (0..scenario.rule_set_count()).map(|i| {
        let mut probe = scenario.clone();
        probe.rules = scenario.rule_set(i).clone();
        probe.portfolio.mix.amounts.extend(probe.rules.demand.first_loan_amounts.iter().copied());
        probe
    });
    let largest = probes
        .max_by(|a, b| crate::book_size::bound(a).total().total_cmp(&crate::book_size::bound(b).total()));
    if let Some(probe) = largest {
        book_size(&mut cx, root, &probe);
    }
    let visited = std::mem::take(&mut cx.visited);
    let mut errors = cx.into_errors();
    for e in &mut errors {
        data_locations.relocate(files, e);
    }
    errors.extend(later_errors);
    // A problem of a list or prefecture override sits in several counties:
    // reported once.
    let mut unique: Vec<FieldError> = Vec::with_capacity(errors.len());
    for e in errors {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    let errors = unique;
    (scenario, errors, visited)
}

/// `[scenario]`: name, calendar, horizon and the run's defaults.
fn scenario(cx: &mut Cx<'_>, top: &mut Tab<'_>) -> Head {
    let mut t = cx.table(top, "scenario");
    let head = Head {
        name: cx.string(&mut t, "name", "unnamed"),
        // Display names for briefings; a blank one is none.
        title_zh: Some(cx.string(&mut t, "title_zh", "")).filter(|s| !s.trim().is_empty()),
        title_en: Some(cx.string(&mut t, "title_en", "")).filter(|s| !s.trim().is_empty()),
        description: cx.string(&mut t, "description", ""),
        start: cx.month(&mut t, "start", YearMonth { year: 2024, month: 1 }),
        horizon_months: cx.int(&mut t, "horizon_months", 60, 1, 240) as u16,
        paths: cx.int(&mut t, "paths", 1000, 1, 10_000_000) as u32,
        seed: cx.int(&mut t, "seed", 1, 0, i64::MAX) as u64,
    };
    cx.close(t);
    head
}

/// Every loan of the book, and every new first loan, is a first loan: its
/// amount must respect the first-loan limit.
fn first_loan_amounts(cx: &mut Cx<'_>, root: &Node, portfolio: &Portfolio, rules: &Rules) {
    let limit = rules.loans.first.max_amount;
    fn item<'n>(table: Option<&'n Node>, key: &str, i: usize) -> Option<&'n Node> {
        table.and_then(|t| t.get(key)).and_then(|a| match &a.kind {
            crate::tree::Kind::Array(items) => items.get(i).and_then(|item| item.get("yuan")),
            _ => None,
        })
    }
    let expected = || format!("at most rules.loans.first_max_yuan ({})", limit.to_yuan_decimal());
    for (i, (amount, _)) in portfolio.mix.amounts.iter().enumerate() {
        if *amount > limit
            && let Some(node) = item(root.get("portfolio"), "amounts", i)
        {
            cx.error(node, &format!("portfolio.amounts[{i}].yuan"), expected(), node.describe());
        }
    }
    let demand = root.get("rules").and_then(|r| r.get("demand"));
    for (i, (amount, _)) in rules.demand.first_loan_amounts.iter().enumerate() {
        if *amount > limit
            && let Some(node) = item(demand, "first_loan_amounts", i)
        {
            cx.error(
                node,
                &format!("rules.demand.first_loan_amounts[{i}].yuan"),
                expected(),
                node.describe(),
            );
        }
    }
}

/// An array `key` of `{ yuan, share }` tables whose shares sum to 1 (loan
/// amounts); `default` when absent or wrong.
pub(super) fn amount_mix(
    cx: &mut Cx<'_>,
    t: &mut Tab<'_>,
    key: &str,
    default: &[(Fen, f64)],
) -> Vec<(Fen, f64)> {
    let p = t.field(key);
    let before = cx.error_count();
    let read = items(cx, t, key, |cx, it, _| {
        let yuan = cx.money(it, "yuan", Fen::ZERO, Fen::from_yuan(1), Fen::from_yuan(1_000_000));
        cx.require(it, "yuan", "an amount in yuan");
        let share = cx.float(it, "share", 0.0, 0.0, 1.0);
        (yuan, share)
    });
    let Some(read) = read else { return default.to_vec() };
    let sum: f64 = read.iter().map(|a| a.1).sum();
    if cx.error_count() != before {
        return default.to_vec();
    }
    if read.is_empty() || (sum - 1.0).abs() > 1e-6 {
        if let Some(node) = t.node().and_then(|t| t.get(key)) {
            let found = if read.is_empty() {
                "an empty list".to_string()
            } else {
                format!("shares summing to {}", num(sum))
            };
            cx.error(node, &p, "loan amounts whose shares sum to 1", found);
        }
        return default.to_vec();
    }
    read
}

/// Refuses a book whose sums could pass the engine's integer fen (see
/// [`crate::book_size`]), naming what makes it large.
fn book_size(cx: &mut Cx<'_>, root: &Node, s: &Scenario) {
    use crate::book_size::{MAX_BOOK_FEN, approx_yuan, bound, grouped};
    let b = bound(s);
    if b.total() <= MAX_BOOK_FEN {
        return;
    }
    let Some(node) = root.get("geography").and_then(|g| g.get("counties")) else { return };
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

/// Reads every item of the array of tables `key` of `t` with `item`, each
/// through its own cursor (`path[i]`). When the array has no items, `item`
/// still reads an absent item (`path[]`), so that the fields of an item are
/// known whatever the file holds; that reading is discarded.
fn items<T>(
    cx: &mut Cx<'_>,
    t: &mut Tab<'_>,
    key: &str,
    mut item: impl FnMut(&mut Cx<'_>, &mut Tab<'_>, usize) -> T,
) -> Option<Vec<T>> {
    let p = t.field(key);
    let Some(nodes) = cx.array(t, key) else {
        let mut none = cx.absent(format!("{p}[]"));
        item(cx, &mut none, 0);
        cx.close(none);
        return None;
    };
    if nodes.is_empty() {
        let mut none = cx.absent(format!("{p}[]"));
        item(cx, &mut none, 0);
        cx.close(none);
    }
    let mut out = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let mut it = cx.item(node, format!("{p}[{i}]"));
        out.push(item(cx, &mut it, i));
        cx.close(it);
    }
    Some(out)
}

/// A six-digit division code, **required**.
fn code_of(cx: &mut Cx<'_>, t: &mut Tab<'_>, key: &str) -> Option<u32> {
    let p = t.field(key);
    let Some(node) = cx.get(t, key) else {
        if let Some(n) = t.node() {
            cx.error(n, &p, "a six-digit division code such as \"530102\"", "nothing");
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

/// A table of independent numbers in `[0, hi]` keyed by `keys` (unlike a
/// mix, they need not sum to 1). Missing keys keep their default.
fn probs<const N: usize>(
    cx: &mut Cx<'_>,
    t: &mut Tab<'_>,
    key: &str,
    keys: &[&str; N],
    default: [f64; N],
    hi: f64,
) -> [f64; N] {
    let mut table = cx.table(t, key);
    let mut out = default;
    for (i, k) in keys.iter().enumerate() {
        out[i] = cx.float(&mut table, k, default[i], 0.0, hi);
    }
    cx.close(table);
    out
}

/// Reads the **required** `month` of an event-like table as a simulation
/// month within the horizon.
fn sim_month(cx: &mut Cx<'_>, t: &mut Tab<'_>, start: YearMonth, horizon: u16) -> u16 {
    let mp = t.field("month");
    let Some(node) = cx.get(t, "month") else {
        if let Some(item) = t.node() {
            cx.error(item, &mp, "a month written as \"YYYY-MM\"", "nothing");
        }
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

/// County codes of the list `key` of `t`, as indices into `counties`; an
/// unknown code is an error.
fn county_list(cx: &mut Cx<'_>, t: &mut Tab<'_>, key: &str, counties: &[County]) -> Vec<usize> {
    let p = t.field(key);
    let mut hit = Vec::new();
    for (code, node) in cx.strings(t, key) {
        match counties.iter().position(|c| format!("{:06}", c.code.0) == code) {
            Some(ix) => hit.push(ix),
            None => cx.error(&node, &p, "codes of counties listed in `geography.counties`", node.describe()),
        }
    }
    hit
}

/// A default share written in the reader (always within `[0, 1]`).
pub(crate) fn share(x: f64) -> Share {
    Share::new(x).unwrap_or(Share::ZERO)
}
