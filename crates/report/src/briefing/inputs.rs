//! What charts, the briefing and the workbook read: the files an output
//! directory holds, parsed back from their text (the caller reads the
//! files; this module never touches paths). Only the fields the briefing
//! uses are read, so the documents may grow without breaking it.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A number that JSON may hold as `null` (NaN and infinities are written
/// as `null`): read back as NaN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(from = "Option<f64>")]
pub struct Num(pub f64);

impl From<Option<f64>> for Num {
    fn from(x: Option<f64>) -> Num {
        Num(x.unwrap_or(f64::NAN))
    }
}

/// An estimate across paths (`Estimate` in `summary.json`).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Est {
    /// Mean.
    pub mean: Num,
    /// Standard error of the mean.
    pub se: Num,
    /// 5th percentile.
    pub p05: Num,
    /// Median.
    pub p50: Num,
    /// 95th percentile.
    pub p95: Num,
}

/// A probability with its Wilson interval.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Prob {
    /// Share of paths.
    pub p: Num,
    /// Standard error.
    pub se: Num,
    /// Lower end of the 95 % interval.
    pub ci95_low: Num,
    /// Upper end of the 95 % interval.
    pub ci95_high: Num,
}

/// A paired difference (`Diff` in `compare.json` and `sweep.json`).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Dif {
    /// Base mean.
    pub base: Num,
    /// Revision mean.
    pub revision: Num,
    /// Mean paired difference.
    pub diff: Num,
    /// Its standard error.
    pub se: Num,
    /// Lower end of the 95 % interval.
    pub ci95_low: Num,
    /// Upper end of the 95 % interval.
    pub ci95_high: Num,
}

/// `run.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct RunMeta {
    /// The command that wrote the directory.
    #[serde(default = "default_command")]
    pub command: String,
    /// Date of the run.
    #[serde(default)]
    pub date: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario hash.
    pub scenario_sha256: String,
    /// Variant.
    pub variant: Option<String>,
    /// `--set` settings.
    #[serde(default)]
    pub settings: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Paths.
    pub paths: u32,
    /// Months simulated.
    pub horizon_months: u16,
}

fn default_command() -> String {
    "run".into()
}

/// `summary.json`: scenario block.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioIn {
    /// Name.
    pub name: String,
    /// Hash.
    pub sha256: String,
    /// First month.
    pub start: String,
    /// Months.
    pub horizon_months: u16,
    /// Variant.
    pub variant: Option<String>,
}

/// `summary.json`: run block.
#[derive(Clone, Debug, Deserialize)]
pub struct RunIn {
    /// Paths.
    pub paths: u32,
    /// Seed.
    pub seed: u64,
}

/// `summary.json`: province block.
#[derive(Clone, Debug, Deserialize)]
pub struct ProvinceIn {
    /// Counties.
    pub counties: usize,
    /// Eligible households.
    pub eligible_households: u64,
    /// Loans at the start.
    pub loans_start: u64,
    /// Outstanding at the start, yuan.
    pub outstanding_start_yuan: f64,
    /// Funds at the start, yuan.
    pub fund_start_yuan: f64,
    /// P(some fund exhausted).
    pub exhaustion_probability: Prob,
    /// Counties exhausted.
    pub counties_exhausted: Est,
    /// Peak overdue rate.
    pub peak_overdue_rate: Est,
    /// Final overdue rate.
    pub final_overdue_rate: Est,
    /// Fund loss, yuan.
    pub loss_fund_yuan: Est,
    /// Bank loss, yuan.
    pub loss_bank_yuan: Est,
    /// Uncovered, yuan.
    pub loss_uncovered_yuan: Est,
    /// Claims paid, yuan.
    pub claims_paid_yuan: Est,
    /// Disbursed, yuan.
    pub disbursed_yuan: Est,
    /// Funds at the end, yuan.
    pub fund_end_yuan: Est,
    /// Coverage at the end.
    pub coverage_rate: Est,
}

/// `summary.json`: one county.
#[derive(Clone, Debug, Deserialize)]
pub struct CountyIn {
    /// Code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Prefecture (Chinese).
    pub prefecture: String,
    /// Fund at the start, yuan.
    pub fund_start_yuan: f64,
    /// Outstanding at the start, yuan.
    pub outstanding_start_yuan: f64,
    /// P(fund exhausted).
    pub exhaustion_probability: Prob,
    /// Median month of exhaustion.
    pub exhaustion_month_p50: Option<u16>,
    /// Peak overdue rate.
    pub peak_overdue_rate: Est,
    /// Final overdue rate.
    pub final_overdue_rate: Est,
    /// Fund loss, yuan.
    pub loss_fund_yuan: Est,
    /// Coverage at the end.
    pub coverage_rate: Est,
}

