//! The charts: each drawn once for SVG and once for PNG from the same code.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::inputs::{CompareIn, CountyIn, Dif, MonthlyIn, Results, StressIn, SummaryIn, SweepIn};
use super::{BriefingError, FONT, FONT_FAMILY, Lang, Provenance, check_glyphs, money_unit};

/// Chart width in pixels (PNG; the SVG uses the same user units).
pub const CHART_WIDTH: u32 = 1600;
/// Chart height in pixels.
pub const CHART_HEIGHT: u32 = 900;
const FOOTER: u32 = 44;

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

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(127, 127, 127);
const PALETTE: [RGBColor; 5] = [BLUE, ORANGE, GREEN, PURPLE, RED];

fn register_font() -> Result<(), BriefingError> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT)
            .map_err(|_| "the chart font cannot be registered".to_string())
    })
    .clone()
    .map_err(|why| BriefingError::Draw { chart: "(font)".into(), why })
}

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&BLACK)
}

type DrawResult = Result<(), String>;

fn de<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
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
}

fn fan(rows: &[MonthlyIn], county: &str, figure: &str, scale: f64, label: String) -> Fan {
    let mut f = Fan { label, ..Fan::default() };
    for r in rows.iter().filter(|r| r.county_id == county && r.figure == figure) {
        let g = |x: Option<f64>| x.unwrap_or(f64::NAN) / scale;
        f.months.push(f64::from(r.month));
        f.p05.push(g(r.p05));
        f.p25.push(g(r.p25));
        f.p50.push(g(r.p50));
        f.p75.push(g(r.p75));
        f.p95.push(g(r.p95));
    }
    f
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

/// The charts that exist, each with what it needs.
enum Kind {
    Fans { title: String, y_desc: String, panels: Vec<Fan>, zero_line: Option<String>, legend: [String; 3] },
    Survival { title: String, series: Vec<SurvivalSeries> },
    Ranking { title: String, rows: Vec<(String, f64, f64, f64, bool)>, legend: [String; 3] },
    Intervals { title: String, panels: Vec<(String, Vec<Interval>)>, x_desc: Option<String> },
    Lines { title: String, x_desc: String, panels: Vec<LinePanel> },
    Heat { title: String, x_desc: String, y_desc: String, panels: Vec<HeatPanel> },
    Stacked { title: String, y_desc: String, bars: Vec<(String, [f64; 3])>, legend: [String; 3] },
}

/// (label, estimate, low, high).
type Interval = (String, f64, f64, f64);

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
            Kind::Fans { y_desc, panels, zero_line, legend, .. } => {
                t.push(("axis label", y_desc.clone()));
                t.extend(panels.iter().map(|p| ("panel title", p.label.clone())));
                t.extend(zero_line.iter().map(|z| ("legend", z.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
            }
            Kind::Survival { series, .. } => t.extend(series.iter().map(|s| ("legend", s.0.clone()))),
            Kind::Ranking { rows, legend, .. } => {
                t.extend(rows.iter().map(|r| ("county name", r.0.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
            }
            Kind::Intervals { panels, x_desc, .. } => {
                t.extend(x_desc.iter().map(|x| ("axis label", x.clone())));
                for (title, rows) in panels {
                    t.push(("panel title", title.clone()));
                    t.extend(rows.iter().map(|r| ("label", r.0.clone())));
                }
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
                t.extend(bars.iter().map(|b| ("label", b.0.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
            }
        }
        t
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, lang: Lang) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = area.titled(self.title(), font(36)).map_err(de)?;
        match self {
            Kind::Fans { y_desc, panels, zero_line, legend, .. } => {
                let cells = if panels.len() > 1 { body.split_evenly((2, 2)) } else { vec![body] };
                for (cell, f) in cells.iter().zip(panels) {
                    draw_fan(cell, f, lang.tr("月份", "Month"), y_desc, zero_line.as_deref(), legend)?;
                }
            }
            Kind::Survival { series, .. } => draw_survival(&body, series, lang)?,
            Kind::Ranking { rows, legend, .. } => draw_ranking(&body, rows, legend, lang)?,
            Kind::Intervals { panels, x_desc, .. } => {
                let cells = body.split_evenly((1, panels.len().max(1)));
                for (cell, (title, rows)) in cells.iter().zip(panels) {
                    draw_intervals(cell, title, rows, x_desc.as_deref())?;
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

fn pct_label(v: &f64) -> String {
    format!("{:.1}%", v)
}

fn draw_fan<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &Fan,
    x_desc: &str,
    y_desc: &str,
    zero_line: Option<&str>,
    legend: &[String; 3],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let x_max = max_of(&f.months).max(2.0);
    let hi = max_of(&f.p95);
    let lo = min_of(&f.p05);
    // Room above the bands for the legend of a rate; a fund's balance
    // starts at its top, so its legend goes to the bottom instead.
    let (top, pos) = match zero_line {
        None => (hi.max(1e-6) * 1.45, SeriesLabelPosition::UpperLeft),
        Some(_) => (hi.max(1e-6), SeriesLabelPosition::LowerLeft),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(&f.label, font(26))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(1.0..x_max, pad_range(lo.min(0.0), top))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(12)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style(font(18))
        .axis_desc_style(font(20))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(std::iter::once(Polygon::new(band(&f.months, &f.p05, &f.p95), BLUE.mix(0.15))))
        .map_err(de)?
        .label(&legend[0])
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BLUE.mix(0.15).filled()));
    chart
        .draw_series(std::iter::once(Polygon::new(band(&f.months, &f.p25, &f.p75), BLUE.mix(0.35))))
        .map_err(de)?
        .label(&legend[1])
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BLUE.mix(0.35).filled()));
    chart
        .draw_series(LineSeries::new(
            f.months.iter().copied().zip(f.p50.iter().copied()),
            BLUE.stroke_width(3),
        ))
        .map_err(de)?
        .label(&legend[2])
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
    if let Some(z) = zero_line {
        chart
            .draw_series(LineSeries::new([(1.0, 0.0), (x_max, 0.0)], RED.stroke_width(2)))
            .map_err(de)?
            .label(z)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    draw_legend(&mut chart, pos, 16)?;
    Ok(())
}

type SurvivalSeries = (String, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn draw_survival<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[SurvivalSeries],
    lang: Lang,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let x_max = series.iter().flat_map(|s| s.1.iter()).copied().fold(2.0, f64::max);
    let y_max = series.iter().flat_map(|s| s.4.iter()).copied().filter(|v| v.is_finite()).fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(1.0..x_max, 0.0..(y_max * 1.08).min(100.0))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(lang.tr("月份（模拟第几个月）", "Month of the simulation"))
        .y_desc(lang.tr("补偿金已耗尽的概率（%）", "Probability the fund is exhausted by then (%)"))
        .y_label_formatter(&pct_label)
        .x_label_formatter(&|v| format!("{v:.0}"))
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
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 20)?;
    Ok(())
}

fn draw_ranking<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[(String, f64, f64, f64, bool)],
    legend: &[String; 3],
    lang: Lang,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = rows.len() as i32;
    let x_max = rows.iter().map(|r| r.3).fold(1.0, f64::max) * 1.05;
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(if lang == Lang::Zh { 190 } else { 330 })
        .build_cartesian_2d(0.0..x_max.min(100.0), (0..(n - 1).max(1)).into_segmented())
        .map_err(de)?;
    let fmt = |v: &SegmentValue<i32>| match v {
        // Most at risk at the top.
        SegmentValue::CenterOf(i) if *i >= 0 && *i < n => names[(n - 1 - i) as usize].clone(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .x_desc(lang.tr(
            "补偿金在模拟期内耗尽的概率（%），须线为95%置信区间",
            "Probability the fund is exhausted within the horizon (%), whiskers: 95% interval",
        ))
        .x_label_formatter(&pct_label)
        .y_labels(rows.len())
        .y_label_formatter(&fmt)
        .label_style(font(if rows.len() > 25 { 15 } else { 18 }))
        .axis_desc_style(font(22))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    let colour = |w: bool| if w { RED } else { BLUE };
    chart
        .draw_series(rows.iter().enumerate().map(|(k, r)| {
            let i = n - 1 - k as i32;
            let mut bar = Rectangle::new(
                [(0.0, SegmentValue::Exact(i)), (r.1, SegmentValue::Exact(i + 1))],
                colour(r.4).mix(0.7).filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(de)?;
    chart
        .draw_series(rows.iter().enumerate().map(|(k, r)| {
            let i = n - 1 - k as i32;
            PathElement::new(
                vec![(r.2, SegmentValue::CenterOf(i)), (r.3, SegmentValue::CenterOf(i))],
                BLACK.stroke_width(2),
            )
        }))
        .map_err(de)?;
    // The legend is drawn by hand (the two colours are one series each),
    // bottom right, where the least risky counties leave room.
    let (w, h) = area.dim_in_pixel();
    let (x0, y0) = (w as i32 - 560, h as i32 - 190);
    for (j, (c, label)) in [(RED, &legend[0]), (BLUE, &legend[1])].into_iter().enumerate() {
        let y = y0 + 30 * j as i32;
        if j == 0 {
            area.draw(&Rectangle::new([(x0 - 10, y0 - 10), (x0 + 540, y0 + 90)], WHITE.mix(0.9).filled()))
                .map_err(de)?;
            area.draw(&Rectangle::new([(x0 - 10, y0 - 10), (x0 + 540, y0 + 90)], GREY)).map_err(de)?;
        }
        area.draw(&Rectangle::new([(x0, y), (x0 + 24, y + 18)], c.mix(0.7).filled())).map_err(de)?;
        area.draw(&Text::new(label.clone(), (x0 + 34, y), font(20))).map_err(de)?;
    }
    area.draw(&Text::new(legend[2].clone(), (x0, y0 + 60), font(18))).map_err(de)?;
    Ok(())
}

/// Dots with interval lines, one row each. Without `x_desc` the values are
/// differences: red where the interval excludes 0. With it they are levels
/// (e.g. severities) drawn in one colour.
fn draw_intervals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[Interval],
    x_desc: Option<&str>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = rows.len() as i32;
    // The estimate counts too: from one path its interval is undefined.
    let lo = rows.iter().flat_map(|r| [r.1, r.2]).filter(|v| v.is_finite()).fold(0.0, f64::min);
    let hi = rows.iter().flat_map(|r| [r.1, r.3]).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(250)
        .build_cartesian_2d(pad_range(lo, hi), (0..(n - 1).max(1)).into_segmented())
        .map_err(de)?;
    let fmt = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) if *i >= 0 && *i < n => names[(n - 1 - i) as usize].clone(),
        _ => String::new(),
    };
    let signed = x_desc.is_none();
    chart
        .configure_mesh()
        .x_desc(x_desc.unwrap_or(""))
        .axis_desc_style(font(20))
        .x_label_formatter(&|v| if signed { format!("{v:+.2}") } else { format!("{v:.2}") })
        .y_labels(rows.len())
        .y_label_formatter(&fmt)
        .label_style(font(18))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
            GREY.stroke_width(2),
        ))
        .map_err(de)?;
    for (k, r) in rows.iter().enumerate() {
        let i = n - 1 - k as i32;
        let c = if signed && (r.2 > 0.0 || r.3 < 0.0) { RED } else { BLUE };
        if r.2.is_finite() && r.3.is_finite() {
            chart
                .draw_series([PathElement::new(
                    vec![(r.2, SegmentValue::CenterOf(i)), (r.3, SegmentValue::CenterOf(i))],
                    c.stroke_width(3),
                )])
                .map_err(de)?;
        }
        chart.draw_series([Circle::new((r.1, SegmentValue::CenterOf(i)), 7, c.filled())]).map_err(de)?;
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
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(pad_range(x0, x1.max(x0 + 1e-9)), pad_range(lo, hi.max(1e-9)))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(&p.y_desc)
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
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
        .x_labels(p.xs.len())
        .y_labels(p.ys.len())
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
    bars: &[(String, [f64; 3])],
    legend: &[String; 3],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = bars.len() as i32;
    let hi = bars.iter().map(|b| b.1.iter().sum::<f64>()).fold(1e-9, f64::max);
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(100)
        .build_cartesian_2d((0..(n - 1).max(1)).into_segmented(), 0.0..hi * 1.35)
        .map_err(de)?;
    let fx = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) if *i >= 0 && *i < n => names[*i as usize].clone(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .y_desc(y_desc)
        .x_labels(bars.len())
        .x_label_formatter(&fx)
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style(font(if bars.len() > 8 { 15 } else { 20 }))
        .axis_desc_style(font(22))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(de)?;
    for (k, (c, label)) in
        [(BLUE, &legend[0]), (ORANGE, &legend[1]), (RED, &legend[2])].into_iter().enumerate()
    {
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let base: f64 = b.1[..k].iter().sum();
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as i32), base),
                        (SegmentValue::Exact(i as i32 + 1), base + b.1[k]),
                    ],
                    c.mix(0.8).filled(),
                );
                r.set_margin(0, 0, 40, 40);
                r
            }))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.mix(0.8).filled()));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 20)?;
    Ok(())
}

