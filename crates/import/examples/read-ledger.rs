//! Reads a ledger file (CSV in UTF-8 or GBK, or XLSX) as mcstress does and
//! prints its loans and overdue share, or every problem: for trying the
//! reader on a file, and for measuring its time and memory
//! (`/usr/bin/time -v`, see `docs/performance.md`).
//!
//! ```sh
//! cargo run --release -p mcstress-import --example read-ledger -- FILE [--as-of 2025-10-31]
//! ```
//!
//! Exit codes: 0 read, 1 the file could not be opened, 2 problems in the
//! file (listed on standard error) or bad arguments.

use std::process::ExitCode;
use std::time::Instant;

use mcstress_import::{Date, SheetChoice, read_ledger_bytes};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (path, as_of) = match argv.as_slice() {
        [path] => (path, Some(Date { year: 2025, month: 10, day: 31 })),
        [path, flag, date] if flag == "--as-of" => (path, Date::parse(date)),
        _ => (&String::new(), None),
    };
    let Some(as_of) = as_of.filter(|_| !path.is_empty()) else {
        eprintln!("usage: read-ledger FILE [--as-of YYYY-MM-DD]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("read-ledger: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let start = Instant::now();
    // A key of the run: household hashes cannot be matched across runs.
    let key = format!("{:?}", Instant::now());
    match read_ledger_bytes(&bytes, SheetChoice::First, as_of, key.as_bytes()) {
        Ok(ledger) => {
            let balance: i64 = ledger.loans.iter().map(|l| l.balance.0).sum();
            let overdue: i64 = ledger.loans.iter().filter(|l| l.days_overdue > 0).map(|l| l.balance.0).sum();
            println!(
                "{path}: {} loans, balance {:.2} yuan, overdue share of principal {:.4}, read in {:.2} s",
                ledger.loans.len(),
                balance as f64 / 100.0,
                overdue as f64 / balance.max(1) as f64,
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            for p in e.problems() {
                eprintln!("{path}: {p}");
            }
            ExitCode::from(2)
        }
    }
}