/// `summary.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct SummaryIn {
    /// Scenario.
    pub scenario: ScenarioIn,
    /// Run.
    pub run: RunIn,
    /// Province.
    pub province: ProvinceIn,
    /// Counties, most at risk first.
    pub counties: Vec<CountyIn>,
}

/// One row of `monthly.csv`.
#[derive(Clone, Debug, Deserialize)]
pub struct MonthlyIn {
    /// Month, 1 = first.
    pub month: u16,
    /// "YYYY-MM".
    pub date: String,
    /// County code or "province".
    pub county_id: String,
    /// Figure.
    pub figure: String,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard error.
    pub se: Option<f64>,
    /// 5 %.
    pub p05: Option<f64>,
    /// 25 %.
    pub p25: Option<f64>,
    /// 50 %.
    pub p50: Option<f64>,
    /// 75 %.
    pub p75: Option<f64>,
    /// 95 %.
    pub p95: Option<f64>,
}

/// `stress.json`: one county.
#[derive(Clone, Debug, Deserialize)]
pub struct StressCountyIn {
    /// Rank.
    pub rank: usize,
    /// Code.
    pub id: String,
    /// Watch flag.
    pub watch: bool,
    /// Why watched.
    #[serde(default)]
    pub watch_reasons: Vec<String>,
    /// Fund cover.
    pub fund_cover_ratio: Option<f64>,
}

/// `stress.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct StressIn {
    /// The shock given.
    pub shock: Option<String>,
    /// Counties ranked.
    pub counties: Vec<StressCountyIn>,
}

/// A rule set's name in `compare.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct NameIn {
    /// Scenario name.
    pub name: String,
    /// Variant.
    pub variant: Option<String>,
    /// Hash.
    pub sha256: String,
}

impl NameIn {
    /// "name (variant)".
    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{} ({v})", self.name),
            None => self.name.clone(),
        }
    }
}

/// `compare.json`: a county.
#[derive(Clone, Debug, Deserialize)]
pub struct CompareCountyIn {
    /// Code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// P(exhausted).
    pub exhaustion_probability: Dif,
    /// Peak overdue.
    pub peak_overdue_rate: Dif,
    /// Fund loss.
    pub loss_fund_yuan: Dif,
}

/// `compare.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct CompareIn {
    /// Today's rules.
    pub base: NameIn,
    /// The revision.
    pub revision: NameIn,
    /// Paths.
    pub paths: u32,
    /// Seed.
    pub seed: u64,
    /// Province figures, by name.
    pub province: BTreeMap<String, Dif>,
    /// Counties, largest effect first.
    pub counties: Vec<CompareCountyIn>,
}

/// `sweep.json`: the province figures at a point.
#[derive(Clone, Debug, Deserialize)]
pub struct SweepFiguresIn {
    /// P(some fund exhausted).
    pub exhaustion_probability: Prob,
    /// Peak overdue rate.
    pub peak_overdue_rate: Est,
    /// Fund loss.
    pub loss_fund_yuan: Est,
    /// Bank loss.
    pub loss_bank_yuan: Est,
    /// Uncovered loss.
    pub loss_uncovered_yuan: Est,
}

/// `sweep.json`: a point.
#[derive(Clone, Debug, Deserialize)]
pub struct SweepPointIn {
    /// Values of the swept fields.
    pub values: BTreeMap<String, f64>,
    /// Province figures.
    pub province: SweepFiguresIn,
}

/// `sweep.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct SweepIn {
    /// The scenario.
    pub scenario: NameIn,
    /// Swept fields.
    pub fields: Vec<String>,
    /// Values per field.
    pub shape: Vec<usize>,
    /// Paths.
    pub paths: u32,
    /// Seed.
    pub seed: u64,
    /// Points, last field fastest.
    pub points: Vec<SweepPointIn>,
}

