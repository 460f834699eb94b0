//! Frozen figures: the key figures of every shipped scenario (and of the
//! embedded default) at a few paths, pinned in `tests/golden/figures.txt`,
//! so that any change to results shows up as a readable diff in review.
//!
//! Each scenario runs as `mcstress run FILE --paths 4 --json` with its own
//! seed. The file holds one line per figure, `scenario  figure  value`:
//! every field of `summary.json`'s `province` block (the mean and standard
//! error of each estimate, `p` and standard error of each probability,
//! exact integers as they are), and for five named counties the peak
//! overdue rate, the exhaustion probability and month, and the fund's
//! loss. Values are written exactly as `summary.json` writes them
//! (shortest round-trip decimals), so a change in the last bit shows.
//!
//! After a deliberate change of results, regenerate and commit the file:
//! `UPDATE_GOLDEN=1 cargo test -p mcstress-tests --test integration golden`
//! (see README, "Frozen figures").

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{cli, root, shipped_scenarios};

/// Where the figures are frozen, relative to the repository root.
const GOLDEN: &str = "tests/golden/figures.txt";

/// The one command that regenerates the file.
const REGENERATE: &str = "UPDATE_GOLDEN=1 cargo test -p mcstress-tests --test integration golden";

/// Paths per scenario: enough to exercise every mechanism, few enough to
/// keep the whole check quick.
const PATHS: &str = "4";

/// The named counties: an urban district, a former poverty county, the
/// 2014 earthquake's county (a key county), the largest key county and a
/// border county on the Myanmar border.
const COUNTIES: [(&str, &str); 5] = [
    ("530102", "Wuhua District (Kunming, urban)"),
    ("530324", "Luoping County (Qujing, former poverty county)"),
    ("530621", "Ludian County (Zhaotong, key county, 2014 earthquake)"),
    ("530627", "Zhenxiong County (Zhaotong, the largest key county)"),
    ("530828", "Lancang County (Pu'er, border county)"),
];

/// The county figures frozen for each named county.
const COUNTY_FIGURES: [&str; 4] =
    ["peak_overdue_rate", "exhaustion_probability", "exhaustion_month_p50", "loss_fund_yuan"];

/// Label of the embedded default scenario in the file.
const EMBEDDED: &str = "<embedded>";

/// A JSON scalar as `summary.json` writes it (strings without quotes).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The figures of one value: an estimate gives its mean and standard
/// error, a probability its `p` and standard error, a scalar itself, and
/// any other object the figures of each of its fields.
fn figures_of(name: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) if m.contains_key("mean") || m.contains_key("p") => {
            let head = if m.contains_key("mean") { "mean" } else { "p" };
            for k in [head, "se"] {
                let x = m.get(k).unwrap_or_else(|| panic!("{name} has no {k}"));
                out.push((format!("{name}.{k}"), scalar(x)));
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                figures_of(&format!("{name}.{k}"), x, out);
            }
        }
        Value::Array(_) => panic!("{name}: an array in the province block is not a figure"),
        other => out.push((name.to_string(), scalar(other))),
    }
}

/// The frozen figures of one `summary.json`.
fn figures(summary: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in ["paths", "seed"] {
        out.push((format!("run.{k}"), scalar(&summary["run"][k])));
    }
    let province = summary["province"].as_object().expect("summary.json has a province object");
    for (k, v) in province {
        figures_of(&format!("province.{k}"), v, &mut out);
    }
    let counties = summary["counties"].as_array().expect("summary.json has a county list");
    for (code, _) in COUNTIES {
        match counties.iter().find(|c| c["id"] == code) {
            Some(c) => {
                for f in COUNTY_FIGURES {
                    figures_of(&format!("county.{code}.{f}"), &c[f], &mut out);
                }
            }
            None => out.push((format!("county.{code}"), "absent".into())),
        }
    }
    out
}

/// Runs one scenario (`None`: the embedded default) and returns its
/// `summary.json`.
fn summary(file: Option<&str>) -> Value {
    let path = file.map(|f| root().join(f).display().to_string());
    let mut args = vec!["run"];
    args.extend(path.as_deref());
    args.extend(["--paths", PATHS, "--json", "--quiet"]);
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: summary.json does not parse: {e}"))
}

/// The golden file's text for the current code.
fn golden_text() -> String {
    let mut text = format!(
        "# Frozen figures: `mcstress run SCENARIO --paths {PATHS} --json`, each scenario at its own seed.\n\
         # One line per figure: scenario, figure, value (as summary.json writes it).\n\
         # Estimates give `mean` and `se`, probabilities `p` and `se` (docs/outputs.md).\n\
         # Counties:\n"
    );
    for (code, name) in COUNTIES {
        text.push_str(&format!("#   {code}  {name}\n"));
    }
    text.push_str(&format!("# Regenerate after a deliberate change of results:\n#   {REGENERATE}\n"));
    let scenarios = shipped_scenarios();
    assert!(scenarios.len() >= 10, "expected the shipped scenarios under scenarios/, found {scenarios:?}");
    let runs: Vec<(String, Option<String>)> = std::iter::once((EMBEDDED.to_string(), None))
        .chain(scenarios.into_iter().map(|s| (s.clone(), Some(s))))
        .collect();
    // Two scenarios at a time: a run's model preparation and summary are
    // serial, only its paths run in parallel.
    let summaries: Vec<Value> = std::thread::scope(|scope| {
        let (even, odd): (Vec<_>, Vec<_>) = runs.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let run_all = |part: Vec<(usize, &(String, Option<String>))>| {
            part.into_iter().map(|(i, (_, f))| (i, summary(f.as_deref()))).collect::<Vec<_>>()
        };
        let a = scope.spawn(move || run_all(even));
        let b = run_all(odd);
        let mut all = a.join().expect("a golden run panicked");
        all.extend(b);
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, s)| s).collect()
    });
    let width = runs.iter().map(|(l, _)| l.len()).max().unwrap_or(0).max(44);
    for ((label, _), s) in runs.iter().zip(&summaries) {
        for (figure, value) in figures(s) {
            text.push_str(&format!("{label:<width$}  {figure:<56}  {value}\n"));
        }
    }
    text
}

