//! The Excel workbook: the figures behind the briefing, with number
//! formats (percent, yuan), frozen headers and units in the header row.
//! Cells hold the exact values of the JSON files (a probability of 0.059 is
//! stored as 0.059 and shown as 5.90 %), so the workbook can be checked
//! against them.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::inputs::{Dif, Est, MonthlyIn, Prob, Results, RunMeta, SummaryIn};
use super::labels::county_name;
use super::{BriefingError, Lang, Provenance};

fn err(e: XlsxError) -> BriefingError {
    BriefingError::Encode { what: "the workbook", source: e.into() }
}

struct Formats {
    head: Format,
    pct: Format,
    yuan: Format,
    num: Format,
}

fn formats() -> Formats {
    Formats {
        head: Format::new().set_bold().set_background_color("#E8E8E8").set_text_wrap(),
        pct: Format::new().set_num_format("0.00%"),
        yuan: Format::new().set_num_format("#,##0.00"),
        num: Format::new().set_num_format("0.0000"),
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Pct,
    Yuan,
    Count,
}

fn put(ws: &mut Worksheet, r: u32, c: u16, v: f64, unit: Unit, f: &Formats) -> Result<(), BriefingError> {
    if !v.is_finite() {
        return Ok(());
    }
    let fmt = match unit {
        Unit::Pct => &f.pct,
        Unit::Yuan => &f.yuan,
        Unit::Count => &f.num,
    };
    ws.write_number_with_format(r, c, v, fmt).map_err(err)?;
    Ok(())
}

/// A new worksheet named `name`.
fn sheet<'a>(wb: &'a mut Workbook, name: &str) -> Result<&'a mut Worksheet, BriefingError> {
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(err)?;
    Ok(ws)
}

fn header(ws: &mut Worksheet, heads: &[String], f: &Formats) -> Result<(), BriefingError> {
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.head).map_err(err)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.2).clamp(10.0, 40.0)).map_err(err)?;
    }
    ws.set_row_height(0, 45).map_err(err)?;
    ws.set_freeze_panes(1, 0).map_err(err)?;
    Ok(())
}

/// Sheet names, by language (the tests read them back).
pub fn sheet_names(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Zh => ["摘要", "各县", "月度", "对比", "扫描", "来源", "临界点"],
        Lang::En => ["Summary", "Counties", "Months", "Comparison", "Sweep", "Provenance", "Breakpoints"],
    }
}

fn unit_label(lang: Lang, u: Unit) -> &'static str {
    match u {
        Unit::Pct => lang.tr("比例（%）", "share (%)"),
        Unit::Yuan => lang.tr("元", "yuan"),
        Unit::Count => lang.tr("个", "count"),
    }
}

/// The province figures of a summary: (key, Chinese, English, unit, estimate).
fn province_rows(s: &SummaryIn) -> Vec<(&'static str, &'static str, &'static str, Unit, Est)> {
    let p = &s.province;
    vec![
        ("peak_overdue_rate", "逾期率峰值", "Peak overdue rate", Unit::Pct, p.peak_overdue_rate),
        ("final_overdue_rate", "期末逾期率", "Final overdue rate", Unit::Pct, p.final_overdue_rate),
        (
            "counties_exhausted",
            "补偿金耗尽的县数",
            "Counties whose fund runs out",
            Unit::Count,
            p.counties_exhausted,
        ),
        ("loss_fund_yuan", "补偿金承担损失", "Loss borne by funds", Unit::Yuan, p.loss_fund_yuan),
        ("loss_bank_yuan", "银行承担损失", "Loss borne by banks", Unit::Yuan, p.loss_bank_yuan),
        ("loss_uncovered_yuan", "未获补偿损失", "Uncovered loss", Unit::Yuan, p.loss_uncovered_yuan),
        ("claims_paid_yuan", "代偿支付", "Claims paid", Unit::Yuan, p.claims_paid_yuan),
        ("disbursed_yuan", "贷款发放", "Principal disbursed", Unit::Yuan, p.disbursed_yuan),
        ("fund_end_yuan", "期末补偿金余额", "Funds at the end", Unit::Yuan, p.fund_end_yuan),
        ("coverage_rate", "期末覆盖率", "Coverage at the end", Unit::Pct, p.coverage_rate),
    ]
}

