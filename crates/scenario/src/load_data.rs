//! The loader's data step: reads the files `[data]` names, replaces the
//! scenario's county array by the counties of the data (each a copy of the
//! scenario's entry for that code, or of a county of the same class, with
//! the data's values set on it), so that every county value is validated
//! like a value written in the scenario, and keeps the ledger for the
//! starting book.

use std::hash::{BuildHasher, Hasher};
use std::ops::Range;
use std::sync::Arc;

use mcstress_import::{CountyRecord, Date, Ledger};
use sha2::{Digest, Sha256};

use crate::data::{self, DataError, DataFile, LedgerCounts, yuan_text};
use crate::tree::{Kind, Node};
use crate::{DataResolver, LoadError, Scenario, ScenarioError, SourceFile, build};

/// What the data step leaves for after the build.
pub(crate) struct Pending {
    /// SHA-256 of the data files' bytes, for the scenario's hash.
    pub digest: [u8; 32],
    ledger: Option<(String, Ledger)>,
    records: Vec<CountyRecord>,
    counties_file: Option<String>,
    as_of: Date,
}

/// A key secret to this run for hashing ID numbers: the hashes tell one
/// household's loans from another's and mean nothing outside the run.
fn run_key() -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, half) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// A file of `n` lines, `row K` on line K: values taken from row K of a
/// data file carry the span of line K, so that a scenario error about them
/// names the data file and the row.
fn row_file(name: &str, key: &str, rows: u32) -> SourceFile {
    let mut text = String::new();
    for r in 1..=rows.max(1) {
        text.push_str(&format!("row {r}\n"));
    }
    SourceFile { name: name.to_string(), key: format!("data:{key}"), text }
}

fn row_span(rows: &SourceFile, row: u32) -> Range<usize> {
    // Line K is `row K\n`: the lines before it take their lengths'
    // sum, counted by the number of digits of their row numbers.
    let row = row.max(1) as usize;
    let mut start = 0;
    let (mut lo, mut digits) = (1usize, 1usize);
    while lo < row {
        let hi = (lo * 10).min(row);
        start += (hi - lo) * ("row \n".len() + digits);
        lo *= 10;
        digits += 1;
    }
    let len = "row ".len() + row.to_string().len();
    if start + len > rows.text.len() { 0..0 } else { start..start + len }
}

/// The code of a county entry of the tree.
fn entry_code(n: &Node) -> Option<u32> {
    match &n.get("code")?.kind {
        Kind::Str(s) => s.parse().ok(),
        Kind::Int(i) => u32::try_from(*i).ok(),
        _ => None,
    }
}

fn set(entry: &mut Node, key: &str, kind: Kind, file: usize, span: Range<usize>) {
    let value = Node { kind, file, span, key_span: None };
    if let Kind::Table(entries) = &mut entry.kind {
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => entries.push((key.to_string(), value)),
        }
    }
}

fn read_file(data: &mut DataResolver<'_>, f: &DataFile, what: &'static str) -> Result<Vec<u8>, DataError> {
    data(f).map_err(|source| DataError::Read { file: f.path.clone(), what, source })
}

/// Reads the data files of the scenario `root` (with `sets` on top) and
/// puts their counties into `root`.
pub(crate) fn counties_from_data(
    root: &mut Node,
    sets: Option<&Node>,
    files: &mut Vec<SourceFile>,
    resolver: &mut DataResolver<'_>,
) -> Result<Option<Pending>, LoadError> {
    let mut probe = root.clone();
    probe.remove("variants");
    if let Some(s) = sets {
        probe.merge(s.clone());
    }
    if probe.get("data").is_none() {
        return Ok(None);
    }
    let (base, errors, _) = build::build(&probe, files);
    if !errors.is_empty() {
        return Err(ScenarioError { errors }.into());
    }
    let sources = base.data.clone();
    if sources.counties.is_none() && sources.ledger.is_none() {
        return Ok(None);
    }
    let mut digest = Sha256::new();
    let mut records = Vec::new();
    let mut counties_file = None;
    if let Some(f) = &sources.counties {
        let bytes = read_file(resolver, f, "county data file")?;
        digest.update(b"counties:");
        digest.update(&bytes);
        let table = data::read_table(&f.path, &bytes, f.sheet.as_deref())?;
        records = data::read_county_file(&f.path, &table)?;
        counties_file = Some(f.path.clone());
    }
    let mut ledger = None;
    if let Some(f) = &sources.ledger {
        let bytes = read_file(resolver, f, "ledger")?;
        digest.update(b"ledger:");
        digest.update(&bytes);
        let l = data::read_ledger_file(&f.path, &bytes, f.sheet.as_deref(), sources.as_of, &run_key())?;
        drop(bytes);
        if counties_file.is_some() {
            // Its counties and townships against the county file's.
            let problems = mcstress_import::check_ledger_counties(&l, &records);
            if !problems.is_empty() {
                return Err(DataError::Rows { file: f.path.clone(), problems }.into());
            }
        }
        ledger = Some((f.path.clone(), l));
    }
    // The counties a ledger may name: the county file's, else the scenario's.
    let known: Vec<(u32, String)> = if counties_file.is_some() {
        records.iter().filter(|r| r.township.is_none()).map(|r| (r.code, r.name.trim().to_string())).collect()
    } else {
        base.counties.iter().map(|c| (c.code.0, c.name.clone())).collect()
    };
    let counts = match &ledger {
        Some((name, l)) => Some((name.clone(), data::ledger_counts(l, &known, name)?)),
        None => None,
    };
    replace_counties(root, &base, files, counties_file.as_deref(), &records, counts.as_ref())?;
    Ok(Some(Pending {
        digest: digest.finalize().into(),
        ledger,
        records,
        counties_file,
        as_of: sources.as_of,
    }))
}

