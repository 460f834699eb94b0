//! A table of text cells from a CSV file or an XLSX sheet, each row keeping
//! its number as a spreadsheet shows it (from 1, counting the title rows
//! and blank lines above).

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

/// One row of cells, trimmed of surrounding white space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row's number as a spreadsheet shows it (from 1).
    pub number: u32,
    /// The cells, left to right; a missing cell is empty.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `i` ("" past the end of a short row).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }

    /// Whether every cell is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }
}

/// The rows of a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Rows in file order, blank rows left out.
    pub rows: Vec<Row>,
}

/// Which sheet of a workbook to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetChoice<'a> {
    /// The first sheet.
    First,
    /// The sheet of this name.
    Named(&'a str),
}

/// Why a table could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("row {row}: {source}")]
    Csv {
        /// Row number as a spreadsheet shows it.
        row: u32,
        /// What the CSV reader found.
        #[source]
        source: csv::Error,
    },
    /// The bytes are not an XLSX workbook.
    #[error("not an XLSX workbook: {0}")]
    Xlsx(#[source] calamine::XlsxError),
    /// The workbook has no sheet of that name.
    #[error("no sheet named {name:?}; the workbook has {available}")]
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets it has, quoted and listed.
        available: String,
    },
    /// The workbook has no sheet at all.
    #[error("the workbook has no sheet")]
    NoSheet,
}

impl Table {
    /// Reads CSV text (comma-separated, double quotes, CRLF or LF). Rows
    /// may have different lengths.
    pub fn from_csv(text: &str) -> Result<Table, TableError> {
        let mut rows = Vec::new();
        csv_rows(text, |row| rows.push(row))?;
        Ok(Table { rows })
    }

    /// Reads a sheet of an XLSX workbook. Numbers keep the digits the
    /// workbook stores (an integer-valued number prints without `.0`);
    /// dates stored as dates print as `YYYY-MM-DD`.
    pub fn from_xlsx(bytes: &[u8], sheet: SheetChoice) -> Result<Table, TableError> {
        let mut rows = Vec::new();
        xlsx_rows(bytes, sheet, |row| rows.push(row))?;
        Ok(Table { rows })
    }
}

/// Hands each non-blank row of CSV text to `f`, in order: a reader that
/// keeps only what it needs of each row never holds the whole table.
pub(crate) fn csv_rows(text: &str, mut f: impl FnMut(Row)) -> Result<(), TableError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    // The line a record starts on, from its byte offset: the reader may
    // place a record's start on the line break that ends the one before.
    // Records come in order, so line breaks are counted once.
    let bytes = text.as_bytes();
    let (mut counted_to, mut breaks_before) = (0usize, 0u32);
    let mut line_at = |byte: u64| {
        let at = (byte as usize).min(bytes.len());
        if at >= counted_to {
            breaks_before += bytes[counted_to..at].iter().filter(|b| **b == b'\n').count() as u32;
            counted_to = at;
        }
        let leading =
            bytes[at..].iter().take_while(|b| **b == b'\r' || **b == b'\n').filter(|b| **b == b'\n').count();
        1 + breaks_before + leading as u32
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(source) => {
                let row = source.position().map_or(0, |p| line_at(p.byte()));
                return Err(TableError::Csv { row, source });
            }
        };
        let number = record.position().map_or(0, |p| line_at(p.byte()));
        let row = Row { number, cells: record.iter().map(|c| c.trim().to_string()).collect() };
        if !row.is_blank() {
            f(row);
        }
    }
    Ok(())
}

/// Hands each non-blank row of a workbook's sheet to `f`, in order. Cells
/// are read one by one (calamine's cell reader), so that a large sheet is
/// never held whole, neither as the workbook's cells nor as rows.
pub(crate) fn xlsx_rows(bytes: &[u8], sheet: SheetChoice, mut f: impl FnMut(Row)) -> Result<(), TableError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(TableError::Xlsx)?;
    let names = book.sheet_names();
    let name = match sheet {
        SheetChoice::First => names.first().cloned().ok_or(TableError::NoSheet)?,
        SheetChoice::Named(n) => {
            names.iter().find(|s| s.as_str() == n).cloned().ok_or_else(|| TableError::NoSuchSheet {
                name: n.to_string(),
                available: names.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "),
            })?
        }
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(TableError::Xlsx)?;
    let mut row = Row { number: 0, cells: Vec::new() };
    while let Some(cell) = cells.next_cell().map_err(TableError::Xlsx)? {
        let (r, c) = cell.get_position();
        if r + 1 != row.number {
            let done = std::mem::replace(&mut row, Row { number: r + 1, cells: Vec::new() });
            if !done.is_blank() {
                f(done);
            }
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let c = c as usize;
        if row.cells.len() <= c {
            row.cells.resize(c + 1, String::new());
        }
        row.cells[c] = text;
    }
    if !row.is_blank() {
        f(row);
    }
    Ok(())
}

/// A workbook cell as text.
fn cell_text(d: &DataRef) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => format!("{f}"),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => excel_date(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel date serial (days since 1899-12-30, the 1900 system) as
/// `YYYY-MM-DD`; the time of day is dropped.
fn excel_date(serial: f64) -> String {
    // Days from 1970-01-01, then the civil date (Hinnant's algorithm).
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_date_serials_are_calendar_dates() {
        assert_eq!(excel_date(25_569.0), "1970-01-01");
        assert_eq!(excel_date(44_197.0), "2021-01-01");
        assert_eq!(excel_date(45_351.75), "2024-02-29");
        assert_eq!(excel_date(61.0), "1900-03-01");
    }

    #[test]
    fn csv_rows_keep_their_spreadsheet_numbers_and_skip_blanks() {
        let t = Table::from_csv("台账\r\n\r\n县,乡,余额\r\n530621, 龙头山镇 ,\"50,000\"\r\n").unwrap();
        let numbers: Vec<u32> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 4]);
        assert_eq!(t.rows[2].cells, ["530621", "龙头山镇", "50,000"]);
        assert_eq!(t.rows[0].cell(5), "");
    }

    /// A workbook as a county office saves one: a title row, a blank row,
    /// the header, then rows with a number, an amount and a date.
    fn ledger_workbook() -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("台账").unwrap();
        sheet.write_string(0, 0, "鲁甸县脱贫人口小额信贷台账").unwrap();
        for (c, h) in ["县(区)代码", "贷款余额（万元）", "发放日期"].iter().enumerate() {
            sheet.write_string(2, c as u16, *h).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_number(3, 0, 530621.0).unwrap();
        sheet.write_number(3, 1, 4.5).unwrap();
        sheet.write_datetime_with_format(3, 2, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date).unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_sheet_reads_as_rows_with_their_numbers() {
        let bytes = ledger_workbook();
        for choice in [SheetChoice::First, SheetChoice::Named("台账")] {
            let t = Table::from_xlsx(&bytes, choice).unwrap();
            let numbers: Vec<u32> = t.rows.iter().map(|r| r.number).collect();
            assert_eq!(numbers, [1, 3, 4]);
            assert_eq!(t.rows[2].cells, ["530621", "4.5", "2024-02-29"]);
        }
        assert_eq!(
            Table::from_xlsx(&bytes, SheetChoice::Named("Sheet1")).unwrap_err().to_string(),
            "no sheet named \"Sheet1\"; the workbook has \"台账\""
        );
    }

    #[test]
    fn garbage_is_not_a_workbook() {
        assert!(matches!(Table::from_xlsx(b"not a zip", SheetChoice::First), Err(TableError::Xlsx(_))));
    }
}
