//! The Excel workbook: the figures behind the briefing, with number
//! formats (percent, yuan), frozen headers and units in the header row.
//! Cells hold the exact values of the JSON files (a probability of 0.059 is
//! stored as 0.059 and shown as 5.90 %), so the workbook can be checked
//! against them; beside each column of yuan stands the same amount in
//! 万元 or 亿元 (million or billion yuan in English), which is read more
//! easily.
//!
//! Every sheet is first built as a [`Sheet`] of columns, then written by
//! one function that also sets each column's width from what its cells
//! display ([`column_width`]): Excel, WPS and LibreOffice show "###" for a
//! number wider than its column, and a width set from the header alone
//! did so on hundreds of cells.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::inputs::{
    BreakpointIn, CompareIn, Dif, Est, MonthlyIn, Prob, Results, RevisionIn, RunMeta, StressIn, SummaryIn,
    SweepIn,
};
use super::labels::{county_name, field_name, money_unit, setting_label, shock_label, shock_name};
use super::{BriefingError, Lang, Provenance};

mod county;
pub use county::{county_sheet_names, county_sheets, county_xlsx};

fn err(e: XlsxError) -> BriefingError {
    BriefingError::Encode { what: "the workbook", source: e.into() }
}

/// How a number is shown: the Excel number format of its cell, and the
/// text that format displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// A share as a percentage with two decimals: `0.00%`.
    Pct,
    /// An amount with thousands separators and this many decimals:
    /// `#,##0.00` for 2.
    Money(u8),
    /// A plain number with this many decimals: `0.00` for 2.
    Fixed(u8),
}

impl Shown {
    /// The Excel number format.
    pub fn code(self) -> String {
        let decimals = |d: u8| if d == 0 { String::new() } else { format!(".{}", "0".repeat(d.into())) };
        match self {
            Shown::Pct => "0.00%".into(),
            Shown::Money(d) => format!("#,##0{}", decimals(d)),
            Shown::Fixed(d) => format!("0{}", decimals(d)),
        }
    }

    /// The text the number format displays for `v` (up to the last digit's
    /// rounding, which Excel does half away from zero: the width is the
    /// same but where a carry adds a digit, which the margin absorbs).
    pub fn display(self, v: f64) -> String {
        match self {
            Shown::Pct => format!("{:.2}%", v * 100.0),
            Shown::Fixed(d) => format!("{:.*}", usize::from(d), v),
            Shown::Money(d) => {
                let plain = format!("{:.*}", usize::from(d), v.abs());
                let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
                let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 1);
                if v < 0.0 {
                    out.push('-');
                }
                for (i, ch) in int.chars().enumerate() {
                    if i > 0 && (int.len() - i) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(ch);
                }
                if !frac.is_empty() {
                    out.push('.');
                    out.push_str(frac);
                }
                out
            }
        }
    }
}

/// A cell below the header.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing (a figure the file does not have, or NaN).
    Empty,
    /// A text.
    Text(String),
    /// A number and how it is shown.
    Num(f64, Shown),
}

/// A number, or an empty cell when it is not finite (JSON's `null`).
fn num(v: f64, shown: Shown) -> Cell {
    if v.is_finite() { Cell::Num(v, shown) } else { Cell::Empty }
}

/// A text; an empty one is an empty cell (a blank string would be read
/// back as nothing anyway).
fn text(t: impl Into<String>) -> Cell {
    let t = t.into();
    if t.is_empty() { Cell::Empty } else { Cell::Text(t) }
}

/// A column: its header, its cells (row 2 onwards) and its width.
#[derive(Clone, Debug)]
pub struct Column {
    /// The header, in the briefing's language, with the unit.
    pub head: String,
    /// The cells under it.
    pub cells: Vec<Cell>,
    /// Its width, in Excel's units (the width of a digit).
    pub width: f64,
}

/// A sheet as it is written.
#[derive(Clone, Debug)]
pub struct Sheet {
    /// Its name.
    pub name: String,
    /// Its columns, left to right.
    pub columns: Vec<Column>,
    /// Whether the header carries filter buttons.
    filter: bool,
}

/// Width added to the widest text of a column: bold headers, the filter
/// button, and fonts whose digits are wider than Calibri's (LibreOffice
/// and WPS substitute fonts for it) need room beyond the bare count.
pub const WIDTH_MARGIN: f64 = 3.0;
/// Headers longer than this wrap (the header row is three lines high)
/// rather than widen their column.
pub const HEAD_CAP: f64 = 30.0;
/// Texts longer than this wrap within their cell.
pub const TEXT_CAP: f64 = 60.0;
/// The narrowest column.
const MIN_WIDTH: f64 = 8.0;

/// The width of a text in Excel's units (a digit is 1): a CJK or
/// full-width character takes about two, everything else one.
pub fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| {
            let wide = matches!(
                c as u32,
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
                    | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
            );
            if wide { 2.0 } else { 1.0 }
        })
        .sum()
}

/// A column's width: the widest of its header (up to [`HEAD_CAP`]), its
/// texts (up to [`TEXT_CAP`]) and every number as its format displays it
/// (never capped: a number that does not fit shows as "###"), plus
/// [`WIDTH_MARGIN`].
pub fn column_width(head: &str, cells: &[Cell]) -> f64 {
    let widest = cells.iter().fold(text_width(head).min(HEAD_CAP), |w, c| {
        w.max(match c {
            Cell::Empty => 0.0,
            Cell::Text(t) => text_width(t).min(TEXT_CAP),
            Cell::Num(v, shown) => text_width(&shown.display(*v)),
        })
    });
    (widest + WIDTH_MARGIN).max(MIN_WIDTH)
}

impl Sheet {
    fn new(name: impl Into<String>) -> Sheet {
        Sheet { name: name.into(), columns: Vec::new(), filter: false }
    }

    fn with_filter(mut self) -> Sheet {
        self.filter = true;
        self
    }

    /// Adds a column; its width follows from its content.
    fn col(&mut self, head: impl Into<String>, cells: Vec<Cell>) {
        let head = head.into();
        let width = column_width(&head, &cells);
        self.columns.push(Column { head, cells, width });
    }

    /// Adds a column of amounts in yuan and beside it the same amounts in
    /// the unit that suits the largest of them (万元 or 亿元; million or
    /// billion yuan).
    fn yuan(&mut self, lang: Lang, label: &str, values: &[Option<f64>]) {
        let largest = values.iter().flatten().filter(|v| v.is_finite()).fold(0.0_f64, |m, v| m.max(v.abs()));
        let (div, unit) = money_unit(lang, largest);
        let cells = |scale: f64, shown: Shown| {
            values.iter().map(|v| v.map_or(Cell::Empty, |v| num(v / scale, shown))).collect()
        };
        self.col(with_unit(lang, label, lang.tr("元", "yuan")), cells(1.0, YUAN));
        self.col(with_unit(lang, label, unit), cells(div, SCALED));
    }

