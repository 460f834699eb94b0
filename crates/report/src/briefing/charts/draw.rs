//! Drawing: the plotters routines for each kind of chart, on the backend
//! of [`super::svg`] that sets texts aside for real shaping, with the
//! compiled-in font, the glyph check of every label and the provenance
//! footer. No text is made here:
//! every label arrives in the [`Kind`] the catalogue built.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, SegmentValue, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::svg::{TextLayer, finish};
use super::{
    CHART_HEIGHT, CHART_WIDTH, Chart, Fan, HeatPanel, Interval, Kind, LinePanel, RankingRow, StackedBar,
    SurvivalSeries, TimeAxis,
};
use crate::briefing::{BriefingError, FONT, FONT_FAMILY, check_glyphs};

/// Height of the provenance footer, pixels.
const FOOTER: u32 = 44;

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(127, 127, 127);
const PALETTE: [RGBColor; 5] = [BLUE, ORANGE, GREEN, PURPLE, RED];

/// The chart font could not be registered with plotters.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("the chart font cannot be registered")]
struct FontNotRegistered;

pub(super) fn register_font() -> Result<(), BriefingError> {
    static DONE: std::sync::OnceLock<Result<(), FontNotRegistered>> = std::sync::OnceLock::new();
    (*DONE.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT).map_err(|_| FontNotRegistered)
    }))
    .map_err(|e| BriefingError::Draw { chart: "(font)".into(), source: Box::new(e) })
}

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&BLACK)
}

type DrawResult = Result<(), DrawFailure>;

/// What plotters reported, from either backend.
type DrawFailure = Box<dyn std::error::Error + Send + Sync>;

fn de<E: std::error::Error + Send + Sync + 'static>(e: DrawingAreaErrorKind<E>) -> DrawFailure {
    Box::new(e)
}

/// The band between `lo` and `hi` as a closed polygon.
fn band(x: &[f64], lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = x.iter().zip(hi).map(|(a, b)| (*a, *b)).collect();
    pts.extend(x.iter().zip(lo).rev().map(|(a, b)| (*a, *b)));
    pts
}

fn max_of<'a>(xs: impl IntoIterator<Item = &'a f64>) -> f64 {
    xs.into_iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max)
}

fn min_of<'a>(xs: impl IntoIterator<Item = &'a f64>) -> f64 {
    xs.into_iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::min)
}

fn pad_range(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = (hi - lo).abs().max(1e-9);
    (lo - 0.05 * span)..(hi + 0.08 * span)
}

impl Kind {
    fn title(&self) -> &str {
        match self {
            Kind::Fans { title, .. }
            | Kind::Survival { title, .. }
            | Kind::Ranking { title, .. }
            | Kind::Intervals { title, .. }
            | Kind::Lines { title, .. }
            | Kind::Heat { title, .. }
            | Kind::Stacked { title, .. } => title,
        }
    }