/// Renders one chart to SVG and PNG, with the provenance footer.
fn render(name: &str, kind: &Kind, lang: Lang, footer: &str) -> Result<Chart, BriefingError> {
    for (what, text) in kind.texts() {
        check_glyphs(&format!("{what} in chart {name}"), &text)?;
    }
    check_glyphs(&format!("footer of chart {name}"), footer)?;
    let fail = |why: String| BriefingError::Draw { chart: name.to_string(), why };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_WIDTH, CHART_HEIGHT)).into_drawing_area();
        draw_page(&root, kind, lang, footer).map_err(fail)?;
    }
    let mut rgb = vec![0u8; (CHART_WIDTH * CHART_HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (CHART_WIDTH, CHART_HEIGHT)).into_drawing_area();
        draw_page(&root, kind, lang, footer).map_err(fail)?;
    }
    Ok(Chart { name: name.to_string(), title: kind.title().to_string(), svg, png: encode_png(&rgb)? })
}

/// The whole page: the chart above, the provenance footer below.
fn draw_page<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    kind: &Kind,
    lang: Lang,
    footer: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(de)?;
    let (body, foot) = root.split_vertically(CHART_HEIGHT - FOOTER);
    kind.draw(&body, lang)?;
    foot.fill(&RGBColor(245, 245, 245)).map_err(de)?;
    foot.draw(&Text::new(footer.to_string(), (16, 12), font(17).color(&RGBColor(60, 60, 60)))).map_err(de)?;
    root.present().map_err(de)
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, BriefingError> {
    let err = |e: png::EncodingError| BriefingError::Encode { what: "PNG", why: e.to_string() };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, CHART_WIDTH, CHART_HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

pub(super) fn county_label(c: &CountyIn, lang: Lang) -> String {
    match lang {
        Lang::Zh => c.name.clone(),
        Lang::En => c.name_en.clone(),
    }
}

/// Counties most watched first: a `stress` directory's ranking, else the
/// exhaustion probability, then the peak overdue rate, then the code.
pub(super) fn watched<'a>(s: &'a SummaryIn, stress: Option<&StressIn>) -> Vec<(&'a CountyIn, bool)> {
    let mut v: Vec<(&CountyIn, bool, usize)> = s
        .counties
        .iter()
        .map(|c| {
            let st = stress.and_then(|st| st.counties.iter().find(|k| k.id == c.id));
            let watch = st.map_or(c.exhaustion_probability.p.0 >= 0.05, |k| k.watch);
            (c, watch, st.map_or(usize::MAX, |k| k.rank))
        })
        .collect();
    v.sort_by(|a, b| {
        a.2.cmp(&b.2)
            .then(b.0.exhaustion_probability.p.0.total_cmp(&a.0.exhaustion_probability.p.0))
            .then(b.0.peak_overdue_rate.mean.0.total_cmp(&a.0.peak_overdue_rate.mean.0))
            .then(a.0.id.cmp(&b.0.id))
    });
    v.into_iter().map(|(c, w, _)| (c, w)).collect()
}

