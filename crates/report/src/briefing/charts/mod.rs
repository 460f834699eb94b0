//! The charts: which charts each kind of result gets (`catalogue`), how a
//! chart is drawn (`draw`), and how the drawing becomes the published SVG
//! and PNG (`svg`: texts shaped and outlined with the shipped font). Every text a chart shows comes from [`super::labels`]; the
//! types below are what the catalogue hands the drawing: figures and
//! finished labels, nothing to look up.

mod catalogue;
mod draw;
mod svg;

use super::inputs::{CountyIn, Results};
use super::labels::county_label;
use super::{BriefingError, Lang, Provenance, check_glyphs};

/// Chart width in pixels (PNG; the SVG uses the same user units).
pub const CHART_WIDTH: u32 = 1600;
/// Chart height in pixels.
pub const CHART_HEIGHT: u32 = 900;

/// One chart, rendered.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File stem, e.g. `overdue-fan`.
    pub name: String,
    /// Title in the chosen language (for the briefing).
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// The charts that exist, each with its figures and its labels.
enum Kind {
    /// Fan charts over months, one panel each (2 × 2 when several), on
    /// one value scale so that the panels compare.
    Fans {
        title: String,
        x_desc: String,
        y_desc: String,
        time: TimeAxis,
        panels: Vec<Fan>,
        zero_line: Option<String>,
        legend: [String; 3],
        /// The exhaustion probability on a right-hand axis: (axis, legend).
        exhausted: Option<(String, String)>,
    },
    /// Cumulative exhaustion probability by month.
    Survival { title: String, x_desc: String, y_desc: String, time: TimeAxis, series: Vec<SurvivalSeries> },
    /// Horizontal bars with whiskers, most at risk at the top.
    Ranking {
        title: String,
        x_desc: String,
        /// Width of the name column, pixels.
        name_width: u32,
        rows: Vec<RankingRow>,
        /// What each colour means, by [`RankingRow`]'s class: watched for
        /// the probability shown, watched for another reason, not watched.
        legend: [String; 3],
        /// A note under the legend (e.g. why every bar is empty).
        note: Option<String>,
    },
    /// Dots with interval lines, one panel per group.
    Intervals {
        title: String,
        panels: Vec<(String, Vec<Interval>)>,
        x_desc: Option<String>,
        /// What red and blue mean (differences only).
        legend: Option<[String; 2]>,
    },
    /// Lines with shaded intervals over a swept value.
    Lines { title: String, x_desc: String, panels: Vec<LinePanel> },
    /// Heat maps over a two-way grid.
    Heat { title: String, x_desc: String, y_desc: String, panels: Vec<HeatPanel> },
    /// Stacked bars of who bears the losses.
    Stacked { title: String, y_desc: String, bars: Vec<StackedBar>, legend: [String; 3] },
}

/// A time axis in calendar months: the months labelled and the month a
/// shock strikes, each with its text.
#[derive(Clone, Debug, Default)]
struct TimeAxis {
    /// (month, "YYYY-MM") of each tick.
    ticks: Vec<(f64, String)>,
    /// (month, legend) of the shock.
    shock: Option<(f64, String)>,
}

/// A series over months with its bands.
#[derive(Clone, Debug, Default)]
struct Fan {
    label: String,
    months: Vec<f64>,
    p05: Vec<f64>,
    p25: Vec<f64>,
    p50: Vec<f64>,
    p75: Vec<f64>,
    p95: Vec<f64>,
    /// Probability the fund is exhausted by each month, percent (empty:
    /// not shown).
    exhausted: Vec<f64>,
}

