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
    /// The scenario's display name in Chinese.
    #[serde(default)]
    pub title_zh: Option<String>,
    /// The scenario's display name in English.
    #[serde(default)]
    pub title_en: Option<String>,
    /// The stress shock applied (`NAME:SEVERITY`).
    #[serde(default)]
    pub shock: Option<String>,
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
    /// The files of the directory (empty from versions that did not list them).
    #[serde(default)]
    pub files: Vec<String>,
    /// `--counties`: the counties simulated, when only some were.
    #[serde(default)]
    pub counties_simulated: Option<Vec<String>>,
    /// The scenario's counties, with `counties_simulated`.
    #[serde(default)]
    pub counties_in_scenario: Option<usize>,
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
    /// The rules it follows, one entry per change within the horizon
    /// (absent in directories of earlier versions).
    #[serde(default)]
    pub rules: Vec<RulesIn>,
}

/// `summary.json`: one band of a fund share graded by the NPL ratio.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct NplGradeIn {
    /// The band applies up to this NPL ratio.
    pub npl_up_to: f64,
    /// The fund's share in the band.
    pub fund_share: f64,
}

/// `summary.json`: the rules a county follows from a month on
/// (`counties[].rules[]`, docs/outputs.md).
#[derive(Clone, Debug, Deserialize)]
pub struct RulesIn {
    /// First month (1 = first simulated month).
    pub from_month: u16,
    /// The same month, "YYYY-MM".
    pub from_date: String,
    /// The scenario's rule set (0: `[rules]`).
    pub rule_set: u16,
    /// Days overdue before the compensation procedure.
    pub trigger_days_overdue: u16,
    /// Months of collection before a claim.
    pub collection_months: u16,
    /// The fund's share of a loss.
    pub fund_share: f64,
    /// The fund's share graded by the NPL ratio.
    #[serde(default)]
    pub fund_share_by_npl: Option<Vec<NplGradeIn>>,
    /// "principal" or "principal_plus_interest".
    pub loss_base: String,
    /// Cap per loan, yuan.
    pub per_loan_cap_yuan: Option<f64>,
    /// Cap per calendar year, yuan.
    pub annual_cap_yuan: Option<f64>,
    /// Cap per calendar year as a share of the fund.
    #[serde(default)]
    pub annual_cap_share: Option<f64>,
    /// Months from filing to payment.
    pub payment_delay_months: u16,
    /// Whether recoveries return to the fund.
    pub recoveries_to_fund: bool,
    /// The third party's share.
    pub third_party_share: Option<f64>,
    /// The top-up rule's kind.
    pub top_up: String,
    /// Leverage multiple.
    pub leverage_max: f64,
    /// "overdue" or "npl".
    pub suspension_metric: String,
    /// Suspension tolerance.
    pub suspension_tolerance: f64,
    /// Claims ÷ endowment that stops lending.
    pub fund_use_limit: Option<f64>,
    /// Endowment, yuan.
    pub endowment_yuan: f64,
    /// Yearly fiscal capacity for top-ups, yuan (none: unlimited).
    pub fiscal_capacity_yuan: Option<f64>,
}

/// One row of `townships.csv`.
#[derive(Clone, Debug, Deserialize)]
pub struct TownshipIn {
    /// Month, 0 = the starting state.
    pub month: u16,
    /// "YYYY-MM".
    pub date: String,
    /// County code.
    pub county_id: String,
    /// Township name.
    pub township: String,
    /// 5th percentile of the overdue rate.
    pub overdue_rate_p05: Option<f64>,
    /// Median overdue rate.
    pub overdue_rate_p50: Option<f64>,
    /// 95th percentile of the overdue rate.
    pub overdue_rate_p95: Option<f64>,
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
    /// Claims the fund pays over the horizon (absent in directories of
    /// earlier versions).
    #[serde(default)]
    pub expected_claims_yuan: Option<Est>,
    /// Its worst townships (absent in directories of earlier versions).
    #[serde(default)]
    pub worst_townships: Vec<WorstTownshipIn>,
}

/// `stress.json`: the thresholds that put a county on the watch list.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct ThresholdsIn {
    /// Exhaustion probability at or above which a county is watched.
    pub exhaustion_probability: f64,
    /// Fund ÷ expected claims below which a county is watched.
    pub fund_cover_ratio: f64,
    /// Mean peak overdue rate at or above which a county is watched.
    pub peak_overdue_rate: f64,
}

