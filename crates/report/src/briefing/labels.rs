//! Every text of the briefing material that more than one part shows, and
//! every text of the charts: titles, axes, legends, the provenance footer
//! and its headline, names of counties, shocks and rule sets, and money
//! units — each in Chinese and English. The charts, the HTML briefing and
//! the workbook take their labels from here, so that one wording is kept
//! in one place.

use super::inputs::{BreakpointIn, CountyIn, Dif, Prob, RulesIn, RunMeta, ThresholdsIn};
use super::{Lang, Provenance};

// ----- names -----

/// A county's name in the language.
pub(crate) fn county_label(c: &CountyIn, lang: Lang) -> String {
    county_name(&c.name, &c.name_en, lang)
}

/// The Chinese or the English name of a county.
pub(crate) fn county_name(zh: &str, en: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A shock family's name in the language.
pub(crate) fn shock_name(key: &str, lang: Lang) -> String {
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

/// A display name: the scenario's title in the language, else its title
/// in the other language, else its name and variant (the slugs: a
/// scenario file that gives no title has nothing better).
pub(crate) fn title(
    name: &str,
    variant: Option<&str>,
    zh: Option<&str>,
    en: Option<&str>,
    lang: Lang,
) -> String {
    let (first, second) = match lang {
        Lang::Zh => (zh, en),
        Lang::En => (en, zh),
    };
    match (first.or(second), variant) {
        (Some(t), _) => t.to_string(),
        (None, Some(v)) => format!("{name} ({v})"),
        (None, None) => name.to_string(),
    }
}

/// The scenario of a run, by its display name.
pub(crate) fn scenario_title(meta: &RunMeta, lang: Lang) -> String {
    title(&meta.scenario, meta.variant.as_deref(), meta.title_zh.as_deref(), meta.title_en.as_deref(), lang)
}

/// A scenario field's display name (`rules.compensation.fund_share` →
/// 补偿金分担比例 / the fund's share of a loss); a field without one keeps
/// its path.
pub(crate) fn field_name(path: &str, lang: Lang) -> String {
    FIELD_NAMES
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, zh, en)| lang.tr(zh, en).to_string())
        .unwrap_or_else(|| path.to_string())
}

/// `--set FIELD=VALUE` in words: "补偿金分担比例 = 0.9".
pub(crate) fn setting_label(set: &str, lang: Lang) -> String {
    match set.split_once('=') {
        Some((f, v)) => format!("{} = {}", field_name(f.trim(), lang), v.trim()),
        None => set.to_string(),
    }
}

/// The rules of a run in words: the scenario's (or variant's) display
/// name and any `--set` settings.
pub(crate) fn rules_title(meta: &RunMeta, lang: Lang) -> String {
    let mut rules = scenario_title(meta, lang);
    for set in &meta.settings {
        rules.push_str(lang.tr("，", ", "));
        rules.push_str(&setting_label(set, lang));
    }
    // Only some counties simulated (`--counties`): the province's figures
    // are theirs, which the title must say.
    if let (Some(kept), Some(of)) = (&meta.counties_simulated, meta.counties_in_scenario) {
        // The codes while they are few enough to read in a title.
        let (zh, en) = if kept.len() <= 5 {
            (format!("（{}）", kept.join("、")), format!(" ({})", kept.join(", ")))
        } else {
            (String::new(), String::new())
        };
        rules.push_str(&match lang {
            Lang::Zh => format!("，仅模拟全部{of}个县中的{}个{zh}", kept.len()),
            Lang::En => format!(", {} of its {of} counties only{en}", kept.len()),
        });
    }
    rules
}

/// A stress shock as given (`drought:2`) in words: 强度为2的干旱冲击 /
/// drought shock of severity 2.
pub(crate) fn shock_label(spec: &str, lang: Lang) -> String {
    // A breakpoint search names the shock it scales, without a severity.
    match (spec.split_once(':'), lang) {
        (Some((key, severity)), Lang::Zh) => format!("强度为{severity}的{}冲击", shock_name(key, lang)),
        (Some((key, severity)), Lang::En) => {
            format!("{} shock of severity {severity}", shock_name(key, lang))
        }
        (None, Lang::Zh) => format!("{}冲击", shock_name(spec, lang)),
        (None, Lang::En) => format!("{} shock", shock_name(spec, lang)),
    }
}

