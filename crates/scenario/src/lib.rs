//! Scenario files: the TOML format, its defaults, `extends` parents,
//! `[variants.NAME]` overrides, validation that reports **every** error at
//! once with file, line, field path, the value found and what is allowed,
//! and the embedded default scenario (a synthetic Yunnan province).
//!
//! Parsing takes text, never paths: the caller supplies the files through a
//! resolver (the CLI reads them from disk; tests from memory).
//!
//! Main types: [`Scenario`], [`SourceFile`], [`ScenarioError`],
//! [`FieldError`]; entry points [`load`] and [`embedded_default`].

mod book_size;
mod build;
pub mod data;
/// The data-file reader the scenario loader uses (tables, ledgers, county files).
pub use mcstress_import as import;
mod load_data;
mod model;
mod read;
mod tree;

use sha2::{Digest, Sha256};

pub use model::*;

use crate::tree::Node;

/// Name under which the embedded default scenario is reported.
pub const EMBEDDED_NAME: &str = "<embedded>/yunnan-baseline.toml";

/// The text of the embedded default scenario (the same file as
/// `scenarios/yunnan-baseline.toml`).
pub const EMBEDDED_TEXT: &str = include_str!("../../../scenarios/yunnan-baseline.toml");

/// One source file: a name for messages (a path as the user wrote it), a
/// key that identifies it for loop detection (a canonical path), and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Name shown in messages.
    pub name: String,
    /// Identity for `extends` loop detection.
    pub key: String,
    /// The file's text.
    pub text: String,
}

/// One problem in a scenario, located as precisely as possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// File the bad value sits in.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path such as `rules.compensation.fund_share` (empty for
    /// syntax errors).
    pub path: String,
    /// What is allowed.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if self.path.is_empty() {
            write!(f, ": {}: {}", self.expected, self.found)
        } else {
            write!(f, ": {}: expected {}, found {}", self.path, self.expected, self.found)
        }
    }
}

/// Why a scenario could not be loaded: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.errors))]
pub struct ScenarioError {
    /// Every problem, in the order found.
    pub errors: Vec<FieldError>,
}

fn render(errors: &[FieldError]) -> String {
    let mut out =
        format!("{} problem{} in the scenario:", errors.len(), if errors.len() == 1 { "" } else { "s" });
    for e in errors {
        out.push_str("\n  ");
        out.push_str(&e.to_string());
    }
    out
}

impl ScenarioError {
    fn one(file: &str, path: &str, expected: impl Into<String>, found: impl Into<String>) -> ScenarioError {
        ScenarioError {
            errors: vec![FieldError {
                file: file.to_string(),
                line: None,
                column: None,
                path: path.to_string(),
                expected: expected.into(),
                found: found.into(),
            }],
        }
    }
}

/// Resolves `extends = "..."` of file `from` to a source file, or says why
/// it cannot (e.g. [`ResolveError::NotFound`]).
pub type Resolver<'r> = dyn FnMut(&SourceFile, &str) -> Result<SourceFile, ResolveError> + 'r;

/// Why a resolver could not give the file an `extends` names. The loader
/// reports it at the `extends` line as `found "PATH": WHY`, WHY being this
/// error's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No file at that path.
    #[error("no such file")]
    NotFound,
    /// Something other than a regular file (which could block or never end).
    #[error("{kind}, expected a regular file")]
    NotRegularFile {
        /// What is there instead.
        kind: FileKind,
    },
    /// A file larger than the reader accepts.
    #[error("larger than {}, the most mcstress reads", bytes_as_people_write_them(*.limit))]
    TooLarge {
        /// The most bytes read, bytes.
        limit: u64,
    },
    /// A file whose bytes are not UTF-8 text.
    #[error("not UTF-8 text")]
    NotUtf8,
    /// The file could not be read.
    #[error("{0}")]
    Io(#[source] std::io::Error),
    /// The source cannot have parents (the embedded default, text given
    /// alone).
    #[error("cannot resolve {rel:?}: this source cannot extend other files")]
    CannotExtend {
        /// The path `extends` gives.
        rel: String,
    },
}