fn band_legend(lang: Lang) -> [String; 3] {
    [
        lang.tr("90%区间（5%–95%）", "90% band (5th–95th percentile)").into(),
        lang.tr("50%区间（25%–75%）", "50% band (25th–75th percentile)").into(),
        lang.tr("中位数", "median").into(),
    ]
}

fn run_charts(
    s: &SummaryIn,
    monthly: &[MonthlyIn],
    stress: Option<&StressIn>,
    lang: Lang,
) -> Vec<(String, Kind)> {
    let order = watched(s, stress);
    let top: Vec<&CountyIn> = order.iter().take(4).map(|(c, _)| *c).collect();
    let mut out = Vec::new();

    let mut panels = vec![fan(monthly, "province", "overdue_rate", 0.01, lang.tr("全省", "Province").into())];
    panels
        .extend(top.iter().take(3).map(|c| fan(monthly, &c.id, "overdue_rate", 0.01, county_label(c, lang))));
    out.push((
        "overdue-fan".to_string(),
        Kind::Fans {
            title: lang
                .tr("逾期率：全省及最需关注的县", "Overdue rate: province and the most-watched counties")
                .into(),
            y_desc: lang.tr("逾期率（%）", "Overdue rate (%)").into(),
            panels,
            zero_line: None,
            legend: band_legend(lang),
        },
    ));

    let largest = top.iter().map(|c| c.fund_start_yuan).fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let panels: Vec<Fan> =
        top.iter().map(|c| fan(monthly, &c.id, "fund_balance_yuan", div, county_label(c, lang))).collect();
    out.push((
        "fund-fan".to_string(),
        Kind::Fans {
            title: lang
                .tr(
                    "风险补偿金余额：最需关注的县",
                    "Risk-compensation fund balance: the most-watched counties",
                )
                .into(),
            y_desc: match lang {
                Lang::Zh => format!("余额（{unit}）"),
                Lang::En => format!("Balance ({unit})"),
            },
            panels,
            zero_line: Some(lang.tr("耗尽线（余额为零）", "exhaustion line (balance 0)").into()),
            legend: band_legend(lang),
        },
    ));

    let survival = |id: &str, label: String| {
        let rows: Vec<&MonthlyIn> =
            monthly.iter().filter(|r| r.county_id == id && r.figure == "exhausted_probability").collect();
        let g = |x: Option<f64>| x.unwrap_or(f64::NAN) * 100.0;
        (
            label,
            rows.iter().map(|r| f64::from(r.month)).collect::<Vec<_>>(),
            rows.iter().map(|r| g(r.mean)).collect::<Vec<_>>(),
            rows.iter().map(|r| g(r.p05)).collect::<Vec<_>>(),
            rows.iter().map(|r| g(r.p95)).collect::<Vec<_>>(),
        )
    };
    let mut series =
        vec![survival("province", lang.tr("全省：任一县耗尽", "Province: some county's fund").into())];
    series.extend(top.iter().take(3).map(|c| survival(&c.id, county_label(c, lang))));
    out.push((
        "exhaustion-survival".to_string(),
        Kind::Survival {
            title: lang.tr("补偿金耗尽的累积概率（阴影：全省的95%置信区间）", "Probability that a fund is exhausted by each month (shaded: 95% interval for the province)").into(),
            series,
        },
    ));

    let rows: Vec<(String, f64, f64, f64, bool)> = order
        .iter()
        .take(30)
        .map(|(c, w)| {
            let p = &c.exhaustion_probability;
            (county_label(c, lang), p.p.0 * 100.0, p.ci95_low.0 * 100.0, p.ci95_high.0 * 100.0, *w)
        })
        .collect();
    let rule = if stress.is_some() {
        lang.tr("关注标准见压力测试阈值", "watch thresholds as set for the stress test")
    } else {
        lang.tr("关注：耗尽概率 ≥ 5%", "watch: exhaustion probability ≥ 5%")
    };
    out.push((
        "county-ranking".to_string(),
        Kind::Ranking {
            title: lang
                .tr(
                    "各县补偿金耗尽概率排名（前30）",
                    "Counties ranked by the probability their fund runs out (top 30)",
                )
                .into(),
            rows,
            legend: [
                lang.tr("需关注", "on the watch list").into(),
                lang.tr("未列入关注", "not watched").into(),
                rule.into(),
            ],
        },
    ));
    out.push(("losses".to_string(), losses(lang, &[(lang.tr("本情景", "this scenario").to_string(), s)])));
    out
}

