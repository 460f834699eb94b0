//! The subcommands.

use std::ffi::OsString;
use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use mcstress_engine::{Model, RunConfig, WatchThresholds};
use mcstress_report::RunProvenance;

use crate::args::{Cli, Command, CompareArgs, RunArgs, SimArgs, StressArgs, TargetArgs, ValidateArgs};
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
        Command::Compare(a) => compare_cmd(a, out, err),
        Command::Stress(a) => stress_cmd(a, out, err),
    }
}

fn run_cmd(a: RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let (loaded, file_name) = load_scenario(a.scenario.as_deref(), a.sim.variant.as_deref())?;
    let scenario = loaded.scenario;
    let cfg = run_config(&a.sim, &scenario);
    let model = Model::prepare(&scenario);
    let started = Instant::now();
    let paths = simulate(&model, cfg, &a.target)?;
    let cfg = RunConfig { paths: paths.len() as u32, ..cfg };
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
    emit(out, &text)?;
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

fn compare_cmd(a: CompareArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let variant = a.sim.variant.as_deref();
    let (base, base_file) = load_scenario(Some(&a.base), None)?;
    let (rev, rev_file) = match &a.revision {
        Some(path) => load_scenario(Some(path), variant)?,
        None => match variant {
            Some(v) => load_scenario(Some(&a.base), Some(v))?,
            None => {
                return Err(InputError(
                    "compare needs a revision: a second scenario file, or --variant NAME of the first".into(),
                )
                .into());
            }
        },
    };
    let (base, rev) = (base.scenario, rev.scenario);
    let codes = |s: &mcstress_scenario::Scenario| s.counties.iter().map(|c| c.code).collect::<Vec<_>>();
    if codes(&base) != codes(&rev) || base.horizon_months != rev.horizon_months || base.start != rev.start {
        return Err(InputError(format!(
            "{base_file} and {rev_file} must describe the same counties, start and horizon to be compared \
             on the same random futures"
        ))
        .into());
    }
    let cfg = run_config(&a.sim, &base);
    let (mb, mr) = (Model::prepare(&base), Model::prepare(&rev));
    let started = Instant::now();
    let pb = mcstress_engine::run(&mb, cfg, None)?;
    let pr = mcstress_engine::run(&mr, cfg, None)?;
    let elapsed = started.elapsed().as_secs_f64();
    let cmp = mcstress_engine::compare(&mb, &mr, cfg.seed, &pb, &pr);
    let text = mcstress_report::compare_json(&cmp)?;
    if let Some(dir) = &a.out {
        let sb = mcstress_report::summary_json(&mcstress_engine::summarize(&mb, cfg.seed, &pb))?;
        let sr = mcstress_report::summary_json(&mcstress_engine::summarize(&mr, cfg.seed, &pr))?;
        let names = vec!["compare.json", "base-summary.json", "revision-summary.json", "run.json"];
        let prov = RunProvenance {
            schema: "mcstress.run/1",
            scenario: format!("{} vs {}", base.name, rev.name),
            scenario_file: format!("{base_file} vs {rev_file}"),
            scenario_sha256: format!("{} {}", base.sha256, rev.sha256),
            variant: rev.variant.clone(),
            seed: cfg.seed,
            paths: cfg.paths,
            version: env!("CARGO_PKG_VERSION"),
            threads: mcstress_engine::threads_for(cfg.threads),
            elapsed_seconds: elapsed,
            loans_start: mb.loans_start(),
            horizon_months: base.horizon_months,
            files: names.clone(),
        };
        write_outputs(
            dir,
            &[
                (names[0], text.clone().into_bytes()),
                (names[1], sb.into_bytes()),
                (names[2], sr.into_bytes()),
                (names[3], mcstress_report::run_json(&prov)?.into_bytes()),
            ],
        )?;
    }
    let shown = if a.json { text } else { mcstress_report::compare_text(&cmp) };
    emit(out, &shown)?;
    if !a.json {
        let _ = writeln!(err, "simulated 2 × {} paths in {:.1} s", cfg.paths, elapsed);
    }
    Ok(EXIT_OK)
}

/// Writes a result to standard output. A reader that stopped early
/// (`| head`) is not a failure.
fn emit(out: &mut dyn Write, text: &str) -> anyhow::Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

fn stress_cmd(a: StressArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let (loaded, _) = load_scenario(Some(&a.scenario), a.sim.variant.as_deref())?;
    let mut scenario = loaded.scenario;
    if let Some(spec) = &a.shock {
        let (name, severity) = match spec.split_once(':') {
            Some((n, s)) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => (n, v),
                _ => {
                    return Err(InputError(format!(
                        "--shock {spec}: expected NAME or NAME:SEVERITY with a severity ≥ 0, found {s:?}"
                    ))
                    .into());
                }
            },
            None => (spec.as_str(), 1.0),
        };
        scenario = scenario.with_shock(name, severity).map_err(|e| InputError(format!("--shock: {e}")))?;
    }
    for (flag, v) in [("--watch-exhaustion", a.watch_exhaustion), ("--watch-overdue", a.watch_overdue)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(InputError(format!("{flag}: expected a share from 0 to 1, found {v}")).into());
        }
    }
    if !(a.watch_cover.is_finite() && a.watch_cover >= 0.0) {
        return Err(
            InputError(format!("--watch-cover: expected a ratio ≥ 0, found {}", a.watch_cover)).into()
        );
    }
    let cfg = run_config(&a.sim, &scenario);
    let model = Model::prepare(&scenario);
    let started = Instant::now();
    let paths = simulate(&model, cfg, &a.target)?;
    let cfg = RunConfig { paths: paths.len() as u32, ..cfg };
    let w = WatchThresholds {
        exhaustion_probability: a.watch_exhaustion,
        fund_cover_ratio: a.watch_cover,
        peak_overdue_rate: a.watch_overdue,
    };
    let mut st = mcstress_engine::stress(&model, cfg.seed, &paths, w);
    st.shock = a.shock.clone();
    let text = if a.json { mcstress_report::stress_json(&st)? } else { mcstress_report::stress_text(&st) };
    emit(out, &text)?;
    if !a.json {
        let _ = writeln!(err, "simulated {} paths in {:.1} s", cfg.paths, started.elapsed().as_secs_f64());
    }
    Ok(EXIT_OK)
}

/// Runs the paths asked for, or — with `--target-se` — as many as the
/// target needs.
fn simulate(
    model: &Model,
    cfg: RunConfig,
    t: &TargetArgs,
) -> anyhow::Result<Vec<mcstress_engine::PathResult>> {
    match t.target_se {
        None => Ok(mcstress_engine::run(model, cfg, None)?),
        Some(x) if x.is_finite() && x > 0.0 => {
            let first = RunConfig { paths: cfg.paths.min(t.max_paths), ..cfg };
            Ok(mcstress_engine::run_to_target(model, first, x, t.max_paths, None)?)
        }
        Some(x) => Err(InputError(format!("--target-se: expected a positive number, found {x}")).into()),
    }
}

/// The run settings: the flags, or else the scenario's own paths and seed.
fn run_config(sim: &SimArgs, scenario: &mcstress_scenario::Scenario) -> RunConfig {
    RunConfig {
        paths: sim.paths.unwrap_or(scenario.paths),
        seed: sim.seed.unwrap_or(scenario.seed),
        threads: sim.threads.map(usize::from).unwrap_or(0),
    }
}
