//! Typed reading of tree nodes, collecting every error instead of stopping
//! at the first.
//!
//! Every field is read through a [`Tab`], a cursor on one table that
//! records each key the reader asks for. When the section's reader is done,
//! [`Cx::close`] reports every key of the table that was not asked for as an
//! unknown field, suggesting the nearest key that was: the known fields of a
//! table are exactly the fields its reader reads, with no list kept apart.

use std::collections::BTreeSet;

use mcstress_domain::{Fen, Share, YearMonth};

use crate::tree::{Kind, Node, line_col};
use crate::{FieldError, SourceFile};

/// The reading context: the source files, the errors found so far and the
/// field paths visited (so a test can check the format doc covers them).
pub(crate) struct Cx<'a> {
    pub files: &'a [SourceFile],
    /// The errors in the order they are reported. Each entry holds one
    /// error, or, for an open table, the slot its unknown fields fill when
    /// it is closed: they are reported before the errors of the table's
    /// values, as a reader of the file meets them.
    errors: Vec<Vec<FieldError>>,
    pub visited: BTreeSet<String>,
}

/// A cursor on one table of the tree: the table (absent when the file does
/// not have it), its field path, the keys read so far and the error slot of
/// its unknown fields.
pub(crate) struct Tab<'n> {
    node: Option<&'n Node>,
    path: String,
    read: Vec<String>,
    slot: usize,
    closed: bool,
}

impl Drop for Tab<'_> {
    /// A cursor dropped without [`Cx::close`] would let its table's unknown
    /// fields pass unreported: a reader's mistake, caught in tests.
    fn drop(&mut self) {
        debug_assert!(self.closed || std::thread::panicking(), "the table `{}` was not closed", self.path);
    }
}