/// (label, month, probability, low, high), in percent.
pub(super) type SurvivalSeries = (String, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// (name, probability, low, high, class), in percent; the class indexes
/// the ranking's legend.
type RankingRow = (String, f64, f64, f64, usize);

/// (label, estimate, low, high, note beside the dot, empty for none).
type Interval = (String, f64, f64, f64, String);

/// One stacked bar: its label, the three amounts (in the axis' unit) and
/// the text of each amount and of their total.
#[derive(Clone, Debug)]
struct StackedBar {
    label: String,
    values: [f64; 3],
    texts: [String; 3],
    total: String,
}

/// (label, mean, low, high) per point.
type LineSeriesData = (String, Vec<f64>, Vec<f64>, Vec<f64>);

struct LinePanel {
    y_desc: String,
    x: Vec<f64>,
    /// (label, mean, low, high) per series.
    series: Vec<LineSeriesData>,
}

struct HeatPanel {
    title: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// values[i * ys.len() + j] at (xs[i], ys[j]).
    values: Vec<f64>,
    format: fn(f64) -> String,
}

/// Draws every chart that fits the results, in `lang`.
pub fn draw_charts(results: &Results, prov: &Provenance, lang: Lang) -> Result<Vec<Chart>, BriefingError> {
    draw::register_font()?;
    // County names first, so that a bad one is reported as what it is.
    let counties: Vec<&CountyIn> = match results {
        Results::Run { summary, .. } => summary.counties.iter().collect(),
        Results::Compare { base, revisions, .. } => {
            base.counties.iter().chain(revisions.iter().flat_map(|r| &r.summary.counties)).collect()
        }
        Results::Sweep { .. } | Results::Breakpoint { .. } => Vec::new(),
    };
    for c in counties {
        check_glyphs(&format!("county name ({})", c.id), &county_label(c, lang))?;
    }
    if let Results::Breakpoint { breakpoint } = results {
        for c in &breakpoint.counties {
            let name = if lang == Lang::Zh { &c.name } else { &c.name_en };
            check_glyphs(&format!("county name ({})", c.id), name)?;
        }
    }
    let kinds = catalogue::charts(results, lang)?;
    let footer = prov.footer(lang);
    kinds.iter().map(|(name, k)| draw::render(name, k, &footer)).collect()
}

/// Draws the charts of one county (`chart DIR --county CODE`), in `lang`.
pub fn draw_county_charts(
    view: &super::county::CountyView,
    prov: &Provenance,
    lang: Lang,
) -> Result<Vec<Chart>, BriefingError> {
    draw::register_font()?;
    let c = view.county;
    check_glyphs(&format!("county name ({})", c.id), &county_label(c, lang))?;
    for t in &view.townships {
        check_glyphs(&format!("township name ({})", c.id), &t.name)?;
    }
    let kinds = catalogue::county_charts(view, lang)?;
    let footer = prov.footer(lang);
    kinds.iter().map(|(name, k)| draw::render(name, k, &footer)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::inputs::{BreakpointCountyIn, BreakpointIn};
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            scenario: "test".into(),
            sha256: "0123456789abcdef".into(),
            rules: "test".into(),
            shock: None,
            seed: 1,
            paths: 2,
            date: "2000-01-01".into(),
            headline: "headline".into(),
        }
    }

    /// A breakpoint search over `severities` where county `i` breaks at
    /// `breaks[i]` (None: not within the grid).
    fn breakpoint(severities: &[f64], breaks: &[Option<f64>]) -> Results {
        let counties = breaks
            .iter()
            .enumerate()
            .map(|(i, s)| BreakpointCountyIn {
                id: format!("53010{i}"),
                name: "巧家县".into(),
                name_en: "Qiaojia County".into(),
                fund_start_yuan: 1e6,
                severity: *s,
                severity_low: s.map(|s| s * 0.8),
                severity_high: None,
                exhaustion_probability: vec![0.0; severities.len()],
                exhaustion_probability_at_topup_severity: 0.0,
                // No county needs a top-up (null would say none is enough).
                min_topup_yuan: Some(0.0),
                min_topup_low_yuan: Some(0.0),
                min_topup_high_yuan: Some(0.0),
            })
            .collect();
        Results::Breakpoint {
            breakpoint: Box::new(BreakpointIn {
                shock: "drought".into(),
                target: 0.1,
                severities: severities.to_vec(),
                topup_severity: 2.0,
                paths: 2,
                counties,
            }),
        }
    }

    #[test]
    fn a_breakpoint_search_where_no_county_breaks_draws_an_empty_chart() {
        for lang in [Lang::Zh, Lang::En] {
            let charts = draw_charts(&breakpoint(&[0.0, 1.0, 2.0], &[None, None, None]), &provenance(), lang)
                .expect("a chart with no county plotted");
            assert_eq!(charts.len(), 2);
            assert!(charts[0].svg.contains("<svg"), "{}", charts[0].name);
            let none = if lang == Lang::En {
                "(no county reaches it within the grid)"
            } else {
                "（没有县在所测强度内达到）"
            };
            assert!(charts[0].title.ends_with(none), "{}", charts[0].title);
            // No county needs a top-up either: the title says so.
            let none = if lang == Lang::En { "no county needs one" } else { "没有县需要补充" };
            assert!(charts[1].title.contains(none), "{}", charts[1].title);
        }
    }

    #[test]
    fn the_breakpoint_title_counts_the_counties_that_break_not_the_most_it_could_show() {
        let results = breakpoint(&[0.0, 1.0, 2.0], &[Some(1.0), None, Some(2.0)]);
        let en = draw_charts(&results, &provenance(), Lang::En).unwrap();
        assert!(en[0].title.ends_with("(2 most fragile)"), "{}", en[0].title);
        let zh = draw_charts(&results, &provenance(), Lang::Zh).unwrap();
        assert!(zh[0].title.ends_with("（最脆弱的2个县）"), "{}", zh[0].title);
    }
}
