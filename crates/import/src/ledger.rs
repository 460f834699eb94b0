//! A bank's loan ledger (台账): one row per loan, as banks export it, read
//! into loans the simulation can start from — or into every problem at
//! once, each naming its row and column.
//!
//! **Privacy.** The borrower's name is never read (its column is
//! recognised so that it is not reported as unknown, and skipped). The ID
//! number is read only to tell one household's loans from another's and is
//! kept as a keyed hash ([`household_key`]); no message ever repeats a
//! name or an ID number.

use std::collections::HashMap;

use mcstress_domain::{Category, Fen, Industry, Product};
use sha2::{Digest, Sha256};

use crate::counties::CountyRecord;
use crate::date::Date;
use crate::header::{ColumnSpec, Header, HeaderError, HeaderRow, SEARCH_ROWS, Unit};
use crate::money::parse_money;
use crate::table::{Row, SheetChoice, Table, TableError, csv_rows, xlsx_rows};
use crate::text::{DecodeError, decode};

const MONEY: &[Unit] = &[Unit::Yuan, Unit::WanYuan, Unit::YiYuan];

/// The ledger's columns; `COL_*` index this list.
pub const LEDGER_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "name",
        names: &["借款人姓名", "借款人", "姓名", "borrower name", "name"],
        units: &[],
        required: false,
    },
    ColumnSpec {
        key: "id_number",
        names: &["身份证号码", "身份证号", "证件号码", "id number"],
        units: &[],
        required: false,
    },
    ColumnSpec {
        key: "county_code",
        names: &["县(区)代码", "县代码", "区县代码", "county code"],
        units: &[],
        required: false,
    },
    ColumnSpec {
        key: "county", names: &["县(区)", "县", "区县", "county"], units: &[], required: false
    },
    ColumnSpec { key: "township", names: &["乡(镇)", "乡镇", "township"], units: &[], required: true },
    ColumnSpec { key: "village", names: &["行政村", "村", "village"], units: &[], required: false },
    ColumnSpec {
        key: "category",
        names: &["户类型", "户籍类型", "household type", "category"],
        units: &[],
        required: true,
    },
    ColumnSpec { key: "bank", names: &["贷款银行", "承贷银行", "bank"], units: &[], required: false },
    ColumnSpec { key: "product", names: &["贷款产品", "产品", "product"], units: &[], required: true },
    ColumnSpec {
        key: "amount", names: &["贷款金额", "发放金额", "amount"], units: MONEY, required: true
    },
    ColumnSpec {
        key: "balance", names: &["贷款余额", "余额", "balance"], units: MONEY, required: true
    },
    ColumnSpec {
        key: "disbursed",
        names: &["发放日期", "放款日期", "disbursement date"],
        units: &[],
        required: true,
    },
    ColumnSpec {
        key: "maturity",
        names: &["到期日期", "到期日", "maturity date"],
        units: &[],
        required: true,
    },
    ColumnSpec { key: "repayment", names: &["还款方式", "repayment"], units: &[], required: false },
    ColumnSpec {
        key: "rate",
        names: &["执行利率", "利率", "rate"],
        units: &[Unit::Percent],
        required: false,
    },
    ColumnSpec {
        key: "days_overdue",
        names: &["逾期天数", "days overdue"],
        units: &[Unit::Days],
        required: false,
    },
    ColumnSpec {
        key: "extensions",
        names: &["展期次数", "extensions"],
        units: &[Unit::Count],
        required: false,
    },
    ColumnSpec { key: "renewed", names: &["是否续贷", "续贷", "renewed"], units: &[], required: false },
    ColumnSpec {
        key: "industry", names: &["产业类型", "产业", "industry"], units: &[], required: false
    },
    ColumnSpec {
        key: "loan_id",
        names: &["贷款编号", "借据号", "借据编号", "loan id"],
        units: &[],
        required: false,
    },
];

const COL_ID: usize = 1;
const COL_COUNTY_CODE: usize = 2;
const COL_COUNTY: usize = 3;
const COL_TOWNSHIP: usize = 4;
const COL_VILLAGE: usize = 5;
const COL_CATEGORY: usize = 6;
const COL_BANK: usize = 7;
const COL_PRODUCT: usize = 8;
const COL_AMOUNT: usize = 9;
const COL_BALANCE: usize = 10;
const COL_DISBURSED: usize = 11;
const COL_MATURITY: usize = 12;
const COL_REPAYMENT: usize = 13;
const COL_RATE: usize = 14;
const COL_OVERDUE: usize = 15;
const COL_EXTENSIONS: usize = 16;
const COL_RENEWED: usize = 17;
const COL_INDUSTRY: usize = 18;
const COL_LOAN_ID: usize = 19;

/// A county as the ledger names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CountyRef {
    /// A six-digit division code.
    Code(u32),
    /// A name (县(区) column only).
    Name(String),
}

/// How a loan repays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepaymentMethod {
    /// Interest by quarter (or month), principal at maturity (按季付息、到期还本).
    Bullet,
    /// Equal instalments (等额本息 / 等额本金).
    Instalments,
}

