//! The bad-ledger catalogue, `tests/data/bad-ledgers/`: each file yields
//! exactly the problems `cases.tsv` lists for it — at that row and column,
//! with that fragment in the message — never a panic, and never an ID
//! number of the file in a message.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use mcstress_import::{
    Date, Problem, SheetChoice, Table, check_ledger_counties, decode, read_counties, read_ledger_bytes,
};

use crate::workspace;

const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };
const DIR: &str = "tests/data/bad-ledgers";

/// One expected problem.
#[derive(Debug)]
struct Expected {
    row: u32,
    column: String,
    fragment: String,
}

/// The manifest: for each file, its county file (if any) and problems.
fn manifest() -> BTreeMap<String, (String, Vec<Expected>)> {
    let text = std::fs::read_to_string(workspace(DIR).join("cases.tsv")).expect("cases.tsv");
    let mut cases: BTreeMap<String, (String, Vec<Expected>)> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.is_empty()).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() == 5, "cases.tsv line {}: expected 5 tab-separated fields, found {}", i + 1, f.len());
        let row = f[1].parse().unwrap_or_else(|_| panic!("cases.tsv line {}: row {:?}", i + 1, f[1]));
        let entry = cases.entry(f[0].to_string()).or_insert_with(|| (f[4].to_string(), Vec::new()));
        assert_eq!(entry.0, f[4], "cases.tsv line {}: one county file per case", i + 1);
        entry.1.push(Expected { row, column: f[2].to_string(), fragment: f[3].to_string() });
    }
    cases
}

/// What mcstress reports for a ledger file: its problems, or those of its
/// loans against the county file.
fn problems(bytes: &[u8], counties: Option<&[u8]>) -> Vec<Problem> {
    match read_ledger_bytes(bytes, SheetChoice::First, AS_OF, b"catalogue key") {
        Err(e) => e.problems(),
        Ok(ledger) => match counties {
            None => Vec::new(),
            Some(c) => {
                let table =
                    Table::from_csv(&decode(c).expect("county file text").text).expect("county table");
                check_ledger_counties(&ledger, &read_counties(&table).expect("a good county file"))
            }
        },
    }
}

/// The ID-number-like tokens of a file (15 to 18 digits, perhaps an X).
fn id_like_tokens(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split(|c: char| !(c.is_ascii_digit() || c == 'X'))
        .filter(|t| t.len() >= 15)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_catalogued_bad_ledger_yields_exactly_its_problems_at_its_row_and_column() {
    let cases = manifest();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (file, (county_file, expected)) in &cases {
        let bytes = std::fs::read(workspace(DIR).join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let counties = (!county_file.is_empty())
            .then(|| std::fs::read(workspace(DIR).join(county_file)).expect("county file"));
        let got = match catch_unwind(AssertUnwindSafe(|| problems(&bytes, counties.as_deref()))) {
            Ok(p) => p,
            Err(_) => {
                failures.push(format!("{file}: panicked"));
                continue;
            }
        };
        let shown: Vec<String> = got.iter().map(Problem::to_string).collect();
        if got.len() != expected.len() {
            failures.push(format!("{file}: expected {} problems, got {shown:#?}", expected.len()));
            continue;
        }
        for e in expected {
            let hit = got
                .iter()
                .any(|p| p.row == e.row && p.column == e.column && p.to_string().contains(&e.fragment));
            if !hit {
                failures.push(format!(
                    "{file}: no problem at row {}, column {:?} containing {:?}; got {shown:#?}",
                    e.row, e.column, e.fragment
                ));
            }
        }
        for token in id_like_tokens(&bytes) {
            if shown.iter().any(|s| s.contains(&token))
                || got.iter().any(|p| format!("{p:?}").contains(&token))
            {
                failures.push(format!("{file}: a message repeats the ID number {token}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_file_in_the_catalogue_is_a_case_or_a_county_file_it_names() {
    let cases = manifest();
    let county_files: Vec<&String> = cases.values().map(|(c, _)| c).filter(|c| !c.is_empty()).collect();
    for entry in std::fs::read_dir(workspace(DIR)).expect("the catalogue") {
        let name = entry.expect("an entry").file_name().to_string_lossy().to_string();
        let listed = cases.contains_key(&name) || county_files.contains(&&name);
        assert!(listed || name == "cases.tsv" || name == "README.md", "{name} is not in cases.tsv");
    }
}

/// Rewrites the XLSX cases (`cargo test -p mcstress-import --test files
/// -- --ignored write_the_xlsx_cases`); the workbooks are committed.
#[test]
#[ignore = "writes the catalogue's XLSX files"]
fn write_the_xlsx_cases() {
    use rust_xlsxwriter::{Format, Workbook};
    let header: Vec<&str> = "贷款编号,借款人姓名,身份证号码,县(区)代码,乡(镇),行政村,户类型,贷款银行,贷款产品,贷款金额（元）,贷款余额（元）,发放日期,到期日期,还款方式,执行利率,逾期天数,展期次数,是否续贷,产业类型".split(',').collect();
    let good = std::fs::read_to_string(workspace(DIR).join("balance-above-amount.csv")).expect("a case");
    let mut rows: Vec<Vec<String>> =
        good.lines().skip(2).map(|l| l.split(',').map(str::to_string).collect()).collect();
    rows[0][10] = "50000".into();
    let write_rows = |ws: &mut rust_xlsxwriter::Worksheet, first: u32, rows: &[Vec<String>]| {
        for (r, cells) in rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r, c) = (first + r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(x) if c >= 9 && c != 11 && c != 12 => ws.write_number(r, c, x).map(|_| ()),
                    _ => ws.write_string(r, c, cell).map(|_| ()),
                }
                .expect("a cell");
            }
        }
    };
    // A title row merged across, a blank row, the header in row 3; a date
    // that does not parse in row 5.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 0, 18, "鲁甸县脱贫人口小额信贷台账（2025年10月31日）", &Format::new())
        .expect("title");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).expect("header");
    }
    let mut r = rows.clone();
    r[1][11] = "2024-13-10".into();
    write_rows(ws, 3, &r);
    book.save(workspace(DIR).join("xlsx-title-row.xlsx")).expect("saved");
    // A header of two rows with merged cells: 贷款编号, 县(区)代码 … 户类型
    // merged down over rows 2–3, 借款人信息 and 贷款信息 merged across the
    // names below them; the balance of row 6 above its amount.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 18, "鲁甸县脱贫人口小额信贷台账（2025年10月31日）", &f).expect("title");
    ws.merge_range(1, 0, 2, 0, header[0], &f).expect("merge");
    ws.merge_range(1, 1, 1, 2, "借款人信息", &f).expect("merge");
    for c in 3..=6u16 {
        ws.merge_range(1, c, 2, c, header[c as usize], &f).expect("merge");
    }
    ws.merge_range(1, 7, 1, 18, "贷款信息", &f).expect("merge");
    for c in (1..=2).chain(7..=18) {
        ws.write_string(2, c as u16, header[c]).expect("header");
    }
    let mut r = rows.clone();
    r[2][10] = "60000".into();
    write_rows(ws, 3, &r);
    book.save(workspace(DIR).join("xlsx-merged-header.xlsx")).expect("saved");
    // An ID number stored as a number: its last digits are lost.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "鲁甸县脱贫人口小额信贷台账（2025年10月31日）").expect("title");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("header");
    }
    write_rows(ws, 2, &rows);
    let id: f64 = rows[1][2].parse().expect("an ID of digits only");
    ws.write_number(3, 2, id).expect("id");
    book.save(workspace(DIR).join("xlsx-id-number-as-a-number.xlsx")).expect("saved");
}