    /// Every piece of text the chart draws besides numbers.
    fn texts(&self) -> Vec<(&'static str, String)> {
        let mut t = vec![("title", self.title().to_string())];
        match self {
            Kind::Fans { x_desc, y_desc, time, panels, zero_line, legend, exhausted, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.push(("axis label", y_desc.clone()));
                t.extend(time.texts());
                t.extend(panels.iter().map(|p| ("panel title", p.label.clone())));
                t.extend(zero_line.iter().map(|z| ("legend", z.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
                if let Some((axis, label)) = exhausted {
                    t.push(("axis label", axis.clone()));
                    t.push(("legend", label.clone()));
                }
            }
            Kind::Survival { x_desc, y_desc, time, series, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.push(("axis label", y_desc.clone()));
                t.extend(time.texts());
                t.extend(series.iter().map(|s| ("legend", s.0.clone())));
            }
            Kind::Ranking { x_desc, rows, legend, note, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.extend(rows.iter().map(|r| ("county name", r.0.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
                t.extend(note.iter().map(|n| ("note", n.clone())));
            }
            Kind::Intervals { panels, x_desc, legend, .. } => {
                t.extend(x_desc.iter().map(|x| ("axis label", x.clone())));
                for (title, rows) in panels {
                    t.push(("panel title", title.clone()));
                    t.extend(rows.iter().map(|r| ("label", r.0.clone())));
                    t.extend(rows.iter().filter(|r| !r.4.is_empty()).map(|r| ("value label", r.4.clone())));
                }
                t.extend(legend.iter().flatten().map(|l| ("legend", l.clone())));
            }
            Kind::Lines { x_desc, panels, .. } => {
                t.push(("axis label", x_desc.clone()));
                for p in panels {
                    t.push(("axis label", p.y_desc.clone()));
                    t.extend(p.series.iter().map(|s| ("legend", s.0.clone())));
                }
            }
            Kind::Heat { x_desc, y_desc, panels, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.push(("axis label", y_desc.clone()));
                t.extend(panels.iter().map(|p| ("panel title", p.title.clone())));
            }
            Kind::Stacked { y_desc, bars, legend, .. } => {
                t.push(("axis label", y_desc.clone()));
                for b in bars {
                    t.push(("label", b.label.clone()));
                    t.extend(b.texts.iter().chain([&b.total]).map(|v| ("value label", v.clone())));
                }
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
            }
        }
        t
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = area.titled(self.title(), font(36)).map_err(de)?;
        match self {
            Kind::Fans { x_desc, y_desc, time, panels, zero_line, legend, exhausted, .. } => {
                // A fund's legend in a strip of its own under the panels:
                // inside them it covered the low band and the exhaustion
                // probability, which rise where a legend would sit.
                let (plots, strip) = match zero_line {
                    Some(_) => {
                        let (_, h) = body.dim_in_pixel();
                        let (a, b) = body.split_vertically(h.saturating_sub(40));
                        (a, Some(b))
                    }
                    None => (body.clone(), None),
                };
                // Two panels side by side, three or four in a square.
                let cells = match panels.len() {
                    0 | 1 => vec![plots],
                    2 => plots.split_evenly((1, 2)),
                    _ => plots.split_evenly((2, 2)),
                };
                // One value scale for all panels, so that they compare.
                let hi = max_of(panels.iter().flat_map(|f| &f.p95));
                let lo = min_of(panels.iter().flat_map(|f| &f.p05));
                // Room above the bands for the legend of a rate; a fund's
                // balance starts at its top, so its legend goes to the
                // bottom instead.
                let top = if zero_line.is_none() { hi.max(1e-6) * 1.45 } else { hi.max(1e-6) };
                let y = pad_range(lo.min(0.0), top);
                let p_max = max_of(panels.iter().flat_map(|f| &f.exhausted));
                let style = FanStyle { x_desc, y_desc, time, zero_line: zero_line.as_deref(), legend, y };
                for (cell, f) in cells.iter().zip(panels) {
                    let exhausted =
                        exhausted.as_ref().map(|(axis, label)| (axis.as_str(), label.as_str(), p_max));
                    draw_fan(cell, f, &style, exhausted, strip.is_none())?;
                }
                if let Some(strip) = &strip {
                    let shock = time.shock.as_ref().map(|(_, label)| label.as_str());
                    let exhausted = exhausted.as_ref().map(|e| e.1.as_str());
                    draw_fan_legend(strip, legend, zero_line.as_deref(), exhausted, shock)?;
                }
            }
            Kind::Survival { x_desc, y_desc, time, series, .. } => {
                draw_survival(&body, x_desc, y_desc, time, series)?
            }
            Kind::Ranking { x_desc, name_width, rows, legend, note, .. } => {
                draw_ranking(&body, x_desc, *name_width, rows, legend, note.as_deref())?
            }
            Kind::Intervals { panels, x_desc, legend, .. } => {
                // The legend, when there is one, in a strip of its own
                // under the panels, where no row or axis can meet it.
                let (plots, strip) = match legend {
                    Some(_) => {
                        let (w, h) = body.dim_in_pixel();
                        let (a, b) = body.split_vertically(h.saturating_sub(44));
                        let _ = w;
                        (a, Some(b))
                    }
                    None => (body.clone(), None),
                };
                let cells = plots.split_evenly((1, panels.len().max(1)));
                for (cell, (title, rows)) in cells.iter().zip(panels) {
                    draw_intervals(cell, title, rows, x_desc.as_deref())?;
                }
                if let (Some(strip), Some(legend)) = (strip, legend) {
                    draw_difference_legend(&strip, legend)?;
                }
            }
            Kind::Lines { x_desc, panels, .. } => {
                let cells = body.split_evenly((1, panels.len().max(1)));
                for (cell, p) in cells.iter().zip(panels) {
                    draw_lines(cell, x_desc, p)?;
                }
            }
            Kind::Heat { x_desc, y_desc, panels, .. } => {
                let cells = body.split_evenly((1, panels.len().max(1)));
                for (cell, p) in cells.iter().zip(panels) {
                    draw_heat(cell, x_desc, y_desc, p)?;
                }
            }
            Kind::Stacked { y_desc, bars, legend, .. } => draw_stacked(&body, y_desc, bars, legend)?,
        }
        Ok(())
    }
}

/// The series legend, boxed on a translucent background.
fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    pos: SeriesLabelPosition,
    size: u32,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(pos)
        .label_font(font(size))
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .draw()
        .map_err(de)
}

/// The number of labels to ask of an axis with `rows` rows (or columns).
///
/// Plotters searches for a tick spacing that yields at most the number of
/// labels asked, multiplying the spacing by 10 until it does; asked for
/// none, it never does, and the spacing overflows (a panic where overflow
/// is checked, a garbage axis where it wraps). So at least one is asked:
/// an axis without rows, as in a reverse stress test where no county
/// reaches the target, has one (empty) label.
fn label_count(rows: usize) -> usize {
    rows.max(1)
}

/// Labels plotters puts on a value axis unless asked otherwise (its
/// default); the tick formatter computes the same ticks with it.
const VALUE_LABELS: usize = 11;

/// How a value axis prints its ticks: as many decimals as the ticks need
/// and no more, the same for every tick of the axis ("80", not "80.00";
/// "0.5, 1.0, 1.5" where the step needs one).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ticks {
    decimals: usize,
    signed: bool,
    percent: bool,
}

impl Ticks {
    /// The ticks plotters draws on `range` when asked for `n` labels.
    pub(super) fn new(range: &Range<f64>, n: usize) -> Self {
        let ticks = RangedCoordf64::from(range.clone()).key_points(n);
        Ticks { decimals: decimals_for(&ticks), signed: false, percent: false }
    }

    /// With "+" before a gain (differences).
    fn signed(self) -> Self {
        Ticks { signed: true, ..self }
    }

    /// With "%" after the number.
    fn percent(self) -> Self {
        Ticks { percent: true, ..self }
    }

    pub(super) fn label(&self, v: &f64) -> String {
        let d = self.decimals;
        let n = if self.signed { format!("{v:+.d$}") } else { format!("{v:.d$}") };
        // A zero needs no sign ("-0", "+0.0").
        let zero = n.trim_start_matches(['-', '+']).chars().all(|c| c == '0' || c == '.');
        let n = if zero { n.trim_start_matches(['-', '+']).to_string() } else { n };
        if self.percent { format!("{n}%") } else { n }
    }
}

/// The fewest decimals (at most 6) that print every tick exactly: the
/// ticks are multiples of 1, 2 or 5 times a power of ten, so a step of
/// 20 needs none and a step of 0.25 needs two.
pub(super) fn decimals_for(ticks: &[f64]) -> usize {
    (0..6)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            ticks.iter().all(|t| ((t * scale).round() - t * scale).abs() < 1e-6)
        })
        .unwrap_or(6)
}

/// A point of the backend (as `backend_coord` gives it) in the
/// coordinates of `area`, which draws relative to its own corner.
fn local<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, (x, y): (i32, i32)) -> (i32, i32) {
    let (x0, y0) = area.get_base_pixel();
    (x - x0, y - y0)
}

/// A value axis whose ticks are exactly the points given, wherever they
/// fall (calendar months, the centres of rows), and no others: plotters'
/// own `with_key_points` cannot take a label formatter.
#[derive(Clone)]
struct Ticked {
    range: RangedCoordf64,
    points: Vec<f64>,
}

impl Ticked {
    fn new(range: Range<f64>, points: Vec<f64>) -> Self {
        Ticked { range: range.into(), points }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = NoDefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // No light lines between the ticks.
        if hint.weight().allow_light_points() { Vec::new() } else { self.points.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.range()
    }
}

impl ValueFormatter<f64> for Ticked {
    fn format(value: &f64) -> String {
        format!("{value}")
    }
}

/// A row axis of `n` rows, row `k` from `k` to `k + 1`, labelled at its
/// centre only: no tick at a row's edge, no empty row (the segmented
/// coordinates of plotters give one row more than asked when one is
/// asked, and a tick at each edge).
fn row_axis(n: usize) -> Ticked {
    Ticked::new(0.0..n.max(1) as f64, (0..n).map(|k| k as f64 + 0.5).collect())
}

/// The label of the row at `v` of a row axis of `names`, drawn top down
/// (the first name at the top).
fn row_name(names: &[String], v: f64) -> String {
    let n = names.len();
    let k = v.floor();
    if k < 0.0 || k >= n as f64 { String::new() } else { names[n - 1 - k as usize].clone() }
}

/// The time axis over months `first..=last`: half a month of room at each
/// end, so that a shock in the first month stands off the axis, and the
/// calendar months of the catalogue as the only ticks.
fn time_range(time: &TimeAxis, first: f64, last: f64) -> Ticked {
    Ticked::new(first - 0.5..last + 0.5, time.ticks.iter().map(|t| t.0).collect())
}

impl TimeAxis {
    fn texts(&self) -> Vec<(&'static str, String)> {
        let mut t: Vec<(&'static str, String)> = self.ticks.iter().map(|x| ("month", x.1.clone())).collect();
        t.extend(self.shock.iter().map(|s| ("legend", s.1.clone())));
        t
    }

    /// The calendar month of the tick at `v`.
    fn label(&self, v: f64) -> String {
        self.ticks.iter().find(|t| (t.0 - v).abs() < 1e-9).map(|t| t.1.clone()).unwrap_or_default()
    }
}

/// The shock's month as a dashed vertical line over `y`, with its legend.
fn draw_shock<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<Ticked, Y>>,
    time: &TimeAxis,
    y: Range<f64>,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    if let Some((m, label)) = &time.shock {
        let style = BLACK.mix(0.75).stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new([(*m, y.start), (*m, y.end)], 8, 6, style))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(vec![(x, y), (x + 20, y)], 5, 3, style)
            });
    }
    Ok(())
}