/// One loan of the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerLoan {
    /// Its row as a spreadsheet shows it.
    pub row: u32,
    /// The bank's loan number, if the ledger has one.
    pub loan_id: Option<String>,
    /// A keyed hash of the borrower's ID number, if the ledger has one.
    pub household: Option<[u8; 16]>,
    /// The county.
    pub county: CountyRef,
    /// The township (乡镇), as written.
    pub township: String,
    /// The village (行政村), as written.
    pub village: Option<String>,
    /// The household's category (户类型).
    pub category: Category,
    /// The lending bank, as written.
    pub bank: Option<String>,
    /// The product: first loan, follow-up or commercial.
    pub product: Product,
    /// Amount disbursed.
    pub amount: Fen,
    /// Principal outstanding.
    pub balance: Fen,
    /// Disbursement date.
    pub disbursed: Date,
    /// Maturity date (after any extension).
    pub maturity: Date,
    /// Repayment method, if stated.
    pub repayment: Option<RepaymentMethod>,
    /// Contract rate in basis points, if stated.
    pub rate_bp: Option<u32>,
    /// Days overdue on the ledger date (0 when not stated).
    pub days_overdue: u32,
    /// Extensions granted (展期次数).
    pub extensions: u8,
    /// Whether the loan is a renewal (续贷).
    pub renewed: bool,
    /// The household's industry, if stated and known.
    pub industry: Option<Industry>,
}

/// A problem with one cell (or row) of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The row as a spreadsheet shows it.
    pub row: u32,
    /// The column header as written in the file ("" for a whole row).
    pub column: String,
    /// The value found — `None` for the ID-number column, whose values are
    /// never repeated.
    pub value: Option<String>,
    /// What is allowed.
    pub expected: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Row 0 is the file as a whole (it is not a workbook, say).
        match self.row {
            0 => write!(f, "the file")?,
            n => write!(f, "row {n}")?,
        }
        if !self.column.is_empty() {
            write!(f, ", column {}", self.column)?;
        }
        write!(f, ": expected {}", self.expected)?;
        match &self.value {
            Some(v) => write!(f, ", found {v:?}"),
            // A whole row or the whole file has no single value to show.
            None if self.column.is_empty() => Ok(()),
            None => write!(f, " (the value is not shown: personal data)"),
        }
    }
}

/// Why a ledger cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The bytes are not text in an encoding mcstress reads.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The text is not a table (or the workbook has no such sheet).
    #[error(transparent)]
    Table(#[from] TableError),
    /// The header row is missing or wrong.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Rows with problems: every one of them, in row order.
    #[error("{} problem{} in the ledger; the first: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0[0])]
    Rows(Vec<Problem>),
}

impl LedgerError {
    /// Every problem as a [`Problem`] — row, column, value, what is
    /// expected — for a report the bank can fix the file from: the row
    /// problems as they are, a file or header problem as one problem at
    /// its row (row 0: the file as a whole).
    pub fn problems(&self) -> Vec<Problem> {
        let whole = |row: u32, column: &str, value: Option<String>, expected: String| Problem {
            row,
            column: column.to_string(),
            value,
            expected,
        };
        match self {
            LedgerError::Rows(p) => p.clone(),
            LedgerError::Decode(DecodeError::NotText { line, offset, byte }) => vec![whole(
                *line as u32,
                "",
                None,
                format!(
                    "text in UTF-8 or GBK/GB18030, found byte {byte:#04x} at offset {offset}, which is neither; save the file as CSV UTF-8 or CSV (GBK)"
                ),
            )],
            LedgerError::Decode(e) => vec![whole(1, "", None, format!("a CSV or XLSX file, not {e}"))],
            LedgerError::Table(TableError::Csv { row, source }) => {
                vec![whole(*row, "", None, format!("a CSV row ({source})"))]
            }
            LedgerError::Table(e) => vec![whole(0, "", None, format!("a readable table: {e}"))],
            LedgerError::Header(h) => vec![match h {
                HeaderError::NotFound { searched: 0, expected } => whole(
                    1,
                    "",
                    None,
                    format!("a header row naming columns such as {expected}, found an empty file"),
                ),
                HeaderError::NotFound { searched, expected } => whole(
                    1,
                    "",
                    None,
                    format!("a header row in the first {searched} rows naming columns such as {expected}"),
                ),
                // A missing column has no header as written.
                HeaderError::Missing { row, name, aliases } => {
                    whole(*row, "", None, format!("a column {name} (also accepted: {aliases})"))
                }
                HeaderError::Duplicate { row, name, first, second } => whole(
                    *row,
                    second,
                    Some(second.clone()),
                    format!("one column {name}: {first:?} is already {name}; keep one"),
                ),
                HeaderError::Unit { row, written, found, allowed } => {
                    whole(*row, written, Some(written.clone()), format!("a unit of {allowed}, not {found}"))
                }
            }],
        }
    }
}

/// The loans of a ledger, in row order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    /// The loans.
    pub loans: Vec<LedgerLoan>,
    /// Where the header is and which column is where (for messages about
    /// a loan after reading, such as [`check_ledger_counties`]'s).
    pub header: HeaderRow,
}