    /// Adds a column of probabilities (percent).
    fn pct(&mut self, lang: Lang, label: &str, values: impl IntoIterator<Item = f64>) {
        self.col(with_unit(lang, label, "%"), values.into_iter().map(|v| num(v, Shown::Pct)).collect());
    }

    /// Adds a probability and its 95 % interval, each bound under its own
    /// header.
    fn prob(&mut self, lang: Lang, label: &str, values: &[Prob]) {
        self.pct(lang, label, values.iter().map(|p| p.p.0));
        self.pct(lang, &lower(lang), values.iter().map(|p| p.ci95_low.0));
        self.pct(lang, &upper(lang), values.iter().map(|p| p.ci95_high.0));
    }

    /// Writes the sheet: header row (bold, wrapped, frozen), cells, widths.
    fn write(&self, wb: &mut Workbook) -> Result<(), BriefingError> {
        let head = Format::new().set_bold().set_background_color("#E8E8E8").set_text_wrap();
        let wrap = Format::new().set_text_wrap();
        let ws = wb.add_worksheet();
        ws.set_name(&self.name).map_err(err)?;
        let mut rows = 0;
        for (c, col) in self.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, &col.head, &head).map_err(err)?;
            ws.set_column_width(c, col.width).map_err(err)?;
            for (r, cell) in col.cells.iter().enumerate() {
                let r = r as u32 + 1;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(t) if text_width(t) > TEXT_CAP => {
                        ws.write_string_with_format(r, c, t, &wrap).map_err(err)?;
                    }
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(err)?;
                    }
                    Cell::Num(v, shown) => {
                        let f = Format::new().set_num_format(shown.code());
                        ws.write_number_with_format(r, c, *v, &f).map_err(err)?;
                    }
                }
            }
            rows = rows.max(col.cells.len() as u32);
        }
        ws.set_row_height(0, 45).map_err(err)?;
        ws.set_freeze_panes(1, 0).map_err(err)?;
        if self.filter && rows > 0 && !self.columns.is_empty() {
            ws.autofilter(0, 0, rows, self.columns.len() as u16 - 1).map_err(err)?;
        }
        Ok(())
    }
}

/// Yuan to the cent.
const YUAN: Shown = Shown::Money(2);
/// 万元, 亿元, million or billion yuan.
const SCALED: Shown = Shown::Money(2);

/// "label（unit）" or "label (unit)".
fn with_unit(lang: Lang, label: &str, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("{label}（{unit}）"),
        Lang::En => format!("{label} ({unit})"),
    }
}

fn lower(lang: Lang) -> String {
    lang.tr("下限（95%置信区间）", "Lower bound (95% interval)").into()
}

fn upper(lang: Lang) -> String {
    lang.tr("上限（95%置信区间）", "Upper bound (95% interval)").into()
}

/// Sheet names, by language (the tests read them back).
pub fn sheet_names(lang: Lang) -> [&'static str; 11] {
    match lang {
        Lang::Zh => [
            "摘要",
            "各县",
            "月度",
            "对比",
            "扫描",
            "来源",
            "临界点",
            "冲击",
            "观察名单",
            "各套规则",
            "各县扫描",
        ],
        Lang::En => [
            "Summary",
            "Counties",
            "Months",
            "Comparison",
            "Sweep",
            "Provenance",
            "Breakpoints",
            "Shock",
            "Watch list",
            "Rule sets",
            "Sweep by county",
        ],
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Pct,
    Yuan,
    Count,
}

impl Unit {
    fn of_key(key: &str) -> Unit {
        if key.ends_with("_yuan") {
            Unit::Yuan
        } else if key == "counties_exhausted" {
            Unit::Count
        } else {
            Unit::Pct
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Unit::Pct => lang.tr("比例（%）", "share (%)"),
            Unit::Yuan => lang.tr("元", "yuan"),
            Unit::Count => lang.tr("个（县）", "counties"),
        }
    }

    fn shown(self) -> Shown {
        match self {
            Unit::Pct => Shown::Pct,
            Unit::Yuan => YUAN,
            Unit::Count => Shown::Fixed(2),
        }
    }
}

/// The province figures, by their key in `summary.json` and
/// `compare.json`: Chinese and English names.
const FIGURES: [(&str, &str, &str); 12] = [
    ("exhaustion_probability", "至少一个县补偿金耗尽的概率", "P(some county fund exhausted)"),
    ("peak_overdue_rate", "逾期率峰值", "Peak overdue rate"),
    ("final_overdue_rate", "期末逾期率", "Final overdue rate"),
    ("counties_exhausted", "补偿金耗尽的县数", "Counties whose fund runs out"),
    ("loss_fund_yuan", "补偿金承担损失", "Loss borne by funds"),
    ("loss_bank_yuan", "银行承担损失", "Loss borne by banks"),
    ("loss_uncovered_yuan", "未获补偿损失", "Uncovered loss"),
    ("claims_paid_yuan", "代偿支付", "Claims paid"),
    ("disbursed_yuan", "贷款发放", "Principal disbursed"),
    ("fund_end_yuan", "期末补偿金余额", "Funds at the end"),
    ("coverage_rate", "期末覆盖率", "Coverage at the end"),
    ("counties_top_ups_ran_out", "补充资金用尽的县", "Counties whose top-ups ran out"),
];

fn figure_name(key: &str, lang: Lang) -> String {
    FIGURES.iter().find(|f| f.0 == key).map_or_else(|| key.to_string(), |f| lang.tr(f.1, f.2).to_string())
}

/// What stands in a standard-error cell when there is none: from one
/// path no standard error can be estimated.
fn no_se(lang: Lang) -> &'static str {
    lang.tr("不适用（标准误需至少2条路径）", "n/a (a standard error needs 2 paths)")
}

fn se_cell(v: f64, shown: Shown, lang: Lang) -> Cell {
    if v.is_finite() { Cell::Num(v, shown) } else { text(no_se(lang)) }
}

/// The unit to show an amount of a row in: that of its largest value.
fn row_unit(lang: Lang, values: &[f64]) -> (f64, &'static str) {
    money_unit(lang, values.iter().filter(|v| v.is_finite()).fold(0.0_f64, |m, v| m.max(v.abs())))
}

