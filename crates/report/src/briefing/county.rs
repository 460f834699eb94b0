//! One county of a `run` or `stress` directory, as `chart DIR --county
//! CODE` and `report DIR --county CODE` show it: its figures from
//! `summary.json`, its rows of `monthly.csv`, its place in the stress
//! ranking and its townships from `townships.csv`.

use super::inputs::{CountyIn, MonthlyIn, Results, StressCountyIn, StressIn, SummaryIn, TownshipIn};

/// Counties named in the error for an unknown code, at most: enough to
/// see what the codes look like; `counties.csv` lists them all.
const NAMED: usize = 8;

/// Why a county cannot be shown on its own.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CountyError {
    /// The directory holds no single run's counties (compare, sweep,
    /// breakpoint).
    #[error(
        "--county needs the output of run or stress; this directory holds the output of {command} \
         (chart or report it without --county)"
    )]
    NotARun {
        /// The command that wrote the directory.
        command: String,
    },
    /// No county of `summary.json` has the code.
    #[error("county {code} is not in summary.json; its counties are {}", listed(.counties))]
    Unknown {
        /// The code asked for.
        code: String,
        /// The counties there are: (code, Chinese name).
        counties: Vec<(String, String)>,
    },
}

/// "530621 鲁甸县, 530622 巧家县, … (129 in all; counties.csv lists them)".
fn listed(counties: &[(String, String)]) -> String {
    let mut s: Vec<String> = counties.iter().take(NAMED).map(|(id, name)| format!("{id} {name}")).collect();
    if counties.len() > NAMED {
        s.push(format!("… ({} in all; counties.csv lists them)", counties.len()));
    }
    s.join(", ")
}

/// A township's worst month: the highest of its monthly median overdue
/// rates, and of its 5th and 95th percentiles (each over the simulated
/// months; the three may fall in different months).
#[derive(Clone, Debug, PartialEq)]
pub struct TownshipPeak {
    /// The name, as `townships.csv` gives it.
    pub name: String,
    /// Highest monthly median.
    pub peak_p50: f64,
    /// The first month of that median, "YYYY-MM".
    pub peak_date: String,
    /// Highest monthly 5th percentile.
    pub peak_p05: f64,
    /// Highest monthly 95th percentile.
    pub peak_p95: f64,
    /// The median in the last month.
    pub final_p50: f64,
}

/// One county of a run or stress test, with what its charts, briefing and
/// workbook read.
#[derive(Clone, Debug)]
pub struct CountyView<'a> {
    /// The run's summary (province, scenario, paths).
    pub summary: &'a SummaryIn,
    /// The county.
    pub county: &'a CountyIn,
    /// Every row of `monthly.csv` from month 1 (the time axes read the
    /// province's).
    pub monthly: &'a [MonthlyIn],
    /// `stress.json`, for a stress test.
    pub stress: Option<&'a StressIn>,
    /// The county's entry in the stress ranking.
    pub ranked: Option<&'a StressCountyIn>,
    /// Its townships, highest peak median first.
    pub townships: Vec<TownshipPeak>,
}

impl<'a> CountyView<'a> {
    /// County `code` of `results`, with its rows of `townships.csv`
    /// (`parse_townships`).
    pub fn of(results: &'a Results, code: &str, townships: &[TownshipIn]) -> Result<Self, CountyError> {
        let Results::Run { summary, monthly, stress } = results else {
            let command = match results {
                Results::Compare { .. } => "compare",
                Results::Sweep { .. } => "sweep",
                _ => "breakpoint",
            };
            return Err(CountyError::NotARun { command: command.into() });
        };
        let Some(county) = summary.counties.iter().find(|c| c.id == code) else {
            return Err(CountyError::Unknown {
                code: code.into(),
                counties: summary.counties.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
            });
        };
        Ok(CountyView {
            summary,
            county,
            monthly,
            stress: stress.as_ref(),
            ranked: stress.as_ref().and_then(|st| st.counties.iter().find(|k| k.id == code)),
            townships: peaks(townships.iter().filter(|t| t.county_id == code && t.month >= 1)),
        })
    }
}