impl Ledger {
    /// The header of column `key` of [`LEDGER_COLUMNS`] as written in the
    /// file ("" if the ledger has no such column).
    pub fn column(&self, key: &str) -> &str {
        LEDGER_COLUMNS
            .iter()
            .position(|s| s.key == key)
            .and_then(|i| self.header.columns.get(i)?.as_ref())
            .map_or("", |(_, h)| h.written.as_str())
    }
}

/// A keyed hash of an ID number: tells one household's loans from
/// another's without keeping the number. With a key that is secret to the
/// run, the number cannot be recovered by trying every possible one.
pub fn household_key(key: &[u8], id_number: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update((key.len() as u64).to_le_bytes());
    h.update(key);
    h.update(id_number.trim().to_ascii_uppercase().as_bytes());
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Whether `id` is a well-formed resident ID number (GB 11643-1999): 17
/// digits and a check character (0–9 or X) that matches them.
pub fn id_number_is_well_formed(id: &str) -> bool {
    let id = id.trim().as_bytes();
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = id[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    id[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

/// Reads a ledger file's bytes: an XLSX workbook (by its ZIP signature;
/// the sheet `sheet`) or CSV text in UTF-8, UTF-8 with a byte-order mark
/// or GBK/GB18030; then as [`read_ledger`] does. Rows are read one at a
/// time and dropped once read, so that only the loans are kept.
pub fn read_ledger_bytes(
    bytes: &[u8],
    sheet: SheetChoice,
    as_of: Date,
    key: &[u8],
) -> Result<Ledger, LedgerError> {
    let mut reader = LedgerRows::new(as_of, key);
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes, sheet, |row| reader.push(&row))?;
    } else {
        csv_rows(&decode(bytes)?.text, |row| reader.push(&row))?;
    }
    reader.finish()
}

/// The largest amount of one 首贷 or 追贷 (5万 yuan) for a loan disbursed
/// before March 2026, when the product became 帮扶小额信贷 (10万); an
/// amount above it is most often a wrong unit in the header.
fn amount_cap(product: Product, disbursed: Option<Date>) -> Option<Fen> {
    const NEW_PRODUCT: Date = Date { year: 2026, month: 3, day: 1 };
    match product {
        Product::Commercial => None,
        _ if disbursed.is_some_and(|d| d >= NEW_PRODUCT) => Some(Fen(100_000 * 100)),
        _ => Some(Fen(50_000 * 100)),
    }
}

/// Reads the loans of `table`, as of `as_of` (the ledger's date), hashing
/// ID numbers with `key`. Every problem is collected before giving up.
pub fn read_ledger(table: &Table, as_of: Date, key: &[u8]) -> Result<Ledger, LedgerError> {
    let mut reader = LedgerRows::new(as_of, key);
    for row in &table.rows {
        reader.push(row);
    }
    reader.finish()
}

/// A ledger read row by row: the first rows are kept until the header is
/// found among them, then each row is read into a loan (or problems).
struct LedgerRows<'k> {
    as_of: Date,
    key: &'k [u8],
    /// The rows before the header is known (at most `SEARCH_ROWS + 1`).
    pending: Vec<Row>,
    /// The rows below the header, once it is known.
    body: Option<Body>,
    /// Why no header was found.
    failed: Option<LedgerError>,
}

/// The state of reading the rows below the header.
struct Body {
    header: HeaderRow,
    /// For each known column, its index and normalised names.
    names: Vec<(usize, Vec<String>)>,
    category_at: Option<usize>,
    problems: Vec<Problem>,
    loans: Vec<LedgerLoan>,
    seen_ids: HashMap<String, u32>,
    data_rows: usize,
}

impl<'k> LedgerRows<'k> {
    fn new(as_of: Date, key: &'k [u8]) -> LedgerRows<'k> {
        LedgerRows { as_of, key, pending: Vec::new(), body: None, failed: None }
    }

    fn push(&mut self, row: &Row) {
        if self.failed.is_some() {
            return;
        }
        if let Some(body) = &mut self.body {
            body.read(row, self.as_of, self.key);
            return;
        }
        self.pending.push(row.clone());
        // The header is among the first rows, and may take the row below.
        if self.pending.len() > SEARCH_ROWS {
            self.start();
        }
    }

    /// Finds the header among the pending rows and reads those below it.
    fn start(&mut self) {
        match self.body_from_pending() {
            Ok(body) => self.body = Some(body),
            Err(e) => self.failed = Some(e),
        }
    }

    fn body_from_pending(&mut self) -> Result<Body, LedgerError> {
        let table = Table { rows: std::mem::take(&mut self.pending) };
        let mut body = Body::new(&table)?;
        let below = body.header.number;
        for row in table.rows.iter().filter(|r| r.number > below) {
            body.read(row, self.as_of, self.key);
        }
        Ok(body)
    }

    fn finish(mut self) -> Result<Ledger, LedgerError> {
        let body = match (self.body.take(), self.failed.take()) {
            (_, Some(e)) => return Err(e),
            (Some(body), None) => body,
            // A ledger of fewer rows than the header search looks at.
            (None, None) => self.body_from_pending()?,
        };
        body.finish()
    }
}

impl Body {
    fn new(table: &Table) -> Result<Body, LedgerError> {
        let header = HeaderRow::locate(table, LEDGER_COLUMNS)?;
        if header.columns[COL_COUNTY_CODE].is_none() && header.columns[COL_COUNTY].is_none() {
            return Err(HeaderError::Missing {
                row: header.number,
                name: "县(区)代码",
                aliases: "县(区), county code, county".into(),
            }
            .into());
        }
        let names = header
            .columns
            .iter()
            .zip(LEDGER_COLUMNS)
            .filter_map(|(c, spec)| {
                c.as_ref().map(|(i, _)| (*i, spec.names.iter().map(|n| Header::parse(n).name).collect()))
            })
            .collect();
        let category_at = header.columns[COL_CATEGORY].as_ref().map(|(i, _)| *i);
        Ok(Body {
            header,
            names,
            category_at,
            problems: Vec::new(),
            loans: Vec::new(),
            seen_ids: HashMap::new(),
            data_rows: 0,
        })
    }

    /// Two exports pasted into one file repeat the header: a row with two
    /// cells naming the columns they stand in. Only a row whose 户类型 is
    /// no category is looked at (the check is then cheap for good rows).
    fn header_again(&self, row: &Row) -> bool {
        if self.category_at.is_some_and(|i| parse_category(row.cell(i)).is_some()) {
            return false;
        }
        let named = |(i, ns): &&(usize, Vec<String>)| {
            let cell = row.cell(*i);
            !cell.is_empty() && !cell.as_bytes()[0].is_ascii_digit() && ns.contains(&Header::parse(cell).name)
        };
        self.names.iter().filter(named).count() >= 2
    }

    fn read(&mut self, row: &Row, as_of: Date, key: &[u8]) {
        self.data_rows += 1;
        if self.header_again(row) {
            self.problems.push(Problem {
                row: row.number,
                column: String::new(),
                value: None,
                expected: format!(
                    "a loan, not a header row (the header is row {}; were two files pasted together?)",
                    self.header.number
                ),
            });
            return;
        }
        let mut cx = RowReader { row, header: &self.header, problems: &mut self.problems };
        let Some(loan) = cx.loan(as_of, key) else { return };
        if let Some(id) = &loan.loan_id {
            if let Some(first) = self.seen_ids.get(id) {
                let expected = format!("a loan number used once (also in row {first})");
                cx.problem(COL_LOAN_ID, Some(id.clone()), expected);
                return;
            }
            self.seen_ids.insert(id.clone(), row.number);
        }
        self.loans.push(loan);
    }

    fn finish(mut self) -> Result<Ledger, LedgerError> {
        if self.data_rows == 0 {
            self.problems.push(Problem {
                row: self.header.number,
                column: String::new(),
                value: None,
                expected: "at least one loan in the rows below the header, found none".into(),
            });
        }
        if self.problems.is_empty() {
            Ok(Ledger { loans: self.loans, header: self.header })
        } else {
            Err(LedgerError::Rows(self.problems))
        }
    }
}

/// Checks a ledger against the county file's rows: a loan's county must
/// be one of the file's (by code, or by name when the ledger names
/// counties), and where the file has township rows for a county, the
/// loan's township must be one of them. Problems in row order, the county
/// before the township; none when every loan is known.
pub fn check_ledger_counties(ledger: &Ledger, counties: &[CountyRecord]) -> Vec<Problem> {
    let county_rows: Vec<&CountyRecord> = counties.iter().filter(|c| c.township.is_none()).collect();
    let known: Vec<&CountyRecord> =
        if county_rows.is_empty() { counties.iter().collect() } else { county_rows };
    let example = known.first().map_or(String::new(), |c| format!(", such as {:06} {}", c.code, c.name));
    // Looked up once per loan: by code, by name, and each county's townships.
    let mut by_code: HashMap<u32, &CountyRecord> = HashMap::new();
    let mut by_name: HashMap<&str, &CountyRecord> = HashMap::new();
    let mut townships: HashMap<u32, Vec<&str>> = HashMap::new();
    for c in counties {
        by_code.entry(c.code).or_insert(c);
        by_name.entry(c.name.as_str()).or_insert(c);
        if let Some(t) = &c.township {
            townships.entry(c.code).or_default().push(t.as_str());
        }
    }
    let mut problems = Vec::new();
    for loan in &ledger.loans {
        let county = match &loan.county {
            CountyRef::Code(code) => by_code.get(code),
            CountyRef::Name(name) => by_name.get(name.as_str()),
        };
        let Some(county) = county else {
            let (column, value, what) = match &loan.county {
                CountyRef::Code(code) => (ledger.column("county_code"), format!("{code:06}"), "code"),
                CountyRef::Name(name) => (ledger.column("county"), name.clone(), "name"),
            };
            problems.push(Problem {
                row: loan.row,
                column: column.to_string(),
                value: Some(value),
                expected: format!("a county {what} of the county file ({} counties{example})", known.len()),
            });
            continue;
        };
        let Some(list) = townships.get(&county.code) else { continue };
        if !list.contains(&loan.township.as_str()) {
            let mut listed = list.iter().take(6).copied().collect::<Vec<_>>().join(", ");
            if list.len() > 6 {
                listed.push_str(", …");
            }
            problems.push(Problem {
                row: loan.row,
                column: ledger.column("township").to_string(),
                value: Some(loan.township.clone()),
                expected: format!(
                    "a township of {} in the county file ({} townships: {listed})",
                    county.name,
                    list.len()
                ),
            });
        }
    }
    problems
}

/// One row being read; problems go to the shared list.
struct RowReader<'a> {
    row: &'a Row,
    header: &'a HeaderRow,
    problems: &'a mut Vec<Problem>,
}

impl RowReader<'_> {
    /// The cell of column `col`, if the ledger has the column.
    fn cell(&self, col: usize) -> Option<&str> {
        self.header.columns[col].as_ref().map(|(i, _)| self.row.cell(*i))
    }

    fn problem(&mut self, col: usize, value: Option<String>, expected: impl Into<String>) {
        let column = self.header.columns[col].as_ref().map(|(_, h)| h.written.clone()).unwrap_or_default();
        self.problems.push(Problem { row: self.row.number, column, value, expected: expected.into() });
    }

    /// Reads a cell with `parse`; a failure is a problem (the value shown).
    fn read<T>(&mut self, col: usize, expected: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let text = self.cell(col)?.to_string();
        let v = parse(&text);
        if v.is_none() {
            self.problem(col, Some(text), expected);
        }
        v
    }

    fn money(&mut self, col: usize) -> Option<Fen> {
        let unit = self.header.columns[col].as_ref().and_then(|(_, h)| h.unit);
        let text = self.cell(col)?.to_string();
        match parse_money(&text, unit) {
            Ok(f) => Some(f),
            Err(e) => {
                self.problem(col, Some(text), e.expected());
                None
            }
        }
    }

    fn loan(&mut self, as_of: Date, key: &[u8]) -> Option<LedgerLoan> {
        let before = self.problems.len();
        let household = self.cell(COL_ID).map(str::to_string).and_then(|id| {
            if id_number_is_well_formed(&id) {
                Some(household_key(key, &id))
            } else {
                self.problem(COL_ID, None, "an 18-character resident ID number with a valid check character");
                None
            }
        });
        let county =
            match (self.cell(COL_COUNTY_CODE).map(str::to_string), self.cell(COL_COUNTY).map(str::to_string))
            {
                (Some(code), _) => self
                    .read(COL_COUNTY_CODE, "a six-digit county-level division code such as 530621", |_| {
                        parse_code(&code)
                    })
                    .map(CountyRef::Code),
                (None, Some(name)) if !name.is_empty() => Some(CountyRef::Name(name)),
                (None, _) => {
                    self.problem(COL_COUNTY, Some(String::new()), "a county name");
                    None
                }
            };
        let township = self.read(COL_TOWNSHIP, "a township name", |t| (!t.is_empty()).then(|| t.to_string()));
        let category = self.read(
            COL_CATEGORY,
            "one of 脱贫户, 脱贫不稳定户, 边缘易致贫户, 突发严重困难户",
            parse_category,
        );
        let product = self.read(COL_PRODUCT, "one of 首贷, 追贷, 商业贷款", parse_product);
        let amount = self.money(COL_AMOUNT);
        let balance = self.money(COL_BALANCE);
        let disbursed = self.read(COL_DISBURSED, "a date such as 2024-02-29", Date::parse);
        let maturity = self.read(COL_MATURITY, "a date such as 2024-02-29", Date::parse);
        let repayment = self
            .read(
                COL_REPAYMENT,
                "按季付息到期还本 (bullet) or 等额本息/等额本金 (instalments)",
                parse_repayment,
            )
            .flatten();
        let rate_bp =
            self.read(COL_RATE, "a rate in percent from 0 to 24, such as 3.45", parse_rate).flatten();
        let days_overdue = self.read(COL_OVERDUE, "a whole number of days, 0 or more", |t| {
            if t.is_empty() { Some(0) } else { t.parse::<u32>().ok() }
        });
        let extensions = self.read(COL_EXTENSIONS, "a whole number from 0 to 9", |t| {
            if t.is_empty() { Some(0) } else { t.parse::<u8>().ok().filter(|n| *n <= 9) }
        });
        let renewed = self.read(COL_RENEWED, "是 or 否", parse_yes_no);
        let industry = self
            .read(
                COL_INDUSTRY,
                "an industry such as 肉牛, 生猪, 茶叶, 咖啡, 核桃, 烤烟, 果蔬, 务工, 其他",
                parse_industry,
            )
            .flatten();
        let village = self.cell(COL_VILLAGE).filter(|v| !v.is_empty()).map(str::to_string);
        let bank = self.cell(COL_BANK).filter(|v| !v.is_empty()).map(str::to_string);
        let loan_id = self.cell(COL_LOAN_ID).filter(|v| !v.is_empty()).map(str::to_string);
        // Checks across cells, only where the cells themselves were read.
        if let (Some(a), Some(cap)) = (amount, product.and_then(|p| amount_cap(p, disbursed)))
            && a > cap
        {
            self.problem(
                COL_AMOUNT,
                self.cell(COL_AMOUNT).map(str::to_string),
                format!(
                    "at most {} yuan for a 首贷 or 追贷 disbursed {} March 2026 (is the unit in the header right?)",
                    cap.0 / 100,
                    if cap.0 > 5_000_000 { "from" } else { "before" }
                ),
            );
        }
        if let (Some(b), Some(od)) = (balance, days_overdue)
            && b == Fen::ZERO
            && od > 0
        {
            self.problem(
                COL_OVERDUE,
                self.cell(COL_OVERDUE).map(str::to_string),
                "0 days for a loan with no balance (a repaid loan is not overdue)",
            );
        }
        if let (Some(a), Some(b)) = (amount, balance) {
            if a == Fen::ZERO {
                self.problem(COL_AMOUNT, self.cell(COL_AMOUNT).map(str::to_string), "an amount above 0");
            }
            if b > a {
                self.problem(
                    COL_BALANCE,
                    self.cell(COL_BALANCE).map(str::to_string),
                    "a balance of at most the loan amount",
                );
            }
        }
        if let (Some(d), Some(m)) = (disbursed, maturity) {
            if m <= d {
                self.problem(
                    COL_MATURITY,
                    self.cell(COL_MATURITY).map(str::to_string),
                    format!("a maturity after the disbursement date {d}"),
                );
            }
            if d > as_of {
                self.problem(
                    COL_DISBURSED,
                    self.cell(COL_DISBURSED).map(str::to_string),
                    format!("a date on or before the ledger date {as_of}"),
                );
            }
            // Overdue days are checked against dates that make sense.
            if let Some(od) = days_overdue.filter(|_| m > d && d <= as_of) {
                let since = as_of.days() - d.days();
                if i64::from(od) > since.max(0) {
                    self.problem(
                        COL_OVERDUE,
                        self.cell(COL_OVERDUE).map(str::to_string),
                        format!(
                            "at most {since} days (the loan was disbursed on {d}, the ledger is of {as_of})"
                        ),
                    );
                }
                let past_maturity = as_of.days() - m.days();
                if past_maturity > 0
                    && balance.is_some_and(|b| b > Fen::ZERO)
                    && i64::from(od) < past_maturity
                {
                    self.problem(
                        COL_OVERDUE,
                        self.cell(COL_OVERDUE).map(str::to_string).or(Some(String::new())),
                        format!(
                            "at least {past_maturity} days: the loan matured on {m} and still has a balance (an extended loan carries its new maturity date)"
                        ),
                    );
                }
            }
        }
        if self.problems.len() > before {
            // Left to right, as the user reads the row.
            self.problems[before..].sort_by_key(|p| self.header.position(&p.column));
            return None;
        }
        Some(LedgerLoan {
            row: self.row.number,
            loan_id,
            household,
            county: county?,
            township: township?,
            village,
            category: category?,
            bank,
            product: product?,
            amount: amount?,
            balance: balance?,
            disbursed: disbursed?,
            maturity: maturity?,
            repayment,
            rate_bp,
            days_overdue: days_overdue.unwrap_or(0),
            extensions: extensions.unwrap_or(0),
            renewed: renewed.unwrap_or(false),
            industry,
        })
    }
}

