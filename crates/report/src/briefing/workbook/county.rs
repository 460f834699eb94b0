//! `briefing-CODE.xlsx`: one county's figures, its monthly bands, its
//! townships and its rules, written by the workbook's own [`Sheet`]
//! writer (widths from what the cells display, 万元/亿元 twins beside
//! yuan, headers in the language with their units).

use super::super::county::CountyView;
use super::super::inputs::{Est, MonthlyIn, RunMeta};
use super::super::labels::{RuleValue, money_unit, rule_rows};
use super::super::{BriefingError, Lang, Provenance};
use super::{Cell, SCALED, Sheet, Shown, YUAN, figures_sheet, num, provenance_sheet, text, with_unit};

/// Sheet names of a county's workbook, by language: figures, months,
/// townships, rules, provenance.
pub fn county_sheet_names(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => ["本县", "月度", "乡镇", "规则", "来源"],
        Lang::En => ["County", "Months", "Townships", "Rules", "Provenance"],
    }
}

/// The county's figures of `summary.json`, by their keys there.
fn county_figure(key: &str, lang: Lang) -> String {
    let (zh, en) = match key {
        "exhaustion_probability" => ("补偿金耗尽的概率", "P(fund exhausted)"),
        "peak_overdue_rate" => ("逾期率峰值", "Peak overdue rate"),
        "final_overdue_rate" => ("期末逾期率", "Final overdue rate"),
        "loss_fund_yuan" => ("补偿金承担损失", "Loss borne by the fund"),
        "coverage_rate" => ("期末覆盖率", "Coverage at the end"),
        "expected_claims_yuan" => ("预期代偿（压力测试）", "Expected claims (stress test)"),
        _ => return key.to_string(),
    };
    lang.tr(zh, en).into()
}

/// One column of a monthly row: mean, a percentile.
type Band = fn(&MonthlyIn) -> Option<f64>;

/// 月度 / Months: the county's bands month by month.
fn months_sheet(name: &str, k: &CountyView, lang: Lang) -> Sheet {
    let id = k.county.id.as_str();
    let of = |fig: &str| -> Vec<&MonthlyIn> {
        k.monthly.iter().filter(|r| r.county_id == id && r.figure == fig).collect()
    };
    let overdue = of("overdue_rate");
    let mut sh = Sheet::new(name);
    sh.col(
        lang.tr("月份（第几月）", "Month (no.)"),
        overdue.iter().map(|r| num(r.month.into(), Shown::Fixed(0))).collect(),
    );
    sh.col(lang.tr("年月", "Date"), overdue.iter().map(|r| text(&r.date)).collect());
    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
    let bands: [(&str, &str, Band); 5] = [
        ("均值", "mean", |r| r.mean),
        ("5%分位", "5th percentile", |r| r.p05),
        ("25%分位", "25th percentile", |r| r.p25),
        ("中位数", "median", |r| r.p50),
        ("95%分位", "95th percentile", |r| r.p95),
    ];
    for (zh, en, f) in bands {
        let label = match lang {
            Lang::Zh => format!("逾期率{zh}"),
            Lang::En => format!("Overdue rate, {en}"),
        };
        sh.pct(lang, &label, overdue.iter().map(|r| v(f(r))));
    }
    let fund = of("fund_balance_yuan");
    for (zh, en, f) in bands {
        let label = match lang {
            Lang::Zh => format!("补偿金余额{zh}"),
            Lang::En => format!("Fund balance, {en}"),
        };
        sh.yuan(lang, &label, &fund.iter().map(|r| f(r)).collect::<Vec<_>>());
    }
    let outstanding = of("outstanding_yuan");
    sh.yuan(
        lang,
        lang.tr("贷款余额均值", "Mean outstanding"),
        &outstanding.iter().map(|r| r.mean).collect::<Vec<_>>(),
    );
    sh.pct(lang, lang.tr("覆盖率均值", "Mean coverage"), of("coverage_rate").iter().map(|r| v(r.mean)));
    let exhausted = of("exhausted_probability");
    sh.pct(lang, lang.tr("已耗尽的概率", "P(exhausted by then)"), exhausted.iter().map(|r| v(r.mean)));
    sh.pct(lang, &super::lower(lang), exhausted.iter().map(|r| v(r.p05)));
    sh.pct(lang, &super::upper(lang), exhausted.iter().map(|r| v(r.p95)));
    sh
}