/// 摘要 / Summary: one row per province figure (units differ by row, so a
/// column says each row's unit, and the amounts in 万元 or 亿元 stand in
/// columns of their own with the unit of each row beside them).
fn summary_sheet(name: &str, s: &SummaryIn, lang: Lang) -> Sheet {
    let p = &s.province;
    let rows: [(&str, Est); 10] = [
        ("peak_overdue_rate", p.peak_overdue_rate),
        ("final_overdue_rate", p.final_overdue_rate),
        ("counties_exhausted", p.counties_exhausted),
        ("loss_fund_yuan", p.loss_fund_yuan),
        ("loss_bank_yuan", p.loss_bank_yuan),
        ("loss_uncovered_yuan", p.loss_uncovered_yuan),
        ("claims_paid_yuan", p.claims_paid_yuan),
        ("disbursed_yuan", p.disbursed_yuan),
        ("fund_end_yuan", p.fund_end_yuan),
        ("coverage_rate", p.coverage_rate),
    ];
    figures_sheet(
        name,
        ("exhaustion_probability", p.exhaustion_probability),
        &rows,
        &|key| figure_name(key, lang),
        lang,
    )
}

/// A sheet of figures, one a row: first a probability with its interval,
/// then estimates (units differ by row, so a column says each row's unit,
/// and the amounts in 万元 or 亿元 stand in columns of their own with the
/// unit of each row beside them); `figure` names a key in the language.
fn figures_sheet(
    name: &str,
    (key, e): (&str, Prob),
    rows: &[(&str, Est)],
    figure: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Sheet {
    let mut keys = vec![text(key)];
    let mut names = vec![text(figure(key))];
    let mut units = vec![text(Unit::Pct.label(lang))];
    let mut stats: [Vec<Cell>; 5] = [
        vec![num(e.p.0, Shown::Pct)],
        vec![se_cell(e.se.0, Shown::Pct, lang)],
        vec![Cell::Empty],
        vec![Cell::Empty],
        vec![Cell::Empty],
    ];
    let mut bounds = [vec![num(e.ci95_low.0, Shown::Pct)], vec![num(e.ci95_high.0, Shown::Pct)]];
    let mut scaled_unit = vec![Cell::Empty];
    let mut scaled: [Vec<Cell>; 4] = Default::default();
    for col in &mut scaled {
        col.push(Cell::Empty);
    }
    for &(key, est) in rows {
        let unit = Unit::of_key(key);
        keys.push(text(key));
        names.push(text(figure(key)));
        units.push(text(unit.label(lang)));
        let values = [est.mean.0, est.se.0, est.p05.0, est.p50.0, est.p95.0];
        for (i, v) in values.into_iter().enumerate() {
            stats[i].push(if i == 1 { se_cell(v, unit.shown(), lang) } else { num(v, unit.shown()) });
        }
        // The file has no interval for an Estimate; its spread is in the
        // percentiles.
        bounds[0].push(Cell::Empty);
        bounds[1].push(Cell::Empty);
        let quartet = [est.mean.0, est.p05.0, est.p50.0, est.p95.0];
        if unit == Unit::Yuan {
            let (div, u) = row_unit(lang, &quartet);
            scaled_unit.push(text(u));
            for (i, v) in quartet.into_iter().enumerate() {
                scaled[i].push(num(v / div, SCALED));
            }
        } else {
            scaled_unit.push(Cell::Empty);
            for col in &mut scaled {
                col.push(Cell::Empty);
            }
        }
    }
    let mut sh = Sheet::new(name);
    sh.col(lang.tr("字段（JSON）", "Field (JSON)"), keys);
    sh.col(lang.tr("指标", "Figure"), names);
    sh.col(lang.tr("单位", "Unit"), units);
    let heads = match lang {
        Lang::Zh => ["均值", "标准误", "5%分位", "中位数", "95%分位"],
        Lang::En => ["Mean", "Standard error", "5th percentile", "Median", "95th percentile"],
    };
    for (h, cells) in heads.iter().zip(stats) {
        sh.col(with_unit(lang, h, lang.tr("单位见C列", "unit in column C")), cells);
    }
    let [low, high] = bounds;
    sh.col(lower(lang), low);
    sh.col(upper(lang), high);
    sh.col(lang.tr("折算单位", "Unit of the next columns"), scaled_unit);
    for (h, cells) in heads.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, h)| h).zip(scaled) {
        sh.col(with_unit(lang, h, lang.tr("折算", "converted")), cells);
    }
    sh
}

fn counties_sheet(name: &str, s: &SummaryIn, lang: Lang) -> Sheet {
    let c = &s.counties;
    let mut sh = Sheet::new(name).with_filter();
    sh.col(lang.tr("代码", "Code"), c.iter().map(|c| text(&c.id)).collect());
    sh.col(lang.tr("县", "County"), c.iter().map(|c| text(county_name(&c.name, &c.name_en, lang))).collect());
    sh.col(
        lang.tr("英文名", "Chinese name"),
        c.iter()
            .map(|c| {
                text(match lang {
                    Lang::Zh => &c.name_en,
                    Lang::En => &c.name,
                })
            })
            .collect(),
    );
    sh.col(lang.tr("州市", "Prefecture (Chinese)"), c.iter().map(|c| text(&c.prefecture)).collect());
    let yuan = |f: fn(&super::inputs::CountyIn) -> f64| c.iter().map(|c| Some(f(c))).collect::<Vec<_>>();
    sh.yuan(lang, lang.tr("期初补偿金", "Fund at start"), &yuan(|c| c.fund_start_yuan));
    sh.yuan(lang, lang.tr("期初贷款余额", "Outstanding at start"), &yuan(|c| c.outstanding_start_yuan));
    let probs: Vec<Prob> = c.iter().map(|c| c.exhaustion_probability).collect();
    sh.prob(lang, lang.tr("耗尽概率", "P(fund exhausted)"), &probs);
    sh.col(
        lang.tr("耗尽月份中位数（第几月）", "Median month of exhaustion (month no.)"),
        c.iter()
            .map(|c| c.exhaustion_month_p50.map_or(Cell::Empty, |m| num(m.into(), Shown::Fixed(0))))
            .collect(),
    );
    sh.pct(
        lang,
        lang.tr("逾期率峰值均值", "Mean peak overdue rate"),
        c.iter().map(|c| c.peak_overdue_rate.mean.0),
    );
    sh.pct(
        lang,
        lang.tr("期末逾期率均值", "Mean final overdue rate"),
        c.iter().map(|c| c.final_overdue_rate.mean.0),
    );
    sh.yuan(lang, lang.tr("补偿金损失均值", "Mean loss borne by fund"), &yuan(|c| c.loss_fund_yuan.mean.0));
    sh.pct(lang, lang.tr("期末覆盖率均值", "Mean coverage at end"), c.iter().map(|c| c.coverage_rate.mean.0));
    sh
}