fn summary_sheet(
    wb: &mut Workbook,
    name: &str,
    s: &SummaryIn,
    lang: Lang,
    f: &Formats,
) -> Result<(), BriefingError> {
    let ws = sheet(wb, name)?;
    let heads: Vec<String> = match lang {
        Lang::Zh => ["字段", "指标", "单位", "均值", "标准误", "5%分位", "中位数", "95%分位"],
        Lang::En => [
            "Field",
            "Figure",
            "Unit",
            "Mean",
            "Standard error",
            "5th percentile",
            "Median",
            "95th percentile",
        ],
    }
    .iter()
    .map(|h| h.to_string())
    .collect();
    header(ws, &heads, f)?;
    ws.set_column_width(1, 28).map_err(err)?;
    let e: &Prob = &s.province.exhaustion_probability;
    ws.write_string(1, 0, "exhaustion_probability").map_err(err)?;
    ws.write_string(
        1,
        1,
        lang.tr(
            "至少一个县补偿金耗尽的概率（列：概率、标准误、95%区间下限、—、上限）",
            "P(some county fund exhausted) (columns: p, s.e., 95% low, —, 95% high)",
        ),
    )
    .map_err(err)?;
    ws.write_string(1, 2, unit_label(lang, Unit::Pct)).map_err(err)?;
    put(ws, 1, 3, e.p.0, Unit::Pct, f)?;
    put(ws, 1, 4, e.se.0, Unit::Pct, f)?;
    put(ws, 1, 5, e.ci95_low.0, Unit::Pct, f)?;
    put(ws, 1, 7, e.ci95_high.0, Unit::Pct, f)?;
    for (i, (key, zh, en, unit, est)) in province_rows(s).into_iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, key).map_err(err)?;
        ws.write_string(r, 1, lang.tr(zh, en)).map_err(err)?;
        ws.write_string(r, 2, unit_label(lang, unit)).map_err(err)?;
        for (c, v) in [est.mean, est.se, est.p05, est.p50, est.p95].into_iter().enumerate() {
            if c == 1 && !v.0.is_finite() {
                ws.write_string(r, 3 + c as u16, no_se(lang)).map_err(err)?;
            } else {
                put(ws, r, 3 + c as u16, v.0, unit, f)?;
            }
        }
    }
    Ok(())
}

fn counties_sheet(
    wb: &mut Workbook,
    name: &str,
    s: &SummaryIn,
    lang: Lang,
    f: &Formats,
) -> Result<(), BriefingError> {
    let ws = sheet(wb, name)?;
    let heads: Vec<String> = match lang {
        Lang::Zh => vec![
            "代码",
            "县",
            "County",
            "州市",
            "期初补偿金（元）",
            "期初贷款余额（元）",
            "耗尽概率（%）",
            "95%区间下限（%）",
            "95%区间上限（%）",
            "耗尽月份中位数",
            "逾期率峰值均值（%）",
            "期末逾期率均值（%）",
            "补偿金损失均值（元）",
            "期末覆盖率均值（%）",
        ],
        Lang::En => vec![
            "Code",
            "县",
            "County",
            "Prefecture",
            "Fund at start (yuan)",
            "Outstanding at start (yuan)",
            "P(exhausted) (%)",
            "95% low (%)",
            "95% high (%)",
            "Median month of exhaustion",
            "Mean peak overdue rate (%)",
            "Mean final overdue rate (%)",
            "Mean loss borne by fund (yuan)",
            "Mean coverage at end (%)",
        ],
    }
    .into_iter()
    .map(String::from)
    .collect();
    header(ws, &heads, f)?;
    for (i, c) in s.counties.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &c.id).map_err(err)?;
        ws.write_string(r, 1, &c.name).map_err(err)?;
        ws.write_string(r, 2, &c.name_en).map_err(err)?;
        ws.write_string(r, 3, &c.prefecture).map_err(err)?;
        put(ws, r, 4, c.fund_start_yuan, Unit::Yuan, f)?;
        put(ws, r, 5, c.outstanding_start_yuan, Unit::Yuan, f)?;
        put(ws, r, 6, c.exhaustion_probability.p.0, Unit::Pct, f)?;
        put(ws, r, 7, c.exhaustion_probability.ci95_low.0, Unit::Pct, f)?;
        put(ws, r, 8, c.exhaustion_probability.ci95_high.0, Unit::Pct, f)?;
        if let Some(m) = c.exhaustion_month_p50 {
            ws.write_number(r, 9, f64::from(m)).map_err(err)?;
        }
        put(ws, r, 10, c.peak_overdue_rate.mean.0, Unit::Pct, f)?;
        put(ws, r, 11, c.final_overdue_rate.mean.0, Unit::Pct, f)?;
        put(ws, r, 12, c.loss_fund_yuan.mean.0, Unit::Yuan, f)?;
        put(ws, r, 13, c.coverage_rate.mean.0, Unit::Pct, f)?;
    }
    ws.autofilter(0, 0, s.counties.len() as u32, heads.len() as u16 - 1).map_err(err)?;
    Ok(())
}