fn losses(lang: Lang, sets: &[(String, &SummaryIn)]) -> Kind {
    let largest = sets
        .iter()
        .map(|(_, s)| {
            s.province.loss_fund_yuan.mean.0
                + s.province.loss_bank_yuan.mean.0
                + s.province.loss_uncovered_yuan.mean.0
        })
        .fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let bars = sets
        .iter()
        .map(|(n, s)| {
            let p = &s.province;
            (
                n.clone(),
                [
                    p.loss_fund_yuan.mean.0 / div,
                    p.loss_bank_yuan.mean.0 / div,
                    p.loss_uncovered_yuan.mean.0 / div,
                ],
            )
        })
        .collect();
    stacked_losses(lang, unit, bars)
}

fn stacked_losses(lang: Lang, unit: &str, bars: Vec<(String, [f64; 3])>) -> Kind {
    Kind::Stacked {
        title: lang.tr("损失由谁承担（模拟期内均值）", "Who bears the losses (mean over the horizon)").into(),
        y_desc: match lang {
            Lang::Zh => format!("损失（{unit}）"),
            Lang::En => format!("Loss ({unit})"),
        },
        bars,
        legend: [
            lang.tr("风险补偿金", "compensation fund").into(),
            lang.tr("银行", "banks").into(),
            lang.tr("未获补偿（补偿金不足）", "uncovered (fund could not pay)").into(),
        ],
    }
}

