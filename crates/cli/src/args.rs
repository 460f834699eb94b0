//! Command-line arguments (clap), converted into validated settings before
//! anything runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo stress tests of poverty-alleviation microcredit
/// (脱贫人口小额信贷) and county risk-compensation funds (风险补偿金).
#[derive(Debug, Parser)]
#[command(name = "mcstress", version, about, long_about = None)]
#[command(after_help = "Exit codes: 0 success, 1 internal failure, 2 invalid input or usage.")]
pub struct Cli {
    /// No progress bar and no timing notes on standard error (errors are
    /// still reported). The bar is only ever shown on a terminal.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// When a county data file or ledger has bad rows: write every problem
    /// to FILE as CSV (file, row, column, value, expected) for the bank to
    /// fix. Written only when there are problems.
    #[arg(long, global = true, value_name = "FILE")]
    pub row_report: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (the embedded Yunnan baseline when none is given).
    Run(RunArgs),
    /// Check scenario files without running them, and whether this machine has the memory to run them.
    Validate(ValidateArgs),
    /// Compare rule revisions with today's rules on the same random futures.
    Compare(CompareArgs),
    /// Rank counties by the risk that their fund runs out, optionally under a shock.
    Stress(StressArgs),
    /// Rare events: each county's probability that its fund runs out, by importance sampling on the factors.
    Rare(RareArgs),
    /// Run a grid of values of one or two scenario fields on the same random futures.
    Sweep(SweepArgs),
    /// Reverse stress test: per county, the shock severity that breaks the fund, and the top-up that mends it.
    Breakpoint(BreakpointArgs),
    /// Draw the charts of an output directory (of run, stress, compare, sweep or breakpoint).
    Chart(ChartArgs),
    /// Write briefing.html and briefing.xlsx from an output directory.
    Report(ReportArgs),
    /// Combine the shard directories of a command run with --shard K/N into the single run's outputs.
    Merge(MergeArgs),
    /// Aggregate a bank's loan ledger (台账) into a county data file with township rows, and a scenario that uses it: aggregates a county can hand on instead of personal data.
    Import(ImportArgs),
}

/// `mcstress rare`.
#[derive(Debug, Args)]
pub struct RareArgs {
    /// Scenario file (TOML). Omit to use the embedded default.
    pub scenario: Option<PathBuf>,
    /// Set a scenario field: FIELD=VALUE (repeatable), as for run.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Apply a shock defined in the scenario, as for stress.
    #[arg(long, value_name = "NAME[:SEVERITY]")]
    pub shock: Option<String>,
    /// Shift of each month's innovation of the province factor, in standard deviations (negative: toward
    /// distress). Over a 60-month horizon −0.1 to −0.2 keeps the effective sample size high; 0 is plain sampling.
    #[arg(long, value_name = "SD", default_value_t = -0.15, allow_hyphen_values = true)]
    pub tilt: f64,
    /// A county (division code) to watch: listed first, its own factor shifted by --county-tilt, and the one
    /// --target-se and --target-rse control.
    #[arg(long, value_name = "CODE")]
    pub county: Option<String>,
    /// Shift of the normal draw behind each of the chosen county's townships' persistent effects, in standard
    /// deviations (positive: toward distress; drawn once a path, so a shift of 1 costs little weight).
    #[arg(long, value_name = "SD", default_value_t = 0.0, allow_hyphen_values = true, requires = "county")]
    pub township_tilt: f64,
    /// Shift of each month's innovation of the chosen county's own factor, in standard deviations.
    #[arg(long, value_name = "SD", default_value_t = 0.0, allow_hyphen_values = true, requires = "county")]
    pub county_tilt: f64,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Add paths (doubling from --paths) until the chosen county's exhaustion probability has at most this
    /// standard error (a share, e.g. 0.001).
    #[arg(long, value_name = "X", requires = "county", conflicts_with = "target_rse")]
    pub target_se: Option<f64>,
    /// Add paths until the chosen county's exhaustion probability has at most this relative standard error
    /// (e.g. 0.1 for 10 %).
    #[arg(long, value_name = "R", requires = "county")]
    pub target_rse: Option<f64>,
    /// Most paths --target-se or --target-rse may run.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub max_paths: u32,
    /// Write rare.json and run.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print rare.json to standard output instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `mcstress merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard directories: every shard K/N of one command, each once, in any order.
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,
    /// Where to write the command's outputs, byte for byte those of the same command run on one machine.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `mcstress import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The ledger: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX, one row per loan, Chinese headers (docs/data-format.md).
    pub ledger: PathBuf,
    /// A county data file giving what a ledger cannot (eligible households, the fund, flags, township rows).
    #[arg(long, value_name = "FILE")]
    pub counties: Option<PathBuf>,
    /// The scenario whose counties, start month and rules the import uses (default: the embedded Yunnan baseline).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// The ledger's date, YYYY-MM-DD (default: the last day of the month before the scenario's start).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// For an XLSX ledger: the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Where to write counties.csv and scenario.toml.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Language of charts and briefings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

/// Chart file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// PNG, 1600×900, for slides.
    Png,
    /// SVG.
    Svg,
    /// Both.
    Both,
}

