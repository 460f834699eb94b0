//! Shards of a command on several machines, and their merge.
//!
//! `run`, `compare`, `stress` and `sweep` with `--shard K/N` simulate only
//! paths ⌊K·P/N⌋ to ⌊(K+1)·P/N⌋ − 1 of the command's P paths (K counts
//! from 0, as Slurm's array task ids and Kubernetes' completion indexes
//! do) and write, instead of their outputs, a shard directory: one file of
//! paths per simulated rule set or sweep point, each path trimmed to what
//! the fold reads ([`PathResult::trimmed_for`]), and `shard.json`, written
//! last, describing them. `mcstress merge` reads the shards in path order
//! and folds their paths exactly as a single run folds its paths as they
//! complete; since path `p` is drawn from (seed, `p`) alone, every output is
//! byte for byte that of the single run, but for `run.json`'s date,
//! threads and elapsed time, which record the machine and the moment.
//!
//! A paths file holds, for each path in order, its length in bytes (`u32`,
//! little-endian) and the path in postcard's encoding (integers as
//! varints, floats as their 8 bytes, so nothing is rounded). `shard.json`
//! records each file's path count, size and SHA-256, checked on merging.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use mcstress_engine::{Keep, Model, PathResult, RunConfig, RunPaths};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::InputError;
pub use crate::args::{MAX_SHARDS, ShardSpec};
use crate::files::OutDir;
use crate::progress::Progress;

/// `schema` of `shard.json`.
pub const SHARD_SCHEMA: &str = "mcstress.shard/1";
/// The file that marks a complete shard directory.
pub const MANIFEST: &str = "shard.json";
/// One simulated rule set or sweep point of a shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    /// The paths file, in the shard directory.
    pub file: String,
    /// The SHA-256 of the scenario the paths were simulated from.
    pub scenario_sha256: String,
    /// Paths in the file.
    pub paths: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// `shard.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SHARD_SCHEMA`].
    pub schema: String,
    /// The mcstress version that wrote the shard; merged only by the same.
    pub version: String,
    /// The command (`run`, `compare`, `stress`, `sweep`).
    pub command: String,
    /// The command line without `--shard` and `--out` (the same for every
    /// shard of a command).
    pub argv: Vec<String>,
    /// The working directory the command ran in (relative scenario paths
    /// are read from it when merging).
    pub cwd: String,
    /// K.
    pub shard: u32,
    /// N.
    pub shards: u32,
    /// Paths of the whole command.
    pub paths: u32,
    /// Master seed.
    pub seed: u64,
    /// The shard's first path (0-based) and one past its last.
    pub first_path: u64,
    /// One past the shard's last path.
    pub end_path: u64,
    /// What the paths carry: `monthly-bands` (for an output directory) or
    /// `figures`.
    pub keep: String,
    /// Wall time of the shard's simulation, seconds.
    pub elapsed_seconds: f64,
    /// Worker threads of the shard.
    pub threads: usize,
    /// The simulated rule sets or sweep points, in the command's order.
    pub runs: Vec<RunFile>,
}

/// Where a command's paths come from.
pub(crate) enum Source {
    /// Simulated here, all of them.
    Simulate,
    /// Simulated here, one shard of them, written to the output directory.
    Shard(Box<ShardWriter>),
    /// Read from shard directories.
    Merge(Merged),
}

/// A shard being written.
pub(crate) struct ShardWriter {
    spec: ShardSpec,
    argv: Vec<String>,
    cwd: String,
    runs: Vec<RunFile>,
    started: Instant,
    simulated: f64,
    threads: usize,
    cfg: Option<RunConfig>,
    keep: Option<Keep>,
}

/// Shard directories being merged, in shard order.
pub(crate) struct Merged {
    shards: Vec<(PathBuf, Manifest)>,
}

fn keep_name(keep: Keep) -> &'static str {
    match keep {
        Keep::MonthlyBands => "monthly-bands",
        Keep::Figures => "figures",
    }
}

impl Source {
    /// A shard `spec` of the command line `argv` (with `--shard` and
    /// `--out`), run in `cwd`.
    pub fn shard(spec: ShardSpec, argv: &[String], cwd: String) -> Source {
        Source::Shard(Box::new(ShardWriter {
            spec,
            argv: strip_shard_and_out(argv),
            cwd,
            runs: Vec::new(),
            started: Instant::now(),
            simulated: 0.0,
            threads: 0,
            cfg: None,
            keep: None,
        }))
    }