/// Display names of the scenario fields a sweep or `--set` is likely to
/// change: every rule, and the behaviour and shock settings the
/// calibration sweeps (docs/calibration.md).
const FIELD_NAMES: &[(&str, &str, &str)] = &[
    ("rules.loans.first_max_yuan", "首贷额度上限（元）", "first-loan limit (yuan)"),
    ("rules.loans.follow_up_max_yuan", "续贷额度上限（元）", "follow-up loan limit (yuan)"),
    ("rules.loans.max_term_months", "最长期限（月）", "longest term (months)"),
    ("rules.loans.lpr_annual", "一年期贷款市场报价利率", "one-year loan prime rate"),
    ("rules.loans.subsidy_rate_cap_annual", "贴息利率上限", "subsidised rate cap"),
    ("rules.extension.months", "展期期限（月）", "extension length (months)"),
    ("rules.extension.max_times", "展期次数上限", "extensions per loan"),
    ("rules.renewal.max_times", "续贷次数上限", "renewals per loan"),
    ("rules.renewal.term_months", "续贷期限（月）", "renewal term (months)"),
    ("rules.relief.max_per_loan", "每笔贷款展期续贷次数上限", "reliefs per loan"),
    ("rules.compensation.trigger_days_overdue", "启动代偿的逾期天数", "days overdue before a claim"),
    ("rules.compensation.collection_months", "代偿前催收月数", "months of collection before a claim"),
    ("rules.compensation.notice_months.min", "代偿通知最短月数", "shortest notice (months)"),
    ("rules.compensation.notice_months.max", "代偿通知最长月数", "longest notice (months)"),
    (
        "rules.compensation.legal_collection_months.min",
        "依法清收最短月数",
        "shortest legal collection (months)",
    ),
    (
        "rules.compensation.legal_collection_months.max",
        "依法清收最长月数",
        "longest legal collection (months)",
    ),
    (
        "rules.compensation.loss_determination_months.min",
        "损失认定最短月数",
        "shortest loss determination (months)",
    ),
    (
        "rules.compensation.loss_determination_months.max",
        "损失认定最长月数",
        "longest loss determination (months)",
    ),
    ("rules.compensation.activation_threshold", "代偿启动门槛", "activation threshold"),
    ("rules.compensation.bank_first_loss_yuan", "银行首先承担的损失（元）", "bank's first loss (yuan)"),
    ("rules.compensation.fund_share", "补偿金分担比例", "fund's share of a loss"),
    ("rules.compensation.per_loan_cap_yuan", "单笔代偿上限（元）", "cap per loan (yuan)"),
    ("rules.compensation.annual_cap_yuan", "年度代偿上限（元）", "annual cap (yuan)"),
    ("rules.compensation.annual_cap_share", "年度代偿上限占补偿金比例", "annual cap, share of the fund"),
    ("rules.compensation.payment_delay_months", "拨付代偿资金的月数", "months from filing to payment"),
    ("rules.compensation.third_party_share", "担保机构分担比例", "guarantor's share of a loss"),
    ("rules.compensation.third_party_limit_yuan", "担保机构代偿上限（元）", "guarantor's limit (yuan)"),
    ("rules.fund.interest_rate_annual", "补偿金存款年利率", "interest on the fund"),
    ("rules.fund.top_up_month", "补充补偿金的月份", "month of the top-ups"),
    ("rules.fund.top_up_ratio", "补充后补偿金与担保余额之比", "target fund ÷ covered balance"),
    ("rules.fund.annual_top_up_cap_yuan", "年度补充上限（元）", "yearly top-up cap (yuan)"),
    (
        "rules.fund.fiscal_capacity_share",
        "县级财力（补偿金本金的倍数）",
        "county's yearly capacity (endowments)",
    ),
    ("rules.fund.fiscal_capacity_yuan", "县级年度财力（元）", "county's yearly capacity (yuan)"),
    ("rules.fund.top_up_trigger", "触发补充的余额比例", "balance share that triggers a top-up"),
    ("rules.fund.top_up_mix.province", "省级补充比例", "province's share of a top-up"),
    ("rules.fund.top_up_mix.prefecture", "州市补充比例", "prefecture's share of a top-up"),
    ("rules.fund.top_up_mix.county", "县级补充比例", "county's share of a top-up"),
    ("rules.lending.leverage_max", "放大倍数", "leverage multiple"),
    ("rules.lending.suspension_tolerance", "暂停新增贷款的不良率", "NPL ratio that suspends lending"),
    ("rules.lending.key_county_extra", "重点帮扶县额外容忍度", "extra tolerance of key counties"),
    ("rules.lending.write_off_months", "核销前逾期月数", "months overdue before write-off"),
    ("rules.lending.fund_use_limit", "代偿占本金比例的停贷线", "claims ÷ endowment that stops lending"),
    ("rules.ladder.follow_up_uptake_monthly", "每月续贷申请概率", "monthly follow-up uptake"),
    ("rules.ladder.follow_up_min_months_held", "申请续贷前的用款月数", "months held before a follow-up"),
    ("rules.demand.monitoring_exit_monthly", "每月退出监测的比例", "monthly exit from monitoring"),
    ("behaviour.maturity_multiplier", "到期还本的违约倍数", "distress at maturity, multiple"),
    ("behaviour.maturity_correlation", "到期违约的因子载荷", "maturity process's factor loading"),
    (
        "behaviour.maturity_shock_elasticity",
        "收入冲击对到期违约的弹性",
        "weight of an income shock at maturity",
    ),
    ("behaviour.township_effect_sd", "乡镇效应标准差", "sd of the township effect"),
    ("behaviour.business_running", "经营仍在持续的比例", "share of businesses still running"),
    ("behaviour.low_willingness_share", "还款意愿低的借款人比例", "borrowers of low willingness"),
    ("shocks.relief_grant_share", "救灾资金弥补的比例", "share relief grants replace"),
    ("shocks.insurance.indemnity_share", "保险赔付弥补的比例", "share the insurance indemnity replaces"),
    (
        "shocks.disasters.earthquake.township_share",
        "地震波及乡镇的比例",
        "share of townships a quake strikes",
    ),
    ("shocks.disasters.drought.township_share", "干旱波及乡镇的比例", "share of townships a drought strikes"),
    (
        "shocks.disasters.earthquake.exposure.migrant_wages",
        "务工收入受本地地震影响的程度",
        "migrant wages' exposure to a local quake",
    ),
];

/// Money in the unit that suits its size: (divisor, unit label).
pub fn money_unit(lang: Lang, largest_yuan: f64) -> (f64, &'static str) {
    match lang {
        Lang::Zh if largest_yuan.abs() >= 1e8 => (1e8, "亿元"),
        Lang::Zh => (1e4, "万元"),
        Lang::En if largest_yuan.abs() >= 1e9 => (1e9, "billion yuan"),
        Lang::En => (1e6, "million yuan"),
    }
}

// ----- provenance -----

