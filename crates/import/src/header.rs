//! Headers as exports write them: a name, perhaps with a unit in
//! parentheses at the end (`贷款余额（万元）`, `balance (10k yuan)`); the
//! header row found below any title rows; each known column matched by
//! one of its names or aliases, Chinese or English.

use crate::table::{Row, Table};

/// A unit declared at the end of a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// 元 (yuan).
    Yuan,
    /// 万元 (10,000 yuan).
    WanYuan,
    /// 亿元 (100 million yuan).
    YiYuan,
    /// % (percent).
    Percent,
    /// 户, 笔, 个, 人: a count of households, loans, items or people.
    Count,
    /// 天 (days).
    Days,
}

impl Unit {
    /// The unit a trailing parenthetical names, if it names one.
    fn parse(text: &str) -> Option<Unit> {
        // Headers are matched without white space (see `normalise`); a
        // yearly amount (`万元/年`) is an amount.
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        let t = t
            .strip_suffix("/年")
            .or_else(|| t.strip_suffix("/year"))
            .or_else(|| t.strip_suffix("peryear"))
            .unwrap_or(&t)
            .to_string();
        Some(match t.as_str() {
            "元" | "yuan" | "cny" | "rmb" => Unit::Yuan,
            "万元" | "万" | "10kyuan" | "10,000yuan" | "10000yuan" | "wanyuan" => Unit::WanYuan,
            "亿元" | "亿" | "100myuan" | "100millionyuan" | "yiyuan" => Unit::YiYuan,
            "%" | "percent" => Unit::Percent,
            "户" | "笔" | "个" | "人" | "households" | "loans" | "count" | "people" => Unit::Count,
            "天" | "日" | "days" => Unit::Days,
            _ => return None,
        })
    }

    /// Yuan per unit, for money units.
    pub fn yuan_per_unit(self) -> Option<u64> {
        match self {
            Unit::Yuan => Some(1),
            Unit::WanYuan => Some(10_000),
            Unit::YiYuan => Some(100_000_000),
            _ => None,
        }
    }

    /// The unit as a Chinese reader writes it.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::WanYuan => "万元",
            Unit::YiYuan => "亿元",
            Unit::Percent => "%",
            Unit::Count => "户/笔/个",
            Unit::Days => "天",
        }
    }
}

/// A header cell: its text as written, the name to match and its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// As written in the file (for messages).
    pub written: String,
    /// Normalised name: no white space, ASCII parentheses, lower case.
    pub name: String,
    /// The unit of a trailing parenthetical that names one.
    pub unit: Option<Unit>,
}

impl Header {
    /// Reads a header cell. A trailing parenthetical is a unit only when it
    /// names one: `乡(镇)` is a name, `余额(万元)` a name and a unit.
    pub fn parse(written: &str) -> Header {
        let flat = normalise(written);
        if let Some(open) = flat.strip_suffix(')').and_then(|s| s.rfind('(')) {
            let inner = &flat[open + 1..flat.len() - 1];
            if let Some(unit) = Unit::parse(inner) {
                return Header {
                    written: written.trim().to_string(),
                    name: flat[..open].to_string(),
                    unit: Some(unit),
                };
            }
        }
        Header { written: written.trim().to_string(), name: flat, unit: None }
    }
}

/// No white space, full-width parentheses as ASCII, ASCII lower case.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A column a reader knows.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    /// The reader's key for it.
    pub key: &'static str,
    /// Its names and aliases, Chinese and English, as written in documents
    /// (matched after [`Header::parse`]'s normalisation).
    pub names: &'static [&'static str],
    /// Units it may declare; the first is assumed when none is declared.
    pub units: &'static [Unit],
    /// Whether a table without it is refused.
    pub required: bool,
}

/// Where the header is and which known column is where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRow {
    /// Its row number as a spreadsheet shows it.
    pub number: u32,
    /// For each spec (in the order given), its column index and header.
    pub columns: Vec<Option<(usize, Header)>>,
    /// Headers no spec knows, as written, with their column index.
    pub unknown: Vec<(usize, String)>,
}