fn compare_charts(c: &CompareIn, base: &SummaryIn, rev: &SummaryIn, lang: Lang) -> Vec<(String, Kind)> {
    let get = |k: &str| c.province.get(k).copied().unwrap_or_default();
    let pp = |label: &'static str, d: Dif| {
        (label.to_string(), d.diff.0 * 100.0, d.ci95_low.0 * 100.0, d.ci95_high.0 * 100.0)
    };
    let rel = |label: &'static str, d: Dif| {
        let b = d.base.0.abs().max(1e-12);
        (label.to_string(), d.diff.0 / b * 100.0, d.ci95_low.0 / b * 100.0, d.ci95_high.0 / b * 100.0)
    };
    let rates = vec![
        pp(lang.tr("任一县补偿金耗尽概率", "P(some county fund exhausted)"), get("exhaustion_probability")),
        pp(lang.tr("峰值逾期率", "Peak overdue rate"), get("peak_overdue_rate")),
        pp(lang.tr("期末逾期率", "Final overdue rate"), get("final_overdue_rate")),
    ];
    let money = vec![
        rel(lang.tr("补偿金损失", "Loss borne by funds"), get("loss_fund_yuan")),
        rel(lang.tr("银行损失", "Loss borne by banks"), get("loss_bank_yuan")),
        rel(lang.tr("代偿支付", "Claims paid"), get("claims_paid_yuan")),
        rel(lang.tr("贷款发放", "Principal disbursed"), get("disbursed_yuan")),
        rel(lang.tr("期末补偿金余额", "Funds at the end"), get("fund_end_yuan")),
    ];
    let title = match lang {
        Lang::Zh => format!(
            "规则修订的影响：{} 对比 {}（点：均值差；线：95%置信区间）",
            c.revision.label(),
            c.base.label()
        ),
        Lang::En => format!(
            "What the revision changes: {} vs {} (dot: mean difference; line: 95% interval)",
            c.revision.label(),
            c.base.label()
        ),
    };
    vec![
        (
            "compare".to_string(),
            Kind::Intervals {
                title,
                x_desc: None,
                panels: vec![
                    (
                        lang.tr(
                            "概率与比率：差值（百分点）",
                            "Probabilities and rates: difference (percentage points)",
                        )
                        .into(),
                        rates,
                    ),
                    (
                        lang.tr(
                            "金额：相对现行规则的变化（%）",
                            "Amounts: change relative to today's rules (%)",
                        )
                        .into(),
                        money,
                    ),
                ],
            },
        ),
        ("compare-counties".to_string(), compare_counties(c, lang)),
        (
            "losses".to_string(),
            losses(
                lang,
                &[
                    (lang.tr("现行规则", "today's rules").to_string() + " " + &c.base.label(), base),
                    (lang.tr("修订", "revision").to_string() + " " + &c.revision.label(), rev),
                ],
            ),
        ),
    ]
}

