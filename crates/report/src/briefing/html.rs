//! The HTML briefing: one self-contained file — findings as sentences
//! generated from the numbers, the charts (PNG data inline), the county
//! table, method and provenance. For Chinese the chart font is embedded
//! too, so the page reads the same on a machine without a CJK font.

use std::fmt::Write;

use base64::Engine;

use super::inputs::{CountyIn, Results, RunMeta, StressIn, SummaryIn};
use super::labels::{county_label as name, county_name, money_unit, rules_label, shock_name};
use super::{BriefingError, Chart, FONT, FONT_FAMILY, Lang, Provenance};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

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
        (Lang::Zh, false, _) => "标准误需至少2条情景才能估计".into(),
        (Lang::En, false, _) => "a standard error needs at least 2 paths".into(),
    }
}

/// A signed change in percentage points, or "—" when there is none.
fn points(x: f64) -> String {
    if x.is_finite() { format!("{:+.1}", x * 100.0) } else { "—".into() }
}

fn money(lang: Lang, yuan: f64) -> String {
    if !yuan.is_finite() {
        return "—".into();
    }
    let (div, unit) = money_unit(lang, yuan);
    match lang {
        Lang::Zh => format!("{:.2}{unit}", yuan / div),
        Lang::En => format!("{:.2} {unit}", yuan / div),
    }
}

/// Counties most at risk first (the charts' order without a stress ranking).
fn ranked(s: &SummaryIn) -> Vec<&CountyIn> {
    super::watched(s, None).into_iter().map(|(c, _)| c).collect()
}

/// The findings of a run, as sentences.
fn run_findings(s: &SummaryIn, meta: &RunMeta, lang: Lang) -> Vec<String> {
    let h = s.scenario.horizon_months;
    let n = s.counties.len();
    let over = s.counties.iter().filter(|c| c.exhaustion_probability.p.0 > 0.05).count();
    let p = &s.province;
    let e = &p.exhaustion_probability;
    let rules = rules_label(meta);
    let top: Vec<String> = ranked(s)
        .into_iter()
        .filter(|c| c.exhaustion_probability.p.0 > 0.0)
        .take(5)
        .map(|c| format!("{}（{}）", name(c, lang), pct(c.exhaustion_probability.p.0)))
        .collect();
    match lang {
        Lang::Zh => {
            let mut v = vec![
                format!("在“{rules}”规则下，{n}个县中有{over}个县的补偿金有超过5%的概率在{h}个月内耗尽。"),
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
                    "模拟期内，补偿金平均承担损失{}，银行承担{}，因补偿金不足而未获补偿{}。",
                    money(lang, p.loss_fund_yuan.mean.0),
                    money(lang, p.loss_bank_yuan.mean.0),
                    money(lang, p.loss_uncovered_yuan.mean.0)
                ),
            ];
            if !top.is_empty() {
                v.push(format!("耗尽风险最高的县：{}。", top.join("、")));
            }
            v
        }
        Lang::En => {
            let mut v = vec![
                format!(
                    "Under the rules \"{rules}\", {over} of {n} counties have a more than 5% chance that their compensation fund runs out within {h} months."
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
                    "Over the horizon the funds bear {} of losses on average, the banks {}, and {} goes uncovered because a fund could not pay.",
                    money(lang, p.loss_fund_yuan.mean.0),
                    money(lang, p.loss_bank_yuan.mean.0),
                    money(lang, p.loss_uncovered_yuan.mean.0)
                ),
            ];
            if !top.is_empty() {
                let top: Vec<String> = top.iter().map(|t| t.replace('（', " (").replace('）', ")")).collect();
                v.push(format!("Counties most at risk: {}.", top.join(", ")));
            }
            v
        }
    }
}