/// Why no usable header row was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// None of the first rows holds two known column names.
    #[error("no header row in the first {searched} rows: expected a row naming columns such as {expected}")]
    NotFound {
        /// Rows searched.
        searched: usize,
        /// Some names expected.
        expected: String,
    },
    /// A required column is missing.
    #[error("row {row}: no column {name} (also accepted: {aliases})")]
    Missing {
        /// The header row.
        row: u32,
        /// The column's first name.
        name: &'static str,
        /// Its other names.
        aliases: String,
    },
    /// Two columns are the same known column.
    #[error("row {row}: columns {first:?} and {second:?} are both {name}; keep one")]
    Duplicate {
        /// The header row.
        row: u32,
        /// The column's first name.
        name: &'static str,
        /// The two headers as written.
        first: String,
        /// The second.
        second: String,
    },
    /// A column declares a unit it cannot have.
    #[error("row {row}, column {written:?}: unit {found} is not one of {allowed}")]
    Unit {
        /// The header row.
        row: u32,
        /// The header as written.
        written: String,
        /// The unit found.
        found: &'static str,
        /// The units allowed.
        allowed: String,
    },
}

/// Title rows searched above a header.
pub(crate) const SEARCH_ROWS: usize = 10;

/// How many cells of `row` name a column of `specs` (a header row names
/// at least two; a data row, none).
pub(crate) fn known_names(row: &Row, specs: &[ColumnSpec]) -> usize {
    row.cells
        .iter()
        .filter(|c| {
            let h = Header::parse(c);
            specs.iter().any(|s| s.names.iter().any(|n| normalise(n) == h.name))
        })
        .count()
}

impl HeaderRow {
    /// The column index of a header as written (for ordering a row's
    /// problems left to right); past the last column if it is none.
    pub fn position(&self, written: &str) -> usize {
        let known = self.columns.iter().flatten().map(|(i, h)| (*i, h.written.as_str()));
        let unknown = self.unknown.iter().map(|(i, w)| (*i, w.as_str()));
        known.chain(unknown).find(|(_, w)| *w == written).map_or(usize::MAX, |(i, _)| i)
    }