impl From<std::io::Error> for ResolveError {
    /// A missing file is [`ResolveError::NotFound`]; any other failure keeps
    /// the I/O error as its source.
    fn from(e: std::io::Error) -> ResolveError {
        match e.kind() {
            std::io::ErrorKind::NotFound => ResolveError::NotFound,
            _ => ResolveError::Io(e),
        }
    }
}

/// What a path names when it is not a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileKind {
    /// A named pipe (FIFO).
    #[error("a named pipe")]
    NamedPipe,
    /// A character or block device.
    #[error("a device")]
    Device,
    /// A socket.
    #[error("a socket")]
    Socket,
    /// A directory.
    #[error("a directory")]
    Directory,
    /// Anything else that is not a regular file.
    #[error("not a regular file")]
    Other,
}

/// A byte count as people write it (powers of 1,024): whole GiB, else MiB.
fn bytes_as_people_write_them(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// What the loader found besides the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Names of the variants the file defines.
    pub variants: Vec<String>,
    /// Every field path the reader knows (for documentation checks).
    pub known_fields: Vec<String>,
}

/// Parses, merges and validates a scenario file, with variant `variant`
/// applied. Base and every variant are validated, so one call reports all
/// problems of the file.
pub fn load(
    main: SourceFile,
    variant: Option<&str>,
    resolver: &mut Resolver<'_>,
) -> Result<Loaded, ScenarioError> {
    load_with(main, variant, &[], resolver)
}

/// One field set from outside the file (`mcstress sweep --set`): a dotted
/// field path and a TOML value, applied after the variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Dotted field path, e.g. `rules.compensation.fund_share`.
    pub field: String,
    /// The value as TOML text, e.g. `0.8` or `180`. Text that is not a
    /// TOML value on its own (`hello world`) is taken as a string, unless
    /// it starts like a quoted string, an array or a table.
    pub value: String,
}

/// Name under which settings are reported in messages.
pub const SETTINGS_NAME: &str = "--set";

/// Like [`load`], with `settings` applied on top of the file and the
/// variant. Settings are validated like the file's own fields (an unknown
/// field or a value out of range is reported against `--set`), and they
/// enter the scenario's hash.
pub fn load_with(
    main: SourceFile,
    variant: Option<&str>,
    settings: &[Setting],
    resolver: &mut Resolver<'_>,
) -> Result<Loaded, ScenarioError> {
    load_with_data(main, variant, settings, resolver, &mut no_data).map_err(|e| match e {
        LoadError::Scenario(e) => e,
        LoadError::Data(e) => ScenarioError::one(e.file(), "data", "no data files here", e.to_string()),
    })
}

/// Reads a data file named under `[data]` (a path relative to the named
/// scenario file) and gives its bytes.
pub type DataResolver<'r> = dyn FnMut(&data::DataFile) -> Result<Vec<u8>, ResolveError> + 'r;

/// Why a scenario with data files could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The scenario files.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A data file.
    #[error(transparent)]
    Data(#[from] data::DataError),
}

/// A data resolver for sources that cannot name data files.
pub fn no_data(file: &data::DataFile) -> Result<Vec<u8>, ResolveError> {
    Err(ResolveError::CannotExtend { rel: file.path.clone() })
}