/// What every fan panel of a chart shares.
struct FanStyle<'a> {
    x_desc: &'a str,
    y_desc: &'a str,
    time: &'a TimeAxis,
    zero_line: Option<&'a str>,
    legend: &'a [String; 3],
    /// The value scale of all panels.
    y: Range<f64>,
}

/// The top of the right-hand axis of probabilities up to `max` percent: a
/// round number, the same for every panel.
fn probability_top(max: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|t| max * 1.1 <= *t).unwrap_or(100.0)
}

fn draw_fan<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &Fan,
    st: &FanStyle,
    exhausted: Option<(&str, &str, f64)>,
    legend_inside: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let first = f.months.first().copied().unwrap_or(1.0);
    let last = max_of(&f.months).max(first + 1.0);
    let pos =
        if st.zero_line.is_none() { SeriesLabelPosition::UpperLeft } else { SeriesLabelPosition::LowerLeft };
    let y = st.y.clone();
    let p_top = exhausted.map_or(100.0, |e| probability_top(e.2));
    let mut chart = ChartBuilder::on(area)
        .caption(&f.label, font(26))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .right_y_label_area_size(if exhausted.is_some() { 80 } else { 0 })
        .build_cartesian_2d(time_range(st.time, first, last), y.clone())
        .map_err(de)?
        .set_secondary_coord(Ticked::new(first - 0.5..last + 0.5, Vec::new()), 0.0..p_top);
    let ticks = Ticks::new(&y, VALUE_LABELS);
    let time = st.time;
    chart
        .configure_mesh()
        .x_desc(st.x_desc)
        .y_desc(st.y_desc)
        .x_label_formatter(&|v| time.label(*v))
        .y_label_formatter(&|v| ticks.label(v))
        .label_style(font(18))
        .axis_desc_style(font(20))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(std::iter::once(Polygon::new(band(&f.months, &f.p05, &f.p95), BLUE.mix(0.15))))
        .map_err(de)?
        .label(&st.legend[0])
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BLUE.mix(0.15).filled()));
    chart
        .draw_series(std::iter::once(Polygon::new(band(&f.months, &f.p25, &f.p75), BLUE.mix(0.35))))
        .map_err(de)?
        .label(&st.legend[1])
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BLUE.mix(0.35).filled()));
    chart
        .draw_series(LineSeries::new(
            f.months.iter().copied().zip(f.p50.iter().copied()),
            BLUE.stroke_width(3),
        ))
        .map_err(de)?
        .label(&st.legend[2])
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
    if let Some(z) = st.zero_line {
        chart
            .draw_series(LineSeries::new([(first - 0.5, 0.0), (last + 0.5, 0.0)], RED.stroke_width(2)))
            .map_err(de)?
            .label(z)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    if let Some((axis, label, _)) = exhausted {
        let p_ticks = Ticks::new(&(0.0..p_top), VALUE_LABELS).percent();
        chart
            .configure_secondary_axes()
            .y_desc(axis)
            .y_label_formatter(&|v| p_ticks.label(v))
            .label_style(font(18))
            .axis_desc_style(font(20))
            .draw()
            .map_err(de)?;
        chart
            .draw_secondary_series(LineSeries::new(
                f.months.iter().copied().zip(f.exhausted.iter().copied()),
                PURPLE.stroke_width(3),
            ))
            .map_err(de)?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], PURPLE.stroke_width(3)));
    }
    draw_shock(&mut chart, st.time, y)?;
    if legend_inside {
        draw_legend(&mut chart, pos, 16)?;
    }
    Ok(())
}

