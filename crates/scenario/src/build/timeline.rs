//! `[[timeline]]` and the rule sets: rules that change at a date, and the
//! rules of each county.
//!
//! Every county's rules in every stretch of months are built the same way:
//! the `[rules]` tree, then the county's `[counties."…".rules]` (prefecture,
//! then list, then single code), then each timeline entry in force (its
//! `rules`, then its `counties."…".rules` naming the county), merged in
//! that order and read again by the rules reader, so every check and default
//! applies unchanged. A later layer wins: a timeline entry's province-wide
//! change applies to a county with rules of its own too. Equal rule sets
//! are kept once.

use std::collections::HashMap;

use mcstress_domain::{Rate, YearMonth};

use super::overrides::{self, Codes, CountyPatch, Locations};
use super::rules::{self, Context};
use super::{first_loan_amounts, items};
use crate::FieldError;
use crate::model::{Portfolio, Rates, RuleSets, Rules};
use crate::read::{Cx, Tab};
use crate::tree::{Kind, Node};

/// One `[[timeline]]` entry.
pub(super) struct Entry {
    /// First simulation month it applies in (0 for a month before the
    /// start).
    pub month: u16,
    /// Its province-wide `rules`.
    pub rules: Option<Node>,
    /// Its `counties."…"` rules.
    pub counties: Vec<CountyPatch>,
    /// Its path, `timeline[i]`.
    pub path: String,
}

/// Fields that cannot change at a date, with why, and whether a county may
/// have its own value.
const FIXED: [(&str, &str, &str, bool); 3] = [
    (
        "loans",
        "follow_up_fund_covered",
        "whether follow-up loans are covered is a term of their contracts, and the fund's covered balance \
         is kept from the start",
        true,
    ),
    (
        "service",
        "exits",
        "scripted bank exits carry their own month and counties: list them in [rules.service] of the \
         scenario",
        false,
    ),
    (
        "loans",
        "lpr_annual",
        "the LPR is a market rate, the same for every county: its changes are `rates.lpr`",
        false,
    ),
];

/// Reads `[[timeline]]`.
pub(super) fn read(
    cx: &mut Cx<'_>,
    top: &mut Tab<'_>,
    codes: &Codes,
    start: YearMonth,
    horizon: u16,
) -> Vec<Entry> {
    let last = start.plus(horizon as i32 - 1);
    let mut previous: Option<YearMonth> = None;
    let entries = items(cx, top, "timeline", |cx, t, _| {
        let path = t.field("").trim_end_matches('.').to_string();
        let mp = t.field("month");
        let mut month = 0;
        match cx.get(t, "month") {
            None => {
                if let Some(item) = t.node() {
                    cx.error(item, &mp, "a month written as \"YYYY-MM\"", "nothing");
                }
            }
            Some(node) => {
                if let Some(m) = cx.month_node(node, &mp) {
                    let off = start.months_until(m);
                    if off >= horizon as i32 {
                        cx.error(
                            node,
                            &mp,
                            format!(
                                "a month up to {last}, the last of the horizon (or before the start, {start})"
                            ),
                            node.describe(),
                        );
                    } else if let Some(p) = previous.filter(|p| m <= *p) {
                        cx.error(
                            node,
                            &mp,
                            format!(
                                "a month after the previous entry's ({p}): entries in increasing month order"
                            ),
                            node.describe(),
                        );
                    } else {
                        month = off.max(0) as u16;
                    }
                    previous = Some(m);
                }
            }
        }
        let rules = cx.get(t, "rules").cloned();
        if let Some(r) = &rules {
            forbid_fixed(cx, r, &format!("{path}.rules"), true);
        }
        let counties = match cx.get(t, "counties") {
            Some(node) => overrides::read(cx, node, &format!("{path}.counties"), codes, false),
            None => Vec::new(),
        };
        for c in &counties {
            if let Some(r) = &c.rules {
                forbid_fixed(cx, r, &format!("{}.rules", c.path), true);
            }
        }
        Entry { month, rules, counties, path }
    });
    entries.unwrap_or_default()
}