/// Like [`load_with`], reading the data files the scenario names under
/// `[data]` through `data`: the counties come from the county data file
/// (and the ledger), the starting book from the ledger, and both files
/// enter the scenario's hash.
pub fn load_with_data(
    main: SourceFile,
    variant: Option<&str>,
    settings: &[Setting],
    resolver: &mut Resolver<'_>,
    data: &mut DataResolver<'_>,
) -> Result<Loaded, LoadError> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut root = load_chain(main, resolver, &mut files, 0)?;
    let sets = settings_node(settings, &mut files)?;
    if let Some(s) = &sets {
        let errors = settings_into_arrays(&root, s, settings, &files);
        if !errors.is_empty() {
            return Err(ScenarioError { errors }.into());
        }
    }
    let pending = load_data::counties_from_data(&mut root, sets.as_ref(), &mut files, data)?;
    let variants_node = root.remove("variants");
    let mut variant_entries: Vec<(String, Node)> = Vec::new();
    let mut errors = Vec::new();
    if let Some(v) = variants_node {
        match v.kind {
            tree::Kind::Table(entries) => variant_entries = entries,
            _ => {
                let mut cx = read::Cx::new(&files);
                cx.error(&v, "variants", "a table of variant tables", v.describe());
                errors.extend(cx.into_errors());
            }
        }
    }
    let hash = {
        let mut h = Sha256::new();
        // The texts in chain order, not their names: the same files give
        // the same hash however their paths are spelled.
        for f in &files {
            h.update((f.text.len() as u64).to_le_bytes());
            h.update(f.text.as_bytes());
        }
        if let Some(v) = variant {
            h.update(b"variant:");
            h.update(v.as_bytes());
        }
        if let Some(p) = &pending {
            h.update(b"data:");
            h.update(p.digest);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };

    let mut base_tree = root.clone();
    if let Some(s) = &sets {
        base_tree.merge(s.clone());
    }
    let (base, base_errors, known) = build::build(&base_tree, &files);
    errors.extend(base_errors.iter().cloned());
    let mut chosen = None;
    for (name, over) in &variant_entries {
        let mut merged = root.clone();
        merged.merge(over.clone());
        if let Some(s) = &sets {
            merged.merge(s.clone());
        }
        let (scenario, verrors, _) = build::build(&merged, &files);
        for mut e in verrors {
            if !base_errors.contains(&e) {
                e.path = format!("variants.{name}.{}", e.path);
                errors.push(e);
            }
        }
        if Some(name.as_str()) == variant {
            chosen = Some(scenario);
        }
    }
    let variants: Vec<String> = variant_entries.iter().map(|(n, _)| n.clone()).collect();
    if let Some(v) = variant
        && chosen.is_none()
    {
        let list = if variants.is_empty() { "none defined".to_string() } else { variants.join(", ") };
        errors.push(FieldError {
            file: files[0].name.clone(),
            line: None,
            column: None,
            path: format!("variants.{v}"),
            expected: format!("a variant defined in the file ({list})"),
            found: format!("no variant named {v:?}"),
        });
    }
    if !errors.is_empty() {
        return Err(ScenarioError { errors }.into());
    }
    let mut scenario = chosen.unwrap_or(base);
    scenario.sha256 = hash;
    scenario.variant = variant.map(str::to_string);
    if let Some(p) = pending {
        load_data::attach_book(&mut scenario, p)?;
    }
    resolve_event_townships(&mut scenario)?;
    Ok(Loaded { scenario, variants, known_fields: known.into_iter().collect() })
}