    /// Whether the paths are simulated here in full (where `--target-se`
    /// may add paths).
    pub fn simulates_all(&self) -> bool {
        matches!(self, Source::Simulate)
    }

    /// Refuses a shard of fewer paths than shards.
    pub fn check_paths(&self, paths: u32) -> anyhow::Result<()> {
        if let Source::Shard(w) = self
            && w.spec.count > paths
        {
            return Err(InputError(format!(
                "--shard {}/{}: more shards than the {paths} paths to share among them",
                w.spec.index, w.spec.count
            ))
            .into());
        }
        Ok(())
    }

    /// The paths of the command's run `run` (0 for `run` and `stress`,
    /// the rule set for `compare`, the point for `sweep`) of model `m`
    /// (from a scenario whose hash is `sha256`), folded keeping `keep`:
    /// simulated, or read from the shards. `None` for a shard, whose
    /// paths went to `out` (the shard directory).
    #[allow(clippy::too_many_arguments)]
    pub fn paths(
        &mut self,
        run: usize,
        m: &Model,
        sha256: &str,
        cfg: RunConfig,
        keep: Keep,
        quiet: bool,
        out: Option<&OutDir>,
    ) -> anyhow::Result<Option<RunPaths>> {
        match self {
            Source::Simulate => {
                let bar = Progress::new(u64::from(cfg.paths), quiet);
                let tick = || bar.tick();
                let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
                Ok(Some(mcstress_engine::run_paths(m, cfg, keep, cb)?))
            }
            Source::Shard(w) => {
                let out = out.context("internal error: a shard without its directory")?;
                w.write_runs(run, &[m], &[sha256], cfg, keep, quiet, out)?;
                Ok(None)
            }
            Source::Merge(g) => Ok(Some(g.read_run(run, m, sha256, cfg, keep)?)),
        }
    }

    /// [`Source::paths`] of several rule sets or sweep points, runs
    /// `first`, `first + 1`, …: a shard simulates those of `models[1..]`
    /// that differ from `models[0]` only in how losses are shared on its
    /// loans, as a whole comparison or sweep does; the files are those of
    /// each simulated alone. Empty for a shard.
    #[allow(clippy::too_many_arguments)]
    pub fn paths_of_rule_sets(
        &mut self,
        first: usize,
        models: &[&Model],
        shas: &[&str],
        cfg: RunConfig,
        keep: Keep,
        quiet: bool,
        out: Option<&OutDir>,
    ) -> anyhow::Result<Vec<RunPaths>> {
        match self {
            Source::Shard(w) => {
                let out = out.context("internal error: a shard without its directory")?;
                w.write_runs(first, models, shas, cfg, keep, quiet, out)?;
                Ok(Vec::new())
            }
            _ => {
                let mut runs = Vec::with_capacity(models.len());
                for (k, (m, sha)) in models.iter().zip(shas).enumerate() {
                    runs.extend(self.paths(first + k, m, sha, cfg, keep, quiet, out)?);
                }
                Ok(runs)
            }
        }
    }

    /// Seconds the command's simulation took: since `started`, or for a
    /// merge the shards' simulations summed.
    pub fn elapsed(&self, started: Instant) -> f64 {
        match self {
            Source::Merge(g) => g.shards.iter().map(|(_, s)| s.elapsed_seconds).sum(),
            _ => started.elapsed().as_secs_f64(),
        }
    }

    /// For a merge, the note on standard error that replaces the
    /// command's own timing note.
    pub fn merge_note(&self) -> Option<String> {
        let Source::Merge(g) = self else { return None };
        let (_, first) = g.shards.first()?;
        Some(format!(
            "merged {} shards of {} paths (simulated in {:.1} s, summed over the shards)",
            g.shards.len(),
            first.paths,
            g.shards.iter().map(|(_, s)| s.elapsed_seconds).sum::<f64>()
        ))
    }

