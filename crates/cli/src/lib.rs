//! `mcstress`: Monte Carlo stress tests of poverty-alleviation microcredit
//! and county risk-compensation funds.
//!
//! The only crate that touches paths, the terminal and exit codes. The
//! binary's `main` calls [`run_cli`], which maps the outcome to a
//! documented exit code: 0 success, 1 internal failure, 2 invalid input or
//! usage. Tests call [`run_cli`] in-process with their own writers.

mod args;
mod commands;
mod county;
mod files;
mod grid;
mod import;
mod progress;
mod shard;

use std::ffi::OsString;
use std::io::Write;

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

/// Runs the command line `args` (program name first), writing results to
/// `out` and messages to `err`; returns the exit code.
pub fn run_cli<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match commands::run(args, out, err) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<InputError>().is_some() || e.downcast_ref::<files::DataProblems>().is_some() {
                let _ = writeln!(err, "error: {e}");
                EXIT_INPUT
            } else {
                let _ = writeln!(err, "internal error: {e:#}");
                EXIT_INTERNAL
            }
        }
    }
}