fn months_sheet(name: &str, rows: &[MonthlyIn], lang: Lang) -> Sheet {
    let province: Vec<&MonthlyIn> = rows.iter().filter(|r| r.county_id == "province").collect();
    let months: Vec<u16> = (1..=province.iter().map(|r| r.month).max().unwrap_or(0)).collect();
    let get = |m: u16, fig: &str| province.iter().find(|x| x.month == m && x.figure == fig).copied();
    let field = |fig: &str, f: fn(&MonthlyIn) -> Option<f64>| -> Vec<Option<f64>> {
        months.iter().map(|&m| get(m, fig).and_then(f)).collect()
    };
    let mut sh = Sheet::new(name);
    sh.col(
        lang.tr("月份（第几月）", "Month (no.)"),
        months.iter().map(|&m| num(m.into(), Shown::Fixed(0))).collect(),
    );
    sh.col(
        lang.tr("年月", "Date"),
        months.iter().map(|&m| get(m, "overdue_rate").map_or(Cell::Empty, |x| text(&x.date))).collect(),
    );
    let nan = |v: Vec<Option<f64>>| v.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect::<Vec<_>>();
    sh.pct(lang, lang.tr("逾期率均值", "Mean overdue rate"), nan(field("overdue_rate", |x| x.mean)));
    sh.pct(
        lang,
        lang.tr("逾期率5%分位", "Overdue rate, 5th percentile"),
        nan(field("overdue_rate", |x| x.p05)),
    );
    sh.pct(
        lang,
        lang.tr("逾期率95%分位", "Overdue rate, 95th percentile"),
        nan(field("overdue_rate", |x| x.p95)),
    );
    sh.yuan(lang, lang.tr("补偿金余额均值", "Mean fund balance"), &field("fund_balance_yuan", |x| x.mean));
    sh.yuan(lang, lang.tr("贷款余额均值", "Mean outstanding"), &field("outstanding_yuan", |x| x.mean));
    sh.pct(
        lang,
        lang.tr("任一县已耗尽概率", "P(some fund exhausted by then)"),
        nan(field("exhausted_probability", |x| x.mean)),
    );
    sh
}

/// The province figures of a comparison in the order a reader asks about
/// them: first whether any fund runs out (what the funds are judged by),
/// then the money the funds pay (claims paid, the loss they bear), then
/// who else bears the loss (banks, nobody), then the overdue rates that
/// drive all of it, then how many counties run out and what is left at the
/// end, and the lending volume last, as context. Figures `compare.json`
/// may add later follow in its (alphabetical) order.
const COMPARE_ORDER: [&str; 10] = [
    "exhaustion_probability",
    "claims_paid_yuan",
    "loss_fund_yuan",
    "loss_bank_yuan",
    "loss_uncovered_yuan",
    "peak_overdue_rate",
    "final_overdue_rate",
    "counties_exhausted",
    "fund_end_yuan",
    "disbursed_yuan",
];

/// One number of a Diff.
type DifPart = fn(&Dif) -> f64;

/// 各套规则 / Rule sets: the province figures of every rule set side by
/// side, one column each (today's rules first); amounts in the unit that
/// suits their row.
fn rule_sets_sheet(name: &str, base: &SummaryIn, revisions: &[RevisionIn], lang: Lang) -> Sheet {
    let mut sets: Vec<(String, &SummaryIn)> = Vec::new();
    if let Some(first) = revisions.first() {
        sets.push((first.compare.base.title(lang), base));
    }
    sets.extend(revisions.iter().map(|r| (r.compare.revision.title(lang), &r.summary)));
    let est = |key: &str, s: &SummaryIn| -> f64 {
        let p = &s.province;
        match key {
            "exhaustion_probability" => p.exhaustion_probability.p.0,
            "peak_overdue_rate" => p.peak_overdue_rate.mean.0,
            "final_overdue_rate" => p.final_overdue_rate.mean.0,
            "counties_exhausted" => p.counties_exhausted.mean.0,
            "loss_fund_yuan" => p.loss_fund_yuan.mean.0,
            "loss_bank_yuan" => p.loss_bank_yuan.mean.0,
            "loss_uncovered_yuan" => p.loss_uncovered_yuan.mean.0,
            "claims_paid_yuan" => p.claims_paid_yuan.mean.0,
            "disbursed_yuan" => p.disbursed_yuan.mean.0,
            "fund_end_yuan" => p.fund_end_yuan.mean.0,
            _ => p.coverage_rate.mean.0,
        }
    };
    let keys = [
        "exhaustion_probability",
        "peak_overdue_rate",
        "final_overdue_rate",
        "counties_exhausted",
        "loss_fund_yuan",
        "loss_bank_yuan",
        "loss_uncovered_yuan",
        "claims_paid_yuan",
        "disbursed_yuan",
        "fund_end_yuan",
        "coverage_rate",
    ];
    let mut sheet = Sheet::new(name);
    sheet.col(lang.tr("指标", "Figure"), keys.iter().map(|k| text(figure_name(k, lang))).collect());
    // Each row's unit, and the divisor its amounts are shown in.
    let units: Vec<(f64, String, Shown)> = keys
        .iter()
        .map(|k| match Unit::of_key(k) {
            Unit::Yuan => {
                let values: Vec<f64> = sets.iter().map(|(_, s)| est(k, s)).collect();
                let (div, u) = row_unit(lang, &values);
                (div, u.to_string(), SCALED)
            }
            unit => (1.0, unit.label(lang).to_string(), unit.shown()),
        })
        .collect();
    sheet.col(lang.tr("单位", "Unit"), units.iter().map(|u| text(u.1.clone())).collect());
    for (title, s) in &sets {
        let cells =
            keys.iter().zip(&units).map(|(k, (div, _, shown))| num(est(k, s) / div, *shown)).collect();
        sheet.col(format!("{title}{}", lang.tr("（均值）", " (mean)")), cells);
    }
    sheet
}

