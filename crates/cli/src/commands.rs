//! The subcommands.

use std::ffi::OsString;
use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use mcstress_engine::{Keep, Model, RunConfig, RunPaths, WatchThresholds};
use mcstress_report::RunProvenance;

use crate::args::{
    BreakpointArgs, ChartArgs, Cli, Command, CompareArgs, CountiesArg, FormatArg, LangArg, MergeArgs,
    RareArgs, ReportArgs, RunArgs, SimArgs, StressArgs, SweepArgs, TargetArgs, ValidateArgs,
};
use crate::files::{OutDir, load_scenario, load_scenario_with, read_results};
use crate::grid::{Axis, MAX_POINTS, parse_axis, parse_setting};
use crate::progress::Progress;
use crate::shard::{Merged, ShardSpec, Source};
use crate::{EXIT_INPUT, EXIT_OK, InputError};

/// Parses the command line and runs the command.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&argv) {
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
    let mut sink = std::io::sink();
    // --quiet: timing notes go nowhere; errors still reach `err` through
    // run_cli.
    let notes: &mut dyn Write = if cli.quiet { &mut sink } else { err };
    let q = cli.quiet;
    let row_report = cli.row_report.clone();
    let result = match cli.command {
        Command::Run(a) => source_for(a.shard, &argv).and_then(|s| run_cmd(a, q, out, notes, s)),
        Command::Validate(a) => validate_cmd(a, out),
        Command::Compare(a) => source_for(a.shard, &argv).and_then(|s| compare_cmd(a, q, out, notes, s)),
        Command::Stress(a) => source_for(a.shard, &argv).and_then(|s| stress_cmd(a, q, out, notes, s)),
        Command::Sweep(a) => source_for(a.shard, &argv).and_then(|s| sweep_cmd(a, q, out, notes, s)),
        Command::Merge(a) => merge_cmd(a, q, out, notes),
        Command::Rare(a) => rare_cmd(a, q, out, notes),
        Command::Breakpoint(a) => breakpoint_cmd(a, q, out, notes),
        Command::Chart(a) => chart_cmd(a, out),
        Command::Report(a) => report_cmd(a, out),
        Command::Import(a) => crate::import::import_cmd(a, out),
    };
    if let (Err(e), Some(path)) = (&result, &row_report)
        && let Some(dp) = e.downcast_ref::<crate::files::DataProblems>()
    {
        let csv = dp.csv()?;
        std::fs::write(path, csv)
            .map_err(|why| InputError(format!("{}: cannot write the row report: {why}", path.display())))?;
    }
    result
}