/// Reports the fields of a rules patch that cannot change at a date (in a
/// timeline) or per county (`service.exits`).
pub(super) fn forbid_fixed(cx: &mut Cx<'_>, rules: &Node, path: &str, in_timeline: bool) {
    for (table, key, why, per_county) in FIXED {
        if !in_timeline && per_county {
            continue;
        }
        if let Some(node) = rules.get(table).and_then(|t| t.get(key)) {
            let at = Node { span: node.key_span.clone().unwrap_or(node.span.clone()), ..node.clone() };
            let when = if in_timeline { "at a date" } else { "per county" };
            cx.error(
                &at,
                &format!("{path}.{table}.{key}"),
                format!("a field that can change {when}: `rules.{table}.{key}` cannot ({why})"),
                format!("`{key}`"),
            );
        }
    }
}

/// Builds the rule sets of every county from the county overrides and the
/// timeline; errors of the rebuilt rules located in a patch are reported
/// under the patch's path, others once (see [`add_errors`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn rule_sets<'n>(
    files: &[crate::SourceFile],
    root: &Node,
    base: &Rules,
    context: &Context<'_>,
    portfolio: &Portfolio,
    county_patches: &'n [CountyPatch],
    entries: &'n [Entry],
    errors: &mut Vec<FieldError>,
) -> RuleSets {
    let n = context.counties.len();
    let mut patches: Vec<&'n Node> = Vec::new();
    let mut locations = Locations::default();
    let mut add = |node: &'n Node, prefix: String| {
        locations.add(node, "", &format!("{prefix}."));
        // A patch's errors name its own path.
        patches.push(node);
        patches.len() - 1
    };
    // Per county, the ids of its own patches; per entry, its province
    // patch and per county its county patches.
    let mut own: Vec<Vec<usize>> = vec![Vec::new(); n];
    for p in county_patches {
        if let Some(r) = &p.rules {
            let id = add(r, p.path.clone());
            p.targets.iter().for_each(|&c| own[c].push(id));
        }
    }
    let mut dated: Vec<(u16, Option<usize>, Vec<Vec<usize>>)> = Vec::new();
    for e in entries {
        let province = e.rules.as_ref().map(|r| add(r, e.path.clone()));
        let mut per_county = vec![Vec::new(); n];
        for p in &e.counties {
            if let Some(r) = &p.rules {
                let id = add(r, p.path.clone());
                p.targets.iter().for_each(|&c| per_county[c].push(id));
            }
        }
        dated.push((e.month, province, per_county));
    }
    if patches.is_empty() {
        return RuleSets::default();
    }
    let base_tree = root.get("rules").cloned().unwrap_or_else(|| Node::table(0, 0..0));
    let mut extra: Vec<Rules> = Vec::new();
    let mut by_key: HashMap<Vec<usize>, u16> = HashMap::new();
    let mut set_of = |key: &[usize], errors: &mut Vec<FieldError>| -> u16 {
        if key.is_empty() {
            return 0;
        }
        if let Some(&i) = by_key.get(key) {
            return i;
        }
        let mut tree = base_tree.clone();
        for &id in key {
            tree.merge(patches[id].clone());
        }
        let rules = read_rules(files, tree, context, portfolio, &locations, errors);
        let i = if rules == *base {
            0
        } else if let Some(k) = extra.iter().position(|r| *r == rules) {
            k as u16 + 1
        } else {
            extra.push(rules);
            extra.len() as u16
        };
        by_key.insert(key.to_vec(), i);
        i
    };
    let mut schedule = vec![Vec::new(); n];
    let mut any = false;
    for c in 0..n {
        let mut key = own[c].clone();
        let mut out: Vec<(u16, u16)> = vec![(0, set_of(&key, errors))];
        for (month, province, per_county) in &dated {
            key.extend(province.iter().copied());
            key.extend(per_county[c].iter().copied());
            let set = set_of(&key, errors);
            match out.last_mut() {
                Some(last) if last.0 == *month => last.1 = set,
                _ => out.push((*month, set)),
            }
        }
        out.dedup_by(|b, a| a.1 == b.1);
        if out != [(0, 0)] {
            any = true;
            schedule[c] = out;
        }
    }
    if !any {
        schedule.clear();
    }
    RuleSets { extra, schedule }
}

