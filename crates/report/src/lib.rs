//! Renders results the engine computed: `summary.json`, the CSV tables,
//! `run.json` and the readable text table. It never simulates; it writes to
//! any `Write` it is given and never touches paths.
//!
//! Main items: [`summary_json`], [`write_monthly_csv`],
//! [`write_counties_csv`], [`write_paths_csv`], [`RunProvenance`],
//! [`text_table`].

pub mod briefing;
mod compare;
mod rare;
mod search;
mod stress;
mod text;

use std::io::Write;

use mcstress_engine::{MonthlyRow, PathView, Summary};
use serde::Serialize;

pub use compare::{compare_json, compare_text};
pub use rare::{rare_json, rare_text};
pub use search::{breakpoint_json, breakpoint_text, sweep_json, sweep_text};
pub use stress::{stress_json, stress_text};
pub use text::text_table;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Writing failed.
    #[error("cannot write {what}: {source}")]
    Io {
        /// What was being written.
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// CSV encoding failed.
    #[error("cannot write {what}: {source}")]
    Csv {
        /// What was being written.
        what: &'static str,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// JSON encoding failed.
    #[error("cannot encode {what}: {source}")]
    Json {
        /// What was being encoded.
        what: &'static str,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

/// `value` as pretty-printed JSON with a final newline.
pub(crate) fn pretty_json<T: Serialize>(what: &'static str, value: &T) -> Result<String, ReportError> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|source| ReportError::Json { what, source })?;
    text.push('\n');
    Ok(text)
}

/// `summary.json` as pretty-printed text with a final newline. It holds no
/// timings, so the same inputs give the same bytes.
pub fn summary_json(s: &Summary) -> Result<String, ReportError> {
    pretty_json("summary.json", s)
}

fn num(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { String::new() }
}

/// Writes `monthly.csv`: one row per month × (province or county) ×
/// figure, with mean, standard error and quantiles across paths.
pub fn write_monthly_csv<W: Write>(
    w: W,
    rows: &[MonthlyRow],
    county_ids: &[String],
) -> Result<(), ReportError> {
    let err = |source| ReportError::Csv { what: "monthly.csv", source };
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "month",
        "date",
        "county_id",
        "figure",
        "mean",
        "se",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
    ])
    .map_err(err)?;
    for r in rows {
        let id = match r.county {
            Some(c) => county_ids.get(c).cloned().unwrap_or_default(),
            None => "province".to_string(),
        };
        let q = r.quantiles;
        out.write_record([
            r.month.to_string(),
            r.date.clone(),
            id,
            r.figure.to_string(),
            num(r.mean),
            num(r.se),
            num(q[0]),
            num(q[1]),
            num(q[2]),
            num(q[3]),
            num(q[4]),
        ])
        .map_err(err)?;
    }
    out.flush().map_err(|source| ReportError::Io { what: "monthly.csv", source })
}

/// Writes `townships.csv`: each township's overdue rate by month (month 0 =
/// the starting state), median and 90 % band across paths.
pub fn write_townships_csv<W: Write>(
    w: W,
    rows: &[mcstress_engine::TownshipRow],
    county_ids: &[String],
) -> Result<(), ReportError> {
    let err = |source| ReportError::Csv { what: "townships.csv", source };
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "month",
        "date",
        "county_id",
        "township",
        "overdue_rate_p05",
        "overdue_rate_p50",
        "overdue_rate_p95",
        "paths",
    ])
    .map_err(err)?;
    for r in rows {
        out.write_record([
            r.month.to_string(),
            r.date.clone(),
            county_ids.get(r.county).cloned().unwrap_or_default(),
            r.township.clone(),
            num(r.overdue_rate[0]),
            num(r.overdue_rate[1]),
            num(r.overdue_rate[2]),
            r.paths.to_string(),
        ])
        .map_err(err)?;
    }
    out.flush().map_err(|source| ReportError::Io { what: "townships.csv", source })
}

/// Writes `counties.csv`: one row per county.
pub fn write_counties_csv<W: Write>(w: W, s: &Summary) -> Result<(), ReportError> {
    let err = |source| ReportError::Csv { what: "counties.csv", source };
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "id",
        "name",
        "name_en",
        "prefecture",
        "former_poverty",
        "key_county",
        "loans_start",
        "outstanding_start_yuan",
        "fund_start_yuan",
        "exhaustion_probability",
        "exhaustion_ci95_low",
        "exhaustion_ci95_high",
        "exhaustion_month_p50",
        "peak_overdue_rate_mean",
        "peak_overdue_rate_se",
        "peak_overdue_rate_p95",
        "final_overdue_rate_mean",
        "loss_fund_yuan_mean",
        "loss_fund_yuan_se",
    ])
    .map_err(err)?;
    for c in &s.counties {
        out.write_record([
            c.id.clone(),
            c.name.clone(),
            c.name_en.clone(),
            c.prefecture.clone(),
            c.former_poverty.to_string(),
            c.key_county.to_string(),
            c.loans_start.to_string(),
            num(c.outstanding_start_yuan),
            num(c.fund_start_yuan),
            num(c.exhaustion_probability.p),
            num(c.exhaustion_probability.ci95_low),
            num(c.exhaustion_probability.ci95_high),
            c.exhaustion_month_p50.map(|m| m.to_string()).unwrap_or_default(),
            num(c.peak_overdue_rate.mean),
            num(c.peak_overdue_rate.se),
            num(c.peak_overdue_rate.p95),
            num(c.final_overdue_rate.mean),
            num(c.loss_fund_yuan.mean),
            num(c.loss_fund_yuan.se),
        ])
        .map_err(err)?;
    }
    out.flush().map_err(|source| ReportError::Io { what: "counties.csv", source })
}

