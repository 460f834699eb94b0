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
                let summary: SummaryIn = json("summary.json", &need("summary.json")?)?;
                check_summary("summary.json", &summary, meta)?;
                let monthly = parse_monthly(&need("monthly.csv")?)?;
                check_monthly(&monthly, &summary, meta)?;
                if let Some(st) = &stress {
                    check_stress(st, &summary)?;
                }
                Ok(Results::Run { summary: Box::new(summary), monthly, stress })
            }
            "compare" => {
                let compare: CompareIn = json("compare.json", &need("compare.json")?)?;
                check_compare(&compare, meta)?;
                let base: SummaryIn = json("base-summary.json", &need("base-summary.json")?)?;
                check_summary("base-summary.json", &base, meta)?;
                let revision: SummaryIn = json("revision-summary.json", &need("revision-summary.json")?)?;
                check_summary("revision-summary.json", &revision, meta)?;
                Ok(Results::Compare {
                    compare: Box::new(compare),
                    base: Box::new(base),
                    revision: Box::new(revision),
                })
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

// What is read back is checked against run.json and against the natural
// range of each figure, so that a file cut short, edited or taken from
// another run is refused rather than drawn.

fn bad(file: &str, why: String) -> InputError {
    InputError { file: file.into(), why }
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
    if r.admits(x) {
        Ok(())
    } else {
        Err(bad(file, format!("{place}: expected {}, found {}", r.expected(), shown(file, x))))
    }
}

/// A standard error: finite and non-negative, or null (NaN) from one path.
fn std_error(file: &str, place: &str, se: f64, paths: u32) -> Result<(), InputError> {
    if (se.is_nan() && paths < 2) || (se.is_finite() && se >= 0.0) {
        Ok(())
    } else {
        Err(bad(
            file,
            format!("{place}: expected a standard error ≥ 0 ({paths} paths), found {}", shown(file, se)),
        ))
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
    what: &str,
    found: T,
    run: T,
) -> Result<(), InputError> {
    if found == run {
        Ok(())
    } else {
        Err(bad(file, format!("{what} is {found}, but run.json records {run}: not the output of this run")))
    }
}

fn check_summary(file: &str, s: &SummaryIn, meta: &RunMeta) -> Result<(), InputError> {
    agrees(file, "scenario.horizon_months", s.scenario.horizon_months, meta.horizon_months)?;
    agrees(file, "run.paths", s.run.paths, meta.paths)?;
    agrees(file, "run.seed", s.run.seed, meta.seed)?;
    if s.counties.is_empty() {
        return Err(bad(file, "counties: expected at least one county, found none".into()));
    }
    let p = &s.province;
    if p.counties != s.counties.len() {
        return Err(bad(
            file,
            format!("province.counties is {}, but the counties list has {}", p.counties, s.counties.len()),
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
            return Err(bad(
                file,
                format!(
                    "{}: expected a month from 1 to {}, found {m}",
                    at("exhaustion_month_p50"),
                    meta.horizon_months
                ),
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
fn check_monthly(rows: &[MonthlyIn], s: &SummaryIn, meta: &RunMeta) -> Result<(), InputError> {
    const F: &str = "monthly.csv";
    let counties = s.counties.len();
    let per_month = MONTHLY_PROVINCE.len() + MONTHLY_COUNTY.len() * counties;
    let expected = usize::from(meta.horizon_months) * per_month;
    if rows.len() != expected {
        return Err(bad(
            F,
            format!(
                "{} rows, expected {expected}: {} months (run.json) × (4 province rows + 5 × {counties} \
                 counties of summary.json); the file is cut short or not this run's",
                rows.len(),
                meta.horizon_months
            ),
        ));
    }
    let ids: std::collections::BTreeSet<&str> = s.counties.iter().map(|c| c.id.as_str()).collect();
    let mut seen: Vec<&str> = Vec::with_capacity(counties);
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        let month = i / per_month + 1;
        let j = i % per_month;
        let (county, figure) = if j < MONTHLY_PROVINCE.len() {
            ("province", MONTHLY_PROVINCE[j])
        } else {
            let k = (j - MONTHLY_PROVINCE.len()) / MONTHLY_COUNTY.len();
            let fig = MONTHLY_COUNTY[(j - MONTHLY_PROVINCE.len()) % MONTHLY_COUNTY.len()];
            if month == 1 && fig == MONTHLY_COUNTY[0] {
                if !ids.contains(r.county_id.as_str()) || seen.contains(&r.county_id.as_str()) {
                    return Err(bad(
                        F,
                        format!(
                            "row {line}, column county_id: expected a county of summary.json not yet listed \
                             this month, found {:?}",
                            r.county_id
                        ),
                    ));
                }
                seen.push(&r.county_id);
            }
            (seen.get(k).copied().unwrap_or(""), fig)
        };
        if usize::from(r.month) != month {
            return Err(bad(F, format!("row {line}, column month: expected {month}, found {}", r.month)));
        }
        if r.county_id != county {
            return Err(bad(
                F,
                format!("row {line}, column county_id: expected {county:?}, found {:?}", r.county_id),
            ));
        }
        if r.figure != figure {
            return Err(bad(
                F,
                format!("row {line}, column figure: expected {figure:?}, found {:?}", r.figure),
            ));
        }
        let range = if figure.ends_with("_yuan") { Range::Money } else { Range::Share };
        let probability = figure == "exhausted_probability";
        for (col, x) in
            [("mean", r.mean), ("p05", r.p05), ("p25", r.p25), ("p50", r.p50), ("p75", r.p75), ("p95", r.p95)]
        {
            match x {
                Some(x) => value(F, &format!("row {line}, column {col}"), x, range)?,
                // The quartiles of a probability are empty; nothing else is.
                None if probability && (col == "p25" || col == "p75") => {}
                None => {
                    return Err(bad(
                        F,
                        format!("row {line}, column {col}: expected a number, found nothing"),
                    ));
                }
            }
        }
        match r.se {
            Some(se) => std_error(F, &format!("row {line}, column se"), se, meta.paths)?,
            None if meta.paths < 2 => {}
            None => return Err(bad(F, format!("row {line}, column se: expected a number, found nothing"))),
        }
    }
    Ok(())
}

fn check_stress(st: &StressIn, s: &SummaryIn) -> Result<(), InputError> {
    if st.counties.len() != s.counties.len() {
        return Err(bad(
            "stress.json",
            format!("{} counties ranked, but summary.json has {}", st.counties.len(), s.counties.len()),
        ));
    }
    for c in &st.counties {
        if let Some(x) = c.fund_cover_ratio
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(bad(
                "stress.json",
                format!("counties[{}].fund_cover_ratio: expected a ratio ≥ 0, found {x}", c.id),
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

fn check_compare(c: &CompareIn, meta: &RunMeta) -> Result<(), InputError> {
    const F: &str = "compare.json";
    agrees(F, "paths", c.paths, meta.paths)?;
    agrees(F, "seed", c.seed, meta.seed)?;
    if c.counties.is_empty() {
        return Err(bad(F, "counties: expected at least one county, found none".into()));
    }
    for (k, d) in &c.province {
        let r = if k.ends_with("_yuan") {
            Range::Money
        } else if k.ends_with("_probability") || k.ends_with("_rate") {
            Range::Share
        } else {
            Range::Money
        };
        dif(F, &format!("province.{k}"), d, r, meta.paths)?;
    }
    for cd in &c.counties {
        let at = |k: &str| format!("counties[{}].{k}", cd.id);
        dif(F, &at("exhaustion_probability"), &cd.exhaustion_probability, Range::Share, meta.paths)?;
        dif(F, &at("peak_overdue_rate"), &cd.peak_overdue_rate, Range::Share, meta.paths)?;
        dif(F, &at("loss_fund_yuan"), &cd.loss_fund_yuan, Range::Money, meta.paths)?;
    }
    Ok(())
}

fn check_sweep(w: &SweepIn, meta: &RunMeta) -> Result<(), InputError> {
    const F: &str = "sweep.json";
    agrees(F, "paths", w.paths, meta.paths)?;
    agrees(F, "seed", w.seed, meta.seed)?;
    if w.fields.is_empty() || w.fields.len() != w.shape.len() {
        return Err(bad(F, format!("{} fields with a shape of {} axes", w.fields.len(), w.shape.len())));
    }
    let points: usize = w.shape.iter().product();
    if w.points.len() != points || points == 0 {
        return Err(bad(F, format!("{} points, expected {points} (shape {:?})", w.points.len(), w.shape)));
    }
    for (i, p) in w.points.iter().enumerate() {
        let at = |k: &str| format!("points[{i}].province.{k}");
        for f in &w.fields {
            match p.values.get(f) {
                Some(x) => value(F, &format!("points[{i}].values.{f}"), *x, Range::Money)?,
                None => return Err(bad(F, format!("points[{i}].values: no value of {f}"))),
            }
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
        return Err(bad(F, format!("target: expected a probability in (0, 1], found {}", b.target)));
    }
    if b.severities.is_empty() || b.severities.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(bad(F, "severities: expected one or more severities ≥ 0".into()));
    }
    if b.counties.is_empty() {
        return Err(bad(F, "counties: expected at least one county, found none".into()));
    }
    for c in &b.counties {
        let at = |k: &str| format!("counties[{}].{k}", c.id);
        if c.exhaustion_probability.len() != b.severities.len() {
            return Err(bad(
                F,
                format!(
                    "{}: {} values, expected one per severity ({})",
                    at("exhaustion_probability"),
                    c.exhaustion_probability.len(),
                    b.severities.len()
                ),
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