/// 对比 / Comparison: the province figures in [`COMPARE_ORDER`], then each
/// county's three figures, counties in the order of `compare.json`
/// (largest effect on the exhaustion probability first).
fn compare_sheet(name: &str, c: &CompareIn, lang: Lang) -> Sheet {
    let mut rows: Vec<(String, String, &Dif)> = Vec::new();
    let rank = |k: &str| COMPARE_ORDER.iter().position(|o| *o == k).unwrap_or(COMPARE_ORDER.len());
    let mut province: Vec<(&String, &Dif)> = c.province.iter().collect();
    // Stable: keys outside the list keep the file's order after it.
    province.sort_by_key(|(k, _)| rank(k));
    for (k, d) in province {
        rows.push((k.clone(), lang.tr("全省", "Province").to_string(), d));
    }
    for cd in &c.counties {
        let scope = format!("{} {}", cd.id, county_name(&cd.name, &cd.name_en, lang));
        for (k, d) in [
            ("exhaustion_probability", &cd.exhaustion_probability),
            ("peak_overdue_rate", &cd.peak_overdue_rate),
            ("loss_fund_yuan", &cd.loss_fund_yuan),
        ] {
            rows.push((k.to_string(), scope.clone(), d));
        }
    }
    let mut sh = Sheet::new(name).with_filter();
    sh.col(lang.tr("字段（JSON）", "Field (JSON)"), rows.iter().map(|r| text(&r.0)).collect());
    sh.col(
        lang.tr("指标", "Figure"),
        rows.iter()
            .map(|r| {
                text(if r.0 == "exhaustion_probability" && r.1 != lang.tr("全省", "Province") {
                    lang.tr("补偿金耗尽概率", "P(fund exhausted)").to_string()
                } else {
                    figure_name(&r.0, lang)
                })
            })
            .collect(),
    );
    sh.col(lang.tr("范围", "Scope"), rows.iter().map(|r| text(&r.1)).collect());
    sh.col(lang.tr("单位", "Unit"), rows.iter().map(|r| text(Unit::of_key(&r.0).label(lang))).collect());
    let unit_col = lang.tr("单位见D列", "unit in column D");
    let heads = match lang {
        Lang::Zh => ["现行规则", "修订", "差值（修订−现行）"],
        Lang::En => ["Today's rules", "Revision", "Difference (revision − today)"],
    };
    let pick: [DifPart; 3] = [|d| d.base.0, |d| d.revision.0, |d| d.diff.0];
    for (h, f) in heads.iter().zip(pick) {
        sh.col(
            with_unit(lang, h, unit_col),
            rows.iter().map(|r| num(f(r.2), Unit::of_key(&r.0).shown())).collect(),
        );
    }
    sh.col(
        with_unit(lang, lang.tr("标准误", "Standard error"), unit_col),
        rows.iter().map(|r| se_cell(r.2.se.0, Unit::of_key(&r.0).shown(), lang)).collect(),
    );
    sh.col(lower(lang), rows.iter().map(|r| num(r.2.ci95_low.0, Unit::of_key(&r.0).shown())).collect());
    sh.col(upper(lang), rows.iter().map(|r| num(r.2.ci95_high.0, Unit::of_key(&r.0).shown())).collect());
    // Amounts again in the unit that suits each row: 亿元 for the
    // province's totals, 万元 for a county's.
    let units: Vec<Option<(f64, &str)>> = rows
        .iter()
        .map(|r| (Unit::of_key(&r.0) == Unit::Yuan).then(|| row_unit(lang, &[r.2.base.0, r.2.revision.0])))
        .collect();
    sh.col(
        lang.tr("折算单位", "Unit of the next columns"),
        units.iter().map(|u| u.map_or(Cell::Empty, |u| text(u.1))).collect(),
    );
    let scaled: [(&str, &str, DifPart); 5] = [
        ("现行规则", "Today's rules", |d| d.base.0),
        ("修订", "Revision", |d| d.revision.0),
        ("差值", "Difference", |d| d.diff.0),
        ("下限（95%置信区间）", "Lower bound (95% interval)", |d| d.ci95_low.0),
        ("上限（95%置信区间）", "Upper bound (95% interval)", |d| d.ci95_high.0),
    ];
    for (zh, en, f) in scaled {
        sh.col(
            with_unit(lang, lang.tr(zh, en), lang.tr("折算", "converted")),
            rows.iter()
                .zip(&units)
                .map(|(r, u)| u.map_or(Cell::Empty, |u| num(f(r.2) / u.0, SCALED)))
                .collect(),
        );
    }
    sh
}

fn sweep_sheet(name: &str, w: &SweepIn, lang: Lang) -> Sheet {
    let mut sh = Sheet::new(name);
    swept_columns(&mut sh, w, lang, &vec![1; w.points.len()]);
    let q: Vec<_> = w.points.iter().map(|p| &p.province).collect();
    let probs: Vec<Prob> = q.iter().map(|q| q.exhaustion_probability).collect();
    sh.prob(lang, lang.tr("任一县耗尽概率", "P(some fund exhausted)"), &probs);
    sh.pct(lang, lang.tr("其标准误", "Its standard error"), probs.iter().map(|p| p.se.0));
    let yuan =
        |f: fn(&super::inputs::SweepFiguresIn) -> f64| q.iter().map(|q| Some(f(q))).collect::<Vec<_>>();
    sh.yuan(lang, lang.tr("补偿金损失均值", "Mean loss borne by funds"), &yuan(|q| q.loss_fund_yuan.mean.0));
    sh.yuan(lang, lang.tr("其标准误", "Its standard error"), &yuan(|q| q.loss_fund_yuan.se.0));
    sh.yuan(lang, lang.tr("银行损失均值", "Mean loss borne by banks"), &yuan(|q| q.loss_bank_yuan.mean.0));
    sh.yuan(
        lang,
        lang.tr("未获补偿损失均值", "Mean uncovered loss"),
        &yuan(|q| q.loss_uncovered_yuan.mean.0),
    );
    sh.pct(
        lang,
        lang.tr("逾期率峰值均值", "Mean peak overdue rate"),
        q.iter().map(|q| q.peak_overdue_rate.mean.0),
    );
    sh
}

/// The swept fields' columns of a sweep sheet: one per field, each value
/// repeated `times` in a row (as the rows below it are).
fn swept_columns(sh: &mut Sheet, w: &SweepIn, lang: Lang, times: &[usize]) {
    for fld in &w.fields {
        let values: Vec<f64> =
            w.points.iter().map(|p| p.values.get(fld).copied().unwrap_or(f64::NAN)).collect();
        // As many decimals as the values have (a swept value is a decimal
        // written exactly), at most 6.
        let decimals = values
            .iter()
            .filter(|v| v.is_finite())
            .map(|v| v.to_string().split_once('.').map_or(0, |(_, f)| f.len().min(6)))
            .max()
            .unwrap_or(0) as u8;
        let cells = values
            .into_iter()
            .zip(times)
            .flat_map(|(v, &n)| std::iter::repeat_n(num(v, Shown::Fixed(decimals)), n))
            .collect();
        sh.col(field_name(fld, lang), cells);
    }
}

