//! The county data file: one row per county (and optionally per township
//! of a county), with whatever aggregates a county has — every column but
//! the code and the name is optional; what is missing falls back to the
//! synthetic defaults where the file is used.

use mcstress_domain::Fen;

use crate::header::{ColumnSpec, HeaderError, HeaderRow, Unit};
use crate::ledger::Problem;
use crate::money::parse_money;
use crate::table::{Row, Table};

const MONEY: &[Unit] = &[Unit::Yuan, Unit::WanYuan, Unit::YiYuan];
const COUNT: &[Unit] = &[Unit::Count];

/// The county file's columns; `C_*` index this list.
pub const COUNTY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "code",
        names: &["县(区)代码", "县代码", "区县代码", "代码", "county code", "code"],
        units: &[],
        required: true,
    },
    ColumnSpec {
        key: "name",
        names: &["县(区)", "县名", "县", "区县", "county", "name"],
        units: &[],
        required: true,
    },
    ColumnSpec { key: "township", names: &["乡(镇)", "乡镇", "township"], units: &[], required: false },
    ColumnSpec {
        key: "prefecture",
        names: &["州(市)", "州市", "市州", "prefecture"],
        units: &[],
        required: false,
    },
    ColumnSpec {
        key: "former_poverty",
        names: &["原贫困县", "脱贫县", "former poverty county"],
        units: &[],
        required: false,
    },
    ColumnSpec {
        key: "key_county",
        names: &["国家乡村振兴重点帮扶县", "重点帮扶县", "key county"],
        units: &[],
        required: false,
    },
    ColumnSpec { key: "border", names: &["边境县", "border county"], units: &[], required: false },
    ColumnSpec {
        key: "eligible_lifted",
        names: &["脱贫户户数", "脱贫户", "lifted households"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "eligible_unstable",
        names: &["脱贫不稳定户户数", "脱贫不稳定户", "unstable households"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "eligible_edge",
        names: &["边缘易致贫户户数", "边缘易致贫户", "edge households"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "eligible_sudden",
        names: &["突发严重困难户户数", "突发严重困难户", "sudden hardship households"],
        units: COUNT,
        required: false,
    },
    ColumnSpec { key: "loans_first", names: &["首贷笔数", "first loans"], units: COUNT, required: false },
    ColumnSpec {
        key: "loans_follow_up",
        names: &["追贷笔数", "follow-up loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "loans_commercial",
        names: &["商业贷款笔数", "commercial loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "balance_first",
        names: &["首贷余额", "first loan balance"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "balance_follow_up",
        names: &["追贷余额", "follow-up balance"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "balance_commercial",
        names: &["商业贷款余额", "commercial balance"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "overdue_loans_1_30",
        names: &["逾期1-30天笔数", "overdue 1-30 loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "overdue_loans_31_90",
        names: &["逾期31-90天笔数", "overdue 31-90 loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "overdue_loans_91_180",
        names: &["逾期91-180天笔数", "overdue 91-180 loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "overdue_loans_181",
        names: &["逾期180天以上笔数", "overdue 181+ loans"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "overdue_principal_1_30",
        names: &["逾期1-30天本金", "overdue 1-30 principal"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "overdue_principal_31_90",
        names: &["逾期31-90天本金", "overdue 31-90 principal"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "overdue_principal_91_180",
        names: &["逾期91-180天本金", "overdue 91-180 principal"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "overdue_principal_181",
        names: &["逾期180天以上本金", "overdue 181+ principal"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "fund_balance",
        names: &["风险补偿金余额", "补偿金余额", "fund balance"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "endowment",
        names: &["核定规模", "风险补偿金核定规模", "endowment"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "claims_paid",
        names: &["累计代偿", "累计代偿金额", "claims paid to date"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "fiscal_capacity",
        names: &["财政补充能力", "fiscal capacity"],
        units: MONEY,
        required: false,
    },
    ColumnSpec {
        key: "eligible_total",
        names: &["符合条件户数", "对象户数", "eligible households"],
        units: COUNT,
        required: false,
    },
    ColumnSpec {
        key: "overdue_rate_history",
        names: &["历史逾期率", "overdue rate history"],
        units: &[Unit::Percent],
        required: false,
    },
    ColumnSpec {
        key: "two_loan_households",
        names: &["首贷追贷并存户数", "两笔贷款户数", "households with first and follow-up loans"],
        units: COUNT,
        required: false,
    },
];

const C_CODE: usize = 0;
const C_NAME: usize = 1;
const C_TOWNSHIP: usize = 2;
const C_PREFECTURE: usize = 3;
const C_FLAGS: usize = 4;
const C_ELIGIBLE: usize = 7;
const C_LOANS: usize = 11;
const C_BALANCE: usize = 14;
const C_OVERDUE_LOANS: usize = 17;
const C_OVERDUE_PRINCIPAL: usize = 21;
const C_FUND: usize = 25;
const C_ELIGIBLE_TOTAL: usize = 29;
const C_OVERDUE_HISTORY: usize = 30;
const C_TWO_LOANS: usize = 31;

/// A period whose maturing balance a column gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    /// A calendar month (year, month).
    Month(i32, u8),
    /// A quarter (year, 1–4).
    Quarter(i32, u8),
}

impl Period {
    /// The period a header of a maturity column names: `2026-03到期余额`,
    /// `到期2026年3月`, `2026Q1到期`, `2026年一季度到期`, `maturing 2026-03`.
    fn from_header(name: &str) -> Option<Period> {
        if !(name.contains("到期") || name.contains("maturing")) {
            return None;
        }
        let digits: Vec<(usize, u32)> = {
            let mut v = Vec::new();
            let b = name.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_digit() {
                    let start = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    v.push((start, name[start..i].parse().ok()?));
                } else {
                    i += 1;
                }
            }
            v
        };
        let (pos, year) = *digits.iter().find(|(_, n)| (2000..=2100).contains(n))?;
        let rest = &name[pos + 4..];
        let quarter_word = [("一季度", 1), ("二季度", 2), ("三季度", 3), ("四季度", 4)];
        if let Some((_, q)) = quarter_word.iter().find(|(w, _)| rest.contains(w)) {
            return Some(Period::Quarter(year as i32, *q));
        }
        let next = digits.iter().find(|(p, _)| *p > pos)?;
        let between = &name[pos + 4..next.0];
        if between.ends_with('q') || between.ends_with("-q") {
            return (1..=4).contains(&next.1).then_some(Period::Quarter(year as i32, next.1 as u8));
        }
        (1..=12).contains(&next.1).then_some(Period::Month(year as i32, next.1 as u8))
    }
}

/// One row of the county file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CountyRecord {
    /// Its row as a spreadsheet shows it.
    pub row: u32,
    /// Six-digit division code.
    pub code: u32,
    /// County name as written.
    pub name: String,
    /// The township, for a township row.
    pub township: Option<String>,
    /// The prefecture, as written.
    pub prefecture: Option<String>,
    /// Former poverty county, national key-assistance county, border county.
    pub flags: [Option<bool>; 3],
    /// Eligible households by category (脱贫户, 脱贫不稳定户, 边缘易致贫户, 突发严重困难户).
    pub eligible: [Option<u32>; 4],
    /// Eligible households in all (when the file gives the total rather
    /// than, or besides, the categories).
    pub eligible_total: Option<u32>,
    /// Loans by product (first, follow-up, commercial).
    pub loans: [Option<u32>; 3],
    /// Balance by product.
    pub balance: [Option<Fen>; 3],
    /// Balance maturing by month or quarter.
    pub maturing: Vec<(Period, Fen)>,
    /// Overdue loans by bucket (1–30, 31–90, 91–180, 181+ days).
    pub overdue_loans: [Option<u32>; 4],
    /// Overdue principal by bucket.
    pub overdue_principal: [Option<Fen>; 4],
    /// Fund balance, endowment (核定规模), claims paid to date, and the
    /// county's fiscal capacity for top-ups (a year).
    pub fund: [Option<Fen>; 4],
    /// The county's overdue rate in its history, a share of principal
    /// (sets its persistent county effect).
    pub overdue_rate_history: Option<f64>,
    /// Households holding a first and a follow-up loan side by side (of
    /// the loans counted in `loans`).
    pub two_loan_households: Option<u32>,
}

impl CountyRecord {
    /// Eligible households: the total column where given, else the sum of
    /// the category columns given; `None` when the row gives neither.
    pub fn eligible_households(&self) -> Option<u32> {
        self.eligible_total
            .or_else(|| self.eligible.iter().flatten().copied().reduce(|a, b| a.saturating_add(b)))
    }
}

/// Reads a county data file: every problem at once (the same [`Problem`]s
/// as the ledger's).
pub fn read_counties(table: &Table) -> Result<Vec<CountyRecord>, CountiesError> {
    let header = HeaderRow::locate(table, COUNTY_COLUMNS)?;
    let maturity_cols: Vec<(usize, Period, Option<Unit>)> = header
        .unknown
        .iter()
        .filter_map(|(i, written)| {
            let h = crate::header::Header::parse(written);
            Period::from_header(&h.name).map(|p| (*i, p, h.unit))
        })
        .collect();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen: Vec<(u32, Option<String>, u32)> = Vec::new();
    for row in table.rows.iter().filter(|r| r.number > header.number) {
        let before = problems.len();
        let mut cx = Cells { row, header: &header, problems: &mut problems };
        let code = cx.text(C_CODE).and_then(|t| {
            let ok = t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                cx.problem(C_CODE, t.clone(), "a six-digit county code");
            }
            ok.then(|| t.parse().ok()).flatten()
        });
        let name = cx.text(C_NAME).filter(|n| !n.is_empty());
        if name.is_none() {
            cx.problem(C_NAME, String::new(), "a county name");
        }
        let mut r = CountyRecord {
            row: row.number,
            township: cx.text(C_TOWNSHIP).filter(|t| !t.is_empty()),
            prefecture: cx.text(C_PREFECTURE).filter(|t| !t.is_empty()),
            ..CountyRecord::default()
        };
        for k in 0..3 {
            r.flags[k] = cx.yes_no(C_FLAGS + k);
        }
        for k in 0..4 {
            r.eligible[k] = cx.count(C_ELIGIBLE + k);
            r.overdue_loans[k] = cx.count(C_OVERDUE_LOANS + k);
            r.overdue_principal[k] = cx.money(C_OVERDUE_PRINCIPAL + k);
            r.fund[k] = cx.money(C_FUND + k);
        }
        r.eligible_total = cx.count(C_ELIGIBLE_TOTAL);
        r.overdue_rate_history = cx.share(C_OVERDUE_HISTORY);
        r.two_loan_households = cx.count(C_TWO_LOANS);
        for k in 0..3 {
            r.loans[k] = cx.count(C_LOANS + k);
            r.balance[k] = cx.money(C_BALANCE + k);
        }
        for (i, period, unit) in &maturity_cols {
            let text = row.cell(*i).to_string();
            if text.is_empty() {
                continue;
            }
            match parse_money(&text, *unit) {
                Ok(f) => r.maturing.push((*period, f)),
                Err(e) => {
                    let expected = e.expected();
                    let column = header
                        .unknown
                        .iter()
                        .find(|(j, _)| j == i)
                        .map(|(_, w)| w.clone())
                        .unwrap_or_default();
                    problems.push(Problem { row: row.number, column, value: Some(text), expected });
                }
            }
        }
        if problems.len() > before {
            // Left to right, as the user reads the row.
            problems[before..].sort_by_key(|p| header.position(&p.column));
            continue;
        }
        let (Some(code), Some(name)) = (code, name) else { continue };
        if let Some((_, _, first)) = seen.iter().find(|(c, t, _)| *c == code && *t == r.township) {
            let column = header.columns[C_CODE].as_ref().map(|(_, h)| h.written.clone()).unwrap_or_default();
            problems.push(Problem {
                row: row.number,
                column,
                value: Some(code.to_string()),
                expected: format!("one row per county (and township): this one is also in row {first}"),
            });
            continue;
        }
        seen.push((code, r.township.clone(), row.number));
        r.code = code;
        r.name = name;
        out.push(r);
    }
    if problems.is_empty() { Ok(out) } else { Err(CountiesError::Rows(problems)) }
}

/// Why a county file cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CountiesError {
    /// The header row is missing or wrong.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Rows with problems: every one of them, in row order.
    #[error("{} problem{} in the county file; the first: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0[0])]
    Rows(Vec<Problem>),
}

/// The cells of one row, read by column; problems go to the shared list.
struct Cells<'a> {
    row: &'a Row,
    header: &'a HeaderRow,
    problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    fn text(&self, col: usize) -> Option<String> {
        self.header.columns[col].as_ref().map(|(i, _)| self.row.cell(*i).to_string())
    }

    fn problem(&mut self, col: usize, value: String, expected: &str) {
        let column = self.header.columns[col].as_ref().map(|(_, h)| h.written.clone()).unwrap_or_default();
        self.problems.push(Problem {
            row: self.row.number,
            column,
            value: Some(value),
            expected: expected.into(),
        });
    }

    fn count(&mut self, col: usize) -> Option<u32> {
        let t = self.text(col).filter(|t| !t.is_empty())?;
        let v = t.replace(',', "").parse::<u32>().ok();
        if v.is_none() {
            self.problem(col, t, "a whole number, 0 or more");
        }
        v
    }

    fn money(&mut self, col: usize) -> Option<Fen> {
        let t = self.text(col).filter(|t| !t.is_empty())?;
        let unit = self.header.columns[col].as_ref().and_then(|(_, h)| h.unit);
        match parse_money(&t, unit) {
            Ok(f) => Some(f),
            Err(e) => {
                self.problem(col, t, &e.expected());
                None
            }
        }
    }

    /// A share from 0 to below 1: `0.0436`, or `4.36%` (or `4.36` under a
    /// `(%)` header).
    fn share(&mut self, col: usize) -> Option<f64> {
        let t = self.text(col).filter(|t| !t.is_empty())?;
        let percent = self.header.columns[col].as_ref().and_then(|(_, h)| h.unit) == Some(Unit::Percent);
        let (digits, scale) = match t.strip_suffix('%') {
            Some(d) => (d.trim(), 0.01),
            None => (t.as_str(), if percent { 0.01 } else { 1.0 }),
        };
        let v = digits.parse::<f64>().ok().map(|x| x * scale).filter(|x| (0.0..1.0).contains(x));
        if v.is_none() {
            self.problem(col, t, "a share from 0 to below 1 (0.0436 or 4.36%)");
        }
        v
    }

    fn yes_no(&mut self, col: usize) -> Option<bool> {
        let t = self.text(col).filter(|t| !t.is_empty())?;
        match t.as_str() {
            "是" | "Y" | "y" | "1" | "yes" | "true" => Some(true),
            "否" | "N" | "n" | "0" | "no" | "false" => Some(false),
            _ => {
                self.problem(col, t, "是 or 否");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_format_doc_names_every_county_column() {
        let doc = include_str!("../../../docs/data-format.md");
        for spec in COUNTY_COLUMNS {
            for n in spec.names {
                assert!(doc.contains(&format!("`{n}`")), "docs/data-format.md does not name {n:?}");
            }
        }
    }

    #[test]
    fn maturity_columns_name_their_period() {
        let p = |t: &str| Period::from_header(&crate::header::Header::parse(t).name);
        assert_eq!(p("2026-03到期余额（万元）"), Some(Period::Month(2026, 3)));
        assert_eq!(p("到期2026年3月"), Some(Period::Month(2026, 3)));
        assert_eq!(p("2026Q1到期"), Some(Period::Quarter(2026, 1)));
        assert_eq!(p("2026年一季度到期"), Some(Period::Quarter(2026, 1)));
        assert_eq!(p("Maturing 2026-11"), Some(Period::Month(2026, 11)));
        assert_eq!(p("首贷余额"), None);
        assert_eq!(p("2026-13到期"), None);
    }

    #[test]
    fn a_county_file_with_a_title_units_and_a_township_row_is_read() {
        let text = "云南省脱贫人口小额信贷分县数据（2025年10月末）\n\
                    县(区)代码,县(区),乡(镇),州(市),重点帮扶县,首贷余额（万元）,逾期91-180天本金（元）,风险补偿金余额（万元）,2026-03到期余额（万元）,备注\n\
                    530621,鲁甸县,,昭通市,是,\"1,234.5\",120000,500,88.8,地震\n\
                    530621,鲁甸县,龙头山镇,昭通市,是,200,,,,\n";
        let rows = read_counties(&Table::from_csv(text).unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        let c = &rows[0];
        assert_eq!(
            (c.code, c.name.as_str(), c.township.clone(), c.flags[1]),
            (530621, "鲁甸县", None, Some(true))
        );
        assert_eq!(c.balance[0], Some(Fen(1_234_500_000)));
        assert_eq!(c.overdue_principal[2], Some(Fen(12_000_000)));
        assert_eq!(c.fund[0], Some(Fen(500_000_000)));
        assert_eq!(c.maturing, [(Period::Month(2026, 3), Fen(88_800_000))]);
        assert_eq!(rows[1].township.as_deref(), Some("龙头山镇"));
        assert_eq!(rows[1].balance[1], None);
    }

    #[test]
    fn county_file_problems_name_row_and_column() {
        let text = "县(区)代码,县(区),首贷笔数,边境县\n53062,鲁甸县,12,是\n530622,巧家县,十二,也许\n530622,巧家县,3,否\n530622,巧家县,4,否\n";
        match read_counties(&Table::from_csv(text).unwrap()) {
            Err(CountiesError::Rows(p)) => {
                let got: Vec<String> = p.iter().map(|x| x.to_string()).collect();
                assert_eq!(
                    got,
                    [
                        "row 2, column 县(区)代码: expected a six-digit county code, found \"53062\"",
                        "row 3, column 首贷笔数: expected a whole number, 0 or more, found \"十二\"",
                        "row 3, column 边境县: expected 是 or 否, found \"也许\"",
                        "row 5, column 县(区)代码: expected one row per county (and township): this one is also in row 4, found \"530622\"",
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
