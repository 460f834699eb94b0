//! `[data]`: where a scenario's counties and starting book come from — a
//! county data file and a bank's loan ledger, each named by a path relative
//! to the scenario file that names it. The reader only records the paths;
//! the loader reads the files through the caller (see [`crate::load_with_data`]).

use mcstress_domain::YearMonth;
use mcstress_import::Date;

use crate::data::{DataFile, DataSources};
use crate::read::{Cx, Tab};
use crate::tree::Kind;

pub(super) fn read(cx: &mut Cx<'_>, top: &mut Tab<'_>, start: YearMonth) -> DataSources {
    let mut t = cx.table(top, "data");
    let counties = file(cx, &mut t, "counties", "counties_sheet");
    let ledger = file(cx, &mut t, "ledger", "ledger_sheet");
    let as_of = as_of(cx, &mut t, start);
    cx.close(t);
    DataSources { counties, ledger, as_of }
}

/// A data file's path (and its sheet, for a workbook): `key = "PATH"` with
/// an optional `SHEET_KEY = "NAME"`, or `key = { path = "PATH", sheet =
/// "NAME" }`.
fn file(cx: &mut Cx<'_>, t: &mut Tab<'_>, key: &str, sheet_key: &str) -> Option<DataFile> {
    let p = t.field(key);
    let node = cx.get(t, key);
    let mut sheet = cx.get(t, sheet_key).and_then(|n| {
        let sp = t.field(sheet_key);
        cx.string_node(n, &sp)
    });
    let node = node?;
    let path = if matches!(node.kind, Kind::Table(_)) {
        let mut ft = cx.table(t, key);
        cx.require(&mut ft, "path", "the path of a CSV or XLSX file");
        let path = cx.string(&mut ft, "path", "");
        if let Some(n) = cx.get(&mut ft, "sheet") {
            let sp = ft.field("sheet");
            sheet = cx.string_node(n, &sp);
        }
        cx.close(ft);
        path
    } else {
        cx.string_node(node, &p)?
    };
    // An empty path names no file: it undoes one named by the file this
    // one extends.
    if path.trim().is_empty() {
        return None;
    }
    Some(DataFile { path, relative_to: cx.file_name(node).to_string(), sheet })
}

/// The ledger's date: by default the last day of the month before the
/// first simulated month, whose end is the model's month 0.
fn as_of(cx: &mut Cx<'_>, t: &mut Tab<'_>, start: YearMonth) -> Date {
    let before = start.plus(-1);
    let last_day = Date { year: before.year, month: before.month, day: 1 };
    let default = (28..=31)
        .rev()
        .filter_map(|d| Date::parse(&format!("{:04}-{:02}-{d:02}", before.year, before.month)))
        .next()
        .unwrap_or(last_day);
    let p = t.field("as_of");
    let Some(node) = cx.get(t, "as_of") else { return default };
    let expected = format!("a date in {before} (the month before scenario.start), such as \"{default}\"");
    let text = match &node.kind {
        Kind::Str(s) => s.clone(),
        Kind::Datetime(s) => s.clone(),
        _ => {
            cx.error(node, &p, expected, node.describe());
            return default;
        }
    };
    match Date::parse(&text) {
        Some(d) if d.year == before.year && d.month == before.month => d,
        _ => {
            cx.error(node, &p, expected, node.describe());
            default
        }
    }
}