/// 各县扫描 / Sweep by county: one row per point and county, points in
/// the order of `sweep.json` (last field fastest), counties in the
/// scenario's order.
fn sweep_counties_sheet(name: &str, w: &SweepIn, lang: Lang) -> Sheet {
    let mut sh = Sheet::new(name).with_filter();
    let times: Vec<usize> = w.points.iter().map(|p| p.counties.len()).collect();
    swept_columns(&mut sh, w, lang, &times);
    let rows: Vec<&super::inputs::SweepCountyIn> = w.points.iter().flat_map(|p| &p.counties).collect();
    sh.col(lang.tr("代码", "Code"), rows.iter().map(|c| text(c.id.clone())).collect());
    sh.col(
        lang.tr("县", "County"),
        rows.iter().map(|c| text(county_name(&c.name, &c.name_en, lang))).collect(),
    );
    let probs: Vec<Prob> = rows.iter().map(|c| c.exhaustion_probability).collect();
    sh.prob(lang, lang.tr("补偿金耗尽概率", "P(fund exhausted)"), &probs);
    sh.pct(
        lang,
        lang.tr("逾期率峰值均值", "Mean peak overdue rate"),
        rows.iter().map(|c| c.peak_overdue_rate_mean),
    );
    sh.yuan(
        lang,
        lang.tr("补偿金损失均值", "Mean loss borne by the fund"),
        &rows.iter().map(|c| Some(c.loss_fund_yuan_mean)).collect::<Vec<_>>(),
    );
    sh
}

/// 临界点 / Breakpoints: severities are shown to two decimals; the cells
/// hold the exact values of `breakpoint.json` (select one to see them).
fn breakpoint_sheet(name: &str, b: &BreakpointIn, lang: Lang) -> Sheet {
    let c = &b.counties;
    let shock = shock_name(&b.shock, lang);
    let sev = Shown::Fixed(2);
    let mut sh = Sheet::new(name).with_filter();
    sh.col(lang.tr("代码", "Code"), c.iter().map(|c| text(&c.id)).collect());
    sh.col(lang.tr("县", "County"), c.iter().map(|c| text(county_name(&c.name, &c.name_en, lang))).collect());
    sh.yuan(
        lang,
        lang.tr("期初补偿金", "Fund at start"),
        &c.iter().map(|c| Some(c.fund_start_yuan)).collect::<Vec<_>>(),
    );
    let target = Shown::Pct.display(b.target);
    let head = match lang {
        Lang::Zh => format!("耗尽概率达到{target}的{shock}强度"),
        Lang::En => format!("Severity of {shock} at which P(exhausted) reaches {target}"),
    };
    let not_reached = lang.tr("网格内未达到", "not reached within the grid");
    sh.col(head, c.iter().map(|c| c.severity.map_or_else(|| text(not_reached), |v| num(v, sev))).collect());
    sh.col(lower(lang), c.iter().map(|c| c.severity_low.map_or(Cell::Empty, |v| num(v, sev))).collect());
    // A null upper end with a breakpoint: it may lie above the grid.
    let above = lang.tr("高于网格", "above the grid");
    sh.col(
        upper(lang),
        c.iter()
            .map(|c| match (c.severity, c.severity_high) {
                (_, Some(v)) => num(v, sev),
                (Some(_), None) => text(above),
                (None, None) => Cell::Empty,
            })
            .collect(),
    );
    let at = Shown::Fixed(2).display(b.topup_severity);
    sh.pct(
        lang,
        &match lang {
            Lang::Zh => format!("强度{at}、无补充时的耗尽概率"),
            Lang::En => format!("P(exhausted) at severity {at} without top-up"),
        },
        c.iter().map(|c| c.exhaustion_probability_at_topup_severity),
    );
    sh.yuan(
        lang,
        &match lang {
            Lang::Zh => format!("强度{at}下最小一次性补充"),
            Lang::En => format!("Smallest one-off top-up at severity {at}"),
        },
        &c.iter().map(|c| c.min_topup_yuan).collect::<Vec<_>>(),
    );
    // Its interval's bounds, each under its own header; an upper end the
    // paths cannot tell is said in words.
    sh.yuan(lang, &lower(lang), &c.iter().map(|c| c.min_topup_low_yuan).collect::<Vec<_>>());
    let open = lang.tr("需更多路径", "needs more paths");
    let highs: Vec<Option<f64>> = c.iter().map(|c| c.min_topup_high_yuan).collect();
    sh.yuan(lang, &upper(lang), &highs);
    let last = sh.columns.len() - 2;
    for (cell, c) in sh.columns[last].cells.iter_mut().zip(c) {
        if c.min_topup_high_yuan.is_none() && c.min_topup_yuan.is_some_and(|t| t > 0.0) {
            *cell = text(open);
        }
    }
    let width = column_width(&sh.columns[last].head, &sh.columns[last].cells);
    sh.columns[last].width = width;
    for (k, s) in b.severities.iter().enumerate() {
        let s = Shown::Fixed(2).display(*s);
        sh.pct(
            lang,
            &match lang {
                Lang::Zh => format!("强度{s}时的耗尽概率"),
                Lang::En => format!("P(exhausted) at severity {s}"),
            },
            c.iter().map(|c| c.exhaustion_probability.get(k).copied().unwrap_or(f64::NAN)),
        );
    }
    sh
}

/// The disaster kinds of `--shock` (any other key is an industry whose
/// price falls).
const DISASTERS: [&str; 5] = ["drought", "flood", "frost", "earthquake", "livestock_disease"];

