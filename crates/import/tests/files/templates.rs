//! The templates in `data/templates/`: each header is recognised with
//! every column of its reader found, in Chinese and in English.

use mcstress_import::{
    COUNTY_COLUMNS, ColumnSpec, HeaderRow, LEDGER_COLUMNS, SheetChoice, Table, decode, read_counties,
};

use crate::workspace;

const DIR: &str = "data/templates";

/// The template files, with the reader's columns each must name.
fn templates() -> Vec<(String, &'static [ColumnSpec])> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(workspace(DIR)).expect("data/templates") {
        let name = entry.expect("an entry").file_name().to_string_lossy().to_string();
        if name.starts_with("ledger.") {
            out.push((name, LEDGER_COLUMNS));
        } else if name.starts_with("county-file.") {
            out.push((name, COUNTY_COLUMNS));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn table(name: &str) -> Table {
    let bytes = std::fs::read(workspace(DIR).join(name)).expect("a template");
    if name.ends_with(".xlsx") {
        Table::from_xlsx(&bytes, SheetChoice::First).expect("a workbook")
    } else {
        // A byte-order mark, so that Excel opens the file as UTF-8.
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{name} has no byte-order mark");
        Table::from_csv(&decode(&bytes).expect("text").text).expect("a table")
    }
}

#[test]
fn every_template_header_names_every_column_of_its_reader() {
    let all = templates();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["ledger.zh.csv", "ledger.en.csv", "county-file.zh.csv", "county-file.en.csv"] {
        assert!(names.contains(&expected), "data/templates has no {expected}: {names:?}");
    }
    for (name, specs) in &all {
        let header = HeaderRow::locate(&table(name), specs).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (spec, found) in specs.iter().zip(&header.columns) {
            assert!(found.is_some(), "{name}: no column {} ({})", spec.names[0], spec.key);
        }
        if specs.len() == LEDGER_COLUMNS.len() {
            assert!(header.unknown.is_empty(), "{name}: unknown columns {:?}", header.unknown);
        }
    }
}

#[test]
fn the_county_templates_other_columns_are_all_maturity_columns() {
    for (name, specs) in templates() {
        if specs.len() != COUNTY_COLUMNS.len() {
            continue;
        }
        let mut t = table(&name);
        let header = HeaderRow::locate(&t, specs).expect("a header");
        assert!(!header.unknown.is_empty(), "{name}: no maturity columns");
        // One row: a code, a name and 1 (万元) maturing in every other column.
        let mut cells = vec![String::new(); t.rows[0].cells.len()];
        cells[0] = "530621".into();
        cells[1] = "鲁甸县".into();
        for (i, _) in &header.unknown {
            cells[*i] = "1".into();
        }
        t.rows.push(mcstress_import::Row { number: 2, cells });
        let records = read_counties(&t).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(records[0].maturing.len(), header.unknown.len(), "{name}: {:?}", header.unknown);
    }
}

/// Writes the XLSX templates from the CSV ones (`cargo test -p
/// mcstress-import --test files -- --ignored write_the_xlsx_templates`).
#[test]
#[ignore = "writes data/templates/*.xlsx"]
fn write_the_xlsx_templates() {
    use rust_xlsxwriter::{Format, Workbook};
    for (name, _) in templates().into_iter().filter(|(n, _)| n.ends_with(".csv")) {
        let header = table(&name).rows.remove(0).cells;
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        let bold = Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).expect("a header cell");
            ws.set_column_width(c as u16, 14).expect("a width");
        }
        book.save(workspace(DIR).join(name.replace(".csv", ".xlsx"))).expect("saved");
    }
}
