//! Real books in: a county data file and a bank's loan ledger (台账).
//!
//! A scenario names them under `[data]`; the loader (with the caller's
//! bytes: this crate does no I/O) reads them with `mcstress_import`, takes
//! the scenario's counties from them, and keeps the ledger's loans as the
//! starting book, row for row. Personal data never gets this far: the
//! ledger reader keeps no name and only a keyed hash of an ID number, and a
//! [`Problem`] never quotes an ID number.

use std::collections::{BTreeMap, HashMap, HashSet};

use mcstress_domain::{Category, Fen, Grade, Industry, Product, YearMonth};
use mcstress_households::{pick, weyl_position};
use mcstress_import::{
    CountiesError, CountyRecord, CountyRef, Date, DecodeError, HeaderError, Ledger, Problem, SheetChoice,
    Table, TableError,
};

use crate::model::Scenario;

/// The data files a scenario names (`[data]`), as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSources {
    /// The county data file.
    pub counties: Option<DataFile>,
    /// The loan ledger.
    pub ledger: Option<DataFile>,
    /// The ledger's date (default: the last day of the month before the
    /// start).
    pub as_of: Date,
}

/// One data file named by a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFile {
    /// The path as written in the scenario.
    pub path: String,
    /// The name of the scenario file that names it: a relative path is
    /// relative to that file's directory.
    pub relative_to: String,
    /// For a workbook: the sheet to read (default: the first).
    pub sheet: Option<String>,
}

/// The starting book read from a ledger: every loan, by county in scenario
/// order, with each county's townships.
#[derive(Clone, Debug, PartialEq)]
pub struct StartingBook {
    /// The ledger's name as the user gave it.
    pub source: String,
    /// The ledger's date.
    pub as_of: Date,
    /// Each county's townships, in scenario county order.
    pub townships: Vec<Vec<TownshipSeed>>,
    /// The loans outstanding, grouped by county in scenario order, each
    /// county's in ledger row order.
    pub loans: Vec<LoanSeed>,
    /// Rows with no principal outstanding (repaid loans the bank still
    /// lists): read and checked, but not on the book.
    pub repaid_rows: u32,
}

/// Links each follow-up loan (追贷) to the first loan its household holds
/// on the ledger, in ledger order: a household's first follow-up to its
/// first first loan, and so on (a household with two of one product and
/// one of the other pairs once).
fn pair_first_and_follow_up_loans(loans: &mut [LoanSeed], holders: &[Option<[u8; 16]>]) {
    let mut open: HashMap<[u8; 16], (Vec<u32>, Vec<u32>)> = HashMap::new();
    for (k, (l, h)) in loans.iter().zip(holders).enumerate() {
        if let Some(h) = h {
            let (firsts, follow_ups) = open.entry(*h).or_default();
            match l.product {
                Product::First => firsts.push(k as u32),
                Product::FollowUp => follow_ups.push(k as u32),
                Product::Commercial => {}
            }
        }
    }
    for (firsts, follow_ups) in open.values() {
        for (first, follow_up) in firsts.iter().zip(follow_ups) {
            loans[*follow_up as usize].beside = Some(*first);
        }
    }
}

/// A township of a starting book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TownshipSeed {
    /// Its name as written.
    pub name: String,
    /// Eligible households (from the county file's township row, else the
    /// county's apportioned by borrowing households).
    pub eligible_households: u32,
    /// Households with a loan on the ledger (distinct ID hashes; a loan
    /// without an ID number counts as a household of its own).
    pub households: u32,
}

/// One loan of a starting book, as the ledger states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanSeed {
    /// The ledger row it comes from (for messages; never output).
    pub row: u32,
    /// Index of its county in the scenario.
    pub county: usize,
    /// Index of its township within the county.
    pub township: u32,
    /// The household's category (户类型).
    pub category: Category,
    /// Risk grade: not in a ledger; assigned by the portfolio's grade mix,
    /// evenly spread over the county's loans.
    pub grade: Grade,
    /// The household's industry (产业类型), else assigned by the county's
    /// industry mix.
    pub industry: Industry,
    /// Product.
    pub product: Product,
    /// Principal outstanding.
    pub principal: Fen,
    /// Amount disbursed.
    pub amount: Fen,
    /// Month of disbursement, relative to the first simulated month (−1 =
    /// the month before it).
    pub start: i16,
    /// Month of maturity, same origin.
    pub maturity: i16,
    /// Contract rate, basis points.
    pub rate_bp: u16,
    /// Whole months overdue at the ledger date: ⌈days ÷ 30⌉ (1–30 days = 1).
    pub overdue_months: u8,
    /// Extensions granted.
    pub extensions: u8,
    /// Whether the loan is a renewal.
    pub renewed: bool,
    /// For a follow-up loan (追贷) of a household that also holds a first
    /// loan on the ledger: the first loan's index among its county's loans
    /// (the two are held side by side, 5+5). Matched by the hashed ID
    /// number; none for a loan without one.
    pub beside: Option<u32>,
}

