//! Typed reading of tree nodes, collecting every error instead of stopping
//! at the first.

use std::collections::BTreeSet;

use mcstress_domain::{Fen, YearMonth};

use crate::tree::{Kind, Node, line_col};
use crate::{FieldError, SourceFile};

/// The reading context: the source files, the errors found so far and the
/// field paths visited (so a test can check the format doc covers them).
pub(crate) struct Cx<'a> {
    pub files: &'a [SourceFile],
    pub errors: Vec<FieldError>,
    pub visited: BTreeSet<String>,
}

/// Renders a path for documentation: array indices become `[]`.
fn doc_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(ch),
        }
    }
    out
}

/// A number as messages print it: plain decimals for ordinary magnitudes,
/// the shortest exponent form that reads back exactly otherwise (`1e308`
/// rather than 309 digits, `1e-300` rather than 300 zeros).
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if a.is_finite() && a != 0.0 && !(1e-5..1e16).contains(&a) { format!("{x:e}") } else { format!("{x}") }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// Edit distance for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl<'a> Cx<'a> {
    pub fn new(files: &'a [SourceFile]) -> Cx<'a> {
        Cx { files, errors: Vec::new(), visited: BTreeSet::new() }
    }

    fn locate(&self, file: usize, offset: usize) -> (String, Option<usize>, Option<usize>) {
        match self.files.get(file) {
            Some(f) => {
                let (l, c) = line_col(&f.text, offset);
                (f.name.clone(), Some(l), Some(c))
            }
            None => ("<unknown>".into(), None, None),
        }
    }

    /// Records an error at a node.
    pub fn error(&mut self, node: &Node, path: &str, expected: impl Into<String>, found: impl Into<String>) {
        let (file, line, column) = self.locate(node.file, node.span.start);
        self.errors.push(FieldError {
            file,
            line,
            column,
            path: path.to_string(),
            expected: expected.into(),
            found: found.into(),
        });
    }

    fn visit(&mut self, path: &str) {
        self.visited.insert(doc_path(path));
    }

    /// Reports every key of table `t` not in `allowed` as an unknown field.
    pub fn keys(&mut self, t: &Node, path: &str, allowed: &[&str]) {
        let Kind::Table(entries) = &t.kind else {
            self.error(t, path, "a table", t.describe());
            return;
        };
        for (k, v) in entries {
            if allowed.contains(&k.as_str()) {
                continue;
            }
            let hint = allowed
                .iter()
                .map(|a| (distance(k, a), a))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, a)| format!(" (did you mean `{a}`?)"))
                .unwrap_or_default();
            let at = Node { span: v.key_span.clone().unwrap_or(v.span.clone()), ..Node::table(v.file, 0..0) };
            let mut list = allowed.join(", ");
            if list.is_empty() {
                list = "no fields".into();
            }
            self.error(&at, &join(path, k), format!("one of: {list}{hint}"), format!("unknown field `{k}`"));
        }
    }

    /// The child table `key` of `t`, if present and a table.
    pub fn sub<'n>(&mut self, t: Option<&'n Node>, path: &str, key: &str) -> Option<&'n Node> {
        let node = t?.get(key)?;
        match node.kind {
            Kind::Table(_) => Some(node),
            _ => {
                self.error(node, &join(path, key), "a table", node.describe());
                None
            }
        }
    }

    /// The array `key` of `t`, if present and an array.
    pub fn array<'n>(&mut self, t: Option<&'n Node>, path: &str, key: &str) -> Option<&'n [Node]> {
        let p = join(path, key);
        self.visit(&p);
        let node = t?.get(key)?;
        match &node.kind {
            Kind::Array(items) => Some(items),
            _ => {
                self.error(node, &p, "an array", node.describe());
                None
            }
        }
    }

    /// A number in `[lo, hi]`; integers are accepted where a float is asked.
    pub fn float(&mut self, t: Option<&Node>, path: &str, key: &str, default: f64, lo: f64, hi: f64) -> f64 {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        self.float_node(node, &p, default, lo, hi)
    }

    pub fn float_node(&mut self, node: &Node, p: &str, default: f64, lo: f64, hi: f64) -> f64 {
        let x = match node.kind {
            Kind::Float(x) => x,
            Kind::Int(i) => i as f64,
            _ => {
                self.error(node, p, format!("a number from {} to {}", num(lo), num(hi)), node.describe());
                return default;
            }
        };
        if !(lo..=hi).contains(&x) {
            self.error(node, p, format!("a number from {} to {}", num(lo), num(hi)), node.describe());
            return default;
        }
        x
    }

    /// An integer in `[lo, hi]`.
    pub fn int(&mut self, t: Option<&Node>, path: &str, key: &str, default: i64, lo: i64, hi: i64) -> i64 {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        self.int_node(node, &p, default, lo, hi)
    }

    pub fn int_node(&mut self, node: &Node, p: &str, default: i64, lo: i64, hi: i64) -> i64 {
        match node.kind {
            Kind::Int(i) if (lo..=hi).contains(&i) => i,
            _ => {
                self.error(node, p, format!("a whole number from {lo} to {hi}"), node.describe());
                default
            }
        }
    }

    /// An amount of yuan written as an integer or a decimal string (never a
    /// float: a float literal goes through `f64` and may lose fen).
    pub fn money(&mut self, t: Option<&Node>, path: &str, key: &str, default: Fen, lo: Fen, hi: Fen) -> Fen {
        self.opt_money(t, path, key, lo, hi).unwrap_or(default)
    }

    pub fn opt_money(&mut self, t: Option<&Node>, path: &str, key: &str, lo: Fen, hi: Fen) -> Option<Fen> {
        let p = join(path, key);
        self.visit(&p);
        let node = t.and_then(|t| t.get(key))?;
        let expected = || {
            format!(
                "an amount in yuan from {} to {}, as an integer or a string such as \"1234.56\"",
                lo.to_yuan_decimal(),
                hi.to_yuan_decimal()
            )
        };
        let may_be_negative = lo < Fen::ZERO;
        let fen = match &node.kind {
            Kind::Int(i) if *i < 0 && !may_be_negative => {
                self.error(node, &p, expected(), format!("{i} (a negative amount)"));
                return None;
            }
            Kind::Int(i) => i.checked_mul(100).map(Fen),
            Kind::Str(s) => {
                let parsed =
                    if may_be_negative { Fen::parse_yuan(s) } else { Fen::parse_yuan_non_negative(s) };
                match parsed {
                    Ok(f) => Some(f),
                    Err(e) => {
                        self.error(node, &p, expected(), format!("{s:?} ({})", e.reason()));
                        return None;
                    }
                }
            }
            Kind::Float(_) => {
                self.error(node, &p, expected() + " (not a float)", node.describe());
                return None;
            }
            _ => None,
        };
        match fen {
            Some(f) if f >= lo && f <= hi => Some(f),
            _ => {
                self.error(node, &p, expected(), node.describe());
                None
            }
        }
    }

    pub fn boolean(&mut self, t: Option<&Node>, path: &str, key: &str, default: bool) -> bool {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        match node.kind {
            Kind::Bool(b) => b,
            _ => {
                self.error(node, &p, "true or false", node.describe());
                default
            }
        }
    }

    pub fn string(&mut self, t: Option<&Node>, path: &str, key: &str, default: &str) -> String {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default.to_string() };
        self.string_node(node, &p).unwrap_or_else(|| default.to_string())
    }

    pub fn string_node(&mut self, node: &Node, p: &str) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.error(node, p, "a string", node.describe());
                None
            }
        }
    }

    /// One of a fixed set of words.
    pub fn choice(
        &mut self,
        t: Option<&Node>,
        path: &str,
        key: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> &'static str {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        if let Kind::Str(s) = &node.kind
            && let Some(a) = allowed.iter().find(|a| **a == s.as_str())
        {
            return a;
        }
        let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
        self.error(node, &p, format!("one of {list}"), node.describe());
        default
    }

    /// A calendar month "YYYY-MM".
    pub fn month(&mut self, t: Option<&Node>, path: &str, key: &str, default: YearMonth) -> YearMonth {
        let p = join(path, key);
        self.visit(&p);
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        self.month_node(node, &p).unwrap_or(default)
    }

    pub fn month_node(&mut self, node: &Node, p: &str) -> Option<YearMonth> {
        let text = match &node.kind {
            Kind::Str(s) => s.clone(),
            _ => {
                self.error(node, p, "a month written as \"YYYY-MM\"", node.describe());
                return None;
            }
        };
        match YearMonth::parse(&text) {
            Ok(m) => Some(m),
            Err(_) => {
                self.error(node, p, "a month written as \"YYYY-MM\"", node.describe());
                None
            }
        }
    }

    /// A table of shares keyed by `keys`, each in `[0, 1]`, summing to 1
    /// (within 1e-6). Missing keys are 0. Returns `default` on error.
    pub fn mix<const N: usize>(
        &mut self,
        t: Option<&Node>,
        path: &str,
        key: &str,
        keys: &[&str; N],
        default: [f64; N],
    ) -> [f64; N] {
        let p = join(path, key);
        for k in keys {
            self.visit(&join(&p, k));
        }
        let Some(node) = t.and_then(|t| t.get(key)) else { return default };
        if !matches!(node.kind, Kind::Table(_)) {
            self.error(node, &p, "a table of shares", node.describe());
            return default;
        }
        self.keys(node, &p, keys);
        let before = self.errors.len();
        let mut out = [0.0; N];
        for (i, k) in keys.iter().enumerate() {
            if let Some(v) = node.get(k) {
                out[i] = self.float_node(v, &join(&p, k), 0.0, 0.0, 1.0);
            }
        }
        if self.errors.len() > before {
            return default;
        }
        let sum: f64 = out.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            self.error(node, &p, "shares that sum to 1", format!("shares summing to {}", num(sum)));
            return default;
        }
        out
    }

    /// A list of strings.
    pub fn strings(&mut self, t: Option<&Node>, path: &str, key: &str) -> Vec<(String, Node)> {
        let p = join(path, key);
        let Some(items) = self.array(t, path, key) else { return Vec::new() };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.string_node(item, &format!("{p}[{i}]")) {
                out.push((s, item.clone()));
            }
        }
        out
    }
}
