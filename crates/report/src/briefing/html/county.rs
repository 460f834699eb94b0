//! `briefing-CODE.html`: one county's briefing — findings as sentences,
//! its four charts, its rules and its townships — on the page of the
//! province's briefing (same styles, font, method and provenance).

use std::fmt::Write;

use super::super::county::CountyView;
use super::super::labels::{
    county_label, money_unit, rule_rows, rule_text, rules_title, scenario_title, shock_label,
};
use super::super::{
    BriefingError, Chart, Lang, MIN_EXHAUSTED_PATHS, Provenance, esc, exhausted_paths, paths_for,
};
use super::{amount, figures, number, page_foot, page_head, pct, se_points, unit_for, watch_reason};
use crate::briefing::inputs::RunMeta;

/// The county's findings, as sentences.
fn findings(k: &CountyView, meta: &RunMeta, lang: Lang) -> Vec<String> {
    let (s, c) = (k.summary, k.county);
    let name = county_label(c, lang);
    let h = s.scenario.horizon_months;
    let rules = rules_title(meta, lang);
    let e = &c.exhaustion_probability;
    let mut v = Vec::new();
    if let Some(shock) = &meta.shock {
        // What `stress --shock` does (Scenario::with_shock): every county.
        v.push(match lang {
            Lang::Zh => format!(
                "本次压力测试在模拟首月（{}）对{name}及全省其他县的全部乡镇施加{}；它不作为已宣布的灾害处理：没有延期还款，也没有救灾资金。",
                s.scenario.start,
                shock_label(shock, lang)
            ),
            Lang::En => format!(
                "This stress test applies a {} in the first simulated month ({}) to every township of {name}, as to every other county's; it is not treated as a declared disaster: no repayment moratorium, no relief grants.",
                shock_label(shock, lang),
                s.scenario.start
            ),
        });
    }
    // The exhaustion probability, and how far to trust it: a probability
    // resting on a few exhausted paths says so, with the paths it needs.
    let k_paths = exhausted_paths(c, s.run.paths);
    let need = number(paths_for(e.p.0.max(0.05), 0.01) as f64);
    let trust = match (lang, k_paths) {
        (Lang::Zh, 0.0) => {
            format!("没有一条路径出现补偿金耗尽；要使5%左右的耗尽概率标准误降到1个百分点，约需{need}条路径")
        }
        (Lang::En, 0.0) => format!(
            "the fund ran out on no path; a probability near 5% needs about {need} paths for a standard error of 1 percentage point"
        ),
        (Lang::Zh, k) if k < MIN_EXHAUSTED_PATHS => {
            format!("仅{k}条路径耗尽，估计不稳定；要使标准误降到1个百分点，约需{need}条路径")
        }
        (Lang::En, k) if k < MIN_EXHAUSTED_PATHS => format!(
            "only {k} {} ran out, an unstable estimate; a standard error of 1 percentage point needs about {need} paths",
            if k == 1.0 { "path" } else { "paths" }
        ),
        (Lang::Zh, k) => format!("{k}条路径耗尽"),
        (Lang::En, k) => format!("{k} paths ran out"),
    };
    let month = c.exhaustion_month_p50.map(|m| match lang {
        Lang::Zh => format!("耗尽月份的中位数为第{m}个月。"),
        Lang::En => format!(" The median month of exhaustion is month {m}."),
    });
    v.push(match lang {
        Lang::Zh => format!(
            "在“{rules}”规则下，{name}的补偿金在{h}个月内耗尽的概率为{}（95%置信区间{}–{}；{trust}）。{}",
            pct(e.p.0),
            pct(e.ci95_low.0),
            pct(e.ci95_high.0),
            month.unwrap_or_default()
        ),
        Lang::En => format!(
            "Under the rules \"{rules}\", the probability that {name}'s compensation fund runs out within {h} months is {} (95% interval {}–{}; {trust}).{}",
            pct(e.p.0),
            pct(e.ci95_low.0),
            pct(e.ci95_high.0),
            month.unwrap_or_default()
        ),
    });
    let (peak, last) = (&c.peak_overdue_rate, &c.final_overdue_rate);
    v.push(match lang {
        Lang::Zh => format!(
            "{name}逾期率峰值平均为{}（{}；90%的路径在{}至{}之间），期末逾期率平均为{}。",
            pct(peak.mean.0),
            se_points(lang, peak.se.0, 2, true),
            pct(peak.p05.0),
            pct(peak.p95.0),
            pct(last.mean.0)
        ),
        Lang::En => format!(
            "{name}'s peak overdue rate averages {} ({}; 90% of paths between {} and {}); the final rate averages {}.",
            pct(peak.mean.0),
            se_points(lang, peak.se.0, 2, true),
            pct(peak.p05.0),
            pct(peak.p95.0),
            pct(last.mean.0)
        ),
    });
    let loss = &c.loss_fund_yuan;
    let u = unit_for(lang, &[loss.mean.0, loss.p95.0, c.fund_start_yuan]);
    let share = if c.fund_start_yuan > 0.0 { pct(loss.mean.0 / c.fund_start_yuan) } else { "—".into() };
    v.push(match lang {
        Lang::Zh => format!(
            "模拟期内，补偿金平均承担损失{}（95%分位{}），相当于期初补偿金{}的{share}。",
            amount(lang, loss.mean.0, u),
            amount(lang, loss.p95.0, u),
            amount(lang, c.fund_start_yuan, u)
        ),
        Lang::En => format!(
            "Over the horizon the fund bears {} of losses on average ({} at the 95th percentile), {share} of its {} at the start.",
            amount(lang, loss.mean.0, u),
            amount(lang, loss.p95.0, u),
            amount(lang, c.fund_start_yuan, u)
        ),
    });
    if let (Some(st), Some(r)) = (k.stress, k.ranked) {
        let n = s.counties.len();
        let reasons: Vec<String> =
            r.watch_reasons.iter().map(|x| watch_reason(x, st.thresholds, lang)).collect();
        let watch = match (lang, r.watch) {
            (Lang::Zh, true) if reasons.is_empty() => "列入关注名单".to_string(),
            (Lang::Zh, true) => format!("列入关注名单（{}）", reasons.join("；")),
            (Lang::Zh, false) => "未列入关注名单".to_string(),
            (Lang::En, true) if reasons.is_empty() => "is on the watch list".to_string(),
            (Lang::En, true) => format!("is on the watch list ({})", reasons.join("; ")),
            (Lang::En, false) => "is not on the watch list".to_string(),
        };
        let claims = r.expected_claims_yuan.map(|e| e.mean.0);
        let u = unit_for(lang, &[c.fund_start_yuan, claims.unwrap_or(0.0)]);
        let cover = match (lang, r.fund_cover_ratio, claims) {
            (Lang::Zh, Some(x), Some(y)) => {
                format!("期初补偿金是预期代偿（{}）的{}倍", amount(lang, y, u), number(x))
            }
            (Lang::En, Some(x), Some(y)) => {
                format!(
                    "its fund at the start is {} times the claims expected ({})",
                    number(x),
                    amount(lang, y, u)
                )
            }
            (Lang::Zh, _, _) => "预期没有代偿".to_string(),
            (Lang::En, _, _) => "no claim is expected".to_string(),
        };
        v.push(match lang {
            Lang::Zh => format!("在压力测试排名中，{name}在{n}个县中列第{}位，{watch}；{cover}。", r.rank),
            Lang::En => format!(
                "In the stress ranking {name} is number {} of {n} counties and {watch}; {cover}.",
                r.rank
            ),
        });
        if !r.worst_townships.is_empty() {
            let towns: Vec<String> = r
                .worst_townships
                .iter()
                .map(|t| format!("{} {}", t.name, pct(t.peak_overdue_rate_mean)))
                .collect();
            v.push(match lang {
                Lang::Zh => format!("逾期率峰值（路径均值）最高的乡镇：{}。", towns.join("、")),
                Lang::En => format!(
                    "Townships with the highest peak overdue rate (mean over paths): {}.",
                    towns.join(", ")
                ),
            });
        }
    }
    if c.rules.len() > 1 {
        let from: Vec<&str> = c.rules.iter().skip(1).map(|r| r.from_date.as_str()).collect();
        v.push(match lang {
            Lang::Zh => format!("{name}的规则在模拟期内变更{}次（自{}起），见下方规则表。", from.len(), from.join("、")),
            Lang::En => format!(
                "{name}'s rules change {} time{} within the horizon (from {}): see the table of its rules below.",
                from.len(),
                if from.len() == 1 { "" } else { "s" },
                from.join(", ")
            ),
        });
    }
    v
}