/// `mcstress chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Output directory of `run`, `stress`, `compare`, `sweep` or `breakpoint` (with run.json).
    pub dir: PathBuf,
    /// Language of titles, axes, legends and county names.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// File formats.
    #[arg(long, value_enum, default_value_t = FormatArg::Both)]
    pub format: FormatArg,
    /// Where to write the charts (default: DIR/charts-LANG, or DIR/charts-LANG-CODE with --county).
    #[arg(long, value_name = "OUTDIR")]
    pub out: Option<PathBuf>,
    /// Chart one county of a run or stress directory (its division code, as in counties.csv): its overdue and fund fans, survival curve and townships.
    #[arg(long, value_name = "CODE")]
    pub county: Option<String>,
}

/// `mcstress report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output directory of `run`, `stress`, `compare`, `sweep` or `breakpoint` (with run.json).
    pub dir: PathBuf,
    /// Language of the briefing.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Where to write briefing.html and briefing.xlsx (default: DIR).
    #[arg(long, value_name = "OUTDIR")]
    pub out: Option<PathBuf>,
    /// Brief one county of a run or stress directory (its division code, as in counties.csv): briefing-CODE.html and briefing-CODE.xlsx, with its rules and townships.
    #[arg(long, value_name = "CODE")]
    pub county: Option<String>,
}

/// `mcstress sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (TOML). Omit to sweep the embedded default.
    pub scenario: Option<PathBuf>,
    /// A field and its values: FIELD=START:STOP:STEP (both ends included),
    /// e.g. rules.compensation.fund_share=0.5:0.9:0.1. Once for a line,
    /// twice for a grid.
    #[arg(long = "set", value_name = "FIELD=START:STOP:STEP", required = true)]
    pub set: Vec<String>,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Simulate only shard K of N (K from 0) of the paths and write them
    /// to --out as a shard directory, for `mcstress merge` to combine
    /// with the other shards into exactly the single run's outputs.
    #[arg(long, value_name = "K/N", requires = "out")]
    pub shard: Option<ShardSpec>,
    /// Write sweep.json and run.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print sweep.json to standard output instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `mcstress breakpoint`.
#[derive(Debug, Args)]
pub struct BreakpointArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Set a scenario field for this run: FIELD=VALUE, e.g.
    /// rules.compensation.fund_share=0.8 (one field per --set, on one line;
    /// repeatable; applied after the variant; checked like the file's own
    /// fields).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// The shock family: a disaster kind (drought, flood, frost,
    /// earthquake, livestock_disease; severity 1 = a typical hit) or an
    /// industry (price fall of 20 % × severity), as in `stress --shock`.
    #[arg(long, value_name = "NAME")]
    pub shock: String,
    /// Target probability that the county's fund is exhausted within the horizon.
    #[arg(long, value_name = "P")]
    pub target: f64,
    /// Largest severity searched.
    #[arg(long, value_name = "S", default_value_t = 4.0)]
    pub max_severity: f64,
    /// Spacing of the severity grid (from 0; at most 200 severities).
    #[arg(long, value_name = "D", default_value_t = 0.25)]
    pub step: f64,
    /// Severity at which the one-off top-up is sized (0 = no shock).
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub topup_severity: f64,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Write breakpoint.json and run.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print breakpoint.json to standard output instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `mcstress stress`.
#[derive(Debug, Args)]
pub struct StressArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Set a scenario field for this run: FIELD=VALUE, e.g.
    /// rules.compensation.fund_share=0.8 (one field per --set, on one line;
    /// repeatable; applied after the variant; checked like the file's own
    /// fields).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Error control.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Add a shock in the first month: a disaster kind (drought, flood,
    /// frost, earthquake, livestock_disease) hitting every county with the
    /// given severity (default 1), or an industry (cattle, pigs, tea,
    /// coffee, walnut, tobacco, fruit_veg, migrant_wages, other) whose price
    /// falls by 20 % × severity.
    #[arg(long, value_name = "NAME[:SEVERITY]")]
    pub shock: Option<String>,
    /// Watch a county when its probability of exhaustion is at least this.
    #[arg(long, value_name = "P", default_value_t = 0.05)]
    pub watch_exhaustion: f64,
    /// Watch a county when its fund covers less than this multiple of its expected claims.
    #[arg(long, value_name = "R", default_value_t = 1.0)]
    pub watch_cover: f64,
    /// Watch a county when its mean peak overdue rate is at least this.
    #[arg(long, value_name = "RATE", default_value_t = 0.05)]
    pub watch_overdue: f64,
    /// Simulate only shard K of N (K from 0) of the paths and write them
    /// to --out as a shard directory, for `mcstress merge` to combine
    /// with the other shards into exactly the single run's outputs.
    #[arg(long, value_name = "K/N", requires = "out", conflicts_with = "target_se")]
    pub shard: Option<ShardSpec>,
    /// Write stress.json, summary.json, monthly.csv, counties.csv, paths.csv, townships.csv and run.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print stress.json to standard output instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `mcstress compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Today's rules: a scenario file.
    pub base: PathBuf,
    /// The revisions: one or more scenario files, each compared with BASE
    /// on the same random futures (and with each other, side by side in
    /// the charts and the briefing). Without them, `--variant
    /// NAME[,NAME…]` names variants of BASE as the revisions.
    pub revisions: Vec<PathBuf>,
    /// Simulation options. `--variant` selects the variant of each
    /// revision file; without revision files it names the revisions,
    /// variants of BASE, separated by commas: `--variant higher-share,annual-cap`.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Error control (on the paired differences).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Simulate only shard K of N (K from 0) of the paths and write them
    /// to --out as a shard directory, for `mcstress merge` to combine
    /// with the other shards into exactly the single run's outputs.
    #[arg(long, value_name = "K/N", requires = "out", conflicts_with = "target_se")]
    pub shard: Option<ShardSpec>,
    /// Write compare.json, base-summary.json, revision-summary.json, base-monthly.csv,
    /// revision-monthly.csv and run.json here; with more revisions also compare-K.json,
    /// revision-K-summary.json and revision-K-monthly.csv for the K-th (K = 2, 3, …).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print compare.json to standard output instead of the table (with
    /// more revisions: a JSON array of their comparisons).
    #[arg(long)]
    pub json: bool,
}

