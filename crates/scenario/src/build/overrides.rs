//! `[counties."…"]`: a county's own data and rules on top of the county
//! table and the province's rules, without copying the county array.
//!
//! A key names one county (`"530621"`), a comma-separated list of counties
//! (`"530621,530622"`) or a prefecture (`"530600"`, every county of it).
//! The table holds county data fields (merged into the county's entry of
//! `geography.counties` before that is read, so every check and default of
//! the county reader applies) and a `rules` table (merged into a copy of
//! `[rules]` and read again by the rules reader, see [`super::timeline`]).
//! Errors are reported against the override's own path
//! (`counties."530621".fund_yuan`).

use std::collections::HashMap;

use crate::FieldError;
use crate::read::Cx;
use crate::tree::{Kind, Node, line_col};

/// How specific a key is: a more specific override applies later (wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    Prefecture,
    List,
    County,
}

/// One `[counties."KEY"]` table (or the same inside a timeline entry).
#[derive(Clone, Debug)]
pub(super) struct CountyPatch {
    /// Indices of the counties it applies to.
    pub targets: Vec<usize>,
    /// Its `rules` table, if any.
    pub rules: Option<Node>,
    /// Its other fields (county data).
    pub data: Vec<(String, Node)>,
    /// Its path in messages, e.g. `counties."530621"`.
    pub path: String,
    pub rank: Rank,
}

/// The county codes and prefecture codes of the tree's county array, as
/// written, by array index.
pub(super) struct Codes {
    counties: Vec<(String, String)>,
}

impl Codes {
    pub fn of(root: &Node) -> Codes {
        let mut counties = Vec::new();
        if let Some(Kind::Array(items)) =
            root.get("geography").and_then(|g| g.get("counties")).map(|n| &n.kind)
        {
            for item in items {
                let text = |k: &str| match item.get(k).map(|n| &n.kind) {
                    Some(Kind::Str(s)) => s.clone(),
                    _ => String::new(),
                };
                counties.push((text("code"), text("prefecture")));
            }
        }
        Codes { counties }
    }

    /// The counties a key names, or why it names none.
    fn resolve(&self, key: &str) -> Result<(Vec<usize>, Rank), String> {
        let six = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = key.split(',').map(str::trim).collect();
        if parts.len() > 1 {
            let mut out = Vec::new();
            for p in parts {
                if !six(p) {
                    return Err(format!("{p:?} in the list {key:?}"));
                }
                match self.counties.iter().position(|(c, _)| c == p) {
                    Some(i) if !out.contains(&i) => out.push(i),
                    Some(_) => return Err(format!("{p} twice in the list {key:?}")),
                    None => return Err(format!("no county {p} in this scenario")),
                }
            }
            return Ok((out, Rank::List));
        }
        if !six(key) {
            return Err(format!("{key:?}"));
        }
        if let Some(i) = self.counties.iter().position(|(c, _)| c == key) {
            return Ok((vec![i], Rank::County));
        }
        if key.ends_with("00") {
            let members: Vec<usize> =
                self.counties.iter().enumerate().filter(|(_, (_, p))| p == key).map(|(i, _)| i).collect();
            if !members.is_empty() {
                return Ok((members, Rank::Prefecture));
            }
            return Err(format!("no county {key} in this scenario, nor a prefecture with counties"));
        }
        Err(format!("no county {key} in this scenario"))
    }
}

/// What a key must be.
const KEY_EXPECTED: &str = "a six-digit code of a county of the scenario (`geography.counties`), a \
     comma-separated list of them, or a prefecture's code (ending in 00) for all its counties";