/// Replaces `geography.counties` of `root` by the counties of the data.
fn replace_counties(
    root: &mut Node,
    base: &Scenario,
    files: &mut Vec<SourceFile>,
    counties_file: Option<&str>,
    records: &[CountyRecord],
    ledger: Option<&(String, LedgerCounts)>,
) -> Result<(), DataError> {
    let Some(entries) = root.get("geography").and_then(|g| g.get("counties")).and_then(|c| match &c.kind {
        Kind::Array(items) => Some(items.clone()),
        _ => None,
    }) else {
        return Ok(());
    };
    let by_code = |code: u32| entries.iter().find(|e| entry_code(e) == Some(code));
    let mut problems = Vec::new();
    let mut out = Vec::new();

    let rec_file = counties_file.map(|name| {
        let rows = records.iter().map(|r| r.row).max().unwrap_or(1);
        files.push(row_file(name, "counties", rows));
        files.len() - 1
    });
    let led_file = ledger.map(|(name, counts)| {
        let rows = counts.by_code.values().map(|v| v.0).max().unwrap_or(1);
        files.push(row_file(name, "ledger", rows));
        files.len() - 1
    });

    // The counties: the county file's rows, else the scenario's counties
    // the ledger holds loans of.
    let chosen: Vec<(u32, Option<&CountyRecord>)> = if counties_file.is_some() {
        records.iter().filter(|r| r.township.is_none()).map(|r| (r.code, Some(r))).collect()
    } else if let Some((_, counts)) = ledger {
        base.counties
            .iter()
            .map(|c| c.code.0)
            .filter(|c| counts.by_code.contains_key(c))
            .map(|c| (c, None))
            .collect()
    } else {
        return Ok(());
    };

    for (code, rec) in chosen {
        let mut entry = match by_code(code) {
            Some(e) => e.clone(),
            None => {
                let Some(r) = rec else { continue };
                match new_county(base, &entries, r) {
                    Ok(e) => e,
                    Err(p) => {
                        problems.push(p);
                        continue;
                    }
                }
            }
        };
        if let (Some(r), Some(fi)) = (rec, rec_file) {
            let span = row_span(&files[fi], r.row);
            let mut put = |key: &str, kind: Kind| set(&mut entry, key, kind, fi, span.clone());
            put("code", Kind::Str(format!("{:06}", r.code)));
            if !r.name.trim().is_empty() {
                put("name", Kind::Str(r.name.trim().to_string()));
            }
            for (flag, key) in r.flags.iter().zip(["former_poverty", "key_county", "border"]) {
                if let Some(b) = flag {
                    put(key, Kind::Bool(*b));
                }
            }
            if let Some(n) = r.eligible_households() {
                put("eligible_households", Kind::Int(i64::from(n)));
            }
            if r.loans[0].is_some() || r.loans[1].is_some() {
                let sum: u64 = r.loans[..2].iter().flatten().map(|x| *x as u64).sum();
                put("loans", Kind::Int(sum as i64));
            }
            // The fund's balance, its endowment (核定规模) and the county's
            // fiscal capacity for top-ups; claims paid to date (fund[2]) are
            // read and checked, not used by the model.
            for (value, key) in
                [(r.fund[0], "fund_yuan"), (r.fund[1], "endowment_yuan"), (r.fund[3], "fiscal_capacity_yuan")]
            {
                if let Some(f) = value {
                    put(key, Kind::Str(yuan_text(f)));
                }
            }
            if let Some(h) = r.overdue_rate_history {
                put("overdue_rate_history", Kind::Float(h));
            }
            let towns = records.iter().filter(|t| t.code == r.code && t.township.is_some()).count();
            if towns > 0 {
                put("townships", Kind::Int(towns as i64));
            }
        }
        if let (Some((_, counts)), Some(fi)) = (ledger, led_file) {
            let (first_row, loans, households) = counts.by_code.get(&code).copied().unwrap_or((1, 0, 0));
            let span = row_span(&files[fi], first_row);
            let eligible = match entry.get("eligible_households").map(|n| &n.kind) {
                Some(Kind::Int(i)) => *i,
                _ => 0,
            };
            if i64::from(households) > eligible {
                problems.push(mcstress_import::Problem {
                    row: first_row,
                    column: counts.county_column.clone(),
                    value: Some(format!("{code:06}")),
                    expected: format!(
                        "a county with at least as many eligible households as borrowing households on the ledger \
                         ({households} households hold {loans} loans; the {} gives {eligible} eligible households: \
                         give the county's eligible households in a county data file)",
                        if rec.is_some() { "county data file" } else { "scenario" }
                    ),
                });
                continue;
            }
            // With a ledger the book is the ledger's: the county's loan
            // count is its borrowing households.
            set(&mut entry, "loans", Kind::Int(i64::from(households)), fi, span);
        }
        out.push(entry);
    }
    if !problems.is_empty() {
        let file = counties_file.or(ledger.map(|l| l.0.as_str())).unwrap_or_default().to_string();
        problems.sort_by_key(|p| p.row);
        return Err(DataError::Rows { file, problems });
    }
    if let Some(g) = root_geography(root)
        && let Kind::Table(gentries) = &mut g.kind
        && let Some((_, counties)) = gentries.iter_mut().find(|(k, _)| k == "counties")
    {
        counties.kind = Kind::Array(out);
    }
    Ok(())
}

