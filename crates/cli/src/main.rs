//! `mcstress`: Monte Carlo stress tests of poverty-alleviation microcredit
//! and county risk-compensation funds.
//!
//! The only crate that touches paths, the terminal and exit codes. `main`
//! maps the outcome to a documented exit code:
//! 0 success, 1 internal failure, 2 invalid input or usage.

mod args;
mod commands;
mod files;

use std::process::ExitCode;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: an internal failure (a bug, or the machine refused).
pub const EXIT_INTERNAL: u8 = 1;
/// Exit code: invalid input or usage (bad scenario, missing file, bad flag).
pub const EXIT_INPUT: u8 = 2;

/// An error caused by the user's input (exit code 2), as opposed to an
/// internal failure (exit code 1).
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InputError {}

fn main() -> ExitCode {
    match commands::run() {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<InputError>().is_some() {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_INPUT)
            } else {
                eprintln!("internal error: {e:#}");
                ExitCode::from(EXIT_INTERNAL)
            }
        }
    }
}