/// The legend of fund fans, in one line under the panels: the bands, the
/// median, the exhaustion line, the exhaustion probability and a stress's
/// shock.
fn draw_fan_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    legend: &[String; 3],
    zero_line: Option<&str>,
    exhausted: Option<&str>,
    shock: Option<&str>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut x = 40;
    let mut item = |label: &str, swatch: &dyn Fn(i32) -> DrawResult| -> DrawResult {
        swatch(x)?;
        strip.draw(&Text::new(label.to_string(), (x + 30, 10), font(18))).map_err(de)?;
        x += 30 + strip.estimate_text_size(label, &font(18)).map_or(300, |s| s.0 as i32) + 40;
        Ok(())
    };
    let rect = |shade: f64| {
        move |x: i32| {
            strip.draw(&Rectangle::new([(x, 12), (x + 20, 26)], BLUE.mix(shade).filled())).map_err(de)
        }
    };
    let line = |c: RGBColor, w: u32| {
        move |x: i32| {
            strip.draw(&PathElement::new(vec![(x, 19), (x + 20, 19)], c.stroke_width(w))).map_err(de)
        }
    };
    item(&legend[0], &rect(0.15))?;
    item(&legend[1], &rect(0.35))?;
    item(&legend[2], &line(BLUE, 3))?;
    if let Some(z) = zero_line {
        item(z, &line(RED, 2))?;
    }
    if let Some(e) = exhausted {
        item(e, &line(PURPLE, 3))?;
    }
    if let Some(label) = shock {
        let style = BLACK.mix(0.75).stroke_width(2);
        let dashed = move |x: i32| {
            strip
                .draw(&plotters::element::DashedPathElement::new(vec![(x, 19), (x + 20, 19)], 5, 3, style))
                .map_err(de)
        };
        item(label, &dashed)?;
    }
    Ok(())
}