/// The county's rules: one row per item, one column per period.
fn rules_table(o: &mut String, k: &CountyView, lang: Lang) {
    let c = k.county;
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("适用规则", "Its rules"));
    if c.rules.is_empty() {
        let _ = writeln!(
            o,
            "<p>{}</p>",
            esc(lang.tr(
                "本输出目录由较早版本写成，未记录各县适用的规则。",
                "This output directory was written by an earlier version, which did not record each county's rules."
            ))
        );
        return;
    }
    let largest = c
        .rules
        .iter()
        .map(|r| r.endowment_yuan.max(r.fiscal_capacity_yuan.unwrap_or(0.0)))
        .fold(0.0, f64::max);
    let unit = money_unit(lang, largest);
    o.push_str("<table><thead><tr>");
    let _ = write!(o, "<th>{}</th>", esc(lang.tr("项目", "Item")));
    for r in &c.rules {
        let head = match lang {
            Lang::Zh => format!("自{}起（第{}个月）", r.from_date, r.from_month),
            Lang::En => format!("From {} (month {})", r.from_date, r.from_month),
        };
        let _ = write!(o, "<th>{}</th>", esc(&head));
    }
    o.push_str("</tr></thead><tbody>\n");
    for row in rule_rows(&c.rules, lang) {
        let _ = write!(o, "<tr><td>{}</td>", esc(&row.label));
        for v in &row.values {
            let _ = write!(o, "<td>{}</td>", esc(&rule_text(v, row.unit, unit, lang)));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
}

/// The county's townships, highest peak median first.
fn townships_table(o: &mut String, k: &CountyView, lang: Lang) {
    let _ = writeln!(o, "<h2>{}</h2>", lang.tr("各乡镇逾期率", "Its townships' overdue rates"));
    if k.townships.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", esc(lang.tr("没有乡镇数据。", "No township rows.")));
        return;
    }
    let heads = match lang {
        Lang::Zh => ["乡镇", "逾期率中位数的峰值", "峰值月份", "5%分位的峰值", "95%分位的峰值", "期末中位数"],
        Lang::En => [
            "Township",
            "Peak median overdue rate",
            "Month of the peak",
            "Peak 5th percentile",
            "Peak 95th percentile",
            "Final median",
        ],
    };
    o.push_str("<table><thead><tr>");
    for h in heads {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>\n");
    for t in &k.townships {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&t.name),
            pct(t.peak_p50),
            esc(&t.peak_date),
            pct(t.peak_p05),
            pct(t.peak_p95),
            pct(t.final_p50)
        );
    }
    o.push_str("</tbody></table>\n");
}