/// The counties where the revision moves the exhaustion probability most.
fn compare_counties(c: &CompareIn, lang: Lang) -> Kind {
    let rows: Vec<Interval> = c
        .counties
        .iter()
        .take(20)
        .map(|k| {
            let d = &k.exhaustion_probability;
            let name = match lang {
                Lang::Zh => k.name.clone(),
                Lang::En => k.name_en.clone(),
            };
            (name, d.diff.0 * 100.0, d.ci95_low.0 * 100.0, d.ci95_high.0 * 100.0)
        })
        .collect();
    Kind::Intervals {
        title: match lang {
            Lang::Zh => format!(
                "受修订影响最大的县：补偿金耗尽概率的变化（{} 对比 {}）",
                c.revision.label(),
                c.base.label()
            ),
            Lang::En => format!(
                "Counties the revision affects most: change in the probability their fund runs out ({} vs {})",
                c.revision.label(),
                c.base.label()
            ),
        },
        panels: vec![(
            lang.tr(
                "差值（百分点），点：均值；线：95%置信区间",
                "difference (percentage points); dot: mean, line: 95% interval",
            )
            .into(),
            rows,
        )],
        x_desc: None,
    }
}

fn short_field(f: &str) -> String {
    f.rsplit('.').next().unwrap_or(f).to_string()
}