    /// Completes a shard: writes `shard.json` (last, so that its presence
    /// marks a complete shard) and says so on `err`.
    pub fn finish_shard(
        &self,
        command: &str,
        out: Option<&OutDir>,
        err: &mut dyn Write,
    ) -> anyhow::Result<u8> {
        let Source::Shard(w) = self else { anyhow::bail!("internal error: finishing a shard that is none") };
        let out = out.context("internal error: a shard without its directory")?;
        let cfg = w.cfg.context("internal error: a shard that simulated nothing")?;
        let range = w.spec.range(cfg.paths);
        let manifest = Manifest {
            schema: SHARD_SCHEMA.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            argv: w.argv.clone(),
            cwd: w.cwd.clone(),
            shard: w.spec.index,
            shards: w.spec.count,
            paths: cfg.paths,
            seed: cfg.seed,
            first_path: range.start,
            end_path: range.end,
            keep: keep_name(w.keep.unwrap_or(Keep::Figures)).to_string(),
            elapsed_seconds: w.simulated,
            threads: w.threads,
            runs: w.runs.clone(),
        };
        let text = serde_json::to_string_pretty(&manifest).context("internal error: shard.json")? + "\n";
        out.write_files(&[(MANIFEST, text.into_bytes())])?;
        let _ = writeln!(
            err,
            "shard {}/{}: paths {}–{} of {} simulated in {:.1} s ({:.1} s in all) into {}; merge the {} \
             shards with `mcstress merge DIR… --out DIR`",
            w.spec.index,
            w.spec.count,
            range.start,
            range.end.saturating_sub(1),
            cfg.paths,
            w.simulated,
            w.started.elapsed().as_secs_f64(),
            out.path().display(),
            w.spec.count
        );
        Ok(crate::EXIT_OK)
    }
}