/// `breakpoint.json`: one county.
#[derive(Clone, Debug, Deserialize)]
pub struct BreakpointCountyIn {
    /// Code.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Fund at the start, yuan.
    pub fund_start_yuan: f64,
    /// Breakpoint severity.
    pub severity: Option<f64>,
    /// Lower end of its interval.
    pub severity_low: Option<f64>,
    /// Upper end (null: above the grid).
    pub severity_high: Option<f64>,
    /// P(exhausted) at each searched severity.
    pub exhaustion_probability: Vec<f64>,
    /// P(exhausted) at the top-up severity.
    pub exhaustion_probability_at_topup_severity: f64,
    /// Smallest one-off top-up, yuan.
    pub min_topup_yuan: Option<f64>,
}

/// `breakpoint.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct BreakpointIn {
    /// The shock family.
    pub shock: String,
    /// Target probability.
    pub target: f64,
    /// Severities searched.
    pub severities: Vec<f64>,
    /// Severity at which top-ups are sized.
    pub topup_severity: f64,
    /// Paths per evaluation.
    pub paths: u32,
    /// Counties, most fragile first.
    pub counties: Vec<BreakpointCountyIn>,
}

/// What an output directory holds, by the command that wrote it.
#[derive(Clone, Debug)]
pub enum Results {
    /// `run` (and `stress`, which adds the ranking's watch flags).
    Run {
        /// summary.json.
        summary: Box<SummaryIn>,
        /// monthly.csv.
        monthly: Vec<MonthlyIn>,
        /// stress.json, for a `stress` directory.
        stress: Option<StressIn>,
    },
    /// `compare`.
    Compare {
        /// compare.json.
        compare: Box<CompareIn>,
        /// base-summary.json.
        base: Box<SummaryIn>,
        /// revision-summary.json.
        revision: Box<SummaryIn>,
    },
    /// `sweep`.
    Sweep {
        /// sweep.json.
        sweep: Box<SweepIn>,
    },
    /// `breakpoint`.
    Breakpoint {
        /// breakpoint.json.
        breakpoint: Box<BreakpointIn>,
    },
}

/// A file that could not be read back: which, and why.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {why}")]
pub struct InputError {
    /// File name within the directory.
    pub file: String,
    /// What is wrong.
    pub why: String,
}

fn json<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, InputError> {
    serde_json::from_str(text).map_err(|e| InputError {
        file: file.into(),
        why: format!("not what mcstress writes (line {}, column {}: {e})", e.line(), e.column()),
    })
}

/// Reads `monthly.csv`.
pub fn parse_monthly(text: &str) -> Result<Vec<MonthlyIn>, InputError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        rows.push(
            row.map_err(|e| InputError { file: "monthly.csv".into(), why: format!("row {}: {e}", i + 2) })?,
        );
    }
    Ok(rows)
}

impl Results {
    /// Reads a directory's results; `file` returns a file's text, or
    /// `None` when the directory does not have it.
    pub fn read(meta: &RunMeta, mut file: impl FnMut(&str) -> Option<String>) -> Result<Results, InputError> {
        let mut need = |name: &str| {
            file(name).ok_or_else(|| InputError {
                file: name.into(),
                why: format!("missing; a `{}` directory has it", meta.command),
            })
        };
        match meta.command.as_str() {
            "run" | "stress" => {
                let stress = if meta.command == "stress" {
                    Some(json("stress.json", &need("stress.json")?)?)
                } else {
                    None
                };
                Ok(Results::Run {
                    summary: Box::new(json("summary.json", &need("summary.json")?)?),
                    monthly: parse_monthly(&need("monthly.csv")?)?,
                    stress,
                })
            }
            "compare" => Ok(Results::Compare {
                compare: Box::new(json("compare.json", &need("compare.json")?)?),
                base: Box::new(json("base-summary.json", &need("base-summary.json")?)?),
                revision: Box::new(json("revision-summary.json", &need("revision-summary.json")?)?),
            }),
            "sweep" => Ok(Results::Sweep { sweep: Box::new(json("sweep.json", &need("sweep.json")?)?) }),
            "breakpoint" => Ok(Results::Breakpoint {
                breakpoint: Box::new(json("breakpoint.json", &need("breakpoint.json")?)?),
            }),
            other => Err(InputError {
                file: "run.json".into(),
                why: format!(
                    "command {other:?}: charts and briefings are drawn from the output of run, stress, \
                     compare, sweep or breakpoint"
                ),
            }),
        }
    }

    /// Reads `run.json`.
    pub fn meta(text: &str) -> Result<RunMeta, InputError> {
        json("run.json", text)
    }
}