/// Options shared by every command that simulates.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Variant of the scenario to apply ([variants.NAME] in the file).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Number of paths (default: the scenario's `paths`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub paths: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// Some of the scenario's counties alone.
#[derive(Debug, Args)]
pub struct CountiesArg {
    /// Simulate only these counties, for their cost alone: division codes
    /// of counties or prefectures (a prefecture: all its counties),
    /// separated by commas. Each county's results are exactly those it has
    /// in the run of the whole scenario (same seed and paths); the
    /// province's figures are those of the counties simulated.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub counties: Vec<String>,
}

/// Error control: add paths until the headline standard error is small.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Add paths (doubling from --paths) until the standard errors of the
    /// mean peak overdue rate and of the province exhaustion probability
    /// are at most this (a share, e.g. 0.002 = 0.2 percentage points).
    #[arg(long, value_name = "X")]
    pub target_se: Option<f64>,
    /// Most paths --target-se may run. When it stops the run short of the
    /// target, a warning says so and run.json records `target_met: false`.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub max_paths: u32,
}

/// `mcstress run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Omit to run the embedded default.
    pub scenario: Option<PathBuf>,
    /// Set a scenario field for this run: FIELD=VALUE, e.g.
    /// rules.compensation.fund_share=0.8 (one field per --set, on one line;
    /// repeatable; applied after the variant; checked like the file's own
    /// fields).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Some counties alone.
    #[command(flatten)]
    pub only: CountiesArg,
    /// Error control.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Simulate only shard K of N (K from 0) of the paths and write them
    /// to --out as a shard directory, for `mcstress merge` to combine
    /// with the other shards into exactly the single run's outputs.
    #[arg(long, value_name = "K/N", requires = "out", conflicts_with = "target_se")]
    pub shard: Option<ShardSpec>,
    /// Write summary.json, monthly.csv, counties.csv, paths.csv, townships.csv and run.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print summary.json to standard output instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `mcstress validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// Most shards of a command.
pub const MAX_SHARDS: u32 = 100_000;

/// `--shard K/N`: shard K (from 0) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    /// K.
    pub index: u32,
    /// N.
    pub count: u32,
}

impl std::str::FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<ShardSpec, String> {
        let bad = || {
            format!(
                "expected K/N, shard K (counted from 0) of N shards, e.g. 0/4 … 3/4 for four shards; found {s:?}"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || n > MAX_SHARDS {
            return Err(format!("expected from 1 to {MAX_SHARDS} shards, found {n} in {s:?}"));
        }
        if k >= n {
            return Err(format!(
                "shards are counted from 0: expected K from 0 to {} for {n} shards, found {k} in {s:?}",
                n - 1
            ));
        }
        Ok(ShardSpec { index: k, count: n })
    }
}

impl ShardSpec {
    /// The paths of this shard among `paths`: contiguous, in order, the
    /// shards together covering every path once.
    pub fn range(&self, paths: u32) -> std::ops::Range<u64> {
        let at = |k: u32| u64::from(paths) * u64::from(k) / u64::from(self.count);
        at(self.index)..at(self.index + 1)
    }
}