/// 乡镇 / Townships: each township's peaks, highest first.
fn townships_sheet(name: &str, k: &CountyView, lang: Lang) -> Sheet {
    let t = &k.townships;
    let mut sh = Sheet::new(name).with_filter();
    sh.col(lang.tr("乡镇", "Township"), t.iter().map(|t| text(&t.name)).collect());
    sh.pct(lang, lang.tr("逾期率中位数的峰值", "Peak median overdue rate"), t.iter().map(|t| t.peak_p50));
    sh.col(lang.tr("峰值月份", "Month of the peak"), t.iter().map(|t| text(&t.peak_date)).collect());
    sh.pct(lang, lang.tr("5%分位的峰值", "Peak 5th percentile"), t.iter().map(|t| t.peak_p05));
    sh.pct(lang, lang.tr("95%分位的峰值", "Peak 95th percentile"), t.iter().map(|t| t.peak_p95));
    sh.pct(lang, lang.tr("期末中位数", "Final median"), t.iter().map(|t| t.final_p50));
    sh
}

/// 规则 / Rules: one row per item, its unit, one column per period; an
/// amount's row is followed by the same amount in 万元 or 亿元 (million or
/// billion yuan).
fn rules_sheet(name: &str, k: &CountyView, lang: Lang) -> Sheet {
    let rules = &k.county.rules;
    let largest =
        rules.iter().map(|r| r.endowment_yuan.max(r.fiscal_capacity_yuan.unwrap_or(0.0))).fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let mut labels = Vec::new();
    let mut units = Vec::new();
    let mut periods: Vec<Vec<Cell>> = vec![Vec::new(); rules.len()];
    for row in rule_rows(rules, lang) {
        let yuan = row.values.iter().any(|v| matches!(v, RuleValue::Yuan(_)));
        let scales: &[(f64, &str)] = if yuan { &[(1.0, ""), (div, unit)] } else { &[(1.0, "")] };
        for &(scale, scaled_unit) in scales {
            labels.push(text(if scale == 1.0 {
                row.label.clone()
            } else {
                with_unit(lang, &row.label, scaled_unit)
            }));
            units.push(text(if scale == 1.0 { row.unit } else { scaled_unit }));
            for (cells, v) in periods.iter_mut().zip(&row.values) {
                cells.push(match v {
                    RuleValue::Share(x) => num(*x, Shown::Pct),
                    RuleValue::Yuan(y) if scale == 1.0 => num(*y, YUAN),
                    RuleValue::Yuan(y) => num(y / scale, SCALED),
                    RuleValue::Count(n) => num(f64::from(*n), Shown::Fixed(0)),
                    RuleValue::Times(x) => num(*x, Shown::Fixed(1)),
                    RuleValue::Text(t) => text(t),
                });
            }
        }
    }
    let mut sh = Sheet::new(name);
    sh.col(lang.tr("项目", "Item"), labels);
    sh.col(lang.tr("单位", "Unit"), units);
    for (r, cells) in rules.iter().zip(periods) {
        let head = match lang {
            Lang::Zh => format!("自{}起（第{}个月）", r.from_date, r.from_month),
            Lang::En => format!("From {} (month {})", r.from_date, r.from_month),
        };
        sh.col(head, cells);
    }
    sh
}

/// The sheets of `briefing-CODE.xlsx`, as they are written.
pub fn county_sheets(k: &CountyView, meta: &RunMeta, prov: &Provenance, lang: Lang) -> Vec<Sheet> {
    let names = county_sheet_names(lang);
    let c = k.county;
    let mut rows: Vec<(&str, Est)> = vec![
        ("peak_overdue_rate", c.peak_overdue_rate),
        ("final_overdue_rate", c.final_overdue_rate),
        ("loss_fund_yuan", c.loss_fund_yuan),
        ("coverage_rate", c.coverage_rate),
    ];
    if let Some(e) = k.ranked.and_then(|r| r.expected_claims_yuan) {
        rows.push(("expected_claims_yuan", e));
    }
    let figures = figures_sheet(
        names[0],
        ("exhaustion_probability", c.exhaustion_probability),
        &rows,
        &|key| county_figure(key, lang),
        lang,
    );
    vec![
        figures,
        months_sheet(names[1], k, lang),
        townships_sheet(names[2], k, lang),
        rules_sheet(names[3], k, lang),
        provenance_sheet(names[4], meta, prov, lang),
    ]
}

/// `briefing-CODE.xlsx`.
pub fn county_xlsx(
    k: &CountyView,
    meta: &RunMeta,
    prov: &Provenance,
    lang: Lang,
) -> Result<Vec<u8>, BriefingError> {
    super::sheets_xlsx(&county_sheets(k, meta, prov, lang))
}