fn draw_survival<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    y_desc: &str,
    time: &TimeAxis,
    series: &[SurvivalSeries],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let first = series.iter().flat_map(|s| s.1.first()).copied().fold(f64::INFINITY, f64::min);
    let first = if first.is_finite() { first } else { 1.0 };
    let last = series.iter().flat_map(|s| s.1.iter()).copied().fold(first + 1.0, f64::max);
    let y_max = series.iter().flat_map(|s| s.4.iter()).copied().filter(|v| v.is_finite()).fold(1.0, f64::max);
    // A curve that starts high (a fund not yet exhausted, near 100 %) gets
    // room above 100 % and its legend at the bottom, where the curve is
    // not; a cumulative probability starts near 0 and keeps both as they
    // were.
    let starts_high =
        series.first().and_then(|s| s.2.iter().find(|v| v.is_finite())).is_some_and(|v| *v > 50.0);
    let y = 0.0..(y_max * 1.08).min(if starts_high { 105.0 } else { 100.0 });
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(time_range(time, first, last), y.clone())
        .map_err(de)?;
    let ticks = Ticks::new(&y, VALUE_LABELS).percent();
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&|v| ticks.label(v))
        .x_label_formatter(&|v| time.label(*v))
        .label_style(font(20))
        .axis_desc_style(font(22))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    for (i, (label, x, p, lo, hi)) in series.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        // The band of the headline (first) series only: overlapping bands
        // of several counties would hide each other.
        if i == 0 {
            chart.draw_series(std::iter::once(Polygon::new(band(x, lo, hi), c.mix(0.15)))).map_err(de)?;
        }
        chart
            .draw_series(LineSeries::new(
                x.iter().copied().zip(p.iter().copied()),
                c.stroke_width(if i == 0 { 4 } else { 2 }),
            ))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }
    draw_shock(&mut chart, time, y)?;
    let pos = if starts_high { SeriesLabelPosition::LowerLeft } else { SeriesLabelPosition::UpperLeft };
    draw_legend(&mut chart, pos, 20)?;
    Ok(())
}

/// The colours of the ranking's classes: watched for the probability
/// shown, watched for another reason, not watched.
const RANKING_COLOURS: [RGBColor; 3] = [RED, ORANGE, BLUE];

fn draw_ranking<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    name_width: u32,
    rows: &[RankingRow],
    legend: &[String; 3],
    note: Option<&str>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = rows.len();
    let x_max = rows.iter().map(|r| r.3).fold(1.0, f64::max) * 1.05;
    let x = 0.0..x_max.min(100.0);
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(name_width)
        .build_cartesian_2d(x.clone(), row_axis(n))
        .map_err(de)?;
    let ticks = Ticks::new(&x, VALUE_LABELS).percent();
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .x_label_formatter(&|v| ticks.label(v))
        .y_label_formatter(&|v| row_name(&names, *v))
        .label_style(font(if rows.len() > 25 { 15 } else { 18 }))
        .axis_desc_style(font(22))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    let row = |k: usize| (n - 1 - k) as f64;
    chart
        .draw_series(rows.iter().enumerate().map(|(k, r)| {
            let c = RANKING_COLOURS[r.4.min(2)];
            Rectangle::new([(0.0, row(k) + 0.12), (r.1, row(k) + 0.88)], c.mix(0.7).filled())
        }))
        .map_err(de)?;
    chart
        .draw_series(rows.iter().enumerate().map(|(k, r)| {
            PathElement::new(vec![(r.2, row(k) + 0.5), (r.3, row(k) + 0.5)], BLACK.stroke_width(2))
        }))
        .map_err(de)?;
    // A dot of the bar's colour at its end: a bar of 0 % still shows its
    // class.
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(k, r)| Circle::new((r.1, row(k) + 0.5), 5, RANKING_COLOURS[r.4.min(2)].filled())),
        )
        .map_err(de)?;
    // The legend is drawn by hand (each colour is one series), bottom
    // right, where the least risky counties leave room; only the classes
    // some row has, sized to its texts.
    let entries: Vec<(RGBColor, &String)> =
        (0..3).filter(|c| rows.iter().any(|r| r.4 == *c)).map(|c| (RANKING_COLOURS[c], &legend[c])).collect();
    let text_width = |t: &str, size: u32| area.estimate_text_size(t, &font(size)).map_or(0, |s| s.0 as i32);
    let width = entries
        .iter()
        .map(|e| 34 + text_width(e.1, 20))
        .chain(note.map(|t| text_width(t, 18)))
        .max()
        .unwrap_or(0)
        + 20;
    let height = 30 * entries.len() as i32 + if note.is_some() { 30 } else { 0 } + 10;
    if height > 10 {
        let (w, h) = area.dim_in_pixel();
        let (x1, y1) = (w as i32 - 40, h as i32 - 80);
        let (x0, y0) = (x1 - width, y1 - height);
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.mix(0.9).filled())).map_err(de)?;
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], GREY)).map_err(de)?;
        for (j, (c, label)) in entries.iter().enumerate() {
            let y = y0 + 10 + 30 * j as i32;
            area.draw(&Rectangle::new([(x0 + 10, y), (x0 + 34, y + 18)], c.mix(0.7).filled())).map_err(de)?;
            area.draw(&Text::new((*label).clone(), (x0 + 44, y), font(20))).map_err(de)?;
        }
        if let Some(t) = note {
            let y = y0 + 10 + 30 * entries.len() as i32;
            area.draw(&Text::new(t.to_string(), (x0 + 10, y), font(18))).map_err(de)?;
        }
    }
    Ok(())
}