/// A county-level division code: six digits, the first two a province's
/// (11–82), the last two not `00` (which a prefecture's code ends in).
fn parse_code(t: &str) -> Option<u32> {
    let code: u32 = (t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())??;
    let province = code / 10_000;
    ((11..=82).contains(&province) && !code.is_multiple_of(100)).then_some(code)
}

fn parse_category(t: &str) -> Option<Category> {
    Some(match t {
        "脱贫户" | "脱贫人口" | "lifted" => Category::Lifted,
        "脱贫不稳定户" | "unstable" => Category::Unstable,
        "边缘易致贫户" | "edge" => Category::Edge,
        "突发严重困难户" | "sudden_hardship" => Category::SuddenHardship,
        _ => return None,
    })
}

fn parse_product(t: &str) -> Option<Product> {
    Some(match t {
        "首贷" | "首次贷款" | "脱贫人口小额信贷" | "first" => Product::First,
        "追贷" | "追加贷款" | "follow_up" => Product::FollowUp,
        "商业贷款" | "其他贷款" | "commercial" => Product::Commercial,
        _ => return None,
    })
}

/// `Some(None)` for an empty cell.
fn parse_repayment(t: &str) -> Option<Option<RepaymentMethod>> {
    Some(match t {
        "" => None,
        "按季付息到期还本" | "按季付息、到期还本" | "按月付息到期还本" | "到期一次还本" | "bullet" => {
            Some(RepaymentMethod::Bullet)
        }
        "等额本息" | "等额本金" | "分期还款" | "instalments" => {
            Some(RepaymentMethod::Instalments)
        }
        _ => return None,
    })
}

