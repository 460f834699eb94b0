//! The `mcstress` binary: a thin wrapper around [`mcstress_cli::run_cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let code =
        mcstress_cli::run_cli(std::env::args_os(), &mut std::io::stdout().lock(), &mut std::io::stderr());
    ExitCode::from(code)
}