/// `argv` without `--shard K/N` and `--out DIR` (either form).
fn strip_shard_and_out(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut skip = false;
    for a in argv {
        if skip {
            skip = false;
        } else if a == "--shard" || a == "--out" {
            skip = true;
        } else if !(a.starts_with("--shard=") || a.starts_with("--out=")) {
            out.push(a.clone());
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl ShardWriter {
    /// Simulates the shard's paths of `models` (the command's runs
    /// `first`, `first + 1`, …, from scenarios whose hashes are `shas`)
    /// and writes each run's file, then records them. Revisions of the
    /// first model that differ only in how losses are shared ride on its
    /// loans ([`mcstress_engine::simulate_range_shared`]): the same paths,
    /// simulated once.
    #[allow(clippy::too_many_arguments)]
    fn write_runs(
        &mut self,
        first: usize,
        models: &[&Model],
        shas: &[&str],
        cfg: RunConfig,
        keep: Keep,
        quiet: bool,
        out: &OutDir,
    ) -> anyhow::Result<()> {
        if first == 0 {
            // A stale manifest must not vouch for the files being replaced.
            out.remove_marker(MANIFEST)?;
            out.remove_marker("run.json")?;
        }
        let range = self.spec.range(cfg.paths);
        let names: Vec<String> = (0..models.len()).map(|k| format!("paths-{}.bin", first + k)).collect();
        let mut tmps = Vec::with_capacity(names.len());
        let mut writers = Vec::with_capacity(names.len());
        for name in &names {
            let (tmp, file) = match out.create_temporary(name) {
                Ok(x) => x,
                Err(e) => {
                    remove_all(&tmps);
                    return Err(e);
                }
            };
            tmps.push(tmp);
            writers.push(Hashing { inner: BufWriter::new(file), hash: Sha256::new(), bytes: 0 });
        }
        let mut failed: Option<(usize, anyhow::Error)> = None;
        let mut written = vec![0u64; models.len()];
        let bar = Progress::new((range.end - range.start) * models.len() as u64, quiet);
        let tick = || bar.tick();
        let cb: Option<&(dyn Fn() + Sync)> = if bar.active() { Some(&tick) } else { None };
        let started = Instant::now();
        let sim =
            mcstress_engine::simulate_range_shared(models, cfg, range.clone(), cb, &mut |k, p, path| {
                if failed.is_some() {
                    return;
                }
                let path = path.trimmed_for(keep, p);
                let w = &mut writers[k];
                let r = postcard::to_stdvec(&path).map_err(anyhow::Error::from).and_then(|bytes| {
                    let len = u32::try_from(bytes.len()).context("a path of more than 4 GB")?;
                    w.write_all(&len.to_le_bytes())?;
                    w.write_all(&bytes)?;
                    Ok(())
                });
                match r {
                    Ok(()) => written[k] += 1,
                    Err(e) => failed = Some((k, e)),
                }
            });
        self.simulated += started.elapsed().as_secs_f64();
        let done = match (sim, failed) {
            (Err(e), _) => {
                remove_all(&tmps);
                return Err(
                    InputError(format!("{}: cannot simulate the shard: {e}", out.path().display())).into()
                );
            }
            (Ok(()), Some(f)) => Err(f),
            (Ok(()), None) => writers.iter_mut().enumerate().try_for_each(|(k, w)| {
                w.flush().and_then(|()| w.inner.get_ref().sync_all()).map_err(|e| (k, anyhow::Error::from(e)))
            }),
        };
        if let Err((k, e)) = done {
            remove_all(&tmps);
            return Err(
                InputError(format!("{}: cannot write: {e:#}", out.path().join(&names[k]).display())).into()
            );
        }
        for (k, (w, tmp)) in writers.into_iter().zip(&tmps).enumerate() {
            let (bytes, digest) = (w.bytes, hex(&w.hash.finalize()));
            drop(w.inner);
            if let Err(e) = out.put_in_place(tmp, &names[k]) {
                remove_all(&tmps[k + 1..]);
                return Err(e);
            }
            self.runs.push(RunFile {
                file: names[k].clone(),
                scenario_sha256: shas[k].to_string(),
                paths: written[k],
                bytes,
                sha256: digest,
            });
        }
        self.threads = mcstress_engine::threads_for(cfg.threads);
        self.cfg = Some(cfg);
        self.keep = Some(keep);
        Ok(())
    }
}

/// Removes the temporary files of a shard's runs that failed.
fn remove_all(tmps: &[PathBuf]) {
    for t in tmps {
        let _ = std::fs::remove_file(t);
    }
}

impl Merged {
    /// Reads `dirs`' manifests and checks that they are the shards of one
    /// command, each once, all present; returns them in shard order.
    pub fn open(dirs: &[PathBuf]) -> anyhow::Result<Merged> {
        let mut shards: Vec<(PathBuf, Manifest)> = Vec::with_capacity(dirs.len());
        for dir in dirs {
            let at = dir.join(MANIFEST);
            let text = match std::fs::read_to_string(&at) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(InputError(format!(
                        "{}: not a complete shard directory (no {MANIFEST}); expected the --out of a command \
                         run with --shard K/N that finished",
                        dir.display()
                    ))
                    .into());
                }
                Err(e) => return Err(InputError(format!("{}: cannot read: {e}", at.display())).into()),
            };
            let m: Manifest = serde_json::from_str(&text).map_err(|e| {
                InputError(format!("{}:{}:{}: not a shard manifest: {e}", at.display(), e.line(), e.column()))
            })?;
            if m.schema != SHARD_SCHEMA {
                return Err(InputError(format!(
                    "{}: schema: expected {SHARD_SCHEMA:?}, found {:?}",
                    at.display(),
                    m.schema
                ))
                .into());
            }
            if m.shards == 0 || m.shards > MAX_SHARDS || m.shard >= m.shards {
                return Err(InputError(format!(
                    "{}: shard {} of {}: expected shard from 0 to shards − 1 and shards from 1 to {MAX_SHARDS}",
                    at.display(),
                    m.shard,
                    m.shards
                ))
                .into());
            }
            let version = env!("CARGO_PKG_VERSION");
            if m.version != version {
                return Err(InputError(format!(
                    "{}: version: written by mcstress {}, and this is {version}; merge with the version \
                     that simulated the shards",
                    at.display(),
                    m.version
                ))
                .into());
            }
            shards.push((dir.clone(), m));
        }
        let Some((first_dir, first)) = shards.first().cloned() else {
            return Err(InputError("merge needs at least one shard directory".into()).into());
        };
        for (dir, m) in &shards[1..] {
            let differs = |what: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
                InputError(format!(
                    "{} and {} are shards of different commands: {what} {a:?} against {b:?}",
                    first_dir.display(),
                    dir.display()
                ))
            };
            if m.argv != first.argv {
                return Err(differs("command line", &first.argv.join(" "), &m.argv.join(" ")).into());
            }
            if m.cwd != first.cwd {
                return Err(differs("working directory", &first.cwd, &m.cwd).into());
            }
            if m.shards != first.shards {
                return Err(differs("shard count", &first.shards, &m.shards).into());
            }
            if (m.paths, m.seed) != (first.paths, first.seed) {
                return Err(differs("paths and seed", &(first.paths, first.seed), &(m.paths, m.seed)).into());
            }
        }
        shards.sort_by_key(|(_, m)| m.shard);
        for pair in shards.windows(2) {
            if pair[0].1.shard == pair[1].1.shard {
                return Err(InputError(format!(
                    "{} and {} are both shard {}/{}: give each shard once",
                    pair[0].0.display(),
                    pair[1].0.display(),
                    pair[0].1.shard,
                    pair[0].1.shards
                ))
                .into());
            }
        }
        let n = first.shards;
        if shards.len() as u64 != u64::from(n) {
            let have: Vec<u32> = shards.iter().map(|(_, m)| m.shard).collect();
            let missing: Vec<String> =
                (0..n).filter(|k| !have.contains(k)).take(10).map(|k| k.to_string()).collect();
            return Err(InputError(format!(
                "{} of {n} shards given: missing shard {}{} (shards count from 0 to {})",
                shards.len(),
                missing.join(", "),
                if (n as usize - shards.len()) > missing.len() { ", …" } else { "" },
                n - 1
            ))
            .into());
        }
        for (dir, m) in &shards {
            let spec = ShardSpec { index: m.shard, count: n };
            let want = spec.range(m.paths);
            if m.runs.len() != first.runs.len() {
                return Err(InputError(format!(
                    "{}: {MANIFEST} lists {} simulated rule sets or points, {} lists {}",
                    dir.display(),
                    m.runs.len(),
                    shards[0].0.display(),
                    first.runs.len()
                ))
                .into());
            }
            if (m.first_path, m.end_path) != (want.start, want.end) {
                return Err(InputError(format!(
                    "{}: {MANIFEST} does not describe shard {}/{n} of {} paths (paths {}..{}, expected {}..{})",
                    dir.display(),
                    m.shard,
                    m.paths,
                    m.first_path,
                    m.end_path,
                    want.start,
                    want.end
                ))
                .into());
            }
        }
        Ok(Merged { shards })
    }

    /// The command line the shards ran (without `--shard` and `--out`)
    /// and its working directory.
    pub fn command_line(&self) -> (&[String], &str) {
        let m = &self.shards[0].1;
        (&m.argv, &m.cwd)
    }

    fn read_run(
        &self,
        run: usize,
        m: &Model,
        sha256: &str,
        cfg: RunConfig,
        keep: Keep,
    ) -> anyhow::Result<RunPaths> {
        let total = self.shards[0].1.paths;
        if cfg.paths != total || cfg.seed != self.shards[0].1.seed {
            return Err(anyhow::anyhow!(
                "internal error: the merged command asks for {} paths of seed {}, the shards hold {} of seed {}",
                cfg.paths,
                cfg.seed,
                total,
                self.shards[0].1.seed
            ));
        }
        let mut acc = RunPaths::new(m, keep, total as usize);
        for (dir, s) in &self.shards {
            let Some(rf) = s.runs.get(run) else {
                return Err(InputError(format!("{}: {MANIFEST} lists no run {run}", dir.display())).into());
            };
            if rf.scenario_sha256 != sha256 {
                return Err(InputError(format!(
                    "{}: the scenario changed since the shards ran (SHA-256 {}, the shards' {}); merge needs \
                     the scenario files the shards simulated",
                    dir.display(),
                    sha256,
                    rf.scenario_sha256
                ))
                .into());
            }
            if s.keep != keep_name(keep) {
                return Err(InputError(format!(
                    "{}: the shard kept {} but the merge needs {}",
                    dir.display(),
                    s.keep,
                    keep_name(keep)
                ))
                .into());
            }
            read_paths(&dir.join(&rf.file), rf, s.end_path - s.first_path, m, keep, &mut acc)?;
        }
        Ok(acc)
    }
}