/// The legend of differences: red where the interval excludes 0, blue
/// where it does not, side by side in `strip`.
fn draw_difference_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    legend: &[String; 2],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut x = 40;
    for (c, label) in [(RED, &legend[0]), (BLUE, &legend[1])] {
        strip.draw(&Circle::new((x + 7, 20), 7, c.filled())).map_err(de)?;
        strip.draw(&PathElement::new(vec![(x - 6, 20), (x + 20, 20)], c.stroke_width(3))).map_err(de)?;
        strip.draw(&Text::new(label.clone(), (x + 30, 10), font(20))).map_err(de)?;
        x += 30 + strip.estimate_text_size(label, &font(20)).map_or(300, |s| s.0 as i32) + 50;
    }
    Ok(())
}

/// Dots with interval lines, one row each. Without `x_desc` the values are
/// differences: red where the interval excludes 0. With it they are levels
/// (e.g. severities) drawn in one colour. A row's note is written above
/// its dot.
fn draw_intervals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[Interval],
    x_desc: Option<&str>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = rows.len();
    // The estimate counts too: from one path its interval is undefined.
    let lo = rows.iter().flat_map(|r| [r.1, r.2]).filter(|v| v.is_finite()).fold(0.0, f64::min);
    let hi = rows.iter().flat_map(|r| [r.1, r.3]).filter(|v| v.is_finite()).fold(0.0, f64::max);
    // Without rows (no county reaches the target) the axis still spans
    // one unit, not a billionth with every tick reading "0".
    let hi = if hi - lo < 1e-9 { lo + 1.0 } else { hi };
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let x = pad_range(lo, hi);
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(250)
        .build_cartesian_2d(x.clone(), row_axis(n))
        .map_err(de)?;
    let signed = x_desc.is_none();
    let ticks = if signed { Ticks::new(&x, VALUE_LABELS).signed() } else { Ticks::new(&x, VALUE_LABELS) };
    chart
        .configure_mesh()
        .x_desc(x_desc.unwrap_or(""))
        .axis_desc_style(font(20))
        .x_label_formatter(&|v| ticks.label(v))
        .y_label_formatter(&|v| row_name(&names, *v))
        .label_style(font(18))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(LineSeries::new([(0.0, 0.0), (0.0, n.max(1) as f64)], GREY.stroke_width(2)))
        .map_err(de)?;
    let note_at = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Right,
        plotters::style::text_anchor::VPos::Top,
    );
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64 + 0.5;
        let c = if signed && (r.2 > 0.0 || r.3 < 0.0) { RED } else { BLUE };
        if r.2.is_finite() && r.3.is_finite() {
            chart.draw_series([PathElement::new(vec![(r.2, y), (r.3, y)], c.stroke_width(3))]).map_err(de)?;
        }
        chart.draw_series([Circle::new((r.1, y), 7, c.filled())]).map_err(de)?;
        // The note under the row's name, where no dot or line can be.
        if !r.4.is_empty() {
            let (px, py) = local(area, chart.backend_coord(&(x.start, y)));
            area.draw(&Text::new(r.4.clone(), (px - 10, py + 12), font(16).color(&GREY).pos(note_at)))
                .map_err(de)?;
        }
    }
    Ok(())
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, x_desc: &str, p: &LinePanel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let x0 = p.x.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let x1 = p.x.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
    let lo = p
        .series
        .iter()
        .flat_map(|s| s.2.iter())
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = p.series.iter().flat_map(|s| s.3.iter()).copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (x, y) = (pad_range(x0, x1.max(x0 + 1e-9)), pad_range(lo, hi.max(1e-9)));
    let (xt, yt) = (Ticks::new(&x, VALUE_LABELS), Ticks::new(&y, VALUE_LABELS));
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(x, y)
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(&p.y_desc)
        .x_label_formatter(&|v| xt.label(v))
        .y_label_formatter(&|v| yt.label(v))
        .label_style(font(18))
        .axis_desc_style(font(20))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    for (i, (label, mean, low, high)) in p.series.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        chart.draw_series(std::iter::once(Polygon::new(band(&p.x, low, high), c.mix(0.2)))).map_err(de)?;
        chart
            .draw_series(LineSeries::new(p.x.iter().copied().zip(mean.iter().copied()), c.stroke_width(3)))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
        chart
            .draw_series(p.x.iter().zip(mean).map(|(x, y)| Circle::new((*x, *y), 5, c.filled())))
            .map_err(de)?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 18)?;
    Ok(())
}

