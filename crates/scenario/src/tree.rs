//! A TOML document as a tree whose every node remembers the file and byte
//! span it came from, so that errors found after merging `extends` parents
//! and variants still name the right file, line and column.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// A value of the tree.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Table(Vec<(String, Node)>),
    Array(Vec<Node>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
}

/// A node: a value with its origin.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Index of the source file in the loader's file list.
    pub file: usize,
    /// Byte span in that file.
    pub span: Range<usize>,
    /// Byte span of the key that introduced the node (for table entries).
    pub key_span: Option<Range<usize>>,
}

impl Node {
    pub fn table(file: usize, span: Range<usize>) -> Node {
        Node { kind: Kind::Table(Vec::new()), file, span, key_span: None }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Table(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        match &mut self.kind {
            Kind::Table(entries) => {
                let i = entries.iter().position(|(k, _)| k == key)?;
                Some(entries.remove(i).1)
            }
            _ => None,
        }
    }

    /// A short rendering of the value for error messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Table(_) => "a table".into(),
            Kind::Array(a) if a.len() == 1 => "an array of 1 item".into(),
            Kind::Array(a) => format!("an array of {} items", a.len()),
            Kind::Str(s) => format!("{s:?}"),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => format!("{f:?}"),
            Kind::Bool(b) => b.to_string(),
            Kind::Datetime(d) => d.clone(),
        }
    }

    /// Merges `over` into `self`: tables merge key by key, anything else
    /// (arrays included) is replaced whole.
    pub fn merge(&mut self, over: Node) {
        match (&mut self.kind, over.kind) {
            (Kind::Table(base), Kind::Table(entries)) => {
                for (k, v) in entries {
                    match base.iter_mut().find(|(bk, _)| *bk == k) {
                        Some((_, existing)) => existing.merge(v),
                        None => base.push((k, v)),
                    }
                }
            }
            (_, kind) => {
                *self = Node { kind, file: over.file, span: over.span, key_span: over.key_span };
            }
        }
    }
}

/// Converts a parsed document into a tree.
pub(crate) fn from_document(
    doc: &DeTable<'_>,
    file: usize,
    span: Range<usize>,
) -> Result<Node, (Range<usize>, String)> {
    let mut entries = Vec::new();
    for (k, v) in doc.iter() {
        let mut node = from_value(v.get_ref(), file, v.span())?;
        node.key_span = Some(k.span());
        entries.push((k.get_ref().to_string(), node));
    }
    Ok(Node { kind: Kind::Table(entries), file, span, key_span: None })
}

fn from_value(v: &DeValue<'_>, file: usize, span: Range<usize>) -> Result<Node, (Range<usize>, String)> {
    let kind = match v {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let (neg, body) = match digits.strip_prefix('-') {
                Some(b) => (true, b.to_string()),
                None => (false, digits.trim_start_matches('+').to_string()),
            };
            let body = body.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
            let magnitude = i64::from_str_radix(body, i.radix())
                .map_err(|_| (span.clone(), format!("integer {} is out of range", i.as_str())))?;
            Kind::Int(if neg { -magnitude } else { magnitude })
        }
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let x = text
                .parse::<f64>()
                .map_err(|_| (span.clone(), format!("cannot read float {}", f.as_str())))?;
            Kind::Float(x)
        }
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(d) => Kind::Datetime(d.to_string()),
        DeValue::Array(a) => {
            let mut items = Vec::with_capacity(a.len());
            for item in a.iter() {
                items.push(from_value(item.get_ref(), file, item.span())?);
            }
            Kind::Array(items)
        }
        DeValue::Table(t) => return from_document(t, file, span),
    };
    Ok(Node { kind, file, span, key_span: None })
}

/// 1-based line and column of a byte offset; the column counts characters,
/// as editors do (a county name in Chinese is three characters, not nine
/// bytes).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a = 1\nname = \"鲁甸县\", x = 2\n";
        let offset = text.find("x =").unwrap();
        assert_eq!(line_col(text, offset), (2, 15));
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, text.len()), (3, 1));
    }
}
