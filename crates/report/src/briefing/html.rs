//! The HTML briefing: one self-contained file — findings as sentences
//! generated from the numbers, the charts (PNG data inline), the county
//! table, method and provenance. For Chinese the chart font is embedded
//! too, so the page reads the same on a machine without a CJK font.

use std::fmt::Write;

use base64::Engine;

use super::inputs::{CountyIn, Results, RunMeta, StressIn, SummaryIn, ThresholdsIn};
use super::labels::{
    county_label as name, county_name, field_name, money_unit, rules_title, scenario_title, shock_label,
    shock_name,
};
use super::{BriefingError, Chart, FONT, FONT_FAMILY, Lang, Provenance, esc};

mod county;
pub use county::county_html;

fn pct(x: f64) -> String {
    if x.is_finite() { format!("{:.1}%", x * 100.0) } else { "—".into() }
}

/// A standard error of a share, in percentage points, with the words
/// around it (`unit`: say "percentage points"); from one path there is
/// none (the sample variance divides by n − 1).
fn se_points(lang: Lang, se: f64, digits: usize, unit: bool) -> String {
    match (lang, se.is_finite(), unit) {
        (Lang::Zh, true, true) => format!("标准误{:.digits$}个百分点", se * 100.0),
        (Lang::Zh, true, false) => format!("标准误{:.digits$}", se * 100.0),
        (Lang::En, true, true) => format!("standard error {:.digits$} percentage points", se * 100.0),
        (Lang::En, true, false) => format!("standard error {:.digits$}", se * 100.0),
        (Lang::Zh, false, _) => "标准误需至少2条路径才能估计".into(),
        (Lang::En, false, _) => "a standard error needs at least 2 paths".into(),
    }
}

/// A signed change in percentage points, or "—" when there is none.
fn points(x: f64) -> String {
    match format!("{:+.1}", x * 100.0) {
        // Rounded to nothing, a change has no sign.
        _ if !x.is_finite() => "—".into(),
        t if t == "+0.0" || t == "-0.0" => "0.0".into(),
        t => t,
    }
}

fn money(lang: Lang, yuan: f64) -> String {
    amount(lang, yuan, money_unit(lang, yuan))
}

/// The unit for the amounts of one sentence: the one that suits the
/// largest, so that a sentence never mixes 亿元 and 万元.
fn unit_for(lang: Lang, yuan: &[f64]) -> (f64, &'static str) {
    money_unit(lang, yuan.iter().copied().filter(|x| x.is_finite()).fold(0.0, |m, x| m.max(x.abs())))
}