fn draw_heat<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    y_desc: &str,
    p: &HeatPanel,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (nx, ny) = (p.xs.len() as i32, p.ys.len() as i32);
    let xs = p.xs.clone();
    let ys = p.ys.clone();
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, font(24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d((0..(nx - 1).max(1)).into_segmented(), (0..(ny - 1).max(1)).into_segmented())
        .map_err(de)?;
    let fx = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) if *i >= 0 && *i < nx => format!("{}", xs[*i as usize]),
        _ => String::new(),
    };
    let fy = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) if *i >= 0 && *i < ny => format!("{}", ys[*i as usize]),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(label_count(p.xs.len()))
        .y_labels(label_count(p.ys.len()))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(font(18))
        .axis_desc_style(font(20))
        .disable_mesh()
        .draw()
        .map_err(de)?;
    let lo = p.values.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = p.values.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(1e-12);
    for i in 0..nx {
        for j in 0..ny {
            let v = p.values[(i * ny + j) as usize];
            let t = if v.is_finite() { (v - lo) / span } else { 0.0 };
            // White to dark red.
            let c = RGBColor(255 - (t * 60.0) as u8, 255 - (t * 200.0) as u8, 255 - (t * 200.0) as u8);
            chart
                .draw_series([Rectangle::new(
                    [
                        (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                        (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                    ],
                    c.filled(),
                )])
                .map_err(de)?;
            chart
                .draw_series([Text::new(
                    (p.format)(v),
                    (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                    font(18).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                )])
                .map_err(de)?;
        }
    }
    Ok(())
}

fn draw_stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    y_desc: &str,
    bars: &[StackedBar],
    legend: &[String; 3],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = bars.len();
    let hi = bars.iter().map(|b| b.values.iter().sum::<f64>()).fold(1e-9, f64::max);
    let names: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let y = 0.0..hi * 1.35;
    // Left to right, unlike the ranking's rows.
    let x = Ticked::new(0.0..n.max(1) as f64, (0..n).map(|k| k as f64 + 0.5).collect());
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(100)
        .build_cartesian_2d(x, y.clone())
        .map_err(de)?;
    let ticks = Ticks::new(&y, VALUE_LABELS);
    let size = if bars.len() > 8 { 15 } else { 20 };
    chart
        .configure_mesh()
        .y_desc(y_desc)
        .x_label_formatter(&|v| {
            let k = v.floor();
            if k >= 0.0 && (k as usize) < n { names[k as usize].clone() } else { String::new() }
        })
        .y_label_formatter(&|v| ticks.label(v))
        .label_style(font(size))
        .axis_desc_style(font(22))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    let colours = [BLUE, ORANGE, RED];
    // A bar is as wide as its slot less 40 pixels a side (at most).
    let slot = chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0;
    let inset = 0.5 * f64::from((slot - 80).max(slot / 3).min(slot)) / f64::from(slot.max(1));
    let inset = 0.5 - inset;
    for (k, (c, label)) in colours.iter().zip(legend).enumerate() {
        // A series that is nothing everywhere is neither drawn nor named.
        if bars.iter().all(|b| b.values[k] == 0.0) {
            continue;
        }
        let c = *c;
        chart
            .draw_series(bars.iter().enumerate().filter(|(_, b)| b.values[k] > 0.0).map(|(i, b)| {
                let base: f64 = b.values[..k].iter().sum();
                let i = i as f64;
                Rectangle::new(
                    [(i + inset, base), (i + 1.0 - inset, base + b.values[k])],
                    c.mix(0.8).filled(),
                )
            }))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.mix(0.8).filled()));
    }
    // Value labels, for reading the amounts off the bars: each part inside
    // its part where it fits, the total above the bar when it has more
    // than one part.
    let middle = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    );
    let width = |t: &str, size: u32| area.estimate_text_size(t, &font(size)).map_or(i32::MAX, |s| s.0 as i32);
    let bar_width = (f64::from(slot) * (1.0 - 2.0 * inset)) as i32;
    for (i, b) in bars.iter().enumerate() {
        let centre = i as f64 + 0.5;
        let mut base = 0.0;
        for (k, v) in b.values.iter().enumerate() {
            let (top, bottom) =
                (chart.backend_coord(&(centre, base + v)).1, chart.backend_coord(&(centre, base)).1);
            if *v > 0.0 && bottom - top >= 26 && width(&b.texts[k], size) + 8 <= bar_width {
                let ink = if k == 1 { BLACK } else { WHITE };
                let at = local(area, chart.backend_coord(&(centre, base + v / 2.0)));
                area.draw(&Text::new(b.texts[k].clone(), at, font(size).color(&ink).pos(middle)))
                    .map_err(de)?;
            }
            base += v;
        }
        if b.values.iter().filter(|v| **v > 0.0).count() > 1
            && width(&b.total, size) <= f64::from(slot) as i32
        {
            let (x, y) = local(area, chart.backend_coord(&(centre, base)));
            let above = plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Bottom,
            );
            area.draw(&Text::new(b.total.clone(), (x, y - 6), font(size).pos(above))).map_err(de)?;
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 20)?;
    Ok(())
}