/// The footer line under every chart and in the briefing.
pub(crate) fn footer(p: &Provenance, lang: Lang) -> String {
    let hash: String =
        p.sha256.split_whitespace().map(|h| &h[..h.len().min(12)]).collect::<Vec<_>>().join("/");
    let shock = p.shock.as_deref().map(|s| format!(" · {}", shock_label(s, lang))).unwrap_or_default();
    // A comparison's scenario already names both rule sets.
    let rules = match (p.rules == p.scenario, lang) {
        (true, _) => String::new(),
        (false, Lang::Zh) => format!(" · 规则 {}", p.rules),
        (false, Lang::En) => format!(" · rules {}", p.rules),
    };
    match lang {
        Lang::Zh => format!(
            "情景 {} (SHA-256 {}){rules}{shock} · 种子 {} · {}条路径 · {} · {}",
            p.scenario, hash, p.seed, p.paths, p.date, p.headline
        ),
        Lang::En => format!(
            "Scenario {} (SHA-256 {}){rules}{shock} · seed {} · {} paths · {} · {}",
            p.scenario, hash, p.seed, p.paths, p.date, p.headline
        ),
    }
}

/// Headline of a run: the province's exhaustion probability.
pub(crate) fn headline_run(p: &Prob, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("任一县耗尽概率 {:.1}% ± {:.1}（标准误）", p.p.0 * 100.0, p.se.0 * 100.0),
        Lang::En => format!("P(some fund exhausted) {:.1}% ± {:.1} (s.e.)", p.p.0 * 100.0, p.se.0 * 100.0),
    }
}

/// Headline of a comparison: the difference in the funds' loss.
pub(crate) fn headline_compare(diffs: &[Dif], lang: Lang) -> String {
    let largest = diffs.iter().map(|d| d.base.0.abs()).fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    // From one path there is no standard error.
    let each: Vec<String> = diffs
        .iter()
        .map(|d| {
            let se = if d.se.0.is_finite() { format!("{:.3}", d.se.0 / div) } else { "n/a".into() };
            format!("{:+.3} ± {se}", d.diff.0 / div)
        })
        .collect();
    // Several revisions: their differences in the order they were given.
    match (lang, each.len()) {
        (Lang::Zh, 1) => format!("补偿金损失差 {} {unit}（配对标准误）", each[0]),
        (Lang::Zh, _) => format!("补偿金损失差（依修订顺序）{} {unit}（配对标准误）", each.join("、")),
        (Lang::En, 1) => format!("fund loss difference {} {unit} (paired s.e.)", each[0]),
        (Lang::En, _) => {
            format!("fund loss differences (revisions in order) {} {unit} (paired s.e.)", each.join(", "))
        }
    }
}

/// Headline of a reverse stress test: its target and paths.
pub(crate) fn headline_breakpoint(b: &BreakpointIn, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("目标耗尽概率{:.0}%，每次评估{}条路径", b.target * 100.0, b.paths),
        Lang::En => format!("target P {:.0}%, {} paths per evaluation", b.target * 100.0, b.paths),
    }
}

/// Headline of a sweep: the largest standard error of the exhaustion
/// probability (a share).
pub(crate) fn headline_sweep(worst_se: f64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("耗尽概率最大标准误 {:.1}个百分点", worst_se * 100.0),
        Lang::En => format!("largest s.e. of the exhaustion probability {:.1} pp", worst_se * 100.0),
    }
}

// ----- charts of a run -----

/// The legend of a fan chart's bands.
pub(crate) fn band_legend(lang: Lang) -> [String; 3] {
    [
        lang.tr("90%区间（5%–95%）", "90% band (5th–95th percentile)").into(),
        lang.tr("50%区间（25%–75%）", "50% band (25th–75th percentile)").into(),
        lang.tr("中位数", "median").into(),
    ]
}

/// The month axis of a fan chart.
pub(crate) fn month_axis(lang: Lang) -> String {
    lang.tr("月份", "Month").into()
}

/// The province's panel or series.
pub(crate) fn province(lang: Lang) -> String {
    lang.tr("全省", "Province").into()
}

/// `overdue-fan`: title.
pub(crate) fn overdue_fan_title(lang: Lang) -> String {
    lang.tr("逾期率：全省及最需关注的县", "Overdue rate: province and the most-watched counties").into()
}

/// `overdue-fan`: value axis.
pub(crate) fn overdue_axis(lang: Lang) -> String {
    lang.tr("逾期率（%）", "Overdue rate (%)").into()
}

/// `fund-fan`: title.
pub(crate) fn fund_fan_title(lang: Lang) -> String {
    lang.tr("风险补偿金余额：最需关注的县", "Risk-compensation fund balance: the most-watched counties")
        .into()
}

/// `fund-fan`: value axis, in `unit`.
pub(crate) fn balance_axis(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("余额（{unit}）"),
        Lang::En => format!("Balance ({unit})"),
    }
}

/// `fund-fan`: the zero line.
pub(crate) fn exhaustion_line(lang: Lang) -> String {
    lang.tr("耗尽线（余额为零）", "exhaustion line (balance 0)").into()
}

/// `exhaustion-survival`: title.
pub(crate) fn survival_title(lang: Lang) -> String {
    lang.tr(
        "补偿金耗尽的累积概率（阴影：全省的95%置信区间）",
        "Probability that a fund is exhausted by each month (shaded: 95% interval for the province)",
    )
    .into()
}

/// `exhaustion-survival`: the province's series.
pub(crate) fn survival_province(lang: Lang) -> String {
    lang.tr("全省：任一县耗尽", "Province: some county's fund").into()
}

/// `exhaustion-survival`: value axis.
pub(crate) fn survival_axis(lang: Lang) -> String {
    lang.tr("补偿金已耗尽的概率（%）", "Probability the fund is exhausted by then (%)").into()
}

// ----- charts of one county -----

/// One county's `overdue-fan`: title.
pub(crate) fn county_overdue_title(lang: Lang, county: &str) -> String {
    match lang {
        Lang::Zh => format!("{county}：逾期率"),
        Lang::En => format!("{county}: overdue rate"),
    }
}

/// One county's fan panel: its code and prefecture.
pub(crate) fn county_panel(lang: Lang, code: &str, prefecture: &str) -> String {
    match lang {
        Lang::Zh => format!("县代码{code}，{prefecture}"),
        Lang::En => format!("division code {code}"),
    }
}