/// Folds the paths of one paths file into `acc`, after checking its size
/// and hash against the manifest (so that a damaged file is refused before
/// any of it is read as paths) and each path's shape against the model.
fn read_paths(
    at: &Path,
    rf: &RunFile,
    expected: u64,
    m: &Model,
    keep: Keep,
    acc: &mut RunPaths,
) -> anyhow::Result<()> {
    let bad = |what: String| InputError(format!("{}: {what}; run the shard again", at.display()));
    let open = || File::open(at).map_err(|e| bad(format!("cannot read: {e}")));
    let mut hash = Sha256::new();
    let bytes = std::io::copy(&mut BufReader::new(open()?), &mut hash)
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    let digest = hex(&hash.finalize());
    if bytes != rf.bytes || digest != rf.sha256 {
        return Err(bad(format!(
            "{bytes} bytes with SHA-256 {digest}, the manifest records {} bytes with {}",
            rf.bytes, rf.sha256
        ))
        .into());
    }
    if rf.paths != expected {
        return Err(
            bad(format!("the manifest records {} paths, the shard's range {expected}", rf.paths)).into()
        );
    }
    let shape = Shape::of(m, keep);
    let mut r = BufReader::new(open()?);
    let mut buf = Vec::new();
    let mut count = 0u64;
    loop {
        let mut len = [0u8; 4];
        match r.read(&mut len[..1]) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(bad(format!("cannot read: {e}")).into()),
        }
        r.read_exact(&mut len[1..]).map_err(|_| bad(format!("cut short in path {count}")))?;
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        r.read_exact(&mut buf).map_err(|_| bad(format!("cut short in path {count}")))?;
        let (p, rest): (PathResult, &[u8]) =
            postcard::take_from_bytes(&buf).map_err(|e| bad(format!("path {count} cannot be read: {e}")))?;
        if !rest.is_empty() || !shape.fits(&p) {
            return Err(bad(format!("path {count} is not a path of this scenario")).into());
        }
        acc.push(p);
        count += 1;
    }
    if count != expected {
        return Err(bad(format!("holds {count} paths, the manifest records {expected}")).into());
    }
    Ok(())
}