/// Writes `paths.csv`: one row per path of province totals, money in
/// integer fen so that the accounting identities can be checked exactly.
pub fn write_paths_csv<W: Write, P: PathView>(w: W, paths: &[P]) -> Result<(), ReportError> {
    let err = |source| ReportError::Csv { what: "paths.csv", source };
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "path",
        "disbursed_fen",
        "repaid_fen",
        "written_off_fen",
        "outstanding_start_fen",
        "outstanding_end_fen",
        "fund_start_fen",
        "fund_inflows_fen",
        "claims_paid_fen",
        "recoveries_to_fund_fen",
        "fund_end_fen",
        "loss_fund_fen",
        "loss_bank_fen",
        "loss_uncovered_fen",
        "subsidy_paid_fen",
        "recoveries_fen",
        "extensions",
        "renewals",
        "new_loans",
        "counties_exhausted",
        "peak_overdue_rate",
        "final_overdue_rate",
    ])
    .map_err(err)?;
    for (i, p) in paths.iter().enumerate() {
        let t = p.totals();
        let ints = [
            t.disbursed,
            t.repaid,
            t.written_off,
            t.outstanding_start,
            t.outstanding_end,
            t.fund_start,
            t.fund_inflows,
            t.claims_paid,
            t.recoveries_to_fund,
            t.fund_end,
            t.loss_fund,
            t.loss_bank,
            t.loss_uncovered,
            t.subsidy_paid,
            t.recoveries,
            t.extensions,
            t.renewals,
            t.new_loans,
            t.counties_exhausted,
        ];
        let mut rec = vec![i.to_string()];
        rec.extend(ints.iter().map(|x| x.to_string()));
        rec.push(num(p.peak_overdue()));
        rec.push(num(p.final_overdue()));
        out.write_record(&rec).map_err(err)?;
    }
    out.flush().map_err(|source| ReportError::Io { what: "paths.csv", source })
}

/// Provenance of a run (`run.json`): unlike `summary.json` it records the
/// thread count and the elapsed time.
#[derive(Clone, Debug, Serialize)]
pub struct RunProvenance {
    /// Always "mcstress.run/1".
    pub schema: &'static str,
    /// The command that wrote the directory: run, compare, stress, sweep
    /// or breakpoint.
    pub command: &'static str,
    /// Date of the run (UTC, YYYY-MM-DD), for provenance footers.
    pub date: String,
    /// Scenario name.
    pub scenario: String,
    /// The scenario's display name in Chinese, if it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// The scenario's display name in English, if it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// The stress shock applied (`stress --shock`, `NAME:SEVERITY`), or the
    /// shock a breakpoint search scales; absent otherwise. The scenario's
    /// hash covers a stress shock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shock: Option<String>,
    /// Scenario file as given (or the embedded default's name).
    pub scenario_file: String,
    /// SHA-256 of the scenario sources and variant.
    pub scenario_sha256: String,
    /// Variant applied.
    pub variant: Option<String>,
    /// Fields set on the command line (`--set FIELD=VALUE`), in order.
    pub settings: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Paths simulated.
    pub paths: u32,
    /// mcstress version.
    pub version: &'static str,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of the simulation, seconds.
    pub elapsed_seconds: f64,
    /// Loans at the start.
    pub loans_start: u64,
    /// Months simulated.
    pub horizon_months: u16,
    /// Files written, `run.json` last.
    pub files: Vec<String>,
    /// `--target-se`, a share; present only when it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_se: Option<f64>,
    /// The headline standard error the paths run reached (a share; `null`
    /// from one path); present only with `--target-se`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline_se: Option<f64>,
    /// Whether the target was met (false: `--max-paths` stopped the run
    /// first); present only with `--target-se`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_met: Option<bool>,
    /// `--counties`: the division codes of the counties simulated, when
    /// only some of the scenario's were (the province's figures are then
    /// theirs); present only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counties_simulated: Option<Vec<String>>,
    /// The number of counties of the whole scenario; present only with
    /// `counties_simulated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counties_in_scenario: Option<usize>,
}

/// `run.json` text.
pub fn run_json(p: &RunProvenance) -> Result<String, ReportError> {
    pretty_json("run.json", p)
}
