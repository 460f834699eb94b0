//! The comparison of a rule revision with today's rules, as JSON and text.

use std::fmt::Write;

use mcstress_engine::{Comparison, Diff};

use crate::{ReportError, pretty_json};

/// `compare.json` as pretty-printed text with a final newline.
pub fn compare_json(c: &Comparison) -> Result<String, ReportError> {
    pretty_json("compare.json", c)
}

/// A difference with its sign, to `digits` decimals; one that rounds to
/// zero has none ("0.000", never "-0.000" or "+0.000").
fn signed(x: f64, digits: usize) -> String {
    let t = format!("{:+.*}", digits, x);
    if t[1..].chars().all(|c| c == '0' || c == '.') { t[1..].to_string() } else { t }
}

fn row(o: &mut String, label: &str, d: &Diff, scale: f64, unit: &str, digits: usize) {
    // A value that rounds to zero is "0.000", never "-0.000".
    let f = |x: f64| {
        let t = format!("{:.*}", digits, x * scale);
        match t.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => t,
        }
    };
    // From one path there is no standard error, nor an interval.
    let g = |x: f64| if x.is_finite() { f(x) } else { "n/a".to_string() };
    // A figure that does not vary between paths (0 on both sides, say)
    // has no correlation and no variance to reduce: say so in words.
    let paired = if d.correlation.is_finite() && d.variance_reduction.is_finite() {
        format!("(paired corr {:.3}, variance ÷{:.1})", d.correlation, d.variance_reduction)
    } else if d.se == 0.0 {
        "(the same on every path)".to_string()
    } else {
        "(no paired correlation)".to_string()
    };
    let _ = writeln!(
        o,
        "  {label:<34} {:>12} {:>12} {:>12} ± {:<10} [{} – {}] {unit}  {paired}",
        f(d.base),
        f(d.revision),
        f(d.diff),
        g(d.se),
        g(d.ci95_low),
        g(d.ci95_high),
    );
}

/// The readable comparison: province figures, then the counties with the
/// largest effects.
pub fn compare_text(c: &Comparison) -> String {
    let mut o = String::new();
    let name = |n: &mcstress_engine::RuleSetName| match &n.variant {
        Some(v) => format!("{} ({v})", n.name),
        None => n.name.clone(),
    };
    let _ = writeln!(
        o,
        "base: {}   revision: {}   {} paths, seed {}, common random numbers",
        name(&c.base),
        name(&c.revision),
        c.paths,
        c.seed
    );
    let _ = writeln!(o, "each figure: base, revision, difference ± standard error [95 % interval]");
    let _ = writeln!(o);
    let _ = writeln!(o, "Province 全省");
    let p = &c.province;
    row(&mut o, "P(some fund exhausted) 耗尽概率", &p.exhaustion_probability, 100.0, "%", 2);
    row(&mut o, "peak overdue rate 峰值逾期率", &p.peak_overdue_rate, 100.0, "%", 3);
    row(&mut o, "final overdue rate 期末逾期率", &p.final_overdue_rate, 100.0, "%", 3);
    row(&mut o, "loss borne by funds 补偿金损失", &p.loss_fund_yuan, 1e-8, "亿", 3);
    row(&mut o, "loss borne by banks 银行损失", &p.loss_bank_yuan, 1e-8, "亿", 3);
    row(&mut o, "uncovered loss 未覆盖损失", &p.loss_uncovered_yuan, 1e-8, "亿", 3);
    row(&mut o, "claims paid 代偿", &p.claims_paid_yuan, 1e-8, "亿", 3);
    row(&mut o, "disbursed 发放", &p.disbursed_yuan, 1e-8, "亿", 2);
    row(&mut o, "fund at the end 期末补偿金", &p.fund_end_yuan, 1e-8, "亿", 3);
    let _ = writeln!(o);
    let _ = writeln!(o, "Counties 各县, largest effect first (exhaustion probability, %; peak overdue, %)");
    let se = |x: f64, digits: usize| {
        if x.is_finite() { format!("{:.*}", digits, x * 100.0) } else { "n/a".to_string() }
    };
    for cd in c.counties.iter().take(20) {
        let e = &cd.exhaustion_probability;
        let q = &cd.peak_overdue_rate;
        let _ = writeln!(
            o,
            "  {} {} ({}): P(exh.) {:.1} → {:.1} ({} ± {}); peak overdue {:.2} → {:.2} ({} ± {})",
            cd.id,
            cd.name,
            cd.name_en,
            e.base * 100.0,
            e.revision * 100.0,
            signed(e.diff * 100.0, 1),
            se(e.se, 1),
            q.base * 100.0,
            q.revision * 100.0,
            signed(q.diff * 100.0, 3),
            se(q.se, 3)
        );
    }
    o
}