/// One county's `fund-fan`: title.
pub(crate) fn county_fund_title(lang: Lang, county: &str) -> String {
    match lang {
        Lang::Zh => format!("{county}：风险补偿金余额"),
        Lang::En => format!("{county}: risk-compensation fund balance"),
    }
}

/// One county's `survival`: title.
pub(crate) fn county_survival_title(lang: Lang, county: &str) -> String {
    match lang {
        Lang::Zh => format!("{county}：补偿金尚未耗尽的概率（阴影：95%置信区间）"),
        Lang::En => {
            format!("{county}: probability the fund has not run out by each month (shaded: 95% interval)")
        }
    }
}

/// One county's `survival`: value axis.
pub(crate) fn county_survival_axis(lang: Lang) -> String {
    lang.tr("补偿金尚未耗尽的概率（%）", "Probability the fund is not yet exhausted (%)").into()
}

/// One county's `survival`: its series.
pub(crate) fn county_survival_series(lang: Lang, county: &str) -> String {
    match lang {
        Lang::Zh => format!("{county}：补偿金尚未耗尽"),
        Lang::En => format!("{county}: fund not yet exhausted"),
    }
}

/// One county's `townships`: title, naming the `shown` townships of
/// `all`.
pub(crate) fn townships_title(lang: Lang, county: &str, shown: usize, all: usize) -> String {
    match (lang, shown < all) {
        (Lang::Zh, false) => format!("{county}各乡镇的逾期率峰值（{shown}个乡镇）"),
        (Lang::Zh, true) => format!("{county}各乡镇的逾期率峰值（{all}个乡镇中最高的{shown}个）"),
        (Lang::En, false) => format!("{county}: peak overdue rate of its townships ({shown})"),
        (Lang::En, true) => {
            format!("{county}: peak overdue rate of its townships (highest {shown} of {all})")
        }
    }
}

/// One county's `townships`: value axis.
pub(crate) fn townships_axis(lang: Lang) -> String {
    lang.tr(
        "逾期率峰值（%）：月度中位数的最高值，须线为5%与95%分位的最高值",
        "Peak overdue rate (%): highest monthly median, whiskers: highest 5th and 95th percentiles",
    )
    .into()
}

/// One county's `townships`: what a bar is.
pub(crate) fn townships_legend(lang: Lang) -> String {
    lang.tr("乡镇逾期率中位数的峰值", "township's peak median overdue rate").into()
}

/// `county-ranking`: title, naming the `shown` counties ranked.
pub(crate) fn ranking_title(lang: Lang, shown: usize) -> String {
    match lang {
        Lang::Zh => format!("各县补偿金耗尽概率排名（前{shown}）"),
        Lang::En => format!("Counties ranked by the probability their fund runs out (top {shown})"),
    }
}

/// `county-ranking`: value axis.
pub(crate) fn ranking_axis(lang: Lang) -> String {
    lang.tr(
        "补偿金在模拟期内耗尽的概率（%），须线为95%置信区间",
        "Probability the fund is exhausted within the horizon (%), whiskers: 95% interval",
    )
    .into()
}

/// `county-ranking`: the legend of red bars, counties watched because
/// their exhaustion probability (the bar) reaches `threshold` (a share).
pub(crate) fn ranking_watch_probability(lang: Lang, threshold: f64) -> String {
    match lang {
        Lang::Zh => format!("需关注：耗尽概率≥{}", share_pct(threshold)),
        Lang::En => format!("watched: P(exhausted) ≥ {}", share_pct(threshold)),
    }
}

/// `county-ranking` of a stress test: the legend of orange bars, counties
/// watched for the other `reasons` (keys of `stress.json`), with the
/// thresholds where known.
pub(crate) fn ranking_watch_other(lang: Lang, reasons: &[&str], t: Option<ThresholdsIn>) -> String {
    let one = |r: &str| -> String {
        match (r, lang) {
            ("fund_cover_ratio", Lang::Zh) => match t {
                Some(t) => format!("补偿金不足预期代偿的{}倍", chart_number(t.fund_cover_ratio)),
                None => "补偿金不足以覆盖预期代偿".into(),
            },
            ("fund_cover_ratio", Lang::En) => match t {
                Some(t) => format!("fund under {} × expected claims", chart_number(t.fund_cover_ratio)),
                None => "fund short of expected claims".into(),
            },
            ("peak_overdue_rate", Lang::Zh) => match t {
                Some(t) => format!("逾期率峰值≥{}", share_pct(t.peak_overdue_rate)),
                None => "逾期率峰值高".into(),
            },
            ("peak_overdue_rate", Lang::En) => match t {
                Some(t) => format!("peak overdue rate ≥ {}", share_pct(t.peak_overdue_rate)),
                None => "high peak overdue rate".into(),
            },
            (other, _) => other.to_string(),
        }
    };
    let list: Vec<String> = reasons.iter().map(|r| one(r)).collect();
    match lang {
        Lang::Zh if list.is_empty() => "需关注：压力测试的其他标准".into(),
        Lang::En if list.is_empty() => "watched: other thresholds of the stress test".into(),
        Lang::Zh => format!("需关注：{}", list.join("或")),
        Lang::En => format!("watched: {}", list.join(" or ")),
    }
}

/// `county-ranking`: the legend of blue bars.
pub(crate) fn ranking_not_watched(lang: Lang) -> String {
    lang.tr("未列入关注", "not watched").into()
}

/// `county-ranking`: the note when no fund ran out on any path.
pub(crate) fn ranking_zero_note(lang: Lang) -> String {
    lang.tr(
        "没有县的补偿金在任何路径上耗尽；须线为95%置信区间上限",
        "No fund ran out on any path; whiskers reach the 95% upper bounds",
    )
    .into()
}

/// Added to the titles of the charts of chosen counties when a ranking by
/// exhaustion probability would be noise and they are chosen by their
/// peak overdue rate instead.
pub(crate) fn chosen_by_overdue(lang: Lang) -> &'static str {
    lang.tr(
        "（按逾期率峰值选县：耗尽路径太少，不宜按耗尽概率排名）",
        " (counties chosen by peak overdue rate: too few exhausted paths to rank by exhaustion)",
    )
}

