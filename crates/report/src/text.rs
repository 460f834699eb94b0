//! The readable text table printed by `mcstress run`.

use std::fmt::Write;

use mcstress_engine::{Estimate, Summary};

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn yi(yuan: f64) -> String {
    // 亿 = 10^8 yuan.
    format!("{:.3}", yuan / 1e8)
}

/// A standard error, or what stands in for it when there is none: from
/// one path no standard error can be estimated (the sample variance
/// divides by n − 1).
fn se(x: f64, paths: u32, shown: impl Fn(f64) -> String) -> String {
    if x.is_finite() { shown(x) } else { format!("n/a ({paths} path{})", if paths == 1 { "" } else { "s" }) }
}

fn est_pct(e: &Estimate, n: u32) -> String {
    format!("{} ± {} [{} – {}]", pct(e.mean), se(e.se, n, pct), pct(e.p05), pct(e.p95))
}

fn est_yi(e: &Estimate, n: u32) -> String {
    format!("{} ± {} [{} – {}]", yi(e.mean), se(e.se, n, yi), yi(e.p05), yi(e.p95))
}

/// Pads a string that may hold Chinese characters (two columns wide each).
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The province block, then one line per county (most at risk first).
pub fn text_table(s: &Summary) -> String {
    let p = &s.province;
    let n = s.run.paths;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "mcstress {} — {} ({})",
        s.run.version,
        s.scenario.name,
        s.scenario.variant.as_deref().unwrap_or("no variant")
    );
    let _ = writeln!(
        o,
        "start {}, {} months, {} paths, seed {}; {} counties, {} loans, {} 亿 yuan outstanding, {} 亿 yuan in funds",
        s.scenario.start,
        s.scenario.horizon_months,
        s.run.paths,
        s.run.seed,
        p.counties,
        p.loans_start,
        yi(p.outstanding_start_yuan),
        yi(p.fund_start_yuan)
    );
    let _ = writeln!(o, "estimates: mean ± standard error [5th – 95th percentile across paths]");
    let _ = writeln!(o);
    let _ = writeln!(o, "Province 全省");
    let rows: Vec<(&str, String)> = vec![
        ("peak overdue rate 峰值逾期率", est_pct(&p.peak_overdue_rate, n)),
        ("final overdue rate 期末逾期率", est_pct(&p.final_overdue_rate, n)),
        (
            "P(some fund exhausted) 补偿金耗尽概率",
            format!(
                "{} ± {} (95% CI {} – {})",
                pct(p.exhaustion_probability.p),
                se(p.exhaustion_probability.se, n, pct),
                pct(p.exhaustion_probability.ci95_low),
                pct(p.exhaustion_probability.ci95_high)
            ),
        ),
        (
            "counties exhausted 耗尽县数",
            format!(
                "{:.2} ± {} [{:.1} – {:.1}]",
                p.counties_exhausted.mean,
                se(p.counties_exhausted.se, n, |x| format!("{x:.2}")),
                p.counties_exhausted.p05,
                p.counties_exhausted.p95
            ),
        ),
        ("loss borne by funds 补偿金损失 (亿)", est_yi(&p.loss_fund_yuan, n)),
        ("loss borne by banks 银行损失 (亿)", est_yi(&p.loss_bank_yuan, n)),
        ("uncovered loss 未覆盖损失 (亿)", est_yi(&p.loss_uncovered_yuan, n)),
        ("claims paid 代偿 (亿)", est_yi(&p.claims_paid_yuan, n)),
        ("claims due 应偿 (亿)", est_yi(&p.claims.claims_due_yuan, n)),
        ("paid ÷ due 应偿尽偿", p.claims.paid_share_of_due.map_or("– (nothing due)".into(), pct)),
        (
            "idle money 闲置 (years of claims due)",
            p.claims.idle_years_of_claims.map_or("– (nothing due)".into(), |x| format!("{x:.1}")),
        ),
        (
            "default to payment 逾期至代偿 (months)",
            p.claims.months_default_to_payment.map_or("– (none paid)".into(), |x| format!("{x:.1}")),
        ),
        ("written off 核销 (亿)", est_yi(&p.written_off_yuan, n)),
        ("disbursed 发放 (亿)", est_yi(&p.disbursed_yuan, n)),
        ("interest subsidy 贴息 (亿)", est_yi(&p.subsidy_paid_yuan, n)),
        (
            "extensions 展期 (count)",
            format!("{:.0} ± {}", p.extensions.mean, se(p.extensions.se, n, |x| format!("{x:.0}"))),
        ),
        (
            "new overdue, interest 付息日逾期",
            format!(
                "{:.0} ± {}",
                p.new_overdue_episodes.at_interest.mean,
                se(p.new_overdue_episodes.at_interest.se, n, |x| format!("{x:.0}"))
            ),
        ),
        (
            "new overdue, maturity 到期逾期",
            format!(
                "{:.0} ± {} ({:.1}% of new overdue)",
                p.new_overdue_episodes.at_maturity.mean,
                se(p.new_overdue_episodes.at_maturity.se, n, |x| format!("{x:.0}")),
                p.new_overdue_episodes.share_at_maturity * 100.0
            ),
        ),
        (
            "renewals 续贷 (count)",
            format!("{:.0} ± {}", p.renewals.mean, se(p.renewals.se, n, |x| format!("{x:.0}"))),
        ),
        ("coverage rate 覆盖率 (end)", est_pct(&p.coverage_rate, n)),
        (
            "balance by product 分产品余额 (亿, end)",
            format!(
                "first {} / follow-up {} / commercial {}",
                yi(p.outstanding_end_by_product_yuan.first.mean),
                yi(p.outstanding_end_by_product_yuan.follow_up.mean),
                yi(p.outstanding_end_by_product_yuan.commercial.mean)
            ),
        ),
        (
            "two programme loans 首贷+追贷户 (end)",
            format!(
                "{:.0} ± {}",
                p.two_loan_households_end.mean,
                se(p.two_loan_households_end.se, n, |x| format!("{x:.0}"))
            ),
        ),
        (
            "commercial overdue 商业贷款逾期 (end)",
            format!(
                "{} of {} 亿 ({})",
                yi(p.commercial.overdue_end_yuan.mean),
                yi(p.commercial.outstanding_end_yuan.mean),
                pct(p.commercial.overdue_rate_end.mean)
            ),
        ),
        (
            "unmet requests 未满足申请 (count)",
            format!(
                "no bank {:.0} / suspended {:.0} / refused {:.0}",
                p.unmet_requests.no_bank.mean, p.unmet_requests.suspended.mean, p.unmet_requests.refused.mean
            ),
        ),
        (
            "beyond the multiple 超放大倍数 (count)",
            format!(
                "refused {:.0} / lent uncovered {:.0}",
                p.leverage_and_top_ups.refused_by_leverage.mean, p.leverage_and_top_ups.loans_uncovered.mean
            ),
        ),
        (
            "top-ups 补充资金 (亿)",
            format!(
                "{} (for leverage {})",
                est_yi(&p.leverage_and_top_ups.top_ups_yuan, n),
                yi(p.leverage_and_top_ups.leverage_top_ups_yuan.mean)
            ),
        ),
        (
            "P(some county's top-ups ran out) 补充用尽",
            format!(
                "{} ({} counties on some path)",
                pct(p.leverage_and_top_ups.top_ups_ran_out_probability.p),
                s.counties_top_ups_ran_out.len()
            ),
        ),
        ("unpaid claims by cause 未付原因 (亿, end)", {
            let u = &p.leverage_and_top_ups.unpaid_approved_end_yuan;
            format!(
                "annual cap {} / top-ups spent {} / no top-up {} / awaiting top-up {}",
                yi(u.annual_cap.mean),
                yi(u.top_ups_spent.mean),
                yi(u.no_top_up.mean),
                yi(u.awaiting_top_up.mean)
            )
        }),
        (
            "township-months unserved 无服务乡镇月",
            format!(
                "{:.0} ± {}",
                p.unserved_township_months.mean,
                se(p.unserved_township_months.se, n, |x| format!("{x:.0}"))
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "  {} {v}", pad(k, 40));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Counties 各县 (by exhaustion probability, then peak overdue rate)");
    let _ = writeln!(
        o,
        "  {} {} {} {:>9} {:>12} {:>9} {:>13} {:>13}",
        pad("code", 6),
        pad("county 县", 14),
        pad("English", 36),
        "P(exh.)",
        "95% CI",
        "median",
        "peak overdue",
        "final overdue"
    );
    let mut order: Vec<usize> = (0..s.counties.len()).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&s.counties[a], &s.counties[b]);
        cb.exhaustion_probability
            .p
            .total_cmp(&ca.exhaustion_probability.p)
            .then(cb.peak_overdue_rate.mean.total_cmp(&ca.peak_overdue_rate.mean))
            .then(a.cmp(&b))
    });
    for i in order {
        let c = &s.counties[i];
        let e = &c.exhaustion_probability;
        let _ = writeln!(
            o,
            "  {} {} {} {:>9} {:>12} {:>9} {:>13} {:>13}",
            pad(&c.id, 6),
            pad(&c.name, 14),
            pad(&c.name_en, 36),
            pct(e.p),
            format!("{:.1}–{:.1}%", e.ci95_low * 100.0, e.ci95_high * 100.0),
            c.exhaustion_date_p50.clone().unwrap_or_else(|| "—".into()),
            pct(c.peak_overdue_rate.mean),
            pct(c.final_overdue_rate.mean)
        );
    }
    o
}