/// `stress.json`: one of a county's worst townships.
#[derive(Clone, Debug, Deserialize)]
pub struct WorstTownshipIn {
    /// Name.
    pub name: String,
    /// Mean peak overdue rate.
    pub peak_overdue_rate_mean: f64,
}

/// `stress.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct StressIn {
    /// The shock given.
    pub shock: Option<String>,
    /// The watch thresholds (absent in directories of earlier versions).
    #[serde(default)]
    pub thresholds: Option<ThresholdsIn>,
    /// Counties ranked.
    pub counties: Vec<StressCountyIn>,
}

/// A rule set's name in `compare.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct NameIn {
    /// Scenario name.
    pub name: String,
    /// Display name in Chinese.
    #[serde(default)]
    pub title_zh: Option<String>,
    /// Display name in English.
    #[serde(default)]
    pub title_en: Option<String>,
    /// Variant.
    pub variant: Option<String>,
    /// Hash.
    pub sha256: String,
}

impl NameIn {
    /// The rule set's display name in the language.
    pub fn title(&self, lang: super::Lang) -> String {
        super::labels::title(
            &self.name,
            self.variant.as_deref(),
            self.title_zh.as_deref(),
            self.title_en.as_deref(),
            lang,
        )
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

/// `sweep.json`: one county at a point.
#[derive(Clone, Debug, Deserialize)]
pub struct SweepCountyIn {
    /// Code.
    pub id: String,
    /// Chinese name (absent in directories of earlier versions).
    #[serde(default)]
    pub name: String,
    /// English name (likewise).
    #[serde(default)]
    pub name_en: String,
    /// P(fund exhausted).
    pub exhaustion_probability: Prob,
    /// Mean peak overdue rate.
    pub peak_overdue_rate_mean: f64,
    /// Mean loss borne by the fund, yuan.
    pub loss_fund_yuan_mean: f64,
}

/// `sweep.json`: a point.
#[derive(Clone, Debug, Deserialize)]
pub struct SweepPointIn {
    /// Values of the swept fields.
    pub values: BTreeMap<String, f64>,
    /// Province figures.
    pub province: SweepFiguresIn,
    /// Its counties.
    #[serde(default)]
    pub counties: Vec<SweepCountyIn>,
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
    /// Lower end of its 95 % interval (absent in directories of earlier
    /// versions).
    #[serde(default)]
    pub min_topup_low_yuan: Option<f64>,
    /// Upper end (null: no top-up is surely enough at these paths).
    #[serde(default)]
    pub min_topup_high_yuan: Option<f64>,
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

/// One revision of a `compare` directory: the K-th's files are
/// `compare-K.json`, `revision-K-summary.json` and
/// `revision-K-monthly.csv`, the first's without the `-K`.
#[derive(Clone, Debug)]
pub struct RevisionIn {
    /// Its comparison with today's rules.
    pub compare: CompareIn,
    /// Its summary.
    pub summary: SummaryIn,
    /// Its monthly bands (empty in a directory of an earlier version).
    pub monthly: Vec<MonthlyIn>,
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
    /// `compare`: today's rules and one or more revisions of them, on
    /// the same random futures.
    Compare {
        /// base-summary.json.
        base: Box<SummaryIn>,
        /// base-monthly.csv (empty in a directory of an earlier version,
        /// which had none).
        base_monthly: Vec<MonthlyIn>,
        /// The revisions, in the order given: at least one.
        revisions: Vec<RevisionIn>,
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

/// A file that could not be read back: which, and what is wrong with it.
#[derive(Debug)]
#[non_exhaustive]
pub struct InputError {
    /// File name within the directory.
    pub file: String,
    /// What is wrong.
    pub kind: InputErrorKind,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.kind)
    }
}

impl std::error::Error for InputError {
    // The kind is part of the message; its own cause (the JSON or CSV
    // parser's error) is the source.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// What is wrong with a file read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// Not JSON of the expected form.
    #[error(
        "not what mcstress writes (line {line}, column {column}: {source})",
        line = .source.line(),
        column = .source.column()
    )]
    Json {
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A row of a CSV file that does not parse.
    #[error("row {row}: {source}")]
    Csv {
        /// Line number in the file (the header is row 1).
        row: usize,
        /// The parser's error.
        #[source]
        source: csv::Error,
    },
    /// The directory lacks the file.
    #[error("missing; a `{command}` directory has it")]
    Missing {
        /// The command that wrote the directory.
        command: String,
    },
    /// `run.json` names a command whose output is not charted.
    #[error(
        "command {command:?}: charts and briefings are drawn from the output of run, stress, \
         compare, sweep or breakpoint"
    )]
    NotCharted {
        /// The command.
        command: String,
    },
    /// A value where another was expected.
    #[error("{place}: expected {expected}, found {found}")]
    Unexpected {
        /// Where (a field path, or a row and column).
        place: String,
        /// What was expected.
        expected: String,
        /// What was found, as the file wrote it.
        found: String,
    },
    /// A count that differs from the one `run.json` records.
    #[error("{what} is {found}, but run.json records {run}: not the output of this run")]
    OtherRun {
        /// The field.
        what: &'static str,
        /// Its value in the file.
        found: String,
        /// Its value in `run.json`.
        run: String,
    },
    /// `province.counties` differs from the number of counties listed.
    #[error("province.counties is {province}, but the counties list has {listed}")]
    ProvinceCounties {
        /// `province.counties`.
        province: usize,
        /// Counties listed.
        listed: usize,
    },
    /// `monthly.csv` has the wrong number of rows.
    #[error(
        "{rows} rows, expected {expected}: month 0 and {months} months (run.json) × (4 province rows + 5 × \
         {counties} counties of summary.json); the file is cut short or not this run's"
    )]
    MonthlyRows {
        /// Rows found.
        rows: usize,
        /// Rows expected.
        expected: usize,
        /// Months of the horizon.
        months: u16,
        /// Counties of `summary.json`.
        counties: usize,
    },
    /// `stress.json` ranks another number of counties than `summary.json` has.
    #[error("{ranked} counties ranked, but summary.json has {summary}")]
    StressCounties {
        /// Counties ranked.
        ranked: usize,
        /// Counties of `summary.json`.
        summary: usize,
    },
    /// `sweep.json` has as many fields as its shape has axes.
    #[error("{fields} fields with a shape of {axes} axes")]
    SweepShape {
        /// Fields.
        fields: usize,
        /// Axes of the shape.
        axes: usize,
    },
    /// `sweep.json` has as many points as its shape says.
    #[error("{points} points, expected {expected} (shape {shape:?})")]
    SweepPoints {
        /// Points found.
        points: usize,
        /// Points the shape makes.
        expected: usize,
        /// The shape.
        shape: Vec<usize>,
    },
    /// A sweep point lacks the value of a field.
    #[error("points[{point}].values: no value of {field}")]
    SweepValue {
        /// The point's index.
        point: usize,
        /// The field.
        field: String,
    },
    /// `breakpoint.json` has no severities, or one that is not ≥ 0.
    #[error("severities: expected one or more severities ≥ 0")]
    Severities,
    /// A county of `breakpoint.json` has not one probability per severity.
    #[error("{place}: {values} values, expected one per severity ({severities})")]
    PerSeverity {
        /// The field.
        place: String,
        /// Values found.
        values: usize,
        /// Severities searched.
        severities: usize,
    },
}