/// `county-ranking`: the note when the ranking rests on few exhausted
/// paths (`most` at the most) and `need` paths would give a probability
/// near 5 % a standard error of 1 percentage point.
pub(crate) fn ranking_noise_note(lang: Lang, most: f64, need: u64) -> String {
    match lang {
        Lang::Zh => format!(
            "最多仅{most}条路径耗尽，排名估计不稳定；5%左右的概率要达到±1个百分点的标准误约需{need}条路径"
        ),
        Lang::En => format!(
            "At most {most} paths ran out: an unstable ranking; a probability near 5% needs about {need} paths for a standard error of 1 percentage point"
        ),
    }
}

/// A share as a percentage without needless decimals: 0.05 → "5%",
/// 0.125 → "12.5%".
fn share_pct(share: f64) -> String {
    format!("{}%", chart_number(share * 100.0))
}

/// A number with at most three decimals and none that are zero: 1.5 →
/// "1.5", 2.0 → "2", never "-0".
fn chart_number(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// An amount as a chart prints it beside a bar or a dot: three
/// significant digits and the unit of [`money_unit`] ("5.01亿元",
/// "501 million yuan"); `signed` puts "+" before a gain.
pub(crate) fn chart_amount(lang: Lang, value: f64, unit: &str, signed: bool) -> String {
    let a = value.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let mut n = format!("{value:.decimals$}");
    // Rounded to zero, a sign would say more than the number does.
    if n.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        n = n.trim_start_matches('-').to_string();
    } else if signed && value > 0.0 {
        n.insert(0, '+');
    }
    match lang {
        Lang::Zh => format!("{n}{unit}"),
        Lang::En => format!("{n} {unit}"),
    }
}

// ----- time axes -----

/// The month a stress shock strikes, marked on the time axes: the shock
/// as given (`drought:3`) and its calendar month.
pub(crate) fn shock_marker(lang: Lang, spec: &str, month: &str) -> String {
    match lang {
        Lang::Zh => format!("{}（{month}）", shock_label(spec, lang)),
        Lang::En => format!("{} ({month})", shock_label(spec, lang)),
    }
}

/// `fund-fan`: the right-hand axis of the exhaustion probability.
pub(crate) fn exhausted_axis(lang: Lang) -> String {
    lang.tr("已耗尽的概率（%）", "P(exhausted by then) (%)").into()
}

/// `fund-fan`: the legend of the exhaustion probability's line.
pub(crate) fn exhausted_legend(lang: Lang) -> String {
    lang.tr("已耗尽的概率（右轴）", "P(exhausted by then), right axis").into()
}

/// `compare` and `compare-counties`: what red and blue mean.
pub(crate) fn difference_legend(lang: Lang) -> [String; 2] {
    [
        lang.tr("95%区间不含0：可分辨的变化", "95% interval excludes 0: a distinguishable change").into(),
        lang.tr("95%区间含0：无可分辨的变化", "95% interval includes 0: no distinguishable change").into(),
    ]
}

// ----- losses -----

/// `losses`: the bar of a run.
pub(crate) fn this_scenario(lang: Lang) -> String {
    lang.tr("本情景", "this scenario").into()
}

/// `losses`: title.
pub(crate) fn losses_title(lang: Lang) -> String {
    lang.tr("损失由谁承担（模拟期内均值）", "Who bears the losses (mean over the horizon)").into()
}

/// `losses`: value axis, in `unit`.
pub(crate) fn loss_axis(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("损失（{unit}）"),
        Lang::En => format!("Loss ({unit})"),
    }
}

/// `losses`: who bears them.
pub(crate) fn losses_legend(lang: Lang) -> [String; 3] {
    [
        lang.tr("风险补偿金", "compensation fund").into(),
        lang.tr("银行", "banks").into(),
        lang.tr("未获补偿（补偿金不足）", "uncovered (fund could not pay)").into(),
    ]
}

// ----- comparison -----

/// A province figure of a comparison, by its key in `compare.json`.
pub(crate) fn compare_figure(lang: Lang, key: &str) -> String {
    let (zh, en) = match key {
        "exhaustion_probability" => ("任一县补偿金耗尽概率", "P(some county fund exhausted)"),
        "peak_overdue_rate" => ("峰值逾期率", "Peak overdue rate"),
        "final_overdue_rate" => ("期末逾期率", "Final overdue rate"),
        "loss_fund_yuan" => ("补偿金损失", "Loss borne by funds"),
        "loss_bank_yuan" => ("银行损失", "Loss borne by banks"),
        "claims_paid_yuan" => ("代偿支付", "Claims paid"),
        "disbursed_yuan" => ("贷款发放", "Principal disbursed"),
        "fund_end_yuan" => ("期末补偿金余额", "Funds at the end"),
        _ => return key.to_string(),
    };
    lang.tr(zh, en).into()
}

/// `compare`: title.
pub(crate) fn compare_title(lang: Lang, revision: &str, base: &str) -> String {
    match lang {
        Lang::Zh => format!("规则修订的影响：{revision} 对比 {base}（点：均值差；线：95%置信区间）"),
        Lang::En => {
            format!(
                "What the revision changes: {revision} vs {base} (dot: mean difference; line: 95% interval)"
            )
        }
    }
}

/// `compare`: the panel of probabilities and rates.
pub(crate) fn compare_rates_panel(lang: Lang) -> String {
    lang.tr("概率与比率：差值（百分点）", "Probabilities and rates: difference (percentage points)").into()
}

/// `compare`: the panel of amounts.
pub(crate) fn compare_money_panel(lang: Lang) -> String {
    lang.tr("金额：相对现行规则的变化（%）", "Amounts: change relative to today's rules (%)").into()
}

