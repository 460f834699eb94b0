//! Writing a table as an XLSX workbook the way a bank's system exports
//! one: a title row merged across the columns, the header, then the rows —
//! amounts and counts as numbers, dates as date cells, ID and loan numbers
//! as text (a number would lose their digits). Shared by the
//! `make-ledger` example and the import crate's tests.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// How a column's cells are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
    Number,
}

fn kind(header: &str) -> Kind {
    if ["身份证", "证件", "编号", "借据", "姓名", "借款人"].iter().any(|k| header.contains(k)) {
        Kind::Text
    } else if header.contains("日期") || header.contains("到期日") {
        Kind::Date
    } else {
        Kind::Number
    }
}

/// The workbook's bytes: sheet `sheet`, `title` in row 1 merged across the
/// columns, `header` in row 2, `rows` below.
pub fn workbook<S: AsRef<str>>(
    sheet: &str,
    title: &str,
    header: &[S],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let last = header.len().saturating_sub(1) as u16;
    if last > 0 {
        ws.merge_range(0, 0, 0, last, title, &Format::new())?;
    } else {
        ws.write_string(0, 0, title)?;
    }
    let kinds: Vec<Kind> = header.iter().map(|h| kind(h.as_ref())).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, h.as_ref())?;
    }
    for (r, cells) in rows.enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in cells.iter().enumerate() {
            let c16 = c as u16;
            if cell.is_empty() {
                continue;
            }
            match kinds.get(c).copied().unwrap_or(Kind::Text) {
                Kind::Date => match ExcelDateTime::parse_from_str(cell) {
                    Ok(d) => ws.write_datetime_with_format(r, c16, d, &date)?,
                    Err(_) => ws.write_string(r, c16, cell)?,
                },
                Kind::Number => match cell.parse::<f64>() {
                    Ok(x) if !cell.starts_with('0') || cell == "0" || cell.starts_with("0.") => {
                        ws.write_number(r, c16, x)?
                    }
                    _ => ws.write_string(r, c16, cell)?,
                },
                Kind::Text => ws.write_string(r, c16, cell)?,
            };
        }
    }
    book.save_to_buffer()
}
