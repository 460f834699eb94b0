//! The county stress table, as JSON and text.

use std::fmt::Write;

use mcstress_engine::Stress;

use crate::{ReportError, pretty_json};

/// `stress.json` as pretty-printed text with a final newline.
pub fn stress_json(s: &Stress) -> Result<String, ReportError> {
    pretty_json("stress.json", s)
}

/// The readable stress table: a province roll-up, then every county ranked.
pub fn stress_text(s: &Stress) -> String {
    let mut o = String::new();
    let p = &s.summary.province;
    let _ = writeln!(
        o,
        "stress test: {} ({}), {} paths, seed {}, shock {}",
        s.summary.scenario.name,
        s.summary.scenario.variant.as_deref().unwrap_or("no variant"),
        s.summary.run.paths,
        s.summary.run.seed,
        s.shock.as_deref().unwrap_or("none")
    );
    let _ = writeln!(
        o,
        "province: P(some fund exhausted) {:.1}% (95% CI {:.1}–{:.1}%), counties exhausted {:.2} on average, peak overdue {:.2}%",
        p.exhaustion_probability.p * 100.0,
        p.exhaustion_probability.ci95_low * 100.0,
        p.exhaustion_probability.ci95_high * 100.0,
        p.counties_exhausted.mean,
        p.peak_overdue_rate.mean * 100.0
    );
    let t = &s.thresholds;
    let _ = writeln!(
        o,
        "watch list: {} counties (P(exh.) ≥ {:.0}%, fund cover < {:.1}×, or peak overdue ≥ {:.1}%)",
        s.counties_watched,
        t.exhaustion_probability * 100.0,
        t.fund_cover_ratio,
        t.peak_overdue_rate * 100.0
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "rank  code    county (English)                         P(exh.)   95% CI       median   peak overdue  fund cover  watch"
    );
    let mut towns = String::new();
    for c in &s.counties {
        let e = &c.exhaustion_probability;
        let _ = writeln!(
            o,
            "{:>4}  {}  {} ({}){} {:>6.1}%  {:<12}  {:>7}  {:>11.2}%  {:>10}  {}",
            c.rank,
            c.id,
            c.name,
            c.name_en,
            " ".repeat(30usize.saturating_sub(c.name.chars().count() * 2 + c.name_en.len() + 3)),
            e.p * 100.0,
            format!("{:.1}–{:.1}%", e.ci95_low * 100.0, e.ci95_high * 100.0),
            c.exhaustion_month_p50.map(|m| m.to_string()).unwrap_or_else(|| "—".into()),
            c.peak_overdue_rate.mean * 100.0,
            c.fund_cover_ratio.map(|r| format!("{r:.2}×")).unwrap_or_else(|| "—".into()),
            if c.watch { c.watch_reasons.join(", ") } else { String::new() }
        );
        if c.watch && !c.worst_townships.is_empty() {
            let list: Vec<String> = c
                .worst_townships
                .iter()
                .map(|t| format!("{} {:.2}%", t.name, t.peak_overdue_rate_mean * 100.0))
                .collect();
            let _ = writeln!(towns, "  {} {}: {}", c.id, c.name, list.join(", "));
        }
    }
    if !towns.is_empty() {
        let _ = writeln!(o, "\nworst townships of the watched counties (mean peak overdue rate):");
        o.push_str(&towns);
    }
    if !s.counties_top_ups_ran_out.is_empty() {
        let _ = writeln!(
            o,
            "\ncounties whose capped top-ups ran out (an approved claim unpaid, the year's budget spent):"
        );
        for c in &s.counties_top_ups_ran_out {
            let _ = writeln!(o, "  {} {} ({}) {:.1}%", c.id, c.name, c.name_en, c.probability.p * 100.0);
        }
    }
    o
}