fn sweep_charts(s: &SweepIn, lang: Lang) -> Vec<(String, Kind)> {
    let largest = s
        .points
        .iter()
        .map(|p| p.province.loss_fund_yuan.p95.0.max(p.province.loss_bank_yuan.p95.0))
        .fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let mut out = Vec::new();
    let fields: Vec<String> = s.fields.clone();
    let value = |p: &super::inputs::SweepPointIn, f: &str| p.values.get(f).copied().unwrap_or(f64::NAN);
    if s.fields.len() == 1 {
        let f = &fields[0];
        let x: Vec<f64> = s.points.iter().map(|p| value(p, f)).collect();
        let ci = |e: &super::inputs::Est| {
            (e.mean.0 / div, (e.mean.0 - 1.96 * e.se.0) / div, (e.mean.0 + 1.96 * e.se.0) / div)
        };
        let series = |label: &'static str, g: &dyn Fn(&super::inputs::SweepPointIn) -> (f64, f64, f64)| {
            let v: Vec<(f64, f64, f64)> = s.points.iter().map(g).collect();
            (
                label.to_string(),
                v.iter().map(|t| t.0).collect(),
                v.iter().map(|t| t.1).collect(),
                v.iter().map(|t| t.2).collect(),
            )
        };
        let money = LinePanel {
            y_desc: match lang {
                Lang::Zh => format!("损失均值（{unit}），阴影：95%置信区间"),
                Lang::En => format!("Mean loss ({unit}), shaded: 95% interval"),
            },
            x: x.clone(),
            series: vec![
                series(lang.tr("补偿金损失", "loss borne by funds"), &|p| {
                    ci(&p.province.loss_fund_yuan)
                }),
                series(lang.tr("银行损失", "loss borne by banks"), &|p| ci(&p.province.loss_bank_yuan)),
            ],
        };
        let prob = LinePanel {
            y_desc: lang.tr("任一县补偿金耗尽的概率（%）", "P(some county fund exhausted) (%)").into(),
            x,
            series: vec![series(
                lang.tr("耗尽概率（95%置信区间）", "exhaustion probability (95% interval)"),
                &|p| {
                    let e = &p.province.exhaustion_probability;
                    (e.p.0 * 100.0, e.ci95_low.0 * 100.0, e.ci95_high.0 * 100.0)
                },
            )],
        };
        out.push((
            "sweep".to_string(),
            Kind::Lines {
                title: match lang {
                    Lang::Zh => format!("参数扫描：{}（同一组随机情景）", short_field(f)),
                    Lang::En => {
                        format!("Sweep over {} (the same random futures at every point)", short_field(f))
                    }
                },
                x_desc: f.clone(),
                panels: vec![money, prob],
            },
        ));
    } else if s.fields.len() == 2 {
        let xs: Vec<f64> = s.points.iter().step_by(s.shape[1].max(1)).map(|p| value(p, &fields[0])).collect();
        let ys: Vec<f64> = s.points.iter().take(s.shape[1]).map(|p| value(p, &fields[1])).collect();
        let loss: Vec<f64> = s.points.iter().map(|p| p.province.loss_fund_yuan.mean.0 / div).collect();
        let prob: Vec<f64> = s.points.iter().map(|p| p.province.exhaustion_probability.p.0 * 100.0).collect();
        out.push((
            "sweep".to_string(),
            Kind::Heat {
                title: lang
                    .tr(
                        "二维参数扫描（同一组随机情景）",
                        "Two-way sweep (the same random futures at every point)",
                    )
                    .into(),
                x_desc: fields[0].clone(),
                y_desc: fields[1].clone(),
                panels: vec![
                    HeatPanel {
                        title: match lang {
                            Lang::Zh => format!("补偿金损失均值（{unit}）"),
                            Lang::En => format!("Mean loss borne by funds ({unit})"),
                        },
                        xs: xs.clone(),
                        ys: ys.clone(),
                        values: loss,
                        format: |v| format!("{v:.2}"),
                    },
                    HeatPanel {
                        title: lang
                            .tr("任一县补偿金耗尽概率（%）", "P(some county fund exhausted) (%)")
                            .into(),
                        xs,
                        ys,
                        values: prob,
                        format: |v| format!("{v:.1}"),
                    },
                ],
            },
        ));
    }
    let bars = s
        .points
        .iter()
        .map(|p| {
            let label = fields.iter().map(|f| format!("{}", value(p, f))).collect::<Vec<_>>().join(" × ");
            let q = &p.province;
            (
                label,
                [
                    q.loss_fund_yuan.mean.0 / div,
                    q.loss_bank_yuan.mean.0 / div,
                    q.loss_uncovered_yuan.mean.0 / div,
                ],
            )
        })
        .collect();
    out.push(("losses".to_string(), stacked_losses(lang, unit, bars)));
    out
}

fn breakpoint_charts(b: &super::inputs::BreakpointIn, lang: Lang) -> Vec<(String, Kind)> {
    let top = b.severities.last().copied().unwrap_or(0.0);
    let rows: Vec<Interval> = b
        .counties
        .iter()
        .filter_map(|c| {
            let s = c.severity?;
            let name = match lang {
                Lang::Zh => c.name.clone(),
                Lang::En => c.name_en.clone(),
            };
            Some((name, s, c.severity_low.unwrap_or(0.0), c.severity_high.unwrap_or(top)))
        })
        .take(30)
        .collect();
    let title = match lang {
        Lang::Zh => format!(
            "反向压力测试：{}冲击强度达到多少时，县补偿金耗尽概率达到{:.0}%（最脆弱的30个县）",
            shock_name(&b.shock, lang),
            b.target * 100.0
        ),
        Lang::En => format!(
            "Reverse stress test: the {} severity at which a county's fund has a {:.0}% chance to run out (30 most fragile)",
            shock_name(&b.shock, lang),
            b.target * 100.0
        ),
    };
    let panel = lang.tr(
        "点：临界强度；线：95%区间（右端为网格上限时表示更高）",
        "dot: breakpoint; line: 95% interval (ending at the grid's top: higher)",
    );
    vec![(
        "breakpoint".to_string(),
        Kind::Intervals {
            title,
            panels: vec![(panel.to_string(), rows)],
            x_desc: Some(
                lang.tr("冲击强度（1 = 典型一次冲击）", "Shock severity (1 = a typical hit)").to_string(),
            ),
        },
    )]
}