fn months_sheet(
    wb: &mut Workbook,
    name: &str,
    rows: &[MonthlyIn],
    lang: Lang,
    f: &Formats,
) -> Result<(), BriefingError> {
    let ws = sheet(wb, name)?;
    let heads: Vec<String> = match lang {
        Lang::Zh => vec![
            "月份",
            "年月",
            "逾期率均值（%）",
            "逾期率5%分位（%）",
            "逾期率95%分位（%）",
            "补偿金余额均值（元）",
            "贷款余额均值（元）",
            "任一县已耗尽概率（%）",
        ],
        Lang::En => vec![
            "Month",
            "Date",
            "Mean overdue rate (%)",
            "Overdue rate 5th pct (%)",
            "Overdue rate 95th pct (%)",
            "Mean fund balance (yuan)",
            "Mean outstanding (yuan)",
            "P(some fund exhausted by then) (%)",
        ],
    }
    .into_iter()
    .map(String::from)
    .collect();
    header(ws, &heads, f)?;
    let province: Vec<&MonthlyIn> = rows.iter().filter(|r| r.county_id == "province").collect();
    let months = province.iter().map(|r| r.month).max().unwrap_or(0);
    for m in 1..=months {
        let r = u32::from(m);
        let get = |fig: &str| province.iter().find(|x| x.month == m && x.figure == fig);
        ws.write_number(r, 0, f64::from(m)).map_err(err)?;
        if let Some(x) = get("overdue_rate") {
            ws.write_string(r, 1, &x.date).map_err(err)?;
            put(ws, r, 2, x.mean.unwrap_or(f64::NAN), Unit::Pct, f)?;
            put(ws, r, 3, x.p05.unwrap_or(f64::NAN), Unit::Pct, f)?;
            put(ws, r, 4, x.p95.unwrap_or(f64::NAN), Unit::Pct, f)?;
        }
        if let Some(x) = get("fund_balance_yuan") {
            put(ws, r, 5, x.mean.unwrap_or(f64::NAN), Unit::Yuan, f)?;
        }
        if let Some(x) = get("outstanding_yuan") {
            put(ws, r, 6, x.mean.unwrap_or(f64::NAN), Unit::Yuan, f)?;
        }
        if let Some(x) = get("exhausted_probability") {
            put(ws, r, 7, x.mean.unwrap_or(f64::NAN), Unit::Pct, f)?;
        }
    }
    Ok(())
}

/// What stands in a standard-error cell when there is none: from one
/// path no standard error can be estimated.
fn no_se(lang: Lang) -> &'static str {
    lang.tr("不适用（标准误需至少2条情景）", "n/a (a standard error needs 2 paths)")
}

fn diff_row(
    ws: &mut Worksheet,
    r: u32,
    key: &str,
    d: &Dif,
    unit: Unit,
    f: &Formats,
    lang: Lang,
) -> Result<(), BriefingError> {
    ws.write_string(r, 0, key).map_err(err)?;
    for (c, v) in [d.base, d.revision, d.diff, d.se, d.ci95_low, d.ci95_high].into_iter().enumerate() {
        if c == 3 && !v.0.is_finite() {
            ws.write_string(r, 2 + c as u16, no_se(lang)).map_err(err)?;
        } else {
            put(ws, r, 2 + c as u16, v.0, unit, f)?;
        }
    }
    Ok(())
}