/// The figures of a golden file's text, keyed by (scenario, figure), in
/// file order.
fn parse(text: &str) -> Vec<((String, String), String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            // Scenario and figure hold no spaces; the value is the rest.
            let malformed =
                || -> (&str, &str) { panic!("{GOLDEN}: expected `scenario figure value`, found {l:?}") };
            let (s, rest) = l.trim().split_once(char::is_whitespace).unwrap_or_else(malformed);
            let (f, v) = rest.trim_start().split_once(char::is_whitespace).unwrap_or_else(malformed);
            ((s.to_string(), f.to_string()), v.trim().to_string())
        })
        .collect()
}

/// The figures that differ between two golden texts, one per line:
/// `~ scenario figure: old → new`, `+` for a new figure, `-` for one gone.
fn diff(old: &str, new: &str) -> Vec<String> {
    let old = parse(old);
    let new = parse(new);
    let before: BTreeMap<_, _> = old.iter().map(|(k, v)| (k, v)).collect();
    let after: BTreeMap<_, _> = new.iter().map(|(k, v)| (k, v)).collect();
    let mut lines = Vec::new();
    for (k, v) in &new {
        match before.get(k) {
            Some(was) if *was != v => lines.push(format!("~ {}  {}: {was} → {v}", k.0, k.1)),
            Some(_) => {}
            None => lines.push(format!("+ {}  {}  {v}", k.0, k.1)),
        }
    }
    for (k, v) in &old {
        if !after.contains_key(k) {
            lines.push(format!("- {}  {}  {v}", k.0, k.1));
        }
    }
    lines
}

#[test]
fn every_shipped_scenario_gives_its_frozen_figures() {
    let path = root().join(GOLDEN);
    let now = golden_text();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("tests/golden")).expect("can create tests/golden");
        std::fs::write(&path, &now).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
        return;
    }
    let frozen = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; create it with {REGENERATE}", path.display()));
    if frozen == now {
        return;
    }
    let changes = diff(&frozen, &now);
    const SHOWN: usize = 200;
    let mut msg = format!("{} figure(s) differ from {GOLDEN} (frozen → now):\n", changes.len());
    for l in changes.iter().take(SHOWN) {
        msg.push_str(l);
        msg.push('\n');
    }
    if changes.len() > SHOWN {
        msg.push_str(&format!("… and {} more\n", changes.len() - SHOWN));
    }
    if changes.is_empty() {
        msg.push_str("(no figure differs: only the comments or the layout)\n");
    }
    msg.push_str(&format!(
        "If the change of results is deliberate, regenerate with\n  {REGENERATE}\nand commit {GOLDEN} with the change that caused it."
    ));
    panic!("{msg}");
}

#[test]
fn the_readme_gives_the_command_that_regenerates_the_figures() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.contains(REGENERATE), "README must give `{REGENERATE}`");
}

#[test]
fn the_golden_diff_names_each_changed_figure_with_old_and_new_value() {
    let old = "# c\na  f.x  1\na  f.y  2\nb  f.x  3\n";
    let new = "# c\na  f.x  1\na  f.y  2.5\nc  f.x  4\n";
    assert_eq!(
        parse("s  f  a value with spaces\n"),
        vec![(("s".into(), "f".into()), "a value with spaces".into())]
    );
    assert_eq!(diff(old, new), vec!["~ a  f.y: 2 → 2.5", "+ c  f.x  4", "- b  f.x  3"]);
    assert!(diff(old, old).is_empty());
}

#[test]
fn an_estimate_is_frozen_as_its_mean_and_standard_error() {
    let v: Value = serde_json::from_str(
        r#"{"n": 3, "e": {"mean": 0.25, "se": 0.01, "p05": 0.1}, "q": {"p": 0.5, "se": 0.2, "ci95_low": 0.1},
            "by": {"first": {"mean": 1.0, "se": 0.0}}, "m": null}"#,
    )
    .expect("valid JSON");
    let mut out = Vec::new();
    figures_of("x", &v, &mut out);
    // Fields come in the JSON map's order; the figures are what matters.
    let mut got: Vec<String> = out.iter().map(|(k, v)| format!("{k}={v}")).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "x.by.first.mean=1.0",
            "x.by.first.se=0.0",
            "x.e.mean=0.25",
            "x.e.se=0.01",
            "x.m=null",
            "x.n=3",
            "x.q.p=0.5",
            "x.q.se=0.2"
        ]
    );
}