/// Where a command's paths come from: simulated here, or with `--shard`
/// one shard of them, for which the command line and working directory are
/// kept so that `merge` can finish the command.
fn source_for(shard: Option<ShardSpec>, argv: &[OsString]) -> anyhow::Result<Source> {
    let Some(spec) = shard else { return Ok(Source::Simulate) };
    let argv = argv
        .iter()
        .map(|a| {
            a.to_str().map(str::to_string).ok_or_else(|| {
                InputError(format!(
                    "--shard: the command line must be valid UTF-8 to be kept for merging; found {}",
                    a.to_string_lossy()
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cwd = std::env::current_dir().context("--shard: cannot read the working directory")?;
    let cwd = cwd
        .to_str()
        .ok_or_else(|| InputError(format!("--shard: the working directory {} is not UTF-8", cwd.display())))?
        .to_string();
    Ok(Source::shard(spec, &argv, cwd))
}

/// `mcstress merge`: the command the shards ran, finished with their paths.
fn merge_cmd(a: MergeArgs, quiet: bool, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let merged = Merged::open(&a.shards)?;
    let same = |x: &std::path::Path, y: &std::path::Path| match (x.canonicalize(), y.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if let Some(d) = a.shards.iter().find(|d| same(d, &a.out)) {
        return Err(InputError(format!(
            "--out {}: that is a shard directory ({}); write the merged outputs elsewhere",
            a.out.display(),
            d.display()
        ))
        .into());
    }
    let (argv, cwd) = merged.command_line();
    let cwd = std::path::PathBuf::from(cwd);
    // Run where the shards ran (as the Slurm and Kubernetes jobs do), the
    // command line is taken as it was, and run.json names its files as the
    // single run does; from elsewhere relative scenario paths are read from
    // the shards' working directory (and recorded whole).
    let here = std::env::current_dir().ok();
    let rebase = here.as_deref().and_then(|h| h.canonicalize().ok()) != cwd.canonicalize().ok();
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        InputError(format!("the shards' command line ({}) cannot be read: {}", argv.join(" "), e.render()))
    })?;
    // Relative scenario paths were relative to the shards' working directory.
    let at = |p: std::path::PathBuf| if rebase { cwd.join(p) } else { p };
    let dir = Some(a.out);
    let source = Source::Merge(merged);
    match cli.command {
        Command::Run(mut r) => {
            (r.scenario, r.out, r.shard) = (r.scenario.map(at), dir, None);
            run_cmd(r, quiet, out, err, source)
        }
        Command::Compare(mut c) => {
            c.base = at(c.base);
            c.revisions = c.revisions.into_iter().map(at).collect();
            (c.out, c.shard) = (dir, None);
            compare_cmd(c, quiet, out, err, source)
        }
        Command::Stress(mut s) => {
            (s.scenario, s.out, s.shard) = (at(s.scenario), dir, None);
            stress_cmd(s, quiet, out, err, source)
        }
        Command::Sweep(mut s) => {
            (s.scenario, s.out, s.shard) = (s.scenario.map(at), dir, None);
            sweep_cmd(s, quiet, out, err, source)
        }
        _ => Err(InputError("the shards' command is not one that runs in shards".into()).into()),
    }
}

/// The `--set FIELD=VALUE` settings of a command.
fn settings(set: &[String]) -> anyhow::Result<Vec<mcstress_scenario::Setting>> {
    Ok(set.iter().map(|s| parse_setting(s)).collect::<Result<_, _>>()?)
}

fn run_cmd(
    a: RunArgs,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut source: Source,
) -> anyhow::Result<u8> {
    let (loaded, file_name) =
        load_scenario_with(a.scenario.as_deref(), a.sim.variant.as_deref(), &settings(&a.set)?)?;
    let scenario = loaded.scenario;
    let selection = Selection::of(&a.only, &scenario)?;
    // Locked before anything runs: a second run on the same directory is
    // refused at once rather than after its simulation.
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let cfg = run_config(&a.sim, &scenario);
    source.check_paths(cfg.paths)?;
    let model = selection.apply(Model::prepare(&scenario))?;
    let started = Instant::now();
    let keep = keep_for(&out_dir);
    let Some(paths) =
        simulate(&mut source, &model, &scenario.sha256, cfg, &a.target, quiet, keep, out_dir.as_ref())?
    else {
        return source.finish_shard("run", out_dir.as_ref(), err);
    };
    let cfg = RunConfig { paths: paths.len() as u32, ..cfg };
    let elapsed = source.elapsed(started);
    let threads = mcstress_engine::threads_for(cfg.threads);
    let summary = mcstress_engine::summarize(&model, cfg.seed, paths.figures());
    let summary_text = mcstress_report::summary_json(&summary)?;
    let target = TargetOutcome::of(&a.target, paths.len(), || mcstress_engine::headline_se(paths.figures()));

    if let Some(dir) = &out_dir {
        let mut files = run_files(&model, &paths, &summary, &summary_text)?;
        let mut prov = provenance("run", &scenario, file_name, cfg, elapsed, model.loans_start(), &files);
        prov.settings = a.set.clone();
        selection.record(&mut prov);
        target.record(&mut prov);
        files.push(("run.json", mcstress_report::run_json(&prov)?.into_bytes()));
        dir.write_outputs(&files)?;
    }

    let text = if a.json { summary_text } else { mcstress_report::text_table(&summary) };
    emit(out, &text)?;
    if let Some(note) = source.merge_note() {
        let _ = writeln!(err, "{note}");
    } else if !a.json {
        let _ = writeln!(
            err,
            "simulated {} paths{} in {:.1} s on {} threads",
            cfg.paths,
            selection.note(),
            elapsed,
            threads
        );
    }
    target.warn(err);
    Ok(EXIT_OK)
}

fn validate_cmd(a: ValidateArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut failed = Vec::new();
    let mut rows = Vec::new();
    for path in &a.scenarios {
        match load_scenario(Some(path), None) {
            Ok((loaded, _)) => {
                let s = &loaded.scenario;
                let variants = if loaded.variants.is_empty() {
                    "no variants".to_string()
                } else {
                    format!("variants: {}", loaded.variants.join(", "))
                };
                // The most a run of the scenario can keep: its own paths,
                // one worker per core, every output file.
                let threads = mcstress_engine::threads_for(0);
                let need = mcstress_engine::memory_estimate(s, s.paths, threads, Keep::MonthlyBands);
                let limit = memory_limit();
                let what = format!(
                    "a run of {} paths on {threads} threads with every output file needs about {} (model {}, \
                     worker books {}, paths in flight {}, per-path figures {}, monthly bands {})",
                    s.paths,
                    size(need.total),
                    size(need.model),
                    size(need.workspaces),
                    size(need.paths_in_flight),
                    size(need.per_path),
                    size(need.bands)
                );
                if need.total > limit.bytes {
                    failed.push(format!(
                        "{}: the scenario cannot run here: {what}, more than the limit of {} ({})",
                        path.display(),
                        size(limit.bytes),
                        limit.source
                    ));
                    continue;
                }
                writeln!(
                    out,
                    "ok: {} ({}; {} counties, {} months; {variants})\n  memory: {what}; limit {} ({})",
                    path.display(),
                    s.name,
                    s.counties.len(),
                    s.horizon_months,
                    size(limit.bytes),
                    limit.source
                )
                .context("cannot write to standard output")?;
            }
            Err(e) => match e.downcast::<crate::files::DataProblems>() {
                // Kept whole for `--row-report` when it is the only failure.
                Ok(dp) => {
                    failed.push(dp.to_string());
                    rows.push(dp);
                }
                Err(e) => failed.push(format!("{e}")),
            },
        }
    }
    if failed.len() == 1 && rows.len() == 1 {
        return Err(rows.remove(0).into());
    }
    if failed.is_empty() { Ok(EXIT_OK) } else { Err(InputError(failed.join("\n")).into()) }
}

/// The memory a run may use, and where the figure comes from.
struct MemoryLimit {
    bytes: u64,
    source: &'static str,
}

/// Memory assumed when the machine does not say (no `/proc/meminfo`).
const DEFAULT_MEMORY_LIMIT: u64 = 8 << 30;

/// The memory available to a new process: `MemAvailable` of
/// `/proc/meminfo`, else [`DEFAULT_MEMORY_LIMIT`].
fn memory_limit() -> MemoryLimit {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        kb.checked_mul(1024)
    });
    match available {
        Some(bytes) => MemoryLimit { bytes, source: "the memory available, from /proc/meminfo" },
        None => {
            MemoryLimit { bytes: DEFAULT_MEMORY_LIMIT, source: "the default, /proc/meminfo being unreadable" }
        }
    }
}

/// Bytes in megabytes or gigabytes (10⁶, 10⁹), for messages.
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e8 {
        format!("{:.1} MB", b / 1e6)
    } else if b < 1e10 {
        format!("{:.2} GB", b / 1e9)
    } else {
        format!("{:.1} GB", b / 1e9)
    }
}

fn compare_cmd(
    a: CompareArgs,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut source: Source,
) -> anyhow::Result<u8> {
    let variant = a.sim.variant.as_deref();
    let (base, base_file) = load_scenario(Some(&a.base), None)?;
    let base = base.scenario;
    // The revisions: files (each with the variant, if one is given), or
    // else variants of the base file.
    let mut revs = Vec::new();
    if a.revisions.is_empty() {
        let Some(names) = variant else {
            return Err(InputError(
                "compare needs a revision: one or more scenario files after the base, or --variant NAME[,NAME…] \
                 of the base"
                    .into(),
            )
            .into());
        };
        for name in names.split(',').map(str::trim) {
            if name.is_empty() {
                return Err(InputError(format!(
                    "--variant {names:?}: expected variant names separated by commas, found an empty name"
                ))
                .into());
            }
            let (rev, file) = load_scenario(Some(&a.base), Some(name))?;
            revs.push((rev.scenario, file));
        }
    } else {
        if variant.is_some_and(|v| v.contains(',')) {
            return Err(InputError(
                "--variant with revision files selects one variant of each file; a list of variants \
                 (NAME,NAME…) names revisions of the base file when no revision file is given"
                    .into(),
            )
            .into());
        }
        for path in &a.revisions {
            let (rev, file) = load_scenario(Some(path), variant)?;
            revs.push((rev.scenario, file));
        }
    }
    let named = |file: &str, s: &mcstress_scenario::Scenario| match &s.variant {
        Some(v) => format!("{file} with variant {v}"),
        None => file.to_string(),
    };
    let codes = |s: &mcstress_scenario::Scenario| s.counties.iter().map(|c| c.code).collect::<Vec<_>>();
    for (rev, rev_file) in &revs {
        if codes(&base) != codes(rev) || base.horizon_months != rev.horizon_months || base.start != rev.start
        {
            return Err(InputError(format!(
                "the base ({}) and the revision ({}) must describe the same counties, start and horizon to be \
                 compared on the same random futures; they differ in {}",
                named(&base_file, &base),
                named(rev_file, rev),
                mismatch(&base, rev)
            ))
            .into());
        }
    }
    let selection = Selection::of(&a.only, &base)?;
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let keep = keep_for(&out_dir);
    let cfg = run_config(&a.sim, &base);
    source.check_paths(cfg.paths)?;
    let sets: Vec<&mcstress_scenario::Scenario> =
        std::iter::once(&base).chain(revs.iter().map(|(s, _)| s)).collect();
    let models: Vec<Model> =
        sets.iter().map(|s| selection.apply(Model::prepare(s))).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let runs = if source.simulates_all() {
        let bar = Progress::new(models.len() as u64 * u64::from(cfg.paths), quiet);
        let tick = || bar.tick();
        let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
        match a.target.target_se {
            // A revision of how losses are shared only has its loans
            // simulated once, with the base's (the results are the same).
            None => mcstress_engine::run_paths_shared(&models.iter().collect::<Vec<_>>(), cfg, keep, cb)?.0,
            Some(x) => {
                let x = positive_target(x)?;
                let first = RunConfig { paths: cfg.paths.min(a.target.max_paths), ..cfg };
                let refs: Vec<&Model> = models.iter().collect();
                mcstress_engine::compare_to_target(&refs, first, x, a.target.max_paths, keep, cb)?
            }
        }
    } else {
        let refs: Vec<&Model> = models.iter().collect();
        let shas: Vec<&str> = sets.iter().map(|s| s.sha256.as_str()).collect();
        let runs = source.paths_of_rule_sets(0, &refs, &shas, cfg, keep, quiet, out_dir.as_ref())?;
        if runs.is_empty() {
            return source.finish_shard("compare", out_dir.as_ref(), err);
        }
        runs
    };
    let cfg = RunConfig { paths: runs[0].len() as u32, ..cfg };
    let elapsed = source.elapsed(started);
    let target = TargetOutcome::of(&a.target, runs[0].len(), || mcstress_engine::largest_diff_se(&runs));
    let (mb, pb) = (&models[0], runs[0].figures());
    let comparisons: Vec<_> = models[1..]
        .iter()
        .zip(&runs[1..])
        .map(|(mr, pr)| mcstress_engine::compare(mb, mr, cfg.seed, pb, pr.figures()))
        .collect();
    let texts = comparisons.iter().map(mcstress_report::compare_json).collect::<Result<Vec<_>, _>>()?;
    if let Some(dir) = &out_dir {
        // One name per rule set: `base`, `revision`, `revision-2`, …
        let set_name = |k: usize| match k {
            0 => "base".to_string(),
            1 => "revision".to_string(),
            k => format!("revision-{k}"),
        };
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for (k, text) in texts.iter().enumerate() {
            let name = if k == 0 { "compare.json".to_string() } else { format!("compare-{}.json", k + 1) };
            files.push((name, text.clone().into_bytes()));
        }
        let mut ids = Vec::new();
        for (k, (m, r)) in models.iter().zip(&runs).enumerate() {
            let summary = mcstress_engine::summarize(m, cfg.seed, r.figures());
            let text = mcstress_report::summary_json(&summary)?;
            files.push((format!("{}-summary.json", set_name(k)), text.into_bytes()));
            ids = summary.counties.iter().map(|c| c.id.clone()).collect();
        }
        for (k, (m, r)) in models.iter().zip(&runs).enumerate() {
            let rows = mcstress_engine::monthly_rows(m, r)
                .context("internal error: the comparison kept no monthly bands")?;
            let mut monthly = Vec::new();
            mcstress_report::write_monthly_csv(&mut monthly, &rows, &ids)?;
            files.push((format!("{}-monthly.csv", set_name(k)), monthly));
        }
        let (rev, _) = &revs[0];
        let files_in: Vec<String> = revs.iter().map(|(_, f)| f.clone()).collect();
        let mut prov = provenance(
            "compare",
            rev,
            format!("{base_file} vs {}", files_in.join(" vs ")),
            cfg,
            elapsed,
            mb.loans_start(),
            &[],
        );
        prov.files = files.iter().map(|(n, _)| n.clone()).chain(["run.json".to_string()]).collect();
        prov.scenario = std::iter::once(base.name.as_str())
            .chain(revs.iter().map(|(s, _)| s.name.as_str()))
            .collect::<Vec<_>>()
            .join(" vs ");
        // Display names of the rule sets, where all give one.
        let titles = |t: fn(&mcstress_scenario::Scenario) -> &Option<String>, vs: &str, and: &str| {
            let revised = revs.iter().map(|(s, _)| t(s).clone()).collect::<Option<Vec<_>>>()?;
            Some(format!("{}{vs}{}", t(&base).as_ref()?, revised.join(and)))
        };
        prov.title_zh = titles(|s| &s.title_zh, "对比", "、");
        prov.title_en = titles(|s| &s.title_en, " vs ", ", ");
        prov.scenario_sha256 = std::iter::once(base.sha256.as_str())
            .chain(revs.iter().map(|(s, _)| s.sha256.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        target.record(&mut prov);
        selection.record(&mut prov);
        let run = mcstress_report::run_json(&prov)?.into_bytes();
        // The names borrowed from the provenance's list, the bytes moved.
        let mut outputs: Vec<(&str, Vec<u8>)> =
            prov.files.iter().map(String::as_str).zip(files.into_iter().map(|(_, b)| b)).collect();
        outputs.push(("run.json", run));
        dir.write_outputs(&outputs)?;
    }
    let shown = match (a.json, texts.len()) {
        (true, 1) => texts[0].clone(),
        (true, _) => {
            format!("[\n{}\n]\n", texts.iter().map(|t| t.trim_end()).collect::<Vec<_>>().join(",\n"))
        }
        (false, _) => comparisons.iter().map(mcstress_report::compare_text).collect::<Vec<_>>().join("\n"),
    };
    emit(out, &shown)?;
    if let Some(note) = source.merge_note() {
        let _ = writeln!(err, "{note}");
    } else if !a.json {
        let _ = writeln!(err, "simulated {} × {} paths in {:.1} s", models.len(), cfg.paths, elapsed);
    }
    target.warn(err);
    Ok(EXIT_OK)
}

/// Writes a result to standard output. A reader that stopped early
/// (`| head`) is not a failure.
pub(crate) fn emit(out: &mut dyn Write, text: &str) -> anyhow::Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

fn stress_cmd(
    a: StressArgs,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut source: Source,
) -> anyhow::Result<u8> {
    let (loaded, file_name) =
        load_scenario_with(Some(&a.scenario), a.sim.variant.as_deref(), &settings(&a.set)?)?;
    let (scenario, shock) = with_shock(loaded.scenario, a.shock.as_deref())?;
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
    let selection = Selection::of(&a.only, &scenario)?;
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let cfg = run_config(&a.sim, &scenario);
    source.check_paths(cfg.paths)?;
    let model = selection.apply(Model::prepare(&scenario))?;
    let started = Instant::now();
    let keep = keep_for(&out_dir);
    let Some(paths) =
        simulate(&mut source, &model, &scenario.sha256, cfg, &a.target, quiet, keep, out_dir.as_ref())?
    else {
        return source.finish_shard("stress", out_dir.as_ref(), err);
    };
    let cfg = RunConfig { paths: paths.len() as u32, ..cfg };
    let target = TargetOutcome::of(&a.target, paths.len(), || mcstress_engine::headline_se(paths.figures()));
    let w = WatchThresholds {
        exhaustion_probability: a.watch_exhaustion,
        fund_cover_ratio: a.watch_cover,
        peak_overdue_rate: a.watch_overdue,
    };
    let elapsed = source.elapsed(started);
    let mut st = mcstress_engine::stress(&model, cfg.seed, paths.figures(), w);
    st.name_worst_townships(&model, &paths.township_peak_means());
    st.shock = a.shock.clone();
    let json = mcstress_report::stress_json(&st)?;
    if let Some(dir) = &out_dir {
        // The stress table already holds the run's summary.
        let summary_text = mcstress_report::summary_json(&st.summary)?;
        let mut files = vec![("stress.json", json.clone().into_bytes())];
        files.extend(run_files(&model, &paths, &st.summary, &summary_text)?);
        let mut prov = provenance("stress", &scenario, file_name, cfg, elapsed, model.loans_start(), &files);
        prov.settings = a.set.clone();
        selection.record(&mut prov);
        prov.shock = shock.clone();
        target.record(&mut prov);
        files.push(("run.json", mcstress_report::run_json(&prov)?.into_bytes()));
        dir.write_outputs(&files)?;
    }
    let text = if a.json { json } else { mcstress_report::stress_text(&st) };
    emit(out, &text)?;
    if let Some(note) = source.merge_note() {
        let _ = writeln!(err, "{note}");
    } else if !a.json {
        let _ = writeln!(err, "simulated {} paths in {elapsed:.1} s", cfg.paths);
    }
    target.warn(err);
    Ok(EXIT_OK)
}

/// The scenario under `--shock NAME[:SEVERITY]`, if given, and the shock
/// as applied (severity included) for the provenance.
fn with_shock(
    scenario: mcstress_scenario::Scenario,
    spec: Option<&str>,
) -> anyhow::Result<(mcstress_scenario::Scenario, Option<String>)> {
    let Some(spec) = spec else { return Ok((scenario, None)) };
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
        None => (spec, 1.0),
    };
    let scenario = scenario.with_shock(name, severity).map_err(|e| InputError(format!("--shock: {e}")))?;
    Ok((scenario, Some(format!("{name}:{severity}"))))
}

/// The most a tilt may shift a factor's monthly innovation, in standard
/// deviations: beyond it the weights of a 12-month horizon already
/// collapse (an effective sample size of a few paths).
const MAX_TILT: f64 = 2.0;

fn rare_cmd(a: RareArgs, quiet: bool, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let (loaded, file_name) =
        load_scenario_with(a.scenario.as_deref(), a.sim.variant.as_deref(), &settings(&a.set)?)?;
    let (scenario, shock) = with_shock(loaded.scenario, a.shock.as_deref())?;
    for (flag, v) in
        [("--tilt", a.tilt), ("--county-tilt", a.county_tilt), ("--township-tilt", a.township_tilt)]
    {
        if !(v.is_finite() && v.abs() <= MAX_TILT) {
            return Err(InputError(format!(
                "{flag}: expected a shift from -{MAX_TILT} to {MAX_TILT} standard deviations, found {v}"
            ))
            .into());
        }
    }
    let county = match &a.county {
        None => None,
        Some(code) => {
            Some(scenario.counties.iter().position(|c| c.code.to_string() == *code).ok_or_else(|| {
                InputError(format!(
                    "--county {code}: not a county of the scenario (expected a division code of it)"
                ))
            })?)
        }
    };
    let selection = Selection::of(&a.only, &scenario)?;
    if let (Some(c), Some(keep)) = (county, &selection.keep)
        && !keep.contains(&c)
    {
        return Err(InputError(format!(
            "--counties: the county of --county ({}) must be among the counties simulated",
            scenario.counties[c].code
        ))
        .into());
    }
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let cfg = run_config(&a.sim, &scenario);
    let mut model = Model::prepare(&scenario);
    model.tilt = mcstress_engine::FactorTilt {
        province: a.tilt,
        county: county.map(|c| (c, a.county_tilt)),
        townships: a.township_tilt,
    };
    let model = selection.apply(model)?;
    // The chosen county's index among the counties simulated.
    let county = model.tilt.county.map(|(c, _)| c);
    let started = Instant::now();
    let bar = Progress::new(u64::from(cfg.paths), quiet);
    let tick = || bar.tick();
    let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
    let target = match (a.target_se, a.target_rse) {
        (Some(x), _) => Some((positive_target(x)?, false)),
        (None, Some(r)) => Some((
            positive_target(r)
                .map_err(|_| InputError(format!("--target-rse: expected a positive number, found {r}")))?,
            true,
        )),
        (None, None) => None,
    };
    let paths = match (target, county) {
        (Some((x, relative)), Some(c)) => {
            let first = RunConfig { paths: cfg.paths.min(a.max_paths), ..cfg };
            mcstress_engine::run_to_county_target(
                &model,
                first,
                Keep::Figures,
                c,
                x,
                relative,
                a.max_paths,
                cb,
            )?
        }
        _ => mcstress_engine::run_paths(&model, cfg, Keep::Figures, cb)?,
    };
    drop(bar);
    let cfg = RunConfig { paths: paths.len() as u32, ..cfg };
    let elapsed = started.elapsed().as_secs_f64();
    let r = mcstress_engine::rare(&model, cfg.seed, paths.figures());
    let json = mcstress_report::rare_json(&r)?;
    let reached = match (target, county) {
        (Some((x, relative)), Some(c)) => {
            let se = mcstress_engine::county_exhaustion_se(paths.figures(), c, relative);
            Some((x, se, paths.len() >= 30 && se <= x))
        }
        _ => None,
    };
    if let Some(dir) = &out_dir {
        let mut files = vec![("rare.json", json.clone().into_bytes())];
        let mut prov = provenance("rare", &scenario, file_name, cfg, elapsed, model.loans_start(), &files);
        prov.settings = a.set.clone();
        selection.record(&mut prov);
        prov.shock = shock;
        if let Some((x, se, met)) = reached {
            (prov.target_se, prov.headline_se, prov.target_met) = (Some(x), Some(se), Some(met));
        }
        files.push(("run.json", mcstress_report::run_json(&prov)?.into_bytes()));
        dir.write_outputs(&files)?;
    }
    let text = if a.json { json } else { mcstress_report::rare_text(&r, a.county.as_deref()) };
    emit(out, &text)?;
    if !a.json {
        let _ = writeln!(err, "simulated {} paths in {elapsed:.1} s", cfg.paths);
    }
    if let Some((x, se, false)) = reached {
        let what = if a.target_rse.is_some() { "relative standard error" } else { "standard error" };
        let se = if se.is_finite() { format!("{se:.6}") } else { "undefined (no path ran out)".to_string() };
        let _ = writeln!(
            err,
            "warning: target {x} not met: --max-paths {} stopped the run at {} paths with a {what} of {se}",
            a.max_paths,
            paths.len()
        );
    }
    Ok(EXIT_OK)
}

/// What a run keeps of its paths: the monthly bands only when an output
/// directory will hold `monthly.csv`.
fn keep_for(out_dir: &Option<OutDir>) -> Keep {
    if out_dir.is_some() { Keep::MonthlyBands } else { Keep::Figures }
}

/// The paths of a run or stress (from a scenario whose hash is `sha256`):
/// those asked for, or — with `--target-se` — as many as the target needs,
/// folded as they complete (memory bounded in paths); read from the
/// shards for a merge; `None` for a shard, whose paths went to `out`.
#[allow(clippy::too_many_arguments)]
fn simulate(
    source: &mut Source,
    model: &Model,
    sha256: &str,
    cfg: RunConfig,
    t: &TargetArgs,
    quiet: bool,
    keep: Keep,
    out: Option<&OutDir>,
) -> anyhow::Result<Option<RunPaths>> {
    match t.target_se {
        // `--shard` refuses `--target-se`, so a target is only ever met
        // by simulating every path here.
        Some(x) if source.simulates_all() => {
            let x = positive_target(x)?;
            let bar = Progress::new(u64::from(cfg.paths), quiet);
            let tick = || bar.tick();
            let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
            let first = RunConfig { paths: cfg.paths.min(t.max_paths), ..cfg };
            Ok(Some(mcstress_engine::run_to_target(model, first, keep, x, t.max_paths, cb)?))
        }
        _ => source.paths(0, model, sha256, cfg, keep, quiet, out),
    }
}

/// How a `--target-se` run ended: `None` without `--target-se`.
struct TargetOutcome(Option<TargetReached>);

/// The target, the paths run and the headline standard error they gave.
struct TargetReached {
    target: f64,
    max_paths: u32,
    paths: usize,
    se: f64,
    met: bool,
}

impl TargetOutcome {
    /// The outcome of `paths` paths whose headline standard error is
    /// `se()`, judged as the engine stops: met with at least 30 paths and
    /// a standard error at most the target.
    fn of(t: &TargetArgs, paths: usize, se: impl FnOnce() -> f64) -> TargetOutcome {
        TargetOutcome(t.target_se.map(|target| {
            let se = se();
            TargetReached { target, max_paths: t.max_paths, paths, se, met: paths >= 30 && se <= target }
        }))
    }

    /// Records the target and whether it was met in `run.json`.
    fn record(&self, prov: &mut RunProvenance) {
        if let Some(r) = &self.0 {
            prov.target_se = Some(r.target);
            prov.headline_se = Some(r.se);
            prov.target_met = Some(r.met);
        }
    }

    /// Warns on `err` when `--max-paths` stopped the run short of the target.
    fn warn(&self, err: &mut dyn Write) {
        let Some(r) = self.0.as_ref().filter(|r| !r.met) else { return };
        let se = if r.se.is_finite() {
            format!("{:.6}", r.se)
        } else {
            "undefined (a standard error needs two paths)".to_string()
        };
        let few = if r.paths < 30 { "; fewer than 30 paths never meet it" } else { "" };
        let _ = writeln!(
            err,
            "warning: --target-se {} not met: --max-paths {} stopped the run at {} paths with a headline \
             standard error of {se}{few}",
            r.target, r.max_paths, r.paths
        );
    }
}

fn positive_target(x: f64) -> Result<f64, InputError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(InputError(format!("--target-se: expected a positive number, found {x}")))
    }
}

/// What differs between two scenarios that `compare` needs alike.
fn mismatch(base: &mcstress_scenario::Scenario, rev: &mcstress_scenario::Scenario) -> String {
    let codes = |s: &mcstress_scenario::Scenario| s.counties.iter().map(|c| c.code).collect::<Vec<_>>();
    let mut what = Vec::new();
    if codes(base) != codes(rev) {
        what.push(format!("counties ({} against {})", base.counties.len(), rev.counties.len()));
    }
    if base.start != rev.start {
        what.push(format!("start ({} against {})", base.start, rev.start));
    }
    if base.horizon_months != rev.horizon_months {
        what.push(format!("horizon ({} against {} months)", base.horizon_months, rev.horizon_months));
    }
    what.join(", ")
}

/// The files of a run's output directory, without `run.json`.
fn run_files(
    model: &Model,
    paths: &RunPaths,
    summary: &mcstress_engine::Summary,
    summary_text: &str,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let ids: Vec<String> = summary.counties.iter().map(|c| c.id.clone()).collect();
    let rows = mcstress_engine::monthly_rows(model, paths)
        .context("internal error: the run kept no monthly bands for monthly.csv")?;
    let mut monthly = Vec::new();
    mcstress_report::write_monthly_csv(&mut monthly, &rows, &ids)?;
    let mut counties = Vec::new();
    mcstress_report::write_counties_csv(&mut counties, summary)?;
    let mut paths_csv = Vec::new();
    mcstress_report::write_paths_csv(&mut paths_csv, paths.figures())?;
    let towns = mcstress_engine::township_rows(model, paths)
        .context("internal error: the run kept no township rates for townships.csv")?;
    let mut townships = Vec::new();
    mcstress_report::write_townships_csv(&mut townships, &towns, &ids)?;
    Ok(vec![
        ("summary.json", summary_text.as_bytes().to_vec()),
        ("monthly.csv", monthly),
        ("counties.csv", counties),
        ("paths.csv", paths_csv),
        ("townships.csv", townships),
    ])
}

/// `run.json` for an output directory holding `files` (and `run.json`).
fn provenance(
    command: &'static str,
    scenario: &mcstress_scenario::Scenario,
    file_name: String,
    cfg: RunConfig,
    elapsed: f64,
    loans_start: u64,
    files: &[(&'static str, Vec<u8>)],
) -> RunProvenance {
    RunProvenance {
        schema: "mcstress.run/1",
        command,
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        scenario: scenario.name.clone(),
        title_zh: scenario.title_zh.clone(),
        title_en: scenario.title_en.clone(),
        shock: None,
        scenario_file: file_name,
        scenario_sha256: scenario.sha256.clone(),
        variant: scenario.variant.clone(),
        settings: Vec::new(),
        seed: cfg.seed,
        paths: cfg.paths,
        version: env!("CARGO_PKG_VERSION"),
        threads: mcstress_engine::threads_for(cfg.threads),
        elapsed_seconds: elapsed,
        loans_start,
        horizon_months: scenario.horizon_months,
        files: files.iter().map(|(n, _)| n.to_string()).chain(["run.json".to_string()]).collect(),
        target_se: None,
        headline_se: None,
        target_met: None,
        counties_simulated: None,
        counties_in_scenario: None,
    }
}

/// The counties `--counties` selects of a scenario (all without it).
struct Selection {
    /// Their indices, increasing; `None`: all.
    keep: Option<Vec<usize>>,
    /// Their division codes, in that order.
    codes: Vec<String>,
    /// The scenario's counties.
    of: usize,
}

impl Selection {
    /// Reads `--counties` against `scenario`: each code a county's, or a
    /// prefecture's (all its counties).
    fn of(only: &CountiesArg, scenario: &mcstress_scenario::Scenario) -> anyhow::Result<Selection> {
        let of = scenario.counties.len();
        if only.counties.is_empty() {
            return Ok(Selection { keep: None, codes: Vec::new(), of });
        }
        let mut keep = Vec::new();
        for code in &only.counties {
            let code = code.trim();
            if code.is_empty() {
                return Err(InputError(format!(
                    "--counties {}: expected division codes separated by commas, found an empty one",
                    only.counties.join(",")
                ))
                .into());
            }
            if let Some(c) = scenario.counties.iter().position(|c| c.code.to_string() == code) {
                keep.push(c);
            } else if let Some(r) = scenario.prefectures.iter().position(|p| format!("{:06}", p.code) == code)
            {
                let before = keep.len();
                keep.extend((0..of).filter(|&c| scenario.counties[c].prefecture == r));
                if keep.len() == before {
                    return Err(InputError(format!(
                        "--counties {code}: the prefecture has no county in the scenario {}",
                        scenario.name
                    ))
                    .into());
                }
            } else {
                return Err(InputError(format!(
                    "--counties {code}: expected the division code of a county or a prefecture of the scenario \
                     {} (counties such as {}, prefectures such as {}), found none with this code",
                    scenario.name,
                    scenario.counties.first().map_or(String::new(), |c| c.code.to_string()),
                    scenario.prefectures.first().map_or(String::new(), |p| format!("{:06}", p.code)),
                ))
                .into());
            }
        }
        keep.sort_unstable();
        keep.dedup();
        let codes = keep.iter().map(|&c| scenario.counties[c].code.to_string()).collect();
        Ok(Selection { keep: Some(keep), codes, of })
    }

    /// The model of the selected counties (`m` itself without a selection).
    fn apply(&self, m: Model) -> anyhow::Result<Model> {
        let Some(keep) = &self.keep else { return Ok(m) };
        let (name, n) = (m.scenario.name.clone(), m.scenario.counties.len());
        m.restrict(keep).ok_or_else(|| {
            InputError(format!(
                "--counties: the counties selected ({}) are not counties of the scenario {name} ({n} counties)",
                self.codes.join(",")
            ))
            .into()
        })
    }

    /// Records the selection in `run.json`.
    fn record(&self, prov: &mut RunProvenance) {
        if self.keep.is_some() {
            prov.counties_simulated = Some(self.codes.clone());
            prov.counties_in_scenario = Some(self.of);
        }
    }

    /// " of K of N counties" for the timing note, empty without a selection.
    fn note(&self) -> String {
        match &self.keep {
            Some(k) => format!(" of {} of the scenario's {} counties", k.len(), self.of),
            None => String::new(),
        }
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

fn sweep_cmd(
    a: SweepArgs,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut source: Source,
) -> anyhow::Result<u8> {
    let axes: Vec<Axis> = a.set.iter().map(|s| parse_axis(s)).collect::<Result<_, _>>()?;
    if axes.len() > 2 {
        return Err(InputError(format!(
            "sweep takes one --set (a line) or two (a grid), found {}",
            axes.len()
        ))
        .into());
    }
    if axes.len() == 2 && axes[0].field == axes[1].field {
        return Err(InputError(format!("--set {} is given twice", axes[0].field)).into());
    }
    let shape: Vec<usize> = axes.iter().map(|x| x.texts.len()).collect();
    let total: usize = shape.iter().product();
    if total > MAX_POINTS {
        return Err(InputError(format!("the grid has {total} points, more than {MAX_POINTS}")).into());
    }
    let variant = a.sim.variant.as_deref();
    let (base, file_name) = load_scenario(a.scenario.as_deref(), variant)?;
    let base = base.scenario;
    // Every point is loaded (and so validated) before anything runs: a bad
    // value at the end of the grid must not cost the whole sweep.
    let mut points = Vec::with_capacity(total);
    for i in 0..total {
        let idx = if axes.len() == 2 { vec![i / shape[1], i % shape[1]] } else { vec![i] };
        let settings: Vec<mcstress_scenario::Setting> = axes
            .iter()
            .zip(&idx)
            .map(|(x, &j)| mcstress_scenario::Setting { field: x.field.clone(), value: x.texts[j].clone() })
            .collect();
        let (loaded, _) = load_scenario_with(a.scenario.as_deref(), variant, &settings)?;
        let mut values = serde_json::Map::new();
        for (x, &j) in axes.iter().zip(&idx) {
            values.insert(x.field.clone(), number(x.numbers[j], &x.texts[j]));
        }
        points.push((values, loaded.scenario));
    }
    let selection = Selection::of(&a.only, &base)?;
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let cfg = run_config(&a.sim, &base);
    source.check_paths(cfg.paths)?;
    let started = Instant::now();
    let mut first = None;
    let mut loans_start = 0;
    let mut done = Vec::with_capacity(total);
    // A shard shows its own bar, over its share of each point's paths.
    let bar = Progress::new(total as u64 * u64::from(cfg.paths), quiet || !source.simulates_all());
    let tick = || bar.tick();
    let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
    // Points that differ only in how losses are shared (a sweep of the
    // fund's share, a cap, a top-up) have their loans simulated once, a few
    // points at a time (each held point costs memory); so do a shard's.
    let mut points = points.into_iter().peekable();
    let mut k = 0;
    while let Some(head) = points.next() {
        let mut group = vec![head];
        while group.len() <= MAX_SHARED_POINTS
            && points.peek().is_some_and(|(_, s)| mcstress_engine::shares_loans(&group[0].1, s))
        {
            group.extend(points.next());
        }
        let models: Vec<Model> =
            group.iter().map(|(_, s)| selection.apply(Model::prepare(s))).collect::<Result<_, _>>()?;
        if k == 0 {
            loans_start = models[0].loans_start();
        }
        let refs: Vec<&Model> = models.iter().collect();
        let runs = if source.simulates_all() {
            mcstress_engine::run_paths_shared(&refs, cfg, Keep::Figures, cb)?.0
        } else {
            let shas: Vec<&str> = group.iter().map(|(_, s)| s.sha256.as_str()).collect();
            source.paths_of_rule_sets(k, &refs, &shas, cfg, Keep::Figures, quiet, out_dir.as_ref())?
        };
        k += group.len();
        for (((values, _), model), paths) in group.into_iter().zip(&models).zip(runs) {
            done.push(mcstress_engine::sweep_point(model, cfg.seed, values, paths.figures(), &mut first));
        }
    }
    drop(bar);
    if done.is_empty() {
        return source.finish_shard("sweep", out_dir.as_ref(), err);
    }
    let elapsed = source.elapsed(started);
    let sweep = mcstress_engine::Sweep {
        schema: mcstress_engine::SWEEP_SCHEMA,
        scenario: mcstress_engine::RuleSetName::of(&base),
        fields: axes.iter().map(|x| x.field.clone()).collect(),
        shape,
        paths: cfg.paths,
        seed: cfg.seed,
        points: done,
    };
    let json = mcstress_report::sweep_json(&sweep)?;
    if let Some(dir) = &out_dir {
        let mut files = vec![("sweep.json", json.clone().into_bytes())];
        let mut prov = provenance("sweep", &base, file_name, cfg, elapsed, loans_start, &files);
        selection.record(&mut prov);
        files.push(("run.json", mcstress_report::run_json(&prov)?.into_bytes()));
        dir.write_outputs(&files)?;
    }
    let text = if a.json { json } else { mcstress_report::sweep_text(&sweep) };
    emit(out, &text)?;
    if let Some(note) = source.merge_note() {
        let _ = writeln!(err, "{note}");
    } else if !a.json {
        let _ = writeln!(err, "simulated {total} × {} paths in {elapsed:.1} s", cfg.paths);
    }
    Ok(EXIT_OK)
}

/// The most sweep points simulated on one point's loans at once, besides
/// it: each holds its funds and kept county states per worker thread
/// (about 65 MB for the default scenario on 2 threads).
const MAX_SHARED_POINTS: usize = 8;

/// A swept value as JSON: an integer when it was written as one.
fn number(x: f64, text: &str) -> serde_json::Value {
    match text.parse::<i64>() {
        Ok(i) => serde_json::Value::from(i),
        Err(_) => serde_json::Value::from(x),
    }
}

fn breakpoint_cmd(
    a: BreakpointArgs,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    if !(a.target > 0.0 && a.target <= 1.0) {
        return Err(
            InputError(format!("--target: expected a probability in (0, 1], found {}", a.target)).into()
        );
    }
    if !(a.step.is_finite() && a.step > 0.0) {
        return Err(InputError(format!("--step: expected a positive number, found {}", a.step)).into());
    }
    if !(a.max_severity.is_finite() && a.max_severity >= a.step && a.max_severity <= 100.0) {
        return Err(InputError(format!(
            "--max-severity: expected a number from --step ({}) to 100, found {}",
            a.step, a.max_severity
        ))
        .into());
    }
    if !(a.topup_severity.is_finite() && (0.0..=100.0).contains(&a.topup_severity)) {
        return Err(InputError(format!(
            "--topup-severity: expected a number from 0 to 100, found {}",
            a.topup_severity
        ))
        .into());
    }
    let severities = severity_grid(a.max_severity, a.step)?;
    let (loaded, file_name) =
        load_scenario_with(Some(&a.scenario), a.sim.variant.as_deref(), &settings(&a.set)?)?;
    let scenario = loaded.scenario;
    // The shock name is checked before anything runs.
    scenario.with_shock(&a.shock, 1.0).map_err(|e| InputError(format!("--shock: {e}")))?;
    let selection = Selection::of(&a.only, &scenario)?;
    let out_dir = a.out.as_deref().map(OutDir::lock).transpose()?;
    let bc = mcstress_engine::BreakpointConfig {
        shock: a.shock.clone(),
        target: a.target,
        severities,
        topup_severity: a.topup_severity,
        topup_tolerance: 0.01,
        counties: selection.keep.clone(),
    };
    let cfg = run_config(&a.sim, &scenario);
    let started = Instant::now();
    let bar = Progress::new(bc.severities.len() as u64 * u64::from(cfg.paths), quiet);
    let tick = || bar.tick();
    let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
    let bp = mcstress_engine::breakpoint(&scenario, &bc, cfg, cb)?;
    drop(bar);
    let elapsed = started.elapsed().as_secs_f64();
    let json = mcstress_report::breakpoint_json(&bp)?;
    if let Some(dir) = &out_dir {
        let mut files = vec![("breakpoint.json", json.clone().into_bytes())];
        let mut prov = provenance("breakpoint", &scenario, file_name, cfg, elapsed, bp.loans_start, &files);
        prov.settings = a.set.clone();
        prov.shock = Some(a.shock.clone());
        selection.record(&mut prov);
        files.push(("run.json", mcstress_report::run_json(&prov)?.into_bytes()));
        dir.write_outputs(&files)?;
    }
    let text = if a.json { json } else { mcstress_report::breakpoint_text(&bp) };
    emit(out, &text)?;
    if !a.json {
        let _ = writeln!(
            err,
            "{} evaluations × {} paths{} in {elapsed:.1} s",
            bp.evaluations,
            cfg.paths,
            selection.note()
        );
    }
    Ok(EXIT_OK)
}

/// Most severities `breakpoint` evaluates.
const MAX_SEVERITIES: usize = 200;

/// The severity grid of `breakpoint`: 0, step, 2 × step, … up to
/// `max_severity`, refused when it would hold more than [`MAX_SEVERITIES`]
/// severities. The count checked is the length of the grid built.
fn severity_grid(max_severity: f64, step: f64) -> Result<Vec<f64>, InputError> {
    // The 1e-9 lets 0.3 / 0.1 reach its last step despite binary rounding.
    let steps = (max_severity / step + 1e-9).floor();
    let count = steps + 1.0;
    if count > MAX_SEVERITIES as f64 {
        let count = if count < 1e12 { format!("{count}") } else { format!("about {count:.0e}") };
        let (max, step) = (short(max_severity), short(step));
        return Err(InputError(format!(
            "--max-severity {max} with --step {step} gives {count} severities (0 to {max} in steps of \
             {step}), more than {MAX_SEVERITIES}; use a larger --step"
        )));
    }
    let grid: Vec<f64> = (0..=steps as usize).map(|i| (i as f64 * step * 1e9).round() / 1e9).collect();
    Ok(grid)
}

/// A number as the user would write it: 1e-300 rather than 300 zeros.
fn short(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() > 16 { format!("{x:e}") } else { plain }
}

fn lang_of(l: LangArg) -> mcstress_report::briefing::Lang {
    match l {
        LangArg::Zh => mcstress_report::briefing::Lang::Zh,
        LangArg::En => mcstress_report::briefing::Lang::En,
    }
}

/// A briefing error caused by the results' content (a label the font
/// cannot draw) is the user's input; anything else is internal.
pub(crate) fn briefing_error(e: mcstress_report::briefing::BriefingError) -> anyhow::Error {
    use mcstress_report::briefing::BriefingError as B;
    match e {
        B::MissingGlyph { .. } | B::Data(_) => InputError(e.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}

/// Locks `output` at once when it is the directory `input` the results
/// are read from, so that no other run can replace them between the
/// reading and the writing; otherwise `None`: a separate output directory
/// is locked (and created) only when there is something to write.
pub(crate) fn lock_if_same(
    input: &std::path::Path,
    output: &std::path::Path,
) -> anyhow::Result<Option<OutDir>> {
    match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        (Ok(a), Ok(b)) if a == b => Ok(Some(OutDir::lock(output)?)),
        _ => Ok(None),
    }
}

fn chart_cmd(a: ChartArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let lang = lang_of(a.lang);
    if let Some(code) = &a.county {
        return crate::county::chart_county(&a.dir, code, lang, a.out.clone(), a.format, out);
    }
    let dir = a.out.clone().unwrap_or_else(|| a.dir.join(format!("charts-{}", lang.code())));
    let held = lock_if_same(&a.dir, &dir)?;
    let (meta, results) = read_results(&a.dir, held.is_some())?;
    let prov = mcstress_report::briefing::provenance(&results, &meta, lang);
    let charts = mcstress_report::briefing::draw_charts(&results, &prov, lang).map_err(briefing_error)?;
    write_charts(&charts, a.format, &dir, held, out)
}

/// Writes `charts` in `format` into `dir` (held already when it is the
/// directory read) and lists the files written.
pub(crate) fn write_charts(
    charts: &[mcstress_report::briefing::Chart],
    format: FormatArg,
    dir: &std::path::Path,
    held: Option<OutDir>,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for c in charts {
        if format != FormatArg::Svg {
            files.push((format!("{}.png", c.name), c.png.clone()));
        }
        if format != FormatArg::Png {
            files.push((format!("{}.svg", c.name), c.svg.clone().into_bytes()));
        }
    }
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let out_dir = match held {
        Some(d) => d,
        None => OutDir::lock(dir)?,
    };
    out_dir.write_files(&refs)?;
    let mut listing = String::new();
    for (n, _) in &files {
        listing.push_str(&format!("{}\n", dir.join(n).display()));
    }
    emit(out, &listing)?;
    Ok(EXIT_OK)
}

fn report_cmd(a: ReportArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let lang = lang_of(a.lang);
    if let Some(code) = &a.county {
        return crate::county::report_county(&a.dir, code, lang, a.out.clone(), out);
    }
    let dir = a.out.clone().unwrap_or_else(|| a.dir.clone());
    let held = lock_if_same(&a.dir, &dir)?;
    let (meta, results) = read_results(&a.dir, held.is_some())?;
    let prov = mcstress_report::briefing::provenance(&results, &meta, lang);
    let charts = mcstress_report::briefing::draw_charts(&results, &prov, lang).map_err(briefing_error)?;
    let html = mcstress_report::briefing::briefing_html(&results, &meta, &prov, &charts, lang)
        .map_err(briefing_error)?;
    let xlsx =
        mcstress_report::briefing::briefing_xlsx(&results, &meta, &prov, lang).map_err(briefing_error)?;
    let out_dir = match held {
        Some(d) => d,
        None => OutDir::lock(&dir)?,
    };
    out_dir.write_files(&[("briefing.html", html.into_bytes()), ("briefing.xlsx", xlsx)])?;
    emit(
        out,
        &format!("{}\n{}\n", dir.join("briefing.html").display(), dir.join("briefing.xlsx").display()),
    )?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_severity_grid_holds_at_most_200_severities_and_the_refusal_counts_them() {
        let g = severity_grid(49.75, 0.25).unwrap();
        assert_eq!((g.len(), g[0], g[199]), (200, 0.0, 49.75));
        assert_eq!(severity_grid(0.3, 0.1).unwrap(), [0.0, 0.1, 0.2, 0.3]);
        for (max, n) in [(50.0, 201), (50.25, 202)] {
            let e = severity_grid(max, 0.25).unwrap_err().to_string();
            assert!(e.contains(&format!("gives {n} severities")), "{e}");
        }
        let e = severity_grid(100.0, 1e-300).unwrap_err().to_string();
        assert!(e.contains("--step 1e-300 gives about 1e302 severities"), "{e}");
    }
}
