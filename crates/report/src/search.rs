//! Sweeps and reverse stress tests, as JSON and text.

use std::fmt::Write;

use mcstress_engine::{Breakpoint, Sweep};

use crate::{ReportError, pretty_json};

/// `sweep.json` as pretty-printed text with a final newline.
pub fn sweep_json(s: &Sweep) -> Result<String, ReportError> {
    pretty_json("sweep.json", s)
}

/// `breakpoint.json` as pretty-printed text with a final newline.
pub fn breakpoint_json(b: &Breakpoint) -> Result<String, ReportError> {
    pretty_json("breakpoint.json", b)
}

/// The readable sweep table: one line per grid point.
pub fn sweep_text(s: &Sweep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "sweep: {} over {}, {} points × {} paths, seed {} (common random numbers at every point)",
        s.scenario.name,
        s.fields.join(" × "),
        s.points.len(),
        s.paths,
        s.seed
    );
    let _ = writeln!(
        o,
        "each figure: mean ± standard error; Δ = paired difference from the first point ± its standard error"
    );
    let _ = writeln!(o);
    let head: Vec<String> = s.fields.iter().map(|f| f.rsplit('.').next().unwrap_or(f).to_string()).collect();
    let _ = writeln!(
        o,
        "{}  {:>22}  {:>18}  {:>30}  {:>26}",
        head.iter().map(|h| format!("{h:>14}")).collect::<Vec<_>>().join(" "),
        "P(some fund exh.) %",
        "peak overdue %",
        "fund loss 亿 (Δ)",
        "bank loss 亿 (Δ)"
    );
    for p in &s.points {
        let vals: Vec<String> = s
            .fields
            .iter()
            .map(|f| format!("{:>14}", p.values.get(f).map(|v| v.to_string()).unwrap_or_default()))
            .collect();
        let pr = &p.province;
        let e = &pr.exhaustion_probability;
        // From one path there is no standard error.
        let se = |x: f64| if x.is_finite() { format!("{x:.3}") } else { "n/a".to_string() };
        let _ = writeln!(
            o,
            "{}  {:>9.1} [{:>4.1}–{:>5.1}]  {:>9.3} ± {:>5}  {:>8.3} ± {} ({:+.3} ± {})  {:>7.3} ± {} ({:+.3} ± {})",
            vals.join(" "),
            e.p * 100.0,
            e.ci95_low * 100.0,
            e.ci95_high * 100.0,
            pr.peak_overdue_rate.mean * 100.0,
            se(pr.peak_overdue_rate.se * 100.0),
            pr.loss_fund_yuan.mean / 1e8,
            se(pr.loss_fund_yuan.se / 1e8),
            p.vs_first.loss_fund_yuan.diff / 1e8,
            se(p.vs_first.loss_fund_yuan.se / 1e8),
            pr.loss_bank_yuan.mean / 1e8,
            se(pr.loss_bank_yuan.se / 1e8),
            p.vs_first.loss_bank_yuan.diff / 1e8,
            se(p.vs_first.loss_bank_yuan.se / 1e8),
        );
    }
    o
}

/// The readable breakpoint table: counties from the most fragile.
pub fn breakpoint_text(b: &Breakpoint) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "reverse stress test: {} — shock {} at severities {}–{}, target P(fund exhausted) ≥ {:.1}%",
        b.scenario.name,
        b.shock,
        b.severities.first().copied().unwrap_or(0.0),
        b.severities.last().copied().unwrap_or(0.0),
        b.target * 100.0
    );
    let _ = writeln!(
        o,
        "{} paths per evaluation, seed {}, {} evaluations on common random numbers; top-up sized at severity {}",
        b.paths, b.seed, b.evaluations, b.topup_severity
    );
    let reached = b.counties.iter().filter(|c| c.severity.is_some()).count();
    let _ = writeln!(o, "{reached} of {} counties reach the target within the grid", b.counties.len());
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "code    county                                              severity  95% interval     P(exh.) at top-up sev.  min one-off top-up (yuan)  95% interval (yuan)"
    );
    let f = |x: Option<f64>, above: bool| match x {
        Some(v) => format!("{v:.2}"),
        None if above => "above grid".into(),
        None => "—".into(),
    };
    for c in &b.counties {
        let name = format!("{} ({})", c.name, c.name_en);
        let width: usize = name.chars().map(|ch| if (ch as u32) >= 0x2E80 { 2 } else { 1 }).sum();
        let _ = writeln!(
            o,
            "{}  {}{}  {:>8}  {:<15}  {:>21.1}%  {:>25}  {}",
            c.id,
            name,
            " ".repeat(50usize.saturating_sub(width)),
            f(c.severity, true),
            match c.severity {
                Some(_) => format!("{}–{}", f(c.severity_low, true), f(c.severity_high, true)),
                None => String::new(),
            },
            c.exhaustion_probability_at_topup_severity * 100.0,
            match c.min_topup_yuan {
                Some(t) => format!("{t:.0}"),
                None => "none found".to_string(),
            },
            match (c.min_topup_yuan, c.min_topup_low_yuan, c.min_topup_high_yuan) {
                (Some(t), _, high) if t <= 0.0 && high.is_none_or(|h| h <= 0.0) => String::new(),
                (_, Some(lo), Some(hi)) => format!("{lo:.0}–{hi:.0}"),
                (_, Some(lo), None) => format!("{lo:.0}– (more paths)"),
                _ => String::new(),
            }
        );
    }
    o
}