/// Reads the county tables of `table` (the top-level `counties`, or a
/// timeline entry's) at `path`; `data_allowed` says whether fields other
/// than `rules` may be set (not in a timeline entry).
pub(super) fn read(
    cx: &mut Cx<'_>,
    node: &Node,
    path: &str,
    codes: &Codes,
    data_allowed: bool,
) -> Vec<CountyPatch> {
    let Kind::Table(entries) = &node.kind else {
        cx.error(node, path, "a table of county tables keyed by county code", node.describe());
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let p = format!("{path}.\"{key}\"");
        let at = Node {
            span: value.key_span.clone().unwrap_or(value.span.clone()),
            ..Node::table(value.file, 0..0)
        };
        let (targets, rank) = match codes.resolve(key) {
            Ok(x) => x,
            Err(found) => {
                cx.error(&at, &p, KEY_EXPECTED, found);
                continue;
            }
        };
        let Kind::Table(fields) = &value.kind else {
            cx.error(value, &p, "a table of the county's fields and `rules`", value.describe());
            continue;
        };
        let mut rules = None;
        let mut data = Vec::new();
        for (k, v) in fields {
            match k.as_str() {
                "rules" => rules = Some(v.clone()),
                "code" | "prefecture" => {
                    let at = Node {
                        span: v.key_span.clone().unwrap_or(v.span.clone()),
                        ..Node::table(v.file, 0..0)
                    };
                    cx.error(
                        &at,
                        &format!("{p}.{k}"),
                        "county fields other than `code` and `prefecture` (the key names the county)",
                        format!("`{k}`"),
                    );
                }
                _ if !data_allowed => {
                    let at = Node {
                        span: v.key_span.clone().unwrap_or(v.span.clone()),
                        ..Node::table(v.file, 0..0)
                    };
                    cx.error(
                        &at,
                        &format!("{p}.{k}"),
                        "only `rules` (a county's data — fund, flags, households — is its state at the start \
                         and cannot change at a date)",
                        format!("`{k}`"),
                    );
                }
                _ => data.push((k.clone(), v.clone())),
            }
        }
        out.push(CountyPatch { targets, rules, data, path: p, rank });
    }
    // Less specific first, in the order written within a rank.
    out.sort_by_key(|x| x.rank);
    out
}

/// The tree with every override's county data merged into its counties'
/// entries of `geography.counties`, and where each merged value came from:
/// (file, offset) of its nodes → (the entry's path, the override's path).
pub(super) fn apply_data(root: &Node, patches: &[CountyPatch]) -> (Node, Locations) {
    let mut locations = Locations::default();
    if patches.iter().all(|p| p.data.is_empty()) {
        return (root.clone(), locations);
    }
    let mut out = root.clone();
    let Some(Kind::Table(top)) = Some(&mut out.kind) else { return (root.clone(), locations) };
    let Some((_, geo)) = top.iter_mut().find(|(k, _)| k == "geography") else {
        return (root.clone(), locations);
    };
    let Kind::Table(geo) = &mut geo.kind else { return (root.clone(), locations) };
    let Some((_, counties)) = geo.iter_mut().find(|(k, _)| k == "counties") else {
        return (root.clone(), locations);
    };
    let Kind::Array(items) = &mut counties.kind else { return (root.clone(), locations) };
    for patch in patches {
        if patch.data.is_empty() {
            continue;
        }
        for &c in &patch.targets {
            let Some(item) = items.get_mut(c) else { continue };
            let mut over = Node::table(item.file, item.span.clone());
            if let Kind::Table(e) = &mut over.kind {
                e.extend(patch.data.iter().cloned());
            }
            for (_, v) in &patch.data {
                locations.add(v, &format!("geography.counties[{c}]."), &format!("{}.", patch.path));
            }
            item.merge(over);
        }
    }
    (out, locations)
}

/// Where the nodes of patches sit: (file, byte offset) of each node and
/// key → (the path the reader gives it, the path to report instead).
#[derive(Default)]
pub(super) struct Locations {
    at: HashMap<(usize, usize), Vec<(String, String)>>,
}

impl Locations {
    /// Records `node` and everything in it: its reader path starts with
    /// `from`, to be reported as starting with `to`.
    pub fn add(&mut self, node: &Node, from: &str, to: &str) {
        let pair = (from.to_string(), to.to_string());
        self.at.entry((node.file, node.span.start)).or_default().push(pair.clone());
        if let Some(k) = &node.key_span {
            self.at.entry((node.file, k.start)).or_default().push(pair);
        }
        match &node.kind {
            Kind::Table(entries) => entries.iter().for_each(|(_, v)| self.add(v, from, to)),
            Kind::Array(items) => items.iter().for_each(|v| self.add(v, from, to)),
            _ => {}
        }
    }

    /// Reports `e` against the patch it sits in, if it sits in one.
    pub fn relocate(&self, files: &[crate::SourceFile], e: &mut FieldError) {
        if self.at.is_empty() {
            return;
        }
        for ((file, offset), pairs) in &self.at {
            let Some(f) = files.get(*file) else { continue };
            if f.name != e.file {
                continue;
            }
            let (l, c) = line_col(&f.text, *offset);
            if e.line != Some(l) || e.column != Some(c) {
                continue;
            }
            if let Some((from, to)) = pairs.iter().find(|(from, _)| e.path.starts_with(from.as_str())) {
                e.path = format!("{to}{}", &e.path[from.len()..]);
                return;
            }
        }
    }
}
