//! Fuzz target: the argument parser (clap) of the `mcstress` binary, on
//! any argument list. The parser must never panic; an error must render.
//!
//! The input is the arguments after the program name, separated by NUL
//! bytes (any bytes: arguments need not be UTF-8). `Cli` is compiled from
//! the CLI's own `args.rs`, which depends on clap alone, so that parsing
//! is fuzzed without running any command.
#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::Parser;
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../crates/cli/src/args.rs"]
mod args;

fuzz_target!(|data: &[u8]| {
    let argv = std::iter::once(OsString::from("mcstress"))
        .chain(data.split(|b| *b == 0).map(|a| OsString::from_vec(a.to_vec())));
    match args::Cli::try_parse_from(argv) {
        Ok(cli) => {
            let _ = format!("{cli:?}");
        }
        Err(e) => {
            let _ = e.use_stderr();
            let _ = e.render().to_string();
        }
    }
});