/// 冲击 / Shock: what `stress.json` and the summary say of the shock and
/// of the watch list's thresholds. Where and when it strikes is what
/// `--shock` means (every county, the first simulated month): the files
/// record the option as given, not a footprint.
fn shock_sheet(name: &str, st: &StressIn, s: &SummaryIn, lang: Lang) -> Sheet {
    let mut items: Vec<(String, Cell)> = Vec::new();
    let mut item = |k: &str, v: Cell| items.push((k.to_string(), v));
    match &st.shock {
        None => item(
            lang.tr("冲击（--shock）", "Shock (--shock)"),
            text(lang.tr("无（基准情景）", "none (baseline)")),
        ),
        Some(raw) => {
            let (key, severity) = match raw.split_once(':') {
                Some((k, s)) => (k, s.parse::<f64>().ok()),
                None => (raw.as_str(), Some(1.0)),
            };
            let disaster = DISASTERS.contains(&key);
            item(lang.tr("冲击（--shock）", "Shock (--shock)"), text(raw));
            item(lang.tr("冲击名称", "Shock"), text(shock_name(key, lang)));
            item(
                lang.tr("类型", "Kind"),
                text(if disaster {
                    lang.tr("灾害", "disaster")
                } else {
                    lang.tr("产业价格下跌", "fall of an industry's price")
                }),
            );
            if let Some(sv) = severity {
                item(
                    lang.tr("强度（1 = 一次典型冲击）", "Severity (1 = a typical hit)"),
                    num(sv, Shown::Fixed(2)),
                );
                if !disaster {
                    item(
                        lang.tr(
                            "价格跌幅（20% × 强度，至多95%）",
                            "Price fall (20 % × severity, at most 95 %)",
                        ),
                        num((0.2 * sv).min(0.95), Shown::Pct),
                    );
                }
            }
            item(lang.tr("作用范围", "Where"), text(lang.tr("每个县", "every county")));
            item(
                lang.tr("发生月份", "When"),
                text(match lang {
                    Lang::Zh => format!("第1个模拟月（{}）", s.scenario.start),
                    Lang::En => format!("the first simulated month ({})", s.scenario.start),
                }),
            );
        }
    }
    item(lang.tr("模拟月数", "Months simulated"), num(s.scenario.horizon_months.into(), Shown::Fixed(0)));
    let watched = st.counties.iter().filter(|c| c.watch).count();
    item(lang.tr("列入观察名单的县数", "Counties on the watch list"), num(watched as f64, Shown::Fixed(0)));
    item(lang.tr("县数", "Counties"), num(st.counties.len() as f64, Shown::Fixed(0)));
    if let Some(t) = &st.thresholds {
        item(
            lang.tr("观察阈值：耗尽概率不低于", "Watch threshold: P(exhausted) at least"),
            num(t.exhaustion_probability, Shown::Pct),
        );
        item(
            lang.tr("观察阈值：补偿金覆盖倍数低于", "Watch threshold: fund cover below"),
            num(t.fund_cover_ratio, Shown::Fixed(2)),
        );
        item(
            lang.tr("观察阈值：逾期率峰值均值不低于", "Watch threshold: mean peak overdue rate at least"),
            num(t.peak_overdue_rate, Shown::Pct),
        );
    }
    let mut sh = Sheet::new(name);
    sh.col(lang.tr("项目", "Item"), items.iter().map(|i| text(&i.0)).collect());
    sh.col(lang.tr("内容", "Value"), items.into_iter().map(|i| i.1).collect());
    sh
}

fn reason(key: &str, lang: Lang) -> String {
    match key {
        "exhaustion_probability" => lang.tr("耗尽概率高", "exhaustion probability").into(),
        "fund_cover_ratio" => lang.tr("补偿金不足以覆盖预期代偿", "fund cover").into(),
        "peak_overdue_rate" => lang.tr("逾期率峰值高", "peak overdue rate").into(),
        other => other.into(),
    }
}

/// 观察名单 / Watch list: every county in the ranking of `stress.json`
/// (most at risk first), whether it is watched and why, its fund against
/// the claims it is expected to pay, and its worst townships.
fn watch_sheet(name: &str, st: &StressIn, s: &SummaryIn, lang: Lang) -> Sheet {
    let mut ranked: Vec<_> = st.counties.iter().collect();
    ranked.sort_by_key(|k| k.rank);
    let county = |id: &str| s.counties.iter().find(|c| c.id == id);
    let mut sh = Sheet::new(name).with_filter();
    sh.col(lang.tr("排名", "Rank"), ranked.iter().map(|k| num(k.rank as f64, Shown::Fixed(0))).collect());
    sh.col(lang.tr("代码", "Code"), ranked.iter().map(|k| text(&k.id)).collect());
    sh.col(
        lang.tr("县", "County"),
        ranked
            .iter()
            .map(|k| county(&k.id).map_or(Cell::Empty, |c| text(county_name(&c.name, &c.name_en, lang))))
            .collect(),
    );
    sh.col(
        lang.tr("州市", "Prefecture (Chinese)"),
        ranked.iter().map(|k| county(&k.id).map_or(Cell::Empty, |c| text(&c.prefecture))).collect(),
    );
    sh.col(
        lang.tr("列入观察名单", "On the watch list"),
        ranked
            .iter()
            .map(|k| text(if k.watch { lang.tr("是", "yes") } else { lang.tr("否", "no") }))
            .collect(),
    );
    sh.col(
        lang.tr("原因", "Why"),
        ranked
            .iter()
            .map(|k| {
                text(
                    k.watch_reasons
                        .iter()
                        .map(|r| reason(r, lang))
                        .collect::<Vec<_>>()
                        .join(lang.tr("；", "; ")),
                )
            })
            .collect(),
    );
    let nan = Prob {
        p: super::inputs::Num(f64::NAN),
        se: super::inputs::Num(f64::NAN),
        ci95_low: super::inputs::Num(f64::NAN),
        ci95_high: super::inputs::Num(f64::NAN),
    };
    let probs: Vec<Prob> =
        ranked.iter().map(|k| county(&k.id).map_or(nan, |c| c.exhaustion_probability)).collect();
    sh.prob(lang, lang.tr("耗尽概率", "P(fund exhausted)"), &probs);
    sh.col(
        lang.tr("耗尽月份中位数（第几月）", "Median month of exhaustion (month no.)"),
        ranked
            .iter()
            .map(|k| {
                county(&k.id)
                    .and_then(|c| c.exhaustion_month_p50)
                    .map_or(Cell::Empty, |m| num(m.into(), Shown::Fixed(0)))
            })
            .collect(),
    );
    sh.pct(
        lang,
        lang.tr("逾期率峰值均值", "Mean peak overdue rate"),
        ranked.iter().map(|k| county(&k.id).map_or(f64::NAN, |c| c.peak_overdue_rate.mean.0)),
    );
    sh.yuan(
        lang,
        lang.tr("期初补偿金", "Fund at start"),
        &ranked.iter().map(|k| county(&k.id).map(|c| c.fund_start_yuan)).collect::<Vec<_>>(),
    );
    sh.yuan(
        lang,
        lang.tr("预期代偿（均值）", "Expected claims (mean)"),
        &ranked.iter().map(|k| k.expected_claims_yuan.map(|e| e.mean.0)).collect::<Vec<_>>(),
    );
    sh.col(
        lang.tr("补偿金覆盖倍数（期初补偿金÷预期代偿）", "Fund cover (fund at start ÷ expected claims)"),
        ranked
            .iter()
            .map(|k| match k.fund_cover_ratio {
                Some(x) => num(x, Shown::Fixed(2)),
                None => text(lang.tr("无预期代偿", "no claims expected")),
            })
            .collect(),
    );
    sh.col(
        lang.tr("逾期率峰值最高的乡镇", "Townships with the highest peak overdue rate"),
        ranked
            .iter()
            .map(|k| {
                text(
                    k.worst_townships
                        .iter()
                        .map(|t| format!("{} {}", t.name, Shown::Pct.display(t.peak_overdue_rate_mean)))
                        .collect::<Vec<_>>()
                        .join(lang.tr("，", ", ")),
                )
            })
            .collect(),
    );
    sh
}

