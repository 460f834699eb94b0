//! Snapshot tests of the error texts the docs quote: every quoted line of
//! `docs/scenario-format.md` (and the `--set` example of
//! `docs/outputs.md`) is produced, exactly, by the loader from the input
//! the doc describes. A quoted line that no input here produces fails.

use mcstress_scenario::{ScenarioError, Setting};

use crate::support::{cli, root, scratch, small_text, write};

fn lines(e: &ScenarioError) -> Vec<String> {
    e.errors.iter().map(|x| x.to_string()).collect()
}

fn problems(name: &str, text: &str, variant: Option<&str>) -> Vec<String> {
    match mcstress_scenario::from_str(name, text, variant) {
        Ok(_) => Vec::new(),
        Err(e) => lines(&e),
    }
}

fn set_problems(field: &str, value: &str) -> Vec<String> {
    let s = Setting { field: field.into(), value: value.into() };
    match mcstress_scenario::embedded_default_with(None, &[s]) {
        Ok(_) => Vec::new(),
        Err(e) => lines(&e),
    }
}

/// The problems the CLI prints for `validate FILE` where `FILE` is `main`
/// among `files` written to a scratch directory; paths shown relative to it.
fn cli_problems(dir_name: &str, files: &[(&str, &str)], main: &str) -> Vec<String> {
    let d = scratch(dir_name);
    for (name, text) in files {
        write(&d, name, text);
    }
    let (code, _, err) = cli(&["validate", d.join(main).to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let prefix = format!("{}/", d.display());
    err.lines().skip(1).map(|l| l.trim().replace(&prefix, "")).collect()
}

/// A copy of the baseline with the three mistakes of the doc's example.
fn bad_baseline() -> String {
    let text = mcstress_scenario::EMBEDDED_TEXT;
    let mut out: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(out[54], "first_max_yuan = \"50000\"");
    assert_eq!(out[75], "collection_months = 3");
    assert_eq!(out[78], "fund_share = 0.7");
    out[54] = "first_max_yuan = 50000.0".into();
    out[75] = "colection_months = 3".into();
    out[78] = "fund_share = 1.5".into();
    out.join("\n") + "\n"
}

/// What the loader says for the input a quoted line describes, chosen by
/// the file the line names.
fn produced(file: &str) -> Vec<String> {
    match file {
        "/tmp/mcdocs/bad.toml" => problems(file, &bad_baseline(), None),
        "child.toml" => {
            // Line 17, column 14: the variant's fund share.
            let text = "#\n".repeat(15)
                + "[variants.tight.rules.compensation]\nfund_share = 1.2\n\n"
                + &small_text();
            problems(file, &text, None)
        }
        "loop2.toml" => cli_problems(
            "doc-loop",
            &[("loop1.toml", "extends = \"loop2.toml\"\n"), ("loop2.toml", "extends = \"loop1.toml\"\n")],
            "loop1.toml",
        ),
        "missing.toml" => {
            cli_problems("doc-missing", &[("missing.toml", "extends = \"nope.toml\"\n")], "missing.toml")
        }
        "syntax.toml" => problems(file, "[scenario\nname = \"x\"\n", None),
        "<embedded>/yunnan-baseline.toml" => match mcstress_scenario::embedded_default(Some("nosuch")) {
            Ok(_) => Vec::new(),
            Err(e) => lines(&e),
        },
        "e16.toml" => {
            let chain: Vec<String> = (0..=17).map(|n| format!("extends = \"e{}.toml\"\n", n + 1)).collect();
            let files: Vec<(String, &str)> =
                chain.iter().enumerate().map(|(n, t)| (format!("e{n}.toml"), t.as_str())).collect();
            let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
            cli_problems("doc-deep", &files, "e0.toml")
        }
        "dup.toml" => problems(file, "[scenario]\nname = \"a\"\nname = \"b\"\n", None),
        "m.toml" => ["\"1e3\"", "\"-0\""]
            .iter()
            .flat_map(|v| {
                let text = small_text().replacen("fund_yuan = \"6000000\"", &format!("fund_yuan = {v}"), 1);
                problems(file, &text, None)
            })
            .collect(),
        "--set" => [
            ("geography.counties.0.fund_yuan", "5"),
            ("rules.compensation.fund_share", "hello world"),
            ("rules.compensation.fund_share", "1.5"),
        ]
        .iter()
        .flat_map(|(f, v)| set_problems(f, v))
        .collect(),
        "large.toml" => {
            let mut t = "[scenario]\nname = \"large\"\nhorizon_months = 240\npaths = 1\n\n[rules.fund]\n\
                         interest_rate_annual = 0.2\n\n[geography]\nprefectures = [\n  { code = \"530100\", \
                         industry_mix = { other = 1.0 } },\n]\ncounties = [\n"
                .to_string();
            for i in 0..2000 {
                t.push_str(&format!(
                    "  {{ code = \"{:06}\", name = \"c{i}\", prefecture = \"530100\", eligible_households = \
                     100, loans = 10, fund_yuan = \"1000000000000\" }},\n",
                    600_000 + i
                ));
            }
            t.push_str("]\n");
            problems(file, &t, None)
        }
        _ => Vec::new(),
    }
}

/// Lines of fenced code blocks that quote a problem: indented, with a
/// location and "expected ..., found" or "invalid TOML".
fn quoted_problems(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && (line.contains(": expected ") || line.contains(": invalid TOML: "))
        {
            out.push(line.trim().to_string());
        }
    }
    out
}

/// The file a quoted problem names (everything before its first `:`).
fn file_of(line: &str) -> &str {
    line.split(':').next().unwrap_or("")
}

#[test]
fn every_error_text_the_format_doc_quotes_is_what_the_loader_says() {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).unwrap();
    let quoted = quoted_problems(&doc);
    assert!(quoted.len() >= 15, "the doc quotes {} problems: {quoted:#?}", quoted.len());
    let mut cache: Vec<(String, Vec<String>)> = Vec::new();
    for q in &quoted {
        let file = file_of(q);
        if !cache.iter().any(|(f, _)| f == file) {
            cache.push((file.to_string(), produced(file)));
        }
        let said = &cache.iter().find(|(f, _)| f == file).expect("cached").1;
        assert!(said.contains(q), "the doc quotes\n  {q}\nbut the loader says\n  {}", said.join("\n  "));
    }
}

#[test]
fn the_docs_example_is_the_whole_report_in_order() {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).unwrap();
    let quoted: Vec<String> =
        quoted_problems(&doc).into_iter().filter(|l| l.starts_with("/tmp/mcdocs/bad.toml")).collect();
    assert_eq!(quoted, produced("/tmp/mcdocs/bad.toml"));
    let e = mcstress_scenario::from_str("/tmp/mcdocs/bad.toml", &bad_baseline(), None).unwrap_err();
    assert!(doc.contains(&format!("error: {}", e.to_string().lines().next().unwrap())));
}

#[test]
fn the_set_example_of_the_outputs_doc_is_what_the_loader_says() {
    let doc = std::fs::read_to_string(root().join("docs/outputs.md")).unwrap();
    let flat = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let said = set_problems("rules.compensation.fund_share", "1.5");
    assert_eq!(said.len(), 1);
    assert!(flat.contains(&format!("`{}`", said[0])), "{}", said[0]);
}
