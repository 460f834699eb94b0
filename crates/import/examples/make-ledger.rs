//! Writes a synthetic bank ledger (台账) of Yunnan's size, or of a few of
//! its counties, for trying mcstress on: fake names, well-formed fake ID
//! numbers, the 2021–23 lending waves and an overdue stock of about 2 % of
//! the principal. Nothing in it is real data. See `docs/data-format.md`.
//!
//! ```sh
//! cargo run --release -p mcstress-import --example make-ledger -- \
//!     --rows 405600 --format csv-gbk --out yunnan-ledger.csv \
//!     [--seed 20251031] [--as-of 2025-10-31] [--counties 530621,530324] \
//!     [--plant-name 测试标记 --plant-id 11010519491231002X] \
//!     [--county-file yunnan-counties-agg.csv]
//! ```
//!
//! Exit codes: 0 written, 1 a file could not be written, 2 bad arguments.

#[path = "shared/xlsx.rs"]
mod xlsx;

use std::process::ExitCode;

use mcstress_import::{
    Date, LedgerOptions, Plant, SYNTHETIC_HEADER, SyntheticLoan, generate_loans, id_number_is_well_formed,
    synthetic_county_file, synthetic_county_header, yunnan_counties,
};

const USAGE: &str = "usage: make-ledger --out FILE [--rows N] [--format csv-gbk|csv-utf8|xlsx] [--seed S] \
[--as-of YYYY-MM-DD] [--counties CODE,CODE…] [--plant-name NAME --plant-id ID] [--county-file FILE]";

/// Written and bad-argument exit codes.
const EXIT_WRITE: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    CsvGbk,
    CsvUtf8,
    Xlsx,
}

struct Args {
    rows: u32,
    format: Format,
    out: String,
    seed: u64,
    as_of: Date,
    counties: Vec<u32>,
    plant: Option<Plant>,
    county_file: Option<String>,
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut args = Args {
        rows: 405_600,
        format: Format::CsvGbk,
        out: String::new(),
        seed: 20_251_031,
        as_of: Date { year: 2025, month: 10, day: 31 },
        counties: Vec::new(),
        plant: None,
        county_file: None,
    };
    let (mut plant_name, mut plant_id) = (None, None);
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => {
                let v = value()?;
                args.rows = v.parse().map_err(|_| format!("--rows: expected a whole number, found {v:?}"))?;
            }
            "--format" => {
                let v = value()?;
                args.format = match v.as_str() {
                    "csv-gbk" => Format::CsvGbk,
                    "csv-utf8" => Format::CsvUtf8,
                    "xlsx" => Format::Xlsx,
                    _ => return Err(format!("--format: expected csv-gbk, csv-utf8 or xlsx, found {v:?}")),
                };
            }
            "--out" => args.out = value()?,
            "--seed" => {
                let v = value()?;
                args.seed = v.parse().map_err(|_| format!("--seed: expected a whole number, found {v:?}"))?;
            }
            "--as-of" => {
                let v = value()?;
                args.as_of = Date::parse(&v)
                    .ok_or_else(|| format!("--as-of: expected a date such as 2025-10-31, found {v:?}"))?;
            }
            "--counties" => {
                let v = value()?;
                args.counties = v
                    .split(',')
                    .map(|c| {
                        c.trim().parse::<u32>().map_err(|_| {
                            format!("--counties: expected six-digit codes separated by commas, found {c:?}")
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--plant-name" => plant_name = Some(value()?),
            "--plant-id" => plant_id = Some(value()?),
            "--county-file" => args.county_file = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.out.is_empty() {
        return Err("--out FILE is required".into());
    }
    args.plant = match (plant_name, plant_id) {
        (None, None) => None,
        (Some(name), Some(id_number)) => {
            if !id_number_is_well_formed(&id_number) {
                return Err("--plant-id: expected an 18-character ID number with a valid check character (GB 11643), or the planted rows would be refused".into());
            }
            Some(Plant { name, id_number })
        }
        _ => return Err("--plant-name and --plant-id go together".into()),
    };
    Ok(args)
}

/// A table in the chosen format.
fn encode(
    format: Format,
    sheet: &str,
    title: &str,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, String> {
    if format == Format::Xlsx {
        return xlsx::workbook(sheet, title, header, rows).map_err(|e| format!("writing the workbook: {e}"));
    }
    let mut text = String::new();
    text.push_str(title);
    text.push_str("\r\n");
    text.push_str(&header.join(","));
    text.push_str("\r\n");
    for r in rows {
        text.push_str(&r.join(","));
        text.push_str("\r\n");
    }
    Ok(match format {
        Format::CsvGbk => encoding_rs::GBK.encode(&text).0.into_owned(),
        _ => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
    })
}

fn run(args: Args) -> Result<(), (u8, String)> {
    let counties = yunnan_counties(args.rows, &args.counties).map_err(|unknown| {
        let list = unknown.iter().map(|c| format!("{c:06}")).collect::<Vec<_>>().join(", ");
        (EXIT_USAGE, format!("--counties: not a Yunnan county code (see data/yunnan-counties.csv): {list}"))
    })?;
    let options = LedgerOptions { as_of: args.as_of, seed: args.seed, plant: args.plant };
    let loans: Vec<SyntheticLoan> = generate_loans(&counties, &options);
    let Date { year, month, day } = args.as_of;
    let when = format!("{year}年{month}月{day}日");
    if let Some(path) = &args.county_file {
        let header = synthetic_county_header(args.as_of);
        let rows = synthetic_county_file(&counties, &loans, args.as_of);
        let bytes = encode(
            args.format,
            "分县数据",
            &format!("脱贫人口小额信贷分县数据（{when}，由合成台账汇总）"),
            &header,
            rows.into_iter(),
        )
        .map_err(|e| (EXIT_WRITE, e))?;
        std::fs::write(path, bytes).map_err(|e| (EXIT_WRITE, format!("{path}: {e}")))?;
    }
    let header: Vec<String> = SYNTHETIC_HEADER.iter().map(|s| s.to_string()).collect();
    // Rows are written as they are made, not held all at once.
    let rows = loans.iter().map(SyntheticLoan::cells);
    let bytes =
        encode(args.format, "台账", &format!("脱贫人口小额信贷台账（{when}，合成数据）"), &header, rows)
            .map_err(|e| (EXIT_WRITE, e))?;
    std::fs::write(&args.out, bytes).map_err(|e| (EXIT_WRITE, format!("{}: {e}", args.out)))?;
    Ok(())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("make-ledger: {e}\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("make-ledger: {e}");
            ExitCode::from(code)
        }
    }
}
