//! Reading the tables users hand mcstress — a county data file, a bank's
//! loan ledger (台账) — as banks and county offices export them: CSV in
//! UTF-8 (with or without a byte-order mark) or GBK/GB18030, or XLSX, with
//! a title row above the header, Chinese or English headers, and units
//! declared in the header (`贷款余额（万元）`).
//!
//! Pure functions of bytes: the caller reads the file. Every problem names
//! the row as a spreadsheet shows it and the column header as written in
//! the file.
//!
//! Main items: [`decode`] (text encodings), [`Table`] (rows from CSV or
//! XLSX), [`Header`] and [`Unit`] (a header's name and unit),
//! [`HeaderRow`] (where the header is and which known column is where),
//! [`parse_money`] (a cell in a unit, to the fen exactly), [`read_ledger`]
//! and [`read_ledger_bytes`] (a bank's loan ledger, every problem at once,
//! no personal data kept; [`LedgerError::problems`] lists them),
//! [`read_counties`] (the county data file), [`check_ledger_counties`] (a
//! ledger's counties and townships against the county file), and
//! [`generate_loans`] (a synthetic ledger to try things on, written by the
//! `make-ledger` example).

mod counties;
mod date;
mod header;
mod ledger;
mod money;
mod synthetic;
mod table;
mod text;

pub use counties::{COUNTY_COLUMNS, CountiesError, CountyRecord, Period, read_counties};
pub use date::Date;
pub use header::{ColumnSpec, Header, HeaderError, HeaderRow, Unit};
pub use ledger::{
    CountyRef, LEDGER_COLUMNS, Ledger, LedgerError, LedgerLoan, Problem, RepaymentMethod,
    check_ledger_counties, household_key, id_number_is_well_formed, read_ledger, read_ledger_bytes,
};
pub use money::{CellError, parse_money};
pub use synthetic::{
    LedgerOptions, Plant, SYNTHETIC_HEADER, SyntheticCounty, SyntheticLoan, TARGET_OVERDUE_SHARE,
    generate_loans, synthetic_county_file, synthetic_county_header, synthetic_csv, synthetic_ledger,
    yunnan_counties,
};
pub use table::{Row, SheetChoice, Table, TableError};
pub use text::{DecodeError, Decoded, SourceEncoding, decode};