fn findings(results: &Results, meta: &RunMeta, lang: Lang) -> Vec<String> {
    match results {
        Results::Run { summary, .. } => run_findings(summary, meta, lang),
        Results::Compare { compare: c, .. } => {
            let d = |k: &str| c.province.get(k).copied().unwrap_or_default();
            let e = d("exhaustion_probability");
            let f = d("loss_fund_yuan");
            let b = d("loss_bank_yuan");
            let o = d("peak_overdue_rate");
            let signif = |x: &super::inputs::Dif| x.ci95_low.0 > 0.0 || x.ci95_high.0 < 0.0;
            let (base, rev) = (c.base.label(), c.revision.label());
            match lang {
                Lang::Zh => vec![
                    format!(
                        "将规则由“{base}”改为“{rev}”（同一组{}条随机情景）后，至少一个县补偿金耗尽的概率由{}变为{}，差{}个百分点（95%置信区间{}至{}）{}。",
                        c.paths,
                        pct(e.base.0),
                        pct(e.revision.0),
                        points(e.diff.0),
                        points(e.ci95_low.0),
                        points(e.ci95_high.0),
                        if signif(&e) { "" } else { "，与零无显著差异" }
                    ),
                    format!(
                        "补偿金承担的损失由{}变为{}（差{}，95%置信区间{}至{}）；银行承担的损失变化{}。",
                        money(lang, f.base.0),
                        money(lang, f.revision.0),
                        money(lang, f.diff.0),
                        money(lang, f.ci95_low.0),
                        money(lang, f.ci95_high.0),
                        money(lang, b.diff.0)
                    ),
                    format!(
                        "全省逾期率峰值变化{:+.3}个百分点（{}）。",
                        o.diff.0 * 100.0,
                        se_points(lang, o.se.0, 3, false)
                    ),
                ],
                Lang::En => vec![
                    format!(
                        "Changing the rules from \"{base}\" to \"{rev}\" (the same {} random futures) moves the probability that at least one county's fund runs out from {} to {}, a change of {} percentage points (95% interval {} to {}){}.",
                        c.paths,
                        pct(e.base.0),
                        pct(e.revision.0),
                        points(e.diff.0),
                        points(e.ci95_low.0),
                        points(e.ci95_high.0),
                        if signif(&e) { "" } else { ", not distinguishable from zero" }
                    ),
                    format!(
                        "The loss borne by the funds moves from {} to {} (difference {}, 95% interval {} to {}); the banks' loss changes by {}.",
                        money(lang, f.base.0),
                        money(lang, f.revision.0),
                        money(lang, f.diff.0),
                        money(lang, f.ci95_low.0),
                        money(lang, f.ci95_high.0),
                        money(lang, b.diff.0)
                    ),
                    format!(
                        "The province's peak overdue rate changes by {:+.3} percentage points ({}).",
                        o.diff.0 * 100.0,
                        se_points(lang, o.se.0, 3, false)
                    ),
                ],
            }
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
            let needy: Vec<f64> =
                b.counties.iter().filter_map(|c| c.min_topup_yuan).filter(|t| *t > 0.0).collect();
            let total: f64 = needy.iter().sum();
            let p = b.target * 100.0;
            match lang {
                Lang::Zh => vec![
                    format!(
                        "在{shock}冲击下（强度0至{top}，每次评估{}条路径），{}个县中有{}个县的补偿金在模拟期内耗尽的概率会达到{p:.0}%。",
                        b.paths,
                        b.counties.len(),
                        reached.len()
                    ),
                    if fragile.is_empty() {
                        "没有县在所测强度内达到该概率。".to_string()
                    } else {
                        format!("最脆弱的县：{}。", fragile.join("、"))
                    },
                    if needy.is_empty() {
                        format!(
                            "按强度{}的冲击计，没有县需要一次性补充补偿金：各县耗尽概率均低于{p:.0}%。",
                            b.topup_severity
                        )
                    } else {
                        format!(
                            "按强度{}的冲击计，{}个县需要一次性补充补偿金才能把耗尽概率降到{p:.0}%以下，合计约{}。",
                            b.topup_severity,
                            needy.len(),
                            money(lang, total)
                        )
                    },
                ],
                Lang::En => vec![
                    format!(
                        "Under a {shock} shock (severity 0 to {top}, {} paths per evaluation), {} of {} counties reach a {p:.0}% chance that their fund runs out within the horizon.",
                        b.paths,
                        reached.len(),
                        b.counties.len()
                    ),
                    if fragile.is_empty() {
                        "No county reaches it within the severities searched.".to_string()
                    } else {
                        format!("Most fragile: {}.", fragile.join(", "))
                    },
                    if needy.is_empty() {
                        format!(
                            "With the shock at severity {}, no county needs a one-off top-up: every county's chance is already under {p:.0}%.",
                            b.topup_severity
                        )
                    } else {
                        format!(
                            "With the shock at severity {}, {} counties need a one-off top-up to bring that chance under {p:.0}%, about {} in all.",
                            b.topup_severity,
                            needy.len(),
                            money(lang, total)
                        )
                    },
                ],
            }
        }
        Results::Sweep { sweep: s } => {
            let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else { return Vec::new() };
            let fields = s.fields.join(" × ");
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
                    "{fields}由{}变为{}时（同一组{}条随机情景），补偿金承担的损失由{}变为{}，至少一个县补偿金耗尽的概率由{}变为{}。",
                    vals(first),
                    vals(last),
                    s.paths,
                    money(lang, a.loss_fund_yuan.mean.0),
                    money(lang, b.loss_fund_yuan.mean.0),
                    pct(a.exhaustion_probability.p.0),
                    pct(b.exhaustion_probability.p.0)
                )],
                Lang::En => vec![format!(
                    "As {fields} goes from {} to {} (the same {} random futures), the loss borne by the funds moves from {} to {} and the probability that at least one county's fund runs out from {} to {}.",
                    vals(first),
                    vals(last),
                    s.paths,
                    money(lang, a.loss_fund_yuan.mean.0),
                    money(lang, b.loss_fund_yuan.mean.0),
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
    for c in ranked(s) {
        let e = &c.exhaustion_probability;
        let extra = towns(&c.id).map(|t| format!("<td>{}</td>", esc(&t))).unwrap_or_default();
        let _ = writeln!(
            o,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}–{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>{extra}</tr>",
            if e.p.0 > 0.05 { " class=watch" } else { "" },
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

/// `briefing.html`.
pub fn briefing_html(
    results: &Results,
    meta: &RunMeta,
    prov: &Provenance,
    charts: &[Chart],
    lang: Lang,
) -> Result<String, BriefingError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut o = String::new();
    let title = match lang {
        Lang::Zh => format!("脱贫人口小额信贷风险补偿金压力测试简报：{}", meta.scenario),
        Lang::En => format!(
            "Stress test of poverty-alleviation microcredit and county compensation funds: {}",
            meta.scenario
        ),
    };
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
@media print {{ body {{ max-width: none; margin: 0; }} h2 {{ page-break-after: avoid; }} th {{ position: static; }} }}\n\
</style>\n</head>\n<body>\n",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(o, "<p class=prov>{}</p>", esc(&prov.footer(lang)));
    let _ = writeln!(o, "<h2>{}</h2>\n<ul>", lang.tr("主要结论", "Key findings"));
    for f in findings(results, meta, lang) {
        let _ = writeln!(o, "<li>{}</li>", esc(&f));
    }
    o.push_str("</ul>\n");
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
    match results {
        Results::Run { summary, stress, .. } => {
            let _ = writeln!(
                o,
                "<h2>{}</h2>",
                lang.tr(
                    "各县（按耗尽概率排序；红色：超过5%）",
                    "Counties (by exhaustion probability; red: above 5%)"
                )
            );
            county_table(&mut o, summary, stress.as_ref(), lang);
        }
        Results::Compare { revision, .. } => {
            let _ =
                writeln!(o, "<h2>{}</h2>", lang.tr("各县（修订后规则）", "Counties (under the revision)"));
            county_table(&mut o, revision, None, lang);
        }
        Results::Sweep { .. } => {}
        Results::Breakpoint { breakpoint: b } => {
            let _ = writeln!(o, "<h2>{}</h2>", lang.tr("各县临界强度", "Breakpoints by county"));
            let heads = match lang {
                Lang::Zh => ["代码", "县", "临界强度", "95%区间", "无补充时的耗尽概率", "最小一次性补充"],
                Lang::En => [
                    "Code",
                    "County",
                    "Breakpoint severity",
                    "95% interval",
                    "P(exhausted) without top-up",
                    "Smallest one-off top-up",
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
            for c in b.counties.iter().filter(|c| c.severity.is_some()) {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}–{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                    esc(&c.id),
                    esc(&county_name(&c.name, &c.name_en, lang)),
                    f(c.severity),
                    f(c.severity_low),
                    f(c.severity_high),
                    pct(c.exhaustion_probability_at_topup_severity),
                    c.min_topup_yuan.map(|t| esc(&money(lang, t))).unwrap_or_else(|| "—".into())
                );
            }
            o.push_str("</tbody></table>\n");
        }
    }
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("方法与来源", "Method and provenance"));
    let method = match lang {
        Lang::Zh => format!(
            "本简报由mcstress {}生成：对每户、每笔贷款逐月模拟{}条随机情景（种子{}），包括灾害、价格冲击、到期集中、展期续贷、催收、核销、代偿申请与补偿金耗尽。每个数字均为跨情景的估计值，并给出蒙特卡洛标准误或95%置信区间（概率用Wilson区间）。规则对比和参数扫描在同一组随机情景上进行（共同随机数），差值为逐情景配对差。情景文件的SHA-256为{}；给定情景、种子和情景数，结果逐位可复现。",
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
    super::check_glyphs("briefing text", &strip_tags(&o))?;
    Ok(o)
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