/// Why a data file cannot be used: the file and every problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read (as the caller's resolver says).
    #[error("{file}: cannot read {what}: {source}")]
    Read {
        /// The file, as the user named it.
        file: String,
        /// "county data file" or "ledger".
        what: &'static str,
        /// Why.
        #[source]
        source: crate::ResolveError,
    },
    /// Not text in a known encoding.
    #[error("{file}: {source}")]
    Decode {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// Not a table (broken CSV, not a workbook, no such sheet).
    #[error("{file}: {source}")]
    Table {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: TableError,
    },
    /// The header row is missing or wrong.
    #[error("{file}: {source}")]
    Header {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: HeaderError,
    },
    /// Rows with problems, every one of them.
    #[error("{file}: {} problem{} (first: {})", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .problems[0])]
    Rows {
        /// The file.
        file: String,
        /// Every problem, in row order.
        problems: Vec<Problem>,
    },
}

impl DataError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            DataError::Read { file, .. }
            | DataError::Decode { file, .. }
            | DataError::Table { file, .. }
            | DataError::Header { file, .. }
            | DataError::Rows { file, .. } => file,
        }
    }

    /// The row problems, if the error is about rows.
    pub fn problems(&self) -> &[Problem] {
        match self {
            DataError::Rows { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// Reads a table from a file's bytes: an XLSX workbook (by its signature)
/// or CSV text in UTF-8 (with or without BOM) or GBK/GB18030.
pub fn read_table(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table, DataError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        let choice = sheet.map_or(SheetChoice::First, SheetChoice::Named);
        Table::from_xlsx(bytes, choice)
    } else {
        let decoded = mcstress_import::decode(bytes)
            .map_err(|source| DataError::Decode { file: file.into(), source })?;
        Table::from_csv(&decoded.text)
    };
    table.map_err(|source| DataError::Table { file: file.into(), source })
}

/// Reads a county data file.
pub fn read_county_file(file: &str, table: &Table) -> Result<Vec<CountyRecord>, DataError> {
    mcstress_import::read_counties(table).map_err(|e| match e {
        CountiesError::Header(source) => DataError::Header { file: file.into(), source },
        CountiesError::Rows(problems) => DataError::Rows { file: file.into(), problems },
        other => DataError::Rows {
            file: file.into(),
            problems: vec![Problem {
                row: 0,
                column: String::new(),
                value: None,
                expected: other.to_string(),
            }],
        },
    })
}

/// Reads a ledger from its bytes (CSV or XLSX, row by row, so that the
/// file's cells are never all in memory at once); ID numbers are hashed
/// with `key` (secret to the run). Every problem of the file — its
/// encoding, its header, its rows — is a row problem for the report.
pub fn read_ledger_file(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    as_of: Date,
    key: &[u8],
) -> Result<Ledger, DataError> {
    let choice = sheet.map_or(SheetChoice::First, SheetChoice::Named);
    mcstress_import::read_ledger_bytes(bytes, choice, as_of, key)
        .map_err(|e| DataError::Rows { file: file.into(), problems: e.problems() })
}

/// The six-digit code of a ledger loan's county, resolving a name against
/// the counties known (`names`: Chinese name → code).
fn code_of(r: &CountyRef, names: &HashMap<&str, u32>) -> Option<u32> {
    match r {
        CountyRef::Code(c) => Some(*c),
        CountyRef::Name(n) => names.get(n.trim()).copied(),
    }
}

/// The column a loan's county was read from, as the ledger writes its
/// header, and the value.
fn county_cell(ledger: &Ledger, county: &CountyRef) -> (String, String) {
    match county {
        CountyRef::Code(c) => (ledger.column("county_code").to_string(), format!("{c:06}")),
        CountyRef::Name(n) => (ledger.column("county").to_string(), n.clone()),
    }
}

/// What a ledger says per county, for choosing and sizing the counties:
/// code → (first row, loans on the book, households).
pub(crate) struct LedgerCounts {
    pub by_code: BTreeMap<u32, (u32, u32, u32)>,
    /// The ledger's county column as written (the code's, else the name's).
    pub county_column: String,
}

/// Resolves every loan's county against the counties `known` (code, name);
/// an unknown county is a problem at its row.
pub(crate) fn ledger_counts(
    ledger: &Ledger,
    known: &[(u32, String)],
    file: &str,
) -> Result<LedgerCounts, DataError> {
    let names: HashMap<&str, u32> = known.iter().map(|(c, n)| (n.as_str(), *c)).collect();
    let codes: HashSet<u32> = known.iter().map(|(c, _)| *c).collect();
    let mut by_code: BTreeMap<u32, (u32, u32, u32)> = BTreeMap::new();
    let mut households: HashMap<u32, HashSet<[u8; 16]>> = HashMap::new();
    let mut problems = Vec::new();
    for l in &ledger.loans {
        let code = code_of(&l.county, &names).filter(|c| codes.contains(c));
        let Some(code) = code else {
            let (column, value) = county_cell(ledger, &l.county);
            problems.push(Problem {
                row: l.row,
                column,
                value: Some(value),
                expected: "a county of the scenario (or of its county data file)".into(),
            });
            continue;
        };
        let e = by_code.entry(code).or_insert((l.row, 0, 0));
        if l.balance.is_positive() {
            e.1 += 1;
            match l.household {
                Some(h) => {
                    if households.entry(code).or_default().insert(h) {
                        e.2 += 1;
                    }
                }
                None => e.2 += 1,
            }
        }
    }
    let county_column = match ledger.column("county_code") {
        "" => ledger.column("county"),
        written => written,
    }
    .to_string();
    if problems.is_empty() {
        Ok(LedgerCounts { by_code, county_column })
    } else {
        Err(DataError::Rows { file: file.into(), problems })
    }
}

/// Months from the first simulated month `start` to the month of `d`.
fn month_offset(start: YearMonth, d: Date) -> i32 {
    start.months_until(YearMonth { year: d.year, month: d.month })
}

// Steps of the Weyl sequences that spread grades and industries over a
// county's ledger loans (fractional parts of √17 and √19).
const ALPHA_GRADE: f64 = 0.123_105_625_617_660_5;
const ALPHA_INDUSTRY: f64 = 0.358_898_943_540_673_5;

/// Builds the starting book of `scenario` (whose counties already come
/// from the data) from `ledger`, with township rows of the county file
/// (`records`) where it has them.
pub fn starting_book(
    scenario: &Scenario,
    ledger: &Ledger,
    records: &[CountyRecord],
    file: &str,
    as_of: Date,
) -> Result<StartingBook, DataError> {
    let index: HashMap<u32, usize> =
        scenario.counties.iter().enumerate().map(|(i, c)| (c.code.0, i)).collect();
    let names: HashMap<&str, u32> = scenario.counties.iter().map(|c| (c.name.as_str(), c.code.0)).collect();
    let n_c = scenario.counties.len();
    // Townships the county file lists, per county, with their eligible
    // households where given.
    let mut listed: Vec<Vec<(String, Option<u32>)>> = vec![Vec::new(); n_c];
    for r in records {
        if let (Some(t), Some(&c)) = (&r.township, index.get(&r.code)) {
            listed[c].push((t.trim().to_string(), r.eligible_households()));
        }
    }
    // Townships per county: the listed ones in file order, else the
    // ledger's in name order (so that row order does not matter).
    let mut names_by_county: Vec<Vec<String>> =
        listed.iter().map(|l| l.iter().map(|t| t.0.clone()).collect()).collect();
    for l in &ledger.loans {
        let Some(&c) = code_of(&l.county, &names).and_then(|code| index.get(&code)) else { continue };
        if listed[c].is_empty() && !names_by_county[c].iter().any(|t| *t == l.township.trim()) {
            names_by_county[c].push(l.township.trim().to_string());
        }
    }
    for (c, t) in names_by_county.iter_mut().enumerate() {
        if listed[c].is_empty() {
            t.sort();
        }
    }
    let tw_index: Vec<HashMap<&str, u32>> = names_by_county
        .iter()
        .map(|v| v.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect())
        .collect();

    let mut problems = Vec::new();
    let mut per_county: Vec<Vec<LoanSeed>> = vec![Vec::new(); n_c];
    // Each loan's household (hashed ID number), to pair a household's
    // first and follow-up loans once every row is read.
    let mut holders: Vec<Vec<Option<[u8; 16]>>> = vec![Vec::new(); n_c];
    let mut households: Vec<Vec<HashSet<[u8; 16]>>> =
        names_by_county.iter().map(|v| vec![HashSet::new(); v.len()]).collect();
    let mut anonymous: Vec<Vec<u32>> = names_by_county.iter().map(|v| vec![0; v.len()]).collect();
    let mut repaid_rows = 0u32;
    let grade_mix = &scenario.portfolio.mix.grade;
    let default_rate = scenario.portfolio.rate.basis_points();
    for l in &ledger.loans {
        let Some(&c) = code_of(&l.county, &names).and_then(|code| index.get(&code)) else {
            let (column, value) = county_cell(ledger, &l.county);
            let list =
                scenario.counties.iter().take(5).map(|c| format!("{:06}", c.code.0)).collect::<Vec<_>>();
            problems.push(Problem {
                row: l.row,
                column,
                value: Some(value),
                expected: format!(
                    "a county of the scenario ({}{})",
                    list.join(", "),
                    if n_c > 5 { ", …" } else { "" }
                ),
            });
            continue;
        };
        let Some(&t) = tw_index[c].get(l.township.trim()) else {
            let list = names_by_county[c].iter().take(8).cloned().collect::<Vec<_>>().join(", ");
            problems.push(Problem {
                row: l.row,
                column: ledger.column("township").to_string(),
                value: Some(l.township.clone()),
                expected: format!(
                    "a township of {} listed in the county data file ({list}{})",
                    scenario.counties[c].name,
                    if names_by_county[c].len() > 8 { ", …" } else { "" }
                ),
            });
            continue;
        };
        if !l.balance.is_positive() {
            repaid_rows += 1;
            continue;
        }
        let (start, maturity) =
            (month_offset(scenario.start, l.disbursed), month_offset(scenario.start, l.maturity));
        if !(i16::MIN as i32 / 2..=i16::MAX as i32 / 2).contains(&start)
            || !(i16::MIN as i32 / 2..=i16::MAX as i32 / 2).contains(&maturity)
        {
            problems.push(Problem {
                row: l.row,
                column: ledger.column("maturity").to_string(),
                value: Some(l.maturity.to_string()),
                expected: "a date within a thousand years of the ledger date".into(),
            });
            continue;
        }
        match l.household {
            Some(h) => {
                households[c][t as usize].insert(h);
            }
            None => anonymous[c][t as usize] += 1,
        }
        let k = per_county[c].len() as u64;
        let industry = l.industry.unwrap_or_else(|| {
            Industry::ALL[pick(weyl_position(k, ALPHA_INDUSTRY), &scenario.counties[c].profile.industry_mix)]
        });
        per_county[c].push(LoanSeed {
            row: l.row,
            county: c,
            township: t,
            category: l.category,
            grade: Grade::ALL[pick(weyl_position(k, ALPHA_GRADE), grade_mix)],
            industry,
            product: l.product,
            principal: l.balance,
            amount: l.amount,
            start: start as i16,
            maturity: maturity as i16,
            rate_bp: l.rate_bp.map_or(default_rate as u16, |r| r.min(u16::MAX as u32) as u16),
            overdue_months: l.days_overdue.div_ceil(30).min(u8::MAX as u32) as u8,
            extensions: l.extensions,
            renewed: l.renewed,
            beside: None,
        });
        holders[c].push(l.household);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(DataError::Rows { file: file.into(), problems });
    }
    let mut townships = Vec::with_capacity(n_c);
    for c in 0..n_c {
        let hh: Vec<u32> =
            (0..names_by_county[c].len()).map(|t| households[c][t].len() as u32 + anonymous[c][t]).collect();
        let borrowing: u64 = hh.iter().map(|h| *h as u64).sum();
        let county_eligible = scenario.counties[c].profile.eligible_households as u64;
        // Eligible households without a loan, spread over the townships
        // in proportion to their borrowing households (evenly if none).
        let spare = county_eligible.saturating_sub(borrowing);
        let weights: Vec<f64> =
            if borrowing > 0 { hh.iter().map(|h| *h as f64).collect() } else { vec![1.0; hh.len()] };
        let extra = mcstress_households::apportion(spare, &weights);
        townships.push(
            names_by_county[c]
                .iter()
                .enumerate()
                .map(|(t, name)| {
                    let given = listed[c].get(t).and_then(|x| x.1);
                    TownshipSeed {
                        name: name.clone(),
                        eligible_households: given.unwrap_or((hh[t] as u64 + extra[t]) as u32).max(hh[t]),
                        households: hh[t],
                    }
                })
                .collect(),
        );
    }
    Ok(StartingBook {
        source: file.to_string(),
        as_of,
        townships,
        loans: {
            for (loans, holders) in per_county.iter_mut().zip(&holders) {
                pair_first_and_follow_up_loans(loans, holders);
            }
            per_county.into_iter().flatten().collect()
        },
        repaid_rows,
    })
}

/// Money in yuan as a TOML string value, exact to the fen.
pub(crate) fn yuan_text(f: Fen) -> String {
    f.to_yuan_decimal().normalize().to_string()
}

/// Months overdue a loan of each overdue bucket (1–30, 31–90, 91–180, 181+
/// days) is given when a book is built from a county file's counts: the
/// bucket's first month ⌈days ÷ 30⌉ (1, 2, 4, 7).
pub const BUCKET_MONTHS: [u8; 4] = [1, 2, 4, 7];

/// Whether a county row gives any of the book's aggregates.
fn has_book(r: &CountyRecord) -> bool {
    r.loans.iter().any(Option::is_some)
        || r.balance.iter().any(Option::is_some)
        || r.overdue_loans.iter().any(Option::is_some)
        || r.overdue_principal.iter().any(Option::is_some)
}

/// The starting book a county data file describes by its aggregates —
/// loans and balance by product, overdue loans and principal by bucket,
/// balance maturing by month or quarter, per county or per township — or
/// `None` when no row gives any (the scenario's synthetic book serves).
///
/// The book reproduces the aggregates exactly: each township's (else each
/// county's, spread over its townships by eligible households) loan counts
/// and balances by product, and overdue counts and principal by bucket, so
/// that the month-0 overdue rates are the file's. What the file does not
/// give is drawn evenly from the scenario's mixes: each loan's size within
/// its group (the amount mix's proportions, scaled to the group's
/// balance), category, grade and industry, and its maturity (the county's
/// maturing balances where given, else the age mix of the portfolio). A
/// county row without aggregates gets the synthetic book of its profile.
pub fn book_from_aggregates(
    scenario: &Scenario,
    records: &[CountyRecord],
    file: &str,
    as_of: Date,
) -> Result<Option<StartingBook>, DataError> {
    if !records.iter().any(has_book) {
        return Ok(None);
    }
    let s = scenario;
    let mix = &s.portfolio.mix;
    let mean_amount = {
        let total: f64 = mix.amounts.iter().map(|a| a.1).sum();
        let m: f64 =
            mix.amounts.iter().map(|a| a.0.0 as f64 * a.1).sum::<f64>() / total.max(f64::MIN_POSITIVE);
        Fen(m.round() as i64)
    };
    let amount_weights: Vec<f64> = mix.amounts.iter().map(|a| a.1).collect();
    let mut problems = Vec::new();
    let mut townships = Vec::with_capacity(s.counties.len());
    let mut loans = Vec::new();
    for (c, county) in s.counties.iter().enumerate() {
        let Some(row) = records.iter().find(|r| r.code == county.code.0 && r.township.is_none()) else {
            townships.push(Vec::new());
            continue;
        };
        let towns: Vec<&CountyRecord> =
            records.iter().filter(|r| r.code == county.code.0 && r.township.is_some()).collect();
        let names: Vec<String> = if towns.is_empty() {
            (0..county.profile.townships.max(1))
                .map(|k| format!("{:06}-{:02}", county.code.0, k + 1))
                .collect()
        } else {
            towns.iter().map(|t| t.township.clone().unwrap_or_default().trim().to_string()).collect()
        };
        let n_t = names.len();
        // Eligible households per township: the township rows', else the
        // county's spread evenly.
        let eligible: Vec<u64> =
            if !towns.is_empty() && towns.iter().all(|t| t.eligible_households().is_some()) {
                towns.iter().map(|t| u64::from(t.eligible_households().unwrap_or(0))).collect()
            } else {
                mcstress_households::apportion(county.profile.eligible_households as u64, &vec![1.0; n_t])
            };
        // The aggregates per township: the township rows' where they give
        // them, else the county row's spread by eligible households.
        let per_town = !towns.is_empty() && towns.iter().any(|t| has_book(t));
        // The groups whose aggregates the book reproduces: each township
        // row, else the county as a whole, its loans placed in its
        // townships in proportion to their eligible households.
        let units: Vec<(Aggregates, Option<u32>, &CountyRecord)> = if per_town {
            towns
                .iter()
                .enumerate()
                .map(|(t, r)| (Aggregates::of(r, mean_amount), Some(t as u32), *r))
                .collect()
        } else if has_book(row) {
            vec![(Aggregates::of(row, mean_amount), None, row)]
        } else {
            // A data-poor county: its profile's loans, of the portfolio's mixes.
            let poor = CountyRecord { loans: [Some(county.profile.loans), None, None], ..row.clone() };
            vec![(Aggregates::of(&poor, mean_amount), None, row)]
        };
        let town_weights: Vec<f64> = if eligible.iter().any(|e| *e > 0) {
            eligible.iter().map(|e| *e as f64).collect()
        } else {
            vec![1.0; n_t]
        };
        // Maturity months (offsets from the start) weighted by balance.
        let maturing: Vec<(i32, f64)> = row
            .maturing
            .iter()
            .flat_map(|(p, f)| {
                let months: Vec<YearMonth> = match *p {
                    mcstress_import::Period::Month(y, m) => vec![YearMonth { year: y, month: m }],
                    mcstress_import::Period::Quarter(y, q) => {
                        (0..3).map(|k| YearMonth { year: y, month: (q - 1) * 3 + 1 + k }).collect()
                    }
                };
                let share = f.0 as f64 / months.len().max(1) as f64;
                months.into_iter().map(move |ym| (s.start.months_until(ym), share))
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();
        if let Some((m, _)) = maturing.iter().find(|(m, _)| *m < 0) {
            problems.push(Problem {
                row: row.row,
                column: String::new(),
                value: Some(format!("a balance maturing in {}", s.start.plus(*m))),
                expected: format!("balances maturing from {} on (the first simulated month)", s.start),
            });
            townships.push(Vec::new());
            continue;
        }
        let first = loans.len();
        for (u, township, unit_row) in &units {
            let at = loans.len();
            let made = u
                .loans(s, c, *township, &town_weights, &amount_weights, &maturing, &mut loans)
                .and_then(|()| pair_aggregated(&mut loans[first..], at - first, u.two_loan_households));
            if let Err((expected, found)) = made {
                problems.push(Problem {
                    row: unit_row.row,
                    column: String::new(),
                    value: Some(found),
                    expected,
                });
                loans.truncate(at);
            }
        }
        // A household with two loans side by side counts once.
        let mut households = vec![0u32; n_t];
        for l in loans[first..].iter().filter(|l| l.beside.is_none()) {
            households[l.township as usize] += 1;
        }
        let town_seeds: Vec<TownshipSeed> = names
            .iter()
            .enumerate()
            .map(|(t, name)| TownshipSeed {
                name: name.clone(),
                eligible_households: (eligible.get(t).copied().unwrap_or(0) as u32).max(households[t]),
                households: households[t],
            })
            .collect();
        townships.push(town_seeds);
    }
    if !problems.is_empty() {
        return Err(DataError::Rows { file: file.into(), problems });
    }
    Ok(Some(StartingBook { source: file.to_string(), as_of, townships, loans, repaid_rows: 0 }))
}

/// Pairs `n` follow-up loans of a group with `n` of its first loans: the
/// group's loans are `loans[at..]`, indices counted from the county's first
/// loan (`loans[0]`). A follow-up loan moves to its first loan's township
/// (one household lives in one township).
fn pair_aggregated(loans: &mut [LoanSeed], at: usize, n: u64) -> Result<(), (String, String)> {
    if n == 0 {
        return Ok(());
    }
    let of = |p: Product, loans: &[LoanSeed]| -> Vec<usize> {
        (at..loans.len()).filter(|k| loans[*k].product == p).collect()
    };
    let (firsts, follow_ups) = (of(Product::First, loans), of(Product::FollowUp, loans));
    let most = firsts.len().min(follow_ups.len()) as u64;
    if n > most {
        return Err((
            format!(
                "at most as many households with a first and a follow-up loan as the fewer of the two ({most})"
            ),
            format!("首贷追贷并存户数 {n}"),
        ));
    }
    for (first, follow_up) in firsts.iter().zip(&follow_ups).take(n as usize) {
        loans[*follow_up].beside = Some(*first as u32);
        loans[*follow_up].township = loans[*first].township;
    }
    Ok(())
}

/// A group's book aggregates, as a county file states them: loans and
/// balance (fen) by product, overdue loans and principal (fen) by bucket
/// (1–30, 31–90, 91–180, 181+ days).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aggregates {
    /// Loans by product.
    pub loans: [u64; 3],
    /// Balance by product, fen.
    pub balance: [i64; 3],
    /// Overdue loans by bucket.
    pub overdue_loans: [u64; 4],
    /// Overdue principal by bucket, fen.
    pub overdue_principal: [i64; 4],
    /// Households holding a first and a follow-up loan side by side.
    pub two_loan_households: u64,
}

impl Aggregates {
    /// Adds a loan of `product` with `principal` (fen), `overdue_months`
    /// whole months overdue (0: current).
    pub fn add(&mut self, product: Product, principal: i64, overdue_months: u8) {
        let p = product as usize;
        self.loans[p] += 1;
        self.balance[p] += principal;
        if overdue_months > 0 {
            let b = BUCKET_MONTHS.iter().rposition(|m| overdue_months >= *m).unwrap_or(0);
            self.overdue_loans[b] += 1;
            self.overdue_principal[b] += principal;
        }
    }

    /// A row's aggregates; a count without a balance (or the reverse)
    /// takes the portfolio's mean loan for the other.
    fn of(r: &CountyRecord, mean: Fen) -> Aggregates {
        let mut a = Aggregates::default();
        let per = |n: Option<u32>, b: Option<Fen>| -> (u64, i64) {
            match (n, b) {
                (Some(n), Some(b)) => (n as u64, b.0),
                (Some(n), None) => (n as u64, n as i64 * mean.0),
                (None, Some(b)) => ((b.0 as f64 / mean.0.max(1) as f64).ceil() as u64, b.0),
                (None, None) => (0, 0),
            }
        };
        for p in 0..3 {
            (a.loans[p], a.balance[p]) = per(r.loans[p], r.balance[p]);
        }
        for b in 0..4 {
            (a.overdue_loans[b], a.overdue_principal[b]) = per(r.overdue_loans[b], r.overdue_principal[b]);
        }
        a.two_loan_households = r.two_loan_households.map_or(0, u64::from);
        a
    }

    /// The loans of the group, appended to `out`: overdue loans first
    /// (oldest bucket first, each bucket's principal split exactly), taken
    /// from first loans, then follow-up, then commercial loans; then each
    /// product's current loans, sharing what is left of its balance.
    #[allow(clippy::too_many_arguments)]
    fn loans(
        &self,
        s: &Scenario,
        county: usize,
        township: Option<u32>,
        town_weights: &[f64],
        amount_weights: &[f64],
        maturing: &[(i32, f64)],
        out: &mut Vec<LoanSeed>,
    ) -> Result<(), (String, String)> {
        let total_loans: u64 = self.loans.iter().sum();
        let overdue: u64 = self.overdue_loans.iter().sum();
        if overdue > total_loans {
            return Err((
                "at most as many overdue loans as loans".into(),
                format!("{overdue} overdue loans of {total_loans} loans"),
            ));
        }
        let (balance, overdue_principal): (i64, i64) =
            (self.balance.iter().sum(), self.overdue_principal.iter().sum());
        if overdue_principal + (total_loans - overdue) as i64 > balance {
            return Err((
                "a balance that covers the overdue principal and at least a fen for each current loan".into(),
                format!("{} yuan overdue of a balance of {} yuan", Fen(overdue_principal), Fen(balance)),
            ));
        }
        let mix = &s.portfolio.mix;
        let county_mix = &s.counties[county].profile.industry_mix;
        let months: Vec<f64> = maturing.iter().map(|m| m.1).collect();
        let base = out.len() as u64 + ((county as u64) << 40) + (u64::from(township.unwrap_or(0)) << 24);
        // (product, bucket or None, principal) of every loan.
        let mut plan: Vec<(usize, Option<usize>, i64)> = Vec::with_capacity(total_loans as usize);
        let mut product_left = self.loans;
        let mut balance_left = self.balance;
        for b in (0..4).rev() {
            let n = self.overdue_loans[b];
            if n == 0 {
                continue;
            }
            let w: Vec<f64> = (0..n)
                .map(|k| amount_weights[pick(weyl_position(base + k, ALPHA_AMOUNT), amount_weights)])
                .collect();
            let amounts = weighted_split(self.overdue_principal[b], &w);
            for a in amounts {
                // The product with the most balance left per loan left.
                let p = (0..3)
                    .filter(|p| product_left[*p] > 0)
                    .max_by(|x, y| {
                        let per = |p: usize| balance_left[p] as f64 / product_left[p] as f64;
                        per(*x).total_cmp(&per(*y)).then(y.cmp(x))
                    })
                    .unwrap_or(0);
                product_left[p] = product_left[p].saturating_sub(1);
                balance_left[p] -= a;
                plan.push((p, Some(b), a));
            }
        }
        for p in 0..3 {
            let n = product_left[p];
            if n == 0 {
                continue;
            }
            if balance_left[p] < n as i64 {
                return Err((
                    format!(
                        "a balance of {} loans that covers their overdue principal and a fen a loan",
                        Product::ALL[p].key()
                    ),
                    format!("{} yuan for {n} current loans", Fen(balance_left[p].max(0))),
                ));
            }
            let w: Vec<f64> = (0..n)
                .map(|k| {
                    amount_weights
                        [pick(weyl_position(base + 7_919 * (p as u64 + 1) + k, ALPHA_AMOUNT), amount_weights)]
                })
                .collect();
            for a in weighted_split(balance_left[p], &w) {
                plan.push((p, None, a));
            }
        }
        for (k, (p, bucket, principal)) in plan.into_iter().enumerate() {
            let k = base + k as u64;
            let product = Product::ALL[p];
            let term = match product {
                Product::First => s.portfolio.term_months,
                Product::FollowUp => s.rules.ladder.follow_up_term_months,
                Product::Commercial => s.rules.ladder.commercial_term_months,
            } as i32;
            let maturity = if months.is_empty() {
                let age = pick(weyl_position(k, ALPHA_AGE), &mix.age_weights) as i32;
                -age - 1 + term
            } else {
                maturing[pick(weyl_position(k, ALPHA_AGE), &months)].0
            };
            let rate = if product == Product::Commercial {
                s.rules.ladder.commercial_rate
            } else {
                s.portfolio.rate
            };
            let township =
                township.unwrap_or_else(|| pick(weyl_position(k, ALPHA_TOWNSHIP), town_weights) as u32);
            out.push(LoanSeed {
                row: 0,
                county,
                township,
                category: Category::ALL[pick(weyl_position(k, ALPHA_CATEGORY), &mix.category)],
                grade: Grade::ALL[pick(weyl_position(k, ALPHA_GRADE), &mix.grade)],
                industry: Industry::ALL[pick(weyl_position(k, ALPHA_INDUSTRY), county_mix)],
                product,
                principal: Fen(principal),
                amount: Fen(principal),
                start: (maturity - term) as i16,
                maturity: maturity as i16,
                rate_bp: rate.basis_points() as u16,
                overdue_months: bucket.map_or(0, |b| BUCKET_MONTHS[b]),
                extensions: 0,
                renewed: false,
                // Aggregates do not say which households hold two loans.
                beside: None,
            });
        }
        Ok(())
    }
}

// Further Weyl steps (√23, √29, √31).
const ALPHA_AMOUNT: f64 = 0.795_831_523_312_719_6;
const ALPHA_AGE: f64 = 0.385_164_807_134_504;
const ALPHA_CATEGORY: f64 = 0.567_764_362_830_021_9;
// √37.
const ALPHA_TOWNSHIP: f64 = 0.082_762_530_298_219_7;

/// `total` fen split in proportion to `weights`, exactly (largest
/// remainder), each part at least a fen when the total allows.
fn weighted_split(total: i64, weights: &[f64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total = total.max(0) as u64;
    let n = weights.len() as u64;
    if total < n {
        return mcstress_households::apportion(total, &vec![1.0; weights.len()])
            .into_iter()
            .map(|x| x as i64)
            .collect();
    }
    // One fen each first, so that no loan is empty; the rest by weight.
    mcstress_households::apportion(total - n, weights).into_iter().map(|x| x as i64 + 1).collect()
}