fn root_geography(root: &mut Node) -> Option<&mut Node> {
    match &mut root.kind {
        Kind::Table(entries) => entries.iter_mut().find(|(k, _)| k == "geography").map(|(_, v)| v),
        _ => None,
    }
}

/// The entry of a county the scenario does not list: a copy of a county of
/// the same class (key county, former poverty county, other) — in the same
/// prefecture if there is one — with its code, name and prefecture.
fn new_county(base: &Scenario, entries: &[Node], r: &CountyRecord) -> Result<Node, mcstress_import::Problem> {
    let pref_code = r
        .prefecture
        .as_deref()
        .map(str::trim)
        .and_then(|p| {
            base.prefectures.iter().find(|x| x.name == p || x.name_en == p || format!("{:06}", x.code) == p)
        })
        .or_else(|| base.prefectures.iter().find(|x| x.code == r.code / 100 * 100))
        .map(|x| x.code);
    let Some(pref_code) = pref_code else {
        let list = base.prefectures.iter().take(6).map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
        return Err(mcstress_import::Problem {
            row: r.row,
            column: "所属州市".into(),
            value: Some(r.prefecture.clone().unwrap_or_default()),
            expected: format!(
                "a prefecture of the scenario ({list}{}) for a county it does not list",
                if base.prefectures.len() > 6 { ", …" } else { "" }
            ),
        });
    };
    let class = |key: bool, former: bool| (key, former);
    let want = class(r.flags[1].unwrap_or(false), r.flags[0].unwrap_or(false));
    let of = |c: &crate::County| class(c.key_county, c.former_poverty);
    let pick = base
        .counties
        .iter()
        .position(|c| of(c) == want && base.prefectures.get(c.prefecture).map(|p| p.code) == Some(pref_code))
        .or_else(|| base.counties.iter().position(|c| of(c) == want))
        .unwrap_or(0);
    let mut entry = entries.get(pick).cloned().unwrap_or_else(|| Node::table(0, 0..0));
    let (file, span) = (entry.file, entry.span.clone());
    set(&mut entry, "prefecture", Kind::Str(format!("{pref_code:06}")), file, span.clone());
    set(&mut entry, "name_en", Kind::Str(r.name.trim().to_string()), file, span);
    Ok(entry)
}

/// Puts the ledger's loans on the built scenario as its starting book.
pub(crate) fn attach_book(s: &mut Scenario, p: Pending) -> Result<(), DataError> {
    if let Some((name, ledger)) = p.ledger {
        let book = data::starting_book(s, &ledger, &p.records, &name, p.as_of)?;
        s.book = Some(Arc::new(book));
    } else if let Some(name) = &p.counties_file
        && let Some(book) = data::book_from_aggregates(s, &p.records, name, p.as_of)?
    {
        s.book = Some(Arc::new(book));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_span_is_line_k_of_the_row_file() {
        let f = row_file("ledger.csv", "ledger", 1234);
        for (k, line) in f.text.lines().enumerate() {
            let span = row_span(&f, k as u32 + 1);
            assert_eq!(&f.text[span], line);
        }
        assert_eq!(row_span(&f, 99_999), 0..0, "a row beyond the file has no span");
    }
}