/// A rate in percent (`3.45` or `3.45%`) as basis points; `Some(None)`
/// for an empty cell.
fn parse_rate(t: &str) -> Option<Option<u32>> {
    if t.is_empty() {
        return Some(None);
    }
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let bp = whole.parse::<u32>().ok()? * 100 + format!("{frac:0<2}").parse::<u32>().ok()?;
    (bp <= 2_400).then_some(Some(bp))
}

fn parse_yes_no(t: &str) -> Option<bool> {
    match t {
        "" | "否" | "N" | "n" | "0" | "no" | "false" => Some(false),
        "是" | "Y" | "y" | "1" | "yes" | "true" => Some(true),
        _ => None,
    }
}

/// `Some(None)` for an empty cell.
fn parse_industry(t: &str) -> Option<Option<Industry>> {
    Some(Some(match t {
        "" => return Some(None),
        "肉牛" | "养牛" | "牛" => Industry::Cattle,
        "生猪" | "养猪" | "猪" => Industry::Pigs,
        "茶叶" | "茶" => Industry::Tea,
        "咖啡" => Industry::Coffee,
        "核桃" => Industry::Walnut,
        "烤烟" | "烟草" => Industry::Tobacco,
        "果蔬" | "水果" | "蔬菜" => Industry::FruitVeg,
        "务工" | "外出务工" => Industry::MigrantWages,
        "其他" | "加工" => Industry::Other,
        other => return Industry::from_key(other).map(Some),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "借款人姓名,身份证号码,县(区)代码,乡(镇),行政村,户类型,贷款银行,贷款产品,贷款金额（元）,贷款余额（元）,发放日期,到期日期,还款方式,执行利率,逾期天数,展期次数,是否续贷,产业类型";
    const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };
    const KEY: &[u8] = b"test key";

    /// A well-formed ID number with the check character it needs.
    fn id(stem17: &str) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = stem17.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        format!("{stem17}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    fn good_row(name: &str, stem: &str) -> String {
        format!(
            "{name},{},530621,龙头山镇,光明村,脱贫户,农村信用社,首贷,50000,50000,2023-03-15,2026-03-14,按季付息到期还本,3.45,0,0,否,肉牛",
            id(stem)
        )
    }

    fn ledger(rows: &[String]) -> Result<Ledger, LedgerError> {
        let text = format!("鲁甸县台账（2025年10月末）\n{HEADER}\n{}\n", rows.join("\n"));
        read_ledger(&Table::from_csv(&text).unwrap(), AS_OF, KEY)
    }

    fn problems(rows: &[String]) -> Vec<Problem> {
        match ledger(rows) {
            Err(LedgerError::Rows(p)) => p,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_good_row_becomes_a_loan_and_one_household_holds_two() {
        let a = good_row("张三", "53062119800101001");
        let b = good_row("张三", "53062119800101001").replace(",首贷,", ",追贷,");
        let c = good_row("李四", "53062119850202002");
        let l = ledger(&[a, b, c]).unwrap();
        assert_eq!(l.loans.len(), 3);
        let x = &l.loans[0];
        assert_eq!((x.row, x.county.clone(), x.township.as_str()), (3, CountyRef::Code(530621), "龙头山镇"));
        assert_eq!(
            (x.amount, x.balance, x.rate_bp, x.industry),
            (Fen(5_000_000), Fen(5_000_000), Some(345), Some(Industry::Cattle))
        );
        assert_eq!(l.loans[1].product, Product::FollowUp);
        assert_eq!(l.loans[0].household, l.loans[1].household);
        assert_ne!(l.loans[0].household, l.loans[2].household);
    }

    #[test]
    fn names_and_id_numbers_never_reach_a_message_or_a_loan() {
        let bad_id =
            good_row("王小明", "53062119800101001").replace(&id("53062119800101001"), "530621198001010019");
        let bad_money = good_row("王小明", "53062119800101001").replace(",50000,50000,", ",50000,abc,");
        let p = problems(&[bad_id, bad_money]);
        let all: String = p.iter().map(|x| format!("{x}\n")).collect::<String>() + &format!("{:?}", p);
        assert!(
            !all.contains("王小明")
                && !all.contains("530621198001010019")
                && !all.contains("5306211980010100"),
            "{all}"
        );
        assert!(all.contains("row 3, column 身份证号码: expected an 18-character resident ID number with a valid check character (the value is not shown: personal data)"), "{all}");
        let l = ledger(&[good_row("王小明", "53062119800101001")]).unwrap();
        assert!(!format!("{l:?}").contains("王小明"));
    }

    #[test]
    fn every_bad_row_is_reported_at_once_with_row_and_column() {
        let ok = |f: &dyn Fn(String) -> String| f(good_row("x", "53062119800101001"));
        let rows = vec![
            ok(&|r| r.replace("2023-03-15", "2023-02-30")), // 3: no such day
            ok(&|r| r.replace("2026-03-14", "2022-03-14")), // 4: maturity before disbursement
            ok(&|r| r.replace(",50000,50000,", ",50000,60000,")), // 5: balance above amount
            ok(&|r| r.replace(",脱贫户,", ",贫困户,")),     // 6: 户类型 outside the list
            ok(&|r| r.replace(",首贷,", ",消费贷,")),       // 7: unknown product
            ok(&|r| r.replace(",50000,50000,", ",-5,0,")),  // 8: negative money
            ok(&|r| r.replace(",3.45,0,0,", ",3.45,1200,0,")), // 9: overdue longer than the loan
            ok(&|r| r.replace("530621,", "53062,")),        // 10: county code
            ok(&|r| r.replace(",3.45,", ",34.5,")),         // 11: rate
            ok(&|r| r.replace(",0,否,", ",12,否,")),        // 12: extensions
            ok(&|r| r.replace(",否,肉牛", ",也许,肉牛")),   // 13: yes/no
            ok(&|r| r.replace("2026-03-14", "2025-03-14")), // 14: matured, balance, not overdue
            ok(&|r| r.replace("2023-03-15", "2025-12-01").replace("2026-03-14", "2028-12-01")), // 15: after the ledger date
        ];
        let p = problems(&rows);
        let got: Vec<(u32, &str)> = p.iter().map(|x| (x.row, x.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "发放日期"),
                (4, "到期日期"),
                (5, "贷款余额（元）"),
                (6, "户类型"),
                (7, "贷款产品"),
                (8, "贷款金额（元）"),
                (9, "逾期天数"),
                (10, "县(区)代码"),
                (11, "执行利率"),
                (12, "展期次数"),
                (13, "是否续贷"),
                (14, "逾期天数"),
                (15, "发放日期"),
            ]
        );
        assert_eq!(
            p[2].to_string(),
            "row 5, column 贷款余额（元）: expected a balance of at most the loan amount, found \"60000\""
        );
        assert_eq!(
            p[0].to_string(),
            "row 3, column 发放日期: expected a date such as 2024-02-29, found \"2023-02-30\""
        );
    }

    #[test]
    fn duplicate_loan_numbers_and_missing_columns_are_refused() {
        let text = format!(
            "贷款编号,{HEADER}\nL1,{}\nL1,{}\n",
            good_row("a", "53062119800101001"),
            good_row("b", "53062119850202002")
        );
        match read_ledger(&Table::from_csv(&text).unwrap(), AS_OF, KEY) {
            Err(LedgerError::Rows(p)) => assert_eq!(
                p[0].to_string(),
                "row 3, column 贷款编号: expected a loan number used once (also in row 2), found \"L1\""
            ),
            other => panic!("{other:?}"),
        }
        let text = "乡(镇),户类型,贷款产品,贷款金额,贷款余额,发放日期,到期日期\n";
        let e = read_ledger(&Table::from_csv(text).unwrap(), AS_OF, KEY).unwrap_err();
        assert_eq!(e.to_string(), "row 1: no column 县(区)代码 (also accepted: 县(区), county code, county)");
    }

    #[test]
    fn the_data_format_doc_names_every_column_and_quotes_real_messages() {
        let doc = include_str!("../../../docs/data-format.md");
        for spec in LEDGER_COLUMNS {
            for n in spec.names {
                assert!(doc.contains(&format!("`{n}`")), "docs/data-format.md does not name {n:?}");
            }
        }
        let bad = good_row("x", "53062119800101001").replace(",50000,50000,", ",50000,60000,");
        let id_bad =
            good_row("x", "53062119800101001").replace(&id("53062119800101001"), "530621198001010019");
        // Rows 3, 4 and 5, as in the doc's examples.
        let good = good_row("y", "53062119850202002");
        for p in problems(&[id_bad, good, bad]) {
            assert!(doc.contains(&p.to_string()), "docs/data-format.md does not quote {:?}", p.to_string());
        }
    }

    #[test]
    fn townships_are_checked_only_for_counties_whose_township_rows_the_county_file_has() {
        let ludian = good_row("a", "53062119800101001");
        let other_town = good_row("b", "53062119850202002").replace(",龙头山镇,", ",龙潭镇,");
        let qiaojia = good_row("c", "53062219900303003").replace(",530621,龙头山镇,", ",530622,任何镇,");
        let l = ledger(&[ludian, other_town, qiaojia]).unwrap();
        let counties = crate::read_counties(
            &Table::from_csv(
                "县(区)代码,县(区),乡(镇)\n530621,鲁甸县,\n530621,鲁甸县,龙头山镇\n530622,巧家县,\n",
            )
            .unwrap(),
        )
        .unwrap();
        let p = check_ledger_counties(&l, &counties);
        let got: Vec<(u32, &str, Option<&str>)> =
            p.iter().map(|x| (x.row, x.column.as_str(), x.value.as_deref())).collect();
        assert_eq!(got, [(4, "乡(镇)", Some("龙潭镇"))]);
        assert_eq!(check_ledger_counties(&l, &counties[..2]).len(), 1 + 1, "{p:?}");
    }

    #[test]
    fn id_numbers_are_checked_by_their_check_character() {
        assert!(id_number_is_well_formed("11010519491231002X"));
        assert!(!id_number_is_well_formed("110105194912310021"));
        assert!(!id_number_is_well_formed("11010519491231002"));
        assert_eq!(household_key(b"k", "11010519491231002x"), household_key(b"k", "11010519491231002X"));
        assert_ne!(household_key(b"k", "11010519491231002X"), household_key(b"other", "11010519491231002X"));
    }
}