fn json<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, InputError> {
    serde_json::from_str(text).map_err(|source| bad(file, InputErrorKind::Json { source }))
}

/// Reads `monthly.csv` (or a rule set's `NAME-monthly.csv` in a
/// comparison: `file` names it in errors).
pub fn parse_monthly(file: &str, text: &str) -> Result<Vec<MonthlyIn>, InputError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        rows.push(row.map_err(|source| bad(file, InputErrorKind::Csv { row: i + 2, source }))?);
    }
    Ok(rows)
}

/// Reads the rows of `townships.csv` of county `county` (the file holds
/// every county's; the others are skipped as they are read).
pub fn parse_townships(text: &str, county: &str) -> Result<Vec<TownshipIn>, InputError> {
    const F: &str = "townships.csv";
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, row) in r.deserialize::<TownshipIn>().enumerate() {
        let row = row.map_err(|source| bad(F, InputErrorKind::Csv { row: i + 2, source }))?;
        if row.county_id != county {
            continue;
        }
        for (col, x) in [
            ("overdue_rate_p05", row.overdue_rate_p05),
            ("overdue_rate_p50", row.overdue_rate_p50),
            ("overdue_rate_p95", row.overdue_rate_p95),
        ] {
            if let Some(x) = x {
                value(F, &format!("row {}, column {col}", i + 2), x, Range::Share)?;
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

impl Results {
    /// Reads a directory's results; `file` returns a file's text, or
    /// `None` when the directory does not have it.
    pub fn read(meta: &RunMeta, mut file: impl FnMut(&str) -> Option<String>) -> Result<Results, InputError> {
        let mut need = |name: &str| {
            file(name).ok_or_else(|| bad(name, InputErrorKind::Missing { command: meta.command.clone() }))
        };
        match meta.command.as_str() {
            "run" | "stress" => {
                let stress = if meta.command == "stress" {
                    Some(json("stress.json", &need("stress.json")?)?)
                } else {
                    None
                };
                let summary: SummaryIn = json("summary.json", &need("summary.json")?)?;
                check_summary("summary.json", &summary, meta)?;
                let mut monthly = parse_monthly("monthly.csv", &need("monthly.csv")?)?;
                check_monthly("monthly.csv", &monthly, &summary, meta)?;
                // The briefing's charts and tables start at the first
                // simulated month.
                monthly.retain(|r| r.month >= 1);
                if let Some(st) = &stress {
                    check_stress(st, &summary)?;
                }
                Ok(Results::Run { summary: Box::new(summary), monthly, stress })
            }
            "compare" => {
                // The revisions run.json lists: compare.json, then
                // compare-2.json, compare-3.json, … without a gap.
                let count =
                    1 + (2..).take_while(|k| meta.files.contains(&format!("compare-{k}.json"))).count();
                let base: SummaryIn = json("base-summary.json", &need("base-summary.json")?)?;
                check_summary("base-summary.json", &base, meta)?;
                // Monthly bands, in directories of versions that write them.
                let monthly = |name: &str,
                               summary: &SummaryIn,
                               need: &mut dyn FnMut(&str) -> Result<String, InputError>|
                 -> Result<Vec<MonthlyIn>, InputError> {
                    if !meta.files.iter().any(|f| f == name) {
                        return Ok(Vec::new());
                    }
                    let mut rows = parse_monthly(name, &need(name)?)?;
                    check_monthly(name, &rows, summary, meta)?;
                    rows.retain(|r| r.month >= 1);
                    Ok(rows)
                };
                let base_monthly = monthly("base-monthly.csv", &base, &mut need)?;
                let mut revisions = Vec::with_capacity(count);
                for k in 1..=count {
                    let (c, r) = match k {
                        1 => ("compare.json".to_string(), "revision".to_string()),
                        k => (format!("compare-{k}.json"), format!("revision-{k}")),
                    };
                    let compare: CompareIn = json(&c, &need(&c)?)?;
                    check_compare(&c, &compare, meta)?;
                    let s = format!("{r}-summary.json");
                    let summary: SummaryIn = json(&s, &need(&s)?)?;
                    check_summary(&s, &summary, meta)?;
                    let monthly = monthly(&format!("{r}-monthly.csv"), &summary, &mut need)?;
                    revisions.push(RevisionIn { compare, summary, monthly });
                }
                Ok(Results::Compare { base: Box::new(base), base_monthly, revisions })
            }
            "sweep" => {
                let sweep: SweepIn = json("sweep.json", &need("sweep.json")?)?;
                check_sweep(&sweep, meta)?;
                Ok(Results::Sweep { sweep: Box::new(sweep) })
            }
            "breakpoint" => {
                let breakpoint: BreakpointIn = json("breakpoint.json", &need("breakpoint.json")?)?;
                check_breakpoint(&breakpoint, meta)?;
                Ok(Results::Breakpoint { breakpoint: Box::new(breakpoint) })
            }
            other => Err(bad("run.json", InputErrorKind::NotCharted { command: other.to_string() })),
        }
    }

    /// Reads `run.json`.
    pub fn meta(text: &str) -> Result<RunMeta, InputError> {
        json("run.json", text)
    }
}

// What is read back is checked against run.json and against the natural
// range of each figure, so that a file cut short, edited or taken from
// another run is refused rather than drawn.

fn bad(file: &str, kind: InputErrorKind) -> InputError {
    InputError { file: file.into(), kind }
}

/// `place`: expected `expected`, found `found`.
fn unexpected(file: &str, place: &str, expected: impl Into<String>, found: impl ToString) -> InputError {
    bad(
        file,
        InputErrorKind::Unexpected {
            place: place.into(),
            expected: expected.into(),
            found: found.to_string(),
        },
    )
}

/// The kind of value a figure is, with its natural range.
#[derive(Clone, Copy)]
enum Range {
    /// A probability or rate: from 0 to 1.
    Share,
    /// Money, yuan: finite.
    Money,
    /// A count: from 0 to `max`.
    Count(f64),
}

impl Range {
    fn admits(self, x: f64) -> bool {
        match self {
            Range::Share => (0.0..=1.0).contains(&x),
            Range::Money => x.is_finite(),
            Range::Count(max) => (0.0..=max).contains(&x),
        }
    }

    fn expected(self) -> String {
        match self {
            Range::Share => "a share from 0 to 1".into(),
            Range::Money => "a finite amount".into(),
            Range::Count(max) => format!("a count from 0 to {max}"),
        }
    }
}

/// A value found, as the file wrote it: JSON writes NaN as `null`.
fn shown(file: &str, x: f64) -> String {
    if x.is_nan() && file.ends_with(".json") { "null".into() } else { x.to_string() }
}

/// Checks one value at `place` (e.g. "province.peak_overdue_rate.mean").
fn value(file: &str, place: &str, x: f64, r: Range) -> Result<(), InputError> {
    if r.admits(x) { Ok(()) } else { Err(unexpected(file, place, r.expected(), shown(file, x))) }
}

/// A standard error: finite and non-negative, or null (NaN) from one path.
fn std_error(file: &str, place: &str, se: f64, paths: u32) -> Result<(), InputError> {
    if (se.is_nan() && paths < 2) || (se.is_finite() && se >= 0.0) {
        Ok(())
    } else {
        Err(unexpected(file, place, format!("a standard error ≥ 0 ({paths} paths)"), shown(file, se)))
    }
}

fn est(file: &str, place: &str, e: &Est, r: Range, paths: u32) -> Result<(), InputError> {
    for (k, x) in [("mean", e.mean), ("p05", e.p05), ("p50", e.p50), ("p95", e.p95)] {
        value(file, &format!("{place}.{k}"), x.0, r)?;
    }
    std_error(file, &format!("{place}.se"), e.se.0, paths)
}

fn prob(file: &str, place: &str, p: &Prob, paths: u32) -> Result<(), InputError> {
    for (k, x) in [("p", p.p), ("ci95_low", p.ci95_low), ("ci95_high", p.ci95_high)] {
        value(file, &format!("{place}.{k}"), x.0, Range::Share)?;
    }
    std_error(file, &format!("{place}.se"), p.se.0, paths)
}

/// A count that must agree with `run.json`.
fn agrees<T: PartialEq + std::fmt::Display>(
    file: &str,
    what: &'static str,
    found: T,
    run: T,
) -> Result<(), InputError> {
    if found == run {
        Ok(())
    } else {
        Err(bad(file, InputErrorKind::OtherRun { what, found: found.to_string(), run: run.to_string() }))
    }
}

fn check_summary(file: &str, s: &SummaryIn, meta: &RunMeta) -> Result<(), InputError> {
    agrees(file, "scenario.horizon_months", s.scenario.horizon_months, meta.horizon_months)?;
    agrees(file, "run.paths", s.run.paths, meta.paths)?;
    agrees(file, "run.seed", s.run.seed, meta.seed)?;
    if s.counties.is_empty() {
        return Err(unexpected(file, "counties", "at least one county", "none"));
    }
    let p = &s.province;
    if p.counties != s.counties.len() {
        return Err(bad(
            file,
            InputErrorKind::ProvinceCounties { province: p.counties, listed: s.counties.len() },
        ));
    }
    let n = meta.paths;
    prob(file, "province.exhaustion_probability", &p.exhaustion_probability, n)?;
    est(file, "province.counties_exhausted", &p.counties_exhausted, Range::Count(p.counties as f64), n)?;
    for (k, e) in [
        ("peak_overdue_rate", &p.peak_overdue_rate),
        ("final_overdue_rate", &p.final_overdue_rate),
        ("coverage_rate", &p.coverage_rate),
    ] {
        est(file, &format!("province.{k}"), e, Range::Share, n)?;
    }
    for (k, e) in [
        ("loss_fund_yuan", &p.loss_fund_yuan),
        ("loss_bank_yuan", &p.loss_bank_yuan),
        ("loss_uncovered_yuan", &p.loss_uncovered_yuan),
        ("claims_paid_yuan", &p.claims_paid_yuan),
        ("disbursed_yuan", &p.disbursed_yuan),
        ("fund_end_yuan", &p.fund_end_yuan),
    ] {
        est(file, &format!("province.{k}"), e, Range::Money, n)?;
    }
    for (k, x) in
        [("outstanding_start_yuan", p.outstanding_start_yuan), ("fund_start_yuan", p.fund_start_yuan)]
    {
        value(file, &format!("province.{k}"), x, Range::Money)?;
    }
    for c in &s.counties {
        let at = |k: &str| format!("counties[{}].{k}", c.id);
        prob(file, &at("exhaustion_probability"), &c.exhaustion_probability, n)?;
        est(file, &at("peak_overdue_rate"), &c.peak_overdue_rate, Range::Share, n)?;
        est(file, &at("final_overdue_rate"), &c.final_overdue_rate, Range::Share, n)?;
        est(file, &at("coverage_rate"), &c.coverage_rate, Range::Share, n)?;
        est(file, &at("loss_fund_yuan"), &c.loss_fund_yuan, Range::Money, n)?;
        value(file, &at("fund_start_yuan"), c.fund_start_yuan, Range::Money)?;
        value(file, &at("outstanding_start_yuan"), c.outstanding_start_yuan, Range::Money)?;
        if let Some(m) = c.exhaustion_month_p50
            && !(1..=meta.horizon_months).contains(&m)
        {
            return Err(unexpected(
                file,
                &at("exhaustion_month_p50"),
                format!("a month from 1 to {}", meta.horizon_months),
                m,
            ));
        }
    }
    Ok(())
}

/// The province figures of a month in `monthly.csv`, in order.
const MONTHLY_PROVINCE: [&str; 4] =
    ["overdue_rate", "fund_balance_yuan", "outstanding_yuan", "exhausted_probability"];
/// The figures of each county in a month, in order.
const MONTHLY_COUNTY: [&str; 5] =
    ["overdue_rate", "fund_balance_yuan", "outstanding_yuan", "coverage_rate", "exhausted_probability"];

/// Checks `monthly.csv` row by row: month by month, the province's four
/// rows then each county's five, for every month of the horizon and every
/// county of `summary.json`, with values in each figure's range.
fn check_monthly(file: &str, rows: &[MonthlyIn], s: &SummaryIn, meta: &RunMeta) -> Result<(), InputError> {
    let f = file;
    let counties = s.counties.len();
    let per_month = MONTHLY_PROVINCE.len() + MONTHLY_COUNTY.len() * counties;
    // Month 0 (the starting state) and every month of the horizon.
    let expected = (usize::from(meta.horizon_months) + 1) * per_month;
    if rows.len() != expected {
        return Err(bad(
            f,
            InputErrorKind::MonthlyRows { rows: rows.len(), expected, months: meta.horizon_months, counties },
        ));
    }
    let ids: std::collections::BTreeSet<&str> = s.counties.iter().map(|c| c.id.as_str()).collect();
    let mut seen: Vec<&str> = Vec::with_capacity(counties);
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        let month = i / per_month;
        let j = i % per_month;
        let (county, figure) = if j < MONTHLY_PROVINCE.len() {
            ("province", MONTHLY_PROVINCE[j])
        } else {
            let k = (j - MONTHLY_PROVINCE.len()) / MONTHLY_COUNTY.len();
            let fig = MONTHLY_COUNTY[(j - MONTHLY_PROVINCE.len()) % MONTHLY_COUNTY.len()];
            if month == 0 && fig == MONTHLY_COUNTY[0] {
                if !ids.contains(r.county_id.as_str()) || seen.contains(&r.county_id.as_str()) {
                    return Err(unexpected(
                        f,
                        &format!("row {line}, column county_id"),
                        "a county of summary.json not yet listed this month",
                        format!("{:?}", r.county_id),
                    ));
                }
                seen.push(&r.county_id);
            }
            (seen.get(k).copied().unwrap_or(""), fig)
        };
        if usize::from(r.month) != month {
            return Err(unexpected(f, &format!("row {line}, column month"), month.to_string(), r.month));
        }
        if r.county_id != county {
            return Err(unexpected(
                f,
                &format!("row {line}, column county_id"),
                format!("{county:?}"),
                format!("{:?}", r.county_id),
            ));
        }
        if r.figure != figure {
            return Err(unexpected(
                f,
                &format!("row {line}, column figure"),
                format!("{figure:?}"),
                format!("{:?}", r.figure),
            ));
        }
        let range = if figure.ends_with("_yuan") { Range::Money } else { Range::Share };
        let probability = figure == "exhausted_probability";
        for (col, x) in
            [("mean", r.mean), ("p05", r.p05), ("p25", r.p25), ("p50", r.p50), ("p75", r.p75), ("p95", r.p95)]
        {
            match x {
                Some(x) => value(f, &format!("row {line}, column {col}"), x, range)?,
                // The quartiles of a probability are empty; nothing else is.
                None if probability && (col == "p25" || col == "p75") => {}
                None => {
                    return Err(unexpected(f, &format!("row {line}, column {col}"), "a number", "nothing"));
                }
            }
        }
        match r.se {
            Some(se) => std_error(f, &format!("row {line}, column se"), se, meta.paths)?,
            None if meta.paths < 2 => {}
            None => return Err(unexpected(f, &format!("row {line}, column se"), "a number", "nothing")),
        }
    }
    Ok(())
}

fn check_stress(st: &StressIn, s: &SummaryIn) -> Result<(), InputError> {
    if st.counties.len() != s.counties.len() {
        return Err(bad(
            "stress.json",
            InputErrorKind::StressCounties { ranked: st.counties.len(), summary: s.counties.len() },
        ));
    }
    for c in &st.counties {
        if let Some(x) = c.fund_cover_ratio
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(unexpected(
                "stress.json",
                &format!("counties[{}].fund_cover_ratio", c.id),
                "a ratio ≥ 0",
                x,
            ));
        }
    }
    Ok(())
}

fn dif(file: &str, place: &str, d: &Dif, r: Range, paths: u32) -> Result<(), InputError> {
    for (k, x) in [("base", d.base), ("revision", d.revision)] {
        value(file, &format!("{place}.{k}"), x.0, r)?;
    }
    value(file, &format!("{place}.diff"), d.diff.0, Range::Money)?;
    std_error(file, &format!("{place}.se"), d.se.0, paths)
}

fn check_compare(file: &str, c: &CompareIn, meta: &RunMeta) -> Result<(), InputError> {
    let f = file;
    agrees(f, "paths", c.paths, meta.paths)?;
    agrees(f, "seed", c.seed, meta.seed)?;
    if c.counties.is_empty() {
        return Err(unexpected(f, "counties", "at least one county", "none"));
    }
    for (k, d) in &c.province {
        let r = if k.ends_with("_yuan") {
            Range::Money
        } else if k.ends_with("_probability") || k.ends_with("_rate") {
            Range::Share
        } else {
            Range::Money
        };
        dif(f, &format!("province.{k}"), d, r, meta.paths)?;
    }
    for cd in &c.counties {
        let at = |k: &str| format!("counties[{}].{k}", cd.id);
        dif(f, &at("exhaustion_probability"), &cd.exhaustion_probability, Range::Share, meta.paths)?;
        dif(f, &at("peak_overdue_rate"), &cd.peak_overdue_rate, Range::Share, meta.paths)?;
        dif(f, &at("loss_fund_yuan"), &cd.loss_fund_yuan, Range::Money, meta.paths)?;
    }
    Ok(())
}

fn check_sweep(w: &SweepIn, meta: &RunMeta) -> Result<(), InputError> {
    const F: &str = "sweep.json";
    agrees(F, "paths", w.paths, meta.paths)?;
    agrees(F, "seed", w.seed, meta.seed)?;
    if w.fields.is_empty() || w.fields.len() != w.shape.len() {
        return Err(bad(F, InputErrorKind::SweepShape { fields: w.fields.len(), axes: w.shape.len() }));
    }
    let points: usize = w.shape.iter().product();
    if w.points.len() != points || points == 0 {
        return Err(bad(
            F,
            InputErrorKind::SweepPoints { points: w.points.len(), expected: points, shape: w.shape.clone() },
        ));
    }
    for (i, p) in w.points.iter().enumerate() {
        let at = |k: &str| format!("points[{i}].province.{k}");
        for f in &w.fields {
            match p.values.get(f) {
                Some(x) => value(F, &format!("points[{i}].values.{f}"), *x, Range::Money)?,
                None => return Err(bad(F, InputErrorKind::SweepValue { point: i, field: f.clone() })),
            }
        }
        for c in &p.counties {
            let at = |k: &str| format!("points[{i}].counties[{}].{k}", c.id);
            prob(F, &at("exhaustion_probability"), &c.exhaustion_probability, meta.paths)?;
            value(F, &at("peak_overdue_rate_mean"), c.peak_overdue_rate_mean, Range::Share)?;
            value(F, &at("loss_fund_yuan_mean"), c.loss_fund_yuan_mean, Range::Money)?;
        }
        let q = &p.province;
        prob(F, &at("exhaustion_probability"), &q.exhaustion_probability, meta.paths)?;
        est(F, &at("peak_overdue_rate"), &q.peak_overdue_rate, Range::Share, meta.paths)?;
        for (k, e) in [
            ("loss_fund_yuan", &q.loss_fund_yuan),
            ("loss_bank_yuan", &q.loss_bank_yuan),
            ("loss_uncovered_yuan", &q.loss_uncovered_yuan),
        ] {
            est(F, &at(k), e, Range::Money, meta.paths)?;
        }
    }
    Ok(())
}

fn check_breakpoint(b: &BreakpointIn, meta: &RunMeta) -> Result<(), InputError> {
    const F: &str = "breakpoint.json";
    agrees(F, "paths", b.paths, meta.paths)?;
    if !(b.target > 0.0 && b.target <= 1.0) {
        return Err(unexpected(F, "target", "a probability in (0, 1]", b.target));
    }
    if b.severities.is_empty() || b.severities.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(bad(F, InputErrorKind::Severities));
    }
    if b.counties.is_empty() {
        return Err(unexpected(F, "counties", "at least one county", "none"));
    }
    for c in &b.counties {
        let at = |k: &str| format!("counties[{}].{k}", c.id);
        if c.exhaustion_probability.len() != b.severities.len() {
            return Err(bad(
                F,
                InputErrorKind::PerSeverity {
                    place: at("exhaustion_probability"),
                    values: c.exhaustion_probability.len(),
                    severities: b.severities.len(),
                },
            ));
        }
        for (i, x) in c.exhaustion_probability.iter().enumerate() {
            value(F, &format!("{}[{i}]", at("exhaustion_probability")), *x, Range::Share)?;
        }
        value(
            F,
            &at("exhaustion_probability_at_topup_severity"),
            c.exhaustion_probability_at_topup_severity,
            Range::Share,
        )?;
        value(F, &at("fund_start_yuan"), c.fund_start_yuan, Range::Money)?;
        for (k, x) in [
            ("severity", c.severity),
            ("severity_low", c.severity_low),
            ("severity_high", c.severity_high),
            ("min_topup_yuan", c.min_topup_yuan),
        ] {
            if let Some(x) = x {
                value(F, &at(k), x, Range::Money)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_file_that_is_not_json_is_refused_naming_where_and_keeping_the_parser_error() {
        let e = Results::meta("{\"command\": ").unwrap_err();
        assert_eq!(e.file, "run.json");
        let source = e.source().expect("the JSON parser's error is the source");
        let parser = source.downcast_ref::<serde_json::Error>().expect("a serde_json::Error");
        assert_eq!(
            e.to_string(),
            format!("run.json: not what mcstress writes (line 1, column 12: {parser})"),
        );
    }

    #[test]
    fn a_monthly_row_that_does_not_parse_names_its_row_and_keeps_the_csv_error() {
        let text = "month,county_id,figure,mean,se,p05,p25,p50,p75,p95\nnot-a-month,x,y,1,1,1,1,1,1,1\n";
        let e = parse_monthly("monthly.csv", text).unwrap_err();
        assert!(matches!(e.kind, InputErrorKind::Csv { row: 2, .. }), "{e:?}");
        let source = e.source().expect("the CSV reader's error is the source");
        assert!(source.downcast_ref::<csv::Error>().is_some());
        assert_eq!(e.to_string(), format!("monthly.csv: row 2: {source}"));
    }

    #[test]
    fn a_count_that_disagrees_with_run_json_says_both_values() {
        let e = agrees("sweep.json", "paths", 30_u32, 3).unwrap_err();
        assert!(matches!(e.kind, InputErrorKind::OtherRun { what: "paths", .. }));
        assert_eq!(
            e.to_string(),
            "sweep.json: paths is 30, but run.json records 3: not the output of this run"
        );
        assert!(e.source().is_none());
    }
}