fn provenance_sheet(name: &str, meta: &RunMeta, prov: &Provenance, lang: Lang) -> Sheet {
    let rows = [
        (lang.tr("命令", "Command"), meta.command.clone()),
        (lang.tr("情景", "Scenario"), prov.scenario.clone()),
        // The scenario's name and variant as the files and the command
        // line spell them: what to type to run it again.
        (lang.tr("情景代号", "Scenario name"), meta.scenario.clone()),
        ("SHA-256", meta.scenario_sha256.clone()),
        (lang.tr("变体代号", "Variant"), meta.variant.clone().unwrap_or_default()),
        (
            lang.tr("设定", "Settings"),
            meta.settings
                .iter()
                .map(|s| setting_label(s, lang))
                .collect::<Vec<_>>()
                .join(lang.tr("；", "; ")),
        ),
        (lang.tr("冲击", "Shock"), meta.shock.as_deref().map(|s| shock_label(s, lang)).unwrap_or_default()),
        (lang.tr("种子", "Seed"), meta.seed.to_string()),
        (lang.tr("路径数", "Paths"), meta.paths.to_string()),
        (lang.tr("月数", "Months"), meta.horizon_months.to_string()),
        (lang.tr("日期", "Date"), meta.date.clone()),
        (lang.tr("版本", "Version"), format!("mcstress {}", env!("CARGO_PKG_VERSION"))),
        (lang.tr("标题数字的蒙特卡洛误差", "Monte Carlo error of the headline"), prov.headline.clone()),
    ];
    let mut sh = Sheet::new(name);
    sh.col(lang.tr("项目", "Item"), rows.iter().map(|r| text(r.0)).collect());
    sh.col(lang.tr("内容", "Value"), rows.into_iter().map(|r| text(r.1)).collect());
    sh
}

/// The sheets of `briefing.xlsx`, as they are written.
pub fn workbook_sheets(results: &Results, meta: &RunMeta, prov: &Provenance, lang: Lang) -> Vec<Sheet> {
    let names = sheet_names(lang);
    let mut sheets = Vec::new();
    match results {
        Results::Run { summary, monthly, stress } => {
            if let Some(st) = stress {
                sheets.push(shock_sheet(names[7], st, summary, lang));
                sheets.push(watch_sheet(names[8], st, summary, lang));
            }
            sheets.push(summary_sheet(names[0], summary, lang));
            sheets.push(counties_sheet(names[1], summary, lang));
            sheets.push(months_sheet(names[2], monthly, lang));
        }
        Results::Compare { base, revisions, .. } => {
            // With several revisions, the K-th's sheets end in "-K".
            let many = revisions.len() > 1;
            let nth =
                |name: &str, k: usize| if many { format!("{name}-{}", k + 1) } else { name.to_string() };
            if many {
                sheets.push(rule_sets_sheet(names[9], base, revisions, lang));
            }
            for (k, r) in revisions.iter().enumerate() {
                sheets.push(compare_sheet(&nth(names[3], k), &r.compare, lang));
            }
            sheets.push(summary_sheet(&format!("{}-{}", names[0], lang.tr("现行", "base")), base, lang));
            for (k, r) in revisions.iter().enumerate() {
                let name = format!("{}-{}", names[0], lang.tr("修订", "revision"));
                sheets.push(summary_sheet(&nth(&name, k), &r.summary, lang));
            }
            for (k, r) in revisions.iter().enumerate() {
                sheets.push(counties_sheet(&nth(names[1], k), &r.summary, lang));
            }
        }
        Results::Breakpoint { breakpoint } => sheets.push(breakpoint_sheet(names[6], breakpoint, lang)),
        Results::Sweep { sweep } => {
            sheets.push(sweep_sheet(names[4], sweep, lang));
            if sweep.points.iter().any(|p| !p.counties.is_empty()) {
                sheets.push(sweep_counties_sheet(names[10], sweep, lang));
            }
        }
    }
    sheets.push(provenance_sheet(names[5], meta, prov, lang));
    sheets
}

/// `briefing.xlsx`.
pub fn briefing_xlsx(
    results: &Results,
    meta: &RunMeta,
    prov: &Provenance,
    lang: Lang,
) -> Result<Vec<u8>, BriefingError> {
    let mut wb = Workbook::new();
    for sheet in workbook_sheets(results, meta, prov, lang) {
        sheet.write(&mut wb)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// Writes `sheets` as a workbook (for tests of the width rule: a sheet
/// can be written with other widths to see what a renderer makes of it).
pub fn sheets_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, BriefingError> {
    let mut wb = Workbook::new();
    for sheet in sheets {
        sheet.write(&mut wb)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_display_as_excel_shows_them() {
        assert_eq!(Shown::Money(2).display(1_234_567.891), "1,234,567.89");
        assert_eq!(Shown::Money(2).display(-1234.5), "-1,234.50");
        assert_eq!(Shown::Money(0).display(999.0), "999");
        assert_eq!(Shown::Money(2).display(0.0), "0.00");
        assert_eq!(Shown::Pct.display(0.059), "5.90%");
        assert_eq!(Shown::Fixed(2).display(1.005_1), "1.01");
        assert_eq!(Shown::Fixed(0).display(24.0), "24");
        assert_eq!(Shown::Money(2).code(), "#,##0.00");
        assert_eq!(Shown::Fixed(0).code(), "0");
        assert_eq!(Shown::Pct.code(), "0.00%");
    }

    #[test]
    fn a_column_is_as_wide_as_its_widest_number_and_cjk_counts_double() {
        assert_eq!(text_width("abc"), 3.0);
        assert_eq!(text_width("补偿金（万元）"), 14.0);
        let cells = [Cell::Num(1_234_567_890.12, YUAN), Cell::Text("x".into()), Cell::Empty];
        assert_eq!(column_width("Fund", &cells), "1,234,567,890.12".len() as f64 + WIDTH_MARGIN);
        // A long header wraps instead of widening the column; a number
        // never does.
        let long = "长".repeat(40);
        assert_eq!(column_width(&long, &[]), HEAD_CAP + WIDTH_MARGIN);
        let huge = Cell::Num(1e40, YUAN);
        assert!(column_width("", std::slice::from_ref(&huge)) > text_width(&YUAN.display(1e40)));
    }
}