/// Renders one chart to SVG and PNG, with the provenance footer.
pub(super) fn render(name: &str, kind: &Kind, footer: &str) -> Result<Chart, BriefingError> {
    for (what, text) in kind.texts() {
        check_glyphs(&format!("{what} in chart {name}"), &text)?;
    }
    check_glyphs(&format!("footer of chart {name}"), footer)?;
    let fail = |source: DrawFailure| BriefingError::Draw { chart: name.to_string(), source };
    let mut shapes = String::new();
    let mut texts = Vec::new();
    {
        let root = TextLayer::new(&mut shapes, &mut texts, (CHART_WIDTH, CHART_HEIGHT)).into_drawing_area();
        draw_page(&root, kind, footer).map_err(fail)?;
    }
    let (svg, png) = finish(name, &shapes, &texts)?;
    Ok(Chart { name: name.to_string(), title: kind.title().to_string(), svg, png })
}

/// The whole page: the chart above, the provenance footer below.
fn draw_page<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, kind: &Kind, footer: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(de)?;
    let (body, foot) = root.split_vertically(CHART_HEIGHT - FOOTER);
    kind.draw(&body)?;
    foot.fill(&RGBColor(245, 245, 245)).map_err(de)?;
    // A long footer (several rule sets, long names) gets a smaller font
    // rather than run off the page; below 12 px it would not be read.
    let room = CHART_WIDTH as i32 - 32;
    let size = (12..=17)
        .rev()
        .find(|&z| foot.estimate_text_size(footer, &font(z)).is_ok_and(|s| s.0 as i32 <= room))
        .unwrap_or(12);
    foot.draw(&Text::new(footer.to_string(), (16, 12), font(size).color(&RGBColor(60, 60, 60))))
        .map_err(de)?;
    root.present().map_err(de)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_print_no_needless_decimals_and_the_same_number_on_every_tick() {
        // Whole ticks print whole: "80", not "80.00"; "2%", not "2.00%".
        let t = Ticks::new(&(0.0..88.0), VALUE_LABELS);
        assert_eq!(t.label(&80.0), "80");
        assert_eq!(t.percent().label(&2.0), "2%");
        // A step of a half needs one decimal, on every tick alike.
        assert_eq!(decimals_for(&[0.0, 0.5, 1.0, 1.5]), 1);
        assert_eq!(decimals_for(&[0.0, 0.25, 0.5]), 2);
        assert_eq!(decimals_for(&[0.0, 20.0, 40.0]), 0);
        let half = Ticks::new(&(0.0..1.6), 4);
        assert_eq!(half.label(&1.0), "1.0");
        // A zero carries no sign; a signed axis marks gains.
        assert_eq!(Ticks::new(&(-3.0..3.0), VALUE_LABELS).signed().label(&-0.0), "0");
        assert_eq!(Ticks::new(&(-3.0..3.0), VALUE_LABELS).signed().label(&2.0), "+2");
    }

    #[test]
    fn a_loss_series_that_is_zero_everywhere_gets_no_legend_entry() {
        register_font().unwrap();
        let bar = |label: &str, v: [f64; 3]| StackedBar {
            label: label.into(),
            values: v,
            texts: v.map(|x| format!("{x} units")),
            total: format!("{} units", v.iter().sum::<f64>()),
        };
        let kind = |third: f64| Kind::Stacked {
            title: "Losses".into(),
            y_desc: "Loss".into(),
            bars: vec![bar("first", [3.0, 2.0, third]), bar("second", [4.0, 1.0, 0.0])],
            legend: ["fund borne".into(), "bank borne".into(), "uncovered part".into()],
        };
        let without = render("losses", &kind(0.0), "footer").unwrap().svg;
        assert!(without.contains("fund borne") && without.contains("bank borne"));
        assert!(!without.contains("uncovered part"), "an all-zero series has no legend entry");
        // The value labels are drawn: each part and the total.
        assert!(without.contains(">3 units<") && without.contains(">5 units<"), "value labels");
        let with = render("losses", &kind(1.0), "footer").unwrap().svg;
        assert!(with.contains("uncovered part"), "a series with a loss has its entry");
    }
}