/// `compare-counties`: title.
pub(crate) fn compare_counties_title(lang: Lang, revision: &str, base: &str) -> String {
    match lang {
        Lang::Zh => format!("受修订影响最大的县：补偿金耗尽概率的变化（{revision} 对比 {base}）"),
        Lang::En => format!(
            "Counties the revision affects most: change in the probability their fund runs out ({revision} vs {base})"
        ),
    }
}

/// `compare-counties`: the panel.
pub(crate) fn compare_counties_panel(lang: Lang) -> String {
    lang.tr(
        "差值（百分点），点：均值；线：95%置信区间",
        "difference (percentage points); dot: mean, line: 95% interval",
    )
    .into()
}

/// `losses` and `compare-fund`: today's rules, by their display name —
/// said once when the name already says it ("现行规则", "today's rules").
pub(crate) fn todays_rules(lang: Lang, base: &str) -> String {
    let todays = lang.tr("现行规则", "today's rules");
    if base.to_lowercase().contains(&todays.to_lowercase()) {
        base.to_string()
    } else {
        format!("{todays}{}{base}", lang.tr("：", ": "))
    }
}

/// `compare-counties` when no county's exhaustion probability moves
/// distinguishably: the title of the fund losses shown instead.
pub(crate) fn compare_counties_loss_title(lang: Lang, revision: &str, base: &str) -> String {
    match lang {
        Lang::Zh => format!("各县补偿金损失的变化（{revision} 对比 {base}；各县耗尽概率均无可分辨的变化）"),
        Lang::En => format!(
            "Change in each county's fund loss ({revision} vs {base}; no county's exhaustion probability changes distinguishably)"
        ),
    }
}

/// `compare-counties` of fund losses: the panel, in `unit`.
pub(crate) fn compare_counties_loss_panel(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("差值（{unit}），点：均值；线：95%置信区间"),
        Lang::En => format!("difference ({unit}); dot: mean, line: 95% interval"),
    }
}

/// `compare-fund`: title, for the first `shown` of `sets` rule sets.
pub(crate) fn compare_fund_title(lang: Lang, shown: usize, sets: usize) -> String {
    match (lang, shown, sets) {
        (Lang::Zh, 2, 2) => "全省补偿金余额：现行规则与修订（同一组模拟路径）".into(),
        (Lang::Zh, s, n) if s == n => format!("全省补偿金余额：{n}套规则（同一组模拟路径）"),
        (Lang::Zh, s, n) => format!("全省补偿金余额：{n}套规则中的前{s}套（同一组模拟路径）"),
        (Lang::En, 2, 2) => {
            "Province fund balance: today's rules and the revision (the same random futures)".into()
        }
        (Lang::En, s, n) if s == n => {
            format!("Province fund balance under {n} rule sets (the same random futures)")
        }
        (Lang::En, s, n) => {
            format!("Province fund balance under the first {s} of {n} rule sets (the same random futures)")
        }
    }
}

/// `compare-fund`: the right axis's legend.
pub(crate) fn exhausted_any_legend(lang: Lang) -> String {
    lang.tr("至少一个县已耗尽的概率（右轴）", "P(some county's fund exhausted by then), right axis").into()
}

// ----- sweep -----

/// `sweep` (one field): title.
pub(crate) fn sweep_title(lang: Lang, field: &str) -> String {
    match lang {
        Lang::Zh => format!("参数扫描：{field}（同一组模拟路径）"),
        Lang::En => format!("Sweep over the {field} (the same random futures at every point)"),
    }
}

/// `sweep` (one field): the axis of the loss panel, in `unit`.
pub(crate) fn sweep_loss_axis(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("损失均值（{unit}），阴影：95%置信区间"),
        Lang::En => format!("Mean loss ({unit}), shaded: 95% interval"),
    }
}

/// `sweep` (one field): the series of the funds' loss.
pub(crate) fn sweep_fund_loss(lang: Lang) -> String {
    lang.tr("补偿金损失", "loss borne by funds").into()
}

/// `sweep` (one field): the series of the banks' loss.
pub(crate) fn sweep_bank_loss(lang: Lang) -> String {
    lang.tr("银行损失", "loss borne by banks").into()
}

/// `sweep`: the exhaustion probability's axis, or the title of its heat map.
pub(crate) fn sweep_probability_axis(lang: Lang) -> String {
    lang.tr("任一县补偿金耗尽的概率（%）", "P(some county fund exhausted) (%)").into()
}

/// `sweep` (one field): the exhaustion probability's series.
pub(crate) fn sweep_probability(lang: Lang) -> String {
    lang.tr("耗尽概率（95%置信区间）", "exhaustion probability (95% interval)").into()
}

/// `sweep` (two fields): title.
pub(crate) fn sweep2_title(lang: Lang) -> String {
    lang.tr("二维参数扫描（同一组模拟路径）", "Two-way sweep (the same random futures at every point)").into()
}

/// `sweep` (two fields): the heat map of the funds' loss, in `unit`.
pub(crate) fn sweep2_loss(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("补偿金损失均值（{unit}）"),
        Lang::En => format!("Mean loss borne by funds ({unit})"),
    }
}

/// `sweep` (two fields): the heat map of the exhaustion probability.
pub(crate) fn sweep2_probability(lang: Lang) -> String {
    lang.tr("任一县补偿金耗尽概率（%）", "P(some county fund exhausted) (%)").into()
}

// ----- reverse stress test -----

/// `breakpoint`: title, naming the `shown` counties plotted.
pub(crate) fn breakpoint_title(lang: Lang, shock: &str, target: f64, shown: usize) -> String {
    let shock = shock_name(shock, lang);
    let p = target * 100.0;
    // "没有县", never "0个县".
    let which = match (lang, shown) {
        (Lang::Zh, 0) => "没有县在所测强度内达到".to_string(),
        (Lang::Zh, n) => format!("最脆弱的{n}个县"),
        (Lang::En, 0) => "no county reaches it within the grid".to_string(),
        (Lang::En, n) => format!("{n} most fragile"),
    };
    match lang {
        Lang::Zh => {
            format!("反向压力测试：{shock}冲击强度达到多少时，县补偿金耗尽概率达到{p:.0}%（{which}）")
        }
        Lang::En => format!(
            "Reverse stress test: the {shock} severity at which a county's fund has a {p:.0}% chance to run out ({which})"
        ),
    }
}