/// `briefing-CODE.html`: one county's briefing.
pub fn county_html(
    k: &CountyView,
    meta: &RunMeta,
    prov: &Provenance,
    charts: &[Chart],
    lang: Lang,
) -> Result<String, BriefingError> {
    let name = county_label(k.county, lang);
    let what = scenario_title(meta, lang);
    let what = match &meta.shock {
        Some(s) => format!("{what}{}{}{}", lang.tr("（", " ("), shock_label(s, lang), lang.tr("）", ")")),
        None => what,
    };
    let title = match lang {
        Lang::Zh => format!("{name}脱贫人口小额信贷风险补偿金压力测试简报：{what}"),
        Lang::En => format!(
            "{name}: stress test of poverty-alleviation microcredit and its compensation fund: {what}"
        ),
    };
    let mut o = String::new();
    page_head(&mut o, &title, lang);
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(o, "<p class=prov>{}</p>", esc(&prov.footer(lang)));
    let _ = writeln!(o, "<h2>{}</h2>\n<ul>", lang.tr("主要结论", "Key findings"));
    for f in findings(k, meta, lang) {
        let _ = writeln!(o, "<li>{}</li>", esc(&f));
    }
    o.push_str("</ul>\n");
    figures(&mut o, charts, lang);
    rules_table(&mut o, k, lang);
    townships_table(&mut o, k, lang);
    page_foot(&mut o, meta, prov, lang)?;
    Ok(o)
}