/// Reads a merged rules tree as the rules reader reads `[rules]`.
fn read_rules(
    files: &[crate::SourceFile],
    tree: Node,
    context: &Context<'_>,
    portfolio: &Portfolio,
    locations: &Locations,
    errors: &mut Vec<FieldError>,
) -> Rules {
    let root =
        Node { kind: Kind::Table(vec![("rules".to_string(), tree)]), file: 0, span: 0..0, key_span: None };
    let mut cx = Cx::new(files);
    let mut top = cx.root(&root);
    let rules = rules::read(&mut cx, &mut top, context);
    cx.close(top);
    // The limits checked against the merged rules (and the portfolio).
    let mut both = root.clone();
    if let (Kind::Table(entries), Some(p)) = (&mut both.kind, context.root.get("portfolio")) {
        entries.push(("portfolio".to_string(), p.clone()));
    }
    first_loan_amounts(&mut cx, &both, portfolio, &rules);
    for mut e in cx.into_errors() {
        locations.relocate(files, &mut e);
        if !errors.contains(&e) {
            errors.push(e);
        }
    }
    rules
}

/// The LPR changes of the public record (calibration-sources §7): 3.35 %
/// from 2024-07, 3.10 % from 2024-10, 3.00 % from 2025-05. Before them,
/// `rules.loans.lpr_annual` (3.45 %, from 2023-08).
const LPR_CHANGES: [(i32, u8, f64); 3] = [(2024, 7, 0.0335), (2024, 10, 0.031), (2025, 5, 0.03)];

/// `[rates]`: the LPR's changes and the spread of new loans over it.
pub(super) fn rates(cx: &mut Cx<'_>, top: &mut Tab<'_>) -> Rates {
    let mut rt = cx.table(top, "rates");
    let mut previous: Option<YearMonth> = None;
    let changes = items(cx, &mut rt, "lpr", |cx, t, _| {
        let fp = t.field("from");
        let mut from = None;
        match cx.get(t, "from") {
            None => {
                if let Some(item) = t.node() {
                    cx.error(item, &fp, "a month written as \"YYYY-MM\"", "nothing");
                }
            }
            Some(node) => {
                if let Some(m) = cx.month_node(node, &fp) {
                    if let Some(p) = previous.filter(|p| m <= *p) {
                        cx.error(
                            node,
                            &fp,
                            format!(
                                "a month after the previous change's ({p}): changes in increasing month order"
                            ),
                            node.describe(),
                        );
                    } else {
                        from = Some(m);
                    }
                    previous = Some(m);
                }
            }
        }
        cx.require(t, "rate", "the LPR from that month, an annual rate such as 0.0335");
        let rate = Rate::from_annual(cx.float(t, "rate", 0.0, 0.0, 0.24));
        from.map(|m| (m, rate))
    });
    let lpr_changes = match changes {
        Some(list) => list.into_iter().flatten().collect(),
        None => LPR_CHANGES
            .iter()
            .map(|&(year, month, rate)| (YearMonth { year, month }, Rate::from_annual(rate)))
            .collect(),
    };
    let new_loan_spread = Rate::from_annual(cx.float(&mut rt, "new_loan_spread_annual", 0.0, 0.0, 0.1));
    cx.close(rt);
    Rates { lpr_changes, new_loan_spread }
}
