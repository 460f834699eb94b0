//! The subcommands.

use std::ffi::OsString;
use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use mcstress_engine::{Model, RunConfig};
use mcstress_report::RunProvenance;

use crate::args::{Cli, Command, RunArgs, ValidateArgs};
use crate::files::{load_scenario, write_outputs};
use crate::{EXIT_INPUT, EXIT_OK, InputError};

/// Parses the command line and runs the command.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors exit 2.
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(err, "{text}");
                return Ok(EXIT_INPUT);
            }
            let _ = write!(out, "{text}");
            return Ok(EXIT_OK);
        }
    };
    match cli.command {
        Command::Run(a) => run_cmd(a, out, err),
        Command::Validate(a) => validate_cmd(a, out),
    }
}

fn run_cmd(a: RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let (loaded, file_name) = load_scenario(a.scenario.as_deref(), a.sim.variant.as_deref())?;
    let scenario = loaded.scenario;
    let cfg = RunConfig {
        paths: a.sim.paths.unwrap_or(scenario.paths),
        seed: a.sim.seed.unwrap_or(scenario.seed),
        threads: a.sim.threads.map(usize::from).unwrap_or(0),
    };
    let model = Model::prepare(&scenario);
    let started = Instant::now();
    let paths = mcstress_engine::run(&model, cfg, None)?;
    let elapsed = started.elapsed().as_secs_f64();
    let threads = mcstress_engine::threads_for(cfg.threads);
    let summary = mcstress_engine::summarize(&model, cfg.seed, &paths);
    let summary_text = mcstress_report::summary_json(&summary)?;

    if let Some(dir) = &a.out {
        let ids: Vec<String> = summary.counties.iter().map(|c| c.id.clone()).collect();
        let rows = mcstress_engine::monthly_rows(&model, &paths);
        let mut monthly = Vec::new();
        mcstress_report::write_monthly_csv(&mut monthly, &rows, &ids)?;
        let mut counties = Vec::new();
        mcstress_report::write_counties_csv(&mut counties, &summary)?;
        let mut paths_csv = Vec::new();
        mcstress_report::write_paths_csv(&mut paths_csv, &paths)?;
        let names = vec!["summary.json", "monthly.csv", "counties.csv", "paths.csv", "run.json"];
        let prov = RunProvenance {
            schema: "mcstress.run/1",
            scenario: scenario.name.clone(),
            scenario_file: file_name,
            scenario_sha256: scenario.sha256.clone(),
            variant: scenario.variant.clone(),
            seed: cfg.seed,
            paths: cfg.paths,
            version: env!("CARGO_PKG_VERSION"),
            threads,
            elapsed_seconds: elapsed,
            loans_start: model.loans_start(),
            horizon_months: scenario.horizon_months,
            files: names.clone(),
        };
        let run_text = mcstress_report::run_json(&prov)?;
        write_outputs(
            dir,
            &[
                (names[0], summary_text.clone().into_bytes()),
                (names[1], monthly),
                (names[2], counties),
                (names[3], paths_csv),
                (names[4], run_text.into_bytes()),
            ],
        )?;
    }

    let text = if a.json { summary_text } else { mcstress_report::text_table(&summary) };
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A reader that stopped early (`| head`) is not a failure.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(anyhow::Error::new(e).context("cannot write to standard output"));
        }
    }
    if !a.json {
        let _ = writeln!(err, "simulated {} paths in {:.1} s on {} threads", cfg.paths, elapsed, threads);
    }
    Ok(EXIT_OK)
}

fn validate_cmd(a: ValidateArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut failed = Vec::new();
    for path in &a.scenarios {
        match load_scenario(Some(path), None) {
            Ok((loaded, _)) => {
                let s = &loaded.scenario;
                let variants = if loaded.variants.is_empty() {
                    "no variants".to_string()
                } else {
                    format!("variants: {}", loaded.variants.join(", "))
                };
                writeln!(
                    out,
                    "ok: {} ({}; {} counties, {} months; {variants})",
                    path.display(),
                    s.name,
                    s.counties.len(),
                    s.horizon_months
                )
                .context("cannot write to standard output")?;
            }
            Err(e) => failed.push(format!("{e}")),
        }
    }
    if failed.is_empty() { Ok(EXIT_OK) } else { Err(InputError(failed.join("\n")).into()) }
}