fn provenance_sheet(
    wb: &mut Workbook,
    name: &str,
    meta: &RunMeta,
    prov: &Provenance,
    lang: Lang,
    f: &Formats,
) -> Result<(), BriefingError> {
    let ws = sheet(wb, name)?;
    header(ws, &[lang.tr("项目", "Item").to_string(), lang.tr("内容", "Value").to_string()], f)?;
    ws.set_column_width(1, 80).map_err(err)?;
    let rows = [
        (lang.tr("命令", "Command"), meta.command.clone()),
        (lang.tr("情景", "Scenario"), meta.scenario.clone()),
        ("SHA-256", meta.scenario_sha256.clone()),
        (lang.tr("变体", "Variant"), meta.variant.clone().unwrap_or_default()),
        (lang.tr("种子", "Seed"), meta.seed.to_string()),
        (lang.tr("路径数", "Paths"), meta.paths.to_string()),
        (lang.tr("月数", "Months"), meta.horizon_months.to_string()),
        (lang.tr("日期", "Date"), meta.date.clone()),
        (lang.tr("版本", "Version"), format!("mcstress {}", env!("CARGO_PKG_VERSION"))),
        (lang.tr("标题数字的蒙特卡洛误差", "Monte Carlo error of the headline"), prov.headline.clone()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *k).map_err(err)?;
        ws.write_string(i as u32 + 1, 1, v).map_err(err)?;
    }
    Ok(())
}