/// A number with the digits its size deserves (8,616 / 72.4 / 6.01),
/// digits grouped, never "-0".
fn number(v: f64) -> String {
    let digits = match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    let text = format!("{:.digits$}", v.abs());
    if text.chars().all(|c| c == '0' || c == '.') {
        return "0".into();
    }
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// An amount in a given unit: "8,616万元", "6.01 billion yuan".
fn amount(lang: Lang, yuan: f64, (div, unit): (f64, &'static str)) -> String {
    if !yuan.is_finite() {
        return "—".into();
    }
    match lang {
        Lang::Zh => format!("{}{unit}", number(yuan / div)),
        Lang::En => format!("{} {unit}", number(yuan / div)),
    }
}

/// A change of an amount in words: 增加/减少 so much, or none.
fn change(lang: Lang, yuan: f64, unit: (f64, &'static str)) -> String {
    let size = amount(lang, yuan.abs(), unit);
    match (lang, number(yuan / unit.0) == "0") {
        (Lang::Zh, true) => "没有变化".into(),
        (Lang::En, true) => "does not change".into(),
        (Lang::Zh, false) if yuan > 0.0 => format!("增加{size}"),
        (Lang::Zh, false) => format!("减少{size}"),
        (Lang::En, false) if yuan > 0.0 => format!("rises by {size}"),
        (Lang::En, false) => format!("falls by {size}"),
    }
}

/// "没有县" / "3个县"; "no county" / "3 counties".
fn counties_count(lang: Lang, k: usize) -> String {
    match (lang, k) {
        (Lang::Zh, 0) => "没有县".into(),
        (Lang::Zh, k) => format!("{k}个县"),
        (Lang::En, 0) => "no county".into(),
        (Lang::En, 1) => "1 county".into(),
        (Lang::En, k) => format!("{k} counties"),
    }
}

/// The findings of a run, as sentences.
fn run_findings(s: &SummaryIn, meta: &RunMeta, stressed: bool, lang: Lang) -> Vec<String> {
    let h = s.scenario.horizon_months;
    let n = s.counties.len();
    let over = s.counties.iter().filter(|c| c.exhaustion_probability.p.0 > 0.05).count();
    let p = &s.province;
    let e = &p.exhaustion_probability;
    let rules = rules_title(meta, lang);
    let u = unit_for(lang, &[p.loss_fund_yuan.mean.0, p.loss_bank_yuan.mean.0, p.loss_uncovered_yuan.mean.0]);
    // Counties whose fund ran out in some path, most often first; a
    // probability resting on a few paths says so.
    let mut exhausted: Vec<&CountyIn> =
        s.counties.iter().filter(|c| c.exhaustion_probability.p.0 > 0.0).collect();
    exhausted.sort_by(|a, b| b.exhaustion_probability.p.0.total_cmp(&a.exhaustion_probability.p.0));
    let top: Vec<String> = exhausted
        .into_iter()
        .take(5)
        .map(|c| {
            let k = super::exhausted_paths(c, s.run.paths);
            let p = pct(c.exhaustion_probability.p.0);
            match (lang, k < super::MIN_EXHAUSTED_PATHS) {
                (Lang::Zh, true) => format!("{}（{p}，仅{k}条路径耗尽，估计不稳定）", name(c, lang)),
                (Lang::En, true) => {
                    let paths = if k == 1.0 { "path" } else { "paths" };
                    format!("{} ({p}; only {k} {paths} ran out, an unstable estimate)", name(c, lang))
                }
                (Lang::Zh, false) => format!("{}（{p}）", name(c, lang)),
                (Lang::En, false) => format!("{} ({p})", name(c, lang)),
            }
        })
        .collect();
    // When the ranking by exhaustion is noise, say so, say what the
    // charts chose the counties by instead, and how many paths it takes.
    let precision = super::exhaustion_ranking_is_noise(s).then(|| {
        let most = s.counties.iter().map(|c| super::exhausted_paths(c, s.run.paths)).fold(0.0, f64::max);
        let need = super::paths_for(0.05, 0.01);
        match lang {
            Lang::Zh => format!(
                "各县的耗尽概率依据的耗尽路径很少（{}），按耗尽概率排名不可靠，{}；要使5%左右的耗尽概率标准误降到1个百分点，约需{}条路径。",
                if most == 0.0 { "没有一条路径出现补偿金耗尽".to_string() } else { format!("最多{most}条") },
                if stressed { "图表中的重点县取压力测试的关注排名" } else { "图表中的重点县按逾期率峰值选出" },
                number(need as f64)
            ),
            Lang::En => format!(
                "The counties' exhaustion probabilities rest on few paths ({}), so a ranking by them is noise: {}. A probability near 5% needs about {} paths for a standard error of 1 percentage point.",
                if most == 0.0 { "no path ran out".to_string() } else { format!("at most {most}") },
                if stressed {
                    "the charts show the counties in the order of the stress test's watch ranking"
                } else {
                    "the charts choose the counties to show by their peak overdue rate instead"
                },
                number(need as f64)
            ),
        }
    });
    match lang {
        Lang::Zh => {
            let mut v = vec![
                if over == 0 {
                    format!("在“{rules}”规则下，{n}个县中没有一个县的补偿金有超过5%的概率在{h}个月内耗尽。")
                } else {
                    format!("在“{rules}”规则下，{n}个县中有{over}个县的补偿金有超过5%的概率在{h}个月内耗尽。")
                },
                format!(
                    "至少一个县的补偿金在{h}个月内耗尽的概率为{}（95%置信区间{}–{}）。",
                    pct(e.p.0),
                    pct(e.ci95_low.0),
                    pct(e.ci95_high.0)
                ),
                format!(
                    "全省逾期率峰值平均为{}（{}），期末逾期率平均为{}。",
                    pct(p.peak_overdue_rate.mean.0),
                    se_points(lang, p.peak_overdue_rate.se.0, 2, true),
                    pct(p.final_overdue_rate.mean.0)
                ),
                format!(
                    "模拟期内，补偿金平均承担损失{}，银行承担{}，{}。",
                    amount(lang, p.loss_fund_yuan.mean.0, u),
                    amount(lang, p.loss_bank_yuan.mean.0, u),
                    if number(p.loss_uncovered_yuan.mean.0 / u.0) == "0" {
                        "没有因补偿金不足而未获补偿的损失".to_string()
                    } else {
                        format!("因补偿金不足而未获补偿{}", amount(lang, p.loss_uncovered_yuan.mean.0, u))
                    }
                ),
            ];
            if !top.is_empty() {
                v.push(format!("耗尽风险最高的县：{}。", top.join("、")));
            }
            v.extend(precision);
            v
        }
        Lang::En => {
            let mut v = vec![
                format!(
                    "Under the rules \"{rules}\", {} of the {n} counties {} a more than 5% chance that their compensation fund runs out within {h} months.",
                    if over == 0 { "none".to_string() } else { over.to_string() },
                    if over == 1 { "has" } else { "have" }
                ),
                format!(
                    "The probability that at least one county's fund runs out within {h} months is {} (95% interval {}–{}).",
                    pct(e.p.0),
                    pct(e.ci95_low.0),
                    pct(e.ci95_high.0)
                ),
                format!(
                    "The province's peak overdue rate averages {} ({}); the final rate averages {}.",
                    pct(p.peak_overdue_rate.mean.0),
                    se_points(lang, p.peak_overdue_rate.se.0, 2, true),
                    pct(p.final_overdue_rate.mean.0)
                ),
                format!(
                    "Over the horizon the funds bear {} of losses on average and the banks {}; {}.",
                    amount(lang, p.loss_fund_yuan.mean.0, u),
                    amount(lang, p.loss_bank_yuan.mean.0, u),
                    if number(p.loss_uncovered_yuan.mean.0 / u.0) == "0" {
                        "nothing goes uncovered because a fund could not pay".to_string()
                    } else {
                        format!(
                            "{} goes uncovered because a fund could not pay",
                            amount(lang, p.loss_uncovered_yuan.mean.0, u)
                        )
                    }
                ),
            ];
            if !top.is_empty() {
                v.push(format!("Counties most at risk: {}.", top.join(", ")));
            }
            v.extend(precision);
            v
        }
    }
}

/// A county's smallest top-up in words: "无需补充" for none, "—" where no
/// top-up searched is enough.
fn topup_text(lang: Lang, t: Option<f64>) -> String {
    match t {
        Some(t) if t > 0.0 => money(lang, t),
        Some(_) => lang.tr("无需补充", "none needed").to_string(),
        None => lang.tr("任何补充均不足", "no top-up is enough").to_string(),
    }
}

/// The 95 % interval of a county's top-up; its upper end open where no
/// top-up is surely enough at the paths run.
fn topup_interval(lang: Lang, c: &super::inputs::BreakpointCountyIn) -> String {
    match (c.min_topup_yuan, c.min_topup_low_yuan, c.min_topup_high_yuan) {
        // None needed, surely or as far as the paths can tell.
        (Some(t), _, high) if t <= 0.0 && high.is_none_or(|h| h <= 0.0) => String::new(),
        (_, Some(lo), Some(hi)) => format!("{}–{}", money(lang, lo), money(lang, hi)),
        (_, Some(lo), None) => match lang {
            Lang::Zh => format!("{}以上（上限需更多路径）", money(lang, lo)),
            Lang::En => format!("{} or more (the upper end needs more paths)", money(lang, lo)),
        },
        _ => String::new(),
    }
}

/// The top-up finding of a reverse stress test: at which shock the top-ups
/// are sized and why, how many counties need one, and their total with
/// its interval.
fn topup_finding(b: &super::inputs::BreakpointIn, lang: Lang) -> String {
    let at = shock_label(&format!("{}:{}", b.shock, b.topup_severity), lang);
    let p = b.target * 100.0;
    let top = b.severities.last().copied().unwrap_or(0.0);
    let needy: Vec<&super::inputs::BreakpointCountyIn> =
        b.counties.iter().filter(|c| c.min_topup_yuan.is_some_and(|t| t > 0.0)).collect();
    let hopeless = b.counties.iter().filter(|c| c.min_topup_yuan.is_none()).count();
    let total: f64 = needy.iter().filter_map(|c| c.min_topup_yuan).sum();
    // The total's interval: the lower ends of the counties that need a
    // top-up, the upper ends of every county not surely without one (its
    // estimate may be 0 and its upper end not); none from a directory of
    // an earlier version, which has no bounds.
    let low: Option<f64> = needy.iter().map(|c| c.min_topup_low_yuan).sum();
    let high: Option<f64> = b
        .counties
        .iter()
        .filter(|c| c.min_topup_yuan.is_some())
        .map(|c| c.min_topup_high_yuan)
        .filter(|h| h.is_none_or(|h| h > 0.0))
        .sum::<Option<f64>>();
    let u = unit_for(lang, &[total, low.unwrap_or(0.0), high.unwrap_or(0.0)]);
    // Why this severity: 1 is a typical hit of the family (an industry's
    // price falls 20 %); below the grid's top the sentence says how to
    // size the top-ups for a stronger shock.
    let hint = b.topup_severity < top;
    let why = match (lang, hint) {
        (Lang::Zh, true) => format!(
            "一次性补充按{at}测算（强度1相当于一次典型冲击；如需按更强的冲击测算，例如所测最高强度{top}，可用 --topup-severity 指定）"
        ),
        (Lang::Zh, false) => format!("一次性补充按{at}测算（强度1相当于一次典型冲击）"),
        (Lang::En, true) => format!(
            "One-off top-ups are sized for a {at} (severity 1 is a typical hit; to size them for a stronger one, e.g. the highest searched, {top}, give --topup-severity)"
        ),
        (Lang::En, false) => format!("One-off top-ups are sized for a {at} (severity 1 is a typical hit)"),
    };
    let interval = match (lang, low, high) {
        (_, None, _) => None,
        (Lang::Zh, Some(l), Some(h)) => {
            Some(format!("95%置信区间{}至{}", amount(lang, l, u), amount(lang, h, u)))
        }
        (Lang::Zh, Some(l), None) => Some(format!(
            "95%置信区间下限{}，上限在每次{}条路径下无法确定，需要更多路径",
            amount(lang, l, u),
            b.paths
        )),
        (Lang::En, Some(l), Some(h)) => {
            Some(format!("95% interval {} to {}", amount(lang, l, u), amount(lang, h, u)))
        }
        (Lang::En, Some(l), None) => Some(format!(
            "95% interval from {}; its upper end cannot be told at {} paths per evaluation and needs more",
            amount(lang, l, u),
            b.paths
        )),
    };
    let interval =
        |open: &str, close: &str| interval.as_ref().map_or(String::new(), |i| format!("{open}{i}{close}"));
    let needs = match (lang, needy.len(), hopeless) {
        (Lang::Zh, 0, 0) => format!("：没有县需要补充，各县耗尽概率均已低于{p:.0}%"),
        (Lang::Zh, 0, _) => "：没有县能靠有限的一次性补充把耗尽概率降到目标以下".to_string(),
        (Lang::Zh, n, _) => format!(
            "：{n}个县需要一次性补充才能把耗尽概率降到{p:.0}%以下，合计约{}{}",
            amount(lang, total, u),
            interval("（", "）")
        ),
        (Lang::En, 0, 0) => {
            format!(": no county needs one, every county's chance being under {p:.0}% already")
        }
        (Lang::En, 0, _) => {
            ": no county can be brought under the target by a one-off top-up of any size".to_string()
        }
        (Lang::En, n, _) => format!(
            ": {n} {} one to bring {} chance under {p:.0}%, about {} in all{}",
            if n == 1 { "county needs" } else { "counties need" },
            if n == 1 { "its" } else { "their" },
            amount(lang, total, u),
            interval(" (", ")")
        ),
    };
    let hopeless = match (lang, hopeless, needy.is_empty()) {
        (_, 0, _) => String::new(),
        (Lang::Zh, n, true) => format!("（{n}个县任何规模的补充都不足，其余县无需补充）"),
        (Lang::Zh, n, false) => format!("；另有{n}个县任何规模的一次性补充都不足以降到目标以下"),
        (Lang::En, n, true) => format!(
            " ({n} {} no top-up of any size is enough; the others need none)",
            if n == 1 { "county, for which" } else { "counties, for which" }
        ),
        (Lang::En, n, false) => format!(
            "; for {n} more {} no one-off top-up of any size is enough",
            if n == 1 { "county" } else { "counties" }
        ),
    };
    format!("{why}{needs}{hopeless}{}", lang.tr("。", "."))
}

/// What one revision changes, in sentences.
fn compare_findings(c: &super::inputs::CompareIn, lang: Lang) -> Vec<String> {
    let d = |k: &str| c.province.get(k).copied().unwrap_or_default();
    let e = d("exhaustion_probability");
    let f = d("loss_fund_yuan");
    let b = d("loss_bank_yuan");
    let o = d("peak_overdue_rate");
    let signif = |x: &super::inputs::Dif| x.ci95_low.0 > 0.0 || x.ci95_high.0 < 0.0;
    let (base, rev) = (c.base.title(lang), c.revision.title(lang));
    let u = unit_for(lang, &[f.base.0, f.revision.0]);
    // A probability that moved by less than its interval says: no
    // distinguishable change, in those words.
    let (before, after) = (pct(e.base.0), pct(e.revision.0));
    let (by, lo, hi) = (points(e.diff.0), points(e.ci95_low.0), points(e.ci95_high.0));
    let probability = match (lang, signif(&e)) {
        (Lang::Zh, false) => format!(
            "至少一个县补偿金耗尽的概率没有可分辨的变化（修订前{before}，修订后{after}，差的95%置信区间{lo}至{hi}个百分点）"
        ),
        (Lang::Zh, true) => format!(
            "至少一个县补偿金耗尽的概率由{before}{}至{after}（差{by}个百分点，95%置信区间{lo}至{hi}）",
            if e.diff.0 > 0.0 { "升" } else { "降" }
        ),
        (Lang::En, false) => format!(
            "the probability that at least one county's fund runs out shows no distinguishable change ({before} before, {after} after; 95% interval of the difference {lo} to {hi} percentage points)"
        ),
        (Lang::En, true) => format!(
            "the probability that at least one county's fund runs out moves from {before} to {after} ({by} percentage points, 95% interval {lo} to {hi})"
        ),
    };
    let overdue = match (lang, signif(&o)) {
        (Lang::Zh, false) => "全省逾期率峰值没有可分辨的变化。".to_string(),
        (Lang::En, false) => "The province's peak overdue rate shows no distinguishable change.".to_string(),
        (Lang::Zh, true) => format!(
            "全省逾期率峰值{}{:.2}个百分点（{}）。",
            if o.diff.0 > 0.0 { "上升" } else { "下降" },
            o.diff.0.abs() * 100.0,
            se_points(lang, o.se.0, 2, true)
        ),
        (Lang::En, true) => format!(
            "The province's peak overdue rate {} by {:.2} percentage points ({}).",
            if o.diff.0 > 0.0 { "rises" } else { "falls" },
            o.diff.0.abs() * 100.0,
            se_points(lang, o.se.0, 2, true)
        ),
    };
    let (from, to) = (amount(lang, f.base.0, u), amount(lang, f.revision.0, u));
    let (low, high) = (amount(lang, f.ci95_low.0, u), amount(lang, f.ci95_high.0, u));
    let (moved, banks) = (change(lang, f.diff.0, u), change(lang, b.diff.0, u));
    match lang {
        Lang::Zh => vec![
            format!("将规则由“{base}”改为“{rev}”后（同一组{}条模拟路径），{probability}。", c.paths),
            format!(
                "补偿金承担的损失由{from}变为{to}（{moved}，95%置信区间{low}至{high}）；银行承担的损失{banks}。"
            ),
            overdue,
        ],
        Lang::En => vec![
            format!(
                "Changing the rules from \"{base}\" to \"{rev}\" (the same {} simulated paths), {probability}.",
                c.paths
            ),
            format!(
                "The loss borne by the funds moves from {from} to {to} (it {moved}, 95% interval {low} to {high}); the banks' loss {banks}."
            ),
            overdue,
        ],
    }
}

/// The loss the funds bear under every rule set, in one sentence, when
/// several revisions are compared.
fn side_by_side(base: &SummaryIn, revisions: &[super::inputs::RevisionIn], lang: Lang) -> String {
    let Some(first) = revisions.first() else { return String::new() };
    let mut sets = vec![(first.compare.base.title(lang), base)];
    sets.extend(revisions.iter().map(|r| (r.compare.revision.title(lang), &r.summary)));
    let losses: Vec<f64> = sets.iter().map(|(_, s)| s.province.loss_fund_yuan.mean.0).collect();
    let u = unit_for(lang, &losses);
    let each: Vec<String> = sets
        .iter()
        .zip(&losses)
        .map(|((t, _), l)| match lang {
            Lang::Zh => format!("“{t}”{}", amount(lang, *l, u)),
            Lang::En => format!("\"{t}\" {}", amount(lang, *l, u)),
        })
        .collect();
    match lang {
        Lang::Zh => format!(
            "同一组{}条模拟路径上，{}套规则下补偿金承担的损失（均值）：{}。",
            first.compare.paths,
            sets.len(),
            each.join("，")
        ),
        Lang::En => format!(
            "On the same {} simulated paths, the loss borne by the funds (mean) under the {} rule sets: {}.",
            first.compare.paths,
            sets.len(),
            each.join(", ")
        ),
    }
}

fn findings(results: &Results, meta: &RunMeta, lang: Lang) -> Vec<String> {
    match results {
        Results::Run { summary, stress, .. } => {
            let mut v = run_findings(summary, meta, stress.is_some(), lang);
            if let Some(shock) = &meta.shock {
                // What `stress --shock` does (Scenario::with_shock).
                v.insert(
                    0,
                    match lang {
                        Lang::Zh => format!(
                            "本次压力测试在模拟首月（{}）对全部{}、全部乡镇施加{}；它不作为已宣布的灾害处理：没有延期还款，也没有救灾资金。",
                            summary.scenario.start,
                            counties_count(lang, summary.counties.len()),
                            shock_label(shock, lang)
                        ),
                        Lang::En => format!(
                            "This stress test applies a {} in the first simulated month ({}) to every township of all {}; it is not treated as a declared disaster: no repayment moratorium, no relief grants.",
                            shock_label(shock, lang),
                            summary.scenario.start,
                            counties_count(lang, summary.counties.len())
                        ),
                    },
                );
            }
            v
        }
        Results::Compare { base, revisions, .. } => {
            let mut v: Vec<String> =
                revisions.iter().flat_map(|r| compare_findings(&r.compare, lang)).collect();
            if revisions.len() > 1 {
                v.push(side_by_side(base, revisions, lang));
            }
            v
        }
        Results::Breakpoint { breakpoint: b } => {
            let shock = shock_name(&b.shock, lang);
            let top = b.severities.last().copied().unwrap_or(0.0);
            let reached: Vec<&super::inputs::BreakpointCountyIn> =
                b.counties.iter().filter(|c| c.severity.is_some()).collect();
            let fragile: Vec<String> = reached
                .iter()
                .take(5)
                .map(|c| match lang {
                    Lang::Zh => format!("{}（强度{:.2}）", c.name, c.severity.unwrap_or(f64::NAN)),
                    Lang::En => format!("{} ({:.2})", c.name_en, c.severity.unwrap_or(f64::NAN)),
                })
                .collect();
            let p = b.target * 100.0;
            let topup = topup_finding(b, lang);
            match lang {
                Lang::Zh => vec![
                    format!(
                        "在{shock}冲击下（强度0至{top}，每次评估{}条路径），{}个县中{}的补偿金在模拟期内耗尽的概率会达到{p:.0}%。",
                        b.paths,
                        b.counties.len(),
                        if reached.is_empty() {
                            "没有一个县".to_string()
                        } else {
                            format!("有{}个县", reached.len())
                        }
                    ),
                    if fragile.is_empty() {
                        "没有县在所测强度内达到该概率。".to_string()
                    } else {
                        format!("最脆弱的县：{}。", fragile.join("、"))
                    },
                    topup,
                ],
                Lang::En => vec![
                    format!(
                        "Under a {shock} shock (severity 0 to {top}, {} paths per evaluation), {} of {} counties reach a {p:.0}% chance that their fund runs out within the horizon.",
                        b.paths,
                        if reached.is_empty() { "none".to_string() } else { reached.len().to_string() },
                        b.counties.len()
                    ),
                    if fragile.is_empty() {
                        "No county reaches it within the severities searched.".to_string()
                    } else {
                        format!("Most fragile: {}.", fragile.join(", "))
                    },
                    topup,
                ],
            }
        }
        Results::Sweep { sweep: s } => {
            let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else { return Vec::new() };
            let fields = s.fields.iter().map(|f| field_name(f, lang)).collect::<Vec<_>>().join(" × ");
            let u =
                unit_for(lang, &[first.province.loss_fund_yuan.mean.0, last.province.loss_fund_yuan.mean.0]);
            let (a, b) = (&first.province, &last.province);
            let vals = |p: &super::inputs::SweepPointIn| {
                s.fields
                    .iter()
                    .map(|f| format!("{}", p.values.get(f).copied().unwrap_or(f64::NAN)))
                    .collect::<Vec<_>>()
                    .join(" × ")
            };
            match lang {
                Lang::Zh => vec![format!(
                    "{fields}由{}变为{}时（同一组{}条模拟路径），补偿金承担的损失由{}变为{}，至少一个县补偿金耗尽的概率由{}变为{}。",
                    vals(first),
                    vals(last),
                    s.paths,
                    amount(lang, a.loss_fund_yuan.mean.0, u),
                    amount(lang, b.loss_fund_yuan.mean.0, u),
                    pct(a.exhaustion_probability.p.0),
                    pct(b.exhaustion_probability.p.0)
                )],
                Lang::En => vec![format!(
                    "As the {fields} goes from {} to {} (the same {} simulated paths), the loss borne by the funds moves from {} to {} and the probability that at least one county's fund runs out from {} to {}.",
                    vals(first),
                    vals(last),
                    s.paths,
                    amount(lang, a.loss_fund_yuan.mean.0, u),
                    amount(lang, b.loss_fund_yuan.mean.0, u),
                    pct(a.exhaustion_probability.p.0),
                    pct(b.exhaustion_probability.p.0)
                )],
            }
        }
    }
}

fn county_table(o: &mut String, s: &SummaryIn, stress: Option<&StressIn>, lang: Lang) {
    let heads = match lang {
        Lang::Zh => [
            "代码",
            "县",
            "州市",
            "期初补偿金",
            "耗尽概率",
            "95%置信区间",
            "耗尽月份中位数",
            "逾期率峰值",
            "补偿金损失",
        ],
        Lang::En => [
            "Code",
            "County",
            "Prefecture",
            "Fund at start",
            "P(exhausted)",
            "95% interval",
            "Median month of exhaustion",
            "Peak overdue rate",
            "Loss borne by fund",
        ],
    };
    // A stress names each county's worst townships.
    let towns = |id: &str| -> Option<String> {
        let st = stress?.counties.iter().find(|k| k.id == id)?;
        Some(
            st.worst_townships
                .iter()
                .map(|t| format!("{} {}", t.name, pct(t.peak_overdue_rate_mean)))
                .collect::<Vec<_>>()
                .join(lang.tr("，", ", ")),
        )
    };
    o.push_str("<table><thead><tr>");
    for h in heads {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    if stress.is_some() {
        let _ = write!(
            o,
            "<th>{}</th>",
            esc(lang.tr("逾期率峰值最高的乡镇", "Townships with the highest peak overdue rate"))
        );
    }
    o.push_str("</tr></thead><tbody>\n");
    for (c, watch) in super::watched(s, stress) {
        let e = &c.exhaustion_probability;
        let extra = towns(&c.id).map(|t| format!("<td>{}</td>", esc(&t))).unwrap_or_default();
        let _ = writeln!(
            o,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}–{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>{extra}</tr>",
            if watch { " class=watch" } else { "" },
            esc(&c.id),
            esc(&name(c, lang)),
            esc(&c.prefecture),
            esc(&money(lang, c.fund_start_yuan)),
            pct(e.p.0),
            pct(e.ci95_low.0),
            pct(e.ci95_high.0),
            c.exhaustion_month_p50.map(|m| m.to_string()).unwrap_or_else(|| "—".into()),
            pct(c.peak_overdue_rate.mean.0),
            esc(&money(lang, c.loss_fund_yuan.mean.0)),
        );
    }
    o.push_str("</tbody></table>\n");
}

/// Why a county is watched (a key of `stress.json`'s `watch_reasons`), in
/// words, with the threshold where known.
fn watch_reason(r: &str, t: Option<ThresholdsIn>, lang: Lang) -> String {
    match (r, lang) {
        ("exhaustion_probability", Lang::Zh) => {
            format!("耗尽概率≥{}", t.map_or("阈值".into(), |t| pct(t.exhaustion_probability)))
        }
        ("exhaustion_probability", Lang::En) => {
            format!("P(exhausted) ≥ {}", t.map_or("threshold".into(), |t| pct(t.exhaustion_probability)))
        }
        ("fund_cover_ratio", Lang::Zh) => {
            format!("补偿金不足预期代偿的{}倍", t.map_or("阈值".into(), |t| number(t.fund_cover_ratio)))
        }
        ("fund_cover_ratio", Lang::En) => format!(
            "fund under {} × expected claims",
            t.map_or("threshold".into(), |t| number(t.fund_cover_ratio))
        ),
        ("peak_overdue_rate", Lang::Zh) => {
            format!("逾期率峰值≥{}", t.map_or("阈值".into(), |t| pct(t.peak_overdue_rate)))
        }
        ("peak_overdue_rate", Lang::En) => {
            format!("peak overdue rate ≥ {}", t.map_or("threshold".into(), |t| pct(t.peak_overdue_rate)))
        }
        (other, _) => other.to_string(),
    }
}

/// A stress's watch list: each watched county, why, its fund's cover of
/// the claims expected, and those claims.
fn watch_table(o: &mut String, s: &SummaryIn, st: &StressIn, lang: Lang) {
    let t = st.thresholds;
    let reason = |r: &str| watch_reason(r, t, lang);
    let watched: Vec<_> = st.counties.iter().filter(|k| k.watch).collect();
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("关注名单", "Watch list"));
    if watched.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", lang.tr("没有县列入关注名单。", "No county is on the watch list."));
        return;
    }
    let heads = match lang {
        Lang::Zh => ["排名", "县", "关注原因", "补偿金÷预期代偿（倍）", "预期代偿（均值）"],
        Lang::En => ["Rank", "County", "Why watched", "Fund ÷ expected claims", "Expected claims (mean)"],
    };
    o.push_str("<table><thead><tr>");
    for h in heads {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>\n");
    for k in watched {
        let Some(c) = s.counties.iter().find(|c| c.id == k.id) else { continue };
        let reasons: Vec<String> = k.watch_reasons.iter().map(|r| reason(r)).collect();
        let _ = writeln!(
            o,
            "<tr class=watch><td class=n>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            k.rank,
            esc(&name(c, lang)),
            esc(&reasons.join(lang.tr("；", "; "))),
            k.fund_cover_ratio.map_or("—".into(), |r| format!("{r:.2}")),
            k.expected_claims_yuan.as_ref().map_or("—".into(), |e| esc(&money(lang, e.mean.0))),
        );
    }
    o.push_str("</tbody></table>\n");
}

/// `briefing.html`.
pub fn briefing_html(
    results: &Results,
    meta: &RunMeta,
    prov: &Provenance,
    charts: &[Chart],
    lang: Lang,
) -> Result<String, BriefingError> {
    let mut o = String::new();
    // What was run, in words: the scenario, and the shock it was put under.
    let what = match results {
        Results::Compare { revisions, .. } => super::compared(revisions, lang),
        _ => scenario_title(meta, lang),
    };
    let what = match &meta.shock {
        Some(s) => format!("{what}{}{}{}", lang.tr("（", " ("), shock_label(s, lang), lang.tr("）", ")")),
        None => what,
    };
    let title = match lang {
        Lang::Zh => format!("脱贫人口小额信贷风险补偿金压力测试简报：{what}"),
        Lang::En => {
            format!("Stress test of poverty-alleviation microcredit and county compensation funds: {what}")
        }
    };
    page_head(&mut o, &title, lang);
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(o, "<p class=prov>{}</p>", esc(&prov.footer(lang)));
    let _ = writeln!(o, "<h2>{}</h2>\n<ul>", lang.tr("主要结论", "Key findings"));
    for f in findings(results, meta, lang) {
        let _ = writeln!(o, "<li>{}</li>", esc(&f));
    }
    o.push_str("</ul>\n");
    figures(&mut o, charts, lang);
    match results {
        Results::Run { summary, stress, .. } => {
            if let Some(st) = stress {
                watch_table(&mut o, summary, st, lang);
            }
            let _ = writeln!(
                o,
                "<h2>{}</h2>",
                match stress {
                    Some(_) => lang.tr(
                        "各县（按压力测试排名；红色：列入关注名单）",
                        "Counties (in the stress ranking; red: on the watch list)"
                    ),
                    None => lang.tr(
                        "各县（按耗尽概率排序；红色：5%以上）",
                        "Counties (by exhaustion probability; red: 5% or more)"
                    ),
                }
            );
            county_table(&mut o, summary, stress.as_ref(), lang);
        }
        Results::Compare { revisions, .. } => {
            for r in revisions {
                let title = r.compare.revision.title(lang);
                let head = match lang {
                    Lang::Zh => format!("各县（“{title}”规则下）"),
                    Lang::En => format!("Counties (under \"{title}\")"),
                };
                let _ = writeln!(o, "<h2>{}</h2>", esc(&head));
                county_table(&mut o, &r.summary, None, lang);
            }
        }
        Results::Sweep { .. } => {}
        Results::Breakpoint { breakpoint: b } => {
            let _ = writeln!(o, "<h2>{}</h2>", lang.tr("各县临界强度", "Breakpoints by county"));
            let heads = match lang {
                Lang::Zh => [
                    "代码",
                    "县",
                    "临界强度",
                    "95%区间",
                    "无补充时的耗尽概率",
                    "最小一次性补充",
                    "补充的95%区间",
                ],
                Lang::En => [
                    "Code",
                    "County",
                    "Breakpoint severity",
                    "95% interval",
                    "P(exhausted) without top-up",
                    "Smallest one-off top-up",
                    "Its 95% interval",
                ],
            };
            o.push_str("<table><thead><tr>");
            for h in heads {
                let _ = write!(o, "<th>{}</th>", esc(h));
            }
            o.push_str("</tr></thead><tbody>\n");
            let f = |x: Option<f64>| {
                x.map(|v| format!("{v:.2}")).unwrap_or_else(|| lang.tr("网格以上", "above grid").to_string())
            };
            // Every county with a breakpoint or a top-up (sized at a
            // severity that may lie above the grid) to show.
            let shown = |c: &&super::inputs::BreakpointCountyIn| {
                c.severity.is_some()
                    || c.min_topup_yuan.is_none_or(|t| t > 0.0)
                    || c.min_topup_high_yuan.is_some_and(|t| t > 0.0)
            };
            for c in b.counties.iter().filter(shown) {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                    esc(&c.id),
                    esc(&county_name(&c.name, &c.name_en, lang)),
                    c.severity.map_or_else(
                        || lang.tr("网格内未达到", "not reached within the grid").to_string(),
                        |v| format!("{v:.2}")
                    ),
                    if c.severity.is_some() {
                        format!("{}–{}", f(c.severity_low), f(c.severity_high))
                    } else {
                        String::new()
                    },
                    pct(c.exhaustion_probability_at_topup_severity),
                    esc(&topup_text(lang, c.min_topup_yuan)),
                    esc(&topup_interval(lang, c))
                );
            }
            o.push_str("</tbody></table>\n");
        }
    }
    page_foot(&mut o, meta, prov, lang)?;
    Ok(o)
}

/// The page up to `<body>`: title, the embedded font (Chinese) and the
/// styles for screen and A4 print.
fn page_head(o: &mut String, title: &str, lang: Lang) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let font_face = match lang {
        // Chinese text needs a CJK font the reader may not have: embed ours.
        Lang::Zh => format!(
            "@font-face {{ font-family: '{FONT_FAMILY}'; src: url(data:font/otf;base64,{}) format('opentype'); }}\n",
            b64.encode(FONT)
        ),
        Lang::En => String::new(),
    };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{font_face}\
body {{ font-family: '{FONT_FAMILY}', 'Noto Sans SC', sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }}\n\
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }}\n\
.prov {{ color: #555; font-size: .9em; }}\n\
figure {{ margin: 1.5em 0; page-break-inside: avoid; }} figure img {{ width: 100%; border: 1px solid #ddd; }}\n\
figcaption {{ font-size: .95em; color: #333; }}\n\
table {{ border-collapse: collapse; width: 100%; font-size: .85em; }} th, td {{ border: 1px solid #ccc; padding: .25em .5em; }}\n\
th {{ background: #f0f0f0; position: sticky; top: 0; }} td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}\n\
tr.watch td {{ background: #fde8e8; }}\n\
td.n, td.nw {{ white-space: nowrap; }}\n\
@page {{ size: A4; margin: 14mm 12mm; }}\n\
@media print {{ body {{ max-width: none; margin: 0; font-size: 10pt; }} h2 {{ page-break-after: avoid; }} th {{ position: static; }} \
table {{ font-size: 8pt; }} thead {{ display: table-header-group; }} tr, figure {{ page-break-inside: avoid; break-inside: avoid; }} \
figure img {{ width: 100%; max-height: 150mm; object-fit: contain; }} .prov {{ font-size: 8pt; }} }}\n\
</style>\n</head>\n<body>\n",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(title)
    );
}

/// The charts, each a figure with its PNG inline and its title.
fn figures(o: &mut String, charts: &[Chart], lang: Lang) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("图表", "Charts"));
    for c in charts {
        let _ = writeln!(
            o,
            "<figure id=\"{}\"><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>",
            esc(&c.name),
            esc(&c.title),
            b64.encode(&c.png),
            esc(&c.title)
        );
    }
}

/// Method and provenance, the footer, the end of the page; then the glyph
/// check of the page's whole text.
fn page_foot(o: &mut String, meta: &RunMeta, prov: &Provenance, lang: Lang) -> Result<(), BriefingError> {
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("方法与来源", "Method and provenance"));
    let method = match lang {
        Lang::Zh => format!(
            "本简报由mcstress {}生成：对每户、每笔贷款逐月模拟{}条路径（种子{}），包括灾害、价格冲击、到期集中、展期续贷、催收、核销、代偿申请与补偿金耗尽。每个数字均为跨路径的估计值，并给出蒙特卡洛标准误或95%置信区间（概率用Wilson区间）。规则对比和参数扫描在同一组路径上进行（共同随机数），差值为逐路径配对差。情景文件的SHA-256为{}；给定情景、种子和路径数，结果逐位可复现。",
            env!("CARGO_PKG_VERSION"),
            meta.paths,
            meta.seed,
            meta.scenario_sha256
        ),
        Lang::En => format!(
            "Made by mcstress {}: every household and loan simulated month by month over {} random futures (seed {}), with disasters, price shocks, maturity concentration, extensions and renewals, collection, write-offs, claims and fund exhaustion. Every figure is an estimate across futures with its Monte Carlo standard error or 95% interval (Wilson for probabilities). Rule comparisons and sweeps run on the same random futures (common random numbers); differences are paired path by path. Scenario SHA-256 {}; the results are reproducible bit for bit from the scenario, seed and number of paths.",
            env!("CARGO_PKG_VERSION"),
            meta.paths,
            meta.seed,
            meta.scenario_sha256
        ),
    };
    let _ = writeln!(o, "<p>{}</p>", esc(&method));
    let _ = writeln!(o, "<p class=prov>{}</p>\n</body>\n</html>", esc(&prov.footer(lang)));
    super::check_glyphs("briefing text", &strip_tags(o))?;
    Ok(())
}

/// The visible text of the page (enough for the glyph check: tags and
/// inline data are dropped).
fn strip_tags(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::inputs::{BreakpointCountyIn, BreakpointIn};
    use super::*;

    /// A search of three counties at `topup_severity` with these top-ups:
    /// (estimate, lower end, upper end).
    fn search(topup_severity: f64, topups: &[(Option<f64>, Option<f64>, Option<f64>)]) -> BreakpointIn {
        BreakpointIn {
            shock: "drought".into(),
            target: 0.1,
            severities: vec![0.0, 1.0, 2.0],
            topup_severity,
            paths: 100,
            counties: topups
                .iter()
                .enumerate()
                .map(|(i, &(t, lo, hi))| BreakpointCountyIn {
                    id: format!("53010{i}"),
                    name: "巧家县".into(),
                    name_en: "Qiaojia County".into(),
                    fund_start_yuan: 1e6,
                    severity: None,
                    severity_low: None,
                    severity_high: None,
                    exhaustion_probability: vec![0.0; 3],
                    exhaustion_probability_at_topup_severity: 0.0,
                    min_topup_yuan: t,
                    min_topup_low_yuan: lo,
                    min_topup_high_yuan: hi,
                })
                .collect(),
        }
    }

    #[test]
    fn the_top_up_finding_never_says_no_county_needs_one_when_none_is_enough() {
        let b = search(1.0, &[(None, None, None), (Some(0.0), Some(0.0), Some(0.0))]);
        let zh = topup_finding(&b, Lang::Zh);
        assert!(!zh.contains("没有县需要补充"), "{zh}");
        assert!(zh.contains("1个县任何规模的补充都不足"), "{zh}");
        let en = topup_finding(&b, Lang::En);
        assert!(en.contains("1 county, for which no top-up of any size is enough"), "{en}");
    }

    #[test]
    fn the_top_up_total_counts_the_upper_end_of_a_county_not_surely_without_one() {
        // Two counties need 1 and 2 million (intervals 0.5–1.5, 1–3); a
        // third needs none by the estimate but up to 0.5 million surely.
        let b = search(
            1.0,
            &[
                (Some(1e6), Some(5e5), Some(1.5e6)),
                (Some(2e6), Some(1e6), Some(3e6)),
                (Some(0.0), Some(0.0), Some(5e5)),
            ],
        );
        let zh = topup_finding(&b, Lang::Zh);
        assert!(zh.contains("合计约300万元（95%置信区间150万元至500万元）"), "{zh}");
        // Above the grid's top no stronger shock is suggested.
        assert!(zh.contains("所测最高强度2"), "{zh}");
        let above = topup_finding(&search(3.0, &[(Some(1e6), Some(5e5), Some(1.5e6))]), Lang::Zh);
        assert!(!above.contains("所测最高强度"), "{above}");
        // A directory of an earlier version has no bounds: no interval.
        let old = topup_finding(&search(1.0, &[(Some(1e6), None, None)]), Lang::En);
        assert!(!old.contains("interval"), "{old}");
        assert!(old.contains("1 county needs one to bring its chance"), "{old}");
    }
}