    /// Finds the header row among the first rows of `table` — the first
    /// row with at least two cells naming known columns (title rows above
    /// it are skipped) — and matches every cell of it.
    ///
    /// A header of two rows, as a sheet with merged header cells has (a
    /// group label such as `贷款信息` merged across the columns below it,
    /// or `乡(镇)` merged down across both rows), is read as one: each
    /// column takes the lower row's cell, or the upper one's where the
    /// lower is empty. Two rows are a header when they are adjacent and
    /// each names a known column; the data start below the lower one.
    pub fn locate(table: &Table, specs: &[ColumnSpec]) -> Result<HeaderRow, HeaderError> {
        let known = |h: &Header| specs.iter().position(|s| s.names.iter().any(|n| normalise(n) == h.name));
        let found = table.rows.iter().take(SEARCH_ROWS).position(|r| known_names(r, specs) >= 2).ok_or_else(
            || HeaderError::NotFound {
                searched: SEARCH_ROWS.min(table.rows.len()),
                expected: specs.iter().take(4).map(|s| s.names[0]).collect::<Vec<_>>().join(", "),
            },
        )?;
        let adjacent = |a: &Row, b: &Row| b.number == a.number + 1 && known_names(b, specs) >= 1;
        let this = &table.rows[found];
        let pair = match (found.checked_sub(1).map(|i| &table.rows[i]), table.rows.get(found + 1)) {
            (_, Some(below)) if adjacent(this, below) => Some((this, below)),
            (Some(above), _) if known_names(above, specs) >= 1 && adjacent(above, this) => {
                Some((above, this))
            }
            _ => None,
        };
        let merged;
        let row: &Row = match pair {
            Some((upper, lower)) => {
                let width = upper.cells.len().max(lower.cells.len());
                let cells = (0..width)
                    .map(|i| if lower.cell(i).is_empty() { upper.cell(i) } else { lower.cell(i) }.to_string())
                    .collect();
                merged = Row { number: lower.number, cells };
                &merged
            }
            None => this,
        };
        let mut columns: Vec<Option<(usize, Header)>> = vec![None; specs.len()];
        let mut unknown = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let h = Header::parse(cell);
            let Some(k) = known(&h) else {
                unknown.push((i, h.written));
                continue;
            };
            let spec = &specs[k];
            if let Some(u) = h.unit
                && !spec.units.contains(&u)
            {
                return Err(HeaderError::Unit {
                    row: row.number,
                    written: h.written,
                    found: u.label(),
                    allowed: spec.units.iter().map(|u| u.label()).collect::<Vec<_>>().join(", "),
                });
            }
            if let Some((_, first)) = &columns[k] {
                return Err(HeaderError::Duplicate {
                    row: row.number,
                    name: spec.names[0],
                    first: first.written.clone(),
                    second: h.written,
                });
            }
            columns[k] = Some((i, h));
        }
        if let Some(spec) =
            specs.iter().zip(&columns).find(|(s, c)| s.required && c.is_none()).map(|(s, _)| s)
        {
            return Err(HeaderError::Missing {
                row: row.number,
                name: spec.names[0],
                aliases: spec.names[1..].join(", "),
            });
        }
        Ok(HeaderRow { number: row.number, columns, unknown })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec { key: "county", names: &["县(区)代码", "county code"], units: &[], required: true },
        ColumnSpec { key: "township", names: &["乡(镇)", "township"], units: &[], required: false },
        ColumnSpec {
            key: "balance",
            names: &["贷款余额", "balance"],
            units: &[Unit::Yuan, Unit::WanYuan, Unit::YiYuan],
            required: false,
        },
    ];

    #[test]
    fn a_trailing_unit_is_split_off_and_a_parenthesised_name_is_kept() {
        assert_eq!(Header::parse("贷款余额（万元）").unit, Some(Unit::WanYuan));
        assert_eq!(Header::parse("贷款余额（万元）").name, "贷款余额");
        assert_eq!(Header::parse(" Balance (10k yuan) ").unit, Some(Unit::WanYuan));
        assert_eq!(
            Header::parse("乡（镇）"),
            Header { written: "乡（镇）".into(), name: "乡(镇)".into(), unit: None }
        );
        assert_eq!(Header::parse("县(区)代码").name, "县(区)代码");
        assert_eq!(Header::parse("财政补充能力（万元/年）").unit, Some(Unit::WanYuan));
    }

    #[test]
    fn the_header_is_found_below_a_title_row_and_columns_are_matched() {
        let t = Table::from_csv("鲁甸县脱贫人口小额信贷台账（2025年10月）\n县（区）代码,乡(镇),备注,贷款余额(亿元)\n530621,龙头山镇,,1\n").unwrap();
        let h = HeaderRow::locate(&t, SPECS).unwrap();
        assert_eq!(h.number, 2);
        assert_eq!(h.columns[0].as_ref().map(|c| c.0), Some(0));
        assert_eq!(h.columns[2].as_ref().and_then(|c| c.1.unit), Some(Unit::YiYuan));
        assert_eq!(h.unknown, [(2, "备注".to_string())]);
    }

    #[test]
    fn a_header_of_two_rows_with_merged_cells_is_read_as_one() {
        // Row 2: 县(区)代码 merged down over rows 2–3, a group label merged
        // across; row 3: the names under the label.
        let t = Table::from_csv("台账\n县(区)代码,贷款信息,\n,乡(镇),贷款余额（元）\n530621,龙头山镇,1\n")
            .unwrap();
        let h = HeaderRow::locate(&t, SPECS).unwrap();
        assert_eq!(h.number, 3);
        let at: Vec<Option<usize>> = h.columns.iter().map(|c| c.as_ref().map(|c| c.0)).collect();
        assert_eq!(at, [Some(0), Some(1), Some(2)]);
        assert!(h.unknown.is_empty(), "{:?}", h.unknown);
        // The same with the label row found first (two names above one).
        let t = Table::from_csv("县(区)代码,乡(镇),贷款\n,,贷款余额\n530621,龙头山镇,1\n").unwrap();
        let h = HeaderRow::locate(&t, SPECS).unwrap();
        assert_eq!((h.number, h.columns[2].as_ref().map(|c| c.0)), (2, Some(2)));
    }

    #[test]
    fn header_problems_are_named() {
        let t = Table::from_csv("乡(镇),贷款余额\n").unwrap();
        assert_eq!(
            HeaderRow::locate(&t, SPECS).unwrap_err().to_string(),
            "row 1: no column 县(区)代码 (also accepted: county code)"
        );
        let t = Table::from_csv("县(区)代码,County Code\n").unwrap();
        assert_eq!(
            HeaderRow::locate(&t, SPECS).unwrap_err().to_string(),
            "row 1: columns \"县(区)代码\" and \"County Code\" are both 县(区)代码; keep one"
        );
        let t = Table::from_csv("县(区)代码,贷款余额（%）\n").unwrap();
        assert_eq!(
            HeaderRow::locate(&t, SPECS).unwrap_err().to_string(),
            "row 1, column \"贷款余额（%）\": unit % is not one of 元, 万元, 亿元"
        );
        let t = Table::from_csv("a,b\n1,2\n").unwrap();
        assert!(matches!(HeaderRow::locate(&t, SPECS), Err(HeaderError::NotFound { searched: 2, .. })));
    }
}