/// The lengths a path of the model has when kept for a fold of `keep`.
struct Shape {
    counties: usize,
    months: usize,
    townships: usize,
    bands: bool,
}

impl Shape {
    fn of(m: &Model, keep: Keep) -> Shape {
        Shape {
            counties: m.scenario.counties.len(),
            months: m.scenario.horizon_months as usize,
            townships: m.township_count(),
            bands: keep == Keep::MonthlyBands,
        }
    }

    fn fits(&self, p: &PathResult) -> bool {
        let monthly =
            if self.bands { self.months * self.counties * mcstress_engine::COUNTY_FIGURES } else { 0 };
        let overdue = if self.bands { self.months } else { 0 };
        let towns = self.months * self.townships;
        p.counties.len() == self.counties
            && p.county_monthly.len() == monthly
            && p.province_overdue.len() == overdue
            && p.township_peak.len() == self.townships
            && (p.township_overdue.is_empty() || (self.bands && p.township_overdue.len() == towns))
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;

    #[test]
    fn shards_cover_every_path_once_in_order() {
        for paths in [1u32, 7, 1000, 1001] {
            for count in 1..=9u32.min(paths) {
                let ranges: Vec<Range<u64>> =
                    (0..count).map(|index| ShardSpec { index, count }.range(paths)).collect();
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges[count as usize - 1].end, u64::from(paths));
                assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
                assert!(ranges.iter().all(|r| r.end > r.start), "{paths} paths in {count} shards");
            }
        }
    }

    #[test]
    fn a_shard_spec_is_k_of_n_counted_from_0() {
        assert_eq!("3/4".parse::<ShardSpec>(), Ok(ShardSpec { index: 3, count: 4 }));
        assert!("4/4".parse::<ShardSpec>().unwrap_err().contains("from 0 to 3"));
        assert!("0/0".parse::<ShardSpec>().unwrap_err().contains("from 1"));
        assert!("1".parse::<ShardSpec>().unwrap_err().contains("K/N"));
        assert!("a/2".parse::<ShardSpec>().unwrap_err().contains("found \"a/2\""));
    }

    #[test]
    fn the_stored_command_line_has_no_shard_and_no_out() {
        let argv: Vec<String> = [
            "mcstress",
            "run",
            "a.toml",
            "--shard",
            "1/4",
            "--out=x",
            "--paths",
            "8",
            "--out",
            "y",
            "--shard=1/4",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(strip_shard_and_out(&argv), ["mcstress", "run", "a.toml", "--paths", "8"]);
    }
}