/// A shock family's name in the language.
pub(super) fn shock_name(key: &str, lang: Lang) -> String {
    let zh = match key {
        "drought" => "干旱",
        "flood" => "洪涝",
        "frost" => "冻害",
        "earthquake" => "地震",
        "livestock_disease" => "畜禽疫病",
        "cattle" => "肉牛价格",
        "pigs" => "生猪价格",
        "tea" => "茶叶价格",
        "coffee" => "咖啡价格",
        "walnut" => "核桃价格",
        "tobacco" => "烤烟价格",
        "fruit_veg" => "果蔬价格",
        "migrant_wages" => "务工收入",
        _ => return key.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => key.replace('_', " "),
    }
}

/// The rule set of a run: its variant (or scenario name) and any
/// `--set` settings.
pub(super) fn rules_label(meta: &super::inputs::RunMeta) -> String {
    let mut rules = meta.variant.clone().unwrap_or_else(|| meta.scenario.clone());
    for set in &meta.settings {
        rules.push_str(" + ");
        rules.push_str(set);
    }
    rules
}

/// The provenance of a directory's results.
pub fn provenance(results: &Results, meta: &super::inputs::RunMeta, lang: Lang) -> Provenance {
    let rules = rules_label(meta);
    let headline = match results {
        Results::Run { summary, .. } => {
            let p = &summary.province.exhaustion_probability;
            match lang {
                Lang::Zh => format!("任一县耗尽概率 {:.1}% ± {:.1}（标准误）", p.p.0 * 100.0, p.se.0 * 100.0),
                Lang::En => {
                    format!("P(some fund exhausted) {:.1}% ± {:.1} (s.e.)", p.p.0 * 100.0, p.se.0 * 100.0)
                }
            }
        }
        Results::Compare { compare, .. } => {
            let d = compare.province.get("loss_fund_yuan").copied().unwrap_or_default();
            let (div, unit) = money_unit(lang, d.base.0);
            // From one path there is no standard error.
            let se = if d.se.0.is_finite() { format!("{:.3}", d.se.0 / div) } else { "n/a".into() };
            match lang {
                Lang::Zh => format!("补偿金损失差 {:+.3} ± {se} {unit}（配对标准误）", d.diff.0 / div),
                Lang::En => {
                    format!("fund loss difference {:+.3} ± {se} {unit} (paired s.e.)", d.diff.0 / div)
                }
            }
        }
        Results::Breakpoint { breakpoint } => match lang {
            Lang::Zh => {
                format!("目标耗尽概率{:.0}%，每次评估{}条路径", breakpoint.target * 100.0, breakpoint.paths)
            }
            Lang::En => format!(
                "target P {:.0}%, {} paths per evaluation",
                breakpoint.target * 100.0,
                breakpoint.paths
            ),
        },
        Results::Sweep { sweep } => {
            let worst =
                sweep.points.iter().map(|p| p.province.exhaustion_probability.se.0).fold(0.0, f64::max);
            match lang {
                Lang::Zh => format!("耗尽概率最大标准误 {:.1}个百分点", worst * 100.0),
                Lang::En => format!("largest s.e. of the exhaustion probability {:.1} pp", worst * 100.0),
            }
        }
    };
    Provenance {
        scenario: meta.scenario.clone(),
        sha256: meta.scenario_sha256.clone(),
        rules,
        seed: meta.seed,
        paths: meta.paths,
        date: meta.date.clone(),
        headline,
    }
}

/// Draws every chart that fits the results, in `lang`.
pub fn draw_charts(results: &Results, prov: &Provenance, lang: Lang) -> Result<Vec<Chart>, BriefingError> {
    register_font()?;
    // County names first, so that a bad one is reported as what it is.
    let counties: Vec<&CountyIn> = match results {
        Results::Run { summary, .. } => summary.counties.iter().collect(),
        Results::Compare { base, revision, .. } => base.counties.iter().chain(&revision.counties).collect(),
        Results::Sweep { .. } | Results::Breakpoint { .. } => Vec::new(),
    };
    for c in counties {
        check_glyphs(&format!("county name ({})", c.id), &county_label(c, lang))?;
    }
    let kinds = match results {
        Results::Run { summary, monthly, stress } => {
            if summary.run.paths == 0 || monthly.is_empty() {
                return Err(BriefingError::Data("the run has no paths or no monthly rows".into()));
            }
            run_charts(summary, monthly, stress.as_ref(), lang)
        }
        Results::Compare { compare, base, revision } => compare_charts(compare, base, revision, lang),
        Results::Sweep { sweep } => sweep_charts(sweep, lang),
        Results::Breakpoint { breakpoint } => {
            for c in &breakpoint.counties {
                let name = if lang == Lang::Zh { &c.name } else { &c.name_en };
                check_glyphs(&format!("county name ({})", c.id), name)?;
            }
            breakpoint_charts(breakpoint, lang)
        }
    };
    let footer = prov.footer(lang);
    kinds.iter().map(|(name, k)| render(name, k, lang, &footer)).collect()
}