/// `briefing.xlsx`.
pub fn briefing_xlsx(
    results: &Results,
    meta: &RunMeta,
    prov: &Provenance,
    lang: Lang,
) -> Result<Vec<u8>, BriefingError> {
    let f = formats();
    let names = sheet_names(lang);
    let mut wb = Workbook::new();
    match results {
        Results::Run { summary, monthly, .. } => {
            summary_sheet(&mut wb, names[0], summary, lang, &f)?;
            counties_sheet(&mut wb, names[1], summary, lang, &f)?;
            months_sheet(&mut wb, names[2], monthly, lang, &f)?;
        }
        Results::Compare { compare, base, revision } => {
            let ws = sheet(&mut wb, names[3])?;
            let heads: Vec<String> = match lang {
                Lang::Zh => {
                    ["字段", "县", "现行规则", "修订", "差值", "标准误", "95%区间下限", "95%区间上限"]
                }
                Lang::En => [
                    "Field",
                    "County",
                    "Today's rules",
                    "Revision",
                    "Difference",
                    "Standard error",
                    "95% low",
                    "95% high",
                ],
            }
            .iter()
            .map(|h| h.to_string())
            .collect();
            header(ws, &heads, &f)?;
            let mut r = 1;
            for (key, d) in &compare.province {
                let unit = if key.ends_with("_yuan") {
                    Unit::Yuan
                } else if key == "counties_exhausted" {
                    Unit::Count
                } else {
                    Unit::Pct
                };
                diff_row(ws, r, key, d, unit, &f, lang)?;
                ws.write_string(r, 1, lang.tr("全省", "province")).map_err(err)?;
                r += 1;
            }
            for c in &compare.counties {
                for (key, d, unit) in [
                    ("exhaustion_probability", &c.exhaustion_probability, Unit::Pct),
                    ("peak_overdue_rate", &c.peak_overdue_rate, Unit::Pct),
                    ("loss_fund_yuan", &c.loss_fund_yuan, Unit::Yuan),
                ] {
                    diff_row(ws, r, key, d, unit, &f, lang)?;
                    let label = format!("{} {}", c.id, county_name(&c.name, &c.name_en, lang));
                    ws.write_string(r, 1, &label).map_err(err)?;
                    r += 1;
                }
            }
            summary_sheet(&mut wb, &format!("{}-{}", names[0], lang.tr("现行", "base")), base, lang, &f)?;
            summary_sheet(
                &mut wb,
                &format!("{}-{}", names[0], lang.tr("修订", "revision")),
                revision,
                lang,
                &f,
            )?;
            counties_sheet(&mut wb, names[1], revision, lang, &f)?;
        }
        Results::Breakpoint { breakpoint: b } => {
            let ws = sheet(&mut wb, names[6])?;
            let mut heads: Vec<String> = match lang {
                Lang::Zh => vec![
                    "代码",
                    "县",
                    "County",
                    "期初补偿金（元）",
                    "临界强度",
                    "95%区间下限",
                    "95%区间上限",
                    "无补充时的耗尽概率（%）",
                    "最小一次性补充（元）",
                ],
                Lang::En => vec![
                    "Code",
                    "县",
                    "County",
                    "Fund at start (yuan)",
                    "Breakpoint severity",
                    "95% low",
                    "95% high",
                    "P(exhausted) without top-up (%)",
                    "Smallest one-off top-up (yuan)",
                ],
            }
            .into_iter()
            .map(String::from)
            .collect();
            heads.extend(b.severities.iter().map(|s| match lang {
                Lang::Zh => format!("强度{s}时的耗尽概率（%）"),
                Lang::En => format!("P(exhausted) at severity {s} (%)"),
            }));
            header(ws, &heads, &f)?;
            for (i, c) in b.counties.iter().enumerate() {
                let r = i as u32 + 1;
                ws.write_string(r, 0, &c.id).map_err(err)?;
                ws.write_string(r, 1, &c.name).map_err(err)?;
                ws.write_string(r, 2, &c.name_en).map_err(err)?;
                put(ws, r, 3, c.fund_start_yuan, Unit::Yuan, &f)?;
                for (col, v) in [(4, c.severity), (5, c.severity_low), (6, c.severity_high)] {
                    if let Some(v) = v {
                        ws.write_number(r, col, v).map_err(err)?;
                    }
                }
                put(ws, r, 7, c.exhaustion_probability_at_topup_severity, Unit::Pct, &f)?;
                if let Some(t) = c.min_topup_yuan {
                    put(ws, r, 8, t, Unit::Yuan, &f)?;
                }
                for (k, p) in c.exhaustion_probability.iter().enumerate() {
                    put(ws, r, 9 + k as u16, *p, Unit::Pct, &f)?;
                }
            }
        }
        Results::Sweep { sweep } => {
            let ws = sheet(&mut wb, names[4])?;
            let mut heads: Vec<String> = sweep.fields.clone();
            heads.extend(
                match lang {
                    Lang::Zh => [
                        "任一县耗尽概率（%）",
                        "标准误（%）",
                        "补偿金损失均值（元）",
                        "其标准误（元）",
                        "银行损失均值（元）",
                        "未获补偿均值（元）",
                        "逾期率峰值均值（%）",
                    ],
                    Lang::En => [
                        "P(some fund exhausted) (%)",
                        "Standard error (%)",
                        "Mean loss borne by funds (yuan)",
                        "Its standard error (yuan)",
                        "Mean loss borne by banks (yuan)",
                        "Mean uncovered loss (yuan)",
                        "Mean peak overdue rate (%)",
                    ],
                }
                .iter()
                .map(|h| h.to_string()),
            );
            header(ws, &heads, &f)?;
            let k = sweep.fields.len() as u16;
            for (i, p) in sweep.points.iter().enumerate() {
                let r = i as u32 + 1;
                for (c, fld) in sweep.fields.iter().enumerate() {
                    ws.write_number(r, c as u16, p.values.get(fld).copied().unwrap_or(f64::NAN))
                        .map_err(err)?;
                }
                let q = &p.province;
                put(ws, r, k, q.exhaustion_probability.p.0, Unit::Pct, &f)?;
                put(ws, r, k + 1, q.exhaustion_probability.se.0, Unit::Pct, &f)?;
                put(ws, r, k + 2, q.loss_fund_yuan.mean.0, Unit::Yuan, &f)?;
                put(ws, r, k + 3, q.loss_fund_yuan.se.0, Unit::Yuan, &f)?;
                put(ws, r, k + 4, q.loss_bank_yuan.mean.0, Unit::Yuan, &f)?;
                put(ws, r, k + 5, q.loss_uncovered_yuan.mean.0, Unit::Yuan, &f)?;
                put(ws, r, k + 6, q.peak_overdue_rate.mean.0, Unit::Pct, &f)?;
            }
        }
    }
    provenance_sheet(&mut wb, names[5], meta, prov, lang, &f)?;
    wb.save_to_buffer().map_err(err)
}