impl<'n> Tab<'n> {
    /// The table's node, when the file has it (a non-table item of an
    /// array of tables included, so that its required fields are reported
    /// missing at it).
    pub fn node(&self) -> Option<&'n Node> {
        self.node
    }

    /// The field path of `key` in this table.
    pub fn field(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Whether the file has this table.
    pub fn present(&self) -> bool {
        self.node.is_some()
    }
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

    /// Every error, in order.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors.into_iter().flatten().collect()
    }

    /// The name of the file `node` comes from (what relative paths in it
    /// are relative to).
    pub fn file_name(&self, node: &Node) -> &str {
        self.files.get(node.file).map_or("", |f| f.name.as_str())
    }

    /// How many errors were found so far.
    pub fn error_count(&self) -> usize {
        self.errors.iter().map(Vec::len).sum()
    }

    fn open<'n>(&mut self, node: Option<&'n Node>, path: String) -> Tab<'n> {
        self.errors.push(Vec::new());
        Tab { node, path, read: Vec::new(), slot: self.errors.len() - 1, closed: false }
    }

    /// A cursor on the whole document.
    pub fn root<'n>(&mut self, root: &'n Node) -> Tab<'n> {
        self.open(Some(root), String::new())
    }

    /// A cursor on the item `node` of an array of tables, at `path`
    /// (`geography.counties[3]`). An item that is not a table is an error.
    pub fn item<'n>(&mut self, node: &'n Node, path: String) -> Tab<'n> {
        let t = self.open(Some(node), path);
        if !matches!(node.kind, Kind::Table(_)) {
            self.error(node, &t.path, "a table", node.describe());
        }
        t
    }

    /// A cursor with no table behind it at `path` (`portfolio.amounts[]`):
    /// reading it records the fields an item would have, with their
    /// defaults and no errors.
    pub fn absent<'n>(&mut self, path: String) -> Tab<'n> {
        self.open(None, path)
    }

    /// Reads the value `key` of `t`: records it as a field of the table
    /// (and a field the reader knows) and returns its value, if the file
    /// has one.
    pub fn get<'n>(&mut self, t: &mut Tab<'n>, key: &str) -> Option<&'n Node> {
        let p = t.field(key);
        self.visit(&p);
        Self::entry(t, key)
    }

    /// Records `key` as a field of the table `t` and returns its value.
    /// Tables within tables are recorded this way: the fields the reader
    /// knows are their leaves.
    fn entry<'n>(t: &mut Tab<'n>, key: &str) -> Option<&'n Node> {
        if !t.read.iter().any(|k| k == key) {
            t.read.push(key.to_string());
        }
        t.node?.get(key)
    }

    /// Reports `key` of `t` missing (found "nothing") when the file has the
    /// table but not the key. (The key's value is read on its own.)
    pub fn require(&mut self, t: &mut Tab<'_>, key: &str, expected: impl Into<String>) {
        if Self::entry(t, key).is_none()
            && let Some(node) = t.node
        {
            let p = t.field(key);
            self.error(node, &p, expected, "nothing");
        }
    }

    /// Closes the cursor: every key of the table its reader did not ask for
    /// is an unknown field, with the nearest known key as a suggestion.
    pub fn close(&mut self, mut t: Tab<'_>) {
        t.closed = true;
        let Some(Kind::Table(entries)) = t.node.map(|n| &n.kind) else { return };
        let mut found = Vec::new();
        for (k, v) in entries {
            if t.read.iter().any(|r| r == k) {
                continue;
            }
            let hint = t
                .read
                .iter()
                .map(|a| (distance(k, a), a))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, a)| format!(" (did you mean `{a}`?)"))
                .unwrap_or_default();
            let at = Node { span: v.key_span.clone().unwrap_or(v.span.clone()), ..Node::table(v.file, 0..0) };
            let mut list = t.read.join(", ");
            if list.is_empty() {
                list = "no fields".into();
            }
            found.push(self.located(
                &at,
                &join(&t.path, k),
                format!("one of: {list}{hint}"),
                format!("unknown field `{k}`"),
            ));
        }
        self.errors[t.slot] = found;
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

    pub(crate) fn located(
        &self,
        node: &Node,
        path: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> FieldError {
        let (file, line, column) = self.locate(node.file, node.span.start);
        FieldError {
            file,
            line,
            column,
            path: path.to_string(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Records an error at a node.
    pub fn error(&mut self, node: &Node, path: &str, expected: impl Into<String>, found: impl Into<String>) {
        let e = self.located(node, path, expected, found);
        self.errors.push(vec![e]);
    }

    fn visit(&mut self, path: &str) {
        self.visited.insert(doc_path(path));
    }

    /// A cursor on the child table `key` of `t`; absent when the file has
    /// no such table, and an error when `key` is not a table.
    pub fn table<'n>(&mut self, t: &mut Tab<'n>, key: &str) -> Tab<'n> {
        let p = t.field(key);
        let node = match Self::entry(t, key) {
            Some(node) if !matches!(node.kind, Kind::Table(_)) => {
                self.error(node, &p, "a table", node.describe());
                None
            }
            node => node,
        };
        self.open(node, p)
    }

    /// The array `key` of `t`, if present and an array.
    pub fn array<'n>(&mut self, t: &mut Tab<'n>, key: &str) -> Option<&'n [Node]> {
        let p = t.field(key);
        let node = self.get(t, key)?;
        match &node.kind {
            Kind::Array(items) => Some(items),
            _ => {
                self.error(node, &p, "an array", node.describe());
                None
            }
        }
    }

    /// A number in `[lo, hi]`; integers are accepted where a float is asked.
    pub fn float(&mut self, t: &mut Tab<'_>, key: &str, default: f64, lo: f64, hi: f64) -> f64 {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default };
        self.float_node(node, &p, default, lo, hi)
    }

    /// A share in `[0, 1]`: a ratio threshold or a tolerance.
    pub fn share(&mut self, t: &mut Tab<'_>, key: &str, default: Share) -> Share {
        let x = self.float(t, key, default.get(), 0.0, 1.0);
        // Within [0, 1]: `float` checked it, or gave the default back.
        Share::new(x).unwrap_or(default)
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
    pub fn int(&mut self, t: &mut Tab<'_>, key: &str, default: i64, lo: i64, hi: i64) -> i64 {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default };
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
    pub fn money(&mut self, t: &mut Tab<'_>, key: &str, default: Fen, lo: Fen, hi: Fen) -> Fen {
        self.opt_money(t, key, lo, hi).unwrap_or(default)
    }

    /// An amount of yuan, or `None` when absent (or wrong).
    pub fn opt_money(&mut self, t: &mut Tab<'_>, key: &str, lo: Fen, hi: Fen) -> Option<Fen> {
        let p = t.field(key);
        let node = self.get(t, key)?;
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

    pub fn boolean(&mut self, t: &mut Tab<'_>, key: &str, default: bool) -> bool {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default };
        match node.kind {
            Kind::Bool(b) => b,
            _ => {
                self.error(node, &p, "true or false", node.describe());
                default
            }
        }
    }

    pub fn string(&mut self, t: &mut Tab<'_>, key: &str, default: &str) -> String {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default.to_string() };
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
        t: &mut Tab<'_>,
        key: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> &'static str {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default };
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
    pub fn month(&mut self, t: &mut Tab<'_>, key: &str, default: YearMonth) -> YearMonth {
        let p = t.field(key);
        let Some(node) = self.get(t, key) else { return default };
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
        t: &mut Tab<'_>,
        key: &str,
        keys: &[&str; N],
        default: [f64; N],
    ) -> [f64; N] {
        let p = t.field(key);
        let node = Self::entry(t, key);
        let mut m = self.open(node, p.clone());
        if let Some(node) = node
            && !matches!(node.kind, Kind::Table(_))
        {
            self.error(node, &p, "a table of shares", node.describe());
        }
        let before = self.error_count();
        let mut out = [0.0; N];
        for (i, k) in keys.iter().enumerate() {
            if let Some(v) = self.get(&mut m, k) {
                out[i] = self.float_node(v, &join(&p, k), 0.0, 0.0, 1.0);
            }
        }
        let ok = node.is_some_and(|n| matches!(n.kind, Kind::Table(_))) && self.error_count() == before;
        self.close(m);
        let Some(node) = node.filter(|_| ok) else { return default };
        let sum: f64 = out.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            self.error(node, &p, "shares that sum to 1", format!("shares summing to {}", num(sum)));
            return default;
        }
        out
    }

    /// A list of strings.
    pub fn strings(&mut self, t: &mut Tab<'_>, key: &str) -> Vec<(String, Node)> {
        let p = t.field(key);
        let Some(items) = self.array(t, key) else { return Vec::new() };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.string_node(item, &format!("{p}[{i}]")) {
                out.push((s, item.clone()));
            }
        }
        out
    }
}