/// Each township's peaks, in the order of the file, then sorted highest
/// peak median first (ties: higher 95th percentile, then the name).
fn peaks<'t>(rows: impl Iterator<Item = &'t TownshipIn>) -> Vec<TownshipPeak> {
    let mut out: Vec<TownshipPeak> = Vec::new();
    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
    for r in rows {
        let i = match out.iter().position(|t| t.name == r.township) {
            Some(i) => i,
            None => {
                out.push(TownshipPeak {
                    name: r.township.clone(),
                    peak_p50: f64::NEG_INFINITY,
                    peak_date: String::new(),
                    peak_p05: f64::NEG_INFINITY,
                    peak_p95: f64::NEG_INFINITY,
                    final_p50: f64::NAN,
                });
                out.len() - 1
            }
        };
        let t = &mut out[i];
        // Rows come month by month: strictly higher keeps the first month.
        if v(r.overdue_rate_p50) > t.peak_p50 {
            t.peak_p50 = v(r.overdue_rate_p50);
            t.peak_date = r.date.clone();
        }
        t.peak_p05 = t.peak_p05.max(v(r.overdue_rate_p05));
        t.peak_p95 = t.peak_p95.max(v(r.overdue_rate_p95));
        t.final_p50 = v(r.overdue_rate_p50);
    }
    for t in &mut out {
        // A township without a number in any month has no peak.
        for x in [&mut t.peak_p50, &mut t.peak_p05, &mut t.peak_p95] {
            if !x.is_finite() {
                *x = f64::NAN;
            }
        }
    }
    out.sort_by(|a, b| {
        let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
        key(b.peak_p50)
            .total_cmp(&key(a.peak_p50))
            .then(key(b.peak_p95).total_cmp(&key(a.peak_p95)))
            .then(a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(month: u16, county: &str, town: &str, p: [f64; 3]) -> TownshipIn {
        TownshipIn {
            month,
            date: format!("2024-{month:02}"),
            county_id: county.into(),
            township: town.into(),
            overdue_rate_p05: Some(p[0]),
            overdue_rate_p50: Some(p[1]),
            overdue_rate_p95: Some(p[2]),
        }
    }

    #[test]
    fn a_township_peaks_in_its_worst_month_and_the_worst_township_comes_first() {
        let rows = [
            row(1, "1", "甲", [0.0, 0.01, 0.02]),
            row(1, "1", "乙", [0.0, 0.02, 0.05]),
            row(2, "1", "甲", [0.01, 0.03, 0.04]),
            row(2, "1", "乙", [0.0, 0.01, 0.03]),
            row(3, "1", "甲", [0.0, 0.03, 0.06]),
            row(3, "1", "乙", [0.0, 0.01, 0.03]),
        ];
        let p = peaks(rows.iter());
        assert_eq!(p.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["甲", "乙"]);
        // 甲 reaches 3 % in month 2 and again in month 3: the first is named.
        assert_eq!((p[0].peak_p50, p[0].peak_date.as_str()), (0.03, "2024-02"));
        assert_eq!((p[0].peak_p05, p[0].peak_p95, p[0].final_p50), (0.01, 0.06, 0.03));
        assert_eq!((p[1].peak_p50, p[1].peak_date.as_str(), p[1].peak_p95), (0.02, "2024-01", 0.05));
    }

    #[test]
    fn an_unknown_code_names_a_few_counties_and_where_the_rest_are() {
        let counties: Vec<(String, String)> =
            (0..12).map(|i| (format!("5306{i:02}"), format!("县{i}"))).collect();
        let e = CountyError::Unknown { code: "530999".into(), counties }.to_string();
        assert!(e.starts_with("county 530999 is not in summary.json; its counties are 530600 县0, "), "{e}");
        assert!(e.contains("530607 县7") && !e.contains("530608"), "{e}");
        assert!(e.ends_with("… (12 in all; counties.csv lists them)"), "{e}");
    }
}