/// `breakpoint`: the panel.
pub(crate) fn breakpoint_panel(lang: Lang) -> String {
    lang.tr(
        "点：临界强度；线：95%区间（右端为网格上限时表示更高）",
        "dot: breakpoint; line: 95% interval (ending at the grid's top: higher)",
    )
    .into()
}

/// `breakpoint-topup`: title, for the `shown` counties that need a top-up
/// (none: the title says so).
pub(crate) fn topup_title(
    lang: Lang,
    shock: &str,
    severity: f64,
    target: f64,
    shown: usize,
    hopeless: usize,
) -> String {
    let at = shock_label(&format!("{shock}:{severity}"), lang);
    let p = target * 100.0;
    match (lang, shown, hopeless) {
        (Lang::Zh, 0, 0) => format!("一次性补充：在{at}下没有县需要补充（耗尽概率均低于{p:.0}%）"),
        (Lang::Zh, 0, h) => {
            format!("一次性补充：在{at}下没有县能靠有限的补充降到{p:.0}%以下（{h}个县任何补充都不足）")
        }
        (Lang::Zh, n, _) => {
            format!("一次性补充：{at}下把耗尽概率降到{p:.0}%以下所需的最小补充（需要补充的{n}个县）")
        }
        (Lang::En, 0, 0) => {
            format!("One-off top-up: under a {at} no county needs one (every chance is under {p:.0}%)")
        }
        (Lang::En, 0, h) => format!(
            "One-off top-up: under a {at} no top-up of any size brings a county under {p:.0}% ({h} {} no top-up is enough)",
            if h == 1 { "county for which" } else { "counties for which" }
        ),
        (Lang::En, n, _) => format!(
            "One-off top-up: the smallest that brings the chance under {p:.0}% under a {at} ({n} {} one)",
            if n == 1 { "county that needs" } else { "counties that need" }
        ),
    }
}

/// `breakpoint-topup`: the panel, `open` when some interval has no upper
/// end at the paths run.
pub(crate) fn topup_panel(lang: Lang, open: bool) -> String {
    match (lang, open) {
        (Lang::Zh, false) => "点：最小补充；线：95%区间".into(),
        (Lang::Zh, true) => "点：最小补充；线：95%区间（延伸至右端：上限需更多路径才能确定）".into(),
        (Lang::En, false) => "dot: smallest top-up; line: 95% interval".into(),
        (Lang::En, true) => {
            "dot: smallest top-up; line: 95% interval (reaching the right edge: its upper end needs more paths)".into()
        }
    }
}

/// `breakpoint-topup`: the amount axis, in `unit`.
pub(crate) fn topup_axis(lang: Lang, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("一次性补充（{unit}）"),
        Lang::En => format!("One-off top-up ({unit})"),
    }
}

/// `breakpoint`: the severity axis.
pub(crate) fn breakpoint_axis(lang: Lang) -> String {
    lang.tr("冲击强度（1 = 典型一次冲击）", "Shock severity (1 = a typical hit)").into()
}

// ----- a county's rules -----

/// A value of a county's rules, as the briefing and the workbook show it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RuleValue {
    /// A share (fraction), shown as a percentage.
    Share(f64),
    /// An amount, yuan.
    Yuan(f64),
    /// A whole number of the row's unit (days, months).
    Count(u16),
    /// A multiple.
    Times(f64),
    /// Words.
    Text(String),
}

/// One labelled row of a county's rules: its label, its unit (for the
/// workbook's unit column) and its value in each period of the rules.
#[derive(Clone, Debug)]
pub(crate) struct RuleRow {
    pub(crate) label: String,
    pub(crate) unit: &'static str,
    pub(crate) values: Vec<RuleValue>,
}

