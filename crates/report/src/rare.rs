//! Exhaustion probabilities by importance sampling (`mcstress rare`), as
//! JSON and text.

use std::fmt::Write;

use mcstress_engine::{Rare, WeightedProbability};

use crate::{ReportError, pretty_json};

/// Counties listed in the text table (all are in `rare.json`).
const SHOWN: usize = 20;

/// `rare.json` as pretty-printed text with a final newline.
pub fn rare_json(r: &Rare) -> Result<String, ReportError> {
    pretty_json("rare.json", r)
}

fn pct(x: f64) -> String {
    format!("{:.3}%", 100.0 * x)
}

fn line(e: &WeightedProbability) -> String {
    let rse = e.rse.map_or("—".to_string(), |r| format!("{:.0}%", 100.0 * r));
    let plain = e.plain_paths_equivalent.map_or("—".to_string(), |x| format!("{x:.0}"));
    format!(
        "{:>8} ± {:>7}  [{:>7} – {:>7}]  rse {:>4}  hits {:>5}  plain paths {:>8}",
        pct(e.p),
        pct(e.se),
        pct(e.ci95_low),
        pct(e.ci95_high),
        rse,
        e.hits,
        plain
    )
}

/// The readable table: the weights' diagnostics, then the counties most
/// likely to run out (and the chosen county, wherever it ranks).
pub fn rare_text(r: &Rare, county: Option<&str>) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "rare events by importance sampling: {} ({}), {} paths, seed {}",
        r.scenario.name,
        r.scenario.variant.as_deref().unwrap_or("no variant"),
        r.paths,
        r.seed
    );
    let mut county_tilt = String::new();
    if let Some(c) = &r.tilt.county {
        if r.tilt.county_shift != 0.0 {
            county_tilt += &format!(", county {c} factor {:+}", r.tilt.county_shift);
        }
        if r.tilt.township_shift != 0.0 {
            county_tilt += &format!(", county {c} townships {:+}", r.tilt.township_shift);
        }
    }
    let _ = writeln!(
        o,
        "tilt: province factor {:+} sd a month{county_tilt}; effective sample size {:.0} of {} (mean weight {:.3}, \
         largest weight {:.1}% of the sum)",
        r.tilt.province,
        r.effective_sample_size,
        r.paths,
        r.mean_weight,
        100.0 * r.largest_weight_share
    );
    let _ = writeln!(
        o,
        "P(fund exhausted): weighted estimate ± standard error [95% interval], relative se, paths where it \
         happened, plain paths giving the same se\n"
    );
    let _ = writeln!(o, "  {:<32} {}", "some county 某县耗尽", line(&r.some_county_exhausted));
    let chosen = county.and_then(|code| r.counties.iter().find(|c| c.id == code));
    if let Some(c) = chosen {
        let _ = writeln!(
            o,
            "  {:<32} {}",
            format!("{} {} (chosen)", c.id, c.name),
            line(&c.exhaustion_probability)
        );
    }
    let _ = writeln!(o);
    for c in r.counties.iter().filter(|c| c.exhaustion_probability.hits > 0).take(SHOWN) {
        let _ = writeln!(o, "  {:<32} {}", format!("{} {}", c.id, c.name), line(&c.exhaustion_probability));
    }
    let without = r.counties.iter().filter(|c| c.exhaustion_probability.hits == 0).count();
    let with = r.counties.len() - without;
    if with > SHOWN {
        let _ = writeln!(o, "  … {} more counties with a hit (rare.json lists all)", with - SHOWN);
    }
    if without > 0 {
        let _ = writeln!(o, "  {without} counties ran out on no path");
    }
    if r.effective_sample_size < 0.1 * r.paths as f64 {
        let _ = writeln!(
            o,
            "\nwarning: the effective sample size is under a tenth of the paths: the tilt is too strong for this \
             horizon, and the estimates rest on a few paths; try a smaller --tilt"
        );
    }
    o
}
