//! Drawing: the plotters routines for each kind of chart, on the backend
//! of [`super::svg`] that sets texts aside for real shaping, with the
//! compiled-in font, the glyph check of every label and the provenance
//! footer. No text is made here:
//! every label arrives in the [`Kind`] the catalogue built.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::svg::{TextLayer, finish};
use super::{
    CHART_HEIGHT, CHART_WIDTH, Chart, Fan, HeatPanel, Interval, Kind, LinePanel, RankingRow, SurvivalSeries,
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
            Kind::Fans { x_desc, y_desc, panels, zero_line, legend, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.push(("axis label", y_desc.clone()));
                t.extend(panels.iter().map(|p| ("panel title", p.label.clone())));
                t.extend(zero_line.iter().map(|z| ("legend", z.clone())));
                t.extend(legend.iter().map(|l| ("legend", l.clone())));
            }
            Kind::Survival { x_desc, y_desc, series, .. } => {
                t.push(("axis label", x_desc.clone()));
                t.push(("axis label", y_desc.clone()));
                t.extend(series.iter().map(|s| ("legend", s.0.clone())));
            }
            Kind::Ranking { x_desc, rows, legend, .. } => {
                t.push(("axis label", x_desc.clone()));
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

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = area.titled(self.title(), font(36)).map_err(de)?;
        match self {
            Kind::Fans { x_desc, y_desc, panels, zero_line, legend, .. } => {
                let cells = if panels.len() > 1 { body.split_evenly((2, 2)) } else { vec![body] };
                for (cell, f) in cells.iter().zip(panels) {
                    draw_fan(cell, f, x_desc, y_desc, zero_line.as_deref(), legend)?;
                }
            }
            Kind::Survival { x_desc, y_desc, series, .. } => draw_survival(&body, x_desc, y_desc, series)?,
            Kind::Ranking { x_desc, name_width, rows, legend, .. } => {
                draw_ranking(&body, x_desc, *name_width, rows, legend)?
            }
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

fn draw_survival<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    y_desc: &str,
    series: &[SurvivalSeries],
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
        .x_desc(x_desc)
        .y_desc(y_desc)
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
    x_desc: &str,
    name_width: u32,
    rows: &[RankingRow],
    legend: &[String; 3],
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
        .y_label_area_size(name_width)
        .build_cartesian_2d(0.0..x_max.min(100.0), (0..(n - 1).max(1)).into_segmented())
        .map_err(de)?;
    let fmt = |v: &SegmentValue<i32>| match v {
        // Most at risk at the top.
        SegmentValue::CenterOf(i) if *i >= 0 && *i < n => names[(n - 1 - i) as usize].clone(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .x_label_formatter(&pct_label)
        .y_labels(label_count(rows.len()))
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
        .y_labels(label_count(rows.len()))
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
        .x_labels(label_count(bars.len()))
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
    foot.draw(&Text::new(footer.to_string(), (16, 12), font(17).color(&RGBColor(60, 60, 60)))).map_err(de)?;
    root.present().map_err(de)
}