/// The rows of a county's rules (`counties[].rules` of `summary.json`),
/// each labelled in the language, one value per period: what a regulator
/// reads off a county's compensation scheme.
pub(crate) fn rule_rows(rules: &[RulesIn], lang: Lang) -> Vec<RuleRow> {
    let none = |unlimited: bool| {
        RuleValue::Text(match unlimited {
            true => lang.tr("不限", "unlimited").into(),
            false => lang.tr("无", "none").into(),
        })
    };
    let yuan_or = |x: Option<f64>, unlimited: bool| x.map_or_else(|| none(unlimited), RuleValue::Yuan);
    let share_or = |x: Option<f64>| x.map_or_else(|| none(false), RuleValue::Share);
    // A field's name starts lower case for use inside a sentence; a row's
    // label is capitalised, as the other rows are.
    let capital = |t: String| {
        let mut c = t.chars();
        c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
    };
    let row = |label: String, unit: &'static str, f: &dyn Fn(&RulesIn) -> RuleValue| RuleRow {
        label: capital(label),
        unit,
        values: rules.iter().map(f).collect(),
    };
    let (days, months, yuan, pct, times) = (
        lang.tr("天", "days"),
        lang.tr("个月", "months"),
        lang.tr("元", "yuan"),
        "%",
        lang.tr("倍", "times"),
    );
    let f = |path: &str| field_name(path, lang);
    vec![
        row(lang.tr("规则集", "Rule set").into(), "", &|r| {
            RuleValue::Text(match (r.rule_set, lang) {
                (0, Lang::Zh) => "情景的基本规则".into(),
                (0, Lang::En) => "the scenario's rules".into(),
                (n, Lang::Zh) => format!("第{n}套（县级或时间线调整）"),
                (n, Lang::En) => format!("set {n} (a county or timeline change)"),
            })
        }),
        row(f("rules.compensation.trigger_days_overdue"), days, &|r| {
            RuleValue::Count(r.trigger_days_overdue)
        }),
        row(f("rules.compensation.collection_months"), months, &|r| RuleValue::Count(r.collection_months)),
        row(f("rules.compensation.fund_share"), pct, &|r| match &r.fund_share_by_npl {
            None => RuleValue::Share(r.fund_share),
            Some(grades) => RuleValue::Text(npl_grades(grades, lang)),
        }),
        row(lang.tr("损失计算基数", "Loss base").into(), "", &|r| {
            RuleValue::Text(match r.loss_base.as_str() {
                "principal" => lang.tr("本金", "principal").into(),
                _ => lang.tr("本金及欠息", "principal and interest arrears").into(),
            })
        }),
        row(lang.tr("单笔代偿上限", "Cap per loan").into(), yuan, &|r| {
            yuan_or(r.per_loan_cap_yuan, false)
        }),
        row(lang.tr("年度代偿上限", "Annual cap").into(), yuan, &|r| yuan_or(r.annual_cap_yuan, false)),
        row(f("rules.compensation.annual_cap_share"), pct, &|r| share_or(r.annual_cap_share)),
        row(f("rules.compensation.payment_delay_months"), months, &|r| {
            RuleValue::Count(r.payment_delay_months)
        }),
        row(
            lang.tr("追回款按比例返还补偿金", "Recoveries returned to the fund").into(),
            "",
            &|r| {
                RuleValue::Text(
                    if r.recoveries_to_fund { lang.tr("是", "yes") } else { lang.tr("否", "no") }.into(),
                )
            },
        ),
        row(f("rules.compensation.third_party_share"), pct, &|r| share_or(r.third_party_share)),
        row(lang.tr("补充方式", "Top-up rule").into(), "", &|r| {
            RuleValue::Text(top_up_kind(&r.top_up, lang))
        }),
        row(f("rules.lending.leverage_max"), times, &|r| RuleValue::Times(r.leverage_max)),
        row(lang.tr("暂停新增贷款的比率", "Lending suspended above").into(), pct, &|r| {
            RuleValue::Text(format!(
                "{}{}",
                match (r.suspension_metric.as_str(), lang) {
                    ("npl", Lang::Zh) => "不良率",
                    ("npl", Lang::En) => "NPL ratio ",
                    (_, Lang::Zh) => "逾期率",
                    (_, Lang::En) => "overdue ratio ",
                },
                share_pct(r.suspension_tolerance)
            ))
        }),
        row(f("rules.lending.fund_use_limit"), pct, &|r| share_or(r.fund_use_limit)),
        row(lang.tr("补偿金核定规模", "Fund endowment").into(), yuan, &|r| {
            RuleValue::Yuan(r.endowment_yuan)
        }),
        row(lang.tr("县级年度补充财力", "County's yearly capacity for top-ups").into(), yuan, &|r| {
            yuan_or(r.fiscal_capacity_yuan, true)
        }),
    ]
}

/// A fund share graded by the NPL ratio in words: "不良率≤1%时80%，…".
fn npl_grades(grades: &[super::inputs::NplGradeIn], lang: Lang) -> String {
    let last = grades.len().saturating_sub(1);
    let parts: Vec<String> = grades
        .iter()
        .enumerate()
        .map(|(i, g)| match (lang, i == last && i > 0) {
            (Lang::Zh, true) => format!("其余{}", share_pct(g.fund_share)),
            (Lang::En, true) => format!("{} above", share_pct(g.fund_share)),
            (Lang::Zh, false) => format!("不良率≤{}时{}", share_pct(g.npl_up_to), share_pct(g.fund_share)),
            (Lang::En, false) => {
                format!("{} up to an NPL ratio of {}", share_pct(g.fund_share), share_pct(g.npl_up_to))
            }
        })
        .collect();
    match lang {
        Lang::Zh => format!("按不良率分档：{}", parts.join("，")),
        Lang::En => format!("graded by NPL ratio: {}", parts.join(", ")),
    }
}

/// A top-up rule's kind (`counties[].rules[].top_up`) in words.
fn top_up_kind(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "none" => ("不补充", "none"),
        "annual_restore" => ("每年恢复至核定规模", "restored to the endowment once a year"),
        "annual_to_ratio" => {
            ("每年补充至担保余额的约定比例", "once a year, to a ratio of the covered balance")
        }
        "quarterly_to_ratio" => {
            ("每季度补充至担保余额的约定比例", "each quarter, to a ratio of the covered balance")
        }
        "below_endowment" => (
            "余额低于核定规模的约定比例时由省、州市、县补足",
            "refilled to the endowment by province, prefecture and county when it falls below a share of it",
        ),
        other => return other.to_string(),
    };
    lang.tr(zh, en).into()
}

/// A rule's value as text, amounts in `unit` (see [`money_unit`]).
pub(crate) fn rule_text(v: &RuleValue, unit_of_row: &str, (div, unit): (f64, &str), lang: Lang) -> String {
    match v {
        RuleValue::Share(x) => share_pct(*x),
        RuleValue::Yuan(y) => match lang {
            Lang::Zh => format!("{}{unit}", chart_number(y / div)),
            Lang::En => format!("{} {unit}", chart_number(y / div)),
        },
        RuleValue::Count(n) => match lang {
            Lang::Zh => format!("{n}{unit_of_row}"),
            // "1 month", "3 months".
            Lang::En if *n == 1 => format!("1 {}", unit_of_row.trim_end_matches('s')),
            Lang::En => format!("{n} {unit_of_row}"),
        },
        RuleValue::Times(x) => match lang {
            Lang::Zh => format!("{}倍", chart_number(*x)),
            Lang::En => format!("{} ×", chart_number(*x)),
        },
        RuleValue::Text(t) => t.clone(),
    }
}