/// Resolves the townships scripted events name against the counties they
/// hit: the starting book's township names where it has them, else the
/// synthetic population's `CODE-NN`.
fn resolve_event_townships(s: &mut Scenario) -> Result<(), ScenarioError> {
    let names = s.township_names();
    let mut errors = Vec::new();
    for ev in &mut s.shocks.events {
        let counties =
            if ev.counties.is_empty() { (0..s.counties.len()).collect() } else { ev.counties.clone() };
        for r in &mut ev.townships {
            let found =
                counties.iter().find_map(|&c| names[c].iter().position(|n| *n == r.name).map(|k| (c, k)));
            match found {
                Some((c, k)) => (r.county, r.index) = (c, k),
                None => {
                    let mut listed: Vec<&str> =
                        counties.iter().flat_map(|&c| names[c].iter().map(String::as_str)).take(12).collect();
                    if counties.iter().map(|&c| names[c].len()).sum::<usize>() > listed.len() {
                        listed.push("…");
                    }
                    errors.push(FieldError {
                        expected: format!(
                            "a township of the counties the event hits ({})",
                            listed.join(", ")
                        ),
                        found: format!("{:?}", r.name),
                        ..r.at.clone()
                    });
                }
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(ScenarioError { errors }) }
}

/// The settings as one tree, parsed from a synthetic source file (one
/// `field = value` line per setting) appended to `files`, so that errors in
/// them carry a line and column like any other.
fn settings_node(settings: &[Setting], files: &mut Vec<SourceFile>) -> Result<Option<Node>, ScenarioError> {
    if settings.is_empty() {
        return Ok(None);
    }
    let mut errors = Vec::new();
    for s in settings {
        let bare = |seg: &str| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !s.field.split('.').all(bare) {
            errors.push(FieldError {
                file: SETTINGS_NAME.into(),
                line: None,
                column: None,
                path: s.field.clone(),
                expected: "a dotted field path such as rules.compensation.fund_share".into(),
                found: format!("{:?}", s.field),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ScenarioError { errors });
    }
    // One line per setting. A value that is not TOML on its own (a bare
    // `hello world`, `0,8`) is taken as a string: a string field accepts it,
    // and any other field names itself and what it expects. A value that
    // starts like a quoted string, an array or a table was meant as TOML and
    // keeps its syntax error.
    // A value that is TOML on its own must still set only its own field: a
    // line break inside it could otherwise set others (`0.5\nseed = 3`).
    let mut text = String::new();
    let mut starts = Vec::with_capacity(settings.len());
    for s in settings {
        starts.push((text.len(), s.field.as_str()));
        let line = format!("{} = {}\n", s.field, s.value);
        let alone = toml::de::DeTable::parse(&line)
            .ok()
            .and_then(|doc| tree::from_document(doc.get_ref(), 0, doc.span()).ok());
        let meant_as_toml = s.value.trim_start().starts_with(['"', '\'', '[', '{']);
        match alone {
            Some(node) if !sets_only(&node, &s.field) => errors.push(FieldError {
                file: SETTINGS_NAME.into(),
                line: None,
                column: None,
                path: s.field.clone(),
                expected: "one value for this one field".into(),
                found: format!("{:?}, which sets other fields too", s.value),
            }),
            Some(_) => text.push_str(&line),
            None if meant_as_toml => text.push_str(&line),
            None => text.push_str(&format!("{} = {}\n", s.field, toml_string(&s.value))),
        }
    }
    if !errors.is_empty() {
        return Err(ScenarioError { errors });
    }
    let idx = files.len();
    files.push(SourceFile { name: SETTINGS_NAME.into(), key: SETTINGS_NAME.into(), text });
    let f = &files[idx];
    let parsed = match toml::de::DeTable::parse(&f.text) {
        Ok(doc) => tree::from_document(doc.get_ref(), idx, doc.span()).map_err(|(sp, m)| (Some(sp), m)),
        Err(e) => Err((e.span(), e.message().to_string())),
    };
    parsed.map(Some).map_err(|(span, msg)| {
        let mut e = syntax_error(f, span.clone(), &msg, "a value in TOML syntax");
        // Name the setting the error sits in.
        let at = span.map_or(0, |sp| sp.start);
        if let Some((_, field)) = starts.iter().rev().find(|(start, _)| *start <= at) {
            e.path = field.to_string();
        }
        ScenarioError { errors: vec![e] }
    })
}

/// Whether the tree `node` holds `field` (a dotted path) and nothing else.
fn sets_only(mut node: &Node, field: &str) -> bool {
    for seg in field.split('.') {
        match &node.kind {
            tree::Kind::Table(entries) if entries.len() == 1 && entries[0].0 == seg => node = &entries[0].1,
            _ => return false,
        }
    }
    true
}

/// `text` as a TOML basic string (quoted, with `"`, `\` and control
/// characters escaped).
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Settings whose field path reaches into an array of the file (such as
/// `geography.counties.0.fund_yuan`): `--set` names fields by key, and an
/// array's elements have none. Reported against `--set`, at the setting.
fn settings_into_arrays(
    root: &Node,
    sets: &Node,
    settings: &[Setting],
    files: &[SourceFile],
) -> Vec<FieldError> {
    let mut cx = read::Cx::new(files);
    for s in settings {
        let segs: Vec<&str> = s.field.split('.').collect();
        let mut at = root;
        for (i, seg) in segs.iter().enumerate() {
            if matches!(at.kind, tree::Kind::Array(_)) {
                let array = segs[..i].join(".");
                let leaf = segs.iter().try_fold(sets, |n, k| n.get(k));
                if let Some(leaf) = leaf {
                    cx.error(
                        leaf,
                        &s.field,
                        format!(
                            "a field outside arrays (`{array}` is an array: --set cannot reach one of its elements; change it in a scenario file)"
                        ),
                        leaf.describe(),
                    );
                }
                break;
            }
            match at.get(seg) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
    cx.into_errors()
}

/// The most dotted parts a TOML key may have before the parser's nesting
/// limit (the `toml` crate's `LIMIT`, 80 parents).
const TOML_KEY_DEPTH: usize = 80;

/// A TOML syntax error of file `f` as a located problem. Terse parser
/// messages are completed: a duplicate key is named, and the nesting limit
/// on dotted keys, which the parser reports without a position, is placed
/// at the first key with too many parts (or said to have no position).
fn syntax_error(
    f: &SourceFile,
    span: Option<std::ops::Range<usize>>,
    msg: &str,
    expected: &str,
) -> FieldError {
    let msg = msg.trim();
    let (span, found) = if msg == "recursion limit" {
        match too_deep_key(&f.text) {
            Some(at) => (
                Some(at..at),
                format!("a key of more than {TOML_KEY_DEPTH} dotted parts (the TOML reader's nesting limit)"),
            ),
            None => (None, "nesting deeper than the TOML reader allows (it gives no position)".to_string()),
        }
    } else if let Some(rest) = msg.strip_prefix("duplicate key")
        && let Some(key) = span.as_ref().and_then(|sp| f.text.get(sp.clone()))
        && !key.is_empty()
    {
        (span.clone(), format!("duplicate key `{key}`{rest}"))
    } else {
        (span, msg.to_string())
    };
    let (line, column) = match span {
        Some(sp) => {
            let (l, c) = tree::line_col(&f.text, sp.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    FieldError { file: f.name.clone(), line, column, path: String::new(), expected: expected.into(), found }
}

/// Byte offset of the first key (of a `key = value` line or a `[table]`
/// header) with more than [`TOML_KEY_DEPTH`] dotted parts.
fn too_deep_key(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        let start = offset + (line.len() - body.len());
        offset += line.len();
        let key = body.trim_start_matches('[');
        let mut dots = 0;
        let mut quote = None;
        for c in key.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '.') => dots += 1,
                (None, '=' | ']' | '#') => break,
                _ => {}
            }
        }
        if dots >= TOML_KEY_DEPTH {
            return Some(start);
        }
    }
    None
}

/// Most levels of `extends` below the main file.
const MAX_EXTENDS: usize = 16;

fn load_chain(
    main: SourceFile,
    resolver: &mut Resolver<'_>,
    files: &mut Vec<SourceFile>,
    depth: usize,
) -> Result<Node, ScenarioError> {
    if let Some(pos) = files.iter().position(|f| f.key == main.key) {
        let chain: Vec<&str> =
            files[pos..].iter().map(|f| f.name.as_str()).chain([main.name.as_str()]).collect();
        return Err(ScenarioError::one(
            &files[files.len() - 1].name,
            "extends",
            "a chain of `extends` without loops",
            format!("a loop: {}", chain.join(" -> ")),
        ));
    }
    let idx = files.len();
    files.push(main);
    let parsed = {
        let f = &files[idx];
        match toml::de::DeTable::parse(&f.text) {
            Ok(doc) => tree::from_document(doc.get_ref(), idx, doc.span()).map_err(|(sp, m)| (Some(sp), m)),
            Err(e) => Err((e.span(), e.message().to_string())),
        }
    };
    let mut node = match parsed {
        Ok(n) => n,
        Err((span, msg)) => {
            return Err(ScenarioError {
                errors: vec![syntax_error(&files[idx], span, &msg, "invalid TOML")],
            });
        }
    };
    let Some(ext) = node.remove("extends") else { return Ok(node) };
    let rel = match &ext.kind {
        tree::Kind::Str(s) => s.clone(),
        _ => {
            let mut cx = read::Cx::new(files);
            cx.error(&ext, "extends", "a path to a scenario file, as a string", ext.describe());
            return Err(ScenarioError { errors: cx.into_errors() });
        }
    };
    if depth >= MAX_EXTENDS {
        let mut cx = read::Cx::new(files);
        cx.error(
            &ext,
            "extends",
            format!("at most {MAX_EXTENDS} levels of `extends`"),
            format!("{rel:?} at level {}", depth + 1),
        );
        return Err(ScenarioError { errors: cx.into_errors() });
    }
    let parent = match resolver(&files[idx], &rel) {
        Ok(p) => p,
        Err(why) => {
            let mut cx = read::Cx::new(files);
            cx.error(&ext, "extends", "a scenario file that can be read", format!("{rel:?}: {why}"));
            return Err(ScenarioError { errors: cx.into_errors() });
        }
    };
    let mut base = load_chain(parent, resolver, files, depth + 1)?;
    base.merge(node);
    Ok(base)
}

/// A resolver for sources that have no `extends`.
pub fn no_extends(_from: &SourceFile, rel: &str) -> Result<SourceFile, ResolveError> {
    Err(ResolveError::CannotExtend { rel: rel.to_string() })
}

/// The embedded default scenario, validated, with `variant` applied.
pub fn embedded_default(variant: Option<&str>) -> Result<Loaded, ScenarioError> {
    embedded_default_with(variant, &[])
}

/// The embedded default scenario with `variant` and `settings` applied.
pub fn embedded_default_with(variant: Option<&str>, settings: &[Setting]) -> Result<Loaded, ScenarioError> {
    let src =
        SourceFile { name: EMBEDDED_NAME.into(), key: EMBEDDED_NAME.into(), text: EMBEDDED_TEXT.into() };
    load_with(src, variant, settings, &mut no_extends)
}

/// Parses a scenario from text alone (no `extends`), as the tests do.
pub fn from_str(name: &str, text: &str, variant: Option<&str>) -> Result<Loaded, ScenarioError> {
    let src = SourceFile { name: name.into(), key: name.into(), text: text.into() };
    load(src, variant, &mut no_extends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_stress_shock_adds_one_first_month_event() {
        let s = embedded_default(None).unwrap().scenario;
        let d = s.with_shock("drought", 2.0).unwrap();
        assert_eq!(d.shocks.events.len(), s.shocks.events.len() + 1);
        let e = d.shocks.events.last().unwrap();
        assert_eq!((e.month, e.severity, e.counties.is_empty()), (0, 2.0, true));
        let c = s.with_shock("cattle", 1.5).unwrap();
        assert!((c.shocks.events.last().unwrap().price_change + 0.3).abs() < 1e-12);
        assert_eq!(s.with_shock("cattle", 9.0).unwrap().shocks.events.last().unwrap().price_change, -0.95);
        assert!(s.with_shock("locusts", 1.0).unwrap_err().to_string().contains("drought"));
    }

    #[test]
    fn a_stress_shock_and_its_severity_change_the_scenarios_hash() {
        let s = embedded_default(None).unwrap().scenario;
        let (d2, d3) = (s.with_shock("drought", 2.0).unwrap(), s.with_shock("drought", 3.0).unwrap());
        assert_ne!(d2.sha256, s.sha256);
        assert_ne!(d2.sha256, d3.sha256);
        assert_ne!(d2.sha256, s.with_shock("flood", 2.0).unwrap().sha256);
        assert_eq!(d2.sha256, s.with_shock("drought", 2.0).unwrap().sha256, "the same shock, the same hash");
    }

    #[test]
    fn display_names_are_read_and_a_blank_one_is_none() {
        let s = embedded_default(None).unwrap().scenario;
        assert!(s.title_zh.as_deref().is_some_and(|t| !t.is_ascii()), "{:?}", s.title_zh);
        assert!(s.title_en.is_some());
        let blank = embedded_default_with(None, &[set("scenario.title_zh", "\"  \"")]).unwrap().scenario;
        assert_eq!(blank.title_zh, None);
        assert_eq!(blank.title_en, s.title_en);
        let variant = embedded_default(Some("higher-share")).unwrap().scenario;
        assert_ne!(variant.title_zh, s.title_zh, "a variant carries its own display name");
    }

    #[test]
    fn a_resolver_error_prints_the_phrase_the_extends_line_reports() {
        let says = |e: ResolveError| e.to_string();
        assert_eq!(says(ResolveError::NotFound), "no such file");
        assert_eq!(
            says(ResolveError::NotRegularFile { kind: FileKind::NamedPipe }),
            "a named pipe, expected a regular file"
        );
        assert_eq!(
            says(ResolveError::NotRegularFile { kind: FileKind::Other }),
            "not a regular file, expected a regular file"
        );
        assert_eq!(
            says(ResolveError::TooLarge { limit: 16 << 20 }),
            "larger than 16 MiB, the most mcstress reads"
        );
        assert_eq!(
            says(ResolveError::TooLarge { limit: 1 << 30 }),
            "larger than 1 GiB, the most mcstress reads"
        );
        assert_eq!(says(ResolveError::NotUtf8), "not UTF-8 text");
        let e = from_str("c.toml", "extends = \"p.toml\"\n", None).unwrap_err();
        assert_eq!(
            e.errors[0].to_string(),
            "c.toml:1:11: extends: expected a scenario file that can be read, found \"p.toml\": cannot resolve \
             \"p.toml\": this source cannot extend other files"
        );
    }

    #[test]
    fn a_resolver_io_error_keeps_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let e = ResolveError::Io(io);
        assert_eq!(e.to_string(), "permission denied");
        let source = std::error::Error::source(&e).expect("the io error is the source");
        assert_eq!(source.to_string(), "permission denied");
        let main =
            SourceFile { name: "c.toml".into(), key: "c.toml".into(), text: "extends = \"p.toml\"\n".into() };
        let mut denied = |_: &SourceFile, _: &str| {
            Err(ResolveError::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "permission denied",
            )))
        };
        let e = load(main, None, &mut denied).unwrap_err();
        assert_eq!(e.errors[0].found, "\"p.toml\": permission denied");
    }

    fn set(field: &str, value: &str) -> Setting {
        Setting { field: field.into(), value: value.into() }
    }

    #[test]
    fn a_setting_overrides_the_file_and_changes_the_hash() {
        let base = embedded_default(None).unwrap().scenario;
        let s = embedded_default_with(None, &[set("rules.compensation.fund_share", "0.9")]).unwrap().scenario;
        assert_eq!(s.rules.claims.fund_share.get(), 0.9);
        assert_ne!(s.rules.claims.fund_share, base.rules.claims.fund_share);
        assert_ne!(s.sha256, base.sha256);
        assert_eq!(s.counties, base.counties);
    }

    #[test]
    fn a_bad_setting_is_reported_against_the_set_flag_with_its_field() {
        let e = embedded_default_with(None, &[set("rules.compensation.fund_share", "1.5")]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("--set:1:"), "{text}");
        assert!(text.contains("rules.compensation.fund_share") && text.contains("1.5"), "{text}");
        let e = embedded_default_with(None, &[set("rules.compensation.fund_shar", "0.5")]).unwrap_err();
        assert!(e.to_string().contains("fund_share"), "did you mean: {e}");
        let e = embedded_default_with(None, &[set("rules..x", "1")]).unwrap_err();
        assert!(e.to_string().contains("dotted field path"), "{e}");
    }
}
